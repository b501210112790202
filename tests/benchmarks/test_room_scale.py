"""The story-sharing room at scale: opening the views across stories (and the themes board, if
it is there) on a hub of 200 storytellers × 150 moments, 5 excerpts each in 30 themes (aim:
each opens in a second or less).

"Opening" a view is what a person waits for: the view made, ``refresh()`` (reading the vault),
and its first paint (``grab()`` at 1366 × 768). Interleaved with it, in the same run, are the
baselines: reading the excerpts alone (the least the matrix and the board must do), reading
every shown moment alone (the least the lifelines and help-seeking must do), and a plain
QWidget grabbed at the same size (what a first paint costs with nothing in it). Ratios are to
reading the excerpts alone. Also timed: the lifelines' highlight and their switch to calendar
years, each with its repaint (that they "stay fluid"). Nothing is asserted about time.

The hub is built once (minutes) and kept, keyed by its size and the schema's newest revision,
as ``cached_vault`` keeps its vaults (``BENCH_CACHE``, else the system's temporary folder).
"5 excerpts" is read as five per storyteller (1,000 notes: a very full board); set
``BENCH_ROOM_EXCERPTS`` for more. Run it with::

    PYTHONPATH=. .venv/bin/python -m pytest tests/benchmarks/test_room_scale.py -s \\
        -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import Shiboken

from storycapture.domain.authorship import Author
from storycapture.domain.vocabulary import LifeArea
from storycapture.hub.across import Alignment, read_lives
from storycapture.hub.qt.across import AlignedLifelinesView, HelpSeekingView, MatrixView
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.room import RoomService
from storycapture.services import records
from storycapture.services.kinds import TIMELINE_EVENT
from storycapture.services.vault import VaultSession
from tests.benchmarks._support import (
    PASSPHRASE,
    Samples,
    _cache_root,
    _schema_head,
    _speed_up_building,
    cached_vault,
    fast_kdf,
    fmt_seconds,
    interleave,
    print_samples,
    timed,
)

STORYTELLERS = int(os.environ.get("BENCH_STORYTELLERS", "200"))
MOMENTS_EACH = 150
EXCERPTS_EACH = int(os.environ.get("BENCH_ROOM_EXCERPTS", "5"))
THEMES = 30
SIZE = (1366, 768)
SAMPLES = 5
TEAM = Author.facilitator("Dana")
_THEME_WORDS = [
    "Waiting for help",
    "Nature and outdoors",
    "Being listened to",
    "Money worries",
    "Passed between services",
    "Family holding on",
    "Work as a lifeline",
    "Losing the flat",
    "Peer support",
    "Faith and belonging",
]


def _build_room(data_dir: Path) -> float:
    """Themes and excerpts on the cached vault of moments (marked as at the hub)."""
    vault = VaultSession.unlock(data_dir, PASSPHRASE, check_file_now=False)
    rng = random.Random(14)
    try:
        _speed_up_building(vault)
        room = RoomService(vault)
        themes = [
            room.add_theme(f"{_THEME_WORDS[i % len(_THEME_WORDS)]} {i // 10 + 1}", author=TEAM)
            for i in range(THEMES)
        ]
        with vault.read() as session:
            found = records.find(vault, session, TIMELINE_EVENT)
        markable: dict[str, list[str]] = {}
        for record in found:
            if record.values["visibility"] != "private" and record.values["words"].strip():
                markable.setdefault(record.storyteller_uuid, []).append(record.uuid)
        seconds, _ = timed(
            lambda: [
                room.add_excerpt(
                    person,
                    source_kind="timeline_event",
                    source_uuid=moment,
                    marked_by="Dana",
                    themes=[t.uuid for t in rng.sample(themes, rng.randint(1, 2))],
                )
                for person, moments in markable.items()
                for moment in rng.sample(moments, min(EXCERPTS_EACH, len(moments)))
            ]
        )
    finally:
        vault.lock()
    return seconds


def cached_room(data_dir: Path) -> Path:
    """The hub of this size, built once and kept; a copy of it at ``data_dir``."""
    key = f"room-{STORYTELLERS}x{MOMENTS_EACH}x{EXCERPTS_EACH}-{_schema_head()}"
    kept = _cache_root() / key
    if not (kept / "built.json").exists():
        building = _cache_root() / f".{key}.{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        base = cached_vault(building / "vault", STORYTELLERS, MOMENTS_EACH, kdf=fast_kdf)
        marking = _build_room(building / "vault")
        (building / "built.json").write_text(
            json.dumps({"moments_seconds": base.build_seconds, "excerpts_seconds": marking})
        )
        shutil.rmtree(kept, ignore_errors=True)
        building.rename(kept)
    else:
        print(f"  using the room kept in {kept}", flush=True)
    shutil.copytree(kept / "vault", data_dir)
    return data_dir


@pytest.fixture(scope="module")
def room_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultSession]:
    data_dir = cached_room(tmp_path_factory.mktemp("room-scale") / "vault")
    vault = VaultSession.unlock(data_dir, PASSPHRASE, check_file_now=False)
    yield vault
    vault.lock()
    shutil.rmtree(data_dir, ignore_errors=True)


def _opened(make: Callable[[], QWidget]) -> Callable[[], None]:
    """Make a view, read, paint it once (as it is first shown); then let it go, untimed."""

    def open_it() -> None:
        view = make()
        view.resize(*SIZE)
        refresh = getattr(view, "refresh", None)
        if refresh is not None:
            refresh()
        view.grab()
        Shiboken.delete(view)

    return open_it


def _board(context: RoomContext) -> Callable[[], QWidget] | None:
    try:
        from storycapture.hub.qt.board import ThemesBoard  # another engineer's, maybe not here
    except ImportError:
        return None
    return lambda: ThemesBoard(context)  # type: ignore[no-any-return]


def test_opening_the_views_across_stories(qapp: QApplication, room_vault: VaultSession) -> None:
    context = RoomContext(room_vault, QUndoStack(), lambda: TEAM)
    room = RoomService(room_vault)
    excerpts = len(room.excerpts())
    lives = read_lives(room_vault)
    moments = sum(len(life.moments) for life in lives)
    actions: dict[str, Callable[[], object]] = {
        "baseline: reading the excerpts alone": room.excerpts,
        "reading every shown moment alone": lambda: read_lives(room_vault),
        "a plain QWidget, grabbed": _opened(QWidget),
        "MatrixView opens": _opened(lambda: MatrixView(context)),
        "AlignedLifelinesView opens": _opened(lambda: AlignedLifelinesView(context)),
        "HelpSeekingView opens": _opened(lambda: HelpSeekingView(context)),
    }
    board = _board(context)
    if board is not None:
        actions["ThemesBoard opens"] = _opened(board)
    results = interleave(actions, samples=SAMPLES)
    print(
        f"\n\nTHE ROOM AT SCALE — {len(lives)} storytellers, {moments:,} shown moments, "
        f"{excerpts:,} excerpts in {len(room.themes())} themes; views at {SIZE[0]}×{SIZE[1]}"
    )
    if board is None:
        print("  (no storycapture.hub.qt.board.ThemesBoard here: the board is not timed)")
    baseline = results["baseline: reading the excerpts alone"]
    print_samples("Opening a view (made, read, first paint)", list(results.values()), baseline)
    _fluid(context, baseline)


def _fluid(context: RoomContext, baseline: Samples) -> None:
    view = AlignedLifelinesView(context)
    view.resize(*SIZE)
    view.refresh()
    themes = [view.theme_choice.itemData(i) for i in range(1, view.theme_choice.count())]
    turn = {"n": 0}

    def highlight() -> None:
        turn["n"] += 1
        view.highlight_theme(themes[turn["n"] % len(themes)])
        view.picture.grab()

    def area() -> None:
        turn["n"] += 1
        view.highlight_area(list(LifeArea)[turn["n"] % len(LifeArea)])
        view.picture.grab()

    def switch() -> None:
        now = view.alignment
        view.set_alignment(Alignment.CALENDAR if now is Alignment.AGE else Alignment.AGE)
        view.picture.grab()

    results = interleave(
        {
            "lifelines: highlight another theme + repaint": highlight,
            "lifelines: highlight a life area + repaint": area,
            "lifelines: age ⇄ calendar + repaint": switch,
        },
        samples=max(SAMPLES, 10),
    )
    print_samples(
        "Staying fluid (no reading of the vault)", [baseline, *results.values()], baseline
    )
    worst = max(s.median for s in results.values())
    print(f"  slowest fluid step (median): {fmt_seconds(worst).strip()}")
    Shiboken.delete(view)
