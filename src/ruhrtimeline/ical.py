"""Events as iCalendar (RFC 5545, with RFC 7986 calendar names), written with icalendar.

The rules the feeds keep (the README's "Calendar feeds" says them for users):

* Deterministic: UIDs are ``<event id>@ruhrtimeline``; DTSTAMP and LAST-MODIFIED come from
  the entry's ``updated`` date and never lie after ``built``, the build's own time that the
  caller gives (an entry without ``updated`` gets ``built``); nothing here reads the clock.
  No METHOD (a published calendar; CalDAV forbids METHOD), so DTSTAMP is the time the entry
  last changed.  No SEQUENCE: nothing remembers earlier builds, so it could not be kept
  monotonic.
* Each value written as its type: names and descriptions as TEXT (``vText`` escapes
  ``, ; \\`` and line breaks), URIs percent-encoded (`uri`).
* A point in time has no DTEND (RFC 5545 3.6.1: it ends when it starts); all-day events
  always have their exclusive DTEND.
* Time zones: every VTIMEZONE comes from `timezones.vtimezone`, a small generator, tested
  against real readers, of RRULE-based STANDARD/DAYLIGHT blocks from the TZif data that
  `zoneinfo` reads, so a feed agrees with the instants the rest of the package computes.
  Not icalendar's ``Timezone.from_tzid`` (onsets an hour late, a COMMENT at block level, all
  later onsets in one RDATE list, of which vobject and Radicale read only the first), and not
  the ``ics-vtimezones`` data (it requires Python >= 3.14 since 2020.3, describes only each
  zone's current rule, and prefixes its TZIDs).

Each event's VEVENT is built and serialised once and reused in every feed that holds it (see
`FeedWriter`), which keeps a whole feed set close to the cost of one export.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from icalendar import Calendar, vText, vUri
from icalendar import Event as VEvent

from . import __version__
from .dates import EdtfDate, Lang, format_date
from .i18n import count_events, precision_noun, word
from .records import Directory, Event, Partner, Topic
from .timezones import FIRST_YEAR, LAST_YEAR, vtimezone

Imprecise = Literal["span", "start", "omit"]
IMPRECISE_DEFAULT: Imprecise = "span"
UID_DOMAIN = "ruhrtimeline"
REFRESH = timedelta(hours=12)
_VOBJECT_UTC_CHECK = 2000  # see _years
_STATUS = {"held": "CONFIRMED", "planned": "TENTATIVE", "cancelled": "CANCELLED"}
_END = b"END:VCALENDAR\r\n"


def uid(event_id: str) -> str:
    return f"{event_id}@{UID_DOMAIN}"


def included(event: Event, imprecise: Imprecise) -> bool:
    """Whether an event goes into a calendar: all do, but with ``omit`` only known days."""
    return event.precise or imprecise != "omit"


def description(event: Event, directory: Directory, lang: Lang) -> str:
    """The event's text for DESCRIPTION: summary, who, what, precision, sources."""
    parts = [event.summary[lang].strip()]
    who = "; ".join(
        f"{directory.short(p, lang)} – {directory.partner_name(p, lang)}" for p in event.partners
    )
    lines = [f"{word('partners', lang)}: {who}"]
    if event.topics:
        topics = ", ".join(directory.topic_label(t, lang) for t in event.topics)
        lines.append(f"{word('topics', lang)}: {topics}")
    if event.people:
        people = [f"{p.name} ({p.role[lang]})" if p.role else p.name for p in event.people]
        lines.append(f"{word('people', lang)}: {'; '.join(people)}")
    parts.append("\n".join(lines))
    if not event.precise:
        noun = precision_noun(event.precision, lang)
        unknown = word("exact_day_unknown", lang, precision=noun)
        parts.append(f"{unknown} (EDTF {event.date.text}).")
    sources = [f"{word('sources', lang)}:"]
    for number, source in enumerate(event.sources, 1):
        sources.append(f"{number}. {source.publisher}: {source.title}\n{source.url}")
    parts.append("\n".join(sources))
    return "\n\n".join(parts)


def summary_notes(when: EdtfDate, status: str, lang: Lang, timezone: str | None = None) -> str:
    """What the summary adds to the title: the date where the day is not known, and any
    status (" (July 2019, planned)"), or ""."""
    notes = []
    if when.precision not in ("day", "time") or when.approximate or when.uncertain:
        notes.append(format_date(when, lang, "long", timezone))
    if status != "held":
        notes.append(word(status, lang))
    return f" ({', '.join(notes)})" if notes else ""


def summary(event: Event, lang: Lang) -> str:
    """The title, with the date in brackets when the day is not known, and any status."""
    return event.title[lang] + summary_notes(event.date, event.status, lang, event.timezone)


# A character that a URI may not hold: anything but RFC 3986's unreserved and reserved
# characters, and a "%" that does not begin an escape.
_NOT_IN_URI = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})")
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(?P<host>[^/?#:]*)")


def uri(value: str) -> str:
    """A web address as a URI (RFC 3986): a non-ASCII host name in its IDNA form, every
    other character that a URI may not hold percent-encoded as UTF-8.  An address that is
    already a URI comes back unchanged."""
    if not _NOT_IN_URI.search(value):
        return value
    parts = _AUTHORITY.match(value)
    if parts is not None and not parts["host"].isascii():
        name = parts["host"]
        with contextlib.suppress(UnicodeError):  # a name IDNA cannot write: escaped below
            host = name.encode("idna")
            # Python's codec is IDNA 2003, which turns "ß" into "ss": a different name
            # today, so such a host is percent-encoded (as RFC 3986 3.2.2 also allows).
            if host.decode("idna") == name.lower():
                value = value[: parts.start("host")] + host.decode() + value[parts.end("host") :]
    return _NOT_IN_URI.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), value)


def _stamp(event: Event, built: datetime) -> datetime:
    """When the entry last changed: its ``updated`` day, but never after the build."""
    if event.updated is None:
        return built
    return min(datetime.combine(event.updated, time(), tzinfo=UTC), built)


def vevent(
    event: Event,
    directory: Directory,
    lang: Lang,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    *,
    built: datetime,
) -> VEvent | None:
    """One VEVENT, or None when an imprecise date is to be left out.

    ``built`` is the build's own time (aware): DTSTAMP and LAST-MODIFIED never lie after it.
    """
    if not included(event, imprecise):
        return None
    component = VEvent()
    component.add("uid", uid(event.id))
    changed = _stamp(event, built)
    component.add("dtstamp", changed)
    if event.updated is not None:
        component.add("last-modified", changed)
    starts_at, ends_at = event.starts_at, event.ends_at
    if event.precision == "time" and starts_at is not None and ends_at is not None:
        component.add("dtstart", starts_at)
        if ends_at.astimezone(UTC) != starts_at.astimezone(UTC):
            component.add("dtend", ends_at)  # a point in time has none (RFC 5545 3.6.1)
    else:
        last = event.first if not event.precise and imprecise == "start" else event.last
        # All-day: DATE values, DTEND exclusive and always written.
        component.add("dtstart", event.first)
        component.add("dtend", last + timedelta(days=1))
    component.add("summary", summary(event, lang))
    component.add("description", description(event, directory, lang))
    place = event.place(lang, address=True)
    if place:
        component.add("location", place)
    coordinates = event.location.coordinates if event.location else None
    if coordinates is not None:
        component.add("geo", (coordinates.lat, coordinates.lon))
    component.add("url", vUri(uri(event.sources[0].url)))
    categories = [directory.short(p, lang) for p in event.partners]
    categories += [directory.topic_label(t, lang) for t in event.topics]
    component.add("categories", categories)
    component.add("status", _STATUS[event.status])
    component.add("transp", "TRANSPARENT")  # a record of milestones, not the reader's own diary
    component.add("class", "PUBLIC")
    component.add("x-ruhrtimeline-edtf", event.date.text)
    component.add("x-ruhrtimeline-precision", event.precision)
    return component


Zones = dict[str, tuple[int, int]]  # time zone → first and last year it is needed for


def zone_spans(events: Iterable[Event]) -> Zones:
    """The time zones that timed events use, with the years they cover."""
    spans: Zones = {}
    for event in events:
        if event.timezone and event.precision == "time":
            first, last = event.first.year, event.last.year
            low, high = spans.get(event.timezone, (first, last))
            spans[event.timezone] = (min(low, first), max(high, last))
    return spans


@dataclass(frozen=True)
class FeedInfo:
    """What a feed holds, in words for calendar apps (RFC 7986 NAME and DESCRIPTION)."""

    name: str
    description: str
    source_url: str | None = None


def calendar_head(info: FeedInfo, zones: Zones, lang: Lang) -> bytes:
    """The VCALENDAR with its properties and VTIMEZONEs, without the closing line."""
    calendar = Calendar()
    calendar.add("prodid", f"-//ruhrtimeline//ruhrtimeline {__version__}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # No METHOD: a published calendar, not a scheduling message (RFC 5546 would want an
    # ORGANIZER with it, and CalDAV, RFC 4791 4.1, forbids it).
    calendar.add("name", vText(info.name))
    calendar.add("x-wr-calname", vText(info.name))
    calendar.add("description", vText(info.description))
    calendar.add("x-wr-caldesc", vText(info.description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT12H"))
    if info.source_url:
        calendar.add("source", vUri(uri(info.source_url)), parameters={"VALUE": "URI"})
    data: bytes = calendar.to_ical()
    if not data.endswith(_END):
        raise ValueError("unexpected end of an icalendar calendar")
    zones_bytes = b"".join(
        vtimezone(name, *_years(low, high)) for name, (low, high) in sorted(zones.items())
    )
    return data[: -len(_END)] + zones_bytes


def _years(first: int, last: int) -> tuple[int, int]:
    """The years a VTIMEZONE describes: those of the events, from 2000 at the latest, held
    within what `timezones.vtimezone` writes (a block is right for every time before its
    range, and, with the current rule, after it).

    From 2000: vobject, and so Radicale, takes a VTIMEZONE whose offsets equal UTC's from
    2000 to 2019 for UTC and drops its TZID, so that Europe/London from 2021 on would lose
    its summer time; with the changes of those years in it, it does not."""
    first = min(max(first, FIRST_YEAR), _VOBJECT_UTC_CHECK, LAST_YEAR)
    return first, max(min(last, LAST_YEAR), first)


def event_bytes(
    event: Event,
    directory: Directory,
    lang: Lang,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    *,
    built: datetime,
) -> bytes | None:
    """One serialised VEVENT, or None when the event is left out."""
    component = vevent(event, directory, lang, imprecise, built=built)
    return component.to_ical() if component is not None else None


def calendar_chunks(
    info: FeedInfo, zones: Zones, lang: Lang, events: Iterable[bytes]
) -> Iterator[bytes]:
    """A calendar as a stream of chunks, from serialised VEVENTs: nothing but the current
    event is held in memory.  ``zones`` must name every time zone the events use."""
    yield calendar_head(info, zones, lang)
    yield from events
    yield _END


@dataclass
class FeedWriter:
    """Builds each event's VEVENT once and assembles any number of feeds from them."""

    directory: Directory
    lang: Lang
    imprecise: Imprecise = IMPRECISE_DEFAULT
    built: datetime = field(kw_only=True)
    _events: dict[str, bytes | None] = field(default_factory=dict)

    def add(self, event: Event) -> bytes | None:
        """Build (once) and keep an event's VEVENT."""
        if event.id not in self._events:
            self._events[event.id] = event_bytes(
                event, self.directory, self.lang, self.imprecise, built=self.built
            )
        return self._events[event.id]

    def included(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if self._events.get(i) is not None]

    def chunks(self, ids: Sequence[str], info: FeedInfo, zones: Zones) -> Iterator[bytes]:
        """A feed of events already added, in the order given."""
        pieces = (self._events[i] for i in ids)
        return calendar_chunks(info, zones, self.lang, (p for p in pieces if p is not None))


def feed_info(
    directory: Directory,
    lang: Lang,
    partner: Partner | None = None,
    topic: Topic | None = None,
    count: int | None = None,
    source_url: str | None = None,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
) -> FeedInfo:
    """The feed's name and description (what it holds), in the feed's language; the record
    is named by the store's title."""
    title = directory.title(lang)
    en = lang == "en"
    if partner is not None:
        name = f"{title}: {partner.short_label(lang)}"
        full = partner.label(lang)
        text = f"{title}: milestones with {full}." if en else f"{title}: Meilensteine mit {full}."
    elif topic is not None:
        name = f"{title}: {topic.label[lang]}"
        text = f"{title}: {topic.label[lang]}."
    else:
        name = title
        text = directory.description(lang) or f"{title}."
    if count is not None:
        text += f" {count_events(count, lang)}."
    notes = {
        "span": (
            " Dates known only to the month, season or year cover that whole period.",
            " Nur auf Monat, Jahreszeit oder Jahr genau bekannte Termine umfassen diesen "
            "ganzen Zeitraum.",
        ),
        "start": (
            " Dates known only to the month, season or year are shown on its first day.",
            " Nur auf Monat, Jahreszeit oder Jahr genau bekannte Termine stehen an dessen "
            "erstem Tag.",
        ),
        "omit": (
            " Dates known only to the month, season or year are left out.",
            " Nur auf Monat, Jahreszeit oder Jahr genau bekannte Termine fehlen.",
        ),
    }
    return FeedInfo(name, text + notes[imprecise][0 if en else 1], source_url)
