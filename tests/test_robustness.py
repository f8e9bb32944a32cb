"""Hostile input gets a clear answer, every format survives any text, nothing half-written."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, MINIMAL, Cli
from helpers import event, write_store
from ics_check import check
from ruhrtimeline import EventFilter, StoreError, load_store
from ruhrtimeline.errors import OutputError
from ruhrtimeline.files import publish_folder
from ruhrtimeline.listing import event_json, events_csv, markdown_table
from ruhrtimeline.publish import export_ics, period_report
from ruhrtimeline.report import Period, to_html

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process, bounded in time."""
    return subprocess.run(
        [sys.executable, "-m", "ruhrtimeline", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=dict(os.environ, RUHRTIMELINE_NO_CACHE="1"),
    )


def test_bom_and_crlf_are_accepted(cli: Cli) -> None:
    result = cli("validate", str(DATA / "valid" / "bom-crlf.yaml"))
    assert result.exit_code == 0, result.stdout


def test_a_50_mb_string_is_refused_in_bounded_time_and_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    huge = "x" * (50 * 1024 * 1024)
    path.write_text(
        text.replace("      en: Partnership agreement", f"      en: {huge}"), encoding="utf-8"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = run("validate", str(path))
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:24:11: events[0] (id: agreement).title.en: ")
    assert str(50 * 1024 * 1024) in result.stdout  # the length it has
    assert "Traceback" not in result.stderr
    assert max(before, after) < 1024 * 1024  # KiB: below 1 GiB


def test_50_mb_of_binary_noise(tmp_path: Path) -> None:
    path = tmp_path / "noise.yaml"
    path.write_bytes(os.urandom(50 * 1024 * 1024))
    result = run("validate", str(path))
    assert result.returncode == 1
    assert "noise.yaml:" in result.stdout and "Traceback" not in result.stderr


def test_deep_nesting_and_many_aliases(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("events:\n  - id: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = run("validate", str(path))
    assert result.returncode == 1 and result.stdout.startswith(f"{path}:2:")
    assert "Traceback" not in result.stderr
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 12):
        prev, name = chr(96 + i), chr(97 + i)
        laughs.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    path.write_text("\n".join(laughs) + "\n")
    result = run("validate", str(path))
    assert result.returncode == 1 and "aliases" in result.stdout


# --- any text, through every format ----------------------------------------------------------

SPECIAL = st.sampled_from(
    [
        "\r\n",
        "\n",
        "\t",
        "\\",
        "\\n",
        ";",
        ",",
        ":",
        '"',
        "'",
        "<",
        ">",
        "&",
        "|",
        "*",
        "_",
        "#",
        "`",
        "[",
        "]",
        "\u202e",
        "\u200f",
        "שלום",
        "مرحبا",
        "🚆",
        "👩‍👩‍👧",
        "Górnośląsko",
        "ß",
        "\x00",
        "\x07",
        "\x1b[31m",
        "\u2028",
        "END:VEVENT",
        "BEGIN:VCALENDAR",
        "<script>",
        "-->",
        "]]>",
    ]
)
TEXT = st.lists(st.one_of(SPECIAL, st.text(max_size=12)), max_size=12).map("".join)


@FUZZ
@given(title=TEXT, summary=TEXT)
def test_any_text_is_refused_clearly_or_survives_every_format(title: str, summary: str) -> None:
    item = event(
        "x",
        "2019-08-09",
        title={"de": title, "en": title},
        summary={"de": summary, "en": summary},
        location={"name": title or "x", "country": "DE"},
        people=[{"name": title or "x"}],
    )
    path = write_store(Path(tempfile.mkdtemp()) / "s.yaml", [item])
    try:
        store = load_store(path, use_cache=False)
    except StoreError as exc:  # refused, with a message for each problem
        problems = exc.problems
        assert problems and all(p.message for p in problems)
        return
    (record,) = store.events()
    assert json.loads(json.dumps(event_json(record))) == event_json(record)

    data = b"".join(export_ics(store, EventFilter(), "en"))
    found = check(data)
    assert len(found["VEVENT"]) == 1
    component: Any = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(component["SUMMARY"]) == title
    assert str(component["DESCRIPTION"]).startswith(summary.strip())
    assert str(component["LOCATION"]).startswith(title)

    (row,) = csv.DictReader(io.StringIO(events_csv([record])))
    # A cell that a spreadsheet would run as a formula starts with an apostrophe.
    assert row["title_en"] in (title, "'" + title) and row["summary_en"] in (summary, "'" + summary)

    table = markdown_table(["Title"], [[title]])
    assert len(table.splitlines()) == 3  # nothing breaks out of its cell
    assert "<" not in table.replace("\\<", "")

    page = to_html(period_report(store, Period.of_year(2019), "en"))
    texts = _text_of(page)
    assert " ".join(title.split()) in " ".join(" ".join(texts).split())
    store.close()


def _text_of(page: str) -> list[str]:
    class Texts(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.chunks: list[str] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.chunks.append(data)

    parser = Texts()
    parser.feed(page)
    assert "script" not in parser.tags  # the report page has no script of its own
    return parser.chunks


# --- any bytes and any YAML, into the loader ------------------------------------------------


def _load(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        store = load_store(path, use_cache=False)
    except StoreError as exc:
        problems = exc.problems
    else:
        store.events()
        store.close()
        return
    assert problems and all(str(p) for p in problems)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    _load(tmp_path, data)


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(
    document=st.one_of(
        VALUES, st.fixed_dictionaries({"partners": VALUES, "topics": VALUES, "events": VALUES})
    )
)
def test_random_yaml(tmp_path: Path, document: Any) -> None:
    _load(tmp_path, yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@FUZZ
@given(data=st.data())
def test_damaged_valid_store(tmp_path: Path, data: st.DataObject) -> None:
    text = bytearray(MINIMAL.read_bytes())
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(text) - 1))
        action = data.draw(st.sampled_from(["delete", "replace", "insert"]))
        byte = data.draw(st.sampled_from(list(b" \t\n:-[]{}'\"&*!%@`#|>x9\x00\xff")))
        if action == "delete":
            del text[position]
        elif action == "replace":
            text[position] = byte
        else:
            text.insert(position, byte)
    _load(tmp_path, bytes(text))


# --- the command line misused -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["list", "--bogus"], 2, "--bogus"),
        (["bogus-command"], 2, "bogus-command"),
        (["list", "--from", "2019-02-30"], 2, "day 30 does not exist"),
        (["list", "--to", "soon"], 2, "is not a date"),
        (["list", "--year", "0"], 2, "--year"),
        (["list", "--year", "20x5"], 2, "--year"),
        (["list", "--store", "/nonexistent/store.yaml"], 2, "no such file"),
        (["show"], 2, "'ID'"),
        (["export", "ics", "--imprecise", "guess"], 2, "'guess'"),
        (["serve", "--port", "70000"], 2, "70000"),
    ],
)
def test_misuse_gets_one_line_and_the_right_code(
    cli: Cli, args: list[str], code: int, message: str
) -> None:
    result = cli(*args)
    assert result.exit_code == code
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["export", "ics"],
        ["report", "2019"],
        ["list", "--format", "json"],
        ["timeline", "-f", "svg"],
    ],
)
def test_output_into_a_missing_or_blocked_folder(
    cli: Cli, tmp_path: Path, command: list[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target in (tmp_path / "missing" / "out", blocker / "out"):
        result = cli(*command, "-o", str(target))
        assert result.exit_code == 1, result.stderr
        assert result.stderr.startswith(f"error: cannot write {target}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs a user whom file permissions bind"
)
def test_output_into_a_read_only_folder(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = cli("export", "ics", "-o", str(folder / "all.ics"))
        assert result.exit_code == 1 and "permission denied" in result.stderr.lower()
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_killed_writer_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "all.ics"
    target.write_bytes(b"the old feed\r\n")
    # The child stops inside the write (at fsync, before the rename) and is killed there.
    child = (
        "import os, sys, time\n"
        "def stall(fd):\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "os.fsync = stall\n"
        "from ruhrtimeline.__main__ import main\n"
        f"main(['export', 'ics', '-o', {str(target)!r}])\n"
    )
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "writing"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.stdout:
            process.stdout.close()
    assert target.read_bytes() == b"the old feed\r\n"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "all.ics"]
    assert all(name.startswith(".all.ics.") and name.endswith(".tmp") for name in leftovers)


def test_nothing_is_written_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("../escape.ics", "/tmp/escape.ics", "sub/escape.ics", "..", "a\\..\\b.ics"):
        with pytest.raises(OutputError):
            publish_folder(out, [(name, b"x")])
    assert list(tmp_path.iterdir()) == [out] and list(out.iterdir()) == []
