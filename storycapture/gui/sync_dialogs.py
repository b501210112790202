"""Sharing by file with the programme hub.

- ``SharingPage``, the Sharing tab of the settings: this laptop's name, its key for receiving
  bundles and its fingerprint; whom its bundles go to; whose bundles it accepts.
- ``ExportDialog``: what will be shared and what stays here (and why), before anything is
  written; then one bundle file in a folder the facilitator chooses.
- ``ImportDialog``: bundle files in, each checked completely first; then what arrived, what
  is still to come, and changes made in two places that a person should look at.

The work runs in the GUI thread, because the vault's database sessions are not thread-safe.
While a bundle is written or read the progress bar is repainted at most every 50 ms, and
clicks and key presses wait until it is done, so nothing can change underneath it. The dialogs
say so through ``busy``; the window holds a lock request until the work is finished.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.errors import StoryCaptureError
from storycapture.gui.pages import make_label
from storycapture.gui.theme import fit_to_screen, scaled_px
from storycapture.gui.widgets import DialogFooter, dialog_footer, scrolled_form_layout
from storycapture.sync.exporting import ExportPlan, ExportResult, export_bundle, plan_export
from storycapture.sync.importing import (
    ImportReport,
    conflicts_to_review,
    import_bundles,
    mark_conflicts_reviewed,
)
from storycapture.sync.trust import TrustService

if TYPE_CHECKING:
    from storycapture.gui.settings import AppSettings
    from storycapture.services.vault import VaultSession

REPAINT_EVERY_S = 0.05
BUNDLE_FILTER = "StoryCapture bundles (*.age);;All files (*)"
_STAYS = "Stays on this laptop:"
_GOES = "Will be shared:"
_KEY_ROLE = Qt.ItemDataRole.UserRole
_REVOKED_ROLE = Qt.ItemDataRole.UserRole + 1


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _short_key(key: str) -> str:
    return f"{key[:12]}…{key[-6:]}" if len(key) > 24 else key


def _bullets(lines: list[str]) -> str:
    """Plain lines as a list (rich text, so a long line wraps under its own first word)."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<ul style="margin: 0; -qt-list-indent: 1;">{items}</ul>'


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rich(text: str = "", name: str = "") -> QLabel:
    label = make_label(text, name)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _with_label(text: str, field: QWidget) -> QVBoxLayout:
    """A label above its field; the label's mnemonic and buddy lead to the field."""
    label = make_label(text)
    label.setBuddy(field)
    column = QVBoxLayout()
    column.setSpacing(scaled_px(4))
    column.addWidget(label)
    column.addWidget(field)
    return column


def _fit_rows(listing: QListWidget, most: int = 3) -> None:
    """As tall as its rows (up to ``most``; it scrolls beyond), so a short list leaves no hole."""
    listing.ensurePolished()
    shown = range(min(max(1, listing.count()), most))
    rows = sum(max(listing.sizeHintForRow(row), listing.fontMetrics().height()) for row in shown)
    frame = listing.frameWidth() * 2 + listing.contentsMargins().top() * 2
    listing.setFixedHeight(rows + frame + scaled_px(16))


def _scroll_around(body: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidget(body)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll


class _Repainter:
    """Feeds a progress bar from a callback in the GUI thread: the bar repaints at most every
    ``REPAINT_EVERY_S``, and input waits (it is delivered once the work is done)."""

    def __init__(self, bar: QProgressBar) -> None:
        self._bar = bar
        self._last = 0.0

    def show(self, fraction: float) -> None:
        value = max(0, min(100, round(fraction * 100)))
        if value == self._bar.value():
            return
        self._bar.setValue(value)
        now = time.monotonic()
        if now - self._last >= REPAINT_EVERY_S:
            self._last = now
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


# --- settings → sharing --------------------------------------------------------------------


class ConfirmBar(QFrame):
    """A question asked in place, under the list it is about: a safe choice (focused) and the
    one that acts. Nothing happens until the second is pressed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirm")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.question = make_label("")
        self.keep_button = QPushButton()
        self.act_button = QPushButton()
        self.act_button.setAutoDefault(False)
        self.keep_button.setAutoDefault(False)
        self.keep_button.clicked.connect(self.dismiss)
        self.act_button.clicked.connect(self._act)
        self._on_yes: Callable[[], None] | None = None
        self._back_to: QWidget | None = None
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.act_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(14), scaled_px(12), scaled_px(14), scaled_px(12))
        layout.setSpacing(scaled_px(10))
        layout.addWidget(self.question)
        layout.addLayout(buttons)
        self.hide()

    def ask(
        self,
        question: str,
        act: str,
        keep: str,
        on_yes: Callable[[], None],
        *,
        danger: bool = False,
        back_to: QWidget | None = None,
    ) -> None:
        self.question.setText(question)
        self.act_button.setText(act)
        self.act_button.setAccessibleName(act)
        self.act_button.setObjectName("danger" if danger else "primary")
        self.act_button.style().unpolish(self.act_button)
        self.act_button.style().polish(self.act_button)
        self.keep_button.setText(keep)
        self.keep_button.setAccessibleName(keep)
        self._on_yes = on_yes
        self._back_to = back_to
        self.show()
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, self._into_view)

    @Slot()
    def _into_view(self) -> None:
        """Scroll the question into view, once the page has made room for it."""
        scroll = self.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is not None and self.isVisible():
            scroll.ensureWidgetVisible(self, 0, scaled_px(12))

    @Slot()
    def dismiss(self) -> None:
        self.hide()
        self._on_yes = None
        if self._back_to is not None:
            self._back_to.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _act(self) -> None:
        on_yes = self._on_yes
        self.dismiss()
        if on_yes is not None:
            on_yes()


def _list_section(
    layout: QVBoxLayout,
    heading: str,
    explanation: str,
    listing: tuple[QWidget, QWidget, QWidget],
    add_heading: str,
    key: tuple[str, QWidget],
    name_and_button: tuple[QWidget, QWidget],
) -> None:
    """One list of the Sharing page: its heading and sentence, the list with its remove
    button and in-place question, then the fields that add to it (a key, a name, a button)."""
    shown, remove_button, confirm = listing
    layout.addSpacing(scaled_px(18))
    layout.addWidget(make_label(heading, "subheading"))
    layout.addWidget(make_label(explanation, "subtle"))
    layout.addWidget(shown)
    layout.addWidget(remove_button, 0, Qt.AlignmentFlag.AlignLeft)
    layout.addWidget(confirm)
    key_text, key_field = key
    name_field, add_button = name_and_button
    grid = QGridLayout()
    grid.setHorizontalSpacing(scaled_px(10))
    grid.setVerticalSpacing(scaled_px(4))
    key_label = make_label(key_text)
    key_label.setBuddy(key_field)
    name_label = make_label("A name you will recognise")
    name_label.setBuddy(name_field)
    grid.addWidget(_rich(f"<b>{add_heading}</b>"), 0, 0, 1, 2)
    grid.addWidget(key_label, 1, 0, 1, 2)
    grid.addWidget(key_field, 2, 0, 1, 2)
    grid.addWidget(name_label, 3, 0, 1, 2)
    grid.addWidget(name_field, 4, 0)
    grid.addWidget(add_button, 4, 1)
    grid.setColumnStretch(0, 1)
    layout.addSpacing(scaled_px(8))
    layout.addLayout(grid)


class SharingPage(QWidget):
    """Who this laptop is, where its bundles go and whose bundles it accepts.

    Adding, removing, trusting and revoking take effect at once (each asks first where it
    matters); the laptop's name is saved with the rest of the settings (``save_device_name``).
    Problems are plain sentences for the dialog's problem line (``problem_found``).
    """

    problem_found = Signal(str)
    problem_solved = Signal()

    def __init__(self, vault: VaultSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._trust = TrustService(vault)
        me = self._trust.identity()
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        # This laptop.
        self.device_name = QLineEdit(me.device_name)
        self.device_name.setMaxLength(200)
        self.device_name.setAccessibleName("This laptop's name")
        self.device_name.setAccessibleDescription(
            "The name the programme hub and other laptops know this one by."
        )
        self.device_name.setPlaceholderText("For example, Outreach 2")
        self.receive_key = QLineEdit(me.age_recipient)
        self.receive_key.setReadOnly(True)
        self.receive_key.setFont(fixed)
        self.receive_key.setCursorPosition(0)
        self.receive_key.ensurePolished()  # the theme's size of the fixed-width font
        whole_key = self.receive_key.fontMetrics().horizontalAdvance(me.age_recipient + "  ")
        self.receive_key.setMinimumWidth(whole_key + scaled_px(16))
        self.receive_key.setAccessibleName("This laptop's key for receiving bundles")
        self.copy_key_button = QPushButton("Copy")
        self.copy_key_button.setAccessibleName("Copy the key for receiving bundles")
        self.copy_key_button.setAutoDefault(False)
        self.copy_key_button.clicked.connect(self.copy_key)
        self.copied = make_label("", "subtle")
        self.copied.hide()
        self.fingerprint = QLabel(me.fingerprint)
        self.fingerprint.setObjectName("recoveryKey")
        self.fingerprint.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.fingerprint.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.fingerprint.setAccessibleName("This laptop's fingerprint")
        self.fingerprint.setAccessibleDescription(me.fingerprint)
        self.fingerprint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # Where bundles go.
        self.recipients = QListWidget()
        self.recipients.setAccessibleName("Where your bundles go")
        self.recipients.currentItemChanged.connect(self._update_buttons)
        self.recipient_key = QLineEdit()
        self.recipient_key.setFont(fixed)
        self.recipient_key.setPlaceholderText("age1…")
        self.recipient_key.setAccessibleName("The new recipient's key")
        self.recipient_name = QLineEdit()
        self.recipient_name.setMaxLength(200)
        self.recipient_name.setPlaceholderText("For example, Programme hub")
        self.recipient_name.setAccessibleName("The new recipient's name")
        self.add_recipient_button = QPushButton("Add")
        self.add_recipient_button.setAccessibleName("Add this recipient")
        self.add_recipient_button.setAutoDefault(False)
        self.add_recipient_button.clicked.connect(self.add_recipient)
        self.recipient_name.returnPressed.connect(self.add_recipient)
        self.remove_recipient_button = QPushButton("Remove…")
        self.remove_recipient_button.setAccessibleName("Remove the chosen recipient")
        self.remove_recipient_button.setAutoDefault(False)
        self.remove_recipient_button.clicked.connect(self.ask_to_remove_recipient)
        self.recipient_confirm = ConfirmBar()

        # Whose bundles are accepted.
        self.devices = QListWidget()
        self.devices.setAccessibleName("Devices whose bundles you accept")
        self.devices.currentItemChanged.connect(self._update_buttons)
        self.device_fingerprint = QLineEdit()
        self.device_fingerprint.setFont(fixed)
        self.device_fingerprint.setPlaceholderText(
            "For example, 3F2A 9C41 07BE 55D0 1B8E 6A2F C930 4D17"
        )
        self.device_fingerprint.setAccessibleName("The fingerprint of the device to trust")
        self.trusted_name = QLineEdit()
        self.trusted_name.setMaxLength(200)
        self.trusted_name.setPlaceholderText("For example, Outreach 1")
        self.trusted_name.setAccessibleName("The name of the device to trust")
        self.trust_button = QPushButton("Trust")
        self.trust_button.setAccessibleName("Trust this device")
        self.trust_button.setAutoDefault(False)
        self.trust_button.clicked.connect(self.trust_device)
        self.trusted_name.returnPressed.connect(self.trust_device)
        self.revoke_button = QPushButton("Revoke…")
        self.revoke_button.setAccessibleName("Revoke the chosen device")
        self.revoke_button.setAutoDefault(False)
        self.revoke_button.clicked.connect(self.ask_to_revoke_device)
        self.device_confirm = ConfirmBar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(20), scaled_px(16), scaled_px(20), scaled_px(16))
        layout.setSpacing(scaled_px(8))

        layout.addWidget(make_label("This laptop", "subheading"))
        layout.addLayout(_with_label("Its name", self.device_name))
        layout.addWidget(
            make_label("The programme hub and other laptops know this one by it.", "subtle")
        )
        layout.addSpacing(scaled_px(6))
        key_row = QHBoxLayout()
        key_row.addWidget(self.receive_key, 1)
        key_row.addWidget(self.copy_key_button)
        key_label = make_label("Its key for receiving bundles")
        key_label.setBuddy(self.receive_key)
        layout.addWidget(key_label)
        layout.addLayout(key_row)
        layout.addWidget(
            make_label("Give this key to anyone who sends bundles to this laptop.", "subtle")
        )
        layout.addWidget(self.copied)
        layout.addSpacing(scaled_px(6))
        fingerprint_label = make_label("Its fingerprint")
        fingerprint_label.setBuddy(self.fingerprint)
        layout.addWidget(fingerprint_label)
        layout.addWidget(self.fingerprint)
        layout.addWidget(
            make_label(
                "Read this out to the hub team when they add this laptop, so they can be sure "
                "bundles from here really come from here.",
                "subtle",
            )
        )

        _list_section(
            layout,
            "Where your bundles go",
            "The programme hub gives you its key; bundles you make can only be opened with it.",
            (self.recipients, self.remove_recipient_button, self.recipient_confirm),
            "Add the hub's key",
            ("The key (it starts with age1)", self.recipient_key),
            (self.recipient_name, self.add_recipient_button),
        )
        _list_section(
            layout,
            "Whose bundles you accept",
            "Bundles are taken in only from devices you trust. Check a device's "
            "fingerprint by reading it out together with the person who looks after it.",
            (self.devices, self.revoke_button, self.device_confirm),
            "Trust a device",
            ("Its fingerprint", self.device_fingerprint),
            (self.trusted_name, self.trust_button),
        )
        layout.addStretch(1)

        for listing in (self.recipients, self.devices):
            listing.setWordWrap(True)
            listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reload()

    # --- lists ------------------------------------------------------------------------------

    def reload(self) -> None:
        chosen_recipient = self._chosen(self.recipients)
        chosen_device = self._chosen(self.devices)
        self.recipients.clear()
        for recipient in self._trust.recipients():
            item = QListWidgetItem(f"{recipient.name}\n{_short_key(recipient.age_recipient)}")
            item.setData(_KEY_ROLE, recipient.age_recipient)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, recipient.name)
            self.recipients.addItem(item)
        if not self.recipients.count():
            self._placeholder(self.recipients, "No one yet. Add the hub's key below.")
        self.devices.clear()
        for device in self._trust.devices():
            state = "\nRevoked: its bundles are refused" if device.revoked else ""
            item = QListWidgetItem(f"{device.name}\n{device.fingerprint}{state}")
            item.setData(_KEY_ROLE, device.fingerprint)
            item.setData(_REVOKED_ROLE, device.revoked)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{device.name}{', revoked' if device.revoked else ''}",
            )
            self.devices.addItem(item)
        if not self.devices.count():
            self._placeholder(self.devices, "None yet. Add a device's fingerprint below.")
        self._select(self.recipients, chosen_recipient)
        self._select(self.devices, chosen_device)
        for listing in (self.recipients, self.devices):
            _fit_rows(listing)
        self._update_buttons()

    @staticmethod
    def _placeholder(listing: QListWidget, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        listing.addItem(item)

    @staticmethod
    def _chosen(listing: QListWidget) -> str | None:
        item = listing.currentItem()
        key = item.data(_KEY_ROLE) if item is not None else None
        return key if isinstance(key, str) else None

    @staticmethod
    def _select(listing: QListWidget, key: str | None) -> None:
        for row in range(listing.count()):
            if key is not None and listing.item(row).data(_KEY_ROLE) == key:
                listing.setCurrentRow(row)
                return

    @Slot()
    def _update_buttons(self) -> None:
        self.remove_recipient_button.setEnabled(self._chosen(self.recipients) is not None)
        device = self.devices.currentItem()
        revocable = (
            device is not None
            and self._chosen(self.devices) is not None
            and not device.data(_REVOKED_ROLE)
        )
        self.revoke_button.setEnabled(revocable)

    def recipient_names(self) -> list[str]:
        return [r.name for r in self._trust.recipients()]

    # --- this laptop ------------------------------------------------------------------------

    def save_device_name(self) -> None:
        """Keep the name typed for this laptop (raises StoryCaptureError with a sentence)."""
        name = self.device_name.text().strip()
        if name != self._trust.device_name():
            self._trust.set_device_name(name)

    @Slot()
    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.receive_key.text())
        self.copied.setText("Copied. Paste it wherever the other side asked for it.")
        self.copied.show()

    # --- recipients -------------------------------------------------------------------------

    def _add(
        self,
        add: Callable[[str, str], str],
        key_field: QLineEdit,
        name_field: QLineEdit,
        listing: QListWidget,
    ) -> None:
        """Add what the two fields say through ``add`` (which returns the new entry's key),
        then show it chosen in its list; a refusal goes to the problem line and the field."""
        try:
            key = add(key_field.text().strip(), name_field.text().strip())
        except StoryCaptureError as error:
            self.problem_found.emit(str(error))
            field = name_field if "name" in str(error) else key_field
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.problem_solved.emit()
        key_field.clear()
        name_field.clear()
        self.reload()
        self._select(listing, key)
        listing.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def add_recipient(self) -> None:
        self._add(
            lambda key, name: self._trust.add_recipient(key, name).age_recipient,
            self.recipient_key,
            self.recipient_name,
            self.recipients,
        )

    @Slot()
    def ask_to_remove_recipient(self) -> None:
        key = self._chosen(self.recipients)
        item = self.recipients.currentItem()
        if key is None or item is None:
            return
        name = str(item.data(Qt.ItemDataRole.AccessibleTextRole))
        self.recipient_confirm.ask(
            f"Stop making bundles for “{name}”? Bundles you make from now on cannot be "
            "opened with its key. You can add it again later.",
            f"Remove {name}",
            "Keep it",
            lambda: self.remove_recipient(key),
            back_to=self.recipients,
        )

    def remove_recipient(self, key: str) -> None:
        try:
            self._trust.remove_recipient(key)
        except StoryCaptureError as error:
            self.problem_found.emit(str(error))
            return
        self.problem_solved.emit()
        self.reload()

    # --- trusted devices --------------------------------------------------------------------

    @Slot()
    def trust_device(self) -> None:
        self._add(
            lambda key, name: self._trust.trust_device(key, name).fingerprint,
            self.device_fingerprint,
            self.trusted_name,
            self.devices,
        )

    @Slot()
    def ask_to_revoke_device(self) -> None:
        key = self._chosen(self.devices)
        item = self.devices.currentItem()
        if key is None or item is None or item.data(_REVOKED_ROLE):
            return
        name = str(item.data(Qt.ItemDataRole.AccessibleTextRole))
        self.device_confirm.ask(
            f"Stop accepting bundles from “{name}”? This cannot be undone: its key will never "
            "be trusted again. What already arrived from it stays here.",
            "Revoke for good",
            "Keep trusting it",
            lambda: self.revoke_device(key),
            danger=True,
            back_to=self.devices,
        )

    def revoke_device(self, fingerprint: str) -> None:
        try:
            self._trust.revoke_device(fingerprint)
        except StoryCaptureError as error:
            self.problem_found.emit(str(error))
            return
        self.problem_solved.emit()
        self.reload()


# --- export --------------------------------------------------------------------------------


class _SyncDialog(QDialog):
    """A scrolling body above the problem line and two buttons; ``busy`` while working."""

    busy = Signal(bool)

    def _finish_layout(self, body: QWidget, ok_text: str, cancel_name: str) -> None:
        self._body = body
        footer = dialog_footer(self, ok_text, cancel_name)
        self._footer: DialogFooter = footer
        self.problem = footer.problem
        self.buttons = footer.buttons
        self.ok_button = footer.ok_button
        self.cancel_button = footer.cancel_button
        self._scroll = _scroll_around(body)
        scrolled_form_layout(self, self._scroll, footer)
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 76)
        fit_to_screen(self, body)

    def show_problem(self, message: str) -> None:
        self._footer.show_problem(self, message)

    def _working(self, working: bool) -> None:
        for button in (self.ok_button, self.cancel_button):
            button.setEnabled(not working)
        self._body.setEnabled(not working)
        if working:
            QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))
        else:
            QGuiApplication.restoreOverrideCursor()
        self.busy.emit(working)

    def _finished_work(self) -> None:
        """The work is done: one button closes the dialog."""
        self.ok_button.setText("Done")
        self.ok_button.setAccessibleName("Close")
        self.cancel_button.hide()

    def _grow(self) -> None:
        fit_to_screen(self, self._body)

    def _bring_into_view(self, widget: QWidget) -> None:
        """Scroll ``widget`` (the outcome) into view once the body has been laid out again."""

        def scroll() -> None:
            if widget.isVisible():
                self._scroll.ensureWidgetVisible(widget, 0, scaled_px(16))

        # Tied to the widget: a dialog closed (and deleted) before the turn comes skips it.
        QTimer.singleShot(0, widget, scroll)


class ExportDialog(_SyncDialog):
    """What will be shared and what stays here, a folder, then one bundle for the hub."""

    sharing_requested = Signal()  # the facilitator wants Settings → Sharing (no recipients)

    def __init__(
        self, vault: VaultSession, settings: AppSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self._vault = vault
        self._settings = settings
        self.exported: ExportResult | None = None
        self.plan: ExportPlan = plan_export(vault)
        self.setWindowTitle("Export a bundle")
        self.setModal(True)

        lines = self.plan.summary_lines()
        going = [
            _capitalised(line.removeprefix(_GOES).strip())
            for line in lines
            if not line.startswith(_STAYS)
        ]
        staying = [
            _capitalised(line.removeprefix(_STAYS).strip())
            for line in lines
            if line.startswith(_STAYS)
        ]
        self.summary = _rich(_bullets(going))
        self.summary.setAccessibleName("What will be shared")
        self.staying = _rich(
            (_bullets(staying) if staying else "")
            + "<p>Only what storytellers agreed to share with the programme team leaves this "
            "laptop. Real names and anything marked private always stay here.</p>"
        )
        self.staying.setAccessibleName("What stays on this laptop")

        self.recipients = make_label("")
        self.recipients.setAccessibleName("Who can open it")
        self.open_sharing_button = QPushButton("Open sharing settings…")
        self.open_sharing_button.setAccessibleName("Open the sharing settings to add the hub")
        self.open_sharing_button.setAutoDefault(False)
        self.open_sharing_button.clicked.connect(self.sharing_requested)

        self.folder = QLineEdit()
        self.folder.setReadOnly(True)
        self.folder.setPlaceholderText("No folder chosen yet")
        self.folder.setAccessibleName("Folder for the bundle")
        last = settings.bundle_folder
        if last and Path(last).is_dir():
            self.folder.setText(last)
        self.choose_folder_button = QPushButton("Choose folder…")
        self.choose_folder_button.setAccessibleName("Choose the folder for the bundle")
        self.choose_folder_button.setAutoDefault(False)
        self.choose_folder_button.clicked.connect(self.choose_folder)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setAccessibleName("How much of the bundle is written")
        self.progress.hide()
        self.outcome = _rich()
        self.outcome.setAccessibleName("The bundle")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.hide()

        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(8))
        form.setSpacing(scaled_px(8))
        form.addWidget(make_label("Export a bundle", "heading"))
        form.addWidget(
            make_label(
                "A bundle is one file that carries what is new on this laptop to the programme "
                "hub. It is locked, so only the hub can open it.",
                "subtle",
            )
        )
        form.addSpacing(scaled_px(8))
        form.addWidget(make_label("What will be shared", "subheading"))
        form.addWidget(self.summary)
        form.addSpacing(scaled_px(8))
        form.addWidget(make_label("What stays on this laptop", "subheading"))
        form.addWidget(self.staying)
        form.addSpacing(scaled_px(8))
        form.addWidget(make_label("Who can open it", "subheading"))
        form.addWidget(self.recipients)
        form.addWidget(self.open_sharing_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addSpacing(scaled_px(8))
        folder_label = make_label("Where to save it", "subheading")
        folder_label.setBuddy(self.folder)
        form.addWidget(folder_label)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder_button)
        form.addLayout(folder_row)
        form.addWidget(
            make_label(
                "A USB stick is a good place, if that is how you take bundles to the hub.", "subtle"
            )
        )
        form.addSpacing(scaled_px(8))
        form.addWidget(self.progress)
        form.addWidget(self.outcome)
        form.addStretch(1)
        self._finish_layout(body, "Export", "Close without exporting")
        self.refresh_recipients()

    @Slot()
    def refresh_recipients(self) -> None:
        """Show whom the bundle is for (call again after the sharing settings change)."""
        if self.exported is not None:
            return
        names = [r.name for r in TrustService(self._vault).recipients()]
        if names:
            self.recipients.setText(
                "Only "
                + _joined(names)
                + " can open it, with the key "
                + ("they" if len(names) > 1 else "it")
                + " gave you."
            )
        else:
            self.recipients.setText(
                "There is no one to send bundles to yet. Add the programme hub's key under "
                "Settings → Sharing; the hub team will give it to you."
            )
        self.open_sharing_button.setVisible(not names)
        self._has_recipients = bool(names)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(
            self.exported is None
            and not self.plan.is_empty
            and self._has_recipients
            and bool(self.folder.text())
        )

    @Slot()
    def choose_folder(self) -> None:
        start = self.folder.text() or self._settings.bundle_folder or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Where to save the bundle", start)
        if chosen:
            self.folder.setText(chosen)
            self.folder.setCursorPosition(0)
            self._update_ok()

    @Slot()
    def accept(self) -> None:
        if self.exported is not None:
            super().accept()
            return
        self.export()

    def export(self) -> bool:
        """Write the bundle into the chosen folder; a problem is shown in plain words."""
        folder = self.folder.text()
        if not folder:
            self.show_problem("Choose a folder for the bundle first.")
            return False
        self.problem.hide()
        self.progress.setValue(0)
        self.progress.show()
        repaint = _Repainter(self.progress)
        self._working(True)
        try:
            result = export_bundle(
                self._vault,
                Path(folder),
                self.plan,
                progress=lambda done, total: repaint.show(done / total if total else 1.0),
            )
        except StoryCaptureError as error:
            return self._failed(str(error))
        except FileExistsError:
            return self._failed(
                "There is already a bundle with this number in that folder, so nothing was "
                "written. Choose another folder, or move that file somewhere else first."
            )
        except OSError as error:
            why = error.strerror or str(error)
            return self._failed(
                f"The bundle could not be saved in that folder ({why.lower()}). Nothing was "
                "changed; check there is room on it, or choose another folder."
            )
        finally:
            self._working(False)
        self.exported = result
        self._settings.bundle_folder = folder
        self.progress.setValue(100)
        self.outcome.setText(
            f"<p><b>Bundle {result.sequence} is ready:</b> "
            f"{html.escape(str(result.bundle.path))}</p>"
            "<p>Carry it to the hub as your programme asks, on a USB stick for example. It is "
            "locked, so only the hub can open it. The next bundle starts where this one "
            "ends.</p>"
        )
        self.outcome.show()
        self.choose_folder_button.setEnabled(False)
        self._finished_work()
        self._grow()
        self._bring_into_view(self.outcome)
        self.ok_button.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _failed(self, message: str) -> bool:
        self.progress.hide()
        self.show_problem(message)
        return False


def _joined(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


# --- import --------------------------------------------------------------------------------


class ImportDialog(_SyncDialog):
    """Bundle files in, each checked completely first; then what arrived and what to review."""

    imported = Signal(object)  # the ImportReport, as soon as the import has run

    def __init__(
        self, vault: VaultSession, settings: AppSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self._vault = vault
        self._settings = settings
        self.paths: list[Path] = []
        self.report: ImportReport | None = None
        self.setWindowTitle("Import bundles")
        self.setModal(True)

        self.choose_button = QPushButton("Choose bundles…")
        self.choose_button.setAccessibleName("Choose the bundle files to import")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_files)
        self.files = QListWidget()
        self.files.setAccessibleName("Bundles chosen")
        self.files.setMaximumHeight(self.fontMetrics().height() * 5 + scaled_px(24))
        self.files.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("How much is imported")
        self.progress.hide()

        self.counts = make_label("", "subheading")
        self.counts.setAccessibleName("What arrived")
        self.outcomes = QVBoxLayout()
        self.outcomes.setSpacing(scaled_px(8))
        self.gaps = _rich()
        self.gaps.setAccessibleName("Bundles still to come")
        self.alerts = make_label("", "problem")
        self.alerts.setAccessibleName("Please look at this")
        self.conflicts_heading = make_label("Changes to look at", "subheading")
        self.conflicts_intro = make_label(
            "These were changed in two places before either had seen the other's change. The "
            "later change is shown; the other is kept in the item's history, so nothing is lost.",
            "subtle",
        )
        self.conflicts = QListWidget()
        self.conflicts.setAccessibleName("Changes made in two places")
        self.conflicts.setWordWrap(True)
        self.conflicts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.earlier_conflicts = make_label("", "subtle")
        self.mark_reviewed_button = QPushButton("Mark as reviewed")
        self.mark_reviewed_button.setAccessibleName("Mark these changes as reviewed")
        self.mark_reviewed_button.setAutoDefault(False)
        self.mark_reviewed_button.clicked.connect(self.mark_reviewed)
        self.reviewed = make_label("", "subtle")
        self.reviewed.hide()

        self.report_area = QWidget()
        report = QVBoxLayout(self.report_area)
        report.setContentsMargins(0, scaled_px(8), 0, 0)
        report.setSpacing(scaled_px(8))
        report.addWidget(self.counts)
        report.addLayout(self.outcomes)
        report.addWidget(self.gaps)
        report.addWidget(self.alerts)
        self.conflicts_area = QWidget()
        conflicts = QVBoxLayout(self.conflicts_area)
        conflicts.setContentsMargins(0, scaled_px(8), 0, 0)
        conflicts.setSpacing(scaled_px(8))
        conflicts.addWidget(self.conflicts_heading)
        conflicts.addWidget(self.conflicts_intro)
        conflicts.addWidget(self.conflicts)
        conflicts.addWidget(self.earlier_conflicts)
        conflicts.addWidget(self.mark_reviewed_button, 0, Qt.AlignmentFlag.AlignLeft)
        conflicts.addWidget(self.reviewed)
        report.addWidget(self.conflicts_area)
        self.report_area.hide()

        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(8))
        form.setSpacing(scaled_px(8))
        form.addWidget(make_label("Import bundles", "heading"))
        form.addWidget(
            make_label(
                "Choose the bundle files that came from the hub or from another laptop. Each "
                "one is checked completely before anything changes, and only bundles from "
                "devices you trust are taken in.",
                "subtle",
            )
        )
        form.addSpacing(scaled_px(8))
        form.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(self.files)
        form.addWidget(self.progress)
        form.addWidget(self.report_area)
        form.addStretch(1)
        self._finish_layout(body, "Import", "Close without importing")
        self.ok_button.setEnabled(False)
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def choose_files(self) -> None:
        start = self._settings.bundle_folder or str(Path.home())
        files, _chosen_filter = QFileDialog.getOpenFileNames(
            self, "Choose the bundles to import", start, BUNDLE_FILTER
        )
        if files:
            self.set_files([Path(f) for f in files])

    def set_files(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        self.files.clear()
        for path in self.paths:
            self.files.addItem(path.name)
        self.files.setVisible(bool(self.paths))
        self.ok_button.setText("Import")
        self.ok_button.setAccessibleName("Import")
        self.ok_button.setEnabled(bool(self.paths))
        self.cancel_button.show()
        self.report = None
        self.progress.hide()
        self.problem.hide()
        if self.paths:
            self.choose_button.setText("Choose other bundles…")
        self._grow()

    @Slot()
    def accept(self) -> None:
        if self.report is not None:
            super().accept()
            return
        self.run_import()

    def run_import(self) -> ImportReport | None:
        if not self.paths:
            self.show_problem("Choose at least one bundle file to import.")
            return None
        self.problem.hide()
        self.report_area.hide()
        self.progress.setValue(0)
        self.progress.show()
        repaint = _Repainter(self.progress)
        count = len(self.paths)

        def step(index: int, done: int, total: int) -> None:
            repaint.show((index + (done / total if total else 1.0)) / count)

        self._working(True)
        try:
            report = import_bundles(self._vault, self.paths, progress=step)
        except StoryCaptureError as error:
            self.progress.hide()
            self.show_problem(str(error))
            return None
        except OSError as error:
            self.progress.hide()
            why = (error.strerror or str(error)).lower()
            self.show_problem(
                f"The bundles could not be read ({why}). Nothing more was imported; check the "
                "USB stick or folder and try again."
            )
            return None
        finally:
            self._working(False)
        self.progress.setValue(100)
        self.report = report
        self._settings.bundle_folder = str(self.paths[0].parent)
        self.show_report(report)
        self._finished_work()
        self._grow()
        self._bring_into_view(self.counts)
        self.ok_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.imported.emit(report)
        return report

    def show_report(self, report: ImportReport) -> None:
        taken = [b for b in report.bundles if b.status != "refused"]
        self.counts.setText(report.counts() if taken else "Nothing was imported.")

        while (item := self.outcomes.takeAt(0)) is not None:
            old = item.widget()
            if old is not None:
                old.deleteLater()
        words = {"imported": "Imported", "duplicate": "Already here", "refused": "Not imported"}
        for bundle in report.bundles:
            status = words.get(bundle.status, bundle.status)
            message = _capitalised(bundle.message)
            if bundle.reason == "untrusted":
                message += " (Settings → Sharing, under “Whose bundles you accept”.)"
            label = _rich(
                f"<b>{html.escape(status)}</b> · {html.escape(bundle.file)}<br>"
                f"{html.escape(message)}"
            )
            label.setAccessibleName(f"{status}: {bundle.file}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.outcomes.addWidget(label)

        self.gaps.setText("<p>Still to come:</p>" + _bullets(report.gaps) if report.gaps else "")
        self.gaps.setVisible(bool(report.gaps))
        self.alerts.setText("\n\n".join(report.alerts))
        self.alerts.setVisible(bool(report.alerts))

        self.conflicts.clear()
        for conflict in report.conflicts:
            self.conflicts.addItem(conflict.sentence())
        waiting = len(conflicts_to_review(self._vault))
        earlier = max(0, waiting - len(report.conflicts))
        self.earlier_conflicts.setText(
            f"{earlier} more change{_s(earlier)} from earlier imports "
            f"{'is' if earlier == 1 else 'are'} also waiting to be looked at."
            if earlier
            else ""
        )
        self.earlier_conflicts.setVisible(bool(earlier))
        self.conflicts.setVisible(bool(report.conflicts))
        self.mark_reviewed_button.setEnabled(True)
        self.reviewed.hide()
        self.conflicts_area.setVisible(bool(waiting))
        self.files.hide()  # the report names each file
        self.report_area.show()
        _fit_rows(self.conflicts, most=4)

    @Slot()
    def mark_reviewed(self) -> None:
        try:
            marked = mark_conflicts_reviewed(self._vault)
        except StoryCaptureError as error:
            self.show_problem(str(error))
            return
        self.reviewed.setText(
            f"Marked {marked} change{_s(marked)} as reviewed. Each item's history still "
            "shows both versions."
        )
        self.reviewed.show()
        self.mark_reviewed_button.setEnabled(False)
        self.ok_button.setFocus(Qt.FocusReason.OtherFocusReason)
