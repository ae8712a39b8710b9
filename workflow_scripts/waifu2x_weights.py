"""Rule waifu2x_weights: convert the shipped ncnn waifu2x model(s) once."""
from paintflow.smk import setup_log
from paintflow.upscale import pipeline, save_pipeline

log = setup_log(snakemake)
p = snakemake.params
models = pipeline(p.model, p.noise, p.scale)
save_pipeline(models, snakemake.output.model)
log.info("waifu2x %s noise %d, %d pass(es), margin %d px -> %s", p.model, p.noise, len(models),
         models[0].margin, snakemake.output.model)
