"""Rule flow_<video>_<chunk>: forward and backward flow of the chunk's frame pairs."""
import cv2

from paintflow.jobs import flow_chunk
from paintflow.smk import resume_cache, setup_log

setup_log(snakemake)
cv2.setNumThreads(1)  # parallel over pairs instead
pairs = snakemake.params.pairs
frames = dict(zip(range(pairs[0], pairs[-1] + 2), snakemake.input.frames))
flow_chunk(frames, pairs, list(snakemake.output.fwd), list(snakemake.output.bwd), snakemake.params.method,
           snakemake.threads, cache := resume_cache(snakemake))
cache.clear()
