"""Guards on the Qt binding itself.

PySide6 6.12.0 drops a reference to ``None`` on every call that returns nothing, on Python
3.11; after a few thousand calls the interpreter aborts (``none_dealloc``). The dependency is
pinned below 6.12 there; this test fails loudly if a broken build ever comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_the_reference_count_of_none() -> None:
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100_000):
        probe.setObjectName("probe")
    after = sys.getrefcount(None)
    # Other threads may hold or release a few references meanwhile; a leak would be ~100,000.
    assert abs(after - before) < 1_000


def test_the_window_module_imports_without_the_services() -> None:
    import subprocess

    code = (
        "import sys\n"
        "import storycapture.gui.app\n"
        "assert 'sqlalchemy' not in sys.modules, 'SQLAlchemy slows the first window'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_undo_the_service_refuses_is_reported_not_raised_into_qt(qtbot: object) -> None:
    from PySide6.QtGui import QUndoStack

    from storycapture.domain.errors import NotFound
    from storycapture.qtkit.undo import push_step

    stack = QUndoStack()
    seen: list[str] = []
    done: list[str] = []

    def refuse() -> None:
        raise NotFound("That storyteller has been erased.")

    push_step(
        stack, "Add", lambda: done.append("added"), refuse, on_refused=lambda e: seen.append(str(e))
    )
    assert done == ["added"] and stack.count() == 1  # applied once, not again by push()
    stack.undo()
    assert seen == ["That storyteller has been erased."]


def test_a_step_the_service_refuses_at_once_is_not_pushed(qtbot: object) -> None:
    import pytest
    from PySide6.QtGui import QUndoStack

    from storycapture.domain.errors import InvalidInput
    from storycapture.qtkit.undo import push_step

    stack = QUndoStack()

    def refuse() -> None:
        raise InvalidInput("Too long.")

    with pytest.raises(InvalidInput):
        push_step(stack, "Add", refuse, lambda: None)
    assert stack.count() == 0
