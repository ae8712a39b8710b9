"""The stages every render shares, whatever its look: a video's frames, optical flow and masks (long-term
and reverse ones too), mattes and the keyed composite, the shared models, upscaling, the encoded
deliveries, quality measurement and the report. Each look registers its own stages in its folder.

What identifies each stage's outputs (the params of its rules): each function returns the settings
that change the stage's pixels, canonically, and the keys of what it is made from. Device choice,
chunking, paths and file formats are deliberately absent.
"""

from __future__ import annotations

from .registry import Stage, register

FLOW_EXT = {"f16": "f16.npz", "flo": "flo"}


def smooth_id(dag, render):
    """Smoothing settings and what flow_blend reads, for a look's identity."""
    smoothing = dag.renders[render].smooth
    if smoothing["method"] == "none":
        return {"smooth": "none"}
    from .smooth import reads_flow

    ident = {"smooth": {"method": smoothing["method"], "alpha": float(smoothing["alpha"])}}
    if smoothing["method"] == "gradient":
        ident["smooth"]["detail"] = float(smoothing["detail"])
    if reads_flow(smoothing["method"]):
        ident["masks"] = dag.key("masks", dag.renders[render].video)
    return ident


def _frames_id(dag, video):
    v = dag.videos[video]
    ident = {
        "source": v.source_id,
        "size": [v.info["width"], v.info["height"]],
        "fps": float(v.info["fps"]),
        "start": float(v.info.get("start") or 0.0),
    }
    # a part: its video's decode (its start) and which of its frames; RenderDag.local_key: any part of the
    # video (or all of it), its frames told by their shot
    if v.part or dag.by_shot:
        ident |= {
            "start": float(v.info["request"]["start"] or 0.0),
            "part": "by shot" if dag.by_shot else v.part["frames"],
        }
    return ident


def _extract_id(dag, video):
    return {"frames": dag.key("frames", video), "count": dag.videos[video].frames}


def _flow_id(dag, video):
    return {"frames": dag.key("frames", video), "method": dag.config["flow"]["method"]}


def _masks_id(dag, video):
    return {"flow": dag.key("flow", video), "settings": dag.numbers("masks", dag.config["masks"])}


def _vgg_id(dag, owner):
    weights = dag.config["model"]["weights"]
    return {"weights": weights if weights == "auto" else dag.ids(weights)}


def _matte_cfg(dag, video) -> dict:
    return dag.videos[video].settings["matte"]


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
    """The final frames, the source frames, the content distance's network and size, and the flow and masks
    when the render's video has them."""
    video = dag.renders[render].video
    ident = {
        "frames": dag.key(dag.final_stage(render), render),
        "source": dag.key("frames", video),
        "content": {"model": dag.key("vgg_weights", "vgg"), "side": dag.config["quality"]["content_side"]},
    }
    if dag.quality_flow(render):
        ident |= {"flow": dag.key("flow", video), "masks": dag.key("masks", video)}
    return ident


def _measured(dag, render) -> bool:
    """A render of a video (not a sheet) is measured unless quality.enabled is false."""
    return dag.config["quality"]["enabled"] and bool(dag.renders[render].video) and not dag.look(render).sheet


def _report_id(dag, render):
    return {"frames": dag.key(dag.final_stage(render), render)}


def _always(dag, render) -> bool:
    return True


def _flow_ext(config) -> str:
    return FLOW_EXT[config["flow"]["format"]]


def _long_variants(kinds):
    return lambda dag, video: [f"{d}{j}" for j in dag.long_offsets(video) for d in kinds]


def _has_long_pairs(dag, video, frames) -> bool:
    return bool(dag.long_pairs(video, frames))


register(Stage("identity", "model", "settings"))  # identity files (rules/common.smk)
register(Stage("extract", "video", "decode", identity=_extract_id))
register(
    Stage(
        "frames",
        "video",
        "source frames",
        folder="frames",
        picture=True,
        identity=_frames_id,
        needs=("extract",),
        bytes_per_pixel=1.6,
        version=2,  # 2: made RGB at the source's size before scaling (full colour resolution; video.frame_filter)
    )
)
register(
    Stage(
        "flow",
        "video",
        "optical flow",
        folder="flow",
        ext=_flow_ext,
        identity=_flow_id,
        pairs="first",
        variants=lambda dag, video: ["fwd", "bwd"],
        prep=True,
        bytes_per_pixel=3.6,
        shot_local=True,
    )
)
register(
    Stage(
        "masks",
        "video",
        "consistency masks",
        folder="masks",
        picture=True,
        identity=_masks_id,
        pairs="second",  # the mask of frame t+1 belongs to the pair (t, t+1)
        prep=True,
        bytes_per_pixel=0.1,
        shot_local=True,
    )
)
register(
    Stage(
        "rmasks",
        "video",
        "reverse masks",
        folder="rmasks",
        identity=_rmasks_id,
        pairs="first",
        prep=True,
        shot_local=True,
    )
)
register(
    Stage(
        "longflow",
        "video",
        "long-term flow",
        folder="longflow",
        ext=_flow_ext,
        identity=_longflow_id,
        variants=_long_variants(("fwd", "bwd")),
        jobs_when=_has_long_pairs,
        prep=True,
        shot_local=True,
    )
)
register(
    Stage(
        "longmasks",
        "video",
        "long-term masks",
        folder="longmasks",
        identity=_longmasks_id,
        variants=lambda dag, video: [str(j) for j in dag.long_offsets(video)],
        jobs_when=_has_long_pairs,
        prep=True,
        shot_local=True,
    )
)
register(Stage("vgg_weights", "model", "VGG weights", identity=_vgg_id))
register(Stage("key_color", "video", "key colour", identity=_key_color_id))
register(
    Stage(
        "mattes",
        "video",
        "matte",
        folder="mattes",
        picture=True,
        identity=_mattes_id,
        sequential=lambda dag, video: dag.matte_stabilised(video),
    )
)
register(
    Stage("fill", "render", "filled for the look", folder="filled", chain="before", when=_keyed, identity=_fill_id)
)
register(
    Stage(
        "composite",
        "render",
        "composite",
        folder="composite",
        picture=True,
        chain="composite",
        when=_keyed,
        identity=_composite_id,
    )
)
register(Stage("waifu2x_weights", "model", "waifu2x weights", identity=_waifu2x_id))
register(
    Stage(
        "upscale",
        "render",
        "upscaled",
        folder="upscaled",
        gpu=True,
        picture=True,
        identity=_upscale_id,
        needs=("waifu2x_weights",),
        chain="finish",
        when=lambda dag, render: dag.config["upscale"]["scale"] > 1,
        bytes_per_pixel=1.6,
        shot_local=True,
    )
)
register(Stage("encode", "render", "video", identity=_encode_id, when=_always))
register(
    Stage(
        "quality",
        "render",
        "quality measured",
        folder="quality",
        ext="json",
        identity=_quality_id,
        when=_measured,
        needs=("vgg_weights",),
        cheap=True,  # milliseconds a frame after a job's start (torch and the VGG weights: ~2 s)
    )
)
register(Stage("report", "render", "report", identity=_report_id, when=_always))
