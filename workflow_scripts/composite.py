"""Rule composite_<render>_<first>: the painted part composited with the soft matte."""

import json

from paintflow.files import read_rgb
from paintflow.key import composite_chunk
from paintflow.registry import frame_of
from paintflow.smk import frame_store, render_dag, setup_log

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
dag = render_dag(snakemake)
r = dag.renders[owner]
bg = r.key["background"]
key = None
if inp.key:
    with open(inp.key[0]) as fh:
        key = json.load(fh)
if bg.get("image"):
    still = read_rgb(bg["image"])
    background = lambda t: still  # noqa: E731
elif bg.get("render") or bg.get("video"):
    files = {frame_of(p): p for p in inp.background}
    background = lambda t: read_rgb(files[dag.background_frame(owner, t)])  # noqa: E731
else:
    frames = {frame_of(p): p for p in inp.frames}
    background = lambda t: read_rgb(frames[t])  # noqa: E731
composite_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.look},
    {frame_of(p): p for p in inp.frames},
    {frame_of(p): p for p in inp.mattes},
    key,
    snakemake.config["videos"][r.video]["matte"]["despill"],
    r.key["stylize"],
    background,
    frame_store(snakemake, "composite"),
)
