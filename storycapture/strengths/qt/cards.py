"""How one card is drawn in a zone: its colour, its words, who wrote it, and a lock if private."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from storycapture.domain.story import StrengthCard
from storycapture.domain.visibility import ITEM_WORDS
from storycapture.domain.vocabulary import Visibility
from storycapture.qtkit.looks import scaled_px
from storycapture.strengths.qt import style
from storycapture.strengths.qt.models import CARD_ROLE, HIGHLIGHT_ROLE, ZONE_ROLE, written_by

MARGIN_X = 3
MARGIN_Y = 4
PAD = 10


def draw_lock(painter: QPainter, box: QRectF, colour: QColor) -> None:
    """A small padlock drawn with lines, so it needs no icon font."""
    painter.save()
    pen = QPen(colour, max(1.2, box.height() / 9))
    painter.setPen(pen)
    body = QRectF(box.left(), box.top() + box.height() * 0.45, box.width(), box.height() * 0.55)
    shackle = QPainterPath()
    w = box.width() * 0.6
    left = box.center().x() - w / 2
    shackle.moveTo(left, body.top())
    shackle.lineTo(left, box.top() + w / 2)
    shackle.arcTo(QRectF(left, box.top(), w, w), 180, -180)
    shackle.lineTo(left + w, body.top())
    painter.drawPath(shackle)
    painter.setBrush(colour)
    painter.drawRoundedRect(body, 1.5, 1.5)
    painter.restore()


class CardDelegate(QStyledItemDelegate):
    """Paints a card as a soft rounded tile sized to its words."""

    def __init__(self, view: QListView, large: bool = False) -> None:
        super().__init__(view)
        self._view = view
        self.large = large
        self.look: style.Look = style.LIGHT  # the tool gives it the window's look

    def _min_height(self) -> int:
        return style.LARGE_TARGET_PX + 12 if self.large else 44

    @staticmethod
    def _small(font: QFont) -> QFont:
        small = QFont(font)
        if font.pointSizeF() > 0:
            small.setPointSizeF(font.pointSizeF() * 0.85)
        return small

    def _text_width(self) -> int:
        return max(40, self._view.viewport().width() - 2 * MARGIN_X - 2 * PAD)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        card: StrengthCard | None = index.data(CARD_ROLE)
        font = self._view.font()
        text = card.text if card else ""
        width = self._text_width()
        words = QFontMetrics(font).boundingRect(
            QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap, text
        )
        footer = QFontMetrics(self._small(font)).height()
        height = words.height() + footer + 2 * PAD + 4 + 2 * MARGIN_Y
        return QSize(width + 2 * PAD + 2 * MARGIN_X, max(self._min_height(), height))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card: StrengthCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        chosen = bool(option.state & QStyle.StateFlag.State_Selected)
        highlighted = bool(index.data(HIGHLIGHT_ROLE))
        # The whole width of the zone, whatever width the list laid the item out at.
        whole = QRectF(option.rect)
        whole.setLeft(0)
        whole.setWidth(self._view.viewport().width())
        rect = whole.adjusted(MARGIN_X, MARGIN_Y, -MARGIN_X, -MARGIN_Y)
        look = self.look
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if chosen:
            pen = QPen(QColor(look.accent), 3)
        elif highlighted:
            pen = QPen(QColor(look.accent_text), 2)
        else:
            pen = QPen(QColor(look.card_border), 1.5 if look.high_contrast else 1)
        tile = rect.adjusted(1.5, 1.5, -1.5, -1.5)  # a 1 px edge on whole pixels
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(look.card_fill(card.colour))
        painter.drawRoundedRect(tile, 10, 10)
        band = look.card_band(card.colour)
        if band is not None:
            # High contrast keeps every card black: its colour is a band across the top.
            outline = QPainterPath()
            outline.addRoundedRect(tile, 10, 10)
            painter.save()
            painter.setClipPath(outline)
            painter.fillRect(QRectF(tile.left(), tile.top(), tile.width(), 6), band)
            painter.restore()
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(tile, 10, 10)
        if highlighted:
            stripe = QRectF(rect.left() + 1, rect.top() + 8, 4, rect.height() - 16)
            painter.fillRect(stripe, QColor(look.accent))

        font = self._view.font()
        small = self._small(font)
        footer_h = QFontMetrics(small).height()
        inner = rect.adjusted(PAD, PAD, -PAD, -PAD)
        painter.setFont(font)
        painter.setPen(QColor(look.ink))
        words = QRectF(inner.left(), inner.top(), inner.width(), inner.height() - footer_h - 4)
        painter.drawText(words, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft, card.text)

        footer = QRectF(inner.left(), inner.bottom() - footer_h, inner.width(), footer_h)
        by_storyteller = card.meta.author.is_storyteller
        small.setItalic(by_storyteller)
        small.setBold(by_storyteller and highlighted)
        painter.setFont(small)
        painter.setPen(QColor(look.accent_text if by_storyteller else look.soft_ink))
        mark = ("❝ " if by_storyteller else "") + written_by(card)
        mark_font = QFont(small)
        plain = QFont(small)
        plain.setItalic(False)
        plain.setBold(False)
        lock_w = footer_h * 0.6 if card.visibility is Visibility.PRIVATE else 0.0
        label = ITEM_WORDS[card.visibility]  # every card says who may see it, in words
        label_w = QFontMetrics(plain).horizontalAdvance(label) if label else 0
        mark_w = QFontMetrics(mark_font).horizontalAdvance(mark)
        if label and mark_w + label_w + lock_w + 12 > footer.width() and lock_w:
            label, label_w = "", 0  # a narrow card keeps the lock and drops the word
        room = int(footer.width() - label_w - lock_w - (10 if label or lock_w else 0))
        mark = QFontMetrics(mark_font).elidedText(mark, Qt.TextElideMode.ElideRight, room)
        painter.drawText(footer, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, mark)
        painter.setFont(plain)
        painter.setPen(QColor(look.ink))
        if label:
            painter.drawText(
                footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
        if lock_w:
            size = footer_h * 0.7
            box = QRectF(
                footer.right() - label_w - lock_w - (4 if label else 0),
                footer.center().y() - size / 2,
                size * 0.8,
                size,
            )
            draw_lock(painter, box, QColor(look.soft_ink))
        painter.restore()


class PromptDelegate(QStyledItemDelegate):
    """An idea: its words, and underneath, the zone it goes in; tall enough to touch."""

    def __init__(self, view: QListView, large: bool = False) -> None:
        super().__init__(view)
        self._view = view
        self.large = large
        self.look: style.Look = style.LIGHT  # the tool gives it the window's look

    def _heights(self, text: str) -> tuple[int, int]:
        font = self._view.font()
        width = max(40, self._view.viewport().width() - 2 * PAD)
        words = QFontMetrics(font).boundingRect(
            QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap, text
        )
        return words.height(), QFontMetrics(CardDelegate._small(font)).height()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        words, zone = self._heights(str(index.data() or ""))
        least = style.LARGE_TARGET_PX if self.large else style.TARGET_PX
        return QSize(self._view.viewport().width(), max(least, words + zone + 2 * 7 + 2))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect = QRectF(option.rect)
        rect.setLeft(0)
        rect.setWidth(self._view.viewport().width())
        look = self.look
        chosen = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        if chosen:
            painter.fillRect(rect, QColor(look.chosen))
            # The soft fill alone shows at about 1.3:1: a bar in the accent marks the choice.
            bar = QRectF(rect.left(), rect.top(), max(3.0, scaled_px(4)), rect.height())
            painter.fillRect(bar, QColor(look.accent))
        painter.setPen(QColor(look.hairline))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        font = self._view.font()
        text = str(index.data() or "")
        words_h, zone_h = self._heights(text)
        inner = rect.adjusted(PAD, 7, -PAD, -7)
        painter.setFont(font)
        painter.setPen(QColor(look.chosen_ink if chosen else look.ink))
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), words_h),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        painter.setFont(CardDelegate._small(font))
        painter.setPen(QColor(look.chosen_ink if chosen else look.soft_ink))
        painter.drawText(
            QRectF(inner.left(), inner.top() + words_h + 2, inner.width(), zone_h),
            Qt.AlignmentFlag.AlignLeft,
            str(index.data(ZONE_ROLE) or ""),
        )
        painter.restore()
