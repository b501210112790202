"""Fuzzy dates: typed forms, rejections, round trips and placing in time."""

from __future__ import annotations

import datetime
import json
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storycapture.domain.errors import InvalidFuzzyDate, InvalidInput
from storycapture.domain.fuzzydate import DateKind, FuzzyDate, Season, parse_fuzzy_date

D = datetime.date
F = FuzzyDate

# -- strategies -------------------------------------------------------------------------------

years = st.integers(1000, 2999)
ages = st.integers(0, 130)
# Words of letters only, so a label never reads as a date or ends in a full stop.
labels = st.lists(
    st.text(st.sampled_from(string.ascii_letters + "éøßÅ"), min_size=1, max_size=8),
    min_size=1,
    max_size=6,
).map(" ".join)


@st.composite
def age_ranges(draw: st.DrawFn) -> FuzzyDate:
    a, b = sorted((draw(ages), draw(ages)))
    return F.between_ages(a, b)


placeable_dates = st.one_of(
    st.dates(D(1000, 1, 1), D(2999, 12, 31)).map(lambda d: F.on_day(d.year, d.month, d.day)),
    st.builds(F.in_month, years, st.integers(1, 12)),
    st.builds(F.in_season, years, st.sampled_from(Season)),
    st.builds(F.in_year, years),
    st.builds(F.around_year, years),
    st.builds(F.in_decade, st.integers(100, 299).map(lambda n: n * 10)),
    st.builds(F.at_age, ages, st.booleans()),
    age_ranges(),
)
relative_dates = st.one_of(
    st.builds(F.before, labels, st.none() | st.uuids().map(str)),
    st.builds(F.after, labels, st.none() | st.uuids().map(str)),
)
fuzzy_dates = placeable_dates | relative_dates
birth_years = st.integers(1900, 2020)


def one_sentence(message: str, typed: str = "") -> bool:
    """One sentence: ends once, with no stop, question or exclamation inside."""
    words = message.replace(typed, "") if typed else message
    starts_well = message[0].isupper() or message.startswith("“")
    ends_once = message.endswith(".") and not re.search(r"[.!?]\s", words[:-1])
    return starts_well and ends_once and "\n" not in message


# -- typed forms ------------------------------------------------------------------------------

TYPED = [
    # exact days
    ("3 March 2015", F.on_day(2015, 3, 3)),
    ("March 3 2015", F.on_day(2015, 3, 3)),
    ("3rd March 2015", F.on_day(2015, 3, 3)),
    ("2015-03-03", F.on_day(2015, 3, 3)),
    ("3/3/2015", F.on_day(2015, 3, 3)),
    ("4/3/2015", F.on_day(2015, 3, 4)),
    ("03/12/2015", F.on_day(2015, 12, 3)),
    ("March 3rd, 2015", F.on_day(2015, 3, 3)),
    ("on the 21st of June 2001", F.on_day(2001, 6, 21)),
    ("29 February 2016", F.on_day(2016, 2, 29)),
    ("1 Sept 1999", F.on_day(1999, 9, 1)),
    # months
    ("March 2015", F.in_month(2015, 3)),
    ("Mar 2015", F.in_month(2015, 3)),
    ("mar. 2015", F.in_month(2015, 3)),
    ("2015-03", F.in_month(2015, 3)),
    ("in December 1989", F.in_month(1989, 12)),
    # seasons
    ("spring 2015", F.in_season(2015, Season.SPRING)),
    ("summer of 2015", F.in_season(2015, Season.SUMMER)),
    ("autumn 2015", F.in_season(2015, Season.AUTUMN)),
    ("fall 2015", F.in_season(2015, Season.AUTUMN)),
    ("winter 2015", F.in_season(2015, Season.WINTER)),
    ("the winter of 2015/16", F.in_season(2015, Season.WINTER)),
    # years
    ("2015", F.in_year(2015)),
    ("in 2015", F.in_year(2015)),
    ("1000", F.in_year(1000)),
    ("2999", F.in_year(2999)),
    # around a year
    ("about 2010", F.around_year(2010)),
    ("around 2010", F.around_year(2010)),
    ("c. 2010", F.around_year(2010)),
    ("circa 2010", F.around_year(2010)),
    ("~2010", F.around_year(2010)),
    # decades
    ("the 2010s", F.in_decade(2010)),
    ("2010s", F.in_decade(2010)),
    ("the 1990's", F.in_decade(1990)),
    ("the 90s", F.in_decade(1990)),
    ("the '90s", F.in_decade(1990)),
    ("the ’90s", F.in_decade(1990)),
    ("the 00s", F.in_decade(2000)),
    ("the 20s", F.in_decade(2020)),
    ("the 30s", F.in_decade(1930)),
    # ages
    ("when I was 15", F.at_age(15)),
    ("about 15", F.at_age(15, approximate=True)),
    ("aged 15", F.at_age(15)),
    ("age 15", F.at_age(15)),
    ("at 15", F.at_age(15)),
    ("when I was about 15", F.at_age(15, approximate=True)),
    ("15 years old", F.at_age(15)),
    ("about 130", F.at_age(130, approximate=True)),
    ("when I was 0", F.at_age(0)),
    # age ranges
    ("when I was 15 to 17", F.between_ages(15, 17)),
    ("aged 15-17", F.between_ages(15, 17)),
    ("aged 15–17", F.between_ages(15, 17)),
    ("between 15 and 17", F.between_ages(15, 17)),
    ("in my teens", F.between_ages(13, 19)),
    ("in my twenties", F.between_ages(20, 29)),
    ("in my 30s", F.between_ages(30, 39)),
    # relative to another event
    ("before I moved to Leeds", F.before("I moved to Leeds")),
    ("after my son was born", F.after("my son was born")),
    ("Before Mum's 60th birthday, 2019", F.before("Mum's 60th birthday, 2019")),
    ("after 2015", F.after("2015")),
    # case, spacing and a trailing full stop
    ("  SPRING   2015 . ", F.in_season(2015, Season.SPRING)),
    ("When I Was About 15.", F.at_age(15, approximate=True)),
    ("After   my son was born.", F.after("my son was born")),
]


@pytest.mark.parametrize(("typed", "expected"), TYPED)
def test_typed_forms(typed: str, expected: FuzzyDate) -> None:
    assert parse_fuzzy_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("3rd March 2015", "3 March 2015"),
        ("2015-03", "March 2015"),
        ("summer of 2015", "summer 2015"),
        ("fall 2015", "autumn 2015"),
        ("in 2015", "2015"),
        ("c. 2010", "around 2010"),
        ("the '90s", "the 1990s"),
        ("aged 15", "when I was 15"),
        ("about 15", "when I was about 15"),
        ("aged 15-17", "when I was 15 to 17"),
        ("before I moved to Leeds", "before I moved to Leeds"),
    ],
)
def test_display_is_plain_words(typed: str, shown: str) -> None:
    assert parse_fuzzy_date(typed).display() == shown


def test_anchor_is_resolved_by_its_label_as_typed() -> None:
    asked: list[str] = []

    def anchors(label: str) -> str | None:
        asked.append(label)
        return "uuid-1" if label == "I moved to Leeds" else None

    assert parse_fuzzy_date("before I moved to Leeds.", anchors) == F.before(
        "I moved to Leeds", "uuid-1"
    )
    assert parse_fuzzy_date("after the wedding", anchors) == F.after("the wedding")
    assert asked == ["I moved to Leeds", "the wedding"]


# -- rejections -------------------------------------------------------------------------------

REJECTED = [
    "blorp",
    "31 February 2015",
    "29/2/2015",
    "0 March 2015",
    "13/13/2015",
    "2015-13",
    "2015-00",
    "3000",
    "999",
    "about 500",
    "31 March 3000",
    "spring 999",
    "the 3000s",
    "the 2015s",
    "when I was 131",
    "aged 200",
    "about 140",
    "aged 17 to 15",
    "between 18 and 16",
    "15",
    "before",
    "after.",
    "between 2010 and 2012",
    "winter 2015/17",
    "next Tuesday",
    "3/3/15",
    "2015-03-03-03",
]


@pytest.mark.parametrize("typed", REJECTED)
def test_rejections_are_one_kind_sentence_naming_the_text(typed: str) -> None:
    with pytest.raises(InvalidFuzzyDate) as caught:
        parse_fuzzy_date(typed)
    message = str(caught.value)
    assert f"“{typed}”" in message
    assert one_sentence(message, typed)


@pytest.mark.parametrize("typed", ["", "   ", " . "])
def test_empty_text_is_rejected(typed: str) -> None:
    with pytest.raises(InvalidFuzzyDate) as caught:
        parse_fuzzy_date(typed)
    assert one_sentence(str(caught.value))


def test_text_longer_than_200_characters_is_rejected() -> None:
    typed = "before " + "a" * 194
    with pytest.raises(InvalidFuzzyDate) as caught:
        parse_fuzzy_date(typed)
    message = str(caught.value)
    assert typed[:30] in message
    assert one_sentence(message)
    assert parse_fuzzy_date(typed[:200]).kind is DateKind.BEFORE


def test_error_is_an_invalid_input() -> None:
    assert issubclass(InvalidFuzzyDate, InvalidInput)


@pytest.mark.parametrize(
    "make",
    [
        lambda: F.on_day(2015, 2, 31),
        lambda: F.on_day(2015, 13, 1),
        lambda: F.in_month(2015, 0),
        lambda: F.in_year(999),
        lambda: F.in_year(3000),
        lambda: F.around_year(3000),
        lambda: F.in_decade(2015),
        lambda: F.in_decade(3000),
        lambda: F.at_age(-1),
        lambda: F.at_age(131),
        lambda: F.between_ages(17, 15),
        lambda: F.before(""),
        lambda: F.after(" . "),
        lambda: F.before("x" * 194),
        lambda: F.before("the move", ""),
        lambda: F.before("the move", "has space"),
        lambda: F(DateKind.YEAR),
        lambda: F(DateKind.YEAR, year=2015, month=3),
        lambda: F(DateKind.YEAR, year=True),
        lambda: F(DateKind.YEAR, year=2015, approximate=True),
        lambda: F(DateKind.AGE, age_from=15, anchor_uuid="x"),
        lambda: F(DateKind.BEFORE, anchor_label=" the move"),
        lambda: F(DateKind.BEFORE, anchor_label="the move."),
        lambda: F(DateKind.SEASON, year=2015, season="spring"),  # type: ignore[arg-type]
        lambda: F("year", year=2015),  # type: ignore[arg-type]
    ],
)
def test_an_invalid_fuzzy_date_cannot_exist(make: object) -> None:
    assert callable(make)
    with pytest.raises(InvalidFuzzyDate) as caught:
        make()
    assert one_sentence(str(caught.value))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "fortnight"},
        {"kind": 3},
        {"kind": "year", "year": "2015"},
        {"kind": "year", "year": 2015.0},
        {"kind": "year", "year": True},
        {"kind": "year", "year": 2015, "colour": "blue"},
        {"kind": "season", "year": 2015, "season": "monsoon"},
        {"kind": "age", "age_from": 15, "approximate": "yes"},
        {"kind": "before", "anchor_label": 7},
        {"kind": "year", "year": 3000},
        {"kind": "year"},
    ],
)
def test_from_dict_is_strict(data: dict[str, object]) -> None:
    with pytest.raises(InvalidFuzzyDate):
        F.from_dict(data)


# -- ranges and ordering ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "earliest", "latest"),
    [
        (F.on_day(2015, 3, 3), D(2015, 3, 3), D(2015, 3, 3)),
        (F.in_month(2016, 2), D(2016, 2, 1), D(2016, 2, 29)),
        (F.in_season(2015, Season.SPRING), D(2015, 3, 1), D(2015, 5, 31)),
        (F.in_season(2015, Season.SUMMER), D(2015, 6, 1), D(2015, 8, 31)),
        (F.in_season(2015, Season.AUTUMN), D(2015, 9, 1), D(2015, 11, 30)),
        (F.in_season(2015, Season.WINTER), D(2015, 12, 1), D(2016, 2, 29)),
        (F.in_season(2016, Season.WINTER), D(2016, 12, 1), D(2017, 2, 28)),
        (F.in_year(2015), D(2015, 1, 1), D(2015, 12, 31)),
        (F.around_year(2010), D(2008, 1, 1), D(2012, 12, 31)),
        (F.in_decade(1990), D(1990, 1, 1), D(1999, 12, 31)),
        (F.at_age(15), D(2005, 1, 1), D(2006, 12, 31)),
        (F.at_age(15, approximate=True), D(2004, 1, 1), D(2007, 12, 31)),
        (F.between_ages(15, 17), D(2005, 1, 1), D(2008, 12, 31)),
    ],
)
def test_date_range_examples(date: FuzzyDate, earliest: D, latest: D) -> None:
    assert date.date_range(birth_year=1990) == (earliest, latest)


def test_ages_cannot_be_placed_without_a_birth_year() -> None:
    assert F.at_age(15).date_range() is None
    assert F.between_ages(15, 17).date_range() is None
    assert F.at_age(15).sort_key() == (1, 0, 0)


def test_relative_dates_follow_their_anchor() -> None:
    wedding = (D(2012, 6, 1), D(2012, 8, 31))

    def resolve(uuid: str) -> tuple[D, D] | None:
        return wedding if uuid == "wedding" else None

    assert F.before("the wedding", "wedding").date_range(resolve=resolve) == (
        D(2007, 6, 1),
        D(2012, 5, 31),
    )
    assert F.after("the wedding", "wedding").date_range(resolve=resolve) == (
        D(2012, 9, 1),
        D(2017, 8, 31),
    )
    assert F.before("the wedding", "gone").date_range(resolve=resolve) is None
    assert F.before("the wedding").date_range(resolve=resolve) is None
    assert F.after("the wedding", "wedding").date_range() is None
    assert F.after("the wedding", "gone").sort_key(resolve=resolve) == (1, 0, 0)


def test_relative_range_from_a_leap_day_and_the_edge_of_time() -> None:
    def leap(uuid: str) -> tuple[D, D]:
        return D(2016, 2, 29), D(2016, 2, 29)

    def edge(uuid: str) -> tuple[D, D]:
        return D(1, 1, 1), D(9999, 12, 31)

    assert F.before("x", "u").date_range(resolve=leap) == (D(2011, 2, 28), D(2016, 2, 28))
    assert F.after("x", "u").date_range(resolve=leap) == (D(2016, 3, 1), D(2021, 2, 28))
    assert F.before("x", "u").date_range(resolve=edge) is None
    assert F.after("x", "u").date_range(resolve=edge) is None


def test_narrower_range_sorts_first_at_the_same_middle() -> None:
    assert F.in_year(2010).sort_key() < F.around_year(2010).sort_key()
    assert F.on_day(2015, 7, 2).sort_key() < F.in_year(2015).sort_key()


@given(placeable_dates, birth_years)
def test_range_is_never_backwards(date: FuzzyDate, birth_year: int) -> None:
    placed = date.date_range(birth_year)
    assert placed is not None
    assert placed[0] <= placed[1]


@given(st.dates(D(1000, 1, 1), D(2999, 12, 31)))
def test_day_is_one_day_inside_its_month_and_year(day: D) -> None:
    assert F.on_day(day.year, day.month, day.day).date_range() == (day, day)
    month = F.in_month(day.year, day.month).date_range()
    year = F.in_year(day.year).date_range()
    assert month is not None and month[0] <= day <= month[1]
    assert year is not None and year[0] <= day <= year[1]


@given(years, st.integers(1, 12), st.sampled_from(Season))
def test_year_contains_its_months_and_season_starts(year: int, month: int, season: Season) -> None:
    whole = F.in_year(year).date_range()
    inside = F.in_month(year, month).date_range()
    starts = F.in_season(year, season).date_range()
    assert whole is not None and inside is not None and starts is not None
    assert whole[0] <= inside[0] <= inside[1] <= whole[1]
    assert whole[0] <= starts[0] <= whole[1]


@given(placeable_dates, placeable_dates, birth_years)
def test_sort_key_follows_time(a: FuzzyDate, b: FuzzyDate, birth_year: int) -> None:
    first, second = a.date_range(birth_year), b.date_range(birth_year)
    assert first is not None and second is not None
    if first[1] < second[0]:
        assert a.sort_key(birth_year) < b.sort_key(birth_year)
    assert a.sort_key(birth_year) < F.at_age(1).sort_key()


# -- round trips ------------------------------------------------------------------------------


@given(fuzzy_dates)
def test_display_reads_back(date: FuzzyDate) -> None:
    if date.kind in (DateKind.BEFORE, DateKind.AFTER):
        label, uuid = date.anchor_label, date.anchor_uuid
        assert label is not None
        assert parse_fuzzy_date(date.display()) == F(date.kind, anchor_label=label)
        assert parse_fuzzy_date(date.display(), {label: uuid}.get) == date
    else:
        assert parse_fuzzy_date(date.display()) == date


@given(fuzzy_dates)
def test_dict_round_trip_is_json_safe(date: FuzzyDate) -> None:
    data = date.to_dict()
    assert data["kind"] == date.kind.value
    assert None not in data.values()
    assert F.from_dict(json.loads(json.dumps(data))) == date


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_kindly(text: str) -> None:
    try:
        parse_fuzzy_date(text)
    except InvalidFuzzyDate as error:
        assert str(error).endswith(".")
