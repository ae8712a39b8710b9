"""Glue for workflow scripts: logging to the rule's log, and a job's resume cache.

``smk`` is the ``snakemake`` object Snakemake gives a ``script:``.
"""

from __future__ import annotations

import logging
import sys

from .chunks import ResumeCache


def setup_log(smk) -> logging.Logger:
    """Send logging and stderr to the rule's ``log:`` file."""
    stream = open(smk.log[0], "a", buffering=1)  # noqa: SIM115 - lives as long as the job
    sys.stderr = stream
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    return logging.getLogger("paintflow")


def resume_cache(smk) -> ResumeCache:
    """The job's cache of finished frames, keyed by its inputs and parameters."""
    params = {k: v for k, v in smk.params.items() if k != "resume"}
    return ResumeCache(smk.params.resume, smk.rule, list(smk.input), params)


def process_age() -> float:
    """Seconds since this process started (Linux /proc; 0.0 where unavailable)."""
    import os

    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
