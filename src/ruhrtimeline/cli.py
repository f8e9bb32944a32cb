"""The command line: parses options, calls the library, prints, and sets the exit code.

The only module that prints.  Heavy libraries (rich, pydantic, icalendar, jinja2) are imported
inside the commands that need them, so that everyday commands start fast.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from . import __version__
from .dates import Lang
from .errors import RuhrtimelineError, StoreError, UsageError
from .i18n import Names, default_lang, word
from .query import EventFilter
from .store import Store, load_store, unknown_id_message

if TYPE_CHECKING:
    from .files import Data

# click's base exception, whichever click typer brings (its own copy since 0.28).
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
_ROOT_OPTIONS = {"--help", "-h", "--version", "--install-completion", "--show-completion"}


def _isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def with_default_command(args: Sequence[str]) -> list[str]:
    """Run bare (or with options only), the command shows the timeline."""
    argv = list(args)
    if not argv or (argv[0].startswith("-") and argv[0] not in _ROOT_OPTIONS):
        argv.insert(0, "timeline")
    return argv


class _Group(TyperGroup):
    """Runs ``timeline`` when no command is given and turns every error into one line."""

    def main(self, args: Sequence[str] | None = None, *pargs: Any, **kwargs: Any) -> Any:
        argv = with_default_command(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv or bool(os.environ.get("RUHRTIMELINE_DEBUG"))
        kwargs["standalone_mode"] = False
        try:
            result = super().main(argv, *pargs, **kwargs)
        except RuhrtimelineError as exc:
            _fail(exc, debug)
        except _ClickException as exc:
            if debug:
                import traceback

                traceback.print_exc()
            code = getattr(exc, "exit_code", 2)
            message = exc.format_message()  # type: ignore[attr-defined]
            command = getattr(getattr(exc, "ctx", None), "command_path", "ruhrtimeline")
            hint = f" (see '{command} --help')" if code == 2 else ""
            _stderr(f"error: {message}{hint}")
            sys.exit(code)
        except (KeyboardInterrupt, typer.Abort):
            _stderr("interrupted")
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as other command-line tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            if debug:
                import traceback

                traceback.print_exc()
            _stderr(
                f"error: internal error: {type(exc).__name__}: {exc} "
                "(run again with --debug for the traceback, and please report it)"
            )
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _fail(exc: RuhrtimelineError, debug: bool) -> NoReturn:
    if debug:
        import traceback

        traceback.print_exc()
    if isinstance(exc, StoreError) and exc.problems:
        shown = exc.problems[:20]
        for problem in shown:
            _stderr(str(problem))
        more = len(exc.problems) - len(shown)
        tail = f" ({more} more)" if more else ""
        _stderr(
            f"error: the store is invalid{tail}; run 'ruhrtimeline validate' for every problem"
            if len(exc.problems) > 1 or exc.problems[0].line
            else "error: cannot read the store"
        )
    else:
        _stderr(f"error: {exc}")
    sys.exit(exc.exit_code)


app = typer.Typer(
    name="ruhrtimeline",
    cls=_Group,
    help="The Metropole Ruhr's international partnerships: timelines, calendar feeds and "
    "yearly reports from one validated store.\n\nRun bare, it shows the timeline.",
    epilog="Example: ruhrtimeline list --partner gzm --year 2019",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich" if _isatty() else None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
export_app = typer.Typer(
    help="Export events for other programs (iCalendar, TimelineJS).", no_args_is_help=True
)
feeds_app = typer.Typer(help="Build the set of calendar feeds.", no_args_is_help=True)
cache_app = typer.Typer(help="Inspect or clear the cache of store indexes.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(feeds_app, name="feeds")
app.add_typer(cache_app, name="cache")


# --- shared options -------------------------------------------------------------------------


class LangChoice(StrEnum):
    de = "de"
    en = "en"


class Status(StrEnum):
    held = "held"
    planned = "planned"
    cancelled = "cancelled"


class PrecisionChoice(StrEnum):
    year = "year"
    season = "season"
    month = "month"
    day = "day"
    time = "time"


def _store_path(ctx: typer.Context) -> Path | None:
    value = ctx.params.get("store")
    return Path(value) if value else None


def _completion_store(ctx: typer.Context) -> Store | None:
    try:
        return load_store(_store_path(ctx))
    except RuhrtimelineError:
        return None


def complete_partner(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    store = _completion_store(ctx)
    if store is None:
        return []
    return [
        (p["id"], p["name"]) for p in store.partners() if p["id"].startswith(incomplete.lower())
    ]


def complete_topic(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    store = _completion_store(ctx)
    if store is None:
        return []
    lang = default_lang()
    return [
        (t["id"], t["label"][lang])
        for t in store.topics()
        if t["id"].startswith(incomplete.lower())
    ]


def complete_event(ctx: typer.Context, incomplete: str) -> list[str]:
    store = _completion_store(ctx)
    if store is None:
        return []
    return [i for i in store.event_ids() if i.startswith(incomplete.lower())]


StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="PATH",
        show_default=False,
        help="Store file [default: $RUHRTIMELINE_STORE, else the bundled store].",
    ),
]
LangOpt = Annotated[
    LangChoice | None,
    typer.Option(
        "--lang",
        "-l",
        show_default=False,
        case_sensitive=False,
        help="Language of the text [default: $RUHRTIMELINE_LANG, else the locale, else en].",
    ),
]
NoColorOpt = Annotated[
    bool,
    typer.Option("--no-color", help="No colours even on a terminal (NO_COLOR is honoured too)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]
PagerOpt = Annotated[bool, typer.Option("--pager", help="Page long output on a terminal.")]
WidthOpt = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=40,
        max=1000,
        show_default=False,
        help="Width in columns [default: the terminal's, or 80 when piped].",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        show_default=False,
        help="Write to FILE (atomically) instead of standard output.",
    ),
]
PartnerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--partner",
        "-p",
        metavar="ID",
        autocompletion=complete_partner,
        show_default=False,
        help="Only events with this partner (repeatable: any of them).",
    ),
]
AllPartnersOpt = Annotated[
    bool, typer.Option("--all-partners", help="Require every --partner, not any.")
]
TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="ID",
        autocompletion=complete_topic,
        show_default=False,
        help="Only events on this topic (repeatable: any of them).",
    ),
]
AllTopicsOpt = Annotated[bool, typer.Option("--all-topics", help="Require every --topic, not any.")]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        "-y",
        metavar="YYYY",
        show_default=False,
        help="Only events that overlap this year.",
    ),
]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="DATE",
        show_default=False,
        help="Only events that end on or after DATE (2019, 2019-08 or 2019-08-09).",
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        metavar="DATE",
        show_default=False,
        help="Only events that start on or before DATE (a partial date covers its whole period).",
    ),
]
StatusOpt = Annotated[
    list[Status] | None,
    typer.Option("--status", show_default=False, help="Only events with this status (repeatable)."),
]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        "-s",
        metavar="TEXT",
        show_default=False,
        help="Words that must all appear in titles, "
        "summaries, places or people (any case, "
        "accents optional, both languages).",
    ),
]
PrecisionOpt = Annotated[
    list[PrecisionChoice] | None,
    typer.Option(
        "--precision", show_default=False, help="Only dates of this precision (repeatable)."
    ),
]


def _lang(value: LangChoice | None) -> Lang:
    if value is None:
        return default_lang()
    return "de" if value is LangChoice.de else "en"


def _open(store: Path | None) -> Store:
    if store is not None and not store.exists():
        raise UsageError(f"--store {store}: no such file")
    return load_store(store)


def _filter(
    db: Store,
    partner: list[str] | None,
    all_partners: bool,
    topic: list[str] | None,
    all_topics: bool,
    year: int | None,
    from_: str | None,
    to: str | None,
    status: list[Status] | None,
    search: str | None,
    precision: list[PrecisionChoice] | None,
) -> EventFilter:
    flt = EventFilter.build(
        partners=partner or (),
        all_partners=all_partners,
        topics=topic or (),
        all_topics=all_topics,
        year=year,
        start=from_,
        end=to,
        statuses=[s.value for s in status or ()],
        precisions=[p.value for p in precision or ()],
        search=search,
    )
    db.check_ids(flt)
    return flt


class Terminal:
    """Where text goes: plain lines when piped, rich colours on a terminal."""

    def __init__(self, no_color: bool, width: int | None, pager: bool = False) -> None:
        self.tty = _isatty()
        self.color = (
            self.tty
            and not no_color
            and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb"
        )
        self.pager = pager and self.tty
        if width is not None:
            self.width = width
        elif self.tty:
            import shutil

            self.width = shutil.get_terminal_size().columns
        else:
            self.width = (
                int(os.environ.get("COLUMNS", "") or 80)
                if os.environ.get("COLUMNS", "").isdigit()
                else 80
            )

    def _console(self) -> Any:
        from rich.console import Console

        return Console(
            color_system="auto" if self.color else None,
            no_color=not self.color,
            highlight=False,
            width=self.width,
            soft_wrap=True,
        )

    def lines(self, lines: list[Any]) -> None:
        from .terminal import to_plain, to_rich

        if not self.tty:
            sys.stdout.write(to_plain(lines))
            return
        console = self._console()
        if self.pager:
            with console.pager(styles=self.color):
                console.print(to_rich(lines), end="")
        else:
            console.print(to_rich(lines), end="")

    def table(self, headers: list[str], rows: list[list[str]], flexible: Sequence[int]) -> None:
        from .terminal import grid

        self.lines(grid(headers, rows, self.width, flexible, fancy=self.tty))


def _emit(data: Data, output: Path | None) -> None:
    """Write to ``output`` atomically, or to standard output (bytes, text or byte chunks)."""
    if output is not None:
        from .files import atomic_write

        atomic_write(output, data)
        return
    if isinstance(data, str):
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    for chunk in (data,) if isinstance(data, bytes) else data:
        sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


def _names(db: Store) -> Names:
    return Names(db.partner_map(), db.topic_map())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ruhrtimeline {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """The Metropole Ruhr's international partnerships: timelines, calendar feeds and yearly
    reports from one validated store.

    Run bare, it shows the timeline.  Every command takes --store PATH (or
    $RUHRTIMELINE_STORE); --help on any command shows its options and an example.
    """


# --- the store ----------------------------------------------------------------------------


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PATH]",
            show_default=False,
            help="Store to check [default: --store, $RUHRTIMELINE_STORE, else the bundled store].",
        ),
    ] = None,
    store: StoreOpt = None,
    format: Annotated[
        ValidateFormat,
        typer.Option(
            "--format", "-f", help="text, or json (a list of problems) for editors and CI."
        ),
    ] = ValidateFormat.text,
    debug: DebugOpt = False,
) -> None:
    """Check a store and report every problem at once, as file:line:column: field: message.

    Exit status 0 when valid, 1 when not.

    Example: ruhrtimeline validate data/events.yaml --format json
    """
    target = path or store
    if target is not None and not target.exists():
        raise UsageError(f"{target}: no such file")
    try:
        db = load_store(target)
    except StoreError as exc:
        if format is ValidateFormat.json:
            _emit(
                json.dumps([p.as_dict() for p in exc.problems], ensure_ascii=False, indent=2)
                + "\n",
                None,
            )
        else:
            for problem in exc.problems:
                typer.echo(str(problem))
            n = len(exc.problems)
            typer.echo(f"{n} problem{'s' if n != 1 else ''} in {exc.path}", err=True)
        raise typer.Exit(1) from None
    if format is ValidateFormat.json:
        _emit("[]\n", None)
    else:
        typer.echo(
            f"{db.path}: valid ({db.count()} events, {len(db.partner_ids())} partners, "
            f"{len(db.topic_ids())} topics)"
        )


@app.command()
def schema(output: OutputOpt = None, debug: DebugOpt = False) -> None:
    """Print the JSON Schema of the store file, made from the data model.

    Editors with the YAML language server use it to check and complete the store as you type.

    Example: ruhrtimeline schema -o docs/store.schema.json
    """
    from .models import store_json_schema

    _emit(json.dumps(store_json_schema(), ensure_ascii=False, indent=2) + "\n", output)


# --- views ----------------------------------------------------------------------------------


class TimelineFormat(StrEnum):
    text = "text"
    svg = "svg"
    html = "html"


class Lanes(StrEnum):
    partner = "partner"
    topic = "topic"


def _subtitle(db: Store, flt: EventFilter, lang: Lang) -> str:
    """What a picture shows, in words: the filters that were given."""
    parts = []
    names = _names(db)
    if flt.partners:
        parts.append(", ".join(names.short(p) for p in flt.partners))
    if flt.topics:
        parts.append(", ".join(names.topic(t, lang) for t in flt.topics))
    if flt.first or flt.last:
        first = flt.first.isoformat() if flt.first else "…"
        last = flt.last.isoformat() if flt.last else "…"
        parts.append(f"{first} – {last}")
    if flt.search:
        parts.append(f"“{flt.search}”")
    return " · ".join(parts)


@app.command()
def timeline(
    partner: PartnerOpt = None,
    all_partners: AllPartnersOpt = False,
    topic: TopicOpt = None,
    all_topics: AllTopicsOpt = False,
    year: YearOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    status: StatusOpt = None,
    search: SearchOpt = None,
    precision: PrecisionOpt = None,
    format: Annotated[
        TimelineFormat,
        typer.Option(
            "--format",
            "-f",
            help="text for the terminal; svg or html for a picture "
            "(lanes, markers, bands; html adds every event's details).",
        ),
    ] = TimelineFormat.text,
    lanes: Annotated[
        Lanes, typer.Option(help="svg/html: one lane per partner or per topic.")
    ] = Lanes.partner,
    output: OutputOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            min=40,
            max=20000,
            show_default=False,
            help="Columns of text [default: the terminal's, or 80 when piped]; pixels of svg/html "
            "[default: 1200].",
        ),
    ] = None,
    no_color: NoColorOpt = False,
    pager: PagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show the events as a timeline, grouped by year (the default command).

    --format svg or html draws it: one lane per partner, years along the axis, a dot for a
    day, a bar for days, a hatched band for a month, season or year, planned events outlined.

    Dates are written as precisely as they are known and no more.

    Example: ruhrtimeline timeline --partner gmca --lang de
    """
    db = _open(store)
    flt = _filter(
        db, partner, all_partners, topic, all_topics, year, from_, to, status, search, precision
    )
    language = _lang(lang)
    records = db.events(flt)
    if format is not TimelineFormat.text:
        from .visual import timeline_html, timeline_svg

        draw = timeline_svg if format is TimelineFormat.svg else timeline_html
        _emit(
            draw(
                records,
                _names(db),
                language,
                width=width or 1200,
                lanes=lanes.value,
                eras=db.eras(),
                subtitle=_subtitle(db, flt, language),
            ),
            output,
        )
        return
    term = Terminal(no_color, width, pager)
    if not records:
        _stderr(word("no_events", language))
        return
    from .terminal import timeline as layout

    lines = layout(records, _names(db), language, term.width, fancy=term.tty)
    if output is not None:
        from .terminal import to_plain

        _emit(to_plain(lines), output)
    else:
        term.lines(lines)


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@app.command("list")
def list_events(
    partner: PartnerOpt = None,
    all_partners: AllPartnersOpt = False,
    topic: TopicOpt = None,
    all_topics: AllTopicsOpt = False,
    year: YearOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    status: StatusOpt = None,
    search: SearchOpt = None,
    precision: PrecisionOpt = None,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = ListFormat.table,
    output: OutputOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    width: WidthOpt = None,
    no_color: NoColorOpt = False,
    pager: PagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List events as a table, or as JSON, CSV or Markdown for scripts.

    JSON: one object an event, sorted by start date then id (fields in the README).

    Example: ruhrtimeline list --partner gzm --year 2019 --format json
    """
    db = _open(store)
    flt = _filter(
        db, partner, all_partners, topic, all_topics, year, from_, to, status, search, precision
    )
    from . import listing

    if format is ListFormat.json:
        _emit(listing.events_json(db.event_json(flt)), output)
        return
    records = db.events(flt)
    if format is ListFormat.csv:
        _emit(listing.events_csv(records), output)
        return
    from .terminal import event_headers, event_rows

    language = _lang(lang)
    headers, rows = event_headers(language), event_rows(records, _names(db), language)
    if format is ListFormat.markdown:
        _emit(listing.markdown_table(headers, rows), output)
    elif output is not None:
        from .terminal import grid, to_plain

        _emit(to_plain(grid(headers, rows, width or 100, (1, 2, 3, 4))), output)
    elif not records:
        _stderr(word("no_events", language))
    else:
        Terminal(no_color, width, pager).table(headers, rows, (1, 2, 3, 4))


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def show(
    event_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            autocompletion=complete_event,
            help="The event's id (see 'ruhrtimeline list').",
        ),
    ],
    format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text or json.")
    ] = ShowFormat.text,
    store: StoreOpt = None,
    lang: LangOpt = None,
    width: WidthOpt = None,
    no_color: NoColorOpt = False,
    pager: PagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show one event in full: titles, summary, when and where, partners, people and sources.

    Example: ruhrtimeline show rvr-gzm-partnership-agreement-2019
    """
    db = _open(store)
    record = db.event(event_id.lower())
    if record is None:
        raise UsageError(unknown_id_message("event", event_id, db.event_ids()))
    if format is ShowFormat.json:
        _emit(json.dumps(record, ensure_ascii=False, indent=2) + "\n", None)
        return
    from .terminal import show as layout

    term = Terminal(no_color, width, pager)
    term.lines(layout(record, _names(db), _lang(lang), term.width, fancy=term.tty))


@app.command()
def partners(
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = ListFormat.table,
    output: OutputOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    width: WidthOpt = None,
    no_color: NoColorOpt = False,
    pager: PagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List the partners with their number of events and first and last date.

    Example: ruhrtimeline partners --format json
    """
    from . import listing
    from .terminal import partner_headers, partner_rows

    db = _open(store)
    items = db.partners()
    _table_or_data(
        items,
        partner_headers(_lang(lang)),
        partner_rows(items, _lang(lang)),
        format,
        output,
        width,
        no_color,
        pager,
        flexible=(1,),
        csv=listing.partners_csv,
    )


@app.command()
def topics(
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = ListFormat.table,
    output: OutputOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    width: WidthOpt = None,
    no_color: NoColorOpt = False,
    pager: PagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List the topics with their number of events and first and last date.

    Example: ruhrtimeline topics --lang de
    """
    from . import listing
    from .terminal import topic_headers, topic_rows

    db = _open(store)
    items = db.topics()
    _table_or_data(
        items,
        topic_headers(_lang(lang)),
        topic_rows(items, _lang(lang)),
        format,
        output,
        width,
        no_color,
        pager,
        flexible=(1,),
        csv=listing.topics_csv,
    )


def _table_or_data(
    items: Sequence[Any],
    headers: list[str],
    rows: list[list[str]],
    format: ListFormat,
    output: Path | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    flexible: Sequence[int],
    csv: Callable[[Any], str],
) -> None:
    from . import listing

    if format is ListFormat.json:
        _emit(listing.records_json(items), output)
    elif format is ListFormat.csv:
        _emit(csv(items), output)
    elif format is ListFormat.markdown:
        _emit(listing.markdown_table(headers, rows), output)
    elif output is not None:
        from .terminal import grid, to_plain

        _emit(to_plain(grid(headers, rows, width or 100, flexible)), output)
    else:
        Terminal(no_color, width, pager).table(headers, rows, flexible)


# --- calendar feeds -------------------------------------------------------------------------


class ImpreciseChoice(StrEnum):
    span = "span"
    start = "start"
    omit = "omit"


ImpreciseOpt = Annotated[
    ImpreciseChoice,
    typer.Option(
        "--imprecise",
        help="Events known only to the month, season or year: span that period as an all-day "
        "event (default: never suggests a day the sources don't give), start on its first "
        "day, or omit them.",
    ),
]


@export_app.command("ics")
def export_ics(
    partner: PartnerOpt = None,
    all_partners: AllPartnersOpt = False,
    topic: TopicOpt = None,
    all_topics: AllTopicsOpt = False,
    year: YearOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    status: StatusOpt = None,
    search: SearchOpt = None,
    precision: PrecisionOpt = None,
    imprecise: ImpreciseOpt = ImpreciseChoice.span,
    output: OutputOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Export events as an iCalendar file (RFC 5545) for calendar apps.

    The same store and options give byte-identical output: stable UIDs (<id>@ruhrtimeline),
    DTSTAMP from each entry's 'updated' date, never the clock.

    Example: ruhrtimeline export ics --partner gzm -o gzm.ics
    """
    from .feeds import info_for
    from .ical import export_chunks

    db = _open(store)
    flt = _filter(
        db, partner, all_partners, topic, all_topics, year, from_, to, status, search, precision
    )
    language = _lang(lang)
    ids = db.selected_ids(flt)
    zones = db.time_zones()
    spans: dict[str, tuple[int, int]] = {}
    for event_id in ids:
        if event_id in zones:
            name, first, last = zones[event_id]
            low, high = spans.get(name, (first, last))
            spans[name] = (min(low, first), max(high, last))
    info = info_for(db, flt, language, len(ids), imprecise.value)
    chunks = export_chunks(db.iter_events(flt), _names(db), language, imprecise.value, info, spans)
    _emit(chunks, output)


@export_app.command("timelinejs")
def export_timelinejs(
    partner: PartnerOpt = None,
    all_partners: AllPartnersOpt = False,
    topic: TopicOpt = None,
    all_topics: AllTopicsOpt = False,
    year: YearOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    status: StatusOpt = None,
    search: SearchOpt = None,
    precision: PrecisionOpt = None,
    output: OutputOpt = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Export events as TimelineJS (Knight Lab) JSON, with the Ruhr-Konferenz phases as eras.

    Dates carry only the parts that are known (a month has no day); seasons and approximate
    dates come with a display_date; group is the first partner.

    Example: ruhrtimeline export timelinejs -o timeline.json
    """
    from .visual import timelinejs

    db = _open(store)
    flt = _filter(
        db, partner, all_partners, topic, all_topics, year, from_, to, status, search, precision
    )
    language = _lang(lang)
    _emit(timelinejs(db.events(flt), _names(db), language, db.eras()), output)


@feeds_app.command("build")
def feeds_build(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Folder to write the feeds into (created if missing)."),
    ],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            show_default=False,
            help="Where DIR will be published (https://…/): adds subscribe links to index.html.",
        ),
    ] = None,
    imprecise: ImpreciseOpt = ImpreciseChoice.span,
    store: StoreOpt = None,
    lang: Annotated[
        LangChoice | None,
        typer.Option(
            "--lang",
            "-l",
            show_default=False,
            case_sensitive=False,
            help="Build only this language [default: both, as NAME.de.ics and NAME.en.ics, with "
            "NAME.ics in English].",
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Write the whole feed set: all.ics, one feed per partner and per topic, in German and
    English, and an index.html that lists them with subscribe and download links.

    Rebuilding an unchanged store changes no file. Publish DIR on any static host.

    Example: ruhrtimeline feeds build public/ --base-url https://example.org/feeds/
    """
    from .feeds import FeedSetBuilder, write_feed_set

    db = _open(store)
    language = None if lang is None else _lang(lang)
    builder = FeedSetBuilder(
        db,
        lang=language,
        imprecise=imprecise.value,
        base_url=base_url,
        pages=_landing_pages(db, language or "en"),
    )
    results = write_feed_set(builder, directory)
    written = sum(1 for _, changed in results if changed)
    typer.echo(
        f"{directory}: {len(results)} files, {written} written, {len(results) - written} unchanged"
    )


LANDING_PAGE_LIMIT = 2000  # events; a larger page would be too big to be useful


def _landing_pages(db: Store, lang: Lang) -> dict[str, bytes]:
    """The timeline page that `feeds build` and `serve` put beside the feed index."""
    from .visual import timeline_html

    if db.count() > LANDING_PAGE_LIMIT:
        return {}
    page = timeline_html(db.events(), _names(db), lang, eras=db.eras())
    return {"timeline.html": page.encode("utf-8")}


@app.command()
def serve(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]",
            show_default=False,
            help="A folder built by 'feeds build' [default: build the feeds in memory from the "
            "store, and rebuild them when it changes].",
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default accepts only this computer.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8080,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1, max=3600, help="Seconds a client may stay silent before it is disconnected."
        ),
    ] = 10.0,
    imprecise: ImpreciseOpt = ImpreciseChoice.span,
    store: StoreOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Serve the feed set over HTTP: /all.ics, the partner and topic feeds, and / the index.

    Answers conditional requests (ETag, Last-Modified) and HEAD; logs one line a request;
    stops on Ctrl-C.

    Example: ruhrtimeline serve --port 8080
    """
    import gc

    gc.enable()  # a long-running process (the command line turns the collector off)
    from .server import Files, Resource, folder_files, make_server

    if directory is not None:
        if not directory.is_dir():
            raise UsageError(f"{directory}: no such folder (build one with 'feeds build')")
        files = folder_files(directory)
    else:
        from .feeds import build_feed_set
        from .locations import resolve_store_path

        path = resolve_store_path(store)
        if store is not None and not store.exists():
            raise UsageError(f"--store {store}: no such file")
        base = f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/"

        def stamp() -> tuple[int, int]:
            info = path.stat()
            return info.st_size, info.st_mtime_ns

        seen = [stamp()]

        def load() -> dict[str, Resource]:
            db = load_store(path)
            feed_set = build_feed_set(
                db, imprecise=imprecise.value, base_url=base, pages=_landing_pages(db, "en")
            )
            modified = path.stat().st_mtime
            return {n: Resource.of(n, b, modified) for n, b in feed_set.files.items()}

        def changed() -> bool:
            try:
                now = stamp()
            except OSError:
                return False
            if now == seen[0]:
                return False
            seen[0] = now
            return True

        files = Files(load, changed)
    try:
        server = make_server(files, host, port, timeout=timeout)
    except OSError as exc:
        raise RuhrtimelineError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    _stderr(
        f"serving {len(files.names)} files at http://{bound_host}:{bound_port}/ (Ctrl-C to stop)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        _stderr("stopped")
    finally:
        server.server_close()


# --- reports ------------------------------------------------------------------------------


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    json = "json"
    csv = "csv"


def _generated_at(value: str | None) -> str | None:
    """--date, else SOURCE_DATE_EPOCH, else no date: a report never reads the clock."""
    if value is not None:
        from datetime import date, datetime

        try:
            if "T" in value:
                return datetime.fromisoformat(value).isoformat()
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise UsageError(f"--date {value!r}: write YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    from .ical import source_date_epoch

    epoch = source_date_epoch()
    return epoch.strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else None


@app.command()
def report(
    year: Annotated[
        int | None,
        typer.Argument(metavar="[YEAR]", show_default=False, help="The year to report on."),
    ] = None,
    all_years: Annotated[
        bool,
        typer.Option(
            "--all",
            help="One report per year that has events, plus an index, into the folder -o DIR.",
        ),
    ] = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            show_default=False,
            help="Instead of YEAR: the first day of a custom period (2019, 2019-08, 2019-08-09).",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DATE",
            show_default=False,
            help="Instead of YEAR: the last day of a custom period.",
        ),
    ] = None,
    partner: PartnerOpt = None,
    all_partners: AllPartnersOpt = False,
    topic: TopicOpt = None,
    all_topics: AllTopicsOpt = False,
    status: StatusOpt = None,
    search: SearchOpt = None,
    precision: PrecisionOpt = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="markdown, html, json or csv.")
    ] = ReportFormat.markdown,
    generated: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            show_default=False,
            help="Date the report as generated on DATE [default: $SOURCE_DATE_EPOCH, else no "
            "date, so that reruns give the same bytes].",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE|DIR",
            show_default=False,
            help="Write to FILE (atomically); with --all, the folder DIR.",
        ),
    ] = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write a year's review: overview, the year's events, what only overlaps it, counts, first
    partners, plans for the next year, and every source cited.

    Example: ruhrtimeline report 2019 --format html -o review-2019.html
    """
    from .dates import DateError, parse_bound
    from .report import EXTENSIONS, Period, build_report, index, render_report

    chosen = sum([year is not None, all_years, bool(from_ or to)])
    if chosen != 1:
        raise UsageError("give a YEAR, or --all, or a period with --from and --to")
    if (from_ or to) and not (from_ and to):
        raise UsageError("a custom period needs both --from and --to")
    if year is not None and not 1 <= year <= 9998:
        raise UsageError(f"year {year}: give a year between 1 and 9998")
    db = _open(store)
    flt = _filter(
        db, partner, all_partners, topic, all_topics, None, None, None, status, search, precision
    )
    language = _lang(lang)
    stamp = _generated_at(generated)
    fmt = format.value
    if all_years:
        if output is None:
            raise UsageError("--all writes one file a year: give the folder with -o DIR")
        from .files import inside, write_if_changed

        if output.exists() and not output.is_dir():
            raise UsageError(f"{output} is not a folder")
        output.mkdir(parents=True, exist_ok=True)
        reports = [build_report(db, Period.of_year(y), language, flt, stamp) for y in db.years(flt)]
        for item in reports:
            name = f"report-{item.period.year}.{EXTENSIONS[fmt]}"
            write_if_changed(inside(output, name), render_report(item, fmt))
        write_if_changed(inside(output, f"index.{EXTENSIONS[fmt]}"), index(reports, fmt, language))
        typer.echo(f"{output}: {len(reports)} reports and an index")
        return
    if year is not None:
        period = Period.of_year(year)
    else:
        try:
            first, last = parse_bound(from_ or "")[0], parse_bound(to or "")[1]
        except DateError as exc:
            raise UsageError(f"--from/--to: {exc}") from None
        if last < first:
            raise UsageError("--to lies before --from")
        period = Period(first, last)
    _emit(render_report(build_report(db, period, language, flt, stamp), fmt), output)


# --- cache ----------------------------------------------------------------------------------


@cache_app.command("clear")
def cache_clear(debug: DebugOpt = False) -> None:
    """Remove every cached store index (they are rebuilt when needed).

    Example: ruhrtimeline cache clear
    """
    from .locations import cache_dir
    from .store import clear_cache

    removed = clear_cache()
    typer.echo(f"removed {removed} cached index{'es' if removed != 1 else ''} from {cache_dir()}")


@cache_app.command("info")
def cache_info(debug: DebugOpt = False) -> None:
    """Show where the cache is and what it holds.

    Example: ruhrtimeline cache info
    """
    from .locations import cache_dir

    folder = cache_dir()
    files = sorted(folder.glob("*.sqlite3")) if folder.is_dir() else []
    size = sum(f.stat().st_size for f in files)
    typer.echo(
        f"{folder}: {len(files)} index{'es' if len(files) != 1 else ''}, {size / 1024:.0f} KiB"
    )


def _command_name(info: Any) -> str:
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def _completion_words() -> list[str] | None:
    if "_RUHRTIMELINE_COMPLETE" not in os.environ:
        return None
    return (os.environ.get("COMP_WORDS") or os.environ.get("_TYPER_COMPLETE_ARGS") or "").split()


def run(args: Sequence[str]) -> None:
    """Run the command line, building only the command that is asked for.

    typer turns every command into a click command before running one (~10 ms for all of
    them, a tenth of the start-up); the others are left out when the first word names a
    command, which changes nothing else.
    """
    words = _completion_words()
    if words is not None:
        words = words[1:-1] if len(words) > 2 else []  # the finished words after the program
    else:
        words = with_default_command(args)
    target = app
    if words and not words[0].startswith("-"):
        commands = [c for c in app.registered_commands if _command_name(c) == words[0]]
        groups = [g for g in app.registered_groups if g.name == words[0]]
        if commands or groups:
            target = copy.copy(app)
            target.registered_commands = commands
            target.registered_groups = groups
    target(args=list(args), prog_name="ruhrtimeline")
