"""``paintflow status``: how far each render is — every per-frame stage of it (from the registry),
frames per hour of its look, the time still to go."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from .files import write_json
from .paths import frame_folder, job_progress_file
from .registry import stage
from .stopping import read_records, summary


def _made(folder: Path) -> dict[int, float]:
    """{frame: when it was written} of a per-frame folder."""
    if not folder.is_dir():
        return {}
    return {int(e.name[:6]): e.stat().st_mtime for e in os.scandir(folder) if e.name[:6].isdigit()}


def _kept(dag, name: str, render: str, made: dict) -> int:
    """Finished frames of a stage the frame store holds but its folder does not (a stopped or killed run's
    chunk: Snakemake removed them; the next run puts them back without making them again)."""
    from .store import held_frames

    return len(held_frames(dag.results, name, render, dag.key(name, render)) - set(made))


CURVE_POINTS = 120  # a job's curve as the page draws it: bucket means, however many steps


def curve(values: list[float], points: int = CURVE_POINTS) -> list[list[float]]:
    """[[last step of the bucket, its mean], …]: one value per step (from step 1), as at most ``points``."""
    size = max(1, -(-len(values) // points))
    return [
        [min(i + size, len(values)), sum(values[i : i + size]) / len(values[i : i + size])]
        for i in range(0, len(values), size)
    ]


def write_job_progress(path, label: str, step: int, total: int, per_second: float, measure: str,
                       values: list[float], chart: str | None = None) -> None:  # fmt: skip
    """Record how far a long one-job stage is (read by ``paintflow status`` and the studio): its steps, speed,
    time to go, and the curve of what it minimises (``measure``, one value per step); ``chart``: the job's
    finished plot."""
    write_json(
        path,
        {
            "label": label,
            "step": step,
            "total": total,
            "eta_s": (total - step) / per_second if per_second > 0 else None,
            "measure": measure,
            "value": values[-1] if values else None,
            "curve": curve(values),
            "chart": os.path.relpath(chart, Path(path).parent) if chart else None,  # moves with the results
        },
    )


def job_progress(dag, render: str) -> list[dict]:
    """What the render's preparing jobs (Look.prepare: a training) recorded of their progress, this
    identity's only; a job that has not started has no record."""
    import json

    found = []
    for name in dag.look(render).prepare:
        path = job_progress_file(dag.results, name, render, dag.key(name, render))
        try:
            record = json.loads(Path(path).read_text())
        except (OSError, ValueError):
            continue
        if record.get("chart"):
            record["chart"] = os.path.normpath(Path(path).parent / record["chart"])
        found.append({**record, "stage": name, "percent": int(100 * record["step"] / max(record["total"], 1))})
    return found


def frames_per_hour(stamps: list[float], last: int = 20) -> float | None:
    """The pace of the run making a stage's frames now, from when its latest ``last`` frames were written:
    since the last pause (a gap ten times the typical one: a run stopped, then resumed), so frames of an
    earlier run do not slow it down."""
    window = sorted(stamps)[-last:]
    if len(window) < 2:
        return None
    gaps = [b - a for a, b in zip(window, window[1:])]
    typical = sorted(gaps)[len(gaps) // 2]
    for k in range(len(gaps) - 1, -1, -1):  # the frames after the last pause
        if typical > 0 and gaps[k] > 10 * typical:
            window = window[k + 1 :]
            break
    if len(window) < 2 or window[-1] <= window[0]:
        return None
    return (len(window) - 1) / (window[-1] - window[0]) * 3600


def render_progress(dag, now: float | None = None) -> list[dict]:
    """One row per render: frames done per per-frame stage, the look's rate (frames/h) and ETA."""
    now = now or time.time()
    rows = []
    for name, r in dag.renders.items():
        stages = []
        for s in dag.render_stages(name):
            # frames past the render's end (a part that lost a shot) are a former length's, not done
            made = {t: m for t, m in _made(frame_folder(dag.results, s, name)).items() if t <= r.frames}
            stamps = sorted(made.values())
            stages.append(
                {
                    "stage": s,
                    "label": stage(s).label,
                    "done": len(stamps),
                    "total": r.frames,
                    "stamps": stamps,
                    "made": made,
                    "iterations": summary(read_records(dag.results, s, name)),  # painted stages: {} otherwise
                }
            )
        if not stages:  # a sheet: one picture, made by one job
            made = {1: os.path.getmtime(dag.sheet_path(name))} if os.path.exists(dag.sheet_path(name)) else {}
            stage_name = dag.look_stage(name)
            look = {"stage": stage_name, "label": stage(stage_name).label, "total": 1, "made": made}
            stages.append({**look, "done": len(made), "stamps": sorted(made.values()), "iterations": {}})
        look = stages[0]
        kept = _kept(dag, look["stage"], name, look["made"])
        rate = frames_per_hour(look["stamps"])
        remaining = look["total"] - look["done"]
        eta = remaining / rate * 3600 if rate and remaining else (0.0 if not remaining else None)
        shots = dag.render_shots(name)
        shots_done = sum(1 for shot in shots if all(t in look["made"] for t in shot))
        for s in stages:
            del s["stamps"], s["made"]
        rows.append(
            {
                "render": name,
                "done": look["done"],
                "kept": kept,
                "total": look["total"],
                "label": look["label"],
                "stages": stages,
                "frames_per_hour": rate,
                "eta_s": eta,
                "video": dag.render_video(name),
                "shots": len(shots),
                "shots_done": shots_done,
                "quality": _quality_line(dag, name),
                "jobs": job_progress(dag, name),
            }
        )
    return rows


def _quality_line(dag, render: str) -> str | None:
    """The render's quality so far (paintflow.quality), once its first frames are measured."""
    if not dag.uses(render, "quality"):
        return None
    from .quality import render_summary

    figures = render_summary(dag, render)
    return figures["summary"] if figures["measured"] else None


def format_progress(rows: list[dict], now: float | None = None) -> str:
    from .jobs import _duration

    now = now or time.time()
    lines = []
    for r in rows:
        pct = 100 * r["done"] / max(r["total"], 1)
        bar = "#" * int(pct / 5) + "." * (20 - int(pct / 5))
        line = f"{r['render']}: [{bar}] {r['done']}/{r['total']} frames {r['label']} ({pct:.1f} %)"
        if r.get("kept"):
            line += f", {r['kept']} more kept (back on resume, not made again)"
        if r.get("shots", 1) > 1:
            line += f", {r['shots_done']} of {r['shots']} shots done"
        if r["frames_per_hour"]:
            line += f", {r['frames_per_hour']:.0f} frames/h"
        if r["eta_s"] == 0:
            line += f", {r['label']} done" + (", video ready" if Path(r["video"]).is_file() else "")
        elif r["eta_s"]:
            end = datetime.fromtimestamp(now) + timedelta(seconds=r["eta_s"])
            line += f", ETA {_duration(r['eta_s'])} ({end:%Y-%m-%d %H:%M})"
        lines.append(line)
        for job in r.get("jobs", []):
            if job["step"] < job["total"]:
                line = f"    {job['label']}: step {job['step']}/{job['total']} ({job['percent']} %)"
                if job["value"] is not None:
                    line += f", {job['measure']} {job['value']:.4g}"
                lines.append(line + (f", ETA {_duration(job['eta_s'])}" if job["eta_s"] else ""))
        for i, s in enumerate(r["stages"]):
            if i:
                lines.append(f"    {s['label']}: {s['done']}/{s['total']}")
            if s.get("iterations"):
                it = s["iterations"]
                how = ", ".join(f"{n} {why}" for why, n in sorted(it["stopped"].items()))
                lines.append(
                    f"    {s['label']}: iterations per frame median {it['median']:.0f}, p90 {it['p90']:.0f}, "
                    f"max {it['max']} ({how})"
                )
        if r.get("quality"):
            lines.append(f"    {r['quality']}")
    return "\n".join(lines)
