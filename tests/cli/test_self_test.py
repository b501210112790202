"""``storycapture --self-test``: one line per check, exit 0 when all pass, 1 with the plain
failure otherwise; offscreen even when no platform is set; no vault or settings written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from storycapture.cli import main
from storycapture.gui import selftest
from storycapture.paths import DATA_DIR_ENV, RESOURCES_ENV

ROOT = Path(__file__).resolve().parent.parent.parent
CHECK_NAMES = [name for name, _ in selftest.CHECKS]


def _assert_all_passed(text: str) -> None:
    lines = text.splitlines()
    for name in CHECK_NAMES:
        assert any(line.startswith(f"ok  {name} (") for line in lines), (name, text)
    assert "FAIL" not in text, text
    assert lines[-1] == f"self-test: all {len(CHECK_NAMES)} checks passed"


def test_the_checks_cover_what_an_installation_needs() -> None:
    for needed in (
        "modules",
        "styles",
        "prompt deck",
        "demo stories",
        "icons",
        "Qt translations",
        "first window",
        "Argon2id",
        "AES-256-GCM",
        "age",
        "Ed25519",
        "vault schema",
    ):
        assert needed in CHECK_NAMES


def test_self_test_in_process_passes(restored_app: QApplication) -> None:
    out = io.StringIO()
    assert main(["--self-test"], out) == 0
    _assert_all_passed(out.getvalue())


def test_a_failing_check_is_one_plain_line_and_exit_code_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> str:
        raise selftest.CheckFailed("the prompt deck lists no language")

    def broken() -> str:
        raise KeyError("cards")

    monkeypatch.setattr(
        selftest,
        "CHECKS",
        (("fine", lambda: "all there"), ("prompt deck", missing), ("odd", broken)),
    )
    out = io.StringIO()
    assert main(["--self-test"], out) == 1
    assert out.getvalue().splitlines() == [
        "ok  fine (all there)",
        "FAIL prompt deck: the prompt deck lists no language",
        "FAIL odd: KeyError: 'cards'",
        "self-test: 1 of 3 checks passed",
    ]


def _clean_environment(tmp_path: Path) -> dict[str, str]:
    """No display platform chosen, and every place a vault or settings could go in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", DATA_DIR_ENV)}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        env[name] = str(folder)
    return env


@pytest.mark.slow
def test_self_test_as_a_program_is_offscreen_and_writes_nothing(tmp_path: Path) -> None:
    env = _clean_environment(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "storycapture", "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_all_passed(result.stdout)
    assert "Traceback" not in result.stderr
    # No vault in the default data folder, no settings file, nothing beside where it ran.
    for name in ("xdg_data_home", "xdg_config_home"):
        assert not [p for p in (tmp_path / name).rglob("*") if p.is_file()], name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["home", "xdg_config_home", "xdg_data_home", "xdg_cache_home"]
    )


@pytest.mark.slow
def test_missing_resources_fail_the_self_test_plainly(tmp_path: Path) -> None:
    env = _clean_environment(tmp_path)
    env[RESOURCES_ENV] = str(tmp_path / "nothing-here")
    result = subprocess.run(
        [sys.executable, "-m", "storycapture", "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in ("styles", "prompt deck", "demo stories", "icons"):
        assert any(line.startswith(f"FAIL {name}: ") for line in lines), (name, lines)
    # What does not need the resources still works, and says so.
    for name in ("Argon2id", "AES-256-GCM", "age", "Ed25519", "vault schema"):
        assert any(line.startswith(f"ok  {name} (") for line in lines), (name, lines)
