"""Charts drawn on the server as SVG geometry: no script, nothing fetched, and they print.

Each function returns plain numbers and path strings for a template to place; the
figures themselves are always also in a table next to the chart.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28
COLOURS = ("#0f766e", "#b45309", "#4f46e5", "#be123c", "#15803d", "#7c3aed")


@dataclass
class Line:
    label: str
    colour: str
    path: str
    last: float | None


@dataclass
class LineChart:
    lines: list[Line]
    y_ticks: list[tuple[float, str]]  # (y position, label)
    x_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    empty: bool = False
    baseline: float = HEIGHT - PAD_BOTTOM
    left: float = PAD_LEFT
    right: float = WIDTH - PAD_RIGHT


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(
    days: list[date], series: list[tuple[str, list[float | None]]], *, percent: bool = False
) -> LineChart:
    """One line per series over ``days``; a gap where a value is None. Percentages run
    0 to 100; counts from 0 to a round number above the largest."""
    values = [v for _label, points in series for v in points if v is not None]
    if not days or not values:
        return LineChart([], [], [], empty=True)
    top = 100.0 if percent else _nice_top(max(values))
    bottom = min(0.0, min(values))
    span_x = max((days[-1] - days[0]).days, 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: date) -> float:
        return PAD_LEFT + plot_w * (day - days[0]).days / span_x

    def y(value: float) -> float:
        return PAD_TOP + plot_h * (1 - (value - bottom) / ((top - bottom) or 1))

    lines = []
    for index, (label, points) in enumerate(series):
        path, pen_down = [], False
        for day, value in zip(days, points, strict=True):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x(day):.1f},{y(value):.1f}")
            pen_down = True
        last = next((v for v in reversed(points) if v is not None), None)
        lines.append(Line(label, COLOURS[index % len(COLOURS)], " ".join(path), last))
    y_ticks = [
        (y(bottom + (top - bottom) * i / 4), _tick(bottom + (top - bottom) * i / 4, percent))
        for i in range(5)
    ]
    # Five evenly spaced dates along the axis (the data's days may bunch up).
    ticks = sorted({days[0] + timedelta(days=round(span_x * i / 4)) for i in range(5)})
    x_ticks = [(x(day), day.strftime("%d %b")) for day in ticks]
    return LineChart(lines, y_ticks, x_ticks)


def _tick(value: float, percent: bool) -> str:
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{text}%" if percent else text


def sparkline(points: list[float | None], width: int = 120, height: int = 28) -> str:
    """A path for a tile's small trend line; empty with fewer than two points."""
    known = [(i, v) for i, v in enumerate(points) if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(v for _i, v in known), max(v for _i, v in known)
    span = (high - low) or 1
    last = max(len(points) - 1, 1)
    steps = []
    for n, (i, v) in enumerate(known):
        x, y = width * i / last, height - 2 - (height - 4) * (v - low) / span
        steps.append(f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}")
    return " ".join(steps)


@dataclass
class Node:
    name: str
    x: float
    y: float
    anchor: str
    label_x: float
    label_y: float


@dataclass
class Edge:
    one: str
    other: str
    pairs: int
    x1: float
    y1: float
    x2: float
    y2: float
    width: float


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    size: int = 420


def network(edges: dict[tuple[str, str], int], size: int = 420) -> Network:
    """Departments on a circle, a line for each pair of departments the program linked,
    thicker for more pairs."""
    names = sorted({name for edge in edges for name in edge})
    if not names:
        return Network(size=size)
    centre, radius = size / 2, size / 2 - 90
    nodes = {}
    for index, name in enumerate(names):
        angle = 2 * math.pi * index / len(names) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        right = math.cos(angle) >= 0
        nodes[name] = Node(
            name,
            x,
            y,
            "start" if right else "end",
            x + (8 if right else -8),
            y + 4,
        )
    heaviest = max(edges.values())
    drawn = [
        Edge(
            one,
            other,
            count,
            nodes[one].x,
            nodes[one].y,
            nodes[other].x,
            nodes[other].y,
            1 + 7 * count / heaviest,
        )
        for (one, other), count in sorted(edges.items(), key=lambda item: item[1])
    ]
    return Network(list(nodes.values()), drawn, size)
