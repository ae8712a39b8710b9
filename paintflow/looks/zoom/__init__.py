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


def parse_schedule(text: str) -> list[dict]:
    """A zoom's layers over time as typed in the studio: "relu4_2 4, relu5_1" (seconds each, the last holds)
    → [{layers: {relu4_2: 1.0}, seconds: 4.0}, {layers: {relu5_1: 1.0}}]."""
    entries = [e.split() for e in text.split(",")]
    schedule = []
    for i, entry in enumerate(entries):
        last = i == len(entries) - 1
        if not (len(entry) == 1 and last) and not (len(entry) == 2 and not last):
            raise ValueError(
                f"{text!r}: a layer and its seconds per entry, the last a layer alone (relu4_2 4, relu5_1)"
            )
        try:
            seconds = float(entry[1]) if len(entry) == 2 else None
        except ValueError:
            raise ValueError(f"{entry[1]!r} is not a number of seconds (relu4_2 4, relu5_1)") from None
        schedule.append({"layers": {entry[0]: 1.0}, **({"seconds": seconds} if seconds is not None else {})})
    return schedule


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
        form=(
            ("frames", "frames"),
            ("factor", "zoom per frame"),
            ("reverse", "play backwards (a zoom out)"),
            (
                "schedule",
                "layers over time: a layer and its seconds, the last alone (relu4_2 4, relu5_1)",
                parse_schedule,
            ),
        ),
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
