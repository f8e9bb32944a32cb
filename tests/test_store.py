"""Loading stores: validation rules, the cache, and the records that everything reads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL
from ruhrtimeline import EventFilter, StoreError, load_store
from ruhrtimeline.locations import cache_dir, resolve_store_path
from ruhrtimeline.store import Store, clear_cache

EVENT_FIELDS = {
    "id",
    "date",
    "start",
    "end",
    "precision",
    "approximate",
    "uncertain",
    "timezone",
    "starts_at",
    "ends_at",
    "status",
    "title",
    "summary",
    "location",
    "partners",
    "topics",
    "people",
    "sources",
    "updated",
}


def test_bundled_store_is_valid(bundled: Path) -> None:
    store = load_store(bundled)
    assert store.count() == 27
    assert len(store.partner_ids()) >= 10


def test_event_records_follow_the_contract(bundled: Path) -> None:
    records = load_store(bundled).events()
    for record in records:
        assert set(record) == EVENT_FIELDS
        assert record["precision"] in {"year", "season", "month", "day", "time"}
        assert set(record["title"]) == {"de", "en"} and set(record["summary"]) == {"de", "en"}
        assert record["sources"] and all(s["url"].startswith("http") for s in record["sources"])
    keys = [(r["start"], r["id"]) for r in records]
    assert keys == sorted(keys)


def test_event_record_matches_model_and_schema() -> None:
    from ruhrtimeline.models import Event

    model_fields = set(Event.model_fields)
    derived = {"start", "end", "precision", "approximate", "uncertain", "starts_at", "ends_at"}
    assert model_fields | derived == EVENT_FIELDS


def test_timed_event_carries_instants(bundled: Path) -> None:
    record = load_store(bundled).event("rvr-gzm-brownfields-conference-brussels-2025")
    assert record is not None
    assert record["timezone"] == "Europe/Brussels"
    assert record["starts_at"] == "2025-01-30T09:00:00+01:00"
    assert record["ends_at"] == "2025-01-30T11:30:00+01:00"
    assert record["precision"] == "time"


def test_partner_and_topic_stats(bundled: Path) -> None:
    store = load_store(bundled)
    gzm = next(p for p in store.partners() if p["id"] == "gzm")
    events = store.events(EventFilter(partners=("gzm",)))
    assert gzm["events"] == len(events)
    assert gzm["first"] == min(e["start"] for e in events)
    assert gzm["last"] == max(e["end"] for e in events)
    assert gzm["first_date"] == "2017"
    for topic in store.topics():
        assert topic["events"] == store.count(EventFilter(topics=(topic["id"],)))


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
    record = store.event("agreement")
    assert record is not None and record["summary"]["en"] == "Signed in Katowicz."


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
