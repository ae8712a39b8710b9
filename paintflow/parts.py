"""A render of a part of its video: some of its shots (``shots: "1-2, 5"``) or a time range (``from:``/``to:``).

The part is a video of its own, named ``<video>__<first>-<last>[_<first>-<last>…]`` by the video's frame
numbers it holds (a user's names have no double underscore): the video's frames at those numbers, decoded
exactly as the whole video's (the same trim, rate and size), numbered from 1 in the part. Its shots are the
video's shots inside it, with a cut at each join; every stage then works on the part alone — two renders of
the same part share its frames and flow.
"""

from __future__ import annotations

import copy
import re

from . import PaintflowError

SEPARATOR = "__"


def whole(video: str) -> str:
    """The name of the video a part is of (of a whole video: its own name): its settings are that video's."""
    return video.split(SEPARATOR)[0]


def wanted(rcfg: dict) -> bool:
    """Whether a render's settings take a part of its video."""
    return any(rcfg.get(k) is not None for k in ("shots", "from", "to"))


def shot_numbers(spec, count: int, where: str) -> list[int]:
    """The shot numbers (1-based) of ``"1-2, 5"``, in order, each once; checked against the video's ``count``."""
    numbers = []
    for item in str(spec).split(","):
        bounds = [int(x) for x in re.findall(r"\d+", item)]
        first, last = bounds[0], bounds[-1]
        if first > last:
            raise PaintflowError(f"{where}: {item.strip()!r} runs backwards (write {last}-{first})")
        if first < 1 or last > count:
            raise PaintflowError(
                f"{where}: shot {last if last > count else first} does not exist: the video has {count} shot(s), "
                "numbered from 1 (see `paintflow shots`)"
            )
        numbers += [n for n in range(first, last + 1) if n not in numbers]
    return sorted(numbers)


def runs(frames: list[range]) -> list[range]:
    """Ranges of frames joined where one ends where the next starts."""
    out: list[range] = []
    for r in sorted(frames, key=lambda r: r.start):
        if out and out[-1].stop == r.start:
            out[-1] = range(out[-1].start, r.stop)
        else:
            out.append(r)
    return out


def time_frames(rcfg: dict, info: dict, where: str) -> range:
    """The video's frames shown from ``from:`` up to (not including) ``to:`` (seconds of the source file,
    ``1:02.5`` or a timecode; either left out: the video's start or end)."""
    from .shots import frame_at, parse_time

    def frame(key: str, default: int) -> int:
        value = rcfg.get(key)
        if value is None:
            return default
        try:
            seconds = float(value) if isinstance(value, (int, float)) else parse_time(value, info["fps"])
        except ValueError as err:
            raise PaintflowError(f"{where}.{key}: {err}") from None
        return frame_at(seconds, info)

    first, stop = frame("from", 1), frame("to", info["frames"] + 1)
    start = float(info.get("start") or 0.0)
    span = f"{start:g}–{start + info['frames'] / info['fps']:g} s of the source"
    if not 1 <= first <= info["frames"]:
        raise PaintflowError(f"{where}.from: {rcfg['from']!r} is outside the video ({span})")
    if stop <= first or stop > info["frames"] + 1:
        raise PaintflowError(f"{where}.to: {rcfg.get('to')!r} is not after from: and within the video ({span})")
    return range(first, stop)


def frames_of(rcfg: dict, video, where: str) -> list[range]:
    """The video's frames a render takes (runs of frame numbers of the video)."""
    if rcfg.get("shots") is not None:
        if rcfg.get("from") is not None or rcfg.get("to") is not None:
            raise PaintflowError(f"{where}: give shots: or from:/to:, not both")
        shots = video.shots.ranges()
        return runs([shots[n - 1] for n in shot_numbers(rcfg["shots"], len(shots), f"{where}.shots")])
    return [time_frames(rcfg, video.info, where)]


def name_of(video: str, frames: list[range]) -> str:
    return video + SEPARATOR + "_".join(f"{r.start}-{r.stop - 1}" for r in frames)


def source_frame(info: dict, t: int) -> int:
    """The frame number in the whole video of frame ``t`` of a part (of a whole video: ``t``)."""
    for first, last in (info.get("part") or {}).get("frames", ()):
        if t <= last - first + 1:
            return first + t - 1
        t -= last - first + 1
    return t


def video_of(parent, frames: list[range]):
    """The part as a :class:`paintflow.inputs.Video` of its own."""
    from .inputs import Video
    from .shots import Shots

    info = copy.deepcopy(parent.info)
    count = sum(len(r) for r in frames)
    start = float(info.get("start") or 0.0) + (frames[0].start - 1) / info["fps"]
    info.update(frames=count, start=start, duration=count / info["fps"])
    info["part"] = {"of": parent.name, "frames": [[r.start, r.stop - 1] for r in frames]}
    if len(frames) > 1:  # its own video's sound would drift at each gap: the timeline's master carries it
        info["has_audio"] = False
    starts, kinds, scores, offset = [], [], [], 0
    parent_starts = dict(zip(parent.shots.starts, zip(parent.shots.kinds, parent.shots.scores)))
    for r in frames:
        for t in r:
            if t == r.start or t in parent_starts:
                kind, score = parent_starts.get(t, ("part", 1.0))
                starts.append(offset + t - r.start + 1)
                kinds.append("start" if not starts[:-1] else kind)
                scores.append(score)
        offset += len(r)
    shots = Shots(count, starts, kinds, scores, parent.shots.source)
    return Video(name_of(parent.name, frames), parent.path, info, parent.source_id, [], shots, parent.media,
                 parent.settings)  # fmt: skip


def still_part(r, own: dict, rcfg: dict, videos: dict, where: str) -> dict:
    """A look made from a still (a zoom) over a part of a video: it lasts exactly the part, at the video's
    rate, and starts from the part's first frame — or, played backwards (``reverse``), lands on the frame
    after the part — unless its ``frame:`` says which (``own``: the render's own settings of its look)."""
    s, video = r.settings, r.settings.get("video")
    if video not in videos:
        known = ", ".join(n for n, v in videos.items() if not v.part) or "none"
        raise PaintflowError(f"{where}.{r.look}.video: a {r.look} over a part of a video names it (known: {known})")
    frames = frames_of(rcfg, videos[video], where)
    if len(frames) > 1:
        raise PaintflowError(f"{where}.shots: a {r.look} lasts one run of shots (give another render the others)")
    run, count = frames[0], videos[video].frames
    s.update(frames=len(run), seconds=None, fps=videos[video].info["fps"])
    if own.get("frame") is None:
        s["frame"] = min(run.stop, count) if s.get("reverse") else run.start
    return {"of": video, "frames": [[run.start, run.stop - 1]]}
