"""A field's ciphertext moved to another row, column or storyteller in the SQLite file is
reported as damaged, never shown."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storycapture.domain.errors import VaultDamaged
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE

SECRET_A = "Moved to Leeds after the hospital"
SECRET_WORDS = "nobody visited"


@dataclass
class Story:
    data_dir: Path
    x: str  # a storyteller with events a and b
    y: str  # another storyteller with event c
    a: str
    b: str
    c: str

    @property
    def database(self) -> Path:
        return self.data_dir / "vault.sqlite"


@pytest.fixture
def story(vault: VaultSession, storyteller_uuid: str) -> Story:
    """Two storytellers and three events, then the vault is locked."""
    rowan = StorytellerService(vault).add("Rowan", author=FACILITATOR)
    ConsentService(vault).record(
        rowan.uuid,
        items=[ConsentItem.TAKE_PART],
        how=ConsentHow.VERBAL,
        given_on="2026-01-05",
        facilitator="Priya",
        author=FACILITATOR,
    )
    timeline = TimelineService(vault)
    a = timeline.add_event(
        storyteller_uuid, title=SECRET_A, words=SECRET_WORDS, starts="2015", author=FACILITATOR
    )
    b = timeline.add_event(storyteller_uuid, title="First job", starts="2016", author=FACILITATOR)
    c = timeline.add_event(rowan.uuid, title="School", starts="2001", author=FACILITATOR)
    vault.lock()
    return Story(vault.data_dir, storyteller_uuid, rowan.uuid, a.uuid, b.uuid, c.uuid)


@pytest.fixture
def reopen(story: Story) -> Iterator[list[VaultSession]]:
    sessions: list[VaultSession] = []
    yield sessions
    for session in sessions:
        session.lock()


def unlock(story: Story, sessions: list[VaultSession]) -> VaultSession:
    session = VaultSession.unlock(story.data_dir, PASSPHRASE)
    sessions.append(session)
    return session


def copy_blob(
    database: Path,
    table: str,
    source: tuple[str, str],
    target: tuple[str, str],
    key_column: str = "uuid",
) -> None:
    """Copy column ``source[1]`` of row ``source[0]`` over column ``target[1]`` of ``target[0]``."""
    connection = sqlite3.connect(database)
    try:
        with connection:
            (blob,) = connection.execute(
                f'SELECT "{source[1]}" FROM "{table}" WHERE "{key_column}" = ?',
                (source[0],),
            ).fetchone()
            updated = connection.execute(
                f'UPDATE "{table}" SET "{target[1]}" = ? WHERE "{key_column}" = ?',
                (blob, target[0]),
            )
            assert updated.rowcount == 1
    finally:
        connection.close()


def assert_reported_without_content(error: BaseException, *secrets: str) -> None:
    """Neither the message nor anything chained behind it shows the moved text."""
    message = str(error)
    assert "altered or damaged" in message
    link: BaseException | None = error
    while link is not None:
        for secret in (*secrets, SECRET_A, SECRET_WORDS, "Leeds"):
            assert secret not in str(link)
            assert secret not in repr(link.args)
        link = link.__cause__ or link.__context__


def test_title_copied_to_another_row_is_damage(story: Story, reopen) -> None:
    copy_blob(story.database, "timeline_events", (story.a, "title"), (story.b, "title"))

    vault = unlock(story, reopen)
    timeline = TimelineService(vault)
    with pytest.raises(VaultDamaged) as refused:
        timeline.get_event(story.b)
    assert_reported_without_content(refused.value)
    with pytest.raises(VaultDamaged):
        timeline.events(story.x)
    # The row it was copied from still opens: only the altered row is refused.
    assert timeline.get_event(story.a).title == SECRET_A
    assert timeline.get_event(story.c).title == "School"


def test_title_copied_to_another_column_of_the_same_row_is_damage(story: Story, reopen) -> None:
    copy_blob(story.database, "timeline_events", (story.a, "title"), (story.a, "words"))

    vault = unlock(story, reopen)
    with pytest.raises(VaultDamaged) as refused:
        TimelineService(vault).get_event(story.a)
    assert_reported_without_content(refused.value)


def test_title_copied_to_another_storytellers_event_is_damage(story: Story, reopen) -> None:
    copy_blob(story.database, "timeline_events", (story.a, "title"), (story.c, "title"))

    vault = unlock(story, reopen)
    timeline = TimelineService(vault)
    with pytest.raises(VaultDamaged) as refused:
        timeline.get_event(story.c)
    assert_reported_without_content(refused.value)
    with pytest.raises(VaultDamaged):
        timeline.events(story.y)
    assert [e.uuid for e in timeline.events(story.x)] == [story.a, story.b]


def test_pseudonym_copied_between_storytellers_is_damage(story: Story, reopen) -> None:
    copy_blob(story.database, "storytellers", (story.x, "pseudonym"), (story.y, "pseudonym"))

    vault = unlock(story, reopen)
    with pytest.raises(VaultDamaged) as refused:
        StorytellerService(vault).get(story.y)
    assert_reported_without_content(refused.value, "Juniper")
    with pytest.raises(VaultDamaged):
        StorytellerService(vault).list()
    assert StorytellerService(vault).get(story.x).pseudonym == "Juniper"


def test_a_flipped_byte_in_a_field_is_damage(story: Story, reopen) -> None:
    connection = sqlite3.connect(story.database)
    try:
        with connection:
            (blob,) = connection.execute(
                "SELECT words FROM timeline_events WHERE uuid = ?", (story.a,)
            ).fetchone()
            flipped = bytearray(blob)
            flipped[-1] ^= 0x80
            connection.execute(
                "UPDATE timeline_events SET words = ? WHERE uuid = ?", (bytes(flipped), story.a)
            )
    finally:
        connection.close()

    vault = unlock(story, reopen)
    with pytest.raises(VaultDamaged) as refused:
        TimelineService(vault).get_event(story.a)
    assert_reported_without_content(refused.value)


def test_an_event_moved_to_another_storyteller_is_damage(story: Story, reopen) -> None:
    """Re-pointing the clear storyteller column does not move the event to another person."""
    connection = sqlite3.connect(story.database)
    try:
        with connection:
            connection.execute(
                "UPDATE timeline_events SET storyteller_uuid = ? WHERE uuid = ?",
                (story.y, story.a),
            )
    finally:
        connection.close()

    vault = unlock(story, reopen)
    with pytest.raises(VaultDamaged) as refused:
        TimelineService(vault).events(story.y)
    assert_reported_without_content(refused.value)


def test_history_value_copied_to_another_change_is_damage(story: Story, reopen) -> None:
    connection = sqlite3.connect(story.database)
    try:
        with connection:
            ((title_seq,), (words_seq,)) = (
                connection.execute(
                    "SELECT seq FROM operations WHERE entity_uuid = ? AND field = ?",
                    (story.a, field),
                ).fetchone()
                for field in ("title", "words")
            )
    finally:
        connection.close()
    copy_blob(
        story.database,
        "operations",
        (str(title_seq), "value"),
        (str(words_seq), "value"),
        key_column="seq",
    )

    vault = unlock(story, reopen)
    with pytest.raises(VaultDamaged) as refused:
        HistoryService(vault).of("timeline_event", story.a)
    assert_reported_without_content(refused.value)
    # The event itself was not touched, so it still opens.
    assert TimelineService(vault).get_event(story.a).words == SECRET_WORDS


def test_a_storytellers_key_swapped_for_anothers_is_damage(story: Story, reopen) -> None:
    copy_blob(
        story.database,
        "storyteller_keys",
        (story.x, "wrapped_key"),
        (story.y, "wrapped_key"),
        key_column="storyteller_uuid",
    )

    vault = unlock(story, reopen)
    with pytest.raises(VaultDamaged) as refused:
        TimelineService(vault).get_event(story.c)
    assert_reported_without_content(refused.value)
    assert TimelineService(vault).get_event(story.a).title == SECRET_A


def test_device_secrets_swapped_in_the_header_are_damage(story: Story, reopen) -> None:
    copy_blob(
        story.database,
        "vault_meta",
        ("wrapped_signing_key", "value"),
        ("wrapped_age_identity", "value"),
        key_column="key",
    )

    vault = unlock(story, reopen)
    assert len(vault.device_signing_key()) == 32
    with pytest.raises(VaultDamaged) as refused:
        vault.device_age_identity()
    assert "altered or damaged" in str(refused.value)
