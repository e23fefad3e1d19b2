"""Small server-side SVG charts for pages and WeasyPrint PDFs: bars, lines, horizontal bars, age pyramid.

The markup is lean (a few dozen elements), uses presentation attributes only (no ``style`` attribute or element,
no script: the Content-Security-Policy forbids them) and is accessible: ``role="img"``, ``<title>`` and ``<desc>``
referenced by ``aria-labelledby``. Every chart must still be shown beside its data table. Numbers are written the
French way (narrow no-break space between thousands, decimal comma).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from decimal import Decimal

__all__ = ["bar_chart", "fr_number", "hbar_chart", "line_chart", "pyramid_chart"]

FONT_FAMILY = "Marianne, arial, sans-serif"
TEXT = "#161616"
MUTED = "#666666"
GRID = "#dddddd"
AXIS = "#929292"
# DSFR colours with enough contrast on white, and dash patterns so that series never rely on colour alone.
SERIES_COLOURS = ("#000091", "#b34000", "#18753c", "#6e445a")
SERIES_DASHES = ("", "6 4", "2 3", "8 3 2 3")
BAR_COLOUR = "#000091"
MEN_COLOUR = "#000091"
WOMEN_COLOUR = "#b34000"
FONT_SIZE = 12


def fr_number(value, decimals: int = 0) -> str:
    """1234567.891 → « 1 234 567,9 » with decimals=1 (narrow no-break spaces)."""
    if value is None:
        return "–"
    number = float(value)
    text = f"{abs(number):,.{int(decimals)}f}".replace(",", "\u202f").replace(".", ",")
    return ("−" if number < 0 and float(text.replace("\u202f", "").replace(",", ".")) != 0 else "") + text


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    """Coordinates with at most one decimal."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _nice_step(span: float, ticks: int = 4) -> float:
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _scale(values: Sequence[float], *, include_zero: bool = True) -> tuple[float, float, float]:
    present = [v for v in values if v is not None]
    if not present:
        return 0.0, 1.0, 1.0
    low, high = min(present), max(present)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + (abs(low) or 1.0)
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _tick_decimals(step: float, decimals: int) -> int:
    return 0 if step >= 1 else min(max(decimals, 1), 2)


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{_esc(chart_id)}-t {_esc(chart_id)}-d" id="{_esc(chart_id)}" '
        f'class="srefop-chart" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{TEXT}">',
        f'<title id="{_esc(chart_id)}-t">{_esc(title)}</title>',
        f'<desc id="{_esc(chart_id)}-d">{_esc(desc)}</desc>',
    ]


def _floats(values) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _y_axis(parts, *, low, high, step, left, right, top, bottom, decimals):
    grid, labels = [], []
    count = int(round((high - low) / step))
    for i in range(count + 1):
        value = low + i * step
        y = bottom - (value - low) / (high - low) * (bottom - top)
        grid.append(f"M{_n(left)} {_n(y)}H{_n(right)}")
        labels.append(f'<text x="{_n(left - 6)}" y="{_n(y + 4)}">{_esc(fr_number(value, decimals))}</text>')
    parts.append(f'<path d="{"".join(grid)}" stroke="{GRID}" stroke-width="1" fill="none"/>')
    parts.append(f'<g text-anchor="end" fill="{MUTED}">{"".join(labels)}</g>')


def _x_labels(parts, labels, centres, baseline, width):
    # Thin out labels when they would overlap.
    every = max(1, math.ceil(len(labels) * 42 / max(width, 1)))
    texts = [
        f'<text x="{_n(x)}" y="{_n(baseline + 16)}">{_esc(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, centres, strict=True))
        if i % every == 0 or i == len(labels) - 1
    ]
    parts.append(f'<g text-anchor="middle" fill="{MUTED}">{"".join(texts)}</g>')


def bar_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | Decimal | None],
    decimals: int = 0,
    width: int = 640,
    height: int = 280,
    chart_id: str = "graphique",
) -> str:
    """Vertical bars, one per label (e.g. one per year), the value written above each bar."""
    data = _floats(values)
    low, high, step = _scale(data)
    left, right, top, bottom = 64, width - 12, 16, height - 28
    parts = _open(chart_id, title, desc, width, height)
    _y_axis(
        parts,
        low=low,
        high=high,
        step=step,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        decimals=_tick_decimals(step, decimals),
    )
    slot = (right - left) / max(len(data), 1)
    bar_width = slot * 0.7
    zero = bottom - (0 - low) / (high - low) * (bottom - top)
    bars, texts, centres = [], [], []
    show_values = len(data) <= 12
    for i, value in enumerate(data):
        centre = left + slot * (i + 0.5)
        centres.append(centre)
        if value is None:
            continue
        y = bottom - (value - low) / (high - low) * (bottom - top)
        bars.append(
            f"M{_n(centre - bar_width / 2)} {_n(min(y, zero))}h{_n(bar_width)}v{_n(abs(zero - y))}h{_n(-bar_width)}z"
        )
        if show_values:
            texts.append(f'<text x="{_n(centre)}" y="{_n(min(y, zero) - 4)}">{_esc(fr_number(value, decimals))}</text>')
    parts.append(f'<path d="{"".join(bars)}" fill="{BAR_COLOUR}"/>')
    if texts:
        parts.append(f'<g text-anchor="middle" font-size="10">{"".join(texts)}</g>')
    parts.append(f'<path d="M{_n(left)} {_n(zero)}H{_n(right)}" stroke="{AXIS}" stroke-width="1"/>')
    _x_labels(parts, list(labels), centres, bottom, right - left)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | Decimal | None]]],
    decimals: int = 0,
    width: int = 640,
    height: int = 300,
    include_zero: bool = False,
    chart_id: str = "graphique",
) -> str:
    """One line per series over the labels (periods); a legend above names each series with its dash pattern."""
    data = [(name, _floats(values)) for name, values in series]
    low, high, step = _scale([v for _n_, values in data for v in values], include_zero=include_zero)
    legend_height = 20 * math.ceil(len(data) / 3)
    left, right, top, bottom = 64, width - 16, 16 + legend_height, height - 28
    parts = _open(chart_id, title, desc, width, height)
    # Legend
    legend = []
    for i, (name, _values) in enumerate(data):
        x = left + (i % 3) * ((right - left) / 3)
        y = 10 + 20 * (i // 3)
        dash = SERIES_DASHES[i % len(SERIES_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        legend.append(
            f'<path d="M{_n(x)} {_n(y)}h24" stroke="{SERIES_COLOURS[i % len(SERIES_COLOURS)]}" stroke-width="3"'
            f"{dash_attr}/>"
            f'<text x="{_n(x + 30)}" y="{_n(y + 4)}">{_esc(name)}</text>'
        )
    parts.append(f"<g>{''.join(legend)}</g>")
    _y_axis(
        parts,
        low=low,
        high=high,
        step=step,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        decimals=_tick_decimals(step, decimals),
    )
    count = max(len(labels), 1)
    slot = (right - left) / count
    centres = [left + slot * (i + 0.5) for i in range(count)]
    for i, (_name, values) in enumerate(data):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[i % len(SERIES_DASHES)]
        path, pen_down, dots = [], False, []
        for x, value in zip(centres, values, strict=False):
            if value is None:
                pen_down = False
                continue
            y = bottom - (value - low) / (high - low) * (bottom - top)
            path.append(f"{'L' if pen_down else 'M'}{_n(x)} {_n(y)}")
            dots.append(f"M{_n(x - 3)} {_n(y)}a3 3 0 1 0 6 0a3 3 0 1 0 -6 0")
            pen_down = True
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<path d="{"".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        parts.append(f'<path d="{"".join(dots)}" fill="{colour}"/>')
    parts.append(f'<path d="M{_n(left)} {_n(bottom)}H{_n(right)}" stroke="{AXIS}" stroke-width="1"/>')
    _x_labels(parts, list(labels), centres, bottom, right - left)
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | Decimal | None],
    decimals: int = 0,
    width: int = 640,
    label_width: int = 200,
    chart_id: str = "graphique",
) -> str:
    """Horizontal bars (e.g. employment by sector), the value written at the end of each bar."""
    data = _floats(values)
    row = 28
    height = 12 + row * max(len(data), 1)
    parts = _open(chart_id, title, desc, width, height)
    left, right = label_width, width - 90
    high = max([v for v in data if v is not None] + [0.0]) or 1.0
    bars, names, texts = [], [], []
    for i, (label, value) in enumerate(zip(labels, data, strict=True)):
        y = 6 + i * row
        names.append(f'<text x="{_n(left - 8)}" y="{_n(y + row / 2 + 2)}">{_esc(label)}</text>')
        if value is None:
            texts.append(f'<text x="{_n(left + 4)}" y="{_n(y + row / 2 + 2)}">n.d.</text>')
            continue
        length = max(value, 0) / high * (right - left)
        bars.append(f"M{_n(left)} {_n(y + 4)}h{_n(length)}v{_n(row - 8)}h{_n(-length)}z")
        texts.append(
            f'<text x="{_n(left + length + 6)}" y="{_n(y + row / 2 + 2)}">{_esc(fr_number(value, decimals))}</text>'
        )
    parts.append(f'<g text-anchor="end">{"".join(names)}</g>')
    parts.append(f'<path d="{"".join(bars)}" fill="{BAR_COLOUR}"/>')
    parts.append(f"<g>{''.join(texts)}</g>")
    parts.append(f'<path d="M{_n(left)} 4V{_n(height - 4)}" stroke="{AXIS}" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


def pyramid_chart(
    *,
    title: str,
    desc: str,
    bands: Sequence[str],
    left_values: Sequence[float | Decimal | None],
    right_values: Sequence[float | Decimal | None],
    left_label: str = "Hommes",
    right_label: str = "Femmes",
    decimals: int = 0,
    width: int = 640,
    chart_id: str = "graphique",
) -> str:
    """Age pyramid: bands listed youngest first, drawn oldest at the top; men on the left, women on the right."""
    lefts, rights = _floats(left_values), _floats(right_values)
    row = 26
    top = 28
    height = top + row * max(len(bands), 1) + 8
    centre_width = 80
    middle = width / 2
    half = middle - centre_width / 2 - 70
    high = max([v for v in lefts + rights if v is not None] + [0.0]) or 1.0
    parts = _open(chart_id, title, desc, width, height)
    parts.append(
        f'<g font-weight="bold"><text x="{_n(middle - centre_width / 2 - 4)}" y="16" text-anchor="end" '
        f'fill="{MEN_COLOUR}">{_esc(left_label)}</text>'
        f'<text x="{_n(middle + centre_width / 2 + 4)}" y="16" fill="{WOMEN_COLOUR}">{_esc(right_label)}</text></g>'
    )
    men, women, names, texts = [], [], [], []
    count = len(bands)
    for i, band in enumerate(bands):
        y = top + (count - 1 - i) * row
        names.append(f'<text x="{_n(middle)}" y="{_n(y + row / 2 + 4)}">{_esc(band)}</text>')
        value = lefts[i] if i < len(lefts) else None
        if value is not None:
            length = value / high * half
            x0 = middle - centre_width / 2
            men.append(f"M{_n(x0 - length)} {_n(y + 3)}h{_n(length)}v{_n(row - 6)}h{_n(-length)}z")
            texts.append(
                f'<text x="{_n(x0 - length - 4)}" y="{_n(y + row / 2 + 4)}" text-anchor="end">'
                f"{_esc(fr_number(value, decimals))}</text>"
            )
        value = rights[i] if i < len(rights) else None
        if value is not None:
            length = value / high * half
            x0 = middle + centre_width / 2
            women.append(f"M{_n(x0)} {_n(y + 3)}h{_n(length)}v{_n(row - 6)}h{_n(-length)}z")
            texts.append(
                f'<text x="{_n(x0 + length + 4)}" y="{_n(y + row / 2 + 4)}">{_esc(fr_number(value, decimals))}</text>'
            )
    parts.append(f'<path d="{"".join(men)}" fill="{MEN_COLOUR}"/>')
    parts.append(f'<path d="{"".join(women)}" fill="{WOMEN_COLOUR}"/>')
    parts.append(f'<g text-anchor="middle">{"".join(names)}</g>')
    parts.append(f'<g font-size="10">{"".join(texts)}</g>')
    parts.append("</svg>")
    return "".join(parts)
