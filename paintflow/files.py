"""Every file paintflow writes goes through here: atomic (temporary file + rename), with a full disk
or any other OS error reported with the file named, never a half-written file. Also the image and
flow formats used between rules, and cheap checks that a finished file is intact.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import shutil
import socket
from pathlib import Path

import cv2
import numpy as np

from . import PaintflowError

HOST = socket.gethostname().replace("-", "_")
LEFTOVER_MARKS = (".tmp-", ".link-")  # in the names of temporary files (see :func:`temp_name`)


def package_dir(package: str, missing: str) -> Path:
    """Folder of an installed package that ships data files; ``missing`` says what to install."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise PaintflowError(missing)
    return Path(list(spec.submodule_search_locations)[0])


def temp_name(path: Path, mark: str = ".tmp-") -> Path:
    """``.<stem>.tmp-<host>-<pid><suffix>`` beside ``path``: hidden, attributable to a live process, and
    keeping the suffix so writers that choose a format by extension still work."""
    return path.with_name(f".{path.stem}{mark}{HOST}-{os.getpid()}{path.suffix}")


def _fail(path, err: OSError) -> PaintflowError:
    return PaintflowError(f"could not write {path}: {err.strerror or err}")


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` for an external writer (ffmpeg); rename it onto
    ``path`` on success. A killed process leaves at most a ``.tmp-`` file, never a partial ``path``."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except OSError as err:  # ENOSPC and friends: name the file, leave no partial file
        raise _fail(path, err) from err
    finally:
        for leftover in tmp.parent.glob(f"{tmp.name}*"):
            leftover.unlink()


def write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; a full disk names the file and leaves nothing behind."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as err:
        raise _fail(path, err) from err
    finally:
        if tmp.exists():
            tmp.unlink()


IMAGE_ENDINGS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")  # a painting's file, by its ending


def write_json(path, data) -> None:
    write_bytes(path, (json.dumps(data, indent=2) + "\n").encode())


def save_torch(obj, path) -> None:
    """``torch.save`` through memory, so a full disk is reported like any other write."""
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    write_bytes(path, buf.getvalue())


def link_into(src: Path, dst: Path) -> None:
    """Make ``dst`` the same file as ``src`` atomically: a hard link (no extra disk), or a copy on
    file systems without hard links, renamed into place."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(dst, ".link-")
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)
        os.replace(tmp, dst)
    except OSError as err:
        if tmp.exists():
            tmp.unlink()
        raise _fail(dst, err) from err


def is_leftover(name: str) -> bool:
    return name.startswith(".") and any(mark in name for mark in LEFTOVER_MARKS)


def leftover_owner(name: str) -> tuple[str, int] | None:
    """(host, pid) of the process that made a temporary file, from its name."""
    for mark in LEFTOVER_MARKS:
        if mark in name:
            tail = name.split(mark, 1)[1]
            host, _, rest = tail.rpartition("-")
            digits = "".join(c for c in rest.split(".")[0] if c.isdigit())
            return (host, int(digits)) if host and digits else None
    return None


# --- images ---------------------------------------------------------------------------------
def _write_encoded(path, image: np.ndarray) -> None:
    path = Path(path)
    ok, buf = cv2.imencode(path.suffix, image)
    if not ok:
        raise PaintflowError(f"could not encode image for {path}")
    write_bytes(path, buf.tobytes())


def read_rgb(path) -> np.ndarray:
    """Read an image file as an RGB uint8 array (H, W, 3); clear error if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise PaintflowError(f"image file not found: {path}")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise PaintflowError(f"not a readable image: {path}")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def write_rgb(path, rgb: np.ndarray) -> None:
    """Write an RGB uint8 array atomically (format from the extension)."""
    _write_encoded(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def write_pil(path, image) -> None:
    """Save a PIL image atomically (format from the extension)."""
    buf = io.BytesIO()
    image.save(buf, format=Path(path).suffix.lstrip(".").upper().replace("JPG", "JPEG"))
    write_bytes(path, buf.getvalue())


def read_gray(path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise PaintflowError(f"not a readable image: {path}")
    return img


def write_gray(path, gray: np.ndarray) -> None:
    _write_encoded(path, gray)


# --- optical flow files -----------------------------------------------------------------------
# ".flo": Middlebury float32, 8 bytes per pixel. ".f16.npz": float16 in a deflate-compressed npz;
# about 3x smaller, and the float16 rounding (< 1/16 px below 64 px of motion) is far below flow error.
def write_flow(path, flow: np.ndarray) -> None:
    path = Path(path)
    if path.name.endswith(".flo"):  # Middlebury: "PIEH", width, height, then float32 u,v
        h, w = flow.shape[:2]
        data = b"PIEH" + np.array([w, h], "<i4").tobytes() + flow.astype("<f4").tobytes()
    elif path.name.endswith(".npz"):
        buf = io.BytesIO()
        np.savez_compressed(buf, flow=flow.astype(np.float16))
        data = buf.getvalue()
    else:
        raise PaintflowError(f"unknown flow file type: {path}")
    write_bytes(path, data)


def read_flow(path) -> np.ndarray:
    path = Path(path)
    try:
        if path.name.endswith(".flo"):
            flow = cv2.readOpticalFlow(str(path))
            if flow is None or flow.size == 0:
                raise PaintflowError(f"not a readable .flo file: {path}")
            return flow
        if path.name.endswith(".npz"):
            with np.load(path) as data:
                return data["flow"].astype(np.float32)
    except (OSError, ValueError, KeyError) as err:
        raise PaintflowError(f"not a readable flow file: {path} ({err})") from err
    raise PaintflowError(f"unknown flow file type: {path}")


# --- is a finished file intact? ---------------------------------------------------------------
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
ZIP_END = b"PK\x05\x06"


def is_intact(path) -> bool:
    """Cheap check (a few bytes read) that a finished file was not truncated: a PNG ends with its
    IEND chunk, a zip (npz, torch) with its end record, a .flo has its declared size."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return False
        name = path.name
        if name.endswith((".png", ".jpg", ".npz", ".pt")):
            with open(path, "rb") as fh:
                fh.seek(max(0, size - 22))
                tail = fh.read()
            if name.endswith(".png"):
                return tail.endswith(PNG_END)
            return tail.endswith(JPEG_END) if name.endswith(".jpg") else ZIP_END in tail
        if name.endswith(".flo"):
            with open(path, "rb") as fh:
                head = fh.read(12)
            w, h = np.frombuffer(head[4:12], "<i4")
            return head[:4] == b"PIEH" and size == 12 + int(w) * int(h) * 8
        return True
    except OSError:
        return False


def decodes(path) -> str | None:
    """Full check: decode the file. None when it is good, else what is wrong."""
    path = Path(path)
    try:
        if path.name.endswith(".png") or path.name.endswith(".jpg"):
            if cv2.imread(str(path), cv2.IMREAD_UNCHANGED) is None:
                return "does not decode as an image"
        elif path.name.endswith((".npz", ".flo")):
            if not np.isfinite(read_flow(path)).all():
                return "flow has non-finite values"
        elif path.name.endswith(".json"):
            import json

            json.loads(path.read_text())
        elif not is_intact(path):
            return "truncated"
    except (PaintflowError, OSError, ValueError) as err:
        return str(err)
    return None
