# Shared helpers: config validation, the render plan, chunks, paths.
#
# Work is cut into chunks of `execution.chunk_frames` frames: each chunk is one
# job (one process, one model load) whose outputs are the chunk's per-frame
# files, so every frame stays its own target. Chunk rules are generated per
# video/render and chunk: a rule with a handful of explicit outputs keeps
# Snakemake's producer lookup linear (one rule with 16,000 outputs made the
# dry run quadratic: 264 s at 16,000 frames).
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
from paintflow.chunks import chunk_ranges, pair_range
from paintflow.figures import sample_frames

validate(config, schema="../schemas/config.schema.yaml")

RESULTS = Path(config["results"])
R = str(RESULTS)  # paths are built as strings: pathlib cost seconds of parse time at 16,000 frames
try:
    VIDEOS, RENDERS = plan.build(config, RESULTS)
    if config["execution"]["check_disk"]:
        plan.check_disk(RESULTS, sum(plan.estimate_disk(config, VIDEOS, RENDERS).values()))
except PaintflowError as err:
    raise WorkflowError(f"paintflow: {err}") from None

FLOW_EXT = plan.FLOW_EXT[config["flow"]["format"]]
CHUNK = config["execution"]["chunk_frames"]
GPUS = config["execution"]["gpus_per_job"]
RESUME = f"{R}/.resume"
SAMPLES = {v: sample_frames(info.frames) for v, info in VIDEOS.items()}  # frames shown in the report


wildcard_constraints:
    render="[A-Za-z0-9_]+",


def chunks(video):
    """[(index, range of 1-based frames)] of a video."""
    return list(enumerate(chunk_ranges(VIDEOS[video].frames, CHUNK)))


def pairs(video, frames):
    """Frame pairs (t, t+1) owned by a chunk."""
    return pair_range(frames, VIDEOS[video].frames)


def video_dir(video):
    return f"{R}/videos/{video}"


def video_info(video):
    return f"{R}/videos/{video}/frames/info.json"


def staging_dir(video):
    return f"{R}/videos/{video}/frames/staging"


def frame_path(video, t):
    return f"{R}/videos/{video}/frames/{int(t):06d}.png"


def flow_path(video, direction, t):
    """fwd/t: flow t→t+1; bwd/t: flow t+1→t (both belong to the pair t, t+1)."""
    return f"{R}/videos/{video}/flow/{direction}/{int(t):06d}.{FLOW_EXT}"


def mask_path(video, t):
    """Reliability of warping frame t−1 onto frame t."""
    return f"{R}/videos/{video}/masks/{int(t):06d}.png"


def flowviz_path(video, t):
    """Colour-wheel picture of the flow t→t−1 (for the report's sampled frames)."""
    return f"{R}/videos/{video}/flowviz/{int(t):06d}.png"


def render_dir(render):
    return f"{R}/renders/{render}"


def stylized_path(render, t):
    return f"{R}/renders/{render}/stylized/{int(t):06d}.png"


def upscaled_path(render, t):
    return f"{R}/renders/{render}/upscaled/{int(t):06d}.png"


def final_frame_path(render, t):
    """The frame that goes into the video: upscaled when upscaling is on."""
    return upscaled_path(render, t) if config["upscale"]["scale"] > 1 else stylized_path(render, t)


def waifu2x_model():
    u = config["upscale"]
    return f"{R}/models/waifu2x_{u['model']}_noise{u['noise']}_x{u['scale']}.pt"


def vgg_model():
    return f"{R}/models/vgg.pt"


def style_targets_path(render):
    return f"{R}/renders/{render}/style_targets.pt"


def render_video(render):
    return f"{R}/renders/{render}/{render}.mp4"


def is_temporal(render):
    return RENDERS[render].stylize.get("temporal", True)


def all_outputs():
    return [render_video(r) for r in RENDERS] + [
        f"{R}/renders/{r}/report/stages.png" for r in RENDERS
    ]


def maybe_temp(path):
    return path if config["flow"]["keep"] else temp(path)


def log_path(stage, owner, chunk):
    return f"logs/{stage}/{owner}/chunk{chunk:04d}.log"


def bench_path(stage, owner, chunk):
    return f"benchmarks/{stage}/{owner}/chunk{chunk:04d}.tsv"


# --- input functions of the wildcard rules ---------------------------------------


def render_settings(wildcards):
    return RENDERS[wildcards.render].stylize


def style_target_inputs(wildcards):
    r = RENDERS[wildcards.render]
    return {"model": vgg_model(), "style": r.style, "info": video_info(r.video)}


def encode_inputs(wildcards):
    r = RENDERS[wildcards.render]
    return {
        # ascending order keeps Snakemake's recursion shallow on long t−1 chains
        "frames": [final_frame_path(r.name, t) for t in range(1, VIDEOS[r.video].frames + 1)],
        "info": video_info(r.video),
        "source": VIDEOS[r.video].path,
    }


def report_samples(wildcards):
    return SAMPLES[RENDERS[wildcards.render].video]


def sheet_frames(wildcards):
    n = VIDEOS[RENDERS[wildcards.render].video].frames
    return sorted({round(1 + i * (n - 1) / 11) for i in range(min(12, n))})


def report_inputs(wildcards):
    """The finished video (so every benchmark exists), and the sampled frames of every stage."""
    r = RENDERS[wildcards.render]
    samples = report_samples(wildcards)
    return {
        "video": render_video(r.name),
        "sources": [frame_path(r.video, t) for t in samples],
        "flows": [flowviz_path(r.video, t) for t in samples],
        "masks": [mask_path(r.video, t) for t in samples],
        "stylized": [stylized_path(r.name, t) for t in samples],
        "final": [final_frame_path(r.name, t) for t in samples],
        "sheet": [final_frame_path(r.name, t) for t in sheet_frames(wildcards)],
    }
