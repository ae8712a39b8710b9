import numpy as np
import pytest

from paintflow import PaintflowError
from paintflow.chunks import ResumeCache, chunk_ranges, pair_range
from paintflow.jobs import stylize_chunk
from paintflow.files import write_rgb
from conftest import shared


def test_chunk_ranges_cover_every_frame_once():
    chunks = chunk_ranges(103, 50)
    assert [(c.start, c.stop) for c in chunks] == [(1, 51), (51, 101), (101, 104)]
    assert [t for c in chunks for t in c] == list(range(1, 104))
    assert chunk_ranges(8, 50) == [range(1, 9)]


def test_pairs_stop_before_the_last_frame():
    assert list(pair_range(range(1, 5), 8)) == [1, 2, 3, 4]
    assert list(pair_range(range(5, 9), 8)) == [5, 6, 7]
    assert list(pair_range(range(9, 10), 9)) == []


def test_resume_cache_restores_finished_outputs(tmp_path):
    src = tmp_path / "in.png"
    src.write_bytes(b"input")
    out = tmp_path / "out" / "000001.png"
    out.parent.mkdir()
    out.write_bytes(b"frame one")
    cache = ResumeCache(tmp_path / "resume", "stylize_r_0000", [src], {"w": 1})
    cache.keep(out)
    out.unlink()  # what Snakemake does before re-running a job
    assert cache.restore(out) and out.read_bytes() == b"frame one"
    assert not cache.restore(tmp_path / "out" / "000002.png")
    # another setting or a changed input never restores a stale frame
    assert not ResumeCache(tmp_path / "resume", "stylize_r_0000", [src], {"w": 2}).restore(out)
    src.write_bytes(b"changed input")
    assert not ResumeCache(tmp_path / "resume", "stylize_r_0000", [src], {"w": 1}).restore(out)
    cache.clear()
    assert not cache.dir.exists()


@pytest.fixture(scope="module")
def chunk_inputs(tmp_path_factory):
    """Three content frames, VGG weights and style targets for a tiny chunk."""
    import cv2
    import torch

    from paintflow import vgg
    from paintflow.files import read_rgb
    from paintflow.stylize import StyleSettings, resize_style, style_targets

    d = tmp_path_factory.mktemp("chunk")
    img = cv2.resize(read_rgb(shared("content", "chelsea.png")), (48, 32), interpolation=cv2.INTER_AREA)
    content = []
    for t in (1, 2, 3):
        path = d / f"content_{t}.png"
        write_rgb(path, np.roll(img, t, axis=1))
        content.append(str(path))
    converted = vgg.convert("auto")
    vgg.save(converted, d / "vgg.pt")
    net = vgg.VGGFeatures(converted)
    style = resize_style(read_rgb(shared("style", "the_scream.jpg")), img.shape, 1.0)
    torch.save(style_targets(net, style, StyleSettings(), "cpu"), d / "targets.pt")
    return d, content


def run_chunk(d, content, outdir, cache, frames=(1, 2, 3)):
    settings = {"temporal": False, "first_frame_iterations": 4, "device": "cpu"}
    outputs = [str(outdir / f"{t:06d}.png") for t in frames]
    return stylize_chunk(list(frames), content[: len(frames)], outputs, None, {}, {}, d / "vgg.pt",
                         d / "targets.pt", settings, "max", cache), outputs


def test_killed_chunk_resumes_with_identical_frames(chunk_inputs, tmp_path):
    d, content = chunk_inputs
    whole = ResumeCache(tmp_path / "r1", "job", content, {})
    _, reference = run_chunk(d, content, tmp_path / "a", whole)

    # a first attempt that got through two frames, then died
    cache = ResumeCache(tmp_path / "r2", "job", content, {})
    run_chunk(d, content, tmp_path / "b", cache, frames=(1, 2))
    for f in (tmp_path / "b").iterdir():  # Snakemake removes a re-run job's outputs
        f.unlink()
    timings, resumed = run_chunk(d, content, tmp_path / "b", cache)
    assert timings["restored"] == 2 and timings["frames"] == 1
    for a, b in zip(reference, resumed):
        assert open(a, "rb").read() == open(b, "rb").read()


def test_a_failing_frame_is_named(chunk_inputs, tmp_path):
    d, content = chunk_inputs
    broken = tmp_path / "broken.png"
    broken.write_text("not an image")
    cache = ResumeCache(tmp_path / "r", "job", content, {})
    with pytest.raises(PaintflowError, match="stylization of frame 2 failed"):
        run_chunk(d, [content[0], str(broken)], tmp_path / "o", cache, frames=(1, 2))
    assert (tmp_path / "o" / "000001.png").is_file()  # the frame before it is kept
