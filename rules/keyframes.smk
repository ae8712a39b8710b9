# The keyframe look: one training job per shot with keyframes trains its network on patches of the
# shot's painted keyframes (paintflow/looks/keyframes), re-run only when that shot's keyframes or the
# training settings change (its own identity file: Stage.job_identity, rules/identity.smk); one quick
# job gathers the shots' networks into the render's model; every frame is then painted by the generic
# per-frame rule (rules/looks.smk).
from paintflow.looks import keyframes as keyframes_look

for _r in PF.owners("keyframes_train"):
    _v = PF.renders[_r].video
    _shots = keyframes_look.trained_shots(PF.renders[_r])
    _files = keyframes_look.paths(PF, _r)
    _keyframes = PF.renders[_r].derived["keyframes"]

    rule:
        name:
            f"keyframes_train_{_r}"
        input:
            id=lambda w, r=_r: PF.id_path("keyframes_train", r, f"shot{w.first}"),
            frames=lambda w, v=_v, r=_r: frames_of("frames", v, keyframes_look.shot_frames(PF.renders[r], int(w.first))),
            keyframes=lambda w, shots=_shots, files=_keyframes: [ancient(files[str(t)]) for t in shots[int(w.first)]],
        output:
            shot=_files["shot"],
        log:
            PF.job_log("keyframes_train", _r, "shot{first}"),
        benchmark:
            PF.job_benchmark("keyframes_train", _r, "shot{first}")
        wildcard_constraints:
            first=r"\d{6}",
        conda:
            "../envs/stylize.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=60 * 24,
        params:
            owner=_r,
            first=lambda w: int(w.first),
        message:
            f"keyframe training · {_r} · shot at frame {{wildcards.first}}"
        script:
            "../workflow_scripts/keyframes_train.py"

    rule:
        name:
            f"keyframe_model_{_r}"
        input:
            id=id_file("keyframes_train", _r),
            shots=[_files["shot"].format(first=f"{t:06d}") for t in _shots],
        output:
            model=_files["model"],
            loss=_files["loss"],
        log:
            PF.job_log("keyframes_train", _r, "model"),
        localrule: True
        conda:
            "../envs/stylize.yaml"
        params:
            identity=identity("keyframes_train", _r),
            owner=_r,
        message:
            f"keyframe model · {_r}"
        script:
            "../workflow_scripts/keyframe_model.py"
