"""A timeline over a real edit (issue 41): the test edit of ../shared/data (five shots: hard cuts, a fade, a
flash, a whip pan; 138 frames written at 25 fps with a tone), two looks on two parts and a shot as filmed.
Prints the frames painted against two whole-clip renders, the render's time, the conform's time per master
frame, and what giving one part another look re-runs and costs.

    python bench/timeline.py [--width 640]
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def render(folder: Path, config: Path) -> tuple[float, list[str]]:
    cmd = [sys.executable, "-m", "paintflow", "render", str(config), "--", "--cores", "2"]
    start = time.monotonic()
    said = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True, cwd=folder
    ).stdout
    return time.monotonic() - start, re.findall(r"start: (.+)", said)


def bench_seconds(folder: Path, pattern: str) -> float:
    total = 0.0
    for tsv in (folder / "results/benchmarks").glob(pattern):
        with tsv.open() as fh:
            total += float(next(csv.DictReader(fh, delimiter="\t"))["s"])
    return total


def main() -> int:
    from edits import edit_frames, write_frames

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--width", type=int, default=640)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="paintflow-timeline-"))
    size = (args.width, args.width * 9 // 16)
    silent, clip = folder / "silent.mp4", folder / "band_edit.mp4"
    frames, truth = edit_frames(size)
    write_frames(silent, frames, fps=25)
    seconds = len(frames) / 25
    tone = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:duration={seconds}"]
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(silent), *tone]
    subprocess.run([*cmd, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(clip)], check=True)
    config = {
        "videos": {"band": {"path": str(clip), "shots": "auto"}},
        "renders": {
            "intro": {"video": "band", "look": "fast", "fast": {"style": 3}, "shots": "1-2"},
            "chorus": {"video": "band", "look": "fast", "fast": {"style": 9}, "shots": "4-6"},
        },
        "timelines": {
            "band_video": {"video": "band", "renders": ["intro", "chorus"], "encode": {"formats": ["h264", "prores"]}}
        },  # fmt: skip
        "upscale": {"scale": 1},
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    wall, jobs = render(folder, folder / "config.yaml")
    painted = sum(len(list((folder / f"results/renders/{r}/fast").glob("*.png"))) for r in ("intro", "chorus"))
    conform = bench_seconds(folder, "timeline/band_video/*.tsv")
    shots = subprocess.run([sys.executable, "-m", "paintflow", "shots", "-d", str(folder)], capture_output=True,
                           text=True, cwd=folder).stdout  # fmt: skip
    print(shots.strip().splitlines()[0] if shots.strip() else "")
    print(f"edit: {len(frames)} frames at {size[0]}x{size[1]}, 25 fps, cuts {truth['cuts']}")
    print(f"frames painted: {painted} (two whole-clip renders: {2 * len(frames)})")
    print(f"render and conform from nothing: {wall:.0f} s, {len(jobs)} jobs")
    print(f"conform, h264 + prores masters: {conform:.1f} s of job time, {1000 * conform / len(frames) / 2:.0f} ms "
          "per master frame and format")  # fmt: skip
    config["renders"]["chorus"]["fast"]["style"] = 5
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    wall, jobs = render(folder, folder / "config.yaml")
    what = sorted({" · ".join(j.split(" · ")[:2]) for j in jobs})
    print(f"another look for the chorus: {wall:.0f} s, {len(jobs)} jobs: {', '.join(what)}")
    print(f"(folder kept: {folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
