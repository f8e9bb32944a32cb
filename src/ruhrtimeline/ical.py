"""Events as iCalendar (RFC 5545, with RFC 7986 calendar names), written with icalendar.

Output is deterministic: UIDs are ``<event id>@ruhrtimeline``, DTSTAMP comes from the entry's
``updated`` date (else ``SOURCE_DATE_EPOCH``, else the event's first day), never from the
clock.  Each event's VEVENT is built and serialised once and reused in every feed that holds
it (see `FeedWriter`), which keeps a whole feed set close to the cost of one export.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from icalendar import Calendar, Event, Timezone, vText

from . import __version__
from .dates import Lang, format_date, parse_edtf
from .i18n import Names, count_events, precision_noun, word
from .store import EventRecord

Imprecise = Literal["span", "start", "omit"]
IMPRECISE_DEFAULT: Imprecise = "span"
UID_DOMAIN = "ruhrtimeline"
REFRESH = timedelta(hours=12)
_STATUS = {"held": "CONFIRMED", "planned": "TENTATIVE", "cancelled": "CANCELLED"}
_END = b"END:VCALENDAR\r\n"


def source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, if set (reproducible builds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def uid(event_id: str) -> str:
    return f"{event_id}@{UID_DOMAIN}"


def _place(location: dict[str, Any] | None, lang: Lang) -> str:
    if not location:
        return ""
    if location.get("online"):
        return word("online", lang)
    parts = [location.get(k) for k in ("name", "address", "city", "region", "country")]
    return ", ".join(p for p in parts if p)


def description(record: EventRecord, names: Names, lang: Lang) -> str:
    """The event's text for DESCRIPTION: summary, who, what, precision, sources."""
    parts = [record["summary"][lang].strip()]
    who = "; ".join(f"{names.short(p)} – {names.partner(p, lang)}" for p in record["partners"])
    lines = [f"{word('partners', lang)}: {who}"]
    if record["topics"]:
        topics = ", ".join(names.topic(t, lang) for t in record["topics"])
        lines.append(f"{word('topics', lang)}: {topics}")
    if record["people"]:
        people = []
        for person in record["people"]:
            role = (person.get("role") or {}).get(lang)
            people.append(f"{person['name']} ({role})" if role else person["name"])
        lines.append(f"{word('people', lang)}: {'; '.join(people)}")
    parts.append("\n".join(lines))
    if record["precision"] not in ("day", "time"):
        noun = precision_noun(record["precision"], lang)
        parts.append(word("exact_day_unknown", lang, precision=noun) + f" (EDTF {record['date']}).")
    sources = [f"{word('sources', lang)}:"]
    for number, source in enumerate(record["sources"], 1):
        sources.append(f"{number}. {source['publisher']}: {source['title']}\n{source['url']}")
    parts.append("\n".join(sources))
    return "\n\n".join(parts)


def summary(record: EventRecord, lang: Lang) -> str:
    """The title, with the date in brackets when the day is not known, and any status."""
    title = record["title"][lang]
    notes = []
    if record["precision"] not in ("day", "time") or record["approximate"] or record["uncertain"]:
        notes.append(format_date(parse_edtf(record["date"]), lang, "long"))
    if record["status"] != "held":
        notes.append(word(record["status"], lang))
    return f"{title} ({', '.join(notes)})" if notes else title


def _stamp(record: EventRecord) -> datetime:
    if record["updated"]:
        return datetime.combine(
            date.fromisoformat(record["updated"]), datetime.min.time(), tzinfo=UTC
        )
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    return datetime.combine(date.fromisoformat(record["start"]), datetime.min.time(), tzinfo=UTC)


def vevent(
    record: EventRecord, names: Names, lang: Lang, imprecise: Imprecise = IMPRECISE_DEFAULT
) -> Event | None:
    """One VEVENT, or None when an imprecise date is to be left out."""
    precise = record["precision"] in ("day", "time")
    if not precise and imprecise == "omit":
        return None
    event = Event()
    event.add("uid", uid(record["id"]))
    stamp = _stamp(record)
    event.add("dtstamp", stamp)
    if record["updated"]:
        event.add("last-modified", stamp)
    first = date.fromisoformat(record["start"])
    last = date.fromisoformat(record["end"])
    if record["precision"] == "time" and record["starts_at"] and record["timezone"]:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(record["timezone"])
        start = datetime.fromisoformat(record["starts_at"]).astimezone(zone)
        end = datetime.fromisoformat(record["ends_at"] or record["starts_at"]).astimezone(zone)
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        if not precise and imprecise == "start":
            last = first
        # All-day: DATE values, DTEND exclusive and always written.
        event.add("dtstart", first)
        event.add("dtend", last + timedelta(days=1))
    event.add("summary", summary(record, lang))
    event.add("description", description(record, names, lang))
    place = _place(record["location"], lang)
    if place:
        event.add("location", place)
    coordinates = (record["location"] or {}).get("coordinates")
    if coordinates:
        event.add("geo", (coordinates["lat"], coordinates["lon"]))
    event.add("url", record["sources"][0]["url"])
    categories = [names.short(p) for p in record["partners"]]
    categories += [names.topic(t, lang) for t in record["topics"]]
    event.add("categories", categories)
    event.add("status", _STATUS[record["status"]])
    event.add("transp", "TRANSPARENT")  # a record of milestones, not the reader's own diary
    event.add("class", "PUBLIC")
    event.add("x-ruhrtimeline-edtf", record["date"])
    event.add("x-ruhrtimeline-precision", record["precision"])
    return event


Zones = dict[str, tuple[int, int]]  # time zone → first and last year it is needed for


def zones_of(records: Iterable[EventRecord]) -> Zones:
    """The time zones that timed events use, with the years they cover."""
    spans: Zones = {}
    for record in records:
        name = record["timezone"]
        if name and record["precision"] == "time":
            first, last = int(record["start"][:4]), int(record["end"][:4])
            low, high = spans.get(name, (first, last))
            spans[name] = (min(low, first), max(high, last))
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
    record: EventRecord, names: Names, lang: Lang, imprecise: Imprecise = IMPRECISE_DEFAULT
) -> bytes | None:
    """One serialised VEVENT, or None when the event is left out."""
    component = vevent(record, names, lang, imprecise)
    return component.to_ical() if component is not None else None


def export_chunks(
    records: Iterable[EventRecord],
    names: Names,
    lang: Lang,
    imprecise: Imprecise,
    info: FeedInfo,
    zones: Zones,
) -> Iterator[bytes]:
    """A calendar as a stream of chunks: nothing but the current event is held in memory.
    ``zones`` must name every time zone the events use (see `zones_of`)."""
    yield calendar_head(info, zones, lang)
    for record in records:
        data = event_bytes(record, names, lang, imprecise)
        if data is not None:
            yield data
    yield _END


@dataclass
class FeedWriter:
    """Builds each event's VEVENT once and assembles any number of feeds from them."""

    names: Names
    lang: Lang
    imprecise: Imprecise = IMPRECISE_DEFAULT
    _events: dict[str, bytes | None] = field(default_factory=dict)

    def add(self, record: EventRecord) -> bytes | None:
        """Build (once) and keep an event's VEVENT."""
        if record["id"] not in self._events:
            self._events[record["id"]] = event_bytes(record, self.names, self.lang, self.imprecise)
        return self._events[record["id"]]

    def included(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if self._events.get(i) is not None]

    def chunks(self, ids: Sequence[str], info: FeedInfo, zones: Zones) -> Iterator[bytes]:
        """A feed of events already added, in the order given."""
        yield calendar_head(info, zones, self.lang)
        for event_id in ids:
            data = self._events.get(event_id)
            if data is not None:
                yield data
        yield _END

    def feed(self, records: Sequence[EventRecord], info: FeedInfo) -> bytes:
        """A complete calendar of ``records`` (already in order)."""
        for record in records:
            self.add(record)
        included = [r for r in records if self._events.get(r["id"]) is not None]
        return b"".join(self.chunks([r["id"] for r in included], info, zones_of(included)))


def export_info(
    lang: Lang,
    partner: dict[str, Any] | None = None,
    topic: dict[str, Any] | None = None,
    count: int | None = None,
    source_url: str | None = None,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
) -> FeedInfo:
    """The feed's name and description (what it holds), in the feed's language."""
    en = lang == "en"
    if partner is not None:
        short = partner["short"]
        full = (partner.get("names") or {}).get(lang) or partner["name"]
        name = (
            f"Metropole Ruhr – {short} partnership"
            if en
            else (f"Metropole Ruhr – Partnerschaft {short}")
        )
        text = (
            f"Milestones of the Metropole Ruhr's international partnerships with {full}."
            if en
            else f"Meilensteine der internationalen Partnerschaften der Metropole Ruhr mit {full}."
        )
    elif topic is not None:
        label = topic["label"][lang]
        name = f"Metropole Ruhr – {label}"
        text = (
            f"Milestones of the Metropole Ruhr's international partnerships: {label}."
            if en
            else f"Meilensteine der internationalen Partnerschaften der Metropole Ruhr: {label}."
        )
    else:
        name = (
            "Metropole Ruhr – international partnerships"
            if en
            else "Metropole Ruhr – internationale Partnerschaften"
        )
        text = (
            "Milestones of the Metropole Ruhr's international partnerships: the RVR and the "
            "Metropolis GZM, Greater Manchester, the Ruhr-Konferenz and more."
            if en
            else "Meilensteine der internationalen Partnerschaften der Metropole Ruhr: RVR und "
            "Metropolis GZM, Greater Manchester, die Ruhr-Konferenz und mehr."
        )
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


def export(
    records: Sequence[EventRecord],
    names: Names,
    lang: Lang,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    info: FeedInfo | None = None,
) -> bytes:
    """One calendar of the given events."""
    info = info or export_info(lang, count=len(records), imprecise=imprecise)
    return b"".join(export_chunks(records, names, lang, imprecise, info, zones_of(records)))
