"""When a painted frame is finished: a stopping rule in image space, and the record of each frame's work.

L-BFGS keeps lowering the loss long after the picture has stopped changing in a way anybody can see, so a
fixed iteration count pays the same for a still background as for a headbang. The rule watches the picture
itself: after each iteration, the change of every pixel value over the last ``window`` iterations, in grey
levels (0-255). A frame stops once

- the mean change is below ``change`` grey levels,
- the 99th percentile of the change is below ``peak`` grey levels (no region still moving: at most 1 % of
  the values changed more), and
- the style loss (the Gram term) changed by less than ``style`` (relative) over the same window,
- with ``new`` (``stop_new``), the mean change where the frame is new (its pixels weighted by how
  unreliable the warp of the previous painted frame is there) is below ``change`` too: a frame whose
  average is still because most of it was carried over is not stopped while a subject entering it is
  still being painted,

never before ``min_iterations`` and never after the frame's ceiling (``iterations``, or the larger
``first_frame_iterations`` of a video's or shot's first frame; a pass's ``pass_iterations``; a coarse
level's own count). ``change: 0`` turns the rule off (every frame gets its ceiling). The rule reads the
image the optimiser already holds: one subtraction and two reductions per iteration, next to a VGG
forward/backward pass.

Each frame's record (iterations used at full size and per level, why it stopped, the last change, the
loss's own terms) goes to ``<benchmark>.iterations.json`` beside the chunk's Snakemake benchmark file,
rewritten after every frame, so a resumed chunk keeps the records of the frames it restores.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .files import write_json
from .paths import bench_path

if TYPE_CHECKING:  # torch is imported where the rule runs: `paintflow status` and `plan` read records only
    import torch

PEAK_QUANTILE = 0.99


@dataclass(frozen=True)
class StopRule:
    change: float = 0.0  # grey levels, mean |Δ| over the window (0: the rule is off)
    peak: float = 0.0  # grey levels, 99th percentile of |Δ| over the window
    style: float = 0.0  # relative change of the style loss over the window
    window: int = 5
    min_iterations: int = 1
    new: bool = False  # the mean change where the frame is new must be below ``change`` too

    @classmethod
    def of(cls, s) -> StopRule:
        """The rule of a painted look's settings (StyleSettings)."""
        return cls(s.stop_change, s.stop_peak, s.stop_style, s.stop_window, s.min_iterations, s.stop_new)

    @property
    def active(self) -> bool:
        return self.change > 0


class Watch:
    """Follows one optimisation run (one frame at one scale) and says when the rule is met."""

    def __init__(self, rule: StopRule, x0: torch.Tensor, trace: list | None = None, new=None):
        """``new``: where the frame is new, a weight in [0, 1] per pixel (1, 1, H, W), or None."""
        self.rule, self.trace = rule, trace
        self.images = deque([x0.detach().clone()], maxlen=rule.window + 1)
        self.styles = deque(maxlen=rule.window + 1)
        self.mean = self.style_change = self.delta = self.new_change = None
        self.new = new if rule.new and new is not None and float(new.sum()) >= 1.0 else None

    def update(self, x: torch.Tensor, style: torch.Tensor, done: int) -> bool:
        """After iteration ``done`` (x the new image, ``style`` the style loss of the last evaluation): met?"""
        import torch

        r = self.rule
        self.images.append(x.detach().clone())
        self.styles.append(style.detach())
        if len(self.styles) <= r.window:
            return False
        self.delta = delta = (self.images[-1] - self.images[0]).abs_().mul_(255.0)
        old = self.styles[0]
        # one host read for the three figures: mean, share of values above the peak bound, style change
        figures = [
            delta.mean(),
            (delta > r.peak).float().mean(),
            ((self.styles[-1] - old).abs() / old.abs().clamp_min(1e-12)).float(),
        ]
        if self.new is not None:  # the mean change where the frame is new
            figures.append((delta.mean(1, keepdim=True) * self.new).sum() / self.new.sum())
        figures = torch.stack(figures).tolist()
        self.mean, above, self.style_change = figures[:3]
        self.new_change = figures[3] if self.new is not None else None
        if self.trace is not None:  # every iteration's figures (bench/stopping.py chooses the thresholds on them)
            self.trace.append({"iteration": done, **self.figures(), "style": float(self.styles[-1])})
        met = self.mean < r.change and above <= 1 - PEAK_QUANTILE and self.style_change < r.style
        met = met and (self.new_change is None or self.new_change < r.change)
        return r.active and done >= r.min_iterations and met

    def figures(self) -> dict:
        """The last measured change (for the frame's record): mean and 99th percentile in grey levels, and the
        style loss's relative change, over the window; empty before the first measurement."""
        if self.delta is None:
            return {}
        out = {
            "change": round(self.mean, 4),
            "peak": round(percentile(self.delta, PEAK_QUANTILE), 4),
            "style_change": round(self.style_change, 6),
        }
        if self.new_change is not None:
            out["new_change"] = round(self.new_change, 4)
        return out


def percentile(values: torch.Tensor, q: float) -> float:
    """The q-quantile of a tensor of any size (torch.quantile refuses more than 16 M values)."""
    flat = values.flatten()
    k = min(max(int(round(q * (flat.numel() - 1))) + 1, 1), flat.numel())
    return float(flat.kthvalue(k).values) if flat.device.type == "cpu" else float(flat.sort().values[k - 1])


def record_path(results, stage: str, owner: str, frames: range) -> Path:
    """The chunk's iteration record: beside its benchmark file."""
    return Path(bench_path(results, stage, owner, frames)).with_suffix(".iterations.json")


class Records:
    """The iteration records of one chunk: {frame: record}. ``key`` names what the frames are (their store
    folder: the stage's identity and shot): a resumed run keeps the records of the same key, so the frames
    it restores keep theirs; a render with other settings starts the records again."""

    def __init__(self, path: Path | None, key: str | None = ""):
        self.path, self.key = path, key
        self.frames: dict[int, dict] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text())
                if data.get("key") == key or key is None:
                    self.frames = {int(t): r for t, r in data["frames"].items()}
            except (ValueError, KeyError, AttributeError, OSError):  # cut short by a crash: start again
                self.frames = {}

    def add(self, t: int, record: dict) -> None:
        self.frames[t] = record
        if self.path is not None:
            write_json(self.path, {"key": self.key, "frames": {str(k): v for k, v in sorted(self.frames.items())}})


def read_records(results, stage: str, owner: str) -> dict[int, dict]:
    """Every recorded frame of a stage of a render: {frame: record}."""
    folder = Path(results) / "benchmarks" / stage / owner
    out: dict[int, dict] = {}
    for path in sorted(folder.glob("*.iterations.json")) if folder.is_dir() else []:
        out.update(Records(path, None).frames)
    return out


def note(record: dict) -> str:
    """The progress line's word on a frame's work: '9 it (still)', '30 it (ceiling)'."""
    return f"{record['iterations']} it ({record['stopped']})"


def summary(records: dict[int, dict]) -> dict:
    """Median, 90th percentile and maximum of the full-size iterations, and how the frames stopped."""
    import numpy as np

    if not records:
        return {}
    its = np.array([r["iterations"] for r in records.values()])
    reasons: dict[str, int] = {}
    for r in records.values():
        reasons[r["stopped"]] = reasons.get(r["stopped"], 0) + 1
    return {
        "frames": len(its),
        "median": float(np.median(its)),
        "p90": float(np.percentile(its, 90)),
        "max": int(its.max()),
        "mean": float(its.mean()),
        "stopped": reasons,
    }
