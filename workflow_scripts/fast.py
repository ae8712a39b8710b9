"""Rule fast_<render>_<first>: the fast look of the chunk's frames (smoothed when asked)."""

from paintflow.jobs import Progress
from paintflow.looks.fast.stylizer import FastSettings, fast_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import TERMINAL, frame_store, render_frames, render_settings, setup_log, threads

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
cfg = render_settings(snakemake, "fast")
settings = FastSettings(cfg["style"], cfg["strength"], cfg["preserve_color"])
fast_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.content},
    settings,
    snakemake.config["renders"][owner]["smooth"],
    inp.prev[0] if inp.prev else None,
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    threads(snakemake),
    cfg["device"],
    frame_store(snakemake, "fast"),
    Progress(
        "fast look",
        owner,
        render_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], "fast", owner),
        TERMINAL,
    ),
)
