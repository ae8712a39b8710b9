"""Rule pass<k>_<render>_<first>: pass k of the multi-pass algorithm over the chunk's frames."""

import torch

from paintflow.chunk import ChunkContext
from paintflow.looks.paint.stylize import pass_chunk
from paintflow.paths import frame_of
from paintflow.smk import iteration_records, setup_log, shot_first

setup_log(snakemake)
ctx = ChunkContext.of(snakemake)
torch.set_num_threads(ctx.threads)
inp = snakemake.input
pass_chunk(
    ctx,
    {frame_of(p): p for p in inp.previous},
    inp.neighbour[0] if inp.neighbour else None,
    snakemake.params.number,
    inp.model,
    inp.targets,
    snakemake.config["model"]["pooling"],
    first=shot_first(snakemake),
    records=iteration_records(snakemake, ctx.stage),
)
