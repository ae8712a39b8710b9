"""Quality measures of a render."""

from __future__ import annotations

import numpy as np

from .warp import warp


def warping_error(prev: np.ndarray, cur: np.ndarray, flow_back: np.ndarray, mask: np.ndarray) -> float:
    """E = Σ c·(warp(O_{t−1}) − O_t)² / Σ c, images scaled to [0, 1].

    ``flow_back`` is the flow t→t−1 of the *source* frames and ``mask`` (c) its
    consistency mask, so only pixels the flow explains are judged.
    """
    a = warp(prev.astype(np.float32) / 255.0, flow_back)
    b = cur.astype(np.float32) / 255.0
    c = mask.astype(np.float32)[..., None]
    return float((c * (a - b) ** 2).sum() / (c.sum() * a.shape[2] + 1e-12))
