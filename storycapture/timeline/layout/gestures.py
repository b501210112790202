"""Changing dates by dragging and by keyboard, moving the selection by keyboard, and the side
panel's words about a date."""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import dataclass
from typing import Any, TypeVar

from storycapture.domain.errors import InvalidFuzzyDate
from storycapture.domain.fuzzydate import (
    MAX_AGE,
    MAX_YEAR,
    MIN_YEAR,
    DateKind,
    FuzzyDate,
    Season,
)
from storycapture.domain.story import TimelineEvent
from storycapture.domain.vocabulary import LifeArea, describe_feeling
from storycapture.timeline.layout.axis import _LONG_MONTHS
from storycapture.timeline.layout.picture import TimelineLayout
from storycapture.timeline.layout.placement import PlacedEvent, _days
from storycapture.timeline.layout.scale import (
    DAYS_PER_MONTH,
    DAYS_PER_SEASON,
    DAYS_PER_YEAR,
    Range,
    Resolve,
    _clamp,
    _year_start,
)
from storycapture.timeline.layout.sizes import LayoutMode

_T = TypeVar("_T")

TIED_EXPLANATION = (
    "This moment is tied to another one (“{when}”), so it moves when that one moves. "
    "Drag up or down to change {what}; type a date in the panel to set it free."
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

    def changes(self, event: TimelineEvent) -> dict[str, Any]:
        """What dropping it would change of ``event``: the fields whose value differs."""
        now = {
            "starts": self.starts,
            "ends": self.ends,
            "valence": self.valence,
            "life_area": self.life_area,
        }
        return {name: value for name, value in now.items() if value != getattr(event, name)}

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
