"""The practice vault: fictional storytellers from ``resources/demo/demo-vault.json``.

Everything in it is invented. It is loaded through the same services as real stories, so
it exercises the same rules (consent first, fuzzy dates, authorship, visibility).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storycapture.crypto import KdfParams
from storycapture.crypto.kdf import MIN_ITERATIONS, MIN_MEMORY_KIB
from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.story import HelpSeeking
from storycapture.domain.vocabulary import Helped
from storycapture.services.consent import ConsentService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import (
    KdfChooser,
    VaultSession,
    discard_new_vault,
)
from storycapture.services.visits import VisitService
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService

DEMO_PASSPHRASE = "practice makes progress"
DEMO_FORMAT = 1
# A vault setting that marks a practice vault, so the window can always say so.
PRACTICE_SETTING = "practice"


def is_practice_vault(vault: VaultSession) -> bool:
    """Whether ``vault`` is a practice vault of invented storytellers."""
    return vault.setting(PRACTICE_SETTING) is not None


def read_demo(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"The demo stories in {path.name} cannot be read.") from error
    if data.get("format") != DEMO_FORMAT:
        raise InvalidInput(f"The demo stories in {path.name} are in a format we don't know.")
    return data


def practice_kdf() -> KdfParams:
    """The practice vault's key derivation: the lightest allowed. Its passphrase is printed
    for everyone to read, so a costly derivation would protect nothing; it would only make
    every practice unlock (and making the vault) slower."""
    return KdfParams.new(MIN_MEMORY_KIB, MIN_ITERATIONS, 4)


def create_demo_vault(
    data_dir: Path, source: Path, kdf: KdfChooser | None = None
) -> tuple[VaultSession, str]:
    """Create a vault holding the demo storytellers; returns it unlocked, with its recovery key."""
    data = read_demo(source)
    vault, recovery_key = VaultSession.create(data_dir, DEMO_PASSPHRASE, kdf=kdf or practice_kdf)
    try:
        vault.set_setting(PRACTICE_SETTING, b"invented storytellers")
        for person in data["storytellers"]:
            add_demo_storyteller(vault, person)
    except BaseException:
        # A half-filled practice vault is worse than none: remove what this call made.
        vault.lock()
        discard_new_vault(data_dir)
        raise
    return vault, recovery_key


def _author(value: str, facilitator: str) -> Author:
    return Author.storyteller() if value == "storyteller" else Author.facilitator(facilitator)


def add_demo_storyteller(vault: VaultSession, person: dict[str, Any]) -> None:
    """One demo storyteller (a ``storytellers`` entry of the demo file), through the services."""
    facilitator = person["consent"][0]["facilitator"]
    staff = Author.facilitator(facilitator)
    storyteller = StorytellerService(vault).add(
        person["pseudonym"],
        author=staff,
        real_name=person.get("real_name"),
        birth_year=person.get("birth_year"),
        role=person["role"],
        notes=person.get("notes") or "",
    )
    uuid = storyteller.uuid
    consent = ConsentService(vault)
    for record in sorted(person["consent"], key=lambda r: r["version"]):
        consent.record(
            uuid,
            items=[item for item, agreed in record["items"].items() if agreed],
            how=record["how"],
            given_on=record["given_on"],
            facilitator=record["facilitator"],
            author=Author.facilitator(record["facilitator"]),
        )
    visits = {
        visit["key"]: VisitService(vault)
        .start(
            uuid,
            author=staff,
            visit_date=visit["date"],
            place_type=visit["place_type"],
            present=visit.get("present", ""),
            notes=visit.get("notes", ""),
        )
        .uuid
        for visit in person["visits"]
    }
    timeline = TimelineService(vault)
    # Events dated relative to another ("after Moved to Leeds") go in after their anchors.
    # A moment with no "date" (or "valence") has none: the demo invents nothing either.
    events = sorted(
        person["events"],
        key=lambda e: (e.get("date") or "").startswith(("before ", "after ")),
    )
    for event in events:
        help_data = event.get("help")
        timeline.add_event(
            uuid,
            title=event["title"],
            starts=event.get("date"),
            ends=event.get("end"),
            valence=event.get("valence"),
            life_area=event["life_area"],
            words=event.get("words", ""),
            visibility=event["visibility"],
            visit_uuid=visits.get(event.get("visit", "")),
            author=_author(event["author"], facilitator),
            help=None
            if help_data is None
            else HelpSeeking(
                asked_for=help_data.get("asked_for", ""),
                from_whom=help_data.get("from_whom", ""),
                what_happened=help_data.get("what_happened", ""),
                helped=Helped.parse(help_data["helped"]) if help_data.get("helped") else None,
            ),
        )
    strengths = StrengthService(vault)
    for card in person.get("cards", []):
        strengths.add_card(
            uuid,
            kind=card["kind"],
            text=card["text"],
            prompt_id=card.get("prompt"),
            visit_uuid=visits.get(card.get("visit", "")),
            author=_author(card["author"], facilitator),
        )
    words = StoryWordsService(vault)
    for quote in person.get("quotes", []):
        words.add_quote(
            uuid,
            quote["text"],
            visibility=quote["visibility"],
            author=_author(quote["author"], facilitator),
        )
    for note in person.get("narrative_notes", []):
        words.add_note(
            uuid,
            note["text"],
            visibility=note["visibility"],
            author=_author(note["author"], facilitator),
        )
