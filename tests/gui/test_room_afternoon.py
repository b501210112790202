"""The team's afternoon in the story-sharing room, driven through the real window on the
practice hub: a laptop's bundle arrives, a story is read aloud, three passages are marked,
clustered into two themes, merged, the merge undone, an excerpt opened in its story, the
matrix exported; a lock and unlock on the way; then a withdrawal arrives, and the
storyteller's excerpts are gone from every view and from every byte of the vault."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storycapture.demo import DEMO_PASSPHRASE
from storycapture.demo_hub import create_demo_hub
from storycapture.domain.authorship import Author
from storycapture.gui.settings import AppSettings
from storycapture.gui.window import MainWindow
from storycapture.hub.qt.room import ACROSS, BOARD, READ, RoomPage
from storycapture.hub.room import RoomService
from storycapture.services.consent import ConsentService
from storycapture.services.story import StoryWordsService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, fast_kdf
from tests.gui.test_sync_dialogs import import_through_window
from tests.gui.test_window import _texts_in, make_window, unlock
from tests.hub.conftest import DEMO_SOURCE
from tests.services.test_withdrawal import rows_mentioning
from tests.sync.test_sync import Place, add_person

CANARY = "the bus driver waited for me"  # Juniper's words, found nowhere once she withdraws


@pytest.fixture
def hub_and_laptop(tmp_path: Path) -> tuple[Path, Place]:
    """The practice hub (made the real way, from three invented laptops) and one more laptop,
    trusted by the hub, holding Juniper's story."""
    hub, _recovery = create_demo_hub(tmp_path / "hub", DEMO_SOURCE, kdf=fast_kdf)
    laptop = Place(tmp_path, "Outreach 4")
    from storycapture.sync.trust import TrustService

    hub_trust = TrustService(hub)
    laptop.trust.add_recipient(hub_trust.identity().age_recipient, "Hub")
    hub_trust.trust_device(laptop.trust.identity().fingerprint, "Outreach 4")
    hub.lock()
    person = add_person(laptop.vault, "Juniper")
    events = TimelineService(laptop.vault)
    words = StoryWordsService(laptop.vault)
    events.add_event(
        person,
        title="Started at the allotment",
        words="Digging gave my days a shape.",
        starts="2015",
        valence=2,
        author=Author.storyteller(),
    )
    events.add_event(
        person,
        title="A hard winter",
        words="Nobody rang back for months.",
        starts="2017",
        valence=-2,
        author=Author.storyteller(),
    )
    words.add_quote(person, f"On the worst day {CANARY}.", author=Author.storyteller())
    return tmp_path / "hub", laptop


def _room(window: MainWindow) -> RoomPage:
    assert window.room is not None
    return window.room


def _read_until(qtbot: QtBot, room: RoomPage, words: str) -> None:
    """Turn the pages with the clicker's key until a passage holding ``words``."""
    view = room.reading
    for _ in range(view.page_count):
        passage = view.current_passage()
        if passage is not None and words in passage.words:
            return
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
    raise AssertionError(f"no page holds {words!r}")


def test_the_afternoon_in_the_room_and_a_withdrawal_after_it(
    qtbot: QtBot,
    app_settings: AppSettings,
    hub_and_laptop: tuple[Path, Place],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    hub_dir, laptop = hub_and_laptop
    app_settings.facilitator_name = "Dana"
    window = make_window(qtbot, hub_dir, app_settings)
    unlock(qtbot, window, DEMO_PASSPHRASE)
    qtbot.waitUntil(lambda: window.stories is not None)
    import_through_window(qtbot, window, monkeypatch, laptop.export())
    window.current_dialog.accept()  # type: ignore[union-attr]

    # At a hub, the room is offered on the toolbar as well as in View.
    assert window.toolbar.widgetForAction(window.room_action).isVisible()
    window.room_action.trigger()
    room = _room(window)
    assert window.pages.currentWidget() is room
    reading = room.reading
    people = {reading.storyteller.itemText(i): i for i in range(reading.storyteller.count())}
    assert "Juniper" in people and "Marigold" in people
    reading.storyteller.setCurrentIndex(people["Juniper"])
    reading.storyteller.activated.emit(people["Juniper"])
    assert reading.story is not None and reading.story.first_page.pseudonym == "Juniper"

    # Three passages marked while reading, the first named into a theme at once.
    marked = []
    for words in ("Digging gave my days", "Nobody rang back", CANARY):
        _read_until(qtbot, room, words)
        qtbot.keyClick(reading, Qt.Key.Key_E)
        made = reading.context.room.excerpts()[-1]
        assert words in made.text
        marked.append(made)
        if not marked[1:]:
            qtbot.keyClicks(reading.theme_name, "Being heard")
            qtbot.keyClick(reading.theme_name, Qt.Key.Key_Return)
        else:
            qtbot.keyClick(reading.theme_name, Qt.Key.Key_Escape)
    service = RoomService(window.vault)  # type: ignore[arg-type]
    heard = service.theme_named("Being heard")
    assert [e.uuid for e in service.excerpts_in(heard.uuid)] == [marked[0].uuid]
    # Her words are hers, though Dana marked them.
    assert all(e.meta.author.is_storyteller and e.marked_by == "Dana" for e in marked)

    # A lock on the way: the room is emptied, and comes back as it was.
    window.lock_action.trigger()
    assert window.room is None
    assert not [t for t in _texts_in(window) if CANARY in t]
    unlock(qtbot, window, DEMO_PASSPHRASE)
    qtbot.waitUntil(lambda: window.stories is not None)
    window.room_action.trigger()
    room = _room(window)
    reading = room.reading
    service = RoomService(window.vault)  # type: ignore[arg-type]
    assert len(service.excerpts_in(heard.uuid)) == 1  # as it was

    # The board: the other two made a theme of their own, then the two themes merged.
    room.tabs.setCurrentIndex(BOARD)
    board = room.board
    board.select_notes([(marked[1].uuid, ""), (marked[2].uuid, "")])
    board.view.setFocus()
    qtbot.keyClick(board.view, Qt.Key.Key_N)
    board.dialog.name.setText("Waiting and kindness")  # type: ignore[union-attr]
    board.dialog.ok_button.click()  # type: ignore[union-attr]
    waiting = service.theme_named("Waiting and kindness")
    assert {e.uuid for e in service.excerpts_in(waiting.uuid)} == {marked[1].uuid, marked[2].uuid}
    board.select_themes([heard.uuid, waiting.uuid])
    board.view.setFocus()
    qtbot.keyClick(board.view, Qt.Key.Key_M)
    assert {e.uuid for e in service.excerpts_in(heard.uuid)} == {e.uuid for e in marked}
    assert "Waiting and kindness" not in [t.name for t in service.themes()]
    window.undo_action.trigger()  # Edit → Undo, as a person would
    assert {e.uuid for e in service.excerpts_in(waiting.uuid)} == {marked[1].uuid, marked[2].uuid}
    assert [e.uuid for e in service.excerpts_in(heard.uuid)] == [marked[0].uuid]

    # Open an excerpt in its story: the reading view turns to it.
    board.open_excerpt(marked[1].uuid)
    assert room.tabs.currentIndex() == READ
    passage = reading.current_passage()
    assert passage is not None and passage.uuid == marked[1].source.uuid

    # The matrix, exported for a slide.
    room.tabs.setCurrentIndex(ACROSS)
    QApplication.processEvents()
    shown = room.across.matrix.matrix  # read as soon as it is first shown
    assert shown is not None and "Juniper" in [name for _, name in shown.storytellers]
    out = tmp_path / "matrix.csv"
    room.across.matrix.save_csv(out)
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    juniper_row = next(r for r in rows if r[0] == "Juniper")
    header = rows[0]
    assert juniper_row[header.index("Being heard")] == "1"
    assert juniper_row[header.index("Waiting and kindness")] == "2"

    # Juniper withdraws, on the laptop; the bundle reaches the hub.
    with window.vault.read() as session:  # type: ignore[union-attr]
        from storycapture.store import models

        sealed = [session.get(models.ExcerptRow, e.uuid).text for e in marked]  # type: ignore[union-attr]
    ConsentService(laptop.vault).withdraw(marked[0].storyteller_uuid, author=FACILITATOR)
    import_through_window(qtbot, window, monkeypatch, laptop.export())
    window.current_dialog.accept()  # type: ignore[union-attr]
    QApplication.processEvents()

    assert service.excerpts_in(waiting.uuid) == []
    assert service.theme(waiting.uuid).name == "Waiting and kindness"  # empty, and stays
    names = [reading.storyteller.itemText(i) for i in range(reading.storyteller.count())]
    assert "Juniper" not in names
    assert not [k for k in board.scene.notes if k[0] in {e.uuid for e in marked}]
    room.tabs.setCurrentIndex(ACROSS)
    QApplication.processEvents()
    matrix = room.across.matrix.matrix
    assert matrix is not None
    assert "Juniper" not in [name for _, name in matrix.storytellers]
    assert not [t for t in _texts_in(window) if CANARY in t or "Nobody rang back" in t]
    assert window.undo_action.isEnabled() is False  # her steps went with her

    window.lock_action.trigger()
    database = hub_dir / "vault.sqlite"
    for excerpt in marked:
        assert rows_mentioning(database, excerpt.uuid, skip=set()) == []
    for path in hub_dir.iterdir():
        if path.name.startswith("vault.sqlite"):
            content = path.read_bytes()
            assert not any(blob in content for blob in sealed)
            assert CANARY.encode() not in content
