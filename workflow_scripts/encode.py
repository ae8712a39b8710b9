"""Rule encode: stylized frames → H.264 mp4 with the source's audio."""
import json

from paintflow.smk import setup_log
from paintflow.video import encode

log = setup_log(snakemake)
info = json.loads(open(snakemake.input.info).read())
with_audio = snakemake.params.audio and info["has_audio"]
encode(
    list(snakemake.input.frames), snakemake.output.video, info["fps"], crf=snakemake.params.crf,
    audio_source=snakemake.input.source if with_audio else None,
    audio_start=info["start"], audio_duration=info["duration"],
)
log.info("%s: %d frames at %g fps%s", snakemake.output.video, len(snakemake.input.frames), info["fps"],
         " with audio" if with_audio else "")
