"""The deck panel (ideas to pick from, or write your own) and the card editor beside the board.

Neither is a dialog: both sit beside the board, so the storyteller never loses sight of it.
They hold no cards of their own; they say what was asked for and the tool makes the edit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QBoxLayout,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import WhoseWords
from storycapture.domain.story import StrengthCard
from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.qtkit.choices import WhoseWordsChoice
from storycapture.strengths.board import ZONES, Board
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt import style
from storycapture.strengths.qt.cards import PromptDelegate
from storycapture.strengths.qt.models import UUID_ROLE, PromptListModel, written_by

VISIBILITY_WORDS = {
    Visibility.PRIVATE: ("Private", "Stays on this laptop; never shared"),
    Visibility.TEAM: ("Team", "The programme team may read it"),
    Visibility.SHAREABLE: ("Shareable", "May be shared, without names, with partner sites"),
}


def _button(text: str, tip: str = "", name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name or text)
    if tip:
        button.setToolTip(tip)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


class DeckPanel(QFrame):
    """Prompt cards for the board in view, filtered by words; pick one, or write your own."""

    prompt_picked = Signal(str)
    write_own = Signal()

    def __init__(self, deck: PromptDeck) -> None:
        super().__init__()
        self.setObjectName("deckPanel")
        self.deck = deck
        self._kinds: frozenset[CardKind] | None = None
        heading = QLabel("Ideas to pick from")
        heading.setObjectName("zoneTitle")
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Find an idea, like “cooking”")
        self.filter_box.setAccessibleName("Find an idea")
        self.filter_box.setClearButtonEnabled(True)
        self.model = PromptListModel(self)
        self.list = QListView()
        self.list.setObjectName("promptList")
        self.list.setModel(self.model)
        self.prompt_delegate = PromptDelegate(self.list)
        self.list.setItemDelegate(self.prompt_delegate)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAccessibleName("Ideas for cards")
        self.list.setAccessibleDescription("Enter or a double tap puts the idea on the board.")
        self.add_button = _button("Use this idea", "Make a card from the chosen idea")
        self.add_button.setObjectName("primary")
        self.own_button = _button("Write your own", "A card in your own words")
        self.empty = QLabel("No ideas with those words. Try fewer words, or write your own.")
        self.empty.setObjectName("subtle")
        self.empty.setWordWrap(True)
        self.empty.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.add_button)
        layout.addWidget(self.own_button)

        self.filter_box.textChanged.connect(self._refilter)
        self.list.activated.connect(self._activated)
        self.list.doubleClicked.connect(self._activated)
        self.add_button.clicked.connect(self._add_current)
        self.own_button.clicked.connect(self.write_own)
        self.filter_box.installEventFilter(self)
        self._refilter()

    def show_kinds(self, kinds: frozenset[CardKind] | None) -> None:
        self._kinds = kinds
        self._refilter()

    def set_filter(self, words: str) -> None:
        self.filter_box.setText(words)

    def prompt_ids(self) -> list[str]:
        return [
            self.model.data(self.model.index(r), UUID_ROLE) for r in range(self.model.rowCount())
        ]

    @Slot()
    def _refilter(self) -> None:
        found = self.deck.filter(self.filter_box.text(), self._kinds)
        self.model.set_prompts(found)
        self.empty.setVisible(not found)
        if found:
            self.list.setCurrentIndex(self.model.index(0))
        self.add_button.setEnabled(bool(found))

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.prompt_picked.emit(index.data(UUID_ROLE))

    @Slot()
    def _add_current(self) -> None:
        self._activated(self.list.currentIndex())

    def eventFilter(self, watched: object, event: object) -> bool:
        # Down from the filter box goes into the list, as in a search field.
        if (
            watched is self.filter_box
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self.list.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return False


class CardEditor(QFrame):
    """The chosen card's words, zone, colour and who may see it; or a new card being written."""

    words_kept = Signal(str, str)  # card uuid, words
    card_written = Signal(str, str)  # zone (kind value), words
    zone_chosen = Signal(str, str)  # card uuid, zone
    colour_chosen = Signal(str, str)  # card uuid, "#rrggbb" or "" for the plain card
    visibility_chosen = Signal(str, str)
    move_requested = Signal(str, int)
    remove_requested = Signal(str)
    history_requested = Signal(str)  # card uuid: its earlier words and who changed them
    whose_chosen = Signal(str, str)  # card uuid, a WhoseWords value

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("cardEditor")
        self.card: StrengthCard | None = None
        self.writing_new = False
        self._filling = False

        self.heading = QLabel("Choose a card")
        self.heading.setObjectName("zoneTitle")
        self.by = QLabel("Choose a card on the board to change it, or write your own.")
        self.by.setObjectName("subtle")
        self.by.setWordWrap(True)
        # Told by the tool: in storyteller mode everything is theirs, with nothing to choose.
        self.storyteller_mode: Callable[[], bool] = lambda: False
        self.whose = WhoseWordsChoice(stacked=True)
        self.whose.chosen.connect(self._whose_clicked)
        self.words = QPlainTextEdit()
        self.words.setAccessibleName("The card's words")
        self.words.setTabChangesFocus(True)
        self.words.setPlaceholderText("Write the card in your own words")
        self.keep_button = _button("Keep these words", "Save the words (Ctrl+Enter)")
        self.keep_button.setObjectName("primary")
        self.zone = QComboBox()
        self.zone.setAccessibleName("Zone")
        for zone in ZONES:
            self.zone.addItem(zone.title, zone.kind.value)
        zone_label = QLabel("Goes in")
        zone_label.setBuddy(self.zone)

        colour_label = QLabel("Colour")
        self.swatches = QButtonGroup(self)
        self.swatches.setExclusive(True)
        self.swatch_grid = QGridLayout()
        self.swatch_grid.setSpacing(4)
        self.swatch_buttons: list[QToolButton] = []
        self.swatch_px = style.TARGET_PX  # how large each swatch is: a finger's size when large
        self._look: style.Look | None = None
        for number, swatch in enumerate(style.SWATCHES):
            button = QToolButton()
            button.setCheckable(True)
            button.setAccessibleName(f"Colour: {swatch.name}")
            button.setToolTip(swatch.name)
            button.setProperty("colour", swatch.colour or "")
            self.swatches.addButton(button, number)
            self.swatch_buttons.append(button)

        see_label = QLabel("Who can see it")
        self.visibility_group = QButtonGroup(self)
        self.visibility_group.setExclusive(True)
        self.visibility_buttons: dict[Visibility, QPushButton] = {}
        see_row = self.see_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        see_row.setSpacing(4)
        for visibility, (words, tip) in VISIBILITY_WORDS.items():
            choice = _button(words, tip, f"Who can see it: {words}")
            choice.setCheckable(True)
            self.visibility_group.addButton(choice)
            self.visibility_buttons[visibility] = choice
            see_row.addWidget(choice)
        self.see_note = QLabel()
        self.see_note.setObjectName("subtle")
        self.see_note.setWordWrap(True)

        self.up_button = _button("Move up", "Ctrl+Up", "Move the card up")
        self.down_button = _button("Move down", "Ctrl+Down", "Move the card down")
        self.remove_button = _button("Take off the board", "Delete (Undo brings it back)")
        self.history_button = _button(
            "Earlier versions", "Every earlier wording, who changed it and when"
        )
        moves = QGridLayout()
        moves.setSpacing(4)
        moves.addWidget(self.up_button, 0, 0)
        moves.addWidget(self.down_button, 0, 1)
        moves.addWidget(self.history_button, 1, 0, 1, 2)
        moves.addWidget(self.remove_button, 2, 0, 1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.by)
        layout.addWidget(self.whose)
        layout.addWidget(self.words)
        layout.addWidget(self.keep_button)
        layout.addSpacing(6)
        layout.addWidget(zone_label)
        layout.addWidget(self.zone)
        layout.addWidget(colour_label)
        layout.addLayout(self.swatch_grid)
        layout.addWidget(see_label)
        layout.addLayout(see_row)
        layout.addWidget(self.see_note)
        layout.addSpacing(6)
        layout.addLayout(moves)
        layout.addStretch(1)
        self.lay_out_swatches(len(self.swatch_buttons))
        self.set_look(style.LIGHT)
        self.card_controls: list[QWidget] = [
            self.whose,
            self.zone,
            *self.swatch_buttons,
            *self.visibility_buttons.values(),
            self.up_button,
            self.down_button,
            self.history_button,
            self.remove_button,
        ]

        self.keep_button.clicked.connect(self.commit_pending)
        self.zone.activated.connect(self._zone_activated)
        self.swatches.idClicked.connect(self._swatch_clicked)
        self.visibility_group.buttonClicked.connect(self._visibility_clicked)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.remove_button.clicked.connect(self._remove)
        self.history_button.clicked.connect(self._history)
        self.words.installEventFilter(self)
        self.show_card(None)

    def set_look(self, look: style.Look) -> None:
        """Show each swatch as cards show its colour in ``look`` (one of the window's looks)."""
        self._look = look
        # A style sheet's least width wins over a fixed size: when large, it is the whole swatch.
        least = self.swatch_px - 2 if self.swatch_px > style.TARGET_PX else 24
        for button in self.swatch_buttons:
            colour = str(button.property("colour") or "") or None
            button.setStyleSheet(
                f"QToolButton {{ background: {look.swatch_fill(colour)};"
                f" border: 1px solid {look.swatch_border};"
                f" border-radius: 14px; min-width: {least}px; padding: 0; }}"
                f"QToolButton:checked {{ border: 3px solid {look.ink}; }}"
                f"QToolButton:focus {{ border: 3px solid {look.accent}; }}"
            )

    def stack_choices(self, stacked: bool) -> None:
        """In large type the three "who can see it" choices go one under another, so the
        editor keeps to its column instead of running off its right edge."""
        self.see_row.setDirection(
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )

    def size_swatches(self, size: int) -> None:
        self.swatch_px = size
        for button in self.swatch_buttons:
            button.setFixedSize(size, size)
        if self._look is not None:
            self.set_look(self._look)

    def lay_out_swatches(self, per_row: int) -> None:
        for button in self.swatch_buttons:
            self.swatch_grid.removeWidget(button)
        for number, button in enumerate(self.swatch_buttons):
            self.swatch_grid.addWidget(button, number // per_row, number % per_row)
        self.swatch_grid.setColumnStretch(per_row, 1)

    # -- what is shown ------------------------------------------------------------------------

    def show_card(self, card: StrengthCard | None) -> None:
        """Show a card (or nothing), keeping words being typed for the same card."""
        same = card is not None and self.card is not None and card.uuid == self.card.uuid
        typing = same and self.words.toPlainText() != (self.card.text if self.card else "")
        mode = self.storyteller_mode()
        self.whose.set_storyteller_mode(mode)
        self.whose.setVisible(not mode)  # in their own mode: nothing to choose
        self.card = card
        self.writing_new = False
        self._filling = True
        try:
            if card is None:
                self.heading.setText("Choose a card")
                self.by.setText("Choose a card on the board to change it, or write your own.")
                self.words.clear()
            else:
                self.heading.setText("This card")
                self.by.setText(
                    "Written in their own words"
                    if card.meta.author.is_storyteller
                    else f"Written {written_by(card)}"
                )
                self.whose.set_value(WhoseWords.of(card.meta.author))
                if not typing:
                    self.words.setPlainText(card.text)
                self.zone.setCurrentIndex(self.zone.findData(card.kind.value))
                self._check_swatch(card.colour)
                self.visibility_buttons[card.visibility].setChecked(True)
                self.see_note.setText(VISIBILITY_WORDS[card.visibility][1])
        finally:
            self._filling = False
        self.words.setEnabled(card is not None)
        self.keep_button.setEnabled(card is not None)
        self.keep_button.setText("Keep these words")
        for control in self.card_controls:
            control.setEnabled(card is not None)
        if card is None:
            self.see_note.clear()

    def start_new(self, kind: CardKind, whose: WhoseWords = WhoseWords.MINE) -> None:
        """Empty words for a new card in ``kind``, as ``whose`` words unless changed; it is
        made when the words are kept."""
        self.show_card(None)
        self.writing_new = True
        self.whose.set_value(whose)
        self.whose.setEnabled(True)
        self.heading.setText("A new card")
        self.by.setText("Write it in your own words, then choose “Put it on the board”.")
        self.words.setEnabled(True)
        self.keep_button.setEnabled(True)
        self.keep_button.setText("Put it on the board")
        self.zone.setEnabled(True)
        self.zone.setCurrentIndex(self.zone.findData(kind.value))
        self.words.setFocus(Qt.FocusReason.OtherFocusReason)

    def _check_swatch(self, colour: str | None) -> None:
        wanted = (colour or "").lower()
        for button in self.swatch_buttons:
            if str(button.property("colour")).lower() == wanted:
                button.setChecked(True)
                return
        self.swatches.setExclusive(False)
        for button in self.swatch_buttons:
            button.setChecked(False)
        self.swatches.setExclusive(True)

    def clear(self) -> None:
        self._filling = True
        try:
            self.words.clear()
        finally:
            self._filling = False
        self.show_card(None)

    # -- what was asked for ---------------------------------------------------------------------

    @Slot()
    def commit_pending(self) -> None:
        """Keep typed words: change the card's words, or make the new card."""
        text = self.words.toPlainText().strip()
        if self.writing_new:
            if text:
                self.card_written.emit(str(self.zone.currentData()), text)
            return
        if self.card is not None and text and text != self.card.text:
            self.words_kept.emit(self.card.uuid, text)

    @Slot(int)
    def _zone_activated(self, row: int) -> None:
        if self.card is not None and not self._filling:
            self.zone_chosen.emit(self.card.uuid, str(self.zone.itemData(row)))

    @Slot(int)
    def _swatch_clicked(self, number: int) -> None:
        if self.card is not None and not self._filling:
            colour = self.swatch_buttons[number].property("colour")
            self.colour_chosen.emit(self.card.uuid, str(colour or ""))

    def _whose_clicked(self, whose: str) -> None:
        if self.card is not None and not self._filling and not self.writing_new:
            self.whose_chosen.emit(self.card.uuid, whose)

    def _visibility_clicked(self, button: QAbstractButton) -> None:
        if self.card is None or self._filling:
            return
        for visibility, candidate in self.visibility_buttons.items():
            if candidate is button:
                self.visibility_chosen.emit(self.card.uuid, visibility.value)

    def _move(self, steps: int) -> None:
        if self.card is not None:
            self.move_requested.emit(self.card.uuid, steps)

    def _remove(self) -> None:
        if self.card is not None:
            self.remove_requested.emit(self.card.uuid)

    def _history(self) -> None:
        if self.card is not None:
            self.history_requested.emit(self.card.uuid)

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.words
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.commit_pending()
            return True
        return False


def kinds_of(board: Board) -> frozenset[CardKind]:
    return board.kinds
