"""The Story tab: narrative notes and marked quotes, each with who may see it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import NarrativeNote, Quote
from storycapture.domain.vocabulary import Visibility
from storycapture.gui.undo_bar import UndoBar
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.photos import PhotoStrip
from storycapture.qtkit.undo import push_step
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService

_VISIBILITY_WORDS = {
    Visibility.PRIVATE: "Private: never leaves this laptop",
    Visibility.TEAM: "Team: may go to the programme team",
    Visibility.SHAREABLE: "Shareable: may be shared with partners, without names",
}


class StoryWordsPanel(QWidget):
    """Quotes and notes in one list; every change is an undoable step through the service."""

    changed = Signal()
    history_requested = Signal(str, str)  # entity name, uuid

    def __init__(
        self,
        service: StoryWordsService,
        context: EditingContext,
        photos: PhotoService | None = None,
    ) -> None:
        super().__init__()
        self._service = service
        self._context = context
        self._storyteller: str | None = None
        self._items: dict[str, Quote | NarrativeNote] = {}
        self._author_filter = "all"
        self.list = QListWidget()
        self.list.setAccessibleName("Quotes and notes")
        self.list.setWordWrap(True)
        self.list.setSpacing(4)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(self._edit)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        add_quote = QPushButton("Add a quote…")
        add_quote.clicked.connect(lambda: self._add(quote=True))
        add_note = QPushButton("Add a note…")
        add_note.clicked.connect(lambda: self._add(quote=False))
        self.who_sees = QPushButton("Who may see it…")
        self.who_sees.clicked.connect(self._choose_visibility)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove)
        earlier = QPushButton("Earlier versions…")
        earlier.setAccessibleName("Earlier versions of the chosen words, and who changed them")
        earlier.clicked.connect(self._history)
        buttons = QHBoxLayout()
        for button in (add_quote, add_note, self.who_sees, earlier, remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        hint = QLabel("Double-click or press Enter to change the words.")
        hint.setObjectName("subtle")
        # Removing is done at once; taking it back is one touch away, in view.
        self.undo_bar = UndoBar()
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        # Their photos, with captions, under their words (given a PhotoService).
        self.photos = None if photos is None else PhotoStrip(photos, context)
        if self.photos is not None:
            self.photos.changed.connect(self.changed)
            layout.addWidget(self.photos)

    def show_storyteller(self, storyteller_uuid: str) -> None:
        if storyteller_uuid != self._storyteller:
            self.undo_bar.dismiss()  # the undo it offered was someone else's
        self._storyteller = storyteller_uuid
        self.reload()
        if self.photos is not None:
            self.photos.show_photos(storyteller_uuid)

    def reload(self) -> None:
        if self._storyteller is None:
            return
        current = self._current_uuid()
        self.list.clear()
        self._items.clear()
        quotes = self._service.quotes(self._storyteller)
        notes = self._service.notes(self._storyteller)
        entries: list[Quote | NarrativeNote] = [*quotes, *notes]
        for entry in entries:
            own = entry.meta.author.is_storyteller
            if (self._author_filter == "storyteller" and not own) or (
                self._author_filter == "facilitator" and own
            ):
                continue
            self._items[entry.uuid] = entry
            is_quote = isinstance(entry, Quote)
            shown = f"“{entry.text}”" if is_quote else entry.text
            author = entry.meta.author.describe()
            item = QListWidgetItem(
                f"{shown}\n{'Quote' if is_quote else 'Note'} · "
                f"{_VISIBILITY_WORDS[entry.visibility]} · written by {author}"
            )
            item.setData(Qt.ItemDataRole.UserRole, entry.uuid)
            if self._author_filter == "highlight-storyteller" and own:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if entry.uuid == current:
                self.list.setCurrentItem(item)

    def set_author_filter(self, mode: str) -> None:
        """ "all", "storyteller", "facilitator" or "highlight-storyteller"."""
        self._author_filter = mode
        self.reload()

    @Slot()
    def _history(self) -> None:
        entry = self._items.get(self._current_uuid() or "")
        if entry is not None:
            kind = "quote" if isinstance(entry, Quote) else "narrative_note"
            self.history_requested.emit(kind, entry.uuid)

    def clear(self) -> None:
        self.undo_bar.dismiss()
        if self.photos is not None:
            self.photos.clear()
        self._storyteller = None
        self._items.clear()
        self.list.clear()

    def _current_uuid(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _step(self, text: str, apply: Callable[[], None], revert: Callable[[], None]) -> None:
        try:
            push_step(
                self._context.undo_stack,
                text,
                apply,
                revert,
                self._after,
                on_refused=self._refused,
            )
        except StoryCaptureError as error:
            self._refused(error)

    def _refused(self, error: StoryCaptureError) -> None:
        QMessageBox.information(self, "StoryCapture", str(error))

    def _after(self) -> None:
        self.reload()
        self.changed.emit()

    @Slot()
    def _add(self, quote: bool) -> None:
        if self._storyteller is None:
            return
        what = "quote" if quote else "note"
        text, ok = QInputDialog.getMultiLineText(
            self, f"Add a {what}", "In their own words:" if quote else "The note:"
        )
        if not ok or not text.strip():
            return
        storyteller = self._storyteller
        made: list[str] = []

        def apply() -> None:
            if made:
                update = self._service.update_quote if quote else self._service.update_note
                update(made[0], author=self._context.author(), deleted=False)
                return
            add = self._service.add_quote if quote else self._service.add_note
            item = add(
                storyteller,
                text,
                author=self._context.author(),
                visit_uuid=self._context.current_visit(),
            )
            made.append(item.uuid)

        def revert() -> None:
            update = self._service.update_quote if quote else self._service.update_note
            update(made[0], author=self._context.author(), deleted=True)

        self._step(f"Add a {what}", apply, revert)

    def _update(self, entry: Quote | NarrativeNote, step: str, **changes: object) -> None:
        update = (
            self._service.update_quote if isinstance(entry, Quote) else self._service.update_note
        )
        before = {"text": entry.text, "visibility": entry.visibility, "deleted": False}
        after = {**before, **changes}

        def apply() -> None:
            update(entry.uuid, author=self._context.author(), **after)  # type: ignore[arg-type]

        def revert() -> None:
            update(entry.uuid, author=self._context.author(), **before)  # type: ignore[arg-type]

        self._step(step, apply, revert)

    @Slot()
    def _edit(self) -> None:
        entry = self._items.get(self._current_uuid() or "")
        if entry is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Change the words", "", entry.text)
        if ok and text != entry.text:
            self._update(entry, "Change the words", text=text)

    @Slot()
    def _choose_visibility(self) -> None:
        entry = self._items.get(self._current_uuid() or "")
        if entry is None:
            return
        menu = self._visibility_menu(entry)
        menu.exec(self.who_sees.mapToGlobal(self.who_sees.rect().bottomLeft()))

    def _visibility_menu(self, entry: Quote | NarrativeNote) -> QMenu:
        menu = QMenu(self)
        for visibility, words in _VISIBILITY_WORDS.items():
            action = menu.addAction(words)
            action.setCheckable(True)
            action.setChecked(visibility is entry.visibility)
            action.triggered.connect(
                lambda _checked=False, v=visibility: self._update(
                    entry, f"Mark as {v.label.lower()}", visibility=v
                )
            )
        return menu

    @Slot(QPoint)
    def _menu(self, position: QPoint) -> None:
        entry = self._items.get(self._current_uuid() or "")
        if entry is not None:
            self._visibility_menu(entry).exec(self.list.viewport().mapToGlobal(position))

    @Slot()
    def _remove(self) -> None:
        entry = self._items.get(self._current_uuid() or "")
        if entry is None:
            return
        what = "quote" if isinstance(entry, Quote) else "note"
        stack = self._context.undo_stack
        before = stack.index()
        self._update(entry, f"Remove the {what}", deleted=True)
        if stack.index() != before:  # removed (not refused): offer it back, in view
            self.undo_bar.offer(
                stack, f"The {what} was removed.", f"Undo removing the {what}, and bring it back"
            )
