"""The timeline's geometry without Qt: ticks, placing, clusters, labels, snapping and drags."""

from __future__ import annotations

import datetime
import random
import subprocess
import sys
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycapture.domain.authorship import Author
from storycapture.domain.fuzzydate import DateKind, FuzzyDate, Season, parse_fuzzy_date
from storycapture.domain.story import HelpSeeking, Provenance, TimelineEvent
from storycapture.domain.vocabulary import LifeArea, Visibility
from storycapture.timeline.layout import (
    DAYS_PER_YEAR,
    LIFE_AREAS,
    SIZES,
    VALENCES,
    EventMark,
    LayoutMode,
    PeriodBar,
    PlacedTimeline,
    TimelineLayout,
    TimeScale,
    axis,
    describe_range,
    drag_outcome,
    estimate_text_width,
    lay_out,
    moved_date,
    neighbour,
    new_event_at,
    place_events,
    precision_for_scale,
    reading_of,
    shift_date,
    snapped_date,
)

TODAY = datetime.date(2026, 3, 2)
_counter = iter(range(1_000_000))


def event(
    title: str,
    starts: str | FuzzyDate,
    *,
    ends: str | FuzzyDate | None = None,
    valence: int = 0,
    area: LifeArea = LifeArea.OTHER,
    visibility: Visibility = Visibility.TEAM,
    help: HelpSeeking | None = None,
    uuid: str | None = None,
) -> TimelineEvent:
    number = next(_counter)
    return TimelineEvent(
        meta=Provenance(
            uuid or f"e{number}", "s1", f"{number:08d}", f"{number:08d}", Author.storyteller()
        ),
        title=title,
        words="",
        starts=parse_fuzzy_date(starts) if isinstance(starts, str) else starts,
        ends=parse_fuzzy_date(ends) if isinstance(ends, str) else ends,
        valence=valence,
        life_area=area,
        visibility=visibility,
        help=help,
    )


def placed_of(events: Iterable[TimelineEvent], birth_year: int | None = 1980) -> PlacedTimeline:
    events = list(events)
    return place_events(events, birth_year=birth_year)


def layout_of(
    placed: PlacedTimeline,
    *,
    mode: LayoutMode = LayoutMode.LIFELINE,
    width: float = 1000.0,
    height: float = 500.0,
    px_per_day: float | None = None,
    keep_apart: frozenset[str] = frozenset(),
) -> TimelineLayout:
    first, last = placed.extent(TODAY)
    scale = TimeScale.fitting(first, last, width)
    if px_per_day is not None:
        scale = TimeScale(first, px_per_day)
    return lay_out(
        placed,
        mode=mode,
        scale=scale,
        view_width=width,
        view_height=height,
        today=TODAY,
        keep_apart=keep_apart,
    )


def day(text: str) -> int:
    return datetime.date.fromisoformat(text).toordinal()


# -- the time scale -----------------------------------------------------------------------------


def test_the_scale_turns_days_into_x_and_back() -> None:
    scale = TimeScale(day("2000-01-01"), 2.0)
    assert scale.x_of(datetime.date(2000, 1, 11)) == 20.0
    assert scale.date_at(20.5) == datetime.date(2000, 1, 11)
    assert scale.day_at(scale.x_of_day(day("2010-06-01"))) == day("2010-06-01")


def test_zooming_keeps_the_day_under_the_pointer() -> None:
    scale = TimeScale(day("1980-01-01"), 0.1)
    under_pointer = scale.day_at(437.0)
    zoomed, x = scale.zoomed(3.0, 437.0)
    assert zoomed.px_per_day == pytest.approx(0.3)
    assert zoomed.day_at(x) == pytest.approx(under_pointer)


def test_zoom_stays_within_its_limits() -> None:
    scale = TimeScale(0.0, 100.0)
    assert scale.zoomed(1000.0, 0.0)[0].px_per_day == 200.0
    assert scale.zoomed(1e-9, 0.0)[0].px_per_day > 0


# -- the axis -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("px_per_day", "unit"),
    [(0.01, "year"), (0.05, "year"), (0.4, "month"), (3.0, "month"), (10.0, "day"), (80.0, "day")],
)
def test_ticks_follow_the_zoom_from_decades_to_days(px_per_day: float, unit: str) -> None:
    scale = TimeScale(day("1990-01-01"), px_per_day)
    ticks = axis(scale, 0, 1200)
    assert ticks.step.unit == unit
    labelled = [t for t in ticks.ticks if t.label]
    assert len(labelled) >= 3


def test_ticks_are_decades_zoomed_out_and_single_years_a_little_closer() -> None:
    wide = axis(TimeScale(day("1900-01-01"), 0.01), 0, 1200)
    assert wide.step.unit == "year" and wide.step.count >= 10
    assert all(int(t.label) % 10 == 0 for t in wide.ticks if t.label)
    closer = axis(TimeScale(day("1990-01-01"), 0.25), 0, 1200)
    assert (closer.step.unit, closer.step.count) in (("year", 1), ("month", 6))


def _labels_overlap(ticks: Iterable[tuple[float, str]], measure: object = None) -> bool:
    width = estimate_text_width
    end = -1e18
    for x, label in sorted(ticks):
        start = x + SIZES.label_offset
        if start < end + SIZES.label_gap - 1e-9:
            return True
        end = start + width(label)
    return False


@settings(max_examples=60, deadline=None)
@given(
    px_per_day=st.floats(min_value=0.004, max_value=200.0),
    offset_days=st.floats(min_value=-20000, max_value=20000),
    width=st.floats(min_value=200, max_value=3000),
    birth_year=st.one_of(st.none(), st.integers(min_value=1900, max_value=2020)),
)
def test_tick_labels_never_overlap(
    px_per_day: float, offset_days: float, width: float, birth_year: int | None
) -> None:
    scale = TimeScale(day("1990-01-01") + offset_days, px_per_day)
    ticks = axis(scale, 0, width, birth_year=birth_year)
    assert not _labels_overlap((t.x, t.label) for t in ticks.ticks if t.label)
    assert not _labels_overlap((t.x, t.age) for t in ticks.ticks if t.age)
    assert not _labels_overlap((t.x, t.label) for t in ticks.context)


def test_ages_sit_under_the_years_once_the_birth_year_is_known() -> None:
    scale = TimeScale(day("1970-01-01"), 0.08)
    ticks = axis(scale, 0, 1500, birth_year=1980)
    ages = {t.label: t.age for t in ticks.ticks if t.label}
    assert ages["1990"] == "age 10"
    assert ages["1970"] == ""  # before they were born
    assert all(t.age == "" for t in axis(scale, 0, 1500).ticks)


def test_zoomed_in_to_days_the_axis_still_says_which_month_and_year() -> None:
    scale = TimeScale(day("2015-03-10"), 40.0)
    ticks = axis(scale, 0, 1200, birth_year=1980)
    assert ticks.step.unit == "day"
    assert ticks.context[0].label == "March 2015 · age 35"


# -- placing events -----------------------------------------------------------------------------


def test_a_fuzzy_date_spans_its_earliest_to_latest_day() -> None:
    spring = event("Moved to Leeds", "spring 2015")
    placed = placed_of([spring]).by_uuid[spring.uuid]
    assert placed.first == day("2015-03-01")
    assert placed.last == day("2015-06-01")  # the end of 31 May
    layout = layout_of(placed_of([spring]), px_per_day=2.0)
    mark = layout.drawn_as(spring.uuid)
    assert isinstance(mark, EventMark)
    assert mark.x0 == pytest.approx(layout.scale.x_of_day(day("2015-03-01")))
    assert mark.x1 == pytest.approx(layout.scale.x_of_day(day("2015-06-01")))
    assert mark.fuzzy


def test_events_that_cannot_be_placed_wait_in_the_tray_not_at_a_false_date() -> None:
    age = event("First kiss", "when I was 15")
    tied = event("Found a flat", FuzzyDate.after("Moved to Hull", "no-such-event"))
    dated = event("Moved to Leeds", "2001")
    placed = placed_of([age, tied, dated], birth_year=None)
    assert [e.uuid for e in placed.unplaced] == [age.uuid, tied.uuid]
    assert [p.uuid for p in placed.placed] == [dated.uuid]
    layout = layout_of(placed)
    assert layout.drawn_as(age.uuid) is None
    with_birth = placed_of([age], birth_year=1980)
    assert with_birth.by_uuid[age.uuid].first == day("1995-01-01")


def test_an_event_after_another_is_placed_after_it() -> None:
    anchor = event("Hospital stay", "autumn 2015")
    after = event("Lost my job", FuzzyDate.after("Hospital stay", anchor.uuid))
    placed = placed_of([anchor, after])
    assert placed.by_uuid[after.uuid].first == day("2015-12-01")
    assert not placed.by_uuid[after.uuid].movable_in_time


def test_periods_are_bars_fading_across_their_fuzzy_ends() -> None:
    flat = event("Council flat", "2005", ends="2016", valence=1)
    layout = layout_of(placed_of([flat]), px_per_day=0.5)
    bar = layout.drawn_as(flat.uuid)
    assert isinstance(bar, PeriodBar)
    scale = layout.scale
    assert bar.x0 == pytest.approx(scale.x_of_day(day("2005-01-01")))
    assert bar.solid_x0 == pytest.approx(scale.x_of_day(day("2006-01-01")))
    assert bar.solid_x1 == pytest.approx(scale.x_of_day(day("2016-01-01")))
    assert bar.x1 == pytest.approx(scale.x_of_day(day("2017-01-01")))


def test_overlapping_periods_of_one_feeling_take_rows() -> None:
    flat = event("Council flat", "2005", ends="2016", valence=1)
    job = event("Cleaning job", "2006", ends="2015", valence=1)
    later = event("Allotment", "2017", ends="2020", valence=1)
    layout = layout_of(placed_of([flat, job, later]), height=700)
    rows = {bar.uuid: bar.row for bar in layout.periods}
    assert rows == {flat.uuid: 0, job.uuid: 1, later.uuid: 0}


def test_periods_beyond_the_rows_a_band_has_are_shaded_in_a_strip() -> None:
    periods = [event(f"P{i}", "2000", ends="2010", valence=2) for i in range(8)]
    layout = layout_of(placed_of(periods), height=420)
    drawn = {b.uuid for b in layout.periods}
    in_strips = {uuid for strip in layout.strips for uuid in strip.members}
    assert drawn | in_strips == {p.uuid for p in periods}
    assert in_strips and not drawn & in_strips


# -- bands: Lifeline and Lanes ------------------------------------------------------------------


def test_lifeline_height_is_the_feeling() -> None:
    events = [event(f"v{v}", "2000", valence=v) for v in VALENCES]
    layout = layout_of(placed_of(events))
    ys = [layout.anchor_of(e.uuid)[1] for e in events]  # type: ignore[index]
    assert ys == sorted(ys)  # +3 at the top, −3 at the bottom
    bands = layout.bands
    for e, y in zip(events, ys, strict=True):
        assert bands.valence_at(y) == e.valence


def test_lanes_are_the_life_areas_in_their_order() -> None:
    events = [event(a.label, "2000", area=a) for a in LifeArea]
    layout = layout_of(placed_of(events), mode=LayoutMode.LANES)
    assert [b.area for b in layout.bands.bands] == list(LIFE_AREAS)
    for e in events:
        assert layout.bands.area_at(layout.anchor_of(e.uuid)[1]) is e.life_area  # type: ignore[index]


# -- level of detail ----------------------------------------------------------------------------


def test_nearby_events_gather_into_a_cluster_with_their_count() -> None:
    start = datetime.date(2000, 3, 1)
    crowd = [
        event(f"c{i}", (start + datetime.timedelta(days=3 * i)).isoformat(), valence=1)
        for i in range(12)
    ]
    alone = event("Far away", "2020", valence=1)
    layout = layout_of(placed_of([*crowd, alone]))
    assert len(layout.clusters) == 1
    assert layout.clusters[0].count == 12
    assert {m.uuid for m in layout.marks} == {alone.uuid}
    # Closer in, they spread apart again.
    middle = layout_of(placed_of([*crowd, alone]), px_per_day=3.0)
    assert 1 <= len(middle.clusters) < 12
    assert len(middle.marks) + sum(c.count for c in middle.clusters) == 13
    close = layout_of(placed_of([*crowd, alone]), px_per_day=10.0)
    assert not close.clusters and len(close.marks) == 13


def test_events_of_different_feelings_do_not_cluster_together() -> None:
    events = [event(f"v{v}", "2000", valence=v) for v in (3, -3)]
    layout = layout_of(placed_of(events))
    assert not layout.clusters and len(layout.marks) == 2


def test_the_chosen_event_is_never_hidden_in_a_cluster() -> None:
    crowd = [event(f"c{i}", "2000", valence=0) for i in range(5)]
    layout = layout_of(placed_of(crowd), keep_apart=frozenset({crowd[2].uuid}))
    assert isinstance(layout.drawn_as(crowd[2].uuid), EventMark)
    assert layout.clusters[0].count == 4
    assert layout.drawn_as(crowd[2].uuid).card is not None  # type: ignore[union-attr]


def test_labels_thin_out_so_cards_never_overlap() -> None:
    events = [event(f"A rather long title {i}", f"{1950 + i}", valence=i % 3) for i in range(70)]
    layout = layout_of(placed_of(events), width=900)
    cards = [m.card for m in layout.marks if m.card is not None]
    assert 0 < len(cards) < len(layout.marks) + sum(c.count for c in layout.clusters)
    for i, a in enumerate(cards):
        for b in cards[i + 1 :]:
            assert not a.intersects(b)


def test_help_seeking_moments_get_their_card_first() -> None:
    plain = event("Plain day with a long title", "2000", valence=0)
    helped = event("Asked the GP", "2000-02-01", valence=0, area=LifeArea.HELP_SEEKING)
    layout = layout_of(placed_of([plain, helped]), px_per_day=0.3)
    assert layout.drawn_as(helped.uuid).card is not None  # type: ignore[union-attr]


def _random_events(count: int, seed: int = 7) -> list[TimelineEvent]:
    rng = random.Random(seed)
    events = []
    for i in range(count):
        year = rng.randint(1960, 2025)
        kind = rng.random()
        if kind < 0.3:
            starts = f"{year}"
        elif kind < 0.6:
            starts = f"{rng.randint(1, 12)}/{year}"
        elif kind < 0.8:
            starts = f"{year}-{rng.randint(1, 12)}-{rng.randint(1, 28)}"
        else:
            starts = f"{rng.choice(['spring', 'summer', 'autumn', 'winter'])} {year}"
        ends = f"{year + rng.randint(1, 6)}" if rng.random() < 0.15 else None
        events.append(
            event(
                f"Moment {i}",
                starts,
                ends=ends,
                valence=rng.randint(-3, 3),
                area=rng.choice(LIFE_AREAS),
            )
        )
    return events


@pytest.mark.parametrize("mode", list(LayoutMode))
def test_ten_thousand_events_fitted_are_few_things_to_draw_and_none_is_lost(
    mode: LayoutMode,
) -> None:
    events = _random_events(10_000)
    placed = placed_of(events, birth_year=1955)
    layout = layout_of(placed, mode=mode, width=1200, height=600)
    drawn = len(layout.marks) + len(layout.periods) + len(layout.clusters)
    assert drawn < 1500
    counted = (
        len(layout.marks)
        + len(layout.periods)
        + sum(c.count for c in layout.clusters)
        + sum(len(s.members) for s in layout.strips)
    )
    assert counted == 10_000
    assert all(layout.drawn_as(e.uuid) is not None for e in events)


# -- the lifeline curve -------------------------------------------------------------------------


def test_the_lifeline_runs_through_the_moments_in_time_order_without_overshooting() -> None:
    events = [
        event("Born", "1980", valence=2),
        event("Dad left", "1989", valence=-2),
        event("Good school", "1990", valence=3),
        event("Long plateau", "2004", valence=-2),
        event("Still low", "2012", valence=-2),
        event("Better", "2014", valence=1),
    ]
    layout = layout_of(placed_of(events))
    curve = layout.curve
    assert len(curve) == len(events) - 1
    points = [layout.anchor_of(e.uuid) for e in events]
    through = [s.p0 for s in curve] + [curve[-1].p1]
    assert [c for p in through for c in p] == pytest.approx([c for p in points for c in p])  # type: ignore[union-attr]
    for s in curve:
        assert s.p0[0] <= s.c1[0] <= s.c2[0] <= s.p1[0]  # never backwards in time
        low, high = sorted((s.p0[1], s.p1[1]))
        assert low - 1e-9 <= s.c1[1] <= high + 1e-9
        assert low - 1e-9 <= s.c2[1] <= high + 1e-9
    flat = curve[3]  # two equal feelings: a straight stretch, no dip between them
    assert flat.c1[1] == flat.c2[1] == flat.p0[1]


def test_lanes_have_no_lifeline() -> None:
    events = [event("a", "2000", valence=2), event("b", "2005", valence=-1)]
    assert layout_of(placed_of(events), mode=LayoutMode.LANES).curve == ()


# -- snapping and dragging ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "steps", "expected"),
    [
        (FuzzyDate.on_day(2015, 12, 30), 3, FuzzyDate.on_day(2016, 1, 2)),
        (FuzzyDate.in_month(2015, 11), 3, FuzzyDate.in_month(2016, 2)),
        (FuzzyDate.in_season(2015, Season.AUTUMN), 1, FuzzyDate.in_season(2015, Season.WINTER)),
        (FuzzyDate.in_season(2015, Season.WINTER), 1, FuzzyDate.in_season(2016, Season.SPRING)),
        (FuzzyDate.in_year(2015), -2, FuzzyDate.in_year(2013)),
        (FuzzyDate.around_year(2015), 1, FuzzyDate.around_year(2016)),
        (FuzzyDate.in_decade(1990), 1, FuzzyDate.in_decade(2000)),
        (FuzzyDate.at_age(15, approximate=True), 2, FuzzyDate.at_age(17, approximate=True)),
        (FuzzyDate.between_ages(12, 15), -1, FuzzyDate.between_ages(11, 14)),
        (FuzzyDate.after("Hospital stay", "x"), 5, FuzzyDate.after("Hospital stay", "x")),
    ],
)
def test_shifting_keeps_the_kind_and_moves_by_its_own_precision(
    starts: FuzzyDate, steps: int, expected: FuzzyDate
) -> None:
    assert shift_date(starts, steps) == expected


def test_shifting_stays_within_what_a_date_can_hold() -> None:
    assert shift_date(FuzzyDate.at_age(1), -5) == FuzzyDate.at_age(0)
    assert shift_date(FuzzyDate.between_ages(2, 6), -5) == FuzzyDate.between_ages(0, 4)
    assert shift_date(FuzzyDate.in_year(2998), 5) == FuzzyDate.in_year(2999)


@pytest.mark.parametrize(
    ("starts", "days", "expected"),
    [
        (FuzzyDate.in_year(2000), 1.3 * DAYS_PER_YEAR, FuzzyDate.in_year(2001)),
        (FuzzyDate.in_year(2000), 0.4 * DAYS_PER_YEAR, FuzzyDate.in_year(2000)),
        (FuzzyDate.in_year(2000), -1.6 * DAYS_PER_YEAR, FuzzyDate.in_year(1998)),
        (FuzzyDate.in_month(2000, 1), 45, FuzzyDate.in_month(2000, 2)),
        (FuzzyDate.on_day(2000, 1, 1), 2.6, FuzzyDate.on_day(2000, 1, 4)),
        (FuzzyDate.in_season(2000, Season.SPRING), 100, FuzzyDate.in_season(2000, Season.SUMMER)),
        (FuzzyDate.in_decade(1980), 12 * DAYS_PER_YEAR, FuzzyDate.in_decade(1990)),
        (FuzzyDate.in_decade(1980), 4 * DAYS_PER_YEAR, FuzzyDate.in_decade(1980)),
        (FuzzyDate.at_age(15), 1.6 * DAYS_PER_YEAR, FuzzyDate.at_age(17)),
    ],
)
def test_a_drag_snaps_to_the_dates_precision(
    starts: FuzzyDate, days: float, expected: FuzzyDate
) -> None:
    assert moved_date(starts, days) == expected


def test_dragging_right_and_up_makes_a_later_date_and_a_better_feeling() -> None:
    moved = event("Moved to Leeds", "1995", valence=0)
    layout = layout_of(placed_of([moved, event("Other", "2020")]))
    bands = layout.bands
    dx = 3.2 * DAYS_PER_YEAR * layout.scale.px_per_day
    dy = bands.line_of_valence(2) - bands.line_of_valence(0)
    outcome = drag_outcome(layout, moved.uuid, dx, dy)
    assert outcome is not None
    assert outcome.starts == FuzzyDate.in_year(1998)
    assert outcome.valence == 2
    assert outcome.life_area is LifeArea.OTHER
    assert outcome.preview_dx == pytest.approx(
        layout.scale.x_of_day(day("1998-07-02")) - layout.scale.x_of_day(day("1995-07-02")),
        abs=1.0,
    )
    assert outcome.preview_dy == pytest.approx(dy)
    assert outcome.describe(moved) == "1998 · good"
    assert outcome.changes(moved) == {"starts": FuzzyDate.in_year(1998), "valence": 2}
    assert drag_outcome(layout, moved.uuid, 0.0, 0.0).changes(moved) == {}  # type: ignore[union-attr]


def test_dragging_a_period_moves_both_ends() -> None:
    flat = event("Council flat", "2005", ends="2016", valence=1)
    layout = layout_of(placed_of([flat]))
    outcome = drag_outcome(layout, flat.uuid, -2 * DAYS_PER_YEAR * layout.scale.px_per_day, 0)
    assert outcome is not None
    assert (outcome.starts, outcome.ends) == (FuzzyDate.in_year(2003), FuzzyDate.in_year(2014))
    assert outcome.valence == 1


def test_dragging_across_lanes_changes_the_life_area() -> None:
    moved = event("Moved to Leeds", "1995", area=LifeArea.OTHER)
    layout = layout_of(placed_of([moved]), mode=LayoutMode.LANES)
    start_y = layout.anchor_of(moved.uuid)[1]  # type: ignore[index]
    family = layout.bands.bands[LIFE_AREAS.index(LifeArea.FAMILY)]
    outcome = drag_outcome(layout, moved.uuid, 0, family.line_y - start_y)
    assert outcome is not None
    assert outcome.life_area is LifeArea.FAMILY
    assert outcome.valence == moved.valence
    assert outcome.starts == moved.starts


def test_a_date_tied_to_another_event_cannot_be_dragged_in_time() -> None:
    anchor = event("Hospital stay", "autumn 2015", valence=-3)
    tied = event("Lost my job", FuzzyDate.after("Hospital stay", anchor.uuid), valence=-2)
    layout = layout_of(placed_of([anchor, tied]))
    bands = layout.bands
    dx = 5 * DAYS_PER_YEAR * layout.scale.px_per_day
    outcome = drag_outcome(
        layout, tied.uuid, dx, bands.line_of_valence(0) - bands.line_of_valence(-2)
    )
    assert outcome is not None
    assert outcome.starts == tied.starts
    assert outcome.preview_dx == 0
    assert outcome.valence == 0
    assert "tied to another" in outcome.note


@pytest.mark.parametrize(
    ("px_per_day", "kind"),
    [(0.05, DateKind.YEAR), (0.5, DateKind.YEAR), (2.0, DateKind.MONTH), (20.0, DateKind.DAY)],
)
def test_adding_by_pointing_is_as_exact_as_the_zoom(px_per_day: float, kind: DateKind) -> None:
    assert precision_for_scale(px_per_day) is kind
    layout = layout_of(placed_of([event("a", "2000")]), px_per_day=px_per_day)
    x = layout.scale.x_of_day(day("2001-05-17") + 0.5)
    starts, valence, area = new_event_at(layout, x, layout.bands.line_of_valence(-1) + 3)
    assert starts == snapped_date(day("2001-05-17"), kind)
    assert starts.kind is kind
    assert valence == -1
    assert area is LifeArea.OTHER


def test_adding_in_lanes_takes_the_lane_under_the_pointer() -> None:
    layout = layout_of(placed_of([event("a", "2000")]), mode=LayoutMode.LANES)
    money = layout.bands.bands[LIFE_AREAS.index(LifeArea.MONEY)]
    _, valence, area = new_event_at(layout, 10, money.top + 2)
    # Pointing at a lane gives a part of life, and no feeling: nobody said one.
    assert (valence, area) == (None, LifeArea.MONEY)


# -- keyboard and words -------------------------------------------------------------------------


def test_arrow_keys_walk_through_time_and_between_bands() -> None:
    a = event("a", "2000", valence=0)
    b = event("b", "2001", valence=3)
    c = event("c", "2002", valence=0)
    layout = layout_of(placed_of([a, b, c]), px_per_day=1.0)
    assert neighbour(layout, None, "right") == a.uuid
    assert neighbour(layout, a.uuid, "right") == b.uuid
    assert neighbour(layout, c.uuid, "right") == c.uuid
    assert neighbour(layout, c.uuid, "left") == b.uuid
    assert neighbour(layout, a.uuid, "up") == b.uuid
    assert neighbour(layout, b.uuid, "down") in (a.uuid, c.uuid)
    assert neighbour(layout, b.uuid, "end") == c.uuid


def test_a_date_is_read_back_in_plain_words() -> None:
    assert describe_range((datetime.date(2015, 3, 1), datetime.date(2015, 5, 31))) == (
        "March to May 2015"
    )
    assert describe_range((datetime.date(1995, 1, 1), datetime.date(1996, 12, 31))) == (
        "1995 to 1996"
    )
    words, placed = reading_of(parse_fuzzy_date("spring 2015"), None, None)
    assert placed and words == "We read this as “spring 2015” — somewhere in March to May 2015."
    words, placed = reading_of(parse_fuzzy_date("when I was 15"), None, None)
    assert not placed and "year of birth" in words


def test_the_layout_does_not_need_qt() -> None:
    code = (
        "import sys\n"
        "import storycapture.timeline.layout\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_laying_out_a_window_draws_what_is_in_it_as_the_whole_picture_would() -> None:
    events = _random_events(3000, seed=11)
    placed = placed_of(events, birth_year=1955)
    full = layout_of(placed, px_per_day=0.4, width=1000)
    window = (12_000.0, 13_000.0)
    part = lay_out(
        placed,
        mode=LayoutMode.LIFELINE,
        scale=full.scale,
        view_width=1000,
        view_height=500,
        today=TODAY,
        window=window,
    )

    def inside(layout: TimelineLayout) -> set[tuple[str, ...]]:
        marks = {("mark", m.uuid) for m in layout.marks if window[0] <= m.x <= window[1]}
        clusters = {c.members for c in layout.clusters if window[0] <= c.x <= window[1]}
        return marks | clusters

    assert inside(part) == inside(full)
    assert len(part.marks) + len(part.clusters) < (len(full.marks) + len(full.clusters)) / 5
