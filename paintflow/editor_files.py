"""A timeline for the editor: the master's cut as an OpenTimelineIO timeline (and, through OTIO's adapters,
an FCP 7 XML and a CMX 3600 EDL) whose clips point at each render's own media at the source's timecode."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

EDITOR_FILES = {".otio": "otio_json", ".xml": "fcp_xml", ".edl": "cmx_3600"}


def start_frame(timecode: str | None, rate: str) -> int:
    """The frame number a timecode names at ``rate`` (its nominal rate: 30 for 29.97); 0 without one."""
    from .media import timecode_frames

    return timecode_frames(timecode, round(float(Fraction(rate)))) if timecode else 0


def editor_clips(plan: dict, media: dict, source: str) -> list[dict]:
    """The master's cut as clips: {name, file, first: the media's first frame number, frames: its length,
    begin: the clip's first frame in it, length, dissolve: (frames before, after the cut) or None}; a
    dissolve between two looks is a cut in its middle with a dissolve over the whole run."""
    rate = plan["delivery"]["rate"]
    zero = start_frame(plan["delivery"]["timecode"], rate)
    clips: list[dict] = []

    def add(render, at: int, length: int, dissolve=None):
        if render:
            file, timecode, frames = media[render]
            first = start_frame(timecode, rate)
        else:
            file, first, frames = source, zero, plan["frames"]
        begin = first + at - 1
        last = clips[-1] if clips else None
        if last and dissolve is None and last["file"] == file and last["begin"] + last["length"] == begin:
            last["length"] += length  # the same media, continuing
            return
        name = render or "as filmed"
        clips.append(
            dict(name=name, file=file, first=first, frames=frames, begin=begin, length=length, dissolve=dissolve)
        )

    for p in plan["parts"]:
        length = p["last"] - p["first"] + 1
        at = p["at"] if p["render"] else p["first"]
        if not p["into"]:
            add(p["render"], at, length)
            continue
        half = length // 2
        add(p["render"], at, half)
        add(p["into"], p["into_at"] + half, length - half, dissolve=(half, length - half))
    return clips


def editor_timeline(plan: dict, media: dict, source: str):
    """The master as an OpenTimelineIO timeline: a video track of clips (:func:`editor_clips`), each
    pointing at a render's own media (``media``: {render: (file, its start timecode or None, its frames)})
    or at the source for the footage, at the timecode the editor relinks by, with a dissolve where two
    looks dissolve; the source's sound on an audio track."""
    import opentimelineio as otio

    rate = float(Fraction(plan["delivery"]["rate"]))

    def at(frames: int):
        return otio.opentime.RationalTime(frames, rate)

    def span(first: int, length: int):
        return otio.opentime.TimeRange(at(first), at(length))

    zero = start_frame(plan["delivery"]["timecode"], plan["delivery"]["rate"])
    timeline = otio.schema.Timeline(name=plan["name"], global_start_time=at(zero))
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for c in editor_clips(plan, media, source):
        if c["dissolve"]:
            before, after = c["dissolve"]
            video.append(otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                                in_offset=at(before), out_offset=at(after)))  # fmt: skip
        ref = otio.schema.ExternalReference(
            target_url=Path(c["file"]).resolve().as_uri(), available_range=span(c["first"], c["frames"])
        )
        video.append(otio.schema.Clip(name=c["name"], media_reference=ref, source_range=span(c["begin"], c["length"])))
    timeline.tracks.append(video)
    if plan["audio"]:
        sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
        ref = otio.schema.ExternalReference(
            target_url=Path(source).resolve().as_uri(), available_range=span(zero, plan["frames"])
        )
        sound.append(otio.schema.Clip(name="sound", media_reference=ref, source_range=span(zero, plan["frames"])))
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
