# paintflow: source video → frames → optical flow → consistency masks → a look (painted: sequential,
# temporally consistent stylization) → upscaling → encoded video with audio. The stages are listed in
# paintflow/registry.py; each has one rule file here and one module in the package.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/identity.smk"
include: "rules/frames.smk"
include: "rules/flow.smk"
include: "rules/masks.smk"
include: "rules/key.smk"
include: "rules/model.smk"
include: "rules/stylize.smk"
include: "rules/fast.smk"
include: "rules/dream.smk"
include: "rules/music.smk"
include: "rules/latent.smk"
include: "rules/upscale.smk"
include: "rules/quality.smk"
include: "rules/encode.smk"
include: "rules/report.smk"
include: "rules/hooks.smk"


rule all:
    default_target: True
    input:
        PF.all_outputs(),
