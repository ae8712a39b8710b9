"""Logging set-up for workflow scripts: everything goes to the rule's log file."""

from __future__ import annotations

import logging
import sys


def setup(log_path: str) -> logging.Logger:
    """Send logging and stderr to ``log_path`` (Snakemake's ``log:``)."""
    stream = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the job
    sys.stderr = stream
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    return logging.getLogger("paintflow")
