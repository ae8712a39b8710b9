"""Rule stylize_<render>_<first>: stylize the chunk's frames in order."""

import time
from pathlib import Path

from paintflow.smk import process_age

age_at_script, script_start = process_age(), time.perf_counter()  # interpreter + preamble so far

import torch  # noqa: E402

from paintflow.jobs import Progress  # noqa: E402
from paintflow.looks.paint.stylize import stylize_chunk  # noqa: E402
from paintflow.paths import frame_folder, frame_of  # noqa: E402
from paintflow.registry import stage  # noqa: E402
from paintflow.smk import (  # noqa: E402
    TERMINAL,
    frame_store,
    iteration_records,
    render_frames,
    render_settings,
    setup_log,
    shot_first,
    threads,
)

log = setup_log(snakemake)
torch.set_num_threads(threads(snakemake))
inp, owner = snakemake.input, snakemake.params.owner
cfg = render_settings(snakemake, "stylize")
outputs = {frame_of(p): p for p in snakemake.output.frames}
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
    outputs,
    {frame_of(p): p for p in inp.content},
    inp.prev[0] if inp.prev else None,
    {frame_of(m): f for m, f in zip(inp.masks, inp.flows)},
    {frame_of(m): m for m in inp.masks},
    inp.model,
    inp.targets,
    cfg,
    cfg["device"],
    snakemake.config["model"]["pooling"],
    frame_store(snakemake, snakemake.params.stage),
    Progress(
        stage(snakemake.params.stage).label,
        owner,
        render_frames(snakemake, owner),
        frame_folder(snakemake.config["results"], snakemake.params.stage, owner),
        TERMINAL,
    ),
    iteration_log,
    smoothing=snakemake.config["renders"][owner]["smooth"],
    style_path=inp.style[0] if inp.style else None,
    long_term=long_term,
    first=shot_first(snakemake),
    records=iteration_records(snakemake, snakemake.params.stage),
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
