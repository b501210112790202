"""The zones as columns of cards, and dragging a card with a mouse or a finger.

Dragging is done here rather than with ``QDrag``: a press on a card, a move past the drag
distance, and a release over a zone, for mouse and touch alike. The view only reports where the
card was let go (the card, the zone, and the card it now goes before); the tool makes the edit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.vocabulary import CardKind
from storycapture.qtkit.looks import scaled_px
from storycapture.strengths.board import Board, Zone
from storycapture.strengths.qt import style
from storycapture.strengths.qt.cards import CardDelegate
from storycapture.strengths.qt.models import UUID_ROLE, ZoneModel

EMPTY_ZONE = "No cards here yet"
# The keyboard's ways round the board, for the zones' description and the shortcuts dialog.
KEYBOARD: tuple[tuple[str, str], ...] = (
    ("Up and Down", "choose a card"),
    ("Left and Right", "go to the zone beside"),
    ("Ctrl+Up and Ctrl+Down", "move the card up or down"),
    ("Ctrl+1 to Ctrl+6, or Alt+Left and Alt+Right", "move the card to another zone"),
    ("Enter or F2", "change the card's words"),
    ("Delete", "take the card off the board"),
    ("Shift+F10", "everything else you can do with the card"),
)


class DragController(QObject):
    """Follows one card being dragged across the zones and says where it was let go."""

    dropped = Signal(str, str, str)  # card uuid, zone (kind value), before uuid ("" = at the end)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.views: list[ZoneView] = []
        self._uuid: str | None = None
        self._offset = QPoint()
        self._ghost: QLabel | None = None
        self._line: QFrame | None = None
        self._over: ZoneView | None = None

    @property
    def dragging(self) -> bool:
        return self._uuid is not None

    def begin(self, view: ZoneView, uuid: str, row: int, global_pos: QPoint) -> None:
        self._uuid = uuid
        rect = view.visualRect(view.model().index(row, 0))
        self._offset = view.viewport().mapToGlobal(rect.topLeft()) - global_pos
        window = view.window()
        ghost = QLabel(window)
        ghost.setObjectName("dragGhost")
        ghost.setPixmap(view.viewport().grab(rect))
        ghost.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        ghost.resize(rect.size())
        ghost.show()
        ghost.raise_()
        self._ghost = ghost
        self.move(global_pos)

    def target(self, global_pos: QPoint) -> ZoneView | None:
        for view in self.views:
            column = view.column
            if view.isVisible() and column.rect().contains(column.mapFromGlobal(global_pos)):
                return view
        return None

    def move(self, global_pos: QPoint) -> None:
        window = self._ghost.parentWidget() if self._ghost is not None else None
        if self._ghost is not None and window is not None:
            self._ghost.move(window.mapFromGlobal(global_pos + self._offset))
        over = self.target(global_pos)
        if over is not self._over:
            if self._over is not None:
                self._over.column.set_drop_target(False)
            if over is not None:
                over.column.set_drop_target(True)
            self._over = over
        self._show_line(over, global_pos)

    def _show_line(self, view: ZoneView | None, global_pos: QPoint) -> None:
        if self._line is not None:
            self._line.deleteLater()
            self._line = None
        if view is None:
            return
        row = view.insertion_row(global_pos)
        model = view.model()
        if row < model.rowCount():
            y = view.visualRect(model.index(row, 0)).top()
        elif model.rowCount():
            y = view.visualRect(model.index(model.rowCount() - 1, 0)).bottom()
        else:
            y = 4
        line = QFrame(view.viewport())
        line.setObjectName("dropLine")
        line.setStyleSheet(f"background: {view.column.look.accent}; border-radius: 2px;")
        line.setGeometry(QRect(8, max(0, y - 2), view.viewport().width() - 16, 4))
        line.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        line.show()
        self._line = line

    def finish(self, global_pos: QPoint) -> None:
        uuid = self._uuid
        target = self.target(global_pos)
        self.cancel()
        if uuid is None or target is None:
            return
        before = target.card_at_or_after(target.insertion_row(global_pos), skip=uuid)
        self.dropped.emit(uuid, target.kind.value, before or "")

    def cancel(self) -> None:
        self._uuid = None
        if self._ghost is not None:
            self._ghost.hide()
            self._ghost.deleteLater()
            self._ghost = None
        if self._line is not None:
            self._line.deleteLater()
            self._line = None
        if self._over is not None:
            self._over.column.set_drop_target(False)
            self._over = None


class ZoneView(QListView):
    """One zone's cards, top to bottom. Left and Right step to the next zone."""

    step_zone = Signal(int)

    def __init__(self, zone: Zone, drag: DragController, column: ZoneColumn) -> None:
        super().__init__()
        self.zone = zone
        self.kind: CardKind = zone.kind
        self.column = column
        self._drag = drag
        self._pressed: tuple[str, int, QPoint] | None = None
        self._laid_out_width = -1
        self.zone_model = ZoneModel(zone.kind, self)
        self.setModel(self.zone_model)
        self.card_delegate = CardDelegate(self)
        self.setItemDelegate(self.card_delegate)
        self.setObjectName("zoneView")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setWordWrap(True)
        self.setDragEnabled(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName(f"{zone.title}: cards")
        self.setAccessibleDescription("; ".join(f"{keys}: {words}" for keys, words in KEYBOARD))
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Card heights depend on the width (words wrap): lay them out again straight away.
        self.doItemsLayout()

    def doItemsLayout(self) -> None:
        self._laid_out_width = self.viewport().width()  # the width the card heights are for
        super().doItemsLayout()

    def _lay_out_if_width_changed(self) -> None:
        """Lay the cards out again if the viewport's width changed without a resize reaching
        the view. That happens when the zone is first shown: the layout done while showing it
        brings up the scroll bar, and the narrower viewport, not yet visible, is never told;
        cards laid out for the wider one would overlap (taller at the width they are painted at
        than the room they were given)."""
        if self.viewport().width() != self._laid_out_width:
            self.doItemsLayout()

    def uuid_at(self, row: int) -> str | None:
        card = self.zone_model.card(row)
        return card.uuid if card else None

    def insertion_row(self, global_pos: QPoint) -> int:
        y = self.viewport().mapFromGlobal(global_pos).y()
        for row in range(self.zone_model.rowCount()):
            if y < self.visualRect(self.zone_model.index(row, 0)).center().y():
                return row
        return self.zone_model.rowCount()

    def card_at_or_after(self, row: int, skip: str) -> str | None:
        for later in range(row, self.zone_model.rowCount()):
            uuid = self.uuid_at(later)
            if uuid != skip:
                return uuid
        return None

    # -- pointer and finger ------------------------------------------------------------------

    def _press(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        self._pressed = (index.data(UUID_ROLE), index.row(), pos) if index.isValid() else None

    def _move(self, pos: QPoint, global_pos: QPoint) -> bool:
        """True when the move belongs to a drag (begun now or before, from any zone)."""
        if self._drag.dragging:
            self._drag.move(global_pos)
            return True
        if self._pressed is None:
            return False
        uuid, row, start = self._pressed
        if (pos - start).manhattanLength() >= QApplication.startDragDistance():
            self._drag.begin(self, uuid, row, global_pos)
        return True

    def _release(self, global_pos: QPoint) -> bool:
        self._pressed = None
        if self._drag.dragging:
            self._drag.finish(global_pos)
            return True
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press(event.position().toPoint())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if (self._drag.dragging or event.buttons() & Qt.MouseButton.LeftButton) and self._move(
            event.position().toPoint(), event.globalPosition().toPoint()
        ):
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._release(
            event.globalPosition().toPoint()
        ):
            return
        super().mouseReleaseEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent):
            return self._touch(event)
        if event.type() == QEvent.Type.Show:
            self._lay_out_if_width_changed()
        return super().viewportEvent(event)

    def _touch(self, event: QTouchEvent) -> bool:
        """One finger chooses a card, or drags it to another place; others are ignored."""
        event.accept()
        points = event.points()
        if event.type() == QEvent.Type.TouchCancel or not points:
            self._pressed = None
            self._drag.cancel()
            return True
        point = points[0]
        pos = point.position().toPoint()
        global_pos = point.globalPosition().toPoint()
        if event.type() == QEvent.Type.TouchBegin:
            self._press(pos)
            index = self.indexAt(pos)
            if index.isValid():
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self.setCurrentIndex(index)
        elif event.type() == QEvent.Type.TouchUpdate:
            self._move(pos, global_pos)
        elif event.type() == QEvent.Type.TouchEnd:
            self._release(global_pos)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        if plain and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.step_zone.emit(-1 if event.key() == Qt.Key.Key_Left else 1)
            return
        if event.key() == Qt.Key.Key_Escape and self._drag.dragging:
            self._pressed = None
            self._drag.cancel()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.zone_model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(self.column.look.soft_ink))
            painter.drawText(
                self.viewport().rect().adjusted(12, 16, -12, -12),
                Qt.AlignmentFlag.AlignHCenter
                | Qt.AlignmentFlag.AlignTop
                | Qt.TextFlag.TextWordWrap,
                EMPTY_ZONE,
            )
            painter.end()


class ZoneColumn(QFrame):
    """A zone's heading, a short hint and its cards, on the zone's soft wash."""

    def __init__(self, zone: Zone, drag: DragController) -> None:
        super().__init__()
        self.zone = zone
        self.look: style.Look = style.LIGHT  # the tool gives it the window's look
        self._drop_target = False
        self.setObjectName("zoneColumn")
        self.setAccessibleName(zone.title)
        self.title = QLabel(zone.title)
        self.title.setObjectName("zoneTitle")
        self.hint = QLabel(zone.hint)
        self.hint.setObjectName("subtle")
        self.hint.setWordWrap(True)
        self.view = ZoneView(zone, drag, self)
        self.title.setBuddy(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 10, 6, 6)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        self.set_drop_target(False)

    def set_drop_target(self, on: bool) -> None:
        self._drop_target = on
        look = self.look
        wash = look.zone_wash[self.zone.kind]
        border = f"2px dashed {look.accent}" if on else f"2px solid {look.zone_border}"
        self.setStyleSheet(
            f"QFrame#zoneColumn {{ background: {wash}; border: {border}; border-radius: 12px; }}"
        )

    def set_look(self, look: style.Look) -> None:
        """Paint the zone, its words and its cards in ``look`` (one of the window's looks)."""
        self.look = look
        self.view.card_delegate.look = look
        self.set_drop_target(self._drop_target)
        self.view.viewport().update()


class BoardPage(QWidget):
    """One board: its zones side by side."""

    def __init__(self, board: Board, drag: DragController) -> None:
        super().__init__()
        self.board = board
        self.setAccessibleName(board.title)
        self.columns = [ZoneColumn(zone, drag) for zone in board.zones]
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        # A zone narrower than this (normal-size pixels) cuts its cards' words: the zones then
        # go two by two, or one under another. Storyteller mode's large type asks for more.
        self.zone_min_width = 170
        self._count = 0
        self.set_columns(len(self.columns))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.set_columns(self.columns_for(event.size().width()))
        super().resizeEvent(event)

    def columns_for(self, width: int) -> int:
        """How many zones fit side by side in ``width``: all, half, or one."""
        gap = self._layout.spacing()
        zone = scaled_px(self.zone_min_width)
        total = len(self.columns)
        choices = [total, total // 2] if total % 2 == 0 else [total]
        for count in choices:
            if count >= 1 and count * zone + (count - 1) * gap <= width:
                return count
        return 1

    def set_columns(self, count: int) -> None:
        """The zones side by side (``count`` of them), wrapping onto further rows."""
        if count == self._count:
            return
        self._count = count
        layout = self._layout
        for column in self.columns:
            layout.removeWidget(column)
        for number in range(len(self.columns)):
            layout.setColumnStretch(number, 1 if number < count else 0)
            layout.setRowStretch(number, 1 if number < -(-len(self.columns) // count) else 0)
        for number, column in enumerate(self.columns):
            layout.addWidget(column, number // count, number % count)
        layout.activate()  # now, also while the board is out of sight
