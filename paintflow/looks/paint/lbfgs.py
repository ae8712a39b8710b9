"""L-BFGS with a unit step (one function evaluation per iteration), its inverse-Hessian product in the
compact representation of Byrd, Nocedal & Schnabel (1994).

torch.optim.LBFGS forms the same product with the two-loop recursion: 4 passes over the history of
(s, y) pairs, 2·m small dot/axpy launches, a new tensor per pair and 3 host reads of device values per
iteration (curvature test, descent test, optimality test). Here the pairs live in one preallocated matrix
W = [S; Y] (2m × n, a ring), and an iteration is 2 matrix-vector products over it,

    Wᵀ-side:  [Sᵀy, Sᵀg; Yᵀy, Yᵀg] = W · [y g]            (one pass over the history)
    H·g = γ g + S v − γ Y u = γ g + Wᵀ [v; −γu]              (a second pass)

with R = triu(SᵀY), D = diag(SᵀY), u = R⁻¹ Sᵀg, v = R⁻ᵀ((D + γ YᵀY) u − γ Yᵀg), γ = sᵀy / yᵀy of the
newest pair — the same direction as the two-loop recursion, in exact arithmetic. The small 2m-sized
algebra runs in float64. The curvature test (sᵀy > 1e-10) reads its two scalars together with the loss,
in the one device-to-host copy of an iteration.

Steps follow torch.optim.LBFGS(lr, max_iter=1, line_search_fn=None): the first step is −g scaled by
min(1, 1/‖g‖₁)·lr, later steps are −H·g·lr; a pair is stored only when sᵀy > 1e-10.
"""

from __future__ import annotations

import torch


class LBFGS:
    """Minimises closure() over the tensor ``x`` (requires_grad) in place; ``step`` returns the loss at x
    before the step, as a float."""

    def __init__(self, x: torch.Tensor, history: int = 50, lr: float = 1.0):
        self.x, self.m, self.lr = x, history, lr
        # pair i in rows 2i (s) and 2i+1 (y): while the history fills, the rows in use are one block
        self.w = torch.empty(2 * history, x.numel(), dtype=x.dtype, device=x.device)
        self.count = self.oldest = 0  # pairs stored; the slot of the oldest (they follow it, ring order)
        self.sy = torch.zeros(history, history, dtype=torch.float64, device=x.device)  # s_iᵀy_j, by age
        self.yy = torch.zeros(history, history, dtype=torch.float64, device=x.device)  # y_iᵀy_j, by age
        self.gamma = torch.ones((), dtype=torch.float64, device=x.device)
        self.prev_g = self.d = None

    def step(self, closure) -> float:
        with torch.enable_grad():
            loss = closure()
        with torch.no_grad():
            g = self.x.grad.reshape(-1)
            if self.d is None:  # first iteration: steepest descent, scaled to a small first step
                self.prev_g = g.clone()
                self.d = g.neg().mul_(torch.clamp(1.0 / g.abs().sum(), max=1.0) * self.lr)
                self.x.view(-1).add_(self.d)
                return float(loss)
            y, s = g - self.prev_g, self.d  # s: the step just taken
            count, oldest = self.count, self.oldest
            prods = (self.w[: 2 * count] @ torch.stack([y, g]).t()).double()  # one pass over the history
            ps = torch.roll(prods[0::2], -oldest, 0)  # s_iᵀy, s_iᵀg of the stored pairs, by age
            py = torch.roll(prods[1::2], -oldest, 0)  # y_iᵀy, y_iᵀg
            ys, yy, sg, yg = torch.stack([y @ s, y @ y, s @ g, y @ g]).double()
            value, ys_host = torch.stack([loss.detach().double(), ys]).tolist()  # the iteration's one host read
            if ys_host > 1e-10:
                if count == self.m:  # full: the oldest pair goes
                    ps, py = ps[1:], py[1:]
                self._store(s, y, ps[:, 0], py[:, 0], ys, yy)
                a, b = torch.cat([ps[:, 1], sg[None]]), torch.cat([py[:, 1], yg[None]])  # Sᵀg, Yᵀg by age
            else:
                a, b = ps[:, 1], py[:, 1]
            self.prev_g.copy_(g)
            self.d = self._direction(g, a, b)
            self.x.view(-1).add_(self.d)
            return value

    def _store(self, s, y, sty, yty, ys, yy):
        """(s, y) becomes the newest pair: two rows of W, a column of SᵀY and of YᵀY (``sty``, ``yty``: the
        products of y with the pairs that stay, by age)."""
        if self.count == self.m:
            slot, self.oldest = self.oldest, (self.oldest + 1) % self.m
            self.sy[:-1, :-1] = self.sy[1:, 1:].clone()
            self.yy[:-1, :-1] = self.yy[1:, 1:].clone()
        else:
            slot, self.count = self.count, self.count + 1
        k = self.count - 1  # the new pair's age index
        self.w[2 * slot].copy_(s)
        self.w[2 * slot + 1].copy_(y)
        self.sy[:k, k], self.sy[k, k] = sty, ys
        self.yy[:k, k], self.yy[k, :k], self.yy[k, k] = yty, yty, yy
        self.gamma = ys / yy

    def _direction(self, g, a, b) -> torch.Tensor:
        """−lr·H·g from the compact representation (see the module's text); a = Sᵀg, b = Yᵀg by age."""
        k, gamma = self.count, self.gamma
        if k == 0:
            return g.mul(-gamma.to(g.dtype) * self.lr)
        sy = self.sy[:k, :k]
        r = torch.triu(sy)
        u = torch.linalg.solve_triangular(r, a[:, None], upper=True)
        rhs = torch.diagonal(sy)[:, None] * u + gamma * (self.yy[:k, :k] @ u) - gamma * b[:, None]
        v = torch.linalg.solve_triangular(r.t(), rhs, upper=False)
        # by age → W's ring order, interleaved as W's rows (s, y, s, y, …); index tensors built on the host
        # would be host-to-device copies, which synchronise
        coef = torch.stack([torch.roll(v[:, 0], self.oldest), torch.roll(-gamma * u[:, 0], self.oldest)], 1)
        hg = torch.addmv(g * gamma.to(g.dtype), self.w[: 2 * k].t(), coef.reshape(-1).to(g.dtype))  # 2nd pass
        return hg.mul_(-self.lr)
