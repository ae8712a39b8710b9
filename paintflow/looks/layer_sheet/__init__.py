"""The layer sheet: one dreamed image per layer of the network, side by side, to choose a dream's layers
before a long render (one picture, not a video). Dreamed by :mod:`paintflow.looks.dream.dreaming` with
the dream look's settings as its base; rules: ``rules/dream.smk``."""

from __future__ import annotations

from pathlib import Path

from paintflow.looks import dream
from paintflow.registry import Look, Stage, register_look


def _layer_sheet_id(dag, render):
    return {
        "still": dream.still_id(dag, render),
        "model": dag.key("vgg_weights", "vgg"),
        "settings": dream.settings_id(dag, render, (*dream.KEYS, "layers")),
    }


def check(r, rcfg: dict, videos: dict, renders: dict, where: str, config: dict) -> None:
    """Each layer of the sheet exists in the network; the guide image reads."""
    from paintflow.inputs import check_image, check_layers

    check_layers(r.settings["layers"], config, f"{where}.layers", (r.width, r.height))
    if r.settings.get("guide"):
        check_image(Path(r.settings["guide"]), f"renders.{r.name}.dream.guide", "guide image")


register_look(
    Look(
        "layer_sheet",
        "layer_sheet",
        "layer_sheet",
        description="one dreamed image per layer, to choose layers",
        base=("dream",),
        video_source=False,
        sheet=True,
        video_stages=lambda s: (),
        check=check,
        form=(("dream.octaves", "octaves"), ("dream.iterations", "iterations per octave")),  # its dreams' cost
    ),
    Stage("layer_sheet", "render", "layer sheet", gpu=True, identity=_layer_sheet_id, needs=dream.NEEDS),
    where=__file__,
)
