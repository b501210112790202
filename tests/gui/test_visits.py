"""Visits in the window: one at a time, started and ended from the header, never undone, and
ended with a recap of what was added (and what of it is private) that offers a copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import CardKind
from storycapture.gui.give_back import GiveBackDialog
from storycapture.gui.settings import AppSettings
from storycapture.gui.visit import VisitDialog, VisitRecapDialog
from storycapture.gui.window import MainWindow
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE


@pytest.fixture
def window(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str, app_settings: AppSettings
) -> MainWindow:
    window = MainWindow(vault.data_dir, app_settings, vault=vault)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._built)
    assert window.stories is not None
    assert window.stories.storyteller.storyteller_uuid == storyteller_uuid
    return window


def start_from_the_header(qtbot: QtBot, window: MainWindow) -> None:
    assert window.stories is not None
    button = window.stories.storyteller.visit_button
    assert button.text() == "Start visit"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.current_dialog
    assert isinstance(dialog, VisitDialog)
    dialog.ok_button.click()
    assert dialog.started_visit is not None, dialog.problem.text()


def test_start_visit_becomes_end_visit_and_a_second_visit_cannot_start(
    qtbot: QtBot, window: MainWindow, vault: VaultSession, storyteller_uuid: str
) -> None:
    assert window.stories is not None
    button = window.stories.storyteller.visit_button
    start_from_the_header(qtbot, window)
    (visit,) = VisitService(vault).list(storyteller_uuid)
    assert window._current_visit() == visit.uuid
    assert button.text() == "End visit"
    assert not window.start_visit_action.isEnabled()
    assert window.end_visit_action.isEnabled()

    # Neither the shortcut's slot nor anything else starts a second visit alongside.
    window.start_visit()
    second = window.current_dialog
    if isinstance(second, VisitDialog) and second.isVisible():
        second.ok_button.click()
    assert [v.uuid for v in VisitService(vault).list(storyteller_uuid)] == [visit.uuid]


def test_starting_a_visit_is_not_an_undo_step(
    qtbot: QtBot, window: MainWindow, vault: VaultSession, storyteller_uuid: str
) -> None:
    window.start_visit_action.trigger()  # File → Start visit…
    dialog = window.current_dialog
    assert isinstance(dialog, VisitDialog)
    dialog.ok_button.click()
    (visit,) = VisitService(vault).list(storyteller_uuid)
    assert "Start visit" not in window.undo_action.text()

    window.undo_action.trigger()  # Ctrl+Z
    assert [v.uuid for v in VisitService(vault).list(storyteller_uuid)] == [visit.uuid]
    assert window._current_visit() == visit.uuid

    # Nor is ending it: after the recap, undo does not bring the visit back into progress.
    window.end_visit()
    recap = window.current_dialog
    assert isinstance(recap, VisitRecapDialog)
    recap.done_button.click()
    window.undo_action.trigger()
    assert window._current_visit() is None
    assert [v.uuid for v in VisitService(vault).list(storyteller_uuid)] == [visit.uuid]


def test_ending_a_visit_shows_what_was_added_and_offers_a_copy(
    qtbot: QtBot, window: MainWindow, vault: VaultSession, storyteller_uuid: str, tmp_path: Path
) -> None:
    timeline = TimelineService(vault)
    timeline.add_event(  # before the visit: not part of it
        storyteller_uuid, title="Moved to Leeds", starts="2015", author=FACILITATOR
    )
    start_from_the_header(qtbot, window)
    visit = window._current_visit()
    for title, visibility in (("A new job", "team"), ("A hard winter", "private")):
        timeline.add_event(
            storyteller_uuid,
            title=title,
            starts="2019",
            visibility=visibility,
            author=FACILITATOR,
            visit_uuid=visit,
        )
    StrengthService(vault).add_card(
        storyteller_uuid,
        kind=CardKind.HOPE,
        text="A garden",
        visibility="team",
        author=FACILITATOR,
        visit_uuid=visit,
    )
    words = StoryWordsService(vault)
    words.add_quote(
        storyteller_uuid,
        "I kept going.",
        visibility="private",
        author=FACILITATOR,
        visit_uuid=visit,
    )
    photo = tmp_path / "garden.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    PhotoService(vault).add(storyteller_uuid, photo, visibility="team", author=FACILITATOR)

    assert window.stories is not None
    button = window.stories.storyteller.visit_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # End visit
    dialog = window.current_dialog
    assert isinstance(dialog, VisitRecapDialog) and dialog.isVisible()
    assert dialog.recap.added == {
        "timeline_event": 2,
        "strength_card": 1,
        "quote": 1,
        "photo": 1,
    }
    assert dialog.recap.private == {"timeline_event": 1, "quote": 1}
    assert dialog.added.text().splitlines() == [
        "•  2 moments on the timeline",
        "•  1 strength card",
        "•  1 quote",
        "•  1 photo",
    ]
    assert dialog.private.text() == "Private, staying on this laptop: 1 moment and 1 quote."
    assert "Juniper" in dialog.windowTitle()
    # The visit is over as soon as it is ended; the recap only tells.
    assert window._current_visit() is None
    assert button.text() == "Start visit"
    assert window.start_visit_action.isEnabled()

    qtbot.mouseClick(dialog.give_copy_button, Qt.MouseButton.LeftButton)
    copy = window.current_dialog
    assert isinstance(copy, GiveBackDialog) and copy.isVisible()
    copy.reject()


def test_a_visit_with_nothing_added_says_so_kindly(
    qtbot: QtBot, window: MainWindow, vault: VaultSession
) -> None:
    start_from_the_header(qtbot, window)
    window.end_visit_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, VisitRecapDialog)
    assert dialog.recap.total == 0
    assert "Nothing new was added" in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.added))
    )
    assert not dialog.private.isVisibleTo(dialog)
    dialog.done_button.click()
    assert not dialog.isVisible()
    assert window.current_dialog is dialog or not isinstance(window.current_dialog, GiveBackDialog)


def test_a_visit_stays_in_progress_across_a_lock(
    qtbot: QtBot, window: MainWindow, vault: VaultSession, storyteller_uuid: str
) -> None:
    start_from_the_header(qtbot, window)
    visit = window._current_visit()
    window.lock()
    window.unlock_vault(PASSPHRASE)
    assert window.stories is not None
    qtbot.waitUntil(
        lambda: window.stories is not None and window._current_storyteller() is not None
    )
    assert window._current_visit() == visit
    assert window.stories.storyteller.visit_button.text() == "End visit"
    assert window.vault is not None
    assert [v.uuid for v in VisitService(window.vault).list(storyteller_uuid)] == [visit]
