"""What a store becomes for others: exports, the feed set, pictures, and reports.

Each function here selects from a store and hands the records to a renderer (``ical``,
``visual``, ``report``); the command line calls one of them and writes what it returns.

Feed file names (a contract): ``all.ics``, ``partner-<id>.ics``, ``topic-<id>.ics``, each also
as ``<name>.de.ics`` and ``<name>.en.ics``, and ``index.html``.  Names are slugs, so nothing
can land outside the folder.  A feed that would hold no event is left out (RFC 5545 wants
at least one component in a calendar).  Each event's VEVENT is built once per language and
reused in every feed that holds it, and feeds are written one at a time, so that even a
store of 100,000 events never sits in memory as a whole feed set.

The build's own time (``built``, the latest DTSTAMP a calendar may carry) is given by the
caller (the command line reads ``SOURCE_DATE_EPOCH``), else it is the day the store file
was last modified: the clock is never read, so the same file gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from . import __version__
from .dates import Lang, format_date, parse_edtf
from .errors import InvalidValue, OutputError
from .files import Data, Published, publish_folder, slug
from .i18n import LANGS, word
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
from .report import EXTENSIONS, Period, Report, build_report, index, render_report, report_file
from .store import Store
from .templates import Link, Nav
from .visual import LaneKind

if TYPE_CHECKING:
    from .agenda import Grid, Month

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
        # In words, as the chart writes its dates: "1 Aug 2019 – 31 Mar 2020".
        first = format_date(parse_edtf(flt.first.isoformat()), lang) if flt.first else "…"
        last = format_date(parse_edtf(flt.last.isoformat()), lang) if flt.last else "…"
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
    today: date | None = None,
) -> str:
    """The selected events as an SVG picture, or an HTML page around it; ``today`` draws a
    line where it falls in the period shown."""
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
        today=today,
    )


def month_calendar(
    store: Store,
    flt: EventFilter,
    start: Month,
    count: int,
    *,
    today: date,
    week_numbers: bool = False,
) -> tuple[Grid, list[Event]]:
    """``count`` months from ``start`` (a year and month) as a `Grid`, and the selected events
    that overlap them."""
    from .agenda import Grid, month_bounds, months_from

    months = months_from(start, count)
    events = store.events(flt.within(*month_bounds(months)))
    return Grid.of(months, events, today, week_numbers=week_numbers), events


def export_timelinejs(store: Store, flt: EventFilter, lang: Lang) -> str:
    from .visual import timelinejs

    return timelinejs(store.events(flt), store.directory, lang, store.eras())


def built_or_modified(store: Store, built: datetime | None = None) -> datetime:
    """``built``, else the day (00:00 UTC) on which the store file was last modified."""
    if built is not None:
        return built
    modified = datetime.fromtimestamp(store.fingerprint.mtime_ns // 1_000_000_000, UTC)
    return modified.replace(hour=0, minute=0, second=0)


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
    after a single partner or topic filter, else as the whole record.  `OutputError` when
    it would hold no event: RFC 5545 wants at least one, and an empty file would hide
    that the selection found nothing."""
    flt = store.check(flt)
    kept = _included(flt, imprecise)
    count = store.count(kept) if kept is not None else 0
    if kept is None or count == 0:
        why = (
            "the selected events are known only to the month, season or year, which are left out"
            if imprecise == "omit" and store.count(flt)
            else "no event matches the selection"
        )
        raise OutputError(f"nothing to export: {why}; a calendar needs at least one event")
    timed: Iterable[Event] = ()
    if not kept.precisions or "time" in kept.precisions:
        timed = store.iter_events(replace(kept, precisions=("time",)))
    partner = store.partner(flt.partners[0]) if len(flt.partners) == 1 else None
    topic = store.topic(flt.topics[0]) if len(flt.topics) == 1 and partner is None else None
    info = feed_info(store.directory, lang, partner, topic, count, None, imprecise)
    stamp = built_or_modified(store, built)
    pieces = (
        event_bytes(e, store.directory, lang, imprecise, built=stamp)
        for e in store.iter_events(kept)
    )
    return calendar_chunks(info, zone_spans(timed), lang, (p for p in pieces if p is not None))


def landing_pages(store: Store, lang: Lang) -> dict[str, bytes]:
    """The timeline page that a feed set carries beside its index (for stores that are not
    too large for one page)."""
    from .visual import timeline_html

    if store.count() > LANDING_PAGE_LIMIT:
        return {}
    nav = Nav(
        (
            Link("index.html", word("nav_feeds", lang)),
            Link("timeline.html", word("nav_timeline", lang), current=True),
        )
    )
    page = timeline_html(store.events(), store.directory, lang, eras=store.eras(), nav=nav)
    return {"timeline.html": page.encode("utf-8")}


# --- the feed set -----------------------------------------------------------------------------


def in_both_languages(key: str) -> str:
    """A word in English and German: "Timeline / Zeitleiste"."""
    return f"{word(key, 'en')} / {word(key, 'de')}"


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
        nav: Nav | None = None,
    ) -> None:
        self.store = store
        self.single = lang is not None
        self.languages: tuple[Lang, ...] = (lang,) if lang else LANGS
        self.default: Lang = lang or "en"
        self.imprecise = imprecise
        self.base_url = check_base_url(base_url)
        self.built = built_or_modified(store, built)
        self.pages = landing_pages(store, self.default) if pages is None else pages
        # The index is in both languages, and so are the names of the pages it links to.
        self.nav = nav or Nav(
            (
                Link("index.html", in_both_languages("nav_feeds"), current=True),
                *(
                    [Link("timeline.html", in_both_languages("nav_timeline"))]
                    if "timeline.html" in self.pages
                    else []
                ),
            )
        )
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
        self.left_out: list[str] = []  # the stems of feeds without events, once made

    def file_name(self, stem: str, lang: Lang) -> str:
        return f"{stem}.ics" if self.single else f"{stem}.{lang}.ics"

    def files(self) -> Iterator[tuple[str, Data]]:
        """(name, content) for every file of the set, the index last; a feed that would
        hold no event is left out (and named in `left_out`)."""
        titles: dict[str, dict[str, str]] = {group.stem: {} for group in self.groups}
        counts: dict[str, int] = {}
        for code in self.languages:
            writer = FeedWriter(self.store.directory, code, self.imprecise, built=self.built)
            timed: dict[str, Event] = {}
            for event in self.store.iter_events():
                writer.add(event)
                if event.precision == "time":
                    timed[event.id] = event
            for group in self.groups:
                ids = writer.included(group.ids)
                counts[group.stem] = len(ids)
                if not ids:  # empty in every language alike; named in left_out
                    continue
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
            FeedEntry(g.stem, g.kind, titles[g.stem], counts[g.stem])
            for g in self.groups
            if counts[g.stem]
        ]
        self.left_out = [g.stem for g in self.groups if not counts[g.stem]]
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
            nav=self.nav,
            title={code: self.store.directory.title(code) for code in ("en", "de")},
            description={code: self.store.directory.description(code) for code in ("en", "de")},
        )

    def write(self, directory: Path) -> Published:
        """Write the set into ``directory`` in one step (unchanged files untouched).  Of the
        files that earlier builds wrote, those of a feed that has left the set are removed; the
        others stay, so a German-only build keeps the English feeds that subscribers use."""
        stems = {group.stem for group in self.groups}

        def keep(name: str) -> bool:  # files of other kinds (reports, say) are not the set's
            ours = FEED_FILE.match(name) or PAGE_FILE.match(name)
            # (asked once the files are made: a feed left empty goes in every language)
            return not ours or (feed_stem(name) in stems and feed_stem(name) not in self.left_out)

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
    names = [report_file(r.period.year, fmt) for r in reports]
    index_name = f"index.{EXTENSIONS[fmt]}"
    reports_link = Link(index_name, word("nav_reports", lang))
    files: list[tuple[str, str]] = []
    for number, (report, name) in enumerate(zip(reports, names, strict=True)):
        nav = Nav(
            (reports_link,),
            previous=report_link(reports, names, number - 1),
            next=report_link(reports, names, number + 1),
        )
        files.append((name, render_report(report, fmt, nav)))
    title = store.directory.title(lang)
    nav = Nav((replace(reports_link, current=True),))
    files.append((index_name, index(reports, fmt, lang, title, nav=nav)))
    # The reports of this format for years that no longer have events go; all else stays.
    gone = re.compile(rf"report-\d{{4}}\.{EXTENSIONS[fmt]}")
    publish_folder(folder, files, keep=lambda name: not gone.fullmatch(name))
    return reports


def report_link(reports: Sequence[Report], names: Sequence[str], number: int) -> Link | None:
    """The link to the ``number``-th report (by its year), if there is one: a report's
    previous and next."""
    if not 0 <= number < len(reports):
        return None
    return Link(names[number], str(reports[number].period.year))
