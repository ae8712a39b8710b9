"""Dense optical flow between two frames (OpenCV contrib)."""

from __future__ import annotations

import cv2
import numpy as np

from . import PaintflowError

METHODS = ("deepflow", "dis", "farneback")


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def compute_flow(first: np.ndarray, second: np.ndarray, method: str = "deepflow") -> np.ndarray:
    """Flow w with first(x) ≈ second(x + w(x)), as float32 (H, W, 2) in pixels."""
    a, b = _gray(first), _gray(second)
    if method == "deepflow":
        return cv2.optflow.createOptFlow_DeepFlow().calc(a, b, None)
    if method == "dis":
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        dis.setFinestScale(0)
        return dis.calc(a, b, None)
    if method == "farneback":
        return cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    raise PaintflowError(f"unknown flow method {method!r}; choose one of {', '.join(METHODS)}")


def endpoint_error(flow: np.ndarray, truth: np.ndarray, valid: np.ndarray | None = None) -> float:
    """Mean end-point error, optionally over a boolean mask of valid pixels."""
    err = np.linalg.norm(flow - truth, axis=2)
    return float(err[valid].mean() if valid is not None else err.mean())


def flow_to_rgb(flow: np.ndarray, max_magnitude: float | None = None) -> np.ndarray:
    """Colour-wheel visualisation: hue = direction, saturation = magnitude."""
    mag, ang = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    scale = max_magnitude or max(float(np.percentile(mag, 99)), 1e-6)
    hsv = np.zeros(flow.shape[:2] + (3,), np.uint8)
    hsv[..., 0] = (ang * 90 / np.pi).astype(np.uint8)
    hsv[..., 1] = np.clip(mag / scale * 255, 0, 255).astype(np.uint8)
    hsv[..., 2] = 255
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def flow_thumbnail(flow: np.ndarray, width: int = 240) -> np.ndarray:
    """A small colour-wheel picture of a flow (one per frame is kept, for the report and the studio)."""
    rgb = flow_to_rgb(flow)
    if rgb.shape[1] > width:
        rgb = cv2.resize(rgb, (width, max(1, round(rgb.shape[0] * width / rgb.shape[1]))), interpolation=cv2.INTER_AREA)
    return rgb


def flow_chunk(frames: dict, fwd: dict, bwd: dict, method: str, threads: int, store, progress=None) -> dict:
    """Forward (t→t+1) and backward (t+1→t) flow of each pair t, in parallel threads.

    ``frames`` maps frame numbers to files (t and t+1 for every pair); ``fwd``/``bwd`` map pairs to outputs.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .files import read_rgb, write_flow
    from .jobs import run_frames

    def make(t):
        a, b = read_rgb(frames[t]), read_rgb(frames[t + 1])
        write_flow(fwd[t], compute_flow(a, b, method))
        write_flow(bwd[t], compute_flow(b, a, method))

    pairs = sorted(fwd)
    with ThreadPoolExecutor(max(1, threads)) as pool:  # OpenCV releases the GIL: pairs in parallel
        parts = list(
            pool.map(
                lambda group: run_frames({t: [fwd[t], bwd[t]] for t in group}, make, store, "optical flow", progress),
                [pairs[i :: max(1, threads)] for i in range(max(1, threads))],
            )
        )
    return {k: sum(p[k] for p in parts) for k in ("made", "restored", "seconds")}


def long_flow_chunk(frames: dict, pairs: dict, method: str, threads: int, store) -> dict:
    """``pairs``: {(t, j): (fwd output, bwd output)}: flow t→t+j and t+j→t, pairs in parallel threads."""
    from concurrent.futures import ThreadPoolExecutor

    from .files import read_rgb, write_flow
    from .jobs import run_frames

    def make(key):
        t, j = key
        a, b = read_rgb(frames[t]), read_rgb(frames[t + j])
        write_flow(pairs[key][0], compute_flow(a, b, method))
        write_flow(pairs[key][1], compute_flow(b, a, method))

    keys = sorted(pairs)
    n = max(1, threads)
    with ThreadPoolExecutor(n) as pool:
        parts = list(
            pool.map(
                lambda group: run_frames({k: list(pairs[k]) for k in group}, make, store, "long-term flow"),
                [keys[i::n] for i in range(n)],
            )
        )
    return {k: sum(p[k] for p in parts) for k in ("made", "restored", "seconds")}
