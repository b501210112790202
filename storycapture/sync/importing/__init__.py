"""Import: verify a bundle completely, then merge its changes in one transaction.

Every field is a last-writer-wins register ordered by (clock, device id), so bundles can
arrive in any order, any number of times, from any number of devices, and every installation
that has received the same changes shows the same story. Nothing is overwritten silently:
every change received is kept in the operation log, so an item's history shows the value
that lost, and a change made on two devices that had not seen each other's (a conflict) is
listed for a person to review.

An item is shown only once every one of its fields has arrived (a later bundle of the device
that made it can come first); a storyteller who has only partly arrived is kept but not shown.
"""

from storycapture.sync.importing.pipeline import import_bundle, import_bundles, verify_bundle_file
from storycapture.sync.importing.report import (
    BundleOutcome,
    Conflict,
    ImportReport,
    conflicts_to_review,
    gaps,
    mark_conflicts_reviewed,
)

__all__ = [
    "BundleOutcome",
    "Conflict",
    "ImportReport",
    "conflicts_to_review",
    "gaps",
    "import_bundle",
    "import_bundles",
    "mark_conflicts_reviewed",
    "verify_bundle_file",
]
