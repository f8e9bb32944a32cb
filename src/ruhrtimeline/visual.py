"""Timelines to look at: an SVG with one lane per partner (or topic), an HTML page around it,
and TimelineJS (Knight Lab) JSON.

The SVG is laid out first (`layout`) as boxes in pixels, so that tests can check what is drawn
(one mark per event, no label over another), then written with ElementTree, which escapes all
text.  Imprecision stays visible: a day is a dot, several days a bar, and a month, season or
year a hatched band over the whole period; planned events are outlined.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from . import __version__
from .dates import DatePoint, Lang
from .files import slug
from .i18n import count_events, other, word
from .records import Directory, Era, Event

LaneKind = Literal["partner", "topic"]
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

INK = "#0b6e99"
MUTED = "#5b6470"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
FONT_SIZE = 11.0
CHAR_WIDTH = 0.6 * FONT_SIZE  # a generous average, so estimated boxes are never too small
LABEL_CHARS = 38
ROW = 15.0
LEFT, RIGHT, TOP = 150.0, 24.0, 78.0
MAX_LABELS = 400  # beyond this many events, labels could not be read: marks only


def _w(key: str, lang: Lang) -> str:
    return word(key, lang)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Mark:
    event_id: str
    lane: str
    kind: str  # "day", "days" or "imprecise" (the main mark); "participant" in other lanes
    box: Box
    planned: bool
    approximate: bool
    title: str
    tooltip: str
    partners: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Label:
    event_id: str
    text: str
    box: Box
    anchor_x: float  # where the leader line meets the mark


@dataclass
class Layout:
    width: float
    height: float
    first: date
    last: date  # exclusive end of the axis
    lang: Lang
    lanes: list[tuple[str, str, float, float]] = field(default_factory=list)  # id, label, y, h
    marks: list[Mark] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    eras: list[tuple[str, str, Box, bool]] = field(default_factory=list)  # id, title, band, ~
    era_labels: list[Label] = field(default_factory=list)
    subtitle: str = ""
    title: str = ""

    def x(self, day: date) -> float:
        span = (self.last - self.first).days or 1
        return LEFT + (day - self.first).days / span * (self.width - LEFT - RIGHT)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _fits(box: Box, row: list[Box]) -> bool:
    return all(
        box.x >= other.x + other.width + 6 or other.x >= box.x + box.width + 6 for other in row
    )


def _clear(x: float, box: Box) -> bool:
    return not box.x - 3 <= x <= box.x + box.width + 3


def _place(
    box: Box,
    rows: list[list[Box]],
    right: float,
    anchor: float | None = None,
    leaders: list[tuple[float, int]] | None = None,
) -> tuple[Box, int]:
    """Put a label in the first row where it overlaps no other label and no leader line
    crosses it: to the right of its anchor, or else ending at it; shifted left at the edge."""
    candidates = [box]
    if anchor is not None:
        candidates.append(Box(max(LEFT, anchor - box.width + 2), box.y, box.width, box.height))
    candidates = [
        Box(max(LEFT, right - c.width), c.y, c.width, c.height) if c.x + c.width > right else c
        for c in candidates
    ]
    leaders = leaders if leaders is not None else []
    for index in range(len(rows) + 1):
        row = rows[index] if index < len(rows) else []
        # This label's leader must pass the rows above it clear of their labels.
        if anchor is not None and not all(
            _clear(anchor, other) for above in rows[:index] for other in above
        ):
            continue
        for candidate in candidates:
            crossed = any(depth > index and not _clear(x, candidate) for x, depth in leaders)
            if _fits(candidate, row) and not crossed:
                if index == len(rows):
                    rows.append([])
                rows[index].append(candidate)
                if anchor is not None:
                    leaders.append((anchor, index))
                return candidate, index
    rows.append([candidates[0]])
    return candidates[0], len(rows) - 1


def layout(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    *,
    width: int = 1200,
    lanes: LaneKind = "partner",
    eras: Sequence[Era] = (),
    subtitle: str = "",
) -> Layout:
    """Lay the timeline out in pixels: lanes, marks, labels and era bands."""
    width = max(int(width), 480)
    if events:
        first_year = min(e.first.year for e in events)
        last_year = max(e.last.year for e in events)
    else:
        first_year = last_year = 2000
    axis = Layout(
        width,
        0,
        date(first_year, 1, 1),
        date(last_year + 1, 1, 1),
        lang,
        subtitle=subtitle,
        title=directory.title(lang),
    )
    right = width - RIGHT

    def keys(event: Event) -> tuple[str, ...]:
        return event.partners if lanes == "partner" else event.topics

    order = list(directory.partners if lanes == "partner" else directory.topics)
    used = {k for e in events for k in keys(e)}
    lane_ids = [k for k in order if k in used] + sorted(used - set(order))

    # Eras: bands behind all lanes, clipped to the axis; labels in rows above the lanes.
    era_rows: list[list[Box]] = []
    era_items = []
    for era in eras:
        start = max(era.first, axis.first)
        end = min(era.last or axis.last, axis.last)
        if end < axis.first or start >= axis.last or not events:
            continue
        x0, x1 = axis.x(start), axis.x(min(end + timedelta(days=1), axis.last))
        title = _short(era.title[lang], 40)
        box, row = _place(Box(x0 + 2, 0, _text_width(title), ROW), era_rows, right)
        era_items.append((era, title, x0, x1, box, row))
    era_height = len(era_rows) * ROW
    top = TOP + era_height

    y = top
    main_marks: dict[str, Mark] = {}
    for lane in lane_ids:
        lane_label = (
            directory.short(lane, lang) if lanes == "partner" else directory.topic_label(lane, lang)
        )
        lane_events = [e for e in events if keys(e) and keys(e)[0] == lane]
        mark_y = y + 12
        rows: list[list[Box]] = []
        leaders: list[tuple[float, int]] = []
        pending: list[tuple[Event, Box, int]] = []
        for event in lane_events:
            after_last = event.last + timedelta(days=1)
            x0, x1 = axis.x(event.first), axis.x(min(after_last, axis.last))
            if event.precise and event.first == event.last:
                kind, box = "day", Box((x0 + x1) / 2 - 5, mark_y - 5, 10, 10)
            elif event.precise:
                kind, box = "days", Box(x0, mark_y - 4, max(x1 - x0, 6), 8)
            else:
                kind, box = "imprecise", Box(x0, mark_y - 7, max(x1 - x0, 3), 14)
            title = event.title[lang]
            mark = Mark(
                event.id,
                lane,
                kind,
                box,
                event.status == "planned",
                event.approximate,
                title,
                f"{event.when(lang)}: {title}",
                event.partners,
                event.topics,
            )
            axis.marks.append(mark)
            main_marks[event.id] = mark
            if len(events) > MAX_LABELS:
                continue
            text = _short(title)
            anchor = box.x + min(box.width, 10) / 2 if kind != "day" else box.x + 5
            label_box, row = _place(
                Box(anchor - 2, 0, _text_width(text), ROW), rows, right, anchor, leaders
            )
            pending.append((event, label_box, row))
        label_top = mark_y + 10
        for event, label_box, row in pending:
            placed = Box(label_box.x, label_top + row * ROW, label_box.width, ROW)
            mark = main_marks[event.id]
            anchor = mark.box.x + (5 if mark.kind == "day" else min(mark.box.width, 10) / 2)
            axis.labels.append(Label(event.id, _short(event.title[lang]), placed, anchor))
        height = 26 + len(rows) * ROW + (6 if rows else 0)
        axis.lanes.append((lane, lane_label, y, height))
        y += height

    # Dots in the lanes of everyone else who takes part.
    lane_y = {lane: top_y + 12 for lane, _, top_y, _ in axis.lanes}
    for event in events:
        main = main_marks.get(event.id)
        if main is None:
            continue
        centre = main.box.x + main.box.width / 2
        for taking_part in keys(event)[1:]:
            if taking_part in lane_y:
                axis.marks.append(
                    Mark(
                        event.id,
                        taking_part,
                        "participant",
                        Box(centre - 3, lane_y[taking_part] - 3, 6, 6),
                        main.planned,
                        main.approximate,
                        main.title,
                        main.tooltip,
                        main.partners,
                        main.topics,
                    )
                )

    for era, title, x0, x1, box, row in era_items:
        band = Box(x0, top, max(x1 - x0, 2), y - top)
        axis.eras.append((era.id, title, band, era.date.approximate))
        axis.era_labels.append(
            Label(era.id, title, Box(box.x, TOP + row * ROW, box.width, ROW), x0)
        )
    axis.height = y + 56  # room for the legend
    return axis


def _el(parent: ET.Element, tag: str, **attrs: str | float) -> ET.Element:
    return ET.SubElement(
        parent,
        f"{{{SVG_NS}}}{tag}",
        {
            k.rstrip("_").replace("_", "-"): v if isinstance(v, str) else _fmt(v)
            for k, v in attrs.items()
        },
    )


def svg_element(plan: Layout) -> ET.Element:
    """The SVG document of a layout (self-contained: no fonts, images or scripts)."""
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
            "aria-labelledby": "timeline-title",
        },
    )
    title = _el(root, "title", id="timeline-title")
    title.text = plan.title + (f" – {plan.subtitle}" if plan.subtitle else "")
    defs = _el(root, "defs")
    hatch = _el(
        defs,
        "pattern",
        id="hatch",
        patternUnits="userSpaceOnUse",
        width=6,
        height=6,
        patternTransform="rotate(45)",
    )
    _el(hatch, "rect", width=6, height=6, fill=INK, fill_opacity=0.12)
    _el(hatch, "line", x1=0, y1=0, x2=0, y2=6, stroke=INK, stroke_width=2, stroke_opacity=0.55)

    _el(root, "rect", width=plan.width, height=plan.height, fill="#ffffff")
    heading = _el(root, "text", x=12, y=24, font_size=16, font_weight="bold", fill="#1b1f24")
    heading.text = plan.title
    if plan.subtitle:
        sub = _el(root, "text", x=12, y=42, fill=MUTED)
        sub.text = plan.subtitle

    bottom = plan.lanes[-1][2] + plan.lanes[-1][3] if plan.lanes else TOP
    for index, (_, _, y, height) in enumerate(plan.lanes):
        if index % 2 == 0:
            _el(root, "rect", x=0, y=y, width=plan.width, height=height, fill="#f3f5f8")
    for (era_id, era_title, band, approximate), label in zip(
        plan.eras, plan.era_labels, strict=True
    ):
        group = _el(root, "g", class_="era", id=f"era-{slug(era_id)}")
        tip = _el(group, "title")
        tip.text = era_title
        dash = "4 3" if approximate else "none"
        # A strip beside the era's name, and a faint wash with edges over the lanes.
        _el(
            group,
            "rect",
            x=band.x,
            y=label.box.y + ROW - 2,
            width=band.width,
            height=3,
            fill="#9a6700",
            fill_opacity=0.7,
        )
        _el(
            group,
            "rect",
            x=band.x,
            y=band.y,
            width=band.width,
            height=band.height,
            fill="#e3b341",
            fill_opacity=0.07,
        )
        for edge in (band.x, band.x + band.width):
            _el(
                group,
                "line",
                x1=edge,
                y1=label.box.y + ROW - 2,
                x2=edge,
                y2=band.y + band.height,
                stroke="#9a6700",
                stroke_opacity=0.45,
                stroke_dasharray=dash,
            )
        text = _el(
            group,
            "text",
            x=label.box.x,
            y=label.box.y + ROW - 5,
            fill="#7a5200",
            font_style="italic",
            class_="era-label",
        )
        text.text = label.text

    # Years along the axis.
    years = range(plan.first.year, plan.last.year + 1)
    step = 1 if len(years) <= 30 else 5
    for year in years:
        x = plan.x(date(year, 1, 1))
        _el(root, "line", x1=x, y1=TOP - 4, x2=x, y2=bottom, stroke="#c8ced6", stroke_width=1)
        if year % step == 0 and year < plan.last.year:
            year_text = _el(root, "text", x=x + 3, y=TOP - 8, fill=MUTED, class_="year")
            year_text.text = str(year)

    for lane_id, lane_label, y, _ in plan.lanes:
        text = _el(
            root,
            "text",
            x=12,
            y=y + 16,
            font_weight="bold",
            fill="#1b1f24",
            class_="lane",
            id=f"lane-{slug(lane_id)}",
        )
        text.text = _short(lane_label, 20)

    for mark in plan.marks:
        link = _el(root, "a", class_=f"mark {mark.kind}" + (" planned" if mark.planned else ""))
        link.set(f"{{{XLINK_NS}}}href", f"#event-{slug(mark.event_id)}")
        link.set("data-event", mark.event_id)
        link.set("data-partners", " ".join(mark.partners))
        link.set("data-topics", " ".join(mark.topics))
        tip = _el(link, "title")
        tip.text = mark.tooltip
        _shape(link, mark.kind, mark.box, planned=mark.planned, approximate=mark.approximate)

    for label in plan.labels:
        mark_y = next(
            m.box.y + m.box.height
            for m in plan.marks
            if m.event_id == label.event_id and m.kind != "participant"
        )
        _el(
            root,
            "line",
            x1=label.anchor_x,
            y1=mark_y + 1,
            x2=label.anchor_x,
            y2=label.box.y + 3,
            stroke=MUTED,
            stroke_width=0.8,
        )
        text = _el(
            root, "text", x=label.box.x + 3, y=label.box.y + ROW - 3, fill="#1b1f24", class_="label"
        )
        text.set("data-event", label.event_id)
        text.text = label.text

    _legend(root, plan, bottom + 28)
    return root


def _shape(parent: ET.Element, kind: str, b: Box, *, planned: bool, approximate: bool) -> None:
    """A mark: a dot for a day, a bar for days, a hatched band for a month, season or year,
    a ring for a partner taking part; planned ones outlined, approximate ones dashed."""
    dash = "3 2" if planned or approximate else "none"
    if kind in ("day", "participant"):
        r = 5 if kind == "day" else 3
        fill = INK if kind == "day" and not planned else "#ffffff"
        _el(
            parent,
            "circle",
            cx=b.x + r,
            cy=b.y + r,
            r=r,
            fill=fill,
            stroke=INK,
            stroke_width=1.5 if kind == "day" else 1.2,
            stroke_dasharray=dash if kind == "day" else "none",
        )
        return
    pattern = "url(#hatch)" if kind == "imprecise" else INK
    _el(
        parent,
        "rect",
        x=b.x,
        y=b.y,
        width=b.width,
        height=b.height,
        rx=3 if kind == "days" else 0,
        fill="#ffffff" if planned else pattern,
        stroke=INK,
        stroke_width=1.5 if kind == "days" else 1.2,
        stroke_dasharray=dash,
    )


def _legend(root: ET.Element, plan: Layout, y: float) -> None:
    lang = plan.lang
    group = _el(root, "g", class_="legend")
    x = 12.0
    items = [
        ("day", _w("day", lang)),
        ("days", _w("days", lang)),
        ("imprecise", _w("imprecise", lang)),
        ("planned", _w("planned", lang)),
        ("approximate", _w("legend_approximate", lang)),
        ("participant", _w("participant", lang)),
    ]
    if plan.eras:
        items.append(("era", _w("era", lang)))
    sizes = {
        "day": (10, 10),
        "days": (16, 8),
        "imprecise": (20, 14),
        "planned": (10, 10),
        "approximate": (20, 14),
        "participant": (6, 6),
    }
    for kind, label in items:
        if kind in sizes:
            width, height = sizes[kind]
            shape = {"planned": "day", "approximate": "imprecise"}.get(kind, kind)
            _shape(
                group,
                shape,
                Box(x, y - height / 2, width, height),
                planned=kind == "planned",
                approximate=kind == "approximate",
            )
        else:
            _el(
                group,
                "rect",
                x=x,
                y=y - 7,
                width=20,
                height=14,
                fill="#e3b341",
                fill_opacity=0.2,
                stroke="#9a6700",
            )
        text = _el(group, "text", x=x + 26, y=y + 4, fill=MUTED)
        text.text = label
        x += 26 + _text_width(label) + 18
        if x > plan.width - 200:
            x, y = 12.0, y + 22


def timeline_svg(
    events: Sequence[Event],
    directory: Directory,
    lang: Lang,
    *,
    width: int = 1200,
    lanes: LaneKind = "partner",
    eras: Sequence[Era] = (),
    subtitle: str = "",
) -> str:
    """A standalone SVG file."""
    plan = layout(events, directory, lang, width=width, lanes=lanes, eras=eras, subtitle=subtitle)
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
) -> str:
    """One self-contained page: the SVG, then every event with its details and sources."""
    from markupsafe import Markup

    from .templates import render

    plan = layout(events, directory, lang, width=width, lanes=lanes, eras=eras, subtitle=subtitle)
    # ElementTree escaped every text and attribute of the SVG; Markup keeps Jinja2 from doing
    # it twice.
    svg = Markup(ET.tostring(svg_element(plan), encoding="unicode"))  # noqa: S704
    years: dict[int, list[dict[str, object]]] = {}
    for event in events:
        years.setdefault(event.first.year, []).append(
            {
                "id": slug(event.id),
                "raw_id": event.id,
                "date": event.when(lang, "long"),
                "edtf": event.date.text,
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
        title=plan.title,
        subtitle=subtitle,
        svg=svg,
        years=sorted(years.items()),
        count=count_events(len(events), lang),
        partners=[
            (p, directory.short(p, lang), directory.partner_name(p, lang)) for p in used_partners
        ],
        topics=[(t, directory.topic_label(t, lang)) for t in used_topics],
        t={
            k: word(k, lang)
            for k in ("partners", "topics", "people", "sources", "where", "when", "status")
        },
        de=lang == "de",
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
