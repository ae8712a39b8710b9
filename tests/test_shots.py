"""Shots: cuts found (or given by the editor's cut list), and every temporal look restarted at them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from edits import write_cut, write_edit

from conftest import shared, snakemake_cmd
from paintflow import PaintflowError
from paintflow.config import prepare
from paintflow.dag import RenderDag
from paintflow.files import read_gray, read_rgb
from paintflow.shots import boundaries_from_scores, detect, from_edit, listed

INFO = {"frames": 100, "fps": 25.0, "start": 2.0, "source_fps": 25.0, "width": 64, "height": 36}


# --- finding the cuts ------------------------------------------------------------------------------
def test_scores_give_one_cut_per_peak_and_a_transition_its_own_shot():
    cut, transition = np.zeros(40), np.zeros(40)
    cut[9], cut[10] = 0.7, 0.9  # frame 11 ends its shot: the next starts at 12
    transition[[10, 11]] = 0.8  # around the hard cut: the cut itself, not a transition
    transition[[24, 25, 26, 29, 30]] = 0.7  # a fade: frames 25-31 (with its black middle)
    assert boundaries_from_scores(cut, transition, 0.5) == {
        12: ("cut", 0.9),
        25: ("transition", 0.7),
        32: ("transition", 0.7),
    }


@pytest.fixture(scope="module")
def edit(tmp_path_factory):
    path = tmp_path_factory.mktemp("edit") / "edit.mp4"
    truth = write_edit(path, (256, 144))
    from paintflow.video import probe

    return path, probe(path), truth


def scored(shots, truth) -> tuple[float, float, list]:
    """Precision and recall of a detector's shot starts against the truth (a cut inside the fade counts
    once); the false ones."""
    found = [s for s in shots.starts[1:]]
    fade = range(truth["fade"][0], truth["fade"][1] + 2)
    hits = {c for c in truth["cuts"] for s in found if (s == c or (c in fade and s in fade))}
    false = [s for s in found if s not in truth["cuts"] and s not in fade]
    precision = (len(found) - len(false)) / max(len(found), 1)
    return precision, len(hits) / len(truth["cuts"]), false


def test_transnet_finds_every_cut_of_a_real_edit_and_none_on_a_flash_or_a_pan(edit):
    path, info, truth = edit
    figures = {}
    for detector in ("transnetv2", "adaptive", "content"):
        shots = detect(path, info, {"detector": detector, "threshold": 0.5})
        figures[detector] = (*scored(shots, truth), shots.starts)
    for detector, (p, r, false, starts) in figures.items():
        print(f"{detector}: precision {p:.2f} recall {r:.2f}, false cuts at {false}; shots start at {starts}")
    precision, recall, false, starts = figures["transnetv2"]
    assert recall == 1.0 and precision == 1.0, starts
    assert truth["flash"] not in starts and truth["flash"] + 1 not in starts
    assert not any(truth["pan"][0] < s <= truth["pan"][1] for s in starts)
    assert set(range(truth["fade"][0], truth["fade"][1] + 2)) & set(starts), "the fade is a transition"


# --- cuts the user gives ---------------------------------------------------------------------------
def test_listed_cuts_are_frames_of_the_clip_or_times_of_the_source():
    shots = listed([10, "3.0s", "0:04", "00:00:05:00"], INFO, "videos.v.shots")
    assert shots.starts == [1, 10, 26, 51, 76]  # 3.0 s of the source is 1.0 s into a clip starting at 2 s
    with pytest.raises(PaintflowError, match=r"videos.v.shots\[1\].*outside the clip.*2…100"):
        listed([10, 101], INFO, "videos.v.shots")
    with pytest.raises(PaintflowError, match=r"videos.v.shots\[0\]: not a time"):
        listed(["soon"], INFO, "videos.v.shots")


EDL = """\
TITLE: band_sequence
FCM: NON-DROP FRAME

001  AX       V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME: drums.mov
002  AX       V     C        00:01:00:00 00:01:01:00 01:00:02:00 01:00:03:00
* FROM CLIP NAME: crowd.mov
003  AX       V     C        00:00:30:00 00:00:31:00 01:00:03:00 01:00:04:00
004  AX       V     C        00:02:00:00 00:02:00:00 01:00:04:00 01:00:04:00
004  BX       V     D    012 00:05:00:00 00:05:01:00 01:00:04:00 01:00:05:00
"""


def test_an_edl_gives_the_edit_cuts_with_the_clip_start_applied(tmp_path):
    edl = tmp_path / "cut.edl"
    edl.write_text(EDL)
    info = {**INFO, "source_duration": 5.0}
    shots = from_edit(edl, info, "videos.v.shots")
    # cuts at 2 s, 3 s of the timeline; the clip starts at 2 s: frames 1 and 26; the 12-frame dissolve at 4 s
    # (frames 51-62 of the clip) is a shot of its own
    assert shots.starts == [1, 26, 51, 63], shots.to_json()
    bad = tmp_path / "bad.edl"
    bad.write_text(EDL.replace("002  AX       V     C        00:01:00:00", "002  AX       V     C        00:01:00"))
    with pytest.raises(PaintflowError, match=rf"{re.escape(str(bad))}:6: not a CMX 3600 event line"):
        from_edit(bad, info, "videos.v.shots")
    with pytest.raises(PaintflowError, match="5.00 s timeline but the video file is 9.00 s long"):
        from_edit(edl, {**info, "source_duration": 9.0}, "videos.v.shots")


def test_an_otio_or_fcp_xml_cut_list_at_another_frame_rate_is_refused(tmp_path):
    import opentimelineio as otio

    timeline = otio.schema.Timeline(name="sequence")
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for name in ("a", "b"):
        media = otio.schema.ExternalReference(
            target_url=f"file:///{name}.mov",
            available_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(100, 30)),
        )
        span = otio.opentime.TimeRange(duration=otio.opentime.RationalTime(50, 30))
        track.append(otio.schema.Clip(name=name, media_reference=media, source_range=span))
    for path, adapter in ((tmp_path / "edit.otio", "otio_json"), (tmp_path / "edit.xml", "fcp_xml")):
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter)
        with pytest.raises(PaintflowError, match="cut at 30 fps but .* runs at 25 fps"):
            from_edit(path, INFO, "videos.v.shots")
        shots = from_edit(path, {**INFO, "fps": 30.0, "source_fps": 30.0, "start": 0.0}, "videos.v.shots")
        assert shots.starts == [1, 51], path.name


# --- where chains start --------------------------------------------------------------------------------
def test_segments_split_each_shot_and_no_pair_crosses_a_cut(tmp_path):
    """The model of the render (no job run): chunks, chains, lead-ins and flow pairs of a clip cut at frame 7."""
    clip = tmp_path / "cut.mp4"
    write_cut(clip, each=6)
    cfg = {
        "results": str(tmp_path / "results"),
        "videos": {"v": {"path": str(clip), "shots": [7]}},
        "renders": {
            "seg": {"video": "v", "style": LOOKS["paint"]["style"], "stylize": {"segments": 2, "overlap": 2}},
            "long": {"video": "v", "style": LOOKS["paint"]["style"], "stylize": {"long_term": [1, 4]}},
        },
        "execution": {"chunk_frames": 5},
    }
    dag = RenderDag(prepare(cfg))
    assert dag.segment_starts("seg") == [1, 4, 7, 10]  # two segments in each 6-frame shot
    assert dag.lead_ranges("seg") == [range(2, 4), range(8, 10)]  # lead-ins inside their shot
    assert dag.chain_prev("stylize", "seg", 7) is None and dag.chain_prev("stylize", "seg", 10) == ("lead", 9)
    assert dag.chain_prev("stylize", "long", 7) is None and dag.chain_prev("stylize", "long", 11) == ("stylize", 10)
    assert [j.frames for j in dag.chunk_jobs_of("stylize", "long")] == [
        range(1, 6),
        range(6, 7),
        range(7, 11),
        range(11, 13),
    ]
    pairs = [t for j in dag.chunk_jobs_of("flow", "v") for t in j.frames]
    assert pairs == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]  # no pair (6, 7)
    assert [t for j in dag.chunk_jobs_of("masks", "v") for t in j.frames] == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]
    assert dag.long_pairs("v", range(1, 13)) == [(1, 4), (2, 4), (7, 4), (8, 4)]
    assert dag.chain_params("stylize", "long", range(7, 11)) == {"shot": "7"}
    assert dag.chain_params("stylize", "long", range(1, 6)) == {}
    assert dag.chain_params("pass2", "long", range(1, 6), both_ways=True) == {"shot": "1-6"}


# --- every temporal look restarts at a cut -----------------------------------------------------------
LOOKS = {
    "paint": {"style": str(shared("style", "starry_night.jpg"))},
    "longpass": {
        "style": str(shared("style", "starry_night.jpg")),
        "stylize": {"long_term": [1, 2], "passes": 2, "pass_iterations": 3},
    },
    "fast": {"look": "fast", "smooth": {"method": "flow_blend"}},
    "dream": {"look": "dream", "dream": {"octaves": 1, "iterations": 2}},
    "keyed": {"look": "fast", "fast": {"style": 7}, "key": {"background": {"original": True}}},
}
MATTE = {"method": "chroma", "color": [60, 160, 70], "stabilize": 0.5}


@pytest.fixture(scope="module")
def cut_render(tmp_path_factory):
    """Every temporal look over a clip with one cut (video `cut`), the same looks over its second shot
    alone (video `alone`: start at the cut), and the painted look over the clip taken as one shot."""
    wd = tmp_path_factory.mktemp("shots")
    clip = wd / "cut.mp4"
    cut = write_cut(clip)
    cfg = {
        "results": str(wd / "results"),
        "videos": {
            "cut": {"path": str(clip), "shots": "auto", "matte": MATTE},
            "alone": {"path": str(clip), "start": (cut - 1) / 20, "shots": "none", "matte": MATTE},
            "whole": {"path": str(clip), "shots": "none"},
        },
        "renders": {
            **{f"{name}_{v}": {"video": v, **look} for name, look in LOOKS.items() for v in ("cut", "alone")},
            "paint_whole": {"video": "whole", **LOOKS["paint"]},
        },
        "stylize": {"iterations": 6, "first_frame_iterations": 10},
        "upscale": {"scale": 1},
        "flow": {"keep": True},  # kept: a later edit of the cuts re-runs no flow (a temporary one is made again)
        "execution": {"chunk_frames": 4, "gpus_per_job": 1},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    dag = RenderDag(prepare(cfg))
    frames = [dag.path(dag.final_stage(r), r, t) for r in dag.renders for t in range(1, dag.renders[r].frames + 1)]
    report = f"{dag.report_dir('paint_cut')}/stages.png"  # one report (its shot sheet); no videos: not needed here
    env = {**os.environ, "PAINTFLOW_GPUS": "2"}  # two fake GPU slots: jobs claim them as on a 2-GPU machine
    env.pop("CUDA_VISIBLE_DEVICES", None)
    cmd = snakemake_cmd(wd, "--cores", "8", "--resources=gpu=2", *frames, report)
    subprocess.run(cmd, check=True, env=env, cwd=wd)
    return wd, cut


def test_the_cut_is_found_and_no_flow_crosses_it(cut_render):
    wd, cut = cut_render
    v = wd / "results/videos/cut"
    shots = json.loads((v / "shots.json").read_text())["shots"]
    assert [s["first"] for s in shots] == [1, cut]
    assert not (v / f"masks/{cut:06d}.png").exists() and (v / f"masks/{cut + 1:06d}.png").exists()
    assert not list(v.glob(f"flow/*/{cut - 1:06d}.*")) and list(v.glob(f"flow/*/{cut:06d}.*"))
    assert not (v / f"flowviz/{cut:06d}.jpg").exists() and (v / f"flowviz/{cut + 1:06d}.jpg").exists()
    from PIL import Image

    report = Image.open(wd / "results/renders/paint_cut/report/shots.png")  # a row per shot
    out = subprocess.run(
        [sys.executable, "-m", "paintflow", "shots", "-d", str(wd), "--video", "cut"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "video cut: 2 shot(s) in 8 frames" in out and re.search(rf"\s2\s+{cut}\s+8\s+0:00\.20\s", out), out
    sheet = Image.open(v / "shots.png")
    assert sheet.height > 2 * 36 and report.height > 2 * 36


@pytest.mark.parametrize("look", LOOKS)
def test_after_a_cut_every_look_renders_as_the_shot_alone(cut_render, look):
    wd, cut = cut_render
    r = wd / "results/renders"
    diffs = []
    for t in range(cut, cut + 4):
        a = read_rgb(r / f"{look}_cut" / _final(r, look, "cut") / f"{t:06d}.png")
        b = read_rgb(r / f"{look}_alone" / _final(r, look, "alone") / f"{t - cut + 1:06d}.png")
        diffs.append(float(np.abs(a.astype(float) - b).mean()))
    print(f"{look}: mean difference after the cut vs the shot alone {np.round(diffs, 3)} grey levels")
    assert max(diffs) <= 1.0
    if look == "keyed":  # the stabilised matte restarted too
        m = wd / "results/videos"
        for t in range(cut, cut + 4):
            assert np.array_equal(
                read_gray(m / f"cut/mattes/{t:06d}.png"), read_gray(m / f"alone/mattes/{t - cut + 1:06d}.png")
            )


def _final(renders: Path, look: str, video: str) -> str:
    """The folder of a render's last per-frame stage (the one its video is made of)."""
    from paintflow.registry import STAGES, chain_order

    folders = [
        s.folder
        for s in STAGES.values()
        if s.folder and s.ext == "png" and (renders / f"{look}_{video}" / s.folder).is_dir()
    ]
    order = [s.folder for s in sorted((s for s in STAGES.values() if s.folder), key=chain_order)]
    return max(folders, key=order.index)


def test_the_clip_taken_as_one_shot_drags_the_old_shot_over_the_new(cut_render):
    """The control: without the cut, the painting of the cockatoo is warped onto the man."""
    wd, cut = cut_render
    r = wd / "results/renders"
    diffs = [
        float(
            np.abs(
                read_rgb(r / "paint_whole" / _final(r, "paint", "whole") / f"{t:06d}.png").astype(float)
                - read_rgb(r / "paint_alone" / _final(r, "paint", "alone") / f"{t - cut + 1:06d}.png")
            ).mean()
        )
        for t in range(cut, cut + 4)
    ]
    print(f"one shot: mean difference after the cut vs the shot alone {np.round(diffs, 2)} grey levels")
    assert max(diffs) > 3.0


def test_two_shots_chains_are_independent_and_ran_at_once(cut_render):
    wd, cut = cut_render
    dot = subprocess.run(
        snakemake_cmd(wd, "--dag", "--forceall"), check=True, capture_output=True, text=True, cwd=wd
    ).stdout
    names = dict(re.findall(r'^\s*(\d+)\[label = "([^"]+)"', dot, re.M))
    edges = re.findall(r"^\s*(\d+) -> (\d+)", dot, re.M)

    def shot(rule):  # chunk rules are <stage>_<owner>_<first frame>
        m = re.search(r"_(cut|alone|whole)_(\d{6})$", rule)
        return None if not m or m.group(1) != "cut" else int(m.group(2)) >= cut

    crossing = [(names[a], names[b]) for a, b in edges if None not in (shot(names[a]), shot(names[b]))]
    crossing = [(a, b) for a, b in crossing if shot(a) != shot(b)]
    assert len(edges) > 50 and not crossing, crossing
    # the painted chains of the two shots again, from scratch, once everything before them is made: both
    # are ready at once, and with two GPU slots they run at once
    shutil.rmtree(wd / "results/.paintflow/store/stylize/paint_cut")
    frames = [str(p) for p in (wd / "results/renders/paint_cut/stylized").glob("0*.png")]
    chains = ["stylize_paint_cut_000001", f"stylize_paint_cut_{cut:06d}"]
    env = {**os.environ, "PAINTFLOW_GPUS": "2"}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    cmd = snakemake_cmd(wd, *frames, "--cores", "8", "--resources=gpu=2", "--forcerun", *chains)
    subprocess.run(cmd, check=True, env=env, cwd=wd, capture_output=True)
    spans = {}
    for log in (wd / "results/logs/stylize").glob("paint_cut/*.log"):
        text = log.read_text()
        gpu = re.search(r"runs on GPU (\d)", text)
        stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+)", text, re.M)
        if gpu and stamps:
            spans[f"{log.parent.name}/{log.stem}"] = (stamps[0], stamps[-1], gpu.group(1))
    print(spans)
    overlapping = [
        (a, b) for a in spans for b in spans if a < b and spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]
    ]
    assert overlapping and all(spans[a][2] != spans[b][2] for a, b in overlapping), spans


def test_adding_a_cut_rerenders_only_the_new_shot_from_the_cut(cut_render, tmp_path):
    wd, cut = cut_render
    frames = [str(p) for p in (wd / "results/renders").glob("*_cut/*/0*.png")]
    out = subprocess.run(snakemake_cmd(wd, "-n", *frames), capture_output=True, text=True, cwd=wd)
    assert "Nothing to be done" in out.stdout + out.stderr, out.stdout[-2000:]
    cfg = yaml.safe_load((wd / "config.yaml").read_text())
    cfg["videos"]["cut"]["shots"] = [cut, cut + 2]
    edited = tmp_path / "config.yaml"
    edited.write_text(yaml.safe_dump(cfg))
    out = subprocess.run(
        snakemake_cmd(wd, "-n", *frames, configfile=edited), capture_output=True, text=True, cwd=wd, check=True
    ).stdout
    jobs = re.findall(r"would run: ([^·]+?) · (\w+) · frames? (\d+)", out)
    print("\n".join(" ".join(j) for j in jobs))
    # a forward chain re-renders from the new cut on; a backward pass (multi-pass) runs from the end of its
    # shot, so the whole shot the cut splits is its to re-render
    forward = {int(t) for what, owner, t in jobs if not what.startswith("pass")}
    backward = {int(t) for what, owner, t in jobs if what.startswith("pass")}
    assert forward and min(forward) == cut + 2 and backward == {cut, cut + 2}, jobs
    assert {owner for _, owner, _ in jobs} <= {f"{look}_cut" for look in LOOKS} | {"cut"}, jobs
