"""``storycapture --self-test``: does this installation work, as built and installed?

Meant for an installer or a bundle straight after it is built (and for anyone asked "does it
start?"): it imports every module of the app, opens the first window offscreen, reads every
resource the app reads, loads Qt's own translations, runs each cryptographic primitive once and
builds the vault schema in memory.
It prints one line per check (``ok  styles``) or the plain failure, and never touches or
creates a vault: the window is pointed at an empty temporary folder and its settings at a
temporary file, both removed afterwards.

The app's own words are English only for now; the translations checked here are Qt's (the
words of standard buttons and dialogs), so that they are there when the app is translated.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from storycapture.domain.errors import StoryCaptureError
from storycapture.paths import resources_dir

# Two languages of Qt's own translations, with one word each that must come out translated.
QT_TRANSLATION_PROBES = {"de": "Abbrechen", "fr": "Annuler"}
SHOWN_FOR_MS = 200  # a little longer than the window's own "finish building" delay


class CheckFailed(Exception):
    """A check found something wrong; the message says what, in plain words."""


def _modules() -> str:
    """Every module of the package imports: in a bundle, nothing it needs was left out."""
    import importlib
    import pkgutil

    import storycapture

    names = [
        module.name
        for module in pkgutil.walk_packages(storycapture.__path__, "storycapture.")
        if module.name != "storycapture.__main__"  # that one runs the command line
    ]
    if len(names) < 10:
        raise CheckFailed(f"only {len(names)} modules of StoryCapture were found")
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} modules import"


def _styles() -> str:
    from storycapture.gui.theme import STYLESHEETS, stylesheet_for

    for theme in STYLESHEETS:
        if not stylesheet_for(theme).strip():
            raise CheckFailed(f"the {theme} style sheet is empty")
    return f"{len(STYLESHEETS)} themes"


def _prompt_deck() -> str:
    from storycapture.strengths.deck import PromptDeck, default_deck_path

    path = default_deck_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    languages = sorted(
        {language for card in data.get("cards", []) for language in card.get("text", {})}
    )
    if not languages:
        raise CheckFailed("the prompt deck lists no language")
    sizes = {len(PromptDeck.load(path, language)) for language in languages}
    if 0 in sizes:
        raise CheckFailed("the prompt deck has no cards")
    return f"{max(sizes)} cards in {', '.join(languages)}"


def _demo_stories() -> str:
    from storycapture.demo import read_demo

    path = resources_dir() / "demo" / "demo-vault.json"
    people = read_demo(path).get("storytellers")
    if not isinstance(people, list) or not people:
        raise CheckFailed(f"{path.name} holds no storytellers")
    return f"{len(people)} invented storytellers"


def _icons() -> str:
    from PySide6.QtGui import QImage

    from storycapture.gui.app import application, icon_files

    svg = resources_dir() / "icons" / "storycapture.svg"
    if not svg.is_file():
        raise CheckFailed(f"{svg.name} is missing")
    for size, path in icon_files().items():
        image = QImage(str(path))
        if image.isNull():
            raise CheckFailed(f"the {size}×{size} icon is missing or unreadable")
        if (image.width(), image.height()) != (size, size):
            raise CheckFailed(f"the {size}×{size} icon is {image.width()}×{image.height()}")
    if application().windowIcon().isNull():
        raise CheckFailed("the window has no icon")
    return f"{len(icon_files())} sizes and the SVG"


def _qt_translations() -> str:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for language, cancel in QT_TRANSLATION_PROBES.items():
        translator = QTranslator()
        if not translator.load(QLocale(language), "qtbase", "_", folder):
            raise CheckFailed(f"Qt's {language} translation (qtbase_{language}.qm) is missing")
        if translator.translate("QPlatformTheme", "Cancel") != cancel:
            raise CheckFailed(f"Qt's {language} translation does not translate “Cancel”")
    return f"qtbase {', '.join(QT_TRANSLATION_PROBES)}; StoryCapture's own words are English only"


def _first_window() -> str:
    from PySide6.QtCore import QEvent, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from storycapture.gui.app import DEFAULT_SIZE, application
    from storycapture.gui.settings import AppSettings
    from storycapture.gui.theme import apply_theme
    from storycapture.gui.window import MainWindow

    app = application()
    with tempfile.TemporaryDirectory(prefix="storycapture-self-test-") as scratch:
        root = Path(scratch)
        settings = AppSettings(QSettings(str(root / "settings.ini"), QSettings.Format.IniFormat))
        apply_theme(app, settings.theme, settings.interface_scale, style_later=True)
        no_vault = root / "no-vault-here"
        window = MainWindow(no_vault, settings)
        try:
            window.resize(*DEFAULT_SIZE)
            window.show()
            loop = QEventLoop()
            QTimer.singleShot(SHOWN_FOR_MS, loop.quit)
            loop.exec()
            if not window.isVisible():
                raise CheckFailed("the first window did not show")
            picture = window.grab().toImage()
            if picture.isNull():
                raise CheckFailed("the first window could not be drawn")
            step = max(1, picture.width() // 16), max(1, picture.height() // 16)
            colours = {
                picture.pixel(x, y)
                for x in range(0, picture.width(), step[0])
                for y in range(0, picture.height(), step[1])
            }
            if len(colours) < 2:
                raise CheckFailed("the first window was drawn blank")
            size = f"{picture.width()}×{picture.height()}"
        finally:
            window.close()
            window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if no_vault.exists():
            raise CheckFailed("opening the window created a vault folder")
    return f"{size}, offscreen"


def _argon2id() -> str:
    from storycapture import crypto
    from storycapture.crypto import kdf

    params = crypto.KdfParams.new(kdf.MIN_MEMORY_KIB, kdf.MIN_ITERATIONS, kdf.MIN_LANES)
    key = crypto.derive_key("self-test", params)
    if len(key) != 32 or crypto.derive_key("self-test", params) != key:
        raise CheckFailed("Argon2id does not derive the same 32-byte key twice")
    if crypto.derive_key("self-tests", params) == key:
        raise CheckFailed("Argon2id derives one key for two passphrases")
    return f"{kdf.MIN_MEMORY_KIB // 1024} MiB, {kdf.MIN_ITERATIONS} iterations"


def _aes_gcm() -> str:
    from storycapture import crypto

    key = crypto.new_key()
    sealed = crypto.seal(key, b"self-test", b"place")
    if crypto.open_sealed(key, sealed, b"place") != b"self-test":
        raise CheckFailed("AES-256-GCM does not open what it sealed")
    try:
        crypto.open_sealed(key, sealed, b"another place")
    except crypto.DecryptionFailed:
        return "seal, open, refuse a moved value"
    raise CheckFailed("AES-256-GCM opened a value moved to another place")


def _age() -> str:
    from storycapture.crypto import keys
    from storycapture.crypto.media import decrypt_stream, encrypt_stream

    identity = keys.new_age_identity()
    plaintext = bytes(range(256)) * 512  # 128 KiB: more than one 64 KiB chunk
    encrypted, decrypted = io.BytesIO(), io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), encrypted, [keys.age_recipient(identity)])
    if not encrypted.getvalue().startswith(b"age-encryption.org/v1\n"):
        raise CheckFailed("age did not write an age file")
    encrypted.seek(0)
    decrypt_stream(encrypted, decrypted, [identity])
    if decrypted.getvalue() != plaintext:
        raise CheckFailed("age does not decrypt what it encrypted")
    return "X25519, 128 KiB round trip"


def _ed25519() -> str:
    from storycapture.crypto import keys
    from storycapture.crypto.aead import DecryptionFailed

    private = keys.new_signing_key()
    public = keys.signing_public_key(private)
    signature = keys.sign(private, b"self-test")
    keys.verify_signature(public, signature, b"self-test")
    try:
        keys.verify_signature(public, signature, b"self-tests")
    except DecryptionFailed:
        return "sign, verify, refuse a changed message"
    raise CheckFailed("Ed25519 accepted a signature over a changed message")


def _schema() -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from storycapture.store.migrate import current_revision, head_revision, upgrade

    engine = create_engine("sqlite://", poolclass=StaticPool)  # in memory: no vault
    try:
        upgrade(engine)
        head = head_revision()
        if current_revision(engine) != head:
            raise CheckFailed("the schema migrations did not reach the newest revision")
    finally:
        engine.dispose()
    return f"migrations to {head}, in memory"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("modules", _modules),
    ("styles", _styles),
    ("prompt deck", _prompt_deck),
    ("demo stories", _demo_stories),
    ("icons", _icons),
    ("Qt translations", _qt_translations),
    ("first window", _first_window),
    ("Argon2id", _argon2id),
    ("AES-256-GCM", _aes_gcm),
    ("age", _age),
    ("Ed25519", _ed25519),
    ("vault schema", _schema),
)


def _plain(error: Exception) -> str:
    if isinstance(error, OSError) and error.filename:
        if isinstance(error, FileNotFoundError):
            return f"{Path(error.filename).name} is missing ({error.filename})"
        return f"{Path(error.filename).name} cannot be read ({error.strerror}: {error.filename})"
    if isinstance(error, CheckFailed | StoryCaptureError | OSError) and str(error):
        return str(error)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def run_self_test(out: TextIO) -> int:
    """Run every check, print one line each, and return 0 if all passed, else 1."""
    failed = 0
    for name, check in CHECKS:
        try:
            detail = check()
        except Exception as error:
            failed += 1
            print(f"FAIL {name}: {_plain(error)}", file=out)
        else:
            print(f"ok  {name} ({detail})", file=out)
    print(
        f"self-test: {len(CHECKS) - failed} of {len(CHECKS)} checks passed"
        if failed
        else f"self-test: all {len(CHECKS)} checks passed",
        file=out,
    )
    return 1 if failed else 0
