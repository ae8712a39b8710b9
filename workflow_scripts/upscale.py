"""Rule upscale_<render>_<chunk>: waifu2x on the chunk's stylized frames."""
import torch

from paintflow.jobs import upscale_chunk
from paintflow.smk import resume_cache, setup_log

setup_log(snakemake)
torch.set_num_threads(snakemake.threads)
cache = resume_cache(snakemake)
p = snakemake.params
upscale_chunk(list(snakemake.input.frames), list(snakemake.output.frames), snakemake.input.model, p.tile, p.half,
              p.device, cache)
cache.clear()
