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
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from storycapture import __version__
from storycapture.domain.errors import InvalidInput, NotFound, StoryCaptureError, VaultDamaged

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
    from storycapture.demo import DEMO_PASSPHRASE, create_demo_vault
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
    print(f"Its passphrase is: {DEMO_PASSPHRASE}", file=out)
    if args.open:
        from storycapture.gui.app import run_app

        return run_app(data_dir, vault=vault)
    if vault is not None:
        vault.lock()
    return 0


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
                print(f"{card.kind.label:<16} {card.text}", file=out)
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
                    print(f"“{quote.text}”  [{quote.visibility.label.lower()}]", file=out)
        else:
            if adding:
                words.add_note(
                    uuid, args.text, visibility=_visibility(args, vault, uuid), author=_author(args)
                )
            else:
                for note in words.notes(uuid):
                    print(f"{note.text}  [{note.visibility.label.lower()}]\n", file=out)
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
    card.add_parser("list").add_argument("storyteller")

    for name, text in (("quote", "quotes in their own words"), ("note", "narrative notes")):
        sub = actions(name, cmd_words, text)
        add_words = sub.add_parser("add")
        add_words.add_argument("storyteller")
        add_words.add_argument("text")
        visibility(add_words)
        by_storyteller(add_words)
        sub.add_parser("list").add_argument("storyteller")

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
