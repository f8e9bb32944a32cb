"""Yearly (or any period's) reports: the data first, then Markdown, HTML, JSON and CSV.

Uncertainty is honest: an event is "in" the period only when every day it covers lies inside
the period and its date is neither approximate nor uncertain; every other event that overlaps
the period is listed as overlapping, with the reasons.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from . import __version__
from .dates import Lang, format_date, parse_edtf, year_bounds
from .errors import InvalidValue
from .i18n import count_events, vocabulary, word
from .listing import (
    EVENT_CSV,
    JsonObject,
    csv_text,
    event_csv_row,
    event_json,
    md_autolink,
    md_escape,
    source_json,
)
from .records import Activity, Directory, Event, Partner, Source
from .templates import Nav

EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}


def text(key: str, lang: Lang, **values: object) -> str:
    return word(key, lang, **values)


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    year: int | None = None

    @classmethod
    def of_year(cls, year: int) -> Period:
        if not 1 <= year <= 9998:  # a report looks ahead to the following year
            raise InvalidValue(f"year {year}: give a year between 1 and 9998")
        first, last = year_bounds(year)
        return cls(first, last, year)

    def label(self, lang: Lang) -> str:
        if self.year is not None:
            return str(self.year)
        span = parse_edtf(f"{self.first.isoformat()}/{self.last.isoformat()}")
        return format_date(span, lang, "long")

    def following(self) -> Period:
        """The period after this one: the next year, or a year from the day after."""
        if self.year is not None:
            return Period.of_year(self.year + 1)
        start = self.last + timedelta(days=1)
        try:
            end = start.replace(year=start.year + 1)
        except ValueError:  # 29 February
            end = start.replace(year=start.year + 1, day=28) + timedelta(days=1)
        return Period(start, end - timedelta(days=1))


@dataclass(frozen=True)
class CitedSource:
    """A source in a report's numbered list, with the events that cite it."""

    number: int
    source: Source
    events: list[str]

    def as_json(self) -> JsonObject:
        return {"number": self.number, **source_json(self.source), "events": self.events}


@dataclass(frozen=True)
class Counts:
    """How many events, by partner, topic, quarter and month (``undetermined`` for events
    that span more than one quarter or month)."""

    events: int = 0
    overlapping: int = 0
    planned_next_year: int = 0
    by_partner: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)
    by_quarter: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    """What a report says, before it is written in any format."""

    period: Period
    lang: Lang
    store_path: str
    store_sha256: str
    generated_at: str | None
    events: list[Event]
    overlapping: list[tuple[Event, list[str]]]
    planned_next: list[Event]
    first_time: list[tuple[Partner, Activity]]
    directory: Directory
    counts: Counts = field(default_factory=lambda: Counts())
    sources: list[CitedSource] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.period.label(self.lang)


def _reasons(event: Event, period: Period) -> list[str]:
    reasons = []
    if event.first < period.first:
        reasons.append("starts-before")
    if event.last > period.last:
        reasons.append("ends-after")
    if event.approximate:
        reasons.append("approximate")
    if event.uncertain:
        reasons.append("uncertain")
    return reasons


def _quarter(event: Event) -> str | None:
    first, last = event.first, event.last
    q1, q2 = (first.month - 1) // 3, (last.month - 1) // 3
    return f"{first.year}-Q{q1 + 1}" if (first.year, q1) == (last.year, q2) else None


def _month(event: Event) -> str | None:
    first, last = event.first.isoformat()[:7], event.last.isoformat()[:7]
    return first if first == last else None


def generated_at(value: str | None, built: datetime | None = None) -> str | None:
    """When a report says it was generated: ``value`` (a date or date-time), else the build's
    time (``SOURCE_DATE_EPOCH``), else nothing, so that reruns give the same bytes."""
    if value is not None:
        try:
            if "T" in value:
                return datetime.fromisoformat(value).isoformat()
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidValue(f"{value!r}: write YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return built.strftime("%Y-%m-%dT%H:%M:%SZ") if built else None


def build_report(
    period: Period,
    lang: Lang,
    selected: Sequence[Event],
    following: Iterable[Event],
    activity: Mapping[str, Activity],
    directory: Directory,
    *,
    store_path: str,
    store_sha256: str,
    generated_at: str | None = None,
) -> Report:
    """Classify the events that overlap a period, and what is planned for the next one.

    ``selected`` are the events overlapping the period, ``following`` those overlapping the
    following period, ``activity`` every partner's first and last event in the whole store.
    """
    events: list[Event] = []
    overlapping: list[tuple[Event, list[str]]] = []
    for event in selected:
        reasons = _reasons(event, period)
        if reasons:
            overlapping.append((event, reasons))
        else:
            events.append(event)
    planned_next = [e for e in following if e.status == "planned"]
    active = {p for e in selected for p in e.partners}
    first_time = [
        (partner, activity[partner.id])
        for partner in directory.partners.values()
        if partner.id in active
        and (first := activity.get(partner.id, Activity()).first) is not None
        and period.first <= first <= period.last
    ]
    first_time.sort(key=lambda item: (item[1].first or date.min, item[0].id))
    report = Report(
        period,
        lang,
        store_path,
        store_sha256,
        generated_at,
        events,
        overlapping,
        planned_next,
        first_time,
        directory,
    )
    report.counts = _counts(report)
    report.sources = _sources([*events, *(e for e, _ in overlapping), *planned_next])
    return report


def _counts(report: Report) -> Counts:
    by_partner = Counter(p for e in report.events for p in e.partners)
    by_topic = Counter(t for e in report.events for t in e.topics)
    quarters = Counter(_quarter(e) or "undetermined" for e in report.events)
    months = Counter(_month(e) or "undetermined" for e in report.events)

    def ordered(counter: Counter[str], keys: Iterable[str]) -> dict[str, int]:
        return {k: counter[k] for k in keys if counter[k]}

    quarter_keys = [*sorted(k for k in quarters if k != "undetermined"), "undetermined"]
    month_keys = [*sorted(k for k in months if k != "undetermined"), "undetermined"]
    directory = report.directory
    return Counts(
        events=len(report.events),
        overlapping=len(report.overlapping),
        planned_next_year=len(report.planned_next),
        by_partner=dict(
            sorted(by_partner.items(), key=lambda kv: (-kv[1], directory.partner_position(kv[0])))
        ),
        by_topic=dict(
            sorted(by_topic.items(), key=lambda kv: (-kv[1], directory.topic_position(kv[0])))
        ),
        by_quarter=ordered(quarters, quarter_keys),
        by_month=ordered(months, month_keys),
    )


def _sources(events: Iterable[Event]) -> list[CitedSource]:
    """Every source cited, numbered in order of first citation (one number a URL)."""
    numbered: dict[str, CitedSource] = {}
    for event in events:
        for source in event.sources:
            entry = numbered.get(source.url)
            if entry is None:
                entry = CitedSource(len(numbered) + 1, source, [])
                numbered[source.url] = entry
            if event.id not in entry.events:
                entry.events.append(event.id)
    return list(numbered.values())


def source_numbers(report: Report, event: Event) -> list[int]:
    by_url = {s.source.url: s.number for s in report.sources}
    return sorted({by_url[s.url] for s in event.sources})


def overview(report: Report) -> str:
    """One paragraph generated from the data: how many, with whom, which topics."""
    lang, label = report.lang, report.label
    directory = report.directory
    if not report.events and not report.overlapping:
        result = text("no_milestones", lang, period=label)
    else:
        partners = [directory.short(p, lang) for p in report.counts.by_partner]
        topics = _topics_sentence(report)
        n = len(report.events)
        if lang == "en":
            result = (
                f"{count_events(n, lang).capitalize()} fall{'s' if n == 1 else ''} within {label}"
            )
            result += f", with {_join(partners, lang)}." if partners else "."
            if report.overlapping:
                m = len(report.overlapping)
                result += (
                    f" {m} more {'overlaps' if m == 1 else 'overlap'} the period or "
                    f"{'is' if m == 1 else 'are'} not precisely dated, and "
                    f"{'is' if m == 1 else 'are'} listed separately."
                )
            result += topics
        else:
            verb = "fällt" if n == 1 else "fallen"
            where = f"ins Jahr {label}" if report.period.year else f"in den Zeitraum {label}"
            result = f"{count_events(n, lang)} {verb} {where}"
            result += f", mit {_join(partners, lang)}." if partners else "."
            if report.overlapping:
                m = len(report.overlapping)
                result += (
                    " Ein weiterer Termin überschneidet sich nur mit dem Zeitraum oder ist "
                    "nicht genau datiert und steht gesondert."
                    if m == 1
                    else f" {m} weitere überschneiden sich nur mit dem Zeitraum oder sind nicht "
                    "genau datiert und stehen gesondert."
                )
            result += topics
    if report.first_time:
        shorts = [directory.short(p.id, lang) for p, _ in report.first_time]
        result += (
            f" First active: {_join(shorts, lang)}."
            if lang == "en"
            else f" Erstmals aktiv: {_join(shorts, lang)}."
        )
    if report.planned_next:
        following = report.period.following().label(lang)
        count = count_events(len(report.planned_next), lang)
        result += (
            f" Planned for {following}: {count}."
            if lang == "en"
            else f" Geplant für {following}: {count}."
        )
    return result


def _topics_sentence(report: Report) -> str:
    """What the events were about: the busiest topics where some came up more than once
    (with their counts), else the topics, without a ranking that is not there."""
    lang, directory = report.lang, report.directory
    counts = report.counts.by_topic
    busiest = [(t, n) for t, n in counts.items() if n > 1][:3]
    if busiest:
        named = [f"{directory.topic_label(t, lang)} ({n})" for t, n in busiest]
        lead = "The busiest topics" if lang == "en" else "Die häufigsten Themen"
        return f" {lead}: {_join(named, lang)}."
    if not counts:
        return ""
    labels = [directory.topic_label(t, lang) for t in counts]
    if len(labels) > 4:
        more = len(labels) - 3
        labels = [*labels[:3], f"{more} more" if lang == "en" else f"{more} weitere"]
    lead = "Topics" if lang == "en" else "Themen"
    return f" {lead}: {_join(labels, lang)}."


def _join(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    joiner = " and " if lang == "en" else " und "
    return ", ".join(items[:-1]) + joiner + items[-1]


def _status(event: Event, lang: Lang) -> str:
    return "" if event.status == "held" else f" ({word(event.status, lang)})"


def _first_event(activity: Activity, lang: Lang) -> str:
    return format_date(activity.first_date, lang) if activity.first_date else ""


# --- formats --------------------------------------------------------------------------------


def _title(report: Report) -> str:
    review = text("review", report.lang, period=report.label)
    return text(
        "report_title", report.lang, title=report.directory.title(report.lang), period=review
    )


def _generated_line(report: Report) -> str:
    line = text(
        "generated",
        report.lang,
        path=report.store_path,
        hash=report.store_sha256[:12],
        version=__version__,
    )
    if report.generated_at:
        line += text("generated_at", report.lang, date=report.generated_at)
    return line + "."


def to_markdown(report: Report) -> str:
    lang, label, directory = report.lang, report.label, report.directory
    out = [
        f"# {md_escape(_title(report))}",
        "",
        f"_{md_escape(_generated_line(report))}_",
        "",
        md_escape(overview(report)),
        "",
    ]

    def item(event: Event, note: str = "") -> list[str]:
        refs = "".join(f"[{n}]" for n in source_numbers(report, event))
        head = (
            f"- **{md_escape(event.when(lang, 'long'))}**{md_escape(_status(event, lang))}: "
            f"{md_escape(event.title[lang])}"
        )
        meta = [
            event.place(lang),
            ", ".join(directory.short(p, lang) for p in event.partners),
            ", ".join(directory.topic_label(t, lang) for t in event.topics),
        ]
        detail = " · ".join(md_escape(m) for m in meta if m)
        # A backslash ends a line (CommonMark, GitHub and pandoc); the summary is a paragraph.
        return [
            head + (f" — _{md_escape(note)}_" if note else "") + " \\",
            f"  {detail} {refs}".rstrip(),
            "",
            f"  {md_escape(event.summary[lang])}",
            "",
        ]

    def section(heading: str, lines: list[str]) -> None:
        out.extend([f"## {md_escape(heading)}", "", *(lines or [text("none", lang)]), ""])

    section(
        text("milestones_in", lang, period=label),
        [line for event in report.events for line in item(event)],
    )
    overlapping = [md_escape(text("overlapping_note", lang, period=label)), ""] + [
        line
        for event, reasons in report.overlapping
        for line in item(event, "; ".join(text(r, lang, period=label) for r in reasons))
    ]
    section(text("overlapping", lang), overlapping if report.overlapping else [])
    out += [f"## {text('counts', lang)}", ""]
    out += _md_counts(report)
    first_time = [
        f"- {md_escape(_partner_label(directory, partner.id, lang))}, "
        f"{text('first_event', lang)}: {md_escape(_first_event(activity, lang))}"
        for partner, activity in report.first_time
    ]
    section(text("first_time", lang), first_time)
    following = report.period.following().label(lang)
    section(
        text("planned_for", lang, period=following),
        [line for event in report.planned_next for line in item(event)],
    )
    section(
        text("sources", lang),
        [
            f"{cited.number}. {md_escape(cited.source.publisher)}: "
            f"{md_escape(cited.source.title)}. <{md_autolink(cited.source.url)}>"
            for cited in report.sources
        ],
    )
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).rstrip("\n") + "\n"


def _count_rows(report: Report) -> dict[str, list[tuple[str, int]]]:
    lang, directory = report.lang, report.directory
    return {
        "by_partner": [
            (_partner_label(directory, p, lang), n) for p, n in report.counts.by_partner.items()
        ],
        "by_topic": [
            (directory.topic_label(t, lang), n) for t, n in report.counts.by_topic.items()
        ],
        "by_quarter": [
            (text("undetermined", lang) if q == "undetermined" else q, n)
            for q, n in report.counts.by_quarter.items()
        ],
    }


def _partner_label(directory: Directory, partner_id: str, lang: Lang) -> str:
    short, full = directory.short(partner_id, lang), directory.partner_name(partner_id, lang)
    return full if short == full else f"{short} – {full}"


def _md_counts(report: Report) -> list[str]:
    lang = report.lang
    out: list[str] = []
    headers = {"by_partner": "partner", "by_topic": "topic", "by_quarter": "quarter"}
    for key, rows in _count_rows(report).items():
        out += [f"### {text(key, lang)}", ""]
        if not rows:
            out += [text("none", lang), ""]
            continue
        out += [f"| {text(headers[key], lang)} | {text('events', lang)} |", "|---|---:|"]
        out += [f"| {md_escape(label)} | {n} |" for label, n in rows]
        out.append("")
    return out


def to_html(report: Report, nav: Nav | None = None) -> str:
    """The report as a page; ``nav`` links it to the pages beside it."""
    from .templates import render

    lang, label, directory = report.lang, report.label, report.directory

    def view(event: Event, reasons: Sequence[str] = ()) -> dict[str, object]:
        return {
            "id": event.id,
            "date": event.when(lang, "long"),
            "status": event.status,
            "status_text": word(event.status, lang),
            "title": event.title[lang],
            "summary": event.summary[lang],
            "place": event.place(lang),
            "partners": [directory.short(p, lang) for p in event.partners],
            "topics": [directory.topic_label(t, lang) for t in event.topics],
            "refs": source_numbers(report, event),
            "note": "; ".join(text(r, lang, period=label) for r in reasons),
        }

    return render(
        "report.html",
        lang=lang,
        version=__version__,
        nav=nav,
        title=_title(report),
        generated=_generated_line(report),
        overview=overview(report),
        t=vocabulary(lang),
        label=label,
        following=report.period.following().label(lang),
        events=[view(e) for e in report.events],
        overlapping=[view(e, reasons) for e, reasons in report.overlapping],
        overlapping_note=text("overlapping_note", lang, period=label),
        planned=[view(e) for e in report.planned_next],
        counts=_count_rows(report),
        first_time=[
            {
                "short": directory.short(p.id, lang),
                "name": directory.partner_name(p.id, lang),
                "first": _first_event(activity, lang),
            }
            for p, activity in report.first_time
        ],
        sources=[cited.as_json() for cited in report.sources],
    )


def to_data(report: Report) -> JsonObject:
    """The JSON object (documented in the README; the events in the listing form)."""
    return {
        "year": report.period.year,
        "period": {
            "first": report.period.first.isoformat(),
            "last": report.period.last.isoformat(),
        },
        "lang": report.lang,
        "generated_from": {"path": report.store_path, "sha256": report.store_sha256},
        "generated_at": report.generated_at,
        "overview": overview(report),
        "events": [event_json(e) for e in report.events],
        "overlapping": [{**event_json(e), "reasons": reasons} for e, reasons in report.overlapping],
        "counts": asdict(report.counts),
        "first_time_partners": [
            {
                "id": partner.id,
                "name": partner.name,
                "short": partner.short,
                "first": activity.first.isoformat() if activity.first else None,
                "first_date": activity.first_date.text if activity.first_date else None,
            }
            for partner, activity in report.first_time
        ],
        "planned_next_year": [event_json(e) for e in report.planned_next],
        "sources": [cited.as_json() for cited in report.sources],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"


CSV_FIELDS = ("section", "date_text", *EVENT_CSV, "reasons")


def to_csv(report: Report) -> str:
    """One row an event of the period: section "in" or "overlapping"."""
    rows = []
    for section, event, reasons in [
        *(("in", e, []) for e in report.events),
        *(("overlapping", e, reasons) for e, reasons in report.overlapping),
    ]:
        row = {"section": section, "date_text": event.when(report.lang, "long")}
        row.update(event_csv_row(event))
        row["reasons"] = " ".join(reasons)
        rows.append(row)
    return csv_text(CSV_FIELDS, rows)


RENDERERS = {"markdown": to_markdown, "html": to_html, "json": to_json, "csv": to_csv}


def render_report(report: Report, fmt: str, nav: Nav | None = None) -> str:
    """The report in a format; ``nav`` (pages only) links it to the pages beside it."""
    return to_html(report, nav) if fmt == "html" else RENDERERS[fmt](report)


def report_file(year: int | None, fmt: str) -> str:
    """The file name of a year's report in ``report --all``: ``report-2019.html``."""
    return f"report-{year}.{EXTENSIONS[fmt]}"


def index(
    reports: Sequence[Report],
    fmt: str,
    lang: Lang,
    title: str,
    *,
    nav: Nav | None = None,
    files: Sequence[str] | None = None,
) -> str:
    """The index of the yearly reports of the record called ``title``: one line a year with
    its counts and a link (to ``files``, by default the names of ``report --all``)."""
    names = files if files is not None else [report_file(r.period.year, fmt) for r in reports]
    rows = [
        {
            "year": r.period.year,
            "file": name,
            "review": text("review", lang, period=r.label).capitalize(),
            "events": len(r.events),
            "overlapping": len(r.overlapping),
        }
        for r, name in zip(reports, names, strict=True)
    ]
    heading = text("report_title", lang, title=title, period=text("reports_index", lang))
    fields = ("year", "file", "events", "overlapping")
    if fmt == "json":
        plain = [{k: row[k] for k in fields} for row in rows]
        return json.dumps({"reports": plain}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return csv_text(fields, ({k: str(row[k]) for k in fields} for row in rows))
    if fmt == "html":
        from .templates import render

        return render(
            "report_index.html",
            lang=lang,
            version=__version__,
            nav=nav,
            heading=heading,
            rows=rows,
            t=vocabulary(lang),
        )
    lines = [
        f"# {md_escape(heading)}",
        "",
        f"| {text('year', lang)} | {text('report', lang)} | "
        f"{text('events', lang)} | {text('overlapping', lang)} |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {r['year']} | [{md_escape(str(r['review']))}]({r['file']}) | {r['events']} | "
        f"{r['overlapping']} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"
