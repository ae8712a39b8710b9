"""Pictures for the render report (Pillow): sampled stages side by side, contact sheet, timing chart."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BG = (24, 24, 28)
FG = (235, 235, 235)


def _font(size: int):
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _fit(rgb: np.ndarray | None, height: int) -> Image.Image:
    if rgb is None:  # a stage without this frame (frame 1 has no flow or mask)
        return Image.new("RGB", (height * 16 // 9, height), BG)
    img = Image.fromarray(rgb if rgb.ndim == 3 else np.stack([rgb] * 3, axis=-1))
    return img.resize((max(1, round(img.width * height / img.height)), height), Image.LANCZOS)


def stage_strip(rows: list[tuple[str, list[np.ndarray]]], titles: list[str], height: int = 180) -> Image.Image:
    """One row per sampled frame: its images side by side, column titles on top, the frame on the left."""
    font, pad, label_w, head = _font(16), 6, 90, 28
    fitted = [[_fit(img, height) for img in images] for _, images in rows]
    widths = [max(row[i].width for row in fitted) for i in range(len(titles))]
    for row, (_, images) in zip(fitted, rows):  # a missing picture takes its column's width
        for i, img in enumerate(images):
            if img is None:
                row[i] = Image.new("RGB", (widths[i], height), BG)
    sheet = Image.new("RGB", (label_w + sum(widths) + pad * len(widths), head + len(rows) * (height + pad)), BG)
    draw = ImageDraw.Draw(sheet)
    x = label_w
    for title, w in zip(titles, widths):
        draw.text((x + 4, 6), title, fill=FG, font=font)
        x += w + pad
    for r, ((label, _), row) in enumerate(zip(rows, fitted)):
        y = head + r * (height + pad)
        draw.text((6, y + height // 2 - 8), label, fill=FG, font=font)
        x = label_w
        for img, w in zip(row, widths):
            sheet.paste(img, (x, y))
            x += w + pad
    return sheet


def contact_sheet(frames: list[tuple[str, np.ndarray]], columns: int = 6, width: int = 1440) -> Image.Image:
    """Thumbnails of evenly spaced frames, each with its frame number."""
    font, pad = _font(14), 4
    cols = min(columns, len(frames))
    tw = (width - pad * (cols + 1)) // cols
    th = round(tw * frames[0][1].shape[0] / frames[0][1].shape[1])
    rows = -(-len(frames) // cols)
    sheet = Image.new("RGB", (width, rows * (th + pad) + pad), BG)
    draw = ImageDraw.Draw(sheet)
    for i, (label, rgb) in enumerate(frames):
        x, y = pad + (i % cols) * (tw + pad), pad + (i // cols) * (th + pad)
        sheet.paste(Image.fromarray(rgb).resize((tw, th), Image.LANCZOS), (x, y))
        draw.rectangle((x, y, x + 8 * len(label) + 8, y + 18), fill=BG)
        draw.text((x + 4, y + 2), label, fill=FG, font=font)
    return sheet


def labelled_rows(rows: list[tuple[str, list]]) -> Image.Image:
    """Rows of pictures (PIL images, shown at the first one's size; None: a gap), each with a text on its
    left (several lines): a shot per row in the shot sheets."""
    pictures = [p for _, row in rows for p in row if p is not None]
    width, height = pictures[0].size if pictures else (160, 90)
    per_row = max((len(row) for _, row in rows), default=1)
    label_w, pad = 220, 6
    sheet = Image.new("RGB", (label_w + per_row * (width + pad) + pad, len(rows) * (height + pad) + pad), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for i, (label, row) in enumerate(rows):
        y = pad + i * (height + pad)
        draw.multiline_text((pad, y + 4), label, fill=(230, 230, 230), spacing=4)
        for j, picture in enumerate(row):
            if picture is not None:
                sheet.paste(picture.convert("RGB").resize((width, height)), (label_w + pad + j * (width + pad), y))
    return sheet


def timing_chart(stages: list[tuple[str, float, int]], title: str, width: int = 900) -> Image.Image:
    """Horizontal bars: total job seconds per stage, with the number of jobs."""
    font, small = _font(18), _font(15)
    bar_h, left, top = 30, 170, 50
    height = top + len(stages) * (bar_h + 10) + 40
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.text((10, 12), title, fill=(0, 0, 0), font=font)
    longest = max((s for _, s, _ in stages), default=1.0) or 1.0
    span = width - left - 170
    for i, (name, seconds, jobs) in enumerate(stages):
        y = top + i * (bar_h + 10)
        draw.text((10, y + 6), name, fill=(0, 0, 0), font=small)
        w = max(2, round(span * seconds / longest))
        draw.rectangle((left, y, left + w, y + bar_h), fill=(70, 110, 190))
        draw.text(
            (left + w + 8, y + 6),
            f"{seconds:.1f} s  ({jobs} job{'s' if jobs != 1 else ''})",
            fill=(0, 0, 0),
            font=small,
        )
    return img


def histogram(rows: dict[str, list[int]], title: str, top_value: int, width: int = 900) -> Image.Image:
    """Bars of how often each value 1..top_value occurs, one panel per row label (e.g. the optimiser
    iterations per frame of each painted stage), with the median marked."""
    font, small = _font(18), _font(14)
    left, panel_h, top = 20, 150, 44
    img = Image.new("RGB", (width, top + len(rows) * (panel_h + 36)), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.text((10, 10), title, fill=(0, 0, 0), font=font)
    bar = (width - 2 * left) / max(top_value, 1)
    for i, (label, values) in enumerate(rows.items()):
        y0 = top + i * (panel_h + 36) + panel_h
        counts = np.bincount(np.clip(np.asarray(values, int), 1, top_value), minlength=top_value + 1)[1:]
        most = max(int(counts.max()) if len(values) else 0, 1)
        for k, n in enumerate(counts):
            h = (panel_h - 24) * n / most
            draw.rectangle((left + k * bar, y0 - h, left + (k + 1) * bar - 1, y0), fill=(70, 110, 190))
        if len(values):
            med = float(np.median(values))
            x = left + (med - 0.5) * bar
            draw.line((x, y0 - panel_h + 20, x, y0), fill=(220, 100, 40), width=2)
            label = f"{label}: {len(values)} frames, median {med:g}, max {max(values)}"
        draw.text((left, y0 - panel_h + 2), label, fill=(0, 0, 0), font=small)
        for k in sorted({1, top_value, *range(5, top_value, 5 if top_value <= 60 else 20)}):
            draw.text((left + (k - 0.5) * bar - 6, y0 + 3), str(k), fill=(80, 80, 80), font=small)
    return img


def sample_frames(n_frames: int, count: int = 4) -> list[int]:
    """Evenly spaced frames 2…N (frame 1 has no flow or mask)."""
    if n_frames < 2:
        return [1]
    return sorted({int(round(x)) for x in np.linspace(2, n_frames, min(count, n_frames - 1))})


PALETTE = [(70, 110, 190), (220, 100, 40), (60, 160, 90), (170, 60, 160), (120, 120, 120), (200, 170, 30)]


def line_chart(
    series: dict[str, list[float]],
    title: str,
    xlabel: str = "frame",
    x0: float = 1,
    dx: float = 1,
    width: int = 900,
    height: int = 360,
    marks: list[tuple[float, str]] | None = None,
) -> Image.Image:
    """Lines on white, one per series (its label in the legend), y from 0 to the largest value; `marks` are
    labelled vertical lines (x, text)."""
    font, small = _font(18), _font(14)
    left, right, top, bottom = 70, 20, 64, 44
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.text((10, 10), title, fill=(0, 0, 0), font=font)
    values = [v for ys in series.values() for v in ys if np.isfinite(v)]
    lo, hi = min(0.0, min(values, default=0.0)), max(values, default=1.0)
    hi = hi if hi > lo else lo + 1.0
    n = max((len(ys) for ys in series.values()), default=1)
    span_x = max(n - 1, 1)
    pw, ph = width - left - right, height - top - bottom

    def xy(i: float, v: float) -> tuple[float, float]:
        return left + pw * i / span_x, top + ph * (1 - (v - lo) / (hi - lo))

    draw.rectangle((left, top, left + pw, top + ph), outline=(160, 160, 160))
    for k in range(5):  # y grid with values
        v = lo + (hi - lo) * k / 4
        y = xy(0, v)[1]
        draw.line((left, y, left + pw, y), fill=(230, 230, 230))
        draw.text((4, y - 8), f"{v:.3g}", fill=(80, 80, 80), font=small)
    for k in range(min(n, 6)):  # x ticks
        i = round(span_x * k / max(min(n, 6) - 1, 1))
        x = xy(i, lo)[0]
        draw.text((x - 10, top + ph + 4), f"{x0 + i * dx:g}", fill=(80, 80, 80), font=small)
    draw.text((left + pw // 2 - 20, height - 20), xlabel, fill=(80, 80, 80), font=small)
    ends: list[float] = []  # where each row of mark labels ends: a label that would overlap goes a row lower
    for x, text in marks or []:
        px = xy((x - x0) / dx, lo)[0]
        draw.line((px, top, px, top + ph), fill=(200, 200, 200), width=1)
        row = next((i for i, end in enumerate(ends) if px + 3 > end), len(ends))
        ends[row : row + 1] = [px + 3 + draw.textlength(text, font=small) + 4]
        draw.text((px + 3, top + 2 + 16 * row), text, fill=(120, 120, 120), font=small)
    for c, (label, ys) in enumerate(series.items()):
        colour = PALETTE[c % len(PALETTE)]
        points = [xy(i, v) for i, v in enumerate(ys) if np.isfinite(v)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        lx = left + 10 + c * 180
        draw.line((lx, top - 14, lx + 24, top - 14), fill=colour, width=3)
        draw.text((lx + 30, top - 22), label, fill=(0, 0, 0), font=small)
    return img
