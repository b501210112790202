"""Giving a storyteller a copy of their story: a PDF (or a print-out) that they keep.

At the end of a visit the facilitator chooses "Give a copy…": the name to print (their
pseudonym unless changed; blank prints "My story"), which of their quotes go in, whether
things marked private go in too (never unless ticked), and the page size. The copy holds only
this storyteller's timeline, strengths, chosen quotes and chosen photos (none unless ticked):
never facilitators' notes, consent, visits or a real name that was not typed in as the name to
print.

The PDF is made in memory and written straight into the folder the facilitator chose (often
a USB stick): under a temporary name in that same folder, then renamed, so a full or
read-only drive leaves no half-written file behind, and nothing is written anywhere else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import shiboken6
from PySide6.QtCore import QBuffer, QIODevice, QLocale, QSize, Qt, Slot
from PySide6.QtGui import QCursor, QGuiApplication, QIcon, QPageSize, QPdfWriter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.vocabulary import Visibility
from storycapture.giveback import (
    NAME_LIMIT,
    GiveBackChoices,
    GiveBackStory,
    default_quotes,
    gather_story,
    printed_name,
    shown_in_copy,
    story_title,
)
from storycapture.gui.give_back_pages import paint_give_back
from storycapture.gui.pages import make_label
from storycapture.gui.theme import fit_to_screen, scaled_px
from storycapture.gui.widgets import RowCheckBox, dialog_footer, scrolled_form_layout
from storycapture.qtkit.photos import photo_thumbnail
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.timeline.qt.printed import screen_dpi

PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "Letter": QPageSize.PageSizeId.Letter,
}
_NOT_IN_FILE_NAMES = set('<>:"/\\|?*')


class CopyNotSaved(StoryCaptureError):
    """The PDF could not be written where it was asked for; nothing was left there."""


def default_page_size(locale: QLocale | None = None) -> str:
    """Letter where the locale measures in inches (the USA), A4 everywhere else."""
    system = (locale or QLocale()).measurementSystem()
    return "Letter" if system is QLocale.MeasurementSystem.ImperialUSSystem else "A4"


def render_pdf(story: GiveBackStory, page_size: str = "A4") -> tuple[bytes, int]:
    """The copy as PDF bytes, made in memory, and its number of pages."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(screen_dpi())
    writer.setTitle(story.title)
    writer.setCreator("StoryCapture")
    pages = paint_give_back(story, writer, QPageSize(PAGE_SIZES.get(page_size, PAGE_SIZES["A4"])))
    del writer
    data = bytes(buffer.data().data())
    buffer.close()
    return data, pages


def print_story(story: GiveBackStory, printer: QPrinter) -> int:
    """Send the copy to ``printer`` (set up by the print dialog); its number of pages."""
    return paint_give_back(story, printer, printer.pageLayout().pageSize())


def _why_not_saved(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            "There is no room left there, so the copy was not saved. Make some room, or "
            "choose another place to save it."
        )
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            "That place can't be written to (it may be read-only, or the file may be open in "
            "another program), so the copy was not saved. Please choose another place."
        )
    reason = (error.strerror or "").lower() or "something went wrong"
    return f"The copy could not be saved there ({reason}). Please choose another place."


def _write_and_sync(handle: int, data: bytes) -> None:
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def save_pdf(data: bytes, target: Path) -> None:
    """Write ``data`` to ``target``: under a temporary name in the same folder, then renamed,
    so ``target`` is never half written and nothing is left behind if writing fails."""
    target = Path(target)
    partial: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            prefix=".storycapture-", suffix=".pdf.partial", dir=target.parent
        )
        partial = Path(name)
        _write_and_sync(handle, data)
        os.replace(partial, target)
        partial = None
    except OSError as error:
        raise CopyNotSaved(_why_not_saved(error)) from error
    finally:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink()
    if os.name == "posix":  # the rename itself, on the disk (a USB stick is pulled out soon)
        with contextlib.suppress(OSError):
            folder = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


def file_name_for(title: str) -> str:
    """A file name any drive takes (a USB stick's too): the title, less what drives refuse."""
    cleaned = "".join(
        "-" if c in _NOT_IN_FILE_NAMES or ord(c) < 32 else c for c in title.replace("’", "'")
    )
    cleaned = cleaned.strip(" .")[:NAME_LIMIT] or "My story"
    return f"{cleaned}.pdf"


@contextlib.contextmanager
def _busy() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def _one_line(text: str, limit: int = 110) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class GiveBackDialog(QDialog):
    """Choose what goes into the storyteller's copy, then save it as a PDF or print it."""

    def __init__(
        self,
        vault: VaultSession,
        storyteller_uuid: str,
        pseudonym: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self.setWindowTitle("Give a copy")
        self.setModal(True)
        self._vault = vault
        self._storyteller = storyteller_uuid
        self._quotes = StoryWordsService(vault).quotes(storyteller_uuid)
        self._ticked = default_quotes(self._quotes, include_private=True)
        self._photos = PhotoService(vault)
        self._photo_list = self._photos.list(storyteller_uuid)
        self._ticked_photos: frozenset[str] = frozenset()  # photos go in only when chosen
        self.saved_to: Path | None = None
        self.printed = False
        self.outcome = ""
        self._printer: QPrinter | None = None

        self.name = QLineEdit(pseudonym)
        self.name.setAccessibleName("Name to print")
        self.name.setPlaceholderText("My story")
        self.name.setMaxLength(NAME_LIMIT)
        self.quote_list = QListWidget()
        self.quote_list.setAccessibleName("Quotes to include")
        self.quote_list.setWordWrap(True)
        self.quote_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.quote_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.quote_list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.quote_list.setSpacing(2)
        self.quote_list.itemChanged.connect(self._quote_ticked)
        self.include_private = RowCheckBox("Include things marked private")
        self.include_private.setAccessibleName("Include things marked private")
        self.include_private.setChecked(False)
        self.include_private.toggled.connect(self._fill_quotes)
        self.photo_list = QListWidget()
        self.photo_list.setAccessibleName("Photos to include")
        self.photo_list.setIconSize(QSize(48, 48))
        self.photo_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.photo_list.setSpacing(2)
        self.photo_list.itemChanged.connect(self._photo_ticked)
        self.include_private.toggled.connect(self._fill_photos)
        self.page_size = QComboBox()
        self.page_size.setAccessibleName("Page size")
        for words in PAGE_SIZES:
            self.page_size.addItem(words, words)
        self.page_size.setCurrentIndex(self.page_size.findData(default_page_size()))

        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(8))
        form.setSpacing(scaled_px(8))
        form.addWidget(make_label(f"A copy of {pseudonym}'s story to keep", "heading"))
        form.addWidget(
            make_label(
                "Their timeline, their strengths and the words ticked below, in large clear "
                "type. Notes for facilitators, consent and their real name are never in it.",
                "subtle",
            )
        )
        form.addSpacing(scaled_px(8))
        name_label = make_label("Name to print", "subheading")
        name_label.setBuddy(self.name)
        form.addWidget(name_label)
        form.addWidget(self.name)
        form.addWidget(
            make_label(
                "Their pseudonym unless they would like another name. Leave it empty to print "
                "“My story”.",
                "subtle",
            )
        )
        form.addSpacing(scaled_px(8))
        quotes_label = make_label("Their words to include", "subheading")
        quotes_label.setBuddy(self.quote_list)
        form.addWidget(quotes_label)
        self.no_quotes = make_label("There are no quotes in their story yet.", "subtle")
        form.addWidget(self.no_quotes)
        form.addWidget(self.quote_list)
        form.addSpacing(scaled_px(8))
        photos_label = make_label("Photos to include", "subheading")
        photos_label.setBuddy(self.photo_list)
        form.addWidget(photos_label)
        self.no_photos = make_label(
            "Their photos are marked private: tick “Include things marked private” to choose "
            "from them.",
            "subtle",
        )
        form.addWidget(self.no_photos)
        form.addWidget(self.photo_list)
        photos_label.setVisible(bool(self._photo_list))
        form.addSpacing(scaled_px(8))
        form.addWidget(self.include_private)
        form.addWidget(
            make_label(
                "Moments, cards and words marked private stay out unless this is ticked.",
                "subtle",
            )
        )
        form.addSpacing(scaled_px(8))
        size_label = make_label("Page size", "subheading")
        size_label.setBuddy(self.page_size)
        form.addWidget(size_label)
        form.addWidget(self.page_size, 0, Qt.AlignmentFlag.AlignLeft)
        form.addStretch(1)

        footer = dialog_footer(self, "Save as PDF…", "Close without making a copy")
        self._footer = footer
        self.problem = footer.problem
        self.save_button = footer.ok_button
        self.close_button = footer.cancel_button
        self.close_button.setText("Close")
        self.print_button = QPushButton("Print…")
        self.print_button.setAccessibleName("Print the copy")
        self.print_button.setAutoDefault(False)
        footer.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_copy)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        scrolled_form_layout(self, scroll, footer)
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self._fill_quotes()
        self._fill_photos()
        fit_to_screen(self, body)

    # -- the choices ------------------------------------------------------------------------

    @Slot()
    def _fill_quotes(self) -> None:
        """The quotes to tick: private ones only listed while private things may go in."""
        private = self.include_private.isChecked()
        self.quote_list.blockSignals(True)
        self.quote_list.clear()
        for quote in self._quotes:
            if not shown_in_copy(quote.visibility, private):
                continue
            words = f"“{_one_line(quote.text)}”"
            if quote.visibility is Visibility.PRIVATE:
                words += "  (private)"
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, quote.uuid)
            item.setToolTip(quote.text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = quote.uuid in self._ticked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.quote_list.addItem(item)
        self.quote_list.blockSignals(False)
        shown = self.quote_list.count()
        self.quote_list.setVisible(shown > 0)
        self.no_quotes.setVisible(shown == 0)
        rows = min(max(shown, 1), 4)  # two lines a quote, as most take; the rest scroll
        self.quote_list.setFixedHeight(
            rows * (self.quote_list.fontMetrics().height() * 2 + scaled_px(10)) + scaled_px(12)
        )

    @Slot(QListWidgetItem)
    def _quote_ticked(self, item: QListWidgetItem) -> None:
        uuid = str(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self._ticked = self._ticked | {uuid}
        else:
            self._ticked = self._ticked - {uuid}

    @Slot()
    def _fill_photos(self) -> None:
        """Their photos, none ticked: a photo goes in only when chosen (private ones are
        listed only while private things may go in)."""
        private = self.include_private.isChecked()
        self.photo_list.blockSignals(True)
        self.photo_list.clear()
        for photo in self._photo_list:
            if not shown_in_copy(photo.visibility, private):
                continue
            words = _one_line(photo.caption) if photo.caption.strip() else photo.original_name
            if photo.visibility is Visibility.PRIVATE:
                words += "  (private)"
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, photo.uuid)
            thumbnail = photo_thumbnail(self._photos, photo.uuid, 48)
            if thumbnail is not None:
                item.setIcon(QIcon(thumbnail))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = photo.uuid in self._ticked_photos
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.photo_list.addItem(item)
        self.photo_list.blockSignals(False)
        shown = self.photo_list.count()
        self.photo_list.setVisible(shown > 0)
        self.no_photos.setVisible(shown == 0 and bool(self._photo_list))
        rows = min(max(shown, 1), 3)  # the rest scroll
        row = max(self.photo_list.sizeHintForRow(0), 48) + 2 * self.photo_list.spacing()
        frame = 2 * self.photo_list.frameWidth()
        self.photo_list.setFixedHeight(rows * row + frame + scaled_px(4))

    @Slot(QListWidgetItem)
    def _photo_ticked(self, item: QListWidgetItem) -> None:
        uuid = str(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self._ticked_photos = self._ticked_photos | {uuid}
        else:
            self._ticked_photos = self._ticked_photos - {uuid}

    def choices(self) -> GiveBackChoices:
        listed = {
            str(self.quote_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.quote_list.count())
        }
        photos_listed = {
            str(self.photo_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.photo_list.count())
        }
        return GiveBackChoices(
            name=printed_name(self.name.text()),
            quotes=frozenset(self._ticked & listed),
            include_private=self.include_private.isChecked(),
            page_size=str(self.page_size.currentData()),
            photos=frozenset(self._ticked_photos & photos_listed),
        )

    def story(self) -> GiveBackStory:
        return gather_story(self._vault, self._storyteller, self.choices())

    def show_problem(self, message: str) -> None:
        self._footer.show_problem(self, message)

    # -- saving and printing ----------------------------------------------------------------

    @Slot()
    def accept(self) -> None:
        if self.saved_to is not None or self.printed:
            super().accept()
            return
        self.save_copy()

    def save_copy(self) -> bool:
        """Ask where, then write the PDF exactly there; a problem is shown in plain words."""
        suggested = str(Path.home() / file_name_for(story_title(printed_name(self.name.text()))))
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the copy as a PDF", suggested, "PDF documents (*.pdf)"
        )
        # Locking the window while the file dialog was open closes this dialog: stop here.
        if not chosen or not shiboken6.isValid(self) or not self.isVisible():
            return False
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            with _busy():
                story = self.story()
                data, _pages = render_pdf(story, self.choices().page_size)
                save_pdf(data, target)
        except StoryCaptureError as error:
            self.show_problem(str(error))
            return False
        self.saved_to = target
        self.outcome = f"{story.title} is saved as {target}."
        super().accept()
        return True

    @Slot()
    def print_copy(self) -> None:
        """The print dialog, then straight to the printer chosen."""
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setPageSize(QPageSize(PAGE_SIZES[self.choices().page_size]))
        printer.setDocName(story_title(self.choices().name))
        self._printer = printer
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the copy")
        dialog.accepted.connect(lambda: self.print_on(printer))
        dialog.finished.connect(dialog.deleteLater)
        QDialog.open(dialog)

    def print_on(self, printer: QPrinter) -> bool:
        if not shiboken6.isValid(self) or not self.isVisible():
            return False
        try:
            with _busy():
                story = self.story()
                print_story(story, printer)
        except StoryCaptureError as error:
            self.show_problem(str(error))
            return False
        self.printed = True
        self.outcome = f"{story.title} has gone to the printer."
        super().accept()
        return True
