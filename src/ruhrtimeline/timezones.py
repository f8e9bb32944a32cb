"""RFC 5545 VTIMEZONE components from the IANA time zone database, in the shape vzic writes.

Why not icalendar's ``Timezone.from_tzid``: it wrote daylight-time onsets an hour late (RFC 5545
3.6.5 wants DTSTART in the local time of the offset *before* the change), put a COMMENT
directly into VTIMEZONE, had no RRULE, and packed all later onsets into one comma-separated
RDATE, of which vobject (and so Radicale) keeps only the first value.

Data source: the TZif files that `zoneinfo` itself reads (`zoneinfo.TZPATH`, then the
``tzdata`` package), so a VTIMEZONE always agrees with the `zoneinfo` objects of the same
process.  The PyPI package ``ics-vtimezones`` (vzic output) was considered and rejected: its
releases since 2020.3 require Python >= 3.14 (this project supports 3.11), the last one
installable here is from 2020, its files describe only the current rule (Europe/Moscow
claims +03:00 since 1970, wrong for 2011-2014), and its TZIDs carry an ``/ics.py/…`` prefix.
Reading TZif needs no new runtime dependency and no network.

How a component is built, like vzic does it:

* The explicit transitions of the TZif file, continued by the POSIX TZ string of its footer
  (e.g. ``CET-1CEST,M3.5.0,M10.5.0/3``, RFC 8536 3.3) for the years after them.
* The onset in force at the start of the range (the "anchor") and every onset inside it.
* The longest tail of those onsets that the footer rule produces, year after year, becomes
  one STANDARD and one DAYLIGHT sub-component with an RRULE (``BYMONTH=3;BYDAY=-1SU``).
* Every other onset (historic rules, one-off changes) goes into sub-components grouped by
  (kind, offsets, name), with DTSTART and one RDATE line per onset, the first repeating
  DTSTART as vzic writes it (the ``ical`` package ignores a DTSTART that no RDATE or RRULE
  produces).
"""

from __future__ import annotations

import importlib.resources
import os
import re
import struct
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

__all__ = [
    "DateRule",
    "LocalTime",
    "PosixTz",
    "Transition",
    "Tzif",
    "fold_line",
    "format_offset",
    "parse_posix_tz",
    "read_tzif",
    "rrule_of",
    "transitions",
    "tzif_bytes",
    "vtimezone",
    "vtimezone_from_tzif",
]

FIRST_YEAR = 2
LAST_YEAR = 9998
_EPOCH = datetime(1970, 1, 1)
_DAY = 86_400
# Onsets are searched this far outside the range, so that every local time of the range is
# covered whatever the offset (real offsets stay within about +-16 h).
_MARGIN = 2 * _DAY
_MIN_AT = -62_135_510_400  # 0001-01-02T00:00Z: an onset before it cannot be written
_MAX_AT = 253_402_128_000  # 9999-12-30T00:00Z
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX counts 0 = Sunday
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class LocalTime:
    """One local time type: offset east of UTC in seconds, daylight flag, abbreviation."""

    utoff: int
    isdst: bool
    abbr: str


@dataclass(frozen=True)
class Transition:
    """A change of local time type at ``at`` (seconds since 1970-01-01 UTC)."""

    at: int
    before: LocalTime
    after: LocalTime

    @property
    def onset(self) -> datetime:
        """The wall-clock time of the change in the offset before it (RFC 5545 DTSTART)."""
        return _EPOCH + timedelta(seconds=self.at + self.before.utoff)


@dataclass(frozen=True)
class DateRule:
    """When a POSIX TZ rule switches: ``Mm.w.d``, ``Jn`` or ``n``, then ``/time``.

    ``time`` is seconds after local midnight in the offset before the switch, and may be
    negative or beyond 24 h (RFC 8536 3.3.1)."""

    kind: Literal["M", "J", "n"]
    month: int = 0
    week: int = 0
    weekday: int = 0
    day: int = 0
    time: int = 7200

    def onset(self, year: int) -> datetime:
        """The local wall-clock time of the switch in ``year``."""
        if self.kind == "M":
            first = datetime(year, self.month, 1)
            # first matching weekday; POSIX 0 = Sunday, Python 0 = Monday
            delta = (self.weekday - (first.weekday() + 1) % 7) % 7
            day = first + timedelta(days=delta + 7 * (self.week - 1))
            while day.month != self.month:  # week 5 means "last"
                day -= timedelta(days=7)
        elif self.kind == "J":  # 1..365, February 29 is never counted
            month, dom = _month_day(self.day)
            day = datetime(year, month, dom)
        else:  # 0..365, February 29 counted in leap years
            day = datetime(year, 1, 1) + timedelta(days=self.day)
        return day + timedelta(seconds=self.time)


@dataclass(frozen=True)
class PosixTz:
    """The TZ string of a TZif footer: standard time, and daylight time with its rules."""

    std: LocalTime
    dst: LocalTime | None = None
    start: DateRule | None = None  # into daylight time
    end: DateRule | None = None  # back to standard time

    def transitions(self, year: int) -> list[Transition]:
        """The rule's two switches in ``year``, in order (none without daylight time)."""
        if self.dst is None or self.start is None or self.end is None:
            return []
        on = self.start.onset(year) - _EPOCH
        off = self.end.onset(year) - _EPOCH
        into = Transition(_seconds(on) - self.std.utoff, self.std, self.dst)
        back = Transition(_seconds(off) - self.dst.utoff, self.dst, self.std)
        return sorted((into, back), key=lambda t: t.at)


@dataclass(frozen=True)
class Tzif:
    """The parts of a TZif file (RFC 8536) that a VTIMEZONE needs."""

    times: tuple[int, ...]  # transition instants, seconds since the epoch
    types: tuple[LocalTime, ...]  # the type in force from each instant on
    initial: LocalTime  # the type before the first transition
    footer: PosixTz | None  # the rule after the last transition

    def explicit(self) -> list[Transition]:
        """The file's own transitions, without those that change nothing."""
        found: list[Transition] = []
        before = self.initial
        for at, after in zip(self.times, self.types, strict=True):
            if after != before:
                found.append(Transition(at, before, after))
            before = after
        return found


def _seconds(delta: timedelta) -> int:
    return delta.days * _DAY + delta.seconds


def _month_day(julian: int) -> tuple[int, int]:
    """Month and day of day ``julian`` (1..365) of a year without February 29."""
    day = julian
    for month, length in enumerate(_MONTH_DAYS, start=1):
        if day <= length:
            return month, day
        day -= length
    raise ValueError(f"day {julian} is not within 1..365")


# --- reading TZif -------------------------------------------------------------------------


def tzif_bytes(name: str) -> bytes:
    """The TZif file that `zoneinfo.ZoneInfo(name)` reads; ValueError for an unknown zone."""
    try:
        zoneinfo.ZoneInfo(name)  # validates the key exactly as zoneinfo does
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {name!r}") from error
    for folder in zoneinfo.TZPATH:  # zoneinfo's own search order: TZPATH, then tzdata
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, "rb") as file:
                return file.read()
    parts = name.split("/")
    try:
        package = importlib.resources.files(".".join(["tzdata.zoneinfo", *parts[:-1]]))
        return package.joinpath(parts[-1]).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as error:  # pragma: no cover
        raise ValueError(f"no TZif data for {name!r}") from error


def read_tzif(data: bytes) -> Tzif:
    """Parse a TZif file (versions 1-4), preferring its 64-bit data and footer."""
    if data[:4] != b"TZif":
        raise ValueError("not a TZif file")
    version = data[4:5]
    counts, offset = _header(data, 0)
    if version == b"\x00":
        return _block(data, offset, counts, 4, None)
    # skip the 32-bit block; the 64-bit one follows with its own header
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
    offset += timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt
    counts, offset = _header(data, offset)
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
    end = offset + timecnt * 9 + typecnt * 6 + charcnt + leapcnt * 12 + isstdcnt + isutcnt
    footer = data[end:].split(b"\n")
    text = footer[1].decode("ascii") if len(footer) >= 3 else ""
    return _block(data, offset, counts, 8, parse_posix_tz(text) if text else None)


def _header(data: bytes, offset: int) -> tuple[tuple[int, int, int, int, int, int], int]:
    if data[offset : offset + 4] != b"TZif":
        raise ValueError("damaged TZif file")
    counts = struct.unpack(">6l", data[offset + 20 : offset + 44])
    return (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]), offset + 44


def _block(
    data: bytes,
    offset: int,
    counts: tuple[int, int, int, int, int, int],
    size: int,
    footer: PosixTz | None,
) -> Tzif:
    _isutcnt, _isstdcnt, _leapcnt, timecnt, typecnt, charcnt = counts
    times = struct.unpack(
        f">{timecnt}{'q' if size == 8 else 'l'}", _take(data, offset, timecnt * size)
    )
    offset += timecnt * size
    indices = _take(data, offset, timecnt)
    offset += timecnt
    raw = [struct.unpack(">lBB", _take(data, offset + 6 * i, 6)) for i in range(typecnt)]
    offset += typecnt * 6
    chars = _take(data, offset, charcnt)
    kinds = [
        LocalTime(utoff, bool(isdst), chars[index : chars.index(b"\0", index)].decode("ascii"))
        for utoff, isdst, index in raw
    ]
    if not kinds:
        raise ValueError("TZif file without local time types")
    return Tzif(tuple(times), tuple(kinds[i] for i in indices), kinds[0], footer)


def _take(data: bytes, offset: int, length: int) -> bytes:
    if offset + length > len(data):
        raise ValueError("truncated TZif file")
    return data[offset : offset + length]


# --- POSIX TZ strings ---------------------------------------------------------------------

_NAME = r"(?:<([^>]+)>|([A-Za-z]{3,}))"
_OFFSET = r"([+-]?\d{1,3}(?::\d{1,2}){0,2})"
_RULE = r"(M\d{1,2}\.\d\.\d|J\d{1,3}|\d{1,3})(?:/" + _OFFSET + ")?"
_TZ = re.compile(f"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?(?:,{_RULE},{_RULE})?)?$")


def _parse_seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _parse_rule(text: str, time: str | None) -> DateRule:
    seconds = _parse_seconds(time) if time else 7200
    if text.startswith("M"):
        month, week, weekday = (int(p) for p in text[1:].split("."))
        if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= weekday <= 6):
            raise ValueError(f"bad rule {text!r}")
        return DateRule("M", month=month, week=week, weekday=weekday, time=seconds)
    if text.startswith("J"):
        if not 1 <= int(text[1:]) <= 365:
            raise ValueError(f"bad rule {text!r}")
        return DateRule("J", day=int(text[1:]), time=seconds)
    if not 0 <= int(text) <= 365:
        raise ValueError(f"bad rule {text!r}")
    return DateRule("n", day=int(text), time=seconds)


def parse_posix_tz(text: str) -> PosixTz:
    """Parse a TZif footer such as ``CET-1CEST,M3.5.0,M10.5.0/3`` or ``<+0530>-5:30``."""
    match = _TZ.match(text)
    if not match:
        raise ValueError(f"unsupported TZ string {text!r}")
    g = match.groups()
    # POSIX offsets count west of Greenwich; RFC 5545 and TZif count east
    std = LocalTime(-_parse_seconds(g[2]), False, g[0] or g[1])
    if not (g[3] or g[4]):
        return PosixTz(std)
    dst_utoff = -_parse_seconds(g[5]) if g[5] else std.utoff + 3600
    dst = LocalTime(dst_utoff, True, g[3] or g[4])
    if not g[6]:
        raise ValueError(f"TZ string without rules: {text!r}")
    return PosixTz(std, dst, _parse_rule(g[6], g[7]), _parse_rule(g[8], g[9]))


def rrule_of(rule: DateRule) -> str | None:
    """The RRULE for a POSIX date rule, or None when no plain yearly RRULE can say it.

    The time of day comes from DTSTART; a time beyond 0..24 h moves the day, which is said
    with BYMONTHDAY (as vzic does: ``M3.4.4/26`` is the Friday after the fourth Thursday)."""
    shift, _ = divmod(rule.time, _DAY)
    if rule.kind == "M":
        weekday = _WEEKDAYS[(rule.weekday + shift) % 7]
        if shift == 0:
            nth = -1 if rule.week == 5 else rule.week
            return f"FREQ=YEARLY;BYMONTH={rule.month};BYDAY={nth}{weekday}"
        shortest = _MONTH_DAYS[rule.month - 1]  # the day must stay inside the month
        if rule.week == 5:  # counted back from the month's end
            days = [d + shift for d in range(-7, 0)]
            if not all(-shortest <= d <= -1 for d in days):
                return None
        else:
            days = [d + shift for d in range(7 * rule.week - 6, 7 * rule.week + 1)]
            if not all(1 <= d <= shortest for d in days):
                return None
        monthdays = ",".join(str(d) for d in days)
        return f"FREQ=YEARLY;BYMONTH={rule.month};BYDAY={weekday};BYMONTHDAY={monthdays}"
    if shift != 0:
        return None
    if rule.kind == "J":
        month, day = _month_day(rule.day)
        return f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}"
    if rule.day == 365:  # only in leap years
        return None
    return f"FREQ=YEARLY;BYYEARDAY={rule.day + 1}"


# --- transitions --------------------------------------------------------------------------


def _year_of(at: int) -> int:
    """The UTC year of an instant, held within what `datetime` can hold."""
    return (_EPOCH + timedelta(seconds=min(max(at, _MIN_AT), _MAX_AT))).year


def _bounds(first_year: int, last_year: int) -> tuple[int, int]:
    if not FIRST_YEAR <= first_year <= last_year <= LAST_YEAR:
        raise ValueError(
            f"years must satisfy {FIRST_YEAR} <= first <= last <= {LAST_YEAR}, "
            f"got {first_year}..{last_year}"
        )
    low = _seconds(datetime(first_year, 1, 1) - _EPOCH) - _MARGIN
    high = _seconds(datetime(last_year + 1, 1, 1) - _EPOCH) + _MARGIN
    return low, high


def _rule_transitions(footer: PosixTz, first_year: int, last_year: int) -> Iterator[Transition]:
    """The footer rule's switches in the years, lazily (callers may stop early)."""
    for year in range(max(first_year, FIRST_YEAR - 1), min(last_year, LAST_YEAR + 1) + 1):
        try:
            yield from footer.transitions(year)
        except OverflowError:  # a switch past 9999-12-31
            return


def _all_transitions(tzif: Tzif, low: int, high: int) -> tuple[LocalTime, list[Transition]]:
    """The type in force at ``low`` and every transition up to ``high``, continued by the
    footer rule after the file's last one."""
    found = tzif.explicit()
    last = tzif.times[-1] if tzif.times else None
    in_force = tzif.types[-1] if tzif.types else tzif.initial
    if tzif.footer is not None and tzif.footer.dst is not None:
        # years before the range are skipped: the rule alone says which type they leave
        first = _year_of(low) - 1 if last is None else max(_year_of(last), _year_of(low) - 1)
        generated = [
            t
            for t in _rule_transitions(tzif.footer, first, _year_of(high) + 1)
            if (last is None or t.at > last) and t.at <= high
        ]
        if generated and last is not None and _year_of(last) >= _year_of(low) - 1:
            # right after the file's data: take "before" from it, not from the rule
            generated[0] = Transition(generated[0].at, in_force, generated[0].after)
        found += [t for t in generated if t.before != t.after]
    elif tzif.footer is not None and not tzif.times:
        in_force = tzif.footer.std
    before = [t for t in found if t.at <= low]
    if before:
        return before[-1].after, [t for t in found if t.at <= high]
    return (tzif.initial if tzif.times else in_force), [t for t in found if t.at <= high]


def transitions(tzif: Tzif, first_year: int, last_year: int) -> list[Transition]:
    """The anchor (the last change at or before the range, or a stand-in with equal
    offsets) followed by every change inside [first_year-01-01, last_year-12-31]."""
    low, high = _bounds(first_year, last_year)
    in_force, found = _all_transitions(tzif, low, high)
    earlier = [t for t in found if t.at <= low]
    inside = [t for t in found if low < t.at <= high]
    if earlier and earlier[-1].at >= _MIN_AT:
        anchor = earlier[-1]
    else:
        # no earlier change (or one before year 1): a stand-in onset, vzic's 1970-01-01
        # when that is early enough
        year = 1970 if first_year > 1970 else first_year - 1
        at = _seconds(datetime(year, 1, 1) - _EPOCH) - in_force.utoff
        anchor = Transition(at, in_force, in_force)
    return [anchor, *inside]


def _regular_tail(tzif: Tzif, chain: list[Transition], last_year: int) -> int:
    """How many of the last onsets of ``chain`` the footer's RRULEs reproduce exactly."""
    footer = tzif.footer
    if footer is None or footer.start is None or footer.end is None:
        return 0
    if rrule_of(footer.start) is None or rrule_of(footer.end) is None:
        return 0
    high = _bounds(FIRST_YEAR, last_year)[1]
    first = max(_year_of(chain[0].at) - 1, FIRST_YEAR - 1)
    expected = [t for t in _rule_transitions(footer, first, _year_of(high) + 1) if t.at <= high]
    count = 0
    while (
        count < len(chain) and count < len(expected) and chain[-1 - count] == expected[-1 - count]
    ):
        count += 1
    return count


# --- writing ------------------------------------------------------------------------------


def format_offset(seconds: int) -> str:
    """UTC offset as RFC 5545 3.3.14 writes it: ``+0100``, ``-0330``, ``+005328``."""
    sign = "-" if seconds < 0 else "+"  # "-0000" is forbidden, so zero is "+0000"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _local(value: datetime) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}T{value:%H%M%S}"


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def fold_line(line: str) -> bytes:
    """One content line, folded to at most 75 octets a line (RFC 5545 3.1), CRLF-ended."""
    data = line.encode("utf-8")
    out: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        out.append(data[:cut])
        data = data[cut:]
        limit = 74  # continuation lines start with a space
    out.append(data)
    return b"\r\n ".join(out) + b"\r\n"


def _daylight(t: Transition) -> bool:
    """Whether an onset is written as DAYLIGHT.

    Readers take TZOFFSETTO - TZOFFSETFROM of a DAYLIGHT block as the daylight saving, so:

    * between a standard and a daylight type the larger offset is the daylight one, as in
      tzdata's "rearguard" data and vzic (the main data marks Irish winter time and
      Morocco's Ramadan time as daylight time with a negative saving);
    * a jump of a day or more stays STANDARD even between two daylight types (Pacific/Apia
      2011-12-30, -10 to +14): dateutil, and so icalendar, vobject and Radicale, rejects a
      saving of 24 hours.

    The offsets, which are all that converting times needs, are the same either way."""
    if abs(t.after.utoff - t.before.utoff) >= _DAY:
        return False
    if t.before.isdst != t.after.isdst and t.before.utoff != t.after.utoff:
        return t.after.utoff > t.before.utoff
    return t.after.isdst


def _observance(
    first: Transition, rrule: str | None, onsets: Iterable[datetime]
) -> tuple[int, list[str]]:
    kind = "DAYLIGHT" if _daylight(first) else "STANDARD"
    lines = [
        f"BEGIN:{kind}",
        f"TZNAME:{_text(first.after.abbr)}",
        f"TZOFFSETFROM:{format_offset(first.before.utoff)}",
        f"TZOFFSETTO:{format_offset(first.after.utoff)}",
        f"DTSTART:{_local(first.onset)}",
    ]
    if rrule is not None:
        lines.append(f"RRULE:{rrule}")
    else:
        lines += [f"RDATE:{_local(onset)}" for onset in onsets]  # one per line, never a list
    lines.append(f"END:{kind}")
    return first.at, lines


def vtimezone_from_tzif(name: str, tzif: Tzif, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE named ``name`` for ``tzif``, right for every instant of the years."""
    chain = transitions(tzif, first_year, last_year)
    tail = _regular_tail(tzif, chain, last_year)
    irregular, regular = chain[: len(chain) - tail], chain[len(chain) - tail :]
    blocks: list[tuple[int, list[str]]] = []
    groups: dict[tuple[bool, int, int, str], list[Transition]] = {}
    for t in irregular:
        key = (_daylight(t), t.before.utoff, t.after.utoff, t.after.abbr)
        groups.setdefault(key, []).append(t)
    for group in groups.values():
        blocks.append(_observance(group[0], None, (t.onset for t in group)))
    footer = tzif.footer
    if regular and footer is not None and footer.start is not None and footer.end is not None:
        # each RRULE starts at the rule's first switch of its kind from the tail's start on
        # (for the second kind that may lie after the range, which is still right)
        for rule, dst in ((footer.start, True), (footer.end, False)):
            first = next(
                (
                    t
                    for t in _rule_transitions(footer, _year_of(regular[0].at), LAST_YEAR + 1)
                    if t.at >= regular[0].at and t.after.isdst is dst
                ),
                None,  # only past the year 9999
            )
            if first is not None:
                blocks.append(_observance(first, rrule_of(rule), ()))
    blocks.sort(key=lambda block: (block[0], block[1]))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{_text(name)}"]
    for _, block in blocks:
        lines += block
    lines.append("END:VTIMEZONE")
    return b"".join(fold_line(line) for line in lines)


@lru_cache(maxsize=64)
def _tzif(name: str) -> Tzif:
    return read_tzif(tzif_bytes(name))


@lru_cache(maxsize=256)
def vtimezone(name: str, first_year: int, last_year: int) -> bytes:
    """One VTIMEZONE component (CRLF lines, folded) for the IANA zone ``name``, right for
    every instant from ``first_year``-01-01 to ``last_year``-12-31 and, when the range
    reaches the zone's current rule, for every later year that rule holds.

    ValueError for an unknown zone or years outside 2..9998."""
    _bounds(first_year, last_year)
    return vtimezone_from_tzif(name, _tzif(name), first_year, last_year)
