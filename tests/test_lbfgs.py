"""paintflow's L-BFGS (compact representation, one host read per iteration) against torch.optim.LBFGS."""

import numpy as np
import pytest
import torch

from paintflow.heap import keep_freed_memory
from paintflow.looks.paint.lbfgs import LBFGS


def problem(n=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, n, generator=g, dtype=torch.float64)
    a = a @ a.t() / n + 0.05 * torch.eye(n, dtype=torch.float64)
    b = torch.randn(n, generator=g, dtype=torch.float64)
    return lambda x: 0.5 * x @ a @ x - b @ x + 0.05 * (x**4).sum()  # convex, not quadratic: curvature varies


@pytest.mark.parametrize("history", [4, 50])
def test_iterates_equal_torch_lbfgs_also_after_the_history_wraps(history):
    f = problem()
    x1 = torch.zeros(300, dtype=torch.float64, requires_grad=True)
    x2 = torch.zeros(300, dtype=torch.float64, requires_grad=True)
    ref = torch.optim.LBFGS([x1], lr=1.0, max_iter=1, history_size=history, tolerance_grad=0, tolerance_change=0)
    ours = LBFGS(x2, history=history)

    def closure(x, zero):
        def run():
            zero()
            loss = f(x)
            loss.backward()
            return loss

        return run

    c1 = closure(x1, ref.zero_grad)
    c2 = closure(x2, lambda: setattr(x2, "grad", None))
    values = []
    for _ in range(3 * history if history < 50 else 60):  # 12 steps wrap a 4-pair ring three times
        l1, l2 = float(ref.step(c1).detach()), ours.step(c2)
        values.append(l2)
        assert isinstance(l2, float)
        assert abs(l1 - l2) <= 1e-9 * abs(l1) + 1e-12
        assert float((x1 - x2).detach().norm()) <= 1e-8 * float(x1.detach().norm()) + 1e-12
    assert values[-1] < values[1] - 1  # it does descend
    assert ours.count == history if history == 4 else ours.count <= history


def test_float32_image_sized_problem_descends_like_torch():
    g = torch.Generator().manual_seed(1)
    target = torch.rand(3, 40, 60, generator=g)
    weight = torch.rand(3, 40, 60, generator=g) + 0.1

    def run(opt_cls):
        x = torch.zeros(3, 40, 60, requires_grad=True)
        if opt_cls is LBFGS:
            opt, zero = LBFGS(x, history=10), lambda: setattr(x, "grad", None)
        else:
            opt = torch.optim.LBFGS([x], lr=1, max_iter=1, history_size=10, tolerance_grad=0, tolerance_change=0)
            zero = opt.zero_grad

        def closure():
            zero()
            loss = (weight * (x - target) ** 2).sum() + ((x[:, 1:] - x[:, :-1]) ** 2).sum()
            loss.backward()
            return loss.detach()

        return [float(opt.step(closure)) for _ in range(30)]

    ours, ref = np.array(run(LBFGS)), np.array(run(None))
    assert ours[-1] < 0.2 * ours[0]
    assert np.allclose(ours, ref, rtol=1e-3)


def test_the_heap_keeps_freed_blocks_on_glibc():
    import platform

    ok = keep_freed_memory()
    assert ok is keep_freed_memory()  # once per process
    if platform.libc_ver()[0] == "glibc":
        assert ok
