"""The studio's pages. Every error a user can cause is said in words next to what caused it."""

from __future__ import annotations

import mimetypes
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import AwaitingInput, PaintflowError
from ..registry import LOOKS
from ..render_folder import look_render, put
from . import media, project, runner, timelines
from .forms import NewRenderForm, NewTimelineForm, OpenConfigForm, field_name
from .models import Render


def index(request):
    project.schedule()
    renders = [project.describe(r) for r in Render.objects.all()]
    return render(request, "studio/index.html", {"renders": renders, "network": settings.NETWORK})


def _config_of(data: dict, video: Path, paintings: list[str], song: Path | None, settings: dict) -> dict:
    """A studio render's config (a plain config file: runnable from a terminal too); ``paintings``: the
    gallery's paintings chosen; ``song``: the song uploaded; ``settings``: the chosen look's settings from
    its fields (NewRenderForm.look_settings)."""
    import copy

    name = data["name"]
    v = {"path": str(video), "width": data["width"], "start": data["start"]}
    if data.get("duration"):
        v["duration"] = data["duration"]
    if data.get("fps"):
        v["fps"] = data["fps"]
    look = LOOKS[data["look"]]
    r = look_render(look, "source")
    for key, value in settings.items():  # a look's own setting, or one of a section it takes ("dream.octaves")
        put(r, key if "." in key else f"{look.section}.{key}", value)
    if len(paintings) > 1 and look.blend:  # several clicked: blended, each weighing the same
        put(r, look.blend, [{"path": p} for p in paintings])
    elif paintings and look.painting:
        put(r, look.painting, paintings[0])
    if look.paintings:  # copies in the render's own folder (project.write_config), relative to its config
        put(r, look.paintings, project.PAINTINGS)
    if look.hand:  # the person's own pictures: a folder of the render's, filled from its page
        put(r, f"{look.section}.{look.hand}", look.hand)
    if song and look.sound:
        put(r, look.sound, str(song))
    r.update(copy.deepcopy(look.studio))
    if data.get("smooth") and look.smooths:
        r["smooth"] = {**r.get("smooth", {}), "method": data["smooth"]}
    config = {"videos": {"source": v}, "renders": {name: r}, "upscale": {"scale": data["upscale"]}}
    if data.get("formats") and data["formats"] != ["h264"]:
        config["encode"] = {"formats": data["formats"]}
    if data.get("layers"):
        config.setdefault("encode", {})["layers"] = ["composite", "performer", "background"]
    if data.get("key"):
        v["matte"] = {"method": "chroma"}
        bg = data.get("background") or "original"
        if bg.startswith("render:"):
            # each studio render is its own config: another one's finished video is a video of this one
            other = get_object_or_404(Render, name=bg.split(":", 1)[1])
            _, other_dag = project.load(other)
            config["videos"]["background"] = {"path": other_dag.render_video(other.name), "width": data["width"]}
            r["key"] = {"background": {"video": "background"}}
        else:
            r["key"] = {"background": {"original": True}}
    return config


FIELD_OF = [
    (".music.audio", "song_upload"),
    ("music.", "look"),
    ("videos.background", "background"),
    ("videos.", "video"),
    (".style", "painting"),
    *(
        (f".{key}" if "." in key else f".{look.section}.{key}", field_name(name, key))
        for name, look in LOOKS.items()
        for key, *_ in look.form
    ),
    ("duration", "duration"),
    ("selected range", "start"),
    ("width", "width"),
]


def _video_of(data: dict, uploaded: list) -> Path:
    """The video a form chose (one of the project's or a sample), or the one it uploaded (saved, and added to
    ``uploaded``: the files to remove again if the form fails)."""
    if data.get("video_upload"):
        video = media.save_upload(data["video_upload"], project.media_dir("videos"), "video", settings.UPLOAD_LIMIT)
        uploaded.append(video)
        return video
    return project.chosen_video(data["video"])


def new(request):
    form = NewRenderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, uploaded = form.cleaned_data, []  # files this request saved: removed again if it fails

        def refuse(field, text):
            for path in uploaded:
                path.unlink(missing_ok=True)
            form.add_error(field, text)
            return render(request, "studio/new.html", {"form": form}, status=400)

        try:
            video = _video_of(data, uploaded)
        except PaintflowError as err:
            return refuse("video_upload" if data.get("video_upload") else "video", str(err))
        chosen = list(data.get("painting") or [])
        try:
            for upload in data.get("painting_upload") or []:
                saved = media.save_upload(upload, project.media_dir("styles"), "image", settings.UPLOAD_LIMIT)
                uploaded.append(saved)
                chosen.append(str(saved))
        except PaintflowError as err:
            return refuse("painting_upload", str(err))
        song = None
        try:
            if data.get("song_upload") and LOOKS[data["look"]].sound:
                song = media.save_upload(
                    data["song_upload"], project.media_dir("songs"), "audio", settings.UPLOAD_LIMIT
                )
                uploaded.append(song)
        except PaintflowError as err:
            return refuse("song_upload", str(err))
        gallery = project.paintings()
        if any(Path(p) not in gallery for p in chosen):
            return refuse("painting", "not a painting of the gallery")
        try:
            config = _config_of(data, video, chosen, song, form.look_settings(data))
            look = LOOKS[data["look"]]
            folder = project.write_config(
                data["name"], config, paintings=chosen if look.paintings else (), hand=look.hand
            )
            item = Render.objects.create(name=data["name"], workdir=str(folder))
            try:
                project.load(item)  # probes the video: a range without frames is said now, next to its field
            except AwaitingInput:  # its frames to paint come next, on its page
                project.write_to_paint(item)
        except PaintflowError as err:
            project.discard(data["name"])
            text = str(err).removeprefix("config: ")
            return refuse(next((f for key, f in FIELD_OF if key in text), None), text)
        messages.success(request, f"render {item.name} created: preview a frame, then start it")
        return redirect("detail", name=item.name)
    status = 400 if request.method == "POST" else 200
    return render(request, "studio/new.html", {"form": form}, status=status)


def new_timeline(request):
    """A timeline over an edit: its shots are given looks on its page (every shot as filmed until then)."""
    form = NewTimelineForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, uploaded = form.cleaned_data, []

        def refuse(field, text):
            for path in uploaded:
                path.unlink(missing_ok=True)
            form.add_error(field, text)
            return render(request, "studio/new_timeline.html", {"form": form}, status=400)

        try:
            video = _video_of(data, uploaded)
        except PaintflowError as err:
            return refuse("video_upload" if data.get("video_upload") else "video", str(err))
        cuts = form.cut_frames() or None
        if data.get("cut_list"):
            try:
                cut_list = media.save_upload(
                    data["cut_list"], project.media_dir("cuts"), "cut list", settings.UPLOAD_LIMIT
                )
            except PaintflowError as err:
                return refuse("cut_list", str(err))
            uploaded.append(cut_list)
            cuts = str(cut_list)
        name = data["name"]
        try:
            folder = project.write_config(
                name, timelines.new_config(name, video, data["width"], cuts, data["upscale"], data.get("formats"))
            )
            item = Render.objects.create(name=name, workdir=str(folder))
            project.load(item)  # probes the video and reads its shots: a cut list that does not fit is said now
        except PaintflowError as err:
            project.discard(name)
            text = str(err).removeprefix("config: ")
            field = "cut_list" if data.get("cut_list") else "cuts" if cuts else "video"
            return refuse(field if "shots" in text or "cut" in text else "video", text)
        messages.success(request, f"timeline {name} created: give each shot a look, then start it")
        return redirect("detail", name=name)
    status = 400 if request.method == "POST" else 200
    return render(request, "studio/new_timeline.html", {"form": form}, status=status)


def open_config(request):
    form = OpenConfigForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            path = media.inside(settings.PROJECT, form.cleaned_data["config"])
            if not path.is_file():
                raise PaintflowError(f"no config file at {path}")
            if Render.objects.filter(name=form.cleaned_data["name"]).exists():
                raise PaintflowError("a render with this name exists already")
            item = Render(name=form.cleaned_data["name"], workdir=str(path.parent))
            if path.name != "config.yaml":
                raise PaintflowError("the config must be called config.yaml (its folder is the render's folder)")
            project.check_folder(item)
            _, dag = project.load(item)
            project.check_results(item, dag)
            item.save()
        except PaintflowError as err:
            form.add_error("config", str(err))
            return render(request, "studio/open.html", {"form": form}, status=400)
        return redirect("detail", name=item.name)
    return render(request, "studio/open.html", {"form": form}, status=400 if request.method == "POST" else 200)


def detail(request, name):
    item = get_object_or_404(Render, name=name)
    project.schedule()
    return render(request, "studio/detail.html", {"r": project.describe(item, page=True)})


def status(request, name):
    item = get_object_or_404(Render, name=name)
    info = project.describe(item)
    return JsonResponse(
        {
            k: info.get(k)
            for k in (
                "state",
                "percent",
                "frames_done",
                "frames_kept",
                "frames_total",
                "rate",
                "eta_s",
                "stage_lines",
                "doing",
                "video",
                "thumbs",
                "error",
                "planning",
                "previewing",
                "training",
                "hand_writing",
            )
        }
    )


@require_POST
def action(request, name, what):
    item = get_object_or_404(Render, name=name)
    try:
        if what in ("start", "resume", "retry"):
            before = project.queue(item)
            if before:
                ahead = "the render before it is" if before == 1 else f"the {before} renders before it are"
                messages.success(request, f"{name}: queued; it starts as soon as {ahead} done")
            else:
                messages.success(request, f"{name}: started")
        elif what == "cancel":
            item.queued = None
            item.save(update_fields=["queued"])
            runner.cancel(item.workdir)
            messages.success(request, f"{name}: stopping; every finished frame is kept (Resume continues from them)")
        elif what == "preview":
            frame = request.POST.get("frame", "")
            args = ["preview", "--directory", item.workdir, "--out", str(runner.folder(item.workdir) / "previews")]
            if frame.strip().isdigit():
                args += ["--frame", frame.strip()]
            # in the background: a painted frame takes up to a minute on a CPU, and the page says it is at work
            project.background(args, item.workdir, "preview.running", "preview.txt")
            messages.success(request, f"{name}: previewing {'frame ' + frame.strip() if frame.strip() else 'a frame'}…")
        elif what == "looks":  # a timeline's shots given looks
            if runner.is_running(item.workdir):
                raise PaintflowError("stop the timeline before giving its shots other looks")
            given = {int(k.removeprefix("shot-")): v for k, v in request.POST.items() if re.fullmatch(r"shot-\d+", k)}
            said = timelines.give(item, given, int(request.POST.get("shots", 0)))
            messages.success(request, f"{name}: {said}")
        elif what == "to_paint":
            project.write_to_paint(item)
            messages.success(request, f"{name}: choosing the frames worth painting…")
        elif what == "hand":
            said = project.take_painted(item, request.FILES.getlist("painted"), settings.UPLOAD_LIMIT)
            messages.success(request, f"{name}: {said}")
        elif what == "plan":
            project.background(
                ["plan", "--brief", "--directory", item.workdir], item.workdir, "plan.running", "plan.txt"
            )
            messages.success(request, f"{name}: estimating the cost (a few frames may be rendered to measure)")
        elif what == "report":
            out = runner.folder(item.workdir) / "report.html"
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "snakemake",
                    "-s",
                    str(project.REPO / "Snakefile"),
                    "--directory",
                    item.workdir,
                    "--report",
                    str(out),
                    "--cores",
                    "1",
                ],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if proc.returncode != 0:
                raise PaintflowError("the report could not be made yet (is the render finished?)")
        elif what == "remove":
            project.remove(item)
            messages.success(request, f"{name}: removed")
            return redirect("index")
        else:
            raise Http404
    except (PaintflowError, subprocess.TimeoutExpired) as err:
        messages.error(request, f"{name}: {err}")
    return redirect("detail", name=name)


def to_paint_zip(request, name):
    """The frames a render asks a person to paint, in one zip."""
    item = get_object_or_404(Render, name=name)
    try:
        project.check_folder(item, alone=False)
        out = project.to_paint_zip(item)
    except PaintflowError:
        raise Http404 from None
    return FileResponse(open(out, "rb"), as_attachment=True, filename=out.name)  # noqa: SIM115 - closed by it


RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def files(request, name, path):
    """A file of a render (frames, the video with byte ranges for seeking, the report)."""
    item = get_object_or_404(Render, name=name)
    try:
        project.check_folder(item, alone=False)  # an entry made before the check: never serve the project itself
        target = media.inside(Path(item.workdir), path)
    except PaintflowError:
        raise Http404 from None
    if not target.is_file():
        raise Http404
    size = target.stat().st_size
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    match = RANGE.fullmatch(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        first = int(match.group(1)) if match.group(1) else size - int(match.group(2))
        last = int(match.group(2)) if match.group(1) and match.group(2) else size - 1
        last = min(last, size - 1)
        if first > last or first < 0:
            return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
        with open(target, "rb") as fh:
            fh.seek(first)
            body = fh.read(last - first + 1)
        return HttpResponse(
            body,
            status=206,
            content_type=kind,
            headers={"Content-Range": f"bytes {first}-{last}/{size}", "Accept-Ranges": "bytes"},
        )
    handle = open(target, "rb")  # noqa: SIM115 - FileResponse closes it
    response = FileResponse(
        handle,
        content_type=kind,
        as_attachment=request.GET.get("download") == "1",
    )
    response["Accept-Ranges"] = "bytes"
    return response


def frame(request):
    """The first frame of a selection of a project video, at the processing size (the form's preview), made
    in memory: nothing is written per request."""
    import cv2

    from ..video import probe, read_frame

    if request.GET.get("painting"):  # a gallery thumbnail
        return painting_thumbnail(request.GET["painting"])
    try:
        video = media.inside(project.media_dir("videos"), request.GET.get("video", ""))
        width = int(request.GET.get("width") or 320)
        start = float(request.GET.get("start") or 0)
        if not video.is_file() or not 16 <= width <= 4096:
            raise PaintflowError("no such video")
        info = probe(video, width=width, start=start, duration=0.2)
        ok, png = cv2.imencode(".png", cv2.cvtColor(read_frame(video, info, 1), cv2.COLOR_RGB2BGR))
    except (PaintflowError, ValueError):
        raise Http404 from None
    return HttpResponse(png.tobytes(), content_type="image/png")


def look_choices(request, look):
    """A look's picture of its choices (the fast look: its 26 styles on the bundled astronaut), made once."""
    from ..files import read_rgb

    if look not in LOOKS or LOOKS[look].choices is None:
        raise Http404
    out = settings.STATE / "looks" / f"{look}_choices.jpg"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        picture = LOOKS[look].choices(read_rgb(project.REPO / "resources" / "content" / "astronaut.png"))
        picture.convert("RGB").save(out, quality=85)
    return FileResponse(open(out, "rb"), content_type="image/jpeg")  # noqa: SIM115 - FileResponse closes it


def painting_thumbnail(value: str):
    import cv2

    from ..files import read_rgb

    path = Path(value)
    if path not in project.paintings():  # only the gallery's files
        raise Http404
    rgb = read_rgb(path)
    small = cv2.resize(rgb, (max(1, round(rgb.shape[1] * 70 / rgb.shape[0])), 70), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
    return HttpResponse(buf.tobytes(), content_type="image/jpeg")


def not_found(request, exception=None):
    return render(request, "studio/error.html", {"title": "Not found", "text": "There is nothing here."}, status=404)


def server_error(request):
    return render(
        request,
        "studio/error.html",
        {
            "title": "Something went wrong",
            "text": "The studio hit an unexpected error; it is written to studio/studio.log. Your renders "
            "are not affected.",
        },
        status=500,
    )
