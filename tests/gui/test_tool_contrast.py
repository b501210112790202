"""The timeline and the strengths board in every look: the window's three themes reach inside
them, storyteller mode's high-contrast switch does too, and every pair of words and what they
are drawn on reads at WCAG 4.5:1 (light, dark) or 7:1 (high contrast).

The tools are built on a real temporary vault with a storyteller, moments and cards, and the
colours checked are those the tools hold and paint with, read back from them (and a few from
the pixels they draw)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.gui.storyteller_mode import StorytellerMode
from storycapture.gui.theme import THEMES, apply_theme, theme_palette
from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.vault import VaultSession
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt import style as board_style
from storycapture.strengths.qt.cards import MARGIN_X
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from storycapture.timeline.qt import style as picture_style
from storycapture.timeline.qt.event_list import EventListDelegate
from storycapture.timeline.qt.items import EventItem, PeriodItem
from storycapture.timeline.qt.style import Colours
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR

OWN_COLOUR = "#7f3fbf"  # a colour of the storyteller's own, not one of the swatches


def luminance(colour: QColor | str) -> float:
    colour = QColor(colour)
    channels = []
    for value in (colour.redF(), colour.greenF(), colour.blueF()):
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: QColor | str, second: QColor | str) -> float:
    """The WCAG 2 contrast ratio of two colours."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def needed(theme: str) -> float:
    return 7.0 if theme == "high-contrast" else 4.5


def assert_reads(pairs: list[tuple[str, QColor | str, QColor | str]], least: float) -> None:
    poor = [
        f"{what}: {QColor(text).name()} on {QColor(ground).name()} is "
        f"{contrast(text, ground):.2f}:1"
        for what, text, ground in pairs
        if contrast(text, ground) < least
    ]
    assert not poor, f"below {least}:1 — " + "; ".join(poor)


def picture_pairs(colours: Colours) -> list[tuple[str, QColor | str, QColor | str]]:
    """Every pair of words and ground the timeline draws."""
    pairs: list[tuple[str, QColor | str, QColor | str]] = [
        ("ink on paper", colours.ink, colours.paper),
        ("ink on a card", colours.ink, colours.card),
        ("soft words on paper", colours.soft_ink, colours.paper),
        ("soft words on a card", colours.soft_ink, colours.card),
        ("the chosen row", colours.selection_ink, colours.selection),
        ("a chosen button", colours.chosen_ink, colours.chosen),
        ("a button under the pointer", colours.ink, colours.hover),
        ("the drag hint", colours.paper, colours.ink),
        ("today", colours.accent.darker(120), colours.paper),
        ("an odd lane", colours.ink, colours.lane_wash(1)),
        ("an even lane", colours.ink, colours.lane_wash(0)),
    ]
    for valence in range(-3, 4):
        pairs += [
            (f"the band of {valence:+}", colours.ink, colours.band_wash(valence)),
            (f"a bar of {valence:+}", colours.ink, colours.bar_fill(valence)),
            (f"a cluster of {valence:+}", colours.ink, colours.disc_fill(valence)),
        ]
    return pairs


def board_pairs(look: board_style.Look) -> list[tuple[str, QColor | str, QColor | str]]:
    """Every pair of words and ground the strengths board draws."""
    pairs: list[tuple[str, QColor | str, QColor | str]] = [
        ("ink on paper", look.ink, look.paper),
        ("soft words on paper", look.soft_ink, look.paper),
        ("ink in a panel", look.ink, look.card),
        ("soft words in a panel", look.soft_ink, look.card),
        ("a chosen button or idea", look.chosen_ink, look.chosen),
        ("the main button", look.on_accent, look.accent),
        ("a button under the pointer", look.ink, look.hover),
        ("typing", look.ink, look.field),
        ("a problem", look.problem, look.paper),
    ]
    for kind, wash in look.zone_wash.items():
        pairs += [
            (f"{kind.value}'s title", look.ink, wash),
            (f"{kind.value}'s hint", look.soft_ink, wash),
        ]
    colours = [swatch.colour for swatch in board_style.SWATCHES] + [OWN_COLOUR]
    for colour in colours:
        fill = look.card_fill(colour)
        name = board_style.swatch_name(colour)
        pairs += [
            (f"words on a {name} card", look.ink, fill),
            (f"who wrote a {name} card", look.soft_ink, fill),
            (f"the storyteller's mark on a {name} card", look.accent_text, fill),
        ]
    return pairs


# --- the tools, on a real vault ---------------------------------------------------------------


@pytest.fixture
def story(vault: VaultSession, storyteller_uuid: str) -> str:
    """Moments of every feeling (one a period, one asking for help, one private) and cards of
    every colour in every zone, some in the storyteller's own words."""
    timeline = TimelineService(vault)
    for number, valence in enumerate(range(-3, 4)):
        timeline.add_event(
            storyteller_uuid,
            title=f"Moment {number}",
            starts=str(1990 + 4 * number),
            ends=str(1992 + 4 * number) if valence == 1 else None,
            valence=valence,
            visibility=Visibility.PRIVATE if valence == -1 else Visibility.TEAM,
            author=FACILITATOR,
        )
    strengths = StrengthService(vault)
    colours = [swatch.colour for swatch in board_style.SWATCHES] + [OWN_COLOUR]
    for number, kind in enumerate(CardKind):
        for colour in colours[number % 2 :: 2]:
            strengths.add_card(
                storyteller_uuid,
                kind=kind,
                text=f"A card, {board_style.swatch_name(colour)}",
                colour=colour,
                visibility=Visibility.PRIVATE if number % 3 == 0 else Visibility.TEAM,
                author=FACILITATOR,
            )
    return storyteller_uuid


def make_tools(
    qtbot: QtBot, vault: VaultSession, storyteller: str
) -> tuple[TimelineTool, StrengthsTool]:
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    timeline = TimelineTool(TimelineService(vault), PhotoService(vault), context)
    strengths = StrengthsTool(StrengthService(vault), context, PromptDeck.load())
    for tool in (timeline, strengths):
        qtbot.addWidget(tool)
        tool.resize(1366, 768)
        tool.show()
        qtbot.waitExposed(tool)
    timeline.show_storyteller(storyteller, 1980)
    strengths.show_storyteller(storyteller)
    return timeline, strengths


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def pixel(widget: QWidget, at: QPoint) -> QColor:
    return widget.grab().toImage().pixelColor(at)


def card_fill_drawn(tool: StrengthsTool, kind: CardKind, row: int = 0) -> QColor:
    """The fill a card is painted with, read off the screen beside its words."""
    view = tool.zone_view(kind)
    rect = view.visualRect(view.zone_model.index(row, 0))
    at = QPoint(view.viewport().width() - MARGIN_X - 6, rect.center().y())
    return pixel(view.viewport(), at)


def check_timeline(tool: TimelineTool, theme: str) -> None:
    colours = tool.colours
    assert tool.theme() == theme
    assert colours is picture_style.THEME_COLOURS[theme]
    assert tool.scene.kit.colours is colours
    delegate = tool.list_view.itemDelegate()
    assert isinstance(delegate, EventListDelegate) and delegate.colours is colours
    assert colours.card.name() in tool.list_view.styleSheet()
    assert colours.chosen.name() in tool.toolbar.styleSheet()
    assert_reads(picture_pairs(colours), needed(theme))
    # What is on the screen: the picture's paper, and the words on the list beside it.
    tool.view.viewport().repaint()
    drawn = pixel(tool.band_ruler, QPoint(tool.band_ruler.width() - 6, 2))
    assert contrast(colours.ink, drawn) >= needed(theme), (theme, drawn.name())


def check_board(tool: StrengthsTool, theme: str) -> None:
    look = tool.look
    assert tool.theme() == theme
    assert look is board_style.LOOKS[theme]
    sheet = tool.styleSheet()
    assert f"background: {look.paper}" in sheet and f"color: {look.ink}" in sheet
    for page in tool.pages:
        for column in page.columns:
            assert column.look is look and column.view.card_delegate.look is look
            assert look.zone_wash[column.zone.kind] in column.styleSheet()
    assert tool.deck_panel.prompt_delegate.look is look
    assert_reads(board_pairs(look), needed(theme))
    # What is on the screen: a card's fill beside its words.
    tool.show_board(0)
    settle()
    card = tool.zone_view(CardKind.STRENGTH).zone_model.card(0)
    assert card is not None
    drawn = card_fill_drawn(tool, CardKind.STRENGTH)
    assert drawn.name() == look.card_fill(card.colour).name()
    assert contrast(look.ink, drawn) >= needed(theme)


@pytest.mark.parametrize("theme", THEMES)
def test_tools_paint_in_the_window_theme_and_read_well(
    qtbot: QtBot, restored_app: QApplication, vault: VaultSession, story: str, theme: str
) -> None:
    apply_theme(restored_app, theme, 1.0)
    timeline, strengths = make_tools(qtbot, vault, story)
    check_timeline(timeline, theme)
    check_board(strengths, theme)


def test_open_tools_follow_a_change_of_theme(
    qtbot: QtBot, restored_app: QApplication, vault: VaultSession, story: str
) -> None:
    apply_theme(restored_app, "light", 1.0)
    timeline, strengths = make_tools(qtbot, vault, story)
    assert (timeline.theme(), strengths.theme()) == ("light", "light")
    light_card = card_fill_drawn(strengths, CardKind.STRENGTH)
    for theme in ("dark", "high-contrast", "light"):
        apply_theme(restored_app, theme, 1.0)  # as the settings dialog does
        settle()
        check_timeline(timeline, theme)
        check_board(strengths, theme)
    assert card_fill_drawn(strengths, CardKind.STRENGTH) == light_card


def test_storyteller_mode_high_contrast_reaches_inside_both_tools(
    qtbot: QtBot, restored_app: QApplication, vault: VaultSession, story: str
) -> None:
    apply_theme(restored_app, "dark", 1.0)
    timeline, strengths = make_tools(qtbot, vault, story)
    assert (timeline.theme(), strengths.theme()) == ("dark", "dark")
    mode = StorytellerMode(
        "Juniper", [("My timeline", timeline), ("My strengths", strengths)], lambda _p: False
    )
    qtbot.addWidget(mode)
    mode.resize(1366, 768)
    mode.show()
    qtbot.waitExposed(mode)
    # The calm look is light paper and ink, whatever the facilitator's own theme.
    check_timeline(timeline, "light")
    check_board(strengths, "light")
    calm_ruler = pixel(timeline.band_ruler, QPoint(timeline.band_ruler.width() - 6, 2))

    mode.contrast_button.click()
    assert mode.is_high_contrast()
    settle()
    check_timeline(timeline, "high-contrast")
    mode.set_current_page(1)
    check_board(strengths, "high-contrast")
    assert timeline.colours is not picture_style.LIGHT
    assert strengths.look.zone_border == "#ffffff"
    assert "2px solid #ffffff" in strengths.zone_view(CardKind.HOPE).column.styleSheet()
    mode.set_current_page(0)
    settle()
    assert pixel(timeline.band_ruler, QPoint(timeline.band_ruler.width() - 6, 2)) != calm_ruler

    mode.set_high_contrast(False)
    settle()
    check_timeline(timeline, "light")
    check_board(strengths, "light")

    # Out of the mode, the tools follow the window's own theme again.
    mode.set_high_contrast(True)
    mode.clear()
    assert (timeline.theme(), strengths.theme()) == ("dark", "dark")


def test_a_colour_still_shows_on_a_high_contrast_card() -> None:
    look = board_style.HIGH_CONTRAST
    bands = {}
    for swatch in board_style.SWATCHES:
        assert look.card_fill(swatch.colour) == QColor("#000000")
        band = look.card_band(swatch.colour)
        if swatch.colour is None:
            assert band is None
        else:
            assert band is not None and contrast(band, look.card) >= 7.0
            bands[swatch.name] = band.name()
    assert len(set(bands.values())) == len(bands)  # every colour its own
    own = look.card_band("#202020")  # even a dark colour of their own shows on black
    assert own is not None and contrast(own, look.card) >= 3.0
    dark = board_style.DARK
    assert dark.card_fill("#f7dcc6") != dark.card_fill("#dcead6")


# --- graphics that carry meaning: 3:1 against what is around them (4.5:1 in high contrast) -----
# Measured from painted pixels: each graphic is drawn, then drawn again without it, and the
# strongest steps between the two are its contrast. A dozen pixels must reach it, so a single
# stray pixel of antialiasing never passes for a visible mark.

VISIBLE_PIXELS = 12


def graphic_needed(theme: str) -> float:
    return 4.5 if theme == "high-contrast" else 3.0


def scene_shots(view: QGraphicsView, item: QGraphicsItem, area: QRectF) -> tuple[QImage, QImage]:
    """``area`` of the picture as ``view`` shows it, with ``item`` and without it."""
    view.centerOn(area.center())
    settle()
    source = view.mapFromScene(area).boundingRect()

    def shot() -> QImage:
        image = QImage(source.size(), QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        view.render(painter, QRectF(image.rect()), source)
        painter.end()
        return image

    drawn = shot()
    item.hide()
    ground = shot()
    item.show()
    return drawn, ground


def shown_contrast(drawn: QImage, ground: QImage) -> float:
    """The contrast a dozen of the graphic's pixels reach against what lies beneath them."""
    ratios = sorted(
        (
            contrast(drawn.pixelColor(x, y), ground.pixelColor(x, y))
            for x in range(drawn.width())
            for y in range(drawn.height())
        ),
        reverse=True,
    )
    return ratios[VISIBLE_PIXELS - 1] if len(ratios) >= VISIBLE_PIXELS else 1.0


def step_contrast(image: QImage, points: list[QPoint]) -> float:
    """The strongest step from the first point (the ground) along the rest (into a control)."""
    ground = image.pixelColor(points[0])
    return max(contrast(image.pixelColor(point), ground) for point in points[1:])


def window_shot(widget: QWidget) -> QImage:
    return widget.window().grab().toImage()


def across_edges(widget: QWidget, rect: QRect | None = None, depth: int = 6) -> list[list[QPoint]]:
    """Scans from just outside ``rect`` of ``widget`` (all of it by default) into it, across its
    left and top edges at their middles, in the window's coordinates."""
    rect = rect if rect is not None else widget.rect()
    left = widget.mapTo(widget.window(), QPoint(rect.left(), rect.center().y()))
    top = widget.mapTo(widget.window(), QPoint(rect.center().x(), rect.top()))
    return [
        [QPoint(left.x() + dx, left.y()) for dx in range(-3, depth)],
        [QPoint(top.x(), top.y() + dy) for dy in range(-3, depth)],
    ]


def edge_contrast(widget: QWidget, rect: QRect | None = None) -> float:
    image = window_shot(widget)
    return min(step_contrast(image, scan) for scan in across_edges(widget, rect))


@pytest.fixture
def marks(vault: VaultSession, storyteller_uuid: str) -> str:
    """Every feeling as a moment on one day, a moment somewhere in a decade, and a period."""
    timeline = TimelineService(vault)
    for number, valence in enumerate(range(-3, 4)):
        for starts, ends in (
            (f"{3 + number} May {1950 + 10 * number}", None),
            (f"the {1950 + 10 * number}s", None),
            (f"{1953 + 10 * number}", f"{1957 + 10 * number}"),
        ):
            timeline.add_event(
                storyteller_uuid,
                title="A moment",
                starts=starts,
                ends=ends,
                valence=valence,
                visibility=Visibility.TEAM,
                author=FACILITATOR,
            )
    return storyteller_uuid


def timeline_graphics(tool: TimelineTool) -> dict[str, float]:
    """The contrast of every feeling's dot, fade and bar, and of the moments' cards' edges."""
    scene = tool.scene
    found: dict[str, float] = {}
    for item in scene.items():
        if isinstance(item, EventItem):
            mark, valence = item.mark, item.mark.placed.valence
            if mark.fuzzy:
                what, area = f"the fade of {valence:+}", item.fade_rect
            else:
                half = mark.dot / 2 + 1
                what, area = (
                    f"the dot of {valence:+}",
                    QRectF(mark.x - half, mark.y - half, 2 * half, 2 * half),
                )
            found[what] = shown_contrast(*scene_shots(tool.view, item, area))
            if mark.card is not None:
                card = mark.card
                top = QRectF(card.x + card.width / 3, card.y - 2, card.width / 3, 4)
                found[f"a card's edge ({valence:+})"] = shown_contrast(
                    *scene_shots(tool.view, item, top)
                )
        elif isinstance(item, PeriodItem) and item.bar.card is None:
            bar = item.bar_rect
            top = QRectF(bar.left() + bar.width() / 3, bar.top() - 1, bar.width() / 3, 3)
            found[f"a bar of {item.bar.placed.valence:+}"] = shown_contrast(
                *scene_shots(tool.view, item, top)
            )
    return found


def assert_shows(found: dict[str, float], least: float) -> None:
    poor = [f"{what}: {ratio:.2f}:1" for what, ratio in sorted(found.items()) if ratio < least]
    assert not poor, f"below {least}:1 — " + "; ".join(poor)


@pytest.mark.parametrize("theme", THEMES)
def test_timeline_marks_show_against_the_paper(
    qtbot: QtBot, restored_app: QApplication, vault: VaultSession, marks: str, theme: str
) -> None:
    apply_theme(restored_app, theme, 1.0)
    timeline, _strengths = make_tools(qtbot, vault, marks)
    settle()
    found = timeline_graphics(timeline)
    for valence in range(-3, 4):
        assert f"the dot of {valence:+}" in found and f"the fade of {valence:+}" in found
    assert any(what.startswith("a bar") for what in found)
    assert any(what.startswith("a card's edge") for what in found)
    assert_shows(found, graphic_needed(theme))


@pytest.mark.parametrize("theme", THEMES)
def test_tool_controls_and_chosen_rows_show_their_edges(
    qtbot: QtBot, restored_app: QApplication, vault: VaultSession, story: str, theme: str
) -> None:
    apply_theme(restored_app, theme, 1.0)
    timeline, strengths = make_tools(qtbot, vault, story)
    settle()
    found: dict[str, float] = {}
    button = next(
        b for b in timeline.toolbar.findChildren(QToolButton) if b.isVisible() and not b.isChecked()
    )
    found["a timeline toolbar button"] = edge_contrast(button)
    pushed = next(
        b
        for b in strengths.findChildren(QPushButton)
        if b.isVisible() and not b.isChecked() and b.objectName() != "primary" and b.isEnabled()
    )
    found["a strengths button"] = edge_contrast(pushed)
    view = strengths.zone_view(CardKind.STRENGTH)
    rect = view.visualRect(view.zone_model.index(0, 0))
    card = QRect(MARGIN_X + 1, rect.top(), view.viewport().width() - 2 * MARGIN_X, rect.height())
    found["a card on the board"] = min(
        step_contrast(window_shot(view), [QPoint(x, y) for x, y in ((p.x(), p.y()) for p in scan)])
        for scan in across_edges(view.viewport(), card)[:1]
    )
    # The chosen row of the timeline's list, from the ground between rows into the row.
    timeline.list_view.setCurrentIndex(timeline.list_view.model().index(1, 0))
    settle()
    row = timeline.list_view.visualRect(timeline.list_view.model().index(1, 0))
    found["the chosen row in the timeline's list"] = step_contrast(
        window_shot(timeline.list_view),
        across_edges(timeline.list_view.viewport(), row)[1],
    )
    # The chosen idea in the deck, from beside the list into the row (its soft fill alone
    # showed at about 1.3:1).
    ideas = strengths.deck_panel.list
    ideas.setCurrentIndex(ideas.model().index(1, 0))
    settle()
    idea = ideas.visualRect(ideas.model().index(1, 0))
    found["the chosen idea in the deck"] = step_contrast(
        window_shot(ideas), across_edges(ideas.viewport(), idea)[0]
    )
    assert_shows(found, graphic_needed(theme))


@pytest.mark.parametrize("theme", THEMES)
def test_the_chosen_storyteller_shows_in_the_list(
    qtbot: QtBot, restored_app: QApplication, theme: str
) -> None:
    apply_theme(restored_app, theme, 1.0)
    storytellers = QListWidget()
    storytellers.setObjectName("storytellers")
    storytellers.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # chosen, while typing elsewhere
    qtbot.addWidget(storytellers)
    for _ in range(3):
        storytellers.addItem(QListWidgetItem(""))  # no words: only the row's own marks count
    storytellers.resize(240, 300)
    storytellers.show()
    qtbot.waitExposed(storytellers)
    storytellers.setCurrentRow(1)
    settle()
    rect = storytellers.visualItemRect(storytellers.item(1))
    image = window_shot(storytellers)
    viewport = storytellers.viewport()
    ground = image.pixelColor(viewport.mapTo(storytellers, QPoint(rect.center().x(), 290)))
    ratios = sorted(
        (
            contrast(image.pixelColor(viewport.mapTo(storytellers, QPoint(x, y))), ground)
            for x in range(rect.left(), rect.right() + 1)
            for y in range(rect.top(), rect.bottom() + 1)
        ),
        reverse=True,
    )
    assert ratios[VISIBLE_PIXELS - 1] >= graphic_needed(theme), (
        f"the chosen storyteller: {ratios[VISIBLE_PIXELS - 1]:.2f}:1"
    )


def dots_down(image: QImage, x: int, ground_x: int) -> list[float]:
    """Each dot drawn down the column ``x`` of ``image``: how a dozen of its pixels show against
    the ground beside it (at ``ground_x``, on the same row)."""
    rows = [
        y
        for y in range(image.height())
        if contrast(image.pixelColor(x, y), image.pixelColor(ground_x, y)) > 1.1
    ]
    runs: list[list[int]] = []
    for y in rows:
        if runs and y - runs[-1][-1] <= 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    found = []
    for run in runs:
        middle = (run[0] + run[-1]) // 2
        ratios = sorted(
            (
                contrast(image.pixelColor(x + dx, y), image.pixelColor(ground_x, y))
                for dx in range(-7, 8)
                for y in range(max(0, middle - 7), min(image.height(), middle + 8))
            ),
            reverse=True,
        )
        found.append(ratios[VISIBLE_PIXELS - 1])
    return found


@pytest.mark.parametrize("theme", THEMES)
def test_feeling_dots_beside_the_words_show(
    qtbot: QtBot, restored_app: QApplication, vault: VaultSession, marks: str, theme: str
) -> None:
    """The dots of the list of moments and of the feelings' names beside the picture."""
    apply_theme(restored_app, theme, 1.0)
    timeline, _strengths = make_tools(qtbot, vault, marks)
    timeline.list_view.clearSelection()
    settle()
    listed = timeline.list_view.viewport().grab().toImage()
    found = {f"a dot in the list ({n})": r for n, r in enumerate(dots_down(listed, 14, 2))}
    ruler = timeline.band_ruler.grab().toImage()
    found |= {f"a feeling's name ({n})": r for n, r in enumerate(dots_down(ruler, 16, 4))}
    assert len([what for what in found if what.startswith("a feeling's")]) == 7
    assert len([what for what in found if what.startswith("a dot")]) >= 7
    assert_shows(found, graphic_needed(theme))


@pytest.mark.parametrize("theme", THEMES)
def test_focus_rings_show_on_everything_they_go_round(theme: str) -> None:
    colours, look = picture_style.THEME_COLOURS[theme], board_style.LOOKS[theme]
    window = theme_palette(theme)
    rings: list[tuple[str, QColor | str, QColor | str]] = [
        ("the window's focus on its paper", window["focus"], window["window"]),
        ("the window's focus on a field", window["focus"], window["base"]),
        ("the timeline's focus on its paper", colours.accent, colours.paper),
        ("the timeline's focus on a button", colours.accent, colours.card),
        ("the board's focus on its paper", look.accent, look.paper),
        ("the board's focus in a panel", look.accent, look.card),
        ("the board's focus on a field", look.accent, look.field),
    ]
    assert_reads(rings, graphic_needed(theme))


def test_the_dots_of_the_give_back_book_show_on_its_white_page() -> None:
    """Each moment's dot in the printed book: its edge reaches 3:1 on the white paper (the
    feeling colours darkened by 30% it used were 2.64:1 for "a bit good", 2.84:1 for "in
    between")."""
    from storycapture.gui.give_back_pages import moment_dot

    poor = []
    for valence in (*range(-3, 4), None):
        _fill, edge = moment_dot(valence)
        if contrast(edge, "#ffffff") < 3.0:
            poor.append(f"{valence}: {contrast(edge, '#ffffff'):.2f}:1")
    assert not poor, poor
