"""Shared fixtures: every test gets its own cache folder and a neutral environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from typer.testing import CliRunner

from ruhrtimeline import EventRecord, load_store
from ruhrtimeline.cli import app
from ruhrtimeline.i18n import Names
from ruhrtimeline.locations import bundled_store_path

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
MINIMAL = DATA / "valid" / "minimal.yaml"


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
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
    """Run the command line in-process: ``cli("list", "--format", "json")``."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)

    return invoke


@pytest.fixture(scope="session")
def bundled() -> Path:
    return bundled_store_path()


@pytest.fixture(scope="module")
def records(bundled: Path) -> list[EventRecord]:
    """The bundled store's events."""
    return load_store(bundled).events()


@pytest.fixture(scope="module")
def names(bundled: Path) -> Names:
    store = load_store(bundled)
    return Names(store.partner_map(), store.topic_map())
