# Shared helpers: config validation, the render plan, paths and input functions.
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# scripts (fresh processes, possibly in conda envs) import the package from here
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (workflow.basedir, os.environ.get("PYTHONPATH")) if p
)
sys.path.insert(0, workflow.basedir)

from paintflow import PaintflowError
from paintflow import plan

validate(config, schema="../schemas/config.schema.yaml")

RESULTS = Path(config["results"])
try:
    VIDEOS, RENDERS = plan.build(config, RESULTS)
except PaintflowError as err:
    raise WorkflowError(f"paintflow: {err}") from None

FLOW_EXT = plan.FLOW_EXT[config["flow"]["format"]]


wildcard_constraints:
    video="[A-Za-z0-9_-]+",
    render="[A-Za-z0-9_-]+",
    t=r"\d{6}",
    direction="fwd|bwd",


def frame_id(t):
    return f"{int(t):06d}"


def frame_path(video, t):
    return RESULTS / "videos" / video / "frames" / f"{frame_id(t)}.png"


def frame_ids(video):
    return [frame_id(t) for t in range(1, VIDEOS[video].frames + 1)]


def flow_path(video, direction, t):
    """fwd/t: flow t→t+1; bwd/t: flow t+1→t (both belong to the pair t, t+1)."""
    return RESULTS / "videos" / video / "flow" / direction / f"{frame_id(t)}.{FLOW_EXT}"


def mask_path(video, t):
    """Reliability of warping frame t−1 onto frame t."""
    return RESULTS / "videos" / video / "masks" / f"{frame_id(t)}.png"


def render_dir(render):
    return RESULTS / "renders" / render


def stylized_path(render, t):
    return render_dir(render) / "stylized" / f"{frame_id(t)}.png"


def upscaled_path(render, t):
    return render_dir(render) / "upscaled" / f"{frame_id(t)}.png"


def final_frame_path(render, t):
    """The frame that goes into the video: upscaled when upscaling is on."""
    return upscaled_path(render, t) if config["upscale"]["scale"] > 1 else stylized_path(render, t)


def waifu2x_model():
    u = config["upscale"]
    return RESULTS / "models" / f"waifu2x_{u['model']}_noise{u['noise']}_x{u['scale']}.pt"


def render_video(render):
    return render_dir(render) / f"{render}.mp4"


def is_temporal(render):
    return RENDERS[render].stylize.get("temporal", True)


def all_outputs():
    return [render_video(r) for r in RENDERS]


def maybe_temp(path):
    return path if config["flow"]["keep"] else temp(path)


# --- input functions ------------------------------------------------------------


def flow_inputs(wildcards):
    t = int(wildcards.t)
    return {
        "first": frame_path(wildcards.video, t),
        "second": frame_path(wildcards.video, t + 1),
    }


def mask_inputs(wildcards):
    t = int(wildcards.t)
    return {
        "flow": flow_path(wildcards.video, "bwd", t - 1),
        "flow_back": flow_path(wildcards.video, "fwd", t - 1),
    }


def render_settings(wildcards):
    return RENDERS[wildcards.render].stylize


def video_info(video):
    return RESULTS / "videos" / video / "frames" / "info.json"


def style_target_inputs(wildcards):
    r = RENDERS[wildcards.render]
    return {
        "model": RESULTS / "models" / "vgg.pt",
        "style": r.style,
        "info": video_info(r.video),
    }


def stylize_inputs(wildcards):
    r = RENDERS[wildcards.render]
    t = int(wildcards.t)
    inputs = {
        "content": frame_path(r.video, t),
        **style_target_inputs(wildcards),
        "targets": render_dir(r.name) / "style_targets.pt",
    }
    if is_temporal(r.name) and t > 1:
        inputs["prev"] = stylized_path(r.name, t - 1)
        inputs["flow"] = flow_path(r.video, "bwd", t - 1)
        inputs["mask"] = mask_path(r.video, t)
    return inputs


def encode_inputs(wildcards):
    r = RENDERS[wildcards.render]
    return {
        # ascending order keeps Snakemake's recursion shallow on long t−1 chains
        "frames": [final_frame_path(r.name, t) for t in range(1, VIDEOS[r.video].frames + 1)],
        "info": video_info(r.video),
        "source": VIDEOS[r.video].path,
    }
