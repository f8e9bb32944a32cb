"""Looking at the record: timeline, list, show, partners, topics."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ruhrtimeline.dates import Lang
from ruhrtimeline.i18n import word
from ruhrtimeline.query import SORT_KEYS, EventFilter
from ruhrtimeline.records import Event

if TYPE_CHECKING:
    from ruhrtimeline.terminal import Line, Table

from .options import (
    Command,
    Terminal,
    common_options,
    complete_event,
    complete_year,
    emit,
    emit_text,
    filter_options,
    format_option,
    lang_option,
    language,
    no_color_option,
    open_store,
    output_option,
    pager_option,
    stderr,
    today,
    width_option,
)


@click.command(cls=Command)
@filter_options
@format_option(
    "text",
    "svg",
    "html",
    help="text for the terminal; svg or html for a picture (lanes, markers, bands; html adds "
    "every event's details).",
)
@click.option(
    "--lanes",
    type=click.Choice(["partner", "topic"]),
    default="partner",
    help="svg/html: one lane per partner or per topic.",
)
@output_option
@lang_option
@click.option(
    "--width",
    type=click.IntRange(40, 20000),
    help="Columns of text [default: the terminal's, or 80 when piped]; pixels of svg/html "
    "[default: 1200].",
)
@no_color_option
@pager_option
@common_options
def timeline(
    flt: EventFilter,
    fmt: str,
    lanes: str,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """Show the events as a timeline, grouped by year (the default command), with a line
    at today where it falls among them.

    --format svg or html draws it: one lane per partner, years along the axis, a dot for a
    day, a bar for days, a hatched band for a month, season or year, planned events outlined.

    Dates are written as precisely as they are known and no more.

    Example: ruhrtimeline timeline --partner gmca --lang de
    """
    db = open_store(store)
    lang_ = language(lang)
    if fmt in ("svg", "html"):
        from ruhrtimeline.publish import timeline_picture

        picture = timeline_picture(
            db,
            flt,
            lang_,
            "svg" if fmt == "svg" else "html",
            width=width or 1200,
            lanes="topic" if lanes == "topic" else "partner",
            today=today(),
        )
        emit(picture, output)
        return
    from ruhrtimeline.terminal import timeline as layout
    from ruhrtimeline.terminal import to_plain

    events = db.events(flt)
    term = Terminal(no_color, width, pager)
    if not events:
        stderr(word("no_events", lang_))
        return
    plain = output is not None and str(output) != "-"
    lines = layout(
        events,
        db.directory,
        lang_,
        term.width,
        fancy=term.tty and not plain,
        coloured=term.color and not plain,
        today=today(),
    )
    if plain:
        emit(to_plain(lines), output)
    else:
        term.lines(lines)


def _columns(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    if value is None:
        return None  # the table's own (and JSON and CSV need no terminal code)
    from ruhrtimeline.terminal import EVENT_COLUMNS

    names = tuple(name.strip().lower() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in EVENT_COLUMNS]
    if unknown or not names:
        known = ", ".join(EVENT_COLUMNS)
        raise click.BadParameter(f"unknown column {', '.join(unknown)!r}; use {known}", ctx, param)
    return names


@click.command("list", cls=Command)
@filter_options
@format_option("table", "json", "csv", "markdown", help="table, json, csv or markdown.")
@click.option(
    "--columns",
    "-c",
    metavar="NAMES",
    callback=_columns,
    help="Columns of the table and of markdown, comma-separated, from id, date, title, "
    "partners, topics, place, status [default: date,title,partners,topics,place].",
)
@click.option(
    "--sort",
    type=click.Choice(SORT_KEYS),
    default="date",
    show_default=True,
    help="Order: by date, id, title (in --lang) or last change (updated).",
)
@click.option("--reverse", "-r", is_flag=True, help="The other way round (latest first).")
@output_option
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def list_events(
    flt: EventFilter,
    fmt: str,
    columns: tuple[str, ...] | None,
    sort: str,
    reverse: bool,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """List events as a table, or as JSON, CSV or Markdown for scripts.

    JSON: one object an event, sorted by start date then id unless --sort says otherwise
    (fields in the README).

    Example: ruhrtimeline list --partner gzm --year 2019 --columns id,date,title
    """
    from ruhrtimeline import listing
    from ruhrtimeline.query import sort_events

    db = open_store(store)
    lang_ = language(lang)
    events: Iterable[Event] = db.iter_events(flt)
    if sort != "date" or reverse:
        events = sort_events(events, sort, lang_, reverse=reverse)
    if fmt == "json":
        emit_text(listing.events_json(events), output)
        return
    if fmt == "csv":
        emit(listing.events_csv(events), output)
        return
    from ruhrtimeline.terminal import event_table

    table = event_table(events, db.directory, lang_, *([columns] if columns else []))
    _table(table, fmt, output, width, no_color, pager, lang_, not table.rows)


def _table(
    table: Table,
    fmt: str,
    output: Path | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    lang: Lang,
    empty: bool = False,
) -> None:
    """A table on the terminal or in a file, or a Markdown table."""
    from ruhrtimeline import listing
    from ruhrtimeline.terminal import grid, to_plain

    if fmt == "markdown":
        emit(listing.markdown_table(table.headers, table.rows), output)
    elif empty:
        stderr(word("no_events", lang))
    elif output is not None and str(output) != "-":
        emit(to_plain(grid(table, width or 100)), output)
    else:
        Terminal(no_color, width, pager).table(table)


@click.command(cls=Command)
@click.argument("event_id", metavar="ID", shell_complete=complete_event)
@format_option("text", "json", help="text or json.")
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def show(
    event_id: str,
    fmt: str,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """Show one event in full: titles, summary, when and where, partners, people and sources.

    ID is the event's id (see 'ruhrtimeline list').

    Example: ruhrtimeline show rvr-gzm-partnership-agreement-2019
    """
    db = open_store(store)
    event = db.event(event_id.lower())
    if fmt == "json":
        from ruhrtimeline.listing import event_json, json_text

        emit(json_text(event_json(event)), None)
        return
    from ruhrtimeline.terminal import show as layout

    term = Terminal(no_color, width, pager)
    term.lines(layout(event, db.directory, language(lang), term.width, coloured=term.color))


@click.command(cls=Command)
@format_option("table", "json", "csv", "markdown", help="table, json, csv or markdown.")
@output_option
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def partners(
    fmt: str,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """List the partners with their number of events and first and last date.

    Example: ruhrtimeline partners --format json
    """
    from ruhrtimeline import listing
    from ruhrtimeline.terminal import partner_table

    db = open_store(store)
    items, activity = db.partners(), db.partner_activity()
    if fmt == "json":
        emit(listing.json_text([listing.partner_json(p, activity[p.id]) for p in items]), output)
    elif fmt == "csv":
        emit(listing.partners_csv(items, activity), output)
    else:
        lang_ = language(lang)
        table = partner_table(items, activity, lang_)
        _table(table, fmt, output, width, no_color, pager, lang_)


@click.command(cls=Command)
@format_option("table", "json", "csv", "markdown", help="table, json, csv or markdown.")
@output_option
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def topics(
    fmt: str,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """List the topics with their number of events and first and last date.

    Example: ruhrtimeline topics --lang de
    """
    from ruhrtimeline import listing
    from ruhrtimeline.terminal import topic_table

    db = open_store(store)
    items, activity = db.topics(), db.topic_activity()
    if fmt == "json":
        emit(listing.json_text([listing.topic_json(t, activity[t.id]) for t in items]), output)
    elif fmt == "csv":
        emit(listing.topics_csv(items, activity), output)
    else:
        lang_ = language(lang)
        table = topic_table(items, activity, lang_)
        _table(table, fmt, output, width, no_color, pager, lang_)


# --- what is next ---------------------------------------------------------------------------


@click.command(cls=Command)
@filter_options
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    default=365,
    show_default=True,
    help="How many days ahead (from today on), or back with --past.",
)
@click.option("--past", is_flag=True, help="The days before today instead of those from today.")
@click.option("--limit", "-n", type=click.IntRange(1), metavar="N", help="At most N events.")
@format_option(
    "text", "json", "csv", "markdown", help="text, or json, csv or markdown as 'list' writes them."
)
@output_option
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def agenda(
    flt: EventFilter,
    days: int,
    past: bool,
    limit: int | None,
    fmt: str,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """What is under way and coming: the events that end today or later, by month, planned
    ones marked. A date known only to the month, season or year says so and sorts by its
    first day. With --past, the events of the days before today.

    Today is the local date, or $RUHRTIMELINE_TODAY (YYYY-MM-DD).

    Example: ruhrtimeline agenda --days 90 --partner gzm
    """
    from ruhrtimeline import listing
    from ruhrtimeline.agenda import agenda as layout

    db = open_store(store)
    lang_ = language(lang)
    now = today()
    window = flt.past(now, days) if past else flt.coming(now, days)
    events = db.events(window)
    if limit is not None:  # the nearest to today: the first coming, or the last gone
        events = events[-limit:] if past else events[:limit]
    if fmt == "json":
        emit_text(listing.events_json(events), output)
        return
    if fmt == "csv":
        emit(listing.events_csv(events), output)
        return
    if not events:
        nothing = word("nothing_past" if past else "nothing_coming", lang_, days=days)
        if output is not None and str(output) != "-":  # the file says so too, not yesterday's
            emit(nothing + "\n", output)
        else:
            stderr(nothing)
        return
    if fmt == "markdown":
        from ruhrtimeline.terminal import event_table

        _table(event_table(events, db.directory, lang_), fmt, output, width, no_color, pager, lang_)
        return
    _show(
        lambda w, colour: layout(events, db.directory, lang_, now, w, coloured=colour, past=past),
        output,
        Terminal(no_color, width, pager),
    )


def _show(draw: Callable[[int, bool], list[Line]], output: Path | None, term: Terminal) -> None:
    """Lines laid out for the terminal (colours where it has them), or plain into a file."""
    from ruhrtimeline.terminal import to_plain

    if output is not None and str(output) != "-":
        emit(to_plain(draw(term.width if term.tty else 80, False)), output)
    else:
        term.lines(draw(term.width, term.color))


def _calendar_period(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, int | None] | None:
    """YEAR, or the month of any other date (2026-03, 2026-03-12, a season, today), as
    (year, month or None)."""
    from ruhrtimeline.dates import DateError, parse_bound

    if value is None:
        return None
    text = value.strip()
    if text.isdigit() and len(text) == 4 and text != "0000":
        return int(text), None
    try:
        first, _ = parse_bound(text, today() if text.lower() == "today" else None)
    except DateError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return first.year, first.month


@click.command(cls=Command)
@click.argument(
    "period",
    metavar="[YEAR|DATE]",
    required=False,
    callback=_calendar_period,
    shell_complete=complete_year,
)
@filter_options
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    metavar="N",
    help="How many months [default: 12 for a YEAR, else 3].",
)
@click.option("--week-numbers", "-w", is_flag=True, help="ISO week numbers beside the weeks.")
@format_option("text", "json", help="text, or json: the events shown, as 'list' writes them.")
@output_option
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def calendar(
    period: tuple[int, int | None] | None,
    flt: EventFilter,
    months: int | None,
    week_numbers: bool,
    fmt: str,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """Month grids like cal's, weeks from Monday: days with an event are marked (colour on a
    terminal, * in plain text), and today (<). Events known only to the month, season or
    year are never pinned to a day: they are listed under the months they cover. Below the
    grids, the events shown. Three months side by side where the width allows.

    Without a period, this month and the two after it; a YEAR shows its twelve months, any
    other DATE (2026-03, 2026-03-12, a season such as 2026-21, today) three months from its
    month.

    Example: ruhrtimeline calendar 2026 --partner gzm --lang de
    """
    from ruhrtimeline import listing
    from ruhrtimeline.agenda import calendar as layout
    from ruhrtimeline.publish import month_calendar

    db = open_store(store)
    lang_ = language(lang)
    now = today()
    year, month = period if period is not None else (now.year, now.month)
    count = months or (12 if period is not None and month is None else 3)
    grid, events = month_calendar(
        db, flt, (year, month or 1), count, today=now, week_numbers=week_numbers
    )
    if fmt == "json":
        emit_text(listing.events_json(events), output)
        return
    _show(
        lambda w, colour: layout(grid, events, db.directory, lang_, w, coloured=colour),
        output,
        Terminal(no_color, width, pager),
    )
