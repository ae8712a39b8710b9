"""paintflow studio in a real browser (headless Chromium driven by Selenium): upload a tiny clip, pick a
painting, see the preview, start the render, watch it reach 100 %, play the video. Midway the studio
server is killed and started again (the render goes on), and the render is stopped and resumed: the
frames are the same as a render made from the terminal. Screenshots of every page are saved."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_clip, run_snakemake

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


@pytest.fixture
def browser(tmp_path):
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


def state(driver, base, name) -> str:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}/render/{name}/status.json") as fh:
        return json.load(fh)["state"]


def test_the_studio_in_a_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By

    project, shots = tmp_path / "project", tmp_path / "screenshots"
    project.mkdir()
    clip = make_clip(tmp_path / "band.mp4", audio=True, seconds=1.2)
    port, log = free_port(), tmp_path / "studio.log"
    base = f"http://127.0.0.1:{port}"
    server = start_studio(project, port, log)
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
        shot(d, shots, "running")

        # the studio dies mid-render and comes back: the render went on in its own process group
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        server = start_studio(project, port, log)
        d.get(f"{base}/render/band/")
        assert state(d, base, "band") in ("running", "done")
        if state(d, base, "band") == "running":  # stop it, then resume it from the page
            d.find_element(By.ID, "cancel").click()
            wait(lambda: state(d, base, "band") == "stopped", 30, "the render to stop")
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
