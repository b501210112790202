"""The timeline picture's geometry, without Qt: where every event, period and tick goes.

The Qt scene draws what this module computes and nothing else, so every rule about the
picture (how a fuzzy date spreads, where the lifeline runs, which labels fit, what a drag
means) is plain Python a test can check without a window.

Two stages:

* ``place_events`` puts each event on the calendar once per change of the story: its
  earliest–latest days (never a false precise day), and its row among overlapping periods.
  Events that cannot be placed (no date given yet, an age without a birth year, a
  "before"/"after" whose event is missing) are kept apart, for the tray "Not yet placed in
  time".
* ``lay_out`` turns that into scene coordinates for one zoom, layout and view height: marks,
  period bars, clusters where events crowd together, the lifeline curve and the label cards
  that fit without overlapping. It runs on every zoom step, so it looks only at the events
  in the window the view asks for (found through an index by time), and keeps its last
  pictures. A moment whose feeling is not said sits on the "in between" line with its own
  mark (``EventMark.feeling_said``) and is no point of the lifeline: the curve shows only the
  ups and downs somebody told.

Scene x is ``(day - origin) * px_per_day``; a day ``d`` (an ordinal) covers ``[d, d + 1)``.

The package, by job:

* ``sizes``: the picture's sizes (defined once, in ``Sizes``) and its two arrangements;
* ``scale``: days to scene x and back;
* ``axis``: the ticks and labels that fit;
* ``placement``: events on the calendar, their rows, an index by time (``EventPlacer`` is where
  a date becomes days);
* ``bands``: the feelings' or life areas' bands;
* ``picture``: the layout at one zoom;
* ``gestures``: dates changed by dragging or by keyboard, and the words for a date.
"""

from __future__ import annotations

from storycapture.timeline.layout.axis import (
    Axis,
    AxisStep,
    Tick,
    axis,
    estimate_text_width,
)
from storycapture.timeline.layout.bands import (
    Band,
    Bands,
    bands_for,
)
from storycapture.timeline.layout.gestures import (
    TIED_EXPLANATION,
    DragOutcome,
    date_at,
    describe_range,
    drag_outcome,
    drag_steps,
    moved_date,
    neighbour,
    new_event_at,
    precision_for_scale,
    reading_of,
    shift_date,
    snapped_date,
)
from storycapture.timeline.layout.picture import (
    Cluster,
    CurveSegment,
    EventMark,
    PeriodBar,
    Rect,
    Strip,
    TimelineLayout,
    lay_out,
)
from storycapture.timeline.layout.placement import (
    LIFE_AREAS,
    VALENCES,
    BandRun,
    EventPlacer,
    PlacedEvent,
    PlacedTimeline,
    TimeIndex,
    is_private,
    movable_in_time,
    place_events,
    seeks_help,
    told_without,
)
from storycapture.timeline.layout.scale import (
    DAYS_PER_MONTH,
    DAYS_PER_SEASON,
    DAYS_PER_YEAR,
    MAX_PX_PER_DAY,
    MIN_PX_PER_DAY,
    Measure,
    Range,
    Resolve,
    TimeScale,
)
from storycapture.timeline.layout.sizes import (
    LARGE,
    SIZES,
    LayoutMode,
    Sizes,
)

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_SEASON",
    "DAYS_PER_YEAR",
    "LARGE",
    "LIFE_AREAS",
    "MAX_PX_PER_DAY",
    "MIN_PX_PER_DAY",
    "SIZES",
    "TIED_EXPLANATION",
    "VALENCES",
    "Axis",
    "AxisStep",
    "Band",
    "BandRun",
    "Bands",
    "Cluster",
    "CurveSegment",
    "DragOutcome",
    "EventMark",
    "EventPlacer",
    "LayoutMode",
    "Measure",
    "PeriodBar",
    "PlacedEvent",
    "PlacedTimeline",
    "Range",
    "Rect",
    "Resolve",
    "Sizes",
    "Strip",
    "Tick",
    "TimeIndex",
    "TimeScale",
    "TimelineLayout",
    "axis",
    "bands_for",
    "date_at",
    "describe_range",
    "drag_outcome",
    "drag_steps",
    "estimate_text_width",
    "is_private",
    "lay_out",
    "movable_in_time",
    "moved_date",
    "neighbour",
    "new_event_at",
    "place_events",
    "precision_for_scale",
    "reading_of",
    "seeks_help",
    "shift_date",
    "snapped_date",
    "told_without",
]
