"""The settings dialog: auto-lock, interface scale, theme, and the facilitator's own name;
and, while the stories are unlocked, Sharing (this laptop's name and keys, whom its bundles go
to and whose it accepts; ``gui.sync_dialogs.SharingPage``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.gui.settings import (
    AUTO_LOCK_RANGE,
    SCALE_CHOICES,
    AppSettings,
)
from storycapture.gui.theme import THEME_LABELS, THEMES, fit_to_screen, make_wider, scaled_px

if TYPE_CHECKING:
    from storycapture.gui.sync_dialogs import SharingPage
    from storycapture.services.vault import VaultSession


def _scale_label(scale: float) -> str:
    return "Normal size" if scale == 1.0 else f"{round(scale * 100)}%"


class SettingsDialog(QDialog):
    """Auto-lock, interface scale, theme and the facilitator's name. OK saves them all.

    Given the unlocked ``vault``, a second tab holds Sharing: its lists change at once (each
    asks first where it matters); this laptop's name is saved with the rest.
    """

    settings_changed = Signal()

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        vault: VaultSession | None = None,
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self.settings = settings
        self.tabs: QTabWidget | None = None
        self.sharing: SharingPage | None = None
        self.setWindowTitle("Settings")
        self.setModal(True)

        heading = QLabel("Settings")
        heading.setObjectName("heading")
        intro = QLabel(
            "These are kept on this laptop for you. Nothing about the people whose stories "
            "you gather is kept here."
        )
        intro.setObjectName("subtle")
        intro.setWordWrap(True)

        self.name = QLineEdit(settings.facilitator_name)
        self.name.setAccessibleName("Your name")
        self.name.setAccessibleDescription("Recorded as the author of what you add to a story.")
        self.name.setPlaceholderText("For example, Priya")
        self.name.setMaxLength(80)

        self.auto_lock = QSpinBox()
        low, high = AUTO_LOCK_RANGE
        self.auto_lock.setRange(low, high)
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.setAccessibleName("Lock after this many minutes without use")

        self.scale = QComboBox()
        for choice in SCALE_CHOICES:
            self.scale.addItem(_scale_label(choice), choice)
        self.scale.setCurrentIndex(SCALE_CHOICES.index(settings.interface_scale))
        self.scale.setAccessibleName("Size of text and controls")

        self.theme = QComboBox()
        for theme in THEMES:
            self.theme.addItem(THEME_LABELS[theme], theme)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        self.theme.setAccessibleName("Colours")

        form = QVBoxLayout()
        form.setSpacing(scaled_px(6))
        for text, field in (
            ("Your name (recorded as the author of what you add)", self.name),
            ("Lock the stories after", self.auto_lock),
            ("Size of text and controls", self.scale),
            ("Colours", self.theme),
        ):
            label = QLabel(text)
            label.setWordWrap(True)
            label.setBuddy(field)
            if form.count():
                form.addSpacing(scaled_px(8))
            form.addWidget(label)
            form.addWidget(field)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")
        self.ok_button.setObjectName("primary")
        self.ok_button.setAccessibleName("Save settings")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel without saving")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(20))
        layout.setSpacing(scaled_px(14))
        layout.addWidget(heading)
        if vault is None:
            layout.addWidget(intro)
            layout.addLayout(form)
        else:
            layout.addWidget(self._add_tabs(vault, intro, form), 1)
        layout.addWidget(self.problem)
        if vault is None:  # (the tabs take the room there is)
            layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        if self.sharing is not None:
            self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 76)
            fit_to_screen(self, self.sharing)
            # Room for the page's widest row (its whole key), the tab's frame and scroll bar.
            frame = layout.contentsMargins().left() * 2 + scaled_px(40)
            make_wider(self, self.sharing.minimumSizeHint().width() + frame)
        else:
            fit_to_screen(self)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def _add_tabs(self, vault: VaultSession, intro: QLabel, form: QVBoxLayout) -> QTabWidget:
        from PySide6.QtWidgets import QScrollArea

        from storycapture.gui.sync_dialogs import SharingPage

        preferences = QWidget()
        preferences.setObjectName("page")
        column = QVBoxLayout(preferences)
        column.setContentsMargins(scaled_px(20), scaled_px(16), scaled_px(20), scaled_px(16))
        column.setSpacing(scaled_px(14))
        column.addWidget(intro)
        column.addLayout(form)
        column.addStretch(1)
        self.sharing = SharingPage(vault)
        self.sharing.problem_found.connect(self._show_problem)
        self.sharing.problem_solved.connect(self.problem.hide)

        def scrolling(page: QWidget) -> QScrollArea:
            # Each tab scrolls, so a big interface scale on a small screen still fits.
            scroll = QScrollArea()
            scroll.setWidget(page)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            return scroll

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Kinds of settings")
        self.tabs.addTab(scrolling(preferences), "Your preferences")
        self._sharing_tab = scrolling(self.sharing)
        self.tabs.addTab(self._sharing_tab, "Sharing")
        # A problem belongs to the tab it came from.
        self.tabs.currentChanged.connect(lambda _index: self.problem.hide())
        return self.tabs

    def show_sharing(self) -> None:
        """Open on the Sharing tab (the export dialog sends people here to add the hub)."""
        if self.tabs is None or self.sharing is None:
            return
        self.tabs.setCurrentWidget(self._sharing_tab)
        focus = self.sharing.recipient_key if not self.sharing.recipient_names() else None
        (focus or self.sharing.device_name).setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(str)
    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    @Slot()
    def accept(self) -> None:
        name = self.name.text().strip()
        try:
            Author.facilitator(name)  # the same rules the vault applies to an author's name
        except StoryCaptureError as error:
            if self.tabs is not None:
                self.tabs.setCurrentIndex(0)
            self.problem.setText(str(error))
            self.problem.show()
            self.name.setFocus()
            return
        if self.sharing is not None:
            try:
                self.sharing.save_device_name()
            except StoryCaptureError as error:
                self.show_sharing()
                self._show_problem(str(error))
                self.sharing.device_name.setFocus()
                return
        self.settings.facilitator_name = name
        self.settings.auto_lock_minutes = self.auto_lock.value()
        self.settings.interface_scale = float(self.scale.currentData())
        self.settings.theme = str(self.theme.currentData())
        self.problem.hide()
        self.settings_changed.emit()
        super().accept()
