"""An edited test clip of real footage with known cuts (built from ../shared/data, never downloaded).

Five shots of the cockatoo and the chroma-key plate joined by hard cuts and one fade through black,
with the things a music video is full of that are *not* cuts: a camera flash (one over-exposed frame)
and a whip pan. :data:`TRUTH` says where each shot starts; the shot detector is measured against it.
"""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
COCKATOO = SHARED / "video" / "cockatoo.mp4"
MAN = SHARED / "video" / "chroma_keying_man.mp4"
PHOTO = SHARED / "content" / "astronaut.png"
FPS = 20


def _frames(path: Path, size, first: int, count: int, step: int = 1) -> list[np.ndarray]:
    gen = imageio_ffmpeg.read_frames(str(path), output_params=["-vf", f"scale={size[0]}:{size[1]}:flags=area"])
    next(gen)
    out = []
    for i, raw in enumerate(gen):
        if i >= first and (i - first) % step == 0:
            out.append(np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3).copy())
        if len(out) == count:
            break
    gen.close()
    return out


def _pan(size, count: int) -> list[np.ndarray]:
    """A whip pan: a window sweeping fast across a real photograph (40 % of the width in a second)."""
    import cv2

    photo = cv2.cvtColor(cv2.imread(str(PHOTO)), cv2.COLOR_BGR2RGB)
    h = photo.shape[0] * 9 // 16
    w = photo.shape[1] // 2
    out = []
    for i in range(count):
        x = int(i * (photo.shape[1] - w) / max(count - 1, 1))
        out.append(cv2.resize(photo[100 : 100 + h, x : x + w], size, interpolation=cv2.INTER_AREA))
    return out


def edit_frames(size=(256, 144)) -> tuple[list[np.ndarray], dict]:
    """The clip's frames and its truth: {"cuts": first frames (1-based) of shots 2…, "fade": (first, last)
    frames of the fade, "flash": the flash frame, "pan": (first, last)}."""
    a = _frames(COCKATOO, size, 20, 30)  # shot 1: the cockatoo
    b = _frames(MAN, size, 0, 24, step=3)  # shot 2: the man (59.94 fps → 20)
    c = _frames(COCKATOO, size, 160, 30)  # shot 3: the cockatoo again, a flash in the middle
    c[20] = np.clip(c[20].astype(np.float32) * 0.35 + 200, 0, 255).astype(np.uint8)
    d = _frames(MAN, size, 150, 30, step=3)  # shot 4: faded in from black after shot 3 faded out
    fade = 6
    for i in range(fade):
        c[-fade + i] = (c[-fade + i] * (1 - (i + 1) / (fade + 1))).astype(np.uint8)
        d[i] = (d[i] * ((i + 1) / (fade + 1))).astype(np.uint8)
    e = _pan(size, 24)  # shot 5: a whip pan
    shots = [a, b, c, d, e]
    starts = np.cumsum([0] + [len(s) for s in shots])[:-1] + 1
    truth = {
        "cuts": [int(s) for s in starts[1:]],
        "fade": (int(starts[3]) - fade, int(starts[3]) + fade - 1),
        "flash": int(starts[2]) + 20,
        "pan": (int(starts[4]), int(starts[4]) + len(e) - 1),
        "frames": int(sum(len(s) for s in shots)),
    }
    return [f for s in shots for f in s], truth


def write_edit(path: Path, size=(256, 144)) -> dict:
    """Write the clip as H.264 (near-lossless) at 20 fps; returns its truth."""
    frames, truth = edit_frames(size)
    write_frames(path, frames)
    return truth


def write_frames(path: Path, frames: list, fps: float = FPS) -> None:
    size = (frames[0].shape[1], frames[0].shape[0])
    writer = imageio_ffmpeg.write_frames(
        str(path), size, fps=fps, codec="libx264", macro_block_size=1, output_params=["-crf", "12"]
    )
    writer.send(None)
    for f in frames:
        writer.send(np.ascontiguousarray(f))
    writer.close()


def write_cut(path: Path, size=(64, 36), each: int = 4) -> int:
    """A tiny clip of two real shots joined by one hard cut (the cockatoo, then the man on his green
    screen), ``each`` frames each at 20 fps; returns the first frame of the second shot."""
    write_frames(path, _frames(COCKATOO, size, 100, each) + _frames(MAN, size, 30, each, step=3))
    return each + 1


def write_three_shots(path: Path, size=(64, 36), each: int = 4) -> list[int]:
    """A tiny clip of three real shots joined by hard cuts (the cockatoo, the man on his green screen, the
    cockatoo elsewhere), ``each`` frames each at 20 fps; returns the first frames of the second and third."""
    frames = _frames(COCKATOO, size, 100, each) + _frames(MAN, size, 30, each, step=3)
    write_frames(path, frames + _frames(COCKATOO, size, 200, each))
    return [each + 1, 2 * each + 1]


def dissolve_frames(size=(96, 54)) -> list[np.ndarray]:
    """60 frames (25 fps) of an edit with a dissolve: the cockatoo (frames 1-30), an 8-frame dissolve into the
    man (31-38), the man (39-54), a hard cut to the cockatoo elsewhere (55-60)."""
    a, b, c = _frames(COCKATOO, size, 20, 38), _frames(MAN, size, 0, 24, step=3), _frames(COCKATOO, size, 160, 6)
    mix = [(a[30 + i] * (1 - (i + 1) / 9) + b[i] * ((i + 1) / 9)).astype(np.uint8) for i in range(8)]
    return a[:30] + mix + b[8:] + c


def write_dissolve_cut_list(path: Path, fps: int = 25) -> list[int]:
    """The editor's cut list of :func:`dissolve_frames` (OpenTimelineIO: three clips, a dissolve centred on
    the cut after frame 34); returns the first frames of its shots, the dissolve one of them."""
    import opentimelineio as otio

    def clip(name: str, frames: int):
        media = otio.schema.ExternalReference(target_url=f"file:///{name}.mov")
        return otio.schema.Clip(name=name, media_reference=media, source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(frames, fps)))  # fmt: skip

    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    four = otio.opentime.RationalTime(4, fps)
    dissolve = otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve, in_offset=four,
                                      out_offset=four)  # fmt: skip
    for item in (clip("cockatoo", 34), dissolve, clip("man", 20), clip("cockatoo_again", 6)):
        track.append(item)
    timeline = otio.schema.Timeline(name="band_edit")
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return [1, 31, 39, 55]
