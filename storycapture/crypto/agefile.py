"""age v1 files with X25519 recipients, written and read chunk by chunk with ``cryptography``.

This is the format of https://age-encryption.org/v1 (c2sp.org/age), for the one recipient type
StoryCapture uses, so that ``age -d -i key.txt`` opens what is written here and what ``age -r``
writes is read here:

- A 16-byte random *file key* is wrapped for each recipient in a stanza
  ``-> X25519 <ephemeral share>`` whose body is ChaCha20-Poly1305 (nonce of 12 zero bytes)
  under HKDF-SHA-256(ikm = X25519 shared secret, salt = share || recipient,
  info = "age-encryption.org/v1/X25519"); one more random "grease" stanza of an unknown type
  follows, as rage writes it, so readers keep skipping stanzas they do not know.
- The header ends with ``--- <MAC>``: HMAC-SHA-256 under HKDF(file key, "", "header") of the
  header up to and with ``---``. Base64 is unpadded and canonical; bodies wrap at 64 columns.
- The payload is a 16-byte random nonce, then the plaintext in chunks of 64 KiB, each sealed
  with ChaCha20-Poly1305 under HKDF(file key, nonce, "payload") and the nonce
  ``11-byte big-endian counter || 0x01 on the final chunk, else 0x00``. The final chunk is
  shorter than 64 KiB or full, and empty only when the whole plaintext is.

Two shapes, each a plain loop over chunks on the caller's thread: :class:`AgeWriter`, pushed
into with ``write`` (its ``close`` seals the final chunk, its ``abort`` never does, so a
cut-short input never becomes a complete file), and :class:`AgeReader`, pulled from with
``read``/``readinto``. The reader checks the whole header (its grammar, our stanza, the MAC)
before it gives a byte, and hands out each chunk's plaintext only once that chunk verified and
is known to be final or not; damage, a cut, or bytes after the final chunk raise at that chunk.
Plaintext only ever goes to the caller: nothing here writes anywhere else.

Keys are the age spellings: ``age1…`` recipients and ``AGE-SECRET-KEY-1…`` identities, in
Bech32 (BIP 173 without its length limit; all lowercase or all uppercase, never mixed).

``cryptography`` holds the GIL while it seals or opens a chunk, file reads and writes and
``hashlib`` let go of it: a caller that wants to overlap hashing with this work can hash on
another thread.
"""

from __future__ import annotations

import binascii
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO, RawIOBase
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storycapture.crypto.aead import DecryptionFailed

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

AGE_MAGIC = b"age-encryption.org/v1\n"
CHUNK_BYTES = 64 * 1024  # plaintext per payload chunk
TAG_BYTES = 16  # Poly1305 tag after each chunk
NONCE_BYTES = 16  # payload nonce in front of the first chunk
SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
FILE_KEY_BYTES = 16
DEFAULT_MAX_HEADER_BYTES = 64 * 1024
DEFAULT_MAX_STANZAS = 32

RECIPIENT_PREFIX = "age"
IDENTITY_PREFIX = "AGE-SECRET-KEY-"
X25519_TYPE = "X25519"

_X25519_INFO = b"age-encryption.org/v1/X25519"
_KEY_BYTES = 32  # X25519 keys and shares, HKDF outputs
_WRAPPED_KEY_BYTES = FILE_KEY_BYTES + TAG_BYTES
_ZERO_NONCE = bytes(12)
_LAST_COUNTER = 2**88 - 1  # the 11-byte counter of the last chunk a payload can have
_READ_CHUNKS = 16  # sealed chunks read from the source at a time (one call, about 1 MiB)
_NOT_LAST = b"\x00"
_LAST = b"\x01"

_ARGUMENT = re.compile(rb"[\x21-\x7e]+")
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*")
_BODY_LINE = 64  # a stanza body is wrapped at 64 columns; its last line is shorter
_MAC_CHARS = 43  # 32 bytes in unpadded base64
_MAC_LINE_TAIL = 1 + _MAC_CHARS + 1  # " <MAC>\n": what the MAC does not cover


# --- errors ---------------------------------------------------------------------------------


class MalformedAgeFile(DecryptionFailed):
    """The file is not an age v1 file as age writes them, or its header is malformed."""


class NotAnAgeFile(MalformedAgeFile):
    """The file does not begin as an age v1 file (another kind of file, or armored age)."""


class TruncatedAgeFile(MalformedAgeFile):
    """The file ends before its header does, or before its final chunk."""


class OversizedAgeHeader(MalformedAgeFile):
    """The header is longer, or has more stanzas, than the caller accepts."""


class NotForTheseIdentities(DecryptionFailed):
    """The file was encrypted to other keys (or the stanza meant for us was altered)."""


class EncryptionFailed(Exception):
    """Encryption could not go on for a reason of its own (not the reader's nor the writer's):
    here only a payload that would outgrow its chunk counter (2**88 chunks of 64 KiB)."""


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


# --- base64 and Bech32 ----------------------------------------------------------------------


def _unpadded_base64(text: bytes) -> bytes:
    """Decode age's base64 (no padding), refusing any other spelling of the same bytes."""
    if not _BASE64.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedAgeFile("age header holds something that is not base64")
    decoded = binascii.a2b_base64(text + b"=" * (-len(text) % 4), strict_mode=True)
    if _encode_base64(decoded) != text:
        raise MalformedAgeFile("age header holds base64 in a non-canonical form")
    return decoded


def _encode_base64(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False).rstrip(b"=")


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_VALUES = {char: value for value, char in enumerate(_BECH32_CHARSET)}
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _bech32_polymod(values: Sequence[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_BECH32_GENERATOR):
            if (top >> bit) & 1:
                check ^= generator
    return check


def _bech32_hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: Sequence[int], source: int, target: int, pad: bool) -> bytes | None:
    """Regroup ``data`` from ``source``-bit to ``target``-bit values (BIP 173). Without
    ``pad``, leftover bits must be fewer than ``source`` and all zero: else None."""
    accumulator = bits = 0
    out = bytearray()
    mask = (1 << target) - 1
    for value in data:
        accumulator = (accumulator << source) | value
        bits += source
        while bits >= target:
            bits -= target
            out.append((accumulator >> bits) & mask)
    if pad:
        if bits:
            out.append((accumulator << (target - bits)) & mask)
    elif bits >= source or (accumulator << (target - bits)) & mask:
        return None
    return bytes(out)


def bech32_encode(hrp: str, data: bytes) -> str:
    """Bech32 (BIP 173, no length limit) of ``data`` under ``hrp``, in ``hrp``'s case."""
    lower = hrp.lower()
    values = list(_convert_bits(data, 8, 5, pad=True) or b"")
    polymod = _bech32_polymod([*_bech32_hrp_expand(lower), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    values += [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    text = lower + "1" + "".join(_BECH32_CHARSET[v] for v in values)
    return text.upper() if hrp.isupper() else text


def bech32_decode(text: str) -> tuple[str, bytes]:
    """``(hrp in lowercase, data)`` of a Bech32 string; ValueError for anything else: mixed
    case, characters outside the alphabet, a wrong checksum, bad padding bits."""
    if not text.isascii() or (text.lower() != text and text.upper() != text):
        raise ValueError("Bech32 is all lowercase or all uppercase ASCII")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or separator + 7 > len(text):
        raise ValueError("Bech32 has a prefix, a '1' and a checksum of six characters")
    hrp = text[:separator]
    if any(not 33 <= ord(c) <= 126 for c in hrp):
        raise ValueError("Bech32 prefix holds a character outside US-ASCII 33-126")
    try:
        values = [_BECH32_VALUES[c] for c in text[separator + 1 :]]
    except KeyError as error:
        raise ValueError("Bech32 holds a character outside its alphabet") from error
    if _bech32_polymod([*_bech32_hrp_expand(hrp), *values]) != 1:
        raise ValueError("Bech32 checksum does not match")
    data = _convert_bits(values[:-6], 5, 8, pad=False)
    if data is None:
        raise ValueError("Bech32 data has invalid padding")
    return hrp, data


# --- keys -----------------------------------------------------------------------------------


def _decode_key(text: str, prefix: str, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"not an age {what}")
    try:
        hrp, data = bech32_decode(text)
    except ValueError as error:
        raise ValueError(f"not an age {what}: {error}") from error
    if hrp != prefix.lower() or len(data) != _KEY_BYTES:
        raise ValueError(f"not an age {what}")
    return data


def parse_recipient(text: str) -> bytes:
    """The 32-byte X25519 public key of an ``age1…`` recipient; ValueError for anything else."""
    return _decode_key(text, RECIPIENT_PREFIX, "recipient (age1…)")


def parse_identity(text: str) -> bytes:
    """The 32-byte X25519 secret of an ``AGE-SECRET-KEY-1…`` identity; ValueError otherwise."""
    return _decode_key(text, IDENTITY_PREFIX, "identity (AGE-SECRET-KEY-1…)")


def encode_recipient(public_key: bytes) -> str:
    return bech32_encode(RECIPIENT_PREFIX, public_key)


def encode_identity(secret: bytes) -> str:
    return bech32_encode(IDENTITY_PREFIX, secret)


def new_identity() -> str:
    """A new identity as its ``AGE-SECRET-KEY-1…`` text (as ``age-keygen`` writes it)."""
    return encode_identity(secrets.token_bytes(_KEY_BYTES))


def recipient_of(identity: str) -> str:
    """The ``age1…`` recipient of an ``AGE-SECRET-KEY-1…`` identity."""
    return encode_recipient(_Identity.parse(identity).public)


def is_recipient(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        parse_recipient(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Identity:
    private: X25519PrivateKey
    public: bytes

    @classmethod
    def parse(cls, text: str) -> _Identity:
        private = X25519PrivateKey.from_private_bytes(parse_identity(text))
        return cls(private, private.public_key().public_bytes_raw())


def _identities(identities: Sequence[str]) -> list[_Identity]:
    if isinstance(identities, str) or not identities:
        raise ValueError("age decryption needs a list of at least one identity")
    return [_Identity.parse(identity) for identity in identities]


def _recipients(recipients: Sequence[str]) -> list[bytes]:
    if isinstance(recipients, str) or not recipients:
        raise ValueError("age encryption needs a list of at least one recipient")
    keys = [parse_recipient(recipient) for recipient in recipients]
    return list(dict.fromkeys(keys))  # one stanza per recipient, in the order given


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=salt, info=info).derive(secret)


def _shared_secret(private: X25519PrivateKey, public: bytes) -> bytes | None:
    """X25519, or None when the result is all zeros (``public`` is a low-order point)."""
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:  # OpenSSL refuses the all-zero result itself
        return None
    return shared if any(shared) else None


# --- the header -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeStanza:
    type: str
    args: tuple[str, ...]
    body: bytes


@dataclass(frozen=True)
class AgeHeader:
    """An age header as read: its stanzas and its exact bytes (up to and with the MAC line)."""

    stanzas: tuple[AgeStanza, ...]
    raw: bytes

    @property
    def length(self) -> int:
        return len(self.raw)

    @property
    def mac(self) -> bytes:
        return _unpadded_base64(self.raw[-_MAC_LINE_TAIL + 1 : -1])

    @property
    def authenticated(self) -> bytes:
        """The bytes the MAC covers: everything up to and with ``---``."""
        return self.raw[:-_MAC_LINE_TAIL]


def read_age_header(
    source: Readable,
    max_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_stanzas: int = DEFAULT_MAX_STANZAS,
) -> AgeHeader:
    """Read and check the header of an age v1 file, leaving ``source`` at the payload.

    It reads at most ``max_bytes + 1`` bytes, so neither a huge header nor a file of another
    kind without line breaks is ever held whole, and refuses a header with more than
    ``max_stanzas`` stanzas before any work is spent on each. It checks the grammar of the
    age spec (stanza arguments, 64-column canonical base64 bodies, the MAC line) but no keys:
    :class:`AgeReader` verifies the stanzas and the MAC.
    """
    raw = bytearray()

    def line() -> bytes:
        # One byte more than the room left, so that "too long" is seen without reading on.
        text = _read_line(source, max_bytes - len(raw) + 1)
        raw.extend(text)
        if len(raw) > max_bytes:
            raise OversizedAgeHeader(f"age header is longer than {max_bytes} bytes")
        if not text.endswith(b"\n"):
            raise TruncatedAgeFile("age file ends inside its header")
        return text[:-1]

    start = source.read(len(AGE_MAGIC))
    raw.extend(start)
    if start != AGE_MAGIC:
        if AGE_MAGIC.startswith(start):
            raise TruncatedAgeFile("age file ends inside its header")
        raise NotAnAgeFile("not an age v1 file")
    stanzas: list[AgeStanza] = []
    text = line()
    while text.startswith(b"-> "):
        if len(stanzas) == max_stanzas:
            raise OversizedAgeHeader(f"age header has more than {max_stanzas} stanzas")
        args = text[3:].split(b" ")
        if not all(_ARGUMENT.fullmatch(arg) for arg in args):
            raise MalformedAgeFile("age stanza has a malformed argument")
        body = bytearray()
        while True:
            body_line = line()
            body.extend(body_line)
            if len(body_line) > _BODY_LINE:
                raise MalformedAgeFile("age stanza body line is longer than 64 columns")
            if len(body_line) < _BODY_LINE:
                break
        names = [arg.decode("ascii") for arg in args]
        stanzas.append(AgeStanza(names[0], tuple(names[1:]), _unpadded_base64(bytes(body))))
        text = line()
    if not text.startswith(b"--- ") or len(text) != 4 + _MAC_CHARS:
        raise MalformedAgeFile("age header does not end with its MAC line")
    _unpadded_base64(text[4:])
    if not stanzas:
        raise MalformedAgeFile("age header has no stanzas")
    return AgeHeader(tuple(stanzas), bytes(raw))


def _read_line(source: Readable, limit: int) -> bytes:
    """One line of at most ``limit`` bytes, with its ``\\n`` (shorter at the end of the file)."""
    readline = getattr(source, "readline", None)
    if readline is not None:
        text: bytes = readline(limit)
        return text
    line = bytearray()
    while len(line) < limit:
        byte = source.read(1)
        if not byte:
            break
        line.extend(byte)
        if byte == b"\n":
            break
    return bytes(line)


def _file_key(header: AgeHeader, identities: Sequence[_Identity]) -> bytes:
    """The file key, unwrapped from an X25519 stanza by one of ``identities``, with the
    header's MAC verified under it. Stanzas of other types are skipped, as the spec asks."""
    x25519: list[tuple[bytes, bytes]] = []
    for stanza in header.stanzas:
        if stanza.type == "scrypt" and len(header.stanzas) != 1:
            raise MalformedAgeFile("an scrypt stanza must be the only one in an age header")
        if stanza.type != X25519_TYPE:
            continue
        if len(stanza.args) != 1:
            raise MalformedAgeFile("an X25519 stanza has exactly one argument")
        share = _unpadded_base64(stanza.args[0].encode("ascii"))
        if len(share) != _KEY_BYTES:
            raise MalformedAgeFile("an X25519 stanza's share is not 32 bytes")
        if len(stanza.body) != _WRAPPED_KEY_BYTES:  # checked before any decryption
            raise MalformedAgeFile("an X25519 stanza's body is not 32 bytes")
        x25519.append((share, stanza.body))
    for identity in identities:
        for share, body in x25519:
            shared = _shared_secret(identity.private, share)
            if shared is None:
                raise MalformedAgeFile("an X25519 stanza has a share of low order")
            key = _hkdf(shared, share + identity.public, _X25519_INFO)
            try:
                file_key = ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
            except InvalidTag:
                continue
            mac_key = _hkdf(file_key, b"", b"header")
            expected = hmac.digest(mac_key, header.authenticated, "sha256")
            if not hmac.compare_digest(expected, header.mac):
                raise DecryptionFailed("age header MAC does not verify: the header was altered")
            return file_key
    raise NotForTheseIdentities("age file is not for these identities")


def _stanza(kind: str, args: Sequence[bytes], body: bytes) -> bytes:
    encoded = _encode_base64(body)
    lines = [encoded[at : at + _BODY_LINE] for at in range(0, len(encoded), _BODY_LINE)]
    if len(encoded) % _BODY_LINE == 0:
        lines.append(b"")  # the body ends with a line shorter than 64 columns
    first = b" ".join([b"->", kind.encode("ascii"), *args])
    return b"\n".join([first, *lines]) + b"\n"


def _grease() -> bytes:
    """A stanza of a random unknown type (as rage adds one), so readers keep skipping them."""

    def arbitrary() -> bytes:
        length = 1 + secrets.randbelow(9)
        return bytes(0x21 + secrets.randbelow(0x7E - 0x21 + 1) for _ in range(length))

    kind = arbitrary().decode("ascii") + "-grease"
    args = [arbitrary() for _ in range(secrets.randbelow(5))]
    return _stanza(kind, args, secrets.token_bytes(secrets.randbelow(100)))


def _header(file_key: bytes, recipients: Sequence[bytes]) -> bytes:
    parts = [AGE_MAGIC]
    for recipient in recipients:
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        shared = _shared_secret(ephemeral, recipient)
        if shared is None:
            raise ValueError("not a usable age recipient (a point of low order)")
        key = _hkdf(shared, share + recipient, _X25519_INFO)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        parts.append(_stanza(X25519_TYPE, [_encode_base64(share)], body))
    parts.append(_grease())
    parts.append(b"---")
    header = b"".join(parts)
    mac = hmac.digest(_hkdf(file_key, b"", b"header"), header, "sha256")
    return header + b" " + _encode_base64(mac) + b"\n"


def _payload_cipher(file_key: bytes, nonce: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))


# --- sizes ----------------------------------------------------------------------------------


def plaintext_size_of_payload(payload_bytes: int) -> int:
    """Plaintext length of an age payload of ``payload_bytes`` (nonce, chunks and their tags).

    Every chunk but the last holds 64 KiB; the last holds 1 to 64 KiB, or nothing when the
    whole plaintext is empty. A length no age payload can have means the file was cut short.
    """
    chunks_bytes = payload_bytes - NONCE_BYTES
    if chunks_bytes < TAG_BYTES:
        raise TruncatedAgeFile("age payload is shorter than its nonce and one chunk")
    full, rest = divmod(chunks_bytes, SEALED_CHUNK_BYTES)
    if rest == 0:
        return full * CHUNK_BYTES
    if rest < TAG_BYTES or (rest == TAG_BYTES and full > 0):
        raise TruncatedAgeFile("age payload ends inside a chunk")
    return full * CHUNK_BYTES + rest - TAG_BYTES


# --- writing --------------------------------------------------------------------------------


def write_all(target: Writable, data: bytes) -> None:
    """Write all of ``data``, again with the rest after a short write. A writer answering
    ``None`` (as push sinks may) has taken everything."""
    while data:
        written = target.write(data)
        if written is None:
            return
        if type(written) is not int or not 0 < written <= len(data):
            raise OSError(f"a writer answered {written!r} for {len(data)} bytes")
        data = data[written:]


_OPEN, _CLOSED, _ABORTED = range(3)


class AgeWriter:
    """Push plaintext in with ``write``; an age file for ``recipients`` comes out in ``target``.

    The header is written at once. ``write`` seals each 64 KiB chunk as soon as the next byte
    after it arrives (only then is it known not to be the final one); ``close()`` seals the
    final chunk, ``abort()`` drops what is held and never finishes the file. As a context
    manager it closes, or aborts on an exception. Exceptions of ``target`` come out as raised,
    and every later call raises the first again. ``target`` is the caller's to flush, sync and
    close. An AgeWriter that is dropped without ``close()`` has not finished its file.
    """

    def __init__(self, target: Writable, recipients: Sequence[str]) -> None:
        keys = _recipients(recipients)
        file_key = secrets.token_bytes(FILE_KEY_BYTES)
        nonce = secrets.token_bytes(NONCE_BYTES)
        header = _header(file_key, keys)
        self._cipher = _payload_cipher(file_key, nonce)
        self._target = target
        self._counter = 0
        # Plaintext not sealed yet, at most one chunk: bytes of the caller's (immutable, so
        # held as they are) or a bytearray of our own.
        self._held: memoryview | bytearray = bytearray()
        self._state = _OPEN
        self._error: BaseException | None = None
        try:
            write_all(target, header + nonce)
        except BaseException as error:
            self._error = error
            raise

    @property
    def closed(self) -> bool:
        return self._state != _OPEN

    def writable(self) -> bool:
        return True

    def _check(self) -> None:
        if self._error is not None:
            raise self._error
        if self._state != _OPEN:
            raise ValueError("write to a closed age writer")

    def write(self, data: ReadableBuffer, /) -> int:
        self._check()
        try:
            return self._write(data)
        except BaseException as error:
            self._error = error
            raise

    def _write(self, data: ReadableBuffer) -> int:
        view = memoryview(data)
        if view.ndim != 1 or view.itemsize != 1:
            view = view.cast("B")
        size = len(view)
        if not size:
            return 0
        at = 0
        held = self._held
        if held:
            if len(held) < CHUNK_BYTES:
                at = min(CHUNK_BYTES - len(held), size)
                if not isinstance(held, bytearray):
                    held = bytearray(held)
                held += view[:at]
                self._held = held
                if at == size:
                    return size
            # More bytes follow the held chunk, so it is not the final one.
            self._held = bytearray()
            self._seal(held, _NOT_LAST)
        while size - at > CHUNK_BYTES:
            self._seal(view[at : at + CHUNK_BYTES], _NOT_LAST)
            at += CHUNK_BYTES
        rest = view[at:]
        self._held = rest if isinstance(data, bytes) else bytearray(rest)
        return size

    def _seal(self, chunk: bytes | bytearray | memoryview, flag: bytes) -> None:
        counter = self._counter
        if counter > _LAST_COUNTER or (counter == _LAST_COUNTER and flag == _NOT_LAST):
            raise EncryptionFailed("age payload would have more chunks than its counter numbers")
        sealed = self._cipher.encrypt(counter.to_bytes(11, "big") + flag, chunk, None)
        self._counter = counter + 1
        write_all(self._target, sealed)

    def close(self) -> None:
        """Seal the final chunk (empty only if nothing was written): the file is complete."""
        if self._state != _OPEN and self._error is None:
            return
        self._check()
        held, self._held = self._held, bytearray()
        self._state = _CLOSED
        try:
            self._seal(held, _LAST)
        except BaseException as error:
            self._error = error
            raise

    def abort(self) -> None:
        """Stop without the final chunk: ``target`` never holds a complete file."""
        self._held = bytearray()
        if self._state == _OPEN:
            self._state = _ABORTED

    def __enter__(self) -> AgeWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


# --- reading --------------------------------------------------------------------------------


def read_full(source: Readable, size: int) -> bytes:
    """``size`` bytes of ``source``, fewer only at its end (reads again after a short read)."""
    data = source.read(size)
    if len(data) == size or not data:
        return data if type(data) is bytes else bytes(data)
    parts = [data]
    got = len(data)
    while got < size:
        more = source.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class AgeReader(RawIOBase):
    """Pull the plaintext of the age file ``source`` with ``read``/``readinto``.

    The constructor reads and verifies the header: :class:`NotAnAgeFile`,
    :class:`TruncatedAgeFile`, :class:`OversizedAgeHeader` and :class:`MalformedAgeFile` for a
    header that is not as age writes it, :class:`NotForTheseIdentities` when no identity opens
    a stanza, :class:`DecryptionFailed` when the MAC does not verify (and ``ValueError`` for an
    identity that is not one). Then the payload is read 16 chunks at a time (and 16 more
    ahead when the last of them might be the final chunk, to know whether it is), and each
    chunk is opened when the caller gets to it; damage, a cut, or bytes after the final chunk
    raise :class:`DecryptionFailed` there, and again on every later call. The plaintext
    given before was real, but the caller must treat the whole as failed.

    ``read(n)`` hands out a whole chunk without copying it when ``n`` is at least its size.
    ``source`` is the caller's to close; it needs only ``read`` (``readline`` helps).
    """

    def __init__(
        self,
        source: Readable,
        identities: Sequence[str],
        *,
        max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
        max_stanzas: int = DEFAULT_MAX_STANZAS,
    ) -> None:
        super().__init__()
        self._plain = b""  # the current chunk's plaintext
        self._block = memoryview(b"")  # sealed chunks read, from the one after the current
        self._block_is_last = False  # the source ended with the block
        self._ahead: bytes | None = None  # the block after it, when it was read ahead
        parsed = _identities(identities)
        header = read_age_header(source, max_header_bytes, max_stanzas)
        file_key = _file_key(header, parsed)
        nonce = read_full(source, NONCE_BYTES)
        if len(nonce) < NONCE_BYTES:
            raise TruncatedAgeFile("age file ends before its payload")
        self.header = header
        self._cipher = _payload_cipher(file_key, nonce)
        self._source = source
        self._counter = 0
        self._at = 0  # how much of it was handed out
        self._ended = False  # the final chunk verified
        self._error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if self.closed:
            raise ValueError("read from a closed age reader")
        if size is None or size < 0:
            return self.readall()
        at, plain = self._at, self._plain
        if at == len(plain):
            if not size:
                return b""
            plain = self._next()
            at = 0
            if not plain:
                return b""
        if at == 0 and size >= len(plain):
            self._at = len(plain)
            return plain
        end = min(at + size, len(plain))
        self._at = end
        return plain[at:end]

    def readall(self) -> bytes:
        parts = []
        while part := self.read(CHUNK_BYTES):
            parts.append(part)
        return b"".join(parts)

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self.read(len(target))
            target[: len(data)] = data
            return len(data)

    def close(self) -> None:
        self._plain = b""
        self._block = memoryview(b"")
        self._ahead = None
        super().close()

    def _next(self) -> bytes:
        """The next chunk's plaintext, verified; ``b""`` after the final chunk."""
        if self._error is not None:
            raise self._error
        if self._ended:
            return b""
        try:
            plain = self._open_next()
        except BaseException as error:
            self._error = error
            raise
        self._plain, self._at = plain, 0
        return plain

    def _read_block(self) -> memoryview:
        data = self._ahead
        self._ahead = None
        if data is None:
            data = read_full(self._source, _READ_CHUNKS * SEALED_CHUNK_BYTES)
        self._block_is_last = len(data) < _READ_CHUNKS * SEALED_CHUNK_BYTES
        return memoryview(data)

    def _more_after_block(self) -> bool:
        """Whether the source goes on after the block (a full block ends where it might)."""
        if self._block_is_last:
            return False
        self._ahead = read_full(self._source, _READ_CHUNKS * SEALED_CHUNK_BYTES)
        return bool(self._ahead)

    def _open_next(self) -> bytes:
        block = self._block
        if not block:
            block = self._read_block()
        # Blocks hold whole chunks (the payload starts at a block's start) but for the end.
        sealed, self._block = block[:SEALED_CHUNK_BYTES], block[SEALED_CHUNK_BYTES:]
        size = len(sealed)
        number = self._counter
        if self._block or (size == SEALED_CHUNK_BYTES and self._more_after_block()):
            if number >= _LAST_COUNTER:
                raise MalformedAgeFile("age payload has more chunks than its counter numbers")
            plain = self._open(sealed, _NOT_LAST)
            if plain is None:
                if self._open(sealed, _LAST) is not None:
                    raise MalformedAgeFile("age file goes on after its final chunk")
                raise DecryptionFailed(f"age payload chunk {number} does not verify")
            self._counter = number + 1
            return plain
        if size < TAG_BYTES or (size == TAG_BYTES and number > 0):
            # An empty final chunk is only allowed as the only chunk.
            raise TruncatedAgeFile("age file ends inside its payload")
        plain = self._open(sealed, _LAST)
        if plain is None:
            if size == SEALED_CHUNK_BYTES and self._open(sealed, _NOT_LAST) is not None:
                raise TruncatedAgeFile("age file ends after a chunk that is not its final one")
            raise DecryptionFailed(f"age payload chunk {number} does not verify")
        self._ended = True
        self._counter = number + 1
        self._block = memoryview(b"")
        return plain

    def _open(self, sealed: memoryview, flag: bytes) -> bytes | None:
        nonce = self._counter.to_bytes(11, "big") + flag
        try:
            return self._cipher.decrypt(nonce, sealed, None)
        except InvalidTag:
            return None


# --- whole streams --------------------------------------------------------------------------


def encrypt(source: Readable, target: Writable, recipients: Sequence[str]) -> None:
    """Encrypt everything ``source`` gives until it returns ``b""`` into ``target``."""
    writer = AgeWriter(target, recipients)
    try:
        read = source.read
        while data := read(CHUNK_BYTES):
            writer.write(data)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def decrypt(
    source: Readable,
    target: Writable,
    identities: Sequence[str],
    *,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_stanzas: int = DEFAULT_MAX_STANZAS,
) -> None:
    """Decrypt the age file ``source`` into ``target``, each chunk once it verified (so on
    failure ``target`` may hold the plaintext before the damage: the caller discards it)."""
    reader = AgeReader(
        source, identities, max_header_bytes=max_header_bytes, max_stanzas=max_stanzas
    )
    with reader:
        while chunk := reader.read(CHUNK_BYTES):
            write_all(target, chunk)


def encrypt_bytes(plaintext: bytes, recipients: Sequence[str]) -> bytes:
    """``plaintext`` as an age file, in memory (small things and tests)."""
    out = BytesIO()
    with AgeWriter(out, recipients) as writer:
        writer.write(plaintext)
    return out.getvalue()


def decrypt_bytes(data: bytes, identities: Sequence[str]) -> bytes:
    """The plaintext of an age file held in memory (small things and tests)."""
    with AgeReader(BytesIO(data), identities) as reader:
        return reader.readall()


__all__ = [
    "AGE_MAGIC",
    "CHUNK_BYTES",
    "DEFAULT_MAX_HEADER_BYTES",
    "DEFAULT_MAX_STANZAS",
    "IDENTITY_PREFIX",
    "NONCE_BYTES",
    "RECIPIENT_PREFIX",
    "SEALED_CHUNK_BYTES",
    "TAG_BYTES",
    "AgeHeader",
    "AgeReader",
    "AgeStanza",
    "AgeWriter",
    "EncryptionFailed",
    "MalformedAgeFile",
    "NotAnAgeFile",
    "NotForTheseIdentities",
    "OversizedAgeHeader",
    "Readable",
    "TruncatedAgeFile",
    "Writable",
    "bech32_decode",
    "bech32_encode",
    "decrypt",
    "decrypt_bytes",
    "encode_identity",
    "encode_recipient",
    "encrypt",
    "encrypt_bytes",
    "is_recipient",
    "new_identity",
    "parse_identity",
    "parse_recipient",
    "plaintext_size_of_payload",
    "read_age_header",
    "read_full",
    "recipient_of",
    "write_all",
]
