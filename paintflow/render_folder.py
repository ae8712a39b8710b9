"""``paintflow new``: a render folder for one's own video — a config.yaml with comments, ready to edit and
to run with ``paintflow render``. The render part of a config (which look, where its painting goes) is
also what the studio's form makes (:func:`look_render`)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from . import PaintflowError

FIRST_TRY_SECONDS = 5.0  # a first render of one's own video: a few seconds of it, minutes on a laptop
FIRST_TRY_WIDTH = 320


def put(node: dict, dotted: str, value) -> None:
    """Set ``value`` at a dotted key of a render's config ("fast.style")."""
    *path, last = dotted.split(".")
    for key in path:
        node = node.setdefault(key, {})
    node[last] = value


def look_render(look, video: str) -> dict:
    """A render of ``video`` (a key of videos) in ``look`` (a registry Look), its painting not yet given."""
    r = {"look": look.name}
    if look.video_source is False:  # a look that starts from a still: the video's first frame
        r[look.section] = {"video": video}
    else:
        r["video"] = video
    return r


def key_of(text: str) -> str:
    """A config key (letters, digits, single underscores) from a file name."""
    key = "_".join(re.findall(r"[A-Za-z0-9]+", text))
    return key or "clip"


def default_folder(video: Path, style: Path | None, look_name: str) -> Path:
    """Where ``paintflow new`` puts a render of ``video``: ./<video>_<painting or look>."""
    return Path(key_of(f"{key_of(Path(video).stem)}_{Path(style).stem if style else look_name}"))


def new_folder(
    video: Path,
    style: Path | None = None,
    look_name: str = "paint",
    folder: Path | None = None,
    width: int | None = FIRST_TRY_WIDTH,
    seconds: float | None = FIRST_TRY_SECONDS,
    shots: str | None = None,
) -> Path:
    """Make a render folder (default ``./<video>_<painting or look>``) holding a config.yaml that renders
    ``video`` in ``look_name`` with the painting ``style`` — only its shots ``shots`` ("3", "1-2, 5": the
    quickest try of a look on edited footage; the video then taken whole, its shots found), else its first
    ``seconds``; every setting checked (the video read, the painting opened, the look's own checks, the
    shots there) before the folder is written. Returns the folder."""
    from .config import prepare
    from .dag import RenderDag
    from .registry import LOOKS
    from .video import read_meta

    video = Path(video).resolve()
    if not video.exists():
        raise PaintflowError(f"no such video: {video}")
    if look_name not in LOOKS:
        raise PaintflowError(f"--look: no look {look_name!r} (the looks: {', '.join(sorted(LOOKS))})")
    look = LOOKS[look_name]
    if look.painting_required and style is None:
        raise PaintflowError(
            f"the {look_name} look paints in the manner of a painting: give one with --style PICTURE "
            f"(e.g. --style resources/style/starry_night.jpg)"
        )
    if style is not None and not look.painting:
        raise PaintflowError(f"the {look_name} look takes no painting (--style): leave it out")
    key = key_of(video.stem)
    name = default_folder(video, style, look_name).name
    folder = Path(folder or name)
    if (folder / "config.yaml").exists():
        raise PaintflowError(f"{folder / 'config.yaml'} exists already: render it, or give another --folder")
    meta = read_meta(video)
    v = {"path": str(video), "start": 0}
    if width and meta["size"][0] > width:
        v["width"] = width
    length = meta.get("duration") or 0
    if seconds and not shots and (not length or length > seconds):
        v["duration"] = seconds
    r = look_render(look, key)
    if shots:
        r["shots"] = str(shots)  # the video's shots: found (shots.default: auto), numbered as paintflow shots
    if style is not None:
        put(r, look.painting, str(Path(style).resolve()))
    r.update(look.studio)
    config = {"videos": {key: v}, "renders": {name: r}}
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        RenderDag({**prepare(config), "results": str(folder.resolve() / "results")})
    except Exception:
        if made:  # a folder made here for this render, holding only what its check wrote: gone again
            shutil.rmtree(folder, ignore_errors=True)
        raise
    (folder / "config.yaml").write_text(commented(config, meta, video, folder))
    return folder


def commented(config: dict, meta: dict, video: Path, folder: Path) -> str:
    """The config as YAML, with a word on each key a newcomer changes first and the looks to choose from."""
    from .registry import LOOKS

    (key, v), (name, r) = next(iter(config["videos"].items())), next(iter(config["renders"].items()))
    (w, h), fps, length = meta["size"], meta["fps"], meta.get("duration") or 0
    whole = f"the whole {length:.1f} s" if length else "the whole video"
    keyed = [
        ("path", yaml.safe_dump(v["path"]).splitlines()[0], ""),
        ("width", v.get("width", "null"), f"processing width (null: the video's {w}); time grows with its square"),
        ("fps", "null", f"resample to this rate (null: the video's own {fps:g} fps)"),
        ("start", v["start"], "the first second used"),
        ("duration", v.get("duration", "null"), f"seconds used (null: {whole}); a first try is quicker short"),
    ]
    lines = [
        f"# A paintflow render of {video.name} ({w}x{h}, {fps:g} fps, {length:.1f} s), made by `paintflow new`.",
        f"# Change what you like, then run:   paintflow render {folder}",
        f"# (what it will cost on this machine first: paintflow plan -d {folder};",
        "#  every look and setting: README.md, schemas/config.schema.yaml)",
        "",
        "videos:",
        f"  {key}:",
        *(f"    {f'{k}: {val}':<22}" + (f" # {say}" if say else "") for k, val, say in keyed),
        "",
        "# look: one of",
        *(f"#   {n:<12} {look.description}" for n, look in sorted(LOOKS.items()) if look.description),
        "renders:",
        *("  " + line for line in yaml.safe_dump({name: r}, sort_keys=False).rstrip().splitlines()),
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"
