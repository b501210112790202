"""GUI fixtures: the window's settings live in a temporary INI file, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from storycapture.gui.settings import AppSettings


@pytest.fixture
def app_settings(tmp_path: Path) -> AppSettings:
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.facilitator_name = "Priya"
    return settings
