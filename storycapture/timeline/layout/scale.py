"""Days to scene x and back, and how close the picture can be zoomed."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass

from storycapture.domain.fuzzydate import (
    MAX_YEAR,
    MIN_YEAR,
)

Range = tuple[datetime.date, datetime.date]  # earliest and latest day, inclusive
Resolve = Callable[[str], Range | None]  # where the event a before/after names is
Measure = Callable[[str], float]  # a text's width in pixels

DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
DAYS_PER_SEASON = DAYS_PER_YEAR / 4

# A whole life (two centuries, with room) fits in a wide window at the smallest scale; a single
# day is as wide as a card at the largest.
MIN_PX_PER_DAY = 0.004
MAX_PX_PER_DAY = 200.0


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
