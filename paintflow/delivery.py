"""Deliveries: a render's frames encoded for the editor, the VJ's player or the archive.

Each format is declared once here (``FORMATS``); a render's deliveries are its formats × its layers
(``composite``, and for a keyed render the ``performer`` over transparency and the ``background``).
Every delivery is encoded by the ffmpeg that ships with imageio-ffmpeg from raw frames on its input, at
the render's exact rate (a fraction), with the source's timecode and colour tags and its sound cut to the
picture's length. Image sequences carry the same facts in ``delivery.json`` and the sound in ``audio.wav``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from . import PaintflowError
from .files import atomic_path, temp_name
from .video import ffmpeg, trim_args

LAYERS = ("composite", "performer", "background")
MAIN = ("composite", "h264")  # the delivery every render has: its own .mp4


@dataclass(frozen=True)
class Format:
    name: str
    for_whom: str
    container: str  # file suffix (".mov"), or the frame suffix of an image sequence ("png")
    codec: str  # ffmpeg encoder
    pix_fmt: str  # what the encoder writes (opaque)
    profile: str = ""  # the profile a decoder reports (HAP: its fourcc; checked by the tests)
    alpha_pix_fmt: str = ""  # what it writes for a layer with alpha ("" = no alpha)
    args: tuple = ()  # encoder options
    audio: str = ""  # audio codec in the container; "" for image sequences (a WAV beside them)
    premultiplied: bool = False  # alpha convention of the format (EXR: associated alpha)
    rgb: bool = False  # an RGB family output: no YUV matrix, full range
    min_size: tuple = (2, 2)
    multiple: int = 2  # width and height must be multiples of this
    quality: str = ""  # the encode setting that is the format's quality knob (crf, hevc_crf)
    bytes_per_pixel: float = 1.0  # per frame, measured on painted 1280x720 frames (bench/delivery_sizes.py)

    @property
    def sequence(self) -> bool:
        return not self.container.startswith(".")

    @property
    def alpha(self) -> bool:
        return bool(self.alpha_pix_fmt)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


MOV_PCM = "pcm_s24le"
register(
    Format(
        "h264",
        "anybody: players, the web, the studio (8-bit 4:2:0)",
        ".mp4",
        "libx264",
        "yuv420p",
        "High",
        args=("-preset", "medium"),
        audio="aac",
        quality="crf",
        bytes_per_pixel=0.36,
    )
)
register(
    Format(
        "hevc10",
        "smaller files, 10-bit: players, phones, YouTube HDR-ready",
        ".mp4",
        "libx265",
        "yuv420p10le",
        "Main 10",
        args=("-preset", "medium", "-tag:v", "hvc1", "-x265-params", "log-level=error"),
        audio="aac",
        quality="hevc_crf",
        bytes_per_pixel=0.25,
    )
)
register(
    Format(
        "prores",
        "editors (Resolve, Premiere, Final Cut): ProRes 422 HQ, 10-bit",
        ".mov",
        "prores_ks",
        "yuv422p10le",
        "HQ",
        args=("-profile:v", "3", "-vendor", "apl0"),
        audio=MOV_PCM,
        bytes_per_pixel=0.52,
    )
)
register(
    Format(
        "prores4444",
        "editors, with alpha: keyed layers (ProRes 4444, 10-bit 4:4:4)",
        ".mov",
        "prores_ks",
        "yuv444p10le",
        "4444",
        alpha_pix_fmt="yuva444p10le",
        args=("-profile:v", "4", "-vendor", "apl0", "-alpha_bits", "16"),
        audio=MOV_PCM,
        bytes_per_pixel=0.78,
    )
)
register(
    Format(
        "dnxhr",
        "Avid and Windows editors: DNxHR HQ, 8-bit 4:2:2",
        ".mov",
        "dnxhd",
        "yuv422p",
        "DNXHR HQ",
        args=("-profile:v", "dnxhr_hq"),
        audio=MOV_PCM,
        min_size=(256, 120),
        bytes_per_pixel=0.44,
    )
)
register(
    Format(
        "dnxhr444",
        "Avid and Windows editors, grading: DNxHR 444, 10-bit",
        ".mov",
        "dnxhd",
        "yuv444p10le",
        "DNXHR 444",
        args=("-profile:v", "dnxhr_444"),
        audio=MOV_PCM,
        min_size=(256, 120),
        bytes_per_pixel=0.88,
    )
)
register(
    Format(
        "hap",
        "VJs (Resolume, TouchDesigner, VDMX): played by the graphics card",
        ".mov",
        "hap",
        "rgb0",
        "Hap1",
        args=("-format", "hap"),
        audio=MOV_PCM,
        rgb=True,
        multiple=4,
        bytes_per_pixel=0.5,
    )
)
register(
    Format(
        "hap_alpha",
        "VJs, with alpha: keyed layers",
        ".mov",
        "hap",
        "rgba",
        "Hap5",
        alpha_pix_fmt="rgba",
        args=("-format", "hap_alpha"),
        audio=MOV_PCM,
        rgb=True,
        multiple=4,
        bytes_per_pixel=0.64,
    )
)
register(
    Format(
        "hap_q",
        "VJs, higher quality (twice hap's size)",
        ".mov",
        "hap",
        "rgb0",
        "HapY",
        args=("-format", "hap_q"),
        audio=MOV_PCM,
        rgb=True,
        multiple=4,
        bytes_per_pixel=1.0,
    )
)
register(
    Format(
        "ffv1",
        "the archive: lossless RGB (the frames exactly), with alpha",
        ".mkv",
        "ffv1",
        "gbrp",
        alpha_pix_fmt="gbrap",
        args=("-level", "3", "-g", "1", "-slicecrc", "1"),
        audio="flac",
        rgb=True,
        bytes_per_pixel=2.37,
    )
)
register(
    Format(
        "png",
        "compositors and any editor: 16-bit PNG sequence (the frames exactly), with alpha",
        "png",
        "png",
        "rgb48be",
        alpha_pix_fmt="rgba64be",
        rgb=True,
        bytes_per_pixel=3.54,
    )
)
register(
    Format(
        "exr",
        "VFX (Nuke, Fusion, After Effects): half-float OpenEXR, scene-linear, premultiplied alpha",
        "exr",
        "exr",
        "gbrpf32le",
        alpha_pix_fmt="gbrapf32le",
        args=("-format", "1", "-compression", "3"),
        premultiplied=True,
        rgb=True,
        bytes_per_pixel=4.82,
    )
)


@dataclass(frozen=True)
class Delivery:
    layer: str
    format: str
    path: str

    @property
    def fmt(self) -> Format:
        return FORMATS[self.format]

    @property
    def main(self) -> bool:
        """The composite in H.264: the render's own .mp4 (always made; the studio and the report play it)."""
        return (self.layer, self.format) == MAIN


def name(render: str, layer: str, fmt: str) -> str:
    """File (or folder) name of a delivery; the composite in H.264 keeps the render's own name."""
    f = FORMATS[fmt]
    stem = render if layer == "composite" else f"{render}_{layer}"
    if (layer, fmt) == MAIN:
        return f"{stem}.mp4"
    return f"{stem}_{fmt}" + (f.container if not f.sequence else "")


def plan(render: str, folder: str, formats: list, layers: list) -> list[Delivery]:
    """The deliveries of a render: every layer in every format that can carry it (alpha layers only in
    formats with alpha); the composite H.264 always (the studio and the report play it)."""
    out = [Delivery(*MAIN, f"{folder}/{name(render, *MAIN)}")]
    for layer in layers:
        for fmt in formats:
            if (layer, fmt) == MAIN or (layer == "performer" and not FORMATS[fmt].alpha):
                continue
            out.append(Delivery(layer, fmt, f"{folder}/{name(render, layer, fmt)}"))
    return out


def check(formats: list, layers: list, keyed: bool, size: tuple[int, int], where: str) -> None:
    """Refuse, before any work, what a format cannot carry: a layer without a key, a performer layer
    without a format with alpha, a picture too small or not a multiple of the format's block."""
    if not keyed and set(layers) - {"composite"}:
        raise PaintflowError(f"{where}.layers: performer and background layers need a keyed render (key:)")
    if "performer" in layers and not any(FORMATS[f].alpha for f in formats):
        alpha = ", ".join(n for n, f in FORMATS.items() if f.alpha)
        raise PaintflowError(f"{where}.layers: the performer layer needs a format with alpha ({alpha})")
    w, h = size
    for f in map(FORMATS.get, formats):
        if w < f.min_size[0] or h < f.min_size[1]:
            raise PaintflowError(
                f"{where}.formats: {f.name} needs at least {f.min_size[0]}x{f.min_size[1]} pixels; "
                f"this render is {w}x{h}"
            )
        if w % f.multiple or h % f.multiple:
            raise PaintflowError(
                f"{where}.formats: {f.name} needs a width and height that are multiples of {f.multiple}; "
                f"this render is {w}x{h} (choose a width or height that gives one)"
            )


def size_of(path) -> int:
    """Bytes of a delivery (a sequence: its folder)."""
    path = Path(path)
    if path.is_dir():
        return sum(f.stat().st_size for f in path.iterdir())
    return path.stat().st_size if path.exists() else 0


def size_text(path) -> str:
    n = size_of(path)
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


# --- encoding --------------------------------------------------------------------------------------
def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """The sRGB / BT.709 display encoding undone (IEC 61966-2-1): what an EXR holds."""
    v = v.astype(np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    v = np.clip(v.astype(np.float64), 0, None)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)


RAW = {"exr": ("gbrpf32le", "gbrapf32le"), "png": ("rgb48le", "rgba64le")}  # what ffmpeg reads; else 8-bit


def raw_pixel_format(fmt: Format, alpha: bool) -> str:
    return RAW.get(fmt.name, ("rgb24", "rgba"))[alpha]


def raw_frame(frame: np.ndarray, fmt: Format, alpha: bool) -> bytes:
    """One frame as the raw bytes ffmpeg reads (in :func:`raw_pixel_format`)."""
    if frame.ndim != 3 or frame.shape[2] != (4 if alpha else 3):
        raise PaintflowError(f"a frame of shape {frame.shape} given to an {'RGBA' if alpha else 'RGB'} encode")
    if fmt.name == "exr":  # planar float, G B R (A), scene-linear; EXR's alpha is premultiplied
        rgb = srgb_to_linear(frame[..., :3] / 255.0)
        planes = [rgb[..., 1], rgb[..., 2], rgb[..., 0]]
        if alpha:
            a = frame[..., 3].astype(np.float32) / 255.0
            planes = [p * a for p in planes] + [a]
        return np.ascontiguousarray(np.stack(planes)).astype("<f4").tobytes()
    if fmt.name == "png":  # 16 bits: v·257 maps 0..255 onto 0..65535 exactly (and back: v16 / 257)
        return (frame.astype("<u2") * 257).tobytes()
    return np.ascontiguousarray(frame).tobytes()


def video_args(fmt: Format, alpha: bool, colour: dict, settings: dict) -> list[str]:
    """Encoder, pixel format, conversion and tags of one format."""
    args = ["-c:v", fmt.codec, *fmt.args]
    if fmt.quality:
        args += ["-crf", str(settings[fmt.quality])]
    args += ["-pix_fmt", fmt.alpha_pix_fmt if alpha else fmt.pix_fmt]
    tags = f"color_primaries={colour['primaries']}:color_trc={'linear' if fmt.name == 'exr' else colour['transfer']}"
    if fmt.rgb:
        return args + ["-vf", f"setparams={tags}:colorspace=gbr:range=pc"]
    # RGB → YUV with the matrix and range the file is tagged with (the source's; ProRes and DNxHR are
    # studio range by their specifications): a player shows the frames' colours
    matrix = colour["matrix"] if colour["matrix"] != "rgb" else "bt709"
    full = colour["range"] == "pc" and fmt.codec in ("libx264", "libx265")
    scale = f"scale=out_color_matrix={matrix}:out_range={'pc' if full else 'tv'}:flags=accurate_rnd+full_chroma_int"
    return args + ["-vf", f"{scale},setparams={tags}:colorspace={matrix}:range={'pc' if full else 'tv'}"]


def audio_input(audio: tuple | None, seconds: float) -> list[str]:
    """The sound's range as input options: cut to the picture's length on input, never by -shortest."""
    if not audio:
        return []
    source, start, available = audio
    length = min(seconds, available) if available else seconds
    return [*trim_args(start, length), "-i", str(source)]


def encode(
    frames: Iterable[np.ndarray],
    count: int,
    size: tuple[int, int],
    output,
    fmt: Format | str,
    rate: Fraction,
    *,
    alpha: bool = False,
    timecode: str | None = None,
    colour: dict | None = None,
    audio: tuple | None = None,
    settings: dict | None = None,
) -> None:
    """Encode ``count`` frames (uint8 H×W×3, or ×4 with ``alpha``) into ``output``, atomically (a file, or a
    folder of numbered frames for a sequence)."""
    from .media import colour_tags, rate_text

    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    colour = colour_tags(colour)
    settings = settings or {"crf": 18, "hevc_crf": 22}
    seconds = count / float(rate)
    w, h = size
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo"]
    cmd += ["-pix_fmt", raw_pixel_format(fmt, alpha), "-s", f"{w}x{h}", "-framerate", rate_text(rate), "-i", "-"]
    output = Path(output)
    if fmt.sequence:
        with atomic_folder(output) as tmp:
            cmd += ["-map", "0:v:0", *video_args(fmt, alpha, colour, settings)]
            _run(cmd + ["-start_number", "1", str(tmp / f"%06d.{fmt.container}")], frames, fmt, alpha, count, output)
            if audio:
                _write_wav(audio, seconds, tmp / "audio.wav")
            sidecar = {"frames": count, "rate": rate_text(rate), "timecode": timecode, "colour": colour}
            sidecar |= {"alpha": ("premultiplied" if fmt.premultiplied else "straight") if alpha else None}
            (tmp / "delivery.json").write_text(json.dumps(sidecar, indent=1) + "\n")
        return
    with atomic_path(output) as tmp:
        cmd += audio_input(audio, seconds)
        cmd += ["-map", "0:v:0", *(["-map", "1:a:0", "-c:a", fmt.audio] if audio else [])]
        cmd += video_args(fmt, alpha, colour, settings)
        if timecode:  # a timecode track in .mov/.mp4; Matroska keeps it as a tag
            cmd += ["-timecode", timecode] if fmt.container != ".mkv" else ["-metadata", f"TIMECODE={timecode}"]
        cmd += ["-f", {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska"}[fmt.container], str(tmp)]
        _run(cmd, frames, fmt, alpha, count, output)


def _run(cmd: list, frames, fmt: Format, alpha: bool, count: int, output) -> None:
    """Feed the frames to ffmpeg's input; its messages go to a file (a full pipe would block both)."""
    n = 0
    with tempfile.TemporaryFile() as messages:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=messages)
        try:
            for frame in frames:
                proc.stdin.write(raw_frame(frame, fmt, alpha))
                n += 1
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait()
        messages.seek(0)
        err = messages.read().decode(errors="replace")
    if code != 0 or n != count:
        raise PaintflowError(f"encoding {output} ({fmt.name}) failed after {n} of {count} frames: {err.strip()[-600:]}")


def _write_wav(audio: tuple, seconds: float, path: Path) -> None:
    cmd = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    cmd += [*audio_input(audio, seconds), "-map", "0:a:0", "-c:a", "pcm_s24le", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise PaintflowError(f"writing the sound {path} from {audio[0]} failed: {proc.stderr[-400:]}")


@contextmanager
def atomic_folder(path: Path):
    """A sequence's folder, written beside its place and renamed onto it when complete: a killed encode
    leaves at most a ``.tmp-`` folder, never a partial sequence."""
    tmp = temp_name(path)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(path, ignore_errors=True)
    tmp.replace(path)
