"""Forward–backward consistency masks (occlusions and motion boundaries).

Implemented from the formulas in Ruder, Dosovitskiy & Brox, "Artistic style
transfer for videos" (GCPR 2016), section 3.2.
"""

from __future__ import annotations

import cv2
import numpy as np

from .warp import inside, warp


def consistency_mask(
    flow: np.ndarray,
    flow_back: np.ndarray,
    sigma: float = 0.8,
    occlusion_rel: float = 0.01,
    occlusion_abs: float = 0.5,
    boundary_rel: float = 0.01,
    boundary_abs: float = 0.002,
) -> np.ndarray:
    """Reliability in [0, 1] of warping image B onto image A's grid.

    ``flow`` is w (A→B, on A's grid), ``flow_back`` is ŵ (B→A, on B's grid).
    For frame t: A = frame t, B = frame t−1, w the backward flow t→t−1.
    """
    w = flow.astype(np.float32)
    w_hat = warp(flow_back.astype(np.float32), w)  # ŵ sampled at x + w(x)

    sq = lambda v: v[..., 0] ** 2 + v[..., 1] ** 2  # noqa: E731
    inconsistent = sq(w + w_hat) >= occlusion_rel * (sq(w) + sq(w_hat)) + occlusion_abs

    du_dy, du_dx = np.gradient(w[..., 0])
    dv_dy, dv_dx = np.gradient(w[..., 1])
    boundary = du_dx**2 + du_dy**2 + dv_dx**2 + dv_dy**2 > boundary_rel * sq(w) + boundary_abs

    mask = np.ones(w.shape[:2], np.float32)
    mask[inconsistent | boundary | ~inside(w)] = 0.0
    if sigma > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return mask


def to_png(mask: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(mask * 255), 0, 255).astype(np.uint8)


def from_png(gray: np.ndarray) -> np.ndarray:
    return gray.astype(np.float32) / 255.0


def mask_chunk(
    fwd: dict, bwd: dict, outputs: dict, settings: dict, store, flowviz: dict | None = None, progress=None
) -> dict:
    """Mask of frame t from the pair (t−1, t): w = bwd[t] (t→t−1), ŵ = fwd[t] (t−1→t).

    ``flowviz`` maps frames to a thumbnail of their backward flow to draw (for the report).
    """
    from .files import read_flow, write_gray, write_rgb
    from .flow import flow_thumbnail
    from .jobs import run_frames

    flowviz = flowviz or {}

    def make(t):
        w = read_flow(bwd[t])
        write_gray(outputs[t], to_png(consistency_mask(w, read_flow(fwd[t]), **settings)))
        if t in flowviz:
            write_rgb(flowviz[t], flow_thumbnail(w))

    files = {t: [outputs[t], *([flowviz[t]] if t in flowviz else [])] for t in outputs}
    return run_frames(files, make, store, "consistency mask", progress)


def long_mask_chunk(pairs: dict, settings: dict, store) -> dict:
    """``pairs``: {(t, j): (fwd t−j→t, bwd t→t−j, output)}: the reliability of warping frame t−j onto t."""
    from .files import read_flow, write_gray
    from .jobs import run_frames

    def make(key):
        fwd, bwd, out = pairs[key]
        write_gray(out, to_png(consistency_mask(read_flow(bwd), read_flow(fwd), **settings)))

    return run_frames({k: [v[2]] for k, v in pairs.items()}, make, store, "long-term mask")
