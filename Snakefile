# paintflow: source video → frames → optical flow → consistency masks → a look (painted: sequential,
# temporally consistent stylization) → upscaling → encoded video with audio. The stages every render
# shares are in paintflow/shared_stages.py, each look in its folder paintflow/looks/<name>/; the rules
# here orchestrate, the package computes.
from snakemake.utils import min_version

min_version("9.0")


# the demo's config.yaml when no --configfile is given; a config given is the whole config (Snakemake
# would otherwise merge it over this one and plan the demo's render as well)
if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/identity.smk"
include: "rules/frames.smk"
include: "rules/flow.smk"
include: "rules/masks.smk"
include: "rules/key.smk"
include: "rules/model.smk"
include: "rules/looks.smk"


# each look's own rules (paintflow/looks/<name>: Look.rules names its file in rules/)
for _rules in sorted({look.rules for look in LOOKS.values() if look.rules}):

    include: f"rules/{_rules}.smk"


include: "rules/upscale.smk"
include: "rules/quality.smk"
include: "rules/encode.smk"
include: "rules/timeline.smk"
include: "rules/report.smk"
include: "rules/hooks.smk"


rule all:
    default_target: True
    input:
        PF.all_outputs(),
