"""Rule vgg_weights: convert the VGG weights once into a torch state file."""

from paintflow import vgg
from paintflow.smk import setup_log

log = setup_log(snakemake)
converted = vgg.convert(snakemake.config["model"]["weights"])
vgg.save(converted, snakemake.output.model)
log.info("VGG-%d (%s preprocessing) saved to %s", converted["depth"], converted["preprocess"], snakemake.output.model)
