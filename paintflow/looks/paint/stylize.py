"""Per-frame optimisation-based stylisation with an optional temporal term."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import replace

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from paintflow import heap
from paintflow.devices import pick_device
from paintflow.looks.paint import losses
from paintflow.looks.paint.lbfgs import LBFGS
from paintflow.looks.paint.settings import StyleSettings
from paintflow.stopping import StopRule, Watch, note
from paintflow.vgg import VGGFeatures
from paintflow.warp import warp

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


def scales(settings: StyleSettings) -> list[float]:
    """The scales a frame is optimised at: the coarse-to-fine levels, then full size."""
    return [float(level["scale"]) for level in settings.levels] + [1.0]


def scale_key(scale: float) -> str:
    return f"{scale:g}"


def style_targets(net: VGGFeatures, style_rgb: np.ndarray, settings: StyleSettings, device) -> dict:
    """Gram matrices of the style image, per scale of the coarse-to-fine levels ({scale: {layer: Gram}}):
    at a coarse level the style is scaled down with the frame, so its strokes keep their size relative to it."""
    out = {}
    with torch.no_grad():
        for scale in scales(settings):
            rgb = style_rgb if scale == 1.0 else resize(style_rgb, scale)
            feats = net(to_tensor(rgb, device), settings.style_layers)
            out[scale_key(scale)] = {name: losses.gram(f) for name, f in feats.items()}
    return out


def blended_targets(
    net: VGGFeatures,
    styles: list[tuple[np.ndarray, float, float]],
    settings: StyleSettings,
    content_shape,
    device,
    first_frame: np.ndarray | None = None,
) -> dict:
    """Gram targets of several styles ([(rgb, weight, scale)]), weighted: G = Σ w_k G_k / Σ w_k. With colour
    preservation each style is first matched to the video's first frame (luminance or colour histogram)."""
    from paintflow.color import match_histogram, match_luminance

    total, blended = sum(w for _, w, _ in styles), {}
    for rgb, weight, scale in styles:
        style = resize_style(rgb, content_shape, settings.style_scale * scale)
        if settings.preserve_color == "histogram":
            style = match_histogram(style, first_frame)
        elif settings.preserve_color == "luminance":
            style = match_luminance(style, first_frame)
        for key, grams in style_targets(net, style, settings, device).items():
            level = blended.setdefault(key, {})
            for layer, g in grams.items():
                level[layer] = level.get(layer, 0) + g * (weight / total)
    return blended


def resize(rgb: np.ndarray, scale: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    size = (max(16, round(w * scale)), max(16, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def warp_previous(painted: np.ndarray, flow_back: np.ndarray, settings: StyleSettings) -> np.ndarray:
    """An earlier painted frame carried onto this frame's grid (float, 0-255), bilinear or bicubic
    (``warp_interpolation``; a bicubic warp overshoots the value range, so it is clipped)."""
    warped = warp(painted.astype(np.float32), flow_back, settings.warp_interpolation)
    return warped if settings.warp_interpolation == "linear" else np.clip(warped, 0, 255)


def reliability(mask: np.ndarray, content: np.ndarray, prev_content, flow_back, settings: StyleSettings) -> np.ndarray:
    """Where the previous painted frame may be carried over: the consistency mask c, and with ``warp_check``
    α only where the source frames agree once warped, c · exp(−α‖S_t − warp(S_{t−1})‖²) (colours in [0, 1]:
    Lai et al. 2018's occlusion weight). The consistency mask misses a flow that is smooth and consistent but
    wrong (fast motion, a subject entering over a textured background); the sources themselves show it."""
    if not settings.warp_check or prev_content is None:
        return mask
    src = content.astype(np.float32) / 255.0
    moved = warp(prev_content.astype(np.float32) / 255.0, flow_back) - src
    # the error over a few pixels (σ = 2): a region that changed, not the sensor noise and sub-pixel texture
    # misalignment of single pixels, whose speckled holes in the mask flicker
    error = cv2.GaussianBlur((moved * moved).sum(axis=2), (0, 0), 2.0, borderType=cv2.BORDER_REPLICATE)
    return (mask * np.exp(-settings.warp_check * error)).astype(np.float32)


def initial_image(
    content,
    prev_stylized,
    flow_back,
    mask,
    settings: StyleSettings,
    frame_index: int,
    start=None,
    prev_content=None,
    fresh=None,
):
    """Start point: ``start`` when given (a warm start, a multi-pass blend); else warp(x_{t−1}) (``blend``:
    where reliable, the content frame elsewhere; ``fast``: where reliable, and elsewhere ``fresh``, the
    frame painted anew by the feed-forward network (what is new starts painted and faithful);
    ``warped``: everywhere, as Ruder et al.'s prevWarped;
    ``residual``: the frame itself plus, where reliable, the paint the previous frame added to its own
    source, carried by the flow: S_t + c·warp(x_{t−1} − S_{t−1}) — what the footage changed shows in the
    start, what the painting added stays); without a previous frame the content or noise. Also returns the
    warped previous frame (for the temporal loss). The warp is bilinear or bicubic (``warp_interpolation``):
    bilinear resampling blurs the strokes, which doubles the style loss a frame starts from
    (bench/stopping.py)."""
    warped = warp_previous(prev_stylized, flow_back, settings) if prev_stylized is not None else None
    if start is not None:
        return start.astype(np.float32) / 255.0, None if warped is None else warped / 255.0
    if prev_stylized is not None:
        if settings.temporal_init == "warped":
            return warped / 255.0, warped / 255.0
        m, frame = mask[..., None], content.astype(np.float32)
        if settings.temporal_init == "fast" and fresh is not None:
            frame = fresh.astype(np.float32)
        if settings.temporal_init == "residual" and prev_content is not None:
            paint = warped - warp_previous(prev_content, flow_back, settings)
            return np.clip(frame + m * paint, 0, 255) / 255.0, warped / 255.0
        return (m * warped + (1 - m) * frame) / 255.0, warped / 255.0
    if settings.init == "noise":
        rng = np.random.default_rng(settings.seed + frame_index)
        return rng.uniform(0, 1, content.shape).astype(np.float32), None
    return content.astype(np.float32) / 255.0, None


class Optimiser:
    """One frame's optimisation at one scale: the loss of Gatys et al. (+ Ruder et al.'s temporal term),
    minimised by L-BFGS (one network evaluation per iteration) or Adam."""

    def __init__(
        self,
        net,
        settings: StyleSettings,
        content: torch.Tensor,
        targets: dict,
        warped=None,
        mask=None,
        frame_index: int = 1,
    ):
        self.net, self.s, self.targets, self.warped, self.mask = net, settings, targets, warped, mask
        self.frame_index = frame_index
        self.layers = list(settings.style_layers) + [settings.content_layer]
        self.layer_w = {
            n: settings.layer_weights.get(n, 1.0) / len(settings.style_layers) for n in settings.style_layers
        }
        self.bf16 = settings.precision == "bf16"
        with torch.no_grad():
            self.content_target = self.features(content)[settings.content_layer]

    def features(self, x: torch.Tensor) -> dict:
        """Activations, the convolutions in bf16 when asked; Grams and losses always in fp32."""
        with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            feats = self.net(x, self.layers)
        return {k: v.float() for k, v in feats.items()} if self.bf16 else feats

    def loss(self, x: torch.Tensor) -> torch.Tensor:
        s, feats = self.s, self.features(x)
        terms = {
            "content": s.content_weight * losses.content_loss(feats[s.content_layer], self.content_target),
            "style": s.style_weight * losses.style_loss(feats, self.targets, self.layer_w),
            "tv": s.tv_weight * losses.tv_loss(x),
        }
        if self.warped is not None:
            terms["temporal"] = s.temporal_weight * losses.long_term_loss(x, self.warped, self.mask)
        self.terms = terms  # the last evaluation's own terms (the stopping rule reads the style term)
        return sum(terms.values())

    def run(
        self,
        x0: torch.Tensor,
        iterations: int,
        progress=None,
        history: list | None = None,
        trace: list | None = None,
        new: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, dict]:
        """Optimise from ``x0`` for at most ``iterations``; returns the image and how it went: iterations
        used, why it stopped ('still': the stopping rule; 'loss': the loss tolerance; 'ceiling'), the last
        measured picture change and the loss's terms at the last evaluation. ``new`` (1, 1, H, W): where
        the frame is new, for the stopping rule's ``stop_new``."""
        x = x0.detach().clone().requires_grad_(True)
        # L-BFGS: one VGG forward/backward per step (predictable cost, no line search), the relative test
        # below stops early; its step() returns the loss on the host (the iteration's one read)
        opt = LBFGS(x, history=50) if self.s.optimizer == "lbfgs" else torch.optim.Adam([x], lr=self.s.learning_rate)
        rule = StopRule.of(self.s)
        watch = Watch(rule, x0, trace, new)

        def closure():
            x.grad = None
            loss = self.loss(x)
            loss.backward()
            return loss

        history = [] if history is None else history
        start, stopped, done = len(history), "ceiling", 0
        for it in range(iterations):
            loss = float(opt.step(closure))  # the one device-to-host copy per iteration
            history.append(loss)
            if progress:
                progress(it + 1, iterations, loss)
            done = len(history) - start
            if done > 5 and abs(history[-6] - loss) <= self.s.tolerance * abs(history[-6]):
                log.info("frame %d: converged after %d iterations (loss %.4g)", self.frame_index, done, loss)
                stopped = "loss"
                break
            if (rule.active or trace is not None) and watch.update(x, self.terms["style"], done):
                stopped = "still"
                break
        terms = {k: round(float(v.detach()), 6) for k, v in getattr(self, "terms", {}).items()}
        return x.detach(), {"iterations": done, "stopped": stopped, **watch.figures(), "loss": terms}


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
    start: np.ndarray | None = None,
    history: list | None = None,
    long_term: list = (),
    record: dict | None = None,
    trace: list | None = None,
    prev_content: np.ndarray | None = None,
    fresh: np.ndarray | None = None,
) -> np.ndarray:
    """Stylize one frame (RGB uint8); returns RGB uint8.

    With ``prev_stylized`` (the stylized frame t−1), ``flow_back`` (flow t→t−1) and ``mask`` (reliability
    of that warp), the frame starts from the warped previous result and the temporal loss ties reliable
    pixels to it. With coarse-to-fine ``levels`` it is optimised at their scales first, each result
    upsampled as the next level's start, and finished at full size. Each scale stops by the stopping rule
    (paintflow.stopping) or at its ceiling; ``record`` (a dict) receives how the frame went: its full-size
    iterations, why it stopped, the last picture change, the loss's terms, each level's iterations and the
    work in full-size-equivalent iterations. ``trace`` (a list) receives every full-size iteration's change.
    ``prev_content`` (the source frame t−1) lets ``warp_check`` narrow the mask to where the sources agree
    (:func:`reliability`); what is left unreliable is the frame's new share: it raises the frame's ceiling
    (``new_iterations``) and is watched by the stopping rule (``stop_new``). ``fresh``: the frame painted by
    the feed-forward network, where a ``fast`` temporal start takes what is new from.
    """
    device = device or pick_device()
    if settings.preserve_color == "luminance":  # the transfer on luminance, the frame's colours put back
        from paintflow.color import luminance3, recombine

        grey = stylize_frame(
            net,
            targets,
            luminance3(content),
            replace(settings, preserve_color="none"),
            luminance3(prev_stylized) if prev_stylized is not None else None,
            flow_back,
            mask,
            frame_index,
            device,
            progress,
            luminance3(start) if start is not None else None,
            history,
            [(luminance3(p), f, c) for p, f, c in long_term],
            record,
            trace,
            luminance3(prev_content) if prev_content is not None else None,
            luminance3(fresh) if fresh is not None else None,
        )
        return recombine(grey, content)
    torch.manual_seed(settings.seed + frame_index)
    temporal = settings.temporal and prev_stylized is not None
    if temporal:
        mask = reliability(mask, content, prev_content, flow_back, settings)
    init, warped = initial_image(
        content,
        prev_stylized if temporal else None,
        flow_back,
        mask,
        settings,
        frame_index,
        start,
        prev_content,
        fresh,
    )
    if "1" not in targets:  # a single-scale target set
        targets = {"1": targets}
    new = float(1.0 - mask.mean()) if temporal else 0.0  # the frame's share with nothing reliable to carry over
    final = settings.iterations_of(frame_index, new) if temporal else settings.first_frame_iterations
    plan = [(float(lv["scale"]), int(lv["iterations"])) for lv in settings.levels] + [(1.0, final)]
    # what the temporal loss ties the frame to: the previous frame and the long-term ones, warped once
    coupled = (
        [(warped, mask), *[(warp_previous(p, f, settings) / 255.0, c) for p, f, c in long_term]] if temporal else []
    )
    x, levels = None, []
    for scale, iterations in plan:
        size = (content.shape[0], content.shape[1]) if scale == 1.0 else resize(content, scale).shape[:2]
        content_l = content if scale == 1.0 else resize(content, scale)
        if x is None:
            x = to_tensor(init if scale == 1.0 else resize((init * 255).astype(np.float32), scale) / 255.0, device)
        else:  # the coarse result, upsampled, with the content's finer detail it could not hold (Laplacian)
            c = to_tensor(content_l, device)
            blur = F.interpolate(
                F.interpolate(c, size=x.shape[2:], mode="area"), size=size, mode="bilinear", align_corners=False
            )
            x = (F.interpolate(x, size=size, mode="bilinear", align_corners=False) + (c - blur)).clamp(0, 1)
        warped_l = mask_l = None
        if temporal:
            warped_l, mask_l = [], []
            for w, m in coupled:
                warped_l.append(
                    to_tensor(w if scale == 1.0 else resize((w * 255).astype(np.float32), scale) / 255, device)
                )
                m = (
                    m.astype(np.float32)
                    if scale == 1.0
                    else cv2.resize(m.astype(np.float32), size[::-1], interpolation=cv2.INTER_AREA)
                )
                mask_l.append(torch.from_numpy(m).to(device)[None, None])
        opt = Optimiser(
            net, settings, to_tensor(content_l, device), targets[scale_key(scale)], warped_l, mask_l, frame_index
        )
        unreliable = 1.0 - mask_l[0] if temporal and scale == 1.0 else None  # where the frame is new
        x, how = opt.run(
            x, iterations, progress if scale == 1.0 else None, history, trace if scale == 1.0 else None, unreliable
        )
        levels.append((scale, how["iterations"]))
    if record is not None:
        record.update(how, ceiling=final, work=round(sum(n * sc * sc for sc, n in levels), 3))
        if temporal:
            record["new"] = round(new, 4)
        if len(levels) > 1:
            record["levels"] = [n for _, n in levels[:-1]]
    return to_uint8(x)


def to_device(targets: dict, device) -> dict:
    """Style targets ({scale: {layer: Gram}}, or one scale's {layer: Gram}) on a device."""
    return {k: to_device(v, device) if isinstance(v, dict) else v.to(device) for k, v in targets.items()}


def prepare(net: VGGFeatures, device) -> VGGFeatures:
    """The network (channels-last already, see VGGFeatures) on its device; on CUDA with cuDNN autotuning, on
    the CPU with freed tensors kept in the heap for the next iteration (heap.keep_freed_memory)."""
    if torch.device(device).type == "cuda":
        torch.backends.cudnn.benchmark = True
    else:
        heap.keep_freed_memory()
    return net.to(device)


def warm_start(frame: np.ndarray, style_path, settings: StyleSettings) -> np.ndarray:
    """The feed-forward painting of a frame in the style (Magenta's arbitrary style network): a start
    already close to the optimum, for a frame without history (``init: fast``), and for what is new in a
    temporal frame (``temporal_init: fast``)."""
    return _feed_forward(str(style_path), torch.get_num_threads())(frame)


@functools.lru_cache(maxsize=2)
def _feed_forward(style_path: str, threads: int):
    """The feed-forward network of a painting, loaded once per process."""
    from paintflow.looks.fast.stylizer import FastSettings, FastStylizer

    return FastStylizer(FastSettings(style=style_path), threads=threads)


def stylize_chunk(
    ctx,
    model_path,
    targets_path,
    pooling: str,
    iteration_log=None,
    style_path=None,
    long_term: dict | None = None,
    first: int = 1,
    records=None,
) -> dict:
    """Stylize a run of frames in order; frame t starts from the stylized frame t−1.

    ``ctx`` (paintflow.chunk.ChunkContext): the chunk's outputs, content, previous output, flows and
    masks ({frame: file}), the look's settings, the smoothing, the frame store and progress. Each frame is read back
    from its PNG for the next one, so a resumed chunk gives the bytes an uninterrupted one would.
    ``first`` is the first frame of the shot: frames are numbered (seeded) from it, so a shot renders as
    it would as a clip of its own. Each frame's iterations go to ``records`` (paintflow.stopping.Records)
    and its progress line. Returns timing figures (setup, frames made and restored, optimisation seconds,
    first iteration).
    """
    from paintflow import vgg
    from paintflow.files import read_flow, read_gray, read_rgb, write_rgb
    from paintflow.jobs import run_frames
    from paintflow.masks import from_png
    from paintflow.smooth import Smoother

    t0 = time.perf_counter()
    outputs, content, flows, masks = ctx.outputs, ctx.content, ctx.flows, ctx.masks
    settings = StyleSettings.from_config(ctx.settings)
    device = pick_device(ctx.settings["device"])
    state = {"net": None, "targets": None, "setup_s": 0.0, "first_start": None}
    prev_of = {t: outputs.get(t - 1, ctx.prev) for t in outputs}
    smoother = Smoother(ctx.smooth, outputs, ctx.prev, flows, masks)

    def make(t):
        if state["net"] is None:  # loaded once per chunk, and only if there is work
            state["net"] = prepare(vgg.load(model_path, pooling), device)
            state["targets"] = to_device(torch.load(targets_path, weights_only=True), device)
            state["setup_s"] = time.perf_counter() - t0
        if state["first_start"] is None:
            state["first_start"] = time.perf_counter()
        temporal = settings.temporal and prev_of[t] is not None and t in flows
        frame = read_rgb(content[t])
        start = warm_start(frame, style_path, settings) if not temporal and settings.init == "fast" else None
        fresh = warm_start(frame, style_path, settings) if temporal and settings.temporal_init == "fast" else None
        record = {}
        result = stylize_frame(
            state["net"],
            state["targets"],
            frame,
            settings,
            prev_stylized=read_rgb(prev_of[t]) if temporal else None,
            flow_back=read_flow(flows[t]) if temporal else None,
            mask=from_png(read_gray(masks[t])) if temporal else None,
            frame_index=t - first + 1,
            device=device,
            progress=(lambda i, n, loss: iteration_log(t, i, n, loss)) if iteration_log else None,
            start=start,
            long_term=[
                (read_rgb(p), read_flow(f), from_png(read_gray(m)))
                for _, p, f, m in sorted((long_term or {}).get(t, []))
            ]
            if temporal
            else (),
            record=record,
            prev_content=read_rgb(content[t - 1])
            if temporal and t - 1 in content and settings.reads_previous_source
            else None,
            fresh=fresh,
        )
        write_rgb(outputs[t], smoother(t, result))
        if records is not None:
            records.add(t, record)
        return note(record)

    stats = run_frames({t: [p] for t, p in outputs.items()}, make, ctx.store, "stylization", ctx.progress)
    return {**stats, "setup_s": state["setup_s"], "first_start": state["first_start"]}


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True, t: int | None = None) -> np.ndarray:
    """One painted frame of a render (``paintflow preview``): its style and settings, from the content
    (``quick``: at most 30 iterations, enough to judge a style in seconds)."""
    from paintflow import vgg
    from paintflow.files import read_rgb

    r = dag.renders[render]
    settings = StyleSettings.from_config(r.settings)
    if quick:
        settings.first_frame_iterations = min(settings.first_frame_iterations, 30)
    device = pick_device(r.settings["device"])
    net = vgg.load_or_convert(dag.model_path("vgg_weights"), dag.config["model"]["weights"]).to(device)
    styles = [(read_rgb(s["path"]), s["weight"], s["scale"]) for s in r.styles]
    targets = blended_targets(net, styles, settings, rgb.shape, device, rgb)
    return stylize_frame(net, targets, rgb, settings, device=device)


def pass_chunk(
    ctx,
    previous: dict,
    neighbour: str | None,
    number: int,
    model_path,
    targets_path,
    pooling: str,
    first=1,
    records=None,
) -> dict:
    """Pass ``number`` (≥ 2) of the multi-pass algorithm over a run of frames (``ctx``: the chunk's
    outputs, content, flows, masks, settings, store and progress; ``previous``: the previous pass's
    frames; ``neighbour``: the frame beyond the chunk, in this pass): backward for even passes
    (frame t's neighbour is t+1), forward for odd ones (t−1). Frame t starts from
    δ·c ⊙ warp(neighbour) + (1 − δ·c) ⊙ (its previous-pass result), c the reliability of that warp, and is
    optimised for ``pass_iterations``, with the temporal loss from pass ``pass_temporal_from`` on."""
    from paintflow import vgg
    from paintflow.files import read_flow, read_gray, read_rgb, write_rgb
    from paintflow.jobs import run_frames
    from paintflow.masks import from_png

    outputs, content, flows, masks = ctx.outputs, ctx.content, ctx.flows, ctx.masks
    base = StyleSettings.from_config(ctx.settings)
    settings = replace(
        base, iterations=base.pass_iterations, first_frame_iterations=base.pass_iterations, levels=[], long_term=[1]
    )
    backward, device, state = number % 2 == 0, pick_device(ctx.settings["device"]), {}
    step = 1 if backward else -1

    def make(t):
        if "net" not in state:
            state["net"] = prepare(vgg.load(model_path, pooling), device)
            state["targets"] = to_device(torch.load(targets_path, weights_only=True), device)
        own = read_rgb(previous[t])
        nbr = outputs.get(t + step, neighbour if t + step not in outputs else None)
        if nbr is None or t not in flows:
            start, prev, flow, c = own, None, None, None
        else:
            prev, flow, c = read_rgb(nbr), read_flow(flows[t]), from_png(read_gray(masks[t]))
            w = base.pass_blend * c[..., None]
            start = np.rint(w * warp(prev.astype(np.float32), flow) + (1 - w) * own).astype(np.uint8)
        temporal = number >= base.pass_temporal_from and prev is not None
        record = {}
        result = stylize_frame(
            state["net"],
            state["targets"],
            read_rgb(content[t]),
            settings,
            prev if temporal else None,
            flow if temporal else None,
            c if temporal else None,
            frame_index=t - first + 2,
            device=device,
            start=start,
            record=record,
        )
        write_rgb(outputs[t], result)
        if records is not None:
            records.add(t, record)
        return note(record)

    return run_frames(
        {t: [p] for t, p in outputs.items()}, make, ctx.store, f"pass {number}", ctx.progress, reverse=backward
    )
