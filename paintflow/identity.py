"""What identifies an artefact: its stage's settings that change pixels, written canonically, and
the identities of what it was made from — never paths, mtimes or chunking.

These identities are the params of every rule, so Snakemake re-runs a job exactly when something
that changes its pixels changed: the same video bytes at a new path, a default written out, keys
in another order, or a new chunk size re-run nothing; a style file replaced with its mtime kept
re-runs its style targets and what follows. The same key names the frame store
(:mod:`paintflow.store`), so a restored frame is always one these settings would make.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from . import PaintflowError

SAMPLE_BLOCK = 1 << 16  # bytes per sampled block
SAMPLE_BLOCKS = 16  # evenly spaced blocks (plus head and tail) of a large file
WHOLE_FILE_BELOW = 8 << 20  # files smaller than this are hashed entirely


def canonical(value):
    """A value written one way: dict keys sorted, tuples as lists, whole floats as floats."""
    if isinstance(value, dict):
        return {str(k): canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def numbers_as_schema(values: dict, props: dict) -> dict:
    """Cast settings the schema types as ``number`` to float, so ``10`` and ``10.0`` are one value."""
    out = {}
    for key, value in values.items():
        types = props.get(key, {}).get("type")
        types = types if isinstance(types, list) else [types]
        if "number" in types and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        out[key] = value
    return out


def key_of(identity) -> str:
    """A short stable hash of an identity (names store folders and caches)."""
    blob = json.dumps(canonical(identity), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _sample_hash(path: Path, size: int) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        if size <= WHOLE_FILE_BELOW:
            h.update(fh.read())
        else:
            step = (size - SAMPLE_BLOCK) // (SAMPLE_BLOCKS + 1)
            for offset in [0] + [step * (i + 1) for i in range(SAMPLE_BLOCKS)] + [size - SAMPLE_BLOCK]:
                fh.seek(offset)
                h.update(fh.read(SAMPLE_BLOCK))
    return h.hexdigest()


class SourceIds:
    """Content ids of source files (videos, styles, paintings), cached in a JSON file.

    A cached id is reused while the file's inode, size, mtime and ctime are unchanged; ctime
    cannot be set by copying tools, so a file replaced with ``cp -p`` (mtime kept) is re-hashed.
    """

    def __init__(self, cache: Path | None):
        self.cache = cache
        self._lock = threading.Lock()
        self._data = {}
        if cache and cache.is_file():
            try:
                self._data = json.loads(cache.read_text())
            except ValueError:
                self._data = {}
        self._dirty = False

    def __call__(self, path) -> str:
        path = Path(path)
        if path.is_dir() or "%" in path.name:  # an image sequence: its pictures' names, sizes and dates
            return self._sequence(path)
        try:
            st = path.stat()
        except OSError as err:
            raise PaintflowError(f"cannot read {path}: {err.strerror}") from err
        stamp = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        name = str(path.resolve())
        with self._lock:
            hit = self._data.get(name)
            if hit and hit["stamp"] == stamp:
                return hit["id"]
        digest = f"{st.st_size}:{_sample_hash(path, st.st_size)}"
        with self._lock:
            self._data[name] = {"stamp": stamp, "id": digest}
            self._dirty = True
        return digest

    def _sequence(self, path: Path) -> str:
        from .video import sequence_pattern

        pattern, _ = sequence_pattern(path)
        folder = Path(pattern).parent
        stem, suffix = Path(pattern).name.split("%")[0], Path(pattern).suffix
        pictures = sorted(
            (f for f in os.scandir(folder) if f.name.startswith(stem) and f.name.endswith(suffix)), key=lambda f: f.name
        )
        listing = hashlib.sha256()
        for f in pictures:
            st = f.stat()
            listing.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        return f"sequence:{len(pictures)}:{listing.hexdigest()[:32]}"

    def save(self) -> None:
        if not (self.cache and self._dirty):
            return
        from .files import write_json

        try:
            write_json(self.cache, self._data)
        except PaintflowError:
            pass  # a cache: a read-only results folder only costs re-hashing
        self._dirty = False
