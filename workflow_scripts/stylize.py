"""Rule stylize_<render>_<chunk>: stylize the chunk's frames in order."""
import time

from paintflow.smk import process_age, resume_cache, setup_log

age_at_script, script_start = process_age(), time.perf_counter()  # interpreter + preamble so far

import torch  # noqa: E402

from paintflow.jobs import stylize_chunk  # noqa: E402

log = setup_log(snakemake)
torch.set_num_threads(snakemake.threads)
inp, p = snakemake.input, snakemake.params
frames = p.frames
cache = resume_cache(snakemake)


def progress(t, i, n, loss):
    if i % 10 == 0 or i == n:
        log.info("frame %d (%d/%d of chunk) iteration %d/%d loss %.4g", t, frames.index(t) + 1, len(frames), i, n, loss)


timings = stylize_chunk(
    frames, list(inp.content), list(snakemake.output.frames),
    prev=inp.prev[0] if inp.prev else None,
    flows=dict(zip(p.temporal_frames, inp.flows)), masks=dict(zip(p.temporal_frames, inp.masks)),
    model_path=inp.model, targets_path=inp.targets, settings_cfg=p.settings, pooling=p.pooling,
    cache=cache, progress=progress,
)
cache.clear()
overhead = age_at_script + (timings["first_start"] - script_start) if timings["first_start"] else 0.0
log.info("chunk done: %d frames stylized, %d restored; overhead (process start to first iteration) %.2f s "
         "= %.2f s per stylized frame; optimisation %.2f s", timings["frames"], timings["restored"], overhead,
         overhead / max(timings["frames"], 1), timings["optimise_s"])
