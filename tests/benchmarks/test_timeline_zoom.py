"""Zooming the timeline: a wheel notch at a time across the whole zoom range, in and out, at
1,000, 10,000 and 50,000 moments (aim: p95 ≤ 16 ms at 10,000 and ≤ 50 ms at 50,000).

What one step is: a wheel notch (``TimelineView.zoom_by`` by 1.2, about what one notch of a
mouse wheel gives) through the real ``TimelineView`` and ``TimelineScene`` — the picture laid
out again for the new zoom, its items made or updated ("zoom step") — and then the view painted
once into an image, as the screen would be ("+ first paint": every item changed, so none has a
kept picture). The walk starts fitted (the whole life in view), zooms in to the
closest zoom (a day in 200 pixels), out again to fitted, and in and out again, so it has at
least ``MIN_STEPS`` steps and each zoom level is passed in both directions; the point zoomed
about moves across the view from step to step.

The peer, interleaved with it step by step: painting the same view once more at the same zoom
with nothing changed (what a frame costs with no zoom step at all). The ratio says what a zoom
step adds to a plain frame. Also timed, after every fourth step: the first scroll after it, a
quarter of a view sideways (a zoom step lays out little more than the view, so this scroll lays
out a view either side and makes its items; not painted). The figures are median and p95 of
the steps, with the load average; nothing is asserted about time. Events are made-up
``TimelineEvent`` values fed to the scene's pure-data entry point
(``TimelineScene.set_events``), as in ``test_timeline_repaint.py``.

Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_timeline_zoom.py -s -p no:cacheprovider \\
        -o addopts=""

``BENCH_ZOOM_SIZES=10000`` (say) runs only some sizes; ``BENCH_PROFILE=1`` profiles the walk at
the largest size (cProfile, top 30 by internal time).
"""

from __future__ import annotations

import cProfile
import datetime
import io
import os
import pstats
import time
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from storycapture.timeline.layout import MAX_PX_PER_DAY
from storycapture.timeline.qt.scene import TimelineScene
from storycapture.timeline.qt.view import TimelineView
from tests.benchmarks._support import Samples, machine_note, print_samples
from tests.benchmarks.test_timeline_repaint import BIRTH_YEAR, story_events

SIZES = tuple(int(s) for s in os.environ.get("BENCH_ZOOM_SIZES", "1000,10000,50000").split(","))
VIEW = (1000, 560)
NOTCH = 1.2
MIN_STEPS = 100


@pytest.fixture(scope="module")
def app() -> QApplication:
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


def _walk(view: TimelineView) -> Iterator[float]:
    """Zoom factors: in to the closest zoom, out to fitted, and again, until ``MIN_STEPS``."""
    steps = 0
    while steps < MIN_STEPS:
        for factor in (NOTCH, 1 / NOTCH):
            while True:
                ppd = view.timeline_scene.scale.px_per_day
                fitted = view.fit_scale().px_per_day
                at_end = ppd >= MAX_PX_PER_DAY * 0.999 if factor > 1 else ppd <= fitted * 1.0001
                if at_end:
                    break
                yield factor
                steps += 1


def _zoom_walk(app: QApplication, count: int) -> tuple[list[Samples], Samples, int]:
    scene = TimelineScene(today=lambda: datetime.date(2026, 3, 2))
    view = TimelineView(scene)
    view.resize(*VIEW)
    view.show()
    app.processEvents()
    scene.set_events(story_events(count), BIRTH_YEAR)
    view.fit_all()
    app.processEvents()
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    viewport = view.viewport()
    steps: list[float] = []
    painted: list[float] = []
    frames: list[float] = []
    scrolled: list[float] = []
    bar = view.horizontalScrollBar()
    loads: list[float] = []
    width = viewport.width()
    for number, factor in enumerate(_walk(view)):
        about = width * (0.2 + 0.6 * ((number * 7) % 11) / 10)
        started = time.perf_counter()
        view.zoom_by(factor, about)
        laid_out = time.perf_counter()
        viewport.render(image)
        steps.append(laid_out - started)
        painted.append(time.perf_counter() - started)
        started = time.perf_counter()
        viewport.render(image)
        frames.append(time.perf_counter() - started)
        if number % 4 == 3 and bar.maximum() > 0:
            # A quarter of a view sideways: beyond what the step laid out, so a view either
            # side is laid out (and its items made), then back again, inside it.
            sideways = width // 4 if bar.value() + width // 4 <= bar.maximum() else -(width // 4)
            started = time.perf_counter()
            bar.setValue(bar.value() + sideways)
            scrolled.append(time.perf_counter() - started)
            bar.setValue(bar.value() - sideways)
        if number % 10 == 0:
            loads.append(os.getloadavg()[0])
    items = len(scene.items())
    view.close()
    view.deleteLater()
    app.processEvents()
    load = sorted(loads)[len(loads) // 2]
    return (
        [
            Samples(f"{count:,} moments: zoom step (lay out, items)", tuple(steps), load),
            Samples(f"{count:,} moments: zoom step + first paint", tuple(painted), load),
            Samples(f"{count:,} moments: first scroll after a step", tuple(scrolled), load),
        ],
        Samples(f"{count:,} moments: paint only (peer)", tuple(frames), load),
        items,
    )


def test_timeline_zoom_walk(app: QApplication) -> None:
    for count in SIZES:
        profile = os.environ.get("BENCH_PROFILE") == "1" and count == max(SIZES)
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        stepped, frame, items = _zoom_walk(app, count)
        if profiler is not None:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())
        print_samples(
            f"Zooming {count:,} moments, {len(frame.seconds)} wheel notches "
            f"(×{NOTCH} each) across the whole range, view {VIEW[0]} × {VIEW[1]}, "
            f"{items} items alive at the end",
            [*stepped, frame],
            frame,
        )
        assert len(frame.seconds) >= MIN_STEPS
    print(f"\n{machine_note()}")
