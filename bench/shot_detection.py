"""Shot detectors on a real edit with known cuts: precision, recall and speed per frame.

    python bench/shot_detection.py --size 1280x720 --repeat 3

The edit (tests/edits.py, built from ../shared/data): five shots of real footage joined by three hard
cuts and a fade through black, with a camera flash and a whip pan that are not cuts. Each detector
(TransNet V2, PySceneDetect's adaptive and content detectors) reads the clip as paintflow does (the
extraction's trim and rate, scaled to its input size); the time per frame is split into decoding and
detection, the median of ``--repeat`` runs, on this machine's cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from edits import write_edit  # noqa: E402

from paintflow import shots  # noqa: E402
from paintflow.video import probe  # noqa: E402


def scored(found: list, truth: dict) -> tuple[float, float, list]:
    fade = range(truth["fade"][0], truth["fade"][1] + 2)
    hits = {c for c in truth["cuts"] for s in found if s == c or (c in fade and s in fade)}
    false = [s for s in found if s not in truth["cuts"] and s not in fade]
    return (len(found) - len(false)) / max(len(found), 1), len(hits) / len(truth["cuts"]), false


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    size = tuple(int(x) for x in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "edit.mp4"
        truth = write_edit(clip, size)
        info = probe(clip)
        n = info["frames"]
        print(
            f"edit {size[0]}x{size[1]}, {n} frames at 20 fps; truth: shots start at 1, {truth['cuts']} "
            f"(the fade spans {truth['fade']}); flash at {truth['flash']}, whip pan {truth['pan']}"
        )
        print(
            f"{'detector':<11} {'precision':>9} {'recall':>6}  {'false cuts':<12} {'decode ms/f':>11} "
            f"{'detect ms/f':>11} {'total ms/f':>10}  16,000 frames"
        )
        t0 = time.perf_counter()
        shots.transnet()
        print(f"(TransNet V2 loads once per process: {time.perf_counter() - t0:.2f} s, not counted below)")
        for detector in shots.DETECTORS:
            decode, detect, found = [], [], None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                small = (
                    shots.TRANSNET_SIZE if detector == "transnetv2" else (256, round(256 * size[1] / size[0] / 2) * 2)
                )
                frames = shots.decode_small(clip, info, small)
                t1 = time.perf_counter()
                if detector == "transnetv2":
                    cut, transition = shots.transnet_scores(frames)
                    bounds = shots.boundaries_from_scores(cut, transition, 0.5)
                else:
                    bounds = shots.scenedetect_boundaries(frames, info["fps"], detector)
                t2 = time.perf_counter()
                decode.append((t1 - t0) / n)
                detect.append((t2 - t1) / n)
                found = shots.from_boundaries(n, bounds, detector).starts[1:]
            p, r, false = scored(found, truth)
            d, e = statistics.median(decode) * 1000, statistics.median(detect) * 1000
            print(
                f"{detector:<11} {p:>9.2f} {r:>6.2f}  {str(false):<12} {d:>11.2f} {e:>11.2f} {d + e:>10.2f}  "
                f"{(d + e) * 16000 / 60000:.1f} min"
            )


if __name__ == "__main__":
    main()
