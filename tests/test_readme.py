"""The README's examples are what the command prints today (UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from conftest import Cli
from ruhrtimeline.locations import bundled_store_path

README = Path(__file__).parent.parent / "README.md"
CONSOLE = re.compile(r"```console\n\$ (ruhrtimeline [^\n]*)\n(.*?)```", re.DOTALL)
# The excerpt of a report: its first lines, then "  …".
EXCERPT = re.compile(
    r"(The beginning of `(ruhrtimeline [^`]*)`:\n\n```markdown\n)(.*?)(  …\n```)", re.DOTALL
)
EXCERPT_LINES = 15


def test_console_examples_are_current(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    root = README.parent
    monkeypatch.chdir(root)  # the examples name files of the repository (tests/data/…)
    # … but show the bundled store, not the clone's data/events.yaml found from there.
    monkeypatch.setenv("RUHRTIMELINE_STORE", str(bundled_store_path()))

    def output(command: str) -> str:
        result = cli(*shlex.split(command)[1:])
        return result.stdout + result.stderr

    def console(match: re.Match[str]) -> str:
        return f"```console\n$ {match.group(1)}\n{output(match.group(1))}```"

    def excerpt(match: re.Match[str]) -> str:
        lines = output(match.group(2)).splitlines(keepends=True)[:EXCERPT_LINES]
        return match.group(1) + "".join(lines) + match.group(4)

    current = EXCERPT.sub(excerpt, CONSOLE.sub(console, text))
    assert CONSOLE.search(text) and EXCERPT.search(text)
    if os.environ.get("UPDATE_GOLDEN"):
        README.write_text(current, encoding="utf-8")
    assert current == text, "README examples differ from the output (UPDATE_GOLDEN=1)"


WORKED = re.compile(r"A worked example:.*?```sh\n(.*?)```", re.DOTALL)


def test_the_worked_example_keeps_a_record(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command of "Keeping the record" runs, in a new folder, as the README shows it."""
    match = WORKED.search(README.read_text(encoding="utf-8"))
    assert match
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2026-12-02")
    monkeypatch.delenv("RUHRTIMELINE_STORE", raising=False)
    printed = ""
    for line in match.group(1).splitlines():
        if line.startswith("# prints: "):
            assert printed == line.removeprefix("# prints: ") + "\n"
            continue
        words = shlex.split(line, comments=True)
        assert words[0] == "ruhrtimeline"
        result = cli(*words[1:])
        assert result.exit_code == 0, (line, result.stderr)
        printed = result.stdout
    assert "ruhrtimeline.yaml: valid (1 event, 2 partners, 1 topic)" in printed
    store = (tmp_path / "ruhrtimeline.yaml").read_text(encoding="utf-8")
    assert "date: 2024-06-12\n" in store and "Metropole Ruhr" not in store
