"""Looks are found, not listed: each folder of paintflow/looks (or of $PAINTFLOW_LOOKS) is a look, and the
config's schema, the planning, the studio's form and the docs take the list from there. The toy look of
tests/looks/posterize — one folder, nothing else edited — is validated, planned and rendered like a
built-in one (its kill and resume: tests/test_resume.py; its field in the studio: tests/test_studio_views.py)."""

import re

import pytest
import yaml

from conftest import REPO, make_clip
from paintflow import PaintflowError, registry
from paintflow import config as cfgmod
from paintflow.cost import job_work
from paintflow.dag import RenderDag

BUILT_IN = {"paint", "fast", "dream", "zoom", "layer_sheet", "music", "latent", "keyframes"}


def test_the_looks_are_the_folders_and_every_list_comes_from_them():
    assert set(registry.LOOKS) == BUILT_IN == {p.parent.name for p in (REPO / "paintflow/looks").glob("*/__init__.py")}
    render = cfgmod.schema()["$defs"]["render"]["properties"]
    assert set(render["look"]["enum"]) == BUILT_IN and render["look"]["enum"][0] == "paint"  # the default first
    for look in registry.LOOKS.values():
        assert look.section in cfgmod.schema()["properties"] and look.section in render, look.name
        assert look.stage in registry.STAGES and look.description, look.name
    readme = (REPO / "README.md").read_text()
    table = re.search(r"<!-- looks -->(.*?)<!-- /looks -->", readme, re.S).group(1)
    assert set(re.findall(r"^\| `(\w+)` \|", table, re.M)) == BUILT_IN  # the docs' table of looks


def test_a_look_from_a_folder_of_its_own_is_validated_and_planned(toy_look, tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=False, seconds=0.6)
    cfg = {
        "results": str(tmp_path / "results"),
        "videos": {"v": {"path": str(clip), "width": 32, "fps": 10}},
        "renders": {"p": {"video": "v", "look": "posterize", "posterize": {"levels": 3}}},
        "execution": {"chunk_frames": 4},
        "upscale": {"scale": 1},
    }
    with pytest.raises(PaintflowError, match=r"renders.p.posterize.levels = 1 is below the minimum 2"):
        cfgmod.prepare(yaml.safe_load(yaml.safe_dump(cfg).replace("levels: 3", "levels: 1")))
    dag = RenderDag(cfgmod.prepare(cfg))
    assert dag.render_stages("p") == ["posterize"] and dag.renders["p"].settings == {"levels": 3, "delay": 0.0}
    jobs = dag.chunk_jobs("posterize")
    assert [j.rule for j in jobs] == ["posterize_p_000001", "posterize_p_000005"]
    units, counts = job_work(
        dag, [{"rule": j.rule, "output": dag.paths("posterize", "p", j.frames)} for j in jobs], tmp_path
    )
    assert units == {"posterize": 6.0} and counts == {"posterize": 2}  # the plan counts its frames
    assert ("posterized", "posterize", "p") in dag.report_columns("p")  # a column of the report's strip

    # frames a stopped run finished are not lost: the store holds them, status says so
    from paintflow.progress import format_progress, render_progress
    from paintflow.store import FrameStore

    store = FrameStore(dag.results, "posterize", "p", dag.key("posterize", "p"))
    for t in (1, 2, 3):
        store.dir.mkdir(parents=True, exist_ok=True)
        (store.dir / f"posterized__{t:06d}.png").write_bytes(b"")
    row = render_progress(dag)[0]
    assert (row["done"], row["kept"]) == (0, 3)
    assert "0/6 frames posterized (0.0 %), 3 more kept (back on resume, not made again)" in format_progress([row])
