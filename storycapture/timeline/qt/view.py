"""The timeline view and its two rulers (the time axis below, the feelings or life areas beside).

The view turns gestures into requests: it zooms and pans itself, but a click, a drag, a double
click or a key that would change the story is only *asked for* by a signal; the tool makes the
change through the service and the undo stack, and the scene is redrawn from the result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import (
    QElapsedTimer,
    QEvent,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QEventPoint,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTouchEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsView, QWidget
from shiboken6 import isValid

from storycapture.domain.vocabulary import describe_feeling
from storycapture.qtkit.looks import scaled_px
from storycapture.timeline.layout import (
    LIFE_AREAS,
    MAX_PX_PER_DAY,
    VALENCES,
    Axis,
    DragOutcome,
    LayoutMode,
    TimeScale,
    axis,
    drag_outcome,
    neighbour,
)
from storycapture.timeline.qt.items import ClusterHit, DragHintItem, StoryItem
from storycapture.timeline.qt.scene import TimelineScene

ZOOM_STEP = 1.5
LEVELS_KEPT = 64
RULER_WIDTH = 132  # the band ruler's, beside the picture, at its normal size
TAP_SLOP_PX = 24  # how far apart two taps of a finger may land and still be one double tap
# Steady hands (storyteller mode): a moment moves only once the pointer has been held on it this
# long and has gone this far (before the interface scale), so a tremor moves nothing.
STEADY_DRAG_PX = 32
STEADY_HOLD_MS = 400


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


_ARROWS = {
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
    Qt.Key.Key_Home: "home",
    Qt.Key.Key_End: "end",
}
# The keyboard's ways round the picture, for its description and the shortcuts dialog.
KEYBOARD: tuple[tuple[str, str], ...] = (
    ("Left and Right", "choose the moment before or after in time"),
    ("Up and Down", "choose a moment higher or lower in the picture"),
    ("Home and End", "choose the first or the last moment"),
    (
        "Enter",
        "open the chosen moment beside the picture, to change its words, its feeling, or "
        "move it earlier or later",
    ),
    ("Delete", "take the chosen moment off the timeline"),
    ("Plus and Minus", "zoom in and out"),
)


@dataclass(frozen=True)
class _Pinch:
    """Two fingers as they came down: how far apart, at what zoom, and what lay between them
    (a day, and a scene height)."""

    gap: float
    px_per_day: float
    day: float
    scene_y: float


class TimelineView(QGraphicsView):
    """Wheel or pinch to zoom around the pointer, drag the background to pan, drag an event to
    move it, double-click to edit or add; + and − zoom, the arrow keys move between events,
    Enter edits and Delete removes.

    On a touch screen one finger does what the mouse does (a drag on the background pans, a drag
    on an event moves it, a tap chooses, a double tap edits or adds) and two fingers pinch to
    zoom and move the picture between them. Touches are handled here, from the touch events
    themselves: the mouse events Qt would make up from them, and its pinch gesture, are not used
    (a pan must not also drag what is under the finger, and the gesture is unreliable)."""

    chosen = Signal(str)
    activated = Signal(str)
    dropped = Signal(str, object)  # the event, and its DragOutcome as last shown
    add_requested = Signal(float, float)
    remove_requested = Signal(str)
    view_moved = Signal()

    def __init__(self, scene: TimelineScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._scene = scene
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # Every item sets the pen, brush, font and hints it paints with, and none clips, so the
        # view need not save and restore the painter around each of them.
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Timeline picture")
        self.setAccessibleDescription(
            "The moments drawn on a time line. Everything here can also be done from the list "
            "of moments beside it. " + "; ".join(f"{keys}: {words}" for keys, words in KEYBOARD)
        )
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self._press: QPointF | None = None
        self._pressed: StoryItem | ClusterHit | None = None
        self._dragging = False
        self._drag_base = QPointF()
        self._outcome: DragOutcome | None = None
        self._panning = False
        self._pan_from = QPoint()
        self._finger: int | None = None  # the one finger being followed, if any
        self._pinch: _Pinch | None = None  # two fingers down: where their pinch began
        self._fingers_spent = False  # two fingers were down: the rest of this touch does nothing
        self._last_tap: tuple[QElapsedTimer, QPointF] | None = None
        self._hint = DragHintItem(scene.kit)
        self._steady = False
        self._clock: Callable[[], float] = _monotonic_ms
        self._pressed_at = 0.0
        self._pending_fit = True
        self._fitted = True  # showing everything: kept so through resizes until zoomed or panned
        self._levels: list[float] = []  # the zoom levels met lately, the latest first
        self._pending_state: dict[str, object] | None = None
        self._axis: Axis | None = None
        self._axis_key: tuple[object, ...] | None = None
        scene.layout_changed.connect(self._layout_changed)

    # -- how gestures are read ------------------------------------------------------------------

    def set_steady(self, on: bool) -> None:
        """Steady hands, for storyteller mode: a moment is dragged only after a hold of
        ``STEADY_HOLD_MS`` and a move of ``STEADY_DRAG_PX``, and a double click or double tap on
        the empty picture adds nothing (the "Add a moment" button does that)."""
        self._steady = on

    def is_steady(self) -> bool:
        return self._steady

    def adds_on_double_click(self) -> bool:
        return not self._steady

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Where the time of a press is read, in milliseconds (a fixed clock in tests)."""
        self._clock = clock

    def drag_distance(self) -> int:
        """How far (px) the pointer must go on a moment before the moment moves."""
        if self._steady:
            return max(scaled_px(STEADY_DRAG_PX), QApplication.startDragDistance())
        return QApplication.startDragDistance()

    def drag_hold_ms(self) -> float:
        """How long (ms) a moment must be held before it can move."""
        return STEADY_HOLD_MS if self._steady else 0.0

    # -- where the view is ----------------------------------------------------------------------

    @property
    def timeline_scene(self) -> TimelineScene:
        return self._scene

    def visible_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def scroll_x(self) -> float:
        return self.mapToScene(QPoint(0, 0)).x()

    def fit_scale(self) -> TimeScale:
        first, last = self._scene.extent()
        return TimeScale.fitting(first, last, max(self.viewport().width(), 100))

    def is_ready(self) -> bool:
        return self.viewport().width() > 1 and self.viewport().height() > 1

    @Slot()
    def fit_all(self) -> None:
        """Zoom so the whole story, from birth (when known) to today, fits the window (and
        keep it fitted as the window is resized, until the person zooms or pans)."""
        self._fitted = True
        if not self.is_ready():
            self._pending_fit = True
            return
        self._pending_fit = False
        self._scene.set_scale(self.fit_scale(), (0.0, float(self.viewport().width())))
        self.horizontalScrollBar().setValue(0)
        self.refresh()

    def zoom_by(self, factor: float, viewport_x: float | None = None) -> None:
        """Zoom ``factor`` times closer, keeping the day under ``viewport_x`` where it is."""
        if viewport_x is None:
            viewport_x = self.viewport().width() / 2
        scale = self._scene.scale
        if abs(self._zoom_within(scale.px_per_day * factor) - scale.px_per_day) < 1e-12:
            return
        self.zoom_to(
            scale.px_per_day * factor, scale.day_at(self.scroll_x() + viewport_x), viewport_x
        )

    def _zoom_within(self, px_per_day: float) -> float:
        """``px_per_day``, no further out than the whole story and no closer than a day allows."""
        return max(self.fit_scale().px_per_day, min(MAX_PX_PER_DAY, px_per_day))

    def zoom_to(self, px_per_day: float, day: float, viewport_x: float) -> None:
        """Zoom to ``px_per_day`` (within the fitted and the closest zoom) and scroll so ``day``
        is at ``viewport_x``. The picture ends a little before the first day of the story and
        a little after today: near either end, zooming out stops at that end instead of
        showing nothing beyond it, so there the day comes to rest nearer the edge."""
        scale = self._scene.scale
        wanted = self._level_seen(self._zoom_within(px_per_day))
        bar = self.horizontalScrollBar()
        before = (scale.px_per_day, bar.value())
        new_scale = TimeScale(scale.origin, wanted)
        left = new_scale.x_of_day(day) - viewport_x
        showing = max(0.0, left)
        self._scene.set_scale(new_scale, (showing, showing + self.viewport().width()))
        bar.setValue(round(left))
        if (wanted, bar.value()) != before:
            self._fitted = False
        self.refresh()

    def _level_seen(self, px_per_day: float) -> float:
        """A zoom level met a moment ago, when ``px_per_day`` is that level but for the last
        bits a multiplication loses (a notch in and a notch out): the scene keeps the picture
        of each level it laid out, and finds it again only at exactly the same level."""
        for level in self._levels:
            if abs(px_per_day - level) <= level * 1e-9:
                return level
        self._levels.insert(0, px_per_day)
        del self._levels[LEVELS_KEPT:]
        return px_per_day

    @Slot()
    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP, self._zoom_anchor())

    @Slot()
    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP, self._zoom_anchor())

    def _zoom_anchor(self) -> float | None:
        """Zoom with the keyboard around the chosen event when it is in sight."""
        chosen = self._scene.chosen
        anchor = self._scene.layout.anchor_of(chosen) if chosen else None
        if anchor is None:
            return None
        x = anchor[0] - self.scroll_x()
        return x if 0 <= x <= self.viewport().width() else None

    def centre_on_day(self, day: float) -> None:
        x = self._scene.scale.x_of_day(day)
        self.horizontalScrollBar().setValue(round(x - self.viewport().width() / 2))
        self.refresh()

    def is_fitted(self) -> bool:
        return self._fitted

    def pan_by(self, dx: int, dy: int = 0) -> None:
        """Move the picture by a person's gesture (which ends "fit all")."""
        if dx:
            self._fitted = False
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - dx)
        if dy:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() - dy)

    def centre_day(self) -> float:
        return self._scene.scale.day_at(self.scroll_x() + self.viewport().width() / 2)

    def show_event(self, uuid: str) -> None:
        """Scroll, if need be, so the event is in sight (it is never zoomed away from)."""
        anchor = self._scene.layout.anchor_of(uuid)
        if anchor is None:
            return
        visible = self.visible_rect()
        margin = min(80.0, visible.width() / 4)
        x, y = anchor
        inside = visible.left() + margin <= x <= visible.right() - margin
        if not inside and not self._fitted:  # fitted, everything is already in sight
            self.horizontalScrollBar().setValue(round(x - visible.width() / 2))
        self.ensureVisible(QRectF(x - 1, y - 50, 2, 80), 0, 10)
        self.refresh()

    def view_state(self) -> dict[str, object]:
        return {
            "px_per_day": self._scene.scale.px_per_day,
            "centre_day": self.centre_day(),
            "scroll_y": self.verticalScrollBar().value(),
            "fitted": self._fitted,
        }

    def restore_view_state(self, state: dict[str, object]) -> None:
        if state.get("fitted") is True:
            self._pending_state = None
            self.fit_all()
            return
        if not self.is_ready():
            self._pending_state = dict(state)
            self._pending_fit = False
            return
        self._fitted = False
        px_per_day = state.get("px_per_day")
        centre = state.get("centre_day")
        if isinstance(px_per_day, int | float) and isinstance(centre, int | float):
            lowest = self.fit_scale().px_per_day
            scale = self._scene.scale
            ppd = max(lowest, min(MAX_PX_PER_DAY, float(px_per_day)))
            new_scale = TimeScale(scale.origin, ppd)
            middle = new_scale.x_of_day(float(centre))
            half = self.viewport().width() / 2
            self._scene.set_scale(new_scale, (middle - half, middle + half))
            self.centre_on_day(float(centre))
        scroll_y = state.get("scroll_y")
        if isinstance(scroll_y, int):
            self.verticalScrollBar().setValue(scroll_y)
        self._pending_fit = False
        self.refresh()

    def scene_alive(self) -> bool:
        """False once the scene is gone: while the tool is being taken down, the view can
        still be scrolled or resized for a moment after its scene was deleted."""
        return isValid(self._scene)

    def refresh(self) -> None:
        """Give the stretch in view its items and redraw it and the rulers."""
        if not self.scene_alive():
            return
        visible = self.visible_rect()
        self._scene.set_visible_span(visible.left(), visible.right())
        self._scene.show_span(visible.left(), visible.right())
        self.viewport().update()
        self.view_moved.emit()

    @Slot()
    def _layout_changed(self) -> None:
        self.viewport().update()

    # -- Qt overrides ---------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(800, 480)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.scene_alive():
            return
        size = self.viewport().size()
        self._scene.set_view_size(float(size.width()), float(size.height()))
        if self.is_ready():
            if self._pending_state is not None:
                state, self._pending_state = self._pending_state, None
                self.restore_view_state(state)
            elif (
                self._pending_fit
                or self._fitted
                or self._scene.scale.px_per_day < self.fit_scale().px_per_day
            ):
                self.fit_all()
        self.refresh()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        # Labels of long bars stay in sight, so a scroll redraws rather than shifts pixels.
        self.refresh()

    def axis_for(self, x_from: float, x_to: float) -> Axis:
        """The axis ticks for a stretch of the scene; the last answer is kept, since the
        background and the ruler both ask on every repaint."""
        scene = self._scene
        kit = scene.kit
        key = (scene.scale, x_from, x_to, scene.birth_year, kit.sizes)
        if self._axis_key != key or self._axis is None:
            self._axis_key = key
            self._axis = axis(
                scene.scale,
                x_from,
                x_to,
                birth_year=scene.birth_year,
                measure=kit.text_width,
                sizes=kit.sizes,
            )
        return self._axis

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if not self.scene_alive():
            return
        rect = QRectF(rect)
        scene = self._scene
        kit = scene.kit
        colours = kit.colours
        layout = scene.layout
        # Straight lines along the pixel grid, as one-pixel fills: crisp, and the cheapest
        # thing a painter can do.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(rect, colours.paper)
        lifeline = layout.mode is LayoutMode.LIFELINE
        middle = colours.mix(colours.hairline, colours.soft_ink, 0.45)
        for band in layout.bands.bands:
            area = QRectF(rect.left(), band.top, rect.width(), band.height)
            if not area.intersects(rect):
                continue
            if lifeline and band.valence is not None:
                wash = colours.band_wash(band.valence)
            else:
                wash = colours.lane_wash(band.index)
            painter.fillRect(area, wash)
            line = (
                middle
                if lifeline and band.valence == 0
                else colours.mix(wash, colours.hairline, 0.9)
            )
            painter.fillRect(QRectF(rect.left(), round(band.line_y), rect.width(), 1), line)
        left = self.scroll_x()
        ticks = self.axis_for(left, left + self.viewport().width())
        for band in layout.bands.bands:
            top, bottom = max(rect.top(), band.top), min(rect.bottom(), band.bottom)
            if bottom <= top:
                continue
            if lifeline and band.valence is not None:
                wash = colours.band_wash(band.valence)
            else:
                wash = colours.lane_wash(band.index)
            grid = colours.mix(wash, colours.hairline, 0.8)
            for tick in ticks.ticks:
                if tick.major and rect.left() - 1 <= tick.x <= rect.right() + 1:
                    painter.fillRect(QRectF(round(tick.x), top, 1, bottom - top), grid)
        today = round(layout.today_x)
        label = "Today"  # left of its line: the line may be just beyond the stretch painted
        reach = max(60.0, kit.small_width(label) + kit.px(8))
        if rect.left() - reach <= today <= rect.right() + reach:
            pen = QPen(colours.accent, 1.0)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(today, rect.top()), QPointF(today, rect.bottom()))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setFont(kit.small_font)
            painter.setPen(colours.accent.darker(120))
            label_x = today - kit.small_width(label) - kit.px(4)
            label_y = layout.height - kit.small_metrics.descent() - kit.px(4)
            painter.drawText(QPointF(label_x, label_y), label)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if self.hasFocus():
            # Where the keyboard is: a quiet ring inside the picture's edge.
            painter.save()
            painter.resetTransform()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(self._scene.kit.colours.accent, 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.viewport().rect()).adjusted(1, 1, -1, -1), 4, 4)
            painter.restore()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    # -- mouse and touch -----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self._pointer_pressed(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            super().mouseMoveEvent(event)
            return
        self._pointer_moved(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        self._pointer_released(event.position())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        self._pointer_double_clicked(event.position())

    # A mouse's left button and one finger do the same things, through these.

    def _pointer_pressed(self, position: QPointF) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        item = self._scene.story_item_at(self.mapToScene(position.toPoint()))
        self._press = position
        self._pressed = item
        self._pressed_at = self._clock()
        self._dragging = False
        self._outcome = None
        if isinstance(item, StoryItem):
            self._drag_base = item.pos()
            self.chosen.emit(item.uuid)
        elif item is None:
            self._panning = True
            self._pan_from = position.toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def _pointer_moved(self, position: QPointF) -> None:
        if self._press is None:
            return
        if self._panning:
            delta = position.toPoint() - self._pan_from
            self._pan_from = position.toPoint()
            self.pan_by(delta.x(), delta.y())
            return
        item = self._pressed
        if not isinstance(item, StoryItem) or item.scene() is None:
            return
        moved = position - self._press
        if not self._dragging:
            if moved.manhattanLength() < self.drag_distance():
                return
            if self._clock() - self._pressed_at < self.drag_hold_ms():
                return  # not held long enough: a shake or a slip, not a move
            self._dragging = True
            item.setCursor(Qt.CursorShape.ClosedHandCursor)
        outcome = drag_outcome(self._scene.layout, item.uuid, moved.x(), moved.y())
        if outcome is None:
            return
        # Read once, here: the drop is what the preview and the hint last showed.
        self._outcome = outcome
        item.setPos(self._drag_base + QPointF(outcome.preview_dx, outcome.preview_dy))
        event_now = self._scene.layout.placed.by_uuid[item.uuid].event
        self._hint.set_text(outcome.note or outcome.describe(event_now))
        if self._hint.scene() is None:
            self._scene.addItem(self._hint)
        spot = self.mapToScene(position.toPoint()) + QPointF(16, -34)
        visible = self.visible_rect()
        width = self._hint.boundingRect().width()
        spot.setX(max(visible.left() + 4, min(spot.x(), visible.right() - width - 4)))
        spot.setY(max(visible.top() + 4, spot.y()))
        self._hint.setPos(spot)

    def _pointer_released(self, position: QPointF, tap_slop: float = 4.0) -> None:
        """``tap_slop``: how far the pointer may have moved and its press still be a click."""
        if self._press is None:
            return
        moved = position - self._press
        item = self._pressed
        self._press = None
        self._pressed = None
        if self._panning:
            self._panning = False
            self.viewport().unsetCursor()
            return
        if self._hint.scene() is not None:
            self._scene.removeItem(self._hint)
        if isinstance(item, StoryItem):
            item.setCursor(Qt.CursorShape.OpenHandCursor)
            if self._dragging:
                self._dragging = False
                if item.scene() is not None:
                    item.setPos(self._drag_base)
                outcome, self._outcome = self._outcome, None
                if outcome is not None:
                    self.dropped.emit(item.uuid, outcome)
        elif isinstance(item, ClusterHit) and moved.manhattanLength() < tap_slop:
            self._open_cluster(item)

    def _pointer_double_clicked(self, position: QPointF) -> None:
        self._press = None
        self._panning = False
        self.viewport().unsetCursor()
        point = self.mapToScene(position.toPoint())
        item = self._scene.story_item_at(point)
        if isinstance(item, StoryItem):
            self.activated.emit(item.uuid)
        elif isinstance(item, ClusterHit):
            self._open_cluster(item)
        elif self.adds_on_double_click():
            self.add_requested.emit(point.x(), point.y())

    def _open_cluster(self, item: ClusterHit) -> None:
        """Look closer at a cluster, enough to spread its moments apart; moments of the very
        same date never spread, so then the first is chosen (the arrow keys go on to the rest)."""
        cluster = item.cluster
        scale = self._scene.scale
        by_uuid = self._scene.placed.by_uuid
        middles = [by_uuid[uuid].middle for uuid in cluster.members if uuid in by_uuid]
        spread = (max(middles) - min(middles)) * scale.px_per_day if middles else 0.0
        if spread * 3 < 1 or scale.px_per_day >= MAX_PX_PER_DAY * 0.99:
            self.chosen.emit(cluster.members[0])
            return
        self.zoom_by(3.0, cluster.x - self.scroll_x())

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and delta.x() == 0:
            delta = QPoint(delta.y(), 0)
        if delta.x():
            self.pan_by(delta.x())
        elif delta.y():
            self.zoom_by(1.0015 ** delta.y(), event.position().x())
        event.accept()

    def _pointer_abandoned(self) -> None:
        """Forget a press without doing what it would have done: an event being dragged goes
        back to its place, a pan stays where it got to."""
        item = self._pressed
        self._press = None
        self._pressed = None
        if self._panning:
            self._panning = False
            self.viewport().unsetCursor()
        if self._hint.scene() is not None:
            self._scene.removeItem(self._hint)
        if isinstance(item, StoryItem) and self._dragging:
            item.setCursor(Qt.CursorShape.OpenHandCursor)
            if item.scene() is not None:
                item.setPos(self._drag_base)
        self._dragging = False

    def _touched(self, event: QTouchEvent) -> None:
        """One finger acts as the mouse does; two pinch and move the picture. Once a second
        finger has come down, nothing more happens until every finger is lifted."""
        kind = event.type()
        down = [p for p in event.points() if p.state() != QEventPoint.State.Released]
        if kind == QEvent.Type.TouchCancel:
            self._pointer_abandoned()
            self._finger = None
            self._pinch = None
            self._fingers_spent = False
            return
        if len(down) >= 2 and not self._fingers_spent:
            self._pointer_abandoned()
            self._finger = None
            self._last_tap = None
            self._fingers_spent = True
        if self._fingers_spent:
            if len(down) >= 2:
                self._pinched(down[0].position(), down[1].position())
            else:
                self._pinch = None
            if kind == QEvent.Type.TouchEnd or not down:
                self._fingers_spent = False
            return
        if kind == QEvent.Type.TouchBegin and down:
            finger = down[0]
            self._finger = finger.id()
            if self._is_double_tap(finger.position()):
                self._last_tap = None
                self._finger = None
                self._pointer_double_clicked(finger.position())
            else:
                self._pointer_pressed(finger.position())
            return
        point = next((p for p in event.points() if p.id() == self._finger), None)
        if point is None:
            return
        if point.state() == QEventPoint.State.Released:
            self._finger = None
            press = self._press
            slop = QApplication.startDragDistance()  # a finger is never quite still
            self._pointer_released(point.position(), tap_slop=slop)
            if press is not None and (point.position() - press).manhattanLength() < slop:
                timer = QElapsedTimer()
                timer.start()
                self._last_tap = (timer, point.position())
            else:
                self._last_tap = None
        elif point.state() == QEventPoint.State.Updated:
            self._pointer_moved(point.position())

    def _is_double_tap(self, position: QPointF) -> bool:
        if self._last_tap is None:
            return False
        timer, where = self._last_tap
        interval = QApplication.styleHints().mouseDoubleClickInterval()
        return not timer.hasExpired(interval) and (position - where).manhattanLength() <= (
            TAP_SLOP_PX
        )

    def _pinched(self, first: QPointF, second: QPointF) -> None:
        """Zoom by how many times further apart the fingers are than when they came down, and
        keep what was between them then (its day, its height in the picture) between them.

        Each step is worked out from where the pinch began, never from the step before: the
        view scrolls by whole pixels, and a pinch is many small steps, so rounding after each
        one would let the picture creep away from under the fingers."""
        gap = math.hypot(second.x() - first.x(), second.y() - first.y())
        middle = (first + second) / 2
        if self._pinch is None:
            if gap > 0:
                scale = self._scene.scale
                self._pinch = _Pinch(
                    gap=gap,
                    px_per_day=scale.px_per_day,
                    day=scale.day_at(self.scroll_x() + middle.x()),
                    scene_y=self.verticalScrollBar().value() + middle.y(),
                )
            return
        pinch = self._pinch
        self.zoom_to(pinch.px_per_day * gap / pinch.gap, pinch.day, middle.x())
        self.verticalScrollBar().setValue(round(pinch.scene_y - middle.y()))

    def viewportEvent(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent):
            self._touched(event)
            event.accept()
            return True
        if event.type() == QEvent.Type.NativeGesture:
            native = cast(QNativeGestureEvent, event)
            if native.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.zoom_by(1.0 + native.value(), native.position().x())
                return True
        return super().viewportEvent(event)

    # -- keyboard -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        chosen = self._scene.chosen
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key in _ARROWS:
            uuid = neighbour(self._scene.layout, chosen, _ARROWS[key])
            if uuid is not None:
                self.chosen.emit(uuid)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and chosen:
            self.activated.emit(chosen)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and chosen:
            self.remove_requested.emit(chosen)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def drag_hint(self) -> str:
        """The words beside the pointer during a drag ("" when not dragging)."""
        return self._hint.text if self._hint.scene() is not None else ""


class AxisRuler(QWidget):
    """The time axis under the picture: dates, ages under the years when the birth year is
    known, and the year or month in sight when zoomed in."""

    def __init__(self, view: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self.fit_to_type()
        self.setAccessibleName("Time axis")
        view.view_moved.connect(self.update)
        view.timeline_scene.layout_changed.connect(self.update)

    def fit_to_type(self) -> None:
        """As tall as its two rows of words (after the picture's type changes size)."""
        kit = self._view.timeline_scene.kit
        # Above, between and below its rows: the first two grow with the type, the last not.
        rows = kit.metrics.height() + kit.small_metrics.height()
        self.setFixedHeight(int(rows + kit.px(12) + 10))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        view = self._view
        if not view.scene_alive():
            return
        scene = view.timeline_scene
        kit = scene.kit
        px = kit.px
        colours = kit.colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), colours.paper)
        painter.setPen(QPen(colours.hairline.darker(112), 1.0))
        painter.drawLine(0, 0, self.width(), 0)
        left = view.scroll_x()
        width = float(view.viewport().width())
        ticks = view.axis_for(left, left + width)
        offset = kit.sizes.label_offset
        label_y = px(8) + kit.metrics.ascent()
        context_y = label_y + kit.metrics.descent() + px(4) + kit.small_metrics.ascent()
        painter.setFont(kit.font)
        for tick in ticks.ticks:
            x = tick.x - left
            if x < -200 * kit.scale or x > width + 4:
                continue
            painter.setPen(QPen(colours.soft_ink if tick.major else colours.hairline.darker(120)))
            painter.drawLine(QPointF(x, 0), QPointF(x, px(6) if tick.major else px(3)))
            # A label cut by either edge is no help.
            if tick.label and self._fits(x + offset, kit.text_width(tick.label), width):
                painter.setPen(colours.ink)
                painter.drawText(QPointF(x + offset, label_y), tick.label)
        painter.setFont(kit.small_font)
        painter.setPen(colours.soft_ink)
        for tick in ticks.ticks:
            x = tick.x - left
            if tick.age and self._fits(x + offset, kit.small_width(tick.age), width):
                painter.drawText(QPointF(x + offset, context_y), tick.age)
        for tick in ticks.context:
            x = max(0.0, tick.x - left)  # the pinned one sits at the left edge
            if self._fits(x + offset, kit.small_width(tick.label), width):
                painter.drawText(QPointF(x + offset, context_y), tick.label)
        today = scene.layout.today_x - left
        if 0 <= today <= width:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours.accent)
            half = px(5)
            tip = QPointF(today, px(6))
            painter.drawPolygon([QPointF(today - half, 0), QPointF(today + half, 0), tip])
        painter.end()

    @staticmethod
    def _fits(start: float, text_width: float, width: float) -> bool:
        """Whether a label from ``start`` is whole in the ruler's ``width``."""
        return start >= 0 and start + text_width <= width


class BandRuler(QWidget):
    """Beside the picture: what each band means, feelings (Lifeline) or life areas (Lanes)."""

    def __init__(self, view: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self.fit_to_type()
        self.setAccessibleName("Feelings, from very good at the top to very hard at the bottom")
        view.view_moved.connect(self.update)
        view.timeline_scene.layout_changed.connect(self.update)
        view.verticalScrollBar().valueChanged.connect(self.update)

    def fit_to_type(self) -> None:
        """As wide as the picture's type needs (after it changes size): a feeling's words on
        one line beside its dot, and a life area of one or two words ("Physical health") on
        one line, since an empty lane has room for only one."""
        kit = self._view.timeline_scene.kit
        feelings = max(kit.text_width(_feeling_words(v)) for v in VALENCES)
        areas = max(
            kit.text_width(area.label) for area in LIFE_AREAS if len(area.label.split()) <= 2
        )
        needed = max(kit.px(28) + feelings + kit.px(12), kit.px(18) + areas + kit.px(6))
        self.setFixedWidth(max(RULER_WIDTH, math.ceil(needed)))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        view = self._view
        if not view.scene_alive():
            return
        scene = view.timeline_scene
        kit = scene.kit
        px = kit.px
        colours = kit.colours
        layout = scene.layout
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), colours.paper)
        top = view.mapToScene(QPoint(0, 0)).y()
        lifeline = layout.mode is LayoutMode.LIFELINE
        painter.setFont(kit.font)
        for band in layout.bands.bands:
            y0 = band.top - top
            area = QRectF(0, y0, self.width(), band.height)
            if lifeline and band.valence is not None:
                painter.fillRect(area, colours.band_wash(band.valence))
                painter.setPen(QPen(colours.feeling_edge(band.valence), 1.6))
                painter.setBrush(colours.feeling(band.valence))
                painter.drawEllipse(QPointF(px(16), band.line_y - top), px(5), px(5))
                painter.setPen(colours.ink)
                text_rect = QRectF(
                    px(28), band.line_y - top - px(12), self.width() - px(32), px(24)
                )
                painter.drawText(
                    text_rect,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    _feeling_words(band.valence),
                )
            elif band.area is not None:
                painter.fillRect(area, colours.lane_wash(band.index))
                painter.setPen(colours.ink)
                text_rect = QRectF(
                    px(12), band.top - top + px(4), self.width() - px(18), band.height - px(8)
                )
                flags = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
                wrap = int(Qt.TextFlag.TextWordWrap)
                label = band.area.label
                room = QRectF(0, 0, text_rect.width(), 1e4)
                wrapped = kit.metrics.boundingRect(room, flags | wrap, label)
                if wrapped.height() <= max(text_rect.height(), kit.metrics.height()):
                    flags |= wrap
                else:  # a thin lane: one line, cut short, rather than words cut in half
                    label = kit.metrics.elidedText(
                        label, Qt.TextElideMode.ElideRight, text_rect.width()
                    )
                    text_rect.adjust(0, -px(4), 0, px(4))
                painter.drawText(text_rect, flags, label)
        painter.setPen(QPen(colours.hairline.darker(112), 1.0))
        painter.drawLine(self.width() - 1, 0, self.width() - 1, self.height())
        painter.end()


def _feeling_words(valence: int) -> str:
    """A band's feeling as the ruler writes it: "Very good", "In between"."""
    words = describe_feeling(valence)
    return words[:1].upper() + words[1:]
