"""Starting a visit (the date, the kind of place, who is there, a few notes) and, at its
end, a short recap of what was added and what of it is private, with "Give a copy".

What is made during the visit links to it; the window keeps ``started_visit`` for that.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import Visit
from storycapture.domain.vocabulary import PlaceType
from storycapture.gui.pages import make_label
from storycapture.gui.theme import (
    fit_to_screen,
    scaled_px,
)
from storycapture.gui.widgets import RowRadioButton, dialog_footer, scrolled_form_layout

if TYPE_CHECKING:
    from storycapture.services.visits import VisitRecap, VisitService

# How the recap names each kind of item: one, many.
_RECAP_WORDS: dict[str, tuple[str, str]] = {
    "timeline_event": ("moment on the timeline", "moments on the timeline"),
    "strength_card": ("strength card", "strength cards"),
    "quote": ("quote", "quotes"),
    "narrative_note": ("note", "notes"),
    "photo": ("photo", "photos"),
}
_SHORT_WORDS: dict[str, tuple[str, str]] = {
    "timeline_event": ("moment", "moments"),
    "strength_card": ("card", "cards"),
    "quote": ("quote", "quotes"),
    "narrative_note": ("note", "notes"),
    "photo": ("photo", "photos"),
}


def _counted(count: int, words: tuple[str, str]) -> str:
    return f"{count} {words[0] if count == 1 else words[1]}"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def recap_lines(recap: VisitRecap) -> list[str]:
    """What was added, one line for each kind there is some of, in the recap's order."""
    return [
        _counted(count, _RECAP_WORDS.get(kind, (kind, kind)))
        for kind, count in sorted(recap.added.items(), key=lambda pair: _order(pair[0]))
        if count
    ]


def recap_private_sentence(recap: VisitRecap) -> str:
    if not recap.total:
        return ""
    if not recap.total_private:
        return "Nothing from this visit is marked private."
    parts = [
        _counted(count, _SHORT_WORDS.get(kind, (kind, kind)))
        for kind, count in sorted(recap.private.items(), key=lambda pair: _order(pair[0]))
        if count
    ]
    return f"Private, staying on this laptop: {_joined(parts)}."


def _order(kind: str) -> int:
    kinds = list(_RECAP_WORDS)
    return kinds.index(kind) if kind in kinds else len(kinds)


class VisitDialog(QDialog):
    """Start a visit with a storyteller; OK records it through the visit service."""

    def __init__(
        self,
        service: VisitService,
        storyteller_uuid: str,
        pseudonym: str,
        author: Author,
        parent: QWidget | None = None,
        *,
        facilitator_name: str = "",
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self._service = service
        self._storyteller_uuid = storyteller_uuid
        self._author = author
        self.started_visit: Visit | None = None
        self.setWindowTitle(f"A visit with {pseudonym}")
        self.setModal(True)

        heading = make_label(f"A visit with {pseudonym}", "heading")
        intro = make_label(
            "Anything you add while the visit is open is kept with it. You can change these "
            "details later.",
            "subtle",
        )

        self.visit_date = QDateEdit(QDate.currentDate())
        self.visit_date.setCalendarPopup(True)
        self.visit_date.setDisplayFormat("d MMMM yyyy")
        self.visit_date.setMaximumDate(QDate.currentDate())
        self.visit_date.setMinimumDate(QDate(2000, 1, 1))
        self.visit_date.setAccessibleName("Date of the visit")
        date_label = make_label("Date")
        date_label.setBuddy(self.visit_date)

        place_label = make_label("Where you are meeting", "subheading")
        self.place_group = QButtonGroup(self)
        self.place_buttons: dict[PlaceType, QRadioButton] = {}
        places = QGridLayout()
        places.setHorizontalSpacing(scaled_px(12))
        places.setVerticalSpacing(2)
        for index, place in enumerate(PlaceType):
            button = RowRadioButton(place.label)
            button.setAccessibleName(place.label)
            self.place_group.addButton(button)
            self.place_buttons[place] = button
            places.addWidget(button, index // 2, index % 2)
        self.place_buttons[PlaceType.HOME].setChecked(True)

        name = facilitator_name.strip() or (author.name if not author.is_storyteller else "")
        self.present = QLineEdit(", ".join(n for n in (pseudonym, name) if n))
        self.present.setAccessibleName("Who is here")
        self.present.setAccessibleDescription("Names of everyone taking part in this visit.")
        self.present.setPlaceholderText("For example, Marigold, Priya and Marigold's sister")
        present_label = make_label("Who is here")
        present_label.setBuddy(self.present)

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes about the visit")
        self.notes.setPlaceholderText("Anything worth remembering about today (optional)")
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(self.fontMetrics().height() * 5)
        notes_label = make_label("Notes")
        notes_label.setBuddy(self.notes)

        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(12))
        form.setSpacing(scaled_px(8))
        form.addWidget(heading)
        form.addWidget(intro)
        form.addSpacing(scaled_px(6))
        form.addWidget(date_label)
        form.addWidget(self.visit_date)
        form.addSpacing(scaled_px(8))
        form.addWidget(place_label)
        form.addLayout(places)
        form.addSpacing(scaled_px(4))
        form.addWidget(present_label)
        form.addWidget(self.present)
        form.addWidget(notes_label)
        form.addWidget(self.notes, 1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        footer = dialog_footer(self, "Start the visit", "Cancel without starting a visit", "")
        self.problem = footer.problem
        self.buttons = footer.buttons
        self.ok_button = footer.ok_button
        self.cancel_button = footer.cancel_button
        self._footer = footer
        scrolled_form_layout(self, scroll, footer)
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        fit_to_screen(self, body)

    def chosen_place(self) -> PlaceType:
        for place, button in self.place_buttons.items():
            if button.isChecked():
                return place
        return PlaceType.OTHER

    def visit_day(self) -> datetime.date:
        day = self.visit_date.date()
        return datetime.date(day.year(), day.month(), day.day())

    def show_problem(self, message: str) -> None:
        """Show ``message`` above the buttons; everything typed stays as it is."""
        self._footer.show_problem(self, message)

    @Slot()
    def accept(self) -> None:
        try:
            visit = self._service.start(
                self._storyteller_uuid,
                author=self._author,
                visit_date=self.visit_day(),
                place_type=self.chosen_place(),
                present=self.present.text(),
                notes=self.notes.toPlainText(),
            )
        except StoryCaptureError as error:
            self.show_problem(str(error))
            return
        self.started_visit = visit
        self.problem.hide()
        super().accept()


class VisitRecapDialog(QDialog):
    """The end of a visit: what was added together, what of it is private, and the offer of
    a copy for the storyteller to keep. Ending the visit has already happened; this only tells."""

    def __init__(self, recap: VisitRecap, pseudonym: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self.recap = recap
        self.wants_copy = False
        self.setWindowTitle(f"The visit with {pseudonym} has ended")
        self.setModal(True)

        heading = make_label(f"Thank you for this visit with {pseudonym}", "heading")
        lines = recap_lines(recap)
        if lines:
            summary = make_label("Added together during this visit:", "subheading")
            self.added = make_label("\n".join(f"•  {line}" for line in lines))
        else:
            summary = make_label("Nothing new was added this time.", "subheading")
            self.added = make_label(
                "Sometimes a visit is for talking, and that is worth as much.", "subtle"
            )
        self.added.setAccessibleName("What was added during this visit")
        self.private = make_label(recap_private_sentence(recap))
        self.private.setAccessibleName("What of it is private")
        self.private.setVisible(bool(recap.total))
        offer = make_label(
            f"{pseudonym} can take home a copy of their story: their timeline, strengths and "
            "the words they choose.",
            "subtle",
        )

        self.give_copy_button = QPushButton("Give a copy…")
        self.give_copy_button.setAccessibleName(f"Give {pseudonym} a copy of their story")
        self.give_copy_button.setAutoDefault(False)
        self.give_copy_button.clicked.connect(self._give_copy)
        self.done_button = QPushButton("Done")
        self.done_button.setObjectName("primary")
        self.done_button.setAccessibleName("Done, close the recap")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.give_copy_button)
        buttons.addWidget(self.done_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(20))
        layout.setSpacing(scaled_px(10))
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(self.added)
        layout.addWidget(self.private)
        layout.addSpacing(scaled_px(4))
        layout.addWidget(offer)
        layout.addStretch(1)
        layout.addSpacing(scaled_px(8))
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 62)
        self.done_button.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_to_screen(self)

    @Slot()
    def _give_copy(self) -> None:
        self.wants_copy = True
        self.accept()
