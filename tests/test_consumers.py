"""Self-check of the consumer harness (tests/consumers.py) on hand-written calendars.

The quirk tests pin down the readers' habits that the harness and the VTIMEZONE generator
are built around; if one fails after an upgrade, the reader changed: update the notes in
consumers.py (and perhaps the generator) rather than the expectation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import vobject  # type: ignore[import-untyped]

import consumers
from consumers import (
    Radicale,
    Seen,
    calendar_of,
    components,
    private_tzids,
    read_all,
    read_vobject,
    split_feed,
    with_rfc_end,
    zone_tzinfos,
)

radicale = consumers.radicale

# Europe/Berlin as tzurl.org publishes it: onsets in the offset before the change, RRULEs.
BERLIN = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "DTSTART:19810329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "DTSTART:19961027T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)
EVENTS = (
    "BEGIN:VEVENT\r\n"
    "UID:all-day@test\r\n"
    "DTSTAMP:20250101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20250510\r\n"
    "DTEND;VALUE=DATE:20250512\r\n"
    "SUMMARY:Two whole days\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:timed@test\r\n"
    "DTSTAMP:20250101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20250601T120000\r\n"
    "DTEND;TZID=Europe/Berlin:20250601T133000\r\n"
    "SUMMARY:Noon in Berlin\\, summer time\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:point@test\r\n"
    "DTSTAMP:20250101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20251224T180000\r\n"
    "SUMMARY:A moment in winter\r\n"
    "END:VEVENT\r\n"
)
HAND_WRITTEN = calendar_of(BERLIN.encode(), EVENTS.encode())
TIMED_START = datetime(2025, 6, 1, 10, tzinfo=UTC)
POINT = datetime(2025, 12, 24, 17, tzinfo=UTC)
EXPECTED = {
    "all-day@test": (date(2025, 5, 10), date(2025, 5, 12)),
    "timed@test": (TIMED_START, datetime(2025, 6, 1, 11, 30, tzinfo=UTC)),
}
# RFC 5545 3.6.1: an event with a DATE-TIME start and no end ends when it starts;
# icalendar and ical say so, vobject reports no end.
POINT_END = {"icalendar": POINT, "ical": POINT, "vobject": None}


def test_every_reader_sees_the_hand_written_calendar() -> None:
    for private in (True, False):
        seen = read_all(HAND_WRITTEN, private=private)
        assert set(seen) == {"icalendar", "ical", "vobject"}
        for reader, events in seen.items():
            assert events == [
                Seen("all-day@test", *EXPECTED["all-day@test"]),
                Seen("timed@test", *EXPECTED["timed@test"]),
                Seen("point@test", POINT, POINT_END[reader]),
            ], (reader, private)


def test_with_the_rfc_default_end_all_readers_agree() -> None:
    seen = read_all(HAND_WRITTEN)
    completed = {r: [with_rfc_end(s) for s in events] for r, events in seen.items()}
    assert completed["icalendar"] == completed["ical"] == completed["vobject"]
    assert completed["vobject"][2].end == POINT


def test_dates_stay_dates_and_times_are_utc() -> None:
    for events in read_all(HAND_WRITTEN).values():
        all_day, timed, _ = events
        assert type(all_day.start) is date and type(all_day.end) is date
        assert isinstance(timed.start, datetime) and timed.start.tzinfo is UTC


def test_radicale_finds_the_timed_event_in_its_hour_only(radicale: Radicale) -> None:
    collection = radicale.make_calendar("self-check")
    assert radicale.put_feed(collection, HAND_WRITTEN) == [
        "all-day@test",
        "timed@test",
        "point@test",
    ]
    half = timedelta(minutes=30)
    hour = timedelta(hours=1)
    assert radicale.query(collection, TIMED_START - half, TIMED_START + half) == {"timed@test"}
    assert radicale.query(collection, TIMED_START - hour, TIMED_START) == set()
    # the point event is found at its instant and not an hour later (it has no duration)
    assert radicale.query(collection, POINT, POINT + timedelta(seconds=1)) == {"point@test"}
    assert radicale.query(collection, POINT + hour, POINT + 2 * hour) == set()
    # all-day events are floating: Radicale places them in UTC (RFC 4791 9.9 leaves it open)
    may_10 = datetime(2025, 5, 10, tzinfo=UTC)
    assert radicale.query(collection, may_10, may_10 + hour) == {"all-day@test"}
    assert radicale.query(collection, may_10 + 2 * 24 * hour, may_10 + 3 * 24 * hour) == set()


def test_radicale_reads_the_vtimezone_it_is_given(radicale: Radicale) -> None:
    """The same wall time under a VTIMEZONE that says +05:00 all year lands elsewhere."""
    fixed = (
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nTZNAME:X\r\n"
        "TZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nDTSTART:19700101T000000\r\n"
        "RDATE:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    feed = private_tzids(calendar_of(fixed.encode(), EVENTS.encode()))
    collection = radicale.make_calendar("fixed-offset")
    radicale.put_feed(collection, feed)
    seven = datetime(2025, 6, 1, 7, tzinfo=UTC)  # 12:00 at +05:00
    assert radicale.query(collection, seven, seven + timedelta(seconds=1)) == {"timed@test"}
    assert radicale.query(collection, TIMED_START, TIMED_START + timedelta(hours=1)) == set()


# --- the helpers --------------------------------------------------------------------------


def test_split_feed_gives_one_event_per_calendar_with_its_zones() -> None:
    tokyo = BERLIN.replace("Europe/Berlin", "Asia/Tokyo")
    other = (
        "BEGIN:VEVENT\r\nUID:tokyo@test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART;TZID=Asia/Tokyo:20250601T120000\r\nEND:VEVENT\r\n"
    )
    feed = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nMETHOD:PUBLISH\r\n"
        + (BERLIN + tokyo + EVENTS + other).encode()
        + b"END:VCALENDAR\r\n"
    )
    parts = dict(split_feed(feed))
    assert list(parts) == ["all-day@test", "timed@test", "point@test", "tokyo@test"]
    for uid, part in parts.items():
        head, found = components(part)
        assert b"METHOD" not in b"".join(head)
        kinds = [kind for kind, _ in found]
        assert kinds.count("VEVENT") == 1
        zones = {"all-day@test": 0, "tokyo@test": 1}.get(uid, 1)
        assert kinds.count("VTIMEZONE") == zones
        assert (b"TZID:Asia/Tokyo" in part) == (uid == "tokyo@test")
        assert read_all(part)["vobject"][0].uid == uid


def test_private_tzids_renames_properties_and_parameters_alike() -> None:
    renamed = private_tzids(HAND_WRITTEN)
    assert b"Europe/Berlin" in renamed and b"TZID:Europe/Berlin" not in renamed
    (name,) = {
        line.split(b":", 1)[1] for line in renamed.split(b"\r\n") if line.startswith(b"TZID:")
    }
    assert renamed.count(b"TZID=" + name + b":") == 3
    assert private_tzids(HAND_WRITTEN) != renamed  # a new name for every call


# --- the readers' habits (see consumers.py) -----------------------------------------------

PLUS_FIVE = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nTZNAME:X\r\n"
    "TZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nDTSTART:19700101T000000\r\n"
    "RDATE:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


def test_quirk_icalendar_and_ical_ignore_a_vtimezone_with_an_iana_name() -> None:
    """Why `read_all` renames TZIDs: otherwise a wrong VTIMEZONE would go unnoticed."""
    wrong = calendar_of(PLUS_FIVE.encode(), EVENTS.encode())
    at_plus_five = datetime(2025, 6, 1, 7, tzinfo=UTC)
    as_is = {r: events[1].start for r, events in read_all(wrong, private=False).items()}
    assert as_is == {"icalendar": TIMED_START, "ical": TIMED_START, "vobject": at_plus_five}
    private = {r: events[1].start for r, events in read_all(wrong).items()}
    assert private == {"icalendar": at_plus_five, "ical": at_plus_five, "vobject": at_plus_five}


def test_quirk_vobject_keeps_only_the_first_value_of_an_rdate_list() -> None:
    """What made the old generator's feeds an hour off from their third year on."""
    listed = (
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
        "BEGIN:STANDARD\r\nTZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        "DTSTART:20201025T030000\r\nRDATE:20211031T030000,20221030T030000\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nTZNAME:CEST\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        "DTSTART:20210328T020000\r\nRDATE:20210328T020000,20220327T020000\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    summer_2022 = datetime(2022, 7, 1, 12, tzinfo=UTC)
    offsets = {
        r: summer_2022.astimezone(z).utcoffset() for r, z in zone_tzinfos(listed.encode()).items()
    }
    one, two = timedelta(hours=1), timedelta(hours=2)
    assert offsets == {"icalendar": two, "ical": two, "vobject": one}
    # one RDATE a line is read in full
    lines = listed.replace(",20221030T030000", "\r\nRDATE:20221030T030000")
    lines = lines.replace(",20220327T020000", "\r\nRDATE:20220327T020000")
    offsets = {
        r: summer_2022.astimezone(z).utcoffset() for r, z in zone_tzinfos(lines.encode()).items()
    }
    assert offsets == {"icalendar": two, "ical": two, "vobject": two}


def test_quirk_vobject_keeps_the_first_definition_of_a_tzid() -> None:
    """Why `read_vobject` clears vobject's registry (Radicale has the same registry)."""
    first = calendar_of(BERLIN.encode(), EVENTS.encode()).decode()
    second = calendar_of(PLUS_FIVE.encode(), EVENTS.encode()).decode()
    vobject.readOne(first)
    stale = vobject.readOne(second).contents["vevent"][1].dtstart.value
    assert stale.astimezone(UTC) == TIMED_START  # still the first Europe/Berlin
    fresh = read_vobject(second.encode())[1].start
    assert fresh == datetime(2025, 6, 1, 7, tzinfo=UTC)


def test_quirk_ical_ignores_an_onset_that_only_dtstart_names() -> None:
    """Why every generated block without RRULE repeats its DTSTART as an RDATE (vzic too)."""
    bare = PLUS_FIVE.replace("RDATE:19700101T000000\r\n", "")
    noon = datetime(2025, 6, 1, 12, tzinfo=UTC)
    offsets = {r: noon.astimezone(z).utcoffset() for r, z in zone_tzinfos(bare.encode()).items()}
    five = timedelta(hours=5)
    assert offsets == {"icalendar": five, "ical": timedelta(0), "vobject": five}


def test_quirk_ical_converts_the_repeated_hour_to_the_wrong_wall_time() -> None:
    """Why the timezone tests compare UTC offsets: ical's tzinfo inherits Python's default
    ``fromutc``, which is not fold-aware; the offset it reports is still right."""
    second_half_past_two = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET
    walls = {
        r: second_half_past_two.astimezone(z).replace(tzinfo=None)
        for r, z in zone_tzinfos(BERLIN.encode()).items()
    }
    assert walls == {
        "icalendar": datetime(2025, 10, 26, 2, 30),
        "ical": datetime(2025, 10, 26, 3, 30),
        "vobject": datetime(2025, 10, 26, 2, 30),
    }
    offsets = {
        r: second_half_past_two.astimezone(z).utcoffset()
        for r, z in zone_tzinfos(BERLIN.encode()).items()
    }
    assert set(offsets.values()) == {timedelta(hours=1)}


def test_private_tzids_folds_what_it_rewrites() -> None:
    long_name = "America/Argentina/ComodRivadavia"
    line = f'DTSTART;TZID={long_name};X-NOTE="ä: long enough to fold":20250601T120000\r\n'
    data = calendar_of(line.replace("DTSTART", "X-WHEN").encode())
    renamed = private_tzids(data)
    assert all(len(raw) <= 75 for raw in renamed.split(b"\r\n"))
    unfolded = renamed.replace(b"\r\n ", b"").decode()
    assert f'-{long_name};X-NOTE="ä: long enough to fold":20250601T120000' in unfolded


def test_quirk_radicale_keeps_the_first_definition_of_a_tzid(radicale: Radicale) -> None:
    """A server process reads every later VTIMEZONE of a TZID as the first one it stored:
    a feed's own VTIMEZONE only counts under a TZID the server has not seen."""

    def fixed(offset: str) -> bytes:
        return PLUS_FIVE.replace("+0500", offset).replace("Europe/Berlin", "X-RT-shared").encode()

    event = EVENTS.split("BEGIN:VEVENT")[2].replace("Europe/Berlin", "X-RT-shared")
    first, second = radicale.make_calendar("first-tzid"), radicale.make_calendar("second-tzid")
    radicale.put_feed(first, calendar_of(fixed("+0500"), f"BEGIN:VEVENT{event}".encode()))
    radicale.put_feed(second, calendar_of(fixed("+0300"), f"BEGIN:VEVENT{event}".encode()))
    second_says = datetime(2025, 6, 1, 9, tzinfo=UTC)  # 12:00 at +03:00
    first_said = datetime(2025, 6, 1, 7, tzinfo=UTC)  # 12:00 at +05:00
    one = timedelta(seconds=1)
    assert radicale.query(second, second_says, second_says + one) == set()
    assert radicale.query(second, first_said, first_said + one) == {"timed@test"}


def test_quirk_vobject_takes_a_zone_like_utc_from_2000_to_2019_for_utc() -> None:
    """Why feeds describe each zone from 2000 on (ical._years): vobject compares every
    VTIMEZONE with UTC over 2000-2019 and, if they agree, drops its TZID (the time floats)."""
    london = (
        "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
        "BEGIN:STANDARD\r\nTZNAME:GMT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"
        "DTSTART:{autumn}T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nTZNAME:BST\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n"
        "DTSTART:{spring}T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    event = (
        "BEGIN:VEVENT\r\nUID:noon@test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART;TZID=Europe/London:20240701T120000\r\nEND:VEVENT\r\n"
    )
    since_2023 = london.format(autumn="20231029", spring="20240331")
    since_1999 = london.format(autumn="19991031", spring="20000326")
    starts = {
        since: read_all(calendar_of(block.encode(), event.encode()))["vobject"][0].start
        for since, block in ((2023, since_2023), (1999, since_1999))
    }
    assert starts == {
        2023: datetime(2024, 7, 1, 12, 0),  # floating
        1999: datetime(2024, 7, 1, 11, 0, tzinfo=UTC),
    }
