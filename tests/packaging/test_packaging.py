"""The installer files in packaging/ and the app icon: quick checks that need no build.

The bundle itself is built (and its --self-test run) by .ci/run, not here: it takes a minute.
"""

from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from storycapture.gui.app import APP_ID, ICON_NAME, ICON_SIZES, app_icon, icon_files

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
SPEC = PACKAGING / "storycapture.spec"
SVG = ROOT / "resources" / "icons" / "storycapture.svg"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the icon ------------------------------------------------------------------------------


def test_the_svg_icon_is_square_xml() -> None:
    root = ElementTree.parse(SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(n) for n in root.attrib["viewBox"].split())
    assert width == height


@pytest.mark.parametrize("size", ICON_SIZES)
def test_every_icon_size_is_there_and_square(size: int) -> None:
    path = icon_files()[size]
    assert path == ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / (
        f"{ICON_NAME}.png"
    )
    image = QImage(str(path))
    assert not image.isNull(), path
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # round, on a transparent square


def test_the_pngs_are_drawn_from_the_svg(qapp: QApplication) -> None:
    """Change the SVG, then run packaging/render_icons.py: until then this fails."""
    render_icons = _load(PACKAGING / "render_icons.py", "render_icons")
    assert tuple(render_icons.SIZES) == ICON_SIZES
    for size in (16, 48, 256):
        committed = QImage(str(icon_files()[size]))
        assert render_icons.difference(render_icons.render(size), committed) <= 1.0, size


def test_the_window_icon_has_every_size(qapp: QApplication) -> None:
    icon = app_icon()
    assert {(s.width(), s.height()) for s in icon.availableSizes()} >= {(n, n) for n in ICON_SIZES}
    assert not icon.pixmap(QSize(32, 32)).isNull()


# --- the desktop file and the AppStream metainfo ---------------------------------------------


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_file_names_the_program_and_icon() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "StoryCapture"
    assert entry["Exec"].split()[0] == "storycapture"
    assert entry["Icon"] == ICON_NAME
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    assert [path.name for path in PACKAGING.glob("*.desktop")] == [DESKTOP.name]


def test_the_metainfo_matches_the_desktop_file_and_the_project() -> None:
    root = ElementTree.parse(METAINFO).getroot()
    entry = _desktop_entry()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    icon = root.find("icon")
    assert icon is not None and icon.get("type") == "stock" and icon.text == entry["Icon"]
    assert root.findtext("name") == entry["Name"]
    assert root.findtext("project_license") == project["license"]
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("provides/binary") == entry["Exec"].split()[0]
    categories = [c.text for c in root.iterfind("categories/category")]
    assert categories == [c for c in entry["Categories"].split(";") if c]
    releases = [r.get("version") for r in root.iterfind("releases/release")]
    assert releases and releases[0] == project["version"], "the newest release comes first"
    summary = root.findtext("summary") or ""
    assert summary and not summary.endswith(".") and len(summary) <= 35


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli is not installed")
def test_appstream_validates_the_metainfo() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the PyInstaller spec ------------------------------------------------------------------


class _Recorded(SimpleNamespace):
    pass


def _run_spec() -> dict[str, Any]:
    """Run the spec as PyInstaller would, with its build steps recorded instead of run."""
    calls: dict[str, Any] = {}

    def step(name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> _Recorded:
            calls.setdefault(name, []).append((args, kwargs))
            return _Recorded(binaries=[], datas=[], pure=[], scripts=[], zipped_data=[])

        return record

    namespace: dict[str, Any] = {"SPECPATH": str(PACKAGING), "__file__": str(SPEC)}
    for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[name] = step(name)
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    namespace["calls"] = calls
    return namespace


def test_the_spec_carries_the_resources_and_the_migrations() -> None:
    spec = _run_spec()
    ((args, kwargs),) = spec["calls"]["Analysis"]
    assert args[0] == [str(ROOT / "storycapture" / "__main__.py")]
    datas = {(Path(source), target) for source, target in kwargs["datas"]}
    for folder in ("styles", "prompts", "demo", "icons"):
        assert (ROOT / "resources" / folder, f"resources/{folder}") in datas
    assert not any(target == "resources/screenshots" for _, target in datas)
    for migration in (ROOT / "storycapture" / "store" / "migrations").rglob("*.py"):
        target = migration.parent.relative_to(ROOT).as_posix()
        assert (migration, target) in datas, migration
    ((_, collect),) = spec["calls"]["COLLECT"]
    assert collect["name"] == "storycapture"


def _qt_modules_imported_by_the_package() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "storycapture").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"^\s*(?:from|import) PySide6\.(Qt\w+)", text, re.MULTILINE))
    return found


def test_the_spec_leaves_out_unused_qt_and_never_a_used_one() -> None:
    spec = _run_spec()
    ((_, kwargs),) = spec["calls"]["Analysis"]
    excluded = set(kwargs["excludes"])
    used = _qt_modules_imported_by_the_package()
    assert {"QtCore", "QtGui", "QtWidgets"} <= used <= set(spec["QT_MODULES_USED"])
    assert not {f"PySide6.{name}" for name in used} & excluded
    for unwanted in ("QtWebEngineCore", "Qt3DCore", "QtQuick", "QtQml", "QtMultimedia"):
        assert f"PySide6.{unwanted}" in excluded
    if "QtNetwork" not in used:
        assert "PySide6.QtNetwork" in excluded


@pytest.mark.parametrize(
    ("dest", "left_out"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),  # for --self-test
        ("PySide6/Qt/plugins/platforms/qwindows.dll", False),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/imageformats/qwebp.dll", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),  # a library, judged by who needs it
        ("PySide6/Qt/plugins/platforms/libqvnc.so", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/plugins/generic/libqevdevmouseplugin.so", True),
        ("PySide6/Qt/plugins/imageformats/qtiff.dll", True),
        ("PySide6\\Qt\\plugins\\imageformats\\qpdf.dll", True),
        ("PySide6/Qt/plugins/wayland-graphics-integration-client/libvulkan-server.so", True),
    ],
)
def test_the_spec_leaves_out_the_plugins_no_one_uses(dest: str, left_out: bool) -> None:
    assert _run_spec()["_plugin_left_out"](dest) is left_out


def test_links_to_libraries_left_out_go_too() -> None:
    spec = _run_spec()
    binaries = [("PySide6/Qt/lib/libQt6Gui.so.6", "/qt/libQt6Gui.so.6", "BINARY")]
    datas = [
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("resources/styles/calm.qss", "/src/calm.qss", "DATA"),
    ]
    kept = spec["_without_broken_links"](datas, binaries + datas)
    assert [entry[0] for entry in kept] == ["libQt6Gui.so.6", "resources/styles/calm.qss"]


# --- the build script ------------------------------------------------------------------------


def test_the_linux_build_script_is_sound_and_installs_the_desktop_files() -> None:
    script = PACKAGING / "build-linux.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    assert f"APP_ID={APP_ID}" in text
    assert "packaging/storycapture.spec" in text
    for installed in (
        "share/applications/$APP_ID.desktop",
        "share/metainfo/$APP_ID.metainfo.xml",
        "share/icons/hicolor/scalable/apps/storycapture.svg",
    ):
        assert installed in text


def test_ci_builds_the_bundle_and_runs_its_self_test() -> None:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash packaging/build-linux.sh" in text
    assert "dist/storycapture/storycapture --self-test" in text
    assert text.index(".venv/bin/pytest") < text.index("bash packaging/build-linux.sh")


def test_pyinstaller_is_in_the_test_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(r.startswith("pyinstaller==") for r in project["optional-dependencies"]["test"])
