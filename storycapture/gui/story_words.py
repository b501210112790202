"""The Story tab: narrative notes and marked quotes, each with who may see it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import AuthorFilter, WhoseWords, whose_words_label
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import NarrativeNote, Quote
from storycapture.domain.visibility import ITEM_WORDS
from storycapture.domain.vocabulary import Visibility
from storycapture.gui.pages import make_label
from storycapture.gui.theme import scaled_px
from storycapture.gui.widgets import dialog_footer
from storycapture.qtkit.choices import VisibilityChoice, WhoseWordsChoice
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.flow import FlowLayout
from storycapture.qtkit.photos import PhotoStrip
from storycapture.qtkit.undo import push_step
from storycapture.qtkit.undo_bar import UndoBar
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService

_VISIBILITY_WORDS = {
    Visibility.PRIVATE: "Private: never leaves this laptop",
    Visibility.TEAM: "Team: may go to the programme team",
    Visibility.SHAREABLE: "Shareable: may be shared with partners, without names",
}


class AddWordsDialog(QDialog):
    """Add a quote or a note: a heading, room to write sentences, whose words they are and who
    may see them, in plain words."""

    def __init__(
        self,
        *,
        quote: bool,
        whose: WhoseWords,
        visibility: Visibility,
        storyteller_mode: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        what = "quote" if quote else "note"
        self.setWindowTitle(f"Add a {what}")
        self.setModal(True)
        heading = make_label(f"Add a {what}", "heading")
        if storyteller_mode:
            prompt = "Your words, just as you want them kept:" if quote else "Your note:"
        elif quote:
            prompt = "What they said, in their words:"
        else:
            prompt = "The note:"
        intro = make_label(
            "A quote keeps words exactly as they were said."
            if quote
            else "A note keeps something worth remembering about their story.",
            "subtle",
        )
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(prompt.rstrip(":"))
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.fontMetrics().height() * 6)
        label = make_label(prompt)
        label.setBuddy(self.text)
        self.whose = WhoseWordsChoice()
        self.whose.set_value(whose)
        self.whose.set_storyteller_mode(storyteller_mode)
        self.visibility = VisibilityChoice()
        self.visibility.set_value(visibility)
        self.meaning = make_label("", "subtle")
        self.visibility.chosen.connect(lambda _v: self._show_meaning())
        self._show_meaning()
        footer = dialog_footer(self, f"Add the {what}", f"Cancel without adding a {what}")
        self.ok_button = footer.ok_button
        self._footer = footer
        layout = QVBoxLayout(self)
        body = QVBoxLayout()
        body.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(4))
        body.setSpacing(scaled_px(8))
        for widget in (heading, intro, label, self.text, self.whose, self.visibility, self.meaning):
            body.addWidget(widget)
        layout.addLayout(body, 1)
        layout.addLayout(footer.layout)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def words(self) -> str:
        return self.text.toPlainText()

    def _show_meaning(self) -> None:
        self.meaning.setText(_VISIBILITY_WORDS[self.visibility.value()] + ".")

    @Slot()
    def accept(self) -> None:
        if not self.words().strip():
            self._footer.show_problem(self, "Please write the words first.")
            return
        super().accept()


class ChangeWordsDialog(QDialog):
    """Change the words of a quote or a note: the words as they are, room to change them."""

    def __init__(
        self, *, quote: bool, text: str, storyteller_mode: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        what = "quote" if quote else "note"
        self.setWindowTitle(f"Change the {what}")
        self.setModal(True)
        heading = make_label(f"Change the {what}", "heading")
        intro = make_label(
            "Change them only as they would say them: a quote keeps words as they were said."
            if quote and not storyteller_mode
            else "Change them as you like; the earlier words are kept in its earlier versions.",
            "subtle",
        )
        self.text = QPlainTextEdit()
        self.text.setPlainText(text)
        self.text.setAccessibleName("The words")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.fontMetrics().height() * 6)
        label = make_label("The words")
        label.setBuddy(self.text)
        footer = dialog_footer(self, "Keep the changes", "Cancel without changing the words")
        self.ok_button = footer.ok_button
        self._footer = footer
        layout = QVBoxLayout(self)
        body = QVBoxLayout()
        body.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(4))
        body.setSpacing(scaled_px(8))
        for widget in (heading, intro, label, self.text):
            body.addWidget(widget)
        layout.addLayout(body, 1)
        layout.addLayout(footer.layout)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def words(self) -> str:
        return self.text.toPlainText()

    @Slot()
    def accept(self) -> None:
        if not self.words().strip():
            self._footer.show_problem(
                self, "Please keep some words. To take it away, use Remove (Undo brings it back)."
            )
            return
        super().accept()

    def done(self, result: int) -> None:
        super().done(result)  # "accepted" is emitted in here, with the words still in place
        self.text.clear()  # then the words go with it (a lock closes it, too)


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
        self._author_filter = AuthorFilter.ALL
        self.current_dialog: AddWordsDialog | ChangeWordsDialog | None = None
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
        self.whose_button = QPushButton("Whose words…")
        self.whose_button.setAccessibleName("Whose words are these: theirs, or a note by you")
        self.whose_button.clicked.connect(self._choose_whose)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove)
        earlier = QPushButton("Earlier versions…")
        earlier.setAccessibleName("Earlier versions of the chosen words, and who changed them")
        earlier.clicked.connect(self._history)
        # Two rows (adding; then changing the chosen item), each wrapping when the type is
        # large: one row ran off the side in storyteller mode.
        buttons = QVBoxLayout()
        for row in ((add_quote, add_note), (self.who_sees, self.whose_button, earlier, remove)):
            line_holder = QWidget()
            line = FlowLayout(line_holder)
            for button in row:
                line.addWidget(button)
            buttons.addWidget(line_holder)
        hint = QLabel("Double-click or press Enter to change the words.")
        hint.setObjectName("subtle")
        hint.setWordWrap(True)
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
        # In storyteller mode everything is theirs: nothing to choose.
        self.whose_button.setVisible(not self._context.storyteller_mode)
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
        mode = self._context.storyteller_mode
        for entry in entries:
            own = entry.meta.author.is_storyteller
            if not self._author_filter.shows(entry.meta.author):
                continue
            self._items[entry.uuid] = entry
            is_quote = isinstance(entry, Quote)
            shown = f"“{entry.text}”" if is_quote else entry.text
            whose = whose_words_label(entry.meta.author, storyteller_mode=mode)
            item = QListWidgetItem(
                f"{shown}\n{'Quote' if is_quote else 'Note'} · {whose[:1].upper()}{whose[1:]} · "
                f"{_VISIBILITY_WORDS[entry.visibility]}"
            )
            item.setData(Qt.ItemDataRole.UserRole, entry.uuid)
            item.setToolTip(f"{ITEM_WORDS[entry.visibility]} · {whose}")
            if self._author_filter.highlights and own:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if entry.uuid == current:
                self.list.setCurrentItem(item)

    def set_author_filter(self, mode: AuthorFilter | str) -> None:
        self._author_filter = AuthorFilter.parse(mode)
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

    def open_words_dialog(self, quote: bool) -> AddWordsDialog | None:
        """Open Add a quote / Add a note (no nested event loop); the words are added when it is
        accepted, as whose words and seen by whom it says."""
        if self._storyteller is None:
            return None
        mode = self._context.storyteller_mode
        whose = self._context.whose_by_default() if quote or mode else WhoseWords.MINE
        dialog = AddWordsDialog(
            quote=quote,
            whose=whose,
            visibility=self._context.new_visibility(self._storyteller),
            storyteller_mode=mode,
            parent=self,
        )
        self.current_dialog = dialog
        dialog.accepted.connect(
            lambda: self.add_words(
                quote, dialog.words(), dialog.whose.value(), dialog.visibility.value()
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        dialog.text.setFocus()
        return dialog

    @Slot()
    def _add(self, quote: bool) -> None:
        self.open_words_dialog(quote)

    def add_words(
        self, quote: bool, text: str, whose: WhoseWords, visibility: Visibility | None = None
    ) -> None:
        """Add a quote or a note as one undoable step, as ``whose`` words, seen by ``visibility``
        (the storyteller's default when not given)."""
        if self._storyteller is None or not text.strip():
            return
        what = "quote" if quote else "note"
        storyteller = self._storyteller
        author = self._context.author_for(whose)
        shown_to = visibility or self._context.new_visibility(storyteller)
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
                author=author,
                visibility=shown_to,
                visit_uuid=self._context.current_visit(),
            )
            made.append(item.uuid)

        def revert() -> None:
            update = self._service.update_quote if quote else self._service.update_note
            update(made[0], author=self._context.author(), deleted=True)

        self._step(f"Add a {what}", apply, revert)

    def set_whose_words(self, uuid: str, whose: WhoseWords) -> None:
        """Change whose words an item holds, as one undoable step."""
        entry = self._items.get(uuid)
        if entry is None or WhoseWords.of(entry.meta.author) is whose:
            return
        update = (
            self._service.update_quote if isinstance(entry, Quote) else self._service.update_note
        )
        before, after = entry.meta.author, self._context.author_for(whose)
        words = "their words" if whose is WhoseWords.THEIRS else "your note"

        def apply() -> None:
            update(entry.uuid, author=self._context.author(), words_by=after)

        def revert() -> None:
            update(entry.uuid, author=self._context.author(), words_by=before)

        self._step(f"Mark as {words}", apply, revert)

    @Slot()
    def _choose_whose(self) -> None:
        entry = self._items.get(self._current_uuid() or "")
        if entry is None or self._context.storyteller_mode:
            return
        menu = QMenu(self)
        current = WhoseWords.of(entry.meta.author)
        for whose, words in ((WhoseWords.THEIRS, "Their words"), (WhoseWords.MINE, "My note")):
            action = menu.addAction(words)
            action.setCheckable(True)
            action.setChecked(whose is current)
            action.triggered.connect(
                lambda _checked=False, w=whose, u=entry.uuid: self.set_whose_words(u, w)
            )
        menu.exec(self.whose_button.mapToGlobal(self.whose_button.rect().bottomLeft()))

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
        self.open_change_dialog(entry)

    def open_change_dialog(self, entry: Quote | NarrativeNote) -> ChangeWordsDialog:
        """ "Change the words" (no nested event loop): kept, as one undo step, when accepted."""
        dialog = ChangeWordsDialog(
            quote=isinstance(entry, Quote),
            text=entry.text,
            storyteller_mode=self._context.storyteller_mode,
            parent=self,
        )
        self.current_dialog = dialog

        def keep() -> None:
            text = dialog.words()
            if text != entry.text:
                self._update(entry, "Change the words", text=text)

        dialog.accepted.connect(keep)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        dialog.text.setFocus()
        return dialog

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
