"""The picture's sizes in pixels, defined once: the Qt items read the same ``Sizes`` as the
layout, so both agree on where things are; and how the picture is arranged (``LayoutMode``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

LARGE = 1.5  # storyteller mode: the picture, type and all, half as large again
SQUEEZE = 0.9  # lanes may be this much thinner than they would like before the view scrolls
MAX_LANE_ROWS = 3


@dataclass(frozen=True, slots=True)
class Sizes:
    """The picture's sizes in pixels, all ``factor`` times the normal ones (``NORMAL``).
    Storyteller mode draws the picture ``LARGE``: its words are half as large again, so the
    cards, bars, bands and gaps that hold them grow with them and nothing overlaps or is cut."""

    # The normal picture, in pixels: the one place these numbers are written.
    NORMAL: ClassVar[Mapping[str, float]] = MappingProxyType(
        {
            "card_height": 26.0,
            "card_gap": 4.0,  # between a card's bottom and the top of its event's mark
            "dot": 12.0,
            "bar_height": 15.0,
            "bar_gap": 3.0,
            "band_pad": 2.0,
            "empty_lane": 24.0,
            "cluster_px": 26.0,  # events whose marks would sit closer than this gather into one
            "max_card_px": 280.0,  # the widest a card can be (its title is cut short beyond)
            "bar_text_pad": 16.0,  # a bar holds its own title when this much wider than it
            "min_bar_px": 10.0,
            "top_margin": 4.0,
            "card_spacing": 4.0,  # the least room between two cards side by side
            "label_offset": 4.0,  # an axis label starts just right of its tick
            "label_gap": 10.0,  # the least space between two axis labels
        }
    )

    factor: float = 1.0
    card_height: float = field(init=False)
    card_gap: float = field(init=False)  # between a card's bottom and the top of its mark
    dot: float = field(init=False)
    bar_height: float = field(init=False)
    bar_gap: float = field(init=False)
    band_pad: float = field(init=False)
    card_zone: float = field(init=False)
    line_offset: float = field(init=False)  # from a band's top to its line
    row: float = field(init=False)
    min_band: float = field(init=False)  # a card, a mark, and one row of bars
    empty_lane: float = field(init=False)
    cluster_px: float = field(init=False)
    max_card_px: float = field(init=False)
    bar_text_pad: float = field(init=False)
    min_bar_px: float = field(init=False)
    top_margin: float = field(init=False)
    card_spacing: float = field(init=False)
    label_offset: float = field(init=False)
    label_gap: float = field(init=False)

    def __post_init__(self) -> None:
        f = self.factor
        if not 0.5 <= f <= 4.0:
            raise ValueError(f"a picture size factor of {f} is out of reach")
        values = {name: normal * f for name, normal in self.NORMAL.items()}
        # What follows from them: a card's zone above the line, the line, a row of bars.
        card_zone = values["card_height"] + values["card_gap"] + 2.0 * f
        line_offset = card_zone + values["dot"] / 2
        values["card_zone"] = card_zone
        values["line_offset"] = line_offset
        values["row"] = values["bar_height"] + values["bar_gap"]
        values["min_band"] = line_offset + values["bar_height"] / 2 + values["band_pad"]
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def cluster_radius(self, count: int) -> float:
        """A cluster's disc grows with the digits of its count."""
        return (8.5 + 2.5 * len(str(count))) * self.factor


SIZES = Sizes()  # the normal picture


class LayoutMode(StrEnum):
    LIFELINE = "lifeline"
    LANES = "lanes"
