"""The record itself: validate, schema, and the cache of indexes."""

from __future__ import annotations

from pathlib import Path

import click

from ruhrtimeline.errors import StoreError

from .options import (
    Command,
    Group,
    Settings,
    common_options,
    debug_option,
    emit,
    format_option,
    lang_option,
    language,
    output_option,
    stderr,
    today,
)


@click.command(cls=Command)
@click.argument(
    "path", metavar="[PATH]", required=False, type=click.Path(dir_okay=True, path_type=str)
)
@format_option("text", "json", help="text, or json (a list of problems) for editors and CI.")
@click.option(
    "--strict", is_flag=True, help="Warnings are problems too (exit status 1 when there are any)."
)
@lang_option
@common_options
def validate(path: str | None, fmt: str, strict: bool, lang: str | None, store: str | None) -> None:
    """Check a store and report every problem at once, as file:line:column: field: message.

    PATH is the store to check [default: --store, $RUHRTIMELINE_STORE, a store in this
    folder or above, else the bundled store]. Exit status 0 when valid, 1 when not.
    Warnings (a text left untranslated, a planned event whose period has passed, an
    'updated' date in the future) do not count unless --strict.

    Example: ruhrtimeline validate data/events.yaml --format json
    """
    from ruhrtimeline.i18n import count_events, counted, problem_text, word
    from ruhrtimeline.listing import json_text
    from ruhrtimeline.store import load_store
    from ruhrtimeline.terminal import safe

    lang_ = language(lang)
    target = path or store or click.get_current_context().ensure_object(Settings).store
    if target is not None and not Path(target).exists():
        raise click.UsageError(f"{target}: no such file")
    try:
        db = load_store(target, fresh=True)  # the file itself, not what the cache says of it
    except StoreError as exc:
        if fmt == "json":
            problems = [
                {**p.as_dict(), "message": problem_text(p.message, lang_)} for p in exc.problems
            ]
            emit(json_text(problems), None)
        else:
            for problem in exc.problems:
                click.echo(safe(problem.render(problem_text(problem.message, lang_))))
            n = len(exc.problems)
            stderr(word("problem_in" if n == 1 else "problems_in", lang_, n=n, path=exc.path))
        raise click.exceptions.Exit(1) from None
    with db:
        warnings = db.warnings(today())
        if fmt == "json":
            found = [
                {**p.as_dict(), "message": problem_text(p.message, lang_), "warning": True}
                for p in warnings
            ]
            emit(json_text(found), None)
        else:
            label = word("warning", lang_)
            for problem in warnings:
                click.echo(safe(problem.render(f"{label}: {problem_text(problem.message, lang_)}")))
            events = count_events(db.count(), lang_)
            partners = counted("partner", len(db.partners()), lang_)
            topics = counted("topic", len(db.topics()), lang_)
            valid = word(
                "valid", lang_, path=db.path, events=events, partners=partners, topics=topics
            )
            click.echo(safe(valid))
            if warnings:
                n = len(warnings)
                stderr(word("warning_in" if n == 1 else "warnings_in", lang_, n=n, path=db.path))
    if strict and warnings:
        raise click.exceptions.Exit(1)


@click.command(cls=Command)
@output_option
@common_options
def schema(output: Path | None, store: str | None) -> None:
    """Print the JSON Schema of the store file, made from the data model.

    Editors with the YAML language server use it to check and complete the store as you type.

    Example: ruhrtimeline schema -o docs/store.schema.json
    """
    from ruhrtimeline.listing import json_text
    from ruhrtimeline.models import store_json_schema

    emit(json_text(store_json_schema()), output)


@click.group(cls=Group, no_args_is_help=True)
def cache() -> None:
    """Inspect or clear the cache of store indexes."""


@cache.command("clear")
@debug_option
def cache_clear() -> None:
    """Remove every cached store index (they are rebuilt when needed).

    Example: ruhrtimeline cache clear
    """
    from ruhrtimeline.locations import cache_dir
    from ruhrtimeline.store import clear_cache

    removed = clear_cache()
    click.echo(f"removed {removed} cached index{'es' if removed != 1 else ''} from {cache_dir()}")


@cache.command("info")
@debug_option
def cache_info() -> None:
    """Show where the cache is and what it holds.

    Example: ruhrtimeline cache info
    """
    from ruhrtimeline.store import cache_summary

    folder, count, size = cache_summary()
    click.echo(f"{folder}: {count} index{'es' if count != 1 else ''}, {size / 1024:.0f} KiB")
