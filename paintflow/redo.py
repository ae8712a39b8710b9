"""``paintflow redo RENDER --frames 118,430-432``: make exactly those frames of a render again, and what
depends on them — a deliberate re-render, from the frame store's point of view.

The named frames of the render's look and of every stage after it (passes, composite, upscale) are moved
aside, with their frame-store entries (otherwise the store would put the same pixels back), to
``results/.paintflow/redo/<time>/`` (kept: compare before and after, nothing is lost), and so are the
quality records that read them (frames t … t+4 of their shot), the render's video and its report
pictures. The next run makes exactly those again; every other frame of the chunks they are in is
restored from the frame store, not recomputed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import PaintflowError


def parse_frames(spec: str, count: int) -> list[int]:
    """ "118,430-432" → [118, 430, 431, 432]; each frame within 1…count."""
    frames: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        try:
            first, _, last = part.partition("-")
            a, b = int(first), int(last or first)
        except ValueError:
            raise PaintflowError(f"--frames: {part!r} is not a frame or a range (e.g. 118,430-432)") from None
        if a > b:
            raise PaintflowError(f"--frames: {part!r} runs backwards (write {b}-{a})")
        if a < 1 or b > count:
            raise PaintflowError(f"--frames: {part!r} is outside the render's frames 1-{count}")
        frames.update(range(a, b + 1))
    if not frames:
        raise PaintflowError("--frames: no frame named (e.g. --frames 118,430-432)")
    return sorted(frames)


@dataclass
class RedoPlan:
    render: str
    frames: list[int]
    files: list[str] = field(default_factory=list)  # what is moved aside and made again
    jobs: list[str] = field(default_factory=list)  # the rules the next run runs
    notes: list[str] = field(default_factory=list)


def plan(dag, render: str, spec: str) -> RedoPlan:
    """What making frames ``spec`` ("118,430-432") of a render again moves aside and runs."""
    if render not in dag.renders:
        raise PaintflowError(f"no render {render!r} in the config (known: {', '.join(dag.renders)})")
    frames = parse_frames(spec, dag.renders[render].frames)
    if dag.look(render).sheet:
        raise PaintflowError(
            f"{render!r} is one picture (a sheet), not frames: delete {dag.sheet_path(render)} instead"
        )
    chain = dag.render_stages(render)
    stages = chain[chain.index(dag.look_stage(render)) :]
    p = RedoPlan(render, frames)
    quality = sorted(
        {u for t in frames for u in range(t, t + 5) if u in dag.shot_of("quality", render, t)}
        if dag.uses(render, "quality")
        else set()
    )
    for name, which in [(s, frames) for s in stages] + ([("quality", quality)] if quality else []):
        p.files += [f for f in dag.paths(name, render, which) if Path(f).exists()]
        p.jobs += [j.rule for j in dag.chunk_jobs_of(name, render) if any(t in j.frames for t in which)]
    deliveries = dag.deliveries(render)  # each one made again from the new frames (a sequence: its folder)
    p.files += [f for f in (*(d.path for d in deliveries), f"{dag.report_dir(render)}/stages.png") if Path(f).exists()]
    p.jobs += [dag.delivery_rule(render, d) for d in deliveries] + ["report"]
    look = dag.look_stage(render)
    if dag.sequential(look, render):
        later = sorted({t + 1 for t in frames if t + 1 not in frames and dag.follows(look, render, t + 1)})
        if later:
            p.notes.append(
                f"the {look} chain goes on from each re-made frame: the frames after it "
                f"({', '.join(map(str, later))}, …) were made from the old one and are kept "
                "(redo them too to carry the change on)"
            )
    return p


def mark(dag, p: RedoPlan) -> Path:
    """Move the plan's files aside (kept under .paintflow/redo/<time>/) and make them targets of the next run."""
    from .dag import quarantine
    from .paths import parse_path

    into = Path(dag.results) / ".paintflow" / "redo" / time.strftime("%Y%m%d-%H%M%S")
    for path in p.files:
        parsed = parse_path(dag.results, path)
        if parsed:
            dag.drop_stored(parsed[0], parsed[1], path)
            quarantine(dag.results, path, into)
        else:  # the video, the report: made again because the run's targets include them
            dest = into / Path(path).resolve().relative_to(Path(dag.results).resolve())
            dest.parent.mkdir(parents=True, exist_ok=True)
            Path(path).rename(dest)
    return into


def format_plan(p: RedoPlan, dry_run: bool) -> str:
    head = "would make again" if dry_run else "making again"
    from .paths import frame_of
    from .quality import runs

    lines = [f"{head}: {p.render}, frame(s) {','.join(runs(p.frames))}"]
    by_folder: dict[str, list[int]] = {}
    for f in p.files:
        if not Path(f).name[:6].isdigit():
            lines.append(f"  {f}")
        else:
            by_folder.setdefault(str(Path(f).parent), []).append(frame_of(f))
    lines[1:1] = [f"  {folder}/: frame(s) {','.join(runs(sorted(ts)))}" for folder, ts in by_folder.items()]
    lines.append(f"jobs: {', '.join(p.jobs)}")
    lines += [f"note: {n}" for n in p.notes]
    return "\n".join(lines)
