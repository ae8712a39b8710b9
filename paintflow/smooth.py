"""Temporal smoothing for any per-frame look (Kogan's blend; Eidnes 2015, "Painting Video with Neural
Networks", for the flow-warped blend).

``blend``: out_t = α·out_{t−1} + (1−α)·look(frame_t) — cheap, but the previous picture stays where it
was while the scene moves: moving objects leave ghosts. ``flow_blend``: out_{t−1} is first warped by the
backward optical flow onto frame t, and the blend applies only where the consistency mask says the warp
is reliable (elsewhere: look(frame_t)): texture stays attached to what moves, no ghosts at occlusions.
Either makes the look sequential (frame t needs out_{t−1}); chunks resume exactly like stylization.
"""

from __future__ import annotations

import numpy as np

from .warp import warp

METHODS = ("none", "blend", "flow_blend")


def smooth(
    look: np.ndarray,
    prev_out: np.ndarray | None,
    alpha: float,
    method: str,
    flow_back: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """The smoothed frame t from look(frame_t) and the previous output (uint8 RGB)."""
    if method == "none" or prev_out is None or alpha <= 0:
        return look
    cur, prev = look.astype(np.float32), prev_out.astype(np.float32)
    if method == "blend":
        out = alpha * prev + (1 - alpha) * cur
    elif method == "flow_blend":
        weight = alpha * mask.astype(np.float32)[..., None]
        out = weight * warp(prev, flow_back) + (1 - weight) * cur
    else:
        raise ValueError(f"unknown smoothing {method!r}; choose one of {', '.join(METHODS)}")
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)


class Smoother:
    """Reads what smoothing frame t needs (previous output, flow, mask) and applies it."""

    def __init__(self, settings: dict, outputs: dict, prev: str | None, flows: dict, masks: dict):
        self.method, self.alpha = settings.get("method", "none"), float(settings.get("alpha", 0.5))
        self.outputs, self.prev, self.flows, self.masks = outputs, prev, flows, masks

    def __call__(self, t: int, look: np.ndarray) -> np.ndarray:
        if self.method == "none":
            return look
        from .files import read_flow, read_gray, read_rgb
        from .masks import from_png

        prev_path = self.outputs.get(t - 1, self.prev)
        if prev_path is None or (self.method == "flow_blend" and t not in self.flows):
            return look  # frame 1: nothing to blend with
        flow = read_flow(self.flows[t]) if self.method == "flow_blend" else None
        mask = from_png(read_gray(self.masks[t])) if self.method == "flow_blend" else None
        return smooth(look, read_rgb(prev_path), self.alpha, self.method, flow, mask)
