"""Search in the window: the index is built on a thread after unlock, search says plainly
that it is getting ready until then, and locking, erasing or editing while it is being
built leaves nothing stale or personal behind."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storycapture.gui.consent import WithdrawalDialog
from storycapture.gui.settings import AppSettings
from storycapture.gui.window import GETTING_READY, MainWindow
from storycapture.services.search import SearchIndex
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR
from tests.gui.test_window import _juniper, filled_vault, make_window, unlock

__all__ = ["filled_vault"]  # the fixture, used here by name


class Gate:
    """Holds the build's thread once it has read everything, until the test lets it go:
    whatever the test does meanwhile happens while the index is being built."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self.threads: list[threading.Thread] = []

    def release(self) -> None:
        self.released.set()

    def finished(self) -> bool:
        return all(not thread.is_alive() for thread in self.threads)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    original: Callable[..., bool] = SearchIndex.add_all

    def held(index: SearchIndex, *args: Any, **kwargs: Any) -> bool:
        done = original(index, *args, **kwargs)
        gate.threads.append(threading.current_thread())
        gate.reached.set()
        gate.released.wait(timeout=120)  # a safety net for a failing test, not a timing
        return done

    monkeypatch.setattr(SearchIndex, "add_all", held)
    yield gate
    gate.release()


def _search(qtbot: QtBot, window: MainWindow, words: str) -> list[str]:
    assert window.stories is not None
    sidebar = window.stories.sidebar
    sidebar.search.clear()
    qtbot.keyClicks(sidebar.search, words)
    return [sidebar.results.item(row).text() for row in range(sidebar.results.count())]


def _unlocked_while_building(qtbot: QtBot, window: MainWindow, gate: Gate) -> None:
    unlock(qtbot, window)
    qtbot.waitUntil(gate.reached.is_set)
    assert not window.search_ready


def test_search_is_ready_after_unlock_and_finds_words(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.search_ready)
    (found,) = _search(qtbot, window, "bakery")
    assert "Juniper" in found and "First job at the bakery" in found
    assert _search(qtbot, window, "kitchen tea") != [GETTING_READY]
    assert len(_search(qtbot, window, "kitchen tea")) == 1


def test_search_says_it_is_getting_ready_then_shows_results_by_itself(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings, gate: Gate
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    _unlocked_while_building(qtbot, window, gate)
    assert _search(qtbot, window, "bakery") == [GETTING_READY]
    assert window.stories is not None
    assert not window.stories.sidebar.people.isVisible()

    gate.release()
    qtbot.waitUntil(lambda: window.search_ready)
    results = window.stories.sidebar.results
    assert results.count() == 1 and "bakery" in results.item(0).text()


def test_locking_while_the_index_is_built_drops_it_and_every_key(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings, gate: Gate
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    _unlocked_while_building(qtbot, window, gate)
    vault = window.vault
    assert vault is not None
    window.lock_action.trigger()  # at once: the build is still held
    assert window.vault is None and window.search_index is None
    assert not vault.is_unlocked and vault._ciphers == {}

    handed: list[object] = []
    window.index_builder.built.connect(lambda _job, index: handed.append(index))
    gate.release()
    qtbot.waitUntil(gate.finished)
    QApplication.processEvents()  # deliver anything the thread sent (it sends nothing)
    assert handed == []
    assert window.search_index is None and not window.search_ready
    assert vault._ciphers == {}

    unlock(qtbot, window)  # a fresh build, from scratch
    qtbot.waitUntil(lambda: window.search_ready)
    assert len(_search(qtbot, window, "bakery")) == 1


def test_a_storyteller_erased_while_the_index_is_built_is_never_found(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings, gate: Gate
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    _unlocked_while_building(qtbot, window, gate)
    juniper = _juniper(window)
    window.withdraw_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, WithdrawalDialog)
    dialog.go_to_confirmation()
    dialog.confirm_name.setText("Juniper")
    dialog.accept()

    gate.release()
    qtbot.waitUntil(lambda: window.search_ready)
    assert window.search_index is not None
    assert juniper not in window.search_index.storytellers
    assert window.search_index.search("kitchen") == []
    assert _search(qtbot, window, "juniper") == ["Nothing found. Try fewer or shorter words."]
    assert window.search_index.search("rowan") != []


def test_an_edit_made_while_the_index_is_built_is_found(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings, gate: Gate
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    _unlocked_while_building(qtbot, window, gate)  # the build has read Juniper already
    assert window.vault is not None and window.stories is not None
    juniper = _juniper(window)
    assert window.stories.storyteller.storyteller_uuid == juniper
    TimelineService(window.vault).add_event(
        juniper, title="Took the ferry to Orkney", author=FACILITATOR
    )
    window.stories.storyteller.changed.emit()  # as the page does after every edit

    gate.release()
    qtbot.waitUntil(lambda: window.search_ready)
    (found,) = _search(qtbot, window, "ferry orkney")
    assert "Took the ferry to Orkney" in found
    assert len(_search(qtbot, window, "bakery")) == 1  # the rest from the build


def test_closing_the_window_while_the_index_is_built_locks_and_keeps_nothing(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings, gate: Gate
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    _unlocked_while_building(qtbot, window, gate)
    vault = window.vault
    assert vault is not None
    window.close()
    assert not vault.is_unlocked and vault._ciphers == {}
    gate.release()
    qtbot.waitUntil(gate.finished)
    assert vault._ciphers == {} and window.search_index is None
