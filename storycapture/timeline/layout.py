"""The timeline picture's geometry, without Qt: where every event, period and tick goes.

The Qt scene draws what this module computes and nothing else, so every rule about the
picture (how a fuzzy date spreads, where the lifeline runs, which labels fit, what a drag
means) is plain Python a test can check without a window.

Two stages:

* ``place_events`` puts each event on the calendar once per change of the story: its
  earliest–latest days (never a false precise day), and its row among overlapping periods.
  Events that cannot be placed (no date given yet, an age without a birth year, a
  "before"/"after" whose event is missing) are kept apart, for the tray "Not yet placed in
  time".
* ``lay_out`` turns that into scene coordinates for one zoom, layout and view height: marks,
  period bars, clusters where events crowd together, the lifeline curve and the label cards
  that fit without overlapping. It runs on every zoom step, so it is kept linear in the number
  of events. A moment whose feeling is not said sits on the "in between" line with its own
  mark (``EventMark.feeling_said``) and is no point of the lifeline: the curve shows only the
  ups and downs somebody told.

Scene x is ``(day - origin) * px_per_day``; a day ``d`` (an ordinal) covers ``[d, d + 1)``.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from storycapture.domain.errors import InvalidFuzzyDate
from storycapture.domain.fuzzydate import (
    MAX_AGE,
    MAX_YEAR,
    MIN_YEAR,
    MONTH_NAMES,
    DateKind,
    FuzzyDate,
    Season,
)
from storycapture.domain.story import TimelineEvent
from storycapture.domain.vocabulary import LifeArea, Visibility, describe_feeling

__all__ = [
    "LARGE",
    "SIZES",
    "Axis",
    "Band",
    "Bands",
    "Cluster",
    "CurveSegment",
    "DragOutcome",
    "EventMark",
    "LayoutMode",
    "PeriodBar",
    "PlacedEvent",
    "PlacedTimeline",
    "Rect",
    "Sizes",
    "Strip",
    "Tick",
    "TimeScale",
    "TimelineLayout",
    "axis",
    "bands_for",
    "date_at",
    "drag_outcome",
    "lay_out",
    "moved_date",
    "new_event_at",
    "place_events",
    "precision_for_scale",
    "shift_date",
    "snapped_date",
]

Range = tuple[datetime.date, datetime.date]
Resolve = Callable[[str], Range | None]
Measure = Callable[[str], float]
_T = TypeVar("_T")

DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
DAYS_PER_SEASON = DAYS_PER_YEAR / 4

# A whole life (two centuries, with room) fits in a wide window at the smallest scale; a single
# day is as wide as a card at the largest.
MIN_PX_PER_DAY = 0.004
MAX_PX_PER_DAY = 200.0

VALENCES: tuple[int, ...] = (3, 2, 1, 0, -1, -2, -3)  # top to bottom
LIFE_AREAS: tuple[LifeArea, ...] = tuple(LifeArea)

# Sizes in pixels, shared with the Qt items so both agree on where things are.
CARD_HEIGHT = 26.0
CARD_GAP = 4.0  # between a card's bottom and the top of its event's mark
DOT = 12.0
BAR_HEIGHT = 15.0
BAR_GAP = 3.0
BAND_PAD = 2.0
CARD_ZONE = CARD_HEIGHT + CARD_GAP + 2.0
LINE_OFFSET = CARD_ZONE + DOT / 2  # from a band's top to its line
ROW = BAR_HEIGHT + BAR_GAP
MIN_BAND = LINE_OFFSET + BAR_HEIGHT / 2 + BAND_PAD  # a card, a mark, and one row of bars
EMPTY_LANE = 24.0
SQUEEZE = 0.9  # lanes may be this much thinner than they would like before the view scrolls
MAX_LANE_ROWS = 3
CLUSTER_PX = 26.0  # events whose marks would sit closer than this gather into one
MAX_CARD_PX = 280.0  # the widest a card can be (its title is cut short beyond that)
BAR_TEXT_PAD = 16.0  # a bar holds its own title when it is this much wider than the title
MIN_BAR_PX = 10.0
TOP_MARGIN = 4.0
CARD_SPACING = 4.0  # the least room between two cards side by side
LABEL_OFFSET = 4.0  # an axis label starts just right of its tick
LABEL_GAP = 10.0  # the least space between two axis labels
LARGE = 1.5  # storyteller mode: the picture, type and all, half as large again


@dataclass(frozen=True, slots=True)
class Sizes:
    """The picture's sizes in pixels, all from one ``factor`` times the normal ones (the
    constants above). Storyteller mode draws the picture ``LARGE``: its words are half as
    large again, so the cards, bars, bands and gaps that hold them grow with them and nothing
    overlaps or is cut. The Qt items read the same sizes, so both agree on where things are;
    a factor of 1 is exactly the constants."""

    factor: float = 1.0
    card_height: float = field(init=False)
    card_gap: float = field(init=False)  # between a card's bottom and the top of its mark
    dot: float = field(init=False)
    bar_height: float = field(init=False)
    bar_gap: float = field(init=False)
    band_pad: float = field(init=False)
    card_zone: float = field(init=False)
    line_offset: float = field(init=False)  # from a band's top to its line
    row: float = field(init=False)
    min_band: float = field(init=False)  # a card, a mark, and one row of bars
    empty_lane: float = field(init=False)
    cluster_px: float = field(init=False)
    max_card_px: float = field(init=False)
    bar_text_pad: float = field(init=False)
    min_bar_px: float = field(init=False)
    top_margin: float = field(init=False)
    card_spacing: float = field(init=False)
    label_offset: float = field(init=False)
    label_gap: float = field(init=False)

    def __post_init__(self) -> None:
        f = self.factor
        if not 0.5 <= f <= 4.0:
            raise ValueError(f"a picture size factor of {f} is out of reach")
        card_height, card_gap, dot = CARD_HEIGHT * f, CARD_GAP * f, DOT * f
        bar_height, bar_gap, band_pad = BAR_HEIGHT * f, BAR_GAP * f, BAND_PAD * f
        # Worked out as the constants are, so that a factor of 1 gives them to the last bit.
        card_zone = card_height + card_gap + 2.0 * f
        line_offset = card_zone + dot / 2
        values = {
            "card_height": card_height,
            "card_gap": card_gap,
            "dot": dot,
            "bar_height": bar_height,
            "bar_gap": bar_gap,
            "band_pad": band_pad,
            "card_zone": card_zone,
            "line_offset": line_offset,
            "row": bar_height + bar_gap,
            "min_band": line_offset + bar_height / 2 + band_pad,
            "empty_lane": EMPTY_LANE * f,
            "cluster_px": CLUSTER_PX * f,
            "max_card_px": MAX_CARD_PX * f,
            "bar_text_pad": BAR_TEXT_PAD * f,
            "min_bar_px": MIN_BAR_PX * f,
            "top_margin": TOP_MARGIN * f,
            "card_spacing": CARD_SPACING * f,
            "label_offset": LABEL_OFFSET * f,
            "label_gap": LABEL_GAP * f,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def cluster_radius(self, count: int) -> float:
        """A cluster's disc grows with the digits of its count."""
        return cluster_radius(count) * self.factor


SIZES = Sizes()  # the normal picture


class LayoutMode(StrEnum):
    LIFELINE = "lifeline"
    LANES = "lanes"


# -- the time scale ---------------------------------------------------------------------------


def _clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


@dataclass(frozen=True, slots=True)
class TimeScale:
    """Days to scene x and back: ``origin`` is the day at x = 0."""

    origin: float
    px_per_day: float

    def x_of_day(self, day: float) -> float:
        return (day - self.origin) * self.px_per_day

    def x_of(self, date: datetime.date) -> float:
        return self.x_of_day(date.toordinal())

    def day_at(self, x: float) -> float:
        return self.origin + x / self.px_per_day

    def date_at(self, x: float) -> datetime.date:
        day = _clamp(math.floor(self.day_at(x)), _FIRST_ORDINAL, _LAST_ORDINAL)
        return datetime.date.fromordinal(int(day))

    def zoomed(self, factor: float, about_x: float) -> tuple[TimeScale, float]:
        """The scale ``factor`` times closer, and where the day that was at ``about_x`` is now;
        a view scrolls by the difference so that day stays under the pointer."""
        day = self.day_at(about_x)
        scale = TimeScale(
            self.origin, _clamp(self.px_per_day * factor, MIN_PX_PER_DAY, MAX_PX_PER_DAY)
        )
        return scale, scale.x_of_day(day)

    @classmethod
    def fitting(cls, first_day: float, last_day: float, width: float) -> TimeScale:
        span = max(last_day - first_day, 1.0)
        return cls(first_day, _clamp(width / span, MIN_PX_PER_DAY, MAX_PX_PER_DAY))


_FIRST_ORDINAL = datetime.date(MIN_YEAR, 1, 1).toordinal()
_LAST_ORDINAL = datetime.date(MAX_YEAR, 12, 31).toordinal()


def _year_start(year: int) -> int:
    return datetime.date(year, 1, 1).toordinal()


def _month_start(year: int, month: int) -> int:
    return datetime.date(year, month, 1).toordinal()


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


# -- placing events on the calendar -----------------------------------------------------------


def _days(placed: Range) -> tuple[float, float]:
    return float(placed[0].toordinal()), float(placed[1].toordinal() + 1)


def seeks_help(event: TimelineEvent) -> bool:
    """A moment of asking for help: marked on the picture so it stands out."""
    return event.life_area is LifeArea.HELP_SEEKING or event.help is not None


def is_private(event: TimelineEvent) -> bool:
    return event.visibility is Visibility.PRIVATE


@dataclass(frozen=True, slots=True)
class PlacedEvent:
    """An event's place in time, whatever the zoom: ``first``–``last`` are the earliest and
    latest days it covers (fuzzy edges included); a period also has the spans of its start and
    end. ``row_*`` is its row among overlapping periods of the same feeling / life area."""

    event: TimelineEvent
    first: float
    last: float
    start_span: tuple[float, float]
    end_span: tuple[float, float] | None
    card_width: float
    row_by_valence: int = 0
    row_by_area: int = 0
    # Read for every event on every zoom step, so worked out once here.
    uuid: str = field(init=False)
    # Where in first–last it most likely was: the middle, but just after (or before) the
    # moment an "after" (or "before") date is tied to.
    lean: float = field(init=False)
    middle: float = field(init=False)
    valence_band: int = field(init=False)
    area_band: int = field(init=False)
    seeks_help: bool = field(init=False)
    private: bool = field(init=False)

    def __post_init__(self) -> None:
        event = self.event
        object.__setattr__(self, "uuid", event.uuid)
        lean = 0.5
        kind = event.starts.kind if event.starts is not None else None
        if self.end_span is None and kind is DateKind.AFTER:
            lean = 0.15
        elif self.end_span is None and kind is DateKind.BEFORE:
            lean = 0.85
        object.__setattr__(self, "lean", lean)
        object.__setattr__(self, "middle", self.first + (self.last - self.first) * lean)
        object.__setattr__(self, "valence_band", _band_of_valence(event.valence))
        object.__setattr__(self, "area_band", LIFE_AREAS.index(event.life_area))
        object.__setattr__(self, "seeks_help", seeks_help(event))
        object.__setattr__(self, "private", is_private(event))

    @property
    def is_period(self) -> bool:
        return self.end_span is not None

    @property
    def valence(self) -> int | None:
        """How it felt, or None: not said."""
        return self.event.valence

    @property
    def feeling_said(self) -> bool:
        return self.event.valence is not None

    @property
    def life_area(self) -> LifeArea:
        return self.event.life_area

    @property
    def movable_in_time(self) -> bool:
        return movable_in_time(self.event)


def _band_of_valence(valence: int | None) -> int:
    """The Lifeline band a feeling sits in; one not said sits on the "in between" line (with
    its own mark, and no point on the curve)."""
    return VALENCES.index(0 if valence is None else max(-3, min(3, valence)))


def movable_in_time(event: TimelineEvent) -> bool:
    """Dates tied to another event ("after I moved") move with that event, not by dragging."""
    tied = (DateKind.BEFORE, DateKind.AFTER)
    if event.starts is None:
        return False
    return event.starts.kind not in tied and (event.ends is None or event.ends.kind not in tied)


TIED_EXPLANATION = (
    "This moment is tied to another one (“{when}”), so it moves when that one moves. "
    "Drag up or down to change {what}; type a date in the panel to set it free."
)


class TimeIndex:
    """The placed events by time: which of them touch a stretch of days, found without looking
    at the rest. Events are kept in groups of like length (a day, a month, a year, a decade…),
    each sorted by its first day, so a stretch is a binary search in each group."""

    def __init__(self, placed: Sequence[PlacedEvent]) -> None:
        groups: dict[int, list[tuple[float, float, int]]] = {}
        for order, p in enumerate(placed):
            length = p.last - p.first
            level = math.ceil(math.log2(length)) if length > 1 else 0
            groups.setdefault(level, []).append((p.first, p.last, order))
        self._groups: list[tuple[float, list[float], list[float], list[int]]] = []
        for members in groups.values():
            members.sort()
            longest = max(last - first for first, last, _ in members)
            firsts, lasts, orders = (list(column) for column in zip(*members, strict=True))
            self._groups.append((longest, firsts, lasts, orders))
        self.order_of = {p.uuid: order for order, p in enumerate(placed)}
        self.everything = tuple(range(len(placed)))

    def touching(self, first_day: float, last_day: float) -> list[int]:
        """The places in time order of the events whose days overlap ``first_day``–``last_day``."""
        found: list[int] = []
        for longest, firsts, lasts, orders in self._groups:
            start = bisect.bisect_left(firsts, first_day - longest)
            end = bisect.bisect_right(firsts, last_day)
            found.extend([orders[i] for i in range(start, end) if lasts[i] >= first_day])
        found.sort()
        return found


KEPT_LAYOUTS = 32  # the pictures kept per placement: a few dozen zoom levels and windows


@dataclass(frozen=True)
class PlacedTimeline:
    """A storyteller's events placed on the calendar, in time order, and those not yet placed."""

    placed: tuple[PlacedEvent, ...]
    unplaced: tuple[TimelineEvent, ...]
    birth_year: int | None
    by_uuid: Mapping[str, PlacedEvent] = field(default_factory=dict)
    span: tuple[float, float] | None = field(init=False)
    # Made on first use and kept while the placement lasts (a change of the story places the
    # events again, and starts afresh): the index by time, and the last pictures laid out.
    _index: list[TimeIndex] = field(default_factory=list, init=False, compare=False, repr=False)
    _kept: dict[tuple[object, ...], TimelineLayout] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _parts: dict[LayoutMode, tuple[dict[int, Part], list[PlacedEvent]]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _where: dict[LayoutMode, list[tuple[int, int]]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        span = None
        if self.placed:
            span = (min(p.first for p in self.placed), max(p.last for p in self.placed))
        object.__setattr__(self, "span", span)

    @property
    def index(self) -> TimeIndex:
        if not self._index:
            self._index.append(TimeIndex(self.placed))
        return self._index[0]

    def extent(self, today: datetime.date) -> tuple[float, float]:
        """First and last day the picture shows: every event, the birth year and today, with a
        little room either side."""
        days = [float(today.toordinal())]
        if self.birth_year is not None:
            days.append(float(_year_start(self.birth_year)))
        if self.span is not None:
            days.extend(self.span)
        first, last = min(days), max(days)
        room = max((last - first) * 0.04, 120.0)
        return first - room, last + room

    def index_of(self, uuid: str) -> int | None:
        return self.index.order_of.get(uuid)

    def parts(self, mode: LayoutMode) -> tuple[dict[int, Part], list[PlacedEvent]]:
        """Each band's moments (as a ``BandRun``, whole) and the periods, of every event."""
        if mode not in self._parts:
            self._parts[mode] = _parts(self.placed, mode is LayoutMode.LIFELINE)
        return self._parts[mode]

    def where(self, mode: LayoutMode) -> list[tuple[int, int]]:
        """For each event in time order, its band and its place in the band's run (a band of
        -1 for a period)."""
        if mode not in self._where:
            where = [(-1, 0)] * len(self.placed)
            order_of = self.index.order_of
            for band, (run, _lo, _hi) in self.parts(mode)[0].items():
                for position, p in enumerate(run.events):
                    where[order_of[p.uuid]] = (band, position)
            self._where[mode] = where
        return self._where[mode]


def place_events(
    events: Iterable[TimelineEvent],
    *,
    birth_year: int | None,
    resolve: Resolve | None = None,
    card_width: Callable[[TimelineEvent], float] | None = None,
    sizes: Sizes = SIZES,
) -> PlacedTimeline:
    """Put every event on the calendar (``resolve`` places the events a before/after names,
    e.g. ``EventPlacer.resolve``); those that can't be placed are listed apart. A card is
    never wider than ``sizes.max_card_px``."""
    width = card_width or (lambda e: estimate_text_width(e.title) + 24)
    placed: list[PlacedEvent] = []
    unplaced: list[TimelineEvent] = []
    for event in events:
        start = None if event.starts is None else event.starts.date_range(birth_year, resolve)
        if start is None:
            unplaced.append(event)
            continue
        start_span = _days(start)
        end_span: tuple[float, float] | None = None
        if event.ends is not None:
            end = event.ends.date_range(birth_year, resolve)
            if end is not None and end[1] >= start[0]:
                end_span = _days(end)
        first = start_span[0]
        last = max(start_span[1], end_span[1]) if end_span else start_span[1]
        card = min(width(event), sizes.max_card_px)
        placed.append(PlacedEvent(event, first, last, start_span, end_span, card))
    placed.sort(key=lambda p: (p.middle, p.last - p.first))
    placed = _pack_periods(placed)
    return PlacedTimeline(tuple(placed), tuple(unplaced), birth_year, {p.uuid: p for p in placed})


def _pack_periods(placed: list[PlacedEvent]) -> list[PlacedEvent]:
    """Give each period the first row free of overlaps among periods of the same feeling, and
    of the same life area; by days, so rows don't change as the zoom does."""
    periods = sorted((p for p in placed if p.is_period), key=lambda p: (p.first, -p.last))
    by_valence: dict[int, list[float]] = {}  # by band: "not said" shares "in between"'s
    by_area: dict[LifeArea, list[float]] = {}
    rows: dict[str, tuple[int, int]] = {}
    for period in periods:
        rows[period.uuid] = (
            _first_free(by_valence.setdefault(period.valence_band, []), period),
            _first_free(by_area.setdefault(period.life_area, []), period),
        )
    if not rows:
        return placed
    result = []
    for p in placed:
        if p.uuid in rows:
            valence_row, area_row = rows[p.uuid]
            p = PlacedEvent(
                p.event, p.first, p.last, p.start_span, p.end_span, p.card_width,
                valence_row, area_row,
            )  # fmt: skip
        result.append(p)
    return result


def _first_free(row_ends: list[float], period: PlacedEvent) -> int:
    for row, end in enumerate(row_ends):
        if end <= period.first:
            row_ends[row] = period.last
            return row
    row_ends.append(period.last)
    return len(row_ends) - 1


# -- the vertical bands: feelings (Lifeline) or life areas (Lanes) ----------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """One horizontal band: a feeling in the Lifeline, a life area in Lanes. Cards sit in its
    top part, marks and the first row of period bars on ``line_y``, overlapping periods in rows
    below."""

    index: int
    valence: int | None
    area: LifeArea | None
    top: float
    height: float
    rows: int
    sizes: Sizes = SIZES

    @property
    def line_y(self) -> float:
        return self.top + self.sizes.line_offset

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def bar_top(self, row: int) -> float:
        """Periods sit on the line, like the marks; overlapping ones in rows below it."""
        sizes = self.sizes
        return self.line_y - sizes.bar_height / 2 + row * sizes.row


def _rows_room(height: float, sizes: Sizes) -> int:
    return 1 + max(0, int((height - sizes.min_band) // sizes.row))


@dataclass(frozen=True)
class Bands:
    mode: LayoutMode
    bands: tuple[Band, ...]

    @property
    def height(self) -> float:
        return self.bands[-1].bottom if self.bands else 0.0

    def index_at(self, y: float) -> int:
        tops = [b.top for b in self.bands]
        return max(0, min(len(self.bands) - 1, bisect.bisect_right(tops, y) - 1))

    def band_of(self, placed: PlacedEvent) -> Band:
        if self.mode is LayoutMode.LIFELINE:
            return self.bands[placed.valence_band]
        return self.bands[placed.area_band]

    def valence_at(self, y: float) -> int:
        """The feeling whose band ``y`` falls in (Lifeline)."""
        return VALENCES[self.index_at(y)] if self.mode is LayoutMode.LIFELINE else 0

    def area_at(self, y: float) -> LifeArea:
        """The life area whose lane ``y`` falls in (Lanes)."""
        return LIFE_AREAS[self.index_at(y)] if self.mode is LayoutMode.LANES else LifeArea.OTHER

    def line_of_valence(self, valence: int | None) -> float:
        return self.bands[_band_of_valence(valence)].line_y


def bands_for(
    mode: LayoutMode,
    height: float,
    placed: PlacedTimeline | None = None,
    sizes: Sizes = SIZES,
) -> Bands:
    """Bands filling ``height`` (when they can: each keeps room for a card, a mark and a bar).
    Lifeline bands are equal, so the curve's ups and downs keep their proportions; a lane is as
    tall as its periods need, an empty one thin, and spare height is shared out."""
    top_margin = sizes.top_margin
    available = max(height - top_margin - sizes.band_pad, 0.0)
    if mode is LayoutMode.LIFELINE:
        band_h = max(sizes.min_band, available / len(VALENCES))
        rows = _rows_room(band_h, sizes)
        return Bands(
            mode,
            tuple(
                Band(i, v, None, top_margin + i * band_h, band_h, rows, sizes)
                for i, v in enumerate(VALENCES)
            ),
        )
    used: dict[LifeArea, int] = {}
    rows_needed: dict[LifeArea, int] = {}
    for p in placed.placed if placed else ():
        used[p.life_area] = used.get(p.life_area, 0) + 1
        if p.is_period:
            rows_needed[p.life_area] = max(rows_needed.get(p.life_area, 0), p.row_by_area + 1)
    heights: list[float] = []
    row_counts: list[int] = []
    for area in LIFE_AREAS:
        rows = min(MAX_LANE_ROWS, rows_needed.get(area, 0))
        row_counts.append(max(rows, 1))
        if area not in used:
            heights.append(sizes.empty_lane)
        else:
            heights.append(sizes.min_band + max(rows - 1, 0) * sizes.row)
    spare = available - sum(heights)
    if spare > 0:
        heights = [h + spare / len(heights) for h in heights]
    elif spare < 0 and available >= sum(heights) * SQUEEZE:
        # A little short of room: lanes a few pixels thinner beat a scroll bar.
        heights = [h * available / sum(heights) for h in heights]
    bands: list[Band] = []
    top = top_margin
    for i, (area, h) in enumerate(zip(LIFE_AREAS, heights, strict=True)):
        rows = max(row_counts[i], min(_rows_room(h, sizes), MAX_LANE_ROWS))
        bands.append(Band(i, None, area, top, h, rows, sizes))
        top += h
    return Bands(mode, tuple(bands))


# -- the layout at one zoom -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def intersects(self, other: Rect) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


@dataclass(frozen=True, slots=True)
class EventMark:
    """A moment drawn on its own: a soft fade across ``x0``–``x1`` (or a dot when that is
    narrower than a dot), its mark at ``x, y``, and its card when there is room for one."""

    placed: PlacedEvent
    band: int
    x0: float
    x1: float
    x: float
    y: float
    card: Rect | None
    dot: float = DOT  # how wide its dot is drawn

    @property
    def uuid(self) -> str:
        return self.placed.uuid

    @property
    def feeling_said(self) -> bool:
        """False for a moment whose feeling nobody has said: drawn with its own neutral mark,
        and no point of the lifeline."""
        return self.placed.feeling_said

    @property
    def fuzzy(self) -> bool:
        return self.x1 - self.x0 > self.dot


@dataclass(frozen=True, slots=True)
class PeriodBar:
    """A period: a rounded bar, solid between its start's latest and its end's earliest day and
    fading out across the fuzzy ends (``x0``–``solid_x0`` and ``solid_x1``–``x1``)."""

    placed: PlacedEvent
    band: int
    row: int
    x0: float
    solid_x0: float
    solid_x1: float
    x1: float
    y: float
    height: float
    card: Rect | None = None  # when the bar is too short to hold its own title

    @property
    def uuid(self) -> str:
        return self.placed.uuid

    @property
    def x(self) -> float:
        return (self.solid_x0 + self.solid_x1) / 2

    @property
    def line_y(self) -> float:
        return self.y + self.height / 2


def cluster_radius(count: int) -> float:
    """A cluster's disc grows with the digits of its count."""
    return 8.5 + 2.5 * len(str(count))


@dataclass(frozen=True, slots=True)
class Cluster:
    """Moments close together at this zoom, drawn as one mark with their count."""

    key: str
    band: int
    members: tuple[str, ...]
    x: float
    y: float
    x0: float
    x1: float
    mean_valence: float | None  # of the members whose feeling was said; None if none was
    seeks_help: bool
    private: int  # how many of them are private

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class Strip:
    """Periods of one band beyond the rows it has room for, merged into shaded stretches:
    ``spans`` are ``(x0, x1, how many)``."""

    band: int
    y: float
    spans: tuple[tuple[float, float, int], ...]
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CurveSegment:
    """One cubic Bézier piece of the lifeline: from ``p0`` through controls ``c1``, ``c2`` to
    ``p1``."""

    p0: tuple[float, float]
    c1: tuple[float, float]
    c2: tuple[float, float]
    p1: tuple[float, float]


@dataclass(frozen=True)
class TimelineLayout:
    mode: LayoutMode
    scale: TimeScale
    bands: Bands
    width: float
    height: float
    marks: tuple[EventMark, ...]
    periods: tuple[PeriodBar, ...]
    clusters: tuple[Cluster, ...]
    strips: tuple[Strip, ...]
    curve: tuple[CurveSegment, ...]
    today_x: float
    placed: PlacedTimeline
    sizes: Sizes = SIZES
    _where: dict[str, EventMark | PeriodBar | Cluster | Strip] = field(
        default_factory=dict, repr=False
    )

    def _index(self) -> None:
        where = self._where
        for cluster in self.clusters:
            for uuid in cluster.members:
                where[uuid] = cluster
        for strip in self.strips:
            for uuid in strip.members:
                where[uuid] = strip
        for mark in self.marks:
            where[mark.uuid] = mark
        for bar in self.periods:
            where[bar.uuid] = bar

    def drawn_as(self, uuid: str) -> EventMark | PeriodBar | Cluster | Strip | None:
        """How an event is drawn at this zoom: on its own, in a cluster, or in a strip."""
        if not self._where and self.placed.placed:
            self._index()  # on first asking: most layouts are drawn and replaced unasked
        return self._where.get(uuid)

    def anchor_of(self, uuid: str) -> tuple[float, float] | None:
        """Where an event is (or would be) on the picture: its mark, or its bar's middle."""
        placed = self.placed.by_uuid.get(uuid)
        if placed is None:
            return None
        band = self.bands.band_of(placed)
        drawn = self.drawn_as(uuid)
        if isinstance(drawn, PeriodBar):
            return drawn.x, drawn.line_y
        return self.scale.x_of_day(placed.middle), band.line_y


def lay_out(
    placed: PlacedTimeline,
    *,
    mode: LayoutMode,
    scale: TimeScale,
    view_width: float,
    view_height: float,
    today: datetime.date,
    keep_apart: frozenset[str] = frozenset(),
    window: tuple[float, float] | None = None,
    sizes: Sizes = SIZES,
) -> TimelineLayout:
    """The picture at one zoom. Events in ``keep_apart`` (the selected one) are never hidden
    in a cluster. With a ``window`` (scene x from, to) only what falls in it is laid out: the
    view asks for a few screens' width around what it shows, and the index by time finds those
    events, so a zoom step costs what they cost, not the whole story. ``sizes`` are those of
    the cards, bars and bands (and of the words on them): larger in storyteller mode.

    A picture is kept for each of the last ``KEPT_LAYOUTS`` zooms and sets of events laid
    out: zooming back to a level seen before, or scrolling while every event is in the
    window, lays nothing out again."""
    chosen = _in_window(placed, scale, window, keep_apart, sizes)
    key = (mode, scale, view_width, view_height, today, keep_apart, sizes, chosen)
    kept = placed._kept
    layout = kept.pop(key, None)
    if layout is None:
        layout = _lay_out(
            placed, chosen, mode, scale, view_width, view_height, today, keep_apart, sizes
        )
        if len(kept) >= KEPT_LAYOUTS:
            del kept[next(iter(kept))]  # the one used longest ago
    kept[key] = layout
    return layout


def _in_window(
    placed: PlacedTimeline,
    scale: TimeScale,
    window: tuple[float, float] | None,
    keep_apart: frozenset[str],
    sizes: Sizes,
) -> tuple[int, ...]:
    """The places in time order of the events laid out: those whose days reach into the window
    (with room for a card or a cluster that reaches in from just outside it), and those kept
    apart, wherever they are."""
    if window is None:
        return placed.index.everything
    ppd, origin = scale.px_per_day, scale.origin
    low = window[0] - sizes.max_card_px - sizes.cluster_px
    high = window[1] + sizes.max_card_px + sizes.cluster_px
    span = placed.span
    if span is not None and (span[0] - origin) * ppd >= low and (span[1] - origin) * ppd <= high:
        return placed.index.everything  # the whole story is in the window (zoomed far out)
    # A day's slack either side of the index's search; the test in pixels decides.
    found = placed.index.touching(origin + low / ppd - 1.0, origin + high / ppd + 1.0)
    events = placed.placed
    chosen = [
        order
        for order in found
        if not (
            (events[order].last - origin) * ppd < low or (events[order].first - origin) * ppd > high
        )
    ]
    if keep_apart:
        order_of = placed.index.order_of
        extra = {order_of[uuid] for uuid in keep_apart if uuid in order_of}
        chosen = sorted(extra.union(chosen))
    return tuple(chosen)


def _parts(
    events: Iterable[PlacedEvent], lifeline: bool
) -> tuple[dict[int, Part], list[PlacedEvent]]:
    """Events in time order split into each band's moments, and the periods."""
    points: dict[int, list[PlacedEvent]] = {}
    spans: list[PlacedEvent] = []
    for p in events:
        if p.end_span is None:
            points.setdefault(p.valence_band if lifeline else p.area_band, []).append(p)
        else:
            spans.append(p)
    return {band: (BandRun(m), 0, len(m)) for band, m in points.items()}, spans


def _parts_in_window(
    placed: PlacedTimeline, chosen: Sequence[int], mode: LayoutMode
) -> tuple[dict[int, Part], list[PlacedEvent]]:
    """Like ``_parts`` for some of the events: a band's moments in the window are most often
    one stretch of the band's whole run, which is then used as it is."""
    runs, _spans = placed.parts(mode)
    where = placed.where(mode)
    events = placed.placed
    by_band: dict[int, list[int]] = {}
    spans: list[PlacedEvent] = []
    for order in chosen:
        band, position = where[order]
        if band < 0:
            spans.append(events[order])
        else:
            by_band.setdefault(band, []).append(position)
    parts: dict[int, Part] = {}
    for band, positions in by_band.items():
        run = runs[band][0]
        lo, hi = positions[0], positions[-1] + 1
        if hi - lo == len(positions):
            parts[band] = (run, lo, hi)
        else:  # moments far off whose fuzzy dates reach into the window, and gaps
            stretches = _stretches(positions)
            parts[band] = (run.taken(stretches), 0, len(positions))
    return parts, spans


def _stretches(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Ascending positions as stretches (from, to) of consecutive ones."""
    stretches: list[tuple[int, int]] = []
    start = previous = positions[0]
    for position in positions[1:]:
        if position != previous + 1:
            stretches.append((start, previous + 1))
            start = position
        previous = position
    stretches.append((start, previous + 1))
    return stretches


def _lay_out(
    placed: PlacedTimeline,
    chosen: Sequence[int],
    mode: LayoutMode,
    scale: TimeScale,
    view_width: float,
    view_height: float,
    today: datetime.date,
    keep_apart: frozenset[str],
    sizes: Sizes,
) -> TimelineLayout:
    bands = bands_for(mode, view_height, placed, sizes)
    _first, last = placed.extent(today)
    width = max(view_width, scale.x_of_day(last))
    lifeline = mode is LayoutMode.LIFELINE
    if len(chosen) == len(placed.placed):
        runs, spans = placed.parts(mode)  # every event: the parts kept since placing
    else:
        runs, spans = _parts_in_window(placed, chosen, mode)
    periods: list[PeriodBar] = []
    overflow: dict[int, list[tuple[float, float, str]]] = {}
    ppd = scale.px_per_day
    origin = scale.origin
    min_bar_px, bar_height = sizes.min_bar_px, sizes.bar_height
    all_bands = bands.bands
    for p in spans:
        band = all_bands[p.valence_band if lifeline else p.area_band]
        row = p.row_by_valence if lifeline else p.row_by_area
        x0 = (p.first - origin) * ppd
        x1 = max((p.last - origin) * ppd, x0 + min_bar_px)
        if row >= band.rows and p.uuid not in keep_apart:
            overflow.setdefault(band.index, []).append((x0, x1, p.uuid))
            continue
        solid_x0 = (p.start_span[1] - origin) * ppd
        solid_x1 = (p.end_span[0] - origin) * ppd  # type: ignore[index]
        if solid_x1 < solid_x0:  # the start and end spans overlap: no solid middle
            solid_x0 = solid_x1 = (x0 + x1) / 2
        bar_row = min(row, band.rows - 1)
        periods.append(
            PeriodBar(
                p, band.index, bar_row, x0, max(x0, solid_x0), min(x1, solid_x1), x1,
                band.bar_top(bar_row), bar_height,
            )
        )  # fmt: skip
    marks: list[EventMark] = []
    clusters: list[Cluster] = []
    for band_index, part in runs.items():
        _gather(part, all_bands[band_index], scale, keep_apart, marks, clusters)
    marks, periods = _place_cards(marks, periods, clusters, keep_apart, width, sizes)
    strips = [_strip(bands.bands[i], bars) for i, bars in sorted(overflow.items())]
    curve = _lifeline_curve(marks, clusters, bands) if lifeline else []
    return TimelineLayout(
        mode=mode,
        scale=scale,
        bands=bands,
        width=width,
        height=bands.height + sizes.band_pad,
        marks=tuple(marks),
        periods=tuple(periods),
        clusters=tuple(clusters),
        strips=tuple(strips),
        curve=tuple(curve),
        today_x=scale.x_of_day(today.toordinal() + 0.5),
        placed=placed,
        sizes=sizes,
    )


_COLUMNS = ("events", "middles", "firsts", "lasts", "said", "valence", "helps", "private")


class BandRun:
    """The moments (not periods) of one band in time order, with what clustering reads of
    them laid out in columns, and running totals of the counts, so that a cluster's count,
    feeling, help and privacy are a subtraction, not a walk through its members. Kept with the
    placement for the whole band; the moments in a window are taken from it as stretches
    (``taken``), a copy of slices rather than a walk through each moment."""

    __slots__ = (*_COLUMNS, "totals")

    def __init__(self, events: Sequence[PlacedEvent]) -> None:
        self.events = list(events)
        self.middles = [p.middle for p in events]
        self.firsts = [p.first for p in events]
        self.lasts = [p.last for p in events]
        feelings = [p.event.valence for p in events]
        self.said = [int(v is not None) for v in feelings]
        self.valence = [v or 0 for v in feelings]
        self.helps = [int(p.seeks_help) for p in events]
        self.private = [int(p.private) for p in events]
        self._total()

    def _total(self) -> None:
        # Running totals of the counts (one more than the moments: the first is nought).
        self.totals = tuple(
            list(itertools.accumulate(column, initial=0))
            for column in (self.said, self.valence, self.helps, self.private)
        )

    def taken(self, stretches: Sequence[tuple[int, int]]) -> BandRun:
        """The moments of these stretches (from, to) of the run, as a run of their own."""
        run = BandRun.__new__(BandRun)
        for name in _COLUMNS:
            column = getattr(self, name)
            kept: list[object] = []
            for a, b in stretches:
                kept += column[a:b]
            setattr(run, name, kept)
        run._total()
        return run


Part = tuple[BandRun, int, int]  # a band's moments: its run, from, to


def _runs(run: BandRun, lo: int, hi: int, column: float, ppd: float, origin: float) -> list[int]:
    """Where each group of marks starts (and, last, where the run ends). Marks gather by
    columns ``column`` wide, fixed to the scene so that a cluster stays the same as the view
    pans; a column's group joins the one before when their middles are closer than half a
    column, so two marks astride a column's edge are one cluster, not two overlapping dots."""
    reach = column * 1.5  # no cluster spans more than this
    half = column / 2
    starts: list[int] = []
    count = 0
    cell = first_x = total = 0.0
    for i, day in enumerate(run.middles[lo:hi], lo):
        x = (day - origin) * ppd
        here = x // column
        if count and x - first_x <= reach and (here == cell or x - total / count < half):
            total += x
            count += 1
            continue
        starts.append(i)
        cell, first_x, total, count = here, x, x, 1
    starts.append(hi)
    return starts


def _gather(
    part: tuple[BandRun, int, int],
    band: Band,
    scale: TimeScale,
    keep_apart: frozenset[str],
    marks: list[EventMark],
    clusters: list[Cluster],
) -> None:
    """The band's moments ``part`` (a run, from, to) as marks on their own or clusters (see
    ``_runs``); one kept apart (the chosen moment) is always a mark of its own."""
    run, lo, hi = part
    ppd, origin = scale.px_per_day, scale.origin
    dot = band.sizes.dot
    y = band.line_y
    index = band.index
    events = run.events
    starts = _runs(run, lo, hi, band.sizes.cluster_px, ppd, origin)
    for a, b in itertools.pairwise(starts):
        alone = [p for p in events[a:b] if p.uuid in keep_apart] if keep_apart else []
        if b - a - len(alone) == 1:
            alone = list(events[a:b])
        for p in alone:
            x0, x1 = (p.first - origin) * ppd, (p.last - origin) * ppd
            marks.append(EventMark(p, index, x0, x1, (p.middle - origin) * ppd, y, None, dot))
        if len(alone) == b - a:
            continue
        if alone:
            clusters.append(
                _cluster_of(
                    BandRun([p for p in events[a:b] if p not in alone]), 0, None, index, y, scale
                )
            )
        else:
            clusters.append(_cluster_of(run, a, b, index, y, scale))


def _cluster_of(
    run: BandRun, a: int, b: int | None, band: int, y: float, scale: TimeScale
) -> Cluster:
    """The cluster of the run's moments ``a`` to ``b`` (to its end, when None)."""
    b = len(run.events) if b is None else b
    ppd, origin = scale.px_per_day, scale.origin
    count = b - a
    said, valence, helps, private = ((t[b] - t[a]) for t in run.totals)
    members = run.events[a:b]
    return Cluster(
        key=f"{band}:{members[0].uuid}",
        band=band,
        members=tuple([p.uuid for p in members]),
        x=(sum(run.middles[a:b]) / count - origin) * ppd,
        y=y,
        x0=(min(run.firsts[a:b]) - origin) * ppd,
        x1=(max(run.lasts[a:b]) - origin) * ppd,
        mean_valence=valence / said if said else None,
        seeks_help=helps > 0,
        private=private,
    )


def _place_cards(
    marks: list[EventMark],
    bars: list[PeriodBar],
    clusters: list[Cluster],
    keep_apart: frozenset[str],
    width: float,
    sizes: Sizes = SIZES,
) -> tuple[list[EventMark], list[PeriodBar]]:
    """Give cards to as many moments as fit without overlapping each other or a cluster: the
    chosen one first, then those that seek help, then the strongest feelings; the rest show
    their mark only. A period too short to hold its title gets a card as a moment does."""
    taken: dict[int, list[tuple[float, float]]] = {}
    candidates: list[tuple[tuple[int, int, int, float, int], EventMark | PeriodBar]] = []
    drawn: list[EventMark | PeriodBar] = [*marks, *bars]
    for order, item in enumerate(drawn):
        p = item.placed
        if isinstance(item, PeriodBar) and (
            item.row > 0 or item.x1 - item.x0 >= p.card_width + sizes.bar_text_pad
        ):
            continue
        rank = (
            0 if p.uuid in keep_apart else 1,
            0 if p.seeks_help else 1,
            -abs(p.valence or 0),
            item.x,
            order,
        )
        candidates.append((rank, item))
    candidates.sort(key=lambda c: c[0])
    cards: dict[str, Rect] = {}
    spacing, card_height = sizes.card_spacing, sizes.card_height
    lift = sizes.dot / 2 + sizes.card_gap + card_height  # from a mark's middle to its card's top
    clusters_seen = False
    for rank, item in candidates:
        if rank[0] and not clusters_seen:
            # After the chosen moment's card, clusters' discs are in the way of any other.
            clusters_seen = True
            for cluster in clusters:
                r = sizes.cluster_radius(cluster.count) + 2 * sizes.factor
                bisect.insort(taken.setdefault(cluster.band, []), (cluster.x - r, cluster.x + r))
        card_w = item.placed.card_width
        left = _clamp(item.x - card_w / 2, 2.0, max(2.0, width - card_w - 2.0))
        right = left + card_w
        spans = taken.setdefault(item.band, [])
        at = bisect.bisect_left(spans, (left, right))
        clear_before = at == 0 or spans[at - 1][1] + spacing <= left
        clear_after = at == len(spans) or right + spacing <= spans[at][0]
        if clear_before and clear_after:
            spans.insert(at, (left, right))
            line_y = item.y if isinstance(item, EventMark) else item.line_y
            top = line_y - lift
            cards[item.uuid] = Rect(left, top, card_w, card_height)
    marks = [dataclasses.replace(m, card=cards[m.uuid]) if m.uuid in cards else m for m in marks]
    bars = [dataclasses.replace(b, card=cards[b.uuid]) if b.uuid in cards else b for b in bars]
    marks.sort(key=lambda m: m.x)
    return marks, bars


def _strip(band: Band, bars: list[tuple[float, float, str]]) -> Strip:
    """Overflowing periods ``(x0, x1, uuid)`` merged into shaded stretches."""
    bars.sort()
    spans: list[tuple[float, float, int]] = []
    for start, end, _uuid in bars:
        if spans and start <= spans[-1][1] + 2:
            x0, x1, count = spans[-1]
            spans[-1] = (x0, max(x1, end), count + 1)
        else:
            spans.append((start, end, 1))
    y = band.bar_top(band.rows - 1) + band.sizes.bar_height + 0.5
    return Strip(band.index, y, tuple(spans), tuple(uuid for _, _, uuid in bars))


def _lifeline_curve(
    marks: Sequence[EventMark], clusters: Sequence[Cluster], bands: Bands
) -> list[CurveSegment]:
    """A smooth line through the moments in time order (and through clusters, at their mean
    feeling). It is a monotone cubic (Fritsch–Carlson) written as Bézier pieces: it passes
    through every point, never runs backwards in time, and never swings higher or lower than
    the moments on either side, so it shows no high or low that nobody told. A moment whose
    feeling is not said is no point of it (nor a cluster of only such moments): the line
    neither dips nor rises for a feeling nobody gave. Points within a few pixels of each
    other are averaged, so a crowded day is one point."""
    zero = bands.line_of_valence(0)
    raw = sorted(
        [(m.x, m.y) for m in marks if m.feeling_said]
        + [
            (c.x, zero + _valence_offset(c.mean_valence, bands))
            for c in clusters
            if c.mean_valence is not None
        ]
    )
    points: list[tuple[float, float]] = []
    group: list[tuple[float, float]] = []
    for point in raw:
        if group and point[0] - group[0][0] > 4:
            points.append(_mean(group))
            group = []
        group.append(point)
    if group:
        points.append(_mean(group))
    if len(points) < 2:
        return []
    pairs = list(itertools.pairwise(points))
    gaps = [b[0] - a[0] for a, b in pairs]
    slopes = [(b[1] - a[1]) / gap for (a, b), gap in zip(pairs, gaps, strict=True)]
    tangents = [slopes[0]]
    for i in range(1, len(points) - 1):
        before, after = slopes[i - 1], slopes[i]
        if before * after <= 0:
            tangents.append(0.0)  # a peak or a dip: flat there, so it goes no further
        else:
            w1, w2 = 2 * gaps[i] + gaps[i - 1], gaps[i] + 2 * gaps[i - 1]
            tangents.append((w1 + w2) / (w1 / before + w2 / after))
    tangents.append(slopes[-1])
    segments: list[CurveSegment] = []
    for i, gap in enumerate(gaps):
        p0, p1 = points[i], points[i + 1]
        third = gap / 3
        c1 = (p0[0] + third, p0[1] + tangents[i] * third)
        c2 = (p1[0] - third, p1[1] - tangents[i + 1] * third)
        segments.append(CurveSegment(p0, c1, c2, p1))
    return segments


def _valence_offset(valence: float, bands: Bands) -> float:
    """The y offset of a (possibly fractional) feeling from the 'in between' line."""
    step = bands.line_of_valence(-1) - bands.line_of_valence(0)
    return -valence * step


def _mean(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


# -- changing dates by dragging and by keyboard -----------------------------------------------

_SEASONS: tuple[Season, ...] = (Season.SPRING, Season.SUMMER, Season.AUTUMN, Season.WINTER)
_UNIT_DAYS: dict[DateKind, float] = {
    DateKind.DAY: 1.0,
    DateKind.MONTH: DAYS_PER_MONTH,
    DateKind.SEASON: DAYS_PER_SEASON,
    DateKind.YEAR: DAYS_PER_YEAR,
    DateKind.AROUND_YEAR: DAYS_PER_YEAR,
    DateKind.DECADE: DAYS_PER_YEAR * 10,
    DateKind.AGE: DAYS_PER_YEAR,
    DateKind.AGE_RANGE: DAYS_PER_YEAR,
}


def shift_date(date: FuzzyDate, steps: int) -> FuzzyDate:
    """The same kind of date ``steps`` of its own precision later (earlier when negative):
    days, months, seasons, years, decades or whole years of age. Kept within the years and ages
    a date can hold; a date tied to another event stays as it is."""
    if steps == 0:
        return date
    match date.kind:
        case DateKind.DAY:
            first, last = _year_start(MIN_YEAR), _year_start(MAX_YEAR + 1) - 1
            year, month, day = _need(date.year), _need(date.month), _need(date.day)
            ordinal = datetime.date(year, month, day).toordinal() + steps
            moved = datetime.date.fromordinal(int(_clamp(ordinal, first, last)))
            return FuzzyDate.on_day(moved.year, moved.month, moved.day)
        case DateKind.MONTH:
            index = _need(date.year) * 12 + _need(date.month) - 1 + steps
            index = int(_clamp(index, MIN_YEAR * 12, MAX_YEAR * 12 + 11))
            return FuzzyDate.in_month(index // 12, index % 12 + 1)
        case DateKind.SEASON:
            index = _need(date.year) * 4 + _SEASONS.index(_need(date.season)) + steps
            index = int(_clamp(index, MIN_YEAR * 4, MAX_YEAR * 4 + 3))
            return FuzzyDate.in_season(index // 4, _SEASONS[index % 4])
        case DateKind.YEAR:
            return FuzzyDate.in_year(int(_clamp(_need(date.year) + steps, MIN_YEAR, MAX_YEAR)))
        case DateKind.AROUND_YEAR:
            year = int(_clamp(_need(date.year) + steps, MIN_YEAR, MAX_YEAR))
            return FuzzyDate.around_year(year)
        case DateKind.DECADE:
            decade = _clamp(_need(date.year) + 10 * steps, MIN_YEAR, MAX_YEAR // 10 * 10)
            return FuzzyDate.in_decade(int(decade))
        case DateKind.AGE:
            age = int(_clamp(_need(date.age_from) + steps, 0, MAX_AGE))
            return FuzzyDate.at_age(age, approximate=date.approximate)
        case DateKind.AGE_RANGE:
            age_from, age_to = _need(date.age_from), _need(date.age_to)
            shift = int(_clamp(steps, -age_from, MAX_AGE - age_to))
            return FuzzyDate.between_ages(age_from + shift, age_to + shift)
        case DateKind.BEFORE | DateKind.AFTER:
            return date


def drag_steps(kind: DateKind, days: float) -> int:
    """How many of the date's own steps a drag of ``days`` makes: to the nearest whole one."""
    unit = _UNIT_DAYS.get(kind)
    if unit is None:
        return 0
    return round(days / unit)


def moved_date(date: FuzzyDate, days: float) -> FuzzyDate:
    """A date dragged by ``days``, snapped to its precision: 1.3 years on a year is one year."""
    return shift_date(date, drag_steps(date.kind, days))


def precision_for_scale(px_per_day: float) -> DateKind:
    """How exact a date made by pointing at the picture can sensibly be at this zoom: a day
    when days are wide enough to aim at, a month when months are, otherwise a year."""
    if px_per_day >= 6:
        return DateKind.DAY
    if px_per_day * DAYS_PER_MONTH >= 36:
        return DateKind.MONTH
    return DateKind.YEAR


def snapped_date(day: float, kind: DateKind) -> FuzzyDate:
    """The day, month or year that ``day`` falls in."""
    ordinal = int(_clamp(math.floor(day), _year_start(MIN_YEAR), _year_start(MAX_YEAR + 1) - 1))
    date = datetime.date.fromordinal(ordinal)
    if kind is DateKind.DAY:
        return FuzzyDate.on_day(date.year, date.month, date.day)
    if kind is DateKind.MONTH:
        return FuzzyDate.in_month(date.year, date.month)
    return FuzzyDate.in_year(date.year)


def date_at(layout: TimelineLayout, x: float) -> FuzzyDate:
    """The date a person points at by placing something at ``x``: as exact as the zoom allows."""
    return snapped_date(layout.scale.day_at(x), precision_for_scale(layout.scale.px_per_day))


def new_event_at(
    layout: TimelineLayout, x: float, y: float
) -> tuple[FuzzyDate, int | None, LifeArea]:
    """What a double-click at ``x, y`` on empty space means: the person pointed at a date (as
    exact as the zoom allows) and, in the Lifeline, at a feeling; in Lanes at a life area, and
    no feeling (nobody said one)."""
    date = date_at(layout, x)
    bands = layout.bands
    if layout.mode is LayoutMode.LIFELINE:
        return date, bands.valence_at(y), LifeArea.OTHER
    return date, None, bands.area_at(y)


@dataclass(frozen=True, slots=True)
class DragOutcome:
    """What dropping a dragged event would change, and where its preview sits meanwhile."""

    starts: FuzzyDate | None
    ends: FuzzyDate | None
    valence: int | None
    life_area: LifeArea
    preview_dx: float
    preview_dy: float
    note: str = ""

    def changes(self, event: TimelineEvent) -> bool:
        return (
            self.starts != event.starts
            or self.ends != event.ends
            or self.valence != event.valence
            or self.life_area is not event.life_area
        )

    def describe(self, event: TimelineEvent) -> str:
        """Where it would land, in words, for the hint beside the pointer."""
        when = dataclasses.replace(event, starts=self.starts, ends=self.ends).when()
        what = describe_feeling(self.valence) if self.valence != event.valence else ""
        if self.life_area is not event.life_area:
            what = self.life_area.label
        return f"{when} · {what}" if what else when


def drag_outcome(layout: TimelineLayout, uuid: str, dx: float, dy: float) -> DragOutcome | None:
    """Turn a drag of ``dx, dy`` pixels into a new date of the same kind (snapped to its
    precision; ages by whole years) and a new feeling (Lifeline) or life area (Lanes)."""
    placed = layout.placed.by_uuid.get(uuid)
    if placed is None:
        return None
    event = placed.event
    bands = layout.bands
    band = bands.band_of(placed)
    anchor = layout.anchor_of(uuid)
    anchor_y = band.line_y if anchor is None else anchor[1]
    target = bands.bands[bands.index_at(anchor_y + dy)]
    valence, area = event.valence, event.life_area
    if layout.mode is LayoutMode.LANES:
        area = _need(target.area)
    elif target.index != band.index:
        # Only a move to another band says a feeling: a sideways drag of a moment whose
        # feeling is not said leaves it not said.
        valence = _need(target.valence)
    note = ""
    starts, ends = event.starts, event.ends
    preview_dx = 0.0
    if placed.movable_in_time and event.starts is not None:
        days = dx / layout.scale.px_per_day
        starts = moved_date(event.starts, days)
        ends = None if event.ends is None else moved_date(event.ends, days)
        preview_dx = _shift_px(placed, starts, layout)
    elif abs(dx) > 4:
        what = "the feeling" if layout.mode is LayoutMode.LIFELINE else "the life area"
        note = TIED_EXPLANATION.format(when=event.when(), what=what)
    preview_dy = target.line_y - band.line_y
    return DragOutcome(starts, ends, valence, area, preview_dx, preview_dy, note)


def _shift_px(placed: PlacedEvent, starts: FuzzyDate | None, layout: TimelineLayout) -> float:
    moved = None if starts is None else starts.date_range(layout.placed.birth_year)
    if moved is None:
        return 0.0
    first, last = _days(moved)
    old_first, old_last = placed.start_span
    return ((first + last) - (old_first + old_last)) / 2 * layout.scale.px_per_day


def _need(value: _T | None) -> _T:
    if value is None:
        raise InvalidFuzzyDate(
            "This date has details that don't fit together, so it can't be kept."
        )
    return value


# -- moving the selection by keyboard ---------------------------------------------------------


def neighbour(layout: TimelineLayout, uuid: str | None, direction: str) -> str | None:
    """The event to select next: ``left``/``right`` go to the previous/next in time; ``up``/
    ``down`` to the nearest event in a band above/below; ``home``/``end`` to the first/last."""
    placed = layout.placed.placed
    if not placed:
        return None
    if direction == "home":
        return placed[0].uuid
    if direction == "end":
        return placed[-1].uuid
    index = layout.placed.index_of(uuid) if uuid else None
    if index is None:
        return placed[0].uuid if direction in ("right", "down") else placed[-1].uuid
    if direction == "left":
        return placed[max(0, index - 1)].uuid
    if direction == "right":
        return placed[min(len(placed) - 1, index + 1)].uuid
    current = placed[index]
    band = layout.bands.band_of(current).index
    best: tuple[float, str] | None = None
    for other in placed:
        other_band = layout.bands.band_of(other).index
        if (direction == "up" and other_band >= band) or (
            direction == "down" and other_band <= band
        ):
            continue
        distance = abs(other.middle - current.middle) * layout.scale.px_per_day
        distance += abs(other_band - band) * 200
        if best is None or distance < best[0]:
            best = (distance, other.uuid)
    return uuid if best is None else best[1]


# -- the side panel's words about a date ------------------------------------------------------


def describe_range(placed: Range) -> str:
    """An earliest–latest range in plain words: "March to May 2015", "1993 to 1994"."""
    first, last = placed
    if first == last:
        return f"{first.day} {_LONG_MONTHS[first.month]} {first.year}"
    whole_years = (first.month, first.day) == (1, 1) and (last.month, last.day) == (12, 31)
    if whole_years:
        return str(first.year) if first.year == last.year else f"{first.year} to {last.year}"
    whole_months = first.day == 1 and (last + datetime.timedelta(days=1)).day == 1
    if whole_months:
        if (first.year, first.month) == (last.year, last.month):
            return f"{_LONG_MONTHS[first.month]} {first.year}"
        if first.year == last.year:
            return f"{_LONG_MONTHS[first.month]} to {_LONG_MONTHS[last.month]} {first.year}"
        return f"{_LONG_MONTHS[first.month]} {first.year} to {_LONG_MONTHS[last.month]} {last.year}"
    return (
        f"{first.day} {_LONG_MONTHS[first.month]} {first.year} to "
        f"{last.day} {_LONG_MONTHS[last.month]} {last.year}"
    )


def reading_of(
    date: FuzzyDate, birth_year: int | None, resolve: Resolve | None
) -> tuple[str, bool]:
    """What a typed date will mean on the picture, and whether it can be placed at all."""
    placed = date.date_range(birth_year, resolve)
    shown = date.display()
    if placed is None:
        if date.kind in (DateKind.AGE, DateKind.AGE_RANGE):
            why = "we don't know the year of birth yet"
        elif date.anchor_uuid is None:
            why = f"there is no moment called “{date.anchor_label}” yet"
        else:
            why = "the moment it is tied to isn't placed yet"
        return (f"We read this as “{shown}”, but {why}, so it waits in “Not yet placed”.", False)
    spread = describe_range(placed)
    if spread == shown:
        return f"We read this as {shown}.", True
    return f"We read this as “{shown}” — somewhere in {spread}.", True
