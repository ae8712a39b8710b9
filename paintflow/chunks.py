"""Frame chunks (one Snakemake job each) and the cache that makes them resume per frame.

A chunk job declares every per-frame file it writes as an output, so each frame
stays its own target. Snakemake deletes a job's outputs before re-running it;
to resume a killed chunk at the frame where it died, each finished frame is
also hard-linked into ``results/.resume/<job>-<key>/`` and linked back on the
re-run. The key hashes the job's parameters and its inputs' identity, so a
changed input or setting never restores a stale frame.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path


def chunk_ranges(n_frames: int, size: int) -> list[range]:
    """1-based frame ranges of at most ``size`` frames covering 1…n_frames."""
    return [range(s, min(s + size, n_frames + 1)) for s in range(1, n_frames + 1, size)]


def pair_range(frames: range, n_frames: int) -> range:
    """Frame pairs (t, t+1) owned by a chunk: t in the chunk and t < n_frames."""
    return range(frames.start, min(frames.stop, n_frames))


def _identity(path) -> list:
    st = os.stat(path)
    return [str(path), st.st_size, st.st_mtime_ns]


class ResumeCache:
    def __init__(self, root, job: str, inputs, params):
        blob = json.dumps({"inputs": [_identity(p) for p in inputs], "params": params}, sort_keys=True,
                          default=str)
        key = hashlib.sha1(blob.encode()).hexdigest()[:16]
        self.dir = Path(root) / f"{job}-{key}"

    def _slot(self, output) -> Path:
        output = Path(output)
        return self.dir / f"{output.parent.name}__{output.name}"

    def restore(self, output) -> bool:
        """Put back a frame this job finished before it was killed; True if done so."""
        slot = self._slot(output)
        if not slot.is_file():
            return False
        link_into(slot, Path(output))
        return True

    def keep(self, output) -> None:
        """Remember a finished (atomically written) output."""
        link_into(Path(output), self._slot(output))

    def clear(self) -> None:
        """The job finished: its outputs are now Snakemake's, the cache is not needed."""
        shutil.rmtree(self.dir, ignore_errors=True)


def link_into(src: Path, dst: Path) -> None:
    """Make ``dst`` the same file as ``src`` atomically: a hard link (no extra disk),
    or a copy on file systems without hard links, renamed into place."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.link-{os.getpid()}")
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copy2(src, tmp)
    os.replace(tmp, dst)
