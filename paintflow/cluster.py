"""What a SLURM cluster offers, so jobs never ask for more than a node has (such a job stays
PENDING forever, with no message)."""

from __future__ import annotations

import functools
import shutil
import subprocess


@functools.cache
def largest_node_cpus() -> int | None:
    """CPUs of the largest node SLURM reports (``sinfo``), or None when it cannot be asked."""
    if not shutil.which("sinfo"):
        return None
    try:
        out = subprocess.run(
            ["sinfo", "--noheader", "--format", "%c"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    cpus = [int(x.rstrip("+")) for x in out.split() if x.rstrip("+").isdigit()]
    return max(cpus) if cpus else None


def capped_threads(wanted: int, executor: str | None) -> int:
    """``wanted`` threads, or fewer on SLURM when no node has that many."""
    if executor != "slurm":
        return wanted
    most = largest_node_cpus()
    return min(wanted, most) if most else wanted
