"""The playback particle of the music-driven looks: a point that chases the target of the cluster the
music is in with spring physics, x'' = k·(target − x) − c·x', integrated at the frame rate (semi-implicit
Euler: v += h·(k·(T − x) − c·v); x += h·v, h = 1/fps). It moves with inertia, so a change of sound
morphs the picture instead of cutting it.

The integrator is a linear filter from the target to the position. With ``A`` and ``B`` its state
matrices (:func:`_system`), a frame's step x_{n+1} − x_n = h·v_{n+1} = h·Σ_m C·A^m·B·(T_{n−m} − x_0), so
no step is ever larger than h·Σ_m |C·A^m·B| times the farthest target from the start
(:func:`step_bound`): a bound that follows from the stiffness, the damping and the frame rate alone.
"""

from __future__ import annotations

import math

import numpy as np

from paintflow import PaintflowError


def check_stable(stiffness: float, damping: float, fps: float, where: str = "music") -> None:
    """The semi-implicit Euler step is stable when c·h < 2 and k·h² + 2·c·h < 4 (Jury's test)."""
    h = 1.0 / fps
    if not (damping * h < 2 and stiffness * h * h + 2 * damping * h < 4):
        raise PaintflowError(
            f"{where}: stiffness {stiffness:g} and damping {damping:g} are too high for {fps:g} fps "
            f"(the particle would blow up); keep stiffness/fps² + 2·damping/fps under 4"
        )


def simulate(targets: np.ndarray, fps: float, stiffness: float, damping: float) -> np.ndarray:
    """Positions [frames, d] of a particle that starts at rest on the first target."""
    targets = np.asarray(targets, np.float64)
    h = 1.0 / fps
    x, v = targets[0].copy(), np.zeros(targets.shape[1])
    out = np.empty_like(targets)
    for n, target in enumerate(targets):
        v += h * (stiffness * (target - x) - damping * v)
        x += h * v
        out[n] = x
    return out


def _system(stiffness: float, damping: float, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """State matrices of one step for the state (x, v) and the input T: s' = A·s + B·T."""
    h, k, c = 1.0 / fps, stiffness, damping
    a = np.array([[1 - k * h * h, h * (1 - c * h)], [-k * h, 1 - c * h]])
    b = np.array([k * h * h, k * h])
    return a, b


def step_gain(stiffness: float, damping: float, fps: float, terms: int = 100_000) -> float:
    """h·Σ_m |C·A^m·B|: the largest per-frame step for targets at most 1 from the start."""
    a, b = _system(stiffness, damping, fps)
    h, total, s = 1.0 / fps, 0.0, b.copy()
    for _ in range(terms):
        total += abs(s[1])
        s = a @ s
        if abs(s[0]) + abs(s[1]) < 1e-12:
            break
    return h * total


def step_bound(targets: np.ndarray, stiffness: float, damping: float, fps: float) -> float:
    """No per-frame step of :func:`simulate` (targets) exceeds this."""
    targets = np.asarray(targets, np.float64)
    reach = float(np.linalg.norm(targets - targets[0], axis=1).max())
    return reach * step_gain(stiffness, damping, fps)


def settling_time(stiffness: float, damping: float, tolerance: float = 0.05) -> float:
    """Seconds after which the continuous spring, let go at rest at distance 1 from a held target,
    stays within ``tolerance`` of it (closed-form solutions of x'' = −k·x − c·x'; the integrator at a
    frame rate approximates it)."""
    omega = math.sqrt(stiffness)
    zeta = damping / (2 * omega)
    t = np.linspace(0.0, 60.0 / max(zeta * omega, 1e-3) if zeta < 1 else 60.0 * zeta / omega, 400_001)
    if zeta < 1:
        wd = omega * math.sqrt(1 - zeta * zeta)
        e = np.exp(-zeta * omega * t) * (np.cos(wd * t) + zeta * omega / wd * np.sin(wd * t))
    elif zeta == 1:
        e = (1 + omega * t) * np.exp(-omega * t)
    else:
        r = omega * math.sqrt(zeta * zeta - 1)
        s1, s2 = -zeta * omega + r, -zeta * omega - r
        e = (s2 * np.exp(s1 * t) - s1 * np.exp(s2 * t)) / (s2 - s1)
    outside = np.nonzero(np.abs(e) > tolerance)[0]
    return float(t[outside[-1] + 1]) if outside.size else 0.0


def release(values: np.ndarray, fps: float, seconds: float) -> np.ndarray:
    """A peak follower: rises at once, falls exponentially with time constant ``seconds`` (so a beat
    pulses the picture instead of flickering it)."""
    decay = math.exp(-1.0 / (fps * seconds)) if seconds > 0 else 0.0
    out, level = np.empty(len(values)), 0.0
    for n, value in enumerate(values):  # values are ≥ 0 (normalised loudness)
        level = max(float(value), level * decay)
        out[n] = level
    return out
