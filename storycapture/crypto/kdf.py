"""Argon2id key derivation from a passphrase, its parameters, their bounds and calibration."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

TARGET_MEMORY_KIB = 256 * 1024
TARGET_LANES = 4
TARGET_SECONDS = 0.75
MIN_ITERATIONS = 3
# Loading bounds. The floor is OWASP's minimum for Argon2id (19 MiB); the ceiling keeps a tampered
# header from making a laptop allocate more memory than it has. A downgrade inside the bounds
# cannot unlock anything: the parameters are bound into the wrap's associated data.
MIN_MEMORY_KIB = 19 * 1024
MAX_MEMORY_KIB = 2 * 1024 * 1024
MAX_ITERATIONS = 64
MIN_LANES = 1
MAX_LANES = 16
SALT_BYTES = 16


class KdfParamsOutOfBounds(ValueError):
    """The stored key-derivation parameters are outside what StoryCapture ever writes."""


@dataclass(frozen=True, slots=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    def __post_init__(self) -> None:
        if not all(type(v) is int for v in (self.memory_kib, self.iterations, self.lanes)):
            raise KdfParamsOutOfBounds("parameters must be whole numbers")
        if not MIN_MEMORY_KIB <= self.memory_kib <= MAX_MEMORY_KIB:
            raise KdfParamsOutOfBounds(f"memory {self.memory_kib} KiB out of bounds")
        if not MIN_ITERATIONS <= self.iterations <= MAX_ITERATIONS:
            raise KdfParamsOutOfBounds(f"iterations {self.iterations} out of bounds")
        if not MIN_LANES <= self.lanes <= MAX_LANES:
            raise KdfParamsOutOfBounds(f"lanes {self.lanes} out of bounds")
        if len(self.salt) != SALT_BYTES:
            raise KdfParamsOutOfBounds("salt has the wrong length")

    @classmethod
    def new(cls, memory_kib: int, iterations: int, lanes: int = TARGET_LANES) -> KdfParams:
        return cls(memory_kib, iterations, lanes, os.urandom(SALT_BYTES))

    def to_json(self) -> str:
        return json.dumps(
            {
                "algorithm": "argon2id",
                "memory_kib": self.memory_kib,
                "iterations": self.iterations,
                "lanes": self.lanes,
                "salt": self.salt.hex(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        try:
            data = json.loads(text)
            if data.get("algorithm") != "argon2id":
                raise KdfParamsOutOfBounds("unknown key-derivation algorithm")
            values = (data["memory_kib"], data["iterations"], data["lanes"])
            if not all(type(v) is int for v in values):
                raise KdfParamsOutOfBounds("parameters are not whole numbers")
            return cls(*values, salt=bytes.fromhex(data["salt"]))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            if isinstance(error, KdfParamsOutOfBounds):
                raise
            raise KdfParamsOutOfBounds("parameters cannot be read") from error


def derive_key(passphrase: str, params: KdfParams) -> bytes:
    kdf = Argon2id(
        salt=params.salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def calibrate(
    memory_kib: int = TARGET_MEMORY_KIB,
    lanes: int = TARGET_LANES,
    target_seconds: float = TARGET_SECONDS,
) -> KdfParams:
    """Choose iterations so that one derivation takes about ``target_seconds`` here (at least 3).

    A derivation costs a fixed part (filling the memory) plus a part per iteration, so two
    probes are fitted as a line rather than one probe scaled.
    """
    low, high = MIN_ITERATIONS, MIN_ITERATIONS + 2
    timings = {n: _time_derivation(memory_kib, n, lanes) for n in (low, high)}
    per_iteration = (timings[high] - timings[low]) / (high - low)
    fixed = timings[low] - low * per_iteration
    if per_iteration <= 0:  # a noisy machine: fall back to scaling the faster probe
        per_iteration, fixed = min(timings[low] / low, timings[high] / high), 0.0
    iterations = round((target_seconds - fixed) / per_iteration)
    return KdfParams.new(memory_kib, max(MIN_ITERATIONS, min(MAX_ITERATIONS, iterations)), lanes)


def _time_derivation(memory_kib: int, iterations: int, lanes: int) -> float:
    started = time.perf_counter()
    derive_key("calibration", KdfParams.new(memory_kib, iterations, lanes))
    return time.perf_counter() - started
