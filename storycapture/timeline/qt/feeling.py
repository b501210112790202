"""How a moment felt, chosen with seven large buttons in words and colour (as DIALOG+ asks on
its 1 to 7 scale), and an eighth for "Not said": no slider to land between two feelings, and
nothing chosen until someone chooses. "Not said" is a value of its own, never "in between".

Each button says its feeling in words; the colour is only a dot beside them, and the chosen
button also carries a tick, so the choice never rests on colour alone."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QPushButton, QWidget

from storycapture.domain.vocabulary import describe_feeling
from storycapture.timeline.qt.style import Colours, colours_for

# Top to bottom as the Lifeline's bands run, then "Not said" on its own.
FEELINGS: tuple[int, ...] = (3, 2, 1, 0, -1, -2, -3)
NOT_SAID_WORDS = "Not said"
TICK = "✓ "


def feeling_words(valence: int | None) -> str:
    """The words on a feeling's button: "Very good" … "Very hard", or "Not said"."""
    return NOT_SAID_WORDS if valence is None else describe_feeling(valence).capitalize()


class FeelingChoice(QWidget):
    """Eight buttons, one of them chosen: a feeling from very good to very hard, or not said.

    ``chosen`` is emitted (with an int, or None for not said) only when a person presses a
    button that was not chosen already; ``set_value`` shows a value without emitting."""

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("How it felt")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[int | None, QPushButton] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self._columns = 1
        for valence in (*FEELINGS, None):
            words = feeling_words(valence)
            button = QPushButton(words)
            button.setObjectName("feelingChoice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setAccessibleName(f"How it felt: {words}")
            button.setAccessibleDescription(
                "Nobody has said how it felt yet" if valence is None else f"It felt {words.lower()}"
            )
            button.setStyleSheet(
                "QPushButton { text-align: left; } QPushButton:checked { font-weight: 600; }"
            )
            self.group.addButton(button)
            self.buttons[valence] = button
            button.clicked.connect(lambda _checked=False, v=valence: self._clicked(v))
        self._place_buttons()
        self._value: int | None = None
        self.setFocusProxy(self.buttons[None])
        self.set_colours(colours_for())
        self.set_value(None)

    def set_columns(self, columns: int) -> None:
        """One column (the panel beside the picture), or two (storyteller mode, where the
        moment's parts must each fit a small laptop in large type): the feelings still run in
        the bands' order, down the first column and on down the second."""
        if columns != self._columns:
            self._columns = columns
            self._place_buttons()

    def _place_buttons(self) -> None:
        for button in self.buttons.values():
            self._grid.removeWidget(button)
        for row in range(self._grid.rowCount()):
            self._grid.setRowMinimumHeight(row, 0)
        if self._columns == 1:
            for row, valence in enumerate(FEELINGS):
                self._grid.addWidget(self.buttons[valence], row, 0)
            # "Not said" a little apart from the feelings
            self._grid.setRowMinimumHeight(len(FEELINGS), 2)
            self._grid.addWidget(self.buttons[None], len(FEELINGS) + 1, 0)
        else:
            feelings: tuple[int | None, ...] = (*FEELINGS, None)
            rows = (len(feelings) + 1) // 2
            for place, feeling in enumerate(feelings):
                self._grid.addWidget(self.buttons[feeling], place % rows, place // rows)
        # Tab goes in the order the feelings are read, whichever way they are laid out.
        read = [self.buttons[valence] for valence in (*FEELINGS, None)]
        for first, second in pairwise(read):
            QWidget.setTabOrder(first, second)

    def value(self) -> int | None:
        return self._value

    def set_value(self, valence: int | None) -> None:
        """Show ``valence`` as chosen (clamped to −3…3), without emitting ``chosen``."""
        if valence is not None:
            valence = max(-3, min(3, round(valence)))
        self._value = valence
        for value, button in self.buttons.items():
            on = value == valence
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)
            button.setText(f"{TICK if on else ''}{feeling_words(value)}")
        self.setFocusProxy(self.buttons[valence])

    def current_text(self) -> str:
        """The words of the chosen feeling ("Not said" until someone chooses)."""
        return feeling_words(self._value)

    def choose(self, valence: int | None) -> None:
        """Press the button of ``valence``, as a person would."""
        self.buttons[valence].click()

    def _clicked(self, valence: int | None) -> None:
        if valence == self._value:
            self.set_value(valence)  # pressed again: it stays chosen
            return
        self.set_value(valence)
        self.chosen.emit(valence)

    def set_colours(self, colours: Colours) -> None:
        """The dot beside each feeling's words, in the look's colour of that feeling."""
        size = max(12, self.fontMetrics().height() - 4)
        for valence, button in self.buttons.items():
            button.setIcon(_dot(colours, valence, size))
            button.setIconSize(QSize(size, size))


def _dot(colours: Colours, valence: int | None, size: int) -> QIcon:
    ratio = 2
    pixmap = QPixmap(size * ratio, size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    centre, radius = QPointF(size / 2, size / 2), size / 2 - 1.5
    if valence is None:  # not said: a hollow ring, no colour of any feeling
        ring = QPen(colours.soft_ink, 1.4)
        ring.setDashPattern([2.0, 1.5])
        painter.setPen(ring)
        painter.setBrush(Qt.BrushStyle.NoBrush)
    else:
        painter.setPen(QPen(colours.soft_ink, 1.0))
        painter.setBrush(colours.feeling(valence))
    painter.drawEllipse(centre, radius, radius)
    painter.end()
    return QIcon(pixmap)
