"""The timeline scene: the layout of ``timeline.layout`` turned into graphics items.

The scene keeps the plain values it was given (the placed events, the zoom, the layout mode,
which event is chosen) and rebuilds its items from them; it never holds story state of its own.
Only the part of the picture near the view has items ("materialised"), so a timeline of ten
thousand events costs what the few hundred in sight cost.
"""

from __future__ import annotations

import datetime
import gc
import weakref
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QPixmap, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from storycapture.domain.story import TimelineEvent
from storycapture.timeline.layout import (
    Cluster,
    CurveSegment,
    EventMark,
    LayoutMode,
    PeriodBar,
    PlacedTimeline,
    Strip,
    TimelineLayout,
    TimeScale,
    lay_out,
    place_events,
)
from storycapture.timeline.qt.items import (
    Z_CLUSTER,
    Z_CURVE,
    Z_STRIP,
    ClusterHit,
    ClustersItem,
    CurveItem,
    EventItem,
    PeriodItem,
    StoryItem,
    StripItem,
    card_width,
    stack,
)
from storycapture.timeline.qt.style import Colours, PaintKit

PIXMAP_CACHE_KIB = 96 * 1024
TIE_STEP = 1e-6  # a hundred thousand items stay within a tenth of a level
CURVE_CHUNK_PX = 360.0

_EMPTY = PlacedTimeline((), (), None)
_LEVELS: dict[type, float] = {ClustersItem: Z_CLUSTER, CurveItem: Z_CURVE, StripItem: Z_STRIP}
# A band's clusters are drawn by one item for each stretch this wide, fixed to the scene (so a
# pan leaves those it does not reach as they are), narrow enough that with the discs and bars
# reaching out of it, it is small enough to keep its picture (``PICTURE_LIMIT``).
CLUSTER_STRETCH_PX = 300.0
# A story of this many moments is tens of thousands of long-lived objects: the collector's
# full passes over them (up to a tenth of a second) would land in the middle of zoom steps.
FREEZE_AT = 1000


_HOLDING: weakref.WeakSet[TimelineScene] = weakref.WeakSet()  # scenes with a long story


def _set_aside(scene: TimelineScene, count: int) -> None:
    """Move every object alive now out of the collector's sight once a long story is placed
    (``gc.freeze``): what is alive now lives as long as the story is open. They are still freed
    when nothing refers to them; only cycles among them wait until the story is put away
    (``_take_back``)."""
    if count >= FREEZE_AT:
        _HOLDING.add(scene)
        gc.freeze()


def _take_back(scene: TimelineScene) -> None:
    """``scene``'s story is put away: once no other scene holds a long story (a printed copy
    is drawn by a scene of its own), give the objects set aside back to the collector, and
    collect."""
    _HOLDING.discard(scene)
    if not _HOLDING and gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def _chunks(curve: Sequence[CurveSegment]) -> list[tuple[int, tuple[CurveSegment, ...]]]:
    """The lifeline in stretches at most ``CURVE_CHUNK_PX`` wide (or one piece, if a piece is
    wider): only stretches in view are painted, and each is small enough to keep its picture."""
    chunks: list[tuple[int, tuple[CurveSegment, ...]]] = []
    start = 0
    for i in range(1, len(curve) + 1):
        if i == len(curve) or curve[i].p1[0] - curve[start].p0[0] > CURVE_CHUNK_PX:
            chunks.append((start, tuple(curve[start:i])))
            start = i
    return [(s, c) for s, c in chunks if c]


def _around(x0: float, x1: float, spare: float = 1.0) -> tuple[float, float]:
    """``spare`` of a view's width either side of what it shows."""
    width = (x1 - x0) * spare
    return (x0 - width, x1 + width)


# A zoom step lays out and makes items for what is in view and a twentieth of a view either
# side (what reaches into that from outside, a card or a cluster, is laid out with it), not
# three views: the work of a step is the work of one view. The first scroll beyond it lays
# out a view either side (``show_span``), as any scroll beyond what is laid out does.
ZOOM_SPARE = 0.05


def _reuse(spare: dict[type, list[QGraphicsItem]], kind: type) -> QGraphicsItem | None:
    """An item of ``kind`` no longer wanted where it was, to be given a new element."""
    items = spare.get(kind)
    return items.pop() if items else None


class TimelineScene(QGraphicsScene):
    """Draws one storyteller's timeline. Feed it with ``set_events``; steer it with
    ``set_mode``, ``set_scale``, ``set_view_size`` and ``set_chosen``; the view calls
    ``materialise`` with the stretch of scene it shows."""

    layout_changed = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        """``today`` is the clock the picture reads "today" from (it ends the story's span and
        is marked on the axis); tests give a fixed one, so the picture is the same every day."""
        super().__init__(parent)
        # Items keep their last picture in Qt's pixmap cache; its default 10 MB is less than one
        # screenful of them, and a cache that keeps throwing pictures away saves nothing.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KIB))
        # Items move on every zoom step; keeping a spatial index of them costs more than it
        # saves for the few hundred that exist at a time (only the stretch near the view has
        # items).
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.kit = PaintKit()
        self._clock = today
        self._placed = _EMPTY
        self._events: tuple[TimelineEvent, ...] = ()
        self._resolve: Callable[[str], tuple[datetime.date, datetime.date] | None] | None = None
        self._photos: Mapping[str, str] = {}
        self._mode = LayoutMode.LIFELINE
        first, last = self._placed.extent(self.today)
        self._scale = TimeScale.fitting(first, last, 800.0)
        self._view_size = (800.0, 500.0)
        self._chosen: str | None = None
        self._layout: TimelineLayout | None = None
        self._items: dict[str, QGraphicsItem] = {}
        self._window: tuple[float, float] | None = None
        self._kept_apart: frozenset[str] = frozenset()
        self.relayout()

    # -- what it shows ------------------------------------------------------------------------

    @property
    def today(self) -> datetime.date:
        return self._clock()

    @property
    def placed(self) -> PlacedTimeline:
        return self._placed

    @property
    def layout(self) -> TimelineLayout:
        assert self._layout is not None
        return self._layout

    @property
    def mode(self) -> LayoutMode:
        return self._mode

    @property
    def scale(self) -> TimeScale:
        return self._scale

    @property
    def chosen(self) -> str | None:
        return self._chosen

    @property
    def birth_year(self) -> int | None:
        return self._placed.birth_year

    def resolve(self, uuid: str) -> tuple[datetime.date, datetime.date] | None:
        return None if self._resolve is None else self._resolve(uuid)

    def extent(self) -> tuple[float, float]:
        return self._placed.extent(self.today)

    def set_events(
        self,
        events: Sequence[TimelineEvent],
        birth_year: int | None,
        photos: Mapping[str, str] | None = None,
        chosen: str | None = None,
    ) -> None:
        """The pure-data entry point: draw these events (``photos`` maps an event to the photo
        shown on its card; ``chosen`` is the event picked out). The scale keeps its zoom; its
        origin follows the new extent."""
        self._photos = dict(photos or {})
        self._chosen = chosen
        self._events = tuple(events)
        kit = self.kit
        self._placed = place_events(
            events,
            birth_year=birth_year,
            card_width=lambda e: card_width(kit, e, e.uuid in self._photos),
            sizes=kit.sizes,
        )
        self._resolve = self._placed.resolve
        if self._chosen is not None and not any(e.uuid == self._chosen for e in events):
            self._chosen = None
        first, _last = self.extent()
        self._scale = TimeScale(first, self._scale.px_per_day)
        self.relayout()
        _set_aside(self, len(self._placed.placed))

    def has_photo(self, event_uuid: str) -> bool:
        return event_uuid in self._photos

    def photo_of(self, event_uuid: str) -> str | None:
        return self._photos.get(event_uuid)

    def clear_story(self) -> None:
        """Forget every event, title and thumbnail (on lock)."""
        self._photos = {}
        self._resolve = None
        self._placed = _EMPTY
        self._events = ()
        self._chosen = None
        self._drop_items()
        self.relayout()
        _take_back(self)

    # -- how it shows them ----------------------------------------------------------------------

    def set_mode(self, mode: LayoutMode) -> None:
        if mode is not self._mode:
            self._mode = mode
            self._drop_items()
            self.relayout()

    def set_scale(self, scale: TimeScale, showing: tuple[float, float] | None = None) -> None:
        """Zoom to ``scale``; ``showing`` is the stretch of scene x the view will show at it."""
        if scale != self._scale:
            self._scale = scale
            if showing is not None:
                self._window = _around(*showing, spare=ZOOM_SPARE)
            self.relayout()

    def set_view_size(self, width: float, height: float) -> None:
        if (width, height) != self._view_size:
            old_height = self._view_size[1]
            self._view_size = (width, height)
            self.kit.view_height = height
            if height != old_height or self._layout is None or width > self._layout.width:
                self.relayout()

    def set_chosen(self, uuid: str | None) -> None:
        """Mark the chosen event; it is drawn on its own even where its neighbours cluster."""
        if uuid == self._chosen:
            return
        previous, self._chosen = self._chosen, uuid
        layout = self._layout
        needs_layout = layout is not None and (
            (uuid is not None and not isinstance(layout.drawn_as(uuid), EventMark | PeriodBar))
            or (previous is not None and previous in self._kept_apart)
        )
        if needs_layout:
            self.relayout()
        else:
            for key in (previous, uuid):
                item = self.item_for(key) if key else None
                if item is not None:
                    item.set_chosen(key == uuid)

    def relayout(self) -> None:
        width, height = self._view_size
        keep = frozenset({self._chosen}) if self._chosen else frozenset()
        self._kept_apart = keep
        self._layout = lay_out(
            self._placed,
            mode=self._mode,
            scale=self._scale,
            view_width=width,
            view_height=height,
            today=self.today,
            keep_apart=keep,
            window=self._window,
            sizes=self.kit.sizes,
        )
        self.setSceneRect(QRectF(0, 0, self._layout.width, self._layout.height))
        if self._window is not None:
            self.materialise(*self._window, force=True)
        self.layout_changed.emit()

    def set_picture_scale(self, scale: float) -> None:
        """Draw the picture ``scale`` times its normal size (``LARGE`` in storyteller mode):
        its words, and the cards, bars and bands that hold them, so nothing overlaps."""
        if scale == self.kit.scale:
            return
        self.kit.set_scale(scale)
        window = self._window
        self._drop_items()
        self._window = window
        # Cards are as wide as their titles, so the events are placed again in the new type.
        self.set_events(self._events, self._placed.birth_year, self._photos, self._chosen)
        self.update()

    def picture_scale(self) -> float:
        return self.kit.scale

    def set_colours(self, colours: Colours) -> None:
        """Paint in ``colours`` (another look): every item is made again in them."""
        if colours is self.kit.colours:
            return
        self.kit.colours = colours
        window = self._window
        self._drop_items()
        self._window = window
        self.relayout()
        self.update()

    # -- items --------------------------------------------------------------------------------

    def set_visible_span(self, x0: float, x1: float) -> None:
        """The stretch in view: a bar running off either edge keeps its words in sight, so
        it is redrawn; every other item keeps its picture."""
        kit = self.kit
        old = (kit.visible_x0, kit.visible_x1)
        if old == (x0, x1):
            return
        kit.visible_x0, kit.visible_x1 = x0, x1
        for item in self._items.values():
            if isinstance(item, PeriodItem):
                bar = item.bar
                if any(bar.x0 < edge < bar.x1 for edge in (*old, x0, x1)):
                    item.update()

    def show_span(self, x0: float, x1: float) -> None:
        """The view shows scene x ``x0`` to ``x1``: when that runs beyond the stretch laid out,
        lay out that stretch with a view's width to spare either side, and give it its items.
        (What reaches into the stretch from just outside, a card or a cluster, is laid out with
        it, so the stretch need only cover the view.)"""
        if self._window is not None:
            have0, have1 = self._window
            if have0 <= x0 and x1 <= have1:
                return
        self._window = _around(x0, x1)
        self.relayout()

    def materialise(self, x0: float, x1: float, force: bool = False) -> None:
        """Make sure everything between scene x ``x0`` and ``x1`` has its item, and nothing
        outside does."""
        if not force and self._window == (x0, x1):
            return
        self._window = (x0, x1)
        layout = self.layout
        wanted: dict[str, object] = {}
        for mark in layout.marks:
            left = min(mark.x0, mark.card.x if mark.card else mark.x) - 12
            right = max(mark.x1, mark.card.right if mark.card else mark.x) + 12
            if right >= x0 and left <= x1:
                wanted["e:" + mark.uuid] = mark
        for bar in layout.periods:
            if bar.x1 >= x0 and bar.x0 <= x1:
                wanted["p:" + bar.uuid] = bar
        stretches: dict[str, list[Cluster]] = {}
        for cluster in layout.clusters:
            if cluster.x1 + 20 >= x0 and cluster.x0 - 20 <= x1:
                stretch = f"c:{cluster.band}:{int(cluster.x // CLUSTER_STRETCH_PX)}"
                stretches.setdefault(stretch, []).append(cluster)
        for key, members in stretches.items():
            wanted[key] = tuple(members)
        for strip in layout.strips:
            wanted[f"s:{strip.band}"] = strip
        for start, chunk in _chunks(layout.curve):
            if chunk[-1].p1[0] >= x0 and chunk[0].p0[0] <= x1:
                wanted[f"l:{start}"] = chunk
        # Clusters and stretches of the lifeline no longer wanted are given to new ones (a zoom
        # step regroups most clusters under new keys); the rest leave the scene. An event's
        # item is its own (it may be dragged, or have the keyboard), so it is never handed on.
        spare: dict[type, list[QGraphicsItem]] = {}
        for key in [k for k in self._items if k not in wanted]:
            gone = self._items.pop(key)
            spare.setdefault(type(gone), []).append(gone)
        top = layout.bands.line_of_valence(3)
        bottom = layout.bands.line_of_valence(-3)
        made = self._items
        for rank, (key, element) in enumerate(wanted.items()):
            item: QGraphicsItem | None = made.get(key)
            if key.startswith("c:"):  # a band's clusters in a stretch of the picture
                if item is None:
                    item = _reuse(spare, ClustersItem)
                if isinstance(item, ClustersItem):
                    if item.clusters != element:
                        item.set_clusters(element)  # type: ignore[arg-type]
                else:
                    item = ClustersItem(self.kit, element)  # type: ignore[arg-type]
            elif isinstance(element, EventMark):
                if isinstance(item, EventItem):
                    if item.mark != element:
                        item.set_mark(element)
                else:
                    item = EventItem(self.kit, element)
                item.set_chosen(element.uuid == self._chosen)
            elif isinstance(element, PeriodBar):
                if isinstance(item, PeriodItem):
                    if item.bar != element:
                        item.set_bar(element)
                else:
                    item = PeriodItem(self.kit, element)
                item.set_chosen(element.uuid == self._chosen)
            elif isinstance(element, Strip):
                band = layout.bands.bands[element.band]
                valence = band.valence if band.valence is not None else 0
                if isinstance(item, StripItem):
                    item.set_strip(element, valence)
                else:
                    item = StripItem(self.kit, element, valence)
            else:
                if item is None:
                    item = _reuse(spare, CurveItem)
                if isinstance(item, CurveItem):
                    if item.segments != element:
                        item.set_segments(element, top, bottom)  # type: ignore[arg-type]
                else:
                    item = CurveItem(self.kit, element, top, bottom)  # type: ignore[arg-type]
            # Where items overlap, the layout's order decides which is on top (not the order
            # they came into the scene), so a picture is the same however it was reached.
            tie = rank * TIE_STEP
            if isinstance(item, StoryItem):
                item.set_tie(tie)
            else:
                stack(item, _LEVELS[type(item)], tie)
            if key not in made:
                made[key] = item
                if item.scene() is not self:
                    self.addItem(item)
        for items in spare.values():
            for item in items:
                self.removeItem(item)

    def _drop_items(self) -> None:
        for item in self._items.values():
            self.removeItem(item)
        self._items.clear()
        self._window = None

    def item_for(self, uuid: str) -> StoryItem | None:
        """The item drawing this event on its own, if it has one now."""
        item = self._items.get("e:" + uuid) or self._items.get("p:" + uuid)
        return item if isinstance(item, StoryItem) else None

    def story_items(self) -> list[StoryItem]:
        return [i for i in self._items.values() if isinstance(i, StoryItem)]

    def cluster_items(self) -> list[ClusterHit]:
        """Every cluster drawn now, as drawn."""
        return [
            hit for i in self._items.values() if isinstance(i, ClustersItem) for hit in i.hits()
        ]

    def story_item_at(self, pos: QPointF) -> StoryItem | ClusterHit | None:
        for item in self.items(pos):
            if isinstance(item, StoryItem):
                return item
            if isinstance(item, ClustersItem):
                hit = item.cluster_at(pos)
                if hit is not None:
                    return hit
        return None

    def set_thumbnails(self, source: Callable[[str], QPixmap | None]) -> None:
        """Where cards get their photo thumbnails (decrypted in memory by the tool)."""

        def thumbnail(event_uuid: str) -> QPixmap | None:
            photo = self._photos.get(event_uuid)
            return None if photo is None else source(photo)

        self.kit.thumbnail = thumbnail
