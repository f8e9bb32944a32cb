"""Terminal views: the timeline, the event table and one event in full.

Each view is laid out once, as lines of styled spans at a given width.  Piped output joins the
text and nothing else (no colour, no box drawing, no rich import: this keeps scripts fast);
on a terminal `to_rich` turns the same lines into rich ``Text`` with colours.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .dates import EdtfDate, Lang, format_date, format_point, precision_phrase
from .i18n import count_events, other, word
from .records import Activity, Directory, Event, Partner, Topic

if TYPE_CHECKING:
    from rich.text import Text

Span = tuple[str, str]  # (text, style name); "" is unstyled
Line = list[Span]

# Partner badges take their colour from the partner's place in the store.
_BADGE_COLOURS = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "blue",
    "red",
    "bright_cyan",
    "bright_magenta",
    "bright_green",
    "bright_yellow",
    "bright_blue",
    "bright_red",
)
_STYLES = {
    "year": "bold",
    "rule": "dim",
    "marker": "bold cyan",
    "marker-imprecise": "cyan",
    "marker-planned": "yellow",
    "marker-cancelled": "red",
    "date": "bold",
    "date-planned": "bold yellow",
    "place": "dim",
    "title": "",
    "title-planned": "italic",
    "title-cancelled": "strike",
    "topic": "dim",
    "heading": "bold",
    "label": "bold",
    "muted": "dim",
    "url": "blue underline",
    "other-title": "italic dim",
}


@dataclass(frozen=True, slots=True)
class Glyphs:
    """Markers and rules: Unicode on a terminal, plain ASCII when piped."""

    rule: str
    held: str
    imprecise: str
    planned: str
    cancelled: str
    bullet: str

    @classmethod
    def for_terminal(cls, fancy: bool) -> Glyphs:
        if fancy:
            return cls(rule="│", held="●", imprecise="◐", planned="○", cancelled="✕", bullet="·")
        return cls(rule="|", held="*", imprecise="*", planned="o", cancelled="x", bullet="·")


def badge_style(directory: Directory, partner_id: str) -> str:
    index = directory.partner_position(partner_id)
    index = 0 if index == len(directory.partners) else index
    return f"badge:{_BADGE_COLOURS[index % len(_BADGE_COLOURS)]}"


def wrap(tokens: Sequence[Span], width: int, first: Line, rest: Line) -> list[Line]:
    """Lay out atomic tokens greedily, with a first-line and a continuation prefix."""
    lines: list[Line] = []
    line: Line = list(first)
    used = sum(len(t) for t, _ in first)
    start = used
    for text, style in tokens:
        pieces = [text]
        room = max(width - sum(len(t) for t, _ in rest), 8)
        if len(text) > room and style != "url":  # a broken URL is no longer clickable
            pieces = textwrap.wrap(text, room, break_on_hyphens=False) or [text]
        for piece in pieces:
            needed = len(piece) + (1 if used > start else 0)
            if used > start and used + needed > width:
                lines.append(line)
                line = list(rest)
                used = start = sum(len(t) for t, _ in rest)
                needed = len(piece)
            if used > start:
                line.append((" ", ""))
            line.append((piece, style))
            used += needed
    lines.append(line)
    return lines


def words(text: str, style: str) -> list[Span]:
    return [(w, style) for w in text.split()]


def _status_suffix(event: Event, lang: Lang) -> str:
    return "" if event.status == "held" else f" ({word(event.status, lang)})"


def timeline(
    events: Iterable[Event],
    directory: Directory,
    lang: Lang,
    width: int = 80,
    *,
    fancy: bool = False,
) -> list[Line]:
    """Events grouped by year, a vertical rule with a marker per event."""
    g = Glyphs.for_terminal(fancy)
    width = max(width, 40)
    out: list[Line] = []
    year = None
    count = 0
    first_year = last_year = None
    gutter: Line = [("  ", ""), (g.rule, "rule"), ("   ", "")]
    for event in events:
        count += 1
        this_year = event.first.year
        first_year = first_year or this_year
        last_year = max(last_year or this_year, event.last.year)
        if this_year != year:
            if year is not None:
                out.append([("  ", ""), (g.rule, "rule")])
            year = this_year
            out.append([(str(year), "year")])
            out.append([("  ", ""), (g.rule, "rule")])
        else:
            out.append([("  ", ""), (g.rule, "rule")])
        status = event.status
        if status == "planned":
            marker, marker_style = g.planned, "marker-planned"
        elif status == "cancelled":
            marker, marker_style = g.cancelled, "marker-cancelled"
        elif event.precise:
            marker, marker_style = g.held, "marker"
        else:
            marker, marker_style = g.imprecise, "marker-imprecise"
        head: Line = [("  ", ""), (marker, marker_style), (" ", "")]
        date_text = event.when(lang) + _status_suffix(event, lang)
        tokens: list[Span] = [(date_text, "date-planned" if status == "planned" else "date")]
        place = event.place(lang)
        if place:
            tokens += [(g.bullet, "muted"), *words(place, "place")]
        rest: Line = [("  ", ""), (g.rule, "rule"), ("   ", "")]
        out += wrap(tokens, width, head, rest)
        title_style = {"planned": "title-planned", "cancelled": "title-cancelled"}.get(
            status, "title"
        )
        out += wrap(words(event.title[lang], title_style), width, gutter, gutter)
        meta: list[Span] = [
            (_badge(directory.short(p, lang), fancy), badge_style(directory, p))
            for p in event.partners
        ]
        topics = [directory.topic_label(t, lang) for t in event.topics]
        if topics:
            meta.append((g.bullet, "muted"))
            meta += words(", ".join(topics), "topic")
        out += wrap(meta, width, gutter, gutter)
    if count:
        span = f"{first_year}–{last_year}" if first_year != last_year else str(first_year)
        out += [[], [(f"{count_events(count, lang)}, {span}", "muted")]]
    return out


def _badge(short: str, fancy: bool) -> str:
    # Coloured blocks on a terminal; brackets keep badges apart in plain text.
    return f" {short} " if fancy else f"[{short}]"


def event_rows(events: Iterable[Event], directory: Directory, lang: Lang) -> list[list[str]]:
    """The cells of the event table: date, title, partners, topics, place."""
    return [
        [
            e.when(lang) + _status_suffix(e, lang),
            e.title[lang],
            " ".join(directory.short(p, lang) for p in e.partners),
            ", ".join(directory.topic_label(t, lang) for t in e.topics),
            e.place(lang),
        ]
        for e in events
    ]


def event_headers(lang: Lang) -> list[str]:
    return [word(k, lang) for k in ("date", "title", "partners", "topics", "place")]


def _share(budget: int, wanted: list[int], floors: list[int], weights: list[int]) -> list[int]:
    """Split ``budget`` columns: narrow columns get what they need, wide ones share by weight."""
    result = list(floors)
    pending = sorted(range(len(wanted)), key=lambda i: wanted[i] / weights[i])
    left = budget
    while pending:
        unit = left / sum(weights[j] for j in pending)
        i = pending[0]
        if wanted[i] <= unit * weights[i]:
            result[i] = max(wanted[i], floors[i])
            left -= result[i]
            pending.pop(0)
            continue
        for j in pending:
            result[j] = max(int(unit * weights[j]), floors[j])
        break
    return result


def grid(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    flexible: Sequence[int] = (),
    *,
    fancy: bool = False,
) -> list[Line]:
    """A table of padded columns with long cells wrapped; a box-drawing rule only if fancy."""
    n = len(headers)
    gap = 2
    natural = [max([len(headers[i])] + [len(r[i]) for r in rows]) for i in range(n)]
    flexible = [i for i in (flexible or range(n)) if i < n]
    fixed = sum(natural[i] for i in range(n) if i not in flexible)
    # The first flexible column (the title) gets a double share.
    widths = _share(
        width - fixed - gap * (n - 1),
        [natural[i] for i in flexible],
        [max(len(headers[i]), 8) for i in flexible],
        [2 if k == 0 else 1 for k in range(len(flexible))],
    )
    widths = [widths[flexible.index(i)] if i in flexible else natural[i] for i in range(n)]
    out: list[Line] = []

    def emit(cells: Sequence[str], style: str) -> None:
        wrapped = [
            textwrap.wrap(c, widths[i], break_on_hyphens=False) or [""] for i, c in enumerate(cells)
        ]
        for k in range(max(len(w) for w in wrapped)):
            parts = []
            for i in range(n):
                text = wrapped[i][k] if k < len(wrapped[i]) else ""
                parts.append(text.ljust(widths[i]) if i < n - 1 else text)
            out.append([((" " * gap).join(parts).rstrip(), style)])

    emit(headers, "heading")
    out.append([((" " * gap).join(("─" if fancy else "-") * w for w in widths), "muted")])
    for row in rows:
        emit(row, "")
    return out


def show(
    event: Event, directory: Directory, lang: Lang, width: int = 80, *, fancy: bool = False
) -> list[Line]:
    """One event in full: both titles, when, where, who, what, and numbered sources."""
    width = max(width, 40)
    label_width = (
        max(len(word(k, lang)) for k in ("when", "where", "status", "partners", "topics", "people"))
        + 2
    )
    pad: Line = [(" " * label_width, "")]
    out: list[Line] = []
    out += wrap(words(event.title[lang], "heading"), width, [], [])
    out += wrap(words(event.title[other(lang)], "other-title"), width, [], [])
    out.append([])

    def field(key: str, values: list[list[Span]]) -> None:
        for i, tokens in enumerate(values):
            first = [(word(key, lang).ljust(label_width), "label")] if i == 0 else pad
            out.extend(wrap(tokens, width, first, pad))

    when = event.when(lang, "long")
    phrase = precision_phrase(event.date, lang)
    field("when", [words(when, "date") + words(f"({event.date.text}; {phrase})", "muted")])
    if event.location is not None:
        tokens = words(event.place(lang, address=True), "")
        coordinates = event.location.coordinates
        if coordinates is not None:
            tokens += words(f"({coordinates.lat:.4f}, {coordinates.lon:.4f})", "muted")
        field("where", [tokens])
    field("status", [[(word(event.status, lang), "")]])
    field(
        "partners",
        [
            [
                (_badge(directory.short(p, lang), fancy), badge_style(directory, p)),
                *words(directory.partner_name(p, lang), ""),
            ]
            for p in event.partners
        ],
    )
    if event.topics:
        topics = ", ".join(directory.topic_label(t, lang) for t in event.topics)
        field("topics", [words(topics, "")])
    if event.people:
        field("people", [words(person.label(lang), "") for person in event.people])
    out.append([])
    for paragraph in event.summary[lang].split("\n\n"):
        out += wrap(words(paragraph, ""), width, [], [])
    out.append([])
    out.append([(word("sources", lang), "heading")])
    for number, source in enumerate(event.sources, 1):
        prefix = f"{number:>3}. "
        indent: Line = [(" " * len(prefix), "")]
        page = source.date
        extra = ""
        if page is not None:
            # "page of 9 Aug 2019", but "as of 2025" for a page known only to the year.
            key = "page_date" if page.precision == "day" and not page.is_interval else "page_as_of"
            extra = f" ({word(key, lang, date=format_date(page, lang))})"
        out += wrap(
            words(f"{source.publisher}: {source.title}{extra} [{source.language}]", ""),
            width,
            [(prefix, "muted")],
            indent,
        )
        out += wrap([(source.url, "url")], width, indent, indent)
    if event.updated is not None:
        out.append([])
        out.append([(f"{word('updated', lang)}: {event.updated.isoformat()}", "muted")])
    return out


def _first(value: EdtfDate | None, lang: Lang) -> str:
    return format_point(value.start, lang) if value else ""


def _last(value: EdtfDate | None, lang: Lang) -> str:
    return format_point(value.end or value.start, lang) if value else ""


def partner_rows(
    partners: Iterable[Partner], activity: Mapping[str, Activity], lang: Lang
) -> list[list[str]]:
    rows = []
    for p in partners:
        a = activity.get(p.id, Activity())
        rows.append(
            [
                p.id,
                p.label(lang),
                p.country,
                str(a.events),
                _first(a.first_date, lang),
                _last(a.last_date, lang),
            ]
        )
    return rows


def partner_headers(lang: Lang) -> list[str]:
    return [word(k, lang) for k in ("id", "name", "country", "events", "first", "last")]


def topic_rows(
    topics: Iterable[Topic], activity: Mapping[str, Activity], lang: Lang
) -> list[list[str]]:
    rows = []
    for t in topics:
        a = activity.get(t.id, Activity())
        rows.append(
            [
                t.id,
                t.label[lang],
                str(a.events),
                _first(a.first_date, lang),
                _last(a.last_date, lang),
            ]
        )
    return rows


def topic_headers(lang: Lang) -> list[str]:
    return [word(k, lang) for k in ("id", "label", "events", "first", "last")]


def to_plain(lines: Iterable[Line]) -> str:
    return "".join("".join(text for text, _ in line).rstrip() + "\n" for line in lines)


def to_rich(lines: Iterable[Line]) -> Text:
    """The same lines as rich Text, coloured (import rich only on a terminal)."""
    from rich.text import Text

    text = Text()
    for line in lines:
        for chunk, style in line:
            if style.startswith("badge:"):
                text.append(chunk, style=f"bold black on {style[6:]}")
            else:
                text.append(chunk, style=_STYLES.get(style, ""))
        text.append("\n")
    return text
