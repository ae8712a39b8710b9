"""Person mattes (footage without a green screen) from mediapipe's selfie segmentation model, which ships
inside the `mediapipe==0.10.21` wheel. mediapipe needs numpy < 2, paintflow's environment has numpy 2:
the segmentation runs in `.venv-person` (made by `make person`, and by `make test`), or in the
interpreter named by $PAINTFLOW_PERSON_PYTHON, or in-process when mediapipe imports here (the conda env
envs/person.yaml)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import PaintflowError
from .config import REPO

WORKER = Path(__file__).with_name("person_worker.py")
MISSING = (
    "person mattes need mediapipe==0.10.21 (it ships the segmentation model): run `make person` "
    "(a side environment, .venv-person), or set $PAINTFLOW_PERSON_PYTHON to a Python that has it, "
    "or use --software-deployment-method conda (envs/person.yaml)"
)


def interpreter() -> str | None:
    """A Python that can import mediapipe, or None."""
    if importlib.util.find_spec("mediapipe") is not None:
        return sys.executable
    chosen = os.environ.get("PAINTFLOW_PERSON_PYTHON")
    if chosen:  # when set, it decides
        return chosen if Path(chosen).is_file() else None
    candidate = REPO / ".venv-person" / "bin" / "python"
    return str(candidate) if candidate.is_file() else None


def available() -> bool:
    return interpreter() is not None


def segment(frames: list[str], outputs: list[str], landscape: bool = False) -> None:
    """Write the soft person mask of each frame (0-255 PNG) to the matching output."""
    python = interpreter()
    if python is None:
        raise PaintflowError(MISSING)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"model": 1 if landscape else 0, "frames": [list(p) for p in zip(frames, outputs)]}, fh)
    try:
        proc = subprocess.run([python, str(WORKER), fh.name], capture_output=True, text=True)
    finally:
        os.unlink(fh.name)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise PaintflowError(f"person segmentation failed ({python}):\n{tail}")
