"""Deliveries (issue 25): every format decoded back — codec, profile, pixel format, frame count, exact rate,
timecode, colour tags, sound length; PNG16/FFV1 exact and EXR within half-float precision; a keyed
render's performer layer whose alpha is its matte; a ProRes 4444 with alpha as the matte; 29.97 and
59.94 fps sources without drift."""

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
import OpenEXR
import pytest
import yaml

from conftest import run_snakemake
from paintflow import PaintflowError
from paintflow.delivery import FORMATS, check, encode, linear_to_srgb, srgb_to_linear
from paintflow.files import read_gray, read_rgb
from paintflow.media import describe, frames_timecode, start_timecode, timecode_frames
from paintflow.video import extract_frames, probe, sequence_pattern

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
# what a decoder reports for each format (ProRes 4444 decodes to 12 bits; HAP names itself by its fourcc)
DECODED = {"prores4444": "yuv444p12le", "hap": "rgb0", "hap_q": "rgb0", "hap_alpha": "rgba", "ffv1": "bgr0"}
DECODED_ALPHA = {"prores4444": "yuva444p12le", "hap_alpha": "rgba", "ffv1": "bgra"}


def decode(path, fmt="rgb24") -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.reformat(format=fmt).to_ndarray() for f in c.decode(video=0)]


def sound_seconds(path) -> float | None:
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return None
        rate = c.streams.audio[0].codec_context.sample_rate
        return sum(f.samples for f in c.decode(audio=0)) / rate


def sequence(folder, suffix) -> list[np.ndarray]:
    """A PNG sequence decoded by FFmpeg; an EXR one read by OpenEXR, the format's reference library (FFmpeg
    9's EXR decoder reads small half values up to 2 % off: 0.01298 in the file comes back as 0.01276)."""
    out = []
    for p in sorted(Path(folder).glob(f"*.{suffix}")):
        if suffix == "exr":
            with OpenEXR.File(str(p)) as f:
                channels = f.channels()
                rgb = channels["RGBA" if "RGBA" in channels else "RGB"].pixels
                out.append(rgb.astype(np.float32))
            continue
        with av.open(str(p)) as c:
            out.append(next(c.decode(video=0)).to_ndarray())
    return out


def check_file(path, name, frames, rate, timecode, alpha=False, sound=None):
    """A delivery decoded back: what the issue says each must carry."""
    fmt, got = FORMATS[name], describe(path)
    assert got["codec"] == {"prores_ks": "prores", "libx264": "h264", "libx265": "hevc"}.get(fmt.codec, fmt.codec)
    assert (got["profile"] or "") == fmt.profile, name
    expected = (DECODED_ALPHA if alpha else DECODED).get(name, fmt.alpha_pix_fmt if alpha else fmt.pix_fmt)
    assert got["pix_fmt"] == expected, name
    assert got["rate"] == rate and got["timecode"] == timecode, name
    assert got["colour"]["primaries"] == "bt709" and got["colour"]["transfer"] == "bt709", name
    assert got["colour"]["matrix"] == ("rgb" if fmt.rgb else "bt709"), name
    decoded = decode(path, "rgba" if alpha else "rgb24")
    assert len(decoded) == len(frames), name
    if sound is not None:
        assert abs(sound_seconds(path) - sound) <= 1 / Fraction(rate), name  # within one frame
    return decoded


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(7)
    frames = []
    for t in range(8):  # smooth gradients and a moving square with a soft alpha edge
        y, x = np.mgrid[0:144, 0:256]
        rgb = np.stack([x, y * 1.7, (x + y + 20 * t) % 256], -1).astype(np.uint8)
        a = np.clip(255 - np.hypot(x - 60 - 10 * t, y - 72) * 4, 0, 255).astype(np.uint8)
        rgb[40:60, 40 + 5 * t : 60 + 5 * t] = rng.integers(0, 256, 3, dtype=np.uint8)
        frames.append(np.dstack([rgb, a]))
    return frames


def test_every_format_decodes_with_its_rate_timecode_colour_and_sound(synthetic, tmp_path):
    sound = tmp_path / "tone.wav"
    subprocess.run([FFMPEG, "-loglevel", "error", "-f", "lavfi", "-i", "sine=f=440:duration=2", str(sound)], check=True)
    rate, tc = Fraction(30000, 1001), "01:00:00;00"
    seconds = len(synthetic) / rate
    for name, fmt in FORMATS.items():
        for alpha in (False, True) if fmt.alpha else (False,):
            out = tmp_path / (f"{name}{alpha:d}" + ("" if fmt.sequence else fmt.container))
            frames = synthetic if alpha else [f[..., :3] for f in synthetic]
            encode(iter(frames), len(frames), (256, 144), out, fmt, rate, alpha=alpha, timecode=tc,
                   audio=(sound, 0.0, 2.0))  # fmt: skip
            if fmt.sequence:
                side = yaml.safe_load((out / "delivery.json").read_text())
                assert side["rate"] == "30000/1001" and side["timecode"] == tc and side["frames"] == 8
                assert side["alpha"] == (("premultiplied" if name == "exr" else "straight") if alpha else None)
                assert abs(sound_seconds(out / "audio.wav") - float(seconds)) <= 1 / float(rate)
                continue
            decoded = check_file(out, name, frames, "30000/1001", tc, alpha, float(seconds))
            if name == "ffv1":  # lossless
                assert all(np.array_equal(a, b) for a, b in zip(decoded, frames))
            if alpha and name != "ffv1":
                err = max(np.abs(d[..., 3].astype(int) - f[..., 3]).max() for d, f in zip(decoded, frames))
                assert err <= 1, f"{name}: alpha off by {err}/255"
    # a full-range source stays full range where the codec allows it (ProRes is studio range by its spec)
    full = {"primaries": "bt470bg", "transfer": "smpte170m", "matrix": "smpte170m", "range": "pc"}
    for name, suffix, kept in (("h264", ".mp4", "pc"), ("prores", ".mov", "tv")):
        encode((f[..., :3] for f in synthetic[:2]), 2, (256, 144), tmp_path / f"full{suffix}", name, rate, colour=full)
        assert describe(tmp_path / f"full{suffix}")["colour"] == {**full, "range": kept}
    # PNG16: the frames exactly (v·257); EXR: scene-linear half floats, alpha premultiplied
    png = sequence(tmp_path / "png1", "png")
    assert all(np.array_equal(p, f.astype(np.uint16) * 257) for p, f in zip(png, synthetic))
    exr = sequence(tmp_path / "exr0", "exr")
    lin = [srgb_to_linear(f[..., :3] / 255.0) for f in synthetic]
    assert max((np.abs(e - v) / np.maximum(v, 2**-14)).max() for e, v in zip(exr, lin)) <= 2**-10  # 1 ulp (half)
    srgb = [linear_to_srgb(e) * 255 for e in exr]
    assert max(np.abs(s - f[..., :3]).max() for s, f in zip(srgb, synthetic)) < 0.5


def test_long_clips_keep_their_exact_rate(tmp_path):
    """Ten minutes at 29.97 and at 59.94 fps: every frame there, the duration n·1001/rate exactly."""
    for rate, n in ((Fraction(30000, 1001), 17982), (Fraction(60000, 1001), 35964)):
        frame = np.zeros((16, 16, 3), np.uint8)
        out = tmp_path / f"long{rate.numerator}.mp4"
        encode((frame for _ in range(n)), n, (16, 16), out, "h264", rate)
        with av.open(str(out)) as c:
            s = c.streams.video[0]
            assert Fraction(s.duration) * s.time_base == n / rate  # 600 s exactly, not 599.99 or 600.6
            assert s.frames == n and describe(out)["rate"] == f"{rate.numerator}/{rate.denominator}"


def test_formats_refuse_what_they_cannot_carry():
    with pytest.raises(PaintflowError, match="dnxhr needs at least 256x120"):
        check(["dnxhr"], ["composite"], False, (192, 108), "encode")
    with pytest.raises(PaintflowError, match="hap needs a width and height that are multiples of 4"):
        check(["hap"], ["composite"], False, (96, 54), "encode")
    with pytest.raises(PaintflowError, match="the performer layer needs a format with alpha"):
        check(["prores", "h264"], ["performer"], True, (96, 54), "encode")
    with pytest.raises(PaintflowError, match="need a keyed render"):
        check(["png"], ["performer"], False, (96, 54), "encode")
    assert start_timecode("01:00:00;00", Fraction(60000, 1001), 30.03, Fraction(60000, 1001)) == "01:00:30;00"


def test_drop_frame_timecode_agrees_with_opentimelineio():
    import opentimelineio as otio

    rng = np.random.default_rng(3)
    for nominal, rate in ((30, 30000 / 1001), (60, 60000 / 1001)):
        for n in rng.integers(0, 24 * 3600 * nominal - 300_000, 400):
            tc = otio.opentime.to_timecode(otio.opentime.RationalTime(int(n), rate), rate, True)
            assert frames_timecode(int(n), nominal, True) == tc and timecode_frames(tc, nominal) == n


def test_an_image_sequence_is_a_video_with_its_rate_and_timecode(tmp_path):
    """An editor's PNG sequence (numbered from 86400), with the delivery.json paintflow's own carry."""
    subprocess.run([FFMPEG, "-loglevel", "error", "-f", "lavfi", "-i", "mandelbrot=size=64x36:rate=24", "-frames:v",
                    "6", "-start_number", "86400", str(tmp_path / "shot_%06d.png")], check=True)  # fmt: skip
    (tmp_path / "delivery.json").write_text('{"rate": "24000/1001", "timecode": "00:59:59:00"}')
    media = describe(tmp_path)
    assert (media["rate"], media["timecode"], media["size"]) == ("24000/1001", "00:59:59:00", [64, 36])
    info = probe(tmp_path)
    assert info["frames"] == 6 and abs(info["fps"] - 24000 / 1001) < 0.01  # the exact fraction: media["rate"]
    out = [tmp_path / "out" / f"{t:06d}.png" for t in range(1, 7)]
    extract_frames(tmp_path / "shot_%06d.png", out, info)
    assert np.array_equal(read_rgb(out[3]), read_rgb(tmp_path / "shot_086403.png"))


def test_image_sequences_are_found_and_checked(tmp_path):
    for t in (1, 2, 4):
        (tmp_path / f"a_{t:04d}.png").write_bytes(b"")
    with pytest.raises(PaintflowError, match="pictures 3 are missing"):
        sequence_pattern(tmp_path)
    (tmp_path / "a_0003.png").write_bytes(b"")
    assert sequence_pattern(tmp_path) == (str(tmp_path / "a_%04d.png"), 1)
    (tmp_path / "b_01.tif").write_bytes(b"")
    with pytest.raises(PaintflowError, match="several numbered series"):
        sequence_pattern(tmp_path)
    assert sequence_pattern(tmp_path / "b_%02d.tif") == (str(tmp_path / "b_%02d.tif"), 1)


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    """A 59.94 fps clip with a drop-frame timecode, BT.709 tags and sound, cut from 0.5 s; a 29.97 fps ProRes
    4444 whose alpha channel is the matte of a keyed render delivered in layers, over a PNG sequence."""
    wd = tmp_path_factory.mktemp("delivered")
    make = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]
    subprocess.run([*make, "-i", "testsrc2=size=64x36:rate=60000/1001:duration=1.2", "-f", "lavfi", "-i",
                    "sine=f=440:sample_rate=48000:duration=1.2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-bsf:v",
                    "h264_metadata=colour_primaries=1:transfer_characteristics=1:matrix_coefficients=1",
                    "-timecode", "01:00:00;00", "-c:a", "aac", str(wd / "ntsc60.mp4")], check=True)  # fmt: skip
    disc = "if(lt(hypot(X-32-T*20,Y-18),10),1023,if(lt(hypot(X-32-T*20,Y-18),14),512,0))"
    subprocess.run([*make, "-i", f"testsrc2=size=64x36:rate=30000/1001:duration=0.4,format=yuva444p10le,"
                    f"geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='{disc}'", "-c:v", "prores_ks", "-profile:v",
                    "4444", "-pix_fmt", "yuva444p10le", "-timecode", "10:00:00;00", str(wd / "cut.mov")],
                   check=True)  # fmt: skip
    cfg = {
        "videos": {
            "ntsc60": {"path": str(wd / "ntsc60.mp4"), "start": 0.5},
            "cut": {"path": str(wd / "cut.mov"), "matte": {"method": "alpha"}},
        },
        "renders": {
            "ntsc60": {"video": "ntsc60", "look": "fast", "encode": {"formats": ["h264", "prores", "png"]}},
            "cut": {
                "video": "cut",
                "look": "fast",
                "key": {},
                "encode": {"formats": ["prores4444", "exr"], "layers": ["performer", "background"]},
            },
        },
        "upscale": {"scale": 1},
        "quality": {"enabled": False},
        "execution": {"chunk_frames": 100},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(wd)
    return wd / "results"


def test_a_render_keeps_the_source_rate_timecode_colour_and_sound(delivered):
    r = delivered / "renders"
    finals = [read_rgb(p) for p in sorted((r / "ntsc60/fast").glob("*.png"))]
    assert len(finals) == 42  # 0.5 s to 1.2 s at 59.94 fps
    tc = "01:00:00;30"  # the source's 01:00:00;00 moved by the 0.5 s cut (30 frames)
    for name, path in (("h264", r / "ntsc60/ntsc60.mp4"), ("prores", r / "ntsc60/ntsc60_prores.mov")):
        check_file(path, name, finals, "60000/1001", tc, sound=len(finals) * 1001 / 60000)
    png = sequence(r / "ntsc60/ntsc60_png", "png")
    assert all(np.array_equal(p, f.astype(np.uint16) * 257) for p, f in zip(png, finals))
    assert yaml.safe_load((r / "ntsc60/ntsc60_png/delivery.json").read_text())["timecode"] == tc
    got = describe(r / "cut/cut.mp4")  # the 29.97 fps source with a drop-frame timecode
    assert (got["rate"], got["timecode"], len(decode(r / "cut/cut.mp4"))) == ("30000/1001", "10:00:00;00", 12)
    page = (r / "ntsc60/report/deliveries.html").read_text()
    assert "ntsc60_prores.mov" in page and "ntsc60_png/" in page and ("MB" in page or "kB" in page)


def test_an_alpha_channel_is_the_matte_and_the_performer_layer_carries_it(delivered):
    r, v = delivered / "renders/cut", delivered / "videos/cut"
    source = decode(delivered.parent / "cut.mov", "rgba")
    mattes = [read_gray(p) for p in sorted((v / "mattes").glob("*.png"))]
    assert len(mattes) == len(source) == 12  # 0.4 s at 29.97 fps
    assert max(np.abs(m.astype(int) - s[..., 3]).max() for m, s in zip(mattes, source)) <= 1
    assert (np.abs(mattes[0].astype(int) - 128) <= 1).any()  # the disc's half-transparent ring, kept soft
    layer = check_file(r / "cut_performer_prores4444.mov", "prores4444", mattes, "30000/1001", "10:00:00;00", True)
    assert max(np.abs(d[..., 3].astype(int) - m).max() for d, m in zip(layer, mattes)) <= 1  # ±1/255
    painted = [read_rgb(p) for p in sorted((r / "fast").glob("*.png"))]
    inside = mattes[3] == 255
    assert np.abs(layer[3][..., :3].astype(int) - painted[3])[inside].mean() < 3  # the painted performer
    exr = sequence(r / "cut_performer_exr", "exr")  # premultiplied: colour is zero where alpha is
    assert all(e.shape[2] == 4 and np.abs(e[..., :3][m == 0]).max() == 0 for e, m in zip(exr, mattes))
    assert max(np.abs(e[..., 3] * 255 - m).max() for e, m in zip(exr, mattes)) <= 0.5
    background = decode(r / "cut_background_prores4444.mov")  # stylize: performer, over the footage: the footage
    filmed, painted = read_rgb(v / "frames/000004.png"), read_rgb(r / "fast/000004.png")
    # ProRes on these 64x36 test pictures is a few levels off (the composite too)
    assert np.abs(background[3].astype(int) - filmed).mean() < 0.05 * np.abs(background[3].astype(int) - painted).mean()
