"""Read a story aloud: the story-sharing room's reading view, page by page, in large type.

The story comes from ``hub.reading`` (Qt-free); this view shows one page at a time, sized to be
read from across a room, turned with the keyboard or a presentation clicker (which sends
PageDown/PageUp). While reading, **E** marks an excerpt — the words chosen on the page, or all
of the passage's words — and a small prompt, which never blocks the reading, offers to name a
theme at once. Every mark is one step of the room's undo history. Excerpts already marked are
shown highlighted in the words. ``clear()`` (on lock) drops every personal word it shows.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QStringListModel, Qt, QTimer, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QResizeEvent,
    QShowEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.errors import NotFound, StoryCaptureError
from storycapture.domain.story import Excerpt
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.reading import LIFE, ORDERS, TOLD, Passage, ReadingStory, reading_story
from storycapture.hub.room import Theme, pseudonyms
from storycapture.qtkit import palette
from storycapture.qtkit.looks import look_of, readable_on
from storycapture.qtkit.undo import push_step

NO_STORY = "Choose whose story to read. Turn the pages with the arrow keys or a clicker."
HOW_TO_MARK = "Press E to mark these words as an excerpt (Shift and the arrows choose some of them)"
THEME_PROMPT = "Name a theme for it (or press Esc for none)"
_NEXT = {Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Down}
_PREVIOUS = {Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up}
_ANY_HEIGHT = 16_777_215  # Qt's "no maximum"
_MIN_WORDS_PX = 18  # the words never get smaller than this to fit a page (they scroll instead)


@dataclass
class _Mark:
    """One mark being made, for its undo step: the excerpt, and a theme made with it."""

    storyteller_uuid: str
    excerpt_uuid: str = ""
    new_theme: str = ""  # a theme made by naming it in the prompt: taken off on undo


class ReadingView(QWidget):
    """The reading view: ``show_story``, ``go_to_item``, ``go_to_excerpt``, ``clear``."""

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reading-view")
        self.context = context
        self._story: ReadingStory | None = None
        self._page_index = 0
        self._excerpts: list[Excerpt] = []
        self._themes: dict[str, Theme] = {}
        self._in_context = ""  # the excerpt opened "in context", drawn stronger
        self._marking: _Mark | None = None  # the mark the theme prompt is for

        # --- the controls ------------------------------------------------------------------
        self.storyteller = QComboBox()
        self.storyteller.setAccessibleName("Whose story")
        self.storyteller.setMinimumContentsLength(14)
        self.storyteller.activated.connect(self._storyteller_chosen)
        whose = QLabel("&Whose story")
        whose.setBuddy(self.storyteller)
        self.order_buttons = QButtonGroup(self)
        self.told = QRadioButton(ORDERS[TOLD])
        self.told.setAccessibleName("Read as they told it")
        self.life = QRadioButton(ORDERS[LIFE])
        self.life.setAccessibleName("Read in life order")
        self.told.setChecked(True)
        for button in (self.told, self.life):
            self.order_buttons.addButton(button)
        self.order_buttons.buttonClicked.connect(self._order_chosen)
        self.mark_button = QPushButton("Mark excerpt (E)")
        self.mark_button.setAccessibleName("Mark the chosen words as an excerpt")
        self.mark_button.clicked.connect(self.mark_excerpt)
        self.full_button = QPushButton("Full screen (F11)")
        self.full_button.setAccessibleName("Full screen")
        self.full_button.setCheckable(True)
        self.full_button.toggled.connect(self.set_full_screen)
        controls = QHBoxLayout()
        controls.addWidget(whose)
        controls.addWidget(self.storyteller)
        controls.addSpacing(16)
        controls.addWidget(self.told)
        controls.addWidget(self.life)
        controls.addStretch(1)
        controls.addWidget(self.mark_button)
        controls.addWidget(self.full_button)

        # --- the page ----------------------------------------------------------------------
        self.page = QFrame()
        self.page.setObjectName("reading-page")
        self.page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.page.setAccessibleName("The story, page by page")
        self.label = QLabel()  # what the passage is: "A moment", "Hope", …
        self.label.setObjectName("reading-label")
        self.heading = QLabel()  # a moment's title, or the story's title on its first page
        self.heading.setObjectName("reading-heading")
        self.heading.setWordWrap(True)
        self.details = QLabel()  # when, how it felt, life area; who gathered it and when
        self.details.setObjectName("reading-details")
        self.details.setWordWrap(True)
        self.words = QTextEdit()
        self.words.setObjectName("reading-words")
        self.words.setReadOnly(True)
        self.words.setFrameShape(QFrame.Shape.NoFrame)
        self.words.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.words.document().setDocumentMargin(0)
        self.words.setAccessibleName("The words of this passage")
        self.words.setAccessibleDescription(HOW_TO_MARK)
        self.words.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.words.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.words.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.help = QLabel()  # help sought, what happened, whether it helped
        self.help.setObjectName("reading-help")
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.told_at = QLabel()  # which visit it was told at; whose words
        self.told_at.setObjectName("reading-told-at")
        self.told_at.setWordWrap(True)
        self.indicator = QLabel()
        self.indicator.setObjectName("reading-indicator")
        self.indicator.setAccessibleName("Page")

        # The theme prompt: small, on the page, never in the way of reading on.
        self.prompt = QFrame()
        self.prompt.setObjectName("reading-theme-prompt")
        self.prompt_label = QLabel(THEME_PROMPT)
        self.theme_name = QLineEdit()
        self.theme_name.setAccessibleName("Theme for the excerpt")
        self.theme_name.setPlaceholderText("A theme, new or already on the board")
        self.theme_name.returnPressed.connect(self._theme_named)
        self.theme_name.installEventFilter(self)
        self._theme_names = QStringListModel(self)
        self.completer = QCompleter(self._theme_names, self.theme_name)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Completed in the line itself (Up and Down step through the themes there are): no
        # list pops up over the words being read.
        self.completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.theme_name.setCompleter(self.completer)
        prompt_layout = QHBoxLayout(self.prompt)
        prompt_layout.addWidget(self.prompt_label)
        prompt_layout.addWidget(self.theme_name, 1)
        self.prompt.hide()

        foot = QHBoxLayout()
        foot.addWidget(self.told_at, 1)
        foot.addWidget(
            self.indicator, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        )
        page_layout = QVBoxLayout(self.page)
        page_layout.setContentsMargins(48, 32, 48, 20)
        page_layout.setSpacing(12)
        page_layout.addWidget(self.label)
        page_layout.addWidget(self.heading)
        page_layout.addWidget(self.details)
        page_layout.addWidget(self.words, 1)
        page_layout.addWidget(self.help)
        page_layout.addStretch(0)  # below the words when they are short (help follows them)
        page_layout.addWidget(self.prompt)
        page_layout.addLayout(foot)

        self.status = QLabel()  # a plain-words note: why a mark could not be made
        self.status.setObjectName("reading-status")
        self.status.setWordWrap(True)
        self._body = QVBoxLayout(self)
        self._body.addLayout(controls)
        self._body.addWidget(self.page, 1)
        self._body.addWidget(self.status)

        # Full screen: the page alone, in a window of its own (it comes back on leaving).
        self.full_window = QWidget(self, Qt.WindowType.Window)
        self.full_window.setObjectName("reading-full-screen")
        self.full_window.setWindowTitle("Reading aloud")
        self.full_window.setAccessibleName("Reading aloud, full screen")
        self._full_layout = QVBoxLayout(self.full_window)
        self._full_layout.setContentsMargins(0, 0, 0, 0)
        self.full_window.installEventFilter(self)

        for widget in (self.page, self.words):
            widget.installEventFilter(self)
        self.words.selectionChanged.connect(self._selection_changed)
        context.signals.changed.connect(self._excerpts_changed)
        context.undo_stack.indexChanged.connect(self._close_prompt_quietly)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit)
        self._apply_look()
        self.refresh()

    # --- what the room asks of it -----------------------------------------------------------

    def show_story(self, storyteller_uuid: str, order: str = TOLD) -> None:
        """Open a storyteller's story at its first page, in ``order`` ("told" or "life")."""
        self._close_prompt_quietly()
        self._in_context = ""
        self._story = reading_story(self.context.vault, storyteller_uuid, order)
        with QSignalBlocker(self.told), QSignalBlocker(self.life):
            (self.life if order == LIFE else self.told).setChecked(True)
        self._choose_in_combo(storyteller_uuid)
        self._read_excerpts()
        self.go_to_page(0)

    def go_to_item(self, kind: str, uuid: str) -> bool:
        """Turn to the page of an item of the story shown; False if it is not read here."""
        if self._story is None:
            return False
        page = self._story.page_of(kind, uuid)
        if page is None:
            self._say("That part of the story is not read aloud here (it may be private).")
            return False
        self.go_to_page(page)
        return True

    def go_to_excerpt(self, excerpt_uuid: str) -> bool:
        """Show the story at an excerpt's place, its words highlighted: "in context"."""
        try:
            excerpt = self.context.room.excerpt(excerpt_uuid)
        except StoryCaptureError as error:
            self._say(str(error))
            return False
        person = excerpt.storyteller_uuid
        order = self._story.order if self._story is not None else TOLD
        if self._story is None or self._story.storyteller_uuid != person:
            self.show_story(person, order)
        if not self.go_to_item(excerpt.source.kind, excerpt.source.uuid):
            return False
        self._in_context = excerpt_uuid  # until the page is turned
        self._highlight()
        start, _end = self._utf16_span(excerpt.source.start, excerpt.source.end)
        cursor = self.words.textCursor()
        cursor.setPosition(start)
        self.words.setTextCursor(cursor)
        self.words.ensureCursorVisible()
        return True

    def clear(self) -> None:
        """Drop every personal word (on lock): the story, the excerpts, the names."""
        self.set_full_screen(False)
        self._close_prompt_quietly()
        self._story = None
        self._excerpts = []
        self._themes = {}
        self._in_context = ""
        self._page_index = 0
        self.storyteller.clear()
        self._theme_names.setStringList([])
        self.theme_name.clear()
        self.status.clear()
        self._show_blank()

    def refresh(self) -> None:
        """Read everything again (an import, a withdrawal, an undo elsewhere), staying at the
        same place in the story when it is still there."""
        self._fill_storytellers()
        story = self._story
        if story is None:
            self._read_excerpts()
            self._show_page()
            return
        passage = self.current_passage()
        try:
            self._story = reading_story(self.context.vault, story.storyteller_uuid, story.order)
        except NotFound:
            self._story = None
            self._excerpts = []
            self._show_blank()
            return
        self._choose_in_combo(story.storyteller_uuid)
        self._read_excerpts()
        page = self._story.page_of(passage.kind, passage.uuid) if passage else None
        self.go_to_page(page if page is not None else min(self._page_index, self.page_count - 1))

    # --- paging ---------------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return self._story.page_count if self._story is not None else 0

    @property
    def page_index(self) -> int:
        return self._page_index

    @property
    def story(self) -> ReadingStory | None:
        return self._story

    def current_passage(self) -> Passage | None:
        if self._story is None or self._page_index == 0:
            return None
        return self._story.passages[self._page_index - 1]

    def go_to_page(self, index: int) -> None:
        if self._story is None:
            return
        index = max(0, min(index, self.page_count - 1))
        if index != self._page_index:
            self._close_prompt_quietly()
            self._in_context = ""
        self._page_index = index
        self._show_page()

    def next_page(self) -> None:
        self.go_to_page(self._page_index + 1)

    def previous_page(self) -> None:
        self.go_to_page(self._page_index - 1)

    # --- full screen ----------------------------------------------------------------------------

    @property
    def is_full_screen(self) -> bool:
        return self.page.window() is self.full_window

    @Slot(bool)
    def set_full_screen(self, on: bool) -> None:
        """Show the reading page alone, full screen (F11; Esc leaves), or back in the room."""
        with QSignalBlocker(self.full_button):
            self.full_button.setChecked(on)
        if on == self.is_full_screen:
            return
        focused = self.words.hasFocus()
        if on:
            self._full_layout.addWidget(self.page)
            self.full_window.showFullScreen()
            self.full_window.activateWindow()
        else:
            self._body.insertWidget(1, self.page, 1)
            self.full_window.hide()
            self.page.show()
        (self.words if focused or on else self.page).setFocus()
        self._fit_soon()

    # --- marking excerpts -----------------------------------------------------------------------

    def chosen_span(self) -> tuple[int, int] | None:
        """The span of the passage's words that E would mark: the words chosen (without the
        spaces at their ends), or all of them; None on the first page."""
        passage = self.current_passage()
        if passage is None:
            return None
        cursor = self.words.textCursor()
        if not cursor.hasSelection():
            return 0, len(passage.words)
        start = _index_of(passage.words, cursor.selectionStart())
        end = _index_of(passage.words, cursor.selectionEnd())
        while start < end and passage.words[start].isspace():
            start += 1
        while end > start and passage.words[end - 1].isspace():
            end -= 1
        return start, end

    @Slot()
    def mark_excerpt(self) -> str | None:
        """Mark the chosen words (or the whole passage) as an excerpt, as one undoable step;
        then offer to name a theme at once. The new excerpt's id, or None if none was made."""
        passage = self.current_passage()
        span = self.chosen_span()
        if self._story is None or passage is None or span is None:
            self._say("Turn to a passage of the story to mark its words.")
            return None
        room = self.context.room
        mark = _Mark(self._story.storyteller_uuid)
        author = self.context.author

        def apply() -> None:
            if not mark.excerpt_uuid:
                mark.excerpt_uuid = room.add_excerpt(
                    mark.storyteller_uuid,
                    source_kind=passage.kind,
                    source_uuid=passage.uuid,
                    field=passage.field,
                    start=span[0],
                    end=span[1],
                    marked_by=self.context.marker,
                ).uuid
                return
            if mark.new_theme:
                room.update_theme(mark.new_theme, author=author(), deleted=False)
            room.restore_excerpt(mark.excerpt_uuid, author=author())

        def revert() -> None:
            room.remove_excerpt(mark.excerpt_uuid, author=author())
            if mark.new_theme:
                room.update_theme(mark.new_theme, author=author(), deleted=True)

        try:
            push_step(
                self.context.undo_stack,
                "Mark an excerpt",
                apply,
                revert,
                after=self.context.signals.changed.emit,
                on_refused=self.context.refused,
            )
        except StoryCaptureError as error:
            self._say(str(error))
            return None
        self.status.clear()
        # The words just marked show as marked, not as still chosen.
        cursor = self.words.textCursor()
        cursor.clearSelection()
        self.words.setTextCursor(cursor)
        self.context.signals.changed.emit()
        self._open_prompt(mark)
        return mark.excerpt_uuid

    def name_theme(self, name: str) -> None:
        """Put the excerpt just marked in the theme called ``name`` (made if new; none if
        blank), as part of the same undo step as the mark."""
        mark = self._marking
        self._close_prompt_quietly()
        name = " ".join(name.split())
        if mark is None or not name:
            return
        room = self.context.room
        try:
            try:
                theme = room.theme_named(name)
            except NotFound:
                theme = room.add_theme(name, author=self.context.author())
                mark.new_theme = theme.uuid
            room.set_excerpt_themes(mark.excerpt_uuid, [theme.uuid], author=self.context.author())
        except StoryCaptureError as error:
            self._say(str(error))
            return
        step = self.context.undo_stack.command(self.context.undo_stack.index() - 1)
        if step is not None:
            step.setText(f"Mark an excerpt for “{theme.name}”")
        self.context.signals.changed.emit()

    @property
    def theme_prompt_open(self) -> bool:
        return self._marking is not None

    def _open_prompt(self, mark: _Mark) -> None:
        self._marking = mark
        self._theme_names.setStringList([t.name for t in self.context.room.themes()])
        self.theme_name.clear()
        self.prompt.show()
        self.theme_name.setFocus()
        self._fit_soon()

    @Slot()
    def _theme_named(self) -> None:
        self.name_theme(self.theme_name.text())

    @Slot()
    def _close_prompt_quietly(self) -> None:
        """Close the theme prompt without naming a theme (Esc, a page turned, an undo)."""
        if self._marking is None:
            return
        self._marking = None
        had_focus = self.theme_name.hasFocus()
        self.theme_name.clear()
        self.prompt.hide()
        if had_focus:
            self.words.setFocus()
        self._fit_soon()

    # --- keys -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.page and event.type() == QEvent.Type.Resize:
            self._fit_soon()  # in the room or full screen, the type follows the page's size
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.theme_name:
                if event.key() == Qt.Key.Key_Escape:
                    self._close_prompt_quietly()
                    return True
                return False
            if self._handle_key(event):
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        """The reading keys. Only keys without Shift, Ctrl or Alt turn pages: with Shift the
        arrows choose words (Ctrl moves by word)."""
        key = Qt.Key(event.key())
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_F11:
            self.set_full_screen(not self.is_full_screen)
            return True
        if key == Qt.Key.Key_Escape and self.is_full_screen:
            self.set_full_screen(False)
            return True
        if mods != Qt.KeyboardModifier.NoModifier:
            return False
        if key in _NEXT:
            self.next_page()
        elif key in _PREVIOUS:
            self.previous_page()
        elif key == Qt.Key.Key_Home:
            self.go_to_page(0)
        elif key == Qt.Key.Key_End:
            self.go_to_page(self.page_count - 1)
        elif key == Qt.Key.Key_E:
            self.mark_excerpt()
        else:
            return False
        return True

    # --- showing a page -------------------------------------------------------------------------

    def _show_blank(self) -> None:
        for label in (self.label, self.heading, self.details, self.help, self.told_at):
            label.clear()
        self.words.clear()
        self.words.hide()
        self.help.hide()
        self.indicator.clear()
        self.details.setText(NO_STORY)
        self.page.setAccessibleDescription(NO_STORY)
        self.mark_button.setEnabled(False)
        self.mark_button.setText("Mark excerpt (E)")

    def _show_page(self) -> None:
        story = self._story
        if story is None:
            self._show_blank()
            return
        passage = self.current_passage()
        self.indicator.setText(f"Page {self._page_index + 1} of {story.page_count}")
        if passage is None:
            first = story.first_page
            self.label.setText("A story to read aloud")
            self.heading.setText(first.title)
            self.details.setText("\n".join(line for line in (first.who, first.when) if line))
            self.words.clear()
            self.words.hide()
            self.help.clear()
            self.help.hide()
            self.told_at.setText(ORDERS[story.order])
            self.mark_button.setEnabled(False)
            self.page.setAccessibleDescription(f"{first.title}. {first.who}. {first.when}")
        else:
            self.label.setText(_label_of(passage))
            self.heading.setText(passage.title)
            self.heading.setVisible(bool(passage.title))
            self.details.setText(_details_of(passage))
            self.details.setVisible(bool(self.details.text()))
            self.words.setPlainText(passage.words)
            self.words.show()
            self.help.setText(_help_of(passage))
            self.help.setVisible(bool(self.help.text()))
            self.told_at.setText(" · ".join(x for x in (passage.told_at, passage.whose) if x))
            self.mark_button.setEnabled(True)
            self.page.setAccessibleDescription(HOW_TO_MARK)
        self.heading.setVisible(bool(self.heading.text()))
        self._highlight()
        self._fit_soon()

    def _highlight(self) -> None:
        """Draw the excerpts marked in the words shown (the one opened in context stronger)."""
        passage = self.current_passage()
        if passage is None:
            self.words.setExtraSelections([])
            return
        look = palette.WINDOW[look_of()]
        selections = []
        for excerpt in self.marked_here():
            start, end = self._utf16_span(excerpt.source.start, excerpt.source.end)
            theme = next((self._themes[t] for t in excerpt.themes if t in self._themes), None)
            # A theme's colour, softened toward the paper: marked, not shouted.
            background = (
                _blend(QColor(theme.colour), QColor(look["base"]), 0.6)
                if theme
                else (QColor(look["highlight"]))
            )
            chosen = QTextEdit.ExtraSelection()
            chosen.format = QTextCharFormat()
            chosen.format.setBackground(background)
            chosen.format.setForeground(readable_on(background))
            if excerpt.uuid == self._in_context:
                chosen.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                chosen.format.setUnderlineColor(QColor(look["accent"]))
                chosen.format.setFontWeight(QFont.Weight.DemiBold)
            cursor = QTextCursor(self.words.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            chosen.cursor = cursor
            selections.append(chosen)
        self.words.setExtraSelections(selections)

    def marked_here(self) -> list[Excerpt]:
        """The excerpts marked in the words of the page shown."""
        passage = self.current_passage()
        if passage is None:
            return []
        return [
            e
            for e in self._excerpts
            if e.source.kind == passage.kind
            and e.source.uuid == passage.uuid
            and e.source.field == passage.field
            and e.source.end <= len(passage.words)
        ]

    def highlighted_spans(self) -> list[tuple[int, int, bool]]:
        """What the words show highlighted: (start, end, opened in context), in the words'
        own characters."""
        words = self.words.toPlainText()
        return [
            (
                _index_of(words, s.cursor.selectionStart()),
                _index_of(words, s.cursor.selectionEnd()),
                s.format.fontWeight() == QFont.Weight.DemiBold,
            )
            for s in self.words.extraSelections()
        ]

    def _utf16_span(self, start: int, end: int) -> tuple[int, int]:
        passage = self.current_passage()
        words = passage.words if passage else ""
        return _utf16_of(words, start), _utf16_of(words, end)

    # --- fitting large type to the page ---------------------------------------------------------

    def _fit_soon(self) -> None:
        self._fit_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_soon()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_soon()

    def words_px(self) -> int:
        """The size of the words, in pixels, as the page is now."""
        return self.words.font().pixelSize()

    @Slot()
    def _fit(self) -> None:
        """The largest type that lets the page be read from across the room and still fit:
        scaled to the page's size, smaller (to a floor) only when the words need it."""
        size = self.page.size()
        largest = max(_MIN_WORDS_PX, min(round(size.height() / 13), round(size.width() / 24)))
        px = largest
        self.words.setMaximumHeight(_ANY_HEIGHT)
        while True:
            self._set_type(px)
            if px <= _MIN_WORDS_PX or not self.words.isVisible() or self._words_fit():
                break
            px = max(_MIN_WORDS_PX, int(px * 0.9))
        if self.words.isVisible() and self._words_fit():
            # No taller than the words, so what follows them (help sought) follows closely.
            edges = self.words.height() - self.words.viewport().height()
            needed = edges + ceil(self.words.document().size().height()) + 2
            self.words.setMaximumHeight(needed)

    def _words_fit(self) -> bool:
        layout = self.page.layout()
        if layout is not None:
            layout.activate()
        document = self.words.document()
        document.setTextWidth(self.words.viewport().width())
        return document.size().height() <= self.words.viewport().height()

    def _set_type(self, px: int) -> None:
        for widget, share, bold in (
            (self.words, 1.0, False),
            (self.heading, 1.15 if self._page_index else 1.6, True),
            (self.label, 0.5, True),
            (self.details, 0.6 if self._page_index else 0.75, False),
            (self.help, 0.6, False),
            (self.told_at, 0.45, False),
            (self.indicator, 0.45, False),
            (self.prompt_label, 0.45, False),
            (self.theme_name, 0.5, False),
        ):
            font = QFont(widget.font())
            font.setPixelSize(max(12, round(px * share)))
            font.setBold(bold)
            widget.setFont(font)
            # In the window, the app's style sheet gives every widget its ordinary size: only a
            # widget's own sheet outweighs it.
            weight = 600 if bold else 400
            widget.setStyleSheet(f"font-size: {font.pixelSize()}px; font-weight: {weight};")
        self.words.document().setDefaultFont(self.words.font())

    def _apply_look(self) -> None:
        look = palette.WINDOW[look_of()]
        self.page.setStyleSheet(
            f"""
            QFrame#reading-page {{ background: {look["base"]}; border: 1px solid {look["border"]};
                border-radius: 12px; }}
            QFrame#reading-page:focus {{ border: 2px solid {look["focus"]}; }}
            QTextEdit#reading-words {{ background: {look["base"]}; color: {look["text"]};
                selection-background-color: {look["accent"]};
                selection-color: {look["accent_text"]}; }}
            QLabel {{ color: {look["text"]}; background: transparent; }}
            QLabel#reading-label, QLabel#reading-told-at, QLabel#reading-indicator {{
                color: {look["subtle_text"]}; }}
            QLabel#reading-heading {{ color: {look["accent"]}; }}
            QFrame#reading-theme-prompt {{ background: {look["alternate_base"]};
                border: 1px solid {look["border"]}; border-radius: 8px; }}
            """
        )

    # --- reading the room -----------------------------------------------------------------------

    def _fill_storytellers(self) -> None:
        names = sorted(pseudonyms(self.context.vault).items(), key=lambda p: p[1].casefold())
        with QSignalBlocker(self.storyteller):
            self.storyteller.clear()
            self.storyteller.addItem("Choose a storyteller…", None)
            for uuid, pseudonym in names:
                self.storyteller.addItem(pseudonym, uuid)

    def _choose_in_combo(self, storyteller_uuid: str) -> None:
        if self.storyteller.findData(storyteller_uuid) < 0:
            self._fill_storytellers()
        with QSignalBlocker(self.storyteller):
            self.storyteller.setCurrentIndex(max(0, self.storyteller.findData(storyteller_uuid)))

    def _read_excerpts(self) -> None:
        if self._story is None:
            self._excerpts, self._themes = [], {}
            return
        room = self.context.room
        self._excerpts = room.excerpts(self._story.storyteller_uuid)
        self._themes = {t.uuid: t for t in room.themes()}

    @Slot()
    def _excerpts_changed(self) -> None:
        if self._story is None:
            return
        self._read_excerpts()
        self._highlight()

    @Slot(int)
    def _storyteller_chosen(self, index: int) -> None:
        uuid = self.storyteller.itemData(index)
        if isinstance(uuid, str):
            self.show_story(uuid, LIFE if self.life.isChecked() else TOLD)
            self.page.setFocus()

    @Slot()
    def _order_chosen(self) -> None:
        """Read the same story in the other order, staying with the passage shown."""
        if self._story is None:
            return
        passage = self.current_passage()
        self.show_story(self._story.storyteller_uuid, LIFE if self.life.isChecked() else TOLD)
        if passage is not None:
            self.go_to_item(passage.kind, passage.uuid)

    @Slot()
    def _selection_changed(self) -> None:
        chosen = self.words.textCursor().hasSelection()
        self.mark_button.setText("Mark chosen words (E)" if chosen else "Mark excerpt (E)")

    def _say(self, words: str) -> None:
        self.status.setText(words)


# --- the words of a page ------------------------------------------------------------------------


def _label_of(passage: Passage) -> str:
    if passage.moment:
        return f"{passage.label}, from the moment “{passage.moment}”"
    return passage.label


def _details_of(passage: Passage) -> str:
    parts = [_first_up(passage.when), passage.feeling.lower(), passage.life_area]
    return " · ".join(part for part in parts if part)


def _help_of(passage: Passage) -> str:
    sought = passage.help
    if sought is None:
        return ""
    lines: Sequence[tuple[str, str]] = (
        ("Asked for", sought.asked_for),
        ("From", sought.from_whom),
        ("What happened", sought.what_happened),
        ("Did it help?", sought.helped),
    )
    return "<br>".join(
        f"<b>{html.escape(what)}</b> {html.escape(said)}" for what, said in lines if said
    )


def _blend(colour: QColor, paper: QColor, share: float) -> QColor:
    """``share`` of ``colour`` over ``paper``."""
    return QColor.fromRgbF(
        colour.redF() * share + paper.redF() * (1 - share),
        colour.greenF() * share + paper.greenF() * (1 - share),
        colour.blueF() * share + paper.blueF() * (1 - share),
    )


def _first_up(words: str) -> str:
    return words[:1].upper() + words[1:]


def _utf16_of(words: str, index: int) -> int:
    """A position in ``words`` (characters) as Qt counts it (UTF-16 units)."""
    return len(words[:index].encode("utf-16-le")) // 2


def _index_of(words: str, position: int) -> int:
    """A position as Qt counts it (UTF-16 units) as a position in ``words`` (characters)."""
    units = 0
    for index, char in enumerate(words):
        if units >= position:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(words)
