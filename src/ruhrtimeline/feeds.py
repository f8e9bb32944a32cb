"""The set of feeds: all events, one feed per partner and per topic, in each language, and an
index page that says how to subscribe.

File names (a contract): ``all.ics``, ``partner-<id>.ics``, ``topic-<id>.ics``, each also as
``<name>.de.ics`` and ``<name>.en.ics``, and ``index.html``.  Names are slugs, so nothing can
land outside the folder.

Each event's VEVENT is built once per language and reused in every feed that holds it; the
feeds are assembled from those pieces and written one at a time, so that even a store of
100,000 events never sits in memory as a whole feed set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .dates import Lang
from .errors import UsageError
from .files import Data, inside, slug, write_if_changed
from .i18n import LANGS, Names
from .ical import IMPRECISE_DEFAULT, FeedInfo, FeedWriter, Imprecise, Zones, export_info
from .query import EventFilter
from .store import Store

# The files a feed set may contain; `serve` answers for these names only.
FEED_FILE = re.compile(r"^(all|partner-[a-z0-9-]+|topic-[a-z0-9-]+)(\.(de|en))?\.ics$")
PAGE_FILE = re.compile(r"^(index|timeline)\.html$")


@dataclass(frozen=True)
class FeedEntry:
    stem: str  # "all", "partner-gzm", "topic-youth"
    kind: str  # "all", "partner" or "topic"
    titles: dict[str, str]  # by language
    count: int


@dataclass
class FeedSet:
    """A feed set held in memory (for `serve`), by file name."""

    files: dict[str, bytes]
    entries: list[FeedEntry]
    default_lang: Lang


def check_base_url(base_url: str | None) -> str | None:
    """A published folder's address, ending in "/"; http(s) only."""
    if base_url is None:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--base-url {base_url!r}: give an http(s) address such as https://example.org/feeds/"
        )
    return base_url if base_url.endswith("/") else base_url + "/"


class FeedSetBuilder:
    """Plans the set from the index (ids only), then yields its files one by one."""

    def __init__(
        self,
        store: Store,
        *,
        lang: Lang | None = None,
        imprecise: Imprecise = IMPRECISE_DEFAULT,
        base_url: str | None = None,
        pages: dict[str, bytes] | None = None,
    ) -> None:
        self.store = store
        self.single = lang is not None
        self.languages: tuple[Lang, ...] = (lang,) if lang else LANGS
        self.default: Lang = lang or "en"
        self.imprecise = imprecise
        self.base_url = check_base_url(base_url)
        self.pages = pages or {}
        self.names = Names(store.partner_map(), store.topic_map())
        by_partner = store.memberships("partner")
        by_topic = store.memberships("topic")
        self.groups: list[
            tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, list[str]]
        ] = [("all", "all", None, None, store.selected_ids())]
        self.groups += [
            (f"partner-{slug(p)}", "partner", record, None, by_partner.get(p, []))
            for p, record in self.names.partners.items()
        ]
        self.groups += [
            (f"topic-{slug(t)}", "topic", None, record, by_topic.get(t, []))
            for t, record in self.names.topics.items()
        ]
        self.zones = store.time_zones()
        self.entries: list[FeedEntry] = []

    def _zones(self, ids: Iterable[str]) -> Zones:
        spans: Zones = {}
        for event_id in ids:
            found = self.zones.get(event_id)
            if found:
                name, first, last = found
                low, high = spans.get(name, (first, last))
                spans[name] = (min(low, first), max(high, last))
        return spans

    def file_name(self, stem: str, lang: Lang) -> str:
        return f"{stem}.ics" if self.single else f"{stem}.{lang}.ics"

    def files(self) -> Iterator[tuple[str, Data]]:
        """(name, content) for every file of the set, the index last."""
        titles: dict[str, dict[str, str]] = {stem: {} for stem, *_ in self.groups}
        counts: dict[str, int] = {}
        for code in self.languages:
            writer = FeedWriter(self.names, code, self.imprecise)
            for record in self.store.iter_events():
                writer.add(record)
            for stem, _, partner, topic, ids in self.groups:
                included = writer.included(ids)
                counts[stem] = len(included)
                name = self.file_name(stem, code)
                source = f"{self.base_url}{name}" if self.base_url else None
                info = export_info(code, partner, topic, len(included), source, self.imprecise)
                titles[stem][code] = info.name
                zones = self._zones(included)
                yield name, writer.chunks(included, info, zones)
                if not self.single and code == self.default:
                    yield f"{stem}.ics", writer.chunks(included, info, zones)
            del writer  # one language's events at a time
        self.entries = [
            FeedEntry(stem, kind, titles[stem], counts[stem]) for stem, kind, *_ in self.groups
        ]
        yield from self.pages.items()
        yield "index.html", self.index_page()

    def index_page(self) -> str:
        """The page that lists every feed with subscribe and download links, in both
        languages."""
        from .templates import render

        rows = []
        for entry in self.entries:
            links = []
            for code in self.languages:
                name = self.file_name(entry.stem, code)
                https = f"{self.base_url}{name}" if self.base_url else None
                webcal = "webcal://" + https.split("://", 1)[1] if https else None
                links.append({"lang": code, "file": name, "https": https, "webcal": webcal})
            rows.append({"entry": entry, "links": links})
        return render(
            "feeds.html",
            rows=rows,
            base_url=self.base_url,
            version=__version__,
            has_timeline="timeline.html" in self.pages,
        )


def build_feed_set(
    store: Store,
    *,
    lang: Lang | None = None,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    base_url: str | None = None,
    pages: dict[str, bytes] | None = None,
) -> FeedSet:
    """The whole set in memory (for `serve` and for tests)."""
    builder = FeedSetBuilder(store, lang=lang, imprecise=imprecise, base_url=base_url, pages=pages)
    files = {}
    for name, data in builder.files():
        files[name] = (
            data.encode("utf-8")
            if isinstance(data, str)
            else data
            if isinstance(data, bytes)
            else b"".join(data)
        )
    return FeedSet(files, builder.entries, builder.default)


def write_files(files: Iterable[tuple[str, Data]], directory: Path) -> list[tuple[str, bool]]:
    """Write files into ``directory`` (atomically, unchanged files untouched) and remove the
    feeds of an earlier build that are gone.  Returns (name, written) pairs."""
    if not directory.is_dir():
        if directory.exists():
            raise UsageError(f"{directory} is not a folder")
        directory.mkdir(parents=True)
    results = []
    for name, data in files:
        target = inside(directory, name)  # checked before anything is written
        results.append((name, write_if_changed(target, data)))
    written = {name for name, _ in results}
    for stale in sorted(directory.iterdir()):
        if FEED_FILE.match(stale.name) and stale.name not in written:
            stale.unlink()
            results.append((stale.name, True))
    return results


def write_feed_set(feed_set: FeedSet | FeedSetBuilder, directory: Path) -> list[tuple[str, bool]]:
    files = feed_set.files.items() if isinstance(feed_set, FeedSet) else feed_set.files()
    return write_files(files, directory)


def info_for(
    store: Store, flt: EventFilter, lang: Lang, count: int, imprecise: Imprecise
) -> FeedInfo:
    """Name a feed after a single partner or topic filter, else as the whole record."""
    partner = store.partner_map()[flt.partners[0]] if len(flt.partners) == 1 else None
    topic = store.topic_map()[flt.topics[0]] if len(flt.topics) == 1 and partner is None else None
    return export_info(lang, partner, topic, count, None, imprecise)
