"""Storyteller mode: the laptop handed over to the storyteller, and handed back.

``StorytellerMode`` fills the window with one storyteller's own pages (their timeline, strengths
and story) in large type, with large touch targets and an optional high-contrast look. There is
no sidebar, search or menu in it, and nothing that leads to anyone else's story. The only way out
is the hand-back panel, which needs the facilitator: the PIN they chose on the way in (a few
tries only), or their passphrase. (Auto-lock still applies; the window handles that.)

``EnterStorytellerModePanel`` is what the facilitator sees first: what will happen, in two plain
sentences, and an optional PIN typed twice.

The PIN is kept in memory only, as a salted scrypt hash; its digits are never kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storycapture.gui.theme import current_scale, current_theme
from storycapture.qtkit.flow import FlowLayout, is_compact, scrolling_page
from storycapture.qtkit.palette import STORYTELLER

MAX_PIN_ATTEMPTS = 5
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8
TYPE_FACTOR = 1.6  # body text and buttons, times the app's normal size (at least 1.5)
TAB_FACTOR = 1.7
HEADING_FACTOR = 2.6
HAND_BACK = "Hand back to the facilitator"
MIN_TARGET_PX = 48  # the smallest touch target allowed, before the interface scale
SCROLL_BAR_PX = 24  # how wide a scroll bar is (WCAG 2.5.8's least target), before the scale
UNDO_WORDS_CHARS = 20  # how much of a step's words the Undo and Redo buttons show

# The look of the mode, by name. Text/background pairs are in TEXT_PAIRS; a test checks their
# WCAG contrast (4.5:1 in the calm look, 7:1 in high contrast).
MODE_COLOURS: Mapping[str, Mapping[str, str]] = STORYTELLER
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("subtle_text", "background"),
    ("text", "card"),
    ("subtle_text", "card"),
    ("button_text", "button"),
    ("button_text", "button_hover"),
    ("accent_text", "accent"),
    ("accent_text", "accent_hover"),
    ("field_text", "field"),
    ("link", "card"),
    ("problem_text", "problem_background"),
)


def _normal_point_size() -> float:
    """The app's normal text size: its font, or the stylesheet's 11 pt at the interface scale."""
    app = QApplication.instance()
    font_size = app.font().pointSizeF() if isinstance(app, QApplication) else 11.0
    return max(float(font_size), 11.0 * current_scale())


def _px(pixels: float) -> int:
    return round(pixels * current_scale())


def _stylesheet(colours: Mapping[str, str], normal_pt: float) -> str:
    """The mode's own stylesheet: it wins over the app's for everything inside the mode."""
    c = colours
    # The mode's type is at least TYPE_FACTOR times the normal size. An interface scale the
    # facilitator chose already makes the text larger: the two do not multiply (at 200% they
    # would make 3.2 times the normal size, and the page would not fit a small laptop).
    scale = current_scale()
    body = round(normal_pt * max(TYPE_FACTOR / scale, 1.0), 1)
    tab = round(normal_pt * max(TAB_FACTOR / scale, 1.06), 1)
    heading = round(normal_pt * max(HEADING_FACTOR / scale, 1.6), 1)
    target = _px(MIN_TARGET_PX)  # the contents alone; padding and border come on top
    bar = _px(SCROLL_BAR_PX)
    return f"""
QWidget {{ font-size: {body}pt; color: {c["text"]}; }}
QWidget#storytellerMode {{ background: {c["background"]}; }}
QLabel {{ background: transparent; }}
QLabel#storytellerHeading {{ font-size: {heading}pt; font-weight: 600; color: {c["text"]}; }}
QLabel#storytellerSubtle {{ color: {c["text"]}; }}
QLabel#storytellerProblem {{
    color: {c["problem_text"]}; background: {c["problem_background"]};
    border: 2px solid {c["problem_text"]}; border-radius: 10px; padding: 10px 14px;
}}
QFrame#storytellerCard, QStackedWidget#storytellerPages {{
    background: {c["card"]}; border: 2px solid {c["card_border"]}; border-radius: 16px;
}}
QStackedWidget#storytellerPages {{ padding: 10px; }}
QPushButton {{
    background: {c["button"]}; color: {c["button_text"]};
    border: 2px solid {c["border"]}; border-radius: 14px;
    padding: 8px 24px; min-height: {target}px;
}}
QPushButton:hover {{ background: {c["button_hover"]}; }}
QPushButton:disabled {{ color: {c["subtle_text"]}; border-style: dashed; }}
QPushButton:focus {{ border: 4px solid {c["focus"]}; padding: 6px 22px; }}
QPushButton#storytellerTab {{ font-size: {tab}pt; padding: 10px 30px; }}
QPushButton#storytellerTab:focus {{ padding: 8px 28px; }}
QPushButton[compact="true"], QPushButton#storytellerTab[compact="true"] {{ padding: 6px 10px; }}
QPushButton[compact="true"]:focus, QPushButton#storytellerTab[compact="true"]:focus {{
    padding: 4px 8px;
}}
QPushButton#storytellerTab:checked, QPushButton#storytellerPrimary,
QPushButton#storytellerContrast:checked, QPushButton#feelingChoice:checked {{
    background: {c["accent"]}; color: {c["accent_text"]}; border-color: {c["accent"]};
}}
QPushButton#storytellerPrimary {{ font-weight: 600; }}
QPushButton#storytellerTab:checked:hover, QPushButton#storytellerPrimary:hover {{
    background: {c["accent_hover"]};
}}
QPushButton#storytellerTab:checked:focus, QPushButton#storytellerPrimary:focus,
QPushButton#storytellerContrast:checked:focus, QPushButton#feelingChoice:checked:focus {{
    border: 4px solid {c["focus_on_accent"]};
}}
QPushButton#storytellerLink {{
    background: transparent; border: 2px solid transparent; color: {c["link"]};
    text-decoration: underline; padding: 8px 10px;
}}
QPushButton#storytellerLink:focus {{ border: 4px solid {c["focus"]}; padding: 6px 8px; }}
QPushButton#feelingChoice {{ padding: 2px 16px; }}
QPushButton#feelingChoice:focus {{ padding: 0 14px; }}
QPushButton#panelStep {{ padding: 2px 2px; min-width: {target}px; }}
QPushButton#panelStep:focus {{ padding: 0; }}
QToolButton, QComboBox {{ min-height: {target}px; min-width: {target}px; }}
QRadioButton, QCheckBox {{
    min-height: {target}px; border: 4px solid transparent; border-radius: 12px; padding: 0 6px;
}}
QScrollBar:vertical {{ width: {bar}px; }}
QScrollBar:horizontal {{ height: {bar}px; }}
QScrollBar::handle:vertical, QScrollBar::handle:horizontal {{
    border-radius: {bar // 2 - 2}px; min-height: {target}px; min-width: {target}px;
}}
QToolButton#panelClose {{
    background: transparent; border: 4px solid transparent; border-radius: 12px;
}}
QRadioButton:focus, QCheckBox:focus, QToolButton#panelClose:focus {{
    border: 4px solid {c["focus"]};
}}
QLineEdit, QPlainTextEdit, QTextEdit, QAbstractItemView {{
    background: {c["field"]}; color: {c["field_text"]};
    border: 2px solid {c["border"]}; border-radius: 12px;
    selection-background-color: {c["accent"]}; selection-color: {c["accent_text"]};
}}
QLineEdit {{ padding: 8px 14px; min-height: {target}px; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QAbstractItemView:focus {{
    border: 4px solid {c["focus"]};
}}
QLineEdit:focus {{ padding: 6px 12px; }}
"""


def _palette(colours: Mapping[str, str], base: QPalette) -> QPalette:
    """The same colours as a palette, for anything inside that paints itself."""
    palette = QPalette(base)
    roles = {
        QPalette.ColorRole.Window: "background",
        QPalette.ColorRole.WindowText: "text",
        QPalette.ColorRole.Base: "field",
        QPalette.ColorRole.AlternateBase: "card",
        QPalette.ColorRole.Text: "field_text",
        QPalette.ColorRole.Button: "button",
        QPalette.ColorRole.ButtonText: "button_text",
        QPalette.ColorRole.Highlight: "accent",
        QPalette.ColorRole.HighlightedText: "accent_text",
        QPalette.ColorRole.Link: "link",
        QPalette.ColorRole.PlaceholderText: "subtle_text",
        QPalette.ColorRole.Accent: "accent",
    }
    for role, name in roles.items():
        palette.setColor(role, QColor(colours[name]))
    return palette


def _set_theme(page: QWidget, theme: str | None) -> None:
    """Tell a page that paints itself (it has ``set_theme``) which look to paint in."""
    set_theme = getattr(page, "set_theme", None)
    if callable(set_theme):
        set_theme(theme)


class _PageStack(QStackedWidget):
    """Pages one at a time, as small as the page shown allows (not the largest page)."""

    def __init__(self) -> None:
        super().__init__()
        layout = self.layout()
        if layout is not None:  # not held to the largest page's size
            layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def _around(self) -> QSize:
        """What the stack's own border and padding add around its page."""
        inside = self.contentsRect()
        return QSize(self.width() - inside.width(), self.height() - inside.height())

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        if page is None:
            return super().sizeHint()
        return page.sizeHint() + self._around()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        if page is None:
            return super().minimumSizeHint()
        least = page.minimumSizeHint().expandedTo(page.minimumSize())
        return least + self._around()


def _set_compact(page: QWidget, compact: bool) -> None:
    """Tell a page that can stack its panels (it has ``set_compact``) whether to."""
    set_compact = getattr(page, "set_compact", None)
    if callable(set_compact):
        set_compact(compact)


def _hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=2**14, r=8, p=1, dklen=32)


def pin_problem(pin: str, again: str | None = None) -> str | None:
    """What is wrong with ``pin`` (and its repeat), in plain words; None if it is fine."""
    if not pin:
        return "Please type a PIN, or leave both boxes empty to use your passphrase only."
    if not (pin.isascii() and pin.isdigit()):
        return "A PIN can only use the numbers 0 to 9."
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        return f"A PIN needs {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} numbers."
    if again is not None and again != pin:
        return "The two PINs are not the same. Please type it again in both boxes."
    return None


def _button(text: str, name: str, object_name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    if object_name:
        button.setObjectName(object_name)
    button.setAutoDefault(True)  # Enter and Return press it, as well as Space
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setMinimumHeight(_px(MIN_TARGET_PX + 8))
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def _label(text: str, object_name: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if object_name:
        label.setObjectName(object_name)
    if name:
        label.setAccessibleName(name)
    return label


def _secret_field(placeholder: str, name: str, digits: bool = False) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    field.setAccessibleName(name)
    field.setMinimumHeight(_px(MIN_TARGET_PX + 8))
    if digits:
        field.setInputMethodHints(
            Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
        )
    else:
        field.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData)
    return field


class _LeavePanel(QWidget):
    """The hand-back panel inside the mode: the facilitator's PIN, or their passphrase."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = QFrame()
        self.card.setObjectName("storytellerCard")
        self.card.setMaximumWidth(_px(760))
        self.heading = _label("Handing back to the facilitator", "storytellerHeading")
        self.heading.setAccessibleName("Handing back to the facilitator")
        self.explanation = _label("", "storytellerSubtle", "What to do")
        self.pin = _secret_field("PIN", "Facilitator's PIN", digits=True)
        self.passphrase = _secret_field("Passphrase", "Facilitator's passphrase")
        self.problem = _label("", "storytellerProblem", "Problem")
        self.problem.hide()
        self.leave_button = _button(
            "Leave storyteller mode", "Leave storyteller mode", "storytellerPrimary"
        )
        self.back_button = _button("Back to my story", "Back to my story")
        self.switch_link = _button("Use the passphrase instead", "Use the passphrase instead")
        self.switch_link.setObjectName("storytellerLink")

        buttons_row = QWidget()
        buttons = FlowLayout(buttons_row, spacing=_px(16))  # one above the other at 200%
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.leave_button)

        inner = QVBoxLayout(self.card)
        inner.setContentsMargins(_px(40), _px(32), _px(40), _px(32))
        inner.setSpacing(_px(18))
        inner.addWidget(self.heading)
        inner.addWidget(self.explanation)
        inner.addWidget(self.pin)
        inner.addWidget(self.passphrase)
        inner.addWidget(self.problem)
        inner.addWidget(self.switch_link, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addSpacing(_px(8))
        inner.addWidget(buttons_row)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card, 6)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)


class StorytellerMode(QWidget):
    """One storyteller's own pages, large and calm; leaving needs the facilitator.

    ``pages`` are (tab title, widget) pairs that the window builds and owns. ``check_passphrase``
    says whether a passphrase is the facilitator's (the window passes
    ``vault.check_passphrase``). ``leave_requested`` is emitted only after the facilitator's
    PIN or passphrase; nothing else in the mode leads out of it.
    """

    leave_requested = Signal()
    high_contrast_changed = Signal(bool)

    # Shortcuts the window may keep inside the mode (everything else with Ctrl, Alt or a
    # function key stops at the mode, so no window action can lead anywhere else).
    DEFAULT_ALLOWED_SHORTCUTS: tuple[QKeySequence.StandardKey, ...] = (
        QKeySequence.StandardKey.Undo,
        QKeySequence.StandardKey.Redo,
    )

    def __init__(
        self,
        pseudonym: str,
        pages: list[tuple[str, QWidget]],
        check_passphrase: Callable[[str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("storytellerMode")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Storyteller mode")
        self._check_passphrase = check_passphrase
        self._pseudonym = ""
        self._pin_salt: bytes | None = None
        self._pin_hash: bytes | None = None
        self._wrong_pins = 0
        self._high_contrast = False
        self._pages: list[QWidget] = []
        self._compact = False
        self._place = 0
        self._tabs: list[QPushButton] = []
        self._allowed: list[QKeySequence] = []
        for key in self.DEFAULT_ALLOWED_SHORTCUTS:
            self.allow_shortcut(key)
        self._base_palette = QPalette(self.palette())

        # The header: whose story this is, the high-contrast switch, and the way back.
        self.heading = _label("", "storytellerHeading")
        self.heading.setWordWrap(True)  # a long name at 200% goes onto two lines, never cut
        self.heading.setMinimumWidth(_px(120))
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.contrast_button = _button("High contrast", "High contrast", "storytellerContrast")
        self.contrast_button.setCheckable(True)
        self.contrast_button.setAccessibleDescription("Black, white and yellow, for easier reading")
        self.contrast_button.toggled.connect(self.set_high_contrast)
        self.hand_back_button = _button(HAND_BACK, HAND_BACK)
        self.hand_back_button.setToolTip(HAND_BACK)
        self.hand_back_button.clicked.connect(self.request_leave)
        # Beside the heading; on a compact screen they join the row of tabs (resizeEvent).
        header = QHBoxLayout()
        header.setSpacing(_px(16))
        header.addWidget(self.heading, 1)
        header_buttons = QWidget()
        header_flow = FlowLayout(header_buttons, spacing=_px(16))
        header_flow.addWidget(self.contrast_button)
        header_flow.addWidget(self.hand_back_button)
        header.addWidget(header_buttons)
        self._header_flow = header_flow

        # The story: a row of large tab buttons over the pages.
        self.tab_group = QButtonGroup(self)
        self.tab_group.setExclusive(True)
        self.tab_group.idClicked.connect(self.set_current_page)
        tab_holder = QWidget()
        self.tab_row = FlowLayout(tab_holder, spacing=_px(14))
        # Undo and Redo in sight, named by the step they take back or do again: a tap, not a
        # key combination, takes back a moment dropped in the wrong place.
        self._undo: QUndoGroup | QUndoStack | None = None
        self.undo_button = _button("Undo", "Undo")
        self.redo_button = _button("Redo", "Redo")
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.tab_row.addWidget(self.undo_button)
        self.tab_row.addWidget(self.redo_button)
        self._show_undo()
        self.page_stack = _PageStack()
        self.page_stack.setObjectName("storytellerPages")
        # A page taller than the window (large type at 200%) scrolls down, never sideways.
        self.page_scroll = scrolling_page(self.page_stack, at_least=False)
        self.story = QWidget()
        story_layout = QVBoxLayout(self.story)
        story_layout.setContentsMargins(0, 0, 0, 0)
        story_layout.setSpacing(_px(10))
        story_layout.addWidget(tab_holder)
        story_layout.addWidget(self.page_scroll, 1)

        # Handing back: shown instead of the story while the facilitator types.
        self.leave_panel = _LeavePanel()
        self.leave_panel.leave_button.clicked.connect(self._submit)
        self.leave_panel.pin.returnPressed.connect(self._submit)
        self.leave_panel.passphrase.returnPressed.connect(self._submit)
        self.leave_panel.back_button.clicked.connect(self.cancel_leave)
        self.leave_panel.switch_link.clicked.connect(self._switch_route)
        self._using_passphrase = False

        self.body = _PageStack()
        self.body.addWidget(self.story)
        # At 200% the hand-back card is taller than a small laptop: it scrolls.
        self.leave_scroll = scrolling_page(self.leave_panel, at_least=False)
        self.body.addWidget(self.leave_scroll)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(_px(36), _px(14), _px(36), _px(14))
        self._outer = layout
        layout.setSpacing(_px(10))
        layout.addLayout(header)
        layout.addWidget(self.body, 1)

        self._apply_look()
        if current_theme() == "high-contrast":  # the facilitator's choice carries over
            self.set_high_contrast(True)
        self.restore(pseudonym, pages)

    # --- what is shown ---------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Large text on a small laptop: the pages stack what they show side by side.
        compact = is_compact(event.size().width())
        if compact != self._compact:
            self._compact = compact
            # Compact: the way back and high contrast join the row of tabs (one row fewer
            # over the story), and the margins shrink.
            row = self.tab_row if compact else self._header_flow
            for button in (self.contrast_button, self.hand_back_button):
                row.addWidget(button)
            # Shorter words and padding, so the tabs and the two buttons share one row even at
            # 200% (the whole words stay its spoken name and its tip).
            self.hand_back_button.setText("Hand back" if compact else HAND_BACK)
            self.tab_row.set_spacing(_px(6) if compact else _px(14))
            for button in self.findChildren(QPushButton):
                if button.parent() is self.tab_row.parentWidget():
                    button.setProperty("compact", compact)
                    button.style().unpolish(button)
                    button.style().polish(button)
            if compact:
                self._outer.setContentsMargins(_px(12), _px(8), _px(12), _px(8))
            else:
                self._outer.setContentsMargins(_px(36), _px(14), _px(36), _px(14))
            for page in self._pages:
                _set_compact(page, compact)
        super().resizeEvent(event)

    def pseudonym(self) -> str:
        return self._pseudonym

    def restore(self, pseudonym: str, pages: list[tuple[str, QWidget]]) -> None:
        """Show ``pseudonym``'s ``pages`` (after ``clear``, say, on unlock); the PIN is kept."""
        self._remove_pages()
        index = self._place
        self._pseudonym = pseudonym
        title = f"{pseudonym}'s story" if pseudonym else "My story"
        self.heading.setText(title)
        self.heading.setAccessibleName(title)
        for number, (text, page) in enumerate(pages):
            tab = _button(text, text, "storytellerTab")
            tab.setCheckable(True)
            tab.setAccessibleDescription(f"Page {number + 1} of {len(pages)}")
            self.tab_group.addButton(tab, number)
            self.tab_row.insert_widget(len(self._tabs), tab)
            self._tabs.append(tab)
            self.page_stack.addWidget(page)
            self._pages.append(page)
            _set_compact(page, self._compact)
        self._theme_pages()
        if pages:
            self.set_current_page(max(0, min(index, len(pages) - 1)))

    def _remove_pages(self) -> None:
        self._place = self.current_page()
        for tab in self._tabs:
            self.tab_group.removeButton(tab)
            self.tab_row.removeWidget(tab)
            tab.hide()
            tab.deleteLater()
        self._tabs.clear()
        for page in self._pages:
            _set_theme(page, None)  # back to the window's own look
            self.page_stack.removeWidget(page)
            page.hide()
            page.setParent(None)  # the window owns its pages
        self._pages.clear()

    def current_page(self) -> int:
        """The page showing (after ``clear``, the one that was showing)."""
        if not self._pages:
            return self._place
        return max(0, self.page_stack.currentIndex())

    @Slot(int)
    def set_current_page(self, index: int) -> None:
        if not 0 <= index < len(self._pages):
            return
        self.page_stack.setCurrentIndex(index)
        self._tabs[index].setChecked(True)

    def tab_buttons(self) -> list[QPushButton]:
        return list(self._tabs)

    def clear(self) -> None:
        """Forget the pseudonym and everything typed (on lock). The PIN hash is kept."""
        self.cancel_leave()
        self._remove_pages()
        self._pseudonym = ""
        self.heading.clear()
        self.heading.setAccessibleName("Storyteller mode")
        self._clear_typed()

    def _clear_typed(self) -> None:
        self.leave_panel.pin.clear()
        self.leave_panel.passphrase.clear()
        self.leave_panel.problem.clear()
        self.leave_panel.problem.hide()

    # --- undo and redo ------------------------------------------------------------------------

    def set_undo(self, undo: QUndoGroup | QUndoStack | None) -> None:
        """Where the Undo and Redo buttons take steps from (the window's undo group)."""
        if self._undo is not None:
            for signal in (
                self._undo.canUndoChanged,
                self._undo.canRedoChanged,
                self._undo.undoTextChanged,
                self._undo.redoTextChanged,
            ):
                signal.disconnect(self._show_undo)
            if isinstance(self._undo, QUndoGroup):
                self._undo.activeStackChanged.disconnect(self._show_undo)
        self._undo = undo
        if undo is not None:
            for signal in (
                undo.canUndoChanged,
                undo.canRedoChanged,
                undo.undoTextChanged,
                undo.redoTextChanged,
            ):
                signal.connect(self._show_undo)
            if isinstance(undo, QUndoGroup):
                undo.activeStackChanged.connect(self._show_undo)
        self._show_undo()

    @Slot()
    def undo(self) -> None:
        if self._undo is not None and self._undo.canUndo():
            self._undo.undo()

    @Slot()
    def redo(self) -> None:
        if self._undo is not None and self._undo.canRedo():
            self._undo.redo()

    @Slot()
    def _show_undo(self, *_changed: object) -> None:
        undo = self._undo
        for button, way, can, words in (
            (
                self.undo_button,
                "Undo",
                undo is not None and undo.canUndo(),
                undo.undoText() if undo is not None else "",
            ),
            (
                self.redo_button,
                "Redo",
                undo is not None and undo.canRedo(),
                undo.redoText() if undo is not None else "",
            ),
        ):
            named = f"{way}: {words}" if can and words else way
            short = words if len(words) <= UNDO_WORDS_CHARS else words[: UNDO_WORDS_CHARS - 1]
            if short != words:
                short = short.rstrip() + "…"
            button.setText(f"{way}: {short}" if can and words else way)
            button.setAccessibleName(named)
            button.setToolTip(named if can else f"Nothing to {way.lower()} yet")
            button.setEnabled(can)

    # --- the look --------------------------------------------------------------------------

    def is_high_contrast(self) -> bool:
        return self._high_contrast

    def colours(self) -> dict[str, str]:
        """The colours the mode applies now, by name (see ``TEXT_PAIRS``)."""
        return dict(MODE_COLOURS["high-contrast" if self._high_contrast else "calm"])

    @Slot(bool)
    def set_high_contrast(self, on: bool) -> None:
        if on == self._high_contrast:
            return
        self._high_contrast = on
        self.contrast_button.blockSignals(True)
        self.contrast_button.setChecked(on)
        self.contrast_button.blockSignals(False)
        self._apply_look()
        self.high_contrast_changed.emit(on)

    def _apply_look(self) -> None:
        colours = self.colours()
        self.setProperty("highContrast", self._high_contrast)
        self.setPalette(_palette(colours, self._base_palette))
        self.setStyleSheet(_stylesheet(colours, _normal_point_size()))
        self._theme_pages()

    def page_theme(self) -> str:
        """The look the pages that paint themselves (the timeline, the board) are told to use:
        the calm look is the light theme's paper and ink; high contrast is high contrast."""
        return "high-contrast" if self._high_contrast else "light"

    def _theme_pages(self) -> None:
        for page in self._pages:
            _set_theme(page, self.page_theme())

    # --- the PIN -----------------------------------------------------------------------------

    def set_pin(self, pin: str | None) -> None:
        """The facilitator's PIN for leaving (4–8 numbers), or None for the passphrase only."""
        if pin is None:
            self._pin_salt = self._pin_hash = None
        else:
            problem = pin_problem(pin)
            if problem is not None:
                raise ValueError(problem)
            self._pin_salt = os.urandom(16)
            self._pin_hash = _hash_pin(pin, self._pin_salt)
        self._wrong_pins = 0

    def pin_is_set(self) -> bool:
        return self._pin_hash is not None

    def attempts_left(self) -> int:
        """How many more PINs may be tried (0 when there is no PIN, or none left)."""
        if self._pin_hash is None:
            return 0
        return max(0, MAX_PIN_ATTEMPTS - self._wrong_pins)

    def _pin_matches(self, pin: str) -> bool:
        if self._pin_hash is None or self._pin_salt is None:
            return False
        if not (pin.isascii() and pin.isdigit()):
            return False
        return hmac.compare_digest(_hash_pin(pin, self._pin_salt), self._pin_hash)

    # --- leaving -----------------------------------------------------------------------------

    def is_leaving(self) -> bool:
        """Whether the hand-back panel is showing."""
        return self.body.currentWidget() is self.leave_scroll

    def using_passphrase(self) -> bool:
        return self._using_passphrase

    @Slot()
    def request_leave(self) -> None:
        """Show the hand-back panel (the story is hidden while the facilitator types)."""
        self._clear_typed()
        self._show_route(passphrase=self.attempts_left() == 0)
        self.hand_back_button.hide()
        self.body.setCurrentWidget(self.leave_scroll)
        if self.attempts_left() == 0 and self.pin_is_set():
            self._say("For safety, please use the facilitator's passphrase now.")

    @Slot()
    def cancel_leave(self) -> None:
        """Back to the story, as it was."""
        self._clear_typed()
        self.body.setCurrentWidget(self.story)
        self.hand_back_button.show()
        if self.isVisible():
            current = self._tabs[self.current_page()] if self._tabs else self.hand_back_button
            current.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_route(self, passphrase: bool) -> None:
        panel = self.leave_panel
        self._using_passphrase = passphrase
        panel.pin.setVisible(not passphrase)
        panel.passphrase.setVisible(passphrase)
        if passphrase:
            panel.explanation.setText(
                "Facilitator: please type your passphrase to leave storyteller mode."
            )
            panel.switch_link.setText("Use the PIN instead")
            panel.switch_link.setAccessibleName("Use the PIN instead")
            panel.switch_link.setVisible(self.attempts_left() > 0)
        else:
            panel.explanation.setText(
                "Facilitator: please type the PIN you chose to leave storyteller mode."
            )
            panel.switch_link.setText("Use the passphrase instead")
            panel.switch_link.setAccessibleName("Use the passphrase instead")
            panel.switch_link.show()
        field = panel.passphrase if passphrase else panel.pin
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _switch_route(self) -> None:
        self._clear_typed()
        self._show_route(passphrase=not self._using_passphrase or self.attempts_left() == 0)

    def _say(self, message: str) -> None:
        problem = self.leave_panel.problem
        problem.setText(message)
        problem.setAccessibleDescription(message)
        problem.setVisible(bool(message))

    @Slot()
    def _submit(self) -> None:
        if not self.is_leaving():
            return
        if self._using_passphrase:
            self.try_passphrase(self.leave_panel.passphrase.text())
        else:
            self.try_pin(self.leave_panel.pin.text())

    def try_pin(self, pin: str) -> bool:
        """Leave if ``pin`` is the facilitator's and tries remain; else stay and say why."""
        self.leave_panel.pin.clear()
        if not self.is_leaving():
            self.request_leave()
        if not self.pin_is_set():
            self._show_route(passphrase=True)
            self._say("No PIN was set. Please use the facilitator's passphrase.")
            return False
        if self.attempts_left() == 0:
            self._show_route(passphrase=True)
            self._say("For safety, please use the facilitator's passphrase now.")
            return False
        if not pin:
            self._say("Please type the PIN first.")
            return False
        if self._pin_matches(pin):
            self._leave()
            return True
        self._wrong_pins += 1
        left = self.attempts_left()
        if left == 0:
            self._show_route(passphrase=True)
            self._say("For safety, please use the facilitator's passphrase now.")
        else:
            tries = "1 try" if left == 1 else f"{left} tries"
            self._say(f"That PIN didn't match. {tries} left.")
            self.leave_panel.pin.setFocus(Qt.FocusReason.OtherFocusReason)
        return False

    def try_passphrase(self, passphrase: str) -> bool:
        """Leave if ``passphrase`` is the facilitator's; else stay and say why."""
        self.leave_panel.passphrase.clear()
        if not self.is_leaving():
            self.request_leave()
        if not self._using_passphrase:
            self._show_route(passphrase=True)
        if not passphrase:
            self._say("Please type the passphrase first.")
            return False
        try:
            accepted = bool(self._check_passphrase(passphrase))
        except Exception:  # a vault that cannot check (locked, say) lets no one out
            accepted = False
        if accepted:
            self._leave()
            return True
        self._say("That passphrase didn't match. Please try again.")
        self.leave_panel.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        return False

    def _leave(self) -> None:
        self._clear_typed()
        self._wrong_pins = 0
        self.body.setCurrentWidget(self.story)
        self.hand_back_button.show()
        self.leave_requested.emit()

    # --- keys --------------------------------------------------------------------------------

    def allow_shortcut(self, sequence: QKeySequence | QKeySequence.StandardKey | str) -> None:
        """Let a window shortcut work inside the mode (lock, say). Undo and redo always do.

        The pages' own shortcuts (actions and QShortcuts on widgets inside the mode) always
        work; this is only for the window's.
        """
        if isinstance(sequence, QKeySequence.StandardKey):
            self._allowed.extend(QKeySequence.keyBindings(sequence))
        else:
            self._allowed.append(QKeySequence(sequence))

    def _own_shortcuts(self) -> list[QKeySequence]:
        """The shortcuts of the actions and QShortcuts that live inside the mode."""
        found: list[QKeySequence] = []
        actions = set(self.findChildren(QAction))
        for widget in self.findChildren(QWidget):
            actions.update(widget.actions())
        for action in actions:
            if action.isEnabled():
                found.extend(action.shortcuts())
        for shortcut in self.findChildren(QShortcut):
            if shortcut.isEnabled():
                found.extend(shortcut.keys())
        return found

    def event(self, event: QEvent) -> bool:
        # Key events the focused widget leaves alone come up to here. A shortcut override
        # accepted here turns the key into a plain key press, so no window action (search,
        # another storyteller, quit, close) fires from inside the mode; Escape included.
        overrides = event.type() == QEvent.Type.ShortcutOverride
        if overrides and isinstance(event, QKeyEvent) and self._blocks(event):
            event.accept()
            return True
        return super().event(event)

    def _blocks(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            return True
        modifiers = event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        function_key = Qt.Key.Key_F1.value <= key <= Qt.Key.Key_F35.value
        if not (modifiers or function_key):
            return False
        pressed = QKeySequence(event.keyCombination())
        for allowed in [*self._allowed, *self._own_shortcuts()]:
            if allowed.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch:
                return False
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self.is_leaving():
                self.cancel_leave()  # back to the story; never out of the mode
            event.accept()
            return
        super().keyPressEvent(event)


class EnterStorytellerModePanel(QWidget):
    """Before handing over: what will happen, and an optional PIN for coming back.

    ``hand_over`` carries the PIN (a string of 4–8 numbers) or None; ``cancelled`` means stay
    as things are. ``submit()`` does what the "Hand over" button does, for tests.
    """

    hand_over = Signal(object)
    cancelled = Signal()

    def __init__(self, pseudonym: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setAccessibleName("Hand over to the storyteller")
        self.heading = _label(f"Hand over to {pseudonym}", "heading")
        self.heading.setAccessibleName(self.heading.text())
        self.explanation = _label(
            f"The laptop will show only {pseudonym}'s timeline, strengths and story, in large "
            "type, and everything added will be marked as theirs. To leave, you will need the "
            "PIN you choose below, or your passphrase.",
            "",
            "What will happen",
        )
        self.pin_hint = _label(
            f"A PIN is optional: {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} numbers. "
            "Leave both boxes empty to use your passphrase only.",
            "subtle",
            "About the PIN",
        )
        self.pin = _secret_field("PIN (optional)", "PIN for leaving (optional)", digits=True)
        self.pin_again = _secret_field("The same PIN again", "The same PIN again", digits=True)
        self.problem = _label("", "problem", "Problem")
        self.problem.hide()
        self.cancel_button = _button("Cancel", "Cancel, stay as things are")
        self.hand_over_button = _button("Hand over", "Hand over to the storyteller", "primary")
        self.cancel_button.clicked.connect(self.cancelled)
        self.hand_over_button.clicked.connect(self.submit)
        self.pin.returnPressed.connect(self.pin_again.setFocus)
        self.pin_again.returnPressed.connect(self.submit)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.hand_over_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(_px(28), _px(24), _px(28), _px(24))
        layout.setSpacing(_px(14))
        for widget in (
            self.heading,
            self.explanation,
            self.pin_hint,
            self.pin,
            self.pin_again,
            self.problem,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(buttons)
        # The app's buttons and fields are a little under a finger's size: these are not.
        target = _px(MIN_TARGET_PX - 18)
        self.setStyleSheet(
            f"QPushButton {{ min-height: {target}px; }} QLineEdit {{ min-height: {target}px; }}"
        )
        self.setTabOrder(self.pin, self.pin_again)
        self.setTabOrder(self.pin_again, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.hand_over_button)

    def problem_text(self) -> str:
        return self.problem.text()

    def clear(self) -> None:
        self.pin.clear()
        self.pin_again.clear()
        self.problem.clear()
        self.problem.hide()

    @Slot()
    def submit(self) -> None:
        pin, again = self.pin.text(), self.pin_again.text()
        if not pin and not again:
            self.clear()
            self.hand_over.emit(None)
            return
        problem = pin_problem(pin, again)
        if problem is None:
            self.clear()
            self.hand_over.emit(pin)
            return
        self.pin.clear()
        self.pin_again.clear()
        self.problem.setText(problem)
        self.problem.setAccessibleDescription(problem)
        self.problem.show()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def event(self, event: QEvent) -> bool:
        overrides = event.type() == QEvent.Type.ShortcutOverride
        if overrides and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
