# One identity rule per (stage, owner). Its params are the stage's identity (canonical: only what
# changes pixels), so it re-runs exactly when that identity changes, and re-writes the file that every
# job of the stage takes as its one non-ancient input: those jobs (and only those) then re-run.
# A stage made by several jobs whose own identities are known (Stage.job_identity: a shot's training) has
# one such rule per job too, and each job takes its own file.
for _name, _path, _log, _identity in PF.identity_files():

    rule:
        name:
            f"identity_{_name}"
        output:
            _path,
        log:
            f"{R}/logs/identity/{_log}.log",
        localrule: True
        conda:
            "../envs/video.yaml"
        params:
            identity=_identity,
        script:
            "../workflow_scripts/identity.py"
