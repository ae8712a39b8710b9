"""How frames are cut into jobs.

A chunk job writes a run of frames (each still its own target) in one process, so the model loads
once per chunk. Chunks start at multiples of ``execution.chunk_frames`` (a chunk's frames never
depend on the clip's length) and also after each frame count the clip had before: a clip made
longer gets new chunks for its new frames; its old last chunk stays finished.
"""

from __future__ import annotations


def chunk_ranges(n_frames: int, size: int, boundaries=()) -> list[range]:
    """1-based frame ranges of at most ``size`` frames covering 1…n_frames."""
    starts = set(range(1, n_frames + 1, size)) | {b + 1 for b in boundaries if 0 < b < n_frames}
    starts = sorted(starts)
    return [range(s, e) for s, e in zip(starts, [*starts[1:], n_frames + 1])]


def pair_range(frames: range, n_frames: int, boundaries=(), shots=()) -> range:
    """Frame pairs (t, t+1) owned by a chunk: t in the chunk and t < n_frames. A pair that crosses an
    earlier frame count (it did not exist then) belongs to the next chunk, so the old chunk is unchanged;
    a pair across a cut (t+1 starts a shot: ``shots``) belongs to nobody (no flow between two shots)."""
    start = frames.start
    if frames.start - 1 in boundaries and frames.start > 1 and frames.start not in shots:
        start = frames.start - 1
    stop = frames.stop - 1 if frames.stop - 1 in boundaries or frames.stop in shots else frames.stop
    return range(start, min(stop, n_frames))
