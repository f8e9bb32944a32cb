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
