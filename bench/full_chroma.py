"""Frames at full colour resolution (issue 40): the real clips of ../shared/data decoded as the workflow
extracts them, scaled in 4:2:0 (before) and made RGB at the source's size first (now).

    python bench/full_chroma.py [--picture docs/images/full_chroma.jpg]

Prints, per clip and processing width: how far the frames moved (mean and max grey levels), how sharp their
colour is (the mean gradient of the chroma channels, now / before) against their brightness's (unchanged),
and the decode's time per frame both ways; writes a picture of where the frames moved most,
magnified, before | now.
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

from paintflow import video  # noqa: E402

CLIPS = {
    "cockatoo": ROOT.parent / "shared/data/video/cockatoo.mp4",
    "chroma plate": ROOT.parent / "shared/data/video/chroma_keying_man.mp4",
    "big buck bunny": ROOT.parent / "shared/data/video/big_buck_bunny.mp4",
}
FRAMES = 40


def decode(path: Path, width: int, colour: str | None) -> tuple[list[np.ndarray], float]:
    info = video.probe(path, width=width, start=1.0, duration=FRAMES / 20)
    original = video.frame_filter
    video.frame_filter = lambda *a, **k: original(*a, **{**k, "colour": colour})
    try:
        start = time.perf_counter()
        frames = list(video.decoded_frames(path, info))
        seconds = time.perf_counter() - start
    finally:
        video.frame_filter = original
    return frames, seconds / max(len(frames), 1)


def sharpness(frames: list[np.ndarray]) -> tuple[float, float]:
    """Mean gradient magnitude of the chroma (Cr, Cb) and of the luma."""
    chroma, luma = [], []
    for f in frames:
        ycc = cv2.cvtColor(f, cv2.COLOR_RGB2YCrCb).astype(np.float32)
        g = [
            np.hypot(cv2.Sobel(ycc[..., c], cv2.CV_32F, 1, 0), cv2.Sobel(ycc[..., c], cv2.CV_32F, 0, 1)).mean()
            for c in range(3)
        ]
        luma.append(g[0])
        chroma.append((g[1] + g[2]) / 2)
    return float(np.mean(chroma)), float(np.mean(luma))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--picture", type=Path, default=None)
    args = ap.parse_args()
    head = ["clip", "width", "moved: mean / max grey levels", "chroma sharpness now / before", "luma now / before"]
    print("| " + " | ".join([*head, "decode ms per frame now / before"]) + " |")
    print("|---|---|---|---|---|---|")
    for name, path in CLIPS.items():
        for width in (320, 1280):
            before, t_before = decode(path, width, None)
            now, t_now = decode(path, width, "gbrp")
            diff = np.abs(np.stack(now).astype(np.int16) - np.stack(before))
            (c_now, l_now), (c_before, l_before) = sharpness(now), sharpness(before)
            print(f"| {name} | {width} | {diff.mean():.2f} / {diff.max()} | {c_now / c_before:.2f} | "
                  f"{l_now / l_before:.3f} | {1000 * t_now:.1f} / {1000 * t_before:.1f} |", flush=True)  # fmt: skip
    if args.picture:  # where the frames moved most: big buck bunny at 320, a 48x36 crop magnified 6x
        before, _ = decode(CLIPS["big buck bunny"], 320, None)
        now, _ = decode(CLIPS["big buck bunny"], 320, "gbrp")
        moved = [np.abs(a.astype(np.int16) - b).sum() for a, b in zip(now, before)]
        i = int(np.argmax(moved))
        d = cv2.blur(np.abs(now[i].astype(np.float32) - before[i]).sum(2), (24, 24))
        y, x = np.unravel_index(np.argmax(d), d.shape)
        y0, x0 = min(max(y - 18, 0), d.shape[0] - 36), min(max(x - 24, 0), d.shape[1] - 48)
        big = [cv2.resize(f[y0 : y0 + 36, x0 : x0 + 48], None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
               for f in (before[i], now[i])]  # fmt: skip
        sheet = np.hstack([big[0], np.full((big[0].shape[0], 8, 3), 255, np.uint8), big[1]])
        args.picture.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(args.picture), sheet[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
        print(f"picture (before | now, 6x): {args.picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
