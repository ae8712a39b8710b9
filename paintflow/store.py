"""The frame store: no finished frame is ever lost or made twice.

Every per-frame output, once written (atomically), is also hard-linked into
``results/.paintflow/store/<stage>/<owner>/<key>/`` — no extra disk while the output exists. The key
is the stage's identity for that owner (its settings and the identities of its inputs, see
:mod:`paintflow.identity`), never the job or the chunk. Whenever Snakemake re-runs a job (after a kill,
a failed neighbour, a new chunk size, a head node crash after the job finished), it deletes the job's
outputs first; the job then links every frame the store still holds back into place, intact and
byte-identical, and computes only the rest.

Entries whose key no current setting uses are dropped at the start of the next run
(:func:`prune`), together with temporary files no live process owns.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from .files import HOST, is_intact, is_leftover, leftover_owner, link_into

log = logging.getLogger("paintflow")


def store_root(results) -> Path:
    return Path(results) / ".paintflow" / "store"


class FrameStore:
    def __init__(self, results, stage: str, owner: str, key: str, shot: str | None = None):
        # a chain's frames in a shot that is not the whole clip: apart, by where the shot starts (ends)
        self.dir = store_root(results) / stage / owner / key / (f"shot-{shot}" if shot else "")

    def _slot(self, output) -> Path:
        output = Path(output)
        return self.dir / f"{output.parent.name}__{output.name}"

    def has(self, output) -> bool:
        """Whether a finished frame is held (restore() may still drop it if damaged)."""
        return self._slot(output).is_file()

    def restore(self, output) -> bool:
        """Put back a finished frame; True if done. A damaged entry is dropped, not restored."""
        slot = self._slot(output)
        if not slot.is_file():
            return False
        if not is_intact(slot):
            log.warning("store entry %s is damaged; %s will be made again", slot, output)
            slot.unlink()
            return False
        link_into(slot, Path(output))
        return True

    def keep(self, output) -> None:
        """Remember a finished (atomically written) output."""
        link_into(Path(output), self._slot(output))

    def forget(self, outputs) -> None:
        """Drop entries (temporary outputs: their disk must be freed when Snakemake removes them)."""
        for out in outputs:
            slot = self._slot(out)
            if slot.exists():
                slot.unlink()
        if self.dir.is_dir() and not any(self.dir.iterdir()):
            self.dir.rmdir()


def held_files(results, stage: str, owner: str, key: str) -> list[Path]:
    """The entries the store holds of a stage's outputs for ``key`` (in every shot folder)."""
    root = FrameStore(results, stage, owner, key).dir
    return list(root.rglob("*__[0-9]*")) if root.is_dir() else []


def held_frames(results, stage: str, owner: str, key: str) -> set[int]:
    """The frames of a stage's outputs the store holds for ``key`` (in every shot folder)."""
    return {int(p.name.split("__")[1][:6]) for p in held_files(results, stage, owner, key)}


def drop(results, stage: str, owner: str, key: str, output) -> None:
    """Drop every entry of one output under its key, in whichever shot folder a chain kept it: the output
    is made again, not restored (a damaged frame, a frame redone on purpose)."""
    root = store_root(results) / stage / owner / key
    slot = FrameStore(results, stage, owner, key)._slot(output).name
    for entry in [root / slot, *root.glob(f"shot-*/{slot}")]:
        if entry.exists():
            entry.unlink()


def prune(results, current: dict[tuple[str, str], str], shots: dict | None = None) -> list[str]:
    """Drop store folders whose key is not the current one of their (stage, owner), and the shot folders
    of a chain (``shot-<first>[-<last>]``) that no current shot has (``shots``: {(stage, owner): tags});
    return what was dropped."""
    root, dropped = store_root(results), []
    if not root.is_dir():
        return dropped
    for stage_dir in root.iterdir():
        for owner_dir in stage_dir.iterdir() if stage_dir.is_dir() else []:
            for key_dir in owner_dir.iterdir() if owner_dir.is_dir() else []:
                if current.get((stage_dir.name, owner_dir.name)) != key_dir.name:
                    shutil.rmtree(key_dir, ignore_errors=True)
                    dropped.append(str(key_dir))
                    continue
                tags = (shots or {}).get((stage_dir.name, owner_dir.name))
                for shot_dir in key_dir.glob("shot-*") if tags is not None else []:
                    if shot_dir.name[5:] not in tags:
                        shutil.rmtree(shot_dir, ignore_errors=True)
                        dropped.append(str(shot_dir))
            if owner_dir.is_dir() and not any(owner_dir.iterdir()):
                owner_dir.rmdir()
    return dropped


def remove_leftovers(results) -> list[str]:
    """Delete temporary files (``.x.tmp-<host>-<pid>``, ``.x.link-…``) whose process is gone.

    Files of another host (a cluster node) are left to that host unless older than a day."""
    import time

    from .runs import pid_alive

    removed = []
    for dirpath, _, names in os.walk(results):
        for name in names:
            if not is_leftover(name):
                continue
            path = Path(dirpath) / name
            owner = leftover_owner(name)
            if owner and owner[0] == HOST and pid_alive(owner[1]) and owner[1] != os.getpid():
                continue
            if owner and owner[0] != HOST:
                try:
                    if time.time() - path.stat().st_mtime < 86400:
                        continue
                except OSError:
                    continue
            try:
                path.unlink()
                removed.append(str(path))
            except OSError:
                pass
    return removed
