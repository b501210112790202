"""Earlier versions of an item, from the operation log: what it said, who changed it, when.

A facilitator's edit never erases a storyteller's words silently: every earlier value stays
in the (encrypted) log and is shown here, oldest first, each with its author.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.clock import Hlc
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.domain.vocabulary import CardKind, Helped, LifeArea, Visibility, describe_feeling
from storycapture.services.history import HistoryService
from storycapture.services.records import FieldChange

# Fields shown in plain words; links, positions and formats are left out.
_FIELD_WORDS = {
    "title": "Title",
    "words": "In their words",
    "starts": "When",
    "ends": "Until",
    "valence": "How it felt",
    "life_area": "Part of life",
    "help": "Help asked for",
    "visibility": "Who may see it",
    "text": "Words",
    "kind": "Kind of card",
    "colour": "Colour",
    "caption": "Caption",
    "deleted": "On the story",
    "words_by": "Whose words",
}


@dataclass(frozen=True)
class Version:
    """One saved change: when, by whom, and the fields it set, in plain words."""

    when: datetime.datetime
    author: str
    fields: list[tuple[str, str]]


def _plain(field: str, value: Any) -> str:
    if value is None and field == "starts":
        return "no date yet"
    if value is None and field == "valence":
        return describe_feeling(None)
    if value is None or value == "":
        return "(empty)"
    try:
        if field in ("starts", "ends"):
            return FuzzyDate.from_dict(value).display()
        if field == "valence":
            return describe_feeling(int(value))
        if field == "life_area":
            return LifeArea(value).label
        if field == "visibility":
            return Visibility(value).label
        if field == "kind":
            return CardKind(value).label
        if field == "deleted":
            return "taken off" if value else "on the story"
        if field == "words_by":
            return Author.decode(value).describe()
        if field == "help":
            parts = [value.get("asked_for", ""), value.get("from_whom", "")]
            helped = value.get("helped")
            if helped:
                parts.append(Helped(helped).label.lower())
            return ", ".join(p for p in parts if p) or "(empty)"
    except (ValueError, TypeError, AttributeError, StoryCaptureError):
        pass
    return str(value)


def versions(changes: Iterable[FieldChange]) -> list[Version]:
    """Group a log into saved changes (one clock, one author), oldest first."""
    grouped: dict[tuple[str, str], list[FieldChange]] = {}
    for change in changes:
        grouped.setdefault((change.hlc, change.device_id), []).append(change)
    result = []
    for (hlc, _device), fields in sorted(grouped.items()):
        shown = [
            (_FIELD_WORDS[c.field], _plain(c.field, c.value))
            for c in fields
            if c.field in _FIELD_WORDS
        ]
        if shown:
            when = Hlc.decode(hlc).as_datetime().astimezone()
            result.append(Version(when, fields[0].author.describe(), shown))
    return result


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ItemHistoryDialog(QDialog):
    """Every earlier version of one item, newest last, with who made it."""

    def __init__(
        self, service: HistoryService, entity: str, uuid: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Earlier versions")
        self.view = QTextBrowser()
        self.view.setAccessibleName("Earlier versions, oldest first")
        intro = QLabel(
            "Nothing said is ever lost: here is every version, oldest first, and who wrote it."
        )
        intro.setObjectName("subtle")
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(620, 520)
        try:
            self.versions = versions(service.of(entity, uuid))
        except StoryCaptureError as error:
            self.versions = []
            self.view.setPlainText(str(error))
            return
        self.view.setHtml(
            "".join(
                f"<h4>{v.when.day} {v.when:%B %Y, %H:%M} · {_html(v.author)}</h4><ul>"
                + "".join(f"<li><b>{_html(k)}:</b> {_html(val)}</li>" for k, val in v.fields)
                + "</ul>"
                for v in self.versions
            )
        )
