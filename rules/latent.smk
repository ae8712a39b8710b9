# The latent-style look: a VAE (and its refiner) trained on the render's paintings and every Nth frame of
# its video (one job per render: the model, checkpoints kept between tries, the loss plot and a sheet of
# samples for the report); every frame's code is then moved toward the paintings by the generic per-frame
# rule (rules/looks.smk, with paintflow/looks/latent's painter).
from paintflow.looks import latent as latent_look


def latent_training_frames(render):
    """The video frames a latent-style render trains on (every Nth)."""
    from paintflow.looks.latent.vae import training_frames

    r = PF.renders[render]
    return training_frames(r.frames, r.derived["every"])


for _r in PF.owners("latent_train"):
    _s = PF.renders[_r].settings
    _v = PF.renders[_r].video

    rule:
        name:
            f"latent_train_{_r}"
        input:
            id=id_file("latent_train", _r),
            frames=frames_of("frames", _v, latent_training_frames(_r)),
            paintings=[ancient(p) for p in PF.renders[_r].derived["painting_files"]],
        output:
            model=latent_look.paths(PF, _r)["model"],
            loss=latent_look.paths(PF, _r)["loss"],
            chart=report(
                latent_look.paths(PF, _r)["chart"],
                caption="../report/latent_loss.rst",
                category=_r,
                subcategory="latent style",
                labels={"render": _r, "result": "training loss"},
            ),
            samples=report(
                latent_look.paths(PF, _r)["samples"],
                caption="../report/latent_samples.rst",
                category=_r,
                subcategory="latent style",
                labels={"render": _r, "result": "samples"},
            ),
        log:
            PF.job_log("latent_train", _r),
        benchmark:
            PF.job_benchmark("latent_train", _r)
        conda:
            "../envs/stylize.yaml"
        threads: threads(2)
        resources:
            gpu=GPUS,
            mem_mb=4000,
            runtime=60 * 24 * 7,
        params:
            identity=identity("latent_train", _r),
            owner=_r,
            checkpoint=latent_look.checkpoint(PF, _r),
        message:
            f"latent-style training · {_r}"
        script:
            "../workflow_scripts/latent_train.py"
