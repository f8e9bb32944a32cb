"""Making the record public: exports, the feed set, the feed server, and reports."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from ruhrtimeline.query import EventFilter

from .options import (
    Command,
    Group,
    build_time,
    common_options,
    complete_year,
    emit,
    filter_options,
    filter_options_without_year,
    format_option,
    lang_option,
    language,
    open_store,
    output_option,
    stderr,
)

Imprecise = Literal["span", "start", "omit"]

imprecise_option = click.option(
    "--imprecise",
    type=click.Choice(["span", "start", "omit"]),
    default="span",
    help="Events known only to the month, season or year: span that period as an all-day "
    "event (default: never suggests a day the sources don't give), start on its first day, "
    "or omit them.",
)


def _imprecise(value: str) -> Imprecise:
    return "start" if value == "start" else "omit" if value == "omit" else "span"


@click.group(cls=Group, no_args_is_help=True)
def export() -> None:
    """Export events for other programs (iCalendar, TimelineJS)."""


@export.command("ics")
@filter_options
@imprecise_option
@output_option
@lang_option
@common_options
def export_ics(
    flt: EventFilter, imprecise: str, output: Path | None, lang: str | None, store: str | None
) -> None:
    """Export events as an iCalendar file (RFC 5545) for calendar apps.

    The same store and options give byte-identical output: stable UIDs (<id>@ruhrtimeline),
    DTSTAMP from each entry's 'updated' date but never after the build ($SOURCE_DATE_EPOCH,
    else the day the store file was last modified), never the clock. A selection without
    events is an error (exit 1): a calendar needs at least one.

    Example: ruhrtimeline export ics --partner gzm -o gzm.ics
    """
    from ruhrtimeline.publish import export_ics as calendar

    db = open_store(store)
    emit(calendar(db, flt, language(lang), _imprecise(imprecise), built=build_time()), output)


@export.command("timelinejs")
@filter_options
@output_option
@lang_option
@common_options
def export_timelinejs(
    flt: EventFilter, output: Path | None, lang: str | None, store: str | None
) -> None:
    """Export events as TimelineJS (Knight Lab) JSON, with the Ruhr-Konferenz phases as eras.

    Dates carry only the parts that are known (a month has no day); seasons and approximate
    dates come with a display_date; group is the first partner.

    Example: ruhrtimeline export timelinejs -o timeline.json
    """
    from ruhrtimeline.publish import export_timelinejs as timelinejs

    emit(timelinejs(open_store(store), flt, language(lang)), output)


@click.group(cls=Group, no_args_is_help=True)
def feeds() -> None:
    """Build the set of calendar feeds."""


@feeds.command("build")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--base-url",
    metavar="URL",
    help="Where DIR will be published (https://…/): adds subscribe links to index.html.",
)
@imprecise_option
@click.option(
    "--lang",
    "-l",
    type=click.Choice(["de", "en"], case_sensitive=False),
    help="Build only this language [default: both, as NAME.de.ics and NAME.en.ics, with "
    "NAME.ics in English].",
)
@common_options
def feeds_build(
    directory: Path, base_url: str | None, imprecise: str, lang: str | None, store: str | None
) -> None:
    """Write the whole feed set: all.ics, one feed per partner and per topic, in German and
    English, and an index.html that lists them with subscribe and download links.

    DIR is the folder to write the feeds into (created if missing); it changes in one step.
    Rebuilding an unchanged store changes no file. A feed that would hold no event is left
    out, and named; the files of earlier builds whose partner or topic has left the store are
    removed, and nothing else in DIR. Publish DIR on any static host.

    Example: ruhrtimeline feeds build public/ --base-url https://example.org/feeds/
    """
    from ruhrtimeline.publish import FeedSet

    db = open_store(store)
    feed_set = FeedSet(
        db,
        lang=None if lang is None else language(lang),
        imprecise=_imprecise(imprecise),
        base_url=base_url,
        built=build_time(),
    )
    done = feed_set.write(directory)
    count, written = len(done.files), len(done.written)
    click.echo(
        f"{directory}: {count} files, {written} written, {count - written} unchanged, "
        f"{len(done.removed)} removed{': ' if done.removed else ''}{', '.join(done.removed)}"
    )
    if feed_set.left_out:
        n = len(feed_set.left_out)
        click.echo(
            f"{n} feed{'s' if n != 1 else ''} left out: no events ({', '.join(feed_set.left_out)})"
        )


@click.command(cls=Command)
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default accepts only this computer.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port (0: any free port).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The public address of the feeds (https://…/), for the index page's subscribe links "
    "and the feeds' own address [default: the address each client used].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send a whole request, and a response may stall.",
)
@imprecise_option
@common_options
def serve(
    directory: Path | None,
    host: str,
    port: int,
    base_url: str | None,
    timeout: float,
    imprecise: str,
    store: str | None,
) -> None:
    """Serve the feed set over HTTP: /all.ics, the partner and topic feeds, and / the index.

    DIR is a folder built by 'feeds build' [default: build the feeds from the store, and
    rebuild them in the background when it changes]. Answers conditional requests (ETag,
    Last-Modified), HEAD and gzip; logs one line a request; stops on Ctrl-C.

    Example: ruhrtimeline serve --port 8080
    """
    import gc
    import signal

    gc.enable()  # a long-running process (the entry point turns the collector off)
    # A service manager stops a server with SIGTERM: stop as on Ctrl-C, removing the build.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    from ruhrtimeline.errors import RuhrtimelineError
    from ruhrtimeline.publish import check_base_url
    from ruhrtimeline.server import folder_files, make_server, store_files

    if directory is not None:
        if not directory.is_dir():
            raise click.UsageError(f"{directory}: no such folder (build one with 'feeds build')")
        if base_url is not None:
            raise click.UsageError(
                "--base-url is for serving a store; a built folder has the links that "
                "'feeds build --base-url' gave it"
            )
        files = folder_files(directory)
    else:
        path = open_store(store).path
        files = store_files(
            path,
            imprecise=_imprecise(imprecise),
            base_url=check_base_url(base_url),
            built=build_time(),
        )
    try:
        server = make_server(files, host, port, timeout=timeout)
    except OSError as exc:
        files.close()
        raise RuhrtimelineError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    try:
        stderr(
            f"serving {len(files.names())} files at http://{shown}:{bound_port}/ (Ctrl-C to stop)"
        )
        server.serve_forever()
    except KeyboardInterrupt:
        stderr("stopped")
    finally:
        server.server_close()


def _generated(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--date, else SOURCE_DATE_EPOCH, else no date: a report never reads the clock."""
    from ruhrtimeline.errors import InvalidValue
    from ruhrtimeline.report import generated_at

    try:
        return generated_at(value, build_time())
    except InvalidValue as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@click.command(cls=Command)
@click.argument("year", metavar="[YEAR]", required=False, type=int, shell_complete=complete_year)
@click.option(
    "--all",
    "all_years",
    is_flag=True,
    help="One report per year that has events, plus an index, into the folder -o DIR.",
)
@click.option(
    "--year", "-y", "year_option", type=int, hidden=True, help="The same as YEAR."
)  # the period option of every other command, so that habit works here too
@filter_options_without_year
@format_option("markdown", "html", "json", "csv", help="markdown, html, json or csv.")
@click.option(
    "--date",
    "generated",
    metavar="DATE",
    callback=_generated,
    help="Date the report as generated on DATE [default: $SOURCE_DATE_EPOCH, else no date, so "
    "that reruns give the same bytes].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, allow_dash=True),
    metavar="FILE|DIR",
    help="Write to FILE (atomically); with --all, the folder DIR.",
)
@lang_option
@common_options
def report(
    year: int | None,
    all_years: bool,
    year_option: int | None,
    flt: EventFilter,
    fmt: str,
    generated: str | None,
    output: Path | None,
    lang: str | None,
    store: str | None,
) -> None:
    """Write a year's review: overview, the year's events, what only overlaps it, counts, first
    partners, plans for the next year, and every source cited.

    Instead of YEAR, --from and --to give any period; --all writes every year.

    Example: ruhrtimeline report 2019 --format html -o review-2019.html
    """
    from ruhrtimeline.publish import period_report, write_reports
    from ruhrtimeline.report import Period, render_report

    if year is not None and year_option is not None and year != year_option:
        raise click.UsageError("give the year once")
    year = year if year is not None else year_option
    custom = flt.first is not None or flt.last is not None
    if sum([year is not None, all_years, custom]) != 1:
        raise click.UsageError("give a YEAR, or --all, or a period with --from and --to")
    lang_ = language(lang)
    db = open_store(store)
    if all_years:
        if output is None or str(output) == "-":
            raise click.UsageError("--all writes one file a year: give the folder with -o DIR")
        reports = write_reports(db, output, fmt, lang_, flt, generated_at=generated)
        click.echo(f"{output}: {len(reports)} reports and an index")
        return
    if year is not None:
        period = Period.of_year(year)
    elif flt.first is not None and flt.last is not None:
        period = Period(flt.first, flt.last)
    else:
        raise click.UsageError("a custom period needs both --from and --to")
    emit(render_report(period_report(db, period, lang_, flt, generated_at=generated), fmt), output)
