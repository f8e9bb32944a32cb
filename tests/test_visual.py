"""Pictures of the timeline: the layout's geometry at every size, one cue per property, the
SVG and the HTML page (also in headless Chromium), TimelineJS."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from conftest import Cli
from helpers import event, write_store
from ruhrtimeline import Directory, Era, Event, load_store
from ruhrtimeline.visual import (
    MIN_WIDTH,
    Box,
    Layout,
    TextBlock,
    layout,
    svg_element,
    timeline_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
WIDTHS = (480, 800, 1200, 1600)
BENCH = Path(__file__).parent.parent / "bench"


@dataclass
class Record:
    events: list[Event]
    directory: Directory
    eras: list[Era]


def read(path: Path | None) -> Record:
    with load_store(path) as store:
        return Record(store.events(), store.directory, store.eras())


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Record]:
    """The bundled store, a generated store of 300 events, and a store of one event."""
    folder = tmp_path_factory.mktemp("stores")
    generated = folder / "300.yaml"
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), "300", "-o", str(generated)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    one = write_store(
        folder / "one.yaml",
        [
            event(
                "one",
                "2019-08-08/2019-08-09",
                title={
                    "de": "RVR-Delegation in der GZM – Partnerschaftsvereinbarung unterzeichnet",
                    "en": "RVR delegation to the GZM – partnership agreement signed in Katowice",
                },
            )
        ],
    )
    return {"bundled": read(None), "generated": read(generated), "one": read(one)}


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes of the drawing share any area."""
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def inside(a: Box, b: Box) -> bool:
    return b.x <= a.x and a.right <= b.right and b.y <= a.y and a.bottom <= b.bottom


def texts(plan: Layout) -> list[TextBlock]:
    """Every block of text the layout places."""
    blocks = [*plan.header, *(item.text for item in plan.legend)]
    blocks += [block for labels in plan.axis_labels for block in labels]
    blocks += [era.label for era in plan.eras] + [lane.name for lane in plan.lanes]
    return blocks + ([plan.today[1]] if plan.today else [])


def crossings(plan: Layout) -> list[tuple[str, str]]:
    """(leader's event, label's event) for every leader line that passes through a label."""
    found = []
    for label, other in itertools.product(plan.labels, plan.labels):
        leader = label.leader
        box = other.box
        if (
            other is not label
            and box.x <= leader.x <= box.right
            and leader.y < box.bottom
            and box.y < leader.bottom
        ):
            found.append((label.event_id, other.event_id))
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["bundled", "generated", "one"])
def test_geometry_holds_at_every_size(records: dict[str, Record], name: str, width: int) -> None:
    record = records[name]
    plan = layout(record.events, record.directory, "en", width=width, eras=record.eras)
    canvas = Box(0, 0, plan.width, plan.height)
    assert crossings(plan) == []
    for a, b in itertools.combinations(plan.labels, 2):
        assert not overlap(a.box, b.box), (a, b)
    for label in plan.labels:
        assert inside(label.box, canvas), label
        lane = next(lane for lane in plan.lanes if lane.box.y <= label.box.y < lane.box.bottom)
        assert inside(label.box, lane.box), (label, lane)
        assert label.box.x <= label.anchor_x <= label.box.right
    for block in texts(plan):
        assert inside(block.box, canvas), block
        assert block.size >= 12
    for mark in plan.marks:
        assert inside(mark.extent, canvas), mark
    # The legend: inside the canvas, above the axis, no entry over another.
    assert plan.legend
    for item in plan.legend:
        assert inside(item.swatch, canvas) and inside(item.text.box, canvas)
        assert item.text.box.bottom <= plan.axes[0]
    for one, two in itertools.combinations(plan.legend, 2):
        assert not overlap(one.text.box, two.text.box) and not overlap(one.swatch, two.swatch)
    # Every event has its mark; labels name events that have one, once each.
    main = [m.event_id for m in plan.marks if m.kind != "ring"]
    assert sorted(main) == sorted(e.id for e in record.events)
    assert len({lb.event_id for lb in plan.labels}) == len(plan.labels)
    # The SVG draws what was laid out: its size, every leader and label, text of 12 px or more.
    root = svg_element(plan)
    assert (root.get("width"), root.get("height")) == (
        f"{width}",
        f"{plan.height:.1f}".rstrip("0").rstrip("."),
    )
    leaders = [line for line in root.iter(f"{SVG}line") if line.get("class") == "leader"]
    assert len(leaders) == len(plan.labels)
    sizes = [float(e.get("font-size", "13")) for e in root.iter() if e.get("font-size")]
    assert min(sizes) >= 12


def test_labels_take_the_space_there_is(records: dict[str, Record]) -> None:
    one = records["one"]
    (title,) = [e.title["en"] for e in one.events]
    for width in WIDTHS:
        (label,) = layout(one.events, one.directory, "en", width=width).labels
        assert " ".join(label.lines) == title and not label.tooltip  # never cut, maybe wrapped
    bundled = records["bundled"]
    wide = layout(bundled.events, bundled.directory, "en", width=1600, eras=bundled.eras)
    narrow = layout(bundled.events, bundled.directory, "en", width=480, eras=bundled.eras)
    cut = [lb for lb in wide.labels if lb.tooltip]
    assert len(wide.labels) == len(bundled.events) and len(cut) <= 3
    assert len([lb for lb in narrow.labels if lb.tooltip]) > len(cut)
    for label in [*wide.labels, *narrow.labels]:
        assert len(label.lines) <= 2
        last = label.lines[-1]
        if label.tooltip:  # cut after a whole word, never after an opening quote or a dash
            assert last.endswith("…") and last[-2] not in '"„“(–- '


def test_crowded_lanes_keep_the_important_labels(records: dict[str, Record]) -> None:
    generated = records["generated"]
    plan = layout(generated.events, generated.directory, "en", width=800)
    labelled = {lb.event_id for lb in plan.labels}
    assert 0 < len(labelled) < len(generated.events)
    # Unlabelled events keep their title in the mark's tooltip.
    for mark in plan.marks:
        title = next(e.title["en"] for e in generated.events if e.id == mark.event_id)
        assert title in mark.tooltip


STATES = [
    event("a-day", "2019-03-05"),
    event("some-days", "2019-04-01/2019-04-03"),
    event("a-month", "2019-05"),
    event("a-season", "2019-22", status="planned"),
    event("a-year", "2020"),
    event("about-a-month", "2019-09~"),
    event("maybe-a-day", "2019-10-10?"),
    event("called-off", "2019-11-20", status="cancelled"),
    event("planned-month", "2020-06", ["gzm", "rvr"], status="planned"),
]


def test_each_state_has_its_own_mark_class(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "s.yaml", STATES)
    root = ET.fromstring(cli("timeline", "-f", "svg", "--store", str(path)).stdout_bytes)
    classes = {
        g.get("data-event"): set(g.get("class", "").split())
        for g in root.iter(f"{SVG}g")
        if "mark" in g.get("class", "").split() and "ring" not in g.get("class", "").split()
    }
    assert classes["a-day"] == {"mark", "day", "held"}
    assert classes["some-days"] == {"mark", "days", "held"}
    assert classes["a-month"] == {"mark", "month", "held"}
    assert classes["a-season"] == {"mark", "season", "planned"}
    assert classes["a-year"] == {"mark", "year", "held"}
    assert classes["about-a-month"] == {"mark", "month", "held", "approximate"}
    assert classes["maybe-a-day"] == {"mark", "day", "held", "uncertain"}
    assert classes["called-off"] == {"mark", "day", "cancelled"}
    assert classes["planned-month"] == {"mark", "month", "planned"}
    rings = [g for g in root.iter(f"{SVG}g") if {"mark", "ring"} <= set(g.get("class", "").split())]
    assert [g.get("data-event") for g in rings] == ["planned-month"]
    # Each cue is drawn: hatching kept when planned, faded ends, "?", a strike through.
    marks = {g.get("data-event"): g for g in root.iter(f"{SVG}g") if g.get("data-event")}

    def fills(name: str) -> list[str]:
        return [str(e.get("fill")) for e in marks[name].iter() if e.get("fill")]

    assert any("hatch" in f for f in fills("planned-month"))
    assert "#ffffff" in fills("planned-month") and "#ffffff" not in fills("a-month")
    assert any("fade" in f for f in fills("about-a-month"))
    assert not any("fade" in f for f in fills("a-month"))
    assert [t.text for t in marks["maybe-a-day"].iter(f"{SVG}text")] == ["?"]
    assert list(marks["called-off"].iter(f"{SVG}line")) and not list(
        marks["a-day"].iter(f"{SVG}line")
    )
    labels = {t.get("data-event"): t for t in root.iter(f"{SVG}text") if t.get("class") == "label"}
    assert labels["called-off"].get("text-decoration") == "line-through"
    assert labels["a-day"].get("text-decoration") is None


def legend(root: ET.Element) -> list[str]:
    return [
        "".join(t.itertext())
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend"
        for t in g.iter(f"{SVG}text")
        if t.get("class") == "legend"
    ]


def test_the_legend_shows_only_what_is_drawn(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "s.yaml", STATES)
    full = legend(ET.fromstring(cli("timeline", "-f", "svg", "--store", str(path)).stdout_bytes))
    assert full == [
        "a day",
        "several days",
        "only the month, season or year known (the whole period)",
        "approximate date",
        "uncertain date",
        "planned",
        "cancelled",
        "also taking part",
    ]
    days = write_store(tmp_path / "d.yaml", [event("a", "2019-03-05"), event("b", "2019-05-01")])
    root = ET.fromstring(cli("timeline", "-f", "svg", "--store", str(days)).stdout_bytes)
    assert legend(root) == ["a day"]
    topics = ET.fromstring(cli("timeline", "-f", "svg", "--lanes", "topic").stdout_bytes)
    assert "also on this topic" in legend(topics) and "also taking part" not in legend(topics)


def lane_names(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "lane"]


def test_lanes_and_rings_are_explained(cli: Cli, events: list[Event]) -> None:
    root = ET.fromstring(cli("timeline", "--format", "svg").stdout_bytes)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "lane of its first partner; rings mark the other partners" in " ".join(texts)
    # Partners with a single event share one lane at the end.
    counts: dict[str, int] = {}
    for e in events:
        for p in set(e.partners):
            counts[p] = counts.get(p, 0) + 1
    names = lane_names(root)
    assert names[-1].startswith("other partners")
    assert len(names) == sum(1 for n in counts.values() if n > 1) + 1
    topics = ET.fromstring(cli("timeline", "-f", "svg", "--lanes", "topic").stdout_bytes)
    assert lane_names(topics)[-1].startswith("other topics")


def test_width_below_the_minimum_is_refused(cli: Cli) -> None:
    result = cli("timeline", "-f", "svg", "--width", "40")
    assert result.exit_code == 2 and f"at least {MIN_WIDTH} pixels" in result.stderr
    assert "Traceback" not in result.stderr
    root = ET.fromstring(cli("timeline", "-f", "svg", "--width", str(MIN_WIDTH)).stdout_bytes)
    assert root.get("width") == str(MIN_WIDTH)
    root = ET.fromstring(cli("timeline", "-f", "svg", "--width", "900").stdout_bytes)
    assert root.get("width") == "900"


def test_an_empty_selection_says_so(cli: Cli) -> None:
    root = ET.fromstring(cli("timeline", "-f", "svg", "--year", "1990").stdout_bytes)
    texts = [(t.get("class"), "".join(t.itertext())) for t in root.iter(f"{SVG}text")]
    assert ("empty", "No events match.") in texts
    assert not [t for t in texts if t[0] in ("year", "month", "lane", "label")]


def test_short_spans_have_month_ticks_and_tall_charts_repeat_the_axis(
    cli: Cli, records: dict[str, Record]
) -> None:
    root = ET.fromstring(cli("timeline", "-f", "svg", "--year", "2019").stdout_bytes)
    months = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "month"]
    assert months[:3] == ["Dec", "Jan", "Feb"]  # the theme forums begin in December 2018
    axes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "axis"]
    assert len(axes) == 1
    generated = records["generated"]
    tall = layout(generated.events, generated.directory, "en", width=1200)
    assert tall.height > 3000 and len(tall.axes) >= tall.height // 1000
    bundled = ET.fromstring(cli("timeline", "-f", "svg").stdout_bytes)
    years = ["".join(t.itertext()) for t in bundled.iter(f"{SVG}text") if t.get("class") == "year"]
    assert years[:10] == [str(y) for y in range(2017, 2027)]


def test_subtitle_writes_dates_as_the_chart_does(cli: Cli) -> None:
    root = ET.fromstring(
        cli("timeline", "-f", "svg", "--from", "2019-08", "--to", "2020-03").stdout_bytes
    )
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "1 Aug 2019 – 31 Mar 2020" in texts and "2019-08-01" not in texts


def test_today_is_drawn_when_it_is_in_the_period(records: dict[str, Record]) -> None:
    bundled = records["bundled"]

    def today_marks(day: date) -> list[ET.Element]:
        svg = timeline_svg(bundled.events, bundled.directory, "de", today=day)
        return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "today"]

    (line,) = today_marks(date(2024, 5, 17))
    assert "".join(line.itertext()) == "heute"
    assert today_marks(date(2031, 1, 1)) == []
    plan = layout(bundled.events, bundled.directory, "en", today=date(2024, 5, 17))
    assert plan.today is not None and plan.plot_left < plan.today[0] < plan.plot_right
    assert inside(plan.today[1].box, Box(0, 0, plan.width, plan.height)) and "today" in [
        i.key for i in plan.legend
    ]


def test_lanes_by_topic(cli: Cli, events: list[Event]) -> None:
    root = ET.fromstring(cli("timeline", "-f", "svg", "--lanes", "topic").stdout_bytes)
    main = {
        g.get("data-event")
        for g in root.iter(f"{SVG}g")
        if "mark" in g.get("class", "").split() and "ring" not in g.get("class", "")
    }
    assert main == {e.id for e in events}


def test_eras_are_drawn(cli: Cli) -> None:
    root = ET.fromstring(cli("timeline", "-f", "svg").stdout_bytes)
    eras = [g.get("id") for g in root.iter(f"{SVG}g") if g.get("class") == "era"]
    assert eras == [
        "era-ruhr-konferenz-phase-1-listen",
        "era-ruhr-konferenz-phase-2-decide",
        "era-ruhr-konferenz-phase-3-act",
    ]


HOSTILE = '<script>alert(1)</script> & "quotes" <b>'


def hostile_store(tmp_path: Path) -> Path:
    return write_store(
        tmp_path / "s.yaml",
        [
            event(
                "x",
                "2019-05",
                title={"de": HOSTILE, "en": HOSTILE},
                summary={"de": HOSTILE, "en": HOSTILE},
            )
        ],
    )


def test_svg_and_html_escape_text(cli: Cli, tmp_path: Path) -> None:
    path = hostile_store(tmp_path)
    svg = cli("timeline", "-f", "svg", "--store", str(path)).stdout
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert any(HOSTILE[:30] in (t.text or "") for t in root.iter(f"{SVG}text"))
    page = cli("timeline", "-f", "html", "--store", str(path)).stdout
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []
        self.articles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for key in ("href", "xlink:href"):
            if values.get(key):
                self.links.append(str(values[key]))
        if tag in ("script", "img", "link", "iframe") and (values.get("src") or values.get("href")):
            self.external.append(str(values.get("src") or values.get("href")))
        if tag == "article":
            self.articles.append(str(values.get("data-event")))


def test_html_page_is_self_contained_and_linked(cli: Cli, events: list[Event]) -> None:
    page = Page()
    page.feed(cli("timeline", "-f", "html").stdout)
    assert page.external == []
    assert page.articles == [e.id for e in events]
    internal = [link for link in page.links if link.startswith("#")]
    assert internal and all(link[1:] in page.ids for link in internal)
    sources = [link for link in page.links if link.startswith("http")]
    assert len(set(sources)) == len({s.url for e in events for s in e.sources})


def test_feeds_build_includes_the_page(cli: Cli, tmp_path: Path) -> None:
    cli("feeds", "build", str(tmp_path / "out"))
    assert (tmp_path / "out" / "timeline.html").read_text(encoding="utf-8").count("<article") == 27
    assert 'href="timeline.html"' in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


# TimelineJS's documented fields (timeline.knightlab.com/docs/json-format.html).
DATE = {
    "type": "object",
    "required": ["year"],
    "additionalProperties": False,
    "properties": {
        k: {"type": "integer"}
        for k in ("year", "month", "day", "hour", "minute", "second", "millisecond")
    }
    | {"display_date": {"type": "string"}, "format": {"type": "string"}},
}
TEXT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
}
SLIDE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["start_date"],
    "properties": {
        "start_date": DATE,
        "end_date": DATE,
        "text": TEXT,
        "media": {"type": "object"},
        "group": {"type": "string"},
        "display_date": {"type": "string"},
        "background": {"type": "object"},
        "autolink": {"type": "boolean"},
        "unique_id": {"type": "string"},
    },
}
TIMELINEJS = {
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {"type": "array", "items": SLIDE},
        "title": {**SLIDE, "required": []},
        "eras": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date", "end_date"],
                "additionalProperties": False,
                "properties": {"start_date": DATE, "end_date": DATE, "text": TEXT},
            },
        },
        "scale": {"enum": ["human", "cosmological"]},
    },
}


def test_timelinejs_export(cli: Cli, events: list[Event]) -> None:
    data = json.loads(cli("export", "timelinejs").stdout)
    jsonschema.validate(data, TIMELINEJS)
    slides = {e["unique_id"]: e for e in data["events"]}
    assert list(slides) == [e.id for e in events]
    assert slides["gzm-founded-2017"]["start_date"] == {"year": 2017}
    assert slides["ruhr-konferenz-launch-2018"]["start_date"] == {"year": 2018, "month": 4}
    assert slides["rvr-gzm-partnership-agreement-2019"]["start_date"] == {
        "year": 2019,
        "month": 8,
        "day": 8,
    }
    assert slides["rvr-gzm-partnership-agreement-2019"]["end_date"] == {
        "year": 2019,
        "month": 8,
        "day": 9,
    }
    conference = slides["rvr-gzm-brownfields-conference-brussels-2025"]
    assert conference["start_date"] == {"year": 2025, "month": 1, "day": 30, "hour": 9, "minute": 0}
    assert conference["end_date"]["hour"] == 11 and conference["end_date"]["minute"] == 30
    phase = slides["ruhr-konferenz-phase-decide-2019"]
    assert phase["display_date"] == "c. June–December 2019"
    assert "display_date" not in slides["gzm-founded-2017"]
    assert slides["greater-manchester-mou-2021"]["group"] == "GMCA"
    assert slides["rvr-gzm-youth-cooperation-2026"]["text"]["headline"].endswith("(planned)")
    assert "https://www.rvr.ruhr/" in slides["rvr-gzm-letter-of-intent-2018"]["text"]["text"]
    assert [e["text"]["headline"] for e in data["eras"]] == [
        "Ruhr-Konferenz, phase 1 &quot;listen&quot;",
        "Ruhr-Konferenz, phase 2 &quot;decide&quot;",
        "Ruhr-Konferenz, phase 3 &quot;act&quot;",
    ]
    assert data["eras"][2]["end_date"] == {"year": 2026, "month": 12, "day": 31}


def test_timelinejs_seasons(tmp_path: Path, cli: Cli) -> None:
    path = write_store(
        tmp_path / "s.yaml", [event("spring", "2018-21"), event("winter", "2018-24")]
    )
    data = json.loads(cli("export", "timelinejs", "--store", str(path)).stdout)
    spring, winter = data["events"]
    assert spring["start_date"] == {"year": 2018, "month": 3}
    assert spring["end_date"] == {"year": 2018, "month": 5}
    assert spring["display_date"] == "spring 2018"
    assert winter["start_date"] == {"year": 2018, "month": 12}
    assert winter["end_date"] == {"year": 2019, "month": 2}
    assert winter["display_date"] == "winter 2018/19"


def test_timelinejs_escapes_text(cli: Cli, tmp_path: Path) -> None:
    data = json.loads(cli("export", "timelinejs", "--store", str(hostile_store(tmp_path))).stdout)
    (item,) = data["events"]
    assert "<script>" not in item["text"]["headline"] + item["text"]["text"]
    assert "&lt;script&gt;" in item["text"]["headline"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_page_in_headless_chromium(cli: Cli, tmp_path: Path, events: list[Event]) -> None:
    page = tmp_path / "timeline.html"
    page.write_text(cli("timeline", "-f", "html").stdout, encoding="utf-8")
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    dom = Page()
    dom.feed(result.stdout)
    assert dom.articles == [e.id for e in events]
    # The script ran: the filters are shown, and no event is hidden.
    assert '<form class="filters noprint" id="filters">' in result.stdout
    assert "<article" in result.stdout and " hidden" not in result.stdout.split("<svg")[1]
    shot = tmp_path / "timeline.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,900",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
