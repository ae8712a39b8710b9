"""Colour preservation for style transfer (Gatys, Bethge, Hertzmann & Shechtman 2016, "Preserving color
in neural artistic style transfer"), written from the paper's formulas.

- ``luminance``: the transfer runs on luminance alone — the frame's and the style's luminance (YIQ Y), the
  style's matched to the frame's mean and deviation — and the result's luminance is recombined with the
  frame's own chroma (I, Q).
- ``histogram``: the style image's colours are transformed linearly so their mean and covariance match
  the frame's (x' = A(x − μ_s) + μ_c with A = Σ_c^½ Σ_s^−½), then the transfer runs as usual.
"""

from __future__ import annotations

import numpy as np

RGB2YIQ = np.array(
    [[0.299, 0.587, 0.114], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]], np.float64
)
YIQ2RGB = np.linalg.inv(RGB2YIQ)


def to_yiq(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float64) @ RGB2YIQ.T


def from_yiq(yiq: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(yiq @ YIQ2RGB.T), 0, 255).astype(np.uint8)


def luminance3(rgb: np.ndarray) -> np.ndarray:
    """The luminance as a grey RGB image (what the network sees in luminance-only transfer)."""
    y = np.clip(np.rint(to_yiq(rgb)[..., 0]), 0, 255).astype(np.uint8)
    return np.repeat(y[..., None], 3, axis=-1)


def match_luminance(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The style's luminance (grey RGB) with the content luminance's mean and standard deviation."""
    ys, yc = to_yiq(style)[..., 0], to_yiq(content)[..., 0]
    y = (ys - ys.mean()) * (yc.std() / max(ys.std(), 1e-6)) + yc.mean()
    y = np.clip(np.rint(y), 0, 255).astype(np.uint8)
    return np.repeat(y[..., None], 3, axis=-1)


def recombine(stylized: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The stylized picture's luminance with the content's chroma."""
    yiq = to_yiq(content)
    yiq[..., 0] = to_yiq(stylized)[..., 0]
    return from_yiq(yiq)


def _sqrtm(cov: np.ndarray, inverse: bool = False) -> np.ndarray:
    values, vectors = np.linalg.eigh(cov)
    values = np.maximum(values, 1e-8)
    return vectors @ np.diag(values ** (-0.5 if inverse else 0.5)) @ vectors.T


def match_histogram(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The style image with its colours' mean and covariance matched to the content's."""
    s, c = style.reshape(-1, 3).astype(np.float64), content.reshape(-1, 3).astype(np.float64)
    mu_s, mu_c = s.mean(0), c.mean(0)
    a = _sqrtm(np.cov(c, rowvar=False)) @ _sqrtm(np.cov(s, rowvar=False), inverse=True)
    out = (s - mu_s) @ a.T + mu_c
    return np.clip(np.rint(out), 0, 255).astype(np.uint8).reshape(style.shape)
