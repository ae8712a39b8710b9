import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

REPO = Path(__file__).resolve().parents[1]
# every render of the suite checks that no job builds the workflow's model (paintflow.dag.FORBID_IN_JOBS)
os.environ["PAINTFLOW_FORBID_DAG_IN_JOBS"] = "1"
SHARED = Path(os.environ.get("PAINTFLOW_SHARED", REPO.parent / "shared")) / "data"


def shared(*parts) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"test data missing: {path} (../shared must sit beside the repository)")
    return path


def make_clip(out: Path, audio: bool, seconds: float = 0.8, start: float = 5.0, size: str = "160x90") -> Path:
    """A short real clip cut from cockatoo.mp4, with a 440 Hz tone as its audio track if asked.

    The cut seeks after decoding (-ss after -i): seeking in the input lands on non-key
    frames of cockatoo.mp4 and gives damaged (green) frames.
    """
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(shared("video", "cockatoo.mp4")),
    ]
    if audio:
        cmd += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=16000:duration={start + seconds}",
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-c:a",
            "aac",
        ]
    else:
        cmd += ["-map", "0:v:0"]
    # output options: -ss/-t here cut the decoded streams
    cmd += ["-ss", str(start), "-t", str(seconds), "-s", size, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)]
    subprocess.run(cmd, check=True)
    return out


MEASURE_QUALITY = False  # set per test module by _quality_stage


@pytest.fixture(scope="module", autouse=True)
def _quality_stage(request):
    """Whether this module's renders run the quality stage: only in the modules about it (``QUALITY = True``
    at their top). Its content distance loads torch and VGG in every quality job (~2 s each): measured where
    it is tested, not in every other test's renders (a module-scoped autouse fixture: set before the
    module's render fixtures)."""
    global MEASURE_QUALITY
    MEASURE_QUALITY = getattr(request.module, "QUALITY", False)
    yield


def snakemake_cmd(workdir: Path, *args, configfile: Path | None = None) -> list[str]:
    """The Snakemake command line of the workflow on ``workdir/config.yaml`` (or ``configfile``).

    A video that does not say where its shots start is taken as one shot (``shots.default: none``): the
    detector costs ~3 s of torch start per new clip, and only tests/test_shots.py, whose videos say
    ``shots: auto`` (or list their cuts), is about shots. The quality stage runs only in the modules about
    it (see _quality_stage)."""
    from paintflow.cost import snakemake_cmd as command

    over = [] if MEASURE_QUALITY else [str(REPO / "tests" / "stubs" / "no_quality.yaml")]  # --configfile's next file
    return command(workdir, configfile or workdir / "config.yaml", *over, "--config=shots={default: none}", *args)


def run_snakemake(workdir: Path, *args, check=True) -> subprocess.CompletedProcess:
    """Run the workflow on ``workdir/config.yaml`` with the CLI, as a user would."""
    proc = subprocess.run(snakemake_cmd(workdir, "--cores", "2", *args), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


SLURM_SCRIPTS = SHARED.parent / "slurm"


def _start_cluster():
    start = subprocess.run(["bash", str(SLURM_SCRIPTS / "start-slurm.sh")], capture_output=True, text=True)
    return start.returncode, (start.stdout + start.stderr).strip().splitlines()[-5:]


@pytest.fixture(scope="session")
def slurm_cluster():
    """The single-node test cluster of ../shared/slurm, started once and stopped after the session."""
    import shutil

    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("the test SLURM cluster needs root and apt-get to install slurm (not available here)")
    already_running = _controller_running()
    rc, tail = _start_cluster()
    if rc != 0:
        if any("apt" in line or "install" in line or "Unable to locate" in line for line in tail):
            pytest.skip("slurm could not be installed here: " + " | ".join(tail))
        raise AssertionError("start-slurm.sh failed:\n" + "\n".join(tail))
    yield
    if not already_running:  # stop only what this session started (another run may be using it)
        subprocess.run(["bash", str(SLURM_SCRIPTS / "stop-slurm.sh")], capture_output=True)


def _controller_running() -> bool:
    pidfile = Path("/run/slurm/slurmctld.pid")
    try:
        return Path(f"/proc/{int(pidfile.read_text())}").is_dir()
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session", autouse=True)
def _controller_for_installed_slurm(request):
    """With slurm-client installed but no controller, the SLURM executor plugin's import waits
    ~9 s on `scontrol show config` in *every* Snakemake call: where slurm is already installed,
    keep the test cluster up for the whole session, and start the SLURM test's render right away when
    that test is among those collected."""
    import shutil

    if shutil.which("sinfo") and shutil.which("slurmctld") and os.geteuid() == 0:
        wanted = any("slurm_render" in item.fixturenames for item in request.session.items)
        request.getfixturevalue("slurm_render" if wanted else "slurm_cluster")


@pytest.fixture(scope="session")
def slurm_render(slurm_cluster, _model_cache, tmp_path_factory):
    """The render of tests/test_slurm.py through `--profile profiles/slurm`, started in the background as
    soon as the cluster is up: it spends most of its minute waiting on sbatch and squeue, so the other
    tests run meanwhile. Yields (its folder, the process, its log file)."""
    import yaml

    wd = tmp_path_factory.mktemp("slurm")
    clip = make_clip(wd / "clip.mp4", audio=True, seconds=0.6)
    cfg = {
        "videos": {"clip": {"path": str(clip), "width": 64, "fps": 10}},
        "renders": {"r": {"video": "clip", "style": str(shared("style", "great_wave.jpg"))}},
        # one chunk: each dependency level is a round trip through sbatch and squeue
        "execution": {"chunk_frames": 6, "gpus_per_job": 0},  # the test cluster has no GPU
        "upscale": {"scale": 1},
        "stylize": {"iterations": 4, "first_frame_iterations": 8},
    }
    (wd / "config.yaml").write_text(yaml.safe_dump(cfg))
    cmd = snakemake_cmd(
        wd,
        "--profile",
        str(REPO / "profiles" / "slurm"),
        # this cluster: no accounting database, partition "debug", 2 CPUs, fast polling. The plugin checks
        # first after --slurm-init-seconds-before-status-checks, then backs off by 10 s while nothing has
        # finished: a first check after 8 s finds these small jobs (5-7 s each) done (after 1 s: 12 s a job)
        "--slurm-status-command",
        "squeue",
        "--default-resources",
        "slurm_partition=debug",
        "--latency-wait",
        "5",
        "--slurm-init-seconds-before-status-checks",
        "8",
        "--seconds-between-status-checks",
        "1",
    )
    log = wd / "snakemake.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    yield wd, proc, log
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session", autouse=True)
def _model_cache(tmp_path_factory):
    """This session's renders share converted models (VGG, waifu2x) through a cache of their own
    (paintflow/model_cache.py): the first render that needs one converts it, never the user's cache."""
    os.environ["PAINTFLOW_CACHE"] = str(tmp_path_factory.mktemp("model_cache"))


def pytest_collection_modifyitems(items):
    """Run the SLURM test last: on a fresh machine it installs slurm (see the fixture above)."""
    items.sort(key=lambda item: "test_slurm" in item.nodeid)


TOY_LOOKS = REPO / "tests" / "looks"  # a look from outside the package (tests/looks/posterize)


@pytest.fixture
def toy_look(monkeypatch):
    """The posterize look of tests/looks, found as a user's own look is ($PAINTFLOW_LOOKS), for this test
    and the processes it starts; gone after it."""
    from paintflow import config, looks, registry

    monkeypatch.setenv(looks.ENV, str(TOY_LOOKS))
    looks.discover()
    config.schema.cache_clear()
    yield registry.LOOKS["posterize"]
    registry.LOOKS.pop("posterize")
    registry.unregister("posterize")
    config.schema.cache_clear()
    sys.modules.pop("posterize", None)
