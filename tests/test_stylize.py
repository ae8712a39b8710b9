import cv2
import numpy as np
import pytest
import torch

from conftest import shared
from paintflow import vgg
from paintflow.files import read_rgb
from paintflow.looks.paint import losses
from paintflow.looks.paint.settings import StyleSettings
from paintflow.looks.paint.stylize import (
    initial_image,
    reliability,
    resize_style,
    style_targets,
    stylize_frame,
    to_tensor,
)


@pytest.fixture(scope="module")
def setup():
    torch.set_num_threads(2)
    net = vgg.VGGFeatures(vgg.convert("auto"))
    content = cv2.resize(read_rgb(shared("content", "chelsea.png")), (96, 64), interpolation=cv2.INTER_AREA)
    settings = StyleSettings(first_frame_iterations=30, iterations=10)
    style = resize_style(read_rgb(shared("style", "starry_night.jpg")), content.shape, settings.style_scale)
    return net, content, settings, style_targets(net, style, settings, "cpu")


def style_score(net, image, targets, settings):
    with torch.no_grad():
        feats = net(to_tensor(image, "cpu"), settings.style_layers)
        return float(losses.style_loss(feats, targets["1"], {n: 1.0 for n in settings.style_layers}))


def test_stylization_moves_towards_the_style_and_is_deterministic(setup):
    net, content, settings, targets = setup
    out = stylize_frame(net, targets, content, settings, device="cpu")
    assert out.shape == content.shape and out.dtype == np.uint8
    assert style_score(net, out, targets, settings) < 0.5 * style_score(net, content, targets, settings)
    again = stylize_frame(net, targets, content, settings, device="cpu")
    assert np.array_equal(out, again)


def test_temporal_loss_pulls_towards_the_warped_previous_frame(setup):
    net, content, settings, targets = setup
    prev = stylize_frame(net, targets, content, settings, device="cpu")
    flow = np.zeros(content.shape[:2] + (2,), np.float32)
    mask = np.ones(content.shape[:2], np.float32)
    strong = StyleSettings(first_frame_iterations=30, iterations=10, temporal_weight=1e4)
    weak = StyleSettings(first_frame_iterations=30, iterations=10, temporal_weight=0.0)
    d = {}
    for name, s in [("strong", strong), ("weak", weak)]:
        out = stylize_frame(
            net, targets, content, s, prev_stylized=prev, flow_back=flow, mask=mask, frame_index=2, device="cpu"
        )
        d[name] = np.abs(out.astype(float) - prev).mean()
    assert d["strong"] < d["weak"]


def test_temporal_start_blends_in_the_content_or_keeps_the_warped_strokes():
    content = np.full((20, 30, 3), 200, np.uint8)
    prev = np.full((20, 30, 3), 50, np.uint8)
    prev[::2, ::2] = 250  # strokes: a bilinear warp by a quarter pixel blurs them, a bicubic one less
    flow = np.zeros((20, 30, 2), np.float32)
    mask = np.ones((20, 30), np.float32)
    mask[:, :10] = 0  # disoccluded
    init, warped = initial_image(content, prev, flow, mask, StyleSettings(temporal_init="blend"), 2)
    assert np.allclose(init[:, :10], 200 / 255) and np.allclose(init[:, 12:], prev[:, 12:] / 255)
    init, warped = initial_image(content, prev, flow, mask, StyleSettings(temporal_init="warped"), 2)
    assert np.allclose(init, prev / 255) and np.allclose(warped, prev / 255)
    fresh = np.full_like(content, 90)  # the frame painted by the feed-forward network
    init, _ = initial_image(content, prev, flow, mask, StyleSettings(temporal_init="fast"), 2, fresh=fresh)
    assert np.allclose(init[:, :10], 90 / 255) and np.allclose(init[:, 12:], prev[:, 12:] / 255)
    before = np.full_like(content, 180)  # the source frame before: the paint it got is carried onto this one
    init, _ = initial_image(content, prev, flow, mask, StyleSettings(temporal_init="residual"), 2, prev_content=before)
    carried = np.clip(200.0 + prev[:, 12:].astype(float) - 180.0, 0, 255) / 255  # the strokes put on the new frame
    assert np.allclose(init[:, :10], 200 / 255) and np.allclose(init[:, 12:], carried)
    quarter = np.full_like(flow, 0.25)
    spread = {
        how: initial_image(
            content, prev, quarter, mask, StyleSettings(temporal_init="warped", warp_interpolation=how), 2
        )[0][2:-2, 2:-2].std()
        for how in ("linear", "cubic")
    }
    assert spread["cubic"] > 1.2 * spread["linear"]


def test_what_is_new_is_not_tied_to_the_old_paint_and_gets_more_iterations():
    """A subject appears without motion (the flow is still and consistent: the mask trusts every pixel): the
    sources disagree there, so warp_check frees it; the share left unreliable raises the frame's ceiling."""
    before = np.full((24, 32, 3), 100, np.uint8)
    content = before.copy()
    content[8:16, 10:20] = 240  # the subject, in this frame only
    flow, mask = np.zeros((24, 32, 2), np.float32), np.ones((24, 32), np.float32)
    assert reliability(mask, content, before, flow, StyleSettings(warp_check=0)) is mask
    c = reliability(mask, content, before, flow, StyleSettings(warp_check=50))
    assert c[12, 15] < 0.01 and c[0, 0] == 1.0 and c[2:22, 4:26].mean() < 0.85
    s = StyleSettings(iterations=15, new_iterations=60, first_frame_iterations=100)
    assert [s.iterations_of(1), s.iterations_of(2), s.iterations_of(2, 0.2), s.iterations_of(2, 1.0)] == [
        100,
        15,
        24,
        60,
    ]
    assert StyleSettings(iterations=15, new_iterations=0).iterations_of(2, 1.0) == 15
    # by default 4 x iterations, never more than a shot's first frame: a render turned down stays down
    assert StyleSettings(iterations=15, first_frame_iterations=100).iterations_of(2, 1.0) == 60
    assert StyleSettings(iterations=2, first_frame_iterations=4).iterations_of(2, 1.0) == 4
    assert StyleSettings(warp_check=50).reads_previous_source and not StyleSettings(warp_check=0).reads_previous_source


def test_noise_init_is_seeded():
    content = np.zeros((8, 8, 3), np.uint8)
    s = StyleSettings(init="noise", seed=3)
    a, _ = initial_image(content, None, None, None, s, 1)
    b, _ = initial_image(content, None, None, None, s, 1)
    assert np.array_equal(a, b) and a.std() > 0.1


def test_settings_from_config_ignore_workflow_only_keys():
    s = StyleSettings.from_config({"style_weight": 3.0, "device": "cpu", "style_layers": ["relu1_1"]})
    assert s.style_weight == 3.0 and s.style_layers == ("relu1_1",)


def test_gram_is_normalised_and_symmetric():
    f = torch.rand(1, 4, 5, 6)
    g = losses.gram(f)
    assert torch.allclose(g, g.t()) and torch.allclose(g[0, 0], (f[0, 0] ** 2).sum() / (4 * 5 * 6))
    assert float(losses.temporal_loss(f, f, torch.ones(1, 1, 5, 6))) == 0.0


@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_gram_loss_backward_matches_autograd(layout):
    """The hand-written one-product backward of the style loss equals autograd's two-product one, in both
    memory layouts, and keeps the activations' layout (no copy into the other)."""
    torch.manual_seed(0)
    f = torch.randn(1, 6, 5, 7, dtype=torch.float64).contiguous(memory_format=layout).requires_grad_(True)
    target = losses.gram(torch.randn(1, 6, 4, 4, dtype=torch.float64))
    assert torch.autograd.gradcheck(lambda v: losses.gram_loss(v, target), (f,))
    (3 * losses.gram_loss(f, target)).backward()
    fast = f.grad.clone()
    f.grad = None
    (3 * losses.relative_mse(losses.gram(f), target)).backward()
    assert torch.allclose(fast, f.grad, rtol=1e-10, atol=1e-14)
    assert fast.is_contiguous(memory_format=layout)
