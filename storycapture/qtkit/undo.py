"""Undo steps that call services. Undo is a new edit through the service, never a rollback.

Each step is built from two plain functions: ``apply`` (what the step does, run on the first
push and on every redo) and ``revert`` (the edit that puts things back). A whole gesture (a
drag, a dialog's OK) is one step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack


class ServiceStep(QUndoCommand):
    def __init__(
        self,
        text: str,
        apply: Callable[[], None],
        revert: Callable[[], None],
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self._revert = revert
        self._after = after

    def redo(self) -> None:
        self._apply()
        if self._after is not None:
            self._after()

    def undo(self) -> None:
        self._revert()
        if self._after is not None:
            self._after()


def push_step(
    stack: QUndoStack,
    text: str,
    apply: Callable[[], None],
    revert: Callable[[], None],
    after: Callable[[], None] | None = None,
) -> None:
    """Run ``apply`` now as an undoable step. If it raises, nothing is pushed."""
    apply()
    step = ServiceStep(text, apply, revert, after)
    # The step has already been applied; the first redo() that push() makes must not repeat it.
    first = [True]
    original_apply = step._apply

    def apply_after_first() -> None:
        if first[0]:
            first[0] = False
            return
        original_apply()

    step._apply = apply_after_first
    stack.push(step)
