"""Per-frame optimisation-based stylisation with an optional temporal term."""

from __future__ import annotations

import logging
import time

import cv2
import numpy as np
import torch

from . import losses
from .devices import pick_device
from .settings import StyleSettings
from .vgg import VGGFeatures
from .warp import warp

log = logging.getLogger(__name__)


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
            [x],
            lr=1.0,
            max_iter=1,
            history_size=50,
            tolerance_grad=0.0,
            tolerance_change=0.0,
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

    iterations = settings.iterations_of(frame_index) if temporal else settings.first_frame_iterations
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


def stylize_chunk(
    outputs: dict,
    content: dict,
    prev: str | None,
    flows: dict,
    masks: dict,
    model_path,
    targets_path,
    settings_cfg: dict,
    device_name: str,
    pooling: str,
    store,
    progress=None,
    iteration_log=None,
    smoothing: dict | None = None,
) -> dict:
    """Stylize a run of frames in order; frame t starts from the stylized frame t−1.

    ``outputs``/``content``/``flows``/``masks`` map frame numbers to files. Each frame is read back
    from its PNG for the next one, so a resumed chunk gives the bytes an uninterrupted one would.
    Returns timing figures (setup, frames made and restored, optimisation seconds, first iteration).
    """
    from . import vgg
    from .files import read_flow, read_gray, read_rgb, write_rgb
    from .jobs import run_frames
    from .masks import from_png
    from .smooth import Smoother

    t0 = time.perf_counter()
    settings = StyleSettings.from_config(settings_cfg)
    device = pick_device(device_name)
    state = {"net": None, "targets": None, "setup_s": 0.0, "first_start": None}
    prev_of = {t: outputs.get(t - 1, prev) for t in outputs}
    smoother = Smoother(smoothing or {"method": "none"}, outputs, prev, flows, masks)

    def make(t):
        if state["net"] is None:  # loaded once per chunk, and only if there is work
            state["net"] = vgg.load(model_path, pooling).to(device)
            state["targets"] = {k: v.to(device) for k, v in torch.load(targets_path, weights_only=True).items()}
            state["setup_s"] = time.perf_counter() - t0
        if state["first_start"] is None:
            state["first_start"] = time.perf_counter()
        temporal = settings.temporal and prev_of[t] is not None and t in flows
        result = stylize_frame(
            state["net"],
            state["targets"],
            read_rgb(content[t]),
            settings,
            prev_stylized=read_rgb(prev_of[t]) if temporal else None,
            flow_back=read_flow(flows[t]) if temporal else None,
            mask=from_png(read_gray(masks[t])) if temporal else None,
            frame_index=t,
            device=device,
            progress=(lambda i, n, loss: iteration_log(t, i, n, loss)) if iteration_log else None,
        )
        write_rgb(outputs[t], smoother(t, result))

    stats = run_frames({t: [p] for t, p in outputs.items()}, make, store, "stylization", progress)
    return {**stats, "setup_s": state["setup_s"], "first_start": state["first_start"]}


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True) -> np.ndarray:
    """One painted frame of a render (``paintflow preview``): its style and settings, from the content
    (``quick``: at most 30 iterations, enough to judge a style in seconds)."""
    from . import vgg
    from .files import read_rgb

    r = dag.renders[render]
    settings = StyleSettings.from_config(r.settings)
    if quick:
        settings.first_frame_iterations = min(settings.first_frame_iterations, 30)
    device = pick_device(r.settings["device"])
    net = vgg.load_or_convert(dag.model_path("vgg_weights"), dag.config["model"]["weights"]).to(device)
    style = resize_style(read_rgb(r.style), rgb.shape, settings.style_scale)
    return stylize_frame(net, style_targets(net, style, settings, device), rgb, settings, device=device)
