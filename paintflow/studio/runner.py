"""Running renders from the studio: each one a `paintflow resume` of its work folder in its own process
group (independent of the web server), its state read from the folder: running (a live run marker or
job), done (the final outputs exist), failed (the last run's exit code), stopped, or new."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .. import PaintflowError
from ..runs import live_run
from ..runs import pid_alive as _alive

HINTS = {
    "out of memory": "the GPU (or the machine) ran out of memory; lower the processing size, or use fewer "
    "iterations / octaves",
    "No space left on device": "the disk is full; free space or point results: to a bigger disk",
    "not a readable": "an input file is damaged; replace it, or run `paintflow verify`",
}


def folder(workdir) -> Path:
    path = Path(workdir) / ".studio"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


_CHILDREN: list[subprocess.Popen] = []  # renders this server started: reaped once they end (no zombies)


def reap() -> None:
    """Collect the exit of every render this server started that has ended (a stopped or finished run
    would otherwise stay a defunct process as long as the server lives)."""
    for proc in list(_CHILDREN):
        if proc.poll() is not None:
            _CHILDREN.remove(proc)


def start(workdir, cores: int | None = None) -> int:
    """Start (or resume) a render; returns the process group id. Refuses while it is running."""
    if is_running(workdir):
        raise PaintflowError("this render is already running")
    log = open(folder(workdir) / "run.log", "ab")  # noqa: SIM115 - handed to the child
    cmd = [sys.executable, "-m", "paintflow.studio.runner", str(Path(workdir).resolve())]
    if cores:
        cmd.append(str(cores))
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    _CHILDREN.append(proc)
    log.close()
    (folder(workdir) / "job.json").write_text(json.dumps({"pid": proc.pid, "started": time.time()}))
    (folder(workdir) / "exit.json").unlink(missing_ok=True)
    return proc.pid


def is_running(workdir) -> bool:
    reap()
    job = _read(folder(workdir) / "job.json")
    return _alive(int(job.get("pid", 0))) or live_run(Path(workdir) / "results") is not None


def cancel(workdir, grace: float = 5.0) -> bool:
    """Stop a running render (SIGTERM to its process group, SIGKILL after ``grace`` seconds)."""
    job = _read(folder(workdir) / "job.json")
    pid = int(job.get("pid", 0))
    if not _alive(pid):
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.time() + grace
        while time.time() < deadline and _alive(pid):
            time.sleep(0.1)
        if not _alive(pid):
            break
    reap()
    (folder(workdir) / "exit.json").write_text(json.dumps({"code": -15, "ended": time.time(), "cancelled": True}))
    return True


def state(workdir, finished: bool) -> str:
    if is_running(workdir):
        return "running"
    if finished:
        return "done"
    ended = _read(folder(workdir) / "exit.json")
    if ended.get("cancelled"):
        return "stopped"
    if ended and ended.get("code") != 0:
        return "failed"
    return "stopped" if (folder(workdir) / "job.json").exists() else "new"


def doing(workdir) -> str | None:
    """What a running render is at now, in its run log's words: its latest job started or frame made
    ("stylized · band · frames 1-12 of 24", "frame 7 … ETA 40 s"), or Snakemake still starting."""
    import re

    run_log = folder(workdir) / "run.log"
    try:
        with open(run_log, "rb") as fh:
            fh.seek(max(0, run_log.stat().st_size - 8192))
            lines = fh.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("[") and "] frame " in line:
            return line
        m = re.match(r"^\d\d:\d\d:\d\d start: (.*)$", line)
        if m:
            return m.group(1)
        if line.startswith("paintflow: rendering"):
            return "starting: Snakemake is reading the workflow"
    return None


def failure(workdir) -> dict | None:
    """What went wrong, in words: the failing stage and frame from the job logs, a hint, the log's tail."""
    logs = (
        sorted((Path(workdir) / "results" / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)
        if (Path(workdir) / "results" / "logs").is_dir()
        else []
    )
    for log in reversed(logs[-20:]):
        lines = log.read_text(errors="replace").splitlines()
        said = [ln for ln in lines if " failed: " in ln or "Error" in ln]
        if said:
            text = said[-1].split(": ", 1)[-1] if " ERROR " in said[-1] else said[-1]
            hint = next((h for k, h in HINTS.items() if k.lower() in text.lower()), None)
            return {"what": text, "hint": hint, "log": str(log), "tail": lines[-12:]}
    run_log = folder(workdir) / "run.log"
    if run_log.exists():
        lines = run_log.read_text(errors="replace").splitlines()
        said = [ln for ln in lines if "paintflow:" in ln or "Error" in ln or "FAILED" in ln]
        return {
            "what": said[-1] if said else "the render stopped",
            "hint": None,
            "log": str(run_log),
            "tail": lines[-12:],
        }
    return None


def main(workdir: str, cores: str | None = None) -> int:
    """The render's process: resume it with the workstation profile, then record the exit code."""
    args = [sys.executable, "-m", "paintflow", "resume", "--directory", workdir]
    if cores:
        args += ["--", "--cores", cores]
    code = subprocess.run(args).returncode
    (folder(workdir) / "exit.json").write_text(json.dumps({"code": code, "ended": time.time()}))
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
