"""Rule mattes_<video>_<first>: the chunk's soft mattes (chroma key or person segmentation)."""

import json

from paintflow.key import matte_chunk
from paintflow.parts import whole
from paintflow.paths import frame_of
from paintflow.smk import flow_pairs, frame_store, progress, setup_log, video_source

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
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
    source=video_source(snakemake, owner) if inp.video else None,
)
