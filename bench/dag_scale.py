"""Time Snakemake's dry run (parse + DAG) for a long render.

    python bench/dag_scale.py --frames 16000 [--chunk 50]

Makes a synthetic video of that many frames (64x36, 50 fps), a config with one
render, and times `snakemake -n` twice: first run (probes the video) and a
second one (probe cached). Prints seconds, peak memory and the job count.
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from paintflow.cost import snakemake_env  # noqa: E402

STYLE = REPO.parent / "shared" / "data" / "style" / "starry_night.jpg"


def dry_run(workdir: Path) -> tuple[float, float, int]:
    cmd = [
        "/usr/bin/time",
        "-f",
        "TIME %e %M",
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "--cores",
        "2",
        "-n",
    ]
    # as `paintflow plan` and `status` run it: where slurm is installed without a controller (this machine) the
    # SLURM plugin's import waits ~9 s on `scontrol`, which a stub answers at once (paintflow.cost.snakemake_env)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=snakemake_env())
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    secs, kb = re.findall(r"TIME ([\d.]+) (\d+)", proc.stderr)[-1]
    # Snakemake's job table, or paintflow's terminal ("12:00:00 1606 jobs to run: …")
    total = re.search(r"^total\s+(\d+)", proc.stdout, re.M) or re.search(r"(\d+) jobs to run", proc.stdout)
    return float(secs), int(kb) / 1024, int(total.group(1)) if total else -1


REBUILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from paintflow.config import load
from paintflow.dag import RenderDag
RenderDag(load(sys.argv[2] + "/config.yaml"))
print(time.perf_counter() - start)
"""
SNAPSHOT = """
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from paintflow.inputs import load_render
from paintflow.paths import render_file
load_render(render_file(sys.argv[2] + "/results", "r"))
print(time.perf_counter() - start)
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=16000)
    ap.add_argument("--chunk", type=int, default=50)
    ap.add_argument("--workdir", type=Path, default=None, help="keep the video, config and results here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wd = args.workdir or Path(tmp)
        wd.mkdir(parents=True, exist_ok=True)
        video = wd / "long.mp4"
        video.unlink(missing_ok=True)
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=64x36:rate=50",
                "-frames:v",
                str(args.frames),
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                str(video),
            ],
            check=True,
        )
        (wd / "config.yaml").write_text(
            yaml.safe_dump(
                {
                    "videos": {"long": {"path": str(video)}},
                    "renders": {"r": {"video": "long", "style": str(STYLE)}},
                    "execution": {"chunk_frames": args.chunk},
                }
            )
        )
        for label in ("first dry run (probes the video)", "second dry run (probe cached)"):
            secs, mb, jobs = dry_run(wd)
            print(f"{args.frames} frames, chunks of {args.chunk}: {label}: {secs:.1f} s, {mb:.0f} MB peak, {jobs} jobs")
        # what a job spends learning its settings: the workflow's model rebuilt (every job before issue 43's
        # job sheet: composite, encode, seam, mattes, a zoom's first chunk …) or the render's snapshot read
        for label, code in (
            ("rebuilding the workflow's model (RenderDag)", REBUILD),
            ("reading the render's snapshot", SNAPSHOT),
        ):
            out = subprocess.run(
                [sys.executable, "-c", code, str(REPO), str(wd)], capture_output=True, text=True, check=True, cwd=wd
            )
            print(f"a job's settings, {label}: {float(out.stdout):.3f} s")


if __name__ == "__main__":
    main()
