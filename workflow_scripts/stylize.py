"""Rule stylize_<render>_<first>: stylize the chunk's frames in order."""

import time
from pathlib import Path

from paintflow.smk import process_age

age_at_script, script_start = process_age(), time.perf_counter()  # interpreter + preamble so far

import torch  # noqa: E402

from paintflow.chunk import ChunkContext  # noqa: E402
from paintflow.looks.paint.stylize import stylize_chunk  # noqa: E402
from paintflow.paths import frame_of  # noqa: E402
from paintflow.smk import iteration_records, setup_log, shot_first  # noqa: E402

log = setup_log(snakemake)
ctx = ChunkContext.of(snakemake)
torch.set_num_threads(ctx.threads)
inp, outputs = snakemake.input, ctx.outputs
long_term = {}  # {t: [(j, stylized frame t-j, flow t→t-j, mask)]}, j ascending
earlier = {**{frame_of(p): p for p in inp.longprev}, **outputs}
for flow, mask in zip(inp.longflows, inp.longmasks):
    t, j = frame_of(mask), int(Path(mask).parent.name)
    long_term.setdefault(t, []).append((j, earlier[t - j], flow, mask))
frames = sorted(outputs)


def iteration_log(t, i, n, loss):
    if i % 10 == 0 or i == n:
        log.info("frame %d (%d/%d of chunk) iteration %d/%d loss %.4g", t, frames.index(t) + 1, len(frames), i, n, loss)


timings = stylize_chunk(
    ctx,
    inp.model,
    inp.targets,
    snakemake.config["model"]["pooling"],
    iteration_log,
    style_path=inp.style[0] if inp.style else None,
    long_term=long_term,
    first=shot_first(snakemake),
    records=iteration_records(snakemake, ctx.stage),
)
overhead = age_at_script + (timings["first_start"] - script_start) if timings["first_start"] else 0.0
log.info(
    "chunk done: %d frames stylized, %d restored; overhead (process start to first iteration) %.2f s "
    "= %.2f s per stylized frame; optimisation %.2f s",
    timings["made"],
    timings["restored"],
    overhead,
    overhead / max(timings["made"], 1),
    timings["seconds"],
)
