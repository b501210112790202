"""Render the app icon, ``resources/icons/storycapture.svg``, to the PNG sizes desktops ask for.

The PNGs are committed under ``resources/icons/hicolor/<N>x<N>/apps/storycapture.png`` (the
freedesktop icon-theme layout, which the Linux bundle copies as it is); run this again after
changing the SVG:

    python packaging/render_icons.py            # rewrite every PNG
    python packaging/render_icons.py --check    # only say whether they match the SVG

Rendering uses Qt's own SVG renderer (QtSvg, part of PySide6-Essentials) on the offscreen
platform, so no display is needed. At 32 pixels and below the SVG's "detail" and "moments"
groups are left out and the lifeline drawn bolder (see ``svg_for``), as an icon designer would
redraw a small icon by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "storycapture.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICON_NAME = "storycapture"
SMALL = 32  # at this size and below: no fine detail, a bolder lifeline
SMALL_LEAVES_OUT = ("detail", "moments")
SMALL_LIFELINE_WIDTH = "48"
_SVG_NS = "http://www.w3.org/2000/svg"


def png_path(size: int, icons: Path = ICONS) -> Path:
    return icons / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"


def svg_for(size: int, svg: Path = SVG) -> bytes:
    """The SVG as drawn at ``size``: small icons leave the detail out and draw the line bolder,
    as one would by hand, so that a 16-pixel icon is a clear line, not a smudge."""
    text = svg.read_bytes()
    if size > SMALL:
        return text
    ElementTree.register_namespace("", _SVG_NS)
    root = ElementTree.fromstring(text)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.get("id") in SMALL_LEAVES_OUT:
                parent.remove(child)
            elif child.get("id") == "lifeline":
                child.set("stroke-width", SMALL_LIFELINE_WIDTH)
    return bytes(ElementTree.tostring(root, encoding="utf-8"))


def render(size: int, svg: Path = SVG) -> QImage:
    """The icon at ``size`` × ``size`` pixels, on a transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        render.app = QGuiApplication([])  # type: ignore[attr-defined]  # kept alive
    renderer = QSvgRenderer(QByteArray(svg_for(size, svg)))
    if not renderer.isValid():
        raise ValueError(f"{svg.name} is not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def difference(a: QImage, b: QImage) -> float:
    """The mean difference of two images' channels, 0 (the same) to 255."""
    from PySide6.QtGui import QImage

    if a.size() != b.size():
        return 255.0
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    first, second = bytes(a.constBits()), bytes(b.constBits())
    return sum(abs(x - y) for x, y in zip(first, second, strict=True)) / len(first)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    from PySide6.QtGui import QImage

    stale = []
    for size in SIZES:
        image, target = render(size), png_path(size)
        if args.check:
            if not target.exists() or difference(image, QImage(str(target))) > 1.0:
                stale.append(target.relative_to(ROOT))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):  # PNG, from the name
            raise OSError(f"could not write {target}")
        print(f"wrote {target.relative_to(ROOT)}")
    for path in stale:
        print(f"out of date: {path} (run python packaging/render_icons.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
