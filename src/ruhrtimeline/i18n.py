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
    "reports_index": {"en": "Reports by year", "de": "Berichte nach Jahr"},
    "year": {"en": "Year", "de": "Jahr"},
    "report": {"en": "Report", "de": "Bericht"},
    "starts-before": {"en": "begins before {period}", "de": "beginnt vor {period}"},
    "ends-after": {"en": "ends after {period}", "de": "endet nach {period}"},
    "approximate": {"en": "approximate date", "de": "ungefähres Datum"},
    "uncertain": {"en": "uncertain date", "de": "unsicheres Datum"},
    # Pictures (visual.py).
    "day": {"en": "a day", "de": "ein Tag"},
    "days": {"en": "several days", "de": "mehrere Tage"},
    "imprecise": {
        "en": "known only to the month, season or year",
        "de": "nur auf Monat, Jahreszeit oder Jahr genau",
    },
    "legend_approximate": {
        "en": "approximate (dashed edge)",
        "de": "ungefähr (gestrichelter Rand)",
    },
    "participant": {"en": "also taking part", "de": "ebenfalls beteiligt"},
    "era": {"en": "period", "de": "Zeitraum"},
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
