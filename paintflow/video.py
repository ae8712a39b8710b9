"""Video probing, frame extraction and encoding with imageio-ffmpeg."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from . import PaintflowError
from .files import is_intact, link_into, write_rgb


def ffmpeg() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".exr", ".dpx", ".jpg", ".jpeg", ".bmp")


def sequence_pattern(path) -> tuple[str, int] | None:
    """(FFmpeg's pattern, first number) of an image sequence — a folder of numbered pictures, or a pattern
    such as ``frames/%06d.png`` — or None for a video file. Gaps and several series are refused."""
    path = Path(path)
    if "%" in path.name:
        folder, given = path.parent, path.name
    elif path.is_dir():
        folder, given = path, None
    else:
        return None
    series: dict = {}
    for f in folder.iterdir() if folder.is_dir() else ():
        m = re.fullmatch(r"(.*?)(\d+)(\.[A-Za-z0-9]+)", f.name)
        if m and m.group(3).lower() in IMAGE_SUFFIXES:
            pattern = f"{m.group(1)}%0{len(m.group(2))}d{m.group(3)}"
            if given in (None, pattern) or (given == f"{m.group(1)}%d{m.group(3)}"):
                series.setdefault(pattern, []).append(int(m.group(2)))
    if not series:
        raise PaintflowError(f"{path}: no numbered pictures (000001.png, 000002.png, …) found")
    if len(series) > 1:
        names = ", ".join(sorted(series))
        raise PaintflowError(f"{path}: several numbered series ({names}); name one, e.g. path: {folder}/{min(series)}")
    pattern, numbers = next(iter(series.items()))
    numbers.sort()
    missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
    if missing:
        raise PaintflowError(f"{folder / pattern}: pictures {', '.join(map(str, missing[:5]))} are missing")
    return str(folder / pattern), numbers[0]


def sequence_facts(path) -> dict:
    """What a sequence's ``delivery.json`` says (rate, timecode, colour: one paintflow wrote), or {}."""
    import json

    path = Path(path)
    side = (path if path.is_dir() else path.parent) / "delivery.json"
    try:
        return json.loads(side.read_text()) if side.is_file() else {}
    except ValueError:
        return {}


def input_args(path, rate=None) -> list[str]:
    """FFmpeg's input options for a source: a file, or an image sequence read at ``rate`` (the video's fps:,
    else its delivery.json's, else 25)."""
    seq = sequence_pattern(path)
    if seq is None:
        return ["-i", str(path)]
    rate = rate or sequence_facts(path).get("rate") or 25
    return ["-framerate", str(rate), "-start_number", str(seq[1]), "-i", seq[0]]


def frame_filter(
    width: int,
    height: int,
    fps: float | None,
    start: float = 0.0,
    duration: float | None = None,
    colour: str | None = "gbrp",
) -> str:
    """The ffmpeg filter chain shared by the probe and the extraction.

    The time range is cut with the ``trim`` filter on a full sequential decode,
    not with input seeking: seeking into some real files (cockatoo.mp4 among
    them) starts decoding at a non-key frame and yields damaged frames. The
    picture is made RGB (``colour``: planar RGB; gbrap keeps an alpha plane)
    at the source's size before it is scaled: a 4:2:0 source's colour (stored
    at half resolution) is then as sharp as its brightness at any processing
    size up to half the source's, instead of half as sharp — colour edges and
    a chroma key's 1–3 px soft edges (None: left as decoded, to count frames).
    """
    chain = []
    if start or duration:
        bounds = [f"start={start}"] if start else []
        bounds += [f"duration={duration}"] if duration else []
        chain += [f"trim={':'.join(bounds)}", "setpts=PTS-STARTPTS"]
    if fps:
        chain.append(f"fps={fps}")
    if colour:
        chain.append(f"format={colour}")
    chain.append(f"scale={width}:{height}:flags=area")
    return ",".join(chain)


def trim_args(start: float, duration: float | None) -> list[str]:
    """Input options selecting a time range of an audio stream."""
    args = ["-ss", f"{start}"] if start else []
    if duration:
        args += ["-t", f"{duration}"]
    return args


def read_meta(path) -> dict:
    """Container metadata (fps, size, duration, audio codec); clear error if unreadable."""
    path = Path(path)
    if not path.is_file() and sequence_pattern(path) is None:
        raise PaintflowError(f"video file not found: {path}")
    args = input_args(path)
    try:
        gen = imageio_ffmpeg.read_frames(args[-1], input_params=args[:-2])
        meta = next(gen)
        gen.close()
    except (OSError, RuntimeError, StopIteration) as err:
        text = str(err)
        if "Stream #" in text and "Video:" not in text:
            raise PaintflowError(f"{path} has no video stream (an audio-only file?)") from err
        raise PaintflowError(f"not a readable video: {path} ({text.strip().splitlines()[-1]})") from err
    if not meta.get("fps") or not meta.get("size"):
        raise PaintflowError(f"{path} has no video stream")
    return meta


def frame_times(path, start: float = 0.0, duration: float | None = None) -> list[float]:
    """Presentation times (s) of the frames in the selected range, as decoded (no resampling)."""
    chain = frame_filter(16, 16, None, start, duration, colour=None).replace("scale=16:16:flags=area", "showinfo")
    cmd = [
        ffmpeg(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "info",
        *input_args(path),
        "-map",
        "0:v:0",
        "-vf",
        chain,
        "-fps_mode",
        "passthrough",
        "-f",
        "null",
        "-",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return [float(x) for x in re.findall(r"pts_time:\s*(-?[0-9.]+)", proc.stderr)]


def average_rate_if_variable(times: list[float], tolerance: float = 0.1) -> float | None:
    """The average frame rate of a variable-frame-rate stream; None when the rate is constant."""
    if len(times) < 3:
        return None
    steps = np.diff(np.asarray(times))
    median = float(np.median(steps))
    if median <= 0 or (np.abs(steps - median) <= tolerance * median).all():
        return None
    return round((len(times) - 1) / (times[-1] - times[0]), 3)


def output_size(source_size, width: int | None, height: int | None) -> tuple[int, int]:
    """Processing size keeping the aspect ratio, rounded to even numbers (H.264 needs them)."""
    sw, sh = source_size
    if width and height:
        w, h = width, height
    elif width:
        w, h = width, width * sh / sw
    elif height:
        w, h = height * sw / sh, height
    else:
        w, h = sw, sh
    return max(2, int(round(w / 2)) * 2), max(2, int(round(h / 2)) * 2)


def probe(path, width=None, height=None, fps=None, start=0.0, duration=None) -> dict:
    """Exact frame count and geometry of the frames that extraction will produce.

    Runs the same trim + filter chain as :func:`extract_frames` into ffmpeg's
    null muxer (decoding, no encoding or writing) and reads its frame counter.
    """
    meta = read_meta(path)
    size = output_size(meta["size"], width, height)
    vfr = None
    if not fps:  # phones record variable frame rates: resample those to their average rate
        vfr = average_rate_if_variable(frame_times(path, start, duration))
        fps = vfr or fps
    cmd = [
        ffmpeg(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-stats",
        *input_args(path, fps),
        "-map",
        "0:v:0",
        "-vf",
        frame_filter(*size, fps, start, duration, colour=None),
        "-f",
        "null",
        "-",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    counts = re.findall(r"frame=\s*(\d+)", proc.stderr)
    errors = [line for line in proc.stderr.replace("\r", "\n").splitlines() if line and "frame=" not in line]
    if proc.returncode != 0 or not counts or errors:
        # a damaged stream would silently lose frames (or render glitches for days): stop here
        first = errors[0] if errors else "no frames decoded"
        raise PaintflowError(f"not a readable video (corrupt or truncated): {path} (ffmpeg: {first.strip()})")
    n = int(counts[-1])
    if n == 0:
        raise PaintflowError(f"video has no frames in the selected range: {path} (start={start}, duration={duration})")
    return {
        "frames": n,
        "fps": float(fps or meta["fps"]),
        "width": size[0],
        "height": size[1],
        "source_fps": float(meta["fps"]),
        "source_size": list(meta["size"]),
        "start": float(start or 0.0),
        "duration": n / float(fps or meta["fps"]),
        "has_audio": bool(meta.get("audio_codec")),
        "variable_rate": vfr is not None,
        "request": {"fps": fps, "start": start, "duration": duration},
    }


def decoded_frames(path, info: dict, size: tuple[int, int] | None = None):
    """The clip's frames in order (RGB uint8), decoded with the probe's trim and rate, at ``size`` (default:
    the processing size): the extraction, the shot detector and the shot sheet all number frames alike."""
    size = size or (info["width"], info["height"])
    req = info["request"]
    args = input_args(path, req["fps"])
    gen = imageio_ffmpeg.read_frames(
        args[-1],
        input_params=args[:-2],
        output_params=["-map", "0:v:0", "-vf", frame_filter(*size, req["fps"], req["start"], req["duration"])],
    )
    try:
        next(gen)
        for raw in gen:
            yield np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3)
    finally:
        gen.close()


def extract_frames(path, outputs: list, info: dict) -> None:
    """Decode the video into ``outputs`` (one PNG path per frame, in order), atomically; frames
    already there (intact) are kept: a frame's pixels do not depend on the clip's length."""
    from .parts import source_frame

    wanted = [source_frame(info, t) for t in range(1, len(outputs) + 1)]  # a part: some frames of its video
    n = 0
    frames = decoded_frames(path, info)
    for i, rgb in enumerate(frames, 1):
        if n >= len(outputs):
            break
        if i != wanted[n]:
            continue
        if not is_intact(outputs[n]):
            write_rgb(outputs[n], rgb)
        n += 1
    frames.close()
    if n != len(outputs):
        raise PaintflowError(f"{path}: decoded {n} frames, expected {len(outputs)} (did the file change?)")


def stream_info(path) -> dict:
    """Frame count, fps and whether an audio stream is present (for checks and tests)."""
    meta = read_meta(path)
    n, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    return {"frames": n, "fps": meta["fps"], "size": tuple(meta["size"]), "has_audio": bool(meta.get("audio_codec"))}


def publish(staging: Path, outputs: list) -> None:
    """Make a chunk's frame targets: hard links to the staged frames (no extra disk)."""
    for out in map(Path, outputs):
        src = Path(staging) / out.name
        if not is_intact(src):
            raise PaintflowError(
                f"staged frame {src} is missing or damaged; decode again with `snakemake --forcerun extract_<video>`"
            )
        link_into(src, out)


def read_frame(path, info: dict, t: int) -> np.ndarray:
    """Frame ``t`` (1-based) exactly as extraction makes it (same trim, resampling and scaling)."""
    from .parts import source_frame

    size, req = (info["width"], info["height"]), info["request"]
    n = source_frame(info, int(t)) - 1
    chain = frame_filter(*size, req["fps"], req["start"], req["duration"]) + f",select=eq(n\\,{n})"
    cmd = [
        ffmpeg(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        *input_args(path, req["fps"]),
        "-map",
        "0:v:0",
        "-vf",
        chain,
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]
    proc = subprocess.run(cmd, capture_output=True)
    expected = size[0] * size[1] * 3
    if proc.returncode != 0 or len(proc.stdout) < expected:
        raise PaintflowError(f"{path}: could not decode frame {t} ({proc.stderr.decode(errors='replace')[-300:]})")
    return np.frombuffer(proc.stdout[:expected], np.uint8).reshape(size[1], size[0], 3).copy()


def decoded_alpha(path, info: dict, frames: list[int]) -> dict:
    """{t: the alpha channel of frame t (uint8)} of a source with alpha (ProRes 4444, a PNG sequence),
    decoded with the extraction's own trim, rate and scaling, so it lines up with the frames."""
    if not frames:
        return {}
    from .parts import source_frame

    if info.get("part"):  # a part: those frames of its video, in one decode of the video's
        of = {t: source_frame(info, t) for t in frames}
        alphas = decoded_alpha(path, {**info, "part": None}, sorted(set(of.values())))
        return {t: alphas[of[t]] for t in frames}
    size, req = (info["width"], info["height"]), info["request"]
    first, last = min(frames), max(frames)
    chain = frame_filter(*size, req["fps"], req["start"], req["duration"], colour="gbrap")
    chain += f",select=between(n\\,{first - 1}\\,{last - 1}),format=rgba,alphaextract,format=gray"
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", *input_args(path, req["fps"]), "-map", "0:v:0"]
    cmd += ["-vf", chain, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-"]
    proc = subprocess.run(cmd, capture_output=True)
    plane = size[0] * size[1]
    if proc.returncode != 0 or len(proc.stdout) < plane * (last - first + 1):
        raise PaintflowError(f"{path}: could not decode the alpha of frames {first}-{last} "
                             f"({proc.stderr.decode(errors='replace')[-300:]})")  # fmt: skip
    planes = np.frombuffer(proc.stdout, np.uint8)[: plane * (last - first + 1)].reshape(-1, size[1], size[0])
    return {t: planes[t - first].copy() for t in frames}


def audio_duration(path) -> float:
    """Seconds of a sound (or any media) file's audio, decoded; a clear error when it has none."""
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    times = re.findall(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)", proc.stderr)
    if proc.returncode != 0 or not times:
        raise PaintflowError(f"{path}: no readable audio stream")
    h, m, s = times[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)
