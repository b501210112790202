"""Storyteller mode's timeline is drawn large: its picture's words half as large again as the
facilitator's, and its buttons a finger's size."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.gui.settings import AppSettings
from storycapture.gui.storyteller_mode import EnterStorytellerModePanel, StorytellerMode
from storycapture.gui.window import MainWindow
from storycapture.services.consent import ConsentService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import LARGE, SIZES, Sizes
from storycapture.timeline.qt.tool import LARGE_TARGET_PX, TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf


def _vault_with_a_story(data_dir: Path) -> None:
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        person = StorytellerService(vault).add("Juniper", author=FACILITATOR, birth_year=1980)
        ConsentService(vault).record(
            person.uuid,
            items=list(ConsentItem),
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        timeline = TimelineService(vault)
        for title, starts, valence in (
            ("Moved to Leeds", "spring 2015", 2),
            ("Started at the bakery", "2018", 1),
            ("A hard winter", "winter 2020", -2),
        ):
            timeline.add_event(
                person.uuid, title=title, starts=starts, valence=valence, author=FACILITATOR
            )
    finally:
        vault.lock()


def test_the_modes_timeline_is_large(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    _vault_with_a_story(data_dir)
    window = MainWindow(data_dir, app_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._built)
    window.unlock_vault(PASSPHRASE)
    assert window.stories is not None
    facilitators = window.stories.storyteller.timeline
    assert isinstance(facilitators, TimelineTool) and not facilitators.is_large()

    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    assert isinstance(panel, EnterStorytellerModePanel)
    panel.submit()
    mode = window.mode
    assert isinstance(mode, StorytellerMode)
    window.showNormal()
    window.resize(1366, 768)
    mode.set_current_page(0)
    page = mode.page_stack.currentWidget()
    assert isinstance(page, TimelineTool)
    assert page.is_large()
    qtbot.waitUntil(lambda: page.view.viewport().height() > 1)

    kit, normal_kit = page.scene.kit, facilitators.scene.kit
    assert kit.sizes == Sizes(LARGE) and normal_kit.sizes is SIZES
    assert kit.font.pointSizeF() >= 1.5 * normal_kit.font.pointSizeF() - 1e-6
    assert kit.small_font.pointSizeF() >= 1.5 * normal_kit.small_font.pointSizeF() - 1e-6
    cards = [item.face for item in page.scene.story_items() if item.face is not None]
    assert cards, "the moments wear their cards"
    for face in cards:
        assert face.rect.height() >= 1.5 * SIZES.card_height
        assert kit.metrics.horizontalAdvance(face.title) <= face.text_rect.width() + 0.5
    for button in page.toolbar_buttons():
        assert button.height() >= LARGE_TARGET_PX and button.width() >= LARGE_TARGET_PX

    # Handed back, the facilitator's own timeline is as it was.
    assert mode.try_passphrase(PASSPHRASE)
    assert window.mode is None
    assert not window.stories.storyteller.timeline.is_large()
