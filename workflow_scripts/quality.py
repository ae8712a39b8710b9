"""Rule quality_<render>_<first>: one quality record per frame of the chunk (paintflow.quality)."""

from paintflow.paths import frame_of
from paintflow.quality import quality_chunk
from paintflow.smk import flow_pairs, frame_store, progress, setup_log

setup_log(snakemake)
inp = snakemake.input
quality_chunk(
    {frame_of(p): p for p in snakemake.output.records},
    {frame_of(p): p for p in inp.frames},
    {frame_of(p): p for p in inp.source},
    *flow_pairs(inp),
    frame_store(snakemake, "quality"),
    progress(snakemake, "quality"),
)
