"""Issue 41: a look for each part of the edit, conformed into one master, and the cut back to the editor.

One real edit (three shots at 25 fps, with sound); a render of its second shot, a render of a time range of
its first; a timeline of the two. The master must be every frame of the video, each from the render that
covers it or as filmed, with the sound; the editor's files must hold the same cut."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import yaml
from edits import edit_frames, write_frames

from conftest import run_snakemake, snakemake_cmd
from paintflow import PaintflowError
from paintflow.config import prepare
from paintflow.dag import RenderDag
from paintflow.files import read_rgb
from paintflow.video import decoded_frames, read_frame

CUTS = [31, 55]  # shots 1-30, 31-54, 55-60
FILMED, RANGE, TWO = [*range(1, 11), *range(26, 31), *range(55, 61)], range(11, 26), range(31, 55)


def config(wd: Path, clip: Path, **renders) -> dict:
    return {
        "results": str(wd / "results"),
        "videos": {"edit": {"path": str(clip), "width": 96, "shots": CUTS}},
        "renders": renders
        or {
            "two": {"video": "edit", "look": "fast", "fast": {"style": 3}, "shots": "2"},
            "range": {"video": "edit", "look": "fast", "fast": {"style": 9}, "from": "0.4s", "to": "1.0s"},
        },
        "timelines": {
            "master": {
                "video": "edit",
                "renders": ["two", "range"],
                "encode": {"formats": ["h264", "ffv1"], "timecode": "01:00:00:00"},
            }
        },
        "upscale": {"scale": 1},
        "quality": {"enabled": False},
    }


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    wd = tmp_path_factory.mktemp("timeline")
    silent, clip = wd / "silent.mp4", wd / "edit.mp4"
    write_frames(silent, edit_frames((96, 54))[0][:60], fps=25)
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=2.4"]
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(silent), *tone]
    subprocess.run([*cmd, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(clip)], check=True)
    (wd / "config.yaml").write_text(yaml.safe_dump(config(wd, clip)))
    run_snakemake(wd)
    return wd, clip


def master_frames(path: Path, size=(96, 54)) -> list[np.ndarray]:
    gen = imageio_ffmpeg.read_frames(str(path), output_params=["-pix_fmt", "rgb24"])
    next(gen)
    return [np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3) for raw in gen]


def test_a_part_is_its_videos_own_frames_and_only_they_are_painted(timeline):
    wd, clip = timeline
    dag = RenderDag(prepare(yaml.safe_load((wd / "config.yaml").read_text())))
    whole = dag.videos["edit"].info
    for render, frames in (("two", TWO), ("range", RANGE)):
        video = dag.renders[render].video
        assert dag.videos[video].part["frames"] == [[frames.start, frames.stop - 1]]
        for t in (1, len(frames)):  # the part's frame t is the video's frame first + t − 1, byte for byte
            part = read_rgb(wd / f"results/videos/{video}/frames/{t:06d}.png")
            assert np.array_equal(part, read_frame(clip, whole, frames.start + t - 1))
        painted = sorted((wd / f"results/renders/{render}/fast").glob("*.png"))
        assert len(painted) == len(frames)
    assert not (wd / "results/videos/edit/frames").exists()  # the whole video is never extracted


def test_the_master_is_every_frame_from_its_part_or_as_filmed_with_the_sound(timeline):
    wd, clip = timeline
    out = wd / "results/timelines/master"
    master = master_frames(out / "master_ffv1.mkv")
    assert len(master) == 60
    info = RenderDag(prepare(yaml.safe_load((wd / "config.yaml").read_text()))).videos["edit"].info
    filmed = list(decoded_frames(clip, info))
    for render, frames in (("two", TWO), ("range", RANGE)):
        for i, t in enumerate(frames, 1):
            assert np.array_equal(master[t - 1], read_rgb(wd / f"results/renders/{render}/fast/{i:06d}.png")), t
    for t in FILMED:
        assert np.array_equal(master[t - 1], filmed[t - 1]), t
    from paintflow.media import describe

    mp4 = describe(out / "master.mp4")
    assert mp4["timecode"] == "01:00:00:00" and mp4["rate"] == "25/1"
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(out / "master.mp4")], capture_output=True, text=True
    )
    assert "Audio: aac" in probe.stderr
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out / "master.mp4"))
    assert frames == 60 and abs(seconds - 2.4) < 0.05


def test_the_editor_gets_the_cut_with_each_part_on_its_own_media(timeline):
    import opentimelineio as otio

    wd, clip = timeline
    out = wd / "results/timelines/master"
    tl = otio.adapters.read_from_file(str(out / "master.otio"))
    clips = list(tl.video_tracks()[0])
    assert [c.name for c in clips] == ["as filmed", "range", "as filmed", "two", "as filmed"]
    assert [c.source_range.duration.value for c in clips] == [10, 15, 5, 24, 6]
    assert clips[3].media_reference.target_url.endswith("/renders/two/two.mp4")
    assert clips[0].media_reference.target_url.endswith("/edit.mp4")
    assert tl.global_start_time.to_timecode() == "01:00:00:00"
    assert len(tl.audio_tracks()) == 1
    from paintflow.shots import from_edit

    info = {
        **RenderDag(prepare(yaml.safe_load((wd / "config.yaml").read_text()))).videos["edit"].info,
        "path": str(clip),
    }
    for name in ("master.edl", "master.xml"):  # read back as a cut list: a shot per clip
        assert from_edit(out / name, info, name).starts == [1, 11, 26, 31, 55]


def test_parts_that_cannot_make_a_master_are_refused_before_any_work(timeline):
    wd, clip = timeline

    def refused(**renders) -> str:
        cfg = config(wd / "bad", clip, **renders)
        cfg["videos"]["other"] = {"path": str(clip), "width": 96, "shots": "none"}
        with pytest.raises(PaintflowError) as err:
            RenderDag(prepare(cfg))
        return str(err.value)

    fast = {"video": "edit", "look": "fast"}
    said = refused(two={**fast, "shots": "2-3"}, range={**fast, "from": "1.0s"})
    assert "two and range both cover frames 31-60 of edit" in said, said
    said = refused(two={**fast, "shots": "4"}, range={**fast, "shots": "1"})
    assert "renders.two.shots: shot 4 does not exist: the video has 3 shot(s)" in said, said
    said = refused(two={**fast, "from": "5s"}, range={**fast, "shots": "1"})
    assert "renders.two.from: '5s' is outside the video (0–2.4 s of the source)" in said, said
    said = refused(two={**fast, "video": "other"}, range={**fast, "shots": "1"})
    assert "timelines.master.renders: two paints video 'other'; a timeline of 'edit' takes renders of it" in said, said


def test_another_look_for_one_part_remakes_only_that_part_and_the_master(timeline):
    wd, clip = timeline
    cfg = yaml.safe_load((wd / "config.yaml").read_text())
    cfg["renders"]["two"]["fast"]["style"] = 5
    (wd / "changed.yaml").write_text(yaml.safe_dump(cfg))
    cmd = snakemake_cmd(wd, "--cores", "2", "-n", configfile=wd / "changed.yaml")
    said = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    jobs = re.findall(r"would run: (.+)", said)
    print(jobs)
    assert (
        "fast look · two · frames 1-24 of 24" in jobs
        and "encode · two · composite in h264 · 24 frames at 25/1 fps" in jobs
    )
    assert len([j for j in jobs if j.startswith("conform · master")]) == 2, jobs  # the master in both formats
    assert not [j for j in jobs if "range" in j], jobs
