"""What Snakemake's dry run costs per file, not per job: the measurement behind issue 43's design question
(16,000 frames planned in ≤ 10 s).

    python bench/snakemake_files.py --frames 4000 16000

A synthetic workflow of paintflow's shape — 5 per-frame stages in chunks of 50, each chunk one rule, each
chunk reading its upstream chunk's frames and one frame either side — planned from nothing (`snakemake -n`)
three ways: every frame a declared output and input (paintflow today); every frame an output, but a chunk
reads one marker file per upstream chunk; only one marker per chunk declared (the frames written beside
it, unknown to Snakemake). Prints seconds, peak memory and jobs. Jobs are the same in all three: the time
goes with the files Snakemake is told about.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from paintflow.cost import snakemake_env  # noqa: E402

SNAKEFILE = """
import os
N, C, MODE = int(os.environ["N"]), 50, os.environ["MODE"]
chunks = [(a, min(a + C - 1, N)) for a in range(1, N + 1, C)]
stages = ["frames", "flow", "masks", "stylized", "upscaled"]


def paths(st, a, b):
    return [f"r/{st}/{t:06d}.png" for t in range(a, b + 1)]


def marker(st, a, b):
    return f"r/{st}/.chunk_{a:06d}.done"


for i, st in enumerate(stages):
    for a, b in chunks:
        prev = stages[i - 1] if i else None
        if prev is None:
            inp = []
        elif MODE == "frames":
            inp = [ancient(p) for p in paths(prev, max(1, a - 1), min(N, b + 1))]
        else:
            inp = [ancient(marker(prev, a2, b2)) for a2, b2 in chunks if b2 >= a - 1 and a2 <= b + 1]
        out = paths(st, a, b) if MODE == "frames" else paths(st, a, b) + [marker(st, a, b)]
        rule:
            name: f"{st}_{a}"
            input: inp
            output: [marker(st, a, b)] if MODE == "markers" else out
            shell: "touch {output}"


finals = [p for a, b in chunks for p in paths("upscaled", a, b)]
rule all:
    default_target: True
    input: finals if MODE == "frames" else [marker("upscaled", a, b) for a, b in chunks]
"""

MODES = {
    "frames": "every frame declared (today)",
    "chunk inputs": "frames declared as outputs, a chunk marker as input",
    "markers": "one marker per chunk declared",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, nargs="*", default=[4000, 16000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "Snakefile").write_text(SNAKEFILE)
        for n in args.frames:
            for mode, label in MODES.items():
                env = snakemake_env(N=str(n), MODE=mode.split()[0])
                cmd = ["/usr/bin/time", "-f", "TIME %e %M", sys.executable, "-m", "snakemake", "-n", "--cores", "1"]
                proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise SystemExit(proc.stderr[-2000:])
                secs, kb = re.findall(r"TIME ([\d.]+) (\d+)", proc.stderr)[-1]
                jobs = re.search(r"^total\s+(\d+)", proc.stdout, re.M)
                print(
                    f"{n} frames, 5 stages in chunks of 50 ({jobs.group(1) if jobs else '?'} jobs), {label}: "
                    f"{float(secs):.1f} s, {int(kb) / 1024:.0f} MB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
