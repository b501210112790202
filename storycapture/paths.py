"""Where things live: the vault folder (chosen at run time, never at import) and resources/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "STORYCAPTURE_DATA_DIR"
RESOURCES_ENV = "STORYCAPTURE_RESOURCES"


def default_data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("StoryCapture", appauthor=False))


def practice_data_dir(data_dir: Path) -> Path:
    """The practice vault's own folder: beside the real vault's (never inside it), so invented
    storytellers and real stories are never in the same vault or folder."""
    data_dir = Path(data_dir).expanduser().absolute()
    return data_dir.with_name(f"{data_dir.name}-practice")


def resources_dir() -> Path:
    """``resources/``: beside the package in a checkout, inside the bundle when frozen."""
    configured = os.environ.get(RESOURCES_ENV)
    if configured:
        return Path(configured)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
