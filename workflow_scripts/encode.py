"""Rule encode_<render>: the render's final frames → H.264 mp4 with its audio."""

import json

from paintflow.smk import setup_log
from paintflow.video import encode

log = setup_log(snakemake)
with open(snakemake.input.info) as fh:
    info = json.load(fh)
audio = snakemake.input.audio[0] if snakemake.input.audio else None
encode(
    list(snakemake.input.frames),
    snakemake.output.video,
    info["fps"],
    crf=snakemake.config["encode"]["crf"],
    audio_source=audio,
    audio_start=info["start"],
    audio_duration=info["duration"],
)
log.info(
    "%s: %d frames at %g fps%s",
    snakemake.output.video,
    len(snakemake.input.frames),
    info["fps"],
    " with audio" if audio else "",
)
