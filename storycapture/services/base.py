"""What every story service shares: the vault, the conversions, and the consent check."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from storycapture.domain.errors import ConsentMissing, InvalidInput, NotFound
from storycapture.domain.story import ConsentRecord
from storycapture.domain.vocabulary import ConsentItem, Visibility
from storycapture.services import kinds, records
from storycapture.services.kinds import CONSENT, STORYTELLER, consent_from_record
from storycapture.services.vault import VaultSession


class Unset:
    """Marks an argument that was not given (``None`` is a real value for many fields)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


def as_visibility(value: Visibility | str) -> Visibility:
    return value if isinstance(value, Visibility) else Visibility(Visibility.parse(value))


def as_date(value: datetime.date | str, what: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value.strip())
    except (ValueError, AttributeError) as error:
        raise InvalidInput(
            f"The {what} should be a date like 2026-03-14, not “{value}”."
        ) from error


class StoryService:
    """Base of the services that read and write one storyteller's story."""

    def __init__(self, vault: VaultSession) -> None:
        self._vault = vault

    @property
    def vault(self) -> VaultSession:
        return self._vault

    def _require_storyteller(self, session: Session, storyteller_uuid: str) -> None:
        records.get(self._vault, session, STORYTELLER, storyteller_uuid)

    def _current_consent(self, session: Session, storyteller_uuid: str) -> ConsentRecord | None:
        found = records.find(self._vault, session, CONSENT, storyteller_uuid)
        if not found:
            return None
        return max((consent_from_record(r) for r in found), key=lambda c: c.version)

    def _require_consent(self, session: Session, storyteller_uuid: str, item: ConsentItem) -> None:
        self._require_storyteller(session, storyteller_uuid)
        consent = self._current_consent(session, storyteller_uuid)
        if consent is None or not consent.allows(item):
            raise ConsentMissing(
                f"This storyteller has not agreed to “{item.label.lower()}” yet; "
                "record their consent first."
            )

    def _require_same_storyteller(
        self,
        session: Session,
        kind: kinds.EntityKind,
        record_uuid: str | None,
        storyteller_uuid: str,
    ) -> None:
        """A link (to a visit, an event) must stay inside one person's story."""
        if record_uuid is None:
            return
        linked = records.get(self._vault, session, kind, record_uuid)
        if linked.storyteller_uuid != storyteller_uuid or linked.values.get("deleted"):
            raise NotFound(f"That is not {kind.label} in this storyteller's story.")


def checked_changes(**given: tuple[Any, Callable[[Any], Any]]) -> dict[str, Any]:
    """The fields given (not ``UNSET``), each passed through its check: ``name=(value, check)``."""
    return {
        name: check(value) for name, (value, check) in given.items() if not isinstance(value, Unset)
    }


def visibility_value(value: Visibility | str) -> str:
    return as_visibility(value).value
