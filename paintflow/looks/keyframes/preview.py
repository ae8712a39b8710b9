"""One frame of the keyframe look (``paintflow preview``, the studio's Preview), without the workflow: painted by
its shot's network where the render's training has already made it for these very keyframes (kept in
``keyframe_training/shots/``, named by what decides it), otherwise by a network trained on the spot on the
shot's keyframes alone — the same network and settings with at most ``PREVIEW_STEPS`` steps (a first look
at how the keyframes carry, in about a minute on a CPU; ``--full``: every step)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

PREVIEW_STEPS = 200  # training steps of a preview's network (the render's own: `steps`, 1000 by default)


def kept_network(dag, render: str, first: int):
    """The network the render's training keeps for the shot starting at ``first`` with its keyframes as they
    are now, if it made one (its source frames must be extracted for its name), or None."""
    import torch

    from paintflow.files import is_intact

    from . import paths, shot_frames, shot_of
    from .patches import shot_key

    r = dag.renders[render]
    wanted = shot_frames(r, first)
    frames = dict(zip(wanted, dag.paths("frames", r.video, wanted), strict=True))
    if not all(Path(p).is_file() for p in frames.values()):
        return None
    name = shot_key(*shot_of(r, first), r.derived, frames, r.settings)
    kept = Path(paths(dag, render)["model"]).parent / "shots" / f"{name}.pt"
    return torch.load(kept, weights_only=True)["net"] if is_intact(kept) else None


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True, t: int | None = None) -> np.ndarray:
    """Frame ``t`` (default: the clip's middle) of the render's keyframe look."""
    from paintflow.devices import pick_device
    from paintflow.preview import source_frame

    from . import shot_frames
    from .patches import Painter, train_shot, training_pairs

    r, s = dag.renders[render], dag.renders[render].settings
    t = t or max(1, (r.frames + 1) // 2)
    first, stop, keys = next(row for row in r.derived["shots"] if row[0] <= t < row[1])
    if not keys:  # missing: as_filmed
        return rgb
    files = r.derived["keyframes"]
    net = kept_network(dag, render, first)
    if net is None:
        sources = {u: source_frame(dag, render, u) for u in shot_frames(r, first)}
        settings = {**s, "steps": min(s["steps"], PREVIEW_STEPS) if quick else s["steps"]}
        pairs = training_pairs(first, stop, keys, r.derived, sources, s["neighbours"])
        trained, _ = train_shot(pairs, settings, pick_device(s["device"]), r.derived["alpha"])
        net = {k: v.cpu() for k, v in trained.state_dict().items()}
    model = {
        "channels": s["channels"],
        "levels": s["levels"],
        "alpha": r.derived["alpha"],
        "shots": [[first, stop, net]],
    }
    keyed = {k: (source_frame(dag, render, k), files[str(k)]) for k in keys}
    return Painter(model, s["device"], keyed, s["reach"])(t, rgb)
