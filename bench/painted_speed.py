"""The painted look's cost, measured as ratios in one run.

    python bench/painted_speed.py --sizes 320x180 640x360 --device cpu

1. Time to equal loss: a frame optimised at full size for N iterations (single-scale) against
   coarse-to-fine (¼ and ½ size first). The full-size loss (content + style + tv [+ temporal], same
   weights) is recorded over time; reported: the time coarse-to-fine needs to reach single-scale's final
   loss, as a fraction of single-scale's time. For a first frame and a temporal frame.
2. Warm start: iterations a first frame needs to reach that loss from the content, from the coarse
   levels, and from the feed-forward painting (init: fast).
3. Early stop: how many iterations the frames of a real clip take at the default tolerance.
4. Overhead of an iteration against a bare forward + backward of the same truncated network.
5. bf16 autocast against fp32 (loss and output PSNR).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paintflow import vgg  # noqa: E402
from paintflow.devices import pick_device  # noqa: E402
from paintflow.files import read_rgb  # noqa: E402
from paintflow.flow import compute_flow  # noqa: E402
from paintflow.looks.paint.settings import StyleSettings  # noqa: E402
from paintflow.looks.paint.stylize import (  # noqa
    Optimiser,
    prepare,
    resize_style,
    style_targets,
    stylize_frame,
    to_tensor,
    warm_start,
)
from paintflow.masks import consistency_mask  # noqa: E402
from paintflow.metrics import psnr  # noqa: E402
from paintflow.video import probe, read_frame  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
STYLE = SHARED / "style" / "starry_night.jpg"
PARTS = ["curves", "early", "overhead", "bf16"]
LEVELS = [{"scale": 0.25, "iterations": 100}, {"scale": 0.5, "iterations": 50}]


def clip(width: int, count: int) -> list[np.ndarray]:
    video = SHARED / "video" / "cockatoo.mp4"
    info = probe(video, width=width, fps=10, start=5.0, duration=count / 10)
    return [read_frame(video, info, t) for t in range(1, info["frames"] + 1)]


def curve(net, frame, settings, device, prev=None, flow=None, mask=None, index=1, start=None):
    """[(seconds since the frame started, full-size loss)] per full-size iteration."""
    points, t0 = [], time.perf_counter()
    targets = style_targets(net, resize_style(read_rgb(STYLE), frame.shape, settings.style_scale), settings, device)
    t0 = time.perf_counter()

    def progress(i, n, loss):
        if device.type == "cuda":
            torch.cuda.synchronize()
        points.append((time.perf_counter() - t0, loss))

    out = stylize_frame(net, targets, frame, settings, prev, flow, mask, index, device, progress, start=start)
    return points, out


def time_to(points, loss) -> float | None:
    return next((t for t, v in points if v <= loss), None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["320x180", "640x360"])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=100, help="single-scale iterations of a first frame")
    ap.add_argument("--rounds", type=int, default=20, help="iterations timed in the overhead measurement")
    ap.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, help="which measurements (default: all)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    net = prepare(vgg.VGGFeatures(vgg.convert("auto")), device)
    if "curves" in args.only:
        for size in args.sizes:
            w = int(size.split("x")[0])
            frames = clip(w, 2)
            single = StyleSettings(first_frame_iterations=args.iterations, iterations=30, tolerance=0)
            multi = StyleSettings(first_frame_iterations=args.iterations, iterations=30, tolerance=0, levels=LEVELS)
            ref, first = curve(net, frames[0], single, device)
            ms, _ = curve(net, frames[0], multi, device)
            target = ref[-1][1]
            reach = time_to(ms, target)
            print(
                f"{size} first frame: single-scale {args.iterations} it {ref[-1][0]:.1f} s to loss {target:.4f}; "
                f"coarse-to-fine reaches it in {reach if reach is None else f'{reach:.1f} s'}"
                + (f" = {reach / ref[-1][0]:.2f} of the time" if reach else " (not within the same iterations)")
            )
            for frac in (0.25, 0.5, 0.75, 1.0):
                i = max(0, int(len(ref) * frac) - 1)
                j = max(0, int(len(ms) * frac) - 1)
                print(
                    f"    curve {frac:.2f}: single {ref[i][0]:6.1f} s loss {ref[i][1]:.4f} | "
                    f"coarse-to-fine {ms[j][0]:6.1f} s loss {ms[j][1]:.4f}"
                )
            back = compute_flow(frames[1], frames[0], "dis")
            mask = consistency_mask(back, compute_flow(frames[0], frames[1], "dis"))
            single_t = StyleSettings(iterations=30, tolerance=0)
            multi_t = StyleSettings(iterations=30, tolerance=0, levels=[{"scale": 0.5, "iterations": 20}])
            ref_t, _ = curve(net, frames[1], single_t, device, first, back, mask, 2)
            ms_t, _ = curve(net, frames[1], multi_t, device, first, back, mask, 2)
            reach_t = time_to(ms_t, ref_t[-1][1])
            print(
                f"{size} temporal frame: single-scale 30 it {ref_t[-1][0]:.1f} s; coarse-to-fine (½ first) "
                + (
                    f"reaches its loss in {reach_t:.1f} s = {reach_t / ref_t[-1][0]:.2f}"
                    if reach_t
                    else f"ends at {ms_t[-1][1]:.4f} vs {ref_t[-1][1]:.4f}"
                )
            )
            warm, _ = curve(net, frames[0], single, device, start=warm_start(frames[0], STYLE, single))
            its = {
                "content": len(ref),
                "coarse levels": next((i for i, (_, v) in enumerate(ms, 1) if v <= target), None),
                "fast (feed-forward)": next((i for i, (_, v) in enumerate(warm, 1) if v <= target), None),
            }
            print(
                f"{size} full-size iterations to reach single-scale's {args.iterations}-iteration loss: "
                + ", ".join(f"from {k} {v}" for k, v in its.items())
            )

    # early stop on a real clip at the default tolerance
    frames = clip(int(args.sizes[0].split("x")[0]), 10)
    s = StyleSettings()
    targets = style_targets(net, resize_style(read_rgb(STYLE), frames[0].shape, 1.0), s, device)
    if "early" in args.only:
        used, prev = [], None
        for t, frame in enumerate(frames, start=1):
            history = []
            flow = mask = None
            if prev is not None:
                flow = compute_flow(frame, frames[t - 2], "dis")
                mask = consistency_mask(flow, compute_flow(frames[t - 2], frame, "dis"))
            prev = stylize_frame(net, targets, frame, s, prev, flow, mask, t, device, history=history)
            used.append(len(history))
        print(
            f"early stop at tolerance {s.tolerance}: iterations used per frame {used} (cap {s.first_frame_iterations} "
            f"for frame 1, {s.iterations} after); frames 2+: median {np.median(used[1:]):.0f}, "
            f"{sum(u < s.iterations for u in used[1:])}/{len(used) - 1} stopped early"
        )

    frame = frames[0]
    if "overhead" in args.only:
        # iteration overhead vs a bare forward + backward of the same truncated network (same layout, same
        # layers): after each iteration of one L-BFGS run, one bare pass and one loss evaluation are timed, so
        # that the machine's drift hits all three alike; counted once L-BFGS's history is full (50 pairs)
        opt = Optimiser(net, StyleSettings(tolerance=0), to_tensor(frame, device), targets["1"])  # no early stop
        layers, times, history = opt.layers, {"iteration": [], "bare": [], "loss": []}, 50

        def sync():
            if device.type == "cuda":
                torch.cuda.synchronize()

        def bare(x):
            sum(f.sum() for f in net(x, layers).values()).backward()

        def loss_only(x):
            opt.loss(x).backward()

        def between(i, total, loss):
            sync()
            times["iteration"].append(time.perf_counter() - clock[0])
            for name, fn in (("bare", bare), ("loss", loss_only)):
                t0 = time.perf_counter()
                fn(image.detach().clone().requires_grad_(True))
                sync()
                times[name].append(time.perf_counter() - t0)
            clock[0] = time.perf_counter()

        image = to_tensor(frame, device)
        clock = [time.perf_counter()]
        opt.run(image, history + args.rounds, progress=between)
        rounds = {k: np.array(v[history:]) for k, v in times.items()}
        ratio = {k: float(np.median(v / rounds["bare"])) for k, v in rounds.items()}
        print(
            f"one iteration {np.median(rounds['iteration']) * 1000:.0f} ms vs bare forward+backward "
            f"{np.median(rounds['bare']) * 1000:.0f} ms ({args.rounds} iterations with a full L-BFGS history, "
            f"median ratio): overhead {100 * (ratio['iteration'] - 1):.1f} % (the loss alone "
            f"{100 * (ratio['loss'] - 1):.1f} %, L-BFGS {100 * (ratio['iteration'] - ratio['loss']):.1f} %)"
        )

    if "bf16" in args.only:
        # bf16 autocast against fp32
        small = StyleSettings(first_frame_iterations=30, tolerance=0)
        a, out32 = curve(net, frame, small, device)
        b, out16 = curve(net, frame, StyleSettings(first_frame_iterations=30, tolerance=0, precision="bf16"), device)
        print(
            f"bf16 vs fp32 ({device.type}): final loss {b[-1][1]:.4f} vs {a[-1][1]:.4f} "
            f"({100 * abs(b[-1][1] / a[-1][1] - 1):.2f} %), output PSNR {psnr(out16, out32):.1f} dB, "
            f"time {b[-1][0]:.1f} s vs {a[-1][0]:.1f} s"
        )


if __name__ == "__main__":
    main()
