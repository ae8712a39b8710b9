"""Rule mattes_<video>_<first>: the chunk's soft mattes (chroma key or person segmentation)."""

import json

from paintflow.key import matte_chunk
from paintflow.parts import whole
from paintflow.paths import frame_of
from paintflow.smk import flow_pairs, frame_store, progress, render_dag, setup_log

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
dag = render_dag(snakemake) if inp.video else None
key = None
if inp.key:
    with open(inp.key[0]) as fh:
        key = json.load(fh)
matte_chunk(
    {frame_of(p): p for p in snakemake.output.mattes},
    {frame_of(p): p for p in inp.frames},
    snakemake.config["videos"][whole(owner)]["matte"],
    key,
    inp.prev[0] if inp.prev else None,
    *flow_pairs(inp),
    frame_store(snakemake, "mattes"),
    progress(snakemake, "mattes"),
    source=(dag.videos[owner].path, dag.videos[owner].info) if inp.video else None,
)
