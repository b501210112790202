"""The ``storycapture`` command, run in-process through ``main(argv, out)``.

Every vault here is made by ``storycapture init`` itself (with the quick key-derivation settings
from tests/conftest.py). A person's mistake must end with exit code 2, one plain line on stderr,
no traceback, and the vault as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from storycapture.cli import main
from storycapture.crypto.keys import new_recovery_key
from storycapture.demo import DEMO_PASSPHRASE
from storycapture.services.kinds import ENTITY_KINDS
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.timeline.service import TimelineService
from tests.conftest import PASSPHRASE, fast_kdf

NEW_PASSPHRASE = "a brand new passphrase"
RECOVERY_KEY = re.compile(r"(?<![0-9A-Z-])[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}(?![0-9A-Z-])")
COUNT_LINE = re.compile(r"^\s+(?P<label>[a-z ]+):\s*(?P<count>[0-9,]+)$")
UNUSUAL_TEXT = "tab\there, new\nline, عربى, 中文, emoji 🌱, \x07"


@dataclass
class Result:
    code: int
    out: str  # what the command wrote to the stream it was given
    err: str
    stray: str  # anything written to the process's stdout instead of the given stream

    @property
    def error(self) -> str:
        """The one plain error line (without the ``storycapture:`` prefix)."""
        assert self.code == 2, (self.code, self.out, self.err)
        assert "Traceback" not in self.err
        lines = [line for line in self.err.splitlines() if line.startswith("storycapture:")]
        assert len(lines) == 1, self.err
        message = lines[0].removeprefix("storycapture:").strip()
        assert message and message[0].isupper() and message.endswith("."), message
        for internal in ("sqlite", "Error", "errno", "0x", "b'", "self.", "None"):
            assert internal not in message, message
        return message


def write_secret(path: Path, secret: str) -> Path:
    path.write_text(secret + "\n", encoding="utf-8")
    return path


class Cli:
    """``storycapture --data-dir DIR --passphrase-file FILE --facilitator Priya …``."""

    def __init__(self, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp_path = tmp_path
        self.data_dir = data_dir
        self.passphrase_file = write_secret(tmp_path / "passphrase.txt", PASSPHRASE)
        self._capsys = capsys

    def __call__(
        self,
        *argv: str,
        passphrase_file: Path | None = None,
        data_dir: Path | None = None,
    ) -> Result:
        self._capsys.readouterr()
        out = io.StringIO()
        code = main(
            [
                "--data-dir",
                str(data_dir or self.data_dir),
                "--passphrase-file",
                str(passphrase_file or self.passphrase_file),
                "--facilitator",
                "Priya",
                *argv,
            ],
            out=out,
        )
        captured = self._capsys.readouterr()
        return Result(code, out.getvalue(), captured.err, captured.out)

    def ok(self, *argv: str, **options: Path) -> str:
        result = self(*argv, **options)
        assert result.code == 0, result.err
        assert "Traceback" not in result.err
        return result.out

    def counts(self, **options: Path) -> dict[str, int]:
        found = {}
        for line in self.ok("info", **options).splitlines():
            match = COUNT_LINE.match(line)
            if match:
                found[match["label"]] = int(match["count"].replace(",", ""))
        return found

    def secret(self, name: str, value: str) -> Path:
        return write_secret(self.tmp_path / name, value)


@pytest.fixture
def cli(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, data_dir, capsys)


@dataclass(frozen=True)
class Template:
    folder: Path
    recovery_key: str


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    """Vaults made once by ``storycapture init`` (and the commands after it), copied per test.

    Every command derives a key from the passphrase, so making each test's vault from scratch
    would multiply the suite's time; a copy of a locked vault folder is the same vault.
    """
    root = tmp_path_factory.mktemp("cli-templates")
    passphrase = write_secret(root / "passphrase.txt", PASSPHRASE)
    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("storycapture.services.vault.calibrated_kdf", fast_kdf)
        for name in ("empty", "juniper"):
            folder = root / name
            options = ["--data-dir", str(folder), "--passphrase-file", str(passphrase)]
            out = io.StringIO()
            assert main([*options, "init"], out=out) == 0
            if name == "juniper":
                add = ["storyteller", "add", "Juniper", "--birth-year", "1980"]
                consent = ["--facilitator", "Priya", "consent", "record", "Juniper"]
                items = ["--items", "take_part,photos,share_with_team", "--how", "verbal"]
                for step in (add, [*consent, *items]):
                    assert main([*options, *step], out=io.StringIO()) == 0
            (key,) = RECOVERY_KEY.findall(out.getvalue())
            made[name] = Template(folder, key)
    return made


def _copy(template: Template, data_dir: Path) -> str:
    shutil.copytree(template.folder, data_dir)
    return template.recovery_key


@pytest.fixture
def initialised(templates: dict[str, Template], data_dir: Path) -> str:
    """A vault made by ``storycapture init``; its recovery key."""
    return _copy(templates["empty"], data_dir)


@pytest.fixture
def juniper(templates: dict[str, Template], data_dir: Path) -> str:
    """Juniper (born 1980), who has agreed to take part, to photos and to sharing with the team.

    The vault's recovery key is the template's, so tests that need it use ``initialised``.
    """
    _copy(templates["juniper"], data_dir)
    return "Juniper"


def rows(data_dir: Path) -> dict[str, int]:
    """Rows in every table, read straight from the file (no key derivation, no lock)."""
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    try:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }
    finally:
        connection.close()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tiny_png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x2f\x8f\x4f"))
        + chunk(b"IEND", b"")
    )
    return path


# --- init ------------------------------------------------------------------------------------


def test_init_creates_the_vault_and_shows_the_recovery_key_once(cli: Cli) -> None:
    result = cli("init")

    assert result.code == 0, result.err
    assert (cli.data_dir / "vault.sqlite").is_file()
    keys = RECOVERY_KEY.findall(result.out)
    assert len(keys) == 1
    assert len(keys[0].split("-")) == 8
    assert all(len(group) == 4 for group in keys[0].split("-"))
    assert keys[0] not in result.err  # shown once, on the output only
    assert PASSPHRASE not in result.out + result.err
    # The vault made opens with that passphrase.
    VaultSession.unlock(cli.data_dir, PASSPHRASE).lock()


def test_init_on_an_existing_vault_refuses_and_changes_nothing(cli: Cli, initialised: str) -> None:
    database = cli.data_dir / "vault.sqlite"
    before = file_hash(database)
    listing = sorted(p.name for p in cli.data_dir.iterdir())

    result = cli("init", passphrase_file=cli.secret("other.txt", NEW_PASSPHRASE))

    assert "already a vault" in result.error
    assert not RECOVERY_KEY.search(result.out + result.err)
    assert file_hash(database) == before
    assert sorted(p.name for p in cli.data_dir.iterdir()) == listing
    # The old passphrase still opens it; the new one does not.
    assert cli("info").code == 0
    assert cli("info", passphrase_file=cli.tmp_path / "other.txt").code == 2


# --- a whole visit ---------------------------------------------------------------------------


def test_a_whole_visit_without_a_window(cli: Cli, initialised: str, tmp_path: Path) -> None:
    assert "Added Juniper" in cli.ok("storyteller", "add", "Juniper", "--birth-year", "1980")
    assert "version 1" in cli.ok(
        "consent",
        "record",
        "Juniper",
        "--items",
        "take_part,photos,share_with_team",
        "--how",
        "verbal",
        "--given-on",
        "2026-03-02",
    )
    assert "Visit recorded" in cli.ok(
        "visit", "start", "Juniper", "--place", "home", "--present", "Juniper, Priya"
    )
    cli.ok(
        "event",
        "add",
        "Juniper",
        "--title",
        "Moved to Leeds",
        "--when",
        "spring 2015",
        "--feeling",
        "2",
        "--area",
        "home_and_housing",
        "--words",
        "A fresh start, and scary.",
    )
    cli.ok(
        "event",
        "add",
        "Juniper",
        "--title",
        "Saw my GP",
        "--when",
        "after Moved to Leeds",
        "--feeling",
        "1",
        "--area",
        "help_seeking_and_services",
        "--asked-for",
        "someone to talk to",
        "--from-whom",
        "Dr Okafor",
        "--what-happened",
        "a referral, after a long wait",
        "--helped",
        "partly",
        "--by-storyteller",
    )
    cli.ok(
        "event",
        "add",
        "Juniper",
        "--title",
        "First job at the bakery",
        "--when",
        "when I was about 15",
        "--feeling",
        "-1",
        "--area",
        "work_and_learning",
    )
    assert "hope card" in cli.ok(
        "card",
        "add",
        "Juniper",
        "--kind",
        "hope",
        "--text",
        "A garden of my own",
        "--by-storyteller",
    )
    cli.ok(
        "quote",
        "add",
        "Juniper",
        "I'm more than the hard years.",
        "--visibility",
        "shareable",
        "--by-storyteller",
    )
    cli.ok(
        "note", "add", "Juniper", "We talked in the kitchen over tea.", "--visibility", "private"
    )
    photo = tiny_png(tmp_path / "view.png")
    assert "encrypted" in cli.ok("photo", "add", "Juniper", str(photo), "--caption", "The hill")

    # The timeline is in time order: about 15 (born 1980) < spring 2015 < after the move.
    events = cli.ok("event", "list", "Juniper").splitlines()
    assert len(events) == 3
    assert "when I was about 15: First job at the bakery" in events[0]
    assert "+2  spring 2015: Moved to Leeds" in events[1]
    assert "+1  after Moved to Leeds: Saw my GP" in events[2]
    assert " -1 " in events[0]

    assert cli.ok("card", "list", "Juniper").split() == ["Hope", "A", "garden", "of", "my", "own"]
    assert (
        cli.ok("quote", "list", "Juniper").strip() == "“I'm more than the hard years.”  [shareable]"
    )
    assert (
        cli.ok("note", "list", "Juniper").strip() == "We talked in the kitchen over tea.  [private]"
    )
    assert "view.png  The hill" in cli.ok("photo", "list", "Juniper")
    assert cli.ok("consent", "history", "Juniper").strip() == (
        "v1  2026-03-02  Said out loud, with Priya: "
        "taking part, photos, sharing with the programme team"
    )
    people = cli.ok("storyteller", "list").splitlines()
    assert len(people) == 1
    assert "Juniper" in people[0] and "consent v1" in people[0]
    assert "Born:       1980" in cli.ok("storyteller", "show", "Juniper")

    # The history of one event, found by the first characters of its id.
    gp_prefix = events[2].split()[0]
    history = cli.ok("event", "history", gp_prefix[:6]).splitlines()
    fields = [line.split("  ")[2].split(" = ")[0] for line in history]
    assert fields[0] == "title" and "deleted" in fields
    assert all("the storyteller" in line for line in history)
    assert any("title = 'Saw my GP'" in line for line in history)
    assert any("'asked_for': 'someone to talk to'" in line for line in history)
    assert any("'from_whom': 'Dr Okafor'" in line for line in history)
    assert any("'helped': 'partly'" in line for line in history)
    move_history = cli.ok("event", "history", events[1].split()[0])
    assert "Priya" in move_history and "'season': 'spring'" in move_history
    assert "words = 'A fresh start, and scary.'" in move_history

    # Taking an event off the timeline is one more entry at the end of its history.
    cli.ok("event", "remove", gp_prefix)
    later = cli.ok("event", "history", gp_prefix).splitlines()
    assert later[: len(history)] == history
    assert later[-1].endswith("Priya  deleted = True")
    assert len(cli.ok("event", "list", "Juniper").splitlines()) == 2

    # info: counts and settings, nothing personal.
    info = cli("info")
    assert info.code == 0
    assert "Argon2id" in info.out
    assert "AES-256-GCM" in info.out
    counts = cli.counts()
    assert counts["storytellers"] == 1
    assert counts["consent records"] == 1
    assert counts["visits"] == 1
    assert counts["timeline events"] == 2
    assert counts["strength cards"] == 1
    assert counts["quotes"] == 1
    assert counts["narrative notes"] == 1
    assert counts["photos"] == 1
    for personal in (
        "Juniper",
        "1980",
        "Leeds",
        "GP",
        "bakery",
        "garden",
        "hard years",
        "kitchen",
        "someone to talk to",
        "Okafor",
        "The hill",
        "view.png",
        "Priya",
    ):
        assert personal not in info.out + info.err + info.stray


def test_info_writes_everything_to_the_stream_it_is_given(cli: Cli, initialised: str) -> None:
    result = cli("info")

    assert result.code == 0
    assert result.stray == ""
    assert "Database size" in result.out


def test_info_counts_line_up(cli: Cli, initialised: str) -> None:
    lines = [line for line in cli.ok("info").splitlines() if COUNT_LINE.match(line)]

    assert len(lines) == len(ENTITY_KINDS) + 2  # every kind, recorded changes, erased
    columns = {line.index(line.split()[-1]) for line in lines}
    assert len(columns) == 1, lines
    assert all(": " in line for line in lines), lines


# --- mistakes a person can make --------------------------------------------------------------


def test_a_wrong_passphrase_is_refused_and_the_vault_is_untouched(cli: Cli, juniper: str) -> None:
    database = cli.data_dir / "vault.sqlite"
    before = file_hash(database)

    result = cli("storyteller", "list", passphrase_file=cli.secret("wrong.txt", "not the one"))

    assert "passphrase does not open this vault" in result.error
    assert result.err.strip().count("\n") == 0
    assert result.out == ""
    assert "Juniper" not in result.err
    assert file_hash(database) == before
    assert cli("storyteller", "list").code == 0  # and the lock was let go


@pytest.mark.parametrize("command", [("info",), ("storyteller", "list"), ("event", "list", "x")])
def test_an_empty_vault_file_is_damage_and_stays_as_it_was(
    cli: Cli, juniper: str, command: tuple[str, ...]
) -> None:
    """A 0-byte vault.sqlite (a failed copy, a full disk) was rewritten into a new, empty
    database while the message said "Nothing was changed"."""
    (cli.data_dir / "vault.sqlite").write_bytes(b"")
    listing = sorted(p.name for p in cli.data_dir.iterdir())

    result = cli(*command)

    assert "damaged" in result.error and "Nothing was changed" in result.error
    assert (cli.data_dir / "vault.sqlite").read_bytes() == b""
    assert sorted(p.name for p in cli.data_dir.iterdir()) == listing


def _damage(data_dir: Path, table: str, column: str, where: str, value: str) -> None:
    """One byte of one sealed value changed, straight in the file (as a thief or a bad disk)."""
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    try:
        with connection:
            ((key, sealed),) = connection.execute(
                f"SELECT rowid, {column} FROM {table} WHERE {where}", (value,)
            ).fetchall()
            changed = bytes([sealed[0] ^ 0x01]) + bytes(sealed[1:])
            connection.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (changed, key))
    finally:
        connection.close()


def _rowan(cli: Cli) -> str:
    """A second storyteller beside Juniper, with a moment; Rowan's id."""
    out = cli.ok("storyteller", "add", "Rowan")
    rowan = out.rsplit("(", 1)[1].split(")")[0]
    cli.ok("consent", "record", rowan, "--items", "take_part", "--how", "verbal")
    cli.ok("event", "add", rowan, "--title", "Moved to Hull", "--when", "2004")
    return rowan


@pytest.mark.parametrize("damage", ["pseudonym", "key"])
def test_one_damaged_storyteller_does_not_stop_work_on_the_others(
    cli: Cli, juniper: str, damage: str
) -> None:
    """A sealed pseudonym or key of one storyteller altered: every name- or id-based command
    failed for everyone, and the damaged storyteller could not be withdrawn."""
    rowan = _rowan(cli)
    cli.ok("event", "add", "Juniper", "--title", "Moved to Leeds", "--when", "spring 2015")
    if damage == "pseudonym":
        _damage(cli.data_dir, "storytellers", "pseudonym", "uuid = ?", rowan)
    else:
        _damage(cli.data_dir, "storyteller_keys", "wrapped_key", "storyteller_uuid = ?", rowan)

    listed = cli.ok("storyteller", "list")
    assert "Juniper" in listed and "Rowan" not in listed
    assert f"1 storyteller could not be read: it is damaged or altered ({rowan[:8]})" in listed
    assert "Moved to Leeds" in cli.ok("event", "list", "Juniper")
    cli.ok("event", "add", "Juniper", "--title", "First allotment", "--when", "2016")
    # found by id, and withdrawn: erasure opens nothing
    result = cli("storyteller", "withdraw", rowan, "--yes")
    assert result.code == 0, result.err
    listed = cli.ok("storyteller", "list")
    assert "could not be read" not in listed and "Juniper" in listed
    assert rowan not in "".join(str(v) for v in rows(cli.data_dir).values())


def test_one_damaged_moment_hides_only_itself(cli: Cli, juniper: str) -> None:
    """One altered moment hid all of that storyteller's moments in ``event list``."""
    for title, when in (("Moved to Leeds", "2015"), ("First allotment", "2016")):
        cli.ok("event", "add", "Juniper", "--title", title, "--when", when)
    (damaged, *_rest) = [
        line.split()[0] for line in cli.ok("event", "list", "Juniper").splitlines()
    ]
    _damage(cli.data_dir, "timeline_events", "title", "uuid LIKE ?", damaged + "%")

    listed = cli.ok("event", "list", "Juniper")
    assert "First allotment" in listed and "Moved to Leeds" not in listed
    assert f"1 moment could not be read: it is damaged or altered ({damaged})" in listed


def _set_plain(data_dir: Path, table: str, column: str, value: object, uuid_start: str) -> None:
    """A column kept in the clear changed straight in the file."""
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    try:
        with connection:
            changed = connection.execute(
                f"UPDATE {table} SET {column} = ? WHERE uuid LIKE ?", (value, uuid_start + "%")
            ).rowcount
        assert changed == 1
    finally:
        connection.close()


def test_an_author_changed_in_the_file_is_damage_not_the_storytellers_words(
    cli: Cli, juniper: str
) -> None:
    """Setting ``author`` to the storyteller in the file made ``event history`` credit them."""
    cli.ok("event", "add", "Juniper", "--title", "Moved to Leeds", "--when", "2015")
    (moment,) = [line.split()[0] for line in cli.ok("event", "list", "Juniper").splitlines()]
    assert "Priya" in cli.ok("event", "history", moment)
    connection = sqlite3.connect(cli.data_dir / "vault.sqlite")
    with connection:
        connection.execute(
            "UPDATE operations SET author = 'storyteller' WHERE entity_uuid LIKE ?",
            (moment + "%",),
        )
    connection.close()
    assert "altered or damaged" in cli("event", "history", moment).error

    _set_plain(cli.data_dir, "timeline_events", "author", "storyteller", moment)
    listed = cli.ok("event", "list", "Juniper")
    assert "Moved to Leeds" not in listed
    assert f"1 moment could not be read: it is damaged or altered ({moment})" in listed


def test_a_moment_deleted_in_the_file_is_reported_not_silently_hidden(
    cli: Cli, juniper: str
) -> None:
    for title, when in (("Moved to Leeds", "2015"), ("First allotment", "2016")):
        cli.ok("event", "add", "Juniper", "--title", title, "--when", when)
    hidden = next(
        line.split()[0]
        for line in cli.ok("event", "list", "Juniper").splitlines()
        if "Moved to Leeds" in line
    )
    _set_plain(cli.data_dir, "timeline_events", "deleted", 1, hidden)

    listed = cli.ok("event", "list", "Juniper")
    assert "First allotment" in listed and "Moved to Leeds" not in listed
    assert f"1 moment could not be read: it is damaged or altered ({hidden})" in listed


def test_a_missing_vault_is_named_plainly(cli: Cli, tmp_path: Path) -> None:
    result = cli("info", data_dir=tmp_path / "nowhere")

    assert "no StoryCapture vault" in result.error
    assert not (tmp_path / "nowhere").exists()


def test_a_missing_passphrase_file_is_named_plainly(cli: Cli, initialised: str) -> None:
    result = cli("info", passphrase_file=cli.tmp_path / "absent.txt")

    assert "passphrase file cannot be read" in result.error


def test_an_unknown_storyteller_is_named_plainly(cli: Cli, juniper: str) -> None:
    result = cli("event", "list", "Rowan")

    assert "No storyteller here is called" in result.error
    assert "Rowan" in result.error


def test_a_date_we_cannot_read_adds_nothing(cli: Cli, juniper: str) -> None:
    cli.ok("event", "add", juniper, "--title", "Moved to Leeds", "--when", "spring 2015")
    before = rows(cli.data_dir)

    result = cli("event", "add", juniper, "--title", "Something", "--when", "the blue year")

    assert "couldn't understand" in result.error
    assert rows(cli.data_dir) == before
    assert before["timeline_events"] == 1


def test_an_over_long_title_adds_nothing(cli: Cli, juniper: str) -> None:
    before = rows(cli.data_dir)

    result = cli("event", "add", juniper, "--title", "x" * 201, "--when", "2015")

    assert "at most 200" in result.error
    assert "x" * 40 not in result.err
    assert rows(cli.data_dir) == before
    assert cli("event", "add", juniper, "--title", "x" * 200, "--when", "2015").code == 0


def test_an_event_before_consent_is_refused(cli: Cli, initialised: str) -> None:
    cli.ok("storyteller", "add", "Rowan")

    result = cli("event", "add", "Rowan", "--title", "Moved", "--when", "2015")

    # ConsentMissing's sentence: the storyteller has not agreed yet.
    assert "has not agreed" in result.error
    assert "record their consent first" in result.error
    assert rows(cli.data_dir)["timeline_events"] == 0


@pytest.mark.parametrize("items", ["photos,share_with_team", ","])
def test_consent_without_taking_part_is_refused(cli: Cli, initialised: str, items: str) -> None:
    cli.ok("storyteller", "add", "Rowan")

    result = cli(
        "--facilitator", "Priya", "consent", "record", "Rowan", "--items", items, "--how", "verbal"
    )

    # The service's sentence, as the window shows it.
    assert "recorded only when they agree to take part" in result.error
    assert rows(cli.data_dir)["consent_records"] == 0


@pytest.mark.parametrize("feeling", ["9", "-4"])
def test_a_feeling_outside_minus_three_to_three_is_refused(
    cli: Cli, juniper: str, feeling: str
) -> None:
    result = cli(
        "event", "add", juniper, "--title", "Moved", "--when", "2015", "--feeling", feeling
    )

    assert "from -3 to +3" in result.error
    assert rows(cli.data_dir)["timeline_events"] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["bogus"],
        ["event", "add", "Juniper"],
        ["event"],
        ["consent", "record", "Juniper", "--how", "verbal"],
        ["event", "add", "Juniper", "--title", "x", "--when", "2015", "--feeling", "lots"],
        ["storyteller", "add", "Juniper", "--birth-year", "nineteen eighty"],
    ],
    ids=[
        "unknown-command",
        "missing-options",
        "missing-action",
        "missing-items",
        "bad-int",
        "year",
    ],
)
def test_usage_mistakes_exit_2_without_a_traceback(
    cli: Cli, initialised: str, argv: list[str]
) -> None:
    before = rows(cli.data_dir)

    result = cli(*argv)

    assert result.error
    assert "usage:" in result.err
    assert result.out == ""
    assert rows(cli.data_dir) == before


def test_a_vault_open_elsewhere_is_refused(cli: Cli, juniper: str) -> None:
    other = VaultSession.unlock(cli.data_dir, PASSPHRASE)
    try:
        result = cli("storyteller", "list")
        write = cli("storyteller", "add", "Rowan")
    finally:
        other.lock()

    assert "already open" in result.error
    assert "already open" in write.error
    assert result.out == ""
    assert len(cli.ok("storyteller", "list").splitlines()) == 1


def test_a_data_folder_that_cannot_be_made_is_refused(cli: Cli, tmp_path: Path) -> None:
    # Tests run as root, so permissions do not stop us: a regular file in the way does.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")

    result = cli("init", data_dir=blocker / "vault")

    assert "cannot create its data folder" in result.error
    assert not RECOVERY_KEY.search(result.out)
    assert blocker.read_text() == "not a folder\n"


# --- passphrases -----------------------------------------------------------------------------


def test_passwd_changes_the_passphrase(cli: Cli, juniper: str) -> None:
    new = cli.secret("new.txt", NEW_PASSPHRASE)

    assert "passphrase is changed" in cli.ok("passwd", "--new-passphrase-file", str(new))

    assert "does not open" in cli("storyteller", "list").error
    assert "Juniper" in cli.ok("storyteller", "list", passphrase_file=new)


def test_passwd_refuses_a_short_new_passphrase(cli: Cli, juniper: str) -> None:
    short = cli.secret("short.txt", "short")

    result = cli("passwd", "--new-passphrase-file", str(short))

    assert "at least 8 characters" in result.error
    assert "Juniper" in cli.ok("storyteller", "list")


def test_recover_with_the_key_that_init_showed(
    cli: Cli, templates: dict[str, Template], data_dir: Path
) -> None:
    key_file = cli.secret("recovery.txt", _copy(templates["juniper"], data_dir))
    new = cli.secret("new.txt", NEW_PASSPHRASE)

    out = cli.ok("recover", "--recovery-key-file", str(key_file), "--new-passphrase-file", str(new))

    assert "new passphrase" in out
    assert "does not open" in cli("info").error
    assert "Juniper" in cli.ok("storyteller", "list", passphrase_file=new)


def test_recover_with_a_wrong_key_changes_nothing(cli: Cli, initialised: str) -> None:
    key_file = cli.secret("recovery.txt", new_recovery_key())  # well formed, but another key
    new = cli.secret("new.txt", NEW_PASSPHRASE)

    result = cli("recover", "--recovery-key-file", str(key_file), "--new-passphrase-file", str(new))

    assert "recovery key" in result.error
    assert cli("info").code == 0
    assert cli("info", passphrase_file=new).code == 2


# --- withdrawing -----------------------------------------------------------------------------


def test_withdrawing_needs_yes_then_erases(cli: Cli, juniper: str) -> None:
    cli.ok("storyteller", "add", "Rowan")
    cli.ok("quote", "add", juniper, "Something I said.")

    refused = cli("storyteller", "withdraw", juniper)

    assert "--yes" in refused.error
    assert "Juniper" in cli.ok("storyteller", "list")
    assert rows(cli.data_dir)["quotes"] == 1

    assert "erased" in cli.ok("storyteller", "withdraw", juniper, "--yes")
    people = cli.ok("storyteller", "list")
    assert "Juniper" not in people
    assert "Rowan" in people
    counts = cli.counts()
    assert counts["storytellers"] == 1
    assert counts["quotes"] == 0
    assert counts["erased storytellers"] == 1


# --- the practice vault ----------------------------------------------------------------------


def test_demo_makes_the_practice_vault(cli: Cli) -> None:
    demo = cli.secret("demo.txt", DEMO_PASSPHRASE)

    out = cli.ok("demo", passphrase_file=demo)

    assert "6 storytellers" in out
    assert len(RECOVERY_KEY.findall(out)) == 1
    people = cli.ok("storyteller", "list", passphrase_file=demo).splitlines()
    assert len(people) == 6
    counts = cli.counts(passphrase_file=demo)
    assert counts["storytellers"] == 6
    assert 140 <= counts["timeline events"] <= 160
    # A second demo on the same folder refuses rather than overwriting.
    assert "already a vault" in cli("demo", passphrase_file=demo).error


# --- text kept exactly -----------------------------------------------------------------------


def test_control_characters_and_mixed_scripts_are_kept_exactly(cli: Cli, juniper: str) -> None:
    cli.ok("quote", "add", juniper, UNUSUAL_TEXT, "--by-storyteller")
    title = "Tea 🌱 中文"
    cli.ok("event", "add", juniper, "--title", title, "--when", "2015", "--words", UNUSUAL_TEXT)

    assert f"“{UNUSUAL_TEXT}”" in cli.ok("quote", "list", juniper)
    vault = VaultSession.unlock(cli.data_dir, PASSPHRASE)
    try:
        (person,) = StorytellerService(vault).list()
        (quote,) = StoryWordsService(vault).quotes(person.uuid)
        (event,) = TimelineService(vault).events(person.uuid)
    finally:
        vault.lock()
    assert quote.text == UNUSUAL_TEXT
    assert event.title == title
    assert event.words == UNUSUAL_TEXT


# --- the real entry points -------------------------------------------------------------------


def _run(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("STORYCAPTURE_DATA_DIR", None)
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_python_dash_m_storycapture_version() -> None:
    result = _run(sys.executable, "-m", "storycapture", "--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("StoryCapture ")


def test_the_console_script_helps() -> None:
    script = Path(sys.executable).parent / "storycapture"

    result = _run(script, "--help")

    assert result.returncode == 0, result.stderr
    assert "usage: storycapture" in result.stdout
    for command in ("init", "demo", "info", "passwd", "recover", "storyteller", "event"):
        assert command in result.stdout


def test_the_console_script_on_a_missing_vault(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "storycapture"
    passphrase = write_secret(tmp_path / "passphrase.txt", PASSPHRASE)

    result = _run(
        script, "--data-dir", tmp_path / "nowhere", "--passphrase-file", passphrase, "info"
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("storycapture: There is no StoryCapture vault in")


# --- sync from the command line -----------------------------------------------------------


def test_a_bundle_goes_from_a_laptop_to_the_hub_on_the_command_line(
    cli: Cli, juniper: str, templates: dict[str, Template], tmp_path: Path
) -> None:
    hub_dir = tmp_path / "hub"
    shutil.copytree(templates["empty"].folder, hub_dir)
    laptop_id = cli.ok("identity", "--set-name", "Outreach 2")
    hub_id = cli.ok("identity", "--set-name", "Programme hub", data_dir=hub_dir)
    assert "Outreach 2" in laptop_id and "Programme hub" in hub_id
    (hub_key,) = re.findall(r"age1[0-9a-z]+", hub_id)
    (fingerprint,) = re.findall(r"(?:[0-9A-F]{4} ){7}[0-9A-F]{4}", laptop_id)

    refused = cli("recipients", "add", "age1nonsense", "--name", "Hub")
    assert refused.code == 2 and "age public key" in refused.err
    cli.ok("recipients", "add", hub_key, "--name", "Programme hub")
    assert "Programme hub" in cli.ok("recipients", "list")
    cli.ok("event", "add", juniper, "--title", "Moved to the coast", "--when", "2015")
    outbox = tmp_path / "stick"
    outbox.mkdir()
    exported = cli.ok("export", "--to", str(outbox))
    assert "Will be shared:" in exported and "Bundle 1 written" in exported
    (bundle,) = outbox.iterdir()

    # The hub has not trusted the laptop yet: refused, and nothing changes.
    before = rows(hub_dir)
    untrusted = cli("import", str(bundle), data_dir=hub_dir)
    assert untrusted.code == 2 and "does not trust" in untrusted.out
    assert rows(hub_dir) == before
    verify = cli("bundle", "verify", str(bundle), data_dir=hub_dir)
    assert verify.code == 2 and "does not trust" in verify.err

    cli.ok("devices", "trust", fingerprint.lower(), "--name", "Outreach 2", data_dir=hub_dir)
    before = rows(hub_dir)
    summary = cli.ok("bundle", "verify", str(bundle), data_dir=hub_dir)
    assert "A good bundle: number 1" in summary and "Outreach 2" in summary
    assert rows(hub_dir) == before  # verifying changes nothing
    imported = cli.ok("import", str(bundle), data_dir=hub_dir)
    assert "new item" in imported
    assert "Juniper" in cli.ok("storyteller", "list", data_dir=hub_dir)
    again = cli.ok("import", str(bundle), data_dir=hub_dir)
    assert "already imported" in again

    cli.ok("devices", "revoke", "Outreach 2", data_dir=hub_dir)
    assert "revoked" in cli.ok("devices", "list", data_dir=hub_dir)
    assert "Nothing new to share" in cli.ok("export", "--to", str(outbox))


def test_import_refuses_a_bundle_over_the_size_cap(
    cli: Cli, juniper: str, templates: dict[str, Template], tmp_path: Path
) -> None:
    hub_dir = tmp_path / "hub"
    shutil.copytree(templates["empty"].folder, hub_dir)
    (hub_key,) = re.findall(r"age1[0-9a-z]+", cli.ok("identity", data_dir=hub_dir))
    cli.ok("recipients", "add", hub_key, "--name", "Hub")
    cli.ok("export", "--to", str(tmp_path))
    (bundle,) = tmp_path.glob("*.age")
    result = cli("import", str(bundle), "--max-size-mb", "0.0001", data_dir=hub_dir)
    assert result.code == 2 and "larger than StoryCapture accepts" in result.out
    assert "0 new items" not in result.out


def test_event_add_without_a_date_or_a_feeling_records_none(cli: Cli, juniper: str) -> None:
    added = cli.ok("event", "add", juniper, "--title", "The allotment")
    assert "“The allotment” (no date yet)" in added
    cli.ok("event", "add", juniper, "--title", "Moved", "--date", "2015", "--feeling", "0")
    lines = cli.ok("event", "list", juniper).splitlines()
    # Dated first; the undated one last, with a dash where no feeling was said (not a 0).
    assert lines[0].endswith(" 0  2015: Moved")
    assert lines[1].endswith(" –  no date yet: The allotment")
    history = cli.ok("event", "history", lines[1].split()[0])
    assert "starts = None" in history and "valence = None" in history


def test_adds_without_a_visibility_follow_what_the_storyteller_chose(
    cli: Cli, initialised: str
) -> None:
    cli.ok("storyteller", "add", "Rowan", "--new-items", "private")
    assert "New items:  private to this laptop" in cli.ok("storyteller", "show", "Rowan")
    cli.ok(
        "--facilitator", "Priya", "consent", "record", "Rowan",
        "--items", "take_part,share_with_team", "--how", "verbal",
    )  # fmt: skip
    cli.ok("quote", "add", "Rowan", "The bench by the river.")
    cli.ok("quote", "add", "Rowan", "Tell the team.", "--visibility", "team")
    quotes = cli.ok("quote", "list", "Rowan")
    assert "“The bench by the river.”  [private]" in quotes
    assert "“Tell the team.”  [team]" in quotes
    # Someone never asked keeps what adds were before: the team.
    cli.ok("storyteller", "add", "Heron")
    assert "not chosen yet" in cli.ok("storyteller", "show", "Heron")


def test_output_into_a_closed_pipe_ends_quietly(
    cli: Cli, juniper: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``storycapture event list … | head`` ended in a traceback when the reader went away."""
    for title, when in (("Moved to Leeds", "2015"), ("First allotment", "2016")):
        cli.ok("event", "add", "Juniper", "--title", title, "--when", when)

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    base = ["--data-dir", str(cli.data_dir), "--passphrase-file", str(cli.passphrase_file)]
    assert main([*base, "event", "list", "Juniper"], out=ClosedPipe()) == 0
    assert "Traceback" not in capsys.readouterr().err
