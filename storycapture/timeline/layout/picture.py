"""The picture at one zoom: marks, period bars, clusters where events crowd together, strips of
periods beyond the rows a band has room for, the lifeline curve and the cards that fit."""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import itertools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from storycapture.timeline.layout.bands import Band, Bands, bands_for
from storycapture.timeline.layout.placement import (
    KEPT_LAYOUTS,
    BandRun,
    Part,
    PlacedEvent,
    PlacedTimeline,
)
from storycapture.timeline.layout.scale import TimeScale, _clamp
from storycapture.timeline.layout.sizes import SIZES, LayoutMode, Sizes

# -- the layout at one zoom -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def intersects(self, other: Rect) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


@dataclass(frozen=True, slots=True)
class EventMark:
    """A moment drawn on its own: a soft fade across ``x0``–``x1`` (or a dot when that is
    narrower than a dot), its mark at ``x, y``, and its card when there is room for one."""

    placed: PlacedEvent
    band: int
    x0: float
    x1: float
    x: float
    y: float
    card: Rect | None
    dot: float = SIZES.dot  # how wide its dot is drawn

    @property
    def uuid(self) -> str:
        return self.placed.uuid

    @property
    def feeling_said(self) -> bool:
        """False for a moment whose feeling nobody has said: drawn with its own neutral mark,
        and no point of the lifeline."""
        return self.placed.feeling_said

    @property
    def fuzzy(self) -> bool:
        return self.x1 - self.x0 > self.dot


@dataclass(frozen=True, slots=True)
class PeriodBar:
    """A period: a rounded bar, solid between its start's latest and its end's earliest day and
    fading out across the fuzzy ends (``x0``–``solid_x0`` and ``solid_x1``–``x1``)."""

    placed: PlacedEvent
    band: int
    row: int
    x0: float
    solid_x0: float
    solid_x1: float
    x1: float
    y: float
    height: float
    card: Rect | None = None  # when the bar is too short to hold its own title

    @property
    def uuid(self) -> str:
        return self.placed.uuid

    @property
    def x(self) -> float:
        return (self.solid_x0 + self.solid_x1) / 2

    @property
    def line_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True, slots=True)
class Cluster:
    """Moments close together at this zoom, drawn as one mark with their count."""

    key: str
    band: int
    members: tuple[str, ...]
    x: float
    y: float
    x0: float
    x1: float
    mean_valence: float | None  # of the members whose feeling was said; None if none was
    seeks_help: bool
    private: int  # how many of them are private

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class Strip:
    """Periods of one band beyond the rows it has room for, merged into shaded stretches:
    ``spans`` are ``(x0, x1, how many)``."""

    band: int
    y: float
    spans: tuple[tuple[float, float, int], ...]
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CurveSegment:
    """One cubic Bézier piece of the lifeline: from ``p0`` through controls ``c1``, ``c2`` to
    ``p1``."""

    p0: tuple[float, float]
    c1: tuple[float, float]
    c2: tuple[float, float]
    p1: tuple[float, float]


@dataclass(frozen=True)
class TimelineLayout:
    mode: LayoutMode
    scale: TimeScale
    bands: Bands
    width: float
    height: float
    marks: tuple[EventMark, ...]
    periods: tuple[PeriodBar, ...]
    clusters: tuple[Cluster, ...]
    strips: tuple[Strip, ...]
    curve: tuple[CurveSegment, ...]
    today_x: float
    placed: PlacedTimeline
    sizes: Sizes = SIZES
    _where: dict[str, EventMark | PeriodBar | Cluster | Strip] = field(
        default_factory=dict, repr=False
    )

    def _index(self) -> None:
        where = self._where
        for cluster in self.clusters:
            for uuid in cluster.members:
                where[uuid] = cluster
        for strip in self.strips:
            for uuid in strip.members:
                where[uuid] = strip
        for mark in self.marks:
            where[mark.uuid] = mark
        for bar in self.periods:
            where[bar.uuid] = bar

    def drawn_as(self, uuid: str) -> EventMark | PeriodBar | Cluster | Strip | None:
        """How an event is drawn at this zoom: on its own, in a cluster, or in a strip."""
        if not self._where and self.placed.placed:
            self._index()  # on first asking: most layouts are drawn and replaced unasked
        return self._where.get(uuid)

    def anchor_of(self, uuid: str) -> tuple[float, float] | None:
        """Where an event is (or would be) on the picture: its mark, or its bar's middle."""
        placed = self.placed.by_uuid.get(uuid)
        if placed is None:
            return None
        band = self.bands.band_of(placed)
        drawn = self.drawn_as(uuid)
        if isinstance(drawn, PeriodBar):
            return drawn.x, drawn.line_y
        return self.scale.x_of_day(placed.middle), band.line_y


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
    view asks for a few screens' width around what it shows, and the index by time finds those
    events, so a zoom step costs what they cost, not the whole story. ``sizes`` are those of
    the cards, bars and bands (and of the words on them): larger in storyteller mode.

    A picture is kept for each of the last ``KEPT_LAYOUTS`` zooms and sets of events laid
    out: zooming back to a level seen before, or scrolling while every event is in the
    window, lays nothing out again."""
    chosen, parts, spans, ends = _in_window(placed, mode, scale, window, keep_apart, sizes)
    key = (mode, scale, view_width, view_height, today, keep_apart, sizes, chosen, ends)
    kept = placed.pictures
    layout = kept.pop(key, None)
    if layout is None:
        layout = _lay_out(
            placed, parts, spans, ends, mode, scale, view_width, view_height, today,
            keep_apart, sizes,
        )  # fmt: skip
        if len(kept) >= KEPT_LAYOUTS:
            del kept[next(iter(kept))]  # the one used longest ago
    kept[key] = layout
    return layout


Chosen = tuple[object, ...]  # what was chosen to lay out, as a key of the picture kept
Ends = tuple[tuple[int, float], ...]  # (band, day) of the lifeline's points beyond the window


def _in_window(
    placed: PlacedTimeline,
    mode: LayoutMode,
    scale: TimeScale,
    window: tuple[float, float] | None,
    keep_apart: frozenset[str],
    sizes: Sizes,
) -> tuple[Chosen, dict[int, Part], list[PlacedEvent], Ends]:
    """The events laid out: those whose days reach into the window (with room for a card or
    a cluster that reaches in from just outside it), and those kept apart, wherever they are;
    as each band's moments (a stretch of its run, found by binary search, when it can be) and
    the periods in time order. In the lifeline, also the ``_lifeline_ends``."""
    runs, spans = placed.parts(mode)
    if window is None:
        return ("all",), runs, spans, ()
    ppd, origin = scale.px_per_day, scale.origin
    low = window[0] - sizes.max_card_px - sizes.cluster_px
    high = window[1] + sizes.max_card_px + sizes.cluster_px
    span = placed.span
    if span is not None and (span[0] - origin) * ppd >= low and (span[1] - origin) * ppd <= high:
        return ("all",), runs, spans, ()  # the whole story is in the window (zoomed far out)
    low_day, high_day = origin + low / ppd, origin + high / ppd

    def inside(first: float, last: float) -> bool:  # the test in pixels decides
        return not ((last - origin) * ppd < low or (first - origin) * ppd > high)

    kept: dict[int, list[int]] = {}
    kept_periods: list[int] = []
    where = placed.where(mode)
    order_of = placed.order_of
    for uuid in keep_apart:
        order = order_of.get(uuid)
        if order is not None:
            band, position = where[order]
            if band < 0:
                kept_periods.append(order)
            else:
                kept.setdefault(band, []).append(position)
    parts: dict[int, Part] = {}
    chosen: list[object] = []
    for band, (run, _lo, _hi) in runs.items():
        stretches = _stretches_inside(run, low_day, high_day, inside, kept.get(band, []))
        if not stretches:
            continue
        chosen.append((band, *stretches))
        if len(stretches) == 1:
            parts[band] = (run, *stretches[0])
        else:  # moments far off whose fuzzy dates reach into the window, and gaps
            taken = run.taken(stretches)
            parts[band] = (taken, 0, len(taken.events))
    # A day's slack either side of the index's search; the test in pixels decides.
    found = placed.period_index.touching(low_day - 1.0, high_day + 1.0)
    events = placed.placed
    orders = [o for o in found if inside(events[o].first, events[o].last)]
    if kept_periods:
        orders = sorted(set(orders).union(kept_periods))
    chosen.append(tuple(orders))
    # Bands in the order their first moment comes in time, as when all are laid out.
    first = {band: order_of[run.events[lo].uuid] for band, (run, lo, _hi) in parts.items()}
    parts = {band: parts[band] for band in sorted(parts, key=first.__getitem__)}
    ends = _lifeline_ends(runs, low_day, high_day) if mode is LayoutMode.LIFELINE else ()
    return tuple(chosen), parts, [events[o] for o in orders], ends


def _lifeline_ends(runs: dict[int, Part], low_day: float, high_day: float) -> Ends:
    """Where the lifeline goes on to beyond the window: the nearest moment whose feeling was
    said before ``low_day`` and after ``high_day``, as (band, day). Without them, a window
    with no such moment near its edge (close in, where moments are days apart) would draw the
    line stopping short of the view's edge, as if the story stopped there."""
    before: tuple[float, int] | None = None  # (day, band): the latest, then the lowest band
    after: tuple[float, int] | None = None  # the earliest, then the highest band
    for band, (run, _lo, _hi) in runs.items():
        middles, said = run.middles, run.totals[0]  # said: running count of feelings said
        k = bisect.bisect_left(middles, low_day)
        j = bisect.bisect_left(said, said[k]) - 1  # the last said before k
        if j >= 0 and (before is None or (middles[j], band) > before):
            before = (middles[j], band)
        k = bisect.bisect_right(middles, high_day)
        j = bisect.bisect_left(said, said[k] + 1) - 1  # the first said from k on
        if j < len(middles) and (after is None or (middles[j], -band) < after):
            after = (middles[j], -band)
    if after is not None:
        after = (after[0], -after[1])
    return tuple((end[1], end[0]) for end in (before, after) if end is not None)


def _stretches_inside(
    run: BandRun,
    low_day: float,
    high_day: float,
    inside: Callable[[float, float], bool],
    kept: list[int],
) -> list[tuple[int, int]]:
    """The stretches (from, to) of a band's run whose moments' days reach into the window
    ``low_day``–``high_day``, and the moments ``kept`` (by place) wherever they are. Those
    whose middle is a day or more inside are in it by their middle alone; only those near an
    edge, by up to the run's reach, are looked at one by one."""
    middles, firsts, lasts = run.middles, run.firsts, run.lasts
    reach = run.reach + 1.0
    start = bisect.bisect_left(middles, low_day - reach)
    end = bisect.bisect_right(middles, high_day + reach)
    core_from = max(start, bisect.bisect_left(middles, low_day + 1.0))
    core_to = min(end, bisect.bisect_right(middles, high_day - 1.0))
    if core_to <= core_from:
        core_from = core_to = start
    before = [i for i in range(start, core_from) if inside(firsts[i], lasts[i])]
    after = [i for i in range(core_to, end) if inside(firsts[i], lasts[i])]
    if kept:
        chosen = set(before).union(after, kept, range(core_from, core_to))
        return _stretches(sorted(chosen)) if chosen else []
    stretches = _stretches(before) if before else []
    if core_to > core_from:
        stretches.append((core_from, core_to))
    if after:
        stretches += _stretches(after)
    return _joined(stretches)


def _joined(stretches: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Stretches in order, those that meet made one."""
    joined: list[tuple[int, int]] = []
    for a, b in stretches:
        if joined and joined[-1][1] == a:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return joined


def _stretches(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Ascending positions as stretches (from, to) of consecutive ones."""
    stretches: list[tuple[int, int]] = []
    start = previous = positions[0]
    for position in positions[1:]:
        if position != previous + 1:
            stretches.append((start, previous + 1))
            start = position
        previous = position
    stretches.append((start, previous + 1))
    return stretches


def _lay_out(
    placed: PlacedTimeline,
    runs: dict[int, Part],
    spans: list[PlacedEvent],
    ends: Ends,
    mode: LayoutMode,
    scale: TimeScale,
    view_width: float,
    view_height: float,
    today: datetime.date,
    keep_apart: frozenset[str],
    sizes: Sizes,
) -> TimelineLayout:
    bands = bands_for(mode, view_height, placed, sizes)
    _first, last = placed.extent(today)
    width = max(view_width, scale.x_of_day(last))
    lifeline = mode is LayoutMode.LIFELINE
    periods: list[PeriodBar] = []
    overflow: dict[int, list[tuple[float, float, str]]] = {}
    ppd = scale.px_per_day
    origin = scale.origin
    min_bar_px, bar_height = sizes.min_bar_px, sizes.bar_height
    all_bands = bands.bands
    rows_of = [band.rows for band in all_bands]
    for p in spans:
        band_index = p.valence_band if lifeline else p.area_band
        row = p.row_by_valence if lifeline else p.row_by_area
        x0 = (p.first - origin) * ppd
        x1 = (p.last - origin) * ppd
        if x1 < x0 + min_bar_px:
            x1 = x0 + min_bar_px
        if row >= rows_of[band_index] and p.uuid not in keep_apart:
            overflow.setdefault(band_index, []).append((x0, x1, p.uuid))
            continue
        band = all_bands[band_index]
        solid_x0 = (p.start_span[1] - origin) * ppd
        solid_x1 = (p.end_span[0] - origin) * ppd  # type: ignore[index]
        if solid_x1 < solid_x0:  # the start and end spans overlap: no solid middle
            solid_x0 = solid_x1 = (x0 + x1) / 2
        bar_row = min(row, band.rows - 1)
        periods.append(
            PeriodBar(
                p, band.index, bar_row, x0, max(x0, solid_x0), min(x1, solid_x1), x1,
                band.bar_top(bar_row), bar_height,
            )
        )  # fmt: skip
    marks: list[EventMark] = []
    clusters: list[Cluster] = []
    for band_index, part in runs.items():
        _gather(part, all_bands[band_index], scale, keep_apart, marks, clusters)
    marks, periods = _place_cards(marks, periods, clusters, keep_apart, width, sizes)
    strips = [_strip(bands.bands[i], bars) for i, bars in sorted(overflow.items())]
    curve = _lifeline_curve(marks, clusters, bands, ends, scale) if lifeline else []
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


def _runs(run: BandRun, lo: int, hi: int, column: float, ppd: float, origin: float) -> list[int]:
    """Where each group of marks starts (and, last, where the run ends). Marks gather by
    columns ``column`` wide, fixed to the scene so that a cluster stays the same as the view
    pans; a column's group joins the one before when their middles are closer than half a
    column, so two marks astride a column's edge are one cluster, not two overlapping dots."""
    reach = column * 1.5  # no cluster spans more than this
    half = column / 2
    starts: list[int] = []
    count = 0
    cell = first_x = total = 0.0
    for i, day in enumerate(run.middles[lo:hi], lo):
        x = (day - origin) * ppd
        here = x // column
        if count and x - first_x <= reach and (here == cell or x - total / count < half):
            total += x
            count += 1
            continue
        starts.append(i)
        cell, first_x, total, count = here, x, x, 1
    starts.append(hi)
    return starts


def _gather(
    part: tuple[BandRun, int, int],
    band: Band,
    scale: TimeScale,
    keep_apart: frozenset[str],
    marks: list[EventMark],
    clusters: list[Cluster],
) -> None:
    """The band's moments ``part`` (a run, from, to) as marks on their own or clusters (see
    ``_runs``); one kept apart (the chosen moment) is always a mark of its own."""
    run, lo, hi = part
    ppd, origin = scale.px_per_day, scale.origin
    dot = band.sizes.dot
    y = band.line_y
    index = band.index
    events = run.events
    starts = _runs(run, lo, hi, band.sizes.cluster_px, ppd, origin)
    for a, b in itertools.pairwise(starts):
        alone = [p for p in events[a:b] if p.uuid in keep_apart] if keep_apart else []
        if b - a - len(alone) == 1:
            alone = list(events[a:b])
        for p in alone:
            x0, x1 = (p.first - origin) * ppd, (p.last - origin) * ppd
            marks.append(EventMark(p, index, x0, x1, (p.middle - origin) * ppd, y, None, dot))
        if len(alone) == b - a:
            continue
        if alone:
            clusters.append(
                _cluster_of(
                    BandRun([p for p in events[a:b] if p not in alone]), 0, None, index, y, scale
                )
            )
        else:
            clusters.append(_cluster_of(run, a, b, index, y, scale))


def _cluster_of(
    run: BandRun, a: int, b: int | None, band: int, y: float, scale: TimeScale
) -> Cluster:
    """The cluster of the run's moments ``a`` to ``b`` (to its end, when None)."""
    b = len(run.events) if b is None else b
    ppd, origin = scale.px_per_day, scale.origin
    said, valence, helps, private = run.totals
    said_here = said[b] - said[a]
    members = run.uuids[a:b]
    return Cluster(
        f"{band}:{members[0]}",
        band,
        tuple(members),
        (sum(run.middles[a:b]) / (b - a) - origin) * ppd,
        y,
        (min(run.firsts[a:b]) - origin) * ppd,
        (max(run.lasts[a:b]) - origin) * ppd,
        (valence[b] - valence[a]) / said_here if said_here else None,
        helps[b] > helps[a],
        private[b] - private[a],
    )


def _place_cards(
    marks: list[EventMark],
    bars: list[PeriodBar],
    clusters: list[Cluster],
    keep_apart: frozenset[str],
    width: float,
    sizes: Sizes = SIZES,
) -> tuple[list[EventMark], list[PeriodBar]]:
    """Give cards to as many moments as fit without overlapping each other or a cluster: the
    chosen one first, then those that seek help, then the strongest feelings; the rest show
    their mark only. A period too short to hold its title gets a card as a moment does."""
    taken: dict[int, list[tuple[float, float]]] = {}
    candidates: list[tuple[tuple[int, int, int, float, int], EventMark | PeriodBar]] = []
    drawn: list[EventMark | PeriodBar] = [*marks, *bars]
    for order, item in enumerate(drawn):
        p = item.placed
        if isinstance(item, PeriodBar) and (
            item.row > 0 or item.x1 - item.x0 >= p.card_width + sizes.bar_text_pad
        ):
            continue
        rank = (
            0 if p.uuid in keep_apart else 1,
            0 if p.seeks_help else 1,
            -abs(p.valence or 0),
            item.x,
            order,
        )
        candidates.append((rank, item))
    candidates.sort(key=lambda c: c[0])
    cards: dict[str, Rect] = {}
    spacing, card_height = sizes.card_spacing, sizes.card_height
    lift = sizes.dot / 2 + sizes.card_gap + card_height  # from a mark's middle to its card's top
    clusters_seen = False
    for rank, item in candidates:
        if rank[0] and not clusters_seen:
            # After the chosen moment's card, clusters' discs are in the way of any other.
            clusters_seen = True
            for cluster in clusters:
                r = sizes.cluster_radius(cluster.count) + 2 * sizes.factor
                bisect.insort(taken.setdefault(cluster.band, []), (cluster.x - r, cluster.x + r))
        card_w = item.placed.card_width
        left = _clamp(item.x - card_w / 2, 2.0, max(2.0, width - card_w - 2.0))
        right = left + card_w
        spans = taken.setdefault(item.band, [])
        at = bisect.bisect_left(spans, (left, right))
        clear_before = at == 0 or spans[at - 1][1] + spacing <= left
        clear_after = at == len(spans) or right + spacing <= spans[at][0]
        if clear_before and clear_after:
            spans.insert(at, (left, right))
            line_y = item.y if isinstance(item, EventMark) else item.line_y
            top = line_y - lift
            cards[item.uuid] = Rect(left, top, card_w, card_height)
    marks = [dataclasses.replace(m, card=cards[m.uuid]) if m.uuid in cards else m for m in marks]
    bars = [dataclasses.replace(b, card=cards[b.uuid]) if b.uuid in cards else b for b in bars]
    marks.sort(key=lambda m: m.x)
    return marks, bars


def _strip(band: Band, bars: list[tuple[float, float, str]]) -> Strip:
    """Overflowing periods ``(x0, x1, uuid)`` merged into shaded stretches (far out, thousands
    of them into a few)."""
    bars.sort()
    spans: list[tuple[float, float, int]] = []
    x0 = x1 = 0.0
    count = 0
    for start, end, _uuid in bars:
        if count and start <= x1 + 2:
            if end > x1:
                x1 = end
            count += 1
        else:
            if count:
                spans.append((x0, x1, count))
            x0, x1, count = start, end, 1
    if count:
        spans.append((x0, x1, count))
    y = band.bar_top(band.rows - 1) + band.sizes.bar_height + 0.5
    return Strip(band.index, y, tuple(spans), tuple(map(operator.itemgetter(2), bars)))


def _lifeline_curve(
    marks: Sequence[EventMark],
    clusters: Sequence[Cluster],
    bands: Bands,
    ends: Ends = (),
    scale: TimeScale | None = None,
) -> list[CurveSegment]:
    """A smooth line through the moments in time order (and through clusters, at their mean
    feeling). It is a monotone cubic (Fritsch–Carlson) written as Bézier pieces: it passes
    through every point, never runs backwards in time, and never swings higher or lower than
    the moments on either side, so it shows no high or low that nobody told. A moment whose
    feeling is not said is no point of it (nor a cluster of only such moments): the line
    neither dips nor rises for a feeling nobody gave. Points within a few pixels of each
    other are averaged, so a crowded day is one point. ``ends`` (band, day) are the moments
    the line goes on to beyond a window laid out (see ``_lifeline_ends``), at ``scale``."""
    zero = bands.line_of_valence(0)
    step = bands.line_of_valence(-1) - zero  # how far down one step of feeling is
    raw = sorted(
        [(m.x, m.y) for m in marks if m.feeling_said]
        + [(c.x, zero - c.mean_valence * step) for c in clusters if c.mean_valence is not None]
        + [(scale.x_of_day(day), bands.bands[band].line_y) for band, day in ends if scale]
    )
    points: list[tuple[float, float]] = []
    group: list[tuple[float, float]] = []
    for point in raw:
        if group and point[0] - group[0][0] > 4:
            points.append(_mean(group))
            group = []
        group.append(point)
    if group:
        points.append(_mean(group))
    if len(points) < 2:
        return []
    pairs = list(itertools.pairwise(points))
    gaps = [b[0] - a[0] for a, b in pairs]
    slopes = [(b[1] - a[1]) / gap for (a, b), gap in zip(pairs, gaps, strict=True)]
    tangents = [slopes[0]]
    for i in range(1, len(points) - 1):
        before, after = slopes[i - 1], slopes[i]
        if before * after <= 0:
            tangents.append(0.0)  # a peak or a dip: flat there, so it goes no further
        else:
            w1, w2 = 2 * gaps[i] + gaps[i - 1], gaps[i] + 2 * gaps[i - 1]
            tangents.append((w1 + w2) / (w1 / before + w2 / after))
    tangents.append(slopes[-1])
    segments: list[CurveSegment] = []
    for i, gap in enumerate(gaps):
        p0, p1 = points[i], points[i + 1]
        third = gap / 3
        c1 = (p0[0] + third, p0[1] + tangents[i] * third)
        c2 = (p1[0] - third, p1[1] - tangents[i + 1] * third)
        segments.append(CurveSegment(p0, c1, c2, p1))
    return segments


def _mean(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )
