"""The EDTF subset: every form, its precision and covered days, invalid forms, and wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ruhrtimeline.dates import (
    DateError,
    clock_change,
    days_in_month,
    format_date,
    format_point,
    parse_bound,
    parse_edtf,
)

# Examples from the EDTF specification (Library of Congress, levels 0 and 1) that the subset
# supports, with the days they cover and their precision.
SPEC_EXAMPLES = [
    ("1985-04-12", "day", date(1985, 4, 12), date(1985, 4, 12)),
    ("1985-04", "month", date(1985, 4, 1), date(1985, 4, 30)),
    ("1985", "year", date(1985, 1, 1), date(1985, 12, 31)),
    ("1964/2008", "year", date(1964, 1, 1), date(2008, 12, 31)),
    ("2004-06/2006-08", "month", date(2004, 6, 1), date(2006, 8, 31)),
    ("2004-02-01/2005-02-08", "day", date(2004, 2, 1), date(2005, 2, 8)),
    ("2004-02-01/2005-02", "month", date(2004, 2, 1), date(2005, 2, 28)),
    ("2004-02-01/2005", "year", date(2004, 2, 1), date(2005, 12, 31)),
    ("2005/2006-02", "year", date(2005, 1, 1), date(2006, 2, 28)),
    ("1984?", "year", date(1984, 1, 1), date(1984, 12, 31)),
    ("2004-06~", "month", date(2004, 6, 1), date(2004, 6, 30)),
    ("2004-06-11%", "day", date(2004, 6, 11), date(2004, 6, 11)),
    ("2001-21", "season", date(2001, 3, 1), date(2001, 5, 31)),
    ("1984~/2004-06", "year", date(1984, 1, 1), date(2004, 6, 30)),
    ("1984/2004-06~", "year", date(1984, 1, 1), date(2004, 6, 30)),
    ("1984~/2004~", "year", date(1984, 1, 1), date(2004, 12, 31)),
    ("1984?/2004%", "year", date(1984, 1, 1), date(2004, 12, 31)),
]


@pytest.mark.parametrize(("text", "precision", "first", "last"), SPEC_EXAMPLES)
def test_spec_examples_bounds(text: str, precision: str, first: date, last: date) -> None:
    parsed = parse_edtf(text)
    assert (parsed.precision, parsed.first, parsed.last) == (precision, first, last)
    assert parsed.text == text


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2018-21", date(2018, 3, 1), date(2018, 5, 31)),
        ("2018-22", date(2018, 6, 1), date(2018, 8, 31)),
        ("2018-23", date(2018, 9, 1), date(2018, 11, 30)),
        # Winter spans December into the next year's February (a leap year here).
        ("2019-24", date(2019, 12, 1), date(2020, 2, 29)),
        ("2018-24", date(2018, 12, 1), date(2019, 2, 28)),
    ],
)
def test_seasons(text: str, first: date, last: date) -> None:
    parsed = parse_edtf(text)
    assert parsed.precision == "season"
    assert (parsed.first, parsed.last) == (first, last)


def test_qualifiers_flag_but_never_widen() -> None:
    phase = parse_edtf("2019-06~/2019-12~")
    assert phase.approximate and not phase.uncertain
    assert (phase.first, phase.last) == (date(2019, 6, 1), date(2019, 12, 31))
    both = parse_edtf("2004-06-11%")
    assert both.approximate and both.uncertain
    assert parse_edtf("1984?").uncertain and not parse_edtf("1984?").approximate


def test_local_time_and_time_interval() -> None:
    single = parse_edtf("2025-01-30T09:00")
    assert single.precision == "time" and single.has_time
    assert single.start.time == time(9, 0)
    interval = parse_edtf("2025-01-30T09:00/2025-01-30T11:30")
    assert interval.precision == "time"
    assert interval.first == interval.last == date(2025, 1, 30)
    assert interval.end is not None and interval.end.time == time(11, 30)
    assert parse_edtf("2025-01-30T09:00:15").start.time == time(9, 0, 15)


def test_interval_precision_is_the_coarser_end() -> None:
    assert parse_edtf("2019-06/2019-08-15").precision == "month"
    assert parse_edtf("2018-21/2018-08-01").precision == "season"
    assert parse_edtf("2018-12/2019-07").precision == "month"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-02-30", "day 30 does not exist"),
        ("2019-02-29", "day 29 does not exist"),
        ("2019-13", "month 13 does not exist"),
        ("2019-00", "month 00 does not exist"),
        ("2019-25", "month 25 does not exist"),
        ("2019-08-09/2019-08-01", "the end lies before the start"),
        ("2019/2018", "the end lies before the start"),
        ("2025-01-30T11:30/2025-01-30T09:00", "the end lies before the start"),
        ("2025-01-30T25:00", "hour 25 does not exist"),
        ("2025-01-30T09:60", "minute 60 does not exist"),
        ("2025-01-30T23:59:60", "second 60 does not exist"),
        ("2025-01-30T09:00/2025-01-31", "give a time on both ends"),
        ("0000", "out of range"),
        ("19", "is not a supported date"),
        ("2019-8-9", "is not a supported date"),
        ("201X", "is not a supported date"),
        ("2019-08/..", "open intervals are not supported"),
        ("/2019", "open intervals are not supported"),
        ("2019/2020/2021", "exactly one '/'"),
        (" 2019", "remove the spaces"),
        ("2025-01-30T09:00Z", "UTC offsets are not supported; write the local time"),
        ("2025-01-30T09:00+01:00", "give the event's timezone"),
        ("2025-01-30T09:00/2025-01-30T10:00-05", "UTC offsets"),
        ("２０１９", "is not a supported date"),
        ("٢٠١٩-٠٨", "is not a supported date"),
        ("𝟚𝟘𝟙𝟡", "is not a supported date"),
        ("9999", "out of range"),
        ("9999-24", "out of range"),
        ("2019/9999-01", "out of range"),
        ("Y170000002", "is not a supported date"),
        ("-1985", "is not a supported date"),
        ("2004-~06", "is not a supported date"),
        ("", "is not a supported date"),
    ],
)
def test_invalid_forms(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_edtf(text)


def test_leap_day_exists_in_leap_years() -> None:
    assert parse_edtf("2020-02-29").first == date(2020, 2, 29)
    assert parse_edtf("2000-02-29").first == date(2000, 2, 29)
    with pytest.raises(DateError):
        parse_edtf("1900-02-29")


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9998, 12, 31)))
def test_days_in_month_matches_the_calendar(day: date) -> None:
    import calendar

    assert days_in_month(day.year, day.month) == calendar.monthrange(day.year, day.month)[1]


@given(
    st.dates(min_value=date(1000, 1, 1), max_value=date(9998, 12, 31)),
    st.dates(min_value=date(1000, 1, 1), max_value=date(9998, 12, 31)),
)
def test_any_ordered_day_interval_parses(a: date, b: date) -> None:
    first, last = sorted((a, b))
    parsed = parse_edtf(f"{first.isoformat()}/{last.isoformat()}")
    assert (parsed.first, parsed.last, parsed.precision) == (first, last, "day")


def test_parse_bound_covers_whole_periods() -> None:
    assert parse_bound("2019") == (date(2019, 1, 1), date(2019, 12, 31))
    assert parse_bound("2019-08") == (date(2019, 8, 1), date(2019, 8, 31))
    assert parse_bound("2019-08-09") == (date(2019, 8, 9), date(2019, 8, 9))
    assert parse_bound("2019-21") == (date(2019, 3, 1), date(2019, 5, 31))  # spring
    assert parse_bound("2019-24") == (date(2019, 12, 1), date(2020, 2, 29))  # winter
    for bad in ("2019-13", "2019-25", "20x5", "2019~", "2019/2020", "２０１９"):
        with pytest.raises(DateError):
            parse_bound(bad)


@pytest.mark.parametrize(
    ("text", "en", "de"),
    [
        ("2017", "2017", "2017"),
        ("2018-04", "Apr 2018", "Apr. 2018"),
        ("2018-21", "spring 2018", "Frühjahr 2018"),
        ("2018-24", "winter 2018/19", "Winter 2018/19"),
        ("2019-08-09", "9 Aug 2019", "9. Aug. 2019"),
        ("2019-08-08/2019-08-09", "8–9 Aug 2019", "8.–9. Aug. 2019"),
        ("2022-08-31/2022-09-02", "31 Aug – 2 Sep 2022", "31. Aug. – 2. Sept. 2022"),
        ("2019-12-30/2020-01-02", "30 Dec 2019 – 2 Jan 2020", "30. Dez. 2019 – 2. Jan. 2020"),
        ("2018-12/2019-07", "Dec 2018 – Jul 2019", "Dez. 2018 – Juli 2019"),
        ("2019-06/2019-08", "Jun–Aug 2019", "Juni–Aug. 2019"),
        ("2018/2019", "2018–2019", "2018–2019"),
        ("2019-06~/2019-12~", "c. Jun–Dec 2019", "ca. Juni–Dez. 2019"),
        ("2020-01~", "c. Jan 2020", "ca. Jan. 2020"),
        ("2019-06~", "c. Jun 2019", "ca. Juni 2019"),
        ("2019-07~", "c. Jul 2019", "ca. Juli 2019"),
        ("2019-12~", "c. Dec 2019", "ca. Dez. 2019"),
        ("2019-05~", "c. May 2019", "ca. Mai 2019"),
        # Each end keeps its own qualifier; a range whose ends share them is written once.
        ("2019-08~/2019-09", "c. Aug 2019 – Sep 2019", "ca. Aug. 2019 – Sept. 2019"),
        ("2019-08~/2019-09~", "c. Aug–Sep 2019", "ca. Aug.–Sept. 2019"),
        ("2019-08/2019-09?", "Aug 2019 – Sep 2019?", "Aug. 2019 – Sept. 2019?"),
        # A range whose ends are the same is written once.
        ("2019/2019", "2019", "2019"),
        ("2019-08-09/2019-08-09", "9 Aug 2019", "9. Aug. 2019"),
        ("2019-08/2019-08", "Aug 2019", "Aug. 2019"),
        ("1999-24", "winter 1999/2000", "Winter 1999/2000"),
        ("2018-21/2018-22", "spring–summer 2018", "Frühjahr–Sommer 2018"),
        ("2019-03~", "c. Mar 2019", "ca. März 2019"),
        ("2019?", "2019?", "2019?"),
        ("2019-08-09%", "c. 9 Aug 2019?", "ca. 9. Aug. 2019?"),
        ("2019-06/2019-08-15", "Jun 2019 – 15 Aug 2019", "Juni 2019 – 15. Aug. 2019"),
    ],
)
def test_short_wording(text: str, en: str, de: str) -> None:
    parsed = parse_edtf(text)
    assert format_date(parsed, "en") == en
    assert format_date(parsed, "de") == de


def test_long_wording_and_time_zones() -> None:
    brussels = parse_edtf("2025-01-30T09:00/2025-01-30T11:30")
    assert format_date(brussels, "en", "short", "Europe/Brussels") == (
        "30 Jan 2025, 09:00–11:30 CET"
    )
    assert format_date(brussels, "de", "long", "Europe/Brussels") == (
        "30. Januar 2025, 09:00–11:30 MEZ"
    )
    summer = parse_edtf("2025-07-01T10:00")
    assert format_date(summer, "en", "short", "Europe/Brussels") == "1 Jul 2025, 10:00 CEST"
    assert format_date(summer, "de", "short", "Europe/Brussels") == "1. Juli 2025, 10:00 MESZ"
    assert format_date(parse_edtf("2019-08-08/2019-08-09"), "de", "long") == "8.–9. August 2019"
    same = parse_edtf("2025-01-30T09:00/2025-01-30T09:00")
    assert format_date(same, "en", "short", "Europe/Brussels") == "30 Jan 2025, 09:00 CET"
    doubt = parse_edtf("2025-01-30T09:00/2025-01-30T11:30?")
    assert format_date(doubt, "en", "short", "Europe/Brussels") == ("30 Jan 2025, 09:00–11:30? CET")
    # Across a change of clocks each end names its own zone.
    change = parse_edtf("2025-03-30T01:00/2025-03-30T04:00")
    assert format_date(change, "en", "short", "Europe/Berlin") == (
        "30 Mar 2025, 01:00 CET – 04:00 CEST"
    )
    assert format_date(parse_edtf("2025-07-01T10:00"), "de", "short", "Europe/Helsinki") == (
        "1. Juli 2025, 10:00 OESZ"
    )


def test_format_point_names_one_end() -> None:
    parsed = parse_edtf("2022-08-31/2022-09-02")
    assert format_point(parsed.start) == "31 Aug 2022"
    assert parsed.end is not None and format_point(parsed.end, "de") == "2. Sept. 2022"


# --- local times that a change of the clocks skips or repeats -------------------------------


@pytest.mark.parametrize(
    ("local", "zone", "message"),
    [
        (
            datetime(2025, 3, 30, 2, 30),
            "Europe/Berlin",
            "2025-03-30T02:30 does not exist: clocks jump from 02:00 to 03:00 on 30 Mar 2025 "
            "in Europe/Berlin",
        ),
        (
            datetime(2025, 10, 26, 2, 30),
            "Europe/Berlin",
            "2025-10-26T02:30 happens twice: clocks go back from 03:00 to 02:00 on 26 Oct 2025 "
            "in Europe/Berlin; the first (CEST, +02:00) is meant",
        ),
        (
            datetime(2025, 11, 2, 1, 0, 30),
            "America/New_York",
            "2025-11-02T01:00:30 happens twice: clocks go back from 02:00 to 01:00 on 2 Nov 2025 "
            "in America/New_York; the first (EDT, -04:00) is meant",
        ),
        (  # the southern hemisphere: forward in October
            datetime(2025, 10, 5, 2, 59),
            "Australia/Sydney",
            "2025-10-05T02:59 does not exist: clocks jump from 02:00 to 03:00 on 5 Oct 2025 "
            "in Australia/Sydney",
        ),
        (  # a whole day skipped across the date line
            datetime(2011, 12, 30, 12, 0),
            "Pacific/Apia",
            "2011-12-30T12:00 does not exist: clocks jump from 00:00 on 30 Dec 2011 to 00:00 "
            "on 31 Dec 2011 in Pacific/Apia",
        ),
        (  # local mean time to CET: a change of seconds
            datetime(1893, 4, 1, 0, 3),
            "Europe/Berlin",
            "1893-04-01T00:03 does not exist: clocks jump from 00:00 to 00:06:32 on 1 Apr 1893 "
            "in Europe/Berlin",
        ),
    ],
)
def test_clock_changes_name_what_happens(local: datetime, zone: str, message: str) -> None:
    change = clock_change(local, zone)
    assert change is not None and change.message(local) == message


@pytest.mark.parametrize(
    ("local", "zone"),
    [
        (datetime(2025, 3, 30, 1, 59, 59), "Europe/Berlin"),  # just before the gap
        (datetime(2025, 3, 30, 3, 0), "Europe/Berlin"),  # the first time after it
        (datetime(2025, 10, 26, 3, 0), "Europe/Berlin"),  # the end of the repeated hour
        (datetime(2025, 10, 26, 1, 59), "Europe/Berlin"),
        (datetime(2025, 3, 30, 2, 30), "Asia/Kolkata"),  # no daylight saving time
        (datetime(1, 1, 1, 0, 0), "Asia/Tokyo"),
        (datetime(9999, 12, 31, 23, 59), "America/New_York"),
    ],
)
def test_ordinary_times_have_no_clock_change(local: datetime, zone: str) -> None:
    assert clock_change(local, zone) is None


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2037, 12, 31)))
@example(datetime(2025, 3, 30, 1, 30))  # skipped in London
@example(datetime(2025, 10, 26, 1, 30))  # repeated
@example(datetime(1971, 10, 31, 2, 30))  # British Standard Time ends: repeated
def test_a_clock_change_agrees_with_zoneinfo(local: datetime) -> None:
    zone = ZoneInfo("Europe/London")
    change = clock_change(local, "Europe/London")
    as_instant = local.replace(tzinfo=zone).astimezone(UTC)
    exists = as_instant.astimezone(zone).replace(tzinfo=None) == local
    twice = local.replace(tzinfo=zone, fold=1).astimezone(UTC) != as_instant
    assert (change is not None and change.skips) == (not exists)
    assert (change is not None and not change.skips) == (exists and twice)
    if change is not None:
        lower, upper = sorted((change.before, change.after))
        assert lower <= local < upper  # the change is the one around this time
