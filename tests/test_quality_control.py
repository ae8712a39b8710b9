"""Quality control: each render measures its own flicker and finds its bad frames (paintflow.quality),
`paintflow verify --quality` lists them and `paintflow redo` makes exactly them again."""

import json
import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
import yaml

from conftest import make_clip, run_snakemake, shared
from paintflow import PaintflowError
from paintflow.files import read_rgb, write_rgb
from paintflow.quality import Thresholds, border_scores, chain_flows, flags, frame_kinds, measure_frame
from paintflow.redo import parse_frames

QUALITY = True  # its renders run the quality stage (tests/conftest.py: _quality_stage)


def test_chained_flows_carry_frame_t_minus_n_onto_t():
    """Three one-step backward flows of a pattern moving 1 px right per frame chain into the 3-step flow."""
    rng = np.random.default_rng(0)
    frame0 = (rng.random((40, 60, 3)) * 255).astype(np.float32)
    step = np.zeros((40, 60, 2), np.float32)
    step[..., 0] = -1.0  # frame t's pixel x came from x-1 in frame t-1
    ones = np.ones((40, 60), np.float32)
    flow, mask = chain_flows([step, step, step], [ones, ones, ones])[-1]
    assert np.allclose(flow[..., 0], -3.0) and np.allclose(flow[..., 1], 0.0)
    assert mask[:, :3].max() == 0 and mask[:, 3:].min() == 1  # points carried in from outside the frame: unjudged
    frame3 = np.roll(frame0, 3, axis=1)
    from paintflow.warp import warp

    assert np.abs(warp(frame0, flow) - frame3)[:, 3:].max() < 1e-3


def test_each_defect_is_named_on_its_own_frame():
    photo = read_rgb(shared("content", "chelsea.png"))[:180, :320].copy()
    clean = border_scores(photo)
    grey = photo.copy()
    grey[:, -2:] = 128  # two grey columns on the right
    smeared = photo.copy()
    smeared[-3:] = smeared[-4]  # the bottom rows repeat the one above (a replicate pad)
    th = Thresholds()
    assert min(min(v) for v in clean.values()) > th.border
    assert border_scores(grey)["right"][0] < th.border and border_scores(smeared)["bottom"][0] < th.border

    moving = np.roll(photo, 4, axis=1)
    rec = measure_frame([photo, photo], [moving, photo], [], [])  # the source moves, the render does not
    assert "frozen" in frame_kinds(rec, th)
    assert frame_kinds(measure_frame([np.zeros_like(photo), photo], [moving, photo], [], []), th)[0] == "black"
    assert frame_kinds(measure_frame([grey, moving], [photo, moving], [], []), th) == ["border"]
    assert frame_kinds(measure_frame([moving, photo], [moving, photo], [], []), th) == []
    # the source's own flat edge (a letterbox) is not the render's fault
    letterbox = photo.copy()
    letterbox[:12] = 0
    assert frame_kinds(measure_frame([letterbox, moving], [letterbox, moving], [], []), th) == []


def test_a_pop_is_its_frame_not_the_one_after():
    """Frame 6 re-painted on its own: errors 5→6 and 6→7 are both high, 5→7 is ordinary: only 6 pops."""
    base = {"luma": 0.5, "spread": 0.2, "source_luma": 0.5, "source_spread": 0.2, "change": 0.02, "source_change": 0.02}
    edges = {e: [1.0] * 4 for e in ("top", "bottom", "left", "right")}
    records = {t: {**base, "border": edges, "source_border": edges, "e1": 0.003, "e2": 0.005} for t in range(1, 13)}
    records[1]["e1"] = records[1]["e2"] = records[2]["e2"] = None
    records[6]["e1"] = records[7]["e1"] = 0.04
    records[6]["e2"] = 0.04  # 4→6 is high too
    records[10]["e1"] = 0.05  # a step: 10 differs from 9 and stays (11 agrees with 10)
    records[11]["e2"] = 0.05
    found = flags(records, [range(1, 13)], Thresholds())
    assert {t: f["kinds"] for t, f in found.items()} == {6: ["pop"], 10: ["pop"]}
    assert flags(records, [range(1, 7), range(7, 13)], Thresholds())[6]["kinds"] == ["pop"]
    # with the footage's own errors: where the footage itself jumps (a still plate whose performer moves in
    # its last frames), the look following it is no pop; frame 6 still is (the footage was steady there)
    for t in range(2, 13):
        records[t]["floor1"] = 0.002
    records[12]["e1"], records[12]["floor1"] = 0.03, 0.025
    assert {t: f["kinds"] for t, f in flags(records, [range(1, 13)], Thresholds()).items()} == {
        6: ["pop"],
        10: ["pop"],
    }


def test_content_distance_says_whether_a_frame_shows_its_own_source():
    """0 for the source itself; a painted-looking version (colours and strokes changed, the scene kept) is far
    closer than the scene moved on: the meter measures what is shown, not how it is painted."""
    import torch

    from paintflow import vgg
    from paintflow.metrics import ContentMeter
    from paintflow.quality import content_record, content_size

    torch.set_num_threads(2)
    meter = ContentMeter(vgg.VGGFeatures(vgg.convert("auto")))
    photo = cv2.resize(read_rgb(shared("content", "chelsea.png")), (160, 106), interpolation=cv2.INTER_AREA)
    painted = cv2.stylization(photo, sigma_s=30, sigma_r=0.45)  # OpenCV's edge-preserving "painting"
    moved = np.roll(photo, 40, axis=1)  # the subject has moved on
    assert meter.distance(photo, photo) == 0
    assert 0 < meter.distance(painted, photo) < 0.75 * meter.distance(moved, photo)
    rec = content_record(meter, 2, painted, [photo, moved])  # painted from frame 2, the source moved since 1
    assert rec["content"] < rec["content_back"][0] and rec["source_back"][0] > Thresholds().ghost_change
    lagging = content_record(meter, 3, cv2.stylization(moved, sigma_s=30, sigma_r=0.45), [photo, photo, moved])
    assert lagging["content_back"][1] < lagging["content"]  # a painting of frame 1 shows frame 1 better
    assert content_size((720, 1280), 320) == (180, 320) and content_size((90, 160), 320) == (90, 160)


def test_a_smear_and_a_ghost_are_judged_against_the_shot_painted_fresh():
    """Frames 5-7 drift to twice the distance of the shot's fresh first frame: smear; frame 9 shows source
    frame t-2 better than its own while the footage moved: ghost; a little drift, a still source, a margin
    under the threshold and a new shot (its own fresh reference) are not flagged."""
    base = {"luma": 0.5, "spread": 0.2, "source_luma": 0.5, "source_spread": 0.2, "change": 0.02, "source_change": 0.02}
    edges = {e: [1.0] * 4 for e in ("top", "bottom", "left", "right")}
    records = {
        t: {**base, "border": edges, "source_border": edges, "e1": 0.003, "e2": 0.005, "content": 0.7}
        for t in range(1, 13)
    }
    for t in range(2, 13):
        records[t] |= {"content_back": [0.9, 1.0], "source_back": [0.3, 0.4]}
    records[4]["content"] = 0.85  # a little drift: not a smear
    for t in (5, 6, 7):
        records[t] |= {"content": 1.45, "content_back": [1.6, 1.7]}
    records[9] |= {"content": 0.8, "content_back": [0.9, 0.7]}  # closer to frame 7's source than its own
    records[10] |= {"content": 0.8, "content_back": [0.78, 0.9]}  # closer by less than the margin
    records[11] |= {"content": 0.8, "content_back": [0.7], "source_back": [0.15]}  # the source moved too little
    records[12]["content"] = 1.5  # a new shot starting at 12 is its own reference
    found = flags(records, [range(1, 12), range(12, 13)], Thresholds())
    assert {t: f["kinds"] for t, f in found.items()} == {5: ["smear"], 6: ["smear"], 7: ["smear"], 9: ["ghost"]}
    assert "2.1x the shot's fresh 0.70" in found[5]["why"] and "source frame t-2 better" in found[9]["why"]
    assert flags(records, [range(1, 13)], Thresholds(smear=2.5)).keys() == {9, 12}  # thresholds re-run nothing
    assert flags(records, [range(1, 13)], Thresholds(smear=2.0)).keys() == {5, 6, 7, 9, 12}


def test_frames_are_named_plainly():
    assert parse_frames("118, 430-432,5", 500) == [5, 118, 430, 431, 432]
    for bad, says in [
        ("7-3", "backwards"),
        ("0", "outside"),
        ("12x", "not a frame"),
        ("", "no frame"),
        ("499-501", "1-500"),
    ]:
        with pytest.raises(PaintflowError, match=says):
            parse_frames(bad, 500)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A fast look smoothed with the flow (a chain) and a second fast style on the same clip."""
    wd = tmp_path_factory.mktemp("qc")
    clip = make_clip(wd / "clip.mp4", audio=False, seconds=1.6)
    look = {"look": "fast", "video": "clip", "fast": {"style": 19}, "smooth": {"method": "flow_blend", "alpha": 0.6}}
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 96, "fps": 10}},
        "renders": {"main": look, "other": {"look": "fast", "video": "clip", "fast": {"style": 3}}},
        "flow": {"keep": True},
        "upscale": {"scale": 1},
        "execution": {"chunk_frames": 8},
        "shots": {"default": "none"},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(wd)
    return wd, proc


def paintflow(wd, command, *args, env=None):
    cmd = [sys.executable, "-m", "paintflow", command, "--directory", str(wd), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_clean_render_flags_nothing_and_says_so_when_it_ends(measured):
    wd, proc = measured
    lines = [ln for ln in proc.stderr.splitlines() if "] quality: E_warp" in ln]
    assert len(lines) == 1 and lines[0].startswith("[main] quality: E_warp") and lines[0].endswith("no frame flagged")
    figures = json.loads((wd / "results/renders/main/report/quality.json").read_text())
    assert figures["measured"] == 16 and figures["flagged"] == {} and figures["flow"]
    assert 0 < figures["floor"] < figures["e_warp"] < figures["e_warp_long"] < 0.05
    # faithfulness beside steadiness: every frame's content distance to its own source and the earlier ones
    records = [json.loads(p.read_text()) for p in sorted((wd / "results/renders/main/quality").glob("*.json"))]
    assert all(r["content"] > 0 for r in records) and len(records[4]["content_back"]) == 4
    assert 0 < figures["content"] <= figures["content_max"] and "; content distance " in lines[0]
    other = json.loads((wd / "results/renders/other/report/quality.json").read_text())
    assert not other["flow"] and other["flagged"] == {}  # no flow for that look: the plain difference
    assert read_rgb(wd / "results/renders/main/report/quality.png").shape[1] >= 900


def test_injected_defects_are_flagged_and_redo_makes_exactly_them_again(measured):
    wd, _ = measured
    r = wd / "results/renders"

    def frame(render, t):
        return r / render / "fast" / f"{t:06d}.png"

    for t in (4, 5):  # grey lines at the top
        img = read_rgb(frame("main", t))
        img[:2] = 128
        write_rgb(frame("main", t), img)
    write_rgb(frame("main", 8), read_rgb(frame("main", 7)))  # frozen
    write_rgb(frame("main", 11), read_rgb(frame("other", 11)))  # one frame painted independently: a pop
    write_rgb(frame("main", 14), np.zeros_like(read_rgb(frame("main", 14))))  # black
    shutil.rmtree(r / "main/quality")  # measure the damaged render again
    shutil.rmtree(wd / "results/.paintflow/store/quality/main")
    run_snakemake(wd)
    paintflow(wd, "verify", "--quality", "--json", str(wd / "q.json"))
    found = json.loads((wd / "q.json").read_text())["main"]["flagged"]
    assert {int(t): f["kinds"][0] for t, f in found.items()} == {
        4: "border",
        5: "border",
        8: "frozen",
        11: "pop",
        14: "black",
    }

    kept = {t: os.stat(frame("main", t)).st_ino for t in range(1, 17) if t not in (4, 5, 8, 11, 14)}
    dry = paintflow(wd, "redo", "main", "--frames", "4-5,8,11,14", "--dry-run")
    planned = dry.split("jobs: ")[1].splitlines()[0].split(", ")
    jobs = wd / "jobs.json"
    out = paintflow(
        wd, "redo", "main", "--frames", "4-5,8,11,14", "--", "--cores", "2", env={"PAINTFLOW_JOBS_JSON": str(jobs)}
    )
    ran = [json.loads(ln)["rule"] for ln in jobs.read_text().splitlines()]
    assert sorted(j for j in ran if j != "all") == sorted(planned)
    assert "other" not in " ".join(ran)
    assert {t: os.stat(frame("main", t)).st_ino for t in kept} == kept  # every other frame left alone
    assert "no frame flagged" in paintflow(wd, "verify", "--quality")
    assert (r / "main/main.mp4").is_file() and "the old files are kept in" in out
    old = next((wd / "results/.paintflow/redo").iterdir())
    assert read_rgb(old / "renders/main/fast/000014.png").max() == 0  # the black frame kept aside, not lost
