"""A timeline's master, frame by frame (:mod:`paintflow.timeline` says which render covers which frame):
each render's final frames where it covers the video, the footage as filmed elsewhere, a dissolve between
two looks mixed; and a picture of the cut."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import PaintflowError
from .crossfade import mix, weight


def master_frames(plan: dict, source: Path, info: dict, finals: dict):
    """The master's frames in order (RGB uint8): each render's final frames where it covers the video
    (``finals``: {render: [path of its frame 1, 2, …]}), the footage decoded at the master's size elsewhere."""
    from .files import read_rgb
    from .video import decoded_frames

    size = tuple(plan["size"])
    by_frame, mixes = {}, {}
    for p in plan["parts"]:
        run = range(p["first"], p["last"] + 1)
        if p["render"]:
            by_frame |= {t: finals[p["render"]][p["at"] - 1 + i] for i, t in enumerate(run)}
        if p["into"]:  # a dissolve: into the other look, rising linearly across the run
            mixes |= {t: (finals[p["into"]][p["into_at"] - 1 + i], weight(t, run)) for i, t in enumerate(run)}
    footage = decoded_frames(source, info, size)
    try:
        for t, filmed in enumerate(footage, 1):
            if t > plan["frames"]:
                break
            if t not in by_frame:
                yield filmed
                continue
            rgb = read_rgb(by_frame[t])
            if rgb.shape[1::-1] != size:
                raise PaintflowError(f"{by_frame[t]}: {rgb.shape[1]}x{rgb.shape[0]}, the master is {size[0]}x{size[1]}")
            if t in mixes:
                path, w = mixes[t]
                rgb = mix(rgb, read_rgb(path), w)
            yield rgb
    finally:
        footage.close()


class InOrder:
    """Frame ``t`` of a sequence read once, in order (a keyed render's layer frames), asked in rising order."""

    def __init__(self, frames):
        self.frames, self.t, self.last = iter(frames), 0, None

    def at(self, t: int):
        while self.t < t:
            self.last, self.t = next(self.frames), self.t + 1
        if self.t != t:
            raise PaintflowError(f"frame {t} asked after frame {self.t}: a render's layer is read in order")
        return self.last


def master_layer(plan: dict, layer: str, composite, layers: dict):
    """The master's ``layer`` frame by frame: a keyed part's own layer (``layers``: {render: its layer's
    frames in order, paintflow.key.layer_frames}); elsewhere — a look without a key, the footage — no
    performer (transparent) and the whole picture (``composite``: the master's frames) as the background. A
    dissolve mixes the two sides' layers."""
    cursors = {r: InOrder(frames) for r, frames in layers.items()}
    by_frame, mixes = {}, {}
    for p in plan["parts"]:
        run = range(p["first"], p["last"] + 1)
        by_frame |= {t: (p["render"], p["at"] + i) for i, t in enumerate(run)}
        if p["into"]:
            mixes |= {t: (p["into"], p["into_at"] + i, weight(t, run)) for i, t in enumerate(run)}
    for t, rgb in enumerate(composite, 1):

        def of(render, at, rgb=rgb):
            if render in cursors:
                return cursors[render].at(at)
            if layer == "performer":
                return np.zeros((*rgb.shape[:2], 4), np.uint8)
            return rgb

        out = of(*by_frame[t])
        if t in mixes:
            into, at, w = mixes[t]
            out = mix(out, of(into, at), w)
        yield out


class PartsPicture:
    """The first frame of each part of the master, kept as the conform's frames go by, labelled with its
    frames and its render's look (``looks``: {render: look}), written as one picture of the cut."""

    def __init__(self, plan: dict, looks: dict):
        self.parts = {p["first"]: p for p in plan["parts"]}
        self.looks, self.kept = looks, []

    def label(self, p: dict) -> str:
        what = "as filmed" if not p["render"] else f"{p['render']} ({self.looks[p['render']]})"
        if p["into"]:
            what += f" into {p['into']} ({self.looks[p['into']]})"
        return f"{p['first']}-{p['last']} {what}"

    def through(self, frames):
        for t, rgb in enumerate(frames, 1):
            if t in self.parts:
                self.kept.append((self.label(self.parts[t]), rgb))
            yield rgb

    def write(self, out) -> None:
        from .figures import contact_sheet
        from .files import write_pil

        write_pil(out, contact_sheet(self.kept, columns=min(len(self.kept), 6), width=240 * min(len(self.kept), 6)))
