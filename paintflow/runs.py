"""One render run at a time per results folder, and a clean start after a killed one.

A real run writes ``results/.paintflow/run.json`` (host, pid, start) before its first job and
removes it when it ends. ``paintflow resume`` and ``snakemake --unlock`` refuse while the process
it names is alive (two runs writing the same frames is how renders get corrupted); a marker left
by a killed run names a dead process and is ignored. At the start of a run, temporary files no live
process owns and frame-store entries of settings no longer used are removed.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

from . import PaintflowError
from .files import write_json
from .store import prune, prune_shots, remove_leftovers


def marker(results) -> Path:
    return Path(results) / ".paintflow" / "run.json"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie, finished but not reaped, does not)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _is_run(pid: int) -> bool:
    """Whether ``pid`` is a Snakemake or paintflow process (not another that took a dead run's pid)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return "snakemake" in cmdline or "paintflow" in cmdline


def live_run(results) -> dict | None:
    """The run alive in this results folder (host, pid, start), or None."""
    path = marker(results)
    try:
        run = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if run.get("host") != socket.gethostname():
        return run if time.time() - run.get("heartbeat", run.get("start", 0)) < 600 else None
    if run.get("pid") == os.getpid():
        return None
    return run if _is_run(int(run.get("pid", 0))) else None


def describe(run: dict) -> str:
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.get("start", 0)))
    return f"pid {run.get('pid')} on {run.get('host')}, started {started}"


def refuse_if_alive(results, what: str) -> None:
    run = live_run(results)
    if run:
        raise PaintflowError(
            f"another render is running in this folder ({describe(run)}): refusing to {what}.\n"
            f"  Wait for it (`paintflow status --watch 60`) or stop it (`kill {run.get('pid')}`), then resume."
        )


def start_run(results, current_keys: dict, shot_tags: dict | None = None, local_keys: dict | None = None) -> None:
    """Called before the first job of a real run (Snakemake ``onstart``); ``local_keys``: the shot store's
    (RenderDag.current_local_keys)."""
    refuse_if_alive(results, "start a second run")
    write_json(
        marker(results),
        {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "start": time.time(),
            "heartbeat": time.time(),
            "argv": sys.argv[1:],
        },
    )
    removed = remove_leftovers(results)
    dropped = prune(results, {k: v for k, v in current_keys.items()}, shot_tags)
    dropped += prune_shots(results, local_keys) if local_keys is not None else []
    if removed or dropped:
        print(
            f"paintflow: cleaned {len(removed)} temporary file(s) of killed runs and {len(dropped)} frame-store "
            f"folder(s) of settings no longer used",
            file=sys.stderr,
        )


def end_run(results) -> None:
    path = marker(results)
    try:
        run = json.loads(path.read_text())
        if run.get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass
