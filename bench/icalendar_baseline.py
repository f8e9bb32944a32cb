"""The baseline for `export ics`: icalendar's own build and serialise of the same events.

    ruhrtimeline list --format json --store STORE > events.json
    python bench/icalendar_baseline.py events.json out.ics

It reads the listing (so that no YAML or validation is counted), builds one VEVENT an event
with the same properties and the same information as ruhrtimeline's export (the description
holds the summary, the partners, the topics and the numbered sources), adds them to one
Calendar and writes ``to_ical()``: the plainest use of the library.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event


def build(records: list[dict[str, Any]]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//baseline//EN")
    calendar.add("version", "2.0")
    for r in records:
        event = Event()
        event.add("uid", f"{r['id']}@ruhrtimeline")
        event.add(
            "dtstamp",
            datetime.combine(
                date.fromisoformat(str(r["updated"] or r["start"])), datetime.min.time(), tzinfo=UTC
            ),
        )
        if r["starts_at"] and r["timezone"]:
            zone = ZoneInfo(str(r["timezone"]))
            event.add("dtstart", datetime.fromisoformat(str(r["starts_at"])).astimezone(zone))
            event.add("dtend", datetime.fromisoformat(str(r["ends_at"])).astimezone(zone))
        else:
            event.add("dtstart", date.fromisoformat(str(r["start"])))
            event.add("dtend", date.fromisoformat(str(r["end"])) + timedelta(days=1))
        event.add("summary", r["title"]["en"])
        partners = "; ".join(str(p) for p in r["partners"])
        topics = ", ".join(str(t) for t in r["topics"])
        sources = "\n".join(
            f"{i}. {s['publisher']}: {s['title']}\n{s['url']}"
            for i, s in enumerate(r["sources"], 1)
        )
        event.add(
            "description",
            f"{r['summary']['en']}\n\nPartners: {partners}\n"
            f"Topics: {topics}\n\nSources:\n{sources}",
        )
        location = r["location"] or {}
        event.add(
            "location",
            ", ".join(
                str(v) for k, v in location.items() if k in ("name", "city", "country") and v
            ),
        )
        coordinates = location.get("coordinates")
        if coordinates:
            event.add("geo", (coordinates["lat"], coordinates["lon"]))
        event.add("last-modified", event.decoded("dtstamp"))
        event.add("url", r["sources"][0]["url"])
        event.add("categories", list(r["partners"]) + list(r["topics"]))
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        event.add("class", "PUBLIC")
        event.add("x-ruhrtimeline-edtf", r["date"])
        event.add("x-ruhrtimeline-precision", r["precision"])
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def main() -> None:
    records = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    Path(sys.argv[2]).write_bytes(build(records))


if __name__ == "__main__":
    main()
