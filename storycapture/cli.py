"""The ``storycapture`` command: the app when run bare, and sub-commands over the same services.

An error a person can cause prints one plain sentence and exits with code 2, having written
nothing. Personal content is only printed when a command is asked to show it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import getpass
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from storycapture import __version__
from storycapture.domain.errors import InvalidInput, NotFound, StoryCaptureError, VaultDamaged
from storycapture.qtkit.palette import THEME_COLOURS

if TYPE_CHECKING:
    from storycapture.domain.authorship import Author
    from storycapture.services.vault import VaultSession

EXIT_USER_ERROR = 2
FACILITATOR_ENV = "STORYCAPTURE_FACILITATOR"


class UsageError(StoryCaptureError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code is 2 as well
        self.print_usage(sys.stderr)
        raise UsageError(f"{message[0].upper()}{message[1:]}.")


# --- passphrases ---------------------------------------------------------------------------


def _read_secret_file(path: Path, what: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"The {what} file cannot be read ({error.strerror}).") from error
    secret = text.splitlines()[0] if text else ""
    if not secret:
        raise InvalidInput(f"The {what} file is empty.")
    return secret


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput("No passphrase was given; use --passphrase-file or type it in.")
        return line.rstrip("\n")
    return getpass.getpass(prompt)


def _passphrase(args: argparse.Namespace) -> str:
    if args.passphrase_file:
        return _read_secret_file(args.passphrase_file, "passphrase")
    return _ask("Passphrase: ")


def _new_passphrase(args: argparse.Namespace, file_option: Path | None) -> str:
    if file_option:
        return _read_secret_file(file_option, "new passphrase")
    first = _ask("New passphrase: ")
    if sys.stdin.isatty() and _ask("The same again: ") != first:
        raise InvalidInput("The two passphrases are not the same; nothing was changed.")
    return first


# --- opening -------------------------------------------------------------------------------


def _data_dir(args: argparse.Namespace) -> Path:
    from storycapture.paths import default_data_dir

    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


@contextmanager
def _unlocked(args: argparse.Namespace) -> Iterator[VaultSession]:
    """The vault, unlocked for one command and locked again however the command ends."""
    from storycapture.services.opening import open_vault

    vault = open_vault(_data_dir(args), _passphrase(args))
    try:
        yield vault
    finally:
        vault.lock()


def _author(args: argparse.Namespace) -> Author:
    from storycapture.domain.authorship import Author

    if getattr(args, "by_storyteller", False):
        return Author.storyteller()
    return Author.facilitator(args.facilitator or os.environ.get(FACILITATOR_ENV, ""))


def _visibility(args: argparse.Namespace, vault: VaultSession, storyteller_uuid: str) -> str:
    """The visibility asked for, or else what the storyteller chose new items to be."""
    if args.visibility:
        return str(args.visibility)
    from storycapture.domain.visibility import new_item_visibility
    from storycapture.services.storytellers import StorytellerService

    chosen = StorytellerService(vault).get(storyteller_uuid).default_visibility
    return new_item_visibility(chosen, storyteller_mode=False).value


def _find_storyteller(vault: VaultSession, reference: str) -> str:
    """A storyteller by pseudonym (any case), full id, or the first characters of their id."""
    from storycapture.services.storytellers import StorytellerService

    people = StorytellerService(vault)
    # A damaged storyteller is left out of the names, but is still found by id (to be
    # withdrawn, say): one damaged record never stops work on anyone else.
    everyone = people.list(damaged=[])
    wanted = reference.strip().casefold()
    by_name = [s.uuid for s in everyone if s.pseudonym.casefold() == wanted]
    by_id = [uuid for uuid in people.ids() if len(wanted) >= 4 and uuid.startswith(wanted)]
    matches = by_name or by_id
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"No storyteller here is called or numbered “{reference}”.")
    raise InvalidInput(f"More than one storyteller matches “{reference}”; use their id instead.")


def _say_damaged(out: TextIO, damaged: list[str], one: str, many: str) -> None:
    """After a list: how many items could not be read, and their ids (never their words)."""
    if damaged:
        count = len(damaged)
        print(
            f"{count} {one if count == 1 else many} could not be read: "
            f"{'it is' if count == 1 else 'they are'} damaged or altered "
            f"({', '.join(uuid[:8] for uuid in damaged)}). Everything else is shown.",
            file=out,
        )


def _date_option(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"“{text}” is not a date like 2026-03-14.") from error


# --- commands ------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.vault import VaultSession

    data_dir = _data_dir(args)
    passphrase = _new_passphrase(args, args.passphrase_file)
    print("Setting up the vault (this takes a few seconds)…", file=sys.stderr)
    vault, recovery_key = VaultSession.create(data_dir, passphrase)
    vault.lock()
    print(f"A new vault is ready in {data_dir}.", file=out)
    _show_recovery_key(recovery_key, out)
    return 0


def _show_recovery_key(recovery_key: str, out: TextIO) -> None:
    print(
        "\nYour recovery key (write it down and keep it somewhere safe, away from this laptop;"
        " it is shown only this once):\n",
        file=out,
    )
    print(f"    {recovery_key}\n", file=out)
    print("If the passphrase is ever forgotten, `storycapture recover` uses it.", file=out)


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.hub:
        return _demo_hub(args, out)
    from storycapture.demo import create_demo_vault
    from storycapture.paths import default_data_dir, practice_data_dir, resources_dir
    from storycapture.store.db import DATABASE_NAME

    # Never in the real vault's folder unless asked: by default, the practice folder beside it.
    data_dir = _data_dir(args) if args.data_dir else practice_data_dir(default_data_dir())
    vault = None
    if (data_dir / DATABASE_NAME).exists() and args.open:
        print(f"Opening the practice vault in {data_dir}.", file=out)
    else:
        print("Making the practice vault (this takes a few seconds)…", file=sys.stderr)
        vault, recovery_key = create_demo_vault(
            data_dir, resources_dir() / "demo" / "demo-vault.json"
        )
        counts = vault.info().counts
        print(
            f"A practice vault of invented storytellers is ready in {data_dir}: "
            f"{counts['storytellers']} storytellers, {counts['timeline events']} timeline events.",
            file=out,
        )
        _show_recovery_key(recovery_key, out)
    return _practice_made(args, data_dir, vault, out)


def _practice_made(
    args: argparse.Namespace, data_dir: Path, vault: VaultSession | None, out: TextIO
) -> int:
    """After a practice vault or hub is made (or found): its passphrase, then the window on it
    if asked for, else it is locked."""
    from storycapture.demo import DEMO_PASSPHRASE

    print(f"Its passphrase is: {DEMO_PASSPHRASE}", file=out)
    if args.open:
        from storycapture.gui.app import run_app

        return run_app(data_dir, vault=vault)
    if vault is not None:
        vault.lock()
    return 0


def _demo_hub(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.demo_hub import create_demo_hub, practice_hub_dir
    from storycapture.domain.errors import VaultAlreadyExists
    from storycapture.paths import default_data_dir, resources_dir
    from storycapture.store.db import DATABASE_NAME

    # Never in the real vault's folder unless asked: by default, a folder of its own beside it.
    data_dir = _data_dir(args) if args.data_dir else practice_hub_dir(default_data_dir())
    vault = None
    if (data_dir / DATABASE_NAME).exists() and args.open:
        print(f"Opening the practice hub in {data_dir}.", file=out)
    else:
        print("Making the practice hub (this takes a few seconds)…", file=sys.stderr)
        try:
            vault, recovery_key = create_demo_hub(
                data_dir, resources_dir() / "demo" / "demo-vault.json"
            )
        except VaultAlreadyExists as error:
            raise InvalidInput(
                f"There is already a vault in {data_dir}, so no practice hub was made there; "
                "choose another folder with --data-dir (or add --open to open it)."
            ) from error
        from storycapture.hub.room import RoomService

        counts = vault.info().counts
        room = RoomService(vault)
        print(
            f"A practice hub is ready in {data_dir}: {counts['storytellers']} invented "
            f"storytellers imported from three laptops' bundles, {len(room.themes())} themes "
            f"and {counts['excerpts']} excerpts.",
            file=out,
        )
        _show_recovery_key(recovery_key, out)
    return _practice_made(args, data_dir, vault, out)


def cmd_info(args: argparse.Namespace, out: TextIO) -> int:
    with _unlocked(args) as vault:
        info = vault.info()
    print(f"Vault folder:      {info.data_dir}", file=out)
    print(f"Vault id:          {info.vault_id}", file=out)
    print(f"This device:       {info.device_id}", file=out)
    print(f"Schema revision:   {info.schema_revision}", file=out)
    print(
        f"Key derivation:    Argon2id, {info.kdf_memory_mib} MiB, "
        f"{info.kdf_iterations} iterations, {info.kdf_lanes} lanes",
        file=out,
    )
    print("Encryption:        AES-256-GCM per field, age (X25519) for media", file=out)
    print("Row seals:         HMAC-SHA256 of every row, under its storyteller's key", file=out)
    print(
        f"Database size:     {info.database_bytes:,} bytes; media files: {info.media_files}",
        file=out,
    )
    counts = {**info.counts, "erased storytellers": info.tombstones}
    for label, count in counts.items():
        print(f"  {label + ':':<22}{count:>8,}", file=out)
    return 0


def cmd_passwd(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.opening import open_vault

    current = _passphrase(args)
    vault = open_vault(_data_dir(args), current)
    try:
        vault.change_passphrase(current, _new_passphrase(args, args.new_passphrase_file))
    finally:
        vault.lock()
    print("The passphrase is changed. The recovery key still works.", file=out)
    return 0


def cmd_recover(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.vault import VaultSession

    if args.recovery_key_file:
        recovery_key = _read_secret_file(args.recovery_key_file, "recovery key")
    else:
        recovery_key = _ask("Recovery key: ")
    new = _new_passphrase(args, args.new_passphrase_file)
    vault = VaultSession.recover(_data_dir(args), recovery_key, new)
    vault.lock()
    print("The vault is open again with the new passphrase.", file=out)
    return 0


def cmd_storyteller(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.domain.visibility import DEFAULT_WORDS
    from storycapture.services.consent import ConsentService
    from storycapture.services.storytellers import StorytellerService

    with _unlocked(args) as vault:
        people = StorytellerService(vault)
        if args.action == "list":
            consent = ConsentService(vault)
            damaged: list[str] = []
            for person in people.list(damaged=damaged):
                current = consent.current(person.uuid)
                agreed = (
                    "no consent yet"
                    if current is None
                    else f"consent v{current.version}: "
                    + (", ".join(item.label.lower() for item in current.agreed()) or "nothing")
                )
                print(f"{person.uuid[:8]}  {person.pseudonym}  ({agreed})", file=out)
            _say_damaged(out, damaged, "storyteller", "storytellers")
        elif args.action == "add":
            person = people.add(
                args.pseudonym,
                author=_author(args),
                real_name=args.real_name,
                birth_year=args.birth_year,
                role=args.role,
                notes=args.notes,
                default_visibility=args.new_items,
            )
            print(f"Added {person.pseudonym} ({person.uuid}).", file=out)
        elif args.action == "show":
            person = people.get(_find_storyteller(vault, args.storyteller))
            print(f"{person.pseudonym}  ({person.role.label})", file=out)
            if person.real_name:
                print(f"Real name:  {person.real_name}", file=out)
            if person.birth_year:
                print(f"Born:       {person.birth_year}", file=out)
            if person.notes:
                print(f"Notes:      {person.notes}", file=out)
            chosen = person.default_visibility
            print(
                "New items:  "
                + (DEFAULT_WORDS[chosen].lower() if chosen else "not chosen yet (the team)"),
                file=out,
            )
            print(f"Id:         {person.uuid}", file=out)
        elif args.action == "withdraw":
            uuid = _find_storyteller(vault, args.storyteller)
            try:
                name = people.get(uuid).pseudonym
            except VaultDamaged:  # erasure needs nothing of theirs to be readable
                name = f"Storyteller {uuid[:8]} (whose record is damaged)"
            if not args.yes:
                raise InvalidInput(
                    f"Withdrawing erases {name} and everything of theirs on this laptop for good; "
                    "add --yes to confirm."
                )
            ConsentService(vault).withdraw(uuid, author=_author(args))
            print(f"{name}'s story has been erased from this laptop.", file=out)
    return 0


def cmd_consent(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.consent import ConsentService

    with _unlocked(args) as vault:
        consent = ConsentService(vault)
        uuid = _find_storyteller(vault, args.storyteller)
        if args.action == "record":
            record = consent.record(
                uuid,
                items=[i for i in args.items.split(",") if i.strip()],
                how=args.how,
                given_on=_date_option(args.given_on) or datetime.date.today(),
                facilitator=args.facilitator or os.environ.get(FACILITATOR_ENV, ""),
                author=_author(args),
            )
            print(f"Consent version {record.version} recorded.", file=out)
        else:
            for record in consent.history(uuid):
                items = ", ".join(item.label.lower() for item in record.agreed())
                print(
                    f"v{record.version}  {record.given_on}  {record.how.label}, "
                    f"with {record.facilitator}: {items or 'nothing'}",
                    file=out,
                )
    return 0


def cmd_visit(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.visits import VisitService

    with _unlocked(args) as vault:
        visits = VisitService(vault)
        uuid = _find_storyteller(vault, args.storyteller)
        if args.action == "start":
            visit = visits.start(
                uuid,
                author=_author(args),
                visit_date=_date_option(args.date),
                place_type=args.place,
                present=args.present,
                notes=args.notes,
            )
            print(f"Visit recorded for {visit.visit_date} ({visit.uuid}).", file=out)
        else:
            for visit in visits.list(uuid):
                print(f"{visit.uuid[:8]}  {visit.visit_date}  {visit.place_type.label}", file=out)
    return 0


def _help_seeking(args: argparse.Namespace) -> Any:
    from storycapture.domain.story import HelpSeeking
    from storycapture.domain.vocabulary import Helped

    if not any((args.asked_for, args.from_whom, args.what_happened, args.helped)):
        return None
    return HelpSeeking(
        asked_for=args.asked_for or "",
        from_whom=args.from_whom or "",
        what_happened=args.what_happened or "",
        helped=Helped.parse(args.helped) if args.helped else None,
    )


def cmd_event(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.domain.clock import Hlc
    from storycapture.services.history import HistoryService
    from storycapture.timeline.service import TimelineService

    with _unlocked(args) as vault:
        timeline = TimelineService(vault)
        if args.action == "add":
            person = _find_storyteller(vault, args.storyteller)
            event = timeline.add_event(
                person,
                title=args.title,
                starts=args.when,
                ends=args.until,
                valence=args.feeling,
                life_area=args.area,
                words=args.words,
                visibility=_visibility(args, vault, person),
                visit_uuid=args.visit,
                help=_help_seeking(args),
                author=_author(args),
            )
            print(f"Added “{event.title}” ({event.when()}) — {event.uuid}.", file=out)
        elif args.action == "list":
            damaged: list[str] = []
            for event in timeline.events(_find_storyteller(vault, args.storyteller), damaged):
                when = event.starts.display() if event.starts else event.when()
                if event.ends is not None:
                    when += f" – {event.ends.display()}"
                # A feeling not said shows as a dash: no number nobody gave.
                valence = event.valence
                feeling = " –" if valence is None else f"{valence:+d}" if valence else " 0"
                lock = "  [private]" if event.visibility.value == "private" else ""
                print(f"{event.uuid[:8]}  {feeling}  {when}: {event.title}{lock}", file=out)
            _say_damaged(out, damaged, "moment", "moments")
        elif args.action == "remove":
            event = timeline.remove_event(_event_uuid(vault, args.event), author=_author(args))
            print(f"“{event.title}” is off the timeline (it can be brought back).", file=out)
        elif args.action == "history":
            for change in HistoryService(vault).of(
                "timeline_event", _event_uuid(vault, args.event)
            ):
                changed_at = Hlc.decode(change.hlc).as_datetime().astimezone()
                print(
                    f"{changed_at:%Y-%m-%d %H:%M:%S}  {change.author.describe()}  "
                    f"{change.field} = {change.value!r}",
                    file=out,
                )
    return 0


def _event_uuid(vault: VaultSession, reference: str) -> str:
    from sqlalchemy import select

    from storycapture.store.models import TimelineEventRow

    wanted = reference.strip().lower()
    with vault.read() as session:
        found = list(
            session.scalars(
                select(TimelineEventRow.uuid).where(
                    TimelineEventRow.uuid.startswith(wanted, autoescape=True)
                )
            )
        )
    if len(wanted) < 4 or len(found) != 1:
        raise NotFound(f"No single timeline event has the id “{reference}”.")
    return found[0]


def _id_column(args: argparse.Namespace, uuid: str) -> str:
    """With ``list --ids``: an item's id first (its first characters, enough to name it)."""
    return f"{uuid[:8]}  " if getattr(args, "ids", False) else ""


def cmd_card(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.strengths.service import StrengthService

    with _unlocked(args) as vault:
        strengths = StrengthService(vault)
        uuid = _find_storyteller(vault, args.storyteller)
        if args.action == "add":
            card = strengths.add_card(
                uuid,
                kind=args.kind,
                text=args.text,
                visibility=_visibility(args, vault, uuid),
                author=_author(args),
            )
            print(f"Added the {card.kind.label.lower()} card “{card.text}”.", file=out)
        else:
            for card in strengths.cards(uuid):
                print(f"{_id_column(args, card.uuid)}{card.kind.label:<16} {card.text}", file=out)
    return 0


def cmd_words(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.story import StoryWordsService

    with _unlocked(args) as vault:
        words = StoryWordsService(vault)
        uuid = _find_storyteller(vault, args.storyteller)
        adding = args.action == "add"
        if args.command == "quote":
            if adding:
                words.add_quote(
                    uuid, args.text, visibility=_visibility(args, vault, uuid), author=_author(args)
                )
            else:
                for quote in words.quotes(uuid):
                    print(
                        f"{_id_column(args, quote.uuid)}“{quote.text}”  "
                        f"[{quote.visibility.label.lower()}]",
                        file=out,
                    )
        else:
            if adding:
                words.add_note(
                    uuid, args.text, visibility=_visibility(args, vault, uuid), author=_author(args)
                )
            else:
                for note in words.notes(uuid):
                    print(
                        f"{_id_column(args, note.uuid)}{note.text}  "
                        f"[{note.visibility.label.lower()}]\n",
                        file=out,
                    )
        if adding:
            print(f"The {args.command} is saved.", file=out)
    return 0


def cmd_photo(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.services.media import PhotoService

    with _unlocked(args) as vault:
        photos = PhotoService(vault)
        if args.action == "add":
            event = _event_uuid(vault, args.event) if args.event else None
            photo = photos.add(
                _find_storyteller(vault, args.storyteller),
                Path(args.file),
                caption=args.caption,
                event_uuid=event,
                author=_author(args),
            )
            print(f"The photo is stored, encrypted ({photo.uuid}).", file=out)
        else:
            for photo in photos.list(_find_storyteller(vault, args.storyteller)):
                print(f"{photo.uuid[:8]}  {photo.original_name}  {photo.caption}", file=out)
    return 0


def cmd_screenshots(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.gui.screenshots import render_screenshots

    written = render_screenshots(Path(args.out))
    for path in written:
        print(path, file=out)
    return 0


def cmd_app(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.gui.app import run_app

    return run_app(_data_dir(args))


# --- sync ----------------------------------------------------------------------------------


def cmd_identity(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.sync.trust import TrustService

    with _unlocked(args) as vault:
        trust = TrustService(vault)
        if args.set_name:
            trust.set_device_name(args.set_name)
        me = trust.identity()
    print(f"This installation: {me.device_name}", file=out)
    print(f"Send bundles to it with this key (age recipient):\n  {me.age_recipient}", file=out)
    print(f"Its signing-key fingerprint (to trust its bundles):\n  {me.fingerprint}", file=out)
    print(f"Device id: {me.device_id}", file=out)
    return 0


def cmd_recipients(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.sync.trust import TrustService

    with _unlocked(args) as vault:
        trust = TrustService(vault)
        if args.action == "add":
            added = trust.add_recipient(args.key, args.name)
            print(f"Bundles will be encrypted to “{added.name}” too.", file=out)
        elif args.action == "remove":
            removed = trust.remove_recipient(args.recipient)
            print(f"“{removed.name}” will no longer receive bundles.", file=out)
        else:
            everyone = trust.recipients()
            if not everyone:
                print("No recipients yet: add the hub's key with `recipients add`.", file=out)
            for recipient in everyone:
                print(f"{recipient.name}  {recipient.age_recipient}", file=out)
    return 0


def cmd_devices(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.sync.trust import TrustService

    with _unlocked(args) as vault:
        trust = TrustService(vault)
        if args.action == "trust":
            device = trust.trust_device(args.fingerprint, args.name)
            print(
                f"Bundles signed by “{device.name}” ({device.fingerprint}) will be accepted.",
                file=out,
            )
        elif args.action == "revoke":
            device = trust.revoke_device(args.device)
            print(f"Bundles from “{device.name}” will be refused from now on.", file=out)
        else:
            devices = trust.devices()
            if not devices:
                print("No trusted devices yet: trust one with `devices trust`.", file=out)
            for device in devices:
                state = "revoked" if device.revoked else "trusted"
                print(f"{device.name}  {device.fingerprint}  {state}", file=out)
    return 0


def _limits(args: argparse.Namespace) -> Any:
    from storycapture.sync.bundle import Limits

    if getattr(args, "max_size_mb", None) is None:
        return Limits()
    cap = int(args.max_size_mb * 1024 * 1024)
    if cap <= 0:
        raise InvalidInput("--max-size-mb must be more than 0.")
    return Limits(max_bundle_bytes=cap, max_member_bytes=min(cap, Limits().max_member_bytes))


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.sync.exporting import export_bundle, plan_export

    with _unlocked(args) as vault:
        plan = plan_export(vault)
        for line in plan.summary_lines():
            print(line, file=out)
        if plan.is_empty:
            return 0
        result = export_bundle(vault, Path(args.to), plan)
    print(f"Bundle {result.sequence} written: {result.bundle.path}", file=out)
    return 0


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.sync.importing import import_bundles

    with _unlocked(args) as vault:
        report = import_bundles(vault, [Path(f) for f in args.files], limits=_limits(args))
    for line in report.lines():
        print(line, file=out)
    return EXIT_USER_ERROR if report.refused else 0


def cmd_bundle(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.sync.importing import verify_bundle_file

    with _unlocked(args) as vault:
        lines = verify_bundle_file(vault, Path(args.file), limits=_limits(args))
    for line in lines:
        print(line, file=out)
    return 0


# --- the story-sharing room ----------------------------------------------------------------

# ``excerpt add --from KIND ID``: the kinds in the words people use, and their kinds' names.
_EXCERPT_FROM = {
    "quote": "quote",
    "event": "timeline_event",
    "note": "narrative_note",
    "card": "strength_card",
}
_TEAM = "the team"  # who marked an excerpt when the command is not told a name


def _short(text: str, limit: int = 40) -> str:
    """A short piece of some words, on one line, for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _marker(args: argparse.Namespace) -> str:
    """Who marks an excerpt: the facilitator's name as the command knows it, or the team."""
    name = (args.facilitator or os.environ.get(FACILITATOR_ENV, "")).strip()
    return name or _TEAM


def _by_id(found: Sequence[str], reference: str, what: str) -> str:
    """The one id of ``found`` that is, or starts with, ``reference`` (at least 4 characters)."""
    wanted = reference.strip().lower()
    matches = [uuid for uuid in found if len(wanted) >= 4 and uuid.startswith(wanted)]
    if len(matches) != 1:
        raise NotFound(f"No single {what} has the id “{_short(reference, 40)}”.")
    return matches[0]


def _item_uuid(vault: VaultSession, kind_name: str, reference: str) -> str:
    from sqlalchemy import select

    from storycapture.services.kinds import ENTITY_KINDS

    kind = ENTITY_KINDS[kind_name]
    row = kind.row
    wanted = reference.strip().lower()
    found: list[str] = []
    if len(wanted) >= 4:
        with vault.read() as session:
            query = select(row.uuid).where(row.uuid.startswith(wanted, autoescape=True)).limit(2)
            found = list(session.scalars(query))
    return _by_id(found, reference, kind.one)


def _where_from(vault: VaultSession, excerpt: Any, titles: dict[str, str]) -> str:
    """Where an excerpt comes from, in words: "a quote", "the moment “Moved to Leeds”"."""
    source = excerpt.source
    if source.kind != "timeline_event":
        return {"quote": "a quote", "narrative_note": "a note", "strength_card": "a strength card"}[
            source.kind
        ]
    if source.uuid not in titles:
        from storycapture.services import records
        from storycapture.services.kinds import TIMELINE_EVENT

        try:
            with vault.read() as session:
                titles[source.uuid] = records.get(
                    vault, session, TIMELINE_EVENT, source.uuid
                ).values["title"]
        except StoryCaptureError:  # gone or damaged since: the excerpt keeps its own words
            titles[source.uuid] = ""
    title = titles[source.uuid]
    return f"the moment “{title}”" if title else "a moment"


def _excerpt_add(args: argparse.Namespace, vault: VaultSession, out: TextIO) -> int:
    from storycapture.domain.text import LONG, SHORT, checked_text
    from storycapture.hub.room import RoomService, whose_words
    from storycapture.services import records
    from storycapture.services.kinds import ENTITY_KINDS, EXCERPT_SOURCES
    from storycapture.services.storytellers import StorytellerService

    said, reference = args.source
    kind_name = _EXCERPT_FROM.get(said.strip().lower())
    if kind_name is None:
        raise InvalidInput(
            f"An excerpt is taken from a quote, an event, a note or a card, not “{_short(said)}”; "
            "use --from quote ID, --from event ID, --from note ID or --from card ID."
        )
    # Everything is checked before anything is made (a theme named by --theme included).
    author = _author(args)
    marker = checked_text(_marker(args), "name of who marked it", SHORT)
    person = _find_storyteller(vault, args.storyteller)
    pseudonym = StorytellerService(vault).get(person).pseudonym
    kind = ENTITY_KINDS[kind_name]
    uuid = _item_uuid(vault, kind_name, reference)
    with vault.read() as session:
        item = records.get(vault, session, kind, uuid)
    values = item.values
    if item.storyteller_uuid != person or values.get("deleted"):
        raise NotFound(f"That {kind.one} is not in {pseudonym}'s story.")
    if values.get("visibility") == "private":
        raise InvalidInput(
            f"That {kind.one} is private to {pseudonym}; it stays with them and cannot be marked."
        )
    notes: list[str] = []
    field = EXCERPT_SOURCES[kind_name][0]
    words = values.get(field) or ""
    if kind_name == "timeline_event" and not words.strip():
        field, words = "title", values.get("title") or ""
        notes.append("That moment has no words of its own, so its title is marked.")
    start = end = None
    if args.text is not None:
        span = args.text
        if not span.strip():
            raise InvalidInput(
                "The words to mark (--text) are empty; give some of the item's words exactly, "
                "or leave --text out to mark all of them."
            )
        if len(span) > LONG:
            raise InvalidInput(
                f"The words to mark (--text) are {len(span):,} characters long; "
                f"no item's words are longer than {LONG:,}."
            )
        start = words.find(span)
        if start < 0:
            raise InvalidInput(
                f"The words “{_short(span)}” are not in that {kind.one}, whose words begin "
                f"“{_short(words)}”; give words exactly as they are there."
            )
        end = start + len(span)
        times = words.count(span)
        if times > 1:
            notes.append(f"Those words are there {times} times; the first is marked.")
    room = RoomService(vault)
    themes: list[str] = []
    new_theme = None
    if args.theme is not None:
        try:
            themes.append(room.theme_named(args.theme).uuid)
        except NotFound:
            new_theme = args.theme
    # A theme made for this excerpt is made with it, in one change: both, or neither.
    excerpt = room.add_excerpt(
        person,
        source_kind=kind_name,
        source_uuid=uuid,
        marked_by=marker,
        field=field,
        start=start,
        end=end,
        themes=themes,
        new_theme=new_theme,
        author=author,
    )
    if new_theme is not None:
        made = next(t for t in room.themes() if t.uuid in excerpt.themes)
        notes.append(f"There was no theme called “{made.name}”, so it is made now.")
    whose = (
        f"{pseudonym}'s own words"
        if excerpt.meta.author.is_storyteller
        else f"{whose_words(excerpt)}, in {pseudonym}'s story"
    )
    print(f"Excerpt {excerpt.uuid}", file=out)
    print(f"  “{excerpt.text}”", file=out)
    print(
        f"  Whose words: {whose}, from {_where_from(vault, excerpt, {})}. Marked by {marker}.",
        file=out,
    )
    if args.theme is not None:
        print(f"  In the theme “{room.theme(excerpt.themes[0]).name}”.", file=out)
    for note in notes:
        print(note, file=out)
    return 0


def cmd_excerpt(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.hub.room import RoomService, pseudonyms

    with _unlocked(args) as vault:
        if args.action == "add":
            return _excerpt_add(args, vault, out)
        room = RoomService(vault)
        if args.action == "remove":
            everyone = [e.uuid for e in room.excerpts()]
            excerpt = room.excerpt(_by_id(everyone, args.excerpt, "excerpt"))
            room.remove_excerpt(excerpt.uuid, author=_author(args))
            name = pseudonyms(vault).get(excerpt.storyteller_uuid, "a storyteller")
            print(f"The excerpt “{_short(excerpt.text)}” ({name}) is off the board.", file=out)
            return 0
        person = _find_storyteller(vault, args.storyteller) if args.storyteller else None
        theme = room.theme_named(args.theme) if args.theme else None
        names = pseudonyms(vault)
        themes = {t.uuid: t.name for t in room.themes()}
        titles: dict[str, str] = {}
        shown = [
            e
            for e in room.excerpts(person)
            if e.storyteller_uuid in names and (theme is None or theme.uuid in e.themes)
        ]
        for excerpt in shown:
            where = _where_from(vault, excerpt, titles)
            named = [themes[t] for t in excerpt.themes if t in themes]
            print(
                f"{excerpt.uuid[:8]}  {names[excerpt.storyteller_uuid]}, {where}: "
                f"“{' '.join(excerpt.text.split())}”  "
                + (f"[{', '.join(named)}]" if named else "[not in a theme yet]"),
                file=out,
            )
        if not shown:
            print("No excerpts marked yet" + (" here" if person or theme else "") + ".", file=out)
    return 0


def cmd_theme(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.hub.across import theme_matrix
    from storycapture.hub.room import RoomService, pseudonyms

    with _unlocked(args) as vault:
        room = RoomService(vault)
        if args.action == "list":
            matrix = theme_matrix(vault)
            if not matrix.themes:
                print("No themes yet: name one with `theme add`.", file=out)
            width = max((len(t.name) for t in matrix.themes), default=0)
            for theme in matrix.themes:
                total, stories = matrix.total(theme.uuid), matrix.stories_with(theme.uuid)
                counted = (
                    f"{total} excerpt{'' if total == 1 else 's'}, "
                    f"in {stories} stor{'y' if stories == 1 else 'ies'}"
                    if total
                    else "(empty)"
                )
                print(f"{theme.name:<{width}}  {counted}", file=out)
        elif args.action == "add":
            colour = None if args.colour is None else args.colour.strip()
            if colour is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
                raise InvalidInput(
                    f"The colour “{_short(colour, 20)}” is not one like {THEME_COLOURS[1]} "
                    "(a # and six digits or letters A–F)."
                )
            theme = room.add_theme(
                args.name,
                author=_author(args),
                description=args.description,
                colour=colour,
            )
            print(f"The theme “{theme.name}” is on the board ({theme.colour}).", file=out)
        elif args.action == "rename":
            old = room.theme_named(args.old)
            theme = room.update_theme(old.uuid, author=_author(args), name=args.new)
            print(f"“{old.name}” is now called “{theme.name}”.", file=out)
        elif args.action == "merge":
            into = room.theme_named(args.into)
            folded = [room.theme_named(name) for name in args.themes]
            room.merge_themes([t.uuid for t in folded], into.uuid, author=_author(args))
            held = len(room.excerpts_in(into.uuid))
            merged = " and ".join(
                f"“{t.name}”"
                for t in dict((t.uuid, t) for t in folded if t.uuid != into.uuid).values()
            )
            print(
                f"{merged} merged into “{into.name}”, which holds "
                f"{held} excerpt{'' if held == 1 else 's'} now.",
                file=out,
            )
        else:
            theme = room.theme_named(args.name)
            names = pseudonyms(vault)
            print(theme.name, file=out)
            print(theme.description or "(no description yet)", file=out)
            shown = [e for e in room.excerpts_in(theme.uuid) if e.storyteller_uuid in names]
            if not shown:
                print("\nNo excerpts in it yet (empty).", file=out)
            titles: dict[str, str] = {}
            for excerpt in shown:
                where = _where_from(vault, excerpt, titles)
                print(f"\n{names[excerpt.storyteller_uuid]}, {where}:", file=out)
                print(f"  “{excerpt.text}”", file=out)
    return 0


def _write_whole(target: Path, write: Callable[[TextIO], None]) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, then renamed."""
    import tempfile

    from storycapture.domain.errors import StorageUnavailable

    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"The folder “{folder}” does not exist, so no file was written.")
    if target.is_dir():
        raise InvalidInput(
            f"There is a folder called “{target.name}” there; give a file name, such as themes.csv."
        )
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise StorageUnavailable(
            f"The file cannot be written in “{folder}” ({error.strerror or error}); "
            "nothing was written."
        ) from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StorageUnavailable(
            f"The file could not be written ({error.strerror or error}); nothing was written."
        ) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cmd_matrix(args: argparse.Namespace, out: TextIO) -> int:
    from storycapture.hub.across import theme_matrix, write_matrix_csv

    with _unlocked(args) as vault:
        matrix = theme_matrix(vault)
    if args.csv:
        target = Path(args.csv).expanduser()
        _write_whole(target, lambda stream: write_matrix_csv(matrix, stream))
        print(
            f"The table of {len(matrix.storytellers)} stories × {len(matrix.themes)} themes "
            f"is written: {target}",
            file=out,
        )
        return 0
    if not matrix.themes:
        print("No themes yet: name one with `theme add`.", file=out)
        return 0
    last = "Stories with this theme"
    first = max([len(last), *(len(name) for _, name in matrix.storytellers)])
    widths = [max(len(t.name), 3) for t in matrix.themes]
    rows = [
        (name, [matrix.count(person, t.uuid) for t in matrix.themes])
        for person, name in matrix.storytellers
    ]
    rows.append((last, [matrix.stories_with(t.uuid) for t in matrix.themes]))
    header = "  ".join(f"{t.name:>{w}}" for t, w in zip(matrix.themes, widths, strict=True))
    print(f"{'':<{first}}  {header}", file=out)
    for name, counts in rows:
        cells = "  ".join(f"{n:>{w}}" for n, w in zip(counts, widths, strict=True))
        print(f"{name:<{first}}  {cells}", file=out)
    return 0


def cmd_self_test(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 if every check passes, 1 if any fails (each failure printed in plain words)."""
    # Offscreen unless told otherwise, and before the QApplication exists: the check must run
    # where there is no display (CI, a build machine) and never flash a window on one.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from storycapture.gui.selftest import run_self_test

    return run_self_test(out)


# --- the parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="storycapture",
        description="Gather life stories safely. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"StoryCapture {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (offscreen; no vault is touched) and exit",
    )
    parser.add_argument(
        "--data-dir", help="the vault folder (default: $STORYCAPTURE_DATA_DIR, or your data folder)"
    )
    parser.add_argument(
        "--passphrase-file", type=Path, help="read the passphrase from the first line of this file"
    )
    parser.add_argument(
        "--facilitator", help=f"your name, recorded as the author (or ${FACILITATOR_ENV})"
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    def command(name: str, handler: Callable[..., int], text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    command("app", cmd_app, "open the app (the same as running storycapture on its own)")
    shots = command(
        "screenshots", cmd_screenshots, "render the main screens of the demo vault to PNG files"
    )
    shots.add_argument("--out", required=True, help="the folder for the pictures")
    command("init", cmd_init, "create a new, empty vault")
    demo = command("demo", cmd_demo, "create a practice vault of invented storytellers")
    demo.add_argument("--open", action="store_true", help="then open the app on it")
    demo.add_argument(
        "--hub",
        action="store_true",
        help="a practice hub instead: three invented laptops' stories imported, with themes",
    )
    command("info", cmd_info, "counts and key settings of the vault (nothing personal)")
    passwd = command("passwd", cmd_passwd, "change the passphrase")
    passwd.add_argument("--new-passphrase-file", type=Path)
    recover = command("recover", cmd_recover, "set a new passphrase with the recovery key")
    recover.add_argument("--recovery-key-file", type=Path)
    recover.add_argument("--new-passphrase-file", type=Path)

    def actions(name: str, handler: Callable[..., int], text: str) -> Any:
        sub = command(name, handler, text)
        return sub.add_subparsers(dest="action", required=True, parser_class=_Parser)

    def by_storyteller(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--by-storyteller",
            action="store_true",
            help="record the storyteller as the author (they typed or said it themselves)",
        )

    def visibility(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--visibility",
            default=None,
            help="private (never leaves this laptop), team, or shareable; without it, what "
            "the storyteller chose new items to be",
        )

    def ids(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--ids",
            action="store_true",
            help="show each one's id first (to mark it as an excerpt, say)",
        )

    people = actions("storyteller", cmd_storyteller, "storytellers on this laptop")
    people.add_parser("list", help="everyone, with their consent at a glance")
    add = people.add_parser("add", help="add a storyteller")
    add.add_argument("pseudonym")
    add.add_argument("--real-name")
    add.add_argument("--birth-year", type=int)
    add.add_argument("--role", default="lived_experience")
    add.add_argument("--notes", default="")
    add.add_argument(
        "--new-items",
        choices=("private", "team"),
        help="what the storyteller chose their new items to be: private (stays on this "
        "laptop) or team (may go to the programme team)",
    )
    people.add_parser("show", help="one storyteller's details").add_argument("storyteller")
    withdraw = people.add_parser("withdraw", help="consent withdrawn: erase them for good")
    withdraw.add_argument("storyteller")
    withdraw.add_argument("--yes", action="store_true", help="confirm the erasure")

    consent = actions("consent", cmd_consent, "what a storyteller agrees to")
    record = consent.add_parser("record", help="record a new version of consent")
    record.add_argument("storyteller")
    record.add_argument(
        "--items",
        required=True,
        help="comma-separated: take_part, photos, audio, share_with_team, "
        "share_quotes_with_partners",
    )
    record.add_argument("--how", required=True, help="signed_on_screen, verbal or paper_form")
    record.add_argument("--given-on", help="date (default today)")
    consent.add_parser("history", help="every version").add_argument("storyteller")

    visit = actions("visit", cmd_visit, "story-gathering visits")
    start = visit.add_parser("start", help="record a visit")
    start.add_argument("storyteller")
    start.add_argument("--date")
    start.add_argument("--place", default="home")
    start.add_argument("--present", default="")
    start.add_argument("--notes", default="")
    visit.add_parser("list").add_argument("storyteller")

    event = actions("event", cmd_event, "events and periods on the timeline")
    add_event = event.add_parser("add", help="add an event or, with --until, a period")
    add_event.add_argument("storyteller")
    add_event.add_argument("--title", required=True)
    add_event.add_argument(
        "--when",
        "--date",
        dest="when",
        help="e.g. “spring 2015”, “the 1990s”, “about 15”; leave out when there is no date yet",
    )
    add_event.add_argument("--until", help="the end, for a period")
    add_event.add_argument(
        "--feeling", type=int, help="how it felt, -3 to +3; leave out when it was not said"
    )
    add_event.add_argument("--area", default="other", help="life area, e.g. family, money")
    add_event.add_argument("--words", default="", help="in the person's own words")
    add_event.add_argument("--visit", help="the visit id it belongs to")
    add_event.add_argument("--asked-for", help="help-seeking: what was asked for")
    add_event.add_argument("--from-whom", help="help-seeking: who it was asked of")
    add_event.add_argument("--what-happened", help="help-seeking: what happened")
    add_event.add_argument("--helped", help="help-seeking: yes, partly, no, not_sure")
    visibility(add_event)
    by_storyteller(add_event)
    event.add_parser("list").add_argument("storyteller")
    event.add_parser("remove").add_argument("event")
    event.add_parser("history", help="every earlier value, who changed it").add_argument("event")

    card = actions("card", cmd_card, "strength cards")
    add_card = card.add_parser("add")
    add_card.add_argument("storyteller")
    add_card.add_argument("--kind", required=True, help="strength, talent, hope, desire, ...")
    add_card.add_argument("--text", required=True)
    visibility(add_card)
    by_storyteller(add_card)
    list_cards = card.add_parser("list")
    list_cards.add_argument("storyteller")
    ids(list_cards)

    for name, text in (("quote", "quotes in their own words"), ("note", "narrative notes")):
        sub = actions(name, cmd_words, text)
        add_words = sub.add_parser("add")
        add_words.add_argument("storyteller")
        add_words.add_argument("text")
        visibility(add_words)
        by_storyteller(add_words)
        list_words = sub.add_parser("list")
        list_words.add_argument("storyteller")
        ids(list_words)

    photo = actions("photo", cmd_photo, "photos, stored encrypted")
    add_photo = photo.add_parser("add")
    add_photo.add_argument("storyteller")
    add_photo.add_argument("file")
    add_photo.add_argument("--caption", default="")
    add_photo.add_argument("--event", help="the timeline event id it belongs to")
    by_storyteller(add_photo)
    photo.add_parser("list").add_argument("storyteller")

    identity = command(
        "identity", cmd_identity, "this installation's key for receiving bundles, and fingerprint"
    )
    identity.add_argument("--set-name", help="the name other installations know this one by")
    recipients = actions("recipients", cmd_recipients, "whom this installation sends bundles to")
    add_recipient = recipients.add_parser("add", help="add an age public key (age1…)")
    add_recipient.add_argument("key")
    add_recipient.add_argument("--name", required=True, help="e.g. “Programme hub”")
    recipients.add_parser("list")
    recipients.add_parser("remove").add_argument("recipient", help="its name or key")
    devices = actions("devices", cmd_devices, "whose bundles this installation accepts")
    trust = devices.add_parser("trust", help="accept bundles signed by this fingerprint")
    trust.add_argument("fingerprint")
    trust.add_argument("--name", required=True, help="e.g. “Outreach 2”")
    devices.add_parser("list")
    devices.add_parser("revoke").add_argument("device", help="its name or fingerprint")
    export = command("export", cmd_export, "write a bundle of what is new, for the recipients")
    export.add_argument("--to", required=True, help="the folder to write the bundle in")
    imports = command("import", cmd_import, "import bundles from trusted devices")
    imports.add_argument("files", nargs="+")
    imports.add_argument("--max-size-mb", type=float, help="refuse bundles larger than this")
    excerpt = actions("excerpt", cmd_excerpt, "the story-sharing room: passages marked")
    add_excerpt = excerpt.add_parser(
        "add", help="mark a quote, a moment's words, a note or a card (or some of its words)"
    )
    add_excerpt.add_argument("storyteller", help="their pseudonym or id")
    add_excerpt.add_argument(
        "--from",
        dest="source",
        nargs=2,
        required=True,
        metavar=("quote|event|note|card", "ID"),
        help="what the words are taken from, and its id (or the first characters of it)",
    )
    add_excerpt.add_argument("--text", help="only these words of it, exactly as they are there")
    add_excerpt.add_argument("--theme", help="put it in this theme (made if there is none)")
    list_excerpts = excerpt.add_parser("list", help="the excerpts (one storyteller's, one theme's)")
    list_excerpts.add_argument("storyteller", nargs="?", help="their pseudonym or id")
    list_excerpts.add_argument("--theme", help="only the excerpts in this theme")
    excerpt.add_parser("remove", help="take an excerpt off the board").add_argument(
        "excerpt", help="its id (or the first characters of it)"
    )
    theme = actions("theme", cmd_theme, "the story-sharing room: themes across stories")
    theme.add_parser("list", help="every theme, with how many excerpts and stories it holds")
    add_theme = theme.add_parser("add", help="name a new theme")
    add_theme.add_argument("name")
    add_theme.add_argument("--description", default="", help="what the theme is about")
    add_theme.add_argument(
        "--colour", help=f"its colour, like {THEME_COLOURS[1]} (otherwise one is chosen)"
    )
    rename_theme = theme.add_parser("rename", help="give a theme a new name")
    rename_theme.add_argument("old")
    rename_theme.add_argument("new")
    merge_themes = theme.add_parser("merge", help="fold themes into another")
    merge_themes.add_argument("themes", nargs="+", metavar="FROM", help="the themes to fold in")
    merge_themes.add_argument("--into", required=True, help="the theme that takes them in")
    theme.add_parser("show", help="a theme's description and its excerpts").add_argument("name")
    matrix = command("matrix", cmd_matrix, "which themes recur in which stories, counted")
    matrix.add_argument("--csv", help="write it to this file (for a spreadsheet) instead")
    bundle = actions("bundle", cmd_bundle, "look at a bundle without importing it")
    verify = bundle.add_parser("verify", help="check a bundle completely and summarise it")
    verify.add_argument("file")
    verify.add_argument("--max-size-mb", type=float, help="refuse bundles larger than this")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
        if args.self_test:
            return cmd_self_test(args, out)
        handler: Callable[[argparse.Namespace, TextIO], int] = getattr(args, "handler", cmd_app)
        return handler(args, out)
    except StoryCaptureError as error:
        print(f"storycapture: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\nstorycapture: stopped; nothing half-done was kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``storycapture event list … | head``): nothing more to say.
        # Python would complain again when it flushes standard output at exit.
        real = sys.__stdout__
        if real is not None and out is real:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), real.fileno())
        return 0
