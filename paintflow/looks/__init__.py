"""Every look, one folder each: ``paintflow/looks/<name>/`` holds the look's stages and their identities,
its checks, preview and cost (``__init__.py``, light: planning never imports torch), the schema of its
settings section (``schema.yaml``), its job functions and model code (modules of the folder, imported by
its jobs). Importing a look's package registers it (:func:`paintflow.registry.register_look`).

Looks are found here, and in the folders listed in ``PAINTFLOW_LOOKS`` (``os.pathsep``-separated; each
sub-folder with an ``__init__.py`` is one look): a look of one's own needs no edit of paintflow.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import yaml

ENV = "PAINTFLOW_LOOKS"


def discover() -> None:
    """Import every look: this package's sub-packages, then those of the folders in $PAINTFLOW_LOOKS."""
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.ispkg:
            importlib.import_module(f"{__name__}.{module.name}")
    for folder in filter(None, os.environ.get(ENV, "").split(os.pathsep)):
        folder = Path(folder).resolve()
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
        for sub in sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file()):
            importlib.import_module(sub.name)


def schema_of(look) -> dict:
    """A look's schema.yaml: ``settings`` (its section), ``render`` (keys of a render it adds, e.g. the
    painted look's ``style:``); {} for a look without settings of its own."""
    path = look.folder / "schema.yaml" if look.folder else None
    return yaml.safe_load(path.read_text()) if path and path.is_file() else {}
