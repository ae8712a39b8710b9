import pytest

from conftest import make_clip, shared
from paintflow import PaintflowError
from paintflow.delivery import encode
from paintflow.files import read_rgb
from paintflow.media import exact_rate
from paintflow.video import extract_frames, output_size, probe, stream_info


def test_output_size_keeps_aspect_and_is_even():
    assert output_size((1280, 720), 96, None) == (96, 54)
    assert output_size((1280, 720), None, 100) == (178, 100)
    assert output_size((1280, 720), None, None) == (1280, 720)


def test_probe_counts_exact_frames_after_resampling_and_trim():
    info = probe(shared("video", "cockatoo.mp4"), width=96, fps=10, start=5, duration=0.8)
    assert (info["frames"], info["width"], info["height"], info["fps"]) == (8, 96, 54, 10.0)
    assert info["has_audio"]
    assert probe(shared("video", "cockatoo.mp4"))["frames"] == 280


def test_extract_and_encode_round_trip_with_audio(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=True)
    info = probe(clip, width=64)
    frames = [tmp_path / "f" / f"{i:06d}.png" for i in range(1, info["frames"] + 1)]
    extract_frames(clip, frames, info)
    assert all(f.is_file() for f in frames)
    out = tmp_path / "out.mp4"
    rgb = (read_rgb(f) for f in frames)  # the render's own .mp4 is the H.264 delivery
    size, rate = (info["width"], info["height"]), exact_rate(info["fps"])
    encode(rgb, len(frames), size, out, "h264", rate, audio=(clip, 0, info["duration"]))
    got = stream_info(out)
    assert got["frames"] == info["frames"] and got["fps"] == info["fps"] and got["has_audio"]
    assert not list(tmp_path.glob(".*tmp*"))  # atomic writes leave nothing behind


def test_unreadable_video_is_a_clear_error(tmp_path):
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    with pytest.raises(PaintflowError, match="corrupt.mp4"):
        probe(bad)
    with pytest.raises(PaintflowError, match="not found"):
        probe(tmp_path / "missing.mp4")


def test_truncated_video_is_rejected_not_silently_shortened(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=2.0)
    data = clip.read_bytes()
    # moov first (faststart) so ffmpeg can open it, then cut the media data
    fast = tmp_path / "fast.mp4"
    import subprocess

    import imageio_ffmpeg

    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-loglevel",
            "error",
            "-i",
            str(clip),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(fast),
        ],
        check=True,
    )
    cut = tmp_path / "truncated.mp4"
    cut.write_bytes(fast.read_bytes()[: int(len(data) * 0.6)])
    with pytest.raises(PaintflowError, match="truncated.mp4"):
        probe(cut)


def test_a_parts_alpha_is_its_videos_alpha_at_those_frames(tmp_path):
    """A part of a source with alpha (paintflow.parts: frames 3-4 and 7 of the video) reads the alpha of
    those frames of the video (one decode of the video's, not one per frame)."""
    import numpy as np
    from PIL import Image

    from paintflow.video import decoded_alpha

    for t in range(1, 9):  # each frame's alpha its own level
        rgba = np.zeros((16, 24, 4), np.uint8)
        rgba[..., 3] = 20 * t
        Image.fromarray(rgba, "RGBA").save(tmp_path / f"{t:06d}.png")
    source = tmp_path / "%06d.png"
    info = probe(source, fps=25)
    part = {**info, "frames": 3, "part": {"of": "v", "frames": [[3, 4], [7, 7]]}}
    got, want = decoded_alpha(source, part, [1, 2, 3]), decoded_alpha(source, info, [3, 4, 7])
    assert [int(got[t].mean()) for t in (1, 2, 3)] == [int(want[t].mean()) for t in (3, 4, 7)] == [60, 80, 140]
