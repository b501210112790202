"""The timeline's ``lay_out`` as it was before it kept an index by time and cached clusters:
a plain scan of every event at every zoom. Kept only as the oracle the faster one is checked
against (``test_layout_speedups.py``): both must give the same picture."""

# ruff: noqa
from __future__ import annotations

import datetime
import math

from storycapture.timeline.layout import (
    SIZES,
    Band,
    Cluster,
    EventMark,
    LayoutMode,
    PeriodBar,
    PlacedEvent,
    PlacedTimeline,
    Sizes,
    TimelineLayout,
    TimeScale,
    bands_for,
)
from storycapture.timeline.layout.picture import _lifeline_curve, _place_cards, _strip


def lay_out(
    placed: PlacedTimeline,
    *,
    mode: LayoutMode,
    scale: TimeScale,
    view_width: float,
    view_height: float,
    today: datetime.date,
    keep_apart: frozenset[str] = frozenset(),
    window: tuple[float, float] | None = None,
    sizes: Sizes = SIZES,
) -> TimelineLayout:
    """The picture at one zoom. Events in ``keep_apart`` (the selected one) are never hidden
    in a cluster. With a ``window`` (scene x from, to) only what falls in it is laid out: the
    view asks for a few screens' width around what it shows, so a zoom step costs what those
    events cost, not the whole story. ``sizes`` are those of the cards, bars and bands (and
    of the words on them): larger in storyteller mode."""
    bands = bands_for(mode, view_height, placed, sizes)
    _first, last = placed.extent(today)
    width = max(view_width, scale.x_of_day(last))
    lifeline = mode is LayoutMode.LIFELINE
    periods: list[PeriodBar] = []
    overflow: dict[int, list[tuple[float, float, str]]] = {}
    points: dict[int, list[tuple[float, PlacedEvent]]] = {}
    ppd = scale.px_per_day
    origin = scale.origin
    # Room for a card or a cluster that reaches into the window from just outside it.
    low, high = (-math.inf, math.inf) if window is None else window
    low -= sizes.max_card_px + sizes.cluster_px
    high += sizes.max_card_px + sizes.cluster_px
    min_bar_px, bar_height = sizes.min_bar_px, sizes.bar_height
    all_bands = bands.bands
    for p in placed.placed:
        outside = (p.last - origin) * ppd < low or (p.first - origin) * ppd > high
        if outside and p.uuid not in keep_apart:
            continue
        band = all_bands[p.valence_band if lifeline else p.area_band]
        if p.end_span is not None:
            row = p.row_by_valence if lifeline else p.row_by_area
            x0 = (p.first - origin) * ppd
            x1 = max((p.last - origin) * ppd, x0 + min_bar_px)
            if row >= band.rows and p.uuid not in keep_apart:
                overflow.setdefault(band.index, []).append((x0, x1, p.uuid))
                continue
            solid_x0 = (p.start_span[1] - origin) * ppd
            solid_x1 = (p.end_span[0] - origin) * ppd
            if solid_x1 < solid_x0:  # the start and end spans overlap: no solid middle
                solid_x0 = solid_x1 = (x0 + x1) / 2
            bar_row = min(row, band.rows - 1)
            periods.append(
                PeriodBar(
                    p, band.index, bar_row, x0, max(x0, solid_x0), min(x1, solid_x1), x1,
                    band.bar_top(bar_row), bar_height,
                )
            )  # fmt: skip
        else:
            points.setdefault(band.index, []).append((p.middle, p))
    marks: list[EventMark] = []
    clusters: list[Cluster] = []
    for band_index, members in points.items():
        band = bands.bands[band_index]
        _gather(members, band, scale, keep_apart, marks, clusters)
    marks, periods = _place_cards(marks, periods, clusters, keep_apart, width, sizes)
    strips = [_strip(bands.bands[i], bars) for i, bars in sorted(overflow.items())]
    curve = (
        _lifeline_curve(marks, clusters, bands, _ends(placed, scale, low, high), scale)
        if lifeline
        else []
    )
    return TimelineLayout(
        mode=mode,
        scale=scale,
        bands=bands,
        width=width,
        height=bands.height + sizes.band_pad,
        marks=tuple(marks),
        periods=tuple(periods),
        clusters=tuple(clusters),
        strips=tuple(strips),
        curve=tuple(curve),
        today_x=scale.x_of_day(today.toordinal() + 0.5),
        placed=placed,
        sizes=sizes,
    )


def _ends(
    placed: PlacedTimeline, scale: TimeScale, low: float, high: float
) -> tuple[tuple[int, float], ...]:
    """The moments (not periods) whose feeling was said nearest before and after the stretch
    laid out, wherever they are, as (band, day): the latest before (the highest band first,
    on a tie), the earliest after (the lowest band first)."""
    if math.isinf(low):
        return ()
    low_day, high_day = scale.day_at(low), scale.day_at(high)
    said = [p for p in placed.placed if p.end_span is None and p.feeling_said]
    if all(
        scale.x_of_day(p.first) >= low and scale.x_of_day(p.last) <= high for p in placed.placed
    ):
        return ()  # the whole story is laid out
    before = [(p.middle, p.valence_band) for p in said if p.middle < low_day]
    after = [(p.middle, -p.valence_band) for p in said if p.middle > high_day]
    ends = []
    if before:
        day, band = max(before)
        ends.append((band, day))
    if after:
        day, band = min(after)
        ends.append((-band, day))
    return tuple(ends)


def _gather(
    members: list[tuple[float, PlacedEvent]],
    band: Band,
    scale: TimeScale,
    keep_apart: frozenset[str],
    marks: list[EventMark],
    clusters: list[Cluster],
) -> None:
    """Marks gather by columns ``cluster_px`` wide (the band's size), fixed to the scene so
    that a cluster stays the same as the view pans; a column's group joins the one before when
    their middles are closer than half a column, so two marks astride a column's edge are one
    cluster, not two overlapping dots. ``members`` come in time order (``place_events`` sorts
    them)."""
    ppd, origin = scale.px_per_day, scale.origin
    column = band.sizes.cluster_px
    dot = band.sizes.dot
    reach = column * 1.5  # no cluster spans more than this
    half = column / 2
    groups: list[list[PlacedEvent]] = []
    group: list[PlacedEvent] = []
    cell = first_x = total = 0.0
    for day, p in members:
        x = (day - origin) * ppd
        here = x // column
        if group and x - first_x <= reach and (here == cell or x - total / len(group) < half):
            group.append(p)
            total += x
            continue
        group = [p]
        groups.append(group)
        cell, first_x, total = here, x, x
    y = band.line_y
    index = band.index
    for group in groups:
        if keep_apart:
            alone = [p for p in group if p.uuid in keep_apart]
            if alone:
                group = [p for p in group if p.uuid not in keep_apart]
        else:
            alone = []
        if len(group) == 1:
            alone.append(group[0])
            group = []
        for p in alone:
            x0, x1 = (p.first - origin) * ppd, (p.last - origin) * ppd
            marks.append(EventMark(p, index, x0, x1, (p.middle - origin) * ppd, y, None, dot))
        if not group:
            continue
        first, last, middle, valence, helps, private = math.inf, -math.inf, 0.0, 0, False, 0
        said = 0
        for p in group:
            if p.first < first:
                first = p.first
            if p.last > last:
                last = p.last
            middle += p.middle
            if p.event.valence is not None:
                valence += p.event.valence
                said += 1
            helps = helps or p.seeks_help
            private += p.private
        count = len(group)
        clusters.append(
            Cluster(
                key=f"{index}:{group[0].uuid}",
                band=index,
                members=tuple([p.uuid for p in group]),
                x=(middle / count - origin) * ppd,
                y=y,
                x0=(first - origin) * ppd,
                x1=(last - origin) * ppd,
                mean_valence=valence / said if said else None,
                seeks_help=helps,
                private=private,
            )
        )
