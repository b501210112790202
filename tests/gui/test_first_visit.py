"""A first visit, driven through the real window from first run to the storyteller's copy.

The facilitator sets the laptop up, meets a new storyteller, records their consent (with their
choice of what new things are), starts a visit and gathers three moments (two dated in their
own words, one with no date), a quote they said, a card they picked and a photo; then hands the
laptop over. The storyteller adds a moment and a card of their own; the laptop locks itself while
they are away; the facilitator unlocks, takes the laptop back with the passphrase, ends the visit
and gives them a copy. Then everything is checked through the services: whose words each item
holds, who may see it, that nothing was invented, that the photo is encrypted on disk, and that
nothing private would go into a bundle.

Set STORYCAPTURE_VISIT_SHOTS to a folder to keep a picture of the window at every step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author, WhoseWords
from storycapture.domain.fuzzydate import DateKind
from storycapture.domain.vocabulary import ConsentHow, ConsentItem, Visibility
from storycapture.gui.consent import ConsentDialog
from storycapture.gui.give_back import GiveBackDialog
from storycapture.gui.settings import AppSettings
from storycapture.gui.storyteller_dialog import NewStorytellerDialog
from storycapture.gui.storyteller_mode import EnterStorytellerModePanel, StorytellerMode
from storycapture.gui.visit import VisitDialog, VisitRecapDialog
from storycapture.gui.window import MainWindow
from storycapture.qtkit.photos import AddPhotoDialog
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.visits import VisitService
from storycapture.strengths.service import StrengthService
from storycapture.sync.exporting import plan_export
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService

PASSPHRASE = "a calm first passphrase"
MARKER = "PLAINTEXT-MARKER-heron-photo-7E2A"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PRIYA = Author.facilitator("Priya")
THEIRS = Author.storyteller()


class Shots:
    """Pictures of the window at each step (kept when STORYCAPTURE_VISIT_SHOTS names a folder)."""

    def __init__(self, folder: Path) -> None:
        chosen = os.environ.get("STORYCAPTURE_VISIT_SHOTS")
        self.folder = Path(chosen) if chosen else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, widget: QWidget, name: str) -> None:
        QApplication.processEvents()
        self.count += 1
        target = self.folder / f"{self.count:02d}-{name}.png"
        assert widget.grab().save(str(target)), f"could not save {target}"


def _make_photo(path: Path) -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#7aa35a"))
    image.setText("Comment", MARKER)
    assert image.save(str(path), "PNG")
    return path


def _type_moment(qtbot: QtBot, tool: TimelineTool, title: str, when: str | None) -> str:
    """Add a moment with the tool's own button, then type its title and (maybe) its date."""
    before = set(tool._events)
    QTest.mouseClick(tool.add_button, Qt.MouseButton.LeftButton)
    (made,) = [uuid for uuid in tool._events if uuid not in before]
    panel = tool.panel
    # (Offscreen, no window is active after a dialog closes: ask the window what has focus.)
    assert tool.window().focusWidget() is panel.title, "the new moment's title is ready to type"
    QTest.keyClicks(panel.title, title)
    QTest.keyClick(panel.title, Qt.Key.Key_Tab)
    if when is not None:
        panel.when.setFocus()
        QTest.keyClicks(panel.when, when)
        QTest.keyClick(panel.when, Qt.Key.Key_Return)
    return made


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, app_settings: AppSettings) -> MainWindow:
    window = MainWindow(data_dir, app_settings)
    qtbot.addWidget(window)  # closed, and so locked, at the end of the test
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window._built)
    return window


def test_a_first_visit_from_first_run_to_the_copy_they_keep(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shots = Shots(tmp_path / "shots")
    click = Qt.MouseButton.LeftButton

    # --- First run: welcome, how it is kept safe, auto-lock, a passphrase, the recovery key.
    assert window.pages.currentWidget() is window.welcome_page
    shots.take(window, "welcome")
    qtbot.mouseClick(window.welcome_page.next, click)
    qtbot.mouseClick(window.protection_page.next, click)
    qtbot.mouseClick(window.auto_lock_page.next, click)
    create = window.create_page
    qtbot.keyClicks(create.first, PASSPHRASE)
    qtbot.keyClicks(create.second, PASSPHRASE)
    qtbot.keyClick(create.second, Qt.Key.Key_Return)
    shots.take(window, "recovery-key")
    qtbot.mouseClick(window.recovery_page.written, click)
    assert window.stories is not None and window.vault is not None

    # --- A new storyteller, with a warm dialog; consent is asked for straight away.
    window.new_storyteller_action.trigger()
    new = window.current_dialog
    assert isinstance(new, NewStorytellerDialog)
    assert new.birth_year.text() == "", "no year of birth until one is given"
    qtbot.keyClicks(new.pseudonym, "Heron")
    qtbot.keyClicks(new.birth_year, "1990")
    shots.take(new, "new-storyteller")
    new.ok_button.click()
    page = window.stories.storyteller
    heron = page.storyteller_uuid
    assert heron is not None and page.name.text() == "Heron"

    consent = window.current_dialog
    assert isinstance(consent, ConsentDialog)
    agreed = (ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM, ConsentItem.PHOTOS)
    for item, box in consent.item_boxes.items():
        box.setChecked(item in agreed)
    consent.how_buttons[ConsentHow.VERBAL].click()  # they said yes aloud
    # Their one choice: what new things are unless they say otherwise.
    consent.default_buttons[Visibility.TEAM].click()
    shots.take(consent, "consent")
    consent.ok_button.click()
    assert not consent.isVisible(), consent._footer.problem.text()
    vault = window.vault
    assert StorytellerService(vault).get(heron).default_visibility is Visibility.TEAM

    # --- The visit starts from the header, which then offers to end it.
    qtbot.mouseClick(page.visit_button, click)
    visit_dialog = window.current_dialog
    assert isinstance(visit_dialog, VisitDialog)
    visit_dialog.ok_button.click()
    (visit,) = VisitService(vault).list(heron)
    assert window._current_visit() == visit.uuid
    assert page.visit_button.text() == "End visit"
    assert window.undo_action.text() != "Undo Start visit", "a visit is a record, not a step"

    # --- Three moments: two dated in their own words, one with no date at all.
    page.show_tool(page.timeline)
    tool = page.timeline
    qtbot.waitUntil(lambda: tool.view.viewport().height() > 1)
    leeds = _type_moment(qtbot, tool, "Moved to Leeds", "spring 2015")
    tool.panel.feeling.choose(2)  # they said so: chosen as a person would
    tool.panel.whose.buttons[WhoseWords.THEIRS.value].click()  # and said it in these words
    fifteen = _type_moment(qtbot, tool, "First Saturday job", "when I was about 15")
    assert tool.panel.whose.value() is WhoseWords.MINE  # Priya's own note of it
    allotment = _type_moment(qtbot, tool, "The allotment", None)
    shots.take(window, "three-moments")

    # --- A quote they said, typed by the facilitator: theirs.
    page.show_tool(page.story)
    quote_dialog = page.story.open_words_dialog(quote=True)
    assert quote_dialog is not None
    assert quote_dialog.whose.value() is WhoseWords.THEIRS
    assert quote_dialog.visibility.value() is Visibility.TEAM, "their default, shown"
    quote_dialog.text.setPlainText("Digging clears my head.")
    shots.take(quote_dialog, "add-a-quote")
    quote_dialog.ok_button.click()

    # --- A card they picked from the deck.
    page.show_tool(page.strengths)
    board = page.strengths
    deck = board.deck_panel
    deck.list.setCurrentIndex(deck.model.index(0))
    picked_prompt = deck.model.index(0).data(Qt.ItemDataRole.DisplayRole)
    cards_before = {c.uuid for c in StrengthService(vault).cards(heron)}
    qtbot.mouseClick(deck.add_button, click)
    (picked,) = [c for c in StrengthService(vault).cards(heron) if c.uuid not in cards_before]
    shots.take(window, "card-from-the-deck")

    # --- A photo, through Storyteller → Add a photo… on the story.
    page.show_tool(page.story)
    photo_file = _make_photo(tmp_path / "allotment.png")

    def pick(*_args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        return [str(photo_file)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(pick))
    window.add_photo_action.trigger()
    strip = page.story.photos
    assert strip is not None
    photo_dialog = strip.dialog
    assert isinstance(photo_dialog, AddPhotoDialog)
    qtbot.keyClicks(photo_dialog.caption, "The beans in June")
    assert photo_dialog.chosen_visibility() is Visibility.TEAM, "their default, shown"
    assert photo_dialog.whose.value() is WhoseWords.THEIRS, "during a visit: theirs"
    shots.take(photo_dialog, "add-a-photo")
    photo_dialog.ok_button.click()
    (photo,) = PhotoService(vault).list(heron)

    # --- Storyteller mode, without a PIN: the passphrase will bring the laptop back.
    window.storyteller_mode_action.trigger()
    hand_over = window.pages.currentWidget()
    assert isinstance(hand_over, EnterStorytellerModePanel)
    hand_over.submit()
    mode = window.mode
    assert isinstance(mode, StorytellerMode)
    shots.take(window, "storyteller-mode")
    mode_timeline, mode_board, _mode_story = window._mode_pages
    assert isinstance(mode_timeline, TimelineTool)
    window.showNormal()  # offscreen, full screen would be as big as the virtual screen
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: mode_timeline.view.viewport().height() > 1)
    dog = _type_moment(qtbot, mode_timeline, "Walking Biscuit by the canal", "2021")
    shots.take(window, "storyteller-adds-a-moment")
    mode.set_current_page(1)
    their_card = mode_board.add_card(picked.kind, "I can make things grow", whose=WhoseWords.THEIRS)
    assert their_card is not None
    shots.take(window, "storyteller-adds-a-card")

    # --- The laptop locks itself while they make tea; nothing of the story stays on screen.
    window.idle.idle.emit()
    assert window.vault is None and window.pages.currentWidget() is window.unlock_page
    shots.take(window, "locked")
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    assert window.mode is mode and window.pages.currentWidget() is mode

    # --- The facilitator takes the laptop back with the passphrase.
    qtbot.mouseClick(mode.hand_back_button, click)
    assert mode.using_passphrase(), "no PIN was set: the passphrase is the way back"
    qtbot.keyClicks(mode.leave_panel.passphrase, PASSPHRASE)
    qtbot.keyClick(mode.leave_panel.passphrase, Qt.Key.Key_Return)
    assert window.mode is None and window.pages.currentWidget() is window.stories
    assert window.stories is not None and window.vault is not None
    vault = window.vault
    page = window.stories.storyteller
    assert page.storyteller_uuid == heron
    assert window._current_visit() == visit.uuid, "the visit went on through the lock"

    # --- End the visit: a short recap, and a copy for them to keep.
    qtbot.mouseClick(page.visit_button, click)
    recap = window.current_dialog
    assert isinstance(recap, VisitRecapDialog)
    shots.take(recap, "visit-recap")
    recap_words = recap.added.text() + "\n" + recap.private.text()
    assert "4 moments" in recap_words and "1 photo" in recap_words
    assert page.visit_button.text() == "Start visit"

    stick = tmp_path / "usb-stick"
    stick.mkdir()
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *_a: (str(stick / "Heron's story"), "")),
    )
    qtbot.mouseClick(recap.give_copy_button, click)
    give = window.current_dialog
    assert isinstance(give, GiveBackDialog)
    shots.take(give, "give-a-copy")
    with qtbot.waitSignal(give.accepted):
        qtbot.mouseClick(give.save_button, click)
    copy = stick / "Heron's story.pdf"
    pages = [p.extract_text() for p in pypdf.PdfReader(copy).pages]
    text = " ".join(" ".join(pages).split())
    assert "Moved to Leeds" in text and "Digging clears my head." in text
    assert "Walking Biscuit" not in text, "private to them unless they ask for it"
    shots.take(window, "after-the-visit")

    # --- Then, through the services: whose words, who may see it, nothing invented.
    events = {e.uuid: e for e in TimelineService(vault).events(heron)}
    assert events[leeds].meta.author == THEIRS  # typed by Priya, in their words
    assert events[leeds].starts is not None and events[leeds].starts.kind is DateKind.SEASON
    assert events[leeds].valence == 2
    assert events[fifteen].meta.author == PRIYA
    assert events[fifteen].starts is not None and events[fifteen].starts.kind is DateKind.AGE
    assert events[fifteen].valence is None, "no feeling was said"
    assert events[allotment].starts is None and events[allotment].valence is None
    assert events[dog].meta.author == THEIRS
    assert events[dog].visibility is Visibility.PRIVATE, "in their mode, private unless chosen"
    for uuid in (leeds, fifteen, allotment):
        assert events[uuid].visibility is Visibility.TEAM, "their default at consent"
        assert events[uuid].visit_uuid == visit.uuid

    (quote,) = StoryWordsService(vault).quotes(heron)
    assert quote.meta.author == THEIRS and quote.visibility is Visibility.TEAM
    cards = {c.uuid: c for c in StrengthService(vault).cards(heron)}
    assert cards[picked.uuid].meta.author == THEIRS, "picked with them: theirs"
    assert cards[picked.uuid].visibility is Visibility.TEAM
    assert cards[their_card].meta.author == THEIRS
    assert cards[their_card].visibility is Visibility.PRIVATE
    assert picked_prompt

    (kept,) = PhotoService(vault).list(heron)
    assert kept.uuid == photo.uuid and kept.caption == "The beans in June"
    assert kept.meta.author == THEIRS and kept.visibility is Visibility.TEAM
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PNG_SIGNATURE not in data and MARKER.encode() not in data, path

    # Nothing private would leave the laptop in a bundle.
    plan = plan_export(vault)
    going = {line["uuid"] for line in plan.operations}
    private = {dog, their_card}
    assert not going & private
    assert {leeds, fifteen, allotment, quote.uuid, picked.uuid, photo.uuid} <= going
