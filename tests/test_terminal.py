"""Terminal views: the timeline, the table and one event, at fixed widths in both languages."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from conftest import MINIMAL, Cli
from helpers import golden
from ruhrtimeline import load_store
from ruhrtimeline.cli import options
from ruhrtimeline.terminal import Table, grid, timeline, to_plain, to_rich, wrap

WIDTHS = [40, 60, 80, 120]


def assert_fits(text: str, width: int, wide: str) -> None:
    """No line is wider than ``width``, and no word is split: every word of ``text`` is a
    word of the same view drawn so wide that nothing wraps."""
    assert max(len(line) for line in text.splitlines()) <= width
    whole = set(wide.split())
    split = [
        token
        for token in text.split()
        if token not in whole  # a word, or a header, or the rule under the headers
        and token.removesuffix(":") not in whole  # a stacked block's "Header:"
        and set(token) - {"-"}
    ]
    assert not split, split[:10]


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("width", WIDTHS)
def test_timeline_golden(cli: Cli, lang: str, width: int) -> None:
    result = cli("timeline", "--lang", lang, "--width", str(width))
    assert result.exit_code == 0
    golden(f"timeline-{lang}-{width}.txt", result.stdout)
    assert_fits(result.stdout, width, cli("timeline", "--lang", lang, "--width", "1000").stdout)


def test_bare_command_is_the_timeline(cli: Cli) -> None:
    assert cli().stdout == cli("timeline").stdout
    assert cli("--lang", "de").stdout == cli("timeline", "--lang", "de").stdout


def test_timeline_marks_planned_and_imprecise(cli: Cli) -> None:
    text = cli("timeline", "--width", "100").stdout
    assert "o 2026 (planned)" in text
    assert "* c. Jun–Dec 2019" in text
    assert "* 30 Jan 2025, 09:00–11:30 CET" in text
    assert "[GMCA] [RVR] [NRW]" in text
    german = cli("timeline", "--width", "100", "--lang", "de").stdout
    assert "o 2026 (geplant)" in german and "8.–9. Aug. 2019" in german


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("width", WIDTHS)
def test_list_table_golden(cli: Cli, lang: str, width: int) -> None:
    result = cli("list", "--lang", lang, "--width", str(width))
    golden(f"list-{lang}-{width}.txt", result.stdout)
    assert "─" not in result.stdout and "\x1b[" not in result.stdout  # plain when piped
    assert_fits(result.stdout, width, cli("list", "--lang", lang, "--width", "1000").stdout)


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "view", [["partners"], ["topics"], ["show", "greater-manchester-mou-2021"]]
)
def test_every_view_fits_its_width(cli: Cli, lang: str, width: int, view: list[str]) -> None:
    text = cli(*view, "--lang", lang, "--width", str(width)).stdout
    wide = cli(*view, "--lang", lang, "--width", "1000").stdout
    if view[0] == "show":  # addresses stay whole so that they can be clicked
        text = "\n".join(line for line in text.splitlines() if "://" not in line)
    assert_fits(text, width, wide)


def test_narrow_tables_stack_and_wide_ones_do_not(cli: Cli) -> None:
    narrow = cli("list", "--width", "40", "--year", "2019").stdout
    assert "Title: " in narrow and "------" not in narrow
    wide = cli("list", "--width", "120", "--year", "2019").stdout
    assert wide.splitlines()[1].startswith("------") and "Title: " not in wide


def test_columns_and_sort(cli: Cli) -> None:
    text = cli("list", "--columns", "id,date", "--year", "2019", "--width", "80").stdout
    assert text.splitlines()[0].split() == ["ID", "Date"]
    assert "rvr-gzm-partnership-agreement-2019" in text
    ids = [e["id"] for e in json.loads(cli("list", "-f", "json", "--sort", "id").stdout)]
    assert ids == sorted(ids)
    by_title = json.loads(cli("list", "-f", "json", "--sort", "title", "--reverse").stdout)
    titles = [e["title"]["en"].casefold() for e in by_title]
    assert titles == sorted(titles, reverse=True)
    bad = cli("list", "--columns", "id,nonsense")
    assert bad.exit_code == 2 and "'nonsense'" in bad.stderr


@pytest.mark.parametrize("lang", ["en", "de"])
def test_show_golden(cli: Cli, lang: str) -> None:
    result = cli("show", "rvr-gzm-partnership-agreement-2019", "--lang", lang, "--width", "80")
    golden(f"show-agreement-{lang}.txt", result.stdout)


def test_show_has_everything(cli: Cli) -> None:
    text = cli("show", "greater-manchester-mou-2021", "--width", "200").stdout
    for part in (
        "Greater Manchester and the Metropole Ruhr sign",  # both titles
        "Greater Manchester und Metropole Ruhr unterzeichnen",
        "2–3 September 2021",
        "known to the day",
        "RVR plenary hall (Plenarsaal), Essen, DE",
        "Hans-Peter Noll, Deputy chair of the RVR assembly",
        "Andy Burnham, Mayor of Greater Manchester",
        "Regional devolution",
        "  1. Greater Manchester Combined Authority:",
        "  2. Regionalverband Ruhr:",
        "https://greatermanchester-ca.gov.uk/news/",
    ):
        assert part in text, part


def test_show_unknown_id(cli: Cli) -> None:
    result = cli("show", "rvr-gzm-agreement-2019")
    assert result.exit_code == 2
    assert "did you mean rvr-gzm-partnership-agreement-2019" in result.stderr


def test_partners_and_topics_tables(cli: Cli) -> None:
    golden("partners-en.txt", cli("partners", "--width", "100").stdout)
    topics = cli("topics", "--lang", "de", "--width", "80").stdout
    golden("topics-de.txt", topics)
    assert "Strukturwandel" in topics


def test_list_csv_and_markdown_parse_back(cli: Cli) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("list", "--format", "csv").stdout)))
    listed = json.loads(cli("list", "--format", "json").stdout)
    assert [r["id"] for r in rows] == [e["id"] for e in listed]
    agreement = next(r for r in rows if r["id"] == "rvr-gzm-partnership-agreement-2019")
    assert agreement["partners"] == "rvr gzm"
    assert agreement["start"] == "2019-08-08" and agreement["precision"] == "day"
    markdown = cli("list", "--format", "markdown", "--year", "2019").stdout.splitlines()
    assert markdown[1].startswith("|---") and len(markdown) == 2 + 5
    partners_csv = list(csv.DictReader(io.StringIO(cli("partners", "-f", "csv").stdout)))
    assert partners_csv[1]["name_en"].startswith("Metropolis GZM")


def test_filters_from_the_command_line(cli: Cli) -> None:
    def listed(*args: str) -> list[str]:
        result = cli("list", "--format", "json", *args)
        assert result.exit_code == 0, result.stderr
        return [e["id"] for e in json.loads(result.stdout)]

    assert listed("--partner", "gzm", "--year", "2019") == [
        "gzm-study-visit-green-infrastructure-2019",
        "rvr-gzm-partnership-agreement-2019",
    ]
    assert "ruhr-konferenz-themenforen-2018-2019" in listed("--year", "2019")
    assert listed("--status", "planned") == ["rvr-gzm-youth-cooperation-2026"]
    assert listed("--search", "NIKISZOWIEC") == ["rvr-gzm-partnership-agreement-2019"]
    assert listed("--search", "Gorlitz") == []
    assert listed("--precision", "time") == ["rvr-gzm-brownfields-conference-brussels-2025"]
    assert listed("-p", "gmca", "-p", "gzm", "--all-partners") == []
    assert listed("--topic", "YOUTH", "--from", "2025-06", "--to", "2025-06") == [
        "youth-parliaments-exchange-2025"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partner", "gzn"], "unknown partner 'gzn'; did you mean gzm?"),
        (["--topic", "yout"], "did you mean youth?"),
        (["--year", "20x5"], "'--year'"),
        (["--year", "0"], "'--year'"),
        (["--from", "2019-13"], "month 13 does not exist"),
        (["--from", "2020", "--to", "2019"], "before it starts"),
        (["--status", "postponed"], "'--status'"),
        (["--format", "yaml"], "'--format'"),
        (["--frm", "2019"], "--frm"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli("list", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr


def test_language_defaults(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    english = cli("timeline", "--year", "2018").stdout
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    german = cli("timeline", "--year", "2018").stdout
    assert "Apr 2018" in english and "Apr. 2018" in german
    monkeypatch.setenv("RUHRTIMELINE_LANG", "en")
    assert cli("timeline", "--year", "2018").stdout == english


def test_no_events_is_not_an_error(cli: Cli) -> None:
    result = cli("timeline", "--year", "1990")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "No events match" in result.stderr


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(options, "_isatty", lambda: True)
    assert options.Terminal(no_color=False, width=80).color
    assert not options.Terminal(no_color=True, width=80).color
    monkeypatch.setenv("NO_COLOR", "1")
    assert not options.Terminal(no_color=False, width=80).color
    monkeypatch.setattr(options, "_isatty", lambda: False)
    monkeypatch.delenv("NO_COLOR")
    assert not options.Terminal(no_color=False, width=80).tty


def test_fancy_timeline_renders_with_rich(bundled: Path) -> None:
    with load_store(bundled) as store:
        lines = timeline(store.events(), store.directory, "en", 80, fancy=True)
    console = Console(width=80, record=True, color_system="truecolor", file=io.StringIO())
    console.print(to_rich(lines), end="")
    text = console.export_text(styles=False, clear=False)
    assert "│" in text and "●" in text and "○" in text and "◐" in text
    assert " GZM " in text
    assert "\x1b[" in console.export_text(styles=True)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_wrap_and_grid_respect_width() -> None:
    lines = wrap([(w, "") for w in ("word " * 40).split()], 30, [("> ", "")], [("  ", "")])
    assert all(len("".join(t for t, _ in line)) <= 30 for line in lines)
    table = to_plain(grid(Table(["A", "Long"], [["x", "y " * 60]]), 40))
    assert max(len(line) for line in table.splitlines()) <= 40
    # One word longer than the whole width is the one that may be split.
    lone = to_plain(grid(Table(["A"], [["x" * 50]]), 40))
    assert max(len(line) for line in lone.splitlines()) <= 40


def test_every_command_and_option_has_help() -> None:
    import click

    from ruhrtimeline.cli import main

    context = click.Context(main)
    commands: list[tuple[str, click.Command]] = [("ruhrtimeline", main)]
    seen = []
    while commands:
        path, command = commands.pop()
        seen.append(command.name)
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None, name
                commands.append((f"{path} {name}", sub))
        else:
            assert command.help and f"Example: {path}" in command.help, path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.name}"
    assert {"timeline", "list", "show", "partners", "topics", "validate", "schema"} <= set(seen)


def test_help_is_plain_when_piped(cli: Cli) -> None:
    result = cli("list", "--help")
    assert result.exit_code == 0
    assert "Example: ruhrtimeline list" in result.stdout and "╭" not in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="bash completion")
def test_shell_completion_of_partner_ids(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        _RUHRTIMELINE_COMPLETE="bash_complete",
        COMP_WORDS="ruhrtimeline list --partner g",
        COMP_CWORD="3",
    )
    result = subprocess.run(
        [sys.executable, "-m", "ruhrtimeline"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert {"plain,gzm", "plain,gmca"} <= set(result.stdout.split())
    env.update(COMP_WORDS="ruhrtimeline show rvr-gzm-p", COMP_CWORD="2")
    result = subprocess.run(
        [sys.executable, "-m", "ruhrtimeline"], env=env, capture_output=True, text=True, check=False
    )
    assert result.stdout.split() == ["plain,rvr-gzm-partnership-agreement-2019"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_is_installed_once(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: str
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    script = cli("--show-completion", shell).stdout
    assert "ruhrtimeline" in script and "_RUHRTIMELINE_COMPLETE" in script
    for _ in range(2):
        result = cli("--install-completion", shell)
        assert result.exit_code == 0, result.stderr
    installed = Path(result.stdout.split(" installed in ")[1].split(";")[0])
    assert installed.read_text(encoding="utf-8") == script
    for rc in (".bashrc", ".zshrc", "Documents/PowerShell/Microsoft.PowerShell_profile.ps1"):
        if (tmp_path / rc).exists():
            lines = (tmp_path / rc).read_text(encoding="utf-8").splitlines()
            assert len(lines) == len(set(lines)) == 1


def test_places_and_short_names_in_each_language(cli: Cli) -> None:
    event_id = "rvr-gzm-brownfields-conference-brussels-2025"
    german = cli("show", event_id, "--lang", "de", "--width", "200").stdout
    english = cli("show", event_id, "--lang", "en", "--width", "200").stdout
    assert "Rue Montoyer 47, Brüssel, BE" in german and "[EU-Kommission]" in german
    assert "Rue Montoyer 47, Brussels, BE" in english and "[EU Commission]" in english
    assert "Representation of the State of North Rhine-Westphalia" in english
    listed = json.loads(cli("list", "--format", "json", "--search", "Montoyer").stdout)
    assert listed[0]["location"]["city"] == {"de": "Brüssel", "en": "Brussels"}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_failures_of_the_system_are_one_line_and_exit_1(tmp_path: Path) -> None:
    def run(*args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ruhrtimeline", *args],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with Path("/dev/full").open("w") as full:
        results = [run("list", "--format", "json", stdout=full.fileno())]
    results += [
        run("feeds", "build", str(blocker / "feeds")),
        run("report", "--all", "-o", str(blocker / "reports")),
    ]
    for result in results:
        assert result.returncode == 1, result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_cache_counts_only_its_own_files(cli: Cli) -> None:
    from ruhrtimeline.locations import cache_dir

    cli("list")
    (cache_dir() / "unrelated.sqlite3").write_text("x")
    (cache_dir() / "notes.txt").write_text("x")
    assert ": 1 index, " in cli("cache", "info").stdout
    assert cli("cache", "clear").stdout.startswith("removed 1 cached index ")
    assert (cache_dir() / "unrelated.sqlite3").exists()


def test_usage_errors_point_at_the_subcommands_help(cli: Cli) -> None:
    assert cli("list", "--year", "x").stderr.endswith("(see 'ruhrtimeline list --help')\n")
    assert "(see 'ruhrtimeline show --help')" in cli("show", "nope").stderr
    assert "(see 'ruhrtimeline export ics --help')" in cli("export", "ics", "-p", "x").stderr
    assert cli("show", "--help").stdout.startswith("Usage: ruhrtimeline show [OPTIONS] ID\n")
    for args in (["--year", "2019", "--year", "2020"], ["--all-partners"], ["--all-topics"]):
        result = cli("list", *args)
        assert result.exit_code == 2, args


def test_badges_read_everywhere_and_keep_brackets_without_colour(
    monkeypatch: pytest.MonkeyPatch, bundled: Path
) -> None:
    from ruhrtimeline.terminal import badge_style

    with load_store(bundled) as store:
        colours = {badge_style(store.directory, p.id) for p in store.partners()}
        assert len(colours) == len(store.partners())  # no two partners share a colour
        coloured = timeline(store.events(), store.directory, "en", 80, fancy=True, coloured=True)
        plain = timeline(store.events(), store.directory, "en", 80, fancy=True, coloured=False)
    assert " GZM " in to_plain(coloured) and "[GZM]" in to_plain(plain)
    assert "●" in to_plain(plain)  # Unicode markers stay on a terminal without colour
    for colour in colours:  # white text on each background: contrast at least 4.5:1
        red, green, blue = (int(colour[7:][i : i + 2], 16) / 255 for i in (0, 2, 4))
        lum = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
        ]
        luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
        assert 1.05 / (luminance + 0.05) >= 4.5, colour


def test_the_pager_gets_what_it_needs_to_show_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    import os as os_module

    seen: dict[str, str | None] = {}

    def pager(text: str) -> None:
        seen["LESS"] = os_module.environ.get("LESS")
        seen["text"] = text

    monkeypatch.delenv("LESS", raising=False)
    monkeypatch.setattr(options, "_isatty", lambda: True)
    monkeypatch.setattr("pydoc.pager", pager)
    options.Terminal(no_color=False, width=80, pager=True).lines([[("hello", "heading")]])
    assert seen["LESS"] == "FRX" and "hello" in str(seen["text"])
    monkeypatch.setenv("LESS", "-S")
    options.Terminal(no_color=False, width=80, pager=True).lines([[("again", "")]])
    assert seen["LESS"] == "-S"  # the user's own choice stays


def test_control_characters_are_shown_not_obeyed(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  - id: agreement\n", '  - id: agreement\n    "\\e]52;c;x\\a": 1\n'), "utf-8"
    )
    for args in (["validate", str(path)], ["list", "--store", str(path)]):
        result = cli(*args)
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stderr
        assert "\\x1b]52" in result.stdout + result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="bash completion")
def test_command_names_complete(tmp_path: Path) -> None:
    env = dict(os.environ, _RUHRTIMELINE_COMPLETE="bash_complete", COMP_WORDS="ruhrtimeline ca")
    env["COMP_CWORD"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "ruhrtimeline"], env=env, capture_output=True, text=True, check=False
    )
    assert set(result.stdout.split()) == {"plain,calendar", "plain,cache"}
