"""Smoothing a per-frame look over time (issue 44): the fast look on four real clips (those of
bench/faithful.py: calm and fast hand-held, a whip pan, a subject entering), smoothed with each method;
per clip and method the warping error (beside the footage's own floor), the ghosting (MSE to the look's
own per-frame frames), the content distance to the source, and the smoothing's own milliseconds a frame.

    python bench/smoothing.py                         # 20 frames at 160 px, 10 fps, built-in style 19
    python bench/smoothing.py --methods none gradient:0.8:8
    python bench/smoothing.py --look dream             # DeepDream on each frame alone (relu4_2, 2 octaves)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faithful import CLIPS  # noqa: E402
from stopping import prepared  # noqa: E402

from paintflow import vgg  # noqa: E402
from paintflow.looks.fast.stylizer import FastSettings, FastStylizer  # noqa: E402
from paintflow.metrics import ContentMeter, warping_error  # noqa: E402
from paintflow.smooth import smooth  # noqa: E402

METHODS = ["none", "blend:0.5", "flow_blend:0.6", "flow_blend:0.8", "gradient:0.8:16", "gradient:0.8:8"]


def chain(look: list[np.ndarray], data: dict, spec: str) -> tuple[list[np.ndarray], float]:
    """The smoothed frames of one method ("name[:alpha[:detail]]") and its milliseconds per frame."""
    name, *rest = spec.split(":")
    alpha = float(rest[0]) if rest else 0.5
    detail = float(rest[1]) if len(rest) > 1 else 16.0
    out, seconds = [look[0]], 0.0
    for t in range(1, len(look)):
        flow, mask = data["short"][t]
        t0 = time.perf_counter()
        out.append(smooth(look[t], out[-1], alpha, name, flow, mask, detail))
        seconds += time.perf_counter() - t0
    return out, 1000 * seconds / max(len(look) - 1, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/faithful"), help="the clips' cached flows")
    ap.add_argument("--width", type=int, default=160)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--style", type=int, default=19)
    ap.add_argument("--clips", nargs="*", default=list(CLIPS))
    ap.add_argument("--methods", nargs="*", default=METHODS)
    ap.add_argument("--look", choices=["fast", "dream"], default="fast")
    args = ap.parse_args()
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    meter = ContentMeter(net)
    if args.look == "fast":
        painter = FastStylizer(FastSettings(style=args.style), threads=2, device="cpu")
    else:
        from paintflow.looks.dream.dreaming import Dreamer, DreamSettings

        dreamer, layers = Dreamer(net, torch.device("cpu")), {"relu4_2": 1.0}
        settings = DreamSettings(layers=layers, octaves=2, iterations=5)

        def painter(rgb):
            return dreamer(rgb, layers, settings, seed=0)

    print(f"look: {args.look}")
    print("| clip | smoothing | warping error (footage floor) | ghosting | content distance | ms/frame |")
    print("|---|---|---|---|---|---|")
    for clip in args.clips:
        data = prepared(clip, args.width, args.frames, args.workdir, CLIPS)
        src = data["frames"]
        look = [painter(f) for f in src]
        floor = np.mean([warping_error(src[t - 1], src[t], *data["short"][t]) for t in range(1, len(src))])
        for spec in args.methods:
            out, ms = chain(look, data, spec)
            e = np.mean([warping_error(out[t - 1], out[t], *data["short"][t]) for t in range(1, len(out))])
            ghost = np.mean([np.mean(((o.astype(np.float32) - p) / 255) ** 2) for o, p in zip(out, look)])
            content = np.mean(
                [meter.distance(o, s, ("o", spec, t), ("s", t)) for t, (o, s) in enumerate(zip(out, src))]
            )
            print(f"| {clip} | {spec} | {e:.4f} ({floor:.4f}) | {ghost:.4f} | {content:.3f} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
