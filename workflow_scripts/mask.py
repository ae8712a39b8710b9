"""Rule mask: forward–backward consistency mask of one frame."""
from paintflow.files import read_flow, write_gray
from paintflow.masks import consistency_mask, to_png
from paintflow.runlog import setup

log = setup(snakemake.log[0])
mask = consistency_mask(read_flow(snakemake.input.flow), read_flow(snakemake.input.flow_back), **snakemake.params.settings)
write_gray(snakemake.output.mask, to_png(mask))
log.info("mask %s: %.1f %% reliable", snakemake.output.mask, 100 * (mask > 0.5).mean())
