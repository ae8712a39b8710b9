"""Glue for workflow scripts (``smk`` is the ``snakemake`` object a ``script:`` receives): the log,
the terminal for progress lines, the job's frame store, and settings that change no pixel (device),
read from the config rather than from params so they never trigger a re-run."""

from __future__ import annotations

import logging
import os
import sys

from .config import look_settings
from .identity import key_of
from .store import FrameStore, ShotStore

TERMINAL = sys.__stderr__  # where Snakemake shows the job's output (the log gets everything else)


def setup_log(smk) -> logging.Logger:
    """Send logging and stderr to the rule's ``log:`` file; a GPU job claims a GPU of its own."""
    stream = open(smk.log[0], "a", buffering=1)  # noqa: SIM115 - lives as long as the job
    sys.stderr = stream
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    log = logging.getLogger("paintflow")
    if int(getattr(smk.resources, "gpu", 0) or 0) > 0:
        from .devices import claim_gpu

        slot = claim_gpu(os.path.join(smk.config["results"], ".paintflow", "gpus"))
        if slot is not None:
            log.info("this job runs on GPU %d (CUDA_VISIBLE_DEVICES)", slot)
    return log


def frame_store(smk, stage: str) -> FrameStore:
    """The store of finished frames of this job's stage and owner (keyed by the stage's identity, and
    a chain's by its shot: see RenderDag.chain_params)."""
    results, key, local = smk.config["results"], key_of(smk.params.identity), getattr(smk.params, "local", None)
    if local:  # a part of a video: its frames also kept by their shot (RenderDag.local_params)
        return ShotStore(results, stage, smk.params.owner, key, shot_tag(smk), local)
    return FrameStore(results, stage, smk.params.owner, key, shot_tag(smk))


def iteration_records(smk, stage: str):
    """The record of each frame's optimiser iterations in this chunk (beside its benchmark file), keyed by the
    frames' store folder so a resumed chunk keeps the records of the frames it restores."""
    from .paths import frame_of
    from .stopping import Records, record_path

    frames = sorted(frame_of(p) for p in smk.output.frames)
    path = record_path(smk.config["results"], stage, smk.params.owner, range(frames[0], frames[-1] + 1))
    return Records(path, str(frame_store(smk, stage).dir))


def shot_tag(smk) -> str | None:
    return getattr(smk.params, "shot", None)


def shot_first(smk) -> int:
    """The first frame of the shot this chain chunk is in (1 for the clip's first shot): a chain numbers
    its frames from there, so a shot renders as it would as a clip of its own."""
    tag = shot_tag(smk)
    return int(str(tag).split("-")[0]) if tag else 1


def render_settings(smk, section: str) -> dict:
    """All settings of a render's look section, device included (not tracked in params)."""
    return look_settings(smk.config, smk.config["renders"][smk.params.owner], section)


def job_progress_of(smk, stage: str) -> str:
    """Where a one-job stage records how far it is (paths.job_progress_file), by its identity."""
    from .paths import job_progress_file

    return job_progress_file(smk.config["results"], stage, smk.params.owner, key_of(smk.params.identity))


def render_of(smk, render: str):
    """A render as the workflow checked it when it was parsed (its settings, what its look's check found,
    its size and rate): read from the file the main process wrote, not checked again in every job."""
    from .inputs import load_render
    from .paths import render_file

    path = render_file(smk.config["results"], render)
    if not os.path.isfile(path):
        from . import PaintflowError

        raise PaintflowError(
            f"{path} is missing: the workflow's main process writes each render's snapshot before its jobs "
            "start (run snakemake or paintflow render in the render's folder)"
        )
    return load_render(path)


def video_info(smk, video: str) -> dict:
    """The facts a video's frames were decoded with (its info.json, written before any frame job)."""
    import json

    with open(f"{smk.config['results']}/videos/{video}/frames/info.json") as fh:
        return json.load(fh)


def video_frames(smk, video: str) -> int:
    """How many frames a video has."""
    return video_info(smk, video)["frames"]


def video_source(smk, video: str) -> tuple:
    """(the source file, the facts its frames were decoded with) of a video."""
    from .parts import whole

    return smk.config["videos"][whole(video)]["path"], video_info(smk, video)


def render_frames(smk, render: str) -> int:
    return render_of(smk, render).frames


def progress(smk, stage: str):
    """The progress lines of this job's per-frame stage (its label, its owner's frame count and folder)."""
    from .jobs import Progress
    from .paths import frame_folder
    from .registry import STAGES

    s, owner = STAGES[stage], smk.params.owner
    total = video_frames(smk, owner) if s.owner == "video" else render_frames(smk, owner)
    return Progress(s.label, owner, total, frame_folder(smk.config["results"], stage, owner), TERMINAL)


def flow_pairs(inp) -> tuple[dict, dict]:
    """({t: backward flow t→t−1}, {t: mask of t}) of a job's ``flows`` and ``masks`` inputs (listed in step)."""
    from .paths import frame_of

    masks = list(getattr(inp, "masks", []))
    return {frame_of(m): f for m, f in zip(masks, getattr(inp, "flows", []))}, {frame_of(m): m for m in masks}


def threads(smk) -> int:
    return max(1, int(smk.threads))


def process_age() -> float:
    """Seconds since this process started (Linux /proc; 0.0 where unavailable)."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
