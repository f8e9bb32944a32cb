"""What a store becomes for others: exports, the feed set, pictures, and reports.

Each function here selects from a store and hands the records to a renderer (``ical``,
``visual``, ``report``); the command line calls one of them and writes what it returns.

Feed file names (a contract): ``all.ics``, ``partner-<id>.ics``, ``topic-<id>.ics``, each also
as ``<name>.de.ics`` and ``<name>.en.ics``, and ``index.html``.  Names are slugs, so nothing
can land outside the folder.  Each event's VEVENT is built once per language and reused in
every feed that holds it, and feeds are written one at a time, so that even a store of
100,000 events never sits in memory as a whole feed set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from . import __version__
from .dates import Lang
from .errors import InvalidValue
from .files import Data, Published, publish_folder, slug
from .i18n import LANGS
from .ical import (
    IMPRECISE_DEFAULT,
    FeedWriter,
    Imprecise,
    calendar_chunks,
    event_bytes,
    feed_info,
    zone_spans,
)
from .query import EventFilter
from .records import Directory, Event, Partner, Topic
from .report import EXTENSIONS, Period, Report, build_report, index, render_report
from .store import Store
from .visual import LaneKind

# The files a feed set may contain; `serve` answers for these names only.
FEED_FILE = re.compile(r"^(all|partner-[a-z0-9-]+|topic-[a-z0-9-]+)(\.(de|en))?\.ics$")
PAGE_FILE = re.compile(r"^(index|timeline)\.html$")
LANDING_PAGE_LIMIT = 2000  # events; a larger timeline page would be too big to be useful

PictureFormat = Literal["svg", "html"]


# --- pictures and exports ---------------------------------------------------------------------


def subtitle(directory: Directory, flt: EventFilter, lang: Lang) -> str:
    """What a picture shows, in words: the filters that were given."""
    parts = []
    if flt.partners:
        parts.append(", ".join(directory.short(p, lang) for p in flt.partners))
    if flt.topics:
        parts.append(", ".join(directory.topic_label(t, lang) for t in flt.topics))
    if flt.first or flt.last:
        first = flt.first.isoformat() if flt.first else "…"
        last = flt.last.isoformat() if flt.last else "…"
        parts.append(f"{first} – {last}")
    if flt.search:
        parts.append(f"“{flt.search}”")
    return " · ".join(parts)


def timeline_picture(
    store: Store,
    flt: EventFilter,
    lang: Lang,
    fmt: PictureFormat,
    *,
    width: int = 1200,
    lanes: LaneKind = "partner",
) -> str:
    """The selected events as an SVG picture, or an HTML page around it."""
    from .visual import timeline_html, timeline_svg

    draw = timeline_svg if fmt == "svg" else timeline_html
    return draw(
        store.events(flt),
        store.directory,
        lang,
        width=width,
        lanes=lanes,
        eras=store.eras(),
        subtitle=subtitle(store.directory, flt, lang),
    )


def export_timelinejs(store: Store, flt: EventFilter, lang: Lang) -> str:
    from .visual import timelinejs

    return timelinejs(store.events(flt), store.directory, lang, store.eras())


def _included(flt: EventFilter, imprecise: Imprecise) -> EventFilter | None:
    """The filter narrowed to the events a calendar holds (None when it holds none)."""
    if imprecise != "omit":
        return flt
    precise = ("day", "time")
    kept = tuple(p for p in flt.precisions if p in precise) if flt.precisions else precise
    return replace(flt, precisions=kept) if kept else None


def export_ics(
    store: Store,
    flt: EventFilter,
    lang: Lang,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    *,
    built: datetime | None = None,
) -> Iterator[bytes]:
    """One calendar of the selected events, as a stream of chunks.

    The calendar's description counts the events it holds (after ``omit``), and it is named
    after a single partner or topic filter, else as the whole record."""
    flt = store.check(flt)
    kept = _included(flt, imprecise)
    count = store.count(kept) if kept is not None else 0
    timed: Iterable[Event] = ()
    if kept is not None and (not kept.precisions or "time" in kept.precisions):
        timed = store.iter_events(replace(kept, precisions=("time",)))
    partner = store.partner(flt.partners[0]) if len(flt.partners) == 1 else None
    topic = store.topic(flt.topics[0]) if len(flt.topics) == 1 and partner is None else None
    info = feed_info(store.directory, lang, partner, topic, count, None, imprecise)
    events = store.iter_events(kept) if kept is not None else iter(())
    pieces = (event_bytes(e, store.directory, lang, imprecise, built) for e in events)
    return calendar_chunks(info, zone_spans(timed), lang, (p for p in pieces if p is not None))


def landing_pages(store: Store, lang: Lang) -> dict[str, bytes]:
    """The timeline page that a feed set carries beside its index (for stores that are not
    too large for one page)."""
    from .visual import timeline_html

    if store.count() > LANDING_PAGE_LIMIT:
        return {}
    page = timeline_html(store.events(), store.directory, lang, eras=store.eras())
    return {"timeline.html": page.encode("utf-8")}


# --- the feed set -----------------------------------------------------------------------------


def check_base_url(base_url: str | None) -> str | None:
    """A published folder's address, ending in "/"; http(s) only."""
    if base_url is None:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(
            f"base URL {base_url!r}: give an http(s) address such as https://example.org/feeds/"
        )
    return base_url if base_url.endswith("/") else base_url + "/"


@dataclass(frozen=True)
class FeedEntry:
    """One feed of the set, as the index page lists it."""

    stem: str  # "all", "partner-gzm", "topic-youth"
    kind: str  # "all", "partner" or "topic"
    titles: dict[str, str]  # by language
    count: int


@dataclass(frozen=True)
class _Group:
    stem: str
    kind: str
    partner: Partner | None
    topic: Topic | None
    ids: list[str]


class FeedSet:
    """The whole set of a store: planned from the index (ids only), then made file by file."""

    def __init__(
        self,
        store: Store,
        *,
        lang: Lang | None = None,
        imprecise: Imprecise = IMPRECISE_DEFAULT,
        base_url: str | None = None,
        built: datetime | None = None,
        pages: dict[str, bytes] | None = None,
    ) -> None:
        self.store = store
        self.single = lang is not None
        self.languages: tuple[Lang, ...] = (lang,) if lang else LANGS
        self.default: Lang = lang or "en"
        self.imprecise = imprecise
        self.base_url = check_base_url(base_url)
        self.built = built
        self.pages = landing_pages(store, self.default) if pages is None else pages
        directory = store.directory
        by_partner = store.members("partner")
        by_topic = store.members("topic")
        self.groups = [_Group("all", "all", None, None, store.event_ids())]
        self.groups += [
            _Group(f"partner-{slug(p.id)}", "partner", p, None, by_partner.get(p.id, []))
            for p in directory.partners.values()
        ]
        self.groups += [
            _Group(f"topic-{slug(t.id)}", "topic", None, t, by_topic.get(t.id, []))
            for t in directory.topics.values()
        ]
        self.entries: list[FeedEntry] = []

    def file_name(self, stem: str, lang: Lang) -> str:
        return f"{stem}.ics" if self.single else f"{stem}.{lang}.ics"

    def files(self) -> Iterator[tuple[str, Data]]:
        """(name, content) for every file of the set, the index last."""
        titles: dict[str, dict[str, str]] = {group.stem: {} for group in self.groups}
        counts: dict[str, int] = {}
        for code in self.languages:
            writer = FeedWriter(self.store.directory, code, self.imprecise, self.built)
            timed: dict[str, Event] = {}
            for event in self.store.iter_events():
                writer.add(event)
                if event.precision == "time":
                    timed[event.id] = event
            for group in self.groups:
                ids = writer.included(group.ids)
                counts[group.stem] = len(ids)
                name = self.file_name(group.stem, code)
                source = f"{self.base_url}{name}" if self.base_url else None
                info = feed_info(
                    self.store.directory,
                    code,
                    group.partner,
                    group.topic,
                    len(ids),
                    source,
                    self.imprecise,
                )
                titles[group.stem][code] = info.name
                zones = zone_spans(timed[i] for i in ids if i in timed)
                yield name, writer.chunks(ids, info, zones)
                if not self.single and code == self.default:
                    yield f"{group.stem}.ics", writer.chunks(ids, info, zones)
            del writer  # one language's events at a time
        self.entries = [
            FeedEntry(g.stem, g.kind, titles[g.stem], counts[g.stem]) for g in self.groups
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
            title={code: self.store.directory.title(code) for code in ("en", "de")},
            description={code: self.store.directory.description(code) for code in ("en", "de")},
        )

    def in_memory(self) -> dict[str, bytes]:
        """Every file of the set, by name (for `serve`)."""
        files: dict[str, bytes] = {}
        for name, data in self.files():
            files[name] = (
                data.encode("utf-8")
                if isinstance(data, str)
                else data
                if isinstance(data, bytes)
                else b"".join(data)
            )
        return files

    def write(self, directory: Path) -> Published:
        """Write the set into ``directory`` in one step (unchanged files untouched).  Of the
        files that earlier builds wrote, those of a feed that has left the set are removed; the
        others stay, so a German-only build keeps the English feeds that subscribers use."""
        stems = {group.stem for group in self.groups}

        def keep(name: str) -> bool:  # files of other kinds (reports, say) are not the set's
            ours = FEED_FILE.match(name) or PAGE_FILE.match(name)
            return not ours or feed_stem(name) in stems

        return publish_folder(directory, self.files(), keep)


def feed_stem(name: str) -> str:
    """The feed a file name belongs to, whatever its language: ``partner-gzm`` for
    ``partner-gzm.de.ics``; a page is its own."""
    found = FEED_FILE.match(name)
    return found.group(1) if found else name


# --- reports ----------------------------------------------------------------------------------


def period_report(
    store: Store,
    period: Period,
    lang: Lang,
    flt: EventFilter | None = None,
    *,
    generated_at: str | None = None,
) -> Report:
    """The report of a period: its events, what overlaps it, and plans for the next one."""
    base = store.check(flt)
    following = period.following()
    return build_report(
        period,
        lang,
        store.events(base.within(period.first, period.last)),
        store.iter_events(base.within(following.first, following.last)),
        store.partner_activity(),
        store.directory,
        store_path=store.display_path,
        store_sha256=store.fingerprint.sha256,
        generated_at=generated_at,
    )


def write_reports(
    store: Store,
    folder: Path,
    fmt: str,
    lang: Lang,
    flt: EventFilter | None = None,
    *,
    generated_at: str | None = None,
) -> Sequence[Report]:
    """One report a year that has events, and an index, into ``folder``."""
    base = store.check(flt)
    reports = [
        period_report(store, Period.of_year(year), lang, base, generated_at=generated_at)
        for year in store.years(base)
    ]
    files: list[tuple[str, str]] = [
        (f"report-{r.period.year}.{EXTENSIONS[fmt]}", render_report(r, fmt)) for r in reports
    ]
    files.append((f"index.{EXTENSIONS[fmt]}", index(reports, fmt, lang)))
    # The reports of this format for years that no longer have events go; all else stays.
    gone = re.compile(rf"report-\d{{4}}\.{EXTENSIONS[fmt]}")
    publish_folder(folder, files, keep=lambda name: not gone.fullmatch(name))
    return reports
