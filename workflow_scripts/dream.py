"""Rule dream_<render>_<first>: dream the chunk's video frames in order."""

import torch

from paintflow.jobs import Progress
from paintflow.looks.dream.dreaming import dream_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import TERMINAL, frame_store, render_dag, render_frames, setup_log, shot_first, threads

setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
inp, owner = snakemake.input, snakemake.params.owner
dream_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.content},
    inp.prev[0] if inp.prev else None,
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    render_dag(snakemake).renders[owner].settings,
    inp.model,
    snakemake.config["model"]["pooling"],
    frame_store(snakemake, "dream"),
    Progress(
        "dreamed",
        owner,
        render_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], "dream", owner),
        TERMINAL,
    ),
    first=shot_first(snakemake),
)
