"""Rules timeline_<t>, timeline_<t>__<format> and timeline_<t>__<layer>_<format>: a timeline's master in one
format, as one layer (paintflow.timeline, paintflow.conform)."""

from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

from paintflow.conform import PartsPicture, master_frames, master_layer
from paintflow.delivery import FORMATS, encode
from paintflow.key import layer_frames
from paintflow.smk import render_of, setup_log

log = setup_log(snakemake)
plan, fmt, layer = snakemake.params.plan, FORMATS[snakemake.params.format], snakemake.params.layer
finals = {r: list(snakemake.input[r]) for r in snakemake.params.renders}
d, size = plan["delivery"], tuple(plan["size"])
picture = PartsPicture(plan, snakemake.params.looks)
frames = picture.through(master_frames(plan, Path(snakemake.input.source), snakemake.params.info, finals))
if layer != "composite":  # a keyed part's own layer; elsewhere no performer, the whole picture as background
    files = {r: {k: list(getattr(snakemake.input, f"{r}__{k}", [])) for k in ("look", "source", "mattes", "key",
             "background")} for r in snakemake.params.keyed}  # fmt: skip
    keyed = {r: layer_frames(render_of(snakemake, r), layer, SimpleNamespace(**f), size) for r, f in files.items()}
    frames = master_layer(plan, layer, frames, keyed)
encode(
    frames,
    plan["frames"],
    size,
    snakemake.output.video,
    fmt,
    Fraction(d["rate"]),
    alpha=layer == "performer",
    timecode=d["timecode"],
    colour=d["colour"],
    audio=tuple(plan["audio"]) if plan["audio"] and layer == "composite" else None,
    settings=d["settings"],
)
if getattr(snakemake.output, "parts", None):
    picture.write(snakemake.output.parts)
painted = sum(p["last"] - p["first"] + 1 for p in plan["parts"] if p["render"])
log.info(
    "%s: %s, %d frames (%d from %d render(s), %d as filmed) in %s at %s fps%s",
    snakemake.output.video,
    layer,
    plan["frames"],
    painted,
    len(finals),
    plan["frames"] - painted,
    fmt.name,
    d["rate"],
    f", timecode {d['timecode']}" if d["timecode"] else "",
)
