"""Backward warping by a dense flow field (numpy/OpenCV and torch)."""

from __future__ import annotations

import cv2
import numpy as np


def sample_grid(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Absolute sampling coordinates x + w(x) for a flow (H, W, 2)."""
    h, w = flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return gx + flow[..., 0], gy + flow[..., 1]


INTERPOLATION = {"linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}


def warp(image: np.ndarray, flow: np.ndarray, interpolation: str = "linear") -> np.ndarray:
    """out(x) = image(x + flow(x)), bilinear (or bicubic: sharper, may overshoot the value range),
    replicating the border.

    With ``flow`` the backward flow t→t−1 this carries frame t−1 onto frame t.
    """
    mx, my = sample_grid(flow)
    return cv2.remap(image, mx, my, INTERPOLATION[interpolation], borderMode=cv2.BORDER_REPLICATE)


def inside(flow: np.ndarray) -> np.ndarray:
    """Boolean map of pixels whose sample point x + w(x) lies inside the image."""
    h, w = flow.shape[:2]
    mx, my = sample_grid(flow)
    return (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)


def warp_torch(image, flow: np.ndarray):
    """Torch version of :func:`warp` for an image tensor (N, C, H, W)."""
    import torch
    import torch.nn.functional as F

    h, w = flow.shape[:2]
    mx, my = sample_grid(flow)
    grid = np.stack([2 * mx / max(w - 1, 1) - 1, 2 * my / max(h - 1, 1) - 1], axis=-1)
    grid_t = torch.from_numpy(grid).to(image)[None].expand(image.shape[0], -1, -1, -1)
    return F.grid_sample(image, grid_t, mode="bilinear", padding_mode="border", align_corners=True)
