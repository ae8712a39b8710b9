"""A chroma key's soft edge: alpha as the mixing ratio between the screen and the performer.

Where a performer's edge is defocused, motion-blurred or made of hair, a pixel is a mix
I = αF + (1 − α)B of the performer's colour F and the screen's colour B (the keyer's own model). Chroma is
linear in RGB, so the pixel's chroma lies on the segment from B to F, at the fraction α. B is known at
every pixel (the clean screen's chroma, spread from the screen around it: uneven light changes it across
the frame). F is not: it is the performer's colour just behind the edge. Candidates for it are the
performer's colours near the pixel taken from deeper and deeper inside (its region eroded by 1, 2, 4, 8,
16 px): a narrow edge is explained by the nearest one, a wide ramp only by one beyond it. Each candidate
gives α as the projection of I − B on F − B, and a residual (how far I lies off that line); among the
candidates that explain the pixel (residual within ``TAU`` of the best), the one furthest along the line
gives the smallest α — a candidate taken inside the ramp is itself part screen and over-reads α.

Where the performer's own colours vary (texture), a pixel past the edge can project below 1: a pixel that
is as far from the screen as the performer's certain region and more than twice the local edge width
(measured where that region begins) from the clean screen is performer, alpha 1; projections from
``SNAP`` up also read 1. On a wide ramp (local width over 2 px) the ratio is smoothed, with a Gaussian
of 3.5 px or a quarter of a wider ramp's width, where it is below 1: that averages the sensor noise out of it
without moving a linear ramp, and leaves what reads solid solid. The erosions and the clean screen's
margin are for a 180-line frame and scale with the frame's height. Last, a 1 px dip below its
neighbours in what is past ``outer`` is closed (texture, not a hole; a monotonic ramp is unchanged).
"""

from __future__ import annotations

import cv2
import numpy as np

from .key import disk, spread

ERODE = (1, 2, 4, 8, 16)  # px: how deep inside the performer each colour candidate is taken
TAU = 1.0  # chroma units: candidates whose line passes this close to the best one's count as explaining it
SNAP = 0.95  # a projection from here up is the performer (its own texture), alpha 1
SMOOTH = 3.5  # px: Gaussian along a wide ramp (noise), blended in from a local width of 2 to 6 px
SMOOTH_LEVELS = (1, 2, 4, 8)  # x SMOOTH: the one nearest a quarter of the local width (at least 1x)
SCREEN_MARGIN = 8  # px: the clean screen is taken this far from anything that is not screen
REFERENCE = 180  # lines: ERODE and SCREEN_MARGIN are for a frame this high, and scale with it


def mixing_alpha(c: np.ndarray, local_key: np.ndarray, lo: float, hi: float, with_width=False):
    """Alpha from the chroma ``c`` (H, W, 2) given the screen's chroma at each pixel (first estimate) and
    the inner/outer tolerances; with ``with_width`` also the local edge width (px) at each pixel."""
    px = max(1.0, min(c.shape[:2]) / REFERENCE)  # the sizes below are for a 180-line frame
    d = np.linalg.norm(c - local_key, axis=-1)
    screen = cv2.erode((d < lo).astype(np.uint8), disk(round(SCREEN_MARGIN * px)))
    if screen.sum() >= 1:  # the clean screen alone: a ramp's part-screen pixels would pull B toward F
        local_key = spread(c, screen.astype(np.float32))
        d = np.linalg.norm(c - local_key, axis=-1)
    screen = (d < lo).astype(np.uint8)
    back = spread(c, cv2.erode(screen, disk(1)).astype(np.float32)) if screen.any() else local_key
    certain = (d >= hi).astype(np.uint8)
    alphas, residuals = [], []
    for r in ERODE:
        core = cv2.erode(certain, disk(round(r * px)))
        if core.sum() < 1:
            break
        v = spread(c, core.astype(np.float32)) - back
        a = np.clip(((c - back) * v).sum(-1) / np.maximum((v * v).sum(-1), 1.0), 0.0, 1.0)
        alphas.append(a)
        residuals.append(np.linalg.norm((c - back) - a[..., None] * v, axis=-1))
    if not alphas:  # no certain performer anywhere: the plain ramp between the tolerances
        alpha = np.clip((d - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)
        return (alpha, np.zeros_like(alpha)) if with_width else alpha
    alphas, residuals = np.stack(alphas), np.stack(residuals)
    explains = residuals <= residuals.min(0) + TAU
    alpha = np.where(explains, alphas, 2.0).min(0)
    alpha = alpha * np.clip((d - lo) / (0.25 * lo), 0.0, 1.0)  # the screen's noise stays 0
    alpha = np.where(alpha >= SNAP, 1.0, alpha)
    # the local edge width: how far from the clean screen the certain performer begins
    to_screen = cv2.distanceTransform(1 - screen, cv2.DIST_L2, 3)
    rim = (certain - cv2.erode(certain, disk(1))).astype(np.float32)
    width = spread(to_screen[..., None], rim)[..., 0] if rim.any() else np.zeros_like(to_screen)
    # smoothed along the ramp, as widely as the ramp is wide (sigma 3.5 px, or a quarter of a wider ramp)
    level = np.clip(np.rint(np.log2(np.maximum(width, 1.0) / 4.0 / SMOOTH)), 0, len(SMOOTH_LEVELS) - 1)
    smooth = np.zeros_like(alpha, dtype=np.float32)
    for i, f in enumerate(SMOOTH_LEVELS):
        if (level == i).any():
            smooth = np.where(level == i, cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), SMOOTH * f), smooth)
    w = np.clip((width - 2.0) / 4.0, 0.0, 1.0)
    alpha = np.where((d >= lo) & (alpha < 1.0), w * smooth + (1 - w) * alpha, alpha)
    alpha = np.where((to_screen > 2.0 * width + 2.0) & (d >= hi), 1.0, alpha).astype(np.float32)
    # a dip inside what is past `outer` is the performer's texture, not a hole: closed (a ramp is kept)
    closed = cv2.morphologyEx(alpha, cv2.MORPH_CLOSE, disk(1))
    alpha = np.where(d >= hi, closed, alpha).astype(np.float32)
    return (alpha, width) if with_width else alpha
