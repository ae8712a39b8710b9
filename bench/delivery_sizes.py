"""Size and encode time of every delivery format (issue 25: README's delivery table).

    python bench/delivery_sizes.py [--sizes 1280x720,2560x1440] [--frames 40] [--rate 25]

Real footage painted: frames of cockatoo.mp4 (from 5 s) through the fast look (built-in style 19) at each
size, then encoded in every format of paintflow.delivery with its defaults. Size per minute = bytes per
frame × rate × 60 (no sound); encode time per frame on this machine. A painted picture is busier than
the footage, so these are on the large side for H.264/H.265.
"""

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from paintflow.delivery import FORMATS, encode, size_of  # noqa: E402
from paintflow.files import read_rgb  # noqa: E402
from paintflow.looks.fast.stylizer import FastSettings, FastStylizer  # noqa: E402
from paintflow.video import extract_frames, probe  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def painted(w: int, h: int, n: int) -> list:
    video = SHARED / "video" / "cockatoo.mp4"
    info = probe(video, width=w, height=h, start=5.0, duration=n / 20)
    paths = [Path(tempfile.gettempdir()) / f"paintflow-bench-{w}x{h}" / f"{i:06d}.png" for i in range(1, n + 1)]
    extract_frames(video, paths, info)
    fast = FastStylizer(FastSettings(19), threads=2, device="cpu")
    return [fast(read_rgb(p)) for p in paths]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1280x720,2560x1440")
    ap.add_argument("--frames", type=int, default=40)
    ap.add_argument("--rate", type=int, default=25)
    args = ap.parse_args()
    sizes = [tuple(map(int, s.split("x"))) for s in args.sizes.split(",")]
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for w, h in sizes:
            frames = painted(w, h, args.frames)
            for name, fmt in FORMATS.items():
                out = Path(tmp) / f"{name}-{w}" / "x" if fmt.sequence else Path(tmp) / f"{name}-{w}{fmt.container}"
                start = time.perf_counter()
                encode(iter(frames), len(frames), (w, h), out, fmt, Fraction(args.rate))
                seconds = time.perf_counter() - start
                mb_min = size_of(out) / len(frames) * args.rate * 60 / 1e6
                rows.setdefault(name, []).append((mb_min, seconds / len(frames) * 1000))
    head = " | ".join(f"{w}x{h} MB/min | ms/frame" for w, h in sizes)
    print(f"format | {head}")
    for name, cells in rows.items():
        print(f"{name} | " + " | ".join(f"{mb:,.0f} | {ms:.0f}" for mb, ms in cells))


if __name__ == "__main__":
    main()
