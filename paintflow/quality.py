"""Quality control: every render measures its own temporal quality and finds its bad frames.

The quality stage writes one small JSON per frame of a render (cheap next to any look), measured on the
render's final frames (brought to the processing size) against its source:

- ``e1``: the warping error O_{t−1} → O_t (:func:`paintflow.metrics.warping_error`: masked, with the
  source's backward flow) and ``floor1`` the same on the source frames — the error the flow itself leaves;
- ``e2`` (t−2 → t) and ``e4`` (t−4 → t, long-term) through the backward flows chained, masked where every
  step was reliable, and ``floor4``;
- without optical flow (a look that does not use it): the same errors unwarped over the whole frame
  (``flow: false``), still enough to find a pop;
- ``change`` / ``source_change``: mean |O_t − O_{t−1}| and the source's (a frozen frame);
- ``luma`` / ``spread`` and the source's (a black or blank frame);
- ``border``: for each edge, how much texture and line-to-line variation each of its outer lines keeps
  next to the frame's interior (1: as much; 0: collapsed), and the same for the source;
- ``content``: the content distance to its own source frame (:class:`paintflow.metrics.ContentMeter`,
  VGG-16 relu4_2; faithfulness beside the warping error's steadiness: a picture that stopped following the
  footage is steady and unfaithful), ``content_back`` the same to the earlier source frames t−1 … t−4 of
  its shot and ``source_back`` their distance to this frame's source (how much the footage itself changed).

Flags are decided when the records are read (:func:`flags`), so changing a threshold re-runs nothing:
**black**, **blank**, **frozen**, **pop** (an error many times its shot's median), **border** (an edge
collapsed where the source's is not), **smear** (a content distance well above what the look gives the
shot painted fresh: its first frame) and **ghost** (the frame shows an earlier source frame better than its
own while the footage changed: the picture follows the past, not the camera).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BORDER_LINES = 4  # outer lines of each edge that are judged
FRAMES_BACK = 4  # a frame is measured against the frames up to this many before it (warping error t−4 → t)
KINDS = ("black", "blank", "frozen", "pop", "smear", "ghost", "border")  # a frame's first kind names it


# --- measures of one frame ----------------------------------------------------------------------
def _f32(rgb: np.ndarray) -> np.ndarray:
    """An image in [0, 1] (float32 images are taken as they are)."""
    return rgb if rgb.dtype == np.float32 else rgb.astype(np.float32) / 255.0


def to_size(rgb: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A final frame at the processing size (an upscaled render is judged where its flow was measured)."""
    import cv2

    if rgb.shape[:2] == tuple(shape):
        return rgb
    return cv2.resize(rgb, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def chain_flows(flows: list[np.ndarray], masks: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The backward flows t → t−1, t → t−2, … t → t−n and their masks from n one-step backward flows
    (t→t−1, t−1→t−2, …) and their consistency masks (each in its own frame): F ← F + f_k(x + F),
    c ← c · c_k(x + F), and 0 where x + F leaves the frame."""
    from .warp import inside, warp

    flow, mask = flows[0], masks[0].astype(np.float32)
    out = [(flow, mask)]
    for f, m in zip(flows[1:], masks[1:]):
        mask = mask * warp(m.astype(np.float32), flow) * inside(flow)
        flow = flow + warp(f, flow)
        out.append((flow, mask * inside(flow)))
    return out


def _errors(pairs: list[tuple[np.ndarray, np.ndarray]], flow, mask) -> list[float]:
    """The warping error of each (previous, current) pair with one flow and mask (the sampling grid made
    once: :func:`paintflow.metrics.warping_error`'s formula); no flow: the plain mean squared difference."""
    import cv2

    from .warp import sample_grid

    if flow is None:  # no optical flow: the plain difference over the whole frame
        return [float(((_f32(prev) - _f32(cur)) ** 2).mean()) for prev, cur in pairs]
    mx, my = sample_grid(flow)
    c = np.ascontiguousarray(mask, dtype=np.float32)
    c3 = cv2.merge([c, c, c])
    total = float(c.sum()) * 3 + 1e-12
    out = []
    for prev, cur in pairs:  # OpenCV's element-wise operations: the same sums, a third of numpy's time
        d = cv2.subtract(cv2.remap(_f32(prev), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), _f32(cur))
        out.append(sum(cv2.sumElems(cv2.multiply(cv2.multiply(d, d), c3))[:3]) / total)
    return out


def border_scores(rgb: np.ndarray, lines: int = BORDER_LINES) -> dict[str, list[float]]:
    """For each edge, one score per outer line (from the edge in): min(its texture, its difference to the
    next line inward), each relative to the median of the interior lines next to it. 1: like the
    interior; near 0: a flat (grey, black) or smeared (repeated) line."""
    rgb = _f32(rgb)
    depth = lines + 17  # the outer lines and the interior lines they are judged against
    edges = {
        "top": rgb[:depth],
        "bottom": rgb[::-1][:depth],
        "left": rgb[:, :depth].transpose(1, 0, 2),
        "right": rgb[:, ::-1][:, :depth].transpose(1, 0, 2),
    }
    out = {}
    for name, a in edges.items():
        a = a.mean(axis=2)
        ref = slice(lines, min(lines + 16, a.shape[0] - 1))
        tex = a.std(axis=1)
        step = np.abs(np.diff(a, axis=0)).mean(axis=1)
        tex_ref = float(np.median(tex[ref])) + 1 / 255  # + 1 grey level: a flat interior is not a reference
        step_ref = float(np.median(step[ref])) + 1 / 255
        out[name] = [round(float(min(tex[k] / tex_ref, step[k] / step_ref)), 4) for k in range(lines)]
    return out


def measure_frame(out: list[np.ndarray], src: list[np.ndarray], flows: list, masks: list) -> dict:
    """The record of frame t. ``out`` and ``src``: final and source frames t, t−1, … (as many as the
    shot has, up to t−4; at the processing size; uint8, or float32 in [0, 1]); ``flows``/``masks``:
    backward flows t→t−1, t−1→t−2, … and masks t, t−1, … (empty: no optical flow)."""
    import cv2

    out, src = [_f32(x) for x in out], [_f32(x) for x in src]
    o, s = out[0], src[0]
    (luma, spread), (source_luma, source_spread) = (
        (float(v[0][0][0]), float(v[1][0][0]))
        for v in (cv2.meanStdDev(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)) for x in (o, s))
    )
    rec: dict = {
        "flow": bool(flows),
        "luma": round(luma, 5),
        "spread": round(spread, 5),
        "source_luma": round(source_luma, 5),
        "source_spread": round(source_spread, 5),
        "border": border_scores(o),
        "source_border": border_scores(s),
    }
    chained = chain_flows(flows, masks) if flows else []
    for n in (1, 2, 4):
        if len(out) <= n:
            rec[f"e{n}"] = None
            continue
        flow, mask = chained[n - 1] if chained else (None, None)
        errors = _errors([(out[n], o)] + ([(src[n], s)] if n != 2 else []), flow, mask)
        rec[f"e{n}"] = round(errors[0], 7)
        if n != 2:
            rec[f"floor{n}"] = round(errors[1], 7)
    if len(out) > 1:
        rec["change"] = round(sum(cv2.mean(cv2.absdiff(out[1], o))[:3]) / 3, 6)
        rec["source_change"] = round(sum(cv2.mean(cv2.absdiff(src[1], s))[:3]) / 3, 6)
    return rec


def content_size(shape: tuple[int, int], side: int) -> tuple[int, int]:
    """The size (h, w) the content distance is measured at: at most ``side`` on the longer side (0: as is)."""
    h, w = shape[:2]
    if not side or max(h, w) <= side:
        return h, w
    f = side / max(h, w)
    return max(1, round(h * f)), max(1, round(w * f))


def content_record(meter, t: int, out: np.ndarray, sources: list[np.ndarray]) -> dict:
    """Frame t's content distances (pictures at the measuring size): ``content`` to its own source frame
    (``sources[0]``); ``content_back`` to the earlier source frames t−1, t−2, … of its shot (``sources[1:]``)
    and ``source_back`` those frames' own distance to frame t's source (how much the footage changed)."""
    rec = {"content": round(meter.distance(out, sources[0], ("out", t), ("src", t)), 5)}
    if len(sources) > 1:
        back = range(1, len(sources))
        rec["content_back"] = [round(meter.distance(out, sources[k], ("out", t), ("src", t - k)), 5) for k in back]
        rec["source_back"] = [
            round(meter.distance(sources[k], sources[0], ("src", t - k), ("src", t)), 5) for k in back
        ]
    return rec


def quality_chunk(
    outputs: dict,
    frame_files: dict,
    source_files: dict,
    flows: dict,
    masks: dict,
    store,
    progress,
    meter=None,
    content_side: int = 0,
):
    """Measure each frame of a chunk. ``frame_files``/``source_files``: {t: file} of the final and source
    frames the chunk reads (its frames and up to four before each, in the shot); ``flows``: {t: backward
    flow t→t−1}, ``masks``: {t: mask of (t−1, t)} (empty without optical flow). ``meter``: a function
    giving the :class:`paintflow.metrics.ContentMeter` (called once, when a frame is to be measured), the
    content distances measured at most ``content_side`` pixels on the longer side."""
    from functools import lru_cache

    from .files import read_flow, read_gray, read_rgb, write_json
    from .jobs import run_frames
    from .masks import from_png

    state = {}

    @lru_cache(maxsize=8)
    def source(t):
        return _f32(read_rgb(source_files[t]))

    @lru_cache(maxsize=8)
    def final(t):
        return _f32(to_size(read_rgb(frame_files[t]), source(t).shape[:2]))

    @lru_cache(maxsize=8)
    def flow(t):
        return read_flow(flows[t]), from_png(read_gray(masks[t]))

    def make(t):
        back = [t - k for k in range(FRAMES_BACK + 1) if t - k in frame_files and t - k in source_files]
        back = back[: next((i for i, b in enumerate(back) if b != t - i), len(back))]  # contiguous
        use_flow = bool(flows) and all(b in flows for b in back[:-1])
        steps = [flow(b) for b in back[:-1]] if use_flow else []
        rec = measure_frame(
            [final(b) for b in back],
            [source(b) for b in back],
            [f for f, _ in steps],
            [m for _, m in steps],
        )
        if meter is not None:
            if "meter" not in state:
                state["meter"] = meter()
            size = content_size(source(t).shape, content_side)
            rec |= content_record(state["meter"], t, to_size(final(t), size), [to_size(source(b), size) for b in back])
        write_json(outputs[t], {"t": t, **rec})
        return None

    return run_frames({t: [p] for t, p in outputs.items()}, make, store, "quality", progress)


# --- flags ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    pop: float = 4.0  # a frame pops when its error is this many times its shot's median …
    pop_min: float = 0.001  # … and above this (a still shot's tiny errors are not pops)
    smear: float = 1.6  # a frame is smeared when its content distance is this many times its shot's fresh one …
    smear_min: float = 0.2  # … and at least this much above it
    ghost: float = 0.05  # a ghost shows an earlier source frame better than its own, by this share of its distance …
    ghost_change: float = 0.25  # … while that source frame differs from its own by this share of it or more
    border: float = 0.08  # an outer line scoring below this has collapsed (where the source's scores above 0.5)
    frozen: float = 0.5 / 255  # mean change below this while …
    moving: float = 2.0 / 255  # … the source changes more than this
    black: float = 0.03  # mean brightness below this while the source's is above 0.1
    blank: float = 0.01  # brightness spread below this while the source's is above 0.05

    @classmethod
    def of(cls, settings: dict) -> Thresholds:
        return cls(**{k: float(v) for k, v in settings.items() if k in cls.__dataclass_fields__})


def _collapsed(scores: list[float], below: float) -> int:
    """How many lines, from the edge in, have collapsed."""
    n = 0
    for s in scores:
        if s >= below:
            break
        n += 1
    return n


def collapsed_edges(rec: dict, th: Thresholds) -> list[str]:
    """The edges of a frame whose outer line collapsed where the source's did not."""
    return [
        edge
        for edge, scores in rec["border"].items()
        if _collapsed(scores, th.border) and not _collapsed(rec["source_border"][edge], 0.5)
    ]


def frame_kinds(rec: dict, th: Thresholds) -> list[str]:
    """What is wrong with one frame on its own (not pops: those need the shot)."""
    kinds = []
    if rec["luma"] < th.black and rec["source_luma"] > 0.1:
        kinds.append("black")
    elif rec["spread"] < th.blank and rec["source_spread"] > 0.05:
        kinds.append("blank")
    if rec.get("change") is not None and rec["change"] < th.frozen and rec["source_change"] > th.moving:
        kinds.append("frozen")
    if not kinds and collapsed_edges(rec, th):  # a black or blank frame has no edge
        kinds.append("border")
    return kinds


def fresh_content(records: dict[int, dict], shot: range) -> float | None:
    """What the look gives a shot painted fresh: its first measured frame's content distance (every temporal
    look starts a shot from the frame alone)."""
    first = next((t for t in shot if t in records and records[t].get("content") is not None), None)
    return None if first is None else records[first]["content"]


def unfaithful(rec: dict, fresh: float | None, th: Thresholds) -> list[tuple[str, str]]:
    """(kind, why) of a frame that does not show its own source: a smear, a ghost."""
    out, d = [], rec.get("content")
    if d is None:
        return out
    if fresh is not None and d > th.smear * fresh and d > fresh + th.smear_min:
        out.append(("smear", f"content distance {d:.2f} = {d / max(fresh, 1e-12):.1f}x the shot's fresh {fresh:.2f}"))
    # relative to the frame's own distance: how far a painting is from its source sets the noise of the measure
    back = [
        (d - other, k)
        for k, (other, moved) in enumerate(zip(rec.get("content_back", []), rec.get("source_back", [])), 1)
        if moved > th.ghost_change * d
    ]
    if back and max(back)[0] > th.ghost * d:
        k = max(back)[1]
        other = rec["content_back"][k - 1]
        out.append(("ghost", f"shows source frame t-{k} better than its own ({other:.2f} < {d:.2f})"))
    return out


def beyond_footage(records: dict[int, dict], errors: dict[int, float]) -> dict[int, float]:
    """Each frame's error to the previous frame over what the footage itself does there: its error divided
    by the source's own (``floor1``) plus the shot's typical source error (so a still shot's near-zero
    floors do not blow it up). Records without a floor: the error itself."""
    floors = [records[t]["floor1"] for t in errors if records[t].get("floor1") is not None]
    typical = float(np.median(floors)) if floors else 0.0
    if typical <= 0:
        return dict(errors)
    return {t: e / ((records[t].get("floor1") or 0.0) + typical) for t, e in errors.items()}


def usual_level(values: list[float], pop: float) -> float:
    """What a shot's frames usually reach: the 75th percentile of those within ``pop`` times the median (a
    look painting each frame on its own flickers more where things move — a long tail that is no pop — while
    the pops themselves, many in a short shot, must not raise the bar they are judged by)."""
    if not values:
        return 0.0
    median = float(np.median(values))
    ordinary = [v for v in values if v <= pop * median] or values
    return max(median, float(np.percentile(ordinary, 75)))


def flags(
    records: dict[int, dict], shots: list[range], th: Thresholds = Thresholds(), chained: bool = True
) -> dict[int, dict]:
    """{t: {"kinds": [...], "why": "..."}} of every flagged frame. A pop is a frame whose error to the previous
    frame is ``th.pop`` times its shot's median; the frame after a flagged one is not a pop when it agrees with
    the frame before that (its t−2 error is ordinary): it is the picture coming back. A smear or a ghost
    (:func:`unfaithful`) is judged against the shot's fresh content distance (:func:`fresh_content`), and
    only where frames are ``chained`` (a frame made from the one before: a look painting each frame on its own
    cannot follow the past, and its content distance moves with the footage, not with a smear)."""
    out: dict[int, dict] = {}
    for shot in shots:
        fresh = fresh_content(records, shot)
        e1 = {t: records[t]["e1"] for t in shot if t in records and records[t].get("e1") is not None}
        e2 = [records[t]["e2"] for t in shot if t in records and records[t].get("e2") is not None]
        med1 = float(np.median(list(e1.values()))) if e1 else 0.0
        med2 = float(np.median(e2)) if e2 else 0.0
        beyond = beyond_footage(records, e1)
        usual = usual_level(list(beyond.values()), th.pop)
        for t in shot:
            if t not in records:
                continue
            kinds, why = frame_kinds(records[t], th), []
            err = e1.get(t)
            # a pop: many times the shot's usual error, and not because the footage itself jumps there (a
            # still plate whose performer moves at its last frames: the look follows, nothing popped)
            if err is not None and err > max(th.pop * med1, th.pop_min) and beyond[t] > th.pop * usual:
                back = records[t].get("e2")
                recovering = t - 1 in out and back is not None and back <= max(th.pop * med2, th.pop_min)
                if not recovering and not {"black", "blank", "frozen"} & set(kinds):
                    kinds.insert(0, "pop")
                    why.append(f"error {err:.4f} = {err / max(med1, 1e-12):.1f}x its shot's median")
            if chained and not {"black", "blank"} & set(kinds) and t != shot.start:  # the first: the reference
                for kind, because in unfaithful(records[t], fresh, th):
                    kinds.append(kind)
                    why.append(because)
            if kinds:
                kinds.sort(key=KINDS.index)
                if "border" in kinds:
                    why.append(f"{', '.join(collapsed_edges(records[t], th))} edge collapsed")
                out[t] = {"kinds": kinds, "why": "; ".join(why)}
    return out


def _mean(records: dict, key: str) -> float | None:
    values = [r[key] for r in records.values() if r.get(key) is not None]
    return float(np.mean(values)) if values else None


def summarize(
    records: dict[int, dict], shots: list[range], frames: int, th: Thresholds = Thresholds(), chained: bool = True
) -> dict:
    """The figures of a render: mean errors (render, floor, long-term), content distances, frames measured,
    flagged frames (smear and ghost where its frames are ``chained``), and its line (``summary``)."""
    found = flags(records, shots, th, chained)
    with_flow = any(r.get("flow") for r in records.values())
    figures = {
        "frames": frames,
        "measured": len(records),
        "flow": with_flow,
        "e_warp": _mean(records, "e1"),
        "floor": _mean(records, "floor1"),
        "e_warp_long": _mean(records, "e4"),
        "floor_long": _mean(records, "floor4"),
        "content": _mean(records, "content"),
        "content_max": _max(records, "content"),
        "flagged": {str(t): f for t, f in sorted(found.items())},
    }
    return {"summary": summary_line(figures), **figures}


def _max(records: dict, key: str) -> float | None:
    values = [r[key] for r in records.values() if r.get(key) is not None]
    return float(np.max(values)) if values else None


def runs(frames: list[int]) -> list[str]:
    """[3, 4, 5, 9] → ["3-5", "9"]."""
    out, start = [], None
    for i, t in enumerate(frames):
        start = t if start is None else start
        if i + 1 == len(frames) or frames[i + 1] != t + 1:
            out.append(f"{start}-{t}" if t > start else str(t))
            start = None
    return out


def flag_list(flagged: dict) -> str:
    """ "118 pop, 430-432 border" (runs of frames of one kind joined)."""
    by_kind: dict[str, list[int]] = {}
    for t, f in flagged.items():
        by_kind.setdefault(f["kinds"][0], []).append(int(t))
    parts = [(int(run.split("-")[0]), f"{run} {kind}") for kind, ts in by_kind.items() for run in runs(sorted(ts))]
    return ", ".join(p for _, p in sorted(parts))


def summary_line(s: dict) -> str:
    """The render's line, steadiness and faithfulness side by side: ``quality: E_warp 0.0023 (source floor
    0.0035), t-4 0.0051 (floor 0.0060); content distance 0.74 (max 0.86), 2 frames flagged: 118 pop, 431
    border``."""
    if not s["measured"]:
        return "quality: not measured yet"
    if s["flow"]:
        line = f"quality: E_warp {s['e_warp']:.4f} (source floor {s['floor']:.4f})" if s["e_warp"] is not None else ""
        if s["e_warp_long"] is not None:
            line += f", t-4 {s['e_warp_long']:.4f} (floor {s['floor_long']:.4f})"
    else:
        line = "quality: no optical flow for this look; frame-to-frame difference"
        line += f" {s['e_warp']:.4f} (source {s['floor']:.4f})" if s["e_warp"] is not None else " -"
    line = line or "quality:"
    if s.get("content") is not None:
        line += f"; content distance {s['content']:.2f} (max {s['content_max']:.2f})"
    if s["measured"] < s["frames"]:
        line += f", {s['measured']} of {s['frames']} frames measured"
    n = len(s["flagged"])
    line += f", {n} frame{'s' if n != 1 else ''} flagged: {flag_list(s['flagged'])}" if n else ", no frame flagged"
    return line


# --- reading a render's records -------------------------------------------------------------------
def read_records(folder) -> dict[int, dict]:
    """{t: record} of every finished quality file in a render's quality folder."""
    folder, out = Path(folder), {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("[0-9]*.json")):
        try:
            out[int(path.name[:6])] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return out


def records_of(facts: dict) -> dict[int, dict]:
    """{t: record} of what a render's quality stage has written ({} where the render is not measured);
    ``facts``: RenderDag.quality_facts."""
    return read_records(Path(facts["records"])) if facts["records"] else {}


def summary(facts: dict, settings: dict, records: dict | None = None) -> dict:
    """The figures of one render (:func:`summarize`) from its quality facts (RenderDag.quality_facts), the
    config's ``quality`` section and its records (default: read them)."""
    records = records_of(facts) if records is None else records
    shots = [range(a, b) for a, b in facts["shots"]]
    return summarize(records, shots, facts["frames"], Thresholds.of(settings), facts["chained"])


def render_summary(dag, render: str) -> dict:
    """The figures of one render of a config (:func:`summary`)."""
    return summary(dag.quality_facts(render), dag.config["quality"])
