"""The main window, driven as a facilitator would: first run, unlock, storytellers, consent,
visits, search, undo, locking (by action, by idle) and coming back to the same place."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.errors import VaultInUse
from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem, Visibility
from storycapture.gui.consent import ConsentDialog, WithdrawalDialog
from storycapture.gui.settings import AppSettings
from storycapture.gui.storyteller_dialog import NewStorytellerDialog
from storycapture.gui.visit import VisitDialog
from storycapture.gui.window import MainWindow
from storycapture.services.consent import ConsentService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, add_consenting_storyteller, fast_kdf

RECOVERY_KEY = re.compile(r"^[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}$")
PERSONAL = ("Juniper", "Moved to Leeds", "bakery", "more than the hard years", "kitchen")


def make_window(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> MainWindow:
    window = MainWindow(data_dir, settings)
    qtbot.addWidget(window)  # closed, and so locked, at the end of the test
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    # Menus, undo and the idle watcher arrive just after the first paint.
    qtbot.waitUntil(lambda: window._built)
    return window


def unlock(qtbot: QtBot, window: MainWindow, passphrase: str = PASSPHRASE) -> None:
    page = window.unlock_page
    page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)


def _texts_in(window: QWidget) -> list[str]:
    """Every piece of text any widget of the window (or an open dialog) shows."""
    texts: list[str] = []
    widgets = [window, *window.findChildren(QWidget)]
    widgets += [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for widget in widgets:
        if isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                texts.append(str(model.index(row, 0).data() or ""))
        elif isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                if isinstance(item, QGraphicsSimpleTextItem):
                    texts.append(item.text())
                elif hasattr(item, "toPlainText"):
                    texts.append(item.toPlainText())
                tip = item.toolTip()
                if tip:
                    texts.append(tip)
    return texts


def assert_nothing_personal_shown(window: MainWindow) -> None:
    shown = "\n".join(_texts_in(window))
    for marker in PERSONAL:
        assert marker not in shown, f"{marker!r} is still on screen after locking"


@pytest.fixture
def filled_vault(data_dir: Path) -> Path:
    """A locked vault with Juniper (consent, a visit, events, words) and Rowan (nothing yet)."""
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        people = StorytellerService(vault)
        juniper = people.add("Juniper", author=FACILITATOR, birth_year=1980, notes="Likes tea.")
        people.add("Rowan", author=FACILITATOR)
        ConsentService(vault).record(
            juniper.uuid,
            items=[ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM],
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        VisitService(vault).start(juniper.uuid, author=FACILITATOR, visit_date="2026-03-02")
        timeline = TimelineService(vault)
        timeline.add_event(
            juniper.uuid,
            title="Moved to Leeds",
            starts="spring 2015",
            valence=2,
            author=FACILITATOR,
        )
        timeline.add_event(
            juniper.uuid,
            title="First job at the bakery",
            starts="when I was about 15",
            valence=-1,
            visibility="private",
            author=FACILITATOR,
        )
        words = StoryWordsService(vault)
        words.add_quote(juniper.uuid, "I'm more than the hard years.", author=FACILITATOR)
        words.add_note(juniper.uuid, "We talked in the kitchen over tea.", author=FACILITATOR)
    finally:
        vault.lock()
    return data_dir


def _juniper(window: MainWindow) -> str:
    assert window.vault is not None
    (person,) = [p for p in StorytellerService(window.vault).list() if p.pseudonym == "Juniper"]
    return person.uuid


# --- first run and unlock --------------------------------------------------------------------


def test_first_run_sets_up_the_vault_and_shows_the_recovery_key_once(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, data_dir, app_settings)
    assert window.pages.currentWidget() is window.welcome_page
    window.welcome_page.next.click()
    window.protection_page.next.click()
    window.auto_lock_page.next.click()
    assert window.pages.currentWidget() is window.create_page
    window.create_page.first.setText("a calm new passphrase")
    window.create_page.second.setText("a calm new passphrase!")
    qtbot.keyClick(window.create_page.second, Qt.Key.Key_Return)
    assert window.create_page.problem.isVisible()
    assert window.vault is None

    window.create_page.second.setText("a calm new passphrase")
    qtbot.keyClick(window.create_page.second, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.recovery_page
    assert RECOVERY_KEY.match(window.recovery_page.key.text())
    assert window.create_page.first.text() == window.create_page.second.text() == ""

    (written,) = [
        b
        for b in window.recovery_page.findChildren(QPushButton)
        if b.text() == "I have written it down"
    ]
    qtbot.mouseClick(written, Qt.MouseButton.LeftButton)
    assert window.recovery_page.key.text() == ""
    assert window.stories is not None and window.pages.currentWidget() is window.stories
    assert window.stories.empty.isVisible()


def test_a_wrong_passphrase_is_explained_then_the_right_one_shows_the_stories(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    assert window.pages.currentWidget() is window.unlock_page
    assert not window.lock_action.isEnabled()
    unlock(qtbot, window, "not the passphrase")
    assert window.unlock_page.problem.isVisible()
    assert "does not open this vault" in window.unlock_page.problem.text()
    assert window.vault is None

    unlock(qtbot, window)
    assert window.vault is not None and window.stories is not None
    sidebar = window.stories.sidebar
    names = [
        str(sidebar.model.index(r).data()).split("\n")[0] for r in range(sidebar.model.rowCount())
    ]
    assert names == ["Juniper", "Rowan"]
    page = window.stories.storyteller
    assert page.name.text() == "Juniper"
    assert "taking part, sharing with the programme team" in page.overview.toPlainText()
    assert "Likes tea." in page.overview.toPlainText()
    assert window.lock_action.isEnabled()


def test_a_vault_open_elsewhere_is_explained_in_the_window(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    elsewhere = VaultSession.unlock(filled_vault, PASSPHRASE)
    try:
        window = make_window(qtbot, filled_vault, app_settings)
        unlock(qtbot, window)
        assert "already open" in window.unlock_page.problem.text()
        assert window.vault is None
    finally:
        elsewhere.lock()
    unlock(qtbot, window)
    assert window.vault is not None
    with pytest.raises(VaultInUse):
        VaultSession.unlock(filled_vault, PASSPHRASE)


# --- a visit, through the window -------------------------------------------------------------


def test_a_new_storyteller_gives_consent_with_a_signature_and_a_visit_starts(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    window.new_storyteller_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, NewStorytellerDialog)
    qtbot.keyClicks(dialog.pseudonym, "Heron")
    dialog._save()
    assert window.stories is not None
    assert window.stories.storyteller.name.text() == "Heron"

    consent = window.current_dialog
    assert isinstance(consent, ConsentDialog), "consent is asked for straight away"
    consent.how_buttons[ConsentHow.SIGNED_ON_SCREEN].setChecked(True)
    pad = consent.signature_pad
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))
    for x in range(25, 160, 8):
        qtbot.mouseMove(pad, QPoint(x, 30 + (x % 24)))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(160, 40))
    for item, box in consent.item_boxes.items():
        box.setChecked(item in (ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM))
    consent.ok_button.click()
    assert window.vault is not None
    heron = window.stories.storyteller.storyteller_uuid
    assert heron is not None
    recorded = ConsentService(window.vault).current(heron)
    assert recorded is not None and recorded.how is ConsentHow.SIGNED_ON_SCREEN
    assert recorded.signature is not None and recorded.signature.startswith(b"\x89PNG")
    assert "Consent recorded" in str(
        window.stories.sidebar.model.index(window.stories.sidebar.model.row_of(heron)).data()
    )

    window.start_visit_action.trigger()
    visit = window.current_dialog
    assert isinstance(visit, VisitDialog)
    visit.ok_button.click()
    (started,) = VisitService(window.vault).list(heron)
    assert "Visit with Heron in progress" in window.statusBar().currentMessage()
    assert not window.start_visit_action.isEnabled()

    # What is made during the visit links to it.
    quote = StoryWordsService(window.vault).add_quote(
        heron, "Herons wait.", author=window.author(), visit_uuid=window._current_visit()
    )
    assert quote.visit_uuid == started.uuid

    # Starting the visit is a record of what happened, not an undoable step.
    assert "Start visit" not in window.undo_action.text()
    window.undo_action.trigger()
    assert [v.uuid for v in VisitService(window.vault).list(heron)] == [started.uuid]
    assert window.end_visit_action.isEnabled()


def test_search_finds_words_and_goes_to_them(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.search_ready)
    assert window.stories is not None
    sidebar = window.stories.sidebar
    qtbot.keyClicks(sidebar.search, "kitchen")
    assert sidebar.results.isVisible() and not sidebar.people.isVisible()
    assert sidebar.results.count() == 1
    assert "kitchen" in sidebar.results.item(0).text()
    sidebar.results.itemClicked.emit(sidebar.results.item(0))
    page = window.stories.storyteller
    assert page.current_tool() is page.story
    sidebar.search.clear()
    assert sidebar.people.isVisible()


def test_withdrawal_asks_twice_then_erases(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    juniper = _juniper(window)
    window.withdraw_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, WithdrawalDialog)
    dialog.go_to_confirmation()
    dialog.reject()
    assert window.vault is not None
    assert juniper in {p.uuid for p in StorytellerService(window.vault).list()}

    window.withdraw_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, WithdrawalDialog)
    dialog.go_to_confirmation()
    dialog.confirm_name.setText("Juniper")
    dialog.accept()
    assert juniper not in {p.uuid for p in StorytellerService(window.vault).list()}
    assert "erased" in window.statusBar().currentMessage()
    assert window.search_index is not None and window.search_index.search("kitchen") == []


def test_one_damaged_storyteller_hides_only_themselves_in_the_window(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    """Rowan's sealed pseudonym altered in the file: the window used to refuse to show anyone."""
    import sqlite3

    connection = sqlite3.connect(filled_vault / "vault.sqlite")
    with connection:
        rows = connection.execute("SELECT uuid, pseudonym FROM storytellers").fetchall()
        # Rowan is the one without a consent record
        (juniper,) = {u for (u,) in connection.execute("SELECT storyteller_uuid FROM visits")}
        ((rowan, sealed),) = [(u, p) for u, p in rows if u != juniper]
        changed = bytes([sealed[0] ^ 1]) + bytes(sealed[1:])
        connection.execute("UPDATE storytellers SET pseudonym = ? WHERE uuid = ?", (changed, rowan))
    connection.close()

    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None
    model = window.stories.sidebar.model
    shown = [str(model.index(r).data(model.UuidRole)) for r in range(model.rowCount())]
    assert shown == [juniper]
    assert "1 storyteller could not be read" in window.statusBar().currentMessage()
    assert window.stories.storyteller.storyteller_uuid == juniper


def test_a_moment_altered_in_the_file_hides_only_itself_in_the_window(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    """One of Juniper's moments credited to her in the file (its author column changed): the
    window used to show none of her moments, and her overview failed."""
    import sqlite3

    connection = sqlite3.connect(filled_vault / "vault.sqlite")
    with connection:
        ((altered,),) = connection.execute(
            "SELECT uuid FROM timeline_events WHERE author != 'storyteller' ORDER BY uuid LIMIT 1"
        ).fetchall()
        connection.execute(
            "UPDATE timeline_events SET author = 'storyteller' WHERE uuid = ?", (altered,)
        )
        total = connection.execute("SELECT count(*) FROM timeline_events").fetchone()[0]
    connection.close()

    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None
    juniper = _juniper(window)
    assert window.stories.storyteller.storyteller_uuid == juniper
    timeline = window.stories.storyteller.timeline
    shown = {event.uuid for event in timeline.events()}
    assert altered not in shown and len(shown) == total - 1
    assert "1 moment could not be read" in timeline.problem.text()
    assert not timeline.problem.isHidden()
    overview = window.stories.storyteller.overview.toPlainText()
    assert "1 item could not be read" in overview
    assert f"{total - 1} moment{'' if total == 2 else 's'} on the timeline" in overview
    assert "1 quote · 1 note" in overview  # not "1 quotes"


# --- locking ---------------------------------------------------------------------------------


def _lock_action(window: MainWindow) -> QAction:
    return window.lock_action


@pytest.mark.parametrize("how", ["action", "idle"])
def test_locking_clears_every_widget_and_unlocking_returns_to_the_same_place(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings, how: str
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None
    page = window.stories.storyteller
    page.tabs.setCurrentIndex(3)  # Story
    shown = "\n".join(_texts_in(window))
    assert "kitchen" in shown and "Juniper" in shown

    if how == "action":
        _lock_action(window).trigger()
    else:
        window.idle.set_minutes(0.001)
        window.idle.start()
        qtbot.waitUntil(lambda: window.vault is None, timeout=5000)

    assert window.vault is None and window.stories is None
    assert window.pages.currentWidget() is window.unlock_page
    assert_nothing_personal_shown(window)
    assert window.undo_group.activeStack() is None or window.undo_group.activeStack().count() == 0
    again = VaultSession.unlock(filled_vault, PASSPHRASE)  # the keys and the lock were let go
    again.lock()

    window.idle.set_minutes(app_settings.auto_lock_minutes)
    unlock(qtbot, window)
    assert window.stories is not None
    page = window.stories.storyteller
    assert page.name.text() == "Juniper"
    assert page.current_tool() is page.story


def test_locking_closes_an_open_dialog(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    window.consent_action.trigger()
    dialog = window.current_dialog
    assert dialog is not None and dialog.isVisible()
    window.lock()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert_nothing_personal_shown(window)


def test_closing_the_window_locks_the_vault(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    window.close()
    assert window.vault is None
    VaultSession.unlock(filled_vault, PASSPHRASE).lock()


def test_settings_keep_the_window_geometry_and_nothing_personal(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    window.close()
    assert app_settings.window_geometry
    stored = Path(app_settings.qsettings.fileName()).read_bytes()
    for marker in PERSONAL:
        assert marker.encode() not in stored


def test_the_timeline_in_the_window_adds_moves_and_undoes_through_the_edit_menu(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest

    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None and window.vault is not None
    juniper = _juniper(window)
    page = window.stories.storyteller
    page.tabs.setCurrentIndex(1)
    tool = page.timeline
    window.lifeline_action.trigger()
    tool.view.fit_all()
    timeline = TimelineService(window.vault)
    before = {e.uuid for e in timeline.events(juniper)}

    # Double-click on empty space: a new moment at that time and feeling.
    layout = tool.scene.layout
    x = layout.scale.x_of_day(datetime.date(2020, 7, 1).toordinal())
    y = layout.bands.line_of_valence(1) + 3
    viewport = tool.view.viewport()
    point = tool.view.mapFromScene(QPointF(x, y))
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    (added,) = [e for e in timeline.events(juniper) if e.uuid not in before]
    assert added.valence == 1 and added.starts.year == 2020
    assert added.meta.author.name == "Priya"
    tool.close_editor()

    # Drag it a few years later and up: one step, named in the Edit menu.
    anchor = tool.scene.layout.anchor_of(added.uuid)
    assert anchor is not None
    start = tool.view.mapFromScene(QPointF(*anchor))
    years = 3 * 365.2425 * tool.scene.scale.px_per_day
    lift = layout.bands.line_of_valence(3) - layout.bands.line_of_valence(1)
    end = start + QPoint(round(years), round(lift))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + (end - start) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    moved = timeline.get_event(added.uuid)
    assert (moved.starts.year, moved.valence) == (2023, 3)
    assert window.undo_action.text().startswith("Undo Move")
    window.undo_action.trigger()
    back = timeline.get_event(added.uuid)
    assert (back.starts.year, back.valence) == (2020, 1)

    # Lanes, then keyboard: choose it and delete it; undo brings it back.
    window.lanes_action.trigger()
    assert tool.layout_mode() == "lanes"
    tool.select_event(added.uuid)
    tool.view.setFocus()
    QTest.keyClick(tool.view, Qt.Key.Key_Delete)
    assert added.uuid not in {e.uuid for e in timeline.events(juniper)}
    window.undo_action.trigger()
    assert added.uuid in {e.uuid for e in timeline.events(juniper)}


def test_a_facilitators_edit_keeps_the_storytellers_words_in_the_history(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    from storycapture.domain.authorship import Author
    from storycapture.gui.history import ItemHistoryDialog

    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    person = StorytellerService(vault).add("Juniper", author=FACILITATOR)
    ConsentService(vault).record(
        person.uuid,
        items=[ConsentItem.TAKE_PART],
        how="verbal",
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    words = StoryWordsService(vault)
    mine = words.add_quote(person.uuid, "I grew the tomatoes myself.", author=Author.storyteller())
    words.update_quote(mine.uuid, author=FACILITATOR, text="I grew tomatoes.")
    vault.lock()

    window = make_window(qtbot, data_dir, app_settings)
    unlock(qtbot, window)
    window.show_history("quote", mine.uuid)
    dialog = window.current_dialog
    assert isinstance(dialog, ItemHistoryDialog)
    shown = dialog.view.toPlainText()
    assert "I grew the tomatoes myself." in shown and "the storyteller" in shown
    assert "I grew tomatoes." in shown and "Priya" in shown
    assert shown.index("myself") < shown.index("I grew tomatoes.")


def test_whose_words_filters_the_timeline_and_the_story(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    from storycapture.domain.authorship import Author

    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    person = StorytellerService(vault).add("Juniper", author=FACILITATOR, birth_year=1980)
    ConsentService(vault).record(
        person.uuid,
        items=[ConsentItem.TAKE_PART],
        how="verbal",
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    timeline = TimelineService(vault)
    timeline.add_event(person.uuid, title="Own moment", starts="2010", author=Author.storyteller())
    timeline.add_event(person.uuid, title="Noted by Priya", starts="2012", author=FACILITATOR)
    words = StoryWordsService(vault)
    words.add_quote(person.uuid, "My own words.", author=Author.storyteller())
    words.add_note(person.uuid, "Priya's note.", author=FACILITATOR)
    vault.lock()

    window = make_window(qtbot, data_dir, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None
    page = window.stories.storyteller

    def story() -> str:
        return "\n".join(page.story.list.item(i).text() for i in range(page.story.list.count()))

    window.author_filter_actions["storyteller"].trigger()
    assert page.timeline.list_model.rowCount() == 1
    assert "My own words." in story() and "Priya's note." not in story()
    window.author_filter_actions["facilitator"].trigger()
    assert page.timeline.list_model.rowCount() == 1
    assert "Priya's note." in story() and "My own words." not in story()
    window.author_filter_actions["all"].trigger()
    assert page.timeline.list_model.rowCount() == 2


def test_the_strengths_board_is_made_when_first_shown_with_the_storyteller_and_filter(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    """Unlock shows the overview without making the board; the first look at the Strengths
    tab makes it, showing the storyteller chosen meanwhile, whose words were chosen too."""
    from storycapture.domain.authorship import Author
    from storycapture.strengths.service import StrengthService

    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    juniper, rowan = (add_consenting_storyteller(vault, name) for name in ("Juniper", "Rowan"))
    cards = StrengthService(vault)
    cards.add_card(juniper, kind=CardKind.STRENGTH, text="Kind to strangers", author=FACILITATOR)
    cards.add_card(juniper, kind=CardKind.HOPE, text="A garden", author=Author.storyteller())
    cards.add_card(rowan, kind=CardKind.STRENGTH, text="Rowan's card", author=FACILITATOR)
    vault.lock()

    window = make_window(qtbot, data_dir, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None
    page = window.stories.storyteller
    assert page._strengths is None  # not made at unlock
    window.stories.sidebar.select(juniper)
    window.author_filter_actions["storyteller"].trigger()
    assert page._strengths is None
    page.tabs.setCurrentIndex(2)  # Strengths
    board = page._strengths
    assert board is not None and board.isVisible()
    assert page.current_tool() is board

    def shown() -> int:
        return sum(view.model().rowCount() for view in board.views.values())

    assert board.author_filter_mode().value == "storyteller"
    assert sorted(card.text for card in board._cards.values()) == ["A garden", "Kind to strangers"]
    assert shown() == 1  # only their own words
    window.author_filter_actions["all"].trigger()
    assert shown() == 2
    window.stories.sidebar.select(rowan)
    assert sorted(card.text for card in board._cards.values()) == ["Rowan's card"]


def _unnamed_controls(root: QWidget) -> list[str]:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QScrollBar,
    )

    unnamed = []
    controls = (
        QAbstractButton,
        QLineEdit,
        QComboBox,
        QAbstractItemView,
        QAbstractSlider,
        QAbstractSpinBox,
        QTextEdit,
        QPlainTextEdit,
    )
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, controls) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QScrollBar):  # read by screen readers from their area
            continue
        if widget.parent() is not None and type(widget.parent()).__name__ in (
            "QScrollBar",
            "QComboBoxPrivateContainer",
        ):
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return unnamed


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    assert _unnamed_controls(window) == []
    unlock(qtbot, window)
    assert window.stories is not None
    page = window.stories.storyteller
    for tab in range(page.tabs.count()):
        page.tabs.setCurrentIndex(tab)
        assert _unnamed_controls(window) == [], page.tabs.tabText(tab)


def test_storyteller_mode_writes_as_the_storyteller_and_needs_the_facilitator_to_leave(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    from storycapture.gui.storyteller_mode import EnterStorytellerModePanel, StorytellerMode
    from storycapture.strengths.service import StrengthService

    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    juniper = _juniper(window)
    window.storyteller_mode_action.trigger()
    panel = window.pages.currentWidget()
    assert isinstance(panel, EnterStorytellerModePanel)
    panel.pin.setText("2468")
    panel.pin_again.setText("2468")
    panel.submit()
    mode = window.mode
    assert isinstance(mode, StorytellerMode) and window.pages.currentWidget() is mode
    assert window.isFullScreen() and not window.menuBar().isVisible()
    assert not window.new_storyteller_action.isEnabled()
    assert not window.stories.sidebar.isVisibleTo(window)  # type: ignore[union-attr]
    assert "Rowan" not in "\n".join(_texts_in(mode)), "no one else is reachable from the mode"

    # What is made in the mode is the storyteller's own: with "Add a moment" on the timeline
    # (in the mode a double tap on the picture adds nothing)…
    from PySide6.QtTest import QTest

    timeline, strengths, _story = window._mode_pages
    window.showNormal()
    window.resize(1366, 768)
    timeline.view.fit_all()
    assert window.vault is not None
    before = {e.uuid for e in TimelineService(window.vault).events(juniper)}
    QTest.mouseClick(timeline.add_button, Qt.MouseButton.LeftButton)
    (made,) = [e for e in TimelineService(window.vault).events(juniper) if e.uuid not in before]
    assert made.meta.author.is_storyteller and made.valence is None
    # …and a card: both private from the start (nothing they add leaves the laptop unless
    # they choose it).
    assert made.visibility is Visibility.PRIVATE
    card_uuid = strengths.add_card(CardKind.HOPE, "A garden of my own")
    assert card_uuid is not None
    (card,) = [c for c in StrengthService(window.vault).cards(juniper) if c.uuid == card_uuid]
    assert card.meta.author.is_storyteller and card.visibility is Visibility.PRIVATE

    # Leaving: refused without the PIN or passphrase, allowed with the PIN.
    mode.request_leave()
    assert not mode.try_pin("1111")
    assert window.mode is mode
    assert mode.try_pin("2468")
    assert window.mode is None
    assert window.menuBar().isVisible() and not window.isFullScreen()
    assert window.pages.currentWidget() is window.stories


def test_locking_in_storyteller_mode_returns_to_it_with_its_pin(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    from storycapture.gui.storyteller_mode import StorytellerMode

    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    panel.pin.setText("1357")  # type: ignore[attr-defined]
    panel.pin_again.setText("1357")  # type: ignore[attr-defined]
    panel.submit()  # type: ignore[attr-defined]
    assert window.mode is not None
    window.mode.set_current_page(2)
    window.lock()
    assert window.vault is None
    assert_nothing_personal_shown(window)
    unlock(qtbot, window)
    mode = window.mode
    assert isinstance(mode, StorytellerMode) and window.pages.currentWidget() is mode
    assert mode.current_page() == 2 and mode.pin_is_set()
    assert mode.try_pin("1357")
    assert window.mode is None


def _damage_an_unused_index(database: Path) -> None:
    """Break one page of an index nothing reads at unlock: SQLite's check of the whole file
    finds it, opening the vault does not."""
    import sqlite3

    connection = sqlite3.connect(database)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_sync_conflicts_pair'"
    ).fetchone()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with open(database, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\x00" * 8)  # no such kind of page


def test_the_file_is_checked_after_the_stories_are_shown_and_damage_locks_the_vault(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    """SQLite's check of the whole file (half a second for a large vault) used to run before
    the first screen. It now runs on a thread once the stories are up; damage it finds locks
    the vault with a plain sentence, and the next unlock checks first and refuses the file."""
    _damage_an_unused_index(filled_vault / "vault.sqlite")
    window = make_window(qtbot, filled_vault, app_settings)
    with qtbot.waitSignal(window.file_check.done, timeout=10_000):
        unlock(qtbot, window)
        assert window.stories is not None  # the stories came first
    assert window.vault is None
    assert window.pages.currentWidget() is window.unlock_page
    assert "found damage in this vault's file" in window.unlock_page.problem.text()

    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_vault(PASSPHRASE)
    assert window.vault is None
    assert "damaged and cannot be read" in window.unlock_page.problem.text()


def test_a_sound_file_is_checked_and_nothing_happens(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    with qtbot.waitSignal(window.file_check.done, timeout=10_000) as checked:
        unlock(qtbot, window)
    assert checked.args[1] is None
    assert window.vault is not None and window.stories is not None
