"""Rule latent_train_<render>: the VAE and its refiner trained on the paintings and the video's frames."""

from paintflow.looks.latent.vae import TrainSettings, train
from paintflow.smk import TERMINAL, job_progress_of, render_of, setup_log, threads

log = setup_log(snakemake)
owner = snakemake.params.owner
r = render_of(snakemake, owner)
s, found = r.settings, r.derived
if found["skipped_files"]:
    note = f"latent training of {owner}: skipped, not images: {', '.join(found['skipped_files'])}"
    log.warning(note)
    print(f"paintflow: {note}", file=TERMINAL, flush=True)
out = snakemake.output
summary = train(
    found["painting_files"],
    snakemake.input.frames,
    TrainSettings.from_config(s, found["train_size"]),
    snakemake.params.checkpoint,
    {"model": out.model, "loss": out.loss, "chart": out.chart, "samples": out.samples},
    device=s["device"],
    threads=threads(snakemake),
    owner=owner,
    stream=TERMINAL,
    record=job_progress_of(snakemake, "latent_train"),
)
log.info("latent training of %s: %s", owner, summary)
