"""Per-frame optimisation-based stylisation with an optional temporal term."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np
import torch

from . import losses
from .vgg import VGGFeatures
from .warp import warp

log = logging.getLogger(__name__)


@dataclass
class StyleSettings:
    """Everything that shapes a stylized frame (mirrors config ``stylize:``)."""

    content_layer: str = "relu4_2"
    style_layers: tuple = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 0.1
    temporal_weight: float = 200.0
    temporal: bool = True
    init: str = "content"  # first frame: "content" or "noise"
    optimizer: str = "lbfgs"
    learning_rate: float = 0.02  # Adam only
    iterations: int = 40
    first_frame_iterations: int = 150
    tolerance: float = 1e-4  # stop when the relative loss change over 5 iterations is below this
    style_scale: float = 1.0
    pooling: str = "max"
    seed: int = 0
    layer_weights: dict = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg: dict) -> "StyleSettings":
        known = {k: v for k, v in cfg.items() if k in cls.__dataclass_fields__}
        if "style_layers" in known:
            known["style_layers"] = tuple(known["style_layers"])
        return cls(**known)


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def to_tensor(rgb: np.ndarray, device) -> torch.Tensor:
    """uint8 (H, W, 3) or float [0, 1] → (1, 3, H, W) float32."""
    arr = rgb.astype(np.float32) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1)[None].contiguous().to(device)


def to_uint8(image: torch.Tensor) -> np.ndarray:
    arr = image.detach().clamp(0, 1)[0].permute(1, 2, 0).cpu().numpy()
    return np.rint(arr * 255).astype(np.uint8)


def resize_style(style: np.ndarray, content_shape, scale: float) -> np.ndarray:
    """Scale the style image so its longer side is ``scale`` × the content's longer side."""
    target = max(content_shape[:2]) * scale
    f = target / max(style.shape[:2])
    size = (max(16, round(style.shape[1] * f)), max(16, round(style.shape[0] * f)))
    return cv2.resize(style, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)


def style_targets(net: VGGFeatures, style_rgb: np.ndarray, settings: StyleSettings, device) -> dict:
    """Gram matrices of the style image; computed once per style and size."""
    with torch.no_grad():
        feats = net(to_tensor(style_rgb, device), settings.style_layers)
        return {name: losses.gram(f) for name, f in feats.items()}


def initial_image(content, prev_stylized, flow_back, mask, settings: StyleSettings, frame_index: int):
    """Start point: warp(x_{t−1}) where reliable, the content frame elsewhere."""
    if prev_stylized is not None:
        warped = warp(prev_stylized.astype(np.float32), flow_back)
        m = mask[..., None]
        return (m * warped + (1 - m) * content.astype(np.float32)) / 255.0, warped / 255.0
    if settings.init == "noise":
        rng = np.random.default_rng(settings.seed + frame_index)
        return rng.uniform(0, 1, content.shape).astype(np.float32), None
    return content.astype(np.float32) / 255.0, None


def stylize_frame(
    net: VGGFeatures,
    targets: dict,
    content: np.ndarray,
    settings: StyleSettings,
    prev_stylized: np.ndarray | None = None,
    flow_back: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    frame_index: int = 1,
    device=None,
    progress=None,
) -> np.ndarray:
    """Stylize one frame (RGB uint8); returns RGB uint8.

    With ``prev_stylized`` (the stylized frame t−1), ``flow_back`` (flow t→t−1)
    and ``mask`` (reliability of that warp), the frame starts from the warped
    previous result and the temporal loss ties reliable pixels to it.
    """
    device = device or pick_device()
    torch.manual_seed(settings.seed + frame_index)
    temporal = settings.temporal and prev_stylized is not None
    init, warped = initial_image(content, prev_stylized if temporal else None, flow_back, mask, settings, frame_index)

    content_t = to_tensor(content, device)
    with torch.no_grad():
        content_target = net(content_t, [settings.content_layer])[settings.content_layer]
    if temporal:
        warped_t = to_tensor(warped, device)
        mask_t = torch.from_numpy(mask.astype(np.float32)).to(device)[None, None]
    layers = list(settings.style_layers) + [settings.content_layer]
    layer_w = {n: settings.layer_weights.get(n, 1.0) / len(settings.style_layers) for n in settings.style_layers}

    x = to_tensor(init, device).requires_grad_(True)
    if settings.optimizer == "lbfgs":
        opt = torch.optim.LBFGS(
            # one iteration per step() (one VGG forward/backward each, predictable cost);
            # a line search would need max_eval > 1, and our relative test stops early.
            [x], lr=1.0, max_iter=1, history_size=50, tolerance_grad=0.0, tolerance_change=0.0
        )
    else:
        opt = torch.optim.Adam([x], lr=settings.learning_rate)

    def closure():
        opt.zero_grad()
        feats = net(x, layers)
        loss = settings.content_weight * losses.content_loss(feats[settings.content_layer], content_target)
        loss = loss + settings.style_weight * losses.style_loss(feats, targets, layer_w)
        loss = loss + settings.tv_weight * losses.tv_loss(x)
        if temporal:
            loss = loss + settings.temporal_weight * losses.temporal_loss(x, warped_t, mask_t)
        loss.backward()
        return loss

    iterations = settings.iterations if (frame_index > 1 and temporal) else settings.first_frame_iterations
    history = []
    for it in range(iterations):
        loss = float(opt.step(closure).detach())
        history.append(loss)
        if progress:
            progress(it + 1, iterations, loss)
        if len(history) > 5 and abs(history[-6] - loss) <= settings.tolerance * abs(history[-6]):
            log.info("frame %d: converged after %d iterations (loss %.4g)", frame_index, it + 1, loss)
            break
    return to_uint8(x)
