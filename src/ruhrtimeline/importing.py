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
from datetime import date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from .dates import DateError, Lang, parse_edtf
from .errors import UnreadableInput
from .files import slug
from .i18n import word
from .ical import UID_DOMAIN, summary_notes
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
    """The JSON of ``list --format json`` (an array of events, or one event).  A field that
    is there but empty (``"topics": []``, ``"location": null``) takes it out of the event."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise UnreadableInput(f"not JSON: {exc.msg} ({where})") from None
    items = data if isinstance(data, list) else [data]
    draft = Draft()
    for number, item in enumerate(items, 1):
        try:
            doc = _json_event(item, draft.notes)
        except (AttributeError, TypeError, ValueError, KeyError):
            raise UnreadableInput(
                f"item {number} is not an event as a JSON listing writes it"
            ) from None
        draft.documents.append(_kept(doc, existing(doc["id"])))
    return draft


def _json_event(item: Any, notes: list[str]) -> Document:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise TypeError
    texts = {key: item.get(key) or {} for key in ("title", "summary")}
    if not all(isinstance(t, dict) for t in texts.values()):
        raise TypeError
    doc: Document = {"id": item["id"], "date": item.get("date")}
    if "timezone" in item:
        doc["timezone"] = item["timezone"] or None
    doc["status"] = item.get("status") or "held"
    doc["title"] = _both(texts["title"], "the title", item["id"], notes)
    doc["summary"] = _both(texts["summary"], "the summary", item["id"], notes)
    if "location" in item:
        location = item["location"] or {}
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
    doc["partners"] = _id_list(item.get("partners"))
    if "topics" in item:
        doc["topics"] = _id_list(item["topics"])
    if "people" in item:
        doc["people"] = [
            {"name": p["name"], **({"role": p["role"]} if p.get("role") else {})}
            for p in item["people"] or []
            if isinstance(p, dict) and p.get("name")
        ]
    doc["sources"] = [
        {k: s[k] for k in ("url", "publisher", "title", "date", "language") if s.get(k)}
        for s in item.get("sources") or []
        if isinstance(s, dict)
    ]
    if item.get("updated"):
        doc["updated"] = item["updated"]
    return doc


def _id_list(value: object) -> list[str]:
    """Ids as a list, or a text of ids ("rvr, gzm")."""
    if isinstance(value, str):
        return _ids(value)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError
    return [v.lower() for v in value]


def decoded(data: bytes) -> tuple[str, str | None]:
    """A text file's text, and a note where it is not UTF-8 (then it is read as Windows-1252,
    what spreadsheet programs on Windows write)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        note = "the file is not UTF-8; it was read as Windows-1252 (save it as CSV UTF-8)"
        return data.decode("cp1252", errors="replace"), note


def read_csv(text: str, existing: Lookup, fallback_language: Lang = "en") -> Draft:
    """The CSV of ``list --format csv`` (a spreadsheet round trip), with commas or (as German
    spreadsheets write it) semicolons.  People are names only and sources addresses only
    there: where the store has them, their roles, titles and publishers are kept.  A row
    without an id is a new event (its id is made as ``add event`` makes one)."""
    draft = Draft()
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not rows.fieldnames or "id" not in rows.fieldnames or "date" not in rows.fieldnames:
        raise UnreadableInput("not the CSV of a listing: it needs the columns id and date")
    for number, raw in enumerate(rows, 2):
        row = {k: _cell(v) for k, v in raw.items() if isinstance(k, str)}
        if not any(row.values()):
            continue  # an empty line
        event_id = row.get("id", "").lower()
        name = event_id or f"line {number}"
        old = existing(event_id) if event_id else None
        doc: Document = {"id": event_id, "date": row.get("date", "")}
        _moved_bounds(doc["date"], row, name, draft.notes)
        if "timezone" in row:  # an empty cell takes it out
            doc["timezone"] = row["timezone"] or None
        doc["status"] = (row.get("status") or "held").lower()
        title = {"de": row.get("title_de"), "en": row.get("title_en")}
        summary = {"de": row.get("summary_de"), "en": row.get("summary_en")}
        doc["title"] = _both(title, "the title", name, draft.notes)
        doc["summary"] = _both(summary, "the summary", name, draft.notes)
        if doc["summary"] is None and doc["title"] is not None:
            doc["summary"] = dict(doc["title"])
            draft.notes.append(f"{name}: no summary given; the title stands for it")
        place = {k: _name(row[c]) for k, c in _PLACE_COLUMNS if row.get(c)}
        if "country" in place and isinstance(place["country"], str):
            place["country"] = place["country"].upper()
        if row.get("lat") and row.get("lon"):
            place["coordinates"] = {"lat": row["lat"], "lon": row["lon"]}
        if row.get("online", "").lower() == "true":
            place["online"] = "true"
        if place or any(column in row for _, column in _PLACE_COLUMNS):
            doc["location"] = place
        doc["partners"] = _ids(row.get("partners", ""))
        if "topics" in row:
            doc["topics"] = _ids(row["topics"])
        if "people" in row:
            names = [n.strip() for n in row["people"].split(";") if n.strip()]
            old_people = {p["name"]: p for p in (old or {}).get("people", [])}
            doc["people"] = [old_people.get(n, {"name": n}) for n in names]
        old_sources = {s["url"]: s for s in (old or {}).get("sources", [])}
        doc["sources"] = [
            old_sources.get(url) or source_document(url, fallback_language=fallback_language)
            for url in row.get("source_urls", "").split()
        ]
        if row.get("updated"):
            doc["updated"] = row["updated"]
        draft.documents.append(_kept(doc, old))
    return draft


def _cell(value: object) -> str:
    # Spreadsheets on Windows end lines inside a cell with CR LF.
    text = value if isinstance(value, str) else ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _ids(text: str) -> list[str]:
    """Ids as a spreadsheet cell may hold them: "rvr gzm", "rvr, gzm", "RVR;GZM"."""
    return [part.lower() for part in re.split(r"[\s,;]+", text) if part]


def _moved_bounds(date_text: str, row: Mapping[str, str], name: str, notes: list[str]) -> None:
    """A note where the start or end column was changed: they follow from the date."""
    try:
        parsed = parse_edtf(date_text)
    except DateError:
        return
    for column, day in (("start", parsed.first), ("end", parsed.last)):
        if row.get(column) and row[column] != day.isoformat():
            notes.append(
                f"{name}: the {column} column follows from the date ({day.isoformat()}); "
                "change the date instead"
            )


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
    by_uid: Callable[[str], str | None] = lambda uid: None,
) -> Draft:
    """Events of an iCalendar file (an invitation or a whole calendar) in ``lang``.

    The event id is the part of a ``UID`` before ``@ruhrtimeline`` (as the feeds write it) or
    before any ``@`` where that is an id of the store; else that of the event imported from
    the same ``UID`` before (``by_uid``: an updated invitation changes its event), else one
    made from the summary and the year, and the event keeps the ``UID``.  Dates keep their
    precision: the EDTF date a feed of ours carries, else the days of an all-day event, else
    the local time and zone of a timed one."""
    from icalendar import Calendar

    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError) as exc:
        raise UnreadableInput(f"not an iCalendar file: {exc}") from None
    begun = len(re.findall(rb"(?im)^BEGIN:VEVENT\s*$", data))
    ended = len(re.findall(rb"(?im)^END:VEVENT\s*$", data))
    if begun != ended:  # a file cut short, which the reader would take as far as it goes
        raise UnreadableInput(
            f"not a complete iCalendar file: {begun} events begin and {ended} end"
        )
    draft = Draft()
    taken: set[str] = set()  # the ids of this file's events so far
    for calendar in calendars:
        named = str(calendar.get("X-WR-TIMEZONE") or "")
        default_zone = _iana(named) if named else None
        for component in calendar.walk("VEVENT"):
            said = _language(component) or lang  # SUMMARY;LANGUAGE=de-DE says which
            other: Lang = "de" if said == "en" else "en"
            doc = _ics_event(
                component, directory, existing, by_uid, said, default_zone, draft.notes, taken
            )
            if doc is None:
                continue
            old = existing(doc["id"])
            if old is not None:  # keep the other language's texts of the store
                for key in ("title", "summary"):
                    doc[key] = {**old.get(key, {}), said: doc[key][said]}
                _keep_what_the_feed_shortens(doc, old, str(component.get("LOCATION") or ""), said)
            else:
                for key in ("title", "summary"):
                    doc[key][other] = doc[key][said]
                draft.notes.append(
                    f"{doc['id']}: title and summary are in {said} only; copied into {other}"
                )
            for key in ("title", "summary"):
                doc[key] = {"de": doc[key]["de"], "en": doc[key]["en"]}
            draft.documents.append(_kept(doc, old))
    return draft


def _language(component: Any) -> Lang | None:
    """The language the SUMMARY says it is in, where it is German or English."""
    summary = component.get("SUMMARY")
    code = str(getattr(summary, "params", {}).get("LANGUAGE", "")).lower()[:2]
    return "de" if code == "de" else "en" if code == "en" else None


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
    by_uid: Callable[[str], str | None],
    lang: Lang,
    zone: str | None,
    notes: list[str],
    taken: set[str],
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
        summary = summary.removesuffix(summary_notes(parsed, status, lang))
    known = _store_id(uid, existing)
    foreign = known is None
    event_id = known or by_uid(uid) or _new_id(summary, parsed.first.year, existing, taken)
    taken.add(event_id)
    description = str(component.get("DESCRIPTION") or "").strip()
    if edtf is not None:  # our own feed: the summary, then the partners and more
        description = description.rsplit(f"\n\n{word('partners', lang)}: ", 1)[0]
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
    if foreign and uid:
        doc["uid"] = uid
    if component.get("RRULE") is not None:
        notes.append(f"{event_id}: it repeats; only its first date was taken")
    return doc


def _ics_date(
    component: Any, start: Any, edtf: str | None, zone: str | None, notes: list[str], name: str
) -> tuple[str, str | None]:
    if edtf is not None:  # our own feed: the date as the store has it, and its zone
        tzid = component["DTSTART"].params.get("TZID") if isinstance(start, datetime) else None
        return edtf, _iana(str(tzid)) if tzid else None
    end = component.decoded("DTEND", None)
    if end is None and component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    if not isinstance(start, datetime):  # all-day: DTEND is the day after the last
        last = (end - timedelta(days=1)) if isinstance(end, date) and end > start else start
        return (
            start.isoformat() if last == start else f"{start.isoformat()}/{last.isoformat()}"
        ), None
    timezone: str | None
    if start.tzinfo is None:
        timezone = zone or "UTC"
        notes.append(f"{name}: a time without a zone, read as {timezone}")
    else:
        tzid = component["DTSTART"].params.get("TZID")
        timezone = _iana(str(tzid)) if tzid else getattr(start.tzinfo, "key", None)
        if timezone in (None, "UTC", "Etc/UTC") and start.utcoffset() == timedelta(0):
            timezone = zone or "UTC"  # Google writes UTC times and names the zone apart
        if timezone is None:
            notes.append(f"{name}: the time zone {tzid!r} is not known; written in UTC")
            timezone = "UTC"
    from zoneinfo import ZoneInfo

    local_zone = ZoneInfo(timezone)
    if start.tzinfo is None:
        start = start.replace(tzinfo=local_zone)
        end = end.replace(tzinfo=local_zone) if isinstance(end, datetime) else end
    start = start.astimezone(local_zone)
    text = _local(start)
    if isinstance(end, datetime) and end != start:
        if end.tzinfo is None:
            end = end.replace(tzinfo=local_zone)
        text = f"{text}/{_local(end.astimezone(local_zone))}"
    return text, timezone


def _iana(tzid: str) -> str | None:
    """The IANA name of an iCalendar TZID: itself, a Windows name (Outlook's "W. Europe
    Standard Time"), or a "globally unique" one ending in an IANA name ("/mozilla.org/…/
    Europe/Berlin")."""
    from zoneinfo import available_timezones

    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    known = available_timezones()
    cleaned = tzid.strip().strip("/")
    if cleaned in known:
        return cleaned
    if cleaned in WINDOWS_TO_OLSON:
        return str(WINDOWS_TO_OLSON[cleaned])
    parts = cleaned.split("/")
    tails = ("/".join(parts[i:]) for i in range(1, len(parts)))
    return next((tail for tail in tails if tail in known), None)


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


def _store_id(uid: str, existing: Lookup) -> str | None:
    """The store's id that a UID names: ``ID@ruhrtimeline`` (as the feeds write it), or
    ``ID@…`` where ID is an event of the store; else None (an entry of other software)."""
    head, _, domain = uid.rpartition("@")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", head) or len(head) > 80:
        return None
    return head if domain == UID_DOMAIN or existing(head) is not None else None


def _new_id(summary: str, year: int, existing: Lookup, taken: set[str]) -> str:
    """An id for an event new to the store, from its summary and year, that no event of the
    store or of this file has."""
    words = slug(summary)[:60].rstrip("-")
    words = "event" if words == "x" else words
    base = words if words.endswith(str(year)) else f"{words}-{year}"
    candidate, number = base, 2
    while candidate in taken or existing(candidate) is not None:
        candidate, number = f"{base}-{number}", number + 1
    return candidate
