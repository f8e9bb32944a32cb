"""Keeping the record: init, add, edit and import, on any store, never leaving it broken."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import TODAY, Cli
from helpers import event, write_store
from ruhrtimeline import Store, Text, load_store


@pytest.fixture
def store(tmp_path: Path, bundled: Path) -> Path:
    """A copy of the bundled store, with its comments and layout."""
    path = tmp_path / "events.yaml"
    shutil.copy(bundled, path)
    return path


def lines_outside(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines only in ``before`` and only in ``after`` (what a change touched)."""
    import difflib

    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


ADD = [
    "add",
    "event",
    "--date",
    "2026-03-12",
    "--title-en",
    "Youth forum: Katowice",
    "--title-de",
    "Jugendforum in Katowice",
    "--summary-en",
    "Young people from the GZM and the Ruhr meet in Katowice to plan joint projects.",
    "--summary-de",
    "Junge Menschen aus der GZM und dem Ruhrgebiet planen in Katowice gemeinsame Projekte.",
    "-p",
    "rvr",
    "-p",
    "gzm",
    "-t",
    "youth",
    "--source",
    "https://www.example.org/news/youth-forum-katowice",
    "--city",
    "Katowice",
    "--country",
    "PL",
    "--status",
    "planned",
]


def test_init_makes_a_valid_store_and_refuses_to_overwrite(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ruhrtimeline.yaml"
    result = cli("init", str(path), "--title-en", "Leeds partnership", "--title-de", "Leeds")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "store.schema.json").exists()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=store.schema.json")
    assert cli("validate", str(path)).stdout.startswith(f"{path}: valid (0 events")
    again = cli("init", str(path))
    assert again.exit_code == 1 and "exists already" in again.stderr
    assert path.read_text(encoding="utf-8") == text


def test_add_event_changes_only_its_own_lines(cli: Cli, store: Path) -> None:
    before = store.read_text(encoding="utf-8")
    result = cli(*ADD, "--store", str(store))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "youth-forum-katowice-2026\n"
    after = store.read_text(encoding="utf-8")
    removed, added = lines_outside(before, after)
    assert removed == [] and "  - id: youth-forum-katowice-2026" in added
    assert '      en: "Youth forum: Katowice"' in added and f'    updated: "{TODAY}"' in added
    # Every byte before the new event is as it was; the eras after it too.
    inserted = after.index("\n\n  - id: youth-forum-katowice-2026")
    assert after[:inserted] == before[:inserted]
    assert after.endswith(before[before.index("\neras:") :])
    with load_store(store) as db:
        assert db.cached  # the index followed the write: no rebuild
        new = db.event("youth-forum-katowice-2026")
        assert (new.status, new.date.text, new.partners) == (
            "planned",
            "2026-03-12",
            ("rvr", "gzm"),
        )
        assert new.sources[0].publisher == "example.org"
        assert new.sources[0].title == "Youth forum katowice"
    assert cli("validate", str(store)).exit_code == 0


def test_add_event_the_same_twice_gets_another_id(cli: Cli, store: Path) -> None:
    assert cli(*ADD, "--store", str(store)).stdout == "youth-forum-katowice-2026\n"
    assert cli(*ADD, "--store", str(store)).stdout == "youth-forum-katowice-2026-2\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--date", "2026-02-30"], "day 30 does not exist"),
        (["-p", "nope"], "unknown partner 'nope'"),
        (["--source", "ftp://example.org/x"], "is not a web address"),
        (["--country", "UK"], "the United Kingdom is GB"),
        (["--id", "gzm-founded-2017"], "the store has it already"),
        (["--timezone", "Europe/Berlin"], "a timezone belongs only to a date with a time"),
    ],
)
def test_bad_input_leaves_the_store_untouched(
    cli: Cli, store: Path, change: list[str], message: str
) -> None:
    before = store.read_bytes()
    mtime = store.stat().st_mtime_ns
    args = list(ADD)
    for option, value in zip(change[::2], change[1::2], strict=True):
        if option in args and option not in ("-p",):
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    result = cli(*args, "--store", str(store))
    assert result.exit_code in (1, 2), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert store.read_bytes() == before and store.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.ics", "BEGIN:VCALENDAR\nnot a line\n", "not an iCalendar file"),
        ("a.json", "[{", "not JSON"),
        ("a.json", "[1]", "item 1 is not an event"),
        ("a.txt", "just words\n", "needs the columns id and date"),
    ],
)
def test_a_file_that_is_not_what_it_should_be_is_invalid_data(
    cli: Cli, store: Path, tmp_path: Path, name: str, content: str, message: str
) -> None:
    before = store.read_bytes()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = cli("import", str(path), "--store", str(store))
    assert result.exit_code == 1 and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and store.read_bytes() == before


def test_missing_fields_in_a_script_are_usage_errors_naming_them(cli: Cli, store: Path) -> None:
    before = store.read_bytes()
    result = cli("add", "event", "--date", "2026", "--title-en", "x", "--store", str(store))
    assert result.exit_code == 2
    assert "--title-de" in result.stderr and "--partner" in result.stderr
    assert "--source" in result.stderr
    assert store.read_bytes() == before


def test_add_partner_and_topic_then_an_event_using_them(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ruhrtimeline.yaml"
    assert cli("init", str(path)).exit_code == 0
    assert (
        cli(
            "add",
            "partner",
            "--id",
            "leeds",
            "--name",
            "Leeds City Council",
            "--short",
            "Leeds",
            "--kind",
            "city",
            "--country",
            "gb",
            "--store",
            str(path),
        ).exit_code
        == 0
    )
    assert (
        cli(
            "add",
            "topic",
            "--id",
            "sport",
            "--label-en",
            "Sport",
            "--label-de",
            "Sport",
            "--store",
            str(path),
        ).exit_code
        == 0
    )
    result = cli(
        "add",
        "event",
        "--date",
        "2025-05",
        "--title-en",
        "A visit",
        "--title-de",
        "Ein Besuch",
        "-p",
        "leeds",
        "-t",
        "sport",
        "--source",
        "https://leeds.gov.uk/a",
        "--online",
        "--store",
        str(path),
    )
    assert result.exit_code == 0, result.stderr
    listed = json.loads(cli("list", "-f", "json", "--store", str(path)).stdout)
    assert listed[0]["partners"] == ["leeds"] and listed[0]["location"]["online"] is True
    assert cli("validate", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "#  - id: rvr" in text  # the template's commented examples stay


def test_edit_set_changes_only_the_fields_and_stamps_updated(cli: Cli, store: Path) -> None:
    before = store.read_text(encoding="utf-8")
    result = cli(
        "edit",
        "ema-forum-katowice-2022",
        "--set",
        "date=2022-06-27",
        "--set",
        "title.en=The RVR at the EMA forum",
        "--set",
        "topics=resilience",
        "--store",
        str(store),
    )
    assert result.exit_code == 0, result.stderr
    removed, added = lines_outside(before, store.read_text(encoding="utf-8"))
    assert sorted(added) == sorted(
        [
            "    date: 2022-06-27",
            "      en: The RVR at the EMA forum",
            "    topics: [resilience]",
            f'    updated: "{TODAY}"',
        ]
    )
    assert len(removed) == 4
    with load_store(store) as db:
        assert db.cached
        changed = db.event("ema-forum-katowice-2022")
        assert changed.date.text == "2022-06-27" and changed.topics == ("resilience",)
    bad = cli("edit", "ema-forum-katowice-2022", "--set", "status=postponed", "--store", str(store))
    assert bad.exit_code == 2 and "'postponed' is not allowed" in bad.stderr
    unknown = cli("edit", "ema-forum-katowice-2022", "--set", "colour=red", "--store", str(store))
    assert unknown.exit_code == 2 and "cannot be set" in unknown.stderr


EDITOR = """\
#!{python}
import pathlib, sys
counter = pathlib.Path(sys.argv[0]).with_suffix(".count")
n = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(n + 1))
path = pathlib.Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
steps = {steps!r}
old, new = steps[min(n, len(steps) - 1)]
path.write_text(text.replace(old, new, 1), encoding="utf-8")
"""


def editor(tmp_path: Path, *steps: tuple[str, str]) -> str:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.format(python=sys.executable, steps=list(steps)), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_edit_in_an_editor_checks_the_whole_store(
    cli: Cli, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "en: The RVR at the European Metropolitan Authorities forum in Katowice"
    monkeypatch.setenv("EDITOR", editor(tmp_path, (title, "en: The RVR at the EMA forum")))
    monkeypatch.delenv("VISUAL", raising=False)
    result = cli("edit", "ema-forum-katowice-2022", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    with load_store(store) as db:
        changed = db.event("ema-forum-katowice-2022")
        assert changed.title.en == "The RVR at the EMA forum"
        assert changed.updated is not None and changed.updated.isoformat() == TODAY


def test_a_broken_edit_in_a_script_gives_up_without_asking(
    cli: Cli, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.read_bytes()
    broken = ("date: 2022-06-26/2022-06-27", "date: 2022-06-31")
    monkeypatch.setenv("EDITOR", editor(tmp_path, broken))
    monkeypatch.delenv("VISUAL", raising=False)
    gave_up = cli("edit", "ema-forum-katowice-2022", "--store", str(store))
    assert gave_up.exit_code == 1
    assert "day 31 does not exist" in gave_up.stderr and "Edit again?" not in gave_up.stderr
    assert "is unchanged" in gave_up.stderr and store.read_bytes() == before


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
@pytest.mark.parametrize("answer", ["y", "n"])
def test_a_broken_edit_can_be_edited_again_or_given_up(
    store: Path, tmp_path: Path, answer: str
) -> None:
    pexpect = pytest.importorskip("pexpect")
    before = store.read_bytes()
    # Broken the first time, mended the second.
    steps = (
        ("date: 2022-06-26/2022-06-27", "date: 2022-06-31"),
        ("date: 2022-06-31", "date: 2022-06-26"),
    )
    env = dict(os.environ, RUHRTIMELINE_TODAY=TODAY, TERM="xterm", EDITOR=editor(tmp_path, *steps))
    env.pop("VISUAL", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ruhrtimeline", "edit", "ema-forum-katowice-2022", "--store", str(store)],
        env=env,
        encoding="utf-8",
        timeout=20,
    )
    try:
        child.expect("day 31 does not exist")
        child.expect("Edit again")
        child.sendline(answer)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    if answer == "n":
        assert child.exitstatus == 1 and store.read_bytes() == before
        return
    assert child.exitstatus == 0, child.before
    with load_store(store) as db:
        assert db.event("ema-forum-katowice-2022").date.text == "2022-06-26"


def test_json_and_csv_round_trips_change_nothing(cli: Cli, store: Path, tmp_path: Path) -> None:
    before = store.read_bytes()
    for fmt in ("json", "csv"):
        exported = tmp_path / f"events.{fmt}"
        assert cli("list", "-f", fmt, "-o", str(exported), "--store", str(store)).exit_code == 0
        result = cli("import", str(exported), "--store", str(store))
        assert result.exit_code == 0, result.stderr
        assert "nothing to do" not in result.stderr and "unchanged 27" in result.stderr, fmt
    assert store.read_bytes() == before


def test_a_spreadsheet_edit_comes_back_as_a_change(cli: Cli, store: Path, tmp_path: Path) -> None:
    table = cli("list", "-f", "csv", "--store", str(store)).stdout_bytes.decode()
    edited = table.replace("Metropolis GZM founded", "The Metropolis GZM is founded")
    path = tmp_path / "edited.csv"
    path.write_text(edited, encoding="utf-8")
    dry = cli("import", str(path), "--dry-run", "--store", str(store))
    assert "would update 1: gzm-founded-2017" in dry.stderr
    result = cli("import", str(path), "--store", str(store))
    assert "updated 1: gzm-founded-2017; unchanged 26" in result.stderr
    with load_store(store) as db:
        assert db.event("gzm-founded-2017").title.en == "The Metropolis GZM is founded"


def test_ics_round_trip_keeps_dates_and_precisions(
    cli: Cli, bundled: Path, store: Path, tmp_path: Path
) -> None:
    # A new store with the bundled partners and topics and no events.
    text = store.read_text(encoding="utf-8")
    empty = tmp_path / "empty.yaml"
    empty.write_text(text[: text.index("\nevents:")] + "\nevents: []\n", encoding="utf-8")
    for lang in ("en", "de"):
        feed = tmp_path / f"all.{lang}.ics"
        assert cli("export", "ics", "--lang", lang, "-o", str(feed)).exit_code == 0
        result = cli("import", str(feed), "--lang", lang, "--store", str(empty))
        assert result.exit_code == 0, result.stderr
    imported = {
        e["id"]: e for e in json.loads(cli("list", "-f", "json", "--store", str(empty)).stdout)
    }
    original = {e["id"]: e for e in json.loads(cli("list", "-f", "json").stdout)}
    assert imported.keys() == original.keys()
    for event_id, item in original.items():
        mine = imported[event_id]
        for key in ("date", "precision", "start", "end", "timezone", "status", "partners"):
            assert mine[key] == item[key], (event_id, key)
        assert mine["title"] == item["title"], event_id  # both languages, our own suffixes gone
    with load_store(empty) as db:  # a place read in each language has a name in each
        place = db.event("rvr-gzm-brownfields-conference-brussels-2025").location
    assert place is not None and place.city == Text("Brüssel", "Brussels")
    again = cli("import", str(tmp_path / "all.en.ics"), "--store", str(empty))
    assert "unchanged 27" in again.stderr  # re-importing updates, never duplicates


def test_an_invitation_becomes_an_event(cli: Cli, store: Path, tmp_path: Path) -> None:
    invitation = tmp_path / "invite.ics"
    invitation.write_text(
        textwrap.dedent(
            """\
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example//Invite//EN
            METHOD:REQUEST
            BEGIN:VEVENT
            UID:8f2c1e0a-1234@example.org
            DTSTAMP:20261101T120000Z
            DTSTART;TZID=Europe/London:20270115T100000
            DTEND;TZID=Europe/London:20270115T123000
            SUMMARY:Greater Manchester – Ruhr culture exchange
            DESCRIPTION:A morning on culture partnerships.
            LOCATION:Town Hall\\, Manchester\\, GB
            END:VEVENT
            END:VCALENDAR
            """
        ).replace("\n", "\r\n"),
        encoding="utf-8",
    )
    result = cli(
        "import",
        str(invitation),
        "-p",
        "gmca",
        "-p",
        "rvr",
        "-t",
        "culture",
        "--source",
        "https://www.example.org/exchange",
        "--store",
        str(store),
    )
    assert result.exit_code == 0, result.stderr
    assert "added 1: greater-manchester-ruhr-culture-exchange-2027" in result.stderr
    assert "copied into de" in result.stderr
    with load_store(store) as db:
        new = db.event("greater-manchester-ruhr-culture-exchange-2027")
    assert new.date.text == "2027-01-15T10:00/2027-01-15T12:30" and new.timezone == "Europe/London"
    assert new.partners == ("gmca", "rvr") and new.location is not None
    assert new.location.label("en") == "Town Hall, Manchester, GB"
    assert new.title.de == new.title.en


def test_a_big_store_is_written_into_and_stays_warm(cli: Cli, tmp_path: Path) -> None:
    events = [event(f"e{i}", f"20{10 + i % 15}-0{1 + i % 9}", ["rvr"]) for i in range(300)]
    path = write_store(tmp_path / "big.yaml", events)
    assert cli("list", "--store", str(path), "-f", "json").exit_code == 0  # builds the index
    assert cli(*ADD, "--store", str(path)).exit_code == 0
    with load_store(path) as warm:
        assert warm.cached and warm.count() == 301
        spans = {e.id: warm.span("event", e.id) for e in warm.events()}
    with load_store(path, use_cache=False) as fresh:  # the index holds what a rebuild finds
        assert {e.id: fresh.span("event", e.id) for e in fresh.events()} == spans


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
def test_left_out_fields_are_asked_for_at_a_terminal(store: Path, tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, RUHRTIMELINE_TODAY=TODAY, TERM="xterm")
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "ruhrtimeline",
            "add",
            "event",
            "--store",
            str(store),
            "--title-en",
            "A visit",
            "--title-de",
            "Ein Besuch",
        ],
        env=env,
        encoding="utf-8",
        timeout=20,
    )
    try:
        child.expect("Date")
        child.sendline("2026-13")  # not a date: asked again
        child.expect("month 13 does not exist")
        child.sendline("2026-05")
        child.expect("Partners")
        child.send("gm\t")  # completion of partner ids
        child.expect("gmca")
        child.sendline(" rvr")
        child.expect("Topics")
        child.sendline("yuoth")  # not a topic: asked again, with the close match
        child.expect("did you mean youth")
        child.sendline("")
        child.expect("Source")
        child.sendline("https://www.example.org/visit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    with load_store(store) as db:
        added = db.event("a-visit-2026")
    assert added.partners == ("gmca", "rvr") and added.date.text == "2026-05"


@pytest.mark.skipif(shutil.which("vi") is None, reason="needs vi")
def test_vi_opens_the_store_at_the_event(
    cli: Cli, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real editor, scripted in Ex mode once it has started (at the event's line): the next
    # status from there becomes "cancelled".
    script = "autocmd VimEnter * /status:/s/held/cancelled/ | wq"
    monkeypatch.setenv("EDITOR", f'vi -u NONE -i NONE -n -es -c "{script}"')
    monkeypatch.delenv("VISUAL", raising=False)
    with load_store(store) as db:
        before = {e.id: e.status for e in db.events()}
    result = cli("edit", "ema-forum-katowice-2022", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    with load_store(store) as db:
        after = {e.id: e.status for e in db.events()}
    changed = {k: v for k, v in after.items() if v != before[k]}
    assert changed == {"ema-forum-katowice-2022": "cancelled"}


@pytest.mark.parametrize("cached", [True, False])
def test_a_script_writes_several_times_through_one_store(
    store: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    from datetime import date

    from ruhrtimeline.edits import add, add_event, set_fields
    from ruhrtimeline.importing import source_document

    if not cached:
        monkeypatch.setenv("RUHRTIMELINE_NO_CACHE", "1")
    today = date(2026, 12, 2)
    partner = {"id": "amiens", "name": "Amiens Métropole", "short": "Amiens", "kind": "city"}
    with load_store(store) as db:
        add(db, "partners", {**partner, "country": "FR"})
        new = add_event(
            db,
            date="2026-05",
            title={"en": "A visit to Amiens", "de": "Ein Besuch in Amiens"},
            partners=["rvr", "amiens"],
            source=source_document("https://www.example.org/amiens"),
            today=today,
        ).added[0]
        set_fields(db, new, {"date": "2026-05-12", "title.de": "Besuch in Amiens"}, today=today)
        set_fields(db, "gzm-founded-2017", {"topics": "youth"}, today=today)
        seen = {e.id: (e, db.span("event", e.id)) for e in db.events()}
        assert db.partner("amiens").short == "Amiens"
    with load_store(store, use_cache=False) as fresh:  # what a new reader finds
        assert seen == {e.id: (e, fresh.span("event", e.id)) for e in fresh.events()}
    assert seen[new][0].date.text == "2026-05-12" and seen[new][0].title.de == "Besuch in Amiens"


# --- stores written in other ways, and what a user gets wrong ---------------------------------

FLOW = """\
partners: [{id: a, name: A, short: A, kind: city, country: DE}]
topics: [{id: mobility, label: {de: Mobilität, en: Mobility}}, {id: youth, label: {de: Jugend, en: Youth}}]
events:
  - {id: one-2020, date: "2020", title: {de: Eins, en: One}, summary: {de: Eins, en: One}, partners: [a], sources: [{url: "https://example.org/a", publisher: Ex, title: A, language: de}]}
"""  # noqa: E501


@pytest.mark.parametrize("cached", [True, False])
def test_flow_style_lists_and_items_keep_every_item(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    if not cached:
        monkeypatch.setenv("RUHRTIMELINE_NO_CACHE", "1")
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW, encoding="utf-8")
    commands = [
        ["add", "topic", "--id", "culture", "--label-en", "Culture", "--label-de", "Kultur"],
        ["add", "partner", "--id", "b", "--name", "B, Stadt", "--short", "B", "--kind", "city",
         "--country", "PL"],
        ["edit", "one-2020", "--set", "title.en=Uno"],
        ["add", "event", "--date", "2021", "--title-en", "Two", "--title-de", "Zwei", "-p", "a,b",
         "--source", "https://example.org/b"],
    ]  # fmt: skip
    for command in commands:
        result = cli(*command, "--store", str(path))
        assert result.exit_code == 0, (command, result.stderr)
    monkeypatch.setenv("RUHRTIMELINE_NO_CACHE", "1")  # what a fresh reader finds
    assert cli("validate", str(path)).exit_code == 0
    with load_store(path) as db:
        assert [t.id for t in db.topics()] == ["mobility", "youth", "culture"]
        assert [p.id for p in db.partners()] == ["a", "b"]
        assert [(e.id, e.title.en) for e in db.events()] == [
            ("one-2020", "Uno"),
            ("two-2021", "Two"),
        ]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("partners: [{id: a, name: A, short: A, kind: city, country: DE}, {id: b")


def test_fields_an_event_lacks_can_be_set(cli: Cli, store: Path) -> None:
    event_id = "ruhr-konferenz-launch-2018"  # no place, and a date without a time
    before = store.read_text(encoding="utf-8")
    args = ["--set", "location.city=Essen", "--set", "location.country=de",
            "--set", "date=2018-06-05T10:00", "--set", "timezone=Europe/Berlin"]  # fmt: skip
    result = cli("edit", event_id, *args, "--store", str(store))
    assert result.exit_code == 0, result.stderr
    with load_store(store) as db:
        changed = db.event(event_id)
    assert changed.location is not None
    assert (changed.location.city, changed.location.country) == ("Essen", "DE")
    assert changed.timezone == "Europe/Berlin" and changed.date.text == "2018-06-05T10:00"
    _, added = lines_outside(before, store.read_text(encoding="utf-8"))
    assert "    timezone: Europe/Berlin" in added and "      city: Essen" in added


def test_comments_on_changed_lines_stay(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "s.yaml", [event("e1", "2018", ["rvr"])])
    text = path.read_text(encoding="utf-8").replace("date: '2018'", "date: '2018'  # the year")
    path.write_text(text, encoding="utf-8")
    assert cli("edit", "e1", "--set", "date=2019", "--store", str(path)).exit_code == 0
    assert "  date: 2019  # the year\n" in path.read_text(encoding="utf-8")


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_linked_store_is_written_through_its_link(cli: Cli, store: Path, tmp_path: Path) -> None:
    link = tmp_path / "work" / "ruhrtimeline.yaml"
    link.parent.mkdir()
    link.symlink_to(store)
    result = cli(
        "edit", "ema-forum-katowice-2022", "--set", "status=cancelled", "--store", str(link)
    )
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and "status: cancelled" in store.read_text(encoding="utf-8")


def test_a_read_only_store_is_refused(cli: Cli, store: Path) -> None:
    before = store.read_bytes()
    store.chmod(0o444)
    try:
        result = cli(*ADD, "--store", str(store))
    finally:
        store.chmod(0o644)
    assert result.exit_code == 1 and "read-only" in result.stderr
    assert store.read_bytes() == before


def test_the_record_installed_with_the_program_is_never_written(
    cli: Cli, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruhrtimeline import locations

    monkeypatch.setattr(locations, "installed_with_package", lambda path: True)
    before = store.read_bytes()
    result = cli(*ADD, "--store", str(store))
    assert result.exit_code == 1 and "ruhrtimeline init" in result.stderr
    assert store.read_bytes() == before


def test_a_changed_store_keeps_the_editors_version(
    cli: Cli, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "meddle.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "draft = pathlib.Path(sys.argv[-1])\n"
        "draft.write_text(draft.read_text().replace('status: held', 'status: cancelled', 1))\n"
        f"store = pathlib.Path({str(store)!r})\n"
        "store.write_text(store.read_text() + '\\n# someone else was here\\n')\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    result = cli("edit", "gzm-founded-2017", "--store", str(store))
    assert result.exit_code == 1 and "changed while you were editing" in result.stderr
    kept = Path(result.stderr.split("is kept in ")[1].split(":")[0])
    assert "status: cancelled" in kept.read_text(encoding="utf-8")
    kept.unlink()


def test_setting_only_updated_is_a_change(cli: Cli, store: Path) -> None:
    result = cli("edit", "gzm-founded-2017", "--set", "updated=2025-01-01", "--store", str(store))
    assert result.exit_code == 0 and "updated 1" in result.stderr
    bad = cli("edit", "gzm-founded-2017", "--set", "updated=garbage", "--store", str(store))
    assert bad.exit_code == 2 and "garbage" in bad.stderr  # a value given: a usage error


def test_ids_are_written_in_latin_letters(cli: Cli, store: Path) -> None:
    args = ["--title-en", "Visit to Łódź and Київ: Kulturförderung", "--title-de", "Besuch"]
    result = cli(*ADD, *args, "--store", str(store))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "visit-to-lodz-and-kyiv-kulturfoerderung-2026\n"
    again = cli(*ADD, *args, "--store", str(store))
    assert again.stdout == "visit-to-lodz-and-kyiv-kulturfoerderung-2026-2\n"
    assert "exists already" in again.stderr


def test_a_spreadsheet_of_windows_excel_comes_in(cli: Cli, store: Path, tmp_path: Path) -> None:
    exported = tmp_path / "events.csv"
    assert cli("list", "-f", "csv", "-o", str(exported), "--store", str(store)).exit_code == 0
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["id"] == "ema-forum-katowice-2022")
    row["summary_de"] = "Erste Zeile.\r\nZweite Zeile für Schüler."
    row["status"] = "Held"
    new = dict.fromkeys(row, "")
    new.update(date="2026-05", title_en="A new row", title_de="Eine neue Zeile",
               partners="RVR, gzm", source_urls="https://www.example.org/new")  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), delimiter=";")
    writer.writeheader()
    writer.writerows([row, new])
    windows = tmp_path / "excel.csv"
    windows.write_bytes(out.getvalue().encode("cp1252"))
    result = cli("import", str(windows), "--store", str(store))
    assert result.exit_code == 0, result.stderr
    assert "read as Windows-1252" in result.stderr and "a-new-row-2026" in result.stderr
    with load_store(store) as db:
        changed = db.event("ema-forum-katowice-2022")
        assert changed.summary.de == "Erste Zeile.\nZweite Zeile für Schüler."
        assert db.event("a-new-row-2026").partners == ("rvr", "gzm")


def test_an_ics_round_trip_keeps_paragraphs(cli: Cli, store: Path, tmp_path: Path) -> None:
    summary = "summary.en=First paragraph.\n\nSecond paragraph."
    assert cli("edit", "gzm-founded-2017", "--set", summary, "--store", str(store)).exit_code == 0
    feed = tmp_path / "all.ics"
    assert cli("export", "ics", "-o", str(feed), "--store", str(store)).exit_code == 0
    again = cli("import", str(feed), "--store", str(store))
    assert again.exit_code == 0 and "unchanged 27" in again.stderr


INVITE = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:{prodid}
METHOD:REQUEST
{zone}BEGIN:VEVENT
UID:{uid}
SEQUENCE:{sequence}
DTSTAMP:20261101T120000Z
DTSTART{start}
DTEND{end}
SUMMARY;LANGUAGE=de-DE:{summary}
LOCATION:Rathaus\\, Bochum\\, DE
END:VEVENT
END:VCALENDAR
"""
OUTLOOK_ZONE = """\
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""


@pytest.mark.parametrize(
    ("prodid", "zone", "start", "end"),
    [
        ("-//Microsoft Corporation//Outlook 16.0//EN", OUTLOOK_ZONE,
         ";TZID=W. Europe Standard Time:20270312T100000",
         ";TZID=W. Europe Standard Time:20270312T113000"),
        ("-//Google Inc//Google Calendar 70.9054//EN", "X-WR-TIMEZONE:Europe/Berlin\n",
         ":20270312T090000Z", ":20270312T103000Z"),
    ],
)  # fmt: skip
def test_an_updated_invitation_changes_its_event(
    cli: Cli, store: Path, tmp_path: Path, prodid: str, zone: str, start: str, end: str
) -> None:
    def invite(sequence: int, summary: str) -> Path:
        path = tmp_path / f"invite-{sequence}.ics"
        text = INVITE.format(prodid=prodid, zone=zone, uid="040000008200E00074C5B7101A82E008",
                             sequence=sequence, start=start, end=end, summary=summary)  # fmt: skip
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        return path

    args = ["-p", "rvr", "--source", "https://www.example.org/visit", "--store", str(store)]
    first = cli("import", str(invite(0, "Besuch im Rathaus")), *args)
    assert first.exit_code == 0 and "added 1: besuch-im-rathaus-2027" in first.stderr
    second = cli("import", str(invite(1, "Besuch im Rathaus Bochum")), *args)
    assert "updated 1: besuch-im-rathaus-2027" in second.stderr, second.stderr
    with load_store(store) as db:
        visit = db.event("besuch-im-rathaus-2027")
        assert db.count() == 28
    assert visit.title.de == "Besuch im Rathaus Bochum"  # SUMMARY;LANGUAGE=de-DE
    assert (visit.date.text, visit.timezone) == (
        "2027-03-12T10:00/2027-03-12T11:30",
        "Europe/Berlin",
    )


def test_a_flow_list_with_comments_takes_new_items_before_them(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "partners: [{id: rvr, name: RVR, short: RVR, kind: regional-authority, country: DE}]\n"
        "topics: [\n  {id: a, label: {de: A-de, en: A-en}}  # first\n]\n"
        "events: [{id: e1, date: '2019-08', title: {de: Eins, en: One}, summary: {de: Eins, "
        "en: One}, partners: [rvr], sources: [{url: 'https://example.org/1', publisher: Ex, "
        "title: One, language: de}]}, {id: e2, date: '2020', title: {de: Zwei, en: Two}, "
        "summary: {de: Zwei, en: Two}, partners: [rvr], sources: [{url: "
        "'https://example.org/2', publisher: Ex, title: Two, language: de}]}]\n",
        encoding="utf-8",
    )
    store = ["--store", str(path)]
    assert (
        cli("add", "topic", "--id", "b", "--label-en", "B", "--label-de", "B", *store).exit_code
        == 0
    )
    assert "  # first\n]" in path.read_text(encoding="utf-8")
    result = cli(
        "edit", "e2", "--set", "location.city=Essen", "--set", "location.country=DE", *store
    )
    assert result.exit_code == 0, result.stderr
    with load_store(path, use_cache=False) as db:
        assert [t.id for t in db.topics()] == ["a", "b"]
        assert db.event("e2").location is not None and db.event("e1").date.text == "2019-08"
    assert "status" not in path.read_text(encoding="utf-8")  # nothing nobody asked for


def test_an_import_changes_the_last_event_and_adds_after_it(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "s.yaml", [event("one", "2024-06-12")])  # no "updated"
    listed = tmp_path / "events.csv"
    assert cli("list", "-f", "csv", "-o", str(listed), "--store", str(path)).exit_code == 0
    import csv

    text = listed.read_text(encoding="utf-8").replace("Text one", "Text one changed")
    header = text.splitlines()[0].split(",")
    with listed.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        new = dict.fromkeys(header, "")
        new.update(date="2024-09-15", title_de="Chor", title_en="Choir", partners="rvr",
                   source_urls="https://www.example.org/choir")  # fmt: skip
        csv.DictWriter(handle, header).writerow(new)
    result = cli("import", str(listed), "--store", str(path))
    assert result.exit_code == 0, result.stderr
    assert "added 1: choir-2024; updated 1: one" in result.stderr
    with load_store(path, use_cache=False) as db:
        assert [e.id for e in db.events()] == ["one", "choir-2024"]


def test_an_invitation_cut_short_is_refused(cli: Cli, store: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.ics"
    cut.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VCALENDAR\n", encoding="utf-8")
    result = cli("import", str(cut), "--store", str(store))
    assert result.exit_code == 1 and "not a complete iCalendar file" in result.stderr


def test_titles_in_any_script_give_an_id(cli: Cli, store: Path) -> None:
    greek = cli(
        *ADD, "--title-en", "Συνάντηση στην Αθήνα", "--title-de", "x", "--store", str(store)
    )
    assert greek.stdout == "synantisi-stin-athina-2026\n"
    chinese = cli(*ADD, "--title-en", "東京会議", "--title-de", "東京会議", "--store", str(store))
    assert chinese.stdout == "event-2026\n"


# --- what a review of the writing found --------------------------------------------------------


def test_taking_out_an_items_first_field_keeps_the_item(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "s.yaml", [event("a", "2019"), event("b", "2030")])
    text = path.read_text(encoding="utf-8").replace("- id: b\n", "- status: planned\n  id: b\n")
    text = text.replace("  topics:\n  - youth\n", "  topics: []   # none yet\n", 1)
    path.write_text(text, encoding="utf-8")
    assert cli("edit", "b", "--set", "status=", "--store", str(path)).exit_code == 0
    assert cli("edit", "a", "--set", "title.en=A", "--store", str(path)).exit_code == 0
    after = path.read_text(encoding="utf-8")
    assert "- id: b\n" in after and "topics: []   # none yet" in after
    assert cli("validate", str(path)).exit_code == 0  # the file itself, not the cache


def test_a_foreign_invitation_never_takes_an_events_place(
    cli: Cli, store: Path, tmp_path: Path
) -> None:
    invitation = tmp_path / "two.ics"
    entries = "".join(
        f"BEGIN:VEVENT\nUID:{uid}@google.com\nDTSTAMP:20261101T120000Z\n"
        "DTSTART;VALUE=DATE:20171105\nSUMMARY:Metropolis GZM founded\nEND:VEVENT\n"
        for uid in ("one", "two")
    )
    invitation.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\n{entries}END:VCALENDAR\n", "utf-8")
    args = ["-p", "gzm", "--source", "https://www.example.org/x", "--store", str(store)]
    result = cli("import", str(invitation), *args)
    assert result.exit_code == 0, result.stderr
    assert "added 2: metropolis-gzm-founded-2017, metropolis-gzm-founded-2017-2" in result.stderr
    with load_store(store) as db:
        assert db.event("gzm-founded-2017").date.text == "2017"  # untouched


def test_a_spreadsheet_can_clear_fields_and_add_partners(
    cli: Cli, store: Path, tmp_path: Path
) -> None:
    import csv
    import io

    listed = tmp_path / "events.csv"
    assert cli("list", "-f", "csv", "-o", str(listed), "--store", str(store)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(listed.read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["id"] == "ema-forum-katowice-2022")
    for column in ("topics", "location_name", "address", "city", "region", "country", "lat", "lon"):
        row[column] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    listed.write_text(out.getvalue(), encoding="utf-8")
    result = cli("import", str(listed), "-p", "GMCA", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    with load_store(store) as db:
        cleared = db.event("ema-forum-katowice-2022")
    assert cleared.topics == () and cleared.location is None and "gmca" in cleared.partners
    assert cli("import", str(listed), "-p", "nope", "--store", str(store)).exit_code == 2


@pytest.mark.parametrize(
    "content",
    ['[{"id": "x", "title": "A"}]', '[{"id": "x", "partners": 3}]', '[{"id": "x", "location": '
     '{"coordinates": {"lat": "51,5", "lon": "7"}}}]'],
)  # fmt: skip
def test_hand_edited_json_is_refused_in_one_line(
    cli: Cli, store: Path, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    result = cli("import", str(path), "--store", str(store))
    assert result.exit_code == 1 and "is not an event" in result.stderr
    assert "internal error" not in result.stderr


def test_an_editor_that_writes_latin_1_can_edit_again(
    cli: Cli, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "latin.py"
    script.write_text(
        f"#!{sys.executable}\nimport pathlib, sys\np = pathlib.Path(sys.argv[-1])\n"
        "p.write_bytes(p.read_bytes().replace(b'Metropolis GZM founded', 'Gr\\u00fcndung'"
        ".encode('latin-1')))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    before = store.read_bytes()
    result = cli("edit", "gzm-founded-2017", "--store", str(store))
    assert result.exit_code == 1 and "UTF-8" in result.stderr and "kept in" in result.stderr
    assert "internal error" not in result.stderr and store.read_bytes() == before


@pytest.mark.parametrize("value", ["2019-08-08", "1:20", ".inf", "0x1F", "=", "yes", "12"])
def test_texts_that_yaml_would_read_otherwise_are_quoted(cli: Cli, store: Path, value: str) -> None:
    import yaml

    result = cli("edit", "gzm-founded-2017", "--set", f"title.en={value}", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(store.read_text(encoding="utf-8"))
    title = next(e["title"]["en"] for e in data["events"] if e["id"] == "gzm-founded-2017")
    assert title == value  # as any YAML reader reads it


def test_the_index_that_follows_writes_is_the_index_a_rebuild_finds(cli: Cli, store: Path) -> None:
    commands = [
        ["add", "partner", "--id", "leeds", "--name", "Leeds City Council", "--short", "Leeds",
         "--kind", "city", "--country", "GB"],
        ["add", "topic", "--id", "sport", "--label-en", "Sport", "--label-de", "Sport"],
        [*ADD, "-p", "leeds", "-t", "sport"],
        ["edit", "gzm-founded-2017", "--set", "location.name=Rathaus", "--set", "topics="],
    ]  # fmt: skip
    for command in commands:
        result = cli(*command, "--store", str(store))
        assert result.exit_code == 0, (command, result.stderr)

    def seen(db: Store) -> dict[str, object]:
        found: dict[str, object] = {}
        for kind, ids in (
            ("event", db.event_ids()),
            ("partner", [p.id for p in db.partners()]),
            ("topic", [t.id for t in db.topics()]),
        ):
            found[kind] = {i: (db.span(kind, i), db.position(kind, i)) for i in ids}
        found["events"] = db.events()
        return found

    with load_store(store) as warm:
        assert warm.cached
        followed = seen(warm)
    with load_store(store, use_cache=False) as fresh:
        assert seen(fresh) == followed
