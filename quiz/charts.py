"""Geometry of the small SVG charts drawn on the server: no Flask, no database.

Coordinates are SVG user units inside a ``width`` x ``height`` viewBox, with y
growing downwards. Templates draw the shapes; the stylesheet colours them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Room around the plot for the axis labels: tick values on the left, x labels below.
LEFT, TOP, RIGHT, BOTTOM = 58.0, 14.0, 16.0, 34.0


@dataclass(frozen=True)
class Box:
    """The plotting area, inside the margins."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        """Width of the area."""
        return self.right - self.left

    @property
    def height(self) -> float:
        """Height of the area."""
        return self.bottom - self.top


@dataclass(frozen=True)
class Point:
    """One value placed on the chart."""

    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Tick:
    """A text on an axis: where it goes, what it says, and which end is anchored."""

    x: float
    y: float
    text: str
    anchor: str = "middle"  # an SVG text-anchor: start, middle or end


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw a line chart."""

    width: float
    height: float
    plot: Box
    points: tuple[Point, ...]
    polyline: str  # the ``points`` attribute of an SVG <polyline>; empty under two points
    y_ticks: tuple[Tick, ...]
    x_labels: tuple[Tick, ...]

    @property
    def empty(self) -> bool:
        """True when there is nothing to plot."""
        return not self.points


def line_chart(values: list[float], labels: list[str], width: float = 480, height: float = 240,
               y_max: float = 100, y_step: float = 25, max_labels: int = 4,
               suffix: str = "%") -> Chart:
    """Place values from 0 to ``y_max`` left to right, with y ticks and thinned x labels."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values but {len(labels)} labels")
    if y_max <= 0 or y_step <= 0 or max_labels < 2:
        raise ValueError("y_max and y_step must be positive and max_labels at least 2")
    plot = Box(LEFT, TOP, width - RIGHT, height - BOTTOM)

    def y_of(value: float) -> float:
        # Clamped, so a stray value stays inside the frame instead of drawing over the labels.
        share = min(max(value, 0.0), y_max) / y_max
        return round(plot.bottom - share * plot.height, 2)

    count = len(values)
    if count == 1:
        xs = [plot.left + plot.width / 2]  # a lone point sits in the middle, not on the axis
    else:
        xs = [plot.left + index * plot.width / (count - 1) for index in range(count)]
    points = tuple(Point(round(x, 2), y_of(value), value, label)
                   for x, value, label in zip(xs, values, labels, strict=True))
    polyline = " ".join(f"{p.x:g},{p.y:g}" for p in points) if count > 1 else ""

    steps = int(y_max // y_step)
    levels = [step * y_step for step in range(steps + 1)]
    if levels[-1] < y_max:
        levels.append(y_max)
    y_ticks = tuple(Tick(plot.left - 8, y_of(level), f"{level:g}{suffix}", "end") for level in levels)

    label_y = plot.bottom + 22
    x_labels = tuple(Tick(points[index].x, label_y, points[index].label, _anchor(index, count))
                     for index in spread(count, max_labels))
    return Chart(width, height, plot, points, polyline, y_ticks, x_labels)


def spread(count: int, most: int) -> list[int]:
    """At most ``most`` indices out of ``count``, evenly spaced, always the first and the last."""
    if count <= most:
        return list(range(count))
    return sorted({round(step * (count - 1) / (most - 1)) for step in range(most)})


def _anchor(index: int, count: int) -> str:
    # The end labels hang inwards, so they never run past the edge of the viewBox.
    if count == 1:
        return "middle"
    if index == 0:
        return "start"
    return "end" if index == count - 1 else "middle"


@dataclass(frozen=True)
class Bar:
    """One bar: its rectangle, its value and its label."""

    x: float
    y: float
    width: float
    height: float
    value: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """Everything a template needs to draw a bar chart."""

    width: float
    height: float
    plot: Box
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_labels: tuple[Tick, ...]

    @property
    def empty(self) -> bool:
        """True when every bar is zero."""
        return not any(bar.value for bar in self.bars)


def bar_chart(values: Sequence[float], labels: list[str], width: float = 480, height: float = 240,
              max_labels: int = 6) -> BarChart:
    """Bars from 0 up, side by side, under a y scale of about four round steps."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values but {len(labels)} labels")
    plot = Box(LEFT, TOP, width - RIGHT, height - BOTTOM)
    step = _round_step(max(values, default=0) / 4)
    y_max = step * max(1, -(-max(values, default=0) // step))  # the top tick at or above the tallest

    def y_of(value: float) -> float:
        return round(plot.bottom - min(max(value, 0.0), y_max) / y_max * plot.height, 2)

    count = len(values)
    slot = plot.width / count if count else plot.width
    bars = tuple(Bar(round(plot.left + index * slot + slot * 0.15, 2), y_of(value),
                     round(slot * 0.7, 2), round(plot.bottom - y_of(value), 2), value, label)
                 for index, (value, label) in enumerate(zip(values, labels, strict=True)))
    levels = [step * n for n in range(int(y_max // step) + 1)]
    y_ticks = tuple(Tick(plot.left - 8, y_of(level), f"{level:g}", "end") for level in levels)
    x_labels = tuple(Tick(round(bars[index].x + bars[index].width / 2, 2), plot.bottom + 22,
                          bars[index].label, _anchor(index, count) if count > 1 else "middle")
                     for index in spread(count, max_labels))
    return BarChart(width, height, plot, bars, y_ticks, x_labels)


def _round_step(rough: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at or above ``rough``."""
    step = 1.0
    while True:
        for factor in (1, 2, 5):
            if step * factor >= rough:
                return step * factor
        step *= 10
