"""Checks of a bundle's changes before anything is written: well-formed values, ids and texts,
and its place in its sender's chain of bundles.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from storycapture.domain.authorship import Author
from storycapture.domain.clock import Hlc
from storycapture.domain.errors import StoryCaptureError
from storycapture.services.kinds import (
    ENTITY_KINDS,
    STORYTELLER,
    WORDS_BY,
)
from storycapture.store import models
from storycapture.sync.bundle import BundleRefused, Manifest, OpenedBundle
from storycapture.sync.importing.report import ImportReport

_LINK_FIELDS = {name for kind in ENTITY_KINDS.values() for name, _target in kind.links}


def _check_strings(value: Any) -> bool:
    """Every string can be stored (no lone surrogates)."""
    if isinstance(value, str):
        if value.isascii():
            return True  # (no surrogate is ASCII: most texts are, and need no encoding)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_check_strings(v) for v in value)
    if isinstance(value, dict):
        return all(_check_strings(k) and _check_strings(v) for k, v in value.items())
    return True


def _is_uuid(text: object) -> bool:
    return isinstance(text, str) and _is_uuid_text(text)


@lru_cache(maxsize=65536)
def _is_uuid_text(text: str) -> bool:
    """(Remembered: a bundle names each item in every change to it, and its storyteller in
    every change of theirs.)"""
    try:
        return str(uuid_module.UUID(text)) == text
    except ValueError:
        return False


def check_operations(operations: Sequence[dict[str, Any]]) -> None:
    """Every change names a known kind of item and field, with a value of the right kind."""

    def refuse(why: str) -> BundleRefused:
        return BundleRefused(
            f"This bundle holds a change StoryCapture cannot take ({why}), so nothing was "
            "imported.",
            reason="bad-operation",
        )

    stamps_read: set[tuple[str, str]] = set()  # (clock, author) pairs already decoded
    for op in operations:
        stamp = (op["hlc"], op["author"])
        if not (type(stamp[0]) is str and type(stamp[1]) is str and stamp in stamps_read):
            try:
                Hlc.decode(op["hlc"])
                Author.decode(op["author"])
            except (ValueError, StoryCaptureError) as error:
                raise refuse("a clock or author it does not know") from error
            if type(stamp[0]) is str and type(stamp[1]) is str:
                stamps_read.add(stamp)
        if not _is_uuid(op["storyteller"]):
            raise refuse("a storyteller reference it does not know")
        if op["op"] == "erase":
            continue
        kind = ENTITY_KINDS.get(op["entity"])
        if kind is None or kind.stays_here or op["field"] not in kind.synced_fields:
            raise refuse(f"a kind of item or field it does not know: {op['entity']}.{op['field']}")
        if not _is_uuid(op["uuid"]):
            raise refuse("an item reference it does not know")
        if kind is STORYTELLER and op["uuid"] != op["storyteller"]:
            raise refuse("a storyteller that is not themself")
        value = op["value"]
        name = op["field"]
        if name == "deleted" and not isinstance(value, bool):
            raise refuse("a deletion that is not yes or no")
        if name == "version" and (type(value) is not int or value < 0):
            raise refuse("a consent version that is not a number")
        if name in kind.kept_here and value is not None:
            raise refuse(f"{kind.label}'s {name.replace('_', ' ')}, which never leaves a laptop")
        if name in _LINK_FIELDS and value is not None and not _is_uuid(value):
            raise refuse("a link that is not an item reference")
        if not _check_strings(value):
            raise refuse("text with a broken character")
        if name == WORDS_BY:
            try:
                Author.decode(value)
            except (ValueError, TypeError, AttributeError, StoryCaptureError) as error:
                raise refuse("words credited to someone it does not know") from error


def check_chain(
    session: Session, manifest: Manifest, opened: OpenedBundle, name: str, report: ImportReport
) -> None:
    """A bundle names the one before it; a different one here means a laptop restored from
    an old copy, or two laptops with one vault: people should know."""
    before = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence - 1))
    after = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence + 1))
    broken = (before is not None and before.bundle_id != manifest.previous_bundle) or (
        after is not None and after.previous_bundle != opened.bundle_id
    )
    if broken:
        report.alerts.append(
            f"Alert: bundle {manifest.sequence} from {name} does not follow on from the "
            "bundles already imported from it; its laptop may have been restored from an "
            "old copy. Its changes were imported; please check with that laptop's facilitator."
        )
