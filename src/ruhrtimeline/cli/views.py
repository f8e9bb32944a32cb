"""Looking at the record: timeline, list, show, partners, topics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ruhrtimeline.dates import Lang
from ruhrtimeline.i18n import word
from ruhrtimeline.query import EventFilter

from .options import (
    Command,
    Terminal,
    common_options,
    complete_event,
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
    """Show the events as a timeline, grouped by year (the default command).

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
    lines = layout(events, db.directory, lang_, term.width, fancy=term.tty and output is None)
    if output is not None:
        emit(to_plain(lines), output)
    else:
        term.lines(lines)


@click.command("list", cls=Command)
@filter_options
@format_option("table", "json", "csv", "markdown", help="table, json, csv or markdown.")
@output_option
@lang_option
@width_option
@no_color_option
@pager_option
@common_options
def list_events(
    flt: EventFilter,
    fmt: str,
    output: Path | None,
    lang: str | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    store: str | None,
) -> None:
    """List events as a table, or as JSON, CSV or Markdown for scripts.

    JSON: one object an event, sorted by start date then id (fields in the README).

    Example: ruhrtimeline list --partner gzm --year 2019 --format json
    """
    from ruhrtimeline import listing

    db = open_store(store)
    if fmt == "json":
        emit_text(listing.events_json(db.iter_events(flt)), output)
        return
    if fmt == "csv":
        emit(listing.events_csv(db.iter_events(flt)), output)
        return
    from ruhrtimeline.terminal import event_headers, event_rows

    lang_ = language(lang)
    events = db.events(flt)
    headers, rows = event_headers(lang_), event_rows(events, db.directory, lang_)
    _table(headers, rows, fmt, output, width, no_color, pager, (1, 2, 3, 4), lang_, not events)


def _table(
    headers: list[str],
    rows: list[list[str]],
    fmt: str,
    output: Path | None,
    width: int | None,
    no_color: bool,
    pager: bool,
    flexible: Sequence[int],
    lang: Lang,
    empty: bool = False,
) -> None:
    """A table on the terminal or in a file, or a Markdown table."""
    from ruhrtimeline import listing
    from ruhrtimeline.terminal import grid, to_plain

    if fmt == "markdown":
        emit(listing.markdown_table(headers, rows), output)
    elif output is not None:
        emit(to_plain(grid(headers, rows, width or 100, flexible)), output)
    elif empty:
        stderr(word("no_events", lang))
    else:
        Terminal(no_color, width, pager).table(headers, rows, flexible)


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
    term.lines(layout(event, db.directory, language(lang), term.width, fancy=term.tty))


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
    from ruhrtimeline.terminal import partner_headers, partner_rows

    db = open_store(store)
    items, activity = db.partners(), db.partner_activity()
    if fmt == "json":
        emit(listing.json_text([listing.partner_json(p, activity[p.id]) for p in items]), output)
    elif fmt == "csv":
        emit(listing.partners_csv(items, activity), output)
    else:
        lang_ = language(lang)
        rows = partner_rows(items, activity, lang_)
        _table(partner_headers(lang_), rows, fmt, output, width, no_color, pager, (1,), lang_)


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
    from ruhrtimeline.terminal import topic_headers, topic_rows

    db = open_store(store)
    items, activity = db.topics(), db.topic_activity()
    if fmt == "json":
        emit(listing.json_text([listing.topic_json(t, activity[t.id]) for t in items]), output)
    elif fmt == "csv":
        emit(listing.topics_csv(items, activity), output)
    else:
        lang_ = language(lang)
        rows = topic_rows(items, activity, lang_)
        _table(topic_headers(lang_), rows, fmt, output, width, no_color, pager, (1,), lang_)
