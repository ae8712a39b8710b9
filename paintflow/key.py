"""Keying: soft mattes of performers (chroma key, or person segmentation), spill suppression, a neutral
fill for what the look must not see, and compositing the painted performer over any background.

Chroma key: the key colour is given or estimated from the frame borders (top, left and right: the
bottom often holds the performer's body); alpha rises from 0 to 1 as a pixel's chroma (YCbCr, luma
ignored, so uneven lighting of the screen does not matter) moves from the inner to the outer tolerance
away from the key. The inner tolerance adapts to the spread of the screen's own chroma. Clean-up removes
specks (small foreground islands in the screen) and holes (small screen islands in the performer), then
optionally shrinks or grows and feathers the edge. Spill suppression removes the key colour's cast from
the performer where the screen lit it (edges, hair), not from the performer's own colours inside.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import PaintflowError
from .resize import cover

NEUTRAL = 0.5  # OpenCV float YCrCb: chroma offset (0.5, not 128, on 0-255 float input)


def parse_color(value, where: str) -> np.ndarray | None:
    """RGB (0-255) from [r, g, b] or "#rrggbb"; None for "auto" (estimate from the frames)."""
    if value in (None, "auto"):
        return None
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) == 6 and all(c in "0123456789abcdefABCDEF" for c in text):
            return np.array([int(text[i : i + 2], 16) for i in (0, 2, 4)], np.float32)
    elif (
        isinstance(value, (list, tuple))
        and len(value) == 3
        and all(isinstance(v, (int, float)) and 0 <= v <= 255 for v in value)
    ):
        return np.asarray(value, np.float32)
    raise PaintflowError(f"{where}: {value!r} is not a colour (give auto, [r, g, b] from 0 to 255, or '#rrggbb')")


def chroma(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 2) Cb, Cr of RGB uint8/float pixels (0-255 scale)."""
    ycc = cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.float32), cv2.COLOR_RGB2YCrCb)
    return np.stack([ycc[..., 2], ycc[..., 1]], axis=-1)


def border_pixels(frames: list[np.ndarray], band: float = 0.06) -> np.ndarray:
    """Pixels of the top, left and right borders of some frames, (N, 3) float."""
    out = []
    for f in frames:
        h, w = f.shape[:2]
        b = max(2, int(round(band * min(h, w))))
        out += [f[:b].reshape(-1, 3), f[:, :b].reshape(-1, 3), f[:, -b:].reshape(-1, 3)]
    return np.concatenate(out).astype(np.float32)


def estimate_key(frames: list[np.ndarray]) -> dict:
    """The screen's colour (robust median of the border pixels near the dominant chroma) and how much
    the screen's chroma spreads around it (the 99th percentile distance)."""
    px = border_pixels(frames)
    c = chroma(px[None])[0]
    center = np.median(c, axis=0)
    for _ in range(3):  # re-centre on the screen, away from what else touches the border
        d = np.linalg.norm(c - center, axis=1)
        near = d <= max(np.percentile(d, 60), 4.0)
        center = np.median(c[near], axis=0)
    d = np.linalg.norm(c - center, axis=1)
    near = d <= max(np.percentile(d, 60), 4.0)
    return {
        "rgb": np.median(px[near], axis=0).round(1).tolist(),
        "chroma": center.round(2).tolist(),
        "spread": float(np.percentile(d[near], 99)),
    }


def key_info(rgb: np.ndarray) -> dict:
    c = chroma(rgb.reshape(1, 1, 3))[0, 0]
    return {"rgb": [float(x) for x in rgb], "chroma": c.round(2).tolist(), "spread": 0.0}


def raw_alpha(rgb: np.ndarray, key: dict, inner: float, outer: float, edge: str = "soft", with_width=False):
    """Alpha in [0, 1] from the chroma distance to the key.

    A pixel within ``inner`` of the screen's local colour (or the screen's own spread) is screen. In
    between — edges, hair, motion blur — a pixel is a mix α·F + (1−α)·K, and chroma is linear in RGB.
    ``edge: soft`` estimates α as that mixing ratio wherever the pixel is a mix (``soft_edge``: the
    screen's and the performer's local colours, the transition kept as wide as it is; ``with_width``:
    also the local edge width, for ``matting``); ``edge: hard`` (the key before it) reads every pixel at
    least ``outer`` away as performer, so a wide transition is cut where it reaches ``outer``."""
    if edge != "hard":  # the ratio reads sensor noise as alpha: an edge-keeping denoise first
        rgb = cv2.bilateralFilter(np.ascontiguousarray(rgb, dtype=np.float32), 5, 8.0, 1.5)
    c = chroma(rgb)
    k = np.asarray(key["chroma"], np.float32)
    lo = max(inner, key.get("spread", 0.0) * 1.1)
    hi = max(outer, lo + 1.0)
    # uneven light changes the screen's chroma across the frame: measure from the screen's local colour
    local_key = np.broadcast_to(k, c.shape)
    for _ in range(2 if edge == "hard" else 1):  # the local screen colour, then the screen found with it
        d = np.linalg.norm(c - local_key, axis=-1)
        screen = cv2.erode((d < (lo + hi) / 2).astype(np.float32), np.ones((5, 5), np.uint8))
        if screen.sum() < 1:
            break
        local_key = spread(c, screen)
    if edge != "hard":
        from .soft_edge import mixing_alpha

        return mixing_alpha(c, local_key, lo, hi, with_width)
    ramp = np.clip((np.linalg.norm(c - k, axis=-1) - lo) / (hi - lo), 0.0, 1.0)
    d = np.linalg.norm(c - local_key, axis=-1)
    sure = cv2.erode((ramp >= 1.0).astype(np.float32), np.ones((3, 3), np.uint8))
    if sure.sum() < 1:
        return np.clip((d - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)
    local_fg = spread(c, sure)  # the performer's chroma near each pixel
    d_fg = np.maximum(np.linalg.norm(local_fg - local_key, axis=-1), hi)
    fade = np.clip((d - lo) / lo, 0.0, 1.0)  # sensor noise on the screen stays 0; the exact ratio above it
    alpha = np.clip(d / d_fg, 0.0, 1.0) * fade
    return np.where(ramp >= 1.0, 1.0, alpha).astype(np.float32)


def disk(r: int) -> np.ndarray:
    """An elliptic structuring element of radius ``r`` px."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def clean(alpha: np.ndarray, speck: int, hole: int, grow: int = 0, feather: float = 0.0) -> np.ndarray:
    """Remove foreground islands smaller than ``speck`` px and screen islands smaller than ``hole`` px,
    then grow (>0) or shrink (<0) the edge by ``grow`` px and soften it by ``feather`` px."""
    a = alpha.copy()
    for value, area, inside in ((0.0, speck, a > 0.5), (1.0, hole, a <= 0.5)):
        if area <= 0:
            continue
        n, labels, stats, _ = cv2.connectedComponentsWithStats(inside.astype(np.uint8), connectivity=8)
        small = np.where(stats[1:, cv2.CC_STAT_AREA] < area)[0] + 1
        if len(small):
            a[np.isin(labels, small)] = value
    if grow:
        a = cv2.dilate(a, disk(abs(grow))) if grow > 0 else cv2.erode(a, disk(abs(grow)))
    if feather > 0:
        a = cv2.GaussianBlur(a, (0, 0), feather, borderType=cv2.BORDER_REPLICATE)
    return np.clip(a, 0.0, 1.0)


def despill(rgb: np.ndarray, alpha: np.ndarray, key: dict, strength: float = 1.0, reach: int = 6) -> np.ndarray:
    """Remove the key colour's cast (the chroma component along the key's direction) from the
    performer's pixels that the screen can have lit: the edge band and its ``reach`` px inside."""
    if strength <= 0:
        return rgb
    ycc = cv2.cvtColor(rgb.astype(np.float32), cv2.COLOR_RGB2YCrCb)
    cbcr = np.stack([ycc[..., 2], ycc[..., 1]], -1) - NEUTRAL
    k = np.asarray(key["chroma"], np.float32) - NEUTRAL
    k_hat = k / max(float(np.linalg.norm(k)), 1e-6)
    along = np.maximum(0.0, cbcr @ k_hat)
    core = cv2.erode((alpha >= 0.999).astype(np.float32), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    core = cv2.GaussianBlur(core, (0, 0), max(1.0, reach / 2))
    weight = strength * (1.0 - core)
    cbcr = cbcr - (weight * along)[..., None] * k_hat
    ycc[..., 2], ycc[..., 1] = cbcr[..., 0] + NEUTRAL, cbcr[..., 1] + NEUTRAL
    return np.clip(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB), 0, 255).round().astype(np.uint8)


def spread(values: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Each pixel's value estimated from the nearby pixels of weight 1 (normalised convolution over
    widening blurs, at a small size): the colour a screen or a performer has around a pixel."""
    h, w = weight.shape
    small = max(1.0, max(h, w) / 160.0)  # at a small size: cheap and smooth
    size = (max(2, round(w / small)), max(2, round(h / small)))
    a = cv2.resize(weight.astype(np.float32), size, interpolation=cv2.INTER_AREA)[..., None]
    c = cv2.resize(values.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    c = c.reshape(size[1], size[0], -1)
    num, den = c * a, a.copy()
    out, have = np.zeros_like(c), np.zeros(a.shape, np.float32)
    for sigma in (1, 2, 4, 8, 16, 32):  # wider blurs reach what the narrower ones could not
        n = cv2.GaussianBlur(num, (0, 0), sigma).reshape(c.shape)
        d = cv2.GaussianBlur(den, (0, 0), sigma).reshape(a.shape)
        ok = (d > 1e-3) & (have < 0.5)
        out = np.where(ok, n / np.maximum(d, 1e-6), out)
        have = np.maximum(have, ok.astype(np.float32))
    total = float(den.sum())
    mean = num.reshape(-1, c.shape[-1]).sum(0) / total if total > 0 else c.reshape(-1, c.shape[-1]).mean(0)
    out = np.where(have > 0.5, out, mean)
    full = cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)
    return full.reshape(h, w, -1)


def unmix(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The performer's own colour at each pixel: an edge pixel is α·F + (1−α)·S with S the local screen
    colour, so F = (pixel − (1−α)·S) / α (where α is tiny: the nearby performer colour)."""
    screen = spread(rgb, (alpha <= 0.0).astype(np.float32))
    a = alpha[..., None].astype(np.float32)
    fg = (rgb.astype(np.float32) - (1 - a) * screen) / np.maximum(a, 1e-3)
    near = spread(rgb, (alpha >= 1.0).astype(np.float32))
    fg = np.where(a > 0.05, fg, near)
    return np.clip(fg, 0, 255).round().astype(np.uint8)


def fill(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Replace what alpha leaves out by the blurred surroundings (the kept pixels' colours spread
    outward), so the look never sees the screen's colour."""
    plate = spread(rgb, alpha)
    a = alpha[..., None]
    return np.clip(a * rgb + (1 - a) * plate, 0, 255).round().astype(np.uint8)


def composite(fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """fg over bg with a soft matte (fg's colours are the performer's own, not darkened at the edge)."""
    a = alpha[..., None].astype(np.float32)
    return np.clip(a * fg + (1 - a) * bg, 0, 255).round().astype(np.uint8)


def stabilise(alpha: np.ndarray, prev_alpha: np.ndarray | None, flow_back, mask, weight: float) -> np.ndarray:
    """Calm a flickering edge: blend with the previous matte warped onto this frame, where the flow is reliable."""
    if prev_alpha is None or weight <= 0:
        return alpha
    from .warp import warp

    m = weight * mask.astype(np.float32)
    return np.clip(m * warp(prev_alpha.astype(np.float32), flow_back) + (1 - m) * alpha, 0.0, 1.0)


def to_png(alpha: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(alpha * 255), 0, 255).astype(np.uint8)


def from_png(gray: np.ndarray) -> np.ndarray:
    return gray.astype(np.float32) / 255.0


def key_of(matte: dict, frames: list[np.ndarray]) -> dict:
    """The key colour: given, or estimated from the borders of the first frames."""
    given = parse_color(matte["color"], "matte.color")
    return key_info(given) if given is not None else estimate_key(frames)


def matte_of(rgb: np.ndarray, matte: dict, key: dict | None, raw: np.ndarray | None = None) -> np.ndarray:
    """One frame's cleaned matte (chroma from the key; person from the segmentation ``raw``); with
    ``edge: matting`` the soft key's narrow edges are then solved by closed-form matting."""
    if matte["method"] != "chroma":
        return clean(raw.astype(np.float32), matte["speck"], matte["hole"], matte["grow"], matte["feather"])
    if matte["edge"] != "matting":
        a = raw_alpha(rgb, key, matte["inner"], matte["outer"], matte["edge"])
        return clean(a, matte["speck"], matte["hole"], matte["grow"], matte["feather"])
    from .matting import refine

    a, width = raw_alpha(rgb, key, matte["inner"], matte["outer"], "soft", with_width=True)
    a = refine(rgb, clean(a, matte["speck"], matte["hole"]), width)
    return clean(a, 0, 0, matte["grow"], matte["feather"])


def matte_chunk(
    outputs: dict,
    frames: dict,
    matte: dict,
    key: dict | None,
    prev: str | None,
    flows: dict,
    masks: dict,
    store,
    progress=None,
    source=None,
) -> dict:
    """Mattes of a run of frames in order (each stabilised with the previous one when asked); with
    ``method: alpha``, the alpha channel of ``source`` = (video file, its probe info), decoded alike."""
    import tempfile

    from .files import read_flow, read_gray, read_rgb, write_gray
    from .jobs import run_frames
    from .masks import from_png as mask_from_png

    raw = {}
    if matte["method"] == "alpha":  # the editor's matte: taken as given (no cleaning, no stabilising)
        from .video import decoded_alpha

        alphas = decoded_alpha(*source, [t for t in sorted(outputs) if not store.has(outputs[t])])
        return run_frames({t: [p] for t, p in outputs.items()}, lambda t: write_gray(outputs[t], alphas[t]), store,
                          "matte", progress)  # fmt: skip
    if matte["method"] == "person":  # one segmentation process for the chunk
        from .person import segment

        todo = [t for t in outputs if not store.has(outputs[t])]
        tmp = tempfile.mkdtemp(prefix="paintflow-person-")
        raw = {t: f"{tmp}/{t:06d}.png" for t in todo}
        if todo:
            segment([frames[t] for t in todo], [raw[t] for t in todo], matte["landscape"])

    def make(t):
        rgb = read_rgb(frames[t])
        a = matte_of(rgb, matte, key, from_png(read_gray(raw[t])) if t in raw else None)
        prev_path = outputs.get(t - 1, prev)
        if matte["stabilize"] > 0 and prev_path and t in flows:
            a = stabilise(
                a,
                from_png(read_gray(prev_path)),
                read_flow(flows[t]),
                mask_from_png(read_gray(masks[t])),
                matte["stabilize"],
            )
        write_gray(outputs[t], to_png(a))

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "matte", progress)


def performer_colours(rgb: np.ndarray, alpha: np.ndarray, key: dict | None, strength: float) -> np.ndarray:
    """The performer as filmed without the screen: edge pixels unmixed from the screen, spill removed."""
    fg = unmix(rgb, alpha)
    return despill(fg, alpha, key, strength) if key is not None else fg


def fill_chunk(
    outputs: dict, frames: dict, mattes: dict, key: dict | None, despill_strength: float, stylize: str, store
) -> dict:
    """Frames for the look: the screen (stylize: performer) or the performer (background) filled with
    the blurred surroundings; the performer despilled, so no screen colour reaches the look."""
    from .files import read_gray, read_rgb, write_rgb
    from .jobs import run_frames

    def make(t):
        rgb, a = read_rgb(frames[t]), from_png(read_gray(mattes[t]))
        performer = performer_colours(rgb, a, key, despill_strength)
        if stylize == "performer":
            write_rgb(outputs[t], fill(performer, a))
        else:
            write_rgb(outputs[t], fill(rgb, 1.0 - a))

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "fill")


def composite_chunk(
    outputs: dict,
    looks: dict,
    frames: dict,
    mattes: dict,
    key: dict | None,
    despill_strength,
    stylize: str,
    background,
    store,
) -> dict:
    """The painted part over the rest: the painted performer over ``background(t)``, or the performer as
    filmed (despilled) over the painted background."""
    from .files import read_gray, read_rgb, write_rgb
    from .jobs import run_frames

    def make(t):
        look, a = read_rgb(looks[t]), from_png(read_gray(mattes[t]))
        if stylize == "performer":
            h, w = a.shape
            out = composite(look, cover(background(t), w, h), a)
        else:
            out = composite(performer_colours(read_rgb(frames[t]), a, key, despill_strength), look, a)
        write_rgb(outputs[t], out)

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "compositing")


def keyed_look(rgb, alpha, key, despill_strength: float, stylize: str, look, background) -> np.ndarray:
    """One keyed frame as the workflow makes it (fill, the look, composite) from its matte ``alpha``:
    ``look(rgb) -> rgb`` paints what the key keeps (the performer, or the background), ``background`` is
    what a painted performer goes over. ``paintflow preview`` and the studio's preview show this."""
    performer = performer_colours(rgb, alpha, key, despill_strength)
    if stylize == "performer":
        h, w = alpha.shape
        return composite(look(fill(performer, alpha)), cover(background, w, h), alpha)
    return composite(performer, look(fill(rgb, 1.0 - alpha)), alpha)


def looped_frame(t: int, count: int) -> int:
    """The frame of a background of ``count`` frames under frame t (looped)."""
    return (t - 1) % count + 1


def background_reader(r, backgrounds: list, sources: list):
    """t → the background frame under frame t of keyed render ``r`` (a still, another render's or a video's
    frames, looped; or the render's own source frames), from the job's input files."""
    from .files import read_rgb
    from .paths import frame_of

    bg = r.key["background"]
    if bg.get("image"):
        still = read_rgb(bg["image"])
        return lambda t: still
    if bg.get("render") or bg.get("video"):
        by_frame, count = {frame_of(p): p for p in backgrounds}, r.sheet["background_frames"]
        return lambda t: read_rgb(by_frame[looped_frame(t, count)])
    by_frame = {frame_of(p): p for p in sources}
    return lambda t: read_rgb(by_frame[t])


def layer_frames(r, layer: str, inputs, size: tuple[int, int]):
    """A keyed render's ``performer`` (RGBA: its colours — painted, or as filmed and despilled — with the
    matte as straight alpha) or ``background`` (RGB: what the performer stands on) layer, frame by frame in
    order, at ``size`` (an upscaled render's layers are resized to it)."""
    import json
    from pathlib import Path

    from .files import read_gray, read_rgb
    from .paths import frame_of

    stylize = r.key["stylize"]
    key = json.loads(Path(inputs.key[0]).read_text()) if inputs.key else None
    strength = r.sheet["despill"]
    looks, sources = {frame_of(p): p for p in inputs.look}, {frame_of(p): p for p in inputs.source}
    mattes = {frame_of(p): p for p in inputs.mattes}
    background = background_reader(r, inputs.background, inputs.source)
    for t in sorted(looks):
        a = from_png(read_gray(mattes[t]))
        if layer == "performer":
            colour = (
                read_rgb(looks[t])
                if stylize == "performer"
                else performer_colours(read_rgb(sources[t]), a, key, strength)
            )
            out = np.dstack([colour, to_png(a)])
        elif stylize == "background":
            out = read_rgb(looks[t])
        else:
            out = cover(background(t), a.shape[1], a.shape[0])
        if out.shape[1::-1] != tuple(size):
            out = cv2.resize(out, tuple(size), interpolation=cv2.INTER_CUBIC)
        yield np.ascontiguousarray(out)
