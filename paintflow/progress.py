"""``paintflow status``: how far each render is — every per-frame stage of it (from the registry),
frames per hour of its look, the time still to go."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from .registry import frame_folder, stage


def _stamps(folder: Path) -> list[float]:
    if not folder.is_dir():
        return []
    return sorted(e.stat().st_mtime for e in os.scandir(folder) if e.name[0].isdigit())


def render_progress(dag, now: float | None = None) -> list[dict]:
    """One row per render: frames done per per-frame stage, the look's rate (frames/h) and ETA."""
    now = now or time.time()
    rows = []
    for name, r in dag.renders.items():
        stages = []
        for s in dag.render_stages(name):
            stamps = _stamps(frame_folder(dag.results, s, name))
            stages.append(
                {"stage": s, "label": stage(s).label, "done": len(stamps), "total": r.frames, "stamps": stamps}
            )
        look = stages[0]
        recent = [t for t in look["stamps"] if t >= now - 3600]
        window = recent if len(recent) >= 2 else look["stamps"]
        rate = (
            (len(window) - 1) / (window[-1] - window[0]) * 3600 if len(window) >= 2 and window[-1] > window[0] else None
        )
        remaining = look["total"] - look["done"]
        eta = remaining / rate * 3600 if rate and remaining else (0.0 if not remaining else None)
        folder = frame_folder(dag.results, stages[0]["stage"], name) if stages else None
        made = (
            {int(e.name[:6]) for e in os.scandir(folder) if e.name[:6].isdigit()}
            if folder and folder.is_dir()
            else set()
        )
        shots = dag.render_shots(name)
        for s in stages:
            del s["stamps"]
        rows.append(
            {
                "render": name,
                "done": look["done"],
                "total": look["total"],
                "label": look["label"],
                "stages": stages,
                "frames_per_hour": rate,
                "eta_s": eta,
                "video": dag.render_video(name),
                "shots": len(shots),
                "shots_done": sum(1 for shot in shots if all(t in made for t in shot)),
            }
        )
    return rows


def format_progress(rows: list[dict], now: float | None = None) -> str:
    now = now or time.time()
    lines = []
    for r in rows:
        pct = 100 * r["done"] / max(r["total"], 1)
        bar = "#" * int(pct / 5) + "." * (20 - int(pct / 5))
        line = f"{r['render']}: [{bar}] {r['done']}/{r['total']} frames {r['label']} ({pct:.1f} %)"
        if r.get("shots", 1) > 1:
            line += f", {r['shots_done']} of {r['shots']} shots done"
        if r["frames_per_hour"]:
            line += f", {r['frames_per_hour']:.0f} frames/h"
        if r["eta_s"] == 0:
            line += f", {r['label']} done" + (", video ready" if Path(r["video"]).is_file() else "")
        elif r["eta_s"]:
            end = datetime.fromtimestamp(now) + timedelta(seconds=r["eta_s"])
            line += f", ETA {r['eta_s'] / 3600:.1f} h ({end:%Y-%m-%d %H:%M})"
        lines.append(line)
        for s in r["stages"][1:]:
            lines.append(f"    {s['label']}: {s['done']}/{s['total']}")
    return "\n".join(lines)
