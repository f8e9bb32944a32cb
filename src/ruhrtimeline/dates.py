"""Dates as the sources give them: a documented subset of EDTF (ISO 8601-2).

Supported forms (each may end in ``~`` approximate, ``?`` uncertain or ``%`` both)::

    2017                    year
    2018-21 … 2018-24       season: spring, summer, autumn, winter (Dec 2018 – Feb 2019)
    2018-08                 month
    2019-08-09              day
    2025-01-30T09:00        local time (seconds optional); needs the event's IANA ``timezone``
    A/B                     an interval of any two of the above, e.g. ``2018-12/2019-07``

Every date knows its precision and the days it covers.  Qualifiers never widen the covered
days: ``2019-06~/2019-12~`` covers 1 June to 31 December 2019 and is flagged approximate.
Only the standard library is used, so that the CLI can parse dates without heavy imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as TimeOfDay
from typing import Literal

Precision = Literal["year", "season", "month", "day", "time"]
Lang = Literal["de", "en"]

# Coarse to fine; an interval has the precision of its coarser end.
PRECISIONS: tuple[Precision, ...] = ("year", "season", "month", "day", "time")
_RANK = {p: i for i, p in enumerate(PRECISIONS)}

SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
# First month of each season; winter runs from December into the next year's February.
_SEASON_START = {21: 3, 22: 6, 23: 9, 24: 12}

# ASCII digits only: \d would also accept "２０１９" or "٢٠١٩".
_POINT = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?P<mid>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)?"
    r")?)?"
    r"(?P<qualifier>[~?%])?"
)
_OFFSET = re.compile(r"T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)[~?%]?$")

#: A regular expression for the whole subset, for the JSON Schema (editors check as you type).
EDTF_PATTERN = (
    r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?)?)?)?[~?%]?"
    r"(/[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?)?)?)?[~?%]?)?$"
)
#: The years every output can represent (a calendar's exclusive end of 31 Dec 9999, or a
#: report's following year, would lie in year 10000).
MIN_YEAR, MAX_YEAR = 1, 9998


def days_in_month(year: int, month: int) -> int:
    """28 to 31; the calendar module would import locale, which costs start-up time."""
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


class DateError(ValueError):
    """A date string that is not in the supported EDTF subset, or not a real date."""


@dataclass(frozen=True, slots=True)
class DatePoint:
    """One side of a date: a year, season, month, day or local time, with qualifiers."""

    year: int
    precision: Precision
    month: int | None = None
    season: int | None = None
    day: int | None = None
    time: TimeOfDay | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def first(self) -> date:
        """The first day this point covers."""
        if self.season is not None:
            return date(self.year, _SEASON_START[self.season], 1)
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> date:
        """The last day this point covers."""
        if self.day is not None:
            return date(self.year, self.month or 1, self.day)
        if self.season is not None:
            if self.season == 24:
                return date(self.year + 1, 2, days_in_month(self.year + 1, 2))
            end_month = _SEASON_START[self.season] + 2
            return date(self.year, end_month, days_in_month(self.year, end_month))
        if self.month is not None:
            return date(self.year, self.month, days_in_month(self.year, self.month))
        return date(self.year, 12, 31)

    @property
    def local_datetime(self) -> datetime | None:
        """The naive local date and time, for time precision only."""
        if self.time is None:
            return None
        return datetime.combine(self.first, self.time)


@dataclass(frozen=True, slots=True)
class EdtfDate:
    """A parsed date or interval, as written, with its precision and covered days."""

    text: str
    start: DatePoint
    end: DatePoint | None = None

    @property
    def is_interval(self) -> bool:
        return self.end is not None

    @property
    def points(self) -> tuple[DatePoint, ...]:
        return (self.start,) if self.end is None else (self.start, self.end)

    @property
    def precision(self) -> Precision:
        return min((p.precision for p in self.points), key=_RANK.__getitem__)

    @property
    def first(self) -> date:
        return self.start.first

    @property
    def last(self) -> date:
        return (self.end or self.start).last

    @property
    def approximate(self) -> bool:
        return any(p.approximate for p in self.points)

    @property
    def uncertain(self) -> bool:
        return any(p.uncertain for p in self.points)

    @property
    def has_time(self) -> bool:
        return any(p.time is not None for p in self.points)


def _parse_point(text: str, whole: str) -> DatePoint:
    m = _POINT.fullmatch(text)
    if m is None:
        if _OFFSET.search(text):
            raise DateError(
                f"{whole!r}: UTC offsets are not supported; write the local time without "
                "Z or +01:00 and give the event's timezone (an IANA name such as Europe/Berlin)"
            )
        raise DateError(
            f"{whole!r} is not a supported date; write YYYY, YYYY-MM, YYYY-SS (season 21–24), "
            "YYYY-MM-DD or YYYY-MM-DDTHH:MM, an interval A/B, optionally ending in ~, ? or %"
        )
    year = int(m["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"{whole!r}: year {m['year']} is out of range ({MIN_YEAR:04d}–{MAX_YEAR})")
    qualifier = m["qualifier"] or ""
    approximate = qualifier in ("~", "%")
    uncertain = qualifier in ("?", "%")
    mid = m["mid"]
    if mid is None:
        return DatePoint(year, "year", approximate=approximate, uncertain=uncertain)
    value = int(mid)
    if m["day"] is None and value in SEASONS:
        return DatePoint(year, "season", season=value, approximate=approximate, uncertain=uncertain)
    if not 1 <= value <= 12:
        hint = "" if m["day"] is not None else "; seasons are 21 (spring) to 24 (winter)"
        raise DateError(f"{whole!r}: month {mid} does not exist{hint}")
    if m["day"] is None:
        return DatePoint(year, "month", month=value, approximate=approximate, uncertain=uncertain)
    day = int(m["day"])
    month_days = days_in_month(year, value)
    if not 1 <= day <= month_days:
        raise DateError(
            f"{whole!r}: day {m['day']} does not exist in {year}-{mid} (it has {month_days} days)"
        )
    if m["hour"] is None:
        return DatePoint(
            year, "day", month=value, day=day, approximate=approximate, uncertain=uncertain
        )
    hour, minute, second = int(m["hour"]), int(m["minute"]), int(m["second"] or 0)
    for value_, limit, unit in ((hour, 23, "hour"), (minute, 59, "minute"), (second, 59, "second")):
        if value_ > limit:
            raise DateError(f"{whole!r}: {unit} {value_:02d} does not exist (00 to {limit})")
    return DatePoint(
        year,
        "time",
        month=value,
        day=day,
        time=TimeOfDay(hour, minute, second),
        approximate=approximate,
        uncertain=uncertain,
    )


def parse_edtf(text: str) -> EdtfDate:
    """Parse one date or interval of the subset; raise `DateError` saying what is wrong."""
    if not isinstance(text, str):
        raise DateError(f"a date must be a string, not {type(text).__name__}")
    if text != text.strip():
        raise DateError(f"{text!r}: remove the spaces around the date")
    parts = text.split("/")
    if len(parts) > 2:
        raise DateError(f"{text!r}: an interval has exactly one '/'")
    if len(parts) == 2 and ("" in parts or ".." in parts):
        raise DateError(f"{text!r}: open intervals are not supported; give both ends")
    start = _parse_point(parts[0], text)
    if len(parts) == 1:
        return EdtfDate(text, start)
    end = _parse_point(parts[1], text)
    if (start.time is None) != (end.time is None):
        raise DateError(f"{text!r}: give a time on both ends of an interval, or on neither")
    if end.last < start.first:
        raise DateError(f"{text!r}: the end lies before the start")
    start_dt, end_dt = start.local_datetime, end.local_datetime
    if start_dt is not None and end_dt is not None and end_dt < start_dt:
        raise DateError(f"{text!r}: the end lies before the start")
    return EdtfDate(text, start, end)


def parse_bound(text: str, today: date | None = None) -> tuple[date, date]:
    """Parse a period bound (YYYY, YYYY-MM, a season YYYY-21…24, YYYY-MM-DD, or ``today``
    where ``today`` is given).

    Returns the first and last day it covers: a bound of ``2019-08`` starts on 1 August and
    ends on 31 August; ``2019-24`` (winter) runs from December to February.
    """
    if today is not None and text.strip().lower() == "today":
        return today, today
    if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", text or ""):
        raise DateError(
            f"{text!r} is not a date; use YYYY, YYYY-MM, YYYY-MM-DD, a season YYYY-21…24 or today"
        )
    point = parse_edtf(text).start
    return point.first, point.last


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


# --- Writing dates as precisely as they are known, and no more ----------------------------

_MONTHS = {
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "de": (
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
    ).split(),
}
_MONTHS_SHORT = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.".split(),
}
_SEASON_NAMES = {
    "en": {21: "spring", 22: "summer", 23: "autumn", 24: "winter"},
    "de": {21: "Frühjahr", 22: "Sommer", 23: "Herbst", 24: "Winter"},
}
_ABOUT = {"en": "c. ", "de": "ca. "}
_ZONE_NAMES_DE = {
    "CET": "MEZ",
    "CEST": "MESZ",
    "WET": "WEZ",
    "WEST": "WESZ",
    "EET": "OEZ",
    "EEST": "OESZ",
}

Style = Literal["short", "long"]


def month_name(month: int, lang: Lang, style: Style = "long") -> str:
    return (_MONTHS if style == "long" else _MONTHS_SHORT)[lang][month - 1]


def season_name(season: int, lang: Lang) -> str:
    return _SEASON_NAMES[lang][season]


def _day(day: int, lang: Lang) -> str:
    return f"{day}." if lang == "de" else str(day)


def _month(p: DatePoint) -> int:
    if p.month is None:
        raise ValueError(f"{p} has no month")
    return p.month


def _winter(year: int) -> str:
    # "winter 2018/19", but "winter 1999/2000" where the century turns.
    following = year + 1
    return f"{year}/{following % 100:02d}" if following % 100 else f"{year}/{following}"


def _point_text(p: DatePoint, lang: Lang, style: Style) -> str:
    """A point without its qualifiers: "2019", "spring 2018", "Aug 2019", "9 Aug 2019"."""
    if p.precision == "year":
        return str(p.year)
    if p.season is not None:
        year = _winter(p.year) if p.season == 24 else str(p.year)
        return f"{season_name(p.season, lang)} {year}"
    month = month_name(_month(p), lang, style)
    return f"{month} {p.year}" if p.day is None else f"{_day(p.day, lang)} {month} {p.year}"


def _mark(text: str, approximate: bool, uncertain: bool, lang: Lang) -> str:
    """The qualifiers around what they qualify: "c. Aug 2019", "2019?", "c. 1984?"."""
    return (_ABOUT[lang] if approximate else "") + text + ("?" if uncertain else "")


def _qualifiers(p: DatePoint) -> tuple[bool, bool]:
    return p.approximate, p.uncertain


def _zone_name(p: DatePoint, timezone: str | None, lang: Lang) -> str:
    local = p.local_datetime
    if timezone is None or local is None:
        return ""
    from zoneinfo import ZoneInfo  # deferred: only timed events need the tz database

    name = local.replace(tzinfo=ZoneInfo(timezone)).tzname() or timezone
    return _ZONE_NAMES_DE.get(name, name) if lang == "de" else name


def _hhmm(p: DatePoint) -> str:
    if p.time is None:
        return ""
    return p.time.strftime("%H:%M") if p.time.second == 0 else p.time.strftime("%H:%M:%S")


def _join(a: str, b: str) -> str:
    # A tight dash between single words ("8–9", "2018–2019"), a spaced one otherwise.
    return f"{a}–{b}" if " " not in a and " " not in b else f"{a} – {b}"


def _timed(p: DatePoint, lang: Lang, style: Style, zone: str) -> str:
    """A date with its time: "c. 30 Jan 2025, 09:00? CET" (the "?" on the time it doubts)."""
    text = _mark(f"{_point_text(p, lang, style)}, {_hhmm(p)}", p.approximate, p.uncertain, lang)
    return f"{text} {zone}" if zone else text


def _compact(a: DatePoint, b: DatePoint, lang: Lang, style: Style) -> str | None:
    """Both ends of a range written once where they share their year and precision
    ("8–9 Aug 2019", "Aug–Sep 2019", "2018–2019"); None where no compact form reads right."""
    if a.precision != b.precision:
        return None
    if a.precision == "year":
        return _join(str(a.year), str(b.year))
    if a.precision == "season":
        if a.year != b.year or b.season == 24:  # winter runs into the next year
            return None
        names = _join(season_name(a.season or 21, lang), season_name(b.season or 21, lang))
        return f"{names} {b.year}"
    if a.precision == "month":
        if a.year != b.year:
            return None
        months = _join(month_name(_month(a), lang, style), month_name(_month(b), lang, style))
        return f"{months} {b.year}"
    if a.precision == "day":
        first, last = a.day or 1, b.day or 1
        if a.year == b.year and a.month == b.month:
            month = month_name(_month(b), lang, style)
            return f"{_day(first, lang)}–{_day(last, lang)} {month} {b.year}"
        if a.year == b.year:
            left = f"{_day(first, lang)} {month_name(_month(a), lang, style)}"
            return f"{left} – {_point_text(b, lang, style)}"
    return None


def format_date(
    value: EdtfDate, lang: Lang = "en", style: Style = "short", timezone: str | None = None
) -> str:
    """Write a date as precisely as it is known and no more, in German or English.

    Each end carries its own qualifiers; a range whose ends share them is written once.

    >>> format_date(parse_edtf("2019-08-08/2019-08-09"))
    '8–9 Aug 2019'
    >>> format_date(parse_edtf("2018-21"), "de")
    'Frühjahr 2018'
    >>> format_date(parse_edtf("2019-06~/2019-12~"))
    'c. Jun–Dec 2019'
    """
    a, b = value.start, value.end
    if b is not None and a == b:
        b = None  # "2019/2019" is 2019
    if b is None:
        if a.time is None:
            return _mark(_point_text(a, lang, style), a.approximate, a.uncertain, lang)
        return _timed(a, lang, style, _zone_name(a, timezone, lang))
    same = _qualifiers(a) == _qualifiers(b)
    if a.time is not None and b.time is not None:
        zone_a, zone_b = _zone_name(a, timezone, lang), _zone_name(b, timezone, lang)
        if a.first != b.first:
            return f"{_timed(a, lang, style, zone_a)} – {_timed(b, lang, style, zone_b)}"
        day = _point_text(a, lang, style)
        if same:  # the qualifiers go around the whole: "c. 30 Jan 2025, 09:00–11:30 CET"
            start, end = _hhmm(a), _hhmm(b)
        else:
            start, end = (
                _mark(_hhmm(a), *_qualifiers(a), lang),
                _mark(_hhmm(b), *_qualifiers(b), lang),
            )
        if zone_a != zone_b:  # a change of clocks in between: each end names its zone
            times = f"{start} {zone_a} – {end} {zone_b}"
        else:
            times = f"{start}–{end}" + (f" {zone_a}" if zone_a else "")
        text = f"{day}, {times}"
        return _mark(text, *_qualifiers(a), lang) if same else text
    compact = _compact(a, b, lang, style) if same else None
    if compact is not None:
        return _mark(compact, a.approximate, a.uncertain, lang)
    return _join(
        _mark(_point_text(a, lang, style), *_qualifiers(a), lang),
        _mark(_point_text(b, lang, style), *_qualifiers(b), lang),
    )


def format_point(point: DatePoint, lang: Lang = "en", style: Style = "short") -> str:
    """One end of a date on its own, without its time ("Aug 2019", "c. 2020")."""
    return _mark(_point_text(point, lang, style), point.approximate, point.uncertain, lang)


def precision_phrase(value: EdtfDate, lang: Lang) -> str:
    """How precisely the date is known, in words ("known to the month")."""
    words = {
        "en": {
            "year": "known to the year",
            "season": "known to the season",
            "month": "known to the month",
            "day": "known to the day",
            "time": "known to the minute",
        },
        "de": {
            "year": "aufs Jahr genau bekannt",
            "season": "auf die Jahreszeit genau bekannt",
            "month": "auf den Monat genau bekannt",
            "day": "auf den Tag genau bekannt",
            "time": "auf die Minute genau bekannt",
        },
    }
    text = words[lang][value.precision]
    extras = []
    if value.approximate:
        extras.append("approximate" if lang == "en" else "ungefähr")
    if value.uncertain:
        extras.append("uncertain" if lang == "en" else "unsicher")
    return f"{text} ({', '.join(extras)})" if extras else text


# --- Local times that a change of the clocks skips or repeats -----------------------------

_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ClockChange:
    """A change of a zone's clocks around a local time: it skips the time (clocks jump
    forward over it) or repeats it (clocks go back over it)."""

    timezone: str
    before: datetime  # the wall clock at the change, in the offset before it (02:00)
    after: datetime  # the same instant in the offset after it (03:00)
    first: str  # the first occurrence of a repeated time: "CEST, +02:00"

    @property
    def skips(self) -> bool:
        return self.after > self.before

    def describe(self) -> str:
        """ "clocks jump from 02:00 to 03:00 on 30 Mar 2025 in Europe/Berlin" """
        verb = "jump" if self.skips else "go back"
        start, end = _clock(self.before), _clock(self.after)
        if self.before.date() != self.after.date():  # Pacific/Apia skipped a whole day
            start += f" on {_day_text(self.before)}"
        return f"clocks {verb} from {start} to {end} on {_day_text(self.after)} in {self.timezone}"

    def message(self, local: datetime) -> str:
        """What is wrong with ``local``, or which of its two occurrences is meant."""
        label = f"{local:%Y-%m-%d}T{_clock(local)}"
        if self.skips:
            return f"{label} does not exist: {self.describe()}"
        return f"{label} happens twice: {self.describe()}; the first ({self.first}) is meant"


def clock_change(local: datetime, timezone: str) -> ClockChange | None:
    """The change of the clocks that skips or repeats the naive ``local`` time in the IANA
    zone ``timezone``, or None for a time that happens exactly once.

    A repeated time means its first occurrence, as RFC 5545 3.3.5 and `zoneinfo` (fold=0)
    read it; a skipped one has no meaning."""
    from zoneinfo import ZoneInfo  # deferred: only timed events need the tz database

    zone = ZoneInfo(timezone)
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    old, new = first.utcoffset(), second.utcoffset()
    if old is None or new is None or old == new:
        return None
    # fold=0 gives the offset before the change, fold=1 the one after; the change lies
    # between the two readings of the time as an instant, found to the second.
    naive = local.replace(tzinfo=None)
    low, high = sorted((naive - old, naive - new))
    while high - low > _SECOND:
        middle = low + (high - low) // 2
        if middle.replace(tzinfo=UTC).astimezone(zone).utcoffset() == old:
            low = middle
        else:
            high = middle
    name = first.tzname() or timezone
    return ClockChange(timezone, high + old, high + new, f"{name}, {_offset_text(old)}")


def _clock(value: datetime) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def _day_text(value: datetime) -> str:
    return f"{value.day} {month_name(value.month, 'en', 'short')} {value.year}"


def _offset_text(offset: timedelta) -> str:
    """ "+02:00", "-03:30", "+00:53:28" """
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, rest = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{rest:02d}" if rest else "")
