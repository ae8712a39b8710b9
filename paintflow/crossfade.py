"""A crossfade between two sequences of frames over a run of frames: a segmented painted render's seams
(looks/paint/seams.py) and a dissolve between two looks in a timeline's master (conform.py)."""

from __future__ import annotations

import numpy as np


def weight(t: int, run: range) -> float:
    """Weight of the later sequence at frame t of ``run``: rising linearly across it (never 0 or 1)."""
    return (t - run.start + 1) / (len(run) + 1)


def mix(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    """``a`` crossfaded into ``b`` with weight ``w`` of ``b`` (uint8 frames; rounded to the nearest level)."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    return np.rint(np.clip((1 - w) * a + w * b, 0, 255)).astype(np.uint8)
