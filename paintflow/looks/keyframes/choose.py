"""`paintflow keyframes RENDER`: the frames of a render worth painting by hand — each shot's first frame, and
a frame wherever the shot has shown enough that is new since the last one chosen (the share of pixels the
optical flow cannot carry from the frame before, its disocclusions, added up) — written at the processing
size for an artist to paint over, with a contact sheet."""

from __future__ import annotations

from pathlib import Path

from paintflow import PaintflowError


def chosen(frames, shots: list[range], new_share: float = 0.5):
    """Yields (t, why, rgb) of the frames worth painting: ``frames`` yields (t, rgb) in order; a shot's first
    frame, then each frame where the new content since the last one chosen adds up to ``new_share`` of the
    picture."""
    from paintflow.flow import compute_flow
    from paintflow.masks import consistency_mask

    starts = {s.start for s in shots}
    prev, new = None, 0.0
    for t, rgb in frames:
        if t in starts or prev is None:
            yield t, f"shot {sorted(starts).index(t) + 1 if t in starts else 1} starts", rgb
            prev, new = rgb, 0.0
            continue
        back, fwd = compute_flow(rgb, prev, "dis"), compute_flow(prev, rgb, "dis")
        new += float(1.0 - consistency_mask(back, fwd).mean())
        if new >= new_share:
            yield t, f"{new:.0%} new since the last", rgb
            new = 0.0
        prev = rgb


def probe_dag(config: dict, render: str):
    """The workflow's model of only the render's video (the render taken as a plain look: its keyframes may
    not be painted yet)."""
    from paintflow.config import prepare
    from paintflow.dag import RenderDag

    if render not in config.get("renders", {}):
        raise PaintflowError(f"no render {render!r} in the config (known: {', '.join(config.get('renders', {}))})")
    rcfg = config["renders"][render]
    if not rcfg.get("video"):
        raise PaintflowError(f"renders.{render}: keyframes are painted over a video's frames; it has none")
    probe = {k: v for k, v in rcfg.items() if k in ("video", "shots", "from", "to")} | {"look": "fast"}
    raw = {k: v for k, v in config.items() if k not in ("renders", "timelines")} | {"renders": {render: probe}}
    return RenderDag(prepare(raw))


def video_frames(dag, video: str):
    """(t, rgb) of a video's frames at the processing size (a part: its frames of its whole video)."""
    from paintflow.parts import source_frame
    from paintflow.video import decoded_frames

    v = dag.videos[video]
    part = v.info.get("part")
    wanted = {source_frame(v.info, t): t for t in range(1, v.frames + 1)} if part else None
    info = dag.videos[part["of"]].info if part else v.info
    for n, rgb in enumerate(decoded_frames(v.path, info), 1):
        if wanted is None:
            yield n, rgb
        elif n in wanted:
            yield wanted[n], rgb
            if wanted[n] == v.frames:
                return


def arguments(parser) -> None:
    """``paintflow keyframes``'s own arguments."""
    parser.add_argument("render", help="the render whose frames to paint")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for them (default: <results>/renders/RENDER/to_paint)"
    )
    parser.add_argument(
        "--new", type=float, default=0.5, metavar="SHARE", help="another frame once this share of the picture is new"
    )


def run(args, config: dict) -> None:
    """``paintflow keyframes RENDER``: write the frames and say what to do with them."""
    out, picks = write(config, args.render, args.out, args.new)
    print(f"{len(picks)} frames of {args.render} to paint, in {out} (contact sheet: {out / 'sheet.jpg'}):")
    for t, why in picks:
        print(f"  {t:06d}.png  {why}")
    print(
        "Paint over them (any size of the same shape; a PNG's alpha: where your painting applies), keep their "
        f"names, put them in one folder and set renders.{args.render}.keyframes.keyframes to it."
    )


def write(config: dict, render: str, out: Path | None = None, new_share: float = 0.5) -> tuple[Path, list]:
    """Write the render's frames worth painting (NNNNNN.png, as frames/ names them) and a contact sheet
    (sheet.jpg) into ``out`` (default: <results>/renders/<render>/to_paint). Returns (folder, [(t, why)])."""
    from PIL import Image

    from paintflow.figures import labelled_rows
    from paintflow.files import write_rgb

    dag = probe_dag(config, render)
    r = dag.renders[render]
    out = Path(out or Path(config["results"]) / "renders" / render / "to_paint")
    out.mkdir(parents=True, exist_ok=True)
    picks, rows = [], []
    for t, why, rgb in chosen(video_frames(dag, r.video), dag.videos[r.video].shots.ranges(), new_share):
        write_rgb(out / f"{t:06d}.png", rgb)
        picks.append((t, why))
        rows.append((f"{t:06d}.png\n{why}", [Image.fromarray(rgb).resize((192, max(1, 192 * r.height // r.width)))]))
    labelled_rows(rows).convert("RGB").save(out / "sheet.jpg", quality=90)
    return out, picks
