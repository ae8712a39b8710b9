"""Rule style_targets_<render>: the (blended) Gram targets of a render's style images, computed once."""

import torch

from paintflow import vgg
from paintflow.devices import pick_device
from paintflow.files import read_rgb, save_torch
from paintflow.looks.paint.settings import StyleSettings
from paintflow.looks.paint.stylize import blended_targets, to_device
from paintflow.smk import render_of, render_settings, setup_log, threads

log = setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
cfg = render_settings(snakemake, "stylize")
settings = StyleSettings.from_config(cfg)
device = pick_device(cfg["device"])
width, height = snakemake.params.identity["size"]
styles = render_of(snakemake, snakemake.params.owner).styles
net = vgg.load(snakemake.input.model, snakemake.config["model"]["pooling"]).to(device)
first = read_rgb(snakemake.input.first[0]) if snakemake.input.first else None
targets = blended_targets(
    net, [(read_rgb(s["path"]), s["weight"], s["scale"]) for s in styles], settings, (height, width), device, first
)
save_torch(to_device(targets, "cpu"), snakemake.output.targets)
log.info("style targets of %s at %dx%d", ", ".join(str(s["path"]) for s in styles), width, height)
