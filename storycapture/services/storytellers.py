"""Storytellers: add, change, list. Erasing one is consent withdrawal (``services.consent``)."""

from __future__ import annotations

import builtins
import datetime

from storycapture.domain.authorship import Author
from storycapture.domain.story import Storyteller
from storycapture.domain.text import SHORT, checked_birth_year, checked_text
from storycapture.domain.visibility import checked_default
from storycapture.domain.vocabulary import Role, Visibility
from storycapture.services import records
from storycapture.services.base import UNSET, StoryService, Unset, checked_changes
from storycapture.services.kinds import STORYTELLER, storyteller_from_record


def _checked_pseudonym(value: object) -> str:
    return checked_text(value, "pseudonym", SHORT, required=True)


def _checked_real_name(value: object) -> str | None:
    if value is None or value == "":
        return None
    return checked_text(value, "real name", SHORT)


def _checked_birth_year(value: object) -> int | None:
    return checked_birth_year(value, datetime.date.today().year)


def _default_value(value: object) -> str | None:
    chosen = checked_default(value)  # type: ignore[arg-type]
    return None if chosen is None else chosen.value


class StorytellerService(StoryService):
    def add(
        self,
        pseudonym: str,
        *,
        author: Author,
        real_name: str | None = None,
        birth_year: int | None = None,
        role: Role | str = Role.LIVED_EXPERIENCE,
        notes: str = "",
        default_visibility: Visibility | str | None = None,
    ) -> Storyteller:
        chosen = checked_default(default_visibility)
        values = {
            "pseudonym": _checked_pseudonym(pseudonym),
            "real_name": _checked_real_name(real_name),
            "birth_year": _checked_birth_year(birth_year),
            "role": Role.parse(role).value,
            "notes": checked_text(notes, "notes"),
            "default_visibility": None if chosen is None else chosen.value,
        }
        uuid = records.new_uuid()
        with self._vault.edit() as session:
            record = records.insert(
                self._vault, session, STORYTELLER, uuid, values, author, record_uuid=uuid
            )
        return storyteller_from_record(record)

    def update(
        self,
        storyteller_uuid: str,
        *,
        author: Author,
        pseudonym: str | Unset = UNSET,
        real_name: str | Unset | None = UNSET,
        birth_year: int | Unset | None = UNSET,
        role: Role | str | Unset = UNSET,
        notes: str | Unset = UNSET,
        default_visibility: Visibility | str | Unset | None = UNSET,
    ) -> Storyteller:
        """Change what is given; ``default_visibility`` is the storyteller's own choice of what
        their new items are (private to this laptop, or for the programme team)."""
        changes = checked_changes(
            pseudonym=(pseudonym, _checked_pseudonym),
            real_name=(real_name, _checked_real_name),
            birth_year=(birth_year, _checked_birth_year),
            role=(role, lambda v: Role.parse(v).value),
            notes=(notes, lambda v: checked_text(v, "notes")),
            default_visibility=(default_visibility, _default_value),
        )
        with self._vault.edit() as session:
            record = records.update(
                self._vault, session, STORYTELLER, storyteller_uuid, changes, author
            )
        return storyteller_from_record(record)

    def get(self, storyteller_uuid: str) -> Storyteller:
        with self._vault.read() as session:
            return storyteller_from_record(
                records.get(self._vault, session, STORYTELLER, storyteller_uuid)
            )

    def list(self, damaged: builtins.list[str] | None = None) -> list[Storyteller]:
        """Every storyteller on this device, by pseudonym. With ``damaged``, a storyteller
        whose record or key is damaged is left out and their id added there (the others are
        listed); without it, one damaged storyteller raises ``VaultDamaged``."""
        with self._vault.read() as session:
            found = [
                storyteller_from_record(r)
                for r in records.find(self._vault, session, STORYTELLER, damaged=damaged)
            ]
        return sorted(found, key=lambda s: (s.pseudonym.casefold(), s.uuid))

    def ids(self) -> builtins.list[str]:
        """Every storyteller's id, read without opening anything (a damaged one too)."""
        with self._vault.read() as session:
            return records.uuids(session, STORYTELLER)
