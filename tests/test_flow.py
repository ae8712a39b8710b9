import numpy as np
import pytest

from conftest import shared
from paintflow.files import read_flow, read_rgb, write_flow
from paintflow.flow import compute_flow, endpoint_error, flow_to_rgb


def sintel(name):
    d = shared("flow_gt", name)
    return read_rgb(d / "frame_0002.png"), read_rgb(d / "frame_0003.png"), read_flow(d / "flow_0002.flo")


@pytest.mark.parametrize("method,limit", [("deepflow", 0.5), ("dis", 1.0)])
def test_flow_epe_on_sintel_alley(method, limit):
    a, b, gt = sintel("sintel_alley_1_clean")
    epe = endpoint_error(compute_flow(a, b, method), gt)
    print(f"{method} EPE alley_1 = {epe:.3f}")
    assert epe < limit


def test_farneback_runs_and_is_worse_than_deepflow():
    a, b, gt = sintel("sintel_alley_1_clean")
    assert endpoint_error(compute_flow(a, b, "farneback"), gt) > endpoint_error(compute_flow(a, b, "deepflow"), gt)


@pytest.mark.parametrize("suffix,tol", [(".flo", 0.0), (".f16.npz", 0.02)])
def test_flow_file_round_trip(tmp_path, suffix, tol):
    _, _, gt = sintel("sintel_cave_2_clean")
    path = tmp_path / f"f{suffix}"
    write_flow(path, gt)
    assert np.abs(read_flow(path) - gt).max() <= tol + 1e-6


def test_flow_visualisation_is_colourful():
    _, _, gt = sintel("sintel_cave_2_clean")
    rgb = flow_to_rgb(gt)
    assert rgb.shape == gt.shape[:2] + (3,) and rgb.dtype == np.uint8 and rgb.std() > 10
