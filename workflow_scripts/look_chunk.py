"""Rule <stage>_<render>_<first> of a look that paints frame by frame (rules/looks.smk): the chunk's
frames through the look's painter, smoothed as the render asks, resumable frame by frame."""

from paintflow.chunk import ChunkContext, paint_frames
from paintflow.registry import stage
from paintflow.smk import setup_log

setup_log(snakemake)
ctx = ChunkContext.of(snakemake)
paint_frames(ctx, stage(ctx.stage).painter)
