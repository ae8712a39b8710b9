"""Rule frames_<video>_<chunk>: the chunk's frame targets, hard-linked from staging."""
from pathlib import Path

from paintflow.jobs import publish
from paintflow.smk import setup_log

setup_log(snakemake)
publish(Path(snakemake.params.staging), list(snakemake.output.frames))
