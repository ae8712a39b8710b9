"""Time stylization per frame at a given size and device.

    python bench/stylize_speed.py --size 320x180 --device cpu
    python bench/stylize_speed.py --size 1280x720 --device cuda

Prints s/frame (first frame and following temporal frames) and iterations/s,
with early stopping disabled so every frame does the configured iterations.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from paintflow import vgg  # noqa: E402
from paintflow.devices import pick_device  # noqa: E402
from paintflow.files import read_rgb  # noqa: E402
from paintflow.flow import compute_flow  # noqa: E402
from paintflow.looks.paint.settings import StyleSettings  # noqa: E402
from paintflow.looks.paint.stylize import prepare, resize_style, style_targets, stylize_frame  # noqa: E402
from paintflow.masks import consistency_mask  # noqa: E402
from paintflow.video import extract_frames, probe  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="320x180")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--first-iterations", type=int, default=100)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = ap.parse_args()
    w, h = map(int, args.size.split("x"))
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)

    t0 = time.perf_counter()
    net = prepare(vgg.VGGFeatures(vgg.convert("auto")), device)
    settings = StyleSettings(iterations=args.iterations, first_frame_iterations=args.first_iterations, tolerance=0)
    content_frames = []
    info = probe(SHARED / "video" / "cockatoo.mp4", width=w, height=h, start=5.0, duration=args.frames / 20)
    # one folder per size: extract_frames keeps intact frames already there, whatever their size
    paths = [
        Path(tempfile.gettempdir()) / f"paintflow-bench-{w}x{h}" / f"{i:06d}.png" for i in range(1, info["frames"] + 1)
    ]
    extract_frames(SHARED / "video" / "cockatoo.mp4", paths, info)
    content_frames = [read_rgb(p) for p in paths]
    style = resize_style(read_rgb(SHARED / "style" / "starry_night.jpg"), content_frames[0].shape, 1.0)
    targets = style_targets(net, style, settings, device)
    setup = time.perf_counter() - t0

    prev, times = None, []
    for i, frame in enumerate(content_frames, start=1):
        flow = mask = None
        if prev is not None:
            flow = compute_flow(frame, content_frames[i - 2], "dis")
            mask = consistency_mask(flow, compute_flow(content_frames[i - 2], frame, "dis"))
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        prev = stylize_frame(net, targets, frame, settings, prev, flow, mask, frame_index=i, device=device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)

    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({args.threads} threads)"
    print(f"device {name}, size {w}x{h}, model/targets set-up {setup:.2f} s")
    print(
        f"first frame: {args.first_iterations} iterations in {times[0]:.2f} s "
        f"= {args.first_iterations / times[0]:.2f} it/s"
    )
    if len(times) > 1:
        rest = float(np.mean(times[1:]))
        print(
            f"later frames: {args.iterations} iterations in {rest:.2f} s/frame "
            f"= {args.iterations / rest:.2f} it/s (mean of {len(times) - 1})"
        )


if __name__ == "__main__":
    cv2.setNumThreads(1)
    main()
