"""The painted look, better: long-term consistency, multi-pass, colour preservation, style blends."""

import cv2
import numpy as np
import pytest
import torch
import yaml

from conftest import make_clip, run_snakemake, shared
from paintflow import vgg
from paintflow.files import read_flow, read_gray, read_rgb
from paintflow.looks.paint import losses
from paintflow.looks.paint.settings import StyleSettings
from paintflow.looks.paint.stylize import blended_targets, resize_style, style_targets, stylize_frame
from paintflow.masks import from_png
from paintflow.metrics import warping_error

QUALITY = True  # its renders run the quality stage (tests/conftest.py: _quality_stage)


def test_long_term_weights_count_each_pixel_once():
    c1 = torch.tensor([1.0, 0.0, 0.0, 0.4])
    c2 = torch.tensor([1.0, 1.0, 0.0, 0.4])
    c4 = torch.tensor([1.0, 1.0, 1.0, 1.0])
    w1, w2, w4 = losses.long_term_weights([c1, c2, c4])
    assert w1.tolist() == c1.tolist()
    assert w2.tolist() == pytest.approx([0.0, 1.0, 0.0, 0.0])  # only where frame t-1 did not cover it
    assert w4.tolist() == pytest.approx([0.0, 0.0, 1.0, 0.2])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One clip painted three ways: single pass, long-term {1, 2, 4}, and three passes."""
    wd = tmp_path_factory.mktemp("quality")
    clip = make_clip(wd / "clip.mp4", audio=False, seconds=1.4)
    style = str(shared("style", "starry_night.jpg"))
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 64, "fps": 10}},
        "renders": {
            "single": {"video": "clip", "style": style},
            "long": {"video": "clip", "style": style, "stylize": {"long_term": [1, 2, 4]}},
            "multi": {"video": "clip", "style": style, "stylize": {"passes": 3}},
        },
        "stylize": {"iterations": 8, "first_frame_iterations": 24, "pass_iterations": 6},
        "flow": {"keep": True},
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 14},  # one chunk per stage: painted chains cross chunks in test_resume.py
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(wd)
    return wd / "results"


def errors(r, render, folder, step=1, flows="flow/bwd", masks="masks"):
    return [
        warping_error(
            read_rgb(r / f"renders/{render}/{folder}/{t - step:06d}.png"),
            read_rgb(r / f"renders/{render}/{folder}/{t:06d}.png"),
            read_flow(r / f"videos/clip/{flows}/{t - step:06d}.f16.npz"),
            from_png(read_gray(r / f"videos/clip/{masks}/{t:06d}.png")),
        )
        for t in range(1 + step, 15)
    ]


def test_long_term_consistency_keeps_texture_across_frames(rendered):
    # flow computed directly between t-4 and t on the source frames (the long-term flow of offset 4)
    single = np.mean(errors(rendered, "single", "stylized", 4, "longflow/bwd4", "longmasks/4"))
    long = np.mean(errors(rendered, "long", "stylized", 4, "longflow/bwd4", "longmasks/4"))
    print(f"warping error t-4 -> t: J={{1}} {single:.5f}, J={{1,2,4}} {long:.5f}")
    assert long < single


def test_multi_pass_makes_the_first_frames_as_good_as_the_rest(rendered):
    single = errors(rendered, "single", "stylized")
    multi = errors(rendered, "multi", "pass3")
    print(
        f"warping error single pass: first 5 {np.mean(single[:5]):.5f}, rest {np.mean(single[5:]):.5f}; "
        f"3 passes: first 5 {np.mean(multi[:5]):.5f}, rest {np.mean(multi[5:]):.5f}"
    )
    assert np.mean(multi) < np.mean(single)
    assert np.mean(multi[:5]) < np.mean(single[:5])
    assert sorted(p.name for p in (rendered / "renders/multi/pass2").glob("*.png"))[-1] == "000014.png"


@pytest.fixture(scope="module")
def small():
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    frame = cv2.resize(read_rgb(shared("content", "chelsea.png")), (96, 64), interpolation=cv2.INTER_AREA)
    return net, frame


def lab(rgb):
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(float)


@pytest.mark.parametrize("method", ["luminance", "histogram"])
def test_colour_preservation_keeps_the_frame_colours(small, method):
    net, frame = small
    style = [(read_rgb(shared("style", "starry_night.jpg")), 1.0, 1.0)]
    out = {}
    for m in ("none", method):
        s = StyleSettings(first_frame_iterations=30, tolerance=0, preserve_color=m)
        out[m] = stylize_frame(net, blended_targets(net, style, s, frame.shape, "cpu", frame), frame, s, device="cpu")
    ab = {m: np.abs(lab(o)[..., 1:].mean((0, 1)) - lab(frame)[..., 1:].mean((0, 1))).max() for m, o in out.items()}
    texture = np.abs(lab(out[method])[..., 0] - lab(frame)[..., 0]).mean()
    print(
        f"{method}: mean a*/b* off the frame's by {ab[method]:.1f} (no preservation: {ab['none']:.1f}); "
        f"mean |dL| {texture:.1f}"
    )
    assert ab[method] < 4 and ab[method] < ab["none"] / 3
    assert texture > 5, "the luminance carries the style's strokes"


def test_several_styles_blend_their_gram_targets(small):
    net, frame = small
    s = StyleSettings()
    a, b = read_rgb(shared("style", "starry_night.jpg")), read_rgb(shared("style", "the_scream.jpg"))
    blended = blended_targets(net, [(a, 3.0, 1.0), (b, 1.0, 0.5)], s, frame.shape, "cpu")["1"]
    ta = style_targets(net, resize_style(a, frame.shape, 1.0), s, "cpu")["1"]
    tb = style_targets(net, resize_style(b, frame.shape, 0.5), s, "cpu")["1"]
    for layer in s.style_layers:
        assert torch.allclose(blended[layer], 0.75 * ta[layer] + 0.25 * tb[layer], rtol=1e-5, atol=1e-7)


def test_each_render_measures_itself_as_these_tests_do(rendered):
    """The quality stage's records (paintflow.quality): frame t's error to t−1 is the error computed above,
    and clean painted renders (single pass, long-term, three passes) flag no frame."""
    from paintflow.quality import flags, read_records

    for render, folder in (("single", "stylized"), ("long", "stylized"), ("multi", "pass3")):
        records = read_records(rendered / f"renders/{render}/quality")
        assert sorted(records) == list(range(1, 15)) and records[1]["e1"] is None
        mine = [records[t]["e1"] for t in range(2, 15)]
        assert mine == pytest.approx(errors(rendered, render, folder), rel=1e-4, abs=1e-7)
        assert flags(records, [range(1, 15)]) == {}, render
