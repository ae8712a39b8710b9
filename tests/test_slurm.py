"""A tiny render through `--profile profiles/slurm` on a real single-node SLURM cluster
(../shared/slurm/start-slurm.sh), started and stopped by the `slurm_cluster` fixture."""

import subprocess
import sys

import yaml

from conftest import REPO, make_clip, shared
from paintflow.video import stream_info


def test_render_through_the_slurm_profile(slurm_cluster, tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=True, seconds=0.6)
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 64, "fps": 10}},
        "renders": {"r": {"video": "clip", "style": str(shared("style", "great_wave.jpg"))}},
        # one chunk: each dependency level is a round trip through sbatch and squeue
        "execution": {"chunk_frames": 6, "gpus_per_job": 0},  # the test cluster has no GPU
        "upscale": {"scale": 1},
        "stylize": {"iterations": 4, "first_frame_iterations": 8},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(tmp_path),
        "--configfile",
        str(tmp_path / "config.yaml"),
        "--profile",
        str(REPO / "profiles" / "slurm"),
        # this cluster: no accounting database, partition "debug", 2 CPUs, fast polling. The plugin checks
        # first after --slurm-init-seconds-before-status-checks, then backs off by 10 s while nothing has
        # finished: a first check after 8 s finds these small jobs (5-7 s each) done (after 1 s: 12 s a job)
        "--slurm-status-command",
        "squeue",
        "--default-resources",
        "slurm_partition=debug",
        "--latency-wait",
        "5",
        "--slurm-init-seconds-before-status-checks",
        "8",
        "--seconds-between-status-checks",
        "1",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    log = proc.stdout + proc.stderr
    assert "Job" in log and "submitted" in log.lower(), "jobs must have gone through sbatch"
    got = stream_info(tmp_path / "results/renders/r/r.mp4")
    assert got["frames"] == 6 and got["size"] == (64, 36) and got["has_audio"]
    # flow and masks of a chunk went to the cluster as one group job
    assert "prep_clip_0000" in log
