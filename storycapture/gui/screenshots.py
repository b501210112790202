"""``storycapture screenshots``: the main screens of the demo vault, rendered offscreen to PNG.

A throwaway copy of the (fictional) demo vault is made in a temporary folder and removed
afterwards; the user's own vault and settings are never touched.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from storycapture.demo import DEMO_PASSPHRASE, create_demo_vault
from storycapture.paths import resources_dir

if TYPE_CHECKING:  # Qt is imported only when screenshots are taken
    from collections.abc import Callable

    from PySide6.QtWidgets import QWidget

    from storycapture.gui.window import MainWindow

SIZES = ((1366, 768), (1920, 1080))
SHOWN_STORYTELLER = "Marigold"


def render_screenshots(out_dir: Path, sizes: tuple[tuple[int, int], ...] = SIZES) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from storycapture import crypto
    from storycapture.domain.authorship import WhoseWords
    from storycapture.gui.app import application
    from storycapture.gui.consent import ConsentDialog
    from storycapture.gui.settings import AppSettings
    from storycapture.gui.storyteller_dialog import NewStorytellerDialog
    from storycapture.gui.storyteller_mode import EnterStorytellerModePanel
    from storycapture.gui.theme import apply_theme
    from storycapture.gui.visit import VisitRecapDialog
    from storycapture.gui.window import MainWindow
    from storycapture.qtkit.photos import AddPhotoDialog
    from storycapture.services.consent import ConsentService
    from storycapture.services.storytellers import StorytellerService
    from storycapture.services.visits import VisitService
    from storycapture.timeline.qt.tool import TimelineTool

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    app = application()

    def settle() -> None:
        for _ in range(5):
            QApplication.processEvents()

    def save(widget: QWidget, name: str) -> None:
        settle()
        path = out_dir / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    def shoot_storyteller_mode(
        window: MainWindow, size: str, screen: tuple[int, int], *, handover: bool
    ) -> None:
        """Hand over, shoot the mode's timeline and strengths, and hand back."""
        window.finish_building()
        window.enter_storyteller_mode()
        panel = window.pages.currentWidget()
        if handover:
            save(window, f"storyteller-mode-handover-{size}")
        assert isinstance(panel, EnterStorytellerModePanel)
        panel.submit()
        mode = window.mode
        assert mode is not None
        # Offscreen, "full screen" is the platform's 800×800 screen: draw at the size asked.
        window.showNormal()
        window.resize(*screen)
        save(window, f"storyteller-mode-timeline-{size}")
        # A moment opened: its parts one at a time, here how it felt.
        timeline = mode.page_stack.currentWidget()
        if isinstance(timeline, TimelineTool) and timeline.events():
            timeline.open_editor(timeline.events()[0].uuid)
            timeline.panel.show_part("How it felt")
            save(window, f"storyteller-mode-moment-{size}")
            timeline.close_editor()
        mode.set_current_page(1)
        save(window, f"storyteller-mode-strengths-{size}")
        mode.try_passphrase(DEMO_PASSPHRASE)

    with tempfile.TemporaryDirectory(prefix="storycapture-screens-") as scratch:
        root = Path(scratch)
        settings = AppSettings(QSettings(str(root / "settings.ini"), QSettings.Format.IniFormat))
        settings.facilitator_name = "Priya"
        apply_theme(app, settings.theme, settings.interface_scale)
        vault, _ = create_demo_vault(
            root / "vault",
            resources_dir() / "demo" / "demo-vault.json",
            kdf=lambda: crypto.KdfParams.new(crypto.kdf.MIN_MEMORY_KIB, 3, 4),
        )
        vault.lock()
        for width, height in sizes:
            size = f"{width}x{height}"
            # First run: a folder with no vault yet shows the welcome (it is never given one).
            welcome = MainWindow(root / "no-vault-yet", settings)
            welcome.resize(width, height)
            welcome.show()
            save(welcome, f"welcome-{size}")
            welcome.close()
            welcome.deleteLater()
            window = MainWindow(root / "vault", settings)
            window.resize(width, height)
            window.show()
            save(window, f"unlock-{size}")
            window.unlock_vault(DEMO_PASSPHRASE)
            assert window.stories is not None and window.vault is not None
            _choose_shown_storyteller(window)
            page = window.stories.storyteller
            save(window, f"main-{size}")
            page.tabs.setCurrentIndex(1)
            page.timeline.set_layout_mode("lifeline")
            save(window, f"timeline-lifeline-{size}")
            page.timeline.set_layout_mode("lanes")
            save(window, f"timeline-lanes-{size}")
            page.tabs.setCurrentIndex(2)
            save(window, f"strengths-{size}")
            page.tabs.setCurrentIndex(3)
            save(window, f"story-{size}")
            quote = page.story.open_words_dialog(quote=True)
            if quote is not None:
                save(quote, f"add-a-quote-{size}")
                quote.reject()

            shoot_storyteller_mode(window, size, (width, height), handover=True)
            window.showNormal()
            window.resize(width, height)

            person = page.storyteller_uuid
            assert person is not None
            dialog = ConsentDialog(
                ConsentService(window.vault),
                person,
                SHOWN_STORYTELLER,
                settings.facilitator_name,
                window.author(),
                window,
            )
            dialog.show()
            settle()
            _draw_signature(dialog)
            save(dialog, f"consent-{size}")
            dialog.reject()

            newcomer = NewStorytellerDialog(
                StorytellerService(window.vault), window.author(), window
            )
            newcomer.show()
            save(newcomer, f"new-storyteller-{size}")
            newcomer.reject()

            # A photo about to be kept: an invented picture (soft green, a sun), made here.
            picture = root / "allotment.png"
            if not picture.exists():
                _draw_invented_photo(picture)
            context = window._context
            assert context is not None
            adding = AddPhotoDialog(
                picture,
                lambda _caption, _visibility, _whose: None,
                context.new_visibility(person),
                whose=WhoseWords.THEIRS,
                parent=window,
            )
            adding.caption.setPlainText("Our allotment in June: the beans came up at last")
            adding.show()
            save(adding, f"add-a-photo-{size}")
            adding.reject()

            visits = VisitService(window.vault)
            latest = visits.list(person)[0]
            recap = VisitRecapDialog(visits.recap(latest.uuid), SHOWN_STORYTELLER, window)
            recap.show()
            save(recap, f"visit-recap-{size}")
            recap.reject()
            window.lock()
            window.close()
            window.deleteLater()
            settle()

        # Large text on a small laptop (WCAG reflow): the window and storyteller mode at 150%
        # and 200% of the normal size, at 1366×768.
        width, height = 1366, 768
        for scale in (1.5, 2.0):
            apply_theme(app, settings.theme, scale)
            size = f"{round(scale * 100)}-{width}x{height}"
            window = MainWindow(root / "vault", settings)
            window.resize(width, height)
            window.show()
            window.unlock_vault(DEMO_PASSPHRASE)
            assert window.stories is not None
            _choose_shown_storyteller(window)
            window.stories.storyteller.tabs.setCurrentIndex(1)
            save(window, f"timeline-{size}")
            shoot_storyteller_mode(window, size, (width, height), handover=False)
            window.lock()
            window.close()
            window.deleteLater()
            settle()
        apply_theme(app, settings.theme, settings.interface_scale)
        _shoot_room(root, settings, sizes, save)  # (``save`` lists what it writes)
    return written


def _shoot_room(
    root: Path,
    settings: object,
    sizes: tuple[tuple[int, int], ...],
    save: Callable[[QWidget, str], None],
) -> None:
    """The story-sharing room of a practice hub (made the real way, from three invented
    laptops): the reading view, the themes board, the matrix, help-seeking across stories and
    the aligned lifelines."""
    from storycapture import crypto
    from storycapture.demo_hub import create_demo_hub
    from storycapture.gui.window import MainWindow
    from storycapture.hub.qt.room import ACROSS, BOARD, READ
    from storycapture.hub.room import RoomService

    hub, _ = create_demo_hub(
        root / "hub",
        resources_dir() / "demo" / "demo-vault.json",
        kdf=lambda: crypto.KdfParams.new(crypto.kdf.MIN_MEMORY_KIB, 3, 4),
    )
    shown = next(e for e in RoomService(hub).excerpts() if e.themes)
    hub.lock()
    for width, height in sizes:
        size = f"{width}x{height}"
        window = MainWindow(root / "hub", settings)  # type: ignore[arg-type]
        window.resize(width, height)
        window.show()
        window.unlock_vault(DEMO_PASSPHRASE)
        window.finish_building()
        window.show_room()
        room = window.room
        assert room is not None
        room.open_excerpt(shown.uuid)
        room.tabs.setCurrentIndex(READ)
        save(window, f"room-reading-{size}")
        room.tabs.setCurrentIndex(BOARD)
        save(window, f"room-themes-board-{size}")
        room.tabs.setCurrentIndex(ACROSS)
        across = room.across
        for index, name in enumerate(("matrix", "help-seeking", "lifelines")):
            across.tabs.setCurrentIndex(index)
            save(window, f"room-{name}-{size}")
        window.lock()
        window.close()
        window.deleteLater()


def _choose_shown_storyteller(window: MainWindow) -> None:
    assert window.stories is not None
    sidebar = window.stories.sidebar
    for row in range(sidebar.model.rowCount()):
        uuid = str(sidebar.model.index(row).data(sidebar.model.UuidRole))
        summary = sidebar.model.summary(uuid)
        if summary and summary.storyteller.pseudonym == SHOWN_STORYTELLER:
            sidebar.select(uuid)


def _draw_invented_photo(path: Path) -> None:
    """A made-up picture for the photo dialog: a green field, a blue sky and a sun."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from storycapture.qtkit.palette import DEMO_PHOTO

    image = QImage(480, 320, QImage.Format.Format_RGB32)
    image.fill(QColor(DEMO_PHOTO["sky"]))
    painter = QPainter(image)
    painter.fillRect(QRectF(0, 200, 480, 120), QColor(DEMO_PHOTO["field"]))
    painter.setBrush(QColor(DEMO_PHOTO["sun"]))
    painter.drawEllipse(QPointF(380, 80), 36, 36)
    painter.end()
    image.save(str(path))  # PNG, by its name


def _draw_signature(dialog: object) -> None:
    """Sign the pad with a looping stroke, as a hand would."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from storycapture.gui.consent import ConsentDialog, SignaturePad

    assert isinstance(dialog, ConsentDialog)
    pads = dialog.findChildren(SignaturePad)
    if not pads:
        return
    pad = pads[0]
    if not pad.isVisible():
        return
    width, height = pad.width(), pad.height()
    points = [
        QPoint(
            int(width * (0.15 + 0.7 * t / 40)),
            int(height * (0.55 - 0.22 * math.sin(t / 3.2) * (1 - t / 60))),
        )
        for t in range(41)
    ]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
