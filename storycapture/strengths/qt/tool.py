"""The strengths tool: the deck of ideas, the two boards and the card editor, together.

The tool is where gestures become edits. Every change goes through ``StrengthService`` as one
undo step (``qtkit.undo.push_step``); a drag that renumbers a zone is one step too. The tool
keeps the storyteller's cards as plain values, re-reads them after each edit, and hands them to
the zone models; the models and views never call the service.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author, AuthorFilter, WhoseWords
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import StrengthCard
from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.flow import FlowLayout, scrolling_page
from storycapture.qtkit.looks import scaled_px
from storycapture.qtkit.undo import push_step
from storycapture.qtkit.undo_bar import UndoBar
from storycapture.strengths.board import (
    BOARDS,
    ZONES,
    CardMove,
    board_of,
    in_zone,
    move_before,
    move_to_zone,
    move_within,
    zone_of,
)
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt import style
from storycapture.strengths.qt.board_view import BoardPage, DragController, ZoneView
from storycapture.strengths.qt.panels import VISIBILITY_WORDS, CardEditor, DeckPanel
from storycapture.strengths.service import StrengthService

AUTHOR_FILTERS: dict[AuthorFilter, str] = {
    AuthorFilter.ALL: "All cards",
    AuthorFilter.STORYTELLER: "Only their own words",
    AuthorFilter.FACILITATOR: "Only cards a facilitator wrote",
    AuthorFilter.HIGHLIGHT_STORYTELLER: "All, with their own words marked",
}


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


class _FittingScroll(QScrollArea):
    """A scroll area for the chosen card: it scrolls down, and is never narrower than the
    card's controls need (so nothing is cut at the side, whatever the text size)."""

    def __init__(self) -> None:
        super().__init__()
        self.preferred_width = 250

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the card's controls changed size (the text size did)
        return super().eventFilter(watched, event)

    def _needs(self) -> int:
        inner = self.widget()
        content = inner.minimumSizeHint().width() if inner is not None else 0
        return content + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()

    def minimumSizeHint(self) -> QSize:
        return QSize(self._needs(), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(max(self.preferred_width, self._needs()), super().sizeHint().height())


class StrengthsTool(QWidget):
    """One storyteller's strengths board and life-now board, with the deck and the editor."""

    changed = Signal()
    history_requested = Signal(str)  # a card's uuid: the window shows its earlier versions

    def __init__(
        self,
        service: StrengthService,
        context: EditingContext,
        deck: PromptDeck,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("strengthsTool")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._service = service
        self._context = context
        self._deck = deck
        self._storyteller: str | None = None
        self._cards: dict[str, StrengthCard] = {}
        self._chosen: str | None = None
        self._filter = AuthorFilter.ALL
        self._large = False
        self._syncing = False
        self._theme: str | None = None  # None: the window's look, read off its palette
        self._look = style.look_for()

        self.drag = DragController(self)
        self.pages = [BoardPage(board, self.drag) for board in BOARDS]
        self.views: dict[CardKind, ZoneView] = {}
        for page in self.pages:
            for column in page.columns:
                self.views[column.zone.kind] = column.view
                self.drag.views.append(column.view)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)

        self.board_buttons: list[QPushButton] = []
        self._board_group = QButtonGroup(self)
        self._board_group.setExclusive(True)
        for number, board in enumerate(BOARDS):
            button = QPushButton(board.title)
            button.setCheckable(True)
            button.setAccessibleName(f"Show the board: {board.title}")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self._board_group.addButton(button, number)
            self.board_buttons.append(button)
        self.board_buttons[0].setChecked(True)

        self.author_filter = QComboBox()
        self.author_filter.setAccessibleName("Which cards to show")
        self.author_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.author_filter.setMinimumContentsLength(24)
        for mode, words in AUTHOR_FILTERS.items():
            self.author_filter.addItem(words, mode.value)
        show_label = QLabel("Show")
        show_label.setBuddy(self.author_filter)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        # "The card was taken off the board. Undo": in view, never repeating its words.
        self.undo_bar = UndoBar()

        self.deck_panel = DeckPanel(deck)
        self.editor = CardEditor()
        # In storyteller mode on a small screen the editor may be taller than the window.
        self.editor_area = _FittingScroll()
        self.editor_area.setWidget(self.editor)
        self.editor_area.setWidgetResizable(True)
        self.editor_area.setFrameShape(QFrame.Shape.NoFrame)
        self.editor_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.editor_area.setAccessibleName("The chosen card")

        # The boards' buttons and the filter wrap onto a second line when the text is large.
        bar_row = QWidget()
        bar = FlowLayout(bar_row, spacing=6)
        for button in self.board_buttons:
            bar.addWidget(button)
        show_filter = QWidget()
        show_row = QHBoxLayout(show_filter)
        show_row.setContentsMargins(0, 0, 0, 0)
        show_row.addWidget(show_label)
        show_row.addWidget(self.author_filter)
        bar.addWidget(show_filter)

        self._centre = QWidget()
        centre = QVBoxLayout(self._centre)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.setSpacing(8)
        centre.addWidget(bar_row)
        centre.addWidget(self.problem)
        centre.addWidget(self.undo_bar)
        centre.addWidget(self.stack, 1)

        # Side by side on a wide screen; on a compact one (large text on a small laptop) the
        # board comes first, the ideas and the chosen card below it, and the page scrolls
        # down, never sideways.
        self._content = QWidget()
        self._grid = QGridLayout(self._content)
        self._grid.setContentsMargins(12, 12, 12, 12)
        self._grid.setSpacing(12)
        self._compact = False
        self._place_panels()
        self.scroll_area = scrolling_page(self._content)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.scroll_area)

        self._size_panels()
        self.deck_panel.installEventFilter(self)  # its words grew: it may need more room
        self._make_actions()
        for view in self.views.values():
            view.selectionModel().currentChanged.connect(partial(self._current_moved, view))
            view.activated.connect(self._edit_words)
            view.customContextMenuRequested.connect(partial(self._context_menu, view))
            view.step_zone.connect(partial(self._step_focus, view))
        self.drag.dropped.connect(self._dropped)
        self._board_group.idClicked.connect(self.show_board)
        self.author_filter.activated.connect(
            lambda row: self.set_author_filter(str(self.author_filter.itemData(row)))
        )
        self.deck_panel.prompt_picked.connect(self.add_from_prompt)
        self.deck_panel.write_own.connect(lambda: self.write_own())
        self.editor.words_kept.connect(self.set_words)
        self.editor.card_written.connect(
            lambda kind, text: self.add_card(CardKind(kind), text, whose=self.editor.whose.value())
        )
        self.editor.whose_chosen.connect(
            lambda uuid, whose: self.set_whose_words(uuid, WhoseWords(whose))
        )
        self.editor.storyteller_mode = lambda: self._context.storyteller_mode
        self.editor.zone_chosen.connect(lambda uuid, kind: self.move_to_zone(uuid, CardKind(kind)))
        self.editor.colour_chosen.connect(lambda uuid, c: self.set_colour(uuid, c or None))
        self.editor.visibility_chosen.connect(
            lambda uuid, v: self.set_visibility(uuid, Visibility(v))
        )
        self.editor.move_requested.connect(self.move_card)
        self.editor.remove_requested.connect(self.remove_card)
        self.editor.history_requested.connect(self.history_requested)
        self.set_large(False)
        self._apply_look(self._look)
        self.show_board(0)

    # -- keyboard -------------------------------------------------------------------------------

    def _make_actions(self) -> None:
        """Every drag has a key: the actions live on the zone views (and in the card's menu)."""
        self.zone_actions: list[QAction] = []
        for number, zone in enumerate(ZONES, start=1):
            action = QAction(f"Move to {zone.title}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(partial(self._move_current_to, zone.kind))
            self.zone_actions.append(action)
        self.up_action = self._action("Move up", "Ctrl+Up", lambda: self._move_current(-1))
        self.down_action = self._action("Move down", "Ctrl+Down", lambda: self._move_current(1))
        self.prev_zone_action = self._action(
            "Move to the zone before", "Alt+Left", lambda: self._step_zone(-1)
        )
        self.next_zone_action = self._action(
            "Move to the next zone", "Alt+Right", lambda: self._step_zone(1)
        )
        self.remove_action = self._action("Take off the board", "Delete", self._remove_current)
        self.edit_action = self._action("Change the words", "F2", self._edit_words)
        self.menu_action = self._action("Card menu", "Shift+F10", self._menu_for_current)
        actions = [
            *self.zone_actions,
            self.up_action,
            self.down_action,
            self.prev_zone_action,
            self.next_zone_action,
            self.remove_action,
            self.edit_action,
            self.menu_action,
        ]
        for action in actions:
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            for view in self.views.values():
                view.addAction(action)

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    # -- public API -----------------------------------------------------------------------------

    def show_storyteller(self, storyteller_uuid: str) -> None:
        self.clear()
        self._storyteller = storyteller_uuid
        self._load()

    def reload(self) -> None:
        """Read the cards again from the service, keeping the chosen card and the board shown."""
        if self._storyteller is None:
            return
        self._load()

    def clear(self) -> None:
        """Drop every card's words from every part of the tool (on lock). Words typed in the
        editor but not yet kept are kept first, while the vault is still open."""
        if self._storyteller is not None:
            with contextlib.suppress(StoryCaptureError):
                self.editor.commit_pending()
        self.drag.cancel()
        self.undo_bar.dismiss()
        self._storyteller = None
        self._cards = {}
        self._chosen = None
        self._syncing = True
        try:
            for view in self.views.values():
                view.zone_model.clear()
        finally:
            self._syncing = False
        self.editor.clear()
        self.deck_panel.set_filter("")
        self._show_problem("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.deck_panel and event.type() == QEvent.Type.LayoutRequest:
            self._size_panels()
        return super().eventFilter(watched, event)

    def set_compact(self, compact: bool) -> None:
        """Stack the ideas and the chosen card below the board, its zones two by two."""
        if compact == self._compact:
            return
        self._compact = compact
        self._place_panels()
        self._size_panels()

    def _place_panels(self) -> None:
        grid = self._grid
        for widget in (self.deck_panel, self._centre, self.editor_area):
            grid.removeWidget(widget)
        for column in range(3):
            grid.setColumnStretch(column, 0)
        grid.setRowStretch(0, 1)
        if self._compact:
            grid.addWidget(self._centre, 0, 0, 1, 2)
            grid.addWidget(self.deck_panel, 1, 0)
            grid.addWidget(self.editor_area, 1, 1)
            grid.setColumnStretch(0, 1)
            grid.setColumnStretch(1, 1)
            self.stack.setMinimumHeight(scaled_px(300))
        else:
            grid.addWidget(self.deck_panel, 0, 0)
            grid.addWidget(self._centre, 0, 1)
            grid.addWidget(self.editor_area, 0, 2)
            grid.setColumnStretch(1, 1)
            self.stack.setMinimumHeight(0)

    def _size_panels(self) -> None:
        """The ideas and the chosen card: a set width beside the board, any width below it."""
        deck, editor = (240, 270) if self._large else (220, 250)
        # Never narrower than what they hold needs (large type in storyteller mode): the deck
        # keeps a minimum of its own, the editor's scroll area asks for its card's width.
        self.editor_area.preferred_width = scaled_px(editor)
        layout = self.deck_panel.layout()
        needs = scaled_px(deck)
        if layout is not None:  # room for its buttons' whole words, too
            margins = layout.contentsMargins()
            sides = margins.left() + margins.right() + 2 * self.deck_panel.frameWidth()
            buttons = self.deck_panel.findChildren(QPushButton)
            widest = max((b.sizeHint().width() for b in buttons), default=0)
            needs = max(needs, layout.minimumSize().width(), widest + sides)
        most = 16_777_215 if self._compact else needs
        if (self.deck_panel.minimumWidth(), self.deck_panel.maximumWidth()) != (needs, most):
            self.deck_panel.setMinimumWidth(needs)
            self.deck_panel.setMaximumWidth(most)
        self.editor_area.updateGeometry()
        self.editor_area.setMinimumHeight(scaled_px(260) if self._compact else 0)

    def set_large(self, large: bool) -> None:
        """Storyteller mode: type 1.5× the normal size and touch targets of at least 48 px."""
        self._large = large
        self._apply_sheet()
        for view in self.views.values():
            view.card_delegate.large = large
        self.deck_panel.prompt_delegate.large = large
        self._size_panels()
        for page in self.pages:
            page.zone_min_width = 240 if large else 170
            page.set_columns(page.columns_for(page.width()))
        self.editor.size_swatches(scaled_px(style.LARGE_TARGET_PX) if large else style.TARGET_PX)
        self.editor.lay_out_swatches(4 if large else len(self.editor.swatch_buttons))
        self.editor.stack_choices(large)
        self.editor.words.setFixedHeight(150 if large else 130)
        for view in self.views.values():
            view.doItemsLayout()
        self.deck_panel.list.doItemsLayout()

    def is_large(self) -> bool:
        return self._large

    # -- the look -------------------------------------------------------------------------------

    def set_theme(self, theme: str | None) -> None:
        """Paint in ``theme`` ("light", "dark" or "high-contrast"), as storyteller mode asks;
        None follows the window's look again (and every change of it)."""
        self._theme = theme
        self._apply_look(style.look_for(theme))

    def theme(self) -> str:
        """The look the board paints in now."""
        return self._look.name

    @property
    def look(self) -> style.Look:
        """The colours in use: the sheet's, the zones', the cards' and the swatches'."""
        return self._look

    def _apply_sheet(self) -> None:
        """Give the board the sheet for its size and look, unless it has it already: setting
        a sheet polishes every widget on the board again (a tenth of a second at unlock)."""
        base = QApplication.font().pointSizeF()
        sheet = style.tool_stylesheet(base if base > 0 else 10.0, self._large, self._look.name)
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def _apply_look(self, look: style.Look) -> None:
        self._look = look
        self._apply_sheet()
        for page in self.pages:
            for column in page.columns:
                column.set_look(look)
        self.deck_panel.prompt_delegate.look = look
        self.deck_panel.list.viewport().update()
        self.editor.set_look(look)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The window's theme changed (its palette and style sheet come together): follow it.
        if self._theme is None and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.StyleChange,
        ):
            look = style.look_for()
            if look is not self._look:
                self._apply_look(look)

    def set_author_filter(self, mode: AuthorFilter | str) -> None:
        self._filter = AuthorFilter.parse(mode)
        self.author_filter.setCurrentIndex(self.author_filter.findData(self._filter.value))
        self._rebuild()

    def author_filter_mode(self) -> AuthorFilter:
        return self._filter

    @Slot(int)
    def show_board(self, number: int) -> None:
        self.stack.setCurrentIndex(number)
        self.board_buttons[number].setChecked(True)
        self.deck_panel.show_kinds(BOARDS[number].kinds)

    def current_board(self) -> str:
        return BOARDS[self.stack.currentIndex()].key

    def chosen_card(self) -> str | None:
        return self._chosen

    def zone_view(self, kind: CardKind) -> ZoneView:
        return self.views[kind]

    def choose_card(self, uuid: str | None, focus: bool = False) -> None:
        """Choose a card on the board (its board comes into view) and show it in the editor."""
        card = self._cards.get(uuid) if uuid else None
        self._chosen = card.uuid if card else None
        self._sync_selection(focus)
        self.editor.show_card(card)

    # -- edits, each one undo step --------------------------------------------------------------

    def _author(self) -> Author:
        return self._context.author()

    def _push(self, text: str, apply: Callable[[], None], revert: Callable[[], None]) -> bool:
        """Make one undo step; False (and the plain reason shown) when the service refuses."""
        try:
            push_step(
                self._context.undo_stack,
                text,
                apply,
                revert,
                self._after_edit,
                on_refused=lambda error: self._show_problem(str(error)),
            )
        except StoryCaptureError as error:
            self._show_problem(str(error))
            return False
        self._show_problem("")
        return True

    def _after_edit(self) -> None:
        self._load()
        self.changed.emit()

    def add_card(
        self,
        kind: CardKind,
        text: str,
        prompt_id: str | None = None,
        *,
        whose: WhoseWords | None = None,
        visibility: Visibility | None = None,
    ) -> str | None:
        """Put a new card at the end of its zone; returns its id (None if refused).

        A card picked or written with the storyteller there (during a visit, or in storyteller
        mode) is theirs unless ``whose`` says otherwise; it starts as the storyteller chose new
        items to be, unless ``visibility`` says otherwise."""
        storyteller = self._storyteller
        if storyteller is None:
            return None
        made: list[str] = []
        author = self._context.author_for(whose or self._context.whose_by_default())
        shown_to = visibility or self._context.new_visibility(storyteller)

        def apply() -> None:
            if not made:
                card = self._service.add_card(
                    storyteller,
                    kind=kind,
                    text=text,
                    author=author,
                    visibility=shown_to,
                    prompt_id=prompt_id,
                    visit_uuid=self._context.current_visit(),
                )
                made.append(card.uuid)
            else:
                self._service.restore_card(made[0], author=self._author())

        def revert() -> None:
            self._service.remove_card(made[0], author=self._author())

        if not self._push(f"Add “{_short(text)}”", apply, revert):
            return None
        self.choose_card(made[0])
        return made[0]

    @Slot(str)
    def add_from_prompt(self, prompt_id: str) -> str | None:
        prompt = self._deck.by_id(prompt_id)
        if prompt is None:
            return None
        return self.add_card(prompt.kind, prompt.text, prompt.id)

    def write_own(self, kind: CardKind | None = None) -> None:
        """Open the editor for a new card in the person's own words (made when kept)."""
        if self._storyteller is None:
            return
        self.choose_card(None)
        board = BOARDS[self.stack.currentIndex()]
        self.editor.start_new(kind or board.zones[0].kind, self._context.whose_by_default())

    def _update(self, uuid: str, step: str, changes: dict[str, Any]) -> bool:
        card = self._cards.get(uuid)
        if card is None:
            return False
        changes = {k: v for k, v in changes.items() if getattr(card, k) != v}
        if not changes:
            return False
        before = {name: getattr(card, name) for name in changes}

        def apply() -> None:
            self._service.update_card(uuid, author=self._author(), **changes)

        def revert() -> None:
            self._service.update_card(uuid, author=self._author(), **before)

        return self._push(step, apply, revert)

    @Slot(str, str)
    def set_words(self, uuid: str, text: str) -> bool:
        card = self._cards.get(uuid)
        if card is None:
            return False
        return self._update(
            uuid, f"Change the words of “{_short(card.text)}”", {"text": text.strip()}
        )

    def set_colour(self, uuid: str, colour: str | None) -> bool:
        return self._update(
            uuid, f"Colour the card {style.swatch_name(colour)}", {"colour": colour}
        )

    def set_whose_words(self, uuid: str, whose: WhoseWords) -> bool:
        """Make the card's words the storyteller's or the facilitator's: one undoable step."""
        card = self._cards.get(uuid)
        if card is None or WhoseWords.of(card.meta.author) is whose:
            return False
        before, after = card.meta.author, self._context.author_for(whose)

        def apply() -> None:
            self._service.update_card(uuid, author=self._author(), words_by=after)

        def revert() -> None:
            self._service.update_card(uuid, author=self._author(), words_by=before)

        words = "their words" if whose is WhoseWords.THEIRS else "your note"
        return self._push(f"Mark “{_short(card.text)}” as {words}", apply, revert)

    def set_visibility(self, uuid: str, visibility: Visibility) -> bool:
        words = VISIBILITY_WORDS[visibility][0]
        return self._update(uuid, f"Make the card {words.lower()}", {"visibility": visibility})

    @Slot(str)
    def remove_card(self, uuid: str) -> bool:
        card = self._cards.get(uuid)
        if card is None:
            return False
        zone = [c.uuid for c in in_zone(self._cards.values(), card.kind)]
        at = zone.index(uuid)
        following = zone[at + 1] if at + 1 < len(zone) else (zone[at - 1] if at else None)

        def apply() -> None:
            self._service.remove_card(uuid, author=self._author())

        def revert() -> None:
            self._service.restore_card(uuid, author=self._author())

        if not self._push(f"Take “{_short(card.text)}” off the board", apply, revert):
            return False
        self.undo_bar.offer(
            self._context.undo_stack, "The card was taken off the board.", "Put the card back"
        )
        self.choose_card(following, focus=self._zone_has_focus())
        return True

    def _arrange(self, moves: Sequence[CardMove], text: str) -> bool:
        """Save a set of moves (one drag or one key) as one undo step."""
        if not moves:
            return False
        before = [
            (m.card_uuid, self._cards[m.card_uuid].kind, self._cards[m.card_uuid].position.order)
            for m in moves
        ]
        after = [(m.card_uuid, m.kind, m.order) for m in moves]

        def apply() -> None:
            self._service.arrange(after, author=self._author())

        def revert() -> None:
            self._service.arrange(before, author=self._author())

        return self._push(text, apply, revert)

    def move_to_zone(self, uuid: str, kind: CardKind, index: int | None = None) -> bool:
        card = self._cards.get(uuid)
        if card is None or (card.kind is kind and index is None):
            return False
        moves = move_to_zone(list(self._cards.values()), uuid, kind, index)
        done = self._arrange(moves, f"Move “{_short(card.text)}” to {zone_of(kind).title}")
        if done:
            self.choose_card(uuid, focus=self._zone_has_focus())
        return done

    @Slot(str, int)
    def move_card(self, uuid: str, steps: int) -> bool:
        card = self._cards.get(uuid)
        if card is None:
            return False
        moves = move_within(list(self._cards.values()), uuid, steps)
        way = "up" if steps < 0 else "down"
        done = self._arrange(moves, f"Move “{_short(card.text)}” {way}")
        if done:
            self.choose_card(uuid, focus=self._zone_has_focus())
        return done

    @Slot(str, str, str)
    def _dropped(self, uuid: str, kind_value: str, before: str) -> None:
        card = self._cards.get(uuid)
        if card is None:
            return
        kind = CardKind(kind_value)
        moves = move_before(list(self._cards.values()), uuid, kind, before or None)
        text = (
            f"Move “{_short(card.text)}” to {zone_of(kind).title}"
            if kind is not card.kind
            else f"Move “{_short(card.text)}”"
        )
        if self._arrange(moves, text):
            self.choose_card(uuid, focus=True)

    # -- keys and menus on the chosen card ------------------------------------------------------

    def _zone_has_focus(self) -> bool:
        return isinstance(QApplication.focusWidget(), ZoneView)

    def _move_current_to(self, kind: CardKind) -> None:
        if self._chosen:
            self.move_to_zone(self._chosen, kind)

    def _move_current(self, steps: int) -> None:
        if self._chosen:
            self.move_card(self._chosen, steps)

    def _step_zone(self, steps: int) -> None:
        card = self._cards.get(self._chosen) if self._chosen else None
        if card is None:
            return
        kinds = [zone.kind for zone in ZONES]
        at = kinds.index(card.kind) + steps
        if 0 <= at < len(kinds):
            self.move_to_zone(card.uuid, kinds[at])

    def _remove_current(self) -> None:
        if self._chosen:
            self.remove_card(self._chosen)

    def _edit_words(self, _index: QModelIndex | None = None) -> None:
        if self._chosen:
            self.editor.words.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.editor.words.selectAll()

    def _step_focus(self, view: ZoneView, steps: int) -> None:
        """Left and Right go to the next zone on the board, choosing its first card."""
        page = self.pages[self.stack.currentIndex()]
        kinds = [column.zone.kind for column in page.columns]
        at = kinds.index(view.kind) + steps
        if not 0 <= at < len(kinds):
            return
        target = self.views[kinds[at]]
        target.setFocus(Qt.FocusReason.TabFocusReason)
        if target.zone_model.rowCount():
            self.choose_card(target.uuid_at(0), focus=True)

    def _menu_for_current(self) -> None:
        view = QApplication.focusWidget()
        if isinstance(view, ZoneView) and self._chosen:
            row = view.zone_model.row_of(self._chosen)
            if row is not None:
                rect = view.visualRect(view.zone_model.index(row))
                self._context_menu(view, rect.center())

    def card_menu(self, uuid: str) -> QMenu:
        """The card's menu: the keyboard's (and a long press's) way to do everything a drag does."""
        card = self._cards[uuid]
        menu = QMenu(self)
        menu.setAccessibleName("Card")
        move = menu.addMenu("Move to")
        for action, zone in zip(self.zone_actions, ZONES, strict=True):
            action.setEnabled(zone.kind is not card.kind)
            move.addAction(action)
        menu.addAction(self.up_action)
        menu.addAction(self.down_action)
        menu.addSeparator()
        colours = menu.addMenu("Colour")
        for swatch in style.SWATCHES:
            act = colours.addAction(swatch.name)
            act.setCheckable(True)
            act.setChecked((swatch.colour or "") == (card.colour or "").lower())
            act.triggered.connect(partial(self.set_colour, uuid, swatch.colour))
        seen = menu.addMenu("Who can see it")
        for visibility, (words, _tip) in VISIBILITY_WORDS.items():
            act = seen.addAction(words)
            act.setCheckable(True)
            act.setChecked(card.visibility is visibility)
            act.triggered.connect(partial(self.set_visibility, uuid, visibility))
        menu.addSeparator()
        menu.addAction(self.edit_action)
        menu.addAction(self.remove_action)
        return menu

    def _context_menu(self, view: ZoneView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        if not index.isValid():
            return
        self.choose_card(index.data(Qt.ItemDataRole.UserRole + 1), focus=True)
        if self._chosen:
            menu = self.card_menu(self._chosen)
            menu.exec(view.viewport().mapToGlobal(pos))
            menu.deleteLater()

    # -- reading and redrawing ------------------------------------------------------------------

    def _load(self) -> None:
        storyteller = self._storyteller
        if storyteller is None:
            return
        try:
            cards = self._service.cards(storyteller)
        except StoryCaptureError as error:
            self._show_problem(str(error))
            cards = []
        self._cards = {card.uuid: card for card in cards}
        self._rebuild()

    def _shown(self, card: StrengthCard) -> bool:
        return self._filter.shows(card.meta.author)

    def _rebuild(self) -> None:
        if self._chosen not in self._cards:
            self._chosen = None
        highlight = self._filter.highlights
        self._syncing = True
        try:
            for kind, view in self.views.items():
                shown = [c for c in in_zone(self._cards.values(), kind) if self._shown(c)]
                view.zone_model.set_cards(shown, highlight)
        finally:
            self._syncing = False
        if self._chosen is not None and not self._shown(self._cards[self._chosen]):
            self._chosen = None
        self._sync_selection(False)
        if not self.editor.writing_new:
            self.editor.show_card(self._cards.get(self._chosen) if self._chosen else None)

    def _sync_selection(self, focus: bool) -> None:
        card = self._cards.get(self._chosen) if self._chosen else None
        self._syncing = True
        try:
            for kind, view in self.views.items():
                row = view.zone_model.row_of(self._chosen) if card else None
                selection = view.selectionModel()
                if row is None:
                    selection.clearSelection()
                    selection.setCurrentIndex(
                        QModelIndex(), QItemSelectionModel.SelectionFlag.Clear
                    )
                    continue
                index = view.zone_model.index(row)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                view.scrollTo(index)
                if board_of(kind) is not BOARDS[self.stack.currentIndex()]:
                    self.show_board(BOARDS.index(board_of(kind)))
                if focus:
                    view.setFocus(Qt.FocusReason.OtherFocusReason)
        finally:
            self._syncing = False

    def _current_moved(self, view: ZoneView, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self.editor.commit_pending()
        self._chosen = view.uuid_at(current.row())
        self._sync_selection(False)
        self.editor.show_card(self._cards.get(self._chosen) if self._chosen else None)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
