"""Rule upscale: one stylized frame through waifu2x."""
import time

import torch

from paintflow.files import read_rgb, write_rgb
from paintflow.runlog import setup
from paintflow.stylize import pick_device
from paintflow.upscale import load_pipeline, upscale

log = setup(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
device = pick_device(snakemake.params.device)
models = load_pipeline(snakemake.input.model)
start = time.perf_counter()
frame = read_rgb(snakemake.input.frame)
out = upscale(models, frame, tile=snakemake.params.tile, device=device,
              half=snakemake.params.half and device.type == "cuda")
write_rgb(snakemake.output.frame, out)
log.info("%s: %dx%d -> %dx%d on %s in %.2f s", snakemake.output.frame, frame.shape[1], frame.shape[0],
         out.shape[1], out.shape[0], device, time.perf_counter() - start)
