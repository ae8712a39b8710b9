"""The keyframe look on real clips with a known answer (issue 45): the fast look's render of a clip is the
truth, its first and last frames are given as the keyframes, and the frames between are painted three
ways — the keyframe look (a network per shot trained on the keyframes' patches, the keyframes' own strokes
carried near them), the nearest keyframe warped along the optical flow (DeepFlow), and the fast look given
the nearest keyframe as its painting — each compared with the truth (PSNR, on the frames at least `reach`
from a keyframe — far — and on those nearer, the keyframes left out — near). Then the keyframe look's
time: training per 1,000 steps (patches: the same at any frame size) and painting per frame at 320×180 and
1280×720. The two axes of each: warping error t−1 → t (DeepFlow of the source with its consistency
mask, `paintflow.metrics.warping_error`) against the footage's own, and content distance to the source
(VGG-16 relu4_2) — for the keyframe look alone and smoothed (`smooth: flow_blend`, alpha 0.8; the
keyframes stay exact), beside the truth's.

    python bench/keyframes.py --out docs/images

Draws docs/images/keyframes.jpg: keyframe | a far frame's source | the keyframe look, each frame alone (its
default before) and flow-blended (its default now) | warped | the truth.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from stopping import SHARED, decoded_frames, probe  # noqa: E402

from paintflow.figures import labelled_rows  # noqa: E402
from paintflow.files import write_rgb  # noqa: E402
from paintflow.flow import compute_flow  # noqa: E402
from paintflow.looks.fast.stylizer import FastSettings, FastStylizer  # noqa: E402
from paintflow.looks.keyframes.patches import Painter, train  # noqa: E402
from paintflow.masks import consistency_mask  # noqa: E402
from paintflow.metrics import ContentMeter, psnr, ssim, warping_error  # noqa: E402
from paintflow.smooth import smooth  # noqa: E402
from paintflow.warp import warp  # noqa: E402

CLIPS = {"cockatoo fast": ("cockatoo.mp4", 7.0), "man whip pan": ("chroma_keying_man.mp4", 10.8)}
SETTINGS = {"steps": 1000, "patch": 40, "batch": 16, "channels": 32, "levels": 2, "learning_rate": 0.001}
SETTINGS |= {"neighbours": 2, "seed": 0}  # the look's defaults


def frames_of(clip: str, width: int, count: int) -> list[np.ndarray]:
    video, start = CLIPS[clip]
    info = probe(SHARED / "video" / video, width=width, fps=10, start=start, duration=count / 10)
    return [f.copy() for f in decoded_frames(SHARED / "video" / video, info)][:count]


def keyframe_look(frames, truth, keys, settings, reach, work: Path):
    """The look as its jobs run it: train (one shot), then paint every frame. Returns (frames, train s)."""
    files, sources = {}, {}
    for t, frame in enumerate(frames, 1):  # the source frames (the training reads those near the keyframes)
        sources[t] = work / f"src{t:06d}.png"
        write_rgb(sources[t], frame)
    for k in keys:
        files[k] = (sources[k], work / f"{k:06d}.png")
        write_rgb(files[k][1], truth[k - 1])
    derived = {"keyframes": {str(k): str(files[k][1]) for k in keys}, "shots": [[1, len(frames) + 1, list(keys)]]}
    derived["alpha"] = False
    start = time.perf_counter()
    train(derived, sources, settings, {"model": work / "m.pt", "loss": work / "l.csv"})
    seconds = time.perf_counter() - start
    painter = Painter(work / "m.pt", "cpu", {k: tuple(map(str, files[k])) for k in keys}, reach)
    return [painter(t, f) for t, f in enumerate(frames, 1)], seconds


def smoothed(made, frames, flows, keys, alpha=0.8):
    """The keyframe look's frames flow-blended with the previous output, as the per-frame rule does (a
    keyframe's own frame as painted)."""
    out = []
    for t, f in enumerate(made, 1):
        back, mask = flows.get(t, (None, None))
        out.append(f if t in keys or not out else smooth(f, out[-1], alpha, "flow_blend", back, mask))
    return out


def two_axes(made, frames, flows, meter) -> tuple[float, float]:
    """(mean warping error t−1 → t, mean content distance to the source) of a sequence."""
    e = np.mean([warping_error(made[t - 2], made[t - 1], *flows[t]) for t in flows])
    return float(e), float(np.mean([meter.distance(o, s) for o, s in zip(made, frames, strict=True)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--width", type=int, default=160)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--style", type=int, default=7, help="the fast look's built-in style that makes the truth")
    ap.add_argument("--reach", type=int, default=4)
    ap.add_argument("--neighbours", type=int, default=SETTINGS["neighbours"], help="0: the keyframes alone")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(2)
    keys = (1, args.frames)
    fast = FastStylizer(FastSettings(style=args.style))
    from paintflow import vgg

    meter = ContentMeter(vgg.VGGFeatures(vgg.convert("auto")))
    axes = []
    print("| clip | keyframe look: PSNR far / near, SSIM far / near | warped keyframe | fast look given a keyframe |")
    print("|---|---|---|---|")
    picture = []
    for clip in CLIPS:
        frames = frames_of(clip, args.width, args.frames)
        truth = [fast(f) for f in frames]
        with tempfile.TemporaryDirectory() as tmp:
            settings = {**SETTINGS, "neighbours": args.neighbours}
            ours, train_s = keyframe_look(frames, truth, keys, settings, args.reach, Path(tmp))
            restyle = {k: FastStylizer(FastSettings(style=str(Path(tmp) / f"{k:06d}.png"))) for k in keys}
            warped, restyled = [], []
            for t in range(1, args.frames + 1):
                k = min(keys, key=lambda k: abs(k - t))  # noqa: B023
                flow = compute_flow(frames[t - 1], frames[k - 1], "deepflow")
                warped.append(np.clip(np.rint(warp(truth[k - 1].astype(np.float32), flow)), 0, 255).astype(np.uint8))
                restyled.append(restyle[k](frames[t - 1]))
        far = [t for t in range(1, args.frames + 1) if min(abs(t - k) for k in keys) >= args.reach]

        def score(made, ts):
            return np.mean([psnr(made[t - 1], truth[t - 1]) for t in ts])  # noqa: B023

        def alike(made, ts):
            return np.mean([ssim(made[t - 1], truth[t - 1]) for t in ts])  # noqa: B023

        near = [t for t in range(1, args.frames + 1) if t not in far and t not in keys]
        flows = {}
        for t in range(2, args.frames + 1):
            back = compute_flow(frames[t - 1], frames[t - 2], "deepflow")
            flows[t] = (back, consistency_mask(back, compute_flow(frames[t - 2], frames[t - 1], "deepflow")))
        steady = smoothed(ours, frames, flows, keys)
        row = f"| {clip} | {two_axes(frames, frames, flows, meter)[0]:.4f} |"
        for made in (ours, steady, truth):
            e, d = two_axes(made, frames, flows, meter)
            row += f" {e:.4f}, {d:.2f} |"
        axes.append(row + f" {score(steady, far):.2f} / {score(steady, near):.2f} dB |")
        print(
            " ".join(
                [f"| {clip} |"]
                + [
                    f"{score(m, far):.2f} / {score(m, near):.2f} dB, SSIM {alike(m, far):.3f} / {alike(m, near):.3f} |"
                    for m in (ours, warped, restyled)
                ]
            ),
            flush=True,
        )
        print(f"  ({clip}: training {train_s / SETTINGS['steps'] * 1000:.0f} s per 1,000 steps)", flush=True)
        mid = far[len(far) // 2]
        picture.append(
            (
                f"{clip}\nkeyframe {keys[0]} | frame {mid}:\nsource | each frame alone\n(before) | "
                "flow-blended 0.8\n(the default) | warped | truth",
                [
                    Image.fromarray(x)
                    for x in (
                        truth[0],
                        frames[mid - 1],
                        ours[mid - 1],
                        steady[mid - 1],
                        warped[mid - 1],
                        truth[mid - 1],
                    )
                ],
            )
        )
    print(
        "\n| clip | the footage's warping error | keyframe look: warping error, content distance | smoothed "
        "(flow_blend 0.8) | the truth (fast look) | smoothed: PSNR far / near |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(axes), flush=True)
    # painting time per frame at the two sizes (a trained network of the defaults, random weights: same cost)
    with tempfile.TemporaryDirectory() as tmp:
        from paintflow.files import save_torch
        from paintflow.looks.keyframes.patches import build

        net = build(SETTINGS["channels"], 3, SETTINGS["levels"])
        model = {"channels": SETTINGS["channels"], "levels": SETTINGS["levels"], "alpha": False}
        save_torch({**model, "shots": [[1, 10**6, net.state_dict()]]}, Path(tmp) / "m.pt")
        painter = Painter(Path(tmp) / "m.pt", "cpu")
        for w, h in ((320, 180), (1280, 720)):
            rgb = np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)
            painter(1, rgb)
            start = time.perf_counter()
            for _ in range(5):
                painter(1, rgb)
            print(f"painting a frame at {w}x{h}: {(time.perf_counter() - start) / 5 * 1000:.0f} ms", flush=True)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        labelled_rows(picture).convert("RGB").save(args.out / "keyframes.jpg", quality=90)
        print(f"wrote {args.out / 'keyframes.jpg'}")


if __name__ == "__main__":
    main()
