"""Machine-readable listings: JSON, CSV and Markdown for events, partners and topics."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .store import EventRecord

EVENT_CSV_FIELDS = (
    "id",
    "date",
    "start",
    "end",
    "precision",
    "approximate",
    "uncertain",
    "timezone",
    "starts_at",
    "ends_at",
    "status",
    "title_de",
    "title_en",
    "summary_de",
    "summary_en",
    "partners",
    "topics",
    "location_name",
    "address",
    "city",
    "region",
    "country",
    "lat",
    "lon",
    "online",
    "people",
    "source_urls",
    "updated",
)


def events_json(texts: Sequence[str]) -> str:
    """A JSON array with one event object a line, from the stored JSON texts."""
    if not texts:
        return "[]\n"
    return "[\n" + ",\n".join(texts) + "\n]\n"


def records_json(records: Iterable[Any]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def event_csv_row(r: EventRecord) -> dict[str, str]:
    location = r["location"] or {}
    coords = location.get("coordinates") or {}
    return {
        "id": r["id"],
        "date": r["date"],
        "start": r["start"],
        "end": r["end"],
        "precision": r["precision"],
        "approximate": _bool(r["approximate"]),
        "uncertain": _bool(r["uncertain"]),
        "timezone": r["timezone"] or "",
        "starts_at": r["starts_at"] or "",
        "ends_at": r["ends_at"] or "",
        "status": r["status"],
        "title_de": r["title"]["de"],
        "title_en": r["title"]["en"],
        "summary_de": r["summary"]["de"],
        "summary_en": r["summary"]["en"],
        "partners": " ".join(r["partners"]),
        "topics": " ".join(r["topics"]),
        "location_name": location.get("name") or "",
        "address": location.get("address") or "",
        "city": location.get("city") or "",
        "region": location.get("region") or "",
        "country": location.get("country") or "",
        "lat": str(coords["lat"]) if coords else "",
        "lon": str(coords["lon"]) if coords else "",
        "online": _bool(bool(location.get("online"))),
        "people": "; ".join(p["name"] for p in r["people"]),
        "source_urls": " ".join(s["url"] for s in r["sources"]),
        "updated": r["updated"] or "",
    }


def csv_text(fields: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    """CSV (RFC 4180: comma, double quotes, CRLF line ends), with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def events_csv(records: Iterable[EventRecord]) -> str:
    return csv_text(EVENT_CSV_FIELDS, (event_csv_row(r) for r in records))


PARTNER_CSV_FIELDS = (
    "id",
    "name",
    "name_de",
    "name_en",
    "short",
    "kind",
    "country",
    "website",
    "events",
    "first",
    "last",
)
TOPIC_CSV_FIELDS = ("id", "label_de", "label_en", "events", "first", "last")


def partners_csv(partners: Iterable[dict[str, Any]]) -> str:
    rows = []
    for p in partners:
        names = p.get("names") or {}
        rows.append(
            {
                "id": p["id"],
                "name": p["name"],
                "name_de": names.get("de", p["name"]),
                "name_en": names.get("en", p["name"]),
                "short": p["short"],
                "kind": p["kind"],
                "country": p["country"],
                "website": p.get("website") or "",
                "events": str(p["events"]),
                "first": p["first"] or "",
                "last": p["last"] or "",
            }
        )
    return csv_text(PARTNER_CSV_FIELDS, rows)


def topics_csv(topics: Iterable[dict[str, Any]]) -> str:
    rows = [
        {
            "id": t["id"],
            "label_de": t["label"]["de"],
            "label_en": t["label"]["en"],
            "events": str(t["events"]),
            "first": t["first"] or "",
            "last": t["last"] or "",
        }
        for t in topics
    ]
    return csv_text(TOPIC_CSV_FIELDS, rows)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_escape(text: str) -> str:
    """Escape Markdown syntax so that any text renders as written, on one line."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(md_escape(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
