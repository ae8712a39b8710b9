"""Rule longflow_<video>_<first>: forward and backward flow between frames t and t+j (long-term offsets)."""

from pathlib import Path

import cv2

from paintflow.flow import long_flow_chunk
from paintflow.paths import frame_of
from paintflow.smk import frame_store, setup_log, threads

setup_log(snakemake)
cv2.setNumThreads(1)
frames = {frame_of(p): p for p in snakemake.input.frames}
pairs = {
    (frame_of(f), int(Path(f).parent.name[3:])): (f, b) for f, b in zip(snakemake.output.fwd, snakemake.output.bwd)
}
store = frame_store(snakemake, "longflow")
long_flow_chunk(frames, pairs, snakemake.config["flow"]["method"], threads(snakemake), store)
if not snakemake.config["flow"]["keep"]:
    store.forget([*snakemake.output.fwd, *snakemake.output.bwd])
