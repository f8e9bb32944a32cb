"""Yearly reports: content, honest uncertainty, formats, goldens, determinism, usage."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from conftest import Cli
from helpers import event, golden, write_store
from ruhrtimeline import EventFilter, load_store
from ruhrtimeline.publish import period_report
from ruhrtimeline.report import Period

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "docs" / "report.schema.json").read_text(encoding="utf-8")
)
EXTENSION = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("fmt", ["markdown", "html", "json", "csv"])
@pytest.mark.parametrize("year", ["2019", "2022", "2025"])
def test_report_golden(cli: Cli, year: str, fmt: str, lang: str) -> None:
    result = cli("report", year, "--format", fmt, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    golden(f"report-{year}-{lang}.{EXTENSION[fmt]}", result.stdout)


def test_json_follows_the_documented_schema(cli: Cli) -> None:
    for year in ("2017", "2019", "2022", "2025", "2026", "1990"):
        data = json.loads(cli("report", year, "--format", "json").stdout)
        jsonschema.validate(data, SCHEMA)


def test_uncertainty_is_honest(bundled: Path) -> None:
    report = period_report(load_store(bundled), Period.of_year(2019), "en")
    inside = [e.id for e in report.events]
    overlapping = {e.id: reasons for e, reasons in report.overlapping}
    assert inside == [
        "gzm-study-visit-green-infrastructure-2019",
        "rvr-gzm-partnership-agreement-2019",
        "ruhr-konferenz-projects-adopted-2019",
    ]
    assert overlapping == {
        "ruhr-konferenz-themenforen-2018-2019": ["starts-before"],
        "ruhr-konferenz-phase-decide-2019": ["approximate"],
    }
    assert report.counts.events == 3 and report.counts.overlapping == 2


def test_winter_and_new_year_ranges_only_overlap(tmp_path: Path) -> None:
    store = load_store(
        write_store(
            tmp_path / "s.yaml",
            [
                event("winter", "2019-24"),
                event("new-year", "2019-12-30/2020-01-02"),
                event("inside", "2020-03-01"),
                event("uncertain", "2020-05?"),
            ],
        )
    )
    report = period_report(store, Period.of_year(2020), "en")
    assert [e.id for e in report.events] == ["inside"]
    assert {e.id: why for e, why in report.overlapping} == {
        "winter": ["starts-before"],
        "new-year": ["starts-before"],
        "uncertain": ["uncertain"],
    }


def test_counts_match_the_listing(cli: Cli) -> None:
    for year in (2019, 2021, 2022, 2025):
        data = json.loads(cli("report", str(year), "--format", "json").stdout)
        listed = json.loads(cli("list", "--year", str(year), "--format", "json").stdout)
        assert {e["id"] for e in data["events"]} | {e["id"] for e in data["overlapping"]} == {
            e["id"] for e in listed
        }
        for partner, count in data["counts"]["by_partner"].items():
            assert count == sum(partner in e["partners"] for e in data["events"])
        for topic, count in data["counts"]["by_topic"].items():
            assert count == sum(topic in e["topics"] for e in data["events"])
        assert sum(data["counts"]["by_quarter"].values()) == len(data["events"])
        assert sum(data["counts"]["by_month"].values()) == len(data["events"])
        cited = {
            s["url"]
            for e in data["events"] + data["overlapping"] + data["planned_next_year"]
            for s in e["sources"]
        }
        assert {s["url"] for s in data["sources"]} == cited
        assert [s["number"] for s in data["sources"]] == list(range(1, len(cited) + 1))


def test_first_partners_and_plans(cli: Cli) -> None:
    report_2022 = json.loads(cli("report", "2022", "--format", "json").stdout)
    assert [p["id"] for p in report_2022["first_time_partners"]] == [
        "ema",
        "pittsburgh",
        "randstad",
        "silesia",
        "tel-aviv",
        "tsukuba",
        "ua-ruhr",
    ]
    report_2025 = json.loads(cli("report", "2025", "--format", "json").stdout)
    assert [e["id"] for e in report_2025["planned_next_year"]] == ["rvr-gzm-youth-cooperation-2026"]
    assert "Planned for 2026: 1 event." in report_2025["overview"]


def test_filters_apply(bundled: Path) -> None:
    store = load_store(bundled)
    report = period_report(store, Period.of_year(2021), "en", EventFilter.build(partners=["gmca"]))
    assert [e.id for e in report.events] == [
        "greater-manchester-meeting-2021",
        "greater-manchester-mou-2021",
    ]


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and tag in ("script", "link", "img") and value:
                self.external.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_escaped_and_self_contained(cli: Cli, tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    path = write_store(
        tmp_path / "s.yaml",
        [
            event(
                "x",
                "2019-05-01",
                title={"de": hostile, "en": hostile},
                summary={"de": hostile, "en": hostile},
                location={"name": hostile, "country": "DE"},
            )
        ],
    )
    html = cli("report", "2019", "--format", "html", "--store", str(path)).stdout
    parser = Collector()
    parser.feed(html)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert any(hostile in chunk for chunk in parser.text)
    assert "&lt;script&gt;" in html
    assert parser.external == []
    assert '<meta name="viewport"' in html and "@media print" in html
    markdown = cli("report", "2019", "--store", str(path)).stdout
    assert "<script>" not in markdown and r"\<script\>" in markdown


def test_empty_year_is_a_valid_report(cli: Cli) -> None:
    for fmt in ("markdown", "html", "json", "csv"):
        result = cli("report", "1990", "--format", fmt)
        assert result.exit_code == 0
    data = json.loads(cli("report", "1990", "--format", "json").stdout)
    assert data["events"] == [] and data["counts"]["events"] == 0
    assert "No milestones are recorded for 1990." in data["overview"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["20x5"], "'20x5'"),
        (["0"], "year 0"),
        ([], "give a YEAR, or --all"),
        (["2019", "--all"], "give a YEAR, or --all"),
        (["--from", "2019"], "needs both --from and --to"),
        (["--from", "2020", "--to", "2019"], "before it starts"),
        (["--from", "2019-13", "--to", "2020"], "month 13"),
        (["--all"], "-o DIR"),
        (["2019", "--date", "yesterday"], "--date"),
    ],
)
def test_usage_errors(cli: Cli, args: list[str], message: str) -> None:
    result = cli("report", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr


def test_deterministic_unless_dated(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cli("report", "2021", "--format", "json").stdout
    assert first == cli("report", "2021", "--format", "json").stdout
    assert json.loads(first)["generated_at"] is None
    dated = json.loads(cli("report", "2021", "-f", "json", "--date", "2026-01-31").stdout)
    assert dated["generated_at"] == "2026-01-31"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    epoch = json.loads(cli("report", "2021", "-f", "json").stdout)
    assert epoch["generated_at"] == "2026-01-01T00:00:00Z"
    assert "on 2026-01-01T00:00:00Z" in cli("report", "2021").stdout


def test_custom_period(cli: Cli) -> None:
    data = json.loads(cli("report", "--from", "2021-06", "--to", "2022-06", "-f", "json").stdout)
    assert data["year"] is None
    assert data["period"] == {"first": "2021-06-01", "last": "2022-06-30"}
    assert [e["id"] for e in data["events"]] == [
        "greater-manchester-meeting-2021",
        "greater-manchester-mou-2021",
        "rvr-gzm-mobility-exchange-2021",
        "ema-forum-katowice-2022",
    ]


def test_report_all_writes_a_folder(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = cli("report", "--all", "-o", str(out), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    years = ["2017", "2018", "2019", "2020", "2021", "2022", "2023", "2025", "2026"]
    assert names == sorted([f"report-{y}.md" for y in years] + ["index.md"])
    index = (out / "index.md").read_text(encoding="utf-8")
    # The index names the record and lists the reviews by year.
    assert index.startswith("# Metropole Ruhr – international partnerships: reports by year")
    assert "| 2019 | [Review of 2019](report-2019.md) |" in index
    html = cli("report", "--all", "-o", str(out / "html"), "--format", "html")
    assert html.exit_code == 0 and (out / "html" / "index.html").exists()
    # Pages link to each other: the index to every year, each year to the index and its
    # neighbours.
    links = {
        name: Links.of((out / "html" / name).read_text(encoding="utf-8"))
        for name in ("index.html", "report-2017.html", "report-2019.html", "report-2026.html")
    }
    assert {f"report-{y}.html" for y in years} <= set(links["index.html"])
    assert links["report-2019.html"][:1] == ["index.html"]
    assert {"report-2018.html", "report-2020.html"} <= set(links["report-2019.html"])
    assert links["report-2017.html"] == ["index.html", "report-2018.html"]
    assert links["report-2026.html"] == ["index.html", "report-2025.html"]


class Links(HTMLParser):
    """The addresses of a page's links within its folder, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and ":" not in href and not href.startswith("#"):
            self.hrefs.append(href.split("#")[0])

    @classmethod
    def of(cls, page: str) -> list[str]:
        parser = cls()
        parser.feed(page)
        return parser.hrefs


def test_csv_has_one_row_an_event(cli: Cli) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("report", "2019", "-f", "csv").stdout)))
    assert [(r["section"], r["id"]) for r in rows] == [
        ("in", "gzm-study-visit-green-infrastructure-2019"),
        ("in", "rvr-gzm-partnership-agreement-2019"),
        ("in", "ruhr-konferenz-projects-adopted-2019"),
        ("overlapping", "ruhr-konferenz-themenforen-2018-2019"),
        ("overlapping", "ruhr-konferenz-phase-decide-2019"),
    ]
    assert rows[3]["reasons"] == "starts-before"


def test_unwritable_output(cli: Cli, tmp_path: Path) -> None:
    result = cli("report", "2019", "-o", str(tmp_path / "missing" / "r.md"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_following_period_after_a_leap_day() -> None:
    from datetime import date

    period = Period(date(2019, 3, 1), date(2020, 2, 28))
    assert period.following() == Period(date(2020, 2, 29), date(2021, 2, 28))
    assert Period.of_year(2019).following() == Period.of_year(2020)
