"""The board's colours and sizes: warm paper, soft zone washes, a few warm card swatches.

Zones are told apart by a soft wash, never by red and green (which read as a verdict);
"hard right now" is a calm blue, as hard times are on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

from storycapture.domain.vocabulary import CardKind

PAPER = "#fbf7f1"
INK = "#2f2a26"
SOFT_INK = "#5f564f"
HAIRLINE = "#e4d8ca"
ACCENT = "#ad5a2c"
ACCENT_TEXT = "#8f4520"  # the accent dark enough for small words on every swatch (≥ 4.5:1)
CARD = "#fffdf9"
CHOSEN = "#f3dcc8"

ZONE_WASH: dict[CardKind, str] = {
    CardKind.STRENGTH: "#f8eadb",
    CardKind.TALENT: "#f6eed5",
    CardKind.HOPE: "#e9efe3",
    CardKind.DESIRE: "#efe8f1",
    CardKind.GOOD_IN_MY_LIFE: "#f7ecd2",
    CardKind.HARD_RIGHT_NOW: "#e5ecf2",
}


@dataclass(frozen=True)
class Swatch:
    name: str
    colour: str | None  # None: the plain card


SWATCHES: tuple[Swatch, ...] = (
    Swatch("Plain", None),
    Swatch("Apricot", "#f7dcc6"),
    Swatch("Honey", "#f5e6b8"),
    Swatch("Sage", "#dcead6"),
    Swatch("Sky", "#d9e6f2"),
    Swatch("Lilac", "#e8ddf0"),
    Swatch("Rose", "#f3d7dc"),
)


def swatch_name(colour: str | None) -> str:
    for swatch in SWATCHES:
        if swatch.colour is not None and colour is not None:
            if swatch.colour.lower() == colour.lower():
                return swatch.name
        elif swatch.colour is None and colour is None:
            return swatch.name
    return "Own colour"


def card_fill(colour: str | None) -> QColor:
    return QColor(colour or CARD)


LARGE = 1.5  # storyteller mode: type at least 1.5× and touch targets at least 48 px
TARGET_PX = 32
LARGE_TARGET_PX = 48


def tool_stylesheet(base_pt: float, large: bool) -> str:
    """The tool's own sheet: its type size (over the application's) and its quiet controls."""
    size = base_pt * (LARGE if large else 1.0)
    target = LARGE_TARGET_PX if large else TARGET_PX
    return f"""
        QWidget {{ font-size: {size:.1f}pt; color: {INK}; }}
        QWidget#strengthsTool {{ background: {PAPER}; }}
        QScrollArea, QScrollArea > QWidget > QWidget#qt_scrollarea_viewport {{
            background: transparent; border: none;
        }}
        QLabel#boardHeading {{ font-size: {size * 1.25:.1f}pt; font-weight: 600; }}
        QLabel#zoneTitle {{ font-size: {size * 1.1:.1f}pt; font-weight: 600; }}
        QLabel#subtle {{ color: {SOFT_INK}; }}
        QLabel#problem {{ color: #8a2f12; }}
        QFrame#zoneColumn {{ border-radius: 12px; }}
        QFrame#deckPanel, QFrame#cardEditor {{
            background: {CARD}; border: 1px solid {HAIRLINE}; border-radius: 12px;
        }}
        QListView {{ background: transparent; border: 2px solid transparent; border-radius: 10px; }}
        QListView:focus {{ border: 2px solid {ACCENT}; }}
        QListView#promptList {{ background: {CARD}; }}
        QPushButton, QToolButton, QComboBox {{ min-height: {target}px; }}
        QPushButton, QToolButton {{
            background: {CARD}; color: {INK}; border: 1px solid #cdbba8;
            border-radius: 8px; padding: 2px 12px;
        }}
        QPushButton:checked, QToolButton:checked {{
            background: {CHOSEN}; border: 1px solid {ACCENT};
        }}
        QPushButton:hover, QToolButton:hover {{ background: #f6ede3; }}
        QPushButton:focus, QToolButton:focus, QComboBox:focus, QLineEdit:focus,
        QPlainTextEdit:focus {{ border: 2px solid {ACCENT}; }}
        QPushButton#primary {{ background: {ACCENT}; color: #ffffff; border: 1px solid {ACCENT}; }}
        QPushButton#primary:focus {{ border: 2px solid {INK}; }}
        QLineEdit, QPlainTextEdit {{
            background: #ffffff; border: 1px solid #cdbba8; border-radius: 8px; padding: 4px 6px;
            min-height: {target - 8}px;
        }}
    """
