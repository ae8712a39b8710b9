"""The dream look: DeepDream (Mordvintsev et al.) on every frame of a video, each frame started from the
previous dream warped onto it where the flow is reliable. Its model code, :mod:`.dreaming`, also makes
the zoom and the layer sheet (``paintflow/looks/zoom``, ``paintflow/looks/layer_sheet``), which take
their settings from this look's section too. Rules: ``rules/dream.smk``."""

from __future__ import annotations

from pathlib import Path

from paintflow.registry import Look, Stage, later, register_look

KEYS = ("layers", "objective", "octaves", "octave_scale", "iterations", "step", "jitter", "guide", "seed")
NEEDS = ("vgg_weights",)


def settings_id(dag, render, keys) -> dict:
    """The dream settings that change pixels (device out), with the guide image by content."""
    s = dag.numbers("dream", {k: v for k, v in dag.renders[render].settings.items() if k in keys})
    if s.get("guide"):
        s["guide"] = dag.ids(s["guide"])
    return s


def still_id(dag, render) -> dict:
    """Where a zoom or layer sheet starts: an image by content, or a video's frame."""
    s = dag.renders[render].settings
    if s.get("video"):
        return {"video_frames": dag.key("frames", s["video"]), "frame": s["frame"]}
    return {"image": dag.ids(s["image"]), "size": [dag.renders[render].width, dag.renders[render].height]}


def work(dag, render, t):
    s = dag.renders[render].settings
    return s["octaves"] * s["iterations"]


def _dream_id(dag, render):
    r = dag.renders[render]
    ident = {
        "frames": dag.key("frames", r.video),
        "model": dag.key("vgg_weights", "vgg"),
        "settings": settings_id(dag, render, KEYS),
        "temporal": r.settings["temporal"],
    }
    if r.settings["temporal"]:
        ident["blend"] = float(r.settings["blend"])
        ident["masks"] = dag.key("masks", r.video)
    return ident


def check(r, rcfg: dict, videos: dict, renders: dict, where: str, config: dict) -> None:
    """The layers the objective names (and a zoom's schedule's) exist in the network; the guide image reads."""
    from paintflow.inputs import check_image, check_layers

    s = r.settings
    check_layers(s["layers"], config, f"renders.{r.name}.dream.layers", (r.width, r.height))
    for entry in s.get("schedule") or []:
        check_layers(entry["layers"], config, f"renders.{r.name}.zoom.schedule", (r.width, r.height))
    if s.get("guide"):
        check_image(Path(s["guide"]), f"renders.{r.name}.dream.guide", "guide image")


register_look(
    Look(
        "dream",
        "dream",
        "dream",
        description="DeepDream on every frame of a video",
        preview=later(f"{__name__}.dreaming", "preview"),
        video_stages=lambda s: ("frames", "flow", "masks") if s["temporal"] else ("frames",),
        check=check,
        form=(("layers", "layer"), ("octaves", "octaves"), ("iterations", "iterations per octave")),
        rules="dream",
        faithful=False,  # a dream leaves its source on purpose, deeper with each frame it carries on
    ),
    Stage(
        "dream",
        "render",
        "dreamed",
        folder="dreamed",
        gpu=True,
        picture=True,
        identity=_dream_id,
        work=work,
        needs=NEEDS,
    ),
    where=__file__,
)
