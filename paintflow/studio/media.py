"""Files in and out of the studio: uploads checked by content (a video must decode, a painting must be an
image), size-limited, names sanitised, written to a temporary file and moved into place only when good
(a failed upload leaves nothing behind); files served only from inside their render's folder."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .. import PaintflowError

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".opus"} | VIDEO_SUFFIXES  # a clip's sound too
CUT_LIST_SUFFIXES = {".edl", ".xml", ".otio"}  # an editor's cut list (read by paintflow.shots.from_edit)
SUFFIXES = {"video": VIDEO_SUFFIXES, "image": IMAGE_SUFFIXES, "audio": AUDIO_SUFFIXES, "cut list": CUT_LIST_SUFFIXES}


def safe_name(name: str, suffixes: set[str]) -> str:
    """A file name with no folder part and only plain characters; its suffix must be one of ``suffixes``."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in suffixes:
        raise PaintflowError(f"{base or name!r}: expected one of {', '.join(sorted(suffixes))}")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:80] or "upload"
    return f"{stem}{suffix}"


def inside(root: Path, relative: str) -> Path:
    """``root/relative``, refusing anything that would leave ``root``."""
    root = Path(root).resolve()
    try:
        path = (root / relative).resolve()
    except (ValueError, OSError) as err:  # a null byte, a name too long
        raise PaintflowError(f"{relative!r} is not a file name") from err
    if path != root and root not in path.parents:
        raise PaintflowError(f"{relative!r} is outside the project")
    return path


def save_upload(upload, folder: Path, kind: str, limit: int) -> Path:
    """Check and store an uploaded file; returns its path. ``kind``: "video", "image", "audio" or "cut list"."""
    suffixes = SUFFIXES[kind]
    name = safe_name(upload.name, suffixes)
    if upload.size > limit:
        raise PaintflowError(f"{name}: {upload.size / 1e6:.0f} MB is over the {limit / 1e6:.0f} MB limit")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=Path(name).suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        check_content(Path(tmp), kind, name)
        target = folder / name
        n = 1
        while target.exists():
            target = folder / f"{Path(name).stem}_{n}{Path(name).suffix}"
            n += 1
        os.replace(tmp, target)
        return target
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def check_content(path: Path, kind: str, name: str) -> None:
    """A video must have a decodable video stream; an image must decode; a song must have a sound stream; a cut
    list must be text (what it says is read with the video's shots: its errors named there)."""
    if kind == "cut list":
        try:
            path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            raise PaintflowError(f"{name} is not a cut list (not text: export an EDL, FCP 7 XML or OTIO)") from None
    elif kind == "audio":
        import av

        try:
            with av.open(str(path)) as container:
                sound = bool(container.streams.audio)
        except (av.FFmpegError, OSError, ValueError):
            sound = False
        if not sound:
            raise PaintflowError(f"{name} is not a song (no sound stream in it)")
    elif kind == "video":
        from ..video import read_meta

        try:
            read_meta(path)
        except PaintflowError:
            raise PaintflowError(f"{name} is not a video (its content is not a readable video stream)") from None
        import av

        with av.open(str(path)) as container:  # ffmpeg reads a still as a one-frame video: not one
            still = container.format.name == "image2" or container.format.name.endswith("_pipe")
        if still:
            raise PaintflowError(f"{name} is a still picture, not a video (upload a painting as a painting)")
    else:
        import cv2

        if cv2.imread(str(path), cv2.IMREAD_COLOR) is None:
            raise PaintflowError(f"{name} is not an image (its content does not decode as a picture)")
