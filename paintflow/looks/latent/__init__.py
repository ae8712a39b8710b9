"""The latent-style look: a VAE (and a refiner) trained on a folder of paintings and the video's frames,
each frame's code moved toward the paintings and decoded. Model code, training and checks: :mod:`.vae`;
rules: ``rules/latent.smk``."""

from __future__ import annotations

from paintflow.registry import Look, Stage, later, register_look
from paintflow.shared_stages import smooth_id

CALIBRATION_STEPS = 40  # training steps a calibration runs (the plan extrapolates per step)


def _train_id(dag, render):
    r = dag.renders[render]
    s, found = dag.numbers("latent", r.settings), r.derived
    keys = ("latent", "steps", "refiner_steps", "batch", "learning_rate", "kl_weight", "seed")
    return {
        "frames": dag.key("frames", r.video),
        "every": found["every"],
        "paintings": [dag.ids(p) for p in found["painting_files"]],
        "size": found["train_size"],
        "settings": {k: s[k] for k in keys},
    }


def _train_work(dag, render, t):
    """Units of the training job: its steps (VAE and refiner)."""
    s = dag.renders[render].settings
    return s["steps"] + s["refiner_steps"]


def _latent_id(dag, render):
    r = dag.renders[render]
    return {
        "frames": dag.key("frames", r.video),
        "model": dag.key("latent_train", render),
        "strength": float(r.settings["strength"]),
        **smooth_id(dag, render),
    }


def painter(ctx):
    """The render's trained model, loaded once: each frame's code moved toward the paintings."""
    from .vae import LatentStyle

    model = LatentStyle(ctx.inputs.model[0], ctx.settings["device"])
    return lambda t, rgb: model(rgb, ctx.settings["strength"])


def paths(dag, render: str) -> dict:
    """The training job's outputs: the model, the loss table and plot, and a sheet of samples."""
    return dag.job_files(render, "vae", model="model.pt", loss="loss.csv", chart="loss.png", samples="samples.png")


def checkpoint(dag, render: str) -> str:
    """Where the training of a render keeps its checkpoint: by the training's identity, so other
    settings never resume from it, and outside the job's outputs, so a failed job keeps it."""
    return f"{dag.results}/.paintflow/checkpoints/latent_train-{render}-{dag.key('latent_train', render)}.pt"


register_look(
    Look(
        "latent",
        "latent",
        "latent",
        description="a VAE trained on your paintings and the video, each frame shifted toward the paintings",
        prepare=("latent_train",),
        preview=later(f"{__name__}.vae", "preview"),
        check=later(f"{__name__}.vae", "check"),
        calibrate=lambda s, scratch, frames: {
            "steps": min(s["steps"], CALIBRATION_STEPS),
            "refiner_steps": min(s["refiner_steps"], 10),
        },
        smooths=True,
        form=(
            ("steps", "training steps"),
            ("refiner_steps", "refiner training steps (0: none)"),
            ("strength", "strength"),
        ),
        paintings="latent.paintings",
        env="stylize",
        rules="latent",
    ),
    Stage("latent_train", "render", "latent-style training", gpu=True, identity=_train_id, work=_train_work),
    Stage(
        "latent",
        "render",
        "latent style",
        folder="latent",
        gpu=True,
        picture=True,
        identity=_latent_id,
        painter=painter,
        inputs=lambda dag, render: {"model": [paths(dag, render)["model"]]},
    ),
    where=__file__,
)
