"""A timeline from the studio: one video's shots as pictures, a look given to each by clicking, the master
made and played on the page.

A studio timeline is a work folder like a render's, its config a plain config file runnable from a terminal:
the video (``videos.source``), a render per look given — with the shots it covers (``shots: "1-2, 5"``) and
the settings of the project's render that look was taken from — and ``timelines.<name>`` taking them all.
A shot given no look is the footage as filmed; a new timeline is all of it, until looks are given.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from .. import AwaitingInput, PaintflowError
from ..registry import LOOKS
from . import runner
from .models import Render

AS_FILMED = "as_filmed"  # a shot's choice: no look
VIDEO = "source"  # the timeline's video, as the config names it
SHOTS = "shots"  # .studio/<it>: a picture of each shot (its middle frame), by its first frame
THUMB_HEIGHT = 72


def new_config(name: str, video: Path, width: int, cuts=None, scale: int = 1, formats=None) -> dict:
    """The config of a new timeline over ``video`` (every shot as filmed); ``cuts``: where its shots start
    (a list of frames or times, or the editor's cut list file; None: found by the shot detector); ``scale``:
    the upscale of every part; ``formats``: the master's delivery formats (None: the defaults)."""
    source = {"path": str(video), "width": width}
    if cuts:
        source["shots"] = cuts
    timeline = {"video": VIDEO, "renders": []}
    if formats:
        timeline["encode"] = {"formats": list(formats)}
    return {"videos": {VIDEO: source}, "upscale": {"scale": scale}, "timelines": {name: timeline}}


def _config(render: Render) -> dict:
    try:
        return yaml.safe_load((Path(render.workdir) / "config.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}


def _settings_of(render: Render) -> dict | None:
    """How a project render paints, to give to shots (its render's settings, paths made absolute), or None
    where it cannot: not one look over one video's frames (a sheet, a still's zoom, keyed performers over
    another video, a look painted by hand), a timeline (no render of its own name) or its config does not read."""
    from ..config import absolute_paths, load

    try:
        config = absolute_paths(load(Path(render.workdir) / "config.yaml"), render.workdir)
    except PaintflowError:
        return None
    r = copy.deepcopy((config.get("renders") or {}).get(render.name))
    look = LOOKS.get((r or {}).get("look"))
    if not r or look is None or look.sheet or look.hand or look.video_source is False or r.get("key"):
        return None
    for key in ("shots", "from", "to", "video"):
        r.pop(key, None)
    return r


def choices(render: Render) -> list[dict]:
    """What a shot of the timeline can be given: as filmed, the looks it has (kept as they were given), and
    every other render of the project that paints one look over a video ({value, label, look})."""
    own = _config(render).get("renders") or {}
    out = [{"value": AS_FILMED, "label": "as filmed", "look": None}]
    out += [{"value": n, "label": n, "look": r.get("look", "paint")} for n, r in own.items()]
    for other in Render.objects.exclude(name=render.name).order_by("name"):
        if other.name in own:
            continue
        r = _settings_of(other)
        if r is not None:
            out.append({"value": other.name, "label": other.name, "look": r.get("look", "paint")})
    return out


def _spans(numbers: list[int]) -> str:
    from ..parts import runs

    spans = runs([range(n, n + 1) for n in numbers])
    return ", ".join(f"{r.start}" if len(r) == 1 else f"{r.start}-{r.stop - 1}" for r in spans)


def give(render: Render, given: dict, count: int) -> str:
    """Give each of the timeline's ``count`` shots the look chosen (``given``: {shot number: choice}; a
    shot left out keeps the footage): rewrites its config — a render per look with the shots it covers —
    and checks it as the workflow does; refused (the config left as it was) if it does not plan. Returns what
    changed, in words."""
    from .project import load

    path = Path(render.workdir) / "config.yaml"
    before = path.read_text()
    config = yaml.safe_load(before) or {}
    own = config.get("renders") or {}
    by_look: dict[str, list[int]] = {}
    for n in range(1, count + 1):
        choice = given.get(n, AS_FILMED)
        if choice != AS_FILMED:
            by_look.setdefault(choice, []).append(n)
    renders = {}
    for name, numbers in by_look.items():
        if name in own:  # kept as it was given: the part's look does not change under it
            r = copy.deepcopy(own[name])
        else:
            other = Render.objects.filter(name=name).first()
            r = _settings_of(other) if other is not None else None
            if r is None:
                raise PaintflowError(f"shot {numbers[0]}: {name!r} is not a look of this project to give")
        r["video"] = VIDEO
        r["shots"] = _spans(numbers)
        renders[name] = r
    config["renders"] = renders
    config["timelines"][render.name]["renders"] = list(renders)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    try:
        load(render)
    except AwaitingInput:
        pass
    except PaintflowError:
        path.write_text(before)
        raise
    said = [f"{name}: shots {r['shots']}" for name, r in renders.items()]
    if not said:
        return "every shot as filmed"
    if sum(map(len, by_look.values())) < count:
        said.append("the rest as filmed")
    return "; ".join(said)


def shot_pictures(render: Render, video) -> dict[int, str]:
    """{first frame of a shot: its picture (the shot's middle frame, THUMB_HEIGHT px high) in .studio/shots}
    — made once, in one decode of the video, for the shots that have none yet."""
    from PIL import Image

    from ..video import decoded_frames

    folder = runner.folder(render.workdir) / SHOTS
    ranges = video.shots.ranges()
    middle = {(r.start + r.stop - 1) // 2: r.start for r in ranges}
    out = {r.start: folder / f"{r.start:06d}-{r.stop - 1:06d}.jpg" for r in ranges}
    wanted = {t: first for t, first in middle.items() if not out[first].is_file()}
    if wanted:
        folder.mkdir(parents=True, exist_ok=True)
        info = video.info
        width = max(2, round(THUMB_HEIGHT * info["width"] / info["height"] / 2) * 2)
        frames = decoded_frames(video.path, info, (width, THUMB_HEIGHT))
        try:
            for t, rgb in enumerate(frames, 1):
                if t in wanted:
                    part = out[wanted[t]].with_suffix(".jpg.part")
                    Image.fromarray(rgb).save(part, format="JPEG", quality=85)
                    part.replace(out[wanted[t]])
                if t >= max(wanted):
                    break
        finally:
            frames.close()
    return {first: str(p) for first, p in out.items() if p.is_file()}


def card(render: Render, dag) -> dict:
    """The timeline card of its page: each shot (number, frames, seconds, picture, the look it has, whether
    that look's frames of it are made), the choices, and the master (its file once made)."""
    import os

    from .project import rel

    tl = dag.timelines[render.name]
    video = dag.videos[tl.video]
    pictures = shot_pictures(render, video)
    owner = {}
    for p in tl.parts:
        for i, t in enumerate(range(p.first, p.last + 1)):
            owner[t] = (p.render, p.at + i)
    shots = []
    fps = video.info["fps"]
    for n, r in enumerate(video.shots.ranges(), 1):
        look, at = owner.get(r.start, (None, 0))
        made = look is not None and all(os.path.exists(dag.path(dag.final_stage(look), look, owner[t][1])) for t in r)
        shots.append(
            {
                "number": n,
                "frames": f"{r.start}–{r.stop - 1}",
                "seconds": f"{len(r) / fps:.1f}",
                "picture": rel(render, pictures[r.start]) if r.start in pictures else None,
                "given": look or AS_FILMED,
                "made": made,
                "dissolve": video.shots.kinds[n - 1] == "transition",
            }
        )
    master = dag.timeline_deliveries(render.name)[0].path
    return {
        "name": render.name,
        "shots": shots,
        "choices": choices(render),
        "frames": tl.frames,
        "size": f"{tl.size[0]}x{tl.size[1]}",
        "master": rel(render, master) if os.path.exists(master) else None,
        "picture": rel(render, dag.timeline_picture(render.name))
        if os.path.exists(dag.timeline_picture(render.name))
        else None,
    }
