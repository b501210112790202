"""The pages shown before the stories: first run (passphrase, recovery key) and unlock.

Built from Qt alone, so the first window appears without waiting for the services.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def make_label(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def centred(*widgets: QWidget, width: int = 460) -> QWidget:
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
        self.problem = make_label("", "problem")
        self.problem.hide()
        self.button = QPushButton("Unlock")
        self.button.setObjectName("primary")
        self.button.setAccessibleName("Unlock the vault")
        self.button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                make_label("Welcome back", "heading"),
                make_label("Type your passphrase to open the stories on this laptop.", "subtle"),
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
        self.problem = make_label("", "problem")
        self.problem.hide()
        button = QPushButton("Set up the vault")
        button.setObjectName("primary")
        button.clicked.connect(self._submit)
        self.second.returnPressed.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                make_label("Welcome to StoryCapture", "heading"),
                make_label(
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
        self.key = make_label("", "recoveryKey", wrap=False)
        # Qt's namespace costs ~15 ms to import (PySide builds its enums): not before the
        # first window, which never shows this page.
        from PySide6.QtCore import Qt

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
            centred(
                make_label("Your recovery key", "heading"),
                make_label(
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
