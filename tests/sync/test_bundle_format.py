"""The bundle file: round trip, interop with the stock age and tar, and one refusal per kind of
bad input, each leaving nothing staged. Hostile bundles are built by hand here: a tar made
with ``tarfile`` or byte by byte, encrypted with pyrage, signed with the crypto helpers."""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest

from storycapture.crypto import agefile, keys
from storycapture.crypto.stream import (
    AGE_MAGIC,
    CHUNK_BYTES,
    OversizedAgeHeader,
    open_decrypted,
    read_age_header,
    recipient_fingerprint,
)
from storycapture.sync import archive, bundle
from storycapture.sync.archive import MANIFEST, OPERATIONS, SIGNATURE, canonical_json
from storycapture.sync.bundle import BundleRefused, Limits, MediaItem
from storycapture.sync.bundle import read as bundle_read
from storycapture.sync.bundle import write as bundle_write

HLC = "000001767225600.000001"


@dataclass(frozen=True)
class Party:
    identity: str
    recipient: str
    signing_key: bytes
    device_id: str


def new_party() -> Party:
    identity = keys.new_age_identity()
    return Party(identity, keys.age_recipient(identity), keys.new_signing_key(), new_uuid())


def new_uuid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def sender() -> Party:
    return new_party()


@pytest.fixture
def receiver() -> Party:
    return new_party()


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


STORYTELLER = new_uuid()
PHOTO_A, PHOTO_B = new_uuid(), new_uuid()
ERASED, ERASED_ON = new_uuid(), new_uuid()
# A JPEG's first bytes, then 204,800 more: several age chunks
PHOTO_A_BYTES = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 800
PHOTO_B_BYTES = b"\x89PNG\r\n\x1a\n a small photo"


def set_op(device: str, **changes: Any) -> dict[str, Any]:
    op: dict[str, Any] = {
        "op": "set",
        "entity": "timeline_event",
        "uuid": "6f1c1f0e-0000-4000-8000-000000000001",
        "storyteller": STORYTELLER,
        "field": "title",
        "value": "Moved to Leeds",
        "hlc": HLC,
        "device": device,
        "author": "facilitator:Priya",
        "base": None,
    }
    op.update(changes)
    return op


def erase_op(**changes: Any) -> dict[str, Any]:
    op: dict[str, Any] = {
        "op": "erase",
        "storyteller": ERASED,
        "hlc": HLC,
        "device": ERASED_ON,
        "author": "facilitator:Sam",
    }
    op.update(changes)
    return op


def photo_ops(device: str, photo: str, media_type: str) -> list[dict[str, Any]]:
    """The changes that add a photo (the only ones a photo file may come with)."""
    return [
        set_op(device, entity="photo", uuid=photo, field="original_name", value="garden.jpg"),
        set_op(device, entity="photo", uuid=photo, field="media_type", value=media_type),
    ]


def sample_ops(device: str) -> list[dict[str, Any]]:
    return [
        *photo_ops(device, PHOTO_A, "image/jpeg"),
        *photo_ops(device, PHOTO_B, "image/png"),
        set_op(device),
        set_op(device, entity="strength_card", field="position", value={"x": 0.5, "y": -2.25}),
        set_op(
            device, field="words", value="Ça va — 日本", base=["000001767225599.000000", device]
        ),
        erase_op(),
    ]


def media_item(storyteller: str, photo: str, data: bytes) -> MediaItem:
    return MediaItem(
        storyteller, photo, len(data), lambda: contextlib.nullcontext(io.BytesIO(data))
    )


def write(
    party: Party,
    directory: Path,
    to: list[str],
    *,
    media: list[MediaItem] | None = None,
    operations: list[dict[str, Any]] | None = None,
    sequence: int = 1,
) -> bundle.WrittenBundle:
    return bundle.write_bundle(
        directory,
        device_id=party.device_id,
        device_name="Outreach 2",
        signing_key=party.signing_key,
        sequence=sequence,
        previous_bundle=None,
        created_hlc=HLC,
        recipients=to,
        operations=sample_ops(party.device_id) if operations is None else operations,
        media=[
            media_item(STORYTELLER, PHOTO_A, PHOTO_A_BYTES),
            media_item(STORYTELLER, PHOTO_B, PHOTO_B_BYTES),
        ]
        if media is None
        else media,
    )


def read(
    path: Path,
    receiver: Party,
    staging: Path,
    limits: Limits = bundle.DEFAULT_LIMITS,
    stage: Callable[[str, str], str | None] | None = None,
) -> bundle.OpenedBundle:
    return bundle.read_bundle(
        path,
        identities=[receiver.identity],
        check_sender=lambda manifest: None,
        stage_media=stage or (lambda storyteller, photo: receiver.recipient),
        staging_dir=staging,
        limits=limits,
    )


def refused(
    path: Path, receiver: Party, staging: Path, limits: Limits = bundle.DEFAULT_LIMITS
) -> BundleRefused:
    """Read ``path``, expecting a refusal; nothing may be left staged."""
    with pytest.raises(BundleRefused) as raised:
        read(path, receiver, staging, limits)
    assert list(staging.iterdir()) == []
    message = str(raised.value)
    assert message.endswith(".") and "\n" not in message
    return raised.value


# --- building hostile bundles -------------------------------------------------------------


def tar_header(name: str, size: int, kind: bytes = tarfile.REGTYPE, **fields: Any) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    info.mode = 0o600
    for key, value in fields.items():
        setattr(info, key, value)
    return info.tobuf(format=tarfile.USTAR_FORMAT, encoding="utf-8", errors="strict")


Member = tuple[str, bytes] | bytes  # (name, data), or raw bytes put in the archive as they are


def tar_of(members: list[Member], end: bytes = archive.END_OF_ARCHIVE) -> bytes:
    out = bytearray()
    for member in members:
        if isinstance(member, bytes):
            out += member
        else:
            name, data = member
            out += tar_header(name, len(data)) + data + archive.padding(len(data))
    return bytes(out + end)


def manifest_value(party: Party, members: list[tuple[str, bytes]], to: list[str]) -> dict[str, Any]:
    lines = [line for line in dict(members).get(OPERATIONS, b"").split(b"\n") if line]
    erasures = sum(b'"op":"erase"' in line for line in lines)
    return {
        "format": bundle.FORMAT,
        "format_version": bundle.FORMAT_VERSION,
        "device_id": party.device_id,
        "device_name": "Outreach 2",
        "signing_key": base64.b64encode(keys.signing_public_key(party.signing_key)).decode(),
        "sequence": 1,
        "previous_bundle": None,
        "recipients": sorted(recipient_fingerprint(r) for r in to),
        "created_hlc": HLC,
        "operation_count": len(lines) - erasures,
        "erase_count": erasures,
        "entries": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in members
        ],
    }


def ops_bytes(ops: list[dict[str, Any]]) -> bytes:
    return b"".join(canonical_json(op) + b"\n" for op in ops)


def content(party: Party) -> list[tuple[str, bytes]]:
    """The members before the manifest, as write_bundle would make them."""
    return [
        (OPERATIONS, ops_bytes(sample_ops(party.device_id))),
        (archive.media_name(STORYTELLER, PHOTO_A), PHOTO_A_BYTES),
        (archive.media_name(STORYTELLER, PHOTO_B), PHOTO_B_BYTES),
    ]


def signed(party: Party, manifest: bytes, key: bytes | None = None) -> list[tuple[str, bytes]]:
    return [(MANIFEST, manifest), (SIGNATURE, keys.sign(key or party.signing_key, manifest))]


def craft(
    party: Party,
    to: list[str],
    *,
    members: list[tuple[str, bytes]] | None = None,
    listed: list[tuple[str, bytes]] | None = None,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> list[Member]:
    """A whole archive's members: ``members`` (default: ``content``), then a manifest listing
    ``listed`` (default: the same members), changed by ``change``, and its signature."""
    members = content(party) if members is None else members
    value = manifest_value(party, members if listed is None else listed, to)
    if change is not None:
        change(value)
    return [*members, *signed(party, canonical_json(value))]


def seal(path: Path, plaintext: bytes, recipients: list[str]) -> Path:
    parsed = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    path.write_bytes(pyrage.encrypt(plaintext, parsed))
    return path


def hostile(
    tmp_path: Path, receiver: Party, members: list[Member], end: bytes = archive.END_OF_ARCHIVE
) -> Path:
    return seal(tmp_path / "hostile.age", tar_of(members, end), [receiver.recipient])


# --- the round trip -----------------------------------------------------------------------


def test_a_bundle_round_trips_with_operations_and_two_photos(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    written = write(sender, out, [receiver.recipient, keys.age_recipient(keys.new_age_identity())])

    assert written.path.name == f"storycapture-{sender.device_id[:8]}-000001.age"
    assert [p.name for p in out.iterdir()] == [written.path.name]  # no partial left
    assert written.size == written.path.stat().st_size
    assert written.bundle_id == hashlib.sha256(written.manifest.to_json()).hexdigest()
    raw = written.path.read_bytes()
    assert raw.startswith(AGE_MAGIC)
    assert b"Leeds" not in raw and PHOTO_B_BYTES not in raw

    seen: list[tuple[str, str]] = []

    def stage(storyteller: str, photo: str) -> str:
        seen.append((storyteller, photo))
        return receiver.recipient

    opened = read(written.path, receiver, staging, stage=stage)
    assert opened.bundle_id == written.bundle_id
    assert opened.manifest == written.manifest
    assert opened.operations == sample_ops(sender.device_id)
    assert opened.size == written.size
    manifest = opened.manifest
    assert (manifest.device_id, manifest.sequence, manifest.previous_bundle) == (
        sender.device_id,
        1,
        None,
    )
    assert (manifest.operation_count, manifest.erase_count) == (7, 1)
    assert manifest.signing_key == keys.signing_public_key(sender.signing_key)
    assert recipient_fingerprint(receiver.recipient) in manifest.recipients
    assert [e.name for e in manifest.entries] == [
        OPERATIONS,
        f"media/{STORYTELLER}/{PHOTO_A}",
        f"media/{STORYTELLER}/{PHOTO_B}",
    ]
    assert seen == [(STORYTELLER, PHOTO_A), (STORYTELLER, PHOTO_B)]
    assert sorted(p.name for p in staging.iterdir()) == sorted([f"{PHOTO_A}.age", f"{PHOTO_B}.age"])
    for photo, data in ((PHOTO_A, PHOTO_A_BYTES), (PHOTO_B, PHOTO_B_BYTES)):
        staged = opened.media[(STORYTELLER, photo)]
        assert staged == staging / f"{photo}.age"
        sealed = staged.read_bytes()
        assert sealed.startswith(AGE_MAGIC) and data not in sealed  # never plaintext on disk
        with open_decrypted(staged, [receiver.identity]) as plain:
            assert plain.read() == data
    assert bundle.Manifest.from_json(written.manifest.to_json()) == written.manifest


def test_photos_the_receiver_does_not_stage_are_only_checked(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])
    opened = read(written.path, receiver, staging, stage=lambda s, p: None)
    assert opened.media == {} and list(staging.iterdir()) == []
    verified = bundle.verify_bundle(
        written.path, identities=[receiver.identity], check_sender=lambda m: None
    )
    assert verified.bundle_id == written.bundle_id and verified.media == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staging", written.path.name]


def test_an_empty_bundle_and_one_without_photos_round_trip(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    empty = write(sender, tmp_path, [receiver.recipient], operations=[], media=[])
    opened = read(empty.path, receiver, staging)
    assert opened.operations == [] and opened.manifest.entries[0].size == 0
    only_erasures = write(
        sender, tmp_path, [receiver.recipient], operations=[erase_op()], media=[], sequence=2
    )
    assert read(only_erasures.path, receiver, staging).manifest.erase_count == 1


def test_progress_reaches_the_total(sender: Party, receiver: Party, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    bundle.write_bundle(
        tmp_path,
        device_id=sender.device_id,
        device_name="Outreach 2",
        signing_key=sender.signing_key,
        sequence=1,
        previous_bundle=None,
        created_hlc=HLC,
        recipients=[receiver.recipient],
        operations=sample_ops(sender.device_id),
        media=[media_item(STORYTELLER, PHOTO_A, PHOTO_A_BYTES)],
        progress=lambda done, total: seen.append((done, total)),
    )
    total = len(ops_bytes(sample_ops(sender.device_id))) + len(PHOTO_A_BYTES)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# --- interop with the stock age and tar ---------------------------------------------------

needs_age = pytest.mark.skipif(
    shutil.which("age") is None or shutil.which("tar") is None,
    reason="the stock `age` CLI (apt install age) and `tar` are needed; CI installs them",
)


@needs_age
def test_the_stock_age_and_tar_open_a_bundle(
    sender: Party, receiver: Party, tmp_path: Path
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])
    key = tmp_path / "key.txt"
    key.write_text(receiver.identity + "\n")
    plain = subprocess.run(
        ["age", "-d", "-i", str(key), str(written.path)], check=True, capture_output=True
    ).stdout
    listing = subprocess.run(
        ["tar", "-t"], input=plain, check=True, capture_output=True
    ).stdout.decode()
    assert listing.splitlines() == [
        OPERATIONS,
        f"media/{STORYTELLER}/{PHOTO_A}",
        f"media/{STORYTELLER}/{PHOTO_B}",
        MANIFEST,
        SIGNATURE,
    ]
    extracted = tmp_path / "x"
    extracted.mkdir()
    subprocess.run(["tar", "-x", "-C", str(extracted)], input=plain, check=True)
    assert (extracted / "media" / STORYTELLER / PHOTO_A).read_bytes() == PHOTO_A_BYTES
    assert (extracted / MANIFEST).read_bytes() == written.manifest.to_json()
    keys.verify_signature(
        keys.signing_public_key(sender.signing_key),
        (extracted / SIGNATURE).read_bytes(),
        (extracted / MANIFEST).read_bytes(),
    )


@needs_age
def test_a_bundle_sealed_by_the_stock_age_is_read(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    plain = tar_of(craft(sender, [receiver.recipient]))
    sealed = tmp_path / "cli.age"
    subprocess.run(["age", "-r", receiver.recipient, "-o", str(sealed)], input=plain, check=True)
    opened = read(sealed, receiver, staging)
    assert opened.operations == sample_ops(sender.device_id)


def test_an_archive_padded_to_a_tar_record_is_read(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """tar pads archives to 10 KiB records with zeros; those are accepted after the end."""
    members = craft(sender, [receiver.recipient])
    path = hostile(tmp_path, receiver, members, end=bytes(20 * 512))
    assert read(path, receiver, staging).manifest.sequence == 1


# --- damaged, cut short, not for us, not a bundle -----------------------------------------


def test_an_empty_file_is_refused(receiver: Party, tmp_path: Path, staging: Path) -> None:
    path = tmp_path / "empty.age"
    path.write_bytes(b"")
    error = refused(path, receiver, staging)
    assert error.reason == "truncated"
    assert str(error) == "This file is damaged or incomplete, so nothing was imported."


@pytest.mark.parametrize(
    "data",
    [b"\xff\xd8\xff\xe0 a JPEG" * 50, b"PK\x03\x04" + bytes(100_000), b"-----BEGIN AGE"],
    ids=["jpeg", "zip-without-newlines", "armored"],
)
def test_a_file_that_is_not_an_age_file_is_refused(
    data: bytes, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    path = tmp_path / "photo.age"
    path.write_bytes(data)
    assert refused(path, receiver, staging).reason == "not-a-bundle"


def test_a_cut_inside_the_header_is_truncated(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    data = write(sender, tmp_path, [receiver.recipient]).path.read_bytes()
    header_length = read_age_header(io.BytesIO(data)).length
    for cut in (5, 30, header_length - 1, header_length, header_length + 20):
        path = tmp_path / f"cut-{cut}.age"
        path.write_bytes(data[:cut])
        assert refused(path, receiver, staging).reason == "truncated", cut


def test_a_cut_in_the_payload_is_refused_at_any_point(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """A cut in the payload fails age's authentication: "damaged"; a cut that leaves a length
    no age payload can have is "truncated". Both say the same sentence."""
    data = write(sender, tmp_path, [receiver.recipient]).path.read_bytes()
    header_length = read_age_header(io.BytesIO(data)).length
    chunk = CHUNK_BYTES + 16
    cuts = [
        header_length + 16 + 8,  # inside the first tag: no age payload is that long
        header_length + 16 + 100,  # inside the first chunk
        header_length + 16 + chunk,  # exactly after the first chunk
        len(data) // 2,
        len(data) - 1,
    ]
    for cut in cuts:
        path = tmp_path / f"cut-{cut}.age"
        path.write_bytes(data[:cut])
        error = refused(path, receiver, staging)
        assert error.reason in ("truncated", "damaged"), cut
        assert str(error) == "This file is damaged or incomplete, so nothing was imported."


def flipped(data: bytes, at: int, bit: int = 0x01) -> bytes:
    changed = bytearray(data)
    changed[at] ^= bit
    return bytes(changed)


def test_a_bit_flipped_in_the_header_mac_is_damage(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    data = write(sender, tmp_path, [receiver.recipient]).path.read_bytes()
    mac = data.index(b"\n--- ") + 5 + 10  # a character in the middle of the MAC
    bit = 0x01 if chr(data[mac] ^ 0x01).isalnum() else 0x02
    path = tmp_path / "flipped.age"
    path.write_bytes(flipped(data, mac, bit))
    assert refused(path, receiver, staging).reason == "damaged"


def test_a_bit_flipped_in_our_stanza_reads_as_not_for_us(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """The file key wrapped for us no longer opens: age cannot tell this from a bundle made
    for someone else, so it is refused as such (and nothing is imported either way)."""
    data = write(sender, tmp_path, [receiver.recipient]).path.read_bytes()
    body = data.index(b"\n", len(AGE_MAGIC)) + 1 + 10
    bit = 0x01 if chr(data[body] ^ 0x01).isalnum() else 0x02
    path = tmp_path / "flipped.age"
    path.write_bytes(flipped(data, body, bit))
    assert refused(path, receiver, staging).reason in ("not-for-us", "damaged")


@pytest.mark.parametrize("where", ["first chunk", "later chunk", "last byte"])
def test_a_bit_flipped_in_the_payload_is_damage(
    where: str, sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    data = write(sender, tmp_path, [receiver.recipient]).path.read_bytes()
    payload = read_age_header(io.BytesIO(data)).length + 16
    assert len(data) - payload > 2 * CHUNK_BYTES  # the photos make it several chunks
    at = {
        "first chunk": payload + 700,
        "later chunk": payload + CHUNK_BYTES + 16 + 5_000,
        "last byte": len(data) - 1,
    }[where]
    path = tmp_path / "flipped.age"
    path.write_bytes(flipped(data, at))
    assert refused(path, receiver, staging).reason == "damaged"


def test_a_bundle_for_another_installation_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    someone_else = new_party()
    path = write(sender, tmp_path, [someone_else.recipient]).path
    error = refused(path, receiver, staging)
    assert error.reason == "not-for-us"
    assert "another installation" in str(error)


def test_an_age_header_with_thousands_of_stanzas_is_refused_before_decrypting(
    receiver: Party, tmp_path: Path, staging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stanzas = b"-> x\n\n" * 5_000  # 30 KB: under the header cap, far over the stanza cap
    path = tmp_path / "stanzas.age"
    path.write_bytes(AGE_MAGIC + stanzas + b"--- " + b"A" * 43 + b"\n" + bytes(32))

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("decryption must not see this header")

    monkeypatch.setattr(agefile.AgeReader, "__init__", never)
    assert refused(path, receiver, staging).reason == "too-large"
    with pytest.raises(OversizedAgeHeader), open(path, "rb") as source:
        read_age_header(source, max_stanzas=32)


def test_an_oversized_age_header_is_refused(receiver: Party, tmp_path: Path, staging: Path) -> None:
    path = tmp_path / "header.age"
    body = (b"A" * 64 + b"\n") * 2_000 + b"AAAA\n"  # one stanza of 130 KB
    path.write_bytes(AGE_MAGIC + b"-> x\n" + body + b"--- " + b"A" * 43 + b"\n" + bytes(32))
    assert refused(path, receiver, staging).reason == "too-large"


# --- signature and manifest ---------------------------------------------------------------


def test_a_signature_by_another_key_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = craft(sender, [receiver.recipient])
    manifest = dict(m for m in members if isinstance(m, tuple))[MANIFEST]
    forged = [*content(sender), *signed(sender, manifest, key=keys.new_signing_key())]
    assert refused(hostile(tmp_path, receiver, forged), receiver, staging).reason == (
        "bad-signature"
    )


def test_a_manifest_changed_after_signing_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    value = manifest_value(sender, content(sender), [receiver.recipient])
    signature = keys.sign(sender.signing_key, canonical_json(value))
    value["sequence"] = 2
    changed = [*content(sender), (MANIFEST, canonical_json(value)), (SIGNATURE, signature)]
    path = hostile(tmp_path, receiver, changed)
    assert refused(path, receiver, staging).reason == "bad-signature"


def test_a_missing_signature_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = craft(sender, [receiver.recipient])[:-1]
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == (
        "bad-signature"
    )


def test_a_missing_manifest_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members: list[Member] = list(content(sender))
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == (
        "bad-manifest"
    )


def test_a_manifest_naming_another_device_than_the_changes_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    other = new_uuid()
    members = craft(sender, [receiver.recipient], change=lambda v: v.update(device_id=other))
    error = refused(hostile(tmp_path, receiver, members), receiver, staging)
    assert error.reason == "bad-operation" and "another device" in error.detail


def test_an_unknown_format_version_asks_for_a_newer_storycapture(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = craft(sender, [receiver.recipient], change=lambda v: v.update(format_version=2))
    error = refused(hostile(tmp_path, receiver, members), receiver, staging)
    assert error.reason == "unknown-version"
    assert "newer StoryCapture" in str(error)


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest.update(values)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param(_set(format="something-else"), "bad-manifest", id="format"),
        pytest.param(_set(format_version=0), "bad-manifest", id="version-0"),
        pytest.param(_set(format_version=True), "bad-manifest", id="version-bool"),
        pytest.param(_set(surprise=1), "bad-manifest", id="unknown-key"),
        pytest.param(lambda v: v.pop("created_hlc"), "bad-manifest", id="missing-key"),
        pytest.param(_set(sequence=0), "bad-manifest", id="sequence-0"),
        pytest.param(_set(sequence=1.0), "bad-json", id="float"),
        pytest.param(
            lambda v: v.update(device_id=v["device_id"].upper()), "bad-manifest", id="device-id"
        ),
        pytest.param(_set(device_name="Outreach\u202e2"), "bad-manifest", id="bidi-override"),
        pytest.param(_set(device_name=" "), "bad-manifest", id="blank-name"),
        pytest.param(_set(previous_bundle="abc"), "bad-manifest", id="previous"),
        pytest.param(_set(recipients=[]), "bad-manifest", id="no-recipients"),
        pytest.param(
            lambda v: v.update(recipients=[*v["recipients"], "0" * 64]),
            "bad-manifest",
            id="unsorted-recipients",
        ),
        pytest.param(_set(created_hlc="1767225600.1"), "bad-manifest", id="hlc"),
        pytest.param(_set(operation_count=-1), "bad-manifest", id="negative-count"),
        pytest.param(_set(signing_key="c2hvcnQ="), "bad-manifest", id="short-key"),
        pytest.param(lambda v: v["entries"][0].update(size="7"), "bad-manifest", id="size-text"),
        pytest.param(
            lambda v: v["entries"][1].update(name="media/../../etc"), "bad-manifest", id="name"
        ),
        pytest.param(lambda v: v["entries"].reverse(), "bad-manifest", id="operations-not-first"),
    ],
)
def test_a_malformed_manifest_is_refused(
    change: Callable[[dict[str, Any]], None],
    reason: str,
    sender: Party,
    receiver: Party,
    tmp_path: Path,
    staging: Path,
) -> None:
    members = craft(sender, [receiver.recipient], change=change)
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == reason


def test_a_manifest_that_is_not_canonical_json_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    value = manifest_value(sender, content(sender), [receiver.recipient])
    spaced = json.dumps(value, sort_keys=True).encode()
    members = [*content(sender), *signed(sender, spaced)]
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == (
        "bad-manifest"
    )


def test_duplicate_keys_in_the_manifest_are_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    value = canonical_json(manifest_value(sender, content(sender), [receiver.recipient]))
    doubled = value[:-1] + b',"sequence":2}'
    members = [*content(sender), *signed(sender, doubled)]
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == "bad-json"


def test_a_manifest_not_listing_this_recipient_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    somebody = keys.age_recipient(keys.new_age_identity())
    members = craft(sender, [somebody])  # encrypted to us, but listing only somebody else
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == (
        "bad-manifest"
    )


def test_check_sender_decides_after_the_signature(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])
    asked: list[bundle.Manifest] = []

    def untrusted(manifest: bundle.Manifest) -> None:
        asked.append(manifest)
        staged = sorted(staging.iterdir())
        assert [p.name for p in staged] == sorted(f"{p}.age.partial" for p in (PHOTO_A, PHOTO_B))
        assert all(p.read_bytes().startswith(AGE_MAGIC) for p in staged)
        raise BundleRefused(
            "This laptop is not trusted, so nothing was imported.", reason="untrusted"
        )

    with pytest.raises(BundleRefused) as raised:
        bundle.read_bundle(
            written.path,
            identities=[receiver.identity],
            check_sender=untrusted,
            stage_media=lambda s, p: receiver.recipient,
            staging_dir=staging,
        )
    assert raised.value.reason == "untrusted" and asked == [written.manifest]
    assert list(staging.iterdir()) == []


# --- entries ------------------------------------------------------------------------------

PHOTO_A_NAME = f"media/{STORYTELLER}/{PHOTO_A}"


def _entries_case(
    case: str, sender: Party
) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """(members in the archive, members the manifest lists) for each kind of mismatch."""
    members = content(sender)
    if case == "listed but missing":
        return [members[0], members[2]], members
    if case == "present but unlisted":
        return members, [members[0], members[2]]
    if case == "duplicated in the manifest":
        return members, [*members, members[1]]
    if case == "wrong size":
        return members, [members[0], (PHOTO_A_NAME, PHOTO_A_BYTES + b"x"), members[2]]
    if case == "wrong hash":
        return members, [members[0], (PHOTO_A_NAME, flipped(PHOTO_A_BYTES, 7)), members[2]]
    if case == "another order":
        return members, [members[0], members[2], members[1]]
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "listed but missing",
        "present but unlisted",
        "duplicated in the manifest",
        "wrong size",
        "wrong hash",
        "another order",
    ],
)
def test_entries_that_do_not_match_the_archive_are_refused(
    case: str, sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members, listed = _entries_case(case, sender)
    path = hostile(
        tmp_path, receiver, craft(sender, [receiver.recipient], members=members, listed=listed)
    )
    assert refused(path, receiver, staging).reason == "bad-entry"


def test_a_member_twice_in_the_archive_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = [*content(sender), (PHOTO_A_NAME, PHOTO_A_BYTES)]
    path = hostile(tmp_path, receiver, craft(sender, [receiver.recipient], members=members))
    assert refused(path, receiver, staging).reason == "bad-entry"


def test_a_member_after_the_signature_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    extra = (f"media/{STORYTELLER}/{new_uuid()}", b"late")
    members = [*craft(sender, [receiver.recipient]), extra]
    # refused as soon as it arrives: no change adds that photo
    assert (
        refused(hostile(tmp_path, receiver, members), receiver, staging).reason == "unlisted-media"
    )
    members = [*craft(sender, [receiver.recipient]), (OPERATIONS, b"")]
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == "bad-entry"


def test_an_operation_count_that_does_not_match_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = craft(sender, [receiver.recipient], change=lambda v: v.update(operation_count=4))
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == "bad-entry"


# --- unsafe members -----------------------------------------------------------------------


def _with_member(sender: Party, receiver: Party, raw: bytes) -> list[Member]:
    """An honest bundle with ``raw`` (a header, maybe data) after the operations."""
    members = craft(sender, [receiver.recipient])
    return [members[0], raw, *members[1:]]


@pytest.mark.parametrize(
    "raw",
    [
        tar_header("media/../../home/x/.bashrc", 0),
        tar_header(f"/media/{STORYTELLER}/{PHOTO_A}", 0),
        tar_header(f"media\\{STORYTELLER}\\{PHOTO_A}", 0),
        tar_header("notes.txt", 0),
        tar_header(f"media/{STORYTELLER.upper()}/{PHOTO_A}", 0),
        tar_header(f"media/{STORYTELLER}/{PHOTO_A}", 0, tarfile.SYMTYPE, linkname="/etc/passwd"),
        tar_header(f"media/{STORYTELLER}/{PHOTO_A}", 0, tarfile.LNKTYPE, linkname=OPERATIONS),
        tar_header(f"media/{STORYTELLER}/{PHOTO_A}", 0, tarfile.CHRTYPE, devmajor=1, devminor=3),
        tar_header(f"media/{STORYTELLER}/{PHOTO_A}", 0, tarfile.BLKTYPE, devmajor=8),
        tar_header(f"media/{STORYTELLER}/{PHOTO_A}", 0, tarfile.FIFOTYPE),
        tar_header(f"media/{STORYTELLER}/", 0, tarfile.DIRTYPE),
        tar_header("././@PaxHeader", 0, tarfile.XHDTYPE),
        tar_header("././@LongLink", 0, tarfile.GNUTYPE_LONGNAME),
    ],
    ids=[
        "dot-dot",
        "absolute",
        "backslash",
        "unknown-name",
        "uppercase-uuid",
        "symlink",
        "hardlink",
        "char-device",
        "block-device",
        "fifo",
        "directory",
        "pax-header",
        "gnu-longname",
    ],
)
def test_an_unsafe_member_is_refused(
    raw: bytes, sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    path = hostile(tmp_path, receiver, _with_member(sender, receiver, raw))
    assert refused(path, receiver, staging).reason == "unsafe-member"


def test_a_name_hiding_bytes_after_a_nul_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    header = bytearray(tar_header(OPERATIONS, 0))
    header[len(OPERATIONS) + 1 : len(OPERATIONS) + 6] = b"/evil"
    header[148:156] = b"        "
    header[148:155] = f"{sum(header):06o}\0".encode()
    path = hostile(tmp_path, receiver, _with_member(sender, receiver, bytes(header)))
    assert refused(path, receiver, staging).reason == "unsafe-member"


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 2,  # not a header: bad checksum
        tarfile.TarInfo(OPERATIONS).tobuf(format=tarfile.GNU_FORMAT),
        bytes(512) + tar_header(OPERATIONS, 0),  # a lone zero block
    ],
    ids=["garbage", "gnu-magic", "lone-zero-block"],
)
def test_a_malformed_archive_is_refused(
    raw: bytes, sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    path = hostile(tmp_path, receiver, _with_member(sender, receiver, raw))
    assert refused(path, receiver, staging).reason == "bad-archive"


def test_data_after_the_end_of_the_archive_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = craft(sender, [receiver.recipient])
    path = hostile(tmp_path, receiver, members, end=archive.END_OF_ARCHIVE + b"\0\0more")
    assert refused(path, receiver, staging).reason == "bad-archive"


def test_an_archive_without_its_end_blocks_is_truncated(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    members = craft(sender, [receiver.recipient])
    for end in (b"", bytes(512)):
        path = hostile(tmp_path, receiver, members, end=end)
        assert refused(path, receiver, staging).reason == "truncated"


def test_an_archive_cut_inside_a_member_is_truncated(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """Sealed whole by age but cut short inside: a photo was half staged, and is removed."""
    plain = tar_of(craft(sender, [receiver.recipient]))
    cut = plain[: 512 + len(plain) // 3]
    path = seal(tmp_path / "cut.age", cut, [receiver.recipient])
    assert refused(path, receiver, staging).reason == "truncated"


# --- size caps ----------------------------------------------------------------------------


def test_a_member_over_the_member_cap_is_refused_before_any_byte_is_staged(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])
    staged_for: list[str] = []

    def stage(storyteller: str, photo: str) -> str:
        staged_for.append(photo)
        return receiver.recipient

    limits = Limits(max_member_bytes=len(PHOTO_A_BYTES) - 1)
    with pytest.raises(BundleRefused) as raised:
        read(written.path, receiver, staging, limits, stage=stage)
    assert raised.value.reason == "too-large"
    assert staged_for == [] and list(staging.iterdir()) == []
    # One byte more and it fits.
    limits = Limits(max_member_bytes=len(PHOTO_A_BYTES))
    assert len(read(written.path, receiver, staging, limits).media) == 2


def test_a_bundle_over_the_bundle_cap_is_refused_before_decrypting(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("nothing is decrypted")

    monkeypatch.setattr(agefile.AgeReader, "__init__", never)
    limits = Limits(max_bundle_bytes=written.size - 1)
    assert refused(written.path, receiver, staging, limits).reason == "too-large"


def test_the_archive_cap_is_counted_as_bytes_arrive() -> None:
    """The plaintext is never larger than the file, but the archive reader counts anyway:
    a stream that goes on is cut off at the cap, and nothing past it reaches a sink."""
    received = bytearray()

    class Sink(archive.Discard):
        def write(self, data: bytes, /) -> int:
            received.extend(data)
            return len(data)

    reader = archive.TarReader(
        lambda name, size: Sink(),
        max_member_bytes=10**9,
        max_total_bytes=100_000,
        max_members=10,
    )
    reader.write(tar_header(OPERATIONS, 10**6))
    with pytest.raises(archive.ArchiveRefused) as raised:
        for _ in range(100):
            reader.write(bytes(8192))
    assert raised.value.reason == "too-large"
    assert len(received) <= 100_000 - 512


def test_operations_over_their_cap_are_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])
    limits = Limits(max_operations_bytes=100)
    assert refused(written.path, receiver, staging, limits).reason == "too-large"


def test_a_huge_json_line_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    ops = [set_op(sender.device_id, value="x" * 200_000)]
    members = craft(sender, [receiver.recipient], members=[(OPERATIONS, ops_bytes(ops))])
    path = hostile(tmp_path, receiver, members)
    error = refused(path, receiver, staging, Limits(max_operation_line_bytes=100_000))
    assert error.reason == "too-large"


def test_a_deeply_nested_operation_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    line = canonical_json(set_op(sender.device_id, value=None)).replace(
        b'"value":null', b'"value":' + b"[" * 100_000 + b"]" * 100_000
    )
    members = craft(sender, [receiver.recipient], members=[(OPERATIONS, line + b"\n")])
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == "bad-json"


def test_duplicate_keys_in_an_operation_are_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    line = canonical_json(set_op(sender.device_id))[:-1] + b',"value":"again"}'
    members = craft(sender, [receiver.recipient], members=[(OPERATIONS, line + b"\n")])
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == "bad-json"


@pytest.mark.parametrize(
    "change",
    [
        {"op": "delete"},
        {"uuid": "not-a-uuid"},
        {"storyteller": STORYTELLER.upper()},
        {"hlc": "soon"},
        {"entity": "Timeline Event"},
        {"base": ["000001767225599.000000"]},
        {"author": ""},
        {"extra": 1},
    ],
    ids=["op", "uuid", "storyteller", "hlc", "entity", "base", "author", "extra-key"],
)
def test_a_malformed_operation_is_refused(
    change: dict[str, Any], sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    ops = [set_op(sender.device_id, **change)]
    members = craft(sender, [receiver.recipient], members=[(OPERATIONS, ops_bytes(ops))])
    assert refused(hostile(tmp_path, receiver, members), receiver, staging).reason == (
        "bad-operation"
    )


def test_an_operation_line_that_is_not_terminated_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    data = ops_bytes([set_op(sender.device_id)])[:-1]
    members = craft(sender, [receiver.recipient], members=[(OPERATIONS, data)])
    error = refused(hostile(tmp_path, receiver, members), receiver, staging)
    assert error.reason == "bad-operation"


# --- writing that fails part-way ----------------------------------------------------------


class FailingReader(io.RawIOBase):
    """Gives ``good`` bytes, then raises ``error``."""

    def __init__(self, good: int, error: BaseException) -> None:
        super().__init__()
        self._left = good
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            raise self._error
        count = min(len(buffer), self._left)
        buffer[:count] = b"p" * count
        self._left -= count
        return count


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EIO, "Input/output error"),
        OSError(errno.ENOSPC, "No space left on device"),
        KeyboardInterrupt(),
        RuntimeError("the photo went away"),
    ],
    ids=["eio", "enospc", "ctrl-c", "runtime-error"],
)
def test_a_photo_reader_failing_midway_leaves_no_file(
    error: BaseException, sender: Party, receiver: Party, tmp_path: Path
) -> None:
    broken = MediaItem(
        STORYTELLER, PHOTO_A, 500_000, lambda: contextlib.closing(FailingReader(200_000, error))
    )
    with pytest.raises(type(error)) as raised:
        write(sender, tmp_path, [receiver.recipient], media=[broken])
    assert raised.value is error  # as raised, not pyrage's text of it
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_leaves_no_file(
    sender: Party, receiver: Party, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bundle_write.encrypt_from

    class FillsUp:
        def __init__(self, target: Any) -> None:
            self._target = target
            self._written = 0

        def write(self, data: bytes) -> int:
            self._written += len(data)
            if self._written > 50_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return int(self._target.write(data))

    def encrypt_onto_small_disk(source: Any, target: Any, recipients: list[str]) -> None:
        real(source, FillsUp(target), recipients)

    monkeypatch.setattr(bundle_write, "encrypt_from", encrypt_onto_small_disk)
    with pytest.raises(OSError) as raised:
        write(sender, tmp_path, [receiver.recipient])
    assert raised.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


def test_a_photo_shorter_or_longer_than_its_size_leaves_no_file(
    sender: Party, receiver: Party, tmp_path: Path
) -> None:
    for declared in (len(PHOTO_B_BYTES) + 1, len(PHOTO_B_BYTES) - 1):
        wrong = MediaItem(
            STORYTELLER,
            PHOTO_B,
            declared,
            lambda: contextlib.nullcontext(io.BytesIO(PHOTO_B_BYTES)),
        )
        with pytest.raises(archive.MemberSizeMismatch):
            write(sender, tmp_path, [receiver.recipient], media=[wrong])
        assert list(tmp_path.iterdir()) == []


def test_an_existing_bundle_is_never_replaced(
    sender: Party, receiver: Party, tmp_path: Path
) -> None:
    first = write(sender, tmp_path, [receiver.recipient])
    before = first.path.read_bytes()
    with pytest.raises(FileExistsError):
        write(sender, tmp_path, [receiver.recipient])
    assert first.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]


def test_each_photo_reader_is_closed(sender: Party, receiver: Party, tmp_path: Path) -> None:
    opened: list[io.BytesIO] = []

    @contextlib.contextmanager
    def opener() -> Iterator[io.BytesIO]:
        stream = io.BytesIO(PHOTO_B_BYTES)
        opened.append(stream)
        with stream:
            yield stream

    item = MediaItem(STORYTELLER, PHOTO_B, len(PHOTO_B_BYTES), opener)
    write(sender, tmp_path, [receiver.recipient], media=[item])
    assert len(opened) == 1 and opened[0].closed


def test_operations_the_receiver_would_refuse_are_not_written(
    sender: Party, receiver: Party, tmp_path: Path
) -> None:
    for ops in ([set_op(new_uuid())], [{"op": "set"}], [set_op(sender.device_id, hlc="now")]):
        with pytest.raises(ValueError):
            write(sender, tmp_path, [receiver.recipient], operations=ops)
    assert list(tmp_path.iterdir()) == []


# --- the pieces ---------------------------------------------------------------------------


def test_canonical_json_is_one_byte_string() -> None:
    assert canonical_json({"b": [1, 2.5, None], "a": "é"}) == '{"a":"é","b":[1,2.5,null]}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1,"a":1}',
        b"[NaN]",
        b"[-Infinity]",
        b"[1e400]",
        b"[1] [2]",
        b"\xef\xbb\xbf[1]",
        b'["\xff"]',
        b"[" * 33 + b"]" * 33,
        b'{"a":' * 40 + b"1" + b"}" * 40,
        b"[" + b"9" * 5000 + b"]",
        b'"' + b'\\"' * 100_000,
    ],
)
def test_strict_json_refuses_what_json_lets_through(data: bytes) -> None:
    with pytest.raises(archive.ArchiveRefused) as raised:
        archive.strict_json(data, max_bytes=10**6, max_depth=32)
    assert raised.value.reason == "bad-json"


def test_strict_json_counts_only_brackets_outside_strings() -> None:
    text = b'[[["' + b"[" * 40 + b'\\"]]"]]]'
    assert archive.strict_json(text, max_bytes=100, max_depth=3) == [[["[" * 40 + '"]]']]]
    assert archive.strict_json(b"[1.5]", max_bytes=10, max_depth=1) == [1.5]
    with pytest.raises(archive.ArchiveRefused):
        archive.strict_json(b"[1.5]", max_bytes=10, max_depth=1, allow_floats=False)
    with pytest.raises(archive.ArchiveRefused) as raised:
        archive.strict_json(b"[1]", max_bytes=2, max_depth=1)
    assert raised.value.reason == "too-large"


def test_the_archive_reader_takes_bytes_in_any_chunking() -> None:
    data = {OPERATIONS: b"x" * 1000, f"media/{STORYTELLER}/{PHOTO_A}": PHOTO_A_BYTES}
    plain = tar_of(list(data.items()))
    for step in (1, 7, 511, 512, 513, 65536):
        sinks: dict[str, archive.Collect] = {}

        def open_member(name: str, size: int, sinks: dict[str, archive.Collect] = sinks) -> Any:
            sinks[name] = archive.Collect()
            return sinks[name]

        reader = archive.TarReader(
            open_member, max_member_bytes=10**6, max_total_bytes=10**7, max_members=10
        )
        for at in range(0, len(plain), step):
            reader.write(plain[at : at + step])
        reader.close()
        assert {name: sink.data for name, sink in sinks.items()} == data
        assert [m.sha256 for m in reader.members] == [
            hashlib.sha256(d).hexdigest() for d in data.values()
        ]


def test_the_archive_writer_matches_tarfile() -> None:
    members = [
        archive.OutgoingMember(OPERATIONS, 3, lambda: contextlib.nullcontext(io.BytesIO(b"abc"))),
        archive.OutgoingMember(MANIFEST, 0, lambda: contextlib.nullcontext(io.BytesIO(b""))),
    ]
    with archive.TarWriter(members) as writer:
        produced = writer.read()
    assert len(produced) % 512 == 0 and produced.endswith(archive.END_OF_ARCHIVE)
    with tarfile.open(fileobj=io.BytesIO(produced), mode="r:") as parsed:
        infos = parsed.getmembers()
        assert [(i.name, i.size, i.mode, i.mtime, i.uid, i.type) for i in infos] == [
            (OPERATIONS, 3, 0o600, 0, 0, tarfile.REGTYPE),
            (MANIFEST, 0, 0o600, 0, 0, tarfile.REGTYPE),
        ]
        first = parsed.extractfile(infos[0])
        assert first is not None and first.read() == b"abc"


def test_age_header_is_read_and_plaintext_sizes_follow_from_the_file_size(
    receiver: Party, tmp_path: Path
) -> None:
    from storycapture.crypto.stream import age_plaintext_size, encrypt_from

    for size in (0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES):
        path = tmp_path / f"{size}.age"
        with open(path, "wb") as out:
            encrypt_from(io.BytesIO(os.urandom(size)), out, [receiver.recipient])
        assert age_plaintext_size(path) == size
        with open(path, "rb") as source:
            header = read_age_header(source)
        assert header.stanzas[0].type == "X25519" and len(header.stanzas[0].body) == 32


# --- reading that fails part-way ----------------------------------------------------------


def test_a_full_disk_while_staging_passes_as_it_is_and_leaves_nothing(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])
    real_write = bundle_read._StagedPhoto.write
    seen = [0]

    def fills_up(self: Any, data: bytes, /) -> int:
        seen[0] += len(data)
        if seen[0] > 100_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(bundle_read._StagedPhoto, "write", fills_up)
    with pytest.raises(OSError) as raised:
        read(written.path, receiver, staging)
    assert raised.value.errno == errno.ENOSPC and not isinstance(raised.value, BundleRefused)
    assert list(staging.iterdir()) == []


def test_ctrl_c_while_reading_leaves_nothing_staged(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = write(sender, tmp_path, [receiver.recipient])

    def stage(storyteller: str, photo: str) -> str:
        if photo == PHOTO_B:  # photo A is staged by now
            raise KeyboardInterrupt
        return receiver.recipient

    with pytest.raises(KeyboardInterrupt):
        read(written.path, receiver, staging, stage=stage)
    assert list(staging.iterdir()) == []


def test_a_photo_listed_under_two_storytellers_is_refused(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    other = new_uuid()
    members = [*content(sender), (f"media/{other}/{PHOTO_A}", PHOTO_A_BYTES)]
    path = hostile(tmp_path, receiver, craft(sender, [receiver.recipient], members=members))
    # the change adds it for one storyteller; its file may not go in another's folder
    assert refused(path, receiver, staging).reason == "unlisted-media"


def test_a_file_that_cannot_be_read_is_refused_in_plain_words(
    receiver: Party, tmp_path: Path, staging: Path
) -> None:
    for path in (tmp_path / "missing.age", staging):  # nothing there; a folder
        error = refused(path, receiver, staging)
        assert error.reason == "unreadable" and "could not be" in str(error)


def test_a_bundle_for_more_recipients_than_a_receiver_accepts_is_not_written(
    sender: Party, tmp_path: Path
) -> None:
    many = [keys.age_recipient(keys.new_age_identity()) for _ in range(bundle.MAX_RECIPIENTS + 1)]
    with pytest.raises(ValueError):
        write(sender, tmp_path, many)
    assert list(tmp_path.iterdir()) == []
    written = write(sender, tmp_path, many[:-1])  # age adds a stanza: still under the cap
    header = read_age_header(io.BytesIO(written.path.read_bytes()), max_stanzas=10_000)
    assert len(header.stanzas) == bundle.DEFAULT_LIMITS.max_stanzas


# --- photo files: each one added by a change of the bundle, and a picture of its kind ----------


def _with_photo(
    sender: Party, photo: str, data: bytes, ops: list[dict[str, Any]]
) -> list[tuple[str, bytes]]:
    return [
        (OPERATIONS, ops_bytes([*ops, *sample_ops(sender.device_id)])),
        (archive.media_name(STORYTELLER, PHOTO_A), PHOTO_A_BYTES),
        (archive.media_name(STORYTELLER, PHOTO_B), PHOTO_B_BYTES),
        (archive.media_name(STORYTELLER, photo), data),
    ]


HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("declared", "data", "reason"),
    [
        pytest.param("image/jpeg", HTML, "not-a-photo", id="html-said-jpeg"),
        pytest.param("text/html", HTML, "not-a-photo", id="html-said-html"),
        pytest.param("image/png", PHOTO_A_BYTES, "not-a-photo", id="jpeg-said-png"),
        pytest.param("image/jpeg", b"\xff\xd8", "not-a-photo", id="two-bytes"),
        pytest.param("image/jpeg", b"", "not-a-photo", id="empty"),
        pytest.param(None, PHOTO_A_BYTES, "not-a-photo", id="no-type-said"),
    ],
)
def test_a_photo_file_must_be_the_picture_its_changes_say(
    sender: Party,
    receiver: Party,
    tmp_path: Path,
    staging: Path,
    declared: str | None,
    data: bytes,
    reason: str,
) -> None:
    photo = new_uuid()
    ops = [set_op(sender.device_id, entity="photo", uuid=photo, field="original_name")]
    if declared is not None:
        ops.append(
            set_op(sender.device_id, entity="photo", uuid=photo, field="media_type", value=declared)
        )
    members = _with_photo(sender, photo, data, ops)
    path = hostile(tmp_path, receiver, craft(sender, [receiver.recipient], members=members))
    assert refused(path, receiver, staging).reason == reason
    # verify says the same, and keeps nothing either
    with pytest.raises(BundleRefused) as raised:
        bundle.verify_bundle(
            path, identities=[receiver.identity], check_sender=lambda manifest: None
        )
    assert raised.value.reason == reason


def test_a_photo_no_change_adds_is_refused_before_anything_is_staged(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """A file for a photo that no change of the bundle adds, for a known storyteller or an
    unknown one, is refused as it arrives: nothing is staged for it, or for anything after."""
    for storyteller in (STORYTELLER, new_uuid()):
        members = [
            (OPERATIONS, ops_bytes(sample_ops(sender.device_id))),
            (archive.media_name(storyteller, new_uuid()), PHOTO_A_BYTES),
            (archive.media_name(STORYTELLER, PHOTO_A), PHOTO_A_BYTES),
            (archive.media_name(STORYTELLER, PHOTO_B), PHOTO_B_BYTES),
        ]
        path = hostile(tmp_path, receiver, craft(sender, [receiver.recipient], members=members))
        staged: list[str] = []
        with pytest.raises(BundleRefused) as raised:
            read(
                path,
                receiver,
                staging,
                stage=lambda _s, photo, staged=staged: staged.append(photo) or receiver.recipient,
            )
        assert raised.value.reason == "unlisted-media"
        assert staged == [] and list(staging.iterdir()) == []


def test_twenty_thousand_empty_photo_files_are_refused_at_the_first(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """20,000 empty members named as photos, listed by the manifest, none added by a change:
    the first is refused; not one is staged (each staging opened a file and a writer)."""
    members: list[tuple[str, bytes]] = [(OPERATIONS, ops_bytes(sample_ops(sender.device_id)))]
    members += [(archive.media_name(STORYTELLER, new_uuid()), b"") for _ in range(20_000)]
    path = hostile(tmp_path, receiver, craft(sender, [receiver.recipient], members=members))
    staged: list[str] = []
    with pytest.raises(BundleRefused) as raised:
        read(path, receiver, staging, stage=lambda _s, photo: staged.append(photo) or "")
    assert raised.value.reason == "unlisted-media"
    assert staged == []


def test_a_photo_larger_than_a_laptop_keeps_is_refused_from_its_header(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    """A laptop keeps no photo over 200 MB; a member that says it is larger is refused from
    its tar header, before a byte of it is read or staged."""
    from storycapture.services.media import PHOTO_LIMIT_BYTES

    name = archive.media_name(STORYTELLER, PHOTO_A)
    members: list[Member] = [
        (OPERATIONS, ops_bytes(sample_ops(sender.device_id))),
        tar_header(name, PHOTO_LIMIT_BYTES + 1),
    ]
    error = refused(hostile(tmp_path, receiver, members, end=b""), receiver, staging)
    assert error.reason == "too-large"
