"""The main window: first run or unlock, then the stories; menus, undo, locking.

First run walks through the steps in ``gui.pages`` (welcome, how the stories are kept safe,
auto-lock, passphrase, recovery key). "Practise first" opens the practice vault of invented
storytellers in its own folder beside the real one (``paths.practice_data_dir``); while it is
open the title and the status bar say so, and File → "Set up my own vault…" goes back to the
steps. The real vault's folder is never given practice stories.

The window is built from Qt alone, so it is on screen before the services (and SQLAlchemy
beneath them) are imported; those arrive with the passphrase. Locking clears every widget
that shows personal content, forgets the undo history (it holds earlier words), drops the
keys, and remembers only where the facilitator was (storyteller id, tab, timeline view) so
unlocking returns there.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QStackedWidget

from storycapture.domain.authorship import AuthorFilter
from storycapture.gui.pages import (
    AutoLockPage,
    CreatePage,
    ProtectionPage,
    RecoveryKeyPage,
    UnlockPage,
    WelcomePage,
)
from storycapture.gui.settings import AppSettings
from storycapture.paths import practice_data_dir

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QKeySequence, QUndoStack
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    from storycapture.domain.authorship import Author
    from storycapture.domain.vocabulary import Visibility
    from storycapture.gui.idle import IdleWatcher, SessionLockWatcher
    from storycapture.gui.stories import StoriesPage
    from storycapture.gui.storyteller_mode import StorytellerMode
    from storycapture.hub.qt.room import RoomPage
    from storycapture.services.search import SearchHit, SearchIndex
    from storycapture.services.vault import VaultSession

DATABASE_NAME = "vault.sqlite"  # the store's file name, checked without importing the store
FILE_DAMAGED = (
    "StoryCapture found damage in this vault's file, so it locked the vault to keep what is "
    "there as it is. A backup copy, if there is one, is in the vault's backups folder; please "
    "ask your programme's support for help before opening it again."
)


class _FileCheck(QObject):
    """Carries the result of the check of the vault file from its thread to the window."""

    done = Signal(object, object)  # (the vault checked, None or what is wrong)

    def run_for(self, vault: VaultSession) -> None:
        """Check ``vault``'s file on a thread of its own; ``done`` arrives on the GUI thread."""

        def run() -> None:
            problem = vault.file_problem()
            with contextlib.suppress(RuntimeError):  # the window went meanwhile: nobody to tell
                self.done.emit(vault, problem)

        threading.Thread(target=run, name="vault file check", daemon=True).start()


class _IndexJob:
    """One build of the search index: cancelled, it stops at its next batch of storytellers
    and hands nothing over."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None


class _IndexBuilder(QObject):
    """Builds the search index on a thread of its own, which reads the vault through a
    session of that thread and touches no widget; ``built`` brings the finished index (plain
    data) to the GUI thread, or ``None`` if it could not be built."""

    built = Signal(object, object)  # (the _IndexJob, the SearchIndex or None)

    def start(self, vault: VaultSession, storyteller_uuids: list[str]) -> _IndexJob:
        job = _IndexJob()
        job.thread = threading.Thread(
            target=self._build, args=(job, vault, storyteller_uuids), name="search index"
        )
        job.thread.daemon = True
        job.thread.start()
        return job

    def _build(self, job: _IndexJob, vault: VaultSession, storyteller_uuids: list[str]) -> None:
        from storycapture.services.search import SearchIndex

        index = SearchIndex()
        try:
            index.add_all(vault, storyteller_uuids, cancelled=job.stop.is_set)
        except Exception:  # locked meanwhile (its database gone), or the file unreadable
            index.clear()
            if not job.stop.is_set():
                with contextlib.suppress(RuntimeError):
                    self.built.emit(job, None)
            return
        if job.stop.is_set():  # locked, closed, or started afresh: nothing is handed over
            index.clear()
            return
        with contextlib.suppress(RuntimeError):  # the window went meanwhile: nobody to tell
            self.built.emit(job, index)


FINISH_BUILDING_AFTER_MS = 120
GETTING_READY = "Search is still getting ready. Your results will appear here in a moment."
TITLE = "StoryCapture"
PRACTICE_WORDS = "Practice vault — invented storytellers"


class MainWindow(QMainWindow):
    def __init__(
        self, data_dir: Path, settings: AppSettings, vault: VaultSession | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        self.data_dir = Path(data_dir)
        # The practice vault's own folder, beside the real one; ``practising`` while the
        # window's vault (open or locked) is that one rather than the real one.
        self.practice_dir = practice_data_dir(self.data_dir)
        self.practising = False
        self._is_practice = False  # the open vault is a practice vault (however it was opened)
        self._practice_badge: QLabel | None = None
        self._own_vault_button: QPushButton | None = None
        self._first_run: dict[str, QWidget] = {}
        self.settings = settings
        self.vault: VaultSession | None = None
        self.stories: StoriesPage | None = None
        # The story-sharing room (made when first opened) and its own undo history.
        self.room: RoomPage | None = None
        self._room_stack: QUndoStack | None = None
        self._room_offered = False  # the vault holds stories that arrived from other devices
        self.search_index: SearchIndex | None = None
        self._stacks: dict[str, QUndoStack] = {}
        self._visits: dict[str, str] = {}
        self._return_to: dict[str, Any] | None = None
        self._index_queue: list[str] = []
        # The search index is built on a thread after unlock; until the first build lands,
        # search says it is getting ready. Storytellers indexed afresh here meanwhile (an
        # edit, a new storyteller) keep those entries rather than the build's.
        self.index_builder = _IndexBuilder(self)
        self.index_builder.built.connect(self._index_built)
        self._index_job: _IndexJob | None = None
        self._indexed_meanwhile: set[str] = set()
        self.search_ready = False
        self.current_dialog: QDialog | None = None
        self._create_page: CreatePage | None = None
        self._author_filter = AuthorFilter.ALL
        self.mode: StorytellerMode | None = None  # storyteller mode, while it is on
        self._mode_pages: list[Any] = []  # the mode's own timeline, board and story views
        self._recovery_page: RecoveryKeyPage | None = None
        self._built = False
        self._damaged_note = ""  # storytellers left out of the list as unreadable
        self._busy = False  # a bundle is being written or read (in this thread)
        self._lock_when_free = False
        # SQLite's check of the whole file runs once the stories are shown, on a thread; after
        # it has found damage, the next unlock checks first (and so refuses the file).
        self.file_check = _FileCheck(self)
        self.file_check.done.connect(self._file_checked)
        self._check_file_first = False

        # The first paint needs only the page it shows; menus, undo, the other pages and the
        # watchers for idle time are built on the first turn of the event loop.
        self.pages = QStackedWidget()
        self.unlock_page = UnlockPage()
        self.pages.addWidget(self.unlock_page)
        self.setCentralWidget(self.pages)
        self.unlock_page.unlock_requested.connect(self.unlock_vault)
        self.unlock_page.own_vault_requested.connect(self.set_up_own_vault)
        self.idle: IdleWatcher
        self.session_watcher: SessionLockWatcher

        if vault is not None:
            self.vault = vault
            self.finish_building()
            self._show_stories()
        elif (self.data_dir / DATABASE_NAME).exists():
            self.pages.setCurrentWidget(self.unlock_page)
        else:
            self.show_first_run_step(self.welcome_page)
        # Just after the first paint. (A zero timer would run before it; and a Python override
        # of a Qt event handler here would make PySide build ~170 enums before the paint.)
        QTimer.singleShot(FINISH_BUILDING_AFTER_MS, self.finish_building)

    # --- first run: the steps, each built when first needed ---------------------------------

    @property
    def welcome_page(self) -> WelcomePage:
        page = self._first_run.get("welcome")
        if not isinstance(page, WelcomePage):
            page = WelcomePage()
            self._first_run["welcome"] = page
            self.pages.addWidget(page)
            page.next_requested.connect(lambda: self.show_first_run_step(self.protection_page))
            page.practice_requested.connect(self.open_practice)
        return page

    @property
    def protection_page(self) -> ProtectionPage:
        page = self._first_run.get("protection")
        if not isinstance(page, ProtectionPage):
            page = ProtectionPage()
            self._first_run["protection"] = page
            self.pages.addWidget(page)
            page.back_requested.connect(lambda: self.show_first_run_step(self.welcome_page))
            page.next_requested.connect(lambda: self.show_first_run_step(self.auto_lock_page))
        return page

    @property
    def auto_lock_page(self) -> AutoLockPage:
        page = self._first_run.get("auto_lock")
        if not isinstance(page, AutoLockPage):
            page = AutoLockPage(self.settings.auto_lock_minutes)
            self._first_run["auto_lock"] = page
            self.pages.addWidget(page)
            page.back_requested.connect(lambda: self.show_first_run_step(self.protection_page))
            page.next_requested.connect(self._auto_lock_chosen)
        return page

    @property
    def create_page(self) -> CreatePage:
        if self._create_page is None:
            self._create_page = CreatePage()
            self.pages.addWidget(self._create_page)
            self._create_page.create_requested.connect(self.create_vault)
            self._create_page.back_requested.connect(
                lambda: self.show_first_run_step(self.auto_lock_page)
            )
        return self._create_page

    def show_first_run_step(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        enter = getattr(page, "enter", None)
        if callable(enter):
            enter()

    @Slot(int)
    def _auto_lock_chosen(self, minutes: int) -> None:
        self.settings.auto_lock_minutes = minutes
        if hasattr(self, "idle"):
            self.idle.set_minutes(minutes)
        self.show_first_run_step(self.create_page)

    @property
    def recovery_page(self) -> RecoveryKeyPage:
        if self._recovery_page is None:
            self._recovery_page = RecoveryKeyPage()  # first run, step 5
            self.pages.addWidget(self._recovery_page)
            self._recovery_page.done.connect(self._show_stories)
        return self._recovery_page

    @Slot()
    def finish_building(self) -> None:
        """Everything the first paint did not need. Safe to call more than once."""
        if self._built:
            return
        self._built = True
        from storycapture.gui.theme import ensure_calm_style

        app = QApplication.instance()
        if isinstance(app, QApplication):
            ensure_calm_style(app)
        from PySide6.QtGui import QUndoGroup

        self.undo_group = QUndoGroup(self)
        self._index_timer = QTimer(self)
        self._index_timer.setInterval(0)
        self._index_timer.timeout.connect(self._index_next)
        self._build_actions()
        self._start_watching()
        self._update_actions()

    @Slot()
    def _start_watching(self) -> None:
        if hasattr(self, "idle"):
            return
        from storycapture.gui import idle

        self.idle = idle.IdleWatcher(
            QGuiApplication.instance(), self.settings.auto_lock_minutes, self
        )
        self.idle.idle.connect(self.lock)
        self.session_watcher = idle.SessionLockWatcher(self)
        self.session_watcher.lock_requested.connect(self.lock)
        if self.vault is not None:
            self.idle.start()

    # --- actions ---------------------------------------------------------------------------

    def _action(
        self, text: str, slot: Any, shortcut: str | QKeySequence.StandardKey | None = None
    ) -> QAction:
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QToolBar

        self.new_storyteller_action = self._action(
            "New storyteller…", self.new_storyteller, "Ctrl+N"
        )
        self.start_visit_action = self._action("Start visit…", self.start_visit, "Ctrl+Shift+V")
        self.end_visit_action = self._action("End visit", self.end_visit)
        self.consent_action = self._action("Consent…", self.record_consent)
        self.storyteller_mode_action = self._action(
            "Storyteller mode…", self.enter_storyteller_mode, "Ctrl+Shift+M"
        )
        self.give_copy_action = self._action("Give a copy…", self.give_copy)
        self.give_copy_action.setStatusTip(
            "A PDF or print-out of their timeline, strengths and words, for them to keep."
        )
        self.add_photo_action = self._action("Add a photo…", self.add_photo)
        self.add_photo_action.setStatusTip(
            "A photo for the moment chosen on the timeline, or for their story."
        )
        self.withdraw_action = self._action("Withdraw consent and erase…", self.withdraw)
        self.export_action = self._action("Export bundle…", self.export_bundle)
        self.import_action = self._action("Import bundles…", self.import_bundles)
        self.lock_action = self._action("Lock", self.lock, "Ctrl+L")
        self.settings_action = self._action("Settings…", self.open_settings, "Ctrl+,")
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self.undo_group.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.lifeline_action = self._action("Lifeline", lambda: self._layout("lifeline"))
        self.lanes_action = self._action("Life areas in lanes", lambda: self._layout("lanes"))
        self.own_vault_action = self._action("Set up my own vault…", self.set_up_own_vault)
        self.own_vault_action.setStatusTip("Leave the practice vault and set up your own.")
        self.room_action = self._action("Story-sharing room", self.show_room, "Ctrl+Shift+R")
        self.room_action.setStatusTip(
            "Read stories aloud with the team, mark excerpts and find the themes across stories."
        )
        self.shortcuts_action = self._action("Keyboard shortcuts", self.show_shortcuts)
        self.about_action = self._action("About StoryCapture", self.about)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.new_storyteller_action, self.start_visit_action, self.end_visit_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addAction(self.own_vault_action)
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.room_action)
        view_menu.addSeparator()
        view_menu.addAction(self.lifeline_action)
        view_menu.addAction(self.lanes_action)
        view_menu.addSeparator()
        whose = view_menu.addMenu("Whose words")
        self.author_filter_actions = {}
        for mode in AuthorFilter:
            action = whose.addAction(mode.words)
            action.setCheckable(True)
            action.setChecked(mode is AuthorFilter.ALL)
            action.triggered.connect(lambda _checked=False, m=mode: self.set_author_filter(m))
            self.author_filter_actions[mode] = action
        person_menu = bar.addMenu("&Storyteller")
        person_menu.addAction(self.consent_action)
        person_menu.addAction(self.storyteller_mode_action)
        person_menu.addAction(self.add_photo_action)
        person_menu.addAction(self.give_copy_action)
        person_menu.addSeparator()
        person_menu.addAction(self.withdraw_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        for action in (
            self.new_storyteller_action,
            self.start_visit_action,
            self.end_visit_action,
            self.storyteller_mode_action,
            self.undo_action,
            self.redo_action,
            self.room_action,
            self.lock_action,
        ):
            self.toolbar.addAction(action)
        self.addToolBar(self.toolbar)

    def _update_actions(self) -> None:
        unlocked = self.vault is not None
        chosen = unlocked and self._current_storyteller() is not None
        visiting = chosen and self._current_storyteller() in self._visits
        self.lock_action.setEnabled(unlocked)
        self.toolbar.setVisible(
            self.stories is not None and self.pages.currentWidget() is self.stories
        )
        stories = unlocked and self.stories is not None
        self.new_storyteller_action.setEnabled(stories)
        self.room_action.setEnabled(stories)
        # On the toolbar only at a hub (stories arrived from other devices); in View always.
        toolbar_room = self.toolbar.widgetForAction(self.room_action)
        if toolbar_room is not None:
            toolbar_room.setVisible(self._room_offered)
        # Invented stories never travel, and real ones never come into the practice vault. A
        # practice hub receives, as a hub does, from the laptops it trusts (invented ones: a
        # real laptop would have to be trusted on it on purpose), so a team can practise the
        # arrival of bundles and withdrawals in the room.
        self.export_action.setEnabled(stories and not self._is_practice)
        self.import_action.setEnabled(stories and (not self._is_practice or self._room_offered))
        self.own_vault_action.setVisible(self.practising)
        # Storyteller mode offers no way to other people's stories, not even a greyed one; and
        # giving a copy is the facilitator's, at the end of a visit.
        for action in (self.export_action, self.import_action, self.give_copy_action):
            action.setVisible(self.mode is None)
        for action in (
            self.consent_action,
            self.give_copy_action,
            self.withdraw_action,
            self.lifeline_action,
            self.lanes_action,
        ):
            action.setEnabled(bool(chosen))
        self.start_visit_action.setEnabled(bool(chosen) and not visiting)
        self.end_visit_action.setEnabled(bool(visiting))
        # One visit at a time: Start visit becomes End visit, in the menu and the toolbar too.
        self.start_visit_action.setVisible(not visiting)
        self.end_visit_action.setVisible(bool(visiting))
        if self.stories is not None:
            self.stories.storyteller.show_visit_in_progress(bool(visiting))
        self.storyteller_mode_action.setEnabled(bool(chosen))
        self.add_photo_action.setEnabled(bool(chosen))
        for action in (
            self.settings_action,
            self.quit_action,
            self.shortcuts_action,
            self.about_action,
            self.own_vault_action,
        ):
            action.setEnabled(True)  # (again, after storyteller mode turned them off)
        if self.mode is not None:
            # Inside storyteller mode nothing may lead elsewhere: only undo, redo and lock.
            for action in self.actions():
                if action not in (self.undo_action, self.redo_action, self.lock_action):
                    action.setEnabled(False)
            self.toolbar.setVisible(False)
        self._show_status()

    def _show_status(self) -> None:
        self._show_practice()
        if self.vault is None or self.stories is None:
            self.statusBar().clearMessage()
            return
        message = "Every change is saved as you make it."
        person = self._current_storyteller()
        if person and person in self._visits:
            summary = self.stories.sidebar.model.summary(person)
            name = summary.storyteller.pseudonym if summary else ""
            message = f"Visit with {name} in progress. " + message
        self.statusBar().showMessage(f"{self._damaged_note} {message}".strip())

    @property
    def showing_practice(self) -> bool:
        """Whether the vault open (or locked, to be opened again) is a practice vault."""
        return self._is_practice if self.vault is not None else self.practising

    def _show_practice(self) -> None:
        """While the practice vault is open, the title and the status bar say so."""
        self.setWindowTitle(f"{PRACTICE_WORDS} — {TITLE}" if self.showing_practice else TITLE)
        practice = self.vault is not None and self._is_practice
        if practice and self._practice_badge is None:
            from PySide6.QtWidgets import QLabel, QPushButton

            self._practice_badge = QLabel(PRACTICE_WORDS)
            self._practice_badge.setObjectName("subheading")
            self._practice_badge.setAccessibleName(PRACTICE_WORDS)
            self._own_vault_button = QPushButton("Set up my own vault…")
            self._own_vault_button.setAccessibleName("Leave the practice and set up my own vault")
            self._own_vault_button.clicked.connect(self.set_up_own_vault)
            self.statusBar().addPermanentWidget(self._practice_badge)
            self.statusBar().addPermanentWidget(self._own_vault_button)
        if self._practice_badge is not None and self._own_vault_button is not None:
            self._practice_badge.setVisible(practice)
            self._own_vault_button.setVisible(practice and self.practising)

    # --- opening ---------------------------------------------------------------------------

    def _vault_dir(self) -> Path:
        return self.practice_dir if self.practising else self.data_dir

    @Slot(str)
    def unlock_vault(self, passphrase: str) -> None:
        self.finish_building()
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.services.opening import open_vault

        QGuiApplication.setOverrideCursor(QGuiApplication.overrideCursor() or _wait_cursor())
        check_first = self._check_file_first
        try:
            self.vault = open_vault(self._vault_dir(), passphrase, check_file_now=check_first)
        except StoryCaptureError as error:
            self.unlock_page.show_problem(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.unlock_page.reset()
        self._show_stories()
        if not check_first:
            self.file_check.run_for(self.vault)

    @Slot(object, object)
    def _file_checked(self, vault: VaultSession, problem: str | None) -> None:
        if problem is None or vault is not self.vault:
            return
        self._check_file_first = True
        self.lock()
        self.unlock_page.show_problem(FILE_DAMAGED)

    @Slot(str)
    def create_vault(self, passphrase: str) -> None:
        self.finish_building()
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.services.vault import VaultSession

        QGuiApplication.setOverrideCursor(_wait_cursor())
        try:
            self.vault, recovery_key = VaultSession.create(self.data_dir, passphrase)
        except StoryCaptureError as error:
            self.create_page.show_problem(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.create_page.reset()
        self.recovery_page.show_key(recovery_key)
        self.show_first_run_step(self.recovery_page)
        self._update_actions()

    @Slot()
    def open_practice(self) -> None:
        """Open the practice vault of invented storytellers (made the first time), in its
        own folder beside the real one."""
        if self.vault is not None:
            return
        self.finish_building()
        from storycapture.demo import DEMO_PASSPHRASE, create_demo_vault
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.paths import resources_dir
        from storycapture.services.opening import open_vault

        folder = self.practice_dir
        QGuiApplication.setOverrideCursor(_wait_cursor())
        try:
            if (folder / DATABASE_NAME).exists():
                vault = open_vault(folder, DEMO_PASSPHRASE)
            else:
                self.statusBar().showMessage("Making the practice vault: a few seconds…")
                self.statusBar().repaint()
                vault, _recovery_key = create_demo_vault(
                    folder, resources_dir() / "demo" / "demo-vault.json"
                )
        except StoryCaptureError as error:
            self.statusBar().clearMessage()
            self.welcome_page.show_problem(
                f"The practice vault in {folder} could not be opened. {error}"
            )
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.practising = True
        self.unlock_page.set_practice(DEMO_PASSPHRASE)
        self.vault = vault
        self._show_stories()

    @Slot()
    def set_up_own_vault(self) -> None:
        """Leave the practice vault (locking it) for the steps that set up the real one."""
        if not self.practising or self.mode is not None or self._busy:
            return
        self.lock()
        self.practising = False
        self._is_practice = False
        self.unlock_page.set_practice(None)
        if (self.data_dir / DATABASE_NAME).exists():  # made meanwhile, from another window
            self.pages.setCurrentWidget(self.unlock_page)
            self.unlock_page.passphrase.setFocus()
        else:
            self.show_first_run_step(self.protection_page)
        self._update_actions()

    @Slot()
    def _show_stories(self) -> None:
        if self.vault is None:
            return
        from storycapture.gui.stories import StoriesPage
        from storycapture.qtkit.context import EditingContext
        from storycapture.services.search import SearchIndex

        context = EditingContext(
            undo_stack=self._stack_for_current(),
            author=self.author,
            current_visit=self._current_visit,
            chosen_visibility=self._chosen_visibility,
        )
        self._context = context
        from storycapture.demo import is_practice_vault

        self._is_practice = is_practice_vault(self.vault)
        self.stories = StoriesPage(self.vault, context)
        self.stories.sidebar.storyteller_chosen.connect(self._choose_storyteller)
        self.stories.sidebar.hit_chosen.connect(self._go_to_hit)
        self.stories.sidebar.search.textChanged.connect(self._search)
        self.stories.sidebar.new_storyteller.clicked.connect(self.new_storyteller)
        page = self.stories.storyteller
        page.changed.connect(self._story_changed)
        page.start_visit_requested.connect(self.start_visit)
        page.end_visit_requested.connect(self.end_visit)
        page.consent_requested.connect(self.record_consent)
        page.withdraw_requested.connect(self.withdraw)
        page.give_copy_requested.connect(self.give_copy)
        page.history_requested.connect(self.show_history)
        page.set_author_filter(self._author_filter)
        self.pages.addWidget(self.stories)
        self.pages.setCurrentWidget(self.stories)
        self.search_index = SearchIndex()
        self._refresh_people()
        self._return_to_place()
        # Once the stories are on screen: the build's thread would take turns with the first
        # paint (the two share Python's lock).
        QTimer.singleShot(0, self._start_indexing)
        self._check_room_offered()
        self._start_watching()
        self.idle.start()
        self._update_actions()

    # --- the story-sharing room ------------------------------------------------------------

    @Slot()
    def show_room(self) -> None:
        """Open the story-sharing room (made the first time), with its own undo history."""
        if self.vault is None or self.stories is None or self.mode is not None:
            return
        from PySide6.QtGui import QUndoStack

        if self._room_stack is None:
            self._room_stack = QUndoStack(self.undo_group)
        if self.room is None:
            from storycapture.hub.qt.context import RoomContext
            from storycapture.hub.qt.room import RoomPage

            context = RoomContext(
                self.vault, self._room_stack, self.author, refused=self._room_refused
            )
            self.room = RoomPage(context)
            self.room.back_requested.connect(self.show_stories_page)
            self.pages.addWidget(self.room)
        else:  # stories may have changed meanwhile (edited, imported): read them again
            self.room.refresh()
        self.pages.setCurrentWidget(self.room)
        self.undo_group.setActiveStack(self._room_stack)
        self._update_actions()

    @Slot()
    def show_stories_page(self) -> None:
        if self.stories is None:
            return
        self.pages.setCurrentWidget(self.stories)
        self._stack_for_current()
        self._update_actions()

    def _room_refused(self, error: Exception) -> None:
        self.statusBar().showMessage(str(error), 15_000)

    def _room_after_erasure(self) -> None:
        """After a withdrawal (here, or arrived in a bundle): the room reads everything again,
        and its undo history, which may name the erased storyteller's excerpts, goes."""
        if self._room_stack is not None:
            self._room_stack.clear()
        if self.room is not None:
            self.room.refresh()

    def _check_room_offered(self) -> None:
        from storycapture.hub.room import holds_arrived_stories

        self._room_offered = self.vault is not None and holds_arrived_stories(self.vault)

    def _refresh_people(self) -> None:
        from storycapture.services.overview import storyteller_summaries

        assert self.vault is not None and self.stories is not None
        damaged: list[str] = []
        rows = storyteller_summaries(self.vault, damaged)
        # One damaged storyteller hides only themselves, and the status line says so.
        count = len(damaged)
        self._damaged_note = (
            f"{count} storyteller{'s' if count != 1 else ''} could not be read: "
            f"{'their records are' if count != 1 else 'their record is'} damaged or "
            "altered. Everyone else is shown."
            if count
            else ""
        )
        self._show_status()
        self.stories.sidebar.show_summaries(rows)
        self.stories.show_empty(not rows)
        if rows and self.stories.sidebar.current_uuid() is None:
            self.stories.sidebar.select(rows[0].uuid)

    def _return_to_place(self) -> None:
        place, self._return_to = self._return_to, None
        if not place or self.stories is None:
            return
        self.stories.sidebar.select(place["storyteller"])
        page = self.stories.storyteller
        if page.storyteller_uuid == place["storyteller"]:
            page.tabs.setCurrentIndex(place["tab"])
            page.timeline.restore_view_state(place["timeline"])
            if self.mode is not None and "mode_page" in place:
                self._start_mode(None, place["mode_page"])
        elif self.mode is not None:  # their story is gone (erased elsewhere): no mode to return to
            self.mode.deleteLater()
            self.mode = None

    # --- the storyteller in view -----------------------------------------------------------

    def _current_storyteller(self) -> str | None:
        if self.stories is None:
            return None
        return self.stories.storyteller.storyteller_uuid

    def _stack_for_current(self) -> QUndoStack:
        from PySide6.QtGui import QUndoStack

        key = self._current_storyteller() or ""
        stack = self._stacks.get(key)
        if stack is None:
            stack = QUndoStack(self.undo_group)
            self._stacks[key] = stack
        self.undo_group.setActiveStack(stack)
        return stack

    def author(self) -> Author:
        from storycapture.domain.authorship import Author

        if self.mode is not None:
            return Author.storyteller()
        return Author.facilitator(self.settings.facilitator_name)

    def _chosen_visibility(self, storyteller_uuid: str) -> Visibility | None:
        """What this storyteller chose their new items to be (None if never asked)."""
        if self.vault is None:
            return None
        from storycapture.services.storytellers import StorytellerService

        return StorytellerService(self.vault).get(storyteller_uuid).default_visibility

    def _current_visit(self) -> str | None:
        person = self._current_storyteller()
        return self._visits.get(person) if person else None

    @Slot(str)
    def _choose_storyteller(self, storyteller_uuid: str) -> None:
        if self.stories is None:
            return
        summary = self.stories.sidebar.model.summary(storyteller_uuid)
        if summary is None:
            return
        page = self.stories.storyteller
        page.storyteller_uuid = storyteller_uuid
        self._context.undo_stack = self._stack_for_current()
        page.show_storyteller(summary)
        self._update_actions()

    @Slot(object)
    def _go_to_hit(self, hit: SearchHit) -> None:
        if self.stories is None:
            return
        self.stories.sidebar.select(hit.storyteller_uuid)
        self.stories.storyteller.go_to(hit)

    @Slot(str)
    def _search(self, query: str) -> None:
        if self.stories is None or self.search_index is None:
            return
        if not self.search_ready and query.strip():
            self.stories.sidebar.show_message(GETTING_READY)
            return
        names = {
            uuid: summary.storyteller.pseudonym
            for uuid in self.search_index.storytellers
            if (summary := self.stories.sidebar.model.summary(uuid)) is not None
        }
        self.stories.sidebar.show_hits(self.search_index.search(query), names)

    def _listed_storytellers(self) -> list[str]:
        assert self.stories is not None
        model = self.stories.sidebar.model
        return [str(model.index(row).data(model.UuidRole)) for row in range(model.rowCount())]

    def _start_indexing(self) -> None:
        """Build the index of everyone listed on a thread (the window never freezes); what
        search had before stays searchable until the new one lands."""
        if self.stories is None or self.vault is None:
            return
        self._stop_indexing()
        self._index_job = self.index_builder.start(self.vault, self._listed_storytellers())

    def _stop_indexing(self) -> None:
        """Let a build under way stop at its next batch; whatever it finds is dropped."""
        if self._index_job is not None:
            self._index_job.stop.set()
            self._index_job = None
        self._indexed_meanwhile.clear()
        self._index_timer.stop()
        self._index_queue.clear()

    @Slot(object, object)
    def _index_built(self, job: _IndexJob, built: SearchIndex | None) -> None:
        if job is not self._index_job or self.stories is None or self.search_index is None:
            if built is not None:  # cancelled meanwhile: dropped
                built.clear()
            return
        self._index_job = None
        # Only those still listed (not erased meanwhile); those indexed afresh meanwhile
        # keep their newer entries.
        fresh, self._indexed_meanwhile = self._indexed_meanwhile, set()
        if built is None:  # could not be read at once: a storyteller a turn, as before
            self._index_queue = [p for p in self._listed_storytellers() if p not in fresh]
            self._index_timer.start()
            return
        self.search_index.take(built, keep=set(self._listed_storytellers()) - fresh)
        built.clear()
        self._search_is_ready()

    def _search_is_ready(self) -> None:
        self.search_ready = True
        if self.stories is not None:
            self._search(self.stories.sidebar.search.text())

    @Slot()
    def _index_next(self) -> None:
        if self.vault is None or self.search_index is None:
            self._index_timer.stop()
            return
        if self._index_queue:
            self._index_again(self._index_queue.pop(0))
        if not self._index_queue:
            self._index_timer.stop()
            self._search_is_ready()

    def _index_again(self, person: str) -> None:
        """Index one storyteller afresh (after an edit), now, on this thread."""
        if self.vault is None or self.search_index is None:
            return
        from storycapture.domain.errors import StoryCaptureError

        with contextlib.suppress(StoryCaptureError):  # damaged: not found by search
            self.search_index.add_storyteller(self.vault, person)
            if self._index_job is not None:
                self._indexed_meanwhile.add(person)

    @Slot()
    def _story_changed(self) -> None:
        person = self._current_storyteller()
        if person and self.vault is not None and self.search_index is not None:
            self._index_again(person)
            if self.stories is not None:
                self._search(self.stories.sidebar.search.text())
                summary = self.stories.sidebar.model.summary(person)
                if summary is not None:
                    self.stories.storyteller.refresh_overview(summary)

    # --- commands --------------------------------------------------------------------------

    def _open(self, dialog: QDialog, done: Any) -> None:
        """Show a dialog without a nested event loop; ``done`` runs when it is accepted."""
        self.current_dialog = dialog
        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    @Slot()
    def new_storyteller(self) -> None:
        if self.vault is None or self.stories is None:
            return
        from storycapture.gui.storyteller_dialog import NewStorytellerDialog
        from storycapture.services.storytellers import StorytellerService

        dialog = NewStorytellerDialog(StorytellerService(self.vault), self.author(), self)

        def added() -> None:
            if dialog.created is None or self.vault is None or self.stories is None:
                return
            self._refresh_people()
            self.stories.sidebar.select(dialog.created.uuid)
            self._index_again(dialog.created.uuid)
            # Consent comes before anything of their story.
            self.record_consent()

        self._open(dialog, added)

    @Slot()
    def start_visit(self) -> None:
        """One visit at a time with each storyteller. Starting one is a record of what
        happened, not an edit: it is not an undo step (ending it is how it finishes)."""
        person = self._current_storyteller()
        if self.vault is None or self.stories is None or person is None:
            return
        if person in self._visits:  # already visiting: a second click starts nothing
            return
        from storycapture.gui.visit import VisitDialog
        from storycapture.services.visits import VisitService

        name = self.stories.storyteller.name.text()
        facilitator = self.settings.facilitator_name
        dialog = VisitDialog(
            VisitService(self.vault),
            person,
            name,
            self.author(),
            self,
            facilitator_name=facilitator,
        )

        def started_it() -> None:
            visit = dialog.started_visit
            if visit is None:
                return
            self._visits[person] = visit.uuid
            self._after_visit()

        self._open(dialog, started_it)

    def _after_visit(self) -> None:
        if self.stories is None:
            return
        self._refresh_people()
        self._story_changed()
        self._update_actions()

    @Slot()
    def end_visit(self) -> None:
        """End the visit in progress and show what was added during it, with Give a copy."""
        person = self._current_storyteller()
        if person is None or person not in self._visits:
            return
        visit_uuid = self._visits.pop(person)
        self._update_actions()
        if self.vault is None or self.stories is None:
            return
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.gui.visit import VisitRecapDialog
        from storycapture.services.visits import VisitService

        try:
            recap = VisitService(self.vault).recap(visit_uuid)
        except StoryCaptureError as error:  # the visit went meanwhile (an import, say)
            self.statusBar().showMessage(str(error), 15_000)
            return
        dialog = VisitRecapDialog(recap, self.stories.storyteller.name.text(), self)

        def closed() -> None:
            if dialog.wants_copy and self._current_storyteller() == person:
                self.give_copy()

        self._open(dialog, closed)

    @Slot()
    def record_consent(self) -> None:
        person = self._current_storyteller()
        if self.vault is None or self.stories is None or person is None:
            return
        from storycapture.gui.consent import ConsentDialog
        from storycapture.services.consent import ConsentService

        dialog = ConsentDialog(
            ConsentService(self.vault),
            person,
            self.stories.storyteller.name.text(),
            self.settings.facilitator_name,
            self.author(),
            self,
        )

        def recorded() -> None:
            if self.stories is None:
                return
            self._refresh_people()
            summary = self.stories.sidebar.model.summary(person)
            if summary is not None:
                self.stories.storyteller.refresh_overview(summary)
            self._update_actions()

        self._open(dialog, recorded)

    @Slot()
    def add_photo(self) -> None:
        """Storyteller → Add a photo…: to the moment chosen on the timeline, else the story."""
        if self.stories is not None and self._current_storyteller() is not None:
            from storycapture.gui.photos import add_photo_to

            add_photo_to(self.stories.storyteller)

    @Slot()
    def give_copy(self) -> None:
        """The storyteller's own copy: what goes in, then a PDF or the printer."""
        person = self._current_storyteller()
        if self.vault is None or self.stories is None or person is None or self.mode is not None:
            return
        from storycapture.gui.give_back import GiveBackDialog

        dialog = GiveBackDialog(self.vault, person, self.stories.storyteller.name.text(), self)

        def made() -> None:
            if dialog.outcome:
                self.statusBar().showMessage(dialog.outcome, 15_000)

        self._open(dialog, made)

    @Slot()
    def withdraw(self) -> None:
        person = self._current_storyteller()
        if self.vault is None or self.stories is None or person is None:
            return
        from storycapture.gui.consent import WithdrawalDialog

        name = self.stories.storyteller.name.text()
        dialog = WithdrawalDialog(name, self)

        def confirmed() -> None:
            if dialog.is_confirmed:
                self._erase(person, name)

        self._open(dialog, confirmed)

    def _erase(self, person: str, name: str) -> None:
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.services.consent import ConsentService

        if self.vault is None or self.stories is None:
            return
        try:
            ConsentService(self.vault).withdraw(person, author=self.author())
        except StoryCaptureError as error:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "StoryCapture", str(error))
            return
        # Their undo history holds their words: it goes with them.
        stack = self._stacks.pop(person, None)
        if stack is not None:
            self.undo_group.removeStack(stack)
            stack.deleteLater()
        self._visits.pop(person, None)
        if person in self._index_queue:
            self._index_queue.remove(person)
        self._indexed_meanwhile.discard(person)
        if self.search_index is not None:  # a build under way leaves out whoever is not listed
            self.search_index.forget(person)
        self.stories.storyteller.clear()
        self._room_after_erasure()
        self._refresh_people()
        self._update_actions()
        self.statusBar().showMessage(f"{name}'s story has been erased from this laptop.", 15_000)

    @Slot()
    def open_settings(self) -> None:
        self._open_settings(self)

    def _open_settings(
        self, parent: QWidget, *, sharing: bool = False, closed: Any = None
    ) -> QDialog:
        """The settings (with Sharing while unlocked); over ``parent`` if it is a dialog."""
        from storycapture.gui.settings_dialog import SettingsDialog
        from storycapture.gui.theme import apply_theme

        dialog = SettingsDialog(self.settings, parent, vault=self.vault)
        if sharing:
            dialog.show_sharing()

        def saved() -> None:
            self._start_watching()
            self.idle.set_minutes(self.settings.auto_lock_minutes)
            app = QGuiApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, self.settings.theme, self.settings.interface_scale)
            if self.stories is not None:  # a new text size may make the screen compact
                self.stories.reflow()

        if closed is not None:
            dialog.finished.connect(lambda _result: closed())
        if parent is self:
            self._open(dialog, saved)
        else:  # over another dialog (the export's "Open sharing settings…")
            dialog.accepted.connect(saved)
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
        return dialog

    # --- sharing by file -------------------------------------------------------------------

    @Slot()
    def export_bundle(self) -> None:
        if self.vault is None or self.stories is None or self.mode is not None:
            return
        from storycapture.domain.errors import StoryCaptureError
        from storycapture.gui.sync_dialogs import ExportDialog

        try:
            dialog = ExportDialog(self.vault, self.settings, self)
        except StoryCaptureError as error:  # what to share could not be worked out
            self.statusBar().showMessage(str(error), 15_000)
            return
        dialog.busy.connect(self._set_busy)
        dialog.sharing_requested.connect(
            lambda: self._open_settings(dialog, sharing=True, closed=dialog.refresh_recipients)
        )
        self._open(dialog, lambda: None)

    @Slot()
    def import_bundles(self) -> None:
        if self.vault is None or self.stories is None or self.mode is not None:
            return
        from storycapture.gui.sync_dialogs import ImportDialog

        dialog = ImportDialog(self.vault, self.settings, self)
        dialog.busy.connect(self._set_busy)
        dialog.imported.connect(self._after_import)
        self._open(dialog, lambda: None)

    @Slot(bool)
    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if not busy and self._lock_when_free:
            self._lock_when_free = False
            QTimer.singleShot(0, self.lock)

    @Slot()
    def _after_import(self) -> None:
        """New storytellers appear, changed ones are read again, erased ones vanish (and if
        the one in view was erased by a withdrawal, the stories page starts afresh)."""
        if self.vault is None or self.stories is None:
            return
        from storycapture.services.storytellers import StorytellerService

        alive = set(StorytellerService(self.vault).ids())
        known = set(self._stacks) | set(self._visits)
        if self.search_index is not None:
            known |= set(self.search_index.storytellers)
        person = self._current_storyteller()
        if person is not None:
            known.add(person)
        for gone in known - alive - {""}:
            stack = self._stacks.pop(gone, None)
            if stack is not None:
                self.undo_group.removeStack(stack)
                stack.deleteLater()
            self._visits.pop(gone, None)
            if self.search_index is not None:
                self.search_index.forget(gone)
        if person is not None and person not in alive:
            self.stories.storyteller.clear()
        self._room_after_erasure()
        self._check_room_offered()
        self._refresh_people()
        self._start_indexing()
        self._update_actions()

    def _layout(self, mode: str) -> None:
        if self.stories is not None:
            self.stories.storyteller.tabs.setCurrentIndex(1)
            self.stories.storyteller.timeline.set_layout_mode(mode)

    # --- storyteller mode ------------------------------------------------------------------

    @Slot()
    def enter_storyteller_mode(self) -> None:
        """Ask the facilitator for an optional PIN, then hand the laptop over."""
        person = self._current_storyteller()
        if self.vault is None or self.stories is None or person is None:
            return
        from storycapture.gui.storyteller_mode import EnterStorytellerModePanel

        panel = EnterStorytellerModePanel(self.stories.storyteller.name.text())
        self.pages.addWidget(panel)
        self.pages.setCurrentWidget(panel)
        self.toolbar.setVisible(False)

        def done() -> None:
            self.pages.removeWidget(panel)
            panel.deleteLater()

        def hand_over(pin: object) -> None:
            done()
            self._start_mode(pin if isinstance(pin, str) else None)

        def cancelled() -> None:
            done()
            if self.stories is not None:
                self.pages.setCurrentWidget(self.stories)
            self._update_actions()

        panel.hand_over.connect(hand_over)
        panel.cancelled.connect(cancelled)

    def _mode_tools(self) -> list[tuple[str, QWidget]]:
        """Fresh views of this storyteller's timeline, strengths and story for the mode."""
        from storycapture.gui.stories import make_strengths_view
        from storycapture.gui.story_words import StoryWordsPanel
        from storycapture.services.media import PhotoService
        from storycapture.services.story import StoryWordsService
        from storycapture.timeline.qt.tool import TimelineTool
        from storycapture.timeline.service import TimelineService

        assert self.vault is not None and self.stories is not None
        page = self.stories.storyteller
        person = page.storyteller_uuid
        assert person is not None
        summary = self.stories.sidebar.model.summary(person)
        birth_year = summary.storyteller.birth_year if summary else None
        timeline = TimelineTool(
            TimelineService(self.vault), PhotoService(self.vault), self._context
        )
        timeline.set_large(True)
        timeline.show_storyteller(person, birth_year)
        strengths = make_strengths_view(self.vault, self._context, large=True)
        strengths.show_storyteller(person)
        story = StoryWordsPanel(
            StoryWordsService(self.vault), self._context, PhotoService(self.vault)
        )
        if story.photos is not None:
            story.photos.set_large(True)
        story.show_storyteller(person)
        for tool in (timeline, strengths, story):
            tool.changed.connect(self._story_changed)
        self._mode_pages = [timeline, strengths, story]
        return [("My timeline", timeline), ("My strengths", strengths), ("My story", story)]

    def _start_mode(self, pin: str | None, page: int = 0) -> None:
        from storycapture.gui.storyteller_mode import StorytellerMode

        if self.vault is None or self.stories is None:
            return
        name = self.stories.storyteller.name.text()
        if self.mode is None:
            # The passphrase is checked against the vault as it is when the facilitator types
            # it: a lock closes this session and the unlock opens another one.
            self.mode = StorytellerMode(name, self._mode_tools(), self._is_facilitators_passphrase)
            if pin:
                self.mode.set_pin(pin)
            self.mode.allow_shortcut(self.lock_action.shortcut())
            self.mode.set_undo(self.undo_group)
            self.mode.leave_requested.connect(self._leave_mode)
        else:  # coming back after the vault was locked in storyteller mode
            self.mode.restore(name, self._mode_tools())
        self.mode.set_current_page(page)
        self.pages.addWidget(self.mode)
        self.pages.setCurrentWidget(self.mode)
        self.menuBar().hide()
        self.statusBar().hide()
        self._update_actions()
        self.showFullScreen()

    def _is_facilitators_passphrase(self, passphrase: str) -> bool:
        return self.vault is not None and self.vault.check_passphrase(passphrase)

    @Slot()
    def _leave_mode(self) -> None:
        mode, self.mode = self.mode, None
        if mode is not None:
            mode.clear()
            self.pages.removeWidget(mode)
            mode.deleteLater()
        for tool in self._mode_pages:
            tool.deleteLater()
        self._mode_pages = []
        self.menuBar().show()
        self.statusBar().show()
        self.showNormal()
        if self.stories is not None:
            self.pages.setCurrentWidget(self.stories)
            self.stories.storyteller.reload()
            self._story_changed()
        self._update_actions()

    def set_author_filter(self, mode: AuthorFilter | str) -> None:
        """Filter or highlight by author on the timeline, the board and the story."""
        mode = self._author_filter = AuthorFilter.parse(mode)
        for name, action in self.author_filter_actions.items():
            action.setChecked(name is mode)
        if self.stories is not None:
            self.stories.storyteller.set_author_filter(mode)

    @Slot(str, str)
    def show_history(self, entity: str, uuid: str) -> None:
        if self.vault is None:
            return
        from storycapture.gui.history import ItemHistoryDialog
        from storycapture.services.history import HistoryService

        self._open(ItemHistoryDialog(HistoryService(self.vault), entity, uuid, self), lambda: None)

    @Slot()
    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts: read from this window's own actions and menus."""
        from storycapture.gui.help_dialogs import ShortcutsDialog

        self._open(ShortcutsDialog(self), lambda: None)

    @Slot()
    def about(self) -> None:
        """Help → About: version, licence, where the vault is kept, and its key settings."""
        from storycapture.gui.help_dialogs import AboutDialog, KeySettings

        kdf = None
        if self.vault is not None:
            params = self.vault.kdf_params()
            kdf = KeySettings(params.memory_kib // 1024, params.iterations, params.lanes)
        folder = self.vault.data_dir if self.vault is not None else self._vault_dir()
        self._open(AboutDialog(folder, kdf, self, practice=self.showing_practice), lambda: None)

    # --- locking ---------------------------------------------------------------------------

    @Slot()
    def lock(self) -> None:
        if self._busy:
            # A bundle is being written or read in this thread: lock the moment it is done.
            self._lock_when_free = True
            return
        self.finish_building()
        # A dialog left open (consent, a visit, an edit) may show personal words: close it.
        for dialog in [*self.findChildren(QDialog), *QApplication.topLevelWidgets()]:
            if isinstance(dialog, QDialog) and dialog.isVisible():
                dialog.reject()
                dialog.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.current_dialog = None
        if self._create_page is not None:
            self._create_page.reset()
        if self._recovery_page is not None:
            self._recovery_page.key.clear()
        self.unlock_page.reset()
        if hasattr(self, "idle"):
            self.idle.stop()
        self._stop_indexing()  # the build stops at its next batch; nothing of it is kept
        self.search_ready = False
        if self.vault is None:
            return
        if self.stories is not None:
            page = self.stories.storyteller
            if page.storyteller_uuid is not None:
                self._return_to = {
                    "storyteller": page.storyteller_uuid,
                    "tab": page.tabs.currentIndex(),
                    "timeline": page.timeline.view_state(),
                }
                if self.mode is not None:
                    self._return_to["mode_page"] = self.mode.current_page()
        if self.mode is not None:
            # The mode keeps only its PIN's hash, so unlocking returns to it, no extra tries.
            self.mode.clear()
            self.pages.removeWidget(self.mode)
            for tool in self._mode_pages:
                tool.clear()
                tool.deleteLater()
            self._mode_pages = []
        if self.room is not None:
            self.room.clear()
            self.pages.removeWidget(self.room)
            self.room.deleteLater()
            self.room = None
        if self._room_stack is not None:
            self.undo_group.removeStack(self._room_stack)
            self._room_stack.deleteLater()
            self._room_stack = None
        if self.stories is not None:
            self.stories.clear()
            self.pages.removeWidget(self.stories)
            self.stories.deleteLater()
            self.stories = None
        if self.search_index is not None:
            self.search_index.clear()
            self.search_index = None
        for stack in self._stacks.values():
            self.undo_group.removeStack(stack)
            stack.deleteLater()
        self._stacks.clear()
        self.vault.lock()
        self.vault = None
        self.pages.setCurrentWidget(self.unlock_page)
        self.unlock_page.passphrase.setFocus()
        self._update_actions()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:  # a bundle is half written or read: not now; it locks once done
            event.ignore()
            self._lock_when_free = True
            return
        if self.mode is not None and self.vault is not None and event.spontaneous():
            # Closing from the storyteller's side (Alt+F4, the title bar) asks for the PIN.
            event.ignore()
            self.mode.request_leave()
            return
        if self.mode is None:
            self.settings.window_geometry = bytes(self.saveGeometry().data())
        self.lock()
        super().closeEvent(event)


def _wait_cursor() -> Any:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QCursor

    return QCursor(Qt.CursorShape.WaitCursor)
