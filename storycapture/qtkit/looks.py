"""Which of the window's three looks (light, dark, high contrast) the tools should paint in.

The tools paint much of themselves (the timeline picture, the cards on the board), so they
keep colour sets of their own, one for each look. They cannot ask the window which theme it
applied (the window sits above them), so they read it off the application's palette: high
contrast is the only look with pure black paper and pure white ink, and dark is the only other
look with dark paper. Storyteller mode tells its tools the look outright (``set_theme``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from storycapture.qtkit import palette

LOOKS: tuple[str, ...] = ("light", "dark", "high-contrast")
# The interface scale the window applied, kept on the application for the tools to read.
SCALE_PROPERTY = "storycaptureScale"
# The theme the window applied, kept on the application (read by the window's style).
THEME_PROPERTY = "storycaptureTheme"


def checked_look(look: str) -> str:
    if look not in LOOKS:
        raise ValueError(f"Unknown look {look!r}; choose one of {', '.join(LOOKS)}.")
    return look


def look_of(palette: QPalette | None = None) -> str:
    """The look ``palette`` belongs to (the application's palette when none is given)."""
    if palette is None:
        if QGuiApplication.instance() is None:
            return "light"
        palette = QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    if window.lightness() >= 110:
        return "light"
    text = palette.color(QPalette.ColorRole.WindowText)
    if window.value() == 0 and text.lightness() == 255:
        return "high-contrast"
    return "dark"


def current_scale() -> float:
    """The interface scale last applied to the running application (1.0 before any)."""
    app = QCoreApplication.instance()
    scale = app.property(SCALE_PROPERTY) if app is not None else None
    return float(scale) if isinstance(scale, int | float) and scale > 0 else 1.0


def scaled_px(pixels: float) -> int:
    """A margin or gap of ``pixels`` at the normal size, grown with the interface scale."""
    return round(pixels * current_scale())


def current_theme() -> str:
    """The theme last applied to the running application ("light" before any)."""
    app = QCoreApplication.instance()
    theme = app.property(THEME_PROPERTY) if app is not None else None
    return theme if isinstance(theme, str) and theme in LOOKS else "light"


def readable_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    return QColor(palette.BLACK if background.lightnessF() > 0.55 else palette.WHITE)
