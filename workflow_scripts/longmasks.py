"""Rule longmasks_<video>_<first>: reliability of warping frame t−j onto t, for the long-term offsets j."""

from pathlib import Path

from paintflow.masks import long_mask_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, setup_log

setup_log(snakemake)
pairs = {}
for f, b, m in zip(snakemake.input.fwd, snakemake.input.bwd, snakemake.output.masks):
    pairs[(frame_of(m), int(Path(m).parent.name))] = (f, b, m)
long_mask_chunk(pairs, snakemake.config["masks"], frame_store(snakemake, "longmasks"))
