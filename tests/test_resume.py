"""A render killed (SIGKILL, whole process group) at random points and resumed with the
documented command (`paintflow resume`) gives byte-identical frames to an uninterrupted render,
and leaves no temporary file or orphaned frame-store entry behind."""

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import soundfile
import yaml

from conftest import REPO, make_clip, shared
from paintflow.video import stream_info

PROFILE = REPO / "profiles" / "workstation"


def snakemake(wd, *args):
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(wd),
        "--configfile",
        str(wd / "config.yaml"),
        *args,
    ]


def setup(wd, clip):
    wd.mkdir()
    rate = 22050
    t = np.arange(rate // 2) / rate
    song = np.concatenate([np.sin(2 * np.pi * f * t) for f in (220, 1760)] * 2).astype(np.float32) / 2
    soundfile.write(str(wd / "song.wav"), song, rate)
    cfg = {
        # a (stabilised, so sequential) chroma matte of the clip, for the keyed render k
        "videos": {"clip": {"path": str(clip), "width": 64, "fps": 10, "matte": {"method": "chroma"}}},
        "renders": {
            # painted in two segments (chains restarting at frames 1 and 5, the second's lead-in at 3-4)
            "r": {
                "video": "clip",
                "style": str(shared("style", "composition_vii.jpg")),
                "stylize": {"segments": 2, "overlap": 2},
            },
            # multi-pass: a backward second pass (its chain runs from the last frame down)
            "m": {
                "video": "clip",
                "style": str(shared("style", "great_wave.jpg")),
                "stylize": {"passes": 2, "pass_iterations": 4, "iterations": 4, "first_frame_iterations": 8},
            },
            # the fast look smoothed with flow_blend is a sequential chain too
            "f": {"video": "clip", "look": "fast", "fast": {"style": 5}, "smooth": {"method": "flow_blend"}},
            # keyed: the fast look of what the matte keeps, composited over the render f
            "k": {"video": "clip", "look": "fast", "fast": {"style": 11}, "key": {"background": {"render": "f"}}},
            # the music walk over the clip (its trajectory is one job), smoothed along the flow
            "u": {
                "video": "clip",
                "look": "music",
                "music": {"audio": str(wd / "song.wav"), "clusters": 2, "styles": [2, 20]},
                "smooth": {"method": "flow_blend"},
            },
            # an infinite zoom: frame t = dream(zoom(frame t-1))
            "z": {
                "look": "zoom",
                "zoom": {
                    "image": str(shared("content", "astronaut.png")),
                    "width": 48,
                    "frames": 8,
                    "fps": 10,
                    "iterations": 2,
                    "octaves": 1,
                },
            },
        },
        "execution": {"chunk_frames": 3},
        "flow": {"keep": True},
        "stylize": {"iterations": 8, "first_frame_iterations": 16},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))


def render_files(wd):
    root = wd / "results"
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in (
            "videos/clip/frames",
            "videos/clip/flow/fwd",
            "videos/clip/flow/bwd",
            "videos/clip/masks",
            "renders/r/stylized",
            "renders/r/upscaled",
            "renders/r/lead",
            "renders/r/seamed",
            "renders/m/stylized",
            "renders/m/pass2",
            "renders/m/upscaled",
            "videos/clip/rmasks",
            "renders/f/fast",
            "renders/f/upscaled",
            "renders/z/zoom",
            "renders/z/upscaled",
            "videos/clip/mattes",
            "renders/k/filled",
            "renders/k/fast",
            "renders/k/composite",
            "renders/k/upscaled",
            "renders/u/music",
            "renders/u/upscaled",
            "renders/u/trajectory",
        )
        for p in sorted((root / sub).glob("[0-9]*.*" if sub != "renders/u/trajectory" else "*.*"))
    }


def test_killed_and_resumed_render_is_byte_identical(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=True, seconds=0.8)
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    setup(reference, clip)
    setup(resumed, clip)
    t0 = time.monotonic()
    subprocess.run(snakemake(reference, "--profile", str(PROFILE), "--cores", "2"), check=True, capture_output=True)
    full = time.monotonic() - t0

    rng = random.Random(20261123)
    kills = []
    for attempt in range(12):
        # the documented resume command
        output = open(tmp_path / f"attempt{attempt}.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "paintflow", "resume", "--directory", str(resumed), "--", "--cores", "2"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        delay = rng.uniform(0.06, 0.18) * full if attempt < 4 else None
        try:
            proc.wait(timeout=delay)
            output.close()
            log = (tmp_path / f"attempt{attempt}.log").read_text()
            assert proc.returncode == 0, f"resumed run failed (attempt {attempt}):\n{log[-3000:]}"
            break
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            output.close()
            kills.append(round(delay, 1))
    print(f"uninterrupted render {full:.1f} s; killed after {kills} s")
    assert len(kills) >= 3, "the test must really interrupt the render"

    ref, got = render_files(reference), render_files(resumed)
    assert len(ref) == 8 + 2 * 7 + 7 + 8 + 8 + 2 + 8 + 3 * 8 + 7 + 8 + 8 + 8 + 8 + 5 * 8 + 2 * 8 + 3
    assert got.keys() == ref.keys()
    different = [name for name in ref if ref[name] != got[name]]
    assert not different, f"frames differ after resume: {different}"
    assert stream_info(resumed / "results/renders/r/r.mp4")["frames"] == 8
    assert_clean(resumed / "results")


def assert_clean(results):
    """No temporary file of a killed process, and every frame-store entry is a link to a finished output
    of the current settings (no data kept for anything else)."""
    leftovers = [p for p in results.rglob(".*") if ".tmp-" in p.name or ".link-" in p.name]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    for entry in (results / ".paintflow/store").rglob("*"):
        if entry.is_file():
            assert entry.stat().st_nlink >= 2, f"orphaned frame-store entry: {entry}"
