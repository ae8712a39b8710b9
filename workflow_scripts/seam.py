"""Rule seam_<render>_<first>: a segmented render's frames, crossfaded over each segment's overlap."""

from paintflow.looks.paint.seams import seam_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, render_of, setup_log

setup_log(snakemake)
owner = snakemake.params.owner
seam_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in snakemake.input.own},
    {frame_of(p): p for p in snakemake.input.leads},
    [range(a, b) for a, b in render_of(snakemake, owner).sheet["lead_ranges"]],
    frame_store(snakemake, "seam"),
)
