"""Keeping the record: init, add, edit and import."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from ruhrtimeline.errors import StoreError
from ruhrtimeline.records import Partner, Text, Topic

from .options import (
    Command,
    GivenValues,
    Group,
    common_options,
    complete_event,
    complete_partner,
    complete_topic,
    debug_option,
    lang_option,
    language,
    open_store,
    stderr,
    today,
)

if TYPE_CHECKING:
    from ruhrtimeline.edits import Change
    from ruhrtimeline.store import Store


def _own_store(path: str | None) -> Store:
    """The store to write to: never the record installed with the program."""
    from ruhrtimeline.locations import installed_with_package

    db = open_store(path)
    if installed_with_package(db.path):
        raise click.ClickException(
            "no store found here to change (only the record installed with the program, "
            "which is read-only): start one with 'ruhrtimeline init ruhrtimeline.yaml', "
            "or give --store PATH"
        )
    return db


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _report(change: Change, *, dry_run: bool = False) -> None:
    for note in change.notes:
        stderr(f"note: {note}")
    verb = "would add" if dry_run else "added"
    parts = []
    if change.added:
        parts.append(f"{verb} {len(change.added)}: {', '.join(change.added)}")
    if change.updated:
        updated = "would update" if dry_run else "updated"
        parts.append(f"{updated} {len(change.updated)}: {', '.join(change.updated)}")
    if change.unchanged:
        parts.append(f"unchanged {len(change.unchanged)}")
    if not parts and change.written:
        parts.append("saved; no event changed")
    stderr(f"{change.path}: {'; '.join(parts) or 'nothing to do'}")


def _added(change: Change, *, dry_run: bool) -> None:
    """The id of what was added on stdout (for scripts); notes, and a dry run's word, on stderr."""
    for note in change.notes:
        stderr(f"note: {note}")
    if dry_run:
        stderr(f"{change.path}: would add {change.added[0]}")
    click.echo(change.added[0])


# --- init --------------------------------------------------------------------------------------


@click.command(cls=Command)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title-en", metavar="TEXT", help="What the record is called, in English.")
@click.option("--title-de", metavar="TEXT", help="What the record is called, in German.")
@debug_option
def init(path: Path, title_en: str | None, title_de: str | None) -> None:
    """Start a new store: a valid file with the schema line for editors and commented
    examples (and store.schema.json beside it, for editors). A file that exists is left alone.

    Name it ruhrtimeline.yaml and the commands find it from that folder and the ones below.

    Example: ruhrtimeline init ruhrtimeline.yaml --title-en "Leeds partnership"
    """
    from ruhrtimeline.edits import init_store
    from ruhrtimeline.records import Text

    title = None
    if title_en or title_de:
        if not (title_en and title_de):
            stderr("note: the title is given in one language; it stands for both")
        title = Text(title_de or title_en or "", title_en or title_de or "")
    for written in init_store(path, title=title):
        click.echo(f"created {written}")


# --- add ---------------------------------------------------------------------------------------


@click.group(cls=Group, no_args_is_help=True)
def add() -> None:
    """Add an event, a partner or a topic to the store."""


def _ask(
    label: str,
    *,
    complete: Sequence[str] = (),
    check: Callable[[str], str | None] | None = None,
    optional: bool = False,
) -> str:
    """One answer at a terminal prompt, with completion; asked again while ``check`` objects."""
    from prompt_toolkit import prompt
    from prompt_toolkit.completion import WordCompleter

    completer = WordCompleter(list(complete), ignore_case=True) if complete else None
    while True:
        # Tab completes; a menu popping up while typing would hide the problem line.
        answer = prompt(
            f"{label}{', optional' if optional else ''}: ",
            completer=completer,
            complete_while_typing=False,
        ).strip()
        if not answer and optional:
            return ""
        problem = "give a value" if not answer else check(answer) if check else None
        if problem is None:
            return answer
        click.echo(f"  {problem}", err=True)


def _require(ctx: click.Context, fields: Sequence[tuple[str, object]]) -> None:
    """A usage error naming every field left out (outside a terminal nothing is asked)."""
    missing = [name for name, value in fields if not value]
    if missing:
        names = ", ".join(missing)
        raise click.UsageError(f"missing {names} (asked for only at a terminal)", ctx)


def _date_problem(value: str) -> str | None:
    from ruhrtimeline.dates import DateError, parse_edtf

    try:
        parse_edtf(value)
    except DateError as exc:
        return str(exc)
    return None


def _ids_problem(kind: str, known: Sequence[str]) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        from ruhrtimeline.errors import NotFound

        for item in _split_ids([value]):
            if item not in known:
                return str(NotFound(kind, item, list(known)))
        return None

    return problem


def _split_ids(values: Sequence[str]) -> tuple[str, ...]:
    """Ids given as "-p rvr -p gzm", "-p rvr,gzm" or "rvr gzm"."""
    return tuple(i.lower() for v in values for i in v.replace(",", " ").split())


def _timezone_problem(value: str) -> str | None:
    from zoneinfo import available_timezones

    if value in available_timezones():
        return None
    return f"{value!r} is not an IANA time zone; write a name such as Europe/Berlin"


def _url_problem(value: str) -> str | None:
    return (
        None
        if value.startswith(("https://", "http://"))
        else "give the address in full (https://…)"
    )


@add.command("event", cls=GivenValues)
@click.option(
    "--date",
    "date_text",
    metavar="EDTF",
    help="When: 2019, 2019-08, 2019-08-09, 2019-21 (spring), 2025-01-30T09:00, A/B, ~ ?.",
)
@click.option("--title-en", metavar="TEXT", help="The title in English.")
@click.option("--title-de", metavar="TEXT", help="The title in German.")
@click.option("--summary-en", metavar="TEXT", help="A summary in English [default: the title].")
@click.option("--summary-de", metavar="TEXT", help="A summary in German [default: the title].")
@click.option(
    "--partner",
    "-p",
    "partners",
    multiple=True,
    metavar="ID",
    shell_complete=complete_partner,
    help="A partner taking part (repeatable; the first is the main one).",
)
@click.option(
    "--topic",
    "-t",
    "topics",
    multiple=True,
    metavar="ID",
    shell_complete=complete_topic,
    help="A topic (repeatable).",
)
@click.option("--source", metavar="URL", help="A public page that documents the event.")
@click.option(
    "--source-title",
    metavar="TEXT",
    help="The page's headline [default: the last part of its address, in words].",
)
@click.option(
    "--source-publisher",
    metavar="TEXT",
    help="Who published it [default: the address's host name].",
)
@click.option(
    "--source-language",
    metavar="CODE",
    help="The page's language (de, en, pl, …) [default: --lang].",
)
@click.option(
    "--status",
    type=click.Choice(["held", "planned", "cancelled"]),
    default="held",
    show_default=True,
    help="Whether it took place.",
)
@click.option("--place", metavar="NAME", help="The venue's name.")
@click.option("--city", metavar="NAME", help="The city.")
@click.option("--country", metavar="CC", help="ISO 3166-1 alpha-2 code of the place (DE, PL, GB).")
@click.option("--online", is_flag=True, help="It took place online.")
@click.option(
    "--timezone", metavar="ZONE", help="IANA time zone of a date with a time (Europe/Berlin)."
)
@click.option(
    "--id",
    "event_id",
    metavar="ID",
    help="The event's id [default: from the English title and the year].",
)
@click.option("--dry-run", is_flag=True, help="Check and say what would be added; write nothing.")
@lang_option
@common_options
def add_event(
    date_text: str | None,
    title_en: str | None,
    title_de: str | None,
    summary_en: str | None,
    summary_de: str | None,
    partners: tuple[str, ...],
    topics: tuple[str, ...],
    source: str | None,
    source_title: str | None,
    source_publisher: str | None,
    source_language: str | None,
    status: str,
    place: str | None,
    city: str | None,
    country: str | None,
    online: bool,
    timezone: str | None,
    event_id: str | None,
    dry_run: bool,
    lang: str | None,
    store: str | None,
) -> None:
    """Add an event, checked with the whole store, and print its id. At a terminal, what is
    left out is asked for (with completion of partner and topic ids); in a script it is an
    error that names it.

    Example: ruhrtimeline add event --date 2026-03-12 --title-en "Youth forum in Katowice"
    --title-de "Jugendforum in Katowice" -p rvr -p gzm -t youth --source
    https://www.rvr.ruhr/… --city Katowice --country PL
    """
    from ruhrtimeline import edits, importing

    ctx = click.get_current_context()
    db = _own_store(store)
    lang_ = language(lang)
    ask = _interactive()
    partners, topics = _split_ids(partners), _split_ids(topics)
    known_partners, known_topics = list(db.directory.partners), list(db.directory.topics)
    if date_text is None and ask:
        date_text = _ask(
            "Date (2026, 2026-03, 2026-03-12 or 2026-03-12T10:00, as exact as the source)",
            check=_date_problem,
        )
    if date_text and "T" in date_text and not timezone and ask:
        from zoneinfo import available_timezones

        timezone = _ask(
            "Time zone of that time (Europe/Berlin, …)",
            complete=sorted(available_timezones()),
            check=_timezone_problem,
        )
    if not title_en and ask:
        title_en = _ask("Title in English")
    if not title_de and ask:
        title_de = _ask("Title in German")
    if not partners and ask:
        answer = _ask(
            "Partners (ids, the main one first)",
            complete=known_partners,
            check=_ids_problem("partner", known_partners),
        )
        partners = _split_ids([answer])
    if not topics and ask:
        answer = _ask(
            "Topics (ids)",
            complete=known_topics,
            check=_ids_problem("topic", known_topics),
            optional=True,
        )
        topics = _split_ids([answer])
    if not source and ask:
        source = _ask("Source: a public web page about it (https://…)", check=_url_problem)
    _require(
        ctx,
        [
            ("--date", date_text),
            ("--title-en", title_en),
            ("--title-de", title_de),
            ("--partner", partners),
            ("--source", source),
        ],
    )
    assert date_text is not None and source is not None  # noqa: S101
    change = edits.add_event(
        db,
        date=date_text,
        title={"en": title_en, "de": title_de},
        summary={"en": summary_en, "de": summary_de},
        partners=partners,
        topics=topics,
        source=importing.source_document(
            source,
            title=source_title,
            publisher=source_publisher,
            language=source_language,
            fallback_language=lang_,
        ),
        status=status,
        timezone=timezone,
        place=place,
        city=city,
        country=country,
        online=online,
        event_id=event_id,
        today=today(),
        dry_run=dry_run,
    )
    _added(change, dry_run=dry_run)


@add.command("partner", cls=GivenValues)
@click.option("--id", "partner_id", metavar="ID", help="The partner's id (gzm, rvr, …).")
@click.option("--name", metavar="TEXT", help="The full official name.")
@click.option("--name-en", metavar="TEXT", help="The name in English, where it differs.")
@click.option("--name-de", metavar="TEXT", help="The name in German, where it differs.")
@click.option("--short", metavar="TEXT", help="A short name for badges and lanes (GZM).")
@click.option(
    "--kind",
    type=click.Choice(
        [
            "city",
            "company",
            "eu-institution",
            "metropolitan-authority",
            "network",
            "region",
            "regional-authority",
            "state-government",
            "university",
            "other",
        ]
    ),
    help="What kind of organisation it is.",
)
@click.option("--country", metavar="CC", help="ISO 3166-1 alpha-2 code (EU for EU institutions).")
@click.option("--website", metavar="URL", help="Its website.")
@click.option("--dry-run", is_flag=True, help="Check and say what would be added; write nothing.")
@common_options
def add_partner(
    partner_id: str | None,
    name: str | None,
    name_en: str | None,
    name_de: str | None,
    short: str | None,
    kind: str | None,
    country: str | None,
    website: str | None,
    dry_run: bool,
    store: str | None,
) -> None:
    """Add a partner (an organisation or region taking part in events) and print its id.

    Example: ruhrtimeline add partner --id leeds --name "Leeds City Council" --short Leeds
    --kind city --country GB
    """
    from ruhrtimeline import edits

    ctx = click.get_current_context()
    db = _own_store(store)
    ask = _interactive()
    partner_id = partner_id or (_ask("Id (lower-case letters, digits, hyphens)") if ask else None)
    name = name or (_ask("Full name") if ask else None)
    short = short or (_ask("Short name") if ask else None)
    kind = kind or (_ask("Kind (city, region, network, …)") if ask else None)
    country = country or (_ask("Country (ISO code such as DE)") if ask else None)
    _require(
        ctx,
        [
            ("--id", partner_id),
            ("--name", name),
            ("--short", short),
            ("--kind", kind),
            ("--country", country),
        ],
    )
    assert name and short and kind and country  # noqa: S101 (required above)
    partner = Partner(
        id=(partner_id or "").lower(),
        name=name,
        short=short,
        kind=kind,
        country=country.upper(),
        names=Text(name_de or name, name_en or name) if name_en or name_de else None,
        website=website,
    )
    _added(edits.add_partner(db, partner, dry_run=dry_run), dry_run=dry_run)


@add.command("topic", cls=GivenValues)
@click.option("--id", "topic_id", metavar="ID", help="The topic's id (youth, mobility, …).")
@click.option("--label-en", metavar="TEXT", help="Its label in English.")
@click.option("--label-de", metavar="TEXT", help="Its label in German.")
@click.option("--dry-run", is_flag=True, help="Check and say what would be added; write nothing.")
@common_options
def add_topic(
    topic_id: str | None,
    label_en: str | None,
    label_de: str | None,
    dry_run: bool,
    store: str | None,
) -> None:
    """Add a topic and print its id.

    Example: ruhrtimeline add topic --id sport --label-en Sport --label-de Sport
    """
    from ruhrtimeline import edits

    ctx = click.get_current_context()
    db = _own_store(store)
    ask = _interactive()
    topic_id = topic_id or (_ask("Id") if ask else None)
    label_en = label_en or (_ask("Label (English)") if ask else None)
    label_de = label_de or (_ask("Label (German)") if ask else None)
    _require(ctx, [("--id", topic_id), ("--label-en", label_en), ("--label-de", label_de)])
    topic = Topic((topic_id or "").lower(), Text(label_de or "", label_en or ""))
    _added(edits.add_topic(db, topic, dry_run=dry_run), dry_run=dry_run)


# --- edit --------------------------------------------------------------------------------------

# Editors that open a file at a line given as "+LINE" before it.
_LINE_EDITORS = frozenset(
    ("vi", "vim", "nvim", "view", "nano", "emacs", "emacsclient", "micro", "kak", "joe", "mg", "ne")
)


def _editor() -> list[str]:
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return shlex.split(chosen, posix=os.name != "nt")
    return ["notepad"] if os.name == "nt" else ["vi"]


@click.command(cls=GivenValues)
@click.argument("event_id", metavar="ID", shell_complete=complete_event)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Change a field without an editor (repeatable): date, status, timezone, title.en, "
    "title.de, summary.en, summary.de, partners, topics (comma-separated), location.name, "
    "location.city, location.country, …, updated; an empty VALUE takes the field out.",
)
@click.option("--dry-run", is_flag=True, help="With --set: check and say what would change.")
@common_options
def edit(event_id: str, assignments: tuple[str, ...], dry_run: bool, store: str | None) -> None:
    """Edit an event: in $VISUAL or $EDITOR at the event's line, then the whole store is
    checked; on a problem you can edit again or give up (the store stays as it was). With
    --set, fields change without an editor. 'updated' becomes today.

    Example: ruhrtimeline edit rvr-gzm-youth-cooperation-2026 --set status=held --set date=2026-03
    """
    from ruhrtimeline import edits

    db = _own_store(store)
    event = db.event(event_id.lower())
    if assignments:
        values: dict[str, str] = {}
        for assignment in assignments:
            name, sep, value = assignment.partition("=")
            if not sep or not name.strip():
                raise click.BadParameter(f"{assignment!r}: write FIELD=VALUE", param_hint="'--set'")
            values[name.strip()] = value.strip()
        change = edits.set_fields(db, event.id, values, today=today(), dry_run=dry_run)
        _report(change, dry_run=dry_run)
        return
    _edit_in_editor(db, event.id)


def _edit_in_editor(db: Store, event_id: str) -> None:
    from ruhrtimeline import edits
    from ruhrtimeline.i18n import default_lang, problem_text

    span = db.span("event", event_id)
    editor = _editor()
    with edits.edit_copy(db) as copy:
        original = copy.path.read_bytes()
        while True:
            command = [*editor, *_at_line(editor[0], copy.path, span.line if span else None)]
            try:
                status = subprocess.run(command, check=False).returncode  # noqa: S603
            except OSError as exc:
                raise click.ClickException(
                    f"cannot start the editor {editor[0]!r}: {exc.strerror or exc}"
                ) from None
            if status != 0:
                raise click.ClickException(
                    f"the editor ended with status {status}; the store is unchanged"
                )
            edited = copy.path.read_bytes()
            if edited == original:
                stderr(f"{db.path}: no changes")
                return
            try:
                change = edits.rewrite(db, edited, today=today())
            except edits.ChangedOnDisk:
                copy.kept = True
                raise click.ClickException(
                    f"{db.path} changed while you were editing; nothing was written. Your "
                    f"version is kept in {copy.path}: compare the two and edit again"
                ) from None
            except StoreError as exc:
                lang = default_lang()
                for problem in exc.problems:
                    click.echo(problem.render(problem_text(problem.message, lang)), err=True)
                again = _interactive() and click.confirm(
                    "Edit again? (No gives up and leaves the store as it was)",
                    default=True,
                    err=True,
                )
                if not again:
                    copy.kept = True
                    stderr(f"error: {db.path} is unchanged; your version is kept in {copy.path}")
                    raise click.exceptions.Exit(1) from None
                continue
            _report(change)
            return


def _at_line(program: str, path: Path, line: int | None) -> list[str]:
    """The file argument, with the line to open it at where the editor takes one."""
    name = Path(program).name.lower().removesuffix(".exe")
    if line is not None and name in ("code", "code-insiders", "codium", "cursor"):
        return ["--goto", f"{path}:{line}"]
    if line is not None and name.split(".")[0] in _LINE_EDITORS:  # vim.basic, vim.tiny, …
        return [f"+{line}", str(path)]
    return [str(path)]


# --- import ------------------------------------------------------------------------------------


@click.command("import", cls=Command)
@click.argument("file", metavar="FILE|-", type=click.File("rb"))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["ics", "csv", "json"]),
    help="What FILE holds [default: from its name, else from its content].",
)
@click.option(
    "--partner",
    "-p",
    "partners",
    multiple=True,
    metavar="ID",
    shell_complete=complete_partner,
    help="A partner of every event read (repeatable).",
)
@click.option(
    "--topic",
    "-t",
    "topics",
    multiple=True,
    metavar="ID",
    shell_complete=complete_topic,
    help="A topic of every event read (repeatable).",
)
@click.option("--source", metavar="URL", help="The source of events that carry none of their own.")
@click.option("--source-title", metavar="TEXT", help="Its headline [default: from its address].")
@click.option("--source-publisher", metavar="TEXT", help="Its publisher [default: its host name].")
@click.option("--source-language", metavar="CODE", help="Its language [default: --lang].")
@click.option(
    "--dry-run", is_flag=True, help="Check and say what would be added and updated; write nothing."
)
@lang_option
@common_options
def import_events(
    file: BinaryIO,
    fmt: str | None,
    partners: tuple[str, ...],
    topics: tuple[str, ...],
    source: str | None,
    source_title: str | None,
    source_publisher: str | None,
    source_language: str | None,
    dry_run: bool,
    lang: str | None,
    store: str | None,
) -> None:
    """Import events from iCalendar (an invitation or a calendar), or from the CSV or JSON of
    'list'. Events are matched by id (an iCalendar UID of the form ID@… maps back to its id):
    a re-import updates, never duplicates. Text in one language only is copied into the
    other and reported.

    Example: ruhrtimeline import invitation.ics -p gmca --source https://www.example.org/…
    """
    from ruhrtimeline import edits, importing

    db = _own_store(store)
    lang_ = language(lang)
    data = file.read()
    name = getattr(file, "name", "-")
    default = (
        importing.source_document(
            source,
            title=source_title,
            publisher=source_publisher,
            language=source_language,
            fallback_language=lang_,
        )
        if source
        else None
    )
    change = edits.import_events(
        db,
        data,
        kind=fmt,
        name=str(name),
        lang=lang_,
        partners=_split_ids(partners),
        topics=_split_ids(topics),
        source=default,
        today=today(),
        dry_run=dry_run,
    )
    if not (change.added or change.updated or change.unchanged or change.notes):
        stderr(f"note: {name} holds no events")
    _report(change, dry_run=dry_run)
