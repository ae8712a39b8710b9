"""The keyframe look: an artist paints a few frames of a shot by hand; a small network trained on patches of
those keyframes (the frame → its painting, Texler et al. 2020, "Interactive Video Stylization Using Few-Shot
Patch-Based Training") paints every frame of the shot, each on its own. Checks, training and the network:
:mod:`.patches`; the training's rule: ``rules/keyframes.smk``; the frames: the generic per-frame rule."""

from __future__ import annotations

from paintflow.registry import Command, Look, Stage, later, register_look
from paintflow.shared_stages import smooth_id

TRAIN_KEYS = ("steps", "patch", "batch", "channels", "levels", "learning_rate", "neighbours", "seed")  # a network's


def _train_id(dag, render):
    r = dag.renders[render]
    s = dag.numbers("keyframes", r.settings)
    return {
        "frames": dag.key("frames", r.video),
        "keyframes": {str(t): dag.ids(p) for t, p in r.derived["keyframes"].items()},
        "shots": r.derived["shots"],
        "settings": {k: s[k] for k in TRAIN_KEYS},
    }


def _train_work(dag, render, t):
    """Units of a training job (one shot's): its steps."""
    return dag.renders[render].settings["steps"]


def trained_shots(render) -> dict[int, list[int]]:
    """{first frame: its keyframes} of a render's shots that have keyframes: one training job each."""
    return {first: keys for first, _, keys in render.derived["shots"] if keys}


def shot_of(render, first: int) -> tuple[int, int, list[int]]:
    """(first, stop, keyframes) of the render's shot starting at ``first``."""
    return next(tuple(row) for row in render.derived["shots"] if row[0] == first)


def shot_frames(render, first: int) -> list[int]:
    """The source frames a shot's training reads: its keyframes' and those near them (``neighbours``)."""
    from .patches import neighbour_frames

    first, stop, keys = shot_of(render, first)
    return sorted({*keys, *neighbour_frames(keys, first, stop, render.settings["neighbours"])})


def _train_jobs(dag, render) -> list[str]:
    return [f"shot{first:06d}" for first in trained_shots(dag.renders[render])]


def _shot_identity(dag, render, job: str) -> dict:
    """What decides one shot's network (its training job, ``shot<first>``): its keyframes (their frames'
    identity and the files' content) and the training settings — not the other shots' (a changed keyframe
    retrains its shot alone)."""
    r, first = dag.renders[render], int(job.removeprefix("shot"))
    s = dag.numbers("keyframes", r.settings)
    return {
        "frames": dag.key("frames", r.video),
        "shot": list(shot_of(r, first)[:2]),  # which frames near its keyframes it learns from too
        "keyframes": {str(t): dag.ids(r.derived["keyframes"][str(t)]) for t in trained_shots(r)[first]},
        "alpha": r.derived["alpha"],
        "settings": {k: s[k] for k in TRAIN_KEYS},
    }


def _keyframes_id(dag, render):
    r = dag.renders[render]
    return {
        "frames": dag.key("frames", r.video),
        "model": dag.key("keyframes_train", render),
        "reach": r.settings["reach"],
        **smooth_id(dag, render),
    }


def paths(dag, render: str) -> dict:
    """The training's outputs: the render's model (every shot's network), the loss table, and each shot's
    network (``shot``: a path with ``{first}``, its training job's output)."""
    from .patches import SHOT_FILE

    return dag.job_files(render, "keyframe_training", model="model.pt", loss="loss.csv", shot=SHOT_FILE)


def painter(ctx):
    """Each frame through its shot's network (a shot without keyframes, with ``missing: as_filmed``: as
    filmed), the keyframes' own strokes carried into the frames near them."""
    from paintflow.paths import frame_of

    from .patches import Painter

    sources = {frame_of(p): p for p in ctx.inputs.keyframe_sources}
    keys = {int(t): (sources[int(t)], path) for t, path in ctx.render.derived["keyframes"].items()}
    return Painter(ctx.inputs.model[0], ctx.settings["device"], keys, ctx.settings["reach"])


def report_columns(dag, render, samples: list[int]) -> dict:
    """The report's keyframe | propagated pairs: beside each sampled frame, the keyframe of its shot nearest
    to it (none in a shot shown as filmed)."""
    r = dag.renders[render]
    keys = r.derived["keyframes"]
    nearest = []
    for t in samples:
        shot = next((k for first, stop, k in r.derived["shots"] if first <= t < stop), [])
        nearest.append(keys[str(min(shot, key=lambda k: (abs(k - t), k)))] if shot else None)
    return {"nearest keyframe": nearest}


def calibration(settings: dict, scratch, frames: int) -> dict:
    """A calibration render of the first frames: its first keyframe, as painting frame 1 (its own frame
    may be past them: the figures are per step and per frame, whichever frame it paints), 40 steps."""
    import shutil
    from pathlib import Path

    from .patches import NAME

    found = sorted((int(m.group(1)), p) for p in Path(settings["keyframes"]).iterdir() if (m := NAME.match(p.name)))
    folder = Path(scratch) / "keyframes"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(found[0][1], folder / f"{1:06d}{found[0][1].suffix}")
    return {"steps": min(settings["steps"], 40), "keyframes": str(folder)}


def keyframe_frames(render) -> list[int]:
    """The keyframes' own source frames (the painter carries the artist's strokes from them)."""
    return sorted(int(t) for t in render.derived["keyframes"])


register_look(
    Look(
        "keyframes",
        "keyframes",
        "keyframes",
        description="your own painted frames carried through each shot (a network trained on their patches)",
        prepare=("keyframes_train",),
        check=later(f"{__name__}.patches", "check"),
        calibrate=calibration,
        smooths=True,
        # each frame painted on its own flickers (1.1-1.8x the footage's warping error): flow-blended it is
        # 0.25-0.42x the footage's own (bench/keyframes.py); the keyframes stay exact
        smoothing={"method": "flow_blend", "alpha": 0.8},
        report_columns=report_columns,
        command=Command(
            "keyframes",
            "the frames of a render worth painting by hand (the keyframe look)",
            later(f"{__name__}.choose", "arguments"),
            later(f"{__name__}.choose", "run"),
        ),
        preview=later(f"{__name__}.preview", "preview"),
        form=(("steps", "training steps"),),
        hand="keyframes",
        env="stylize",
        rules="keyframes",
    ),
    Stage(
        "keyframes_train",
        "render",
        "keyframe training",
        gpu=True,
        identity=_train_id,
        work=_train_work,
        jobs=_train_jobs,
        job_identity=_shot_identity,
    ),
    Stage(
        "keyframes",
        "render",
        "keyframe look",
        folder="keyframes",
        gpu=True,
        picture=True,
        identity=_keyframes_id,
        painter=painter,
        inputs=lambda dag, render: {
            "model": [paths(dag, render)["model"]],
            "keyframe_sources": dag.paths("frames", dag.renders[render].video, keyframe_frames(dag.renders[render])),
        },
    ),
    where=__file__,
)
