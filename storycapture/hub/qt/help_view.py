"""Help-seeking across stories: a bar for each kind of service people asked, split by whether it
helped (each way it went has its own shade, pattern and words, and its count), and beneath it
the table of every time help was sought."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QWidget,
)

from storycapture.domain.vocabulary import Helped
from storycapture.hub.across import (
    HELP_CSV_HEADER,
    HELPED_ORDER,
    HelpAcross,
    ServiceKind,
    csv_bytes,
    help_sought,
    read_help,
    write_help_csv,
)
from storycapture.hub.qt.across_kit import (
    AcrossView,
    Colours,
    colours,
    elided,
    legible_on,
    slide_font,
)
from storycapture.hub.qt.context import RoomContext
from storycapture.qtkit.looks import scaled_px

_Index = QModelIndex | QPersistentModelIndex

# Words on the chart's key (shorter than the table's, which say "It helped" …).
HELPED_KEY: dict[Helped | None, str] = {
    Helped.YES: "Helped",
    Helped.PARTLY: "Partly",
    Helped.NO: "Didn't help",
    Helped.NOT_SURE: "Not sure",
    None: "Not said",
}
# A pattern over each shade, so the ways it went differ without colour too.
_PATTERNS: dict[Helped | None, Qt.BrushStyle] = {
    Helped.YES: Qt.BrushStyle.NoBrush,
    Helped.PARTLY: Qt.BrushStyle.BDiagPattern,
    Helped.NO: Qt.BrushStyle.Dense6Pattern,
    Helped.NOT_SURE: Qt.BrushStyle.HorPattern,
    None: Qt.BrushStyle.DiagCrossPattern,
}


def helped_shade(helped: Helped | None, looks: Colours) -> QColor:
    """Gold for helped, paler gold for partly, blue for didn't, sand for not sure, paper for
    not said: the feelings' own scale (never red and green)."""
    if helped is None:
        return QColor(looks.paper)
    at = {Helped.YES: 3, Helped.PARTLY: 1, Helped.NO: -3, Helped.NOT_SURE: 0}[helped]
    return looks.feeling(at)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def paint_segment(
    painter: QPainter, rect: QRectF, helped: Helped | None, looks: Colours, count: int | None
) -> None:
    """One piece of a bar (or of the key): its shade, its pattern, its edge, its count."""
    shade = helped_shade(helped, looks)
    painter.fillRect(rect, shade)
    pattern = _PATTERNS[helped]
    if pattern != Qt.BrushStyle.NoBrush:
        ink = QColor(legible_on(shade))
        ink.setAlphaF(0.35)
        painter.fillRect(rect, QBrush(ink, pattern))
    painter.setPen(QPen(looks.soft_ink, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
    if count is not None:
        words = str(count)
        if painter.fontMetrics().horizontalAdvance(words) + 6 <= rect.width():
            # The count sits on a plain patch of its shade, so the pattern never crosses it.
            metrics = painter.fontMetrics()
            patch = QRectF(0, 0, metrics.horizontalAdvance(words) + 6, metrics.height())
            patch.moveCenter(rect.center())
            painter.fillRect(patch, shade)
            painter.setPen(legible_on(shade))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), words)


def paint_help_chart(
    painter: QPainter,
    size: QSize,
    across: HelpAcross | None,
    looks: Colours,
    title: str = "",
    row_height: int = 40,
) -> None:
    """Horizontal stacked bars, one per kind of service: how often help was asked of it, and
    how it went. Labels on the left, counts in the bars, a key with words and patterns."""
    painter.fillRect(QRect(0, 0, size.width(), size.height()), looks.paper)
    if across is None:
        return
    counts = across.counts()
    margin = 16
    top = margin
    if title:
        painter.setFont(slide_font(17, bold=True))
        painter.setPen(looks.ink)
        painter.drawText(
            QRect(margin, top, size.width() - 2 * margin, 26),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
        top += 32
    # The key: a swatch and its words for each way it went.
    painter.setFont(slide_font(14))
    x = margin
    for helped in HELPED_ORDER:
        paint_segment(painter, QRectF(x, top + 3, 28, 16), helped, looks, None)
        painter.setPen(looks.ink)
        words = HELPED_KEY[helped]
        painter.drawText(
            QRect(x + 34, top, 200, 22),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            words,
        )
        x += 34 + painter.fontMetrics().horizontalAdvance(words) + 22
    top += 34
    if not counts:
        painter.setPen(looks.soft_ink)
        painter.drawText(
            QRect(margin, top, size.width() - 2 * margin, 30),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            "No one’s story here says they asked for help yet.",
        )
        return
    label_width = min(300, max(180, size.width() // 4))
    total_width = 110
    bar_left = margin + label_width
    bar_room = max(40, size.width() - bar_left - margin - total_width)
    most = max(sum(by.values()) for by in counts.values())
    bar_height = round(row_height * 0.65)
    for row, (kind, by) in enumerate(counts.items()):
        y = top + row * row_height
        painter.setFont(slide_font(15))
        painter.setPen(looks.ink)
        painter.drawText(
            QRect(margin, y, label_width - 12, row_height),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            elided(painter, kind.label, label_width - 12),
        )
        x_at = float(bar_left)
        painter.setFont(slide_font(14, bold=True))
        for helped in HELPED_ORDER:
            count = by[helped]
            if not count:
                continue
            width = bar_room * count / most
            rect = QRectF(x_at, y + (row_height - bar_height) / 2, width, bar_height)
            paint_segment(painter, rect, helped, looks, count)
            x_at += width
        painter.setFont(slide_font(14))
        painter.setPen(looks.soft_ink)
        painter.drawText(
            QRect(round(x_at) + 8, y, total_width + 40, row_height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            _times(sum(by.values())),
        )


def help_chart_height(across: HelpAcross | None, title: bool, row_height: int = 40) -> int:
    kinds = len(across.counts()) if across is not None else 0
    return 16 + (32 if title else 0) + 34 + row_height * max(1, kinds) + 8


class HelpChart(QWidget):
    """The chart on screen (the same painting as the exported picture, in the window's look,
    its rows a little closer)."""

    ROW = 34

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.across: HelpAcross | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName("Chart of help sought, by kind of service")

    def set_across(self, across: HelpAcross | None) -> None:
        self.across = across
        self.setMinimumHeight(help_chart_height(across, title=False, row_height=self.ROW))
        self.setAccessibleDescription(chart_words(across))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, help_chart_height(self.across, title=False, row_height=self.ROW))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_help_chart(painter, self.size(), self.across, colours(), row_height=self.ROW)
        painter.end()


def chart_words(across: HelpAcross | None) -> str:
    """What the chart shows, in sentences (for a screen reader)."""
    if across is None:
        return ""
    lines = []
    for kind, by in across.counts().items():
        parts = ", ".join(f"{HELPED_KEY[h].lower()} {by[h]}" for h in HELPED_ORDER if by[h])
        lines.append(f"{kind.label}: asked {_times(sum(by.values()))} ({parts}).")
    return " ".join(lines)


class HelpTableModel(QAbstractTableModel):
    """Every time help was sought, a row each, with the columns of the CSV."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.across: HelpAcross | None = None

    def set_across(self, across: HelpAcross | None) -> None:
        self.beginResetModel()
        self.across = across
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.across is None else len(self.across.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HELP_CSV_HEADER)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.across is None or not index.isValid():
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.across.rows[index.row()].cells()[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HELP_CSV_HEADER):
            return HELP_CSV_HEADER[section]
        return None


class HelpSeekingView(AcrossView):
    """What people asked for, from whom (grouped by kind of service), and whether it helped."""

    title = "Help sought across stories, and whether it helped"
    file_stem = "help-sought-across-stories"

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.chart = HelpChart()
        chart_room = QScrollArea()
        chart_room.setWidget(self.chart)
        chart_room.setWidgetResizable(True)
        chart_room.setFrameShape(QFrame.Shape.NoFrame)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(chart_room)
        self.model = HelpTableModel(self)
        self.sorted = QSortFilterProxyModel(self)
        self.sorted.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.sorted)
        self.table.setAccessibleName("Every time help was sought")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(scaled_px(160))
        header = self.table.horizontalHeader()
        modes = (
            QHeaderView.ResizeMode.ResizeToContents,
            QHeaderView.ResizeMode.Stretch,
            QHeaderView.ResizeMode.Interactive,
            QHeaderView.ResizeMode.Stretch,
            QHeaderView.ResizeMode.Stretch,
            QHeaderView.ResizeMode.Interactive,
            QHeaderView.ResizeMode.Stretch,
            QHeaderView.ResizeMode.ResizeToContents,
        )
        for column, mode in enumerate(modes):
            header.setSectionResizeMode(column, mode)
        self.table.setColumnWidth(2, scaled_px(130))
        self.table.setColumnWidth(5, scaled_px(170))
        self.table.verticalHeader().setDefaultSectionSize(scaled_px(64))
        self.split.addWidget(self.table)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.body.addWidget(self.split, 1)

    @property
    def across(self) -> HelpAcross | None:
        return self.model.across

    def read(self) -> None:
        across = help_sought(read_help(self.context.vault))
        self.chart.set_across(across)
        self.model.set_across(across)
        # The chart whole if there is room, the table beneath at least a few rows high.
        room = sum(self.split.sizes())
        if room > 0:
            chart = min(self.chart.sizeHint().height() + 4, max(room // 2, room - scaled_px(220)))
            self.split.setSizes([chart, room - chart])
        if not across.rows:
            self.summary.setText("No one’s story here says they asked for help yet.")
            return
        self.summary.setText(
            f"Help was sought {_times(len(across.rows))} in {across.stories()} "
            f"{'story' if across.stories() == 1 else 'stories'}. Each bar is a kind of "
            "service, split by whether it helped; the table beneath has every time, "
            "in people’s own words."
        )

    def show_nothing(self) -> None:
        self.chart.set_across(None)
        self.model.set_across(None)

    def counts_by_kind(self) -> dict[ServiceKind, dict[Helped | None, int]]:
        return {} if self.across is None else self.across.counts()

    # --- exporting -------------------------------------------------------------------------

    def picture_size(self) -> QSize:
        return QSize(1400, help_chart_height(self.across, title=True))

    def paint_picture(self, painter: QPainter, size: QSize) -> None:
        paint_help_chart(painter, size, self.across, colours("light"), self.title)

    def table_bytes(self) -> bytes:
        across = self.across or HelpAcross(())
        return csv_bytes(lambda out: write_help_csv(across, out))
