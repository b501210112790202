"""Shared fixtures: every test gets a fresh temporary vault of its own.

Vaults made here use the smallest key-derivation settings the vault accepts (19 MiB) so the
suite stays quick; the real settings (256 MiB, calibrated) are covered by tests/crypto and the
benchmarks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from storycapture import crypto
from storycapture.domain.authorship import Author
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

PASSPHRASE = "a calm test passphrase"
FACILITATOR = Author.facilitator("Priya")


def fast_kdf() -> crypto.KdfParams:
    return crypto.KdfParams.new(crypto.kdf.MIN_MEMORY_KIB, crypto.kdf.MIN_ITERATIONS, 4)


@pytest.fixture(autouse=True)
def _quick_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passphrase changes and recovery inside tests also use the quick settings."""
    monkeypatch.setattr("storycapture.services.vault.calibrated_kdf", fast_kdf)


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test() -> Iterator[None]:
    """Every window a test opened is deleted when it ends.

    pytest-qt closes the widgets a test registered and asks Qt to delete them later, but outside
    an event loop "later" never comes; other windows (popups, frames made without a parent) are
    never closed at all, and a window whose signals hold Python callables is kept alive by Qt
    where Python's garbage collector cannot see it. Left alive, each one is restyled at every
    later change of theme or text size, and the suite slowed down test by test (a third of its
    time). They are deleted from Python (``shiboken6.delete``), never with ``deleteLater``, so
    Python's wrappers learn they are gone."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication
    from shiboken6 import Shiboken

    if QApplication.instance() is None:
        return
    # Only windows of their own: a dialog with a parent goes with its parent.
    windows = [w for w in QApplication.topLevelWidgets() if w.parent() is None]
    for widget in windows:
        if Shiboken.isValid(widget):
            widget.close()
            Shiboken.delete(widget)
    if windows:
        import gc

        # Python objects that held the windows (tools, models, closures in cycles) go now,
        # one test's worth at a time; left to the end of the run, collecting them all at once
        # crashed the interpreter as it exited.
        gc.collect()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def created_vault(data_dir: Path) -> Iterator[tuple[VaultSession, str]]:
    """A new, unlocked vault and its recovery key."""
    vault, recovery_key = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    yield vault, recovery_key
    vault.lock()


@pytest.fixture
def vault(created_vault: tuple[VaultSession, str]) -> VaultSession:
    return created_vault[0]


def add_consenting_storyteller(
    vault: VaultSession, pseudonym: str = "Juniper", birth_year: int | None = 1980
) -> str:
    """A storyteller who has agreed to everything, so story content can be added: their uuid."""
    person = StorytellerService(vault).add(pseudonym, author=FACILITATOR, birth_year=birth_year)
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    return person.uuid


@pytest.fixture
def storyteller_uuid(vault: VaultSession) -> str:
    """A storyteller who has agreed to everything, so story content can be added."""
    return add_consenting_storyteller(vault)


@pytest.fixture
def restored_app(qapp: QApplication) -> Iterator[QApplication]:
    """Themes and text sizes change the whole application: put everything back afterwards."""
    from PySide6.QtGui import QFont, QPalette

    style, sheet = qapp.style().name() or "fusion", qapp.styleSheet()
    palette, font = QPalette(qapp.palette()), QFont(qapp.font())
    names = [bytes(name.data()).decode() for name in qapp.dynamicPropertyNames()]
    properties = {name: qapp.property(name) for name in names}
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    for name in [bytes(name.data()).decode() for name in qapp.dynamicPropertyNames()]:
        qapp.setProperty(name, properties.get(name))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """What is still alive at the end of the run is left to the process's exit: a last full
    collection over thousands of Qt wrappers (pytest runs one after this hook) crashed the
    interpreter after every test had passed. Freezing keeps it out of that collection."""
    import gc

    gc.collect()
    gc.freeze()
