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


def inodes(folder: Path) -> set[int]:
    """Every file's inode under results/ (a frame taken back from a store is a link to one of them)."""
    return {p.stat().st_ino for p in (folder / "results").rglob("*.png")}


def made_since(folder: Path, stage: str, seen: set[int]) -> tuple[int, int]:
    """(frames of a stage's folders that are new files, those that are files seen before: kept or taken back)."""
    frames = [p.stat().st_ino for p in (folder / "results/renders").glob(f"*/{stage}/*.png")]
    return sum(i not in seen for i in frames), sum(i in seen for i in frames)


def shot_length(folder: Path, number: int) -> int:
    from paintflow.cost import load

    _, dag = load(folder, folder / "config.yaml")
    return len(dag.videos["band"].shots.ranges()[number - 1])


def shot_frames(folder: Path, render: str) -> int:
    from paintflow.cost import load

    _, dag = load(folder, folder / "config.yaml")
    return dag.renders[render].frames


def painted_part(folder: Path, config: dict, width: int) -> None:
    """The painted look (its defaults, a smaller picture) over shot 1, then over shots 1-2: only shot 2 is
    painted the second time (the shot store); against painting shots 1-2 from nothing."""
    paint = {"video": "small", "look": "paint", "style": str(REPO / "resources/style/the_scream.jpg")}
    config = {**config, "videos": {**config["videos"], "small": {**config["videos"]["band"], "width": width}}}
    config["renders"] = {"verse": {**paint, "shots": "1"}}
    config["timelines"] = {}
    (folder / "paint.yaml").write_text(yaml.safe_dump(config))
    first, _ = render(folder, folder / "paint.yaml")
    config["renders"]["verse"]["shots"] = "1-2"
    (folder / "paint.yaml").write_text(yaml.safe_dump(config))
    seen = inodes(folder)
    grown, _ = render(folder, folder / "paint.yaml")
    made, restored = made_since(folder, "stylized", seen)
    config["renders"] = {"fresh": {**paint, "shots": "1-2"}}
    config["results"] = str(folder / "fresh_results")  # its own stores: painted from nothing
    (folder / "paint.yaml").write_text(yaml.safe_dump(config))
    fresh, _ = render(folder, folder / "paint.yaml")
    print(
        f"painted look at {width} px over shot 1: {first:.0f} s; then over shots 1-2: {grown:.0f} s, {made} "
        f"frames painted, {restored} taken back; shots 1-2 from nothing: {fresh:.0f} s"
    )


def main() -> int:
    from edits import edit_frames, write_frames

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--paint-width", type=int, default=160, help="the painted part's width (its CPU time)")
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
    seen = inodes(folder)
    config["renders"]["intro"]["shots"], config["renders"]["chorus"]["shots"] = "1", "2, 4-6"  # shot 2 moves
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    wall, jobs = render(folder, folder / "config.yaml")
    for r in ("intro", "chorus"):
        for old in (folder / f"results/renders/{r}/fast").glob("*.png"):  # a render's frames past its end stay
            if int(old.stem) > shot_frames(folder, r):
                old.unlink()
    made, kept = made_since(folder, "fast", seen)
    print(
        f"shot 2 moved from the intro to the chorus: {wall:.0f} s; fast look: {made} frames painted, {kept} "
        f"kept or taken back (shot 2 has {shot_length(folder, 2)} frames)"
    )
    painted_part(folder, config, args.paint_width)
    print(f"(folder kept: {folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
