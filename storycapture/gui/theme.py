"""The look of the window: three themes (light, dark, high contrast) and the interface scale.

Each theme is a QPalette plus a stylesheet from ``resources/styles`` (light uses ``calm.qss``).
The colours live in ``qtkit.palette``; ``theme_palette`` hands them to tests, which check the
WCAG contrast of every text/background pair. The stylesheets repeat the same colours (a test
checks that they do), because Qt stylesheets cannot read variables.

The interface scale multiplies the application font and every size in the stylesheet (font
sizes, paddings, minimum heights), so text and touch targets grow together. Fine lines (1–2 px
borders) stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QGuiApplication,
    QPalette,
)
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    # Importing QStyle builds every one of its enums (~10 ms): not before the first window.
    from PySide6.QtWidgets import QStyle

from storycapture.paths import resources_dir
from storycapture.qtkit.looks import SCALE_PROPERTY, THEME_PROPERTY
from storycapture.qtkit.looks import current_scale as current_scale  # for the window's pages
from storycapture.qtkit.looks import current_theme as current_theme
from storycapture.qtkit.looks import readable_on as readable_on
from storycapture.qtkit.looks import scaled_px as scaled_px
from storycapture.qtkit.palette import WINDOW

THEMES: tuple[str, ...] = ("light", "dark", "high-contrast")
THEME_LABELS: Mapping[str, str] = MappingProxyType(
    {"light": "Light", "dark": "Dark", "high-contrast": "High contrast"}
)
STYLESHEETS: Mapping[str, str] = MappingProxyType(
    {"light": "calm.qss", "dark": "dark.qss", "high-contrast": "high-contrast.qss"}
)

# The colours of each theme, by name (``qtkit.palette``); most map onto a QPalette role below.
_COLOURS: Mapping[str, Mapping[str, str]] = WINDOW

_ROLES: dict[str, QPalette.ColorRole] = {
    "window": QPalette.ColorRole.Window,
    "window_text": QPalette.ColorRole.WindowText,
    "base": QPalette.ColorRole.Base,
    "alternate_base": QPalette.ColorRole.AlternateBase,
    "text": QPalette.ColorRole.Text,
    "placeholder_text": QPalette.ColorRole.PlaceholderText,
    "button": QPalette.ColorRole.Button,
    "button_text": QPalette.ColorRole.ButtonText,
    "highlight": QPalette.ColorRole.Highlight,
    "highlighted_text": QPalette.ColorRole.HighlightedText,
    "tooltip_base": QPalette.ColorRole.ToolTipBase,
    "tooltip_text": QPalette.ColorRole.ToolTipText,
    "link": QPalette.ColorRole.Link,
    "accent": QPalette.ColorRole.Accent,
    "problem_text": QPalette.ColorRole.BrightText,
}

# Where an app keeps the font size it had before any scaling, so scaling never compounds,
# and the theme and scale last applied (read by CalmStyle and by dialogs' margins).
_BASE_POINT_SIZE = "storycaptureBasePointSize"
_THEME_APPLIED = THEME_PROPERTY
_calm_style: QStyle | None = None  # kept here so Python never collects the app's style
_SIZE = re.compile(r"(?<![\w#.-])(\d+(?:\.\d+)?)(pt|px)\b")


def _checked(theme: str) -> str:
    if theme not in _COLOURS:
        raise ValueError(f"Unknown theme {theme!r}; choose one of {', '.join(THEMES)}.")
    return theme


def theme_palette(theme: str) -> dict[str, str]:
    """The colours the theme applies (``#rrggbb``), by name: window, text, base, button, …"""
    return dict(_COLOURS[_checked(theme)])


def build_palette(theme: str) -> QPalette:
    colours = _COLOURS[_checked(theme)]
    palette = QPalette()
    for name, role in _ROLES.items():
        palette.setColor(role, QColor(colours[name]))
    palette.setColor(QPalette.ColorRole.LinkVisited, QColor(colours["link"]))
    for role in (
        QPalette.ColorRole.Light,
        QPalette.ColorRole.Midlight,
    ):
        palette.setColor(role, QColor(colours["alternate_base"]))
    for role in (QPalette.ColorRole.Mid, QPalette.ColorRole.Dark, QPalette.ColorRole.Shadow):
        palette.setColor(role, QColor(colours["border"]))
    disabled = QColor(colours["disabled_text"])
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def scaled_stylesheet(text: str, scale: float) -> str:
    """Every point and pixel size in ``text`` times ``scale``; hairlines (≤ 2 px) kept."""
    if scale == 1.0:
        return text

    def grow(match: re.Match[str]) -> str:
        number, unit = float(match.group(1)), match.group(2)
        if unit == "px" and number <= 2:
            return match.group(0)
        grown = number * scale
        if unit == "px":
            return f"{round(grown)}px"
        return f"{round(grown, 1):g}pt"

    return _SIZE.sub(grow, text)


def stylesheet_for(theme: str, scale: float = 1.0) -> str:
    path = resources_dir() / "styles" / STYLESHEETS[_checked(theme)]
    return scaled_stylesheet(path.read_text(encoding="utf-8"), scale)


def apply_theme(app: QApplication, theme: str, scale: float, *, style_later: bool = False) -> None:
    """Give the whole application ``theme`` at ``scale`` (1.0 is the normal size).

    The style is Fusion (``CalmStyle``) because it is the one that honours a palette fully on
    every platform; the native Windows and macOS styles would keep their own colours in places.
    Building it costs about 50 ms (PySide creates every QStyle enum), so the first window
    asks for it ``style_later``: the page before unlock is drawn by the style sheet alone, and
    the window calls ``ensure_calm_style`` once that first page is painted.
    """
    if scale <= 0:
        raise ValueError("The interface scale must be more than zero.")
    sheet = stylesheet_for(theme, scale)
    base = app.property(_BASE_POINT_SIZE)
    if not isinstance(base, float):
        base = float(app.font().pointSizeF())
        app.setProperty(_BASE_POINT_SIZE, base)
    global _calm_style
    app.setProperty(_THEME_APPLIED, theme)
    app.setProperty(SCALE_PROPERTY, float(scale))
    if not style_later:
        _install_calm_style(app, theme)
    app.setPalette(build_palette(theme))
    font = QFont(app.font())
    font.setPointSizeF(base * scale)
    app.setFont(font)
    app.setStyleSheet(sheet)


def ensure_calm_style(app: QApplication) -> None:
    """Install the theme's CalmStyle if ``apply_theme`` was told to leave it for later."""
    if _calm_style is None:
        _install_calm_style(app, current_theme())


def _install_calm_style(app: QApplication, theme: str) -> None:
    global _calm_style
    from storycapture.gui.calm_style import CalmStyle

    # A new style each time: the application owns (and deletes) the one it had.
    _calm_style = CalmStyle()
    app.setStyle(_calm_style)
    # setStyle resets the palette to the style's own; the theme's goes back on top.
    app.setPalette(build_palette(theme))


def _room(window: QWidget) -> QSize:
    """The screen's free space, less the title bar and frame the window system adds."""
    # Where the window will open: over its parent, else where the pointer is. (Not through
    # QWidget.screen(): in PySide6 6.11 that left the screen's Python wrapper freed too soon
    # when several dialogs asked, and the next widget made crashed.)
    parent = window.parentWidget()
    anchor = parent.window() if parent is not None else None
    point = anchor.frameGeometry().center() if anchor is not None else QCursor.pos()
    screen = QGuiApplication.screenAt(point) or QGuiApplication.primaryScreen()
    room = screen.availableGeometry().size() if screen is not None else QSize(1280, 800)
    return QSize(round(room.width() * 0.96), round(room.height() * 0.94))


def make_room(window: QWidget, height: int) -> None:
    """Make ``window`` taller by ``height`` (a message appeared), as far as the screen allows."""
    wanted = min(window.height() + max(0, height), _room(window).height())
    if wanted > window.height():
        window.resize(window.width(), wanted)


def make_wider(window: QWidget, width: int) -> None:
    """Make ``window`` at least ``width`` wide (so a long field shows whole), as far as the
    screen allows; a scroll area inside does the rest."""
    wanted = min(width, _room(window).width())
    if wanted > window.width():
        window.resize(wanted, window.height())


def fit_to_screen(window: QWidget, content: QWidget | None = None) -> None:
    """Size ``window`` to show everything in it, or as much as the screen has room for.

    ``content`` is the widget inside the window's scroll area, if it has one: a scroll area
    alone would ask for only a small part of it. When the screen is too small (a big interface
    scale on a small laptop) the window takes what there is and the scroll area does the rest.
    """
    from PySide6.QtWidgets import QScrollArea

    window.ensurePolished()
    hint = window.sizeHint()
    room = _room(window)
    scroll = content.parentWidget() if content is not None else None
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    if content is not None and isinstance(scroll, QScrollArea):
        bar = scroll.verticalScrollBar().sizeHint().width()
        outside = hint - scroll.sizeHint()
        wanted = content.sizeHint().expandedTo(content.minimumSize())
        width = min(wanted.width() + outside.width() + bar, room.width())
        inner = width - outside.width() - bar
        layout = content.layout()
        height = wanted.height()
        if layout is not None and layout.hasHeightForWidth():
            height = max(height, layout.totalHeightForWidth(inner))
        hint = QSize(width, height + outside.height())
    else:
        layout = window.layout()
        if layout is not None and layout.hasHeightForWidth():
            width = min(hint.width(), room.width())
            hint = QSize(width, max(hint.height(), layout.totalHeightForWidth(width)))
    window.resize(hint.boundedTo(room).expandedTo(window.minimumSizeHint().boundedTo(room)))
