"""Per-frame overhead of the stylize stage: process start to first iteration.

    python bench/overhead.py --size 320x180 --device cpu --chunk 50

A stylize job is a fresh Python process: interpreter, torch import, device
context, VGG and style-target loading. This measures that cost in a child
process (as a job pays it) and one frame's optimisation, then prints the
overhead per frame for one-frame jobs (before chunking) and for chunk jobs.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"

CHILD = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
from paintflow.smk import process_age
import torch
from paintflow import vgg
from paintflow.files import read_rgb
from paintflow.devices import pick_device
from paintflow.looks.paint.settings import StyleSettings
from paintflow.looks.paint.stylize import stylize_frame
device = pick_device(sys.argv[2])
net = vgg.load(sys.argv[3]).to(device)
targets = {k: v.to(device) for k, v in torch.load(sys.argv[4], weights_only=True).items()}
frame = read_rgb(sys.argv[5])
first = {}
def progress(i, n, loss):
    if i == 1:
        if device.type == "cuda":
            torch.cuda.synchronize()
        first["age"] = process_age()
        first["t"] = time.perf_counter()
iterations = int(sys.argv[6])
settings = StyleSettings(first_frame_iterations=iterations, tolerance=0)
stylize_frame(net, targets, frame, settings, device=device, progress=progress)
if device.type == "cuda":
    torch.cuda.synchronize()
frame_s = (time.perf_counter() - first["t"]) * iterations / (iterations - 1)
print(json.dumps({"overhead": first["age"], "frame": frame_s}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="320x180")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--chunk", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    import cv2
    import torch

    from paintflow import vgg
    from paintflow.files import read_rgb, write_rgb
    from paintflow.looks.paint.settings import StyleSettings
    from paintflow.looks.paint.stylize import resize_style, style_targets

    w, h = map(int, args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        converted = vgg.convert("auto")
        vgg.save(converted, tmp / "vgg.pt")
        frame = cv2.resize(read_rgb(SHARED / "content" / "astronaut.png"), (w, h), interpolation=cv2.INTER_AREA)
        write_rgb(tmp / "frame.png", frame)
        style = resize_style(read_rgb(SHARED / "style" / "starry_night.jpg"), frame.shape, 1.0)
        torch.save(style_targets(vgg.VGGFeatures(converted), style, StyleSettings(), "cpu"), tmp / "targets.pt")
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(REPO),
                    args.device,
                    str(tmp / "vgg.pt"),
                    str(tmp / "targets.pt"),
                    str(tmp / "frame.png"),
                    str(args.iterations),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    overhead = min(r["overhead"] for r in runs)
    frame_s = min(r["frame"] for r in runs)
    print(
        f"{args.size} on {args.device}, {args.iterations} iterations/frame: frame work {frame_s:.2f} s; "
        f"process start to first iteration {overhead:.2f} s (best of {args.repeat})"
    )
    print(
        f"  one frame per job (before): {overhead:.2f} s/frame = {100 * overhead / frame_s:.1f} % of the frame's work"
    )
    print(
        f"  {args.chunk} frames per job (now): {overhead / args.chunk:.3f} s/frame = "
        f"{100 * overhead / args.chunk / frame_s:.2f} % of the frame's work"
    )


if __name__ == "__main__":
    main()
