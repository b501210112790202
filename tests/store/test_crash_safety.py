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

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text

from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"
)

EDIT_KILLS = 50  # kills while the child is editing, each after at least one reported edit
EARLY_KILL_EVERY = 8  # and, every so many rounds, one more while the child is starting up
MAX_EDITS_BEFORE_KILL = 40
ROUND_TIMEOUT_SECONDS = 30

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
timeline, strengths, words = TimelineService(vault), StrengthService(vault), StoryWordsService(vault)
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
    """Everything the children reported, and how many unreported edits the kills allow."""

    events: dict[str, dict[str, str]] = field(default_factory=dict)  # uuid -> title, words
    updated_in_round: dict[str, bool] = field(default_factory=dict)  # uuid -> update reported
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


def _run_child_and_kill(
    data_dir: Path, storyteller: str, number: int, rng: random.Random, early: bool
) -> Round:
    stderr_path = data_dir.parent / f"child-{number}.stderr"
    with open(stderr_path, "w+b") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD_SCRIPT, str(data_dir), storyteller, f"r{number}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        watchdog = threading.Timer(ROUND_TIMEOUT_SECONDS, child.kill)
        watchdog.start()
        reported: list[dict[str, str]] = []
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(PASSPHRASE + "\n")
            child.stdin.flush()
            if early:
                # Somewhere in start-up: importing, deriving the key, checking, opening.
                time.sleep(rng.uniform(0.0, 0.6))
            else:
                assert child.stdout.readline() == "ready\n", _stderr_of(stderr)
                wanted = rng.randint(1, MAX_EDITS_BEFORE_KILL)
                while len(reported) < wanted:
                    line = child.stdout.readline()
                    if not line:
                        break  # the child ended by itself: reported below
                    reported.append(json.loads(line))
                if rng.random() < 0.5:
                    time.sleep(rng.uniform(0.0, 0.9))
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            # Lines written before the kill are edits the child saw committed, read or not.
            for line in child.stdout.read().splitlines(keepends=True):
                if line == "ready\n":
                    continue
                if line.endswith("\n"):
                    reported.append(json.loads(line))
        finally:
            watchdog.cancel()
            if child.poll() is None:
                child.kill()
                child.wait()
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except BrokenPipeError:
                        pass
        return Round(number, reported, early, child.returncode, _stderr_of(stderr))


def _stderr_of(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    return stderr.read().decode("utf-8", errors="replace")[-3000:]


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
            expected.updated_in_round[edit["id"]] = False
        elif op == "update_event":
            expected.events[edit["id"]]["words"] = edit["words"]
            expected.updated_in_round[edit["id"]] = True
        elif op == "add_card":
            expected.cards[edit["id"]] = edit["text"]
        elif op == "add_quote":
            expected.quotes[edit["id"]] = edit["text"]
        else:  # pragma: no cover - the child only does the four above
            raise AssertionError(f"unknown edit {edit!r}")


def _check_vault(data_dir: Path, storyteller: str, expected: Expected, crash: Round) -> None:
    where = f"after kill in round {crash.number} ({len(crash.reported)} edits reported)"
    # Unlocking at all proves the dead child's lock on the vault folder was released.
    vault = VaultSession.unlock(data_dir, PASSPHRASE)
    try:
        with vault.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == [
                "ok"
            ], where
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == [], where
            logged = Counter(
                (row.entity, row.entity_uuid)
                for row in connection.execute(
                    text("SELECT entity, entity_uuid FROM operations")
                )
            )

        timeline = TimelineService(vault)
        events = {e.uuid: e for e in timeline.events(storyteller)}
        cards = {c.uuid: c.text for c in StrengthService(vault).cards(storyteller)}
        quotes = {q.uuid: q.text for q in StoryWordsService(vault).quotes(storyteller)}
        history = HistoryService(vault)

        # The edit the child was making when it died, if it committed before its line.
        in_flight = f"r{crash.number}-{len(crash.reported)}"
        unreported: list[tuple[str, str, str]] = []
        last_reported = crash.reported[-1] if crash.reported else None
        for uuid, want in expected.events.items():
            got = timeline.get_event(uuid)
            assert got.title == want["title"], where
            if got.words != want["words"]:
                # Only the update of the event the child just added, committed but unreported.
                assert last_reported is not None and last_reported["op"] == "add_event", where
                assert last_reported["id"] == uuid, (where, uuid, got.words, want)
                assert got.words == f"changed words of {in_flight}", (where, got.words, want)
                expected.events[uuid]["words"] = got.words
                expected.updated_in_round[uuid] = True
                unreported.append(("update", uuid, got.words))
            # The row and the log agree: the log's latest words are the row's words.
            assert history.earlier_values("timeline_event", uuid, "words")[-1].value == got.words
        for uuid, want in expected.cards.items():
            assert cards.get(uuid) == want, (where, uuid)
        for uuid, want in expected.quotes.items():
            assert quotes.get(uuid) == want, (where, uuid)

        # Anything present that was never reported is the one edit in flight at the kill.
        extra = (
            [("event", e.uuid, e.title) for u, e in events.items() if u not in expected.events]
            + [("card", u, t) for u, t in cards.items() if u not in expected.cards]
            + [("quote", u, t) for u, t in quotes.items() if u not in expected.quotes]
        )
        for kind, uuid, value in extra:
            assert value.startswith((f"event {in_flight}", f"card {in_flight}:", f"quote {in_flight}:")), (
                where,
                kind,
                value,
            )
            if kind == "event":
                expected.events[uuid] = {"title": value, "words": events[uuid].words}
                expected.updated_in_round[uuid] = False
            elif kind == "card":
                expected.cards[uuid] = value
            else:
                expected.quotes[uuid] = value
            unreported.append((kind, uuid, value))
        assert len(unreported) <= 1, (where, unreported)
        expected.unreported += len(unreported)

        # Every item has its log, and every log entry its item (one transaction each).
        items = (
            {("timeline_event", u) for u in events}
            | {("strength_card", u) for u in cards}
            | {("quote", u) for u in quotes}
        )
        story_log = {key for key in logged if key[0] in ("timeline_event", "strength_card", "quote")}
        assert story_log == items, where
    finally:
        vault.lock()


@pytest.mark.slow
def test_killed_editor_loses_nothing_it_reported(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    data_dir = tmp_path / "vault"
    vault, _recovery = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        person = StorytellerService(vault).add("Kestrel", author=FACILITATOR)
        ConsentService(vault).record(
            person.uuid,
            items=list(ConsentItem),
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
    finally:
        vault.lock()

    expected = Expected()
    edit_kills = 0
    number = 0
    started = time.monotonic()
    while edit_kills < EDIT_KILLS:
        early = number % EARLY_KILL_EVERY == EARLY_KILL_EVERY - 1
        crash = _run_child_and_kill(data_dir, person.uuid, number, rng, early)
        try:
            _record(expected, crash)
            _check_vault(data_dir, person.uuid, expected, crash)
        except AssertionError as error:
            raise AssertionError(f"random seed {seed}: {error}") from error
        if not early:
            edit_kills += 1
        number += 1

    reported = len(expected.events) + len(expected.cards) + len(expected.quotes)
    assert edit_kills >= 50 and number >= 50
    assert reported >= EDIT_KILLS, "the children made too few edits for this to mean much"
    elapsed = time.monotonic() - started
    print(
        f"{number} kills ({edit_kills} while editing), {reported} items, "
        f"{expected.unreported} committed-but-unreported edits, {elapsed:.1f}s, seed {seed}"
    )
