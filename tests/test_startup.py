"""Start-up stays light: what each everyday command imports (timings live in bench/)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("pydantic", "icalendar", "rich", "yaml", "jinja2")


def imported(*args: str, code: str | None = None) -> set[str]:
    """Top-level packages imported by a fresh interpreter running the command."""
    command = [sys.executable, "-X", "importtime"]
    command += ["-c", code] if code else ["-m", "ruhrtimeline", *args]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_importing_the_cli_module_imports_nothing_heavy() -> None:
    assert not imported(code="import ruhrtimeline.cli") & set(HEAVY)


def test_version_does_not_even_import_typer() -> None:
    assert not imported("--version") & {"typer", *HEAVY}


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


def test_help_comes_from_the_cache_the_second_time() -> None:
    first = ruhrtimeline("--help")
    assert "Usage: ruhrtimeline" in first and "timeline" in first
    second = imported("--help")
    assert "typer" not in second  # answered from the cache
    assert ruhrtimeline("--help") == first
    assert "Example: ruhrtimeline list" in ruhrtimeline("list", "--help", COLUMNS="150")
    cleared = ruhrtimeline("cache", "clear")
    assert cleared.startswith("removed 2 ")  # both help texts (no store index was built)
    assert "typer" in imported("--help")
