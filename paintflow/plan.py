"""What a config asks for: videos (probed, frame counts known before the run),
renders, and the checks that must fail fast — before any job starts."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import PaintflowError
from .files import read_rgb, write_json
from .video import probe

FLOW_EXT = {"f16": "f16.npz", "flo": "flo"}


@dataclass
class Video:
    name: str
    path: Path
    info: dict  # probe result: frames, fps, width, height, has_audio, request

    @property
    def frames(self) -> int:
        return self.info["frames"]


@dataclass
class Render:
    name: str
    video: str
    style: Path
    stylize: dict  # global stylize settings with the render's overrides


def cached_probe(video_cfg: dict, path: Path, cache: Path) -> dict:
    """Probe a video once; reuse the result while the file and request are unchanged.

    The cache matters: every Snakemake invocation (and every SLURM job) parses
    the workflow, and probing a long video decodes it.
    """
    st = path.stat()
    key = {
        "path": str(path.resolve()),
        "bytes": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "request": {k: video_cfg.get(k) for k in ("width", "height", "fps", "start", "duration")},
    }
    if cache.is_file():
        try:
            stored = json.loads(cache.read_text())
            if stored.get("key") == key:
                return stored["info"]
        except (ValueError, KeyError):
            pass
    info = probe(path, video_cfg.get("width"), video_cfg.get("height"), video_cfg.get("fps"),
                 video_cfg.get("start") or 0.0, video_cfg.get("duration"))
    write_json(cache, {"key": key, "info": info})
    return info


def check_style(path: Path, where: str) -> None:
    if not path.is_file():
        raise PaintflowError(f"{where}: style image not found: {path}")
    try:
        read_rgb(path)
    except PaintflowError as err:
        raise PaintflowError(f"{where}: {err}") from err


def build(config: dict, results: Path) -> tuple[dict, dict]:
    """Validate inputs named by ``config`` and return ({video: Video}, {render: Render})."""
    videos = {}
    for name, vcfg in config["videos"].items():
        path = Path(vcfg["path"])
        if not path.is_file():
            raise PaintflowError(f"videos.{name}.path: video file not found: {path}")
        try:
            info = cached_probe(vcfg, path, results / "videos" / name / "probe.json")
        except PaintflowError as err:
            raise PaintflowError(f"videos.{name}.path: {err}") from err
        videos[name] = Video(name, path, info)

    renders = {}
    for name, rcfg in config["renders"].items():
        if rcfg["video"] not in videos:
            raise PaintflowError(
                f"renders.{name}.video: unknown video {rcfg['video']!r} (known: {', '.join(videos)})"
            )
        style = Path(rcfg["style"])
        check_style(style, f"renders.{name}.style")
        settings = {**config.get("stylize", {}), **rcfg.get("stylize", {})}
        renders[name] = Render(name, rcfg["video"], style, settings)
    return videos, renders




# Bytes per pixel of each stored artefact, measured on the 1280x720 cockatoo demo
# (PNG frames of real footage, painted frames, float16 npz flow): an estimate, on the
# generous side, for planning and for refusing to start a render the disk cannot hold.
BYTES_PER_PIXEL = {"frames": 1.6, "flow": 3.6, "masks": 0.1, "stylized": 2.2, "upscaled": 1.6}
MODEL_BYTES = 60_000_000  # converted VGG-16 (+ waifu2x, small)


def estimate_disk(config: dict, videos: dict, renders: dict) -> dict:
    """Bytes the finished render occupies, per kind of artefact."""
    need = dict.fromkeys(BYTES_PER_PIXEL, 0.0)
    keep_flow = config["flow"]["keep"]
    chunk = config["execution"]["chunk_frames"]
    temporal_videos = {r.video for r in renders.values() if r.stylize.get("temporal", True)}
    for v in videos.values():
        px, n = v.info["width"] * v.info["height"], v.frames
        need["frames"] += px * n * BYTES_PER_PIXEL["frames"]
        if v.name in temporal_videos:
            flows = 2 * (n - 1) if keep_flow else min(2 * (n - 1), 4 * chunk)  # temp(): a few chunks at once
            need["flow"] += px * flows * BYTES_PER_PIXEL["flow"]
            need["masks"] += px * n * BYTES_PER_PIXEL["masks"]
    scale = config["upscale"]["scale"]
    for r in renders.values():
        v = videos[r.video]
        px, n = v.info["width"] * v.info["height"], v.frames
        need["stylized"] += px * n * BYTES_PER_PIXEL["stylized"]
        if scale > 1:
            need["upscaled"] += px * scale * scale * n * BYTES_PER_PIXEL["upscaled"]
    need["models"] = MODEL_BYTES
    return {k: int(v) for k, v in need.items()}


def bytes_under(path: Path) -> int:
    total = 0
    if path.is_dir():
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False):
                total += bytes_under(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat().st_size
    return total


def check_disk(results: Path, needed: int) -> None:
    """Refuse to start when the results disk cannot hold what is still to be written."""
    probe = results
    while not probe.exists():
        probe = probe.parent
    missing = needed - bytes_under(results)
    free = shutil.disk_usage(probe).free
    if missing > free:
        raise PaintflowError(
            f"results: not enough free disk for this render in {results.resolve()}: about "
            f"{missing / 1e9:.2f} GB still to write, {free / 1e9:.2f} GB free. Free space, point `results:` "
            f"elsewhere, or set flow.keep: false / upscale.scale: 1 (set execution.check_disk: false to skip this check)"
        )
