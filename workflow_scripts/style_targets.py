"""Rule style_targets: Gram matrices of a render's style image, computed once."""
import json

import torch

from paintflow import vgg
from paintflow.files import atomic_path, read_rgb
from paintflow.smk import setup_log
from paintflow.stylize import StyleSettings, pick_device, resize_style, style_targets

log = setup_log(snakemake)
torch.set_num_threads(snakemake.threads)
settings = StyleSettings.from_config(snakemake.params.settings)
device = pick_device(snakemake.params.settings.get("device", "auto"))
info = json.loads(open(snakemake.input.info).read())
net = vgg.load(snakemake.input.model, snakemake.params.pooling).to(device)
style = resize_style(read_rgb(snakemake.input.style), (info["height"], info["width"]), settings.style_scale)
targets = {k: v.cpu() for k, v in style_targets(net, style, settings, device).items()}
with atomic_path(snakemake.output.targets) as tmp:
    torch.save(targets, tmp)
log.info("style targets of %s at %dx%d: %s", snakemake.input.style, style.shape[1], style.shape[0], list(targets))
