"""The facilitator's preferences for this laptop, and the dialog that edits them.

``AppSettings`` is a typed wrapper over QSettings: each preference has a type, a default and a
range, and a damaged or hand-edited value reads back as the nearest sensible one. QSettings is
a plain, unencrypted file (or the registry), so NOTHING about a storyteller is ever stored here:
no pseudonym, no name, no last-opened storyteller, no text they said. Only how the app looks and
behaves, the window's size and place, and the facilitator's own name (which they type
themselves to be recorded as the author of what they add).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.gui.theme import THEME_LABELS, THEMES, fit_to_screen, scaled_px

AUTO_LOCK_DEFAULT = 5
AUTO_LOCK_RANGE = (1, 120)
SCALE_CHOICES: tuple[float, ...] = (1.0, 1.25, 1.5, 2.0)
THEME_DEFAULT = "light"

_AUTO_LOCK = "lock/auto_lock_minutes"
_SCALE = "display/interface_scale"
_THEME = "display/theme"
_FACILITATOR = "facilitator/name"
_GEOMETRY = "window/geometry"
_STATE = "window/state"


def _as_bytes(value: object) -> bytes:
    if isinstance(value, QByteArray):
        return bytes(value.data())
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return b""


class AppSettings:
    """Typed preferences. Pass a QSettings (e.g. an INI file) in tests; the app uses its own."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = (
            settings if settings is not None else QSettings("StoryCapture", "StoryCapture")
        )

    @property
    def qsettings(self) -> QSettings:
        return self._settings

    def _set(self, key: str, value: object) -> None:
        self._settings.setValue(key, value)
        self._settings.sync()

    @property
    def auto_lock_minutes(self) -> int:
        """Minutes without any touch, click or key press before the vault locks itself."""
        low, high = AUTO_LOCK_RANGE
        try:
            minutes = int(str(self._settings.value(_AUTO_LOCK, AUTO_LOCK_DEFAULT)))
        except ValueError:
            return AUTO_LOCK_DEFAULT
        return max(low, min(high, minutes))

    @auto_lock_minutes.setter
    def auto_lock_minutes(self, minutes: int) -> None:
        low, high = AUTO_LOCK_RANGE
        if not low <= int(minutes) <= high:
            raise ValueError(f"Auto-lock must be between {low} and {high} minutes.")
        self._set(_AUTO_LOCK, int(minutes))

    @property
    def interface_scale(self) -> float:
        """How much bigger than normal text and controls are: one of ``SCALE_CHOICES``."""
        try:
            scale = float(str(self._settings.value(_SCALE, 1.0)))
        except ValueError:
            return 1.0
        return min(SCALE_CHOICES, key=lambda choice: abs(choice - scale))

    @interface_scale.setter
    def interface_scale(self, scale: float) -> None:
        if float(scale) not in SCALE_CHOICES:
            choices = ", ".join(f"{c:g}" for c in SCALE_CHOICES)
            raise ValueError(f"The interface scale must be one of {choices}.")
        self._set(_SCALE, float(scale))

    @property
    def theme(self) -> str:
        """ "light", "dark" or "high-contrast"."""
        theme = str(self._settings.value(_THEME, THEME_DEFAULT))
        return theme if theme in THEMES else THEME_DEFAULT

    @theme.setter
    def theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"Unknown theme {theme!r}; choose one of {', '.join(THEMES)}.")
        self._set(_THEME, theme)

    @property
    def facilitator_name(self) -> str:
        """The facilitator's own name, recorded as the author of what they add."""
        value = self._settings.value(_FACILITATOR, "")
        return value if isinstance(value, str) else ""

    @facilitator_name.setter
    def facilitator_name(self, name: str) -> None:
        self._set(_FACILITATOR, name.strip())

    @property
    def window_geometry(self) -> bytes:
        """``QWidget.saveGeometry()`` of the main window; empty until first saved."""
        return _as_bytes(self._settings.value(_GEOMETRY))

    @window_geometry.setter
    def window_geometry(self, data: bytes) -> None:
        self._set(_GEOMETRY, QByteArray(bytes(data)))

    @property
    def window_state(self) -> bytes:
        """``QMainWindow.saveState()`` (toolbars, docks); empty until first saved."""
        return _as_bytes(self._settings.value(_STATE))

    @window_state.setter
    def window_state(self, data: bytes) -> None:
        self._set(_STATE, QByteArray(bytes(data)))


def _scale_label(scale: float) -> str:
    return "Normal size" if scale == 1.0 else f"{round(scale * 100)}%"


class SettingsDialog(QDialog):
    """Auto-lock, interface scale, theme and the facilitator's name. OK saves them all."""

    settings_changed = Signal()

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self.settings = settings
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
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        fit_to_screen(self)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def accept(self) -> None:
        name = self.name.text().strip()
        try:
            Author.facilitator(name)  # the same rules the vault applies to an author's name
        except StoryCaptureError as error:
            self.problem.setText(str(error))
            self.problem.show()
            self.name.setFocus()
            return
        self.settings.facilitator_name = name
        self.settings.auto_lock_minutes = self.auto_lock.value()
        self.settings.interface_scale = float(self.scale.currentData())
        self.settings.theme = str(self.theme.currentData())
        self.problem.hide()
        self.settings_changed.emit()
        super().accept()
