"""Start-up stays light: what each everyday command imports (timings live in bench/)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("pydantic", "icalendar", "rich", "yaml", "jinja2")


def imported(*args: str, code: str | None = None) -> set[str]:
    """Top-level packages imported by a fresh interpreter running the command."""
    return {name.split(".")[0] for name in imported_modules(*args, code=code)}


def imported_modules(*args: str, code: str | None = None) -> set[str]:
    """Every module loaded by a fresh interpreter that runs the command (or ``code``).

    Read from ``sys.modules`` at the end: ``-X importtime`` misses what importlib loads."""
    if code is None:
        code = (
            "from ruhrtimeline.__main__ import main\n"
            "try:\n"
            f"    main({list(args)!r})\n"
            "except SystemExit:\n"
            "    pass\n"
        )
    script = f"{code}\nimport sys\nsys.stderr.write('\\nMODULES ' + ' '.join(sys.modules))\n"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(result.stderr.rsplit("\nMODULES ", 1)[1].split())


def test_importing_the_cli_module_imports_nothing_heavy() -> None:
    assert not imported(code="import ruhrtimeline.cli") & set(HEAVY)


def test_version_does_not_even_import_click() -> None:
    assert not imported("--version") & {"click", *HEAVY}


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--partner", "gzm", "--format", "json"],
        ["timeline"],
        ["show", "rvr-gzm-partnership-agreement-2019"],
        ["partners", "--format", "json"],
    ],
)
def test_warm_everyday_commands_import_nothing_heavy(args: list[str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "ruhrtimeline", *args], capture_output=True, check=True
    )  # warm the cache
    assert not imported(*args) & set(HEAVY)


def ruhrtimeline(*args: str, **env: str) -> str:
    # Pass os.environ explicitly: the process environment can differ from it in a test run.
    return subprocess.run(
        [sys.executable, "-m", "ruhrtimeline", *args],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, **env),
    ).stdout


def test_help_works_in_any_encoding_every_time() -> None:
    for _ in range(2):
        text = ruhrtimeline("feeds", "build", "--help", PYTHONIOENCODING="ascii")
        assert "Example: ruhrtimeline feeds build" in text
    assert "Usage: ruhrtimeline" in ruhrtimeline("--help")
    assert "Example: ruhrtimeline list" in ruhrtimeline("list", "--help", COLUMNS="150")


def test_only_the_command_that_runs_is_loaded() -> None:
    modules = imported_modules("list", "--format", "json")
    assert "ruhrtimeline.cli.views" in modules
    assert not {"ruhrtimeline.cli.publishing", "ruhrtimeline.cli.record"} & modules
    assert not {"ruhrtimeline.server", "ruhrtimeline.publish", "ruhrtimeline.ical"} & modules


def test_a_warm_listing_for_scripts_loads_no_writing_or_terminal_code() -> None:
    subprocess.run([sys.executable, "-m", "ruhrtimeline", "list"], capture_output=True, check=True)
    modules = imported_modules("list", "--partner", "gzm", "--format", "json")
    assert not {"ruhrtimeline.terminal", "ruhrtimeline.edits", "tempfile", "shutil"} & modules
