"""Stories × themes: which themes recur in which stories, a cell each, shaded by how many
excerpts it holds (and saying the number); choosing a cell lists its excerpts with their words,
and opening one opens its story at that place."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Slot,
)
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from storycapture.domain.story import Excerpt
from storycapture.hub.across import Matrix, csv_bytes, theme_matrix, write_matrix_csv
from storycapture.hub.qt.across_kit import (
    AcrossView,
    Colours,
    blend,
    colours,
    elided,
    legible_on,
    plain_label,
    slide_font,
)
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.room import whose_words
from storycapture.qtkit.looks import scaled_px

_Index = QModelIndex | QPersistentModelIndex


def _excerpts_words(count: int) -> str:
    return "1 excerpt" if count == 1 else f"{count} excerpts"


def _stories_words(count: int) -> str:
    return "1 story" if count == 1 else f"{count} stories"


def cell_shade(count: int, most: int, looks: Colours) -> QColor:
    """A cell's fill: the paper for none, deepening towards the accent as the count grows."""
    if count <= 0 or most <= 0:
        return QColor(looks.paper)
    return blend(looks.paper, looks.accent, 0.2 + 0.8 * count / most)


class MatrixModel(QAbstractTableModel):
    """The matrix as a table: rows are storytellers (by pseudonym), columns themes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: Matrix | None = None
        self.looks = colours()
        self._stories: dict[str, int] = {}
        self._shades: dict[int, tuple[QColor, QColor]] = {}

    def set_matrix(self, matrix: Matrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.looks = colours()
        # Worked out once: a view asks for every cell's shade and header many times over.
        self._stories = (
            {} if matrix is None else {t.uuid: matrix.stories_with(t.uuid) for t in matrix.themes}
        )
        most = 0 if matrix is None else matrix.most()
        self._shades = {}
        for count in range(most + 1):
            shade = cell_shade(count, most, self.looks)
            self._shades[count] = (shade, legible_on(shade))
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.storytellers)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.themes)

    def cell(self, index: _Index) -> tuple[str, str] | None:
        """(storyteller uuid, theme uuid) of a cell."""
        if self.matrix is None or not index.isValid():
            return None
        return (
            self.matrix.storytellers[index.row()][0],
            self.matrix.themes[index.column()].uuid,
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        matrix = self.matrix
        if matrix is None or not index.isValid():
            return None
        person, pseudonym = matrix.storytellers[index.row()]
        theme = matrix.themes[index.column()]
        count = matrix.count(person, theme.uuid)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count) if count else ""
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{pseudonym}: {_excerpts_words(count)} in “{theme.name}”"
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._shades[count][0]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._shades[count][1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        matrix = self.matrix
        if matrix is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(matrix.themes):
                return None
            theme = matrix.themes[section]
            stories = self._stories.get(theme.uuid, 0)
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{theme.name}\nin {_stories_words(stories)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return theme.description or theme.name
            return None
        if not 0 <= section < len(matrix.storytellers):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return matrix.storytellers[section][1]
        return None


class CellDelegate(QStyledItemDelegate):
    """Draws a cell in its own shade, and the chosen cell with a thick outline (its shade stays
    readable, and the outline shows without relying on colour alone)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect = option.rect
        shade = index.data(Qt.ItemDataRole.BackgroundRole)
        painter.save()
        painter.fillRect(rect, shade if isinstance(shade, QColor) else colours().paper)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if text:
            painter.setPen(index.data(Qt.ItemDataRole.ForegroundRole))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), str(text))
        if option.state & QStyle.StateFlag.State_Selected:
            pen = QPen(colours().ink, 3)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        painter.restore()


def paint_matrix(painter: QPainter, size: QSize, matrix: Matrix | None, looks: Colours) -> None:
    """The matrix as a picture for a slide: pseudonyms down the side, themes across the top
    (with how many stories each recurs in), each cell shaded and numbered."""
    painter.fillRect(QRect(0, 0, size.width(), size.height()), looks.paper)
    if matrix is None:
        return
    margin, name_width, cell_width, row_height, head_height = 16, 180, 130, 30, 84
    painter.setFont(slide_font(17, bold=True))
    painter.setPen(looks.ink)
    painter.drawText(
        QRect(margin, margin, size.width() - 2 * margin, 28),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
        "Which themes come up in which stories",
    )
    top = margin + 36
    painter.setFont(slide_font(14, bold=True))
    for column, theme in enumerate(matrix.themes):
        left = margin + name_width + column * cell_width
        swatch = QRect(left + 6, top + 6, 12, 12)
        painter.fillRect(swatch, QColor(theme.colour))
        painter.setPen(QPen(looks.soft_ink, 1))
        painter.drawRect(swatch)
        painter.setPen(looks.ink)
        painter.drawText(
            QRect(left + 22, top, cell_width - 26, head_height - 22),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
            theme.name,
        )
    painter.setFont(slide_font(13))
    painter.setPen(looks.soft_ink)
    stories = {t.uuid: matrix.stories_with(t.uuid) for t in matrix.themes}
    for column, theme in enumerate(matrix.themes):
        left = margin + name_width + column * cell_width
        painter.drawText(
            QRect(left + 6, top + head_height - 20, cell_width - 8, 18),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            f"in {_stories_words(stories[theme.uuid])}",
        )
    top += head_height
    most = matrix.most()
    shades = {count: cell_shade(count, most, looks) for count in range(most + 1)}
    painter.setFont(slide_font(15))
    for row, (person, pseudonym) in enumerate(matrix.storytellers):
        y = top + row * row_height
        painter.setPen(looks.ink)
        painter.drawText(
            QRect(margin, y, name_width - 8, row_height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            elided(painter, pseudonym, name_width - 8),
        )
        for column, theme in enumerate(matrix.themes):
            cell = QRect(margin + name_width + column * cell_width, y, cell_width, row_height)
            count = matrix.count(person, theme.uuid)
            shade = shades[count]
            painter.fillRect(cell, shade)
            painter.setPen(QPen(looks.hairline, 1))
            painter.drawRect(cell)
            if count:
                painter.setPen(legible_on(shade))
                painter.drawText(cell, int(Qt.AlignmentFlag.AlignCenter), str(count))
    painter.setPen(looks.soft_ink)
    painter.setFont(slide_font(13))
    note_top = top + len(matrix.storytellers) * row_height + 8
    painter.drawText(
        QRect(margin, note_top, size.width() - 2 * margin, 20),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
        "Each number is how many excerpts of that story are in the theme; darker means more.",
    )


def matrix_picture_size(matrix: Matrix | None) -> QSize:
    if matrix is None:
        return QSize(640, 200)
    width = 16 * 2 + 180 + 130 * max(1, len(matrix.themes))
    height = 16 + 36 + 84 + 30 * max(1, len(matrix.storytellers)) + 40
    return QSize(max(640, width), height)


class MatrixView(AcrossView):
    """Which themes recur in which stories: a cell per storyteller and theme, shaded by count;
    choose a cell (click, or arrow keys) to list its excerpts; open one (double-click, Enter,
    or the button) to read it in its story."""

    title = "Which themes come up in which stories"
    file_stem = "themes-across-stories"

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.model = MatrixModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(CellDelegate(self.table))
        self.table.setAccessibleName("Stories and themes")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        across = self.table.horizontalHeader()
        across.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        across.setMinimumHeight(scaled_px(52))
        self.table.verticalHeader().setDefaultSectionSize(scaled_px(34))
        self.table.selectionModel().currentChanged.connect(self._cell_chosen)
        self.table.clicked.connect(self._cell_clicked)
        self.body.addWidget(self.table, 3)
        self.cell_heading = plain_label("Choose a cell to see its excerpts.", "subtle")
        self.body.addWidget(self.cell_heading)
        self.excerpt_list = QListWidget()
        self.excerpt_list.setAccessibleName("Excerpts in the chosen cell")
        self.excerpt_list.setWordWrap(True)
        self.excerpt_list.itemActivated.connect(self._excerpt_activated)
        self.body.addWidget(self.excerpt_list, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.open_button = QPushButton("Read it in its story")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_chosen)
        self.excerpt_list.currentItemChanged.connect(
            lambda current, _previous: self.open_button.setEnabled(current is not None)
        )
        buttons.addWidget(self.open_button)
        self.body.addLayout(buttons)

    @property
    def matrix(self) -> Matrix | None:
        return self.model.matrix

    def read(self) -> None:
        chosen = self.model.cell(self.table.currentIndex())
        matrix = theme_matrix(self.context.vault)
        self.model.set_matrix(matrix)
        excerpts = sum(len({e.uuid for e in cell}) for cell in matrix.cells.values())
        if not matrix.themes:
            self.summary.setText("No themes yet: name some on the themes board first.")
        else:
            self.summary.setText(
                f"{_stories_words(len(matrix.storytellers))} with excerpts, "
                f"{len(matrix.themes)} theme{'s' if len(matrix.themes) != 1 else ''}, "
                f"{_excerpts_words(excerpts)} in a theme. Each number is how many excerpts of "
                "that story are in the theme; a darker cell holds more."
            )
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            # By its header alone (the counts are narrow): reading every cell to size a
            # column is most of the time a large matrix takes to open.
            width = header.sectionSizeHint(column)
            self.table.setColumnWidth(column, max(scaled_px(110), min(scaled_px(240), width)))
        self._choose(chosen)

    def _choose(self, cell: tuple[str, str] | None) -> None:
        matrix = self.matrix
        if cell is not None and matrix is not None:
            people = [p for p, _ in matrix.storytellers]
            themes = [t.uuid for t in matrix.themes]
            if cell[0] in people and cell[1] in themes:
                index = self.model.index(people.index(cell[0]), themes.index(cell[1]))
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self._list_cell(index)
                return
        self._list_cell(QModelIndex())

    def show_nothing(self) -> None:
        self.model.set_matrix(None)
        self.excerpt_list.clear()
        self.cell_heading.setText("Choose a cell to see its excerpts.")
        self.open_button.setEnabled(False)

    @Slot(QModelIndex, QModelIndex)
    def _cell_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._list_cell(current)

    @Slot(QModelIndex)
    def _cell_clicked(self, index: QModelIndex) -> None:
        self._list_cell(index)

    def choose_cell(self, storyteller_uuid: str, theme_uuid: str) -> None:
        """Choose a cell as a click would (and list its excerpts)."""
        self._choose((storyteller_uuid, theme_uuid))

    def _list_cell(self, index: _Index) -> None:
        self.excerpt_list.clear()
        cell = self.model.cell(index)
        matrix = self.matrix
        if cell is None or matrix is None:
            self.cell_heading.setText("Choose a cell to see its excerpts.")
            return
        pseudonym = dict(matrix.storytellers)[cell[0]]
        theme = next(t for t in matrix.themes if t.uuid == cell[1])
        found = matrix.excerpts(*cell)
        if not found:
            self.cell_heading.setText(f"No excerpts of {pseudonym}’s story in “{theme.name}”.")
            return
        self.cell_heading.setText(
            f"{_excerpts_words(len(found))} of {pseudonym}’s story in “{theme.name}” "
            "(open one to read it in its story):"
        )
        for excerpt in found:
            self.excerpt_list.addItem(self._excerpt_item(excerpt, pseudonym))

    @staticmethod
    def _excerpt_item(excerpt: Excerpt, pseudonym: str) -> QListWidgetItem:
        words = " ".join(excerpt.text.split())
        item = QListWidgetItem(
            f"“{words}”\n{pseudonym} · {whose_words(excerpt)} · marked by {excerpt.marked_by}"
        )
        item.setData(Qt.ItemDataRole.UserRole, excerpt.uuid)
        return item

    def excerpt_words(self) -> list[str]:
        """The words of the excerpts listed now, as shown."""
        return [self.excerpt_list.item(i).text() for i in range(self.excerpt_list.count())]

    @Slot(QListWidgetItem)
    def _excerpt_activated(self, item: QListWidgetItem) -> None:
        self.context.signals.open_excerpt.emit(item.data(Qt.ItemDataRole.UserRole))

    @Slot()
    def _open_chosen(self) -> None:
        item = self.excerpt_list.currentItem()
        if item is not None:
            self._excerpt_activated(item)

    # --- exporting -------------------------------------------------------------------------

    def picture_size(self) -> QSize:
        return matrix_picture_size(self.matrix)

    def paint_picture(self, painter: QPainter, size: QSize) -> None:
        paint_matrix(painter, size, self.matrix, colours("light"))

    def table_bytes(self) -> bytes:
        matrix = self.matrix or Matrix([], [])
        return csv_bytes(lambda out: write_matrix_csv(matrix, out))
