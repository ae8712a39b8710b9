"""Bad input fails fast — before any job — with a message naming the file or key,
and deletes nothing already rendered."""

import pytest
import yaml

from conftest import make_clip, run_snakemake, shared


@pytest.fixture
def workdir(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=0.3)
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 64}},
        "renders": {"r": {"video": "clip", "style": str(shared("style", "great_wave.jpg"))}},
    }
    # something already rendered that must survive a failing invocation
    done = tmp_path / "results/renders/r/stylized/000001.png"
    done.parent.mkdir(parents=True)
    done.write_bytes(b"rendered")
    return tmp_path, cfg, done


def fails_with(workdir, cfg, *needles):
    wd, _, done = workdir
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(wd, check=False)  # a real run, not a dry run: nothing may start
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out[-3000:]}"
    assert done.read_bytes() == b"rendered"
    assert not (wd / "results/videos/clip/frames").exists(), "no job may have run"
    return out


def test_missing_video(workdir, tmp_path):
    _, cfg, _ = workdir
    cfg["videos"]["clip"]["path"] = str(tmp_path / "no_such_video.mp4")
    fails_with(workdir, cfg, "videos.clip.path", "video file not found", "no_such_video.mp4")


def test_corrupt_video(workdir, tmp_path):
    _, cfg, _ = workdir
    bad = tmp_path / "corrupt.mp4"
    data = (tmp_path / "clip.mp4").read_bytes()
    bad.write_bytes(data[: len(data) // 2])  # a real file cut in half
    cfg["videos"]["clip"]["path"] = str(bad)
    fails_with(workdir, cfg, "videos.clip.path", "corrupt.mp4")


def test_cut_outside_the_clip(workdir):
    _, cfg, _ = workdir
    cfg["videos"]["clip"]["shots"] = [2, 999]
    fails_with(workdir, cfg, "videos.clip.shots[1]", "the cut 999 (frame 999) is outside the clip")


def test_corrupt_cut_list(workdir, tmp_path):
    _, cfg, _ = workdir
    edl = tmp_path / "sequence.edl"
    edl.write_text("TITLE: sequence\n\n001  AX  V  C  00:00:00:00 00:00:01:00\n")
    cfg["videos"]["clip"]["shots"] = str(edl)
    fails_with(workdir, cfg, f"{edl}:3: not a CMX 3600 event line")


def test_missing_style(workdir, tmp_path):
    _, cfg, _ = workdir
    cfg["renders"]["r"]["style"] = str(tmp_path / "no_such_style.jpg")
    fails_with(workdir, cfg, "renders.r.style", "style image not found", "no_such_style.jpg")


def test_style_that_is_not_an_image(workdir, tmp_path):
    _, cfg, _ = workdir
    fake = tmp_path / "style.jpg"
    fake.write_text("this is not a picture")
    cfg["renders"]["r"]["style"] = str(fake)
    fails_with(workdir, cfg, "renders.r.style", "not a readable image", "style.jpg")


@pytest.mark.parametrize("where", ["top", "stylize", "video"])
def test_unknown_config_key(workdir, where):
    _, cfg, _ = workdir
    target = {"top": cfg, "stylize": cfg.setdefault("stylize", {}), "video": cfg["videos"]["clip"]}[where]
    target["style_wieght"] = 5
    fails_with(workdir, cfg, "style_wieght")


def test_out_of_range_value(workdir):
    _, cfg, _ = workdir
    cfg["stylize"] = {"iterations": 0}
    fails_with(workdir, cfg, "iterations", "0")


def test_render_of_unknown_video(workdir):
    _, cfg, _ = workdir
    cfg["renders"]["r"]["video"] = "nope"
    fails_with(workdir, cfg, "renders.r.video", "nope")


def test_a_picture_too_small_for_a_layer(workdir):
    """A layer sheet at 48 px wide (27 high): pool5 sees a picture of 32 pixels or more (it failed in the job,
    a max pool of a 1-pixel row)."""
    _, cfg, _ = workdir
    cfg["videos"]["clip"]["width"] = 48
    cfg["renders"]["r"] = {"look": "layer_sheet", "layer_sheet": {"video": "clip"}}
    fails_with(workdir, cfg, "renders.r.layer_sheet.layers: pool5 needs a picture of at least 32 pixels", "48×")


def test_time_range_without_frames(workdir):
    _, cfg, _ = workdir
    cfg["videos"]["clip"]["start"] = 60.0
    fails_with(workdir, cfg, "videos.clip.path", "no frames in the selected range")


def test_file_without_video_stream(workdir, tmp_path):
    import subprocess

    import imageio_ffmpeg

    _, cfg, _ = workdir
    audio = tmp_path / "only_audio.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-t",
            "1",
            "-i",
            "sine=frequency=440",
            "-c:a",
            "aac",
            str(audio),
        ],
        check=True,
    )
    cfg["videos"]["clip"]["path"] = str(audio)
    fails_with(workdir, cfg, "videos.clip.path", "only_audio.mp4", "has no video stream")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB file system mounted where the render writes its results."""
    import subprocess

    results = tmp_path / "results"
    results.mkdir(exist_ok=True)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(results)], capture_output=True, text=True
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mount.stderr.strip()}")
    yield results
    subprocess.run(["umount", "-l", str(results)])


def test_full_disk_is_refused_before_any_job(workdir, tiny_disk):
    wd, cfg, _ = workdir
    earlier = tiny_disk / "renders/old/stylized/000001.png"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"rendered")
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(wd, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "not enough free disk" in out and str(tiny_disk) in out
    assert earlier.read_bytes() == b"rendered"
    assert not (tiny_disk / "videos/clip/frames").exists()


def test_disk_filling_up_mid_write_names_the_file_and_keeps_what_exists(tiny_disk):
    import numpy as np

    from paintflow import PaintflowError
    from paintflow.files import read_rgb, write_rgb

    done = tiny_disk / "frames/000001.png"
    write_rgb(done, np.zeros((10, 10, 3), np.uint8))
    noise = np.random.default_rng(0).integers(0, 255, (1000, 1000, 3), dtype=np.uint8)  # ~3 MB as PNG
    with pytest.raises(PaintflowError, match=r"could not write .*000002.png: No space left on device"):
        write_rgb(tiny_disk / "frames/000002.png", noise)
    assert read_rgb(done).shape == (10, 10, 3)
    assert sorted(p.name for p in (tiny_disk / "frames").iterdir()) == ["000001.png"]  # no partial file


def test_a_config_with_nothing_to_make_says_so(workdir):
    """No render and no timeline: said in words (a timeline alone, every shot as filmed, is something)."""
    from paintflow import PaintflowError
    from paintflow.config import prepare

    _, cfg, _ = workdir
    with pytest.raises(PaintflowError, match="nothing to make: give renders:"):
        prepare({"videos": cfg["videos"]})
    prepare({"videos": cfg["videos"], "timelines": {"t": {"video": "clip", "renders": []}}})
