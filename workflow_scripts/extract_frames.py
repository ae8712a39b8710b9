"""Rule frames_<video>: decode the video into numbered PNGs and write info.json."""
from paintflow.runlog import setup
from paintflow.video import extract_frames, write_info

log = setup(snakemake.log[0])
info = snakemake.params.info
log.info("extracting %d frames of %s at %dx%d", info["frames"], snakemake.input.video, info["width"], info["height"])
extract_frames(snakemake.input.video, list(snakemake.output.frames), info)
write_info(snakemake.output.info, info)
