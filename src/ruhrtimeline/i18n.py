"""German and English words for everything the tool writes, independent of system locales."""

from __future__ import annotations

import os
import sys

from .dates import Lang

LANGS: tuple[Lang, ...] = ("en", "de")
ENV_LANG = "RUHRTIMELINE_LANG"

_WORDS: dict[str, dict[Lang, str]] = {
    "held": {"en": "held", "de": "stattgefunden"},
    "planned": {"en": "planned", "de": "geplant"},
    "cancelled": {"en": "cancelled", "de": "abgesagt"},
    "online": {"en": "online", "de": "online"},
    "date": {"en": "Date", "de": "Datum"},
    "when": {"en": "When", "de": "Wann"},
    "where": {"en": "Where", "de": "Wo"},
    "title": {"en": "Title", "de": "Titel"},
    "status": {"en": "Status", "de": "Status"},
    "partners": {"en": "Partners", "de": "Partner"},
    "topics": {"en": "Topics", "de": "Themen"},
    "people": {"en": "People", "de": "Personen"},
    "place": {"en": "Place", "de": "Ort"},
    "sources": {"en": "Sources", "de": "Quellen"},
    "summary": {"en": "Summary", "de": "Zusammenfassung"},
    "id": {"en": "ID", "de": "ID"},
    "name": {"en": "Name", "de": "Name"},
    "short": {"en": "Short", "de": "Kurz"},
    "kind": {"en": "Kind", "de": "Art"},
    "country": {"en": "Country", "de": "Land"},
    "events": {"en": "Events", "de": "Termine"},
    "first": {"en": "First", "de": "Erster"},
    "last": {"en": "Last", "de": "Letzter"},
    "label": {"en": "Label", "de": "Bezeichnung"},
    "updated": {"en": "Entry updated", "de": "Eintrag aktualisiert"},
    "no_events": {"en": "No events match.", "de": "Keine Termine gefunden."},
    "event_count": {"en": "{n} events", "de": "{n} Termine"},
    "event_count_1": {"en": "1 event", "de": "1 Termin"},
    "page_date": {"en": "page of {date}", "de": "Seite vom {date}"},
    "page_as_of": {"en": "as of {date}", "de": "Stand {date}"},
    "exact_day_unknown": {
        "en": "The exact day is not known: the sources give {precision}",
        "de": "Der genaue Tag ist nicht bekannt: Die Quellen nennen {precision}",
    },
    # Reports (report.py); {period} is a year or a span of dates.
    "untitled": {"en": "Timeline", "de": "Zeitleiste"},
    "report_title": {"en": "{title}: {period}", "de": "{title}: {period}"},
    "review": {"en": "review of {period}", "de": "Rückblick {period}"},
    "generated": {
        "en": "Generated from {path} (SHA-256 {hash}) by ruhrtimeline {version}",
        "de": "Erstellt aus {path} (SHA-256 {hash}) mit ruhrtimeline {version}",
    },
    "generated_at": {"en": " on {date}", "de": " am {date}"},
    "milestones_in": {"en": "Milestones in {period}", "de": "Meilensteine {period}"},
    "overlapping": {
        "en": "Overlapping or not precisely dated",
        "de": "Überschneidend oder nicht genau datiert",
    },
    "overlapping_note": {
        "en": "These events overlap {period} but are not certainly within it; they are not "
        "counted above.",
        "de": "Diese Termine überschneiden sich mit {period}, liegen aber nicht sicher darin; "
        "sie sind oben nicht mitgezählt.",
    },
    "counts": {"en": "Counts", "de": "Zahlen"},
    "by_partner": {"en": "By partner", "de": "Nach Partner"},
    "by_topic": {"en": "By topic", "de": "Nach Thema"},
    "by_quarter": {"en": "By quarter", "de": "Nach Quartal"},
    "by_month": {"en": "By month", "de": "Nach Monat"},
    "undetermined": {"en": "not known more precisely", "de": "nicht genauer bekannt"},
    "first_time": {"en": "Partners active for the first time", "de": "Erstmals aktive Partner"},
    "planned_for": {"en": "Planned for {period}", "de": "Geplant für {period}"},
    "none": {"en": "None.", "de": "Keine."},
    "no_milestones": {
        "en": "No milestones are recorded for {period}.",
        "de": "Für {period} sind keine Meilensteine verzeichnet.",
    },
    "partner": {"en": "Partner", "de": "Partner"},
    "topic": {"en": "Topic", "de": "Thema"},
    "quarter": {"en": "Quarter", "de": "Quartal"},
    "month": {"en": "Month", "de": "Monat"},
    "first_event": {"en": "first event", "de": "erster Termin"},
    "reports_index": {"en": "reports by year", "de": "Berichte nach Jahr"},
    "year": {"en": "Year", "de": "Jahr"},
    "report": {"en": "Report", "de": "Bericht"},
    "starts-before": {"en": "begins before {period}", "de": "beginnt vor {period}"},
    "ends-after": {"en": "ends after {period}", "de": "endet nach {period}"},
    "approximate": {"en": "approximate date", "de": "ungefähres Datum"},
    "uncertain": {"en": "uncertain date", "de": "unsicheres Datum"},
    # Pictures (visual.py).
    "legend_day": {"en": "a day", "de": "ein Tag"},
    "legend_days": {"en": "several days", "de": "mehrere Tage"},
    "legend_imprecise": {
        "en": "only the month, season or year known (the whole period)",
        "de": "nur Monat, Jahreszeit oder Jahr bekannt (der ganze Zeitraum)",
    },
    "legend_approximate": {"en": "approximate date", "de": "ungefähres Datum"},
    "legend_uncertain": {"en": "uncertain date", "de": "unsicheres Datum"},
    "legend_planned": {"en": "planned", "de": "geplant"},
    "legend_cancelled": {"en": "cancelled", "de": "abgesagt"},
    "legend_ring_partner": {"en": "also taking part", "de": "ebenfalls beteiligt"},
    "legend_ring_topic": {"en": "also on this topic", "de": "auch zu diesem Thema"},
    "legend_era": {"en": "named period", "de": "benannter Zeitraum"},
    "legend_today": {"en": "today", "de": "heute"},
    "today": {"en": "today", "de": "heute"},
    "other_partners": {"en": "other partners", "de": "weitere Partner"},
    "other_topics": {"en": "other topics", "de": "weitere Themen"},
    "explain_partner": {
        "en": "Each event sits in the lane of its first partner; rings mark the other partners "
        "taking part.",
        "de": "Jeder Termin steht in der Zeile seines ersten Partners; Ringe zeigen die weiteren "
        "beteiligten Partner.",
    },
    "explain_topic": {
        "en": "Each event sits in the lane of its first topic; rings mark its other topics.",
        "de": "Jeder Termin steht in der Zeile seines ersten Themas; Ringe zeigen seine weiteren "
        "Themen.",
    },
    "explain_shared_partner": {
        "en": "Partners with a single event share the last lane.",
        "de": "Partner mit nur einem Termin teilen sich die letzte Zeile.",
    },
    "explain_shared_topic": {
        "en": "Topics with a single event share the last lane.",
        "de": "Themen mit nur einem Termin teilen sich die letzte Zeile.",
    },
    # Pages (templates, site.py).
    "all": {"en": "all", "de": "alle"},
    "shown_of": {"en": "{shown} of {total} events", "de": "{shown} von {total} Terminen"},
    "by_lane_partner": {"en": "The timeline by partner", "de": "Die Zeitleiste nach Partnern"},
    "by_lane_topic": {"en": "The timeline by topic", "de": "Die Zeitleiste nach Themen"},
    "skip": {"en": "Skip to the content", "de": "Zum Inhalt springen"},
    "nav_label": {"en": "Pages", "de": "Seiten"},
    "nav_home": {"en": "Home", "de": "Start"},
    "nav_timeline": {"en": "Timeline", "de": "Zeitleiste"},
    "nav_reports": {"en": "Reports", "de": "Berichte"},
    "nav_feeds": {"en": "Calendar feeds", "de": "Kalender-Abos"},
    "nav_years": {"en": "Other years", "de": "Andere Jahre"},
    "language_name": {"en": "English", "de": "Deutsch"},
    "home_holds": {
        "en": "{events} from {first} to {last}, with {partners} partners on {topics} topics; "
        "every event names its public sources ({sources} in all).",
        "de": "{events} von {first} bis {last}, mit {partners} Partnern zu {topics} Themen; "
        "jeder Termin nennt seine öffentlichen Quellen (insgesamt {sources}).",
    },
    "home_latest": {"en": "The latest milestones", "de": "Die letzten Meilensteine"},
    "home_coming": {"en": "What is coming", "de": "Was ansteht"},
    "home_as_of": {"en": "As of {date}.", "de": "Stand {date}."},
    "home_more": {
        "en": "… and {n} more in the timeline.",
        "de": "… und {n} weitere in der Zeitleiste.",
    },
    "home_nothing_coming": {
        "en": "Nothing under way or planned from today on.",
        "de": "Ab heute ist nichts im Gange oder geplant.",
    },
    "home_explore": {"en": "Explore", "de": "Weiter"},
    "home_timeline": {
        "en": "every event on one page, by partner, with filters and its sources",
        "de": "alle Termine auf einer Seite, nach Partnern, mit Filtern und Quellen",
    },
    "home_reports": {
        "en": "a review of each year, with counts and every source cited",
        "de": "ein Rückblick auf jedes Jahr, mit Zahlen und allen Quellen",
    },
    "home_feeds": {
        "en": "subscribe in your calendar app, for everything or by partner or topic",
        "de": "im Kalender abonnieren, alles oder nach Partner oder Thema",
    },
}

_PRECISION_NOUN: dict[str, dict[Lang, str]] = {
    "year": {"en": "only the year", "de": "nur das Jahr"},
    "season": {"en": "only the season", "de": "nur die Jahreszeit"},
    "month": {"en": "only the month", "de": "nur den Monat"},
    "day": {"en": "the day", "de": "den Tag"},
    "time": {"en": "the time", "de": "die Uhrzeit"},
}


def word(key: str, lang: Lang, **values: object) -> str:
    text = _WORDS[key][lang]
    return text.format(**values) if values else text


def vocabulary(lang: Lang) -> dict[str, str]:
    """Every word in one language, for templates."""
    return {key: words[lang] for key, words in _WORDS.items()}


def count_events(n: int, lang: Lang) -> str:
    return word("event_count_1", lang) if n == 1 else word("event_count", lang, n=n)


def precision_noun(precision: str, lang: Lang) -> str:
    return _PRECISION_NOUN[precision][lang]


def default_lang() -> Lang:
    """``$RUHRTIMELINE_LANG``, else the locale's language if German, else English."""
    env = os.environ.get(ENV_LANG, "").strip().lower()
    if env in ("de", "en"):
        return "de" if env == "de" else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name)
        if value:
            return "de" if value.lower().startswith("de") else "en"
    if sys.platform == "win32":  # pragma: no cover - Windows keeps the locale outside the env
        import locale

        name = (locale.getlocale()[0] or "").lower()
        return "de" if name.startswith(("de", "german")) else "en"
    return "en"


def other(lang: Lang) -> Lang:
    return "de" if lang == "en" else "en"
