"""The vertical bands: feelings (Lifeline) or life areas (Lanes)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from storycapture.domain.vocabulary import LifeArea
from storycapture.timeline.layout.placement import (
    LIFE_AREAS,
    VALENCES,
    PlacedEvent,
    PlacedTimeline,
    _band_of_valence,
)
from storycapture.timeline.layout.sizes import MAX_LANE_ROWS, SIZES, SQUEEZE, LayoutMode, Sizes

# -- the vertical bands: feelings (Lifeline) or life areas (Lanes) ----------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """One horizontal band: a feeling in the Lifeline, a life area in Lanes. Cards sit in its
    top part, marks and the first row of period bars on ``line_y``, overlapping periods in rows
    below."""

    index: int
    valence: int | None
    area: LifeArea | None
    top: float
    height: float
    rows: int
    sizes: Sizes = SIZES

    @property
    def line_y(self) -> float:
        return self.top + self.sizes.line_offset

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def bar_top(self, row: int) -> float:
        """Periods sit on the line, like the marks; overlapping ones in rows below it."""
        sizes = self.sizes
        return self.line_y - sizes.bar_height / 2 + row * sizes.row


def _rows_room(height: float, sizes: Sizes) -> int:
    return 1 + max(0, int((height - sizes.min_band) // sizes.row))


@dataclass(frozen=True)
class Bands:
    mode: LayoutMode
    bands: tuple[Band, ...]

    @property
    def height(self) -> float:
        return self.bands[-1].bottom if self.bands else 0.0

    def index_at(self, y: float) -> int:
        tops = [b.top for b in self.bands]
        return max(0, min(len(self.bands) - 1, bisect.bisect_right(tops, y) - 1))

    def band_of(self, placed: PlacedEvent) -> Band:
        if self.mode is LayoutMode.LIFELINE:
            return self.bands[placed.valence_band]
        return self.bands[placed.area_band]

    def valence_at(self, y: float) -> int:
        """The feeling whose band ``y`` falls in (Lifeline)."""
        return VALENCES[self.index_at(y)] if self.mode is LayoutMode.LIFELINE else 0

    def area_at(self, y: float) -> LifeArea:
        """The life area whose lane ``y`` falls in (Lanes)."""
        return LIFE_AREAS[self.index_at(y)] if self.mode is LayoutMode.LANES else LifeArea.OTHER

    def line_of_valence(self, valence: int | None) -> float:
        return self.bands[_band_of_valence(valence)].line_y


def bands_for(
    mode: LayoutMode,
    height: float,
    placed: PlacedTimeline | None = None,
    sizes: Sizes = SIZES,
) -> Bands:
    """Bands filling ``height`` (when they can: each keeps room for a card, a mark and a bar).
    Lifeline bands are equal, so the curve's ups and downs keep their proportions; a lane is as
    tall as its periods need, an empty one thin, and spare height is shared out."""
    top_margin = sizes.top_margin
    available = max(height - top_margin - sizes.band_pad, 0.0)
    if mode is LayoutMode.LIFELINE:
        band_h = max(sizes.min_band, available / len(VALENCES))
        rows = _rows_room(band_h, sizes)
        return Bands(
            mode,
            tuple(
                Band(i, v, None, top_margin + i * band_h, band_h, rows, sizes)
                for i, v in enumerate(VALENCES)
            ),
        )
    used: dict[LifeArea, int] = {}
    rows_needed: dict[LifeArea, int] = {}
    for p in placed.placed if placed else ():
        used[p.life_area] = used.get(p.life_area, 0) + 1
        if p.is_period:
            rows_needed[p.life_area] = max(rows_needed.get(p.life_area, 0), p.row_by_area + 1)
    heights: list[float] = []
    row_counts: list[int] = []
    for area in LIFE_AREAS:
        rows = min(MAX_LANE_ROWS, rows_needed.get(area, 0))
        row_counts.append(max(rows, 1))
        if area not in used:
            heights.append(sizes.empty_lane)
        else:
            heights.append(sizes.min_band + max(rows - 1, 0) * sizes.row)
    spare = available - sum(heights)
    if spare > 0:
        heights = [h + spare / len(heights) for h in heights]
    elif spare < 0 and available >= sum(heights) * SQUEEZE:
        # A little short of room: lanes a few pixels thinner beat a scroll bar.
        heights = [h * available / sum(heights) for h in heights]
    bands: list[Band] = []
    top = top_margin
    for i, (area, h) in enumerate(zip(LIFE_AREAS, heights, strict=True)):
        rows = max(row_counts[i], min(_rows_room(h, sizes), MAX_LANE_ROWS))
        bands.append(Band(i, None, area, top, h, rows, sizes))
        top += h
    return Bands(mode, tuple(bands))
