"""age streams: pull and push in both directions, errors as they were raised, the header read
without pyrage, and plaintext sizes from file sizes."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from storycapture.crypto import keys
from storycapture.crypto.aead import DecryptionFailed
from storycapture.crypto.stream import (
    AGE_MAGIC,
    CHUNK_BYTES,
    DecryptingReader,
    EncryptingWriter,
    MalformedAgeFile,
    NotAnAgeFile,
    NotForTheseIdentities,
    OversizedAgeHeader,
    TruncatedAgeFile,
    decrypt_into,
    encrypt_from,
    open_decrypted,
    plaintext_size_of_payload,
    read_age_header,
)

IDENTITY = keys.new_age_identity()
RECIPIENT = keys.age_recipient(IDENTITY)
DATA = os.urandom(3 * CHUNK_BYTES + 123)


def sealed(data: bytes = DATA) -> bytes:
    out = io.BytesIO()
    encrypt_from(io.BytesIO(data), out, [RECIPIENT])
    return out.getvalue()


class Trickle:
    """A writer that takes at most ``most`` bytes a call (as a raw file may)."""

    def __init__(self, most: int) -> None:
        self.data = bytearray()
        self._most = most

    def write(self, data: bytes) -> int:
        taken = data[: self._most]
        self.data += taken
        return len(taken)


def test_encrypt_from_and_decrypt_into_round_trip() -> None:
    out = io.BytesIO()
    decrypt_into(io.BytesIO(sealed()), out, [IDENTITY])
    assert out.getvalue() == DATA


def test_short_writes_are_completed_not_handed_to_pyrage() -> None:
    """pyrage aborts the whole process when a writer takes fewer bytes than given."""
    target = Trickle(100)
    decrypt_into(io.BytesIO(sealed()), target, [IDENTITY])
    assert target.data == DATA
    target = Trickle(1000)
    encrypt_from(io.BytesIO(DATA), target, [RECIPIENT])
    out = io.BytesIO()
    decrypt_into(io.BytesIO(bytes(target.data)), out, [IDENTITY])
    assert out.getvalue() == DATA


class Failing:
    """Reads or writes ``good`` bytes, then raises ``error`` (again on every later call)."""

    def __init__(self, good: int, error: BaseException) -> None:
        self._left = good
        self._error = error

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            raise self._error
        count = min(size, self._left)
        self._left -= count
        return b"r" * count

    def write(self, data: bytes) -> int:
        if self._left <= 0:
            raise self._error
        self._left -= len(data)
        return len(data)


ERRORS = [
    OSError(errno.ENOSPC, "No space left on device"),
    KeyboardInterrupt(),
    ValueError("not pyrage's"),
]


@pytest.mark.parametrize("error", ERRORS, ids=["enospc", "ctrl-c", "value-error"])
def test_errors_from_the_reader_and_writer_come_out_as_raised(error: BaseException) -> None:
    """encrypt_io would turn each into an EncryptError with only its text."""
    with pytest.raises(type(error)) as raised:
        encrypt_from(Failing(100_000, error), io.BytesIO(), [RECIPIENT])
    assert raised.value is error
    with pytest.raises(type(error)) as raised:
        encrypt_from(io.BytesIO(DATA), Failing(70_000, error), [RECIPIENT])
    assert raised.value is error
    with pytest.raises(type(error)) as raised:
        decrypt_into(io.BytesIO(sealed()), Failing(20_000, error), [IDENTITY])
    assert raised.value is error


def test_decryption_failures_are_told_apart() -> None:
    with pytest.raises(NotForTheseIdentities):
        decrypt_into(io.BytesIO(sealed()), io.BytesIO(), [keys.new_age_identity()])
    damaged = bytearray(sealed())
    damaged[-10] ^= 1
    out = io.BytesIO()
    with pytest.raises(DecryptionFailed) as raised:
        decrypt_into(io.BytesIO(bytes(damaged)), out, [IDENTITY])
    assert not isinstance(raised.value, NotForTheseIdentities)
    # The chunks before the damage were already handed over: the caller discards them.
    assert out.getvalue() == DATA[: 3 * CHUNK_BYTES]


def test_the_encrypting_writer_takes_pushed_bytes() -> None:
    out = io.BytesIO()
    with EncryptingWriter(out, [RECIPIENT]) as writer:
        for at in range(0, len(DATA), 1000):
            writer.write(DATA[at : at + 1000])
    plain = io.BytesIO()
    decrypt_into(io.BytesIO(out.getvalue()), plain, [IDENTITY])
    assert plain.getvalue() == DATA


def test_an_aborted_encrypting_writer_never_finishes_the_file() -> None:
    out = io.BytesIO()
    with pytest.raises(RuntimeError), EncryptingWriter(out, [RECIPIENT]) as writer:
        writer.write(DATA[:100_000])
        raise RuntimeError("the bundle failed")
    with pytest.raises(DecryptionFailed):
        decrypt_into(io.BytesIO(out.getvalue()), io.BytesIO(), [IDENTITY])


def test_the_encrypting_writer_reports_a_full_disk() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(OSError) as raised:  # from write() or close(), whichever comes first
        writer = EncryptingWriter(Failing(100_000, full), [RECIPIENT])
        for _ in range(100):
            writer.write(b"x" * 8192)
        writer.close()
    assert raised.value is full


def test_the_decrypting_reader_gives_plaintext_to_pull() -> None:
    with DecryptingReader(io.BytesIO(sealed()), [IDENTITY]) as reader:
        pieces = iter(lambda: reader.read(5000), b"")
        assert b"".join(pieces) == DATA


def test_the_decrypting_reader_raises_at_the_damage_and_stops_when_closed() -> None:
    damaged = bytearray(sealed())
    damaged[-10] ^= 1
    with (
        pytest.raises(DecryptionFailed),
        DecryptingReader(io.BytesIO(bytes(damaged)), [IDENTITY]) as r,
    ):
        while r.read(8192):
            pass
    big = sealed(bytes(5_000_000))
    with DecryptingReader(io.BytesIO(big), [IDENTITY]) as reader:
        assert reader.read(10) == bytes(10)  # leaving early stops the thread


def test_open_decrypted_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.age"
    path.write_bytes(sealed())
    with open_decrypted(path, [IDENTITY]) as plain:
        assert plain.read() == DATA


@pytest.mark.skipif(shutil.which("age") is None, reason="the stock `age` CLI is not installed")
def test_what_encrypt_from_writes_the_stock_age_decrypts(tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    key.write_text(IDENTITY + "\n")
    path = tmp_path / "data.age"
    path.write_bytes(sealed())
    result = subprocess.run(["age", "-d", "-i", str(key), str(path)], capture_output=True)
    assert result.returncode == 0 and result.stdout == DATA


# --- the header and sizes -----------------------------------------------------------------

MAC = b"--- " + b"A" * 43 + b"\n"


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (b"", TruncatedAgeFile),
        (b"age-encryption.org/", TruncatedAgeFile),
        (b"age-encryption.org/v1\n-> X25519 abc\n", TruncatedAgeFile),
        (b"age-encryption.org/v2\n" + MAC, NotAnAgeFile),
        (b"-----BEGIN AGE ENCRYPTED FILE-----\n", NotAnAgeFile),
        (b"age-encryption.org/v1\n" + MAC, MalformedAgeFile),  # no stanza
        (b"age-encryption.org/v1\n-> X25519  a\n\n" + MAC, MalformedAgeFile),  # empty argument
        (b"age-encryption.org/v1\n-> x\nAB=\n" + MAC, MalformedAgeFile),  # padding
        (b"age-encryption.org/v1\n-> x\nAB\n" + MAC, MalformedAgeFile),  # not canonical
        (b"age-encryption.org/v1\n-> x\n" + b"A" * 65 + b"\n" + MAC, MalformedAgeFile),
        (b"age-encryption.org/v1\n-> x\n\n--- short\n", MalformedAgeFile),
        (b"age-encryption.org/v1\n-> x\n\n" + b"-> y\n\n" * 40 + MAC, OversizedAgeHeader),
        (b"age-encryption.org/v1\n-> x\n" + (b"A" * 64 + b"\n") * 1100, OversizedAgeHeader),
    ],
)
def test_malformed_age_headers_are_refused(header: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        read_age_header(io.BytesIO(header), max_bytes=64 * 1024, max_stanzas=32)


def test_the_header_is_read_up_to_the_payload() -> None:
    data = sealed()
    source = io.BytesIO(data)
    header = read_age_header(source)
    assert data.startswith(header.raw) and header.raw.startswith(AGE_MAGIC)
    assert source.tell() == header.length
    assert plaintext_size_of_payload(len(data) - header.length) == len(DATA)


@pytest.mark.parametrize(
    ("payload", "plaintext"),
    [
        (16 + 16, 0),
        (16 + 1 + 16, 1),
        (16 + CHUNK_BYTES + 16, CHUNK_BYTES),
        (16 + CHUNK_BYTES + 16 + 1 + 16, CHUNK_BYTES + 1),
    ],
)
def test_plaintext_sizes_follow_from_payload_sizes(payload: int, plaintext: int) -> None:
    assert plaintext_size_of_payload(payload) == plaintext


@pytest.mark.parametrize("payload", [0, 31, 16 + CHUNK_BYTES + 16 + 16, 16 + CHUNK_BYTES + 16 + 5])
def test_impossible_payload_sizes_are_truncation(payload: int) -> None:
    with pytest.raises(TruncatedAgeFile):
        plaintext_size_of_payload(payload)


def test_recipients_and_identities_are_checked_first() -> None:
    target: Any = io.BytesIO()
    with pytest.raises(ValueError):
        encrypt_from(io.BytesIO(b""), target, ["age1notarecipient"])
    with pytest.raises(ValueError):
        encrypt_from(io.BytesIO(b""), target, RECIPIENT)  # a string, not a list
    with pytest.raises(ValueError):
        DecryptingReader(io.BytesIO(b""), ["AGE-SECRET-KEY-1NOPE"])
