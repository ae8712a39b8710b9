"""Rule upscale_<render>_<first>: waifu2x on the chunk's frames of the render's look."""

import torch

from paintflow.paths import frame_of
from paintflow.smk import frame_store, progress, setup_log, threads
from paintflow.upscale import upscale_chunk

setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
u = snakemake.config["upscale"]
outputs = {frame_of(p): p for p in snakemake.output.frames}
upscale_chunk(
    {frame_of(p): p for p in snakemake.input.frames},
    outputs,
    snakemake.input.model,
    u["tile"],
    u["half"],
    u["device"],
    frame_store(snakemake, "upscale"),
    progress(snakemake, "upscale"),
)
