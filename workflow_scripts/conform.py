"""Rules timeline_<t> and timeline_<t>__<format>: a timeline's master in one format (paintflow.timeline)."""

from fractions import Fraction
from pathlib import Path

from paintflow.conform import PartsPicture, master_frames
from paintflow.delivery import FORMATS, encode
from paintflow.smk import setup_log

log = setup_log(snakemake)
plan, fmt = snakemake.params.plan, FORMATS[snakemake.params.format]
finals = {r: list(snakemake.input[r]) for r in snakemake.params.renders}
d = plan["delivery"]
picture = PartsPicture(plan, snakemake.params.looks)
encode(
    picture.through(master_frames(plan, Path(snakemake.input.source), snakemake.params.info, finals)),
    plan["frames"],
    tuple(plan["size"]),
    snakemake.output.video,
    fmt,
    Fraction(d["rate"]),
    timecode=d["timecode"],
    colour=d["colour"],
    audio=tuple(plan["audio"]) if plan["audio"] else None,
    settings=d["settings"],
)
if getattr(snakemake.output, "parts", None):
    picture.write(snakemake.output.parts)
painted = sum(p["last"] - p["first"] + 1 for p in plan["parts"] if p["render"])
log.info(
    "%s: %d frames (%d from %d render(s), %d as filmed) in %s at %s fps%s",
    snakemake.output.video,
    plan["frames"],
    painted,
    len(finals),
    plan["frames"] - painted,
    fmt.name,
    d["rate"],
    f", timecode {d['timecode']}" if d["timecode"] else "",
)
