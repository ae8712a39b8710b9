"""Rule zoom_<render>_<first>: the infinite zoom's frames of the chunk, in order."""

import torch

from paintflow.chunk import ChunkContext
from paintflow.inputs import still_image
from paintflow.looks.dream.dreaming import zoom_chunk
from paintflow.smk import setup_log

setup_log(snakemake)
ctx = ChunkContext.of(snakemake)
torch.set_num_threads(ctx.threads)
r = ctx.render
still = None
if 1 in ctx.outputs:
    still = still_image(r.settings, r.width, r.height, r.sheet["still_video"])
zoom_chunk(
    ctx.outputs,
    ctx.prev,
    still,
    r.settings,
    snakemake.input.model,
    snakemake.config["model"]["pooling"],
    ctx.store,
    ctx.progress,
)
