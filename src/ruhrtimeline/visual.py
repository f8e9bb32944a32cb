"""Timelines to look at: an SVG with one lane per partner (or topic), an HTML page around it,
and TimelineJS (Knight Lab) JSON.

The SVG is laid out first (`layout`) as boxes in pixels, so that tests can check what is drawn
(no leader line through a label, nothing outside the canvas), then written with ElementTree,
which escapes all text.  Text widths are estimated per character for a wide sans-serif, so that
a label's box holds the rendered text in any common font.

One visual cue per property: precision is the mark's shape and width (a dot for a day, a bar
for several days, a hatched band over the whole month, season or year); an approximate date has
faded ends and an uncertain one a "?"; planned marks are hollow; cancelled ones grey and struck
through.  The legend shows only the cues that are drawn.
"""

from __future__ import annotations

import html
import json
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from . import __version__
from .dates import DatePoint, Lang, format_date, month_name, parse_edtf
from .errors import InvalidValue
from .files import slug
from .i18n import count_events, other, word
from .records import Directory, Era, Event
from .templates import Nav

LaneKind = Literal["partner", "topic"]
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)

INK = "#0b6e99"
TEXT = "#1b1f24"
MUTED = "#5b6470"
GREY = "#868e96"  # cancelled
ERA = "#9a6700"
TODAY = "#c62828"
STRIPES = ("#ffffff", "#f2f4f7")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
FONT_SIZE = 13.0  # labels and lane names
SMALL = 12.0  # ticks, legend, notes: never smaller
TITLE_SIZE = 18.0
LINE = 16.0  # one line of a label
PAD = 12.0
MIN_WIDTH = 360  # a phone's width; narrower pictures are refused
PAGE_WIDTHS = (680, 960)  # the page's smaller pictures, for screens narrower than the first
PRINT_HEIGHT = 1300  # the tallest picture (680 px wide) that prints legibly on one A4 page
MAX_LABELS = 400  # beyond this many events, labels could not be read: marks and tooltips only
LABEL_UNITS = 8  # lines of labels a lane may grow to; the rest are in tooltips and the list
TRACK = 16.0  # one row of marks (overlapping marks of a lane are stacked)
RING_ROW = 12.0
WING = 9.0  # the faded ends of an approximate date
QUERY = 9.0  # the "?" of an uncertain date
GAP = 6.0  # between two labels in a row
SWATCH = 36.0  # the legend's sample of a mark
CLEAR = 3.0  # between a leader line and a label
AXIS_REPEAT = 640.0  # a chart taller than this repeats its axis

Kind = Literal["day", "days", "month", "season", "year", "ring"]
IMPRECISE: tuple[Kind, ...] = ("month", "season", "year")


# --- text ----------------------------------------------------------------------------------

# Advance widths in em, rounded up from DejaVu Sans (one of the widest sans-serifs), so that an
# estimated box is never too small for the font a viewer actually has.
_EM: dict[str, float] = {}
for _chars, _em in (
    (" ", 0.32),
    ("ijlI.,:;'!|", 0.3),
    ("()[]{}/-", 0.4),
    ("ftr", 0.42),
    ("sczJ", 0.56),
    ("mw", 0.98),
    ("MW", 1.0),
    ("0123456789", 0.64),
    ("–", 0.52),
    ("—…%@", 1.0),
    ('"“”„‘’‚«»?', 0.54),
    ("&#", 0.84),
):
    for _char in _chars:
        _EM[_char] = _em


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """The estimated width of ``text`` in pixels (generous, never too small)."""
    total = 0.0
    for char in text:
        em = _EM.get(char)
        if em is None:
            base = unicodedata.normalize("NFD", char)[:1] or char
            em = _EM.get(base, 0.64 if base.islower() else 0.8)
        total += em
    return total * size * (1.15 if bold else 1.0)


# Where a cut text may not end: an opening quote or bracket, or a joining mark.
_DANGLING = "\"'“„‘‚«([{–—-/&,;:"
_JOINING = "([{–—-/&,;:„‚«"


def fit_lines(
    text: str, max_width: float, max_lines: int, size: float = FONT_SIZE, bold: bool = False
) -> tuple[tuple[str, ...], bool]:
    """``text`` broken at spaces into at most ``max_lines`` lines no wider than ``max_width``;
    when it does not fit, the last line ends in "…" after a whole word (never after an opening
    quote).  Returns the lines and whether the text was cut."""

    def width(value: str) -> float:
        return text_width(value, size, bold)

    words = text.split()
    lines: list[str] = []
    index = 0
    while index < len(words) and len(lines) < max_lines and width(words[index]) <= max_width:
        line = words[index]
        index += 1
        while index < len(words) and width(f"{line} {words[index]}") <= max_width:
            line += " " + words[index]
            index += 1
        lines.append(line)
    if index == len(words):
        return tuple(lines), False
    tail = lines.pop().split() if len(lines) == max_lines else []
    first = tail[0] if tail else words[index]
    while tail and width(" ".join(tail) + "…") > max_width:
        tail.pop()
    while tail and tail[-1].strip(_DANGLING) == "":
        tail.pop()
    if tail:
        cut = " ".join(tail).rstrip(_JOINING) + "…"
    else:  # one word wider than the line: cut inside it
        keep = len(first)
        while keep > 1 and width(first[:keep] + "…") > max_width:
            keep -= 1
        cut = first[:keep] + "…"
    return (*lines, cut), True


# --- the layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class TextBlock:
    """Lines of text in a box: the heading, notes, the legend's words, lane names."""

    role: str
    lines: tuple[str, ...]
    box: Box
    size: float = SMALL
    bold: bool = False
    tooltip: str = ""  # the whole text, when the lines had to cut it

    @property
    def line_height(self) -> float:
        return LINE if self.role == "label" else round(self.size * 1.3, 1)

    def moved(self, dy: float) -> TextBlock:
        box = self.box
        return replace(self, box=Box(box.x, box.y + dy, box.width, box.height))


@dataclass(frozen=True)
class Mark:
    event_id: str
    lane: str
    kind: Kind  # the precision's shape; "ring" in the lanes of the others taking part
    box: Box  # the shape itself
    extent: Box  # with faded ends and "?"
    status: str  # held, planned or cancelled
    approximate: bool
    uncertain: bool
    tooltip: str
    partners: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def classes(self) -> str:
        """The mark's CSS classes: its shape, its status, and its date's qualifiers."""
        flags = [self.kind, self.status]
        flags += ["approximate"] if self.approximate else []
        flags += ["uncertain"] if self.uncertain else []
        return "mark " + " ".join(flags)


@dataclass(frozen=True)
class Label:
    """An event's title below its mark, joined to it by a vertical leader line."""

    event_id: str
    lines: tuple[str, ...]
    box: Box
    anchor_x: float  # where the leader line meets the mark
    leader_top: float  # the mark's lower edge; the leader runs down to the box
    status: str
    tooltip: str  # the whole title, when the lines cut it
    ends_at_anchor: bool = False  # set to the left of its mark: the text ends at the leader

    @property
    def leader(self) -> Box:
        """The leader line, as a box of no width."""
        return Box(self.anchor_x, self.leader_top, 0, max(self.box.y - self.leader_top, 0))


@dataclass(frozen=True)
class Lane:
    id: str  # a partner or topic id; "" for the shared lane of the rest
    name: TextBlock
    box: Box


@dataclass(frozen=True)
class Tick:
    x: float
    major: bool  # the start of a year: a stronger grid line
    label: TextBlock | None
    line: bool = True  # False for a year's name over the months (their ticks draw the lines)


@dataclass(frozen=True)
class EraBand:
    id: str
    label: TextBlock
    bar: Box
    approximate: bool
    edges: tuple[float, ...]  # the x of the era's ends that lie within the plot


@dataclass(frozen=True)
class LegendItem:
    key: str
    swatch: Box
    text: TextBlock


@dataclass
class Layout:
    width: float
    lang: Lang
    lanes_kind: LaneKind
    height: float = 0.0
    first: date = date(2000, 1, 1)
    last: date = date(2001, 1, 1)  # the axis's exclusive end
    plot_left: float = 0.0
    plot_right: float = 0.0
    header: list[TextBlock] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    axes: list[float] = field(default_factory=list)  # the top of each copy of the axis
    axis_height: float = 0.0
    ticks: list[Tick] = field(default_factory=list)
    axis_labels: list[list[TextBlock]] = field(default_factory=list)  # of each copy, in place
    eras: list[EraBand] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    today: tuple[float, TextBlock] | None = None  # the line's x and its label
    grid_top: float = 0.0
    grid_bottom: float = 0.0
    title: str = ""
    description: str = ""

    def x(self, day: date) -> float:
        span = (self.last - self.first).days or 1
        return self.plot_left + (day - self.first).days / span * (self.plot_right - self.plot_left)


@dataclass
class LanePlan:
    """Which events a lane holds, and which it only takes part in (its rings)."""

    id: str
    name: str
    events: list[Event] = field(default_factory=list)
    rings: list[Event] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # ids folded into the shared lane


def lane_plans(
    events: Sequence[Event], directory: Directory, lang: Lang, lanes: LaneKind = "partner"
) -> list[LanePlan]:
    """The lanes in store order: an event sits in its first partner's (or topic's) lane and
    has a ring in the others'.  Partners (topics) with a single event share one lane at the
    end, as do events without a topic."""

    def keys(event: Event) -> tuple[str, ...]:
        return event.partners if lanes == "partner" else event.topics

    order = list(directory.partners if lanes == "partner" else directory.topics)
    counts = Counter(k for e in events for k in dict.fromkeys(keys(e)))
    used = [k for k in order if k in counts] + sorted(set(counts) - set(order))
    single = [k for k in used if counts[k] == 1]
    folded = set(single) if len(single) >= 2 else set()

    def name(key: str) -> str:
        if lanes == "partner":
            return directory.short(key, lang)
        return directory.topic_label(key, lang)

    plans = {k: LanePlan(k, name(k)) for k in used if k not in folded}
    shared = LanePlan("", word("other_partners" if lanes == "partner" else "other_topics", lang))
    shared.members = [name(k) for k in used if k in folded]
    for event in events:
        own = [plans.get(k, shared) for k in keys(event)] or [shared]
        own[0].events.append(event)
        for plan in own[1:]:
            if plan is not own[0] and event not in plan.rings:
                plan.rings.append(event)
    result = list(plans.values())
    return [*result, shared] if shared.events or shared.rings else result


def _kind(event: Event) -> Kind:
    if event.precise:
        return "day" if event.first == event.last else "days"
    precision = event.precision
    return precision if precision in ("month", "season") else "year"


def _importance(event: Event) -> tuple[bool, int, bool, date, str]:
    """Which labels a crowded lane keeps: more partners, a known day, not cancelled."""
    return (
        event.status == "cancelled",
        -len(event.partners),
        not event.precise,
        event.first,
        event.id,
    )


def _period_text(first: date, last: date, lang: Lang) -> str:
    """The span of the chart in words: "2017–2026", "Aug 2019 – Mar 2020"."""
    if first.year != last.year or (first.month, last.month) == (1, 12):
        return f"{first.year}–{last.year}" if first.year != last.year else str(first.year)
    return format_date(parse_edtf(f"{first.isoformat()[:7]}/{last.isoformat()[:7]}"), lang)


def _wrap(
    role: str, text: str, x: float, y: float, width: float, size: float, **kw: bool
) -> TextBlock:
    bold = kw.get("bold", False)
    lines, cut = fit_lines(text, width, 3, size, bold)
    widest = max((text_width(line, size, bold) for line in lines), default=0.0)
    block = TextBlock(role, lines, Box(x, y, widest, 0), size, bold, text if cut else "")
    return TextBlock(
        role, lines, Box(x, y, widest, len(lines) * block.line_height), size, bold, block.tooltip
    )


def _legend_keys(plans: Sequence[LanePlan], eras: bool, today: bool) -> list[str]:
    """The cues in use, in the legend's order."""
    events = [e for plan in plans for e in plan.events]
    kinds = {_kind(e) for e in events}
    keys: list[str] = [k for k in ("day", "days") if k in kinds]
    keys += ["imprecise"] if kinds & set(IMPRECISE) else []
    keys += ["approximate"] if any(e.approximate for e in events) else []
    keys += ["uncertain"] if any(e.uncertain for e in events) else []
    keys += [s for s in ("planned", "cancelled") if any(e.status == s for e in events)]
    keys += ["ring"] if any(plan.rings for plan in plans) else []
    keys += ["era"] if eras else []
    return keys + (["today"] if today else [])


def _legend(plan: Layout, keys: Sequence[str], y: float) -> float:
    """Lay the legend out in rows across the canvas; returns the y below it."""
    lang, right = plan.lang, plan.width - PAD
    x = PAD
    row_height = 0.0
    for key in keys:
        text = word(f"legend_{key}" if key != "ring" else f"legend_ring_{plan.lanes_kind}", lang)
        lines, _ = fit_lines(text, right - PAD - SWATCH - 6, 2, SMALL)
        widest = max(text_width(line, SMALL) for line in lines)
        if x > PAD and x + SWATCH + 6 + widest > right:
            x, y = PAD, y + row_height + 6
            row_height = 0.0
        block = TextBlock(
            "legend", lines, Box(x + SWATCH + 6, y, widest, len(lines) * round(SMALL * 1.3, 1))
        )
        plan.legend.append(LegendItem(key, Box(x, y + 1, SWATCH, 13), block))
        row_height = max(row_height, block.box.height, 15)
        x += SWATCH + 6 + widest + 18
    return y + row_height


def _ticks(plan: Layout) -> float:
    """Years along the axis, and months when the span is short; returns the axis's height."""
    first, last, lang = plan.first, plan.last, plan.lang
    plot = plan.plot_right - plan.plot_left
    months = (last.year - first.year) * 12 + last.month - first.month
    right = plan.width - PAD
    if months > 36:
        years = list(range(first.year, last.year))
        per_year = plot / len(years)
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000) if per_year * s >= 44)
        for year in [*years, last.year]:
            x = plan.x(date(year, 1, 1))
            label = None
            width = text_width(str(year), SMALL)
            left = x + per_year / 2 - width / 2 if step == 1 else x + 3
            if year % step == 0 and year < last.year and left + width <= right:
                label = TextBlock("year", (str(year),), Box(left, 0, width, 16), SMALL)
            plan.ticks.append(Tick(x, True, label))
        return 20.0
    # A short span: every month, named if there is room, under the years.
    per_month = plot / max(months, 1)
    style_width = max(text_width(month_name(m, lang, "short"), SMALL) for m in range(1, 13))
    every = next(s for s in (1, 2, 3, 6, 12) if per_month * s >= style_width + 6)
    day = first
    previous_year_right = -1.0
    while day <= last:
        x = plan.x(day)
        is_year = day.month == 1 or day == first
        label = None
        if day < last and (day.month - 1) % every == 0:
            text = month_name(day.month, lang, "short")
            width = text_width(text, SMALL)
            left = x + per_month / 2 - width / 2 if every == 1 else x + 3
            if left + width <= right:
                label = TextBlock("month", (text,), Box(left, 18, width, 16), SMALL)
        plan.ticks.append(Tick(x, day.month == 1, label))
        if is_year and day < last:
            text = str(day.year)
            width = text_width(text, SMALL, bold=True)
            if x + 3 > previous_year_right and x + 3 + width <= right:
                name = TextBlock("year", (text,), Box(x + 3, 0, width, 16), SMALL, True)
                plan.ticks.append(Tick(x, day.month == 1, name, line=False))
                previous_year_right = x + 3 + width + 6
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return 36.0


def _eras(plan: Layout, eras: Sequence[Era], y: float) -> float:
    """Named periods as bars under the axis, their names above them; returns the y below."""
    rows: list[list[Box]] = []
    placed: list[tuple[Era, tuple[str, ...], str, float, float, float, int]] = []
    right = plan.width - PAD
    for era in eras:
        start = max(era.first, plan.first)
        end = min(era.last or plan.last, plan.last - timedelta(days=1))
        if end < plan.first or start >= plan.last or end < start:
            continue
        x0, x1 = plan.x(start), plan.x(end + timedelta(days=1))
        title = era.title[plan.lang]
        lines, _ = fit_lines(title, right - plan.plot_left, 1, SMALL)
        width = text_width(lines[0], SMALL)
        left = min(max(x0 + 2, plan.plot_left), right - width)
        span = Box(min(left, x0), 0, max(left + width, x1) - min(left, x0), 1)
        row = next(
            (i for i, boxes in enumerate(rows) if not any(_near(span, b, GAP) for b in boxes)),
            len(rows),
        )
        if row == len(rows):
            rows.append([])
        rows[row].append(span)
        placed.append((era, lines, title, left, x0, x1, row))
    for era, lines, title, left, x0, x1, row in placed:
        top = y + row * 24
        label = TextBlock(
            "era",
            lines,
            Box(left, top, text_width(lines[0], SMALL), 16),
            SMALL,
            tooltip=title if lines[0] != title else "",
        )
        edges = tuple(e for e in (x0, x1) if plan.plot_left < e < plan.plot_right)
        plan.eras.append(
            EraBand(
                era.id, label, Box(x0, top + 17, max(x1 - x0, 2), 4), era.date.approximate, edges
            )
        )
    return y + len(rows) * 24 + (4 if rows else 0)


def _near(a: Box, b: Box, gap: float) -> bool:
    return a.x < b.right + gap and b.x < a.right + gap


def _anchor(kind: Kind, x0: float, x1: float) -> float:
    """Where a label's leader meets a mark: a dot's centre, near the start of a bar or band."""
    if kind == "day":
        return (x0 + x1) / 2
    return x0 + min(max(x1 - x0, 4), 12) / 2


def _span(plan: Layout, event: Event) -> tuple[float, float]:
    after_last = min(event.last + timedelta(days=1), plan.last)
    return plan.x(event.first), plan.x(after_last)


def _lane_marks(plan: Layout, lane: LanePlan, top: float) -> tuple[list[Mark], float]:
    """The marks of a lane, stacked in rows where they overlap; returns them and the y below."""
    lang = plan.lang
    ring_row = RING_ROW if lane.rings else 0.0
    marks: list[Mark] = []
    for event in lane.rings:
        x0, x1 = _span(plan, event)
        cx = _anchor(_kind(event), x0, x1)
        box = Box(cx - 4, top + 3, 8, 8)
        marks.append(_make_mark(event, lane.id, "ring", box, box, lang))
    tracks: list[float] = []  # the right end of each row of marks
    shapes: list[tuple[Event, Kind, float, float, float, float, int]] = []
    for event in sorted(lane.events, key=lambda e: (e.first, e.last, e.id)):
        kind = _kind(event)
        x0, x1 = _span(plan, event)
        if kind == "day":
            x0, x1 = (x0 + x1) / 2 - 5, (x0 + x1) / 2 + 5
        else:
            x1 = max(x1, x0 + (6 if kind == "days" else 4))
        left = x0 - (WING if event.approximate else 0)
        right = x1 + (WING if event.approximate else 0) + (QUERY if event.uncertain else 0)
        track = next((i for i, end in enumerate(tracks) if left >= end + 2), len(tracks))
        if track == len(tracks):
            tracks.append(right)
        tracks[track] = right
        shapes.append((event, kind, x0, x1, left, right, track))
    first_track = top + 4 + ring_row
    for event, kind, x0, x1, left, right, track in shapes:
        centre = first_track + track * TRACK + TRACK / 2
        height = {"day": 10.0, "days": 8.0}.get(kind, 10.0)
        box = Box(x0, centre - height / 2, x1 - x0, height)
        extent = Box(left, box.y, right - left, height)
        marks.append(_make_mark(event, lane.id, kind, box, extent, lang))
    return marks, first_track + len(tracks) * TRACK


def _make_mark(event: Event, lane: str, kind: Kind, box: Box, extent: Box, lang: Lang) -> Mark:
    status = "" if event.status == "held" else f" ({word(event.status, lang)})"
    return Mark(
        event.id,
        lane,
        kind,
        box,
        extent,
        event.status,
        event.approximate,
        event.uncertain,
        f"{event.when(lang)}: {event.title[lang]}{status}",
        event.partners,
        event.topics,
    )


def _place_labels(
    plan: Layout, lane_events: Sequence[Event], marks: dict[str, Mark], top: float
) -> float:
    """Put each title in the first line below the marks where it overlaps no other label, no
    leader line crosses it and its own leader crosses no label; returns the height used.

    Three orders are tried (by importance, right to left, left to right: the last two give
    staircases whose leaders pass beside the labels); the one that labels most events with
    the fewest cut titles wins.  The rest are in the tooltips and the list."""
    anchors = {
        e.id: _anchor(marks[e.id].kind, marks[e.id].box.x, marks[e.id].box.right)
        for e in lane_events
    }
    by_importance = sorted(lane_events, key=_importance)
    right_to_left = sorted(by_importance, key=lambda e: -anchors[e.id])
    left_to_right = sorted(by_importance, key=lambda e: anchors[e.id])
    best: list[Label] = []
    plot = min(plan.plot_right - plan.plot_left, 900)
    for share in (0.36, 0.6, 1.0):  # of the plot's width, for a line of a label
        limits = (plan.plot_left, plan.width - PAD, max(plot * share, 120.0))
        for order in (by_importance, right_to_left, left_to_right):
            labels = _label_lane(plan, order, marks, anchors, top, limits)
            if _score(labels) > _score(best):
                best = labels
    plan.labels.extend(sorted(best, key=lambda lb: (lb.box.y, lb.box.x)))
    return max((lb.box.bottom - top for lb in best), default=0.0)


def _score(labels: Sequence[Label]) -> tuple[int, int, float]:
    return (
        len(labels),
        -sum(1 for lb in labels if lb.tooltip),
        -sum(lb.box.bottom for lb in labels),
    )


def _label_lane(
    plan: Layout,
    order: Sequence[Event],
    marks: dict[str, Mark],
    anchors: dict[str, float],
    top: float,
    limits: tuple[float, float, float],
) -> list[Label]:
    placed: list[Label] = []
    for index, event in enumerate(order):
        mark = marks[event.id]
        anchor = anchors[event.id]
        # Labels keep clear of the marks still to be labelled while they can.
        waiting = [anchors[e.id] for e in order[index + 1 :] if abs(anchors[e.id] - anchor) > 1]
        label = None
        for allow_cut, reserved in ((False, waiting), (True, waiting), (False, []), (True, [])):
            for unit in range(LABEL_UNITS):
                y = top + unit * LINE
                if any(_crosses(anchor, mark.box.bottom + 1, y, other.box) for other in placed):
                    break  # deeper lines only lengthen the leader
                label = _try_label(
                    event,
                    event.title[plan.lang],
                    (anchor, mark.box.bottom + 1, y),
                    placed,
                    reserved,
                    limits,
                    allow_cut,
                    LABEL_UNITS - unit,
                )
                if label is not None:
                    break
            if label is not None:
                break
        if label is not None:
            placed.append(label)
    return placed


def _crosses(x: float, top: float, bottom: float, box: Box) -> bool:
    """Whether a vertical line at ``x`` from ``top`` to ``bottom`` passes through ``box``."""
    return box.x - CLEAR <= x <= box.right + CLEAR and top < box.bottom and box.y < bottom


def _room(
    side: str,
    anchor: float,
    blockers: Sequence[Box],
    leaders: Sequence[float],
    left_limit: float,
    right_limit: float,
) -> tuple[float, float] | None:
    """Where a label beside ``anchor`` may begin (right) or end (left), and how wide it may be,
    clear of the labels and leader lines already in its lines."""
    if side == "right":
        start = max(anchor - 2, left_limit)
        if any(b.x - GAP <= start < b.right + GAP for b in blockers) or any(
            x - CLEAR - 1 <= start <= x + CLEAR + 1 for x in leaders
        ):
            return None
        stops = [b.x - GAP for b in blockers if b.right + GAP > start]
        stops += [x - CLEAR - 1 for x in leaders if x > start]
        return start, min([right_limit, *stops]) - start
    end = min(anchor + 2, right_limit)
    if any(b.x - GAP < end <= b.right + GAP for b in blockers) or any(
        x - CLEAR - 1 <= end <= x + CLEAR + 1 for x in leaders
    ):
        return None
    stops = [b.right + GAP for b in blockers if b.x - GAP < end]
    stops += [x + CLEAR + 1 for x in leaders if x < end]
    return end, end - max([left_limit, *stops])


def _try_label(
    event: Event,
    title: str,
    where: tuple[float, float, float],
    placed: Sequence[Label],
    reserved: Sequence[float],
    limits: tuple[float, float, float],
    allow_cut: bool,
    units_left: int,
) -> Label | None:
    """The label of ``event`` in the line at ``y``, on one line or two, to the right of its
    anchor or ending at it, clear of the ``reserved`` leaders to come; None if it does not fit
    there.  ``where`` is the anchor's x, the mark's lower edge and the line's y."""
    anchor, leader_top, y = where
    left_limit, right_limit, widest = limits
    shapes = ((2, True), (1, True)) if allow_cut else ((1, False), (2, False))
    for lines_allowed, cut_ok in shapes:
        if lines_allowed > units_left:
            continue
        height = lines_allowed * LINE
        blockers = [lb.box for lb in placed if lb.box.y < y + height and y < lb.box.bottom]
        leaders = [lb.anchor_x for lb in placed if lb.leader_top < y + height and y < lb.box.y]
        leaders += reserved
        for side in ("right", "left"):
            room = _room(side, anchor, blockers, leaders, left_limit, right_limit)
            if room is None or min(room[1], widest + 4) < 40:
                continue
            lines, cut = fit_lines(title, min(room[1], widest + 4) - 4, lines_allowed)
            if (cut and (not cut_ok or len(" ".join(lines)) < 16)) or len(lines) < lines_allowed:
                continue  # a cut title only when nothing else fits; fewer lines come first
            width = max(text_width(line) for line in lines) + 4
            x = room[0] if side == "right" else room[0] - width
            box = Box(x, y, width, len(lines) * LINE)
            if box.x - CLEAR <= anchor <= box.right + CLEAR:
                return Label(
                    event.id,
                    lines,
                    box,
                    anchor,
                    leader_top,
                    event.status,
                    title if cut else "",
                    side == "left",
                )
    return None


def layout(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    *,
    width: int = 1200,
    lanes: LaneKind = "partner",
    eras: Sequence[Era] = (),
    subtitle: str = "",
    today: date | None = None,
    heading: bool = True,
) -> Layout:
    """Lay the timeline out in pixels: heading, legend, axis, periods, lanes, marks, labels.

    ``today`` draws a labelled line when it lies in the period shown; ``heading=False`` leaves
    the title to the page around the picture.  A width below ``MIN_WIDTH`` is refused
    (`InvalidValue`), never silently changed."""
    if width < MIN_WIDTH:
        raise InvalidValue(
            f"a picture {width} pixels wide is too narrow: give at least {MIN_WIDTH} pixels"
        )
    plan = Layout(float(width), lang, lanes, title=directory.title(lang))
    text_room = plan.width - 2 * PAD
    y = PAD
    if heading:
        title = _wrap("heading", plan.title, PAD, y, text_room, TITLE_SIZE, bold=True)
        plan.header.append(title)
        y = title.box.bottom + 4
    plans = lane_plans(events, directory, lang, lanes)
    if not events:
        lines = [subtitle] if subtitle else []
        for role, line in [*(("summary", x) for x in lines), ("empty", word("no_events", lang))]:
            block = _wrap(role, line, PAD, y, text_room, FONT_SIZE)
            plan.header.append(block)
            y = block.box.bottom + 4
        plan.height = y + PAD
        plan.description = word("no_events", lang)
        return plan

    first_day = min(e.first for e in events)
    last_day = max(e.last for e in events)
    period = _period_text(first_day, last_day, lang)
    summary = f"{count_events(len(events), lang)}, {period}" + (
        f" · {subtitle}" if subtitle else ""
    )
    note = word(f"explain_{lanes}", lang)
    if any(plan.id == "" and plan.members for plan in plans):
        note += " " + word(f"explain_shared_{lanes}", lang)
    for role, line, size in (("summary", summary, FONT_SIZE), ("explanation", note, SMALL)):
        block = _wrap(role, line, PAD, y, text_room, size)
        plan.header.append(block)
        y = block.box.bottom + 2
    plan.description = f"{summary}. {note}"

    months = (last_day.year - first_day.year) * 12 + last_day.month - first_day.month + 1
    if months <= 36:
        plan.first = date(first_day.year, first_day.month, 1)
        plan.last = date(last_day.year + last_day.month // 12, last_day.month % 12 + 1, 1)
    else:
        plan.first, plan.last = date(first_day.year, 1, 1), date(last_day.year + 1, 1, 1)
    shows_today = today is not None and plan.first <= today < plan.last

    y = _legend(plan, _legend_keys(plans, bool(_visible_eras(plan, eras)), shows_today), y + 10)
    y += 12

    # The lanes' names take the space they need, up to a quarter of the canvas.
    names = [plan.name for plan in plans]
    column = max(text_width(n, FONT_SIZE, bold=True) for n in names) + 16
    column = min(max(column, 64.0), max(plan.width * 0.22, 80.0))
    plan.plot_left = PAD + column
    plan.plot_right = plan.width - PAD - 8

    if shows_today and today is not None:
        x = plan.x(today) + (plan.x(today + timedelta(days=1)) - plan.x(today)) / 2
        text = word("today", lang)
        text_w = text_width(text, SMALL, bold=True)
        left = min(max(x - text_w / 2, PAD), plan.width - PAD - text_w)
        plan.today = (x, TextBlock("today", (text,), Box(left, y, text_w, 16), SMALL, True))
        y += 18

    plan.axis_height = _ticks(plan)
    plan.axes.append(y)
    y += plan.axis_height
    plan.grid_top = y
    y = _eras(plan, eras, y)

    label_events = len(events) <= MAX_LABELS
    since_axis = 0.0
    for index, lane in enumerate(plans):
        if since_axis > AXIS_REPEAT and 0 < index < len(plans) - 1:
            plan.axes.append(y)
            y += plan.axis_height
            since_axis = 0.0
        top = y
        marks, below_marks = _lane_marks(plan, lane, top)
        plan.marks.extend(marks)
        label_height = 0.0
        if label_events:
            main = {m.event_id: m for m in marks if m.kind != "ring"}
            label_height = _place_labels(plan, lane.events, main, below_marks + 4)
        name_lines, cut = fit_lines(lane.name, column - 16, 2, FONT_SIZE, bold=True)
        tooltip = lane.name if cut else ""
        if lane.members:
            tooltip = f"{lane.name}: {', '.join(lane.members)}"
        name = TextBlock(
            "lane",
            name_lines,
            Box(PAD, top + 4, max(text_width(n, FONT_SIZE, True) for n in name_lines), 0),
            FONT_SIZE,
            True,
            tooltip,
        )
        name = TextBlock(
            "lane",
            name.lines,
            Box(name.box.x, name.box.y, name.box.width, len(name.lines) * name.line_height),
            FONT_SIZE,
            True,
            tooltip,
        )
        bottom = max(below_marks + 4 + label_height + 6, name.box.bottom + 6)
        plan.lanes.append(Lane(lane.id, name, Box(0, top, plan.width, bottom - top)))
        since_axis += bottom - top
        y = bottom
    plan.grid_bottom = y
    if y - plan.grid_top > AXIS_REPEAT / 2:
        plan.axes.append(y)
        y += plan.axis_height
    plan.height = y + PAD
    plan.axis_labels = [[t.label.moved(top) for t in plan.ticks if t.label] for top in plan.axes]
    return plan


def _visible_eras(plan: Layout, eras: Sequence[Era]) -> list[Era]:
    return [
        era
        for era in eras
        if era.first < plan.last and (era.last is None or era.last >= plan.first)
    ]


# --- the SVG ---------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _el(parent: ET.Element, tag: str, **attrs: str | float) -> ET.Element:
    return ET.SubElement(
        parent,
        f"{{{SVG_NS}}}{tag}",
        {
            k.rstrip("_").replace("_", "-"): v if isinstance(v, str) else _fmt(v)
            for k, v in attrs.items()
        },
    )


def _text(parent: ET.Element, block: TextBlock, **attrs: str | float) -> None:
    """A block of text, one <tspan> a line; its tooltip when the lines cut it."""
    baseline = block.box.y + block.size * 0.95
    element = _el(
        parent,
        "text",
        x=block.box.x,
        y=baseline,
        class_=block.role,
        **({"font_size": block.size} if block.size != FONT_SIZE else {}),
        **({"font_weight": "bold"} if block.bold else {}),
        **attrs,
    )
    if block.tooltip:
        _el(element, "title").text = block.tooltip
    for index, line in enumerate(block.lines):
        if index == 0 and len(block.lines) == 1 and not block.tooltip:
            element.text = line
            break
        span = _el(element, "tspan", x=block.box.x, y=baseline + index * block.line_height)
        span.text = line


def _colour(status: str) -> str:
    return GREY if status == "cancelled" else INK


def _defs(root: ET.Element, ids: str) -> None:
    defs = _el(root, "defs")
    for name, colour in (("hatch", INK), ("hatch-grey", GREY)):
        hatch = _el(
            defs,
            "pattern",
            id=f"{ids}{name}",
            patternUnits="userSpaceOnUse",
            width=5,
            height=5,
            patternTransform="rotate(45)",
        )
        _el(hatch, "line", x1=0, y1=0, x2=0, y2=5, stroke=colour, stroke_width=1.6)
    for name, colour in (("fade", INK), ("fade-grey", GREY)):
        for side, (start, end) in (("l", (0, 1)), ("r", (1, 0))):
            gradient = _el(defs, "linearGradient", id=f"{ids}{name}-{side}", x1=0, x2=1, y1=0, y2=0)
            _el(gradient, "stop", offset=0, stop_color=colour, stop_opacity=start * 0.8)
            _el(gradient, "stop", offset=1, stop_color=colour, stop_opacity=end * 0.8)


def _draw_mark(parent: ET.Element, mark: Mark, ids: str) -> None:
    """One mark: the shape of its precision, hollow when planned, grey and struck through when
    cancelled, with faded ends when approximate and a "?" when uncertain."""
    b, colour = mark.box, _colour(mark.status)
    grey = "-grey" if mark.status == "cancelled" else ""
    hollow = mark.status == "planned"
    cy = b.y + b.height / 2
    if mark.approximate:
        wing = b.height * 0.6
        for x, side in ((b.x - WING, "l"), (b.right, "r")):
            _el(
                parent,
                "rect",
                x=x,
                y=cy - wing / 2,
                width=WING,
                height=wing,
                fill=f"url(#{ids}fade{grey}-{side})",
            )
    if mark.kind in ("day", "ring"):
        r = b.width / 2 - (0.5 if mark.kind == "ring" else 0)
        _el(
            parent,
            "circle",
            cx=b.x + b.width / 2,
            cy=cy,
            r=r,
            fill="#ffffff" if hollow or mark.kind == "ring" else colour,
            stroke=colour,
            stroke_width=1.5 if mark.kind == "day" else 1.3,
        )
    elif mark.kind == "days":
        _el(
            parent,
            "rect",
            x=b.x,
            y=b.y,
            width=b.width,
            height=b.height,
            rx=3,
            fill="#ffffff" if hollow else colour,
            stroke=colour,
            stroke_width=1.5,
        )
    else:
        # Light, because little is known: a tint (white when planned) under the hatching.
        _el(
            parent,
            "rect",
            x=b.x,
            y=b.y,
            width=b.width,
            height=b.height,
            fill="#ffffff" if hollow else colour,
            fill_opacity=1 if hollow else 0.16,
        )
        _el(
            parent,
            "rect",
            x=b.x,
            y=b.y,
            width=b.width,
            height=b.height,
            fill=f"url(#{ids}hatch{grey})",
            fill_opacity=0.55 if hollow else 0.8,
            stroke=colour,
            stroke_width=1.5 if hollow else 0.8,
        )
    if mark.uncertain:
        q = _el(
            parent,
            "text",
            x=mark.extent.right - QUERY + 1.5,
            y=cy + 4.5,
            font_size=SMALL,
            font_weight="bold",
            fill=colour,
        )
        q.text = "?"
    if mark.status == "cancelled":
        _el(
            parent,
            "line",
            x1=mark.extent.x - 2,
            y1=cy,
            x2=mark.extent.right + 2,
            y2=cy,
            stroke=TEXT,
            stroke_width=1.5,
        )


def svg_element(plan: Layout, ids: str = "") -> ET.Element:
    """The SVG document of a layout (self-contained: no fonts, images or scripts).  ``ids``
    prefixes every id, so that two pictures can share a page."""
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "version": "1.1",
            "width": _fmt(plan.width),
            "height": _fmt(plan.height),
            "viewBox": f"0 0 {_fmt(plan.width)} {_fmt(plan.height)}",
            "font-family": FONT,
            "font-size": _fmt(FONT_SIZE),
            "role": "img",
            "aria-labelledby": f"{ids}title {ids}desc",
        },
    )
    _el(root, "title", id=f"{ids}title").text = plan.title
    _el(root, "desc", id=f"{ids}desc").text = plan.description
    _defs(root, ids)
    _el(root, "rect", width=plan.width, height=plan.height, fill=STRIPES[0])
    for block in plan.header:
        _text(root, block, fill=MUTED if block.role == "explanation" else TEXT)

    legend = _el(root, "g", class_="legend")
    for item in plan.legend:
        _legend_swatch(legend, item, ids)
        _text(legend, item.text, fill=MUTED)

    for index, lane in enumerate(plan.lanes):
        _el(
            root,
            "rect",
            x=0,
            y=lane.box.y,
            width=plan.width,
            height=lane.box.height,
            fill=STRIPES[index % 2],
            class_="lane-band",
        )
    grid = _el(root, "g", class_="grid")
    for tick in plan.ticks:
        if tick.line:
            _el(
                grid,
                "line",
                x1=tick.x,
                y1=plan.grid_top,
                x2=tick.x,
                y2=plan.grid_bottom,
                stroke="#c8ced6" if tick.major else "#e3e7ec",
                stroke_width=1,
            )
    for top, labels in zip(plan.axes, plan.axis_labels, strict=True):
        axis = _el(root, "g", class_="axis")
        _el(
            axis,
            "line",
            x1=plan.plot_left,
            y1=top + plan.axis_height - 1,
            x2=plan.plot_right,
            y2=top + plan.axis_height - 1,
            stroke="#c8ced6",
        )
        for block in labels:
            _text(axis, block, fill=MUTED)
    for era in plan.eras:
        group = _el(root, "g", class_="era", id=f"{ids}era-{slug(era.id)}")
        bar = era.bar
        fill = ERA
        if era.approximate:  # faded ends, as for an event
            fade = f"{ids}era-fade-{slug(era.id)}"
            gradient = _el(group, "linearGradient", id=fade)
            for offset, opacity in ((0, 0.15), (0.12, 0.8), (0.88, 0.8), (1, 0.15)):
                _el(gradient, "stop", offset=offset, stop_color=ERA, stop_opacity=opacity)
            fill = f"url(#{fade})"
        _el(group, "rect", x=bar.x, y=bar.y, width=bar.width, height=bar.height, fill=fill)
        for edge in era.edges:
            _el(
                group,
                "line",
                x1=edge,
                y1=bar.bottom,
                x2=edge,
                y2=plan.grid_bottom,
                stroke=ERA,
                stroke_opacity=0.45,
                stroke_dasharray="2 3",
            )
        _text(group, era.label, fill="#7a5200", font_style="italic")
    if plan.today is not None:
        x, today = plan.today
        group = _el(root, "g", class_="today")
        # Down from the label to the axis, then over the lanes (not through the years' names).
        for y1, y2 in ((today.box.bottom, plan.axes[0] + 2), (plan.grid_top, plan.grid_bottom)):
            _el(group, "line", x1=x, y1=y1, x2=x, y2=y2, stroke=TODAY, stroke_width=1.5)
        _text(group, today, fill=TODAY)

    for lane in plan.lanes:
        _text(root, lane.name, fill=TEXT, id=f"{ids}lane-{slug(lane.id) if lane.id else 'shared'}")
    stripe = {lane.id: STRIPES[i % 2] for i, lane in enumerate(plan.lanes)}
    for mark in plan.marks:
        group = _el(root, "g", class_=mark.classes)
        group.set("data-event", mark.event_id)
        group.set("data-partners", " ".join(mark.partners))
        group.set("data-topics", " ".join(mark.topics))
        _el(group, "title").text = mark.tooltip
        _draw_mark(group, mark, ids)
    lane_of = {m.event_id: m.lane for m in plan.marks if m.kind != "ring"}
    for label in plan.labels:
        _draw_label(root, label, stripe[lane_of[label.event_id]])
    return root


def _draw_label(root: ET.Element, label: Label, halo: str) -> None:
    """A label and its leader line; a halo in the lane's colour keeps grid lines off it."""
    leader = label.leader
    _el(
        root,
        "line",
        x1=leader.x,
        y1=leader.y,
        x2=leader.x,
        y2=leader.bottom,
        stroke=MUTED,
        stroke_width=0.8,
        class_="leader",
        data_event=label.event_id,
    )
    # Text set to the left of its mark ends at the leader, whatever the font's widths.
    x = label.box.right - 2 if label.ends_at_anchor else label.box.x + 2
    block = TextBlock(
        "label",
        label.lines,
        Box(x, label.box.y - 0.5, label.box.width, label.box.height),
        FONT_SIZE,
        tooltip=label.tooltip,
    )
    cancelled = label.status == "cancelled"
    _text(
        root,
        block,
        **({"text_anchor": "end"} if label.ends_at_anchor else {}),
        fill=GREY if cancelled else TEXT,
        stroke=halo,
        stroke_width=3,
        stroke_linejoin="round",
        paint_order="stroke",
        **({"text_decoration": "line-through"} if cancelled else {}),
        data_event=label.event_id,
    )


def _legend_swatch(parent: ET.Element, item: LegendItem, ids: str) -> None:
    b = item.swatch
    cy = b.y + b.height / 2
    key = item.key
    if key == "era":
        _el(parent, "rect", x=b.x, y=cy - 2, width=b.width, height=4, fill=ERA)
        return
    if key == "today":
        _el(
            parent,
            "line",
            x1=b.x + b.width / 2,
            y1=b.y - 1,
            x2=b.x + b.width / 2,
            y2=b.bottom + 1,
            stroke=TODAY,
            stroke_width=1.5,
        )
        return
    cx = b.x + b.width / 2
    kind: Kind = "days"
    shape = Box(b.x + 4, cy - 4, b.width - 8, 8)
    extent = shape
    if key == "day":
        kind, shape = "day", Box(cx - 5, cy - 5, 10, 10)
    elif key == "ring":
        kind, shape = "ring", Box(cx - 4, cy - 4, 8, 8)
    elif key == "imprecise":
        kind, shape = "month", Box(b.x, cy - 5, b.width, 10)
    elif key == "approximate":
        shape = Box(b.x + WING, cy - 4, b.width - 2 * WING, 8)
        extent = Box(b.x, shape.y, b.width, 8)
    elif key == "uncertain":
        shape = Box(b.x + 2, cy - 4, b.width - QUERY - 2, 8)
        extent = Box(b.x + 2, shape.y, b.width - 2, 8)
    extent = extent if key in ("approximate", "uncertain") else shape
    sample = Mark(
        "",
        "",
        kind,
        shape,
        extent,
        key if key in ("planned", "cancelled") else "held",
        key == "approximate",
        key == "uncertain",
        "",
        (),
        (),
    )
    group = _el(parent, "g", class_=f"swatch {key}")
    _draw_mark(group, sample, ids)


def timeline_svg(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    *,
    width: int = 1200,
    lanes: LaneKind = "partner",
    eras: Sequence[Era] = (),
    subtitle: str = "",
    today: date | None = None,
) -> str:
    """A standalone SVG file."""
    plan = layout(
        events,
        directory,
        lang,
        width=width,
        lanes=lanes,
        eras=eras,
        subtitle=subtitle,
        today=today,
    )
    body = ET.tostring(svg_element(plan), encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def timeline_html(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    *,
    width: int = 1200,
    lanes: LaneKind = "partner",
    eras: Sequence[Era] = (),
    subtitle: str = "",
    today: date | None = None,
    nav: Nav | None = None,
) -> str:
    """One self-contained page: the picture (twice, for wide and for narrower screens), a
    vertical timeline for phones, then every event with its details and sources."""
    from markupsafe import Markup

    from .templates import render

    def picture(at: int, ids: str) -> tuple[Markup, float]:
        plan = layout(
            events,
            directory,
            lang,
            width=at,
            lanes=lanes,
            eras=eras,
            subtitle=subtitle,
            today=today,
            heading=False,
        )
        # ElementTree escaped every text and attribute; Markup keeps Jinja2 from doing it twice.
        svg = Markup(ET.tostring(svg_element(plan, ids), encoding="unicode"))  # noqa: S704
        return svg, plan.height

    # Each picture is shown at its own size on screens wide enough for it and no wider than
    # the next one needs (never scaled down, so that its text stays at least 12 px).
    sizes = [w for w in PAGE_WIDTHS if w < width] + [width]
    pictures = []
    for i, at in enumerate(sizes):
        svg, height = picture(at, f"p{at}-")
        pictures.append(
            {
                "svg": svg,
                "from": at + 64,
                "to": sizes[i + 1] + 64 if i + 1 < len(sizes) else None,
                # On paper the smallest picture fills a page if that keeps it legible; a
                # taller one would be cut, so the list is printed instead.
                "prints": i == 0 and height <= PRINT_HEIGHT * at / PAGE_WIDTHS[0],
            }
        )

    def item(event: Event, ring: bool) -> dict[str, object]:
        return {
            "id": slug(event.id),
            "raw_id": event.id,
            "classes": ("ring " if ring else _kind(event) + " ")
            + event.status
            + (" approximate" if event.approximate else "")
            + (" uncertain" if event.uncertain else ""),
            "date": event.when(lang),
            "title": event.title[lang],
            "status": event.status,
            "status_text": word(event.status, lang),
            "partners": " ".join(event.partners),
            "topics": " ".join(event.topics),
        }

    vlanes = [
        {
            "name": plan.name,
            "members": ", ".join(plan.members),
            "items": [
                item(e, e in plan.rings)
                for e in sorted([*plan.events, *plan.rings], key=lambda e: (e.first, e.id))
            ],
        }
        for plan in lane_plans(events, directory, lang, lanes)
    ]
    years: dict[int, list[dict[str, object]]] = {}
    for event in events:
        years.setdefault(event.first.year, []).append(
            {
                "id": slug(event.id),
                "raw_id": event.id,
                "date": event.when(lang, "long"),
                "status": event.status,
                "status_text": word(event.status, lang),
                "title": event.title[lang],
                "other_title": event.title[other(lang)],
                "other_lang": other(lang),
                "summary": event.summary[lang],
                "place": event.place(lang),
                "partners": [
                    (p, directory.short(p, lang), directory.partner_name(p, lang))
                    for p in event.partners
                ],
                "topics": [(t, directory.topic_label(t, lang)) for t in event.topics],
                "people": [person.label(lang) for person in event.people],
                "sources": event.sources,
            }
        )
    used_partners = list(dict.fromkeys(p for e in events for p in e.partners))
    used_topics = list(dict.fromkeys(t for e in events for t in e.topics))
    return render(
        "timeline.html",
        lang=lang,
        version=__version__,
        nav=nav,
        title=directory.title(lang),
        subtitle=subtitle,
        pictures=pictures,
        wide=width,
        vlanes=vlanes,
        years=sorted(years.items()),
        total=len(events),
        count=count_events(len(events), lang),
        partners=[
            (p, directory.short(p, lang), directory.partner_name(p, lang)) for p in used_partners
        ],
        topics=[(t, directory.topic_label(t, lang)) for t in used_topics],
        t={
            k: word(k, lang)
            for k in (
                "partners",
                "topics",
                "people",
                "sources",
                "where",
                "when",
                "status",
                "all",
                "shown_of",
                "no_events",
                "by_lane_" + lanes,
            )
        },
        lanes_kind=lanes,
    )


# --- TimelineJS -----------------------------------------------------------------------------


def _tl_date(point: DatePoint, with_time: bool) -> dict[str, int]:
    parts: dict[str, int] = {"year": point.year}
    if point.season is not None:
        parts["month"] = point.first.month
    elif point.month is not None:
        parts["month"] = point.month
    if point.day is not None:
        parts["day"] = point.day
    if with_time and point.time is not None:
        parts["hour"] = point.time.hour
        parts["minute"] = point.time.minute
    return parts


def _tl_end(point: DatePoint, with_time: bool) -> dict[str, int]:
    # A season ends with the month of its last day.
    if point.season is None:
        return _tl_date(point, with_time)
    last = point.last
    return {"year": last.year, "month": last.month}


def timelinejs(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    eras: Sequence[Era] = (),
) -> str:
    """TimelineJS JSON: events with the date parts known, groups, eras, escaped text."""
    slides = []
    for event in events:
        parsed = event.date
        slide: dict[str, object] = {
            "unique_id": event.id,
            "start_date": _tl_date(parsed.start, True),
        }
        if parsed.end is not None:
            slide["end_date"] = _tl_end(parsed.end, True)
        elif parsed.start.season is not None:
            slide["end_date"] = _tl_end(parsed.start, True)
        if (
            parsed.approximate
            or parsed.uncertain
            or any(p.season is not None for p in parsed.points)
        ):
            slide["display_date"] = html.escape(event.when(lang, "long"))
        sources = "".join(
            f'<li><a href="{html.escape(s.url)}">{html.escape(s.publisher)}: '
            f"{html.escape(s.title)}</a></li>"
            for s in event.sources
        )
        who = ", ".join(html.escape(directory.partner_name(p, lang)) for p in event.partners)
        place = event.place(lang)
        text = f"<p>{html.escape(event.summary[lang])}</p>"
        text += f"<p>{html.escape(word('partners', lang))}: {who}"
        text += f" · {html.escape(place)}</p>" if place else "</p>"
        text += f"<p>{html.escape(word('sources', lang))}:</p><ol>{sources}</ol>"
        headline_text = html.escape(event.title[lang])
        if event.status != "held":
            headline_text += f" ({html.escape(word(event.status, lang))})"
        slide["text"] = {"headline": headline_text, "text": text}
        # TimelineJS inserts every text field, the group's name too, into the page as HTML.
        slide["group"] = html.escape(directory.short(event.partners[0], lang))
        slides.append(slide)
    last_day = max((e.last for e in events), default=None)
    era_items = []
    for era in eras:
        start = _tl_date(era.date.start, False)
        if era.date.end is not None:
            end = _tl_end(era.date.end, False)
        elif last_day is not None:
            # No end in the sources ("from then on"): the era runs to the timeline's end.
            end = {"year": last_day.year, "month": last_day.month, "day": last_day.day}
        else:
            continue
        era_items.append(
            {
                "start_date": start,
                "end_date": end,
                "text": {"headline": html.escape(era.title[lang])},
            }
        )
    document = {
        "title": {
            "text": {
                "headline": html.escape(directory.title(lang)),
                "text": html.escape(count_events(len(events), lang)),
            }
        },
        "events": slides,
        "eras": era_items,
        "scale": "human",
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
