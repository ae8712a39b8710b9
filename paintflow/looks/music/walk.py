"""The music look: what a render's config asks for (checked before any job), the trajectory job (the
song's frames clustered, the particle's walk, the chart) and the per-frame stage that paints each frame
at its point of the walk with the fast look's networks (a blend of built-in styles, or of the style
vectors of the user's paintings).

The analysis itself lives beside it: :mod:`.song`, :mod:`.audio` and :mod:`.particle`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paintflow import PaintflowError
from paintflow.smooth import reads_flow

DEFAULT_STYLES = 5  # built-in styles chosen by seed when none are given


def default_styles(seed: int) -> list[int]:
    from paintflow.looks.fast.stylizer import NUM_STYLES

    return sorted(int(i) for i in np.random.default_rng(seed).choice(NUM_STYLES, DEFAULT_STYLES, replace=False))


def latent_space(render, renders: dict, where: str) -> list[str]:
    """The latent space: a render of look latent whose model is the generator; its paintings are the
    anchors unless the walk names its own (returned: the anchors' files)."""
    s = render.settings
    other = s["latent_render"]
    latent = sorted(n for n, r in renders.items() if r.look == "latent")
    if not other:
        known = (
            f" (latent renders: {', '.join(latent)})"
            if latent
            else " (none configured: add a render with look: latent)"
        )
        raise PaintflowError(f"{where}.latent_render: the latent space needs the render whose model paints{known}")
    if other not in renders or renders[other].look != "latent":
        known = ", ".join(latent) or "none"
        raise PaintflowError(
            f"{where}.latent_render: {other!r} is not a render of look latent (latent renders: {known})"
        )
    if s["paintings"]:
        return list(s["paintings"])
    from paintflow.looks.latent.vae import painting_files

    folder = renders[other].settings["paintings"]
    if folder is None:
        raise PaintflowError(f"renders.{other}.latent.paintings: give the folder of paintings the look learns from")
    return [str(p) for p in painting_files(folder, f"renders.{other}.latent.paintings")[0]]


def check(render, rcfg: dict, videos: dict, renders: dict, where: str, config: dict | None = None) -> dict:
    """Size, rate and length of a music render (set on the render) and the walk's anchors, returned as its
    ``derived`` facts: {styles, paintings} (the styles chosen by seed when none are given; a latent space's
    paintings); every problem named by its config key."""
    from paintflow.inputs import check_image
    from paintflow.looks.music.particle import check_stable

    s = render.settings
    if render.video:
        if s["image"]:
            raise PaintflowError(f"{where}.image: a music render paints its video's frames or an image, not both")
    elif s["image"]:
        check_image(Path(s["image"]), f"{where}.image", "image")
    if s["audio"] and not Path(s["audio"]).is_file():
        raise PaintflowError(f"{where}.audio: audio file not found: {s['audio']}")
    if not s["audio"] and not (render.video and videos[render.video].info["has_audio"]):
        what = f"video {render.video!r} has no sound" if render.video else "there is no video"
        raise PaintflowError(f"{where}.audio: the music look needs a song: give music.audio ({what})")
    if not render.video:
        from paintflow.files import read_rgb

        render.fps = float(s["fps"])
        if s["image"]:
            h, w = read_rgb(Path(s["image"])).shape[:2]
        else:
            h, w = 9, 16
        render.width = s["width"]
        from paintflow.video import output_size

        render.height = s["height"] or output_size((w, h), s["width"], None)[1]
        seconds = s["seconds"]
        if not seconds:
            from paintflow.video import audio_duration

            try:
                seconds = audio_duration(Path(s["audio"]))
            except PaintflowError as err:
                raise PaintflowError(f"{where}.audio: {err}") from err
        render.frames = max(1, int(round(seconds * render.fps)))
    if reads_flow(render.smooth["method"]) and not render.video:
        raise PaintflowError(f"renders.{render.name}.smooth.method: {render.smooth['method']} needs a video; use blend")
    check_stable(float(s["stiffness"]), float(s["damping"]), render.fps, where)
    found = {"styles": s["styles"], "paintings": list(s["paintings"])}
    if s["space"] == "styles":
        if s["styles"] is None:
            found["styles"] = default_styles(s["seed"])
    else:
        if s["space"] == "latent":
            found["paintings"] = latent_space(render, renders, where)
        if len(found["paintings"]) < 2:
            raise PaintflowError(f"{where}.paintings: the {s['space']} space needs two or more paintings")
        for i, p in enumerate(found["paintings"]):
            check_image(Path(p), f"{where}.paintings[{i}]", "painting")
    if s["model"]:
        from paintflow.looks.music.song import ClusterModel

        if not Path(s["model"]).is_file():
            raise PaintflowError(f"{where}.model: cluster model not found: {s['model']}")
        ClusterModel.load(s["model"], f"{where}.model")
    elif s["clusters"] > render.frames:
        raise PaintflowError(
            f"{where}.clusters: {s['clusters']} clusters for {render.frames} frames; at most one per frame"
        )
    return found


def make_trajectory(song: tuple, frames: int, fps: float, settings: dict, outputs: dict, title: str) -> dict:
    """The trajectory job: decode the song, describe every frame, fit (or load) the cluster model, walk
    the particle; write ``outputs["table"]`` (CSV), ``outputs["model"]`` (.npz) and ``outputs["chart"]``."""
    from paintflow.looks.music import audio
    from paintflow.looks.music import song as music

    path, start, _ = song
    if settings["model"]:
        model = music.ClusterModel.load(settings["model"])
        bands, window, rate = model.bands, model.window, model.rate
    else:
        model, bands, window, rate = None, settings["bands"], settings["window"], audio.SAMPLE_RATE
    samples = audio.load(path, start, frames / fps, rate)  # padded with silence past the song's end
    peak = float(np.abs(samples).max())
    if peak < 1e-3:
        level = f"peak {20 * np.log10(peak):.0f} dB" if peak > 0 else "all zeros"
        raise PaintflowError(f"{path}: the song is silent ({level}): nothing for the music look to follow")
    features = audio.frame_features(samples, frames, fps, bands, window, rate)
    if model is None:
        model = music.fit(features, settings["clusters"], settings["seed"], window, rate)
    table = music.trajectory(features, model, music.anchor_names(settings), fps, settings)
    music.write_table(table, outputs["table"])
    model.save(outputs["model"])
    sheet = music.chart(table, audio.envelope(samples, frames, fps, rate), title)
    from paintflow.files import atomic_path

    with atomic_path(outputs["chart"]) as tmp:
        sheet.save(tmp, format="PNG")
    counts = np.bincount(table["cluster"], minlength=model.clusters)
    return {"frames": frames, "clusters": model.clusters, "largest": int(counts.max()), "smallest": int(counts.min())}


def canvas(width: int, height: int, seed: int) -> np.ndarray:
    """A seeded canvas for a render without a picture: soft coloured noise (strokes need something)."""
    import cv2

    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (max(2, height // 24), max(2, width // 24), 3), dtype=np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def content_image(render) -> np.ndarray:
    """The one picture a music render without a video paints on every frame."""
    s = render.settings
    if s["image"]:
        from paintflow.inputs import still_image

        return still_image(s, render.width, render.height)
    return canvas(render.width, render.height, s["seed"])


class MusicStylizer:
    """Paints a frame at one point of the walk: anchor weights (one per anchor) and a strength.

    In the latent space the anchors are the VAE codes of the paintings: a frame's code moves toward the
    walk's blend of them by the strength (z = encode(frame) + strength·(blend − mean of the video)); with
    no picture to paint (``generate``), the decoder alone paints the blend (z = mean of the paintings +
    strength·(blend − mean of the paintings))."""

    def __init__(
        self, settings: dict, threads: int = 2, device: str = "auto", latent_model=None, generate: bool = False
    ):
        self.space, self.preserve, self.generate = settings["space"], settings["preserve_color"], generate
        if self.space == "latent":
            import torch

            from paintflow.files import read_rgb
            from paintflow.looks.latent.vae import LatentStyle

            torch.set_num_threads(max(1, threads))
            self.model = LatentStyle(latent_model, device)
            self.codes = torch.stack([self.model.encode(read_rgb(p)) for p in settings["paintings"]])
            return
        from paintflow.looks.fast.stylizer import FastSettings, FastStylizer

        if self.space == "styles":
            self.net = FastStylizer(FastSettings(settings["styles"][0]), threads, device)
            self.styles = list(settings["styles"])
        else:
            from paintflow.files import read_rgb

            self.net = FastStylizer(FastSettings(str(settings["paintings"][0])), threads, device)
            self.vectors = np.stack([self.net.style_vector(read_rgb(p))[0] for p in settings["paintings"]])

    def __call__(self, rgb: np.ndarray, weights: np.ndarray, strength: float) -> np.ndarray:
        from paintflow.looks.fast.stylizer import NUM_STYLES, keep_color, to_float, to_uint8

        w = np.clip(np.asarray(weights, np.float64), 0, None)  # the spring may overshoot a little
        w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
        if self.space == "latent":
            import torch

            m = self.model
            blend = torch.as_tensor(w, dtype=torch.float32) @ self.codes.cpu()
            blend = blend.to(self.codes.device)
            if self.generate:
                z = m.mean_paintings + strength * (blend - m.mean_paintings)
            else:
                z = m.encode(rgb) + strength * (blend - m.mean_video)
            out = m.decode(z, size=(rgb.shape[1], rgb.shape[0]))
        elif self.space == "styles":
            blend = np.zeros(NUM_STYLES, np.float32)
            for style, share in zip(self.styles, w):
                blend[style] += share
            out = self.net.builtin(rgb, blend)
            out = to_uint8(strength * to_float(out) + (1 - strength) * to_float(rgb))
        else:
            vector = (w @ self.vectors)[None].astype(np.float32)
            if strength < 1.0:
                vector = strength * vector + (1 - strength) * self.net.style_vector(rgb)
            out = self.net.with_vector(rgb, vector)
        return keep_color(out, rgb) if self.preserve else out


def preview(dag, render: str, rgb: np.ndarray, quick: bool = True, t: int | None = None) -> np.ndarray:
    """One frame of a music render (``paintflow preview``): the path's middle at full strength."""
    from paintflow.looks.music import walk_settings
    from paintflow.looks.music.song import path_targets

    s = walk_settings(dag.renders[render])
    anchors = len(s["styles"]) if s["space"] == "styles" else len(s["paintings"])
    middle = path_targets(anchors, 3)[1]
    model = None
    if s["space"] == "latent":
        from paintflow.looks import latent as latent_look

        model = latent_look.paths(dag, s["latent_render"])["model"]
        if not Path(model).is_file():
            raise PaintflowError(
                f"the music walk of {render} paints with the model of {s['latent_render']}: train it first "
                f"(`snakemake --until latent_train_{s['latent_render']}`)"
            )
    return MusicStylizer(s, device=s["device"], latent_model=model)(rgb, middle, float(s["strength"]))
