"""Locking on its own: after a quiet while, and when the session locks or the laptop sleeps.

The idle times here are tiny (0.002 minutes is 120 ms). The session-lock tests run a private
D-Bus daemon, when one is installed, with stand-ins for logind and the screen saver on it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import ClassInfo, QObject, QPoint, Qt, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusObjectPath
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from storycapture.gui.idle import IdleWatcher, SessionLockWatcher


@pytest.fixture
def watcher(qapp: QApplication) -> Iterator[Callable[[float], IdleWatcher]]:
    made: list[IdleWatcher] = []

    def make(minutes: float) -> IdleWatcher:
        made.append(IdleWatcher(qapp, minutes))
        return made[-1]

    yield make
    for one in made:
        one.dispose()


@pytest.fixture
def field(qtbot: QtBot) -> QLineEdit:
    line = QLineEdit()
    qtbot.addWidget(line)
    line.show()
    qtbot.waitExposed(line)
    return line


def test_idle_is_signalled_after_the_quiet_time(
    qtbot: QtBot, watcher: Callable[[float], IdleWatcher]
) -> None:
    idle = watcher(0.002)
    assert not idle.is_running()
    started = time.monotonic()
    with qtbot.waitSignal(idle.idle, timeout=2000):
        idle.start()
    assert time.monotonic() - started >= 0.1


def _key(line: QLineEdit) -> None:
    QTest.keyClick(line, Qt.Key.Key_A)


def _mouse_move(line: QLineEdit) -> None:
    QTest.mouseMove(line, QPoint(5 + int(time.monotonic() * 1000) % 20, 5))


def _click(line: QLineEdit) -> None:
    QTest.mouseClick(line, Qt.MouseButton.LeftButton)


def _wheel(line: QLineEdit) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    point = QPointF(5, 5)
    event = QWheelEvent(
        point,
        line.mapToGlobal(point),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(line, event)


def _touch(line: QLineEdit) -> None:
    device = QTest.createTouchDevice()
    QTest.touchEvent(line, device).press(0, QPoint(5, 5)).commit()
    QTest.touchEvent(line, device).release(0, QPoint(6, 5)).commit()


@pytest.mark.parametrize(
    "touch_the_laptop", [_key, _mouse_move, _click, _wheel, _touch], ids=lambda f: f.__name__
)
def test_any_input_postpones_idle(
    qtbot: QtBot,
    watcher: Callable[[float], IdleWatcher],
    field: QLineEdit,
    touch_the_laptop: Callable[[QLineEdit], None],
) -> None:
    idle = watcher(0.005)  # 300 ms
    signalled: list[float] = []
    idle.idle.connect(lambda: signalled.append(time.monotonic()))
    idle.start()
    busy_until = time.monotonic() + 0.6
    while time.monotonic() < busy_until:
        touch_the_laptop(field)
        qtbot.wait(30)
    assert signalled == []
    quiet_from = time.monotonic()
    qtbot.waitUntil(lambda: bool(signalled), timeout=2000)
    assert signalled[0] - quiet_from >= 0.2


def test_poke_counts_as_input_and_idle_is_signalled_once_until_the_next_input(
    qtbot: QtBot, watcher: Callable[[float], IdleWatcher], field: QLineEdit
) -> None:
    idle = watcher(0.002)
    signalled: list[float] = []
    idle.idle.connect(lambda: signalled.append(time.monotonic()))
    idle.start()
    for _ in range(5):
        qtbot.wait(50)
        idle.poke()
    assert signalled == []
    qtbot.waitUntil(lambda: len(signalled) == 1, timeout=2000)
    qtbot.wait(400)
    assert len(signalled) == 1  # once, while nobody is there
    _key(field)
    qtbot.waitUntil(lambda: len(signalled) == 2, timeout=2000)


def test_stop_start_and_a_new_time(qtbot: QtBot, watcher: Callable[[float], IdleWatcher]) -> None:
    idle = watcher(0.002)
    idle.start()
    idle.stop()
    with qtbot.assertNotEmitted(idle.idle, wait=400):
        pass
    idle.set_minutes(10)
    assert idle.minutes == 10
    idle.start()
    with qtbot.assertNotEmitted(idle.idle, wait=300):
        pass
    with qtbot.waitSignal(idle.idle, timeout=2000):
        idle.set_minutes(0.002)
    with pytest.raises(ValueError):
        idle.set_minutes(0)


# -- the session locking, the laptop sleeping ---------------------------------------------


def test_the_session_watcher_is_quiet_where_there_is_no_bus(
    qtbot: QtBot, qapp: QApplication, qtlog: object
) -> None:
    if QDBusConnection.systemBus().isConnected() or QDBusConnection.sessionBus().isConnected():
        pytest.skip("this machine has a D-Bus; the private-bus test covers it")
    watcher = SessionLockWatcher()
    assert watcher.listening_to() == ["application suspended"]
    qtbot.wait(50)
    assert [r.message for r in qtlog.records] == []  # type: ignore[attr-defined]


def test_a_suspended_application_asks_for_a_lock(qtbot: QtBot, qapp: QApplication) -> None:
    watcher = SessionLockWatcher(app=qapp)
    with qtbot.assertNotEmitted(watcher.lock_requested):
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
    with qtbot.waitSignal(watcher.lock_requested, timeout=1000):
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationSuspended)
    qapp.applicationStateChanged.emit(QGuiApplication.applicationState())


SESSION_PATH = "/org/freedesktop/login1/session/_32"


@ClassInfo({"D-Bus Interface": "org.freedesktop.login1.Manager"})
class FakeLogind(QObject):
    """Answers GetSession("auto") as logind does: with the session's object path."""

    @Slot(str, result=QDBusObjectPath)
    def GetSession(self, session_id: str) -> QDBusObjectPath:  # the D-Bus method name
        return QDBusObjectPath(SESSION_PATH)


@pytest.fixture
def private_bus() -> Iterator[tuple[QDBusConnection, QDBusConnection]]:
    """(the watcher's connection, the desktop's) to a D-Bus daemon of the test's own."""
    daemon_path = shutil.which("dbus-daemon")
    if daemon_path is None:
        pytest.skip("dbus-daemon is not installed")
    daemon = subprocess.Popen(
        [daemon_path, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    listener = QDBusConnection.connectToBus(address, "storycapture-test-listener")
    desktop = QDBusConnection.connectToBus(address, "storycapture-test-desktop")
    assert listener.isConnected() and desktop.isConnected()
    try:
        yield listener, desktop
    finally:
        QDBusConnection.disconnectFromBus("storycapture-test-listener")
        QDBusConnection.disconnectFromBus("storycapture-test-desktop")
        daemon.terminate()
        daemon.wait(5)


def _signal(bus: QDBusConnection, path: str, interface: str, name: str, *args: object) -> None:
    message = QDBusMessage.createSignal(path, interface, name)
    message.setArguments(list(args))
    assert bus.send(message)


def test_sleep_session_lock_and_screen_saver_ask_for_a_lock(
    qtbot: QtBot, private_bus: tuple[QDBusConnection, QDBusConnection]
) -> None:
    listener, desktop = private_bus
    logind = FakeLogind()
    assert desktop.registerObject(
        "/org/freedesktop/login1", logind, QDBusConnection.RegisterOption.ExportAllSlots
    )
    for name in ("org.freedesktop.login1", "org.freedesktop.ScreenSaver"):
        assert desktop.registerService(name)

    watcher = SessionLockWatcher(system_bus=listener, session_bus=listener)
    qtbot.waitUntil(lambda: "session locked" in watcher.listening_to(), timeout=3000)
    assert "about to sleep" in watcher.listening_to()
    assert "screen saver (org.freedesktop.ScreenSaver)" in watcher.listening_to()

    manager = ("/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep")
    with qtbot.waitSignal(watcher.lock_requested, timeout=2000):
        _signal(desktop, *manager, True)
    with qtbot.waitSignal(watcher.lock_requested, timeout=2000):
        _signal(desktop, SESSION_PATH, "org.freedesktop.login1.Session", "Lock")
    saver = ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged")
    with qtbot.waitSignal(watcher.lock_requested, timeout=2000):
        _signal(desktop, *saver, True)

    with qtbot.assertNotEmitted(watcher.lock_requested, wait=300):
        _signal(desktop, *manager, False)  # waking up
        _signal(desktop, *saver, False)  # the screen saver ending
        _signal(
            desktop, "/org/freedesktop/login1/session/_33", "org.freedesktop.login1.Session", "Lock"
        )
