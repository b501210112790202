"""How long a bundle of 20,000 empty members named as photos takes to be refused.

The archive is signed and sealed for the hub like any bundle; its manifest lists every member,
but no change adds any of the photos. Each used to be staged (a file opened, a writer started)
before the signature at the end was read: 132 s to refuse. Now the first is refused as it
arrives. Measured through ``read_bundle`` with the import's staging (the path ``import``
takes), against a baseline in the same run: reading a good bundle of the same kind (its
changes and two photos). Nothing is asserted about time.

Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_hostile_tar.py -s -p no:cacheprovider \\
        -o addopts=""
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from storycapture.sync import archive
from storycapture.sync.bundle import BundleRefused
from tests.sync.test_bundle_format import (
    OPERATIONS,
    STORYTELLER,
    craft,
    hostile,
    new_party,
    new_uuid,
    ops_bytes,
    read,
    sample_ops,
    write,
)

MEMBERS = 20_000
ROUNDS = 5


def test_twenty_thousand_unlisted_members_are_refused_quickly(tmp_path: Path) -> None:
    sender, receiver = new_party(), new_party()
    staging = tmp_path / "staging"
    staging.mkdir()
    members: list[tuple[str, bytes]] = [(OPERATIONS, ops_bytes(sample_ops(sender.device_id)))]
    members += [(archive.media_name(STORYTELLER, new_uuid()), b"") for _ in range(MEMBERS)]
    bad = hostile(tmp_path, receiver, craft(sender, [receiver.recipient], members=members))
    out = tmp_path / "out"
    out.mkdir()
    good = write(sender, out, [receiver.recipient]).path

    refused, accepted = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        with pytest.raises(BundleRefused):
            read(bad, receiver, staging)
        refused.append(time.perf_counter() - start)
        start = time.perf_counter()
        opened = read(good, receiver, staging)
        accepted.append(time.perf_counter() - start)
        for path in opened.media.values():
            path.unlink()
    bad_s, good_s = statistics.median(refused), statistics.median(accepted)
    print(
        f"\n{MEMBERS:,} unlisted members ({bad.stat().st_size / 1e6:.1f} MB sealed): refused in "
        f"{bad_s * 1000:.1f} ms (median of {ROUNDS}); a good bundle with two photos "
        f"({good.stat().st_size / 1e3:.0f} kB) read in {good_s * 1000:.1f} ms; "
        f"ratio {bad_s / good_s:.2f}×"
    )
