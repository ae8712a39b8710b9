# paintflow: source video → frames → optical flow → consistency masks →
# sequential (temporally consistent) stylization → encoded video with audio.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/frames.smk"
include: "rules/flow.smk"
include: "rules/masks.smk"
include: "rules/model.smk"
include: "rules/stylize.smk"
include: "rules/upscale.smk"
include: "rules/encode.smk"
include: "rules/report.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
