"""Placing events on the calendar, once per change of the story: each event's earliest and latest
day (never a false precise day), its row among overlapping periods, an index by time, and each
band's moments in time order. Dates tied to another event ("after I moved") are placed here too
(``EventPlacer``), following the links safely."""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from storycapture.domain.fuzzydate import (
    DateKind,
    FuzzyDate,
)
from storycapture.domain.story import TimelineEvent
from storycapture.domain.vocabulary import LifeArea, Visibility
from storycapture.timeline.layout.axis import estimate_text_width
from storycapture.timeline.layout.scale import Range, _year_start
from storycapture.timeline.layout.sizes import SIZES, LayoutMode, Sizes

if TYPE_CHECKING:
    from storycapture.timeline.layout.picture import TimelineLayout

VALENCES: tuple[int, ...] = (3, 2, 1, 0, -1, -2, -3)  # top to bottom
LIFE_AREAS: tuple[LifeArea, ...] = tuple(LifeArea)


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


class TimeIndex:
    """Placed events by time: which of them touch a stretch of days, found without looking
    at the rest. Events are kept in groups of like length (a day, a month, a year, a decade…),
    each sorted by its first day, so a stretch is a binary search in each group."""

    def __init__(self, placed: Sequence[PlacedEvent], orders: Sequence[int] | None = None) -> None:
        """``orders`` are the places the events have in a longer list (their own by default)."""
        groups: dict[int, list[tuple[float, float, int]]] = {}
        places = range(len(placed)) if orders is None else orders
        for order, p in zip(places, placed, strict=True):
            length = p.last - p.first
            level = math.ceil(math.log2(length)) if length > 1 else 0
            groups.setdefault(level, []).append((p.first, p.last, order))
        self._groups: list[tuple[float, list[float], list[float], list[int]]] = []
        for members in groups.values():
            members.sort()
            longest = max(last - first for first, last, _ in members)
            firsts, lasts, at = (list(column) for column in zip(*members, strict=True))
            self._groups.append((longest, firsts, lasts, at))

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
    placer: EventPlacer | None = field(default=None, compare=False, repr=False)
    span: tuple[float, float] | None = field(init=False)
    # Kept while the placement lasts (a change of the story places the events again, and
    # starts afresh): the last pictures ``lay_out`` made of it, the oldest first, and each
    # layout's parts of the events.
    pictures: dict[tuple[object, ...], TimelineLayout] = field(
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

    @cached_property
    def order_of(self) -> dict[str, int]:
        """Each event's place in time order."""
        return {p.uuid: order for order, p in enumerate(self.placed)}

    @cached_property
    def period_index(self) -> TimeIndex:
        """The periods by time (their places are those in time order of every event)."""
        periods = [(o, p) for o, p in enumerate(self.placed) if p.end_span is not None]
        return TimeIndex([p for _, p in periods], [o for o, _ in periods])

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

    def resolve(self, uuid: str) -> Range | None:
        """Where the event ``uuid`` is on the calendar (as a before/after date needs)."""
        return None if self.placer is None else self.placer.resolve(uuid)

    def index_of(self, uuid: str) -> int | None:
        return self.order_of.get(uuid)

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
            order_of = self.order_of
            for band, (run, _lo, _hi) in self.parts(mode)[0].items():
                for position, p in enumerate(run.events):
                    where[order_of[p.uuid]] = (band, position)
            self._where[mode] = where
        return self._where[mode]


class EventPlacer:
    """Where on the calendar a storyteller's events could have been: the one place a date
    becomes days. A date tied to another event ("after I moved") follows the link (safely:
    a missing event, or a loop of links, leaves it unplaced)."""

    def __init__(self, events: Iterable[TimelineEvent], birth_year: int | None) -> None:
        self._by_uuid = {e.uuid: e for e in events}
        self.birth_year = birth_year
        self._placing: set[str] = set()
        self._cache: dict[str, Range | None] = {}

    def resolve(self, event_uuid: str) -> Range | None:
        """The earliest and latest day of the event ``event_uuid``, or None."""
        if event_uuid in self._cache:
            return self._cache[event_uuid]
        event = self._by_uuid.get(event_uuid)
        if event is None or event_uuid in self._placing:  # missing, or a loop of links
            return None
        self._placing.add(event_uuid)
        try:
            placed = self.range_of(event)
        finally:
            self._placing.discard(event_uuid)
        self._cache[event_uuid] = placed
        return placed

    def span_of(self, date: FuzzyDate) -> Range | None:
        """A date's earliest and latest day for this storyteller, or None."""
        return date.date_range(self.birth_year, self.resolve)

    def spans(self, event: TimelineEvent) -> tuple[Range, Range | None] | None:
        """The days its start covers and (for a period) its end, or None if it cannot be
        placed. An end that would come before the start is no end."""
        start = None if event.starts is None else self.span_of(event.starts)
        if start is None:
            return None
        end = None if event.ends is None else self.span_of(event.ends)
        if end is not None and end[1] < start[0]:
            end = None
        return start, end

    def range_of(self, event: TimelineEvent) -> Range | None:
        """The earliest and latest day of the whole event (its start to its end)."""
        spans = self.spans(event)
        if spans is None:
            return None
        start, end = spans
        return start if end is None else (start[0], max(start[1], end[1]))

    def sort_key(self, event: TimelineEvent) -> tuple[Any, ...]:
        """Its place in the story's order; those not placed in time come last."""
        starts = event.starts
        if starts is None:  # not yet placed in time: last, in the order they were added
            return ((1, 0, 0), event.meta.created_hlc)
        anchor = self.resolve(starts.anchor_uuid) if starts.anchor_uuid else None
        if anchor is not None:
            # "after X" sits just after X in the story, not in the middle of its possible range.
            nudge = 1 if starts.kind is DateKind.AFTER else -1
            edge = anchor[1] if starts.kind is DateKind.AFTER else anchor[0]
            return ((0, 2 * edge.toordinal() + nudge, 0), event.meta.created_hlc)
        return (starts.sort_key(self.birth_year, self.resolve), event.meta.created_hlc)


def told_without(
    events: Sequence[TimelineEvent], hidden: Iterable[str], birth_year: int | None
) -> tuple[TimelineEvent, ...]:
    """The events but the ``hidden`` ones (their ids), in the order given, as they are told to
    someone the hidden ones stay from (a give-back copy, the team at the hub): a date tied to
    a hidden moment ("after <a private moment>") is told without naming it."""
    hidden_ids = set(hidden)
    if not hidden_ids:
        return tuple(events)
    placer = EventPlacer(events, birth_year)
    hidden_titles = {e.title.strip().casefold() for e in events if e.uuid in hidden_ids}
    shown: list[TimelineEvent] = []
    for event in events:
        if event.uuid in hidden_ids:
            continue
        starts, ends = (
            None if date is None else _told_roughly(date, hidden_ids, hidden_titles, placer)
            for date in (event.starts, event.ends)
        )
        if starts is not event.starts or ends is not event.ends:
            event = dataclasses.replace(event, starts=starts, ends=ends)
        shown.append(event)
    return tuple(shown)


def _told_roughly(
    date: FuzzyDate, hidden_ids: set[str], hidden_titles: set[str], placer: EventPlacer
) -> FuzzyDate:
    """A date tied to a moment that stays out, told without naming it: roughly when it was
    (as it was placed with that moment), or, if it could not be placed anyway, "after another
    moment"."""
    if date.kind not in (DateKind.BEFORE, DateKind.AFTER):
        return date
    linked = (
        date.anchor_uuid in hidden_ids
        if date.anchor_uuid is not None
        else (date.anchor_label or "").strip().casefold() in hidden_titles
    )
    if not linked:
        return date
    placed = placer.span_of(date)
    if placed is None:
        return FuzzyDate(date.kind, anchor_label="another moment")
    first, last = placed
    lean = 0.15 if date.kind is DateKind.AFTER else 0.85  # as the picture leans it
    likely = datetime.date.fromordinal(first.toordinal() + round((last - first).days * lean))
    return FuzzyDate.around_year(likely.year)


def place_events(
    events: Sequence[TimelineEvent],
    *,
    birth_year: int | None,
    card_width: Callable[[TimelineEvent], float] | None = None,
    sizes: Sizes = SIZES,
) -> PlacedTimeline:
    """Put every event on the calendar (an ``EventPlacer`` follows the links of before/after
    dates); those that can't be placed are listed apart. A card is never wider than
    ``sizes.max_card_px``."""
    width = card_width or (lambda e: estimate_text_width(e.title) + 24)
    placer = EventPlacer(events, birth_year)
    placed: list[PlacedEvent] = []
    unplaced: list[TimelineEvent] = []
    for event in events:
        spans = placer.spans(event)
        if spans is None:
            unplaced.append(event)
            continue
        start, end = spans
        start_span = _days(start)
        end_span = None if end is None else _days(end)
        first = start_span[0]
        last = max(start_span[1], end_span[1]) if end_span else start_span[1]
        card = min(width(event), sizes.max_card_px)
        placed.append(PlacedEvent(event, first, last, start_span, end_span, card))
    placed.sort(key=lambda p: (p.middle, p.last - p.first))
    placed = _pack_periods(placed)
    return PlacedTimeline(
        tuple(placed), tuple(unplaced), birth_year, {p.uuid: p for p in placed}, placer
    )


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


_COLUMNS = ("events", "uuids", "middles", "firsts", "lasts")
_COUNTS = ("said", "valence", "helps", "private")  # added up in ``totals``


class BandRun:
    """The moments (not periods) of one band in time order, with what clustering reads of
    them laid out in columns, and running totals of the counts, so that a cluster's count,
    feeling, help and privacy are a subtraction, not a walk through its members. Kept with the
    placement for the whole band; the moments in a window are taken from it as stretches
    (``taken``), a copy of slices rather than a walk through each moment."""

    __slots__ = (*_COLUMNS, *_COUNTS, "reach", "totals")

    def __init__(self, events: Sequence[PlacedEvent]) -> None:
        self.events = list(events)
        self.uuids = [p.uuid for p in events]
        self.middles = [p.middle for p in events]
        self.firsts = [p.first for p in events]
        self.lasts = [p.last for p in events]
        feelings = [p.event.valence for p in events]
        self.said = [int(v is not None) for v in feelings]
        self.valence = [v or 0 for v in feelings]
        self.helps = [int(p.seeks_help) for p in events]
        self.private = [int(p.private) for p in events]
        # Running totals of the counts (one more than the moments: the first is nought).
        self.totals = tuple(
            list(itertools.accumulate(getattr(self, name), initial=0)) for name in _COUNTS
        )
        # How far a moment's days reach from its middle, at most: a window of days finds
        # every moment whose days reach into it among those whose middle is this near.
        self.reach = max((max(p.middle - p.first, p.last - p.middle) for p in events), default=0.0)

    def taken(self, stretches: Sequence[tuple[int, int]]) -> BandRun:
        """The moments of these stretches (from, to) of the run, as a run of their own (with
        the running totals of their counts, but not the counts: nothing takes from it again)."""
        run = BandRun.__new__(BandRun)
        run.reach = self.reach
        for name in _COLUMNS:
            column = getattr(self, name)
            kept: list[object] = []
            for a, b in stretches:
                kept += column[a:b]
            setattr(run, name, kept)
        run.totals = tuple(
            list(
                itertools.accumulate(
                    itertools.chain.from_iterable(getattr(self, name)[a:b] for a, b in stretches),
                    initial=0,
                )
            )
            for name in _COUNTS
        )
        return run


Part = tuple[BandRun, int, int]  # a band's moments: its run, from, to


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
