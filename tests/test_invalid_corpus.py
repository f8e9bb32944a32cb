"""Every broken store in data/invalid/ gives its precise message and exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, Cli

CORPUS = sorted((DATA / "invalid").glob("*.yaml"))


def expectation(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_broken_store(cli: Cli, path: Path) -> None:
    expected = expectation(path)
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{path}:") for line in lines)
    assert any(expected in line for line in lines), result.stdout
    assert "problem" in result.stderr


@pytest.mark.parametrize("path", CORPUS[:5], ids=[p.stem for p in CORPUS[:5]])
def test_broken_store_as_json(cli: Cli, path: Path) -> None:
    import json

    result = cli("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems and set(problems[0]) >= {"path", "line", "column", "field", "message"}


def test_other_commands_report_a_broken_store_in_one_line_each(cli: Cli) -> None:
    path = DATA / "invalid" / "unknown-partner.yaml"
    result = cli("list", "--store", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{path}:31:21: events[0] (id: agreement).partners[1]: unknown partner 'gzn'" in (
        result.stderr
    )


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_problem_is_told_in_german_too(cli: Cli, path: Path) -> None:
    english = cli("validate", str(path), "--lang", "en").stdout.splitlines()
    german = cli("validate", str(path), "--lang", "de").stdout.splitlines()
    assert len(english) == len(german)
    for en, de in zip(english, german, strict=True):
        # The same place and field, and a message of its own (YAML syntax errors come from
        # libyaml in English after a German lead-in).
        assert de.split(": ")[0] == en.split(": ")[0]
        assert de != en, de
