"""A media file's stream metadata read with PyAV (FFmpeg's own libraries, no text parsing): the exact frame
rate as a fraction, the start timecode, the colour tags, whether the picture has an alpha channel.

Opening a container reads its header only (a few milliseconds); nothing is decoded.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from . import PaintflowError

# FFmpeg's enum values (libavutil/pixfmt.h) → the names its command line takes
PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020", 11: "smpte431"}
PRIMARIES |= {12: "smpte432"}
TRANSFERS = {1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear"}
TRANSFERS |= {13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}
MATRICES = {0: "rgb", 1: "bt709", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020nc", 10: "bt2020c"}
RANGES = {1: "tv", 2: "pc"}
BT709 = {"primaries": "bt709", "transfer": "bt709", "matrix": "bt709", "range": "tv"}

NTSC = (24, 30, 48, 60, 120)  # rates whose broadcast version is n·1000/1001


def exact_rate(fps: float) -> Fraction:
    """A frame rate given as a decimal, as the fraction it stands for: 29.97 is 30000/1001 (a float or
    2997/100 drifts against the editor's timeline), 25 is 25."""
    for n in NTSC:
        if abs(fps - n * 1000 / 1001) < 0.006:
            return Fraction(n * 1000, 1001)
    return Fraction(fps).limit_denominator(1001)


def _snap(rate: Fraction) -> Fraction:
    """A container's rate read back through a coarse time base (Matroska: 1 ms; 19001/317 for 59.94) as the
    fraction it stands for, when within 0.01 % of it."""
    snapped = exact_rate(float(rate))
    return snapped if abs(snapped - rate) <= rate / 10_000 else rate


def rate_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def _timecode(container, stream) -> str | None:
    for meta in (stream.metadata, container.metadata, *(s.metadata for s in container.streams if s.type == "data")):
        found = {k.lower(): v for k, v in meta.items()}.get("timecode")  # Matroska: TIMECODE
        if found:
            return found
    return None


def describe(path) -> dict:
    """Rate (fraction text), timecode, colour tags (None where the file says nothing), alpha, codec."""
    import av

    from .video import sequence_facts, sequence_pattern

    path = Path(path)
    seq, facts = sequence_pattern(path), sequence_facts(path)
    opened = (
        (
            seq[0],
            {"format": "image2", "options": {"framerate": str(facts.get("rate") or 25), "start_number": str(seq[1])}},
        )
        if seq
        else (str(path), {})
    )
    try:
        with av.open(opened[0], **opened[1]) as container:
            if not container.streams.video:
                raise PaintflowError(f"{path} has no video stream")
            stream = container.streams.video[0]
            cc = stream.codec_context
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fmt = cc.format
            colour = {
                "primaries": PRIMARIES.get(cc.color_primaries),
                "transfer": TRANSFERS.get(cc.color_trc),
                "matrix": MATRICES.get(cc.colorspace),
                "range": RANGES.get(cc.color_range),
            }
            return {
                "rate": rate_text(_snap(Fraction(rate))) if rate else None,
                "timecode": _timecode(container, stream) or facts.get("timecode"),
                "colour": facts.get("colour") or colour,
                "alpha": bool(fmt) and any(c.is_alpha for c in fmt.components),
                "pix_fmt": fmt.name if fmt else None,
                "codec": stream.codec.name,
                "profile": cc.profile or (cc.codec_tag or "").strip("\x00 ") or None,  # HAP: its fourcc
                "size": [cc.width, cc.height],
            }
    except av.FFmpegError as err:
        raise PaintflowError(f"not a readable video: {path} ({err})") from err


def colour_tags(colour: dict | None) -> dict:
    """The tags a delivery carries: the source's, BT.709 for whatever it leaves unsaid."""
    colour = colour or {}
    return {k: colour.get(k) or v for k, v in BT709.items()}


def timecode_frames(timecode: str, nominal: int) -> int:
    """Frames since 00:00:00:00 of a SMPTE timecode at a nominal rate (30 for 29.97); drop-frame (``;``)
    skips frame numbers 0..n−1 of each minute but every tenth (n = 2 at 30, 4 at 60: SMPTE ST 12-1)."""
    h, m, sec, f = (int(x) for x in timecode.replace(";", ":").split(":"))
    frames = ((h * 60 + m) * 60 + sec) * nominal + f
    if ";" in timecode:
        minutes = h * 60 + m
        frames -= nominal // 15 * (minutes - minutes // 10)
    return frames


def frames_timecode(frames: int, nominal: int, drop: bool) -> str:
    """The timecode of a frame number (the inverse of :func:`timecode_frames`)."""
    if drop:
        d = nominal // 15
        per_10min, per_min = 600 * nominal - 9 * d, 60 * nominal - d
        tens, rest = divmod(frames, per_10min)
        frames += 9 * d * tens + (d * ((rest - d) // per_min) if rest > d else 0)
    f, total = frames % nominal, frames // nominal
    sep = ";" if drop else ":"
    return f"{total // 3600 % 24:02d}:{total // 60 % 60:02d}:{total % 60:02d}{sep}{f:02d}"


def start_timecode(timecode: str, source_rate: Fraction, start: float, rate: Fraction) -> str:
    """The timecode of the first delivered frame: the source's ``timecode`` moved by ``start`` seconds and
    written at the delivery's ``rate``; drop-frame kept where the source uses it and the rate allows it."""
    nominal_src, nominal = round(source_rate), round(rate)
    seconds = Fraction(timecode_frames(timecode, nominal_src)) / source_rate + Fraction(start).limit_denominator(10**6)
    drop = ";" in timecode and nominal % 30 == 0 and rate.denominator == 1001
    return frames_timecode(round(seconds * rate), nominal, drop)
