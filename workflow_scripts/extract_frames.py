"""Rule extract_<video>: decode all frames into the staging folder, then write info.json."""
from pathlib import Path

from paintflow.files import write_json
from paintflow.jobs import extract
from paintflow.smk import setup_log

log = setup_log(snakemake)
info = snakemake.params.info
log.info("extracting %d frames of %s at %dx%d", info["frames"], snakemake.input.video, info["width"], info["height"])
extract(snakemake.input.video, Path(snakemake.params.staging), info)
write_json(snakemake.output.info, info)  # last: marks the staging folder complete
