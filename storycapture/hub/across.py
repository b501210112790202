"""Across stories (Qt-free): which themes recur in which stories, the help people sought across
stories, and everyone's lifelines side by side; each as rows a chart draws and a CSV holds.

Everything here is worked out from the vault as it is now, so a storyteller erased by a
withdrawal is simply not there: nothing is cached on disk. Only pseudonyms are ever put in a
row, never real names; private moments are left out even if one were here (none reach a hub).
Nothing is invented: a moment with no date is left out (and counted), a moment with no feeling
said is not drawn on a line, and a date is placed no more precisely than it was given.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import errno
import functools
import io
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.fuzzydate import DateKind, FuzzyDate
from storycapture.domain.story import NO_DATE, Excerpt, HelpSeeking
from storycapture.domain.vocabulary import Helped, LifeArea, Visibility, describe_feeling
from storycapture.hub.room import RoomService, Theme, pseudonyms
from storycapture.services import records
from storycapture.services.kinds import STORYTELLER, TIMELINE_EVENT, help_from_value
from storycapture.services.vault import VaultSession
from storycapture.store import models

# --- stories × themes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    """Stories × themes: for each storyteller (rows, by pseudonym) and theme (columns, oldest
    first), the excerpts of theirs in it."""

    themes: list[Theme]
    storytellers: list[tuple[str, str]]  # (uuid, pseudonym) of everyone with an excerpt
    cells: dict[tuple[str, str], list[Excerpt]] = field(default_factory=dict)

    def excerpts(self, storyteller_uuid: str, theme_uuid: str) -> list[Excerpt]:
        return self.cells.get((storyteller_uuid, theme_uuid), [])

    def count(self, storyteller_uuid: str, theme_uuid: str) -> int:
        return len(self.excerpts(storyteller_uuid, theme_uuid))

    def stories_with(self, theme_uuid: str) -> int:
        """In how many stories a theme recurs."""
        return sum(1 for person, _ in self.storytellers if self.count(person, theme_uuid))

    def total(self, theme_uuid: str) -> int:
        return sum(self.count(person, theme_uuid) for person, _ in self.storytellers)

    def most(self) -> int:
        """The largest count in any cell (0 when there is none): what the darkest shade means."""
        return max((len(found) for found in self.cells.values()), default=0)


def theme_matrix(vault: VaultSession) -> Matrix:
    room = RoomService(vault)
    themes = room.themes()
    live = {t.uuid for t in themes}
    names = pseudonyms(vault)
    cells: dict[tuple[str, str], list[Excerpt]] = {}
    people: set[str] = set()
    for excerpt in room.excerpts():
        person = excerpt.storyteller_uuid
        if person not in names:
            continue
        people.add(person)
        for theme in excerpt.themes:
            if theme in live:
                cells.setdefault((person, theme), []).append(excerpt)
    rows = sorted(((p, names[p]) for p in people), key=lambda row: (row[1].casefold(), row[0]))
    return Matrix(themes, rows, cells)


def write_matrix_csv(matrix: Matrix, out: TextIO) -> None:
    """The matrix as a table for a spreadsheet or a slide: a row per story, a column per theme
    (counts of excerpts), then a row of the stories each theme recurs in."""
    writer = csv.writer(out)
    writer.writerow(["Storyteller", *(t.name for t in matrix.themes)])
    for person, pseudonym in matrix.storytellers:
        writer.writerow([pseudonym, *(matrix.count(person, t.uuid) for t in matrix.themes)])
    writer.writerow(
        ["Stories with this theme", *(matrix.stories_with(t.uuid) for t in matrix.themes)]
    )


# --- what the other two views read: each storyteller's shown moments ---------------------------


@dataclass(frozen=True)
class Moment:
    """One shown moment of a story, as the views across stories need it (no words but its
    title and its help-seeking): its own date as given, its feeling if said, its life area, and
    the themes of the excerpts taken from it."""

    uuid: str
    title: str
    starts: FuzzyDate | None
    valence: int | None
    life_area: LifeArea | None  # None when not read (help-seeking does not need it)
    help: HelpSeeking | None = None
    themes: tuple[str, ...] = ()
    ends: FuzzyDate | None = None

    def when(self) -> str:
        """Its date in words, as the timeline says it: "spring 2015", "1990 to 1994"."""
        if self.starts is None:
            return NO_DATE
        if self.ends is None:
            return self.starts.display()
        start, end = self.starts, self.ends
        if start.kind is DateKind.AGE and end.kind is DateKind.AGE and not end.approximate:
            return f"{start.display()} to {end.age_from}"
        return f"{self.starts.display()} to {self.ends.display()}"


@dataclass(frozen=True)
class Life:
    """A storyteller as the views across stories see them: pseudonym, birth year (if known)
    and their shown moments, oldest made first."""

    uuid: str
    pseudonym: str
    birth_year: int | None
    moments: tuple[Moment, ...]


# What each view reads of a moment: every field read is one more decryption per moment, and a
# hub may hold tens of thousands of moments.
_LIFELINE_FIELDS = ("title", "starts", "ends", "valence", "life_area", "visibility")
_HELP_FIELDS = ("title", "starts", "ends", "help", "visibility")


def read_lives(vault: VaultSession) -> list[Life]:
    """Every shown storyteller's shown moments, for the lifelines: no help-seeking is read
    (see :func:`read_help`). Private or deleted moments (and damaged rows, which hide only
    themselves) are left out. One query per kind, no ORM objects."""
    return _read(vault, _LIFELINE_FIELDS, with_help=False)


def read_help(vault: VaultSession) -> list[Life]:
    """Every shown storyteller with their shown moments that sought help (nothing of feeling,
    life area or themes is read: help-seeking needs none of them)."""
    return _read(vault, _HELP_FIELDS, with_help=True)


def _read(vault: VaultSession, fields: tuple[str, ...], with_help: bool) -> list[Life]:
    with vault.read() as session:
        ids = list(session.scalars(select(models.StorytellerRow.uuid)))
        people = records.read_fields(vault, session, STORYTELLER, ids, ("pseudonym", "birth_year"))
        found = records.read_fields(
            vault, session, TIMELINE_EVENT, [p.uuid for p in people], fields
        )
    themes_of = {} if with_help else _moment_themes(RoomService(vault))
    date_of = _DateReader()
    moments: dict[str, list[Moment]] = {}
    for item in found:
        values = item.values
        if values["visibility"] == Visibility.PRIVATE.value:
            continue
        if with_help and not values["help"]:
            continue
        try:
            moment = Moment(
                uuid=item.uuid,
                title=values["title"],
                starts=date_of(values["starts"]),
                valence=values.get("valence"),
                life_area=LifeArea(values["life_area"]) if "life_area" in values else None,
                help=help_from_value(values["help"]) if with_help else None,
                themes=themes_of.get(item.uuid, ()),
                ends=date_of(values["ends"]),
            )
        except (StoryCaptureError, ValueError, TypeError, KeyError):
            continue  # a moment the app could not show hides only itself
        moments.setdefault(item.storyteller_uuid, []).append(moment)
    lives = [
        Life(
            p.uuid,
            p.values["pseudonym"],
            p.values["birth_year"],
            tuple(moments.get(p.uuid, ())),
        )
        for p in people
    ]
    return sorted(lives, key=lambda life: (life.pseudonym.casefold(), life.uuid))


class _DateReader:
    """Stored dates to :class:`FuzzyDate`, each distinct one checked once (many moments share
    "1995" or "when I was 15")."""

    def __init__(self) -> None:
        self._known: dict[tuple[tuple[str, Any], ...], FuzzyDate] = {}

    def __call__(self, value: Any) -> FuzzyDate | None:
        if not value:
            return None
        key = tuple(sorted(value.items()))
        date = self._known.get(key)
        if date is None:
            date = self._known[key] = FuzzyDate.from_dict(value)
        return date


def _moment_themes(room: RoomService) -> dict[str, tuple[str, ...]]:
    """Moment uuid → the live themes of the excerpts taken from that moment (each once)."""
    live = {t.uuid for t in room.themes()}
    themes: dict[str, dict[str, None]] = {}
    for excerpt in room.excerpts():
        if excerpt.source.kind != TIMELINE_EVENT.name:
            continue
        kept = themes.setdefault(excerpt.source.uuid, {})
        for theme in excerpt.themes:
            if theme in live:
                kept[theme] = None
    return {moment: tuple(found) for moment, found in themes.items() if found}


# --- help-seeking across stories ---------------------------------------------------------------


class ServiceKind(StrEnum):
    """A kind of service (or person) help was asked of, grouped from the words "from whom"."""

    CRISIS_LINE = "crisis_line"
    MENTAL_HEALTH_TEAM = "mental_health_team"
    HOSPITAL = "hospital"
    GP = "gp"
    POLICE = "police"
    HOUSING = "housing"
    WORK = "work"
    EDUCATION = "education"
    FAITH = "faith"
    CHARITY = "charity"
    FAMILY = "family"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SERVICE_LABELS[self]


SERVICE_LABELS: Mapping[ServiceKind, str] = {
    ServiceKind.GP: "GP or doctor",
    ServiceKind.MENTAL_HEALTH_TEAM: "Mental health team",
    ServiceKind.HOSPITAL: "A&E or hospital",
    ServiceKind.CRISIS_LINE: "Crisis line or helpline",
    ServiceKind.POLICE: "Police",
    ServiceKind.HOUSING: "Housing or council",
    ServiceKind.WORK: "Work or benefits",
    ServiceKind.EDUCATION: "School, college or university",
    ServiceKind.CHARITY: "Charity, peer support or a group",
    ServiceKind.FAMILY: "Family or friends",
    ServiceKind.FAITH: "Faith group",
    ServiceKind.OTHER: "Other",
}

# The keyword table: the words (or runs of words) that put "from whom" in a kind of service.
# Matched as whole words, case-folded, "&" read as "and" ("A&E" is "a and e"). The first kind
# in this order with a match wins, the more particular before the more general: "a doctor at
# the community mental health team" is the mental health team, "a church group" a faith group,
# "my GP's receptionist" the GP. Family and friends come last, and not at all when the words
# name a service ("a counselling service my daughter found"). Nothing outside these words is
# guessed: the rest is "other".
SERVICE_KEYWORDS: tuple[tuple[ServiceKind, tuple[str, ...]], ...] = (
    (
        ServiceKind.CRISIS_LINE,
        (
            "crisis line",
            "helpline",
            "helplines",
            "help line",
            "hotline",
            "phone line",
            "text line",
            "text support",
            "samaritans",
            "nhs 111",
        ),
    ),
    (
        ServiceKind.MENTAL_HEALTH_TEAM,
        (
            "mental health team",
            "community mental health",
            "cmht",
            "crisis team",
            "home treatment team",
            "early intervention",
            "psychiatrist",
            "psychiatrists",
            "psychiatric",
            "psychiatry",
            "mental health nurse",
            "cpn",
            "mental health service",
            "mental health services",
        ),
    ),
    (
        ServiceKind.HOSPITAL,
        (
            "a and e",
            "accident and emergency",
            "emergency department",
            "casualty",
            "hospital",
            "hospitals",
            "ward",
            "ambulance",
            "paramedic",
            "paramedics",
        ),
    ),
    (
        ServiceKind.GP,
        ("gp", "gps", "doctor", "doctors", "surgery", "practice nurse", "family doctor"),
    ),
    (ServiceKind.POLICE, ("police", "policeman", "policewoman", "police officer")),
    (
        ServiceKind.HOUSING,
        (
            "housing",
            "council",
            "councils",
            "landlord",
            "homeless",
            "homelessness",
            "social services",
            "social worker",
            "social care",
        ),
    ),
    (
        ServiceKind.WORK,
        (
            "work",
            "job",
            "jobcentre",
            "job centre",
            "employer",
            "boss",
            "manager",
            "supervisor",
            "colleague",
            "colleagues",
            "occupational health",
            "benefits",
            "dwp",
            "universal credit",
        ),
    ),
    (
        ServiceKind.EDUCATION,
        (
            "school",
            "college",
            "university",
            "uni",
            "teacher",
            "teachers",
            "tutor",
            "lecturer",
            "student",
            "students",
        ),
    ),
    (
        ServiceKind.FAITH,
        (
            "faith",
            "church",
            "mosque",
            "temple",
            "synagogue",
            "gurdwara",
            "vicar",
            "priest",
            "imam",
            "rabbi",
            "chaplain",
            "pastor",
        ),
    ),
    (
        ServiceKind.CHARITY,
        (
            "charity",
            "charities",
            "peer support",
            "peer",
            "support group",
            "group",
            "groups",
            "food bank",
            "foodbank",
            "befriending",
            "volunteer",
            "volunteers",
            "citizens advice",
        ),
    ),
    (
        ServiceKind.FAMILY,
        (
            "family",
            "mum",
            "mother",
            "dad",
            "father",
            "parent",
            "parents",
            "brother",
            "sister",
            "partner",
            "husband",
            "wife",
            "boyfriend",
            "girlfriend",
            "son",
            "daughter",
            "nan",
            "gran",
            "grandma",
            "grandad",
            "grandmother",
            "grandfather",
            "aunt",
            "auntie",
            "uncle",
            "cousin",
            "friend",
            "friends",
            "mate",
            "mates",
            "neighbour",
            "neighbours",
        ),
    ),
)
# Words that say help came from a service of some kind: "a counselling service my daughter
# found" is not help from the family (it is "other", since counselling is not in the table).
_NAMES_A_SERVICE = frozenset(
    {
        "service",
        "services",
        "counselling",
        "counsellor",
        "therapist",
        "therapy",
        "clinic",
        "scheme",
        "team",
        "worker",
        "centre",
        "project",
    }
)
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold().replace("&", " and ")))


_KEYWORDS: tuple[tuple[ServiceKind, tuple[tuple[str, ...], ...]], ...] = tuple(
    (kind, tuple(_words(phrase) for phrase in phrases)) for kind, phrases in SERVICE_KEYWORDS
)


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))


@functools.lru_cache(maxsize=4096)
def kind_of_service(from_whom: str) -> ServiceKind:
    """The kind of service ``from_whom`` names, by the keyword table; "other" when none of its
    words are there (never a guess beyond it)."""
    words = _words(from_whom)
    for kind, phrases in _KEYWORDS:
        if kind is ServiceKind.FAMILY and _NAMES_A_SERVICE.intersection(words):
            break
        if any(_has_phrase(words, phrase) for phrase in phrases):
            return kind
    return ServiceKind.OTHER


# How it went, in the order a chart stacks it: helped, partly, didn't, not sure, not said.
HELPED_ORDER: tuple[Helped | None, ...] = (
    Helped.YES,
    Helped.PARTLY,
    Helped.NO,
    Helped.NOT_SURE,
    None,
)
NOT_SAID = "Not said"


def helped_words(helped: Helped | None) -> str:
    """Whether it helped, in words: "It helped" … "Not said"."""
    return NOT_SAID if helped is None else helped.label


@dataclass(frozen=True)
class HelpSought:
    """One time someone asked for help, as a row of the table across stories."""

    storyteller_uuid: str
    pseudonym: str
    moment_uuid: str
    moment: str  # its title
    when: str  # its date in words
    asked_for: str
    from_whom: str
    kind: ServiceKind
    what_happened: str
    helped: Helped | None

    def cells(self) -> tuple[str, ...]:
        """The row in words, in the order of ``HELP_CSV_HEADER`` (the table and the CSV)."""
        return (
            self.pseudonym,
            self.moment,
            self.when,
            self.asked_for,
            self.from_whom,
            self.kind.label,
            self.what_happened,
            helped_words(self.helped),
        )


@dataclass(frozen=True)
class HelpAcross:
    """Every time help was sought, across stories: rows for the table, counts for the chart."""

    rows: tuple[HelpSought, ...]

    def counts(self) -> dict[ServiceKind, dict[Helped | None, int]]:
        """Kind of service → how it went → how many times; only kinds that were asked of, in
        the order of the keyword table ("other" last), each with every way it could go."""
        counted = Counter((row.kind, row.helped) for row in self.rows)
        asked = {row.kind for row in self.rows}
        return {
            kind: {helped: counted[(kind, helped)] for helped in HELPED_ORDER}
            for kind in ServiceKind
            if kind in asked
        }

    def stories(self) -> int:
        """How many storytellers' stories these rows come from."""
        return len({row.storyteller_uuid for row in self.rows})


def help_sought(lives: Iterable[Life]) -> HelpAcross:
    """Every moment with help-seeking, across stories, in each story's order."""
    rows = [
        HelpSought(
            storyteller_uuid=life.uuid,
            pseudonym=life.pseudonym,
            moment_uuid=moment.uuid,
            moment=moment.title,
            when=moment.when(),
            asked_for=moment.help.asked_for,
            from_whom=moment.help.from_whom,
            kind=kind_of_service(moment.help.from_whom),
            what_happened=moment.help.what_happened,
            helped=moment.help.helped,
        )
        for life in lives
        for moment in life.moments
        if moment.help is not None
    ]
    return HelpAcross(tuple(rows))


def help_across(vault: VaultSession) -> HelpAcross:
    return help_sought(read_help(vault))


HELP_CSV_HEADER = (
    "Storyteller",
    "Moment",
    "When",
    "Asked for",
    "From whom",
    "Kind of service",
    "What happened",
    "Did it help",
)


def write_help_csv(help_rows: HelpAcross, out: TextIO) -> None:
    """Every time help was sought, a row each (pseudonyms only), for a spreadsheet."""
    writer = csv.writer(out)
    writer.writerow(HELP_CSV_HEADER)
    for row in help_rows.rows:
        writer.writerow(row.cells())


# --- lifelines aligned by age or by calendar ---------------------------------------------------


class Alignment(StrEnum):
    AGE = "age"
    CALENDAR = "calendar"


HARD = -2  # a moment that felt hard or very hard is where a life "dips"
BUCKET_YEARS = 5


@dataclass(frozen=True)
class LifelinePoint:
    """A moment on an aligned lifeline: ``x`` is the middle of where its date could be (age
    in years, or the calendar year), ``x_from``–``x_to`` all of it; ``valence`` None means no
    feeling was said (shown in lists, not drawn on the line)."""

    storyteller_uuid: str
    moment_uuid: str
    title: str
    when: str
    x: float
    x_from: float
    x_to: float
    valence: int | None
    life_area: LifeArea | None
    themes: tuple[str, ...]

    @property
    def drawn(self) -> bool:
        return self.valence is not None


@dataclass(frozen=True)
class Lifeline:
    storyteller_uuid: str
    pseudonym: str
    points: tuple[LifelinePoint, ...]  # placed moments, by x
    undated: int  # moments with no date: left out
    unplaced: int  # moments whose date cannot be placed this way (an age with no birth year…)

    def drawn(self) -> tuple[LifelinePoint, ...]:
        """The points the line goes through: placed moments with a feeling said."""
        return tuple(p for p in self.points if p.drawn)


@dataclass(frozen=True)
class AlignedLifelines:
    """Every storyteller's lifeline on one picture, by age or by calendar year, and where many
    lives dip: per bucket of ``bucket_years`` (its first year), how many storytellers have a
    hard moment (feeling −2 or −3) there."""

    alignment: Alignment
    lines: tuple[Lifeline, ...]
    no_birth_year: tuple[str, ...]  # pseudonyms left out of the age view
    bucket_years: int
    dips: dict[int, int]

    @property
    def undated(self) -> int:
        return sum(line.undated for line in self.lines)

    @property
    def unplaced(self) -> int:
        return sum(line.unplaced for line in self.lines)

    def lives_drawn(self) -> int:
        """How many lines are on the picture (a storyteller with a drawn point)."""
        return sum(1 for line in self.lines if line.drawn())

    def span(self) -> tuple[float, float] | None:
        """The smallest and largest x of any drawn point (its whole range), or None."""
        drawn = [p for line in self.lines for p in line.drawn()]
        if not drawn:
            return None
        return min(p.x_from for p in drawn), max(p.x_to for p in drawn)

    def deepest(self) -> list[int]:
        """The buckets where the most lives dip (several when tied); none if none dip."""
        most = max(self.dips.values(), default=0)
        return sorted(b for b, count in self.dips.items() if count == most and most > 0)

    def bucket_words(self, bucket: int) -> str:
        last = bucket + self.bucket_years - 1
        if self.alignment is Alignment.AGE:
            return f"ages {bucket}–{last}"
        return f"{bucket}–{last}"


def _year_fraction(day: datetime.date) -> float:
    start = datetime.date(day.year, 1, 1).toordinal()
    length = datetime.date(day.year + 1, 1, 1).toordinal() - start
    return day.year + (day.toordinal() - start) / length


def _resolver(life: Life) -> Callable[[str], tuple[datetime.date, datetime.date] | None]:
    """Places a moment's date named by another moment ("after I moved"); a missing moment or
    a loop of links leaves it unplaced."""
    by_uuid = {m.uuid: m for m in life.moments}
    placing: set[str] = set()

    def resolve(moment_uuid: str) -> tuple[datetime.date, datetime.date] | None:
        moment = by_uuid.get(moment_uuid)
        if moment is None or moment.starts is None or moment_uuid in placing:
            return None
        placing.add(moment_uuid)
        try:
            return moment.starts.date_range(life.birth_year, resolve)
        finally:
            placing.discard(moment_uuid)

    return resolve


def _placed(
    moment: Moment,
    life: Life,
    alignment: Alignment,
    resolve: Callable[[str], tuple[datetime.date, datetime.date] | None],
) -> tuple[float, float, float] | None:
    """(middle, from, to) of a moment's date on the axis, or None if it cannot be placed."""
    starts = moment.starts
    if starts is None:
        return None
    if alignment is Alignment.AGE:
        if life.birth_year is None:
            return None
        if starts.kind in (DateKind.AGE, DateKind.AGE_RANGE) and starts.age_from is not None:
            # Said as an age: exactly that age, a year of it (an "about" a year either side).
            widen = 1 if starts.approximate else 0
            low = starts.age_from - widen
            high = (starts.age_to if starts.age_to is not None else starts.age_from) + 1 + widen
            return (low + high) / 2, float(max(0, low)), float(high)
    found = starts.date_range(life.birth_year, resolve)
    if found is None:
        return None
    earliest, latest = found
    first = _year_fraction(earliest)
    last = _year_fraction(latest + datetime.timedelta(days=1))
    if alignment is Alignment.CALENDAR:
        return (first + last) / 2, first, last
    # By age, without the birthday: a day in year Y is age Y − born − 1 to Y − born, so the
    # middle of the birth year stands for the birthday (no day is invented, only averaged).
    born = life.birth_year
    assert born is not None
    middle = (first + last) / 2 - born - 0.5
    if middle < 0:
        return None  # before they were born (a parent's story): not on their age line
    return middle, max(0.0, first - born - 1), max(0.0, last - born)


def align_lifelines(
    lives: Iterable[Life], alignment: Alignment, bucket_years: int = BUCKET_YEARS
) -> AlignedLifelines:
    """Everyone's shown, dated moments placed by age or calendar year."""
    if bucket_years < 1:
        raise ValueError("a bucket is at least a year")
    lines: list[Lifeline] = []
    no_birth_year: list[str] = []
    for life in lives:
        if alignment is Alignment.AGE and life.birth_year is None:
            no_birth_year.append(life.pseudonym)
            continue
        resolve = _resolver(life)
        points: list[LifelinePoint] = []
        undated = unplaced = 0
        for moment in life.moments:
            if moment.starts is None:
                undated += 1
                continue
            placed = _placed(moment, life, alignment, resolve)
            if placed is None:
                unplaced += 1
                continue
            x, x_from, x_to = placed
            points.append(
                LifelinePoint(
                    life.uuid,
                    moment.uuid,
                    moment.title,
                    moment.when(),
                    x,
                    x_from,
                    x_to,
                    moment.valence,
                    moment.life_area,
                    moment.themes,
                )
            )
        points.sort(key=lambda p: (p.x, p.moment_uuid))
        lines.append(Lifeline(life.uuid, life.pseudonym, tuple(points), undated, unplaced))
    return AlignedLifelines(
        alignment,
        tuple(lines),
        tuple(no_birth_year),
        bucket_years,
        _dips(lines, bucket_years),
    )


def _dips(lines: Sequence[Lifeline], bucket_years: int) -> dict[int, int]:
    hard: dict[int, set[str]] = {}
    for line in lines:
        for point in line.points:
            if point.valence is not None and point.valence <= HARD:
                bucket = math.floor(point.x / bucket_years) * bucket_years
                hard.setdefault(bucket, set()).add(line.storyteller_uuid)
    return {bucket: len(people) for bucket, people in sorted(hard.items())}


def aligned_lifelines(vault: VaultSession, alignment: Alignment) -> AlignedLifelines:
    return align_lifelines(read_lives(vault), alignment)


@dataclass(frozen=True)
class Emphasis:
    """What a highlight makes stand out on the aligned lifelines: the moments that match it
    and the lines they are on (everything else fades). Nothing chosen: nothing stands out."""

    theme: str | None = None  # a theme's uuid
    life_area: LifeArea | None = None
    moments: frozenset[str] = frozenset()
    lines: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return self.theme is not None or self.life_area is not None


def emphasis(
    aligned: AlignedLifelines, *, theme: str | None = None, life_area: LifeArea | None = None
) -> Emphasis:
    """The moments in ``theme`` (an excerpt of theirs is in it) or of ``life_area``, and the
    lines they are on. Only drawn moments count (a moment not on the line cannot stand out)."""
    if theme is None and life_area is None:
        return Emphasis()
    moments: set[str] = set()
    lines: set[str] = set()
    for line in aligned.lines:
        for point in line.drawn():
            if (theme is not None and theme in point.themes) or (
                life_area is not None and point.life_area is life_area
            ):
                moments.add(point.moment_uuid)
                lines.add(line.storyteller_uuid)
    return Emphasis(theme, life_area, frozenset(moments), frozenset(lines))


LIFELINES_CSV_HEADER = (
    "Storyteller",
    "Moment",
    "When",
    "Age",
    "Age from",
    "Age to",
    "Feeling",
    "Feeling in words",
    "Life area",
    "Themes",
)


def write_lifelines_csv(
    aligned: AlignedLifelines, out: TextIO, theme_names: Mapping[str, str] | None = None
) -> None:
    """Every placed moment, a row each (pseudonyms only): where it sits on the axis (age, or
    calendar year, to one decimal: the middle and the whole range), its feeling as a number
    and in words (blank and "not said" when none was said), life area and themes."""
    names = theme_names or {}
    axis = "Age" if aligned.alignment is Alignment.AGE else "Year"
    header = [axis if h == "Age" else h.replace("Age", axis) for h in LIFELINES_CSV_HEADER]
    writer = csv.writer(out)
    writer.writerow(header)
    for line in aligned.lines:
        for point in line.points:
            writer.writerow(
                [
                    line.pseudonym,
                    point.title,
                    point.when,
                    f"{point.x:.1f}",
                    f"{point.x_from:.1f}",
                    f"{point.x_to:.1f}",
                    "" if point.valence is None else point.valence,
                    describe_feeling(point.valence),
                    "" if point.life_area is None else point.life_area.label,
                    "; ".join(names.get(t, "") for t in point.themes if t in names),
                ]
            )


# --- saving an export ---------------------------------------------------------------------------


class ExportNotSaved(StoryCaptureError):
    """A picture or table could not be written where it was asked to go."""


def _why_not_saved(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "There is no room left there, so nothing was saved. Please choose another place."
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            "That place can't be written to (it may be read-only, or the file may be open in "
            "another program), so nothing was saved. Please choose another place."
        )
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "That folder isn't there any more, so nothing was saved. Please choose another."
    reason = (error.strerror or "").lower() or "something went wrong"
    return f"It could not be saved there ({reason}). Please choose another place."


def save_whole(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` whole or not at all: under a temporary name in the same
    folder, then renamed over it. A problem raises :class:`ExportNotSaved` in plain words and
    leaves nothing behind (an older file of that name stays as it was)."""
    target = Path(target)
    partial: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            prefix=".storycapture-", suffix=".partial", dir=target.parent
        )
        partial = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
        partial = None
    except OSError as error:
        raise ExportNotSaved(_why_not_saved(error)) from error
    finally:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink()
    return target


def csv_bytes(write: Callable[[TextIO], Any]) -> bytes:
    """What a CSV writer writes, as UTF-8 with a byte-order mark (spreadsheets then read the
    curly quotes and accents in people's words right)."""
    out = io.StringIO(newline="")
    write(out)
    return out.getvalue().encode("utf-8-sig")
