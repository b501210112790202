"""Which of the window's three looks (light, dark, high contrast) the tools should paint in.

The tools paint much of themselves (the timeline picture, the cards on the board), so they
keep colour sets of their own, one for each look. They cannot ask the window which theme it
applied (the window sits above them), so they read it off the application's palette: high
contrast is the only look with pure black paper and pure white ink, and dark is the only other
look with dark paper. Storyteller mode tells its tools the look outright (``set_theme``).
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette

LOOKS: tuple[str, ...] = ("light", "dark", "high-contrast")


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
