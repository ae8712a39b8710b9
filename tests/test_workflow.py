"""End to end through the Snakemake CLI on tiny real clips."""

import json

import numpy as np
import pytest
import yaml

from conftest import make_clip, run_snakemake, shared
from paintflow.files import read_flow, read_gray, read_rgb
from paintflow.masks import from_png
from paintflow.metrics import warping_error
from paintflow.video import stream_info

FRAMES = 8


def write_config(workdir, video, renders, flow_keep=True, stylize=None, upscale=None):
    cfg = {
        "execution": {"chunk_frames": 4},  # 8 frames = 2 chunks: exercises the chunk boundaries
        "upscale": upscale or {},
        "videos": {"clip": {"path": str(video), "width": 96, "fps": 10}},
        "renders": renders,
        "flow": {"method": "deepflow", "keep": flow_keep},
        "stylize": {"iterations": 10, "first_frame_iterations": 20, **(stylize or {})},
    }
    (workdir / "config.yaml").write_text(yaml.safe_dump(cfg))


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """One run with two renders of the same clip: temporal and independent per-frame."""
    wd = tmp_path_factory.mktemp("render")
    clip = make_clip(wd / "clip.mp4", audio=True, seconds=FRAMES / 10)
    style = str(shared("style", "starry_night.jpg"))
    write_config(
        wd,
        clip,
        {
            "temporal": {"video": "clip", "style": style},
            "independent": {"video": "clip", "style": style, "stylize": {"temporal": False}},
        },
    )
    proc = run_snakemake(wd)
    return wd, proc


def test_every_per_frame_target_exists(render):
    wd, _ = render
    r = wd / "results"
    for t in range(1, FRAMES + 1):
        assert (r / "videos/clip/frames" / f"{t:06d}.png").is_file()
        for name in ("temporal", "independent"):
            assert (r / "renders" / name / "stylized" / f"{t:06d}.png").is_file()
    for t in range(1, FRAMES):
        for d in ("fwd", "bwd"):
            assert (r / "videos/clip/flow" / d / f"{t:06d}.f16.npz").is_file()
    for t in range(2, FRAMES + 1):
        assert (r / "videos/clip/masks" / f"{t:06d}.png").is_file()
    info = json.loads((r / "videos/clip/frames/info.json").read_text())
    assert info["frames"] == FRAMES and (info["width"], info["height"]) == (96, 54)


def test_video_is_upscaled_with_frames_fps_and_audio(render):
    wd, _ = render
    for name in ("temporal", "independent"):
        for t in range(1, FRAMES + 1):
            assert read_rgb(wd / "results/renders" / name / "upscaled" / f"{t:06d}.png").shape == (108, 192, 3)
        got = stream_info(wd / "results/renders" / name / f"{name}.mp4")
        # waifu2x 2x is on by default: the video is twice the stylized 96x54
        assert got["frames"] == FRAMES and got["fps"] == 10 and got["size"] == (192, 108)
        assert got["has_audio"], "the source's audio must be muxed into the render"


def test_two_renders_share_frames_and_flow(render):
    wd, _ = render
    bench = wd / "results/benchmarks"
    # frames, flow and masks belong to the video: one job per chunk, not one per render
    assert sorted(p.name for p in (bench / "flow/clip").glob("*.tsv")) == ["000001-000004.tsv", "000005-000007.tsv"]
    assert len(list((bench / "masks/clip").glob("*.tsv"))) == 2
    for name in ("temporal", "independent"):
        assert len(list((bench / "stylize" / name).glob("*.tsv"))) == 2
    # every rule wrote a log and a benchmark, under results/
    for stage in ("frames", "flow", "masks", "vgg_weights", "style_targets", "stylize", "upscale", "encode"):
        assert list((wd / "results/logs" / stage).rglob("*.log")), stage
        assert list((bench / stage).rglob("*.tsv")), stage
    assert not (wd / "logs").exists() and not (wd / "benchmarks").exists()
    # frames are hard links into staging, and the frame store holds links, not copies
    assert (wd / "results/videos/clip/frames/000005.png").stat().st_nlink == 2  # and its staged decode
    stored = list((wd / "results/.paintflow/store/stylize/temporal").rglob("*.png"))
    assert len(stored) == FRAMES and all(p.stat().st_nlink == 2 for p in stored)


def test_temporal_loss_lowers_the_warping_error(render):
    wd, _ = render
    r = wd / "results"
    errors = {}
    for name in ("temporal", "independent"):
        e = []
        for t in range(2, FRAMES + 1):
            e.append(
                warping_error(
                    read_rgb(r / "renders" / name / "stylized" / f"{t - 1:06d}.png"),
                    read_rgb(r / "renders" / name / "stylized" / f"{t:06d}.png"),
                    read_flow(r / "videos/clip/flow/bwd" / f"{t - 1:06d}.f16.npz"),
                    from_png(read_gray(r / "videos/clip/masks" / f"{t:06d}.png")),
                )
            )
        errors[name] = float(np.mean(e))
    print(f"warping error: temporal {errors['temporal']:.5f}, independent {errors['independent']:.5f}")
    assert errors["temporal"] < 0.5 * errors["independent"]


def test_finished_render_is_up_to_date(render):
    wd, _ = render
    proc = run_snakemake(wd, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_flow_dropped_silent_source_and_no_upscaling(tmp_path):
    clip = make_clip(tmp_path / "silent.mp4", audio=False, seconds=0.4)
    write_config(
        tmp_path,
        clip,
        {"r": {"video": "clip", "style": str(shared("style", "the_scream.jpg"))}},
        flow_keep=False,
        stylize={"iterations": 3, "first_frame_iterations": 5},
        upscale={"scale": 1},
    )
    run_snakemake(tmp_path)
    r = tmp_path / "results"
    # temp() flow is removed after use, but for the backward flows of the last pairs (RenderDag.keeps_flow)
    kept = sorted(p.relative_to(r / "videos/clip/flow").as_posix() for p in (r / "videos/clip/flow").rglob("*.npz"))
    assert kept == ["bwd/000001.f16.npz", "bwd/000002.f16.npz", "bwd/000003.f16.npz"], kept
    assert len(list((r / "videos/clip/masks").glob("*.png"))) == 3
    got = stream_info(r / "renders/r/r.mp4")
    assert got["frames"] == 4 and not got["has_audio"]
    assert got["size"] == (96, 54) and not (r / "renders/r/upscaled").exists()  # upscaling off
    # temp flow being gone does not make the finished render out of date
    assert "Nothing to be done" in (lambda p: p.stdout + p.stderr)(run_snakemake(tmp_path, "-n"))


def test_a_job_that_builds_the_workflows_model_fails_under_the_suites_check(tmp_path):
    """The suite sets PAINTFLOW_FORBID_DAG_IN_JOBS, so every job of every test render proves it never builds
    the workflow's model; here the check itself: a process started by the workflow (its PID in the
    environment is another's) that builds one fails; the workflow's own parse may."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=0.3)
    cfg = {
        "results": str(tmp_path / "results"),
        "videos": {"clip": {"path": str(clip), "width": 32}},
        "renders": {"r": {"video": "clip", "style": str(shared("style", "starry_night.jpg"))}},
    }
    code = (
        "import sys; from paintflow.dag import RenderDag; from paintflow.config import prepare\n"
        f"RenderDag(prepare({cfg!r}), workflow=sys.argv[1] == 'workflow')\n"
    )
    env = {**os.environ, "PAINTFLOW_WORKFLOW_PID": "1", "PYTHONPATH": str(REPO)}
    job = subprocess.run([sys.executable, "-c", code, "job"], capture_output=True, text=True, env=env)
    assert job.returncode != 0 and "a job built the workflow's model" in job.stderr
    parse = subprocess.run([sys.executable, "-c", code, "workflow"], capture_output=True, text=True, env=env)
    assert parse.returncode == 0, parse.stderr[-2000:]
