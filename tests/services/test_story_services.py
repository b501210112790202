"""Story services: storytellers, consent, visits, timeline, strengths, words, photos, history."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storycapture.domain.authorship import Author
from storycapture.domain.errors import (
    ConsentMissing,
    InvalidFuzzyDate,
    InvalidInput,
    NotFound,
    VaultDamaged,
)
from storycapture.domain.fuzzydate import DateKind
from storycapture.domain.story import BoardPosition
from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem, PlaceType, Visibility
from storycapture.services import kinds, records
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.media import PhotoService
from storycapture.services.overview import storyteller_summaries
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.store import models
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE

STORYTELLER = Author.storyteller()
TODAY = datetime.date.today()


def assert_plain(message: str) -> None:
    """A message for a person: words ending in a full stop, no internals, no traceback."""
    assert message.strip() and message.rstrip().endswith(".")
    assert "\n" not in message
    for internal in ("sqlite", "Error", "Traceback", "errno", "0x", "b'"):
        assert internal not in message


def operation_count(vault: VaultSession) -> int:
    with vault.read() as session:
        return session.scalar(select(func.count()).select_from(models.OperationRow)) or 0


def row_count(vault: VaultSession, table: type[models.Base]) -> int:
    with vault.read() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def relock(vault: VaultSession) -> VaultSession:
    vault.lock()
    return VaultSession.unlock(vault.data_dir, PASSPHRASE)


@pytest.fixture
def reopened(vault: VaultSession) -> Iterator[list[VaultSession]]:
    """Sessions a test opens again after locking; all locked at the end."""
    sessions: list[VaultSession] = []
    yield sessions
    for session in sessions:
        session.lock()


def add_consent(vault: VaultSession, person: str, items: list[ConsentItem]) -> None:
    ConsentService(vault).record(
        person,
        items=items,
        how=ConsentHow.VERBAL,
        given_on="2026-01-05",
        facilitator="Priya",
        author=FACILITATOR,
    )


def add_with_consent(
    vault: VaultSession, pseudonym: str, items: list[ConsentItem] | None = None
) -> str:
    person = StorytellerService(vault).add(pseudonym, author=FACILITATOR)
    ConsentService(vault).record(
        person.uuid,
        items=[ConsentItem.TAKE_PART] if items is None else items,
        how=ConsentHow.VERBAL,
        given_on="2026-01-05",
        facilitator="Priya",
        author=FACILITATOR,
    )
    return person.uuid


# --- storytellers ------------------------------------------------------------------------


def test_storytellers_are_listed_by_pseudonym_ignoring_case(vault: VaultSession) -> None:
    service = StorytellerService(vault)
    for name in ("zed", "Alder", "beech"):
        service.add(name, author=FACILITATOR)
    assert [s.pseudonym for s in service.list()] == ["Alder", "beech", "zed"]


def test_storyteller_update_changes_only_what_is_given(vault: VaultSession) -> None:
    service = StorytellerService(vault)
    zed = service.add("zed", author=FACILITATOR, real_name="Zed Smith", birth_year=1970)
    service.add("Alder", author=FACILITATOR)

    updated = service.update(zed.uuid, author=FACILITATOR, pseudonym="Aaron", notes="likes tea")

    assert updated.pseudonym == "Aaron"
    assert updated.real_name == "Zed Smith"
    assert updated.birth_year == 1970
    assert updated.notes == "likes tea"
    assert service.get(zed.uuid) == updated
    assert [s.pseudonym for s in service.list()] == ["Aaron", "Alder"]

    cleared = service.update(zed.uuid, author=FACILITATOR, real_name="", birth_year=None)
    assert cleared.real_name is None
    assert cleared.birth_year is None


def test_an_update_that_changes_nothing_records_nothing(vault: VaultSession) -> None:
    service = StorytellerService(vault)
    person = service.add("Juniper", author=FACILITATOR, notes="n")
    before = operation_count(vault)
    service.update(person.uuid, author=FACILITATOR, pseudonym="Juniper", notes="n")
    assert operation_count(vault) == before


@pytest.mark.parametrize("pseudonym", ["", "   ", "\n\t"])
def test_a_pseudonym_is_required(vault: VaultSession, pseudonym: str) -> None:
    service = StorytellerService(vault)
    with pytest.raises(InvalidInput) as refused:
        service.add(pseudonym, author=FACILITATOR)
    assert_plain(str(refused.value))
    assert "pseudonym" in str(refused.value)
    person = service.add("Juniper", author=FACILITATOR)
    with pytest.raises(InvalidInput):
        service.update(person.uuid, author=FACILITATOR, pseudonym=pseudonym)
    assert service.get(person.uuid).pseudonym == "Juniper"


@pytest.mark.parametrize("birth_year", [TODAY.year + 1, TODAY.year - 131, "1980", 1980.0])
def test_a_birth_year_out_of_range_is_refused(vault: VaultSession, birth_year: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        StorytellerService(vault).add("Juniper", author=FACILITATOR, birth_year=birth_year)
    assert_plain(str(refused.value))


def test_updating_an_unknown_storyteller_is_not_found(vault: VaultSession) -> None:
    with pytest.raises(NotFound) as refused:
        StorytellerService(vault).update(
            "00000000-0000-0000-0000-000000000000", author=FACILITATOR, notes="x"
        )
    assert_plain(str(refused.value))


def test_over_long_text_is_refused_and_nothing_is_written(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    people = StorytellerService(vault)
    timeline = TimelineService(vault)
    words = StoryWordsService(vault)
    strengths = StrengthService(vault)
    event = timeline.add_event(storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR)
    before = operation_count(vault)

    attempts = [
        lambda: people.add("p" * 201, author=FACILITATOR),
        lambda: people.add("Rowan", author=FACILITATOR, notes="n" * 20_001),
        lambda: people.update(storyteller_uuid, author=FACILITATOR, pseudonym="p" * 201),
        lambda: timeline.add_event(
            storyteller_uuid, title="t" * 201, starts="2015", author=FACILITATOR
        ),
        lambda: timeline.add_event(
            storyteller_uuid, title="t", words="w" * 20_001, starts="2015", author=FACILITATOR
        ),
        lambda: timeline.update_event(event.uuid, author=FACILITATOR, words="w" * 20_001),
        lambda: words.add_quote(storyteller_uuid, "q" * 20_001, author=FACILITATOR),
        lambda: words.add_note(storyteller_uuid, "n" * 20_001, author=FACILITATOR),
        lambda: strengths.add_card(
            storyteller_uuid, kind=CardKind.STRENGTH, text="c" * 501, author=FACILITATOR
        ),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert_plain(str(refused.value))
        assert "at most" in str(refused.value)

    assert operation_count(vault) == before
    assert len(people.list()) == 1
    assert timeline.get_event(event.uuid).words == ""


def test_text_at_the_limits_is_kept(vault: VaultSession, storyteller_uuid: str) -> None:
    person = StorytellerService(vault).add("p" * 200, author=FACILITATOR, notes="n" * 20_000)
    assert StorytellerService(vault).get(person.uuid).notes == "n" * 20_000
    quote = StoryWordsService(vault).add_quote(storyteller_uuid, "q" * 20_000, author=FACILITATOR)
    assert quote.text == "q" * 20_000


UNUSUAL_TEXT = [
    pytest.param("Ju\x00ni\x07per\x1b[31m", id="control characters and NUL"),
    pytest.param("👩🏽‍🦱 and 🏳️‍🌈 and 😀", id="emoji with joiners"),
    pytest.param("שלום עולם — 你好，世界 — مرحبا", id="RTL and CJK mixed"),
    pytest.param("a\u202eb\u200fc\u200dd", id="bidi override and invisible marks"),
    pytest.param("e\u0301 versus \u00e9", id="combining versus precomposed"),
    pytest.param("  leading and trailing  \r\n\ttabs\n", id="whitespace"),
    pytest.param('quotes " \' \\ and {"json": true}', id="json-looking"),
]


@pytest.mark.parametrize("text", UNUSUAL_TEXT)
def test_unusual_text_is_kept_exactly_through_lock_and_unlock(
    vault: VaultSession, storyteller_uuid: str, reopened: list[VaultSession], text: str
) -> None:
    person = StorytellerService(vault).add(f"X{text}", author=FACILITATOR, notes=text)
    event = TimelineService(vault).add_event(
        storyteller_uuid, title=f"T{text}", words=text, starts="2015", author=FACILITATOR
    )
    quote = StoryWordsService(vault).add_quote(storyteller_uuid, text, author=STORYTELLER)

    again = relock(vault)
    reopened.append(again)

    kept = StorytellerService(again).get(person.uuid)
    assert kept.pseudonym == f"X{text}"
    assert kept.notes == text
    kept_event = TimelineService(again).get_event(event.uuid)
    assert kept_event.title == f"T{text}"
    assert kept_event.words == text
    assert [q.text for q in StoryWordsService(again).quotes(storyteller_uuid)] == [quote.text]
    assert quote.text == text


def test_a_lone_surrogate_is_refused_plainly_and_nothing_is_written(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    """Half of an emoji from a broken paste cannot be stored as UTF-8: a plain refusal."""
    event = TimelineService(vault).add_event(
        storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR
    )
    before = operation_count(vault)
    attempts = [
        lambda: StorytellerService(vault).add("Ju\ud800niper", author=FACILITATOR),
        lambda: StorytellerService(vault).update(
            storyteller_uuid, author=FACILITATOR, notes="a\udfffb"
        ),
        lambda: TimelineService(vault).update_event(
            event.uuid, author=FACILITATOR, words="scared \ud83d"
        ),
        lambda: TimelineService(vault).add_event(
            storyteller_uuid, title="Next", starts="after Moved\ud800", author=FACILITATOR
        ),
        lambda: StoryWordsService(vault).add_quote(storyteller_uuid, "\udc00", author=STORYTELLER),
        lambda: VisitService(vault).start(storyteller_uuid, author=FACILITATOR, notes="\ud800"),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert str(refused.value).strip()
        assert "codec" not in str(refused.value)
    assert operation_count(vault) == before
    assert StorytellerService(vault).get(storyteller_uuid).notes == ""


def test_a_facilitator_name_with_a_lone_surrogate_is_refused_plainly(
    vault: VaultSession,
) -> None:
    with pytest.raises(InvalidInput):
        author = Author.facilitator("Pri\ud800ya")
        StorytellerService(vault).add("Juniper", author=author)
    assert StorytellerService(vault).list() == []


# --- consent -----------------------------------------------------------------------------


def test_consent_versions_count_up_and_history_keeps_them_all(vault: VaultSession) -> None:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR)
    consent = ConsentService(vault)
    assert consent.current(person.uuid) is None

    first = consent.record(
        person.uuid,
        items=["take_part", "photos"],
        how="verbal",
        given_on="2026-01-05",
        facilitator="Priya",
        author=FACILITATOR,
    )
    second = consent.record(
        person.uuid,
        items=[ConsentItem.TAKE_PART],
        how=ConsentHow.SIGNED_ON_SCREEN,
        given_on=datetime.date(2026, 2, 1),
        facilitator="Sam",
        author=FACILITATOR,
        signature=b"\x89PNG drawn signature",
    )

    assert (first.version, second.version) == (1, 2)
    assert first.items == {ConsentItem.TAKE_PART, ConsentItem.PHOTOS}
    current = consent.current(person.uuid)
    assert current is not None
    assert current.version == 2
    assert current.items == {ConsentItem.TAKE_PART}
    assert current.signature == b"\x89PNG drawn signature"
    assert current.facilitator == "Sam"
    assert [c.version for c in consent.history(person.uuid)] == [1, 2]
    assert consent.history(person.uuid)[0].given_on == datetime.date(2026, 1, 5)


def test_consent_is_required_for_story_content(vault: VaultSession, tmp_path: Path) -> None:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR).uuid
    photo = tmp_path / "garden.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    before = operation_count(vault)

    attempts = [
        lambda: TimelineService(vault).add_event(
            person, title="Moved", starts="2015", author=FACILITATOR
        ),
        lambda: VisitService(vault).start(person, author=FACILITATOR),
        lambda: StrengthService(vault).add_card(
            person, kind=CardKind.HOPE, text="a garden", author=FACILITATOR
        ),
        lambda: StoryWordsService(vault).add_quote(person, "words", author=FACILITATOR),
        lambda: StoryWordsService(vault).add_note(person, "words", author=FACILITATOR),
        lambda: PhotoService(vault).add(person, photo, author=FACILITATOR),
    ]
    for attempt in attempts:
        with pytest.raises(ConsentMissing) as refused:
            attempt()
        assert_plain(str(refused.value))
    assert operation_count(vault) == before
    assert not vault.media_dir(person).exists() or not any(vault.media_dir(person).iterdir())


@pytest.mark.parametrize("items", [[], [ConsentItem.PHOTOS, ConsentItem.SHARE_WITH_TEAM]])
def test_consent_without_taking_part_is_refused_in_plain_words(
    vault: VaultSession, items: list[ConsentItem]
) -> None:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR).uuid
    before = operation_count(vault)
    with pytest.raises(InvalidInput) as refused:
        add_consent(vault, person, items)
    assert_plain(str(refused.value))
    assert "recorded only when they agree to take part" in str(refused.value)
    assert ConsentService(vault).current(person) is None
    assert operation_count(vault) == before


def test_a_later_version_without_taking_part_is_refused_too(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_consent(vault, storyteller_uuid, [ConsentItem.PHOTOS])
    assert "withdraw consent instead" in str(refused.value)
    current = ConsentService(vault).current(storyteller_uuid)
    assert current is not None and current.version == 1


def test_an_older_consent_to_nothing_reads_as_no_consent(vault: VaultSession) -> None:
    """Earlier versions of the app could record consent with nothing ticked; such a record
    (kept here as it was, and as bundles may still carry it) allows nothing."""
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR).uuid
    values = {
        "items": [],
        "how": "verbal",
        "given_on": "2026-01-05",
        "facilitator": "Priya",
        "signature": None,
        "version": 1,
        "deleted": False,
    }
    with vault.edit() as session:
        records.insert(vault, session, kinds.CONSENT, person, values, FACILITATOR)
    current = ConsentService(vault).current(person)
    assert current is not None and current.agreed() == []
    with pytest.raises(ConsentMissing):
        TimelineService(vault).add_event(person, title="Moved", starts="2015", author=FACILITATOR)
    (summary,) = [s for s in storyteller_summaries(vault) if s.uuid == person]
    assert summary.consent_words() == "Not agreed to take part"


def test_photos_need_photo_consent(vault: VaultSession, tmp_path: Path) -> None:
    person = add_with_consent(vault, "Rowan", items=[ConsentItem.TAKE_PART])
    photo = tmp_path / "garden.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(ConsentMissing) as refused:
        PhotoService(vault).add(person, photo, author=FACILITATOR)
    assert "photos" in str(refused.value).lower()
    assert not vault.media_dir(person).exists() or not any(vault.media_dir(person).iterdir())
    # Taking part alone is enough for everything else.
    TimelineService(vault).add_event(person, title="Moved", starts="2015", author=FACILITATOR)


def test_narrowed_consent_stops_photos(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path
) -> None:
    photo = tmp_path / "garden.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    PhotoService(vault).add(storyteller_uuid, photo, author=FACILITATOR)
    ConsentService(vault).record(
        storyteller_uuid,
        items=[ConsentItem.TAKE_PART],
        how=ConsentHow.VERBAL,
        given_on=TODAY,
        facilitator="Priya",
        author=FACILITATOR,
    )
    with pytest.raises(ConsentMissing):
        PhotoService(vault).add(storyteller_uuid, photo, author=FACILITATOR)


@pytest.mark.parametrize(
    "items",
    [[ConsentItem.PHOTOS], [ConsentItem.AUDIO, ConsentItem.SHARE_WITH_TEAM], ["photos"]],
)
def test_items_without_taking_part_are_refused(vault: VaultSession, items: list) -> None:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR)
    with pytest.raises(InvalidInput) as refused:
        ConsentService(vault).record(
            person.uuid,
            items=items,
            how=ConsentHow.VERBAL,
            given_on="2026-01-05",
            facilitator="Priya",
            author=FACILITATOR,
        )
    assert_plain(str(refused.value))
    assert ConsentService(vault).current(person.uuid) is None


def test_consent_in_the_future_is_refused(vault: VaultSession) -> None:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR)
    with pytest.raises(InvalidInput) as refused:
        ConsentService(vault).record(
            person.uuid,
            items=[ConsentItem.TAKE_PART],
            how=ConsentHow.VERBAL,
            given_on=TODAY + datetime.timedelta(days=1),
            facilitator="Priya",
            author=FACILITATOR,
        )
    assert_plain(str(refused.value))
    assert ConsentService(vault).current(person.uuid) is None


@pytest.mark.parametrize(
    ("changes", "word"),
    [
        ({"given_on": "yesterday"}, "date"),
        ({"how": "by carrier pigeon"}, "choices"),
        ({"facilitator": "  "}, "facilitator"),
        ({"items": ["take_part", "everything"]}, "choices"),
    ],
)
def test_consent_with_bad_details_is_refused(vault: VaultSession, changes: dict, word: str) -> None:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR)
    details = {
        "items": [ConsentItem.TAKE_PART],
        "how": ConsentHow.VERBAL,
        "given_on": "2026-01-05",
        "facilitator": "Priya",
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        ConsentService(vault).record(person.uuid, author=FACILITATOR, **details)
    assert word in str(refused.value)
    assert ConsentService(vault).current(person.uuid) is None


def test_consent_for_an_unknown_storyteller_is_not_found(vault: VaultSession) -> None:
    with pytest.raises(NotFound):
        ConsentService(vault).record(
            "00000000-0000-0000-0000-000000000000",
            items=[ConsentItem.TAKE_PART],
            how=ConsentHow.VERBAL,
            given_on="2026-01-05",
            facilitator="Priya",
            author=FACILITATOR,
        )


# --- visits ------------------------------------------------------------------------------


def test_visits_start_list_and_update(vault: VaultSession, storyteller_uuid: str) -> None:
    visits = VisitService(vault)
    first = visits.start(
        storyteller_uuid,
        author=FACILITATOR,
        visit_date="2026-03-02",
        place_type="Community space",
        present="Juniper, Priya",
    )
    second = visits.start(storyteller_uuid, author=FACILITATOR)  # today, at home

    assert first.place_type is PlaceType.COMMUNITY_SPACE
    assert second.visit_date == TODAY
    assert second.place_type is PlaceType.HOME
    assert [v.uuid for v in visits.list(storyteller_uuid)] == [second.uuid, first.uuid]

    updated = visits.update(first.uuid, author=FACILITATOR, notes="brought photos", present="")
    assert updated.notes == "brought photos"
    assert updated.present == ""
    assert updated.visit_date == datetime.date(2026, 3, 2)
    assert visits.list(storyteller_uuid)[1] == updated


@pytest.mark.parametrize(
    "visit_date", [TODAY + datetime.timedelta(days=2), "not a date", "2026-02-30"]
)
def test_a_bad_or_future_visit_date_is_refused(
    vault: VaultSession, storyteller_uuid: str, visit_date: object
) -> None:
    with pytest.raises(InvalidInput) as refused:
        VisitService(vault).start(storyteller_uuid, author=FACILITATOR, visit_date=visit_date)
    assert_plain(str(refused.value))
    assert VisitService(vault).list(storyteller_uuid) == []


def test_a_visit_recap_counts_what_was_added_during_it_and_what_is_private(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path
) -> None:
    visits, timeline = VisitService(vault), TimelineService(vault)
    earlier = visits.start(storyteller_uuid, author=FACILITATOR, visit_date="2026-03-02")
    timeline.add_event(  # in the earlier visit: not this one's
        storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR, visit_uuid=earlier.uuid
    )
    photo = tmp_path / "before.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    PhotoService(vault).add(storyteller_uuid, photo, author=FACILITATOR)  # before it started
    visit = visits.start(storyteller_uuid, author=FACILITATOR)
    for title, visibility in (("A", "private"), ("B", "team"), ("C", "shareable")):
        timeline.add_event(
            storyteller_uuid,
            title=title,
            starts="2019",
            visibility=visibility,
            author=FACILITATOR,
            visit_uuid=visit.uuid,
        )
    gone = StoryWordsService(vault).add_note(
        storyteller_uuid, "Taken back.", author=FACILITATOR, visit_uuid=visit.uuid
    )
    StoryWordsService(vault).update_note(gone.uuid, author=FACILITATOR, deleted=True)
    StoryWordsService(vault).add_quote(
        storyteller_uuid, "Mine.", visibility="private", author=FACILITATOR, visit_uuid=visit.uuid
    )
    PhotoService(vault).add(storyteller_uuid, photo, visibility="private", author=FACILITATOR)

    recap = visits.recap(visit.uuid)
    assert recap.visit == visit
    assert recap.added == {"timeline_event": 3, "quote": 1, "photo": 1}
    assert recap.private == {"timeline_event": 1, "quote": 1, "photo": 1}
    assert (recap.total, recap.total_private) == (5, 3)
    assert visits.recap(earlier.uuid).added["timeline_event"] == 1
    with pytest.raises(NotFound):
        visits.recap("00000000-0000-0000-0000-000000000000")


# --- timeline ----------------------------------------------------------------------------


def test_events_are_in_time_order_with_ages_and_anchors(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)

    def add(title: str, starts: str) -> str:
        return timeline.add_event(
            storyteller_uuid, title=title, starts=starts, author=FACILITATOR
        ).uuid

    # Added out of order on purpose; the storyteller was born in 1980.
    unplaced = add("Something", "after a thing nobody wrote down")
    allotment = add("Found the allotment", "after Moved to Leeds")
    leeds = add("Moved to Leeds", "spring 2015")
    hard_time = add("A hard time", "before moved to leeds")
    school = add("Started school", "when I was 5")
    nineties = add("Music", "the 1990s")
    allotment_again = add("Allotment prize", "after moved to Leeds.")

    events = timeline.events(storyteller_uuid)
    # Dates that cannot be placed come last, in the order they were added.
    assert [e.uuid for e in events] == [
        school,
        nineties,
        hard_time,
        leeds,
        allotment_again,
        unplaced,
        allotment,
    ]

    by_uuid = {e.uuid: e for e in events}
    # "after Moved to Leeds" was typed before that event existed, so it names no event.
    assert by_uuid[allotment].starts.kind is DateKind.AFTER
    assert by_uuid[allotment].starts.anchor_uuid is None
    # Matching a title ignores case and a final full stop.
    assert by_uuid[hard_time].starts.anchor_uuid == leeds
    assert by_uuid[allotment_again].starts.anchor_uuid == leeds
    assert by_uuid[unplaced].starts.anchor_uuid is None
    assert by_uuid[school].starts.age_from == 5


def test_an_anchor_to_an_existing_event_places_it(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    leeds = timeline.add_event(
        storyteller_uuid, title="Moved to Leeds", starts="2015", author=FACILITATOR
    )
    before = timeline.add_event(
        storyteller_uuid, title="Packing", starts="before Moved to Leeds", author=FACILITATOR
    )
    after = timeline.add_event(
        storyteller_uuid, title="New flat", starts="after Moved to Leeds", author=FACILITATOR
    )
    assert before.starts.anchor_uuid == leeds.uuid == after.starts.anchor_uuid
    assert [e.uuid for e in timeline.events(storyteller_uuid)] == [
        before.uuid,
        leeds.uuid,
        after.uuid,
    ]
    placer = timeline.placer(storyteller_uuid)
    _start, end = placer.range_of(timeline.get_event(before.uuid))
    assert end == datetime.date(2014, 12, 31)


def test_age_dates_without_a_birth_year_go_last(vault: VaultSession) -> None:
    person = add_with_consent(vault, "Rowan")  # no birth year
    timeline = TimelineService(vault)
    age = timeline.add_event(person, title="School", starts="when I was 5", author=FACILITATOR)
    year = timeline.add_event(person, title="Moved", starts="2015", author=FACILITATOR)
    assert [e.uuid for e in timeline.events(person)] == [year.uuid, age.uuid]


def test_events_update_remove_and_restore(vault: VaultSession, storyteller_uuid: str) -> None:
    timeline = TimelineService(vault)
    event = timeline.add_event(
        storyteller_uuid,
        title="Moved to Leeds",
        starts="2015",
        ends="2017",
        valence=-2,
        author=FACILITATOR,
    )
    assert event.is_period

    updated = timeline.update_event(
        event.uuid, author=FACILITATOR, valence=3, life_area="Home and housing", ends=None
    )
    assert updated.valence == 3
    assert updated.life_area.value == "home_and_housing"
    assert updated.ends is None
    assert updated.title == "Moved to Leeds"

    timeline.remove_event(event.uuid, author=FACILITATOR)
    assert timeline.events(storyteller_uuid) == []
    restored = timeline.restore_event(event.uuid, author=FACILITATOR)
    assert [e.uuid for e in timeline.events(storyteller_uuid)] == [event.uuid]
    assert restored.valence == 3


# (Nothing typed is no date yet, not a date that can't be read: see tests/timeline/test_undated.py.)
@pytest.mark.parametrize("starts", ["next tuesday-ish", "13/2015", "30 February 2015", "42"])
def test_a_date_we_cannot_read_is_refused(
    vault: VaultSession, storyteller_uuid: str, starts: str
) -> None:
    before = operation_count(vault)
    with pytest.raises(InvalidFuzzyDate) as refused:
        TimelineService(vault).add_event(
            storyteller_uuid, title="Moved", starts=starts, author=FACILITATOR
        )
    assert str(refused.value).strip()
    assert "Error" not in str(refused.value)
    assert operation_count(vault) == before


def test_updating_to_an_unreadable_date_changes_nothing(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    event = timeline.add_event(storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR)
    with pytest.raises(InvalidFuzzyDate):
        timeline.update_event(event.uuid, author=FACILITATOR, starts="whenever", title="New")
    assert timeline.get_event(event.uuid).title == "Moved"


# (None is "not said", which is kept: see tests/timeline/test_undated.py.)
@pytest.mark.parametrize("valence", [4, -4, 100, "2", 1.5, True])
def test_valence_outside_minus_three_to_three_is_refused(
    vault: VaultSession, storyteller_uuid: str, valence: object
) -> None:
    with pytest.raises(InvalidInput) as refused:
        TimelineService(vault).add_event(
            storyteller_uuid, title="Moved", starts="2015", valence=valence, author=FACILITATOR
        )
    assert_plain(str(refused.value))
    assert TimelineService(vault).events(storyteller_uuid) == []


@pytest.mark.parametrize("valence", [-3, 0, 3])
def test_valence_at_the_ends_is_kept(
    vault: VaultSession, storyteller_uuid: str, valence: int
) -> None:
    event = TimelineService(vault).add_event(
        storyteller_uuid, title="Moved", starts="2015", valence=valence, author=FACILITATOR
    )
    assert TimelineService(vault).get_event(event.uuid).valence == valence


def test_an_event_cannot_link_to_another_storytellers_visit(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    other = add_with_consent(vault, "Rowan")
    their_visit = VisitService(vault).start(other, author=FACILITATOR)
    own_visit = VisitService(vault).start(storyteller_uuid, author=FACILITATOR)
    timeline = TimelineService(vault)

    with pytest.raises(NotFound) as refused:
        timeline.add_event(
            storyteller_uuid,
            title="Moved",
            starts="2015",
            visit_uuid=their_visit.uuid,
            author=FACILITATOR,
        )
    assert_plain(str(refused.value))
    with pytest.raises(NotFound):
        timeline.add_event(
            storyteller_uuid,
            title="Moved",
            starts="2015",
            visit_uuid="00000000-0000-0000-0000-000000000000",
            author=FACILITATOR,
        )
    linked = timeline.add_event(
        storyteller_uuid,
        title="Moved",
        starts="2015",
        visit_uuid=own_visit.uuid,
        author=STORYTELLER,
    )
    assert linked.visit_uuid == own_visit.uuid
    assert [e.uuid for e in timeline.events(storyteller_uuid)] == [linked.uuid]


def test_timeline_of_an_unknown_event_is_not_found(vault: VaultSession) -> None:
    with pytest.raises(NotFound):
        TimelineService(vault).get_event("00000000-0000-0000-0000-000000000000")


# --- strengths ---------------------------------------------------------------------------


def test_cards_are_ordered_by_zone_then_order(vault: VaultSession, storyteller_uuid: str) -> None:
    strengths = StrengthService(vault)

    def add(kind: CardKind, text: str):
        return strengths.add_card(storyteller_uuid, kind=kind, text=text, author=FACILITATOR)

    hope = add(CardKind.HOPE, "a garden")
    patient = add(CardKind.STRENGTH, "patient")
    funny = add(CardKind.STRENGTH, "funny")
    hard = add(CardKind.HARD_RIGHT_NOW, "sleep")
    kind_card = add(CardKind.STRENGTH, "kind")

    assert [c.position.order for c in (patient, funny, kind_card)] == [0, 1, 2]
    assert hope.position.order == 0
    assert hard.position.order == 0
    assert [c.uuid for c in strengths.cards(storyteller_uuid)] == [
        patient.uuid,
        funny.uuid,
        kind_card.uuid,
        hope.uuid,
        hard.uuid,
    ]


def test_cards_move_change_colour_and_are_removed_and_restored(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    strengths = StrengthService(vault)
    first = strengths.add_card(
        storyteller_uuid, kind="strength", text="patient", author=FACILITATOR
    )
    second = strengths.add_card(storyteller_uuid, kind="strength", text="funny", author=STORYTELLER)

    moved = strengths.update_card(
        first.uuid,
        author=FACILITATOR,
        position=BoardPosition(order=5, x=12.5, y=-3.0),
        colour="#F4C95D",
    )
    assert moved.position == BoardPosition(5, 12.5, -3.0)
    assert moved.colour == "#F4C95D"
    assert [c.uuid for c in strengths.cards(storyteller_uuid)] == [second.uuid, first.uuid]

    for colour in ("red", "#FFF", "F4C95D", "#F4C95DZ", "#GGGGGG"):
        with pytest.raises(InvalidInput) as refused:
            strengths.update_card(first.uuid, author=FACILITATOR, colour=colour)
        assert_plain(str(refused.value))
    for position in (BoardPosition(0, float("nan"), 0.0), BoardPosition(0, 1e9, 0.0)):
        with pytest.raises(InvalidInput):
            strengths.update_card(first.uuid, author=FACILITATOR, position=position)
    assert strengths.cards(storyteller_uuid)[1] == moved

    strengths.remove_card(first.uuid, author=FACILITATOR)
    assert [c.uuid for c in strengths.cards(storyteller_uuid)] == [second.uuid]
    strengths.restore_card(first.uuid, author=FACILITATOR)
    assert [c.uuid for c in strengths.cards(storyteller_uuid)] == [second.uuid, first.uuid]

    moved_zone = strengths.update_card(second.uuid, author=FACILITATOR, kind=CardKind.HOPE)
    assert moved_zone.kind is CardKind.HOPE
    assert [c.uuid for c in strengths.cards(storyteller_uuid)] == [first.uuid, second.uuid]


def test_a_card_needs_text_and_a_known_prompt(vault: VaultSession, storyteller_uuid: str) -> None:
    strengths = StrengthService(vault)
    with pytest.raises(InvalidInput):
        strengths.add_card(storyteller_uuid, kind="strength", text="  ", author=FACILITATOR)
    with pytest.raises(InvalidInput):
        strengths.add_card(
            storyteller_uuid,
            kind="strength",
            text="x",
            prompt_id="Not A Prompt!",
            author=FACILITATOR,
        )
    with pytest.raises(InvalidInput):
        strengths.add_card(storyteller_uuid, kind="superpower", text="x", author=FACILITATOR)
    card = strengths.add_card(
        storyteller_uuid, kind="talent", text="x", prompt_id="good-listener", author=FACILITATOR
    )
    assert card.prompt_id == "good-listener"
    assert [c.uuid for c in strengths.cards(storyteller_uuid)] == [card.uuid]


# --- quotes and notes --------------------------------------------------------------------


def test_quotes_and_notes_with_visibility(vault: VaultSession, storyteller_uuid: str) -> None:
    words = StoryWordsService(vault)
    event = TimelineService(vault).add_event(
        storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR
    )
    visit = VisitService(vault).start(storyteller_uuid, author=FACILITATOR)

    private = words.add_quote(
        storyteller_uuid, "I kept it to myself", author=STORYTELLER, visibility="private"
    )
    shared = words.add_quote(
        storyteller_uuid,
        "The garden saved me",
        author=STORYTELLER,
        visibility="Shareable",
        event_uuid=event.uuid,
        visit_uuid=visit.uuid,
    )
    note = words.add_note(storyteller_uuid, "Talked about the move", author=FACILITATOR)

    assert private.visibility is Visibility.PRIVATE
    assert shared.visibility is Visibility.SHAREABLE
    assert shared.event_uuid == event.uuid
    assert note.visibility is Visibility.TEAM
    assert [q.uuid for q in words.quotes(storyteller_uuid)] == [private.uuid, shared.uuid]
    assert [n.text for n in words.notes(storyteller_uuid)] == ["Talked about the move"]

    changed = words.update_quote(private.uuid, author=FACILITATOR, visibility=Visibility.TEAM)
    assert changed.visibility is Visibility.TEAM
    assert changed.text == "I kept it to myself"
    words.update_quote(shared.uuid, author=FACILITATOR, deleted=True)
    assert [q.uuid for q in words.quotes(storyteller_uuid)] == [private.uuid]
    words.update_note(note.uuid, author=FACILITATOR, text="Talked about Leeds")
    assert [n.text for n in words.notes(storyteller_uuid)] == ["Talked about Leeds"]

    with pytest.raises(InvalidInput):
        words.add_quote(storyteller_uuid, "x", author=STORYTELLER, visibility="public")
    with pytest.raises(InvalidInput):
        words.add_quote(storyteller_uuid, "   ", author=STORYTELLER)
    with pytest.raises(InvalidInput):
        words.update_note(note.uuid, author=FACILITATOR, text="")


def test_a_quote_cannot_link_to_another_storytellers_event(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    other = add_with_consent(vault, "Rowan")
    their_event = TimelineService(vault).add_event(
        other, title="Moved", starts="2015", author=FACILITATOR
    )
    with pytest.raises(NotFound):
        StoryWordsService(vault).add_quote(
            storyteller_uuid, "words", author=STORYTELLER, event_uuid=their_event.uuid
        )
    assert StoryWordsService(vault).quotes(storyteller_uuid) == []


# --- photos ------------------------------------------------------------------------------

PHOTO_BYTES = b"\x89PNG\r\n\x1a\n" + b"PLAINTEXT-MARKER-of-the-garden " * 4000


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "garden.png"
    path.write_bytes(PHOTO_BYTES)
    return path


def test_photo_is_stored_as_an_age_file_and_read_back(
    vault: VaultSession, storyteller_uuid: str, photo_file: Path
) -> None:
    photos = PhotoService(vault)
    photo = photos.add(storyteller_uuid, photo_file, author=FACILITATOR, caption="the garden")

    assert photo.media_type == "image/png"
    assert photo.original_name == "garden.png"
    stored = photos.media_path(photo)
    assert stored.parent == vault.media_dir(storyteller_uuid)
    on_disk = stored.read_bytes()
    assert on_disk.startswith(b"age-encryption.org/v1")
    assert b"PLAINTEXT-MARKER" not in on_disk
    assert b"garden" not in on_disk
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]
    assert photo_file.read_bytes() == PHOTO_BYTES  # the source is left as it was

    target = io.BytesIO()
    photos.write_to(photo.uuid, target)
    assert target.getvalue() == PHOTO_BYTES
    assert [p.uuid for p in photos.list(storyteller_uuid)] == [photo.uuid]
    assert vault.info().media_files == 1


def test_photo_round_trip_survives_lock_and_unlock(
    vault: VaultSession,
    storyteller_uuid: str,
    photo_file: Path,
    reopened: list[VaultSession],
) -> None:
    photo = PhotoService(vault).add(storyteller_uuid, photo_file, author=FACILITATOR)
    again = relock(vault)
    reopened.append(again)
    target = io.BytesIO()
    PhotoService(again).write_to(photo.uuid, target)
    assert target.getvalue() == PHOTO_BYTES


@pytest.mark.parametrize("name", ["notes.txt", "song.mp3", "garden", "garden.png.exe"])
def test_a_file_that_is_not_a_photo_is_refused(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path, name: str
) -> None:
    source = tmp_path / name
    source.write_bytes(b"not a photo")
    with pytest.raises(InvalidInput) as refused:
        PhotoService(vault).add(storyteller_uuid, source, author=FACILITATOR)
    assert_plain(str(refused.value))
    assert PhotoService(vault).list(storyteller_uuid) == []


@pytest.mark.parametrize("name", ["garden.jpg", "garden.png", "garden.heic", "garden.bmp"])
def test_a_photo_is_known_by_its_bytes_not_its_name(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path, name: str
) -> None:
    source = tmp_path / name
    source.write_bytes(b"Dear diary, the garden was lovely today.\n" * 20)
    with pytest.raises(InvalidInput, match="not a photo") as refused:
        PhotoService(vault).add(storyteller_uuid, source, author=FACILITATOR)
    assert_plain(str(refused.value))
    assert PhotoService(vault).list(storyteller_uuid) == []
    assert not vault.media_dir(storyteller_uuid).exists() or not any(
        vault.media_dir(storyteller_uuid).iterdir()
    )


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00", "image/bmp"),
    ],
)
def test_a_photo_named_oddly_is_kept_as_the_kind_its_bytes_say(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path, head: bytes, kind: str
) -> None:
    source = tmp_path / "from my phone.dat"
    source.write_bytes(head + b"\x00" * 64)
    photo = PhotoService(vault).add(storyteller_uuid, source, author=FACILITATOR)
    assert photo.media_type == kind


def test_a_photo_can_link_only_to_its_own_storytellers_event(
    vault: VaultSession, storyteller_uuid: str, photo_file: Path
) -> None:
    other = add_with_consent(vault, "Rowan")
    their_event = TimelineService(vault).add_event(
        other, title="Moved", starts="2015", author=FACILITATOR
    )
    own_event = TimelineService(vault).add_event(
        storyteller_uuid, title="Garden", starts="2016", author=FACILITATOR
    )
    photos = PhotoService(vault)
    with pytest.raises(NotFound):
        photos.add(storyteller_uuid, photo_file, event_uuid=their_event.uuid, author=FACILITATOR)
    assert not vault.media_dir(storyteller_uuid).exists() or not any(
        vault.media_dir(storyteller_uuid).iterdir()
    )

    linked = photos.add(storyteller_uuid, photo_file, event_uuid=own_event.uuid, author=FACILITATOR)
    unlinked = photos.add(storyteller_uuid, photo_file, author=FACILITATOR)
    assert [p.uuid for p in photos.list(storyteller_uuid, event_uuid=own_event.uuid)] == [
        linked.uuid
    ]
    assert {p.uuid for p in photos.list(storyteller_uuid)} == {linked.uuid, unlinked.uuid}


def test_a_missing_photo_file_is_refused(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput) as refused:
        PhotoService(vault).add(storyteller_uuid, tmp_path / "gone.jpg", author=FACILITATOR)
    assert_plain(str(refused.value))


def test_a_photo_with_a_damaged_header_is_reported_as_damage(
    vault: VaultSession, storyteller_uuid: str, photo_file: Path
) -> None:
    photos = PhotoService(vault)
    photo = photos.add(storyteller_uuid, photo_file, author=FACILITATOR)
    stored = photos.media_path(photo)
    content = bytearray(stored.read_bytes())
    content[60] ^= 0x01
    stored.write_bytes(bytes(content))
    with pytest.raises(VaultDamaged) as refused:
        photos.write_to(photo.uuid, io.BytesIO())
    assert_plain(str(refused.value))


@pytest.mark.parametrize("damage", ["flip a byte in the middle", "cut in half"])
def test_a_photo_damaged_in_its_body_is_reported_as_damage(
    vault: VaultSession, storyteller_uuid: str, photo_file: Path, damage: str
) -> None:
    photos = PhotoService(vault)
    photo = photos.add(storyteller_uuid, photo_file, author=FACILITATOR)
    stored = photos.media_path(photo)
    content = bytearray(stored.read_bytes())
    if damage == "cut in half":
        content = content[: len(content) // 2]
    else:
        content[len(content) // 2] ^= 0x01
    stored.write_bytes(bytes(content))
    with pytest.raises(VaultDamaged) as refused:
        photos.write_to(photo.uuid, io.BytesIO())
    assert_plain(str(refused.value))


def test_a_missing_photo_file_in_the_vault_is_damage(
    vault: VaultSession, storyteller_uuid: str, photo_file: Path
) -> None:
    photos = PhotoService(vault)
    photo = photos.add(storyteller_uuid, photo_file, author=FACILITATOR)
    photos.media_path(photo).unlink()
    with pytest.raises(VaultDamaged):
        photos.write_to(photo.uuid, io.BytesIO())


# --- history -----------------------------------------------------------------------------


def test_history_keeps_the_storytellers_own_words_after_a_facilitator_edit(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    event = timeline.add_event(
        storyteller_uuid,
        title="Moving",
        words="I was scared of the new place",
        starts="2015",
        author=STORYTELLER,
    )
    timeline.update_event(event.uuid, author=FACILITATOR, words="They were scared of moving")
    timeline.update_event(event.uuid, author=FACILITATOR, title="Moving to Leeds")

    history = HistoryService(vault)
    earlier_words = history.earlier_values("timeline_event", event.uuid, "words")
    assert [(c.value, c.author) for c in earlier_words] == [
        ("I was scared of the new place", STORYTELLER),
        ("They were scared of moving", FACILITATOR),
    ]
    assert [c.value for c in history.earlier_values("timeline_event", event.uuid, "title")] == [
        "Moving",
        "Moving to Leeds",
    ]
    all_changes = history.of("timeline_event", event.uuid)
    assert [c.hlc for c in all_changes] == sorted(c.hlc for c in all_changes)
    assert all(c.device_id == vault.device_id for c in all_changes)

    current = timeline.get_event(event.uuid)
    assert current.words == "They were scared of moving"
    assert current.meta.author == STORYTELLER  # who first told it
    assert current.meta.updated_hlc > current.meta.created_hlc


def test_history_of_unknown_things_is_not_found(vault: VaultSession, storyteller_uuid: str) -> None:
    with pytest.raises(NotFound):
        HistoryService(vault).of("spaceship", storyteller_uuid)
    with pytest.raises(NotFound):
        HistoryService(vault).of("timeline_event", "00000000-0000-0000-0000-000000000000")
    assert [
        c.value
        for c in HistoryService(vault).earlier_values("storyteller", storyteller_uuid, "pseudonym")
    ] == ["Juniper"]
