"""iCalendar export: RFC 5545 output that calendar apps subscribe to, checked three ways."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from ical.calendar_stream import IcsCalendarStream

from conftest import Cli
from helpers import event, feed_files, golden, write_store
from ics_check import check
from ruhrtimeline import Directory, Event, Location, Text, load_store
from ruhrtimeline.ical import calendar_chunks, event_bytes, feed_info, uri
from ruhrtimeline.publish import FeedSet


def parse(data: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_every_event_exactly_once_with_the_right_days(cli: Cli, events: list[Event]) -> None:
    data = cli("export", "ics").stdout_bytes
    check(data)
    components = {str(c["UID"]): c for c in parse(data)}
    assert len(components) == len(events) == 27
    for item in events:
        component = components[f"{item.id}@ruhrtimeline"]
        start, end = component.decoded("DTSTART"), component.decoded("DTEND")
        if item.precision == "time":
            continue
        # All-day: DATE values, DTEND exclusive, the whole covered period (the default span).
        assert type(start) is date and type(end) is date
        assert start == item.first
        assert end == item.last + timedelta(days=1)
        assert component["X-RUHRTIMELINE-EDTF"] == item.date.text


def test_brussels_conference_keeps_its_time_zone(cli: Cli) -> None:
    data = cli("export", "ics", "--precision", "time").stdout_bytes
    assert b"DTSTART;TZID=Europe/Brussels:20250130T090000\r\n" in data
    assert b"DTEND;TZID=Europe/Brussels:20250130T113000\r\n" in data
    calendar = icalendar.Calendar.from_ical(data)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    component: Any = calendar.walk("VEVENT")[0]
    start = component.decoded("DTSTART")
    assert start == datetime(2025, 1, 30, 9, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert start.utcoffset() == timedelta(hours=1)


def test_independent_parser_agrees(cli: Cli, events: list[Event]) -> None:
    text = cli("export", "ics", "--lang", "de").stdout
    calendar = IcsCalendarStream.calendar_from_ics(text)
    assert len(calendar.events) == 27
    by_uid = {e.uid: e for e in calendar.events}
    agreement = by_uid["rvr-gzm-partnership-agreement-2019@ruhrtimeline"]
    assert agreement.dtstart == date(2019, 8, 8) and agreement.dtend == date(2019, 8, 10)
    assert agreement.summary == (
        "RVR-Delegation in der GZM – Partnerschaftsvereinbarung in Katowice unterzeichnet"
    )
    conference: Any = by_uid["rvr-gzm-brownfields-conference-brussels-2025@ruhrtimeline"]
    assert conference.dtstart.hour == 9 and str(conference.dtstart.tzinfo) == "Europe/Brussels"
    planned = by_uid["rvr-gzm-youth-cooperation-2026@ruhrtimeline"]
    assert planned.status is not None and planned.status.value == "TENTATIVE"


def test_imprecise_modes(cli: Cli) -> None:
    def month_event(*options: str) -> Any:
        data = cli("export", "ics", "--search", "Frintrop", *options).stdout_bytes
        return parse(data)

    (span,) = month_event()
    assert (span.decoded("DTSTART"), span.decoded("DTEND")) == (date(2019, 7, 1), date(2019, 8, 1))
    assert str(span["TRANSP"]) == "TRANSPARENT"
    assert str(span["SUMMARY"]).endswith("(July 2019)")
    assert "The exact day is not known: the sources give only the month" in str(span["DESCRIPTION"])
    (start,) = month_event("--imprecise", "start")
    assert (start.decoded("DTSTART"), start.decoded("DTEND")) == (
        date(2019, 7, 1),
        date(2019, 7, 2),
    )
    omitted = cli("export", "ics", "--search", "Frintrop", "--imprecise", "omit")
    assert omitted.exit_code == 1 and omitted.stdout == ""
    assert "known only to the month, season or year" in omitted.stderr


def test_properties(cli: Cli) -> None:
    data = cli("export", "ics", "--search", "Nikiszowiec").stdout_bytes
    calendar = icalendar.Calendar.from_ical(data)
    assert (
        str(calendar["NAME"])
        == str(calendar["X-WR-CALNAME"])
        == ("Metropole Ruhr – international partnerships")
    )
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in data.decode()
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT12H"
    assert str(calendar["PRODID"]).startswith("-//ruhrtimeline//ruhrtimeline ")
    component: Any = calendar.walk("VEVENT")[0]
    assert str(component["URL"]).startswith("https://www.rvr.ruhr/")
    assert component["GEO"].latitude == pytest.approx(50.2655)
    assert str(component["LOCATION"]) == "Międzynarodowe Centrum Kongresowe, Katowice, PL"
    assert [str(c) for c in component["CATEGORIES"].cats][:3] == ["RVR", "GZM", "Quality of life"]
    assert str(component["STATUS"]) == "CONFIRMED"
    description = str(component["DESCRIPTION"])
    assert "Partners: RVR – Ruhr Regional Association" in description
    assert "https://miastozabrze.pl/2019/08/09/" in description
    assert component.decoded("DTSTAMP") == datetime(2026, 12, 2, tzinfo=ZoneInfo("UTC"))


def test_partner_feed_is_named_for_it(cli: Cli) -> None:
    calendar = icalendar.Calendar.from_ical(cli("export", "ics", "--partner", "gzm").stdout_bytes)
    assert str(calendar["NAME"]) == "Metropole Ruhr – international partnerships: GZM"
    assert "Metropolis GZM" in str(calendar["DESCRIPTION"])


def test_byte_identical_reruns(cli: Cli, tmp_path: Path) -> None:
    first = cli("export", "ics").stdout_bytes
    second = cli("export", "ics", "-o", str(tmp_path / "all.ics"))
    assert second.exit_code == 0 and second.stdout == ""
    assert (tmp_path / "all.ics").read_bytes() == first
    golden("all-en.ics", first)
    golden(
        "partner-gzm-de.ics", cli("export", "ics", "--partner", "gzm", "--lang", "de").stdout_bytes
    )


def test_dtstamp_is_the_last_change_and_never_after_the_build(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_store(
        tmp_path / "s.yaml",
        [
            event("future", "2030-08-09"),  # no 'updated', in the future
            event("edited", "2019-08-09", updated="2024-05-01"),
            event("typo", "2019-08-09", updated="2031-01-01"),  # 'updated' in the future
        ],
    )
    saved = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
    os.utime(path, (saved.timestamp(), saved.timestamp()))

    def stamps() -> dict[str, tuple[datetime, datetime | None]]:
        data = cli("export", "ics", "--store", str(path)).stdout_bytes
        return {
            str(c["UID"]).split("@")[0]: (
                c.decoded("DTSTAMP"),
                c.decoded("LAST-MODIFIED") if "LAST-MODIFIED" in c else None,
            )
            for c in parse(data)
        }

    day_saved = datetime(2025, 3, 4, tzinfo=UTC)  # the build's time: the store file's day
    edited = datetime(2024, 5, 1, tzinfo=UTC)
    assert stamps() == {
        "edited": (edited, edited),
        "typo": (day_saved, day_saved),
        "future": (day_saved, None),
    }
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    built = datetime.fromtimestamp(1700000000, UTC)
    assert stamps() == {
        "edited": (built, built),
        "typo": (built, built),
        "future": (built, None),
    }


HOSTILE = [
    "Injected\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x",
    'comma, semicolon; backslash \\ colon: quote "',
    "Górnośląsko-Zagłębiowska Metropolia – 🚆 – שלום – مرحبا",
    "line one\nline two\n\nline four",
    "x" * 500,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_round_trips_and_cannot_inject(
    text: str, events: list[Event], directory: Directory
) -> None:
    # Texts the store would refuse (line breaks in a title) still cannot break the calendar.
    hostile = replace(
        events[0],
        title=Text(text, text),
        summary=Text(text, text),
        location=Location(name=text, country="DE"),
    )
    piece = event_bytes(hostile, directory, "en", built=datetime(2026, 1, 1, tzinfo=UTC))
    assert piece is not None
    data = b"".join(calendar_chunks(feed_info(directory, "en"), {}, "en", [piece]))
    found = check(data)
    assert len(found["VEVENT"]) == 1
    (component,) = parse(data)
    assert str(component["UID"]) == f"{hostile.id}@ruhrtimeline"
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert str(component["SUMMARY"]).replace("\r\n", "\n") == (
        expected + " (2017)" if hostile.precision == "year" else expected
    )
    assert str(component["DESCRIPTION"]).startswith(expected.strip())
    assert str(component["LOCATION"]).startswith(expected)
    (other,) = IcsCalendarStream.calendar_from_ics(data.decode()).events
    assert other.uid == f"{hostile.id}@ruhrtimeline"


def test_events_are_built_once_per_language(
    events: list[Event], bundled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruhrtimeline import ical

    calls: list[str] = []
    original = ical.vevent

    def counting(event: Event, *args: Any, **kwargs: Any) -> Any:
        calls.append(event.id)
        return original(event, *args, **kwargs)

    monkeypatch.setattr(ical, "vevent", counting)
    with load_store(bundled) as store:
        files = feed_files(FeedSet(store, pages={}))
    assert len(files) > 3 * len(events)  # many feeds hold each event ...
    assert sorted(calls) == sorted([e.id for e in events] * 2)  # ... built once a language


def test_description_counts_what_the_calendar_holds(cli: Cli) -> None:
    for options in ((), ("--imprecise", "omit"), ("--imprecise", "start", "--precision", "month")):
        calendar = icalendar.Calendar.from_ical(cli("export", "ics", *options).stdout_bytes)
        held = len(calendar.walk("VEVENT"))
        assert f" {held} events." in str(calendar["DESCRIPTION"]), options


def test_a_point_in_time_has_no_dtend(cli: Cli, tmp_path: Path) -> None:
    path = write_store(
        tmp_path / "s.yaml",
        [
            event("point", "2025-01-30T09:00", timezone="Europe/Berlin"),
            event("zero", "2025-01-30T10:00/2025-01-30T10:00", timezone="Europe/Berlin"),
            event("meeting", "2025-01-30T11:00/2025-01-30T12:30", timezone="Europe/Berlin"),
            event("day", "2025-01-31"),
        ],
    )
    data = cli("export", "ics", "--store", str(path)).stdout_bytes
    check(data)
    ends = {str(c["UID"]).split("@")[0]: c.get("DTEND") for c in parse(data)}
    assert ends["point"] is None and ends["zero"] is None  # RFC 5545 3.6.1: ends as it starts
    assert ends["meeting"].dt == datetime(2025, 1, 30, 12, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert ends["day"].dt == date(2025, 2, 1)  # all-day: the exclusive end, always written


def test_no_method_and_names_escaped_as_text(cli: Cli, tmp_path: Path) -> None:
    tricky = {"id": "tp", "name": "T, P; \\ X", "short": "T, P; \\ X", "kind": "other"}
    path = write_store(
        tmp_path / "s.yaml",
        [event("a", "2019-08-09", ["tp"])],
        partners=[{**tricky, "country": "PL"}],
        title={"de": "Liste, eins; zwei \\ drei", "en": "List, one; two \\ three"},
    )
    data = cli("export", "ics", "--store", str(path), "--partner", "tp").stdout_bytes
    check(data)
    assert b"METHOD" not in data
    name = "List, one; two \\ three: T, P; \\ X"
    assert b"\r\nNAME:List\\, one\\; two \\\\ three: T\\, P\\; \\\\ X\r\n" in data
    # RFC 7986 NAME is TEXT: readers that know it unescape it (icalendar keeps it raw)
    assert IcsCalendarStream.calendar_from_ics(data.decode()).name == [name]
    calendar = vobject.readOne(data.decode())
    assert calendar.contents["name"][0].value == calendar.x_wr_calname.value == name
    assert calendar.description.value == calendar.x_wr_caldesc.value
    assert "T, P; \\ X." in calendar.description.value


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("https://www.rvr.ruhr/themen/a-b_c.d~e?x=1&y=%2F;z=(1)*#top", None),  # unchanged
        (
            "https://pl.wikipedia.org/wiki/Górnośląsko-Zagłębiowska_Metropolia",
            "https://pl.wikipedia.org/wiki/G%C3%B3rno%C5%9Bl%C4%85sko-Zag%C5%82%C4%99biowska_"
            "Metropolia",
        ),
        (
            "https://user@Müller.example:8080/ä?q=ö|x",
            "https://user@xn--mller-kva.example:8080/%C3%A4?q=%C3%B6%7Cx",
        ),
        # IDNA 2003 (Python's codec) would make this strasse.example, another name
        ("https://straße.example/", "https://stra%C3%9Fe.example/"),
        ("https://ex.org/100%/a%2", "https://ex.org/100%25/a%252"),
        ('https://ex.org/a"b<c>{d}^`e\\f', "https://ex.org/a%22b%3Cc%3E%7Bd%7D%5E%60e%5Cf"),
        ("https://ex.org/🚆", "https://ex.org/%F0%9F%9A%86"),
    ],
)
def test_web_addresses_become_uris(written: str, sent: str | None) -> None:
    assert uri(written) == (sent or written)
    assert uri(uri(written)) == uri(written)  # a URI stays as it is


def test_an_empty_calendar_is_not_written(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "none.ics"
    result = cli("export", "ics", "--year", "1990", "-o", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "error: nothing to export: no event matches the selection; a calendar needs at least "
        "one event\n"
    )
    assert not target.exists()
