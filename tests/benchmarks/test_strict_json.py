"""Reading a bundle's lines of changes: ``archive.strict_json`` (which refuses what ``json.loads``
lets through: duplicate keys, NaN, nesting too deep, a byte-order mark…) against the plain
``json.loads`` of the same 100,000 lines, interleaved, 7 samples each; median and p95 with the
load average. Nothing is asserted about time. Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_strict_json.py -s -p no:cacheprovider \\
        -o addopts=""
"""

from __future__ import annotations

import json
import statistics
import time

from storycapture.sync.archive import strict_json
from tests.benchmarks._support import machine_note

LINES = 100_000
SAMPLES = 7
_OP = {
    "op": "set",
    "entity": "timeline_event",
    "uuid": "0b8e4e9c-1e7b-4c59-9d3f-3f2a5c1d7e11",
    "storyteller": "5a1e4e9c-1e7b-4c59-9d3f-3f2a5c1d7e11",
    "field": "starts",
    "value": {"kind": "season", "year": 2015, "season": "spring"},
    "hlc": "001796435361005.000000",
    "device": "7b8e4e9c-1e7b-4c59-9d3f-3f2a5c1d7e11",
    "author": "facilitator:Priya",
    "base": ["001796435361004.000000", "7b8e4e9c-1e7b-4c59-9d3f-3f2a5c1d7e11"],
}


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def test_strict_json_against_json_loads() -> None:
    lines = [json.dumps(_OP, separators=(",", ":")).encode()] * LINES
    ours: list[float] = []
    peer: list[float] = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        for line in lines:
            strict_json(line, max_bytes=1 << 20, max_depth=16)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        for line in lines:
            json.loads(line)
        peer.append(time.perf_counter() - started)
    median, base = statistics.median(ours), statistics.median(peer)
    print(f"\n{LINES:,} change lines; {machine_note()}")
    print(f"strict_json: median {median:.3f} s, p95 {_p95(ours):.3f} s")
    print(f"json.loads:  median {base:.3f} s, p95 {_p95(peer):.3f} s (baseline)")
    print(f"ratio {median / base:.2f}×")
