"""Issue 41: a look for each part of the edit, conformed into one master, and the cut back to the editor.

One real edit (25 fps, with sound; its cut list from the editor: a shot, a dissolve, a shot, a hard cut, a
shot); one look for the first shot and the dissolve, another for the dissolve and the second shot, the last
shot as filmed. The master must be every frame of the video, each from the render that covers it or as
filmed, the dissolve mixing both looks, with the sound; the editor's files must hold the same cut."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import yaml
from edits import dissolve_frames, write_dissolve_cut_list, write_frames, write_three_shots

from conftest import run_snakemake, snakemake_cmd
from paintflow import PaintflowError
from paintflow.config import prepare
from paintflow.dag import RenderDag
from paintflow.files import read_rgb
from paintflow.video import decoded_frames, read_frame

FIRST, DISSOLVE, SECOND, FILMED = range(1, 31), range(31, 39), range(39, 55), range(55, 61)


def config(wd: Path, clip: Path, **renders) -> dict:
    return {
        "results": str(wd / "results"),
        "videos": {"edit": {"path": str(clip), "width": 96, "shots": str(clip.parent / "cut.otio")}},
        "renders": renders
        or {
            "first": {"video": "edit", "look": "fast", "fast": {"style": 3}, "shots": "1-2"},
            "second": {"video": "edit", "look": "fast", "fast": {"style": 9}, "from": "1.2s", "to": "00:00:02:04"},
            "intro": {"look": "zoom", "shots": "1", "zoom": {"video": "edit", "reverse": True, "iterations": 1}},
        },
        "timelines": {
            "master": {
                "video": "edit",
                "renders": ["first", "second"],
                "encode": {"formats": ["h264", "ffv1"], "timecode": "01:00:00:00"},
            },
            "opening": {"video": "edit", "renders": ["intro"], "encode": {"formats": ["h264", "ffv1"]}},
        },
        "upscale": {"scale": 1},
        "quality": {"enabled": False},
    }


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    wd = tmp_path_factory.mktemp("timeline")
    silent, clip = wd / "silent.mp4", wd / "edit.mp4"
    write_frames(silent, dissolve_frames((96, 54)), fps=25)
    assert write_dissolve_cut_list(wd / "cut.otio") == [FIRST.start, DISSOLVE.start, SECOND.start, FILMED.start]
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=2.4"]
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(silent), *tone]
    subprocess.run([*cmd, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(clip)], check=True)
    (wd / "config.yaml").write_text(yaml.safe_dump(config(wd, clip)))
    run_snakemake(wd)
    return wd, clip


def dag_of(wd: Path) -> RenderDag:
    return RenderDag(prepare(yaml.safe_load((wd / "config.yaml").read_text())))


def master_frames(path: Path, size=(96, 54)) -> list[np.ndarray]:
    gen = imageio_ffmpeg.read_frames(str(path), output_params=["-pix_fmt", "rgb24"])
    next(gen)
    return [np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3) for raw in gen]


def painted(wd: Path, render: str, t: int) -> np.ndarray:
    return read_rgb(wd / f"results/renders/{render}/fast/{t:06d}.png")


def test_a_part_is_its_videos_own_frames_and_only_they_are_painted(timeline):
    wd, clip = timeline
    dag = dag_of(wd)
    whole = dag.videos["edit"].info
    covers = {"first": range(1, 39), "second": range(31, 55)}  # shots 1-2; 1.2 s up to 2 s + 4 frames: 31-54
    for render, frames in covers.items():
        video = dag.renders[render].video
        assert dag.videos[video].part["frames"] == [[frames.start, frames.stop - 1]]
        for t in (1, len(frames)):  # the part's frame t is the video's frame first + t − 1, byte for byte
            part = read_rgb(wd / f"results/videos/{video}/frames/{t:06d}.png")
            assert np.array_equal(part, read_frame(clip, whole, frames.start + t - 1))
        assert len(list((wd / f"results/renders/{render}/fast").glob("*.png"))) == len(frames)
    assert dag.videos[dag.renders["second"].video].shots.starts == [1, 9]  # the dissolve, then the man
    assert not (wd / "results/videos/edit/frames").exists()  # the whole video is never extracted


def test_the_master_is_every_frame_from_its_part_or_as_filmed_and_the_dissolve_mixes_both(timeline):
    wd, clip = timeline
    out = wd / "results/timelines/master"
    master = master_frames(out / "master_ffv1.mkv")
    assert len(master) == 60
    filmed = list(decoded_frames(clip, dag_of(wd).videos["edit"].info))
    for t in FIRST:
        assert np.array_equal(master[t - 1], painted(wd, "first", t)), t
    for t in SECOND:
        assert np.array_equal(master[t - 1], painted(wd, "second", t - 30)), t
    for t in FILMED:
        assert np.array_equal(master[t - 1], filmed[t - 1]), t
    for i, t in enumerate(DISSOLVE, 1):  # from the first look into the second, linearly
        a, b = painted(wd, "first", t).astype(float), painted(wd, "second", i).astype(float)
        w = i / 9
        assert np.abs(master[t - 1] - (a * (1 - w) + b * w)).max() <= 0.5 + 1e-6, t
    from paintflow.media import describe

    mp4 = describe(out / "master.mp4")
    assert mp4["timecode"] == "01:00:00:00" and mp4["rate"] == "25/1"
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(out / "master.mp4")], capture_output=True, text=True
    )
    assert "Audio: aac" in probe.stderr
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out / "master.mp4"))
    assert frames == 60 and abs(seconds - 2.4) < 0.05
    from PIL import Image

    assert Image.open(out / "master_parts.png").width == 4 * 240  # a picture of the cut: each part's first frame


def test_the_editor_gets_the_cut_with_each_part_on_its_own_media(timeline):
    import opentimelineio as otio

    wd, clip = timeline
    out = wd / "results/timelines/master"
    tl = otio.adapters.read_from_file(str(out / "master.otio"))
    items = list(tl.video_tracks()[0])
    assert [i.name if isinstance(i, otio.schema.Clip) else "dissolve" for i in items] == [
        "first", "dissolve", "second", "as filmed"
    ]  # fmt: skip
    assert [c.source_range.duration.value for c in items if isinstance(c, otio.schema.Clip)] == [34, 20, 6]
    assert items[2].media_reference.target_url.endswith("/renders/second/second.mp4")
    assert items[3].media_reference.target_url.endswith("/edit.mp4")
    assert tl.global_start_time.to_timecode() == "01:00:00:00"
    assert len(tl.audio_tracks()) == 1
    from paintflow.shots import from_edit

    info = {**dag_of(wd).videos["edit"].info, "path": str(clip)}
    for name in ("master.otio", "master.edl", "master.xml"):  # read back as the video's cut list: the same shots
        shots = from_edit(out / name, info, name)
        assert shots.starts == [1, 31, 39, 55] and shots.kinds[1:3] == ["transition"] * 2, (name, shots)


def test_parts_that_cannot_make_a_master_are_refused_before_any_work(timeline):
    wd, clip = timeline

    def refused(**renders) -> str:
        cfg = config(wd / "bad", clip, **renders)
        cfg["videos"]["other"] = {"path": str(clip), "width": 96, "shots": "none"}
        cfg["timelines"].pop("opening")
        with pytest.raises(PaintflowError) as err:
            RenderDag(prepare(cfg))
        return str(err.value)

    fast = {"video": "edit", "look": "fast"}
    said = refused(first={**fast, "shots": "2-3"}, second={**fast, "from": "2.0s"})
    assert "first and second both cover frames 51-54 of edit" in said, said
    said = refused(first={**fast, "shots": "1-2"}, second={**fast, "from": "1.4s"})  # half the dissolve
    assert "first and second share part of the dissolve 31-38 of edit" in said, said
    said = refused(first={**fast, "shots": "5"}, second={**fast, "shots": "1"})
    assert "renders.first.shots: shot 5 does not exist: the video has 4 shot(s)" in said, said
    said = refused(first={**fast, "from": "5s"}, second={**fast, "shots": "1"})
    assert "renders.first.from: '5s' is outside the video (0–2.4 s of the source)" in said, said
    said = refused(first={**fast, "video": "other"}, second={**fast, "shots": "1"})
    assert "timelines.master.renders: first paints video 'other'; a timeline of 'edit' takes renders of it" in said


def test_another_look_for_one_part_remakes_only_that_part_and_the_master(timeline):
    wd, clip = timeline
    cfg = yaml.safe_load((wd / "config.yaml").read_text())
    cfg["renders"]["first"]["fast"]["style"] = 5
    (wd / "changed.yaml").write_text(yaml.safe_dump(cfg))
    cmd = snakemake_cmd(wd, "--cores", "2", "-n", configfile=wd / "changed.yaml")
    said = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    jobs = re.findall(r"would run: (.+)", said)
    print(jobs)
    looks = [j for j in jobs if j.startswith("fast look")]
    assert sorted(looks) == ["fast look · first · frames 1-30 of 38", "fast look · first · frames 31-38 of 38"], jobs
    assert "encode · first · composite in h264 · 38 frames at 25/1 fps" in jobs, jobs
    assert len([j for j in jobs if j.startswith("conform · master")]) == 2, jobs  # the master in both formats
    assert not [j for j in jobs if "second" in j], jobs
    # the work of the timeline: the parts' frames (the dissolve painted by both), not two looks × the video
    cmd = snakemake_cmd(wd, "--cores", "2", "-n", "--forceall")
    said = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    spans = re.findall(r"would run: fast look · \w+ · frames (\d+)-(\d+) of", said)
    assert sum(int(b) - int(a) + 1 for a, b in spans) == 38 + 24  # two whole-clip renders: 2 × 60


def test_status_draws_the_master_as_a_strip_of_its_parts(timeline):
    wd, clip = timeline
    said = subprocess.run(
        [sys.executable, "-m", "paintflow", "status", "-d", str(wd)], capture_output=True, text=True, check=True
    ).stdout
    strip = re.search(r"timeline master: \[(.+)\] master ready", said)
    assert strip and re.fullmatch(r"A{30}A{8}B{16}·{6}", strip.group(1)), said  # the dissolve: first's, into second
    assert "A first (fast): 38/38 frames made" in said and "B second (fast): 24/24 frames made" in said, said


def test_the_report_shows_the_timeline(timeline):
    wd, clip = timeline
    run_snakemake(wd, "--report", str(wd / "report.html"))
    html = (wd / "report.html").read_text(errors="ignore")
    for said in ("timeline master", "master_parts.png", "master.mp4", "each part's first frame"):
        assert said in html, said


def test_the_plan_gives_each_part_its_cost(timeline):
    wd, clip = timeline
    cfg = yaml.safe_load((wd / "config.yaml").read_text())
    cfg["renders"]["second"]["fast"]["style"] = 5
    (wd / "other_look.yaml").write_text(yaml.safe_dump(cfg))
    cmd = [sys.executable, "-m", "paintflow", "plan", "-d", str(wd), "--configfile", str(wd / "other_look.yaml")]
    said = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert "render first: frames 1-38 of video edit (38 frames), 0 s of job time to do" in said, said
    todo = re.search(r"render second: frames 31-54 of video edit \(24 frames\), (\d+) s of job time to do", said)
    assert todo and int(todo.group(1)) > 0, said
    assert re.search(r"timeline master: 60 frames of video edit \(first 38, second 16, as filmed 6\), 96x54", said)


def test_a_zoom_part_lasts_its_part_and_lands_on_the_frame_after_it(timeline):
    wd, clip = timeline
    dag = dag_of(wd)
    intro = dag.renders["intro"]
    assert (intro.frames, intro.fps, intro.settings["frame"]) == (30, 25.0, 31)  # shot 1, landing on frame 31
    master = master_frames(wd / "results/timelines/opening/opening_ffv1.mkv")
    filmed = list(decoded_frames(clip, dag.videos["edit"].info))
    assert len(master) == 60 and all(np.array_equal(master[t - 1], filmed[t - 1]) for t in FILMED)
    zoom = [read_rgb(dag.path(dag.final_stage("intro"), "intro", t)) for t in range(30, 0, -1)]  # played backwards
    assert all(np.array_equal(master[i], zoom[i]) for i in range(30))

    def far(a, b) -> float:
        return float(np.abs(a.astype(float) - b).mean())

    # the zoom-out ends on the frame after its part: its last frame is the dreamed frame 31
    assert far(master[29], filmed[30]) < 0.5 * far(master[0], filmed[30]), (
        far(master[29], filmed[30]),
        far(master[0], filmed[30]),
    )


def test_a_render_of_one_shot_is_the_quick_try(timeline, tmp_path):
    wd, clip = timeline

    def new(*args) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "paintflow", "new", str(clip), "--look", "fast", *args]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)

    said = new("--shots", "9", "--folder", "nine")
    assert said.returncode != 0 and "shot 9 does not exist: the video has" in said.stderr, said.stderr
    assert not (tmp_path / "nine").exists()  # nothing written
    assert new("--shots", "2", "--folder", "two").returncode == 0
    cfg = yaml.safe_load((tmp_path / "two/config.yaml").read_text())
    (render,) = cfg["renders"].values()
    assert render["shots"] == "2" and cfg["videos"]["edit"]["duration"] is None, cfg  # the video whole


def test_a_boundary_moved_by_a_shot_paints_only_the_shot_that_changed_hands(tmp_path):
    """Parts store their frames by shot too (paintflow.store.ShotStore): moving shot 2 from one part to the
    next paints shot 2 in its new look and takes every other shot back as it was — the same files (hard
    links), not frames made again — and a render that tries a shot alone gives it to the part holding it."""
    import os

    clip = tmp_path / "three.mp4"
    cuts = write_three_shots(clip)
    before = {
        "a": {"video": "edit", "look": "fast", "fast": {"style": 3}, "shots": "1-2"},
        "b": {"video": "edit", "look": "fast", "fast": {"style": 9}, "shots": "3"},
    }
    cfg = config(tmp_path, clip, **before)
    cfg["videos"]["edit"].update(width=64, shots=cuts)
    cfg["timelines"] = {"t": {"video": "edit", "renders": ["a", "b"]}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(tmp_path)

    def files(render):
        folder = tmp_path / "results/renders" / render / "fast"
        return {int(p.stem): p for p in sorted(folder.glob("*.png"))}

    old_a, old_b = (
        {t: p.stat().st_ino for t, p in files("a").items()},
        {t: p.stat().st_ino for t, p in files("b").items()},
    )
    cfg["renders"]["a"]["shots"], cfg["renders"]["b"]["shots"] = "1", "2-3"  # shot 2 changes hands
    cfg["renders"]["try"] = {"video": "edit", "look": "fast", "fast": {"style": 9}, "shots": "3"}  # tried alone
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(tmp_path)
    a, b, tried = files("a"), files("b"), files("try")
    assert [a[t].stat().st_ino for t in range(1, 5)] == [old_a[t] for t in range(1, 5)]  # shot 1: kept
    assert [b[t].stat().st_ino for t in range(5, 9)] == [old_b[t] for t in range(1, 5)]  # shot 3: taken back
    assert [tried[t].stat().st_ino for t in range(1, 5)] == [old_b[t] for t in range(1, 5)]  # and by `try`
    new = [b[t].stat().st_ino for t in range(1, 5)]
    assert not set(new) & (set(old_a.values()) | set(old_b.values()))  # shot 2: painted in b's look
    assert not np.array_equal(read_rgb(b[1]), read_rgb(a[1]))
    logs = " ".join(p.read_text() for p in (tmp_path / "results/logs/fast").rglob("*.log"))
    assert sum(int(n) for n in re.findall(r"(\d+) frame\(s\) restored", logs)) >= 12
    assert os.path.getsize(tmp_path / "results/timelines/t/t.mp4") > 0
    # a that lost shot 2 has its old frames 5-8 still in its folder: not counted done, the page shows its own
    from paintflow.progress import render_progress

    assert len(files("a")) == 8 and {r["render"]: (r["done"], r["total"]) for r in render_progress(dag_of(tmp_path))}[
        "a"
    ] == (4, 4)
    # the shot store keeps the keys of the current settings and drops the others (at each run's start)
    from paintflow.store import prune_shots, shots_root

    current = dag_of(tmp_path).current_local_keys()
    stale = shots_root(tmp_path / "results") / "fast" / "0123456789abcdef"
    (stale / "5-8").mkdir(parents=True)
    assert prune_shots(tmp_path / "results", current) == [str(stale)]
    assert {d.name for d in (shots_root(tmp_path / "results") / "fast").iterdir()} == current["fast"]


def decoded(path: Path, size, alpha: bool = False) -> list[np.ndarray]:
    fmt, channels = ("rgba", 4) if alpha else ("rgb24", 3)
    gen = imageio_ffmpeg.read_frames(str(path), pix_fmt=fmt, bpp=channels)
    next(gen)
    return [np.frombuffer(raw, np.uint8).reshape(size[1], size[0], channels) for raw in gen]


def test_a_keyed_part_gives_the_master_its_performer_and_background_layers(tmp_path):
    """A keyed render of the plate's first shot, the second as filmed: the master's performer layer is the
    keyed render's performer (its matte as alpha) there and transparent elsewhere; its background layer is what
    the performer stands on there and the whole picture elsewhere; the composite master is unchanged by it."""
    from conftest import shared

    plate = {"path": str(shared("video", "chroma_keying_man.mp4")), "width": 64, "fps": 20, "duration": 0.4}
    cfg = {
        "videos": {"plate": {**plate, "matte": {"method": "chroma"}, "shots": [5]}},
        "renders": {"performer": {"video": "plate", "look": "fast", "fast": {"style": 3}, "shots": "1", "key": {}}},
        "timelines": {
            "t": {
                "video": "plate",
                "renders": ["performer"],
                "encode": {"formats": ["ffv1"], "layers": ["composite", "performer", "background"]},
            }
        },
        "upscale": {"scale": 1},
        "quality": {"enabled": False},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(tmp_path)
    out = tmp_path / "results/timelines/t"
    size = tuple(dag_of(tmp_path).timelines["t"].size)
    composite, background = decoded(out / "t_ffv1.mkv", size), decoded(out / "t_background_ffv1.mkv", size)
    performer = decoded(out / "t_performer_ffv1.mkv", size, alpha=True)
    assert len(composite) == len(background) == len(performer) == 8
    alpha = np.stack([p[..., 3] for p in performer])
    assert alpha[4:].max() == 0  # the shot as filmed: no performer
    assert 0.05 < (alpha[:4] > 127).mean() < 0.95  # the keyed shot: the man, not the screen
    for t in range(4, 8):
        assert np.array_equal(background[t], composite[t])  # as filmed: the whole picture
    keyed = alpha[:4] > 250  # where the man is: the composite is his painted colours, not the background's
    assert np.abs(composite[0].astype(int) - background[0].astype(int))[keyed[0]].mean() > 10
