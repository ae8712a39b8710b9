"""What the workflow builds for a config: the inputs (probed), which stages each video and render
needs (from the registry), every stage's identity, the chunk jobs and every target's path.

The rule files read one :class:`RenderDag` (``PF`` in ``rules/common.smk``); ``paintflow plan``,
``status``, ``verify`` and the studio build the same object, so they all agree with the workflow.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from . import identity as ident
from . import inputs, timeline
from .chunks import chunk_ranges, pair_range
from .config import section_schema
from .files import is_intact
from .paths import bench_path, frame_folder, frame_path, log_path, model_owner, render_file
from .registry import LOOKS, STAGES, chain_order, stage, stage_users
from .smooth import reads_flow


@dataclass(frozen=True)
class ChunkJob:
    """One job of a per-frame stage: a run of frames of one owner."""

    rule: str
    stage: str
    owner: str
    frames: range
    log: str
    benchmark: str
    message: str
    group: str | None = None


# Set by the workflow (rules/common.smk) for the processes it starts: a job reads its render's snapshot
# and the files it is given, and never builds the workflow's model again. With FORBID_IN_JOBS set (the
# test suite sets it) a job that does raises.
WORKFLOW_PID, FORBID_IN_JOBS = "PAINTFLOW_WORKFLOW_PID", "PAINTFLOW_FORBID_DAG_IN_JOBS"


class RenderDag:
    def __init__(self, config: dict, check_outputs: bool = False, workflow: bool = False):
        """The model of a config's renders. ``check_outputs``: the workflow's main process (damaged frames
        quarantined, render snapshots written, disk checked); ``workflow``: built by the Snakefile."""
        parent = os.environ.get(WORKFLOW_PID)
        if not workflow and parent and parent != str(os.getpid()) and os.environ.get(FORBID_IN_JOBS):
            raise RuntimeError(
                "a job built the workflow's model (RenderDag): jobs read their render's snapshot "
                "(paintflow.smk.render_of) and the files they are given"
            )
        self.config = config
        self.results = str(config["results"])
        self.ids = ident.SourceIds(Path(self.results) / ".paintflow" / "source_ids.json")
        self.videos, self.renders = inputs.build(config, Path(self.results), self.ids)
        self.timelines = timeline.build(config, self.videos, self.renders)
        self.chunk = config["execution"]["chunk_frames"]
        self._keys: dict = {}
        self._identities: dict = {}
        self.by_shot = False  # identities being computed by shot (local_key)
        self._by_shot: tuple = ({}, {})  # their identities and keys
        self.current_keys()  # every identity now: a missing style or weights file fails before any job
        for name, r in self.renders.items():
            r.sheet = self.job_sheet(name)
        self.ids.save()
        self.quarantined = self.quarantine_damaged() if check_outputs else []
        if check_outputs:  # the workflow's main process: each render as checked, for its jobs
            for name, r in self.renders.items():
                inputs.save_render(r, Path(render_file(self.results, name)))
        if check_outputs and config["execution"]["check_disk"]:
            from . import disk

            disk.check(Path(self.results), sum(disk.estimate(self).values()))

    # --- which stages, for whom ------------------------------------------------------------------
    def look(self, render: str):
        return LOOKS[self.renders[render].look]

    def look_stage(self, render: str) -> str:
        return self.look(render).stage

    def render_stages(self, render: str) -> list[str]:
        """Per-frame stages of a render, in order; the last one's frames go into the video."""
        if self.look(render).sheet:
            return []
        look = stage(self.look_stage(render))
        chain = [s for s in STAGES.values() if s.chain is not None and s.when(self, render)]
        return [s.name for s in sorted([*chain, look], key=chain_order)]  # sorted() is stable: registration order

    def look_source(self, render: str) -> tuple[str, str]:
        """(stage, owner) of the frames the look paints: the video's frames, or a stage before the look."""
        chain = self.render_stages(render)
        i = chain.index(self.look_stage(render))
        return (chain[i - 1], render) if i else ("frames", self.renders[render].video)

    def stage_before(self, name: str, render: str) -> str:
        """The per-frame stage whose frames ``name`` reads for this render."""
        chain = self.render_stages(render)
        return chain[chain.index(name) - 1]

    def final_stage(self, render: str) -> str:
        return self.render_stages(render)[-1]

    def video_stages(self, render: str) -> tuple:
        return tuple(self.video_users(render).get(self.renders[render].video, ()))

    def video_users(self, render: str) -> dict[str, tuple]:
        """{video: the stages of it a render reads}: its own video's, and a keyed background video's frames."""
        r = self.renders[render]
        if not r.video:
            return {}
        stages = set(self.look(render).video_stages(r.settings))
        if reads_flow(r.smooth["method"]):
            stages |= {"frames", "flow", "masks"}
        if r.key is not None:
            matte = self.videos[r.video].settings["matte"]
            stages |= {"frames", "mattes"} | ({"key_color"} if matte["method"] == "chroma" else set())
            if self.matte_stabilised(r.video):
                stages |= {"flow", "masks"}
        users = {r.video: tuple(s for s in STAGES if s in stages)}
        background = self.background_video(render)
        if background and background != r.video:
            users[background] = ("frames",)
        return users

    def job_sheet(self, render: str) -> dict:
        """What a render's jobs are handed beyond its settings, in its snapshot (paintflow.smk.render_of):
        no job rebuilds the workflow. The encoding plan, the sound, the segments' lead-ins, a keyed render's
        despill and its background's length (looped), the video a still is taken from."""
        r, s = self.renders[render], self.renders[render].settings
        bg = r.key["background"] if r.key else {}
        looped = self.background_length(render) if bg.get("render") or bg.get("video") else None
        still = self.videos[s["video"]] if s.get("video") in self.videos else None
        sheet = self.look(render).sheet
        return {
            "encoding": self.encoding(render),
            "song": self.song(render),
            "lead_ranges": [] if sheet else [[x.start, x.stop] for x in self.lead_ranges(render)],
            "despill": float(self.videos[r.video].settings["matte"]["despill"]) if r.key else None,
            "background_frames": looped,
            "still_video": {"path": str(still.path), "info": still.info} if still else None,
            "report": None if self.look(render).sheet else self.report_sheet(render),  # a sheet has no report
        }

    def report_sheet(self, render: str) -> dict:
        """What the report job draws beyond the files it is given: the stage strip's columns and sampled
        frames, the contact sheet's and shot sheet's frames and labels, the deliveries table, what the quality
        figures are judged by, and where the final and source frames lie (``{t:06d}`` patterns)."""
        from .shots import Shots, shot_rows

        r = self.renders[render]
        plan = self.encoding(render)
        if r.video:
            info, shots = self.videos[r.video].info, self.videos[r.video].shots
        else:
            info, shots = {"fps": r.fps, "start": 0.0}, Shots(r.frames)
        final = self.final_stage(render)
        facts = f"{plan['rate']} fps" + (f", timecode {plan['timecode']}" if plan["timecode"] else ", no timecode")
        return {
            "samples": self.report_samples(render),
            "columns": self.report_frames(render),
            "sheet_frames": self.sheet_frames(render),
            "shot_ends": self.shot_ends(render),
            "shot_rows": [[label, x.start, x.stop] for label, x in shot_rows(info, shots)],
            "deliveries": {
                "facts": facts,
                "rows": [[d.layer, d.format, d.fmt.for_whom, d.path, d.fmt.sequence] for d in self.deliveries(render)],
            },
            "quality": self.quality_facts(render),
            "final": self.path(final, render, 0).replace("000000.", "{t:06d}."),
            "source": self.path("frames", r.video, 0).replace("000000.", "{t:06d}.") if r.video else None,
        }

    def quality_facts(self, render: str) -> dict:
        """What a render's quality figures are judged by (paintflow.quality.summary): where its records are
        (None: not measured), its shots and frames, and whether its frames are chained and meant to show
        their source (smear and ghost are judged)."""
        measured = self.uses(render, "quality")
        return {
            "records": str(frame_folder(self.results, "quality", render)) if measured else None,
            "shots": [[x.start, x.stop] for x in self.render_shots(render)],
            "frames": self.renders[render].frames,
            "chained": self.look(render).faithful and self.sequential(self.look_stage(render), render),
        }

    def quality_flow(self, render: str) -> bool:
        """Whether a render's quality is measured with the optical flow (its video has it for the look)."""
        return "masks" in self.video_stages(render)

    def background_frame(self, render: str, t: int) -> int:
        """The background frame under frame t of a keyed render (another render or a video: looped)."""
        from .key import looped_frame

        return looped_frame(t, self.background_length(render))

    def background_length(self, render: str) -> int:
        """Frames of a keyed render's background render or video (looped under the render's frames)."""
        bg = self.renders[render].key["background"]
        return self.renders[bg["render"]].frames if bg.get("render") else self.videos[bg["video"]].frames

    def matte_stabilised(self, video: str) -> bool:
        """Whether a video's mattes are calmed with the flow (a chain); an alpha channel is taken as given."""
        m = self.videos[video].settings["matte"]
        return m["stabilize"] > 0 and m["method"] != "alpha"

    def background_video(self, render: str) -> str | None:
        r = self.renders[render]
        return r.key["background"].get("video") if r.key else None

    def sequential(self, name: str, render: str) -> bool:
        """Whether stage ``name`` of a render is one chain (frame t needs its frame t−1)."""
        s = stage(name)
        if callable(s.sequential):
            return s.sequential(self, render)
        return s.sequential or (name == self.look_stage(render) and self.renders[render].smooth["method"] != "none")

    def owners(self, name: str) -> list[str]:
        """Who needs stage ``name``: videos, renders, or the shared model cache ("vgg", "waifu2x")."""
        s = stage(name)
        if s.identity is None:
            return []
        needed_by = stage_users(name)
        if needed_by:
            users = sorted({o for other in needed_by for o in self.owners(other)})
            return [model_owner(name)] if s.owner == "model" and users else users
        if s.owner == "video":
            return sorted({v for r in self.renders for v, used in self.video_users(r).items() if name in used})
        return [r for r in self.renders if self.uses(r, name)]

    def uses(self, render: str, name: str) -> bool:
        """Whether a render has stage ``name`` (a sheet look: only its own job)."""
        look = self.look(render)
        if look.sheet:
            return name == look.stage
        return (
            name in self.render_stages(render)
            or name in look.prepare
            or name in look.extra(self, render)
            or (stage(name).chain is None and stage(name).when is not None and stage(name).when(self, render))
        )

    def frame_count(self, name: str, owner: str) -> int:
        return self.videos[owner].frames if stage(name).owner == "video" else self.renders[owner].frames

    # --- identities ------------------------------------------------------------------------------
    def identity(self, name: str, owner: str) -> dict:
        """What decides the outputs of stage ``name`` for ``owner`` (the params of its rules)."""
        if (name, owner) not in self._identities:
            body = STAGES[name].identity(self, owner)
            self._identities[name, owner] = ident.canonical({"stage": name, "v": STAGES[name].version, **body})
        return self._identities[name, owner]

    def key(self, name: str, owner: str) -> str:
        if (name, owner) not in self._keys:
            self._keys[name, owner] = ident.key_of(self.identity(name, owner))
        return self._keys[name, owner]

    def local_key(self, name: str, owner: str) -> str:
        """The key a shot-local stage (Stage.shot_local) stores its frames under by their shot: its identity
        with the video's frames told by shot instead of by which part of the video they are — the same for
        every part of the video (and the whole video) under the same settings (paintflow.store.ShotStore)."""
        saved = self._identities, self._keys
        self._identities, self._keys = self._by_shot
        self.by_shot = True
        try:
            return self.key(name, owner)
        finally:
            self.by_shot = False
            self._identities, self._keys = saved

    def source_frame(self, video: str, t: int) -> int:
        """The frame number in the whole video of frame ``t`` of ``video`` (a part of it, or itself)."""
        from .parts import source_frame

        return source_frame(self.videos[video].info, t)

    def stored_by_shot(self, name: str, owner: str) -> str | None:
        """The video whose shots a stage's frames are also stored by (a shot-local stage of a part of a
        video: its render's, or itself); None where they are not."""
        s = stage(name)
        if not s.shot_local or not s.per_frame:
            return None
        video = owner if s.owner == "video" else self.renders[owner].video
        return video if video is not None and self.videos[video].part else None

    def local_params(self, name: str, owner: str, frames: range) -> dict:
        """A chunk's params for storing its frames by shot as well (paintflow.store.ShotStore): the local key
        and, for each shot the chunk's frames touch, [first, last] in the owner's frames and in the whole
        video's; {} for a stage or owner whose frames are not (Stage.shot_local)."""
        video = self.stored_by_shot(name, owner)
        if video is None:
            return {}
        shots = [
            [r.start, r.stop - 1, self.source_frame(video, r.start), self.source_frame(video, r.stop - 1)]
            for r in self.shot_ranges(name, owner)
            if r.start < frames.stop and r.stop > frames.start
        ]
        return {"local": {"key": self.local_key(name, owner), "shots": shots}}

    def drop_stored(self, name: str, owner: str, path) -> None:
        """Forget a finished frame in the frame store and the shot store: it is made again, not restored (a
        damaged frame, a frame redone on purpose)."""
        from .paths import frame_of
        from .store import drop

        t = frame_of(path)
        drop(
            self.results,
            name,
            owner,
            self.key(name, owner),
            path,
            self.local_params(name, owner, range(t, t + 1)).get("local"),
        )

    def current_local_keys(self) -> dict:
        """{stage: the keys under which the shot store keeps its frames now} (the others are dropped)."""
        out: dict = {}
        for name, owner in self.current_keys():
            if self.stored_by_shot(name, owner):
                out.setdefault(name, set()).add(self.local_key(name, owner))
        return out

    def current_keys(self) -> dict:
        return {
            (name, owner): self.key(name, owner)
            for name, s in STAGES.items()
            if s.identity
            for owner in self.owners(name)
        }

    def job_identity(self, name: str, owner: str, job: str) -> dict:
        """What decides one job of a stage made by several (Stage.jobs, Stage.job_identity)."""
        body = STAGES[name].job_identity(self, owner, job)
        return ident.canonical({"stage": name, "v": STAGES[name].version, "job": job, **body})

    def identity_files(self):
        """(rule name, file, log name, identity) of every identity file: one per (stage, owner), and one per
        job of a stage whose jobs have identities of their own; each re-written when its identity changes."""
        for name, owner in self.current_keys():
            yield f"{name}_{owner}", self.id_path(name, owner), f"{name}-{owner}", self.identity(name, owner)
            s = STAGES[name]
            for job in s.jobs(self, owner) if s.jobs and s.job_identity else ():
                log = f"{name}-{owner}-{job}"
                yield f"{name}_{owner}_{job}", self.id_path(name, owner, job), log, self.job_identity(name, owner, job)

    def current_shot_tags(self) -> dict:
        """{(stage, owner): the shot tags its chain chunks may carry now} (see chain_params): the frame
        store keeps these shot folders and drops the others (shots that a moved cut took away)."""
        out = {}
        for name, owner in self.current_keys():
            if stage(name).per_frame:
                shots = self.shot_ranges(name, owner)
                out[name, owner] = {str(r.start) for r in shots} | {f"{r.start}-{r.stop - 1}" for r in shots}
        return out

    def numbers(self, section: str, values: dict) -> dict:
        """Settings with the schema's number-typed values as floats (so 10 and 10.0 are one value)."""
        return ident.numbers_as_schema(values, section_schema(section).get("properties", {}))

    def song(self, render: str) -> tuple[str, float, float] | None:
        """(file, start, seconds) of a render's sound: its own audio file (zoom, music), else its video's."""
        r = self.renders[render]
        if r.settings.get("audio"):
            return str(r.settings["audio"]), 0.0, r.frames / r.fps
        if r.video:
            v = self.videos[r.video]
            return (str(v.path), v.info["start"], v.info["duration"]) if v.info["has_audio"] else None
        return None

    def audio_source(self, render: str) -> tuple[str, float, float] | None:
        """(file, start, seconds) of the sound that goes into the render's video, or None (off, silent)."""
        return self.song(render) if self.config["encode"]["audio"] else None

    def audio_id(self, render: str) -> str | None:
        source = self.audio_source(render)
        return f"{self.ids(source[0])}@{source[1]}+{source[2]}" if source else None

    def encoding(self, render: str) -> dict:
        """What the encoder needs beyond the frames: rate, sound, and the order (a zoom-out plays backwards)."""
        source = self.audio_source(render)
        reverse = bool(self.renders[render].settings.get("reverse", False))
        facts = self.renders[render].delivery
        return {
            "fps": self.renders[render].fps,
            "audio": source,
            "reverse": reverse,
            **{k: facts.get(k) for k in ("rate", "timecode", "colour")},
        }

    def deliveries(self, render: str) -> list:
        """The render's deliveries (paintflow.delivery.Delivery): the H.264 first (the render's .mp4)."""
        from .delivery import plan

        d = self.renders[render].delivery["settings"]
        return plan(render, f"{self.results}/renders/{render}", d["formats"], d["layers"])

    def delivery_rule(self, render: str, d) -> str:
        """The rule that makes one delivery: encode_<render> for the render's .mp4, else
        encode_<render>__<layer>_<format> (a render's name has no double underscore: no two renders' collide)."""
        return f"encode_{render}" if d.main else f"encode_{render}__{d.layer}_{d.format}"

    def delivery_log(self, render: str, d, kind: str = "logs") -> str:
        """Log (or benchmark) of one delivery's job; the H.264 keeps the encode job's own."""
        if d.main:
            return (log_path if kind == "logs" else bench_path)(self.results, "encode", render)
        tail = Path(d.path).name.replace(".", "_")
        return f"{self.results}/{kind}/encode/{render}/job-{tail}.{'log' if kind == 'logs' else 'tsv'}"

    # --- paths -----------------------------------------------------------------------------------
    def path(self, name: str, owner: str, t: int, variant: str | None = None) -> str:
        ext = stage(name).ext
        return frame_path(self.results, name, owner, t, variant, ext(self.config) if callable(ext) else ext)

    def paths(self, name: str, owner: str, frames, variant: str | None = None) -> list[str]:
        return [self.path(name, owner, t, variant) for t in frames]

    def keeps_flow(self, name: str, video: str, t: int, variant: str) -> bool:
        """Whether flow file t of a video (``name``: flow or longflow; ``variant``: fwd, bwd …) stays once its
        jobs are done: every one with ``flow.keep``; else the backward flows of the last pairs, which the
        first new frames of a longer clip read back (the quality stage measures a frame against the frames
        before it): making a finished clip longer then computes only the new pairs, and re-makes nothing
        that is done (a re-made flow would mark every job that read it as changed)."""
        from .quality import FRAMES_BACK

        if self.config["flow"]["keep"]:
            return True
        return name == "flow" and variant == "bwd" and t > self.videos[video].frames - FRAMES_BACK

    def id_path(self, name: str, owner: str, job: str | None = None) -> str:
        """A stage's identity file for an owner, or one job's (Stage.job_identity)."""
        return f"{self.results}/.paintflow/ids/{name}-{owner}{f'-{job}' if job else ''}.json"

    def key_color_path(self, video: str) -> str:
        return f"{self.results}/videos/{video}/key_color.json"

    def has_key_color(self, video: str) -> bool:
        return video in self.owners("key_color")

    def video_info(self, video: str) -> str:
        return f"{self.results}/videos/{video}/frames/info.json"

    def staging_dir(self, video: str) -> str:
        return f"{self.results}/videos/{video}/frames/staging/{self.key('frames', video)}"

    def model_path(self, name: str) -> str:
        owner = model_owner(name)
        return f"{self.results}/models/{owner}-{self.key(name, owner)}.pt"

    def render_video(self, render: str) -> str:
        return f"{self.results}/renders/{render}/{render}.mp4"

    def style_targets(self, render: str) -> str:
        return f"{self.results}/renders/{render}/style_targets.pt"

    def report_dir(self, render: str) -> str:
        return f"{self.results}/renders/{render}/report"

    def job_log(self, name: str, owner: str, job: str | None = None) -> str:
        return log_path(self.results, name, owner, job=job)

    def job_benchmark(self, name: str, owner: str, job: str | None = None) -> str:
        return bench_path(self.results, name, owner, job=job)

    # --- chunk jobs ------------------------------------------------------------------------------
    def boundaries(self, name: str, owner: str) -> list[int]:
        """Where chunks are cut (after these frames): earlier frame counts of the owner's video, before
        every shot, and before every segment of a segmented render."""
        video = owner if stage(name).owner == "video" else self.renders[owner].video
        cuts = list(self.videos[video].counts) if video else []
        cuts += [s - 1 for s in self.shot_starts(name, owner)[1:]]
        if stage(name).owner == "render":
            cuts += [s - 1 for s in self.segment_starts(owner)[1:]]
        return sorted(set(cuts))

    # --- shots -----------------------------------------------------------------------------------
    def shot_starts(self, name: str, owner: str) -> list[int]:
        """First frames of the shots of stage ``name``'s owner (a render: its video's; [1] without one)."""
        video = owner if stage(name).owner == "video" else self.renders[owner].video
        return list(self.videos[video].shots.starts) if video else [1]

    def shot_ranges(self, name: str, owner: str) -> list[range]:
        """The shots (first…last frame) of stage ``name``'s owner."""
        starts = self.shot_starts(name, owner)
        return [range(s, e) for s, e in zip(starts, [*starts[1:], self.frame_count(name, owner) + 1])]

    def shot_of(self, name: str, owner: str, t: int) -> range:
        """The shot (first…last frame) frame t of stage ``name``'s owner is in."""
        return next(r for r in self.shot_ranges(name, owner) if t in r)

    def follows(self, name: str, owner: str, t: int) -> bool:
        """Whether frame t continues the picture of frame t−1 (not frame 1, not the first of a shot):
        only then may a temporal look couple them."""
        return t > 1 and t not in self.shot_starts(name, owner)

    def chain_params(self, name: str, owner: str, frames: range, both_ways: bool = False) -> dict:
        """Extra params of a chunk of a chain (sequential) stage in a shot that is not the whole clip:
        ``shot`` = its first frame (and, for a chain that also looks ahead — multi-pass, segments — its
        last). A chain's frames depend on where its shot starts, so moving a cut re-runs exactly the
        chunks whose shot changed, and their frames are stored apart (:func:`paintflow.smk.frame_store`)."""
        shot = self.shot_of(name, owner, frames.start)
        if both_ways:
            whole = shot.start == 1 and shot.stop == self.frame_count(name, owner) + 1
            return {} if whole else {"shot": f"{shot.start}-{shot.stop - 1}"}
        return {} if shot.start == 1 else {"shot": str(shot.start)}

    def segment_starts(self, render: str) -> list[int]:
        """First frame of each painted chain of a render: every shot's, and in each shot its segments'."""
        k = self.look(render).chains(self.renders[render].settings)
        starts = set()
        for shot in self.render_shots(render):
            n = len(shot)
            starts |= {shot.start + (i * n) // k for i in range(max(1, min(k, n)))}
        return sorted(starts)

    def shot_ends(self, render: str) -> list[int]:
        """The first and last frame of each shot of a render (the report's shot sheet)."""
        return sorted({t for r in self.render_shots(render) for t in (r.start, r.stop - 1)})

    def render_shots(self, render: str) -> list[range]:
        return self.shot_ranges(self.look_stage(render), render)

    def long_offsets(self, video: str) -> list[int]:
        """The long-term offsets j > 1 the painted renders of a video ask for (their flow is shared)."""
        return sorted(
            {j for r in self.renders.values() if r.video == video for j in self.look(r.name).long_term(r.settings)}
        )

    def long_pairs(self, video: str, frames: range) -> list[tuple[int, int]]:
        """The long-term pairs (t, t+j) of a chunk's frames t, both frames in one shot."""
        return [
            (t, j) for j in self.long_offsets(video) for t in frames if t + j < self.shot_of("longflow", video, t).stop
        ]

    def variants(self, name: str, owner: str) -> list[str | None]:
        """Sub-folders of a per-frame stage: flow directions, long-term offsets."""
        variants = stage(name).variants
        return variants(self, owner) if variants else [None]

    def chain_start(self, name: str, render: str, t: int) -> int:
        """The first frame of the painted chain frame t is in (a segment's, or a lead-in's)."""
        if stage(name).lead:
            return next(r.start for r in self.lead_ranges(render) if t in r)
        return max(s for s in self.segment_starts(render) if s <= t)

    def chain_prev(self, name: str, render: str, start: int) -> tuple[str, int] | None:
        """(stage, frame) a painted chunk starting at ``start`` continues from: a segment's first chunk from
        its lead-in, a lead-in or a shot's first chunk from nothing, any other chunk from the frame before
        it (when it needs one)."""
        r = self.renders[render]
        if stage(name).lead or not self.follows(name, render, start):
            return None
        if start in self.segment_starts(render):
            return next(s for s in self.look(render).extra(self, render) if stage(s).lead), start - 1
        if r.settings["temporal"] or r.smooth["method"] != "none":
            return name, start - 1
        return None

    def lead_ranges(self, render: str) -> list[range]:
        """The frames each segment after a shot's first renders before its own (its lead-in, in its shot)."""
        overlap = self.renders[render].settings.get("overlap", 0)
        shots = self.shot_starts(self.look_stage(render), render)
        out = []
        for s in self.segment_starts(render):
            if s not in shots:
                first = max(x for x in shots if x < s)
                out.append(range(max(first, s - overlap), s))
        return out

    def chunk_ranges(self, name: str, owner: str) -> list[range]:
        size = self.chunk * (self.config["execution"]["cheap_chunks"] if stage(name).cheap else 1)
        return chunk_ranges(self.frame_count(name, owner), size, self.boundaries(name, owner))

    def chunk_jobs(self, name: str) -> list[ChunkJob]:
        return [job for owner in self.owners(name) for job in self.chunk_jobs_of(name, owner)]

    def chunk_jobs_of(self, name: str, owner: str) -> list[ChunkJob]:
        s, jobs = stage(name), []
        n, cuts = self.frame_count(name, owner), self.boundaries(name, owner)
        shots = self.shot_starts(name, owner)
        ranges = self.lead_ranges(owner) if s.lead else self.chunk_ranges(name, owner)
        for chunk in ranges:
            frames = chunk
            if s.pairs:  # a chunk owns the pairs (t, t+1) of its frames
                pairs = pair_range(chunk, n, cuts, shots)  # output t+1 (the mask of t+1) or t (flow t→t+1)
                frames = range(pairs.start + 1, pairs.stop + 1) if s.pairs == "second" else pairs
            if not frames or (s.jobs_when and not s.jobs_when(self, owner, frames)):
                continue  # e.g. no pair (t, t+j) in the chunk's shot: no job (and no benchmark to wait for)
            last = frames.stop - 1
            span = f"frame {frames.start}" if len(frames) == 1 else f"frames {frames.start}-{last}"
            what = f"frame pairs {frames.start}-{last}" if s.pairs == "first" else span
            jobs.append(
                ChunkJob(
                    rule=f"{name}_{owner}_{frames.start:06d}",
                    stage=name,
                    owner=owner,
                    frames=frames,
                    log=log_path(self.results, name, owner, frames),
                    benchmark=bench_path(self.results, name, owner, frames),
                    message=f"{s.label} · {owner} · {what} of {n - 1 if s.pairs == 'first' else n}",
                    group=f"prep_{owner}_{chunk.start:06d}" if s.prep else None,
                )
            )
        return jobs

    def audio_files(self, render: str) -> list[str]:
        """The file whose audio goes into the render's video (none when off or silent)."""
        source = self.audio_source(render)
        return [source[0]] if source else []

    # --- report ----------------------------------------------------------------------------------
    def report_samples(self, render: str) -> list[int]:
        from .figures import sample_frames

        return sample_frames(self.renders[render].frames)

    def flowviz_path(self, video: str, t: int) -> str:
        """Colour-wheel thumbnail of the flow t→t−1 (drawn by the masks job for the report)."""
        return f"{self.results}/videos/{video}/flowviz/{int(t):06d}.jpg"

    def report_columns(self, render: str) -> list[tuple[str, str | None, str]]:
        """(title, stage, owner) of the stage strip's columns; stage None: the flow picture."""
        r = self.renders[render]
        video_stages = self.video_stages(render)
        cols = [("source", "frames", r.video)] if r.video else []
        if "masks" in video_stages:
            cols.append(("flow (t to t-1)", None, r.video))
        cols += [(stage(s).label, s, r.video) for s in video_stages if stage(s).picture and s != "frames"]
        cols += [(stage(s).label, s, render) for s in self.render_stages(render) if stage(s).picture]
        return cols

    def report_frames(self, render: str) -> dict:
        """{column title: [files of the sampled frames]} (a frame a column lacks, e.g. frame 1's mask: none)."""
        samples = self.report_samples(render)
        out = {}
        for title, name, owner in self.report_columns(render):
            if name is None:
                out[title] = [self.flowviz_path(owner, t) if t > 1 else None for t in samples]
            elif stage(name).pairs == "second":  # a mask belongs to the pair (t-1, t): frame 1 has none
                out[title] = [self.path(name, owner, t) if t > 1 else None for t in samples]
            else:
                out[title] = [self.path(name, owner, t) for t in samples]
        return {**out, **self.look(render).report_columns(self, render, samples)}

    def sheet_frames(self, render: str) -> list[int]:
        n = self.renders[render].frames
        return sorted({round(1 + i * (n - 1) / 11) for i in range(min(12, n))})

    def benchmarks(self, render: str) -> list[str]:
        """Benchmark files of the jobs behind a render that exist or that this run will write."""
        r, out = self.renders[render], []
        stages = [*self.video_stages(render), *self.look(render).prepare, *self.render_stages(render)]
        for name in STAGES:
            if name not in stages and not any(n in stages for n in stage_users(name)):
                continue
            owners = [o for o in self.owners(name) if o in (render, r.video) or stage(name).owner == "model"]
            for owner in owners:
                if not stage(name).per_frame:
                    jobs = stage(name).jobs(self, owner) if stage(name).jobs else [None]
                    out += [bench_path(self.results, name, owner, job=job) for job in jobs]
                    continue
                for job in self.chunk_jobs_of(name, owner):
                    if Path(job.benchmark).is_file() or not all(
                        os.path.exists(p) for p in self.paths(name, owner, job.frames[:1])
                    ):
                        out.append(job.benchmark)
        return out + [bench_path(self.results, "encode", render)]

    def all_outputs(self) -> list[str]:
        out = []
        for r in self.renders:
            if self.look(r).sheet:
                out.append(self.sheet_path(r))
            else:
                out += [d.path for d in self.deliveries(r)] + [f"{self.report_dir(r)}/stages.png"]
                if self.uses(r, "quality"):  # targets themselves: measured even where the report exists
                    out += self.paths("quality", r, range(1, self.renders[r].frames + 1))
        for t in self.timelines:
            out += [d.path for d in self.timeline_deliveries(t)] + self.editor_files(t)
        return out + self.repairs()

    def timeline_deliveries(self, name: str) -> list:
        """A timeline's masters (paintflow.delivery.Delivery): results/timelines/<t>/<t>.mp4, its formats, and
        the layers of its keyed parts (Timeline.layers)."""
        from .delivery import plan

        tl = self.timelines[name]
        return plan(name, f"{self.results}/timelines/{name}", tl.delivery["settings"]["formats"], tl.layers)

    def timeline_picture(self, name: str) -> str:
        """A picture of a timeline's cut: each part's first frame in the master, its frames and look."""
        return f"{self.results}/timelines/{name}/{name}_parts.png"

    def editor_files(self, name: str) -> list[str]:
        """A timeline for the editor: OpenTimelineIO, and FCP 7 XML and CMX 3600 EDL where the rate has timecodes."""
        from .editor_files import editor_extensions

        rate = self.timelines[name].delivery["rate"]
        return [f"{self.results}/timelines/{name}/{name}{ext}" for ext in editor_extensions(rate)]

    def job_files(self, render: str, folder: str, **names: str) -> dict:
        """Named outputs of a render's one-job stage, in one folder of the render."""
        return {key: f"{self.results}/renders/{render}/{folder}/{name}" for key, name in names.items()}

    def sheet_path(self, render: str) -> str:
        return f"{self.results}/renders/{render}/{render}_layers.png"

    def repairs(self) -> list[str]:
        """Damaged frames moved to the quarantine that are not made again yet: targets of the next run
        (Snakemake would otherwise re-make a missing intermediate file only when a job needs it)."""
        pending = Path(self.results) / ".paintflow" / "quarantine" / "pending.json"
        try:
            paths = json.loads(pending.read_text())
        except (OSError, ValueError):
            return []
        current = {str(folder) for _, _, folder in self.frame_folders()}
        paths = [f"{self.results}/{rel}" for rel in paths]
        return [p for p in paths if str(Path(p).parent) in current and not os.path.exists(p)]

    # --- damaged outputs -------------------------------------------------------------------------
    def frame_folders(self):
        """(stage, owner, folder) of every per-frame output folder of this config."""
        for name, s in STAGES.items():
            if not s.per_frame:
                continue
            for owner in self.owners(name):
                for variant in self.variants(name, owner):
                    yield name, owner, frame_folder(self.results, name, owner, variant)

    def quarantine_damaged(self) -> list[str]:
        """Move truncated per-frame outputs (cheap check: a few bytes each) out of the way, so the
        next run makes exactly them again; say so on stderr. Nothing intact is touched."""
        moved = []
        for _, _, folder in self.frame_folders():
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                if entry.name[0].isdigit() and entry.is_file() and not is_intact(entry.path):
                    moved.append(quarantine(self.results, entry.path))
        for path in moved:
            print(
                f"paintflow: {path[0]} is damaged (truncated); moved to {path[1]}; it will be made again",
                file=sys.stderr,
            )
        return moved


def quarantine(results, path, into: Path | None = None) -> tuple[str, str]:
    """Move a damaged file under results/.paintflow/quarantine/ (or ``into``: kept for inspection) and list
    it as a target of the next run (:meth:`RenderDag.repairs`)."""
    from .files import write_json

    path = Path(path)
    root = Path(results) / ".paintflow" / "quarantine"
    rel = path.resolve().relative_to(Path(results).resolve())
    dest = (into or root) / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), dest)
    pending = root / "pending.json"
    try:
        listed = json.loads(pending.read_text())
    except (OSError, ValueError):
        listed = []
    write_json(pending, sorted({*listed, str(rel)}))
    return str(path), str(dest)
