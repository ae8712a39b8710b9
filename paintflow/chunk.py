"""What every chunk job of a render's per-frame stage is handed (:class:`ChunkContext`), and the one runner
of the looks that paint frame by frame (:func:`paint_frames`: fast, music, latent, a look of one's own).

A look that paints each frame on its own declares ``Stage(painter=...)``: ``painter(ctx)`` loads what the
look needs (once per chunk, only when a frame is to be made) and returns ``paint(t, rgb) -> rgb``; the
generic rule (``rules/looks.smk``) and script (``workflow_scripts/look_chunk.py``) do the rest — the
frame store, resume, smoothing over time, progress.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .paths import frame_of, parse_path
from .registry import stage


@dataclass
class ChunkContext:
    stage: str
    owner: str  # the render
    outputs: dict  # {t: file} this chunk makes
    content: dict  # {t: file} the frames the look paints ({} without a video)
    prev: str | None  # the stage's own frame before the chunk (a chain's), or None
    flows: dict  # {t: backward flow t→t−1 file} where the chunk needs it (temporal looks, flow_blend)
    masks: dict  # {t: consistency mask of t} alongside
    settings: dict  # the look's settings (its base sections', then its own; device included)
    smooth: dict  # the render's smoothing over time
    threads: int
    inputs: object = None  # the job's named input files (a look's own: a model, a table, a painting)
    smk: object = field(default=None, repr=False)
    render: object = field(default=None, repr=False)  # as the workflow checked it: size, rate, what its look found

    @classmethod
    def of(cls, smk) -> ChunkContext:
        """The context of a Snakemake job (``smk``: the ``snakemake`` object of a ``script:``)."""
        from .smk import flow_pairs, render_of, threads

        name = parse_path(smk.config["results"], smk.output.frames[0])[0]
        owner, inp = smk.params.owner, smk.input
        flows, masks = flow_pairs(inp)
        render = render_of(smk, owner)  # the settings as the workflow resolved them when it was parsed
        return cls(
            stage=name,
            owner=owner,
            outputs={frame_of(p): p for p in smk.output.frames},
            content={frame_of(p): p for p in getattr(inp, "content", [])},
            prev=inp.prev[0] if getattr(inp, "prev", None) else None,
            flows=flows,
            masks=masks,
            settings=render.settings,
            smooth=render.smooth,
            threads=threads(smk),
            inputs=inp,
            smk=smk,
            render=render,
        )

    @functools.cached_property
    def store(self):
        from .smk import frame_store

        return frame_store(self.smk, self.stage)

    @functools.cached_property
    def progress(self):
        from .smk import progress

        return progress(self.smk, self.stage)


def paint_frames(ctx: ChunkContext, painter) -> dict:
    """Paint the chunk's frames with ``painter(ctx)`` → ``paint(t, rgb)``, smoothed with the previous
    output when the render asks, as much as the painter lets each frame be (its ``smoothing(t)`` in [0, 1],
    if it has one: the keyframe look keeps its keyframes as painted); frames the store holds are restored,
    not painted."""
    from .files import read_rgb, write_rgb
    from .jobs import run_frames
    from .smooth import Smoother

    state, smoother = {}, Smoother(ctx.smooth, ctx.outputs, ctx.prev, ctx.flows, ctx.masks)

    def make(t):
        if "paint" not in state:
            state["paint"] = painter(ctx)
        rgb = read_rgb(ctx.content[t]) if ctx.content else None
        painted = state["paint"](t, rgb)
        strength = getattr(state["paint"], "smoothing", None)
        write_rgb(ctx.outputs[t], smoother(t, painted, strength(t) if strength else 1.0))

    label = stage(ctx.stage).label
    return run_frames({t: [p] for t, p in ctx.outputs.items()}, make, ctx.store, label, ctx.progress)
