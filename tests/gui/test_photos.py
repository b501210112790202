"""Photos in the window: added by the file picker or dropped onto a moment or the story, with a
caption and who may see it, only with photo consent; kept encrypted exactly as the command line
keeps them; shown as thumbnails on the moment and in the story; taken away and brought back."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author, WhoseWords
from storycapture.domain.vocabulary import ConsentHow, ConsentItem, Visibility
from storycapture.gui.settings import AppSettings
from storycapture.gui.story_words import StoryWordsPanel
from storycapture.gui.storyteller_mode import StorytellerMode
from storycapture.gui.visit import VisitDialog
from storycapture.gui.window import MainWindow
from storycapture.qtkit.photos import NO_CONSENT, AddPhotoDialog, CaptionDialog, PhotoStrip
from storycapture.services.consent import ConsentService
from storycapture.services.media import PhotoService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

MARKER = "PLAINTEXT-MARKER-allotment-4C1D"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREEN = "#7aa35a"


def make_png(path: Path, colour: str = GREEN) -> Path:
    """A small real PNG, made here, with a marker in its text so a leak would show."""
    image = QImage(48, 36, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    image.setText("Comment", MARKER)
    assert image.save(str(path), "PNG")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and MARKER.encode() in data
    return path


def _story(data_dir: Path, consent: list[ConsentItem]) -> tuple[str, str]:
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        person = StorytellerService(vault).add("Juniper", author=FACILITATOR, birth_year=1980)
        ConsentService(vault).record(
            person.uuid,
            items=consent,
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        moment = TimelineService(vault).add_event(
            person.uuid, title="The allotment", starts="spring 2015", author=FACILITATOR
        )
    finally:
        vault.lock()
    return person.uuid, moment.uuid


@pytest.fixture
def consent() -> list[ConsentItem]:
    return list(ConsentItem)


@pytest.fixture
def story(data_dir: Path, consent: list[ConsentItem]) -> tuple[str, str]:
    return _story(data_dir, consent)


@pytest.fixture
def window(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings, story: tuple[str, str]
) -> MainWindow:
    window = MainWindow(data_dir, app_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._built)
    window.unlock_vault(PASSPHRASE)
    assert window.stories is not None
    return window


def _picker(monkeypatch: pytest.MonkeyPatch, *chosen: Path) -> list[int]:
    """The file picker, answering ``chosen``; counts how often it was opened."""
    opened: list[int] = []

    def pick(*_args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        opened.append(1)
        return [str(path) for path in chosen], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(pick))
    return opened


def _timeline(window: MainWindow) -> TimelineTool:
    assert window.stories is not None
    return window.stories.storyteller.timeline


def _story_panel(window: MainWindow) -> StoryWordsPanel:
    assert window.stories is not None
    return window.stories.storyteller.story


def _story_strip(window: MainWindow) -> PhotoStrip:
    strip = _story_panel(window).photos
    assert strip is not None
    return strip


def _fill_in(qtbot: QtBot, dialog: AddPhotoDialog, caption: str, visibility: Visibility) -> None:
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.caption, caption)
    dialog.visibility_buttons[visibility].click()  # (it may sit below the scroll's fold)
    assert dialog.chosen_visibility() is visibility
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _every_file_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def _choose_moment(qtbot: QtBot, window: MainWindow, moment: str) -> TimelineTool:
    assert window.stories is not None
    tool = _timeline(window)
    window.stories.storyteller.show_tool(tool)
    qtbot.waitUntil(lambda: tool.view.viewport().height() > 1)
    tool.open_editor(moment)
    return tool


def _vault(window: MainWindow) -> VaultSession:
    assert window.vault is not None
    return window.vault


def test_a_photo_added_from_the_menu_is_kept_encrypted_and_shown_on_the_moment_and_story(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    source = make_png(tmp_path / "allotment.png")
    opened = _picker(monkeypatch, source)
    tool = _choose_moment(qtbot, window, moment)
    strip = tool.moment_photos
    assert strip.isVisible() and strip.tile_widgets() == []

    window.add_photo_action.trigger()
    assert opened == [1]
    dialog = strip.dialog
    assert isinstance(dialog, AddPhotoDialog)
    # Juniper was never asked what new things should be: the team (as every other item).
    assert dialog.chosen_visibility() is Visibility.TEAM
    assert dialog.whose.value() is WhoseWords.MINE  # no visit: the facilitator's own photo
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()
    _fill_in(qtbot, dialog, "Our allotment in May", Visibility.TEAM)
    qtbot.waitUntil(lambda: strip.dialog is None)

    photos = PhotoService(_vault(window)).list(person)
    assert len(photos) == 1
    photo = photos[0]
    assert photo.caption == "Our allotment in May"
    assert photo.visibility is Visibility.TEAM
    assert photo.event_uuid == moment
    assert photo.media_type == "image/png"
    assert photo.meta.author == Author.facilitator("Priya")

    # On disk: one age file in the storyteller's media folder; no byte of the picture in the
    # clear anywhere in the vault, and no temp file left.
    stored = PhotoService(_vault(window)).media_path(photo)
    assert stored.read_bytes().startswith(b"age-encryption.org/v1")
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]
    for path in _every_file_under(data_dir):
        data = path.read_bytes()
        assert PNG_SIGNATURE not in data, path
        assert MARKER.encode() not in data, path
    assert source.read_bytes().startswith(PNG_SIGNATURE)  # their file is left as it was

    # Shown on the moment: in its panel, with the caption, and on its card in the picture.
    tiles = strip.tile_widgets()
    assert len(tiles) == 1
    assert tiles[0].full_caption == "Our allotment in May"
    assert tiles[0].caption.text().startswith("Our allotment")  # two lines at most, then "…"
    assert tiles[0].seen_by.text() == "Team"
    thumb = tiles[0].picture.pixmap()
    assert not thumb.isNull() and thumb.toImage().pixelColor(10, 10) == QColor(GREEN)
    assert tool.scene.kit.thumbnail(moment) is not None
    # ... and in the story.
    story_tiles = _story_strip(window).tile_widgets()
    assert [t.full_caption for t in story_tiles] == ["Our allotment in May"]
    assert not story_tiles[0].picture.pixmap().isNull()

    # Undo takes the add back, everywhere; redo brings it again.
    window.undo_action.trigger()
    assert PhotoService(_vault(window)).list(person) == []
    assert strip.tile_widgets() == [] and _story_strip(window).tile_widgets() == []
    assert tool.scene.kit.thumbnail(moment) is None
    window.redo_action.trigger()
    assert [p.uuid for p in PhotoService(_vault(window)).list(person)] == [photo.uuid]
    assert len(strip.tile_widgets()) == 1


def test_the_story_tab_adds_a_photo_to_the_story_not_to_a_moment(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, _moment = story
    _picker(monkeypatch, make_png(tmp_path / "kitchen.png"))
    assert window.stories is not None
    window.stories.storyteller.show_tool(_story_panel(window))
    strip = _story_strip(window)
    qtbot.mouseClick(strip.add_button, Qt.MouseButton.LeftButton)
    assert isinstance(strip.dialog, AddPhotoDialog)
    _fill_in(qtbot, strip.dialog, "Mum's kitchen", Visibility.SHAREABLE)
    photo = PhotoService(_vault(window)).list(person)[0]
    assert photo.event_uuid is None and photo.visibility is Visibility.SHAREABLE
    assert [t.caption.text() for t in strip.tile_widgets()] == ["Mum's kitchen"]


def test_taking_a_photo_away_offers_it_back(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    _picker(monkeypatch, make_png(tmp_path / "allotment.png"))
    tool = _choose_moment(qtbot, window, moment)
    tool.add_photo()
    assert tool.moment_photos.dialog is not None
    _fill_in(qtbot, tool.moment_photos.dialog, "The shed", Visibility.PRIVATE)
    photos = PhotoService(_vault(window))
    assert len(photos.list(person)) == 1

    assert window.stories is not None
    window.stories.storyteller.show_tool(_story_panel(window))
    strip = _story_strip(window)
    (tile,) = strip.tile_widgets()
    qtbot.mouseClick(tile.remove, Qt.MouseButton.LeftButton)
    assert photos.list(person) == []
    assert strip.tile_widgets() == [] and tool.moment_photos.tile_widgets() == []
    assert strip.undo_bar.isVisible()
    assert strip.undo_bar.message.text() == "The photo was taken away."
    assert "shed" not in strip.undo_bar.message.text()  # its words are not repeated
    assert window.undo_action.text() == "Undo Take away the photo “The shed”"

    qtbot.mouseClick(strip.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert [p.caption for p in photos.list(person)] == ["The shed"]
    assert not strip.undo_bar.isVisible()
    assert len(tool.moment_photos.tile_widgets()) == 1
    # Taken away again, then brought back with the window's own Undo.
    window.stories.storyteller.show_tool(tool)
    qtbot.mouseClick(tool.moment_photos.tile_widgets()[0].remove, Qt.MouseButton.LeftButton)
    assert photos.list(person) == []
    window.undo_action.trigger()
    assert [p.caption for p in photos.list(person)] == ["The shed"]
    assert not tool.moment_photos.undo_bar.isVisible()


@pytest.mark.parametrize("consent", [[ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM]])
def test_without_photo_consent_nothing_is_asked_and_the_reason_is_plain(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    opened = _picker(monkeypatch, make_png(tmp_path / "allotment.png"))
    tool = _choose_moment(qtbot, window, moment)
    window.add_photo_action.trigger()
    assert opened == []  # not even the file picker
    assert tool.moment_photos.dialog is None
    assert tool.moment_photos.problem.isVisible()
    assert tool.moment_photos.problem.text() == NO_CONSENT
    assert NO_CONSENT == "They haven't agreed to photos. You can change that in their consent."

    # Dropped files are refused in the same words.
    strip = _story_strip(window)
    strip.add_files([tmp_path / "allotment.png"])
    assert strip.dialog is None and strip.problem.text() == NO_CONSENT
    assert PhotoService(_vault(window)).list(person) == []
    assert not _vault(window).media_dir(person).exists()


def test_a_file_that_is_not_a_photo_is_refused_before_anything_is_asked(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    notes = tmp_path / "allotment.jpg"
    notes.write_text("Seeds to buy: beans, peas, marigolds.\n" * 10)
    _picker(monkeypatch, notes)
    tool = _choose_moment(qtbot, window, moment)
    window.add_photo_action.trigger()
    strip = tool.moment_photos
    assert strip.dialog is None
    assert strip.problem.text() == "“allotment.jpg” is not a photo StoryCapture can keep."
    assert PhotoService(_vault(window)).list(person) == []
    assert not _vault(window).media_dir(person).exists()

    # Unreadable, and too large: plain words each, and nothing written.
    strip.add_files([tmp_path / "gone.png"])
    assert strip.problem.text().startswith("“gone.png” cannot be read")
    monkeypatch.setattr("storycapture.services.media.PHOTO_LIMIT_BYTES", 100)
    strip.add_files([make_png(tmp_path / "huge.png")])
    assert "larger than" in strip.problem.text() and "smaller copy" in strip.problem.text()
    assert strip.dialog is None
    assert not _vault(window).media_dir(person).exists()


def test_a_full_disk_leaves_nothing_half_written_and_keeps_the_dialog(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    _picker(monkeypatch, make_png(tmp_path / "allotment.png"))

    def disk_full(source: Any, target: Any, recipients: list[str]) -> None:
        target.write(b"age-encryption.org/v1\n partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("storycapture.services.media.encrypt_stream", disk_full)
    tool = _choose_moment(qtbot, window, moment)
    window.add_photo_action.trigger()
    dialog = tool.moment_photos.dialog
    assert dialog is not None
    _fill_in(qtbot, dialog, "Beans", Visibility.TEAM)
    assert dialog.isVisible()  # still open, with what was typed
    assert "disk is full" in dialog.problem.text()
    assert dialog.caption.toPlainText() == "Beans"
    assert PhotoService(_vault(window)).list(person) == []
    assert list(_vault(window).media_dir(person).iterdir()) == []
    assert window.undo_action.text() == "Undo"  # no step for what was not done


def test_photo_files_dropped_onto_a_moment_in_the_picture_go_to_that_moment(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
) -> None:
    person, moment = story
    source = make_png(tmp_path / "allotment.png")
    assert window.stories is not None
    tool = _timeline(window)
    window.stories.storyteller.show_tool(tool)
    qtbot.waitUntil(lambda: tool.view.viewport().height() > 1)
    item = tool.scene.item_for(moment)
    assert item is not None and item.face is not None
    where = tool.view.mapFromScene(item.mapToScene(item.face.rect.center()))

    def drop(widget: QWidget, at: QPointF) -> None:
        """As a file manager's drag does: enter, move, then let go."""
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(source))])
        point = at.toPoint()
        copy, left = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
        none = Qt.KeyboardModifier.NoModifier
        QApplication.sendEvent(widget, QDragEnterEvent(point, copy, mime, left, none))
        QApplication.sendEvent(widget, QDragMoveEvent(point, copy, mime, left, none))
        QApplication.sendEvent(widget, QDropEvent(at, copy, mime, left, none))

    # Dropped on empty picture: nothing happens (there is no moment to give it to).
    drop(tool.view.viewport(), QPointF(3, 3))
    assert tool.moment_photos.dialog is None
    drop(tool.view.viewport(), QPointF(where))
    assert tool.selected_uuid() == moment and tool.panel.isVisible()
    dialog = tool.moment_photos.dialog
    assert dialog is not None
    _fill_in(qtbot, dialog, "Dropped in", Visibility.PRIVATE)
    (photo,) = PhotoService(_vault(window)).list(person)
    assert photo.event_uuid == moment and photo.visibility is Visibility.PRIVATE

    # Dropped onto the story's photos: the story's, with no moment.
    strip = _story_strip(window)
    drop(strip, QPointF(10, 10))
    assert strip.dialog is not None
    _fill_in(qtbot, strip.dialog, "", Visibility.PRIVATE)
    story_photo = [p for p in PhotoService(_vault(window)).list(person) if p.uuid != photo.uuid]
    assert [(p.event_uuid, p.caption) for p in story_photo] == [(None, "")]
    assert [t.caption.text() for t in strip.tile_widgets()] == ["Dropped in", "allotment.png"]


def test_locking_clears_every_photo_and_an_open_dialog_keeps_nothing(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    _picker(monkeypatch, make_png(tmp_path / "allotment.png"))
    tool = _choose_moment(qtbot, window, moment)
    tool.add_photo()
    assert tool.moment_photos.dialog is not None
    _fill_in(qtbot, tool.moment_photos.dialog, "Kept", Visibility.TEAM)
    strip = _story_strip(window)
    assert len(strip.tile_widgets()) == 1
    tool.add_photo()  # a second one, left open when the laptop locks
    left_open = tool.moment_photos.dialog
    assert left_open is not None
    qtbot.keyClicks(left_open.caption, "Not kept")

    window.lock()
    assert strip.tile_widgets() == [] and strip.storyteller() is None
    assert tool.moment_photos.tile_widgets() == []
    assert not any(
        isinstance(w, AddPhotoDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
    )

    window.unlock_vault(PASSPHRASE)
    assert [p.caption for p in PhotoService(_vault(window)).list(person)] == ["Kept"]


def test_in_storyteller_mode_their_photos_are_theirs_and_large(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    _picker(monkeypatch, make_png(tmp_path / "allotment.png"))
    window._start_mode(None)
    mode = window.mode
    assert isinstance(mode, StorytellerMode)
    window.showNormal()
    window.resize(1366, 768)
    timeline, _strengths, story_page = window._mode_pages
    assert isinstance(timeline, TimelineTool) and isinstance(story_page, StoryWordsPanel)

    mode.set_current_page(2)
    strip = story_page.photos
    assert strip is not None and strip.isVisible()
    qtbot.mouseClick(strip.add_button, Qt.MouseButton.LeftButton)
    assert strip.dialog is not None
    assert "your story" in " ".join(
        label.text() for label in strip.dialog.findChildren(type(strip.heading))
    )
    # In their own mode, what they add starts private, and there is no "whose" to choose.
    assert strip.dialog.chosen_visibility() is Visibility.PRIVATE
    assert strip.dialog.whose.isHidden()
    _fill_in(qtbot, strip.dialog, "My garden", Visibility.PRIVATE)
    (photo,) = PhotoService(_vault(window)).list(person)
    assert photo.meta.author == Author.storyteller()
    (tile,) = strip.tile_widgets()
    assert tile.picture.width() >= 100  # larger than the facilitator's thumbnails
    assert strip.add_button.height() >= 48

    # The mode's timeline: the chosen moment's panel has its own "Add a photo…".
    mode.set_current_page(0)
    timeline.open_editor(moment)
    timeline.panel.show_part("Photos and more")  # one part of the moment at a time
    assert timeline.moment_photos.isVisible()
    assert timeline.moment_photos.add_button.height() >= 48


def test_give_a_copy_holds_photos_only_when_chosen(
    qtbot: QtBot, data_dir: Path, story: tuple[str, str], tmp_path: Path
) -> None:
    import io

    import pypdf

    from storycapture.gui.give_back import GiveBackDialog, render_pdf

    person, moment = story
    vault = VaultSession.unlock(data_dir, PASSPHRASE)
    try:
        photos = PhotoService(vault)
        shared = photos.add(
            person, make_png(tmp_path / "shed.png"), author=FACILITATOR,
            caption="Grandad's shed", event_uuid=moment, visibility=Visibility.TEAM,
        )  # fmt: skip
        private = photos.add(
            person, make_png(tmp_path / "me.png", "#a35a7a"), author=FACILITATOR,
            caption="Me at sixteen", visibility=Visibility.PRIVATE,
        )  # fmt: skip
        dialog = GiveBackDialog(vault, person, "Juniper")
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)

        def listed() -> dict[str, Qt.CheckState]:
            items = [dialog.photo_list.item(row) for row in range(dialog.photo_list.count())]
            return {str(i.data(Qt.ItemDataRole.UserRole)): i.checkState() for i in items}

        # Listed but not ticked: a photo goes in only when chosen; private ones stay out.
        assert listed() == {shared.uuid: Qt.CheckState.Unchecked}
        assert dialog.choices().photos == frozenset()
        data, _pages = render_pdf(dialog.story())
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert "Your photos" not in text and "Grandad" not in text

        dialog.photo_list.item(0).setCheckState(Qt.CheckState.Checked)
        assert dialog.choices().photos == frozenset({shared.uuid})
        data, _pages = render_pdf(dialog.story())
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert "Your photos" in text and "Grandad" in text and "sixteen" not in text
        assert "your photos" in " ".join(reader.pages[0].extract_text().split())  # "Inside: …"
        assert sum(len(page.images) for page in reader.pages) == 1

        # With private things included, the private photo may be chosen too.
        dialog.include_private.setChecked(True)
        assert listed() == {
            shared.uuid: Qt.CheckState.Checked,
            private.uuid: Qt.CheckState.Unchecked,
        }
        dialog.reject()
    finally:
        vault.lock()


def test_who_may_see_a_photo_can_be_changed_and_changed_back(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, moment = story
    _picker(monkeypatch, make_png(tmp_path / "allotment.png"))
    tool = _choose_moment(qtbot, window, moment)
    tool.add_photo()
    assert tool.moment_photos.dialog is not None
    _fill_in(qtbot, tool.moment_photos.dialog, "Beans", Visibility.PRIVATE)
    (tile,) = tool.moment_photos.tile_widgets()
    assert tile.seen_by.text() == "Private"
    menu = tile.seen_by.menu()
    assert menu is not None
    team = next(a for a in menu.actions() if a.text().startswith("Team"))
    team.trigger()
    photos = PhotoService(_vault(window))
    assert photos.list(person)[0].visibility is Visibility.TEAM
    assert [t.seen_by.text() for t in tool.moment_photos.tile_widgets()] == ["Team"]
    assert [t.seen_by.text() for t in _story_strip(window).tile_widgets()] == ["Team"]
    assert window.undo_action.text() == "Undo Mark the photo “Beans” as team"
    window.undo_action.trigger()
    assert photos.list(person)[0].visibility is Visibility.PRIVATE


def test_during_a_visit_a_photo_starts_as_theirs_with_their_own_default_and_its_caption_changes(
    qtbot: QtBot,
    window: MainWindow,
    story: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person, _moment = story
    StorytellerService(_vault(window)).update(
        person, author=FACILITATOR, default_visibility=Visibility.PRIVATE
    )
    window.start_visit()
    visit = window.current_dialog
    assert isinstance(visit, VisitDialog)
    visit.ok_button.click()
    assert window._current_visit() is not None

    _picker(monkeypatch, make_png(tmp_path / "allotment.png"))
    assert window.stories is not None
    window.stories.storyteller.show_tool(_story_panel(window))
    strip = _story_strip(window)
    qtbot.mouseClick(strip.add_button, Qt.MouseButton.LeftButton)
    dialog = strip.dialog
    assert isinstance(dialog, AddPhotoDialog)
    assert dialog.chosen_visibility() is Visibility.PRIVATE, "their own choice, shown"
    assert dialog.whose.isVisibleTo(dialog) and dialog.whose.value() is WhoseWords.THEIRS
    qtbot.keyClicks(dialog.caption, "The shed")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    photos = PhotoService(_vault(window))
    (photo,) = photos.list(person)
    assert photo.meta.author == Author.storyteller(), "their photo, whoever clicked"
    assert photo.visibility is Visibility.PRIVATE

    # "Change the caption": a dialog, one undo step, undone by the window's Undo.
    (tile,) = strip.tile_widgets()
    qtbot.mouseClick(tile.change_caption, Qt.MouseButton.LeftButton)
    caption = strip.caption_dialog
    assert isinstance(caption, CaptionDialog)
    assert caption.caption.toPlainText() == "The shed"
    caption.caption.setPlainText("The shed Dad built")
    qtbot.mouseClick(caption.ok_button, Qt.MouseButton.LeftButton)
    assert [p.caption for p in photos.list(person)] == ["The shed Dad built"]
    assert [t.full_caption for t in strip.tile_widgets()] == ["The shed Dad built"]
    assert window.undo_action.text() == "Undo Change the caption of a photo"
    window.undo_action.trigger()
    assert [p.caption for p in photos.list(person)] == ["The shed"]

    # A caption far too long is refused in plain words, and what was typed stays.
    (tile,) = strip.tile_widgets()
    qtbot.mouseClick(tile.change_caption, Qt.MouseButton.LeftButton)
    caption = strip.caption_dialog
    assert isinstance(caption, CaptionDialog)
    caption.caption.setPlainText("x" * 200_000)
    caption.ok_button.click()
    assert caption.isVisible() and caption.problem.isVisible()
    assert caption.caption.toPlainText() == "x" * 200_000
    assert [p.caption for p in photos.list(person)] == ["The shed"]

    # Locking with it open: it closes, its words cleared, and is gone.
    cleared: list[str] = []
    caption.finished.connect(lambda _r: cleared.append(caption.caption.toPlainText()))
    window.lock()
    assert cleared == [""]
    assert strip.caption_dialog is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(caption))
