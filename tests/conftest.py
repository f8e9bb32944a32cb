"""Shared fixtures: every test gets its own cache folder and a neutral environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from click.testing import CliRunner

from ruhrtimeline import Directory, Event, load_store
from ruhrtimeline.__main__ import main
from ruhrtimeline.locations import bundled_store_path

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
MINIMAL = DATA / "valid" / "minimal.yaml"
TODAY = "2026-12-02"


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # A folder with no store in it or above it: the bundled store is the default.
    monkeypatch.chdir(tmp_path_factory.mktemp("work"))
    for name in (
        "RUHRTIMELINE_STORE",
        "RUHRTIMELINE_LANG",
        "RUHRTIMELINE_NO_CACHE",
        "RUHRTIMELINE_DEBUG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANGUAGE",
        "NO_COLOR",
        "SOURCE_DATE_EPOCH",
        "COLUMNS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    # "Today" is fixed, so that agendas, calendars and today lines are the same every day.
    monkeypatch.setenv("RUHRTIMELINE_TODAY", TODAY)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


class Cli(Protocol):
    def __call__(self, *args: str, input: str | None = None) -> Result: ...


@pytest.fixture
def cli() -> Cli:
    """Run the command line in-process, through its entry point: ``cli("list", "-f", "json")``.

    Standard input, output and error are click's test streams (not a terminal)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        with runner.isolation(input=input) as (out, err, _):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            else:  # main always exits
                raise AssertionError("main() returned instead of exiting")
            stdout_bytes, stderr_bytes = out.getvalue(), err.getvalue()
        return Result(
            code,
            stdout_bytes.decode("utf-8", "replace"),
            stderr_bytes.decode("utf-8", "replace"),
            stdout_bytes,
        )

    return invoke


@pytest.fixture(scope="session")
def bundled() -> Path:
    return bundled_store_path()


@pytest.fixture(scope="module")
def events(bundled: Path) -> list[Event]:
    """The bundled store's events."""
    with load_store(bundled) as store:
        return store.events()


@pytest.fixture(scope="module")
def directory(bundled: Path) -> Directory:
    """The bundled store's partners and topics."""
    with load_store(bundled) as store:
        return store.directory
