"""The stories page: the storyteller sidebar with search, and one storyteller's tabs.

Built only after unlock (it imports the services and the tools). Widgets show what the
services return; ``clear()`` empties every one of them when the vault locks.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author, AuthorFilter
from storycapture.domain.text import unreadable_sentence
from storycapture.domain.visibility import DEFAULT_EXPLAINED, DEFAULT_WORDS
from storycapture.domain.vocabulary import ConsentItem, Visibility
from storycapture.gui.consent import ConsentHistoryView
from storycapture.gui.story_words import StoryWordsPanel
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.flow import FlowLayout, is_compact, scrolling_page
from storycapture.services.consent import ConsentService
from storycapture.services.media import PhotoService
from storycapture.services.overview import StorytellerSummary
from storycapture.services.search import SearchHit
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService

_KIND_WORDS = {
    "storyteller": "Name",
    "timeline_event": "Timeline",
    "strength_card": "Strengths",
    "quote": "Quote",
    "narrative_note": "Note",
}
_TAB_OF_KIND = {"timeline_event": 1, "strength_card": 2, "quote": 3, "narrative_note": 3}

Index = QModelIndex | QPersistentModelIndex


class StorytellerListModel(QAbstractListModel):
    """The sidebar's rows over plain summaries: pseudonym, consent and last visit."""

    UuidRole = Qt.ItemDataRole.UserRole

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[StorytellerSummary] = []

    def set_summaries(self, rows: list[StorytellerSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            visit = (
                f"last visit {row.last_visit.day} {row.last_visit:%b %Y}"
                if row.last_visit
                else "no visits yet"
            )
            return f"{row.storyteller.pseudonym}\n{row.consent_words()} · {visit}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.storyteller.pseudonym}. {row.consent_words()}."
        if role == self.UuidRole:
            return row.uuid
        return None

    def row_of(self, storyteller_uuid: str) -> int:
        for number, row in enumerate(self._rows):
            if row.uuid == storyteller_uuid:
                return number
        return -1

    def summary(self, storyteller_uuid: str) -> StorytellerSummary | None:
        number = self.row_of(storyteller_uuid)
        return None if number < 0 else self._rows[number]


class StorytellerDelegate(QStyledItemDelegate):
    """Two lines per storyteller: the name, then consent and last visit in quieter type."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        name, _, detail = text.partition("\n")
        painter.save()
        rect = option.rect.adjusted(10, 6, -8, -6)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(option.rect.adjusted(2, 2, -2, -2), 8, 8)
        ink = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(ink)
        first = QFontMetrics(bold).height()
        painter.drawText(
            rect.adjusted(0, 0, 0, -rect.height() + first), Qt.AlignmentFlag.AlignLeft, name
        )
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.88))
        painter.setFont(small)
        quiet = QColor(ink)
        quiet.setAlphaF(0.72)
        painter.setPen(quiet)
        detail_rect = rect.adjusted(0, first + 2, 0, 0)
        painter.drawText(
            detail_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            | int(Qt.TextFlag.TextWordWrap),
            detail,
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, int(metrics.height() * 3.1) + 12)


class Sidebar(QWidget):
    """Storytellers, and search over names, events, cards and quotes."""

    storyteller_chosen = Signal(str)
    hit_chosen = Signal(object)  # a SearchHit

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("sidebar")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the stories")
        self.search.setAccessibleName("Search")
        self.search.setClearButtonEnabled(True)
        self.model = StorytellerListModel()
        self.people = QListView()
        self.people.setObjectName("storytellers")
        self.people.setAccessibleName("Storytellers")
        self.people.setModel(self.model)
        self.people.setItemDelegate(StorytellerDelegate(self.people))
        self.people.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.people.setUniformItemSizes(True)
        self.people.selectionModel().currentChanged.connect(self._person_changed)
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.itemActivated.connect(self._hit_activated)
        self.results.itemClicked.connect(self._hit_activated)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setSpacing(3)
        self.results.hide()
        self.new_storyteller = QPushButton("New storyteller…")
        # On a compact screen the list covers the story; this goes back to it.
        self.back_to_story = QPushButton("Back to their story")
        self.back_to_story.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 10, 10)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.new_storyteller)
        layout.addWidget(self.back_to_story)

    def show_summaries(self, rows: list[StorytellerSummary]) -> None:
        current = self.current_uuid()
        self.model.set_summaries(rows)
        if current and self.model.row_of(current) >= 0:
            self.select(current)

    def current_uuid(self) -> str | None:
        index = self.people.currentIndex()
        if not index.isValid():
            return None
        return str(index.data(StorytellerListModel.UuidRole))

    def select(self, storyteller_uuid: str) -> None:
        row = self.model.row_of(storyteller_uuid)
        if row >= 0:
            self.people.setCurrentIndex(self.model.index(row))

    def show_hits(self, hits: list[SearchHit], names: dict[str, str]) -> None:
        self.results.clear()
        if not self.search.text().strip():
            self.results.hide()
            self.people.show()
            return
        self.people.hide()
        for hit in hits:
            item = QListWidgetItem(
                f"{names.get(hit.storyteller_uuid, '')} · {_KIND_WORDS[hit.kind]}\n{hit.snippet}"
            )
            item.setData(Qt.ItemDataRole.UserRole, hit)
            self.results.addItem(item)
        if not hits:
            self.results.addItem("Nothing found. Try fewer or shorter words.")
        self.results.show()

    def show_message(self, text: str) -> None:
        """A sentence in place of results (search is still getting ready, say)."""
        self.results.clear()
        self.people.hide()
        self.results.addItem(text)
        self.results.show()

    def clear(self) -> None:
        self.search.clear()
        self.results.clear()
        self.results.hide()
        self.people.show()
        self.model.set_summaries([])

    @Slot(QModelIndex, QModelIndex)
    def _person_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.storyteller_chosen.emit(str(current.data(StorytellerListModel.UuidRole)))

    @Slot(QListWidgetItem)
    def _hit_activated(self, item: QListWidgetItem) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(hit, SearchHit):
            self.hit_chosen.emit(hit)


def make_strengths_view(
    vault: VaultSession, context: EditingContext, large: bool = False
) -> StrengthsTool:
    """The strengths board for one storyteller, with the deck of prompt cards."""
    tool = StrengthsTool(StrengthService(vault), context, PromptDeck.load())
    if large:  # (the board is made at its normal size)
        tool.set_large(large)
    return tool


def _counted(count: int, one: str) -> str:
    """``count`` things in words: "1 moment", "3 moments" (never "1 moments")."""
    return f"{count} {one if count == 1 else one + 's'}"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class StorytellerPage(QWidget):
    """One storyteller: Overview, Timeline, Strengths and Story."""

    changed = Signal()
    history_requested = Signal(str, str)  # entity name, uuid
    start_visit_requested = Signal()
    end_visit_requested = Signal()
    consent_requested = Signal()
    withdraw_requested = Signal()
    give_copy_requested = Signal()
    list_requested = Signal()

    def __init__(self, vault: VaultSession, context: EditingContext) -> None:
        super().__init__()
        self.setObjectName("page")
        self._vault = vault
        self.storyteller_uuid: str | None = None
        self.name = QLabel()
        self.name.setObjectName("heading")
        self.role = QLabel()
        self.role.setObjectName("subtle")
        # Start visit, which becomes End visit while one is in progress (the window says which).
        self.visit_button = QPushButton("Start visit")
        self.visit_button.setObjectName("primary")
        self.visit_button.clicked.connect(self._visit_clicked)
        self._visiting = False
        consent = QPushButton("Consent…")
        consent.clicked.connect(self.consent_requested)
        self.give_copy_button = QPushButton("Give a copy…")
        self.give_copy_button.setAccessibleName("Give them a copy of their story")
        self.give_copy_button.setToolTip(
            "A PDF or print-out of their timeline, strengths and words, for them to keep"
        )
        self.give_copy_button.clicked.connect(self.give_copy_requested)
        # On a compact screen the list of storytellers is folded away; this opens it.
        self.list_button = QPushButton("☰ Storytellers")
        self.list_button.setAccessibleName("Show the list of storytellers")
        self.list_button.clicked.connect(self.list_requested)
        self.list_button.hide()
        # Name on the left, buttons on the right; on a compact screen the buttons go below
        # the name and wrap (at 200% they do not fit beside it).
        self.header = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        titles = QVBoxLayout()
        titles.addWidget(self.name)
        titles.addWidget(self.role)
        self.header.addLayout(titles, 1)
        header_buttons = QWidget()
        buttons = FlowLayout(header_buttons)
        for header_button in (self.list_button, consent, self.give_copy_button, self.visit_button):
            buttons.addWidget(header_button)
        self.header.addWidget(header_buttons)
        self._header_buttons = header_buttons
        header = self.header

        self.overview = QTextBrowser()
        self.overview.setAccessibleName("Overview")
        self.consent_history = ConsentHistoryView()
        self.default_visibility = QLabel()
        self.default_visibility.setWordWrap(True)
        self.default_visibility.setAccessibleName("What new items are, as they chose")
        self.default_buttons: dict[Visibility, QRadioButton] = {}
        self.default_group = QButtonGroup(self)
        choices = QHBoxLayout()
        for visibility, words in DEFAULT_WORDS.items():
            button = QRadioButton(words)
            button.setAccessibleName(f"New items are {words.lower()}")
            button.setAccessibleDescription(DEFAULT_EXPLAINED[visibility])
            button.clicked.connect(
                lambda _checked=False, v=visibility: self.set_default_visibility(v)
            )
            self.default_group.addButton(button)
            self.default_buttons[visibility] = button
            choices.addWidget(button)
        choices.addStretch(1)
        default_row = QVBoxLayout()
        default_row.setSpacing(2)
        default_row.addWidget(self.default_visibility)
        default_row.addLayout(choices)
        withdraw = QPushButton("Withdraw consent and erase…")
        withdraw.clicked.connect(self.withdraw_requested)
        overview_tab = QWidget()
        overview_layout = QVBoxLayout(overview_tab)
        overview_layout.addWidget(self.overview, 2)
        overview_layout.addLayout(default_row)
        overview_layout.addWidget(QLabel("Consent, newest first"))
        overview_layout.addWidget(self.consent_history, 1)
        overview_layout.addWidget(withdraw, 0, Qt.AlignmentFlag.AlignLeft)

        self.timeline = TimelineTool(TimelineService(vault), PhotoService(vault), context)
        self.timeline.changed.connect(self._changed)
        self.timeline.history_requested.connect(
            lambda uuid: self.history_requested.emit("timeline_event", uuid)
        )
        # The board is made when it is first shown (or asked for): most unlocks open on the
        # overview, and making the board is a tenth of a second before the stories show.
        self._context = context
        self._strengths: StrengthsTool | None = None
        self._strengths_holder = QWidget()
        QVBoxLayout(self._strengths_holder).setContentsMargins(0, 0, 0, 0)
        self._author_filter: AuthorFilter | str | None = None
        self._compact = False
        self.story = StoryWordsPanel(StoryWordsService(vault), context, PhotoService(vault))
        self.story.changed.connect(self._changed)
        self.story.history_requested.connect(self.history_requested)

        self.tabs = QTabWidget()
        # Each tab scrolls down as a whole when the text is large on a small screen (never
        # sideways); the board also scrolls inside itself.
        self._tools: dict[QWidget, QWidget] = {}
        for tool, name in (
            (overview_tab, "Overview"),
            (self.timeline, "Timeline"),
            (self._strengths_holder, "Strengths"),
            (self.story, "Story"),
        ):
            holder = tool if tool is self._strengths_holder else scrolling_page(tool)
            self._tools[holder] = tool
            self.tabs.addTab(holder, name)
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

    @property
    def strengths(self) -> StrengthsTool:
        """The strengths board, made the first time it is shown or asked for, showing what
        the page shows (the storyteller, whose words, a compact screen)."""
        if self._strengths is None:
            tool = make_strengths_view(self._vault, self._context)
            tool.changed.connect(self._changed)
            tool.history_requested.connect(
                lambda uuid: self.history_requested.emit("strength_card", uuid)
            )
            if self._author_filter is not None:
                tool.set_author_filter(self._author_filter)
            if self._compact:
                tool.set_compact(True)
            if self.storyteller_uuid is not None:
                tool.show_storyteller(self.storyteller_uuid)
            layout = self._strengths_holder.layout()
            assert layout is not None
            layout.addWidget(tool)
            self._tools[self._strengths_holder] = tool
            self._strengths = tool
        return self._strengths

    @Slot(int)
    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self._strengths_holder:
            self.strengths.setVisible(True)

    def current_tool(self) -> QWidget:
        """The tool in the tab shown (the timeline, the board, the story or the overview)."""
        holder = self.tabs.currentWidget()
        if holder is self._strengths_holder:
            return self.strengths
        return self._tools.get(holder, holder)

    def show_tool(self, tool: QWidget) -> None:
        for holder, held in self._tools.items():
            if held is tool:
                self.tabs.setCurrentWidget(holder)

    def set_compact(self, compact: bool) -> None:
        """Stack what sits side by side (a compact screen: large text on a small laptop)."""
        self.list_button.setVisible(compact)
        self.role.setVisible(not compact)  # the overview says it too: room for the story
        self.header.setDirection(
            QBoxLayout.Direction.TopToBottom if compact else QBoxLayout.Direction.LeftToRight
        )
        self._compact = compact
        for tool in (self.timeline, self._strengths, self.story):
            set_compact = getattr(tool, "set_compact", None)
            if set_compact is not None:
                set_compact(compact)

    def show_visit_in_progress(self, visiting: bool) -> None:
        """The header's visit button: Start visit, or End visit while one is in progress."""
        self._visiting = visiting
        self.visit_button.setText("End visit" if visiting else "Start visit")
        self.visit_button.setAccessibleName(
            "End this visit and see what was added" if visiting else "Start a visit"
        )

    @Slot()
    def _visit_clicked(self) -> None:
        if self._visiting:
            self.end_visit_requested.emit()
        else:
            self.start_visit_requested.emit()

    def show_storyteller(self, summary: StorytellerSummary) -> None:
        person = summary.storyteller
        self.storyteller_uuid = person.uuid
        self.name.setText(person.pseudonym)
        self.role.setText(person.role.label)
        self.timeline.show_storyteller(person.uuid, person.birth_year)
        if self._strengths is not None:
            self._strengths.show_storyteller(person.uuid)
        self.story.show_storyteller(person.uuid)
        self.refresh_overview(summary)

    def refresh_overview(self, summary: StorytellerSummary) -> None:
        person = summary.storyteller
        vault = self._vault
        consent = ConsentService(vault)
        damaged: list[str] = []  # one damaged item leaves out only itself, and is counted
        visits = VisitService(vault).list(person.uuid, damaged)
        events = TimelineService(vault).events(person.uuid, damaged)
        cards = StrengthService(vault).cards(person.uuid, damaged)
        words = StoryWordsService(vault)
        quotes, notes = words.quotes(person.uuid, damaged), words.notes(person.uuid, damaged)
        unreadable = (
            f"<p>{unreadable_sentence(len(damaged), 'item', 'items')}</p>" if damaged else ""
        )
        current = summary.consent
        agreed = (
            "<p>No consent is recorded yet. Record it before their story begins.</p>"
            if current is None
            else "<p>They have not agreed to take part, so nothing can be added to their story "
            "yet. Record their consent if they would like to.</p>"
            if not current.allows(ConsentItem.TAKE_PART)
            else "<p><b>They have agreed to:</b> "
            + _html(", ".join(i.label.lower() for i in current.agreed()))
            + f". <span>(recorded {current.given_on.day} {current.given_on:%B %Y}, "
            + f"{_html(current.how.label.lower())})</span></p>"
        )
        visit_rows = "".join(
            f"<li>{v.visit_date.day} {v.visit_date:%B %Y}: {_html(v.place_type.label.lower())}"
            + (f", with {_html(v.present)}" if v.present else "")
            + "</li>"
            for v in visits[:8]
        )
        born = f", born {person.birth_year}" if person.birth_year else ""
        facilitator_notes = (
            f"<h3>Notes for facilitators</h3><p>{_html(person.notes)}</p>" if person.notes else ""
        )
        self.overview.setHtml(
            f"<p>{_html(person.role.label)}{born}.</p>{agreed}"
            f"<p>{_counted(len(events), 'moment')} on the timeline · "
            f"{_counted(len(cards), 'strength card')} · {_counted(len(quotes), 'quote')} · "
            f"{_counted(len(notes), 'note')}</p>{unreadable}"
            f"<h3>Visits</h3><ul>{visit_rows or '<li>None yet.</li>'}</ul>{facilitator_notes}"
        )
        self.consent_history.show_history(list(reversed(consent.history(person.uuid))))
        self._show_default(person.default_visibility)

    def _show_default(self, chosen: Visibility | None) -> None:
        if chosen is None:
            self.default_visibility.setText(
                "<b>What new items are:</b> they have not chosen yet, so new items are for the "
                "programme team until they do. Ask them which they would like:"
            )
        else:
            self.default_visibility.setText(
                f"<b>What new items are:</b> {DEFAULT_WORDS[chosen].lower()}, as they chose. "
                f"{DEFAULT_EXPLAINED[chosen]}"
            )
        self.default_group.setExclusive(False)  # so that "not chosen yet" shows none
        for visibility, button in self.default_buttons.items():
            button.setChecked(visibility is chosen)
        self.default_group.setExclusive(True)

    def set_default_visibility(self, visibility: Visibility) -> None:
        """The storyteller's choice of what their new items are, kept with them at once."""
        if self.storyteller_uuid is None:
            return
        from storycapture.services.storytellers import StorytellerService

        person = StorytellerService(self._vault).update(
            self.storyteller_uuid,
            author=Author.storyteller(),
            default_visibility=visibility,
        )
        self._show_default(person.default_visibility)
        self.changed.emit()

    def set_author_filter(self, mode: AuthorFilter | str) -> None:
        self._author_filter = mode
        self.timeline.set_author_filter(mode)
        if self._strengths is not None:
            self._strengths.set_author_filter(mode)
        self.story.set_author_filter(mode)

    def go_to(self, hit: SearchHit) -> None:
        self.tabs.setCurrentIndex(_TAB_OF_KIND.get(hit.kind, 0))
        if hit.kind == "timeline_event":
            state = self.timeline.view_state()
            self.timeline.restore_view_state({**state, "selected": hit.uuid})

    def reload(self) -> None:
        self.timeline.reload()
        if self._strengths is not None:
            self._strengths.reload()
        self.story.reload()

    @Slot()
    def _changed(self) -> None:
        self.changed.emit()

    def clear(self) -> None:
        self.storyteller_uuid = None
        self.name.clear()
        self.role.clear()
        self.overview.clear()
        self.consent_history.clear()
        self.timeline.clear()
        if self._strengths is not None:
            self._strengths.clear()
        self.story.clear()


class StoriesPage(QWidget):
    def __init__(self, vault: VaultSession, context: EditingContext) -> None:
        super().__init__()
        self.sidebar = Sidebar()
        self.storyteller = StorytellerPage(vault, context)
        self.empty = QLabel("No storytellers yet. Choose “New storyteller…” to add the first one.")
        self.empty.setObjectName("subtle")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.storyteller)
        right_layout.addWidget(self.empty)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        self.sidebar.setMinimumWidth(250)
        self.sidebar.setMaximumWidth(420)
        splitter.setSizes([300, 1000])
        self._right = right
        self.compact = False
        self.list_open = False
        self.storyteller.list_requested.connect(lambda: self.open_list(True))
        self.sidebar.back_to_story.clicked.connect(lambda: self.open_list(False))
        self.sidebar.storyteller_chosen.connect(lambda _uuid: self.open_list(False))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The window's width (this page fills it) decides, so the choice cannot flicker.
        self.set_compact(is_compact(event.size().width()))
        super().resizeEvent(event)

    def reflow(self) -> None:
        """Decide again whether the screen is compact (the text size has just changed)."""
        self.set_compact(is_compact(self.width()))

    def set_compact(self, compact: bool) -> None:
        """On a compact screen the list of storytellers folds away, and opens over the story."""
        if compact == self.compact:
            return
        self.compact = compact
        self.sidebar.setMaximumWidth(16_777_215 if compact else 420)
        self.sidebar.back_to_story.setVisible(compact)
        self.storyteller.set_compact(compact)
        self._show_list()

    def open_list(self, open_: bool) -> None:
        self.list_open = open_
        self._show_list()

    def _show_list(self) -> None:
        self.sidebar.setVisible(not self.compact or self.list_open)
        self._right.setVisible(not self.compact or not self.list_open)

    def show_empty(self, empty: bool) -> None:
        self.storyteller.setVisible(not empty)
        self.empty.setVisible(empty)
        if empty and self.compact:
            self.open_list(True)

    def clear(self) -> None:
        self.sidebar.clear()
        self.storyteller.clear()
