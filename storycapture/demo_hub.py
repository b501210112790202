"""The practice hub: a hub vault filled the real way, for trying the story-sharing room.

Three invented laptops (one for each facilitator of the demo stories, in temporary vaults)
each gather their storytellers through the services, add the hub as the one they send to, and
export a bundle; the hub trusts each laptop and imports the three bundles, as a programme office
would. Only what a bundle carries arrives: nothing private, and no real name. Then an invented
team member, Dana, names a few themes and marks excerpts from quotes and moments, some in two
themes. The laptops' vaults and bundles are removed afterwards; everything is invented.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycapture.demo import (
    DEMO_PASSPHRASE,
    PRACTICE_SETTING,
    add_demo_storyteller,
    practice_kdf,
    read_demo,
)
from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.hub.room import RoomService
from storycapture.services import records
from storycapture.services.kinds import QUOTE, STORYTELLER, TIMELINE_EVENT
from storycapture.services.vault import KdfChooser, VaultSession, discard_new_vault
from storycapture.sync.exporting import export_bundle
from storycapture.sync.importing import import_bundles
from storycapture.sync.trust import TrustService

HUB_NAME = "Programme hub (practice)"
TEAM_MEMBER = "Dana"  # the invented team member who names the themes and marks the excerpts


@dataclass(frozen=True)
class PracticeTheme:
    name: str
    description: str


PRACTICE_THEMES = (
    PracticeTheme(
        "Waiting for help",
        "Long waits, forms and being passed between services before help came.",
    ),
    PracticeTheme(
        "Nature and outdoors",
        "Gardens, parks, birds and the open air as a way back to feeling well.",
    ),
    PracticeTheme(
        "Being believed",
        "Being listened to and taken seriously, or left in the corridor.",
    ),
    PracticeTheme(
        "Small kindnesses",
        "A flask, a phone call, a kind word: small things that made a big difference.",
    ),
)


@dataclass(frozen=True)
class PracticeExcerpt:
    """An excerpt to mark: whose story, a quote (by how it begins) or a moment (by its title),
    optionally only some of its words, and its themes (none: left among the unsorted notes)."""

    pseudonym: str
    kind: str  # "quote" or "timeline_event"
    find: str  # a quote's first words, or a moment's title
    themes: tuple[str, ...]
    span: str | None = None


PRACTICE_EXCERPTS = (
    PracticeExcerpt(
        "Marigold",
        "quote",
        "The allotment doesn't care",
        ("Nature and outdoors",),
        span="The allotment doesn't care if you've had a bad week.",
    ),
    PracticeExcerpt(
        "Marigold", "timeline_event", "Told the health visitor how I felt", ("Being believed",)
    ),
    PracticeExcerpt(
        "Marigold",
        "timeline_event",
        "Workers kept changing",
        ("Waiting for help", "Being believed"),
    ),
    PracticeExcerpt(
        "Sunny", "timeline_event", "Occupational health referral", ("Waiting for help",)
    ),
    PracticeExcerpt(
        "Sunny",
        "timeline_event",
        "Beginners' running club",
        ("Nature and outdoors", "Small kindnesses"),
    ),
    PracticeExcerpt(
        "Wren", "timeline_event", "Online form to student wellbeing", ("Waiting for help",)
    ),
    PracticeExcerpt(
        "Wren", "timeline_event", "A GP who took her time", ("Being believed", "Small kindnesses")
    ),
    PracticeExcerpt(
        "Moth", "quote", "At dawn it's just me and the birds", ("Nature and outdoors",)
    ),
    PracticeExcerpt(
        "Moth", "timeline_event", "Outreach worker with a flask", ("Small kindnesses",)
    ),
    PracticeExcerpt(
        "Moth", "quote", "Being talked about rather than talked to", ("Being believed",)
    ),
    PracticeExcerpt(
        "Captain Biscuit", "quote", "Always keep a biscuit in your pocket", ("Small kindnesses",)
    ),
    PracticeExcerpt("Bramble", "timeline_event", "Nobody would tell me anything", ()),
)

# Where the themes and notes go on the board: a column for each theme, unsorted notes below.
_COLUMN = 380.0
_THEME_Y = 40.0
_NOTE_Y = 150.0
_NOTE_STEP = 110.0
_UNSORTED_Y = 720.0


def create_demo_hub(
    data_dir: Path, source: Path, kdf: KdfChooser | None = None
) -> tuple[VaultSession, str]:
    """Create a practice hub in ``data_dir`` from the demo stories in ``source``; returns it
    unlocked, with its recovery key. Nothing is left behind if any step fails (no half-made
    hub, no laptop). A folder that already holds a vault is refused before anything is made."""
    data = read_demo(source)
    chooser = kdf or practice_kdf
    hub, recovery_key = VaultSession.create(data_dir, DEMO_PASSPHRASE, kdf=chooser)
    try:
        hub.set_setting(PRACTICE_SETTING, b"invented storytellers, a practice hub")
        TrustService(hub).set_device_name(HUB_NAME)
        with tempfile.TemporaryDirectory(prefix="storycapture-practice-laptops-") as scratch:
            bundles = _gather_on_laptops(
                hub, laptops_of(data["storytellers"]), Path(scratch), chooser
            )
            report = import_bundles(hub, bundles)
            if report.refused:
                raise InvalidInput(
                    "The practice hub could not import its laptops' bundles: "
                    + " ".join(b.message for b in report.refused)
                )
        _mark_the_room(hub)
    except BaseException:
        # A half-made practice hub is worse than none: remove what this call made.
        hub.lock()
        discard_new_vault(data_dir)
        raise
    return hub, recovery_key


def laptops_of(people: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The demo storytellers by the facilitator who gathered them: one laptop each."""
    laptops: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        laptops.setdefault(person["consent"][0]["facilitator"], []).append(person)
    return laptops


def _gather_on_laptops(
    hub: VaultSession,
    laptops: dict[str, list[dict[str, Any]]],
    scratch: Path,
    kdf: KdfChooser,
) -> list[Path]:
    """Each laptop's stories gathered in a vault of its own and exported to the hub: the
    bundles' paths (in ``scratch``, removed with it)."""
    hub_trust = TrustService(hub)
    outbox = scratch / "bundles"
    outbox.mkdir()
    written = []
    for number, (facilitator, people) in enumerate(laptops.items(), start=1):
        name = f"{facilitator}'s laptop (practice)"
        laptop, _recovery = VaultSession.create(
            scratch / f"laptop-{number}", DEMO_PASSPHRASE, kdf=kdf
        )
        try:
            laptop.set_setting(PRACTICE_SETTING, b"invented storytellers")
            trust = TrustService(laptop)
            trust.set_device_name(name)
            for person in people:
                add_demo_storyteller(laptop, person)
            trust.add_recipient(hub.device_age_recipient, HUB_NAME)
            hub_trust.trust_device(trust.identity().fingerprint, name)
            written.append(export_bundle(laptop, outbox).bundle.path)
        finally:
            laptop.lock()
    return written


def _mark_the_room(hub: VaultSession) -> None:
    room = RoomService(hub)
    team = Author.facilitator(TEAM_MEMBER)
    themes = {
        theme.name: room.add_theme(
            theme.name, author=team, description=theme.description, x=40 + i * _COLUMN, y=_THEME_Y
        )
        for i, theme in enumerate(PRACTICE_THEMES)
    }
    with hub.read() as session:
        people = {r.values["pseudonym"]: r.uuid for r in records.find(hub, session, STORYTELLER)}
    placed: dict[str, int] = {}
    for excerpt in PRACTICE_EXCERPTS:
        person = people.get(excerpt.pseudonym)
        if person is None:
            raise InvalidInput(f"The demo stories have no storyteller called {excerpt.pseudonym}.")
        uuid, words = _find_item(hub, person, excerpt)
        start = end = None
        if excerpt.span is not None:
            start = words.find(excerpt.span)
            if start < 0:
                raise InvalidInput(f"The demo stories have changed: “{excerpt.span}” is gone.")
            end = start + len(excerpt.span)
        column = excerpt.themes[0] if excerpt.themes else ""
        row = placed.get(column, 0)
        placed[column] = row + 1
        if column:
            x = themes[column].x + 10
            y = _NOTE_Y + row * _NOTE_STEP
        else:
            x, y = 40 + row * _COLUMN, _UNSORTED_Y
        room.add_excerpt(
            person,
            source_kind=excerpt.kind,
            source_uuid=uuid,
            marked_by=TEAM_MEMBER,
            start=start,
            end=end,
            themes=[themes[name].uuid for name in excerpt.themes],
            x=x,
            y=y,
        )


def _find_item(hub: VaultSession, person: str, excerpt: PracticeExcerpt) -> tuple[str, str]:
    """The item an excerpt is marked from, as it arrived at the hub: its id and words."""
    kind = QUOTE if excerpt.kind == "quote" else TIMELINE_EVENT
    with hub.read() as session:
        found = records.find(hub, session, kind, person)
    for record in found:
        values = record.values
        if kind is QUOTE and values["text"].startswith(excerpt.find):
            return record.uuid, values["text"]
        if kind is TIMELINE_EVENT and values["title"] == excerpt.find:
            return record.uuid, values["words"]
    raise InvalidInput(
        f"The demo stories have changed: {excerpt.pseudonym}'s “{excerpt.find}” did not arrive."
    )


def practice_hub_dir(data_dir: Path) -> Path:
    """The practice hub's own folder, beside the real vault's (and the practice vault's)."""
    data_dir = Path(data_dir).expanduser().absolute()
    return data_dir.with_name(f"{data_dir.name}-practice-hub")
