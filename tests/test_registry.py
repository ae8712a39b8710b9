"""The registry is the one place that knows the stages: a stage added there appears in the plan,
in `paintflow status` and in the report's stage strip, without touching those modules."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import make_clip, shared
from paintflow import PaintflowError, registry
from paintflow import config as cfgmod
from paintflow.cost import format_plan, job_work, plan_table, rates
from paintflow.dag import RenderDag
from paintflow.files import write_rgb
from paintflow.progress import format_progress, render_progress


@pytest.fixture
def sepia(tmp_path):
    """A fake per-frame stage applied to every render after its look."""
    stage = registry.register(
        registry.Stage(
            "sepia",
            "render",
            "sepia-toned",
            folder="sepia",
            picture=True,
            chain="refine",
            when=lambda dag, render: True,
            identity=lambda dag, owner: {"input": dag.key("stylize", owner)},
        )
    )
    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=0.6)
    config = cfgmod.prepare(
        {
            "results": str(tmp_path / "results"),
            "videos": {"v": {"path": str(clip), "width": 32, "fps": 10}},
            "renders": {"r": {"video": "v", "style": str(shared("style", "starry_night.jpg"))}},
            "execution": {"chunk_frames": 3},
        }
    )
    yield stage, RenderDag(config), tmp_path
    registry.unregister("sepia")


def test_a_registered_stage_joins_the_chain_paths_and_identities(sepia):
    _, dag, tmp = sepia
    assert dag.render_stages("r") == ["stylize", "sepia", "upscale"]
    assert dag.stage_before("upscale", "r") == "sepia"  # upscale now reads the sepia frames
    assert dag.path("sepia", "r", 4) == f"{tmp}/results/renders/r/sepia/000004.png"
    assert [j.rule for j in dag.chunk_jobs("sepia")] == ["sepia_r_000001", "sepia_r_000004"]
    assert ("sepia", "r") in dag.current_keys()


def test_a_registered_stage_appears_in_status_plan_and_report(sepia):
    _, dag, tmp = sepia
    for t in (1, 2):
        write_rgb(dag.path("sepia", "r", t), __import__("numpy").zeros((18, 32, 3), "uint8"))
    status = format_progress(render_progress(dag))
    assert "sepia-toned: 2/6" in status

    jobs = [{"rule": "sepia_r_000004", "output": dag.paths("sepia", "r", range(4, 7))}]
    units, counts = job_work(dag, jobs, tmp)
    assert units == {"sepia": 3.0} and counts == {"sepia": 1}
    bench = tmp / "results/benchmarks/sepia/r/000001-000003.tsv"
    bench.parent.mkdir(parents=True)
    bench.write_text("s\th:m:s\tmax_rss\tcpu_time\n6.0\t0:00:06\t100\t5.0\n")
    from paintflow.cost import read_benchmarks

    measured = rates(dag, read_benchmarks(dag.results))
    assert measured.loc["sepia", "s_per_unit"] == pytest.approx(2.0)
    plan = plan_table(dag, units, counts, {"sepia": 2}, measured, {"sepia": "measured: 1 jobs"}, cores=2, gpus=1)
    row = plan["table"].set_index("stage").loc["sepia"]
    assert row["jobs_done"] == 1 and row["remaining_s"] == pytest.approx(6.0)
    assert "sepia-toned" in format_plan({**plan, "calibrated": None})

    columns = [title for title, _, _ in dag.report_columns("r")]
    assert "sepia-toned" in columns and columns.index("sepia-toned") < columns.index("upscaled")
    assert dag.report_frames("r")["sepia-toned"][0].endswith("/sepia/000002.png")
    assert isinstance(plan["table"], pd.DataFrame)


def test_defaults_come_from_the_schema_and_planning_uses_them(tmp_path):
    from paintflow.looks.paint.settings import StyleSettings

    schema = cfgmod.defaults("stylize")
    s = StyleSettings()
    assert (s.iterations, s.first_frame_iterations) == (schema["iterations"], schema["first_frame_iterations"])
    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=0.3)
    config = cfgmod.prepare(
        {
            "results": str(tmp_path / "results"),
            "videos": {"v": {"path": str(clip), "width": 32}},
            "renders": {"r": {"video": "v", "style": str(shared("style", "starry_night.jpg"))}},
        }
    )
    dag = RenderDag(config)  # a config that leaves the iterations out plans what is really run
    frames = range(1, dag.renders["r"].frames + 1)
    units, _ = job_work(dag, [{"rule": "stylize_r_000001", "output": dag.paths("stylize", "r", frames)}], tmp_path)
    # a temporal frame's ceiling: all of it new (paintflow.cost measures the share frames really take)
    ceiling = max(schema["iterations"], s.new_ceiling)
    assert units["stylize"] == schema["first_frame_iterations"] + ceiling * (len(frames) - 1)


def test_config_errors_are_a_few_lines_naming_the_key(tmp_path):
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump(
            {"videos": {"v": {"path": "x.mp4"}}, "renders": {"r": {"video": "v", "style": "s.jpg"}}, "styl_weight": 3}
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "paintflow", "plan", "--directory", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 5
    assert "unknown key 'styl_weight' at the top level" in proc.stderr and "did you mean 'stylize'" in proc.stderr
    with pytest.raises(PaintflowError, match=r"stylize.iterations = 0 is below the minimum 1"):
        cfgmod.prepare({"videos": {}, "renders": {"r": {"video": "v"}}, "stylize": {"iterations": 0}})


def test_cli_never_shows_a_traceback_for_a_user_error(tmp_path):
    for args in (
        ["status", "--directory", str(tmp_path / "missing")],
        ["plan", "--directory", str(tmp_path)],
        ["verify", "--configfile", str(tmp_path / "nope.yaml")],
    ):
        proc = subprocess.run([sys.executable, "-m", "paintflow", *args], capture_output=True, text=True)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stderr.startswith("paintflow: ")
    version = subprocess.run([sys.executable, "-m", "paintflow", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("paintflow ")
    for command in ("plan", "status", "preview", "verify", "resume", "clean"):
        helptext = subprocess.run(
            [sys.executable, "-m", "paintflow", command, "--help"], capture_output=True, text=True
        ).stdout
        assert "--directory" in helptext and "--configfile" in helptext
    studio = subprocess.run([sys.executable, "-m", "paintflow", "studio", "--help"], capture_output=True, text=True)
    assert "--project" in studio.stdout and "--port" in studio.stdout


def test_every_path_setting_is_taken_from_the_config_folder(tmp_path, monkeypatch):
    """Path-typed settings (``format: path`` in the schema) are made absolute from the config's folder once:
    `paintflow status -d FOLDER` run from elsewhere finds a painting named relative to FOLDER."""
    cfg = cfgmod.prepare(
        {
            "videos": {
                "v": {"path": "clip.mp4", "shots": "cuts.edl"},
                "w": {"path": "/abs/w.mp4", "shots": [3, "2.5s"]},
            },
            "renders": {
                "p": {
                    "video": "v",
                    "style": "a.jpg",
                    "styles": [{"path": "b.jpg"}],
                    "key": {"background": {"image": "bg.png"}},
                },
                "f": {"video": "v", "look": "fast", "fast": {"style": "c.jpg"}},
                "b": {"video": "v", "look": "fast", "fast": {"style": 3}},
                "m": {"look": "music", "music": {"audio": "song.wav", "paintings": ["d.jpg"], "model": "k.npz"}},
                "z": {"look": "zoom", "zoom": {"image": "still.png", "audio": "z.wav"}, "dream": {"guide": "g.png"}},
                "l": {"video": "v", "look": "latent", "latent": {"paintings": "paintings"}},
            },
        }
    )
    out, base = cfgmod.absolute_paths(cfg, tmp_path), str(tmp_path.resolve())
    r = out["renders"]
    assert out["results"] == f"{base}/results" and out["videos"]["v"]["path"] == f"{base}/clip.mp4"
    assert out["videos"]["v"]["shots"] == f"{base}/cuts.edl" and out["videos"]["w"] == cfg["videos"]["w"]  # times stay
    assert r["p"]["style"] == f"{base}/a.jpg" and r["p"]["styles"][0]["path"] == f"{base}/b.jpg"
    assert r["p"]["key"]["background"]["image"] == f"{base}/bg.png"
    assert r["f"]["fast"]["style"] == f"{base}/c.jpg" and r["b"]["fast"]["style"] == 3
    assert r["m"]["music"] == {"audio": f"{base}/song.wav", "paintings": [f"{base}/d.jpg"], "model": f"{base}/k.npz"}
    assert r["z"]["zoom"] == {"image": f"{base}/still.png", "audio": f"{base}/z.wav"}
    assert r["z"]["dream"]["guide"] == f"{base}/g.png" and r["l"]["latent"]["paintings"] == f"{base}/paintings"
    assert out["model"]["weights"] == "auto"  # a keyword, not a path

    folder = tmp_path / "render"
    folder.mkdir()
    make_clip(folder / "clip.mp4", audio=False, seconds=0.3)
    (folder / "style.jpg").write_bytes(shared("style", "starry_night.jpg").read_bytes())
    (folder / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "videos": {"v": {"path": "clip.mp4", "width": 32, "shots": "none"}},
                "renders": {"r": {"video": "v", "look": "fast", "fast": {"style": "style.jpg"}}},
            }
        )
    )
    monkeypatch.chdir(tmp_path)  # elsewhere: what `paintflow status -d render` and the studio do
    from paintflow.cost import load
    from paintflow.progress import format_progress, render_progress

    _, dag = load(Path("render"), Path("render") / "config.yaml")
    assert dag.renders["r"].settings["style"] == str(folder.resolve() / "style.jpg")
    assert "0/6 frames fast look" in format_progress(render_progress(dag))
