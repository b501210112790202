"""The settings dialog: auto-lock, interface scale, theme, and the facilitator's own name."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.gui.settings import (
    AUTO_LOCK_RANGE,
    SCALE_CHOICES,
    AppSettings,
)
from storycapture.gui.theme import THEME_LABELS, THEMES, fit_to_screen, scaled_px


def _scale_label(scale: float) -> str:
    return "Normal size" if scale == 1.0 else f"{round(scale * 100)}%"


class SettingsDialog(QDialog):
    """Auto-lock, interface scale, theme and the facilitator's name. OK saves them all."""

    settings_changed = Signal()

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ensurePolished()
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setModal(True)

        heading = QLabel("Settings")
        heading.setObjectName("heading")
        intro = QLabel(
            "These are kept on this laptop for you. Nothing about the people whose stories "
            "you gather is kept here."
        )
        intro.setObjectName("subtle")
        intro.setWordWrap(True)

        self.name = QLineEdit(settings.facilitator_name)
        self.name.setAccessibleName("Your name")
        self.name.setAccessibleDescription("Recorded as the author of what you add to a story.")
        self.name.setPlaceholderText("For example, Priya")
        self.name.setMaxLength(80)

        self.auto_lock = QSpinBox()
        low, high = AUTO_LOCK_RANGE
        self.auto_lock.setRange(low, high)
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.setAccessibleName("Lock after this many minutes without use")

        self.scale = QComboBox()
        for choice in SCALE_CHOICES:
            self.scale.addItem(_scale_label(choice), choice)
        self.scale.setCurrentIndex(SCALE_CHOICES.index(settings.interface_scale))
        self.scale.setAccessibleName("Size of text and controls")

        self.theme = QComboBox()
        for theme in THEMES:
            self.theme.addItem(THEME_LABELS[theme], theme)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        self.theme.setAccessibleName("Colours")

        form = QVBoxLayout()
        form.setSpacing(scaled_px(6))
        for text, field in (
            ("Your name (recorded as the author of what you add)", self.name),
            ("Lock the stories after", self.auto_lock),
            ("Size of text and controls", self.scale),
            ("Colours", self.theme),
        ):
            label = QLabel(text)
            label.setWordWrap(True)
            label.setBuddy(field)
            if form.count():
                form.addSpacing(scaled_px(8))
            form.addWidget(label)
            form.addWidget(field)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")
        self.ok_button.setObjectName("primary")
        self.ok_button.setAccessibleName("Save settings")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel without saving")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(20))
        layout.setSpacing(scaled_px(14))
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        fit_to_screen(self)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def accept(self) -> None:
        name = self.name.text().strip()
        try:
            Author.facilitator(name)  # the same rules the vault applies to an author's name
        except StoryCaptureError as error:
            self.problem.setText(str(error))
            self.problem.show()
            self.name.setFocus()
            return
        self.settings.facilitator_name = name
        self.settings.auto_lock_minutes = self.auto_lock.value()
        self.settings.interface_scale = float(self.scale.currentData())
        self.settings.theme = str(self.theme.currentData())
        self.problem.hide()
        self.settings_changed.emit()
        super().accept()
