"""The record's whole public face as one static folder: a home page, the timeline, a review a
year and the calendar feeds, in German and English, joined by one navigation.

Every link is relative and names its file, so that the folder works from ``file://`` and on
any static host.  A page is written only when it changes, and the pages of a year that is gone
are removed.  The files (English without a suffix, German with ``.de``)::

    index.html       index.de.html        the home page: what the record holds, the latest
                                          milestones, what is coming
    timeline.html    timeline.de.html     the pictures, a list for phones, every event
    reports.html     reports.de.html      the reviews by year
    report-YYYY.html report-YYYY.de.html  a year's review, with the years before and after
    feeds/                                the feed set (``FeedSet``) and its index
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from . import __version__
from .dates import Lang, format_date, parse_edtf
from .files import Published, publish_folder
from .i18n import LANGS, count_events, other, word
from .publish import (
    LANDING_PAGE_LIMIT,
    FeedSet,
    check_base_url,
    in_both_languages,
    period_report,
    report_link,
)
from .query import EventFilter
from .records import Event
from .report import Period, generated_at, index, to_html
from .store import Store
from .templates import Link, Nav, render

# The pages a site may contain; a rebuild removes those it no longer writes.
SITE_FILE = re.compile(r"^(index|timeline|reports|report-\d{4})(\.de)?\.html$")
FEEDS = "feeds"
HOME_EVENTS = 5  # milestones, and events to come, on the home page


def page_name(stem: str, lang: Lang) -> str:
    """``timeline.html`` in English, ``timeline.de.html`` in German."""
    return f"{stem}.html" if lang == "en" else f"{stem}.{lang}.html"


class Site:
    """The pages of a store, planned once and written into a folder."""

    def __init__(
        self,
        store: Store,
        *,
        today: date,
        base_url: str | None = None,
        built: datetime | None = None,
    ) -> None:
        self.store = store
        self.today = today
        self.base_url = check_base_url(base_url)
        self.built = built
        self.timeline = store.count() <= LANDING_PAGE_LIMIT
        self.years = store.years()

    def nav(self, lang: Lang, stem: str) -> Nav:
        """The navigation of a page (``stem`` names it; a year's review belongs to the
        reports), and the link to its other language."""
        links = [Link(page_name("index", lang), word("nav_home", lang))]
        if self.timeline:
            links.append(Link(page_name("timeline", lang), word("nav_timeline", lang)))
        links.append(Link(page_name("reports", lang), word("nav_reports", lang)))
        links.append(Link(f"{FEEDS}/index.html", word("nav_feeds", lang)))
        current = page_name("reports" if stem.startswith("report-") else stem, lang)
        marked = tuple(replace(link, current=link.href == current) for link in links)
        switch = Link(
            page_name(stem, other(lang)), word("language_name", other(lang)), lang=other(lang)
        )
        return Nav(marked, switch)

    def pages(self) -> list[tuple[str, str]]:
        """(name, text) for every page of the site, both languages."""
        from .visual import timeline_html

        store, directory = self.store, self.store.directory
        events = store.events() if self.timeline else []
        stamp = generated_at(None, self.built)
        pages: list[tuple[str, str]] = []
        for lang in LANGS:
            pages.append((page_name("index", lang), self.home(lang)))
            if self.timeline:
                page = timeline_html(
                    events,
                    directory,
                    lang,
                    eras=store.eras(),
                    today=self.today,
                    nav=self.nav(lang, "timeline"),
                )
                pages.append((page_name("timeline", lang), page))
            reports = [
                period_report(store, Period.of_year(year), lang, generated_at=stamp)
                for year in self.years
            ]
            names = [page_name(f"report-{year}", lang) for year in self.years]
            for number, report in enumerate(reports):
                nav = replace(
                    self.nav(lang, f"report-{report.period.year}"),
                    previous=report_link(reports, names, number - 1),
                    next=report_link(reports, names, number + 1),
                )
                pages.append((names[number], to_html(report, nav)))
            title = directory.title(lang)
            nav = self.nav(lang, "reports")
            pages.append(
                (
                    page_name("reports", lang),
                    index(reports, "html", lang, title, nav=nav, files=names),
                )
            )
        return pages

    def home(self, lang: Lang) -> str:
        """The home page: the record's title and description, what it holds, the latest
        milestones, what is coming, and where to go next."""
        store, directory = self.store, self.store.directory
        held = store.events(EventFilter(last=self.today, statuses=("held",)))
        past = [e for e in held if e.last <= self.today]  # under way counts as coming
        latest = sorted(past, key=lambda e: (e.last, e.id), reverse=True)[:HOME_EVENTS]
        coming = store.events(EventFilter(first=self.today, statuses=("held", "planned")))
        sources = {s.url for e in store.iter_events() for s in e.sources}
        activity = store.partner_activity()
        years = self.years
        holds = word(
            "home_holds",
            lang,
            events=count_events(store.count(), lang),
            first=years[0] if years else "–",
            last=years[-1] if years else "–",
            partners=sum(1 for a in activity.values() if a.events),
            topics=sum(1 for a in store.topic_activity().values() if a.events),
            sources=len(sources),
        )
        return render(
            "home.html",
            lang=lang,
            version=__version__,
            nav=self.nav(lang, "index"),
            title=directory.title(lang),
            description=directory.description(lang),
            holds=holds if store.count() else word("no_events", lang),
            latest=[self._item(e, lang) for e in latest],
            coming=[self._item(e, lang) for e in coming[:HOME_EVENTS]],
            more=len(coming) - HOME_EVENTS,
            as_of=format_date(parse_edtf(self.today.isoformat()), lang, "long"),
            timeline=self.timeline,
            feeds=f"{FEEDS}/index.html",
            reports=page_name("reports", lang),
            timeline_page=page_name("timeline", lang),
        )

    def _item(self, event: Event, lang: Lang) -> dict[str, object]:
        directory = self.store.directory
        page = "timeline" if self.timeline else f"report-{event.first.year}"
        return {
            "href": f"{page_name(page, lang)}#event-{event.id}",
            "date": event.when(lang, "long"),
            "title": event.title[lang],
            "status": event.status,
            "status_text": word(event.status, lang),
            "partners": [directory.short(p, lang) for p in event.partners],
            "place": event.place(lang),
        }

    def feeds(self) -> FeedSet:
        """The feed set, in a folder of its own, its index linked to the site's pages."""
        stems = [("index", "nav_home"), ("reports", "nav_reports")]
        if self.timeline:
            stems.insert(1, ("timeline", "nav_timeline"))
        links = [Link(f"../{page_name(stem, 'en')}", in_both_languages(key)) for stem, key in stems]
        nav = Nav((*links, Link("index.html", in_both_languages("nav_feeds"), current=True)))
        base = f"{self.base_url}{FEEDS}/" if self.base_url else None
        return FeedSet(self.store, base_url=base, built=self.built, pages={}, nav=nav)

    def write(self, folder: Path) -> list[tuple[str, bool]]:
        """Write the site into ``folder`` in one step (unchanged files untouched, pages of
        years that are gone removed, other files left alone); (name, written) pairs."""
        pages = publish_folder(folder, self.pages(), keep=lambda name: not SITE_FILE.match(name))
        feeds = self.feeds().write(folder / FEEDS)
        return [
            *_changes(pages, ""),
            *_changes(feeds, f"{FEEDS}/"),
        ]


def _changes(published: Published, prefix: str) -> list[tuple[str, bool]]:
    written = set(published.written)
    return [(prefix + name, name in written) for name in published.files] + [
        (prefix + name, True) for name in published.removed
    ]


def build_site(
    store: Store,
    folder: Path,
    *,
    today: date,
    base_url: str | None = None,
    built: datetime | None = None,
) -> list[tuple[str, bool]]:
    """Write the whole site of ``store`` into ``folder``; (name, written) pairs."""
    return Site(store, today=today, base_url=base_url, built=built).write(folder)
