"""What an import tells people: each bundle's outcome, the changes that met (conflicts) and the
bundles still missing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from storycapture.services.vault import VaultSession
from storycapture.store import models


@dataclass(frozen=True)
class Conflict:
    """One field changed on two devices that had not seen each other's change."""

    storyteller: str  # pseudonym, or "" if not known here
    what: str  # "a timeline event"
    field: str
    kept_device: str
    other_device: str

    def sentence(self) -> str:
        whose = f" in {self.storyteller}'s story" if self.storyteller else ""
        return (
            f"“{self.field.replace('_', ' ')}” of {self.what}{whose} was changed both on "
            f"{self.other_device} and on {self.kept_device}: the later change (from "
            f"{self.kept_device}) is shown; the other is kept in the item's history."
        )


@dataclass
class BundleOutcome:
    file: str
    status: str  # "imported", "duplicate", "empty" or "refused"
    message: str
    sender: str = ""
    sequence: int = 0
    reason: str = ""


@dataclass
class ImportReport:
    bundles: list[BundleOutcome] = field(default_factory=list)
    new: int = 0  # items that appeared
    updated: int = 0  # items that changed
    duplicate: int = 0  # changes that were already here
    history_only: int = 0  # changes older than what is shown: kept in the history
    erased: int = 0  # storytellers erased by a withdrawal
    conflicts: list[Conflict] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[BundleOutcome]:
        return [b for b in self.bundles if b.status == "refused"]

    def counts(self) -> str:
        """What changed, in one or two sentences (say it only if something was imported)."""
        text = (
            f"{self.new} new item{s_for(self.new)}, {self.updated} updated, "
            f"{self.duplicate} change{s_for(self.duplicate)} already here"
            + (
                f", {self.history_only} older change{s_for(self.history_only)} kept in the history"
                if self.history_only
                else ""
            )
            + "."
        )
        if self.erased:
            text += f" {self.erased} storyteller{s_for(self.erased)} erased: consent was withdrawn."
        return text

    def lines(self) -> list[str]:
        out = []
        for bundle in self.bundles:
            out.append(f"{bundle.file}: {bundle.message}")
        if not any(b.status == "imported" for b in self.bundles):
            return out  # nothing new was imported: the outcomes are all there is to say
        out.append(self.counts())
        out.extend(self.gaps)
        if self.conflicts:
            out.append(f"{len(self.conflicts)} change{s_for(len(self.conflicts))} to review:")
            out.extend(f"  {c.sentence()}" for c in self.conflicts)
        out.extend(self.alerts)
        return out


def s_for(n: int) -> str:
    return "" if n == 1 else "s"


def gaps(vault: VaultSession) -> list[str]:
    """Bundles that have not arrived: a number missing below the highest one received."""
    with vault.read() as session:
        received: dict[str, set[int]] = defaultdict(set)
        for device_id, sequence in session.execute(
            select(models.BundleReceiptRow.device_id, models.BundleReceiptRow.sequence)
        ):
            received[device_id].add(sequence)
        names = device_names(session)
    out = []
    for device_id, numbers in sorted(received.items(), key=lambda i: names.get(i[0], "")):
        missing = [n for n in range(1, max(numbers)) if n not in numbers]
        name = names.get(device_id, "another device")
        for n in missing[:20]:
            out.append(f"Bundle {n} from the laptop named {name} has not arrived yet.")
        if len(missing) > 20:
            out.append(f"…and {len(missing) - 20} more bundles from {name}.")
    return out


def conflicts_to_review(vault: VaultSession) -> list[models.SyncConflictRow]:
    with vault.read() as session:
        query = select(models.SyncConflictRow).where(models.SyncConflictRow.reviewed.is_(False))
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def mark_conflicts_reviewed(vault: VaultSession) -> int:
    with vault.edit() as session:
        rows = list(
            session.scalars(
                select(models.SyncConflictRow).where(models.SyncConflictRow.reviewed.is_(False))
            )
        )
        for row in rows:
            row.reviewed = True
        return len(rows)


def device_names(session: Session) -> dict[str, str]:
    names = {r.device_id: r.device_name for r in session.scalars(select(models.BundleReceiptRow))}
    for peer in session.scalars(select(models.SyncPeerRow)):
        if peer.device_id:
            names[peer.device_id] = peer.name
    return names
