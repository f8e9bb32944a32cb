"""Entry point of the ``ruhrtimeline`` command (and ``python -m ruhrtimeline``).

Kept free of heavy imports: ``--version`` answers without loading typer, and so does
``--help`` once its text is in the cache (importing typer alone costs four to five times an
empty interpreter's start).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import TextIO

_HELP = ("--help", "-h")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; ``argv`` defaults to the process's own arguments.

    Run as the process's entry point (no ``argv``), it ends with ``os._exit`` once the output
    is flushed: tearing down the ~300 imported modules would cost a sixth of the run time.
    The cyclic garbage collector stays off for the same reason (a command is short-lived;
    ``serve`` turns it back on).
    """
    entry_point = argv is None
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        from . import __version__

        sys.stdout.write(f"ruhrtimeline {__version__}\n")
        _finish(0, entry_point)
    help_key = _help_key(args) if entry_point else None
    if help_key is not None and _print_cached_help(help_key):
        _finish(0, entry_point)
    if entry_point:
        import gc

        gc.disable()
    for stream in (sys.stdout, sys.stderr):
        # Pipes on Windows default to the ANSI code page; our output is UTF-8 everywhere.
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    from .cli import run

    if not entry_point:
        run(args)
        return
    recorder = _Recorder(sys.stdout) if help_key is not None else None
    if recorder is not None:
        sys.stdout = recorder
    try:
        run(args)
    except SystemExit as exc:
        code = exc.code
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
            code = 1
        if recorder is not None and not code:
            _store_help(help_key, recorder.text())
        _finish(code or 0, entry_point)
    _finish(0, entry_point)


def _finish(code: int, entry_point: bool) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    if entry_point:
        os._exit(code)
    raise SystemExit(code)


# --- a cache of help texts ---------------------------------------------------------------


def _help_key(args: list[str]) -> str | None:
    """A key for a help request (command words then --help), or None for anything else.

    The key holds everything the text depends on: the version and the code of the command
    line, the words, and the terminal (width, colour, whether it is one).
    """
    if not args or args[-1] not in _HELP or any(a.startswith("-") for a in args[:-1]):
        return None
    if os.environ.get("RUHRTIMELINE_NO_CACHE") or "_RUHRTIMELINE_COMPLETE" in os.environ:
        return None
    from . import __version__

    here = os.path.dirname(os.path.abspath(__file__))
    try:
        stat = os.stat(os.path.join(here, "cli.py"))
        tty = sys.stdout.isatty()
        width = os.get_terminal_size(sys.stdout.fileno()).columns if tty else 0
    except (OSError, ValueError, AttributeError):
        return None
    parts = [
        __version__,
        str(stat.st_size),
        str(stat.st_mtime_ns),
        *args,
        str(tty),
        str(width),
        os.environ.get("COLUMNS", ""),
        os.environ.get("NO_COLOR", ""),
        os.environ.get("TERM", ""),
        os.environ.get("COLORTERM", ""),
    ]
    import hashlib

    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _help_file(key: str) -> str:
    from .locations import cache_dir

    return os.path.join(cache_dir(), f"help-{key}.txt")


def _print_cached_help(key: str) -> bool:
    try:
        with open(_help_file(key), encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return False
    sys.stdout.write(text)
    return True


def _store_help(key: str | None, text: str) -> None:
    if key is None or not text:
        return
    try:
        from .files import atomic_write
        from .locations import cache_dir

        os.makedirs(cache_dir(), exist_ok=True)
        atomic_write(_help_file(key), text)
    except Exception:  # noqa: S110 (the cache is never required)
        pass


class _Recorder:
    """Passes output through to the real stream and keeps a copy (for the help cache)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        written = self._stream.write(text)  # click probes with bytes; those fail here
        self._parts.append(text)
        return written

    def text(self) -> str:
        return "".join(self._parts)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


if __name__ == "__main__":
    main()
