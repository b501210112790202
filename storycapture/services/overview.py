"""What the storyteller list shows at a glance: who, their consent, and their last visit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from storycapture.domain.story import ConsentRecord, Storyteller
from storycapture.domain.vocabulary import ConsentItem
from storycapture.services import records
from storycapture.services.kinds import CONSENT, VISIT, consent_from_record
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession


@dataclass(frozen=True)
class StorytellerSummary:
    storyteller: Storyteller
    consent: ConsentRecord | None
    last_visit: datetime.date | None

    @property
    def uuid(self) -> str:
        return self.storyteller.uuid

    def consent_words(self) -> str:
        if self.consent is None:
            return "No consent recorded yet"
        if not self.consent.allows(ConsentItem.TAKE_PART):  # older vaults could record this
            return "Not agreed to take part"
        if ConsentItem.SHARE_WITH_TEAM in self.consent.items:
            return "Consent recorded · shares with the team"
        return "Consent recorded · stays on this laptop"


def storyteller_summaries(
    vault: VaultSession, damaged: list[str] | None = None
) -> list[StorytellerSummary]:
    """Everyone, by pseudonym, with their current consent and most recent visit. With
    ``damaged``, a storyteller (or a consent record or visit) that cannot be read is left out
    and its id added there; everyone else is listed."""
    people = StorytellerService(vault).list(damaged=damaged)
    consent: dict[str, ConsentRecord] = {}
    last_visit: dict[str, datetime.date] = {}
    skipped: list[str] | None = None if damaged is None else []
    with vault.read() as session:
        for record in records.find(vault, session, CONSENT, damaged=skipped):
            current = consent_from_record(record)
            held = consent.get(record.storyteller_uuid)
            if held is None or current.version > held.version:
                consent[record.storyteller_uuid] = current
        for record in records.find(vault, session, VISIT, damaged=skipped):
            when = datetime.date.fromisoformat(record.values["visit_date"])
            seen = last_visit.get(record.storyteller_uuid)
            if seen is None or when > seen:
                last_visit[record.storyteller_uuid] = when
    return [StorytellerSummary(p, consent.get(p.uuid), last_visit.get(p.uuid)) for p in people]
