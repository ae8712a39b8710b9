"""Rule zoom_<render>_<first>: the infinite zoom's frames of the chunk, in order."""

import torch

from paintflow.jobs import Progress
from paintflow.looks.dream.dreaming import source_image, zoom_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import TERMINAL, frame_store, render_dag, setup_log, threads

setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
inp, owner = snakemake.input, snakemake.params.owner
dag = render_dag(snakemake)
r = dag.renders[owner]
outputs = {frame_of(p): p for p in snakemake.output.frames}
still = None
if 1 in outputs:
    video = dag.videos[r.settings["video"]] if r.settings.get("video") else None
    still = source_image(r.settings, r.width, r.height, video)
zoom_chunk(
    outputs,
    inp.prev[0] if inp.prev else None,
    still,
    r.settings,
    inp.model,
    snakemake.config["model"]["pooling"],
    frame_store(snakemake, "zoom"),
    Progress("zoom", owner, r.frames, frame_folder(snakemake.config["results"], "zoom", owner), TERMINAL),
)
