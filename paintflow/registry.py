"""The types of the workflow's parts and the tables that hold them: stages and looks.

A :class:`Stage` says who owns its outputs (a video, a render, or the shared models), where it writes
them (one file per frame in a folder, or one job per owner), what decides its pixels (its identity),
and how it behaves in the chain of jobs (its fields below); the rules (through :mod:`paintflow.dag`), the
plan, ``paintflow status`` and the report all read this table. A :class:`Look` is a way of painting a
render: its stages, its settings section (and that section's schema), its checks, preview and cost.

Nothing here knows a stage or a look by name: the stages every render shares register themselves in
:mod:`paintflow.shared_stages`, each look in its own folder under ``paintflow/looks/`` (found by
:mod:`paintflow.looks`), both imported once when the package is (``paintflow/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

# where a per-frame stage of a render stands in its chain of frames, in this order (the look's own stage
# stands at "look"; stages of one place stand in the order they were registered)
CHAIN = ("before", "look", "refine", "composite", "finish")


@dataclass(frozen=True)
class Stage:
    name: str
    owner: str  # "video", "render" or "model"
    label: str  # how progress, plan and report name it
    folder: str | None = None  # per-frame outputs in <owner dir>/<folder>/NNNNNN.<ext>; None: one job per owner
    ext: str | Callable = "png"  # file extension, or (config) -> extension (a setting chooses the format)
    gpu: bool = False  # GPU work (when execution.gpus_per_job > 0)
    version: int = 1  # part of every output's identity: bump when the algorithm changes the pixels
    picture: bool = False  # a column of the report's stage strip
    sequential: bool | Callable = False  # frame t needs the stage's own frame t-1 (or (dag, owner) -> whether)
    identity: Callable | None = None  # (dag, owner) -> what decides its outputs (see paintflow.identity)
    needs: tuple = ()  # one-job stages it needs (a shared model, the decoder): they exist wherever it does
    chain: str | None = None  # a per-frame stage applied to a render's look: its place in CHAIN
    when: Callable | None = None  # (dag, render) -> whether a chain stage (or another render stage) applies
    work: Callable | None = None  # (dag, owner, t) -> units of work of frame t (default 1: a frame; t None: a job)
    pairs: str | None = None  # a chunk owns the frame pairs (t, t+1) of its frames: "first" (output t) or "second"
    variants: Callable | None = None  # (dag, owner) -> sub-folders (flow directions, offsets); None: one folder
    jobs_when: Callable | None = None  # (dag, owner, frames) -> whether a chunk has work (e.g. a pair in its shot)
    cheap: bool = False  # milliseconds a frame after its start: execution.cheap_chunks chunks of frames per job
    prep: bool = False  # per-frame video work grouped with the other prep stages of the chunk into one job
    lead: bool = False  # the lead-in of a segmented chain: its chunks are the lead ranges, each a chain start
    painter: Callable | None = None  # a look painting frame by frame: (ChunkContext) -> paint(t, rgb) -> rgb
    inputs: Callable | None = None  # (dag, render) -> {name: [files]} a painter's job reads (a model, a table)
    # (dag, owner) -> names of the jobs a one-job stage is made by, one rule's jobs (the keyframe look's
    # training: one per shot); each has its log and benchmark job-<name>; None: one job
    jobs: Callable | None = None
    # (dag, owner, job) -> what decides one of those jobs: an identity file of its own (identity_<stage>_<owner>_
    # <job>), so that a change re-runs that job alone (a shot's keyframes: its training); None: the stage's
    job_identity: Callable | None = None
    bytes_per_pixel: float = 2.0  # disk per pixel of a stored frame (the disk estimate; 1280x720 measures)
    # frame t's output is what it would be in a clip of t's shot alone (a chain restarts at every cut, a pair
    # never crosses one, nothing reads the clip's other shots or its frame numbers): a render of a part of its
    # video also stores it by its shot (paintflow.store.ShotStore), so another part holding that shot — a
    # boundary moved, a shot tried alone first — takes it back instead of making it again
    shot_local: bool = False

    @property
    def per_frame(self) -> bool:
        return self.folder is not None


@dataclass(frozen=True)
class Command:
    """A subcommand of ``paintflow`` that a look adds (``paintflow keyframes RENDER``): ``arguments(parser)``
    adds its own arguments (--directory and --configfile are every command's); ``run(args, config)`` does it,
    given the render folder's config with absolute paths."""

    name: str
    help: str
    arguments: Callable
    run: Callable


@dataclass(frozen=True)
class Look:
    name: str
    stage: str  # the per-frame stage that makes the look
    section: str  # config section holding its settings (its schema: schema.yaml beside the look's module)
    description: str = ""  # one line: the config's look list, the docs, the studio's choice
    prepare: tuple = ()  # per-render job stages it needs first (e.g. style targets)
    video_stages: Callable = lambda settings: ("frames",)  # the video stages it reads, given its settings
    preview: Callable | None = None  # (dag, render, rgb, quick, t) -> rgb: frame t of the look, in seconds
    base: tuple = ()  # config sections whose settings it also takes (its own section wins)
    extra: Callable = lambda dag, render: ()  # more per-render stages it needs (e.g. segment leads)
    video_source: bool | str = True  # its frames come from renders.<r>.video ("optional": or its own picture)
    check: Callable | None = None  # (render, its config, videos, renders, where) -> checks before any job
    sheet: bool = False  # one picture, not a video: no per-frame chain, no encoding
    chains: Callable = lambda settings: 1  # independent chains per shot (the painted look's segments)
    long_term: Callable = lambda settings: ()  # frame offsets j > 1 whose flow it reads (long-term consistency)
    # (settings, scratch folder, frames) -> settings a calibration render of its first frames takes instead
    # (a short training; the keyframe look: a keyframe of those frames, written into the scratch folder)
    calibrate: Callable = lambda settings, scratch, frames: {}
    form: tuple = ()  # (settings key, label[, parser of typed text]) the studio's form offers (fields from its schema)
    painting: str | None = None  # where the painting clicked in the studio goes ("style", "fast.style")
    painting_required: bool = False  # the look cannot do without one
    blend: str | None = None  # where several paintings clicked go, blended ("styles": [{path}, …])
    paintings: str | None = None  # where the studio's folder of paintings goes ("latent.paintings")
    # a setting of its section naming a folder of pictures a person makes for the render (the keyframe look's
    # painted frames): the studio keeps that folder in the render's own, writes what to paint with the look's
    # command (``paintflow <command> RENDER --out DIR``) and takes the painted pictures back
    hand: str | None = None
    smooths: bool = False  # its frames may be smoothed over time (a render's smooth:)
    smoothing: dict = field(default_factory=dict)  # its renders' smooth: where they do not say (keys of smooth:)
    # (dag, render, sampled frames) -> {title: [file or None per sample]}: columns it adds to its report's
    # stage strip (the keyframe look: the artist's keyframe beside each propagated frame)
    report_columns: Callable = lambda dag, render, samples: {}
    command: Command | None = None  # a subcommand of paintflow it adds (the keyframe look: the frames to paint)
    # its frames are meant to show their source frames: the quality stage flags a chained render of it that
    # drifts from them (smear, ghost); a dream is meant to leave them, deeper with every frame
    faithful: bool = True
    sound: str | None = None  # where a song uploaded in the studio goes ("music.audio")
    studio: dict = field(default_factory=dict)  # render config the studio adds (a look's good defaults there)
    choices: Callable | None = None  # (rgb) -> PIL image: a picture of its choices for the form (the 26 styles)
    env: str = "video"  # the conda env of its jobs (envs/<env>.yaml)
    rules: str | None = None  # its rule file, rules/<rules>.smk (None: the generic per-frame rule, or another's)
    folder: Path | None = None  # where the look is defined (its schema.yaml, its rule file's name)


STAGES: dict[str, Stage] = {}
LOOKS: dict[str, Look] = {}


def register(stage: Stage) -> Stage:
    if stage.chain is not None and stage.chain not in CHAIN:
        raise ValueError(f"stage {stage.name}: chain {stage.chain!r} is not one of {', '.join(CHAIN)}")
    STAGES[stage.name] = stage
    return stage


def unregister(name: str) -> None:
    STAGES.pop(name, None)


def stage(name: str) -> Stage:
    return STAGES[name]


def register_look(look: Look, *stages: Stage, where: str | None = None) -> Look:
    """A look and its own stages, registered where they are defined (``where``: that module's ``__file__``,
    whose folder holds the look's ``schema.yaml``)."""
    for s in stages:
        register(s)
    if where is not None:
        look = replace(look, folder=Path(where).parent)
    LOOKS[look.name] = look
    return look


def later(module: str, name: str) -> Callable:
    """``module.name``, imported at its first call: a look's model code (torch) stays out of planning."""

    def call(*args, **kwargs):
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def chain_order(s: Stage) -> int:
    """A chain stage's rank: its place in CHAIN (a look's own stage: "look")."""
    return CHAIN.index(s.chain or "look")


def stage_users(name: str) -> list[str]:
    """The stages that need the one-job stage ``name`` (a shared model, the decoder)."""
    return [s.name for s in STAGES.values() if name in s.needs]
