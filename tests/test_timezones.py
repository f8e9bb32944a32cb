"""VTIMEZONE blocks, checked against real RFC 5545 readers and zoneinfo.

zoneinfo is the truth; the readers (icalendar, ical, vobject, a Radicale server) interpret
the generated VTIMEZONE under a private TZID, so that none can fall back on its own tz data.
"""

from __future__ import annotations

import io
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from importlib import resources

import pytest
from icalendar import Timezone

import consumers
from consumers import Radicale, calendar_of, private_tzids, read_all, zone_tzinfos
from ics_check import check
from ruhrtimeline.timezones import (
    DateRule,
    LocalTime,
    parse_posix_tz,
    read_tzif,
    rrule_of,
    vtimezone,
    vtimezone_from_tzif,
)

radicale = consumers.radicale

ZONES = [
    "Europe/Berlin",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Warsaw",
    "America/New_York",
    "America/Sao_Paulo",  # daylight saving time abolished in 2019
    "Australia/Sydney",  # southern hemisphere
    "Asia/Tokyo",  # no daylight saving time
    "Europe/Moscow",  # standard offset changed in 2011 and 2014
    "Pacific/Apia",  # skipped 2011-12-30
    "Asia/Kolkata",  # +05:30
]
FIRST, LAST = 2005, 2030
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)

BRUSSELS_2025 = (
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:Europe/Brussels\r\n"
    b"BEGIN:STANDARD\r\n"
    b"TZNAME:CET\r\n"
    b"TZOFFSETFROM:+0200\r\n"
    b"TZOFFSETTO:+0100\r\n"
    b"DTSTART:20241027T030000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    b"END:STANDARD\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"TZNAME:CEST\r\n"
    b"TZOFFSETFROM:+0100\r\n"
    b"TZOFFSETTO:+0200\r\n"
    b"DTSTART:20250330T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    b"END:DAYLIGHT\r\n"
    b"END:VTIMEZONE\r\n"
)


# --- the truth, from zoneinfo alone ------------------------------------------------------


def zone_changes(zone: tzinfo, first: int, last: int, hours: int = 6) -> list[datetime]:
    """Every instant of the years at which zoneinfo's UTC offset changes: a scan every few
    hours (real changes are weeks apart), then bisection to the second."""
    start = int(datetime(first, 1, 1, tzinfo=UTC).timestamp()) - 86_400
    end = int(datetime(last + 1, 1, 1, tzinfo=UTC).timestamp()) + 86_400

    def offset(ts: int) -> timedelta | None:
        return datetime.fromtimestamp(ts, zone).utcoffset()

    changes: list[datetime] = []
    step = hours * 3600
    previous = offset(start)
    for ts in range(start + step, end, step):
        current = offset(ts)
        if current != previous:
            low, high = ts - step, ts  # offset(low) == previous != offset(high)
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == previous else (low, middle)
            changes.append(datetime.fromtimestamp(high, UTC))
        previous = current
    return changes


def probe_instants(zone: tzinfo, first: int, last: int) -> list[datetime]:
    """Each change -1 h, -1 s, 0, +1 h; the range's first and last second; noon each week."""
    found = {
        c + d for c in zone_changes(zone, first, last) for d in (-HOUR, -SECOND, 0 * HOUR, HOUR)
    }
    found.add(datetime(first, 1, 1, tzinfo=zone).astimezone(UTC))
    found.add(datetime(last, 12, 31, 23, 59, 59, tzinfo=zone).astimezone(UTC))
    week = datetime(first, 1, 1, 12, tzinfo=UTC)
    while week.year <= last:
        found.add(week)
        week += timedelta(days=7)
    return sorted(found)


def exists(wall: datetime, zone: tzinfo) -> bool:
    """Whether a wall-clock time happens at all (not in the gap of a spring-forward)."""
    there = wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return there == wall


def probe_walls(zone: tzinfo, first: int, last: int) -> list[datetime]:
    """Wall-clock times around each change (-2 h to +2 h) and on the 15th of each month at
    noon, without those in a gap: RFC 5545 3.3.5 maps them with the offset before the gap,
    icalendar, ical and vobject with the one after, whatever the VTIMEZONE."""
    walls = {datetime(first, 1, 1), datetime(last, 12, 31, 23, 59, 59)}
    for change in zone_changes(zone, first, last):
        for delta in (-2 * HOUR, -HOUR, -SECOND, 0 * HOUR, HOUR, 2 * HOUR):
            walls.add((change + delta).astimezone(zone).replace(tzinfo=None, fold=0))
    walls |= {datetime(y, m, 15, 12) for y in range(first, last + 1) for m in range(1, 13)}
    return sorted(w for w in walls if exists(w, zone))


def expected_utc(wall: datetime, zone: tzinfo) -> datetime:
    """RFC 5545 3.3.5: a repeated wall time means its first occurrence (fold=0)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def standard_changes(reader: tzinfo, zone: tzinfo, change: datetime) -> bool:
    """Whether the reader's standard offset (utcoffset - dst) differs across a change.

    Python's default ``tzinfo.fromutc`` assumes a fixed standard offset (its documentation
    says so); ical inherits it and dateutil's tzical (behind icalendar and vobject) copies
    it, so near such a change (Moscow 2014, Apia 2011/2012) they convert UTC to local time
    wrongly whatever the VTIMEZONE says.  Local-to-UTC conversion is not affected."""
    sides = []
    for delta in (-6 * HOUR, 6 * HOUR):
        wall = (change + delta).astimezone(zone).replace(tzinfo=None)
        offset, saving = reader.utcoffset(wall), reader.dst(wall)
        assert offset is not None and saving is not None
        sides.append(offset - saving)
    return sides[0] != sides[1]


def offset_mismatches(
    data: bytes, zone: tzinfo, first: int, last: int
) -> dict[str, list[tuple[datetime, timedelta | None, timedelta | None]]]:
    """Per reader: the probe instants whose UTC offset differs from zoneinfo's."""
    instants = probe_instants(zone, first, last)
    changes = zone_changes(zone, first, last)
    found: dict[str, list[tuple[datetime, timedelta | None, timedelta | None]]] = {}
    for name, reader in zone_tzinfos(data).items():
        # only a day around such changes is left out, and only for that reader
        blind = [c for c in changes if standard_changes(reader, zone, c)]
        wrong = []
        for instant in instants:
            if any(abs(instant - c) < timedelta(days=1) for c in blind):
                continue
            try:
                got = instant.astimezone(reader).utcoffset()
            except ValueError:  # dateutil rejects some VTIMEZONEs outright
                got = None
            if got != instant.astimezone(zone).utcoffset():
                wrong.append((instant, instant.astimezone(zone).utcoffset(), got))
        found[name] = wrong
    return found


def events_at(tzid: str, walls: list[datetime]) -> Iterator[bytes]:
    for index, wall in enumerate(walls):
        yield (
            f"BEGIN:VEVENT\r\nUID:p{index}\r\nDTSTAMP:20250101T000000Z\r\n"
            f"DTSTART;TZID={tzid}:{wall:%Y%m%dT%H%M%S}\r\nEND:VEVENT\r\n"
        ).encode()


def start_mismatches(
    data: bytes, zone: tzinfo, name: str, walls: list[datetime]
) -> dict[str, list[tuple[datetime, datetime, object]]]:
    """Per reader: the events whose start, as the reader converts it to UTC, is wrong."""
    calendar = calendar_of(data, *events_at(name, walls))
    found: dict[str, list[tuple[datetime, datetime, object]]] = {}
    for reader, seen in read_all(calendar).items():
        assert [s.uid for s in seen] == [f"p{i}" for i in range(len(walls))]
        found[reader] = [
            (wall, expected_utc(wall, zone), s.start)
            for wall, s in zip(walls, seen, strict=True)
            if s.start != expected_utc(wall, zone)
        ]
    return found


# --- agreement with real readers ---------------------------------------------------------


@pytest.mark.parametrize("name", ZONES)
def test_readers_convert_utc_to_the_offsets_of_zoneinfo(name: str) -> None:
    zone = zoneinfo.ZoneInfo(name)
    mismatches = offset_mismatches(vtimezone(name, FIRST, LAST), zone, FIRST, LAST)
    assert mismatches == {"icalendar": [], "ical": [], "vobject": []}


@pytest.mark.parametrize("name", ZONES)
def test_readers_convert_event_times_like_zoneinfo(name: str) -> None:
    zone = zoneinfo.ZoneInfo(name)
    walls = probe_walls(zone, FIRST, LAST)
    mismatches = start_mismatches(vtimezone(name, FIRST, LAST), zone, name, walls)
    assert mismatches == {"icalendar": [], "ical": [], "vobject": []}


def test_the_current_rule_goes_on_after_the_range() -> None:
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    mismatches = offset_mismatches(vtimezone("Europe/Berlin", 2025, 2025), zone, 2025, 2045)
    assert mismatches == {"icalendar": [], "ical": [], "vobject": []}


@pytest.mark.parametrize("name", ["Europe/Berlin", "Australia/Sydney", "America/Sao_Paulo"])
def test_the_slim_tzdata_package_files_give_the_same_offsets(name: str) -> None:
    """The ``tzdata`` package ships "slim" TZif files: after the last rule change there are
    no explicit transitions, only the footer's TZ string, which must become the RRULE."""
    data = resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=name)
    tzif = read_tzif(data)
    assert len(tzif.times) < 200  # slim indeed
    block = vtimezone_from_tzif(name, tzif, FIRST, LAST)
    assert offset_mismatches(block, zone, FIRST, LAST) == {
        "icalendar": [],
        "ical": [],
        "vobject": [],
    }
    walls = probe_walls(zone, FIRST, LAST)
    assert start_mismatches(block, zone, name, walls) == {
        "icalendar": [],
        "ical": [],
        "vobject": [],
    }


@pytest.mark.slow
def test_every_zone_agrees_with_zoneinfo_in_icalendar() -> None:
    """Every zone of the database, 2020-2035, through icalendar's reader (dateutil): the
    POSIX rules of all footers (Jerusalem's "Friday before the last Sunday", Nuuk's -1 h,
    Santiago's 24:00, Cairo's month-crossing rule) become RRULEs or RDATEs correctly."""
    wrong: dict[str, list[datetime]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        zone = zoneinfo.ZoneInfo(name)
        reader = zone_tzinfos(vtimezone(name, 2020, 2035))["icalendar"]
        changes = zone_changes(zone, 2020, 2035, hours=24)
        blind = [c for c in changes if standard_changes(reader, zone, c)]
        instants = {c + d for c in changes for d in (-HOUR, -SECOND, 0 * HOUR, HOUR)}
        instants |= {datetime(y, m, 1, tzinfo=UTC) for y in range(2020, 2036) for m in (1, 7)}
        for instant in sorted(instants):
            if any(abs(instant - c) < timedelta(days=1) for c in blind):
                continue
            if instant.astimezone(reader).utcoffset() != instant.astimezone(zone).utcoffset():
                wrong.setdefault(name, []).append(instant)
    assert wrong == {}


def test_radicale_finds_events_where_zoneinfo_puts_them(radicale: Radicale) -> None:
    """A CalDAV time-range query (RFC 4791 9.9) of one second at each event's true start."""
    for name in ("Europe/Berlin", "Australia/Sydney", "America/New_York", "Europe/Moscow"):
        zone = zoneinfo.ZoneInfo(name)
        walls = [
            w
            for c in zone_changes(zone, 2010, 2011)
            for w in ((c - HOUR).astimezone(zone), (c + HOUR).astimezone(zone))
        ]
        naive = [w.replace(tzinfo=None) for w in walls]
        feed = private_tzids(calendar_of(vtimezone(name, 2010, 2011), *events_at(name, naive)))
        collection = radicale.make_calendar(f"tz-{name.replace('/', '-').lower()}")
        uids = radicale.put_feed(collection, feed)
        for uid, wall in zip(uids, naive, strict=True):
            start = expected_utc(wall, zone)
            assert radicale.query(collection, start, start + SECOND) == {uid}, (name, wall)
            assert uid not in radicale.query(collection, start - HOUR, start), (name, wall)


# --- the old generator, as a regression demonstration -------------------------------------


def old_berlin() -> bytes:
    """REGRESSION DEMONSTRATION: the VTIMEZONE the project wrote before (icalendar's
    ``Timezone.from_tzid``), with the onset an hour late and all onsets in one RDATE."""
    zone = Timezone.from_tzid(
        "Europe/Berlin", first_date=date(2020, 1, 1), last_date=date(2026, 1, 1)
    )
    return bytes(zone.to_ical())


def test_regression_the_old_generator_makes_readers_disagree() -> None:
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    old = old_berlin()
    assert b"DTSTART:20200329T030000" in old and b"RDATE:20210328T030000,2022" in old
    offsets = offset_mismatches(old, zone, 2020, 2025)
    # The late onset: every spring, the hour after the change is still +01:00 for icalendar
    # (of the probes, the instant of the change itself is in that hour).
    assert [instant for instant, _, _ in offsets["icalendar"]] == [
        datetime(year, 3, day, 1, tzinfo=UTC)
        for year, day in ((2020, 29), (2021, 28), (2022, 27), (2023, 26), (2024, 31), (2025, 30))
    ]
    # The comma list: vobject keeps the first RDATE, so from 2022 on summer is +01:00.
    walls = probe_walls(zone, 2020, 2025)
    starts = start_mismatches(old, zone, "Europe/Berlin", walls)
    assert starts["vobject"]
    assert min(wall for wall, _, _ in starts["vobject"]).year == 2022
    # The same range with the new generator: every reader agrees.
    new = vtimezone("Europe/Berlin", 2020, 2025)
    assert offset_mismatches(new, zone, 2020, 2025) == {"icalendar": [], "ical": [], "vobject": []}
    assert start_mismatches(new, zone, "Europe/Berlin", walls) == {
        "icalendar": [],
        "ical": [],
        "vobject": [],
    }


def test_regression_radicale_misplaces_events_with_the_old_generator(radicale: Radicale) -> None:
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    wall = datetime(2023, 7, 1, 12)
    start = expected_utc(wall, zone)  # 10:00 UTC
    for label, block in (("old", old_berlin()), ("new", vtimezone("Europe/Berlin", 2020, 2025))):
        feed = private_tzids(calendar_of(block, *events_at("Europe/Berlin", [wall])))
        collection = radicale.make_calendar(f"regression-{label}")
        (uid,) = radicale.put_feed(collection, feed)
        found_true = radicale.query(collection, start, start + SECOND)
        found_late = radicale.query(collection, start + HOUR, start + HOUR + SECOND)
        if label == "old":  # Radicale read summer 2023 as +01:00
            assert (found_true, found_late) == (set(), {uid})
        else:
            assert (found_true, found_late) == ({uid}, set())


# --- the wire shape -----------------------------------------------------------------------


def lines(data: bytes) -> list[str]:
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    raw = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in raw)
    unfolded: list[str] = []
    for line in raw:
        if line.startswith(b" "):
            unfolded[-1] += line[1:].decode()
        else:
            unfolded.append(line.decode())
    return unfolded


def test_brussels_2025_is_written_exactly_like_this() -> None:
    assert vtimezone("Europe/Brussels", 2025, 2025) == BRUSSELS_2025


def test_the_berlin_daylight_onset_is_in_the_old_offset() -> None:
    text = lines(vtimezone("Europe/Berlin", 2025, 2025))
    daylight = text[text.index("BEGIN:DAYLIGHT") : text.index("END:DAYLIGHT")]
    assert "DTSTART:20250330T020000" in daylight
    assert "TZOFFSETFROM:+0100" in daylight
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in daylight


@pytest.mark.parametrize("name", ZONES)
def test_only_what_rfc_5545_allows(name: str) -> None:
    data = vtimezone(name, FIRST, LAST)
    text = lines(data)
    assert text[0] == "BEGIN:VTIMEZONE" and text[1] == f"TZID:{name}"
    assert text[-1] == "END:VTIMEZONE"
    top: list[str] = []
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text[1:-1]:
        if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            current = []
        elif line in ("END:STANDARD", "END:DAYLIGHT"):
            assert current is not None
            blocks.append(current)
            current = None
        else:
            assert not line.startswith(("BEGIN:", "END:")), line
            (top if current is None else current).append(line)
    assert [line.split(":")[0] for line in top] == ["TZID"]  # no COMMENT, nothing else
    assert blocks
    for block in blocks:
        names = [line.split(":")[0] for line in block]
        for required in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"):
            assert names.count(required) == 1, block
        assert set(names) <= {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "RRULE", "RDATE"}
        assert names.count("RRULE") <= 1
        assert "RRULE" in names or "RDATE" in names  # ical ignores a bare DTSTART
        assert all("," not in line for line in block if line.startswith("RDATE"))
    check(calendar_of(data))  # the project's strict syntax check


@pytest.mark.parametrize(
    ("name", "rrules"),
    [
        (
            "Europe/Berlin",
            {"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"},
        ),
        (
            "Europe/London",
            {"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"},
        ),
        (
            "America/New_York",
            {"FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"},
        ),
        (
            "Australia/Sydney",
            {"FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"},
        ),
        ("America/Sao_Paulo", set()),
        ("Asia/Tokyo", set()),
        ("Europe/Moscow", set()),
    ],
)
def test_the_rule_in_force_is_an_rrule(name: str, rrules: set[str]) -> None:
    text = lines(vtimezone(name, FIRST, LAST))
    assert {line[6:] for line in text if line.startswith("RRULE:")} == rrules


def test_a_zone_without_daylight_time_has_one_standard_block() -> None:
    for name, offset in (("Asia/Tokyo", "+0900"), ("Asia/Kolkata", "+0530")):
        text = lines(vtimezone(name, FIRST, LAST))
        assert text.count("BEGIN:STANDARD") == 1 and "BEGIN:DAYLIGHT" not in text
        assert f"TZOFFSETTO:{offset}" in text


def test_output_is_deterministic() -> None:
    """(Its speed is measured, not asserted: docs/benchmarks.md.)"""
    first = {name: vtimezone(name, FIRST, LAST) for name in ZONES}
    vtimezone.cache_clear()
    again = {name: vtimezone(name, FIRST, LAST) for name in ZONES}
    assert again == first


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [("Mars/Olympus_Mons", 2020, 2021), ("../etc/passwd", 2020, 2021), ("", 2020, 2021)],
)
def test_unknown_zones_are_value_errors(name: str, first: int, last: int) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        vtimezone(name, first, last)


def test_bad_years_are_value_errors() -> None:
    with pytest.raises(ValueError, match="years"):
        vtimezone("Europe/Berlin", 2026, 2025)
    with pytest.raises(ValueError, match="years"):
        vtimezone("Europe/Berlin", 2025, 10_000)


# --- POSIX TZ strings (the TZif footer) --------------------------------------------------


def test_tz_strings_are_read_with_the_sign_of_rfc_5545() -> None:
    berlin = parse_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3")
    assert berlin.std == LocalTime(3600, False, "CET")
    assert berlin.dst == LocalTime(7200, True, "CEST")
    assert berlin.start == DateRule("M", month=3, week=5, weekday=0, time=7200)
    assert berlin.end == DateRule("M", month=10, week=5, weekday=0, time=10800)
    assert parse_posix_tz("<+0530>-5:30").std == LocalTime(19800, False, "+0530")
    assert parse_posix_tz("<-03>3").dst is None
    with pytest.raises(ValueError, match="TZ string"):
        parse_posix_tz("Mars")


@pytest.mark.parametrize(
    ("rule", "rrule", "onset_2025"),
    [
        ("M3.5.0", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", datetime(2025, 3, 30, 2)),
        ("M11.1.0", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", datetime(2025, 11, 2, 2)),
        # Jerusalem: 02:00 on the Friday after the fourth Thursday of March
        (
            "M3.4.4/26",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29",
            datetime(2025, 3, 28, 2),
        ),
        # Nuuk: 23:00 on the Saturday before the last Sunday of March
        (
            "M3.5.0/-1",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=SA;BYMONTHDAY=-8,-7,-6,-5,-4,-3,-2",
            datetime(2025, 3, 29, 23),
        ),
        # Cairo: the Friday after the last Thursday of October may be in November
        ("M10.5.4/24", None, datetime(2025, 10, 31, 0)),
        ("J60", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", datetime(2025, 3, 1, 2)),
        ("59", "FREQ=YEARLY;BYYEARDAY=60", datetime(2025, 3, 1, 2)),
    ],
)
def test_posix_rules_become_rrules(rule: str, rrule: str | None, onset_2025: datetime) -> None:
    parsed = parse_posix_tz(f"AAA-1BBB,{rule},M10.5.0").start
    assert parsed is not None
    assert rrule_of(parsed) == rrule
    assert parsed.onset(2025) == onset_2025
