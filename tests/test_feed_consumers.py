"""The feeds as real calendar software reads them.

The feed sets of the bundled store and of ``tests/data/valid/tricky.yaml`` (timed events in
five zones over four decades and across both changes of the clocks, points in time, seasons,
leap days, names and texts with ``, ; \\``, line breaks, Polish letters and emoji where lines
are folded) are read by icalendar, ical and vobject, and uploaded to a real Radicale CalDAV
server (tests/consumers.py).  Every consumer must agree with the store: each event of a feed
at the instants of `Event.starts_at`/`ends_at` (timed, a point in time ending as it starts)
or on the days `first` to `last` (all-day), its texts whole, the calendar's name whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote, urlsplit

import pytest

import consumers
from conftest import DATA
from consumers import (
    Moment,
    Radicale,
    calendar_names,
    physical_groups,
    private_tzids,
    read_all,
    read_texts,
    with_rfc_end,
)
from helpers import feed_files
from ics_check import check
from ruhrtimeline import Directory, Event, load_store
from ruhrtimeline.dates import Lang
from ruhrtimeline.ical import uid
from ruhrtimeline.locations import bundled_store_path
from ruhrtimeline.publish import FeedSet

radicale = consumers.radicale

BUILT = datetime(2026, 6, 1, 12, tzinfo=UTC)
STORES = {"bundled": bundled_store_path(), "tricky": DATA / "valid" / "tricky.yaml"}
LEFT_OUT = {"bundled": [], "tricky": ["topic-unused"]}
SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Feeds:
    """A store's feed set, built in memory, beside the store's own records."""

    store: str
    files: dict[str, bytes]
    events: dict[str, Event]  # by UID
    directory: Directory
    left_out: list[str]

    def members(self, name: str) -> set[str]:
        """The UIDs a feed must hold: all, or the events of its partner or topic."""
        stem = name.split(".")[0]
        kind, _, key = stem.partition("-")
        return {
            u
            for u, e in self.events.items()
            if kind == "all"
            or (kind == "partner" and key in e.partners)
            or (kind == "topic" and key in e.topics)
        }

    def calendars(self) -> Iterator[tuple[str, bytes]]:
        """Each language's feeds (``<name>.ics`` is a copy of ``<name>.en.ics``)."""
        for name, data in sorted(self.files.items()):
            if name.endswith((".de.ics", ".en.ics")):
                yield name, data


@functools.cache
def build(name: str) -> Feeds:
    """The store's feed set, once a test session (no cache: the store is read as it is)."""
    with load_store(STORES[name], use_cache=False) as store:
        feed_set = FeedSet(store, built=BUILT, pages={})
        files = feed_files(feed_set)
        return Feeds(
            name,
            files,
            {uid(e.id): e for e in store.events()},
            store.directory,
            feed_set.left_out,
        )


@pytest.fixture(params=sorted(STORES))
def feeds(request: pytest.FixtureRequest) -> Feeds:
    return build(request.param)


def expected(event: Event) -> tuple[Moment, Moment]:
    """Where the store puts an event: instants in UTC, or the days it covers (the default
    ``span`` of imprecise dates), the end exclusive."""
    starts_at, ends_at = event.starts_at, event.ends_at
    if starts_at is not None and ends_at is not None:
        return starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    return event.first, event.last + timedelta(days=1)


def test_every_feed_is_rfc_5545_and_holds_its_events(feeds: Feeds) -> None:
    assert feeds.left_out == LEFT_OUT[feeds.store]
    names = {n for n in feeds.files if n.endswith(".ics")}
    stems = {n.split(".")[0] for n in names}
    assert not stems & set(feeds.left_out)
    for name in sorted(names):
        data = feeds.files[name]
        found = check(data)
        assert "METHOD" not in found["VCALENDAR"][0]
        uids = {e["UID"] for e in found["VEVENT"]}
        assert uids and uids == feeds.members(name), name
        for event in found["VEVENT"]:
            stamp = datetime.strptime(event["DTSTAMP"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            assert stamp <= BUILT
        if name.count(".") == 1:
            assert data == feeds.files[name.replace(".ics", ".en.ics")]


def test_every_consumer_puts_every_event_where_the_store_does(feeds: Feeds) -> None:
    wrong: dict[str, list[object]] = {}
    for name, data in feeds.calendars():
        truth = {u: expected(feeds.events[u]) for u in feeds.members(name)}
        for reader, seen in read_all(data).items():
            got = {s.uid: (s.start, s.end) for s in map(with_rfc_end, seen)}
            if got != truth:
                wrong[f"{name} {reader}"] = [
                    (u, truth.get(u), got.get(u))
                    for u in sorted(truth.keys() | got.keys())
                    if truth.get(u) != got.get(u)
                ]
    assert wrong == {}


def readable(address: str) -> str:
    """A URI as the store wrote the address: the host decoded from IDNA, escapes undone."""
    host = urlsplit(address).hostname or ""
    return unquote(address.replace(host, host.encode("ascii").decode("idna"), 1))


def test_texts_come_out_whole_in_every_consumer(feeds: Feeds) -> None:
    wrong: list[tuple[str, str, str, str]] = []
    for lang in ("de", "en"):
        directory = feeds.directory
        for reader, texts in read_texts(feeds.files[f"all.{lang}.ics"]).items():
            assert texts.keys() == feeds.events.keys()
            for key, event in feeds.events.items():
                seen = texts[key]
                plain = event.precise and event.status == "held" and not event.approximate
                title = event.title[lang]
                if (seen.summary != title) if plain else not seen.summary.startswith(title):
                    wrong.append((reader, key, "SUMMARY", seen.summary))
                if not seen.description.startswith(event.summary[lang].strip()):
                    wrong.append((reader, key, "DESCRIPTION", seen.description))
                if seen.location != (event.place(lang, address=True) or None):
                    wrong.append((reader, key, "LOCATION", str(seen.location)))
                if readable(seen.url) != event.sources[0].url or not seen.url.isascii():
                    wrong.append((reader, key, "URL", seen.url))
                categories = tuple(directory.short(p, lang) for p in event.partners)
                categories += tuple(directory.topic_label(t, lang) for t in event.topics)
                # ical cannot read a category with a comma (tests/consumers.py)
                if seen.categories != categories and not (
                    reader == "ical" and any("," in c for c in categories)
                ):
                    wrong.append((reader, key, "CATEGORIES", repr(seen.categories)))
    assert wrong == []


def test_calendar_names_come_out_whole(feeds: Feeds) -> None:
    for lang in ("de", "en"):
        title = feeds.directory.title(lang)
        partner = next(iter(feeds.directory.partners.values()))
        named = {
            f"all.{lang}.ics": title,
            f"partner-{partner.id}.{lang}.ics": f"{title}: {partner.short_label(lang)}",
        }
        for name, full in named.items():
            assert calendar_names(feeds.files[name]) == {"ical": [full], "vobject": [full] * 2}


def test_the_tricky_titles_cross_the_folds() -> None:
    """The tricky store puts multi-byte characters where the SUMMARY line is folded: the
    folder must move each whole to the next line (ics_check: no line splits one)."""
    feeds = build("tricky")
    moved: set[tuple[int, int]] = set()  # (octets of the character, octets left on the line)
    for lang in ("de", "en"):
        folded = [g.split(b"\r\n ") for g in physical_groups(feeds.files[f"all.{lang}.ics"])]
        limit = max(len(lines[0]) for lines in folded if len(lines) > 1)  # the folder's
        for lines in folded:
            lead = lines[1][0] if len(lines) > 1 else 0
            if lines[0].startswith(b"SUMMARY:") and lead >= 0xC0:
                size = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2
                moved.add((size, limit - len(lines[0])))
    assert {(4, 1), (4, 2), (4, 3), (2, 1)} <= moved


# --- Radicale -----------------------------------------------------------------------------


def span(event: Event) -> tuple[datetime, datetime | None]:
    """An event as a CalDAV time range sees it: all-day dates are floating, which Radicale
    places in UTC (RFC 4791 9.9 leaves that to the server); a point has no end."""
    start, end = expected(event)
    if isinstance(start, datetime) and isinstance(end, datetime):
        return start, (end if end != start else None)
    assert isinstance(start, date) and isinstance(end, date)
    return (
        datetime.combine(start, time(), tzinfo=UTC),
        datetime.combine(end, time(), tzinfo=UTC),
    )


def overlaps(event: Event, low: datetime, high: datetime) -> bool:
    """RFC 4791 9.9: whether a VEVENT overlaps the time range [low, high)."""
    start, end = span(event)
    if end is None:
        return low <= start < high
    return start < high and end > low


def test_radicale_names_the_calendar_and_finds_each_event_at_its_instant(
    feeds: Feeds, radicale: Radicale
) -> None:
    """The whole feed is uploaded as a calendar (its TZIDs renamed, so that the server uses
    the feed's own VTIMEZONEs); one-second time ranges at both ends of every event find
    exactly the events that the store says are there."""
    lang: Lang = "en"
    feed = feeds.files[f"all.{lang}.ics"]
    collection = radicale.put_calendar(f"feeds-{feeds.store}", private_tzids(feed))
    assert radicale.display_name(collection) == feeds.directory.title(lang)
    if feeds.store == "tricky":
        partner = radicale.put_calendar("feeds-tricky-tp", feeds.files[f"partner-tp.{lang}.ics"])
        assert radicale.display_name(partner) == f"{feeds.directory.title(lang)}: T, P; \\ X"
    windows: set[tuple[datetime, datetime]] = set()
    for event in feeds.events.values():
        start, end = span(event)
        windows |= {(start - SECOND, start), (start, start + SECOND)}
        if end is not None:
            windows |= {(end - SECOND, end), (end, end + SECOND)}
    wrong = []
    for low, high in sorted(windows):
        truth = {u for u, e in feeds.events.items() if overlaps(e, low, high)}
        found = radicale.query(collection, low, high)
        if found != truth:
            wrong.append((low, sorted(found - truth), sorted(truth - found)))
    assert wrong == []


def test_the_tricky_store_holds_what_it_promises() -> None:
    """A guard against edits that would quietly make the tests above easier."""
    events = list(build("tricky").events.values())
    timed = [e for e in events if e.timezone]
    assert {e.timezone for e in timed} == {
        "Europe/Berlin",
        "Europe/London",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
    }
    assert max(e.first.year for e in timed) - min(e.first.year for e in timed) >= 40
    assert len([e for e in timed if e.date.end is None]) >= 3  # points in time
    real_vs_wall = set()
    for event in timed:
        start, end = event.starts_at, event.ends_at
        assert start is not None and end is not None
        real = end.astimezone(UTC) - start.astimezone(UTC)
        real_vs_wall.add((real > end - start) - (real < end - start))  # same zone: wall time
    assert real_vs_wall == {-1, 0, 1}  # across spring and autumn changes, and neither
    assert {e.precision for e in events} == {"year", "season", "month", "day", "time"}
    days = {d for e in events for d in (e.first, e.last)}
    assert {date(2000, 2, 29), date(2020, 2, 29), date(2024, 2, 29)} <= days
    assert any(e.first.year != e.last.year for e in timed)
    assert "T, P; \\ X" in {p.name for p in build("tricky").directory.partners.values()}
