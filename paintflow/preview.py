"""``paintflow preview``: one frame (or a few) of a configured render, with its look and settings,
in seconds and without the workflow — the first look at a style on one's own footage. ``--sheet``:
every built-in fast style on the chosen frame, as one labelled contact sheet."""

from __future__ import annotations

import time
from pathlib import Path

from . import PaintflowError
from .files import write_pil, write_rgb
from .registry import LOOKS


def look_preview(look: str):
    if not LOOKS[look].preview:
        raise PaintflowError(f"the {look} look has no one-frame preview")
    return LOOKS[look].preview


def source_frame(dag, render: str, t: int):
    from .video import read_frame

    r = dag.renders[render]
    v = dag.videos[r.video]
    if not 1 <= t <= v.frames:
        raise PaintflowError(f"--frame {t}: the render {render} has frames 1 to {v.frames}")
    return read_frame(v.path, v.info, t)


def preview(dag, render: str | None, frames: list[int] | None, out_dir: Path, quick: bool = True) -> list[Path]:
    """Render the chosen frames (default: the middle one) of ``render`` (default: the first) to PNGs."""
    render = render or next(iter(dag.renders))
    if render not in dag.renders:
        raise PaintflowError(f"--render {render}: no such render (configured: {', '.join(dag.renders)})")
    frames = frames or [max(1, (dag.renders[render].frames + 1) // 2)]
    make, written = look_preview(dag.renders[render].look), []
    for t in frames:
        start = time.perf_counter()
        out = Path(out_dir) / f"{render}_frame{t:06d}.png"
        write_rgb(out, make(dag, render, source_frame(dag, render, t), quick))
        written.append((out, time.perf_counter() - start))
    return written


def style_sheet(dag, render: str | None, t: int | None, out_dir: Path) -> Path:
    from .looks.fast.stylizer import FastSettings, FastStylizer
    from .looks.fast.stylizer import style_sheet as sheet

    render = render or next(iter(dag.renders))
    t = t or max(1, (dag.renders[render].frames + 1) // 2)
    out = Path(out_dir) / f"{render}_styles_frame{t:06d}.png"
    write_pil(out, sheet(source_frame(dag, render, t), FastStylizer(FastSettings(style=0))))
    return out
