"""The story-sharing room on the command line: ``excerpt``, ``theme`` and ``matrix``.

They run in-process through ``main`` (as tests/cli/test_cli.py does) on copies of two vaults
made once: the practice vault (a laptop's: private items, every kind of item) and the practice
hub (what arrived from three laptops, with themes and excerpts). A mistake ends with exit code 2,
one plain sentence and the vault as it was (no row added, no theme changed).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from storycapture.cli import FACILITATOR_ENV, main
from storycapture.demo import DEMO_PASSPHRASE, create_demo_vault
from storycapture.demo_hub import create_demo_hub
from storycapture.hub.across import theme_matrix, write_matrix_csv
from storycapture.hub.room import RoomService
from storycapture.services import records
from storycapture.services.kinds import QUOTE, STORYTELLER
from storycapture.services.vault import VaultSession
from storycapture.store.lock import VaultDirectoryLock
from tests.cli.test_cli import Cli, rows, write_secret
from tests.conftest import fast_kdf

DEMO_SOURCE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-vault.json"
REAL_NAMES = ("Alex Sampleton", "Barnaby Crumbsworth", "Rosalind Examplewood")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The practice vault and the practice hub, made once, locked; copied for each test."""
    root = tmp_path_factory.mktemp("room-cli")
    laptop, _ = create_demo_vault(root / "laptop", DEMO_SOURCE, kdf=fast_kdf)
    laptop.lock()
    hub, _ = create_demo_hub(root / "hub", DEMO_SOURCE, kdf=fast_kdf)
    hub.lock()
    return {"laptop": root / "laptop", "hub": root / "hub"}


def _cli(tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    data_dir = tmp_path / "vault"
    shutil.copytree(folder, data_dir)
    cli = Cli(tmp_path, data_dir, capsys)
    cli.passphrase_file = write_secret(tmp_path / "demo-passphrase.txt", DEMO_PASSPHRASE)
    return cli


@pytest.fixture
def laptop(made: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return _cli(tmp_path, made["laptop"], capsys)


@pytest.fixture
def hub(made: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return _cli(tmp_path, made["hub"], capsys)


def opened(cli: Cli) -> VaultSession:
    return VaultSession.unlock(cli.data_dir, DEMO_PASSPHRASE)


def ids(cli: Cli, *argv: str) -> dict[str, str]:
    """``… list --ids``: each line's words → its id."""
    found = {}
    for line in cli.ok(*argv, "--ids").splitlines():
        if line.strip():
            short, _, rest = line.partition("  ")
            found[rest.strip()] = short
    return found


def quote_id(cli: Cli, person: str, begins: str) -> str:
    (found,) = [
        short for words, short in ids(cli, "quote", "list", person).items() if begins in words
    ]
    return found


def event_id(cli: Cli, person: str, title: str) -> str:
    (found,) = [
        line.split()[0] for line in cli.ok("event", "list", person).splitlines() if title in line
    ]
    return found


def refused(cli: Cli, *argv: str) -> str:
    """The command's one plain error, having checked that nothing in the vault changed."""
    before = rows(cli.data_dir)
    themes = cli.ok("theme", "list")
    result = cli(*argv)
    message = result.error
    assert rows(cli.data_dir) == before, message
    assert cli.ok("theme", "list") == themes
    return message


# --- excerpt add -----------------------------------------------------------------------------


def test_a_whole_quote_is_marked_theirs_by_the_facilitator(laptop: Cli) -> None:
    short = quote_id(laptop, "Marigold", "I'm not a file")

    out = laptop.ok("excerpt", "add", "marigold", "--from", "quote", short)

    assert "“I'm not a file. I'm a person who grows tomatoes.”" in out
    assert "Marigold's own words, from a quote. Marked by Priya." in out
    first = out.splitlines()[0]
    assert first.startswith("Excerpt ")
    vault = opened(laptop)
    try:
        (excerpt,) = RoomService(vault).excerpts()
    finally:
        vault.lock()
    assert excerpt.uuid == first.split()[1]
    assert excerpt.meta.author.is_storyteller and excerpt.marked_by == "Priya"
    assert excerpt.themes == ()
    assert excerpt.source.kind == "quote" and excerpt.source.uuid.startswith(short)


def test_some_words_of_a_moment_go_into_a_new_theme(laptop: Cli) -> None:
    moment = event_id(laptop, "Marigold", "Went to a money advice drop-in")

    out = laptop.ok(
        "excerpt", "add", "Marigold", "--from", "event", moment,
        "--text", "lighter when I walked out", "--theme", "Money and debt",
    )  # fmt: skip

    assert "“lighter when I walked out”" in out
    assert "the moment “Went to a money advice drop-in”" in out
    assert "In the theme “Money and debt”." in out
    assert "There was no theme called “Money and debt”, so it is made now." in out
    vault = opened(laptop)
    try:
        room = RoomService(vault)
        (theme,) = room.themes()
        (excerpt,) = room.excerpts()
    finally:
        vault.lock()
    assert theme.name == "Money and debt"
    assert excerpt.themes == (theme.uuid,)
    words = "I was shaking when I walked in, and lighter when I walked out."
    assert (excerpt.source.field, excerpt.source.start) == ("words", words.index("lighter"))
    assert excerpt.text == "lighter when I walked out"


def test_an_existing_theme_is_found_by_name_in_any_case(hub: Cli) -> None:
    before = hub.ok("theme", "list")
    card = next(iter(ids(hub, "card", "list", "Moth").values()))

    out = hub.ok("excerpt", "add", "Moth", "--from", "card", card, "--theme", "small KINDNESSES")

    assert "In the theme “Small kindnesses”." in out and "made now" not in out
    assert hub.ok("theme", "list").count("\n") == before.count("\n")
    assert "Small kindnesses     5 excerpts, in 4 stories" in hub.ok("theme", "list")


def test_words_there_twice_mark_the_first_and_say_so(laptop: Cli) -> None:
    laptop.ok("quote", "add", "Sunny", "Tea first, then talk, then tea again.", "--by-storyteller")
    short = quote_id(laptop, "Sunny", "Tea first")

    out = laptop.ok("excerpt", "add", "Sunny", "--from", "quote", short, "--text", "then t")

    assert "Those words are there 2 times; the first is marked." in out
    vault = opened(laptop)
    try:
        (excerpt,) = RoomService(vault).excerpts()
    finally:
        vault.lock()
    assert (excerpt.source.start, excerpt.source.end) == (11, 17)


def test_a_note_a_card_and_a_moment_without_words(laptop: Cli) -> None:
    note = next(iter(ids(laptop, "note", "list", "Bramble").values()))
    card = next(iter(ids(laptop, "card", "list", "Bramble").values()))
    laptop.ok("event", "add", "Bramble", "--title", "The swimming baths", "--visibility", "team")
    baths = event_id(laptop, "Bramble", "The swimming baths")

    assert "from a note" in laptop.ok("excerpt", "add", "Bramble", "--from", "note", note)
    assert "from a strength card" in laptop.ok("excerpt", "add", "Bramble", "--from", "card", card)
    out = laptop.ok("excerpt", "add", "Bramble", "--from", "event", baths)
    assert "“The swimming baths”" in out and "its title is marked" in out
    assert "Priya’s words, in Bramble's story" in out  # the facilitator wrote the moment


def test_without_a_name_the_team_marked_it(
    laptop: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(FACILITATOR_ENV, raising=False)
    short = quote_id(laptop, "Moth", "The voices aren't")
    out = io.StringIO()
    argv = ["--data-dir", str(laptop.data_dir), "--passphrase-file", str(laptop.passphrase_file)]

    assert main([*argv, "excerpt", "add", "Moth", "--from", "quote", short], out=out) == 0

    assert "Marked by the team." in out.getvalue()


# --- excerpt add: mistakes -------------------------------------------------------------------


def test_an_unknown_storyteller_is_refused(laptop: Cli) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    message = refused(laptop, "excerpt", "add", "Nobody", "--from", "quote", short)
    assert "No storyteller here is called or numbered “Nobody”" in message


@pytest.mark.parametrize("reference", ["00000000", "ab", ""])
def test_an_unknown_or_too_short_item_id_is_refused(laptop: Cli, reference: str) -> None:
    message = refused(laptop, "excerpt", "add", "Moth", "--from", "quote", reference)
    assert message.startswith("No single quote has the id")


def test_another_storytellers_item_is_refused(laptop: Cli) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    message = refused(laptop, "excerpt", "add", "Wren", "--from", "quote", short)
    assert message == "That quote is not in Wren's story."


def test_an_unknown_kind_of_item_is_refused(laptop: Cli) -> None:
    message = refused(laptop, "excerpt", "add", "Moth", "--from", "poem", "1234")
    assert "quote, an event, a note or a card" in message


def test_a_private_item_is_never_marked_nor_quoted(laptop: Cli) -> None:
    short = quote_id(laptop, "Wren", "Mum said")
    message = refused(
        laptop, "excerpt", "add", "Wren", "--from", "quote", short, "--text", "not in it",
        "--theme", "Family",
    )  # fmt: skip
    assert message == "That quote is private to Wren; it stays with them and cannot be marked."
    assert "Family" not in laptop.ok("theme", "list")


@pytest.mark.parametrize("span", ["", "   \n"])
def test_an_empty_span_is_refused(laptop: Cli, span: str) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    message = refused(laptop, "excerpt", "add", "Moth", "--from", "quote", short, "--text", span)
    assert "The words to mark (--text) are empty" in message


def test_words_not_in_the_item_are_refused_quoting_a_short_piece_of_it(laptop: Cli) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    message = refused(
        laptop, "excerpt", "add", "Moth", "--from", "quote", short,
        "--text", "the voices are", "--theme", "Voices",
    )  # fmt: skip
    assert message.startswith("The words “the voices are” are not in that quote")
    assert "whose words begin “The voices aren't the whole of me." in message
    assert "noisy neighbours" not in message  # a short piece, not all of it


def test_absurdly_long_words_to_mark_are_refused(laptop: Cli) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    message = refused(
        laptop, "excerpt", "add", "Moth", "--from", "quote", short, "--text", "x" * 100_000
    )
    assert "100,000 characters long" in message
    assert "xxxxxxxxxx" not in message


def test_an_absurdly_long_theme_name_makes_nothing(laptop: Cli) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    message = refused(
        laptop, "excerpt", "add", "Moth", "--from", "quote", short, "--theme", "t" * 5_000
    )
    assert "can be at most 120" in message


def test_a_wrong_passphrase_is_refused(laptop: Cli) -> None:
    wrong = laptop.secret("wrong.txt", "not the one")
    result = laptop("excerpt", "add", "Moth", "--from", "quote", "1234", passphrase_file=wrong)
    assert "passphrase does not open this vault" in result.error
    result = laptop("theme", "list", passphrase_file=wrong)
    assert "passphrase does not open this vault" in result.error


def test_a_vault_open_elsewhere_is_refused(laptop: Cli) -> None:
    short = quote_id(laptop, "Moth", "The voices aren't")
    before = rows(laptop.data_dir)
    lock = VaultDirectoryLock(laptop.data_dir)
    lock.acquire()
    try:
        result = laptop("excerpt", "add", "Moth", "--from", "quote", short)
    finally:
        lock.release()
    assert "already open in another StoryCapture window or command" in result.error
    assert rows(laptop.data_dir) == before


# --- excerpt list and remove -----------------------------------------------------------------


def test_excerpts_are_listed_by_storyteller_and_by_theme(hub: Cli) -> None:
    everyone = hub.ok("excerpt", "list").splitlines()
    assert len(everyone) == 12
    moth = hub.ok("excerpt", "list", "moth").splitlines()
    assert len(moth) == 3 and all("  Moth, " in line for line in moth)
    believed = hub.ok("excerpt", "list", "--theme", "being believed").splitlines()
    assert len(believed) == 4 and all("Being believed" in line for line in believed)
    both = hub.ok("excerpt", "list", "Moth", "--theme", "Being believed").splitlines()
    assert both == [line for line in moth if "Being believed" in line]
    assert "[not in a theme yet]" in hub.ok("excerpt", "list", "Bramble")
    assert "the moment “Outreach worker with a flask”" in hub.ok("excerpt", "list", "Moth")


def test_an_excerpt_is_taken_off_the_board_by_its_id(hub: Cli) -> None:
    (line,) = [x for x in hub.ok("excerpt", "list", "Bramble").splitlines()]
    out = hub.ok("excerpt", "remove", line.split()[0])
    assert "(Bramble) is off the board." in out
    assert hub.ok("excerpt", "list", "Bramble").strip() == "No excerpts marked yet here."


def test_listing_or_removing_what_is_not_there_is_refused(hub: Cli) -> None:
    assert refused(hub, "excerpt", "remove", "00000000") == (
        "No single excerpt has the id “00000000”."
    )
    assert "There is no theme called “Hope”" in refused(hub, "excerpt", "list", "--theme", "Hope")
    assert "No storyteller" in refused(hub, "excerpt", "list", "Nobody")


# --- themes ----------------------------------------------------------------------------------


def test_themes_are_listed_with_their_counts_and_an_empty_one_says_so(hub: Cli) -> None:
    out = hub.ok(
        "theme", "add", "Money worries", "--description", "Debt, forms, benefits.",
        "--colour", "#a7c4e5",
    )  # fmt: skip
    assert "“Money worries” is on the board (#A7C4E5)." in out

    listed = hub.ok("theme", "list").splitlines()

    assert listed == [
        "Waiting for help     3 excerpts, in 3 stories",
        "Nature and outdoors  3 excerpts, in 3 stories",
        "Being believed       4 excerpts, in 3 stories",
        "Small kindnesses     4 excerpts, in 4 stories",
        "Money worries        (empty)",
    ]
    shown = hub.ok("theme", "show", "money worries")
    assert shown.startswith("Money worries\nDebt, forms, benefits.\n")
    assert "(empty)" in shown


def test_a_theme_is_shown_with_pseudonyms_never_real_names(hub: Cli) -> None:
    out = hub.ok("theme", "show", "Being believed")

    assert out.startswith(
        "Being believed\nBeing listened to and taken seriously, or left in the corridor.\n"
    )
    assert "Marigold, the moment “Workers kept changing”:\n" in out
    assert "  “I told my story so many times I stopped bothering.”" in out
    assert "Moth, a quote:\n  “Being talked about rather than talked to." in out
    assert out.count("\n  “") == 4
    vault = opened(hub)
    try:
        with vault.read() as session:
            people = records.find(vault, session, STORYTELLER)
    finally:
        vault.lock()
    assert all(not p.values.get("real_name") for p in people)
    assert not any(name in out for name in REAL_NAMES)


def test_a_theme_is_renamed_and_others_merged_into_it(hub: Cli) -> None:
    assert hub.ok("theme", "rename", "being believed", "Being heard").strip() == (
        "“Being believed” is now called “Being heard”."
    )
    out = hub.ok("theme", "merge", "Waiting for help", "Small kindnesses", "--into", "Being heard")

    assert out.strip() == (
        "“Waiting for help” and “Small kindnesses” merged into “Being heard”, "
        "which holds 9 excerpts now."
    )
    assert hub.ok("theme", "list").splitlines() == [
        "Nature and outdoors  3 excerpts, in 3 stories",
        "Being heard          9 excerpts, in 5 stories",
    ]


def test_theme_mistakes_change_nothing(hub: Cli) -> None:
    assert "There is a theme called “being BELIEVED” already" in refused(
        hub, "theme", "add", "being  BELIEVED"
    )
    assert "cannot be empty" in refused(hub, "theme", "add", "   ")
    assert "at most 120" in refused(hub, "theme", "add", "n" * 121)
    assert "at most 2,000" in refused(hub, "theme", "add", "Hope", "--description", "d" * 50_000)
    assert "The colour “teal” is not one like #9CC5A1" in refused(
        hub, "theme", "add", "Hope", "--colour", "teal"
    )
    assert "There is no theme called “Hope”" in refused(hub, "theme", "rename", "Hope", "Hopes")
    assert "already" in refused(hub, "theme", "rename", "Being believed", "small kindnesses")
    assert "There is no theme called “Hope”" in refused(
        hub, "theme", "merge", "Being believed", "Hope", "--into", "Small kindnesses"
    )
    assert "Choose at least one other theme" in refused(
        hub, "theme", "merge", "Small kindnesses", "--into", "small kindnesses"
    )
    assert "There is no theme called “Hope”" in refused(hub, "theme", "show", "Hope")


# --- the matrix ------------------------------------------------------------------------------


def test_the_matrix_is_an_aligned_table(hub: Cli) -> None:
    lines = hub.ok("matrix").splitlines()

    assert lines[0].split("  ")[-1].strip() == "Small kindnesses"
    assert lines[-1].startswith("Stories with this theme")
    assert lines[-1].split()[-4:] == ["3", "3", "3", "4"]
    moth = next(line for line in lines if line.startswith("Moth "))
    assert moth.split()[1:] == ["0", "1", "1", "1"]
    assert len({len(line) for line in lines}) == 1, lines  # every column lines up
    assert not any(name in "\n".join(lines) for name in REAL_NAMES)


def test_the_matrix_is_written_as_csv_whole(hub: Cli, tmp_path: Path) -> None:
    target = tmp_path / "slides" / "themes.csv"
    target.parent.mkdir()

    out = hub.ok("matrix", "--csv", str(target))

    assert str(target) in out
    vault = opened(hub)
    try:
        expected = io.StringIO(newline="")
        write_matrix_csv(theme_matrix(vault), expected)
    finally:
        vault.lock()
    assert target.read_bytes().decode("utf-8") == expected.getvalue()
    table = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert table[0][0] == "Storyteller" and table[-1][0] == "Stories with this theme"
    assert sorted(p.name for p in target.parent.iterdir()) == ["themes.csv"]  # no temp file


def test_the_matrix_into_a_folder_that_is_not_there_writes_nothing(
    hub: Cli, tmp_path: Path
) -> None:
    missing = tmp_path / "no such folder" / "themes.csv"
    message = refused(hub, "matrix", "--csv", str(missing))
    assert message == f"The folder “{missing.parent}” does not exist, so no file was written."
    assert not missing.parent.exists()
    folder = tmp_path / "a folder"
    folder.mkdir()
    assert "There is a folder called “a folder” there" in refused(
        hub, "matrix", "--csv", str(folder)
    )
    assert list(folder.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    hub: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "themes.csv"
    target.write_text("the old table\n", encoding="utf-8")

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("storycapture.cli.os.fsync", full_disk)
    result = hub("matrix", "--csv", str(target))

    assert "could not be written (No space left on device)" in result.error
    assert target.read_text(encoding="utf-8") == "the old table\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "themes" in p.name) == ["themes.csv"]


def test_an_empty_room_says_so(laptop: Cli) -> None:
    assert laptop.ok("matrix").strip() == "No themes yet: name one with `theme add`."
    assert laptop.ok("theme", "list").strip() == "No themes yet: name one with `theme add`."
    assert laptop.ok("excerpt", "list").strip() == "No excerpts marked yet."


def test_quotes_keep_their_words_in_the_vault(laptop: Cli) -> None:
    """``quote list --ids`` names the quotes by the ids the room takes (the first 8 characters)."""
    listed = ids(laptop, "quote", "list", "Marigold")
    vault = opened(laptop)
    try:
        with vault.read() as session:
            quotes = records.find(vault, session, QUOTE, None)
    finally:
        vault.lock()
    marigold = {q.uuid[:8]: q.values["text"] for q in quotes}
    for words, short in listed.items():
        assert words.startswith(f"“{marigold[short]}”")
