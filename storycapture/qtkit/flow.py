"""Room for every text size: a row of controls that wraps, and the width at which a screen
turns compact.

At 1366×768 and an interface scale of 150% or 200% a row of buttons (a toolbar, a header) is
wider than the window; a ``FlowLayout`` puts what does not fit on the next line instead of
pushing the window wider than the screen (WCAG 1.4.10, reflow). ``is_compact`` is the one rule
the screens share for when side-by-side panels stack instead.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from storycapture.qtkit.looks import current_scale

# Below this many normal-size pixels of width, panels that sit side by side stack instead.
COMPACT_BELOW = 1180


def is_compact(width: int) -> bool:
    """Whether ``width`` device pixels, at the current interface scale, is a compact screen."""
    return width / current_scale() < COMPACT_BELOW


class FlowLayout(QLayout):
    """Widgets left to right, wrapping onto the next line when the row is full."""

    def __init__(self, parent: QWidget | None = None, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._sizing = False
        if parent is None:
            self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insert_widget(self, index: int, widget: QWidget) -> None:
        """Put ``widget`` at ``index`` among what the row holds (``addWidget`` puts it last)."""
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        # No: a scroll area around a height-for-width layout makes its page as tall as every
        # part's preferred height. The row's widget is given its minimum height instead, once
        # the row knows its width (``setGeometry``).
        return False

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        needed = self._place(rect, move=True)
        # Layouts above ask for a minimum height without the width, so they would give a
        # wrapped row the height of one line and cut the rest: the row's widget says how tall
        # it must be at the width it was given. Not while doing so already: in a scroll area
        # a taller row brings a scroll bar, which narrows the row, which makes it taller...
        holder = self.parentWidget()
        if self._sizing or holder is None or holder.layout() is not self:
            return
        if holder.minimumHeight() != needed:
            self._sizing = True
            try:
                holder.setMinimumHeight(needed)
            finally:
                self._sizing = False

    def sizeHint(self) -> QSize:
        # One line, when there is room for it.
        width = height = 0
        for item in self._visible():
            hint = item.sizeHint()
            width += hint.width() + (self._gap() if width else 0)
            height = max(height, hint.height())
        margins = self.contentsMargins()
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        # As narrow as the widest single widget: everything else wraps.
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        shown = []
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                shown.append(item)
        return shown

    def set_spacing(self, spacing: int) -> None:
        """The gap between neighbours, across and down (−1: the style's)."""
        if spacing != self._spacing:
            self._spacing = spacing
            self.invalidate()

    def _gap(self) -> int:
        if self._spacing >= 0:
            return self._spacing
        parent = self.parentWidget()
        if parent is None:
            return 6
        gap = parent.style().layoutSpacing(
            QSizePolicy.ControlType.PushButton,
            QSizePolicy.ControlType.PushButton,
            Qt.Orientation.Horizontal,
        )
        if gap < 0:
            gap = parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        return max(gap, 6)

    def _place(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        gap = self._gap()
        for item in self._visible():
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y = area.x(), y + line_height + gap
                line_height = 0
            if move:
                width = min(hint.width(), max(area.width(), item.minimumSize().width()))
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class _PageLayout(QVBoxLayout):
    """Holds a page in a scroll area at the height its parts need at least, not prefer.

    A scroll area lays out a page whose words wrap (height for width) at its preferred
    height, so the page would scroll when it need not, and near the edge the scroll bar comes
    and goes as the page narrows and widens."""

    def hasHeightForWidth(self) -> bool:
        return False


def scrolling_page(content: QWidget, *, at_least: bool = True) -> QScrollArea:
    """``content`` in a scroll area that scrolls down (when the window is too short for it,
    as with large text on a small laptop) and never sideways. ``at_least``: the page is laid
    out at the height its parts need at least (else at the height they would like)."""
    if at_least:
        holder = QWidget()
        layout = _PageLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(content)
    else:
        holder = content
    area = QScrollArea()
    area.setWidget(holder)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
