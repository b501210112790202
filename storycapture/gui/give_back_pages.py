"""The pages of the storyteller's give-back copy, painted onto a PDF or a printer.

A warm title page; the lifeline on a landscape page; every moment in time order; the
strengths boards, each zone's cards as rounded boxes; the quotes and photos they chose
(photos from their bytes in memory, each with its caption). Everything is
drawn here with QPainter from plain values (``GiveBackStory``), in light colours that print
well on any printer and type no smaller than 14 pt for what is meant to be read.

The device must paint at the screen's resolution (``screen_dpi``): the lifeline's words are
measured for it. Sizes here are given in points and turned into the device's units.
"""

from __future__ import annotations

import datetime
import itertools

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPen,
    QTextLayout,
    QTextOption,
)

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.vocabulary import Visibility, feeling_phrase
from storycapture.giveback import GiveBackStory
from storycapture.qtkit.palette import GIVE_BACK
from storycapture.strengths.board import BOARDS, Board, in_zone
from storycapture.strengths.qt.style import LIGHT as BOARD_LOOK
from storycapture.timeline.layout import seeks_help
from storycapture.timeline.qt.printed import PrintedTimeline
from storycapture.timeline.qt.style import LIGHT as TIMELINE_LOOK
from storycapture.timeline.qt.style import draw_lifebuoy, draw_lock

GENTLE_LINE = "This is your story, told in your words. It belongs to you."
IN_YOUR_WORDS = "— in your words"

# Light, warm and calm on paper: dark brown words, a terracotta accent, the app's washes.
INK = QColor(GIVE_BACK["ink"])
SOFT_INK = QColor(GIVE_BACK["soft_ink"])
ACCENT = QColor(GIVE_BACK["accent"])
QUOTE_MARK = QColor(GIVE_BACK["quote_mark"])


def moment_dot(valence: int | None) -> tuple[QColor, QColor]:
    """The fill and the edge of a moment's dot in the book: the feeling's soft colour inside an
    edge that shows on the white page at 3:1 or more (WCAG 1.4.11), as on the timeline."""
    return TIMELINE_LOOK.feeling(valence), TIMELINE_LOOK.feeling_edge(valence)


TITLE_PT = 40.0
HEADING_PT = 28.0
SUBHEADING_PT = 21.0
ZONE_PT = 18.0
QUOTE_PT = 19.0
BODY_PT = 16.0
SMALL_PT = 14.0  # the least size of anything meant to be read
FOOTER_PT = 11.0
MARGINS_MM = QMarginsF(18.0, 16.0, 18.0, 14.0)
LANDSCAPE_MARGINS_MM = QMarginsF(16.0, 12.0, 16.0, 11.0)
SERIF_FAMILIES = [
    "Georgia",
    "Charter",
    "Palatino Linotype",
    "Book Antiqua",
    "Palatino",
    "Noto Serif",
    "DejaVu Serif",
    "Liberation Serif",
    "Times New Roman",
]


class PrintFailed(StoryCaptureError):
    """The page could not be painted (the printer or file would not start)."""


def serif(points: float, italic: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(SERIF_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(points)
    font.setItalic(italic)
    return font


def sans(points: float, weight: QFont.Weight = QFont.Weight.Normal, italic: bool = False) -> QFont:
    base = QGuiApplication.font() if QGuiApplication.instance() is not None else QFont()
    font = QFont(base)
    font.setPointSizeF(points)
    font.setWeight(weight)
    font.setItalic(italic)
    return font


def page_layout(size: QPageSize, landscape: bool) -> QPageLayout:
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    margins = LANDSCAPE_MARGINS_MM if landscape else MARGINS_MM
    return QPageLayout(size, orientation, margins, QPageLayout.Unit.Millimeter)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _lines_of(text: str) -> str:
    """Line breaks as QTextLayout keeps them (it ignores a plain newline)."""
    return text.replace("\r\n", "\n").replace("\n", "\u2028")


class Paragraph:
    """Text wrapped to a width, which can be drawn a range of lines at a time."""

    def __init__(
        self,
        text: str,
        font: QFont,
        width: float,
        device: QPagedPaintDevice,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        spacing: float = 1.18,
    ) -> None:
        self.layout = QTextLayout(_lines_of(text), font, device)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setAlignment(align)
        self.layout.setTextOption(option)
        self.tops: list[float] = []
        self.heights: list[float] = []
        self.layout.beginLayout()
        y = 0.0
        while True:
            line = self.layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0.0, y))
            step = line.height() * spacing
            self.tops.append(y)
            self.heights.append(step)
            y += step
        self.layout.endLayout()
        self.width = width

    @property
    def count(self) -> int:
        return len(self.tops)

    def height(self, start: int = 0, end: int | None = None) -> float:
        end = self.count if end is None else end
        return sum(self.heights[start:end])

    def fitting(self, start: int, room: float) -> int:
        """How many lines from ``start`` fit in ``room`` (at least one)."""
        used, end = 0.0, start
        while end < self.count and used + self.heights[end] <= room:
            used += self.heights[end]
            end += 1
        return max(end, start + 1) if start < self.count else start

    def draw(
        self, painter: QPainter, at: QPointF, colour: QColor, start: int = 0, end: int | None = None
    ) -> None:
        end = self.count if end is None else end
        if start >= end:
            return
        painter.setPen(colour)
        shift = QPointF(at.x(), at.y() - self.tops[start])
        for number in range(start, end):
            self.layout.lineAt(number).draw(painter, shift)


class _Writer:
    """Pages one after another on ``device``, each portrait or landscape, with a footer."""

    def __init__(self, device: QPagedPaintDevice, size: QPageSize, footer: str) -> None:
        self.device = device
        self.size = size
        self.footer = footer
        self.pages = 0
        self.painter = QPainter()
        self._rotated = False
        self._footed = False
        self.dpi = 96.0
        self.rect = QRectF()
        self.y = 0.0
        self.bottom = 0.0

    def pt(self, points: float) -> float:
        return points * self.dpi / 72.0

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def start(self, landscape: bool = False, footer: bool = True) -> QRectF:
        """Begin a new page; the rectangle to draw in, less the footer's room."""
        self.finish_page()
        rotated = False
        if not self.device.setPageLayout(page_layout(self.size, landscape)):
            # A printer that keeps one orientation: the landscape page is turned on it.
            self.device.setPageLayout(page_layout(self.size, False))
            rotated = landscape
        if self.pages == 0:
            if not self.painter.begin(self.device):
                raise PrintFailed("The pages could not be started. Please try again.")
        elif not self.device.newPage():
            raise PrintFailed("A new page could not be started. Please try again.")
        self.pages += 1
        self.dpi = float(self.device.logicalDpiY())
        painter = self.painter
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        width, height = float(self.device.width()), float(self.device.height())
        self._rotated = rotated
        if rotated:
            painter.save()
            painter.translate(width, 0.0)
            painter.rotate(90.0)
            width, height = height, width
        self._footed = footer
        self.rect = QRectF(0.0, 0.0, width, height)
        self.y = 0.0
        self.bottom = height - (self.pt(26) if footer else 0.0)
        return QRectF(0.0, 0.0, width, self.bottom)

    def finish_page(self) -> None:
        if self.pages == 0:
            return
        if self._footed:
            self._paint_footer()
        if self._rotated:
            self.painter.restore()
            self._rotated = False

    def end(self) -> int:
        self.finish_page()
        if self.painter.isActive():
            self.painter.end()
        return self.pages

    def _paint_footer(self) -> None:
        painter = self.painter
        font = sans(FOOTER_PT)
        metrics = self.metrics(font)
        painter.setFont(font)
        painter.setPen(SOFT_INK)
        baseline = self.rect.bottom() - metrics.descent()
        number = str(self.pages)
        room = self.rect.width() - metrics.horizontalAdvance(number) - self.pt(24)
        title = metrics.elidedText(self.footer, Qt.TextElideMode.ElideRight, room)
        painter.drawText(QPointF(0.0, baseline), title)
        painter.drawText(
            QPointF(self.rect.right() - metrics.horizontalAdvance(number), baseline), number
        )

    def room(self) -> float:
        return self.bottom - self.y


class _Copy:
    """Paints one ``GiveBackStory`` page by page."""

    def __init__(self, story: GiveBackStory, device: QPagedPaintDevice, size: QPageSize) -> None:
        self.story = story
        self.out = _Writer(device, size, story.title)
        self.device = device

    @property
    def painter(self) -> QPainter:
        return self.out.painter

    def pt(self, points: float) -> float:
        return self.out.pt(points)

    def paint(self) -> int:
        try:
            self._title_page()
            timeline = PrintedTimeline(self.story.events, self.story.birth_year, self.story.made_on)
            try:
                if timeline.has_picture:
                    self._timeline_page(timeline)
            finally:
                timeline.clear()
            if self.story.events:
                self._moments()
            if self.story.cards:
                self._strengths()
            if self.story.quotes:
                self._quotes()
            if self.story.photos:
                self._photos()
        finally:
            pages = self.out.end()
        return pages

    # -- the title page ---------------------------------------------------------------------

    def _title_page(self) -> None:
        rect = self.out.start(footer=False)
        painter, pt = self.painter, self.pt
        width = rect.width()
        self._wave(QRectF(0, rect.height() * 0.08, width, rect.height() * 0.2))
        title = Paragraph(
            self.story.title, serif(TITLE_PT), width, self.device, Qt.AlignmentFlag.AlignHCenter
        )
        y = rect.height() * 0.38
        title.draw(painter, QPointF(0, y), INK)
        y += title.height() + pt(14)
        painter.setPen(QPen(ACCENT, pt(1.5)))
        painter.drawLine(QPointF(width / 2 - pt(36), y), QPointF(width / 2 + pt(36), y))
        y += pt(18)
        made = Paragraph(
            _long_date(self.story.made_on), sans(SMALL_PT + 2), width, self.device,
            Qt.AlignmentFlag.AlignHCenter,
        )  # fmt: skip
        made.draw(painter, QPointF(0, y), SOFT_INK)
        y += made.height() + pt(40)
        gentle = Paragraph(
            GENTLE_LINE, serif(SUBHEADING_PT, italic=True), width * 0.8, self.device,
            Qt.AlignmentFlag.AlignHCenter, spacing=1.35,
        )  # fmt: skip
        gentle.draw(painter, QPointF(width * 0.1, y), INK)
        inside = [
            words
            for present, words in (
                (bool(self.story.events), "your timeline"),
                (bool(self.story.cards), "your strengths"),
                (bool(self.story.quotes), "your words"),
                (bool(self.story.photos), "your photos"),
            )
            if present
        ]
        if inside:
            listed = ", ".join(inside[:-1]) + (" and " if len(inside) > 1 else "") + inside[-1]
            note = Paragraph(
                f"Inside: {listed}.", sans(SMALL_PT), width, self.device,
                Qt.AlignmentFlag.AlignHCenter,
            )  # fmt: skip
            note.draw(painter, QPointF(0, rect.height() - note.height() - pt(8)), SOFT_INK)

    def _wave(self, rect: QRectF) -> None:
        """A soft line of ups and downs, rising to gold: a quiet picture of a life's story."""
        painter, pt = self.painter, self.pt
        colours = TIMELINE_LOOK
        path = QPainterPath()
        left, width = rect.left() + rect.width() * 0.12, rect.width() * 0.76
        mid = rect.center().y()
        heights = (0.1, -0.25, 0.35, 0.05, -0.3, -0.05, -0.42)
        points = [
            QPointF(left + width * i / (len(heights) - 1), mid + h * rect.height())
            for i, h in enumerate(heights)
        ]
        path.moveTo(points[0])
        for a, b in itertools.pairwise(points):
            dx = (b.x() - a.x()) / 2
            path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        gradient = QLinearGradient(left, 0, left + width, 0)
        gradient.setColorAt(0.0, colours.feeling(-2))
        gradient.setColorAt(0.5, colours.feeling(0))
        gradient.setColorAt(1.0, colours.feeling(3))
        pen = QPen(gradient, pt(2.6))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        for point, height in zip(points, heights, strict=True):
            painter.setBrush(colours.feeling(max(-3.0, min(3.0, -height * 8))))
            painter.drawEllipse(point, pt(4.5), pt(4.5))

    # -- headings ---------------------------------------------------------------------------

    def _heading(self, words: str, intro: str) -> QRectF:
        """A new page with a heading and a line about it; the room left below them."""
        rect = self.out.start()
        painter, pt = self.painter, self.pt
        heading = Paragraph(words, serif(HEADING_PT), rect.width(), self.device)
        heading.draw(painter, QPointF(0, 0), INK)
        y = heading.height() + pt(2)
        painter.setPen(QPen(ACCENT, pt(1.5)))
        painter.drawLine(QPointF(0, y + pt(2)), QPointF(pt(48), y + pt(2)))
        y += pt(12)
        if intro:
            line = Paragraph(intro, sans(SMALL_PT + 1), rect.width(), self.device)
            line.draw(painter, QPointF(0, y), SOFT_INK)
            y += line.height()
        self.out.y = y + pt(18)
        return QRectF(0, self.out.y, rect.width(), rect.bottom() - self.out.y)

    def _continued(self, words: str) -> None:
        rect = self.out.start()
        heading = Paragraph(f"{words} (continued)", serif(SUBHEADING_PT), rect.width(), self.device)
        heading.draw(self.painter, QPointF(0, 0), SOFT_INK)
        self.out.y = heading.height() + self.pt(14)

    # -- the timeline -----------------------------------------------------------------------

    def _timeline_page(self, timeline: PrintedTimeline) -> None:
        """The lifeline across a landscape page: a heading row (with what the marks mean at
        its right), then the picture in all the room left."""
        rect = self.out.start(landscape=True)
        painter, pt = self.painter, self.pt
        heading_font, intro_font = serif(HEADING_PT - 2), sans(SMALL_PT + 1)
        heading_metrics = self.out.metrics(heading_font)
        intro_metrics = self.out.metrics(intro_font)
        baseline = heading_metrics.ascent()
        painter.setFont(heading_font)
        painter.setPen(INK)
        heading = "Your timeline"
        painter.drawText(QPointF(0, baseline), heading)
        x = heading_metrics.horizontalAdvance(heading) + pt(16)
        intro = "the ups and downs of your life, as you told them"
        painter.setFont(intro_font)
        painter.setPen(SOFT_INK)
        painter.drawText(QPointF(x, baseline), intro)
        rule_y = heading_metrics.height() + pt(4)
        painter.setPen(QPen(ACCENT, pt(1.5)))
        painter.drawLine(QPointF(0, rule_y), QPointF(pt(48), rule_y))
        legend: list[tuple[str, str]] = []
        if timeline.seeks_help:
            legend.append(("lifebuoy", "a time you reached out for help"))
        if timeline.has_private:
            legend.append(("lock", "marked private"))
        top = rule_y + pt(12)
        if legend:
            room = rect.width() - x - intro_metrics.horizontalAdvance(intro) - pt(24)
            width = self._legend_width(legend, intro_font)
            if width <= room:  # beside the heading
                self._legend(legend, intro_font, rect.width() - width, baseline)
            else:  # in the middle of the footer's line, leaving the picture all the height
                font = sans(SMALL_PT - 1)
                width = self._legend_width(legend, font)
                footer = self.out.metrics(sans(FOOTER_PT))
                self._legend(
                    legend,
                    font,
                    (rect.width() - width) / 2,
                    self.out.rect.bottom() - footer.descent(),
                )
        timeline.paint(painter, QRectF(0, top, rect.width(), rect.bottom() - top))

    def _legend_width(self, entries: list[tuple[str, str]], font: QFont) -> float:
        """How wide ``_legend`` draws ``entries``: glyph, gap and words each, gaps between."""
        metrics = self.out.metrics(font)
        each = self.pt(12) + self.pt(6)
        between = self.pt(22) * (len(entries) - 1)
        return sum(each + metrics.horizontalAdvance(words) for _kind, words in entries) + between

    def _legend(
        self, entries: list[tuple[str, str]], font: QFont, left: float, baseline: float
    ) -> None:
        """What the marks mean, from ``left`` on the line at ``baseline``."""
        painter, pt = self.painter, self.pt
        metrics = self.out.metrics(font)
        painter.setFont(font)
        x = left
        glyph = pt(12)
        for kind, words in entries:
            middle = baseline - metrics.ascent() + metrics.height() / 2
            self._glyph(kind, QRectF(x, middle - glyph / 2, glyph, glyph))
            x += glyph + pt(6)
            painter.setFont(font)
            painter.setPen(SOFT_INK)
            painter.drawText(QPointF(x, baseline), words)
            x += metrics.horizontalAdvance(words) + pt(22)

    def _glyph(self, kind: str, box: QRectF) -> None:
        painter = self.painter
        painter.save()
        if kind == "lifebuoy":
            draw_lifebuoy(painter, box.center(), box.width() / 2, TIMELINE_LOOK)
        else:
            inset = box.width() * 0.1
            draw_lock(painter, box.adjusted(inset, 0, -inset, 0), SOFT_INK)
        painter.restore()

    # -- the moments, in time order -----------------------------------------------------------

    def _moments(self) -> None:
        heading = "Your moments"
        room = self._heading(heading, "Everything on your timeline, in time order.")
        painter, pt, out = self.painter, self.pt, self.out
        width = room.width()
        indent, glyph = pt(22), pt(12)
        title_font = sans(BODY_PT, QFont.Weight.Medium)
        when_font = sans(SMALL_PT)
        when_metrics = out.metrics(when_font)
        for event in self.story.events:
            title = Paragraph(event.title, title_font, width - indent, self.device)
            when = f"{event.when()} · {feeling_phrase(event.valence)}"
            height = title.height() + when_metrics.height() + pt(14)
            if out.room() < height:
                self._continued(heading)
            y = out.y
            fill, edge = moment_dot(event.valence)
            painter.setBrush(fill)
            painter.setPen(QPen(edge, pt(1.0)))
            first_line = title.heights[0] if title.count else when_metrics.height()
            painter.drawEllipse(QPointF(pt(7), y + first_line / 2), pt(5), pt(5))
            title.draw(painter, QPointF(indent, y), INK)
            y += title.height()
            painter.setFont(when_font)
            painter.setPen(SOFT_INK)
            shown = when_metrics.elidedText(
                when, Qt.TextElideMode.ElideRight, width - indent - 3 * glyph
            )
            painter.drawText(QPointF(indent, y + when_metrics.ascent()), shown)
            x = indent + when_metrics.horizontalAdvance(shown) + pt(8)
            box_top = y + (when_metrics.height() - glyph) / 2
            if seeks_help(event):
                self._glyph("lifebuoy", QRectF(x, box_top, glyph, glyph))
                x += glyph + pt(6)
            if event.visibility is Visibility.PRIVATE:
                self._glyph("lock", QRectF(x, box_top, glyph, glyph))
            out.y = y + when_metrics.height() + pt(14)

    # -- the strengths boards ---------------------------------------------------------------

    def _strengths(self) -> None:
        boards = [board for board in BOARDS if any(c.kind in board.kinds for c in self.story.cards)]
        for number, board in enumerate(boards):
            words, intro = _board_words(board)
            if number == 0 or not self._subheading(words, intro):
                self._heading(words, intro)
            self._board(board, words)

    def _subheading(self, words: str, intro: str) -> bool:
        """A heading further down the page, if there is room for it and a row of cards."""
        out, pt = self.out, self.pt
        heading = Paragraph(words, serif(SUBHEADING_PT + 3), out.rect.width(), self.device)
        line = Paragraph(intro, sans(SMALL_PT + 1), out.rect.width(), self.device)
        if out.room() < pt(20) + heading.height() + line.height() + pt(140):
            return False
        y = out.y + pt(20)
        heading.draw(self.painter, QPointF(0, y), INK)
        y += heading.height() + pt(2)
        line.draw(self.painter, QPointF(0, y), SOFT_INK)
        out.y = y + line.height() + pt(18)
        return True

    def _board(self, board: Board, heading: str) -> None:
        out, pt, painter = self.out, self.pt, self.painter
        width = out.rect.width()
        gap = pt(12)
        column = (width - gap) / 2
        pad = pt(12)
        font = sans(BODY_PT)
        for zone in board.zones:
            cards = in_zone(self.story.cards, zone.kind)
            if not cards:
                continue
            wash = QColor(BOARD_LOOK.zone_wash[zone.kind])
            rows = [cards[i : i + 2] for i in range(0, len(cards), 2)]
            texts = [
                [Paragraph(card.text, font, column - 2 * pad - pt(14), self.device) for card in row]
                for row in rows
            ]
            heights = [max(p.height() for p in row) + 2 * pad for row in texts]
            header_h = self._zone_header_height()
            if out.room() < header_h + heights[0]:
                self._continued(heading)
            self._zone_header(zone.title, zone.hint, wash)
            for row, paragraphs, height in zip(rows, texts, heights, strict=True):
                if out.room() < height:
                    self._continued(heading)
                    self._zone_header(zone.title, zone.hint, wash)
                for number, (card, text) in enumerate(zip(row, paragraphs, strict=True)):
                    box = QRectF(number * (column + gap), out.y, column, height)
                    fill = BOARD_LOOK.card_fill(card.colour) if card.colour else wash
                    painter.setBrush(fill)
                    painter.setPen(QPen(fill.darker(112), pt(0.8)))
                    painter.drawRoundedRect(box, pt(9), pt(9))
                    text.draw(painter, QPointF(box.left() + pad, box.top() + pad), INK)
                    if card.visibility is Visibility.PRIVATE:
                        glyph = pt(11)
                        self._glyph(
                            "lock",
                            QRectF(box.right() - pad - glyph, box.top() + pad, glyph, glyph),
                        )
                out.y += height + gap
            out.y += pt(10)

    def _zone_header_height(self) -> float:
        return self.out.metrics(serif(ZONE_PT)).height() + self.pt(14)

    def _zone_header(self, title: str, hint: str, wash: QColor) -> None:
        out, pt, painter = self.out, self.pt, self.painter
        title_font, hint_font = serif(ZONE_PT), sans(SMALL_PT, italic=True)
        title_metrics, hint_metrics = out.metrics(title_font), out.metrics(hint_font)
        y = out.y
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_deeper(wash))
        painter.drawRoundedRect(
            QRectF(0, y + pt(3), pt(5), title_metrics.height() - pt(6)), pt(2.5), pt(2.5)
        )
        painter.setFont(title_font)
        painter.setPen(INK)
        baseline = y + title_metrics.ascent()
        painter.drawText(QPointF(pt(14), baseline), title)
        x = pt(14) + title_metrics.horizontalAdvance(title) + pt(12)
        painter.setFont(hint_font)
        painter.setPen(SOFT_INK)
        hint_words = hint_metrics.elidedText(
            hint, Qt.TextElideMode.ElideRight, out.rect.width() - x
        )
        painter.drawText(QPointF(x, baseline), hint_words)
        out.y = y + title_metrics.height() + pt(10)

    # -- the quotes -------------------------------------------------------------------------

    def _quotes(self) -> None:
        heading = "In your words"
        room = self._heading(heading, "The words you chose to keep.")
        out, pt, painter = self.out, self.pt, self.painter
        indent = pt(34)
        width = room.width() - indent
        mark_font = serif(64)
        mark_metrics = out.metrics(mark_font)
        by_font = sans(SMALL_PT, italic=True)
        by_metrics = out.metrics(by_font)
        by_h = by_metrics.height() + pt(4)
        for quote in self.story.quotes:
            text = Paragraph(quote.text, serif(QUOTE_PT), width, self.device, spacing=1.3)
            whole = text.height() + by_h
            opening = text.height(0, min(3, text.count)) + by_h
            # Whole on one page when it fits one; never just a line or two at a page's foot.
            if whole > out.room() and (whole <= self._fresh_room() or opening > out.room()):
                self._continued(heading)
            start = 0
            while True:
                end = text.fitting(start, out.room() - by_h)
                if end < text.count:  # going on over the page: use all the room here
                    end = text.fitting(start, out.room())
                if start == 0:
                    painter.setFont(mark_font)
                    painter.setPen(QUOTE_MARK)
                    painter.drawText(
                        QPointF(-pt(2), out.y + mark_metrics.ascent() * 0.72), "\u201c"
                    )
                text.draw(painter, QPointF(indent, out.y), INK, start, end)
                out.y += text.height(start, end)
                start = end
                if start >= text.count:
                    break
                self._continued(heading)
            if out.room() < by_h:
                self._continued(heading)
            painter.setFont(by_font)
            painter.setPen(SOFT_INK)
            painter.drawText(QPointF(indent, out.y + pt(4) + by_metrics.ascent()), IN_YOUR_WORDS)
            if quote.visibility is Visibility.PRIVATE:
                glyph = pt(11)
                x = indent + by_metrics.horizontalAdvance(IN_YOUR_WORDS) + pt(10)
                self._glyph(
                    "lock",
                    QRectF(x, out.y + pt(4) + (by_metrics.height() - glyph) / 2, glyph, glyph),
                )
            out.y += by_h + pt(26)

    # -- the photos -------------------------------------------------------------------------

    def _photos(self) -> None:
        heading = "Your photos"
        room = self._heading(heading, "The photos you chose to keep.")
        out, pt, painter = self.out, self.pt, self.painter
        width = room.width()
        tallest = self._fresh_room() * 0.55  # two to a page, most often
        for photo in self.story.photos:
            image = QImage.fromData(photo.data)
            if image.isNull():
                continue  # a kind Qt cannot draw (HEIC, say): its caption alone would mislead
            keep = Qt.AspectRatioMode.KeepAspectRatio
            # As large as the page allows, but a small picture no more than twice its size.
            fits = (min(width, image.width() * 2.0), min(tallest, image.height() * 2.0))
            size = image.size().toSizeF().scaled(*fits, keep)
            caption = Paragraph(
                photo.caption, serif(BODY_PT, italic=True), width, self.device,
                Qt.AlignmentFlag.AlignHCenter, spacing=1.25,
            ) if photo.caption.strip() else None  # fmt: skip
            whole = size.height() + pt(8) + (caption.height() if caption else 0.0)
            if whole > out.room():
                self._continued(heading)
            target = QRectF((width - size.width()) / 2, out.y, size.width(), size.height())
            painter.drawImage(target, image)
            out.y += size.height() + pt(8)
            if caption is not None:
                end = caption.fitting(0, out.room())
                caption.draw(painter, QPointF(0, out.y), INK, 0, end)
                out.y += caption.height(0, end)
            out.y += pt(24)

    def _fresh_room(self) -> float:
        """The room on a new page under its "(continued)" heading."""
        heading = self.out.metrics(serif(SUBHEADING_PT)).height() * 1.18 + self.pt(14)
        return self.out.bottom - heading


def _deeper(wash: QColor) -> QColor:
    """A zone's wash, deep enough to mark its heading."""
    hue = max(wash.hslHueF(), 0.0)
    return QColor.fromHslF(hue, min(1.0, wash.hslSaturationF() * 1.3), wash.lightnessF() * 0.8)


def _board_words(board: Board) -> tuple[str, str]:
    """A board's heading on paper, and a line about it."""
    if board is BOARDS[0]:
        return (
            "Your strengths",
            "What you are like at your best, what you are good at, and what you hope for.",
        )
    return "Your life now", "What is good in your life, and what is hard right now."


def paint_give_back(story: GiveBackStory, device: QPagedPaintDevice, size: QPageSize) -> int:
    """Paint the whole copy onto ``device`` (a QPdfWriter or a QPrinter that has not begun);
    the number of pages."""
    return _Copy(story, device, size).paint()
