"""Frames per second of the fast look, with and without flow_blend smoothing.

    python bench/fast_speed.py --sizes 640x360 1280x720 --threads 2 --device cpu

Real frames of cockatoo.mp4. For each size: the look alone (a built-in style, and a painting as the
style), the look + flow_blend with the flow given (the smoothing's own cost), and the look + flow_blend
including what it needs per frame: forward and backward flow (DIS, and DeepFlow) and the mask.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paintflow.flow import compute_flow  # noqa: E402
from paintflow.looks.fast.stylizer import FastSettings, FastStylizer  # noqa: E402
from paintflow.masks import consistency_mask  # noqa: E402
from paintflow.smooth import smooth  # noqa: E402
from paintflow.video import probe, read_frame  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def frames(width: int, count: int) -> list[np.ndarray]:
    video = SHARED / "video" / "cockatoo.mp4"
    info = probe(video, width=width, start=5.0, duration=count / 20)
    return [read_frame(video, info, t) for t in range(1, info["frames"] + 1)]


def per_second(fn, items) -> float:
    fn(items[0])  # warm-up: session start, first allocation
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["640x360", "1280x720"])
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    cv2.setNumThreads(args.threads)
    builtin = FastStylizer(FastSettings(style=7), args.threads, args.device)
    painting = FastStylizer(FastSettings(style=str(SHARED / "style" / "starry_night.jpg")), args.threads, args.device)
    print(f"fast look, {args.threads} threads, device {args.device}: frames per second (s/frame)")
    for size in args.sizes:
        width = int(size.split("x")[0])
        clip = frames(width, args.frames + 1)
        pairs = list(zip(clip[:-1], clip[1:]))
        looks = [builtin(f) for f in clip]
        flows = {m: [(compute_flow(b, a, m), compute_flow(a, b, m)) for a, b in pairs[:3]] for m in ("dis",)}
        back, fwd = flows["dis"][0]
        mask = consistency_mask(back, fwd)

        def blend_only(i, looks=looks, back=back, mask=mask):
            smooth(looks[1], looks[0], 0.5, "flow_blend", back, mask)

        def with_flow(method):
            def one(pair):
                a, b = pair
                bwd, fw = compute_flow(b, a, method), compute_flow(a, b, method)
                smooth(builtin(b), a, 0.5, "flow_blend", bwd, consistency_mask(bwd, fw))

            return one

        rows = [
            ("built-in style", per_second(builtin, clip)),
            ("a painting as the style", per_second(painting, clip)),
            ("flow_blend alone (flow given)", per_second(blend_only, list(range(len(clip))))),
            ("built-in + flow_blend incl. DIS flow x2 + mask", per_second(with_flow("dis"), pairs)),
            ("built-in + flow_blend incl. DeepFlow x2 + mask", per_second(with_flow("deepflow"), pairs[:4])),
        ]
        for name, fps in rows:
            print(f"  {size:>9}  {name:<48} {fps:7.2f} fps  ({1 / fps:.3f} s/frame)")


if __name__ == "__main__":
    main()
