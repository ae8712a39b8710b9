"""Rule encode_<render>: the render's final frames → H.264 mp4 at its frame rate, with its sound."""

from paintflow.smk import render_dag, setup_log
from paintflow.video import encode

log = setup_log(snakemake)
owner = snakemake.params.owner
plan = render_dag(snakemake).encoding(owner)
frames = list(snakemake.input.frames)[:: -1 if plan["reverse"] else 1]  # a zoom-out plays the zoom backwards
audio, start, seconds = plan["audio"] or (None, 0.0, None)
encode(
    frames,
    snakemake.output.video,
    plan["fps"],
    crf=snakemake.config["encode"]["crf"],
    audio_source=audio,
    audio_start=start,
    audio_duration=seconds,
)
log.info(
    "%s: %d frames at %g fps%s%s",
    snakemake.output.video,
    len(frames),
    plan["fps"],
    " with audio" if audio else "",
    ", reversed" if plan["reverse"] else "",
)
