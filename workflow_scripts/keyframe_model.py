"""Rule keyframe_model_<render>: the shots' networks gathered into the render's model, with the loss table."""

from paintflow.looks.keyframes.patches import gather
from paintflow.smk import render_of, setup_log

log = setup_log(snakemake)
r = render_of(snakemake, snakemake.params.owner)
log.info("keyframe model of %s: %s", snakemake.params.owner, gather(r.derived, r.settings, snakemake.output))
