"""Preferences (through a QSettings INI file of the test's own), the settings dialog, and the
themes: their colours' contrast, their stylesheets, and applying them at a scale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDateEdit, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from storycapture.gui.settings import AppSettings
from storycapture.gui.settings_dialog import SettingsDialog
from storycapture.gui.theme import (
    THEMES,
    apply_theme,
    scaled_stylesheet,
    stylesheet_for,
    theme_palette,
)
from storycapture.paths import resources_dir

EXPECTED_KEYS = {
    "lock/auto_lock_minutes",
    "display/interface_scale",
    "display/theme",
    "facilitator/name",
    "window/geometry",
    "window/state",
}


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


def settings_at(path: Path) -> AppSettings:
    return AppSettings(QSettings(str(path), QSettings.Format.IniFormat))


def test_defaults(ini: Path) -> None:
    settings = settings_at(ini)
    assert settings.auto_lock_minutes == 5
    assert settings.interface_scale == 1.0
    assert settings.theme == "light"
    assert settings.facilitator_name == ""
    assert settings.window_geometry == b""
    assert settings.window_state == b""


def test_settings_round_trip_through_an_ini_file(ini: Path) -> None:
    settings = settings_at(ini)
    settings.auto_lock_minutes = 12
    settings.interface_scale = 1.5
    settings.theme = "high-contrast"
    settings.facilitator_name = "  Priya Shah "
    settings.window_geometry = b"\x01\xd9\xd0\xcb\x00geometry\x00\xff"
    settings.window_state = b"\x00\x00\x00\xffstate"

    again = settings_at(ini)
    assert again.auto_lock_minutes == 12
    assert again.interface_scale == 1.5
    assert again.theme == "high-contrast"
    assert again.facilitator_name == "Priya Shah"
    assert again.window_geometry == b"\x01\xd9\xd0\xcb\x00geometry\x00\xff"
    assert again.window_state == b"\x00\x00\x00\xffstate"
    assert set(again.qsettings.allKeys()) == EXPECTED_KEYS


def test_damaged_values_read_back_as_the_nearest_sensible_ones(ini: Path) -> None:
    raw = QSettings(str(ini), QSettings.Format.IniFormat)
    raw.setValue("lock/auto_lock_minutes", "500")
    raw.setValue("display/interface_scale", "1.3")
    raw.setValue("display/theme", "neon")
    raw.sync()
    settings = settings_at(ini)
    assert settings.auto_lock_minutes == 120
    assert settings.interface_scale == 1.25
    assert settings.theme == "light"

    raw.setValue("lock/auto_lock_minutes", "soon")
    raw.setValue("display/interface_scale", "big")
    raw.sync()
    assert settings_at(ini).auto_lock_minutes == 5
    assert settings_at(ini).interface_scale == 1.0


def test_out_of_range_values_are_refused(ini: Path) -> None:
    settings = settings_at(ini)
    with pytest.raises(ValueError):
        settings.auto_lock_minutes = 0
    with pytest.raises(ValueError):
        settings.auto_lock_minutes = 121
    with pytest.raises(ValueError):
        settings.interface_scale = 3.0
    with pytest.raises(ValueError):
        settings.theme = "sepia"
    assert settings.qsettings.allKeys() == []


def open_dialog(qtbot: QtBot, settings: AppSettings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_dialog_saves_what_was_chosen_and_says_so(qtbot: QtBot, ini: Path) -> None:
    settings = settings_at(ini)
    dialog = open_dialog(qtbot, settings)
    assert dialog.auto_lock.value() == 5
    assert dialog.scale.currentText() == "Normal size"
    assert dialog.theme.currentText() == "Light"

    QTest.keyClicks(dialog.name, "Priya")
    dialog.auto_lock.setValue(15)
    dialog.scale.setCurrentIndex(dialog.scale.findData(1.5))
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    with qtbot.waitSignal(dialog.settings_changed, timeout=1000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    again = settings_at(ini)
    assert (again.facilitator_name, again.auto_lock_minutes) == ("Priya", 15)
    assert (again.interface_scale, again.theme) == (1.5, "dark")
    assert set(again.qsettings.allKeys()) <= EXPECTED_KEYS  # nothing about storytellers


def test_a_name_the_vault_would_refuse_is_explained_and_nothing_is_saved(
    qtbot: QtBot, ini: Path
) -> None:
    settings = settings_at(ini)
    dialog = open_dialog(qtbot, settings)
    dialog.name.setText("Priya: facilitator")
    dialog.auto_lock.setValue(30)
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.problem.isVisible() and "colon" in dialog.problem.text()
    assert dialog.auto_lock.value() == 30  # what was chosen stays
    assert settings.qsettings.allKeys() == []


def test_cancel_saves_nothing(qtbot: QtBot, ini: Path) -> None:
    settings = settings_at(ini)
    dialog = open_dialog(qtbot, settings)
    dialog.auto_lock.setValue(60)
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.cancel_button.click()
    assert settings.qsettings.allKeys() == []


def test_every_settings_control_has_an_accessible_name(qtbot: QtBot, ini: Path) -> None:
    dialog = open_dialog(qtbot, settings_at(ini))
    for widget in (dialog.name, dialog.auto_lock, dialog.scale, dialog.theme):
        assert widget.accessibleName()
    assert dialog.ok_button.accessibleName() == "Save settings"


# -- themes ---------------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


TEXT_PAIRS = [
    ("window_text", "window"),
    ("text", "base"),
    ("text", "alternate_base"),
    ("button_text", "button"),
    ("highlighted_text", "highlight"),
    ("tooltip_text", "tooltip_base"),
    ("subtle_text", "window"),
    ("subtle_text", "base"),
    ("placeholder_text", "base"),
    ("link", "base"),
    ("link", "window"),
    ("accent_text", "accent"),
    ("problem_text", "problem_background"),
]
# Not text, but what shows where a control is and where the focus is (WCAG 1.4.11): 3:1.
CONTROL_PAIRS = [("focus", "window"), ("focus", "base"), ("border", "base"), ("border", "window")]


def test_contrast_arithmetic_matches_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", THEMES)
def test_theme_contrast(theme: str) -> None:
    colours = theme_palette(theme)
    needed = 7.0 if theme == "high-contrast" else 4.5
    for text, background in TEXT_PAIRS:
        ratio = contrast(colours[text], colours[background])
        assert ratio >= needed, f"{theme}: {text} on {background} is only {ratio:.2f}:1"
    for mark, background in CONTROL_PAIRS:
        ratio = contrast(colours[mark], colours[background])
        assert ratio >= 3.0, f"{theme}: {mark} against {background} is only {ratio:.2f}:1"


def test_dark_is_warm_and_not_black_and_high_contrast_is_black_white_and_yellow() -> None:
    dark = theme_palette("dark")["window"]
    red, green, blue = (int(dark[i : i + 2], 16) for i in (1, 3, 5))
    assert dark != "#000000" and red > green > blue  # a brown-grey, warmer than neutral
    high = theme_palette("high-contrast")
    assert (high["window"], high["text"], high["focus"]) == ("#000000", "#ffffff", "#ffd400")


@pytest.mark.parametrize("theme", THEMES)
def test_stylesheets_use_the_palette_colours(theme: str) -> None:
    sheet = stylesheet_for(theme).lower()
    colours = theme_palette(theme)
    for name in (
        "window",
        "text",
        "base",
        "subtle_text",
        "accent",
        "accent_text",
        "focus",
        "problem_text",
        "problem_background",
        "border",
    ):
        assert colours[name] in sheet, f"{theme}.qss does not use its {name} {colours[name]}"


def test_the_light_stylesheet_keeps_the_object_names_the_window_uses() -> None:
    sheet = (resources_dir() / "styles" / "calm.qss").read_text(encoding="utf-8")
    for name in ("heading", "subtle", "problem", "recoveryKey", "primary", "storytellers", "page"):
        assert f"#{name}" in sheet


def test_scaling_a_stylesheet_grows_sizes_but_not_hairlines_or_colours() -> None:
    sheet = "QWidget { font-size: 11pt; padding: 8px 18px; border: 1px solid #2f2a26; }"
    assert scaled_stylesheet(sheet, 1.5) == (
        "QWidget { font-size: 16.5pt; padding: 12px 27px; border: 1px solid #2f2a26; }"
    )
    assert scaled_stylesheet(sheet, 1.0) == sheet


@pytest.mark.parametrize("theme", THEMES)
def test_applying_a_theme_sets_its_colours_stylesheet_and_scale(
    qtbot: QtBot, restored_app: QApplication, theme: str
) -> None:
    app = restored_app
    base_size = app.font().pointSizeF()
    apply_theme(app, theme, 1.5)
    apply_theme(app, theme, 1.5)  # applying again never compounds the scale
    colours = theme_palette(theme)
    palette = app.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == colours["window"]
    assert palette.color(QPalette.ColorRole.Text).name() == colours["text"]
    assert palette.color(QPalette.ColorRole.Highlight).name() == colours["highlight"]
    assert app.font().pointSizeF() == pytest.approx(base_size * 1.5)
    assert "font-size: 16.5pt" in app.styleSheet()
    assert colours["window"] in app.styleSheet()

    # Drop-down fields and spin boxes are drawn to match the stylesheet's text fields.
    fields = [QLineEdit("Juniper"), QComboBox(), QSpinBox(), QDateEdit(), QCheckBox("Photos")]
    fields[1].addItem("Normal size")
    fields[3].setCalendarPopup(True)
    for field in fields:
        qtbot.addWidget(field)
        field.show()
        assert not field.grab().isNull()
    heights = {type(field).__name__: field.sizeHint().height() for field in fields[:4]}
    assert max(heights.values()) - min(heights.values()) <= 4, heights

    apply_theme(app, theme, 1.0)
    assert app.font().pointSizeF() == pytest.approx(base_size)
    assert re.search(r"QWidget \{\s*font-size: 11pt", app.styleSheet())


def test_an_unknown_theme_is_refused(restored_app: QApplication) -> None:
    with pytest.raises(ValueError):
        apply_theme(restored_app, "sepia", 1.0)
    with pytest.raises(ValueError):
        theme_palette("sepia")
