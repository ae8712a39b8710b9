"""Rule rmasks_<video>_<first>: reliability of warping frame t+1 onto frame t (for backward passes)."""

from paintflow.masks import mask_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, setup_log

setup_log(snakemake)
inp = snakemake.input
masks = {frame_of(p): p for p in snakemake.output.masks}
# the warp onto t uses the flow t→t+1 (fwd/t); its consistency check the flow t+1→t (bwd/t)
mask_chunk(
    dict(zip(masks, inp.bwd)),
    dict(zip(masks, inp.fwd)),
    masks,
    snakemake.config["masks"],
    frame_store(snakemake, "rmasks"),
)
