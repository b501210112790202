"""When to lock on its own: after a while with no touch, click or key, and when the desktop
session locks or the laptop is about to sleep.

``IdleWatcher`` filters every event of the application, so its filter only notes the time of
the latest input; one single-shot timer checks that time when it fires, instead of being
restarted on every mouse move.

``SessionLockWatcher`` listens where the system says so (on Linux, logind and the screen saver
over D-Bus; everywhere, Qt's "application suspended" state) and stays silent where nothing can
be heard, without a warning, as on a machine without D-Bus or in the offscreen test platform.
"""

from __future__ import annotations

import time

from PySide6.QtCore import SLOT, QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
    QDBusPendingCallWatcher,
)
from PySide6.QtGui import QGuiApplication

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.TabletRelease,
        QEvent.Type.NativeGesture,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``minutes`` with no input; the next input watches again."""

    idle = Signal()

    def __init__(
        self, app: QCoreApplication | None, minutes: float, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        app = app if app is not None else QCoreApplication.instance()
        if app is None:
            raise RuntimeError("IdleWatcher needs a running Qt application.")
        self._app = app
        self._seconds = self._checked(minutes)
        self._last_input = time.monotonic()
        self._running = False
        self._waiting = False  # idle has been emitted; the next input starts a new wait
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        app.installEventFilter(self)

    @staticmethod
    def _checked(minutes: float) -> float:
        if minutes <= 0:
            raise ValueError("The idle time must be more than zero minutes.")
        return float(minutes) * 60.0

    @property
    def minutes(self) -> float:
        return self._seconds / 60.0

    def is_running(self) -> bool:
        return self._running

    def set_minutes(self, minutes: float) -> None:
        self._seconds = self._checked(minutes)
        if self._running and not self._waiting:
            self._arm(self._seconds - (time.monotonic() - self._last_input))

    def start(self) -> None:
        """Start watching, counting from now."""
        self._running = True
        self.poke()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def poke(self) -> None:
        """Count as input: the quiet time starts again from now."""
        self._last_input = time.monotonic()
        if self._running and (self._waiting or not self._timer.isActive()):
            self._waiting = False
            self._arm(self._seconds)

    def _arm(self, seconds: float) -> None:
        self._timer.start(max(1, round(seconds * 1000)))

    @Slot()
    def _check(self) -> None:
        if not self._running:
            return
        quiet = time.monotonic() - self._last_input
        if quiet + 0.001 >= self._seconds:
            self._waiting = True
            self.idle.emit()
        else:
            self._arm(self._seconds - quiet)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self._last_input = time.monotonic()
            if self._waiting and self._running:
                self.poke()
        return False

    def dispose(self) -> None:
        """Stop and take the event filter off the application."""
        self.stop()
        self._app.removeEventFilter(self)


_LOGIN1 = "org.freedesktop.login1"
_LOGIN1_PATH = "/org/freedesktop/login1"
_LOGIN1_MANAGER = "org.freedesktop.login1.Manager"
_LOGIN1_SESSION = "org.freedesktop.login1.Session"
# (service, interface): GNOME, KDE and most others answer to the freedesktop name; an empty
# path matches the screen saver wherever it lives (KDE has two paths, GNOME its own).
_SCREEN_SAVERS = (
    ("org.freedesktop.ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.gnome.ScreenSaver", "org.gnome.ScreenSaver"),
)


def _slot(signature: str) -> bytes:
    # PySide6 wants the SLOT() string itself here, although its stubs say bytes.
    return SLOT(signature)  # type: ignore[return-value]


class SessionLockWatcher(QObject):
    """Emits ``lock_requested`` when the desktop session locks or the machine is about to sleep.

    The buses default to the system and session bus (on Windows and macOS they are simply not
    connected, so nothing but Qt's own state is heard); tests pass connections to a private bus.
    """

    lock_requested = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        app: QGuiApplication | None = None,
        system_bus: QDBusConnection | None = None,
        session_bus: QDBusConnection | None = None,
    ) -> None:
        super().__init__(parent)
        self._listening: list[str] = []
        self._pending: QDBusPendingCallWatcher | None = None
        if app is None:
            running = QGuiApplication.instance()
            app = running if isinstance(running, QGuiApplication) else None
        if app is not None:
            app.applicationStateChanged.connect(self._on_application_state)
            self._listening.append("application suspended")
        self._system = system_bus if system_bus is not None else QDBusConnection.systemBus()
        self._session = session_bus if session_bus is not None else QDBusConnection.sessionBus()
        self._listen_to_login1()
        self._listen_to_screen_savers()

    def listening_to(self) -> list[str]:
        """What this watcher hears on this machine, in words (for diagnostics and tests)."""
        return list(self._listening)

    def _listen_to_login1(self) -> None:
        bus = self._system
        if not bus.isConnected():
            return
        if bus.connect(
            _LOGIN1,
            _LOGIN1_PATH,
            _LOGIN1_MANAGER,
            "PrepareForSleep",
            self,
            _slot("_on_prepare_for_sleep(bool)"),
        ):
            self._listening.append("about to sleep")
        # The session's Lock signal comes from its own object path; ask logind which it is.
        ask = QDBusMessage.createMethodCall(_LOGIN1, _LOGIN1_PATH, _LOGIN1_MANAGER, "GetSession")
        ask.setArguments(["auto"])
        self._pending = QDBusPendingCallWatcher(bus.asyncCall(ask, 5000), self)
        self._pending.finished.connect(self._on_session_path)

    @Slot(QDBusPendingCallWatcher)
    def _on_session_path(self, pending: QDBusPendingCallWatcher) -> None:
        reply = pending.reply()
        pending.deleteLater()
        self._pending = None
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            return  # not in a logind session (or no logind): the screen saver still tells us
        found = reply.arguments()[0]
        path = found.path() if isinstance(found, QDBusObjectPath) else str(found)
        if path and self._system.connect(
            _LOGIN1, path, _LOGIN1_SESSION, "Lock", self, _slot("_on_session_lock()")
        ):
            self._listening.append("session locked")

    def _listen_to_screen_savers(self) -> None:
        bus = self._session
        if not bus.isConnected():
            return
        for service, interface in _SCREEN_SAVERS:
            if bus.connect(
                service,
                "",
                interface,
                "ActiveChanged",
                self,
                _slot("_on_screen_saver(bool)"),
            ):
                self._listening.append(f"screen saver ({service})")

    @Slot(bool)
    def _on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            self.lock_requested.emit()

    @Slot()
    def _on_session_lock(self) -> None:
        self.lock_requested.emit()

    @Slot(bool)
    def _on_screen_saver(self, active: bool) -> None:
        if active:
            self.lock_requested.emit()

    @Slot(Qt.ApplicationState)
    def _on_application_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock_requested.emit()
