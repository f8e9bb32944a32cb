"""The command line: parses options, calls one library function, prints, sets the exit code.

The root group loads each command's module only when that command runs (click's documented
lazily loaded subcommands), so that everyday commands import only what they use.  Errors of
the library become one line on stderr: 1 for invalid data or a failed operation, 2 for bad
usage (an unknown id or a malformed value given here); the traceback only with ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from ruhrtimeline import __version__
from ruhrtimeline.errors import RuhrtimelineError

from .options import ENV_DEBUG, Settings, show_failure, stderr

SHELLS = ("bash", "zsh", "fish", "powershell")

# Command name → "module:attribute" of its click command (modules of this package).
COMMANDS = {
    "timeline": "views:timeline",
    "list": "views:list_events",
    "agenda": "views:agenda",
    "calendar": "views:calendar",
    "show": "views:show",
    "partners": "views:partners",
    "topics": "views:topics",
    "validate": "record:validate",
    "schema": "record:schema",
    "export": "publishing:export",
    "feeds": "publishing:feeds",
    "serve": "publishing:serve",
    "report": "publishing:report",
    "init": "keeping:init",
    "add": "keeping:add",
    "edit": "keeping:edit",
    "import": "keeping:import_events",
    "site": "site:site",
    "cache": "record:cache",
}
DEFAULT_COMMAND = "timeline"
# Root options that stand on their own; any other option before a command goes to the timeline.
_ROOT_ONLY = {"--help", "-h", "--version", "--install-completion", "--show-completion"}
_GLOBAL_WITH_VALUE = {"--store"}
_GLOBAL_FLAGS = {"--debug"}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; bare, it runs the timeline."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, name = target.split(":")
        command = getattr(importlib.import_module(f".{module}", __name__), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        full = with_default_command(args)
        if ctx.resilient_parsing and full == [*args, DEFAULT_COMMAND]:
            # Completing with nothing after the root's options: the word being typed may be a
            # command's name, so the default command is not put in its place.
            return super().parse_args(ctx, args)
        return super().parse_args(ctx, full)


def with_default_command(args: Sequence[str]) -> list[str]:
    """Bare, or with options only, the command shows the timeline: ``ruhrtimeline -p gzm``."""
    argv = list(args)
    position = 0
    while position < len(argv):  # skip global options (they belong to the root)
        if argv[position] in _GLOBAL_FLAGS:
            position += 1
        elif argv[position] in _GLOBAL_WITH_VALUE:
            position += 2
        elif argv[position].split("=", 1)[0] in _GLOBAL_WITH_VALUE:
            position += 1
        else:
            break
    rest = argv[position:]
    if not rest or (rest[0].startswith("-") and rest[0] not in _ROOT_ONLY):
        argv.insert(position, DEFAULT_COMMAND)
    return argv


def _completion(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from .completion import install, show

    (install if param.name == "install_completion" else show)(ctx, value)


def _version(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"ruhrtimeline {__version__}")
        ctx.exit()


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example: ruhrtimeline list --partner gzm --year 2019",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Show the version and exit.",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="PATH",
    help="Store file for every command [default: $RUHRTIMELINE_STORE, else ruhrtimeline.yaml "
    "or data/events.yaml in this folder or above, else the bundled store].",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.option(
    "--install-completion",
    type=click.Choice(("auto", *SHELLS)),
    is_flag=False,
    flag_value="auto",
    expose_value=False,
    is_eager=True,
    callback=_completion,
    help="Install completion for a shell (default: auto, the one you use).",
)
@click.option(
    "--show-completion",
    type=click.Choice(("auto", *SHELLS)),
    is_flag=False,
    flag_value="auto",
    expose_value=False,
    is_eager=True,
    callback=_completion,
    help="Print the completion script for a shell (default: auto), to install it yourself.",
)
@click.pass_context
def main(ctx: click.Context, store: str | None, debug: bool) -> None:
    """The Metropole Ruhr's international partnerships: timelines, calendar feeds and yearly
    reports from one validated store.

    Run bare, it shows the timeline. Every command takes --store PATH (or
    $RUHRTIMELINE_STORE); --help on any command shows its options and an example.
    """
    settings = ctx.ensure_object(Settings)
    settings.store = store
    settings.debug = settings.debug or debug


def run(args: Sequence[str]) -> int:
    """Run the command line with ``args``; return the exit status."""
    argv = list(args)
    debug = "--debug" in argv or bool(os.environ.get(ENV_DEBUG))
    if os.environ.get("_RUHRTIMELINE_COMPLETE", "").startswith("powershell"):
        from . import completion  # noqa: F401 (registers the PowerShell completion)
    try:
        result = main.main(argv, prog_name="ruhrtimeline", standalone_mode=False)
    except RuhrtimelineError as exc:
        return _failed(exc, debug)
    except click.ClickException as exc:
        _traceback(debug)
        command = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else ""
        hint = f" (see '{command} --help')" if exc.exit_code == 2 and command else ""
        stderr(f"error: {exc.format_message()}{hint}")
        return exc.exit_code
    except (KeyboardInterrupt, click.Abort):
        stderr("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full disk, a folder that may not be written: not our bug
        _traceback(debug)
        where = f"{exc.filename}: " if exc.filename else ""
        stderr(f"error: {where}{exc.strerror or exc}")
        return 1
    except Exception as exc:
        _traceback(debug)
        stderr(
            f"error: internal error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback, and please report it)"
        )
        return 1
    return result if isinstance(result, int) else 0


def _traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()


def _failed(exc: RuhrtimelineError, debug: bool) -> int:
    _traceback(debug)
    show_failure(exc)
    return 1
