"""Rule waifu2x_weights: convert the shipped ncnn waifu2x model(s) once (or link the machine's copy)."""

from paintflow.model_cache import cached
from paintflow.smk import setup_log

log = setup_log(snakemake)
u = snakemake.config["upscale"]


def convert(out):
    from paintflow.upscale import pipeline, save_pipeline

    models = pipeline(u["model"], u["noise"], u["scale"])
    save_pipeline(models, out)
    log.info(
        "waifu2x %s noise %d, %d pass(es), margin %d px -> %s",
        u["model"],
        u["noise"],
        len(models),
        models[0].margin,
        out,
    )


cached(snakemake.output.model, "waifu2x", convert)
