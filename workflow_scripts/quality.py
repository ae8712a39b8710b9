"""Rule quality_<render>_<first>: one quality record per frame of the chunk (paintflow.quality)."""

from paintflow.paths import frame_of
from paintflow.quality import quality_chunk
from paintflow.smk import flow_pairs, frame_store, progress, setup_log, threads


def meter():
    """The content distance's network, loaded when a frame is to be measured."""
    import torch

    from paintflow import vgg
    from paintflow.metrics import ContentMeter

    torch.set_num_threads(threads(snakemake))
    return ContentMeter(vgg.load(snakemake.input.model, snakemake.config["model"]["pooling"]))


setup_log(snakemake)
inp = snakemake.input
quality_chunk(
    {frame_of(p): p for p in snakemake.output.records},
    {frame_of(p): p for p in inp.frames},
    {frame_of(p): p for p in inp.source},
    *flow_pairs(inp),
    frame_store(snakemake, "quality"),
    progress(snakemake, "quality"),
    meter,
    snakemake.config["quality"]["content_side"],
)
