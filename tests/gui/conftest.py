"""GUI fixtures: the window's settings live in a temporary INI file, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from storycapture.gui.settings import AppSettings


@pytest.fixture
def app_settings(tmp_path: Path) -> AppSettings:
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.facilitator_name = "Priya"
    return settings


@pytest.fixture
def restored_app(qapp: QApplication) -> Iterator[QApplication]:
    """Themes and text sizes change the whole application: put everything back afterwards."""
    style, sheet = qapp.style().name() or "fusion", qapp.styleSheet()
    palette, font = QPalette(qapp.palette()), QFont(qapp.font())
    names = [bytes(name.data()).decode() for name in qapp.dynamicPropertyNames()]
    properties = {name: qapp.property(name) for name in names}
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    for name in [bytes(name.data()).decode() for name in qapp.dynamicPropertyNames()]:
        qapp.setProperty(name, properties.get(name))
