"""One palette: every colour the package shows is spelled out in ``qtkit.palette`` alone."""

from __future__ import annotations

import re
from pathlib import Path

import storycapture

PACKAGE = Path(storycapture.__file__).parent
PALETTE = PACKAGE / "qtkit" / "palette.py"
HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\b")


def test_no_colour_is_spelled_out_outside_the_palette() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PALETTE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HEX.search(line)
    ]
    assert not found, "colours outside qtkit/palette.py:\n" + "\n".join(found)


def test_the_window_style_and_its_theme_do_not_import_each_other() -> None:
    calm_style = (PACKAGE / "gui" / "calm_style.py").read_text(encoding="utf-8")
    assert "storycapture.gui.theme" not in calm_style
