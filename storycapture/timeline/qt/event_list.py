"""The list of moments beside the picture: the same events, in time order, for the keyboard
and for screen readers. A thin Qt model over the tool's plain list of events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from storycapture.domain.authorship import whose_words_label
from storycapture.domain.story import TimelineEvent
from storycapture.domain.visibility import ITEM_WORDS
from storycapture.domain.vocabulary import describe_feeling
from storycapture.qtkit.choices import VISIBILITY_CHOICES
from storycapture.timeline.layout import is_private, seeks_help
from storycapture.timeline.qt.items import describe_event
from storycapture.timeline.qt.style import Colours, colours_for, draw_glyph

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3
VALENCE_ROLE = Qt.ItemDataRole.UserRole + 4
HELP_ROLE = Qt.ItemDataRole.UserRole + 5
PRIVATE_ROLE = Qt.ItemDataRole.UserRole + 6

Index = QModelIndex | QPersistentModelIndex


def spoken_details(event: TimelineEvent) -> str:
    """What a screen reader says after a moment's name: whose words it holds and who may see
    it, in words ("their words · private: stays on this laptop; never shared")."""
    whose = whose_words_label(event.meta.author)
    words, meaning = VISIBILITY_CHOICES[event.visibility]
    return f"{whose} · {words.lower()}: {meaning[:1].lower()}{meaning[1:]}"


class EventListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[TimelineEvent] = []
        self._rows: dict[str, int] = {}
        self._unplaced: frozenset[str] = frozenset()
        self._colours = colours_for()

    def set_colours(self, colours: Colours) -> None:
        """The feelings' colours (the rows' decoration) in another look."""
        self._colours = colours
        if self._events:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._events) - 1), [Qt.ItemDataRole.DecorationRole]
            )

    def set_events(self, events: Sequence[TimelineEvent], unplaced: frozenset[str]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self._rows = {e.uuid: row for row, e in enumerate(self._events)}
        self._unplaced = unplaced
        self.endResetModel()

    def clear(self) -> None:
        self.set_events([], frozenset())

    def row_of(self, uuid: str | None) -> int | None:
        return None if uuid is None else self._rows.get(uuid)

    def uuid_at(self, row: int) -> str | None:
        return self._events[row].uuid if 0 <= row < len(self._events) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        waiting = event.uuid in self._unplaced
        when = "not yet placed in time" if waiting else event.when()
        feeling = describe_feeling(event.valence)
        detail = f"{when} · {feeling if event.valence is not None else 'feeling ' + feeling}"
        detail += f" · {ITEM_WORDS[event.visibility]}"  # who may see it, in words, on every row
        if role == Qt.ItemDataRole.DisplayRole:
            marks = ""
            if seeks_help(event):
                marks += " · asking for help"
            return f"{event.title} · {detail}{marks}"
        if role == TITLE_ROLE:
            return event.title
        if role == DETAIL_ROLE:
            return detail
        if role == VALENCE_ROLE:
            return event.valence
        if role == HELP_ROLE:
            return seeks_help(event)
        if role == PRIVATE_ROLE:
            return is_private(event)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            text = describe_event(event)
            return f"{text} · not yet placed in time" if waiting else text
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return spoken_details(event)
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(self._colours.feeling(event.valence))
        if role == UUID_ROLE:
            return event.uuid
        return None


class EventListDelegate(QStyledItemDelegate):
    """Draws a row as two lines: the title, and when it was and how it felt, with the feeling's
    colour, a lifebuoy for help-seeking and a lock for private."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._colours = colours_for()

    @property
    def colours(self) -> Colours:
        return self._colours

    def set_colours(self, colours: Colours) -> None:
        """Paint the rows in another look (the view is repainted by the tool)."""
        self._colours = colours

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetricsF(option.font)
        return QSize(160, int(metrics.height() * 2 + 14))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        colours = self._colours
        rect = QRectF(option.rect).adjusted(4, 2, -4, -2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            # A soft fill, and an edge that shows the row is chosen at 3:1 on the list.
            painter.setPen(QPen(colours.selection_edge, 1.0))
            painter.setBrush(colours.selection)
            painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours.mix(colours.card, colours.hairline, 0.5))
            painter.drawRoundedRect(rect, 6, 6)
        if state & QStyle.StateFlag.State_HasFocus:
            # On the chosen row of the high-contrast look (yellow) the ring is drawn in ink.
            ring = colours.selection_ink if selected and colours.high_contrast else colours.accent
            painter.setPen(QPen(ring, 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
        font = QFont(option.font)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        top = rect.top() + (rect.height() - 2 * line) / 2
        valence = index.data(VALENCE_ROLE)
        if valence is None:  # not said: a hollow ring, no colour of any feeling
            hollow = QPen(colours.soft_ink, 1.4)
            hollow.setDashPattern([2.0, 1.5])
            painter.setPen(hollow)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:  # a soft fill in a rim that shows at 3:1
            painter.setPen(QPen(colours.feeling_edge(int(valence)), 1.6))
            painter.setBrush(colours.feeling(int(valence)))
        painter.drawEllipse(QPointF(rect.left() + 10, top + line / 2), 5, 5)
        left = rect.left() + 22
        right = rect.right() - 6
        if index.data(PRIVATE_ROLE):
            lock = QRectF(right - 10, top + line / 2 - 6, 10, 12)
            tint = colours.selection_ink if selected else colours.soft_ink
            draw_glyph(painter, "lock", lock, colours, tint)
            right -= 14
        if index.data(HELP_ROLE):
            buoy = QRectF(right - 12, top + line / 2 - 6, 12, 12)
            draw_glyph(painter, "lifebuoy", buoy, colours)
            right -= 16
        painter.setFont(font)
        painter.setPen(colours.selection_ink if selected else colours.ink)
        title = metrics.elidedText(
            str(index.data(TITLE_ROLE) or ""), Qt.TextElideMode.ElideRight, right - left
        )
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(left, top, right - left, line), align, title)
        small = QFont(font)
        small.setPointSizeF(max(7.5, font.pointSizeF() * 0.88))
        small_metrics = QFontMetricsF(small)
        painter.setFont(small)
        painter.setPen(colours.selection_ink if selected else colours.soft_ink)
        detail = small_metrics.elidedText(
            str(index.data(DETAIL_ROLE) or ""),
            Qt.TextElideMode.ElideRight,
            rect.right() - 6 - left,
        )
        painter.drawText(QRectF(left, top + line, rect.right() - 6 - left, line), align, detail)
        painter.restore()
