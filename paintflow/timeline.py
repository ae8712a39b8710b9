"""A timeline: one video's master conformed from renders of its parts (``timelines:`` in the config).

Every frame of the video comes from the render that covers it (a render of some of its shots, or a time
range: :mod:`paintflow.parts`), else from the footage as filmed, decoded at the master's size; the master
has the video's frame count, exact rate, start timecode and sound. The same cut is written for the editor
as an OpenTimelineIO timeline (and, through OTIO's adapters, an FCP 7 XML and a CMX 3600 EDL) whose clips
point at each render's own media, so a part can be relinked or swapped without re-importing the master.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

from . import PaintflowError
from .config import look_settings
from .registry import LOOKS

EDITOR_FILES = {".otio": "otio_json", ".xml": "fcp_xml", ".edl": "cmx_3600"}


@dataclass(frozen=True)
class Part:
    """A run of the master's frames ``first``…``last`` (frames of the video) from one render, whose frame
    ``at`` is the run's first; ``render`` None: the footage as filmed."""

    first: int
    last: int
    render: str | None
    at: int


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

    def plan(self) -> dict:
        """Everything a conform or editor job needs (its params: a change re-runs it)."""
        return {**asdict(self), "parts": [asdict(p) for p in self.parts]}


def covered(render, videos: dict) -> list[range]:
    """The frames of its whole video a render paints (its part's, or all of them)."""
    v = videos[render.video]
    return [range(a, b + 1) for a, b in v.part["frames"]] if v.part else [range(1, v.frames + 1)]


def _spans(frames: list[int]) -> str:
    out, run = [], [frames[0], frames[0]]
    for t in frames[1:]:
        if t == run[1] + 1:
            run[1] = t
        else:
            out.append(run)
            run = [t, t]
    out.append(run)
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out)


def build(config: dict, videos: dict, renders: dict, results: str) -> dict:
    """{name: Timeline} of the config's timelines, checked before any work: each render paints a part of the
    timeline's video, no two the same frame; the formats fit the master's size."""
    from .delivery import check
    from .inputs import timing
    from .parts import whole

    out = {}
    for name, tcfg in config.get("timelines", {}).items():
        where = f"timelines.{name}"
        video = tcfg["video"]
        if video not in videos or videos[video].part:
            known = ", ".join(n for n, v in videos.items() if not v.part) or "none"
            raise PaintflowError(f"{where}.video: unknown video {video!r} (known: {known})")
        v = videos[video]
        owner = [None] * (v.frames + 1)
        for r in tcfg["renders"]:
            if r not in renders:
                raise PaintflowError(f"{where}.renders: unknown render {r!r} (known: {', '.join(renders)})")
            rv = renders[r].video
            if rv is None or whole(rv) != video or LOOKS[renders[r].look].sheet:
                what = f"paints video {whole(rv)!r}" if rv else f"is a {renders[r].look} render, not of a video"
                raise PaintflowError(f"{where}.renders: {r} {what}; a timeline of {video!r} takes renders of it")
            both = {}
            for run in covered(renders[r], videos):
                for t in run:
                    if owner[t] is not None:
                        both.setdefault(owner[t], []).append(t)
                    owner[t] = r
            for other, frames in both.items():
                raise PaintflowError(
                    f"{where}.renders: {other} and {r} both cover frames {_spans(frames)} of {video}; "
                    "give each frame to one render (shots: or from:/to: of each)"
                )
        scale = config["upscale"]["scale"]
        settings = look_settings(config, tcfg, "encode")
        size = (v.info["width"] * scale, v.info["height"] * scale)
        check(settings["formats"], ["composite"], False, size, f"{where}.encode")
        delivery = {"settings": settings, **timing(v, v.info["fps"], settings["timecode"])}
        audio = (
            (str(v.path), v.info["start"], v.info["duration"]) if v.info["has_audio"] and settings["audio"] else None
        )
        out[name] = Timeline(name, video, list(tcfg["renders"]), v.frames, size, runs_of(owner, renders, videos),
                             delivery, audio)  # fmt: skip
    return out


def runs_of(owner: list, renders: dict, videos: dict) -> list[Part]:
    """The master's runs of frames: each from one render (its frames in order), or from the footage."""
    from .parts import source_frame

    at = {}  # (render, frame of the video) → the render's frame
    for r in {o for o in owner if o}:
        info = videos[renders[r].video].info
        at |= {(r, source_frame(info, t)): t for t in range(1, renders[r].frames + 1)}
    parts: list[Part] = []
    for t in range(1, len(owner)):
        r = owner[t]
        i = at.get((r, t), t) if r else t
        last = parts[-1] if parts else None
        if last and last.render == r and last.last == t - 1 and (r is None or last.at + (t - last.first) == i):
            parts[-1] = Part(last.first, t, r, last.at)
        else:
            parts.append(Part(t, t, r, i))
    return parts


def master_frames(plan: dict, source: Path, info: dict, finals: dict):
    """The master's frames in order (RGB uint8): each render's final frames where it covers the video
    (``finals``: {render: [path of its frame 1, 2, …]}), the footage decoded at the master's size elsewhere."""
    from .files import read_rgb
    from .video import decoded_frames

    size = tuple(plan["size"])
    by_frame = {}
    for p in plan["parts"]:
        if p["render"]:
            by_frame |= {
                p["first"] + i: finals[p["render"]][p["at"] - 1 + i] for i in range(p["last"] - p["first"] + 1)
            }
    footage = decoded_frames(source, info, size)
    try:
        for t, filmed in enumerate(footage, 1):
            if t > plan["frames"]:
                break
            if t not in by_frame:
                yield filmed
                continue
            rgb = read_rgb(by_frame[t])
            if rgb.shape[1::-1] != size:
                raise PaintflowError(f"{by_frame[t]}: {rgb.shape[1]}x{rgb.shape[0]}, the master is {size[0]}x{size[1]}")
            yield rgb
    finally:
        footage.close()


def editor_timeline(plan: dict, media: dict, source: str):
    """The master as an OpenTimelineIO timeline: a video track of clips, each pointing at a render's own
    media (``media``: {render: (file, its start timecode or None, its frames)}) or at the source for the footage, at the
    timecode the editor relinks by; the source's sound on an audio track."""
    import opentimelineio as otio

    from .media import timecode_frames

    rate = float(Fraction(plan["delivery"]["rate"]))
    nominal = round(rate)

    def start_of(timecode) -> int:
        return timecode_frames(timecode, nominal) if timecode else 0

    def at(frames: int):
        return otio.opentime.RationalTime(frames, rate)

    zero = start_of(plan["delivery"]["timecode"])
    timeline = otio.schema.Timeline(name=plan["name"], global_start_time=at(zero))
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for p in plan["parts"]:
        length = p["last"] - p["first"] + 1
        if p["render"]:
            file, timecode, frames = media[p["render"]]
            first, name = start_of(timecode), p["render"]
            begin = first + p["at"] - 1
        else:
            file, first, frames, name = source, zero, plan["frames"], "as filmed"
            begin = zero + p["first"] - 1
        ref = otio.schema.ExternalReference(
            target_url=Path(file).resolve().as_uri(), available_range=otio.opentime.TimeRange(at(first), at(frames))
        )
        clip = otio.schema.Clip(
            name=name, media_reference=ref, source_range=otio.opentime.TimeRange(at(begin), at(length))
        )
        clip.metadata["paintflow"] = {"frames": [p["first"], p["last"]], "render": p["render"]}
        video.append(clip)
    timeline.tracks.append(video)
    if plan["audio"]:
        sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
        span = otio.opentime.TimeRange(at(zero), at(plan["frames"]))
        ref = otio.schema.ExternalReference(target_url=Path(source).resolve().as_uri(), available_range=span)
        sound.append(otio.schema.Clip(name="sound", media_reference=ref, source_range=span))
        timeline.tracks.append(sound)
    return timeline


def editor_extensions(rate: str) -> list[str]:
    """The editor files a timeline at ``rate`` gets: FCP 7 XML and CMX 3600 need a SMPTE timecode rate
    (23.976 … 60); at any other (a 20 or 15 fps clip) only the OpenTimelineIO file is written."""
    import opentimelineio as otio

    try:
        otio.opentime.RationalTime(0, float(Fraction(rate))).to_timecode(float(Fraction(rate)))
    except ValueError:
        return [".otio"]
    return list(EDITOR_FILES)


def write_editor_files(plan: dict, media: dict, source: str, outputs: list) -> None:
    """The timeline as each of ``outputs`` (.otio, .xml: FCP 7, .edl: CMX 3600, by extension)."""
    import opentimelineio as otio

    from .files import atomic_path

    timeline = editor_timeline(plan, media, source)
    for out in map(Path, outputs):
        kind = EDITOR_FILES[out.suffix]
        edit = timeline
        if kind == "cmx_3600":  # an EDL is one picture track (the sound is the source's, as filmed)
            edit = otio.schema.Timeline(name=plan["name"], global_start_time=timeline.global_start_time)
            edit.tracks.append(timeline.video_tracks()[0].clone())
        with atomic_path(out) as tmp:
            otio.adapters.write_to_file(edit, str(tmp), adapter_name=kind)


def describe(dag) -> list[str]:
    """A line per render of a part (which frames of which video) and per timeline (what covers it)."""
    lines = []
    for name, r in dag.renders.items():
        part = dag.videos[r.video].part if r.video else None
        if part:
            spans = ", ".join(f"{a}-{b}" for a, b in part["frames"])
            lines.append(f"render {name}: frames {spans} of video {part['of']} ({r.frames} frames)")
    for name, tl in dag.timelines.items():
        counts = {}
        for p in tl.parts:
            counts[p.render or "as filmed"] = counts.get(p.render or "as filmed", 0) + p.last - p.first + 1
        said = ", ".join(f"{k} {n}" for k, n in counts.items())
        lines.append(f"timeline {name}: {tl.frames} frames of video {tl.video} ({said}), {tl.size[0]}x{tl.size[1]}")
    return lines
