"""Small stores written on the fly, and golden-file comparison."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ruhrtimeline.publish import FeedSet

GOLDEN = Path(__file__).parent / "golden"

PARTNERS = [
    {
        "id": "rvr",
        "name": "Regionalverband Ruhr",
        "short": "RVR",
        "kind": "regional-authority",
        "country": "DE",
    },
    {
        "id": "gzm",
        "name": "Górnośląsko-Zagłębiowska Metropolia",
        "short": "GZM",
        "kind": "metropolitan-authority",
        "country": "PL",
    },
    {
        "id": "gmca",
        "name": "Greater Manchester Combined Authority",
        "short": "GMCA",
        "kind": "regional-authority",
        "country": "GB",
    },
]
TOPICS = [
    {"id": "youth", "label": {"de": "Jugend", "en": "Youth"}},
    {"id": "mobility", "label": {"de": "Mobilität", "en": "Mobility"}},
]


def event(
    event_id: str, date: str, partners: list[str] | None = None, **extra: object
) -> dict[str, object]:
    base: dict[str, object] = {
        "id": event_id,
        "date": date,
        "title": {"de": f"Titel {event_id}", "en": f"Title {event_id}"},
        "summary": {"de": f"Text {event_id}", "en": f"Text {event_id}"},
        "location": {"city": "Essen", "country": "DE"},
        "partners": partners or ["rvr"],
        "topics": ["youth"],
        "sources": [
            {
                "url": f"https://example.org/{event_id}",
                "publisher": "Example",
                "title": "A page",
                "language": "en",
            }
        ],
    }
    base.update(extra)
    return base


def write_store(
    path: Path,
    events: list[dict[str, object]],
    partners: list[dict[str, object]] | None = None,
    topics: list[dict[str, object]] | None = None,
    **header: object,
) -> Path:
    document = {
        "version": 1,
        **header,
        "partners": partners or PARTNERS,
        "topics": topics or TOPICS,
        "events": events,
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def golden(name: str, actual: str | bytes) -> None:
    """Compare with tests/golden/NAME; ``UPDATE_GOLDEN=1`` rewrites the file instead."""
    path = GOLDEN / name
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    expected = path.read_bytes()
    assert data == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"


def feed_files(feed_set: FeedSet) -> dict[str, bytes]:
    """Every file of a feed set, by name, as bytes."""
    files: dict[str, bytes] = {}
    for name, data in feed_set.files():
        if isinstance(data, str):
            files[name] = data.encode("utf-8")
        else:
            files[name] = data if isinstance(data, bytes) else b"".join(data)
    return files
