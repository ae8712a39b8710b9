"""Rule waifu2x_weights: convert the shipped ncnn waifu2x model(s) once."""

from paintflow.smk import setup_log
from paintflow.upscale import pipeline, save_pipeline

log = setup_log(snakemake)
u = snakemake.config["upscale"]
models = pipeline(u["model"], u["noise"], u["scale"])
save_pipeline(models, snakemake.output.model)
log.info(
    "waifu2x %s noise %d, %d pass(es), margin %d px -> %s",
    u["model"],
    u["noise"],
    len(models),
    models[0].margin,
    snakemake.output.model,
)
