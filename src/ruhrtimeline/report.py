"""Yearly (or any period's) reports: the data first, then Markdown, HTML, JSON and CSV.

Uncertainty is honest: an event is "in" the period only when every day it covers lies inside
the period and its date is neither approximate nor uncertain; every other event that overlaps
the period is listed as overlapping, with the reasons.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import __version__
from .dates import Lang, format_date, parse_edtf, year_bounds
from .i18n import Names, count_events, place_text, vocabulary, word
from .listing import EVENT_CSV_FIELDS, csv_text, event_csv_row, md_escape
from .query import EventFilter
from .store import EventRecord, Store

FORMATS = ("markdown", "html", "json", "csv")
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}
REASONS = ("starts-before", "ends-after", "approximate", "uncertain")


def text(key: str, lang: Lang, **values: Any) -> str:
    return word(key, lang, **values)


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    year: int | None = None

    @classmethod
    def of_year(cls, year: int) -> Period:
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


@dataclass
class Report:
    """What a report says, before it is written in any format."""

    period: Period
    lang: Lang
    store_path: str
    store_sha256: str
    generated_at: str | None
    events: list[EventRecord]
    overlapping: list[tuple[EventRecord, list[str]]]
    planned_next: list[EventRecord]
    first_time: list[dict[str, Any]]
    names: Names
    counts: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.period.label(self.lang)


def _reasons(record: EventRecord, period: Period) -> list[str]:
    reasons = []
    if date.fromisoformat(record["start"]) < period.first:
        reasons.append("starts-before")
    if date.fromisoformat(record["end"]) > period.last:
        reasons.append("ends-after")
    if record["approximate"]:
        reasons.append("approximate")
    if record["uncertain"]:
        reasons.append("uncertain")
    return reasons


def _quarter(record: EventRecord) -> str | None:
    first, last = date.fromisoformat(record["start"]), date.fromisoformat(record["end"])
    q1, q2 = (first.month - 1) // 3, (last.month - 1) // 3
    return f"{first.year}-Q{q1 + 1}" if (first.year, q1) == (last.year, q2) else None


def _month(record: EventRecord) -> str | None:
    first, last = record["start"][:7], record["end"][:7]
    return first if first == last else None


def build_report(
    store: Store,
    period: Period,
    lang: Lang,
    flt: EventFilter | None = None,
    generated_at: str | None = None,
    store_path: str | None = None,
) -> Report:
    """Select and classify the events of a period (and of the following one, if planned)."""
    base = flt or EventFilter()
    within = _with_period(base, period)
    selected = store.events(within)
    events: list[EventRecord] = []
    overlapping: list[tuple[EventRecord, list[str]]] = []
    for record in selected:
        reasons = _reasons(record, period)
        if reasons:
            overlapping.append((record, reasons))
        else:
            events.append(record)
    following = period.following()
    planned_next = [
        r for r in store.events(_with_period(base, following)) if r["status"] == "planned"
    ]

    partners = store.partners()
    active = {p for r in selected for p in r["partners"]}
    first_time = [
        {
            "id": p["id"],
            "name": p["name"],
            "short": p["short"],
            "first": p["first"],
            "first_date": p["first_date"],
        }
        for p in partners
        if p["id"] in active
        and p["first"]
        and period.first <= date.fromisoformat(p["first"]) <= period.last
    ]
    first_time.sort(key=lambda p: (p["first"], p["id"]))

    names = Names(store.partner_map(), store.topic_map())
    report = Report(
        period,
        lang,
        store_path or store.display_path,
        store.fingerprint.sha256,
        generated_at,
        events,
        overlapping,
        planned_next,
        first_time,
        names,
    )
    report.counts = _counts(report)
    report.sources = _sources([*events, *(r for r, _ in overlapping), *planned_next])
    return report


def _with_period(flt: EventFilter, period: Period) -> EventFilter:
    first = period.first if flt.first is None else max(flt.first, period.first)
    last = period.last if flt.last is None else min(flt.last, period.last)
    return EventFilter(
        flt.partners,
        flt.all_partners,
        flt.topics,
        flt.all_topics,
        first,
        last,
        flt.statuses,
        flt.precisions,
        flt.search,
    )


def _counts(report: Report) -> dict[str, Any]:
    by_partner = Counter(p for r in report.events for p in r["partners"])
    by_topic = Counter(t for r in report.events for t in r["topics"])
    quarters = Counter(_quarter(r) or "undetermined" for r in report.events)
    months = Counter(_month(r) or "undetermined" for r in report.events)

    def ordered(counter: Counter[str], keys: Iterable[str]) -> dict[str, int]:
        return {k: counter[k] for k in keys if counter[k]}

    quarter_keys = [*sorted(k for k in quarters if k != "undetermined"), "undetermined"]
    month_keys = [*sorted(k for k in months if k != "undetermined"), "undetermined"]
    partner_order = list(report.names.partners)
    topic_order = list(report.names.topics)
    return {
        "events": len(report.events),
        "overlapping": len(report.overlapping),
        "planned_next_year": len(report.planned_next),
        "by_partner": dict(
            sorted(
                by_partner.items(),
                key=lambda kv: (
                    -kv[1],
                    partner_order.index(kv[0]) if kv[0] in partner_order else 0,
                ),
            )
        ),
        "by_topic": dict(
            sorted(
                by_topic.items(),
                key=lambda kv: (-kv[1], topic_order.index(kv[0]) if kv[0] in topic_order else 0),
            )
        ),
        "by_quarter": ordered(quarters, quarter_keys),
        "by_month": ordered(months, month_keys),
    }


def _sources(records: Iterable[EventRecord]) -> list[dict[str, Any]]:
    """Every source cited, numbered in order of first citation (one number a URL)."""
    numbered: dict[str, dict[str, Any]] = {}
    for record in records:
        for source in record["sources"]:
            entry = numbered.get(source["url"])
            if entry is None:
                entry = {"number": len(numbered) + 1, **source, "events": []}
                numbered[source["url"]] = entry
            if record["id"] not in entry["events"]:
                entry["events"].append(record["id"])
    return list(numbered.values())


def source_numbers(report: Report, record: EventRecord) -> list[int]:
    by_url = {s["url"]: s["number"] for s in report.sources}
    return sorted({by_url[s["url"]] for s in record["sources"]})


def overview(report: Report) -> str:
    """One paragraph generated from the data: how many, with whom, which topics."""
    lang, label = report.lang, report.label
    names = report.names
    if not report.events and not report.overlapping:
        result = text("no_milestones", lang, period=label)
    else:
        partners = [names.short(p) for p in report.counts["by_partner"]]
        topics = [
            f"{names.topic(t, lang)} ({n})" for t, n in list(report.counts["by_topic"].items())[:3]
        ]
        n = len(report.events)
        if lang == "en":
            result = (
                f"{count_events(n, lang).capitalize()} of the Metropole Ruhr's international "
                f"partnerships fall{'s' if n == 1 else ''} within {label}"
            )
            result += f", with {_join(partners, lang)}." if partners else "."
            if report.overlapping:
                m = len(report.overlapping)
                result += (
                    f" {m} more {'overlaps' if m == 1 else 'overlap'} the period or "
                    f"{'is' if m == 1 else 'are'} not precisely dated, and "
                    f"{'is' if m == 1 else 'are'} listed separately."
                )
            if topics:
                result += f" The busiest topics: {_join(topics, lang)}."
        else:
            verb = "fällt" if n == 1 else "fallen"
            where = f"ins Jahr {label}" if report.period.year else f"in den Zeitraum {label}"
            result = (
                f"{count_events(n, lang)} der internationalen Partnerschaften der Metropole "
                f"Ruhr {verb} {where}"
            )
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
            if topics:
                result += f" Die häufigsten Themen: {_join(topics, lang)}."
    if report.first_time:
        shorts = [p["short"] for p in report.first_time]
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


def _join(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " and " if lang == "en" else " und "
    return ", ".join(items[:-1]) + word + items[-1]


def event_date(record: EventRecord, lang: Lang) -> str:
    return format_date(parse_edtf(record["date"]), lang, "long", record["timezone"])


# --- formats --------------------------------------------------------------------------------


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
    lang, label, names = report.lang, report.label, report.names
    out = [
        f"# {md_escape(text('report_title', lang, period=text('review', lang, period=label)))}",
        "",
        f"_{md_escape(_generated_line(report))}_",
        "",
        md_escape(overview(report)),
        "",
    ]

    def item(record: EventRecord, note: str = "") -> list[str]:
        refs = "".join(f"[{n}]" for n in source_numbers(report, record))
        status = "" if record["status"] == "held" else f" ({word(record['status'], lang)})"
        head = (
            f"- **{md_escape(event_date(record, lang))}**{md_escape(status)}: "
            f"{md_escape(record['title'][lang])}"
        )
        meta = [
            place_text(record["location"], lang),
            ", ".join(names.short(p) for p in record["partners"]),
            ", ".join(names.topic(t, lang) for t in record["topics"]),
        ]
        detail = " · ".join(md_escape(m) for m in meta if m)
        # A backslash ends a line (CommonMark, GitHub and pandoc); the summary is a paragraph.
        return [
            head + (f" — _{md_escape(note)}_" if note else "") + " \\",
            f"  {detail} {refs}".rstrip(),
            "",
            f"  {md_escape(record['summary'][lang])}",
            "",
        ]

    def section(heading: str, lines: list[str]) -> None:
        out.extend([f"## {md_escape(heading)}", "", *(lines or [text("none", lang)]), ""])

    section(
        text("milestones_in", lang, period=label),
        [line for record in report.events for line in item(record)],
    )
    overlapping = [md_escape(text("overlapping_note", lang, period=label)), ""] + [
        line
        for record, reasons in report.overlapping
        for line in item(record, "; ".join(text(r, lang, period=label) for r in reasons))
    ]
    section(text("overlapping", lang), overlapping if report.overlapping else [])
    out += [f"## {text('counts', lang)}", ""]
    out += _md_counts(report)
    first_time = []
    for partner in report.first_time:
        first = format_date(parse_edtf(partner["first_date"]), lang)
        label_text = _partner_label(names, partner["id"], lang)
        first_time.append(
            f"- {md_escape(label_text)} ({text('first_event', lang)}: {md_escape(first)})"
        )
    section(text("first_time", lang), first_time)
    following = report.period.following().label(lang)
    section(
        text("planned_for", lang, period=following),
        [line for record in report.planned_next for line in item(record)],
    )
    section(
        text("sources", lang),
        [
            f"{source['number']}. {md_escape(source['publisher'])}: "
            f"{md_escape(source['title'])}. <{source['url']}>"
            for source in report.sources
        ],
    )
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).rstrip("\n") + "\n"


def _count_rows(report: Report) -> dict[str, list[tuple[str, int]]]:
    lang, names = report.lang, report.names
    counts = report.counts
    return {
        "by_partner": [
            (_partner_label(names, p, lang), n) for p, n in counts["by_partner"].items()
        ],
        "by_topic": [(names.topic(t, lang), n) for t, n in counts["by_topic"].items()],
        "by_quarter": [
            (text("undetermined", lang) if q == "undetermined" else q, n)
            for q, n in counts["by_quarter"].items()
        ],
    }


def _partner_label(names: Names, partner_id: str, lang: Lang) -> str:
    short, full = names.short(partner_id), names.partner(partner_id, lang)
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


def to_html(report: Report) -> str:
    from .templates import render

    lang, label, names = report.lang, report.label, report.names

    def view(record: EventRecord, reasons: list[str] | None = None) -> dict[str, Any]:
        return {
            "id": record["id"],
            "date": event_date(record, lang),
            "status": record["status"],
            "status_text": word(record["status"], lang),
            "title": record["title"][lang],
            "summary": record["summary"][lang],
            "place": place_text(record["location"], lang),
            "partners": [names.short(p) for p in record["partners"]],
            "topics": [names.topic(t, lang) for t in record["topics"]],
            "refs": source_numbers(report, record),
            "note": "; ".join(text(r, lang, period=label) for r in reasons or []),
        }

    return render(
        "report.html",
        lang=lang,
        version=__version__,
        title=text("report_title", lang, period=text("review", lang, period=label)),
        generated=_generated_line(report),
        overview=overview(report),
        t=vocabulary(lang),
        label=label,
        following=report.period.following().label(lang),
        events=[view(r) for r in report.events],
        overlapping=[view(r, reasons) for r, reasons in report.overlapping],
        overlapping_note=text("overlapping_note", lang, period=label),
        planned=[view(r) for r in report.planned_next],
        counts=_count_rows(report),
        first_time=[
            {
                "short": p["short"],
                "name": names.partner(p["id"], lang),
                "first": format_date(parse_edtf(p["first_date"]), lang),
            }
            for p in report.first_time
        ],
        sources=report.sources,
    )


def to_data(report: Report) -> dict[str, Any]:
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
        "events": report.events,
        "overlapping": [{**record, "reasons": reasons} for record, reasons in report.overlapping],
        "counts": report.counts,
        "first_time_partners": report.first_time,
        "planned_next_year": report.planned_next,
        "sources": report.sources,
    }


def to_json(report: Report) -> str:
    return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"


CSV_FIELDS = ("section", "date_text", *EVENT_CSV_FIELDS, "reasons")


def to_csv(report: Report) -> str:
    """One row an event of the period: section "in" or "overlapping"."""
    rows = []
    for section, record, reasons in [
        *(("in", r, []) for r in report.events),
        *(("overlapping", r, reasons) for r, reasons in report.overlapping),
    ]:
        row = {"section": section, "date_text": event_date(record, report.lang)}
        row.update(event_csv_row(record))
        row["reasons"] = " ".join(reasons)
        rows.append(row)
    return csv_text(CSV_FIELDS, rows)


RENDERERS = {"markdown": to_markdown, "html": to_html, "json": to_json, "csv": to_csv}


def render_report(report: Report, fmt: str) -> str:
    return RENDERERS[fmt](report)


def index(reports: list[Report], fmt: str, lang: Lang) -> str:
    """The index of ``report --all``: one line a year with its counts and file."""
    ext = EXTENSIONS[fmt]
    rows = [
        {
            "year": r.period.year,
            "file": f"report-{r.period.year}.{ext}",
            "events": len(r.events),
            "overlapping": len(r.overlapping),
        }
        for r in reports
    ]
    heading = text("reports_index", lang)
    if fmt == "json":
        return json.dumps({"reports": rows}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return csv_text(
            ("year", "file", "events", "overlapping"),
            ({k: str(v) for k, v in row.items()} for row in rows),
        )
    if fmt == "html":
        from .templates import render

        return render(
            "report_index.html",
            lang=lang,
            version=__version__,
            heading=heading,
            rows=rows,
            t=vocabulary(lang),
        )
    lines = [
        f"# {heading}",
        "",
        f"| {text('year', lang)} | {text('report', lang)} | "
        f"{text('events', lang)} | {text('overlapping', lang)} |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {r['year']} | [{r['file']}]({r['file']}) | {r['events']} | {r['overlapping']} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"
