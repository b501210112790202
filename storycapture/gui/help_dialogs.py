"""The Help menu's dialogs: the keyboard shortcuts, and About StoryCapture.

The shortcuts are read from the window itself (its menus, its actions and its own QShortcuts),
so the list is always the one the window really has; the keys for moving cards and moments come
from the strengths board and the timeline picture, which describe them to screen readers too.
"""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from storycapture import __version__
from storycapture.gui.pages import make_label
from storycapture.gui.theme import fit_to_screen, make_room, make_wider, scaled_px

# pyproject.toml's licence (a test keeps the two the same), and what it means in plain words.
LICENCE = "GPL-3.0-or-later"
LICENCE_WORDS = (
    "Free software (GNU General Public Licence, version 3 or later): anyone may use, share "
    "and change it, and what they share stays free too."
)

Rows = list[tuple[str, str]]


def plain(text: str) -> str:
    """A menu or action's words as a person reads them: no mnemonic "&", no trailing "…"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


_KEY_WORDS = {",": "Comma", ".": "Full stop", "/": "Slash", "+": "Plus", "-": "Minus"}


def key_name(sequence: QKeySequence) -> str:
    """A key sequence as it is written on the keys ("Ctrl+Comma" rather than "Ctrl+,")."""
    name = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    modifiers, plus, key = name.rpartition("+")
    if key == "" and name.endswith("++"):  # "Ctrl++"
        return name[:-1] + _KEY_WORDS["+"]
    return f"{modifiers}{plus}{_KEY_WORDS.get(key, key)}"


def keys_of(sequences: list[QKeySequence]) -> str:
    names = [key_name(s) for s in sequences if not s.isEmpty()]
    return " or ".join(name for name in names if name)


def _walk(menu: QMenu, rows: Rows, seen: set[int], prefix: str = "") -> None:
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            _walk(submenu, rows, seen, f"{prefix}{plain(action.text())}: ")
            continue
        seen.add(id(action))
        keys = keys_of(action.shortcuts())
        if keys:
            rows.append((keys, prefix + plain(action.text())))


def window_shortcuts(window: QMainWindow) -> list[tuple[str, Rows]]:
    """Every shortcut ``window`` defines, grouped by the menu it is in (in the menus' order);
    then actions on the window that are in no menu, and the window's own QShortcuts."""
    groups: list[tuple[str, Rows]] = []
    seen: set[int] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu) or not top.isVisible():
            continue
        rows: Rows = []
        _walk(menu, rows, seen)
        if rows:
            groups.append((f"{plain(top.text())} menu", rows))
    elsewhere: Rows = []
    for action in window.actions():
        if id(action) in seen or not action.isVisible():
            continue
        keys = keys_of(action.shortcuts())
        if keys and plain(action.text()):
            elsewhere.append((keys, plain(action.text())))
    own = Qt.FindChildOption.FindDirectChildrenOnly
    for shortcut in window.findChildren(QShortcut, options=own):
        keys = keys_of(shortcut.keys())
        words = shortcut.whatsThis() or shortcut.objectName()
        if keys and words:
            elsewhere.append((keys, words))
    if elsewhere:
        groups.append(("Anywhere in the window", elsewhere))
    return groups


def moving_keys() -> list[tuple[str, Rows]]:
    """The keys that move cards and moments, as the board and the picture describe them."""
    from storycapture.strengths.qt.board_view import KEYBOARD as BOARD_KEYS
    from storycapture.timeline.qt.view import KEYBOARD as TIMELINE_KEYS

    return [
        ("Cards on the strengths board", list(BOARD_KEYS)),
        ("Moments in the timeline picture", list(TIMELINE_KEYS)),
    ]


GETTING_AROUND: Rows = [
    ("Tab and Shift+Tab", "go to the next or the previous button, field or list"),
    ("Space or Enter", "press the button you are on"),
    ("Alt and a menu's underlined letter", "open that menu (Alt+F opens File)"),
    ("Escape", "close a window like this one without changing anything"),
]


def _table(rows: Rows) -> str:
    cells = "".join(
        f"<tr><td width='40%'><b>{html.escape(keys)}</b></td>"
        f"<td>{html.escape(words[:1].upper() + words[1:])}</td></tr>"
        for keys, words in rows
    )
    return f"<table width='100%' cellspacing='0' cellpadding='5'>{cells}</table>"


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every shortcut of the window, by menu, in plain words."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.groups = window_shortcuts(window)
        self.moving = moving_keys()
        every = [
            *self.groups,
            *self.moving,
            ("Getting around", GETTING_AROUND),
        ]
        self.view = QTextBrowser()
        self.view.setAccessibleName("Keyboard shortcuts, by menu")
        self.view.setOpenLinks(False)
        self.view.setHtml(
            "".join(f"<h3>{html.escape(title)}</h3>{_table(rows)}" for title, rows in every)
        )
        intro = make_label(
            "Everything the mouse does, the keys can do too. These are the shortcuts, menu by "
            "menu, then the keys that move cards and moments.",
            "subtle",
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("Close")
        close.setAccessibleName("Close the keyboard shortcuts")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(24), scaled_px(20), scaled_px(24), scaled_px(18))
        layout.setSpacing(scaled_px(10))
        layout.addWidget(make_label("Keyboard shortcuts", "heading"))
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(scaled_px(360), scaled_px(360))
        make_wider(self, scaled_px(720))
        make_room(self, scaled_px(640) - self.height())
        self.view.setFocus()

    def text(self) -> str:
        return self.view.toPlainText()


@dataclass(frozen=True)
class KeySettings:
    """How the passphrase is stretched into the key (Argon2id), as ``VaultSession.kdf_params``
    gives it."""

    memory_mib: int
    iterations: int
    lanes: int


class AboutDialog(QDialog):
    """Help → About: version, licence, where the vault is kept and how the passphrase is
    protected; and a Copy button for those details (nothing about any storyteller is in them)."""

    def __init__(
        self,
        folder: Path,
        keys: KeySettings | None,
        parent: QWidget | None = None,
        *,
        practice: bool = False,
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self.setWindowTitle("About StoryCapture")
        where = str(folder)
        if practice:
            where += "\n(the practice vault of invented storytellers)"
        if keys is None:
            protection = "Shown once the vault is unlocked."
        else:
            protection = (
                f"Your passphrase is turned into the key with Argon2id, using "
                f"{keys.memory_mib}\u00a0MiB of memory, {keys.iterations}\u00a0iterations and "
                f"{keys.lanes}\u00a0lanes, so that every guess at it is slow and costly."
            )
        self.rows = [
            ("Version", __version__),
            ("Licence", LICENCE_WORDS),
            ("Where the vault is kept", where),
            ("How the passphrase is protected", protection),
        ]
        self.details = details_text(folder, keys)

        body = QWidget()
        body.setObjectName("page")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(scaled_px(28), scaled_px(22), scaled_px(28), scaled_px(8))
        layout.setSpacing(scaled_px(4))
        layout.addWidget(make_label("StoryCapture", "heading"))
        layout.addWidget(
            make_label(
                "Gathering life stories safely: every word is encrypted on this laptop, and "
                "nothing leaves it unless you choose to share it.",
                "subtle",
            )
        )
        self.values: dict[str, QLabel] = {}
        for caption, value in self.rows:
            layout.addSpacing(scaled_px(12))
            shown = make_label(value)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(caption)
            shown.setAccessibleDescription(value)
            self.values[caption] = shown
            layout.addWidget(make_label(caption, "subheading"))
            layout.addWidget(shown)
        layout.addSpacing(scaled_px(8))
        self.copied = make_label("", "subtle")
        self.copied.hide()
        layout.addWidget(self.copied)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        buttons = QDialogButtonBox()
        self.copy = QPushButton("Copy these details")
        self.copy.setAccessibleName("Copy these details (nothing about any storyteller)")
        self.copy.clicked.connect(self._copy)
        buttons.addButton(self.copy, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText("Close")
        close.setAccessibleName("Close About StoryCapture")
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(scroll, 1)
        footer = QVBoxLayout()
        footer.setContentsMargins(scaled_px(28), scaled_px(8), scaled_px(28), scaled_px(20))
        footer.addWidget(buttons)
        outer.addLayout(footer)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        fit_to_screen(self, body)
        # No more height than the words need at the width it has (the scroll area is for a
        # big interface scale on a small screen).
        needed = layout.totalHeightForWidth(self.width()) + footer.sizeHint().height()
        if needed < self.height():
            self.resize(self.width(), needed)
        self.copy.setFocus()

    @Slot()
    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copied.setText("Copied. Nothing about any storyteller is in these details.")
        self.copied.show()


def details_text(folder: Path, keys: KeySettings | None) -> str:
    """What "Copy these details" copies: for someone helping, never anything personal (the
    home folder shows as "~")."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    shown = str(folder)
    home = str(Path.home())
    if home not in ("", "/") and shown.startswith(home):
        shown = "~" + shown[len(home) :]
    lines = [
        f"StoryCapture {__version__}",
        f"Licence: {LICENCE}",
        f"Vault folder: {shown}",
        "Key derivation: "
        + (
            "shown once the vault is unlocked"
            if keys is None
            else f"Argon2id, {keys.memory_mib} MiB, {keys.iterations} iterations, "
            f"{keys.lanes} lanes"
        ),
        f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}, "
        f"{platform.system()} {platform.release()}",
    ]
    return "\n".join(lines)
