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
