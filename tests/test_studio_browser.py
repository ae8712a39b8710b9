"""paintflow studio in a real browser (headless Chromium driven by Selenium): upload a tiny clip, pick a
painting, see the preview and the estimate, start the render, watch it reach 100 %, play the video. Midway
the studio server is killed and started again (the render goes on), and the render is stopped and resumed:
the frames are the same as a render made from the terminal. Then every other look, each from the page alone
(its fields, its paintings clicked, its preview, start, play), against one terminal render of the configs
the studio saved. Screenshots of every page are saved."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_clip, run_snakemake, snakemake_cmd

CHROMIUM, DRIVER = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver")
SHOTS = Path(os.environ["PAINTFLOW_SCREENSHOTS"]) if os.environ.get("PAINTFLOW_SCREENSHOTS") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_studio(project: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paintflow", "studio", "--project", str(project), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the studio did not start:\n{log.read_text()[-2000:]}")


def new_studio(tmp_path: Path, clip: str, seconds: float):
    """A project folder, a clip with sound to upload, and a studio serving the project:
    (project, screenshots folder, clip, port, studio log, server process)."""
    project = tmp_path / "project"
    project.mkdir()
    port, log = free_port(), tmp_path / "studio.log"
    clip_path = make_clip(tmp_path / clip, audio=True, seconds=seconds)
    return project, tmp_path / "screenshots", clip_path, port, log, start_studio(project, port, log)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("chrome")
    if not Path(CHROMIUM).is_file() or not DRIVER:
        pytest.skip("Chromium or ChromeDriver is not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chrome'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def shot(driver, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"studio_{name}.png"))


def wait(check, seconds: float, what: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def left(element) -> bool:
    """The page that held `element` is gone (Chrome may answer a node of a page being replaced with an inspector
    error instead of a stale element: both mean it left)."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def state(driver, base, name) -> str:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}/render/{name}/status.json") as fh:
        return json.load(fh)["state"]


def test_the_studio_in_a_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By

    project, shots, clip, port, log, server = new_studio(tmp_path, "band.mp4", seconds=1.2)
    base = f"http://127.0.0.1:{port}"
    try:
        d = browser
        d.get(f"{base}/new/")
        d.find_element(By.ID, "id_name").send_keys("band")
        d.find_element(By.ID, "id_video_upload").send_keys(str(clip))
        width = d.find_element(By.ID, "id_width")
        width.clear()
        width.send_keys("64")
        d.find_element(By.CSS_SELECTOR, "#id_look option[value=fast]").click()
        d.find_element(By.CSS_SELECTOR, "input[name=painting][value$='starry_night.jpg']").click()
        shot(d, shots, "new")
        d.find_element(By.ID, "create").click()
        wait(lambda: "/render/band/" in d.current_url, 30, "the render page")
        d.find_element(By.ID, "preview").click()
        image = wait(lambda: d.find_elements(By.ID, "preview-image"), 60, "the preview image")[0]
        wait(lambda: d.execute_script("return arguments[0].naturalWidth", image) == 64, 10, "the preview to load")
        shot(d, shots, "preview")
        d.find_element(By.ID, "start").click()
        wait(lambda: state(d, base, "band") == "running", 30, "the render to start")
        said = [m.text for m in d.find_elements(By.CSS_SELECTOR, ".messages li")]
        assert said == ["band: started"], said  # not "queued": nothing is before it
        wait(  # what it is at, from the first seconds (Snakemake starting, then each job and frame)
            lambda: d.find_element(By.ID, "doing").text.startswith("now: ") or state(d, base, "band") == "done",
            20,
            "the page to say what the render is at",
        )
        shot(d, shots, "running")

        # the studio dies mid-render and comes back: the render went on in its own process group
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        server = start_studio(project, port, log)
        d.get(f"{base}/render/band/")
        assert state(d, base, "band") in ("running", "done")
        if state(d, base, "band") == "running":  # stop it, estimate the rest, then resume it from the page
            d.find_element(By.ID, "cancel").click()
            wait(lambda: state(d, base, "band") == "stopped", 30, "the render to stop")
            # a stopped render keeps its bar and its pictures: what its last chunk finished is kept
            with urllib.request.urlopen(f"{base}/render/band/status.json") as fh:
                stopped = json.load(fh)
            if stopped["frames_done"] + stopped["frames_kept"]:
                assert stopped["percent"] > 0 and stopped["thumbs"], stopped
            lines = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".stage-line")]
            assert lines and all("/24" in line for line in lines), lines
            d.find_element(By.ID, "plan").click()  # from what the stopped run measured (or a few frames made)
            plan = wait(lambda: d.find_elements(By.ID, "plan-text"), 90, "the estimate")[0]
            assert "frames" in plan.text and "no GPU" in plan.text, plan.text
            d.find_element(By.ID, "start").click()
        wait(lambda: state(d, base, "band") == "done", 240, "the render to finish")
        d.get(f"{base}/render/band/")
        assert "100%" in d.find_element(By.ID, "bar").get_attribute("style").replace(" ", "")
        video = d.find_element(By.ID, "video")
        wait(lambda: d.execute_script("return arguments[0].readyState", video) >= 1, 30, "the video to load")
        assert d.execute_script("return arguments[0].duration", video) > 0.5
        shot(d, shots, "done")
        d.get(f"{base}/")
        shot(d, shots, "renders")
        d.get(f"{base}/render/band/")  # Remove asks first; said no, the render stays
        d.find_element(By.ID, "remove").click()
        alert = d.switch_to.alert
        assert "Remove the render band" in alert.text and "cannot be undone" in alert.text
        alert.dismiss()
        assert state(d, base, "band") == "done" and (project / "renders/band/config.yaml").is_file()
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    # the same config rendered from a terminal, uninterrupted: the same frames
    reference = tmp_path / "reference"
    reference.mkdir()
    config = yaml.safe_load((project / "renders/band/config.yaml").read_text())
    (reference / "config.yaml").write_text(yaml.safe_dump(config))
    run_snakemake(reference)
    ours = sorted((project / "renders/band/results/renders/band/fast").glob("*.png"))
    theirs = sorted((reference / "results/renders/band/fast").glob("*.png"))
    assert len(ours) == len(theirs) == 24  # 1.2 s at the clip's 20 fps
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(ours, theirs))
    assert REPO.is_dir()


def test_a_keyframe_render_from_the_page_frames_out_painted_frames_in(browser, tmp_path):
    """The keyframe look in a browser: the new render waits for its painted frames and shows the frames
    worth painting; the painted ones go in through the page's own upload field; then it can start, and a
    preview shows the painting carried to another frame (the server side: test_studio_views.py)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from paintflow.files import read_rgb, write_rgb

    project, shots, clip, port, log, server = new_studio(tmp_path, "hand.mp4", seconds=0.4)
    base = f"http://127.0.0.1:{port}"
    d = browser
    try:
        d.get(f"{base}/new/")
        d.find_element(By.ID, "id_name").send_keys("hand")
        d.find_element(By.ID, "id_video_upload").send_keys(str(clip))
        fill(d, "width", "64")
        Select(d.find_element(By.ID, "id_look")).select_by_value("keyframes")
        fill(d, "keyframes__steps", "30")
        d.find_element(By.ID, "create").click()
        wait(lambda: "/render/hand/" in d.current_url, 30, "the render page")
        assert state(d, base, "hand") == "waiting" and not d.find_elements(By.ID, "start")
        wait(lambda: d.find_elements(By.ID, "to-paint-sheet"), 60, "the frames to paint")  # the page reloads
        assert d.find_element(By.ID, "to-paint-zip").get_attribute("href").endswith("/render/hand/to_paint.zip")
        shot(d, shots, "keyframes_to_paint")
        painted = []
        for frame in sorted((project / "renders/hand/.studio/to_paint").glob("*.png")):  # as an artist would
            painted.append(tmp_path / frame.name)
            write_rgb(painted[-1], 255 - read_rgb(frame))
        d.find_element(By.ID, "painted").send_keys("\n".join(str(p) for p in painted))
        d.find_element(By.ID, "upload-painted").click()
        said = wait(lambda: [m.text for m in d.find_elements(By.CSS_SELECTOR, ".messages li")], 30, "the upload")
        assert "every shot has one, the render can start" in said[0], said
        assert state(d, base, "hand") == "new" and d.find_elements(By.ID, "start")
        assert len(d.find_elements(By.CSS_SELECTOR, "#painted-frames img")) == len(painted)
        d.find_element(By.CSS_SELECTOR, "input[name=frame]").send_keys("3")
        d.find_element(By.ID, "preview").click()
        image = wait(lambda: d.find_elements(By.ID, "preview-image"), 120, "the preview image")[0]
        wait(lambda: d.execute_script("return arguments[0].naturalWidth", image) == 64, 10, "the preview to load")
        shot(d, shots, "keyframes")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# every other look from the page, its knobs turned down for a CPU: (fields typed or ticked, paintings clicked)
LOOKS_FROM_THE_PAGE = {
    "paint": ({"paint__iterations": "2", "paint__first_frame_iterations": "4"}, ["the_scream.jpg"]),
    "dream": ({"dream__octaves": "1", "dream__iterations": "2"}, []),
    "zoom": ({"zoom__frames": "3", "zoom__reverse": True}, []),
    "layer_sheet": ({"layer_sheet__dream__octaves": "1", "layer_sheet__dream__iterations": "2"}, []),
    "music": ({"music__clusters": "2"}, []),
    "latent": ({"latent__steps": "8", "latent__refiner_steps": "2"}, ["starry_night.jpg", "the_scream.jpg"]),
}


# rendered again from a terminal, their pictures compared: one look per way a studio config names its files
# (a gallery painting, a still's zoom, paintings copied into the render's own folder) — each look's studio
# config is made by the same code (views._config_of), and the others are not rendered twice
FROM_A_TERMINAL = ("paint", "zoom", "latent")


def fill(d, field: str, value) -> None:
    from selenium.webdriver.common.by import By

    element = d.find_element(By.ID, f"id_{field}")
    if isinstance(value, bool):
        if element.is_selected() != value:
            element.click()
    else:
        element.clear()
        element.send_keys(value)


def final_files(dag, render: str) -> list[Path]:
    """What a render makes last: its sheet, or the frames of its final stage."""
    from paintflow.paths import frame_path

    if dag.look(render).sheet:
        return [Path(dag.sheet_path(render))]
    frames = range(1, dag.renders[render].frames + 1)
    return [Path(frame_path(dag.results, dag.final_stage(render), render, t)) for t in frames]


def terminal_reference(project: Path, reference: Path):
    """The configs the studio saved, rendered together from a terminal (one footage, one set of shared
    settings: the renders side by side), their final pictures alone. Returns (its workflow, the process)."""
    from paintflow.config import absolute_paths, load
    from paintflow.dag import RenderDag

    reference.mkdir()
    merged = None
    for look in LOOKS_FROM_THE_PAGE:
        folder = project / "renders" / f"every_{look}"
        config = absolute_paths(yaml.safe_load((folder / "config.yaml").read_text()), folder)
        if merged is None:
            merged = config
        else:
            assert {k: v for k, v in config.items() if k != "renders"} == {
                k: v for k, v in merged.items() if k != "renders"
            }
            merged["renders"].update(config["renders"])
    (reference / "config.yaml").write_text(yaml.safe_dump(merged))
    dag = RenderDag(absolute_paths(load(reference / "config.yaml", {"shots": {"default": "none"}}), reference))
    targets = [str(p.relative_to(reference)) for look in FROM_A_TERMINAL for p in final_files(dag, f"every_{look}")]
    log = open(reference / "snakemake.log", "w")  # noqa: SIM115 - the child's, closed with it
    return dag, subprocess.Popen(
        snakemake_cmd(reference, "--cores", "2", *targets), stdout=log, stderr=subprocess.STDOUT
    )


def test_every_look_from_the_page(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    import paintflow.looks
    from paintflow.config import absolute_paths, load
    from paintflow.dag import RenderDag
    from paintflow.registry import LOOKS

    built_in = Path(paintflow.looks.__file__).parent
    # fast: test_the_studio_in_a_browser; keyframes: its page (frames to paint, painted ones uploaded, a
    # preview) in test_studio_views.py, its render in test_keyframes.py (a render needs a person's paintings)
    assert set(LOOKS_FROM_THE_PAGE) | {"fast", "keyframes"} == {
        n for n, look in LOOKS.items() if look.folder.parent == built_in
    }
    project, shots, clip, port, log, server = new_studio(tmp_path, "song_clip.mp4", seconds=0.2)
    base = f"http://127.0.0.1:{port}"
    d = browser
    try:
        for i, (look, (fields, paintings)) in enumerate(LOOKS_FROM_THE_PAGE.items()):
            name = f"every_{look}"
            d.get(f"{base}/new/")
            d.find_element(By.ID, "id_name").send_keys(name)
            if i == 0:
                d.find_element(By.ID, "id_video_upload").send_keys(str(clip))
            else:
                Select(d.find_element(By.ID, "id_video")).select_by_value(clip.name)
            fill(d, "width", "64")
            Select(d.find_element(By.ID, "id_look")).select_by_value(look)  # its fields appear
            for field, value in fields.items():
                fill(d, field, value)
            for painting in paintings:  # tick boxes for a look that learns from several
                d.find_element(By.CSS_SELECTOR, f"input[name=painting][value$='{painting}']").click()
            shot(d, shots, f"new_{look}")
            d.find_element(By.ID, "create").click()
            wait(lambda: f"/render/{name}/" in d.current_url, 30, f"the page of {name}")  # noqa: B023
            if look == "latent":  # its model is trained by the render: said, and previewed once done (below)
                d.find_element(By.ID, "preview").click()
                said = wait(lambda: d.find_elements(By.CSS_SELECTOR, ".card .errorlist"), 60, "the latent's answer")
                assert "a preview is possible once the training is done" in said[0].text
            elif LOOKS[look].preview:
                d.find_element(By.ID, "preview").click()
                image = wait(lambda: d.find_elements(By.ID, "preview-image"), 90, f"{look}'s preview")[0]
                wait(lambda: d.execute_script("return arguments[0].naturalWidth", image) == 64, 10, "the preview")  # noqa: B023
            else:
                assert not d.find_elements(By.ID, "preview"), f"{look}: a preview button for a look without one"
            start = d.find_element(By.ID, "start")
            start.click()  # queued: the studio runs one render at a time
            wait(lambda: left(start), 30, f"the page after {name}'s start")  # noqa: B023 - before the next look
        for look in LOOKS_FROM_THE_PAGE:
            name = f"every_{look}"
            wait(lambda: state(d, base, name) in ("done", "failed"), 300, f"{name} to finish")  # noqa: B023
            d.get(f"{base}/render/{name}/")
            assert state(d, base, name) == "done", d.find_element(By.TAG_NAME, "main").text[-2000:]
            if LOOKS[look].sheet:  # one picture, shown
                assert d.find_elements(By.CSS_SELECTOR, f"#thumbs img[src*='{name}_layers.png']")
            else:
                video = d.find_element(By.ID, "video")
                wait(lambda: d.execute_script("return arguments[0].readyState", video) >= 1, 30, "the video")  # noqa: B023
                assert d.execute_script("return arguments[0].duration", video) > 0.1
            if look == "latent":  # the training's loss plot, and now a preview with the trained model
                assert d.find_elements(By.CSS_SELECTOR, "img[alt='training loss']")
                d.find_element(By.ID, "preview").click()
                image = wait(lambda: d.find_elements(By.ID, "preview-image"), 60, "the trained preview")[0]
                wait(lambda: d.execute_script("return arguments[0].naturalWidth", image) == 64, 10, "the preview")  # noqa: B023
            shot(d, shots, f"done_{look}")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    # the saved configs from a terminal (after the studio's renders: at the same time, the three of them fought
    # over the 2 cores and took longer)
    theirs, terminal = terminal_reference(project, tmp_path / "reference")
    assert terminal.wait() == 0, (tmp_path / "reference/snakemake.log").read_text()[-3000:]
    for look in FROM_A_TERMINAL:
        name = f"every_{look}"
        ours = RenderDag(absolute_paths(load(project / "renders" / name / "config.yaml"), project / "renders" / name))
        a, b = final_files(ours, name), final_files(theirs, name)
        assert len(a) == len(b) >= 1 and [p.name for p in a] == [p.name for p in b], look
        assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b)), f"{look}: not the terminal's pictures"
    assert (project / "renders/every_zoom/results/renders/every_zoom/every_zoom.mp4").is_file()
