"""A timeline: one video's master conformed from renders of its parts (``timelines:`` in the config) —
which render covers which frame, checked before any work, and what plan and status say of it.

Every frame of the video comes from the render that covers it (a render of some of its shots, or a time
range: :mod:`paintflow.parts`), else from the footage as filmed; the master has the video's frame count,
exact rate, start timecode and sound (made by :mod:`paintflow.conform`). The same cut is written for the
editor by :mod:`paintflow.editor_files`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import PaintflowError
from .config import look_settings
from .registry import LOOKS


@dataclass(frozen=True)
class Part:
    """A run of the master's frames ``first``…``last`` (frames of the video) from one render, whose frame
    ``at`` is the run's first; ``render`` None: the footage as filmed. A dissolve between two looks: the
    run mixes from ``render`` into ``into`` (its frame ``into_at`` first), linearly over the run."""

    first: int
    last: int
    render: str | None
    at: int
    into: str | None = None
    into_at: int = 0


@dataclass
class Timeline:
    name: str
    video: str
    renders: list
    frames: int
    size: tuple  # (width, height) of the master: the renders' final frames
    parts: list  # [Part]
    delivery: dict  # encode settings, rate, timecode, colour (as a render's)
    audio: tuple | None  # (file, start, seconds) of the video's sound
    layers: list  # the master's layers: the composite, and a keyed part's performer and background
    keyed: list  # the renders with a key (their parts give the performer and background layers)

    def plan(self) -> dict:
        """Everything a conform or editor job needs (its params: a change re-runs it)."""
        return {**asdict(self), "parts": [asdict(p) for p in self.parts]}


def part_of(render, videos: dict) -> dict | None:
    """{"of": the whole video, "frames": [[first, last], …] of it} a render covers (a zoom over a part:
    its own; a render of a video's frames: its video's part, or the whole video); None: no video."""
    if render.part:
        return render.part
    if render.video is None:
        return None
    v = videos[render.video]
    return v.part or {"of": v.name, "frames": [[1, v.frames]]}


def _spans(frames: list[int]) -> str:
    """Frame numbers as runs: "51-54, 60"."""
    from .parts import runs

    return ", ".join(
        f"{r.start}" if len(r) == 1 else f"{r.start}-{r.stop - 1}" for r in runs([range(t, t + 1) for t in frames])
    )


def build(config: dict, videos: dict, renders: dict) -> dict:
    """{name: Timeline} of the config's timelines, checked before any work: each render paints a part of the
    timeline's video, no two the same frame; the formats fit the master's size."""
    from .delivery import check
    from .inputs import timing

    out = {}
    for name, tcfg in config.get("timelines", {}).items():
        where = f"timelines.{name}"
        video = tcfg["video"]
        if video not in videos or videos[video].part:
            known = ", ".join(n for n, v in videos.items() if not v.part) or "none"
            raise PaintflowError(f"{where}.video: unknown video {video!r} (known: {known})")
        v = videos[video]
        owner, shared = coverage(where, video, tcfg["renders"], videos, renders)
        scale = config["upscale"]["scale"]
        settings = look_settings(config, tcfg, "encode")
        size = (v.info["width"] * scale, v.info["height"] * scale)
        keyed = [r for r in tcfg["renders"] if renders[r].key is not None]
        # the renders' layers where a part is keyed (the global encode.layers of its keyed renders), or said
        layers = settings["layers"] if keyed or "layers" in (tcfg.get("encode") or {}) else ["composite"]
        check(settings["formats"], layers, bool(keyed), size, f"{where}.encode")
        delivery = {"settings": settings, **timing(v, v.info["fps"], settings["timecode"])}
        audio = (
            (str(v.path), v.info["start"], v.info["duration"]) if v.info["has_audio"] and settings["audio"] else None
        )
        parts = runs_of(owner, shared, renders, videos)
        out[name] = Timeline(
            name, video, list(tcfg["renders"]), v.frames, size, parts, delivery, audio, list(layers), keyed
        )
    return out


def coverage(where: str, video: str, names: list, videos: dict, renders: dict) -> tuple[list, dict]:
    """Which render covers each frame of ``video`` (a list indexed by frame; None: as filmed) and, over a
    dissolve two renders share, the second ({frame: render}); a render of another video, or two covering
    the same frames outside a dissolve, refused."""
    v = videos[video]
    owner, shared = [None] * (v.frames + 1), {}
    dissolves = {t: r for r in transitions(v.shots) for t in r}
    for r in names:
        if r not in renders:
            raise PaintflowError(f"{where}.renders: unknown render {r!r} (known: {', '.join(renders)})")
        part = part_of(renders[r], videos)
        if part is None or part["of"] != video or LOOKS[renders[r].look].sheet:
            what = f"paints video {part['of']!r}" if part else f"is a {renders[r].look} render, not of a video"
            raise PaintflowError(f"{where}.renders: {r} {what}; a timeline of {video!r} takes renders of it")
        both = {}
        for first, last in part["frames"]:
            for t in range(first, last + 1):
                if owner[t] is None:
                    owner[t] = r
                elif t in dissolves and t not in shared:  # two looks over a dissolve: mixed
                    shared[t] = r
                else:
                    both.setdefault(owner[t], []).append(t)
        for other, frames in both.items():
            raise PaintflowError(
                f"{where}.renders: {other} and {r} both cover frames {_spans(frames)} of {video}; "
                "give each frame to one render (shots: or from:/to: of each; two may share a dissolve)"
            )
        for t in shared:
            if not set(dissolves[t]) <= set(shared):
                raise PaintflowError(
                    f"{where}.renders: {owner[t]} and {shared[t]} share part of the dissolve "
                    f"{dissolves[t].start}-{dissolves[t].stop - 1} of {video}; both take all of it, or one"
                )
    return owner, shared


def transitions(shots) -> list[range]:
    """The shots of a video that are a gradual transition (a dissolve, a fade: found by the detector or
    listed in the editor's cut list): each starts and is followed by a "transition" boundary."""
    ranges = shots.ranges()
    return [r for i, r in enumerate(ranges[:-1]) if shots.kinds[i] == shots.kinds[i + 1] == "transition"]


def runs_of(owner: list, shared: dict, renders: dict, videos: dict) -> list[Part]:
    """The master's runs of frames: each from one render (its frames in order), or from the footage; a
    dissolve two renders share, from the one before it into the one after it."""
    from .parts import source_frame

    at = {}  # (render, frame of the video) → the render's frame
    for r in {o for o in owner if o}:
        part = {"part": part_of(renders[r], videos)}
        at |= {(r, source_frame(part, t)): t for t in range(1, renders[r].frames + 1)}
    parts: list[Part] = []
    for t in range(1, len(owner)):
        r, into = owner[t], shared.get(t)
        if into and owner[t - 1] == into:  # the render of the shot before the dissolve mixes out of it
            r, into = into, r
        i = at.get((r, t), t) if r else t
        last = parts[-1] if parts else None
        same = last and (last.render, last.into) == (r, into) and last.last == t - 1
        if same and (r is None or last.at + (t - last.first) == i):
            parts[-1] = Part(last.first, t, r, last.at, last.into, last.into_at)
        else:
            parts.append(Part(t, t, r, i, into, at[into, t] if into else 0))
    return parts


def describe(dag, seconds: dict, say) -> list[str]:
    """A line per render of a part (which frames of which video, its job time to do: ``seconds``, said by
    ``say``) and per timeline (what covers it, the job time of its renders)."""
    lines = []
    for name, r in dag.renders.items():
        part = r.part or (dag.videos[r.video].part if r.video else None)
        if part:
            spans = ", ".join(f"{a}-{b}" for a, b in part["frames"])
            lines.append(
                f"render {name}: frames {spans} of video {part['of']} ({r.frames} frames), "
                f"{say(seconds.get(name, 0.0))} of job time to do"
            )
    for name, tl in dag.timelines.items():
        counts = {}
        for p in tl.parts:
            counts[p.render or "as filmed"] = counts.get(p.render or "as filmed", 0) + p.last - p.first + 1
        said = ", ".join(f"{k} {n}" for k, n in counts.items())
        todo = say(sum(seconds.get(r, 0.0) for r in tl.renders))
        lines.append(
            f"timeline {name}: {tl.frames} frames of video {tl.video} ({said}), {tl.size[0]}x{tl.size[1]}; "
            f"{todo} of job time to do in its renders"
        )
    return lines


def progress_lines(dag, width: int = 60) -> list[str]:
    """Each timeline as a strip of the master (a letter per render, capital where its frames are made,
    small where not yet; · as filmed), the renders' looks and counts, and whether the master is made."""
    import os

    lines = []
    for name, tl in dag.timelines.items():
        letters = {r: chr(ord("A") + i) for i, r in enumerate(tl.renders)}
        made = {r: [os.path.exists(dag.path(dag.final_stage(r), r, t)) for t in range(1, dag.renders[r].frames + 1)]
                for r in tl.renders}  # fmt: skip
        cells = []
        for p in tl.parts:
            for i in range(p.last - p.first + 1):
                if p.render is None:
                    cells.append("·")
                else:
                    cells.append(letters[p.render] if made[p.render][p.at + i - 1] else letters[p.render].lower())
        step = max(1, -(-len(cells) // width))
        strip = "".join(cells[i] for i in range(0, len(cells), step))
        master = dag.timeline_deliveries(name)[0].path
        state = f"master ready: {master}" if os.path.exists(master) else "master not made yet"
        lines.append(f"timeline {name}: [{strip}] {state}")
        for r, letter in letters.items():
            look = dag.renders[r].look
            lines.append(f"    {letter} {r} ({look}): {sum(made[r])}/{dag.renders[r].frames} frames made")
    return lines
