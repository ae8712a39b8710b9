"""Rule report_figures: pictures and figures of one render for `snakemake --report`."""
import json

import yaml

from paintflow.figures import contact_sheet, stage_strip, timing_chart
from paintflow.files import read_gray, read_rgb
from paintflow.planning import STAGES, read_benchmarks
from paintflow.smk import setup_log

setup_log(snakemake)
inp, out, p = snakemake.input, snakemake.output, snakemake.params
rows = []
for t, src, flow, mask, sty, final in zip(p.samples, inp.sources, inp.flows, inp.masks, inp.stylized, inp.final):
    rows.append((f"frame {t}", [read_rgb(src), read_rgb(flow), read_gray(mask), read_rgb(sty), read_rgb(final)]))
stage_strip(rows, ["source", "flow (t to t-1)", "consistency mask", "stylized", p.final_label]).save(out.samples)

contact_sheet([(str(t), read_rgb(f)) for t, f in zip(p.sheet_frames, inp.sheet)]).save(out.sheet)

bench = read_benchmarks(p.workdir)
stages = [(s, float(bench.loc[bench.stage == s, "s"].sum()), int((bench.stage == s).sum()))
          for s in STAGES if (bench.stage == s).any()]
timing_chart(stages, f"job time per stage (from benchmarks/), {sum(s for _, s, _ in stages):.0f} s in all").save(
    out.timing)

with open(out.config, "w") as fh:
    yaml.safe_dump(json.loads(json.dumps(dict(snakemake.config))), fh, sort_keys=False)
