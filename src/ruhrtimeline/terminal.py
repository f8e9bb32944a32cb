"""Terminal views: the timeline, the event table and one event in full.

Each view is laid out once, as lines of styled spans at a given width.  Piped output joins the
text and nothing else (no colour, no box drawing, no rich import: this keeps scripts fast);
on a terminal `to_rich` turns the same lines into rich ``Text`` with colours.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .dates import EdtfDate, Lang, format_date, format_point, parse_edtf, precision_phrase
from .i18n import count_events, other, word
from .records import Activity, Directory, Event, Partner, Topic

if TYPE_CHECKING:
    from rich.text import Text

Span = tuple[str, str]  # (text, style name); "" is unstyled
Line = list[Span]

# What a terminal would obey rather than show: C0 and C1 controls (ESC starts colour, cursor
# and clipboard sequences), DEL, and the bidirectional overrides that reorder a line.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Text as a terminal or a log shows it literally: control and bidi characters written as
    escapes (``\\x1b``, ``\\u202e``) instead of acted on."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# Partner badges take their colour from the partner's place in the store: white bold text on
# mid-dark backgrounds (contrast 4.5:1 or more), which stand out on light and dark terminal
# themes alike; sixteen of them, so that a store's first sixteen partners never share one.
_BADGE_COLOURS = (
    "#1d4ed8",  # blue
    "#b91c1c",  # red
    "#047857",  # green
    "#7e22ce",  # purple
    "#a16207",  # ochre
    "#0e7490",  # cyan
    "#be185d",  # pink
    "#4d7c0f",  # olive
    "#c2410c",  # orange
    "#4338ca",  # indigo
    "#0f766e",  # teal
    "#9f1239",  # crimson
    "#57534e",  # stone
    "#6d28d9",  # violet
    "#15803d",  # leaf
    "#1e3a8a",  # navy
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
    "url": "underline",  # the terminal's own text colour reads on any theme
    "other-title": "italic dim",
    "today-line": "bold magenta",
    "month": "bold",
    "weekday": "dim",
    "week": "dim",
    "busy": "bold cyan",
    "today": "reverse",
    "today-busy": "reverse bold cyan",
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
    today: str

    @classmethod
    def for_terminal(cls, fancy: bool) -> Glyphs:
        if fancy:
            return cls(
                rule="│", held="●", imprecise="◐", planned="○", cancelled="✕", bullet="·", today="▶"
            )
        return cls(
            rule="|", held="*", imprecise="*", planned="o", cancelled="x", bullet="·", today=">"
        )


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
    coloured: bool = False,
    today: date | None = None,
) -> list[Line]:
    """Events grouped by year, a vertical rule with a marker per event.

    ``fancy`` draws Unicode markers and rules (a terminal); ``coloured`` draws partners as
    coloured badges instead of bracketed names.  ``today`` is marked by a line where it
    falls, if it lies between the first day and the last day shown."""
    g = Glyphs.for_terminal(fancy)
    width = max(width, 40)
    events = list(events)
    if today is not None and not (
        events and events[0].first <= today <= max(e.last for e in events)
    ):
        today = None
    out: list[Line] = []
    year = None
    count = 0
    first_year = last_year = None
    gutter: Line = [("  ", ""), (g.rule, "rule"), ("   ", "")]
    for event in events:
        if today is not None and event.first > today:
            if today.year != year:  # a year without events of its own until today
                year = today.year
                out += [[("  ", ""), (g.rule, "rule")], [(str(year), "year")]]
            out += _today_line(today, lang, g)
            today = None
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
            (badge_label(directory, p, lang, coloured), badge_style(directory, p))
            for p in event.partners
        ]
        topics = [directory.topic_label(t, lang) for t in event.topics]
        if topics:
            meta.append((g.bullet, "muted"))
            meta += words(", ".join(topics), "topic")
        out += wrap(meta, width, gutter, gutter)
    if today is not None:  # after the last event to begin
        if today.year != year:
            out += [[("  ", ""), (g.rule, "rule")], [(str(today.year), "year")]]
        out += _today_line(today, lang, g)
    if count:
        span = f"{first_year}–{last_year}" if first_year != last_year else str(first_year)
        out += [[], [(f"{count_events(count, lang)}, {span}", "muted")]]
    return out


def _today_line(today: date, lang: Lang, g: Glyphs) -> list[Line]:
    label = word("today_line", lang, date=format_date(parse_edtf(today.isoformat()), lang))
    return [
        [("  ", ""), (g.rule, "rule")],
        [("  ", ""), (g.today, "today-line"), (" " + label, "today-line")],
    ]


def badge_label(directory: Directory, partner_id: str, lang: Lang, coloured: bool) -> str:
    """A partner's short name as a badge: a coloured block where there is colour, brackets
    (which keep badges apart) everywhere else."""
    short = directory.short(partner_id, lang)
    return f" {short} " if coloured else f"[{short}]"


#: The columns of the event table, by name: header word and cell (``list --columns``).
EVENT_COLUMNS: dict[str, tuple[str, Callable[[Event, Directory, Lang], str]]] = {
    "id": ("id", lambda e, d, lang: e.id),
    "date": ("date", lambda e, d, lang: e.when(lang) + _status_suffix(e, lang)),
    "title": ("title", lambda e, d, lang: e.title[lang]),
    "partners": ("partners", lambda e, d, lang: " ".join(d.short(p, lang) for p in e.partners)),
    "topics": ("topics", lambda e, d, lang: ", ".join(d.topic_label(t, lang) for t in e.topics)),
    "place": ("place", lambda e, d, lang: e.place(lang)),
    "status": ("status", lambda e, d, lang: word(e.status, lang)),
}
DEFAULT_COLUMNS = ("date", "title", "partners", "topics", "place")


@dataclass(frozen=True)
class Table:
    """Headers and cells; ``main`` is the column of running text (it gets a double share)."""

    headers: list[str]
    rows: list[list[str]]
    main: int | None = None


def event_table(
    events: Iterable[Event],
    directory: Directory,
    lang: Lang,
    columns: Sequence[str] = DEFAULT_COLUMNS,
) -> Table:
    """The event table, in the columns asked for."""
    chosen = [EVENT_COLUMNS[name] for name in columns]
    headers = [word(key, lang) for key, _ in chosen]
    rows = [[cell(e, directory, lang) for _, cell in chosen] for e in events]
    return Table(headers, rows, columns.index("title") if "title" in columns else None)


_GAP = 2
_READABLE = 12  # a column narrower than this (unless its text is shorter) no longer reads


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _typical(lengths: list[int]) -> int:
    # What most cells need: one long outlier (a timed date) wraps instead of widening all.
    ordered = sorted(lengths)
    return ordered[min(len(ordered) - 1, (len(ordered) * 3) // 4)] if ordered else 0


def column_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, main: int | None = None
) -> list[int] | None:
    """Widths that fit ``width`` without splitting a word, or None where a table would not
    read (then the rows are stacked).  Columns get what their longest word needs, the first
    column (the date) what most of its cells need, then the others what most of theirs need,
    then the rest in proportion to what is still missing."""
    n = len(headers)
    room = width - _GAP * (n - 1)
    cells = [[row[i] for row in rows] for i in range(n)]
    natural = [max([len(headers[i])] + [len(c) for c in cells[i]]) for i in range(n)]
    need = [
        max([_longest_word(headers[i])] + [_longest_word(c) for c in cells[i]]) for i in range(n)
    ]
    if sum(natural) <= room:
        return natural
    floor = [max(need[i], min(natural[i], _READABLE)) for i in range(n)]
    if sum(floor) > room:
        return None
    typical = [max(floor[i], _typical([len(c) for c in cells[i]])) for i in range(n)]
    weight = [2 if i == main else 1 for i in range(n)]  # running text gets a double share
    widths = list(floor)
    # The first column (the date, or an id) gets what most of its cells need first.
    widths[0] = min(typical[0], widths[0] + room - sum(widths))
    for target in (typical, natural):
        missing = [target[i] - widths[i] for i in range(n)]
        left = room - sum(widths)
        if sum(missing) <= left:
            widths = list(target)
            continue
        total = sum(missing[i] * weight[i] for i in range(n))
        share = [min(missing[i], missing[i] * weight[i] * left // total) for i in range(n)]
        widths = [widths[i] + share[i] for i in range(n)]
        for i in sorted(range(n), key=lambda k: -missing[k])[: left - sum(share)]:
            widths[i] += 1
        break
    return widths


def _lines(text: str, width: int) -> list[str]:
    # Between words only; a word longer than the whole width is the one exception.
    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=True) or [""]


def grid(table: Table, width: int, *, fancy: bool = False) -> list[Line]:
    """A table whose lines never exceed ``width`` and whose words are never split; below the
    width where columns no longer read, one block per row ("stacked")."""
    headers, rows = table.headers, table.rows
    widths = column_widths(headers, rows, width, table.main)
    if widths is None:
        return _stacked(headers, rows, width)
    n = len(headers)
    out: list[Line] = []

    def emit(cells: Sequence[str], style: str) -> None:
        wrapped = [_lines(c, widths[i]) for i, c in enumerate(cells)]
        for k in range(max(len(w) for w in wrapped)):
            parts = []
            for i in range(n):
                text = wrapped[i][k] if k < len(wrapped[i]) else ""
                parts.append(text.ljust(widths[i]) if i < n - 1 else text)
            out.append([((" " * _GAP).join(parts).rstrip(), style)])

    emit(headers, "heading")
    out.append([((" " * _GAP).join(("─" if fancy else "-") * w for w in widths), "muted")])
    for row in rows:
        emit(row, "")
    return out


def _stacked(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[Line]:
    """One block a row: the first cell as its heading, then "Header: value" lines."""
    out: list[Line] = []
    indent = "  "
    for number, row in enumerate(rows):
        if number:
            out.append([])
        out += [[(line, "heading")] for line in _lines(row[0], width)]
        for header, cell in zip(headers[1:], row[1:], strict=True):
            if not cell:
                continue
            tokens = words(f"{header}:", "label") + words(cell, "")
            out += wrap(tokens, width, [(indent, "")], [(indent * 2, "")])
    return out


def show(
    event: Event, directory: Directory, lang: Lang, width: int = 80, *, coloured: bool = False
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
                (badge_label(directory, p, lang, coloured), badge_style(directory, p)),
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


def partner_table(
    partners: Iterable[Partner], activity: Mapping[str, Activity], lang: Lang
) -> Table:
    headers = [word(k, lang) for k in ("id", "name", "country", "events", "first", "last")]
    rows = []
    for p in partners:
        a = activity.get(p.id, Activity())
        first, last = _first(a.first_date, lang), _last(a.last_date, lang)
        rows.append([p.id, p.label(lang), p.country, str(a.events), first, last])
    return Table(headers, rows, main=1)


def topic_table(topics: Iterable[Topic], activity: Mapping[str, Activity], lang: Lang) -> Table:
    headers = [word(k, lang) for k in ("id", "label", "events", "first", "last")]
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
    return Table(headers, rows, main=1)


def to_plain(lines: Iterable[Line]) -> str:
    return "".join(safe("".join(text for text, _ in line).rstrip()) + "\n" for line in lines)


def to_rich(lines: Iterable[Line]) -> Text:
    """The same lines as rich Text, coloured (import rich only on a terminal)."""
    from rich.text import Text

    text = Text()
    for line in lines:
        for unsafe, style in line:
            chunk = safe(unsafe)
            if style.startswith("badge:"):
                text.append(chunk, style=f"bold #ffffff on {style[6:]}")
            elif style == "url":
                text.append(chunk, style=f"{_STYLES['url']} link {chunk}")  # clickable (OSC 8)
            else:
                text.append(chunk, style=_STYLES.get(style, ""))
        text.append("\n")
    return text
