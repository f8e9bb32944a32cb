"""`site build`: the whole public face in one folder, in both languages, linked, deterministic,
rebuilt without rewriting what did not change."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Cli
from helpers import event, write_store

TODAY = "2026-03-01"


class Page(HTMLParser):
    """What a page links to and holds: addresses, resources, ids, headings, navigation."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: set[str] = set()
        self.current: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
            if values.get("aria-current") == "page":
                self.current.append(str(values["href"]))
        if tag in ("img", "script", "link", "iframe", "source") and (
            values.get("src") or (values.get("href") and values.get("rel") != "alternate")
        ):
            self.resources.append(str(values.get("src") or values.get("href")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @classmethod
    def of(cls, path: Path) -> Page:
        page = cls()
        page.feed(path.read_text(encoding="utf-8"))
        return page


@pytest.fixture
def built(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", TODAY)
    result = cli("site", "build", str(tmp_path / "public"), "--base-url", "https://example.org/r")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "public"


def names(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_site_has_every_page_in_both_languages(built: Path) -> None:
    files = names(built)
    years = ["2017", "2018", "2019", "2020", "2021", "2022", "2023", "2025", "2026"]
    for stem in ["index", "timeline", "reports", *(f"report-{y}" for y in years)]:
        assert {f"{stem}.html", f"{stem}.de.html"} <= files, stem
    assert {"feeds/index.html", "feeds/all.en.ics", "feeds/partner-gzm.de.ics"} <= files
    assert not {f for f in files if f.startswith("feeds/") and f.endswith(".html")} - {
        "feeds/index.html"
    }
    assert Page.of(built / "index.de.html").tags.count("main") == 1


def test_every_page_is_linked_by_one_navigation(built: Path) -> None:
    for path in sorted(built.rglob("*.html")):
        page = Page.of(path)
        relative = path.relative_to(built).as_posix()
        assert page.resources == [], relative  # nothing external, no file besides
        assert "main" in page.ids and page.links[0] == "#main", relative  # the skip link
        prefix = "../" if relative.startswith("feeds/") else ""
        suffix = ".de.html" if relative.endswith(".de.html") else ".html"
        navigation = [f"{prefix}{n}{suffix}" for n in ("index", "timeline", "reports")]
        assert navigation[0] in page.links and navigation[2] in page.links, relative
        assert f"{prefix}feeds/index.html" in page.links or relative == "feeds/index.html"
        assert len(page.current) == 1, relative
        for link in page.links:  # every link within the site resolves
            if ":" in link or link.startswith("#"):
                continue
            target, _, fragment = link.partition("#")
            assert (path.parent / target).is_file(), (relative, link)
            if fragment:
                assert fragment in Page.of(path.parent / target).ids, (relative, link)


def test_each_page_leads_to_its_other_language(built: Path) -> None:
    english = Page.of(built / "report-2019.html")
    german = Page.of(built / "report-2019.de.html")
    assert "report-2019.de.html" in english.links and "report-2019.html" in german.links
    assert "Deutsch" in english.text and "English" in german.text


def test_reports_have_previous_and_next_and_an_index_by_year(built: Path) -> None:
    page = Page.of(built / "report-2019.html")
    assert "report-2018.html" in page.links and "report-2020.html" in page.links
    first = Page.of(built / "report-2017.html")
    assert "report-2018.html" in first.links and "report-2016.html" not in first.links
    index = Page.of(built / "reports.de.html")
    text = " ".join(index.text)
    assert "Metropole Ruhr – internationale Partnerschaften: Berichte nach Jahr" in text
    reviews = [link for link in index.links if re.fullmatch(r"report-\d{4}\.de\.html", link)]
    assert reviews == sorted(reviews) and len(reviews) == 9
    assert "Rückblick 2019" in text


def test_the_home_page_says_what_is_there_and_what_is_coming(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_store(
        tmp_path / "s.yaml",
        [
            event("old", "2019-08-09", title={"de": "Alt", "en": "Old"}),
            event("recent", "2025-11", title={"de": "Neulich", "en": "Recent"}),
            event("under-way", "2026-02/2026-04", title={"de": "Läuft", "en": "Under way"}),
            event("next", "2026-06-01", status="planned", title={"de": "Bald", "en": "Soon"}),
            event("off", "2026-07-01", status="cancelled", title={"de": "Ab", "en": "Off"}),
        ],
        title={"de": "Partnerschaft Dortmund–Leeds", "en": "Dortmund–Leeds partnership"},
        description={"de": "Was die Städte verbindet.", "en": "What links the cities."},
    )
    monkeypatch.setenv("RUHRTIMELINE_TODAY", TODAY)
    assert cli("site", "build", str(tmp_path / "site"), "--store", str(path)).exit_code == 0
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Dortmund–Leeds partnership</h1>" in page and "What links the cities." in page
    assert "5 events from 2019 to 2026" in page
    latest, coming = page.split("What is coming")
    assert latest.index("Recent") < latest.index("Old")
    assert "Soon" not in latest and "Under way" not in latest
    assert "As of 1 March 2026." in coming
    assert coming.index("Under way") < coming.index("Soon") and "Off" not in coming
    assert 'href="timeline.html#event-next"' in coming
    german = (tmp_path / "site" / "index.de.html").read_text(encoding="utf-8")
    assert "<h1>Partnerschaft Dortmund–Leeds</h1>" in german and "Stand 1. März 2026." in german
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "2027-01-01")
    cli("site", "build", str(tmp_path / "site"), "--store", str(path))
    later = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Nothing under way or planned from today on." in later


def test_the_timeline_page_marks_today(built: Path) -> None:
    page = (built / "timeline.html").read_text(encoding="utf-8")
    assert '<g class="today">' in page and ">today</text>" in page


def test_subscribe_links_follow_the_base_url(built: Path) -> None:
    feeds = (built / "feeds" / "index.html").read_text(encoding="utf-8")
    assert 'href="webcal://example.org/r/feeds/partner-gzm.en.ics"' in feeds
    assert 'href="https://example.org/r/feeds/all.de.ics"' in feeds


def test_a_rebuild_rewrites_nothing_and_is_deterministic(
    cli: Cli, built: Path, tmp_path: Path
) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in built.rglob("*") if p.is_file()}
    again = cli("site", "build", str(built), "--base-url", "https://example.org/r")
    assert again.exit_code == 0
    pages = [p for p in stamps if not p.name.startswith(".")]  # not the builds' manifests
    assert again.stdout.strip().endswith(f"0 written, {len(pages)} unchanged")
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    other = tmp_path / "other"
    cli("site", "build", str(other), "--base-url", "https://example.org/r")
    assert names(other) == names(built)
    for name in names(built):
        assert (other / name).read_bytes() == (built / name).read_bytes(), name


def test_pages_of_years_that_are_gone_are_removed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_TODAY", TODAY)
    path = write_store(tmp_path / "s.yaml", [event("a", "2019-08-09"), event("b", "2020-05")])
    site = tmp_path / "site"
    cli("site", "build", str(site), "--store", str(path))
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    write_store(path, [event("a", "2019-08-09")])
    assert cli("site", "build", str(site), "--store", str(path)).exit_code == 0
    assert not (site / "report-2020.html").exists() and (site / "report-2019.html").exists()
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_bad_values_are_usage_errors(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("site", "build", str(tmp_path / "a"), "--base-url", "ftp://example.org/")
    assert result.exit_code == 2 and "http(s)" in result.stderr
    monkeypatch.setenv("RUHRTIMELINE_TODAY", "1 March")
    result = cli("site", "build", str(tmp_path / "b"))
    assert result.exit_code == 2 and "RUHRTIMELINE_TODAY" in result.stderr
    assert not (tmp_path / "b").exists()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("RUHRTIMELINE_TODAY", TODAY)
    result = cli("site", "build", str(tmp_path / "file"))
    assert result.exit_code in (1, 2) and "Traceback" not in result.stderr


def test_feeds_and_reports_still_build_on_their_own(cli: Cli, tmp_path: Path) -> None:
    assert cli("feeds", "build", str(tmp_path / "feeds")).exit_code == 0
    index = Page.of(tmp_path / "feeds" / "index.html")
    assert "timeline.html" in index.links and (tmp_path / "feeds" / "timeline.html").exists()
    timeline = Page.of(tmp_path / "feeds" / "timeline.html")
    assert "index.html" in timeline.links
    result = cli("report", "--all", "-o", str(tmp_path / "r"), "-f", "html")
    assert result.exit_code == 0 and (tmp_path / "r" / "report-2019.html").exists()
