"""The painted look: Gatys et al.'s optimisation on every frame, temporally consistent (Ruder et al.):
style targets made once per render, then one sequential chain of frames per shot (or per segment, with
lead-ins and crossfaded seams), optionally refined by passes alternating in direction.

Its model code: :mod:`.stylize` (the optimisation), :mod:`.settings`, :mod:`.losses`, :mod:`.lbfgs`,
:mod:`.seams`; its rules: ``rules/stylize.smk``.
"""

from __future__ import annotations

from pathlib import Path

from paintflow import PaintflowError
from paintflow.registry import Look, Stage, later, register_look
from paintflow.shared_stages import smooth_id

from .settings import new_ceiling


def _first_frame(dag, r):
    """What the colour of the targets comes from: the render's first frame (by its shot, RenderDag.local_key:
    which frame of the video it is — a part starting elsewhere has other targets)."""
    key = dag.key("frames", r.video)
    return [key, dag.source_frame(r.video, 1)] if dag.by_shot else key


def _style_targets_id(dag, render):
    r, s = dag.renders[render], dag.renders[render].settings
    return {
        "styles": [
            {"id": dag.ids(st["path"]), "weight": float(st["weight"]), "scale": float(st["scale"])} for st in r.styles
        ],
        "size": [r.width, r.height],
        "preserve_color": s["preserve_color"],
        "first_frame": _first_frame(dag, r) if s["preserve_color"] != "none" else None,
        "style_layers": s["style_layers"],
        "style_scale": float(s["style_scale"]),
        "pooling": dag.config["model"]["pooling"],
        "model": dag.key("vgg_weights", "vgg"),
        "scales": [float(level["scale"]) for level in s["levels"]],
    }


def _stylize_id(dag, render):
    r = dag.renders[render]
    s = {k: v for k, v in dag.numbers("stylize", r.settings).items() if k != "device"}
    # what a default (null) new_iterations comes to: the same frames as a config that writes it out
    s["new_iterations"] = new_ceiling(s["new_iterations"], s["iterations"], s["first_frame_iterations"])
    if s["optimizer"] == "lbfgs":
        s.pop("learning_rate")
    if s["segments"] > 1:  # where the chains restart depends on the length
        s["frames"] = r.frames
    else:
        s.pop("overlap")
    if s["init"] == "content":
        s.pop("seed")  # only noise initialisation draws random numbers
    if not s["stop_change"]:  # the stopping rule off: its thresholds change nothing
        for key in ("stop_change", "stop_peak", "stop_style", "stop_window", "min_iterations"):
            s.pop(key)
    if not s["temporal"]:
        s.pop("temporal_weight")
        s.pop("iterations")  # every frame gets first_frame_iterations
    if not s["temporal"] or s["temporal_init"] == "blend":  # (a render from before these settings keeps its key)
        s.pop("temporal_init")
    if not s["temporal"] or s["warp_interpolation"] == "linear":
        s.pop("warp_interpolation")
    for key, off in (("warp_check", 0), ("new_iterations", 0), ("stop_new", False)):  # off: an older render's key
        if not s["temporal"] or s[key] == off or (key == "stop_new" and not s.get("stop_change")):
            s.pop(key)
    if s.get("new_iterations", 0) and s["new_iterations"] <= s["iterations"]:
        s.pop("new_iterations")  # no frame gets more than iterations
    ident = {
        "frames": dag.key("frames", r.video),
        "targets": dag.key("style_targets", render),
        "model": dag.key("vgg_weights", "vgg"),
        "settings": s,
        **smooth_id(dag, render),
    }
    if s["temporal"]:
        ident["masks"] = dag.key("masks", r.video)
        if any(j > 1 for j in s["long_term"]):
            ident["long_masks"] = dag.key("longmasks", r.video)
    else:
        s.pop("long_term")
    return ident


def _stylize_work(dag, render, t):
    """The most iterations frame t may take (a shot's first frame: first_frame_iterations)."""
    from .settings import StyleSettings

    return StyleSettings.from_config(dag.renders[render].settings).work_of(
        t if dag.follows("stylize", render, t) else 1
    )


def _lead_id(dag, render):
    return {"stylize": dag.key("stylize", render)}


def _seam_id(dag, render):
    s = dag.renders[render].settings
    return {"stylize": dag.key("stylize", render), "lead": dag.key("lead", render), "overlap": s["overlap"]}


def _segmented(dag, render) -> bool:
    return dag.renders[render].look == "paint" and dag.renders[render].settings["segments"] > 1


def _pass_id(k):
    def ident(dag, render):
        before = "stylize" if k == 2 else f"pass{k - 1}"
        return {"previous": dag.key(before, render), "rmasks": dag.key("rmasks", dag.renders[render].video), "pass": k}

    return ident


def _passes(k):
    return lambda dag, render: dag.renders[render].look == "paint" and dag.renders[render].settings["passes"] >= k


def _pass_work(dag, render, t):
    return dag.renders[render].settings["pass_iterations"]


def _video_stages(s: dict) -> tuple:
    """The video stages a painted render reads: frames; flow and masks when temporal (long-term ones for
    long_term offsets > 1); reverse masks for backward passes."""
    if not s["temporal"] and s["passes"] == 1:
        return ("frames",)
    stages = ("frames", "flow", "masks")
    if s["temporal"] and max(s["long_term"]) > 1:
        stages += ("longflow", "longmasks")
    return stages + (("rmasks",) if s["passes"] > 1 else ())


def check(r, rcfg: dict, videos: dict, renders: dict, where: str, config: dict) -> None:
    """The style painting(s) of a painted render (``r.styles``), segments without passes."""
    from paintflow.inputs import check_image

    name = r.name
    if rcfg.get("style") and rcfg.get("styles"):
        raise PaintflowError(f"renders.{name}: give style: (one image) or styles: (several), not both")
    if not rcfg.get("style") and not rcfg.get("styles"):
        raise PaintflowError(f"renders.{name}.style: a painted render needs a style image")
    r.styles = (
        [{"path": rcfg["style"], "weight": 1.0, "scale": 1.0}]
        if rcfg.get("style")
        else [{"weight": 1.0, "scale": 1.0, **s} for s in rcfg["styles"]]
    )
    r.style = Path(r.styles[0]["path"])
    if r.settings["passes"] > 1 and r.settings["segments"] > 1:
        raise PaintflowError(f"{where}: segments and passes together are not supported; choose one")
    for i, s in enumerate(r.styles):
        check_image(
            Path(s["path"]), f"renders.{name}.style" if rcfg.get("style") else f"renders.{name}.styles[{i}].path"
        )


_VGG = ("vgg_weights",)
_stages = [
    Stage("style_targets", "render", "style targets", gpu=True, identity=_style_targets_id, needs=_VGG),
    Stage(
        "stylize",
        "render",
        "stylized",
        folder="stylized",
        gpu=True,
        picture=True,
        sequential=True,
        identity=_stylize_id,
        work=_stylize_work,
        bytes_per_pixel=2.2,
        shot_local=True,  # each shot a chain of its own, seeded from its first frame; targets: _first_frame
    ),
    Stage(
        "lead",
        "render",
        "segment leads",
        folder="lead",
        gpu=True,
        sequential=True,
        identity=_lead_id,
        work=_stylize_work,
        lead=True,
    ),
]
for _k in range(2, 7):  # multi-pass: pass k runs backward for even k, forward for odd k
    _stages.append(
        Stage(
            f"pass{_k}",
            "render",
            f"pass {_k}",
            folder=f"pass{_k}",
            gpu=True,
            picture=_k == 2,
            sequential=True,
            chain="refine",
            when=_passes(_k),
            identity=_pass_id(_k),
            work=_pass_work,
        )
    )
_stages.append(
    Stage("seam", "render", "seams crossfaded", folder="seamed", chain="refine", when=_segmented, identity=_seam_id)
)

register_look(
    Look(
        "paint",
        "stylize",
        "stylize",
        description="optimisation-based painting (Gatys, temporally consistent)",
        prepare=("style_targets",),
        video_stages=_video_stages,
        preview=later(f"{__name__}.stylize", "preview"),
        extra=lambda dag, render: ("lead",) if _segmented(dag, render) else (),
        check=check,
        chains=lambda s: s["segments"],
        long_term=lambda s: [j for j in s["long_term"] if j > 1] if s["temporal"] else [],
        form=(
            ("iterations", "iterations per frame"),
            ("first_frame_iterations", "iterations of the first frame"),
            ("style_weight", "style weight"),
            ("temporal", "temporally consistent (off: each frame alone)"),
            ("long_term", "long-term: also the frames this far back (e.g. 1, 2, 4)"),
            ("passes", "passes (multi-pass)"),
        ),
        painting="style",
        blend="styles",
        painting_required=True,
        smooths=True,
        rules="stylize",
    ),
    *_stages,
    where=__file__,
)
