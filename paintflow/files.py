"""Atomic file writing and the image / flow file formats used between rules."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import cv2
import numpy as np

from . import PaintflowError


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary name keeps the suffix so that writers choosing a format by
    extension still work. A killed process leaves at most a stray ``.tmp-`` file,
    never a half-written ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


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
    with atomic_path(path) as tmp:
        if not cv2.imwrite(str(tmp), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
            raise PaintflowError(f"could not write image {path}")


def read_gray(path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise PaintflowError(f"not a readable image: {path}")
    return img


def write_gray(path, gray: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        if not cv2.imwrite(str(tmp), gray):
            raise PaintflowError(f"could not write image {path}")


# --- optical flow files -------------------------------------------------------
# ".flo": Middlebury float32 (cv2.writeOpticalFlow), 8 bytes per pixel.
# ".f16.npz": float16 in a deflate-compressed npz; about 3x smaller, and the
# float16 rounding (< 1/16 px below 64 px of motion) is far below flow error.

def write_flow(path, flow: np.ndarray) -> None:
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.name.endswith(".flo"):
            if not cv2.writeOpticalFlow(str(tmp), flow.astype(np.float32)):
                raise PaintflowError(f"could not write flow {path}")
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
