"""Entry point of the ``ruhrtimeline`` command (and ``python -m ruhrtimeline``).

Kept free of imports so that ``--version`` answers without loading typer at all.
"""

from __future__ import annotations

import sys


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
        sys.stdout.flush()
        if entry_point:
            _exit(0)
        raise SystemExit(0)
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
    try:
        run(args)
    except SystemExit as exc:
        code = exc.code
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
            code = 1
        _exit(code or 0)
    _exit(0)


def _exit(code: int) -> None:
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    main()
