"""Starting the app: the QApplication, the theme, and the main window on the chosen vault."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from storycapture.gui.settings import AppSettings
from storycapture.gui.theme import apply_theme
from storycapture.gui.window import MainWindow
from storycapture.paths import resources_dir

if TYPE_CHECKING:
    from storycapture.services.vault import VaultSession

DEFAULT_SIZE = (1280, 800)
APP_ID = "org.storycapture.StoryCapture"  # the desktop file's name and the AppStream id
ICON_NAME = "storycapture"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def icon_files() -> dict[int, Path]:
    """The app icon's PNGs (rendered from ``resources/icons/storycapture.svg``), by size."""
    hicolor = resources_dir() / "icons" / "hicolor"
    return {n: hicolor / f"{n}x{n}" / "apps" / f"{ICON_NAME}.png" for n in ICON_SIZES}


def app_icon() -> QIcon:
    icon = QIcon()
    for size, path in icon_files().items():
        icon.addFile(str(path), QSize(size, size))  # read only when a size is first drawn
    return icon


def application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("StoryCapture")
    app.setOrganizationName("StoryCapture")
    app.setApplicationDisplayName("StoryCapture")
    app.setDesktopFileName(APP_ID)  # Wayland finds the window's icon through the desktop file
    app.setWindowIcon(app_icon())
    return app


def make_window(data_dir: Path, vault: VaultSession | None = None) -> MainWindow:
    app = application()
    settings = AppSettings()
    apply_theme(app, settings.theme, settings.interface_scale, style_later=True)
    window = MainWindow(Path(data_dir), settings, vault)
    if not settings.window_geometry or not window.restoreGeometry(settings.window_geometry):
        window.resize(*DEFAULT_SIZE)
    return window


def run_app(data_dir: Path, vault: VaultSession | None = None) -> int:
    window = make_window(data_dir, vault)
    window.show()
    return application().exec()
