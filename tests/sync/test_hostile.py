"""Hostile bundles signed by a trusted laptop (one with a bug, or a thief with its key): each is
refused by ``bundle verify`` and by an import with the same one plain sentence, and the hub is
left exactly as it was — every row, the history, and every file under ``media/`` and
``incoming/``.

Each case is a real export from a laptop whose lines or photo files are changed on their way
into the bundle (the bundle is still written, sealed and signed by the laptop itself). The
codec's own refusals (truncation, bit flips, tar tricks) are in ``test_bundle_format.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from storycapture.cli import main
from storycapture.domain.vocabulary import CardKind
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.store import models
from storycapture.strengths.service import StrengthService
from storycapture.sync import exporting
from storycapture.sync.bundle import BundleRefused, MediaItem
from storycapture.sync.importing import verify_bundle_file
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE
from tests.sync.test_sync import PNG, Place, add_person, state

Ops = list[dict[str, Any]]
HTML = b"<!doctype html><html><body><script>alert('hello')</script></body></html>"


@dataclass
class Story:
    """What the laptop made before the hostile bundle: its storytellers and items."""

    laptop: Place
    hub: Place
    people: list[str]
    items: dict[str, str] = field(default_factory=dict)  # name → uuid


@pytest.fixture
def story(tmp_path: Path) -> Iterator[Story]:
    laptop, hub = Place(tmp_path, "Outreach 1"), Place(tmp_path, "Hub")
    laptop.sends_to(hub)
    first, second = add_person(laptop.vault, "Juniper"), add_person(laptop.vault, "Rowan")
    made = Story(laptop, hub, [first, second])
    made.items["event"] = (
        TimelineService(laptop.vault)
        .add_event(first, title="Moved to Leeds", starts="2015", valence=1, author=FACILITATOR)
        .uuid
    )
    yield made
    laptop.vault.lock()
    hub.vault.lock()


def _changed(entity: str, field_name: str, value: Any) -> Callable[[Ops], Ops]:
    def change(ops: Ops) -> Ops:
        hits = [op for op in ops if op.get("entity") == entity and op.get("field") == field_name]
        assert hits, f"the export has no {entity}.{field_name} to change"
        return [
            {**op, "value": value}
            if op.get("entity") == entity and op.get("field") == field_name
            else op
            for op in ops
        ]

    return change


def _authored(entity: str, author: str) -> Callable[[Ops], Ops]:
    """Every line about ``entity`` credits ``author``, who is nobody StoryCapture knows."""

    def change(ops: Ops) -> Ops:
        return [{**op, "author": author} if op.get("entity") == entity else op for op in ops]

    return change


def _moved(entity: str, to: int) -> Callable[[Story], Callable[[Ops], Ops]]:
    """Every line about ``entity`` names the storyteller ``to`` instead."""

    def make(story: Story) -> Callable[[Ops], Ops]:
        def change(ops: Ops) -> Ops:
            return [
                {**op, "storyteller": story.people[to]} if op.get("entity") == entity else op
                for op in ops
            ]

        return change

    return make


def _media_bytes(data: bytes) -> Callable[[list[MediaItem]], list[MediaItem]]:
    def change(media: list[MediaItem]) -> list[MediaItem]:
        return [
            MediaItem(
                item.storyteller_uuid,
                item.photo_uuid,
                len(data),
                lambda: contextlib.nullcontext(io.BytesIO(data)),
            )
            for item in media
        ]

    return change


def _media_elsewhere(story: Story) -> Callable[[list[MediaItem]], list[MediaItem]]:
    def change(media: list[MediaItem]) -> list[MediaItem]:
        return [MediaItem(story.people[1], item.photo_uuid, item.size, item.open) for item in media]

    return change


def _extra_photo_file(story: Story) -> Callable[[list[MediaItem]], list[MediaItem]]:
    def change(media: list[MediaItem]) -> list[MediaItem]:
        extra = "0f0f0f0f-0000-4000-8000-000000000001"
        return [*media, *_media_bytes(PNG)([MediaItem(story.people[0], extra, 0, media[0].open)])]

    return change


# Each case: what the laptop adds first (and sends in a good bundle, when ``before`` is set),
# then how the next bundle's lines or photos are changed on their way in.
@dataclass
class Case:
    add: Callable[[Story], None]
    ops: Callable[[Story], Callable[[Ops], Ops]] | None = None
    media: Callable[[Story], Callable[[list[MediaItem]], list[MediaItem]]] | None = None
    before: bool = False  # a good bundle goes first, then one with the next change


def _event(**values: Any) -> Callable[[Story], None]:
    def add(story: Story) -> None:
        TimelineService(story.laptop.vault).add_event(
            story.people[0],
            **{"title": "The allotment", "starts": "summer 1988", **values},
            author=FACILITATOR,
        )

    return add


def _card(story: Story) -> None:
    StrengthService(story.laptop.vault).add_card(
        story.people[0],
        kind=CardKind.STRENGTH,
        text="Patient",
        colour="#aabbcc",
        author=FACILITATOR,
    )


def _quote(story: Story) -> None:
    StoryWordsService(story.laptop.vault).add_quote(
        story.people[0], "I kept going.", author=FACILITATOR
    )


def _visit(story: Story) -> None:
    VisitService(story.laptop.vault).start(
        story.people[0], author=FACILITATOR, visit_date="2026-03-02", present="Juniper"
    )


def _photo(story: Story) -> None:
    picture = story.laptop.outbox.parent / "garden.png"
    picture.write_bytes(PNG)
    story.items["photo"] = (
        PhotoService(story.laptop.vault).add(story.people[0], picture, author=FACILITATOR).uuid
    )


def _retitle(story: Story) -> None:
    TimelineService(story.laptop.vault).update_event(
        story.items["event"], title="Moved to Leeds, at last", author=FACILITATOR
    )


def _set(entity: str, field_name: str, value: Any) -> Callable[[Story], Callable[[Ops], Ops]]:
    return lambda _story: _changed(entity, field_name, value)


def _as_kind(entity: str) -> Callable[[Story], Callable[[Ops], Ops]]:
    """The event's lines say they are about another kind of item (same uuid)."""

    def make(story: Story) -> Callable[[Ops], Ops]:
        def change(ops: Ops) -> Ops:
            return [
                {**op, "entity": entity} if op.get("uuid") == story.items["event"] else op
                for op in ops
            ]

        return change

    return make


def _note(story: Story) -> None:
    StoryWordsService(story.laptop.vault).add_note(
        story.people[0], "Tea in the kitchen.", author=FACILITATOR
    )


def _linked(entity: str, link: str, to: str) -> Callable[[Story], Callable[[Ops], Ops]]:
    """An item of the first storyteller linked to an item of the second (``to``: its name in
    ``story.items``): a link across two people's stories."""

    def make(story: Story) -> Callable[[Ops], Ops]:
        return _changed(entity, link, story.items[to])

    return make


def _rowans_visit(story: Story) -> None:
    story.items["rowans visit"] = (
        VisitService(story.laptop.vault)
        .start(story.people[1], author=FACILITATOR, visit_date="2026-03-02", present="Rowan")
        .uuid
    )


def _rowans_event(story: Story) -> None:
    story.items["rowans event"] = (
        TimelineService(story.laptop.vault)
        .add_event(story.people[1], title="Moved to Hull", starts="2004", author=FACILITATOR)
        .uuid
    )


def _both(*makers: Callable[[Story], None]) -> Callable[[Story], None]:
    def make(story: Story) -> None:
        for maker in makers:
            maker(story)

    return make


CASES: dict[str, Case] = {
    "feeling-in-words": Case(_event(valence=2), _set("timeline_event", "valence", "very")),
    "feeling-seven": Case(_event(valence=2), _set("timeline_event", "valence", 7)),
    "feeling-fraction": Case(_event(valence=2), _set("timeline_event", "valence", 1.5)),
    "title-a-number": Case(_event(), _set("timeline_event", "title", 12)),
    "title-too-long": Case(_event(), _set("timeline_event", "title", "x" * 100_000)),
    "title-empty-list": Case(_event(), _set("timeline_event", "title", [])),
    "visibility-unknown": Case(_event(), _set("timeline_event", "visibility", "everyone")),
    "when-unreadable": Case(_event(), _set("timeline_event", "starts", {"kind": "no such"})),
    "when-a-word": Case(_event(), _set("timeline_event", "starts", "tomorrow-ish")),
    "life-area-none": Case(_event(), _set("timeline_event", "life_area", None)),
    "life-area-unknown": Case(_event(), _set("timeline_event", "life_area", "moon")),
    "card-colour-bad": Case(_card, _set("strength_card", "colour", "red; drop table")),
    "card-kind-unknown": Case(_card, _set("strength_card", "kind", "superpower")),
    "card-text-number": Case(_card, _set("strength_card", "text", 3)),
    "card-position-text": Case(_card, _set("strength_card", "position", "top left")),
    "quote-text-dict": Case(_quote, _set("quote", "text", {"a": 1})),
    "quote-visibility-bad": Case(_quote, _set("quote", "visibility", "public")),
    "visit-date-impossible": Case(_visit, _set("visit", "visit_date", "2026-02-30")),
    "visit-date-text": Case(_visit, _set("visit", "visit_date", "last tuesday")),
    "visit-place-unknown": Case(_visit, _set("visit", "place_type", "the moon")),
    "consent-item-unknown": Case(
        lambda _s: None, _set("consent", "items", ["take_part", "everything"])
    ),
    "consent-date-impossible": Case(lambda _s: None, _set("consent", "given_on", "2026-13-01")),
    "consent-how-unknown": Case(lambda _s: None, _set("consent", "how", "telepathy")),
    "pseudonym-number": Case(lambda _s: None, _set("storyteller", "pseudonym", 5)),
    "birth-year-text": Case(lambda _s: None, _set("storyteller", "birth_year", "1980")),
    "author-unknown": Case(_quote, lambda _s: _authored("quote", "somebody:else")),
    "author-name-too-long": Case(_quote, lambda _s: _authored("quote", "facilitator:" + "P" * 81)),
    "author-storyteller-named": Case(_quote, lambda _s: _authored("quote", "storyteller:Priya")),
    "photo-type-html": Case(_photo, _set("photo", "media_type", "text/html")),
    "photo-bytes-html": Case(_photo, media=lambda _s: _media_bytes(HTML)),
    "photo-bytes-empty": Case(_photo, media=lambda _s: _media_bytes(b"")),
    "photo-file-elsewhere": Case(_photo, media=_media_elsewhere),
    "photo-file-unlisted": Case(_photo, media=_extra_photo_file),
    "event-moved": Case(_retitle, _moved("timeline_event", 1), before=True),
    "event-as-card": Case(_retitle, _as_kind("strength_card"), before=True),
    "event-as-quote": Case(_retitle, _as_kind("quote"), before=True),
    "event-in-anothers-visit": Case(
        _both(_rowans_visit, _event()), _linked("timeline_event", "visit_uuid", "rowans visit")
    ),
    "quote-on-anothers-moment": Case(
        _both(_rowans_event, _quote), _linked("quote", "event_uuid", "rowans event")
    ),
    "photo-on-anothers-moment": Case(
        _both(_rowans_event, _photo), _linked("photo", "event_uuid", "rowans event")
    ),
    "event-deleted-a-word": Case(_event(), _set("timeline_event", "deleted", "yes")),
    "consent-version-text": Case(lambda _s: None, _set("consent", "version", "two")),
    "real-name-sent": Case(lambda _s: None, _set("storyteller", "real_name", "Jane Example")),
    "note-text-none": Case(_note, _set("narrative_note", "text", None)),
    "photo-caption-number": Case(_photo, _set("photo", "caption", 5)),
    "visit-present-number": Case(_visit, _set("visit", "present", 5)),
    "help-a-word": Case(_event(), _set("timeline_event", "help", "yes")),
    "event-visit-not-an-id": Case(_event(), _set("timeline_event", "visit_uuid", "visit one")),
}


def _bundle(story: Story, case: Case, monkeypatch: pytest.MonkeyPatch) -> Path:
    if case.before:
        story.hub.receive(story.laptop.export())
    case.add(story)
    real_write = exporting.write_bundle
    change_ops = case.ops(story) if case.ops is not None else None
    change_media = case.media(story) if case.media is not None else None

    def hostile_write(*args: Any, **kwargs: Any) -> Any:
        ops = kwargs["operations"]
        media = kwargs["media"]
        if change_ops is not None:
            ops = change_ops(list(ops))
        if change_media is not None:
            media = change_media(list(media))
        return real_write(*args, **{**kwargs, "operations": ops, "media": media})

    monkeypatch.setattr(exporting, "write_bundle", hostile_write)
    try:
        return story.laptop.export()
    finally:
        monkeypatch.setattr(exporting, "write_bundle", real_write)


def _files(root: Path) -> dict[str, str]:
    found = {}
    for folder in ("media", "incoming"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_and_import_refuse_a_hostile_bundle_alike_and_change_nothing(
    story: Story, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = _bundle(story, CASES[name], monkeypatch)
    hub = story.hub
    before, files = state(hub.vault), _files(hub.vault.data_dir)
    tables = _raw_tables(hub.vault.data_dir)  # every table's rows, byte for byte

    with pytest.raises(BundleRefused) as verified:
        verify_bundle_file(hub.vault, path)
    assert state(hub.vault) == before and _files(hub.vault.data_dir) == files
    assert _raw_tables(hub.vault.data_dir) == tables

    report = hub.receive(path)
    assert len(report.refused) == 1, f"{name}: imported ({report.bundles[0].message})"
    refused = report.refused[0]
    assert refused.message == str(verified.value)
    assert refused.message.endswith(".") and "\n" not in refused.message
    assert "nothing was imported" in refused.message.lower() or "not imported" in (
        refused.message.lower()
    )
    assert state(hub.vault) == before and _files(hub.vault.data_dir) == files
    assert _raw_tables(hub.vault.data_dir) == tables


def test_the_corpus_is_large(story: Story) -> None:
    assert len(CASES) >= 40


def test_verify_through_the_command_line_exits_2_with_the_import_sentence(
    story: Story,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _bundle(story, CASES["event-moved"], monkeypatch)
    hub = story.hub
    hub.vault.lock()
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    base = ["--data-dir", str(hub.vault.data_dir), "--passphrase-file", str(secret)]
    out = io.StringIO()
    assert main([*base, "bundle", "verify", str(path)], out=out) == 2
    verified = capsys.readouterr().err
    printed = io.StringIO()
    assert main([*base, "import", str(path)], out=printed) == 2
    imported = printed.getvalue()
    line = [x for x in verified.splitlines() if x.startswith("storycapture:")]
    assert line and line[0].removeprefix("storycapture:").strip() in imported
    hub.vault = __import__("storycapture.services.opening", fromlist=["open_vault"]).open_vault(
        hub.vault.data_dir, PASSPHRASE
    )


def test_a_bundle_with_nothing_in_it_changes_nothing_and_says_so(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signed bundle with no change and no photo added a receipt, as if it were news."""
    real_write = exporting.write_bundle

    def empty(*args: Any, **kwargs: Any) -> Any:
        return real_write(*args, **{**kwargs, "operations": [], "media": []})

    monkeypatch.setattr(exporting, "write_bundle", empty)
    path = story.laptop.export()
    hub = story.hub
    before, files = state(hub.vault), _files(hub.vault.data_dir)
    with hub.vault.read() as session:
        receipts = session.query(models.BundleReceiptRow).count()

    lines = verify_bundle_file(hub.vault, path)
    assert lines[0].startswith("A bundle with nothing in it") and lines[-1] == (
        "Importing it changes nothing."
    )
    report = hub.receive(path)
    (outcome,) = report.bundles
    assert outcome.status == "empty" and "has nothing in it; nothing changed" in outcome.message
    assert state(hub.vault) == before and _files(hub.vault.data_dir) == files
    with hub.vault.read() as session:
        assert session.query(models.BundleReceiptRow).count() == receipts


def test_a_bundle_changing_an_item_altered_at_the_hub_is_refused_and_changes_nothing(
    story: Story,
) -> None:
    """The merge would seal the item again with the bundle's change: an item altered in the
    hub's file (its author, say) is never laundered into a sealed one. Verify says the same."""
    laptop, hub = story.laptop, story.hub
    hub.receive(laptop.export())
    event = story.items["event"]
    hub.vault.lock()
    connection = sqlite3.connect(hub.vault.data_dir / "vault.sqlite")
    with connection:
        connection.execute(
            "UPDATE timeline_events SET author = 'storyteller' WHERE uuid = ?", (event,)
        )
    connection.close()
    hub.vault = VaultSession.unlock(hub.vault.data_dir, PASSPHRASE)
    TimelineService(laptop.vault).update_event(event, title="Moved to York", author=FACILITATOR)
    path = laptop.export()
    before, files = _raw_tables(hub.vault.data_dir), _files(hub.vault.data_dir)

    with pytest.raises(BundleRefused) as verified:
        verify_bundle_file(hub.vault, path)
    report = hub.receive(path)
    (refused,) = report.refused
    assert refused.message == str(verified.value)
    assert refused.message == (
        "This bundle changes an item that has been altered or damaged in this vault, so "
        "nothing was imported. The other items here are not affected."
    )
    assert _raw_tables(hub.vault.data_dir) == before and _files(hub.vault.data_dir) == files


def _raw_tables(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, as stored (for a vault with a damaged item, which ``state``
    would refuse to read)."""
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    try:
        names = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {
            name: sorted(connection.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in names
        }
    finally:
        connection.close()
