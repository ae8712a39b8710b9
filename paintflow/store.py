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


def _put_back(slot: Path, output) -> bool:
    """Link a store entry back into place; True if done. A damaged entry is dropped, not restored."""
    if not slot.is_file():
        return False
    if not is_intact(slot):
        log.warning("store entry %s is damaged; %s will be made again", slot, output)
        slot.unlink()
        return False
    link_into(slot, Path(output))
    return True


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
        return _put_back(self._slot(output), output)

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


def shots_root(results) -> Path:
    return Path(results) / ".paintflow" / "shots"


class ShotStore(FrameStore):
    """The frame store of a shot-local stage of a part of a video (Stage.shot_local): every frame is also
    kept by its shot — ``results/.paintflow/shots/<stage>/<local key>/<first>-<last>/`` (the shot's frames of
    the whole video) under its place in the shot — so another part holding that shot, under the same settings
    (a boundary moved by a shot, a shot tried alone first), takes it back instead of making it again. Hard
    links: no extra disk. ``local``: RenderDag.local_params' {"key", "shots": [[first, last, its first, its
    last in the whole video], …]}."""

    def __init__(self, results, stage: str, owner: str, key: str, shot: str | None, local: dict):
        super().__init__(results, stage, owner, key, shot)
        self.local_dir = shots_root(results) / stage / local["key"]
        self.shots = [tuple(s) for s in local["shots"]]

    def _shot_slot(self, output) -> Path | None:
        output = Path(output)
        t = int(output.name[:6])
        for first, last, source_first, source_last in self.shots:
            if first <= t <= last:
                name = f"{output.parent.name}__{t - first + 1:06d}{output.name[6:]}"
                return self.local_dir / f"{source_first}-{source_last}" / name
        return None

    def has(self, output) -> bool:
        slot = self._shot_slot(output)
        return super().has(output) or (slot is not None and slot.is_file())

    def restore(self, output) -> bool:
        if super().restore(output):
            return True
        slot = self._shot_slot(output)
        if slot is None or not _put_back(slot, output):
            return False
        super().keep(output)
        return True

    def keep(self, output) -> None:
        super().keep(output)
        slot = self._shot_slot(output)
        if slot is not None:
            link_into(Path(output), slot)

    def forget(self, outputs) -> None:
        super().forget(outputs)
        for out in outputs:
            slot = self._shot_slot(out)
            if slot is not None and slot.exists():
                slot.unlink()


def prune_shots(results, current: dict[str, set]) -> list[str]:
    """Drop the shot store's folders whose key no current render uses (``current``: {stage: keys})."""
    root, dropped = shots_root(results), []
    for stage_dir in root.iterdir() if root.is_dir() else []:
        for key_dir in stage_dir.iterdir() if stage_dir.is_dir() else []:
            if key_dir.name not in current.get(stage_dir.name, ()):
                shutil.rmtree(key_dir, ignore_errors=True)
                dropped.append(str(key_dir))
        if stage_dir.is_dir() and not any(stage_dir.iterdir()):
            stage_dir.rmdir()
    return dropped


def held_files(results, stage: str, owner: str, key: str) -> list[Path]:
    """The entries the store holds of a stage's outputs for ``key`` (in every shot folder)."""
    root = FrameStore(results, stage, owner, key).dir
    return list(root.rglob("*__[0-9]*")) if root.is_dir() else []


def held_frames(results, stage: str, owner: str, key: str) -> set[int]:
    """The frames of a stage's outputs the store holds for ``key`` (in every shot folder)."""
    return {int(p.name.split("__")[1][:6]) for p in held_files(results, stage, owner, key)}


def drop(results, stage: str, owner: str, key: str, output, local: dict | None = None) -> None:
    """Drop every entry of one output under its key, in whichever shot folder a chain kept it, and in the
    shot store (``local``: RenderDag.local_params' of its frame): the output is made again, not restored (a
    damaged frame, a frame redone on purpose)."""
    root = store_root(results) / stage / owner / key
    slot = FrameStore(results, stage, owner, key)._slot(output).name
    by_shot = ShotStore(results, stage, owner, key, None, local)._shot_slot(output) if local else None
    for entry in [root / slot, *root.glob(f"shot-*/{slot}"), *([by_shot] if by_shot else [])]:
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
