"""The facilitator's preferences for this laptop, and the dialog that edits them.

``AppSettings`` is a typed wrapper over QSettings: each preference has a type, a default and a
range, and a damaged or hand-edited value reads back as the nearest sensible one. QSettings is
a plain, unencrypted file (or the registry), so NOTHING about a storyteller is ever stored here:
no pseudonym, no name, no last-opened storyteller, no text they said. Only how the app looks and
behaves, the window's size and place, and the facilitator's own name (which they type
themselves to be recorded as the author of what they add), and the folder bundles were last
exported to or imported from.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from storycapture.gui.theme import THEMES

AUTO_LOCK_DEFAULT = 5
AUTO_LOCK_RANGE = (1, 120)
SCALE_CHOICES: tuple[float, ...] = (1.0, 1.25, 1.5, 2.0)
THEME_DEFAULT = "light"

_AUTO_LOCK = "lock/auto_lock_minutes"
_SCALE = "display/interface_scale"
_THEME = "display/theme"
_FACILITATOR = "facilitator/name"
_BUNDLE_FOLDER = "sharing/bundle_folder"
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
    def bundle_folder(self) -> str:
        """The folder bundles were last exported to or imported from (a USB stick, say):
        only where to look first, never a file's name."""
        value = self._settings.value(_BUNDLE_FOLDER, "")
        return value if isinstance(value, str) else ""

    @bundle_folder.setter
    def bundle_folder(self, folder: str) -> None:
        self._set(_BUNDLE_FOLDER, str(folder))

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
