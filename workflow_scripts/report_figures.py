"""Rule report: pictures and figures of one render for `snakemake --report`."""

import json

from paintflow import report
from paintflow.files import write_json
from paintflow.quality import render_records, render_summary
from paintflow.registry import STAGES
from paintflow.smk import TERMINAL, render_dag, setup_log
from paintflow.stopping import read_records

setup_log(snakemake)
render, out = snakemake.params.owner, snakemake.output
config = json.loads(json.dumps(dict(snakemake.config)))
dag = render_dag(snakemake)
samples = dag.report_samples(render)
report.stage_pictures(dag.report_frames(render), samples, out.samples)
report.sheet(list(zip(dag.sheet_frames(render), snakemake.input.sheet)), out.sheet)
results = snakemake.config["results"]
iterations = {s: read_records(results, s, render) for s in STAGES}  # the stages that record iterations
report.timing(report.read_benchmarks(results, snakemake.input.benchmarks), out.timing, iterations)
report.config_page(config, render, out.config)
report.deliveries_page(dag, render, out.deliveries)
report.shot_sheet(dag, render, dict(zip(dag.shot_ends(render), snakemake.input.shots)), out.shots)

# quality: the records of every frame, the flags, the line the terminal shows as the render ends
records = render_records(dag, render)
figures = render_summary(dag, render, records)
final = {t: dag.path(dag.final_stage(render), render, t) for t in range(1, dag.renders[render].frames + 1)}
video = dag.renders[render].video
source = {t: dag.path("frames", video, t) for t in final} if video else {}
report.quality_section(figures, records, final, source, out.quality)
write_json(out.figures, {"render": render, **figures})
if records:
    print(f"[{render}] {figures['summary']}", file=TERMINAL, flush=True)
