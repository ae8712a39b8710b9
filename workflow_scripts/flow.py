"""Rule flow: optical flow for one frame pair in one direction."""
import cv2

from paintflow.files import read_rgb, write_flow
from paintflow.flow import compute_flow
from paintflow.runlog import setup

log = setup(snakemake.log[0])
cv2.setNumThreads(snakemake.threads)
first, second = read_rgb(snakemake.input.first), read_rgb(snakemake.input.second)
if snakemake.wildcards.direction == "bwd":
    first, second = second, first
write_flow(snakemake.output.flow, compute_flow(first, second, snakemake.params.method))
log.info("%s flow %s written", snakemake.params.method, snakemake.output.flow)
