"""Rule report: pictures and figures of one render for `snakemake --report`, from the files it is given
and its render's report sheet (RenderDag.report_sheet, in the render's snapshot)."""

import json

from paintflow import report
from paintflow.files import write_json
from paintflow.quality import records_of, summary
from paintflow.registry import STAGES
from paintflow.smk import TERMINAL, render_of, setup_log
from paintflow.stopping import read_records

setup_log(snakemake)
render, out = snakemake.params.owner, snakemake.output
config = json.loads(json.dumps(dict(snakemake.config)))
sheet = render_of(snakemake, render).sheet["report"]
report.stage_pictures(sheet["columns"], sheet["samples"], out.samples)
report.sheet(list(zip(sheet["sheet_frames"], snakemake.input.sheet)), out.sheet)
results = snakemake.config["results"]
iterations = {s: read_records(results, s, render) for s in STAGES}  # the stages that record iterations
report.timing(report.read_benchmarks(results, snakemake.input.benchmarks), out.timing, iterations)
report.config_page(config, render, out.config)
report.deliveries_page(sheet["deliveries"], render, out.deliveries)
report.shot_sheet(sheet["shot_rows"], dict(zip(sheet["shot_ends"], snakemake.input.shots)), out.shots)

# quality: the records of every frame, the flags, the line the terminal shows as the render ends
facts = sheet["quality"]
records = records_of(facts)
figures = summary(facts, config["quality"], records)
final = {t: sheet["final"].format(t=t) for t in range(1, facts["frames"] + 1)}
source = {t: sheet["source"].format(t=t) for t in final} if sheet["source"] else {}
report.quality_section(figures, records, final, source, out.quality)
write_json(out.figures, {"render": render, **figures})
if records:
    print(f"[{render}] {figures['summary']}", file=TERMINAL, flush=True)
