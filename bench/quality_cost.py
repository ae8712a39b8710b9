"""What quality control costs per frame, next to the looks it measures (issue 26: < 2 % of the painted look).

    python bench/quality_cost.py [--sizes 320x180,1280x720] [--frames 12] [--threads 2]

For each size, on real frames of cockatoo.mp4: the quality stage's work per frame (reading its frames, flow
and mask from disk, measuring, writing the record: ``quality_chunk`` as the rule runs it; with and without
the content distance, measured at most 160 px on the longer side: quality.content_side), the fast look's
(one built-in style) and the painted look's (the default settings: one full-size L-BFGS iteration timed on
frame 2 with the temporal loss, times the median iterations the stopping rule gives a temporal frame,
20 on the demo clip). Timed in one process, one after another, on the same frames.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from paintflow.files import read_rgb, write_flow, write_gray, write_rgb  # noqa: E402
from paintflow.flow import compute_flow  # noqa: E402
from paintflow.looks.fast.stylizer import FastSettings, FastStylizer  # noqa: E402
from paintflow.masks import consistency_mask, to_png  # noqa: E402
from paintflow.quality import quality_chunk  # noqa: E402
from paintflow.store import FrameStore  # noqa: E402
from paintflow.video import extract_frames, probe  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MEDIAN_ITERATIONS = 20  # a temporal frame of the demo clip with the stopping rule (README, "half the cost")


def frames_at(w: int, h: int, n: int) -> list[np.ndarray]:
    info = probe(SHARED / "video" / "cockatoo.mp4", width=w, height=h, start=5.0, duration=n / 20)
    paths = [Path(tempfile.gettempdir()) / f"paintflow-bench-{w}x{h}" / f"{i:06d}.png" for i in range(1, n + 1)]
    extract_frames(SHARED / "video" / "cockatoo.mp4", paths, info)
    return [read_rgb(p) for p in paths]


def quality_cost(frames: list[np.ndarray], look: list[np.ndarray], work: Path, meter=None) -> float:
    """Seconds per frame of the quality stage (files on disk, as in a render); with ``meter`` (a
    ContentMeter, loaded before the clock starts: once per chunk job) the content distances too."""
    n = len(frames)
    files = {"src": {}, "out": {}, "flow": {}, "mask": {}}
    for t in range(1, n + 1):
        files["src"][t] = work / "src" / f"{t:06d}.png"
        files["out"][t] = work / "out" / f"{t:06d}.png"
        write_rgb(files["src"][t], frames[t - 1])
        write_rgb(files["out"][t], look[t - 1])
        if t > 1:
            back = compute_flow(frames[t - 1], frames[t - 2], "dis")
            files["flow"][t] = work / "flow" / f"{t - 1:06d}.f16.npz"
            files["mask"][t] = work / "mask" / f"{t:06d}.png"
            write_flow(files["flow"][t], back)
            write_gray(
                files["mask"][t], to_png(consistency_mask(back, compute_flow(frames[t - 2], frames[t - 1], "dis")))
            )
    outputs = {t: str(work / "quality" / f"{t:06d}.json") for t in range(1, n + 1)}
    start = time.perf_counter()
    quality_chunk(
        outputs,
        files["out"],
        files["src"],
        files["flow"],
        files["mask"],
        FrameStore(work, "quality", "bench", "k"),
        None,
        (lambda: meter) if meter is not None else None,
        160,
    )
    return (time.perf_counter() - start) / n


def painted_cost(frames: list[np.ndarray], threads: int) -> float:
    """Seconds per temporal frame of the painted look: one iteration's time × the median iterations."""
    import torch

    from paintflow import vgg
    from paintflow.looks.paint.settings import StyleSettings
    from paintflow.looks.paint.stylize import prepare, resize_style, style_targets, stylize_frame

    torch.set_num_threads(threads)
    device = torch.device("cpu")
    net = prepare(vgg.VGGFeatures(vgg.convert("auto")), device)
    settings = StyleSettings(iterations=3, first_frame_iterations=3, min_iterations=3, new_iterations=0)
    style = resize_style(read_rgb(SHARED / "style" / "starry_night.jpg"), frames[0].shape, 1.0)
    targets = style_targets(net, style, settings, device)
    first = stylize_frame(net, targets, frames[0], settings, None, None, None, frame_index=1, device=device)
    back = compute_flow(frames[1], frames[0], "dis")
    mask = consistency_mask(back, compute_flow(frames[0], frames[1], "dis"))
    start = time.perf_counter()
    stylize_frame(net, targets, frames[1], settings, first, back, mask, frame_index=2, device=device)
    return (time.perf_counter() - start) / settings.iterations * MEDIAN_ITERATIONS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="320x180,1280x720")
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    cv2.setNumThreads(args.threads)
    rows = []
    import torch

    from paintflow import vgg
    from paintflow.metrics import ContentMeter

    torch.set_num_threads(args.threads)
    meter = ContentMeter(vgg.VGGFeatures(vgg.convert("auto")))
    for size in args.sizes.split(","):
        w, h = map(int, size.split("x"))
        frames = frames_at(w, h, args.frames)
        fast = FastStylizer(FastSettings(19), threads=args.threads, device="cpu")
        fast(frames[0])  # warm
        start = time.perf_counter()
        look = [fast(f) for f in frames]
        fast_s = (time.perf_counter() - start) / len(frames)
        with tempfile.TemporaryDirectory() as tmp:
            flicker_s = quality_cost(frames, look, Path(tmp) / "a")
            quality_s = quality_cost(frames, look, Path(tmp) / "b", meter)
        painted_s = painted_cost(frames, args.threads)
        rows.append((size, quality_s, fast_s, painted_s))
        print(
            f"{size}: quality {quality_s * 1000:.1f} ms/frame (without the content distance "
            f"{flicker_s * 1000:.1f}); fast look {fast_s * 1000:.0f} ms/frame "
            f"(quality = {100 * quality_s / fast_s:.1f} % of it); painted look {painted_s:.1f} s/frame "
            f"(quality = {100 * quality_s / painted_s:.2f} % of it)",
            flush=True,
        )


if __name__ == "__main__":
    main()
