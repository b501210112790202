"""CalmStyle: Fusion with tick boxes, round choices and fields drawn in the theme's colours.

Kept apart from ``theme`` because defining a QStyle subclass makes PySide build every QStyle
enum (about 50 ms): the first window is shown before this module is imported.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComplex,
    QStyleOptionSpinBox,
    QWidget,
)

from storycapture.qtkit.looks import current_scale, current_theme, readable_on


class CalmStyle(QProxyStyle):
    """Fusion, with tick boxes, round choices and drop-down fields drawn in the theme's colours.

    Fusion outlines a tick box in a darker shade of the window colour, which all but vanishes
    on a dark or black window; here the outline is the theme's border colour (3:1 or more
    against the background, as WCAG asks of controls), filled with the accent when chosen.
    Drop-down fields and spin boxes (QComboBox, QDateEdit, QSpinBox, …) are drawn here whole,
    to match the stylesheet's text fields: under a stylesheet Qt would draw their arrows on an
    old Windows-style bevel that no theme colour reaches.
    """

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    @property
    def scale(self) -> float:
        return current_scale()

    @property
    def line(self) -> int:
        """Border width of a field in pixels; the focus border is one wider."""
        return 2 if current_theme() == "high-contrast" else 1

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element in (
            QStyle.PrimitiveElement.PE_IndicatorCheckBox,
            QStyle.PrimitiveElement.PE_IndicatorRadioButton,
        ):
            self._draw_choice(element, option, painter)
        elif element == QStyle.PrimitiveElement.PE_IndicatorArrowDown:
            self._draw_chevron(option, painter, option.rect)
        elif element == QStyle.PrimitiveElement.PE_IndicatorArrowUp:
            self._draw_chevron(option, painter, option.rect, up=True)
        else:
            super().drawPrimitive(element, option, painter, widget)

    # -- drop-down fields and spin boxes --------------------------------------------------
    _FIELDS = (QStyle.ComplexControl.CC_ComboBox, QStyle.ComplexControl.CC_SpinBox)

    def _padding(self) -> int:
        return round(6 * self.scale)

    def _button_width(self, option: QStyleOption) -> int:
        return round(option.fontMetrics.height() * 1.6)

    def _has_buttons(self, control: QStyle.ComplexControl, option: QStyleOptionComplex) -> bool:
        if control == QStyle.ComplexControl.CC_ComboBox:
            return True
        return (
            isinstance(option, QStyleOptionSpinBox)
            and option.buttonSymbols != QAbstractSpinBox.ButtonSymbols.NoButtons
        )

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if control not in self._FIELDS:
            super().drawComplexControl(control, option, painter, widget)
            return
        palette = option.palette
        state = option.state
        enabled = bool(state & QStyle.StateFlag.State_Enabled)
        focused = bool(state & QStyle.StateFlag.State_HasFocus) and enabled
        width = self.line + (1 if focused else 0)
        edge = palette.color(
            QPalette.ColorRole.Accent
            if focused
            else QPalette.ColorRole.Mid
            if enabled
            else QPalette.ColorRole.Midlight
        )
        fill = palette.color(
            QPalette.ColorRole.Base if enabled else QPalette.ColorRole.AlternateBase
        )
        half = width / 2
        frame = QRectF(option.rect).adjusted(half, half, -half, -half)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(edge, width))
        painter.setBrush(fill)
        radius = 8 * self.scale
        painter.drawRoundedRect(frame, radius, radius)
        painter.restore()
        if control == QStyle.ComplexControl.CC_ComboBox:
            arrow = self.subControlRect(control, option, QStyle.SubControl.SC_ComboBoxArrow)
            self._draw_chevron(option, painter, arrow, QPalette.ColorRole.Text)
        elif self._has_buttons(control, option):
            assert isinstance(option, QStyleOptionSpinBox)
            for part, flag, up in (
                (
                    QStyle.SubControl.SC_SpinBoxUp,
                    QAbstractSpinBox.StepEnabledFlag.StepUpEnabled,
                    True,
                ),
                (
                    QStyle.SubControl.SC_SpinBoxDown,
                    QAbstractSpinBox.StepEnabledFlag.StepDownEnabled,
                    False,
                ),
            ):
                rect = self.subControlRect(control, option, part)
                can_step = enabled and bool(option.stepEnabled & flag)
                if (
                    can_step
                    and option.activeSubControls & part
                    and state & QStyle.StateFlag.State_Sunken
                ):
                    painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
                role = QPalette.ColorRole.Text if can_step else QPalette.ColorRole.PlaceholderText
                self._draw_chevron(option, painter, rect, role, up=up)

    def subControlRect(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        part: QStyle.SubControl,
        widget: QWidget | None = None,
    ) -> QRect:
        if control not in self._FIELDS:
            return super().subControlRect(control, option, part, widget)  # type: ignore[arg-type]
        rect = option.rect
        inset = self.line + 1
        buttons = self._button_width(option) if self._has_buttons(control, option) else 0
        column = QRect(rect.right() - buttons - inset + 1, rect.top() + inset, buttons, 0)
        column.setBottom(rect.bottom() - inset)
        edit_field = rect.adjusted(self._padding() + inset, inset, -(buttons + inset), -inset)
        # Sub-control values are reused between controls (SC_ComboBoxEditField is
        # SC_SpinBoxDown), so each control is asked about on its own.
        if control == QStyle.ComplexControl.CC_ComboBox:
            if part == QStyle.SubControl.SC_ComboBoxArrow:
                return QRect(column.left(), rect.top(), buttons, rect.height())
            if part == QStyle.SubControl.SC_ComboBoxEditField:
                return edit_field
            return QRect(rect)
        if part == QStyle.SubControl.SC_SpinBoxUp:
            return QRect(column.left(), column.top(), buttons, column.height() // 2)
        if part == QStyle.SubControl.SC_SpinBoxDown:
            top = column.top() + column.height() // 2
            return QRect(column.left(), top, buttons, column.bottom() - top + 1)
        if part == QStyle.SubControl.SC_SpinBoxEditField:
            return edit_field
        return QRect(rect)

    def sizeFromContents(
        self,
        kind: QStyle.ContentsType,
        option: QStyleOption,
        contents: QSize,
        widget: QWidget | None = None,
    ) -> QSize:
        if kind not in (QStyle.ContentsType.CT_ComboBox, QStyle.ContentsType.CT_SpinBox):
            return super().sizeFromContents(kind, option, contents, widget)  # type: ignore[arg-type]
        # As tall as the stylesheet's text fields: text, padding and border.
        inner = max(contents.height(), option.fontMetrics.height(), round(24 * self.scale))
        height = inner + 2 * (self._padding() + self.line)
        width = contents.width() + self._padding() * 2 + self._button_width(option)
        return QSize(width + 2 * self.line, height)

    # -- tick boxes and round choices -----------------------------------------------------
    @staticmethod
    def _draw_choice(
        element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter
    ) -> None:
        palette = option.palette
        state = option.state
        enabled = bool(state & QStyle.StateFlag.State_Enabled)
        chosen = bool(state & (QStyle.StateFlag.State_On | QStyle.StateFlag.State_NoChange))
        accent = palette.color(QPalette.ColorRole.Accent)
        edge = (
            palette.color(QPalette.ColorRole.Mid)
            if enabled
            else palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        )
        if chosen and enabled:
            edge = accent
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        side = min(rect.width(), rect.height())
        rect = QRectF(rect.center().x() - side / 2, rect.center().y() - side / 2, side, side)
        line = max(1.5, side / 10)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(edge, line))
        inner = rect.adjusted(line / 2, line / 2, -line / 2, -line / 2)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawEllipse(inner)
            if chosen:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(edge)
                dot = side * 0.26
                painter.drawEllipse(rect.center(), dot, dot)
        else:
            painter.setBrush(edge if chosen else palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(inner, side * 0.18, side * 0.18)
            if chosen:
                mark = QPen(readable_on(edge), max(2.0, side / 8))
                mark.setCapStyle(Qt.PenCapStyle.RoundCap)
                mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.setPen(mark)
                path = QPainterPath()
                x, y = rect.left(), rect.top()
                if state & QStyle.StateFlag.State_NoChange:
                    path.moveTo(QPointF(x + side * 0.28, y + side * 0.5))
                    path.lineTo(QPointF(x + side * 0.72, y + side * 0.5))
                else:
                    path.moveTo(QPointF(x + side * 0.26, y + side * 0.52))
                    path.lineTo(QPointF(x + side * 0.43, y + side * 0.69))
                    path.lineTo(QPointF(x + side * 0.75, y + side * 0.33))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
        painter.restore()

    @staticmethod
    def _draw_chevron(
        option: QStyleOption,
        painter: QPainter,
        rect: QRect,
        role: QPalette.ColorRole = QPalette.ColorRole.ButtonText,
        *,
        up: bool = False,
    ) -> None:
        size = option.fontMetrics.height() * 0.55
        centre = QRectF(rect).center()
        tip = -size / 4 if up else size / 4
        pen = QPen(option.palette.color(role), max(1.5, size / 5))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        path = QPainterPath(QPointF(centre.x() - size / 2, centre.y() - tip))
        path.lineTo(QPointF(centre.x(), centre.y() + tip))
        path.lineTo(QPointF(centre.x() + size / 2, centre.y() - tip))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.restore()
