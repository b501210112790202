"""The quicker ``lay_out`` (an index by time, clusters kept per zoom) draws exactly the picture
the plain scan drew: every mark, bar, cluster, strip, card and curve point equal, across the
zoom range, in both layouts, with and without a window, a chosen moment and large type."""

from __future__ import annotations

import dataclasses
import datetime
import math

import pytest

from storycapture.domain.story import TimelineEvent
from storycapture.timeline.layout import (
    LARGE,
    SIZES,
    LayoutMode,
    PlacedEvent,
    PlacedTimeline,
    Sizes,
    TimeScale,
    lay_out,
    place_events,
)
from tests.benchmarks.test_timeline_repaint import BIRTH_YEAR, story_events
from tests.timeline import reference_layout

TODAY = datetime.date(2026, 3, 2)


def _same(a: object, b: object) -> bool:
    """Equal, with coordinates equal to a millionth of a pixel (a sum of many days may round
    in its last bit differently from one Python to the next); placed events by identity."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-6)
    if isinstance(a, PlacedEvent | PlacedTimeline):
        return a is b
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        return all(
            _same(getattr(a, f.name), getattr(b, f.name))
            for f in dataclasses.fields(a)
            if f.compare
        )
    return a == b


def _placed(events: list[TimelineEvent], sizes: Sizes = SIZES) -> PlacedTimeline:
    return place_events(events, birth_year=BIRTH_YEAR, sizes=sizes)


@pytest.fixture(scope="module")
def events() -> list[TimelineEvent]:
    return story_events(2500, seed=7)


def _scales(placed: PlacedTimeline) -> list[TimeScale]:
    first, last = placed.extent(TODAY)
    fitted = TimeScale.fitting(first, last, 1000.0)
    return [TimeScale(first, fitted.px_per_day * 1.2**k) for k in range(0, 48, 3)]


@pytest.mark.parametrize("mode", list(LayoutMode))
@pytest.mark.parametrize("sizes", [SIZES, Sizes(LARGE)], ids=["normal", "large"])
def test_the_quick_layout_is_the_plain_one(
    events: list[TimelineEvent], mode: LayoutMode, sizes: Sizes
) -> None:
    placed = _placed(events, sizes)
    chosen = placed.placed[len(placed.placed) // 3].uuid
    compared = 0
    for scale in _scales(placed):
        width = scale.x_of_day(placed.extent(TODAY)[1])
        windows: list[tuple[float, float] | None] = [None]
        windows += [(x - 1000.0, x + 2000.0) for x in (0.0, width / 3, width * 0.9)]
        for window in windows:
            for keep in (frozenset(), frozenset({chosen})):
                arguments = dict(
                    mode=mode,
                    scale=scale,
                    view_width=1000.0,
                    view_height=560.0,
                    today=TODAY,
                    keep_apart=keep,
                    window=window,
                    sizes=sizes,
                )
                expected = reference_layout.lay_out(placed, **arguments)  # type: ignore[arg-type]
                assert _same(lay_out(placed, **arguments), expected)  # type: ignore[arg-type]
                assert _same(lay_out(placed, **arguments), expected)  # again: kept
                compared += 1
    assert compared == 16 * 4 * 2


def test_the_comparison_sees_a_moved_mark(events: list[TimelineEvent]) -> None:
    placed = _placed(events)
    scale = _scales(placed)[5]
    arguments = dict(
        mode=LayoutMode.LIFELINE, scale=scale, view_width=1000.0, view_height=560.0, today=TODAY
    )
    layout = lay_out(placed, **arguments)  # type: ignore[arg-type]
    moved = dataclasses.replace(layout.marks[0], x=layout.marks[0].x + 0.01)
    other = dataclasses.replace(layout, marks=(moved, *layout.marks[1:]))
    assert _same(layout, layout) and not _same(layout, other)


def test_a_zoom_back_to_a_level_seen_before_gives_the_same_picture(
    events: list[TimelineEvent],
) -> None:
    placed = _placed(events)
    scales = _scales(placed)
    walk = [*scales, *reversed(scales)]
    for scale in walk:
        arguments = dict(
            mode=LayoutMode.LIFELINE,
            scale=scale,
            view_width=1000.0,
            view_height=560.0,
            today=TODAY,
            window=(0.0, 3000.0),
        )
        expected = reference_layout.lay_out(placed, **arguments)  # type: ignore[arg-type]
        assert _same(lay_out(placed, **arguments), expected)  # type: ignore[arg-type]


def test_moments_far_outside_the_window_are_not_laid_out(events: list[TimelineEvent]) -> None:
    placed = _placed(events)
    first, _last = placed.extent(TODAY)
    scale = TimeScale(first, 200.0)  # a day in 200 pixels: the window holds a few weeks
    layout = lay_out(
        placed,
        mode=LayoutMode.LIFELINE,
        scale=scale,
        view_width=1000.0,
        view_height=560.0,
        today=TODAY,
        window=(scale.x_of_day(float(datetime.date(1990, 6, 1).toordinal())),) * 2,
    )
    shown = len(layout.marks) + len(layout.periods) + sum(c.count for c in layout.clusters)
    assert 0 < shown < len(placed.placed) // 10
