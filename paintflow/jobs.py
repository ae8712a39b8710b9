"""Running the frames of one chunk job, for any per-frame stage: restore what the frame store holds,
make the rest in order, keep each finished frame, name the frame in any error, and print one
progress line per frame to the terminal (s/frame, and the owner's progress and ETA)."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from . import PaintflowError
from .paths import frame_of
from .store import FrameStore

log = logging.getLogger("paintflow")


@contextlib.contextmanager
def frame_context(stage: str, what):
    """Name the stage and frame in any error, so a failed chunk says which frame broke."""
    try:
        yield
    except PaintflowError as err:
        log.error("%s of %s failed: %s", stage, what, err)
        raise PaintflowError(f"{stage} of {what} failed: {err}") from err
    except Exception as err:
        log.exception("%s of %s failed", stage, what)
        raise PaintflowError(f"{stage} of {what} failed: {type(err).__name__}: {err}") from err


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def frames_in(folder: Path | None) -> int:
    """Frames already in a stage's folder: its numbered files, or those of its first variant (flow: fwd/)."""
    if folder is None or not folder.is_dir():
        return 0
    entries = list(os.scandir(folder))
    count = sum(1 for e in entries if e.name[0].isdigit())
    variants = sorted(e.path for e in entries if e.is_dir() and not e.name[0].isdigit() and e.name != "staging")
    return count or (frames_in(Path(variants[0])) if variants else 0)


class Progress:
    """Progress lines on the terminal: where the job is, how fast, when the owner is done.

    Every frame that took a second or more gets its line (painting, dreaming); faster stages print
    one line every few seconds and the job's last frame.
    """

    EVERY_S = 5.0

    def __init__(self, label: str, owner: str, total: int, folder: Path | None, stream=None):
        self.label, self.owner, self.total, self.stream = label, owner, total, stream
        self.done_before = frames_in(folder)
        self.made, self.seconds, self.last_line, self.job_frames = 0, 0.0, time.monotonic(), 0
        self.first_s = 0.0  # the job's first frame: a shot's first frame takes more iterations, and a job's
        # first frame pays its warm-up; the time to go is estimated from the frames after it

    def frame(self, t: int, seconds: float, note: str | None = None) -> None:
        """Frame ``t`` made in ``seconds``; ``note``: the stage's word on it (e.g. the iterations it took)."""
        self.made += 1
        self.seconds += seconds
        if self.made == 1:
            self.first_s = seconds
        done = min(self.total, self.done_before + self.made)
        per = self.seconds / self.made
        line = (
            f"[{self.label} · {self.owner}] frame {t} ({self.made}/{self.job_frames} of this job) "
            + (f"{note} · " if note else "")
            + f"{per:.1f} s/frame · {done}/{self.total} ({100 * done / max(self.total, 1):.0f} %)"
        )
        if done < self.total and self.made > 1:
            line += f" · ETA {_duration((self.total - done) * (self.seconds - self.first_s) / (self.made - 1))}"
        log.info(line)
        now = time.monotonic()
        if self.stream is not None and (
            seconds >= 1.0 or now - self.last_line >= self.EVERY_S or self.made == self.job_frames
        ):
            print(line, file=self.stream, flush=True)
            self.last_line = now


def run_frames(
    outputs: dict[int, list[str]],
    make: Callable[[int], None],
    store: FrameStore,
    what: str,
    progress: Progress | None = None,
    reverse: bool = False,
) -> dict:
    """Make each frame ``t`` of ``outputs`` ({t: [its output files]}) in ascending order.

    A frame whose outputs the store holds is restored, not made; ``make(t)`` writes the outputs of
    frame ``t`` (atomically) and may read earlier frames of this chunk from disk, so a resumed chunk
    gives the bytes an uninterrupted one would; what it returns (a short note) goes on the frame's progress
    line. Returns {"made", "restored", "seconds"}.
    """
    stats = {"made": 0, "restored": 0, "seconds": 0.0}
    frames = sorted(outputs, reverse=reverse)  # a backward pass runs from its last frame down
    if progress:
        progress.job_frames += len(frames)
    for t in frames:
        paths = outputs[t]
        if all(store.restore(p) for p in paths):
            stats["restored"] += 1
            if progress:
                progress.job_frames -= 1
            continue
        start = time.perf_counter()
        with frame_context(what, f"frame {t}"):
            note = make(t)
        for p in paths:
            store.keep(p)
        seconds = time.perf_counter() - start
        stats["made"] += 1
        stats["seconds"] += seconds
        if progress:
            progress.frame(t, seconds, note)
    if stats["restored"]:
        log.info("%d frame(s) restored from the frame store, %d made", stats["restored"], stats["made"])
    return stats


def by_frame(*lists) -> dict[int, list[str]]:
    """{t: [the t-th file of each list]} keyed by the frame number in the first list's names."""
    return {frame_of(group[0]): [str(p) for p in group] for group in zip(*lists)}
