"""What the commands share: options (one definition each), the store, and where output goes."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ruhrtimeline.dates import PRECISIONS, DateError, Lang, parse_bound
from ruhrtimeline.errors import InvalidValue, NotFound, Refused, RuhrtimelineError, StoreError
from ruhrtimeline.i18n import LANGS, default_lang
from ruhrtimeline.query import EventFilter
from ruhrtimeline.records import STATUSES

if TYPE_CHECKING:
    from ruhrtimeline.files import Data
    from ruhrtimeline.store import Store
    from ruhrtimeline.terminal import Line, Table

ENV_DEBUG = "RUHRTIMELINE_DEBUG"
ENV_TODAY = "RUHRTIMELINE_TODAY"
F = TypeVar("F", bound=Callable[..., Any])


def stderr(message: str) -> None:
    """One line on standard error, with anything a terminal would act on made visible."""
    from ruhrtimeline.terminal import safe

    sys.stderr.write(safe(message) + "\n")
    sys.stderr.flush()


def show_failure(exc: RuhrtimelineError) -> None:
    """A failed operation on stderr: one line, or a store's problems as `validate` shows them
    and a last line that says what it means."""
    if not (isinstance(exc, StoreError) and exc.problems):
        stderr(f"error: {exc}")
        return
    from ruhrtimeline.i18n import problem_text

    lang = default_lang()
    if len(exc.problems) == 1 and not exc.problems[0].line and not isinstance(exc, Refused):
        problem = exc.problems[0]  # a file that cannot be read: one line
        stderr(f"error: {problem.render(problem_text(problem.message, lang))}")
        return
    shown = exc.problems[:20]
    for problem in shown:
        stderr(problem.render(problem_text(problem.message, lang)))
    more = len(exc.problems) - len(shown)
    tail = f" ({more} more)" if more else ""
    if isinstance(exc, Refused):
        stderr(f"error: nothing was written: the change would make the store invalid{tail}")
    elif len(exc.problems) > 1 or exc.problems[0].line:
        stderr(f"error: the store is invalid{tail}; run 'ruhrtimeline validate' for every problem")
    else:
        stderr("error: cannot read the store")


@dataclass
class Settings:
    """The root's options, for every command (``ruhrtimeline --store x list``)."""

    store: str | None = None
    debug: bool = False


class Command(click.Command):
    """A command whose library errors about given values are usage errors (exit 2)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (NotFound, InvalidValue) as exc:
            raise click.UsageError(str(exc), ctx) from None


class Group(click.Group):
    command_class = Command


class GivenValues(Command):
    """A command that writes values given on the command line: where they would make the
    store invalid, that is a usage error (exit 2), shown as `validate` shows problems."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Refused as exc:
            show_failure(exc)
            ctx.exit(2)


# --- values checked as they are parsed ------------------------------------------------------


def _once(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str | None:
    # Taken as repeatable so that a second value is an error, not silently the one that counts.
    if len(values) > 1:
        raise click.BadParameter(f"given {len(values)} times; give it once", ctx, param)
    return values[0] if values else None


def _bound(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str | None:
    """A period bound: YYYY, YYYY-MM, a season, YYYY-MM-DD or today (kept as text for the
    filter)."""
    value = _once(ctx, param, values)
    if value is not None:
        if value.strip().lower() == "today":
            return "today"
        try:
            parse_bound(value)
        except DateError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return value


def _year(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> int | None:
    value = _once(ctx, param, values)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise click.BadParameter(f"{value!r} is not a year; write four digits", ctx, param)
    year = int(value)
    if not 1 <= year <= 9999:
        raise click.BadParameter(f"{year}: give a year between 1 and 9999", ctx, param)
    return year


# --- completion of ids --------------------------------------------------------------------------


def _completion_store(ctx: click.Context) -> Store | None:
    from ruhrtimeline.errors import RuhrtimelineError
    from ruhrtimeline.store import load_store

    path = None
    current: click.Context | None = ctx
    while current is not None and path is None:
        path = current.params.get("store")
        current = current.parent
    try:
        return load_store(path)
    except RuhrtimelineError:
        return None


def complete_partner(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    store = _completion_store(ctx)
    if store is None:
        return []
    return [
        CompletionItem(p.id, help=p.name)
        for p in store.partners()
        if p.id.startswith(incomplete.lower())
    ]


def complete_topic(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    store = _completion_store(ctx)
    if store is None:
        return []
    lang = default_lang()
    return [
        CompletionItem(t.id, help=t.label[lang])
        for t in store.topics()
        if t.id.startswith(incomplete.lower())
    ]


def complete_event(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    store = _completion_store(ctx)
    if store is None:
        return []
    return [CompletionItem(i) for i in store.event_ids() if i.startswith(incomplete.lower())]


def complete_year(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """The years the store covers, and after "YYYY-" the months of that year."""
    from click.shell_completion import CompletionItem

    if len(incomplete) >= 5 and incomplete[:4].isdigit() and incomplete[4] == "-":
        months = [f"{incomplete[:4]}-{m:02d}" for m in range(1, 13)]
        return [CompletionItem(m) for m in months if m.startswith(incomplete)]
    store = _completion_store(ctx)
    years = [str(y) for y in store.years()] if store is not None else []
    return [CompletionItem(y) for y in years if y.startswith(incomplete)]


def complete_bound(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """``today``, the years the store covers, and after "YYYY-" the months of that year."""
    from click.shell_completion import CompletionItem

    today_item = [CompletionItem("today")] if "today".startswith(incomplete.lower()) else []
    return today_item + complete_year(ctx, param, incomplete)


# --- shared options ---------------------------------------------------------------------------


def _debug(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Settings).debug = True


store_option = click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="PATH",
    help="Store file [default: $RUHRTIMELINE_STORE, else ruhrtimeline.yaml or data/events.yaml "
    "in this folder or above, else the bundled store].",
)
debug_option = click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    callback=_debug,
    help="Show the traceback of an error.",
)
lang_option = click.option(
    "--lang",
    "-l",
    type=click.Choice(LANGS, case_sensitive=False),
    help="Language of the text [default: $RUHRTIMELINE_LANG, else the locale, else en].",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, allow_dash=True),
    metavar="FILE",
    help="Write to FILE (atomically) instead of standard output; - is standard output.",
)
width_option = click.option(
    "--width",
    type=click.IntRange(40, 1000),
    help="Width in columns [default: the terminal's, or 80 when piped].",
)
no_color_option = click.option(
    "--no-color", is_flag=True, help="No colours even on a terminal (NO_COLOR is honoured too)."
)
pager_option = click.option("--pager", is_flag=True, help="Page long output on a terminal.")


def format_option(*choices: str, help: str) -> Callable[[F], F]:
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(choices), default=choices[0], help=help
    )


_FILTER_OPTIONS = (
    click.option(
        "--partner",
        "-p",
        "partners",
        multiple=True,
        metavar="ID",
        shell_complete=complete_partner,
        help="Only events with this partner (repeatable, or comma-separated: any of them).",
    ),
    click.option("--all-partners", is_flag=True, help="Require every --partner, not any."),
    click.option(
        "--topic",
        "-t",
        "topics",
        multiple=True,
        metavar="ID",
        shell_complete=complete_topic,
        help="Only events on this topic (repeatable, or comma-separated: any of them).",
    ),
    click.option("--all-topics", is_flag=True, help="Require every --topic, not any."),
    click.option(
        "--year",
        "-y",
        multiple=True,
        callback=_year,
        metavar="YYYY",
        help="Only events that overlap this year.",
    ),
    click.option(
        "--from",
        "start",
        multiple=True,
        callback=_bound,
        metavar="DATE",
        shell_complete=complete_bound,
        help="Only events that end on or after DATE (2019, 2019-08, 2019-08-09, a season "
        "such as 2019-21 for spring, or today).",
    ),
    click.option(
        "--to",
        "end",
        multiple=True,
        callback=_bound,
        metavar="DATE",
        shell_complete=complete_bound,
        help="Only events that start on or before DATE (a partial date covers its whole "
        "period; or today).",
    ),
    click.option(
        "--status",
        "statuses",
        multiple=True,
        type=click.Choice(STATUSES),
        help="Only events with this status (repeatable).",
    ),
    click.option(
        "--search",
        "-s",
        metavar="TEXT",
        help="Words that must all appear in titles, summaries, places or people (any case, "
        "accents optional, both languages).",
    ),
    click.option(
        "--precision",
        "precisions",
        multiple=True,
        type=click.Choice(PRECISIONS),
        help="Only dates of this precision (repeatable).",
    ),
)
_FILTER_NAMES = (
    "partners",
    "all_partners",
    "topics",
    "all_topics",
    "year",
    "start",
    "end",
    "statuses",
    "search",
    "precisions",
)


def _filters(skip: frozenset[str] = frozenset()) -> Callable[[F], F]:
    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in _FILTER_NAMES if name not in skip}
            for ids in ("partners", "topics"):  # "-p rvr -p gzm" or "-p rvr,gzm"
                values[ids] = [i for v in values[ids] for i in v.split(",") if i.strip()]
            for flag, ids, option in (
                ("all_partners", "partners", "--partner"),
                ("all_topics", "topics", "--topic"),
            ):
                if values[flag] and not values[ids]:
                    hint = f"'--{flag.replace('_', '-')}'"
                    raise click.BadParameter(f"needs at least one {option}", param_hint=hint)
            now = today() if "today" in (values.get("start"), values.get("end")) else None
            kwargs["flt"] = EventFilter.build(**values, today=now)
            return command(*args, **kwargs)

        decorated: Any = wrapper
        for name, option in reversed(list(zip(_FILTER_NAMES, _FILTER_OPTIONS, strict=True))):
            if name not in skip:
                decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


#: Add the filter options; the command receives them as one ``flt: EventFilter``.
filter_options = _filters()
#: The same without --year, for commands that take a year of their own (``report YEAR``).
filter_options_without_year = _filters(frozenset({"year"}))


def common_options(command: F) -> F:
    """--store and --debug, which every command takes."""
    return store_option(debug_option(command))


# --- the store, the language, and where output goes ------------------------------------------


def open_store(path: str | None) -> Store:
    """The store given on the command line (or the root's, the environment's, the bundled)."""
    from ruhrtimeline.store import load_store

    settings = click.get_current_context().ensure_object(Settings)
    chosen = path or settings.store
    if chosen is not None and not Path(chosen).exists():
        raise click.BadParameter(f"{chosen}: no such file", param_hint="'--store'")
    named = os.environ.get("RUHRTIMELINE_STORE")
    if chosen is None and named and not Path(named).exists():
        raise click.ClickException(f"{named}: no such file (named by RUHRTIMELINE_STORE)")
    store = load_store(chosen)
    if store.cache_warning:
        stderr(f"warning: {store.cache_warning}")
    if settings.debug:
        stderr(f"store: {store.path} ({'cached index' if store.cached else 'read and indexed'})")
    return store


def language(value: str | None) -> Lang:
    if value is None:
        return default_lang()
    return "de" if value.lower() == "de" else "en"


def today() -> date:
    """Today's date: ``$RUHRTIMELINE_TODAY`` (YYYY-MM-DD, for tests and reproducible runs),
    else the local date."""
    value = os.environ.get(ENV_TODAY, "").strip()
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(f"{ENV_TODAY}={value!r}: write the date as YYYY-MM-DD") from None


def build_time() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, if set (the time of a reproducible build)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


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
            columns = os.environ.get("COLUMNS", "")
            self.width = int(columns) if columns.isdigit() else 80

    def lines(self, lines: list[Line]) -> None:
        from ruhrtimeline.terminal import to_plain, to_rich

        if not self.tty:
            sys.stdout.write(to_plain(lines))
            return
        from rich.console import Console

        console = Console(
            color_system="auto" if self.color else None,
            no_color=not self.color,
            highlight=False,
            width=self.width,
            soft_wrap=True,
        )
        if self.pager:
            # less shows colours only with -R; -F and -X leave short output on the screen (as
            # git does, unless the user has chosen otherwise).
            os.environ.setdefault("LESS", "FRX")
            os.environ.setdefault("LV", "-c")
            with console.pager(styles=self.color):
                console.print(to_rich(lines), end="")
        else:
            console.print(to_rich(lines), end="")

    def table(self, table: Table) -> None:
        from ruhrtimeline.terminal import grid

        self.lines(grid(table, self.width, fancy=self.tty))


def emit(data: Data, output: Path | None) -> None:
    """Write to ``output`` atomically, or to standard output (text, bytes or chunks)."""
    if output is not None and str(output) != "-":
        from ruhrtimeline.files import atomic_write

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


def emit_text(chunks: Iterable[str], output: Path | None) -> None:
    """Write text given in pieces (a long listing) without joining it in memory."""
    emit((chunk.encode("utf-8") for chunk in chunks), output)
