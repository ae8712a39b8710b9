"""Rule stylize: one frame, optionally tied to the stylized previous frame."""
import time

import torch

from paintflow import vgg
from paintflow.files import read_flow, read_gray, read_rgb, write_rgb
from paintflow.masks import from_png
from paintflow.runlog import setup
from paintflow.stylize import StyleSettings, pick_device, stylize_frame

log = setup(snakemake.log[0])
start = time.perf_counter()
torch.set_num_threads(snakemake.threads)
inp = snakemake.input
settings = StyleSettings.from_config(snakemake.params.settings)
device = pick_device(snakemake.params.settings.get("device", "auto"))
net = vgg.load(inp.model, snakemake.params.pooling).to(device)
targets = {k: v.to(device) for k, v in torch.load(inp.targets, weights_only=True).items()}
t = int(snakemake.wildcards.t)
temporal = "prev" in inp.keys()
ready = time.perf_counter()

stylized = stylize_frame(
    net, targets, read_rgb(inp.content), settings,
    prev_stylized=read_rgb(inp.prev) if temporal else None,
    flow_back=read_flow(inp.flow) if temporal else None,
    mask=from_png(read_gray(inp.mask)) if temporal else None,
    frame_index=t, device=device,
    progress=lambda i, n, loss: log.info("frame %d iteration %d/%d loss %.4g", t, i, n, loss) if i % 10 == 0 else None,
)
write_rgb(snakemake.output.frame, stylized)
done = time.perf_counter()
log.info("frame %d on %s: set-up %.2f s, optimisation %.2f s", t, device, ready - start, done - ready)
