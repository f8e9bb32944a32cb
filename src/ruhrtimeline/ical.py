"""Events as iCalendar (RFC 5545, with RFC 7986 calendar names), written with icalendar.

Output is deterministic: UIDs are ``<event id>@ruhrtimeline``, DTSTAMP comes from the entry's
``updated`` date (else the build's own time given by the caller, else the event's first day),
never from the clock.  Each event's VEVENT is built and serialised once and reused in every
feed that holds it (see `FeedWriter`), which keeps a whole feed set close to the cost of one
export.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from icalendar import Calendar, Timezone, vText
from icalendar import Event as VEvent

from . import __version__
from .dates import EdtfDate, Lang, format_date
from .i18n import count_events, precision_noun, word
from .records import Directory, Event, Partner, Topic

Imprecise = Literal["span", "start", "omit"]
IMPRECISE_DEFAULT: Imprecise = "span"
UID_DOMAIN = "ruhrtimeline"
REFRESH = timedelta(hours=12)
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


def _stamp(event: Event, built: datetime | None) -> datetime:
    if event.updated is not None:
        return datetime.combine(event.updated, datetime.min.time(), tzinfo=UTC)
    if built is not None:
        return built
    return datetime.combine(event.first, datetime.min.time(), tzinfo=UTC)


def vevent(
    event: Event,
    directory: Directory,
    lang: Lang,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    built: datetime | None = None,
) -> VEvent | None:
    """One VEVENT, or None when an imprecise date is to be left out.

    ``built`` is the time of the build (for example ``SOURCE_DATE_EPOCH``): the DTSTAMP of
    entries that have no ``updated`` date."""
    if not included(event, imprecise):
        return None
    component = VEvent()
    component.add("uid", uid(event.id))
    stamp = _stamp(event, built)
    component.add("dtstamp", stamp)
    if event.updated is not None:
        component.add("last-modified", stamp)
    starts_at, ends_at = event.starts_at, event.ends_at
    if event.precision == "time" and starts_at is not None and ends_at is not None:
        component.add("dtstart", starts_at)
        component.add("dtend", ends_at)
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
    component.add("url", event.sources[0].url)
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
    calendar.add("method", "PUBLISH")
    calendar.add("name", info.name)
    calendar.add("x-wr-calname", info.name)
    calendar.add("description", info.description)
    calendar.add("x-wr-caldesc", vText(info.description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT12H"))
    if info.source_url:
        calendar.add("source", info.source_url, parameters={"VALUE": "URI"})
    data: bytes = calendar.to_ical()
    if not data.endswith(_END):
        raise ValueError("unexpected end of an icalendar calendar")
    zones_bytes = b"".join(
        _vtimezone(name, low, high) for name, (low, high) in sorted(zones.items())
    )
    return data[: -len(_END)] + zones_bytes


@lru_cache(maxsize=256)
def _vtimezone(name: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE from the IANA database (slow to build, so built once a feed set)."""
    zone = Timezone.from_tzid(
        name, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return bytes(zone.to_ical())


def event_bytes(
    event: Event,
    directory: Directory,
    lang: Lang,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    built: datetime | None = None,
) -> bytes | None:
    """One serialised VEVENT, or None when the event is left out."""
    component = vevent(event, directory, lang, imprecise, built)
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
    built: datetime | None = None
    _events: dict[str, bytes | None] = field(default_factory=dict)

    def add(self, event: Event) -> bytes | None:
        """Build (once) and keep an event's VEVENT."""
        if event.id not in self._events:
            self._events[event.id] = event_bytes(
                event, self.directory, self.lang, self.imprecise, self.built
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
