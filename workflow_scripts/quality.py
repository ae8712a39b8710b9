"""Rule quality_<render>_<first>: one quality record per frame of the chunk (paintflow.quality)."""

from paintflow.jobs import Progress
from paintflow.paths import frame_folder, frame_of
from paintflow.quality import quality_chunk
from paintflow.smk import TERMINAL, frame_store, render_frames, setup_log

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
quality_chunk(
    {frame_of(p): p for p in snakemake.output.records},
    {frame_of(p): p for p in inp.frames},
    {frame_of(p): p for p in inp.source},
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    frame_store(snakemake, "quality"),
    Progress(
        "quality",
        owner,
        render_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], "quality", owner),
        TERMINAL,
    ),
)
