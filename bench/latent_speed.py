"""How long the latent-style look trains per 1,000 steps, and how fast a trained model paints frames.

    python bench/latent_speed.py --sizes 64x36 96x54 320x180 --steps 40 --device cpu

Real data: the five public-domain paintings and frames of cockatoo.mp4 from ../shared/data. For each
training size: seconds per 1,000 VAE steps and per 1,000 refiner steps (batch 16, latent 128, measured
over ``--steps`` steps after a warm-up), and frames per second of the trained model painting 320×180
frames (encode, shift, decode, refine, resize).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paintflow.files import write_rgb  # noqa: E402
from paintflow.looks.latent.vae import LatentStyle, Trainer, TrainingData, TrainSettings  # noqa: E402
from paintflow.video import probe, read_frame  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["64x36", "96x54", "320x180"])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    video = SHARED / "video" / "cockatoo.mp4"
    info = probe(video, width=320, start=5.0, duration=2.0)
    clip = [read_frame(video, info, t) for t in range(1, info["frames"] + 1)]
    paintings = sorted((SHARED / "style").glob("*.jpg"))
    print(f"latent style, batch {args.batch}, latent 128, {args.threads} threads, device {args.device}")
    for size in args.sizes:
        w, h = (int(x) for x in size.split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            frames = []
            for i, rgb in enumerate(clip[::4]):
                frames.append(Path(tmp) / f"{i:06d}.png")
                write_rgb(frames[-1], rgb)
            data = TrainingData.load(paintings, frames, w, h)
            n = args.steps
            settings = TrainSettings(w, h, steps=n + 2, refiner_steps=n + 2, batch=args.batch, checkpoint_every=10**9)
            trainer = Trainer(data, settings, Path(tmp) / "ckpt.pt", args.device)
            timings = {}
            for phase, first in (("VAE", 0), ("refiner", n + 2)):
                for step in range(first, first + 2):  # warm-up
                    trainer._one_step(step)
                if args.device.startswith("cuda"):
                    torch.cuda.synchronize()
                start = time.perf_counter()
                for step in range(first + 2, first + 2 + n):
                    trainer._one_step(step)
                if args.device.startswith("cuda"):
                    torch.cuda.synchronize()
                timings[phase] = (time.perf_counter() - start) / n * 1000
            style = LatentStyle(trainer.model(), args.device)
            style(clip[0], 1.0)
            start = time.perf_counter()
            for rgb in clip:
                style(rgb, 1.0)
            fps = len(clip) / (time.perf_counter() - start)
        print(
            f"  {size:>8}: {timings['VAE']:7.0f} s per 1,000 VAE steps ({timings['VAE'] / 60:5.1f} min), "
            f"{timings['refiner']:6.0f} s per 1,000 refiner steps; paints {fps:5.1f} frames/s at 320x180"
        )


if __name__ == "__main__":
    main()
