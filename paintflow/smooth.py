"""Temporal smoothing for any per-frame look (Kogan's blend; Eidnes 2015, "Painting Video with Neural
Networks", for the flow-warped blend).

``blend``: out_t = α·out_{t−1} + (1−α)·look(frame_t) — cheap, but the previous picture stays where it
was while the scene moves: moving objects leave ghosts. ``flow_blend``: out_{t−1} is first warped by the
backward optical flow onto frame t, and the blend applies only where the consistency mask says the warp
is reliable (elsewhere: look(frame_t)): texture stays attached to what moves, no ghosts at occlusions.
``gradient`` (Bonneel et al. 2015, "Blind video temporal consistency", in its screened-Poisson form): the
output keeps the frame's own gradients — its strokes, everything finer than ``detail`` pixels — and takes
its coarser picture (colours, brightness, the look's slow wandering) from the previous output warped by the
flow, blended with weight ``alpha`` where the consistency mask says the warp is reliable (elsewhere the
frame's own: no ghost where something appears). One solve per channel in the DCT domain (Neumann borders):
Ô = (λ·T̂ + k·P̂) / (λ + k), k the Laplacian's eigenvalues, λ = 4·sin²(π / detail).
Each method but ``none`` makes the look sequential (frame t needs out_{t−1}); chunks resume exactly like
stylization.
"""

from __future__ import annotations

import numpy as np

METHODS = ("none", "blend", "flow_blend", "gradient")
WITH_FLOW = ("flow_blend", "gradient")  # the methods that read the backward flow and the consistency masks


def reads_flow(method: str) -> bool:
    """Whether a smoothing method reads the video's backward flow and consistency masks."""
    return method in WITH_FLOW


def gradient_blend(cur: np.ndarray, target: np.ndarray, detail: float) -> np.ndarray:
    """The picture whose gradients are ``cur``'s and whose frequencies coarser than ``detail`` pixels are
    ``target``'s: argmin ‖∇O − ∇cur‖² + λ‖O − target‖², solved per channel with the DCT (float32 HxWxC)."""
    from scipy.fft import dctn, idctn

    h, w = cur.shape[:2]
    lam = 4.0 * np.sin(np.pi / max(float(detail), 2.0)) ** 2
    k = (4.0 * np.sin(np.pi * np.arange(h) / (2 * h)) ** 2)[:, None] + (
        4.0 * np.sin(np.pi * np.arange(w) / (2 * w)) ** 2
    )[None, :]
    # (λ·T̂ + k·P̂) / (λ + k) = P̂ + λ/(λ + k)·(T̂ − P̂): one transform of the difference, every channel at once
    diff = dctn(target - cur, type=2, norm="ortho", axes=(0, 1), workers=1)
    return cur + idctn((lam / (lam + k))[..., None] * diff, type=2, norm="ortho", axes=(0, 1), workers=1)


def smooth(
    look: np.ndarray,
    prev_out: np.ndarray | None,
    alpha: float,
    method: str,
    flow_back: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    detail: float = 16.0,
) -> np.ndarray:
    """The smoothed frame t from look(frame_t) and the previous output (uint8 RGB)."""
    if method == "none" or prev_out is None or alpha <= 0:
        return look
    from .warp import warp

    cur, prev = look.astype(np.float32), prev_out.astype(np.float32)
    if method == "blend":
        out = alpha * prev + (1 - alpha) * cur
    elif method in WITH_FLOW:
        weight = alpha * mask.astype(np.float32)[..., None]
        out = weight * warp(prev, flow_back) + (1 - weight) * cur  # flow_blend
        if method == "gradient":  # of that, only what is coarser than `detail` px; the strokes stay the frame's
            out = gradient_blend(cur, out, detail)
    else:
        raise ValueError(f"unknown smoothing {method!r}; choose one of {', '.join(METHODS)}")
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)


class Smoother:
    """Reads what smoothing frame t needs (previous output, flow, mask) and applies it."""

    def __init__(self, settings: dict, outputs: dict, prev: str | None, flows: dict, masks: dict):
        self.method, self.alpha = settings.get("method", "none"), float(settings.get("alpha", 0.5))
        self.detail = float(settings.get("detail", 16))
        self.outputs, self.prev, self.flows, self.masks = outputs, prev, flows, masks

    def __call__(self, t: int, look: np.ndarray, strength: float = 1.0) -> np.ndarray:
        """Frame t smoothed; ``strength`` scales ``alpha`` (0: the look's frame as it is)."""
        if self.method == "none" or strength <= 0:
            return look
        from .files import read_flow, read_gray, read_rgb
        from .masks import from_png

        prev_path = self.outputs.get(t - 1, self.prev)
        with_flow = reads_flow(self.method)
        if prev_path is None or (with_flow and t not in self.flows):
            return look  # frame 1: nothing to blend with
        flow = read_flow(self.flows[t]) if with_flow else None
        mask = from_png(read_gray(self.masks[t])) if with_flow else None
        return smooth(look, read_rgb(prev_path), self.alpha * strength, self.method, flow, mask, self.detail)
