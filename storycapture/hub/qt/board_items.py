"""How the themes board draws: a post-it note for each excerpt, a coloured region for each
theme, and where they go on the board.

The items draw what they are given (plain values read from ``RoomService``) and own nothing:
where a note is dragged only says where it was let go; the board makes the change through the
service and draws everything again. A note shown in two themes is two items with one excerpt.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from storycapture.qtkit import palette
from storycapture.qtkit.looks import look_of

if TYPE_CHECKING:
    from storycapture.hub.qt.board import BoardScene

NOTE_W = 216.0
NOTE_H = 136.0
GAP = 12.0
PAD = 10.0
REGION_PAD = 14.0
LABEL_H = 58.0
EMPTY_H = 74.0
REGION_MIN_W = 300.0  # room for a name of a few words beside the count
THEME_GAP = 28.0
SHELF_HEADING = "Notes not yet in a theme"
EMPTY_THEME = "No notes yet — drag some here"

# Where an excerpt's words come from, in words.
SOURCE_WORDS = {
    ("quote", "text"): "a quote",
    ("timeline_event", "words"): "a moment",
    ("timeline_event", "title"): "a moment’s title",
    ("narrative_note", "text"): "a note",
    ("strength_card", "text"): "a strength card",
}


def source_words(kind: str, field: str) -> str:
    return SOURCE_WORDS.get((kind, field), SOURCE_WORDS.get((kind, "text"), "their story"))


@dataclass(frozen=True)
class BoardLook:
    """The board's colours in one of the window's looks (all from ``qtkit.palette``)."""

    name: str
    paper: str
    ink: str
    soft_ink: str
    accent: str
    accent_text: str
    edge: str
    chosen: str
    fills: tuple[str, ...]  # the post-its' soft colours
    bands: tuple[str, ...]  # high contrast: black notes, their colour a band across the top

    @property
    def high_contrast(self) -> bool:
        return self.name == "high-contrast"

    def note_fill(self, storyteller_uuid: str) -> QColor:
        if self.high_contrast:
            return QColor(palette.BOARD[self.name]["card"])
        return QColor(self.fills[_pick(storyteller_uuid, len(self.fills))])

    def note_band(self, storyteller_uuid: str) -> QColor | None:
        if not self.high_contrast:
            return None
        return QColor(self.bands[_pick(storyteller_uuid, len(self.bands))])

    def region_fill(self, colour: str) -> QColor:
        """A theme's colour washed into the paper, so the notes on it stay readable."""
        if self.high_contrast:
            return QColor(self.paper)
        return _mix(QColor(colour), QColor(self.paper), 0.45 if self.name == "light" else 0.25)

    def region_edge(self, colour: str) -> QColor:
        if self.high_contrast:
            return QColor(colour)
        base = QColor(colour)
        return base.darker(150) if self.name == "light" else base


def _pick(key: str, count: int) -> int:
    # The same storyteller's notes always take the same soft colour.
    return zlib.crc32(key.encode()) % count


def _mix(colour: QColor, paper: QColor, amount: float) -> QColor:
    return QColor(
        round(colour.red() * amount + paper.red() * (1 - amount)),
        round(colour.green() * amount + paper.green() * (1 - amount)),
        round(colour.blue() * amount + paper.blue() * (1 - amount)),
    )


def board_look(name: str | None = None) -> BoardLook:
    name = name or look_of()
    board = palette.BOARD[name]
    fills = {
        "light": tuple(colour for _name, colour in palette.SWATCHES),
        "dark": palette.SWATCH_FILLS_DARK,
    }.get(name, palette.SWATCH_FILLS_DARK)
    return BoardLook(
        name=name,
        paper=board["paper"],
        ink=board["ink"],
        soft_ink=board["soft_ink"],
        accent=board["accent"],
        accent_text=board["accent_text"],
        edge=board["card_border"],
        chosen=board["chosen"],
        fills=fills,
        bands=palette.SWATCH_BANDS_HIGH_CONTRAST,
    )


@dataclass(frozen=True)
class NoteCard:
    """What one post-it shows: an excerpt, in one theme (or none)."""

    uuid: str  # the excerpt's
    theme: str  # the theme it is shown in; "" among the unsorted notes
    storyteller: str
    text: str
    pseudonym: str
    source: str  # "a quote", "a moment", …
    whose: str  # "their own words", "Sam’s words"
    theirs: bool
    theme_names: tuple[str, ...]
    marked_by: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.uuid, self.theme)

    def spoken(self) -> str:
        """The note for a screen reader: its words, whose, where from, and its themes."""
        themes = (
            "in " + ", ".join(f"“{name}”" for name in self.theme_names)
            if self.theme_names
            else "not in a theme yet"
        )
        return (
            f"Note: “{self.text}” — {self.pseudonym}, {self.source}, {self.whose}; {themes}. "
            "Enter opens it in its story."
        )


@dataclass(frozen=True)
class ThemePatch:
    """What one theme's region shows."""

    uuid: str
    name: str
    description: str
    colour: str
    count: int

    def spoken(self) -> str:
        notes = "no notes yet" if not self.count else _notes(self.count)
        about = f" {self.description}" if self.description else ""
        return f"Theme “{self.name}”, {notes}.{about}"


def _notes(count: int) -> str:
    return "1 note" if count == 1 else f"{count} notes"


def _small(font: QFont, factor: float = 0.88) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * factor)
    return small


def elided_wrapped(text: str, font: QFont, width: float, height: float) -> str:
    """``text`` cut (with "…") to what fits ``width`` × ``height`` when wrapped."""
    metrics = QFontMetricsF(font)
    flags = int(Qt.TextFlag.TextWordWrap)

    def fits(candidate: str) -> bool:
        return metrics.boundingRect(QRectF(0, 0, width, 1e6), flags, candidate).height() <= height

    if fits(text):
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + "…"):
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


class NoteItem(QGraphicsItem):
    """A post-it: the excerpt's words (cut to fit; all of them in the tooltip and the side
    panel), the storyteller's pseudonym, where the words come from and whose they are."""

    def __init__(self, card: NoteCard, look: BoardLook, font: QFont) -> None:
        super().__init__()
        self.card = card
        self.look = look
        self.font = font
        self.current = False  # the keyboard's place on the board
        self._shown: str | None = None  # the words cut to fit, worked out when first drawn
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
        )
        self.setZValue(2)
        self.setToolTip(f"{card.text}\n\n{card.pseudonym} · {card.source} · {card.whose}")
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def boundingRect(self) -> QRectF:
        return QRectF(-4, -4, NOTE_W + 8, NOTE_H + 8)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(0, 0, NOTE_W, NOTE_H))
        return path

    def set_current(self, current: bool) -> None:
        if current != self.current:
            self.current = current
            self.update()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        card, look = self.card, self.look
        note = QRectF(0, 0, NOTE_W, NOTE_H)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A soft shadow, as a post-it lifts off the board.
        painter.setPen(Qt.PenStyle.NoPen)
        if look.name == "light":
            painter.setBrush(QColor(look.edge).lighter(140))
            painter.drawRoundedRect(note.translated(2, 3), 6, 6)
        painter.setBrush(look.note_fill(card.storyteller))
        painter.drawRoundedRect(note, 6, 6)
        band = look.note_band(card.storyteller)
        if band is not None:
            painter.fillRect(QRectF(0, 0, NOTE_W, 6), band)
        if self.isSelected():
            pen = QPen(QColor(look.accent), 3)
        else:
            pen = QPen(QColor(look.edge), 2 if look.high_contrast else 1)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(note.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if self.current:
            ring = QPen(QColor(look.accent), 2, Qt.PenStyle.DashLine)
            painter.setPen(ring)
            painter.drawRoundedRect(note.adjusted(-3.5, -3.5, 3.5, 3.5), 8, 8)

        small = _small(self.font)
        line = QFontMetricsF(small).height()
        inner = note.adjusted(PAD, PAD + (4 if band is not None else 0), -PAD, -PAD)
        words = QRectF(inner.left(), inner.top(), inner.width(), inner.height() - 2 * line - 6)
        if self._shown is None:
            self._shown = elided_wrapped(card.text, self.font, words.width(), words.height())
        painter.setFont(self.font)
        painter.setPen(QColor(look.ink))
        painter.drawText(
            words, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), self._shown
        )

        who = QRectF(inner.left(), inner.bottom() - 2 * line, inner.width(), line)
        bold = QFont(small)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(look.ink))
        metrics = QFontMetricsF(bold)
        painter.drawText(
            who,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(
                f"{card.pseudonym} · {card.source}", Qt.TextElideMode.ElideRight, who.width()
            ),
        )
        whose = QRectF(inner.left(), inner.bottom() - line, inner.width(), line)
        mark = QFont(small)
        mark.setItalic(card.theirs)
        painter.setFont(mark)
        painter.setPen(QColor(look.accent_text if card.theirs else look.soft_ink))
        painter.drawText(
            whose,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            QFontMetricsF(mark).elidedText(
                ("❝ " if card.theirs else "") + card.whose,
                Qt.TextElideMode.ElideRight,
                whose.width(),
            ),
        )

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # the scene says "open it in its story"


class ThemeRegion(QGraphicsItem):
    """A theme: a coloured region with its name, a line of its description and how many notes
    it holds. Its notes are separate items laid out on it. Only the label takes the pointer
    (to choose the theme, drag it elsewhere, or double-click to change it): a press on the
    rest of the region starts a rubber band, to choose notes inside it."""

    def __init__(
        self, patch: ThemePatch, size: tuple[float, float], look: BoardLook, font: QFont
    ) -> None:
        super().__init__()
        self.patch = patch
        self.look = look
        self.font = font
        self.width, self.height = size
        self.drop_target = False
        self.current = False
        self.notes: list[NoteItem] = []
        self._pressed: QPointF | None = None
        self._start = QPointF()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        tip = patch.name + (f"\n{patch.description}" if patch.description else "")
        self.setToolTip(tip)
        self.setCursor(Qt.CursorShape.SizeAllCursor)

    def boundingRect(self) -> QRectF:
        return QRectF(-4, -4, self.width + 8, self.height + 8)

    def label_rect(self) -> QRectF:
        return QRectF(0, 0, self.width, LABEL_H)

    def area(self) -> QRectF:
        """Where a note let go joins this theme (in the scene)."""
        return QRectF(self.pos(), QRectF(0, 0, self.width, self.height).size())

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.label_rect())
        return path

    def set_drop_target(self, on: bool) -> None:
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def set_current(self, current: bool) -> None:
        if current != self.current:
            self.current = current
            self.update()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        patch, look = self.patch, self.look
        whole = QRectF(0, 0, self.width, self.height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(look.region_fill(patch.colour))
        if self.isSelected() or self.drop_target:
            pen = QPen(
                QColor(look.accent),
                3,
                Qt.PenStyle.DashLine if self.drop_target else Qt.PenStyle.SolidLine,
            )
        else:
            pen = QPen(look.region_edge(patch.colour), 2)
        painter.setPen(pen)
        painter.drawRoundedRect(whole.adjusted(1, 1, -1, -1), 14, 14)
        if self.current:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(look.accent), 2, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(whole.adjusted(-3, -3, 3, 3), 16, 16)
        # The label: a band of the theme's own colour.
        label = self.label_rect().adjusted(2, 2, -2, 0)
        painter.save()
        clip = QPainterPath()
        clip.addRoundedRect(whole.adjusted(2, 2, -2, -2), 13, 13)
        painter.setClipPath(clip)
        painter.fillRect(label, QColor(look.paper) if look.high_contrast else QColor(patch.colour))
        painter.restore()

        name_font = QFont(self.font)
        name_font.setBold(True)
        if name_font.pointSizeF() > 0:
            name_font.setPointSizeF(name_font.pointSizeF() * 1.1)
        small = _small(self.font)
        ink = QColor(look.ink) if look.high_contrast else QColor(palette.BOARD["light"]["ink"])
        inner = label.adjusted(REGION_PAD, 6, -REGION_PAD, -4)
        count = EMPTY_THEME_COUNT if not patch.count else _notes(patch.count)
        small_metrics = QFontMetricsF(small)
        count_w = small_metrics.horizontalAdvance(count) + 4
        name_h = QFontMetricsF(name_font).height()
        painter.setPen(ink)
        painter.setFont(name_font)
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width() - count_w - 8, name_h),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            QFontMetricsF(name_font).elidedText(
                patch.name, Qt.TextElideMode.ElideRight, inner.width() - count_w - 8
            ),
        )
        painter.setFont(small)
        painter.drawText(
            QRectF(inner.right() - count_w, inner.top(), count_w, name_h),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            count,
        )
        if patch.description:
            painter.drawText(
                QRectF(
                    inner.left(), inner.top() + name_h + 2, inner.width(), small_metrics.height()
                ),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                small_metrics.elidedText(
                    patch.description, Qt.TextElideMode.ElideRight, inner.width()
                ),
            )
        if not patch.count:
            painter.setFont(self.font)
            painter.setPen(QColor(look.soft_ink) if not look.high_contrast else QColor(look.ink))
            painter.drawText(
                QRectF(REGION_PAD, LABEL_H, self.width - 2 * REGION_PAD, self.height - LABEL_H),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                EMPTY_THEME,
            )

    # -- the label dragged moves the region (and its notes) --------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = event.scenePos()
            self._start = self.pos()
            event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._pressed is None:
            return
        target = self._start + (event.scenePos() - self._pressed)
        step = target - self.pos()
        self.setPos(target)
        for note in self.notes:
            note.moveBy(step.x(), step.y())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self._pressed is not None and self.pos() != self._start:
            scene: BoardScene = self.scene()  # type: ignore[assignment]
            scene.region_moved(self)
        self._pressed = None


EMPTY_THEME_COUNT = "empty"


# --- where things go on the board ---------------------------------------------------------------


def columns_for(count: int) -> int:
    if count <= 1:
        return 1
    if count <= 6:
        return 2
    if count <= 15:
        return 3
    return 4


def region_size(count: int) -> tuple[float, float]:
    columns = columns_for(count)
    rows = -(-count // columns) if count else 0
    width = 2 * REGION_PAD + columns * NOTE_W + (columns - 1) * GAP
    body = rows * NOTE_H + max(0, rows - 1) * GAP + REGION_PAD if rows else EMPTY_H
    return (max(width, REGION_MIN_W), LABEL_H + body + (REGION_PAD if rows else 0))


def note_places(origin: QPointF, count: int) -> list[QPointF]:
    """Where a region's notes go, in order, left to right and down."""
    columns = columns_for(count)
    used = columns * NOTE_W + (columns - 1) * GAP
    left = origin.x() + max(REGION_PAD, (region_size(count)[0] - used) / 2)
    return [
        QPointF(
            left + (n % columns) * (NOTE_W + GAP),
            origin.y() + LABEL_H + (n // columns) * (NOTE_H + GAP),
        )
        for n in range(count)
    ]


def place_regions(wanted: Sequence[tuple[float, float, float, float]]) -> list[QRectF]:
    """Each theme's region at its place; one that would cover a region placed before it
    moves down, below that one (on screen only: the theme keeps its place until dragged)."""
    placed: list[QRectF] = []
    for x, y, width, height in wanted:
        rect = QRectF(x, y, width, height)
        moved = True
        while moved:
            moved = False
            for other in placed:
                if rect.intersects(
                    other.adjusted(-THEME_GAP / 2, -THEME_GAP / 2, THEME_GAP / 2, THEME_GAP / 2)
                ):
                    rect.moveTop(other.bottom() + THEME_GAP)
                    moved = True
        placed.append(rect)
    return placed


def free_spots(
    wanted: Iterable[tuple[float, float]], regions: Sequence[QRectF]
) -> tuple[list[QPointF | None], set[int]]:
    """Each unsorted note at its own place, unless that place is in a theme's region or
    another note got there first (notes marked while reading all start at one place): those
    are given ``None``, to go on the shelf."""
    taken: set[tuple[int, int]] = set()
    spots: list[QPointF | None] = []
    shelved: set[int] = set()
    for number, (x, y) in enumerate(wanted):
        note = QRectF(x, y, NOTE_W, NOTE_H)
        cell = (round(x / 24), round(y / 24))
        if cell in taken or any(note.intersects(r) for r in regions):
            spots.append(None)
            shelved.add(number)
            continue
        taken.add(cell)
        spots.append(QPointF(x, y))
    return spots, shelved
