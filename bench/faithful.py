"""Faithful as well as steady: the painted look's settings on real clips of different motion, each measured on
both axes — warping error (steadiness) and content distance to its own source frame (faithfulness) — with
the style loss beside them (a frame left unpainted is faithful and steady, and no painting), and time.

    python bench/faithful.py --workdir /tmp/faithful --out docs/images
    python bench/faithful.py --variants "new:warp_check=50,new_iterations=60,stop_new=1" --clips "bunny enters"

Per clip and variant: stylize time of the chain (one process, 2 threads: ratios, not absolute figures),
warping error t−1 → t and t−4 → t (masked, with the source's own DeepFlow; `paintflow.metrics.warping_error`),
content distance D = ‖φ(O_t) − φ(S_t)‖² / ‖φ(S_t)‖² (VGG-16 relu4_2, `paintflow.metrics.ContentMeter`) mean
and max over the frames, the mean style loss (the render's own term on the finished frame), and the frames
the quality stage flags (smear, ghost, pop: `paintflow.quality.flags` on records made as the stage makes
them). Draws
docs/images/faithful.png: source | each variant, frames 1, 4, 7, 13 of the fast clip (the one where the
content distance of "today" is worst), and prints the table README quotes.

Renders are kept in the workdir (delete it after changing the painting code).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from stopping import cached, errors, prepared, render, variant  # noqa: E402

from paintflow import vgg  # noqa: E402
from paintflow.figures import labelled_rows  # noqa: E402
from paintflow.looks.paint.settings import StyleSettings  # noqa: E402
from paintflow.metrics import ContentMeter  # noqa: E402
from paintflow.quality import Thresholds, content_record, flag_list, flags, measure_frame  # noqa: E402

CLIPS = {  # (video, start s): calm and fast hand-held, a performer moving, a subject entering the frame
    "cockatoo calm": ("cockatoo.mp4", 10.0),
    "cockatoo fast": ("cockatoo.mp4", 7.0),
    "man fast": ("chroma_keying_man.mp4", 10.8),
    "bunny enters": ("big_buck_bunny.mp4", 0.0),
}
OLD = "stop_change=0,warp_interpolation=linear,temporal_init=blend,iterations=30,warp_check=0,new_iterations=0"
VARIANTS = [
    "independent:temporal=0,first_frame_iterations=80",
    f"previous:{OLD},stop_new=0",  # the defaults before the stopping rule
    "today:temporal_init=warped,warp_check=0,new_iterations=0,stop_new=0",  # the defaults before this bench
    "default:",
]
PICTURE_FRAMES = (1, 4, 7, 13)


def quality_flags(meter: ContentMeter, data: dict, out: list) -> dict:
    """What the quality stage flags in a render (its records made as ``quality_chunk`` makes them)."""
    src, recs = data["frames"], {}
    for t in range(len(out)):
        back = list(range(t, max(-1, t - 5), -1))
        steps = [data["short"][b] for b in back[:-1]]
        rec = measure_frame(
            [out[b] for b in back], [src[b] for b in back], [f for f, _ in steps], [m for _, m in steps]
        )
        recs[t + 1] = rec | content_record(meter, t + 1, out[t], [src[b] for b in back])
    return flags(recs, [range(1, len(out) + 1)], Thresholds())


def measure(meter: ContentMeter, data: dict, res: dict) -> dict:
    e1, e4 = errors(data, res["frames"])
    d = [meter.distance(o, s) for o, s in zip(res["frames"], data["frames"])]
    found = quality_flags(meter, data, res["frames"])
    return {
        "flagged": flag_list({str(t): f for t, f in found.items()}) or "none",
        "seconds": sum(res["seconds"]),
        "e1": e1,
        "e4": e4,
        "d_mean": float(np.mean(d)),
        "d_max": float(np.max(d)),
        "distances": d,
        "style": float(np.mean([r["terms"]["style"] for r in res["records"]])),
        "iterations": float(np.median([r["iterations"] for r in res["records"][1:]])),
    }


def big(rgb) -> Image.Image:
    """A frame twice its size for the picture (the bench's frames are 160 px wide)."""
    img = Image.fromarray(rgb)
    return img.resize((img.width * 2, img.height * 2), Image.LANCZOS)


def settings_of(overrides: dict) -> StyleSettings:
    return StyleSettings(**{k: bool(v) if k in ("temporal", "stop_new") else v for k, v in overrides.items()})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/faithful"))
    ap.add_argument("--out", type=Path, default=None, help="folder for faithful.png")
    ap.add_argument("--width", type=int, default=160)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--clips", nargs="*", default=list(CLIPS))
    ap.add_argument("--variants", nargs="*", default=VARIANTS)
    args = ap.parse_args()
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    meter = ContentMeter(net)
    variants = [variant(v) for v in args.variants]
    table, renders = {}, {}
    print(
        "| clip | setting | content distance mean / max | E_warp t−1 / t−4 | style loss | it. median | time | "
        "quality stage flags |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for clip in args.clips:
        data = prepared(clip, args.width, args.frames, args.workdir, CLIPS)
        for (name, overrides), spec in zip(variants, args.variants):
            res = cached(
                args.workdir,
                f"{clip}_{args.width}_{args.frames}",
                spec,
                lambda o=overrides, d=data: render(net, d, settings_of(o)),
            )
            renders[clip, name] = res
            table[clip, name] = measure(meter, data, res)
        for name, _ in variants:  # printed once the clip's variants are measured: times as ratios to previous
            f = table[clip, name]
            base = table.get((clip, "previous"), f)
            print(
                f"| {clip} | {name} | {f['d_mean']:.3f} / {f['d_max']:.3f} | {f['e1']:.5f} / {f['e4']:.5f} | "
                f"{f['style']:.3f} | {f['iterations']:.0f} | {f['seconds']:.1f} s "
                f"({f['seconds'] / base['seconds']:.2f}×) | {f['flagged']} |",
                flush=True,
            )
    if args.out:
        worst = max(args.clips, key=lambda c: table.get((c, "today"), table[c, variants[0][0]])["d_max"])
        data = prepared(worst, args.width, args.frames, args.workdir, CLIPS)
        rows = [
            (
                f"{worst}\nframe {t}\nsource | " + " | ".join(v for v, _ in variants),
                [big(data["frames"][t - 1])] + [big(renders[worst, v]["frames"][t - 1]) for v, _ in variants],
            )
            for t in PICTURE_FRAMES
            if t <= len(data["frames"])
        ]
        args.out.mkdir(parents=True, exist_ok=True)
        labelled_rows(rows).save(args.out / "faithful.png")
        print(f"wrote {args.out / 'faithful.png'} ({worst})")


if __name__ == "__main__":
    main()
