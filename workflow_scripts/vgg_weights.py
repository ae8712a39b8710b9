"""Rule vgg_weights: convert the VGG weights once into a torch state file (or link the machine's copy)."""

from paintflow.model_cache import cached
from paintflow.smk import setup_log

log = setup_log(snakemake)


def convert(out):
    from paintflow import vgg

    converted = vgg.convert(snakemake.config["model"]["weights"])
    vgg.save(converted, out)
    log.info("VGG-%d (%s preprocessing) saved to %s", converted["depth"], converted["preprocess"], out)


cached(snakemake.output.model, "vgg", convert)
