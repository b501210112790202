"""Photos in the window: a strip of a storyteller's photos (all of them, or one moment's) with
their captions, that the timeline's moment panel and the Story tab embed; adding photos (a file
picker, or image files dropped) with a caption and who may see it; taking one away.

The bytes go exactly the command line's way: ``PhotoService.add`` streams the chosen file
through age into the vault, so nothing here writes a byte of a photo anywhere, not even a temp
file. Thumbnails are decrypted into memory (``PhotoService.write_to`` into a ``BytesIO``),
scaled, and dropped by ``clear()`` when the window locks. Adding and taking away are steps on
the storyteller's undo stack, authored by whoever the window says is editing.

A photo added or taken away in one strip is news to every other view of the same story (the
moment's strip, the Story tab, the cards on the timeline): ``photo_news()`` tells them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QCursor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QImageReader,
    QPixmap,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import WhoseWords
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import Photo
from storycapture.domain.vocabulary import ConsentItem, Visibility
from storycapture.qtkit.choices import WHOSE_PHOTO, WhoseWordsChoice
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.undo import push_step
from storycapture.qtkit.undo_bar import UndoBar
from storycapture.services.consent import ConsentService
from storycapture.services.media import PhotoService, check_photo_file

THUMB_PX = 72
LARGE_THUMB_PX = 112
PREVIEW_PX = 180
PHOTO_FILES = "Photos (*.jpg *.jpeg *.png *.gif *.webp *.heic *.heif *.bmp);;All files (*)"

VISIBILITY_CHOICES = {
    Visibility.PRIVATE: "Private — stays on this laptop",
    Visibility.TEAM: "Team — may go to the programme team",
    Visibility.SHAREABLE: "Shareable — may go to partner sites, without names",
}

STORYTELLER_MODE = "storytellerMode"  # the object name of the window's storyteller mode
NO_CONSENT = "They haven't agreed to photos. You can change that in their consent."
NO_CONSENT_TO_YOU = (
    "You haven't agreed to photos yet. Your facilitator can change that in your consent, with you."
)


# --- news of photos, for every view of the same story ----------------------------------------


class PhotoNews(QObject):
    """``changed(storyteller_uuid)``: a photo of theirs was added, taken away or brought back."""

    changed = Signal(str)


_news: PhotoNews | None = None


def photo_news() -> PhotoNews:
    global _news
    if _news is None or not shiboken6.isValid(_news):
        _news = PhotoNews()
    return _news


# --- small helpers ---------------------------------------------------------------------------


def dropped_photo_paths(mime: QMimeData | None) -> list[Path]:
    """The local files in a drag (what a file manager drags), or none."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def photo_thumbnail(photos: PhotoService, photo_uuid: str, size: int) -> QPixmap | None:
    """A square of the photo, ``size`` px, decrypted into memory only (never to disk); None
    when it cannot be shown (damaged, missing, or a kind Qt cannot draw)."""
    buffer = io.BytesIO()
    try:
        photos.write_to(photo_uuid, buffer)
        image = QImage.fromData(buffer.getvalue())
    except StoryCaptureError:
        return None
    finally:
        buffer.close()
    if image.isNull():
        return None
    image = image.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    x, y = (image.width() - size) // 2, (image.height() - size) // 2
    return QPixmap.fromImage(image.copy(x, y, size, size))


def _label(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def _photo_words(photo: Photo) -> str:
    return f"“{photo.caption}”" if photo.caption.strip() else photo.original_name


# --- asking for a caption and who may see it -------------------------------------------------

# (caption, visibility, whose words the caption holds) -> a refusal, or None
Keep = Callable[[str, Visibility, WhoseWords], str | None]


class AddPhotoDialog(QDialog):
    """One photo about to be kept: a preview (read into memory from the chosen file), a
    caption, and who may see it. "Keep this photo" calls ``keep``; if that refuses, the reason
    shows above the buttons and everything typed stays."""

    def __init__(
        self,
        source: Path,
        keep: Keep,
        visibility: Visibility = Visibility.PRIVATE,
        *,
        whose: WhoseWords = WhoseWords.THEIRS,
        to_storyteller: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()  # measured in the type it will show in (storyteller mode's is large)
        self.setObjectName("addPhoto")
        self.setWindowTitle("Add a photo")
        self.setModal(True)
        self._keep = keep
        self.source = source
        story = "your story" if to_storyteller else "their story"
        heading = _label("Add a photo", "storytellerHeading" if to_storyteller else "heading")
        intro = _label(
            f"It is kept locked on this laptop, like everything else in {story}.", "subtle"
        )
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setAccessibleName("The photo")
        preview = _preview(source)
        if preview is None:
            self.preview.setText("No preview for this kind of photo; it will be kept all the same.")
            self.preview.setWordWrap(True)
            self.preview.setObjectName("subtle")
        else:
            self.preview.setPixmap(preview)
        name = _label(source.name, "subtle")
        name.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.caption = QPlainTextEdit()
        self.caption.setAccessibleName("Caption")
        self.caption.setPlaceholderText(
            "A few words about it, if you like: who or where it is, what it means"
        )
        self.caption.setTabChangesFocus(True)
        lines = self.fontMetrics().lineSpacing()
        self.caption.setMinimumHeight(lines * 4 + 16)
        self.caption.setMaximumHeight(lines * 6 + 16)
        caption_label = _label("A caption (you can leave it empty)")
        caption_label.setBuddy(self.caption)
        # Whose photo and caption: theirs, or the facilitator's own note (nothing to choose when
        # the storyteller adds it themselves).
        self.whose = WhoseWordsChoice(label="Whose photo is this?", words=WHOSE_PHOTO)
        self.whose.set_value(whose)
        self.whose.set_storyteller_mode(to_storyteller)
        self.whose.setVisible(not to_storyteller)

        who = _label("Who may see it", "subheading")
        self.visibility_group = QButtonGroup(self)
        self.visibility_buttons: dict[Visibility, QRadioButton] = {}
        choices = QVBoxLayout()
        choices.setSpacing(2)
        for choice, words in VISIBILITY_CHOICES.items():
            button = QRadioButton(words)
            button.setAccessibleName(words)
            self.visibility_group.addButton(button)
            self.visibility_buttons[choice] = button
            choices.addWidget(button)
        self.visibility_buttons[visibility].setChecked(True)

        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(28, 24, 28, 8)
        form.setSpacing(8)
        form.addWidget(heading)
        form.addWidget(intro)
        # The photo beside its caption, so the whole dialog fits a small screen in large type.
        picture = QVBoxLayout()
        picture.addWidget(self.preview)
        picture.addWidget(name)
        picture.addStretch(1)
        about = QVBoxLayout()
        about.addWidget(caption_label)
        about.addWidget(self.caption)
        about.addWidget(self.whose)
        about.addStretch(1)
        side_by_side = QHBoxLayout()
        side_by_side.setSpacing(16)
        side_by_side.addLayout(picture)
        side_by_side.addLayout(about, 1)
        form.addLayout(side_by_side)
        form.addSpacing(4)
        form.addWidget(who)
        form.addLayout(choices)
        form.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.problem = _label("", "problem")
        self.problem.setAccessibleName("Problem")
        self.problem.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Keep this photo")
        self.ok_button.setObjectName("storytellerPrimary" if to_storyteller else "primary")
        self.ok_button.setAccessibleName("Keep this photo")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Cancel")
        cancel.setAccessibleName("Cancel without keeping the photo")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        footer = QVBoxLayout()
        footer.setContentsMargins(28, 8, 28, 20)
        footer.setSpacing(10)
        footer.addWidget(self.problem)
        footer.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scroll, 1)
        layout.addLayout(footer)
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.caption.setFocus()
        self._fit(body, scroll)

    def chosen_visibility(self) -> Visibility:
        for choice, button in self.visibility_buttons.items():
            if button.isChecked():
                return choice
        return Visibility.PRIVATE

    def _fit(self, body: QWidget, scroll: QScrollArea) -> None:
        """As large as all of it needs, as far as the screen has room; the body scrolls."""
        self.ensurePolished()
        parent = self.parentWidget()
        anchor = parent.window() if parent is not None else None
        point = anchor.frameGeometry().center() if anchor is not None else QCursor.pos()
        screen = QGuiApplication.screenAt(point) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1280, 800)
        room = QSize(round(room.width() * 0.96), round(room.height() * 0.94))
        bar = scroll.verticalScrollBar().sizeHint().width()
        width = min(body.sizeHint().expandedTo(body.minimumSize()).width() + bar, room.width())
        layout = body.layout()
        height = body.sizeHint().height()
        if layout is not None and layout.hasHeightForWidth():
            height = max(height, layout.totalHeightForWidth(width - bar))
        footer = self.buttons.sizeHint().height() + 28 + 4
        self.resize(QSize(width, height + footer + 4).boundedTo(room))

    @Slot()
    def accept(self) -> None:
        refused = self._keep(
            self.caption.toPlainText().strip(), self.chosen_visibility(), self.whose.value()
        )
        if refused:
            self.problem.setText(refused)
            self.problem.setVisible(True)
            return
        super().accept()

    def done(self, result: int) -> None:
        # What it showed of the photo goes with it (a lock rejects it, too).
        self.preview.clear()
        self.caption.clear()
        super().done(result)


class CaptionDialog(QDialog):
    """ "Change the caption": the words under a photo, typed again. "Keep the caption" calls
    ``keep``; if that refuses, the reason shows and what was typed stays."""

    def __init__(
        self,
        caption: str,
        keep: Callable[[str], str | None],
        *,
        to_storyteller: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("photoCaption")
        self.setWindowTitle("Change the caption")
        self.setModal(True)
        self._keep = keep
        heading = _label(
            "Change the caption", "storytellerHeading" if to_storyteller else "heading"
        )
        self.caption = QPlainTextEdit()
        self.caption.setAccessibleName("Caption")
        self.caption.setPlainText(caption)
        self.caption.setTabChangesFocus(True)
        self.caption.setPlaceholderText("A few words about it, or nothing at all")
        lines = self.fontMetrics().lineSpacing()
        self.caption.setMinimumHeight(lines * 4 + 16)
        label = _label("The words under the photo")
        label.setBuddy(self.caption)
        self.problem = _label("", "problem")
        self.problem.setAccessibleName("Problem")
        self.problem.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Keep the caption")
        self.ok_button.setObjectName("storytellerPrimary" if to_storyteller else "primary")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(label)
        layout.addWidget(self.caption, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self.caption.setFocus()
        self.caption.selectAll()

    @Slot()
    def accept(self) -> None:
        refused = self._keep(self.caption.toPlainText().strip())
        if refused:
            self.problem.setText(refused)
            self.problem.setVisible(True)
            return
        super().accept()

    def done(self, result: int) -> None:
        self.caption.clear()  # its words go with it (a lock rejects it, too)
        super().done(result)


def _preview(source: Path) -> QPixmap | None:
    """The chosen file, read and scaled in memory (as large as ``PREVIEW_PX``)."""
    reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > PREVIEW_PX or size.height() > PREVIEW_PX):
        reader.setScaledSize(
            size.scaled(PREVIEW_PX, PREVIEW_PX, Qt.AspectRatioMode.KeepAspectRatio)
        )
    image = reader.read()
    return None if image.isNull() else QPixmap.fromImage(image)


# --- one photo in the strip ------------------------------------------------------------------


class CaptionLabel(QLabel):
    """Two lines of a caption at most, cut short with "…" (the whole of it is in the tile's
    tooltip); measured again whenever its type changes (storyteller mode makes it larger)."""

    def __init__(self, text: str, width: int) -> None:
        super().__init__()
        self._whole = text
        self.setWordWrap(True)
        self.setFixedWidth(width)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        room = self.width() * 2 - 3 * metrics.height()  # two lines, less what wrapping wastes
        self.setText(metrics.elidedText(self._whole, Qt.TextElideMode.ElideRight, room))
        self.setFixedHeight(metrics.lineSpacing() * 2 + 4)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def clear(self) -> None:
        self._whole = ""
        super().clear()


class PhotoTile(QFrame):
    """A photo's thumbnail, its caption, who may see it, and a way to take it away."""

    remove_requested = Signal(str)
    caption_requested = Signal(str)  # the photo's id: change its caption
    visibility_requested = Signal(str, str)  # the photo's id, the visibility chosen

    def __init__(self, photo: Photo, thumbnail: QPixmap | None, size: int) -> None:
        super().__init__()
        self.setObjectName("photoTile")
        self.photo_uuid = photo.uuid
        self.picture = QLabel()
        self.picture.setFixedSize(size, size)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if thumbnail is None:
            self.picture.setText("No picture")
            self.picture.setObjectName("subtle")
            self.picture.setFrameShape(QFrame.Shape.Box)
        else:
            self.picture.setPixmap(thumbnail)
        # Without a caption, the file's name, quietly.
        self.full_caption = photo.caption
        captioned = bool(photo.caption.strip())
        self.caption = CaptionLabel(photo.caption if captioned else photo.original_name, size + 40)
        self.caption.setObjectName("" if captioned else "subtle")
        # Who may see it, in words, and a menu to change it.
        self.seen_by = QToolButton()
        self.seen_by.setText(photo.visibility.label)
        self.seen_by.setAutoRaise(True)
        self.seen_by.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.seen_by.setAccessibleName(
            f"Who may see it: {VISIBILITY_CHOICES[photo.visibility]}. Change it"
        )
        self.seen_by.setToolTip("Who may see this photo; choose to change it")
        menu = QMenu(self.seen_by)
        for choice, words in VISIBILITY_CHOICES.items():
            action = menu.addAction(words)
            action.setCheckable(True)
            action.setChecked(choice is photo.visibility)
            action.triggered.connect(
                lambda _checked=False, v=choice: self.visibility_requested.emit(
                    self.photo_uuid, v.value
                )
            )
        self.seen_by.setMenu(menu)
        self.change_caption = QToolButton()
        self.change_caption.setText("✎")
        self.change_caption.setAccessibleName("Change the caption")
        self.change_caption.setToolTip("Change the words under this photo")
        self.change_caption.clicked.connect(lambda: self.caption_requested.emit(self.photo_uuid))
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setAccessibleName(f"Take away the photo {_photo_words(photo)}")
        self.remove.setToolTip("Take this photo away (Undo brings it back)")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self.photo_uuid))
        if size >= LARGE_THUMB_PX:
            # a finger's size, in storyteller mode
            for button in (self.remove, self.change_caption, self.seen_by):
                button.setMinimumSize(48, 48)
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 0, 0)
        foot.addWidget(self.seen_by, 1)
        foot.addWidget(self.change_caption)
        foot.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)
        layout.addLayout(foot)
        layout.addStretch(1)
        description = (
            f"Photo: {_photo_words(photo)}. {VISIBILITY_CHOICES[photo.visibility]}. "
            f"Added by {photo.meta.author.describe()}."
        )
        self.setAccessibleName(description)
        self.setToolTip(description)
        self.setStyleSheet(
            "QFrame#photoTile { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 8px; }"
        )


# --- the strip -------------------------------------------------------------------------------


class PhotoStrip(QWidget):
    """A row of photos with their captions: a storyteller's (the Story tab) or one moment's
    (``for_moment``, in the moment panel). "Add a photo…" and dropped files go through consent,
    a check of the file, then a short dialog; each add and take-away is an undo step."""

    changed = Signal()

    def __init__(
        self,
        photos: PhotoService,
        context: EditingContext,
        *,
        for_moment: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("photoStrip")
        self._photos = photos
        self._consent = ConsentService(photos.vault)
        self._context = context
        self._for_moment = for_moment
        self._storyteller: str | None = None
        self._event: str | None = None
        self._shown: list[Photo] = []
        self._thumbs: dict[str, QPixmap | None] = {}
        self._waiting: list[Path] = []
        self._large = False
        self.dialog: AddPhotoDialog | None = None
        self.caption_dialog: CaptionDialog | None = None

        self.heading = _label("Photos of this moment" if for_moment else "Photos", "subheading")
        self.add_button = QPushButton("Add a photo…")
        self.add_button.setAccessibleName(
            "Add a photo to this moment" if for_moment else "Add a photo to the story"
        )
        self.add_button.setToolTip("Choose a photo file, or drop photo files here")
        self.add_button.clicked.connect(self.add_from_picker)
        # Beside the heading on the wide Story tab; under the photos in the narrow panel.
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        below = QHBoxLayout()
        below.setContentsMargins(0, 0, 0, 0)
        if for_moment:
            below.addWidget(self.add_button)
            below.addStretch(1)
        else:
            top.addWidget(self.add_button)

        self.empty = _label("No photos yet. Add one, or drop photo files here.", "subtle")
        self.tiles = QWidget()
        self.tiles.setObjectName("photoTiles")
        self.tile_row = QHBoxLayout(self.tiles)
        self.tile_row.setContentsMargins(0, 0, 0, 0)
        self.tile_row.setSpacing(6)
        self.tile_row.addStretch(1)
        self.shelf = QScrollArea()
        self.shelf.setWidget(self.tiles)
        self.shelf.setWidgetResizable(True)
        self.shelf.setFrameShape(QFrame.Shape.NoFrame)
        self.shelf.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.shelf.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.shelf.setAccessibleName("Photos")
        self.shelf.setVisible(False)

        self.problem = _label("", "problem")
        self.problem.setAccessibleName("Problem")
        self.problem.setVisible(False)
        self.undo_bar = UndoBar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.shelf)
        layout.addLayout(below)
        layout.addWidget(self.problem)
        layout.addWidget(self.undo_bar)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.drops = PhotoDrops(self, lambda paths, _at: self.add_files(paths))
        photo_news().changed.connect(self._news)

    # -- what it shows ------------------------------------------------------------------------

    def show_photos(self, storyteller_uuid: str | None, event_uuid: str | None = None) -> None:
        """Show the storyteller's photos (or, for a moment's strip, ``event_uuid``'s)."""
        if storyteller_uuid != self._storyteller or event_uuid != self._event:
            self._say("")
            self.undo_bar.dismiss()
            self._waiting.clear()
        self._storyteller = storyteller_uuid
        self._event = event_uuid
        self.reload()

    def storyteller(self) -> str | None:
        return self._storyteller

    def moment(self) -> str | None:
        return self._event

    def shown_photos(self) -> list[Photo]:
        return list(self._shown)

    def tile_widgets(self) -> list[PhotoTile]:
        found: list[PhotoTile] = []
        for number in range(self.tile_row.count()):
            item = self.tile_row.itemAt(number)
            widget = item.widget() if item is not None else None
            if isinstance(widget, PhotoTile):
                found.append(widget)
        return found

    def reload(self) -> None:
        self._clear_tiles()
        self._shown = []
        person = self._storyteller
        if person is None or (self._for_moment and self._event is None):
            self.empty.setVisible(person is not None)
            self.shelf.setVisible(False)
            return
        try:
            self._shown = self._photos.list(person, self._event)
        except StoryCaptureError as error:
            self._say(str(error))
        size = LARGE_THUMB_PX if self._large else THUMB_PX
        for photo in self._shown:
            if photo.uuid not in self._thumbs:
                self._thumbs[photo.uuid] = photo_thumbnail(self._photos, photo.uuid, size)
            tile = PhotoTile(photo, self._thumbs[photo.uuid], size)
            tile.remove_requested.connect(self.remove)
            tile.visibility_requested.connect(self.set_visibility)
            tile.caption_requested.connect(self.open_caption_dialog)
            self.tile_row.insertWidget(self.tile_row.count() - 1, tile)
        self.empty.setVisible(not self._shown)
        self.shelf.setVisible(bool(self._shown))
        if self._shown:
            self.tiles.adjustSize()
            bar = self.shelf.horizontalScrollBar().sizeHint().height()
            self.shelf.setFixedHeight(self.tiles.sizeHint().height() + bar + 2)

    def set_large(self, on: bool) -> None:
        """Storyteller mode: bigger thumbnails (its own style makes the buttons 48 px)."""
        if on != self._large:
            self._large = on
            self._thumbs.clear()
            self.reload()

    def clear(self) -> None:
        """Drop every thumbnail, caption and file waiting to be asked about (on lock)."""
        self._storyteller = None
        self._event = None
        self._shown = []
        self._thumbs.clear()
        self._waiting.clear()
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.reject()
        self.dialog = None
        if self.caption_dialog is not None and shiboken6.isValid(self.caption_dialog):
            self.caption_dialog.reject()
        self.caption_dialog = None
        self._clear_tiles()
        self._say("")
        self.undo_bar.dismiss()
        self.empty.setVisible(False)
        self.shelf.setVisible(False)

    def _clear_tiles(self) -> None:
        for tile in self.tile_widgets():
            self.tile_row.removeWidget(tile)
            tile.hide()
            tile.picture.clear()
            tile.caption.clear()
            tile.deleteLater()

    @Slot(str)
    def _news(self, storyteller_uuid: str) -> None:
        if storyteller_uuid == self._storyteller:
            self.reload()

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    # -- adding -------------------------------------------------------------------------------

    def may_add(self) -> bool:
        """Whether a photo may be added here now; if not, the reason is shown."""
        person = self._storyteller
        if person is None or (self._for_moment and self._event is None):
            return False
        try:
            consent = self._consent.current(person)
        except StoryCaptureError as error:
            self._say(str(error))
            return False
        if consent is None or not consent.allows(ConsentItem.PHOTOS):
            self._say(NO_CONSENT_TO_YOU if self._for_storyteller() else NO_CONSENT)
            return False
        return True

    def _for_storyteller(self) -> bool:
        """Whether the storyteller has the laptop: the strip is inside storyteller mode."""
        widget: QWidget | None = self
        while widget is not None:
            if widget.objectName() == STORYTELLER_MODE:
                return True
            widget = widget.parentWidget()
        return False

    @Slot()
    def add_from_picker(self) -> None:
        """ "Add a photo…": consent first, then the file picker, then the dialog."""
        if not self.may_add():
            return
        files, _chosen = QFileDialog.getOpenFileNames(
            self, "Choose a photo", str(Path.home()), PHOTO_FILES
        )
        # Locking while the picker was open cleared this strip: then nothing goes on.
        if not files or not shiboken6.isValid(self) or self._storyteller is None:
            return
        self.add_files([Path(name) for name in files])

    def add_files(self, paths: list[Path]) -> None:
        """Ask about each photo in turn; a file that is not a photo StoryCapture can keep
        (not a picture, too large, unreadable) is refused in plain words and nothing of it
        is written."""
        if not paths or not self.may_add():
            return
        refused: list[str] = []
        for path in paths:
            try:
                check_photo_file(path)
            except StoryCaptureError as error:
                refused.append(str(error))
            else:
                self._waiting.append(path)
        self._say(" ".join(refused))
        self._ask_next()

    def _ask_next(self) -> None:
        if self.dialog is not None or not self._waiting or self._storyteller is None:
            return
        source = self._waiting.pop(0)
        person, moment = self._storyteller, self._event
        dialog = AddPhotoDialog(
            source,
            lambda caption, visibility, whose: self._keep(
                person, moment, source, caption, visibility, whose
            ),
            # What they chose new things to be (private in their own mode), and whose: theirs
            # during a visit, as a photo they show is theirs.
            self._context.new_visibility(person),
            whose=self._context.whose_by_default(),
            to_storyteller=self._for_storyteller(),
            parent=self,
        )
        self.dialog = dialog

        def finished() -> None:
            dialog.deleteLater()
            if shiboken6.isValid(self) and self.dialog is dialog:
                self.dialog = None
                self._ask_next()

        dialog.finished.connect(finished)
        dialog.open()

    def _keep(
        self,
        person: str,
        moment: str | None,
        source: Path,
        caption: str,
        visibility: Visibility,
        whose: WhoseWords,
    ) -> str | None:
        """Add the photo as one undo step; the plain reason if it was refused."""
        made: list[str] = []
        photos = self._photos
        author = self._context.author
        added_by = self._context.author_for(whose)

        def apply() -> None:
            if made:
                photos.update(made[0], author=author(), deleted=False)
                return
            photo = photos.add(
                person,
                source,
                author=added_by,
                caption=caption,
                event_uuid=moment,
                visibility=visibility,
            )
            made.append(photo.uuid)

        def revert() -> None:
            photos.update(made[0], author=author(), deleted=True)

        try:
            push_step(
                self._context.undo_stack,
                "Add a photo",
                apply,
                revert,
                self._after(person),
                on_refused=self._refused,
            )
        except StoryCaptureError as error:
            return str(error)
        self._say("")
        return None

    def _after(self, person: str) -> Callable[[], None]:
        def after() -> None:
            photo_news().changed.emit(person)
            if shiboken6.isValid(self):
                self.changed.emit()

        return after

    def _refused(self, error: StoryCaptureError) -> None:
        if shiboken6.isValid(self):
            self._say(str(error))

    # -- who may see it -----------------------------------------------------------------------

    @Slot(str, str)
    def set_visibility(self, photo_uuid: str, visibility: str) -> None:
        """Change who may see a photo (one undo step)."""
        photo = next((p for p in self._shown if p.uuid == photo_uuid), None)
        chosen = Visibility(visibility)
        if photo is None or self._storyteller is None or chosen is photo.visibility:
            return
        photos, author, before = self._photos, self._context.author, photo.visibility

        def apply() -> None:
            photos.update(photo_uuid, author=author(), visibility=chosen)

        def revert() -> None:
            photos.update(photo_uuid, author=author(), visibility=before)

        try:
            push_step(
                self._context.undo_stack,
                f"Mark the photo {_photo_words(photo)} as {chosen.label.lower()}",
                apply,
                revert,
                self._after(self._storyteller),
                on_refused=self._refused,
            )
        except StoryCaptureError as error:
            self._say(str(error))

    # -- its caption ---------------------------------------------------------------------------

    @Slot(str)
    def open_caption_dialog(self, photo_uuid: str) -> CaptionDialog | None:
        """ "Change the caption": a short dialog; what is kept is one undo step."""
        photo = next((p for p in self._shown if p.uuid == photo_uuid), None)
        if photo is None or self._storyteller is None or self.dialog is not None:
            return None
        dialog = CaptionDialog(
            photo.caption,
            lambda caption: self.change_caption(photo_uuid, caption),
            to_storyteller=self._for_storyteller(),
            parent=self,
        )
        self.caption_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def change_caption(self, photo_uuid: str, caption: str) -> str | None:
        """Change a photo's caption (one undo step); the plain reason if it was refused."""
        photo = next((p for p in self._shown if p.uuid == photo_uuid), None)
        if photo is None or self._storyteller is None:
            return "That photo is no longer here."
        if caption == photo.caption:
            return None
        photos, author, before = self._photos, self._context.author, photo.caption

        def apply() -> None:
            photos.update(photo_uuid, author=author(), caption=caption)

        def revert() -> None:
            photos.update(photo_uuid, author=author(), caption=before)

        try:
            push_step(
                self._context.undo_stack,
                "Change the caption of a photo",
                apply,
                revert,
                self._after(self._storyteller),
                on_refused=self._refused,
            )
        except StoryCaptureError as error:
            return str(error)
        return None

    # -- taking away --------------------------------------------------------------------------

    @Slot(str)
    def remove(self, photo_uuid: str) -> None:
        """Take a photo away (one undo step); a bar offers to bring it straight back."""
        photo = next((p for p in self._shown if p.uuid == photo_uuid), None)
        if photo is None or self._storyteller is None:
            return
        self.undo_bar.dismiss()
        photos = self._photos
        author = self._context.author
        stack = self._context.undo_stack

        def apply() -> None:
            photos.update(photo_uuid, author=author(), deleted=True)

        def revert() -> None:
            photos.update(photo_uuid, author=author(), deleted=False)

        try:
            push_step(
                stack,
                f"Take away the photo {_photo_words(photo)}",
                apply,
                revert,
                self._after(self._storyteller),
                on_refused=self._refused,
            )
        except StoryCaptureError as error:
            self._say(str(error))
            return
        self.undo_bar.offer(stack, "The photo was taken away.", "Bring the photo back")


# --- dropping files --------------------------------------------------------------------------

Dropped = Callable[[list[Path], QPoint], None]


class PhotoDrops(QObject):
    """Lets photo files be dropped onto ``widget``: where ``accepts_at`` gives something true
    (anywhere, without it), a drag of local files is welcomed and ``on_drop`` gets the files and the
    place. What the files hold is checked when they are added, not here."""

    def __init__(
        self,
        widget: QWidget,
        on_drop: Dropped,
        accepts_at: Callable[[QPoint], object] | None = None,
    ) -> None:
        super().__init__(widget)
        self._on_drop = on_drop
        self._accepts_at = accepts_at
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def _welcome(self, event: QDropEvent) -> bool:
        if not dropped_photo_paths(event.mimeData()):
            return False
        place = event.position().toPoint()
        return self._accepts_at is None or bool(self._accepts_at(place))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragEnter:
            entered = event if isinstance(event, QDragEnterEvent) else None
            if entered is not None and dropped_photo_paths(entered.mimeData()):
                entered.acceptProposedAction()  # the place is judged as it moves
                return True
        elif kind == QEvent.Type.DragMove:
            moved = event if isinstance(event, QDragMoveEvent) else None
            if moved is not None and dropped_photo_paths(moved.mimeData()):
                if self._welcome(moved):
                    moved.acceptProposedAction()
                else:
                    moved.ignore()
                return True
        elif kind == QEvent.Type.Drop:
            dropped = event if isinstance(event, QDropEvent) else None
            if dropped is not None and self._welcome(dropped):
                dropped.acceptProposedAction()
                self._on_drop(dropped_photo_paths(dropped.mimeData()), dropped.position().toPoint())
                return True
        return super().eventFilter(watched, event)
