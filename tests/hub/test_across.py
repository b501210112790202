"""Across stories without a window: help sought (grouped by kind of service), lifelines lined
up by age or year, where lives dip, what a highlight picks out, the CSVs, and saving whole."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycapture.domain.fuzzydate import FuzzyDate, Season
from storycapture.domain.story import HelpSeeking
from storycapture.domain.vocabulary import Helped, LifeArea
from storycapture.hub.across import (
    HELP_CSV_HEADER,
    HELPED_ORDER,
    SERVICE_KEYWORDS,
    AlignedLifelines,
    Alignment,
    ExportNotSaved,
    Life,
    Moment,
    ServiceKind,
    align_lifelines,
    csv_bytes,
    emphasis,
    help_across,
    help_sought,
    kind_of_service,
    read_lives,
    save_whole,
    write_help_csv,
    write_lifelines_csv,
)
from storycapture.services.consent import ConsentService
from tests.conftest import FACILITATOR
from tests.hub.conftest import DEMO_SOURCE, DemoRoom

# --- the kinds of service ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_whom", "kind"),
    [
        ("my GP", ServiceKind.GP),
        ("The Doctor's surgery", ServiceKind.GP),
        ("my GP and then a specialist service", ServiceKind.GP),
        ("the community mental health team", ServiceKind.MENTAL_HEALTH_TEAM),
        ("a new doctor at the community mental health team", ServiceKind.MENTAL_HEALTH_TEAM),
        ("CMHT", ServiceKind.MENTAL_HEALTH_TEAM),
        ("the crisis team", ServiceKind.MENTAL_HEALTH_TEAM),
        ("a psychiatrist", ServiceKind.MENTAL_HEALTH_TEAM),
        ("A&E", ServiceKind.HOSPITAL),
        ("a & e at the infirmary", ServiceKind.HOSPITAL),
        ("the hospital ward", ServiceKind.HOSPITAL),
        ("Samaritans", ServiceKind.CRISIS_LINE),
        ("a night-time phone line", ServiceKind.CRISIS_LINE),
        ("the crisis line", ServiceKind.CRISIS_LINE),
        ("the POLICE", ServiceKind.POLICE),
        ("the council's adult social care team", ServiceKind.HOUSING),
        ("a housing officer", ServiceKind.HOUSING),
        ("the jobcentre", ServiceKind.WORK),
        ("my supervisor at work", ServiceKind.WORK),
        ("occupational health at work", ServiceKind.WORK),
        ("the university counselling service", ServiceKind.EDUCATION),
        ("the school counsellor", ServiceKind.EDUCATION),
        ("a peer-led hearing voices group", ServiceKind.CHARITY),
        ("a food bank and its welfare adviser", ServiceKind.CHARITY),
        ("a telephone befriending scheme", ServiceKind.CHARITY),
        ("the church group", ServiceKind.FAITH),
        ("the imam at our mosque", ServiceKind.FAITH),
        ("my mum", ServiceKind.FAMILY),
        ("Friends from the choir", ServiceKind.FAMILY),
        # A service not in the table is "other", even when family is named beside it.
        ("a bereavement counselling service my daughter found", ServiceKind.OTHER),
        ("the health visitor", ServiceKind.OTHER),
        ("a street outreach worker", ServiceKind.OTHER),
        ("", ServiceKind.OTHER),
        # Whole words only: "network" holds no "work", "gpx" no "GP", "grouped" no "group".
        ("a social network", ServiceKind.OTHER),
        ("the gpx file", ServiceKind.OTHER),
        ("we grouped up", ServiceKind.OTHER),
    ],
)
def test_from_whom_is_grouped_by_the_keyword_table(from_whom: str, kind: ServiceKind) -> None:
    assert kind_of_service(from_whom) is kind


def test_every_kind_but_other_has_keywords_and_a_label() -> None:
    tabled = [kind for kind, _words in SERVICE_KEYWORDS]
    assert sorted(tabled) == sorted(set(ServiceKind) - {ServiceKind.OTHER})
    assert all(kind.label for kind in ServiceKind)
    for kind, phrases in SERVICE_KEYWORDS:  # each keyword, said alone, is its own kind
        for phrase in phrases:
            assert kind_of_service(phrase.upper()) is kind, phrase


@given(st.text(max_size=60))
def test_grouping_never_fails_and_words_outside_the_table_are_other(text: str) -> None:
    found = kind_of_service(text)
    assert found in ServiceKind
    letters_only = "".join(c for c in text if c.isdigit())  # digits name no service but 111
    if "111" not in letters_only:
        assert kind_of_service(letters_only) is ServiceKind.OTHER


# --- strategies for made-up lives -------------------------------------------------------------

_helped = st.sampled_from([*Helped, None])
_from_whom = st.sampled_from(
    ["my GP", "the police", "my mum", "the crisis line", "a choir", "the council", ""]
)
_help = st.one_of(
    st.none(),
    st.builds(HelpSeeking, asked_for=st.just("a bed"), from_whom=_from_whom, helped=_helped),
)
_dates = st.one_of(
    st.none(),
    st.integers(1930, 2030).map(FuzzyDate.in_year),
    st.integers(1930, 2030).map(FuzzyDate.around_year),
    st.builds(FuzzyDate.in_season, st.integers(1930, 2030), st.sampled_from(list(Season))),
    st.builds(FuzzyDate.on_day, st.integers(1930, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.integers(0, 90).map(FuzzyDate.at_age),
    st.builds(FuzzyDate.at_age, st.integers(1, 90), st.just(True)),
    st.integers(0, 80).map(lambda a: FuzzyDate.between_ages(a, a + 7)),
    st.integers(193, 202).map(lambda d: FuzzyDate.in_decade(d * 10)),
)


@st.composite
def _lives(draw: st.DrawFn) -> list[Life]:
    lives = []
    for number in range(draw(st.integers(0, 6))):
        moments = tuple(
            Moment(
                uuid=f"m{number}-{i}",
                title=f"Moment {i}",
                starts=draw(_dates),
                valence=draw(st.one_of(st.none(), st.integers(-3, 3))),
                life_area=draw(st.sampled_from(list(LifeArea))),
                help=draw(_help),
                themes=tuple(draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), max_size=2))),
            )
            for i in range(draw(st.integers(0, 8)))
        )
        born = draw(st.one_of(st.none(), st.integers(1930, 2005)))
        lives.append(Life(f"p{number}", f"Teller {number}", born, moments))
    return lives


# --- help sought across stories ----------------------------------------------------------------


@given(_lives())
def test_help_counts_add_up_to_the_rows(lives: list[Life]) -> None:
    across = help_sought(lives)
    asked = sum(1 for life in lives for m in life.moments if m.help is not None)
    assert len(across.rows) == asked
    counts = across.counts()
    assert sum(sum(by.values()) for by in counts.values()) == len(across.rows)
    for kind, by in counts.items():
        assert sum(by.values()) == sum(1 for r in across.rows if r.kind is kind) > 0
        assert list(by) == list(HELPED_ORDER)  # every way it went, in the chart's order
        for helped, count in by.items():
            assert count == sum(1 for r in across.rows if (r.kind, r.helped) == (kind, helped))
    assert across.stories() == len({r.storyteller_uuid for r in across.rows})


def test_help_across_the_practice_stories(demo_room: DemoRoom) -> None:
    across = help_across(demo_room.vault)
    source = json.loads(DEMO_SOURCE.read_text(encoding="utf-8"))
    shown = [
        (person["pseudonym"], event["title"])
        for person in source["storytellers"]
        for event in person["events"]
        if event.get("help") and event["visibility"] != "private"
    ]
    assert sorted((r.pseudonym, r.moment) for r in across.rows) == sorted(shown)
    private = [
        event["title"]
        for person in source["storytellers"]
        for event in person["events"]
        if event.get("help") and event["visibility"] == "private"
    ]
    assert private and not {r.moment for r in across.rows} & set(private)
    gp = across.counts()[ServiceKind.GP]
    assert gp[Helped.YES] == sum(
        1 for r in across.rows if r.from_whom == "my GP" and r.helped is Helped.YES
    )
    wren_gp = next(r for r in across.rows if r.pseudonym == "Wren" and r.from_whom == "my GP")
    assert wren_gp.when == "autumn 2018" and wren_gp.kind is ServiceKind.GP


def test_the_help_csv_has_pseudonyms_only(demo_room: DemoRoom) -> None:
    across = help_across(demo_room.vault)
    data = csv_bytes(lambda out: write_help_csv(across, out))
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets read the words' accents right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HELP_CSV_HEADER
    assert len(rows) == len(across.rows) + 1
    assert {row[0] for row in rows[1:]} == {r.pseudonym for r in across.rows}
    real_names = [
        p["real_name"]
        for p in json.loads(DEMO_SOURCE.read_text(encoding="utf-8"))["storytellers"]
        if p.get("real_name")
    ]
    text = data.decode("utf-8-sig")
    assert real_names and not any(name in text for name in real_names)
    assert {row[7] for row in rows[1:]} <= {
        "It helped",
        "It helped a bit",
        "It didn't help",
        "Not sure",
        "Not said",
    }


# --- lifelines aligned -------------------------------------------------------------------------


def _life(*moments: Moment, born: int | None = 1980, name: str = "Robin") -> Life:
    return Life(name.lower(), name, born, moments)


def _moment(uuid: str, starts: FuzzyDate | None, valence: int | None = 0, **kw: object) -> Moment:
    return Moment(uuid, uuid.title(), starts, valence, LifeArea.FAMILY, **kw)  # type: ignore[arg-type]


def test_an_age_is_placed_as_said_and_a_date_by_its_own_range() -> None:
    life = _life(
        _moment("fifteen", FuzzyDate.at_age(15)),
        _moment("about-thirty", FuzzyDate.at_age(30, approximate=True)),
        _moment("spring", FuzzyDate.in_season(2001, Season.SPRING)),
        _moment("nineties", FuzzyDate.in_decade(1990)),
    )
    by_age = {p.moment_uuid: p for p in align_lifelines([life], Alignment.AGE).lines[0].points}
    assert (by_age["fifteen"].x_from, by_age["fifteen"].x, by_age["fifteen"].x_to) == (15, 15.5, 16)
    assert (by_age["about-thirty"].x_from, by_age["about-thirty"].x_to) == (29, 32)
    # Spring 2001, born some day of 1980: 20 or 21, no more precise than that.
    assert 20 <= by_age["spring"].x_from < by_age["spring"].x < by_age["spring"].x_to <= 22
    assert by_age["nineties"].x_to - by_age["nineties"].x_from > 10  # a decade stays wide
    by_year = {
        p.moment_uuid: p for p in align_lifelines([life], Alignment.CALENDAR).lines[0].points
    }
    assert (
        2001.16 < by_year["spring"].x_from < by_year["spring"].x < by_year["spring"].x_to < 2001.42
    )
    assert (by_year["nineties"].x_from, by_year["nineties"].x_to) == (1990, 2000)
    assert by_year["fifteen"].x_from == 1995  # the calendar years that age could be


def test_what_cannot_be_placed_is_left_out_and_counted() -> None:
    known = _life(
        _moment("undated", None),
        _moment("dated", FuzzyDate.in_year(2000)),
        _moment("no-feeling", FuzzyDate.in_year(2001), valence=None),
        _moment("after-missing", FuzzyDate.after("the move", "nowhere")),
        _moment("before-birth", FuzzyDate.in_year(1970)),
    )
    unknown = _life(
        _moment("at-ten", FuzzyDate.at_age(10)),
        _moment("in-2010", FuzzyDate.in_year(2010), valence=-3),
        born=None,
        name="Moth",
    )
    by_age = align_lifelines([known, unknown], Alignment.AGE)
    assert by_age.no_birth_year == ("Moth",)
    assert [line.pseudonym for line in by_age.lines] == ["Robin"]
    line = by_age.lines[0]
    assert [p.moment_uuid for p in line.points] == ["dated", "no-feeling"]
    assert [p.moment_uuid for p in line.drawn()] == ["dated"]  # no feeling said: not drawn
    assert (line.undated, line.unplaced) == (1, 2)
    by_year = align_lifelines([known, unknown], Alignment.CALENDAR)
    assert by_year.no_birth_year == ()
    moth = next(line for line in by_year.lines if line.pseudonym == "Moth")
    assert [p.moment_uuid for p in moth.points] == ["in-2010"]
    assert moth.unplaced == 1  # "when I was 10" with no birth year has no calendar year
    assert by_year.dips == {2010: 1}


def test_a_date_tied_to_another_moment_follows_it_and_a_loop_is_left_out() -> None:
    life = _life(
        _moment("moved", FuzzyDate.in_year(2005)),
        _moment("after", FuzzyDate.after("moved", "moved")),
        _moment("loop-a", FuzzyDate.after("loop b", "loop-b")),
        _moment("loop-b", FuzzyDate.before("loop a", "loop-a")),
    )
    line = align_lifelines([life], Alignment.CALENDAR).lines[0]
    placed = {p.moment_uuid: p for p in line.points}
    assert set(placed) == {"moved", "after"}
    assert placed["after"].x_from >= 2006
    assert line.unplaced == 2


def test_where_many_lives_dip_counts_storytellers_not_moments() -> None:
    lives = [
        _life(
            _moment("a1", FuzzyDate.at_age(16), valence=-3),
            _moment("a2", FuzzyDate.at_age(17), valence=-2),
            _moment("a3", FuzzyDate.at_age(40), valence=-1),  # "a bit hard" is not a dip
            name="Ash",
        ),
        _life(_moment("b1", FuzzyDate.at_age(18), valence=-2), name="Birch"),
        _life(_moment("c1", FuzzyDate.at_age(33), valence=-3), name="Cedar"),
    ]
    aligned = align_lifelines(lives, Alignment.AGE)
    assert aligned.dips == {15: 2, 30: 1}
    assert aligned.deepest() == [15]
    assert aligned.bucket_words(15) == "ages 15–19"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_lives(), st.sampled_from(list(Alignment)), st.integers(1, 10))
def test_aligning_places_every_moment_once_within_its_range(
    lives: list[Life], alignment: Alignment, bucket: int
) -> None:
    aligned = align_lifelines(lives, alignment, bucket)
    by_uuid = {life.uuid: life for life in lives}
    if alignment is Alignment.AGE:
        assert set(aligned.no_birth_year) == {
            life.pseudonym for life in lives if life.birth_year is None
        }
    for line in aligned.lines:
        life = by_uuid[line.storyteller_uuid]
        assert len(line.points) + line.undated + line.unplaced == len(life.moments)
        assert line.undated == sum(1 for m in life.moments if m.starts is None)
        assert [p.x for p in line.points] == sorted(p.x for p in line.points)
        for point in line.points:
            assert point.x_from <= point.x <= point.x_to
            if alignment is Alignment.AGE:
                assert point.x_from >= 0 and point.x_to <= 130 + 2
            else:
                assert point.x_from >= 1000 and point.x_to <= 3000
    hard = {
        (line.storyteller_uuid, int(p.x // bucket) * bucket)
        for line in aligned.lines
        for p in line.points
        if p.valence is not None and p.valence <= -2
    }
    assert sum(aligned.dips.values()) == len(hard)
    assert all(0 < count <= len(aligned.lines) for count in aligned.dips.values())


@given(_lives(), st.sampled_from(["t1", "t2"]), st.sampled_from(list(LifeArea)))
def test_a_highlight_picks_out_its_drawn_moments_and_their_lines(
    lives: list[Life], theme: str, area: LifeArea
) -> None:
    aligned = align_lifelines(lives, Alignment.CALENDAR)
    drawn = [(line, p) for line in aligned.lines for p in line.drawn()]
    by_theme = emphasis(aligned, theme=theme)
    assert by_theme.moments == {p.moment_uuid for _, p in drawn if theme in p.themes}
    assert by_theme.lines == {
        line.storyteller_uuid for line, p in drawn if p.moment_uuid in by_theme.moments
    }
    by_area = emphasis(aligned, life_area=area)
    assert by_area.moments == {p.moment_uuid for _, p in drawn if p.life_area is area}
    assert not emphasis(aligned).active and not emphasis(aligned).moments


def test_the_practice_stories_line_up_with_their_themes(demo_room: DemoRoom) -> None:
    lives = read_lives(demo_room.vault)
    assert [life.pseudonym for life in lives] == sorted(
        (life.pseudonym for life in lives), key=str.casefold
    )
    marigold = next(life for life in lives if life.pseudonym == "Marigold")
    nature = demo_room.themes["Nature and outdoors"].uuid
    themed = [m for m in marigold.moments if m.themes]
    assert [m.themes for m in themed] == [(nature,)]  # the moment its excerpt was taken from
    source = json.loads(DEMO_SOURCE.read_text(encoding="utf-8"))
    for person in source["storytellers"]:
        life = next(life for life in lives if life.pseudonym == person["pseudonym"])
        shown = [e for e in person["events"] if e["visibility"] != "private"]
        assert len(life.moments) == len(shown)
    by_age = align_lifelines(lives, Alignment.AGE)
    assert by_age.no_birth_year == ("Moth",)  # the practice story with no birth year
    nature_moments = emphasis(by_age, theme=nature)
    assert nature_moments.lines == {demo_room.people["Marigold"]}


def test_a_withdrawn_storyteller_is_gone_from_every_view(demo_room: DemoRoom) -> None:
    wren = demo_room.people["Wren"]
    ConsentService(demo_room.vault).withdraw(wren, author=FACILITATOR)
    lives = read_lives(demo_room.vault)
    assert wren not in {life.uuid for life in lives}
    assert "Wren" not in {r.pseudonym for r in help_sought(lives).rows}
    for alignment in Alignment:
        assert wren not in {
            line.storyteller_uuid for line in align_lifelines(lives, alignment).lines
        }


def test_the_lifelines_csv(demo_room: DemoRoom) -> None:
    lives = read_lives(demo_room.vault)
    aligned = align_lifelines(lives, Alignment.AGE)
    names = {t.uuid: t.name for t in demo_room.themes.values()}
    rows = list(
        csv.reader(
            io.StringIO(
                csv_bytes(lambda out: write_lifelines_csv(aligned, out, names)).decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:4] == ["Storyteller", "Moment", "When", "Age"]
    assert len(rows) - 1 == sum(len(line.points) for line in aligned.lines)
    assert "Moth" not in {row[0] for row in rows[1:]}
    assert any(row[9] == "Nature and outdoors" for row in rows[1:])
    assert {row[7] for row in rows[1:] if row[6] == ""} <= {"not said"}
    by_year = align_lifelines(lives, Alignment.CALENDAR)
    header = next(
        csv.reader(
            io.StringIO(csv_bytes(lambda o: write_lifelines_csv(by_year, o)).decode("utf-8-sig"))
        )
    )
    assert header[3:6] == ["Year", "Year from", "Year to"]


def test_an_empty_room_has_nothing_to_align() -> None:
    aligned = align_lifelines([], Alignment.AGE)
    assert aligned == AlignedLifelines(Alignment.AGE, (), (), 5, {})
    assert aligned.span() is None and aligned.deepest() == [] and aligned.lives_drawn() == 0


# --- saving whole or not at all -----------------------------------------------------------------


def test_a_file_is_saved_whole_and_replaces_an_older_one(tmp_path: Path) -> None:
    target = tmp_path / "chart.csv"
    target.write_bytes(b"old")
    assert save_whole(target, b"new,words\n") == target
    assert target.read_bytes() == b"new,words\n"
    assert os.listdir(tmp_path) == ["chart.csv"]


def test_a_folder_that_is_not_there_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ExportNotSaved, match="folder isn't there"):
        save_whole(tmp_path / "gone" / "chart.png", b"\x89PNG")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a read-only folder")
def test_a_read_only_folder_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "chart.png").write_bytes(b"older")
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportNotSaved, match="can't be written to"):
            save_whole(folder / "chart.png", b"\x89PNG new")
        assert os.listdir(folder) == ["chart.png"]
        assert (folder / "chart.png").read_bytes() == b"older"
    finally:
        folder.chmod(0o700)


def test_a_write_that_fails_half_way_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_source: object, _target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(ExportNotSaved, match="no room left"):
        save_whole(tmp_path / "chart.svg", b"<svg/>")
    assert os.listdir(tmp_path) == []
