"""Test plates with a known alpha: a subject cut from a real photo with a drawn, feathered matte, moved
over a green screen with uneven lighting, sensor noise, green spill on the subject's edge and motion blur."""

import cv2
import numpy as np

from conftest import shared
from paintflow.files import read_rgb

SCREEN = np.array([40.0, 170.0, 70.0])  # a green screen's colour, lit unevenly below


def true_alpha(h: int, w: int, dx: float = 0.0) -> np.ndarray:
    """A cat-shaped matte: an ellipse with two ears, feathered, blurred by horizontal motion."""
    a = np.zeros((h, w), np.float32)
    cx, cy = w / 2 + dx, h * 0.6
    cv2.ellipse(
        a, (int(cx * 16), int(cy * 16)), (int(w * 0.27 * 16), int(h * 0.32 * 16)), 0, 0, 360, 1.0, -1, cv2.LINE_AA, 4
    )
    for side in (-1, 1):
        ear = np.array(
            [
                [cx + side * w * 0.08, cy - h * 0.25],
                [cx + side * w * 0.22, cy - h * 0.5],
                [cx + side * w * 0.26, cy - h * 0.15],
            ]
        )
        cv2.fillPoly(a, [np.rint(ear * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    a = cv2.GaussianBlur(a, (0, 0), 1.2)  # feathered edge
    return cv2.filter2D(a, -1, np.full((1, 5), 1 / 5, np.float32))  # motion blur


def plate(w: int = 192, h: int = 128, dx: float = 0.0, seed: int = 0):
    """(plate RGB uint8, true alpha, the subject's colours without spill)."""
    rng = np.random.default_rng(seed)
    subject = cv2.resize(read_rgb(shared("content", "chelsea.png")), (w, h), interpolation=cv2.INTER_AREA)
    subject = np.roll(subject, int(round(dx)), axis=1).astype(np.float32)
    alpha = true_alpha(h, w, dx)
    light = (0.75 + 0.45 * np.linspace(0, 1, h)[:, None] * np.linspace(0.6, 1.0, w)[None, :])[..., None]
    screen = SCREEN * light
    edge = np.clip(1.0 - np.abs(alpha - 0.5) * 2, 0, 1)  # 1 on the edge, 0 inside and out
    spill = cv2.GaussianBlur(edge, (0, 0), 2.0)[..., None]
    spilled = subject + 0.35 * spill * (np.array([40.0, 200.0, 60.0]) - subject)  # green light on the edge
    a = alpha[..., None]
    out = a * spilled + (1 - a) * screen + rng.normal(0, 2.5, (h, w, 3))
    return np.clip(out, 0, 255).round().astype(np.uint8), alpha, subject.round().astype(np.uint8)


SCREENS = {"green": SCREEN, "blue": np.array([20.0, 80.0, 190.0])}


def _shape(h: int, w: int, scale: int = 4) -> np.ndarray:
    """A performer-like silhouette (head, shoulders, a raised arm), binary, drawn at ``scale``x."""
    m = np.zeros((h * scale, w * scale), np.uint8)
    s = lambda x, y: (int(x * w * scale), int(y * h * scale))  # noqa: E731
    cv2.ellipse(m, s(0.5, 0.34), (int(0.11 * w * scale), int(0.2 * h * scale)), 0, 0, 360, 1, -1)  # head
    cv2.ellipse(m, s(0.5, 1.0), (int(0.28 * w * scale), int(0.42 * h * scale)), 0, 180, 360, 1, -1)  # shoulders
    arm = np.array([s(0.66, 0.75), s(0.8, 0.2), s(0.86, 0.24), s(0.74, 0.8)], np.int32)
    cv2.fillPoly(m, [arm], 1)
    return m


def _strands(h: int, w: int, rng, scale: int = 4) -> np.ndarray:
    """Thin hair strands from the top of the head, anti-aliased, ~1 px wide: coverage 0..1."""
    m = np.zeros((h * scale, w * scale), np.float32)
    for i in range(14):
        x0, y0 = w * (0.42 + 0.16 * i / 13), h * (0.18 + 0.02 * rng.random())
        pts = []
        for k in range(9):  # a wavy strand rising and curling out
            u = k / 8
            x = x0 + (x0 - w * 0.5) * 1.4 * u + 3 * np.sin(6 * u + i)
            y = y0 - h * 0.16 * u
            pts.append((x * scale, y * scale))
        cv2.polylines(m, [np.rint(np.array(pts) * 16).astype(np.int32)], False, 1.0, scale, cv2.LINE_AA, 4)
    return cv2.resize(m, (w, h), interpolation=cv2.INTER_AREA)


def soft_plate(
    edge: float = 8.0,
    screen: str = "green",
    hair: bool = False,
    motion: int = 0,
    w: int = 320,
    h: int = 180,
    subject: str = "astronaut.png",
    seed: int = 0,
    spill: float = 0.0,
    subsample: bool = False,
):
    """A real photo cut out by a drawn silhouette over an unevenly lit screen, with a known alpha.

    ``edge``: the width (px) over which alpha ramps from 0 to 1 across the silhouette's edge (defocus);
    ``hair``: thin strands of partial coverage; ``motion``: a horizontal motion blur of that many px
    (the subject moving over a still screen: I = blur(αF) + (1 − blur(α))·B, the true alpha blur(α));
    ``subsample``: the chroma stored at half resolution, as a camera's or codec's 4:2:0 does.
    Returns (plate RGB uint8, true alpha, the subject's colours)."""
    rng = np.random.default_rng(seed)
    photo = read_rgb(shared("content", subject)).astype(np.float32)
    ph, pw = photo.shape[:2]
    f = max(w / pw, h / ph)
    photo = cv2.resize(photo, (round(pw * f) + 1, round(ph * f) + 1), interpolation=cv2.INTER_AREA)[:h, :w]
    scale = 4
    m = _shape(h, w, scale)
    sd = cv2.distanceTransform(m, cv2.DIST_L2, 5) - cv2.distanceTransform(1 - m, cv2.DIST_L2, 5)
    a = np.clip(0.5 + sd / (scale * max(edge, 1e-3)), 0, 1).astype(np.float32)
    alpha = cv2.resize(a, (w, h), interpolation=cv2.INTER_AREA)
    fg = photo * alpha[..., None]  # premultiplied
    if hair:  # strands of the hair's own colour (the top of the photo's head) over the screen
        strands = 0.8 * _strands(h, w, rng, scale)
        hair_rgb = np.median(photo[int(h * 0.16) : int(h * 0.22), int(w * 0.46) : int(w * 0.54)].reshape(-1, 3), 0)
        fg = fg * (1 - strands[..., None]) + strands[..., None] * hair_rgb
        alpha = alpha + strands * (1 - alpha)
    if motion:
        k = np.full((1, motion), 1.0 / motion, np.float32)
        alpha, fg = cv2.filter2D(alpha, -1, k), cv2.filter2D(fg, -1, k)
    alpha = np.clip(alpha, 0, 1)
    light = (0.7 + 0.5 * np.linspace(0, 1, h)[:, None] * np.linspace(0.6, 1.0, w)[None, :])[..., None]
    back = SCREENS[screen] * light
    edge_zone = np.clip(1.0 - np.abs(alpha - 0.5) * 2, 0, 1)
    cast = spill * cv2.GaussianBlur(edge_zone, (0, 0), 2.0)[..., None] * alpha[..., None]
    fg = fg + cast * (SCREENS[screen] - fg / np.maximum(alpha[..., None], 1e-3))  # screen light on the edge
    out = np.clip(fg + (1 - alpha[..., None]) * back + rng.normal(0, 2.5, (h, w, 3)), 0, 255).astype(np.float32)
    if subsample:
        ycc = cv2.cvtColor(out, cv2.COLOR_RGB2YCrCb)
        half = cv2.resize(ycc[..., 1:], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        ycc[..., 1:] = cv2.resize(half, (w, h), interpolation=cv2.INTER_LINEAR)
        out = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)
    return np.clip(out, 0, 255).round().astype(np.uint8), alpha, photo.round().astype(np.uint8)
