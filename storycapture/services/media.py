"""Photos (and later audio): age files under the storyteller's own age identity.

The bytes are streamed from the source file through age into the vault in 64 KiB chunks, so
a photo is never whole in memory and never written anywhere in plaintext, not even a temp
file. A file only gets its final name once it is completely written and on the disk; its row
is committed after that, so a crash leaves at most an unreferenced ciphertext, never a row
without its file.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import BinaryIO

from storycapture.crypto.aead import DecryptionFailed
from storycapture.crypto.media import decrypt_stream, encrypt_stream
from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput, StorageUnavailable, VaultDamaged
from storycapture.domain.photos import PHOTO_LIMIT_BYTES, SNIFF_BYTES, sniff_photo_type
from storycapture.domain.story import Photo
from storycapture.domain.text import SHORT, checked_text
from storycapture.domain.vocabulary import ConsentItem, Visibility
from storycapture.services import records
from storycapture.services.base import (
    UNSET,
    StoryService,
    Unset,
    checked_changes,
    visibility_value,
)
from storycapture.services.kinds import PHOTO, TIMELINE_EVENT, photo_from_record


def check_photo_file(source: Path) -> str:
    """The kind of picture ``source`` holds (its media type), read from its first bytes; the
    reason in plain words (:class:`InvalidInput`) when it cannot be kept: not a picture, too
    large, or not readable. Reads only the start of the file, into memory."""
    source = Path(source)
    try:
        size = source.stat().st_size
        with open(source, "rb") as plain:
            head = plain.read(SNIFF_BYTES)
    except OSError as error:
        raise InvalidInput(f"“{source.name}” cannot be read ({error.strerror}).") from error
    media_type = sniff_photo_type(head)
    if media_type is None:
        raise InvalidInput(f"“{source.name}” is not a photo StoryCapture can keep.")
    if size > PHOTO_LIMIT_BYTES:
        raise InvalidInput(
            f"“{source.name}” is larger than {PHOTO_LIMIT_BYTES // 2**20} MB; "
            "please choose a smaller copy."
        )
    return media_type


def _storage_error(error: OSError) -> StorageUnavailable:
    if error.errno == errno.ENOSPC:
        return StorageUnavailable(
            "The disk is full, so the photo was not saved; everything else is safe."
        )
    return StorageUnavailable(f"The photo could not be read or saved ({error.strerror}).")


class PhotoService(StoryService):
    def media_path(self, photo: Photo) -> Path:
        return self._vault.media_dir(photo.meta.storyteller_uuid) / f"{photo.uuid}.age"

    def add(
        self,
        storyteller_uuid: str,
        source: Path,
        *,
        author: Author,
        caption: str = "",
        event_uuid: str | None = None,
        visibility: Visibility | str = Visibility.TEAM,
    ) -> Photo:
        source = Path(source)
        media_type = check_photo_file(source)
        values = {
            "caption": checked_text(caption, "caption"),
            "original_name": checked_text(source.name, "file name", SHORT),
            "media_type": media_type,
            "visibility": visibility_value(visibility),
            "event_uuid": event_uuid,
            "deleted": False,
        }
        photo_uuid = records.new_uuid()
        with self._vault.read() as session:
            self._require_consent(session, storyteller_uuid, ConsentItem.PHOTOS)
            self._require_same_storyteller(session, TIMELINE_EVENT, event_uuid, storyteller_uuid)
            _identity, recipient = self._vault.storyteller_age_keys(session, storyteller_uuid)
        folder = self._vault.media_dir(storyteller_uuid)
        final = folder / f"{photo_uuid}.age"
        partial = folder / f".{photo_uuid}.age.partial"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as plain, open(partial, "wb") as sealed:
                encrypt_stream(plain, sealed, [recipient])
                sealed.flush()
                os.fsync(sealed.fileno())
            os.replace(partial, final)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise _storage_error(error) from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        try:
            with self._vault.edit() as session:
                record = records.insert(
                    self._vault, session, PHOTO, storyteller_uuid, values, author, photo_uuid
                )
        except BaseException:
            final.unlink(missing_ok=True)
            raise
        return photo_from_record(record)

    def write_to(self, photo_uuid: str, target: BinaryIO) -> None:
        """Stream the photo's bytes into ``target``, an open stream the caller owns and must
        discard if this raises (part of the photo may already be in it)."""
        with self._vault.read() as session:
            photo = photo_from_record(records.get(self._vault, session, PHOTO, photo_uuid))
            identity, _ = self._vault.storyteller_age_keys(session, photo.meta.storyteller_uuid)
        try:
            with open(self.media_path(photo), "rb") as sealed:
                decrypt_stream(sealed, target, [identity])
        except FileNotFoundError as error:
            raise VaultDamaged("This photo's file is missing from the vault.") from error
        except DecryptionFailed as error:
            raise VaultDamaged("This photo's file has been damaged and cannot be shown.") from error
        except OSError as error:
            raise _storage_error(error) from error

    def update(
        self,
        photo_uuid: str,
        *,
        author: Author,
        caption: str | Unset = UNSET,
        visibility: Visibility | str | Unset = UNSET,
        deleted: bool | Unset = UNSET,
    ) -> Photo:
        changes = checked_changes(
            caption=(caption, lambda v: checked_text(v, "caption")),
            visibility=(visibility, visibility_value),
            deleted=(deleted, bool),
        )
        with self._vault.edit() as session:
            return photo_from_record(
                records.update(self._vault, session, PHOTO, photo_uuid, changes, author)
            )

    def list(self, storyteller_uuid: str, event_uuid: str | None = None) -> list[Photo]:
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = [
                photo_from_record(r)
                for r in records.find(self._vault, session, PHOTO, storyteller_uuid)
            ]
        return [p for p in found if event_uuid is None or p.event_uuid == event_uuid]


def remove_partial_media(media_root: Path) -> None:
    """Drop half-written media left by a crash (they are ciphertext, but of no use)."""
    for partial in media_root.glob("*/.*.age.partial"):
        with contextlib.suppress(OSError):
            partial.unlink()
