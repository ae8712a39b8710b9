"""Rule extract_<video>: decode the frames into the staging folder, then write info.json."""

from pathlib import Path

from paintflow.files import write_json
from paintflow.parts import whole
from paintflow.smk import setup_log
from paintflow.video import extract_frames

log = setup_log(snakemake)
source = snakemake.config["videos"][whole(snakemake.params.owner)][
    "path"
]  # a file, or an image sequence (folder, pattern)
info = snakemake.params.info
log.info(
    "decoding %d frames of %s at %dx%d, %g fps",
    info["frames"],
    source,
    info["width"],
    info["height"],
    info["fps"],
)
if info.get("variable_rate"):
    log.warning(
        "%s has a variable frame rate: resampled to its average, %g fps (set fps: to choose)",
        source,
        info["fps"],
    )
staging = Path(snakemake.params.staging)
extract_frames(source, [staging / f"{t:06d}.png" for t in range(1, info["frames"] + 1)], info)
write_json(snakemake.output.info, {**info, "staging": str(staging)})  # last: marks the staging folder complete
