"""Throughput and peak memory of a bundle carrying 1 GiB of photos, against tar + age.

Compares our export and import of photos (through the vault and a bundle) with the least a
plain tool chain does with the same photo files: ``tar`` piped through the ``age`` command;
where the ``age`` command is not installed, through ``pyrage`` (the age library the test
suite uses as an oracle) in this process instead, which the output then says.

A laptop's vault holds one storyteller (full consent) and ``BENCH_SYNC_MEDIA_MIB`` MiB of
photos (1024 by default), as photos of ``BENCH_SYNC_PHOTO_MIB`` MiB (128; the vault takes at
most 200 MB a photo, and so does a bundle) of random bytes, added through
``PhotoService``. Then, each in a child process of its own (so that its peak memory is its own,
read from ``VmHWM`` at its end, after unlocking the vault, which is also reported alone):

- export: ``plan_export`` and ``export_bundle``, the product's path: every photo is decrypted
  from the vault, streamed into the archive and encrypted to the hub, hashed on the way, the
  bundle synced to the disk;
- import: ``import_bundles`` into the hub's vault: decrypted, hashed, each photo re-encrypted to
  the hub's own key for that storyteller as it arrives and synced, then the changes merged.

The baseline, in the same run, on the same plaintext photo files: ``tar -cf - | age -r`` into a
file (then fsync), and ``age -d -i | tar -xf -`` (then fsync each file) — or, without the
``age`` command, ``tar`` piped into and out of ``pyrage.encrypt_io``/``decrypt_io``. The
baseline does less work than the product: it reads plaintext rather than decrypting the vault's
copy, and writes plaintext rather than re-encrypting; the ratio below is ours against that,
the aim being at least 0.7×. Peak memory of each step should stay under 200 MB. Nothing is
asserted about time; memory is asserted to stay under a generous 400 MB.

Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_sync_media_throughput.py \
        -s -p no:cacheprovider -o addopts=""

It needs about six times the payload of free disk in the temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
TOTAL_MIB = int(os.environ.get("BENCH_SYNC_MEDIA_MIB", "1024"))
PHOTO_MIB = int(os.environ.get("BENCH_SYNC_PHOTO_MIB", "128"))
AIM_RATIO = 0.7
PEAK_AIM_MB = 200
PEAK_SANITY_MB = 400
ROOT = Path(__file__).resolve().parents[2]


def _own_peak_mb() -> float:
    """Peak RSS of this process alone (``VmHWM`` starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/self/status")


def child(step: str, data_dir: Path, target: Path) -> None:
    """Runs in its own process: unlock, then export into ``target`` or import ``target``."""
    from storycapture.services.vault import VaultSession
    from storycapture.sync.exporting import export_bundle, plan_export
    from storycapture.sync.importing import import_bundles
    from tests.benchmarks._support import PASSPHRASE

    vault = VaultSession.unlock(data_dir, PASSPHRASE)
    report: dict[str, Any] = {"unlocked_mb": _own_peak_mb()}
    started = time.perf_counter()
    if step == "export":
        written = export_bundle(vault, target, plan_export(vault))
        report["bundle"] = str(written.bundle.path)
        report["photos"] = len(written.plan.media)
    else:
        imported = import_bundles(vault, [target])
        assert not imported.refused, imported.lines()
        report["new"] = imported.new
    report["seconds"] = time.perf_counter() - started
    report["peak_mb"] = _own_peak_mb()
    vault.lock()
    print(json.dumps(report))


def _run_child(step: str, data_dir: Path, target: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, step, str(data_dir), str(target)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def _shell(command: str, **env: str) -> float:
    started = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", command], check=True, env={**os.environ, **env})
    return time.perf_counter() - started


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _make_photos(folder: Path, count: int) -> None:
    folder.mkdir()
    for number in range(count):
        with open(folder / f"photo-{number:02d}.jpg", "wb") as out:
            out.write(b"\xff\xd8\xff\xe0")  # starts as a JPEG does: photos are sniffed
            for _ in range(PHOTO_MIB // 16):
                out.write(os.urandom(16 * MIB))


class _AgeCommand:
    """The baseline through the ``age`` command: ``tar | age -r`` and ``age -d | tar``."""

    name = "age"
    note = "tar piped through the age command"

    def __init__(self, folder: Path) -> None:
        self._key = folder / "key.txt"
        subprocess.run(["age-keygen", "-o", str(self._key)], check=True, capture_output=True)
        self._recipient = subprocess.run(
            ["age-keygen", "-y", str(self._key)], check=True, capture_output=True, text=True
        ).stdout.strip()

    def tar_and_encrypt(self, photos: Path, archive: Path) -> None:
        _shell(
            'tar -cf - -C "$PHOTOS" . | age -r "$RECIPIENT" > "$ARCHIVE"',
            PHOTOS=str(photos),
            RECIPIENT=self._recipient,
            ARCHIVE=str(archive),
        )

    def decrypt_and_untar(self, archive: Path, out: Path) -> None:
        _shell(
            'age -d -i "$KEY" "$ARCHIVE" | tar -xf - -C "$OUT"',
            KEY=str(self._key),
            ARCHIVE=str(archive),
            OUT=str(out),
        )


class _Pyrage:
    """The baseline where the ``age`` command is missing: ``tar`` piped into and out of
    ``pyrage`` (the same format, Rust's implementation of it, run in this process)."""

    name = "pyrage"
    note = (
        "the age command is not installed here, so tar was piped through pyrage "
        "(encrypt_io / decrypt_io) instead"
    )

    def __init__(self) -> None:
        from pyrage import x25519

        self._identity = x25519.Identity.generate()

    def tar_and_encrypt(self, photos: Path, archive: Path) -> None:
        import pyrage

        tar = subprocess.Popen(["tar", "-cf", "-", "-C", str(photos), "."], stdout=subprocess.PIPE)
        assert tar.stdout is not None
        with tar.stdout, open(archive, "wb") as out:
            pyrage.encrypt_io(tar.stdout, out, [self._identity.to_public()])
        if tar.wait() != 0:
            raise AssertionError("tar failed")

    def decrypt_and_untar(self, archive: Path, out: Path) -> None:
        import pyrage

        tar = subprocess.Popen(["tar", "-xf", "-", "-C", str(out)], stdin=subprocess.PIPE)
        assert tar.stdin is not None
        with tar.stdin, open(archive, "rb") as source:
            pyrage.decrypt_io(source, tar.stdin, [self._identity])
        if tar.wait() != 0:
            raise AssertionError("tar failed")


def test_a_gib_of_photos_through_a_bundle_against_tar_and_age(tmp_path: Path) -> None:
    from storycapture.domain.vocabulary import ConsentHow, ConsentItem
    from storycapture.services.consent import ConsentService
    from storycapture.services.media import PHOTO_LIMIT_BYTES, PhotoService
    from storycapture.services.storytellers import StorytellerService
    from storycapture.services.vault import VaultSession
    from storycapture.sync.trust import TrustService
    from tests.benchmarks._support import (
        FACILITATOR,
        PASSPHRASE,
        fast_kdf,
        machine_note,
        print_table,
    )

    count = TOTAL_MIB // PHOTO_MIB
    payload = count * PHOTO_MIB * MIB
    assert PHOTO_MIB * MIB <= PHOTO_LIMIT_BYTES
    photos = tmp_path / "photos"
    _make_photos(photos, count)

    # --- ours ---------------------------------------------------------------------------------
    laptop, _ = VaultSession.create(tmp_path / "laptop", PASSPHRASE, kdf=fast_kdf)
    hub, _ = VaultSession.create(tmp_path / "hub", PASSPHRASE, kdf=fast_kdf)
    try:
        TrustService(laptop).add_recipient(TrustService(hub).identity().age_recipient, "Hub")
        TrustService(hub).trust_device(TrustService(laptop).identity().fingerprint, "Laptop")
        person = StorytellerService(laptop).add("Juniper", author=FACILITATOR, birth_year=1970)
        ConsentService(laptop).record(
            person.uuid,
            items=list(ConsentItem),
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        started = time.perf_counter()
        for photo in sorted(photos.iterdir()):
            PhotoService(laptop).add(person.uuid, photo, author=FACILITATOR)
        add_s = time.perf_counter() - started
    finally:
        laptop.lock()
        hub.lock()
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    exported = _run_child("export", tmp_path / "laptop", outbox)
    assert exported["photos"] == count
    bundle = Path(exported["bundle"])
    bundle_size = bundle.stat().st_size
    imported = _run_child("import", tmp_path / "hub", bundle)
    assert imported["new"] == count + 2  # the photos, the storyteller and the consent record
    arrived = list((tmp_path / "hub" / "media" / person.uuid).glob("*.age"))
    assert len(arrived) == count
    # Room for the baseline.
    shutil.rmtree(tmp_path / "laptop")
    shutil.rmtree(tmp_path / "hub")
    bundle.unlink()

    # --- tar + age ----------------------------------------------------------------------------
    baseline = _AgeCommand(tmp_path) if shutil.which("age") else _Pyrage()
    archive = tmp_path / "baseline.tar.age"
    started = time.perf_counter()
    baseline.tar_and_encrypt(photos, archive)
    _fsync(archive)
    tar_age_s = time.perf_counter() - started
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    started = time.perf_counter()
    baseline.decrypt_and_untar(archive, unpacked)
    for extracted in unpacked.iterdir():
        _fsync(extracted)
    age_tar_s = time.perf_counter() - started
    assert sorted(p.name for p in unpacked.iterdir()) == sorted(p.name for p in photos.iterdir())

    def rate(seconds: float) -> float:
        return payload / MIB / seconds

    rows = [
        [
            "export (plan_export + export_bundle)",
            f"{exported['seconds']:.1f} s",
            f"{rate(exported['seconds']):.0f}",
            f"{tar_age_s:.1f} s",
            f"{rate(tar_age_s):.0f}",
            f"{tar_age_s / exported['seconds']:.2f}×",
            f"{exported['peak_mb']:.0f} MB",
            f"{exported['unlocked_mb']:.0f} MB",
        ],
        [
            "import (import_bundles)",
            f"{imported['seconds']:.1f} s",
            f"{rate(imported['seconds']):.0f}",
            f"{age_tar_s:.1f} s",
            f"{rate(age_tar_s):.0f}",
            f"{age_tar_s / imported['seconds']:.2f}×",
            f"{imported['peak_mb']:.0f} MB",
            f"{imported['unlocked_mb']:.0f} MB",
        ],
    ]
    print_table(
        f"{count} photos × {PHOTO_MIB} MiB = {payload / MIB:.0f} MiB through a bundle "
        f"({machine_note()})",
        [
            "step",
            "ours",
            "MiB/s",
            f"tar + {baseline.name}",
            "MiB/s",
            "ours / theirs (speed)",
            "our peak (VmHWM)",
            "of which after unlock",
        ],
        rows,
    )
    print(
        f"bundle {bundle_size / MIB:.1f} MiB; adding the photos to the laptop's vault took "
        f"{add_s:.1f} s ({rate(add_s):.0f} MiB/s); aim: ≥ {AIM_RATIO}× the speed of tar + age, "
        f"peak < {PEAK_AIM_MB} MB"
    )
    print(f"baseline: {baseline.note}")
    assert exported["peak_mb"] < PEAK_SANITY_MB
    assert imported["peak_mb"] < PEAK_SANITY_MB


if __name__ == "__main__":
    child(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
