"""Rule timeline_<t>_editor: the timeline for the editor (.otio, FCP 7 .xml, CMX 3600 .edl)."""

from paintflow.editor_files import write_editor_files
from paintflow.smk import setup_log

log = setup_log(snakemake)
write_editor_files(snakemake.params.plan, snakemake.params.media, snakemake.params.source, list(snakemake.output))
log.info("%s: %d clip(s)", ", ".join(snakemake.output), len(snakemake.params.plan["parts"]))
