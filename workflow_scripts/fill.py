"""Rule fill_<render>_<first>: the frames the look paints, with what it must not see filled."""

import json

from paintflow.key import fill_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, setup_log

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
render = snakemake.config["renders"][owner]
key = None
if inp.key:
    with open(inp.key[0]) as fh:
        key = json.load(fh)
fill_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.frames},
    {frame_of(p): p for p in inp.mattes},
    key,
    snakemake.config["videos"][render["video"]]["matte"]["despill"],
    render["key"]["stylize"],
    frame_store(snakemake, "fill"),
)
