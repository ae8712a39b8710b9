"""Quality measures of a render: steadiness (warping error) and faithfulness (content distance).

Steadiness alone rewards a picture that stops following the footage (a smear scores best), so every
temporal figure comes with the content distance of the same frames: how far the painted frame's content
features are from its own source frame's.
"""

from __future__ import annotations

import numpy as np

from .warp import warp

CONTENT_LAYER = "relu4_2"  # the painted look's content layer (Gatys et al.): where "what is shown" lives


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio of two uint8-range pictures, in dB."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-12)))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Structural similarity (Wang et al. 2004: 11-pixel Gaussian window, σ 1.5) of two uint8 RGB pictures,
    the mean of their channels' (OpenCV contrib's quality module)."""
    import cv2

    return float(np.mean(cv2.quality.QualitySSIM_compute(a, b)[0][: a.shape[2] if a.ndim == 3 else 1]))


def warping_error(prev: np.ndarray, cur: np.ndarray, flow_back: np.ndarray, mask: np.ndarray) -> float:
    """E = Σ c·(warp(O_{t−1}) − O_t)² / Σ c, images scaled to [0, 1].

    ``flow_back`` is the flow t→t−1 of the *source* frames and ``mask`` (c) its
    consistency mask, so only pixels the flow explains are judged.
    """
    a = warp(prev.astype(np.float32) / 255.0, flow_back)
    b = cur.astype(np.float32) / 255.0
    c = mask.astype(np.float32)[..., None]
    return float((c * (a - b) ** 2).sum() / (c.sum() * a.shape[2] + 1e-12))


class ContentMeter:
    """Content distance D(O, S) = ‖φ(O) − φ(S)‖² / ‖φ(S)‖², φ the VGG activations at ``layer`` (relu4_2):
    0 when the painted frame shows exactly the source's content; an independent painting of a frame sits
    near 0.7 at the painted look's defaults, a frame whose picture stayed where the subject was above 1.

    ``net`` is a :class:`paintflow.vgg.VGGFeatures`. Features of a picture are kept for the last few
    pictures asked (``remember``), so a frame measured against t and t−1 computes each source once."""

    def __init__(self, net, layer: str = CONTENT_LAYER, remember: int = 8):
        self.net, self.layer, self.remember = net, layer, remember
        self._kept: dict = {}

    def features(self, rgb: np.ndarray, key=None):
        """φ of an RGB picture (uint8, or float32 in [0, 1]); ``key`` (any hashable) keeps it for reuse."""
        import torch

        if key is not None and key in self._kept:
            return self._kept[key]
        arr = rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32)
        x = torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1)[None]
        with torch.no_grad():
            f = self.net(x, [self.layer])[self.layer].float()
        if key is not None:
            if len(self._kept) >= self.remember:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = f
        return f

    def distance(self, out: np.ndarray, src: np.ndarray, out_key=None, src_key=None) -> float:
        """D(out, src): how far ``out`` is from showing ``src``'s content (relative, 0 = the same)."""
        fo, fs = self.features(out, out_key), self.features(src, src_key)
        return float(((fo - fs) ** 2).sum() / ((fs**2).sum() + 1e-12))
