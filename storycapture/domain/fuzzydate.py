"""Fuzzy dates: when something happened, as people remember it, and how to place it in time."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from storycapture.domain.errors import InvalidFuzzyDate

__all__ = ["DateKind", "FuzzyDate", "Season", "parse_fuzzy_date"]

MAX_TEXT = 200
MIN_YEAR = 1000
MAX_YEAR = 2999
MAX_AGE = 130
# "Before I moved" says nothing about how long before; five years keeps it near the move
# on a timeline rather than stretching back to birth.
_RELATIVE_YEARS = 5

Range = tuple[datetime.date, datetime.date]
_T = TypeVar("_T")


class DateKind(StrEnum):
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    AROUND_YEAR = "around_year"
    DECADE = "decade"
    AGE = "age"
    AGE_RANGE = "age_range"
    BEFORE = "before"
    AFTER = "after"


class Season(StrEnum):
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"
    WINTER = "winter"


# Our own names, because calendar.month_name follows the machine's locale.
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_WORDS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES) if name},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES) if name},
    "sept": 9,
}
_SEASON_WORDS: dict[str, Season] = {
    "spring": Season.SPRING,
    "summer": Season.SUMMER,
    "autumn": Season.AUTUMN,
    "fall": Season.AUTUMN,
    "winter": Season.WINTER,
}
# (first month, last month); winter's last month falls in the following year.
_SEASON_MONTHS: dict[Season, tuple[int, int]] = {
    Season.SPRING: (3, 5),
    Season.SUMMER: (6, 8),
    Season.AUTUMN: (9, 11),
    Season.WINTER: (12, 2),
}
_DECADE_WORDS: dict[str, int] = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}

_DATE_FIELDS = (
    "year",
    "month",
    "day",
    "season",
    "age_from",
    "age_to",
    "anchor_label",
    "anchor_uuid",
)
_REQUIRED: dict[DateKind, frozenset[str]] = {
    DateKind.DAY: frozenset({"year", "month", "day"}),
    DateKind.MONTH: frozenset({"year", "month"}),
    DateKind.SEASON: frozenset({"year", "season"}),
    DateKind.YEAR: frozenset({"year"}),
    DateKind.AROUND_YEAR: frozenset({"year"}),
    DateKind.DECADE: frozenset({"year"}),
    DateKind.AGE: frozenset({"age_from"}),
    DateKind.AGE_RANGE: frozenset({"age_from", "age_to"}),
    DateKind.BEFORE: frozenset({"anchor_label"}),
    DateKind.AFTER: frozenset({"anchor_label"}),
}
_RELATIVE = frozenset({DateKind.BEFORE, DateKind.AFTER})
_INT_FIELDS = ("year", "month", "day", "age_from", "age_to")
_STR_FIELDS = ("anchor_label", "anchor_uuid")
_MAX_UUID = 100
_KIND_VALUES = frozenset(kind.value for kind in DateKind)
_SEASON_VALUES = frozenset(season.value for season in Season)

_EXAMPLES = "try “spring 2015”, “the 1990s” or “about 15”"


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """When something happened, exactly or roughly; every instance is valid."""

    kind: DateKind
    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: Season | None = None
    age_from: int | None = None
    age_to: int | None = None
    approximate: bool = False
    anchor_label: str | None = None
    anchor_uuid: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DateKind):
            raise InvalidFuzzyDate("This date is of a kind we don't know, so it can't be kept.")
        required = _REQUIRED[self.kind]
        allowed = required | ({"anchor_uuid"} if self.kind in _RELATIVE else set())
        for name in _DATE_FIELDS:
            present = getattr(self, name) is not None
            if name in required and not present:
                raise InvalidFuzzyDate(
                    "This date is missing a detail it needs, so it can't be kept."
                )
            if present and name not in allowed:
                raise _mismatched()
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise _mismatched()
        for name in _STR_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise _mismatched()
        if self.season is not None and not isinstance(self.season, Season):
            raise _mismatched()
        if not isinstance(self.approximate, bool) or (
            self.approximate and self.kind is not DateKind.AGE
        ):
            raise _mismatched()
        self._check_values()

    def _check_values(self) -> None:
        if self.year is not None:
            _check_year(self.year, str(self.year))
        if self.month is not None and self.year is not None:
            _check_month(self.month, f"{self.year}-{self.month:02d}")
            if self.day is not None:
                _check_day(self.year, self.month, self.day, _day_words(self))
        if self.kind is DateKind.DECADE and self.year is not None:
            _check_decade(self.year, f"the {self.year}s")
        if self.age_from is not None:
            _check_age(self.age_from, f"age {self.age_from}")
        if self.age_to is not None and self.age_from is not None:
            _check_age(self.age_to, f"age {self.age_to}")
            _check_age_order(self.age_from, self.age_to, self.display())
        if self.anchor_label is not None:
            _check_label(self.kind, self.anchor_label)
        if self.anchor_uuid is not None and (
            not self.anchor_uuid
            or len(self.anchor_uuid) > _MAX_UUID
            or any(char.isspace() for char in self.anchor_uuid)
        ):
            raise InvalidFuzzyDate(
                "The event this date points to can't be found, so it can't be kept."
            )

    # -- constructors ---------------------------------------------------------------------

    @classmethod
    def on_day(cls, year: int, month: int, day: int) -> FuzzyDate:
        return cls(DateKind.DAY, year=year, month=month, day=day)

    @classmethod
    def in_month(cls, year: int, month: int) -> FuzzyDate:
        return cls(DateKind.MONTH, year=year, month=month)

    @classmethod
    def in_season(cls, year: int, season: Season) -> FuzzyDate:
        return cls(DateKind.SEASON, year=year, season=season)

    @classmethod
    def in_year(cls, year: int) -> FuzzyDate:
        return cls(DateKind.YEAR, year=year)

    @classmethod
    def around_year(cls, year: int) -> FuzzyDate:
        return cls(DateKind.AROUND_YEAR, year=year)

    @classmethod
    def in_decade(cls, decade_start: int) -> FuzzyDate:
        return cls(DateKind.DECADE, year=decade_start)

    @classmethod
    def at_age(cls, age: int, approximate: bool = False) -> FuzzyDate:
        return cls(DateKind.AGE, age_from=age, approximate=approximate)

    @classmethod
    def between_ages(cls, age_from: int, age_to: int) -> FuzzyDate:
        return cls(DateKind.AGE_RANGE, age_from=age_from, age_to=age_to)

    @classmethod
    def before(cls, label: str, uuid: str | None = None) -> FuzzyDate:
        return cls(DateKind.BEFORE, anchor_label=_normal_label(label), anchor_uuid=uuid)

    @classmethod
    def after(cls, label: str, uuid: str | None = None) -> FuzzyDate:
        return cls(DateKind.AFTER, anchor_label=_normal_label(label), anchor_uuid=uuid)

    # -- reading ----------------------------------------------------------------------------

    def display(self) -> str:
        """Plain words that ``parse_fuzzy_date`` reads back to this same date."""
        match self.kind:
            case DateKind.DAY:
                return _day_words(self)
            case DateKind.MONTH:
                return f"{MONTH_NAMES[_need(self.month)]} {self.year}"
            case DateKind.SEASON:
                return f"{_need(self.season).value} {self.year}"
            case DateKind.YEAR:
                return str(self.year)
            case DateKind.AROUND_YEAR:
                return f"around {self.year}"
            case DateKind.DECADE:
                return f"the {self.year}s"
            case DateKind.AGE:
                about = "about " if self.approximate else ""
                return f"when I was {about}{self.age_from}"
            case DateKind.AGE_RANGE:
                return f"when I was {self.age_from} to {self.age_to}"
            case DateKind.BEFORE | DateKind.AFTER:
                return f"{self.kind.value} {self.anchor_label}"

    def date_range(
        self,
        birth_year: int | None = None,
        resolve: Callable[[str], Range | None] | None = None,
    ) -> Range | None:
        """Earliest and latest day it could have been, inclusive; None if it can't be placed."""
        match self.kind:
            case DateKind.DAY:
                day = datetime.date(_need(self.year), _need(self.month), _need(self.day))
                return day, day
            case DateKind.MONTH:
                year, month = _need(self.year), _need(self.month)
                return _month_start(year, month), _month_end(year, month)
            case DateKind.SEASON:
                year = _need(self.year)
                first, last = _SEASON_MONTHS[_need(self.season)]
                last_year = year + 1 if last < first else year
                return _month_start(year, first), _month_end(last_year, last)
            case DateKind.YEAR:
                return _years(_need(self.year), _need(self.year))
            case DateKind.AROUND_YEAR:
                return _years(_need(self.year) - 2, _need(self.year) + 2)
            case DateKind.DECADE:
                return _years(_need(self.year), _need(self.year) + 9)
            case DateKind.AGE | DateKind.AGE_RANGE:
                if birth_year is None:
                    return None
                # Without the birthday, age A covers the calendar years of both birthdays
                # that bound it.
                widen = 1 if self.approximate else 0
                age_from = _need(self.age_from)
                age_to = age_from if self.age_to is None else self.age_to
                return _years(birth_year + age_from - widen, birth_year + age_to + 1 + widen)
            case DateKind.BEFORE | DateKind.AFTER:
                if resolve is None or self.anchor_uuid is None:
                    return None
                anchor = resolve(self.anchor_uuid)
                if anchor is None:
                    return None
                return _relative_range(self.kind, anchor)

    def sort_key(
        self,
        birth_year: int | None = None,
        resolve: Callable[[str], Range | None] | None = None,
    ) -> tuple[int, int, int]:
        """Orders by middle of the range, narrower first; dates that can't be placed go last."""
        placed = self.date_range(birth_year, resolve)
        if placed is None:
            return (1, 0, 0)
        earliest, latest = placed
        # The sum of the ends orders by midpoint without halving into fractions.
        return (0, earliest.toordinal() + latest.toordinal(), (latest - earliest).days)

    # -- storage ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """JSON-safe; fields left at their default (None, or approximate False) are left out."""
        data: dict[str, object] = {"kind": self.kind.value}
        for name in _DATE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = value.value if isinstance(value, Season) else value
        if self.approximate:
            data["approximate"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FuzzyDate:
        """Strict reverse of ``to_dict``: unknown keys or wrong types are refused."""
        if not isinstance(data, Mapping) or not set(data) <= {"kind", "approximate", *_DATE_FIELDS}:
            raise _unreadable()
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in _KIND_VALUES:
            raise _unreadable()
        season = data.get("season")
        if season is not None and (not isinstance(season, str) or season not in _SEASON_VALUES):
            raise _unreadable()
        approximate = data.get("approximate", False)
        if not isinstance(approximate, bool):
            raise _unreadable()
        return cls(
            DateKind(kind),
            year=_stored_int(data, "year"),
            month=_stored_int(data, "month"),
            day=_stored_int(data, "day"),
            season=None if season is None else Season(season),
            age_from=_stored_int(data, "age_from"),
            age_to=_stored_int(data, "age_to"),
            approximate=approximate,
            anchor_label=_stored_str(data, "anchor_label"),
            anchor_uuid=_stored_str(data, "anchor_uuid"),
        )


# -- parsing ------------------------------------------------------------------------------

_APPROX = r"about|around|roughly|approximately|approx\.?|circa|ca\.?|c\.?|~"
_AGE_PREFIX = r"when i was|when i were|i was|at the age of|at age|aged|age|at"
_RANGE_PREFIX = (
    r"when i was|when i were|i was|between the ages of|between ages|between|"
    r"from the age of|from age|from|aged|ages|age"
)
_OLD = r"(?P<old> (?:years?|yrs?) old)?"

Handler = Callable[[re.Match[str], str], FuzzyDate | None]


def _iso_day(m: re.Match[str], shown: str) -> FuzzyDate:
    return _day(int(m["y"]), int(m["m"]), int(m["d"]), shown)


def _word_day(m: re.Match[str], shown: str) -> FuzzyDate | None:
    month = _MONTH_WORDS.get(m["mon"])
    if month is None:
        return None
    return _day(int(m["y"]), month, int(m["d"]), shown)


def _day(year: int, month: int, day: int, shown: str) -> FuzzyDate:
    _check_year(year, shown)
    _check_month(month, shown)
    _check_day(year, month, day, shown)
    return FuzzyDate.on_day(year, month, day)


def _numeric_month(m: re.Match[str], shown: str) -> FuzzyDate:
    year, month = int(m["y"]), int(m["m"])
    _check_year(year, shown)
    _check_month(month, shown)
    return FuzzyDate.in_month(year, month)


def _word_month(m: re.Match[str], shown: str) -> FuzzyDate | None:
    month = _MONTH_WORDS.get(m["mon"])
    if month is None:
        return None
    year = int(m["y"])
    _check_year(year, shown)
    return FuzzyDate.in_month(year, month)


def _season(m: re.Match[str], shown: str) -> FuzzyDate:
    year = int(m["y"])
    _check_year(year, shown)
    return FuzzyDate.in_season(year, _SEASON_WORDS[m["s"]])


def _winter_across(m: re.Match[str], shown: str) -> FuzzyDate | None:
    year, following = m["y"], m["y2"]
    if int(following) != int(str(int(year) + 1)[-len(following) :]):
        return None
    _check_year(int(year), shown)
    return FuzzyDate.in_season(int(year), Season.WINTER)


def _decade(m: re.Match[str], shown: str) -> FuzzyDate:
    start = int(m["y"])
    _check_year(start, shown)
    _check_decade(start, shown)
    return FuzzyDate.in_decade(start)


def _short_decade(m: re.Match[str], shown: str) -> FuzzyDate:
    short = int(m["dd"])
    # Nobody alive remembers the 1920s first-hand, so '20s means the 2020s.
    return FuzzyDate.in_decade(short + (2000 if short < 30 else 1900))


def _in_my(m: re.Match[str], shown: str) -> FuzzyDate:
    if m["teens"]:
        return FuzzyDate.between_ages(13, 19)
    start = int(m["d"]) * 10 if m["d"] else _DECADE_WORDS[m["word"]]
    return FuzzyDate.between_ages(start, start + 9)


def _age_range(m: re.Match[str], shown: str) -> FuzzyDate | None:
    if not (m["pre"] or m["old"]):
        return None
    age_from, age_to = int(m["a"]), int(m["b"])
    if age_from >= MIN_YEAR and age_to >= MIN_YEAR:
        return None  # a span of years, which we can't keep as one date
    _check_age(age_from, shown)
    _check_age(age_to, shown)
    _check_age_order(age_from, age_to, shown)
    return FuzzyDate.between_ages(age_from, age_to)


def _age(m: re.Match[str], shown: str) -> FuzzyDate | None:
    approximate = bool(m["w1"] or m["w2"])
    worded = bool(m["pre"] or m["old"])
    if not (approximate or worded):
        return None
    number = int(m["n"])
    # "about 15" is an age but "about 2010" a year; nobody is 150, so that is the dividing line.
    if approximate and not worded and number >= 150:
        _check_year(number, shown)
        return FuzzyDate.around_year(number)
    _check_age(number, shown)
    return FuzzyDate.at_age(number, approximate=approximate)


def _bare_number(m: re.Match[str], shown: str) -> FuzzyDate:
    digits = m["n"]
    if len(digits) <= 2:
        raise InvalidFuzzyDate(
            f"“{shown}” on its own could be an age or a year — "
            f"try “when I was {int(digits)}” or a year such as “2015”."
        )
    _check_year(int(digits), shown)
    return FuzzyDate.in_year(int(digits))


_PATTERNS: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(pattern, re.ASCII), handler)
    for pattern, handler in (
        (r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})", _iso_day),
        (
            r"(?P<d>[0-9]{1,2}) ?(?P<sep>[-/.]) ?(?P<m>[0-9]{1,2}) ?(?P=sep) ?(?P<y>[0-9]{4})",
            _iso_day,
        ),
        (
            r"(?:the )?(?P<d>[0-9]{1,2})(?:st|nd|rd|th)? (?:of )?(?P<mon>[a-z]+)\.? (?P<y>[0-9]+)",
            _word_day,
        ),
        (r"(?P<mon>[a-z]+)\.? (?:the )?(?P<d>[0-9]{1,2})(?:st|nd|rd|th)? (?P<y>[0-9]+)", _word_day),
        (r"(?P<y>[0-9]{4})[-/](?P<m>[0-9]{1,2})", _numeric_month),
        (r"(?P<m>[0-9]{1,2}) ?/ ?(?P<y>[0-9]{4})", _numeric_month),
        (
            r"(?:the )?winter(?:time)? (?:of )?(?P<y>[0-9]{4}) ?[-/] ?(?P<y2>[0-9]{2}|[0-9]{4})",
            _winter_across,
        ),
        (
            r"(?:the )?(?P<s>spring|summer|autumn|fall|winter)(?:time)? (?:of )?(?P<y>[0-9]+)",
            _season,
        ),
        (r"(?P<mon>[a-z]+)\.? (?:of )?(?P<y>[0-9]+)", _word_month),
        (r"(?:the )?(?P<y>[0-9]{3,4}) ?'?s", _decade),
        (r"(?:the )?'?(?P<dd>[0-9]0) ?'?s", _short_decade),
        (
            r"in my (?:(?P<teens>teens)|(?P<d>[1-9])0 ?'?s|(?P<word>"
            + "|".join(_DECADE_WORDS)
            + "))",
            _in_my,
        ),
        (
            rf"(?:(?P<pre>{_RANGE_PREFIX}) )?(?P<a>[0-9]+) ?(?:-|to|and|until|till) ?(?P<b>[0-9]+)"
            + _OLD,
            _age_range,
        ),
        (
            rf"(?:(?P<w1>{_APPROX}) ?)?(?:(?P<pre>{_AGE_PREFIX}) )?(?:(?P<w2>{_APPROX}) ?)?"
            rf"(?P<n>[0-9]+){_OLD}",
            _age,
        ),
        (r"(?P<n>[0-9]+)", _bare_number),
    )
)
_RELATIVE_RE = re.compile(r"(?P<word>before|after)(?:\s+(?P<label>.+))?", re.IGNORECASE | re.DOTALL)


def parse_fuzzy_date(text: str, anchors: Callable[[str], str | None] | None = None) -> FuzzyDate:
    """Read a date as a person typed it; ``anchors`` finds the event a before/after names."""
    shown = " ".join(text.split())
    if len(shown) > MAX_TEXT:
        raise InvalidFuzzyDate(
            f"“{shown[:40]}…” is too long for a date — please keep it to {MAX_TEXT} characters "
            "or fewer."
        )
    core = _strip_full_stop(shown)
    if not core:
        raise InvalidFuzzyDate(f"Please say when this happened — {_EXAMPLES}.")

    relative = _RELATIVE_RE.fullmatch(core)
    if relative is not None:
        word = relative["word"].lower()
        label = relative["label"]
        if label is None:
            raise InvalidFuzzyDate(
                f"“{shown}” needs an event after it — try “{word} I moved to Leeds”."
            )
        uuid = anchors(label) if anchors is not None else None
        make = FuzzyDate.before if word == DateKind.BEFORE.value else FuzzyDate.after
        return make(label, uuid or None)

    simple = core.lower().replace("’", "'").replace("‘", "'").replace(",", " ")
    simple = re.sub(r"[–—]", "-", simple)
    simple = " ".join(simple.split())
    simple = re.sub(r"^(?:in|on|during) (?!my )", "", simple)
    for pattern, handler in _PATTERNS:
        found = pattern.fullmatch(simple)
        if found is not None:
            parsed = handler(found, shown)
            if parsed is not None:
                return parsed
    raise InvalidFuzzyDate(f"We couldn't understand “{shown}” as a date — {_EXAMPLES}.")


# -- checks shared by parsing and construction, so both explain the same problem alike --------


def _check_year(year: int, shown: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidFuzzyDate(
            f"We can only keep years from {MIN_YEAR} to {MAX_YEAR}, so “{shown}” doesn't fit."
        )


def _check_month(month: int, shown: str) -> None:
    if not 1 <= month <= 12:
        raise InvalidFuzzyDate(
            f"“{shown}” has a month of {month}, but months go from 1 to 12 — please check it."
        )


def _check_day(year: int, month: int, day: int, shown: str) -> None:
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise InvalidFuzzyDate(
            f"“{shown}” isn't a real day — {MONTH_NAMES[month]} {year} has {days} days."
        )


def _check_decade(start: int, shown: str) -> None:
    if start % 10:
        raise InvalidFuzzyDate(f"“{shown}” isn't a decade — try “the {start // 10 * 10}s”.")


def _check_age(age: int, shown: str) -> None:
    if not 0 <= age <= MAX_AGE:
        raise InvalidFuzzyDate(
            f"We can only keep ages from 0 to {MAX_AGE}, so “{shown}” doesn't fit."
        )


def _check_age_order(age_from: int, age_to: int, shown: str) -> None:
    if age_from > age_to:
        raise InvalidFuzzyDate(
            f"In “{shown}” the older age comes first — try “when I was {age_to} to {age_from}”."
        )


def _check_label(kind: DateKind, label: str) -> None:
    if not label:
        raise InvalidFuzzyDate(
            f"Please say what this happened {kind.value}, such as “I moved to Leeds”."
        )
    if len(kind.value) + 1 + len(label) > MAX_TEXT:
        raise InvalidFuzzyDate(
            f"“{label[:40]}…” is too long to describe an event — please keep it shorter."
        )
    if label != _normal_label(label) or not label.isprintable():
        raise InvalidFuzzyDate(
            f"“{label}” has spacing or characters that can't be kept as an event."
        )


# -- small helpers ------------------------------------------------------------------------


def _strip_full_stop(text: str) -> str:
    return text.rstrip(". ")


def _normal_label(label: str) -> str:
    if not isinstance(label, str):
        raise _mismatched()
    return _strip_full_stop(" ".join(label.split()))


def _day_words(date: FuzzyDate) -> str:
    return f"{date.day} {MONTH_NAMES[_need(date.month)]} {date.year}"


def _need(value: _T | None) -> _T:
    # __post_init__ has already required these fields for the kind; this only tells mypy so.
    if value is None:
        raise _mismatched()
    return value


def _month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _years(first: int, last: int) -> Range | None:
    if first < datetime.MINYEAR or last > datetime.MAXYEAR:
        return None
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def _shift_years(day: datetime.date, years: int) -> datetime.date | None:
    year = day.year + years
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return None
    # 29 February moves to the 28th in a year without one.
    return datetime.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def _relative_range(kind: DateKind, anchor: Range) -> Range | None:
    earliest, latest = anchor
    one_day = datetime.timedelta(days=1)
    try:
        if kind is DateKind.BEFORE:
            start = _shift_years(earliest, -_RELATIVE_YEARS)
            return None if start is None else (start, earliest - one_day)
        end = _shift_years(latest, _RELATIVE_YEARS)
        return None if end is None else (latest + one_day, end)
    except OverflowError:
        return None


def _stored_int(data: Mapping[str, object], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _unreadable()
    return value


def _stored_str(data: Mapping[str, object], name: str) -> str | None:
    value = data.get(name)
    if value is None or isinstance(value, str):
        return value
    raise _unreadable()


def _mismatched() -> InvalidFuzzyDate:
    return InvalidFuzzyDate("This date has details that don't fit together, so it can't be kept.")


def _unreadable() -> InvalidFuzzyDate:
    return InvalidFuzzyDate("A saved date couldn't be read back, so it can't be shown.")
