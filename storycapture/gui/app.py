"""The StoryCapture window: set up or unlock the vault, then the storytellers and their stories.

The first window is built from Qt alone; the services (and SQLAlchemy under them) are imported
only once the passphrase is typed, so the window appears without waiting for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from storycapture.paths import resources_dir

if TYPE_CHECKING:
    from storycapture.services.vault import VaultSession

DATABASE_NAME = "vault.sqlite"  # the store's file name; checked here without importing the store


def _label(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def _centred(*widgets: QWidget, width: int = 460) -> QWidget:
    page = QWidget()
    page.setObjectName("page")
    outer = QHBoxLayout(page)
    column = QWidget()
    column.setMaximumWidth(width)
    layout = QVBoxLayout(column)
    layout.setSpacing(14)
    layout.addStretch(1)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(2)
    outer.addStretch(1)
    outer.addWidget(column, 4)
    outer.addStretch(1)
    return page


class UnlockPage(QWidget):
    """Welcome back: the passphrase, and a plain message if it does not open the vault."""

    unlock_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Your passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.problem = _label("", "problem")
        self.problem.hide()
        self.button = QPushButton("Unlock")
        self.button.setObjectName("primary")
        self.button.setAccessibleName("Unlock the vault")
        self.button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            _centred(
                _label("Welcome back", "heading"),
                _label("Type your passphrase to open the stories on this laptop.", "subtle"),
                self.passphrase,
                self.problem,
                self.button,
            )
        )

    @Slot()
    def _submit(self) -> None:
        self.unlock_requested.emit(self.passphrase.text())

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def reset(self) -> None:
        self.passphrase.clear()
        self.problem.hide()


class CreatePage(QWidget):
    """First run: choose a passphrase; the recovery key is then shown once."""

    create_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.first = QLineEdit()
        self.second = QLineEdit()
        for field, text in ((self.first, "New passphrase"), (self.second, "The same again")):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(text)
            field.setAccessibleName(text)
        self.problem = _label("", "problem")
        self.problem.hide()
        button = QPushButton("Set up the vault")
        button.setObjectName("primary")
        button.clicked.connect(self._submit)
        self.second.returnPressed.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            _centred(
                _label("Welcome to StoryCapture", "heading"),
                _label(
                    "Every story you gather is kept encrypted on this laptop. Choose a "
                    "passphrase of a few words that you will remember; nobody can open the "
                    "stories without it.",
                    "subtle",
                ),
                self.first,
                self.second,
                self.problem,
                button,
            )
        )

    @Slot()
    def _submit(self) -> None:
        if self.first.text() != self.second.text():
            self.show_problem("The two passphrases are not the same. Please type them again.")
            return
        self.create_requested.emit(self.first.text())

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def reset(self) -> None:
        self.first.clear()
        self.second.clear()
        self.problem.hide()


class RecoveryKeyPage(QWidget):
    """The recovery key, shown once; cleared from the window when the facilitator moves on."""

    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.key = _label("", "recoveryKey", wrap=False)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        copy = QPushButton("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.key.text()))
        written = QPushButton("I have written it down")
        written.setObjectName("primary")
        written.clicked.connect(self._done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            _centred(
                _label("Your recovery key", "heading"),
                _label(
                    "If the passphrase is ever forgotten, this key opens the vault. Write it "
                    "down and keep it somewhere safe, away from this laptop. It is shown only "
                    "this once.",
                    "subtle",
                ),
                self.key,
                copy,
                written,
                width=680,
            )
        )

    def show_key(self, recovery_key: str) -> None:
        self.key.setText(recovery_key)

    @Slot()
    def _done(self) -> None:
        self.key.clear()
        clipboard = QGuiApplication.clipboard()
        if clipboard.text().replace("-", "").isalnum() and len(clipboard.text()) == 39:
            clipboard.clear()
        self.done.emit()


class StoriesPage(QWidget):
    """The storytellers beside one person's overview, timeline and story."""

    def __init__(self) -> None:
        super().__init__()
        self.storytellers = QListWidget()
        self.storytellers.setObjectName("storytellers")
        self.storytellers.setAccessibleName("Storytellers")
        self.storytellers.setMinimumWidth(220)
        self.storytellers.currentItemChanged.connect(self._show_selected)
        self.name = _label("", "heading")
        self.overview = QTextBrowser()
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Timeline events, in time order")
        self.story = QTextBrowser()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.timeline, "Timeline")
        self.tabs.addTab(self.story, "Story")
        right = QWidget()
        right.setObjectName("page")
        column = QVBoxLayout(right)
        column.setContentsMargins(24, 18, 24, 18)
        column.addWidget(self.name)
        column.addWidget(self.tabs, 1)
        splitter = QSplitter()
        splitter.addWidget(self.storytellers)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._vault: VaultSession | None = None

    def show_vault(self, vault: VaultSession) -> None:
        from storycapture.services.consent import ConsentService
        from storycapture.services.storytellers import StorytellerService

        self._vault = vault
        consent = ConsentService(vault)
        self.storytellers.clear()
        for person in StorytellerService(vault).list():
            current = consent.current(person.uuid)
            state = "no consent yet" if current is None else "consent recorded"
            item = QListWidgetItem(f"{person.pseudonym}\n{state}")
            item.setData(Qt.ItemDataRole.UserRole, person.uuid)
            self.storytellers.addItem(item)
        if self.storytellers.count():
            self.storytellers.setCurrentRow(0)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _show_selected(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None or self._vault is None:
            return
        from storycapture.domain.vocabulary import Visibility, describe_feeling
        from storycapture.services.consent import ConsentService
        from storycapture.services.story import StoryWordsService
        from storycapture.services.storytellers import StorytellerService
        from storycapture.services.visits import VisitService
        from storycapture.timeline.service import TimelineService

        uuid = item.data(Qt.ItemDataRole.UserRole)
        vault = self._vault
        person = StorytellerService(vault).get(uuid)
        self.name.setText(person.pseudonym)
        current = ConsentService(vault).current(uuid)
        visits = VisitService(vault).list(uuid)
        events = TimelineService(vault).events(uuid)
        agreed = (
            "No consent recorded yet."
            if current is None
            else "Agreed to: " + ", ".join(i.label.lower() for i in current.agreed()) + "."
        )
        last = (
            f"Last visit: {visits[0].visit_date.day} {visits[0].visit_date:%B %Y}."
            if visits
            else "No visits yet."
        )
        self.overview.setPlainText(
            f"{person.role.label}\n\n{agreed}\n{last}\n"
            f"{len(events)} events and periods on the timeline.\n\n{person.notes}"
        )
        self.timeline.clear()
        for event in events:
            mark = "  🔒 private" if event.visibility is Visibility.PRIVATE else ""
            feeling = describe_feeling(event.valence)
            self.timeline.addItem(f"{event.when()}  ·  {event.title}  ·  {feeling}{mark}")
        words = StoryWordsService(vault)
        private = "\n🔒 private: stays on this laptop"
        lines = [
            f"“{q.text}”" + (private if q.visibility is Visibility.PRIVATE else "")
            for q in words.quotes(uuid)
        ]
        lines += [
            n.text + (private if n.visibility is Visibility.PRIVATE else "")
            for n in words.notes(uuid)
        ]
        self.story.setPlainText("\n\n".join(lines))

    def clear(self) -> None:
        """Locking: nothing personal stays in any widget."""
        self._vault = None
        self.storytellers.clear()
        self.name.clear()
        self.overview.clear()
        self.timeline.clear()
        self.story.clear()


class StoryCaptureWindow(QMainWindow):
    def __init__(self, data_dir: Path, vault: VaultSession | None = None) -> None:
        super().__init__()
        self.setWindowTitle("StoryCapture")
        self.data_dir = data_dir
        self.vault: VaultSession | None = None
        self.pages = QStackedWidget()
        self.unlock_page = UnlockPage()
        self.create_page = CreatePage()
        self.recovery_page = RecoveryKeyPage()
        self.stories_page = StoriesPage()
        for page in (self.unlock_page, self.create_page, self.recovery_page, self.stories_page):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self.unlock_page.unlock_requested.connect(self.unlock_vault)
        self.create_page.create_requested.connect(self.create_vault)
        self.recovery_page.done.connect(self._show_stories)
        self.lock_action = QAction("Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.lock_action.setEnabled(False)
        self.addAction(self.lock_action)
        self.menuBar().addMenu("&Vault").addAction(self.lock_action)
        if vault is not None:
            self.vault = vault
            self._show_stories()
        elif (data_dir / DATABASE_NAME).exists():
            self.pages.setCurrentWidget(self.unlock_page)
        else:
            self.pages.setCurrentWidget(self.create_page)

    @Slot(str)
    def unlock_vault(self, passphrase: str) -> None:
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.services.opening import open_vault

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.vault = open_vault(self.data_dir, passphrase)
        except StoryCaptureError as error:
            self.unlock_page.show_problem(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.unlock_page.reset()
        self._show_stories()

    @Slot(str)
    def create_vault(self, passphrase: str) -> None:
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.services.vault import VaultSession

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.vault, recovery_key = VaultSession.create(self.data_dir, passphrase)
        except StoryCaptureError as error:
            self.create_page.show_problem(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.create_page.reset()
        self.recovery_page.show_key(recovery_key)
        self.pages.setCurrentWidget(self.recovery_page)
        self.lock_action.setEnabled(True)

    @Slot()
    def _show_stories(self) -> None:
        if self.vault is None:
            return
        self.stories_page.show_vault(self.vault)
        self.pages.setCurrentWidget(self.stories_page)
        self.lock_action.setEnabled(True)
        self.statusBar().showMessage("Every change is saved as you make it.")

    @Slot()
    def lock(self) -> None:
        self.create_page.reset()
        self.recovery_page.key.clear()
        self.unlock_page.reset()
        if self.vault is None:
            return
        self.stories_page.clear()
        self.vault.lock()
        self.vault = None
        self.lock_action.setEnabled(False)
        self.statusBar().clearMessage()
        self.pages.setCurrentWidget(self.unlock_page)
        self.unlock_page.passphrase.setFocus()

    def closeEvent(self, event: object) -> None:
        self.lock()
        super().closeEvent(event)  # type: ignore[arg-type]


def load_style(app: QApplication) -> None:
    style = resources_dir() / "styles" / "calm.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))


def run_app(data_dir: Path, vault: VaultSession | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("StoryCapture")
    app.setOrganizationName("StoryCapture")
    load_style(app)
    window = StoryCaptureWindow(Path(data_dir), vault)
    window.resize(1200, 760)
    window.show()
    return app.exec()
