"""What the three views across stories share: their colours (from the one palette), the way a
picture is painted the same on screen, into a PNG and into an SVG, and the base view with its
"Save for a slide" menu (PNG, SVG, CSV), each written whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt, Slot
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QShowEvent
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.errors import StoryCaptureError
from storycapture.hub.across import save_whole
from storycapture.hub.qt.context import RoomContext
from storycapture.qtkit import palette
from storycapture.qtkit.looks import current_theme, scaled_px

PaintPicture = Callable[[QPainter, QSize], None]


@dataclass(frozen=True)
class Colours:
    """The colours a picture across stories is painted in, for one look."""

    paper: QColor
    ink: QColor
    soft_ink: QColor
    hairline: QColor
    accent: QColor
    feelings: tuple[QColor, ...]  # −3 … +3

    def feeling(self, valence: int) -> QColor:
        return self.feelings[max(-3, min(3, valence)) + 3]


def colours(look: str | None = None) -> Colours:
    """The colours of ``look`` (the window's current look when None). An exported picture is
    painted in the light look: it goes on a slide, not on this screen."""
    look = look or current_theme()
    timeline = palette.TIMELINE[look]
    return Colours(
        paper=QColor(timeline["paper"]),
        ink=QColor(timeline["ink"]),
        soft_ink=QColor(timeline["soft_ink"]),
        hairline=QColor(timeline["hairline"]),
        accent=QColor(timeline["accent"]),
        feelings=tuple(QColor(c) for c in palette.FEELINGS[look]),
    )


def faded(colour: QColor, alpha: float) -> QColor:
    faint = QColor(colour)
    faint.setAlphaF(max(0.0, min(1.0, alpha)))
    return faint


def blend(low: QColor, high: QColor, t: float) -> QColor:
    """The colour ``t`` of the way from ``low`` to ``high`` (0 … 1)."""
    t = max(0.0, min(1.0, t))
    return QColor.fromRgbF(
        low.redF() + (high.redF() - low.redF()) * t,
        low.greenF() + (high.greenF() - low.greenF()) * t,
        low.blueF() + (high.blueF() - low.blueF()) * t,
    )


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(one: QColor, other: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 … 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def legible_on(background: QColor) -> QColor:
    """Black or white, whichever has the higher contrast on ``background`` (for counts written
    on a shaded cell or bar)."""
    black, white = QColor(palette.BLACK), QColor(palette.WHITE)
    return black if contrast(background, black) >= contrast(background, white) else white


def slide_font(pixels: int = 15, bold: bool = False) -> QFont:
    """The font an exported picture is painted in: sized in pixels, so a PNG and an SVG come
    out alike whatever the screen's text size."""
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def elided(painter: QPainter, text: str, width: int) -> str:
    return painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(0, width))


def picture_png(paint: PaintPicture, size: QSize, paper: QColor) -> bytes:
    """What ``paint`` paints at ``size``, as PNG bytes (on ``paper``, not transparent)."""
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(paper)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint(painter, size)
    finally:
        painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # str at run time
    buffer.close()
    return bytes(data.data())


def picture_svg(paint: PaintPicture, size: QSize, title: str, description: str) -> bytes:
    """What ``paint`` paints at ``size``, as an SVG drawing (keeps its words as text)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    generator.setDescription(description)
    painter = QPainter(generator)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint(painter, size)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def plain_label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


# What each kind of export is called, its file ending and its file dialog filter.
EXPORTS: dict[str, tuple[str, str, str]] = {
    "png": ("A picture (PNG)…", ".png", "PNG pictures (*.png)"),
    "svg": ("A drawing for slides (SVG)…", ".svg", "SVG drawings (*.svg)"),
    "csv": ("A table for a spreadsheet (CSV)…", ".csv", "CSV tables (*.csv)"),
}


class AcrossView(QWidget):
    """The shape every view across stories has: a heading, a "Save for a slide" menu, a line
    for saying what happened (or what went wrong), and its own content beneath.

    A subclass fills ``self.body``, and gives ``read``, ``show_nothing``, ``picture_size``,
    ``paint_picture`` and ``table_bytes``. It reads the vault again when the room changes, at
    once if it is on show, else when it is next shown."""

    title = ""
    file_stem = "across-stories"

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._stale = True  # nothing read yet: read when first shown
        outer = QVBoxLayout(self)
        gap = scaled_px(8)
        outer.setContentsMargins(gap, gap, gap, gap)
        outer.setSpacing(gap)
        top = QHBoxLayout()
        self.heading = plain_label(self.title, "subheading")
        self.heading.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        top.addWidget(self.heading, 1)
        self.export_button = QToolButton()
        self.export_button.setText("Save for a slide")
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setAccessibleName("Save this view for a slide")
        self.export_button.setMinimumHeight(scaled_px(40))
        menu = QMenu(self.export_button)
        for kind, (words, _suffix, _filter) in EXPORTS.items():
            action = menu.addAction(words)
            action.triggered.connect(lambda _checked=False, k=kind: self.export(k))
        self.export_button.setMenu(menu)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        self.summary = plain_label(name="subtle")
        outer.addWidget(self.summary)
        self.news = plain_label()
        self.news.hide()
        outer.addWidget(self.news)
        self.body = QVBoxLayout()
        self.body.setSpacing(gap)
        outer.addLayout(self.body, 1)
        context.signals.changed.connect(self._room_changed)

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the vault again and show what is there now (nothing once it is locked)."""
        self._stale = False
        if not self.context.vault.is_unlocked:
            self.clear()
            return
        self.read()

    def clear(self) -> None:
        """Drop every personal word this view shows (the vault is locking)."""
        self._stale = False
        self.summary.clear()
        self.say("")
        self.show_nothing()

    def mark_stale(self) -> None:
        """Read again when next shown (or now, if on show)."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    @Slot()
    def _room_changed(self) -> None:
        self.mark_stale()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def read(self) -> None:
        raise NotImplementedError

    def show_nothing(self) -> None:
        raise NotImplementedError

    # --- exporting -------------------------------------------------------------------------

    def picture_size(self) -> QSize:
        raise NotImplementedError

    def paint_picture(self, painter: QPainter, size: QSize) -> None:
        raise NotImplementedError

    def table_bytes(self) -> bytes:
        raise NotImplementedError

    def picture_description(self) -> str:
        return self.summary.text()

    def save_png(self, path: Path | str) -> Path:
        """The picture as a PNG at ``path``, whole or not at all (:class:`ExportNotSaved`)."""
        data = picture_png(self.paint_picture, self.picture_size(), colours("light").paper)
        return save_whole(path, data)

    def save_svg(self, path: Path | str) -> Path:
        data = picture_svg(
            self.paint_picture, self.picture_size(), self.title, self.picture_description()
        )
        return save_whole(path, data)

    def save_csv(self, path: Path | str) -> Path:
        return save_whole(path, self.table_bytes())

    def save(self, kind: str, path: Path | str) -> Path:
        saver = {"png": self.save_png, "svg": self.save_svg, "csv": self.save_csv}[kind]
        return saver(path)

    def export(self, kind: str) -> None:
        """Ask where, then save; what happened is said beneath the heading."""
        words, suffix, file_filter = EXPORTS[kind]
        suggested = str(Path.home() / f"{self.file_stem}{suffix}")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, f"Save {words.rstrip('…').lower()}", suggested, file_filter
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != suffix:
            target = target.with_name(target.name + suffix)
        try:
            saved = self.save(kind, target)
        except StoryCaptureError as error:
            self.say(str(error), problem=True)
            return
        self.say(f"Saved as {saved}.")

    def say(self, words: str, problem: bool = False) -> None:
        self.news.setObjectName("problem" if problem else "subtle")
        self.news.style().unpolish(self.news)
        self.news.style().polish(self.news)
        self.news.setText(words)
        self.news.setVisible(bool(words))
