"""Loading stores: validation rules, the cache, and the records that everything reads."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import MINIMAL, Cli
from helpers import event, write_store
from ruhrtimeline import EventFilter, NotFound, StoreError, load_store
from ruhrtimeline.i18n import problem_text
from ruhrtimeline.listing import event_json
from ruhrtimeline.locations import cache_dir, resolve_store_path
from ruhrtimeline.store import Store, clear_cache


def test_bundled_store_is_valid(bundled: Path) -> None:
    with load_store(bundled) as store:
        assert store.count() == 27
        assert len(store.partners()) >= 10


def _documented_fields() -> list[str]:
    """The fields of ``list --format json``, as the README's table documents them."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## For scripts: JSON fields", 1)[1].split("\n\n`partners", 1)[0]
    fields = []
    for line in table.splitlines():
        if line.startswith("| `"):
            fields += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return fields


def test_json_of_an_event_is_what_the_readme_documents(cli: Cli) -> None:
    listed = json.loads(cli("list", "--format", "json").stdout)
    documented = _documented_fields()
    assert len(documented) == 19
    for item in listed:
        assert sorted(item) == sorted(documented)
        assert item["precision"] in {"year", "season", "month", "day", "time"}
        assert set(item["title"]) == {"de", "en"} and set(item["summary"]) == {"de", "en"}
        assert item["sources"] and all(s["url"].startswith("http") for s in item["sources"])
    keys = [(item["start"], item["id"]) for item in listed]
    assert keys == sorted(keys)


def test_timed_event_carries_instants(bundled: Path) -> None:
    with load_store(bundled) as store:
        event = store.event("rvr-gzm-brownfields-conference-brussels-2025")
    assert event.timezone == "Europe/Brussels" and event.precision == "time"
    assert event.starts_at == datetime(2025, 1, 30, 9, tzinfo=ZoneInfo("Europe/Brussels"))
    assert event.ends_at == datetime(2025, 1, 30, 11, 30, tzinfo=ZoneInfo("Europe/Brussels"))
    as_json = event_json(event)
    assert as_json["starts_at"] == "2025-01-30T09:00:00+01:00"
    assert as_json["ends_at"] == "2025-01-30T11:30:00+01:00"


def test_records_are_frozen(bundled: Path) -> None:
    with load_store(bundled) as store:
        event = store.events()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.id = "other"  # type: ignore[misc]


def test_partner_and_topic_activity(bundled: Path) -> None:
    with load_store(bundled) as store:
        gzm = store.partner_activity()["gzm"]
        events = store.events(EventFilter(partners=("gzm",)))
        assert gzm.events == len(events)
        assert gzm.first == min(e.first for e in events)
        assert gzm.last == max(e.last for e in events)
        assert gzm.first_date is not None and gzm.first_date.text == "2017"
        for topic_id, activity in store.topic_activity().items():
            assert activity.events == store.count(EventFilter(topics=(topic_id,)))


def test_unknown_ids_raise_not_found_with_close_matches(bundled: Path) -> None:
    with load_store(bundled) as store:
        with pytest.raises(NotFound, match="did you mean rvr-gzm-partnership-agreement-2019"):
            store.event("rvr-gzm-agreement-2019")
        with pytest.raises(NotFound, match="unknown partner 'gzn'; did you mean gzm"):
            store.events(EventFilter(partners=("gzn",)))
        with pytest.raises(NotFound, match="unknown topic 'yuoth'; did you mean youth"):
            store.count(EventFilter(topics=("yuoth",)))
        with pytest.raises(NotFound):
            store.partner("nope")
        assert store.partner("GZM").short == "GZM"


def test_cache_is_used_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "store.yaml"
    shutil.copy(MINIMAL, path)
    assert not load_store(path).cached
    assert load_store(path).cached
    # Same size and mtime but different content: the hash catches it.
    stat = path.stat()
    text = path.read_text(encoding="utf-8").replace("Signed in Katowice.", "Signed in Katowicz.")
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    store = load_store(path)
    assert not store.cached
    assert store.event("agreement").summary.en == "Signed in Katowicz."


def test_invalid_store_is_never_cached(tmp_path: Path) -> None:
    path = tmp_path / "store.yaml"
    path.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("[rvr, gzm]", "[rvr, nope]"), encoding="utf-8"
    )
    for _ in range(2):
        with pytest.raises(StoreError, match="unknown partner 'nope'"):
            load_store(path)
    assert not list(cache_dir().glob("*.sqlite3"))


def test_cache_is_optional(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("RUHRTIMELINE_CACHE_DIR", str(blocker / "cache"))
    store = load_store(MINIMAL)
    assert store.count() == 2 and not store.cached
    monkeypatch.setenv("RUHRTIMELINE_NO_CACHE", "1")
    assert not load_store(MINIMAL).cached


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    load_store(MINIMAL)
    for item in cache_dir().glob("*.sqlite3"):
        item.write_bytes(b"garbage" * 100)
    store = load_store(MINIMAL)
    assert store.count() == 2 and not store.cached


def test_clear_cache(tmp_path: Path) -> None:
    load_store(MINIMAL)
    assert clear_cache() == 1
    assert clear_cache() == 0


def test_store_resolution(monkeypatch: pytest.MonkeyPatch, bundled: Path) -> None:
    assert resolve_store_path() == bundled
    monkeypatch.setenv("RUHRTIMELINE_STORE", str(MINIMAL))
    assert resolve_store_path() == MINIMAL
    assert resolve_store_path("x.yaml") == Path("x.yaml")


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such file"):
        load_store(tmp_path / "store.yaml")
    with pytest.raises(StoreError, match="is a directory"):
        load_store(tmp_path)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "store.yaml"
    text = (
        MINIMAL.read_text(encoding="utf-8")
        .replace("[rvr, gzm]", "[rvr, gzn]")
        .replace("date: 2019-08-08/2019-08-09", "date: 2019-02-30")
        .replace("https://example.org/conference", "ftp://example.org")
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError) as info:
        load_store(path)
    fields = [p.field for p in info.value.problems]
    assert fields == ["events[0].date", "events[0].partners[1]", "events[1].sources[0].url"]
    lines = [p.line for p in info.value.problems]
    assert lines == sorted(lines) and len(set(lines)) == 3


def test_a_repeated_local_time_is_a_warning_and_means_the_first(tmp_path: Path) -> None:
    fall_back = "2025-10-26T02:30/2025-10-26T03:30"
    path = write_store(
        tmp_path / "store.yaml",
        [
            event("ordinary", "2025-10-26T12:00", timezone="Europe/Berlin"),
            event("fall-back", fall_back, timezone="Europe/Berlin"),
        ],
    )
    with load_store(path) as store:
        (warning,) = store.warnings(date(2025, 1, 1))
    assert warning.field == "events[1].date" and warning.item_id == "fall-back"
    assert warning.message == (
        "2025-10-26T02:30 happens twice: clocks go back from 03:00 to 02:00 on 26 Oct 2025 in "
        "Europe/Berlin; the first (CEST, +02:00) is meant"
    )
    assert problem_text(warning.message, "de").startswith(
        "2025-10-26T02:30 gibt es zweimal: Die Uhren werden am 26 Oct 2025 in Europe/Berlin von "
        "03:00 auf 02:00 zurückgestellt"
    )
    with load_store(path) as store:
        found = store.event("fall-back")
        assert found.starts_at is not None and found.ends_at is not None
        assert found.starts_at.astimezone(UTC) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
        length = found.ends_at.astimezone(UTC) - found.starts_at.astimezone(UTC)
        assert length == timedelta(hours=2)  # 02:30 CEST to 03:30 CET


def test_store_is_a_plain_library_object() -> None:
    store = load_store(MINIMAL)
    assert isinstance(store, Store)
    assert "events=2" in repr(store)
    assert store.years() == [2019, 2025]
    store.close()


def test_cache_folder_with_spaces_and_percent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUHRTIMELINE_CACHE_DIR", str(tmp_path / "my cache %20 #1"))
    assert not load_store(MINIMAL).cached
    assert load_store(MINIMAL).cached


def test_the_readme_example_of_the_library_runs(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The library", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 (our own documentation)
    out = capsys.readouterr().out
    assert "Metropolis GZM (Upper Silesian–Zagłębie Metropolis) 15 events" in out
    assert "2019-08-08 8–9 Aug 2019 RVR delegation to the GZM" in out
    assert "did you mean rvr-gzm-partnership-agreement-2019" in out
