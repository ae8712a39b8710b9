"""Rule keyframes_train_<render> (one job per shot with keyframes): the shot's network, trained on patches
of its painted keyframes (or the one kept for the same keyframes and settings)."""

import torch

from paintflow.looks.keyframes import shot_of
from paintflow.looks.keyframes.patches import train_one
from paintflow.paths import frame_of
from paintflow.smk import render_of, setup_log, threads

log = setup_log(snakemake)
owner, first = snakemake.params.owner, snakemake.params.first
r = render_of(snakemake, owner)
frames = {frame_of(p): p for p in snakemake.input.frames}

torch.set_num_threads(threads(snakemake))
trained = train_one(shot_of(r, first), r.derived, frames, r.settings, snakemake.output.shot, r.settings["device"], log)
log.info("keyframe training of %s, shot at frame %d: %s", owner, first, "trained" if trained else "kept")
