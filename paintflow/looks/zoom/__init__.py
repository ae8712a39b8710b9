"""The zoom look: an infinite DeepDream zoom from a still (frame t = dream(zoom(frame t−1))), its layers
scheduled over time, played backwards for a zoom-out. Its dreaming is the dream look's
(:mod:`paintflow.looks.dream.dreaming`), with that look's settings as its base; rules: ``rules/dream.smk``."""

from __future__ import annotations

from paintflow.looks import dream
from paintflow.registry import Look, Stage, later, register_look


def _zoom_id(dag, render):
    keys = (*dream.KEYS, "fps", "factor", "rotate", "pan", "schedule", "transition")
    s = dream.settings_id(dag, render, keys)
    s.update(dag.numbers("zoom", {k: s[k] for k in ("fps", "factor", "rotate", "transition")}))
    s["pan"] = [float(p) for p in s["pan"]]
    return {"still": dream.still_id(dag, render), "model": dag.key("vgg_weights", "vgg"), "settings": s}


register_look(
    Look(
        "zoom",
        "zoom",
        "zoom",
        description="an infinite DeepDream zoom from a still",
        base=("dream",),
        preview=later("paintflow.looks.dream.dreaming", "preview"),
        video_source=False,
        video_stages=lambda s: (),
        check=dream.check,
        form=(("frames", "frames"), ("factor", "zoom per frame"), ("reverse", "play backwards (a zoom out)")),
    ),
    Stage(
        "zoom",
        "render",
        "zoom",
        folder="zoom",
        gpu=True,
        picture=True,
        sequential=True,
        identity=_zoom_id,
        work=dream.work,
        needs=dream.NEEDS,
    ),
    where=__file__,
)
