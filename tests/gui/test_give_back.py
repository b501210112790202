"""The storyteller's give-back copy: their timeline, strengths and chosen words as a PDF (or
on a printer), with nothing of anyone else's, nothing private unless asked for, and written
exactly where the facilitator chose, or not at all."""

from __future__ import annotations

import datetime
import errno
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from storycapture.demo import create_demo_vault
from storycapture.domain.authorship import Author
from storycapture.domain.story import Quote
from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.giveback import GiveBackChoices, GiveBackStory, default_quotes, gather_story
from storycapture.gui import give_back
from storycapture.gui.give_back import (
    GiveBackDialog,
    default_page_size,
    file_name_for,
    print_story,
    render_pdf,
)
from storycapture.gui.give_back_pages import GENTLE_LINE, IN_YOUR_WORDS
from storycapture.gui.settings import AppSettings
from storycapture.gui.window import MainWindow
from storycapture.paths import resources_dir
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.service import StrengthService
from tests.conftest import FACILITATOR, fast_kdf

DEMO = resources_dir() / "demo" / "demo-vault.json"
WHO = "Captain Biscuit"  # has a real name, private moments, a private quote, and a moment
# dated "after" a private one
PRIVATE_CARD = "Dancing in the kitchen when nobody's looking"
TODAY = datetime.date(2026, 3, 3)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultSession]:
    vault, _ = create_demo_vault(tmp_path_factory.mktemp("demo") / "vault", DEMO, kdf=fast_kdf)
    person = _person(vault, WHO)
    StrengthService(vault).add_card(
        person, kind=CardKind.TALENT, text=PRIVATE_CARD, author=Author.storyteller(),
        visibility=Visibility.PRIVATE,
    )  # fmt: skip
    yield vault
    vault.lock()


@pytest.fixture(scope="module")
def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return {person["pseudonym"]: person for person in data["storytellers"]}


def _person(vault: VaultSession, pseudonym: str) -> str:
    return next(p.uuid for p in StorytellerService(vault).list() if p.pseudonym == pseudonym)


def _quotes(vault: VaultSession, pseudonym: str) -> list[Quote]:
    return StoryWordsService(vault).quotes(_person(vault, pseudonym))


def _story(
    vault: VaultSession, pseudonym: str, *, private: bool = False, name: str | None = None
) -> GiveBackStory:
    choices = GiveBackChoices(
        name=pseudonym if name is None else name,
        quotes=default_quotes(_quotes(vault, pseudonym), include_private=private),
        include_private=private,
    )
    return gather_story(vault, _person(vault, pseudonym), choices, today=TODAY)


def _flat(text: str) -> str:
    """Text as read back from a PDF, for comparing: ligatures undone, one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _pdf_text(data: bytes) -> tuple[list[str], pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [_flat(page.extract_text()) for page in reader.pages], reader


def _has(text: str, words: str) -> bool:
    return _flat(words) in text


def test_the_copy_holds_their_story_in_their_words(qtbot: QtBot, demo: VaultSession) -> None:
    story = _story(demo, WHO)
    data, pages = render_pdf(story, "A4")
    texts, reader = _pdf_text(data)
    whole = " ".join(texts)

    assert len(reader.pages) == pages
    assert 5 <= pages <= 10  # title, timeline, moments, strengths, words
    assert reader.metadata is not None and reader.metadata.title == "Captain Biscuit’s story"
    # A warm title page of its own, then the lifeline across a landscape page.
    assert "Captain Biscuit’s story" in texts[0] and _has(texts[0], GENTLE_LINE)
    assert "3 March 2026" in texts[0]
    box = reader.pages[1].mediabox
    assert "Your timeline" in texts[1] and float(box.width) > float(box.height)
    assert "1970" in texts[1] and "age 14" in texts[1]  # the year axis, with ages
    assert all(float(p.mediabox.height) > float(p.mediabox.width) for p in reader.pages[2:])
    assert "Your moments" in whole and "Your strengths" in whole and "Your life now" in whole
    assert "In your words" in texts[-1]
    # Their words: quotes, one per block, each "in your words"; cards; moments.
    for quote in story.quotes:
        assert _has(whole, quote.text)
    assert whole.count(IN_YOUR_WORDS) == len(story.quotes) == 4
    for card in ("Fixing things: bikes, kettles, fences", "My knees on the stairs"):
        assert _has(whole, card)
    for title in ("Met Maureen at a dance", "Lunch club at the church hall", "Lost Maureen"):
        assert _has(whole, title)


def test_nothing_of_anyone_else_nor_what_stays_with_the_team(
    qtbot: QtBot, demo: VaultSession, demo_data: dict[str, Any]
) -> None:
    data, _pages = render_pdf(_story(demo, WHO, private=True), "A4")
    whole = " ".join(_pdf_text(data)[0])
    theirs = demo_data[WHO]
    own = " ".join(
        [e["title"] for e in theirs["events"]]
        + [c["text"] for c in theirs["cards"]]
        + [q["text"] for q in theirs["quotes"]]
    )
    others = [person for name, person in demo_data.items() if name != WHO]
    assert len(others) == 5
    checked = 0
    for person in others:
        assert not re.search(rf"\b{re.escape(person['pseudonym'])}\b", whole)
        for words in (
            [e["title"] for e in person["events"]]
            + [q["text"] for q in person["quotes"]]
            + [c["text"] for c in person["cards"]]
        ):
            if words in own:  # the same words in their own story ("Money tight")
                continue
            assert not _has(whole, words), words
            checked += 1
    assert checked > 150
    # Never their real name, notes for facilitators, visits, narrative notes or consent.
    for words in ("Barnaby", "Crumbsworth", "kettle on and the radio low"):
        assert words not in whole
    for note in theirs["narrative_notes"]:
        assert not _has(whole, note["text"][:40])
    for visit in theirs["visits"]:
        if visit.get("notes"):
            assert not _has(whole, visit["notes"][:40])
    assert not re.search(r"\bTom\b", whole) and "consent" not in whole.lower()


def test_private_things_only_when_ticked(qtbot: QtBot, demo: VaultSession) -> None:
    private = (
        "Some days I still set out two cups.",  # a quote
        "Grief and not eating",  # a moment
        "Maureen put her foot down",  # a moment another is dated "after"
        PRIVATE_CARD,  # a card
    )
    data, plain_pages = render_pdf(_story(demo, WHO), "A4")
    plain = " ".join(_pdf_text(data)[0])
    for words in private:
        assert not _has(plain, words), words
    # The moment dated after a private one is there, without naming it: roughly when it was.
    assert _has(plain, "Went to the doctor about the drink")
    assert re.search(r"Went to the doctor about the drink around \d{4}", plain)
    assert "marked private" not in plain

    data, pages = render_pdf(_story(demo, WHO, private=True), "A4")
    texts = _pdf_text(data)[0]
    everything = " ".join(texts)
    for words in private:
        assert _has(everything, words), words
    assert "marked private" in texts[1]  # the timeline's key to the lock
    assert _has(everything, "after Maureen put her foot down")
    assert pages >= plain_pages


def test_the_name_to_print(qtbot: QtBot, demo: VaultSession) -> None:
    texts = _pdf_text(render_pdf(_story(demo, "Wren", name=""), "A4")[0])[0]
    assert texts[0].startswith("My story") and "My story" in texts[-1]  # and in the footer
    assert "Wren’s story" not in " ".join(texts)
    texts = _pdf_text(render_pdf(_story(demo, "Wren", name="  Alex   S. "), "Letter")[0])[0]
    assert texts[0].startswith("Alex S.’s story")
    # Wren's real name is on record, but only printed when typed in as the name.
    assert "Sampleton" not in " ".join(texts)


def test_letter_paper_and_the_defaults(qtbot: QtBot, demo: VaultSession) -> None:
    data, _pages = render_pdf(_story(demo, "Moth"), "Letter")  # no year of birth: no ages
    _texts, reader = _pdf_text(data)
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (612, 792)
    assert default_page_size(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)) == (
        "Letter"
    )
    assert default_page_size(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)) == (
        "A4"
    )
    quotes = _quotes(demo, WHO)
    assert default_quotes(quotes) == {
        q.uuid for q in quotes if q.text != "Some days I still set out two cups."
    }
    assert file_name_for("Captain Biscuit’s story") == "Captain Biscuit's story.pdf"
    assert file_name_for('A/B: "C"?') == "A-B- -C--.pdf"


def _files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")} if folder.exists() else set()


@pytest.fixture
def temp_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The temporary folders anything might write to, watched: Python's and Qt's are pointed
    at a folder of the test's own (so other programs' files come and go unseen); the system's
    is watched for anything of ours."""
    own = tmp_path / "temp"
    own.mkdir()
    system = Path(tempfile.gettempdir())
    monkeypatch.setenv("TMPDIR", str(own))
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    before = set(os.listdir(system))
    yield [own]
    assert not list(own.iterdir())
    new = set(os.listdir(system)) - before
    assert not [name for name in new if "storycapture" in name.lower() or ".pdf" in name]


def _dialog(qtbot: QtBot, vault: VaultSession, pseudonym: str = WHO) -> GiveBackDialog:
    dialog = GiveBackDialog(vault, _person(vault, pseudonym), pseudonym)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _choose(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    suggested: list[str] = []

    def ask(_parent: object, _caption: str, start: str, _filter: str) -> tuple[str, str]:
        suggested.append(start)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    return suggested


def test_saved_exactly_where_chosen_and_nowhere_else(
    qtbot: QtBot,
    demo: VaultSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    temp_dirs: list[Path],
) -> None:
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dialog = _dialog(qtbot, demo)
    assert dialog.name.text() == WHO and not dialog.include_private.isChecked()
    before = _files_under(tmp_path)
    suggested = _choose(monkeypatch, stick / "For the Captain")  # ".pdf" is added

    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert Path(suggested[0]).name == "Captain Biscuit's story.pdf"
    saved = stick / "For the Captain.pdf"
    assert dialog.saved_to == saved and str(saved) in dialog.outcome
    assert _files_under(tmp_path) - before == {saved}  # the temporary folders stay empty too
    texts, _reader = _pdf_text(saved.read_bytes())
    assert "Captain Biscuit’s story" in texts[0]


def test_ticking_private_lists_the_private_quotes(qtbot: QtBot, demo: VaultSession) -> None:
    dialog = _dialog(qtbot, demo)
    listed = [dialog.quote_list.item(row).text() for row in range(dialog.quote_list.count())]
    assert len(listed) == 4 and not any("two cups" in words for words in listed)
    # Leave one out.
    dialog.quote_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    left_out = str(dialog.quote_list.item(0).data(Qt.ItemDataRole.UserRole))
    assert left_out not in dialog.choices().quotes and len(dialog.choices().quotes) == 3

    dialog.include_private.setChecked(True)
    listed = [dialog.quote_list.item(row).text() for row in range(dialog.quote_list.count())]
    assert len(listed) == 5 and any("two cups" in w and "(private)" in w for w in listed)
    choices = dialog.choices()
    assert choices.include_private and len(choices.quotes) == 4 and left_out not in choices.quotes

    dialog.include_private.setChecked(False)
    assert len(dialog.choices().quotes) == 3 and not dialog.choices().include_private
    dialog.name.setText("")
    assert dialog.story().title == "My story"


def _refused(error: int) -> Any:
    def write(handle: int, data: bytes) -> None:
        with os.fdopen(handle, "wb") as out:
            out.write(data[: len(data) // 2])
        raise OSError(error, os.strerror(error))

    return write


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("full", "no room left"),
        ("read-only", "can't be written to"),
        ("not-a-folder", "could not be saved there"),
    ],
)
def test_a_failed_save_leaves_nothing_and_says_so_plainly(
    qtbot: QtBot,
    demo: VaultSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    temp_dirs: list[Path],
    how: str,
    expected: str,
) -> None:
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    target = stick / "story.pdf"
    if how == "full":
        monkeypatch.setattr(give_back, "_write_and_sync", _refused(errno.ENOSPC))
    elif how == "read-only":

        def read_only(*_args: object, **_kwargs: object) -> tuple[int, str]:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(give_back.tempfile, "mkstemp", read_only)
    else:
        (stick / "a file").write_text("not a folder")
        target = stick / "a file" / "story.pdf"
    dialog = _dialog(qtbot, demo)
    before = _files_under(tmp_path)
    _choose(monkeypatch, target)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.saved_to is None and not dialog.outcome
    assert dialog.problem.isVisible()
    message = dialog.problem.text()
    assert expected in message and "saved" in message
    assert "Errno" not in message and "Traceback" not in message and str(stick) not in message
    assert _files_under(tmp_path) == before  # not even a half-written file


def test_printing_goes_straight_to_the_printer(
    qtbot: QtBot, demo: VaultSession, tmp_path: Path
) -> None:
    story = _story(demo, WHO)
    _data, pages = render_pdf(story, "A4")
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a printer we can read back
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_story(story, printer) == pages
    texts, reader = _pdf_text((tmp_path / "printed.pdf").read_bytes())
    assert len(reader.pages) == pages and "Captain Biscuit’s story" in texts[0]

    dialog = _dialog(qtbot, demo)
    again = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    again.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    again.setOutputFileName(str(tmp_path / "again.pdf"))
    with qtbot.waitSignal(dialog.accepted):
        assert dialog.print_on(again)
    assert dialog.printed and "printer" in dialog.outcome


def test_the_window_offers_it_for_the_facilitator_only(
    qtbot: QtBot, tmp_path: Path, app_settings: AppSettings
) -> None:
    vault, _ = create_demo_vault(tmp_path / "vault", DEMO, kdf=fast_kdf)
    window = MainWindow(tmp_path / "vault", app_settings, vault=vault)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.stories is not None
    page = window.stories.storyteller
    assert page.storyteller_uuid is not None
    action = window.give_copy_action
    assert action.isVisible() and action.isEnabled()
    assert page.give_copy_button.isVisible()

    qtbot.mouseClick(page.give_copy_button, Qt.MouseButton.LeftButton)
    dialog = window.current_dialog
    assert isinstance(dialog, GiveBackDialog) and dialog.isVisible()
    assert dialog.name.text() == page.name.text()
    dialog.reject()

    # Storyteller mode: the laptop is the storyteller's, and the copy is not offered there.
    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    panel.submit()  # type: ignore[attr-defined]
    assert window.mode is not None
    assert not action.isVisible() and not action.isEnabled()
    window.give_copy()
    assert not any(
        isinstance(w, GiveBackDialog) and w.isVisible() for w in window.findChildren(GiveBackDialog)
    )


def test_a_moment_with_no_date_and_a_feeling_not_said_is_told_so(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    from storycapture.timeline.service import TimelineService

    timeline = TimelineService(vault)
    timeline.add_event(
        storyteller_uuid, title="Moved to Leeds", starts="2015", valence=2, author=FACILITATOR
    )
    timeline.add_event(storyteller_uuid, title="The allotment", author=FACILITATOR)
    choices = GiveBackChoices(name="Juniper", quotes=frozenset(), include_private=False)
    story = gather_story(vault, storyteller_uuid, choices, today=TODAY)
    undated = next(e for e in story.events if e.title == "The allotment")
    assert undated.starts is None and undated.valence is None
    texts, _reader = _pdf_text(render_pdf(story, "A4")[0])
    whole = " ".join(texts)
    assert _has(whole, "2015 · felt good")
    assert _has(whole, "no date yet · feeling not said")
    assert "felt in between" not in whole
