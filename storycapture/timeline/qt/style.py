"""The timeline picture's colours, fonts and small glyphs (a lifebuoy for help-seeking, a lock
for private), all drawn with QPainter so they scale and need no image files.

Feelings run from a soft blue for hard times to a warm gold for good ones, through a warm sand
for "in between": never red and green, which read as a verdict on someone's life.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        a.alphaF() + (b.alphaF() - a.alphaF()) * t,
    )


@dataclass(frozen=True)
class Colours:
    paper: QColor
    ink: QColor
    soft_ink: QColor
    hairline: QColor
    accent: QColor
    card: QColor
    scale: tuple[QColor, ...]  # the seven feelings, −3 to +3
    dark: bool = False

    def feeling(self, valence: float) -> QColor:
        """The colour of a feeling from −3 (soft blue) through 0 (sand) to +3 (warm gold)."""
        v = max(-3.0, min(3.0, valence)) + 3
        low = min(int(v), 5)
        return _mix(self.scale[low], self.scale[low + 1], v - low)

    def band_wash(self, valence: float) -> QColor:
        return _mix(self.paper, self.feeling(valence), 0.10 if not self.dark else 0.14)

    def lane_wash(self, index: int) -> QColor:
        return self.paper if index % 2 == 0 else _mix(self.paper, self.hairline, 0.35)

    def bar_fill(self, valence: float) -> QColor:
        return _mix(self.feeling(valence), self.paper, 0.35)

    def mix(self, a: QColor, b: QColor, t: float) -> QColor:
        return _mix(a, b, t)


def _colours(names: str) -> tuple[QColor, ...]:
    return tuple(QColor(name) for name in names.split())


LIGHT = Colours(
    paper=QColor("#fbf7f1"),
    ink=QColor("#2f2a26"),
    soft_ink=QColor("#6b615a"),
    hairline=QColor("#e4d8ca"),
    accent=QColor("#c2703d"),
    card=QColor("#fffdf9"),
    # Blues that stay blue down to "a bit hard" (a plain mix would go grey), then sand, then
    # golds that warm up towards "very good".
    scale=tuple(
        QColor(c)
        for c in ("#6a8ec4", "#86a6d0", "#a9c0da", "#d3c6b0", "#e6cd8c", "#e7b85a", "#e0a138")
    ),
)
DARK = Colours(
    paper=QColor("#2a2420"),
    ink=QColor("#f2e8dc"),
    soft_ink=QColor("#c7b7a8"),
    hairline=QColor("#4a3f37"),
    accent=QColor("#e3a06f"),
    card=QColor("#342c27"),
    scale=tuple(
        QColor(c)
        for c in ("#5f86bd", "#7497c4", "#8ea6c2", "#9c8e7b", "#c4a766", "#d3a44a", "#d9a03a")
    ),
    dark=True,
)


def colours_for(palette: QPalette | None = None) -> Colours:
    """The light colours, or their dark twin when the window's theme is dark."""
    if palette is None:
        app = QGuiApplication.instance()
        palette = QGuiApplication.palette() if app is not None else None
    if palette is not None and palette.color(QPalette.ColorRole.Window).lightness() < 110:
        return DARK
    return LIGHT


@dataclass
class PaintKit:
    """What every item paints with: colours, fonts and their metrics, the thumbnail source,
    and the part of the scene in view (long bars keep their label in sight)."""

    colours: Colours = field(default_factory=colours_for)
    font: QFont = field(default_factory=QFont)
    small_font: QFont = field(default_factory=QFont)
    bold_font: QFont = field(default_factory=QFont)
    thumbnail: Callable[[str], QPixmap | None] = field(default=lambda _uuid: None)
    visible_x0: float = 0.0
    visible_x1: float = 1e9
    view_height: float = 500.0

    def __post_init__(self) -> None:
        base = QGuiApplication.font() if QGuiApplication.instance() is not None else QFont()
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        self.font = QFont(base)
        self.font.setPointSizeF(max(8.5, size * 0.92))
        self.small_font = QFont(base)
        self.small_font.setPointSizeF(max(7.5, size * 0.8))
        self.bold_font = QFont(self.font)
        self.bold_font.setWeight(QFont.Weight.DemiBold)
        self.metrics = QFontMetricsF(self.font)
        self.small_metrics = QFontMetricsF(self.small_font)

    def text_width(self, text: str) -> float:
        return self.metrics.horizontalAdvance(text)

    def small_width(self, text: str) -> float:
        return self.small_metrics.horizontalAdvance(text)


def draw_lifebuoy(painter: QPainter, centre: QPointF, radius: float, colours: Colours) -> None:
    """A small lifebuoy: the mark of a moment when someone sought help."""
    outer = QPainterPath()
    outer.addEllipse(centre, radius, radius)
    inner = QPainterPath()
    inner.addEllipse(centre, radius * 0.5, radius * 0.5)
    ring = outer.subtracted(inner)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colours.accent)
    painter.drawPath(ring)
    painter.setBrush(QColor("#ffffff") if not colours.dark else colours.paper)
    box = QRectF(centre.x() - radius, centre.y() - radius, radius * 2, radius * 2)
    for start in (22.5, 112.5, 202.5, 292.5):
        wedge = QPainterPath(centre)
        wedge.arcTo(box, start, 45)
        wedge.closeSubpath()
        painter.drawPath(wedge.intersected(ring))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(colours.accent.darker(125), 1.0))
    painter.drawPath(ring)
    painter.restore()


def draw_lock(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    """A small padlock: this moment is private and never leaves the laptop."""
    painter.save()
    w, h = rect.width(), rect.height()
    body = QRectF(rect.left() + w * 0.12, rect.top() + h * 0.45, w * 0.76, h * 0.55)
    shackle = QPainterPath()
    left, right = rect.left() + w * 0.28, rect.left() + w * 0.72
    shackle.moveTo(left, body.top())
    shackle.lineTo(left, rect.top() + h * 0.3)
    shackle.arcTo(QRectF(left, rect.top(), right - left, h * 0.5), 180, -180)
    shackle.lineTo(right, body.top())
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(colour, max(1.2, w * 0.13)))
    painter.drawPath(shackle)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    painter.drawRoundedRect(body, w * 0.12, w * 0.12)
    painter.restore()


_GLYPHS: dict[tuple[str, int, int, float, bool], QPixmap] = {}


def draw_glyph(
    painter: QPainter, kind: str, rect: QRectF, colours: Colours, colour: QColor | None = None
) -> None:
    """Draw the "lifebuoy" or "lock" glyph into ``rect`` from a small pixmap drawn once per
    size and colour (painting their curves afresh on every repaint is what costs)."""
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    tint = colour or colours.soft_ink
    key = (kind, round(rect.width() * 4), tint.rgba(), ratio, colours.dark)
    pixmap = _GLYPHS.get(key)
    if pixmap is None:
        width = max(1, math.ceil(rect.width() * ratio))
        height = max(1, math.ceil(rect.height() * ratio))
        pixmap = QPixmap(width, height)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        inner = QPainter(pixmap)
        inner.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        size = QRectF(0, 0, rect.width(), rect.height())
        if kind == "lifebuoy":
            draw_lifebuoy(inner, size.center(), min(size.width(), size.height()) / 2 - 0.5, colours)
        else:
            draw_lock(inner, size, tint)
        inner.end()
        _GLYPHS[key] = pixmap
    painter.drawPixmap(rect.topLeft(), pixmap)
