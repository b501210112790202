"""Starting the app: the QApplication, the theme, and the main window on the chosen vault."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from storycapture.gui.settings import AppSettings
from storycapture.gui.theme import apply_theme
from storycapture.gui.window import MainWindow

if TYPE_CHECKING:
    from storycapture.services.vault import VaultSession

DEFAULT_SIZE = (1280, 800)


def application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("StoryCapture")
    app.setOrganizationName("StoryCapture")
    app.setApplicationDisplayName("StoryCapture")
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
