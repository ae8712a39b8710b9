"""Closed-form matting over the key's soft band (``matte.edge: matting``).

The soft edge (``soft_edge``) reads alpha from colours alone, pixel by pixel. On a narrow edge and on hair
that leaves sensor noise and the performer's texture in it; closed-form matting (Levin, Lischinski & Weiss
2008, as implemented by ``pymatting``) solves the band as a whole: within every 3×3 window alpha is an
affine function of the colour, so the edge follows the picture's own structure. Its trimap comes from the
soft matte (performer where it reads 1, screen where it reads 0, unknown in its band grown by
``GROW`` px), and it is solved on the band's bounding box only. On a wide ramp the colour-line model does
not hold across the whole ramp and the soft estimate is better, so the two are blended by the local edge
width: matting alone up to ``NARROW`` px, the soft estimate alone from ``NARROW + 3`` px.
"""

from __future__ import annotations

import cv2
import numpy as np

from .key import disk

GROW = 3  # px: the unknown band around the soft matte's own
NARROW = 3.0  # px: local edge widths up to this are matted; from NARROW + 3 the soft estimate stays


def refine(rgb: np.ndarray, alpha: np.ndarray, width: np.ndarray) -> np.ndarray:
    """The soft matte ``alpha`` of ``rgb`` with its narrow edges solved by closed-form matting."""
    from pymatting import estimate_alpha_cf

    band = ((alpha > 0.02) & (alpha < 0.98)).astype(np.uint8)
    if not band.any():
        return alpha
    unknown = cv2.dilate(band, disk(GROW)) > 0
    ys, xs = np.nonzero(unknown)
    y0, y1 = max(0, ys.min() - 2), min(alpha.shape[0], ys.max() + 3)
    x0, x1 = max(0, xs.min() - 2), min(alpha.shape[1], xs.max() + 3)
    crop = (slice(y0, y1), slice(x0, x1))
    trimap = np.where(unknown[crop], 0.5, (alpha[crop] >= 0.5).astype(np.float64))
    if trimap.shape[0] < 3 or trimap.shape[1] < 3 or (trimap == 0.5).all():
        return alpha
    solved = estimate_alpha_cf(np.ascontiguousarray(rgb[crop], dtype=np.float64) / 255.0, trimap)
    out = alpha.copy()
    w = np.clip((NARROW + 3.0 - width[crop]) / 3.0, 0.0, 1.0)
    out[crop] = np.where(unknown[crop], w * solved + (1 - w) * alpha[crop], alpha[crop])
    return np.clip(out, 0.0, 1.0).astype(np.float32)
