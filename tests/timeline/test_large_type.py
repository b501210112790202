"""Storyteller mode's large timeline: every word of the picture half as large again, the cards,
bars and bands grown to hold them (nothing cut, nothing overlapping), buttons a finger's size;
and the normal picture exactly as it was."""

from __future__ import annotations

import dataclasses
import datetime
import itertools

import pytest
from PySide6.QtGui import QFontMetricsF, QUndoStack
from pytestqt.qtbot import QtBot

from storycapture.domain.story import HelpSeeking
from storycapture.domain.vocabulary import Helped, LifeArea, Visibility
from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import (
    LARGE,
    LIFE_AREAS,
    SIZES,
    EventMark,
    LayoutMode,
    PeriodBar,
    Rect,
    Sizes,
    TimeScale,
    bands_for,
    lay_out,
    place_events,
)
from storycapture.timeline.layout.sizes import SQUEEZE
from storycapture.timeline.qt.items import PeriodItem, StoryItem
from storycapture.timeline.qt.style import PaintKit
from storycapture.timeline.qt.tool import LARGE_TARGET_PX, TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR

TODAY = datetime.date(2026, 3, 2)
MOMENTS: list[tuple[str, str, dict[str, object]]] = [
    ("Born in Leeds", "1980", {"valence": 2}),
    ("Started at the big school", "1991", {"valence": -1}),
    ("Told the health visitor how I felt", "winter 2001", {"valence": 1, "help": "help"}),
    ("Relationship ended", "2004", {"valence": -2, "visibility": Visibility.PRIVATE}),
    ("Council flat", "2005", {"valence": 1, "ends": "2012"}),
    ("A short course", "March 2014", {"valence": 2, "ends": "May 2014"}),
    ("Hospital stay", "2015", {"valence": -3}),
    ("Rang a night-time phone line", "2015", {"valence": -1, "help": "help"}),
    ("Got Pudding", "2016", {"valence": 3}),
    ("Back in touch with Dad", "2023", {"valence": 1}),
    ("After the storm", "after the big storm", {"valence": 0}),  # waits in the tray
]


@pytest.fixture
def tool(qtbot: QtBot, vault: VaultSession, storyteller_uuid: str) -> TimelineTool:
    service = TimelineService(vault)
    for title, starts, values in MOMENTS:
        extra = dict(values)
        if extra.pop("help", None):
            extra["help"] = HelpSeeking(helped=Helped.YES)
        extra.setdefault("life_area", LifeArea.FAMILY)
        service.add_event(
            storyteller_uuid,
            title=title,
            starts=starts,
            author=FACILITATOR,
            **extra,  # type: ignore[arg-type]
        )
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    widget = TimelineTool(service, PhotoService(vault), context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1600, 1000)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_storyteller(storyteller_uuid, 1980)
    widget.view.fit_all()
    return widget


def cards_by_band(tool: TimelineTool) -> dict[int, list[Rect]]:
    layout = tool.scene.layout
    cards: dict[int, list[Rect]] = {}
    elements: list[EventMark | PeriodBar] = [*layout.marks, *layout.periods]
    for element in elements:
        if element.card is not None:
            cards.setdefault(element.band, []).append(element.card)
    return cards


def carded_items(tool: TimelineTool) -> dict[str, StoryItem]:
    return {item.uuid: item for item in tool.scene.story_items() if item.face is not None}


# -- the sizes, without Qt ---------------------------------------------------------------------


def test_the_normal_sizes_are_the_ones_written_in_sizes() -> None:
    normal = Sizes()
    assert normal == SIZES
    for name, value in Sizes.NORMAL.items():
        assert getattr(normal, name) == value, name
    # What follows from them: a card's zone above the line, the line, a row of bars.
    assert normal.card_zone == normal.card_height + normal.card_gap + 2.0
    assert normal.line_offset == normal.card_zone + normal.dot / 2
    assert normal.row == normal.bar_height + normal.bar_gap
    assert normal.min_band == normal.line_offset + normal.bar_height / 2 + normal.band_pad
    assert normal.cluster_radius(12) == 13.5
    assert Sizes(2.0).cluster_radius(12) == 27.0


def test_large_sizes_grow_together() -> None:
    large = Sizes(LARGE)
    assert LARGE >= 1.5
    for field in dataclasses.fields(Sizes):
        if field.name != "factor":
            assert getattr(large, field.name) == pytest.approx(getattr(SIZES, field.name) * LARGE)
    for mode in LayoutMode:
        normal_bands = bands_for(mode, 0.0)
        large_bands = bands_for(mode, 0.0, sizes=large)
        assert large_bands.height == pytest.approx(normal_bands.height * LARGE)
    with pytest.raises(ValueError):
        Sizes(0.0)


def test_a_large_layout_keeps_cards_apart_and_inside_their_bands() -> None:
    from tests.timeline.test_layout import event

    events = [
        event(f"Moment number {i}", str(1950 + 3 * i), valence=i % 7 - 3, area=LIFE_AREAS[i % 4])
        for i in range(24)
    ]
    sizes = Sizes(LARGE)
    placed = place_events(
        events, birth_year=1950, card_width=lambda e: 9.0 * len(e.title) + 30, sizes=sizes
    )
    first, last = placed.extent(TODAY)
    for mode in LayoutMode:
        result = lay_out(
            placed,
            mode=mode,
            scale=TimeScale.fitting(first, last, 2400),
            view_width=2400,
            view_height=300,  # too short: the bands keep their size and the view scrolls
            today=TODAY,
            sizes=sizes,
        )
        assert result.sizes is sizes
        by_band: dict[int, list[Rect]] = {}
        for mark in result.marks:
            if mark.card is not None:
                band = result.bands.bands[mark.band]
                assert band.top <= mark.card.y
                assert mark.card.bottom + sizes.card_gap + sizes.dot / 2 == pytest.approx(mark.y)
                assert mark.card.height == sizes.card_height
                by_band.setdefault(mark.band, []).append(mark.card)
        assert by_band, "some cards fit"
        for cards in by_band.values():
            for a, b in itertools.combinations(cards, 2):
                assert not a.intersects(b)
        least = sizes.min_band * SQUEEZE
        assert all(result.bands.bands[band].height >= least - 1e-9 for band in by_band)


# -- the tool ------------------------------------------------------------------------------------


def test_large_type_is_half_as_large_again_and_fits_its_cards(tool: TimelineTool) -> None:
    kit = tool.scene.kit
    normal_fonts = [f.pointSizeF() for f in (kit.font, kit.small_font, kit.bold_font)]
    normal_cards = {uuid: item.face.rect for uuid, item in carded_items(tool).items()}  # type: ignore[union-attr]
    normal_bounds = {uuid: item.boundingRect() for uuid, item in carded_items(tool).items()}
    normal_bars = [
        i.bar_rect.height() for i in tool.scene.story_items() if isinstance(i, PeriodItem)
    ]
    normal_ruler = tool.band_ruler.width(), tool.axis_ruler.height()
    assert normal_cards and normal_bars
    assert not tool.is_large()

    tool.set_large(True)
    assert tool.is_large()
    kit = tool.scene.kit
    assert kit.sizes == Sizes(LARGE)
    for normal, large in zip(normal_fonts, (kit.font, kit.small_font, kit.bold_font), strict=True):
        assert large.pointSizeF() >= 1.5 * normal - 1e-6
    # The same cards are drawn, taller, and every title fits its card.
    large_items = carded_items(tool)
    assert normal_cards.keys() <= large_items.keys()
    for uuid, item in large_items.items():
        face = item.face
        assert face is not None
        if uuid in normal_cards:
            assert face.rect.height() >= 1.5 * normal_cards[uuid].height() - 1e-6
            assert item.boundingRect().height() >= 1.4 * normal_bounds[uuid].height()
        text = face.text_rect
        assert face.rect.contains(text)
        assert kit.metrics.height() <= text.height()
        assert kit.metrics.horizontalAdvance(face.title) <= text.width() + 0.5
        for _kind, glyph, _tint in face.glyphs:
            assert face.rect.contains(glyph) and not glyph.intersects(text)
    titles = {item.event.title: item.face.title for item in large_items.values()}  # type: ignore[attr-defined,union-attr]
    assert titles.get("Hospital stay") == "Hospital stay", "a short title is not cut"
    # No two cards of a band overlap; periods' bars hold a line of their words.
    for cards in cards_by_band(tool).values():
        for a, b in itertools.combinations(cards, 2):
            assert not a.intersects(b)
    large_bars = [
        i.bar_rect.height() for i in tool.scene.story_items() if isinstance(i, PeriodItem)
    ]
    assert min(large_bars) >= 1.5 * min(normal_bars) - 1e-6
    # The rulers grow with their words.
    assert tool.band_ruler.width() >= normal_ruler[0]
    assert tool.axis_ruler.height() >= kit.metrics.height() + kit.small_metrics.height()
    assert tool.axis_ruler.height() > normal_ruler[1]
    for words in ("Very good", "A bit good", "In between", "A bit hard", "Very hard"):
        assert kit.px(28) + kit.text_width(words) <= tool.band_ruler.width() - kit.px(4)
    assert kit.px(18) + kit.text_width("Physical health") <= tool.band_ruler.width()


def test_clusters_grow_with_their_numbers(tool: TimelineTool) -> None:
    tool.set_layout_mode("lanes")  # both moments of 2015 are in the Family lane: one cluster
    normal = [item.radius for item in tool.scene.cluster_items()]
    assert normal
    tool.set_large(True)
    kit = tool.scene.kit
    large = [item.radius for item in tool.scene.cluster_items()]
    assert len(large) == len(normal)
    assert min(large) >= 1.5 * min(normal) - 1e-6
    for item in tool.scene.cluster_items():
        count = str(item.cluster.count)
        disc = 2 * item.radius
        assert QFontMetricsF(kit.bold_font).horizontalAdvance(count) < disc
        assert QFontMetricsF(kit.bold_font).height() < disc


def test_buttons_and_the_tray_are_finger_sized(tool: TimelineTool, qtbot: QtBot) -> None:
    tool.set_large(True)
    qtbot.wait(10)
    buttons = tool.toolbar_buttons()
    assert len(buttons) == 6
    for button in buttons:
        assert button.isVisible()
        assert button.height() >= LARGE_TARGET_PX, button.text()
        assert button.width() >= LARGE_TARGET_PX, button.text()
    assert tool.tray_row.isVisible() and tool.tray.count() == 1
    assert tool.tray.height() >= LARGE_TARGET_PX
    assert tool.tray.visualItemRect(tool.tray.item(0)).height() >= LARGE_TARGET_PX


def test_lanes_are_large_too_and_normal_comes_back_exactly(tool: TimelineTool) -> None:
    kit = tool.scene.kit
    normal_font = kit.font.pointSizeF()
    normal_buttons = [button.sizeHint() for button in tool.toolbar_buttons()]
    tool.set_layout_mode("lanes")
    normal_layout = tool.scene.layout
    normal_cards = cards_by_band(tool)
    tool.set_large(True)
    large_layout = tool.scene.layout
    assert large_layout.mode is LayoutMode.LANES
    large_cards = cards_by_band(tool)
    assert large_cards
    for band, cards in large_cards.items():
        assert large_layout.bands.bands[band].height >= Sizes(LARGE).min_band
        for a, b in itertools.combinations(cards, 2):
            assert not a.intersects(b)
    tool.set_large(False)
    assert tool.scene.kit.sizes is SIZES
    assert tool.scene.kit.font.pointSizeF() == normal_font
    assert tool.scene.layout.bands == normal_layout.bands
    assert cards_by_band(tool) == normal_cards
    assert [button.sizeHint() for button in tool.toolbar_buttons()] == normal_buttons
    assert tool.tray.height() == 58


def test_a_paint_kit_is_normal_unless_asked() -> None:
    kit = PaintKit()
    assert kit.scale == 1.0 and kit.sizes is SIZES
    large = PaintKit(scale=LARGE)
    assert large.font.pointSizeF() == pytest.approx(kit.font.pointSizeF() * LARGE)
    assert large.small_font.pointSizeF() == pytest.approx(kit.small_font.pointSizeF() * LARGE)
    assert large.px(10) == pytest.approx(10 * LARGE)
