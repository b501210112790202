"""The side panel where one moment is read and changed (not a dialog: the picture stays in
view). Each field is saved when you finish editing it, as one undo step. A value the story can't
keep stays exactly as typed, with the reason under it, until it is put right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QFocusEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import WhoseWords, whose_words_label
from storycapture.domain.errors import InvalidFuzzyDate
from storycapture.domain.fuzzydate import FuzzyDate, parse_fuzzy_date
from storycapture.domain.story import HelpSeeking, TimelineEvent
from storycapture.domain.vocabulary import Helped, LifeArea, Visibility, describe_feeling
from storycapture.qtkit.choices import VisibilityChoice, WhoseWordsChoice
from storycapture.timeline.layout import Resolve, movable_in_time, reading_of
from storycapture.timeline.qt.feeling import FeelingChoice

# (uuid, changes, words for the undo step) -> the plain reason it was refused, or None.
Commit = Callable[[str, dict[str, Any], str], str | None]
Anchors = Callable[[str], str | None]

NO_DATE_HINT = "No date yet, so it waits in “Not yet placed in time”. Type one when it is known."

VISIBILITY_WORDS = {
    Visibility.PRIVATE: "Private — stays on this laptop",
    Visibility.TEAM: "Team — may go to the programme team",
    Visibility.SHAREABLE: "Shareable — may be shared once made anonymous",
}


class WordsEdit(QPlainTextEdit):
    """Several lines of someone's own words; saved when the cursor leaves the box."""

    editing_finished = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editing_finished.emit()


def _label(text: str, name: str = "", buddy: QWidget | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if buddy is not None:
        label.setBuddy(buddy)
    return label


PANEL_MIN_WIDTH = 280
STEPPED_MIN_WIDTH = 400  # storyteller mode: room for a part's name between ◀ and ▶
HINT = (
    "Choose a moment in the picture or the list to see it here.\n\n"
    "To add one, double-click an empty part of the picture, or use “Add a moment”."
)
HINT_BUTTON_ONLY = (
    "Choose a moment in the picture or the list to see it here.\n\nTo add one, use “Add a moment”."
)


class EventPanel(QWidget):
    remove_requested = Signal(str)
    history_requested = Signal(str)
    shift_requested = Signal(str, int)
    close_requested = Signal()
    whose_requested = Signal(str, str)  # event uuid, a WhoseWords value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self._event: TimelineEvent | None = None
        self._previous: TimelineEvent | None = None
        self._commit: Commit | None = None
        self._birth_year: int | None = None
        self._resolve: Resolve | None = None
        self._anchors: Anchors | None = None
        # Text that could not be kept, by (event, field): shown again, never silently lost.
        self._pending: dict[tuple[str, str], tuple[str, str]] = {}

        self.pages = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.hint = _label(HINT, "subtle")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        hint_page = QWidget()
        hint_layout = QVBoxLayout(hint_page)
        hint_layout.setContentsMargins(16, 16, 16, 16)
        hint_layout.addWidget(self.hint)
        hint_layout.addStretch(1)
        self.pages.addWidget(hint_page)

        form = QWidget()
        form.setObjectName("page")
        layout = QVBoxLayout(form)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(6)
        self._layout = layout
        self.heading = _label("About this moment", "subheading")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Close the panel")
        self.close_button.setObjectName("panelClose")
        self.close_button.setToolTip("Close the panel (Esc); the picture gets the room")
        self.close_button.clicked.connect(self.close_requested)
        # In storyteller mode the moment is shown one part at a time (its words, when, how it
        # felt, …), each part whole on a small laptop in large type: no box scrolls inside
        # another, and there is less to take in at once. These step through the parts.
        self.step_back = QPushButton("◀")
        self.step_back.setAccessibleName("Back to the part before")
        self.step_back.clicked.connect(lambda: self.step(-1))
        self.step_next = QPushButton("▶")
        self.step_next.setAccessibleName("On to the next part")
        self.step_next.clicked.connect(lambda: self.step(1))
        for step in (self.step_back, self.step_next):
            step.setAutoDefault(False)
            step.setObjectName("panelStep")
        top = QHBoxLayout()
        top.addWidget(self.step_back, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.heading, 1)
        top.addWidget(self.step_next, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._stepped = False
        self._sections: list[tuple[str, QWidget]] = []
        self._section = 0
        self.written_by = _label("", "subtle")
        layout.addLayout(top)
        layout.addWidget(self.written_by)
        # Told by the tool: in storyteller mode everything is theirs, with nothing to choose.
        self.storyteller_mode: Callable[[], bool] = lambda: False
        self.whose = WhoseWordsChoice(stacked=True)
        self.whose.chosen.connect(self._whose_chosen)
        layout.addWidget(self.whose)

        part = self._part("Their words", layout)
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.title_problem = self._problem()
        part.addWidget(_label("Title", buddy=self.title))
        part.addWidget(self.title)
        part.addWidget(self.title_problem)
        self.words = WordsEdit()
        self.words.setAccessibleName("In their own words")
        self.words.setTabChangesFocus(True)
        self.words.setMinimumHeight(90)
        self.words_problem = self._problem()
        part.addWidget(_label("In their own words", buddy=self.words))
        part.addWidget(self.words)
        part.addWidget(self.words_problem)

        part = self._part("When", layout)

        self.when = QLineEdit()
        self.when.setAccessibleName("When it happened")
        self.when.setPlaceholderText("like “spring 2015”, “the 1990s” or “when I was 15”")
        self.when_reading = _label("", "subtle")
        self.when_problem = self._problem()
        part.addWidget(_label("When", buddy=self.when))
        part.addWidget(self.when)
        part.addWidget(self.when_reading)
        part.addWidget(self.when_problem)

        self.until = QLineEdit()
        self.until.setAccessibleName("Until, for a time that lasted")
        self.until.setPlaceholderText("leave empty for a single moment")
        self.until_reading = _label("", "subtle")
        self.until_problem = self._problem()
        part.addWidget(_label("Until (for a time that lasted)", buddy=self.until))
        part.addWidget(self.until)
        part.addWidget(self.until_reading)
        part.addWidget(self.until_problem)

        moves = QHBoxLayout()
        self.earlier = QPushButton("◀ Earlier")
        self.earlier.setAccessibleName("Move earlier")
        self.later = QPushButton("Later ▶")
        self.later.setAccessibleName("Move later")
        moves.addWidget(self.earlier)
        moves.addWidget(self.later)
        part.addLayout(moves)

        part = self._part("How it felt", layout)
        # Seven feelings and "Not said", each a button in words: no drop-down or slider to
        # aim at, and nothing chosen until someone chooses.
        self.feeling = FeelingChoice()
        self.feeling_words = _label("", "subtle")
        part.addWidget(_label("How it felt", buddy=self.feeling))
        part.addWidget(self.feeling)
        part.addWidget(self.feeling_words)

        self.area = QComboBox()
        self.area.setAccessibleName("Part of life")
        for area in LifeArea:
            self.area.addItem(area.label, area.value)
        part.addWidget(_label("Part of life", buddy=self.area))
        part.addWidget(self.area)

        self._narrow(self.area)

        self.help_box = QFrame()
        self.help_box.setObjectName("helpSeeking")
        help_layout = QVBoxLayout(self.help_box)
        help_layout.setContentsMargins(0, 4, 0, 0)
        help_layout.setSpacing(4)
        self.asked_for = QLineEdit()
        self.asked_for.setAccessibleName("What help was asked for")
        self.from_whom = QLineEdit()
        self.from_whom.setAccessibleName("Who it was asked of")
        self.what_happened = WordsEdit()
        self.what_happened.setAccessibleName("What happened")
        self.what_happened.setTabChangesFocus(True)
        self.what_happened.setFixedHeight(70)
        self.helped = QComboBox()
        self.helped.setAccessibleName("Did it help")
        self.helped.addItem("Not said", "")
        for helped in Helped:
            self.helped.addItem(helped.label, helped.value)
        self._narrow(self.helped)
        self.help_problem = self._problem()
        help_layout.addWidget(_label("What help was asked for", buddy=self.asked_for))
        help_layout.addWidget(self.asked_for)
        help_layout.addWidget(_label("Who it was asked of", buddy=self.from_whom))
        help_layout.addWidget(self.from_whom)
        # What came of it: a part of its own in storyteller mode (asking, then what happened).
        self.help_after = QFrame()
        self.help_after.setObjectName("helpSeeking")
        after_layout = QVBoxLayout(self.help_after)
        after_layout.setContentsMargins(0, 0, 0, 4)
        after_layout.setSpacing(4)
        self._help_layouts = (help_layout, after_layout)
        after_layout.addWidget(_label("What happened", buddy=self.what_happened))
        after_layout.addWidget(self.what_happened)
        after_layout.addWidget(_label("Did it help?", buddy=self.helped))
        after_layout.addWidget(self.helped)
        after_layout.addWidget(self.help_problem)
        self._part("Asking for help", layout).addWidget(self.help_box)
        self._part("What came of it", layout).addWidget(self.help_after)

        part = self._part("Who may see it", layout)

        # Each choice on its own line, whole: large type in the mode's narrow panel cut a
        # drop-down's words off.
        self.visibility = VisibilityChoice("Who may see it", stacked=True, one_per_line=True)
        self.visibility_meaning = _label("", "subtle")
        self.other_problem = self._problem()
        part.addWidget(self.visibility)
        part.addWidget(self.visibility_meaning)
        part.addWidget(self.other_problem)

        # The moment's photos (the timeline tool puts its strip of them here).
        part = self._part("Photos and more", layout)
        self.photos_row = QVBoxLayout()
        part.addLayout(self.photos_row)

        self.remove = QPushButton("Take off the timeline")
        self.remove.setAccessibleName("Take this moment off the timeline")
        self.remove.setToolTip("It can be brought back with Undo.")
        self.history = QPushButton("Earlier versions…")
        self.history.setAccessibleName("Earlier versions of this moment, and who changed it")
        self.history.setToolTip("Every earlier wording, who changed it and when.")
        self.history.clicked.connect(self._history)
        part.addSpacing(8)
        part.addWidget(self.history)
        part.addWidget(self.remove)
        layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form)
        self._scroll, self._form = scroll, form
        self.pages.addWidget(scroll)

        self.title.editingFinished.connect(self._title_finished)
        self.when.textChanged.connect(self._when_typed)
        self.when.editingFinished.connect(self._when_finished)
        self.until.textChanged.connect(self._until_typed)
        self.until.editingFinished.connect(self._until_finished)
        self.feeling.chosen.connect(self._feeling_chosen)
        self.area.activated.connect(self._area_chosen)
        self.visibility.chosen.connect(self._visibility_chosen)
        self.words.editing_finished.connect(self._words_finished)
        self.asked_for.editingFinished.connect(self._help_finished)
        self.from_whom.editingFinished.connect(self._help_finished)
        self.what_happened.editing_finished.connect(self._help_finished)
        self.helped.activated.connect(self._help_finished)
        self.earlier.clicked.connect(lambda: self._shift(-1))
        self.later.clicked.connect(lambda: self._shift(1))
        self.remove.clicked.connect(self._remove)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        close.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        close.activated.connect(self.close_requested)
        self.show_event(None)
        self._show_part()

    def _part(self, name: str, layout: QVBoxLayout) -> QVBoxLayout:
        """A part of the moment (shown alone in storyteller mode): its layout, in ``layout``."""
        holder = QWidget()
        holder.setObjectName("panelPart")
        holder.setAccessibleName(name)
        part = QVBoxLayout(holder)
        part.setContentsMargins(0, 0, 0, 0)
        part.setSpacing(6)
        layout.addWidget(holder)
        self._sections.append((name, holder))
        return part

    # -- one part at a time (storyteller mode) --------------------------------------------------

    def set_stepped(self, on: bool) -> None:
        """Storyteller mode: one part of the moment at a time, stepped through with ◀ and ▶."""
        self._stepped = on
        self._section = 0
        # A part alone has room to spare sideways, not downwards: closer lines.
        self._layout.setSpacing(4 if on else 6)
        self._show_part()
        self.fit_width()

    def is_stepped(self) -> bool:
        return self._stepped

    def parts(self) -> list[str]:
        """The names of the parts this moment has, in order (help only for asking for help)."""
        return [name for name, holder in self._sections if self._has_part(holder)]

    def current_part(self) -> str:
        return self._sections[self._section][0]

    def show_part(self, name: str) -> None:
        self._section = next(i for i, (each, _) in enumerate(self._sections) if each == name)
        self._show_part()

    def step(self, by: int) -> None:
        """The part ``by`` places after (or before) the one shown, among those it has."""
        shown = [i for i, (_, holder) in enumerate(self._sections) if self._has_part(holder)]
        here = shown.index(self._section) if self._section in shown else 0
        self._section = shown[max(0, min(len(shown) - 1, here + by))]
        self._show_part()
        # The keyboard stays on the arrows, or moves to the other one at either end.
        end = self.step_next if by > 0 else self.step_back
        other = self.step_back if by > 0 else self.step_next
        if (end.hasFocus() or other.hasFocus()) and not end.isEnabled():
            other.setFocus(Qt.FocusReason.OtherFocusReason)

    def _has_part(self, holder: QWidget) -> bool:
        """Every moment has every part, but the help it asked for only when it was asking."""
        return all(
            holder is not box.parentWidget() or not box.isHidden()
            for box in (self.help_box, self.help_after)
        )

    def _show_part(self) -> None:
        stepped = self._stepped
        if stepped and not self._has_part(self._sections[self._section][1]):
            self._section = 0
        for i, (name, holder) in enumerate(self._sections):
            holder.setVisible(not stepped or i == self._section)
            # A field's label that says what the heading says already is not said twice.
            for label in holder.findChildren(QLabel):
                if label.text() == name and label.buddy() is not None:
                    label.setVisible(not stepped)
        for widget in (self.step_back, self.step_next):
            widget.setVisible(stepped)
        if not stepped:
            self.heading.setText("About this moment")
        else:
            names = self.parts()
            name = self.current_part()
            place = names.index(name)
            self.heading.setText(f"{name} ({place + 1} of {len(names)})")
            self.step_back.setEnabled(place > 0)
            self.step_next.setEnabled(place < len(names) - 1)
            before = names[place - 1] if place > 0 else ""
            after = names[place + 1] if place < len(names) - 1 else ""
            self.step_back.setToolTip(f"Back to: {before}" if before else "")
            self.step_next.setToolTip(f"On to: {after}" if after else "")
            self.step_back.setAccessibleDescription(before)
            self.step_next.setAccessibleDescription(after)
        self.fit_width()
        self.fit_height()

    def _part_of(self, widget: QWidget) -> str | None:
        for name, holder in self._sections:
            if holder.isAncestorOf(widget):
                return name
        return None

    @staticmethod
    def _narrow(combo: QComboBox) -> None:
        """A choice as wide as the panel, not as its longest words (they are elided)."""
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)

    @staticmethod
    def _problem() -> QLabel:
        label = _label("", "problem")
        label.setVisible(False)
        return label

    # -- what it shows --------------------------------------------------------------------------

    @property
    def shown_event(self) -> TimelineEvent | None:
        return self._event

    def set_adds_on_double_click(self, on: bool) -> None:
        """Whether the hint offers a double click on the picture as a way to add a moment."""
        self.hint.setText(HINT if on else HINT_BUTTON_ONLY)

    def set_committer(self, commit: Commit) -> None:
        self._commit = commit

    def set_context(
        self, birth_year: int | None, resolve: Resolve | None, anchors: Anchors | None
    ) -> None:
        """How dates are read: the birth year, and how before/after names find their event."""
        self._birth_year, self._resolve, self._anchors = birth_year, resolve, anchors

    def show_event(self, event: TimelineEvent | None) -> None:
        """Show this event's fields (or the hint when there is none). A field holding text that
        could not be kept, or being typed in right now, keeps it."""
        mode = self.storyteller_mode()
        self.whose.set_storyteller_mode(mode)
        self.whose.setVisible(not mode)  # in their own mode: nothing to choose
        self.fit_width()
        previous = self._event
        same = event is not None and previous is not None and event.uuid == previous.uuid
        self._previous = previous if same else None
        self._event = event
        if event is None:
            self.pages.setCurrentIndex(0)
            self._section = 0
            return
        self.pages.setCurrentIndex(1)
        whose = whose_words_label(event.meta.author, storyteller_mode=self.whose.storyteller_mode)
        self.written_by.setText(f"{whose[:1].upper()}{whose[1:]}")
        self.whose.set_value(WhoseWords.of(event.meta.author))
        self._fill(self.title, "title", event.title, same)
        self._fill(self.when, "when", event.starts.display() if event.starts else "", same)
        self._fill(self.until, "until", event.ends.display() if event.ends else "", same)
        self._when_typed(self.when.text())
        self._until_typed(self.until.text())
        self.feeling.set_value(event.valence)
        self.area.blockSignals(True)
        self.area.setCurrentIndex(self.area.findData(event.life_area.value))
        self.area.blockSignals(False)
        self.feeling_words.setText(self._feeling_words(event.valence))
        self.visibility.set_value(event.visibility)
        self.visibility_meaning.setText(VISIBILITY_WORDS[event.visibility])
        self._fill(self.words, "words", event.words, same)
        help_seeking = event.help or HelpSeeking()
        self._fill(self.asked_for, "asked_for", help_seeking.asked_for, same)
        self._fill(self.from_whom, "from_whom", help_seeking.from_whom, same)
        self._fill(self.what_happened, "what_happened", help_seeking.what_happened, same)
        self.helped.blockSignals(True)
        helped = help_seeking.helped.value if help_seeking.helped else ""
        self.helped.setCurrentIndex(max(0, self.helped.findData(helped)))
        self.helped.blockSignals(False)
        help_seeking_shown = event.life_area is LifeArea.HELP_SEEKING or event.help is not None
        self.help_box.setVisible(help_seeking_shown)
        self.help_after.setVisible(help_seeking_shown)
        movable = movable_in_time(event)
        tied = (
            ""
            if movable
            else "It has no date yet; type one above to place it."
            if event.starts is None
            else "This moment is tied to another one; change its date to move it."
        )
        for button in (self.earlier, self.later):
            button.setEnabled(movable)
            button.setToolTip(tied)
        reasons: dict[int, str] = {}
        for field, problem in self._problems().items():
            kept = self._pending.get((event.uuid, field))
            if kept is not None:
                reasons[id(problem)] = kept[1]
        for problem in set(self._problems().values()):
            problem.setText(reasons.get(id(problem), ""))
            problem.setVisible(id(problem) in reasons)
        if not same:
            self._section = 0
        # Words that could not be kept are never out of sight: their part is shown.
        troubled = [self._part_of(problem) for problem in self._problems().values()]
        shown = [
            name
            for name, problem in zip(troubled, self._problems().values(), strict=True)
            if id(problem) in reasons and name is not None
        ]
        if self._stepped and shown and self.current_part() not in shown:
            self.show_part(shown[0])
        else:
            self._show_part()

    def _fill(self, widget: QLineEdit | QPlainTextEdit, field: str, value: str, same: bool) -> None:
        assert self._event is not None
        kept = self._pending.get((self._event.uuid, field))
        current = widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()
        if kept is not None:
            value = kept[0]
        elif same and current != self._shown_value(field):
            # typed but not yet saved (another field of this moment was saved first): keep
            # it; its own "finished" saves it, whether or not the box still has the cursor
            return
        if current == value:
            return
        widget.blockSignals(True)
        if isinstance(widget, QLineEdit):
            widget.setText(value)
            widget.setCursorPosition(0)  # show the start of long words, not their end
        else:
            widget.setPlainText(value)
        widget.blockSignals(False)

    def _shown_value(self, field: str) -> str:
        """What the field showed for the moment before this refresh of it."""
        event = self._previous
        if event is None:
            return ""
        help_seeking = event.help or HelpSeeking()
        return {
            "title": event.title,
            "when": event.starts.display() if event.starts else "",
            "until": event.ends.display() if event.ends else "",
            "words": event.words,
            "asked_for": help_seeking.asked_for,
            "from_whom": help_seeking.from_whom,
            "what_happened": help_seeking.what_happened,
        }[field]

    def _problems(self) -> dict[str, QLabel]:
        """Where each field's problem is told (the help-seeking fields share one)."""
        return {
            "title": self.title_problem,
            "when": self.when_problem,
            "until": self.until_problem,
            "words": self.words_problem,
            "help": self.help_problem,
            "asked_for": self.help_problem,
            "from_whom": self.help_problem,
            "what_happened": self.help_problem,
            "other": self.other_problem,
        }

    def focus_title(self) -> None:
        """Ready for typing a title: focused, with the words selected."""
        if self._stepped:
            self.show_part(self._sections[0][0])
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)
        self.title.selectAll()

    def fit_width(self) -> None:
        """At least 280 px, and never narrower than what it holds: in large type (storyteller
        mode) a fixed 280 cut its words and buttons off on the right."""
        bar = self._scroll.verticalScrollBar().sizeHint().width()
        holds = self._form.minimumSizeHint().width() + bar
        least = STEPPED_MIN_WIDTH if self._stepped else PANEL_MIN_WIDTH
        self.setMinimumWidth(max(least, holds))

    def fit_height(self) -> None:
        """Storyteller mode: at least as tall as the part shown, so a part never scrolls inside
        the panel (below the picture, on a compact screen, the page scrolls instead)."""
        if not self._stepped:
            self.setMinimumHeight(0)
            return
        layout = self._layout
        width = self._scroll.viewport().width()
        tall = layout.totalHeightForWidth(width) if width > 1 else -1
        tall = max(tall, self._form.minimumSizeHint().height())
        if tall != self.minimumHeight():
            self.setMinimumHeight(tall)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._stepped and event.size().width() != event.oldSize().width():
            self.fit_height()

    def showEvent(self, event: QShowEvent) -> None:
        self.fit_width()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self.fit_width()
        super().changeEvent(event)

    def _whose_chosen(self, whose: str) -> None:
        if self._event is not None and WhoseWords(whose) is not WhoseWords.of(
            self._event.meta.author
        ):
            self.whose_requested.emit(self._event.uuid, whose)

    def clear(self) -> None:
        """Drop every word shown or kept (on lock)."""
        self._event = None
        self._pending.clear()
        for edit in (self.title, self.when, self.until, self.asked_for, self.from_whom):
            edit.blockSignals(True)
            edit.clear()
            edit.blockSignals(False)
        for box in (self.words, self.what_happened):
            box.blockSignals(True)
            box.clear()
            box.blockSignals(False)
        for label in (self.written_by, self.when_reading, self.until_reading, self.feeling_words):
            label.clear()
        for problem in set(self._problems().values()):
            problem.clear()
            problem.setVisible(False)
        self._birth_year, self._resolve, self._anchors = None, None, None
        self.pages.setCurrentIndex(0)
        self._section = 0

    def commit_pending(self) -> None:
        """Save whatever has been typed but not yet finished (before the moment changes)."""
        if self._event is None:
            return
        self._title_finished()
        self._when_finished()
        self._until_finished()
        self._words_finished()
        self._help_finished()

    # -- saving ---------------------------------------------------------------------------------

    def _save(self, field: str, changes: dict[str, Any], step: str) -> bool:
        event = self._event
        if event is None or self._commit is None:
            return False
        problem = self._problems()[field]
        reason = self._commit(event.uuid, changes, step)
        if reason is not None:
            problem.setText(reason)
            problem.setVisible(True)
            return False
        self._pending.pop((event.uuid, field), None)
        problem.setVisible(False)
        return True

    def _refuse(self, field: str, text: str, reason: str) -> None:
        assert self._event is not None
        self._pending[(self._event.uuid, field)] = (text, reason)
        problem = self._problems()[field]
        problem.setText(reason)
        problem.setVisible(True)

    def _keep_if_refused(self, field: str, text: str, saved: bool) -> None:
        if not saved and self._event is not None:
            self._pending[(self._event.uuid, field)] = (text, self._problems()[field].text())

    @Slot()
    def _title_finished(self) -> None:
        event = self._event
        if event is None or self.title.text() == event.title:
            return
        text = self.title.text()
        saved = self._save("title", {"title": text}, f"Change the title of “{event.title}”")
        self._keep_if_refused("title", text, saved)

    def _parse(self, text: str) -> FuzzyDate:
        return parse_fuzzy_date(text, self._anchors)

    @Slot(str)
    def _when_typed(self, text: str) -> None:
        self.when_reading.setText(self._reading(text) if text.strip() else NO_DATE_HINT)

    @Slot(str)
    def _until_typed(self, text: str) -> None:
        self.until_reading.setText(self._reading(text) if text.strip() else "")

    def _reading(self, text: str) -> str:
        try:
            date = self._parse(text)
        except InvalidFuzzyDate as error:
            return str(error)
        return reading_of(date, self._birth_year, self._resolve)[0]

    @Slot()
    def _when_finished(self) -> None:
        event = self._event
        if event is None:
            return
        text = self.when.text()
        shown = event.starts.display() if event.starts else ""
        if text == shown and (event.uuid, "when") not in self._pending:
            return
        date: FuzzyDate | None = None
        if text.strip():  # emptied: no date (back to the tray), never a guessed one
            try:
                date = self._parse(text)
            except InvalidFuzzyDate as error:
                self._refuse("when", text, str(error))
                return
        problem = self._order_problem(date, event.ends)
        if problem:
            self._refuse("when", text, problem)
            return
        if date == event.starts:
            self._pending.pop((event.uuid, "when"), None)
            self.when_problem.setVisible(False)
            return
        step = (
            f"Take the date off “{event.title}”"
            if date is None
            else f"Place “{event.title}” in time"
            if event.starts is None
            else f"Change the date of “{event.title}”"
        )
        saved = self._save("when", {"starts": date}, step)
        self._keep_if_refused("when", text, saved)

    @Slot()
    def _until_finished(self) -> None:
        event = self._event
        if event is None:
            return
        text = self.until.text()
        current = event.ends.display() if event.ends else ""
        if text == current and (event.uuid, "until") not in self._pending:
            return
        ends: FuzzyDate | None = None
        if text.strip():
            try:
                ends = self._parse(text)
            except InvalidFuzzyDate as error:
                self._refuse("until", text, str(error))
                return
            problem = self._order_problem(event.starts, ends)
            if problem:
                self._refuse("until", text, problem)
                return
        if ends == event.ends:
            self._pending.pop((event.uuid, "until"), None)
            self.until_problem.setVisible(False)
            return
        step = (
            f"Make “{event.title}” a single moment"
            if ends is None
            else f"Change when “{event.title}” ended"
        )
        saved = self._save("until", {"ends": ends}, step)
        self._keep_if_refused("until", text, saved)

    def _order_problem(self, starts: FuzzyDate | None, ends: FuzzyDate | None) -> str:
        if ends is None:
            return ""
        if starts is None:
            return "A time that lasted needs when it began too: please type that first."
        start = starts.date_range(self._birth_year, self._resolve)
        end = ends.date_range(self._birth_year, self._resolve)
        if start is not None and end is not None and end[1] < start[0]:
            return "This ends before it starts — please check the two dates."
        return ""

    @staticmethod
    def _feeling_words(valence: int | None) -> str:
        if valence is None:
            return "Not said yet: choose one only when they say how it felt."
        return f"It felt {describe_feeling(valence)}"

    @Slot(object)
    def _feeling_chosen(self, value: int | None) -> None:
        event = self._event
        self.feeling_words.setText(self._feeling_words(value))
        if event is None or value == event.valence:
            return
        self._save("other", {"valence": value}, f"Change how “{event.title}” felt")

    @Slot(int)
    def _area_chosen(self, index: int) -> None:
        event = self._event
        area = LifeArea(self.area.itemData(index))
        if event is None or area is event.life_area:
            return
        self._save("other", {"life_area": area}, f"Change the part of life of “{event.title}”")

    @Slot(str)
    def _visibility_chosen(self, value: str) -> None:
        event = self._event
        visibility = Visibility(value)
        if event is None or visibility is event.visibility:
            return
        self._save("other", {"visibility": visibility}, f"Change who may see “{event.title}”")

    @Slot()
    def _words_finished(self) -> None:
        event = self._event
        text = self.words.toPlainText()
        if event is None or text == event.words:
            return
        saved = self._save("words", {"words": text}, f"Change the words of “{event.title}”")
        self._keep_if_refused("words", text, saved)

    @Slot()
    def _help_finished(self) -> None:
        event = self._event
        if event is None:
            return
        helped = self.helped.currentData()
        wanted = HelpSeeking(
            asked_for=self.asked_for.text(),
            from_whom=self.from_whom.text(),
            what_happened=self.what_happened.toPlainText(),
            helped=Helped(helped) if helped else None,
        )
        if wanted == (event.help or HelpSeeking()):
            return
        step = f"Change the help asked for in “{event.title}”"
        saved = self._save("help", {"help": wanted}, step)
        for field, text in (
            ("asked_for", wanted.asked_for),
            ("from_whom", wanted.from_whom),
            ("what_happened", wanted.what_happened),
        ):
            if saved:
                self._pending.pop((event.uuid, field), None)
            else:
                self._keep_if_refused(field, text, saved)

    def _shift(self, steps: int) -> None:
        if self._event is not None:
            self.commit_pending()
            self.shift_requested.emit(self._event.uuid, steps)

    def _remove(self) -> None:
        if self._event is not None:
            self.remove_requested.emit(self._event.uuid)

    def _history(self) -> None:
        if self._event is not None:
            self.commit_pending()
            self.history_requested.emit(self._event.uuid)
