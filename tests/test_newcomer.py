"""A newcomer's first render: `paintflow new` and `paintflow render` on a clip of their own, in a project
folder that holds the demo's config.yaml too (whose render never joins theirs)."""

import shutil
import subprocess
import sys

import yaml

from conftest import REPO, make_clip


def paintflow(*args, cwd, ok=True):
    proc = subprocess.run([sys.executable, "-m", "paintflow", *args], cwd=cwd, capture_output=True, text=True)
    assert (proc.returncode == 0) == ok, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_a_newcomer_renders_their_own_clip(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "config.yaml", project / "config.yaml")  # the demo's config, as in a clone
    make_clip(project / "my clip.mp4", audio=True, seconds=0.6)

    said = paintflow("new", "my clip.mp4", cwd=project, ok=False)  # the painted look needs a painting
    assert "--style" in said and len(said.splitlines()) <= 2 and not (project / "my_clip_paint").exists()

    said = paintflow("new", "my clip.mp4", "--look", "fast", "--width", "64", cwd=project)
    folder = project / "my_clip_fast"
    text = (folder / "config.yaml").read_text()
    assert str(folder.relative_to(project) / "config.yaml") in said
    assert "paintflow render my_clip_fast" in text and "# processing width" in text
    config = yaml.safe_load(text)
    assert config["videos"]["my_clip"]["width"] == 64 and config["renders"]["my_clip_fast"]["look"] == "fast"
    assert config["videos"]["my_clip"]["duration"] is None  # shorter than a first try: all of it

    # a config given is the whole config: Snakemake plans my render, not the demo's beside it
    dry = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(project)]
        + ["--configfile", "my_clip_fast/config.yaml", "--dry-run", "--cores", "1"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "my_clip_fast" in dry.stdout and "cockatoo" not in dry.stdout + dry.stderr

    said = paintflow("render", "my_clip_fast", "--", "--cores", "2", cwd=project)
    video = folder / "results/renders/my_clip_fast/my_clip_fast.mp4"
    assert video.is_file() and str(video) in said
    assert not list(project.glob("results/**/cockatoo*"))  # nothing of the demo's render was made or read
    again = paintflow("render", "my clip.mp4", "--look", "fast", "--", "--cores", "2", cwd=project)  # the video again
    assert "my_clip_fast/config.yaml exists: rendering it" in again and str(video) in again

    # `paintflow plan --configfile my.yaml` in the project folder plans mine alone (it failed on the demo's
    # render, merged in): here, nothing is left of it
    mine = yaml.safe_load((folder / "config.yaml").read_text()) | {"results": str(folder / "results")}
    (project / "my.yaml").write_text(yaml.safe_dump(mine))
    said = paintflow("plan", "--configfile", "my.yaml", "--cores", "2", cwd=project)
    assert "remaining work: 0 s" in said and "cockatoo" not in said
