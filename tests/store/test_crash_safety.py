"""Crash safety: a process killed at any moment never costs an edit it said was saved.

A child process unlocks a vault made here and edits in a loop (add an event, change its words,
add a strength card, add a quote, again and again), printing one line per edit only after the
service call has returned, i.e. after the commit. The parent reads those lines and kills the
child with SIGKILL at a random moment: after a random number of edits, sometimes after a random
sub-second pause as well, and now and then while the child is still starting and unlocking.

After each kill the parent unlocks the same vault (which also proves the operating system
released the dead process's single-instance lock), checks SQLite's ``integrity_check`` and
foreign keys, and checks that every edit the child reported is there with its value, that the
item rows and the operation log agree, and that at most one edit per kill (the one between its
commit and its line) is there without having been reported. Then it locks the vault for the
next round.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text

from storycapture.domain.story import TimelineEvent
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

KILLS = 50
EARLY_KILL_EVERY = 10  # every so many rounds, the kill comes while the child is starting up
SPAWN_AHEAD = 2  # children importing while an earlier one edits and the parent checks
MAX_EDITS_BEFORE_KILL = 40
ROUND_TIMEOUT_SECONDS = 30
# Adding an event or card reads the storyteller's others (title anchors, card order), so an
# edit slows as one story grows: the rounds move to a new storyteller every so often.
ROUNDS_PER_STORYTELLER = 6

# The child: argv = [data dir, storyteller uuid, round tag]; the passphrase comes on stdin.
# It prints "ready" once unlocked, then one JSON line per edit after the call returns.
CHILD_SCRIPT = r"""
import json, sys
from pathlib import Path

from storycapture.domain.authorship import Author
from storycapture.domain.vocabulary import CardKind
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService

data_dir, storyteller, tag = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
passphrase = sys.stdin.readline().rstrip("\n")
vault = VaultSession.unlock(data_dir, passphrase)
author = Author.facilitator("Crash tester")
timeline = TimelineService(vault)
strengths = StrengthService(vault)
words = StoryWordsService(vault)
print("ready", flush=True)

def report(**edit):
    sys.stdout.write(json.dumps(edit, ensure_ascii=False) + "\n")
    sys.stdout.flush()

last_event = None
i = 0
while True:
    label = f"{tag}-{i}"
    step = i % 4
    if step == 0:
        value = f"words of {label} — “ünïcode” 心"
        event = timeline.add_event(
            storyteller, title=f"event {label}", starts="summer 2010", words=value, author=author
        )
        last_event = event.uuid
        report(i=i, op="add_event", id=event.uuid, title=event.title, words=value)
    elif step == 1:
        value = f"changed words of {label}"
        timeline.update_event(last_event, words=value, author=author)
        report(i=i, op="update_event", id=last_event, words=value)
    elif step == 2:
        value = f"card {label}: I keep going"
        card = strengths.add_card(storyteller, kind=CardKind.STRENGTH, text=value, author=author)
        report(i=i, op="add_card", id=card.uuid, text=value)
    else:
        value = f"quote {label}: it was the walking that helped"
        quote = words.add_quote(storyteller, value, author=author)
        report(i=i, op="add_quote", id=quote.uuid, text=value)
    i += 1
"""


@dataclass
class Expected:
    """Everything the children reported (plus edits found committed though unreported)."""

    events: dict[str, dict[str, str]] = field(default_factory=dict)  # uuid -> title, words
    updated: set[str] = field(default_factory=set)  # events whose one update is in
    cards: dict[str, str] = field(default_factory=dict)
    quotes: dict[str, str] = field(default_factory=dict)
    unreported: int = 0


@dataclass
class Round:
    number: int
    reported: list[dict[str, str]]
    early: bool
    returncode: int | None
    stderr: str


class Child:
    """One editing process. It is started ahead of its round (so its imports overlap the
    previous round) and waits for the passphrase before it touches the vault."""

    def __init__(self, data_dir: Path, storyteller: str, number: int) -> None:
        self.number = number
        self._stderr: IO[bytes] = open(  # noqa: SIM115 - closed in close()
            data_dir.parent / f"child-{number}.stderr", "w+b"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD_SCRIPT, str(data_dir), storyteller, f"r{number}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )

    def stderr(self) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")[-3000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()

    def edit_until_killed(self, rng: random.Random, early: bool) -> Round:
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        watchdog = threading.Timer(ROUND_TIMEOUT_SECONDS, process.kill)
        watchdog.start()
        reported: list[dict[str, str]] = []
        try:
            process.stdin.write(PASSPHRASE + "\n")
            process.stdin.flush()
            if early:
                # While it derives the key, checks and opens the vault, or just after.
                time.sleep(rng.uniform(0.0, 0.3))
            else:
                ready = process.stdout.readline()
                assert ready == "ready\n", f"child {self.number}: {ready!r}\n{self.stderr()}"
                wanted = rng.randint(1, MAX_EDITS_BEFORE_KILL)
                while len(reported) < wanted:
                    line = process.stdout.readline()
                    if not line:
                        break  # it ended by itself: reported by the return code
                    reported.append(json.loads(line))
                if rng.random() < 1 / 3:
                    time.sleep(rng.uniform(0.0, 0.6))
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            # Lines written before the kill are edits the child saw committed, read or not.
            for line in process.stdout.read().splitlines(keepends=True):
                if line != "ready\n" and line.endswith("\n"):
                    reported.append(json.loads(line))
        finally:
            watchdog.cancel()
        return Round(self.number, reported, early, process.returncode, self.stderr())


def _record(expected: Expected, crash: Round) -> None:
    assert crash.returncode == -signal.SIGKILL, (
        f"round {crash.number}: the child ended on its own (code {crash.returncode}) before "
        f"the kill:\n{crash.stderr}"
    )
    indexes = [int(edit["i"]) for edit in crash.reported]
    assert indexes == list(range(len(indexes))), f"round {crash.number}: lines out of order"
    if not crash.early:
        assert crash.reported, f"round {crash.number}: no edit was reported before the kill"
    for edit in crash.reported:
        op = edit["op"]
        if op == "add_event":
            expected.events[edit["id"]] = {"title": edit["title"], "words": edit["words"]}
        elif op == "update_event":
            expected.events[edit["id"]]["words"] = edit["words"]
            expected.updated.add(edit["id"])
        elif op == "add_card":
            expected.cards[edit["id"]] = edit["text"]
        elif op == "add_quote":
            expected.quotes[edit["id"]] = edit["text"]
        else:  # pragma: no cover - the child only does the four above
            raise AssertionError(f"unknown edit {edit!r}")


def _check_vault(data_dir: Path, storytellers: list[str], expected: Expected, crash: Round) -> None:
    where = f"after the kill of round {crash.number} ({len(crash.reported)} edits reported)"
    # Unlocking at all proves the dead child's lock on the vault folder was released.
    vault = VaultSession.unlock(data_dir, PASSPHRASE)
    try:
        with vault.engine.connect() as connection:
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            assert integrity == ["ok"], where
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == [], where
            logged = {
                (row.entity, row.entity_uuid)
                for row in connection.execute(text("SELECT entity, entity_uuid FROM operations"))
            }

        events: dict[str, TimelineEvent] = {}
        cards: dict[str, str] = {}
        quotes: dict[str, str] = {}
        for storyteller in storytellers:
            events |= {e.uuid: e for e in TimelineService(vault).events(storyteller)}
            cards |= {c.uuid: c.text for c in StrengthService(vault).cards(storyteller)}
            quotes |= {q.uuid: q.text for q in StoryWordsService(vault).quotes(storyteller)}

        # The edit the child was making when it died, if it committed before its line.
        in_flight = f"r{crash.number}-{len(crash.reported)}"
        unreported: list[tuple[str, str, str]] = []
        last = crash.reported[-1] if crash.reported else None
        for uuid, want in expected.events.items():
            got = events.get(uuid)
            assert got is not None, (where, "event lost", uuid, want)
            assert got.title == want["title"], (where, uuid, got.title, want)
            if got.words != want["words"]:
                # Only the update of the event the child had just added may be unreported.
                assert last is not None and last["op"] == "add_event", (where, uuid, got.words)
                assert last["id"] == uuid and uuid not in expected.updated, (where, uuid)
                assert got.words == f"changed words of {in_flight}", (where, got.words, want)
                expected.events[uuid]["words"] = got.words
                expected.updated.add(uuid)
                unreported.append(("update", uuid, got.words))
        for uuid, want in expected.cards.items():
            assert cards.get(uuid) == want, (where, "card", uuid, cards.get(uuid), want)
        for uuid, want in expected.quotes.items():
            assert quotes.get(uuid) == want, (where, "quote", uuid, quotes.get(uuid), want)

        # Anything present that was never reported can only be that one edit in flight.
        extra = (
            [("event", u, e.title) for u, e in events.items() if u not in expected.events]
            + [("card", u, t) for u, t in cards.items() if u not in expected.cards]
            + [("quote", u, t) for u, t in quotes.items() if u not in expected.quotes]
        )
        prefixes = (f"event {in_flight}", f"card {in_flight}:", f"quote {in_flight}:")
        for kind, uuid, value in extra:
            assert value.startswith(prefixes), (where, kind, value)
            if kind == "event":
                expected.events[uuid] = {"title": value, "words": events[uuid].words}
            elif kind == "card":
                expected.cards[uuid] = value
            else:
                expected.quotes[uuid] = value
            unreported.append((kind, uuid, value))
        assert len(unreported) <= 1, (where, unreported)
        expected.unreported += len(unreported)

        # Each edit wrote its item and its log entries in one transaction: every item has its
        # log and every log entry its item; and for what this round touched, the log's latest
        # words are the event's words.
        items = (
            {("timeline_event", u) for u in events}
            | {("strength_card", u) for u in cards}
            | {("quote", u) for u in quotes}
        )
        story_kinds = ("timeline_event", "strength_card", "quote")
        assert {key for key in logged if key[0] in story_kinds} == items, where
        history = HistoryService(vault)
        touched = {e["id"] for e in crash.reported if e["op"] in ("add_event", "update_event")}
        touched |= {uuid for kind, uuid, _ in unreported if kind in ("event", "update")}
        for uuid in touched:
            words_log = history.earlier_values("timeline_event", uuid, "words")
            assert words_log[-1].value == events[uuid].words, (where, uuid)
    finally:
        vault.lock()


def _storyteller_with_consent(vault: VaultSession, pseudonym: str) -> str:
    person = StorytellerService(vault).add(pseudonym, author=FACILITATOR)
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    return person.uuid


@pytest.mark.slow
def test_killed_editor_loses_nothing_it_reported(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    data_dir = tmp_path / "vault"
    vault, _recovery = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        storytellers = [_storyteller_with_consent(vault, f"Kestrel {n}") for n in range(10)]
    finally:
        vault.lock()

    def storyteller_of(number: int) -> str:
        return storytellers[number // ROUNDS_PER_STORYTELLER % len(storytellers)]

    expected = Expected()
    edit_kills = 0
    started = time.monotonic()
    upcoming = deque(Child(data_dir, storyteller_of(n), n) for n in range(SPAWN_AHEAD))
    try:
        for number in range(KILLS):
            child = upcoming.popleft()
            if number + SPAWN_AHEAD < KILLS:
                ahead = number + SPAWN_AHEAD
                upcoming.append(Child(data_dir, storyteller_of(ahead), ahead))
            early = number % EARLY_KILL_EVERY == EARLY_KILL_EVERY - 1
            try:
                crash = child.edit_until_killed(rng, early)
            finally:
                child.close()
            try:
                _record(expected, crash)
                _check_vault(data_dir, storytellers, expected, crash)
            except AssertionError as error:
                raise AssertionError(f"random seed {seed}: {error}") from error
            edit_kills += not early
    finally:
        for child in upcoming:
            child.close()

    items = len(expected.events) + len(expected.cards) + len(expected.quotes)
    assert edit_kills >= KILLS * 0.8
    assert items >= KILLS, "the children made too few edits for this to mean much"
    print(
        f"{KILLS} kills ({edit_kills} while editing), {items} items, "
        f"{expected.unreported} committed-but-unreported edits, "
        f"{time.monotonic() - started:.1f}s, seed {seed}"
    )
