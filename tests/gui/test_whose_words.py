"""Whose words: what the storyteller said is theirs whoever types it, and private is their
choice, shown in words on every item."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author, AuthorFilter, WhoseWords
from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem, Visibility
from storycapture.gui.consent import ConsentDialog
from storycapture.gui.settings import AppSettings
from storycapture.gui.story_words import AddWordsDialog, StoryWordsPanel
from storycapture.gui.visit import VisitDialog
from storycapture.gui.window import MainWindow
from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from storycapture.timeline.qt.event_list import DETAIL_ROLE
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR
from tests.conftest import PASSPHRASE as PASSPHRASE_FOR_TESTS
from tests.gui.test_tool_contrast import card_fill_drawn, contrast
from tests.gui.test_window import _juniper, filled_vault, make_window, unlock

__all__ = ["filled_vault"]  # the fixture, used by name

STORYTELLER = Author.storyteller()


def _open_juniper(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> MainWindow:
    window = make_window(qtbot, data_dir, settings)
    unlock(qtbot, window)
    assert window.stories is not None
    window.stories.sidebar.select(_juniper(window))
    return window


def _start_visit(window: MainWindow) -> None:
    window.start_visit_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, VisitDialog)
    dialog.ok_button.click()
    assert window._current_visit() is not None


def _add_through_dialog(
    panel: StoryWordsPanel, quote: bool, text: str, whose: WhoseWords | None = None
) -> AddWordsDialog:
    dialog = panel.open_words_dialog(quote)
    assert dialog is not None and dialog.isVisible()
    dialog.text.setPlainText(text)
    if whose is not None:
        dialog.whose.buttons[whose.value].click()
    dialog.ok_button.click()
    return dialog


def _rows(panel: StoryWordsPanel) -> str:
    return "\n".join(panel.list.item(i).text() for i in range(panel.list.count()))


def test_a_quote_they_said_and_the_facilitator_typed_during_a_visit_is_theirs(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = _open_juniper(qtbot, filled_vault, app_settings)
    _start_visit(window)
    assert window.stories is not None and window.vault is not None
    page = window.stories.storyteller
    page.show_tool(page.story)

    dialog = page.story.open_words_dialog(quote=True)
    assert dialog is not None
    assert dialog.whose.value() is WhoseWords.THEIRS, "during a visit a quote starts as theirs"
    assert dialog.whose.buttons["theirs"].isVisible() and dialog.whose.buttons["mine"].isVisible()
    texts = [w.text() for w in dialog.findChildren(type(dialog.whose.caption))]
    assert "What they said, in their words:" in texts and "Add a quote" in texts
    dialog.reject()

    _add_through_dialog(page.story, True, "The sea helps.")
    (quote,) = [
        q
        for q in StoryWordsService(window.vault).quotes(_juniper(window))
        if q.text == "The sea helps."
    ]
    assert quote.meta.author == STORYTELLER
    assert quote.visit_uuid == window._current_visit()
    assert "Their words" in _rows(page.story)

    window.author_filter_actions[AuthorFilter.STORYTELLER].trigger()
    assert "The sea helps." in _rows(page.story)
    assert "more than the hard years" not in _rows(page.story)  # Priya's, before the visit
    window.author_filter_actions[AuthorFilter.FACILITATOR].trigger()
    assert "The sea helps." not in _rows(page.story)


def test_a_facilitators_note_stays_theirs(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = _open_juniper(qtbot, filled_vault, app_settings)
    _start_visit(window)
    assert window.stories is not None and window.vault is not None
    page = window.stories.storyteller
    dialog = _add_through_dialog(page.story, False, "Bring the photo album next time.")
    assert dialog.whose.value() is WhoseWords.MINE, "a note starts as the facilitator's"
    (note,) = [
        n
        for n in StoryWordsService(window.vault).notes(_juniper(window))
        if n.text.startswith("Bring")
    ]
    assert note.meta.author == Author.facilitator("Priya")
    assert "Note by Priya" in _rows(page.story)

    # And a quote the facilitator says are their own words is theirs too.
    _add_through_dialog(page.story, True, "My own summary.", WhoseWords.MINE)
    (mine,) = [
        q
        for q in StoryWordsService(window.vault).quotes(_juniper(window))
        if q.text == "My own summary."
    ]
    assert mine.meta.author == Author.facilitator("Priya")


def test_a_card_picked_from_the_deck_during_a_visit_is_theirs(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = _open_juniper(qtbot, filled_vault, app_settings)
    assert window.stories is not None and window.vault is not None
    board = window.stories.storyteller.strengths
    prompt = PromptDeck.load().cards()[0]
    before_visit = board.add_from_prompt(prompt.id)
    _start_visit(window)
    during_visit = board.add_from_prompt(prompt.id)
    cards = {c.uuid: c for c in StrengthService(window.vault).cards(_juniper(window))}
    assert before_visit is not None and during_visit is not None
    assert cards[during_visit].meta.author == STORYTELLER
    assert cards[before_visit].meta.author == Author.facilitator("Priya")


def test_the_default_chosen_at_consent_applies_to_every_kind_of_add(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, filled_vault, app_settings)
    unlock(qtbot, window)
    assert window.stories is not None and window.vault is not None
    (rowan,) = [p for p in StorytellerService(window.vault).list() if p.pseudonym == "Rowan"]
    window.stories.sidebar.select(rowan.uuid)
    window.record_consent()
    consent = window.current_dialog
    assert isinstance(consent, ConsentDialog)
    # Private is where the choice starts; they can choose the team instead.
    assert consent.chosen_default_visibility() is Visibility.PRIVATE
    consent.how_buttons[ConsentHow.VERBAL].setChecked(True)
    for item, box in consent.item_boxes.items():
        box.setChecked(item in (ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM))
    consent.ok_button.click()
    assert not consent.problem.isVisibleTo(consent), consent.problem.text()
    assert StorytellerService(window.vault).get(rowan.uuid).default_visibility is (
        Visibility.PRIVATE
    )

    page = window.stories.storyteller
    assert "private to this laptop, as they chose" in page.default_visibility.text()
    assert page.default_buttons[Visibility.PRIVATE].isChecked()
    page.show_tool(page.timeline)
    page.timeline.add_in_view()
    page.strengths.add_card(CardKind.STRENGTH, "Patient with my nan")
    page.story.add_words(True, "I like the quiet.", WhoseWords.THEIRS)
    page.story.add_words(False, "Rowan chose the bench.", WhoseWords.MINE)
    words = StoryWordsService(window.vault)
    made = [
        *TimelineService(window.vault).events(rowan.uuid),
        *StrengthService(window.vault).cards(rowan.uuid),
        *words.quotes(rowan.uuid),
        *words.notes(rowan.uuid),
    ]
    assert len(made) == 4
    assert {item.visibility for item in made} == {Visibility.PRIVATE}

    # Changed later, on their overview: what comes next follows.
    page.default_buttons[Visibility.TEAM].click()
    assert StorytellerService(window.vault).get(rowan.uuid).default_visibility is Visibility.TEAM
    card = page.strengths.add_card(CardKind.HOPE, "A dog one day")
    (hope,) = [c for c in StrengthService(window.vault).cards(rowan.uuid) if c.uuid == card]
    assert hope.visibility is Visibility.TEAM


def _tools(
    qtbot: QtBot, vault: VaultSession, storyteller: str, context: EditingContext
) -> tuple[TimelineTool, StrengthsTool, StoryWordsPanel]:
    timeline = TimelineTool(TimelineService(vault), PhotoService(vault), context)
    board = StrengthsTool(StrengthService(vault), context, PromptDeck.load())
    words = StoryWordsPanel(StoryWordsService(vault), context)
    for tool in (timeline, board, words):
        qtbot.addWidget(tool)
        tool.resize(1366, 768)
        tool.show()
        qtbot.waitExposed(tool)
    timeline.show_storyteller(storyteller, 1980)
    board.show_storyteller(storyteller)
    words.show_storyteller(storyteller)
    return timeline, board, words


def test_what_they_add_in_storyteller_mode_is_private_unless_they_choose(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    # They chose "for the programme team" at consent; in their own mode it still starts private.
    StorytellerService(vault).update(
        storyteller_uuid, author=STORYTELLER, default_visibility="team"
    )
    context = EditingContext(
        QUndoStack(),
        Author.storyteller,
        lambda: None,
        lambda uuid: StorytellerService(vault).get(uuid).default_visibility,
    )
    timeline, board, words = _tools(qtbot, vault, storyteller_uuid, context)
    timeline.add_in_view()
    board.add_card(CardKind.STRENGTH, "I keep going")
    board.add_card(CardKind.HOPE, "Walk the coast path", visibility=Visibility.TEAM)
    dialog = words.open_words_dialog(quote=True)
    assert dialog is not None
    assert dialog.whose.yours.isVisible() and not dialog.whose.buttons["mine"].isVisible()
    assert dialog.visibility.value() is Visibility.PRIVATE
    texts = [w.text() for w in dialog.findChildren(type(dialog.whose.caption))]
    assert "In their own words:" not in texts
    assert "Your words, just as you want them kept:" in texts
    dialog.text.setPlainText("The sea helps.")
    dialog.ok_button.click()

    (event,) = TimelineService(vault).events(storyteller_uuid)
    cards = {c.text: c for c in StrengthService(vault).cards(storyteller_uuid)}
    (quote,) = StoryWordsService(vault).quotes(storyteller_uuid)
    assert event.visibility is Visibility.PRIVATE
    assert cards["I keep going"].visibility is Visibility.PRIVATE
    assert cards["Walk the coast path"].visibility is Visibility.TEAM  # they chose it
    assert quote.visibility is Visibility.PRIVATE
    assert {event.meta.author, quote.meta.author, cards["I keep going"].meta.author} == {
        STORYTELLER
    }
    assert "Your words" in _rows(words)


def test_changing_whose_words_on_an_item_is_an_undoable_step(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    stack = QUndoStack()
    context = EditingContext(stack, lambda: FACILITATOR, lambda: None)
    _timeline, _board, words = _tools(qtbot, vault, storyteller_uuid, context)
    words.add_words(True, "The sea helps.", WhoseWords.MINE)
    (quote,) = StoryWordsService(vault).quotes(storyteller_uuid)
    assert quote.meta.author == FACILITATOR
    words.set_whose_words(quote.uuid, WhoseWords.THEIRS)
    assert StoryWordsService(vault).quotes(storyteller_uuid)[0].meta.author == STORYTELLER
    assert "Their words" in _rows(words)
    assert stack.undoText() == "Mark as their words"
    stack.undo()
    assert StoryWordsService(vault).quotes(storyteller_uuid)[0].meta.author == FACILITATOR
    assert "Note by Priya" in _rows(words)


@pytest.mark.parametrize("visibility", list(Visibility))
def test_every_item_says_who_may_see_it_in_words_that_read(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str, visibility: Visibility
) -> None:
    TimelineService(vault).add_event(
        storyteller_uuid, title="Moved", starts="2015", visibility=visibility, author=FACILITATOR
    )
    StrengthService(vault).add_card(
        storyteller_uuid,
        kind=CardKind.STRENGTH,
        text="Kind",
        visibility=visibility,
        author=FACILITATOR,
    )
    StoryWordsService(vault).add_quote(
        storyteller_uuid, "The sea helps.", visibility=visibility, author=FACILITATOR
    )
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    timeline, board, words = _tools(qtbot, vault, storyteller_uuid, context)
    word = {
        Visibility.PRIVATE: "Private",
        Visibility.TEAM: "Team",
        Visibility.SHAREABLE: "Shareable",
    }[visibility]
    # The moment list, the story rows: in words.
    detail = str(timeline.list_model.index(0, 0).data(DETAIL_ROLE))
    assert detail.endswith(f"· {word}")
    assert word in _rows(words)
    # The card: in words, in the card's ink, on the card's own fill (read off the screen).
    look = board.look
    fill = card_fill_drawn(board, CardKind.STRENGTH)
    assert contrast(look.ink, fill) >= 3.0, (look.ink, fill.name())
    view = board.zone_view(CardKind.STRENGTH)
    rect = view.visualRect(view.zone_model.index(0, 0))
    image = view.viewport().grab().toImage()
    inked = sum(
        1
        for x in range(rect.right() - 80, rect.right() - 4)
        for y in range(rect.bottom() - 30, rect.bottom() - 4)
        if contrast(image.pixelColor(QPoint(x, y)), fill) >= 3.0
    )
    assert inked > 20, "the card's corner says who may see it"
    # The picture's padlock for private moments reads against the moment's card.
    colours = timeline.colours
    assert contrast(colours.soft_ink, colours.card) >= 3.0


def test_the_moment_panel_and_the_card_editor_ask_whose_words_they_are(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    event = TimelineService(vault).add_event(
        storyteller_uuid, title="Moved to Leeds", starts="2015", author=FACILITATOR
    )
    card = StrengthService(vault).add_card(
        storyteller_uuid, kind=CardKind.STRENGTH, text="I keep going", author=FACILITATOR
    )
    stack = QUndoStack()
    context = EditingContext(stack, lambda: FACILITATOR, lambda: None)
    timeline, board, _words = _tools(qtbot, vault, storyteller_uuid, context)

    timeline.open_editor(event.uuid)
    panel = timeline.panel
    assert panel.whose.isVisible() and panel.whose.value() is WhoseWords.MINE
    assert panel.written_by.text() == "Note by Priya"
    panel.whose.buttons["theirs"].click()
    assert TimelineService(vault).events(storyteller_uuid)[0].meta.author == STORYTELLER
    assert panel.written_by.text() == "Their words"
    stack.undo()
    assert TimelineService(vault).events(storyteller_uuid)[0].meta.author == FACILITATOR

    board.choose_card(card.uuid)
    editor = board.editor
    assert editor.whose.isVisible() and editor.whose.value() is WhoseWords.MINE
    editor.whose.buttons["theirs"].click()
    assert StrengthService(vault).cards(storyteller_uuid)[0].meta.author == STORYTELLER
    assert stack.undoText().startswith("Mark “I keep going” as their words")

    # A card written in their own words during storyteller mode: "Your words", nothing to choose.
    mode = EditingContext(QUndoStack(), Author.storyteller, lambda: None)
    _t, their_board, _w = _tools(qtbot, vault, storyteller_uuid, mode)
    their_board.write_own(CardKind.HOPE)
    assert not their_board.editor.whose.isVisible()
    their_board.editor.words.setPlainText("See the sea")
    their_board.editor.commit_pending()
    hope = [c for c in StrengthService(vault).cards(storyteller_uuid) if c.text == "See the sea"]
    assert hope[0].meta.author == STORYTELLER and hope[0].visibility is Visibility.PRIVATE


def test_in_storyteller_mode_the_moment_panel_shows_its_choices_whole_at_1366x768(
    qtbot: QtBot, filled_vault: Path, app_settings: AppSettings
) -> None:
    from storycapture.gui.storyteller_mode import EnterStorytellerModePanel, StorytellerMode

    window = _open_juniper(qtbot, filled_vault, app_settings)
    window.enter_storyteller_mode()
    enter = window.pages.currentWidget()
    assert isinstance(enter, EnterStorytellerModePanel)
    enter.submit()
    mode = window.mode
    assert isinstance(mode, StorytellerMode)
    window.showNormal()
    window.resize(1366, 768)
    mode.set_current_page(0)
    timeline = mode.page_stack.currentWidget()
    assert isinstance(timeline, TimelineTool)
    qtbot.waitUntil(lambda: timeline.view.viewport().height() > 1)
    assert window.vault is not None
    (moment, *_rest) = TimelineService(window.vault).events(_juniper(window))
    timeline.open_editor(moment.uuid)
    panel = timeline.panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.width() > 0)
    # An item someone else wrote says so; there is nothing to choose in their own mode.
    assert panel.written_by.text() == "Note by Priya" and not panel.whose.isVisible()
    # Every choice is whole inside the panel's width (none cut off on the right).
    width = panel.width()
    assert window.width() == 1366, "the mode fits the laptop's screen"
    seen = set()
    for part in panel.parts():  # the moment is shown one part at a time in the mode
        panel.show_part(part)
        qtbot.waitUntil(lambda: panel.width() >= panel.minimumWidth())
        width = panel.width()
        controls = [*panel.visibility.buttons.values(), panel.written_by]
        controls += [b for b in panel.findChildren(QAbstractButton) if b.isVisible()]
        for widget in controls:
            if not widget.isVisible():
                continue
            seen.add(widget.accessibleName())
            right = widget.mapTo(panel, QPoint(widget.width(), 0)).x()
            assert right <= width, (part, widget.accessibleName(), right, width)
            assert widget.width() >= widget.minimumSizeHint().width(), widget.accessibleName()
    assert {"Who may see it: Private", "Who may see it: Shareable"} <= seen
    qtbot.waitUntil(lambda: timeline.splitter.sizes()[2] >= panel.minimumWidth())
    assert mode.try_passphrase(PASSPHRASE_FOR_TESTS)
