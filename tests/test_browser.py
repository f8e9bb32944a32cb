"""The pictures and the site in a real browser (headless Chromium over the DevTools protocol):
rendered geometry, no horizontal scrolling on a phone, links that resolve, and axe-core."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from chromium import CHROMIUM, Chromium, file_url
from helpers import event, write_store
from ruhrtimeline import load_store
from ruhrtimeline.site import build_site
from ruhrtimeline.visual import timeline_svg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]
ASSETS = Path(__file__).parent / "assets"
BENCH = Path(__file__).parent.parent / "bench"
TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    with load_store() as store:
        build_site(store, folder, today=TODAY, base_url="https://example.org/ruhr/")
    return folder


# What the browser measures: every text's box as rendered, every leader line.
GEOMETRY = """(() => {
  const svg = document.documentElement;
  const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
  const boxes = Array.from(svg.querySelectorAll("text"), (text) => {
    const box = text.getBBox();
    return {kind: text.getAttribute("class"), event: text.getAttribute("data-event"),
            x: box.x, y: box.y, right: box.x + box.width, bottom: box.y + box.height};
  });
  const labels = boxes.filter((box) => box.kind === "label");
  const crossings = [];
  for (const line of svg.querySelectorAll("line.leader")) {
    const x = +line.getAttribute("x1"), top = +line.getAttribute("y1");
    const bottom = +line.getAttribute("y2"), owner = line.getAttribute("data-event");
    for (const box of labels) {
      if (box.event !== owner && box.x <= x && x <= box.right && top < box.bottom
          && box.y < bottom) { crossings.push([owner, box.event]); }
    }
  }
  let overlaps = 0;
  labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => {
    if (a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom) { overlaps += 1; }
  }));
  const outside = boxes.filter((box) => box.x < 0 || box.y < 0 || box.right > width
                                        || box.bottom > height).map((box) => box.kind);
  return {labels: labels.length, crossings: crossings, overlaps: overlaps, outside: outside};
})()"""


def test_rendered_pictures_keep_their_geometry(browser: Chromium, tmp_path: Path) -> None:
    """The layout estimates text widths; the browser draws them in its own fonts."""
    generated = tmp_path / "300.yaml"
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), "300", "-o", str(generated)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    one = write_store(tmp_path / "one.yaml", [event("one", "2019-08-08/2019-08-09")])
    browser.resize(1700, 1000)
    for path in (None, generated, one):
        with load_store(path) as store:
            events, directory, eras = store.events(), store.directory, store.eras()
        for width in (480, 800, 1200, 1600):
            picture = tmp_path / f"{width}.svg"
            picture.write_text(
                timeline_svg(events, directory, "en", width=width, eras=eras, today=TODAY),
                encoding="utf-8",
            )
            browser.load(file_url(picture))
            found = browser.run(GEOMETRY)
            where = f"{path or 'bundled'} at {width} px"
            assert found["labels"] > 0, where
            assert found["crossings"] == [], where
            assert found["overlaps"] == 0, where
            assert found["outside"] == [], where


class Targets(HTMLParser):
    """The ids of a page (the targets of its fragments)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        value = dict(attrs).get("id")
        if value:
            self.ids.add(value)


def ids(path: Path) -> set[str]:
    parser = Targets()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids


AXE = """axe.run(document, {rules: {"target-size": {enabled: true}}, resultTypes: ["violations"]})
  .then((result) => result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")))"""


def test_every_page_of_the_site_on_a_phone_and_a_desktop(browser: Chromium, site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    names = {p.relative_to(site).as_posix() for p in pages}
    assert {"index.html", "index.de.html", "timeline.html", "reports.de.html"} <= names
    assert {"report-2019.html", "report-2019.de.html", "feeds/index.html"} <= names
    axe = (ASSETS / "axe.min.js").read_text(encoding="utf-8")
    targets = {page: ids(page) for page in pages}
    for width in (360, 1280):
        browser.resize(width)
        for page in pages:
            where = f"{page.relative_to(site)} at {width} px"
            browser.load(file_url(page))
            scroll, client = browser.run(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= client, f"{where}: {scroll} px wide"
            for href in browser.run(
                "Array.from(document.querySelectorAll('a[href]'), a => a.href)"
            ):
                parts = urlsplit(href)
                if parts.scheme != "file":
                    assert parts.scheme in ("http", "https", "webcal"), (where, href)
                    continue
                target = Path(url2pathname(parts.path))
                assert target.is_file(), (where, href)
                if parts.fragment and target.suffix == ".html":
                    assert parts.fragment in targets[target], (where, href)
            browser.run(axe + ";0")
            assert browser.run(AXE) == [], where


def displayed(browser: Chromium) -> Any:
    return browser.run(
        """Array.from(document.querySelectorAll(".chart, .vtimeline"))
             .filter((e) => getComputedStyle(e).display !== "none")
             .map((e) => {
               const svg = e.querySelector("svg");
               return svg ? [+svg.getAttribute("width"), svg.getBoundingClientRect().width]
                          : "list";
             })"""
    )


def test_the_timeline_page_fits_every_screen(browser: Chromium, site: Path) -> None:
    page = file_url(site / "timeline.html")
    browser.resize(360)
    browser.load(page)
    assert displayed(browser) == ["list"]
    # A lane's name stays in view while its events scroll by.
    assert browser.run("getComputedStyle(document.querySelector('.vlane-name')).position") == (
        "sticky"
    )
    for width in (800, 1100, 1400):
        browser.resize(width)
        browser.load(page)
        ((drawn, shown),) = displayed(browser)
        # The largest picture that fits, at its own size: text of 12 px stays 12 px.
        assert shown == drawn and drawn + 40 <= width, width


def test_the_filter_updates_labels_counts_and_years(browser: Chromium, site: Path) -> None:
    browser.resize(1400)
    browser.load(file_url(site / "timeline.html"))
    before = browser.run("document.getElementById('count').textContent")
    state = browser.run(
        """(() => {
          const select = document.getElementById("filter-partner");
          select.value = "gmca";
          select.dispatchEvent(new Event("change"));
          const visible = (e) => getComputedStyle(e).display !== "none"
                                 && getComputedStyle(e).visibility !== "hidden";
          return {
            count: document.getElementById("count").textContent,
            articles: Array.from(document.querySelectorAll("article")).filter(visible).length,
            years: Array.from(document.querySelectorAll("section.year")).filter(visible)
                     .map((s) => s.dataset.year),
            labels: Array.from(document.querySelectorAll(".picture-3 text.label"))
                      .filter(visible).length,
          };
        })()"""
    )
    assert before == "27 events"
    assert state["count"] == f"{state['articles']} of 27 events" and state["articles"] < 27
    assert state["years"] and "2017" not in state["years"]  # no event with the GMCA then
    assert 0 < state["labels"] <= state["articles"]
