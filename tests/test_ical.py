"""iCalendar export: RFC 5545 output that calendar apps subscribe to, checked three ways."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from conftest import Cli
from helpers import event, golden, write_store
from ics_check import check
from ruhrtimeline import EventRecord, load_store
from ruhrtimeline.i18n import Names
from ruhrtimeline.ical import FeedWriter, export, export_info, vevent


def parse(data: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_every_event_exactly_once_with_the_right_days(cli: Cli, records: list[EventRecord]) -> None:
    data = cli("export", "ics").stdout_bytes
    check(data)
    events = {str(e["UID"]): e for e in parse(data)}
    assert len(events) == len(records) == 27
    for record in records:
        component = events[f"{record['id']}@ruhrtimeline"]
        start, end = component.decoded("DTSTART"), component.decoded("DTEND")
        if record["precision"] == "time":
            continue
        # All-day: DATE values, DTEND exclusive, the whole covered period (the default span).
        assert type(start) is date and type(end) is date
        assert start == date.fromisoformat(record["start"])
        assert end == date.fromisoformat(record["end"]) + timedelta(days=1)
        assert component["X-RUHRTIMELINE-EDTF"] == record["date"]


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


def test_independent_parser_agrees(cli: Cli, records: list[EventRecord]) -> None:
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
    assert month_event("--imprecise", "omit") == []


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
    assert [str(c) for c in component["CATEGORIES"].cats][:3] == ["RVR", "GZM", "NRW"]
    assert str(component["STATUS"]) == "CONFIRMED"
    description = str(component["DESCRIPTION"])
    assert "Partners: RVR – Ruhr Regional Association" in description
    assert "https://miastozabrze.pl/2019/08/09/" in description
    assert component.decoded("DTSTAMP") == datetime(2026, 11, 23, tzinfo=ZoneInfo("UTC"))


def test_partner_feed_is_named_for_it(cli: Cli) -> None:
    calendar = icalendar.Calendar.from_ical(cli("export", "ics", "--partner", "gzm").stdout_bytes)
    assert str(calendar["NAME"]) == "Metropole Ruhr – GZM partnership"
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


def test_dtstamp_without_updated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = load_store(write_store(tmp_path / "s.yaml", [event("a", "2019-08-09")]))
    names = Names(store.partner_map(), store.topic_map())
    record = store.events()[0]
    stamp = vevent(record, names, "en")
    assert stamp is not None and stamp.decoded("DTSTAMP") == datetime(
        2019, 8, 9, tzinfo=ZoneInfo("UTC")
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = vevent(record, names, "en")
    assert again is not None and again.decoded("DTSTAMP").timestamp() == 1700000000


HOSTILE = [
    "Injected\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x",
    'comma, semicolon; backslash \\ colon: quote "',
    "Górnośląsko-Zagłębiowska Metropolia – 🚆 – שלום – مرحبا",
    "line one\nline two\n\nline four",
    "x" * 500,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_round_trips_and_cannot_inject(
    text: str, records: list[EventRecord], names: Names
) -> None:
    record: Any = dict(records[0])
    record["title"] = {"de": text, "en": text}
    record["summary"] = {"de": text, "en": text}
    record["location"] = {"name": text, "online": False, "country": "DE"}
    data = export([record], names, "en")
    found = check(data)
    assert len(found["VEVENT"]) == 1
    (component,) = parse(data)
    assert str(component["UID"]) == f"{record['id']}@ruhrtimeline"
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert str(component["SUMMARY"]).replace("\r\n", "\n") == (
        expected + " (2017)" if record["precision"] == "year" else expected
    )
    assert str(component["DESCRIPTION"]).startswith(expected.strip())
    assert str(component["LOCATION"]).startswith(expected)
    (other,) = IcsCalendarStream.calendar_from_ics(data.decode()).events
    assert other.uid == f"{record['id']}@ruhrtimeline"


def test_events_are_built_once_per_language(
    records: list[EventRecord], names: Names, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruhrtimeline import ical

    calls: list[str] = []
    original = ical.vevent

    def counting(record: EventRecord, *args: Any, **kwargs: Any) -> Any:
        calls.append(record["id"])
        return original(record, *args, **kwargs)

    monkeypatch.setattr(ical, "vevent", counting)
    writer = FeedWriter(names, "en")
    writer.feed(records, export_info("en"))
    writer.feed(records[:5], export_info("en"))
    assert len(calls) == len(records)
