"""Graphics items that draw one piece of the timeline layout each.

An item holds the layout element it draws (a frozen value from ``timeline.layout``) and
nothing else: the scene replaces that value whenever the story or the zoom changes. Items never
change the story themselves; the view turns gestures on them into edits through the tool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from storycapture.domain.story import TimelineEvent
from storycapture.domain.vocabulary import feeling_phrase
from storycapture.timeline.layout import (
    TIED_EXPLANATION,
    Cluster,
    CurveSegment,
    EventMark,
    PeriodBar,
    PlacedEvent,
    Strip,
    is_private,
    movable_in_time,
    seeks_help,
)
from storycapture.timeline.qt.style import Colours, PaintKit, draw_glyph, draw_glyph_shapes

# Sizes of the normal picture; the kit's ``px`` gives them at the size it is drawn.
MAX_TITLE_PX = 190.0
THUMB = 22.0
_PAD = 8.0
_STRIPE = 5.0
_GLYPH = 13.0
_RADIUS = 8.0  # a card's corners

_DISCS: dict[tuple[float, ...], QPixmap] = {}

# Stacking order, bottom to top.
Z_STRIP, Z_BAR, Z_CURVE, Z_CLUSTER, Z_EVENT, Z_CHOSEN, Z_HINT = 1, 2, 3, 4, 5, 9, 20


def card_width(kit: PaintKit, event: TimelineEvent, has_photo: bool) -> float:
    """How wide an event's card is: its title (up to a limit), a thumbnail, its markers."""
    px = kit.px
    title = min(px(MAX_TITLE_PX), kit.text_width(event.title))
    width = px(_PAD + _STRIPE + 6) + title + px(_PAD)
    if has_photo:
        width += px(THUMB + 6)
    if seeks_help(event):
        width += px(_GLYPH + 4)
    if is_private(event):
        width += px(_GLYPH)
    return width


def describe_event(event: TimelineEvent) -> str:
    """The event in one line for a tooltip or a screen reader."""
    parts = [event.title, event.when(), feeling_phrase(event.valence)]
    parts.append(event.life_area.label)
    if seeks_help(event):
        parts.append("asking for help")
    if is_private(event):
        parts.append("private")
    return " · ".join(parts)


def tooltip_for(event: TimelineEvent) -> str:
    """What the picture says about an event under the pointer, and how it can be moved."""
    text = describe_event(event)
    if not movable_in_time(event):
        text += "\n" + TIED_EXPLANATION.format(when=event.when(), what="how it felt or its lane")
    return text


def _glyph(
    painter: QPainter, kind: str, rect: QRectF, kit: PaintKit, tint: QColor | None = None
) -> None:
    """A lifebuoy or a lock: from its kept picture on screen, as shapes on paper."""
    if kit.paper:
        draw_glyph_shapes(painter, kind, rect, kit.colours, tint)
    else:
        draw_glyph(painter, kind, rect, kit.colours, tint)


def stack(item: QGraphicsItem, level: float, tie: float) -> None:
    """Put an item that is never chosen at ``level`` plus its ``tie`` (see ``set_tie``)."""
    if item.zValue() != level + tie:
        item.setZValue(level + tie)


PICTURE_LIMIT = 360.0  # px wide: well inside any view the tool is shown in


def keep_picture(item: QGraphicsItem, bounds: QRectF, kit: PaintKit) -> None:
    """Let an item keep its last picture (repainting an unchanged view is then a copy) when it
    fits well inside the view. A picture kept of an item larger than the view covers only the
    part that was in view and goes stale as the view moves, so those are painted afresh."""
    small = bounds.width() <= PICTURE_LIMIT and bounds.height() <= 0.8 * kit.view_height
    cache = QGraphicsItem.CacheMode
    mode = cache.DeviceCoordinateCache if small else cache.NoCache
    if item.cacheMode() != mode:
        item.setCacheMode(mode)


class CardFace:
    """A card's look, worked out once: where its thumbnail, words and markers go. Events and
    short periods both wear one."""

    def __init__(self, kit: PaintKit, placed: PlacedEvent, card: QRectF) -> None:
        colours = kit.colours
        px = kit.px
        self.rect = card
        self.colour = colours.feeling(placed.valence)
        self.uuid = placed.uuid
        self.seeks_help = placed.seeks_help
        self.stripe = px(_STRIPE)
        self.radius = px(_RADIUS)
        x = card.left() + px(_STRIPE + 6)
        self.thumb_rect: QRectF | None = None
        if kit.thumbnail(placed.uuid) is not None:
            thumb = px(THUMB)
            self.thumb_rect = QRectF(x, card.top() + (card.height() - thumb) / 2, thumb, thumb)
            x += px(THUMB + 6)
        right = card.right() - px(_PAD)
        middle = card.center().y()
        self.glyphs: list[tuple[str, QRectF, QColor | None]] = []
        if placed.private:
            lock = QRectF(right - px(10), middle - px(6.5), px(10), px(12))
            self.glyphs.append(("lock", lock, colours.soft_ink))
            right -= px(_GLYPH)
        if placed.seeks_help:
            buoy = QRectF(right - px(13), middle - px(6.5), px(13), px(13))
            self.glyphs.append(("lifebuoy", buoy, None))
            right -= px(_GLYPH + 4)
        self.text_rect = QRectF(x, card.top(), max(0.0, right - x), card.height())
        self.title = kit.metrics.elidedText(
            placed.event.title, Qt.TextElideMode.ElideRight, self.text_rect.width()
        )
        self.stem = colours.mix(self.colour, colours.ink, 0.25)

    def paint(
        self, painter: QPainter, kit: PaintKit, chosen: bool, stem_x: float, stem_to: float
    ) -> None:
        """The card, and a stem from its bottom down to its mark or bar at ``stem_x``."""
        colours = kit.colours
        card = self.rect
        radius, stripe = self.radius, self.stripe
        stem_x = max(card.left() + radius - 2, min(stem_x, card.right() - radius + 2))
        painter.setPen(QPen(self.stem, 1.2))
        painter.drawLine(QPointF(stem_x, card.bottom()), QPointF(stem_x, stem_to))
        if chosen:
            shadow = QColor(colours.ink)
            shadow.setAlphaF(0.14)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(shadow)
            painter.drawRoundedRect(card.translated(0, 2.5), radius, radius)
        # The feeling as a stripe down the card's left edge: the card in the feeling's colour,
        # then its paper laid over all but that edge.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawRoundedRect(card, radius, radius)
        painter.setBrush(colours.card)
        painter.drawRoundedRect(card.adjusted(stripe, 0, 0, 0), radius, radius)
        painter.drawRect(QRectF(card.left() + stripe, card.top(), radius + 2, card.height()))
        if chosen:
            border = QPen(colours.ink, 2.0)
        elif self.seeks_help:
            border = QPen(colours.accent, 1.8)
        else:
            border = QPen(colours.edge, 1.5)  # wherever it falls, a pixel shows it whole
        painter.setPen(border)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(card, radius, radius)
        if self.thumb_rect is not None:
            thumb = kit.thumbnail(self.uuid)
            if thumb is not None and not thumb.isNull():
                painter.drawPixmap(self.thumb_rect, thumb, QRectF(thumb.rect()))
        for kind, rect, tint in self.glyphs:
            _glyph(painter, kind, rect, kit, tint)
        painter.setFont(kit.font)
        painter.setPen(colours.ink)
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(self.text_rect, flags, self.title)


class StoryItem(QGraphicsItem):
    """Base of the items that stand for events: they know the event's id, nothing more."""

    def __init__(self, kit: PaintKit) -> None:
        super().__init__()
        self._kit = kit
        self._chosen = False
        self._tie = 0.0  # its place among items of the same kind (see ``set_tie``)
        self._bounds = QRectF()
        self._face: CardFace | None = None

    @property
    def uuid(self) -> str:
        raise NotImplementedError

    @property
    def face(self) -> CardFace | None:
        """Its card (where its title and markers go), if it has one at this zoom."""
        return self._face

    @property
    def chosen(self) -> bool:
        return self._chosen

    def set_chosen(self, chosen: bool) -> None:
        if chosen != self._chosen:
            self._chosen = chosen
            self.setZValue(Z_CHOSEN if chosen else self._resting_z())
            self.update()

    def set_tie(self, tie: float) -> None:
        """Its place in the stack among items at the same height: a small fraction of a
        level, in the order the layout gives, so that where items overlap the picture is the
        same however the view came to this zoom."""
        if tie != self._tie:
            self._tie = tie
            self.setZValue(Z_CHOSEN if self._chosen else self._resting_z())

    def _resting_z(self) -> float:
        return Z_EVENT + self._tie

    def boundingRect(self) -> QRectF:
        return self._bounds


class EventItem(StoryItem):
    """A moment: a soft fade across its earliest–latest days (a dot when that is narrower than
    a dot), and its card, joined to the middle of the fade by a short stem.

    Everything a paint needs is worked out when the item gets its mark, and the item keeps its
    last picture (``DeviceCoordinateCache``), so repainting an unchanged picture is a copy."""

    def __init__(self, kit: PaintKit, mark: EventMark) -> None:
        super().__init__(kit)
        self.mark = mark
        self._told: TimelineEvent | None = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(Z_EVENT)  # over the lifeline: its words are never crossed out
        self.set_mark(mark)

    @property
    def uuid(self) -> str:
        return self.mark.uuid

    @property
    def event(self) -> TimelineEvent:
        return self.mark.placed.event

    def set_mark(self, mark: EventMark) -> None:
        self.prepareGeometryChange()
        self.mark = mark
        self.setPos(mark.x, mark.y)
        dot = mark.dot
        inset = 1.5 * dot / 12  # the fade is a little thinner than the dot
        self._fade = QRectF(mark.x0 - mark.x, -dot / 2 + inset, mark.x1 - mark.x0, dot - 2 * inset)
        self._edges: dict[str, QPen] = {}
        self._dot = QRectF(-dot / 2, -dot / 2, dot, dot)
        card = mark.card
        self._card = (
            None
            if card is None
            else QRectF(card.x - mark.x, card.y - mark.y, card.width, card.height)
        )
        bounds = self._dot.adjusted(-4, -4, 4, 4)
        if mark.fuzzy:
            bounds = bounds.united(self._fade.adjusted(-1, -2, 1, 2))
        if self._card is not None:
            bounds = bounds.united(self._card.adjusted(-3, -3, 3, 5))
        self._bounds = bounds
        keep_picture(self, bounds, self._kit)
        self._prepare()
        if self._told is not mark.placed.event:  # a zoom step keeps the event, and its words
            self._told = mark.placed.event
            self.setToolTip(tooltip_for(mark.placed.event))
        self.update()

    def _prepare(self) -> None:
        """Colours, brushes and the card's words, once per mark rather than once per paint."""
        colours = self._kit.colours
        placed = self.mark.placed
        colour = colours.feeling(placed.valence)
        self._colour = colour
        fade = QLinearGradient(self._fade.left(), 0, self._fade.right(), 0)
        # Strongest where it most likely was: the middle, or just after what an "after" names.
        lean = placed.lean
        stops = (0.0, max(0.0, lean - 0.2), min(1.0, lean + 0.2), 1.0)
        for name, ring, strength in (
            # The core shows at 3:1 (the feeling's edge); the ends stay soft.
            ("fill", colours.feeling_edge(placed.valence if placed.feeling_said else 0), 1.0),
            ("chosen", colours.ink, 1.0),
            ("help", colours.accent, 0.7),
        ):
            clear = self._kit.faded(ring, 0.0, placed.valence)
            strong = self._kit.faded(ring, strength, placed.valence)
            gradient = QLinearGradient(fade)
            for at, tint in zip(stops, (clear, strong, strong, clear), strict=True):
                gradient.setColorAt(at, tint)
            if name == "fill":
                self._fade_brush = QBrush(gradient)
            else:
                self._edges[name] = QPen(QBrush(gradient), 1.6 if name == "chosen" else 1.2)
        self._face = None if self._card is None else CardFace(self._kit, placed, self._card)

    @property
    def fade_rect(self) -> QRectF:
        """The fuzzy span in scene coordinates (for tests and for the view's hints)."""
        return self._fade.translated(self.pos())

    @property
    def has_card(self) -> bool:
        return self._card is not None

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # overlapping parts are still inside
        path.addEllipse(self._dot.adjusted(-4, -4, 4, 4))
        if self.mark.fuzzy:
            path.addRect(self._fade.adjusted(0, -3, 0, 3))
        if self._card is not None:
            path.addRect(self._card)
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colours = self._kit.colours
        placed = self.mark.placed
        colour = self._colour
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.mark.fuzzy:
            # Earliest to latest, strongest in the middle: "somewhere in here", never a point.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._fade_brush)
            radius = self._fade.height() / 2
            painter.drawRoundedRect(self._fade, radius, radius)
            if self._chosen or placed.seeks_help:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(self._edges["chosen" if self._chosen else "help"])
                painter.drawRoundedRect(self._fade, radius, radius)
            elif not placed.feeling_said:
                # A feeling not said: a broken edge round it, as round its dot.
                edge = QPen(colours.soft_ink, 1.2)
                edge.setDashPattern([2.0, 2.0])
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(edge)
                painter.drawRoundedRect(self._fade, radius, radius)
        else:
            said = placed.feeling_said
            # A feeling not said: a hollow ring with a broken edge, no colour of any feeling.
            painter.setBrush(colour if said else colours.card)
            if self._chosen:
                pen = QPen(colours.ink, 2.2)
            elif placed.seeks_help:
                pen = QPen(colours.accent, 2.0)
            else:
                pen = QPen(colours.feeling_edge(placed.valence) if said else colours.soft_ink, 1.6)
            if not said:
                pen.setDashPattern([2.0, 1.5])
            painter.setPen(pen)
            painter.drawEllipse(self._dot)
        if self._face is not None:
            self._face.paint(painter, self._kit, self._chosen, 0.0, self._dot.top() + 1)


class PeriodItem(StoryItem):
    """A period: a rounded bar, solid where it surely was, fading across its fuzzy ends."""

    def __init__(self, kit: PaintKit, bar: PeriodBar) -> None:
        super().__init__(kit)
        self.bar = bar
        self._told: TimelineEvent | None = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.set_bar(bar)

    @property
    def uuid(self) -> str:
        return self.bar.uuid

    @property
    def event(self) -> TimelineEvent:
        return self.bar.placed.event

    def _resting_z(self) -> float:
        # A short period wears a card, as a moment does: the lifeline passes under it.
        return (Z_BAR if self.bar.card is None else Z_EVENT) + self._tie

    def set_bar(self, bar: PeriodBar) -> None:
        self.prepareGeometryChange()
        self.bar = bar
        self.setPos(bar.x0, bar.y)
        self.setZValue(Z_CHOSEN if self._chosen else self._resting_z())
        self._rect = QRectF(0, 0, bar.x1 - bar.x0, bar.height)
        card = bar.card
        self._face = (
            None
            if card is None
            else CardFace(
                self._kit,
                bar.placed,
                QRectF(card.x - bar.x0, card.y - bar.y, card.width, card.height),
            )
        )
        # The scene redraws a bar whose words move to stay in sight; others keep a picture.
        keep_picture(self, self._rect, self._kit)
        colours = self._kit.colours
        self._fill = QBrush(self._gradient(colours.bar_fill(bar.placed.valence)))
        self._rim = QBrush(self._gradient(colours.feeling_edge(bar.placed.valence)))
        self._bounds = self._rect.adjusted(-2, -2, 2, 4)
        if self._face is not None:
            self._bounds = self._bounds.united(self._face.rect.adjusted(-3, -3, 3, 5))
        if self._told is not bar.placed.event:  # a zoom step keeps the event, and its words
            self._told = bar.placed.event
            self.setToolTip(tooltip_for(bar.placed.event))
        self.update()

    @property
    def bar_rect(self) -> QRectF:
        return self._rect.translated(self.pos())

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        path.addRect(self._rect)
        if self._face is not None:
            path.addRect(self._face.rect)
        return path

    @property
    def has_card(self) -> bool:
        return self._face is not None

    def _gradient(self, colour: QColor) -> QLinearGradient:
        bar, width = self.bar, max(self._rect.width(), 1.0)
        gradient = QLinearGradient(0, 0, width, 0)
        clear = self._kit.faded(colour, 0.12, bar.placed.valence)
        gradient.setColorAt(0.0, clear)
        gradient.setColorAt(max(0.0, min(1.0, (bar.solid_x0 - bar.x0) / width)), colour)
        gradient.setColorAt(max(0.0, min(1.0, (bar.solid_x1 - bar.x0) / width)), colour)
        gradient.setColorAt(1.0, clear)
        return gradient

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        kit, colours = self._kit, self._kit.colours
        placed = self.bar.placed
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        radius = self._rect.height() / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(self._rect, radius, radius)
        if not (self._chosen or placed.seeks_help):
            # The bar's rim shows it at 3:1 on the paper; its fuzzy ends fade with it.
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self._rim, 1.8))
            painter.drawRoundedRect(self._rect.adjusted(0.9, 0.9, -0.9, -0.9), radius, radius)
        else:
            edge = colours.ink if self._chosen else colours.accent
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QBrush(self._gradient(edge)), 2.0 if self._chosen else 1.6))
            painter.drawRoundedRect(self._rect.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        if self._face is not None:
            self._face.paint(painter, kit, self._chosen, self.bar.x - self.bar.x0, 0.0)
            return
        # Keep the words in sight on a bar longer than the window.
        px = kit.px
        inset = px(8)
        left = max(self.bar.solid_x0, kit.visible_x0) - self.bar.x0 + inset
        right = min(self.bar.x1, kit.visible_x1) - self.bar.x0 - inset
        left = max(inset, min(left, self._rect.width() - inset))
        mid_y = self._rect.center().y()
        if placed.private and right - left > px(20):
            lock = QRectF(left, mid_y - px(5.5), px(9), px(11))
            _glyph(painter, "lock", lock, kit, colours.ink)
            left += px(14)
        if placed.seeks_help and right - left > px(20):
            buoy = QRectF(left, mid_y - px(5.5), px(11), px(11))
            _glyph(painter, "lifebuoy", buoy, kit)
            left += px(15)
        if right - left < px(28):
            return
        painter.setFont(kit.font)
        painter.setPen(colours.ink)
        title = kit.metrics.elidedText(
            placed.event.title, Qt.TextElideMode.ElideRight, right - left
        )
        painter.drawText(
            QRectF(left, 0, right - left, self._rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            title,
        )


class _Looks(NamedTuple):
    """What a cluster's disc and bar look like: the same for every cluster of its count,
    feeling, help and privacy (in one picture size and one set of colours)."""

    tooltip: str
    spread: float  # half the height of its bar
    radius: float
    circle: QRectF  # the disc, about its middle
    spread_colour: QColor
    disc_key: tuple[int, int, int, int, float]  # fill, edge, ink, count, size: its picture
    number: str  # the count, as written on the disc
    colours: Colours


_LOOKS: dict[tuple[object, ...], _Looks] = {}


def _cluster_looks(kit: PaintKit, cluster: Cluster) -> _Looks:
    """A cluster's tooltip, sizes, colours and disc, by what they depend on: worked out once
    for all the clusters that look alike (the kept shapes and colours are never changed)."""
    count = len(cluster.members)
    key: tuple[object, ...] = (count, cluster.private, cluster.mean_valence, cluster.seeks_help)
    key += (kit.scale, id(kit.colours))
    looks = _LOOKS.get(key)
    if looks is None or looks.colours is not kit.colours:  # an id may be another look's later
        r = kit.sizes.cluster_radius(count)
        private = f", {cluster.private} of them private" if cluster.private else ""
        tooltip = f"{count} moments here{private} — click to look closer"
        colours = kit.colours
        colour = colours.feeling(cluster.mean_valence)
        spread_colour = QColor(colour)
        spread_colour.setAlphaF(0.35)
        fill = colours.disc_fill(cluster.mean_valence)
        edge = colours.accent if cluster.seeks_help else colour.darker(130)
        # The disc's size (and its number's) goes with the picture's.
        disc_key = (fill.rgba(), edge.rgba(), colours.ink.rgba(), count, kit.scale)
        circle = QRectF(-r, -r, 2 * r, 2 * r)
        looks = _Looks(tooltip, kit.px(3), r, circle, spread_colour, disc_key, str(count), colours)
        if len(_LOOKS) > 4000:
            _LOOKS.clear()
        _LOOKS[key] = looks
    return looks


@dataclass(frozen=True)
class ClusterHit:
    """A cluster as drawn: what a click or a tap found, or what a test looks at."""

    cluster: Cluster
    radius: float  # its numbered disc's


class ClustersItem(QGraphicsItem):
    """Clusters of one band in a stretch of the picture (``CLUSTER_STRETCH_PX`` wide, fixed to
    the scene): for each, in the layout's order, a faint bar as long as its moments reach and
    a disc with their count. One item draws many (far out, hundreds of clusters move at each
    zoom step: one item each was most of a step). A click on a disc looks closer; the pointer
    over a disc says how many moments it holds."""

    def __init__(self, kit: PaintKit, clusters: tuple[Cluster, ...]) -> None:
        super().__init__()
        self._kit = kit
        self.setZValue(Z_CLUSTER)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAcceptHoverEvents(True)
        self.set_clusters(clusters)

    def set_clusters(self, clusters: tuple[Cluster, ...]) -> None:
        self.prepareGeometryChange()
        self.clusters = clusters
        kit = self._kit
        self._drawn = [(cluster, _cluster_looks(kit, cluster)) for cluster in clusters]
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        for cluster, looks in self._drawn:
            spread, r = looks.spread, looks.radius
            x, y = cluster.x, cluster.y
            # The disc with room for its ring and shadow, and its bar a pixel taller.
            x0 = min(x0, x - r - 3, cluster.x0)
            x1 = max(x1, x + r + 6, cluster.x0 + max(cluster.x1 - cluster.x0, 1))
            y0 = min(y0, y - r - 3, y - spread - 1)
            y1 = max(y1, y + r + 3, y + spread + 1)
        self._bounds = QRectF(x0, y0, x1 - x0, y1 - y0) if clusters else QRectF()
        keep_picture(self, self._bounds, kit)
        self._tooltip = ""
        self.setToolTip("")
        self.update()

    def hits(self) -> list[ClusterHit]:
        return [ClusterHit(cluster, looks.radius) for cluster, looks in self._drawn]

    def cluster_at(self, point: QPointF) -> ClusterHit | None:
        """The cluster whose disc is at ``point`` (scene coordinates), the one on top."""
        for cluster, looks in reversed(self._drawn):
            reach = looks.radius + 3
            dx, dy = point.x() - cluster.x, point.y() - cluster.y
            if dx * dx + dy * dy <= reach * reach:
                return ClusterHit(cluster, looks.radius)
        return None

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        for cluster, looks in self._drawn:
            path.addEllipse(looks.circle.adjusted(-3, -3, 3, 3).translated(cluster.x, cluster.y))
        return path

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._say(self.cluster_at(event.scenePos()))
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._say(self.cluster_at(event.scenePos()))
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._say(None)
        super().hoverLeaveEvent(event)

    def _say(self, hit: ClusterHit | None) -> None:
        """The tooltip of the disc under the pointer (none, off every disc)."""
        tooltip = "" if hit is None else _cluster_looks(self._kit, hit.cluster).tooltip
        if tooltip != self._tooltip:
            self._tooltip = tooltip
            self.setToolTip(tooltip)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        paper = self._kit.paper  # shapes and words, not pictures, which would print blurred
        for cluster, looks in self._drawn:
            x, y = cluster.x, cluster.y
            spread = looks.spread
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(looks.spread_colour)
            painter.drawRoundedRect(
                QRectF(cluster.x0, y - spread, max(cluster.x1 - cluster.x0, 1), 2 * spread), 3, 3
            )
            circle = looks.circle.translated(x, y)
            if paper:
                self._draw_disc(painter, circle, looks)
            else:
                painter.drawPixmap(circle.topLeft() - QPointF(1, 1), self._disc(painter, looks))

    def _draw_disc(self, painter: QPainter, circle: QRectF, looks: _Looks) -> None:
        fill, edge, ink = (QColor.fromRgba(int(v)) for v in looks.disc_key[:3])
        painter.setBrush(fill)
        painter.setPen(QPen(edge, 1.6))
        painter.drawEllipse(circle)
        painter.setFont(self._kit.bold_font)
        painter.setPen(ink)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, looks.number)

    def _disc(self, painter: QPainter, looks: _Looks) -> QPixmap:
        """A numbered disc, drawn once per colour and count: hundreds of clusters share a
        few dozen pictures."""
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        key = (*looks.disc_key, ratio)
        disc = _DISCS.get(key)
        if disc is None:
            circle = looks.circle
            size = circle.width() + 2
            disc = QPixmap(round(size * ratio), round(size * ratio))
            disc.setDevicePixelRatio(ratio)
            disc.fill(Qt.GlobalColor.transparent)
            inner = QPainter(disc)
            inner.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            inner.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            self._draw_disc(inner, QRectF(1, 1, circle.width(), circle.height()), looks)
            inner.end()
            if len(_DISCS) > 4000:
                _DISCS.clear()
            _DISCS[key] = disc
        return disc


class CurveItem(QGraphicsItem):
    """A stretch of the lifeline: a smooth curve through the moments, coloured by height
    (gold where times were good, blue where they were hard). It takes no clicks."""

    def __init__(
        self, kit: PaintKit, segments: tuple[CurveSegment, ...], top: float, bottom: float
    ):
        super().__init__()
        self._kit = kit
        self.setZValue(Z_CURVE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.set_segments(segments, top, bottom)

    def set_segments(self, segments: tuple[CurveSegment, ...], top: float, bottom: float) -> None:
        self.prepareGeometryChange()
        self.segments = segments
        path = QPainterPath()
        # Each piece is also stroked on its own: a wide stroke costs in proportion to the
        # area it spans, and one path through a whole life spans the whole picture.
        self._pieces: list[QPainterPath] = []
        if segments:
            path.moveTo(*segments[0].p0)
            for s in segments:
                c1, c2, p1 = QPointF(*s.c1), QPointF(*s.c2), QPointF(*s.p1)
                path.cubicTo(c1, c2, p1)
                piece = QPainterPath(QPointF(*s.p0))
                piece.cubicTo(c1, c2, p1)
                self._pieces.append(piece)
        self._path = path
        self._top, self._bottom = top, bottom
        self._bounds = path.boundingRect().adjusted(-3, -3, 3, 3)
        # A smooth stroke costs milliseconds to draw; its last picture costs a copy.
        keep_picture(self, self._bounds, self._kit)
        self.update()

    @property
    def path(self) -> QPainterPath:
        return self._path

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colours = self._kit.colours
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        gradient = QLinearGradient(0, self._top, 0, self._bottom)
        for at, valence in ((0.0, 3.0), (0.5, 0.0), (1.0, -3.0)):
            colour = colours.mix(colours.feeling(valence), colours.ink, 0.18)
            gradient.setColorAt(at, colour)
        pen = QPen(QBrush(gradient), 2.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for piece in self._pieces:
            painter.drawPath(piece)


class StripItem(QGraphicsItem):
    """Periods a band has no room to draw one by one: shaded where they are, counted in the
    tooltip; each is in the list beside the picture."""

    def __init__(self, kit: PaintKit, strip: Strip, valence: float) -> None:
        super().__init__()
        self._kit = kit
        self.setZValue(Z_STRIP)
        self.set_strip(strip, valence)

    def set_strip(self, strip: Strip, valence: float) -> None:
        self.prepareGeometryChange()
        self.strip = strip
        self._valence = valence
        height = self._kit.px(5)
        self._rects = [QRectF(x0, strip.y, max(x1 - x0, 2), height) for x0, x1, _ in strip.spans]
        bounds = QRectF()
        for rect in self._rects:
            bounds = bounds.united(rect)
        self._bounds = bounds.adjusted(-1, -1, 1, 1)
        count = len(strip.members)
        self.setToolTip(f"{count} more periods overlap here — each one is in the list")
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        for rect in self._rects:
            path.addRect(rect.adjusted(0, -2, 0, 2))
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colour = QColor(self._kit.colours.feeling(self._valence))
        colour.setAlphaF(0.45)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        for rect in self._rects:
            painter.drawRect(rect)


class DragHintItem(QGraphicsItem):
    """The words beside the pointer during a drag: where the moment would land."""

    def __init__(self, kit: PaintKit) -> None:
        super().__init__()
        self._kit = kit
        self._text = ""
        self._bounds = QRectF()
        self.setZValue(Z_HINT)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text
        metrics = self._kit.metrics
        width = min(metrics.horizontalAdvance(text), 420.0) + 20
        self._bounds = QRectF(0, 0, width, metrics.height() + 10)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colours = self._kit.colours
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours.ink)
        painter.drawRoundedRect(self._bounds, 7, 7)
        painter.setPen(colours.paper)
        painter.setFont(self._kit.font)
        text = self._kit.metrics.elidedText(
            self._text, Qt.TextElideMode.ElideRight, self._bounds.width() - 20
        )
        painter.drawText(self._bounds, Qt.AlignmentFlag.AlignCenter, text)
