"""Server-side bar charts: geometry for the SVG template, and a PNG for Word documents.

No JavaScript. The template (`reports/_chart.html`) draws the SVG with a <title> and <desc>
named by `aria-labelledby`, and always puts the chart's data table beside it; the chart is a
picture of that table, never the only place a figure appears.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from webapp.reports.blocks import Chart

WIDTH = 480
LABEL_WIDTH = 170
LEGEND_STEP = 96
BAR_HEIGHT = 18
GAP = 6  # bars close enough that a 14-standard chart fits under a section heading
LEGEND_HEIGHT = 28
VALUE_ROOM = 44  # space after the longest bar for its total
LABEL_CHARS = 24
# GOV.UK colours with at least 3:1 contrast against white (WCAG 1.4.11).
COLOURS = ("#1d70b8", "#00703c", "#d4351c", "#505a5f", "#912b88", "#28a197", "#6f72af")
RATING_COLOURS = ("#00703c", "#1d70b8", "#d4351c", "#505a5f", "#912b88")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    name: str
    value: int


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    text_y: float
    total: int
    total_x: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class LegendItem:
    x: float
    colour: str
    name: str


@dataclass(frozen=True)
class ChartGeometry:
    key: str
    title: str
    description: str
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    legend: tuple[LegendItem, ...]


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """Shorten a label for the chart; the table beside it shows it in full."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def geometry(chart: Chart) -> ChartGeometry:
    """Lay out horizontal (stacked when several value columns) bars for a chart's table."""
    table, columns = chart.table, chart.value_columns
    stacked = len(columns) > 1
    colours = RATING_COLOURS if stacked else COLOURS
    top = LEGEND_HEIGHT if stacked else 0
    totals = [sum(_number(row[c]) for c in columns) for row in table.rows]
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / max([*totals, 1])
    bars = []
    for index, (row, total) in enumerate(zip(table.rows, totals, strict=True)):
        y = top + index * (BAR_HEIGHT + GAP)
        x, segments = float(LABEL_WIDTH), []
        for number, column in enumerate(columns):
            value = _number(row[column])
            colour = colours[number % len(colours)]
            segments.append(Segment(x, value * scale, colour, table.header[column], value))
            x += value * scale
        bars.append(Bar(short(str(row[0])), y, y + BAR_HEIGHT * 0.7, total, x + 6, tuple(segments)))
    legend = tuple(
        LegendItem(i * LEGEND_STEP, colours[i % len(colours)], short(table.header[c], 13))
        for i, c in enumerate(columns)
        if stacked
    )
    height = top + max(len(bars), 1) * (BAR_HEIGHT + GAP)
    return ChartGeometry(
        chart.key,
        chart.title,
        chart.description,
        WIDTH,
        height,
        LABEL_WIDTH,
        BAR_HEIGHT,
        tuple(bars),
        legend,
    )


def png(chart: Chart, *, scale: int = 2) -> bytes:
    """Draw the chart as a PNG (for Word, which cannot show SVG everywhere)."""
    from PIL import Image, ImageDraw, ImageFont

    shape = geometry(chart)
    image = Image.new("RGB", (shape.width * scale, shape.height * scale), "white")
    draw = ImageDraw.Draw(image)
    size = 11 * scale
    font = ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default()
    for item in shape.legend:
        box = [item.x * scale, 6 * scale, (item.x + 12) * scale, 18 * scale]
        draw.rectangle(box, fill=item.colour)
        draw.text(((item.x + 16) * scale, 6 * scale), item.name, fill="#0b0c0c", font=font)
    for bar in shape.bars:
        text_y = (bar.y + 4) * scale
        draw.text((4 * scale, text_y), bar.label, fill="#0b0c0c", font=font)
        for segment in bar.segments:
            if segment.width > 0:
                box = [
                    segment.x * scale,
                    bar.y * scale,
                    (segment.x + segment.width) * scale,
                    (bar.y + shape.bar_height) * scale,
                ]
                draw.rectangle(box, fill=segment.colour)
        draw.text((bar.total_x * scale, text_y), str(bar.total), fill="#0b0c0c", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
