"""Renders that never waste a day: harmless edits re-run nothing, a damaged frame is made again
alone, a live run cannot be unlocked, and what users really feed it fails clearly or works."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml

from conftest import REPO, make_clip, run_snakemake, shared, snakemake_cmd
from paintflow.files import HOST
from paintflow.video import stream_info

QUALITY = True  # its renders run the quality stage (tests/conftest.py: _quality_stage)


def base_config(wd, clip):
    return {
        "videos": {"clip": {"path": str(clip), "width": 48, "fps": 10, "duration": 1.2}},
        "renders": {"r": {"video": "clip", "style": str(wd / "style.jpg")}},
        "execution": {"chunk_frames": 5},
        "flow": {"method": "dis"},  # flow.keep: false, the default (temporary flows)
        "stylize": {"iterations": 2, "first_frame_iterations": 4},
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished 12-frame render (chunks of 5: frames 1-5, 6-10, 11-12) to edit."""
    wd = tmp_path_factory.mktemp("finished")
    clip = make_clip(wd / "clip.mp4", audio=True, seconds=2.0)
    shutil.copy(shared("style", "great_wave.jpg"), wd / "style.jpg")
    cfg = base_config(wd, clip)
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(wd)
    (wd / "terminal.txt").write_text(proc.stdout + proc.stderr)
    return wd, cfg


def jobs_after(wd, cfg) -> list[dict]:
    """The jobs a run would execute for ``cfg`` (dry run; the paintflow logger writes them as JSON)."""
    conf = wd / "edited.yaml"
    conf.write_text(cfg if isinstance(cfg, str) else yaml.safe_dump(cfg))
    jobs = wd / "jobs.jsonl"
    jobs.unlink(missing_ok=True)
    cmd = snakemake_cmd(wd, "--cores", "1", "-n", configfile=conf)
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PAINTFLOW_JOBS_JSON": str(jobs)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = [json.loads(line) for line in jobs.read_text().splitlines()] if jobs.exists() else []
    return [j for j in found if j["rule"] != "all" and not j["rule"].startswith("identity_")]


def moved_copy(finished, dest):
    """A copy of the finished folder at ``dest`` (times and links kept) and its config with paths moved."""
    wd, cfg = finished
    subprocess.run(["cp", "-a", str(wd), str(dest)], check=True)
    return dest, yaml.safe_load(yaml.safe_dump(cfg).replace(str(wd), str(dest)))


def frames_of(job):
    return sorted(int(os.path.basename(o).split(".")[0]) for o in job["output"] if os.path.basename(o)[:6].isdigit())


def edit_swap_lines(wd, cfg):
    text = yaml.safe_dump(cfg, sort_keys=False)
    return text.replace(
        "  iterations: 2\n  first_frame_iterations: 4\n", "  first_frame_iterations: 4\n  iterations: 2\n"
    )


def edit_default_written(wd, cfg):
    return {**cfg, "stylize": {**cfg["stylize"], "style_weight": 10.0, "tv_weight": 0.1}}


def edit_device(wd, cfg):
    return {**cfg, "stylize": {**cfg["stylize"], "device": "cpu"}}


def edit_chunks(wd, cfg):
    return {**cfg, "execution": {"chunk_frames": 6}}


def edit_moved_video(wd, cfg):
    moved = wd / "moved" / "same_bytes.mp4"
    moved.parent.mkdir(exist_ok=True)
    shutil.copy(cfg["videos"]["clip"]["path"], moved)
    return {**cfg, "videos": {"clip": {**cfg["videos"]["clip"], "path": str(moved)}}}


@pytest.mark.parametrize("edit", [edit_swap_lines, edit_default_written, edit_device, edit_chunks, edit_moved_video])
def test_harmless_edits_rerun_nothing(finished, edit):
    wd, cfg = finished
    assert jobs_after(wd, edit(wd, cfg)) == []


def test_a_longer_clip_renders_only_the_new_frames(finished):
    """12 frames made 18 with temporary flows (the default): the new frames' quality records read the flows
    of the 4 frames before them, which the finished render kept (PF.keeps_flow); no old flow, mask, painted
    frame or record is computed again."""
    wd, cfg = finished
    jobs = jobs_after(wd, {**cfg, "videos": {"clip": {**cfg["videos"]["clip"], "duration": 1.8}}})
    per_frame = {j["rule"]: frames_of(j) for j in jobs if frames_of(j)}
    assert per_frame, jobs
    for rule, frames in per_frame.items():
        first_new = 12 if rule.startswith("flow_") else 13  # flow pair 12 is (12, 13)
        assert min(frames) >= first_new, f"{rule} re-makes old frames {frames}"
    computed = {}
    for rule, frames in per_frame.items():
        stage = rule.split("_")[0]
        computed[stage] = computed.get(stage, 0) + len(set(frames))  # a flow pair's fwd and bwd, a mask's picture
    assert computed == {"frames": 6, "flow": 6, "masks": 6, "stylize": 6, "upscale": 6, "quality": 6}, computed
    assert {j["rule"].split("_")[0] for j in jobs} <= {
        "extract",
        "frames",
        "flow",
        "masks",
        "stylize",
        "upscale",
        "quality",
        "encode",
        "report",
    }


def test_a_replaced_style_with_its_mtime_kept_reruns_the_style_and_what_follows(finished):
    wd, cfg = finished
    style = wd / "style.jpg"
    original = wd / "style_original.jpg"
    shutil.copy2(style, original)
    try:
        subprocess.run(["cp", "-p", str(shared("style", "the_scream.jpg")), str(style)], check=True)
        os.utime(style, ns=(original.stat().st_atime_ns, original.stat().st_mtime_ns))
        stages = {j["rule"].rsplit("_", 1)[0] if j["rule"][-1].isdigit() else j["rule"] for j in jobs_after(wd, cfg)}
        # the painted chain reads the flows again: temporary (flow.keep: false), they are made again; the masks
        # and everything else that read them are done and stay (paintflow/snakemake_fix.py)
        assert stages == {"style_targets_r", "flow_clip", "stylize_r", "upscale_r", "quality_r", "encode_r", "report"}
    finally:
        shutil.copy2(original, style)


def test_a_damaged_frame_is_made_again_alone_and_no_good_frame_is_deleted(finished, tmp_path):
    wd, _ = finished
    folder = wd / "results/renders/r"
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in folder.rglob("[0-9]*.png")}
    damaged = folder / "stylized/000010.png"
    good = damaged.read_bytes()
    with open(damaged, "r+b") as fh:  # truncated in place, as a full disk or a crash would leave it
        fh.truncate(100)
    proc = run_snakemake(wd)
    out = proc.stdout + proc.stderr
    assert "000010.png is damaged (truncated)" in out and "it will be made again" in out
    assert damaged.read_bytes() == good, "the frame made again is the one the render made first"
    for path, (inode, data) in before.items():
        if path != damaged:
            assert path.read_bytes() == data and path.stat().st_ino == inode, f"{path} was deleted or re-made"
    logs = "".join(p.read_text() for p in (wd / "results/logs/stylize/r").glob("*.log"))
    assert "1 made" in logs


def test_verify_finds_a_frame_that_does_not_decode(finished):
    wd, _ = finished
    frame = wd / "results/renders/r/upscaled/000007.png"
    data = frame.read_bytes()
    frame.unlink()
    frame.write_bytes(data[:60] + bytes(len(data) - 72) + data[-12:])  # damaged inside, ends intact
    proc = subprocess.run(
        [sys.executable, "-m", "paintflow", "verify", "--directory", str(wd)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 damaged" in proc.stdout and "upscaled/000007.png" in proc.stdout
    assert "the next run makes again: upscale of r, frame(s) 7" in proc.stdout
    assert not frame.exists()
    run_snakemake(wd)
    assert frame.read_bytes() == data


def test_unlock_and_resume_refuse_while_a_run_is_alive(finished):
    wd, _ = finished
    (wd / "results/.paintflow").mkdir(exist_ok=True)
    # a live process standing for the running render (its command line names snakemake)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "snakemake"])
    try:
        (wd / "results/.paintflow/run.json").write_text(
            json.dumps({"host": __import__("socket").gethostname(), "pid": live.pid, "start": time.time()})
        )
        resume = subprocess.run(
            [sys.executable, "-m", "paintflow", "resume", "--directory", str(wd)], capture_output=True, text=True
        )
        assert resume.returncode == 1 and "another render is running in this folder" in resume.stderr
        assert f"pid {live.pid}" in resume.stderr and "Traceback" not in resume.stderr
        unlock = run_snakemake(wd, "--unlock", check=False)
        assert unlock.returncode != 0 and "refusing to unlock" in unlock.stdout + unlock.stderr
    finally:
        live.kill()
        live.wait()
    # the marker of a dead process is ignored
    assert (
        subprocess.run(
            [sys.executable, "-m", "paintflow", "resume", "--directory", str(wd), "--", "--cores", "2"],
            capture_output=True,
            text=True,
        ).returncode
        == 0
    )


def test_plan_works_while_a_render_runs(finished, tmp_path):
    # on a copy: the killed render's other settings would make the shared render re-run its frames later
    wd, busy = moved_copy(finished, tmp_path / "busy")
    busy["stylize"] = {**busy["stylize"], "style_weight": 3.0, "iterations": 6}
    (wd / "config.yaml").write_text(yaml.safe_dump(busy))
    render = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(wd), "--cores", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        plans = []
        for _ in range(2):
            time.sleep(3)
            plans.append(
                subprocess.run(
                    [sys.executable, "-m", "paintflow", "plan", "--directory", str(wd)], capture_output=True, text=True
                )
            )
        assert render.poll() is None, "the render must still be running for this test to mean something"
        for proc in plans:
            assert proc.returncode == 0, proc.stderr
            assert "remaining work" in proc.stdout
    finally:
        os.killpg(render.pid, signal.SIGKILL)
        render.wait()


def test_a_variable_frame_rate_video_is_resampled_to_its_average(tmp_path):
    import imageio_ffmpeg

    vfr = tmp_path / "phone.mp4"  # bursts of frames 10 ms apart: a muxer sees non-monotonic timestamps
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(shared("video", "cockatoo.mp4")),
            "-t",
            "1",
            "-vf",
            "scale=64:36,setpts='(N*0.05+0.04*mod(N\\,2))/TB'",
            "-fps_mode",
            "passthrough",
            "-video_track_timescale",
            "1000",
            "-c:v",
            "libx264",
            str(vfr),
        ],
        check=True,
    )
    cfg = {
        "videos": {"v": {"path": str(vfr)}},
        "renders": {
            "r": {
                "video": "v",
                "style": str(shared("style", "starry_night.jpg")),
                "stylize": {"temporal": False, "first_frame_iterations": 1},
            }
        },
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 50},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(tmp_path)
    info = json.loads((tmp_path / "results/videos/v/frames/info.json").read_text())
    assert info["variable_rate"] and 19.0 < info["fps"] < 21.0
    assert stream_info(tmp_path / "results/renders/r/r.mp4")["frames"] == info["frames"]
    assert "variable frame rate: resampled to its average" in (tmp_path / "results/logs/extract/v/job.log").read_text()


def test_a_one_frame_render_works(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=True, seconds=0.5)
    cfg = {
        "videos": {"v": {"path": str(clip), "width": 32, "duration": 0.01}},
        "renders": {
            "r": {
                "video": "v",
                "style": str(shared("style", "starry_night.jpg")),
                "stylize": {"first_frame_iterations": 2},
            }
        },
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(tmp_path)
    assert stream_info(tmp_path / "results/renders/r/r.mp4")["frames"] == 1
    assert (tmp_path / "results/renders/r/report/stages.png").is_file()


def test_the_disk_filling_up_while_weights_are_converted_names_the_file(tmp_path):
    from paintflow import PaintflowError, vgg

    small = tmp_path / "small"
    small.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(small)], capture_output=True, text=True
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mount.stderr.strip()}")
    try:
        with pytest.raises(PaintflowError, match=r"could not write .*vgg\.pt: No space left on device"):
            vgg.save(vgg.convert("auto"), small / "models" / "vgg.pt")
        assert not [p for p in small.rglob("*") if p.is_file()], "no partial file may remain"
    finally:
        subprocess.run(["umount", "-l", str(small)])


def test_leftovers_of_dead_processes_are_cleaned_at_the_next_run(finished):
    wd, _ = finished
    stray = [
        wd / "results/videos/clip/flow/bwd" / f".000011.f16.tmp-{HOST}-999999998.npz",
        wd / "results/renders/r" / f".r.tmp-{HOST}-999999998.mp4.video.mp4",
        wd / "results/renders/r/stylized" / f".000003.link-{HOST}-999999998.png",
    ]
    for path in stray:
        path.write_bytes(b"")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "paintflow",
            "resume",
            "--directory",
            str(wd),
            "--",
            "--cores",
            "2",
            "--forcerun",
            "encode_r",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not [p for p in stray if p.exists()]


def test_the_terminal_shows_jobs_and_frames_not_file_lists(finished):
    wd, _ = finished
    text = (wd / "terminal.txt").read_text()
    assert "[stylized · r] frame 12 (2/2 of this job)" in text and "ETA" in text
    assert "start: stylized · r · frames 11-12 of 12" in text
    planned = int(re.search(r"(\d+) jobs? to run", text).group(1))  # one count of jobs, first line to last
    assert f"{planned} of {planned} jobs done (100 %)" in text
    for noise in ("input:", "output:", "Reason", "Removing temporary output", "Job stats"):
        assert noise not in text, noise
    jobs = text.count("start: ")
    assert len(text) < 400 + 300 * jobs, f"{len(text)} bytes for {jobs} jobs"


def test_a_moved_render_folder_reruns_nothing(finished, tmp_path):
    assert jobs_after(*moved_copy(finished, tmp_path / "moved")) == []


def test_a_render_after_re_made_frames_is_planned_whole(tmp_path):
    """Snakemake 9 skipped consumers of a re-run job whose inputs from it are all ancient (paintflow's
    per-frame inputs): a new render of a video whose frames must be re-made was planned as 'decode and
    publish the frames', then the run ended with the render missing (paintflow/snakemake_fix.py)."""
    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=1.0)
    cfg = {
        "videos": {"v": {"path": str(clip), "width": 32, "fps": 10, "duration": 0.6}},
        "renders": {"a": {"video": "v", "look": "fast", "fast": {"style": 1}}},
        "upscale": {"scale": 1},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(tmp_path)
    cfg["videos"]["v"]["start"] = 0.3  # other frames, at the same paths
    cfg["renders"] = {"b": {"video": "v", "look": "fast", "fast": {"style": 2}}}  # never made
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    planned = jobs_after(tmp_path, cfg)
    rules = sorted(j["rule"] for j in planned)
    assert any(r.startswith("fast_b_") for r in rules) and "encode_b" in rules, rules
    run_snakemake(tmp_path)
    assert stream_info(tmp_path / "results/renders/b/b.mp4")["frames"] == 6
