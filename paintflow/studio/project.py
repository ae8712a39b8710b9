"""The studio's project: uploaded media, render folders (each a config.yaml and its results), what each
render has done (from its files), and the queue (one render per GPU slot at a time)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.utils import timezone

from .. import AwaitingInput, PaintflowError
from ..config import REPO
from ..registry import stage
from . import runner
from .models import Render

SLOTS = int(os.environ.get("PAINTFLOW_STUDIO_SLOTS", "1"))  # renders at once: one per GPU, as the workstation


def media_dir(kind: str) -> Path:
    return settings.PROJECT / "media" / kind


def videos() -> list[Path]:
    return sorted(p for p in media_dir("videos").glob("*") if p.is_file() and not p.name.startswith("."))


SAMPLE = "sample/"  # a form's value for one of the project's own sample videos (in SAMPLES)
SAMPLES = REPO / "resources" / "video"  # the sample clips paintflow comes with (filled by its set-up)


def sample_videos() -> list[Path]:
    """The sample clips paintflow comes with: a first try needs no video of one's own."""
    return (
        sorted(p for p in SAMPLES.glob("*") if p.is_file() and not p.name.startswith(".")) if SAMPLES.is_dir() else []
    )


def chosen_video(value: str) -> Path:
    """The video a form's choice names: an uploaded one in media/videos, or a sample (``sample/<name>``)."""
    from .media import inside

    if value.startswith(SAMPLE):
        return inside(SAMPLES, value[len(SAMPLE) :])
    return inside(media_dir("videos"), value)


def paintings() -> list[Path]:
    """The gallery: the bundled paintings (resources/style) and the uploaded ones."""
    found = list((REPO / "resources" / "style").glob("*")) + list(media_dir("styles").glob("*"))
    return sorted((p for p in found if p.is_file() and not p.name.startswith(".")), key=lambda p: p.name)


def render_dir(name: str) -> Path:
    return settings.PROJECT / "renders" / name


PAINTINGS = "paintings"  # a render's own folder of the paintings a look learns from, beside its config


def write_config(name: str, config: dict, paintings=(), hand: str | None = None) -> Path:
    """Validate (the schema) and write a studio render's config; returns its work folder. ``paintings``:
    copied into the render's paintings/ folder (a look that learns from a folder of them: the render owns its
    copies, so nothing another render uses goes with it, and its folder is complete); ``hand``: a folder the
    render's look takes a person's pictures from (Look.hand), made empty in the render's folder."""
    from ..config import prepare

    prepare(config)  # the same checks as the workflow's
    folder = render_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    if hand:
        (folder / hand).mkdir(exist_ok=True)
    for painting in paintings:
        (folder / PAINTINGS).mkdir(exist_ok=True)
        target, n = folder / PAINTINGS / Path(painting).name, 1
        while target.exists():  # a bundled and an uploaded painting of one name
            target, n = target.with_name(f"{Path(painting).stem}_{n}{Path(painting).suffix}"), n + 1
        shutil.copy2(painting, target)
    (folder / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder


def check_folder(render: Render, alone: bool = True) -> None:
    """A render's folder is one folder right under renders/ — never the project itself, anything outside it,
    or a folder another entry already has (removing one would delete the other's render)."""
    folder, renders = Path(render.workdir).resolve(), (settings.PROJECT / "renders").resolve()
    if folder.parent != renders:
        raise PaintflowError(
            f"a render's config lives in its own folder under renders/ (renders/<name>/config.yaml), not in {folder}"
        )
    if not alone:
        return
    other = next((r for r in Render.objects.exclude(pk=render.pk) if Path(r.workdir).resolve() == folder), None)
    if other is not None:
        raise PaintflowError(f"this folder is the render {other.name!r} already: open that one")


def check_results(render: Render, dag) -> None:
    """Everything a render writes stays inside its folder."""
    results, folder = Path(dag.results).resolve(), Path(render.workdir).resolve()
    if folder not in results.parents and results != folder:
        raise PaintflowError(
            f"results: {dag.results} is outside the render's folder; keep it inside (results: results)"
        )


def load(render: Render):
    """(config, dag) of a render's folder, or raise PaintflowError saying what is wrong."""
    from ..cost import load as load_dag

    return load_dag(Path(render.workdir), Path(render.workdir) / "config.yaml")


def look_of(dag, name: str, render: Render) -> dict:
    """How a render is painted, for its page: its look, the paintings it uses (a thumbnail each: the
    gallery's, or the file in the render's folder) and the settings it changes."""
    from urllib.parse import quote

    from ..config import look_settings
    from ..files import IMAGE_ENDINGS

    r, look = dag.renders[name], dag.look(name)
    values = {**r.settings, **r.derived}
    files = [s["path"] for s in r.styles]
    for value in values.values():  # a painting given as a setting (a fast style, music's anchors, …)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.lower().endswith(IMAGE_ENDINGS) and v not in files:
                files.append(v)
    base = look_settings({}, {}, *look.base, look.section)  # the schema's defaults alone
    said = {where.split(".")[-1] for where in (look.painting, look.paintings) if where}  # shown as pictures
    changed = {
        k: v for k, v in r.settings.items() if k not in ("device", *said) and v != base.get(k, v) and v not in files
    }
    gallery = {str(p.resolve()): str(p) for p in paintings()}
    folder = Path(render.workdir).resolve()

    def thumb(path: str) -> str | None:
        where = Path(path).resolve()
        if str(where) in gallery:
            return "/frame/?painting=" + quote(gallery[str(where)], safe="")
        if folder in where.parents:
            return f"/render/{render.name}/file/{quote(rel(render, path))}"
        return None

    return {
        "render": name,
        "look": look.name,
        "description": look.description,
        "paintings": [{"name": Path(f).name, "thumb": thumb(f)} for f in files],
        "settings": sorted(changed.items()),
        "smooth": r.smooth["method"] if r.smooth["method"] != "none" else None,
        "keyed": r.key is not None,
    }


def describe(render: Render, page: bool = False) -> dict:
    """Everything a page shows about a render, from its files (``page``: also what only its page shows, not
    its live status: a timeline's shots and their pictures)."""
    from ..progress import render_progress

    info = {
        "render": render,
        "name": render.name,
        "error": None,
        "rows": [],
        "video": None,
        "thumbs": [],
        "queued": render.queued is not None,
    }
    info["hand"] = hand_of(render)
    info["hand_writing"] = bool(info["hand"] and info["hand"]["writing"])
    try:
        config, dag = load(render)
        check_results(render, dag)
    except AwaitingInput as err:  # the keyframe look before its frames are painted: a step, not a fault
        info.update(
            state="waiting", waiting=str(err).removeprefix("config: "), percent=0, frames_done=0, frames_total=0
        )
        return info
    except PaintflowError as err:
        info.update(state="broken", error=str(err), percent=0)
        return info
    rows = render_progress(dag)
    info["rows"] = rows
    info["looks"] = [look_of(dag, name, render) for name in dag.renders]
    info["can_preview"] = any(dag.look(name).preview for name in dag.renders)  # a layer sheet: the sheet is it
    finished = all(Path(p).exists() for p in dag.all_outputs())
    info["state"] = runner.state(render.workdir, finished)
    if info["queued"] and info["state"] in ("new", "stopped", "failed"):
        info["state"] = "queued"
    done = sum(r["done"] for r in rows)
    total = sum(r["total"] for r in rows) or 1
    info["frames_done"], info["frames_total"] = done, total
    info["frames_kept"] = sum(r.get("kept", 0) for r in rows)  # in the frame store: back on Resume
    # frames a stopped run's chunk finished are kept (Snakemake removed them from the folder): still done
    info["percent"] = 100 if info["state"] == "done" else min(99, int(100 * (done + info["frames_kept"]) / total))
    many = len(rows) > 1  # a timeline's parts: each line says whose
    info["stage_lines"] = [
        (f"{row['render']}: " if many else "")
        + " · ".join(f"{s['label']}: {s['done']}/{s['total']}" for s in row["stages"])
        for row in rows
    ]
    jobs = [job for r in rows for job in r["jobs"]]
    training = next((job for job in jobs if job["step"] < job["total"]), None)
    info["training"] = {**training, "points": chart_points(training["curve"], training["total"])} if training else None
    info["charts"] = [rel(render, job["chart"]) for job in jobs if job.get("chart") and Path(job["chart"]).is_file()]
    info["rate"] = next((r["frames_per_hour"] for r in rows if r["frames_per_hour"]), None)
    info["eta_s"] = next((r["eta_s"] for r in rows if r["eta_s"]), None)
    for name in dag.renders:
        if dag.look(name).sheet:
            if Path(dag.sheet_path(name)).exists():
                info["thumbs"].append(rel(render, dag.sheet_path(name)))
            continue
        video = Path(dag.render_video(name))
        if video.exists():
            info["video"] = rel(render, video)
        info.setdefault("deliveries", []).extend(
            delivered(render, d.path, f"{d.layer} · {d.format}")
            for d in dag.deliveries(name)
            if not d.main and Path(d.path).exists()
        )
        final_stage = dag.final_stage(name)
        final = Path(dag.results) / "renders" / name / stage(final_stage).folder
        count = dag.renders[name].frames  # not a former length's frames past its end (a part that lost a shot)
        made = [p for p in final.glob("[0-9]*.png") if int(p.stem) <= count] if final.is_dir() else []
        if len(made) < 4:  # a stopped run: its last chunk's frames are in the frame store
            from ..store import held_files

            made += [
                p for p in held_files(dag.results, final_stage, name, dag.key(final_stage, name)) if p.suffix == ".png"
            ]
        latest = sorted(made, key=lambda p: p.stat().st_mtime)[-4:]
        info["thumbs"] += [rel(render, p) for p in latest]
    if render.name in dag.timelines:  # a timeline: its master is the result, its shots are given looks
        from . import timelines

        master, *others = dag.timeline_deliveries(render.name)
        info["video"] = rel(render, master.path) if Path(master.path).exists() else None
        info.setdefault("deliveries", []).extend(
            delivered(render, d.path, f"the master · {d.layer} · {d.format}") for d in others if Path(d.path).exists()
        )
        info["deliveries"] += [
            delivered(render, f, "for the editor") for f in dag.editor_files(render.name) if Path(f).is_file()
        ]
        info["timeline"] = timelines.card(render, dag) if page else None
    info["doing"] = runner.doing(render.workdir) if info["state"] == "running" else None
    if info["state"] == "failed":
        info["failure"] = runner.failure(render.workdir)
    plan = Path(render.workdir) / ".studio" / "plan.txt"
    info["plan"] = plan.read_text() if plan.exists() else None
    info["planning"] = (Path(render.workdir) / ".studio" / "plan.running").exists()
    report = Path(render.workdir) / ".studio" / "report.html"
    info["report"] = rel(render, report) if report.exists() else None
    # the latest preview made (file names sort frame 10 before frame 3)
    preview = sorted((Path(render.workdir) / ".studio" / "previews").glob("*.png"), key=lambda p: p.stat().st_mtime)
    info["preview"] = rel(render, preview[-1]) if preview else None
    info["previewing"] = (Path(render.workdir) / ".studio" / "preview.running").exists()
    said = Path(render.workdir) / ".studio" / "preview.txt"
    said = said.read_text() if said.exists() else ""
    info["preview_failed"] = said.removeprefix("failed: ") if said.startswith("failed: ") else None
    return info


def delivered(render: Render, path, what: str) -> dict:
    """A delivery made, as its page lists it: its name, what it is, its size, its file (None: a folder)."""
    from ..delivery import size_text

    return {"name": Path(path).name, "what": what, "size": size_text(path),
            "file": rel(render, path) if Path(path).is_file() else None, "folder": Path(path).is_dir()}  # fmt: skip


TO_PAINT = "to_paint"  # .studio/<it>: the frames a look with a hand asks a person to paint (its command's)


def hand_of(render: Render) -> dict | None:
    """What a person makes for a render whose look takes it (Look.hand: the keyframe look's painted
    frames), from its config alone (it may not plan yet): the folder inside the render's (None if its look
    has no hand, or its folder is elsewhere), the pictures in it by frame, the frames to paint written so far
    and their contact sheet, and whether they are being written now."""
    from ..paths import frame_of
    from ..registry import LOOKS

    try:
        config = yaml.safe_load((Path(render.workdir) / "config.yaml").read_text()) or {}
        r = config["renders"][render.name]
        look = LOOKS[r.get("look", "paint")]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return None
    if not look.hand or not isinstance((r.get(look.section) or {}).get(look.hand), str):
        return None
    from .media import inside

    try:
        folder = inside(Path(render.workdir), r[look.section][look.hand])
    except PaintflowError:
        return None
    studio = runner.folder(render.workdir)
    to_paint = sorted((studio / TO_PAINT).glob("[0-9]*.png"))
    sheet = studio / TO_PAINT / "sheet.jpg"
    painted = sorted(p for p in folder.glob("*.*") if p.is_file() and p.stem.isdigit()) if folder.is_dir() else []
    said = studio / f"{TO_PAINT}.txt"
    said = said.read_text() if said.exists() else ""
    return {
        "folder": str(folder),
        "setting": f"renders.{render.name}.{look.section}.{look.hand}",
        "command": look.command.name if look.command else None,
        "painted": [{"frame": frame_of(p), "name": p.name, "file": rel(render, p)} for p in painted],
        "to_paint": [{"name": p.name, "file": rel(render, p)} for p in to_paint],
        "sheet": rel(render, sheet) if sheet.is_file() else None,
        "writing": (studio / f"{TO_PAINT}.running").exists(),
        "failed": said.removeprefix("failed: ") if said.startswith("failed: ") else None,
    }


def write_to_paint(render: Render) -> None:
    """Write the frames worth painting of a render whose look has a hand, in the background (the look's
    command into .studio/to_paint; the page shows them with their contact sheet when done)."""
    hand = hand_of(render)
    if not hand or not hand["command"]:
        raise PaintflowError(f"the look of {render.name} takes no painted frames")
    if hand["writing"]:
        raise PaintflowError("the frames worth painting are being chosen already")
    out = runner.folder(render.workdir) / TO_PAINT
    shutil.rmtree(out, ignore_errors=True)
    command = [hand["command"], render.name, "--directory", render.workdir, "--out", str(out)]
    background(command, render.workdir, f"{TO_PAINT}.running", f"{TO_PAINT}.txt")


def to_paint_zip(render: Render) -> Path:
    """The frames to paint in one zip (made again when they were written after it)."""
    import zipfile

    hand = hand_of(render)
    if not hand or not hand["to_paint"]:
        raise PaintflowError("no frames to paint yet")
    files = [Path(render.workdir) / f["file"] for f in hand["to_paint"]]
    out = runner.folder(render.workdir) / f"{render.name}_{TO_PAINT}.zip"
    if not out.is_file() or out.stat().st_mtime < max(p.stat().st_mtime for p in files):
        part = out.with_suffix(".zip.part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as z:  # PNGs: compressed already
            for p in files:
                z.write(p, p.name)
        part.replace(out)
    return out


def take_painted(render: Render, uploads, limit: int) -> str:
    """Put a person's painted pictures into the render's hand folder (a picture of the same name replaces
    the one there) and check the render with them; if the look refuses one (its name, its shape, not an
    image), nothing of this upload stays and what was replaced comes back. Returns what it did, in words."""
    import tempfile

    from . import media

    hand = hand_of(render)
    if not hand:
        raise PaintflowError(f"the look of {render.name} takes no painted frames")
    if not uploads:
        raise PaintflowError("choose the painted pictures to upload")
    folder = Path(hand["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".upload-", dir=folder.parent))
    placed, replaced = [], []
    try:
        saved = [media.save_upload(u, staged, "image", limit) for u in uploads]
        (staged / "replaced").mkdir()
        for p in saved:
            target = folder / p.name
            if target.exists():
                target.replace(staged / "replaced" / p.name)
                replaced.append(p.name)
            p.replace(target)
            placed.append(target)
        try:
            load(render)
        except AwaitingInput as err:
            return f"{len(placed)} painted frames taken; still to do: {str(err).removeprefix('config: ')}"
        except PaintflowError:
            for target in placed:
                target.unlink(missing_ok=True)
            for name in replaced:
                (staged / "replaced" / name).replace(folder / name)
            raise
        return f"{len(placed)} painted frames taken: every shot has one, the render can start"
    finally:
        shutil.rmtree(staged, ignore_errors=True)


CHART = (480, 120)  # the page's live chart of a training's loss, in pixels


def chart_points(curve: list, total: int) -> str:
    """An SVG polyline's points: the curve's steps across the chart (the whole training), its values from
    the highest (top) to the lowest (bottom)."""
    if not curve:
        return ""
    (w, h), low, high = CHART, min(v for _, v in curve), max(v for _, v in curve)
    span = (high - low) or 1.0
    return " ".join(f"{w * step / max(total, 1):.1f},{4 + (h - 8) * (high - v) / span:.1f}" for step, v in curve)


def rel(render: Render, path) -> str:
    return str(Path(path).resolve().relative_to(Path(render.workdir).resolve()))


def queue(render: Render) -> int:
    """Queue a render and start what may start; returns how many renders are before it (0: it started)."""
    render.queued = timezone.now()
    render.save(update_fields=["queued"])
    if render.name in schedule():
        return 0
    return max(Render.objects.filter(queued__lt=render.queued).count(), 1)


def schedule() -> list[str]:
    """Start the oldest queued renders while fewer than SLOTS run; returns what was started."""
    started = []
    running = sum(1 for r in Render.objects.all() if runner.is_running(r.workdir))
    for render in Render.objects.filter(queued__isnull=False).order_by("queued"):
        if running >= SLOTS:
            break
        if runner.is_running(render.workdir):
            render.queued = None
            render.save(update_fields=["queued"])
            continue
        runner.start(render.workdir)
        render.queued = None
        render.save(update_fields=["queued"])
        running += 1
        started.append(render.name)
    return started


def background(command: list[str], workdir, marker: str, output: str) -> None:
    """Run a paintflow command for a render in the background, writing its output to .studio/<output>."""
    import subprocess
    import sys

    studio = runner.folder(workdir)
    (studio / marker).write_text(str(time.time()))

    def work():
        proc = subprocess.run([sys.executable, "-m", "paintflow", *command], capture_output=True, text=True)
        said = proc.stdout if proc.returncode == 0 else "failed: " + proc.stderr.strip().removeprefix("paintflow: ")
        (studio / output).write_text(said)
        (studio / marker).unlink(missing_ok=True)

    threading.Thread(target=work, daemon=True).start()


def discard(name: str) -> None:
    """Undo a new render or timeline that failed its checks: its entry and the folder made for it."""
    Render.objects.filter(name=name).delete()
    shutil.rmtree(render_dir(name), ignore_errors=True)


def remove(render: Render) -> None:
    if runner.is_running(render.workdir):
        raise PaintflowError("stop the render before removing it")
    folder = Path(render.workdir).resolve()
    shared = any(Path(r.workdir).resolve() == folder for r in Render.objects.exclude(pk=render.pk))
    if folder.parent == (settings.PROJECT / "renders").resolve() and not shared:  # only what it alone owns
        shutil.rmtree(folder, ignore_errors=True)
    render.delete()
