"""The chroma key's edges: accuracy against a known alpha, cost per frame, and a picture.

    python bench/key_edges.py [--picture docs/images/key_edges.jpg]

Plates with a known alpha (tests/plates.py: real photos cut out by a drawn silhouette over an unevenly lit
green or blue screen, sensor noise): edges 1, 3, 8 and 20 px wide, hair strands, a 12 px motion blur;
then the same plates with 4:2:0 chroma, and some at 1280x720. For each matte edge mode (hard: the key
before soft edges; soft: the mixing ratio; matting: soft with closed-form matting on its narrow edges)
it prints the mean alpha error in the edge band (true alpha 0.02-0.98), inside (>= 0.98) and outside
(<= 0.02); then the cost of one matte (key + clean-up) on a frame of the real chroma-key plate scaled to
320 and 1280 px wide; and writes true alpha | matte | composite over grey, one row per mode, for the 8 px
plate.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from plates import soft_plate  # noqa: E402

from paintflow.key import composite, estimate_key, matte_of, performer_colours  # noqa: E402
from paintflow.video import probe, read_frame  # noqa: E402

MODES = ("hard", "soft", "matting")
PLATES = [dict(edge=e, screen="green", subject="astronaut.png") for e in (1, 3, 8, 20)]
PLATES += [dict(edge=e, screen="blue", subject="chelsea.png") for e in (1, 3, 8, 20)]
PLATES += [dict(edge=2, hair=True, screen=s) for s in ("green", "blue")]
PLATES += [dict(edge=2, motion=12, screen=s) for s in ("green", "blue")]
HD = dict(w=1280, h=720)  # the same plates at 1280x720, the widths 4x
HD_PLATES = [dict(edge=e, screen="green", subject="astronaut.png", **HD) for e in (4, 32, 80)]
HD_PLATES += [dict(edge=8, hair=True, screen="blue", **HD), dict(edge=8, motion=48, screen="green", **HD)]


MATTE = {"method": "chroma", "inner": 6, "outer": 36, "speck": 64, "hole": 64, "grow": 0, "feather": 0.0}


def matte(rgb, key, mode):
    return matte_of(rgb, {**MATTE, "edge": mode}, key)


def errors(est, alpha):
    err = np.abs(est - alpha)
    return err[(alpha > 0.02) & (alpha < 0.98)].mean(), err[alpha >= 0.98].mean(), err[alpha <= 0.02].mean()


def accuracy(plates):
    print("| plate | " + " | ".join(f"{m}: band / inside / outside" for m in MODES) + " |")
    print("|---" * (len(MODES) + 1) + "|")
    for p in plates:
        rgb, alpha, _ = soft_plate(**p)
        key = estimate_key([rgb])
        cells = [" / ".join(f"{x:.4f}" for x in errors(matte(rgb, key, m), alpha)) for m in MODES]
        kind = "hair" if p.get("hair") else f"motion {p['motion']} px" if p.get("motion") else f"edge {p['edge']} px"
        name = f"{p['screen']}, {kind}" + (f" ({p['w']}x{p['h']})" if "w" in p else "")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def cost():
    video = ROOT.parent / "shared" / "data" / "video" / "chroma_keying_man.mp4"
    for w in (320, 1280):
        info = probe(video, width=w, start=3, duration=0.2)
        rgb = read_frame(video, info, 1)
        key = estimate_key([rgb])
        row = []
        for m in MODES:
            matte(rgb, key, m)
            n, start = 3, time.perf_counter()
            for _ in range(n):
                matte(rgb, key, m)
            row.append(f"{m} {(time.perf_counter() - start) / n * 1000:.0f} ms")
        print(f"matte per frame at {rgb.shape[1]}x{rgb.shape[0]}: " + ", ".join(row), flush=True)


def picture(out: Path):
    rgb, alpha, _ = soft_plate(edge=8, screen="green", w=320, h=180)
    key = estimate_key([rgb])
    grey = np.full_like(rgb, 128)
    rows = []
    for m in MODES:
        a = matte(rgb, key, m)
        comp = composite(performer_colours(rgb, a, key, 1.0), grey, a)
        to3 = lambda x: np.repeat(np.clip(x * 255, 0, 255).astype(np.uint8)[..., None], 3, -1)  # noqa: E731
        rows.append(np.hstack([to3(alpha), to3(a), comp]))
    sheet = np.vstack(rows)[:, :, ::-1]  # true alpha | matte | composite; a row per mode
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), sheet, [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(f"picture: {out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--picture", type=Path, default=None)
    args = ap.parse_args()
    cv2.setNumThreads(2)
    accuracy(PLATES)
    print("\nthe same with the chroma stored at half resolution (4:2:0, as cameras and codecs store it):")
    accuracy([{**p, "subsample": True} for p in PLATES])
    print()
    accuracy(HD_PLATES)
    cost()
    if args.picture:
        picture(args.picture)
