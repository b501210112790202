"""The axis: which ticks and labels fit at a zoom, in years, months or days, with ages."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from storycapture.domain.fuzzydate import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_NAMES,
)
from storycapture.timeline.layout.scale import (
    _LAST_ORDINAL,
    Measure,
    TimeScale,
    _clamp,
    _month_start,
    _year_start,
)
from storycapture.timeline.layout.sizes import SIZES, Sizes

# -- the axis ---------------------------------------------------------------------------------


def estimate_text_width(text: str) -> float:
    """A stand-in for font metrics where there is no font (tests, the CLI): 7 px a character."""
    return 7.0 * len(text)


@dataclass(frozen=True, slots=True)
class Tick:
    """A mark on the time axis; ``label`` is empty on the small, unlabelled ticks."""

    x: float
    label: str = ""
    age: str = ""

    @property
    def major(self) -> bool:
        return bool(self.label)


@dataclass(frozen=True, slots=True)
class AxisStep:
    unit: str  # "year", "month" or "day"
    count: int

    @property
    def days(self) -> float:
        """The shortest gap between two ticks of this step, in days."""
        if self.unit == "year":
            return 365.0 * self.count
        if self.unit == "month":
            return 28.0 * self.count
        return float(self.count)


_STEPS: tuple[AxisStep, ...] = (
    AxisStep("year", 100),
    AxisStep("year", 50),
    AxisStep("year", 20),
    AxisStep("year", 10),
    AxisStep("year", 5),
    AxisStep("year", 2),
    AxisStep("year", 1),
    AxisStep("month", 6),
    AxisStep("month", 3),
    AxisStep("month", 1),
    AxisStep("day", 14),
    AxisStep("day", 7),
    AxisStep("day", 1),
)
_LONG_MONTHS = MONTH_NAMES
_SHORT_MONTHS: tuple[str, ...] = tuple(name[:3] for name in _LONG_MONTHS)
MINOR_TICK_PX = 6.0


@dataclass(frozen=True, slots=True)
class Axis:
    """The ticks for one stretch of the axis: ``context`` is the second row (ages under years;
    the year, or month and year, when zoomed in to months or days)."""

    step: AxisStep
    ticks: tuple[Tick, ...]
    context: tuple[Tick, ...]


def _tick_days(step: AxisStep, first_day: float, last_day: float) -> list[int]:
    """Ordinal days of the step's ticks from just before ``first_day`` to ``last_day``."""
    first = datetime.date.fromordinal(int(_clamp(math.floor(first_day), 1, _LAST_ORDINAL)))
    days: list[int] = []
    if step.unit == "year":
        year = max(MIN_YEAR - 100, first.year - first.year % step.count)
        while year <= MAX_YEAR + 100:
            day = _year_start(year)
            if day > last_day:
                break
            days.append(day)
            year += step.count
    elif step.unit == "month":
        index = first.year * 12 + (first.month - 1)
        index -= index % step.count
        while True:
            year, month = divmod(index, 12)
            if year > MAX_YEAR + 100:
                break
            day = _month_start(year, month + 1)
            if day > last_day:
                break
            days.append(day)
            index += step.count
    else:
        month_index = first.year * 12 + (first.month - 1)
        while True:
            year, month = divmod(month_index, 12)
            if year > MAX_YEAR + 100:
                break
            start = _month_start(year, month + 1)
            if start > last_day:
                break
            length = (
                _month_start(year + (month + 1) // 12, (month + 1) % 12 + 1) - start
                if year < 9999
                else 31
            )
            for offset in range(0, length, step.count):
                # The last tick of a month would crowd the 1st of the next.
                if step.count > 1 and length - offset < step.count // 2 + 1:
                    break
                days.append(start + offset)
            month_index += 1
    return days


def _tick_label(step: AxisStep, day: int) -> str:
    date = datetime.date.fromordinal(day)
    if step.unit == "year":
        return str(date.year)
    if step.unit == "month":
        return str(date.year) if date.month == 1 else _SHORT_MONTHS[date.month]
    if date.day == 1:
        return f"1 {_SHORT_MONTHS[date.month]}"
    return str(date.day)


def _age_words(year: int, birth_year: int | None) -> str:
    if birth_year is None or year < birth_year:
        return ""
    return f"age {year - birth_year}"


def _fits(labels: Sequence[tuple[float, str]], measure: Measure, sizes: Sizes) -> bool:
    end = -math.inf
    for x, text in labels:
        start = x + sizes.label_offset
        if start < end + sizes.label_gap:
            return False
        end = start + measure(text)
    return True


def axis(
    scale: TimeScale,
    x_from: float,
    x_to: float,
    *,
    birth_year: int | None = None,
    measure: Measure = estimate_text_width,
    sizes: Sizes = SIZES,
) -> Axis:
    """Ticks between ``x_from`` and ``x_to``, as fine as their labels allow without overlapping:
    decades when zoomed out, then years, months and days. ``sizes`` spaces the labels (in
    large type they need more room, and ``measure`` says how wide they are)."""
    first_day = scale.day_at(x_from)
    last_day = scale.day_at(x_to)
    margin = (x_to - x_from) / scale.px_per_day * 0.1 + 1
    chosen = _STEPS[0]
    chosen_days: list[int] = []
    for step in _STEPS:
        gap_px = step.days * scale.px_per_day
        if gap_px < 18:
            continue
        days = _tick_days(step, first_day - margin, last_day)
        if len(days) > 4000:
            continue
        labels = [(scale.x_of_day(d), _tick_label(step, d)) for d in days]
        if step.unit == "year" and birth_year is not None:
            # The age goes under the year, so both must fit.
            labels = [
                (x, max(text, _age_words(datetime.date.fromordinal(d).year, birth_year), key=len))
                for (x, text), d in zip(labels, days, strict=True)
            ]
        if _fits(labels, measure, sizes):
            chosen, chosen_days = step, days
        else:
            break
    if not chosen_days:
        chosen_days = _tick_days(chosen, first_day - margin, last_day)
    ticks: list[Tick] = []
    for day in chosen_days:
        year = datetime.date.fromordinal(day).year
        age = _age_words(year, birth_year) if chosen.unit == "year" else ""
        ticks.append(Tick(scale.x_of_day(day), _tick_label(chosen, day), age))
    ticks.extend(_minor_ticks(scale, chosen, first_day - margin, last_day, set(chosen_days)))
    ticks.sort(key=lambda t: t.x)
    context = _context(scale, chosen, x_from, x_to, birth_year, measure, sizes)
    return Axis(chosen, tuple(ticks), context)


def _minor_ticks(
    scale: TimeScale, step: AxisStep, first_day: float, last_day: float, majors: set[int]
) -> list[Tick]:
    index = _STEPS.index(step)
    for finer in _STEPS[index + 1 :]:
        if finer.days * scale.px_per_day < MINOR_TICK_PX:
            break
        # Minor ticks must divide the major step so they line up under it.
        if finer.unit == step.unit and step.count % finer.count:
            continue
        days = _tick_days(finer, first_day, last_day)
        if len(days) > 4000:
            break
        return [Tick(scale.x_of_day(d)) for d in days if d not in majors]
    return []


def _context(
    scale: TimeScale,
    step: AxisStep,
    x_from: float,
    x_to: float,
    birth_year: int | None,
    measure: Measure,
    sizes: Sizes,
) -> tuple[Tick, ...]:
    if step.unit == "year":
        return ()
    first_day, last_day = scale.day_at(x_from), scale.day_at(x_to)
    outer = AxisStep("year", 1) if step.unit == "month" else AxisStep("month", 1)
    boundaries = [d for d in _tick_days(outer, first_day, last_day) if d >= first_day]

    def words(day: int, pinned: bool = False) -> str:
        date = datetime.date.fromordinal(day)
        age = _age_words(date.year, birth_year)
        if outer.unit == "year" and not pinned:
            return age  # the first row already names the year at January
        when = str(date.year) if outer.unit == "year" else f"{_LONG_MONTHS[date.month]} {date.year}"
        return f"{when} · {age}" if age else when

    labels = [Tick(scale.x_of_day(d), words(d)) for d in boundaries]
    labels = [tick for tick in labels if tick.label]
    # Pinned at the left edge: which year (or month) the first stretch of the axis is in.
    pinned_day = math.floor(first_day)
    pinned_date = datetime.date.fromordinal(int(_clamp(pinned_day, 1, _LAST_ORDINAL)))
    start = (
        _year_start(pinned_date.year)
        if outer.unit == "year"
        else _month_start(pinned_date.year, pinned_date.month)
    )
    pinned = Tick(x_from, words(start, pinned=True))
    offset, gap = sizes.label_offset, sizes.label_gap
    if not labels or labels[0].x > x_from + offset + measure(pinned.label) + gap:
        labels.insert(0, pinned)
    kept: list[Tick] = []
    end = -math.inf
    for tick in labels:
        begin = tick.x + offset
        if begin >= end + gap:
            kept.append(tick)
            end = begin + measure(tick.label)
    return tuple(kept)
