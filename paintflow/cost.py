"""``paintflow plan``: what a render will still cost, before spending it.

The jobs to do come from Snakemake's dry run (the paintflow logger writes each job's rule and outputs
as JSON lines); the seconds, CPU time and memory per unit of work come from the benchmark files of
finished jobs. A stage that has never run is calibrated: its first few frames are rendered at the
configured settings in a scratch folder and extrapolated. Every figure says what it rests on. The
units of work (frames, frame pairs, optimiser iterations, jobs) and GPU stages come from the registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import PaintflowError, timeline
from . import config as cfgmod
from .config import REPO
from .dag import RenderDag
from .paths import parse_path
from .registry import STAGES


def load(workdir: Path, configfile: Path) -> tuple[dict, RenderDag]:
    config = cfgmod.absolute_paths(cfgmod.load(configfile), workdir)
    return config, RenderDag(config)


def snakemake_cmd(workdir: Path, configfile: Path, *args) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile),
        *args,
    ]


def snakemake_env(profile=None, **more) -> dict:
    """The environment of a Snakemake run that submits nothing to SLURM (a dry run, a local render): the
    SLURM executor plugin asks `scontrol show config` when Snakemake imports it, which waits ~9 s where
    slurm is installed and no controller answers; there, a stub answers "no controller" at once. A run
    with a SLURM profile keeps the real one."""
    env = {**os.environ, **more}
    settings = Path(profile or "") / "config.yaml"
    if "slurm" not in (settings.read_text(errors="ignore") if profile and settings.is_file() else str(profile)):
        env["PATH"] = f"{Path(__file__).parent / 'stubs'}{os.pathsep}{env.get('PATH', '')}"
    return env


def dry_run(workdir: Path, configfile: Path, forceall: bool = False) -> list[dict]:
    """The jobs a run would execute now: [{rule, output}]. Works while a render is running."""
    args = ["--dry-run", "--cores", "1", "--rerun-incomplete", "--nolock"] + (["--forceall"] if forceall else [])
    for attempt in range(4):
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as jobs:
            env = snakemake_env(PAINTFLOW_JOBS_JSON=jobs.name)
            proc = subprocess.run(snakemake_cmd(workdir, configfile, *args), capture_output=True, text=True, env=env)
            if proc.returncode == 0:
                return [json.loads(line) for line in jobs.read().splitlines() if line.strip()]
        # a running render removed a file while Snakemake looked at it (a job deletes its outputs first, and a
        # file gone between Snakemake's two looks reads as write-protected): look again
        said = proc.stderr + proc.stdout
        if not any(m in said for m in ("although it existed before", "Write-protected output")) or attempt == 3:
            lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            raise PaintflowError("snakemake dry run failed:\n  " + "\n  ".join(lines[-12:]))
        time.sleep(1.0)
    return []


def units_of(dag: RenderDag, name: str, owner: str, frames, ratios: dict | None = None) -> float:
    """Units of work of a job of stage ``name``: Σ work(t) over its frames, or 1 for a job stage. With
    ``ratios`` ({stage: {ceiling work: measured share of it}}, see :func:`stop_ratios`) a frame's work is
    what frames of its kind were measured to use (the stopping rule ends most painted frames early)."""
    s = STAGES[name]
    if not s.per_frame or frames is None:  # a job: its own work (e.g. training steps), or 1
        return float(s.work(dag, owner, None)) if s.work is not None and owner in dag.renders else 1.0
    if s.work is None:
        return float(len(frames))
    shares = (ratios or {}).get(name)
    if not shares:
        return float(sum(s.work(dag, owner, t) for t in frames))
    overall = shares.get("all", 1.0)
    return float(sum(w * shares.get(w, overall) for w in (s.work(dag, owner, t) for t in frames)))


def stop_ratios(dag: RenderDag, results) -> dict[str, dict]:
    """The share of its ceiling work that each kind of frame (first of a shot, temporal, …) used, per stage
    with iteration records (paintflow.stopping): {stage: {ceiling work: share, "all": share}}."""
    from .stopping import read_records

    sums: dict[str, dict] = {}
    for name, s in STAGES.items():
        if not (s.per_frame and s.work):
            continue
        for owner in dag.renders:
            for t, record in read_records(results, name, owner).items():
                ceiling = s.work(dag, owner, t)
                for key in (ceiling, "all"):
                    acc = sums.setdefault(name, {}).setdefault(key, [0.0, 0.0])
                    acc[0] += float(record.get("work", record["iterations"]))
                    acc[1] += ceiling
    return {name: {k: a / b for k, (a, b) in by.items() if b} for name, by in sums.items()}


def job_stages(dag: RenderDag, jobs: list[dict], workdir: Path):
    """(stage, owner, frames or None) of each dry-run job that does work (its outputs, via the registry)."""
    for job in jobs:
        if job["rule"] in ("all",) or job["rule"].startswith("identity_"):
            continue
        per_frame = [p for p in (parse_path(dag.results, Path(workdir) / o) for o in job["output"]) if p]
        if per_frame:
            name, owner = per_frame[0][:2]
            yield name, owner, sorted({t for n, _, t in per_frame if n == name})
            continue
        by_length = sorted(STAGES, key=len, reverse=True)
        name = next((n for n in by_length if job["rule"] == n or job["rule"].startswith(n + "_")), None)
        if name is not None:
            yield name, job["rule"][len(name) + 1 :] or None, None


def job_work(dag: RenderDag, jobs: list[dict], workdir: Path, ratios: dict | None = None) -> tuple[dict, dict]:
    """({stage: units to do}, {stage: jobs to do}) from dry-run jobs."""
    units, counts = {}, {}
    for name, owner, frames in job_stages(dag, jobs, workdir):
        units[name] = units.get(name, 0.0) + units_of(dag, name, owner, frames, ratios)
        counts[name] = counts.get(name, 0) + 1
    return units, counts


def render_seconds(dag: RenderDag, jobs: list[dict], workdir: Path, measured: pd.DataFrame, ratios: dict) -> dict:
    """{render: seconds of job time to do for it}: its own jobs, and its video's shared among the renders
    of that video (a part of a video is a video of its own)."""
    users: dict = {}
    for r, x in dag.renders.items():
        users.setdefault(x.video, []).append(r)
    out = {r: 0.0 for r in dag.renders}
    for name, owner, frames in job_stages(dag, jobs, workdir):
        if name not in measured.index:
            continue
        m = measured.loc[name]
        seconds = m["s_per_job"] + units_of(dag, name, owner, frames, ratios) * m["s_per_unit"]
        share = [owner] if owner in out else users.get(owner, [])
        for r in share:
            out[r] += seconds / len(share)
    return out


def read_benchmarks(results) -> pd.DataFrame:
    from .report import read_benchmarks as read

    root = Path(results) / "benchmarks"
    return read(results, sorted(root.rglob("*.tsv")) if root.is_dir() else [])


def start_and_rate(units, seconds) -> tuple[float, float]:
    """(seconds a job spends starting, seconds per unit of work) from its jobs' (units, seconds): a line
    fitted where jobs of different sizes were measured (neither part below 0), else all per unit."""
    u, t = np.asarray(units, float), np.asarray(seconds, float)
    per_unit = float(t.sum() / u.sum()) if u.sum() > 0 else 0.0
    if len(np.unique(u)) < 2:
        return 0.0, per_unit
    rate, start = np.polyfit(u, t, 1)
    if start < 0:
        return 0.0, per_unit
    if rate < 0:
        return float(t.mean()), 0.0
    return float(start), float(rate)


def rates(dag: RenderDag, bench: pd.DataFrame, ratios: dict | None = None) -> pd.DataFrame:
    """Per stage: seconds and CPU seconds a job spends starting (loading torch and weights) and per unit
    of work (per iteration really done, where iteration records say how many a frame took); peak MB."""
    columns = ["s_per_job", "s_per_unit", "cpu_per_job", "cpu_per_unit", "median_job_s", "peak_mb", "jobs_measured"]
    if bench.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    known_owners = set(dag.videos) | set(dag.renders) | {"vgg", "waifu2x"}
    bench = bench[bench.owner.isin(known_owners)]
    if bench.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    bench = bench.assign(units=[units_of(dag, r.stage, r.owner, r.frames, ratios) for r in bench.itertuples()])
    grouped = bench.groupby("stage")
    wall = {n: start_and_rate(g.units, g.s) for n, g in grouped}
    cpu = {n: start_and_rate(g.units, g.cpu_time) for n, g in grouped}
    return pd.DataFrame(
        {
            "s_per_job": pd.Series({n: a for n, (a, _) in wall.items()}),
            "s_per_unit": pd.Series({n: b for n, (_, b) in wall.items()}),
            "cpu_per_job": pd.Series({n: a for n, (a, _) in cpu.items()}),
            "cpu_per_unit": pd.Series({n: b for n, (_, b) in cpu.items()}),
            "median_job_s": grouped["s"].median(),
            "peak_mb": grouped["max_rss"].max(),
            "jobs_measured": grouped.size().astype(float),
        }
    )[columns]


def calibrate(workdir: Path, config: dict, dag: RenderDag, frames: int, cores: int) -> tuple[pd.DataFrame, dict, Path]:
    """Render the first ``frames`` frames of every video at the configured settings in a scratch folder:
    the rates, and the stopping rule's measured shares (:func:`stop_ratios`)."""
    scratch = Path(config["results"]) / ".calibration"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    cal = calibration_config(config, dag, frames, scratch)
    proc = subprocess.run(
        snakemake_cmd(scratch, scratch / "config.yaml", "--cores", str(cores)),
        capture_output=True,
        text=True,
        env=snakemake_env(),
    )
    if proc.returncode != 0:
        tail = "\n  ".join([ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()][-12:])
        raise PaintflowError(f"calibration render failed (see {scratch}):\n  {tail}")
    cal_dag = RenderDag(cfgmod.prepare(cal))
    ratios = stop_ratios(cal_dag, cal["results"])
    return rates(cal_dag, read_benchmarks(cal["results"]), ratios), ratios, scratch


def calibration_config(config: dict, dag: RenderDag, frames: int, scratch: Path) -> dict:
    """The config of a calibration render (written to ``scratch``/config.yaml): every video's first
    ``frames`` frames as one shot, in jobs of two sizes, each look in its short form."""
    cal = json.loads(json.dumps(config))
    cal["results"] = str(scratch / "results")
    # jobs of two sizes (frames 1-2 and 3, one chunk per job for every stage), so that a job's start and
    # its work per frame can be told apart
    cal["execution"]["chunk_frames"] = max(frames - 1, 1)
    cal["execution"]["cheap_chunks"] = 1
    cal["execution"]["check_disk"] = False
    for name, v in cal["videos"].items():
        v["duration"] = frames / dag.videos[name].info["fps"]  # the probed (or resampled) frame rate
    cal.pop("timelines", None)
    for r in cal["renders"].values():  # a part of a video is measured on the video's first frames
        for key in ("shots", "from", "to"):
            r.pop(key, None)
    for v in cal["videos"].values():  # its cuts are past its first frames: measured as one shot
        v["shots"] = "none"
    for name, r in dag.renders.items():  # a look may take a short form of itself (a few training steps)
        short, section = dag.look(name).calibrate(r.settings, scratch, frames), dag.look(name).section
        if short:
            cal["renders"][name][section] = {**cal["renders"][name].get(section, {}), **short}
    (scratch / "config.yaml").write_text(yaml.safe_dump(cal))
    return cal


def linked_models(dag: RenderDag) -> list[str]:
    """The model stages whose converted weights the user's cache already holds (their jobs link them)."""
    from . import model_cache
    from .paths import model_owner

    models = [n for n, s in STAGES.items() if s.owner == "model" and model_owner(n) in model_cache.SOURCES]
    return [n for n in models if model_cache.holds(dag.model_path(n), model_owner(n))]


def calibration_key(dag: RenderDag, frames: int, cores: int) -> str:
    """What a calibration's figures depend on: this machine, the code, and each render's look, settings
    and frame size (not which video: a render of another clip at the same size costs the same)."""
    import hashlib
    import platform

    from . import __version__

    what = {
        "machine": [platform.node(), platform.machine(), os.cpu_count(), cores],
        "code": __version__,
        "frames": frames,
        "execution": dag.config["execution"],
        "renders": {
            name: [r.look, r.settings, r.styles, r.smooth, r.key, r.width, r.height, r.fps]
            for name, r in dag.renders.items()
        },
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]


def cached_calibration(workdir, config, dag, frames: int, cores: int, again: bool = False):
    """(rates, stop ratios, where it was measured, when): a calibration this machine already made for the
    same looks, settings and sizes (its cache: model_cache.cache_dir("calibration")), else made now."""
    from datetime import datetime

    from .model_cache import cache_dir

    folder = cache_dir("calibration")
    entry = folder / f"{calibration_key(dag, frames, cores)}.json" if folder else None
    if entry is not None and entry.is_file() and not again:
        saved = json.loads(entry.read_text())
        rates_ = pd.DataFrame.from_dict(saved["rates"], orient="index")
        ratios = {n: {(float(k) if k != "all" else k): v for k, v in r.items()} for n, r in saved["ratios"].items()}
        return rates_, ratios, saved["folder"], saved["when"]
    rates_, ratios, scratch = calibrate(workdir, config, dag, frames, cores)
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            keep = {"rates": rates_.to_dict(orient="index"), "ratios": ratios, "folder": str(scratch), "when": when}
            entry.write_text(json.dumps(keep, default=str))
        except OSError:
            pass  # a cache that cannot be written: the next plan calibrates again
    return rates_, ratios, str(scratch), None


def make_plan(workdir, configfile, cores: int, gpus: int, calibrate_frames: int = 3, recalibrate: bool = False) -> dict:
    workdir, configfile = Path(workdir).resolve(), Path(configfile).resolve()
    config, dag = load(workdir, configfile)
    todo, every = dry_run(workdir, configfile), dry_run(workdir, configfile, forceall=True)
    ratios = stop_ratios(dag, config["results"])
    todo_units, todo_jobs = job_work(dag, todo, workdir, ratios)
    _, all_jobs = job_work(dag, every, workdir)
    measured = rates(dag, read_benchmarks(config["results"]), ratios)
    basis = {s: f"measured: {int(measured.loc[s, 'jobs_measured'])} jobs" for s in measured.index}
    calibrated = None
    missing = [s for s, n in todo_units.items() if n and s not in measured.index]
    if missing:
        cal, cal_ratios, scratch, when = cached_calibration(workdir, config, dag, calibrate_frames, cores, recalibrate)
        calibrated = {"frames": calibrate_frames, "folder": scratch, "cached": when}
        said = f"rendered on {when} (cached)" if when else "rendered now"
        for name in missing:
            if name in cal.index:
                measured.loc[name] = cal.loc[name]
                basis[name] = f"calibration: first {calibrate_frames} frames {said}, extrapolated"
                if name in cal_ratios:
                    ratios[name] = cal_ratios[name]
        todo_units, _ = job_work(dag, todo, workdir, ratios)
    for name in linked_models(dag):
        if name in todo_units and name in measured.index:
            measured.loc[name, ["s_per_job", "s_per_unit", "cpu_per_job", "cpu_per_unit"]] = 0.0
            basis[name] = "in this machine's model cache: linked, not converted"
    for name, shares in ratios.items():
        if name in basis:
            basis[name] += f"; frames use {100 * shares['all']:.0f} % of their iteration ceiling (stopping rule)"
    parts = timeline.describe(dag, render_seconds(dag, todo, workdir, measured, ratios), spoken)
    table = plan_table(dag, todo_units, todo_jobs, all_jobs, measured, basis, cores, gpus)
    return {**table, "calibrated": calibrated, "parts": parts}


def plan_table(
    dag, todo_units: dict, todo_jobs: dict, all_jobs: dict, measured: pd.DataFrame, basis: dict, cores: int, gpus: int
) -> dict:
    """Per-stage figures (jobs, time, CPU/GPU hours, memory) and the totals, from units and rates."""
    from . import disk

    gpu_device = dag.config["execution"]["gpus_per_job"] > 0 and gpus > 0  # no GPU here: GPU stages run on the CPU
    rows = []
    for name in STAGES:
        if name not in all_jobs:
            continue
        units, jobs = todo_units.get(name, 0.0), todo_jobs.get(name, 0)
        known = name in measured.index
        m = measured.loc[name] if known else None
        s = jobs * m["s_per_job"] + units * m["s_per_unit"] if known else float("nan")
        cpu = jobs * m["cpu_per_job"] + units * m["cpu_per_unit"] if known else float("nan")
        on_gpu = gpu_device and STAGES[name].gpu
        rows.append(
            {
                "stage": name,
                "jobs_done": all_jobs[name] - todo_jobs.get(name, 0),
                "jobs_to_do": todo_jobs.get(name, 0),
                "median_s_per_job": measured.loc[name, "median_job_s"] if known else float("nan"),
                "peak_mem_mb": measured.loc[name, "peak_mb"] if known else float("nan"),
                "remaining_s": s,
                "cpu_h": 0.0 if on_gpu else cpu / 3600,
                "gpu_h": s / 3600 if on_gpu else 0.0,
                "basis": basis.get(name, "nothing to do" if not units else "no measurement"),
            }
        )
    table = pd.DataFrame(rows)
    gpu_s, cpu_s = table["gpu_h"].sum() * 3600, table["cpu_h"].sum() * 3600
    # sequential stages are one chain per shot (and per segment of a shot): K chains run on min(K, GPUs) GPUs
    # at once (on the CPU, a 4-thread job per 4 cores), and never faster than the longest chain alone
    rows_by = table.set_index("stage")["remaining_s"]
    chain, chained_renders = 0.0, []
    for render in dag.renders:
        chained = [
            n
            for n in dag.render_stages(render) + list(dag.look(render).extra(dag, render))
            if n in rows_by.index and dag.uses(render, n) and dag.sequential(n, render)
        ]
        chained_renders += [render] if chained else []
        share = rows_by[chained].sum() / max(len(dag.renders), 1)
        starts = dag.segment_starts(render)
        frames = max(dag.renders[render].frames, 1)
        longest = max(b - a for a, b in zip(starts, [*starts[1:], frames + 1]))
        parallel = min(len(starts), max(gpus, 1) if gpu_device else max(cores // 4, 1))
        chain = max(chain, share / parallel, share * longest / frames)
    wall = max(gpu_s / max(gpus, 1) if gpu_device else 0.0, chain, cpu_s / max(cores, 1))
    return {
        "table": table,
        "remaining_s": float(table["remaining_s"].sum()),
        "cpu_h": float(table["cpu_h"].sum()),
        "gpu_h": float(table["gpu_h"].sum()),
        "wall_s": float(wall),
        "shots": {v: (len(x.shots.starts), x.shots.source) for v, x in dag.videos.items() if x.shots and not x.part},
        "cores": cores,
        "gpus": gpus if gpu_device else 0,
        "chained": chained_renders,
        "disk": disk.measured(dag),
    }


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 360 else f"{seconds:.0f} s"


def spoken(seconds: float) -> str:
    """A duration as a person says it: "40 s", "3 min", "2 h 10 min"."""
    seconds = round(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds // 3600} h {round(seconds % 3600 / 60):02d} min"


def format_brief(p: dict, dag: RenderDag) -> str:
    """The plan in one sentence: "about 3 min and 80 MB of disk for 24 frames on this machine (2 cores, no
    GPU)"."""
    frames = sum(r.frames for r in dag.renders.values())
    disk = sum(b for b, _ in p["disk"].values())
    size = f"{disk / 1e9:.1f} GB" if disk >= 1e9 else f"{disk / 1e6:.0f} MB"
    gpus = {0: "no GPU", 1: "1 GPU"}.get(p["gpus"], f"{p['gpus']} GPUs")
    if p["remaining_s"] <= 0:
        return f"nothing left to make: the render is done ({size} of disk)"
    return (
        f"about {spoken(p['wall_s'])} and {size} of disk for {frames} frames on this machine "
        f"({p['cores']} cores, {gpus})"
    )


def format_plan(p: dict) -> str:
    t = p["table"].copy()
    t["stage"] = t["stage"].map(lambda n: STAGES[n].label)
    for col in ("median_s_per_job", "remaining_s", "peak_mem_mb"):
        t[col] = t[col].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
    for col in ("cpu_h", "gpu_h"):
        t[col] = t[col].map(lambda v: "-" if pd.isna(v) else f"{v:.3f}")
    lines = [t.to_string(index=False), ""]
    lines.append(
        f"remaining work: {hours(p['remaining_s'])} of job time = {p['cpu_h']:.3f} CPU-hours + "
        f"{p['gpu_h']:.3f} GPU-hours"
    )
    gpus = {0: "no GPU", 1: "1 GPU"}.get(p["gpus"], f"{p['gpus']} GPUs")
    how = ["jobs spread over the cores" + (" and the GPUs" if p["gpus"] else "")]
    if p.get("chained"):  # renders whose frame t needs frame t−1: each shot (or segment) is one chain
        how.append(
            f"each shot of {', '.join(p['chained'])} is one chain of frames, its frames one after another"
            + (": chains run at once on the GPUs" if p["gpus"] else "")
        )
    lines.append(f"wall-clock estimate with {p['cores']} cores and {gpus}: {hours(p['wall_s'])} ({'; '.join(how)})")
    for video, (count, source) in p.get("shots", {}).items():
        lines.append(f"video {video}: {count} shot(s), {source} (`paintflow shots` lists them)")
    lines += p.get("parts", [])
    total = sum(b for b, _ in p["disk"].values())
    lines.append(
        f"disk of the finished render: {total / 1e9:.2f} GB ("
        + ", ".join(f"{k} {b / 1e6:.1f} MB [{how}]" for k, (b, how) in p["disk"].items())
        + ")"
    )
    if p["calibrated"] and p["calibrated"].get("cached"):
        lines.append(
            f"calibrated: nothing was measured for some stages; this machine rendered the first "
            f"{p['calibrated']['frames']} frames of these looks at these settings and sizes on "
            f"{p['calibrated']['cached']} (--recalibrate measures again)"
        )
    elif p["calibrated"]:
        lines.append(
            f"calibrated: nothing was measured for some stages, so the first {p['calibrated']['frames']} "
            f"frames were rendered at the configured settings in {p['calibrated']['folder']}"
        )
    return "\n".join(lines)
