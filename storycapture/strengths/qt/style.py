"""The board's colours and sizes: warm paper, soft zone washes, a few warm card swatches.

Zones are told apart by a soft wash, never by red and green (which read as a verdict);
"hard right now" is a calm blue, as hard times are on the timeline. Each of the window's looks
(light, dark, high contrast) has its own set (``LOOKS``); the module's plain constants are the
light look's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtGui import QColor, QPalette

from storycapture.domain.vocabulary import CardKind
from storycapture.qtkit.looks import checked_look, look_of, scaled_px
from storycapture.qtkit.palette import (
    BOARD,
    SWATCH_BANDS_HIGH_CONTRAST,
    SWATCH_FILLS_DARK,
    ZONE_WASH,
)
from storycapture.qtkit.palette import SWATCHES as PALETTE_SWATCHES

_LIGHT = BOARD["light"]
PAPER = _LIGHT["paper"]
INK = _LIGHT["ink"]
SOFT_INK = _LIGHT["soft_ink"]
HAIRLINE = _LIGHT["hairline"]
ACCENT = _LIGHT["accent"]
ACCENT_TEXT = _LIGHT["accent_text"]  # the accent dark enough for small words on every swatch
CARD = _LIGHT["card"]
CHOSEN = _LIGHT["chosen"]


def _washes(look: str) -> dict[CardKind, str]:
    return {kind: ZONE_WASH[look][kind.value] for kind in CardKind}


@dataclass(frozen=True)
class Swatch:
    name: str
    colour: str | None  # None: the plain card


SWATCHES: tuple[Swatch, ...] = (
    Swatch("Plain", None),
    *(Swatch(name, colour) for name, colour in PALETTE_SWATCHES),
)


def swatch_name(colour: str | None) -> str:
    for swatch in SWATCHES:
        if swatch.colour is not None and colour is not None:
            if swatch.colour.lower() == colour.lower():
                return swatch.name
        elif swatch.colour is None and colour is None:
            return swatch.name
    return "Own colour"


@dataclass(frozen=True)
class Look:
    """The board's colours in one of the window's looks (light, dark, high contrast).

    Words are drawn in ``ink`` and ``soft_ink`` on ``paper``, on every zone wash and on every
    card fill; the storyteller's own words are marked in ``accent_text`` on the cards. A card's
    colour is kept as its light swatch (Apricot's pale orange); each look shows it its own way:
    the dark look as a deep shade of it, high contrast as a bright band across the top of a
    black card, so the colour chosen is still there to see.
    """

    name: str
    paper: str
    ink: str
    soft_ink: str
    hairline: str
    accent: str  # focus rings, the chosen card's border, the drop line
    accent_text: str
    on_accent: str  # words on an accent-coloured button
    card: str
    card_border: str
    chosen: str  # a checked button, the chosen idea in the deck
    chosen_ink: str
    hover: str
    field: str
    control_border: str
    problem: str
    zone_wash: Mapping[CardKind, str]
    zone_border: str
    swatch_border: str
    handle: str  # a scroll bar's handle, and under the pointer
    handle_hover: str
    fills: Mapping[str, str]  # a swatch's light colour (lower case) → its card fill here
    bands: Mapping[str, str]  # … → the band across the top of its card (high contrast)

    @property
    def high_contrast(self) -> bool:
        return self.name == "high-contrast"

    @property
    def dark(self) -> bool:
        return self.name != "light"

    def card_fill(self, colour: str | None) -> QColor:
        """The fill of a card of ``colour`` (None: the plain card)."""
        if colour is None or not QColor(colour).isValid() or self.bands:
            return QColor(self.card)
        known = self.fills.get(colour.lower())
        if known is not None:
            return QColor(known)
        # A colour of the storyteller's own: a shade of it the words still read on.
        return _deep(QColor(colour)) if self.dark else _pale(QColor(colour))

    def card_band(self, colour: str | None) -> QColor | None:
        """The bright band that shows a card's colour where cards keep one fill (high contrast)."""
        if not self.bands or colour is None or not QColor(colour).isValid():
            return None
        known = self.bands.get(colour.lower())
        return QColor(known) if known is not None else _bright(QColor(colour))

    def swatch_fill(self, colour: str | None) -> str:
        """What a swatch button in the editor shows: the colour as cards show it here."""
        band = self.card_band(colour)
        return band.name() if band is not None else self.card_fill(colour).name()


def _pale(colour: QColor) -> QColor:
    """An own colour as a pale tint, for cards in the light look (dark words read on it)."""
    return QColor.fromHslF(max(colour.hslHueF(), 0.0), min(colour.hslSaturationF(), 0.6), 0.9)


def _deep(colour: QColor) -> QColor:
    """An own colour as a deep shade, for cards in the dark look (cream words read on it)."""
    return QColor.fromHslF(max(colour.hslHueF(), 0.0), colour.hslSaturationF() * 0.35, 0.24)


def _bright(colour: QColor) -> QColor:
    """An own colour bright enough to see on black."""
    return QColor.fromHslF(
        max(colour.hslHueF(), 0.0), max(colour.hslSaturationF(), 0.6), max(colour.lightnessF(), 0.7)
    )


def _by_swatch(*colours: str) -> Mapping[str, str]:
    light = [swatch.colour for swatch in SWATCHES if swatch.colour is not None]
    return MappingProxyType({key.lower(): value for key, value in zip(light, colours, strict=True)})


def _look(name: str, fills: Mapping[str, str], bands: Mapping[str, str]) -> Look:
    """The board's look ``name`` from ``qtkit.palette``."""
    c = BOARD[name]
    washes = _washes(name) if name in ZONE_WASH else dict.fromkeys(CardKind, c["zone_wash"])
    return Look(
        name=name,
        paper=c["paper"],
        ink=c["ink"],
        soft_ink=c["soft_ink"],
        hairline=c["hairline"],
        accent=c["accent"],
        accent_text=c["accent_text"],
        on_accent=c["on_accent"],
        card=c["card"],
        card_border=c["card_border"],
        chosen=c["chosen"],
        chosen_ink=c.get("chosen_ink", c["ink"]),
        hover=c["hover"],
        field=c["field"],
        control_border=c["control_border"],
        problem=c["problem"],
        zone_wash=MappingProxyType(washes),
        zone_border=c.get("zone_border", "transparent"),
        swatch_border=c["swatch_border"],
        handle=c["handle"],
        handle_hover=c["handle_hover"],
        fills=fills,
        bands=bands,
    )


_NONE: Mapping[str, str] = MappingProxyType({})
LIGHT = _look("light", _by_swatch(*(colour for _name, colour in PALETTE_SWATCHES)), _NONE)
# Warm, deep washes a little lighter than the dark paper, cards lighter again; cream words.
DARK = _look("dark", _by_swatch(*SWATCH_FILLS_DARK), _NONE)
# Black zones with white edges, black cards with white words; the yellow marks what is chosen.
HIGH_CONTRAST = _look("high-contrast", _NONE, _by_swatch(*SWATCH_BANDS_HIGH_CONTRAST))
LOOKS: Mapping[str, Look] = MappingProxyType(
    {"light": LIGHT, "dark": DARK, "high-contrast": HIGH_CONTRAST}
)


def look_for(theme: str | None = None, palette: QPalette | None = None) -> Look:
    """The board's look for ``theme``; without one, for the look of ``palette`` (the
    application's palette when none is given)."""
    return LOOKS[checked_look(theme) if theme is not None else look_of(palette)]


def card_fill(colour: str | None, look: Look = LIGHT) -> QColor:
    return look.card_fill(colour)


LARGE = 1.5  # storyteller mode: type at least 1.5× and touch targets at least 48 px
TARGET_PX = 32
LARGE_TARGET_PX = 48


def tool_stylesheet(base_pt: float, large: bool, theme: str = "light") -> str:
    """The tool's own sheet: its type size (over the application's), its colours in ``theme``
    and its quiet controls."""
    c = LOOKS[checked_look(theme)]
    size = base_pt * (LARGE if large else 1.0)
    target = scaled_px(LARGE_TARGET_PX) if large else TARGET_PX  # grown as the mode is
    return f"""
        QWidget {{ font-size: {size:.1f}pt; color: {c.ink}; }}
        QWidget#strengthsTool {{ background: {c.paper}; }}
        QScrollArea, QScrollArea > QWidget > QWidget#qt_scrollarea_viewport {{
            background: transparent; border: none;
        }}
        QLabel#boardHeading {{ font-size: {size * 1.25:.1f}pt; font-weight: 600; }}
        QLabel#zoneTitle {{ font-size: {size * 1.1:.1f}pt; font-weight: 600; color: {c.ink}; }}
        QLabel#subtle {{ color: {c.soft_ink}; }}
        QLabel#problem {{ color: {c.problem}; }}
        QFrame#zoneColumn {{ border-radius: 12px; }}
        QFrame#deckPanel, QFrame#cardEditor {{
            background: {c.card}; border: 1px solid {c.hairline}; border-radius: 12px;
        }}
        QListView {{
            background: transparent; color: {c.ink};
            border: 2px solid transparent; border-radius: 10px;
        }}
        QListView:focus {{ border: 2px solid {c.accent}; }}
        QListView#promptList {{ background: {c.card}; }}
        QPushButton, QToolButton, QComboBox {{ min-height: {target}px; }}
        QComboBox {{
            background: {c.field}; alternate-background-color: {c.hover}; color: {c.ink};
        }}
        QComboBox:disabled {{ color: {c.soft_ink}; }}
        QComboBox QAbstractItemView {{
            background: {c.card}; color: {c.ink};
            selection-background-color: {c.chosen}; selection-color: {c.chosen_ink};
        }}
        QScrollBar::handle:vertical, QScrollBar::handle:horizontal {{ background: {c.handle}; }}
        QScrollBar::handle:hover {{ background: {c.handle_hover}; }}
        QPushButton, QToolButton {{
            background: {c.card}; color: {c.ink}; border: 1px solid {c.control_border};
            border-radius: 8px; padding: 2px 12px;
        }}
        QPushButton:checked, QToolButton:checked {{
            background: {c.chosen}; color: {c.chosen_ink}; border: 1px solid {c.accent};
        }}
        QPushButton:hover, QToolButton:hover {{ background: {c.hover}; }}
        QPushButton:checked:hover, QToolButton:checked:hover {{ background: {c.chosen}; }}
        QPushButton:disabled {{ color: {c.soft_ink}; }}
        QPushButton:focus, QToolButton:focus, QComboBox:focus, QLineEdit:focus,
        QPlainTextEdit:focus {{ border: 2px solid {c.accent}; }}
        QPushButton#primary {{
            background: {c.accent}; color: {c.on_accent}; border: 1px solid {c.accent};
        }}
        QPushButton#primary:focus {{ border: 2px solid {c.ink}; }}
        QLineEdit, QPlainTextEdit {{
            background: {c.field}; color: {c.ink}; border: 1px solid {c.control_border};
            border-radius: 8px; padding: 4px 6px; min-height: {target - 8}px;
        }}
    """
