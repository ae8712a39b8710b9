"""Rule music_<render>_<first>: the chunk's frames painted at their points of the music walk."""

from paintflow.jobs import Progress
from paintflow.looks.music.walk import content_image, music_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import TERMINAL, frame_store, render_dag, setup_log, threads

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
dag = render_dag(snakemake)
r = dag.renders[owner]
music_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.content} if r.video else content_image(r),
    inp.table,
    r.settings,
    r.smooth,
    inp.prev[0] if inp.prev else None,
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    threads(snakemake),
    frame_store(snakemake, "music"),
    Progress("music look", owner, r.frames, frame_folder(snakemake.config["results"], "music", owner), TERMINAL),
    inp.latent_model[0] if inp.latent_model else None,
)
