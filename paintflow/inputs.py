"""The inputs a config names — videos (probed: frame count known before the run), style images,
renders — checked before any job starts, with the key or file named in every error."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from . import PaintflowError, parts
from .config import look_settings
from .files import read_rgb, write_json
from .registry import LOOKS


@dataclass
class Video:
    name: str
    path: Path
    info: dict  # probe result: frames, fps, width, height, has_audio, request
    source_id: str  # content id of the file (size + sampled hash)
    counts: list = field(default_factory=list)  # frame counts of earlier requests (chunk boundaries)
    shots: object = None  # paintflow.shots.Shots: where its shots start (every temporal look restarts)
    media: dict = field(default_factory=dict)  # stream metadata (paintflow.media.describe): rate, timecode, colour
    settings: dict = field(default_factory=dict)  # its config (videos.<name>; a part: its whole video's)

    @property
    def part(self) -> dict | None:
        """A part of a video (paintflow.parts): {"of": the video, "frames": [[first, last], …] of it}."""
        return self.info.get("part")

    @property
    def frames(self) -> int:
        return self.info["frames"]

    @property
    def file(self) -> Path:
        """What is on disk: the video file, or an image sequence's folder (a rule's input)."""
        return self.path.parent if "%" in self.path.name else self.path


@dataclass
class Render:
    name: str
    look: str
    video: str | None
    settings: dict  # the look's settings: schema defaults ← global section ← the render's overrides
    style: Path | None = None
    styles: list = field(default_factory=list)  # the painted look's styles: [{path, weight, scale}]
    smooth: dict = field(default_factory=lambda: {"method": "none", "alpha": 0.5})
    fast_weights: list | None = None  # the fast look's built-in style blend (26 weights)
    key: dict | None = None  # keyed: what is stylized, and the background
    frames: int = 0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    delivery: dict = field(default_factory=dict)  # encode settings, exact rate, start timecode, colour tags
    derived: dict = field(default_factory=dict)  # what its look's check found (e.g. the paintings' files)
    part: dict | None = None  # a still's look over a part of a video (a zoom): {"of": video, "frames": [[a, b]]}
    sheet: dict = field(default_factory=dict)  # what its jobs are handed beyond its settings (RenderDag.job_sheet)


def save_render(r: Render, path: Path) -> None:
    """A render as the workflow checked it (settings, what its look's check found, size, rate), for its
    jobs: written once when the workflow is parsed, read by each job (:func:`load_render`) instead of
    checking the whole config again."""
    from dataclasses import asdict

    data = json.loads(json.dumps(asdict(r), default=str))
    if not path.is_file() or json.loads(path.read_text()) != data:
        write_json(path, data)


def load_render(path: Path) -> Render:
    data = json.loads(Path(path).read_text())
    return Render(**{**data, "style": Path(data["style"]) if data["style"] else None})


FRAME_KEYS = ("width", "height", "fps", "start")  # what decides frame t's pixels (not duration)


def cached_probe(video_cfg: dict, path: Path, source_id: str, cache: Path) -> tuple[dict, list]:
    """Probe a video once per (content, request); remember the frame counts of earlier durations.

    Every Snakemake invocation (and every cluster job) parses the workflow, and probing decodes
    the whole video, so the result is cached in ``probe.json`` by content id — a video moved to
    a new path is not probed again.
    """
    from .video import probe

    request = {k: video_cfg.get(k) for k in (*FRAME_KEYS, "duration")}
    key = {"source": source_id, "request": request}
    frames_key = {"source": source_id, **{k: request[k] for k in FRAME_KEYS}}
    stored = {}
    if cache.is_file():
        try:
            stored = json.loads(cache.read_text())
        except ValueError:
            stored = {}
    counts = stored.get("counts", []) if stored.get("frames_key") == frames_key else []
    if stored.get("key") == key:
        return stored["info"], counts
    info = probe(
        path,
        video_cfg.get("width"),
        video_cfg.get("height"),
        video_cfg.get("fps"),
        video_cfg.get("start") or 0.0,
        video_cfg.get("duration"),
    )
    if stored.get("frames_key") == frames_key and stored.get("info"):
        counts = sorted({*counts, stored["info"]["frames"]})
    write_json(cache, {"key": key, "frames_key": frames_key, "info": info, "counts": counts})
    return info, counts


def cached_media(path: Path, source_id: str, cache: Path) -> dict:
    """The video's stream metadata (paintflow.media.describe), kept by content id: the jobs rebuild the
    workflow's model in their own environments, which need not have PyAV."""
    try:
        stored = json.loads(cache.read_text())
        if stored.get("source") == source_id:
            return stored["media"]
    except (OSError, ValueError, KeyError):
        pass
    from .media import describe

    media = describe(path)
    write_json(cache, {"source": source_id, "media": media})
    return media


def check_image(path: Path, where: str, what: str = "style image") -> None:
    if not path.is_file():
        raise PaintflowError(f"{where}: {what} not found: {path}")
    try:
        read_rgb(path)
    except PaintflowError as err:
        raise PaintflowError(f"{where}: {err}") from err


def check_layers(layers, config: dict, where: str, size: tuple[int, int] | None = None) -> None:
    """Layer names the configured network has (VGG-16 by default; a torchvision vgg19 file: VGG-19), and a
    picture of ``size`` (width, height) big enough for each to see it."""
    from .vgg_layers import layer_names, smallest_side

    weights = str(config["model"]["weights"])
    depth = 19 if "vgg19" in Path(weights).name else 16
    known = layer_names(depth)
    for name in layers:
        if name not in known:
            raise PaintflowError(f"{where}: unknown layer {name!r} for VGG-{depth}; choose one of: {', '.join(known)}")
    least = smallest_side(layers)
    if size and min(size) < least:
        deep = [name for name in layers if smallest_side([name]) == least]
        raise PaintflowError(
            f"{where}: {', '.join(deep)} needs a picture of at least {least} pixels on each side, and this one is "
            f"{size[0]}×{size[1]}: make it larger (width) or choose shallower layers"
        )


def still_image(cfg: dict, width: int, height: int, video: dict | None = None):
    """The still a look starts from (zoom, layer sheet, music without a video): an image file (cover-cropped
    to the size) or frame ``cfg["frame"]`` of a configured video (``video``: {"path", "info"}, at its
    processing size)."""
    if video is not None:
        from .video import read_frame

        return read_frame(video["path"], video["info"], cfg["frame"])
    from .resize import cover

    return cover(read_rgb(cfg["image"]), width, height)


def still_geometry(render: Render, videos: dict, where: str) -> None:
    """Size, frame rate and length of a render that starts from a still (zoom, layer sheet)."""
    s = render.settings
    if s.get("video"):
        if s["video"] not in videos:
            raise PaintflowError(f"{where}.video: unknown video {s['video']!r} (known: {', '.join(videos) or 'none'})")
        v = videos[s["video"]]
        if s["frame"] > v.frames:
            raise PaintflowError(f"{where}.frame: {s['frame']} is past the end of {s['video']} ({v.frames} frames)")
        render.width, render.height = v.info["width"], v.info["height"]
    elif s.get("image"):
        check_image(Path(s["image"]), f"{where}.image", "image")
        h, w = read_rgb(Path(s["image"])).shape[:2]
        render.width = s["width"]
        from .video import output_size

        render.height = s["height"] or output_size((w, h), s["width"], None)[1]
    else:
        raise PaintflowError(f"{where}: give the still to start from: image: <file>, or video: <name> and frame: <n>")
    if "fps" not in s:  # a layer sheet: one picture
        render.frames, render.fps = 1, 1.0
        return
    render.fps = float(s["fps"])
    seconds = s["seconds"]
    if s.get("audio"):
        audio = Path(s["audio"])
        if not audio.is_file():
            raise PaintflowError(f"{where}.audio: audio file not found: {audio}")
        if not s["frames"] and not seconds:
            from .video import audio_duration

            seconds = audio_duration(audio)
    try:
        render.frames = zoom_frames(seconds, s["frames"], render.fps)
    except PaintflowError as err:  # said at the length's key (the studio puts it next to the frames field)
        raise PaintflowError(f"{where}.frames: {err}") from err


def build(config: dict, results: Path, source_ids) -> tuple[dict, dict]:
    """Check the inputs named by ``config`` and return ({video: Video}, {render: Render})."""
    videos = {}
    for name, vcfg in config["videos"].items():
        path = Path(vcfg["path"])
        if not path.is_file():  # else an image sequence: a folder, or a %0Nd pattern in one
            from .video import sequence_facts, sequence_pattern

            try:
                if not path.parent.is_dir() or sequence_pattern(path) is None:
                    raise PaintflowError(f"video file not found: {path}")
            except PaintflowError as err:
                raise PaintflowError(f"videos.{name}.path: {err}") from err
            if not vcfg.get("fps") and not sequence_facts(path).get("rate"):
                raise PaintflowError(
                    f"videos.{name}.fps: {path} is an image sequence, which has no frame rate of its own; "
                    "give fps: (e.g. 24, 25, 29.97)"
                )
        try:
            sid = source_ids(path)
            info, counts = cached_probe(vcfg, path, sid, results / "videos" / name / "probe.json")
        except PaintflowError as err:
            raise PaintflowError(f"videos.{name}.path: {err}") from err
        videos[name] = Video(name, path, info, sid, counts, settings=vcfg)
        try:
            videos[name].media = cached_media(path, sid, results / "videos" / name / "media.json")
        except PaintflowError as err:
            raise PaintflowError(f"videos.{name}.path: {err}") from err
        videos[name].shots = video_shots(name, vcfg, videos[name], config, results, source_ids)

    renders = {}
    for name, rcfg in config["renders"].items():
        look = LOOKS[rcfg["look"]]
        settings = look_settings(config, rcfg, *look.base, look.section)
        video = rcfg.get("video") if look.video_source else None
        if video in videos and parts.wanted(rcfg):
            video = part_video(videos, video, rcfg, f"renders.{name}")
        r = Render(name, look.name, video, settings, smooth=rcfg["smooth"], key=rcfg.get("key"))
        if look.video_source is True or video:
            if video not in videos:
                known = ", ".join(videos) or "none configured"
                raise PaintflowError(f"renders.{name}.video: unknown video {video!r} (known: {known})")
            v = videos[video].info
            r.frames, r.fps, r.width, r.height = v["frames"], v["fps"], v["width"], v["height"]
        elif look.video_source is False:
            if parts.wanted(rcfg):
                r.part = parts.still_part(r, rcfg.get(look.section, {}), rcfg, videos, f"renders.{name}")
            still_geometry(r, videos, f"renders.{name}.{look.section}")
        renders[name] = r
    for name, r in renders.items():  # once every render exists: a look may use another render
        look = LOOKS[r.look]
        if look.check:
            r.derived = (
                look.check(r, config["renders"][name], videos, renders, f"renders.{name}.{look.section}", config) or {}
            )
    for name, r in renders.items():
        if r.key is not None:
            check_key(name, r, config, videos, renders)
    for name, v in videos.items():
        if v.settings.get("matte") and not v.part:
            check_matte(name, v.settings["matte"], v)
    for name, r in renders.items():
        r.delivery = delivery_facts(name, r, config, videos)
    return videos, renders


def part_video(videos: dict, video: str, rcfg: dict, where: str) -> str:
    """The part of ``video`` a render takes (added to ``videos`` once, shared by the renders of that part)."""
    frames = parts.frames_of(rcfg, videos[video], where)
    if frames == [range(1, videos[video].frames + 1)]:
        return video
    name = parts.name_of(video, frames)
    if name not in videos:
        videos[name] = parts.video_of(videos[video], frames)
    return name


def delivery_facts(name: str, r: Render, config: dict, videos: dict) -> dict:
    """What every delivery of a render carries: its encode settings (checked against its formats), the exact
    frame rate (the source's own fraction unless resampled), the start timecode and the colour tags."""
    from .delivery import check

    settings = look_settings(config, config["renders"][name], "encode")
    scale = config["upscale"]["scale"] if not LOOKS[r.look].sheet else 1
    check(settings["formats"], settings["layers"], r.key is not None, (r.width * scale, r.height * scale),
          f"renders.{name}.encode" if config["renders"][name].get("encode") else "encode")  # fmt: skip
    return {"settings": settings, **timing(videos[r.video] if r.video else None, r.fps, settings["timecode"])}


def timing(v: Video | None, fps: float, timecode: str | None) -> dict:
    """The exact frame rate of frames made from video ``v`` at ``fps`` (the source's own fraction unless
    resampled), their start timecode (``timecode``, else the source's moved by the video's start) and the
    source's colour tags."""
    from .media import exact_rate, rate_text, start_timecode

    media = v.media if v else {}
    resampled = v is not None and (v.info["request"]["fps"] or v.info.get("variable_rate"))
    rate = media["rate"] if v is not None and not resampled and media.get("rate") else rate_text(exact_rate(fps))
    if not timecode and media.get("timecode"):
        source = Fraction(media["rate"]) if media.get("rate") else exact_rate(v.info["source_fps"])
        timecode = start_timecode(media["timecode"], source, v.info["start"], Fraction(rate))
    return {"rate": rate, "timecode": timecode, "colour": media.get("colour")}


def video_shots(name: str, vcfg: dict, video: Video, config: dict, results: Path, source_ids):
    """The shots of a video (detected once per content, or from its cut list), recorded in
    ``results/videos/<name>/shots.json`` for the plan, status and report."""
    from .shots import resolve, stderr_log

    shots = resolve(name, vcfg, video.info, video.source_id, config["shots"], source_ids, stderr_log)
    record, data = results / "videos" / name / "shots.json", shots.to_json()
    try:
        same = json.loads(record.read_text()) == data
    except (OSError, ValueError):
        same = False
    if not same:
        try:
            write_json(record, data)
        except PaintflowError:
            pass  # a read-only results folder (paintflow plan on someone else's render)
    return shots


def check_matte(video: str, matte: dict, v: Video) -> None:
    from .key import parse_color

    where = f"videos.{video}.matte"
    parse_color(matte["color"], f"{where}.color")
    if matte["method"] == "alpha" and not v.media.get("alpha"):
        raise PaintflowError(
            f"{where}.method: alpha needs a video with an alpha channel; {v.path} is {v.media.get('pix_fmt')} "
            "(export ProRes 4444 or a PNG sequence with alpha from the editor, or use chroma or person)"
        )
    if matte["method"] == "person":
        from .person import MISSING, available

        if not available():
            raise PaintflowError(f"{where}.method: {MISSING}")


def check_key(name: str, r: Render, config: dict, videos: dict, renders: dict) -> None:
    """A keyed render: a look that paints a video, a video with a matte, one valid background, no cycle."""
    where = f"renders.{name}.key"
    if not r.video or LOOKS[r.look].sheet:
        raise PaintflowError(f"{where}: a keyed render paints a video's frames; the {r.look} look has none")
    if not videos[r.video].settings.get("matte"):
        video = (videos[r.video].part or {}).get("of", r.video)
        raise PaintflowError(
            f"{where}: video {video!r} has no matte; add `matte: {{method: chroma}}` (or person) to videos.{video}"
        )
    bg = {k: v for k, v in r.key["background"].items() if v not in (None, False)}
    if len(bg) != 1:
        raise PaintflowError(f"{where}.background: give exactly one of original: true, render:, image:, video:")
    kind, value = next(iter(bg.items()))
    if kind == "render":
        seen, current = [name], value
        while True:
            if current not in renders:
                raise PaintflowError(
                    f"{where}.background.render: unknown render {current!r} (known: {', '.join(renders)})"
                )
            if LOOKS[renders[current].look].sheet:
                raise PaintflowError(f"{where}.background.render: {current!r} is a layer sheet, not a video")
            if current in seen:
                raise PaintflowError(
                    f"{where}.background.render: renders use each other as background: {' -> '.join([*seen, current])}"
                )
            nxt = renders[current].key["background"].get("render") if renders[current].key else None
            if not nxt:
                break
            seen.append(current)
            current = nxt
    elif kind == "image":
        check_image(Path(value), f"{where}.background.image", "background image")
    elif kind == "video" and value not in videos:
        raise PaintflowError(f"{where}.background.video: unknown video {value!r} (known: {', '.join(videos)})")


def zoom_frames(seconds: float | None, frames: int | None, fps: float) -> int:
    if frames:
        return int(frames)
    if seconds:
        return max(1, int(math.floor(seconds * fps + 1e-9)))
    raise PaintflowError("give frames, seconds, or an audio file to take the duration from")
