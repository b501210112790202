"""Sync between installations through the services: trust, export, import, merge, report.

Three installations take part, each with a fresh vault: two laptops ("Outreach 1" and
"Outreach 2") and the programme hub. The bundle file format itself (and every way a file can
be damaged or hostile) is tested in ``test_bundle_format.py``; here the point is what a
facilitator and the hub team see: what leaves a laptop, what arrives, in any order.
"""

from __future__ import annotations

import errno
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storycapture.crypto.media import decrypt_stream
from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput, NotFound, StoryCaptureError
from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem, Visibility
from storycapture.services import kinds, records
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.strengths.service import StrengthService
from storycapture.sync import exporting
from storycapture.sync.exporting import export_bundle, plan_export
from storycapture.sync.importing import conflicts_to_review, import_bundles
from storycapture.sync.trust import TrustService, normalise_fingerprint
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Place:
    """One installation: its vault, its name and a folder for the bundles it writes."""

    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.vault, _ = VaultSession.create(root / name, PASSPHRASE, kdf=fast_kdf)
        self.trust = TrustService(self.vault)
        self.trust.set_device_name(name)
        self.outbox = root / f"{name}-outbox"
        self.outbox.mkdir()

    def sends_to(self, *others: Place) -> None:
        for other in others:
            self.trust.add_recipient(other.trust.identity().age_recipient, other.name)
            other.trust.trust_device(self.trust.identity().fingerprint, self.name)

    def export(self) -> Path:
        return export_bundle(self.vault, self.outbox).bundle.path

    def receive(self, *bundles: Path) -> Any:
        return import_bundles(self.vault, list(bundles))


@pytest.fixture
def places(tmp_path: Path) -> Iterator[dict[str, Place]]:
    made = {name: Place(tmp_path, name) for name in ("Outreach 1", "Outreach 2", "Hub")}
    yield made
    for place in made.values():
        place.vault.lock()


def add_person(
    vault: VaultSession, name: str = "Juniper", items: list[ConsentItem] | None = None
) -> str:
    person = StorytellerService(vault).add(
        name, author=FACILITATOR, real_name="A Real Name", birth_year=1980
    )
    ConsentService(vault).record(
        person.uuid,
        items=items if items is not None else list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    return person.uuid


def _json(values: Any) -> str:
    return json.dumps(values, sort_keys=True)


def state(vault: VaultSession) -> dict[str, Any]:
    """Everything a person could see, and the whole history, as plain data."""
    out: dict[str, Any] = {}
    with vault.read() as session:
        for name, kind in kinds.ENTITY_KINDS.items():
            found = records.find(vault, session, kind, include_deleted=True)
            out[name] = sorted(
                (r.uuid, r.storyteller_uuid, r.author.encode(), _json(r.values)) for r in found
            )
        log = session.scalars(select(models.OperationRow))
        out["log"] = sorted(
            (
                op.entity_uuid,
                op.field,
                op.hlc,
                op.device_id,
                op.author,
                json.dumps(records.open_operation(vault, session, op)),
            )
            for op in log
        )
        out["tombstones"] = sorted(session.scalars(select(models.TombstoneRow.storyteller_uuid)))
    return out


def pseudonyms(vault: VaultSession) -> list[str]:
    return [s.pseudonym for s in StorytellerService(vault).list()]


# --- identity and trust -------------------------------------------------------------------


def test_a_device_trusted_by_its_older_short_fingerprint_is_still_trusted(
    places: dict[str, Place],
) -> None:
    """Fingerprints grew from 64 to 128 bits; a device trusted by its 16 digits before stays
    trusted (and can be named by them), while a new device must be given all 32."""
    from sqlalchemy import update

    from storycapture.crypto import keys

    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    long = laptop.trust.identity().fingerprint
    short = keys.fingerprint(laptop.vault.device_signing_public_key, 16)
    assert long.startswith(short + " ") and len(long.replace(" ", "")) == 32
    with hub.vault.edit() as session:  # as an older StoryCapture stored it
        session.execute(update(models.SyncPeerRow).where(models.SyncPeerRow.key == long)
                        .values(key=short))  # fmt: skip
    person = add_person(laptop.vault)
    report = hub.receive(laptop.export())
    assert not report.refused and person in {p.uuid for p in StorytellerService(hub.vault).list()}
    with pytest.raises(InvalidInput, match="32 letters and digits"):
        hub.trust.trust_device(short, "By its short fingerprint")
    assert hub.trust.revoke_device(short.lower()).name == "Outreach 1"
    add_person(laptop.vault, "Rowan")
    assert hub.receive(laptop.export()).refused[0].reason == "revoked"


def test_identity_names_the_receiving_key_and_the_signing_fingerprint(
    places: dict[str, Place],
) -> None:
    me = places["Hub"].trust.identity()
    assert me.device_name == "Hub"
    assert me.age_recipient.startswith("age1")
    assert normalise_fingerprint(me.fingerprint.lower().replace(" ", "-")) == me.fingerprint


def test_recipients_and_devices_are_checked_and_listed(places: dict[str, Place]) -> None:
    laptop, hub = places["Outreach 1"].trust, places["Hub"].trust
    with pytest.raises(InvalidInput, match="age public key"):
        laptop.add_recipient("age1notakey", "Hub")
    laptop.add_recipient(hub.identity().age_recipient, "Programme hub")
    with pytest.raises(InvalidInput, match="already"):
        laptop.add_recipient(hub.identity().age_recipient, "Again")
    assert [r.name for r in laptop.recipients()] == ["Programme hub"]
    laptop.remove_recipient("programme hub")
    assert laptop.recipients() == []
    with pytest.raises(NotFound):
        laptop.remove_recipient("Programme hub")

    with pytest.raises(InvalidInput, match="32 letters"):
        hub.trust_device("not a fingerprint", "Outreach 1")
    with pytest.raises(InvalidInput, match="own fingerprint"):
        hub.trust_device(hub.identity().fingerprint, "Me")
    device = hub.trust_device(laptop.identity().fingerprint.lower(), "Outreach 1")
    assert device.fingerprint == laptop.identity().fingerprint and not device.revoked
    hub.revoke_device("Outreach 1")
    assert [d.revoked for d in hub.devices()] == [True]
    with pytest.raises(InvalidInput, match="revoked"):
        hub.trust_device(laptop.identity().fingerprint, "Outreach 1 again")


# --- export: what leaves the laptop -------------------------------------------------------


def test_a_bundle_carries_what_consent_and_visibility_allow_and_nothing_else(
    places: dict[str, Place], tmp_path: Path
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    vault = laptop.vault
    sharing = add_person(vault, "Juniper")
    not_sharing = add_person(vault, "Rowan", items=[ConsentItem.TAKE_PART])
    timeline = TimelineService(vault)
    timeline.add_event(sharing, title="Moved to the coast", starts="2015", author=FACILITATOR)
    secret = timeline.add_event(
        sharing,
        title="Only for me",
        starts="2016",
        visibility=Visibility.PRIVATE,
        author=Author.storyteller(),
    )
    timeline.add_event(not_sharing, title="Rowan's garden", starts="2019", author=FACILITATOR)
    StrengthService(vault).add_card(
        sharing, kind=CardKind.STRENGTH, text="I keep going", author=Author.storyteller()
    )
    StoryWordsService(vault).add_quote(sharing, text="The sea helps.", author=FACILITATOR)
    picture = tmp_path / "sea.png"
    picture.write_bytes(PNG)
    photo = PhotoService(vault).add(sharing, picture, caption="The sea", author=FACILITATOR)

    plan = plan_export(vault)
    text = "\n".join(plan.summary_lines())
    assert "1 storyteller without consent to share" in text
    assert "1 private item" in text and "1 real name" in text
    assert plan.items["events"] == 1 and plan.items["cards"] == 1 and len(plan.media) == 1

    report = hub.receive(laptop.export())
    assert not report.refused, report.lines()
    assert pseudonyms(hub.vault) == ["Juniper"]
    person = StorytellerService(hub.vault).get(sharing)
    assert person.real_name is None and person.birth_year == 1980
    titles = [e.title for e in TimelineService(hub.vault).events(sharing)]
    assert titles == ["Moved to the coast"]
    with pytest.raises(NotFound):
        TimelineService(hub.vault).get_event(secret.uuid)
    with pytest.raises(NotFound):
        StorytellerService(hub.vault).get(not_sharing)
    # The photo arrived, encrypted to the hub's own key for Juniper, byte for byte.
    arrived = PhotoService(hub.vault).list(sharing)
    assert [p.uuid for p in arrived] == [photo.uuid]
    stored = PhotoService(hub.vault).media_path(arrived[0])
    with hub.vault.read() as session:
        identity, _ = hub.vault.storyteller_age_keys(session, sharing)
    plain = io.BytesIO()
    with open(stored, "rb") as source:
        decrypt_stream(source, plain, [identity])
    assert plain.getvalue() == PNG
    assert report.new >= 6  # storyteller, consent, event, card, quote, photo
    assert not list((hub.vault.data_dir / "incoming").glob("*"))


def test_held_back_stories_go_whole_once_consent_or_visibility_allows(
    places: dict[str, Place],
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    vault = laptop.vault
    later = add_person(vault, "Rowan", items=[ConsentItem.TAKE_PART])
    TimelineService(vault).add_event(later, title="First job", starts="1999", author=FACILITATOR)
    sharing = add_person(vault, "Juniper")
    private = TimelineService(vault).add_event(
        sharing, title="Not yet", starts="2001", visibility=Visibility.PRIVATE, author=FACILITATOR
    )
    hub.receive(laptop.export())
    assert pseudonyms(hub.vault) == ["Juniper"]

    ConsentService(vault).record(
        later,
        items=[ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM],
        how=ConsentHow.VERBAL,
        given_on="2026-03-03",
        facilitator="Priya",
        author=FACILITATOR,
    )
    TimelineService(vault).update_event(
        private.uuid, visibility=Visibility.TEAM, author=FACILITATOR
    )
    hub.receive(laptop.export())
    assert pseudonyms(hub.vault) == ["Juniper", "Rowan"]
    assert [e.title for e in TimelineService(hub.vault).events(later)] == ["First job"]
    assert TimelineService(hub.vault).get_event(private.uuid).title == "Not yet"

    # Made private again: only that change goes; the hub marks it private and keeps no more.
    TimelineService(vault).update_event(
        private.uuid, visibility=Visibility.PRIVATE, title="My own words", author=FACILITATOR
    )
    hub.receive(laptop.export())
    at_hub = TimelineService(hub.vault).get_event(private.uuid)
    assert at_hub.visibility is Visibility.PRIVATE and at_hub.title == "Not yet"


def test_nothing_new_writes_no_file(places: dict[str, Place]) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    add_person(laptop.vault)
    laptop.export()
    assert plan_export(laptop.vault).is_empty
    with pytest.raises(InvalidInput, match="Nothing new"):
        laptop.export()
    assert len(list(laptop.outbox.iterdir())) == 1


def test_export_needs_a_recipient(places: dict[str, Place]) -> None:
    add_person(places["Outreach 1"].vault)
    with pytest.raises(InvalidInput, match="no one to send to"):
        places["Outreach 1"].export()


def test_a_failed_export_writes_nothing_and_does_not_advance(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    add_person(laptop.vault)

    def full_disk(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exporting, "write_bundle", full_disk)
    with pytest.raises(StoryCaptureError, match="memory stick is full"):
        laptop.export()
    assert laptop.vault.setting(exporting.SEQUENCE) is None
    monkeypatch.undo()
    first = laptop.export()
    assert first.name.endswith("-000001.age")


# --- import: any order, any number of times -----------------------------------------------


def test_bundles_in_any_order_and_again_reach_the_same_state(
    places: dict[str, Place], tmp_path: Path
) -> None:
    laptop, hub, other = places["Outreach 1"], places["Hub"], places["Outreach 2"]
    laptop.sends_to(hub, other)
    vault = laptop.vault
    person = add_person(vault)
    event = TimelineService(vault).add_event(person, title="One", starts="2001", author=FACILITATOR)
    first = laptop.export()
    TimelineService(vault).update_event(event.uuid, title="Two", author=FACILITATOR)
    StrengthService(vault).add_card(person, kind=CardKind.HOPE, text="A garden", author=FACILITATOR)
    second = laptop.export()
    TimelineService(vault).update_event(event.uuid, title="Three", author=Author.storyteller())
    third = laptop.export()

    in_order = hub.receive(first, second, third)
    assert not in_order.refused and in_order.gaps == []
    backwards = other.receive(third)
    assert any("Bundle 1 from the laptop named Outreach 1" in gap for gap in backwards.gaps)
    assert pseudonyms(other.vault) == []  # the storyteller has not arrived yet
    backwards = other.receive(second, third, first)
    assert [b.status for b in backwards.bundles] == ["imported", "duplicate", "imported"]
    assert backwards.gaps == []
    assert state(hub.vault) == state(other.vault)
    assert TimelineService(hub.vault).get_event(event.uuid).title == "Three"
    # The hub keeps every earlier wording, with who changed it.
    titles = [
        c.value
        for c in HistoryService(hub.vault).of("timeline_event", event.uuid)
        if c.field == "title"
    ]
    assert titles == ["One", "Two", "Three"]

    before = state(hub.vault)
    again = hub.receive(third, first)
    assert [b.status for b in again.bundles] == ["duplicate", "duplicate"]
    assert state(hub.vault) == before


def test_the_same_field_changed_on_two_laptops_is_a_conflict_to_review(
    places: dict[str, Place],
) -> None:
    one, two, hub = places["Outreach 1"], places["Outreach 2"], places["Hub"]
    one.sends_to(two, hub)
    two.sends_to(one, hub)
    person = add_person(one.vault)
    event = TimelineService(one.vault).add_event(
        person, title="Start", starts="2001", author=FACILITATOR
    )
    shared = one.export()
    two.receive(shared)
    hub.receive(shared)
    TimelineService(one.vault).update_event(event.uuid, title="From one", author=FACILITATOR)
    TimelineService(two.vault).update_event(
        event.uuid, title="From two", author=Author.storyteller()
    )
    from_one, from_two = one.export(), two.export()

    report = hub.receive(from_two, from_one)
    assert len(report.conflicts) == 1
    sentence = report.conflicts[0].sentence()
    assert "Juniper" in sentence and "Outreach 1" in sentence and "Outreach 2" in sentence
    assert len(conflicts_to_review(hub.vault)) == 1
    # Both laptops, once they have each other's change, show what the hub shows.
    one.receive(from_two)
    two.receive(from_one)
    shown = {TimelineService(p.vault).get_event(event.uuid).title for p in (one, two, hub)}
    assert len(shown) == 1 and shown <= {"From one", "From two"}
    values = [
        c.value
        for c in HistoryService(hub.vault).of("timeline_event", event.uuid)
        if c.field == "title"
    ]
    assert set(values) == {"Start", "From one", "From two"}
    # A later edit that had seen both is no conflict.
    TimelineService(one.vault).update_event(event.uuid, title="Agreed", author=FACILITATOR)
    assert hub.receive(one.export()).conflicts == []


def test_withdrawal_erases_the_storyteller_at_the_receiver_too(
    places: dict[str, Place], tmp_path: Path
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    picture = tmp_path / "p.png"
    picture.write_bytes(PNG)
    PhotoService(laptop.vault).add(person, picture, author=FACILITATOR)
    early = laptop.export()
    hub.receive(early)
    assert (hub.vault.data_dir / "media" / person).is_dir()

    ConsentService(laptop.vault).withdraw(person, author=FACILITATOR)
    plan = plan_export(laptop.vault)
    assert plan.erasures == 1
    report = hub.receive(laptop.export())
    assert report.erased == 1
    assert pseudonyms(hub.vault) == []
    assert not (hub.vault.data_dir / "media" / person).exists()
    with hub.vault.read() as session:
        assert session.scalars(select(models.OperationRow)).first() is None
        assert session.get(models.StorytellerKeyRow, person) is None
        assert session.get(models.TombstoneRow, person) is not None
    # An old bundle imported again does not bring them back.
    with hub.vault.edit() as session:
        for receipt in session.scalars(select(models.BundleReceiptRow)):
            session.delete(receipt)
    hub.receive(early)
    assert pseudonyms(hub.vault) == []


# --- refused bundles leave the receiver unchanged -----------------------------------------


def test_untrusted_revoked_and_misaddressed_bundles_are_refused(places: dict[str, Place]) -> None:
    laptop, hub, other = places["Outreach 1"], places["Hub"], places["Outreach 2"]
    laptop.trust.add_recipient(hub.trust.identity().age_recipient, "Hub")
    add_person(laptop.vault)
    bundle = laptop.export()
    before = state(hub.vault)

    untrusted = hub.receive(bundle)
    assert untrusted.refused[0].reason == "untrusted"
    assert laptop.trust.identity().fingerprint in untrusted.refused[0].message
    assert state(hub.vault) == before

    hub.trust.trust_device(laptop.trust.identity().fingerprint, "Outreach 1")
    hub.trust.revoke_device("Outreach 1")
    revoked = hub.receive(bundle)
    assert revoked.refused[0].reason == "revoked" and state(hub.vault) == before

    other.trust.trust_device(laptop.trust.identity().fingerprint, "Outreach 1")
    elsewhere = other.receive(bundle)
    assert elsewhere.refused[0].reason == "not-for-us"
    assert "another installation" in elsewhere.refused[0].message


def test_a_reused_number_with_other_content_is_refused_with_an_alert(
    places: dict[str, Place],
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    hub.receive(laptop.export())
    before = state(hub.vault)
    # The laptop is restored from an old copy and numbers its next bundle 1 again.
    with laptop.vault.edit() as session:
        for key in (exporting.SEQUENCE, exporting.LAST_BUNDLE):
            session.delete(session.get(models.VaultMeta, f"setting:{key}"))
    TimelineService(laptop.vault).add_event(person, title="New", starts="2020", author=FACILITATOR)
    for old in laptop.outbox.iterdir():
        old.unlink()
    report = hub.receive(laptop.export())
    assert report.refused[0].reason == "reused-sequence"
    assert any(alert.startswith("Alert:") for alert in report.alerts)
    assert state(hub.vault) == before


def test_a_key_that_speaks_for_another_device_is_refused(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    add_person(laptop.vault)
    hub.receive(laptop.export())  # binds the laptop's device id to its key
    before = state(hub.vault)
    add_person(laptop.vault, "Rowan")
    real_write = exporting.write_bundle

    other = "00000000-0000-4000-8000-000000000001"

    def as_another_device(*args: Any, **kwargs: Any) -> Any:
        lines = [{**op, "device": other} for op in kwargs["operations"]]
        return real_write(*args, **{**kwargs, "device_id": other, "operations": lines})

    monkeypatch.setattr(exporting, "write_bundle", as_another_device)
    report = hub.receive(laptop.export())
    assert report.refused[0].reason == "wrong-device"
    assert state(hub.vault) == before


def test_photos_staged_by_an_interrupted_import_are_removed_at_the_next_unlock(
    places: dict[str, Place],
) -> None:
    from storycapture.services.opening import open_vault

    hub = places["Hub"]
    data_dir = hub.vault.data_dir
    hub.vault.lock()
    left = data_dir / "incoming" / "0123abcd"
    left.mkdir(parents=True)
    (left / "photo.age.partial").write_bytes(b"age-encryption.org/v1\n...")
    hub.vault = open_vault(data_dir, PASSPHRASE)
    assert not (data_dir / "incoming").exists()


def test_an_edit_of_a_change_it_had_seen_is_no_conflict_in_whatever_order_it_arrives(
    places: dict[str, Place],
) -> None:
    one, two, hub = places["Outreach 1"], places["Outreach 2"], places["Hub"]
    one.sends_to(two, hub)
    two.sends_to(hub)
    person = add_person(one.vault)
    event = TimelineService(one.vault).add_event(
        person, title="Start", starts="2001", author=FACILITATOR
    )
    created = one.export()
    two.receive(created)
    TimelineService(two.vault).update_event(event.uuid, title="Better words", author=FACILITATOR)
    edited = two.export()

    later_first = hub.receive(edited, created)
    assert later_first.conflicts == [] and not later_first.refused
    assert TimelineService(hub.vault).get_event(event.uuid).title == "Better words"
    assert conflicts_to_review(hub.vault) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valence", "very"),
        ("valence", 9),
        ("title", 12),
        ("title", "x" * 100_000),
        ("visibility", "everyone"),
        ("starts", {"kind": "no such kind"}),
        ("life_area", None),
    ],
)
def test_a_value_the_app_could_not_show_refuses_the_whole_bundle(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch, field: str, value: Any
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    TimelineService(laptop.vault).add_event(person, title="Fine", starts="2001", author=FACILITATOR)
    real_write = exporting.write_bundle

    def with_a_bad_value(*args: Any, **kwargs: Any) -> Any:
        lines = [
            {**op, "value": value}
            if op.get("entity") == "timeline_event" and op.get("field") == field
            else op
            for op in kwargs["operations"]
        ]
        return real_write(*args, **{**kwargs, "operations": lines})

    monkeypatch.setattr(exporting, "write_bundle", with_a_bad_value)
    bundle = laptop.export()
    before = state(hub.vault)
    report = hub.receive(bundle)
    assert report.refused[0].reason == "bad-operation"
    assert "a timeline event that StoryCapture cannot read" in report.refused[0].message
    assert state(hub.vault) == before and pseudonyms(hub.vault) == []


def test_photos_already_put_in_place_go_again_when_the_import_fails_after_them(
    places: dict[str, Place], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storycapture.sync.importing import pipeline

    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    picture = tmp_path / "p.png"
    picture.write_bytes(PNG)
    PhotoService(laptop.vault).add(person, picture, author=FACILITATOR)
    bundle = laptop.export()
    real_place = pipeline.place_media

    def then_the_disk_fills(*args: Any) -> None:
        real_place(*args)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "place_media", then_the_disk_fills)
    before = state(hub.vault)
    report = hub.receive(bundle)
    assert report.refused[0].reason == "disk-full"
    assert "disk is full" in report.refused[0].message
    assert state(hub.vault) == before
    assert not list((hub.vault.data_dir / "media").rglob("*.age"))
    assert not (hub.vault.data_dir / "incoming").exists()


def test_a_moment_with_no_date_and_a_feeling_not_said_travels_as_none(
    places: dict[str, Place],
) -> None:
    """Nothing invented on the way: verify accepts it, import keeps none, and a date and a
    feeling given later travel too."""
    from storycapture.sync.importing import verify_bundle_file

    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    timeline = TimelineService(laptop.vault)
    moment = timeline.add_event(person, title="The allotment", author=FACILITATOR)
    first = laptop.export()
    assert any("1 event" in line for line in verify_bundle_file(hub.vault, first))
    report = hub.receive(first)
    assert not report.refused
    arrived = TimelineService(hub.vault).get_event(moment.uuid)
    assert arrived.starts is None and arrived.valence is None

    timeline.update_event(moment.uuid, starts="spring 2015", valence=2, author=FACILITATOR)
    second = laptop.export()
    assert not hub.receive(second).refused
    given = TimelineService(hub.vault).get_event(moment.uuid)
    assert given.starts is not None and given.starts.display() == "spring 2015"
    assert given.valence == 2
    assert state(hub.vault)["timeline_event"] == state(laptop.vault)["timeline_event"]


# --- whose words: a change of author travels ----------------------------------------------


def authors(vault: VaultSession) -> dict[str, str]:
    """Each item's author, as the app shows it (``row.author``), by item."""
    reattributable = (kinds.TIMELINE_EVENT, kinds.STRENGTH_CARD, kinds.QUOTE, kinds.NARRATIVE_NOTE)
    with vault.read() as session:
        return {
            record.uuid: record.author.encode()
            for kind in reattributable
            for record in records.find(vault, session, kind, include_deleted=True)
        }


def _made_by_the_facilitator(vault: VaultSession, person: str) -> list[str]:
    event = TimelineService(vault).add_event(
        person, title="Moved house", starts="2001", author=FACILITATOR
    )
    card = StrengthService(vault).add_card(
        person, kind=CardKind.STRENGTH, text="I keep going", author=FACILITATOR
    )
    words = StoryWordsService(vault)
    quote = words.add_quote(person, "I kept going.", author=FACILITATOR)
    note = words.add_note(person, "We sat in the garden.", author=FACILITATOR)
    return [event.uuid, card.uuid, quote.uuid, note.uuid]


def _theirs_after_all(vault: VaultSession, items: list[str]) -> None:
    event, card, quote, note = items
    theirs = Author.storyteller()
    TimelineService(vault).update_event(event, author=FACILITATOR, words_by=theirs)
    StrengthService(vault).update_card(card, author=FACILITATOR, words_by=theirs)
    StoryWordsService(vault).update_quote(quote, author=FACILITATOR, words_by=theirs)
    StoryWordsService(vault).update_note(note, author=FACILITATOR, words_by=theirs)


@pytest.mark.parametrize("delivery", ["one at a time", "together", "later first"])
def test_words_found_to_be_theirs_after_a_sync_are_theirs_at_the_hub_too(
    places: dict[str, Place], delivery: str
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    items = _made_by_the_facilitator(laptop.vault, person)
    first = laptop.export()
    if delivery == "one at a time":
        hub.receive(first)
        assert {authors(hub.vault)[i] for i in items} == {FACILITATOR.encode()}
    _theirs_after_all(laptop.vault, items)
    second = laptop.export()
    if delivery == "one at a time":
        report = hub.receive(second)
    elif delivery == "together":
        report = hub.receive(first, second)
    else:
        report = hub.receive(second, first)
    assert not report.refused and report.conflicts == []
    theirs = Author.storyteller().encode()
    assert [authors(laptop.vault)[i] for i in items] == [theirs] * 4
    assert [authors(hub.vault)[i] for i in items] == [theirs] * 4
    # and the hub's history says when they became theirs
    changes = HistoryService(hub.vault).of("quote", items[2])
    assert [c.field for c in changes if c.field == "words_by"] == ["words_by"]


def test_whose_words_changed_on_two_laptops_settles_on_the_latest_everywhere(
    places: dict[str, Place],
) -> None:
    one, two, hub = places["Outreach 1"], places["Outreach 2"], places["Hub"]
    one.sends_to(two, hub)
    two.sends_to(one, hub)
    person = add_person(one.vault)
    quote = StoryWordsService(one.vault).add_quote(person, "I kept going.", author=FACILITATOR)
    made = one.export()
    two.receive(made)
    StoryWordsService(one.vault).update_quote(
        quote.uuid, author=FACILITATOR, words_by=Author.storyteller()
    )
    StoryWordsService(two.vault).update_quote(  # later: this one wins, everywhere
        quote.uuid, author=FACILITATOR, words_by=Author.facilitator("Sam")
    )
    from_one, from_two = one.export(), two.export()
    one.receive(from_two)
    two.receive(from_one)
    hub.receive(from_two, made, from_one)
    sam = Author.facilitator("Sam").encode()
    assert {authors(p.vault)[quote.uuid] for p in (one, two, hub)} == {sam}


@pytest.mark.parametrize(
    ("entity", "value"),
    [
        ("quote", "nobody:at-all"),
        ("quote", 7),
        ("quote", None),
        ("photo", "storyteller:"),  # whose a photo is does not change after it is added
        ("consent", "storyteller:"),
    ],
)
def test_words_credited_to_someone_unknown_refuse_the_whole_bundle(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch, entity: str, value: Any
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    quote = StoryWordsService(laptop.vault).add_quote(person, "Fine", author=FACILITATOR)
    StoryWordsService(laptop.vault).update_quote(
        quote.uuid, author=FACILITATOR, words_by=Author.storyteller()
    )
    real_write = exporting.write_bundle

    def with_a_bad_author(*args: Any, **kwargs: Any) -> Any:
        lines = [
            {**op, "entity": entity, "value": value} if op.get("field") == "words_by" else op
            for op in kwargs["operations"]
        ]
        return real_write(*args, **{**kwargs, "operations": lines})

    monkeypatch.setattr(exporting, "write_bundle", with_a_bad_author)
    bundle = laptop.export()
    before = state(hub.vault)
    report = hub.receive(bundle)
    assert report.refused[0].reason == "bad-operation"
    assert state(hub.vault) == before and pseudonyms(hub.vault) == []


def test_a_bundle_from_before_whose_words_travelled_still_imports(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older installation sent no ``words_by``: the item's author is its maker's."""
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    person = add_person(laptop.vault)
    quote = StoryWordsService(laptop.vault).add_quote(person, "Fine", author=Author.storyteller())
    real_write = exporting.write_bundle

    def as_before(*args: Any, **kwargs: Any) -> Any:
        lines = [op for op in kwargs["operations"] if op.get("field") != "words_by"]
        return real_write(*args, **{**kwargs, "operations": lines})

    monkeypatch.setattr(exporting, "write_bundle", as_before)
    report = hub.receive(laptop.export())
    assert not report.refused
    assert authors(hub.vault)[quote.uuid] == Author.storyteller().encode()


def test_the_same_file_again_is_known_before_it_is_decrypted(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing a file already imported read and decrypted all of it again before its
    receipt was looked at (17% of the first import's time for 100,000 changes)."""
    from storycapture.sync.importing import pipeline

    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    add_person(laptop.vault)
    bundle = laptop.export()
    first = hub.receive(bundle)
    assert [b.status for b in first.bundles] == ["imported"]
    before = state(hub.vault)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the bundle was read again")

    monkeypatch.setattr(pipeline, "read_bundle", never)
    again = hub.receive(bundle)
    (outcome,) = again.bundles
    assert outcome.status == "duplicate"
    assert outcome.message == "bundle 1 from Outreach 1 was already imported; nothing changed."
    assert state(hub.vault) == before

    # A copy with other bytes (one byte changed) is read and checked whole, and refused.
    damaged = bundle.with_name("copy.age")
    data = bytearray(bundle.read_bytes())
    data[-1] ^= 1
    damaged.write_bytes(bytes(data))
    monkeypatch.undo()
    (refused,) = hub.receive(damaged).refused
    assert refused.reason != "duplicate"
