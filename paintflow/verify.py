"""``paintflow verify``: decode every finished artefact of a render and say what the next run redoes.

A damaged file (truncated, unreadable, a flow with non-finite values) is moved to
``results/.paintflow/quarantine/`` together with its frame-store entry (the same inode, so damaged
too); the next run makes exactly those frames again — what depends on them is restored from the
frame store, not recomputed. Nothing intact is touched.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from .dag import RenderDag, quarantine
from .files import decodes
from .paths import frame_of


def finished_files(dag: RenderDag):
    """(stage, owner, path) of every finished per-frame file of the config."""
    for name, owner, folder in dag.frame_folders():
        if folder.is_dir():
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name[0].isdigit() and entry.is_file():
                    yield name, owner, entry.path


def verify(dag: RenderDag, threads: int = 4, fix: bool = True) -> dict:
    """{"checked": n, "damaged": [(stage, owner, path, problem)], "redo": {(stage, owner): [frames]}}."""
    files = list(finished_files(dag))
    with ThreadPoolExecutor(threads) as pool:
        problems = list(pool.map(lambda f: decodes(f[2]), files))
    damaged = [(n, o, p, why) for (n, o, p), why in zip(files, problems) if why]
    redo: dict = {}
    for name, owner, path, _ in damaged:
        redo.setdefault((name, owner), []).append(frame_of(path))
        if fix:
            dag.drop_stored(name, owner, path)
            quarantine(dag.results, path)
    return {"checked": len(files), "damaged": damaged, "redo": redo}


def format_report(result: dict, fix: bool = True) -> str:
    lines = [f"checked {result['checked']} finished files: {len(result['damaged'])} damaged"]
    for _, _, path, why in result["damaged"]:
        lines.append(f"  damaged: {path} ({why})" + (" -> moved to the quarantine" if fix else ""))
    for (name, owner), frames in sorted(result["redo"].items()):
        lines.append(f"  the next run makes again: {name} of {owner}, frame(s) {', '.join(map(str, sorted(frames)))}")
    if result["damaged"]:
        lines.append(
            "run `paintflow resume` to make them again (every other frame is kept)"
            if fix
            else "run `paintflow verify --fix` to move them aside, then `paintflow resume`"
        )
    return "\n".join(lines)


def quality(dag) -> dict:
    """{render: its quality figures and flagged frames} for every measured render (``verify --quality``)."""
    from .quality import render_summary

    return {render: render_summary(dag, render) for render in dag.renders if dag.uses(render, "quality")}


def format_quality(figures: dict) -> str:
    from .quality import runs

    lines = []
    for render, f in figures.items():
        lines.append(f"{render}: {f['summary'].removeprefix('quality: ')}")
        for t, flag in f["flagged"].items():
            lines.append(f"  frame {t}: {' + '.join(flag['kinds'])}" + (f" ({flag['why']})" if flag["why"] else ""))
        if f["flagged"]:
            frames = ",".join(runs(sorted(int(t) for t in f["flagged"])))
            lines.append(f"  make them again: paintflow redo {render} --frames {frames}")
    return "\n".join(lines) if lines else "quality: no render is measured (quality.enabled: false)"
