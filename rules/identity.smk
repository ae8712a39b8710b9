# One identity rule per (stage, owner). Its params are the stage's identity (canonical: only what
# changes pixels), so it re-runs exactly when that identity changes, and re-writes the file that every
# job of the stage takes as its one non-ancient input: those jobs (and only those) then re-run.
for (_stage, _owner), _key in PF.current_keys().items():

    rule:
        name:
            f"identity_{_stage}_{_owner}"
        output:
            PF.id_path(_stage, _owner),
        log:
            f"{R}/logs/identity/{_stage}-{_owner}.log",
        localrule: True
        conda:
            "../envs/video.yaml"
        params:
            identity=identity(_stage, _owner),
        script:
            "../workflow_scripts/identity.py"
