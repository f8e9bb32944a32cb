"""Listings for scripts: the JSON contract of events, partners and topics; CSV and Markdown.

`event_json` is the one place where an event becomes the object that ``list --format json``
prints (and that reports embed); its fields are documented in the README.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from .records import Activity, Event, Location, Partner, Source, Text, Topic

JsonObject = dict[str, object]


def _text(value: Text | None) -> dict[str, str] | None:
    return None if value is None else {"de": value.de, "en": value.en}


def _name(value: str | Text | None) -> str | dict[str, str] | None:
    return value if value is None or isinstance(value, str) else _text(value)


def location_json(location: Location | None) -> JsonObject | None:
    if location is None:
        return None
    coordinates = location.coordinates
    return {
        "name": _name(location.name),
        "address": _name(location.address),
        "city": _name(location.city),
        "region": _name(location.region),
        "country": location.country,
        "coordinates": None
        if coordinates is None
        else {"lat": coordinates.lat, "lon": coordinates.lon},
        "online": location.online,
    }


def source_json(source: Source) -> JsonObject:
    return {
        "url": source.url,
        "publisher": source.publisher,
        "title": source.title,
        "date": source.date.text if source.date else None,
        "language": source.language,
    }


def event_json(e: Event) -> JsonObject:
    """The listing form of an event: the JSON contract of ``list --format json``."""
    starts_at, ends_at = e.starts_at, e.ends_at
    return {
        "id": e.id,
        "date": e.date.text,
        "start": e.first.isoformat(),
        "end": e.last.isoformat(),
        "precision": e.precision,
        "approximate": e.approximate,
        "uncertain": e.uncertain,
        "timezone": e.timezone,
        "starts_at": starts_at.isoformat() if starts_at else None,
        "ends_at": ends_at.isoformat() if ends_at else None,
        "status": e.status,
        "title": _text(e.title),
        "summary": _text(e.summary),
        "location": location_json(e.location),
        "partners": list(e.partners),
        "topics": list(e.topics),
        "people": [{"name": p.name, "role": _text(p.role)} for p in e.people],
        "sources": [source_json(s) for s in e.sources],
        "updated": e.updated.isoformat() if e.updated else None,
    }


def _activity_json(activity: Activity) -> JsonObject:
    return {
        "events": activity.events,
        "first": activity.first.isoformat() if activity.first else None,
        "last": activity.last.isoformat() if activity.last else None,
        "first_date": activity.first_date.text if activity.first_date else None,
        "last_date": activity.last_date.text if activity.last_date else None,
    }


def partner_json(partner: Partner, activity: Activity) -> JsonObject:
    """A partner as ``partners --format json`` prints it, with its activity."""
    return {
        "id": partner.id,
        "name": partner.name,
        "names": _text(partner.names),
        "short": partner.short,
        "short_names": _text(partner.short_names),
        "kind": partner.kind,
        "country": partner.country,
        "website": partner.website,
        "description": _text(partner.description),
        **_activity_json(activity),
    }


def topic_json(topic: Topic, activity: Activity) -> JsonObject:
    return {"id": topic.id, "label": _text(topic.label), **_activity_json(activity)}


def events_json(events: Iterable[Event]) -> Iterable[str]:
    """A JSON array with one event object a line (streamed: a large selection never sits in
    memory as text)."""
    first = True
    for e in events:
        yield ("[\n" if first else ",\n") + json.dumps(event_json(e), ensure_ascii=False)
        first = False
    yield "[]\n" if first else "\n]\n"


def json_text(value: object) -> str:
    """Indented JSON, as the other listings and the reports print it."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


# --- CSV ------------------------------------------------------------------------------------


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _en(value: str | Text | None) -> str:
    # CSV has one column a field: a name given in both languages is written as "de / en".
    if value is None:
        return ""
    return value if isinstance(value, str) else f"{value.de} / {value.en}"


def _when(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""


#: One row an event (RFC 4180); lists are space-separated ids.
EVENT_CSV: Mapping[str, Callable[[Event], str]] = {
    "id": lambda e: e.id,
    "date": lambda e: e.date.text,
    "start": lambda e: e.first.isoformat(),
    "end": lambda e: e.last.isoformat(),
    "precision": lambda e: e.precision,
    "approximate": lambda e: _bool(e.approximate),
    "uncertain": lambda e: _bool(e.uncertain),
    "timezone": lambda e: e.timezone or "",
    "starts_at": lambda e: _when(e.starts_at),
    "ends_at": lambda e: _when(e.ends_at),
    "status": lambda e: e.status,
    "title_de": lambda e: e.title.de,
    "title_en": lambda e: e.title.en,
    "summary_de": lambda e: e.summary.de,
    "summary_en": lambda e: e.summary.en,
    "partners": lambda e: " ".join(e.partners),
    "topics": lambda e: " ".join(e.topics),
    "location_name": lambda e: _en(e.location.name) if e.location else "",
    "address": lambda e: _en(e.location.address) if e.location else "",
    "city": lambda e: _en(e.location.city) if e.location else "",
    "region": lambda e: _en(e.location.region) if e.location else "",
    "country": lambda e: (e.location.country or "") if e.location else "",
    "lat": lambda e: (
        str(e.location.coordinates.lat) if e.location and e.location.coordinates else ""
    ),
    "lon": lambda e: (
        str(e.location.coordinates.lon) if e.location and e.location.coordinates else ""
    ),
    "online": lambda e: _bool(bool(e.location and e.location.online)),
    "people": lambda e: "; ".join(p.name for p in e.people),
    "source_urls": lambda e: " ".join(s.url for s in e.sources),
    "updated": lambda e: e.updated.isoformat() if e.updated else "",
}


def event_csv_row(e: Event) -> dict[str, str]:
    return {name: cell(e) for name, cell in EVENT_CSV.items()}


# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(…), =cmd|…);
# OWASP's advice is a leading apostrophe, which they read as "text" and do not show.  The
# full-width forms count in some locales.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: str) -> str:
    """A cell that no spreadsheet runs as a formula; plain numbers (-2.2426) stay numbers."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(fields: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """CSV (RFC 4180: comma, double quotes, CRLF line ends), with a header row; cells that a
    spreadsheet would run as a formula start with an apostrophe (`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def events_csv(events: Iterable[Event]) -> str:
    return csv_text(list(EVENT_CSV), (event_csv_row(e) for e in events))


def partners_csv(partners: Iterable[Partner], activity: Mapping[str, Activity]) -> str:
    rows = []
    for p in partners:
        a = activity.get(p.id, Activity())
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "name_de": p.label("de"),
                "name_en": p.label("en"),
                "short": p.short,
                "kind": p.kind,
                "country": p.country,
                "website": p.website or "",
                "events": str(a.events),
                "first": _when(a.first),
                "last": _when(a.last),
            }
        )
    fields = ("id", "name", "name_de", "name_en", "short", "kind", "country", "website")
    return csv_text((*fields, "events", "first", "last"), rows)


def topics_csv(topics: Iterable[Topic], activity: Mapping[str, Activity]) -> str:
    rows = []
    for t in topics:
        a = activity.get(t.id, Activity())
        rows.append(
            {
                "id": t.id,
                "label_de": t.label.de,
                "label_en": t.label.en,
                "events": str(a.events),
                "first": _when(a.first),
                "last": _when(a.last),
            }
        )
    return csv_text(("id", "label_de", "label_en", "events", "first", "last"), rows)


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_escape(text: str) -> str:
    """Escape Markdown syntax so that any text renders as written, on one line."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def md_autolink(url: str) -> str:
    """A URL for a CommonMark autolink ``<URL>``: the characters that could end it or break
    it (``<``, ``>``, spaces, control characters) percent-encoded, so it stays one link."""
    return "".join(
        f"%{ord(c):02X}" if c in "<>" or ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F else c
        for c in url
    )


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(md_escape(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
