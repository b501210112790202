"""Lifelines aligned by age or by calendar year: every storyteller's ups and downs faint on one
picture, a theme or a life area highlighted (its moments as large outlined diamonds, their
lines darker, the rest fading), and, shaded behind and counted beneath, where many lives dip."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLineF, QPointF, QRect, QRectF, QSize, Qt, Slot
from PySide6.QtGui import (
    QBrush,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QWidget,
)

from storycapture.domain.vocabulary import LifeArea, describe_feeling, feeling_phrase
from storycapture.hub.across import (
    AlignedLifelines,
    Alignment,
    Emphasis,
    Life,
    LifelinePoint,
    align_lifelines,
    csv_bytes,
    emphasis,
    read_lives,
    write_lifelines_csv,
)
from storycapture.hub.qt.across_kit import AcrossView, Colours, colours, faded, slide_font
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.room import Theme
from storycapture.qtkit.looks import scaled_px

NOTHING = "Nothing highlighted"
WHOLE_LINES = 24  # up to this many highlighted lives are drawn strong end to end


@dataclass(frozen=True)
class Frame:
    """Where things go on the picture: the plot, the strip of dips beneath, and the axis's
    range (``low`` … ``high`` years)."""

    plot: QRectF
    strip: QRectF
    low: float
    high: float
    legend_top: float

    def x(self, value: float) -> float:
        return self.plot.left() + (value - self.low) / (self.high - self.low) * self.plot.width()

    def y(self, valence: float) -> float:
        return self.plot.top() + (3.5 - valence) / 7 * self.plot.height()


def lifelines_frame(size: QSize, aligned: AlignedLifelines | None, title: bool) -> Frame:
    margin = 16.0
    top = margin + (34 if title else 0)
    legend_top = top
    top += 30
    left, right = margin + 118, margin + 8
    strip_height, axis_height = 86.0, 40.0
    bottom = size.height() - margin - strip_height - axis_height
    plot = QRectF(left, top, max(40.0, size.width() - left - right), max(60.0, bottom - top))
    strip = QRectF(left, plot.bottom() + axis_height, plot.width(), strip_height - 8)
    low, high = 0.0, 10.0
    span = aligned.span() if aligned is not None else None
    if aligned is not None and span is not None:
        step = aligned.bucket_years
        low = math.floor(span[0] / step) * step
        high = max(low + step, math.ceil(span[1] / step) * step)
    return Frame(plot, strip, low, high, legend_top)


def _diamond(centre: QPointF, radius: float) -> QPolygonF:
    return QPolygonF(
        [
            QPointF(centre.x(), centre.y() - radius),
            QPointF(centre.x() + radius, centre.y()),
            QPointF(centre.x(), centre.y() + radius),
            QPointF(centre.x() - radius, centre.y()),
        ]
    )


def _most_dip_threshold(aligned: AlignedLifelines) -> int:
    """How many lives must dip in a bucket for the picture to shade it: at least two, and at
    least three fifths of the most that dip anywhere."""
    most = max(aligned.dips.values(), default=0)
    return max(2, math.ceil(most * 0.6))


def _lives(count: int) -> str:
    return "1 life" if count == 1 else f"{count} lives"


def paint_lifelines(
    painter: QPainter,
    size: QSize,
    aligned: AlignedLifelines | None,
    chosen: Emphasis,
    looks: Colours,
    title: str = "",
    highlight_words: str = "",
) -> None:
    painter.fillRect(QRect(0, 0, size.width(), size.height()), looks.paper)
    if aligned is None:
        return
    frame = lifelines_frame(size, aligned, bool(title))
    plot, strip = frame.plot, frame.strip
    by_age = aligned.alignment is Alignment.AGE
    if title:
        painter.setFont(slide_font(17, bold=True))
        painter.setPen(looks.ink)
        painter.drawText(
            QRectF(16, 16, size.width() - 32, 28),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
    _paint_legend(painter, frame, looks, chosen, highlight_words, size.width())
    # Where many lives dip: a soft band behind the lines.
    threshold = _most_dip_threshold(aligned)
    step = aligned.bucket_years
    painter.setFont(slide_font(13))
    for bucket, count in aligned.dips.items():
        if count < threshold:
            continue
        band = QRectF(
            frame.x(bucket), plot.top(), frame.x(bucket + step) - frame.x(bucket), plot.height()
        )
        band = band.intersected(plot)
        painter.fillRect(band, faded(looks.feeling(-3), 0.16))
        painter.fillRect(band, QBrush(faded(looks.feeling(-3), 0.35), Qt.BrushStyle.BDiagPattern))
        painter.setPen(looks.ink)
        painter.drawText(
            band.adjusted(2, 4, -2, 0),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            _lives(count),
        )
    # The grid: a line for each feeling, named on the left; the years along the bottom.
    painter.setFont(slide_font(13))
    for valence in range(-3, 4):
        y = frame.y(valence)
        painter.setPen(QPen(looks.soft_ink if valence == 0 else looks.hairline, 1))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(looks.soft_ink)
        painter.drawText(
            QRectF(16, y - 10, plot.left() - 24, 20),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            describe_feeling(valence),
        )
    tick = 10 if frame.high - frame.low <= 120 else 20
    first = math.ceil(frame.low / tick) * tick
    for value in range(int(first), int(frame.high) + 1, tick):
        x = frame.x(value)
        painter.setPen(QPen(looks.hairline, 1))
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(looks.soft_ink)
        painter.drawText(
            QRectF(x - 40, plot.bottom() + 4, 80, 18),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            str(value),
        )
    painter.setPen(looks.ink)
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + 20, plot.width(), 18),
        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
        "Age (years)" if by_age else "Year",
    )
    _paint_lines(painter, frame, aligned, chosen, looks)
    _paint_dips_strip(painter, frame, aligned, looks)
    del strip


def _paint_legend(
    painter: QPainter,
    frame: Frame,
    looks: Colours,
    chosen: Emphasis,
    highlight_words: str,
    width: int,
) -> None:
    top = frame.legend_top
    x = frame.plot.left()
    painter.setFont(slide_font(13))
    painter.setPen(QPen(faded(looks.soft_ink, 0.6), 2))
    painter.drawLine(QPointF(x, top + 11), QPointF(x + 26, top + 11))
    painter.setPen(looks.ink)
    words = "a life (a moment with no feeling said is not on it)"
    painter.drawText(QRectF(x + 32, top, 400, 22), int(Qt.AlignmentFlag.AlignVCenter), words)
    x += 32 + painter.fontMetrics().horizontalAdvance(words) + 24
    if chosen.active:
        painter.setPen(QPen(looks.ink, 1.5))
        painter.setBrush(looks.accent)
        painter.drawPolygon(_diamond(QPointF(x + 8, top + 11), 7))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(looks.ink)
        words = f"highlighted: {highlight_words}"
        painter.drawText(
            QRectF(x + 22, top, max(0, width - x - 40), 22),
            int(Qt.AlignmentFlag.AlignVCenter),
            painter.fontMetrics().elidedText(
                words, Qt.TextElideMode.ElideRight, max(0, int(width - x - 300))
            ),
        )
        x += (
            22
            + min(painter.fontMetrics().horizontalAdvance(words), max(0, int(width - x - 300)))
            + 24
        )
    band = QRectF(x, top + 3, 26, 16)
    painter.fillRect(band, faded(looks.feeling(-3), 0.16))
    painter.fillRect(band, QBrush(faded(looks.feeling(-3), 0.35), Qt.BrushStyle.BDiagPattern))
    painter.setPen(looks.ink)
    painter.drawText(
        QRectF(x + 32, top, 300, 22),
        int(Qt.AlignmentFlag.AlignVCenter),
        "where many lives dip",
    )


def _paint_lines(
    painter: QPainter,
    frame: Frame,
    aligned: AlignedLifelines,
    chosen: Emphasis,
    looks: Colours,
) -> None:
    lines = [line for line in aligned.lines if line.drawn()]
    if not lines:
        return
    base = max(0.08, min(0.55, 0.9 / math.sqrt(len(lines))))
    faint = base * (0.45 if chosen.active else 1.0)
    painter.save()
    painter.setClipRect(frame.plot.adjusted(-8, -8, 8, 8))
    line_pen = QPen(faded(looks.soft_ink, faint), 1)
    line_pen.setCosmetic(True)  # the raster engine's fast path: thicker faint lines cost 15x
    dot_pen = QPen(faded(looks.soft_ink, min(1.0, faint * 1.6)), 4.5)
    dot_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    standing: list[tuple[LifelinePoint, QPointF]] = []
    # Segments, not polylines: a see-through polyline that crosses itself is stroked as one
    # outline (so its crossings do not darken), which costs ~10 ms a line; the segments of
    # every faint line go in one call.
    faint_segments: list[QLineF] = []
    faint_dots: list[QPointF] = []
    strong_segments: list[QLineF] = []
    strong_dots: list[QPointF] = []
    # A few lives highlighted stand out whole; many (a life area touches most lives) would
    # leave nothing faint, so then only the steps into and out of each highlighted moment do.
    whole = len(chosen.lines) <= WHOLE_LINES
    for line in lines:
        points = [(p, QPointF(frame.x(p.x), frame.y(p.valence or 0))) for p in line.drawn()]
        steps = list(itertools.pairwise(points))
        if whole and line.storyteller_uuid in chosen.lines:
            strong_dots.extend(at for _, at in points)
            strong_segments.extend(QLineF(a, b) for (_, a), (_, b) in steps)
        else:
            faint_dots.extend(at for _, at in points)
            faint_segments.extend(QLineF(a, b) for (_, a), (_, b) in steps)
            if not whole and line.storyteller_uuid in chosen.lines:
                strong_segments.extend(
                    QLineF(a, b)
                    for (p, a), (q, b) in steps
                    if p.moment_uuid in chosen.moments or q.moment_uuid in chosen.moments
                )
        standing.extend((p, at) for p, at in points if p.moment_uuid in chosen.moments)
    painter.setPen(line_pen)
    painter.drawLines(faint_segments)
    painter.setPen(dot_pen)
    painter.drawPoints(faint_dots)
    if chosen.active:
        painter.setPen(QPen(faded(looks.ink, 0.55), 1.8))
        painter.drawLines(strong_segments)
        strong_dot = QPen(faded(looks.ink, 0.6), 4.5)
        strong_dot.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(strong_dot)
        painter.drawPoints(strong_dots)
        # How far each highlighted moment's date could reach (an "about", a decade …).
        painter.setPen(QPen(faded(looks.accent, 0.7), 2))
        for point, at in standing:
            if point.x_to - point.x_from > 1.01:
                painter.drawLine(
                    QPointF(frame.x(point.x_from), at.y()), QPointF(frame.x(point.x_to), at.y())
                )
        painter.setPen(QPen(looks.ink, 1.5))
        painter.setBrush(looks.accent)
        for _point, at in standing:
            painter.drawPolygon(_diamond(at, 7))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.restore()


def _paint_dips_strip(
    painter: QPainter, frame: Frame, aligned: AlignedLifelines, looks: Colours
) -> None:
    strip = frame.strip
    painter.setFont(slide_font(13))
    painter.setPen(looks.ink)
    painter.drawText(
        QRectF(16, strip.top(), strip.left() - 24, strip.height()),
        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap),
        "Lives with a hard time then",
    )
    painter.setPen(QPen(looks.hairline, 1))
    painter.drawLine(strip.bottomLeft(), strip.bottomRight())
    most = max(aligned.dips.values(), default=0)
    if not most:
        painter.setPen(looks.soft_ink)
        painter.drawText(
            strip,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            "No moment here felt hard or very hard.",
        )
        return
    deepest = set(aligned.deepest())
    step = aligned.bucket_years
    room = strip.height() - 18
    for bucket, count in aligned.dips.items():
        left, right = frame.x(bucket) + 2, frame.x(bucket + step) - 2
        height = max(2.0, room * count / most)
        bar = QRectF(left, strip.bottom() - height, max(1.0, right - left), height)
        painter.fillRect(bar, looks.feeling(-2))
        painter.fillRect(bar, QBrush(faded(looks.ink, 0.25), Qt.BrushStyle.BDiagPattern))
        if bucket in deepest:
            painter.setPen(QPen(looks.ink, 1.5))
            painter.drawRect(bar)
        painter.setPen(looks.ink)
        painter.drawText(
            QRectF(left - 10, bar.top() - 18, right - left + 20, 16),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
            str(count),
        )


class LifelinesPicture(QWidget):
    """The picture on screen: it draws ``aligned`` with ``emphasis`` (the model it reads)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.aligned: AlignedLifelines | None = None
        self.emphasis = Emphasis()
        self.highlight_words = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(scaled_px(320))
        self.setAccessibleName("Lifelines side by side")

    def show_lines(self, aligned: AlignedLifelines | None, chosen: Emphasis, words: str) -> None:
        self.aligned, self.emphasis, self.highlight_words = aligned, chosen, words
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, 560)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_lifelines(
            painter, self.size(), self.aligned, self.emphasis, colours(), "", self.highlight_words
        )
        painter.end()

    def point_at(self, at: QPointF) -> tuple[str, LifelinePoint] | None:
        """The drawn moment nearest ``at`` (within a finger's width), with its pseudonym."""
        if self.aligned is None:
            return None
        frame = lifelines_frame(self.size(), self.aligned, False)
        best: tuple[float, str, LifelinePoint] | None = None
        for line in self.aligned.lines:
            for point in line.drawn():
                dx = frame.x(point.x) - at.x()
                dy = frame.y(point.valence or 0) - at.y()
                distance = dx * dx + dy * dy
                if distance <= 144 and (best is None or distance < best[0]):
                    best = (distance, line.pseudonym, point)
        return None if best is None else (best[1], best[2])

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            found = self.point_at(QPointF(event.pos()))
            if found is None:
                QToolTip.hideText()
            else:
                pseudonym, point = found
                QToolTip.showText(
                    event.globalPos(),
                    f"{pseudonym}: {point.title} ({point.when}), {feeling_phrase(point.valence)}",
                    self,
                )
            return True
        return super().event(event)


class AlignedLifelinesView(AcrossView):
    """Everyone's lifelines on one picture, lined up by age or by calendar year; highlight a
    theme or a life area; see where many lives dip."""

    title = "Lifelines side by side"
    file_stem = "lifelines-side-by-side"

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._lives: list[Life] = []
        self._themes: list[Theme] = []
        self._aligned: dict[Alignment, AlignedLifelines] = {}  # worked out once per read
        controls = QHBoxLayout()
        controls.setSpacing(scaled_px(8))
        controls.addWidget(QLabel("Line up by:"))
        self.by_age = QPushButton("Age")
        self.by_calendar = QPushButton("Calendar year")
        self.alignment_group = QButtonGroup(self)
        for button in (self.by_age, self.by_calendar):
            button.setCheckable(True)
            button.setMinimumHeight(scaled_px(40))
            self.alignment_group.addButton(button)
            controls.addWidget(button)
        self.by_age.setChecked(True)
        self._mark_chosen()
        self.alignment_group.buttonClicked.connect(self._alignment_chosen)
        controls.addSpacing(scaled_px(16))
        theme_label = QLabel("Highlight a theme:")
        controls.addWidget(theme_label)
        self.theme_choice = QComboBox()
        self.theme_choice.setAccessibleName("Highlight a theme")
        self.theme_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.theme_choice.setMinimumContentsLength(14)
        theme_label.setBuddy(self.theme_choice)
        controls.addWidget(self.theme_choice)
        area_label = QLabel("or a life area:")
        controls.addWidget(area_label)
        self.area_choice = QComboBox()
        self.area_choice.setAccessibleName("Highlight a life area")
        self.area_choice.addItem(NOTHING, None)
        for area in LifeArea:
            self.area_choice.addItem(area.label, area.value)
        area_label.setBuddy(self.area_choice)
        controls.addWidget(self.area_choice)
        controls.addStretch(1)
        self.body.addLayout(controls)
        self.picture = LifelinesPicture()
        self.body.addWidget(self.picture, 1)
        self.theme_choice.currentIndexChanged.connect(self._theme_chosen)
        self.area_choice.currentIndexChanged.connect(self._area_chosen)
        self._fill_themes([])

    @property
    def alignment(self) -> Alignment:
        return Alignment.CALENDAR if self.by_calendar.isChecked() else Alignment.AGE

    def set_alignment(self, alignment: Alignment) -> None:
        (self.by_calendar if alignment is Alignment.CALENDAR else self.by_age).setChecked(True)
        self._mark_chosen()
        self._redraw()

    def _mark_chosen(self) -> None:
        """The chosen way of lining up looks chosen (the window's strong button), not only
        pressed in."""
        for button in (self.by_age, self.by_calendar):
            button.setObjectName("primary" if button.isChecked() else "")
            button.style().unpolish(button)
            button.style().polish(button)

    def read(self) -> None:
        self._lives = read_lives(self.context.vault)
        self._aligned = {}
        self._themes = self.context.room.themes()
        self._fill_themes(self._themes)
        self._redraw()

    def _fill_themes(self, themes: list[Theme]) -> None:
        chosen = self.theme_choice.currentData()
        self.theme_choice.blockSignals(True)
        try:
            self.theme_choice.clear()
            self.theme_choice.addItem(NOTHING, None)
            for theme in themes:
                self.theme_choice.addItem(theme.name, theme.uuid)
            at = self.theme_choice.findData(chosen) if chosen else 0
            self.theme_choice.setCurrentIndex(max(0, at))
        finally:
            self.theme_choice.blockSignals(False)

    def highlight_theme(self, theme_uuid: str | None) -> None:
        at = self.theme_choice.findData(theme_uuid) if theme_uuid else 0
        self.theme_choice.setCurrentIndex(max(0, at))

    def highlight_area(self, area: LifeArea | None) -> None:
        at = self.area_choice.findData(area.value) if area else 0
        self.area_choice.setCurrentIndex(max(0, at))

    @Slot(int)
    def _theme_chosen(self, _index: int) -> None:
        if self.theme_choice.currentData():
            self.area_choice.blockSignals(True)
            self.area_choice.setCurrentIndex(0)
            self.area_choice.blockSignals(False)
        self._redraw()

    @Slot(int)
    def _area_chosen(self, _index: int) -> None:
        if self.area_choice.currentData():
            self.theme_choice.blockSignals(True)
            self.theme_choice.setCurrentIndex(0)
            self.theme_choice.blockSignals(False)
        self._redraw()

    @Slot()
    def _alignment_chosen(self) -> None:
        self._mark_chosen()
        self._redraw()

    def _chosen(self) -> tuple[str | None, LifeArea | None, str]:
        theme = self.theme_choice.currentData()
        area = self.area_choice.currentData()
        if theme:
            return theme, None, f"moments in “{self.theme_choice.currentText()}”"
        if area:
            return None, LifeArea(area), f"moments about {LifeArea(area).label.lower()}"
        return None, None, ""

    def _redraw(self) -> None:
        if not self._lives:
            self.picture.show_lines(None, Emphasis(), "")
            return
        aligned = self._aligned.get(self.alignment)
        if aligned is None:
            aligned = self._aligned[self.alignment] = align_lifelines(self._lives, self.alignment)
        theme, area, words = self._chosen()
        chosen = emphasis(aligned, theme=theme, life_area=area)
        self.picture.show_lines(aligned, chosen, words)
        self.summary.setText(self._summary(aligned, chosen, words))
        self.picture.setAccessibleDescription(self.summary.text())

    def _summary(self, aligned: AlignedLifelines, chosen: Emphasis, words: str) -> str:
        by_age = aligned.alignment is Alignment.AGE
        drawn = aligned.lives_drawn()
        said = [f"{_lives(drawn)} on the picture, lined up by {'age' if by_age else 'year'}."]
        if aligned.no_birth_year:
            names = ", ".join(aligned.no_birth_year)
            said.append(
                f"No birth year, so not lined up by age: {names}."
                if len(aligned.no_birth_year) <= 6
                else f"{len(aligned.no_birth_year)} storytellers have no birth year, so are "
                "not lined up by age."
            )
        left_out = []
        if aligned.undated:
            left_out.append(f"{aligned.undated} with no date yet")
        if aligned.unplaced:
            left_out.append(
                f"{aligned.unplaced} whose date can’t be placed by {'age' if by_age else 'year'}"
            )
        if left_out:
            said.append(f"Moments left out: {' and '.join(left_out)}.")
        deepest = aligned.deepest()
        if deepest:
            where = ", ".join(aligned.bucket_words(b) for b in deepest)
            count = aligned.dips[deepest[0]]
            said.append(f"Where most lives dip: {where} ({count} of {drawn} had a hard time then).")
        if chosen.active:
            said.append(
                f"Highlighted: {len(chosen.moments)} "
                f"{words.replace('moments', 'moment', 1) if len(chosen.moments) == 1 else words}"
                f" on {_lives(len(chosen.lines))}."
                if chosen.moments
                else f"No {words} on the picture."
            )
        return " ".join(said)

    def show_nothing(self) -> None:
        self._lives = []
        self._aligned = {}
        self._themes = []
        self._fill_themes([])
        self.picture.show_lines(None, Emphasis(), "")
        self.picture.setAccessibleDescription("")

    # --- exporting -------------------------------------------------------------------------

    def picture_size(self) -> QSize:
        return QSize(1600, 900)

    def paint_picture(self, painter: QPainter, size: QSize) -> None:
        aligned = self.picture.aligned
        by = "age" if aligned is None or aligned.alignment is Alignment.AGE else "calendar year"
        paint_lifelines(
            painter,
            size,
            aligned,
            self.picture.emphasis,
            colours("light"),
            f"Lifelines side by side, lined up by {by}",
            self.picture.highlight_words,
        )

    def table_bytes(self) -> bytes:
        aligned = self.picture.aligned or AlignedLifelines(self.alignment, (), (), 5, {})
        names = {t.uuid: t.name for t in self._themes}
        return csv_bytes(lambda out: write_lifelines_csv(aligned, out, names))
