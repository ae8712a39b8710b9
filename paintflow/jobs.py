"""The work of each chunk job, independent of Snakemake (workflow_scripts call these)."""

from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import PaintflowError
from .chunks import ResumeCache, link_into
from .files import read_flow, read_gray, read_rgb, write_flow, write_gray, write_rgb
from .flow import compute_flow, flow_to_rgb
from .masks import consistency_mask, from_png, to_png

log = logging.getLogger("paintflow")


@contextlib.contextmanager
def frame_context(stage: str, what):
    """Name the stage and frame in any error, so a failed chunk says which frame broke."""
    try:
        yield
    except Exception as err:
        log.error("%s of %s failed: %s", stage, what, err)
        raise PaintflowError(f"{stage} of {what} failed: {err}") from err


def extract(video, staging: Path, info: dict) -> None:
    """Decode every frame into the staging folder (published per chunk by hard links)."""
    from .video import extract_frames

    outputs = [staging / f"{t:06d}.png" for t in range(1, info["frames"] + 1)]
    extract_frames(video, outputs, info)


def publish(staging: Path, outputs: list) -> None:
    """Make the chunk's frame targets: hard links to the staged frames (no extra disk)."""
    for out in map(Path, outputs):
        src = staging / out.name
        if not src.is_file():
            raise PaintflowError(f"staged frame {src} is missing; re-extract with "
                                 f"`snakemake --forcerun extract_<video>`")
        link_into(src, out)


def flow_chunk(frames: dict, pairs, fwd: list, bwd: list, method: str, threads: int, cache: ResumeCache) -> None:
    """Forward (t→t+1) and backward (t+1→t) flow for each pair t, in parallel threads."""
    def one(i, t):
        if cache.restore(fwd[i]) and cache.restore(bwd[i]):
            return
        with frame_context("optical flow", f"frames {t}-{t + 1}"):
            a, b = read_rgb(frames[t]), read_rgb(frames[t + 1])
            for out, (x, y) in ((fwd[i], (a, b)), (bwd[i], (b, a))):
                write_flow(out, compute_flow(x, y, method))
                cache.keep(out)
        log.info("flow pair %d done", t)

    with ThreadPoolExecutor(max(1, threads)) as pool:  # OpenCV releases the GIL
        list(pool.map(lambda it: one(*it), enumerate(pairs)))


def mask_chunk(fwd: list, bwd: list, outputs: list, settings: dict, cache: ResumeCache,
               flowviz: dict | None = None) -> None:
    """Mask of frame t+1 from the pair (t, t+1): w = bwd (t+1→t), ŵ = fwd (t→t+1).

    ``flowviz`` maps frames t+1 to a picture of their flow to draw (for the report).
    """
    flowviz = flowviz or {}
    for f, b, out in zip(fwd, bwd, outputs):
        t = int(Path(out).stem)
        if cache.restore(out) and (t not in flowviz or cache.restore(flowviz[t])):
            continue
        with frame_context("consistency mask", Path(out).name):
            w = read_flow(b)
            mask = consistency_mask(w, read_flow(f), **settings)
            write_gray(out, to_png(mask))
            cache.keep(out)
            if t in flowviz:
                write_rgb(flowviz[t], flow_to_rgb(w))
                cache.keep(flowviz[t])
        log.info("mask %s: %.1f %% reliable", Path(out).name, 100 * (mask > 0.5).mean())


def stylize_chunk(frames, content: list, outputs: list, prev: str | None, flows: dict, masks: dict,
                  model_path, targets_path, settings_cfg: dict, pooling: str, cache: ResumeCache,
                  progress=None) -> dict:
    """Stylize a run of frames in order; frame t starts from the stylized frame t−1.

    Each frame is read back from its PNG for the next one, so a resumed chunk
    gives the bytes an uninterrupted one would. Returns timing figures.
    """
    import torch

    from . import vgg
    from .stylize import StyleSettings, pick_device, stylize_frame

    t0 = time.perf_counter()
    settings = StyleSettings.from_config(settings_cfg)
    device = pick_device(settings_cfg.get("device", "auto"))
    net = None
    timings = {"setup_s": 0.0, "frames": 0, "restored": 0, "optimise_s": 0.0, "first_start": None}
    for t, src, out in zip(frames, content, outputs):
        if cache.restore(out):
            timings["restored"] += 1
            prev = out
            continue
        if net is None:  # loaded once per chunk, and only if there is work
            net = vgg.load(model_path, pooling).to(device)
            targets = {k: v.to(device) for k, v in torch.load(targets_path, weights_only=True).items()}
            timings["setup_s"] = time.perf_counter() - t0
        temporal = settings.temporal and prev is not None and t in flows
        start = time.perf_counter()
        if timings["first_start"] is None:
            timings["first_start"] = start
        with frame_context("stylization", f"frame {t}"):
            result = stylize_frame(
                net, targets, read_rgb(src), settings,
                prev_stylized=read_rgb(prev) if temporal else None,
                flow_back=read_flow(flows[t]) if temporal else None,
                mask=from_png(read_gray(masks[t])) if temporal else None,
                frame_index=t, device=device,
                progress=(lambda i, n, loss, t=t: progress(t, i, n, loss)) if progress else None,
            )
            write_rgb(out, result)
            cache.keep(out)
        timings["optimise_s"] += time.perf_counter() - start
        timings["frames"] += 1
        log.info("frame %d stylized in %.2f s", t, time.perf_counter() - start)
        prev = out
    return timings


def upscale_chunk(inputs: list, outputs: list, model_path, tile: int, half: bool, device_name: str,
                  cache: ResumeCache) -> None:
    from .stylize import pick_device
    from .upscale import load_pipeline, upscale

    device, models = pick_device(device_name), None
    for src, out in zip(inputs, outputs):
        if cache.restore(out):
            continue
        if models is None:
            models = load_pipeline(model_path)
        with frame_context("upscaling", Path(src).name):
            frame = read_rgb(src)
            result = upscale(models, frame, tile=tile, device=device, half=half and device.type == "cuda")
            write_rgb(out, result)
            cache.keep(out)
        log.info("%s upscaled %dx%d -> %dx%d", Path(out).name, frame.shape[1], frame.shape[0],
                 result.shape[1], result.shape[0])
