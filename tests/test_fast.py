"""The fast look: built-in styles, blends, any painting at the processing size, temporal smoothing,
and one-frame previews."""

import subprocess
import sys

import cv2
import numpy as np
import pytest
import yaml

from conftest import make_clip, run_snakemake, shared
from paintflow.files import read_flow, read_gray, read_rgb
from paintflow.looks.fast.stylizer import FastSettings, FastStylizer, any_size, models_dir, style_sheet_layout
from paintflow.masks import from_png
from paintflow.metrics import warping_error


@pytest.fixture(scope="module")
def photo():
    return cv2.resize(read_rgb(shared("content", "chelsea.png")), (240, 160), interpolation=cv2.INTER_AREA)


def mad(a, b):
    return float(np.abs(a.astype(float) - b.astype(float)).mean())


def test_builtin_styles_differ_and_a_blend_lies_between(photo):
    net = FastStylizer(FastSettings(style=0), threads=2)
    one = {i: net(photo, weights=np.eye(26, dtype=np.float32)[i]) for i in (3, 7, 19)}
    for i, a in one.items():
        assert a.shape == photo.shape and mad(a, photo) > 10, f"style {i} barely changes the picture"
        for j, b in one.items():
            if i < j:
                assert mad(a, b) > 10, f"styles {i} and {j} look alike"
    half = np.zeros(26, np.float32)
    half[[3, 7]] = 0.5
    mix = net(photo, weights=half)
    apart = mad(one[3], one[7])
    assert mad(mix, one[3]) < apart and mad(mix, one[7]) < apart
    assert mad(mix, one[3]) > 5 and mad(mix, one[7]) > 5  # a real mix, not one of the two


def test_a_painting_as_the_style_moves_the_colours_towards_it(photo):
    style = read_rgb(shared("style", "starry_night.jpg"))
    out = FastStylizer(FastSettings(style=str(shared("style", "starry_night.jpg"))), threads=2)(photo)
    assert out.shape == photo.shape  # the processing size, not 384x384

    def lab_mean(rgb):
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(float).mean(axis=0)

    before = np.linalg.norm(lab_mean(photo) - lab_mean(style))
    after = np.linalg.norm(lab_mean(out) - lab_mean(style))
    print(f"mean Lab distance to the painting: {before:.1f} -> {after:.1f}")
    assert after < 0.5 * before


def test_the_arbitrary_transform_runs_at_any_size_and_is_unchanged_at_384(photo):
    import onnxruntime as ort

    fixed = ort.InferenceSession(str(models_dir() / "arbitrary_transform.onnx"), providers=["CPUExecutionProvider"])
    dynamic = ort.InferenceSession(
        any_size(models_dir() / "arbitrary_transform.onnx"), providers=["CPUExecutionProvider"]
    )
    names = [i.name for i in fixed.get_inputs()]
    vector = np.random.default_rng(0).normal(size=(1, 1, 1, 100)).astype(np.float32)
    x = cv2.resize(photo, (384, 384)).astype(np.float32)[None] / 255
    a = fixed.run(None, {names[0]: x, names[1]: vector})[0]
    b = dynamic.run(None, {names[0]: x, names[1]: vector})[0]
    assert np.array_equal(a, b)
    small = cv2.resize(photo, (320, 180)).astype(np.float32)[None] / 255
    assert dynamic.run(None, {names[0]: small, names[1]: vector})[0].shape == (1, 180, 320, 3)


def test_preserve_color_keeps_the_video_colours(photo):
    plain = FastStylizer(FastSettings(style=3), threads=2)(photo)
    kept = FastStylizer(FastSettings(style=3, preserve_color=True), threads=2)(photo)
    chroma = lambda rgb: cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)[..., 1:].astype(float)  # noqa: E731
    assert np.abs(chroma(kept) - chroma(photo)).mean() < 0.3 * np.abs(chroma(plain) - chroma(photo)).mean()


@pytest.fixture(scope="module")
def smoothed(tmp_path_factory):
    """The same fast style on a real moving clip: no smoothing, blend, flow_blend, gradient."""
    wd = tmp_path_factory.mktemp("smooth")
    clip = make_clip(wd / "clip.mp4", audio=True, seconds=1.6)
    look = {"look": "fast", "video": "clip", "fast": {"style": 19}}
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 128, "fps": 10}},
        "renders": {
            "none": look,
            "blend": {**look, "smooth": {"method": "blend", "alpha": 0.6}},
            "flow_blend": {**look, "smooth": {"method": "flow_blend", "alpha": 0.6}},
            "gradient": {**look, "smooth": {"method": "gradient", "alpha": 0.6}},
        },
        "flow": {"keep": True},
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 8},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(wd)
    return wd


def test_flow_blend_is_steadier_than_blend_which_is_steadier_than_nothing(smoothed):
    r = smoothed / "results"
    errors = {}
    for name in ("none", "blend", "flow_blend", "gradient"):
        errors[name] = float(
            np.mean(
                [
                    warping_error(
                        read_rgb(r / f"renders/{name}/fast/{t - 1:06d}.png"),
                        read_rgb(r / f"renders/{name}/fast/{t:06d}.png"),
                        read_flow(r / f"videos/clip/flow/bwd/{t - 1:06d}.f16.npz"),
                        from_png(read_gray(r / f"videos/clip/masks/{t:06d}.png")),
                    )
                    for t in range(2, 17)
                ]
            )
        )
    print("warping error (cockatoo, 16 frames, style 19): " + ", ".join(f"{k} {v:.5f}" for k, v in errors.items()))
    assert errors["flow_blend"] < 0.8 * errors["blend"] < 0.8 * errors["none"]
    assert errors["gradient"] < 0.8 * errors["none"]  # in the workflow: it reads the flow and masks too


def test_preview_and_style_sheet(smoothed):
    out = smoothed / "previews"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "paintflow",
            "preview",
            "--directory",
            str(smoothed),
            "--render",
            "blend",
            "--frame",
            "4",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert read_rgb(out / "blend_frame000004.png").shape == (72, 128, 3)
    proc = subprocess.run(
        [sys.executable, "-m", "paintflow", "preview", "--directory", str(smoothed), "--sheet", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    sheet = read_rgb(next(out.glob("*_styles_frame*.png")))
    layout = style_sheet_layout()
    assert [label for label, _, _ in layout[1:]] == [str(i) for i in range(26)]  # 26 labelled style tiles
    rows, cols = max(r for _, r, _ in layout) + 1, max(c for _, _, c in layout) + 1
    assert sheet.shape[1] == cols * (128 + 4) + 4 and sheet.shape[0] > rows * 72


def test_gradient_smoothing_steadies_the_colours_and_keeps_each_frame_s_strokes():
    """A scene moving 2 px a frame, painted with a per-frame colour flicker and strokes of its own each
    frame: the gradient method (Bonneel et al. 2015) takes the colours from the previous output along the
    flow — the flicker goes — and every stroke from the frame (flow_blend mixes in the old strokes)."""
    import cv2

    from paintflow.smooth import smooth

    rng = np.random.default_rng(3)
    scene = cv2.GaussianBlur(rng.uniform(40, 215, (64, 140, 3)).astype(np.float32), (0, 0), 6)
    flow = np.zeros((64, 96, 2), np.float32)
    flow[..., 0] = -2.0  # frame t's pixel x was at x − 2 in frame t−1
    mask = np.ones((64, 96), np.float32)
    mask[:, :2] = 0.0  # what entered the frame
    painted, outs = [], {m: [] for m in ("none", "flow_blend", "gradient")}
    for t in range(12):
        frame = scene[:, 40 - 2 * t : 136 - 2 * t]
        strokes = rng.normal(0, 12, (64, 96, 1)).astype(np.float32)  # this frame's own strokes (fine)
        p = np.clip(frame + rng.uniform(-25, 25) + strokes, 0, 255).astype(np.uint8)  # + a colour flicker
        painted.append(p)
        for m, out in outs.items():
            out.append(smooth(p, out[-1] if out else None, 0.8, m, flow, mask, detail=8))

    def flicker(frames):  # how much the picture's mean jumps from frame to frame
        return float(np.std(np.diff([f.astype(np.float32).mean() for f in frames])))

    def fine(x):  # the strokes: what a 2-px blur takes away
        x = x.astype(np.float32)
        return x - cv2.GaussianBlur(x, (0, 0), 2)

    def strokes_kept(frames):
        return min(float(np.corrcoef(fine(o).ravel(), fine(p).ravel())[0, 1]) for o, p in zip(frames, painted))

    assert flicker(outs["gradient"]) < 0.25 * flicker(outs["none"])
    assert strokes_kept(outs["gradient"]) > 0.95 > strokes_kept(outs["flow_blend"]) + 0.2
