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

from storycapture.qtkit.looks import checked_look, look_of
from storycapture.qtkit.palette import FEELINGS, TIMELINE, WHITE
from storycapture.timeline.layout import SIZES, Sizes

_MEMO_LIMIT = 4096


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
    """The colours of one look. Text is drawn in ``ink`` on ``paper``, ``card``, the band
    washes and the bars; ``soft_ink`` on ``paper`` and ``card``; ``selection_ink`` on
    ``selection`` (a chosen row) and ``chosen_ink`` on ``chosen`` (a chosen button)."""

    paper: QColor
    ink: QColor
    soft_ink: QColor
    hairline: QColor
    accent: QColor
    card: QColor
    scale: tuple[QColor, ...]  # the seven feelings, −3 to +3
    edge: QColor  # a card's border
    control_edge: QColor  # the border of a toolbar button or a moment waiting in the tray
    selection: QColor  # the chosen row in the list
    selection_ink: QColor
    selection_edge: QColor  # the edge round the chosen row (3:1 on the list)
    chosen: QColor  # a checked toolbar button, the chosen moment in the tray
    chosen_ink: QColor
    hover: QColor
    handle: QColor  # a scroll bar's handle, and under the pointer
    handle_hover: QColor
    dark: bool = False
    name: str = "light"  # "light", "dark" or "high-contrast"
    band_strength: float = 0.10  # how much of the feeling's colour tints its band
    lane_strength: float = 0.35  # how much hairline shades every other lane
    bar_strength: float = 0.35  # how much of the paper a bar's colour is softened with
    # Colours worked out from a feeling, kept: a zoom step asks for hundreds of them, and an
    # edge colour is found by trying up to 21 mixes for contrast.
    _memo: dict[tuple[str, float | None], QColor] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def _kept(self, what: str, valence: float | None, make: Callable[[], QColor]) -> QColor:
        """A copy of the colour ``make`` gives for ``what`` of ``valence``, made once."""
        key = (what, valence)
        colour = self._memo.get(key)
        if colour is None:
            colour = make()
            if len(self._memo) >= _MEMO_LIMIT:  # mean feelings of clusters are many
                self._memo.clear()
            self._memo[key] = colour
        return QColor(colour)  # a copy: callers may set its alpha

    @property
    def high_contrast(self) -> bool:
        return self.name == "high-contrast"

    def feeling(self, valence: float | None) -> QColor:
        """The colour of a feeling from −3 (soft blue) through 0 (sand) to +3 (warm gold); a
        feeling not said (None) is a plain grey, no colour of any feeling."""
        return self._kept("feeling", valence, lambda: self._feeling(valence))

    def _feeling(self, valence: float | None) -> QColor:
        if valence is None:
            return _mix(self.paper, self.soft_ink, 0.6)
        v = max(-3.0, min(3.0, valence)) + 3
        low = min(int(v), 5)
        return _mix(self.scale[low], self.scale[low + 1], v - low)

    def feeling_edge(self, valence: float | None) -> QColor:
        """The feeling's colour deepened towards the ink until it shows on the paper, its band
        and a shaded lane at 3:1 (4.5:1 in high contrast), as the edge of a dot, the core of a
        fuzzy date and the rim of a bar must (WCAG 1.4.11). A feeling not said: the soft ink."""
        return self._kept("edge", valence, lambda: self._feeling_edge(valence))

    def _feeling_edge(self, valence: float | None) -> QColor:
        if valence is None:
            return self.soft_ink
        colour = self.feeling(valence)
        least = (4.5 if self.high_contrast else 3.0) + 0.4  # a little over: antialiasing
        grounds = (self.paper, self.band_wash(valence), self.lane_wash(1))
        for step in range(21):
            edge = _mix(colour, self.ink, step / 20)
            if min(contrast(edge, ground) for ground in grounds) >= least:
                return edge
        return QColor(self.ink)

    def band_wash(self, valence: float | None) -> QColor:
        # A moment whose feeling is not said sits on the "in between" band.
        return self._kept(
            "wash",
            valence,
            lambda: _mix(self.paper, self.feeling(valence or 0), self.band_strength),
        )

    def lane_wash(self, index: int) -> QColor:
        return self.paper if index % 2 == 0 else _mix(self.paper, self.hairline, self.lane_strength)

    def bar_fill(self, valence: float | None) -> QColor:
        return self._kept(
            "bar", valence, lambda: _mix(self.feeling(valence), self.paper, self.bar_strength)
        )

    def disc_fill(self, valence: float | None) -> QColor:
        """The fill of a cluster's numbered disc (its count is written on it in ``ink``)."""
        return self._kept(
            "disc", valence, lambda: _mix(self.feeling(valence), self.card, self.bar_strength)
        )

    def mix(self, a: QColor, b: QColor, t: float) -> QColor:
        return _mix(a, b, t)


def contrast(first: QColor, second: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours."""

    def luminance(colour: QColor) -> float:
        red, green, blue = (
            v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
            for v in (colour.redF(), colour.greenF(), colour.blueF())
        )
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _colours(*names: str) -> tuple[QColor, ...]:
    return tuple(QColor(name) for name in names)


def _look(name: str, **kwargs: object) -> Colours:
    """The colours of look ``name`` from ``qtkit.palette``: a chosen button is the accent
    softened into a card, and a button under the pointer the hairline softened, unless the
    palette names them outright (high contrast)."""
    c = TIMELINE[name]
    card, accent, hairline = QColor(c["card"]), QColor(c["accent"]), QColor(c["hairline"])
    return Colours(
        paper=QColor(c["paper"]),
        ink=QColor(c["ink"]),
        soft_ink=QColor(c["soft_ink"]),
        hairline=hairline,
        accent=accent,
        card=card,
        scale=_colours(*FEELINGS[name]),
        edge=QColor(c["edge"]),
        control_edge=QColor(c["control_edge"]),
        selection=QColor(c["selection"]),
        selection_ink=QColor(c["selection_ink"]),
        selection_edge=QColor(c["selection_edge"]),
        chosen=QColor(c["chosen"]) if "chosen" in c else _mix(accent, card, 0.72),
        chosen_ink=QColor(c["chosen_ink"]),
        hover=QColor(c["hover"]) if "hover" in c else _mix(hairline, card, 0.4),
        handle=QColor(c["handle"]),
        handle_hover=QColor(c["handle_hover"]),
        name=name,
        dark=name != "light",
        **kwargs,  # type: ignore[arg-type]
    )


LIGHT = _look("light")
DARK = _look(
    "dark",
    band_strength=0.14,
    bar_strength=0.55,  # the bars' words are cream: the bars stay deep enough to read them on
)
# Black paper, white ink, one yellow; the feelings are still blue for hard and gold for good,
# bright enough to stand out on black, and bars and bands are their deep shades, so white words
# read on them at 7:1 and more.
HIGH_CONTRAST = _look("high-contrast", band_strength=0.2, lane_strength=0.3, bar_strength=0.62)
THEME_COLOURS: dict[str, Colours] = {"light": LIGHT, "dark": DARK, "high-contrast": HIGH_CONTRAST}


def colours_for(palette: QPalette | None = None, theme: str | None = None) -> Colours:
    """The colours of ``theme`` ("light", "dark" or "high-contrast"); without one, of the look
    ``palette`` belongs to (the application's palette when none is given)."""
    return THEME_COLOURS[checked_look(theme) if theme is not None else look_of(palette)]


@dataclass
class PaintKit:
    """What every item paints with: colours, fonts and their metrics, the sizes of the cards,
    bars and bands (``timeline.layout.Sizes``), the thumbnail source, and the part of the scene
    in view (long bars keep their label in sight).

    ``scale`` is how large the picture is drawn: 1 normally, ``LARGE`` in storyteller mode,
    where the words and everything that holds them are half as large again.

    ``paper`` is for a PDF or a printer: glyphs and discs are drawn as shapes rather than kept
    pictures (a picture would print as a blurred bitmap), and fades are mixed with the feeling's
    band beneath rather than made see-through, since PDF engines and printers flatten a
    gradient's changing transparency unevenly (Qt's PDF writer paints it solid). It is for the
    Lifeline, whose items each sit in their own feeling's band."""

    colours: Colours = field(default_factory=colours_for)
    font: QFont = field(default_factory=QFont)
    small_font: QFont = field(default_factory=QFont)
    bold_font: QFont = field(default_factory=QFont)
    thumbnail: Callable[[str], QPixmap | None] = field(default=lambda _uuid: None)
    visible_x0: float = 0.0
    visible_x1: float = 1e9
    view_height: float = 500.0
    scale: float = 1.0
    sizes: Sizes = field(default=SIZES)
    paper: bool = False

    def __post_init__(self) -> None:
        self.set_scale(self.scale)

    def set_scale(self, scale: float) -> None:
        """Draw the picture ``scale`` times its normal size: fonts and sizes alike."""
        self.scale = scale
        self.sizes = SIZES if scale == 1.0 else Sizes(scale)
        base = QGuiApplication.font() if QGuiApplication.instance() is not None else QFont()
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        self.font = QFont(base)
        self.font.setPointSizeF(max(8.5, size * 0.92) * scale)
        self.small_font = QFont(base)
        self.small_font.setPointSizeF(max(7.5, size * 0.8) * scale)
        self.bold_font = QFont(self.font)
        self.bold_font.setWeight(QFont.Weight.DemiBold)
        self.metrics = QFontMetricsF(self.font)
        self.small_metrics = QFontMetricsF(self.small_font)

    def px(self, pixels: float) -> float:
        """A length of the normal picture, at this one's size."""
        return pixels * self.scale

    def text_width(self, text: str) -> float:
        return self.metrics.horizontalAdvance(text)

    def small_width(self, text: str) -> float:
        return self.small_metrics.horizontalAdvance(text)

    def faded(self, colour: QColor, alpha: float, valence: float | None) -> QColor:
        """``colour`` at ``alpha`` over the band of the feeling ``valence``: see-through on
        screen, mixed with the band's wash on ``paper``."""
        if self.paper:
            return _mix(self.colours.band_wash(valence), colour, alpha)
        faded = QColor(colour)
        faded.setAlphaF(alpha)
        return faded


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
    painter.setBrush(QColor(WHITE) if colours.high_contrast or not colours.dark else colours.paper)
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


_GLYPHS: dict[tuple[str, int, int, float, str], QPixmap] = {}


def draw_glyph(
    painter: QPainter, kind: str, rect: QRectF, colours: Colours, colour: QColor | None = None
) -> None:
    """Draw the "lifebuoy" or "lock" glyph into ``rect`` from a small pixmap drawn once per
    size and colour (painting their curves afresh on every repaint is what costs)."""
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    tint = colour or colours.soft_ink
    key = (kind, round(rect.width() * 4), tint.rgba(), ratio, colours.name)
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


def draw_glyph_shapes(
    painter: QPainter, kind: str, rect: QRectF, colours: Colours, colour: QColor | None = None
) -> None:
    """The glyph of ``draw_glyph`` drawn as shapes, for paper (a pixmap would print blurred)."""
    painter.save()
    if kind == "lifebuoy":
        draw_lifebuoy(painter, rect.center(), min(rect.width(), rect.height()) / 2 - 0.5, colours)
    else:
        draw_lock(painter, rect, colour or colours.soft_ink)
    painter.restore()
