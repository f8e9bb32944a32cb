"""Generate large, realistic, valid stores for the benchmarks (seeded: the same bytes each time).

    python bench/generate.py 10000 -o bench/stores/events-10k.yaml

Every event has German and English titles and summaries of realistic length, a place, one to
four partners, one to three topics, people, one to three sources and an update date, and the
dates use every form of the EDTF subset: years, seasons, months, days, local times with a time
zone, intervals of each, and the qualifiers ~ and ?.  About 1.1 KB an event (100,000 events:
about 110 MB of YAML).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

CITIES = [
    ("Essen", "DE", 51.4556, 7.0116),
    ("Katowice", "PL", 50.2649, 19.0238),
    ("Manchester", "GB", 53.4808, -2.2426),
    ("Düsseldorf", "DE", 51.2277, 6.7735),
    ("Brussels", "BE", 50.8503, 4.3517),
    ("Bochum", "DE", 51.4818, 7.2162),
    ("Dortmund", "DE", 51.5136, 7.4653),
    ("Gliwice", "PL", 50.2945, 18.6714),
    ("Durham", "GB", 54.7761, -1.5733),
    ("Pittsburgh", "US", 40.4406, -79.9959),
    ("Tel Aviv", "IL", 32.0853, 34.7818),
    ("Tsukuba", "JP", 36.0835, 140.0764),
]
ZONES = {
    "DE": "Europe/Berlin",
    "PL": "Europe/Warsaw",
    "GB": "Europe/London",
    "BE": "Europe/Brussels",
    "US": "America/New_York",
    "IL": "Asia/Jerusalem",
    "JP": "Asia/Tokyo",
}
WORDS_DE = (
    "Strukturwandel Partnerschaft Metropole Region Zusammenarbeit Mobilität Klima "
    "Jugend Forschung Innovation Flächen Revitalisierung Austausch Delegation Workshop "
    "Konferenz Förderung Wirtschaft Kultur Europa Grün Infrastruktur Bildung"
).split()
WORDS_EN = (
    "structural change partnership metropolis region cooperation mobility climate "
    "youth research innovation land revitalisation exchange delegation workshop "
    "conference funding economy culture Europe green infrastructure education"
).split()
KINDS = [
    "city",
    "company",
    "metropolitan-authority",
    "network",
    "region",
    "regional-authority",
    "state-government",
    "university",
]


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:]


def _date(rng: random.Random, year: int) -> tuple[str, bool]:
    """An EDTF date of any supported form; True when it has a time."""
    month, day = rng.randint(1, 12), rng.randint(1, 25)
    form = rng.choices(
        [
            "day",
            "month",
            "days",
            "time",
            "times",
            "year",
            "season",
            "months",
            "approx",
            "uncertain",
        ],
        weights=[30, 20, 12, 8, 4, 4, 5, 7, 6, 4],
    )[0]
    if form == "day":
        return f"{year}-{month:02d}-{day:02d}", False
    if form == "month":
        return f"{year}-{month:02d}", False
    if form == "days":
        return (
            f"{year}-{month:02d}-{day:02d}/{year}-{month:02d}-{day + rng.randint(0, 3):02d}",
            False,
        )
    if form == "time":
        return (
            f"{year}-{month:02d}-{day:02d}T{rng.randint(8, 17):02d}:{rng.choice(['00', '30'])}",
            True,
        )
    if form == "times":
        hour = rng.randint(8, 15)
        return (
            f"{year}-{month:02d}-{day:02d}T{hour:02d}:00/"
            f"{year}-{month:02d}-{day:02d}T{hour + 2:02d}:30"
        ), True
    if form == "year":
        return str(year), False
    if form == "season":
        return f"{year}-{rng.randint(21, 24)}", False
    if form == "months":
        end = min(12, month + rng.randint(1, 5))
        return f"{year}-{month:02d}/{year}-{end:02d}", False
    if form == "approx":
        return f"{year}-{month:02d}~/{year}-{min(12, month + 3):02d}~", False
    return f"{year}-{month:02d}?", False


def generate(count: int, seed: int = 2026) -> str:
    rng = random.Random(seed)
    partners = [
        {
            "id": f"partner-{i}",
            "name": f"Partnerorganisation {i} Górnośląsko",
            "names": {"de": f"Partner {i}", "en": f"Partner {i}"},
            "short": f"P{i}",
            "kind": rng.choice(KINDS),
            "country": rng.choice(CITIES)[1],
            "website": f"https://partner-{i}.example.org/",
        }
        for i in range(40)
    ]
    topics = [
        {"id": f"topic-{i}", "label": {"de": f"Thema {i}", "en": f"Topic {i}"}} for i in range(30)
    ]
    events = []
    for i in range(count):
        year = rng.randint(1990, 2030)
        date, timed = _date(rng, year)
        city, country, lat, lon = rng.choice(CITIES)
        event = {
            "id": f"event-{i:06d}",
            "date": date,
            "status": rng.choices(["held", "planned", "cancelled"], weights=[90, 8, 2])[0],
            "title": {"de": _sentence(rng, WORDS_DE, 7), "en": _sentence(rng, WORDS_EN, 7)},
            "summary": {
                "de": _sentence(rng, WORDS_DE, 14) + ".",
                "en": _sentence(rng, WORDS_EN, 14) + ".",
            },
            "location": {
                "name": f"Zentrum {rng.randint(1, 99)}",
                "city": city,
                "country": country,
                "coordinates": {
                    "lat": round(lat + rng.uniform(-0.05, 0.05), 4),
                    "lon": round(lon + rng.uniform(-0.05, 0.05), 4),
                },
            },
            "partners": rng.sample([p["id"] for p in partners], rng.randint(1, 4)),
            "topics": rng.sample([t["id"] for t in topics], rng.randint(1, 3)),
            "people": [
                {
                    "name": f"Person {rng.randint(1, 999)}",
                    "role": {"de": "Direktorin", "en": "Director"},
                }
                for _ in range(rng.randint(0, 2))
            ],
            "sources": [
                {
                    "url": f"https://news.example.org/{year}/{i}-{k}",
                    "publisher": "Example News",
                    "title": _sentence(rng, WORDS_DE, 5),
                    "language": rng.choice(["de", "en", "pl"]),
                }
                for k in range(rng.randint(1, 3))
            ],
            "updated": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        }
        if timed:
            event["timezone"] = ZONES[country]
        events.append(event)
    document = {"version": 1, "partners": partners, "topics": topics, "events": events}
    return yaml.dump(
        document,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        allow_unicode=True,
        sort_keys=False,
        width=120,
        default_flow_style=None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    text = generate(args.count, args.seed)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
