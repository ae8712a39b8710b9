import numpy as np
import torch

from conftest import shared
from paintflow.files import read_rgb
from paintflow.warp import inside, warp, warp_torch


def test_warp_by_known_shift_recovers_image():
    img = read_rgb(shared("content", "chelsea.png")).astype(np.float32)
    dx, dy = 7, -4
    second = np.roll(img, (dy, dx), axis=(0, 1))  # second(x) = img(x − d)
    # so img(x) = second(x + d): warping `second` by the constant flow d recovers img
    flow = np.zeros(img.shape[:2] + (2,), np.float32)
    flow[..., 0], flow[..., 1] = dx, dy
    recovered = warp(second, flow)
    interior = (slice(10, -10), slice(10, -10))
    assert np.abs(recovered[interior] - img[interior]).max() < 1e-3
    # the torch path agrees with the OpenCV one
    t = torch.from_numpy(second).permute(2, 0, 1)[None]
    rt = warp_torch(t, flow)[0].permute(1, 2, 0).numpy()
    assert np.abs(rt[interior] - img[interior]).max() < 1e-2


def test_subpixel_warp_is_bilinear():
    ramp = np.tile(np.arange(32, dtype=np.float32), (16, 1))
    flow = np.full((16, 32, 2), 0.25, np.float32)
    flow[..., 1] = 0
    assert np.allclose(warp(ramp, flow)[:, 2:-2], ramp[:, 2:-2] + 0.25, atol=1e-4)


def test_inside_marks_samples_leaving_the_image():
    flow = np.zeros((10, 20, 2), np.float32)
    flow[..., 0] = 5
    ins = inside(flow)
    assert ins[:, :15].all() and not ins[:, 15:].any()
