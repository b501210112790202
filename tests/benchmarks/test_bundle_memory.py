"""Peak memory of writing and reading a bundle with one large photo: photos must stream.

A child process writes a bundle holding one photo of ``BENCH_BUNDLE_MIB`` MiB (300 by default;
its bytes are made on the fly, never put in a file), then reads the bundle back, staging the
photo (re-encrypted as it arrives). The child reports its peak resident memory
(``ru_maxrss``, which on Linux also counts the pytest process it was forked from, so an upper
bound; and ``VmHWM``, its own) after each step; both must stay under 200 MB, whatever the
photo's size. It also prints the time each step took.

Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_bundle_memory.py \
        -s -p no:cacheprovider -o addopts=""

It needs about twice the photo's size of free disk in the temporary folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

PEAK_LIMIT_MB = 200
PHOTO_MIB = int(os.environ.get("BENCH_BUNDLE_MIB", "300"))
ROOT = Path(__file__).resolve().parents[2]


class MadeUpPhoto:
    """``size`` bytes of a repeating pattern, made as they are read (nothing is held)."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._pattern = hashlib.sha256(b"photo").digest() * 2048  # 64 KiB

    def read(self, size: int = -1) -> bytes:
        count = self._left if size < 0 else min(size, self._left)
        self._left -= count
        whole, rest = divmod(count, len(self._pattern))
        return self._pattern * whole + self._pattern[:rest]


def _peak_mb() -> float:
    """Peak RSS as ``ru_maxrss`` (KiB on Linux). Linux counts in it the RSS the process had
    before its exec, i.e. the pytest parent it was forked from: an upper bound."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _own_peak_mb() -> float:
    """Peak RSS of this program alone (``VmHWM``: starts afresh at exec), where /proc has it."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return _peak_mb()


def child(folder: Path) -> None:
    """Runs in its own process, so that its peak is its own."""
    from storycapture.crypto import keys
    from storycapture.sync import bundle

    identity = keys.new_age_identity()
    device = str(uuid.uuid4())
    size = PHOTO_MIB * 1024 * 1024

    @contextlib.contextmanager
    def photo() -> Iterator[MadeUpPhoto]:
        yield MadeUpPhoto(size)

    storyteller, photo_uuid = str(uuid.uuid4()), str(uuid.uuid4())
    report: dict[str, float] = {"start_mb": _peak_mb(), "start_own_mb": _own_peak_mb()}
    started = time.perf_counter()
    written = bundle.write_bundle(
        folder,
        device_id=device,
        device_name="Benchmark laptop",
        signing_key=keys.new_signing_key(),
        sequence=1,
        previous_bundle=None,
        created_hlc="000001767225600.000000",
        recipients=[keys.age_recipient(identity)],
        operations=[],
        media=[bundle.MediaItem(storyteller, photo_uuid, size, photo)],
    )
    report["write_s"] = time.perf_counter() - started
    report["after_write_mb"] = _peak_mb()
    report["after_write_own_mb"] = _own_peak_mb()
    staging = folder / "staging"
    staging.mkdir()
    started = time.perf_counter()
    opened = bundle.read_bundle(
        written.path,
        identities=[identity],
        check_sender=lambda manifest: None,
        stage_media=lambda s, p: keys.age_recipient(identity),
        staging_dir=staging,
        limits=bundle.Limits(max_member_bytes=size),  # the default cap is 256 MiB a photo
    )
    report["read_s"] = time.perf_counter() - started
    report["after_read_mb"] = _peak_mb()
    report["after_read_own_mb"] = _own_peak_mb()
    report["bundle_mib"] = written.size / 2**20
    report["staged_mib"] = opened.media[(storyteller, photo_uuid)].stat().st_size / 2**20
    print(json.dumps(report))


def test_a_large_photo_streams_through_a_bundle_in_bounded_memory(tmp_path: Path) -> None:
    # Imported here, not in the child: the helpers bring SQLAlchemy and the services.
    from tests.benchmarks._support import machine_note, print_table

    result = subprocess.run(
        [sys.executable, __file__, str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print_table(
        f"One {PHOTO_MIB} MiB photo through a bundle ({machine_note()})",
        ["step", "time", "peak RSS (VmHWM)", "ru_maxrss"],
        [
            [
                label,
                f"{report[seconds]:.1f} s" if seconds else "",
                f"{report[key + '_own_mb']:.0f} MB",
                f"{report[key + '_mb']:.0f} MB",
            ]
            for label, seconds, key in (
                ("start (imports)", "", "start"),
                ("write_bundle", "write_s", "after_write"),
                ("read_bundle", "read_s", "after_read"),
            )
        ],
    )
    print(f"bundle {report['bundle_mib']:.1f} MiB, staged photo {report['staged_mib']:.1f} MiB")
    assert report["after_write_mb"] < PEAK_LIMIT_MB
    assert report["after_read_mb"] < PEAK_LIMIT_MB


if __name__ == "__main__":
    child(Path(sys.argv[1]))
