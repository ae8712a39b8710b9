"""Rule layer_sheet_<render>: one dreamed image per layer and their labelled contact sheet."""

from pathlib import Path

import torch

from paintflow.inputs import still_image
from paintflow.looks.dream.dreaming import layer_sheet
from paintflow.smk import render_of, setup_log, threads

log = setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
owner = snakemake.params.owner
r = render_of(snakemake, owner)
images = {Path(p).stem: p for p in snakemake.output.images}
layer_sheet(
    still_image(r.settings, r.width, r.height, r.sheet["still_video"]),
    r.settings,
    snakemake.input.model,
    snakemake.config["model"]["pooling"],
    images,
    snakemake.output.sheet,
)
log.info("layer sheet of %s: %s", owner, ", ".join(images))
