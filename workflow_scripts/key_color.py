"""Rule key_color_<video>: the screen's colour, given or estimated from the first frames' borders."""

from paintflow.files import read_rgb, write_json
from paintflow.key import key_of
from paintflow.parts import whole
from paintflow.smk import setup_log

log = setup_log(snakemake)
key = key_of(
    snakemake.config["videos"][whole(snakemake.params.owner)]["matte"], [read_rgb(p) for p in snakemake.input.frames]
)
write_json(snakemake.output.key, key)
log.info(
    "key colour of %s: RGB %s, chroma %s, screen spread %.1f",
    snakemake.params.owner,
    key["rgb"],
    key["chroma"],
    key["spread"],
)
