"""A render killed (SIGKILL, whole process group) and resumed with the documented command
(`paintflow resume`) gives byte-identical frames to an uninterrupted render, and leaves no temporary file
or orphaned frame-store entry behind.

Each kill is placed where it tests something distinct: the moment a chosen frame of a chosen stage
appears, so the kill lands inside that stage's chunk job, once for each kind of chain that must resume
from what is on disk (the painted chain, which a segment's lead-in runs too; a backward pass; a smoothed
look, whose smoothing the music and latent looks share; the zoom) and once inside a single job writing
through a temporary file (the encode). A stabilised matte's chain takes milliseconds at this size, too
fast for a kill to land inside it: tests/test_key.py kills and resumes its chunk directly (a keyed render
was in this config, never killed at a place of its own: 8 jobs of the reference and of the resumed run)."""

import os
import signal
import subprocess
import sys
import time

import yaml

from conftest import REPO, make_clip, shared, snakemake_cmd
from paintflow.stopping import read_records
from paintflow.video import stream_info

PROFILE = REPO / "profiles" / "workstation"

# (what the kill interrupts, the file whose appearance triggers it: a frame a chunk job writes before its
# last, so the job has more to do; or a glob for the encoder's temporary file)
KILLS = [
    ("the painted chain, mid-chunk", "renders/r/stylized/000002.png"),
    ("a backward pass, mid-chunk (it runs 8, 7, 6, 5)", "renders/m/pass2/000007.png"),
    ("a look smoothed along the flow, in its second chunk", "renders/f/fast/000006.png"),
    ("the zoom chain, in its second chunk", "renders/z/zoom/000006.png"),
    ("an encode, while it writes its temporary file", "renders/m/.m.tmp-*"),
]

FOLDERS = {  # every per-frame output and how many frames it holds
    "videos/clip/frames": 8,
    "videos/clip/flow/fwd": 7,
    "videos/clip/flow/bwd": 7,
    "videos/clip/masks": 7,
    "videos/clip/rmasks": 7,
    "renders/r/stylized": 8,
    "renders/r/lead": 2,
    "renders/r/seamed": 8,
    "renders/m/stylized": 8,
    "renders/m/pass2": 8,
    "renders/f/fast": 8,
    "renders/z/zoom": 8,
    "renders/p/posterized": 8,
}


def setup(wd, clip):
    wd.mkdir()
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 64, "fps": 10}},
        "renders": {
            # painted in two segments (chains restarting at frames 1 and 5, the second's lead-in at 3-4)
            "r": {
                "video": "clip",
                "style": str(shared("style", "composition_vii.jpg")),
                "stylize": {"segments": 2, "overlap": 2},
            },
            # multi-pass: a backward second pass (its chain runs from the last frame down)
            "m": {
                "video": "clip",
                "style": str(shared("style", "great_wave.jpg")),
                "stylize": {"passes": 2, "pass_iterations": 4, "iterations": 4, "first_frame_iterations": 8},
            },
            # the fast look smoothed with flow_blend is a sequential chain too
            "f": {"video": "clip", "look": "fast", "fast": {"style": 5}, "smooth": {"method": "flow_blend"}},
            # an infinite zoom: frame t = dream(zoom(frame t-1))
            "z": {
                "look": "zoom",
                "zoom": {
                    "image": str(shared("content", "astronaut.png")),
                    "width": 48,
                    "frames": 8,
                    "fps": 10,
                    "iterations": 2,
                    "octaves": 1,
                },
            },
            # a look from a folder of its own (tests/looks/posterize, through $PAINTFLOW_LOOKS), blended over time:
            # killed with the others (its chunks are the generic rule's, whose resume f's kill place tests)
            "p": {"video": "clip", "look": "posterize", "smooth": {"method": "blend", "alpha": 0.5}},
        },
        # chunks of 4 of 8 frames: every chain crosses a chunk boundary. Upscaling (a per-frame stage like
        # frames, masks and the fast look, through the same chunk runner) is off: 10 jobs fewer
        "execution": {"chunk_frames": 4},
        "upscale": {"scale": 1},
        "quality": {"enabled": False},  # measured in its own tests; `paintflow resume` would run it here
        "flow": {"keep": True},
        "stylize": {"iterations": 8, "first_frame_iterations": 16},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))


def render_files(wd):
    root = wd / "results"
    files = {str(p.relative_to(root)): p.read_bytes() for sub in FOLDERS for p in sorted((root / sub).glob("[0-9]*.*"))}
    files.update({f"renders/{r}/{r}.mp4": (root / f"renders/{r}/{r}.mp4").read_bytes() for r in "rmfzp"})
    return files


def appeared(root, pattern) -> bool:
    return any(root.glob(pattern)) if "*" in pattern else (root / pattern).exists()


def run_until(wd, log, patterns):
    """Run the documented resume command; SIGKILL its process group the moment one of ``patterns``
    appears under results/. Returns (the patterns that had appeared, return code, seconds)."""
    root = wd / "results"
    with open(log, "w") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paintflow", "resume", "--directory", str(wd), "--", "--cores", "2"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        t0 = time.monotonic()
        while proc.poll() is None:
            hit = [p for p in patterns if appeared(root, p)]
            if hit:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return hit, None, time.monotonic() - t0
            time.sleep(0.01)
        return [], proc.returncode, time.monotonic() - t0


def test_killed_and_resumed_render_is_byte_identical(tmp_path, toy_look):
    clip = make_clip(tmp_path / "clip.mp4", audio=True, seconds=0.8)
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    setup(reference, clip)
    setup(resumed, clip)
    t0 = time.monotonic()
    subprocess.run(snakemake_cmd(reference, "--profile", str(PROFILE), "--cores", "2"), check=True, capture_output=True)
    print(f"uninterrupted render {time.monotonic() - t0:.1f} s")

    # each run is killed when the first of the places not yet killed at appears (stages run in parallel,
    # so the order is the scheduler's); a place can only be missed by appearing in the same 10 ms poll as
    # another. (Rendering the reference meanwhile, on the same 2 cores, made the whole test slower.)
    places = {pattern: what for what, pattern in KILLS}
    for attempt in range(len(KILLS)):
        hit, code, seconds = run_until(resumed, tmp_path / f"attempt{attempt}.log", list(places))
        log = (tmp_path / f"attempt{attempt}.log").read_text()
        assert hit, f"the render ended (code {code}) before {list(places)} appeared:\n{log[-3000:]}"
        print(f"killed after {seconds:.1f} s: {'; '.join(places.pop(p) for p in hit)}")
        if not places:
            break
    assert not places, f"never killed at {list(places.values())}"
    _, code, seconds = run_until(resumed, tmp_path / "final.log", [])
    log = (tmp_path / "final.log").read_text()
    assert code == 0, f"the resumed run failed:\n{log[-3000:]}"
    print(f"resumed to the end in {seconds:.1f} s")

    ref, got = render_files(reference), render_files(resumed)
    assert len(ref) == sum(FOLDERS.values()) + 5
    assert got.keys() == ref.keys()
    different = [name for name in ref if ref[name] != got[name]]
    assert not different, f"frames differ after resume: {different}"
    assert stream_info(resumed / "results/renders/r/r.mp4")["frames"] == 8
    from paintflow.cost import load
    from paintflow.progress import format_progress, render_progress

    status = format_progress(render_progress(load(resumed, resumed / "config.yaml")[1]))
    assert "8/8 frames posterized" in status, status  # the toy look's stage in `paintflow status`
    assert (resumed / "results/renders/p/report/stages.png").is_file()  # its report (its column: test_looks.py)
    assert_clean(resumed / "results")
    # every painted frame's iteration record survives the kills: the frames restored keep theirs
    for stage, render in (("stylize", "r"), ("lead", "r"), ("stylize", "m"), ("pass2", "m")):
        want = read_records(reference / "results", stage, render)
        assert want and read_records(resumed / "results", stage, render) == want, (stage, render)


def assert_clean(results):
    """No temporary file of a killed process, and every frame-store entry is a link to a finished output
    of the current settings (no data kept for anything else)."""
    leftovers = [p for p in results.rglob(".*") if ".tmp-" in p.name or ".link-" in p.name]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    for entry in (results / ".paintflow/store").rglob("*"):
        if entry.is_file():
            assert entry.stat().st_nlink >= 2, f"orphaned frame-store entry: {entry}"
