"""Planning a render's cost (calibrated, then measured) and watching its progress."""

import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from conftest import make_clip, run_snakemake, shared
from paintflow.progress import format_progress, render_progress

QUALITY = True  # its renders run the quality stage (tests/conftest.py: _quality_stage)


def paintflow(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "paintflow", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    wd = tmp_path_factory.mktemp("plan")
    clip = make_clip(wd / "clip.mp4", audio=True, seconds=0.8)
    (wd / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "videos": {"clip": {"path": str(clip), "width": 64, "fps": 10}},
                "renders": {"r": {"video": "clip", "style": str(shared("style", "starry_night.jpg"))}},
                "execution": {"chunk_frames": 4},
                "stylize": {"iterations": 10, "first_frame_iterations": 20},
            }
        )
    )
    out = paintflow("plan", "--cores", "2", "--gpus", "1", "--json", "plan.json", cwd=wd)
    return wd, out, json.loads((wd / "plan.json").read_text())


def test_plan_before_anything_ran_calibrates_and_says_so(planned):
    wd, out, plan = planned
    assert plan["calibrated"]["frames"] == 3
    assert "calibrated: nothing was measured" in out
    stages = {s["stage"]: s for s in plan["stages"]}
    assert stages["stylize"]["jobs_to_do"] == 2 and stages["stylize"]["jobs_done"] == 0
    assert stages["stylize"]["basis"].startswith("calibration: first 3 frames")
    # the calibration measured the stopping rule: how much of their ceiling its frames used
    assert "of their iteration ceiling (stopping rule)" in stages["stylize"]["basis"]
    assert plan["remaining_s"] > 0 and plan["gpu_h"] > 0 and plan["cpu_h"] > 0 and plan["wall_s"] > 0
    assert "GB" in out and "wall-clock estimate with 2 cores and 1 GPU:" in out
    assert "each shot of r is one chain of frames" in out  # the painted render's frames follow one another

    # planned again: this machine's calibration of these settings is reused, nothing is rendered
    shutil.rmtree(wd / "results/.calibration")
    brief = paintflow("plan", "--cores", "2", "--gpus", "0", "--brief", "--json", "again.json", cwd=wd).strip()
    again = json.loads((wd / "again.json").read_text())
    assert again["calibrated"]["cached"] and not (wd / "results/.calibration").exists()
    assert again["remaining_s"] == pytest.approx(plan["remaining_s"])
    sentence = r"about \d+ (s|min) and \d+ MB of disk for 8 frames on this machine \(2 cores, no GPU\)"
    assert re.fullmatch(sentence, brief)  # the studio's estimate


def test_prediction_is_within_50_percent_of_the_real_render(planned):
    wd, _, plan = planned
    run_snakemake(wd)
    actual = sum(pd.read_csv(t, sep="\t")["s"].iloc[-1] for t in (wd / "results/benchmarks").rglob("*.tsv"))
    ratio = plan["remaining_s"] / actual
    print(f"predicted {plan['remaining_s']:.1f} s of job time, actual {actual:.1f} s, ratio {ratio:.2f}")
    assert 0.5 <= ratio <= 1.5

    # afterwards the plan rests on the measurements and nothing is left
    after = paintflow("plan", "--cores", "2", "--json", "after.json", cwd=wd)
    again = json.loads((wd / "after.json").read_text())
    assert again["calibrated"] is None and again["remaining_s"] == 0
    assert all(s["jobs_to_do"] == 0 for s in again["stages"])
    assert {s["stage"]: s for s in again["stages"]}["stylize"]["basis"].startswith("measured: 2 jobs; frames use ")
    assert "measured, 8 files" in after
    status = paintflow("status", cwd=wd)
    assert "8/8 frames stylized (100.0 %)" in status and "video ready" in status
    # where the painting's time went: the iterations each frame took
    assert re.search(r"stylized: iterations per frame median \d+, p90 \d+, max \d+ \(", status), status


def fake_dag(root, renders):
    from types import SimpleNamespace

    return SimpleNamespace(
        results=str(root / "results"),
        renders=renders,
        render_stages=lambda name: ["stylize"],
        render_video=lambda name: str(root / "results/renders" / name / f"{name}.mp4"),
        render_shots=lambda name: [range(1, 51), range(51, renders[name].frames + 1)],
        uses=lambda name, stage: False,  # no quality records here
        key=lambda stage, owner: "k",  # the frame store's folder of the stage's frames (none held here)
        look=lambda name: SimpleNamespace(prepare=()),  # no training before the frames
    )


def test_progress_rate_and_eta(tmp_path):
    from types import SimpleNamespace

    folder = tmp_path / "results/renders/r/stylized"
    folder.mkdir(parents=True)
    now = 1_800_000_000.0
    for t in range(1, 11):  # 10 frames, one every 36 s: 100 frames/h
        f = folder / f"{t:06d}.png"
        f.write_bytes(b"x")
        os.utime(f, (now - 360 + 36 * t, now - 360 + 36 * t))
    [row] = render_progress(fake_dag(tmp_path, {"r": SimpleNamespace(frames=110)}), now=now)
    assert row["done"] == 10 and row["total"] == 110
    assert row["frames_per_hour"] == pytest.approx(100)
    assert row["eta_s"] == pytest.approx(3600)
    text = format_progress([row], now=now)
    assert "10/110 frames stylized (9.1 %)" in text and "100 frames/h" in text and "ETA 1 h 00 min" in text
    assert row["shots"] == 2 and row["shots_done"] == 0 and "0 of 2 shots done" in text
    # a run stopped for an hour and resumed: the pace is the resumed run's, not diluted by the pause
    for t in range(11, 16):
        f = folder / f"{t:06d}.png"
        f.write_bytes(b"x")
        os.utime(f, (now + 3600 + 18 * t, now + 3600 + 18 * t))
    [row] = render_progress(fake_dag(tmp_path, {"r": SimpleNamespace(frames=110)}), now=now + 3600 + 18 * 15)
    assert row["frames_per_hour"] == pytest.approx(200) and row["eta_s"] == pytest.approx(95 * 18)


def test_report_has_the_pictures_and_the_timing_plot(planned):
    from PIL import Image

    wd, _, _ = planned
    if not (wd / "results/renders/r/r.mp4").is_file():
        run_snakemake(wd)
    folder = wd / "results/renders/r/report"
    stages, sheet, timing = (Image.open(folder / n) for n in ("stages.png", "contact_sheet.png", "timing.png"))
    assert stages.height > 3 * 100 and stages.width > 5 * 64  # sampled frames x 5 stages
    assert sheet.width == 1440 and timing.width == 900
    assert (folder / "config.html").read_text().count("chunk_frames") == 1
    run_snakemake(wd, "--report", str(wd / "report.html"))
    html = (wd / "report.html").read_text(errors="ignore")
    for name in ("stages.png", "contact_sheet.png", "timing.png", "config.html", "r.mp4"):
        assert name in html, name
    assert len(html) > 200_000  # the pictures are embedded


def test_the_plan_speaks_of_the_machine_it_runs_on():
    """No "1 GPU(s)" on a machine without one, and no chain of frames for a render whose frames stand alone."""
    import pandas as pd

    from paintflow.cost import format_plan

    cols = ["stage", "median_s_per_job", "remaining_s", "peak_mem_mb", "cpu_h", "gpu_h"]
    p = {"table": pd.DataFrame(columns=cols), "remaining_s": 0.0, "cpu_h": 0.0, "gpu_h": 0.0, "wall_s": 10.0}
    out = format_plan({**p, "cores": 2, "gpus": 0, "chained": [], "disk": {}, "calibrated": None})
    assert "wall-clock estimate with 2 cores and no GPU: 10 s (jobs spread over the cores)" in out
    assert "GPU(s)" not in out and "chain" not in out
    out = format_plan({**p, "cores": 8, "gpus": 2, "chained": ["a"], "disk": {}, "calibrated": None})
    assert "8 cores and 2 GPUs: 10 s (jobs spread over the cores and the GPUs; each shot of a is one chain" in out


def test_a_jobs_start_is_told_apart_from_its_work_per_frame():
    """Jobs of two sizes give a job's start-up (loading torch, weights) and the seconds per frame; jobs
    of one size can tell nothing apart, so everything is per frame."""
    from paintflow.cost import start_and_rate

    start, rate = start_and_rate([2, 1, 2, 1], [7.1, 5.05, 6.9, 4.95])  # 3 s to start, 2 s a frame
    assert start == pytest.approx(3.0, abs=0.1) and rate == pytest.approx(2.0, abs=0.1)
    assert start_and_rate([4, 4], [8.0, 8.0]) == (0.0, 2.0)
    assert start_and_rate([2, 1], [3.0, 4.0]) == (3.5, 0.0)  # bigger jobs were not slower: all start-up


def test_a_jobs_progress_counts_the_whole_stage_and_its_eta_skips_the_first_frame(tmp_path, capsys):
    """A stage with variants (flow: fwd/, bwd/) counts the pairs already made, not restarting per job; the
    first frame (a shot's, with more iterations, or a job's warm-up) gives no time to go, nor weighs on it."""
    import sys as _sys

    from paintflow.jobs import Progress

    for variant in ("fwd", "bwd"):
        (tmp_path / variant).mkdir()
        for t in range(1, 51):
            (tmp_path / variant / f"{t:06d}.f16.npz").write_bytes(b"x")
    p = Progress("optical flow", "clip", 119, tmp_path, _sys.stdout)
    p.job_frames = 3
    p.frame(51, 30.0)  # slow first frame
    p.frame(52, 1.0)
    p.frame(53, 1.0)
    lines = capsys.readouterr().out.splitlines()
    assert "51/119" in lines[0] and "ETA" not in lines[0]
    assert "53/119" in lines[-1] and lines[-1].endswith("ETA 1 min 06 s")  # 66 frames at 1 s, not at 10.7 s
