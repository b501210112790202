"""Never leak a word: nothing a storyteller says is ever on the disk in a readable form.

Every personal value is given a distinctive marker; then every byte of every file in the vault
folder (database, write-ahead log, shared memory, lock, media, backups) and of a dedicated temp
folder is read, while the vault is open and after it is locked, looking for the markers in
UTF-8, UTF-16-LE, JSON-escaped form and (for the ASCII ones) in any letter case. The log output
is checked the same way.

Withdrawal of consent is checked at the level of ciphertext: the withdrawn storyteller's wrapped
key and field ciphertexts, read straight from the database before withdrawing, must be gone
from every file afterwards, while another storyteller's story stays readable.

Limits of what a file scan can see: SQLite unlinks its own temp files as soon as it opens them,
so those are looked for through ``/proc/self/fd`` (Linux) instead of a directory listing; and
nothing here can see swap or freed disk blocks.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from storycapture.domain.story import HelpSeeking
from storycapture.domain.vocabulary import (
    CardKind,
    ConsentHow,
    ConsentItem,
    Helped,
    LifeArea,
    PlaceType,
)
from storycapture.services.consent import ConsentService
from storycapture.services.media import PhotoService
from storycapture.services.opening import open_vault
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.store import migrate
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

# One marker per personal value, so a failure names the field that leaked.
MARKERS = {
    "pseudonym": "MARKER-PSEUDONYM-7f3a",
    "real_name": "Zuñiga-心-MARKER-realname",
    "storyteller_notes": "MARKER-STNOTES-91c2",
    "consent_facilitator": "MARKER-FACILITATOR-0b4e",
    "visit_present": "MARKER-PRESENT-c5d1",
    "visit_notes": "MARKER-VISITNOTES-e8a0",
    "event_title": "MARKER-EVTITLE-3d77",
    "event_words": "Ünïcødé-wörds-日本語-MARKER-ev",
    "event_asked_for": "MARKER-ASKEDFOR-5a19",
    "event_from_whom": "MARKER-FROMWHOM-b602",
    "event_what_happened": "MARKER-WHATHAPPENED-44fe",
    "event2_title": "MARKER-EV2TITLE-aa31",
    "event_updated_words": "MARKER-UPDATEDWORDS-71b8",
    "card_text": "MARKER-CARD-2e90",
    "card2_text": "Ærøskøbing-希望-MARKER-card",
    "quote_text": "MARKER-QUOTE-d4c3",
    "note_text": "MARKER-NOTE-6f05",
    "photo_caption": "MARKER-CAPTION-19ab",
    "photo_name": "MARKER-PHOTONAME-8c62",
    "photo_bytes": "MARKER-PHOTOBYTES-f0e7",
    "second_pseudonym": "MARKER-SECOND-PSEUDONYM-53d9",
    "second_words": "MARKER-SECOND-WORDS-0c8e",
}


def _needles(marker: str) -> list[tuple[str, bytes, bool]]:
    """(encoding name, bytes to look for, compare case-insensitively)."""
    ascii_only = marker.isascii()
    forms = {marker, unicodedata.normalize("NFC", marker), unicodedata.normalize("NFD", marker)}
    needles: list[tuple[str, bytes, bool]] = []
    for form in sorted(forms):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            encoded = form.encode(encoding)
            needles.append((encoding, encoded.lower() if ascii_only else encoded, ascii_only))
        escaped = json.dumps(form, ensure_ascii=True)[1:-1]
        if escaped != form:
            needles.append(("json-escaped", escaped.encode("ascii"), False))
    return needles


def _find_markers(data: bytes, markers: dict[str, str] = MARKERS) -> Iterator[tuple[str, str]]:
    lowered = data.lower()
    for name, marker in markers.items():
        for encoding, needle, fold in _needles(marker):
            if needle in (lowered if fold else data):
                yield name, encoding


def _files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    yield path


def _open_descriptors(*roots: Path) -> Iterator[tuple[str, bytes]]:
    """Regular files this process holds open under ``roots``, deleted ones included (Linux)."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return
    prefixes = tuple(str(root.resolve()) for root in roots)
    for entry in fd_dir.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if not target.startswith(prefixes):
            continue
        try:
            with open(entry, "rb") as handle:
                yield target, handle.read()
        except OSError:
            continue


def assert_no_markers(*roots: Path, markers: dict[str, str] = MARKERS) -> int:
    """Read every byte under ``roots``; fail naming each file and marker found. Returns the
    number of files read (so a test can check it looked at something)."""
    found: list[str] = []
    count = 0
    for path in _files_under(*roots):
        count += 1
        found += [f"{path}: {n} ({e})" for n, e in _find_markers(path.read_bytes(), markers)]
        found += [f"file name {path}: {n}" for n, e in _find_markers(str(path).encode(), markers)]
    for target, data in _open_descriptors(*roots):
        found += [f"open file {target}: {n} ({e})" for n, e in _find_markers(data, markers)]
    assert not found, "personal words found in plain form:\n" + "\n".join(found)
    return count


def assert_no_bytes(needles: dict[str, bytes], *roots: Path) -> int:
    found: list[str] = []
    count = 0
    for path in _files_under(*roots):
        count += 1
        data = path.read_bytes()
        found += [f"{path}: {name}" for name, needle in needles.items() if needle in data]
    assert not found, "ciphertext of a withdrawn storyteller remains:\n" + "\n".join(found)
    return count


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def scanned_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp folder of our own: Python's tempfile and child processes/SQLite look here."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setenv("SQLITE_TMPDIR", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


@pytest.fixture
def photo_source(tmp_path: Path) -> Path:
    """A small 'photo' (outside the vault and the scanned temp folder) whose bytes hold a
    marker; its name holds another."""
    folder = tmp_path / "camera"
    folder.mkdir()
    source = folder / f"{MARKERS['photo_name']}.png"
    png_header = b"\x89PNG\r\n\x1a\n"
    source.write_bytes(png_header + (MARKERS["photo_bytes"].encode() + b"\x00") * 200)
    return source


def _fill_story(vault: VaultSession, photo_source: Path) -> dict[str, str]:
    """One storyteller with something in every personal field; returns the ids made."""
    storytellers = StorytellerService(vault)
    person = storytellers.add(
        MARKERS["pseudonym"],
        author=FACILITATOR,
        real_name=MARKERS["real_name"],
        birth_year=1975,
        notes=MARKERS["storyteller_notes"],
    )
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator=MARKERS["consent_facilitator"],
        author=FACILITATOR,
    )
    visit = VisitService(vault).start(
        person.uuid,
        author=FACILITATOR,
        place_type=PlaceType.HOME,
        present=MARKERS["visit_present"],
        notes=MARKERS["visit_notes"],
    )
    timeline = TimelineService(vault)
    event = timeline.add_event(
        person.uuid,
        title=MARKERS["event_title"],
        starts="spring 2015",
        author=FACILITATOR,
        valence=-2,
        life_area=LifeArea.HELP_SEEKING,
        words=MARKERS["event_words"],
        help=HelpSeeking(
            asked_for=MARKERS["event_asked_for"],
            from_whom=MARKERS["event_from_whom"],
            what_happened=MARKERS["event_what_happened"],
            helped=Helped.PARTLY,
        ),
        visit_uuid=visit.uuid,
    )
    # A relative date carries the other event's title as its label: that is personal too.
    event2 = timeline.add_event(
        person.uuid,
        title=MARKERS["event2_title"],
        starts=f"after {MARKERS['event_title']}",
        author=FACILITATOR,
    )
    timeline.update_event(event.uuid, author=FACILITATOR, words=MARKERS["event_updated_words"])
    strengths = StrengthService(vault)
    card = strengths.add_card(
        person.uuid, kind=CardKind.STRENGTH, text=MARKERS["card_text"], author=FACILITATOR
    )
    strengths.add_card(
        person.uuid, kind=CardKind.HOPE, text=MARKERS["card2_text"], author=FACILITATOR
    )
    words = StoryWordsService(vault)
    quote = words.add_quote(
        person.uuid, MARKERS["quote_text"], author=FACILITATOR, event_uuid=event.uuid
    )
    note = words.add_note(
        person.uuid, MARKERS["note_text"], author=FACILITATOR, visit_uuid=visit.uuid
    )
    photo = PhotoService(vault).add(
        person.uuid,
        photo_source,
        author=FACILITATOR,
        caption=MARKERS["photo_caption"],
        event_uuid=event.uuid,
    )
    return {
        "storyteller": person.uuid,
        "visit": visit.uuid,
        "event": event.uuid,
        "event2": event2.uuid,
        "card": card.uuid,
        "quote": quote.uuid,
        "note": note.uuid,
        "photo": photo.uuid,
    }


def _add_second_storyteller(vault: VaultSession) -> dict[str, str]:
    person = StorytellerService(vault).add(MARKERS["second_pseudonym"], author=FACILITATOR)
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.PAPER_FORM,
        given_on="2026-03-03",
        facilitator="Sam",
        author=FACILITATOR,
    )
    event = TimelineService(vault).add_event(
        person.uuid,
        title="Moved to the coast",
        starts="the 1990s",
        author=FACILITATOR,
        words=MARKERS["second_words"],
    )
    quote = StoryWordsService(vault).add_quote(
        person.uuid, "I found my feet again", author=FACILITATOR
    )
    return {"storyteller": person.uuid, "event": event.uuid, "quote": quote.uuid}


# --- the checks of the scanner itself ------------------------------------------------------


def test_the_scanner_finds_each_encoding(tmp_path: Path) -> None:
    """A scanner that never finds anything would make every test below pass."""
    for marker in ("MARKER-PSEUDONYM-7f3a", "Zuñiga-心-MARKER-realname"):
        for data in (
            marker.encode("utf-8"),
            marker.encode("utf-16-le"),
            unicodedata.normalize("NFD", marker).encode("utf-8"),
            json.dumps(marker).encode("ascii"),
        ):
            path = tmp_path / "probe.bin"
            path.write_bytes(b"\x00junk" + data + b"junk\xff")
            with pytest.raises(AssertionError, match="personal words"):
                assert_no_markers(path)
    (tmp_path / "probe.bin").write_bytes(b"xx marker-pseudonym-7F3A xx")
    with pytest.raises(AssertionError, match="pseudonym"):
        assert_no_markers(tmp_path / "probe.bin")
    (tmp_path / "probe.bin").write_bytes("Marker-Pseudonym-7F3A".encode("utf-16-le"))
    with pytest.raises(AssertionError, match="pseudonym"):
        assert_no_markers(tmp_path / "probe.bin")
    (tmp_path / "probe.bin").write_bytes(b"nothing personal here")
    assert assert_no_markers(tmp_path / "probe.bin") == 1


# --- the tests -----------------------------------------------------------------------------


def test_no_word_is_on_disk_or_in_the_logs(
    tmp_path: Path,
    scanned_temp: Path,
    photo_source: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "alembic"):
        caplog.set_level(logging.DEBUG, logger=name)
    data_dir = tmp_path / "vault"
    vault, _recovery = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        ids = _fill_story(vault, photo_source)
        second = _add_second_storyteller(vault)
        # A backup is a file of the vault too (it is made before a migration).
        migrate.backup_copy(vault.engine, data_dir, "scan")

        # Everything reads back, so the scan below is looking at the real data.
        person = StorytellerService(vault).get(ids["storyteller"])
        assert person.pseudonym == MARKERS["pseudonym"]
        assert person.real_name == MARKERS["real_name"]
        event = TimelineService(vault).get_event(ids["event"])
        assert event.words == MARKERS["event_updated_words"]
        assert event.help is not None and event.help.from_whom == MARKERS["event_from_whom"]
        shown = io.BytesIO()
        PhotoService(vault).write_to(ids["photo"], shown)
        assert shown.getvalue() == photo_source.read_bytes()
        assert StoryWordsService(vault).quotes(second["storyteller"])[0].text

        names = {p.name for p in _files_under(data_dir)}
        assert {"vault.sqlite", "vault.sqlite-wal", "vault.sqlite-shm", "vault.lock"} <= names
        assert (data_dir / "media" / ids["storyteller"] / f"{ids['photo']}.age").is_file()
        assert (data_dir / "vault.sqlite-wal").stat().st_size > 0

        # While open: database, WAL, SHM, lock, media, backups and the temp folder.
        assert assert_no_markers(data_dir, scanned_temp) >= 6
    finally:
        vault.lock()

    assert not vault.is_unlocked
    assert_no_markers(data_dir, scanned_temp)

    # Opening again (the keys in memory, the database read) leaves nothing behind either.
    again = VaultSession.unlock(data_dir, PASSPHRASE)
    try:
        assert TimelineService(again).get_event(ids["event2"]).title == MARKERS["event2_title"]
        assert_no_markers(data_dir, scanned_temp)
    finally:
        again.lock()
    assert_no_markers(data_dir, scanned_temp)

    # The SQL log (statements and their parameters) was captured, so the check means something.
    assert any(
        r.name.startswith("sqlalchemy.engine") and "INSERT INTO timeline_events" in r.getMessage()
        for r in caplog.records
    ), "the SQL log was not captured: the log check would be empty"
    log_text = caplog.text + "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    leaked = sorted({n for n, _ in _find_markers(log_text.encode("utf-8"))})
    assert not leaked, f"personal words in the log output: {leaked}"


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def _blobs_of(database: Path, storyteller_uuid: str, ids: dict[str, str]) -> dict[str, bytes]:
    """Ciphertexts of one storyteller, straight from the file (committed, WAL included)."""
    with closing(_read_only(database)) as db:
        blobs: dict[str, bytes] = {}
        wrapped_key, wrapped_identity = db.execute(
            "SELECT wrapped_key, wrapped_age_identity FROM storyteller_keys "
            "WHERE storyteller_uuid = ?",
            (storyteller_uuid,),
        ).fetchone()
        blobs["storyteller_keys.wrapped_key"] = wrapped_key
        blobs["storyteller_keys.wrapped_age_identity"] = wrapped_identity
        (pseudonym,) = db.execute(
            "SELECT pseudonym FROM storytellers WHERE uuid = ?", (storyteller_uuid,)
        ).fetchone()
        blobs["storytellers.pseudonym"] = pseudonym
        title, words = db.execute(
            "SELECT title, words FROM timeline_events WHERE uuid = ?", (ids["event"],)
        ).fetchone()
        blobs["timeline_events.title"] = title
        blobs["timeline_events.words"] = words
        (quote,) = db.execute("SELECT text FROM quotes WHERE uuid = ?", (ids["quote"],)).fetchone()
        blobs["quotes.text"] = quote
        operations = db.execute(
            "SELECT seq, value FROM operations WHERE storyteller_uuid = ? ORDER BY seq",
            (storyteller_uuid,),
        ).fetchall()
    assert len(operations) > 20
    # A spread of the history, the first and the last included.
    step = max(1, len(operations) // 6)
    for seq, value in [*operations[::step], operations[-1]]:
        blobs[f"operations.value#{seq}"] = value
    # A fragment too: a partly overwritten cell must not keep a readable remnant either.
    blobs["timeline_events.words[8:40]"] = words[8:40]
    blobs["storyteller_keys.wrapped_key[13:45]"] = wrapped_key[13:45]
    assert all(len(b) >= 28 for b in blobs.values())
    return blobs


def test_withdrawal_leaves_no_ciphertext_anywhere(
    tmp_path: Path, scanned_temp: Path, photo_source: Path
) -> None:
    data_dir = tmp_path / "vault"
    database = data_dir / "vault.sqlite"
    vault, _recovery = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        ids = _fill_story(vault, photo_source)
        second = _add_second_storyteller(vault)
        withdrawn = ids["storyteller"]
        # An old backup holds the same ciphertexts: withdrawal must take it too.
        backup = migrate.backup_copy(vault.engine, data_dir, "before-withdrawal")
        blobs = _blobs_of(database, withdrawn, ids)
        kept = _blobs_of(database, second["storyteller"], second)

        # The blobs really are on disk now, so not finding them later means they were erased.
        everything = b"".join(p.read_bytes() for p in _files_under(data_dir))
        assert all(blob in everything for blob in blobs.values())
        assert all(blob in backup.read_bytes() for blob in blobs.values())

        erasure = ConsentService(vault).withdraw(withdrawn, author=FACILITATOR)
        assert erasure.storyteller_uuid == withdrawn

        # Open: database, WAL, SHM, media, backups.
        assert assert_no_bytes(blobs, data_dir) >= 3
        assert not (data_dir / "media" / withdrawn).exists()
        assert not (data_dir / migrate.BACKUPS_DIR).exists() or not any(
            (data_dir / migrate.BACKUPS_DIR).iterdir()
        )
        withdrawn_markers = {k: v for k, v in MARKERS.items() if not k.startswith("second")}
        assert_no_markers(data_dir, scanned_temp, markers=withdrawn_markers)

        # The other storyteller's story is untouched and still opens.
        everything = b"".join(p.read_bytes() for p in _files_under(data_dir))
        assert all(blob in everything for blob in kept.values())
        people = StorytellerService(vault).list()
        assert [p.uuid for p in people] == [second["storyteller"]]
        assert people[0].pseudonym == MARKERS["second_pseudonym"]
        assert TimelineService(vault).get_event(second["event"]).words == MARKERS["second_words"]
        assert [q.text for q in StoryWordsService(vault).quotes(second["storyteller"])] == [
            "I found my feet again"
        ]
        # New edits after the erasure still work.
        StoryWordsService(vault).add_quote(second["storyteller"], "And then?", author=FACILITATOR)
        assert_no_bytes(blobs, data_dir)
    finally:
        vault.lock()

    assert_no_bytes(blobs, data_dir)

    again = VaultSession.unlock(data_dir, PASSPHRASE)
    try:
        assert [p.uuid for p in StorytellerService(again).list()] == [second["storyteller"]]
        assert [e.storyteller_uuid for e in ConsentService(again).erasures()] == [withdrawn]
        texts = sorted(q.text for q in StoryWordsService(again).quotes(second["storyteller"]))
        assert texts == ["And then?", "I found my feet again"]
    finally:
        again.lock()
    assert_no_bytes(blobs, data_dir)


def test_an_interrupted_withdrawal_is_finished_on_the_next_unlock(
    tmp_path: Path, photo_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "vault"
    database = data_dir / "vault.sqlite"
    vault, _recovery = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        ids = _fill_story(vault, photo_source)
        withdrawn = ids["storyteller"]
        migrate.backup_copy(vault.engine, data_dir, "before-withdrawal")
        blobs = _blobs_of(database, withdrawn, ids)

        def crash(_vault: VaultSession) -> None:
            raise RuntimeError("simulated power cut after the erasing transaction")

        with monkeypatch.context() as patch:
            patch.setattr("storycapture.services.consent.erase_leftovers", crash)
            with pytest.raises(RuntimeError, match="simulated"):
                ConsentService(vault).withdraw(withdrawn, author=FACILITATOR)
    finally:
        vault.lock()

    again = open_vault(data_dir, PASSPHRASE)
    try:
        assert StorytellerService(again).list() == []
        leftovers = [
            str(p.relative_to(data_dir))
            for p in _files_under(data_dir / "media", data_dir / migrate.BACKUPS_DIR)
        ]
        assert leftovers == [], f"media and backups of the withdrawn storyteller: {leftovers}"
        assert_no_bytes(blobs, data_dir)
    finally:
        again.lock()
