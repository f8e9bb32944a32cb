"""Publishing the whole record as a static site."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Group, build_time, common_options, open_store, today


@click.group(cls=Group, no_args_is_help=True)
def site() -> None:
    """Build the record's public site: home page, timeline, yearly reviews and feeds."""


@site.command("build")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--base-url",
    metavar="URL",
    help="Where DIR will be published (https://…/): adds subscribe links to the feeds page.",
)
@common_options
def site_build(directory: Path, base_url: str | None, store: str | None) -> None:
    """Write the whole site into DIR: a home page (what the record holds, the latest
    milestones, what is coming), the timeline, a review of every year, and the calendar feeds
    in feeds/, in English (NAME.html) and German (NAME.de.html), linked by one navigation.

    The folder works from file:// and on any static host; it makes no external requests.
    Rebuilding an unchanged store changes no file. "What is coming" starts today
    ($RUHRTIMELINE_TODAY=YYYY-MM-DD, else the local date).

    Example: ruhrtimeline site build public/ --base-url https://example.org/
    """
    from ruhrtimeline.site import build_site

    results = build_site(
        open_store(store), directory, today=today(), base_url=base_url, built=build_time()
    )
    written = sum(1 for _, changed in results if changed)
    click.echo(
        f"{directory}: {len(results)} files, {written} written, {len(results) - written} unchanged"
    )
