"""``storycapture demo`` without ``--data-dir`` never puts invented storytellers in the real
vault's folder: it uses the practice folder beside it, as the app's "Practise first" does."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from storycapture.cli import main
from storycapture.paths import DATA_DIR_ENV, practice_data_dir


def test_demo_goes_to_the_practice_folder_beside_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "StoryCapture"
    monkeypatch.setenv(DATA_DIR_ENV, str(real))
    out = io.StringIO()

    assert main(["demo"], out=out) == 0

    practice = practice_data_dir(real)
    assert practice == tmp_path / "StoryCapture-practice"
    assert (practice / "vault.sqlite").is_file()
    assert not (real / "vault.sqlite").exists()
    assert str(practice) in out.getvalue()
