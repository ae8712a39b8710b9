"""Rule keyframes_train_<render>: a network per shot trained on patches of the shot's painted keyframes."""

from paintflow.looks.keyframes.patches import train
from paintflow.paths import frame_of
from paintflow.smk import render_of, setup_log, threads

log = setup_log(snakemake)
owner = snakemake.params.owner
r = render_of(snakemake, owner)
frames = {frame_of(p): p for p in snakemake.input.frames}
summary = train(r.derived, frames, r.settings, snakemake.output, r.settings["device"], threads(snakemake), log)
log.info("keyframe training of %s: %s", owner, summary)
