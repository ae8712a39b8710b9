"""paintflow studio's pages (Django test client): status codes, errors next to their field, no traceback
pages, uploads checked by content with names that cannot escape, CSRF, and a login on the network."""

import html
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from imageio_ffmpeg import get_ffmpeg_exe as ffmpeg

from conftest import REPO, make_clip, shared

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    project = tmp_path_factory.mktemp("studio")
    from paintflow.studio import server

    server.setup(project)  # this test process's Django: one project for the whole module
    clip = make_clip(project / "clip.mp4", audio=False, seconds=0.5)
    from django.test import Client

    return project, Client(REMOTE_ADDR="127.0.0.1"), clip


def upload(path, name=None, content_type="video/mp4"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or Path(path).name, Path(path).read_bytes(), content_type=content_type)


def form(**changes):
    data = {
        "name": "r1",
        "start": 0,
        "width": 64,
        "look": "fast",
        "fast__style": 3,
        "paint__iterations": 30,
        "paint__style_weight": 10,
        "dream__layers": "relu4_2",
        "upscale": 1,
        "background": "original",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def said_on(page) -> list[str]:
    """What a form page says next to its fields."""
    return re.findall(r'class="errorlist[^>]*>(.*?)</ul>', html.unescape(page.content.decode()), re.S)


def test_every_page_answers(studio):
    _, client, _ = studio
    for url in ("/", "/new/", "/open/", "/login/"):
        assert client.get(url).status_code == 200, url
    missing = client.get("/render/nope/")
    assert missing.status_code == 404 and b"There is nothing here" in missing.content
    assert client.get("/render/nope/status.json").status_code == 404
    assert client.get("/frame/?video=../../etc/passwd").status_code == 404
    assert client.post("/render/nope/do/start/").status_code == 404


def test_errors_are_shown_next_to_their_field(studio):
    _, client, _ = studio
    page = client.post("/new/", form(width=5))
    assert page.status_code == 400
    html = page.content.decode()
    assert "greater than or equal to 16" in html and html.index("greater than or equal to 16") > html.index("id_width")
    assert "choose a video, or upload one" in html
    assert "Traceback" not in html
    assert html.count('name="painting"') == html.count('type="radio" name="painting"')  # the gallery alone
    named = client.post("/new/", form(name="bird-paint")).content.decode()  # the words the help text uses
    assert "use letters and digits, words joined by single _ (e.g. &#x27;bird_paint&#x27;)" in named


def test_a_text_file_renamed_mp4_is_refused_and_leaves_nothing(studio, tmp_path):
    project, client, _ = studio
    fake = tmp_path / "clip.mp4"
    fake.write_text("this is not a video at all")
    page = client.post("/new/", {**form(name="fake"), "video_upload": upload(fake)})
    assert page.status_code == 400
    assert "clip.mp4 is not a video" in page.content.decode()
    videos = project / "media" / "videos"
    assert not videos.exists() or not any(videos.iterdir()), "a failed upload must leave nothing behind"


def test_an_uploaded_name_cannot_escape_the_project(studio):
    project, client, clip = studio
    page = client.post("/new/", {**form(name="escape"), "video_upload": upload(clip, name="../../x.mp4")})
    assert page.status_code == 302, page.content.decode()[-2000:]
    assert (project / "media" / "videos" / "x.mp4").is_file()
    assert not (project.parent / "x.mp4").exists() and not (project / "x.mp4").exists()
    assert client.get("/render/escape/file/../../studio/secret_key").status_code == 404


def test_a_new_render_is_a_config_runnable_from_a_terminal(studio):
    project, client, clip = studio
    page = client.post(
        "/new/",
        {**form(name="quick", duration=0.3, formats=["h264", "prores"]), "video_upload": upload(clip, name="q.mp4")},
    )
    assert page.status_code == 302 and page["Location"].endswith("/render/quick/")
    config = yaml.safe_load((project / "renders/quick/config.yaml").read_text())
    assert config["renders"]["quick"]["look"] == "fast" and config["videos"]["source"]["width"] == 64
    assert config["encode"] == {"formats": ["h264", "prores"]}  # the delivery formats ticked
    from paintflow.config import prepare

    prepare(config)  # the workflow's own schema
    detail = client.get("/render/quick/")
    assert detail.status_code == 200 and b"Start the render" in detail.content
    status = client.get("/render/quick/status.json").json()
    assert status["state"] == "new" and status["frames_total"] == 6  # 0.3 s at the clip's 20 fps
    assert status["planning"] is False and status["frames_kept"] == 0  # what the live page follows
    # a range without frames is said next to the start field, and nothing is left
    layers = client.post("/new/", {**form(name="lay", key="on", layers="on", formats=["prores"]), "video": "q.mp4"})
    assert layers.status_code == 400 and "needs a format with alpha" in layers.content.decode()
    bad = client.post("/new/", {**form(name="late", start=60), "video": "q.mp4"})
    assert bad.status_code == 400 and "no frames in the selected range" in bad.content.decode()
    assert not (project / "renders/late").exists()
    # the clips paintflow comes with are offered: a first try needs no video of one's own
    assert "sample/cockatoo.mp4" in client.get("/new/").content.decode()
    sample = client.post("/new/", {**form(name="sampled", duration=0.2), "video": "sample/cockatoo.mp4"})
    assert sample.status_code == 302, said_on(sample)
    config = yaml.safe_load((project / "renders/sampled/config.yaml").read_text())
    assert config["videos"]["source"]["path"] == str(REPO / "resources/video/cockatoo.mp4")
    outside = client.post("/new/", {**form(name="out"), "video": "sample/../../config.yaml"})
    assert outside.status_code == 400 and not (project / "renders/out").exists()


def test_the_music_look_needs_a_video_with_sound(studio, tmp_path):
    project, client, clip = studio
    page = client.post("/new/", {**form(name="silent", look="music"), "video_upload": upload(clip, name="silent.mp4")})
    html = page.content.decode()
    assert page.status_code == 400 and "the music look needs a song" in html
    assert html.index("the music look needs a song") > html.index("id_look")  # said next to the look
    assert 'id="id_song_upload"' in html  # … beside the field for a song
    song = tmp_path / "song.m4a"  # the sound of a clip, alone
    subprocess.run([ffmpeg(), "-loglevel", "error", "-i", str(make_clip(tmp_path / "s.mp4", audio=True, seconds=0.5)),
                    "-vn", "-c:a", "copy", str(song)], check=True)  # fmt: skip
    silent = upload(clip, name="silent.mp4")
    page = client.post(
        "/new/",
        {**form(name="sung", look="music", music__clusters=2), "video_upload": silent, "song_upload": upload(song)},
    )
    assert page.status_code == 302, said_on(page)
    config = yaml.safe_load((project / "renders/sung/config.yaml").read_text())
    assert config["renders"]["sung"]["music"]["audio"] == str(project / "media/songs/song.m4a")
    still = upload(shared("style", "great_wave.jpg"), name="still.mp3")
    page = client.post("/new/", {**form(name="not_sung", look="music"), "video": "silent.mp4", "song_upload": still})
    assert page.status_code == 400 and "is not a song" in page.content.decode()
    voiced = make_clip(tmp_path / "voiced.mp4", audio=True, seconds=1.0)
    page = client.post("/new/", {**form(name="voiced", look="music"), "video_upload": upload(voiced)})
    assert page.status_code == 302, page.content.decode()[-2000:]
    config = yaml.safe_load((project / "renders/voiced/config.yaml").read_text())
    assert config["renders"]["voiced"]["look"] == "music"


def test_the_form_offers_every_look_with_its_settings_from_the_look_itself(studio, toy_look):
    """Looks and their fields come from the looks (Look.form, typed by their schema): a look added in a
    folder of its own (tests/looks/posterize) is offered, and its setting lands in the config."""
    project, client, _ = studio
    from paintflow.registry import LOOKS

    page = client.get("/new/").content.decode()
    for name in LOOKS:  # the built-in looks and the toy
        assert f'<option value="{name}"' in page, name
    assert 'id="id_posterize__levels"' in page and 'min="2"' in page  # its field, with its schema's limits
    made = client.post("/new/", {**form(name="poster", look="posterize", posterize__levels=3), "video": "q.mp4"})
    assert made.status_code == 302, said_on(made)
    config = yaml.safe_load((project / "renders/poster/config.yaml").read_text())
    assert config["renders"]["poster"] == {"look": "posterize", "video": "source", "posterize": {"levels": 3}}
    dream = client.post("/new/", {**form(name="dreamt", look="dream"), "video": "q.mp4"})
    assert dream.status_code == 302
    r = yaml.safe_load((project / "renders/dreamt/config.yaml").read_text())["renders"]["dreamt"]
    assert r["dream"]["layers"] == {"relu4_2": 1.0}  # a dream's layer: chosen from the schema's layer names
    zoom = {
        **form(name="zoomed", look="zoom", zoom__frames=3, zoom__schedule="relu4_2 0.5, relu5_1", zoom__reverse="on")
    }
    made = client.post("/new/", {**zoom, "video": "q.mp4"})
    assert made.status_code == 302, said_on(made)
    r = yaml.safe_load((project / "renders/zoomed/config.yaml").read_text())["renders"]["zoomed"]["zoom"]
    assert r["schedule"] == [{"layers": {"relu4_2": 1.0}, "seconds": 0.5}, {"layers": {"relu5_1": 1.0}}]
    assert r["reverse"] is True and r["video"] == "source"  # from the video's first frame, played backwards
    endless = client.post("/new/", {**zoom, "name": "endless", "zoom__frames": "", "video": "q.mp4"})
    html_of = endless.content.decode()
    assert endless.status_code == 400 and html_of.index("give frames, seconds") > html_of.index("id_zoom__frames")
    for typed, said in (("relu4_2 x, relu5_1", "is not a number of seconds"), ("relu9_9 1, relu5_1", "relu9_9")):
        bad = client.post("/new/", {**zoom, "name": "bad_zoom", "zoom__schedule": typed, "video": "q.mp4"})
        assert bad.status_code == 400 and said in " ".join(said_on(bad)), typed


def test_the_render_page_shows_its_look_and_the_painting_it_uses(studio):
    _, client, _ = studio
    from paintflow.studio import project

    painting = project.paintings()[0]
    made = client.post("/new/", {**form(name="painted", look="paint", painting=str(painting)), "video": "q.mp4"})
    assert made.status_code == 302, made.content.decode()[-2000:]
    page = html.unescape(client.get("/render/painted/").content.decode())
    assert "Look: paint" in page and "optimisation-based painting" in page
    assert painting.name in page and f"/frame/?painting={painting}" in page.replace("%2F", "/")  # its thumbnail
    assert "iterations: 30" in page  # a setting the render changes (the schema's default is 15)


def test_a_look_that_learns_from_paintings_gets_its_own_and_shows_its_training(studio):
    """The latent look: the paintings ticked in the gallery are copied into the render's own folder (its config
    says paintings: paintings); while it trains, the page shows the training's steps and its loss curve."""
    project, client, _ = studio
    from paintflow.studio import project as studio_project

    gallery = [str(p) for p in studio_project.paintings()[:2]]
    none = client.post("/new/", {**form(name="learn", look="latent", fast__style=None), "video": "q.mp4"})
    assert none.status_code == 400 and "learns from paintings: tick several" in none.content.decode()
    two = client.post("/new/", {**form(name="two", look="fast", painting=gallery), "video": "q.mp4"})
    assert two.status_code == 400 and "paints with one painting" in two.content.decode()
    made = client.post("/new/", {**form(name="learn", look="latent", painting=gallery), "video": "q.mp4"})
    assert made.status_code == 302, made.content.decode()[-2000:]
    folder = project / "renders/learn"
    assert sorted(p.name for p in (folder / "paintings").iterdir()) == sorted(Path(p).name for p in gallery)
    assert (
        yaml.safe_load((folder / "config.yaml").read_text())["renders"]["learn"]["latent"]["paintings"] == "paintings"
    )
    page = html.unescape(client.get("/render/learn/").content.decode())
    assert f"/render/learn/file/paintings/{Path(gallery[0]).name}" in page  # its thumbnails: its own copies
    assert client.get("/render/learn/status.json").json()["training"] is None  # not started: nothing said

    from paintflow.looks.latent.vae import TrainingProgress
    from paintflow.paths import job_progress_file
    from paintflow.progress import format_progress, render_progress
    from paintflow.studio.models import Render

    _, dag = studio_project.load(Render.objects.get(name="learn"))
    record = job_progress_file(dag.results, "latent_train", "learn", dag.key("latent_train", "learn"))
    history = [[n, 0, 1.0 / n, 0.0] for n in range(1, 301)]  # a falling loss, 300 steps of 1000 done
    TrainingProgress("learn", record=record)(300, 1000, history, 10.0)
    training = client.get("/render/learn/status.json").json()["training"]
    assert (training["step"], training["total"], training["percent"]) == (300, 1000, 30)
    assert 100 <= len(training["curve"]) <= 120 and training["eta_s"] == 70.0
    points = [tuple(map(float, p.split(","))) for p in training["points"].split()]
    assert points[0][1] == 4.0 and points[-1][1] == 116.0 and points[-1][0] == 480 * 0.3  # falls across 30 %
    page = client.get("/render/learn/").content.decode()
    assert 'id="training-line"' in page and "step 300 / 1000" in page
    assert "latent-style training: step 300/1000 (30 %), reconstruction loss 0.003333, ETA 1 min 10 s" in (
        format_progress(render_progress(dag))
    )
    TrainingProgress("other", record=record.replace(dag.key("latent_train", "learn"), "0" * 16))(9, 10, history, 1)
    assert client.get("/render/learn/status.json").json()["training"]["step"] == 300  # another identity's: not it


def test_paintings_clicked_together_are_blended_and_time_is_in_the_form(studio):
    """The painted look: several paintings clicked are a style blend; its long-term and multi-pass settings
    and the smoothing over time (of every look that can be smoothed) are fields of the form."""
    project, client, _ = studio
    from paintflow.studio import project as studio_project

    gallery = [str(p) for p in studio_project.paintings()[:2]]
    data = {"painting": gallery, "paint__long_term": "1, 2", "paint__passes": 2, "paint__temporal": "on"}
    made = client.post("/new/", {**form(name="blend", look="paint", **data), "video": "q.mp4"})
    assert made.status_code == 302, made.content.decode()[-2000:]
    r = yaml.safe_load((project / "renders/blend/config.yaml").read_text())["renders"]["blend"]
    assert r["styles"] == [{"path": p} for p in gallery] and "style" not in r
    assert r["stylize"]["long_term"] == [1, 2] and r["stylize"]["passes"] == 2
    bad = client.post("/new/", {**form(name="bad", look="paint", painting=gallery[0], paint__long_term="1 2 x")})
    assert bad.status_code == 400 and "numbers separated by commas" in bad.content.decode()
    smooth = client.post("/new/", {**form(name="smoothed", smooth="flow_blend"), "video": "q.mp4"})
    assert smooth.status_code == 302
    r = yaml.safe_load((project / "renders/smoothed/config.yaml").read_text())["renders"]["smoothed"]
    assert r["smooth"] == {"method": "flow_blend"}


def test_a_failed_upload_leaves_nothing_and_a_still_is_not_a_video(studio, tmp_path):
    project, client, clip = studio
    videos = project / "media" / "videos"
    before = sorted(videos.iterdir()) if videos.is_dir() else []
    bad = tmp_path / "painting.jpg"
    bad.write_text("not a picture")
    answer = client.post(
        "/new/",
        {**form(name="bad_paint"), "video_upload": upload(clip, name="good.mp4"), "painting_upload": upload(bad)},
    )
    assert answer.status_code == 400 and "is not an image" in answer.content.decode()
    assert sorted(videos.iterdir()) == before  # the good video of the failed form is not kept
    still = upload(shared("style", "great_wave.jpg"), name="still.mp4")
    answer = client.post("/new/", {**form(name="still"), "video_upload": still})
    assert answer.status_code == 400 and "is a still picture, not a video" in answer.content.decode()
    assert sorted(videos.iterdir()) == before


def test_the_fast_look_s_styles_are_pictured_in_the_form(studio):
    _, client, _ = studio
    assert 'src="/look/fast/choices.jpg"' in client.get("/new/").content.decode()
    picture = client.get("/look/fast/choices.jpg")
    assert picture.status_code == 200 and b"".join(picture.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    assert client.get("/look/paint/choices.jpg").status_code == 404  # a look without such a picture


def test_the_server_takes_what_the_studio_s_limit_allows(studio):
    """An upload under the studio's limit reaches the studio (which says when it is too large in words):
    the server in front of it (waitress, 1 GiB by default) is set above it."""
    from django.conf import settings

    from paintflow.studio.server import request_body_limit

    assert request_body_limit() > 2 * settings.UPLOAD_LIMIT > 1024**3


def test_the_form_s_frame_preview_writes_nothing(studio):
    project, client, _ = studio
    from django.conf import settings

    before = sorted(p for p in settings.STATE.rglob("*") if p.is_file())
    for start in (0, 0.1, 0.2):
        answer = client.get(f"/frame/?video=q.mp4&width=64&start={start}")
        assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
        assert b"".join(answer).startswith(b"\x89PNG")
    assert sorted(p for p in settings.STATE.rglob("*") if p.is_file()) == before  # no PNG per request left behind


def hand_made(folder: Path, clip, **extra) -> None:
    """A config written by hand in ``folder``: the fast look of the clip."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = {"videos": {"v": {"path": str(clip), "width": 48}}, "renders": {"by_hand": {"video": "v", "look": "fast"}}}
    (folder / "config.yaml").write_text(yaml.safe_dump({**cfg, **extra}))


def test_a_config_made_by_hand_opens(studio):
    project, client, clip = studio
    hand_made(project / "renders/hand", clip)
    assert client.post("/open/", {"name": "hand", "config": "renders/hand/config.yaml"}).status_code == 302
    assert client.get("/render/hand/").status_code == 200
    outside = client.post("/open/", {"name": "outside", "config": "../../etc/hosts"})
    assert outside.status_code == 400 and "outside the project" in outside.content.decode()
    # the project's own config (its root would become a render folder: the studio's key served), a folder
    # not under renders/, the same folder twice (removing one would delete the other), results outside
    for folder in (project, project / "elsewhere"):
        hand_made(folder, clip)
    hand_made(project / "renders/out", clip, results=str(project / "x"))
    for config, why in (
        ("config.yaml", "under renders/"),
        ("elsewhere/config.yaml", "under renders/"),
        ("renders/hand/config.yaml", "is the render 'hand' already"),
        ("renders/out/config.yaml", "outside the render's folder"),
    ):
        page = client.post("/open/", {"name": "again", "config": config})
        assert page.status_code == 400 and why in html.unescape(page.content.decode()), config
    from paintflow.studio.models import Render

    assert not Render.objects.filter(name="again").exists()
    assert client.get("/render/hand/file/a%00b").status_code == 404  # a null byte: not a file, not a 500


def test_removing_an_entry_never_deletes_what_another_uses(studio):
    project, client, clip = studio
    from paintflow.studio.models import Render

    folder = project / "renders/shared"
    hand_made(folder, clip)
    Render.objects.create(name="first", workdir=str(folder))  # two entries on one folder (an older studio)
    Render.objects.create(name="second", workdir=str(folder))
    assert client.post("/render/second/do/remove/").status_code == 302
    assert (folder / "config.yaml").is_file() and client.get("/render/first/").status_code == 200
    assert client.post("/render/first/do/remove/").status_code == 302
    assert not folder.exists()  # the last entry owns it alone
    root = Render.objects.create(name="root", workdir=str(project))  # the project root as a folder: not served
    (project / "studio_secret").write_text("x")
    assert client.get("/render/root/file/studio_secret").status_code == 404
    root.delete()


def test_no_url_that_takes_a_name_leaves_its_folder(studio):
    """Path traversal in every URL that takes a name or a file: the render's files, the form's frame and a
    painting's thumbnail, a look's picture, a render's actions."""
    project, client, clip = studio
    hand_made(project / "renders/walled", clip)
    assert client.post("/open/", {"name": "walled", "config": "renders/walled/config.yaml"}).status_code == 302
    (project / "studio_secret").write_text("x")
    for url in (
        "/render/walled/file/../../studio_secret",
        "/render/walled/file/..%2F..%2Fstudio_secret",
        "/render/walled/file/%2Fetc%2Fpasswd",
        "/render/walled/file/config.yaml%00.png",
        f"/frame/?video=..%2F..%2F{clip.name}",
        "/frame/?video=%2Fetc%2Fpasswd",
        f"/frame/?painting={project / 'studio_secret'}",
        "/frame/?painting=..%2F..%2F..%2Fetc%2Fpasswd",
        "/look/..%2Ffast/choices.jpg",
        "/render/..%2Fwalled/",
    ):
        answer = client.get(url)
        assert answer.status_code in (400, 404), url
        assert b"".join(getattr(answer, "streaming_content", [answer.content])) != b"x", url
    assert client.post("/render/..%2Fwalled/do/remove/").status_code == 404
    assert (project / "renders/walled/config.yaml").is_file()


def test_the_studio_s_files_in_the_repository_are_never_committed():
    """`make studio` keeps its uploads, renders, key and database in the repository: git ignores them."""
    from conftest import REPO

    for path in ("media/videos/clip.mp4", "renders/r/config.yaml", "studio/secret_key", "studio/studio.sqlite3"):
        assert subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", path]).returncode == 0, path


def test_another_host_name_is_refused(studio):
    """A page asked for under another host name (DNS rebinding from a web page) is refused on localhost."""
    from django.test import Client

    assert Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="attacker.example").get("/").status_code == 400
    assert Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="localhost").get("/").status_code == 200


def test_what_a_config_says_is_shown_as_text_never_as_markup(studio):
    """A hand-made config's words (a render's settings, its error) are escaped on every page."""
    project, client, clip = studio
    markup = "<script>alert(1)</script>"
    folder = project / "renders/marked"
    hand_made(folder, clip)
    config = yaml.safe_load((folder / "config.yaml").read_text())
    config["renders"]["by_hand"]["fast"] = {"style": f"{markup}.jpg"}  # a painting that is not there
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    from paintflow.studio.models import Render

    Render.objects.create(name="marked", workdir=str(folder))
    for url in ("/render/marked/", "/"):
        page = client.get(url).content.decode()
        assert markup not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    assert markup in client.get("/render/marked/status.json").json()["error"]  # JSON: data, not markup


def test_csrf_protects_every_form(studio):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1")
    assert strict.post("/new/", form(name="csrf")).status_code == 403


def test_a_login_is_required_when_not_on_this_machine(studio):
    from django.test import Client

    from paintflow.studio import server

    project, _, _ = studio
    remote = Client(REMOTE_ADDR="10.1.2.3")
    page = remote.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    server.set_password(project, "correct horse")
    assert remote.post("/login/", {"username": "studio", "password": "wrong"}).status_code == 200
    assert remote.post("/login/", {"username": "studio", "password": "correct horse"}).status_code == 302
    assert remote.get("/").status_code == 200
    with pytest.raises(Exception, match="8 characters"):
        server.set_password(project, "short")


def test_a_server_error_is_a_page_in_words(studio):
    from django.test import RequestFactory

    from paintflow.studio.views import server_error

    page = server_error(RequestFactory().get("/"))
    assert page.status_code == 500 and b"Traceback" not in page.content and b"studio.log" in page.content
    shutil.rmtree(Path("/nonexistent"), ignore_errors=True)


def test_a_render_that_ended_leaves_no_defunct_process(tmp_path):
    """The studio reaps the renders it started: a stopped or failed run is no zombie for the server's life."""
    from paintflow.studio import runner

    pid = runner.start(tmp_path)  # no config here: the run fails at once
    deadline = time.time() + 60
    while runner.is_running(tmp_path) and time.time() < deadline:
        time.sleep(0.2)
    assert runner.state(tmp_path, finished=False) == "failed"
    assert not Path(f"/proc/{pid}").exists()  # reaped, not left as <defunct>


def test_a_running_render_says_what_it_is_at_from_the_first_second(tmp_path):
    from paintflow.studio import runner

    log = runner.folder(tmp_path) / "run.log"
    log.write_text("paintflow: rendering band (24 frames, fast); Snakemake is reading the workflow …\n")
    assert runner.doing(tmp_path) == "starting: Snakemake is reading the workflow"
    with log.open("a") as fh:
        fh.write("23:01:02 12 jobs to run: fast 2, video 1\n23:01:03 start: fast · band · frames 1-12 of 24\n")
    assert runner.doing(tmp_path) == "fast · band · frames 1-12 of 24"
    with log.open("a") as fh:
        fh.write("[fast · band] frame 3 (3/12 of this job) 0.1 s/frame · 3/24 (12 %) · ETA 2 s\n")
    assert runner.doing(tmp_path).startswith("[fast · band] frame 3")


def _until(client, url, done, seconds=120):
    """The render's status.json once ``done(status)`` holds (a background job of the page's), or fail."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = client.get(url).json()
        if done(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"{url}: still {status} after {seconds} s")


def test_the_keyframe_look_from_the_page_frames_to_paint_out_painted_frames_in_a_preview_of_any(studio, tmp_path):
    """The keyframe look (issue 45) in the studio: a new render waits for its painted frames (no Start, no
    fault), offers the frames worth painting (contact sheet, a zip); an upload the look refuses (a stray
    name, another shape) leaves nothing; a painted frame makes it ready to start; a preview of another frame
    carries the painting there."""
    import io
    import zipfile

    import numpy as np
    from django.core.files.uploadedfile import SimpleUploadedFile

    from paintflow.files import read_rgb, write_rgb

    project, client, clip = studio
    made = client.post(
        "/new/",
        {
            **form(name="by_keys", look="keyframes", duration=0.4, keyframes__steps=60, fast__style=None),
            "video_upload": upload(clip, name="k.mp4"),
        },
    )
    assert made.status_code == 302, said_on(made)
    folder = project / "renders/by_keys"
    assert yaml.safe_load((folder / "config.yaml").read_text())["renders"]["by_keys"]["keyframes"]["keyframes"] == (
        "keyframes"
    )
    assert (folder / "keyframes").is_dir() and not any((folder / "keyframes").iterdir())
    status = _until(client, "/render/by_keys/status.json", lambda s: not s["hand_writing"])
    assert status["state"] == "waiting"
    page = html.unescape(client.get("/render/by_keys/").content.decode())
    assert "no painted frames in" in page and 'id="hand"' in page
    assert "Start the render" not in page and 'id="preview"' not in page and 'id="plan"' not in page
    assert 'id="to-paint-sheet"' in page, page[-3000:]
    answer = client.get("/render/by_keys/to_paint.zip")
    assert answer.status_code == 200
    frames = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    assert frames.namelist()[0] == "000001.png"  # the shot's first frame, at the processing size
    first = frames.read("000001.png")
    (tmp_path / "000001.png").write_bytes(first)
    source = read_rgb(tmp_path / "000001.png")
    assert source.shape == (36, 64, 3)

    def png(name, rgb):
        write_rgb(tmp_path / name, rgb)
        return SimpleUploadedFile(name, (tmp_path / name).read_bytes(), content_type="image/png")

    painted = 255 - source  # the artist's hand: the frame inverted
    for bad, said in (
        ([png("000001.png", painted), png("frame.png", painted)], "a keyframe is a picture named by the frame"),
        ([png("000002.png", np.zeros((64, 64, 3), np.uint8))], "the clip's frames are 64x36"),
    ):
        page = html.unescape(client.post("/render/by_keys/do/hand/", {"painted": bad}, follow=True).content.decode())
        assert said in page, page[-3000:]
        assert not any((folder / "keyframes").iterdir()), "a refused upload leaves nothing"
    page = client.post("/render/by_keys/do/hand/", {"painted": [png("000001.png", painted)]}, follow=True)
    assert "every shot has one, the render can start" in html.unescape(page.content.decode())
    assert client.get("/render/by_keys/status.json").json()["state"] == "new"
    page = client.get("/render/by_keys/").content.decode()
    assert "Start the render" in page and 'id="painted-frames"' in page and "frame 1" in page
    assert sorted(p.name for p in (folder / "keyframes").iterdir()) == ["000001.png"]

    client.post("/render/by_keys/do/preview/", {"frame": "3"})
    _until(client, "/render/by_keys/status.json", lambda s: not s["previewing"], 300)
    shown = read_rgb(next((folder / ".studio/previews").glob("*frame000003.png"))).astype(float)
    from paintflow.studio.models import Render
    from paintflow.studio.project import load

    _, dag = load(Render.objects.get(name="by_keys"))
    from paintflow.preview import source_frame

    third = source_frame(dag, "by_keys", 3).astype(float)
    # the painting carried to frame 3: near the inverted frame, far from the frame as filmed
    assert np.abs(shown - (255 - third)).mean() < 0.1 * np.abs(shown - third).mean()


def test_a_timeline_gives_each_shot_a_look_by_clicking_and_plays_its_master(studio, tmp_path):
    """Issue 41's studio page: a new timeline over an edit is every shot as filmed; its page shows each shot
    as a picture with the looks it can take (the project's renders); a click gives a shot a look (a render of
    that look over its shots, in a config a terminal runs too); Start makes the master the page plays."""
    from edits import write_cut

    from paintflow.config import prepare
    from paintflow.studio import runner
    from paintflow.video import probe

    project, client, clip = studio
    edit = tmp_path / "edit.mp4"
    cut = write_cut(edit)  # two real shots, 4 frames each
    look = client.post("/new/", {**form(name="tl_warm", duration=0.2), "video_upload": upload(clip, "tl.mp4")})
    assert look.status_code == 302, said_on(look)
    new = {"name": "tl_band", "width": 64, "upscale": 1}
    # bad input is said next to its field, before any work, and leaves nothing
    late = client.post("/timeline/new/", {**new, "video_upload": upload(edit), "cuts": "99"})
    assert late.status_code == 400 and "99" in " ".join(said_on(late)), said_on(late)
    assert not (project / "renders/tl_band").exists()
    binary = upload(REPO / "resources/style/the_scream.jpg", name="cuts.edl", content_type="text/plain")
    noise = client.post("/timeline/new/", {**new, "video_upload": upload(edit), "cut_list": binary})
    assert noise.status_code == 400 and "is not a cut list" in " ".join(said_on(noise)), said_on(noise)
    assert not (project / "media/videos/edit.mp4").exists()  # the refused uploads went with them
    made = client.post("/timeline/new/", {**new, "video_upload": upload(edit), "cuts": str(cut)})
    assert made.status_code == 302 and made["Location"].endswith("/render/tl_band/"), said_on(made)
    folder = project / "renders/tl_band"
    config = yaml.safe_load((folder / "config.yaml").read_text())
    assert config["timelines"] == {"tl_band": {"video": "source", "renders": []}} and not config.get("renders")
    page = client.get("/render/tl_band/").content.decode()
    shots = re.findall(r'<div class="shot[^"]*" id="shot-(\d+)">\s*<img src="/render/tl_band/file/([^"]+)"', page)
    assert [n for n, _ in shots] == ["1", "2"] and all((folder / p).is_file() for _, p in shots), page[-3000:]
    offered = set(re.findall(r'name="shot-1" value="(\w+)"', page))
    assert {"as_filmed", "tl_warm"} <= offered and "tl_band" not in offered  # not itself
    # a click gives shot 2 the look of tl_warm: a render of it over shot 2, the rest as filmed
    said = client.post(
        "/render/tl_band/do/looks/", {"shots": 2, "shot-1": "as_filmed", "shot-2": "tl_warm"}, follow=True
    )
    assert "tl_warm: shots 2; the rest as filmed" in html.unescape(said.content.decode())
    config = yaml.safe_load((folder / "config.yaml").read_text())
    assert config["timelines"]["tl_band"]["renders"] == ["tl_warm"] and config["renders"]["tl_warm"]["shots"] == "2"
    assert config["renders"]["tl_warm"]["look"] == "fast" and config["renders"]["tl_warm"]["video"] == "source"
    prepare(config)  # a config the workflow takes from a terminal too
    before = (folder / "config.yaml").read_text()
    wrong = client.post("/render/tl_band/do/looks/", {"shots": 2, "shot-1": "nothing_here"}, follow=True)
    assert "'nothing_here' is not a look of this project" in html.unescape(wrong.content.decode())
    assert (folder / "config.yaml").read_text() == before  # refused: nothing changed
    # Start: the master, played by the page, every frame of the edit; shot 2's frames marked made
    config["quality"] = {"enabled": False}  # as in every test outside the quality modules (conftest)
    (folder / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    assert runner.main(str(folder)) == 0  # what Start runs (in the background, from the queue)
    status = client.get("/render/tl_band/status.json").json()
    assert status["state"] == "done" and status["video"] == "results/timelines/tl_band/tl_band.mp4", status
    assert probe(folder / status["video"])["frames"] == 8
    page = client.get("/render/tl_band/").content.decode()
    assert f'src="/render/tl_band/file/{status["video"]}"' in page and 'id="timeline-parts"' in page
    assert re.search(r'id="shot-2">.*?class="made"', page, re.S) and not re.search(
        r'id="shot-1">[^✓]*?class="made"[^✓]*?id="shot-2"', page, re.S
    )
    assert "tl_band.otio" in page  # the editor's timeline, to download
