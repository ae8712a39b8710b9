"""What a render will cost, from Snakemake's dry run and the measured benchmarks.

Jobs to do come from ``snakemake --dry-run``; seconds, CPU time and memory per
job from the ``benchmark:`` TSVs on disk (pandas). Where a stage has never run,
the first few frames are rendered at the configured settings in a scratch
folder (calibration) and extrapolated, per frame (per optimiser iteration for
stylization); every figure says which measurements it rests on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import plan
from .chunks import chunk_ranges

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schemas" / "config.schema.yaml"
# stage of each rule family; chunk rules are <stage>_<owner>_<NNNN>
STAGES = ["extract", "frames", "flow", "masks", "vgg_weights", "style_targets", "stylize", "waifu2x_weights",
          "upscale", "encode", "report_figures"]
GPU_STAGES = {"style_targets", "stylize", "upscale"}


def load_config(configfile: Path, overrides: dict | None = None) -> dict:
    """The config as the workflow sees it: schema-validated, defaults filled in."""
    from snakemake.utils import validate

    config = yaml.safe_load(Path(configfile).read_text()) or {}
    for key, value in (overrides or {}).items():
        config[key] = value
    validate(config, str(SCHEMA))
    return config


def stage_of(rule: str) -> str | None:
    for stage in sorted(STAGES, key=len, reverse=True):
        if rule == stage or rule.startswith(stage + "_"):
            return stage
    return None


def snakemake_cmd(workdir: Path, configfile: Path, *args) -> list[str]:
    return [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--configfile", str(configfile), *args]


def jobs_to_do(workdir: Path, configfile: Path, forceall: bool = False) -> dict[str, int]:
    """{rule: count} of the jobs a run would execute now (dry run)."""
    args = ["--dry-run", "--quiet", "rules", "--cores", "1"] + (["--forceall"] if forceall else [])
    proc = subprocess.run(snakemake_cmd(workdir, configfile, *args), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"snakemake dry run failed:\n{proc.stderr[-3000:]}")
    counts = {}
    for rule, count in re.findall(r"^(\w+)\s+(\d+)\s*$", proc.stdout, re.M):
        if rule not in ("total", "job", "all"):
            counts[rule] = int(count)
    return counts


def read_benchmarks(workdir: Path) -> pd.DataFrame:
    """One row per finished job: stage, owner, chunk, s, cpu_time, max_rss (MB)."""
    rows, workdir = [], Path(workdir)
    for tsv in sorted((workdir / "benchmarks").rglob("*.tsv")):
        rel = tsv.relative_to(workdir / "benchmarks").parts
        frame = pd.read_csv(tsv, sep="\t")
        if frame.empty:
            continue
        m = re.match(r"chunk(\d+)\.tsv$", rel[-1])
        stage = {"frames": "extract" if rel[-1] == "extract.tsv" else "frames", "model": Path(rel[-1]).stem,
                 "report": "report_figures"}.get(rel[0], rel[0])
        if rel[0] == "stylize" and rel[-1] == "style_targets.tsv":
            stage = "style_targets"
        rows.append({"stage": stage, "owner": rel[1] if len(rel) > 2 else "", "chunk": int(m.group(1)) if m else None,
                     "s": float(frame["s"].iloc[-1]), "cpu_time": float(frame["cpu_time"].iloc[-1]),
                     "max_rss": float(frame["max_rss"].iloc[-1]), "file": str(tsv)})
    return pd.DataFrame(rows, columns=["stage", "owner", "chunk", "s", "cpu_time", "max_rss", "file"])


@dataclass
class Work:
    """Units of work per stage: frames (chunk stages), iterations (stylize), or jobs."""

    units: dict = field(default_factory=dict)

    def add(self, stage, n):
        self.units[stage] = self.units.get(stage, 0) + n


def iterations(render: plan.Render, frames) -> int:
    s = render.stylize
    first = s.get("first_frame_iterations", 100)
    later = s.get("iterations", 30) if s.get("temporal", True) else first
    return sum(first if t == 1 else later for t in frames)


CHUNK_STAGES = ("frames", "flow", "masks", "stylize", "upscale")


def job_units(stage: str, owner: str, chunk, config: dict, videos: dict, renders: dict) -> float:
    """Work in one job: frames (chunk stages), optimiser iterations (stylize), else 1 (one job)."""
    if stage not in CHUNK_STAGES or chunk is None or pd.isna(chunk):
        return 1.0
    video = renders[owner].video if owner in renders else owner
    if video not in videos:
        return float("nan")
    n = videos[video].frames
    frames = chunk_ranges(n, config["execution"]["chunk_frames"])[int(chunk)]
    if stage == "stylize":
        return float(iterations(renders[owner], frames))
    if stage in ("flow", "masks"):
        return float(len(range(frames.start, min(frames.stop, n))))
    return float(len(frames))


def work_of(rules: dict[str, int], config: dict, videos: dict, renders: dict) -> Work:
    """Translate {rule: jobs} from a dry run into units of work per stage."""
    work = Work()
    for rule, count in rules.items():
        stage = stage_of(rule)
        if stage is None:
            continue
        m = re.match(r"[a-z]+_(\w+)_(\d{4})$", rule) if stage in CHUNK_STAGES else None
        if m:
            work.add(stage, job_units(stage, m.group(1), int(m.group(2)), config, videos, renders))
        else:
            work.add(stage, count)
    return work


def rates(bench: pd.DataFrame, config: dict, videos: dict, renders: dict) -> pd.DataFrame:
    """Seconds, CPU seconds and peak MB per unit of work, per stage, from benchmark rows."""
    columns = ["s_per_unit", "cpu_per_unit", "median_job_s", "peak_mb", "jobs_measured"]
    if bench.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    units = [job_units(r.stage, r.owner, r.chunk, config, videos, renders) for r in bench.itertuples()]
    bench = bench.assign(units=units).dropna(subset=["units"])
    grouped = bench.groupby("stage")
    sums = grouped[["s", "cpu_time", "units"]].sum()
    return pd.DataFrame({
        "s_per_unit": sums["s"] / sums["units"],
        "cpu_per_unit": sums["cpu_time"] / sums["units"],
        "median_job_s": grouped["s"].median(),
        "peak_mb": grouped["max_rss"].max(),
        "jobs_measured": grouped.size().astype(float),
    })[columns]


def calibrate(workdir: Path, config: dict, videos: dict, frames: int, cores: int) -> tuple[pd.DataFrame, Path]:
    """Render the first ``frames`` frames of every video at the configured settings in a scratch folder."""
    scratch = workdir / Path(config["results"]) / ".calibration"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    cal = yaml.safe_load(yaml.safe_dump(config))
    cal["results"] = "results"
    cal["execution"]["chunk_frames"] = frames
    cal["execution"]["check_disk"] = False
    for name, v in cal["videos"].items():
        v["path"] = str((workdir / v["path"]).resolve())
        v["duration"] = frames / videos[name].info["fps"]  # the probed (or resampled) frame rate
    for r in cal["renders"].values():
        r["style"] = str((workdir / r["style"]).resolve())
    (scratch / "config.yaml").write_text(yaml.safe_dump(cal))
    proc = subprocess.run(snakemake_cmd(scratch, scratch / "config.yaml", "--cores", str(cores)),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"calibration render failed (see {scratch}):\n{proc.stderr[-3000:]}")
    cal_config = load_config(scratch / "config.yaml")
    cal_videos, cal_renders = plan.build(cal_config, scratch / "results")
    return rates(read_benchmarks(scratch), cal_config, cal_videos, cal_renders), scratch


def measured_disk(workdir: Path, config: dict, videos: dict, renders: dict) -> dict:
    """Bytes of the finished render per kind: mean size of the files already written × the files
    the render will have, or the bytes-per-pixel estimate where none is written yet."""
    estimate = plan.estimate_disk(config, videos, renders)
    root = workdir / config["results"]
    temporal = {r.video for r in renders.values() if r.stylize.get("temporal", True)}
    kinds = {
        "frames": ([root / "videos" / v / "frames" for v in videos], sum(v.frames for v in videos.values())),
        "masks": ([root / "videos" / v / "masks" for v in temporal], sum(videos[v].frames - 1 for v in temporal)),
        "stylized": ([root / "renders" / r / "stylized" for r in renders],
                     sum(videos[r.video].frames for r in renders.values())),
        "upscaled": ([root / "renders" / r / "upscaled" for r in renders],
                     sum(videos[r.video].frames for r in renders.values()) if config["upscale"]["scale"] > 1 else 0),
    }
    out = {}
    for kind, (folders, count) in kinds.items():
        sizes = [p.stat().st_size for d in folders if d.is_dir() for p in d.glob("[0-9]*.png")]
        out[kind] = ((int(sum(sizes) / len(sizes) * count), f"measured, {len(sizes)} files") if sizes
                     else (estimate[kind], "estimated"))
    out["flow"] = (estimate["flow"], "estimated" + (", kept" if config["flow"]["keep"] else ", peak (temp)"))
    out["models"] = (estimate["models"], "estimated")
    return out


def make_plan(workdir: Path, configfile: Path, cores: int, gpus: int, calibrate_frames: int = 3) -> dict:
    workdir, configfile = Path(workdir).resolve(), Path(configfile).resolve()
    config = load_config(configfile)
    videos, renders = build_in(workdir, config)
    todo_rules = jobs_to_do(workdir, configfile)  # each dry run builds the whole DAG: once each
    todo = work_of(todo_rules, config, videos, renders)
    todo_jobs = _jobs_per_stage(todo_rules)
    all_jobs = _jobs_per_stage(jobs_to_do(workdir, configfile, forceall=True))
    measured = rates(read_benchmarks(workdir), config, videos, renders)
    basis = {s: f"measured: {int(measured.loc[s, 'jobs_measured'])} jobs" for s in measured.index}
    missing = [s for s, n in todo.units.items() if n and s not in measured.index]
    calibrated = None
    if missing:
        cal, scratch = calibrate(workdir, config, videos, calibrate_frames, cores)
        calibrated = {"frames": calibrate_frames, "folder": str(scratch)}
        for stage in missing:
            if stage in cal.index:
                measured.loc[stage] = cal.loc[stage]
                basis[stage] = f"calibration: first {calibrate_frames} frames rendered now, extrapolated"
    gpu_device = config["execution"]["gpus_per_job"] > 0
    rows = []
    for stage in STAGES:
        if stage not in all_jobs:
            continue
        units = todo.units.get(stage, 0)
        known = stage in measured.index
        s = units * measured.loc[stage, "s_per_unit"] if known else float("nan")
        cpu = units * measured.loc[stage, "cpu_per_unit"] if known else float("nan")
        on_gpu = gpu_device and stage in GPU_STAGES
        rows.append({
            "stage": stage, "jobs_done": all_jobs[stage] - todo_jobs.get(stage, 0),
            "jobs_to_do": todo_jobs.get(stage, 0),
            "median_s_per_job": measured.loc[stage, "median_job_s"] if known else float("nan"),
            "peak_mem_mb": measured.loc[stage, "peak_mb"] if known else float("nan"),
            "remaining_s": s, "cpu_h": 0.0 if on_gpu else cpu / 3600, "gpu_h": s / 3600 if on_gpu else 0.0,
            "basis": basis.get(stage, "nothing to do" if not units else "no measurement"),
        })
    table = pd.DataFrame(rows)
    gpu_s, cpu_s = table["gpu_h"].sum() * 3600, table["cpu_h"].sum() * 3600
    chain = table.loc[table.stage.isin(["stylize", "upscale"]), "remaining_s"].sum() / max(len(renders), 1)
    wall = max(gpu_s / max(gpus, 1) if gpu_device else 0.0, chain, cpu_s / max(cores, 1))
    disk = measured_disk(workdir, config, videos, renders)
    return {"table": table, "remaining_s": float(table["remaining_s"].sum()), "cpu_h": float(table["cpu_h"].sum()),
            "gpu_h": float(table["gpu_h"].sum()), "wall_s": float(wall), "cores": cores, "gpus": gpus,
            "disk": disk, "calibrated": calibrated}


def build_in(workdir: Path, config: dict):
    """The render plan, with the config's relative paths taken from ``workdir``."""
    import os

    here = Path.cwd()
    os.chdir(workdir)
    try:
        return plan.build(config, Path(config["results"]))
    finally:
        os.chdir(here)


def _jobs_per_stage(rules: dict[str, int]) -> dict[str, int]:
    out = {}
    for rule, n in rules.items():
        stage = stage_of(rule)
        if stage:
            out[stage] = out.get(stage, 0) + n
    return out


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 360 else f"{seconds:.0f} s"


def format_plan(p: dict) -> str:
    t = p["table"].copy()
    for col in ("median_s_per_job", "remaining_s", "peak_mem_mb"):
        t[col] = t[col].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
    for col in ("cpu_h", "gpu_h"):
        t[col] = t[col].map(lambda v: "-" if pd.isna(v) else f"{v:.3f}")
    lines = [t.to_string(index=False), ""]
    lines.append(f"remaining work: {hours(p['remaining_s'])} of job time = {p['cpu_h']:.3f} CPU-hours + "
                 f"{p['gpu_h']:.3f} GPU-hours")
    lines.append(f"wall-clock estimate with {p['cores']} cores and {p['gpus']} GPU(s): {hours(p['wall_s'])} "
                 f"(stylization is sequential per render; CPU stages spread over the cores)")
    total = sum(b for b, _ in p["disk"].values())
    lines.append(f"disk of the finished render: {total / 1e9:.2f} GB (" +
                 ", ".join(f"{k} {b / 1e6:.1f} MB [{how}]" for k, (b, how) in p["disk"].items()) + ")")
    if p["calibrated"]:
        lines.append(f"calibrated: nothing was measured for some stages, so the first {p['calibrated']['frames']} "
                     f"frames were rendered at the configured settings in {p['calibrated']['folder']}")
    return "\n".join(lines)
