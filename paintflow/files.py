"""Atomic file writing and the image / flow file formats used between rules."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
from pathlib import Path

import cv2
import numpy as np

from . import PaintflowError


def package_dir(package: str, missing: str) -> Path:
    """Folder of an installed package that ships data files; ``missing`` says what to install."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise PaintflowError(missing)
    return Path(list(spec.submodule_search_locations)[0])


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary name keeps the suffix so that writers choosing a format by
    extension still work. A killed process leaves at most a stray ``.tmp-`` file,
    never a half-written ``path``.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except OSError as err:  # ENOSPC and friends: name the file, leave no partial file
        raise PaintflowError(f"could not write {path}: {err.strerror or err}") from err
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path, data) -> None:
    """Write ``data`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")


def _write_encoded(path, image: np.ndarray) -> None:
    """Encode in memory, then write the bytes: Python's file I/O reports a full disk."""
    path = Path(path)
    ok, buf = cv2.imencode(path.suffix, image)
    if not ok:
        raise PaintflowError(f"could not encode image for {path}")
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(buf.tobytes())


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


def read_gray(path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise PaintflowError(f"not a readable image: {path}")
    return img


def write_gray(path, gray: np.ndarray) -> None:
    _write_encoded(path, gray)


# --- optical flow files -------------------------------------------------------
# ".flo": Middlebury float32 (cv2.writeOpticalFlow), 8 bytes per pixel.
# ".f16.npz": float16 in a deflate-compressed npz; about 3x smaller, and the
# float16 rounding (< 1/16 px below 64 px of motion) is far below flow error.

def write_flow(path, flow: np.ndarray) -> None:
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.name.endswith(".flo"):  # Middlebury: "PIEH", width, height, then float32 u,v
            h, w = flow.shape[:2]
            with open(tmp, "wb") as fh:
                fh.write(b"PIEH" + np.array([w, h], "<i4").tobytes() + flow.astype("<f4").tobytes())
        elif path.name.endswith(".npz"):
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, flow=flow.astype(np.float16))
        else:
            raise PaintflowError(f"unknown flow file type: {path}")


def read_flow(path) -> np.ndarray:
    path = Path(path)
    if path.name.endswith(".flo"):
        flow = cv2.readOpticalFlow(str(path))
        if flow is None or flow.size == 0:
            raise PaintflowError(f"not a readable .flo file: {path}")
        return flow
    if path.name.endswith(".npz"):
        with np.load(path) as data:
            return data["flow"].astype(np.float32)
    raise PaintflowError(f"unknown flow file type: {path}")
