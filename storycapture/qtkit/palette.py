"""Every colour StoryCapture shows, in one place: the window's three themes (light, dark, high
contrast), storyteller mode's two looks, the timeline picture, the strengths board, the
signature pad, the give-back book and the made-up demo photo.

Nothing else in the package spells a colour out (a test checks): the window's style, both
tools, storyteller mode, the consent and give-back pages all read their colours from here, so
a change of a colour is a change in one file. Plain strings only (``#rrggbb``), no Qt: the
services can name an example colour without pulling in the GUI.

Warm paper, soft ink, one terracotta accent in the light theme; deep warm brown-grey and cream
in the dark one; black, white and yellow in high contrast. Words read at WCAG 4.5:1 (7:1 in
high contrast); what a graphic says (a feeling's dot, a fuzzy date's core, a control's edge,
a chosen row, a focus ring) shows at 3:1 against the paper (4.5:1 in high contrast).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

WHITE = "#ffffff"
BLACK = "#000000"
EXAMPLE_COLOUR = "#F4C95D"  # what a colour looks like, in messages
# Calm colours a theme of the story-sharing room can take, in the order new themes take
# them (a theme can take any).
THEME_COLOURS = (
    "#F4C95D",  # marigold
    "#9CC5A1",  # sage
    "#F2A488",  # apricot
    "#A7C4E5",  # sky
    "#D6B4E0",  # lilac
    "#E8D7A9",  # sand
    "#B5D8D6",  # sea glass
    "#F6B8C5",  # rose
)


def _frozen(table: dict[str, dict[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({name: MappingProxyType(colours) for name, colours in table.items()})


# --- the window --------------------------------------------------------------------------------
# Keys are the names tests and stylesheets talk about; most map onto a QPalette role
# (``gui.theme``). The stylesheets in ``resources/styles`` repeat these (a test checks).
WINDOW: Mapping[str, Mapping[str, str]] = _frozen(
    {
        "light": {
            "window": "#fbf7f1",
            "window_text": "#2f2a26",
            "base": "#ffffff",
            "alternate_base": "#f6efe6",
            "text": "#2f2a26",
            "placeholder_text": "#7a6f66",
            "button": "#f1e6da",
            "button_text": "#2f2a26",
            "highlight": "#f0d9c4",
            "highlighted_text": "#2f2a26",
            "tooltip_base": "#3d3530",
            "tooltip_text": "#fbf7f1",
            "link": "#9a4a1f",
            "disabled_text": "#8c7a6a",
            "subtle_text": "#6b615a",
            "border": "#9b8878",
            "accent": "#ad5a2c",
            "accent_text": "#ffffff",
            "focus": "#ad5a2c",
            "problem_text": "#8a2d1f",
            "problem_background": "#fbe9e4",
        },
        "dark": {
            "window": "#2a2420",
            "window_text": "#f2e8dc",
            "base": "#332c27",
            "alternate_base": "#3a322c",
            "text": "#f2e8dc",
            "placeholder_text": "#a8998c",
            "button": "#40362f",
            "button_text": "#f2e8dc",
            "highlight": "#6e4128",
            "highlighted_text": "#ffffff",
            "tooltip_base": "#f2e8dc",
            "tooltip_text": "#2a2420",
            "link": "#f0b68a",
            "disabled_text": "#8a7a6c",
            "subtle_text": "#c7b7a8",
            "border": "#8f7d6e",
            "accent": "#e3a06f",
            "accent_text": "#2a1a10",
            "focus": "#e3a06f",
            "problem_text": "#ffd6cc",
            "problem_background": "#5a2119",
        },
        "high-contrast": {
            "window": "#000000",
            "window_text": "#ffffff",
            "base": "#000000",
            "alternate_base": "#1a1a1a",
            "text": "#ffffff",
            "placeholder_text": "#d0d0d0",
            "button": "#000000",
            "button_text": "#ffffff",
            "highlight": "#ffd400",
            "highlighted_text": "#000000",
            "tooltip_base": "#ffffff",
            "tooltip_text": "#000000",
            "link": "#7fdfff",
            "disabled_text": "#a0a0a0",
            "subtle_text": "#e6e6e6",
            "border": "#ffffff",
            "accent": "#ffd400",
            "accent_text": "#000000",
            "focus": "#ffd400",
            "problem_text": "#ffffff",
            "problem_background": "#3b0000",
        },
    }
)
STORYTELLER: Mapping[str, Mapping[str, str]] = _frozen(
    {
        "calm": {
            "background": "#fbf7f1",
            "text": "#2f2a26",
            "subtle_text": "#6b615a",
            "card": "#ffffff",
            "card_border": "#e3d6c8",
            "button": "#f1e6da",
            "button_hover": "#ead9c7",
            "button_text": "#2f2a26",
            "border": "#9b8878",
            "accent": "#ad5a2c",
            "accent_hover": "#94491f",
            "accent_text": "#ffffff",
            "focus": "#ad5a2c",
            "focus_on_accent": "#2f2a26",
            "field": "#ffffff",
            "field_text": "#2f2a26",
            "link": "#9a4a1f",
            "problem_text": "#8a2d1f",
            "problem_background": "#fbe9e4",
        },
        "high-contrast": {
            "background": "#000000",
            "text": "#ffffff",
            "subtle_text": "#ffffff",
            "card": "#000000",
            "card_border": "#ffffff",
            "button": "#000000",
            "button_hover": "#1a1a1a",
            "button_text": "#ffffff",
            "border": "#ffffff",
            "accent": "#ffd400",
            "accent_hover": "#ffe34d",
            "accent_text": "#000000",
            "focus": "#ffd400",
            "focus_on_accent": "#ffffff",
            "field": "#000000",
            "field_text": "#ffffff",
            "link": "#ffd400",
            "problem_text": "#ffffff",
            "problem_background": "#000000",
        },
    }
)


# --- the timeline picture -----------------------------------------------------------------------
# ``scale`` is the seven feelings, −3 to +3: blues that stay blue down to "a bit hard", then sand,
# then golds that warm up towards "very good"; never red and green.
TIMELINE: Mapping[str, Mapping[str, str]] = _frozen(
    {
        "light": {
            "paper": "#fbf7f1",
            "ink": "#2f2a26",
            "soft_ink": "#6b615a",
            "hairline": "#e4d8ca",
            "accent": "#c2703d",
            "card": "#fffdf9",
            "edge": "#75645a",
            "control_edge": "#8c7a6a",
            "selection": "#f0d9c4",
            "selection_ink": "#2f2a26",
            "selection_edge": "#ad5a2c",
            "chosen_ink": "#2f2a26",
            "handle": "#c9b8a6",
            "handle_hover": "#9b8878",
        },
        "dark": {
            "paper": "#2a2420",
            "ink": "#f2e8dc",
            "soft_ink": "#c7b7a8",
            "hairline": "#4a3f37",
            "accent": "#e3a06f",
            "card": "#342c27",
            "edge": "#ab9a8c",
            "control_edge": "#9c8a7b",
            "selection": "#6e4128",
            "selection_ink": "#f2e8dc",
            "selection_edge": "#e3a06f",
            "chosen_ink": "#f2e8dc",
            "handle": "#6b5d52",
            "handle_hover": "#8f7d6e",
        },
        "high-contrast": {
            "paper": "#000000",
            "ink": "#ffffff",
            "soft_ink": "#e6e6e6",
            "hairline": "#767676",
            "accent": "#ffd400",
            "card": "#000000",
            "edge": "#d0d0d0",
            "control_edge": "#ffffff",
            "selection": "#ffd400",
            "selection_ink": "#000000",
            "selection_edge": "#ffd400",
            "chosen": "#ffd400",
            "chosen_ink": "#000000",
            "hover": "#262626",
            "handle": "#ffffff",
            "handle_hover": "#ffd400",
        },
    }
)
FEELINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "light": ("#6a8ec4", "#86a6d0", "#a9c0da", "#d3c6b0", "#e6cd8c", "#e7b85a", "#e0a138"),
        "dark": ("#5f86bd", "#7497c4", "#8ea6c2", "#9c8e7b", "#c4a766", "#d3a44a", "#d9a03a"),
        "high-contrast": (
            "#6fa8ff",
            "#8fbaff",
            "#b3cff5",
            "#d6cbb6",
            "#f2dc8c",
            "#ffcf4a",
            "#ffbf1f",
        ),
    }
)

# --- the strengths board ------------------------------------------------------------------------
# Zones are told apart by a soft wash, never by red and green; "hard right now" is a calm blue.
# Zone washes are by card kind (its value); swatches are the card colours offered, by name, as
# kept (their light colour); ``fills`` and ``bands`` are how the dark and high-contrast looks
# show each swatch, in the same order.
BOARD: Mapping[str, Mapping[str, str]] = _frozen(
    {
        "light": {
            "paper": "#fbf7f1",
            "ink": "#2f2a26",
            "soft_ink": "#5f564f",
            "hairline": "#e4d8ca",
            "accent": "#ad5a2c",
            "accent_text": "#8f4520",  # dark enough for small words on every swatch (≥ 4.5:1)
            "on_accent": "#ffffff",
            "card": "#fffdf9",
            "card_border": "#8c7a6a",
            "chosen": "#f3dcc8",
            "hover": "#f6ede3",
            "field": "#ffffff",
            "control_border": "#8c7a6a",
            "problem": "#8a2f12",
            "swatch_border": "#8c7a6a",
            "handle": "#c9b8a6",
            "handle_hover": "#9b8878",
        },
        "dark": {
            "paper": "#2a2420",
            "ink": "#f2e8dc",
            "soft_ink": "#c7b7a8",
            "hairline": "#4a3f37",
            "accent": "#e3a06f",
            "accent_text": "#f0b68a",
            "on_accent": "#2a1a10",
            "card": "#403630",
            "card_border": "#a8978a",
            "chosen": "#6e4128",
            "hover": "#463b34",
            "field": "#332c27",
            "control_border": "#a8978a",
            "problem": "#ffd6cc",
            "swatch_border": "#a8978a",
            "handle": "#6b5d52",
            "handle_hover": "#8f7d6e",
        },
        "high-contrast": {
            "paper": "#000000",
            "ink": "#ffffff",
            "soft_ink": "#e6e6e6",
            "hairline": "#ffffff",
            "accent": "#ffd400",
            "accent_text": "#ffd400",
            "on_accent": "#000000",
            "card": "#000000",
            "card_border": "#ffffff",
            "chosen": "#ffd400",
            "chosen_ink": "#000000",
            "hover": "#1a1a1a",
            "field": "#000000",
            "control_border": "#ffffff",
            "problem": "#ffffff",
            "zone_wash": "#000000",
            "zone_border": "#ffffff",
            "swatch_border": "#ffffff",
            "handle": "#ffffff",
            "handle_hover": "#ffd400",
        },
    }
)
ZONE_WASH: Mapping[str, Mapping[str, str]] = _frozen(
    {
        "light": {
            "strength": "#f8eadb",
            "talent": "#f6eed5",
            "hope": "#e9efe3",
            "desire": "#efe8f1",
            "good_in_my_life": "#f7ecd2",
            "hard_right_now": "#e5ecf2",
        },
        "dark": {
            "strength": "#382b22",
            "talent": "#36301f",
            "hope": "#2a3126",
            "desire": "#332b37",
            "good_in_my_life": "#383121",
            "hard_right_now": "#263039",
        },
    }
)
SWATCHES: tuple[tuple[str, str], ...] = (
    ("Apricot", "#f7dcc6"),
    ("Honey", "#f5e6b8"),
    ("Sage", "#dcead6"),
    ("Sky", "#d9e6f2"),
    ("Lilac", "#e8ddf0"),
    ("Rose", "#f3d7dc"),
)
SWATCH_FILLS_DARK: tuple[str, ...] = (
    "#5e3f2c",
    "#54472a",
    "#3a4a35",
    "#33475c",
    "#4a3d58",
    "#5a3a42",
)
SWATCH_BANDS_HIGH_CONTRAST: tuple[str, ...] = (
    "#ffab70",
    "#ffdc5e",
    "#8fd68f",
    "#85c2ff",
    "#cfa6ff",
    "#ff9fb5",
)

# --- paper: the signature pad, the give-back book, the demo photo ------------------------------
# The signature pad stays light in every theme, like a real sheet.
SIGNATURE: Mapping[str, str] = MappingProxyType(
    {
        "paper": "#fffdf9",
        "ink": "#231d19",
        "guide": "#d9cbbd",
        "hint": "#6b615a",
        "thumbnail_edge": "#b8a898",
        "thumbnail": "#ffffff",
    }
)
# The give-back book: dark brown words, a terracotta accent, the app's washes.
GIVE_BACK: Mapping[str, str] = MappingProxyType(
    {
        "ink": "#2f2a26",
        "soft_ink": "#5f564f",
        "accent": "#b8643a",
        "quote_mark": "#d9a07c",  # the accent, softened: a big mark that does not shout
    }
)
# A made-up picture for screenshots: a blue sky, a green field and a sun.
DEMO_PHOTO: Mapping[str, str] = MappingProxyType(
    {"sky": "#a9cbe8", "field": "#7aa35a", "sun": "#f2c14e"}
)
