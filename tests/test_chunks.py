from pathlib import Path

import numpy as np
import pytest

from conftest import shared
from paintflow import PaintflowError
from paintflow.chunk import ChunkContext
from paintflow.chunks import chunk_ranges, pair_range
from paintflow.files import write_rgb
from paintflow.looks.paint.stylize import stylize_chunk
from paintflow.store import FrameStore, prune, remove_leftovers


def test_chunk_ranges_cover_every_frame_once():
    chunks = chunk_ranges(103, 50)
    assert [(c.start, c.stop) for c in chunks] == [(1, 51), (51, 101), (101, 104)]
    assert [t for c in chunks for t in c] == list(range(1, 104))
    assert chunk_ranges(8, 50) == [range(1, 9)]


def test_a_longer_clip_adds_chunks_and_keeps_the_old_last_one():
    # 24 frames rendered before, now 30: the old chunk stays 1-24, the new frames get their own
    assert chunk_ranges(30, 50, boundaries=[24]) == [range(1, 25), range(25, 31)]
    assert chunk_ranges(30, 5, boundaries=[24])[-3:] == [range(21, 25), range(25, 26), range(26, 31)]
    assert chunk_ranges(20, 50, boundaries=[24]) == [range(1, 21)]  # shorter again: no effect


def test_pairs_stop_before_the_last_frame():
    assert list(pair_range(range(1, 5), 8)) == [1, 2, 3, 4]
    assert list(pair_range(range(5, 9), 8)) == [5, 6, 7]
    assert list(pair_range(range(9, 10), 9)) == []
    # the clip had 24 frames before: pair (24, 25) is new, it goes to the new chunk
    assert list(pair_range(range(21, 25), 30, [24])) == [21, 22, 23]
    assert list(pair_range(range(25, 31), 30, [24])) == list(range(24, 30))


def test_frame_store_restores_only_intact_frames_of_the_same_identity(tmp_path):
    out = tmp_path / "renders/r/stylized/000001.png"
    write_rgb(out, np.zeros((4, 4, 3), np.uint8))
    store = FrameStore(tmp_path, "stylize", "r", "key1")
    store.keep(out)
    data = out.read_bytes()
    out.unlink()  # what Snakemake does before re-running a job
    assert store.restore(out) and out.read_bytes() == data
    assert not store.restore(tmp_path / "renders/r/stylized/000002.png")
    # another identity (settings changed) never restores a stale frame
    assert not FrameStore(tmp_path, "stylize", "r", "key2").restore(out)
    # a damaged entry is dropped, not restored
    out.unlink()
    slot = store._slot(out)
    slot.write_bytes(data[:50])
    assert not store.restore(out) and not slot.exists() and not out.exists()


def test_prune_drops_unused_keys_and_leftovers_of_dead_processes(tmp_path):
    out = tmp_path / "renders/r/stylized/000001.png"
    write_rgb(out, np.zeros((4, 4, 3), np.uint8))
    FrameStore(tmp_path, "stylize", "r", "old").keep(out)
    FrameStore(tmp_path, "stylize", "r", "new").keep(out)
    dropped = prune(tmp_path, {("stylize", "r"): "new"})
    assert [p.split("/")[-1] for p in dropped] == ["old"]
    from paintflow.files import HOST

    dead = tmp_path / "renders/r/stylized" / f".000002.tmp-{HOST}-999999999.png"
    dead.write_bytes(b"x")
    removed = remove_leftovers(tmp_path)
    assert removed == [str(dead)] and out.exists()


@pytest.fixture(scope="module")
def chunk_inputs(tmp_path_factory):
    """Three content frames, VGG weights and style targets for a tiny chunk."""
    import cv2
    import torch

    from paintflow import vgg
    from paintflow.files import read_rgb
    from paintflow.looks.paint.settings import StyleSettings
    from paintflow.looks.paint.stylize import resize_style, style_targets

    d = tmp_path_factory.mktemp("chunk")
    img = cv2.resize(read_rgb(shared("content", "chelsea.png")), (48, 32), interpolation=cv2.INTER_AREA)
    content = {}
    for t in (1, 2, 3):
        path = d / f"content_{t}.png"
        write_rgb(path, np.roll(img, t, axis=1))
        content[t] = str(path)
    converted = vgg.convert("auto")
    vgg.save(converted, d / "vgg.pt")
    net = vgg.VGGFeatures(converted)
    style = resize_style(read_rgb(shared("style", "the_scream.jpg")), img.shape, 1.0)
    torch.save(style_targets(net, style, StyleSettings(), "cpu"), d / "targets.pt")
    return d, content


def run_chunk(d, content, outdir, store, frames=(1, 2, 3)):
    settings = {"temporal": False, "first_frame_iterations": 4, "device": "cpu"}
    outputs = {t: str(outdir / f"{t:06d}.png") for t in frames}
    ctx = ChunkContext(
        "stylize", "r", outputs, {t: content[t] for t in frames}, None, {}, {}, settings, {"method": "none"}, 1
    )
    ctx.store, ctx.progress = store, None  # what a job's context makes from its Snakemake object
    return stylize_chunk(ctx, d / "vgg.pt", d / "targets.pt", "max"), outputs


def test_killed_chunk_resumes_with_identical_frames(chunk_inputs, tmp_path):
    d, content = chunk_inputs
    _, reference = run_chunk(d, content, tmp_path / "a", FrameStore(tmp_path / "s1", "stylize", "r", "k"))

    # a first attempt that got through two frames, then died
    store = FrameStore(tmp_path / "s2", "stylize", "r", "k")
    run_chunk(d, content, tmp_path / "b", store, frames=(1, 2))
    for f in (tmp_path / "b").iterdir():  # Snakemake removes a re-run job's outputs
        f.unlink()
    stats, resumed = run_chunk(d, content, tmp_path / "b", store)
    assert stats["restored"] == 2 and stats["made"] == 1
    for t in reference:
        assert Path(reference[t]).read_bytes() == Path(resumed[t]).read_bytes()


def test_a_failing_frame_is_named(chunk_inputs, tmp_path):
    d, content = chunk_inputs
    broken = tmp_path / "broken.png"
    broken.write_text("not an image")
    store = FrameStore(tmp_path / "s", "stylize", "r", "k")
    with pytest.raises(PaintflowError, match="stylization of frame 2 failed"):
        run_chunk(d, {1: content[1], 2: str(broken)}, tmp_path / "o", store, frames=(1, 2))
    assert (tmp_path / "o" / "000001.png").is_file()  # the frame before it is kept
