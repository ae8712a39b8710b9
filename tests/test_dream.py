"""DeepDream: dreaming a photo, dreamed video with the flow blend, infinite zooms (in and out), the
layer sheet, and bad input."""

import cv2
import numpy as np
import pytest
import yaml

from conftest import make_clip, run_snakemake, shared
from paintflow import vgg
from paintflow.files import read_flow, read_gray, read_rgb
from paintflow.looks.dream.dreaming import DreamSettings, Objective, dream, layers_at, mean_activation, zoom_step
from paintflow.masks import from_png
from paintflow.metrics import warping_error


@pytest.fixture(scope="module")
def net():
    return vgg.VGGFeatures(vgg.convert("auto"))


def test_dreaming_a_photo_raises_the_objective_and_stays_that_photo(net):
    photo = cv2.resize(read_rgb(shared("content", "chelsea.png")), (112, 80), interpolation=cv2.INTER_AREA)
    settings = DreamSettings(layers={"relu4_2": 1.0}, octaves=2, iterations=10, step=1.5, jitter=8, seed=3)
    out = dream(Objective(net, settings.layers), photo, settings)
    before, after = mean_activation(net, photo, "relu4_2"), mean_activation(net, out, "relu4_2")
    gray = [cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(float).ravel() for x in (photo, out)]
    r = np.corrcoef(*gray)[0, 1]
    print(f"relu4_2 mean squared activation {before:.1f} -> {after:.1f} (x{after / before:.1f}); correlation {r:.2f}")
    assert after >= 2 * before
    assert r > 0.5, "a dream of this picture, not noise"
    assert np.array_equal(out, dream(Objective(net, settings.layers), photo, settings)), "seeded"


def test_layer_schedule_crossfades_between_entries():
    schedule = [{"layers": {"relu4_2": 1}, "seconds": 4}, {"layers": {"relu5_1": 1}}]
    assert layers_at(schedule, 1.0, 1.0) == {"relu4_2": 1.0}
    assert layers_at(schedule, 4.0, 1.0) == {"relu4_2": 0.5, "relu5_1": 0.5}
    assert layers_at(schedule, 4.25, 1.0) == pytest.approx({"relu4_2": 0.25, "relu5_1": 0.75})
    assert layers_at(schedule, 6.0, 1.0) == {"relu5_1": 1.0}


@pytest.fixture(scope="module")
def dreamed(tmp_path_factory):
    """A dreamed clip with and without the flow blend, a reversed zoom, and a layer sheet: tiny."""
    wd = tmp_path_factory.mktemp("dream")
    clip = make_clip(wd / "clip.mp4", audio=True, seconds=0.8)
    light = {"octaves": 2, "iterations": 4, "step": 2.0, "jitter": 4}
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 96, "fps": 10}},
        "renders": {
            "flowblend": {"look": "dream", "video": "clip", "dream": light},
            "independent": {"look": "dream", "video": "clip", "dream": {**light, "temporal": False}},
            "zoomout": {
                "look": "zoom",
                "zoom": {
                    "image": str(shared("content", "astronaut.png")),
                    "width": 80,
                    "frames": 6,
                    "fps": 10,
                    "factor": 1.1,
                    "reverse": True,
                    "iterations": 3,
                    "octaves": 1,
                },
            },
            "sheet": {
                "look": "layer_sheet",
                "dream": {"octaves": 1, "iterations": 4},
                "layer_sheet": {
                    "image": str(shared("content", "astronaut.png")),
                    "width": 64,
                    "layers": ["relu2_2", "relu3_3", "relu4_2"],
                },
            },
        },
        "flow": {"keep": True},
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 8},  # one chunk each (a dream chained across chunks: test_shots.py)
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    run_snakemake(wd)
    return wd


def test_dreamed_video_with_the_flow_blend_is_steadier(dreamed):
    r = dreamed / "results"
    errors = {}
    for name in ("flowblend", "independent"):
        errors[name] = float(
            np.mean(
                [
                    warping_error(
                        read_rgb(r / f"renders/{name}/dreamed/{t - 1:06d}.png"),
                        read_rgb(r / f"renders/{name}/dreamed/{t:06d}.png"),
                        read_flow(r / f"videos/clip/flow/bwd/{t - 1:06d}.f16.npz"),
                        from_png(read_gray(r / f"videos/clip/masks/{t:06d}.png")),
                    )
                    for t in range(2, 9)
                ]
            )
        )
    print(f"dream warping error: flow blend {errors['flowblend']:.5f}, independent {errors['independent']:.5f}")
    assert errors["flowblend"] < 0.7 * errors["independent"]


def test_zoom_frames_are_the_zoomed_previous_frame_plus_dreamed_detail(dreamed):
    folder = dreamed / "results/renders/zoomout/zoom"
    frames = [read_rgb(folder / f"{t:06d}.png").astype(float) for t in range(1, 7)]
    unrelated = cv2.resize(read_rgb(shared("content", "chelsea.png")), frames[0].shape[1::-1]).astype(float)
    for t in range(1, 6):
        zoomed = zoom_step(frames[t - 1].astype(np.uint8), 1.1).astype(float)
        assert np.abs(zoomed - frames[t]).mean() < 0.5 * np.abs(unrelated - frames[t]).mean()
        assert np.abs(zoomed - frames[t]).mean() > 0.5, "each frame adds dreamed detail"


def test_reverse_plays_the_zoom_backwards(dreamed):
    import imageio.v3 as iio

    zoom = [read_rgb(dreamed / f"results/renders/zoomout/zoom/{t:06d}.png").astype(float) for t in range(1, 7)]
    video = [f.astype(float) for f in iio.imiter(dreamed / "results/renders/zoomout/zoomout.mp4")]
    assert len(video) == 6
    for k, frame in enumerate(video):
        nearest = int(np.argmin([np.abs(frame - z).mean() for z in zoom]))
        assert nearest == 5 - k, f"video frame {k + 1} should be zoom frame {6 - k}, is closest to {nearest + 1}"


def test_layer_sheet_has_one_labelled_tile_per_layer(dreamed):
    folder = dreamed / "results/renders/sheet"
    layers = ["relu2_2", "relu3_3", "relu4_2"]
    images = {name: read_rgb(folder / "layers" / f"{name}.png") for name in layers}
    h, w = next(iter(images.values())).shape[:2]
    sheet = read_rgb(folder / "sheet_layers.png")
    assert sheet.shape[1] == (len(layers) + 1) * (w + 4) + 4  # the source and one tile per layer, in one row
    for a in layers:
        for b in layers:
            if a < b:
                assert np.abs(images[a].astype(float) - images[b]).mean() > 2, "each layer dreams its own patterns"


@pytest.mark.parametrize(
    "bad,needles",
    [
        ({"dream": {"layers": {"relu9_1": 1.0}}}, ["renders.z.dream.layers", "relu9_1"]),
        ({"zoom": {"schedule": []}}, ["renders.z.zoom.schedule", "must not be empty"]),
        ({"zoom": {"factor": 0}}, ["renders.z.zoom.factor", "not above 0"]),
    ],
)
def test_bad_dream_settings_fail_before_any_job(tmp_path, bad, needles):
    cfg = {
        "renders": {
            "z": {"look": "zoom", "zoom": {"image": str(shared("content", "astronaut.png")), "frames": 2}, "dream": {}}
        }
    }
    for section, value in bad.items():
        cfg["renders"]["z"][section] = {**cfg["renders"]["z"].get(section, {}), **value}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(tmp_path, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for needle in needles:
        assert needle in out, out[-2000:]
    assert not (tmp_path / "results/renders").exists()
