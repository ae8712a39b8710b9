"""How far a render is: frames stylized, frames per hour, time to go."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path


def render_progress(workdir: Path, config: dict, videos: dict, renders: dict, now: float | None = None) -> list[dict]:
    now = now or time.time()
    out = []
    for name, r in renders.items():
        total = videos[r.video].frames
        folder = Path(workdir) / config["results"] / "renders" / name / "stylized"
        stamps = sorted(p.stat().st_mtime for p in folder.glob("[0-9]*.png")) if folder.is_dir() else []
        recent = [s for s in stamps if s >= now - 3600]
        window = recent if len(recent) >= 2 else stamps
        rate = (len(window) - 1) / (window[-1] - window[0]) * 3600 if len(window) >= 2 and window[-1] > window[0] \
            else None
        remaining = total - len(stamps)
        eta = remaining / rate * 3600 if rate and remaining else (0.0 if not remaining else None)
        out.append({"render": name, "done": len(stamps), "total": total, "frames_per_hour": rate, "eta_s": eta,
                    "video": str(Path(workdir) / config["results"] / "renders" / name / f"{name}.mp4")})
    return out


def format_progress(rows: list[dict], now: float | None = None) -> str:
    now = now or time.time()
    lines = []
    for r in rows:
        pct = 100 * r["done"] / max(r["total"], 1)
        bar = "#" * int(pct / 5) + "." * (20 - int(pct / 5))
        line = f"{r['render']}: [{bar}] {r['done']}/{r['total']} frames stylized ({pct:.1f} %)"
        if r["frames_per_hour"]:
            line += f", {r['frames_per_hour']:.0f} frames/h"
        if r["eta_s"] == 0:
            line += ", stylization done" + (", video ready" if Path(r["video"]).is_file() else "")
        elif r["eta_s"]:
            end = datetime.fromtimestamp(now) + timedelta(seconds=r["eta_s"])
            line += f", ETA {r['eta_s'] / 3600:.1f} h ({end:%Y-%m-%d %H:%M})"
        lines.append(line)
    return "\n".join(lines)
