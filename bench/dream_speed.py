"""Seconds per dreamed frame at a size and device.

    python bench/dream_speed.py --sizes 192x108 320x180 640x360 --device cpu

One dream with the default settings (4 octaves × 10 iterations, relu4_2) and one infinite-zoom frame
with the zoom defaults (2 octaves × 5 iterations), on real frames of cockatoo.mp4.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paintflow import vgg  # noqa: E402
from paintflow.config import defaults  # noqa: E402
from paintflow.devices import pick_device  # noqa: E402
from paintflow.looks.dream.dreaming import Objective, dream, settings_from, zoom_step  # noqa: E402
from paintflow.video import probe, read_frame  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["192x108", "320x180", "640x360"])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    net = vgg.VGGFeatures(vgg.convert("auto")).to(device)
    video = SHARED / "video" / "cockatoo.mp4"
    video_cfg, zoom_cfg = defaults("dream"), {**defaults("dream"), **defaults("zoom")}
    print(f"DeepDream on {device} ({args.threads} threads): seconds per frame")
    for size in args.sizes:
        w, h = (int(x) for x in size.split("x"))
        info = probe(video, width=w, start=5.0, duration=0.1)
        frame = cv2.resize(read_frame(video, info, 1), (w, h))
        for name, cfg in (("dream (4 octaves x 10 it.)", video_cfg), ("zoom frame (2 octaves x 5 it.)", zoom_cfg)):
            s = settings_from(cfg)
            start = zoom_step(frame, 1.05) if name.startswith("zoom") else frame
            dream(Objective(net, s.layers), start, s, device)  # warm-up
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            dream(Objective(net, s.layers), start, s, device)
            if device.type == "cuda":
                torch.cuda.synchronize()
            print(f"  {size:>9}  {name:<32} {time.perf_counter() - t0:6.2f} s/frame")


if __name__ == "__main__":
    main()
