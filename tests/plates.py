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
