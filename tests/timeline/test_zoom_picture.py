"""A picture zoomed to, step by step (layouts kept, items handed on from one step to the next,
the story set aside from the collector), is the very picture a fresh view draws at that zoom:
compared pixel for pixel, in both layouts, in normal and large type, with a chosen moment."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Iterator, Sequence

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from storycapture.domain.story import TimelineEvent
from storycapture.timeline.layout import LARGE, Cluster, LayoutMode
from storycapture.timeline.qt import scene as scene_module
from storycapture.timeline.qt.scene import TimelineScene
from storycapture.timeline.qt.view import TimelineView
from tests.benchmarks.test_timeline_repaint import BIRTH_YEAR, story_events

TODAY = datetime.date(2026, 3, 2)
EVENTS = story_events(1500, seed=11)


@pytest.fixture(autouse=True)
def _collector_back() -> Iterator[None]:
    """A long story sets the objects alive aside from the collector; give them back after."""
    scene_module._HOLDING.clear()
    yield
    scene_module._HOLDING.clear()
    gc.unfreeze()


def _view(
    qtbot: QtBot,
    mode: LayoutMode,
    large: bool,
    events: Sequence[TimelineEvent] = EVENTS,
    chosen: str | None = EVENTS[40].uuid,
) -> TimelineView:
    scene = TimelineScene(today=lambda: TODAY)
    view = TimelineView(scene)
    qtbot.addWidget(view)
    view.resize(900, 520)
    view.show()
    qtbot.waitExposed(view)
    if large:
        scene.set_picture_scale(LARGE)
    scene.set_mode(mode)
    scene.set_events(events, BIRTH_YEAR, chosen=chosen)
    view.fit_all()
    return view


def _picture(view: TimelineView) -> QImage:
    view.clearFocus()  # the ring that shows where the keyboard is, drawn only with focus
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
    view.viewport().render(image)
    return image


def _fresh_like(qtbot: QtBot, walked: TimelineView, mode: LayoutMode, large: bool) -> QImage:
    fresh = _view(qtbot, mode, large)
    scale = walked.timeline_scene.scale
    day = scale.day_at(walked.scroll_x())
    fresh.zoom_to(scale.px_per_day, day, 0.0)
    fresh.horizontalScrollBar().setValue(walked.horizontalScrollBar().value())
    fresh.verticalScrollBar().setValue(walked.verticalScrollBar().value())
    fresh.refresh()
    assert fresh.timeline_scene.scale == scale
    picture = _picture(fresh)
    fresh.close()
    return picture


@pytest.mark.parametrize("mode", list(LayoutMode))
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_a_picture_zoomed_to_is_the_one_drawn_fresh(
    qtbot: QtBot, mode: LayoutMode, large: bool
) -> None:
    walked = _view(qtbot, mode, large)
    width = walked.viewport().width()
    steps = [1.2] * 14 + [1 / 1.2] * 9 + [1.2] * 3
    compared = 0
    for number, factor in enumerate(steps):
        walked.zoom_by(factor, width * (0.2 + 0.6 * ((number * 7) % 11) / 10))
        if number % 4 == 3:
            picture = _picture(walked)
            assert picture == _fresh_like(qtbot, walked, mode, large), f"after step {number}"
            compared += 1
    assert compared == 6


def test_the_comparison_sees_a_change(qtbot: QtBot) -> None:
    view = _view(qtbot, LayoutMode.LIFELINE, False)
    view.zoom_by(2.0, 300)
    before = _picture(view)
    view.timeline_scene.set_chosen(EVENTS[41].uuid)
    assert _picture(view) != before


def test_a_long_story_is_set_aside_from_the_collector_until_it_is_put_away(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scene_module, "FREEZE_AT", 100)
    gc.unfreeze()
    view = _view(qtbot, LayoutMode.LIFELINE, False)  # 1,500 moments: a long story
    assert gc.get_freeze_count() > 0
    view.timeline_scene.clear_story()  # put away (lock, or another storyteller)
    assert gc.get_freeze_count() == 0
    view.timeline_scene.set_events(EVENTS[:50], BIRTH_YEAR)  # a short one: left alone
    assert gc.get_freeze_count() == 0


def test_a_printed_copy_put_away_leaves_the_open_story_set_aside(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scene_module, "FREEZE_AT", 100)
    gc.unfreeze()
    shown = _view(qtbot, LayoutMode.LIFELINE, False)  # the story open in the tool
    printed = TimelineScene(today=lambda: TODAY)  # a copy drawn for the printed page
    printed.set_events(EVENTS, BIRTH_YEAR)
    printed.clear_story()
    assert gc.get_freeze_count() > 0  # the open story is still set aside
    shown.timeline_scene.clear_story()
    assert gc.get_freeze_count() == 0


def test_a_notch_in_and_a_notch_out_come_back_to_the_very_same_level(qtbot: QtBot) -> None:
    view = _view(qtbot, LayoutMode.LIFELINE, False)
    scene = view.timeline_scene
    view.zoom_by(1.2, 450)
    levels, pictures = [], []
    for _ in range(12):
        levels.append(scene.scale.px_per_day)
        pictures.append(scene.layout)
        view.zoom_by(1.0015**120, 450)  # a wheel notch: not a factor that comes back exactly
    for level in reversed(levels):
        view.zoom_by(1.0015**-120, 450)
        assert scene.scale.px_per_day == level
    # Far enough out that the whole story is laid out: the picture kept is used again.
    assert scene.layout is pictures[0]


def _in_view(view: TimelineView) -> tuple[set[Cluster], set[str]]:
    """What the layout shows in view: its clusters there, and the moments and periods drawn
    on their own there."""
    layout = view.timeline_scene.layout
    visible = view.visible_rect()
    x0, x1 = visible.left(), visible.right()
    clusters = {c for c in layout.clusters if c.x1 + 20 >= x0 and c.x0 - 20 <= x1}
    alone = {m.uuid for m in layout.marks if m.x1 >= x0 and m.x0 <= x1}
    alone |= {b.uuid for b in layout.periods if b.x1 >= x0 and b.x0 <= x1}
    return clusters, alone


@pytest.mark.parametrize("mode", list(LayoutMode))
def test_a_zoom_step_lays_out_about_the_view_and_a_scroll_beyond_it_a_view_either_side(
    qtbot: QtBot, mode: LayoutMode
) -> None:
    """A zoom step costs what one view costs; a scroll beyond what is laid out lays out a
    view either side, and everything then in view has its item."""
    view = _view(qtbot, mode, False)
    scene = view.timeline_scene
    width = view.viewport().width()
    for number in range(12):
        view.zoom_by(1.2, width * (0.2 + 0.6 * ((number * 7) % 11) / 10))
    stepped = scene._window
    assert stepped is not None and stepped[1] - stepped[0] < 1.2 * width
    shown = _in_view(view)
    bar = view.horizontalScrollBar()
    bar.setValue(bar.value() + 30)  # a little: inside what was laid out, nothing new
    assert scene._window == stepped
    bar.setValue(bar.value() + 300)
    widened = scene._window
    visible = view.visible_rect()
    assert widened is not None
    assert widened[0] <= visible.left() - width * 0.9
    assert widened[1] >= visible.right() + width * 0.9
    clusters, alone = _in_view(view)
    assert (clusters, alone) != shown  # (the comparison sees a scroll)
    drawn = {item.cluster for item in scene.cluster_items()}
    assert clusters and clusters <= drawn
    assert alone and all(scene.item_for(uuid) is not None for uuid in alone)


def test_the_lifeline_reaches_both_edges_of_the_view_however_far_in(qtbot: QtBot) -> None:
    """Close in, moments are far apart: the line still runs on beyond the view's edges (to the
    moments either side), during a zoom step and at rest, instead of stopping short."""
    view = _view(qtbot, LayoutMode.LIFELINE, False, story_events(300, seed=3), chosen=None)
    scene = view.timeline_scene
    reached = 0
    for _ in range(40):
        view.zoom_by(1.2, 450)
        visible = view.visible_rect()
        curve = scene.layout.curve
        assert curve[0].p0[0] <= visible.left() and curve[-1].p1[0] >= visible.right()
        reached += 1
    assert reached == 40
