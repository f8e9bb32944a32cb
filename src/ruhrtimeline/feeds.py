"""The set of feeds: all events, one feed per partner and per topic, in each language, and an
index page that says how to subscribe.

File names (a contract): ``all.ics``, ``partner-<id>.ics``, ``topic-<id>.ics``, each also as
``<name>.de.ics`` and ``<name>.en.ics``, and ``index.html``.  Names are slugs, so nothing can
land outside the folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .dates import Lang
from .errors import UsageError
from .files import inside, slug, write_if_changed
from .i18n import LANGS, Names
from .ical import IMPRECISE_DEFAULT, FeedInfo, FeedWriter, Imprecise, export_info
from .query import EventFilter
from .store import EventRecord, Store

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
    """The files of a feed set, by name, and what the index lists."""

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


def build_feed_set(
    store: Store,
    *,
    lang: Lang | None = None,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    base_url: str | None = None,
    pages: dict[str, bytes] | None = None,
) -> FeedSet:
    """Build every feed in memory: one VEVENT per event and language, reused in each feed."""
    base_url = check_base_url(base_url)
    names = Names(store.partner_map(), store.topic_map())
    records = store.events()
    by_partner: dict[str, list[EventRecord]] = {p: [] for p in names.partners}
    by_topic: dict[str, list[EventRecord]] = {t: [] for t in names.topics}
    for record in records:
        for partner_id in record["partners"]:
            by_partner.setdefault(partner_id, []).append(record)
        for topic_id in record["topics"]:
            by_topic.setdefault(topic_id, []).append(record)

    groups: list[
        tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, list[EventRecord]]
    ] = [("all", "all", None, None, records)]
    groups += [
        (f"partner-{slug(p)}", "partner", names.partners[p], None, items)
        for p, items in by_partner.items()
    ]
    groups += [
        (f"topic-{slug(t)}", "topic", None, names.topics[t], items) for t, items in by_topic.items()
    ]

    languages: tuple[Lang, ...] = (lang,) if lang else LANGS
    default: Lang = lang or "en"
    files: dict[str, bytes] = {}
    entries: list[FeedEntry] = []
    writers = {code: FeedWriter(names, code, imprecise) for code in languages}
    for stem, kind, partner, topic, items in groups:
        titles: dict[str, str] = {}
        for code in languages:
            file_name = f"{stem}.ics" if lang else f"{stem}.{code}.ics"
            source = f"{base_url}{file_name}" if base_url else None
            info = export_info(code, partner, topic, len(items), source, imprecise)
            titles[code] = info.name
            data = writers[code].feed(items, info)
            files[file_name] = data
            if not lang and code == default:
                files[f"{stem}.ics"] = data
        entries.append(FeedEntry(stem, kind, titles, len(items)))
    feed_set = FeedSet(files, entries, default)
    files.update(pages or {})
    files["index.html"] = index_page(feed_set, base_url, languages).encode("utf-8")
    return feed_set


def index_page(feed_set: FeedSet, base_url: str | None, languages: Iterable[Lang]) -> str:
    """The page that lists every feed with subscribe and download links, in German and English."""
    from .templates import render

    variants = list(languages)
    rows = []
    for entry in feed_set.entries:
        links = []
        for code in variants:
            name = f"{entry.stem}.ics" if len(variants) == 1 else f"{entry.stem}.{code}.ics"
            https = f"{base_url}{name}" if base_url else None
            webcal = "webcal://" + https.split("://", 1)[1] if https else None
            links.append({"lang": code, "file": name, "https": https, "webcal": webcal})
        rows.append({"entry": entry, "links": links})
    return render(
        "feeds.html",
        rows=rows,
        base_url=base_url,
        version=__version__,
        has_timeline="timeline.html" in feed_set.files,
        total=sum(1 for _ in feed_set.entries),
    )


def write_feed_set(feed_set: FeedSet, directory: Path) -> list[tuple[str, bool]]:
    """Write the set into ``directory`` (atomically, unchanged files untouched); remove feeds
    of an earlier build that no longer exist.  Returns (name, written) pairs."""
    if not directory.is_dir():
        if directory.exists():
            raise UsageError(f"{directory} is not a folder")
        directory.mkdir(parents=True)
    results = []
    for name in sorted(feed_set.files):
        target = inside(directory, name)
        results.append((name, write_if_changed(target, feed_set.files[name])))
    for stale in sorted(directory.iterdir()):
        if FEED_FILE.match(stale.name) and stale.name not in feed_set.files:
            stale.unlink()
            results.append((stale.name, True))
    return results


def info_for(
    store: Store, flt: EventFilter, lang: Lang, count: int, imprecise: Imprecise
) -> FeedInfo:
    """Name a feed after a single partner or topic filter, else as the whole record."""
    partner = store.partner_map()[flt.partners[0]] if len(flt.partners) == 1 else None
    topic = store.topic_map()[flt.topics[0]] if len(flt.topics) == 1 and partner is None else None
    return export_info(lang, partner, topic, count, None, imprecise)
