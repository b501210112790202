"""Never trapped: the facilitator can always leave storyteller mode, across any locks.

Leaving checks the facilitator's passphrase (or PIN) against the vault as it is *now*: a lock
closes the vault session the mode was opened with, and the unlock opens a new one. Every path is
driven through the real window: with and without a PIN, each way the window can lock (the Lock
action, the idle watcher, the session locking), before and after unlocking, after wrong tries
and a PIN lock-out, and across several locks in a row.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from storycapture.gui.settings import AppSettings
from storycapture.gui.storyteller_mode import MAX_PIN_ATTEMPTS, StorytellerMode
from storycapture.gui.window import MainWindow
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf
from tests.gui.test_window import make_window, unlock

PIN = "2468"


@pytest.fixture
def one_storyteller(data_dir: Path) -> Path:
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        StorytellerService(vault).add("Juniper", author=FACILITATOR)
    finally:
        vault.lock()
    return data_dir


def _enter_mode(window: MainWindow, pin: str | None) -> StorytellerMode:
    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    if pin is not None:
        panel.pin.setText(pin)  # type: ignore[attr-defined]
        panel.pin_again.setText(pin)  # type: ignore[attr-defined]
    panel.submit()  # type: ignore[attr-defined]
    assert isinstance(window.mode, StorytellerMode)
    return window.mode


def _lock(window: MainWindow, how: str) -> None:
    if how == "action":
        window.lock_action.trigger()
    elif how == "idle":
        window.idle.idle.emit()  # what the watcher emits after the chosen idle time
    elif how == "session":
        window.session_watcher.lock_requested.emit()  # the desktop session locked or slept
    else:  # pragma: no cover - a typo in a parameter
        raise AssertionError(how)
    assert window.vault is None
    assert window.pages.currentWidget() is window.unlock_page


def _is_out(window: MainWindow) -> bool:
    return window.mode is None and window.pages.currentWidget() is window.stories


@pytest.mark.parametrize("how", ["action", "idle", "session"])
@pytest.mark.parametrize("pin", [PIN, None], ids=["with-pin", "no-pin"])
def test_the_passphrase_leaves_the_mode_after_a_lock_and_unlock(
    qtbot: QtBot, one_storyteller: Path, app_settings: AppSettings, how: str, pin: str | None
) -> None:
    window = make_window(qtbot, one_storyteller, app_settings)
    unlock(qtbot, window)
    mode = _enter_mode(window, pin)
    _lock(window, how)
    unlock(qtbot, window)
    assert window.mode is mode and window.pages.currentWidget() is mode

    mode.request_leave()
    assert not mode.try_passphrase("not the passphrase")
    assert window.mode is mode, "a wrong passphrase leaves no one out"
    assert mode.try_passphrase(PASSPHRASE), mode.leave_panel.problem.text()
    assert _is_out(window)


@pytest.mark.parametrize("how", ["action", "idle", "session"])
def test_the_pin_leaves_the_mode_after_a_lock_and_unlock(
    qtbot: QtBot, one_storyteller: Path, app_settings: AppSettings, how: str
) -> None:
    window = make_window(qtbot, one_storyteller, app_settings)
    unlock(qtbot, window)
    mode = _enter_mode(window, PIN)
    _lock(window, how)
    unlock(qtbot, window)
    mode.request_leave()
    assert not mode.try_pin("1111")
    assert mode.try_pin(PIN)
    assert _is_out(window)


@pytest.mark.parametrize("locked_first", [False, True], ids=["before-lock", "after-unlock"])
def test_after_a_pin_lock_out_the_passphrase_always_works(
    qtbot: QtBot, one_storyteller: Path, app_settings: AppSettings, locked_first: bool
) -> None:
    window = make_window(qtbot, one_storyteller, app_settings)
    unlock(qtbot, window)
    mode = _enter_mode(window, PIN)
    if locked_first:
        _lock(window, "idle")
        unlock(qtbot, window)
    mode.request_leave()
    for _ in range(MAX_PIN_ATTEMPTS):
        assert not mode.try_pin("0000")
    assert mode.attempts_left() == 0 and mode.using_passphrase()
    assert not mode.try_pin(PIN), "after the lock-out even the right PIN waits for the passphrase"
    assert mode.try_passphrase(PASSPHRASE), mode.leave_panel.problem.text()
    assert _is_out(window)


def test_a_lock_out_then_a_lock_still_leaves_with_the_passphrase(
    qtbot: QtBot, one_storyteller: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, one_storyteller, app_settings)
    unlock(qtbot, window)
    mode = _enter_mode(window, PIN)
    mode.request_leave()
    for _ in range(MAX_PIN_ATTEMPTS):
        mode.try_pin("0000")
    _lock(window, "session")
    unlock(qtbot, window)
    assert window.mode is mode
    mode.request_leave()
    assert mode.using_passphrase(), "a lock is not a way round the PIN lock-out"
    assert mode.try_passphrase(PASSPHRASE), mode.leave_panel.problem.text()
    assert _is_out(window)


@pytest.mark.parametrize("pin", [PIN, None], ids=["with-pin", "no-pin"])
def test_many_locks_in_a_row_and_a_lock_while_handing_back(
    qtbot: QtBot, one_storyteller: Path, app_settings: AppSettings, pin: str | None
) -> None:
    window = make_window(qtbot, one_storyteller, app_settings)
    unlock(qtbot, window)
    mode = _enter_mode(window, pin)
    for how in ("action", "idle", "session", "idle"):
        _lock(window, how)
        unlock(qtbot, window)
        assert window.mode is mode
    # The facilitator starts handing back, and the window locks before they finish.
    mode.request_leave()
    mode.leave_panel.passphrase.setText("half a passphr")
    _lock(window, "idle")
    assert mode.leave_panel.passphrase.text() == "", "nothing typed survives a lock"
    unlock(qtbot, window)
    mode.request_leave()
    assert mode.try_passphrase(PASSPHRASE), mode.leave_panel.problem.text()
    assert _is_out(window)
    # And the window is whole again: the mode can be entered and left once more.
    again = _enter_mode(window, None)
    again.request_leave()
    assert again.try_passphrase(PASSPHRASE)
    assert _is_out(window)
