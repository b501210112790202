"""A visit with a long story, through the real window: unlock (the file checked after the
stories show, search ready by itself), the timeline of 1,200 moments zoomed in and out by
wheel notches, a moment dragged after the zooms (the facilitator's change, one undo step),
undone, locked (the story set aside from the collector is given back, nothing personal
kept), and unlocked again to the same search."""

from __future__ import annotations

import datetime
import gc
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.gui.settings import AppSettings
from storycapture.services import records
from storycapture.services.kinds import TIMELINE_EVENT
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import EventMark
from storycapture.timeline.qt import scene as scene_module
from storycapture.timeline.service import TimelineService
from tests.benchmarks._support import event_values
from tests.conftest import FACILITATOR, PASSPHRASE
from tests.gui.test_window import (
    _juniper,
    assert_nothing_personal_shown,
    filled_vault,
    make_window,
    unlock,
)

__all__ = ["filled_vault"]  # the fixture, used here by name
MOMENTS = 1200


@pytest.fixture
def long_story(filled_vault: Path) -> Iterator[Path]:
    """Juniper's story with 1,200 more moments (made up, seeded)."""
    vault = VaultSession.unlock(filled_vault, PASSPHRASE)
    try:
        (juniper,) = [p.uuid for p in StorytellerService(vault).list() if p.pseudonym == "Juniper"]
        rng = random.Random(1200)
        with vault.edit() as session:
            for _ in range(MOMENTS):
                values = event_values(rng)
                # A day of its own between 1990 and 2025: some stand alone when zoomed in.
                when = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(12_780))
                values["starts"] = FuzzyDate.on_day(when.year, when.month, when.day).to_dict()
                values["ends"] = None
                records.insert(vault, session, TIMELINE_EVENT, juniper, values, FACILITATOR)
    finally:
        vault.lock()
    scene_module._HOLDING.clear()
    yield filled_vault
    scene_module._HOLDING.clear()
    gc.unfreeze()


def test_a_long_story_zoomed_dragged_undone_locked_and_opened_again(
    qtbot: QtBot, long_story: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, long_story, app_settings)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.search_ready)
    assert window.stories is not None and window.vault is not None
    juniper = _juniper(window)
    assert juniper
    window.stories.sidebar.search.setText("bakery")
    assert window.stories.sidebar.results.count() >= 1

    page = window.stories.storyteller
    page.tabs.setCurrentIndex(1)
    tool = page.timeline
    window.lifeline_action.trigger()
    tool.view.fit_all()
    assert len(tool.scene.placed.placed) > MOMENTS
    assert gc.get_freeze_count() > 0  # a long story: set aside from the collector

    viewport = tool.view.viewport()
    middle = QPointF(viewport.width() / 2, viewport.height() / 2)
    levels = []
    for _ in range(8):
        levels.append(tool.scene.scale.px_per_day)
        tool.view.zoom_by(1.0015**120, middle.x())
    for level in reversed(levels):
        tool.view.zoom_by(1.0015**-120, middle.x())
        assert tool.scene.scale.px_per_day == level
    for _ in range(14):
        tool.view.zoom_by(1.0015**120, middle.x())

    # A moment drawn on its own at this zoom, dragged a year later.
    timeline = TimelineService(window.vault)
    marks = [
        m
        for m in tool.scene.layout.marks
        if isinstance(m, EventMark)
        and m.placed.movable_in_time
        and m.placed.event.starts is not None
        and 40 < tool.view.mapFromScene(QPointF(m.x, m.y)).x() < viewport.width() - 200
        and 40 < tool.view.mapFromScene(QPointF(m.x, m.y)).y() < viewport.height() - 40
    ]
    assert marks, "a moment in sight at this zoom"
    mark = marks[0]
    before = timeline.get_event(mark.uuid)
    start = tool.view.mapFromScene(QPointF(mark.x, mark.y))
    year = round(365.2425 * tool.scene.scale.px_per_day)
    end = start + QPoint(year, 0)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(year // 2, 0))
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    moved = timeline.get_event(mark.uuid)
    assert moved.starts != before.starts
    assert moved.valence == before.valence  # a sideways drag says no feeling
    assert window.undo_action.text().startswith("Undo Move")
    with window.vault.read() as session:
        history = records.history(window.vault, session, TIMELINE_EVENT, mark.uuid)
    assert history[-1].author == FACILITATOR  # the facilitator's hand, not another's
    window.undo_action.trigger()
    assert timeline.get_event(mark.uuid).starts == before.starts

    window.lock_action.trigger()
    assert gc.get_freeze_count() == 0  # put away: given back to the collector
    assert window.vault is None and window.search_index is None
    assert_nothing_personal_shown(window)

    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.search_ready)
    assert window.stories is not None
    window.stories.sidebar.search.setText("bakery")
    assert window.stories.sidebar.results.count() >= 1
