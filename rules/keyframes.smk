# The keyframe look: one job per render trains a network per shot on patches of the shot's painted
# keyframes (paintflow/looks/keyframes); every frame is then painted by the generic per-frame rule
# (rules/looks.smk, with the look's painter).
from paintflow.looks import keyframes as keyframes_look

for _r in PF.owners("keyframes_train"):
    _v = PF.renders[_r].video

    rule:
        name:
            f"keyframes_train_{_r}"
        input:
            id=id_file("keyframes_train", _r),
            frames=frames_of("frames", _v, keyframes_look.training_frames(PF.renders[_r])),
            keyframes=[ancient(p) for p in PF.renders[_r].derived["keyframes"].values()],
        output:
            model=keyframes_look.paths(PF, _r)["model"],
            loss=keyframes_look.paths(PF, _r)["loss"],
        log:
            PF.job_log("keyframes_train", _r),
        benchmark:
            PF.job_benchmark("keyframes_train", _r)
        conda:
            "../envs/stylize.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=60 * 24,
        params:
            identity=identity("keyframes_train", _r),
            owner=_r,
        message:
            f"keyframe training · {_r}"
        script:
            "../workflow_scripts/keyframes_train.py"
