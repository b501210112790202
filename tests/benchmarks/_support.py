"""Shared helpers of the benchmarks: made-up but realistically sized story content, a timer and
a small table printer. Nothing here asserts on time; benchmarks only print what they measure."""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event

from storycapture import crypto
from storycapture.domain.authorship import Author
from storycapture.domain.fuzzydate import parse_fuzzy_date
from storycapture.domain.vocabulary import ConsentHow, ConsentItem, LifeArea, Visibility
from storycapture.services import records
from storycapture.services.consent import ConsentService
from storycapture.services.kinds import TIMELINE_EVENT
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store.db import DATABASE_NAME

T = TypeVar("T")

PASSPHRASE = "a calm benchmark passphrase"
FACILITATOR = Author.facilitator("Priya")

_PLACES = ["Leeds", "Bradford", "the coast", "my aunt's flat", "Glasgow", "a new estate", "Hull"]
_TITLES = [
    "Moved to {place}",
    "Started work in {place}",
    "Met my partner in {place}",
    "Left school",
    "My dad got ill",
    "First time I asked for help",
    "Lost the flat",
    "Back at college",
    "Our first baby",
    "Joined the choir",
    "Stopped drinking",
    "Long winter on my own",
]
_SENTENCES = [
    "We packed everything into the van and drove north in the rain.",
    "Nobody at the new place knew my name, and I liked that for a while.",
    "Mum said it would be fine, but I could tell she was frightened.",
    "I kept the letter for years without opening it.",
    "The woman at the advice centre was the first person who actually listened.",
    "There was a garden, and I grew tomatoes for the first time.",
    "Money was tight; some weeks we lived on toast.",
    "I started walking every morning, and that helped more than anything.",
    "My brother rang every Sunday, even when I didn't pick up.",
    "I was proud of myself that day.",
    "It felt like the floor had gone from under me.",
    "The job was hard work but the people were kind.",
]
_DATE_TEXTS = [
    "1972",
    "1979",
    "1984",
    "1988",
    "1991",
    "1995",
    "1999",
    "2003",
    "2008",
    "2012",
    "2016",
    "2020",
    "spring 1995",
    "winter 1999",
    "summer 2004",
    "autumn 2011",
    "March 2001",
    "June 1987",
    "October 2015",
    "about 1990",
    "about 2006",
    "the 1980s",
    "the 1990s",
    "about 15",
    "when I was 12",
    "aged 20 to 25",
]
DATES = [parse_fuzzy_date(text).to_dict() for text in _DATE_TEXTS]
_LIFE_AREAS = [area.value for area in LifeArea]
_VISIBILITIES = [v.value for v in Visibility]


def event_values(rng: random.Random) -> dict[str, Any]:
    """Every field of a timeline event, valid for ``TimelineService`` to read back."""
    help_value = None
    if rng.random() < 0.15:
        help_value = {
            "asked_for": "Somewhere to stay for a few weeks",
            "from_whom": "The council",
            "what_happened": rng.choice(_SENTENCES),
            "helped": rng.choice(["yes", "partly", "no", "not_sure"]),
        }
    return {
        "title": rng.choice(_TITLES).format(place=rng.choice(_PLACES)),
        "words": " ".join(rng.sample(_SENTENCES, rng.randint(1, 3))),
        "starts": rng.choice(DATES),
        "ends": rng.choice(DATES) if rng.random() < 0.2 else None,
        "valence": rng.randint(-3, 3),
        "life_area": rng.choice(_LIFE_AREAS),
        "help": help_value,
        "visibility": rng.choice(_VISIBILITIES),
        "visit_uuid": None,
        "deleted": False,
    }


def mean_sealed_plaintext(values: Sequence[dict[str, Any]], sealed: Sequence[str]) -> float:
    """Mean size in bytes of the JSON plaintexts that ``seal_field`` would seal."""
    sizes = [
        len(json.dumps(v[f], ensure_ascii=False, separators=(",", ":")).encode())
        for v in values
        for f in sealed
    ]
    return statistics.fmean(sizes)


def fast_kdf() -> crypto.KdfParams:
    """The smallest key-derivation settings a vault accepts, where unlock speed is not measured."""
    return crypto.KdfParams.new(crypto.kdf.MIN_MEMORY_KIB, crypto.kdf.MIN_ITERATIONS, 4)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``action`` took (after a garbage collection, so earlier garbage is not billed)."""
    gc.collect()
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def machine_note() -> str:
    """CPU count and load, printed beside the figures: a busy machine makes every figure slower."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.1f} (1 min) / {five:.1f} (5 min)"


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.2f} s "
    return f"{seconds * 1000:8.1f} ms"


def fmt_mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        cells = [
            str(c).rjust(w) if i else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells))


def stats_row(label: str, samples: Sequence[float], extra: str = "") -> list[str]:
    return [
        label,
        fmt_seconds(min(samples)),
        fmt_seconds(statistics.median(samples)),
        str(len(samples)),
        extra,
    ]


@dataclass(frozen=True)
class BuiltVault:
    data_dir: Path
    params: crypto.KdfParams
    build_seconds: float

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_NAME


def _speed_up_building(vault: VaultSession) -> None:
    """Only while the fixture fills the vault: no fsync per commit and a bigger page cache.

    The file that results is the same; the timed unlocks later open it with the app's own
    pragmas (``synchronous=FULL``, default cache), through a fresh engine."""
    engine = vault.engine
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _quick(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")
        dbapi_connection.execute("PRAGMA cache_size=-262144")  # 256 MiB


def build_vault(
    data_dir: Path, storytellers: int, events_each: int, kdf: Callable[[], crypto.KdfParams]
) -> BuiltVault:
    """A vault of ``storytellers`` × ``events_each`` made-up events, with full consent."""
    started = time.perf_counter()
    vault, _recovery_key = VaultSession.create(data_dir, PASSPHRASE, kdf=kdf)
    params = vault.kdf_params()
    rng = random.Random(20_240_601)
    try:
        _speed_up_building(vault)
        people = StorytellerService(vault)
        consent = ConsentService(vault)
        for number in range(storytellers):
            person = people.add(
                f"Storyteller {number:03d}",
                author=FACILITATOR,
                real_name=f"Real Name {number:03d}",
                birth_year=rng.randint(1940, 2000),
                notes="Prefers visits in the morning; likes to show photos first.",
            )
            consent.record(
                person.uuid,
                items=list(ConsentItem),
                how=ConsentHow.VERBAL,
                given_on="2025-06-01",
                facilitator="Priya",
                author=FACILITATOR,
            )
            with vault.edit() as session:  # one transaction per storyteller's 200 events
                for _ in range(events_each):
                    records.insert(
                        vault, session, TIMELINE_EVENT, person.uuid, event_values(rng), FACILITATOR
                    )
            if (number + 1) % 50 == 0:
                print(
                    f"  built {number + 1}/{storytellers} storytellers "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    finally:
        vault.lock()
    return BuiltVault(data_dir, params, time.perf_counter() - started)


# --- Interleaved samples: ours and the peer taken in turn, so a busy minute slows both alike ---


@dataclass(frozen=True)
class Samples:
    """Seconds of each sample of one action, with the load average when they were taken."""

    label: str
    seconds: tuple[float, ...]
    load: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 95)

    def row(self, baseline: Samples | None = None) -> list[str]:
        ratio = f"{self.median / baseline.median:.2f}x" if baseline else "baseline"
        return [
            self.label,
            fmt_seconds(self.median),
            fmt_seconds(self.p95),
            str(len(self.seconds)),
            f"{self.load:.1f}",
            ratio,
        ]


SAMPLE_HEADER = ("what", "median", "p95", "samples", "load", "ratio")


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (no interpolation: a figure that was really measured)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def interleave(
    actions: Mapping[str, Callable[[], object]],
    samples: int = 5,
    setup: Callable[[str], None] | None = None,
) -> dict[str, Samples]:
    """Run each action ``samples`` times, taking them in turn (A B A B …), each after a garbage
    collection; ``setup(label)`` runs untimed before each sample (to reset state)."""
    if samples < 5:
        raise ValueError("honest figures need at least 5 samples each")
    taken: dict[str, list[float]] = {label: [] for label in actions}
    loads: list[float] = []
    for _ in range(samples):
        for label, action in actions.items():
            if setup is not None:
                setup(label)
            taken[label].append(timed(action)[0])
            loads.append(os.getloadavg()[0])
    load = statistics.median(loads)
    return {label: Samples(label, tuple(values), load) for label, values in taken.items()}


def print_samples(title: str, results: Sequence[Samples], baseline: Samples) -> None:
    """A table of median, p95, sample count, load and ratio to ``baseline``."""
    rows = [s.row(None if s is baseline else baseline) for s in results]
    print_table(f"{title}  ({machine_note()})", SAMPLE_HEADER, rows)


# --- Large fixtures built once and kept between benchmark runs ---


def _cache_root() -> Path:
    root = os.environ.get("BENCH_CACHE") or os.path.join(
        tempfile.gettempdir(), "storycapture-bench-cache"
    )
    return Path(root)


def _schema_head() -> str:
    versions = Path(__file__).resolve().parents[2] / "storycapture/store/migrations/versions"
    return sorted(p.stem for p in versions.glob("0*.py"))[-1]


def cached_vault(
    data_dir: Path, storytellers: int, events_each: int, kdf: Callable[[], crypto.KdfParams]
) -> BuiltVault:
    """Like ``build_vault``, but the built vault is kept in a cache folder (``BENCH_CACHE``, else
    the system's temporary folder) keyed by its size and the schema's newest revision, and
    copied to ``data_dir`` for each use: a 500 × 200 vault takes minutes to build, seconds to copy.
    ``build_seconds`` is that of the first build."""
    key = f"{storytellers}x{events_each}-{_schema_head()}-{kdf.__name__}"
    kept = _cache_root() / key
    sidecar = kept / "built.json"
    if not sidecar.exists():
        building = _cache_root() / f".{key}.{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        built = build_vault(building / "vault", storytellers, events_each, kdf)
        (building / "built.json").write_text(
            json.dumps({"params": built.params.to_json(), "seconds": built.build_seconds})
        )
        shutil.rmtree(kept, ignore_errors=True)
        building.rename(kept)
    else:
        print(f"  using the {storytellers} x {events_each} vault kept in {kept}", flush=True)
    meta = json.loads(sidecar.read_text())
    shutil.copytree(kept / "vault", data_dir)
    params = crypto.KdfParams.from_json(meta["params"])
    return BuiltVault(data_dir, params, float(meta["seconds"]))
