"""Events from outside into store documents: from command-line fields, from iCalendar (an
invitation or a whole calendar), and from the CSV and JSON that ``list`` writes.

A document is an item as the store file holds it (texts, lists, mappings); ``edits.py``
checks and writes it.  Nothing here invents what the data does not say: a date keeps the
precision it has (an all-day range stays days, a timed event keeps its zone), a text given
in one language only is copied into the other and reported as untranslated, and a source
lacking its title or publisher gets them by documented rules (`source_document`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from .dates import DateError, Lang, parse_edtf
from .errors import UnreadableInput
from .files import slug
from .records import Directory, Event

Document = dict[str, Any]
Lookup = Callable[[str], "Document | None"]  # the store's document of an event, if it has one


@dataclass
class Draft:
    """Documents read from outside, and what the reader had to say about them."""

    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line each: untranslated texts, …


def sniff(name: str, data: bytes) -> Literal["ics", "csv", "json"]:
    """What a file to import holds: from its name, else from its first bytes."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("ics", "ical", "ifb"):
        return "ics"
    if suffix in ("csv", "json"):
        return "csv" if suffix == "csv" else "json"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.upper().startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if head.startswith((b"[", b"{")):
        return "json"
    return "csv"


# --- sources --------------------------------------------------------------------------------------


def source_document(
    url: str,
    *,
    title: str | None = None,
    publisher: str | None = None,
    language: str | None = None,
    fallback_language: Lang = "en",
) -> Document:
    """A source from its address and what else is known.  Left out, the publisher is the
    address's host name (without ``www.``), the title the last part of its path in words
    (else the host name), the language ``fallback_language``."""
    parts = urlsplit(url)
    host = (parts.hostname or url).removeprefix("www.")
    if title is None:
        tail = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        tail = re.sub(r"\.(html?|php|aspx?)$", "", tail)
        words = re.sub(r"[-_+]+", " ", tail).strip()
        title = words[:1].upper() + words[1:] if words else host
    return {
        "url": url,
        "publisher": publisher or host,
        "title": title,
        "language": (language or fallback_language).lower(),
    }


def _both(
    texts: Mapping[str, str | None], what: str, event_id: str, notes: list[str]
) -> dict[str, str] | None:
    """A text in both languages; one given alone is copied into the other, with a note."""
    de, en = (texts.get("de") or "").strip(), (texts.get("en") or "").strip()
    if not de and not en:
        return None
    if not de or not en:
        missing = "de" if not de else "en"
        notes.append(f"{event_id}: {what} has no {missing} text; the other one was copied")
    return {"de": de or en, "en": en or de}


# --- from command-line fields ---------------------------------------------------------------------


def event_document(
    *,
    event_id: str,
    date: str,
    title: Mapping[str, str | None],
    summary: Mapping[str, str | None],
    partners: Sequence[str],
    topics: Sequence[str] = (),
    sources: Sequence[Document] = (),
    status: str = "held",
    timezone: str | None = None,
    place: str | None = None,
    city: str | None = None,
    country: str | None = None,
    online: bool = False,
) -> Draft:
    """One new event from its fields (as ``add event`` takes them).  Without a summary, the
    title stands for it."""
    draft = Draft()
    doc: Document = {"id": event_id, "date": date}
    if timezone:
        doc["timezone"] = timezone
    doc["status"] = status
    doc["title"] = _both(title, "the title", event_id, draft.notes)
    summary_text = _both(summary, "the summary", event_id, draft.notes)
    if summary_text is None and doc["title"] is not None:
        summary_text = dict(doc["title"])
        draft.notes.append(f"{event_id}: no summary given; the title stands for it")
    doc["summary"] = summary_text
    location: Document = {}
    if place:
        location["name"] = place
    if city:
        location["city"] = city
    if country:
        location["country"] = country.upper()
    if online:
        location["online"] = "true"
    if location:
        doc["location"] = location
    doc["partners"] = [p.lower() for p in partners]
    if topics:
        doc["topics"] = [t.lower() for t in topics]
    doc["sources"] = list(sources)
    draft.documents.append(doc)
    return draft


# --- from the JSON and CSV of list ----------------------------------------------------------------


def read_json(text: str, existing: Lookup) -> Draft:
    """The JSON of ``list --format json`` (an array of events, or one event)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(
            f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    items = data if isinstance(data, list) else [data]
    draft = Draft()
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise UnreadableInput(f"item {number} is not an event as a JSON listing writes it")
        doc: Document = {"id": item["id"], "date": item.get("date")}
        if item.get("timezone"):
            doc["timezone"] = item["timezone"]
        doc["status"] = item.get("status") or "held"
        doc["title"] = _both(item.get("title") or {}, "the title", item["id"], draft.notes)
        doc["summary"] = _both(item.get("summary") or {}, "the summary", item["id"], draft.notes)
        location = item.get("location")
        if isinstance(location, dict):
            place = {
                key: value
                for key, value in location.items()
                if key in ("name", "address", "city", "region", "country") and value
            }
            coordinates = location.get("coordinates")
            if isinstance(coordinates, dict):
                place["coordinates"] = {k: repr(float(v)) for k, v in coordinates.items()}
            if location.get("online"):
                place["online"] = "true"
            doc["location"] = place
        doc["partners"] = list(item.get("partners") or [])
        if item.get("topics"):
            doc["topics"] = list(item["topics"])
        people = [
            {"name": p["name"], **({"role": p["role"]} if p.get("role") else {})}
            for p in item.get("people") or []
            if isinstance(p, dict) and p.get("name")
        ]
        if people:
            doc["people"] = people
        doc["sources"] = [
            {k: s[k] for k in ("url", "publisher", "title", "date", "language") if s.get(k)}
            for s in item.get("sources") or []
            if isinstance(s, dict)
        ]
        if item.get("updated"):
            doc["updated"] = item["updated"]
        draft.documents.append(_kept(doc, existing(doc["id"])))
    return draft


def read_csv(text: str, existing: Lookup, fallback_language: Lang = "en") -> Draft:
    """The CSV of ``list --format csv`` (a spreadsheet round trip).  People are names only
    and sources addresses only there: where the store has them, their roles, titles and
    publishers are kept."""
    draft = Draft()
    rows = csv.DictReader(io.StringIO(text))
    if not rows.fieldnames or "id" not in rows.fieldnames or "date" not in rows.fieldnames:
        raise UnreadableInput("not the CSV of a listing: it needs the columns id and date")
    for row in rows:
        event_id = (row.get("id") or "").strip()
        if not event_id:
            continue
        old = existing(event_id)
        doc: Document = {"id": event_id, "date": (row.get("date") or "").strip()}
        if row.get("timezone"):
            doc["timezone"] = row["timezone"].strip()
        doc["status"] = (row.get("status") or "held").strip()
        title = {"de": row.get("title_de"), "en": row.get("title_en")}
        summary = {"de": row.get("summary_de"), "en": row.get("summary_en")}
        doc["title"] = _both(title, "the title", event_id, draft.notes)
        doc["summary"] = _both(summary, "the summary", event_id, draft.notes)
        place = {
            k: _name(row.get(c) or "") for k, c in _PLACE_COLUMNS if (row.get(c) or "").strip()
        }
        if row.get("lat") and row.get("lon"):
            place["coordinates"] = {"lat": row["lat"].strip(), "lon": row["lon"].strip()}
        if (row.get("online") or "").strip() == "true":
            place["online"] = "true"
        if place:
            doc["location"] = place
        doc["partners"] = (row.get("partners") or "").split()
        topics = (row.get("topics") or "").split()
        if topics:
            doc["topics"] = topics
        names = [n.strip() for n in (row.get("people") or "").split(";") if n.strip()]
        old_people = {p["name"]: p for p in (old or {}).get("people", [])}
        if names:
            doc["people"] = [old_people.get(n, {"name": n}) for n in names]
        old_sources = {s["url"]: s for s in (old or {}).get("sources", [])}
        doc["sources"] = [
            old_sources.get(url) or source_document(url, fallback_language=fallback_language)
            for url in (row.get("source_urls") or "").split()
        ]
        if row.get("updated"):
            doc["updated"] = row["updated"].strip()
        draft.documents.append(_kept(doc, old))
    return draft


_PLACE_COLUMNS = (
    ("name", "location_name"),
    ("address", "address"),
    ("city", "city"),
    ("region", "region"),
    ("country", "country"),
)


def _name(value: str) -> str | Document:
    # The CSV writes a name in two languages as "de / en".
    de, sep, en = value.strip().partition(" / ")
    return {"de": de, "en": en} if sep else value.strip()


def _kept(doc: Document, old: Document | None) -> Document:
    """The store's own order of fields, and its fields the import does not speak of."""
    if old is None:
        return {k: v for k, v in doc.items() if v not in (None, [], {})}
    merged = {**old}
    for key, value in doc.items():
        if value in (None, [], {}):
            if key in ("timezone", "topics", "people", "location"):
                merged.pop(key, None)
            continue
        merged[key] = value
    return merged


# --- from iCalendar ------------------------------------------------------------------------------

_STATUS = {"CONFIRMED": "held", "TENTATIVE": "planned", "CANCELLED": "cancelled"}


def read_ics(
    data: bytes,
    existing: Lookup,
    directory: Directory,
    *,
    lang: Lang,
    partners: Sequence[str] = (),
    topics: Sequence[str] = (),
    source: Document | None = None,
) -> Draft:
    """Events of an iCalendar file (an invitation or a whole calendar) in ``lang``.

    The event id is the part of a ``UID`` before ``@ruhrtimeline`` (as the feeds write it) or
    before any ``@`` where that is an id of the store, else one made from the summary and
    the year.  Dates keep their
    precision: the EDTF date a feed of ours carries, else the days of an all-day event, else
    the local time and zone of a timed one."""
    from icalendar import Calendar

    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError) as exc:
        raise UnreadableInput(f"not an iCalendar file: {exc}") from None
    draft = Draft()
    other: Lang = "de" if lang == "en" else "en"
    for calendar in calendars:
        default_zone = str(calendar.get("X-WR-TIMEZONE") or "") or None
        for component in calendar.walk("VEVENT"):
            doc = _ics_event(component, directory, existing, lang, default_zone, draft.notes)
            if doc is None:
                continue
            old = existing(doc["id"])
            if old is not None:  # keep the other language's texts of the store
                for key in ("title", "summary"):
                    doc[key] = {**old.get(key, {}), lang: doc[key][lang]}
                _keep_what_the_feed_shortens(doc, old, str(component.get("LOCATION") or ""), lang)
            else:
                for key in ("title", "summary"):
                    doc[key][other] = doc[key][lang]
                draft.notes.append(
                    f"{doc['id']}: title and summary are in {lang} only; copied into {other}"
                )
            doc["partners"] = list(dict.fromkeys([*doc["partners"], *partners]))
            if topics or doc.get("topics"):
                doc["topics"] = list(dict.fromkeys([*doc.get("topics", []), *topics]))
            if not doc["sources"] and source is not None:
                doc["sources"] = [source]
            draft.documents.append(_kept(doc, old))
    return draft


def _keep_what_the_feed_shortens(doc: Document, old: Document, place: str, lang: Lang) -> None:
    """A feed writes a place in one language and a source as its address only: where these
    are what the store's event gives, the store's fuller place and sources stay."""
    from .validation import check_item

    sources = doc["sources"]
    if sources and old.get("sources") and old["sources"][0]["url"] == sources[0]["url"]:
        doc["sources"] = old["sources"]
    if "location" in old and place:
        event = check_item("events", old, 0, "")
        if isinstance(event, Event) and event.place(lang, address=True) == place:
            doc["location"] = old["location"]
        elif "location" in doc:
            doc["location"] = _place_in(lang, doc["location"], old["location"])


def _place_in(lang: Lang, new: Document, old: Document) -> Document:
    """A place read in one language, over the store's: where both name the same parts, only
    the texts of ``lang`` change (a plain name becomes one per language)."""
    parts = ("name", "address", "city", "region", "country", "online")
    if [k for k in parts if k in new] != [k for k in parts if k in old]:
        return new
    merged = {**old, **({"coordinates": new["coordinates"]} if "coordinates" in new else {})}
    other: Lang = "de" if lang == "en" else "en"
    for key in ("name", "address", "city", "region"):
        value, before = new.get(key), old.get(key)
        if value is None or before is None:
            continue
        before_other = before if isinstance(before, str) else before[other]
        pair = {lang: value, other: before_other}
        merged[key] = value if value == before_other else {"de": pair["de"], "en": pair["en"]}
    return merged


def _ics_event(
    component: Any,
    directory: Directory,
    existing: Lookup,
    lang: Lang,
    zone: str | None,
    notes: list[str],
) -> Document | None:
    uid = str(component.get("UID") or "")
    summary = str(component.get("SUMMARY") or "").strip()
    edtf = str(component.get("X-RUHRTIMELINE-EDTF") or "") or None
    status = _STATUS.get(str(component.get("STATUS") or "").upper(), "held")
    start = component.decoded("DTSTART", None)
    if start is None:
        notes.append(f"{uid or summary}: left out, it has no start")
        return None
    date_text, timezone = _ics_date(component, start, edtf, zone, notes, uid or summary)
    try:
        parsed = parse_edtf(date_text)
    except DateError as exc:
        notes.append(f"{uid or summary}: left out, {exc}")
        return None
    if edtf is not None:  # our own feed: what it added to the title goes
        from .ical import summary_notes

        summary = summary.removesuffix(summary_notes(parsed, status, lang))
    event_id = _event_id(uid, summary, parsed.first.year, existing)
    description = str(component.get("DESCRIPTION") or "").strip()
    if edtf is not None:  # our own feed: its first paragraph is the summary
        description = description.split("\n\n", 1)[0]
    doc: Document = {"id": event_id, "date": date_text}
    if timezone:
        doc["timezone"] = timezone
    doc["status"] = status
    doc["title"] = {lang: summary}
    doc["summary"] = {lang: description[:5000] or summary}
    location = _ics_location(str(component.get("LOCATION") or ""), component.get("GEO"))
    if location:
        doc["location"] = location
    elif component.get("LOCATION"):
        place = str(component.get("LOCATION"))
        notes.append(f"{event_id}: the place {place!r} was left out: it names no country")
    categories = _categories(component)
    doc["partners"] = [p for c in categories if (p := _partner_of(c, directory))]
    doc["topics"] = [t for c in categories if (t := _topic_of(c, directory))]
    url = str(component.get("URL") or "")
    doc["sources"] = (
        [source_document(url, fallback_language=lang)] if url.startswith("http") else []
    )
    return doc


def _ics_date(
    component: Any, start: Any, edtf: str | None, zone: str | None, notes: list[str], name: str
) -> tuple[str, str | None]:
    if edtf is not None:
        tzid = getattr(start.tzinfo, "key", None) if isinstance(start, datetime) else None
        return edtf, tzid
    end = component.decoded("DTEND", None)
    if end is None and component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    if not isinstance(start, datetime):  # all-day: DTEND is the day after the last
        last = (end - timedelta(days=1)) if isinstance(end, date) and end > start else start
        return (
            start.isoformat() if last == start else f"{start.isoformat()}/{last.isoformat()}"
        ), None
    timezone = getattr(start.tzinfo, "key", None)
    if start.tzinfo is None:
        timezone = zone or "UTC"
        notes.append(f"{name}: a time without a zone, read as {timezone}")
    elif timezone is None:  # UTC or a zone of its own: written in UTC
        start = start.astimezone(UTC)
        end = end.astimezone(UTC) if isinstance(end, datetime) else end
        timezone = "UTC"
    text = _local(start)
    if isinstance(end, datetime) and end != start:
        if end.tzinfo is not None and start.tzinfo is not None:
            end = end.astimezone(start.tzinfo)
        text = f"{text}/{_local(end)}"
    return text, timezone


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M" + (":%S" if moment.second else ""))


def _ics_location(text: str, geo: Any) -> Document | None:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    if parts[0].lower() == "online":
        return {"online": "true"}
    country = parts[-1]
    if not re.fullmatch(r"[A-Z]{2}", country) or len(parts) < 2:
        return None
    place: Document = {}
    if len(parts) >= 3:
        place["name"] = ", ".join(parts[:-2])
    place["city"] = parts[-2]
    place["country"] = country
    if geo is not None:
        place["coordinates"] = {"lat": repr(float(geo.latitude)), "lon": repr(float(geo.longitude))}
    return place


def _categories(component: Any) -> list[str]:
    values = component.get("CATEGORIES")
    if values is None:
        return []
    groups = values if isinstance(values, list) else [values]
    return [str(c) for group in groups for c in getattr(group, "cats", [group])]


def _partner_of(category: str, directory: Directory) -> str | None:
    wanted = category.strip().casefold()
    for partner in directory.partners.values():
        names = [partner.id, partner.short, partner.name]
        for text in (partner.names, partner.short_names):
            names += [text.de, text.en] if text else []
        if wanted in (n.casefold() for n in names):
            return partner.id
    return None


def _topic_of(category: str, directory: Directory) -> str | None:
    wanted = category.strip().casefold()
    for topic in directory.topics.values():
        if wanted in (topic.id, topic.label.de.casefold(), topic.label.en.casefold()):
            return topic.id
    return None


def _event_id(uid: str, summary: str, year: int, existing: Lookup) -> str:
    from .ical import UID_DOMAIN

    head, _, domain = uid.rpartition("@")
    ours = domain == UID_DOMAIN or existing(head) is not None
    if ours and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", head) and len(head) <= 80:
        return head
    words = slug(summary)[:60].rstrip("-")
    return words if words.endswith(str(year)) else f"{words}-{year}"
