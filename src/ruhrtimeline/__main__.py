"""Entry point of the ``ruhrtimeline`` command (and ``python -m ruhrtimeline``).

``--version`` answers before the command line is even imported.  Run as the process's entry
point, the command ends with ``os._exit`` once its output is flushed: tearing down the few
hundred imported modules would cost a sixth of a short command's run time, and a command has
nothing else to clean up (files are written atomically and closed before it returns).  The
cyclic garbage collector stays off for the same reason (``serve`` turns it back on).
"""

from __future__ import annotations

import contextlib
import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run the command line; ``argv`` defaults to the process's own arguments.

    With ``argv`` given (as tests do), it raises ``SystemExit`` with the status instead of
    ending the process."""
    entry_point = argv is None
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        from . import __version__

        sys.stdout.write(f"ruhrtimeline {__version__}\n")
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

    _finish(run(args), entry_point)


def _finish(code: int, entry_point: bool) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as exc:  # output that could not be written to the end (a full disk)
        sys.stderr.write(f"error: cannot write the output: {exc.strerror or exc}\n")
        code = code or 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    if entry_point:
        os._exit(code)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
