"""Rule style_targets_<render>: Gram matrices of a render's style image, computed once."""

import torch

from paintflow import vgg
from paintflow.devices import pick_device
from paintflow.files import read_rgb, save_torch
from paintflow.settings import StyleSettings
from paintflow.smk import render_settings, setup_log, threads
from paintflow.stylize import resize_style, style_targets, to_device

log = setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
cfg = render_settings(snakemake, "stylize")
settings = StyleSettings.from_config(cfg)
device = pick_device(cfg["device"])
width, height = snakemake.params.identity["size"]
net = vgg.load(snakemake.input.model, snakemake.config["model"]["pooling"]).to(device)
style = resize_style(read_rgb(snakemake.input.style), (height, width), settings.style_scale)
save_torch(to_device(style_targets(net, style, settings, device), "cpu"), snakemake.output.targets)
log.info("style targets of %s at %dx%d", snakemake.input.style, style.shape[1], style.shape[0])
