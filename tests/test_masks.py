import cv2
import numpy as np
import pytest

from conftest import shared
from paintflow.files import read_rgb
from paintflow.flow import compute_flow
from paintflow.masks import consistency_mask, from_png, to_png


@pytest.mark.parametrize("name", ["sintel_alley_1_clean", "sintel_cave_2_clean"])
def test_unreliable_pixels_overlap_true_occlusions(name):
    d = shared("flow_gt", name)
    a, b = read_rgb(d / "frame_0002.png"), read_rgb(d / "frame_0003.png")
    occluded = cv2.imread(str(d / "occlusions_0002.png"), cv2.IMREAD_GRAYSCALE) > 127  # of frame 2 in frame 3
    # reliability of warping frame 3 onto frame 2: w = flow 2→3, ŵ = flow 3→2
    mask = consistency_mask(compute_flow(a, b, "dis"), compute_flow(b, a, "dis"))
    unreliable = mask < 0.5
    precision = (unreliable & occluded).sum() / unreliable.sum()
    lift = precision / occluded.mean()
    print(f"{name}: P(occluded | unreliable) = {precision:.3f}, base rate {occluded.mean():.3f}, lift {lift:.1f}")
    assert lift > 4  # chance would be 1
    assert (unreliable & occluded).sum() / occluded.sum() > 0.2  # catches a real share of occlusions


def test_mask_of_consistent_flow_is_reliable_and_borders_are_not():
    flow = np.zeros((40, 60, 2), np.float32)
    flow[..., 0] = 3.0  # pure translation: consistent with its inverse
    mask = consistency_mask(flow, -flow)
    assert mask[5:-5, 5:-8].min() > 0.99
    assert mask[:, -2:].max() < 0.05  # samples leave the image


def test_inconsistent_flow_is_marked():
    flow = np.zeros((40, 60, 2), np.float32)
    back = np.zeros_like(flow)
    back[10:30, 10:30, 0] = 5.0  # the reverse flow disagrees here
    mask = consistency_mask(flow, back, sigma=0)
    assert mask[10:30, 10:30].max() == 0 and mask[35:, 35:].min() == 1


def test_png_round_trip():
    m = np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10)
    assert np.abs(from_png(to_png(m)) - m).max() <= 0.5 / 255 + 1e-6
