"""Rule latent_<render>_<first>: the chunk's frames through the trained VAE, shifted toward the paintings."""

from paintflow.jobs import Progress
from paintflow.looks.latent.vae import latent_chunk
from paintflow.paths import frame_folder, frame_of
from paintflow.smk import TERMINAL, frame_store, render_frames, render_settings, setup_log

setup_log(snakemake)
inp, owner = snakemake.input, snakemake.params.owner
s = render_settings(snakemake, "latent")
latent_chunk(
    {frame_of(p): p for p in snakemake.output.frames},
    {frame_of(p): p for p in inp.content},
    inp.model,
    s["strength"],
    snakemake.config["renders"][owner]["smooth"],
    inp.prev[0] if inp.prev else None,
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    s["device"],
    frame_store(snakemake, "latent"),
    Progress(
        "latent style",
        owner,
        render_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], "latent", owner),
        TERMINAL,
    ),
)
