"""The pages shown before the stories: the first-run steps and unlock.

First run is five steps, each a page with Back and Next: a welcome (what StoryCapture is, or
practise first with invented storytellers), how the stories are kept safe, when the window
locks itself, the passphrase (twice), and the recovery key (shown once).

Built from Qt alone, so the first window appears without waiting for the services.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.gui.theme import current_scale


def make_label(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def centred(*widgets: QWidget, width: int = 460, scrolling: bool = False) -> QWidget:
    """``widgets`` in a column of at most ``width`` (grown with the interface scale) in the
    middle of the page; ``scrolling`` when a big scale on a small screen may need it."""
    page = QWidget()
    page.setObjectName("page")
    outer = QHBoxLayout(page)
    column = QWidget()
    column.setMaximumWidth(round(width * current_scale()))
    layout = QVBoxLayout(column)
    layout.setSpacing(round(14 * current_scale()))
    layout.addStretch(1)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(2)
    outer.addStretch(1)
    outer.addWidget(column, 4)
    outer.addStretch(1)
    if not scrolling:
        return page
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFrame, QScrollArea

    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from control to control only
    return scroll


FIRST_RUN_STEPS = 5
AUTO_LOCK_CHOICES: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60)


def step_label(step: int) -> QLabel:
    label = make_label(f"Step {step} of {FIRST_RUN_STEPS}", "subtle")
    label.setAccessibleName(f"First-time setup, step {step} of {FIRST_RUN_STEPS}")
    return label


def step_button(text: str, name: str, primary: bool = False) -> QPushButton:
    """A button Enter and Space both press when it has the focus (outside a dialog too)."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setAutoDefault(True)
    if primary:
        button.setObjectName("primary")
    return button


def button_row(back: QPushButton | None, *forward: QPushButton) -> QWidget:
    """Back on the left, the way on at the right."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 10, 0, 0)
    layout.setSpacing(12)
    if back is not None:
        layout.addWidget(back)
    layout.addStretch(1)
    for button in forward:
        layout.addWidget(button)
    return row


def minutes_words(minutes: int) -> str:
    if minutes == 60:
        return "1 hour"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class WelcomePage(QWidget):
    """First run, step 1: what StoryCapture is; set it up, or practise first."""

    next_requested = Signal()
    practice_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.next = step_button("&Next", "Next: how the stories are kept safe", primary=True)
        self.next.clicked.connect(self.next_requested)
        self.practice = step_button(
            "Practise first with invented storytellers",
            "Practise first with invented storytellers",
        )
        self.practice.clicked.connect(self.practice_requested)
        self.problem = make_label("", "problem")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                step_label(1),
                make_label("Welcome to StoryCapture", "heading"),
                make_label(
                    "StoryCapture helps you gather people's life stories on home visits: the "
                    "ups and downs of their life as a timeline, their strengths and hopes, and "
                    "what matters to them, in their own words."
                ),
                make_label(
                    "Setting it up takes a few minutes. Or look around first: practise with a "
                    "few invented storytellers, kept apart from real stories, and set up your "
                    "own vault whenever you are ready.",
                    "subtle",
                ),
                self.problem,
                button_row(None, self.practice, self.next),
                width=620,
                scrolling=True,
            )
        )

    def enter(self) -> None:
        self.problem.hide()
        self.next.setFocus()

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()


class ProtectionPage(QWidget):
    """First run, step 2: how the stories are protected, in plain words."""

    back_requested = Signal()
    next_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.back = step_button("&Back", "Back to the welcome")
        self.back.clicked.connect(self.back_requested)
        self.next = step_button("&Next", "Next: when StoryCapture locks itself", primary=True)
        self.next.clicked.connect(self.next_requested)
        points = (
            (
                "Everything stays on this laptop, encrypted.",
                "Every word is locked away the moment it is typed. Nothing leaves the laptop "
                "unless you choose to share it with the programme team.",
            ),
            (
                "Your passphrase opens it.",
                "You choose it in a moment, and type it each time you open StoryCapture.",
            ),
            (
                "Nobody else can open it.",
                "Not even the people who made StoryCapture can open the stories without your "
                "passphrase or the recovery key you will be given. If both are lost, so are "
                "the stories.",
            ),
            (
                "A storyteller's story is theirs.",
                "If they withdraw their consent, everything of theirs is erased from this "
                "laptop for good.",
            ),
        )
        labels = [make_label(f"<b>{lead}</b> {rest}") for lead, rest in points]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                step_label(2),
                make_label("How the stories are kept safe", "heading"),
                *labels,
                button_row(self.back, self.next),
                width=620,
                scrolling=True,
            )
        )

    def enter(self) -> None:
        self.next.setFocus()


class AutoLockPage(QWidget):
    """First run, step 3: how long before the window locks itself when nobody uses it."""

    back_requested = Signal()
    next_requested = Signal(int)

    def __init__(self, minutes: int) -> None:
        super().__init__()
        self.minutes = QComboBox()
        self.minutes.setAccessibleName("Lock itself after")
        choices = sorted({*AUTO_LOCK_CHOICES, int(minutes)})
        for choice in choices:
            self.minutes.addItem(minutes_words(choice), choice)
        self.minutes.setCurrentIndex(choices.index(int(minutes)))
        label = make_label("Lock itself after", wrap=False)
        label.setBuddy(self.minutes)
        chooser = QWidget()
        row = QHBoxLayout(chooser)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(12)
        row.addWidget(label)
        row.addWidget(self.minutes)
        row.addStretch(1)
        self.sentence = make_label("", "subtle")
        self.minutes.currentIndexChanged.connect(self._describe)
        self._describe()
        self.back = step_button("&Back", "Back to how the stories are kept safe")
        self.back.clicked.connect(self.back_requested)
        self.next = step_button("&Next", "Next: choose a passphrase", primary=True)
        self.next.clicked.connect(self._next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                step_label(3),
                make_label("When you step away", "heading"),
                make_label(
                    "StoryCapture locks itself when nobody has used it for a while, so the "
                    "stories are never left open on the screen. Your passphrase opens it again, "
                    "just where you were. You can also lock it yourself at any time (Ctrl+L)."
                ),
                chooser,
                self.sentence,
                button_row(self.back, self.next),
                width=620,
                scrolling=True,
            )
        )

    def chosen_minutes(self) -> int:
        return int(self.minutes.currentData())

    @Slot()
    def _describe(self) -> None:
        self.sentence.setText(
            f"StoryCapture locks itself after {minutes_words(self.chosen_minutes())} without "
            "a touch, a click or a key press. You can change this later in Settings."
        )

    @Slot()
    def _next(self) -> None:
        self.next_requested.emit(self.chosen_minutes())

    def enter(self) -> None:
        self.minutes.setFocus()


UNLOCK_INTRO = "Type your passphrase to open the stories on this laptop."


class UnlockPage(QWidget):
    """Welcome back: the passphrase, and a plain message if it does not open the vault."""

    unlock_requested = Signal(str)
    own_vault_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.heading = make_label("Welcome back", "heading")
        self.intro = make_label(UNLOCK_INTRO, "subtle")
        self.own_vault = QPushButton("Set up my own vault instead")
        self.own_vault.setAccessibleName("Leave the practice and set up my own vault")
        self.own_vault.setAutoDefault(True)
        self.own_vault.clicked.connect(self.own_vault_requested)
        self.own_vault.hide()
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
                self.heading,
                self.intro,
                self.passphrase,
                self.problem,
                self.button,
                self.own_vault,
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

    def set_practice(self, passphrase: str | None) -> None:
        """Say it is the practice vault (and its published passphrase), or not (``None``)."""
        practising = passphrase is not None
        self.heading.setText("The practice vault" if practising else "Welcome back")
        self.intro.setText(
            "The practice vault of invented storytellers locked itself. Its passphrase is "
            f"“{passphrase}”."
            if practising
            else UNLOCK_INTRO
        )
        self.own_vault.setVisible(practising)


class CreatePage(QWidget):
    """First run, step 4: choose a passphrase (twice); the recovery key is then shown once."""

    create_requested = Signal(str)
    back_requested = Signal()

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
        self.button = step_button("Set up the vault", "Set up the vault", primary=True)
        self.button.clicked.connect(self._submit)
        self.back = step_button("&Back", "Back to when StoryCapture locks itself")
        self.back.clicked.connect(self.back_requested)
        self.first.returnPressed.connect(self.second.setFocus)
        self.second.returnPressed.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                step_label(4),
                make_label("Choose a passphrase", "heading"),
                make_label(
                    "A few words that you will remember, like a short sentence, make a good "
                    "passphrase. You will type it each time you open StoryCapture; nobody can "
                    "open the stories without it.",
                    "subtle",
                ),
                self.first,
                self.second,
                self.problem,
                button_row(self.back, self.button),
                width=620,
                scrolling=True,
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

    def enter(self) -> None:
        self.first.setFocus()


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
        self.key.setAccessibleName("Recovery key")
        self.copy = step_button("Copy", "Copy the recovery key")
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.key.text()))
        self.written = step_button("I have written it down", "I have written it down", True)
        self.written.clicked.connect(self._done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            centred(
                step_label(5),
                make_label("Your recovery key", "heading"),
                make_label(
                    "If the passphrase is ever forgotten, this key opens the vault. Write it "
                    "down and keep it somewhere safe, away from this laptop. It is shown only "
                    "this once.",
                    "subtle",
                ),
                self.key,
                button_row(None, self.copy, self.written),
                width=680,
                scrolling=True,
            )
        )

    def show_key(self, recovery_key: str) -> None:
        self.key.setText(recovery_key)

    def enter(self) -> None:
        self.copy.setFocus()

    @Slot()
    def _done(self) -> None:
        self.key.clear()
        clipboard = QGuiApplication.clipboard()
        if clipboard.text().replace("-", "").isalnum() and len(clipboard.text()) == 39:
            clipboard.clear()
        self.done.emit()
