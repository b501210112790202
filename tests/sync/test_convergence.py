"""Sync converges, as a property: whatever is edited where, whichever bundles are written, and
in whatever order (and how often) they are delivered, installations that hold the same changes
show the same story.

Three laptops each send to the other two and to two hubs. Laptop A adds a storyteller with
full consent and sends them to B and C; then a random program edits on random laptops (only
items that laptop has), exports from random laptops and delivers any bundle already written to
any laptop but its writer, out of order and again. At the end every laptop exports until there
is nothing new (an item made shareable again on a laptop releases what it held back) and every
bundle goes to every other laptop in a shuffled order, some twice; the two hubs receive every
bundle, each in its own shuffled order with duplicates. Then:

- the two hubs, which hold the same changes, are identical (visible items and the whole log);
- the laptops and the hubs agree on every item that no laptop shows as private (laptops keep
  their own changes to items private on them, so those differ, and should);
- an item made private on its laptop and never made otherwise is nowhere else, not even in a
  log;
- no bundle was refused, no alert was raised, and a bundle delivered again is a duplicate.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycapture.domain.authorship import Author
from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem, Visibility
from storycapture.services.consent import ConsentService
from storycapture.services.kinds import QUOTE, STRENGTH_CARD, TIMELINE_EVENT, EntityKind
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.service import StrengthService
from storycapture.sync.exporting import export_bundle, plan_export
from storycapture.sync.importing import ImportReport, import_bundles
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE
from tests.sync.test_sync import Place, state

LAPTOPS = 3
LAPTOP_NAMES = ["Laptop A", "Laptop B", "Laptop C"]
HUB_NAMES = ["Hub 1", "Hub 2"]
AUTHORS = [FACILITATOR, Author.storyteller(), Author.facilitator("Sam")]
TITLES = ["Moved house", "New job", "Met Sam", "Left school", "The long winter"]
TEXTS = ["I keep going", "I listen", "A garden", "Being a good mum"]
# Private now and then (an item made private stops travelling, which is the hard part), and a
# few values only, so that two laptops often write the same thing or undo each other.
VISIBILITIES = [
    Visibility.TEAM,
    Visibility.SHAREABLE,
    Visibility.TEAM,
    Visibility.SHAREABLE,
    Visibility.PRIVATE,
]
KINDS = {"event": TIMELINE_EVENT, "card": STRENGTH_CARD, "quote": QUOTE}

EDITS = [
    "add_event",
    "event_title",
    "event_valence",
    "event_visibility",
    "event_remove_or_restore",
    "event_whose",
    "add_card",
    "card_text",
    "card_visibility",
    "card_remove_or_restore",
    "card_whose",
    "add_quote",
    "quote_text",
    "quote_visibility",
    "quote_whose",
]


def _step(choice: int, laptop: int, what: str, pick: int, value: int) -> tuple[Any, ...]:
    """Half the steps edit, a sixth export, a third deliver."""
    if choice < 3:
        return ("edit", laptop, what, pick, value)
    if choice == 3:
        return ("export", laptop)
    # a bundle (by its place among those written so far) to its writer's next laptop, or the
    # one after
    return ("deliver", pick, 1 + value % (LAPTOPS - 1))


_pick = st.integers(0, 63)
STEP = st.builds(
    _step, st.integers(0, 5), st.integers(0, LAPTOPS - 1), st.sampled_from(EDITS), _pick, _pick
)


@dataclass
class Installation:
    vault: VaultSession
    outbox: Path


@dataclass
class Item:
    kind: str  # a key of KINDS
    uuid: str
    origin: int
    private_from_start: bool


@dataclass
class World:
    laptops: list[Installation]
    hubs: list[Installation]
    person: str
    items: list[Item] = field(default_factory=list)
    bundles: list[tuple[int, Path]] = field(default_factory=list)  # (writer, file)
    delivered: set[tuple[int, int]] = field(default_factory=set)  # (laptop, bundle index)
    visibility_changed: set[str] = field(default_factory=set)

    # --- editing ----------------------------------------------------------------------------

    def held(self, laptop: int, kind: str, pick: int) -> Item | None:
        """The ``pick``-th item of ``kind`` this laptop has (items in the order made)."""
        vault = self.laptops[laptop].vault
        with vault.read() as session:
            here = [
                i
                for i in self.items
                if i.kind == kind and session.get(KINDS[kind].row, i.uuid) is not None
            ]
        return here[pick % len(here)] if here else None

    def edit(self, laptop: int, what: str, pick: int, value: int) -> None:
        vault = self.laptops[laptop].vault
        author = AUTHORS[value % len(AUTHORS)]
        visibility = VISIBILITIES[value % len(VISIBILITIES)]
        timeline, strengths = TimelineService(vault), StrengthService(vault)
        words = StoryWordsService(vault)
        kind, _, change = what.partition("_")
        item = None if kind == "add" else self.held(laptop, kind, pick)
        if item is None:  # an item to add, or one to change and none here yet: add one
            kind = change if kind == "add" else kind
            if kind == "event":
                made: Any = timeline.add_event(
                    self.person,
                    title=TITLES[value % len(TITLES)],
                    starts=str(1980 + value % 40),
                    valence=value % 7 - 3,
                    visibility=visibility,
                    author=author,
                )
            elif kind == "card":
                made = strengths.add_card(
                    self.person,
                    kind=list(CardKind)[value % len(CardKind)],
                    text=TEXTS[value % len(TEXTS)],
                    visibility=visibility,
                    author=author,
                )
            else:
                made = words.add_quote(
                    self.person, TEXTS[value % len(TEXTS)], visibility=visibility, author=author
                )
            private = visibility is Visibility.PRIVATE
            self.items.append(Item(kind, made.meta.uuid, laptop, private))
            return
        if change == "visibility":
            self.visibility_changed.add(item.uuid)
        if change == "whose":  # whose words they are, changed by whoever holds the laptop
            whose = AUTHORS[pick % len(AUTHORS)]
            update: Any = {
                "event": timeline.update_event,
                "card": strengths.update_card,
                "quote": words.update_quote,
            }[kind]
            update(item.uuid, author=author, words_by=whose)
            return
        if kind == "event":
            if change == "title":
                timeline.update_event(item.uuid, title=TITLES[value % len(TITLES)], author=author)
            elif change == "valence":
                timeline.update_event(item.uuid, valence=value % 7 - 3, author=author)
            elif change == "visibility":
                timeline.update_event(item.uuid, visibility=visibility, author=author)
            elif _is_deleted(self.laptops[laptop], TIMELINE_EVENT, item.uuid):
                timeline.restore_event(item.uuid, author=author)
            else:
                timeline.remove_event(item.uuid, author=author)
        elif kind == "card":
            if change == "text":
                strengths.update_card(item.uuid, text=TEXTS[value % len(TEXTS)], author=author)
            elif change == "visibility":
                strengths.update_card(item.uuid, visibility=visibility, author=author)
            else:
                deleted = _is_deleted(self.laptops[laptop], STRENGTH_CARD, item.uuid)
                strengths.update_card(item.uuid, deleted=not deleted, author=author)
        elif change == "text":
            words.update_quote(item.uuid, text=TEXTS[value % len(TEXTS)], author=author)
        else:
            words.update_quote(item.uuid, visibility=visibility, author=author)

    # --- moving bundles ---------------------------------------------------------------------

    def export(self, laptop: int) -> bool:
        """Write the laptop's next bundle, if it has anything new to send."""
        place = self.laptops[laptop]
        plan = plan_export(place.vault)
        if plan.is_empty:
            return False
        written = export_bundle(place.vault, place.outbox, plan)
        self.bundles.append((laptop, written.bundle.path))
        return True

    def deliver(self, laptop: int, indexes: list[int]) -> None:
        report = import_bundles(self.laptops[laptop].vault, [self.bundles[i][1] for i in indexes])
        expected = []
        for index in indexes:
            assert self.bundles[index][0] != laptop
            expected.append("duplicate" if (laptop, index) in self.delivered else "imported")
            self.delivered.add((laptop, index))
        _check(report, expected)


def _is_deleted(place: Installation, kind: EntityKind, uuid: str) -> bool:
    with place.vault.read() as session:
        row = session.get(kind.row, uuid)
        assert row is not None
        return bool(row.deleted)


def _check(report: ImportReport, expected: list[str]) -> None:
    assert not report.refused, report.lines()
    assert not report.alerts, report.lines()
    assert [b.status for b in report.bundles] == expected, report.lines()


def _with_duplicates(indexes: list[int], rng: random.Random) -> list[int]:
    out = indexes + rng.sample(indexes, k=len(indexes) // 3)
    rng.shuffle(out)
    return out


def _expected_statuses(indexes: list[int]) -> list[str]:
    seen: set[int] = set()
    out = []
    for index in indexes:
        out.append("duplicate" if index in seen else "imported")
        seen.add(index)
    return out


def _private_items(states: list[dict[str, Any]]) -> set[str]:
    private = set()
    for shown in states:
        for kind in KINDS.values():
            for uuid, _person, _author, values in shown[kind.name]:
                if json.loads(values).get("visibility") == Visibility.PRIVATE.value:
                    private.add(uuid)
    return private


def _without(shown: dict[str, Any], uuids: set[str]) -> dict[str, Any]:
    """The state, leaving out the items ``uuids`` and their logged changes."""
    return {
        key: [row for row in rows if row[0] not in uuids] if key != "tombstones" else rows
        for key, rows in shown.items()
    }


def _mentions(shown: dict[str, Any]) -> set[str]:
    return {row[0] for key, rows in shown.items() if key != "tombstones" for row in rows}


def _build_template(root: Path) -> None:
    """The starting point of every example, made once: five vaults that trust each other, the
    storyteller on laptop A and A's first bundle (making five vaults takes about a second;
    copying and unlocking them, a quarter of that)."""
    laptops = [Place(root, name) for name in LAPTOP_NAMES]
    hubs = [Place(root, name) for name in HUB_NAMES]
    for laptop in laptops:
        laptop.sends_to(*(other for other in laptops if other is not laptop), *hubs)
    vault = laptops[0].vault
    # No real name: it never leaves a laptop, so it would differ by design.
    person = StorytellerService(vault).add("Juniper", author=FACILITATOR, birth_year=1980)
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    export_bundle(vault, laptops[0].outbox)
    (root / "person").write_text(person.uuid)
    for place in (*laptops, *hubs):
        place.vault.lock()


def _make_world(template: Path, root: Path) -> World:
    shutil.copytree(template, root, dirs_exist_ok=True)
    places = [
        Installation(VaultSession.unlock(root / name, PASSPHRASE), root / f"{name}-outbox")
        for name in (*LAPTOP_NAMES, *HUB_NAMES)
    ]
    world = World(places[:LAPTOPS], places[LAPTOPS:], (root / "person").read_text())
    (first,) = places[0].outbox.iterdir()
    world.bundles.append((0, first))
    world.deliver(1, [0])
    world.deliver(2, [0])
    return world


_TEMPLATE: dict[str, Path] = {}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(program=st.lists(STEP, min_size=20, max_size=40), rng=st.randoms(use_true_random=False))
def test_installations_with_the_same_changes_show_the_same_story(
    tmp_path_factory: pytest.TempPathFactory, program: list[tuple[Any, ...]], rng: random.Random
) -> None:
    if "root" not in _TEMPLATE:
        _TEMPLATE["root"] = tmp_path_factory.mktemp("convergence-template")
        _build_template(_TEMPLATE["root"])
    with tempfile.TemporaryDirectory(prefix="convergence-") as folder:
        world = _make_world(_TEMPLATE["root"], Path(folder))
        try:
            _run(world, program, rng)
        finally:
            for place in (*world.laptops, *world.hubs):
                place.vault.lock()


def _run(world: World, program: list[tuple[Any, ...]], rng: random.Random) -> None:
    for step in program:
        if step[0] == "edit":
            world.edit(*step[1:])
        elif step[0] == "export":
            world.export(step[1])
        elif world.bundles:
            index = step[1] % len(world.bundles)
            world.deliver((world.bundles[index][0] + step[2]) % LAPTOPS, [index])

    # Everything goes everywhere, until no laptop has anything left to send.
    sent_everywhere = 0
    for _round in range(5):
        wrote = [world.export(laptop) for laptop in range(LAPTOPS)]
        if not any(wrote) and sent_everywhere == len(world.bundles):
            break
        for laptop in range(LAPTOPS):
            others = [i for i, (writer, _) in enumerate(world.bundles) if writer != laptop]
            if sent_everywhere:  # the earlier ones have all arrived: only the new ones again
                others = [i for i in others if i >= sent_everywhere]
            if others:
                world.deliver(laptop, _with_duplicates(others, rng))
        sent_everywhere = len(world.bundles)
    else:
        raise AssertionError("the laptops kept finding more to send")
    assert all(plan_export(laptop.vault).is_empty for laptop in world.laptops)

    everything = list(range(len(world.bundles)))
    for hub in world.hubs:
        order = _with_duplicates(everything, rng)
        _check(
            import_bundles(hub.vault, [world.bundles[i][1] for i in order]),
            _expected_statuses(order),
        )

    hubs = [state(hub.vault) for hub in world.hubs]
    assert hubs[0] == hubs[1]

    laptops = [state(laptop.vault) for laptop in world.laptops]
    private = _private_items(laptops)
    shared = _without(hubs[0], private)
    for shown in laptops:
        assert _without(shown, private) == shared
    assert shared["storyteller"] and shared["consent"]

    # Private from the start and never otherwise: only on the laptop that made it.
    for item in world.items:
        if item.private_from_start and item.uuid not in world.visibility_changed:
            assert item.uuid in _mentions(laptops[item.origin])
            for number, shown in enumerate([*laptops, *hubs]):
                if number != item.origin:
                    assert item.uuid not in _mentions(shown)
