"""Rule masks_<video>_<chunk>: consistency masks of the frames after the chunk's pairs."""
from paintflow.jobs import mask_chunk
from paintflow.smk import resume_cache, setup_log

setup_log(snakemake)
cache = resume_cache(snakemake)
mask_chunk(list(snakemake.input.fwd), list(snakemake.input.bwd), list(snakemake.output.masks),
           snakemake.params.settings, cache,
           flowviz=dict(zip(snakemake.params.flowviz_frames, snakemake.output.flowviz)))
cache.clear()
