"""The timeline tool: the picture, the list of moments beside it and the side panel, together.

The tool is where gestures become edits. Every change goes through ``TimelineService`` inside
one undo step (``qtkit.undo.push_step``); undoing is another edit through the service. The tool
keeps the storyteller's events as plain values (re-read with ``reload``), and the scene, the list
and the panel are redrawn from them after every edit.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import AuthorFilter, WhoseWords
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.domain.story import TimelineEvent
from storycapture.domain.text import unreadable_sentence
from storycapture.domain.vocabulary import LifeArea
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.flow import FlowLayout
from storycapture.qtkit.looks import current_scale, scaled_px
from storycapture.qtkit.photos import PhotoDrops, PhotoStrip, photo_news
from storycapture.qtkit.undo import push_step
from storycapture.qtkit.undo_bar import UndoBar
from storycapture.services.media import PhotoService
from storycapture.timeline.layout import (
    LARGE,
    DragOutcome,
    EventPlacer,
    LayoutMode,
    date_at,
    movable_in_time,
    neighbour,
    new_event_at,
    shift_date,
)
from storycapture.timeline.qt.event_list import UUID_ROLE, EventListDelegate, EventListModel
from storycapture.timeline.qt.items import StoryItem, describe_event
from storycapture.timeline.qt.panel import EventPanel
from storycapture.timeline.qt.scene import TimelineScene
from storycapture.timeline.qt.style import Colours, colours_for
from storycapture.timeline.qt.view import AxisRuler, BandRuler, TimelineView
from storycapture.timeline.service import TimelineService

NEW_TITLE = "New moment"
THUMB_PX = 44  # twice the card's thumbnail, so it stays sharp on high-density screens
LARGE_TARGET_PX = 48  # the least a button or a waiting moment is, tall and wide, when large
TRAY_PX = 58  # how tall the tray of moments not yet placed is
ADD_TIP = (
    "Add a moment with no date yet: it waits in “Not yet placed in time” until a date "
    "is given (or double-click the picture where it belongs)"
)
ADD_TIP_STEADY = (
    "Add a moment with no date yet: it waits in “Not yet placed in time” until a date is given"
)
_FIELDS = ("title", "words", "starts", "ends", "valence", "life_area", "visibility", "help")


def _toolbar_style(colours: Colours, large: bool = False) -> str:
    # Large: the contents alone; with the padding and border the button is a 48 px target
    # (grown with the interface scale, as the rest of storyteller mode is).
    target = scaled_px(LARGE_TARGET_PX)
    size = (
        f"padding: 6px 14px; min-height: {target - 14}px; min-width: {target - 30}px;"
        if large
        else "padding: 5px 12px; min-height: 22px;"
    )
    return f"""
        QToolButton {{
            background: {colours.card.name()}; color: {colours.ink.name()};
            border: 1px solid {colours.control_edge.name()};
            border-radius: 8px; {size}
        }}
        QToolButton:checked {{
            background: {colours.chosen.name()}; color: {colours.chosen_ink.name()};
            border: 1px solid {colours.accent.name()}; font-weight: 600;
        }}
        QToolButton:hover {{ background: {colours.hover.name()}; color: {colours.ink.name()}; }}
        QToolButton:checked:hover {{
            background: {colours.chosen.name()}; color: {colours.chosen_ink.name()};
        }}
        QToolButton:focus {{ border: 2px solid {colours.accent.name()}; }}
        QToolButton:checked:focus {{ border: 2px solid {colours.ink.name()}; }}
    """


def _list_style(colours: Colours) -> str:
    return (
        f"QListView#timelineList {{ background: {colours.card.name()}; border: none;"
        f" border-right: 1px solid {colours.control_edge.name()}; }}"
    )


def _scroll_style(colours: Colours) -> str:
    """The scroll bars' handles in the tool's look (the window's sheet sizes them)."""
    return (
        f"QScrollBar::handle:vertical, QScrollBar::handle:horizontal"
        f" {{ background: {colours.handle.name()}; }}"
        f"QScrollBar::handle:hover {{ background: {colours.handle_hover.name()}; }}"
    )


def _tray_style(colours: Colours, large: bool = False) -> str:
    padding = "6px 16px" if large else "3px 10px"
    return (
        f"QListWidget#timelineTray {{ background: transparent; border: none; padding: 0; }}"
        f"QListWidget#timelineTray::item {{ background: {colours.card.name()};"
        f" border: 1px dashed {colours.control_edge.name()}; border-radius: 10px;"
        f" padding: {padding}; color: {colours.ink.name()}; }}"
        f"QListWidget#timelineTray::item:selected"
        f" {{ background: {colours.chosen.name()}; color: {colours.chosen_ink.name()};"
        f" border: 1px solid {colours.accent.name()}; }}"
    )


# A moment dragged from the tray carries its id only: never its title or words, which a drop
# outside the app could otherwise read.
MOMENT_MIME = "application/x-storycapture-moment"


class MomentTray(QListWidget):
    """The moments not yet placed in time; one can be dragged onto the picture to place it."""

    def __init__(self) -> None:
        super().__init__()
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)

    def mimeTypes(self) -> list[str]:
        return [MOMENT_MIME]

    def mimeData(self, items: Any) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(MOMENT_MIME, str(items[0].data(UUID_ROLE)).encode("ascii"))
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


DIMMED = 0.35  # how faintly others' moments show while the storyteller's own stand out


class TimelineTool(QWidget):
    """One storyteller's timeline: picture, list and panel, kept in step with each other."""

    changed = Signal()
    history_requested = Signal(str)  # an event's uuid: the window shows its earlier versions

    def __init__(
        self,
        service: TimelineService,
        photos: PhotoService,
        context: EditingContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        """``today`` is the clock "today" is read from (the picture runs from birth to today)."""
        super().__init__(parent)
        self._service = service
        self._photos = photos
        self._context = context
        self._storyteller: str | None = None
        self._birth_year: int | None = None
        self._events: dict[str, TimelineEvent] = {}
        self._author_filter = AuthorFilter.ALL
        self._photo_of: dict[str, str] = {}
        self._thumbs: dict[str, QPixmap | None] = {}
        self._chosen: str | None = None
        self._syncing = False
        self._theme: str | None = None  # None: the window's look, read off its palette
        self._large = False

        self.scene = TimelineScene(self, today=today)
        self.scene.set_thumbnails(self._thumbnail)
        self.view = TimelineView(self.scene)
        # Kept, so the filter compares without asking Qt (which may be tearing the view down).
        self._viewport = self.view.viewport()
        self._viewport.setAcceptDrops(True)
        self._viewport.installEventFilter(self)  # a moment dragged from the tray
        self.axis_ruler = AxisRuler(self.view)
        self.band_ruler = BandRuler(self.view)

        self.list_model = EventListModel(self)
        self.list_view = QListView()
        self.list_view.setObjectName("timelineList")
        self.list_view.setModel(self.list_model)
        self.list_view.setItemDelegate(EventListDelegate(self.list_view))
        self.list_view.setMouseTracking(True)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setWordWrap(False)
        self.list_view.setIconSize(QSize(12, 12))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setAccessibleName("Moments, in time order")
        self.list_view.setAccessibleDescription(
            "Enter opens a moment in the panel to change it; Delete takes it off the timeline."
        )
        self.list_view.installEventFilter(self)

        self.tray = MomentTray()
        self.tray.setObjectName("timelineTray")
        self.tray.setFlow(QListView.Flow.LeftToRight)
        self.tray.setWrapping(False)
        self.tray.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.tray.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tray.setAccessibleName("Not yet placed in time")
        self.tray.setSpacing(3)
        self.tray.setFixedHeight(TRAY_PX)
        self.tray.installEventFilter(self)
        self.tray_label = QLabel("Not yet placed in time")
        self.tray_label.setObjectName("subtle")
        self.tray_label.setToolTip(
            "These moments have no date yet, or a date we can't put on the line yet: an age "
            "before the year of birth is known, or “before” or “after” a moment that isn't "
            "there. Type a date in the panel to place one."
        )
        self.tray_row = QWidget()
        tray_layout = QHBoxLayout(self.tray_row)
        tray_layout.setContentsMargins(8, 4, 8, 4)
        tray_layout.addWidget(self.tray_label)
        tray_layout.addWidget(self.tray, 1)
        self.tray_row.setVisible(False)

        self.panel = EventPanel()
        self.panel.set_committer(self._commit_fields)
        self.panel.fit_width()
        # Opened by Enter, a double-click or adding a moment; the picture has the room till then.
        self.panel.setVisible(False)
        # The chosen moment's photos, in its panel; photo files dropped onto a moment (in the
        # picture or on its panel) are added to it.
        self.moment_photos = PhotoStrip(photos, context, for_moment=True)
        self.moment_photos.changed.connect(self.changed)
        self.panel.photos_row.addWidget(self.moment_photos)
        PhotoDrops(self.panel, lambda paths, _at: self.moment_photos.add_files(paths))
        PhotoDrops(self.view.viewport(), self._photos_dropped, self._moment_at)
        photo_news().changed.connect(self._photos_changed)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.notice = QLabel()
        self.notice.setObjectName("subtle")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        # "The moment was removed. Undo": in view, named by kind, never by its words.
        self.undo_bar = UndoBar()

        self.lifeline_button = self._tool_button("Lifeline", "Show the ups and downs as a line")
        self.lanes_button = self._tool_button("Lanes", "Show one lane for each part of life")
        for button in (self.lifeline_button, self.lanes_button):
            button.setCheckable(True)
        self.lifeline_button.setChecked(True)
        self._modes = QButtonGroup(self)
        self._modes.setExclusive(True)
        self._modes.addButton(self.lifeline_button)
        self._modes.addButton(self.lanes_button)
        self.fit_button = self._tool_button("Fit all", "Show the whole story")
        self.zoom_out_button = self._tool_button("−", "Zoom out (the − key)")
        self.zoom_out_button.setAccessibleName("Zoom out")
        self.zoom_in_button = self._tool_button("+", "Zoom in (the + key)")
        self.zoom_in_button.setAccessibleName("Zoom in")
        self.add_button = self._tool_button("Add a moment", ADD_TIP)

        toolbar = QWidget()
        toolbar.setObjectName("timelineToolbar")
        self.toolbar = toolbar
        # The buttons wrap onto a second line when the type is large (150%, 200%, storyteller
        # mode), instead of being cut.
        bar = FlowLayout(toolbar, spacing=6)
        bar.setContentsMargins(8, 6, 8, 6)
        for button in (
            self.lifeline_button,
            self.lanes_button,
            self.fit_button,
            self.zoom_out_button,
            self.zoom_in_button,
            self.add_button,
        ):
            bar.addWidget(button)

        picture = QWidget()
        grid = QGridLayout(picture)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(self.band_ruler, 0, 0)
        grid.addWidget(self.view, 0, 1)
        corner = QWidget()
        corner.setFixedWidth(self.band_ruler.width())
        self._corner = corner
        grid.addWidget(corner, 1, 0)
        grid.addWidget(self.axis_ruler, 1, 1)
        grid.setRowStretch(0, 1)
        grid.setColumnStretch(1, 1)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(toolbar)
        centre_layout.addWidget(self.problem)
        centre_layout.addWidget(self.notice)
        centre_layout.addWidget(self.undo_bar)
        centre_layout.addWidget(picture, 1)
        centre_layout.addWidget(self.tray_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_view)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([230, 800, 300])
        self.list_view.setMinimumWidth(170)
        # On a compact screen (large text on a small laptop) the picture takes the whole
        # width, and the list of moments and the chosen moment go below it.
        self._compact = False
        self._centre = centre
        self._below = QSplitter(Qt.Orientation.Horizontal)
        self._below.setChildrenCollapsible(False)
        self._below.hide()
        self.splitter.addWidget(self._below)
        root = QHBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.splitter)

        self.view.chosen.connect(self.select_event)
        self.view.activated.connect(self.open_editor)
        self.view.dropped.connect(self._dropped)
        self.view.add_requested.connect(self._add_at)
        self.view.remove_requested.connect(self.remove_event)
        selection = self.list_view.selectionModel()
        selection.currentChanged.connect(self._list_moved)
        self.list_view.activated.connect(self._list_activated)
        self.tray.currentItemChanged.connect(self._tray_moved)
        self.tray.itemActivated.connect(self._tray_activated)
        self.panel.remove_requested.connect(self.remove_event)
        self.panel.history_requested.connect(self.history_requested)
        self.panel.close_requested.connect(self.close_editor)
        self.panel.shift_requested.connect(self.shift_event)
        self.panel.whose_requested.connect(
            lambda uuid, whose: self.set_whose_words(uuid, WhoseWords(whose))
        )
        self.panel.storyteller_mode = lambda: self._context.storyteller_mode
        self.lifeline_button.clicked.connect(lambda: self.set_layout_mode(LayoutMode.LIFELINE))
        self.lanes_button.clicked.connect(lambda: self.set_layout_mode(LayoutMode.LANES))
        self.fit_button.clicked.connect(self.view.fit_all)
        self.zoom_in_button.clicked.connect(self.view.zoom_in)
        self.zoom_out_button.clicked.connect(self.view.zoom_out)
        self.add_button.clicked.connect(self.add_in_view)
        self._colours = self.scene.kit.colours
        self._apply_colours(colours_for())

    @staticmethod
    def _tool_button(text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    # -- the look -------------------------------------------------------------------------------

    def set_compact(self, compact: bool) -> None:
        """The picture across the whole width, the list and the chosen moment below it."""
        if compact == self._compact:
            return
        self._compact = compact
        if compact:
            self.splitter.setOrientation(Qt.Orientation.Vertical)
            self._below.addWidget(self.list_view)
            self._below.addWidget(self.panel)
            self._below.setStretchFactor(1, 1)
            self._below.show()
            # The picture takes most of the height; a minimum of its own made it overflow onto
            # the moment below when the two together were taller than the page.
            self.splitter.setSizes([0, 3, 0, 2])
        else:
            self.splitter.setOrientation(Qt.Orientation.Horizontal)
            self.splitter.insertWidget(0, self.list_view)
            self.splitter.insertWidget(2, self.panel)
            self._below.hide()
            self.splitter.setSizes([230, 800, 300, 0])

    def set_large(self, on: bool) -> None:
        """Storyteller mode: the picture's words half as large again (``LARGE``; cards, bars,
        bands and rulers grow to hold them) and buttons at least 48 px, for a finger. Its hands
        are steady too: a moment moves only after a hold and a longer way, and moments are
        added with "Add a moment" only, never by a double tap on the picture."""
        self._large = on
        self.view.set_steady(on)
        self.add_button.setToolTip(ADD_TIP_STEADY if on else ADD_TIP)
        self.panel.set_adds_on_double_click(not on)
        self.panel.set_stepped(on)
        self.panel.feeling.set_columns(2 if on else 1)
        # Half as large again as the normal picture, but a text size the facilitator chose
        # counts towards it: the two do not multiply (at 200% the picture would be 3 times its
        # normal size, as storyteller mode's own words are not).
        self.scene.set_picture_scale(max(LARGE / current_scale(), 1.0) if on else 1.0)
        self.axis_ruler.fit_to_type()
        self.band_ruler.fit_to_type()
        self._corner.setFixedWidth(self.band_ruler.width())
        self.tray.setFixedHeight(LARGE_TARGET_PX + 20 if on else TRAY_PX)
        self.moment_photos.set_large(on)
        self._apply_colours(self._colours)
        if self.view.is_fitted():
            self.view.fit_all()
        self.view.refresh()

    def is_large(self) -> bool:
        return self._large

    def toolbar_buttons(self) -> list[QToolButton]:
        """The picture's buttons: layout, zoom and adding a moment."""
        return [
            self.lifeline_button,
            self.lanes_button,
            self.fit_button,
            self.zoom_out_button,
            self.zoom_in_button,
            self.add_button,
        ]

    def set_theme(self, theme: str | None) -> None:
        """Paint in ``theme`` ("light", "dark" or "high-contrast"), as storyteller mode asks;
        None follows the window's look again (and every change of it)."""
        self._theme = theme
        self._apply_colours(colours_for(theme=theme))

    def theme(self) -> str:
        """The look the tool paints in now."""
        return self._colours.name

    @property
    def colours(self) -> Colours:
        """The colours in use: the picture's, the list's, the toolbar's and the tray's."""
        return self._colours

    def _apply_colours(self, colours: Colours, force: bool = True) -> None:
        if not force and colours is self._colours:
            return
        self._colours = colours
        self.scene.set_colours(colours)
        self.list_model.set_colours(colours)
        self.panel.feeling.set_colours(colours)
        delegate = self.list_view.itemDelegate()
        if isinstance(delegate, EventListDelegate):
            delegate.set_colours(colours)
        self.list_view.setStyleSheet(_list_style(colours))
        self.tray.setStyleSheet(_tray_style(colours, self._large))
        self.toolbar.setStyleSheet(_toolbar_style(colours, self._large))
        self.setStyleSheet(_scroll_style(colours))
        for widget in (self.view.viewport(), self.axis_ruler, self.band_ruler):
            widget.update()
        self.list_view.viewport().update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The window's theme changed (its palette and style sheet come together): follow it.
        if self._theme is None and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.StyleChange,
        ):
            self._apply_colours(colours_for(), force=False)

    # -- public API ---------------------------------------------------------------------------

    def show_storyteller(self, storyteller_uuid: str, birth_year: int | None) -> None:
        """Show this storyteller's timeline, fitted to the window."""
        self.clear()
        self._storyteller = storyteller_uuid
        self._birth_year = birth_year
        self._load()
        self.view.fit_all()

    def reload(self) -> None:
        """Read the events again from the service, keeping the zoom, place and selection."""
        if self._storyteller is None:
            return
        self.panel.commit_pending()
        self._load()

    def clear(self) -> None:
        """Drop every title, word and thumbnail from every part of the tool (on lock). Words
        typed but not yet saved are saved first, while the vault is still open."""
        if self._storyteller is not None:
            with contextlib.suppress(StoryCaptureError):
                self.panel.commit_pending()
        self.undo_bar.dismiss()
        self._storyteller = None
        self._birth_year = None
        self._events = {}
        self._photo_of = {}
        self._thumbs = {}
        self._chosen = None
        self.panel.clear()
        self.moment_photos.clear()
        self.panel.setVisible(False)
        self.scene.clear_story()
        self._syncing = True
        try:
            self.list_model.clear()
            self.tray.clear()
        finally:
            self._syncing = False
        self.tray_row.setVisible(False)
        for label in (self.problem, self.notice):
            label.clear()
            label.setVisible(False)

    def set_layout_mode(self, mode: str) -> None:
        """ "lifeline" (height is how it felt) or "lanes" (one lane for each part of life)."""
        chosen = LayoutMode(mode)
        self.lifeline_button.setChecked(chosen is LayoutMode.LIFELINE)
        self.lanes_button.setChecked(chosen is LayoutMode.LANES)
        self.band_ruler.setAccessibleName(
            "Feelings, from very good at the top to very hard at the bottom"
            if chosen is LayoutMode.LIFELINE
            else "Parts of life, one lane each"
        )
        self.scene.set_mode(chosen)
        self.view.refresh()
        if self._chosen is not None:
            self.view.show_event(self._chosen)

    def layout_mode(self) -> str:
        return self.scene.mode.value

    def view_state(self) -> dict[str, Any]:
        """Where the view is (zoom, centre, layout, the chosen moment's id): nothing personal,
        kept in memory to come back to the same place after unlocking."""
        return {"layout": self.scene.mode.value, **self.view.view_state(), "selected": self._chosen}

    def restore_view_state(self, state: dict[str, Any]) -> None:
        layout = state.get("layout")
        if layout in (LayoutMode.LIFELINE.value, LayoutMode.LANES.value):
            self.set_layout_mode(str(layout))
        self.view.restore_view_state(state)
        selected = state.get("selected")
        if isinstance(selected, str) and selected in self._events:
            # Scrolls only if it is out of sight at the restored place (a search hit can be).
            self.select_event(selected)

    def selected_uuid(self) -> str | None:
        return self._chosen

    def events(self) -> list[TimelineEvent]:
        """The events shown, in time order (those not yet placed last)."""
        return list(self._events.values())

    # -- choosing a moment ----------------------------------------------------------------------

    @Slot(str)
    def select_event(self, uuid: str | None, reveal: bool = True) -> None:
        """Choose a moment everywhere at once: picture, list, tray and panel."""
        if uuid is not None and uuid not in self._events:
            uuid = None
        if uuid != self._chosen:
            self.panel.commit_pending()
        self._chosen = uuid
        self.scene.set_chosen(uuid)
        self._sync_lists()
        self.panel.show_event(self._events.get(uuid) if uuid else None)
        if reveal and uuid is not None and uuid in self.scene.placed.by_uuid:
            self.view.show_event(uuid)

    @Slot(str)
    def open_editor(self, uuid: str) -> None:
        """Open the moment in the side panel, ready to type its title."""
        self.select_event(uuid)
        if self._chosen == uuid:
            self.panel.setVisible(True)
            self.panel.focus_title()

    @Slot()
    def close_editor(self) -> None:
        """Close the side panel (what was typed is saved first); the picture gets the room."""
        self.panel.commit_pending()
        self.panel.setVisible(False)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _sync_lists(self) -> None:
        self._show_moment_photos()
        self._syncing = True
        try:
            row = self.list_model.row_of(self._chosen)
            selection = self.list_view.selectionModel()
            if row is None:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), selection.SelectionFlag.Clear)
            else:
                index = self.list_model.index(row)
                if self.list_view.currentIndex() != index:
                    self.list_view.setCurrentIndex(index)
                self.list_view.scrollTo(index)
            found = None
            for i in range(self.tray.count()):
                if self.tray.item(i).data(UUID_ROLE) == self._chosen:
                    found = self.tray.item(i)
            if found is None:
                self.tray.clearSelection()
            else:
                self.tray.setCurrentItem(found)
        finally:
            self._syncing = False

    @Slot(QModelIndex, QModelIndex)
    def _list_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._syncing and current.isValid():
            self.select_event(current.data(UUID_ROLE))

    @Slot(QModelIndex)
    def _list_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_editor(index.data(UUID_ROLE))

    @Slot(QListWidgetItem, QListWidgetItem)
    def _tray_moved(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if not self._syncing and current is not None:
            self.select_event(current.data(UUID_ROLE))

    @Slot(QListWidgetItem)
    def _tray_activated(self, item: QListWidgetItem) -> None:
        self.open_editor(item.data(UUID_ROLE))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and self._tray_drag(event):
            return True
        if event.type() == QEvent.Type.KeyPress and watched in (self.list_view, self.tray):
            key = cast(QKeyEvent, event).key()
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._chosen:
                self.remove_event(self._chosen)
                return True
        return super().eventFilter(watched, event)

    def _tray_drag(self, event: QEvent) -> bool:
        """A moment from the tray dragged over the picture: the date under the pointer is said
        beside it, and dropping gives it that date (the person pointed at it). Anything else
        dragged here is left to the picture."""
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self._show_notice("")
            return False
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        drag = cast(QDragMoveEvent, event)
        if not drag.mimeData().hasFormat(MOMENT_MIME):
            return False
        uuid = bytes(drag.mimeData().data(MOMENT_MIME).data()).decode("ascii", "replace")
        moment = self._events.get(uuid)
        if moment is None or not self.view.is_ready():
            drag.ignore()
            return True
        if moment.starts is not None:
            self._show_notice(
                f"“{moment.title}” already says when ({moment.when()}); change that in the "
                "panel to place it."
            )
            drag.ignore()
            return True
        x = self.view.mapToScene(drag.position().toPoint()).x()
        date = date_at(self.scene.layout, x)
        if kind != QEvent.Type.Drop:
            drag.setDropAction(Qt.DropAction.CopyAction)
            drag.accept()
            self._show_notice(f"Let go to place “{moment.title}” in {date.display()}.")
            return True
        cast(QDropEvent, event).setDropAction(Qt.DropAction.CopyAction)
        drag.accept()
        self._show_notice("")
        self.place_in_time(uuid, date)
        return True

    def place_in_time(self, uuid: str, date: FuzzyDate) -> None:
        """Give a moment waiting in the tray the date it was dropped at (one undo step). One
        whose own words say when ("when I was 15") keeps them: only a moment with no date yet
        takes a date from where it is dropped."""
        moment = self._events.get(uuid)
        if moment is None:
            return
        if moment.starts is not None:
            self._show_notice(
                f"“{moment.title}” already says when ({moment.when()}); change that in the "
                "panel to place it."
            )
            return
        if self._update(uuid, f"Place “{moment.title}” in time", {"starts": date}) is None:
            self.select_event(uuid)

    # -- edits, each one undo step --------------------------------------------------------------

    def _author(self) -> Any:
        return self._context.author()

    def _keep(self, event: TimelineEvent) -> None:
        if event.meta.storyteller_uuid == self._storyteller:
            self._events[event.uuid] = event

    def _drop(self, uuid: str) -> None:
        self._events.pop(uuid, None)

    def _push(self, text: str, apply: Callable[[], None], revert: Callable[[], None]) -> str | None:
        """Make one undo step; the plain reason when the service refuses (nothing is pushed)."""
        try:
            push_step(
                self._context.undo_stack,
                text,
                apply,
                revert,
                self._after_edit,
                on_refused=lambda error: self._show_problem(str(error)),
            )
        except StoryCaptureError as error:
            self._show_problem(str(error))
            return str(error)
        self._show_problem("")
        return None

    def _after_edit(self) -> None:
        self._rebuild()
        self.changed.emit()

    def _update(self, uuid: str, text: str, changes: dict[str, Any]) -> str | None:
        event = self._events.get(uuid)
        if event is None or not changes:
            return None
        before = {name: getattr(event, name) for name in changes}

        def apply() -> None:
            self._keep(self._service.update_event(uuid, author=self._author(), **changes))

        def revert() -> None:
            self._keep(self._service.update_event(uuid, author=self._author(), **before))

        return self._push(text, apply, revert)

    def set_whose_words(self, uuid: str, whose: WhoseWords) -> str | None:
        """Make the moment's words the storyteller's or the facilitator's: one undoable step."""
        event = self._events.get(uuid)
        if event is None or WhoseWords.of(event.meta.author) is whose:
            return None
        before, after = event.meta.author, self._context.author_for(whose)

        def apply() -> None:
            self._keep(self._service.update_event(uuid, author=self._author(), words_by=after))

        def revert() -> None:
            self._keep(self._service.update_event(uuid, author=self._author(), words_by=before))

        words = "their words" if whose is WhoseWords.THEIRS else "your note"
        return self._push(f"Mark “{event.title}” as {words}", apply, revert)

    def _commit_fields(self, uuid: str, changes: dict[str, Any], text: str) -> str | None:
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise ValueError(f"not event fields: {sorted(unknown)}")
        return self._update(uuid, text, changes)

    def add_event(
        self,
        starts: FuzzyDate | None = None,
        valence: int | None = None,
        life_area: LifeArea = LifeArea.OTHER,
        title: str = NEW_TITLE,
    ) -> str | None:
        """Add a moment (one undo step) and open it in the panel with its title ready to type.
        Without ``starts`` it has no date and waits in the tray; without ``valence`` its
        feeling is not said: nothing is filled in that nobody gave."""
        storyteller = self._storyteller
        if storyteller is None:
            return None
        made: list[str] = []

        def apply() -> None:
            if not made:
                event = self._service.add_event(
                    storyteller,
                    title=title,
                    starts=starts,
                    valence=valence,
                    life_area=life_area,
                    author=self._author(),
                    visibility=self._context.new_visibility(storyteller),
                    visit_uuid=self._context.current_visit(),
                )
                made.append(event.uuid)
                self._keep(event)
            else:
                self._keep(self._service.restore_event(made[0], author=self._author()))

        def revert() -> None:
            self._drop(self._service.remove_event(made[0], author=self._author()).uuid)

        if self._push(f"Add “{title}”", apply, revert) is not None:
            return None
        self.open_editor(made[0])
        return made[0]

    @Slot(float, float)
    def _add_at(self, x: float, y: float) -> None:
        # A double-click on the picture is someone pointing at a date (and, in the Lifeline,
        # at a feeling): that is theirs to give.
        starts, valence, area = new_event_at(self.scene.layout, x, y)
        self.add_event(starts, valence, area)

    @Slot()
    def add_in_view(self) -> str | None:
        """Add a moment with no date and no feeling (for the keyboard and the toolbar): it waits
        in "Not yet placed in time", chosen, with the panel open to type its title."""
        return self.add_event()

    @Slot(str)
    def remove_event(self, uuid: str) -> None:
        """Take a moment off the timeline (one undo step; Undo brings it back)."""
        event = self._events.get(uuid)
        if event is None:
            return
        following = neighbour(self.scene.layout, uuid, "right")
        if following == uuid:
            following = neighbour(self.scene.layout, uuid, "left")

        def apply() -> None:
            self._drop(self._service.remove_event(uuid, author=self._author()).uuid)

        def revert() -> None:
            self._keep(self._service.restore_event(uuid, author=self._author()))

        if self._push(f"Remove “{event.title}”", apply, revert) is None:
            self.undo_bar.offer(
                self._context.undo_stack, "The moment was removed.", "Bring the moment back"
            )
            self.select_event(following if following != uuid else None)

    @Slot(str, int)
    def shift_event(self, uuid: str, steps: int) -> None:
        """Move a moment earlier or later by its own precision (a year for a year)."""
        event = self._events.get(uuid)
        if event is None:
            return
        if event.starts is None:
            self._show_notice("This moment has no date yet; type one in the panel to place it.")
            return
        if not movable_in_time(event):
            self._show_notice("This moment is tied to another one; change its date to move it.")
            return
        changes: dict[str, Any] = {"starts": shift_date(event.starts, steps)}
        if event.ends is not None:
            changes["ends"] = shift_date(event.ends, steps)
        changes = {k: v for k, v in changes.items() if v != getattr(event, k)}
        way = "earlier" if steps < 0 else "later"
        self._update(uuid, f"Move “{event.title}” {way}", changes)

    @Slot(str, object)
    def _dropped(self, uuid: str, outcome: DragOutcome) -> None:
        """A drag let go: the change the view showed while dragging (read there, once)."""
        event = self._events.get(uuid)
        if event is None:
            return
        self._show_notice(outcome.note)
        changes = outcome.changes(event)
        if changes:
            self._update(uuid, f"Move “{event.title}”", changes)

    # -- photos -------------------------------------------------------------------------------

    def _show_moment_photos(self) -> None:
        """The strip in the panel shows the chosen moment's photos (none when none is chosen)."""
        strip = self.moment_photos
        if (strip.storyteller(), strip.moment()) != (self._storyteller, self._chosen):
            strip.show_photos(self._storyteller, self._chosen)
        strip.setVisible(self._storyteller is not None and self._chosen is not None)

    def add_photo(self) -> bool:
        """ "Add a photo…" for the chosen moment (its panel opens); False when none is chosen."""
        if self._chosen is None:
            return False
        self.panel.setVisible(True)
        self.moment_photos.add_from_picker()
        return True

    def _moment_at(self, place: QPoint) -> str | None:
        item = self.scene.story_item_at(self.view.mapToScene(place))
        return item.uuid if isinstance(item, StoryItem) else None

    def _photos_dropped(self, paths: list[Path], place: QPoint) -> None:
        uuid = self._moment_at(place)
        if uuid is None:
            return
        self.select_event(uuid, reveal=False)
        self.panel.setVisible(True)
        self.moment_photos.add_files(paths)

    @Slot(str)
    def _photos_changed(self, storyteller_uuid: str) -> None:
        """A photo of this storyteller came or went: the cards show it (or not)."""
        if storyteller_uuid == self._storyteller:
            self.reload()

    # -- reading and redrawing -------------------------------------------------------------------

    def _load(self) -> None:
        storyteller = self._storyteller
        if storyteller is None:
            return
        damaged: list[str] = []
        try:
            events = self._service.events(storyteller, damaged)
        except StoryCaptureError as error:
            self._show_problem(str(error))
            events = []
        else:
            # One damaged moment hides only itself, and the picture says so.
            count = len(damaged)
            self._show_problem(unreadable_sentence(count, "moment", "moments") if count else "")
        self._events = {e.uuid: e for e in events}
        self._photo_of = {}
        try:
            for photo in self._photos.list(storyteller):
                if photo.event_uuid and photo.event_uuid not in self._photo_of:
                    self._photo_of[photo.event_uuid] = photo.uuid
        except StoryCaptureError:
            pass  # the picture is still worth showing without its photos
        self._rebuild()

    def set_author_filter(self, mode: AuthorFilter | str) -> None:
        """Whose words to show, and whether the storyteller's own stand out."""
        self._author_filter = AuthorFilter.parse(mode)
        if self._storyteller is not None:
            self._rebuild()

    def _author_shown(self, event: TimelineEvent) -> bool:
        return self._author_filter.shows(event.meta.author)

    def _rebuild(self) -> None:
        """Redraw picture, list, tray and panel from the events held."""
        placer = EventPlacer(list(self._events.values()), self._birth_year)
        ordered = sorted(self._events.values(), key=placer.sort_key)
        self._events = {e.uuid: e for e in ordered}
        if self._chosen not in self._events:
            self._chosen = None
        scene = self.scene
        view = self.view
        centre = view.centre_day() if view.is_ready() else None
        shown = [e for e in ordered if self._author_shown(e)]
        if self._chosen is not None and all(e.uuid != self._chosen for e in shown):
            self._chosen = None
        scene.set_events(shown, self._birth_year, self._photo_of, chosen=self._chosen)
        if self._author_filter.highlights:
            for event in shown:
                drawn = scene.item_for(event.uuid)
                if drawn is not None and not event.meta.author.is_storyteller:
                    drawn.setOpacity(DIMMED)
        if view.is_fitted():
            view.fit_all()  # a moment added beyond either end stays in sight
        elif centre is not None:
            view.centre_on_day(centre)
        unplaced = frozenset(e.uuid for e in scene.placed.unplaced)
        self._syncing = True
        try:
            self.list_model.set_events(shown, unplaced)
            self.tray.clear()
            for event in scene.placed.unplaced:
                item = QListWidgetItem(event.title)
                item.setData(UUID_ROLE, event.uuid)
                item.setToolTip(describe_event(event))
                item.setData(Qt.ItemDataRole.AccessibleTextRole, describe_event(event))
                self.tray.addItem(item)
        finally:
            self._syncing = False
        self.tray_row.setVisible(bool(unplaced))
        titles: dict[str, str] = {}
        for event in ordered:
            titles.setdefault(event.title.strip().casefold(), event.uuid)
        self.panel.set_context(
            self._birth_year, scene.resolve, lambda label: titles.get(label.strip().casefold())
        )
        self._sync_lists()
        self.panel.show_event(self._events.get(self._chosen) if self._chosen else None)
        self.view.refresh()

    def _thumbnail(self, photo_uuid: str) -> QPixmap | None:
        """A small square of the photo, decrypted into memory only (never to disk)."""
        if photo_uuid in self._thumbs:
            return self._thumbs[photo_uuid]
        thumb: QPixmap | None = None
        buffer = io.BytesIO()
        try:
            self._photos.write_to(photo_uuid, buffer)
            image = QImage.fromData(buffer.getvalue())
            if not image.isNull():
                image = image.scaled(
                    THUMB_PX,
                    THUMB_PX,
                    Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                    Qt.TransformationMode.SmoothTransformation,
                )
                x = (image.width() - THUMB_PX) // 2
                y = (image.height() - THUMB_PX) // 2
                thumb = QPixmap.fromImage(image.copy(x, y, THUMB_PX, THUMB_PX))
        except StoryCaptureError:
            thumb = None
        finally:
            buffer.close()
        self._thumbs[photo_uuid] = thumb
        return thumb

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
