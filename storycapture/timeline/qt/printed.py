"""The timeline picture on paper: the lifeline, the feelings beside it and the years beneath,
drawn once onto a page (a PDF or a printer) instead of into a view.

The scene is the same ``TimelineScene`` the window shows, in the light look and in large
type, laid out for the page's width and rendered whole (``QGraphicsScene.render``): the
bands, the feelings' words and the axis, which a view draws around its scene, are drawn here
the same way. The page must be painted at the screen's resolution (``screen_dpi``), since the
picture's words were measured for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from storycapture.domain.story import TimelineEvent
from storycapture.domain.vocabulary import describe_feeling
from storycapture.timeline.layout import (
    Axis,
    LayoutMode,
    TimeScale,
    axis,
    is_private,
    seeks_help,
)
from storycapture.timeline.qt.scene import TimelineScene
from storycapture.timeline.qt.style import LIGHT

PRINT_TYPE_PT = 14.0  # the picture's words on paper


def screen_dpi() -> int:
    """The resolution the picture's words are measured at (the screen's logical DPI)."""
    app = QGuiApplication.instance()
    screen = QGuiApplication.primaryScreen() if app is not None else None
    return round(screen.logicalDotsPerInchY()) if screen is not None else 96


def _feeling_words(valence: int) -> str:
    words = describe_feeling(valence)
    return words[:1].upper() + words[1:]


class PrintedTimeline:
    """One storyteller's lifeline for a page: ``paint`` fits it into a rectangle."""

    def __init__(
        self,
        events: Sequence[TimelineEvent],
        birth_year: int | None,
        today: datetime.date,
        type_pt: float = PRINT_TYPE_PT,
    ) -> None:
        self.scene = TimelineScene(today=lambda: today)
        kit = self.scene.kit
        kit.paper = True
        self.scene.set_colours(LIGHT)
        base = kit.font.pointSizeF() / kit.scale
        self.scene.set_picture_scale(max(1.0, min(3.0, type_pt / base)))
        self.scene.set_mode(LayoutMode.LIFELINE)
        self.scene.set_events(events, birth_year)
        placed = self.scene.placed.placed
        self.has_picture = bool(placed)
        self.seeks_help = any(seeks_help(p.event) for p in placed)
        self.has_private = any(is_private(p.event) for p in placed)

    def _label_width(self) -> float:
        kit = self.scene.kit
        words = max(kit.text_width(_feeling_words(v)) for v in range(-3, 4))
        return kit.px(28) + words + kit.px(14)

    def _axis_height(self) -> float:
        kit = self.scene.kit
        return kit.px(10) + kit.metrics.height() + kit.px(4) + kit.small_metrics.height()

    def _today_height(self) -> float:
        """Room above the picture for the word "Today" at the top of its line."""
        return self.scene.kit.small_metrics.height() + self.scene.kit.px(2)

    def _lay_out(self, width: float, height: float) -> None:
        scene = self.scene
        scene.set_view_size(width, height)
        first, last = scene.extent()
        scene.set_scale(TimeScale.fitting(first, last, width))
        scene.materialise(0.0, scene.layout.width, force=True)
        # Every item paints afresh onto the page: a kept picture would be a blurred bitmap.
        for item in scene.items():
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """The feelings at the left, the lifeline, the years beneath: all within ``rect``
        (drawn a little smaller when the page is too short for the bands' least height)."""
        label_w = self._label_width()
        axis_h = self._axis_height() + self._today_height()
        self._lay_out(rect.width() - label_w, rect.height() - axis_h)
        needed = self.scene.layout.height + axis_h
        shrink = 1.0
        if needed > rect.height():
            shrink = rect.height() / needed
            self._lay_out(rect.width() / shrink - label_w, rect.height() / shrink - axis_h)
        painter.save()
        painter.translate(rect.topLeft())
        painter.scale(shrink, shrink)
        painter.translate(0.0, self._today_height())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._paint_picture(painter, label_w)
        painter.restore()

    def _paint_picture(self, painter: QPainter, label_w: float) -> None:
        scene = self.scene
        kit = scene.kit
        px = kit.px
        colours = kit.colours
        layout = scene.layout
        width, height = layout.width, layout.height
        ticks = axis(
            layout.scale, 0.0, width, birth_year=scene.birth_year, measure=kit.text_width,
            sizes=kit.sizes,
        )  # fmt: skip
        painter.fillRect(QRectF(0, 0, label_w + width, height), colours.paper)
        middle = colours.mix(colours.hairline, colours.soft_ink, 0.45)
        painter.setFont(kit.font)
        for band in layout.bands.bands:
            valence = band.valence if band.valence is not None else 0
            wash = colours.band_wash(valence)
            painter.fillRect(QRectF(0, band.top, label_w + width, band.height), wash)
            grid = colours.mix(wash, colours.hairline, 0.8)
            for tick in ticks.ticks:
                if tick.major and 0 <= tick.x <= width:
                    painter.fillRect(QRectF(label_w + tick.x, band.top, 0.8, band.height), grid)
            line = middle if valence == 0 else colours.mix(wash, colours.hairline, 0.9)
            painter.fillRect(QRectF(label_w, band.line_y, width, 0.8), line)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours.feeling(valence))
            painter.drawEllipse(QPointF(px(14), band.line_y), px(5), px(5))
            painter.setPen(colours.ink)
            painter.drawText(
                QRectF(px(26), band.line_y - px(14), label_w - px(28), px(28)),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                _feeling_words(valence),
            )
        today = label_w + layout.today_x
        if label_w <= today <= label_w + width:
            pen = QPen(colours.accent, 1.0)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(today, -px(2)), QPointF(today, height))
            # Above the picture, where no moment can cover it.
            painter.setFont(kit.small_font)
            painter.setPen(colours.accent.darker(130))
            label = "Today"
            left = max(0.0, today - kit.small_width(label) - px(4))
            painter.drawText(QPointF(left, -px(2) - kit.small_metrics.descent()), label)
        picture = QRectF(0, 0, width, height)
        scene.render(painter, picture.translated(label_w, 0), picture)
        self._paint_axis(painter, label_w, height, ticks)

    def _paint_axis(self, painter: QPainter, left: float, top: float, ticks: Axis) -> None:
        kit = self.scene.kit
        px = kit.px
        colours = kit.colours
        width = self.scene.layout.width
        painter.setPen(QPen(colours.hairline.darker(112), 1.0))
        painter.drawLine(QPointF(left, top), QPointF(left + width, top))
        offset = kit.sizes.label_offset
        label_y = top + px(8) + kit.metrics.ascent()
        age_y = label_y + kit.metrics.descent() + px(4) + kit.small_metrics.ascent()

        def fits(x: float, text_width: float) -> bool:
            return x >= 0 and x + text_width <= width

        for tick in ticks.ticks:
            if not 0 <= tick.x <= width:
                continue
            x = left + tick.x
            painter.setPen(QPen(colours.soft_ink if tick.major else colours.hairline.darker(120)))
            painter.drawLine(QPointF(x, top), QPointF(x, top + (px(6) if tick.major else px(3))))
            if tick.label and fits(tick.x + offset, kit.text_width(tick.label)):
                painter.setFont(kit.font)
                painter.setPen(colours.ink)
                painter.drawText(QPointF(x + offset, label_y), tick.label)
            if tick.age and fits(tick.x + offset, kit.small_width(tick.age)):
                painter.setFont(kit.small_font)
                painter.setPen(colours.soft_ink)
                painter.drawText(QPointF(x + offset, age_y), tick.age)
        for tick in ticks.context:
            x = max(0.0, tick.x)
            if fits(x + offset, kit.small_width(tick.label)):
                painter.setFont(kit.small_font)
                painter.setPen(colours.soft_ink)
                painter.drawText(QPointF(left + x + offset, age_y), tick.label)

    def clear(self) -> None:
        """Forget the story (the page is painted)."""
        self.scene.clear_story()
