"""Sharing by file, driven as a facilitator would: the Sharing tab of the settings, exporting a
bundle, and importing bundles into the window (what arrives shows in the sidebar at once).

Each test has fresh vaults of its own: a laptop ("Outreach 1") and the programme hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.gui.settings import AppSettings
from storycapture.gui.settings_dialog import SettingsDialog
from storycapture.gui.sync_dialogs import ExportDialog, ImportDialog, SharingPage
from storycapture.gui.window import MainWindow
from storycapture.services.consent import ConsentService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.sync.exporting import export_bundle
from storycapture.sync.trust import TrustService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf
from tests.gui.test_window import _unnamed_controls


class Place:
    """One installation: its vault, its name and a folder for the bundles it writes."""

    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.vault, _ = VaultSession.create(root / name, PASSPHRASE, kdf=fast_kdf)
        self.trust = TrustService(self.vault)
        self.trust.set_device_name(name)
        self.outbox = root / f"{name}-outbox"
        self.outbox.mkdir()

    def sends_to(self, other: Place) -> None:
        self.trust.add_recipient(other.trust.identity().age_recipient, other.name)
        other.trust.trust_device(self.trust.identity().fingerprint, self.name)

    def export(self) -> Path:
        return export_bundle(self.vault, self.outbox).bundle.path


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[Place]:
    place = Place(tmp_path, "Outreach 1")
    yield place
    place.vault.lock()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Place]:
    place = Place(tmp_path, "Hub")
    yield place
    place.vault.lock()


def add_person(vault: VaultSession, name: str = "Juniper") -> str:
    person = StorytellerService(vault).add(
        name, author=FACILITATOR, real_name="A Real Name", birth_year=1980
    )
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    TimelineService(vault).add_event(
        person.uuid, title="Moved to the coast", starts="2015", author=FACILITATOR
    )
    return person.uuid


def sharing_settings(qtbot: QtBot, settings: AppSettings, vault: VaultSession) -> SettingsDialog:
    dialog = SettingsDialog(settings, vault=vault)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_sharing()
    qtbot.waitExposed(dialog)
    return dialog


def rows(listing: QListWidget) -> list[str]:
    return [listing.item(row).text() for row in range(listing.count())]


def choose_row(listing: QListWidget, starting: str) -> None:
    for row in range(listing.count()):
        if listing.item(row).text().startswith(starting):
            listing.setCurrentRow(row)
            return
    raise AssertionError(f"no row starts with {starting!r}: {rows(listing)}")


def make_window(qtbot: QtBot, place: Place, settings: AppSettings) -> MainWindow:
    window = MainWindow(place.vault.data_dir, settings, vault=place.vault)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.finish_building()
    return window


def sidebar_names(window: MainWindow) -> list[str]:
    assert window.stories is not None
    model = window.stories.sidebar.model
    names = []
    for row in range(model.rowCount()):
        summary = model.summary(str(model.index(row).data(model.UuidRole)))
        assert summary is not None
        names.append(summary.storyteller.pseudonym)
    return names


def import_through_window(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, *files: Path
) -> ImportDialog:
    window.import_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, ImportDialog)
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        staticmethod(lambda *_args, **_kwargs: ([str(f) for f in files], "")),
    )
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.report is not None, dialog.problem.text()
    return dialog


def outcome(dialog: ImportDialog, index: int = 0) -> QLabel:
    """What the report says about one bundle."""
    item = dialog.outcomes.itemAt(index)
    label = item.widget() if item is not None else None
    assert isinstance(label, QLabel)
    return label


# --- settings → sharing ---------------------------------------------------------------------


def test_sharing_shows_this_laptops_key_and_fingerprint_and_saves_its_name(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place
) -> None:
    dialog = sharing_settings(qtbot, app_settings, laptop.vault)
    page = dialog.sharing
    assert isinstance(page, SharingPage) and page.isVisible()
    me = laptop.trust.identity()
    assert page.receive_key.text() == me.age_recipient and page.receive_key.isReadOnly()
    assert page.fingerprint.text() == me.fingerprint
    qtbot.mouseClick(page.copy_key_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == me.age_recipient
    assert page.copied.isVisible()

    page.device_name.setText("Outreach 2")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert laptop.trust.device_name() == "Outreach 2"


def test_a_blank_laptop_name_is_refused_plainly(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place
) -> None:
    dialog = sharing_settings(qtbot, app_settings, laptop.vault)
    assert dialog.sharing is not None and dialog.tabs is not None
    dialog.tabs.setCurrentIndex(0)
    dialog.sharing.device_name.clear()
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "name" in dialog.problem.text()
    assert dialog.tabs.currentIndex() == 1  # back where the name is
    assert laptop.trust.device_name() == "Outreach 1"


def test_adding_and_removing_a_recipient_through_the_settings(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place, hub: Place
) -> None:
    dialog = sharing_settings(qtbot, app_settings, laptop.vault)
    page = dialog.sharing
    assert page is not None
    assert not page.remove_recipient_button.isEnabled()
    hub_key = hub.trust.identity().age_recipient
    qtbot.keyClicks(page.recipient_key, hub_key)
    qtbot.keyClicks(page.recipient_name, "Programme hub")
    qtbot.mouseClick(page.add_recipient_button, Qt.MouseButton.LeftButton)
    assert not dialog.problem.isVisible()
    assert [(r.name, r.age_recipient) for r in laptop.trust.recipients()] == [
        ("Programme hub", hub_key)
    ]
    assert rows(page.recipients)[0].startswith("Programme hub")
    assert page.recipient_key.text() == "" and page.recipient_name.text() == ""

    # Removing asks first; keeping it changes nothing.
    choose_row(page.recipients, "Programme hub")
    qtbot.mouseClick(page.remove_recipient_button, Qt.MouseButton.LeftButton)
    confirm = page.recipient_confirm
    assert confirm.isVisible() and "Programme hub" in confirm.question.text()
    assert dialog.focusWidget() is confirm.keep_button
    qtbot.mouseClick(confirm.keep_button, Qt.MouseButton.LeftButton)
    assert not confirm.isVisible() and len(laptop.trust.recipients()) == 1
    qtbot.mouseClick(page.remove_recipient_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(confirm.act_button, Qt.MouseButton.LeftButton)
    assert laptop.trust.recipients() == []
    assert not page.remove_recipient_button.isEnabled()


def test_a_bad_key_shows_the_plain_reason(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place
) -> None:
    dialog = sharing_settings(qtbot, app_settings, laptop.vault)
    page = dialog.sharing
    assert page is not None
    qtbot.keyClicks(page.recipient_key, "age1notakey")
    qtbot.keyClicks(page.recipient_name, "Programme hub")
    qtbot.mouseClick(page.add_recipient_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible()
    assert "not an age public key" in dialog.problem.text()
    assert page.recipient_key.text() == "age1notakey"  # what was typed stays, to be fixed
    assert dialog.focusWidget() is page.recipient_key
    assert laptop.trust.recipients() == []


def test_trusting_and_revoking_a_device_through_the_settings(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place, hub: Place
) -> None:
    dialog = sharing_settings(qtbot, app_settings, hub.vault)
    page = dialog.sharing
    assert page is not None
    fingerprint = laptop.trust.identity().fingerprint
    qtbot.keyClicks(page.device_fingerprint, "not a fingerprint")
    qtbot.keyClicks(page.trusted_name, "Outreach 1")
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    assert "32 letters" in dialog.problem.text() and hub.trust.devices() == []

    page.device_fingerprint.setText(fingerprint.lower().replace(" ", "-"))
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    assert not dialog.problem.isVisible()
    assert [(d.name, d.fingerprint, d.revoked) for d in hub.trust.devices()] == [
        ("Outreach 1", fingerprint, False)
    ]
    choose_row(page.devices, "Outreach 1")
    assert page.revoke_button.isEnabled()
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    confirm = page.device_confirm
    assert "cannot be undone" in confirm.question.text()
    assert confirm.act_button.objectName() == "danger"
    qtbot.mouseClick(confirm.act_button, Qt.MouseButton.LeftButton)
    assert [d.revoked for d in hub.trust.devices()] == [True]
    choose_row(page.devices, "Outreach 1")
    assert "Revoked" in page.devices.currentItem().text()
    assert not page.revoke_button.isEnabled()


def test_every_sharing_control_has_a_name_and_is_reachable_by_keyboard(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place, hub: Place
) -> None:
    laptop.sends_to(hub)
    hub.sends_to(laptop)
    dialog = sharing_settings(qtbot, app_settings, laptop.vault)
    page = dialog.sharing
    assert page is not None
    assert _unnamed_controls(dialog) == []
    start = dialog.focusWidget()
    reachable, widget = [start], start.nextInFocusChain()
    while widget is not start:
        reachable.append(widget)
        widget = widget.nextInFocusChain()
    for control in (
        page.device_name,
        page.receive_key,
        page.copy_key_button,
        page.fingerprint,
        page.recipients,
        page.recipient_key,
        page.recipient_name,
        page.add_recipient_button,
        page.devices,
        page.device_fingerprint,
        page.trusted_name,
        page.trust_button,
    ):
        assert control in reachable, control.accessibleName()
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, control.accessibleName()


def test_without_the_vault_the_settings_have_no_sharing(
    qtbot: QtBot, app_settings: AppSettings
) -> None:
    dialog = SettingsDialog(app_settings)
    qtbot.addWidget(dialog)
    assert dialog.sharing is None and dialog.tabs is None


# --- export ---------------------------------------------------------------------------------


def test_export_shows_what_goes_and_what_stays_then_writes_the_bundle(
    qtbot: QtBot,
    app_settings: AppSettings,
    laptop: Place,
    hub: Place,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    laptop.sends_to(hub)
    add_person(laptop.vault)
    usb = tmp_path / "usb stick"
    usb.mkdir()
    dialog = ExportDialog(laptop.vault, app_settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "1 storyteller," in dialog.summary.text() and "1 event" in dialog.summary.text()
    assert "1 real name" in dialog.staying.text()
    assert "“Hub”" in dialog.recipients.text()
    assert not dialog.open_sharing_button.isVisible()
    assert not dialog.ok_button.isEnabled()  # no folder yet
    assert list(usb.iterdir()) == []  # nothing is written before the button is pressed
    assert _unnamed_controls(dialog) == []

    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *_a, **_k: str(usb))
    )
    qtbot.mouseClick(dialog.choose_folder_button, Qt.MouseButton.LeftButton)
    assert dialog.folder.text() == str(usb) and dialog.ok_button.isEnabled()
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.exported is not None, dialog.problem.text()
    bundle = dialog.exported.bundle.path
    assert bundle.is_file() and bundle.parent == usb
    assert dialog.progress.value() == 100 and seen and seen[-1] == 100
    assert dialog.outcome.isVisible() and "Bundle 1 is ready" in dialog.outcome.text()
    assert str(bundle) in dialog.outcome.text()
    assert app_settings.bundle_folder == str(usb)
    assert dialog.ok_button.text() == "Done" and not dialog.cancel_button.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == ExportDialog.DialogCode.Accepted

    # The next time, the folder is remembered and there is nothing new to send.
    again = ExportDialog(laptop.vault, app_settings)
    qtbot.addWidget(again)
    assert again.folder.text() == str(usb)
    assert "Nothing new to share" in again.summary.text()
    assert not again.ok_button.isEnabled()


def test_export_without_recipients_says_how_to_add_one(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place, tmp_path: Path
) -> None:
    add_person(laptop.vault)
    app_settings.bundle_folder = str(tmp_path)
    dialog = ExportDialog(laptop.vault, app_settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "no one to send bundles to yet" in dialog.recipients.text()
    assert "Settings → Sharing" in dialog.recipients.text()
    assert dialog.open_sharing_button.isVisible() and not dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.sharing_requested):
        qtbot.mouseClick(dialog.open_sharing_button, Qt.MouseButton.LeftButton)


def test_export_problems_are_plain_and_leave_nothing_behind(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place, hub: Place, tmp_path: Path
) -> None:
    laptop.sends_to(hub)
    add_person(laptop.vault)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = ExportDialog(laptop.vault, app_settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.folder.setText(str(usb / "gone"))  # the stick was taken out
    assert not dialog.export()
    assert dialog.problem.isVisible() and "does not exist" in dialog.problem.text()
    assert dialog.exported is None and list(usb.iterdir()) == []
    assert dialog.ok_button.isEnabled() and dialog.cancel_button.isVisible()


def test_the_window_opens_sharing_settings_over_the_export(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place, hub: Place
) -> None:
    add_person(laptop.vault)
    window = make_window(qtbot, laptop, app_settings)
    window.export_action.trigger()
    export = window.current_dialog
    assert isinstance(export, ExportDialog) and export.open_sharing_button.isVisible()
    export.open_sharing_button.click()
    settings = export.findChild(SettingsDialog)
    assert settings is not None and settings.sharing is not None and settings.tabs is not None
    assert settings.tabs.currentIndex() == 1
    settings.sharing.recipient_key.setText(hub.trust.identity().age_recipient)
    settings.sharing.recipient_name.setText("Programme hub")
    settings.sharing.add_recipient_button.click()
    settings.reject()
    assert "“Programme hub”" in export.recipients.text()
    assert not export.open_sharing_button.isVisible()


# --- import ---------------------------------------------------------------------------------


def test_import_brings_new_storytellers_into_the_sidebar(
    qtbot: QtBot,
    app_settings: AppSettings,
    laptop: Place,
    hub: Place,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop.sends_to(hub)
    add_person(laptop.vault, "Juniper")
    bundle = laptop.export()
    window = make_window(qtbot, hub, app_settings)
    assert sidebar_names(window) == []
    dialog = import_through_window(qtbot, window, monkeypatch, bundle)

    assert dialog.progress.value() == 100
    counts = dialog.counts.text()
    assert counts.startswith(f"{dialog.report.new} new items") and dialog.report.new > 0  # type: ignore[union-attr]
    assert "Imported" in outcome(dialog).accessibleName()
    assert "bundle 1 from outreach 1" in outcome(dialog).text().lower()
    assert not dialog.conflicts_area.isVisible()
    assert _unnamed_controls(dialog) == []
    assert sidebar_names(window) == ["Juniper"]
    assert window.stories is not None and not window.stories.empty.isVisible()
    assert app_settings.bundle_folder == str(bundle.parent)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_a_bundle_from_an_untrusted_laptop_is_refused_with_the_reason(
    qtbot: QtBot,
    app_settings: AppSettings,
    laptop: Place,
    hub: Place,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop.trust.add_recipient(hub.trust.identity().age_recipient, "Hub")  # hub does not trust it
    add_person(laptop.vault)
    window = make_window(qtbot, hub, app_settings)
    dialog = import_through_window(qtbot, window, monkeypatch, laptop.export())
    assert dialog.counts.text() == "Nothing was imported."
    refused = outcome(dialog)
    assert "Not imported" in refused.accessibleName()
    assert "does not trust" in refused.text() and "trust that device first" in refused.text()
    assert sidebar_names(window) == []


def test_a_withdrawal_from_elsewhere_closes_the_open_story(
    qtbot: QtBot,
    app_settings: AppSettings,
    laptop: Place,
    hub: Place,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop.sends_to(hub)
    juniper = add_person(laptop.vault, "Juniper")
    add_person(laptop.vault, "Rowan")
    first = laptop.export()
    window = make_window(qtbot, hub, app_settings)
    import_through_window(qtbot, window, monkeypatch, first).accept()
    assert window.stories is not None
    window.stories.sidebar.select(juniper)
    assert window.stories.storyteller.storyteller_uuid == juniper

    ConsentService(laptop.vault).withdraw(juniper, author=FACILITATOR)
    dialog = import_through_window(qtbot, window, monkeypatch, laptop.export())
    assert "1 storyteller erased" in dialog.counts.text()
    assert sidebar_names(window) == ["Rowan"]
    assert window.stories.storyteller.storyteller_uuid != juniper
    assert window.stories.storyteller.name.text() == "Rowan"
    assert window.search_index is not None and juniper not in window.search_index.storytellers


def test_changes_made_in_two_places_are_listed_and_marked_reviewed(
    qtbot: QtBot,
    app_settings: AppSettings,
    laptop: Place,
    hub: Place,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop.sends_to(hub)
    hub.sends_to(laptop)
    person = add_person(laptop.vault)
    event = TimelineService(laptop.vault).events(person)[0]
    window = make_window(qtbot, hub, app_settings)
    import_through_window(qtbot, window, monkeypatch, laptop.export()).accept()
    TimelineService(laptop.vault).update_event(event.uuid, title="From one", author=FACILITATOR)
    TimelineService(hub.vault).update_event(event.uuid, title="From the hub", author=FACILITATOR)
    hub_bundle = hub.export()
    from storycapture.sync.importing import conflicts_to_review, import_bundles

    import_bundles(laptop.vault, [hub_bundle])
    assert len(conflicts_to_review(laptop.vault)) == 1
    laptop_bundle = laptop.export()

    dialog = import_through_window(qtbot, window, monkeypatch, laptop_bundle)
    assert dialog.conflicts_area.isVisible() and dialog.conflicts.count() == 1
    assert "Juniper" in dialog.conflicts.item(0).text()
    qtbot.mouseClick(dialog.mark_reviewed_button, Qt.MouseButton.LeftButton)
    assert conflicts_to_review(hub.vault) == []
    assert dialog.reviewed.isVisible() and not dialog.mark_reviewed_button.isEnabled()


# --- the window's menus ---------------------------------------------------------------------


def test_sharing_menus_follow_the_lock_and_are_absent_in_storyteller_mode(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place
) -> None:
    add_person(laptop.vault)
    window = make_window(qtbot, laptop, app_settings)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.export_action in file_menu.actions()
    assert window.import_action in file_menu.actions()
    assert window.export_action.isEnabled() and window.import_action.isEnabled()

    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    panel.submit()  # type: ignore[attr-defined]
    assert window.mode is not None
    for action in (window.export_action, window.import_action):
        assert not action.isVisible() and not action.isEnabled()
    window.export_bundle()  # even asked directly, nothing opens
    window.import_bundles()
    assert not isinstance(window.current_dialog, ExportDialog | ImportDialog)
    window.mode.try_passphrase(PASSPHRASE)
    assert window.mode is None
    assert window.export_action.isVisible() and window.export_action.isEnabled()

    window.settings_action.trigger()  # unlocked: the settings have Sharing
    settings = window.current_dialog
    assert isinstance(settings, SettingsDialog) and settings.sharing is not None
    settings.reject()

    window.lock()
    assert not window.export_action.isEnabled() and not window.import_action.isEnabled()
    window.settings_action.trigger()  # locked: no Sharing, nothing of the vault
    settings = window.current_dialog
    assert isinstance(settings, SettingsDialog) and settings.sharing is None
    settings.reject()


def test_a_lock_asked_for_while_a_bundle_is_written_waits_until_it_is_done(
    qtbot: QtBot, app_settings: AppSettings, laptop: Place
) -> None:
    window = make_window(qtbot, laptop, app_settings)
    window._set_busy(True)
    window.lock()
    assert window.vault is not None  # not in the middle of writing
    window._set_busy(False)
    qtbot.waitUntil(lambda: window.vault is None)
