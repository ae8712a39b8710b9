"""Rule identity_<stage>_<owner>: write the stage's identity (its jobs re-run when this file is re-made)."""

from paintflow.files import write_json

write_json(snakemake.output[0], snakemake.params.identity)
