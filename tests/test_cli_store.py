"""The store commands from the command line: validate, schema and the JSON listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, MINIMAL, Cli
from helpers import event, write_store


def test_validate_bundled(cli: Cli) -> None:
    result = cli("validate")
    assert result.exit_code == 0
    assert "valid (27 events" in result.stdout


def test_validate_json_when_valid(cli: Cli) -> None:
    result = cli("validate", str(MINIMAL), "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_validate_usage_errors(cli: Cli, tmp_path: Path) -> None:
    missing = cli("validate", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    folder = cli("validate", str(tmp_path))
    assert folder.exit_code == 1 and "is a directory" in folder.stdout
    unknown = cli("validate", "--frobnicate")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("error: No such option")


def test_store_option_and_environment(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli("list", "--store", str(MINIMAL), "--format", "json")
    assert [e["id"] for e in json.loads(result.stdout)] == ["agreement", "conference"]
    monkeypatch.setenv("RUHRTIMELINE_STORE", str(MINIMAL))
    result = cli("list", "--format", "json")
    assert len(json.loads(result.stdout)) == 2
    missing = cli("list", "--store", "missing.yaml")
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    monkeypatch.setenv("RUHRTIMELINE_STORE", "missing.yaml")
    broken_env = cli("list")
    assert broken_env.exit_code == 1


def test_debug_shows_the_traceback(cli: Cli) -> None:
    path = DATA / "invalid" / "empty.yaml"
    quiet = cli("list", "--store", str(path))
    assert "Traceback" not in quiet.stderr and quiet.exit_code == 1
    loud = cli("list", "--store", str(path), "--debug")
    assert "Traceback" in loud.stderr and loud.exit_code == 1


def test_schema_validates_the_bundled_store(cli: Cli, bundled: Path) -> None:
    import jsonschema
    import yaml

    result = cli("schema")
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    # The schema sees YAML as an editor does (numbers as numbers), so load it the usual way.
    document = yaml.load(bundled.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506
    for item in document["events"]:
        for key in ("location",):
            coords = (item.get(key) or {}).get("coordinates")
            if coords:
                coords.update({k: float(v) for k, v in coords.items()})
            if (item.get(key) or {}).get("online") == "true":
                item[key]["online"] = True
    document["version"] = int(document["version"])
    jsonschema.validate(document, schema)


def test_committed_schema_is_current(cli: Cli) -> None:
    committed = Path(__file__).parent.parent / "docs" / "store.schema.json"
    assert committed.read_text(encoding="utf-8") == cli("schema").stdout


def test_partners_and_topics_json(cli: Cli) -> None:
    partners = json.loads(cli("partners", "--format", "json").stdout)
    gzm = next(p for p in partners if p["id"] == "gzm")
    assert {"id", "name", "short", "country", "kind", "website", "events", "first", "last"} <= set(
        gzm
    )
    assert gzm["country"] == "PL" and gzm["first"] == "2017-01-01"
    topics = json.loads(cli("topics", "--format", "json").stdout)
    assert all(set(t["label"]) == {"de", "en"} for t in topics)
    assert all({"id", "label", "events", "first", "last"} <= set(t) for t in topics)


def test_list_json_is_sorted_and_parses(cli: Cli) -> None:
    result = cli("list", "--format", "json")
    events = json.loads(result.stdout)
    assert len(events) == 27
    assert [(e["start"], e["id"]) for e in events] == sorted((e["start"], e["id"]) for e in events)
    assert json.loads(cli("list", "--format", "json", "--year", "1990").stdout) == []


def test_python_dash_m(bundled: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruhrtimeline", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("ruhrtimeline ")


# --- which store, and what it is called -------------------------------------------------------


def test_a_store_is_found_in_the_folder_or_its_parents(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "clone"
    (clone / "data").mkdir(parents=True)
    write_store(clone / "data" / "events.yaml", [event("found", "2019-08-09")])
    deep = clone / "docs" / "deeper"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    result = cli("validate")
    assert result.exit_code == 0
    assert result.stdout.startswith(str(Path("../../data/events.yaml")) + ": valid (1 event,")
    assert json.loads(cli("list", "-f", "json").stdout)[0]["id"] == "found"
    own = write_store(deep / "ruhrtimeline.yaml", [event("nearer", "2020-01-01")])
    assert json.loads(cli("list", "-f", "json").stdout)[0]["id"] == "nearer"
    monkeypatch.setenv("RUHRTIMELINE_STORE", str(MINIMAL))
    assert json.loads(cli("list", "-f", "json").stdout)[0]["id"] == "agreement"
    assert json.loads(cli("list", "-f", "json", "--store", str(own)).stdout)[0]["id"] == "nearer"
    debug = cli("--debug", "list", "--store", str(own))
    assert debug.stderr.startswith(f"store: {own} (")


def test_a_store_without_a_title_gets_a_neutral_one(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "s.yaml", [event("a", "2019-08-09")])
    assert cli("report", "2019", "--store", str(path)).stdout.startswith("# Timeline: review")
    german = cli("report", "2019", "--store", str(path), "--lang", "de").stdout
    assert german.startswith("# Zeitleiste: Rückblick 2019")


def test_no_output_names_another_record(cli: Cli, tmp_path: Path) -> None:
    path = write_store(
        tmp_path / "s.yaml",
        [event("a", "2019-08-09"), event("b", "2020-03", ["gzm", "rvr"])],
        title={"de": "Städtepartnerschaft Dortmund–Amiens–Leeds", "en": "Dortmund–Amiens–Leeds"},
    )
    store = ["--store", str(path)]
    outputs = [
        cli("report", "2019", *store, "--lang", lang, "-f", fmt).stdout
        for lang in ("en", "de")
        for fmt in ("markdown", "html", "json", "csv")
    ]
    outputs += [cli("export", "ics", *store, "--lang", lang).stdout for lang in ("en", "de")]
    outputs += [cli("export", "ics", *store, "-p", "gzm").stdout]
    outputs += [cli("export", "timelinejs", *store).stdout]
    outputs += [cli("timeline", *store, "-f", fmt).stdout for fmt in ("svg", "html")]
    assert cli("feeds", "build", str(tmp_path / "feeds"), *store).exit_code == 0
    outputs += [p.read_text(encoding="utf-8") for p in (tmp_path / "feeds").iterdir()]
    assert cli("report", "--all", "-o", str(tmp_path / "r"), "-f", "html", *store).exit_code == 0
    outputs += [p.read_text(encoding="utf-8") for p in (tmp_path / "r").iterdir()]
    for text in outputs:
        assert "Metropole Ruhr" not in text
    assert "Dortmund–Amiens–Leeds" in outputs[0] and "Städtepartnerschaft" in outputs[4]
