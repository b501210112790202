"""The themes board: the room's excerpts as post-it notes on a whiteboard, clustered into themes.

The board is where gestures become changes. Every change (a drag, a dialog's OK, a key) goes
through ``RoomService`` as one undo step on the room's stack (``qtkit.undo.push_step``); after
it the board reads the excerpts and themes again (one read of each) and draws them anew, and
tells the rest of the room (``signals.changed``). The items never keep what the board shows.

The keyboard goes everywhere a pointer does: each theme's name and each note is a stop (Tab,
the arrow keys), Space chooses several, and a letter does each thing the buttons do. The board
says the focused note aloud through its accessible name: its words, whose, and its themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import Excerpt
from storycapture.hub.qt.board_items import (
    NOTE_H,
    NOTE_W,
    SHELF_HEADING,
    BoardLook,
    NoteCard,
    NoteItem,
    ThemePatch,
    ThemeRegion,
    board_look,
    free_spots,
    note_places,
    place_regions,
    region_size,
    source_words,
)
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.room import Merged, Theme, pseudonyms, whose_words
from storycapture.qtkit.flow import FlowLayout
from storycapture.qtkit.looks import scaled_px
from storycapture.qtkit.palette import THEME_COLOURS
from storycapture.qtkit.undo import push_step
from storycapture.qtkit.undo_bar import UndoBar
from storycapture.services.base import UNSET

NoteKey = tuple[str, str]  # (excerpt uuid, the theme it is shown in; "" when unsorted)
Stop = tuple[str, str, str]  # ("note", excerpt, theme) or ("theme", theme, "")

COLOUR_NAMES = ("Marigold", "Sage", "Apricot", "Sky", "Lilac", "Sand", "Sea glass", "Rose")
KEYBOARD: tuple[tuple[str, str], ...] = (
    ("Tab, Up and Down", "go from note to note"),
    ("Left and Right", "go to the theme beside"),
    ("Space", "choose this note or theme too (to make, split or merge)"),
    ("Enter", "open the note in its story"),
    ("T", "add the note to a theme"),
    ("L", "take the note out of this theme"),
    ("N", "make a theme of the chosen notes"),
    ("S", "split the chosen notes into a new theme"),
    ("M", "merge the chosen themes"),
    ("F2", "change the theme's name, description or colour"),
    ("Delete", "take the note, or the theme, off the board"),
)
SHELF_GAP = 80.0


def colour_name(colour: str) -> str:
    for name, known in zip(COLOUR_NAMES, THEME_COLOURS, strict=False):
        if known.casefold() == colour.casefold():
            return name
    return "Another colour"


class BoardScene(QGraphicsScene):
    """The whiteboard. It says where notes or a theme were let go; it changes nothing."""

    notes_dropped = Signal(object, QPointF, bool)  # [NoteKey], where let go, Ctrl held
    theme_moved = Signal(str, float, float)  # theme uuid, its new top-left
    note_opened = Signal(str)  # an excerpt's uuid (a double-click)
    theme_opened = Signal(str)  # a theme's uuid (a double-click on its name)
    pressed = Signal(object)  # the NoteItem or ThemeRegion pressed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes: dict[NoteKey, NoteItem] = {}
        self.regions: dict[str, ThemeRegion] = {}
        self._drag_start: dict[NoteItem, QPointF] = {}
        self._moved_region: ThemeRegion | None = None
        self._over: ThemeRegion | None = None

    def forget(self) -> None:
        self._drag_start = {}
        self._moved_region = None
        self._over = None
        self.notes = {}
        self.regions = {}
        self.clear()

    def region_at(self, where: QPointF) -> ThemeRegion | None:
        for region in reversed(list(self.regions.values())):
            if region.area().contains(where):
                return region
        return None

    def region_moved(self, region: ThemeRegion) -> None:
        self._moved_region = region  # said once the release is over (the board redraws then)

    def _highlight(self, region: ThemeRegion | None) -> None:
        if region is not self._over:
            if self._over is not None:
                self._over.set_drop_target(False)
            if region is not None:
                region.set_drop_target(True)
            self._over = region

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mousePressEvent(event)
        grabber = self.mouseGrabberItem()
        if isinstance(grabber, NoteItem):
            self._drag_start = {
                item: item.pos() for item in self.selectedItems() if isinstance(item, NoteItem)
            }
            self._drag_start.setdefault(grabber, grabber.pos())
        if isinstance(grabber, NoteItem | ThemeRegion):
            self.pressed.emit(grabber)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if self._drag_start:
            self._highlight(self.region_at(event.scenePos()))

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        started, self._drag_start = self._drag_start, {}
        super().mouseReleaseEvent(event)
        self._highlight(None)
        region, self._moved_region = self._moved_region, None
        if region is not None:
            self.theme_moved.emit(region.patch.uuid, region.pos().x(), region.pos().y())
            return
        moved = [item.card.key for item, start in started.items() if item.pos() != start]
        if moved:
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.notes_dropped.emit(moved, event.scenePos(), ctrl)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        item = self.itemAt(event.scenePos(), QTransform())
        if isinstance(item, NoteItem):
            event.accept()
            self.note_opened.emit(item.card.uuid)
            return
        if isinstance(item, ThemeRegion):
            event.accept()
            self.theme_opened.emit(item.patch.uuid)
            return
        super().mouseDoubleClickEvent(event)


class BoardView(QGraphicsView):
    """The whiteboard's window: a rubber band chooses notes, Ctrl+wheel zooms, and the keys
    go to the board."""

    def __init__(self, board: ThemesBoard, scene: BoardScene) -> None:
        super().__init__(scene)
        self._board = board
        self.setObjectName("themesBoardView")
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleDescription("; ".join(f"{keys}: {words}" for keys, words in KEYBOARD))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._board.handle_key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab goes from note to note; from the last (or before the first) it leaves the board.
        if self.hasFocus() and self._board.step(1 if next else -1, leave_at_ends=True):
            return True
        return QWidget.focusNextPrevChild(self, next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._board.focus_came()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._board.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item = self.itemAt(event.pos())
        if isinstance(item, NoteItem | ThemeRegion):
            self._board.menu_for(item, event.globalPos())
            event.accept()
            return
        super().contextMenuEvent(event)


class ThemeDialog(QDialog):
    """A theme's name, description and colour: for a new theme, a split, or a change."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        ok_words: str,
        try_ok: Callable[[str, str, str], str | None],
        name: str = "",
        description: str = "",
        colour: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._try_ok = try_ok
        self.name = QLineEdit(name)
        self.name.setAccessibleName("The theme's name")
        self.name.setPlaceholderText("A few words, such as “Waiting for help”")
        name_label = QLabel("&Name")
        name_label.setBuddy(self.name)
        self.description = QPlainTextEdit(description)
        self.description.setAccessibleName("What the theme is about")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(scaled_px(80))
        about_label = QLabel("&What it is about (optional)")
        about_label.setBuddy(self.description)
        colour_label = QLabel("Colour")
        self.colours = QButtonGroup(self)
        self.colours.setExclusive(True)
        self.colour_buttons: dict[str, QPushButton] = {}
        swatches = QHBoxLayout()
        swatches.setSpacing(scaled_px(6))
        for value in THEME_COLOURS:
            button = QPushButton()
            button.setCheckable(True)
            button.setFixedSize(scaled_px(40), scaled_px(40))
            button.setAccessibleName(f"Colour: {colour_name(value)}")
            button.setToolTip(colour_name(value))
            button.setStyleSheet(
                f"QPushButton {{ background: {value}; border: 1px solid palette(mid);"
                " border-radius: 20px; }"
                f" QPushButton:checked {{ border: 4px solid palette(text); }}"
            )
            self.colours.addButton(button)
            self.colour_buttons[value] = button
            swatches.addWidget(button)
        swatches.addStretch(1)
        chosen = (colour or THEME_COLOURS[0]).upper()
        self.colour_buttons.get(chosen, self.colour_buttons[THEME_COLOURS[0]]).setChecked(True)
        self._free_colour = colour is None
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_words)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (name_label, self.name, about_label, self.description, colour_label):
            layout.addWidget(widget)
        layout.addLayout(swatches)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.colours.buttonClicked.connect(self._colour_chosen)
        self.name.setFocus()

    def _colour_chosen(self) -> None:
        self._free_colour = False

    def colour(self) -> str:
        for value, button in self.colour_buttons.items():
            if button.isChecked():
                return value
        return THEME_COLOURS[0]

    @Slot()
    def try_accept(self) -> None:
        error = self._try_ok(
            self.name.text(), self.description.toPlainText().strip(), self.colour()
        )
        if error:
            self.problem.setText(error)
            self.problem.show()
            self.name.setFocus()
            return
        self.accept()


class ThemeChooser(QDialog):
    """Which theme to add the note(s) to: a list, chosen with the arrows and Enter."""

    def __init__(
        self, parent: QWidget, themes: Sequence[Theme], try_ok: Callable[[str], str | None]
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to a theme")
        self._try_ok = try_ok
        label = QLabel("&Which theme?")
        self.list = QListWidget()
        self.list.setAccessibleName("Themes")
        label.setBuddy(self.list)
        for theme in themes:
            item = QListWidgetItem(theme.name)
            item.setData(Qt.ItemDataRole.UserRole, theme.uuid)
            item.setToolTip(theme.description)
            self.list.addItem(item)
        if themes:
            self.list.setCurrentRow(0)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(not themes)
        if not themes:
            self.problem.setText("There are no themes yet: make one first (N).")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add to this theme")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.try_accept())
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.list.setFocus()

    def choose(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).text() == name:
                self.list.setCurrentRow(row)

    @Slot()
    def try_accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        error = self._try_ok(str(item.data(Qt.ItemDataRole.UserRole)))
        if error:
            self.problem.setText(error)
            self.problem.show()
            return
        self.accept()


class NotePanel(QFrame):
    """The chosen note in full: all its words, whose they are, where from, its themes."""

    open_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("notePanel")
        self.setAccessibleName("The chosen note")
        heading = QLabel("The chosen note")
        heading.setObjectName("subheading")
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.words.setAccessibleName("Its words")
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setObjectName("subtle")
        self.about.setAccessibleName("About the note")
        self.open_button = QPushButton("Open in its story")
        self.open_button.setToolTip("Read it where it was told, in context (Enter)")
        self.open_button.clicked.connect(self.open_requested)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.words)
        column.addWidget(self.about)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(8), 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.open_button)
        self.show_card(None)

    def show_card(self, card: NoteCard | None) -> None:
        if card is None:
            self.words.setText("Choose a note to read all its words here.")
            self.about.clear()
            self.open_button.setEnabled(False)
            return
        self.words.setText(f"“{card.text}”")
        themes = ", ".join(f"“{name}”" for name in card.theme_names) or "not in a theme yet"
        self.about.setText(
            f"{card.pseudonym}, from {card.source}\n{card.whose.capitalize()}\n"
            f"Themes: {themes}\nMarked by {card.marked_by}"
        )
        self.open_button.setEnabled(True)

    def clear(self) -> None:
        self.show_card(None)


class ThemesBoard(QWidget):
    """The room's excerpts as post-it notes, clustered into themes. See the module's words."""

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("themesBoard")
        self._context = context
        self._excerpts: dict[str, Excerpt] = {}
        self._themes: dict[str, Theme] = {}
        self._cards: dict[NoteKey, NoteCard] = {}
        self._groups: list[list[Stop]] = []
        self._current: Stop | None = None
        self._picked_themes: list[str] = []  # in the order they were chosen: the first survives
        self._building = False
        self._telling = False
        self._look: BoardLook = board_look()
        self.dialog: QDialog | None = None
        self._last_made: str | None = None

        self.scene = BoardScene(self)
        self.view = BoardView(self, self.scene)
        self.panel = NotePanel()
        self.panel.setFixedWidth(scaled_px(270))
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.undo_bar = UndoBar()

        self.make_action = self._action("Make a theme…", "N", self.ask_make_theme)
        self.add_action = self._action("Add to a theme…", "T", self.ask_add_to_theme)
        self.leave_action = self._action("Take out of this theme", "L", self.leave_chosen)
        self.split_action = self._action("Split into a new theme…", "S", self.ask_split)
        self.merge_action = self._action("Merge themes", "M", self.merge_chosen)
        self.edit_action = self._action("Change the theme…", "F2", self.ask_edit_theme)
        self.off_action = self._action("Take the theme off", "", self.take_chosen_theme_off)
        self.remove_action = self._action("Take the note off", "Delete", self.remove_chosen)
        self.open_action = self._action("Open in its story", "Enter", self.open_current)
        self.buttons: dict[str, QPushButton] = {}
        bar_row = QWidget()
        bar = FlowLayout(bar_row, spacing=scaled_px(6))
        for action in (
            self.make_action,
            self.add_action,
            self.leave_action,
            self.split_action,
            self.merge_action,
            self.edit_action,
            self.off_action,
            self.remove_action,
        ):
            button = QPushButton(action.text())
            button.setToolTip(action.toolTip())
            button.setAccessibleName(action.text().rstrip("…"))
            button.clicked.connect(action.trigger)
            bar.addWidget(button)
            self.buttons[action.text()] = button
        self.buttons[self.make_action.text()].setObjectName("primary")

        board_column = QVBoxLayout()
        board_column.setSpacing(scaled_px(6))
        board_column.addWidget(bar_row)
        board_column.addWidget(self.problem)
        board_column.addWidget(self.undo_bar)
        board_column.addWidget(self.view, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(scaled_px(8), scaled_px(8), scaled_px(8), scaled_px(8))
        layout.addLayout(board_column, 1)
        layout.addWidget(self.panel)

        self.scene.notes_dropped.connect(self._dropped)
        self.scene.theme_moved.connect(self.move_theme)
        self.scene.note_opened.connect(self.open_excerpt)
        self.scene.theme_opened.connect(self.ask_edit_theme)
        self.scene.pressed.connect(self._pressed)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.panel.open_requested.connect(self.open_current)
        context.signals.changed.connect(self._changed_elsewhere)
        self._say_where()
        self._enable()
        self.refresh()

    def _action(self, text: str, key: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{text} ({key})" if key else text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- reading and drawing ------------------------------------------------------------------

    @Slot()
    def _changed_elsewhere(self) -> None:
        if not self._telling:
            self.refresh()

    def refresh(self) -> None:
        """Read the excerpts and themes again (once each) and draw the board anew, keeping
        the chosen notes and the keyboard's place."""
        if not self._context.vault.is_unlocked:
            self.clear()
            return
        room = self._context.room
        try:
            excerpts = room.excerpts()
            themes = room.themes()
            names = pseudonyms(self._context.vault)
        except StoryCaptureError as error:
            self._show_problem(str(error))
            return
        chosen = {key for key, item in self.scene.notes.items() if item.isSelected()}
        chosen_themes = [t for t in self._picked_themes if t in {th.uuid for th in themes}]
        self._excerpts = {e.uuid: e for e in excerpts}
        self._themes = {t.uuid: t for t in themes}
        self._draw(excerpts, themes, names)
        self._building = True
        try:
            for key in chosen:
                if key in self.scene.notes:
                    self.scene.notes[key].setSelected(True)
            for uuid in chosen_themes:
                self.scene.regions[uuid].setSelected(True)
        finally:
            self._building = False
        self._picked_themes = chosen_themes
        if self._current is not None and not self._exists(self._current):
            self._current = self._nearest(self._current)
        self._mark_current()
        self._enable()

    def _card(self, excerpt: Excerpt, theme: str, names: dict[str, str]) -> NoteCard:
        return NoteCard(
            uuid=excerpt.uuid,
            theme=theme,
            storyteller=excerpt.storyteller_uuid,
            text=excerpt.text,
            pseudonym=names.get(excerpt.storyteller_uuid, "a storyteller"),
            source=source_words(excerpt.source.kind, excerpt.source.field),
            whose=whose_words(excerpt),
            theirs=excerpt.meta.author.is_storyteller,
            theme_names=tuple(self._themes[t].name for t in excerpt.themes if t in self._themes),
            marked_by=excerpt.marked_by,
        )

    def _draw(self, excerpts: list[Excerpt], themes: list[Theme], names: dict[str, str]) -> None:
        self._building = True
        try:
            self.scene.forget()
        finally:
            self._building = False
        self._look = look = board_look()
        self.view.setBackgroundBrush(QColor(look.paper))
        font = self._note_font()
        members: dict[str, list[Excerpt]] = {t.uuid: [] for t in themes}
        unsorted: list[Excerpt] = []
        for excerpt in excerpts:
            live = [t for t in excerpt.themes if t in members]
            for theme_uuid in live:
                members[theme_uuid].append(excerpt)
            if not live:
                unsorted.append(excerpt)
        sizes = [region_size(len(members[t.uuid])) for t in themes]
        rects = place_regions([(t.x, t.y, w, h) for t, (w, h) in zip(themes, sizes, strict=True)])
        cards: dict[NoteKey, NoteCard] = {}
        groups: list[tuple[QRectF, list[Stop]]] = []
        for theme, rect in zip(themes, rects, strict=True):
            inside = members[theme.uuid]
            patch = ThemePatch(theme.uuid, theme.name, theme.description, theme.colour, len(inside))
            region = ThemeRegion(patch, (rect.width(), rect.height()), look, font)
            region.setPos(rect.topLeft())
            self.scene.addItem(region)
            self.scene.regions[theme.uuid] = region
            stops: list[Stop] = [("theme", theme.uuid, "")]
            for place, excerpt in zip(
                note_places(rect.topLeft(), len(inside)), inside, strict=True
            ):
                card = self._card(excerpt, theme.uuid, names)
                note = self._add_note(card, place, look, font)
                region.notes.append(note)
                cards[card.key] = card
                stops.append(("note", excerpt.uuid, theme.uuid))
            groups.append((rect, stops))
        spots, _shelved = free_spots([(e.x, e.y) for e in unsorted], rects)
        placed_rects = list(rects) + [
            QRectF(s, QPointF(s.x() + NOTE_W, s.y() + NOTE_H)) for s in spots if s
        ]
        left = min([40.0, *(r.left() for r in placed_rects)])
        right = max([left + 5 * (NOTE_W + 12), *(r.right() for r in placed_rects)])
        shelf_top = max([0.0, *(r.bottom() for r in placed_rects)]) + SHELF_GAP
        per_row = max(4, min(8, int((right - left) // (NOTE_W + 12))))
        loose: list[tuple[QPointF, Stop]] = []
        shelf = 0
        for excerpt, spot in zip(unsorted, spots, strict=True):
            if spot is None:
                spot = QPointF(
                    left + (shelf % per_row) * (NOTE_W + 12),
                    shelf_top + (shelf // per_row) * (NOTE_H + 12),
                )
                shelf += 1
            card = self._card(excerpt, "", names)
            self._add_note(card, spot, look, font)
            cards[card.key] = card
            loose.append((spot, ("note", excerpt.uuid, "")))
        if shelf:
            heading = QGraphicsSimpleTextItem(f"{SHELF_HEADING} ({shelf})")
            heading.setFont(font)
            heading.setBrush(QColor(look.soft_ink))
            heading.setPos(left, shelf_top - 30)
            self.scene.addItem(heading)
        groups.sort(key=lambda group: (round(group[0].top() / 40), group[0].left()))
        self._groups = [stops for _rect, stops in groups]
        if loose:
            loose.sort(key=lambda pair: (pair[0].y(), pair[0].x()))
            self._groups.append([stop for _spot, stop in loose])
        self._cards = cards
        bounds = self.scene.itemsBoundingRect()
        # The board starts at its top-left corner, with room around everything to drop notes.
        self.scene.setSceneRect(
            QRectF(
                QPointF(min(bounds.left(), 0.0) - 20, min(bounds.top(), 0.0) - 20),
                QPointF(bounds.right() + 900, bounds.bottom() + 500),
            )
        )

    def _note_font(self) -> QFont:
        """The window's font, every part of it set (an item's font with nothing set would
        take whatever the painter has, and the notes' words were cut to fit another)."""
        self.view.ensurePolished()
        font = QFont(self.view.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF())
        else:
            font.setPixelSize(font.pixelSize())
        font.setFamilies(font.families() or [font.family()])
        return font

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange) and self._cards:
            self.refresh()  # the notes' words are cut to fit the font; the look may be new

    def _add_note(self, card: NoteCard, place: QPointF, look: BoardLook, font: QFont) -> NoteItem:
        note = NoteItem(card, look, font)
        note.setPos(place)
        self.scene.addItem(note)
        self.scene.notes[card.key] = note
        return note

    def clear(self) -> None:
        """Drop every word of every note and theme from the board (on lock)."""
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self.undo_bar.dismiss()
        self._building = True
        try:
            self.scene.forget()
        finally:
            self._building = False
        self._excerpts = {}
        self._themes = {}
        self._cards = {}
        self._groups = []
        self._current = None
        self._picked_themes = []
        self.panel.clear()
        self._show_problem("")
        self._say_where()
        self._enable()

    # -- where the keyboard is ----------------------------------------------------------------

    def _stops(self) -> list[Stop]:
        return [stop for group in self._groups for stop in group]

    def _exists(self, stop: Stop) -> bool:
        if stop[0] == "theme":
            return stop[1] in self.scene.regions
        return (stop[1], stop[2]) in self.scene.notes

    def _nearest(self, stop: Stop) -> Stop | None:
        """Where the keyboard goes when its note left (it moved theme, or was taken off)."""
        if stop[0] == "note":
            for key in self.scene.notes:
                if key[0] == stop[1]:
                    return ("note", key[0], key[1])
        return None

    def item_of(self, stop: Stop | None) -> NoteItem | ThemeRegion | None:
        if stop is None:
            return None
        if stop[0] == "theme":
            return self.scene.regions.get(stop[1])
        return self.scene.notes.get((stop[1], stop[2]))

    @property
    def current(self) -> Stop | None:
        return self._current

    def set_current(self, stop: Stop | None, *, scroll: bool = True) -> None:
        self._current = stop if stop is not None and self._exists(stop) else None
        self._mark_current()
        item = self.item_of(self._current)
        if scroll and item is not None:
            self.view.ensureVisible(item.sceneBoundingRect(), 40, 40)

    def _mark_current(self) -> None:
        for note in self.scene.notes.values():
            note.set_current(False)
        for region in self.scene.regions.values():
            region.set_current(False)
        item = self.item_of(self._current)
        if isinstance(item, NoteItem | ThemeRegion):
            item.set_current(True)
        self.panel.show_card(item.card if isinstance(item, NoteItem) else self._chosen_card())
        self._say_where()

    def _chosen_card(self) -> NoteCard | None:
        chosen = self.chosen_notes()
        return self._cards.get(chosen[0]) if len(chosen) == 1 else None

    def _say_where(self) -> None:
        """The board's accessible name is what the keyboard is on, said in full."""
        item = self.item_of(self._current)
        if isinstance(item, NoteItem):
            self.view.setAccessibleName(item.card.spoken())
        elif isinstance(item, ThemeRegion):
            self.view.setAccessibleName(item.patch.spoken())
        else:
            notes = len(self._excerpts)
            self.view.setAccessibleName(
                f"Themes board: {notes} note{'s' if notes != 1 else ''} "
                f"in {len(self._themes)} theme{'s' if len(self._themes) != 1 else ''}"
            )

    def accessible_name_of(self, excerpt_uuid: str, theme: str = "") -> str:
        card = self._cards.get((excerpt_uuid, theme))
        return card.spoken() if card else ""

    def focus_came(self) -> None:
        if self._current is None:
            stops = self._stops()
            if stops:
                self.set_current(stops[0])

    def step(self, steps: int, *, leave_at_ends: bool = False) -> bool:
        """Go to the next (or previous) stop in reading order. False at the ends when leaving
        there is wanted (Tab then leaves the board)."""
        stops = self._stops()
        if not stops:
            return False
        if self._current not in stops:
            self.set_current(stops[0 if steps > 0 else -1])
            return True
        at = stops.index(self._current) + steps
        if not 0 <= at < len(stops):
            if leave_at_ends:
                return False
            at = max(0, min(len(stops) - 1, at))
        self.set_current(stops[at])
        return True

    def _step_group(self, steps: int) -> None:
        if not self._groups:
            return
        at = next((n for n, g in enumerate(self._groups) if self._current in g), -1)
        target = max(0, min(len(self._groups) - 1, at + steps)) if at >= 0 else 0
        self.set_current(self._groups[target][0])

    def _step_within(self, steps: int) -> None:
        for group in self._groups:
            if self._current in group:
                at = group.index(self._current) + steps
                self.set_current(group[max(0, min(len(group) - 1, at))])
                return
        self.step(steps)

    def handle_key(self, event: QKeyEvent) -> bool:
        key = Qt.Key(event.key())
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        ctrl = mods == Qt.KeyboardModifier.ControlModifier
        if plain and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._step_within(-1 if key == Qt.Key.Key_Up else 1)
        elif plain and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self._step_group(-1 if key == Qt.Key.Key_Left else 1)
        elif (plain or ctrl) and key == Qt.Key.Key_Space:
            item = self.item_of(self._current)
            if item is not None:
                item.setSelected(not item.isSelected())
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._current and self._current[0] == "theme":
                self.ask_edit_theme(self._current[1])
            else:
                self.open_current()
        elif plain and key == Qt.Key.Key_Escape:
            self.scene.clearSelection()
        elif (plain and key == Qt.Key.Key_Menu) or (
            mods == Qt.KeyboardModifier.ShiftModifier and key == Qt.Key.Key_F10
        ):
            item = self.item_of(self._current)
            if item is not None:
                centre = self.view.mapFromScene(item.sceneBoundingRect().center())
                self.menu_for(item, self.view.viewport().mapToGlobal(centre))
        elif ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            self.zoom(1 / 1.15 if key == Qt.Key.Key_Minus else 1.15)
        elif plain and key in self._letter_keys():
            self._letter_keys()[key]()
        else:
            return False
        return True

    def _letter_keys(self) -> dict[Qt.Key, Callable[[], object]]:
        return {
            Qt.Key.Key_N: self.ask_make_theme,
            Qt.Key.Key_T: self.ask_add_to_theme,
            Qt.Key.Key_L: self.leave_chosen,
            Qt.Key.Key_S: self.ask_split,
            Qt.Key.Key_M: self.merge_chosen,
            Qt.Key.Key_F2: self.ask_edit_theme,
            Qt.Key.Key_Delete: self._delete_current,
        }

    def zoom(self, factor: float) -> None:
        scale = self.view.transform().m11() * factor
        if 0.25 <= scale <= 2.5:
            self.view.scale(factor, factor)

    # -- what is chosen -----------------------------------------------------------------------

    def chosen_notes(self) -> list[NoteKey]:
        """The notes chosen (selected); else the one the keyboard is on."""
        chosen = [key for key, item in self.scene.notes.items() if item.isSelected()]
        if not chosen and self._current and self._current[0] == "note":
            chosen = [(self._current[1], self._current[2])]
        return chosen

    def chosen_themes(self) -> list[str]:
        """The themes chosen, in the order they were chosen."""
        return list(self._picked_themes)

    def select_notes(self, keys: Sequence[NoteKey]) -> None:
        self.scene.clearSelection()
        for key in keys:
            self.scene.notes[key].setSelected(True)

    def select_themes(self, uuids: Sequence[str]) -> None:
        self.scene.clearSelection()
        for uuid in uuids:
            self.scene.regions[uuid].setSelected(True)

    @Slot()
    def _selection_changed(self) -> None:
        if self._building:
            return
        picked = [u for u in self._picked_themes if self.scene.regions[u].isSelected()]
        for uuid, region in self.scene.regions.items():
            if region.isSelected() and uuid not in picked:
                picked.append(uuid)
        self._picked_themes = picked
        if self._current is None or self._current[0] == "theme":
            self.panel.show_card(self._chosen_card())
        self._enable()

    @Slot(object)
    def _pressed(self, item: object) -> None:
        if isinstance(item, NoteItem):
            self.set_current(("note", item.card.uuid, item.card.theme), scroll=False)
        elif isinstance(item, ThemeRegion):
            self.set_current(("theme", item.patch.uuid, ""), scroll=False)

    def _enable(self) -> None:
        notes = self.chosen_notes()
        current_theme = self._theme_in_focus()
        self.make_action.setEnabled(bool(notes))
        self.add_action.setEnabled(bool(notes) and bool(self._themes))
        self.leave_action.setEnabled(any(theme for _uuid, theme in notes))
        self.split_action.setEnabled(len({theme for _uuid, theme in notes} - {""}) == 1)
        self.merge_action.setEnabled(len(self._picked_themes) >= 2)
        self.edit_action.setEnabled(current_theme is not None)
        self.off_action.setEnabled(current_theme is not None)
        self.remove_action.setEnabled(bool(notes))
        self.open_action.setEnabled(bool(notes))
        for action in (
            self.make_action,
            self.add_action,
            self.leave_action,
            self.split_action,
            self.merge_action,
            self.edit_action,
            self.off_action,
            self.remove_action,
        ):
            self.buttons[action.text()].setEnabled(action.isEnabled())

    def _theme_in_focus(self) -> str | None:
        """The theme a rename or "take off" is for: the one the keyboard is on (or its
        note's), else the one theme chosen."""
        if self._current is not None:
            theme = self._current[1] if self._current[0] == "theme" else self._current[2]
            if theme in self._themes:
                return theme
        if len(self._picked_themes) == 1:
            return self._picked_themes[0]
        return None

    # -- every change, one undo step ----------------------------------------------------------

    def _push(self, text: str, apply: Callable[[], None], revert: Callable[[], None]) -> str | None:
        """Make one undo step; the plain reason (and nothing pushed) when the service refuses."""
        try:
            push_step(
                self._context.undo_stack,
                text,
                apply,
                revert,
                self._after_step,
                on_refused=self._refused,
            )
        except StoryCaptureError as error:
            self._show_problem(str(error))
            return str(error)
        self._show_problem("")
        return None

    def _refused(self, error: StoryCaptureError) -> None:
        self._show_problem(str(error))
        self._context.refused(error)

    def _after_step(self) -> None:
        self.refresh()
        self._telling = True
        try:
            self._context.signals.changed.emit()
        finally:
            self._telling = False

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _live(self, excerpt_uuid: str) -> list[str]:
        return [t for t in self._excerpts[excerpt_uuid].themes if t in self._themes]

    def _set_themes(self, changes: dict[str, tuple[list[str], list[str]]], text: str) -> bool:
        """Put excerpts in other themes (before → after for each) as one step."""
        changes = {u: (b, a) for u, (b, a) in changes.items() if b != a}
        if not changes:
            return False

        def apply() -> None:
            for uuid, (_before, after) in changes.items():
                self._context.room.set_excerpt_themes(uuid, after, author=self._context.author())

        def revert() -> None:
            for uuid, (before, _after) in changes.items():
                self._context.room.set_excerpt_themes(uuid, before, author=self._context.author())

        return self._push(text, apply, revert) is None

    @Slot(object, QPointF, bool)
    def _dropped(self, keys: list[NoteKey], where: QPointF, keep: bool) -> None:
        places = {key: self.scene.notes[key].pos() for key in keys if key in self.scene.notes}
        if not self.drop_notes(keys, where, keep=keep, places=places):
            self.refresh()  # nothing changed: the notes go back where they were

    def drop_notes(
        self,
        keys: Sequence[NoteKey],
        where: QPointF,
        *,
        keep: bool = False,
        places: dict[NoteKey, QPointF] | None = None,
    ) -> bool:
        """Notes let go at ``where`` (a scene point), as a drag does: into the theme there
        (leaving the theme each came from, unless ``keep``: Ctrl held), or out onto the empty
        board (leaving their theme; an unsorted note stays at the place it was let go)."""
        region = self.scene.region_at(where)
        target = region.patch.uuid if region is not None else None
        themes: dict[str, list[str]] = {}
        moves: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        for key in keys:
            uuid, origin = key
            if uuid not in self._excerpts:
                continue
            now = themes.setdefault(uuid, self._live(uuid))
            if target is not None:
                if origin == target:
                    continue
                if origin and not keep and origin in now:
                    now.remove(origin)
                if target not in now:
                    now.append(target)
            elif not keep:
                if origin in now:
                    now.remove(origin)
                place = (places or {}).get(key, where)
                excerpt = self._excerpts[uuid]
                if not now and (place.x(), place.y()) != (excerpt.x, excerpt.y):
                    moves[uuid] = ((excerpt.x, excerpt.y), (place.x(), place.y()))
        changes = {u: (self._live(u), t) for u, t in themes.items() if self._live(u) != t}
        if not changes and not moves:
            return False
        author = self._context.author

        def apply() -> None:
            room = self._context.room
            for uuid, (_before, after) in changes.items():
                room.set_excerpt_themes(uuid, after, author=author())
            for uuid, (_was, now) in moves.items():
                room.move_excerpt(uuid, *now, author=author())

        def revert() -> None:
            room = self._context.room
            for uuid, (was, _now) in moves.items():
                room.move_excerpt(uuid, *was, author=author())
            for uuid, (before, _after) in changes.items():
                room.set_excerpt_themes(uuid, before, author=author())

        count = len(set(changes) | set(moves))
        notes = "a note" if count == 1 else f"{count} notes"
        if target is not None:
            text = f"Add {notes} to a theme" if keep else f"Move {notes} into a theme"
        elif changes:
            text = f"Take {notes} out of a theme"
        else:
            text = f"Move {notes} on the board"
        return self._push(text, apply, revert) is None

    @Slot(str, float, float)
    def move_theme(self, theme_uuid: str, x: float, y: float) -> bool:
        theme = self._themes.get(theme_uuid)
        if theme is None:
            return False
        was = (theme.x, theme.y)
        author = self._context.author

        def apply() -> None:
            self._context.room.update_theme(theme_uuid, author=author(), x=x, y=y)

        def revert() -> None:
            self._context.room.update_theme(theme_uuid, author=author(), x=was[0], y=was[1])

        done = self._push("Move a theme", apply, revert) is None
        if not done:
            self.refresh()
        return done

    def add_to_theme(self, excerpt_uuids: Sequence[str], theme_uuid: str) -> bool:
        changes = {
            u: (self._live(u), [*self._live(u), theme_uuid])
            for u in dict.fromkeys(excerpt_uuids)
            if u in self._excerpts and theme_uuid not in self._live(u)
        }
        return self._set_themes(changes, "Add notes to a theme")

    def leave_theme(self, keys: Sequence[NoteKey]) -> bool:
        changes: dict[str, tuple[list[str], list[str]]] = {}
        for uuid, theme in keys:
            if uuid in self._excerpts and theme:
                before, after = changes.get(uuid, (self._live(uuid), self._live(uuid)))
                changes[uuid] = (before, [t for t in after if t != theme])
        return self._set_themes(changes, "Take notes out of a theme")

    def make_theme(
        self,
        excerpt_uuids: Sequence[str],
        name: str,
        description: str = "",
        colour: str | None = None,
    ) -> str | None:
        """A new theme holding these notes (they stay in their other themes). Its uuid, or
        None when refused (the reason is shown)."""
        uuids = [u for u in dict.fromkeys(excerpt_uuids) if u in self._excerpts]
        if self._try_make(uuids, name, description, colour) is not None:
            return None
        return self._last_made

    def _try_make(
        self, uuids: Sequence[str], name: str, description: str, colour: str | None
    ) -> str | None:
        made: list[str] = []
        before = {u: self._live(u) for u in uuids}
        x, y = self._place_for(uuids)
        author = self._context.author

        def apply() -> None:
            room = self._context.room
            if not made:
                theme = room.add_theme(
                    name, author=author(), description=description, colour=colour, x=x, y=y
                )
                made.append(theme.uuid)
            else:
                room.update_theme(made[0], author=author(), deleted=False)
            for uuid in uuids:
                room.set_excerpt_themes(uuid, [*before[uuid], made[0]], author=author())

        def revert() -> None:
            room = self._context.room
            for uuid in uuids:
                room.set_excerpt_themes(uuid, before[uuid], author=author())
            room.update_theme(made[0], author=author(), deleted=True)

        error = self._push("Make a theme", apply, revert)
        self._last_made = made[0] if made and error is None else None
        return error

    def _place_for(self, uuids: Sequence[str]) -> tuple[float, float]:
        places = [item.pos() for key, item in self.scene.notes.items() if key[0] in set(uuids)]
        if not places:
            bounds = self.scene.itemsBoundingRect()
            return (bounds.right() + 40 if self.scene.items() else 40.0, 40.0)
        return (min(p.x() for p in places), min(p.y() for p in places))

    def edit_theme(
        self,
        theme_uuid: str,
        *,
        name: str | None = None,
        description: str | None = None,
        colour: str | None = None,
    ) -> str | None:
        """Rename, describe or recolour a theme as one step; the reason when refused."""
        theme = self._themes.get(theme_uuid)
        if theme is None:
            return "That theme is not on the board any more."
        after = {"name": name, "description": description, "colour": colour}
        changes: dict[str, str] = {
            k: v for k, v in after.items() if v is not None and v != getattr(theme, k)
        }
        if "name" in changes and " ".join(str(changes["name"]).split()) == theme.name:
            del changes["name"]
        if not changes:
            return None
        before = {k: getattr(theme, k) for k in changes}
        author = self._context.author

        def put(values: dict[str, str]) -> None:
            self._context.room.update_theme(
                theme_uuid,
                author=author(),
                name=values.get("name", UNSET),
                description=values.get("description", UNSET),
                colour=values.get("colour", UNSET),
            )

        def apply() -> None:
            put(changes)

        def revert() -> None:
            put(before)

        return self._push("Change a theme", apply, revert)

    def merge_themes(self, theme_uuids: Sequence[str]) -> bool:
        """Merge the themes into the first of them (it keeps its name); one step."""
        picks = [t for t in dict.fromkeys(theme_uuids) if t in self._themes]
        if len(picks) < 2:
            self._show_problem("Choose two or more themes to merge (Ctrl-click their names).")
            return False
        done: list[Merged] = []
        author = self._context.author

        def apply() -> None:
            done[:] = [self._context.room.merge_themes(picks[1:], picks[0], author=author())]

        def revert() -> None:
            self._context.room.unmerge(done[0], author=author())

        ok = self._push("Merge themes", apply, revert) is None
        if ok:
            self.select_themes([picks[0]])
        return ok

    def split_theme(
        self,
        theme_uuid: str,
        excerpt_uuids: Sequence[str],
        name: str,
        description: str = "",
        colour: str | None = None,
    ) -> str | None:
        """The notes leave the theme for a new one; the reason when refused."""
        uuids = [u for u in dict.fromkeys(excerpt_uuids) if u in self._excerpts]
        before = {u: self._live(u) for u in uuids}
        after: dict[str, list[str]] = {}
        made: list[str] = []
        author = self._context.author

        def apply() -> None:
            room = self._context.room
            if not made:
                new = room.split_theme(theme_uuid, uuids, name, author=author())
                made.append(new.uuid)
                if description or colour:
                    room.update_theme(
                        new.uuid,
                        author=author(),
                        description=description,
                        colour=colour if colour else UNSET,
                    )
                after.update({u: [*room.excerpt(u).themes] for u in uuids})
            else:
                room.update_theme(made[0], author=author(), deleted=False)
                for uuid in uuids:
                    room.set_excerpt_themes(uuid, after[uuid], author=author())

        def revert() -> None:
            room = self._context.room
            for uuid in uuids:
                room.set_excerpt_themes(uuid, before[uuid], author=author())
            room.update_theme(made[0], author=author(), deleted=True)

        return self._push("Split a theme", apply, revert)

    def take_theme_off(self, theme_uuid: str) -> bool:
        """The theme leaves the board; its notes go back among the unsorted (undo: both back)."""
        if theme_uuid not in self._themes:
            return False
        before = {u: self._live(u) for u in self._excerpts if theme_uuid in self._live(u)}
        author = self._context.author

        def apply() -> None:
            room = self._context.room
            for uuid, themes in before.items():
                room.set_excerpt_themes(
                    uuid, [t for t in themes if t != theme_uuid], author=author()
                )
            room.update_theme(theme_uuid, author=author(), deleted=True)

        def revert() -> None:
            room = self._context.room
            room.update_theme(theme_uuid, author=author(), deleted=False)
            for uuid, themes in before.items():
                room.set_excerpt_themes(uuid, themes, author=author())

        if self._push("Take a theme off the board", apply, revert) is not None:
            return False
        self.undo_bar.offer(
            self._context.undo_stack, "The theme was taken off the board.", "Put the theme back"
        )
        return True

    def remove_notes(self, excerpt_uuids: Sequence[str]) -> bool:
        uuids = [u for u in dict.fromkeys(excerpt_uuids) if u in self._excerpts]
        if not uuids:
            return False
        author = self._context.author

        def apply() -> None:
            for uuid in uuids:
                self._context.room.remove_excerpt(uuid, author=author())

        def revert() -> None:
            for uuid in uuids:
                self._context.room.restore_excerpt(uuid, author=author())

        text = "Take a note off the board" if len(uuids) == 1 else "Take notes off the board"
        if self._push(text, apply, revert) is not None:
            return False
        self.undo_bar.offer(
            self._context.undo_stack,
            "The note was taken off the board." if len(uuids) == 1 else "The notes were taken off.",
            "Put it back",
        )
        return True

    # -- opening ------------------------------------------------------------------------------

    @Slot(str)
    def open_excerpt(self, excerpt_uuid: str) -> None:
        """Open the excerpt in its story, in context (the room's reading view does that)."""
        if excerpt_uuid in self._excerpts:
            self._context.signals.open_excerpt.emit(excerpt_uuid)

    def open_current(self) -> None:
        chosen = self.chosen_notes()
        if self._current and self._current[0] == "note":
            self.open_excerpt(self._current[1])
        elif chosen:
            self.open_excerpt(chosen[0][0])

    def show_excerpt(self, excerpt_uuid: str) -> None:
        """Scroll to the excerpt's note (its first, if in several themes) and choose it."""
        for key, item in self.scene.notes.items():
            if key[0] == excerpt_uuid:
                self.scene.clearSelection()
                item.setSelected(True)
                self.set_current(("note", key[0], key[1]))
                self.view.centerOn(item)
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    # -- the buttons' and keys' gestures, with their dialogs ------------------------------------

    def _open_dialog(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.dialog = dialog
        dialog.finished.connect(partial(self._dialog_done, dialog))
        dialog.open()

    def _dialog_done(self, dialog: QDialog, _result: int) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        dialog.deleteLater()

    def ask_make_theme(self) -> None:
        uuids = [uuid for uuid, _theme in self.chosen_notes()]
        if not uuids:
            self._show_problem("Choose the notes for the theme first (a click, or Space).")
            return
        uuids = list(dict.fromkeys(uuids))
        self._open_dialog(
            ThemeDialog(
                self,
                "Make a theme",
                "Make the theme",
                lambda name, about, colour: self._try_make(uuids, name, about, colour),
                colour=self._next_colour(),
            )
        )

    def _next_colour(self) -> str:
        used = [t.colour.upper() for t in self._themes.values()]
        return min(THEME_COLOURS, key=lambda c: (used.count(c), THEME_COLOURS.index(c)))

    def ask_edit_theme(self, theme_uuid: str | None = None) -> None:
        uuid = theme_uuid or self._theme_in_focus()
        theme = self._themes.get(uuid or "")
        if theme is None:
            self._show_problem("Choose a theme first (click its name).")
            return
        self._open_dialog(
            ThemeDialog(
                self,
                "Change the theme",
                "Keep the changes",
                lambda name, about, colour: self.edit_theme(
                    theme.uuid, name=name, description=about, colour=colour
                ),
                name=theme.name,
                description=theme.description,
                colour=theme.colour,
            )
        )

    def ask_split(self) -> None:
        chosen = self.chosen_notes()
        themes = {theme for _uuid, theme in chosen} - {""}
        if len(themes) != 1 or any(not theme for _uuid, theme in chosen):
            self._show_problem("Choose some notes inside one theme to split them off.")
            return
        theme = themes.pop()
        uuids = [uuid for uuid, _theme in chosen]
        self._open_dialog(
            ThemeDialog(
                self,
                "Split into a new theme",
                "Make the new theme",
                lambda name, about, colour: self.split_theme(theme, uuids, name, about, colour),
                colour=self._next_colour(),
            )
        )

    def ask_add_to_theme(self) -> None:
        uuids = list(dict.fromkeys(uuid for uuid, _theme in self.chosen_notes()))
        if not uuids:
            self._show_problem("Choose a note first (a click, or Tab to it).")
            return

        def add(theme_uuid: str) -> str | None:
            if not self.add_to_theme(uuids, theme_uuid):
                return self.problem.text() or None
            return None

        self._open_dialog(ThemeChooser(self, list(self._themes.values()), add))

    def leave_chosen(self) -> None:
        self.leave_theme(self.chosen_notes())

    def merge_chosen(self) -> None:
        self.merge_themes(self.chosen_themes())

    def take_chosen_theme_off(self) -> None:
        theme = self._theme_in_focus()
        if theme is not None:
            self.take_theme_off(theme)

    def remove_chosen(self) -> None:
        self.remove_notes([uuid for uuid, _theme in self.chosen_notes()])

    def _delete_current(self) -> None:
        if self._current and self._current[0] == "theme" and not self.chosen_notes():
            self.take_theme_off(self._current[1])
        else:
            self.remove_chosen()

    def menu_for(self, item: NoteItem | ThemeRegion, where: QPoint) -> None:
        menu = self.build_menu(item)
        menu.exec(where)
        menu.deleteLater()

    def build_menu(self, item: NoteItem | ThemeRegion) -> QMenu:
        """The menu of a note or a theme: everything a drag does, by keyboard too."""
        menu = QMenu(self)
        if isinstance(item, NoteItem):
            if not item.isSelected():
                self.scene.clearSelection()
                item.setSelected(True)
            self.set_current(("note", item.card.uuid, item.card.theme), scroll=False)
            menu.setAccessibleName("Note")
            for action in (self.open_action, self.add_action, self.leave_action):
                menu.addAction(action)
            menu.addSeparator()
            for action in (self.make_action, self.split_action):
                menu.addAction(action)
            menu.addSeparator()
            menu.addAction(self.remove_action)
        else:
            self.set_current(("theme", item.patch.uuid, ""), scroll=False)
            menu.setAccessibleName("Theme")
            for action in (self.edit_action, self.merge_action, self.off_action):
                menu.addAction(action)
        self._enable()
        return menu
