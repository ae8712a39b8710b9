"""Rule dream_<render>_<first>: dream the chunk's video frames in order."""

import torch

from paintflow.chunk import ChunkContext
from paintflow.looks.dream.dreaming import dream_chunk
from paintflow.smk import setup_log, shot_first

setup_log(snakemake)
ctx = ChunkContext.of(snakemake)
torch.set_num_threads(ctx.threads)
dream_chunk(
    ctx.outputs,
    ctx.content,
    ctx.prev,
    ctx.flows,
    ctx.masks,
    ctx.settings,
    snakemake.input.model,
    snakemake.config["model"]["pooling"],
    ctx.store,
    ctx.progress,
    first=shot_first(snakemake),
)
