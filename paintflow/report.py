"""The pictures and figures of a render's report: the stage strip (columns from the registry), a
contact sheet, job time per stage (from the benchmark files), and the config shown inline."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import yaml

from .figures import contact_sheet, histogram, labelled_rows, stage_strip, timing_chart
from .files import read_gray, read_rgb, write_bytes, write_pil
from .paths import parse_bench_path
from .registry import STAGES


def read_benchmarks(results, files) -> pd.DataFrame:
    """One row per benchmark file: stage, owner, frames (range or None), s, cpu_time, max_rss (MB)."""
    rows = []
    for path in files:
        parsed = parse_bench_path(results, path)
        if parsed is None or not Path(path).is_file():
            continue
        frame = pd.read_csv(path, sep="\t")
        if frame.empty:
            continue
        name, owner, frames = parsed
        rows.append(
            {
                "stage": name,
                "owner": owner,
                "frames": frames,
                "s": float(frame["s"].iloc[-1]),
                "cpu_time": float(frame["cpu_time"].iloc[-1]),
                "max_rss": float(frame["max_rss"].iloc[-1]),
                "file": str(path),
            }
        )
    return pd.DataFrame(rows, columns=["stage", "owner", "frames", "s", "cpu_time", "max_rss", "file"])


def _image(path):
    if path is None:
        return None
    return read_gray(path) if "/masks/" in str(path) or "/mattes/" in str(path) else read_rgb(path)


def stage_pictures(columns: dict, samples: list[int], out) -> None:
    """``columns``: {title: [file or None per sampled frame]}."""
    titles = list(columns)
    rows = [(f"frame {t}", [_image(columns[title][i]) for title in titles]) for i, t in enumerate(samples)]
    write_pil(out, stage_strip(rows, titles))


def timing(bench: pd.DataFrame, out, iterations: dict | None = None) -> None:
    """Job time per stage; below it, for a painted render, the optimiser iterations each frame took
    (``iterations``: {stage: {frame: record}}, see paintflow.stopping), one histogram per stage."""
    from PIL import Image

    order = list(STAGES)
    stages = [
        (STAGES[s].label, float(bench.loc[bench.stage == s, "s"].sum()), int((bench.stage == s).sum()))
        for s in order
        if (bench.stage == s).any()
    ]
    total = sum(s for _, s, _ in stages)
    chart = timing_chart(stages, f"job time per stage, {total:.0f} s in all")
    rows = {STAGES[s].label: [r["iterations"] for r in recs.values()] for s, recs in (iterations or {}).items() if recs}
    if rows:
        ceiling = max(r["ceiling"] for recs in iterations.values() for r in recs.values())
        hist = histogram(
            rows, "optimiser iterations per frame (full size; the stopping rule ends a frame early)", ceiling
        )
        both = Image.new("RGB", (max(chart.width, hist.width), chart.height + hist.height), (255, 255, 255))
        both.paste(chart, (0, 0))
        both.paste(hist, (0, chart.height))
        chart = both
    write_pil(out, chart)


def config_page(config: dict, render: str, out) -> None:
    """The config as a small HTML page (the report shows it inline)."""
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    page = (
        f"<!doctype html><meta charset='utf-8'><title>config of {html.escape(render)}</title>"
        "<style>body{font:13px/1.4 monospace;margin:1em;background:#fafafa}"
        "pre{white-space:pre-wrap}</style>"
        f"<h3>config used for the render {html.escape(render)}</h3><pre>{html.escape(text)}</pre>"
    )
    write_bytes(out, page.encode())


def deliveries_page(deliveries: dict, render: str, out) -> None:
    """The render's deliveries as a table: layer, format, who it is for, file, size; its rate and timecode
    above (``deliveries``: the report sheet's, RenderDag.report_sheet)."""
    from .delivery import size_text

    rows = "".join(
        f"<tr><td>{layer}</td><td>{fmt}</td><td>{html.escape(for_whom)}</td>"
        f"<td>{html.escape(Path(path).name)}{'/' if sequence else ''}</td><td>{size_text(path)}</td></tr>"
        for layer, fmt, for_whom, path, sequence in deliveries["rows"]
    )
    page = (
        f"<!doctype html><meta charset='utf-8'><title>deliveries of {html.escape(render)}</title>"
        "<style>body{font:13px/1.4 sans-serif;margin:1em}td,th{padding:2px 10px;text-align:left}</style>"
        f"<h3>deliveries of {html.escape(render)} ({html.escape(deliveries['facts'])})</h3><table>"
        f"<tr><th>layer</th><th>format</th><th>for</th><th>file</th><th>size</th></tr>{rows}</table>"
    )
    write_bytes(out, page.encode())


def shot_sheet(shot_rows: list, frames: dict, out) -> None:
    """Each shot of the render: its first and last finished frame, labelled (where it starts, how long,
    how the cut was found): the render's edit at a glance. ``shot_rows``: [[label, first, stop]] (the
    report sheet's); ``frames``: {t: file} of each shot's first and last frame."""
    from PIL import Image

    pictures = {t: Image.fromarray(read_rgb(p)) for t, p in frames.items()}
    height = 120
    pictures = {t: p.resize((max(1, round(p.width * height / p.height)), height)) for t, p in pictures.items()}
    rows = [(label, [pictures.get(first), pictures.get(stop - 1)]) for label, first, stop in shot_rows]
    write_pil(out, labelled_rows(rows))


def sheet(frames: list[tuple[int, str]], out) -> None:
    write_pil(out, contact_sheet([(str(t), read_rgb(p)) for t, p in frames]))


def quality_section(summary: dict, records: dict, final: dict, source: dict, out, rows: int = 6) -> None:
    """The render's quality at a glance: its summary line, the per-frame curves (render, source floor,
    long-term) with the flagged frames marked, and each flagged frame (up to ``rows``) beside its
    neighbours and its source frame. ``final``/``source``: {t: file} of the final and source frames."""
    from PIL import Image, ImageDraw

    from .figures import _font, line_chart

    n = summary["frames"]
    ts = range(1, n + 1)

    def curve(key):
        return [records.get(t, {}).get(key) if records.get(t, {}).get(key) is not None else float("nan") for t in ts]

    flow = summary["flow"]
    series = {"render t-1 to t": curve("e1"), "source floor": curve("floor1")}
    if any(records.get(t, {}).get("e4") is not None for t in ts):
        series |= {"render t-4 to t": curve("e4"), "floor t-4": curve("floor4")}
    flagged = {int(t): f for t, f in summary["flagged"].items()}
    marks = [(t, f"{t} {f['kinds'][0]}") for t, f in sorted(flagged.items())]
    what = "warping error (masked, source flow)" if flow else "difference to the previous frame (no optical flow)"
    chart = line_chart(series, f"steadiness: {what} per frame; flagged frames marked", marks=marks)
    title_h = 40
    parts = [chart]
    if any(records.get(t, {}).get("content") is not None for t in ts):  # faithfulness beside steadiness
        back = [(records.get(t, {}).get("content_back") or [float("nan")])[0] for t in ts]
        faithful = {"render to its source frame": curve("content"), "render to the previous source frame": back}
        parts.append(
            line_chart(
                faithful,
                "faithfulness: content distance to the source (VGG relu4_2; lower shows more of what was filmed)",
                marks=marks,
            )
        )
    if flagged:
        size = 110

        def thumb(files, t):
            if t not in files or not Path(files[t]).is_file():
                return None
            img = Image.fromarray(read_rgb(files[t]))
            return img.resize((max(1, round(img.width * size / img.height)), size))

        picked = sorted(flagged)[:rows]
        table = [
            (
                f"frame {t}: {' + '.join(flagged[t]['kinds'])}\n{flagged[t]['why']}\n\n"
                f"source {t}, then {t - 1}, {t}, {t + 1}",
                [thumb(source, t), thumb(final, t - 1), thumb(final, t), thumb(final, t + 1)],
            )
            for t in picked
        ]
        parts.append(labelled_rows(table))
    width = max(p.width for p in parts)
    page = Image.new("RGB", (width, title_h + sum(p.height for p in parts)), (255, 255, 255))
    ImageDraw.Draw(page).text((10, 10), summary["summary"], fill=(0, 0, 0), font=_font(18))
    y = title_h
    for p in parts:
        page.paste(p, (0, y))
        y += p.height
    write_pil(out, page)
