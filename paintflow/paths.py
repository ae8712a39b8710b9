"""Where every stage writes: per-frame files, one-job outputs, logs and benchmarks, all under ``results``.

results/videos/<video>/<folder>/NNNNNN.<ext>     a video's per-frame stages (frames, flow, masks, …)
results/renders/<render>/<folder>/NNNNNN.<ext>   a render's (its look, what follows it)
results/models/<model>-<identity>.pt            shared models
results/logs|benchmarks/<stage>/<owner>/<first>-<last>.log|tsv, or job.log|tsv for a one-job stage
"""

from __future__ import annotations

from pathlib import Path

from .registry import STAGES, stage

OWNER_DIRS = {"video": "videos", "render": "renders", "model": "models"}


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


def render_file(results, render: str) -> str:
    """A render as the workflow checked it when it was parsed, for its jobs (inputs.save_render)."""
    return f"{results}/.paintflow/renders/{render}.json"


def job_progress_file(results, stage_name: str, owner: str, key: str) -> str:
    """How far a long one-job stage (a training) is, written by the job as it goes (progress.write_job_progress),
    named by its identity so an older job's record is never taken for this one's."""
    return f"{results}/.paintflow/progress/{stage_name}-{owner}-{key}.json"


def _tail(frames: range | None, job: str | None) -> str:
    if frames is not None:
        return f"{frames.start:06d}-{frames.stop - 1:06d}"
    return f"job-{job}" if job else "job"


def log_path(results, stage_name: str, owner: str, frames: range | None = None, job: str | None = None) -> str:
    """A job's log: a chunk's (``frames``), a one-job stage's, or one of its several jobs' (``job``)."""
    return f"{results}/logs/{stage_name}/{owner}/{_tail(frames, job)}.log"


def bench_path(results, stage_name: str, owner: str, frames: range | None = None, job: str | None = None) -> str:
    return f"{results}/benchmarks/{stage_name}/{owner}/{_tail(frames, job)}.tsv"


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
