"""Disk a render needs: estimated before it starts (and refused when the disk cannot hold it),
measured from the files already written for ``paintflow plan``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import PaintflowError
from .registry import STAGES

MODEL_BYTES = 60_000_000  # converted VGG-16 (+ waifu2x, small)


def expected_files(dag) -> dict[tuple[str, str], tuple[int, int]]:
    """{(stage, owner): (files when finished, pixels per file)} of every per-frame stage."""
    out = {}
    for name, s in STAGES.items():
        if not s.per_frame:
            continue
        for owner in dag.owners(name):
            n = dag.frame_count(name, owner)
            if s.owner == "video":
                v = dag.videos[owner].info
                px = v["width"] * v["height"]
            else:
                r = dag.renders[owner]
                px = r.width * r.height * (dag.config["upscale"]["scale"] ** 2 if name == "upscale" else 1)
            if name == "flow":
                files = 2 * (n - 1) if dag.config["flow"]["keep"] else min(2 * (n - 1), 4 * dag.chunk)
            elif name == "masks":
                files = n - 1
            else:
                files = n
            out[name, owner] = (files, px)
    return out


def estimate(dag) -> dict[str, int]:
    """Bytes of the finished render per stage (temporary flow: the few chunks alive at once)."""
    need = {}
    for (name, _), (files, px) in expected_files(dag).items():
        need[name] = need.get(name, 0) + int(files * px * STAGES[name].bytes_per_pixel)
    need["models"] = MODEL_BYTES
    need["deliveries"] = sum(int(px * frames * d.fmt.bytes_per_pixel) for d, frames, px in deliveries(dag))
    return need


def deliveries(dag):
    """(delivery, frames, pixels per frame) of every render's deliveries."""
    for r in dag.renders:
        if dag.look(r).sheet:
            continue
        scale = dag.config["upscale"]["scale"]
        px = dag.renders[r].width * dag.renders[r].height * scale * scale
        for d in dag.deliveries(r):
            yield d, dag.renders[r].frames, px


def measured(dag) -> dict[str, tuple[int, str]]:
    """{stage: (bytes of the finished render, how it was found)}: the mean size of files already
    written × the files the stage will have, or the estimate where none is written yet."""
    guess, sizes, counts = estimate(dag), {}, {}
    for (name, owner), (files, _) in expected_files(dag).items():
        counts[name] = counts.get(name, 0) + files
        for variant in ("fwd", "bwd") if name == "flow" else (None,):
            folder = dag_folder(dag, name, owner, variant)
            if folder.is_dir():
                sizes.setdefault(name, []).extend(e.stat().st_size for e in os.scandir(folder) if e.name[0].isdigit())
    out = {}
    for name, files in counts.items():
        got = sizes.get(name)
        if got and not (name == "flow" and not dag.config["flow"]["keep"]):
            out[name] = (int(sum(got) / len(got) * files), f"measured, {len(got)} files")
        else:
            out[name] = (
                guess[name],
                "estimated" + (", peak (temp)" if name == "flow" and not dag.config["flow"]["keep"] else ""),
            )
    out["models"] = (guess["models"], "estimated")
    from .delivery import size_of

    made = [Path(d.path).exists() for d, _, _ in deliveries(dag)]
    if made and all(made):
        out["deliveries"] = (sum(size_of(d.path) for d, _, _ in deliveries(dag)), f"measured, {len(made)} files")
    else:
        out["deliveries"] = (guess["deliveries"], "estimated")
    return out


def dag_folder(dag, name, owner, variant=None) -> Path:
    from .paths import frame_folder

    return frame_folder(dag.results, name, owner, variant)


def bytes_under(path: Path) -> int:
    total = 0
    if path.is_dir():
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False):
                total += bytes_under(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat().st_size
    return total


def check(results: Path, needed: int) -> None:
    """Refuse to start when the results disk cannot hold what is still to be written."""
    results = Path(results)
    probe = results
    while not probe.exists():
        probe = probe.parent
    missing = needed - bytes_under(results)
    free = shutil.disk_usage(probe).free
    if missing > free:
        raise PaintflowError(
            f"results: not enough free disk for this render in {results.resolve()}: about "
            f"{missing / 1e9:.2f} GB still to write, {free / 1e9:.2f} GB free. Free space, point `results:` "
            "elsewhere, or set flow.keep: false / upscale.scale: 1 "
            "(set execution.check_disk: false to skip this check)"
        )
