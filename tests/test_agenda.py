"""What is next: the agenda, the month grids, and today everywhere (with a fixed today)."""

from __future__ import annotations

import calendar as cal
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import Cli
from helpers import event, golden, write_store

WIDTHS = (40, 80, 120)


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A store of what is planned around spring 2026, with every kind of date."""
    return write_store(
        tmp_path / "plans.yaml",
        [
            event("year-2026", "2026", status="planned"),
            event("spring-2026", "2026-21"),
            event("feb-to-may", "2026-02/2026-05"),
            event("march-visit", "2026-03-02/2026-03-04"),
            event("conference", "2026-04-10T09:00", timezone="Europe/Berlin", status="planned"),
            event("may-day", "2026-05-01", partners=["gzm"]),
            event("june", "2026-06~"),
            event("autumn-2026", "2026-23", status="cancelled"),
            event("old", "2024-03-01"),
        ],
    )


def agenda_ids(cli: Cli, *args: str) -> list[str]:
    result = cli("agenda", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return [item["id"] for item in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # Before all of it: everything of 2026 in the next year, by first day.
        ("2025-12-01", ["year-2026", "feb-to-may", "spring-2026", "march-visit", "conference",
                        "may-day", "june", "autumn-2026"]),
        # Inside a season and a span of months: both are under way.
        ("2026-04-10", ["year-2026", "feb-to-may", "spring-2026", "conference", "may-day", "june",
                        "autumn-2026"]),
        # The day after the conference: it is over.
        ("2026-04-11", ["year-2026", "feb-to-may", "spring-2026", "may-day", "june",
                        "autumn-2026"]),
        ("2026-12-31", ["year-2026"]),
        ("2027-01-01", []),
    ],
)  # fmt: skip
def test_agenda_holds_what_is_under_way_and_coming(
    cli: Cli, plans: Path, monkeypatch: pytest.MonkeyPatch, today: str, expected: list[str]
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", today)
    assert agenda_ids(cli, "--store", str(plans)) == expected


def test_agenda_groups_by_month_and_says_how_well_a_date_is_known(
    cli: Cli, plans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2026-04-10")
    text = cli("agenda", "--store", str(plans), "--width", "100").stdout
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")]
    # What is known only to the year, a span of months or a season is listed under that:
    # nothing says it is under way.
    assert headings == [
        "2026", "February 2026", "Spring 2026", "April 2026", "May 2026", "June 2026",
        "Autumn 2026",
    ]  # fmt: skip
    assert "some time in 2026" in text and "Title year-2026 (planned)" in text
    assert "spring 2026" in text and "c. June 2026" in text and "(cancelled)" in text
    assert "10 April 2026, 09:00 CEST" in text
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2026-03-03")  # inside the visit of 2–4 March
    text = cli("agenda", "--store", str(plans), "--width", "100").stdout
    assert text.startswith("Under way\n  2–4 March 2026 ")
    german = cli("agenda", "--store", str(plans), "--lang", "de").stdout
    assert "Läuft bereits" in german and "im Lauf des Jahres 2026" in german
    assert "Frühjahr 2026" in german and "(geplant)" in german


def test_agenda_window_limit_past_and_filters(
    cli: Cli, plans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2026-03-01")
    store = ["--store", str(plans)]
    assert agenda_ids(cli, *store, "--days", "3") == [
        "year-2026", "feb-to-may", "spring-2026", "march-visit"
    ]  # fmt: skip
    assert agenda_ids(cli, *store, "--limit", "2") == ["year-2026", "feb-to-may"]
    assert agenda_ids(cli, *store, "-p", "gzm") == ["may-day"]
    assert agenda_ids(cli, *store, "--past", "--days", "30") == ["year-2026", "feb-to-may"]
    assert agenda_ids(cli, *store, "--past", "--days", "800") == ["old", "year-2026", "feb-to-may"]
    csv = cli("agenda", *store, "--format", "csv", "--limit", "1").stdout
    assert csv.splitlines()[1].startswith("year-2026,")
    markdown = cli("agenda", *store, "--format", "markdown", "--limit", "1").stdout
    assert markdown.startswith("| Date |") and "Title year-2026" in markdown


def test_an_empty_agenda_says_so_in_one_line(
    cli: Cli, plans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2030-01-01")
    result = cli("agenda", "--store", str(plans), "--days", "30")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "Nothing is coming in the next 30 days.\n"
    past = cli("agenda", "--store", str(plans), "--past", "--days", "30", "--lang", "de")
    assert past.stderr == "In den letzten 30 Tagen war nichts.\n"
    assert cli("agenda", "--store", str(plans), "-f", "json").stdout.strip() == "[]"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_agenda_fits_the_width(cli: Cli, width: int, lang: str) -> None:
    result = cli("agenda", "--past", "--days", "3650", "--width", str(width), "--lang", lang)
    assert result.exit_code == 0 and result.stdout
    longest = max(len(line) for line in result.stdout.splitlines())
    assert longest <= width or any(len(w) > width - 4 for w in result.stdout.split())


# --- month grids ---------------------------------------------------------------------------


def grid_days(text: str, title: str, week_numbers: bool = False) -> dict[int, tuple[int, str]]:
    """Each day of the month titled ``title`` in plain output: its column (0 = Monday) and the
    mark after it, read from the text as a reader would, month blocks side by side."""
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if title in line)
    start = lines[row].index(title.strip())
    width = 21 + (3 if week_numbers else 0)
    block_start = max(0, (start // (width + 2)) * (width + 2))
    days: dict[int, tuple[int, str]] = {}
    for line in lines[row + 2 : row + 8]:
        if not re.fullmatch(r"[\d *<#]*", line):
            break  # the events of the row's months, known only to the month or less
        cells = line[block_start : block_start + width].ljust(width)
        if week_numbers:
            cells = cells[3:]
        for column in range(7):
            cell = cells[column * 3 : column * 3 + 3]
            if cell[:2].strip().isdigit():
                days[int(cell[:2])] = (column, cell[2])
    return days


@pytest.mark.parametrize(
    ("period", "title", "year", "month"),
    [
        ("2026-03", "March 2026", 2026, 3),  # 31 days, starting on a Sunday: six weeks
        ("2028-02", "February 2028", 2028, 2),  # a leap year
        ("2027-02", "February 2027", 2027, 2),
    ],
)
def test_month_grids_put_each_day_under_its_weekday(
    cli: Cli, period: str, title: str, year: int, month: int
) -> None:
    text = cli("calendar", period, "--width", "80").stdout
    days = grid_days(text, title)
    assert sorted(days) == list(range(1, cal.monthrange(year, month)[1] + 1))
    for day, (column, _) in days.items():
        assert column == date(year, month, day).weekday()
    assert "Mo Tu We Th Fr Sa Su" in text


def test_week_numbers_are_iso(cli: Cli) -> None:
    text = cli("calendar", "2026-12", "-w", "--width", "80").stdout
    lines = text.splitlines()
    assert lines[1].startswith("Wk Mo Tu")
    first_week = lines[2][: 21 + 3]
    assert first_week.split()[0] == "49" and first_week.split()[1] == "1"  # 1 Dec 2026: week 49
    january = next(line for line in lines if line.startswith(" 1 ") or line.startswith("53 "))
    assert january  # weeks run on across the year


def test_marks_days_with_events_and_today_never_an_imprecise_date(
    cli: Cli, plans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2026-03-03")
    text = cli("calendar", "--store", str(plans), "--width", "80").stdout
    march = grid_days(text, "March 2026")
    marked = {day: mark for day, (_, mark) in march.items() if mark != " "}
    assert marked == {2: "*", 3: "#", 4: "*"}  # a three-day visit; today is one of its days
    april = grid_days(text, "April 2026")
    assert {d: m for d, (_, m) in april.items() if m != " "} == {10: "*"}
    may = grid_days(text, "May 2026")
    assert {d: m for d, (_, m) in may.items() if m != " "} == {1: "*"}
    assert "also in 2026: Title year-2026" in text
    assert "also in spring 2026: Title spring-2026" in text
    assert "also in February – May 2026: Title feb-to-may" not in text  # its own words
    assert "also in February–May 2026: Title feb-to-may" in text
    assert "* an event that day" in text and "# today, with an event" in text


def test_only_imprecise_events_mark_no_day(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2030-01-01")  # no today mark either
    path = write_store(
        tmp_path / "vague.yaml",
        [event("y", "2026"), event("s", "2026-22"), event("m", "2026-07"),
         event("r", "2026-07/2026-08")],
    )  # fmt: skip
    text = cli("calendar", "2026", "--store", str(path), "--width", "120").stdout
    for year_month in range(1, 13):
        title = f"{cal.month_name[year_month]} 2026"
        assert all(mark == " " for _, mark in grid_days(text, title).values()), title
    assert text.count("also in 2026: Title y") == 4  # under each row of three months


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_three_months_side_by_side_where_they_fit(cli: Cli, width: int, lang: str) -> None:
    text = cli("calendar", "--width", str(width), "--lang", lang).stdout
    header = "Mo Tu We Th Fr Sa Su" if lang == "en" else "Mo Di Mi Do Fr Sa So"
    per_line = max(line.count(header) for line in text.splitlines())
    assert per_line == (1 if width < 67 else 3)
    grid_lines = [line for line in text.splitlines() if re.fullmatch(r"[\d\s*<#]+", line or "x")]
    assert all(len(line) <= width for line in grid_lines)
    titles = ("December 2026", "January 2027", "February 2027")
    if lang == "de":
        titles = ("Dezember 2026", "Januar 2027", "Februar 2027")
    assert all(t in text for t in titles)


def test_a_year_shows_twelve_months_and_months_more(cli: Cli) -> None:
    text = cli("calendar", "2025", "--width", "80").stdout
    assert all(f"{cal.month_name[m]} 2025" in text for m in range(1, 13))
    assert "January 2026" not in text
    six = cli("calendar", "2025-11", "--months", "6").stdout
    assert "November 2025" in six and "April 2026" in six and "May 2026" not in six
    listed = cli("calendar", "2025", "--format", "json").stdout
    assert {e["start"][:4] for e in json.loads(listed)} <= {"2024", "2025"}


@pytest.mark.parametrize("value", ["2025-13", "25", "2025-1", "next"])
def test_calendar_refuses_what_is_not_a_year_or_month(cli: Cli, value: str) -> None:
    result = cli("calendar", value)
    assert result.exit_code == 2 and ("YEAR" in result.stderr or "month" in result.stderr)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["calendar", "2025", "--width", "80"], "calendar-2025-en-80.txt"),
        (["calendar", "2019-06", "-w", "--lang", "de", "--width", "40"], "calendar-2019-de-40.txt"),
        (["agenda", "--past", "--days", "400", "--width", "80"], "agenda-past-en-80.txt"),
        (["agenda", "--past", "--days", "400", "--lang", "de", "--width", "120"],
         "agenda-past-de-120.txt"),
    ],
)  # fmt: skip
def test_golden_views(cli: Cli, args: list[str], name: str) -> None:
    """What a diff shows best: the whole view, beside the checks above."""
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    golden(name, result.stdout)


# --- today everywhere ------------------------------------------------------------------------


def test_from_and_to_today(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2025-06-01")
    coming = json.loads(cli("list", "--from", "today", "-f", "json").stdout)
    past = json.loads(cli("list", "--to", "today", "-f", "json").stdout)
    assert coming and all(e["end"] >= "2025-06-01" for e in coming)
    assert past and all(e["start"] <= "2025-06-01" for e in past)
    everything = json.loads(cli("list", "-f", "json").stdout)
    assert {e["id"] for e in coming} | {e["id"] for e in past} == {e["id"] for e in everything}
    assert cli("list", "--from", "TODAY").exit_code == 0
    assert cli("list", "--from", "tomorrow").exit_code == 2
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2025-13-01")
    bad = cli("list", "--from", "today")
    assert bad.exit_code == 2 and "RUHRTIMELINE_TODAY" in bad.stderr


def test_the_timeline_marks_today_where_it_falls(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2021-01-01")
    lines = cli("timeline", "--width", "100").stdout.splitlines()
    at = lines.index("  > today, 1 Jan 2021")
    assert lines[at - 2] == "2021" and lines.count("2021") == 1  # named once, before its events
    assert "today" not in cli("timeline", "--year", "2019").stdout
    german = cli("timeline", "--lang", "de").stdout
    assert "> heute, 1. Jan. 2021" in german
    svg = cli("timeline", "--format", "svg").stdout
    assert 'class="today"' in svg
    assert 'class="today"' not in cli("timeline", "--format", "svg", "--year", "2019").stdout


def test_the_day_after_the_window_is_outside_it() -> None:
    from ruhrtimeline.query import EventFilter

    today = date(2026, 12, 2)
    window = EventFilter().coming(today, 365)
    assert (window.first, window.last) == (today, today + timedelta(days=364))
    past = EventFilter().past(today, 7)
    assert (past.first, past.last) == (date(2026, 11, 25), date(2026, 12, 1))
    far = EventFilter().coming(date(9999, 12, 30), 365)
    assert far.last == date.max


@pytest.mark.skipif(sys.platform == "win32", reason="bash completion")
@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("ruhrtimeline calendar 201", "2", {"plain,2017", "plain,2018", "plain,2019"}),
        ("ruhrtimeline agenda --from to", "3", {"plain,today"}),
        ("ruhrtimeline list --to 202", "3", {"plain,2025", "plain,2026"}),
    ],
)
def test_completion_of_years_and_today(words: str, cword: str, expected: set[str]) -> None:
    env = dict(os.environ, _RUHRTIMELINE_COMPLETE="bash_complete", COMP_WORDS=words)
    env["COMP_CWORD"] = cword
    result = subprocess.run(
        [sys.executable, "-m", "ruhrtimeline"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert expected <= set(result.stdout.split())


def test_the_nearest_are_kept_and_a_file_says_when_nothing_is_coming(
    cli: Cli, plans: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2026-12-31")
    store = ["--store", str(plans)]
    assert agenda_ids(cli, *store, "--past", "--days", "1000", "--limit", "2") == [
        "june",
        "autumn-2026",
    ]  # the two most recent, in date order
    out = tmp_path / "agenda.txt"
    assert cli("agenda", *store, "-o", str(out)).exit_code == 0
    assert "some time in 2026" in out.read_text(encoding="utf-8")
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2027-01-01")
    assert cli("agenda", *store, "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == "Nothing is coming in the next 365 days.\n"


def test_calendar_takes_any_date_and_marks_no_cancelled_day(cli: Cli, tmp_path: Path) -> None:
    path = write_store(
        tmp_path / "s.yaml",
        [event("off", "2026-05-04", status="cancelled"), event("on", "2026-05-05")],
    )
    for period in ("2026-05-20", "2026-22", "2026-05"):  # a day, a season (summer), a month
        text = cli("calendar", period, "--store", str(path), "--months", "1").stdout
        first = "May 2026" if period != "2026-22" else "June 2026"
        assert text.splitlines()[0].strip() == first, period
    may = grid_days(cli("calendar", "2026-05", "--store", str(path)).stdout, "May 2026")
    assert {d: m for d, (_, m) in may.items() if m != " "} == {5: "*"}
    assert "Title off (cancelled)" in cli("calendar", "2026-05", "--store", str(path)).stdout
