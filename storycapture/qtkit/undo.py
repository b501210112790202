"""Undo steps that call services. Undo is a new edit through the service, never a rollback.

Each step is built from two plain functions: ``apply`` (what the step does, run when it is
made and on every redo) and ``revert`` (the edit that puts things back). A whole gesture (a
drag, a dialog's OK) is one step. Making the step runs ``apply`` at once: if the service
refuses, the error goes to the caller and nothing is pushed. A later undo or redo that the
service refuses (the storyteller was erased meanwhile, say) is passed to ``on_refused``,
because an exception must not escape into Qt's undo machinery.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from storycapture.domain.errors import StoryCaptureError

Refused = Callable[[StoryCaptureError], None]


class ServiceStep(QUndoCommand):
    def __init__(
        self,
        text: str,
        apply: Callable[[], None],
        revert: Callable[[], None],
        after: Callable[[], None] | None = None,
        on_refused: Refused | None = None,
        applied: bool = False,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self._revert = revert
        self._after = after
        self._on_refused = on_refused
        # QUndoStack.push() calls redo(); a step made already applied skips that first one.
        self._skip_next_redo = applied

    def redo(self) -> None:
        if self._skip_next_redo:
            self._skip_next_redo = False
        else:
            self._run(self._apply)
        if self._after is not None:
            self._after()

    def undo(self) -> None:
        self._run(self._revert)
        if self._after is not None:
            self._after()

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except StoryCaptureError as error:
            if self._on_refused is None:
                raise
            self._on_refused(error)


def push_step(
    stack: QUndoStack,
    text: str,
    apply: Callable[[], None],
    revert: Callable[[], None],
    after: Callable[[], None] | None = None,
    on_refused: Refused | None = None,
) -> None:
    """Run ``apply`` now as an undoable step. If it raises, nothing is pushed."""
    apply()
    stack.push(ServiceStep(text, apply, revert, after, on_refused, applied=True))
