"""Two choices every editor offers in the same plain words: whose words these are, and who
may see them. Every option in sight (not a drop-down), so the choice is seen, not hidden."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import WhoseWords
from storycapture.domain.vocabulary import Visibility

WHOSE_WORDS = {
    WhoseWords.THEIRS: ("Their words", "What the storyteller said, whoever types it"),
    WhoseWords.MINE: ("My note", "Your own note as the facilitator"),
}

# The same choice for a photo and its caption.
WHOSE_PHOTO = {
    WhoseWords.THEIRS: ("Theirs", "A photo of the storyteller's, with their words"),
    WhoseWords.MINE: ("Mine", "A photo you took or brought, with your own words"),
}

VISIBILITY_CHOICES = {
    Visibility.PRIVATE: ("Private", "Stays on this laptop; never shared"),
    Visibility.TEAM: ("Team", "The programme team may read it"),
    Visibility.SHAREABLE: ("Shareable", "May be shared, without names, with partner sites"),
}


class _ButtonChoice(QWidget):
    def __init__(
        self,
        label: str,
        options: dict[str, tuple[str, str]],
        stacked: bool,
        one_per_line: bool = False,
    ) -> None:
        super().__init__()
        self.setAccessibleName(label)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        self.caption = QLabel(label)
        # Stacked: the question above its answers, for narrow panels.
        outer = QVBoxLayout(self) if stacked else None
        # One answer per line: for large type in a narrow panel, so none is cut off.
        row: QBoxLayout = QVBoxLayout() if one_per_line else QHBoxLayout()
        layout = self.row = row
        if not stacked:
            self.setLayout(layout)
        layout.setContentsMargins(0, 0, 0, 0)
        if outer is not None:
            outer.setContentsMargins(0, 0, 0, 0)
            outer.setSpacing(2)
            outer.addWidget(self.caption)
            outer.addLayout(layout)
        else:
            layout.addWidget(self.caption)
        for value, (words, tip) in options.items():
            button = QRadioButton(words)
            button.setToolTip(tip)
            button.setAccessibleName(f"{label}: {words}")
            button.setAccessibleDescription(tip)
            self.group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        if not one_per_line:
            layout.addStretch(1)

    def _value(self) -> str | None:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return None

    def _set(self, value: str) -> None:
        self.buttons[value].setChecked(True)


class WhoseWordsChoice(_ButtonChoice):
    """*Their words* or *My note*. In storyteller mode there is nothing to choose: it says
    "Your words"."""

    chosen = Signal(str)  # a WhoseWords value

    def __init__(
        self,
        stacked: bool = False,
        label: str = "Whose words are these?",
        words: dict[WhoseWords, tuple[str, str]] = WHOSE_WORDS,
    ) -> None:
        super().__init__(label, {k.value: v for k, v in words.items()}, stacked)
        self.yours = QLabel("Your words")
        self.yours.setAccessibleName("Whose words: your words")
        self.row.insertWidget(0 if stacked else 1, self.yours)
        self.yours.hide()
        self._storyteller_mode = False
        self.group.buttonClicked.connect(lambda _b: self.chosen.emit(self.value().value))
        self.set_value(WhoseWords.MINE)

    def value(self) -> WhoseWords:
        if self._storyteller_mode:
            return WhoseWords.THEIRS
        return WhoseWords(self._value() or WhoseWords.MINE.value)

    def set_value(self, whose: WhoseWords) -> None:
        self._set(whose.value)

    @property
    def storyteller_mode(self) -> bool:
        return self._storyteller_mode

    def set_storyteller_mode(self, on: bool) -> None:
        self._storyteller_mode = on
        self.yours.setVisible(on)
        for button in self.buttons.values():
            button.setVisible(not on)
        if on:
            self.set_value(WhoseWords.THEIRS)


class VisibilityChoice(_ButtonChoice):
    """Private, Team or Shareable, each with a sentence saying what it means."""

    chosen = Signal(str)  # a Visibility value

    def __init__(
        self, label: str = "Who may see it?", stacked: bool = False, one_per_line: bool = False
    ) -> None:
        super().__init__(
            label, {k.value: v for k, v in VISIBILITY_CHOICES.items()}, stacked, one_per_line
        )
        self.group.buttonClicked.connect(lambda _b: self.chosen.emit(self.value().value))
        self.set_value(Visibility.TEAM)

    def value(self) -> Visibility:
        return Visibility(self._value() or Visibility.PRIVATE.value)

    def set_value(self, visibility: Visibility) -> None:
        self._set(visibility.value)
