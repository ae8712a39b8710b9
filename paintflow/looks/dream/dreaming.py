"""DeepDream (Mordvintsev, Olah & Tyka, 2015), written from the published method, on the VGG
ImageNet weights paintflow already loads.

Gradient ascent on the input image of an objective over chosen layers — the mean of the squared (or
plain) activations, weighted per layer; or, with a guide image, how well each position's features
match their best-matching guide features — with normalised steps (the gradient divided by its mean
absolute value), a random roll (jitter) before each step, and octaves: the image is dreamed from a
small scale up, the detail dreamed at one octave carried, upsampled, into the next. Seeded: the same
settings give the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from paintflow import PaintflowError
from paintflow.vgg_layers import smallest_side


@dataclass
class DreamSettings:
    layers: dict  # {layer: weight}
    objective: str = "square"  # "square": mean(a²); "plain": mean(a)
    octaves: int = 4
    octave_scale: float = 1.4
    iterations: int = 10  # per octave
    step: float = 1.5  # grey levels per normalised step
    jitter: int = 32  # pixels
    seed: int = 0
    guide: np.ndarray | None = field(default=None, repr=False)


def to_tensor(rgb: np.ndarray, device) -> torch.Tensor:
    return torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None].contiguous().to(device)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    return np.rint(x.detach().clamp(0, 1)[0].permute(1, 2, 0).cpu().numpy() * 255).astype(np.uint8)


class Objective:
    """What a dream maximises, given the features of the current image."""

    def __init__(self, net, layers: dict, kind: str = "square", guide: torch.Tensor | None = None):
        self.net, self.layers, self.kind = net, {k: float(v) for k, v in layers.items() if v}, kind
        self.guide = None
        if guide is not None:
            with torch.no_grad():
                feats = net(guide, list(self.layers))
            self.guide = {k: f[0].reshape(f.shape[1], -1) for k, f in feats.items()}

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.net(x, list(self.layers))
        total = x.new_zeros(())
        for name, weight in self.layers.items():
            a = feats[name]
            if self.guide is not None:  # each position pulled toward its best-matching guide feature
                f = a[0].reshape(a.shape[1], -1)
                g = self.guide[name]
                with torch.no_grad():
                    best = (f.t() @ g).argmax(dim=1)
                value = (f * g[:, best]).mean()
            elif self.kind == "square":
                value = (a**2).mean()
            else:
                value = a.mean()
            total = total + weight * value
        return total


def dream(objective: Objective, rgb: np.ndarray, settings: DreamSettings, device="cpu", progress=None) -> np.ndarray:
    """Dream an RGB uint8 image; returns RGB uint8 of the same size."""
    rng = np.random.default_rng(settings.seed)
    base = to_tensor(rgb, device)
    h, w = base.shape[2:]
    # no octave smaller than the deepest layer needs (a 2×2 max pool of a 1-pixel row fails): 8 px up to
    # relu4, 16 px for relu5
    least = max(8, smallest_side(objective.layers))
    if min(h, w) < least:
        raise PaintflowError(
            f"a {w}×{h} picture is too small to dream at {max(objective.layers)}: it needs "
            f"{least} pixels on each side (a larger width, or a shallower layer)"
        )
    shapes = [
        (max(least, round(h / settings.octave_scale**i)), max(least, round(w / settings.octave_scale**i)))
        for i in reversed(range(settings.octaves))
    ]
    detail = torch.zeros(1, 3, *shapes[0], device=device)
    step = settings.step / 255.0
    total, done = len(shapes) * settings.iterations, 0
    for shape in shapes:
        octave_base = F.interpolate(base, size=shape, mode="area") if shape != (h, w) else base
        if detail.shape[2:] != shape:
            detail = F.interpolate(detail, size=shape, mode="bilinear", align_corners=False)
        x = (octave_base + detail).clamp(0, 1)
        for _ in range(settings.iterations):
            oy, ox = (int(v) for v in rng.integers(-settings.jitter, settings.jitter + 1, 2))
            rolled = torch.roll(x, (oy, ox), (2, 3)).detach().requires_grad_(True)
            objective(rolled).backward()
            grad = torch.roll(rolled.grad, (-oy, -ox), (2, 3))
            x = (x + step * grad / (grad.abs().mean() + 1e-12)).clamp(0, 1).detach()
            done += 1
            if progress:
                progress(done, total)
        detail = x - octave_base
    return to_uint8(x)


def mean_activation(net, rgb: np.ndarray, layer: str, device="cpu") -> float:
    """Mean squared activation of a layer on an image (how strongly the network 'sees' its pattern)."""
    with torch.no_grad():
        return float((net(to_tensor(rgb, device), [layer])[layer] ** 2).mean())


# --- video: temporally consistent dreaming -----------------------------------------------------
def dream_start(frame: np.ndarray, prev_dream: np.ndarray | None, flow_back, mask, blend: float) -> np.ndarray:
    """Frame t starts from a blend of itself and the previous dream warped onto it, on reliable pixels."""
    if prev_dream is None or blend <= 0:
        return frame
    from paintflow.warp import warp

    m = blend * mask.astype(np.float32)[..., None]
    out = m * warp(prev_dream.astype(np.float32), flow_back) + (1 - m) * frame.astype(np.float32)
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)


# --- infinite zoom -----------------------------------------------------------------------------
def zoom_step(rgb: np.ndarray, factor: float, degrees: float = 0.0, pan=(0.0, 0.0)) -> np.ndarray:
    """Zoom into the centre by ``factor`` (>1: in), rotate by ``degrees`` and pan (pixels), keeping the size."""
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, factor)
    m[:, 2] += np.asarray(pan, np.float64)
    return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def layers_at(schedule: list[dict], seconds: float, transition: float) -> dict:
    """The objective's layer weights at a time: each schedule entry holds for its ``seconds`` (the last
    one until the end); around each change the two entries are crossfaded over ``transition`` seconds."""
    start, bounds = 0.0, []
    for entry in schedule[:-1]:
        start += float(entry["seconds"])
        bounds.append(start)
    index = sum(1 for b in bounds if seconds >= b)
    weights = {k: float(v) for k, v in schedule[index]["layers"].items()}
    if transition > 0:
        for i, b in enumerate(bounds):
            if abs(seconds - b) < transition / 2:
                mix = (seconds - (b - transition / 2)) / transition  # 0 → the entry before, 1 → the one after
                before, after = schedule[i]["layers"], schedule[i + 1]["layers"]
                weights = {
                    k: (1 - mix) * float(before.get(k, 0)) + mix * float(after.get(k, 0)) for k in {*before, *after}
                }
    return {k: v for k, v in weights.items() if v > 0}


# --- the stages' jobs --------------------------------------------------------------------------
def settings_from(cfg: dict, guide: np.ndarray | None = None, **overrides) -> DreamSettings:
    names = DreamSettings.__dataclass_fields__
    values = {k: v for k, v in {**cfg, **overrides}.items() if k in names and k != "guide"}
    return DreamSettings(**values, guide=guide)


class Dreamer:
    """A network on a device (and an optional guide image), loaded once per chunk."""

    def __init__(self, net, device, guide: np.ndarray | None = None):
        self.net, self.device = net, device
        self.guide = to_tensor(guide, device) if guide is not None else None

    @classmethod
    def load(cls, model_path, pooling: str, device_name: str, guide_path: str | None) -> Dreamer:
        from paintflow import vgg
        from paintflow.devices import pick_device
        from paintflow.files import read_rgb

        device = pick_device(device_name)
        return cls(vgg.load(model_path, pooling).to(device), device, read_rgb(guide_path) if guide_path else None)

    def __call__(self, rgb: np.ndarray, layers: dict, settings: DreamSettings, seed: int, progress=None):
        objective = Objective(self.net, layers, settings.objective, self.guide)
        s = DreamSettings(**{**settings.__dict__, "layers": layers, "seed": seed})
        return dream(objective, rgb, s, self.device, progress)


def dream_chunk(
    outputs: dict,
    content: dict,
    prev: str | None,
    flows: dict,
    masks: dict,
    cfg: dict,
    model_path,
    pooling: str,
    store,
    progress=None,
    first: int = 1,
) -> dict:
    """Dream a run of video frames in order; frame t starts from itself blended with the previous dream
    warped onto it (on the pixels the mask marks reliable), unless ``cfg["temporal"]`` is false."""
    from paintflow.files import read_flow, read_gray, read_rgb, write_rgb
    from paintflow.jobs import run_frames
    from paintflow.masks import from_png

    settings, state = settings_from(cfg), {}

    def make(t):
        if "dreamer" not in state:
            state["dreamer"] = Dreamer.load(model_path, pooling, cfg["device"], cfg.get("guide"))
        frame = read_rgb(content[t])
        prev_path = outputs.get(t - 1, prev)
        if cfg["temporal"] and prev_path is not None and t in flows:
            frame = dream_start(
                frame, read_rgb(prev_path), read_flow(flows[t]), from_png(read_gray(masks[t])), cfg["blend"]
            )
        write_rgb(outputs[t], state["dreamer"](frame, settings.layers, settings, settings.seed + t - first + 1))

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "dreaming", progress)


def zoom_chunk(
    outputs: dict,
    prev: str | None,
    source: np.ndarray | None,
    cfg: dict,
    model_path,
    pooling: str,
    store,
    progress=None,
) -> dict:
    """The infinite zoom's frames in order: frame 1 = dream(source); frame t = dream(zoom(frame t−1)),
    with the layers of the schedule at time (t−1)/fps."""
    from paintflow.files import read_rgb, write_rgb
    from paintflow.jobs import run_frames

    settings, state = settings_from(cfg), {}
    schedule = cfg["schedule"] or [{"layers": cfg["layers"]}]

    def make(t):
        if "dreamer" not in state:
            state["dreamer"] = Dreamer.load(model_path, pooling, cfg["device"], cfg.get("guide"))
        prev_path = outputs.get(t - 1, prev)
        start = source if t == 1 else zoom_step(read_rgb(prev_path), cfg["factor"], cfg["rotate"], cfg["pan"])
        layers = layers_at(schedule, (t - 1) / cfg["fps"], cfg["transition"])
        write_rgb(outputs[t], state["dreamer"](start, layers, settings, settings.seed + t))

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "zoom dreaming", progress)


def layer_sheet(source: np.ndarray, cfg: dict, model_path, pooling: str, images: dict, sheet_path) -> None:
    """One dreamed image per layer ({layer: output file}) and a labelled contact sheet of them."""
    from paintflow.figures import contact_sheet
    from paintflow.files import write_pil, write_rgb

    dreamer, settings = Dreamer.load(model_path, pooling, cfg["device"], cfg.get("guide")), settings_from(cfg)
    tiles = [("source", source)]
    for layer, path in images.items():
        out = dreamer(source, {layer: 1.0}, settings, settings.seed)
        write_rgb(path, out)
        tiles.append((layer, out))
    columns = min(5, len(tiles))
    write_pil(sheet_path, contact_sheet(tiles, columns=columns, width=columns * (source.shape[1] + 4) + 4))


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True, t: int | None = None) -> np.ndarray:
    """One dreamed frame of a render (``paintflow preview``)."""
    from paintflow import vgg
    from paintflow.devices import pick_device
    from paintflow.files import read_rgb

    r, cfg = dag.renders[render], dag.renders[render].settings
    device = pick_device(cfg["device"])
    net = vgg.load_or_convert(dag.model_path("vgg_weights"), dag.config["model"]["weights"]).to(device)
    dreamer = Dreamer(net, device, read_rgb(cfg["guide"]) if cfg.get("guide") else None)
    layers = (cfg.get("schedule") or [{"layers": cfg["layers"]}])[0]["layers"] if r.look == "zoom" else cfg["layers"]
    return dreamer(rgb, layers, settings_from(cfg), cfg["seed"] + 1)
