"""German and English words for everything the tool writes, independent of system locales."""

from __future__ import annotations

import os
import re
import sys
from typing import Literal

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
    # what is next: the agenda and the calendar
    "some_time_in": {"en": "some time in {year}", "de": "im Lauf des Jahres {year}"},
    "under_way": {"en": "Under way", "de": "Läuft bereits"},
    "nothing_coming": {
        "en": "Nothing is coming in the next {days} days.",
        "de": "In den nächsten {days} Tagen steht nichts an.",
    },
    "nothing_past": {
        "en": "Nothing in the last {days} days.",
        "de": "In den letzten {days} Tagen war nichts.",
    },
    "today_line": {"en": "today, {date}", "de": "heute, {date}"},
    "week_short": {"en": "Wk", "de": "KW"},
    "weekdays": {"en": "Mo Tu We Th Fr Sa Su", "de": "Mo Di Mi Do Fr Sa So"},
    "also_in": {"en": "also in {when}", "de": "außerdem im Zeitraum {when}"},
    "mark_busy": {"en": "an event that day", "de": "ein Termin an dem Tag"},
    "mark_today": {"en": "today", "de": "heute"},
    "mark_both": {"en": "today, with an event", "de": "heute, mit Termin"},
    "valid": {
        "en": "{path}: valid ({events}, {partners}, {topics})",
        "de": "{path}: gültig ({events}, {partners}, {topics})",
    },
    "problem_in": {"en": "1 problem in {path}", "de": "1 Problem in {path}"},
    "warning": {"en": "warning", "de": "Warnung"},
    "warning_in": {"en": "1 warning in {path}", "de": "1 Warnung in {path}"},
    "warnings_in": {"en": "{n} warnings in {path}", "de": "{n} Warnungen in {path}"},
    "problems_in": {"en": "{n} problems in {path}", "de": "{n} Probleme in {path}"},
    "event_count": {"en": "{n} events", "de": "{n} Termine"},
    "event_count_1": {"en": "1 event", "de": "1 Termin"},
    "partner_count": {"en": "{n} partners", "de": "{n} Partner"},
    "partner_count_1": {"en": "1 partner", "de": "1 Partner"},
    "topic_count": {"en": "{n} topics", "de": "{n} Themen"},
    "topic_count_1": {"en": "1 topic", "de": "1 Thema"},
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


def counted(noun: Literal["event", "partner", "topic"], n: int, lang: Lang) -> str:
    """ "1 event", "3 events", "1 Thema", …"""
    return word(f"{noun}_count_1", lang) if n == 1 else word(f"{noun}_count", lang, n=n)


def count_events(n: int, lang: Lang) -> str:
    return counted("event", n, lang)


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


# --- problems in a store, in German ---------------------------------------------------------
# The library reports problems in English (messages are built where the problem is found);
# ``validate --lang de`` shows them in German through these templates.  A message that no
# template matches is shown as it is.  {name} matches any text and is carried over.
_PROBLEMS_DE = (
    (
        "{v} is not a supported date; write YYYY, YYYY-MM, YYYY-SS (season 21–24), YYYY-MM-DD "
        "or YYYY-MM-DDTHH:MM, an interval A/B, optionally ending in ~, ? or %",
        "{v} ist kein unterstütztes Datum; schreiben Sie JJJJ, JJJJ-MM, JJJJ-JZ (Jahreszeit "
        "21–24), JJJJ-MM-TT oder JJJJ-MM-TTTHH:MM, ein Intervall A/B, auf Wunsch mit ~, ? "
        "oder % am Ende",
    ),
    (
        "{v}: UTC offsets are not supported; write the local time without Z or +01:00 and "
        "give the event's timezone (an IANA name such as Europe/Berlin)",
        "{v}: Abstände zu UTC werden nicht unterstützt; schreiben Sie die Ortszeit ohne Z "
        "oder +01:00 und geben Sie die timezone des Termins an (einen IANA-Namen wie "
        "Europe/Berlin)",
    ),
    ("{v}: year {y} is out of range ({r})", "{v}: Das Jahr {y} liegt außerhalb von {r}"),
    (
        "{v}: year {y} is outside {r}, the years every output can show (calendar formats "
        "assume the Gregorian calendar, in use from 1583)",
        "{v}: Das Jahr {y} liegt außerhalb von {r}, den Jahren, die jede Ausgabe zeigen kann "
        "(Kalenderformate setzen den gregorianischen Kalender voraus, der ab 1583 gilt)",
    ),
    (
        "{v}: month {m} does not exist; seasons are 21 (spring) to 24 (winter)",
        "{v}: Den Monat {m} gibt es nicht; Jahreszeiten sind 21 (Frühjahr) bis 24 (Winter)",
    ),
    ("{v}: month {m} does not exist", "{v}: Den Monat {m} gibt es nicht"),
    (
        "{v}: day {d} does not exist in {ym} (it has {n} days)",
        "{v}: Den Tag {d} gibt es in {ym} nicht (der Monat hat {n} Tage)",
    ),
    ("{v}: hour {h} does not exist (00 to 23)", "{v}: Die Stunde {h} gibt es nicht (00 bis 23)"),
    (
        "{v}: minute {h} does not exist (00 to 59)",
        "{v}: Die Minute {h} gibt es nicht (00 bis 59)",
    ),
    (
        "{v}: second {h} does not exist (00 to 59)",
        "{v}: Die Sekunde {h} gibt es nicht (00 bis 59)",
    ),
    ("a date must be a string, not {t}", "Ein Datum muss ein Text sein, nicht {t}"),
    ("{v}: remove the spaces around the date", "{v}: Entfernen Sie die Leerzeichen ums Datum"),
    ("{v}: an interval has exactly one '/'", "{v}: Ein Intervall hat genau einen '/'"),
    (
        "{v}: open intervals are not supported; give both ends",
        "{v}: Offene Intervalle werden nicht unterstützt; geben Sie beide Enden an",
    ),
    (
        "{v}: give a time on both ends of an interval, or on neither",
        "{v}: Geben Sie an beiden Enden eines Intervalls eine Uhrzeit an oder an keinem",
    ),
    ("{v}: the end lies before the start", "{v}: Das Ende liegt vor dem Anfang"),
    (
        "must be a single line without control characters",
        "muss eine einzelne Zeile ohne Steuerzeichen sein",
    ),
    (
        "must not be empty or start or end with spaces",
        "darf nicht leer sein und nicht mit Leerzeichen beginnen oder enden",
    ),
    (
        "must not contain control characters (line breaks and tabs are fine)",
        "darf keine Steuerzeichen enthalten (Zeilenumbrüche und Tabulatoren sind erlaubt)",
    ),
    ("must not be empty", "darf nicht leer sein"),
    (
        "{v} is not an ISO 3166-1 alpha-2 country code; the United Kingdom is GB",
        "{v} ist kein Ländercode nach ISO 3166-1 alpha-2; das Vereinigte Königreich ist GB",
    ),
    (
        "{v} is not an ISO 3166-1 alpha-2 country code",
        "{v} ist kein Ländercode nach ISO 3166-1 alpha-2",
    ),
    (
        "{v} is not a web address; write it in full, starting with https://",
        "{v} ist keine Web-Adresse; schreiben Sie sie vollständig, beginnend mit https://",
    ),
    (
        "a web address must not contain spaces or control characters",
        "Eine Web-Adresse darf keine Leer- oder Steuerzeichen enthalten",
    ),
    (
        "{v} is not an IANA time zone; write a name such as Europe/Berlin",
        "{v} ist keine IANA-Zeitzone; schreiben Sie einen Namen wie Europe/Berlin",
    ),
    ("{v} is not a date; write YYYY-MM-DD", "{v} ist kein Datum; schreiben Sie JJJJ-MM-TT"),
    ("{v}: write the date as YYYY-MM-DD", "{v}: Schreiben Sie das Datum als JJJJ-MM-TT"),
    (
        "give a name, city or region, or set online: true",
        "Geben Sie einen Namen, eine Stadt oder eine Region an, oder online: true",
    ),
    (
        "give the country (ISO code such as DE) of a place that is not online",
        "Geben Sie das Land (ISO-Code wie DE) eines Orts an, der nicht online ist",
    ),
    (
        "the date {v} has a time, so give its timezone",
        "Das Datum {v} hat eine Uhrzeit; geben Sie daher seine timezone an",
    ),
    (
        "a timezone belongs only to a date with a time; remove it",
        "Eine timezone gehört nur zu einem Datum mit Uhrzeit; entfernen Sie sie",
    ),
    ("{v} lists an id twice", "{v} nennt eine ID zweimal"),
    ("duplicate id {v}: {w} has it too", "doppelte ID {v}: {w} hat sie auch"),
    (
        "the store has no {v} list; add '{w}:'",
        "Dem Speicher fehlt die Liste {v}; ergänzen Sie '{w}:'",
    ),
    ("unknown partner {v}; did you mean {w}?", "unbekannter Partner {v}; meinten Sie {w}?"),
    ("unknown topic {v}; did you mean {w}?", "unbekanntes Thema {v}; meinten Sie {w}?"),
    (
        "unknown partner {v}; add it to 'partners'",
        "unbekannter Partner {v}; ergänzen Sie ihn unter 'partners'",
    ),
    (
        "unknown topic {v}; add it to 'topics'",
        "unbekanntes Thema {v}; ergänzen Sie es unter 'topics'",
    ),
    (
        "unknown partner {v}; the store defines no partners",
        "unbekannter Partner {v}; der Speicher nennt keine Partner",
    ),
    (
        "unknown topic {v}; the store defines no topics",
        "unbekanntes Thema {v}; der Speicher nennt keine Themen",
    ),
    ("required field {v} is missing", "Das Pflichtfeld {v} fehlt"),
    ("unknown field {v}; did you mean {w}?", "unbekanntes Feld {v}; meinten Sie {w}?"),
    ("unknown field {v}", "unbekanntes Feld {v}"),
    (
        "{v} is not a valid id: use lower-case letters, digits and single hyphens "
        "(e.g. gzm, rvr-gzm-agreement-2019)",
        "{v} ist keine gültige ID: Verwenden Sie Kleinbuchstaben, Ziffern und einzelne "
        "Bindestriche (z. B. gzm, rvr-gzm-agreement-2019)",
    ),
    (
        "must be a mapping of fields (key: value)",
        "muss eine Zuordnung von Feldern sein (Schlüssel: Wert)",
    ),
    ("{v} is not allowed; use one of {w}", "{v} ist nicht erlaubt; erlaubt sind {w}"),
    (
        "is too long: at most {n} characters (it has {m})",
        "ist zu lang: höchstens {n} Zeichen (es sind {m})",
    ),
    ("needs at least {n} item(s)", "braucht mindestens {n} Eintrag/Einträge"),
    ("has too many items: at most {n}", "hat zu viele Einträge: höchstens {n}"),
    ("must be text", "muss ein Text sein"),
    ("must be a list", "muss eine Liste sein"),
    ("must be a number", "muss eine Zahl sein"),
    ("must be a whole number", "muss eine ganze Zahl sein"),
    ("must be true or false", "muss true oder false sein"),
    ("must be at least {n}", "muss mindestens {n} sein"),
    ("must be at most {n}", "darf höchstens {n} sein"),
    (
        "must be a text, or a text in each language ({de: …, en: …})",
        "muss ein Text sein oder ein Text in jeder Sprache ({{de: …, en: …}})",
    ),
    (
        "duplicate key {v}; each key may appear once",
        "doppelter Schlüssel {v}; jeder Schlüssel darf nur einmal vorkommen",
    ),
    ("duplicate key {v}", "doppelter Schlüssel {v}"),
    ("{v} must be a list of mappings", "{v} muss eine Liste von Zuordnungen sein"),
    (
        "the store must be a single YAML document",
        "Der Speicher muss ein einzelnes YAML-Dokument sein",
    ),
    (
        "the store is empty; it needs the keys partners, topics and events",
        "Der Speicher ist leer; er braucht die Schlüssel partners, topics und events",
    ),
    (
        "the store must be a mapping with the keys partners, topics and events, not a list",
        "Der Speicher muss eine Zuordnung mit den Schlüsseln partners, topics und events "
        "sein, keine Liste",
    ),
    (
        "the store must be a mapping with the keys partners, topics and events, not a single value",
        "Der Speicher muss eine Zuordnung mit den Schlüsseln partners, topics und events "
        "sein, kein einzelner Wert",
    ),
    (
        "YAML tags such as {v} are not allowed; write plain values",
        "YAML-Tags wie {v} sind nicht erlaubt; schreiben Sie einfache Werte",
    ),
    ("a key must be a plain word", "Ein Schlüssel muss ein einfaches Wort sein"),
    (
        "YAML aliases (*name) are not allowed; write the value out",
        "YAML-Aliase (*name) sind nicht erlaubt; schreiben Sie den Wert aus",
    ),
    ("the YAML is nested too deeply", "Das YAML ist zu tief verschachtelt"),
    (
        "malformed YAML: a tab is used for indentation; indent with spaces",
        "fehlerhaftes YAML: Ein Tabulator rückt ein; rücken Sie mit Leerzeichen ein",
    ),
    (
        "malformed YAML: a quoted text starts here but its closing quote is missing",
        "fehlerhaftes YAML: Hier beginnt ein Text in Anführungszeichen, dem das schließende "
        "Zeichen fehlt",
    ),
    ("malformed YAML: {v}", "fehlerhaftes YAML: {v}"),
    (
        "the file is not UTF-8 text (byte {v}); save it as UTF-8",
        "Die Datei ist kein UTF-8-Text (Byte {v}); speichern Sie sie als UTF-8",
    ),
    (
        "the file contains the control character {v}, which YAML does not allow; is it a "
        "binary file?",
        "Die Datei enthält das Steuerzeichen {v}, das YAML nicht erlaubt; ist es eine Binärdatei?",
    ),
    (
        "the file is larger than {v} MiB; split it",
        "Die Datei ist größer als {v} MiB; teilen Sie sie",
    ),
    (
        "is a directory; give the path of the YAML file",
        "ist ein Ordner; geben Sie den Pfad der YAML-Datei an",
    ),
    ("no such file; check the path", "keine solche Datei; prüfen Sie den Pfad"),
    ("cannot be read: permission denied", "kann nicht gelesen werden: keine Berechtigung"),
    ("cannot be read: {v}", "kann nicht gelesen werden: {v}"),
    (
        "the title is the same in German and English",
        "der Titel ist auf Deutsch und Englisch gleich",
    ),
    (
        "the summary is the same in German and English",
        "die Zusammenfassung ist auf Deutsch und Englisch gleich",
    ),
    ("planned, but its period ended on {v}", "geplant, aber sein Zeitraum endete am {v}"),
    ("{v} lies in the future", "{v} liegt in der Zukunft"),
    (
        "{v} is not a plain decimal number such as 51.4556 or -2.2426",
        "{v} ist keine einfache Dezimalzahl wie 51.4556 oder -2.2426",
    ),
    (
        "must not contain bidirectional override characters (U+202A–U+202E, U+2066–U+2069)",
        "darf keine Zeichen zur Umkehr der Schreibrichtung enthalten (U+202A–U+202E, "
        "U+2066–U+2069)",
    ),
    (
        "a web address must not contain spaces, control or bidirectional override characters",
        "Eine Web-Adresse darf keine Leer-, Steuer- oder Schreibrichtungszeichen enthalten",
    ),
    (
        "{v}: a public address has no user name or password (user@…)",
        "{v}: Eine öffentliche Adresse hat keinen Benutzernamen und kein Passwort (user@…)",
    ),
    (
        "{v}: the host or port is not valid (ports are 1 to 65535)",
        "{v}: Host oder Port ist ungültig (Ports gehen von 1 bis 65535)",
    ),
    (
        "{v} happens twice: clocks go back from {a} to {b} on {d} in {z}; the first ({f}) is meant",
        "{v} gibt es zweimal: Die Uhren werden am {d} in {z} von {a} auf {b} zurückgestellt; "
        "gemeint ist das erste Mal ({f})",
    ),
    (
        "{v} does not exist: clocks jump from {a} to {b} on {d} in {z}",
        "{v} gibt es nicht: Die Uhren werden am {d} in {z} von {a} auf {b} vorgestellt",
    ),
    ("duplicate id {v}: the store has it already", "doppelte ID {v}: der Speicher hat sie schon"),
    ("id {v} given twice", "ID {v} doppelt angegeben"),
)


def _template(english: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", english)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(pattern, re.DOTALL)


_COMPILED: list[tuple[re.Pattern[str], str]] = []


def problem_text(message: str, lang: Lang) -> str:
    """A problem's message in ``lang`` (the library writes it in English)."""
    if lang == "en":
        return message
    if not _COMPILED:
        _COMPILED.extend((_template(en), de) for en, de in _PROBLEMS_DE)
    for pattern, german in _COMPILED:
        match = pattern.fullmatch(message)
        if match:
            return german.format(**match.groupdict())
    return message
