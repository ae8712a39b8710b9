"""What a config asks for: videos (probed, frame counts known before the run),
renders, and the checks that must fail fast — before any job starts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import PaintflowError
from .files import atomic_path, read_rgb
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
    with atomic_path(cache) as tmp:
        tmp.write_text(json.dumps({"key": key, "info": info}, indent=2) + "\n")
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


