"""Rule flow_<video>_<first>: forward and backward flow of the chunk's frame pairs."""

import cv2

from paintflow.flow import flow_chunk
from paintflow.jobs import Progress, by_frame
from paintflow.paths import frame_of
from paintflow.smk import TERMINAL, frame_store, setup_log, threads, video_frames

setup_log(snakemake)
cv2.setNumThreads(1)  # parallel over pairs instead
out = snakemake.output
pairs = by_frame(out.fwd, out.bwd)
store = frame_store(snakemake, "flow")
render_frames_of_video = video_frames(snakemake, snakemake.params.owner)
flow_chunk(
    {frame_of(p): p for p in snakemake.input.frames},
    {t: f for t, (f, _) in pairs.items()},
    {t: b for t, (_, b) in pairs.items()},
    snakemake.config["flow"]["method"],
    threads(snakemake),
    store,
    Progress("optical flow", snakemake.params.owner, render_frames_of_video - 1, None, TERMINAL),
)
if not snakemake.config["flow"]["keep"]:
    store.forget([*out.fwd, *out.bwd])  # temporary outputs: their disk is freed once consumed
