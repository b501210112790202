"""The crypto package: sealing, key derivation bounds, recovery keys, signatures and age media."""

from __future__ import annotations

import io
import json
import os
import re

import pytest

from storycapture import crypto
from storycapture.crypto import DecryptionFailed, KdfParams, KdfParamsOutOfBounds, kdf
from storycapture.crypto import keys as crypto_keys
from storycapture.crypto.media import decrypt_stream, encrypt_stream

AAD = b"timeline_events|title|row-1|storyteller-1|1"
SALT = bytes(range(16))

# --- sealing (AES-256-GCM) ---------------------------------------------------------------


def test_seal_then_open_gives_back_the_plaintext() -> None:
    key = crypto.new_key()
    sealed = crypto.seal(key, b"the day I moved to Leeds", AAD)

    assert b"Leeds" not in sealed
    assert crypto.open_sealed(key, sealed, AAD) == b"the day I moved to Leeds"


def test_sealing_twice_gives_different_ciphertexts() -> None:
    key = crypto.new_key()
    assert crypto.seal(key, b"same", AAD) != crypto.seal(key, b"same", AAD)


def test_field_cipher_round_trips_and_refuses_a_short_key() -> None:
    cipher = crypto.FieldCipher(crypto.new_key())
    assert cipher.open(cipher.seal(b"words", AAD), AAD) == b"words"
    with pytest.raises(ValueError):
        crypto.FieldCipher(b"too short")


def test_wrong_associated_data_fails() -> None:
    key = crypto.new_key()
    sealed = crypto.seal(key, b"private words", AAD)
    with pytest.raises(DecryptionFailed):
        crypto.open_sealed(key, sealed, AAD.replace(b"title", b"words"))


def test_wrong_key_fails() -> None:
    sealed = crypto.seal(crypto.new_key(), b"private words", AAD)
    with pytest.raises(DecryptionFailed):
        crypto.open_sealed(crypto.new_key(), sealed, AAD)


@pytest.mark.parametrize("position", [0, 1, 5, 13, 20, -1])
def test_a_flipped_byte_anywhere_fails(position: int) -> None:
    key = crypto.new_key()
    sealed = bytearray(crypto.seal(key, b"private words", AAD))
    sealed[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        crypto.open_sealed(key, bytes(sealed), AAD)


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + bytes(27)])
def test_truncated_blobs_fail_cleanly(blob: bytes) -> None:
    with pytest.raises(DecryptionFailed):
        crypto.open_sealed(crypto.new_key(), blob, AAD)


# --- key derivation parameters -----------------------------------------------------------


def _kdf_json(**overrides: object) -> str:
    data: dict[str, object] = {
        "algorithm": "argon2id",
        "memory_kib": kdf.MIN_MEMORY_KIB,
        "iterations": 3,
        "lanes": 4,
        "salt": SALT.hex(),
    }
    data.update(overrides)
    return json.dumps(data)


def test_kdf_params_survive_a_json_round_trip() -> None:
    params = KdfParams.new(kdf.MIN_MEMORY_KIB, 5, 2)
    assert KdfParams.from_json(params.to_json()) == params


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param((19 * 1024 - 1, 3, 4, SALT), id="memory below 19 MiB"),
        pytest.param((2 * 1024 * 1024 + 1, 3, 4, SALT), id="memory above 2 GiB"),
        pytest.param((19 * 1024, 2, 4, SALT), id="iterations below 3"),
        pytest.param((19 * 1024, 65, 4, SALT), id="iterations above 64"),
        pytest.param((19 * 1024, 3, 0, SALT), id="no lanes"),
        pytest.param((19 * 1024, 3, 17, SALT), id="too many lanes"),
        pytest.param((19 * 1024, 3, 4, SALT[:15]), id="short salt"),
        pytest.param((19 * 1024, 3, 4, SALT + b"x"), id="long salt"),
    ],
)
def test_kdf_params_out_of_bounds_are_refused(arguments: tuple[int, int, int, bytes]) -> None:
    with pytest.raises(KdfParamsOutOfBounds):
        KdfParams(*arguments)


def test_kdf_params_at_the_bounds_are_accepted() -> None:
    KdfParams(kdf.MIN_MEMORY_KIB, kdf.MIN_ITERATIONS, kdf.MIN_LANES, SALT)
    KdfParams(kdf.MAX_MEMORY_KIB, kdf.MAX_ITERATIONS, kdf.MAX_LANES, SALT)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_kdf_json(memory_kib=1), id="memory 1 KiB"),
        pytest.param(_kdf_json(memory_kib=4 * 1024 * 1024), id="memory 4 GiB"),
        pytest.param(_kdf_json(iterations=1), id="iterations 1"),
        pytest.param(_kdf_json(iterations=1000), id="iterations 1000"),
        pytest.param(_kdf_json(lanes=64), id="lanes 64"),
        pytest.param(_kdf_json(salt="00ff"), id="short salt"),
        pytest.param(_kdf_json(salt="not hex at all!"), id="salt not hex"),
        pytest.param(_kdf_json(salt=12), id="salt a number"),
        pytest.param(_kdf_json(memory_kib=19456.0), id="memory a float"),
        pytest.param(_kdf_json(iterations="3"), id="iterations a string"),
        pytest.param(_kdf_json(lanes=True), id="lanes a boolean"),
        pytest.param(_kdf_json(algorithm="argon2i"), id="other algorithm"),
        pytest.param(_kdf_json(algorithm="scrypt"), id="unknown algorithm"),
        pytest.param(json.dumps({"memory_kib": 19456}), id="missing fields"),
        pytest.param("[1, 2, 3]", id="a list"),
        pytest.param("not json", id="not json"),
    ],
)
def test_stored_kdf_params_outside_what_we_write_are_refused(text: str) -> None:
    with pytest.raises(KdfParamsOutOfBounds):
        KdfParams.from_json(text)


def test_derive_key_depends_on_passphrase_and_every_parameter() -> None:
    base = KdfParams(kdf.MIN_MEMORY_KIB, 3, 1, SALT)
    key = crypto.derive_key("a calm passphrase", base)

    assert len(key) == 32
    assert crypto.derive_key("a calm passphrase", base) == key
    assert crypto.derive_key("a calm passphrasE", base) != key
    for changed in (
        KdfParams(kdf.MIN_MEMORY_KIB, 4, 1, SALT),
        KdfParams(kdf.MIN_MEMORY_KIB + 1024, 3, 1, SALT),
        KdfParams(kdf.MIN_MEMORY_KIB, 3, 2, SALT),
        KdfParams(kdf.MIN_MEMORY_KIB, 3, 1, bytes(16)),
    ):
        assert crypto.derive_key("a calm passphrase", changed) != key


def test_calibrate_chooses_at_least_the_minimum_iterations() -> None:
    params = crypto.calibrate(memory_kib=19 * 1024, lanes=2)

    assert kdf.MIN_ITERATIONS <= params.iterations <= kdf.MAX_ITERATIONS
    assert params.memory_kib == 19 * 1024
    assert params.lanes == 2
    assert len(params.salt) == kdf.SALT_BYTES


def test_calibrate_clamps_to_the_bounds() -> None:
    assert crypto.calibrate(memory_kib=19 * 1024, target_seconds=0.0).iterations == 3
    assert crypto.calibrate(memory_kib=19 * 1024, target_seconds=10_000.0).iterations == 64


def test_calibrate_gives_a_fresh_salt_each_time() -> None:
    first = crypto.calibrate(memory_kib=19 * 1024, target_seconds=0.0)
    second = crypto.calibrate(memory_kib=19 * 1024, target_seconds=0.0)
    assert first.salt != second.salt


# --- recovery keys -----------------------------------------------------------------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def test_recovery_key_is_eight_groups_of_four_crockford_characters() -> None:
    recovery_key = crypto_keys.new_recovery_key()

    assert re.fullmatch(rf"[{CROCKFORD}]{{4}}(-[{CROCKFORD}]{{4}}){{7}}", recovery_key)
    assert not set(recovery_key) & set("ILOU")
    assert crypto_keys.normalise_recovery_key(recovery_key) == recovery_key


def test_recovery_keys_are_random() -> None:
    assert len({crypto_keys.new_recovery_key() for _ in range(20)}) == 20


def test_recovery_key_typed_loosely_normalises_to_the_printed_form() -> None:
    printed = "7KQ2-MX9D-0A1B-CDEF-GH01-JK10-MN0P-QRST"
    typed = "7kq2 mx9d oa1b cdef gh0i jkl0 mnOp qrst"

    assert crypto_keys.normalise_recovery_key(typed) == printed
    assert crypto_keys.normalise_recovery_key(printed.replace("-", "")) == printed


def test_recovery_kek_is_the_same_for_equivalent_spellings() -> None:
    printed = crypto_keys.new_recovery_key()
    sloppy = printed.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    salt = crypto_keys.new_salt()

    assert crypto_keys.recovery_kek(sloppy, salt) == crypto_keys.recovery_kek(printed, salt)
    assert crypto_keys.recovery_kek(printed, crypto_keys.new_salt()) != crypto_keys.recovery_kek(
        printed, salt
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7KQ2-MX9D-0A1B-CDEF-GH01-JK10-MN0P-QRS",  # 31 characters
        "7KQ2-MX9D-0A1B-CDEF-GH01-JK10-MN0P-QRSTV",  # 33 characters
        "my passphrase, not a recovery key",
    ],
)
def test_recovery_key_of_the_wrong_length_is_refused(text: str) -> None:
    with pytest.raises(crypto_keys.MalformedRecoveryKey, match="32 letters and digits"):
        crypto_keys.normalise_recovery_key(text)


# --- signatures --------------------------------------------------------------------------


def test_ed25519_signature_verifies_and_detects_changes() -> None:
    private = crypto_keys.new_signing_key()
    public = crypto_keys.signing_public_key(private)
    signature = crypto_keys.sign(private, b"manifest")

    crypto_keys.verify_signature(public, signature, b"manifest")
    with pytest.raises(DecryptionFailed):
        crypto_keys.verify_signature(public, signature, b"manifesT")
    with pytest.raises(DecryptionFailed):
        crypto_keys.verify_signature(public, bytes([signature[0] ^ 1]) + signature[1:], b"manifest")
    other = crypto_keys.signing_public_key(crypto_keys.new_signing_key())
    with pytest.raises(DecryptionFailed):
        crypto_keys.verify_signature(other, signature, b"manifest")


def test_ed25519_garbage_public_key_is_a_failed_verification() -> None:
    signature = crypto_keys.sign(crypto_keys.new_signing_key(), b"manifest")
    assert not crypto_keys.public_key_bytes_are_valid(b"short")
    with pytest.raises(DecryptionFailed):
        crypto_keys.verify_signature(b"short", signature, b"manifest")


def test_fingerprint_is_eight_groups_of_four_hex_digits() -> None:
    public = crypto_keys.signing_public_key(crypto_keys.new_signing_key())
    # 128 bits, read aloud in groups; the older 64-bit form is its first half
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){7}", crypto_keys.fingerprint(public))
    long, short = crypto_keys.fingerprints(public)
    assert long == crypto_keys.fingerprint(public) and long.startswith(short + " ")
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){3}", short)


# --- age media ---------------------------------------------------------------------------


def _encrypted(payload: bytes, recipient: str) -> bytes:
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(payload), sealed, [recipient])
    return sealed.getvalue()


def test_age_stream_round_trips_a_one_mebibyte_payload() -> None:
    identity = crypto_keys.new_age_identity()
    payload = os.urandom(1024 * 1024)

    sealed = _encrypted(payload, crypto_keys.age_recipient(identity))
    assert sealed.startswith(b"age-encryption.org/v1")
    assert payload[:4096] not in sealed

    opened = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed), opened, [identity])
    assert opened.getvalue() == payload


def test_age_stream_with_a_flipped_byte_in_the_header_fails() -> None:
    identity = crypto_keys.new_age_identity()
    sealed = bytearray(_encrypted(os.urandom(1024), crypto_keys.age_recipient(identity)))
    sealed[60] ^= 0x01

    with pytest.raises(DecryptionFailed):
        decrypt_stream(io.BytesIO(bytes(sealed)), io.BytesIO(), [identity])


def test_age_stream_with_a_flipped_byte_in_the_middle_fails() -> None:
    identity = crypto_keys.new_age_identity()
    sealed = bytearray(_encrypted(os.urandom(1024 * 1024), crypto_keys.age_recipient(identity)))
    sealed[len(sealed) // 2] ^= 0x01

    with pytest.raises(DecryptionFailed):
        decrypt_stream(io.BytesIO(bytes(sealed)), io.BytesIO(), [identity])


def test_age_stream_cut_short_fails() -> None:
    identity = crypto_keys.new_age_identity()
    sealed = _encrypted(os.urandom(1024 * 1024), crypto_keys.age_recipient(identity))

    with pytest.raises(DecryptionFailed):
        decrypt_stream(io.BytesIO(sealed[: len(sealed) // 2]), io.BytesIO(), [identity])


def test_age_stream_for_another_identity_fails() -> None:
    sealed = _encrypted(b"photo bytes", crypto_keys.age_recipient(crypto_keys.new_age_identity()))
    with pytest.raises(DecryptionFailed):
        decrypt_stream(io.BytesIO(sealed), io.BytesIO(), [crypto_keys.new_age_identity()])
