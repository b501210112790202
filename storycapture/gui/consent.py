"""Consent on screen: recording it (with a signature drawn by finger, pen or mouse), its
history, and the two-step confirmation before a withdrawal erases a storyteller's story.

The widgets call ``ConsentService``; they keep nothing themselves. A drawn signature lives only
in the pad's memory and, once recorded, encrypted in the vault: ``SignaturePad.to_png`` encodes
it in memory (QBuffer), never through a file.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDate,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QIcon,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import ConsentRecord
from storycapture.domain.visibility import DEFAULT_EXPLAINED, DEFAULT_WORDS
from storycapture.domain.vocabulary import ConsentHow, ConsentItem, Visibility
from storycapture.gui.pages import make_label
from storycapture.gui.theme import (
    fit_to_screen,
    scaled_px,
)
from storycapture.gui.widgets import (
    RowCheckBox,
    RowRadioButton,
    dialog_footer,
    scrolled_form_layout,
)
from storycapture.qtkit.palette import SIGNATURE, WHITE

if TYPE_CHECKING:
    from storycapture.services.consent import ConsentService

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# One plain sentence for each thing a storyteller may agree to; {name} is their pseudonym.
CONSENT_SENTENCES: dict[ConsentItem, str] = {
    ConsentItem.TAKE_PART: (
        "{name} is happy to share their story, and for it to be written down and kept "
        "safely on this laptop."
    ),
    ConsentItem.PHOTOS: "Photos that {name} chooses can be kept with their story.",
    ConsentItem.AUDIO: "Parts of the conversation can be recorded as sound, when {name} says so.",
    ConsentItem.SHARE_WITH_TEAM: (
        "{name}'s story, apart from anything marked private, can go to the programme team, "
        "who look after it and learn from it."
    ),
    ConsentItem.SHARE_QUOTES_WITH_PARTNERS: (
        "Some of {name}'s own words, with anything that could identify them taken out, can be "
        "shared with partner sites."
    ),
}


def _qdate(day: datetime.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> datetime.date:
    return datetime.date(day.year(), day.month(), day.day())


def describe_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


class SignaturePad(QWidget):
    """A sheet of paper to sign on with a finger, a pen or the mouse; strokes are smoothed.

    The paper stays light in every theme, like a real sheet, so the signature always reads as
    ink on paper; Delete or Backspace clears it when the pad has keyboard focus.
    """

    changed = Signal()  # a stroke was finished, or the pad was cleared

    PAPER = QColor(SIGNATURE["paper"])
    INK = QColor(SIGNATURE["ink"])
    GUIDE = QColor(SIGNATURE["guide"])
    HINT = QColor(SIGNATURE["hint"])
    _MIN_STEP = 1.5  # pixels: closer points add jitter, not shape

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[list[QPointF]] = []
        self._drawing: list[QPointF] | None = None
        self._touch_id: int | None = None
        self.setAccessibleName("Signature")
        self.setAccessibleDescription(
            "Draw a signature here with a finger, a pen or the mouse. Delete clears it."
        )
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    # -- what the dialog uses -------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self._strokes and not self._drawing

    def clear(self) -> None:
        had_ink = not self.is_empty()
        self._strokes.clear()
        self._drawing = None
        self._touch_id = None
        self.update()
        if had_ink:
            self.changed.emit()

    def stroke_count(self) -> int:
        return len(self._strokes)

    def to_png(self) -> bytes:
        """The signature as PNG bytes: ink on white, cropped to what was drawn, at 2× detail.

        Encoded in memory only. Raises ``ValueError`` when nothing has been drawn.
        """
        if self.is_empty():
            raise ValueError("Nothing has been drawn on the signature pad.")
        path = self._path(self._all_strokes())
        width = self._pen_width()
        margin = 12.0
        bounds = path.boundingRect().adjusted(-margin, -margin, margin, margin)
        detail = 2.0
        image = QImage(
            max(1, round(bounds.width() * detail)),
            max(1, round(bounds.height() * detail)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.fill(QColor(WHITE))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(detail, detail)
        painter.translate(-bounds.topLeft())
        self._draw_ink(painter, path, width)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # str at run time
        buffer.close()
        return bytes(data.data())

    # -- size -----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 24, line * 8)

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 14, line * 7)

    # -- drawing --------------------------------------------------------------------------
    def _pen_width(self) -> float:
        return max(2.5, self.fontMetrics().height() / 7.0)

    def _all_strokes(self) -> list[list[QPointF]]:
        return [*self._strokes, *([self._drawing] if self._drawing else [])]

    @staticmethod
    def _path(strokes: list[list[QPointF]]) -> QPainterPath:
        """A smooth curve through each stroke: quadratic segments between midpoints."""
        path = QPainterPath()
        for points in strokes:
            path.moveTo(points[0])
            if len(points) == 1:
                path.lineTo(points[0] + QPointF(0.1, 0.1))  # a dot, drawn by the round cap
                continue
            for here, after in itertools.pairwise(points[1:]):
                path.quadTo(here, (here + after) / 2.0)
            path.lineTo(points[-1])
        return path

    def _draw_ink(self, painter: QPainter, path: QPainterPath, width: float) -> None:
        pen = QPen(self.INK, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        outline = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        focused = self.hasFocus()
        border = self.palette().color(
            QPalette.ColorRole.Accent if focused else QPalette.ColorRole.Mid
        )
        painter.setPen(QPen(border, 3.0 if focused else 1.0))
        painter.setBrush(self.PAPER)
        painter.drawRoundedRect(outline, 10, 10)
        line = self.fontMetrics().height()
        baseline = outline.bottom() - line * 1.6
        painter.setPen(QPen(self.GUIDE, 1.0, Qt.PenStyle.DashLine))
        painter.drawLine(
            QPointF(outline.left() + line, baseline), QPointF(outline.right() - line, baseline)
        )
        if self.is_empty():
            painter.setPen(self.HINT)
            painter.drawText(
                QRectF(outline.left() + line, baseline + 4, outline.width() - 2 * line, line * 1.4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                "Sign above this line",
            )
        painter.setClipRect(outline.adjusted(2, 2, -2, -2))
        self._draw_ink(painter, self._path(self._all_strokes()), self._pen_width())

    # -- input: mouse, touch, pen ---------------------------------------------------------
    def _begin(self, point: QPointF) -> None:
        self._drawing = [QPointF(point)]
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._drawing is None:
            return
        last = self._drawing[-1]
        if (point - last).manhattanLength() >= self._MIN_STEP:
            self._drawing.append(QPointF(point))
            self.update()

    def _finish(self, point: QPointF | None = None) -> None:
        if self._drawing is None:
            return
        if point is not None:
            self._extend(point)
        self._strokes.append(self._drawing)
        self._drawing = None
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._touch_id is None:
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._touch_id is None and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._touch_id is None:
            self._finish(event.position())
            event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting stops Qt from also sending the same movement as mouse events.
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._finish(event.position())
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QTouchEvent) and kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            self._touch(event)
            event.accept()
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """One finger signs; a second finger resting on the screen is ignored."""
        if event.type() == QEvent.Type.TouchCancel:
            self._drawing = None
            self._touch_id = None
            self.update()
            return
        for point in event.points():
            if self._touch_id is None and point.state() == point.State.Pressed:
                self._touch_id = point.id()
                self._begin(point.position())
            elif point.id() == self._touch_id:
                if point.state() == point.State.Released:
                    self._finish(point.position())
                    self._touch_id = None
                else:
                    self._extend(point.position())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
            event.accept()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: object) -> None:
        self.update()
        super().focusInEvent(event)  # type: ignore[arg-type]

    def focusOutEvent(self, event: object) -> None:
        self.update()
        super().focusOutEvent(event)  # type: ignore[arg-type]


class _ExplainingLabel(QLabel):
    """The sentence under a checkbox; touching it ticks the box, as touching its text does."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self._box = box
        self.setObjectName("subtle")
        self.setWordWrap(True)
        self.setBuddy(box)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._box.isEnabled():
            self._box.toggle()
            self._box.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mouseReleaseEvent(event)


class ConsentDialog(QDialog):
    """Record a new version of a storyteller's consent; earlier versions stay in the history."""

    def __init__(
        self,
        service: ConsentService,
        storyteller_uuid: str,
        pseudonym: str,
        facilitator_name: str,
        author: Author,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()  # the theme's font, so sizes below follow the scale
        self._service = service
        self._storyteller_uuid = storyteller_uuid
        self._pseudonym = pseudonym
        self._author = author
        self.recorded_consent: ConsentRecord | None = None
        self.setWindowTitle(f"Consent for {pseudonym}")
        self.setModal(True)

        current: ConsentRecord | None = None
        problem_on_open = ""
        try:
            current = service.current(storyteller_uuid)
        except StoryCaptureError as error:
            problem_on_open = str(error)

        heading = make_label(f"Consent for {pseudonym}", "heading")
        intro = make_label(
            f"Go through each one together and tick what {pseudonym} is happy with. "
            "They can change their mind at any time, and each change is kept as a new version."
            + (f" This will be version {current.version + 1}." if current else ""),
            "subtle",
        )

        # What they agree to
        agree = QVBoxLayout()
        agree.setSpacing(2)
        agree.addWidget(make_label(f"What {pseudonym} agrees to", "subheading"))
        self.item_boxes: dict[ConsentItem, QCheckBox] = {}
        for item in ConsentItem:
            sentence = CONSENT_SENTENCES[item].format(name=pseudonym)
            box = RowCheckBox(item.label)
            box.setAccessibleName(item.label)
            box.setAccessibleDescription(sentence)
            box.setChecked(current is not None and current.allows(item))
            explanation = _ExplainingLabel(sentence, box)
            indent = QHBoxLayout()
            # Line the sentence up with the checkbox's text: the stylesheet's padding (8),
            # border (2), tick box (20) and spacing (10) come first.
            indent.setContentsMargins(scaled_px(8 + 2 + 20 + 10), 0, 0, scaled_px(10))
            indent.addWidget(explanation)
            agree.addWidget(box)
            agree.addLayout(indent)
            self.item_boxes[item] = box
        agree.addSpacing(scaled_px(8))
        agree.addLayout(self._default_visibility_section(storyteller_uuid, pseudonym))
        agree.addStretch(1)

        # How, when and with whom
        given = QVBoxLayout()
        given.setSpacing(scaled_px(6))
        given.addWidget(make_label("How consent was given", "subheading"))
        self.how_group = QButtonGroup(self)
        self.how_buttons: dict[ConsentHow, QRadioButton] = {}
        for how in ConsentHow:
            button = RowRadioButton(how.label)
            button.setAccessibleName(how.label)
            self.how_group.addButton(button)
            self.how_buttons[how] = button
            given.addWidget(button)
        chosen = current.how if current is not None else ConsentHow.SIGNED_ON_SCREEN
        self.how_buttons[chosen].setChecked(True)

        self.given_on = QDateEdit(QDate.currentDate())
        self.given_on.setCalendarPopup(True)
        self.given_on.setDisplayFormat("d MMMM yyyy")
        self.given_on.setMaximumDate(QDate.currentDate())
        self.given_on.setMinimumDate(QDate(2000, 1, 1))
        self.given_on.setAccessibleName("Date consent was given")
        date_label = make_label("Date")
        date_label.setBuddy(self.given_on)

        self.facilitator = QLineEdit(facilitator_name)
        self.facilitator.setMaxLength(200)
        self.facilitator.setPlaceholderText("Your name")
        self.facilitator.setAccessibleName("Facilitator's name")
        facilitator_label = make_label("Facilitator")
        facilitator_label.setBuddy(self.facilitator)

        fields = QGridLayout()
        fields.setHorizontalSpacing(scaled_px(12))
        fields.setVerticalSpacing(scaled_px(8))
        fields.setContentsMargins(0, scaled_px(10), 0, scaled_px(6))
        fields.addWidget(date_label, 0, 0)
        fields.addWidget(self.given_on, 0, 1)
        fields.addWidget(facilitator_label, 1, 0)
        fields.addWidget(self.facilitator, 1, 1)
        fields.setColumnStretch(1, 1)
        given.addLayout(fields)

        self.signature_pad = SignaturePad()
        self.clear_signature_button = QPushButton("Clear")
        self.clear_signature_button.setAccessibleName("Clear the signature")
        self.clear_signature_button.setAutoDefault(False)
        self.clear_signature_button.clicked.connect(self.signature_pad.clear)
        self.signature_section = QWidget()
        section = QVBoxLayout(self.signature_section)
        section.setContentsMargins(0, scaled_px(4), 0, 0)
        section.setSpacing(scaled_px(6))
        sign_row = QHBoxLayout()
        sign_label = make_label(f"{pseudonym}'s signature")
        sign_label.setBuddy(self.signature_pad)
        sign_row.addWidget(sign_label, 1)
        sign_row.addWidget(self.clear_signature_button)
        section.addLayout(sign_row)
        section.addWidget(self.signature_pad)
        section.addWidget(make_label("With a finger, a pen or the mouse.", "subtle"))
        given.addWidget(self.signature_section)
        given.addStretch(1)

        # Side by side when there is room; one above the other when the text is large on a
        # small laptop (at 200% the two columns are wider than the screen).
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        columns.setSpacing(scaled_px(32))
        columns.addLayout(agree, 5)
        columns.addLayout(given, 4)
        self._columns = (columns, agree, given)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(12))
        body_layout.setSpacing(scaled_px(12))
        body_layout.addWidget(heading)
        body_layout.addWidget(intro)
        body_layout.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._scroll = scroll

        footer = dialog_footer(self, "Record consent", "Cancel without recording", problem_on_open)
        self.problem = footer.problem
        self.buttons = footer.buttons
        self.ok_button = footer.ok_button
        self.cancel_button = footer.cancel_button
        self._footer = footer
        scrolled_form_layout(self, scroll, footer)

        self.how_group.buttonToggled.connect(self._show_signature_if_signing)
        self._show_signature_if_signing()
        self.item_boxes[ConsentItem.TAKE_PART].setFocus(Qt.FocusReason.OtherFocusReason)
        fit_to_screen(self, body)

    def _default_visibility_section(self, storyteller_uuid: str, pseudonym: str) -> QVBoxLayout:
        """Their choice of what new things are, unless they say otherwise for one of them."""
        from storycapture.services.storytellers import StorytellerService

        section = QVBoxLayout()
        section.setSpacing(2)
        section.addWidget(
            make_label("What new things are, unless they say otherwise", "subheading")
        )
        section.addWidget(
            make_label(
                f"{pseudonym} can change this for anything they add, and later on their overview.",
                "subtle",
            )
        )
        chosen: Visibility | None = None
        with contextlib.suppress(StoryCaptureError):  # the form still opens; private is safe
            chosen = (
                StorytellerService(self._service.vault).get(storyteller_uuid).default_visibility
            )
        self.default_group = QButtonGroup(self)
        self.default_buttons: dict[Visibility, QRadioButton] = {}
        for visibility, words in DEFAULT_WORDS.items():
            button = RowRadioButton(words)
            button.setAccessibleName(f"New things are {words.lower()}")
            button.setAccessibleDescription(DEFAULT_EXPLAINED[visibility])
            self.default_group.addButton(button)
            self.default_buttons[visibility] = button
            section.addWidget(button)
            indent = QHBoxLayout()  # lined up with the choice's words, as the items above
            indent.setContentsMargins(scaled_px(8 + 2 + 20 + 10), 0, 0, scaled_px(6))
            indent.addWidget(make_label(DEFAULT_EXPLAINED[visibility], "subtle"))
            section.addLayout(indent)
        self.default_buttons[chosen or Visibility.PRIVATE].setChecked(True)
        return section

    def chosen_default_visibility(self) -> Visibility:
        for visibility, button in self.default_buttons.items():
            if button.isChecked():
                return visibility
        return Visibility.PRIVATE

    # -- reading the form -----------------------------------------------------------------
    def chosen_items(self) -> list[ConsentItem]:
        return [item for item, box in self.item_boxes.items() if box.isChecked()]

    def chosen_how(self) -> ConsentHow:
        for how, button in self.how_buttons.items():
            if button.isChecked():
                return how
        return ConsentHow.VERBAL

    def given_on_date(self) -> datetime.date:
        return _pydate(self.given_on.date())

    @Slot()
    def _show_signature_if_signing(self) -> None:
        signing = self.chosen_how() is ConsentHow.SIGNED_ON_SCREEN
        self.signature_section.setVisible(signing)
        self.signature_section.setEnabled(signing)

    def show_problem(self, message: str) -> None:
        """Show ``message`` above the buttons; everything typed stays as it is."""
        self._footer.show_problem(self, message)

    def explain_taking_part(self) -> None:
        """Why consent cannot be recorded yet: taking part is not ticked."""
        box = self.item_boxes[ConsentItem.TAKE_PART]
        self.show_problem(
            f"{self._pseudonym} needs to agree to take part before consent can be recorded: "
            "everything else builds on it. If they would rather not take part, press Cancel "
            "and nothing is recorded."
        )
        box.setFocus(Qt.FocusReason.OtherFocusReason)
        self._scroll.ensureWidgetVisible(box)

    @Slot()
    def accept(self) -> None:
        # Consent to nothing is not consent; the service refuses it too, in its own words.
        if ConsentItem.TAKE_PART not in self.chosen_items():
            self.explain_taking_part()
            return
        how = self.chosen_how()
        signature: bytes | None = None
        if how is ConsentHow.SIGNED_ON_SCREEN:
            if self.signature_pad.is_empty():
                self.show_problem(
                    f"Please ask {self._pseudonym} to sign in the box, "
                    "or choose another way consent was given."
                )
                self.signature_pad.setFocus(Qt.FocusReason.OtherFocusReason)
                self._scroll.ensureWidgetVisible(self.signature_pad)
                return
            signature = self.signature_pad.to_png()
        try:
            record = self._service.record(
                self._storyteller_uuid,
                items=self.chosen_items(),
                how=how,
                given_on=self.given_on_date(),
                facilitator=self.facilitator.text(),
                author=self._author,
                signature=signature,
            )
            from storycapture.services.storytellers import StorytellerService

            StorytellerService(self._service.vault).update(
                self._storyteller_uuid,
                author=Author.storyteller(),  # their choice, whoever clicks
                default_visibility=self.chosen_default_visibility(),
            )
        except StoryCaptureError as error:
            self.show_problem(str(error))
            return
        self.recorded_consent = record
        self.problem.hide()
        super().accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange_columns(event.size().width())
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self._arrange_columns(self.width())
        super().showEvent(event)

    def _arrange_columns(self, width: int) -> None:
        columns, agree, given = self._columns
        agree.activate()
        given.activate()
        side_by_side = (
            agree.minimumSize().width()
            + given.minimumSize().width()
            + columns.spacing()
            + scaled_px(2 * 28 + 24)  # the page's margins and a scroll bar
        )
        direction = (
            QBoxLayout.Direction.LeftToRight
            if width >= side_by_side
            else QBoxLayout.Direction.TopToBottom
        )
        if direction != columns.direction():
            columns.setDirection(direction)
            body = self._scroll.widget()
            layout = body.layout() if body is not None else None
            if layout is not None:  # lay the page out again now, not on some later event
                layout.invalidate()
                layout.activate()

    def done(self, result: int) -> None:
        # However the dialog closes (recorded, cancelled, or the vault locking), the drawn
        # strokes go: a recorded signature lives only in the vault, encrypted.
        self.signature_pad.clear()
        super().done(result)


class ConsentHistoryView(QWidget):
    """Every version of a storyteller's consent, newest first, with signature thumbnails."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ensurePolished()  # the theme's font, so sizes below follow the scale
        line = self.fontMetrics().height()
        self._thumbnail = QSize(line * 7, line * 3)
        self.versions = QListWidget()
        self.versions.setAccessibleName("Consent history, newest first")
        self.versions.setIconSize(self._thumbnail)
        self.versions.setWordWrap(True)
        self.versions.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.versions.setSpacing(scaled_px(3))
        self.versions.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.empty = make_label("No consent has been recorded yet.", "subtle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.versions, 1)
        self.clear()

    def show_history(self, records: list[ConsentRecord]) -> None:
        self.versions.clear()
        for record in sorted(records, key=lambda r: r.version, reverse=True):
            agreed = record.agreed()
            what = (
                "Agreed to: " + ", ".join(i.label.lower() for i in agreed) + "."
                if agreed
                else "Agreed to nothing yet."
            )
            text = (
                f"Version {record.version} · {describe_date(record.given_on)}\n"
                f"{record.how.label}, with {record.facilitator}\n{what}"
            )
            item = QListWidgetItem(text)
            item.setIcon(self._signature_icon(record.signature))
            spoken = text.replace("\n", ". ")
            if record.signature:
                spoken += " A drawn signature is kept with it."
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
            self.versions.addItem(item)
        self.empty.setVisible(not records)
        self.versions.setVisible(bool(records))

    def _signature_icon(self, signature: bytes | None) -> QIcon:
        thumbnail = QPixmap(self._thumbnail)
        thumbnail.fill(Qt.GlobalColor.transparent)
        if signature:
            image = QPixmap()
            if image.loadFromData(signature, "PNG"):
                scaled = image.scaled(
                    self._thumbnail,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                painter = QPainter(thumbnail)
                painter.setPen(QPen(QColor(SIGNATURE["thumbnail_edge"]), 1.0))
                painter.setBrush(QColor(SIGNATURE["thumbnail"]))
                painter.drawRect(thumbnail.rect().adjusted(0, 0, -1, -1))
                painter.drawPixmap(
                    (self._thumbnail.width() - scaled.width()) // 2,
                    (self._thumbnail.height() - scaled.height()) // 2,
                    scaled,
                )
                painter.end()
        return QIcon(thumbnail)

    def clear(self) -> None:
        """Locking: no version, name or signature stays on screen."""
        self.versions.clear()
        self.versions.hide()
        self.empty.show()


_WITHDRAWAL_WARNING = (
    "Everything {name} has shared on this laptop — their timeline, strengths, words, photos "
    "and consent — will be erased for good. It cannot be undone. When the laptop next syncs, "
    "the programme team's copy will be erased too."
)


class WithdrawalDialog(QDialog):
    """Asks twice before a withdrawal erases: first what it means, then the name typed in."""

    def __init__(self, pseudonym: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ensurePolished()  # the theme's font, so sizes below follow the scale
        self._pseudonym = pseudonym
        self.setWindowTitle(f"Withdraw {pseudonym}'s consent")
        self.setModal(True)

        # Step 1: what will happen.
        explain = QWidget()
        first = QVBoxLayout(explain)
        first.setContentsMargins(0, 0, 0, 0)
        first.setSpacing(scaled_px(14))
        first.addWidget(make_label(f"Withdraw {pseudonym}'s consent?", "heading"))
        self.warning = make_label(_WITHDRAWAL_WARNING.format(name=pseudonym))
        first.addWidget(self.warning)
        first.addWidget(
            make_label(
                f"If {pseudonym} would rather stop sharing something in particular, you can "
                "change their consent instead of withdrawing it.",
                "subtle",
            )
        )
        first.addStretch(1)
        self.keep_button = QPushButton("Keep everything")
        self.keep_button.setAccessibleName("Keep everything and close")
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self.reject)
        self.continue_button = QPushButton("Continue")
        self.continue_button.setAccessibleName("Continue to withdraw consent")
        self.continue_button.setAutoDefault(False)
        self.continue_button.clicked.connect(self.go_to_confirmation)
        first.addLayout(self._row(self.keep_button, self.continue_button))

        # Step 2: type the name to confirm.
        confirm = QWidget()
        second = QVBoxLayout(confirm)
        second.setContentsMargins(0, 0, 0, 0)
        second.setSpacing(scaled_px(14))
        second.addWidget(make_label("Are you sure?", "heading"))
        second.addWidget(
            make_label(
                f"This is the last step. Once you press “Erase for good”, {pseudonym}'s story "
                "is gone from this laptop and cannot be brought back."
            )
        )
        type_label = make_label(f"To erase, type {pseudonym} here:")
        self.confirm_name = QLineEdit()
        self.confirm_name.setAccessibleName(f"Type {pseudonym} to confirm")
        self.confirm_name.setPlaceholderText(pseudonym)
        type_label.setBuddy(self.confirm_name)
        second.addWidget(type_label)
        second.addWidget(self.confirm_name)
        second.addStretch(1)
        self.back_button = QPushButton("Keep everything")
        self.back_button.setAccessibleName("Keep everything and close")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.reject)
        self.erase_button = QPushButton("Erase for good")
        self.erase_button.setObjectName("danger")
        self.erase_button.setAccessibleName(f"Erase {pseudonym}'s story for good")
        self.erase_button.setAutoDefault(False)
        self.erase_button.setEnabled(False)
        self.erase_button.clicked.connect(self.accept)
        self.confirm_name.textChanged.connect(self._name_typed)
        second.addLayout(self._row(self.back_button, self.erase_button))

        self.steps = QStackedWidget()
        self.steps.addWidget(explain)
        self.steps.addWidget(confirm)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(20))
        layout.addWidget(self.steps)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_to_screen(self)

    @staticmethod
    def _row(keep: QPushButton, go_on: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(keep)
        row.addWidget(go_on)
        return row

    @property
    def step(self) -> int:
        """1 while explaining, 2 while asking for the name."""
        return self.steps.currentIndex() + 1

    @property
    def is_confirmed(self) -> bool:
        typed = self.confirm_name.text().strip().casefold()
        return self.step == 2 and typed == self._pseudonym.strip().casefold()

    @Slot()
    def go_to_confirmation(self) -> None:
        self.steps.setCurrentIndex(1)
        self.confirm_name.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(str)
    def _name_typed(self, _text: str) -> None:
        self.erase_button.setEnabled(self.is_confirmed)

    @Slot()
    def accept(self) -> None:
        if self.is_confirmed:
            super().accept()


def confirm_withdrawal(parent: QWidget | None, pseudonym: str) -> bool:
    """Ask twice; True only when the facilitator confirmed both steps."""
    dialog = WithdrawalDialog(pseudonym, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted and dialog.is_confirmed
    finally:
        dialog.deleteLater()
