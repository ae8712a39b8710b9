"""Rule pass<k>_<render>_<first>: pass k of the multi-pass algorithm over the chunk's frames."""

import torch

from paintflow.jobs import Progress
from paintflow.looks.paint.stylize import pass_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import (
    TERMINAL,
    frame_store,
    iteration_records,
    render_frames,
    render_settings,
    setup_log,
    shot_first,
    threads,
)

setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
inp, owner, k = snakemake.input, snakemake.params.owner, snakemake.params.number
cfg = render_settings(snakemake, "stylize")
keyed = {frame_of(m): f for m, f in zip(inp.masks, inp.flows)}
pass_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.previous},
    {frame_of(p): p for p in inp.content},
    inp.neighbour[0] if inp.neighbour else None,
    keyed,
    {frame_of(m): m for m in inp.masks},
    k,
    inp.model,
    inp.targets,
    cfg,
    cfg["device"],
    snakemake.config["model"]["pooling"],
    frame_store(snakemake, f"pass{k}"),
    Progress(
        f"pass {k}",
        owner,
        render_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], f"pass{k}", owner),
        TERMINAL,
    ),
    first=shot_first(snakemake),
    records=iteration_records(snakemake, f"pass{k}"),
)
