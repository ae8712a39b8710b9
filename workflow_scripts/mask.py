"""Rule masks_<video>_<first>: consistency masks (and the report's flow pictures) of the chunk."""

from paintflow.masks import mask_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, setup_log

setup_log(snakemake)
masks = {frame_of(p): p for p in snakemake.output.masks}
mask_chunk(
    dict(zip(masks, snakemake.input.fwd)),
    dict(zip(masks, snakemake.input.bwd)),
    masks,
    snakemake.config["masks"],
    frame_store(snakemake, "masks"),
    flowviz={frame_of(p): p for p in snakemake.output.flowviz},
)
