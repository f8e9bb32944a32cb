"""Pictures of the timeline: SVG, the HTML page (also in headless Chromium), TimelineJS."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from conftest import Cli
from helpers import event, write_store
from ruhrtimeline import Directory, Event, load_store
from ruhrtimeline.visual import Box, layout

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes of the drawing share any area."""
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def marks(root: ET.Element) -> list[ET.Element]:
    return [a for a in root.iter(f"{SVG}a") if "mark" in a.get("class", "").split()]


def test_svg_has_one_mark_or_band_per_event_and_lanes_per_partner(
    cli: Cli, events: list[Event]
) -> None:
    root = ET.fromstring(cli("timeline", "--format", "svg").stdout_bytes)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == f"0 0 1200 {root.get('height')}"
    main = [a for a in marks(root) if "participant" not in a.get("class", "")]
    assert sorted(str(a.get("data-event")) for a in main) == sorted(e.id for e in events)
    kinds = {a.get("data-event"): a.get("class", "").split()[1] for a in main}
    assert kinds["rvr-gzm-letter-of-intent-2018"] == "day"
    assert kinds["rvr-gzm-partnership-agreement-2019"] == "days"
    assert kinds["gzm-study-visit-green-infrastructure-2019"] == "imprecise"
    assert kinds["gzm-founded-2017"] == "imprecise"
    planned = [a for a in main if "planned" in a.get("class", "")]
    assert [a.get("data-event") for a in planned] == ["rvr-gzm-youth-cooperation-2026"]
    participants = [a for a in marks(root) if "participant" in a.get("class", "")]
    assert len(participants) == sum(len(e.partners) - 1 for e in events)
    lanes = [t.get("id") for t in root.iter(f"{SVG}text") if t.get("class") == "lane"]
    used = list(dict.fromkeys(p for e in events for p in e.partners))
    assert sorted(str(lane) for lane in lanes) == sorted(f"lane-{p}" for p in used)
    for link in main:
        assert link.get(f"{XLINK}href") == f"#event-{link.get('data-event')}"
    years = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "year"]
    assert years == [str(y) for y in range(2017, 2027)]
    legend = [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend"
        for t in g.iter(f"{SVG}text")
    ]
    assert "known only to the month, season or year" in legend


@pytest.mark.parametrize("width", [800, 1200, 2000])
def test_labels_never_overlap(
    events: list[Event], directory: Directory, width: int, bundled: Path
) -> None:
    plan = layout(events, directory, "en", width=width, eras=load_store(bundled).eras())
    assert len(plan.labels) == len(events)
    for a, b in itertools.combinations(plan.labels, 2):
        assert not overlap(a.box, b.box), (a, b)
    for a, b in itertools.combinations(plan.era_labels, 2):
        assert not overlap(a.box, b.box), (a, b)
    for label in plan.labels:
        assert label.box.x >= 140 and label.box.x + label.box.width <= width
        lane = next(
            lane
            for lane in plan.lanes
            if lane[0]
            == next(
                m.lane
                for m in plan.marks
                if m.event_id == label.event_id and m.kind != "participant"
            )
        )
        assert lane[2] <= label.box.y and label.box.y + label.box.height <= lane[2] + lane[3]
    main = [m for m in plan.marks if m.kind != "participant"]
    for mark, label in itertools.product(main, plan.labels):
        assert not overlap(mark.box, label.box)


def test_lanes_by_topic(cli: Cli, events: list[Event]) -> None:
    root = ET.fromstring(cli("timeline", "-f", "svg", "--lanes", "topic").stdout_bytes)
    lanes = {t.get("id") for t in root.iter(f"{SVG}text") if t.get("class") == "lane"}
    assert lanes == {f"lane-{t}" for e in events for t in e.topics}


def test_width_is_configurable(cli: Cli) -> None:
    root = ET.fromstring(cli("timeline", "-f", "svg", "--width", "900").stdout_bytes)
    assert root.get("width") == "900"


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
