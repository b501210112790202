"""``storycapture demo --hub``: a practice hub filled the real way.

Three invented laptops gather the demo stories in vaults of their own and export bundles; the
hub trusts them and imports the bundles; then a team member names themes and marks excerpts.
What arrives is only what a bundle carries: no real name, nothing private.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycapture.cli import main
from storycapture.demo import DEMO_PASSPHRASE, is_practice_vault, read_demo
from storycapture.demo_hub import TEAM_MEMBER, create_demo_hub
from storycapture.hub.room import RoomService
from storycapture.paths import DATA_DIR_ENV
from storycapture.services import records
from storycapture.services.kinds import ENTITY_KINDS, STORYTELLER
from storycapture.services.vault import VaultSession
from storycapture.store import models

DEMO_SOURCE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-vault.json"
RECOVERY_KEY = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}")
LAPTOPS = "storycapture-practice-laptops-"


def laptop_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith(LAPTOPS)}


@pytest.fixture(autouse=True)
def _temporary_folders_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's temporary folders apart (another process making a practice hub at the same
    time would otherwise show its laptops' folder here)."""
    scratch = tmp_path / "temporary"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, set[str]]:
    """``storycapture demo --hub`` run once, with no --data-dir: its folder, its output, and
    the laptops' temporary folders left over (none, if all is well)."""
    root = tmp_path_factory.mktemp("practice-hub")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        (root / "temporary").mkdir()
        patch.setattr(tempfile, "tempdir", str(root / "temporary"))
        before = laptop_folders()
        patch.setenv(DATA_DIR_ENV, str(root / "StoryCapture"))
        assert main(["demo", "--hub"], out=out) == 0
        left = laptop_folders() - before
    return root / "StoryCapture-practice-hub", out.getvalue(), left


@pytest.fixture
def hub(made: tuple[Path, str, set[str]]) -> Iterator[VaultSession]:
    vault = VaultSession.unlock(made[0], DEMO_PASSPHRASE)
    yield vault
    vault.lock()


def test_it_goes_beside_the_real_vault_and_prints_its_passphrase(
    made: tuple[Path, str, set[str]],
) -> None:
    folder, out, left_over = made
    assert folder.name == "StoryCapture-practice-hub"
    assert (folder / "vault.sqlite").is_file()
    assert not (folder.parent / "StoryCapture").exists()  # never the real vault's folder
    assert f"Its passphrase is: {DEMO_PASSPHRASE}" in out
    assert len(RECOVERY_KEY.findall(out)) == 1
    assert "6 invented storytellers imported from three laptops' bundles" in out
    assert "4 themes and 12 excerpts" in out
    assert left_over == set()  # the laptops' vaults and bundles are gone


def test_its_storytellers_arrived_from_three_laptops(hub: VaultSession) -> None:
    assert is_practice_vault(hub)
    with hub.read() as session:
        receipts = list(session.query(models.BundleReceiptRow))
        people = records.find(hub, session, STORYTELLER)
        made_by = {
            op.storyteller_uuid: op.device_id
            for op in session.query(models.OperationRow).filter_by(entity="storyteller")
        }
    senders = {r.device_id for r in receipts}
    assert len(receipts) == 3 and len(senders) == 3
    assert hub.device_id not in senders
    assert sorted(r.device_name for r in receipts) == [
        "Nadia's laptop (practice)",
        "Priya's laptop (practice)",
        "Tom's laptop (practice)",
    ]
    assert len(people) == 6
    assert set(made_by.values()) == senders  # each storyteller was made on a laptop
    assert sorted(list(made_by.values()).count(s) for s in senders) == [2, 2, 2]


def test_it_has_themes_and_excerpts_marked_by_the_team(hub: VaultSession) -> None:
    room = RoomService(hub)
    themes = room.themes()
    assert [t.name for t in themes] == [
        "Waiting for help",
        "Nature and outdoors",
        "Being believed",
        "Small kindnesses",
    ]
    assert all(t.description for t in themes)
    excerpts = room.excerpts()
    assert 8 <= len(excerpts) <= 12
    assert {e.marked_by for e in excerpts} == {TEAM_MEMBER}
    assert {e.source.kind for e in excerpts} == {"quote", "timeline_event"}
    assert sum(len(e.themes) == 2 for e in excerpts) >= 2
    assert all(room.excerpts_in(t.uuid) for t in themes)
    assert any(e.source.start > 0 or e.text.endswith("bad week.") for e in excerpts)


def test_no_real_name_and_nothing_private_arrived(hub: VaultSession) -> None:
    people = read_demo(DEMO_SOURCE)["storytellers"]
    real_names = [p["real_name"] for p in people if p.get("real_name")]
    private = [
        item.get("words") or item.get("text")
        for p in people
        for item in [*p["events"], *p.get("quotes", []), *p.get("narrative_notes", [])]
        if item.get("visibility") == "private" and (item.get("words") or item.get("text"))
    ]
    assert real_names and private
    opened = []
    with hub.read() as session:
        for kind in ENTITY_KINDS.values():
            opened += [r.values for r in records.find(hub, session, kind, include_deleted=True)]
        opened += [
            records.open_operation(hub, session, op) for op in session.query(models.OperationRow)
        ]
    everything = json.dumps(opened, ensure_ascii=False, default=str)
    assert "Marigold" in everything and "Being talked about" in everything  # it does read
    for secret in [*real_names, *private]:
        assert secret not in everything, secret


def test_a_second_practice_hub_in_the_same_folder_is_refused(
    made: tuple[Path, str, set[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = made[0]
    database = folder / "vault.sqlite"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    capsys.readouterr()

    code = main(["--data-dir", str(folder), "demo", "--hub"], out=io.StringIO())

    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"storycapture: There is already a vault in {folder}, so no practice hub" in err
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_a_failure_half_way_leaves_no_hub_and_no_laptop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = laptop_folders()

    def broken(_hub: VaultSession) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("storycapture.demo_hub._mark_the_room", broken)
    with pytest.raises(OSError):
        create_demo_hub(tmp_path / "hub", DEMO_SOURCE)

    assert not (tmp_path / "hub" / "vault.sqlite").exists()
    assert [p.name for p in (tmp_path / "hub").iterdir()] == []
    assert laptop_folders() == before


def test_a_refused_bundle_leaves_no_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """If the hub cannot trust a laptop, its bundle is refused: no hub is half made."""
    monkeypatch.setattr(
        "storycapture.sync.trust.TrustService.trust_device", lambda *_args, **_kw: None
    )
    out = io.StringIO()
    code = main(["--data-dir", str(tmp_path / "hub"), "demo", "--hub"], out=out)

    assert code == 2
    assert "could not import its laptops' bundles" in capsys.readouterr().err
    assert not (tmp_path / "hub" / "vault.sqlite").exists()
