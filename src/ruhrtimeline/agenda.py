"""What is next: the agenda (events under way and coming, by month) and month grids.

Like `terminal`, each view is laid out as lines of styled spans at a given width.  "Today"
is a parameter.  A date known only to the month, season or year is never pinned to a day:
the agenda says "some time in 2026" or "June 2025", and the grids list such an event under
the months it covers instead of marking a day.
"""

from __future__ import annotations

import calendar as cal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import Lang, format_date, month_name, season_name
from .i18n import word
from .records import Directory, Event
from .terminal import Line, Span, badge_label, badge_style, words, wrap

Month = tuple[int, int]  # (year, month)


# --- the agenda --------------------------------------------------------------------------


def agenda_date(event: Event, lang: Lang) -> str:
    """The date as the agenda writes it: a year alone is "some time in 2026"."""
    if event.date.end is None and event.precision == "year":
        return word("some_time_in", lang, year=format_date(event.date, lang, "long"))
    return event.when(lang, "long")


def event_lines(
    event: Event,
    directory: Directory,
    lang: Lang,
    width: int,
    date_width: int,
    *,
    coloured: bool,
) -> list[Line]:
    """One event: its date in a column, then its title, status, partners, topics and place."""
    status = event.status
    date_style = "date-planned" if status == "planned" else "date"
    title_style = {"planned": "title-planned", "cancelled": "title-cancelled"}.get(status, "title")
    when = agenda_date(event, lang)
    indent: Line = [(" " * (date_width + 4 if date_width else 4), "")]
    tokens: list[Span] = words(event.title[lang], title_style)
    if status != "held":
        tokens.append((f"({word(status, lang)})", date_style))
    tokens += [
        (badge_label(directory, p, lang, coloured), badge_style(directory, p))
        for p in event.partners
    ]
    extras = [directory.topic_label(t, lang) for t in event.topics]
    place = event.place(lang)
    if place:
        extras.append(place)
    if extras:
        tokens += [("·", "muted"), *words(" · ".join(extras), "place")]
    if len(when) <= date_width:
        head: Line = [("  ", ""), (when.ljust(date_width), date_style), ("  ", "")]
        return wrap(tokens, width, head, indent)
    # A long date (or every date, where there is no room for a column) has a line of its own.
    return [[("  ", ""), (when, date_style)], *wrap(tokens, width, indent, indent)]


def date_column(events: Iterable[Event], lang: Lang, width: int) -> int:
    """How wide the column of dates is: what most need, up to 22; 0 (each date on a line of
    its own) where that would leave less than 30 columns for the text."""
    needed = min(max((len(agenda_date(e, lang)) for e in events), default=0), 22)
    return needed if width - needed - 4 >= 30 else 0


def agenda(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    today: date,
    width: int = 80,
    *,
    coloured: bool = False,
    past: bool = False,
) -> list[Line]:
    """Events by month of their first day; those known to the day that began before
    ``today`` and are not over come first, as under way (not when looking back: ``past``).
    An event known only to the month, season or year is listed under that period."""

    def under_way(event: Event) -> bool:
        return event.precise and event.first < today <= event.last and not past

    date_width = date_column(events, lang, width)
    out: list[Line] = []
    heading = None
    for event in sorted(events, key=lambda e: not under_way(e)):  # stable: by date within
        group = word("under_way", lang) if under_way(event) else _heading(event, lang)
        if group != heading:
            if heading is not None:
                out.append([])
            out.append([(group, "heading")])
            heading = group
        out += event_lines(event, directory, lang, width, date_width, coloured=coloured)
    return out


def _heading(event: Event, lang: Lang) -> str:
    """The group an event is listed in: the month it begins in, or (where its start is known
    only to the season or year) that season or year, never a month it may not be in."""
    start = event.date.start
    if start.season is not None:
        name = season_name(start.season, lang)
        return f"{name[:1].upper()}{name[1:]} {start.year}"
    if start.month is None:
        return str(start.year)
    return f"{month_name(start.month, lang)} {start.year}"


# --- month grids -------------------------------------------------------------------------


def months_from(start: Month, count: int) -> list[Month]:
    """``count`` months from ``start`` on (none after the calendar's last year)."""
    year, month = start
    found = []
    for _ in range(count):
        if year > date.max.year:
            break
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def month_bounds(months: Sequence[Month]) -> tuple[date, date]:
    """The first day of the first month and the last day of the last."""
    (y1, m1), (y2, m2) = months[0], months[-1]
    return date(y1, m1, 1), date(y2, m2, cal.monthrange(y2, m2)[1])


@dataclass(frozen=True, slots=True)
class Grid:
    """Months laid out like ``cal``: which days have events and which is today."""

    months: list[Month]
    busy: frozenset[date]  # days with an event known to the day
    today: date | None  # None where today is not among the months
    week_numbers: bool = False

    @classmethod
    def of(
        cls, months: list[Month], events: Iterable[Event], today: date, *, week_numbers: bool
    ) -> Grid:
        first, last = month_bounds(months)
        shown = today if first <= today <= last else None
        return cls(months, busy_days(events, first, last), shown, week_numbers)

    @property
    def month_width(self) -> int:
        return 21 + (3 if self.week_numbers else 0)


_GAP = "  "
MARKS = {"busy": "*", "today": "<", "both": "#"}  # plain text: after the day's number


def busy_days(events: Iterable[Event], first: date, last: date) -> frozenset[date]:
    """The days between ``first`` and ``last`` on which an event known to the day falls (a
    cancelled one marks no day)."""
    days: set[date] = set()
    for event in events:
        if not event.precise or event.status == "cancelled":
            continue
        day, end = max(event.first, first), min(event.last, last)
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


def _month_lines(grid: Grid, month: Month, lang: Lang, coloured: bool) -> list[Line]:
    year, number = month
    width = grid.month_width
    title = f"{month_name(number, lang)} {year}"
    lines: list[Line] = [[(title.center(width).rstrip().ljust(width), "month")]]
    head: Line = [(word("week_short", lang).ljust(3), "week")] if grid.week_numbers else []
    head += [(" ".join(word("weekdays", lang).split()) + " ", "weekday")]
    lines.append(head)
    for week in cal.Calendar(firstweekday=0).monthdatescalendar(year, number):
        line: Line = []
        if grid.week_numbers:
            line.append((f"{week[0].isocalendar()[1]:>2} ", "week"))
        for day in week:
            if day.month != number:
                line.append(("   ", ""))
                continue
            busy, today = day in grid.busy, day == grid.today
            kind = "both" if busy and today else "busy" if busy else "today" if today else ""
            if coloured:
                style = {"both": "today-busy", "busy": "busy", "today": "today"}.get(kind, "")
                line += [(f"{day.day:>2}", style), (" ", "")]
            else:
                line.append((f"{day.day:>2}{MARKS.get(kind, ' ')}", ""))
        lines.append(line)
    while len(lines) < 8:  # six weeks at most: rows of months line up
        lines.append([])
    return lines


def _width(line: Line) -> int:
    return sum(len(text) for text, _ in line)


def grids(
    grid: Grid,
    imprecise: Sequence[Event],
    lang: Lang,
    width: int = 80,
    *,
    coloured: bool = False,
) -> list[Line]:
    """The months side by side (three where ``width`` allows, else one), each row followed by
    the events of its months that are known only to the month, season or year."""
    per_row = 3 if 3 * grid.month_width + 2 * len(_GAP) <= width else 1
    out: list[Line] = []
    for start in range(0, len(grid.months), per_row):
        row = grid.months[start : start + per_row]
        blocks = [_month_lines(grid, m, lang, coloured) for m in row]
        for parts in zip(*blocks, strict=True):
            if not any(parts):
                out.append([])
                continue
            line: Line = []
            for i, part in enumerate(parts):
                if i:
                    line.append((" " * (grid.month_width - _width(parts[i - 1])) + _GAP, ""))
                line += part
            out.append(line)
        while out and not out[-1]:
            out.pop()
        first, last = month_bounds(row)
        for event in imprecise:
            if event.first <= last and event.last >= first:
                label = word("also_in", lang, when=event.when(lang, "long"))
                status = "" if event.status == "held" else f" ({word(event.status, lang)})"
                text = f"{label}: {event.title[lang]}{status}"
                indent: Line = [("  ", "")]
                out += wrap(words(text, "muted"), width, indent, indent)
        out.append([])
    if out and not out[-1]:
        out.pop()
    return [_trimmed(line) for line in out]


def _trimmed(line: Line) -> Line:
    """The line without the spaces a row of day cells ends in."""
    while line and not line[-1][0].strip() and not line[-1][1]:
        line = line[:-1]
    if line and not line[-1][1]:
        line = [*line[:-1], (line[-1][0].rstrip(), "")]
    return line


def legend(grid: Grid, lang: Lang, *, coloured: bool) -> Line:
    """What the plain-text marks mean (only those used); nothing where colour shows it."""
    if coloured:
        return []
    both = grid.today in grid.busy
    used = {
        "busy": bool(grid.busy - {grid.today}),
        "today": grid.today is not None and not both,
        "both": both,
    }
    parts = [f"{MARKS[k]} {word('mark_' + k, lang)}" for k, wanted in used.items() if wanted]
    return [("   ".join(parts), "muted")] if parts else []


def calendar(
    grid: Grid,
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    width: int = 80,
    *,
    coloured: bool = False,
) -> list[Line]:
    """The month grids, what their marks mean, then the events shown, each with its date."""
    out = grids(grid, [e for e in events if not e.precise], lang, width, coloured=coloured)
    key = legend(grid, lang, coloured=coloured)
    if key:
        out += [[], key]
    if events:
        date_width = date_column(events, lang, width)
        out.append([])
        for event in events:
            out += event_lines(event, directory, lang, width, date_width, coloured=coloured)
    return out
