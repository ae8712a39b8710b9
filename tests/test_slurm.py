"""A tiny render through `--profile profiles/slurm` on a real single-node SLURM cluster
(../shared/slurm/start-slurm.sh), started and stopped by the `slurm_cluster` fixture. The render itself
is the `slurm_render` fixture (tests/conftest.py): where slurm is installed it starts with the session and
runs while the other tests do; this test, run last, waits for it."""

from paintflow.video import stream_info


def test_render_through_the_slurm_profile(slurm_render):
    wd, proc, log_file = slurm_render
    code = proc.wait(timeout=900)
    log = log_file.read_text()
    assert code == 0, log[-5000:]
    assert "Job" in log and "submitted" in log.lower(), "jobs must have gone through sbatch"
    got = stream_info(wd / "results/renders/r/r.mp4")
    assert got["frames"] == 6 and got["size"] == (64, 36) and got["has_audio"]
    # flow and masks of a chunk went to the cluster as one group job
    assert "prep_clip_0000" in log
