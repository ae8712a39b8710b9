"""Rule frames_<video>_<first>: the chunk's frame targets, hard-linked from the staging folder."""

from paintflow.smk import setup_log
from paintflow.video import publish

setup_log(snakemake)
publish(snakemake.params.staging, list(snakemake.output.frames))
