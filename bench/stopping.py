"""The painted look's stopping rule, measured: today's fixed iteration count against the rule, on real clips
of different motion (the shared clips cut into a calm and a fast part), in one run on an idle machine.

    python bench/stopping.py --workdir /tmp/stopping --out docs/images
    python bench/stopping.py --trace            # where candidate thresholds would stop today's frames

Per clip and variant: stylize time (the chain's frames, in one process: ratios, not absolute figures),
full-size iterations per temporal frame (median, p90, max), warping error t−1 → t and t−4 → t (masked,
with the source's own flow; `paintflow.metrics.warping_error`), and each frame's style and content loss
(the loss's own terms, weighted as in the render, evaluated on the finished 8-bit frame) against the same
frame of today's render. Draws docs/images/stopping.png: a late frame of each clip, today vs the rule, and
the histogram of iterations per frame.

"Today" is the previous default: `stop_change: 0` (a fixed 30 iterations per temporal frame, 100 on the first),
`temporal_init: blend`, `warp_interpolation: linear`. `--variants name:key=value,…` compares others; renders
are kept in the workdir, so the picture can be redrawn without rendering.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from paintflow import vgg  # noqa: E402
from paintflow.figures import histogram, labelled_rows  # noqa: E402
from paintflow.files import read_rgb  # noqa: E402
from paintflow.flow import compute_flow  # noqa: E402
from paintflow.looks.paint.settings import StyleSettings  # noqa: E402
from paintflow.looks.paint.stylize import (  # noqa: E402
    Optimiser,
    resize_style,
    style_targets,
    stylize_frame,
    to_tensor,
    warm_start,
)
from paintflow.masks import consistency_mask  # noqa: E402
from paintflow.metrics import warping_error  # noqa: E402
from paintflow.video import decoded_frames, probe  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
STYLE = SHARED / "style" / "starry_night.jpg"
# (video, start s): the calm and the fast part of each shared clip (mean |Δ grey| between source frames per
# second of cockatoo: 4.9 at 10 s, 15.0 at 7 s; of the chroma-key plate: 0.4 at 0 s, 13.8 at 11 s)
CLIPS = {
    "cockatoo calm": ("cockatoo.mp4", 10.0),
    "cockatoo fast": ("cockatoo.mp4", 7.0),
    "man calm": ("chroma_keying_man.mp4", 0.0),
    "man fast": ("chroma_keying_man.mp4", 10.8),
}
LONG = 4  # the long-term warping error's offset
TODAY = "today:stop_change=0,warp_interpolation=linear,temporal_init=blend,iterations=30"  # before the rule


def prepared(name: str, width: int, count: int, workdir: Path, clips: dict = CLIPS) -> dict:
    """Frames, backward flows and masks t → t−1 and t → t−4 (DeepFlow, as the workflow's default), cached."""
    cache = workdir / f"{name.replace(' ', '_')}_{width}_{count}.pkl"
    if cache.is_file():
        return pickle.loads(cache.read_bytes())
    video, start = clips[name]
    info = probe(SHARED / "video" / video, width=width, fps=10, start=start, duration=count / 10)
    frames = [f.copy() for f in decoded_frames(SHARED / "video" / video, info)][:count]

    def pair(t, j):
        back, fwd = compute_flow(frames[t], frames[t - j]), compute_flow(frames[t - j], frames[t])
        return back, consistency_mask(back, fwd)

    data = {
        "frames": frames,
        "short": {t: pair(t, 1) for t in range(1, len(frames))},
        "long": {t: pair(t, LONG) for t in range(LONG, len(frames))},
    }
    workdir.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(data))
    return data


def render(net, data: dict, settings: StyleSettings, trace: bool = False) -> dict:
    """One chain over the clip (0-based frames; frame 0 starts it): outputs, records, traces, seconds."""
    frames = data["frames"]
    targets = style_targets(net, resize_style(read_rgb(STYLE), frames[0].shape, settings.style_scale), settings, "cpu")
    out, records, traces, seconds, prev = [], [], [], [], None
    for t, frame in enumerate(frames):
        flow, mask = data["short"][t] if t else (None, None)
        record, frame_trace = {}, [] if trace else None
        t0 = time.perf_counter()
        prev = stylize_frame(
            net,
            targets,
            frame,
            settings,
            prev,
            flow,
            mask,
            t + 1,
            "cpu",
            record=record,
            trace=frame_trace,
            prev_content=frames[t - 1] if t else None,
            fresh=warm_start(frame, STYLE, settings) if t and settings.temporal_init == "fast" else None,
        )
        seconds.append(time.perf_counter() - t0)
        out.append(prev)
        records.append(record)
        traces.append(frame_trace)
        record["terms"] = terms(net, settings, targets["1"], frame, prev)
    return {"frames": out, "records": records, "traces": traces, "seconds": seconds}


def terms(net, settings, targets, content, output) -> dict:
    """The style and content terms of the render's loss (weighted as configured) on a finished 8-bit frame."""
    opt = Optimiser(net, settings, to_tensor(content, "cpu"), targets)
    with torch.no_grad():
        opt.loss(to_tensor(output, "cpu"))
    return {k: float(opt.terms[k]) for k in ("style", "content")}


def errors(data: dict, frames: list) -> tuple[float, float]:
    short = [warping_error(frames[t - 1], frames[t], *data["short"][t]) for t in range(1, len(frames))]
    long = [warping_error(frames[t - LONG], frames[t], *data["long"][t]) for t in range(LONG, len(frames))]
    return float(np.mean(short)), float(np.mean(long))


def cached(workdir: Path, clip: str, spec: str, make) -> dict:
    """A variant's render of a clip, kept in the workdir (the picture can be redrawn without rendering; delete
    the workdir after changing the painting code)."""
    path = workdir / f"render_{clip.replace(' ', '_')}_{spec.replace(':', '_').replace(',', '_')}.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    res = make()
    path.write_bytes(pickle.dumps(res))
    return res


def variant(spec: str) -> tuple[str, dict]:
    """'name:key=value,key=value' → (name, settings overrides)."""
    name, _, rest = spec.partition(":")
    overrides = {}
    for item in filter(None, rest.split(",")):
        key, value = item.split("=")
        for kind in (int, float, str):
            try:
                overrides[key] = kind(value)
                break
            except ValueError:
                continue
    return name, overrides


def trace_report(net, data: dict, name: str, rules: list[tuple[float, float, float]], window: int) -> None:
    """Today's chain with every iteration's change: where each candidate (mean, peak, style) would stop."""
    res = render(net, data, StyleSettings(stop_change=0, stop_window=window, iterations=30), trace=True)
    for change, peak, style in rules:
        stops = []
        for tr in res["traces"][1:]:
            hit = next(
                (
                    p["iteration"]
                    for p in tr
                    if p["iteration"] >= 5 and p["change"] < change and p["peak"] < peak and p["style_change"] < style
                ),
                30,
            )
            stops.append(hit)
        print(
            f"{name}: change<{change} peak<{peak} style<{style}: temporal frames would stop at median "
            f"{np.median(stops):.0f}, p90 {np.percentile(stops, 90):.0f}, max {max(stops)} of 30"
        )
    first = res["traces"][0]
    print(
        f"{name}: first frame's change at 25/50/75/100: "
        + ", ".join(
            f"{p['change']:.2f}/{p['peak']:.1f}/{p['style_change']:.3f}"
            for p in first
            if p["iteration"] in (25, 50, 75, 100)
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/stopping"))
    ap.add_argument("--out", type=Path, default=None, help="folder for stopping.png")
    ap.add_argument("--width", type=int, default=160)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--clips", nargs="*", default=list(CLIPS))
    ap.add_argument("--variants", nargs="*", default=[TODAY, "default:"])
    ap.add_argument("--trace", action="store_true", help="print where candidate thresholds stop today's frames")
    args = ap.parse_args()
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    variants = [variant(v) for v in args.variants]
    rows, counts = [], {}
    for name in args.clips:
        data = prepared(name, args.width, args.frames, args.workdir)
        if args.trace:
            candidates = [(m, p, s) for m in (0.5, 1.0, 1.5) for p in (4.0, 8.0) for s in (0.01, 0.02)]
            trace_report(net, data, name, candidates, 5)
            continue
        results = {
            v: cached(
                args.workdir,
                f"{name}_{args.width}_{args.frames}",
                spec,
                lambda o=o, d=data: render(net, d, StyleSettings(**o)),
            )
            for (v, o), spec in zip(variants, args.variants)
        }
        base = results[variants[0][0]]
        for v, res in results.items():
            its = [r["iterations"] for r in res["records"][1:]]
            e1, e4 = errors(data, res["frames"])
            ratio = {
                k: np.array([r["terms"][k] / b["terms"][k] for r, b in zip(res["records"], base["records"])])
                for k in ("style", "content")
            }
            total, later = sum(res["seconds"]), sum(res["seconds"][1:])
            print(
                f"{name:14s} {v:8s} time {total:6.1f} s ({sum(base['seconds']) / total:.2f}x; temporal frames "
                f"{later:5.1f} s, {sum(base['seconds'][1:]) / later:.2f}x) · "
                f"first frame {res['records'][0]['iterations']} it · temporal it median {np.median(its):.0f} "
                f"p90 {np.percentile(its, 90):.0f} max {max(its)} · E_warp t-1 {e1:.5f} t-4 {e4:.5f} · "
                f"style/today median {np.median(ratio['style']):.3f} max {ratio['style'].max():.3f} · "
                f"content/today median {np.median(ratio['content']):.3f} max {ratio['content'].max():.3f}",
                flush=True,
            )
            counts.setdefault(v, []).extend(its)
        late = len(data["frames"]) - 1
        rows.append(
            (
                f"{name}\nframe {late + 1}\nsource | " + " | ".join(v for v, _ in variants),
                [Image.fromarray(data["frames"][late])]
                + [Image.fromarray(results[v]["frames"][late]) for v, _ in variants],
            )
        )
    if args.out and rows:
        args.out.mkdir(parents=True, exist_ok=True)
        sheet = labelled_rows(rows)
        hist = histogram(
            counts, "iterations per temporal frame, all clips", max(StyleSettings(**o).iterations for _, o in variants)
        )
        both = Image.new("RGB", (max(sheet.width, hist.width), sheet.height + hist.height), (24, 24, 24))
        both.paste(sheet, (0, 0))
        both.paste(hist, (0, sheet.height))
        both.save(args.out / "stopping.png")
        print(f"wrote {args.out / 'stopping.png'}")


if __name__ == "__main__":
    main()
