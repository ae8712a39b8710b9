"""Rule mattes_<video>_<first>: the chunk's soft mattes (chroma key or person segmentation)."""

import json

from paintflow.jobs import Progress
from paintflow.key import matte_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import TERMINAL, frame_store, render_dag, setup_log, video_frames

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
dag = render_dag(snakemake) if inp.video else None
key = None
if inp.key:
    with open(inp.key[0]) as fh:
        key = json.load(fh)
matte_chunk(
    {frame_of(p): p for p in snakemake.output.mattes},
    {frame_of(p): p for p in inp.frames},
    snakemake.config["videos"][owner]["matte"],
    key,
    inp.prev[0] if inp.prev else None,
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    frame_store(snakemake, "mattes"),
    Progress(
        "matte",
        owner,
        video_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], "mattes", owner),
        TERMINAL,
    ),
    source=(dag.videos[owner].path, dag.videos[owner].info) if inp.video else None,
)
