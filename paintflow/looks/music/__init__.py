"""The music look: the song's frames clustered by their sound, a spring particle walking between styles
(built-in fast styles, the style vectors of paintings, or a latent render's codes), every frame painted
at its point of the walk. Analysis: :mod:`.song`, :mod:`.audio`, :mod:`.particle`; painting and checks:
:mod:`.walk`; rules: ``rules/music.smk``."""

from __future__ import annotations

from paintflow.looks.fast import MODEL as FAST_MODEL
from paintflow.registry import Look, Stage, later, register_look
from paintflow.shared_stages import smooth_id


def walk_settings(render) -> dict:
    """The walk's settings with the anchors its check found (styles chosen by seed, a latent space's paintings)."""
    return {**render.settings, **render.derived}


def _song_id(dag, render):
    file, start, seconds = dag.song(render)
    return {"file": dag.ids(file), "start": float(start), "seconds": float(seconds)}


def _trajectory_id(dag, render):
    r = dag.renders[render]
    s = dag.numbers("music", walk_settings(r))
    ident = {
        "song": _song_id(dag, render),
        "frames": r.frames,
        "fps": float(r.fps),
        "anchors": s["styles"] if s["space"] == "styles" else [dag.ids(p) for p in s["paintings"]],
        "motion": {k: s[k] for k in ("stiffness", "damping", "loudness", "release", "strength")},
    }
    if s["model"]:
        ident["model"] = dag.ids(s["model"])
    else:
        ident["fit"] = {k: s[k] for k in ("clusters", "bands", "window", "seed")}
    return ident


def _music_id(dag, render):
    r = dag.renders[render]
    s = r.settings
    if r.video:
        content = {"frames": dag.key("frames", r.video)}
    elif s["image"]:
        content = {"image": dag.ids(s["image"]), "size": [r.width, r.height]}
    else:
        content = {"canvas": [r.width, r.height], "seed": s["seed"]}
    return {
        "content": content,
        "trajectory": dag.key("music_trajectory", render),
        "space": s["space"],
        "preserve_color": s["preserve_color"],
        "model": dag.key("latent_train", s["latent_render"]) if s["space"] == "latent" else FAST_MODEL,
        **smooth_id(dag, render),
    }


def painter(ctx):
    """The walk's table and the networks, loaded once: frame t painted at its point of the walk (a render
    without a video paints its image, or a seeded canvas, at every frame)."""
    import numpy as np

    from . import song
    from .walk import MusicStylizer, content_image

    r = ctx.render
    table = song.read_table(ctx.inputs.table[0]).set_index("frame")
    anchors = song.anchor_columns(table)
    still = None if r.video else content_image(r)
    model = ctx.inputs.latent_model[0] if ctx.inputs.latent_model else None
    net = MusicStylizer(
        walk_settings(r), ctx.threads, r.settings["device"], model, still is not None and not r.settings["image"]
    )

    def paint(t, rgb):
        row = table.loc[t]
        return net(still if rgb is None else rgb, row[anchors].to_numpy(np.float64), float(row["strength"]))

    return paint


def inputs(dag, render) -> dict:
    """The walk's table, the picture painted without a video, the paintings and a latent render's model."""
    from paintflow.looks import latent

    s = walk_settings(dag.renders[render])
    return {
        "table": [paths(dag, render)["table"]],
        "image": [s["image"]] if s["image"] else [],
        "paintings": list(s["paintings"]) if s["space"] != "styles" else [],
        "latent_model": [latent.paths(dag, s["latent_render"])["model"]] if s["space"] == "latent" else [],
    }


def paths(dag, render: str) -> dict:
    """The trajectory job's outputs: the per-frame table, the cluster model (reusable) and the chart."""
    return dag.job_files(render, "trajectory", table="trajectory.csv", model="clusters.npz", chart="trajectory.png")


register_look(
    Look(
        "music",
        "music",
        "music",
        description="a walk through style space driven by a song",
        prepare=("music_trajectory",),
        preview=later(f"{__name__}.walk", "preview"),
        video_source="optional",
        check=later(f"{__name__}.walk", "check"),
        smooths=True,
        sound="music.audio",
        form=(("clusters", "kinds of sound"), ("strength", "style strength at the loudest")),
        studio={"smooth": {"method": "blend", "alpha": 0.3}},
        env="music",
        rules="music",
    ),
    Stage("music_trajectory", "render", "music trajectory", identity=_trajectory_id),
    Stage(
        "music",
        "render",
        "music look",
        folder="music",
        gpu=True,
        picture=True,
        identity=_music_id,
        painter=painter,
        inputs=inputs,
    ),
    where=__file__,
)
