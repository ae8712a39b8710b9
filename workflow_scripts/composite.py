"""Rule composite_<render>_<first>: the painted part composited with the soft matte."""

import json

from paintflow.key import background_reader, composite_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, render_of, setup_log

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
r = render_of(snakemake, owner)
key = None
if inp.key:
    with open(inp.key[0]) as fh:
        key = json.load(fh)
background = background_reader(r, inp.background, inp.frames)
composite_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.look},
    {frame_of(p): p for p in inp.frames},
    {frame_of(p): p for p in inp.mattes},
    key,
    r.sheet["despill"],
    r.key["stylize"],
    background,
    frame_store(snakemake, "composite"),
)
