"""Time waifu2x upscaling of one frame.

    python bench/upscale_speed.py --size 1280x720 --device cpu --model upconv_7_photo
    python bench/upscale_speed.py --size 1280x720 --device cuda --half

Prints seconds per frame and frames/s (best of --repeat runs after a warm-up).
"""

import argparse
import sys
import time
from pathlib import Path

import cv2
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from paintflow.devices import pick_device  # noqa: E402
from paintflow.files import read_rgb  # noqa: E402
from paintflow.upscale import pipeline, upscale  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--model", default="upconv_7_photo")
    ap.add_argument("--noise", type=int, default=0)
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--half", action="store_true", help="fp16 (CUDA only)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    w, h = map(int, args.size.split("x"))
    device = pick_device(args.device)
    frame = cv2.resize(read_rgb(SHARED / "style" / "starry_night.jpg"), (w, h), interpolation=cv2.INTER_AREA)
    models = pipeline(args.model, args.noise, 2)
    half = args.half and device.type == "cuda"
    upscale(models, frame[:64, :64], tile=args.tile, device=device, half=half)  # warm-up
    times = []
    for _ in range(args.repeat):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        out = upscale(models, frame, tile=args.tile, device=device, half=half)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    best = min(times)
    print(
        f"{args.model} noise {args.noise}, {w}x{h} -> {out.shape[1]}x{out.shape[0]}, tile {args.tile}, "
        f"{'fp16' if half else 'fp32'} on {name}: {best:.2f} s/frame = {1 / best:.3f} frames/s"
    )


if __name__ == "__main__":
    main()
