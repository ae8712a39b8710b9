# The parse-time model of the render (paintflow.dag.RenderDag): inputs probed and checked, which
# stages each video and render needs (paintflow.registry), every stage's identity (the params of
# its rules: only what changes pixels, so harmless edits re-run nothing), chunk jobs and paths.
#
# Per-frame inputs are ancient(): a job re-runs when its own identity changes or an output is
# missing, never because a neighbouring chunk was re-made (the frame store restores what it held).
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

from paintflow import PaintflowError
from paintflow.config import prepare
from paintflow.dag import WORKFLOW_PID, RenderDag
from paintflow.registry import LOOKS, STAGES
from paintflow.smooth import reads_flow
from paintflow.snakemake_fix import apply as fix_needrun

fix_needrun()  # Snakemake 9 could leave jobs after a re-run one unplanned (see paintflow/snakemake_fix.py)

try:
    config.update(prepare(config))
    if workflow.is_main_process and "--unlock" in sys.argv:
        from paintflow.runs import refuse_if_alive

        refuse_if_alive(config["results"], "unlock it")
    PF = RenderDag(config, check_outputs=workflow.is_main_process, workflow=True)
except PaintflowError as err:
    raise WorkflowError(f"paintflow: {err}") from None
os.environ[WORKFLOW_PID] = str(os.getpid())  # the jobs this process starts are not the workflow

R = PF.results
GPUS = config["execution"]["gpus_per_job"]


wildcard_constraints:
    render="[A-Za-z0-9_]+",


def frames_of(stage, owner, frames, variant=None):
    """Per-frame targets of a stage, as inputs that never trigger a re-run by their date."""
    return [ancient(p) for p in PF.paths(stage, owner, frames, variant)]


def identity(stage, owner):
    return PF.identity(stage, owner)


def threads(wanted):
    """A rule's threads: ``wanted``, but on SLURM never more than the largest node has (evaluated when
    jobs are made, once the executor is known)."""

    def cap(wildcards):
        from paintflow.cluster import capped_threads

        plugin = workflow.executor_plugin
        return capped_threads(wanted, plugin.name if plugin is not None else None)

    return cap


def id_file(stage, owner):
    """The identity file of a stage for an owner: re-written exactly when the stage's identity changes."""
    return PF.id_path(stage, owner)


def smoothing_inputs(stage, render, frames):
    """What smoothing a look needs: its own previous output, and the flow and masks where it reads them."""
    r = PF.renders[render]
    method = r.smooth["method"]
    if method == "none":
        return {"prev": [], "flows": [], "masks": []}
    later = [t for t in frames if PF.follows(stage, render, t)]
    return {
        "prev": frames_of(stage, render, [frames.start - 1] if PF.follows(stage, render, frames.start) else []),
        "flows": frames_of("flow", r.video, [t - 1 for t in later], "bwd") if reads_flow(method) else [],
        "masks": frames_of("masks", r.video, later) if reads_flow(method) else [],
    }


def smoothing_params(stage, render, frames):
    """A smoothed look's chunk params beyond its identity: its shot (see PF.chain_params)."""
    return PF.chain_params(stage, render, frames) if PF.renders[render].smooth["method"] != "none" else {}


def look_input(render, frames):
    """The frames a render's look paints: the video's, or those of a stage before the look (keyed: filled)."""
    stage, owner = PF.look_source(render)
    return frames_of(stage, owner, frames)


def background_inputs(render, frames):
    """What a keyed render's composite goes over, for these frames."""
    bg = PF.renders[render].key["background"]
    if bg.get("render"):
        other = bg["render"]
        return frames_of(PF.final_stage(other), other, sorted({PF.background_frame(render, t) for t in frames}))
    if bg.get("video"):
        return frames_of("frames", bg["video"], sorted({PF.background_frame(render, t) for t in frames}))
    if bg.get("image"):
        return [ancient(bg["image"])]
    return []


def still_inputs(render, *keys):
    """Files a look names in its settings (a still image, a guide image, a video), as ancient inputs."""
    s, out = PF.renders[render].settings, []
    for key in keys:
        if key == "video" and s.get("video"):
            out.append(ancient(str(PF.videos[s["video"]].file)))
        elif key != "video" and s.get(key):
            out.append(ancient(s[key]))
    return out


def flow_output(stage, video, t, variant):
    """A flow file of a video: temporary unless PF.keeps_flow says (flow.keep, or the clip's last pairs, which
    the first new frames of a longer clip read back)."""
    path = PF.path(stage, video, t, variant)
    return path if PF.keeps_flow(stage, video, t, variant) else temp(path)


def report_inputs(wildcards):
    frames = PF.report_frames(wildcards.render)
    return {
        "id": id_file("report", wildcards.render),
        "video": PF.render_video(wildcards.render),
        "deliveries": [d.path for d in PF.deliveries(wildcards.render)],
        "samples": [ancient(p) for column in frames.values() for p in column if p],
        "sheet": frames_of(PF.final_stage(wildcards.render), wildcards.render, PF.sheet_frames(wildcards.render)),
        "shots": frames_of(PF.final_stage(wildcards.render), wildcards.render, PF.shot_ends(wildcards.render)),
        "benchmarks": [ancient(p) for p in PF.benchmarks(wildcards.render)],
        "quality": (
            frames_of("quality", wildcards.render, range(1, PF.renders[wildcards.render].frames + 1))
            if PF.uses(wildcards.render, "quality")
            else []
        ),
    }


def report_item(name, caption, subcategory):
    return report(
        f"{R}/renders/{{render}}/report/{name}",
        caption=f"../report/{caption}",
        category="{render}",
        subcategory=subcategory,
        labels={"render": "{render}", "result": name.split(".")[0].replace("_", " ")},
    )
