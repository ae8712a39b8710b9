"""A toy look from outside paintflow's package (tests/test_looks.py): every frame posterized to a few
levels per channel. It is this folder and nothing else — its stage, its identity, its settings' schema
(schema.yaml), its painter — found through $PAINTFLOW_LOOKS."""

import time

import numpy as np

from paintflow.registry import Look, Stage, register_look


def posterize(rgb, levels: int):
    step = 256 // levels
    return (rgb // step * step + step // 2).clip(0, 255).astype(np.uint8)


def painter(ctx):
    """What a chunk job paints each frame with (loaded once per chunk: here, nothing to load)."""
    levels, delay = ctx.settings["levels"], ctx.settings["delay"]

    def paint(t, rgb):
        time.sleep(delay)  # a slow toy gives a test the time to kill a render mid-chunk
        return posterize(rgb, levels)

    return paint


def identity(dag, render):
    return {"frames": dag.key("frames", dag.renders[render].video), "levels": dag.renders[render].settings["levels"]}


register_look(
    Look(
        "posterize",
        "posterize",
        "posterize",
        description="a toy: each frame posterized to a few levels per channel",
        form=(("levels", "levels per channel"),),
        preview=lambda dag, render, rgb, quick=True: posterize(rgb, dag.renders[render].settings["levels"]),
    ),
    Stage("posterize", "render", "posterized", folder="posterized", picture=True, identity=identity, painter=painter),
    where=__file__,
)
