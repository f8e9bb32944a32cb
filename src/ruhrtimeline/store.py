"""Find a store, load it through its cached index, and read events, partners and topics.

The first load of a store validates it and writes an SQLite index to the user's cache
directory (keyed on the file's path; trusted only while its size, mtime and SHA-256 match).
Later loads only hash the file and open the index, so a warm run imports neither PyYAML nor
pydantic.  The cache is never required: when it cannot be written the index lives in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from . import __version__
from .errors import StoreError, UsageError
from .locations import bundled_store_path, cache_dir, resolve_store_path
from .query import EventFilter, where

ENV_NO_CACHE = "RUHRTIMELINE_NO_CACHE"
MAX_STORE_BYTES = 512 * 1024 * 1024
INDEX_FORMAT = 3  # bump when the index tables or the records change


class LocalizedText(TypedDict):
    de: str
    en: str


class EventRecord(TypedDict):
    """One event as ``list --format json`` prints it (documented in the README)."""

    id: str
    date: str
    start: str
    end: str
    precision: str
    approximate: bool
    uncertain: bool
    timezone: str | None
    starts_at: str | None
    ends_at: str | None
    status: str
    title: LocalizedText
    summary: LocalizedText
    location: dict[str, Any] | None
    partners: list[str]
    topics: list[str]
    people: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    updated: str | None


class PartnerRecord(TypedDict):
    id: str
    name: str
    names: LocalizedText | None
    short: str
    kind: str
    country: str
    website: str | None
    description: LocalizedText | None
    events: int
    first: str | None
    last: str | None
    first_date: str | None
    last_date: str | None


class TopicRecord(TypedDict):
    id: str
    label: LocalizedText
    events: int
    first: str | None
    last: str | None
    first_date: str | None
    last_date: str | None


def _cache_file(path: Path) -> Path:
    key = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:24]
    return cache_dir() / f"store-{key}.sqlite3"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str

    def meta(self) -> dict[str, str]:
        return {
            "size": str(self.size),
            "mtime_ns": str(self.mtime_ns),
            "sha256": self.sha256,
            "version": __version__,
        }


def read_store_bytes(path: Path) -> tuple[bytes, Fingerprint]:
    """Read the store file, or raise `StoreError` saying why it cannot be read."""
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size > MAX_STORE_BYTES:
                raise StoreError.single(
                    path, f"the file is larger than {MAX_STORE_BYTES // 2**20} MiB; split it"
                )
            data = handle.read(MAX_STORE_BYTES + 1)
    except IsADirectoryError:
        raise StoreError.single(path, "is a directory; give the path of the YAML file") from None
    except FileNotFoundError:
        raise StoreError.single(path, "no such file; check the path or --store") from None
    except PermissionError:
        raise StoreError.single(path, "cannot be read: permission denied") from None
    except OSError as exc:
        if path.is_dir():
            raise StoreError.single(
                path, "is a directory; give the path of the YAML file"
            ) from None
        raise StoreError.single(path, f"cannot be read: {exc.strerror or exc}") from None
    return data, Fingerprint(stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


class Store:
    """A validated store, read through its SQLite index. Records are plain JSON-ready dicts."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, fingerprint: Fingerprint, *, cached: bool
    ) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.cached = cached  # True when the index came from the cache (a warm load)
        self._conn = conn
        self._longest_span = int(self._meta("longest_span") or 0)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, events={self.count()})"

    @property
    def display_path(self) -> str:
        """The store's path for reports: the bundled store has one name on every machine."""
        if self.path.resolve() == bundled_store_path().resolve():
            return "ruhrtimeline:data/events.yaml"
        return self.path.as_posix()

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self._conn.close()

    # --- events -------------------------------------------------------------------------

    def _select(self, flt: EventFilter | None, columns: str) -> Iterator[tuple[Any, ...]]:
        condition, params = where(flt or EventFilter(), self._longest_span)
        sql = f"SELECT {columns} FROM event e WHERE {condition} ORDER BY e.first_day, e.id"  # noqa: S608
        return self._conn.execute(sql, params)

    def event_json(self, flt: EventFilter | None = None) -> list[str]:
        """The selected events as JSON texts, sorted by start then id (no parsing needed)."""
        return [row[0] for row in self._select(flt, "e.record")]

    def events(self, flt: EventFilter | None = None) -> list[EventRecord]:
        """The selected events, sorted by the first day they cover, then by id."""
        return [json.loads(text) for text in self.event_json(flt)]

    def iter_events(self, flt: EventFilter | None = None) -> Iterator[EventRecord]:
        """The same, one at a time (a large store never sits in memory as records)."""
        for (text,) in self._select(flt, "e.record"):
            yield json.loads(text)

    def selected_ids(self, flt: EventFilter | None = None) -> list[str]:
        return [row[0] for row in self._select(flt, "e.id")]

    def memberships(self, kind: str) -> dict[str, list[str]]:
        """Event ids by partner (``kind="partner"``) or topic, each in event order."""
        table, column = (
            ("event_partner", "partner_id") if kind == "partner" else ("event_topic", "topic_id")
        )
        groups: dict[str, list[str]] = {}
        sql = (
            f"SELECT l.{column}, e.id FROM {table} l JOIN event e ON e.id = l.event_id "  # noqa: S608
            "ORDER BY e.first_day, e.id"
        )
        for key, event_id in self._conn.execute(sql):
            groups.setdefault(key, []).append(event_id)
        return groups

    def time_zones(self) -> dict[str, tuple[str, int, int]]:
        """For each timed event: its time zone and the first and last year it covers."""
        from datetime import date

        return {
            event_id: (zone, date.fromordinal(first).year, date.fromordinal(last).year)
            for event_id, zone, first, last in self._conn.execute(
                "SELECT id, timezone, first_day, last_day FROM event "
                "WHERE timezone IS NOT NULL AND precision = 'time'"
            )
        }

    def count(self, flt: EventFilter | None = None) -> int:
        condition, params = where(flt or EventFilter(), self._longest_span)
        sql = f"SELECT COUNT(*) FROM event e WHERE {condition}"  # noqa: S608
        return int(self._conn.execute(sql, params).fetchone()[0])

    def event(self, event_id: str) -> EventRecord | None:
        row = self._conn.execute("SELECT record FROM event WHERE id = ?", (event_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def event_ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT id FROM event ORDER BY first_day, id")]

    def years(self, flt: EventFilter | None = None) -> list[int]:
        """Every year that some selected event covers, ascending."""
        from datetime import date

        years: set[int] = set()
        for first, last in self._select(flt, "e.first_day, e.last_day"):
            years.update(range(date.fromordinal(first).year, date.fromordinal(last).year + 1))
        return sorted(years)

    # --- partners and topics ------------------------------------------------------------

    def _with_stats(self, table: str, link: str, column: str) -> list[dict[str, Any]]:
        # The first and last event of each partner or topic, by covered days.
        sql = f"""
            SELECT t.record, COUNT(e.id), MIN(e.first_day), MAX(e.last_day),
              (SELECT e2.date FROM {link} l2 JOIN event e2 ON e2.id = l2.event_id
               WHERE l2.{column} = t.id ORDER BY e2.first_day, e2.id LIMIT 1),
              (SELECT e2.date FROM {link} l2 JOIN event e2 ON e2.id = l2.event_id
               WHERE l2.{column} = t.id ORDER BY e2.last_day DESC, e2.id DESC LIMIT 1)
            FROM {table} t
            LEFT JOIN {link} l ON l.{column} = t.id
            LEFT JOIN event e ON e.id = l.event_id
            GROUP BY t.id ORDER BY t.position
        """  # noqa: S608
        from datetime import date

        out = []
        for record, count, first, last, first_date, last_date in self._conn.execute(sql):
            item = json.loads(record)
            item["events"] = count
            item["first"] = date.fromordinal(first).isoformat() if first else None
            item["last"] = date.fromordinal(last).isoformat() if last else None
            item["first_date"] = first_date
            item["last_date"] = last_date
            out.append(item)
        return out

    def partners(self) -> list[PartnerRecord]:
        """Every partner in store order, with its number of events and first and last day."""
        return self._with_stats("partner", "event_partner", "partner_id")  # type: ignore[return-value]

    def topics(self) -> list[TopicRecord]:
        return self._with_stats("topic", "event_topic", "topic_id")  # type: ignore[return-value]

    def eras(self) -> list[dict[str, Any]]:
        """Named periods (such as the Ruhr-Konferenz phases), in store order."""
        return [
            json.loads(r[0]) for r in self._conn.execute("SELECT record FROM era ORDER BY position")
        ]

    def partner_ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT id FROM partner ORDER BY position")]

    def topic_ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT id FROM topic ORDER BY position")]

    def partner_map(self) -> dict[str, dict[str, Any]]:
        return {
            r[0]: json.loads(r[1])
            for r in self._conn.execute("SELECT id, record FROM partner ORDER BY position")
        }

    def topic_map(self) -> dict[str, dict[str, Any]]:
        return {
            r[0]: json.loads(r[1])
            for r in self._conn.execute("SELECT id, record FROM topic ORDER BY position")
        }

    def check_ids(self, flt: EventFilter) -> None:
        """Raise `UsageError` for a partner or topic id the store does not know."""
        for kind, wanted, known in (
            ("partner", flt.partners, self.partner_ids()),
            ("topic", flt.topics, self.topic_ids()),
        ):
            for value in wanted:
                if value not in known:
                    raise UsageError(unknown_id_message(kind, value, known))


def unknown_id_message(kind: str, value: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value.lower(), known, n=3, cutoff=0.5)
    if close:
        hint = f"did you mean {' or '.join(close)}?"
    else:
        hint = f"known {kind}s: {', '.join(known[:12])}{' …' if len(known) > 12 else ''}"
    return f"unknown {kind} {value!r}; {hint}"


def _read_only_uri(path: Path) -> str:
    # as_uri() gives file:///C:/... on Windows and percent-encodes spaces and '%'.
    return f"{path.resolve().as_uri()}?mode=ro"


def _open_cached(cache: Path, path: Path) -> tuple[sqlite3.Connection, Fingerprint] | None:
    """The cached index of ``path``, if it is there and matches the file exactly.

    Size and mtime are compared first; then the file is hashed in chunks (so a large store is
    never read into memory on a warm run) and the SHA-256 must match too.
    """
    if not cache.is_file():
        return None
    try:
        stat = path.stat()
        conn = sqlite3.connect(_read_only_uri(cache), uri=True)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except (OSError, sqlite3.Error):
        return None
    expected = {
        "size": str(stat.st_size),
        "mtime_ns": str(stat.st_mtime_ns),
        "version": __version__,
        "format": str(INDEX_FORMAT),
    }
    if any(meta.get(k) != v for k, v in expected.items()):
        conn.close()
        return None
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        conn.close()
        return None
    if meta.get("sha256") != digest:
        conn.close()
        return None
    return conn, Fingerprint(stat.st_size, stat.st_mtime_ns, digest)


def _build(text: str, path: Path, target: str) -> sqlite3.Connection:
    from .index import build_index

    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    try:
        with conn:
            build_index(conn, text, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _decode(data: bytes, path: Path) -> str:
    from .yaml_reader import decode

    return decode(data, path)


def load_store(
    path: str | os.PathLike[str] | None = None, *, use_cache: bool | None = None
) -> Store:
    """Load and validate a store (default: ``$RUHRTIMELINE_STORE`` or the bundled one).

    Raises `StoreError` with every problem when the store cannot be read or is invalid.
    """
    store_path = resolve_store_path(path)
    if use_cache is None:
        use_cache = not os.environ.get(ENV_NO_CACHE)
    cache = _cache_file(store_path) if use_cache else None
    if cache is not None:
        found = _open_cached(cache, store_path)
        if found is not None:
            return Store(store_path, found[0], found[1], cached=True)
    data, fingerprint = read_store_bytes(store_path)
    text = _decode(data, store_path)
    del data
    if cache is not None:
        built = _build_cache_file(text, store_path, cache, fingerprint)
        if built is not None:
            return Store(store_path, built, fingerprint, cached=False)
    conn = _build(text, store_path, ":memory:")
    _write_meta(conn, fingerprint)
    return Store(store_path, conn, fingerprint, cached=False)


def _write_meta(conn: sqlite3.Connection, fingerprint: Fingerprint) -> None:
    with conn:
        conn.executemany("INSERT INTO meta VALUES (?, ?)", fingerprint.meta().items())


def _build_cache_file(
    text: str, path: Path, cache: Path, fingerprint: Fingerprint
) -> sqlite3.Connection | None:
    """Build the index into a temporary file beside the cache and rename it into place."""
    import tempfile

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=".sqlite3", dir=cache.parent)
        os.close(fd)
    except OSError:
        return None  # no cache today; the index lives in memory
    try:
        conn = _build(text, path, tmp)
        _write_meta(conn, fingerprint)
        conn.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, cache)
        return sqlite3.connect(_read_only_uri(cache), uri=True)
    except (OSError, sqlite3.Error):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def clear_cache() -> int:
    """Remove every cached index and help text; return how many files were removed."""
    removed = 0
    folder = cache_dir()
    if folder.is_dir():
        for item in [*folder.glob("*.sqlite3"), *folder.glob("help-*.txt")]:
            with contextlib.suppress(OSError):
                item.unlink()
                removed += 1
    return removed
