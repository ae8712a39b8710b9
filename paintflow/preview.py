"""``paintflow preview``: one frame (or a few) of a configured render, with its look and settings,
in seconds and without the workflow — the first look at a style on one's own footage. ``--sheet``:
every built-in fast style on the chosen frame, as one labelled contact sheet."""

from __future__ import annotations

import time
from pathlib import Path

from . import PaintflowError
from .files import write_pil, write_rgb
from .registry import LOOKS


def look_preview(look: str):
    if not LOOKS[look].preview:
        raise PaintflowError(f"the {look} look has no one-frame preview")
    return LOOKS[look].preview


def keyed(dag, render: str, t: int, rgb, look):
    """A keyed render's frame as its video shows it: its matte (the key colour the workflow found, or this
    frame's borders'; a source's own alpha; a person's mask), the look of what the key keeps, composited
    over the background it goes on."""
    import json

    from .files import read_rgb
    from .key import key_of, keyed_look, matte_of
    from .video import decoded_alpha, read_frame

    r = dag.renders[render]
    matte, v = dag.videos[r.video].settings["matte"], dag.videos[r.video]
    key = None
    if matte["method"] == "chroma":
        found = Path(dag.key_color_path(r.video))
        key = json.loads(found.read_text()) if found.is_file() else key_of(matte, [rgb])
        alpha = matte_of(rgb, matte, key)
    elif matte["method"] == "alpha":
        alpha = decoded_alpha(v.path, v.info, [t])[t].astype("float32") / 255.0
    else:
        import tempfile

        from .files import read_gray, write_rgb
        from .person import segment

        with tempfile.TemporaryDirectory() as tmp:
            write_rgb(f"{tmp}/frame.png", rgb)
            segment([f"{tmp}/frame.png"], [f"{tmp}/mask.png"], matte["landscape"])
            alpha = matte_of(rgb, matte, None, read_gray(f"{tmp}/mask.png").astype("float32") / 255.0)
    bg = r.key["background"]
    under = dag.background_frame(render, t) if bg.get("render") or bg.get("video") else t
    made = Path(dag.path(dag.final_stage(bg["render"]), bg["render"], under)) if bg.get("render") else None
    if bg.get("image"):
        background = read_rgb(bg["image"])
    elif bg.get("video"):
        background = read_frame(dag.videos[bg["video"]].path, dag.videos[bg["video"]].info, under)
    elif made is not None and made.is_file():
        background = read_rgb(made)
    else:  # the original footage (or a background render not made yet)
        background = rgb
    return keyed_look(rgb, alpha, key, float(matte["despill"]), r.key["stylize"], look, background)


def source_frame(dag, render: str, t: int):
    from .video import read_frame

    r = dag.renders[render]
    if r.video is None:  # a look that starts from a still (a zoom): the still is what it paints first
        from .inputs import still_image

        s = r.settings
        return still_image(s, r.width, r.height, r.sheet["still_video"])
    v = dag.videos[r.video]
    if not 1 <= t <= v.frames:
        raise PaintflowError(f"--frame {t}: the render {render} has frames 1 to {v.frames}")
    return read_frame(v.path, v.info, t)


def preview(dag, render: str | None, frames: list[int] | None, out_dir: Path, quick: bool = True) -> list[Path]:
    """Render the chosen frames (default: the middle one) of ``render`` (default: the first) to PNGs."""
    render = render or next(iter(dag.renders))
    if render not in dag.renders:
        raise PaintflowError(f"--render {render}: no such render (configured: {', '.join(dag.renders)})")
    frames = frames or [max(1, (dag.renders[render].frames + 1) // 2)]
    make, written = look_preview(dag.renders[render].look), []
    for t in frames:
        start = time.perf_counter()
        out = Path(out_dir) / f"{render}_frame{t:06d}.png"
        rgb = source_frame(dag, render, t)
        look = lambda frame, t=t: make(dag, render, frame, quick, t)  # noqa: E731
        write_rgb(out, keyed(dag, render, t, rgb, look) if dag.renders[render].key else look(rgb))
        written.append((out, time.perf_counter() - start))
    return written


def style_sheet(dag, render: str | None, t: int | None, out_dir: Path) -> Path:
    from .looks.fast.stylizer import FastSettings, FastStylizer
    from .looks.fast.stylizer import style_sheet as sheet

    render = render or next(iter(dag.renders))
    t = t or max(1, (dag.renders[render].frames + 1) // 2)
    out = Path(out_dir) / f"{render}_styles_frame{t:06d}.png"
    write_pil(out, sheet(source_frame(dag, render, t), FastStylizer(FastSettings(style=0))))
    return out
