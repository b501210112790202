"""Timeline repaint at 100, 1,000 and 10,000 events, fitted and zoomed in (aim: 16 ms or less
at 10,000).

What it measures: the timeline view (1000 × 560, about what a 1366 × 768 window leaves for the
picture) painted whole into an image, again and again, through the real ``TimelineView`` and
``TimelineScene`` — background bands and grid, period bars, fuzzy fades, cards, clusters and the
lifeline. Events are made-up ``TimelineEvent`` values fed to the scene's pure-data entry point
(``TimelineScene.set_events``), so no vault is needed; a storyteller's events are decrypted once
when the timeline opens, not on every repaint.

Also printed: the time to lay the picture out again for one zoom step (what a wheel notch costs)
and how many graphics items are alive, which is what keeps 10,000 events as cheap as a few
hundred. Nothing is asserted about time. Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_timeline_repaint.py -s -o addopts=""
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from storycapture.domain.authorship import Author
from storycapture.domain.fuzzydate import FuzzyDate, Season
from storycapture.domain.story import HelpSeeking, Provenance, TimelineEvent
from storycapture.domain.vocabulary import LifeArea, Visibility
from storycapture.timeline.layout import LayoutMode
from storycapture.timeline.qt.scene import TimelineScene
from storycapture.timeline.qt.view import TimelineView
from tests.benchmarks._support import _PLACES, _TITLES, machine_note, print_table

SIZES = (100, 1_000, 10_000)
BIRTH_YEAR = 1955
VIEW = (1000, 560)
WARM_UP = 5
REPEATS = 60
ZOOM_STEPS = 20


def _date(rng: random.Random, year: int) -> FuzzyDate:
    pick = rng.random()
    if pick < 0.3:
        return FuzzyDate.in_year(year)
    if pick < 0.55:
        return FuzzyDate.in_month(year, rng.randint(1, 12))
    if pick < 0.75:
        return FuzzyDate.on_day(year, rng.randint(1, 12), rng.randint(1, 28))
    if pick < 0.9:
        return FuzzyDate.in_season(year, rng.choice(list(Season)))
    if pick < 0.95:
        return FuzzyDate.around_year(year)
    return FuzzyDate.at_age(max(0, year - BIRTH_YEAR), approximate=rng.random() < 0.5)


def story_events(count: int, seed: int = 2026) -> list[TimelineEvent]:
    """A made-up life of ``count`` moments from 1955 to today: mixed date kinds, one in seven a
    period, some help-seeking, some private."""
    rng = random.Random(seed)
    author = Author.storyteller()
    events = []
    for i in range(count):
        year = rng.randint(BIRTH_YEAR, 2025)
        starts = _date(rng, year)
        ends = None
        if rng.random() < 0.14:
            ends = FuzzyDate.in_year(min(2026, year + rng.randint(1, 8)))
        area = rng.choice(list(LifeArea))
        events.append(
            TimelineEvent(
                meta=Provenance(f"event-{i}", "storyteller", f"{i:012d}", f"{i:012d}", author),
                title=rng.choice(_TITLES).format(place=rng.choice(_PLACES)),
                words="",
                starts=starts,
                ends=ends,
                valence=rng.randint(-3, 3),
                life_area=area,
                visibility=Visibility.PRIVATE if rng.random() < 0.2 else Visibility.TEAM,
                help=HelpSeeking("Someone to talk to") if area is LifeArea.HELP_SEEKING else None,
            )
        )
    return events


def _repaint_ms(view: TimelineView) -> list[float]:
    viewport = view.viewport()
    image = QImage(viewport.size(), QImage.Format.Format_ARGB32_Premultiplied)
    samples = []
    for i in range(WARM_UP + REPEATS):
        started = time.perf_counter()
        viewport.render(image)
        elapsed = (time.perf_counter() - started) * 1000
        if i >= WARM_UP:
            samples.append(elapsed)
    return samples


def _zoom_steps_ms(view: TimelineView, paint: bool) -> list[float]:
    """One wheel notch in and out again, ``ZOOM_STEPS`` times: the picture laid out again for
    the new zoom, and (``paint``) painted once, with every item's kept picture gone stale."""
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    samples = []
    for i in range(ZOOM_STEPS):
        started = time.perf_counter()
        view.zoom_by(1.25 if i % 2 == 0 else 0.8, 400)
        if paint:
            view.viewport().render(image)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@pytest.fixture(scope="module")
def app() -> QApplication:
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


def test_timeline_repaint(app: QApplication) -> None:
    rows: list[list[str]] = []
    for count in SIZES:
        events = story_events(count)
        scene = TimelineScene(today=lambda: datetime.date(2026, 3, 2))
        view = TimelineView(scene)
        view.resize(*VIEW)
        view.show()
        app.processEvents()
        started = time.perf_counter()
        scene.set_events(events, BIRTH_YEAR)
        view.fit_all()
        opened_ms = (time.perf_counter() - started) * 1000
        for mode in (LayoutMode.LIFELINE, LayoutMode.LANES):
            scene.set_mode(mode)
            view.fit_all()
            for label, zoom in (("fitted", 1.0), ("zoomed in ×8", 8.0), ("zoomed in ×60", 60.0)):
                view.fit_all()
                if zoom > 1:
                    view.zoom_by(zoom, view.viewport().width() * 0.55)
                app.processEvents()
                samples = _repaint_ms(view)
                items = len(scene.items())
                visible_years = view.visible_rect().width() / scene.scale.px_per_day / 365.25
                rows.append(
                    [
                        f"{count:>6,} {mode.value:<8} {label}",
                        f"{statistics.median(samples):6.1f}",
                        f"{_p95(samples):6.1f}",
                        f"{visible_years:5.1f}",
                        str(items),
                    ]
                )
        scene.set_mode(LayoutMode.LIFELINE)
        view.fit_all()
        for label, paint, extra in (
            ("zoom step (lay out again)", False, f"open {opened_ms:.0f} ms"),
            ("zoom step + first paint", True, ""),
        ):
            zoom_ms = _zoom_steps_ms(view, paint)
            rows.append(
                [
                    f"{count:>6,} {label}",
                    f"{statistics.median(zoom_ms):6.1f}",
                    f"{_p95(zoom_ms):6.1f}",
                    "",
                    extra,
                ]
            )
        view.close()
        view.deleteLater()
        app.processEvents()
    print_table(
        f"Timeline repaint, view {VIEW[0]} × {VIEW[1]}, {REPEATS} paints each "
        f"(aim: median and p95 ≤ 16 ms at 10,000) — {machine_note()}",
        ["events / layout / zoom", "median ms", "p95 ms", "years in view", "items"],
        rows,
    )
