"""Rules encode_<render> and encode_<render>__<layer>_<format>: one delivery of the render's frames
(paintflow.delivery), at its exact rate, with the source's timecode, colour tags and (composite) sound."""

from fractions import Fraction

from paintflow.delivery import FORMATS, encode
from paintflow.files import read_rgb
from paintflow.key import layer_frames
from paintflow.smk import render_of, setup_log

log = setup_log(snakemake)
owner, layer, fmt = snakemake.params.owner, snakemake.params.layer, FORMATS[snakemake.params.format]
r = render_of(snakemake, owner)
plan = r.sheet["encoding"]
order = slice(None, None, -1 if plan["reverse"] else 1)  # a zoom-out plays the zoom backwards
finals = list(snakemake.input.frames)[order]
h, w = read_rgb(finals[0]).shape[:2]
frames = (read_rgb(p) for p in finals) if layer == "composite" else layer_frames(r, layer, snakemake.input, (w, h))
encode(
    frames,
    len(finals),
    (w, h),
    snakemake.output.video,
    fmt,
    Fraction(plan["rate"]),
    alpha=layer == "performer",
    timecode=plan["timecode"],
    colour=plan["colour"],
    audio=plan["audio"] if layer == "composite" else None,
    settings=snakemake.params.quality,
)
log.info(
    "%s: %s of %d frames in %s at %s fps%s%s%s",
    snakemake.output.video,
    layer,
    len(finals),
    fmt.name,
    plan["rate"],
    f", timecode {plan['timecode']}" if plan["timecode"] else "",
    " with audio" if plan["audio"] and layer == "composite" else "",
    ", reversed" if plan["reverse"] else "",
)
