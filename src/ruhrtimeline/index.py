"""The index: a validated store in SQLite, and every query the package makes.

The only module that knows the schema or writes SQL.  Each record is kept in a compact storage
form (JSON arrays, not the output contract) beside the columns that selections need: the
covered days as day numbers, precision, status, a search text, and tables of the partners and
topics of each event.  An index is built once per version of a store (into a temporary file
that is renamed into place) and trusted only while its metadata matches what the caller
expects.

A cached index file carries a CRC-32 of its own bytes in the header field that SQLite leaves
to applications (``user_version``); it is checked on every open, so that a damaged file (a
flipped bit, a torn write, a file that is not ours) is never read: `IndexDamaged` says why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .dates import EdtfDate, parse_edtf
from .positions import Layout, Section, Span
from .query import EventFilter, normalize
from .records import (
    Activity,
    Coordinates,
    Era,
    Event,
    Location,
    Partner,
    Person,
    Source,
    StoreInfo,
    Text,
    Topic,
)

Entry = tuple[Partner | Topic | Era | Event | StoreInfo, Span | None] | tuple[Layout, None]

FORMAT = "10"  # bump when the tables or the storage form change

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE partner (
    id TEXT PRIMARY KEY, position INTEGER NOT NULL, search TEXT NOT NULL, data TEXT NOT NULL,
    span_start INTEGER, span_end INTEGER, span_line INTEGER, span_column INTEGER
);
CREATE TABLE topic (
    id TEXT PRIMARY KEY, position INTEGER NOT NULL, search TEXT NOT NULL, data TEXT NOT NULL,
    span_start INTEGER, span_end INTEGER, span_line INTEGER, span_column INTEGER
);
CREATE TABLE era (
    id TEXT PRIMARY KEY, position INTEGER NOT NULL, data TEXT NOT NULL,
    span_start INTEGER, span_end INTEGER, span_line INTEGER, span_column INTEGER
);
CREATE TABLE event (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    span_start INTEGER, span_end INTEGER, span_line INTEGER, span_column INTEGER,
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    precision TEXT NOT NULL,
    status TEXT NOT NULL,
    search TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE event_partner (
    partner_id TEXT NOT NULL, event_id TEXT NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (partner_id, event_id)
) WITHOUT ROWID;
CREATE TABLE event_topic (
    topic_id TEXT NOT NULL, event_id TEXT NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (topic_id, event_id)
) WITHOUT ROWID;
"""
# Created after the bulk insert: building an index once is cheaper than keeping it sorted.
_INDEXES = """
CREATE INDEX event_order ON event (first_day, id);
CREATE INDEX event_partner_event ON event_partner (event_id);
CREATE INDEX event_topic_event ON event_topic (event_id);
"""
_BATCH = 2000
_ORDER = "ORDER BY e.first_day, e.id"


# The SQLite header: its magic string, and the application fields we use (big-endian).
_MAGIC = b"SQLite format 3\x00"
_CHECKSUM_AT = 60  # "user version": the CRC-32 of the file with these four bytes zero
_APPLICATION_AT, _APPLICATION_ID = 68, 0x52544C58  # "RTLX": a cached index of ruhrtimeline
_BUILDING = ".building-"


class IndexUnavailable(Exception):
    """The index file cannot be written (no cache today) or read."""


class IndexDamaged(Exception):
    """A cached index that must not be read: its checksum does not match, or it is not a
    regular file, or not an index at all.  The message says which."""


def _checksum(fd: int) -> tuple[int, int, int]:
    """(stored CRC, computed CRC, application id) of an index file open at ``fd``."""
    os.lseek(fd, 0, os.SEEK_SET)
    head = os.read(fd, 100)
    if len(head) < 100 or not head.startswith(_MAGIC):
        raise IndexDamaged("it is not an SQLite file")
    (stored,) = struct.unpack_from(">I", head, _CHECKSUM_AT)
    (application,) = struct.unpack_from(">I", head, _APPLICATION_AT)
    crc = zlib.crc32(head[:_CHECKSUM_AT] + bytes(4) + head[_CHECKSUM_AT + 4 :])
    while chunk := os.read(fd, 1 << 20):
        crc = zlib.crc32(chunk, crc)
    return stored, crc, application


def _seal(fd: int) -> None:
    """Write the file's CRC-32 into its header."""
    _, crc, _ = _checksum(fd)
    os.lseek(fd, _CHECKSUM_AT, os.SEEK_SET)
    os.write(fd, struct.pack(">I", crc))


def _verify(path: Path) -> bool:
    """True if the file at ``path`` is an index of ours whose bytes are those written; False
    if it is an SQLite file of another kind (an older format); else `IndexDamaged`."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise IndexDamaged(exc.strerror or str(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        raise IndexDamaged("it is a link")
    if not stat.S_ISREG(info.st_mode):
        raise IndexDamaged("it is not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise IndexDamaged(exc.strerror or str(exc)) from None
    try:
        stored, crc, application = _checksum(fd)
    except OSError as exc:
        raise IndexDamaged(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if application != _APPLICATION_ID:
        return False
    if stored != crc:
        raise IndexDamaged("its checksum does not match its content")
    return True


# --- the storage form -----------------------------------------------------------------------


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pair(text: Text | None) -> list[str] | None:
    return None if text is None else [text.de, text.en]


def _text(value: list[str] | None) -> Text | None:
    return None if value is None else Text(value[0], value[1])


def _name(value: str | Text | None) -> str | list[str] | None:
    return value if value is None or isinstance(value, str) else [value.de, value.en]


def _unname(value: str | list[str] | None) -> str | Text | None:
    return value if value is None or isinstance(value, str) else Text(value[0], value[1])


@lru_cache(maxsize=8192)
def _date(text: str) -> EdtfDate:
    # Dates repeat across a store (and the parse is pure); parsing each once saves time.
    return parse_edtf(text)


def _encode_source(s: Source) -> list[Any]:
    return [s.url, s.publisher, s.title, s.language, s.date.text if s.date else None]


def _decode_source(v: list[Any]) -> Source:
    return Source(v[0], v[1], v[2], v[3], _date(v[4]) if v[4] is not None else None)


def _encode_location(loc: Location | None) -> list[Any] | None:
    if loc is None:
        return None
    lat, lon = (loc.coordinates.lat, loc.coordinates.lon) if loc.coordinates else (None, None)
    names = [_name(loc.name), _name(loc.address), _name(loc.city), _name(loc.region)]
    return [*names, loc.country, lat, lon, loc.online]


def _decode_location(v: list[Any] | None) -> Location | None:
    if v is None:
        return None
    coordinates = Coordinates(v[5], v[6]) if v[5] is not None else None
    return Location(
        _unname(v[0]), _unname(v[1]), _unname(v[2]), _unname(v[3]), v[4], coordinates, v[7]
    )


def _encode_event(e: Event) -> str:
    return _dumps(
        [
            e.date.text,
            e.status,
            e.timezone,
            _pair(e.title),
            _pair(e.summary),
            e.partners,
            e.topics,
            _encode_location(e.location),
            [[p.name, *(_pair(p.role) or [])] for p in e.people],
            [_encode_source(s) for s in e.sources],
            e.updated.isoformat() if e.updated else None,
            e.uid,
        ]
    )


def _decode_event(event_id: str, data: str) -> Event:
    v = json.loads(data)
    return Event(
        id=event_id,
        date=_date(v[0]),
        status=v[1],
        timezone=v[2],
        title=Text(*v[3]),
        summary=Text(*v[4]),
        partners=tuple(v[5]),
        topics=tuple(v[6]),
        location=_decode_location(v[7]),
        people=tuple(Person(p[0], Text(p[1], p[2]) if len(p) == 3 else None) for p in v[8]),
        sources=tuple(_decode_source(s) for s in v[9]),
        updated=dt.date.fromisoformat(v[10]) if v[10] else None,
        uid=v[11],
    )


def _encode_partner(p: Partner) -> str:
    return _dumps(
        [
            p.name,
            p.short,
            p.kind,
            p.country,
            _pair(p.names),
            _pair(p.short_names),
            p.website,
            _pair(p.description),
        ]
    )


def _decode_partner(partner_id: str, data: str) -> Partner:
    v = json.loads(data)
    return Partner(partner_id, v[0], v[1], v[2], v[3], _text(v[4]), _text(v[5]), v[6], _text(v[7]))


def _encode_era(e: Era) -> str:
    sources = [_encode_source(s) for s in e.sources]
    return _dumps([e.date.text, _pair(e.title), _pair(e.summary), sources])


def _decode_era(era_id: str, data: str) -> Era:
    v = json.loads(data)
    sources = tuple(_decode_source(s) for s in v[3])
    return Era(era_id, _date(v[0]), Text(*v[1]), sources, _text(v[2]))


def _search_text(e: Event) -> str:
    parts: list[str] = [e.id, e.title.de, e.title.en, e.summary.de, e.summary.en]
    if e.location is not None:
        for value in (e.location.name, e.location.address, e.location.city, e.location.region):
            if isinstance(value, Text):
                parts += [value.de, value.en]
            elif value:
                parts.append(value)
    for person in e.people:
        parts.append(person.name)
        if person.role is not None:
            parts += [person.role.de, person.role.en]
    return normalize("\n".join(parts))


# --- building ---------------------------------------------------------------------------------


def _span(span: Span | None) -> tuple[int | None, ...]:
    return (span.start, span.end, span.line, span.column) if span else (None, None, None, None)


Record = Partner | Topic | Era | Event
_TABLES = {Partner: "partner", Topic: "topic", Era: "era", Event: "event"}


def _row(item: Record, position: int, span: Span | None) -> tuple[Any, ...]:
    """The row of a record in its table."""
    where = _span(span)
    if isinstance(item, Event):
        first, last = item.first.toordinal(), item.last.toordinal()
        return (
            item.id,
            position,
            *where,
            first,
            last,
            item.precision,
            item.status,
            _search_text(item),
            _encode_event(item),
        )
    if isinstance(item, Partner):
        names = [item.id, item.name, item.short]
        for text in (item.names, item.short_names):
            names += [text.de, text.en] if text else []
        return (item.id, position, normalize("\n".join(names)), _encode_partner(item), *where)
    if isinstance(item, Topic):
        search = normalize("\n".join([item.id, item.label.de, item.label.en]))
        return (item.id, position, search, _dumps([item.label.de, item.label.en]), *where)
    return (item.id, position, _encode_era(item), *where)


def _links(event: Event) -> dict[str, list[tuple[str, str, int]]]:
    return {
        "event_partner": [(p, event.id, i) for i, p in enumerate(event.partners)],
        "event_topic": [(t, event.id, i) for i, t in enumerate(event.topics)],
    }


def _insert(conn: sqlite3.Connection, table: str, batch: Sequence[tuple[Any, ...]]) -> None:
    if batch:
        marks = ", ".join("?" * len(batch[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)  # noqa: S608


def _write(conn: sqlite3.Connection, entries: Iterable[Entry]) -> dict[str, str]:
    """Insert the records (in batches); return what goes into the metadata."""
    rows: dict[str, list[tuple[Any, ...]]] = {"partner": [], "topic": [], "era": [], "event": []}
    links: dict[str, list[tuple[str, str, int]]] = {"event_partner": [], "event_topic": []}
    positions = {"partner": 0, "topic": 0, "era": 0, "event": 0}
    longest = 0

    def flush() -> None:
        for table, batch in (*rows.items(), *links.items()):
            _insert(conn, table, batch)
            batch.clear()

    info = StoreInfo()
    layout = Layout({})
    for item, where in entries:
        if isinstance(item, StoreInfo):
            info = item
            continue
        if isinstance(item, Layout):
            layout = item
            continue
        table = _TABLES[type(item)]
        rows[table].append(_row(item, positions[table], where))
        positions[table] += 1
        if isinstance(item, Event):
            longest = max(longest, item.last.toordinal() - item.first.toordinal())
            for name, batch in _links(item).items():
                links[name] += batch
            if len(rows["event"]) >= _BATCH:
                flush()
    flush()
    return {
        "longest_span": str(longest),
        "info": _dumps([_pair(info.title), _pair(info.description)]),
        "layout": _layout_text(layout),
    }


def _layout_text(layout: Layout) -> str:
    return _dumps({name: astuple(section) for name, section in layout.sections.items()})


@dataclass(frozen=True)
class Shift:
    """Text inserted or removed at ``point`` of the store: everything after it moves."""

    point: int
    chars: int
    lines: int


def is_temporary(name: str) -> bool:
    """A file name that index builds use while they write."""
    return name.startswith(_BUILDING) and name.endswith(".sqlite3")


def _read_only(path: Path) -> sqlite3.Connection:
    # as_uri() gives file:///C:/... on Windows and percent-encodes spaces and '%'.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


class Index:
    """An open index of one store."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self._longest_span = int(self.meta.get("longest_span", "0"))

    @classmethod
    def open(cls, path: Path, expected: Mapping[str, str]) -> Index | None:
        """The index at ``path`` if it exists and its metadata holds ``expected``; None if
        there is none, or one of another version or store.  Raises `IndexDamaged` when the
        file is there but cannot be trusted."""
        if not os.path.lexists(path) or not _verify(path):
            return None
        try:
            index = cls(_read_only(path))
        except (OSError, sqlite3.Error) as exc:
            raise IndexDamaged(str(exc)) from None
        wanted = {**expected, "format": FORMAT}
        if any(index.meta.get(key) != value for key, value in wanted.items()):
            index.close()
            return None
        return index

    @classmethod
    def build(
        cls,
        entries: Iterable[Entry],
        meta: Mapping[str, str],
        path: Path | None = None,
    ) -> Index:
        """Write the records into a new index at ``path`` (atomically), or in memory.

        Raises `IndexUnavailable` when the file cannot be written; whatever ``entries`` raises
        (an invalid store) passes through and leaves nothing behind."""
        if path is None:
            conn = sqlite3.connect(":memory:")
            cls._fill(conn, entries, meta)
            return cls(conn)
        from .files import locked_temporary, remove_abandoned  # writing only

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_abandoned(path.parent, is_temporary)
            # Locked while open, so that a later run can tell a killed build's leftovers.
            fd, tmp = locked_temporary(path.parent, _BUILDING, ".sqlite3")
        except OSError as exc:
            raise IndexUnavailable(str(exc)) from None
        try:
            # No SQLite locks: the file is new and ours alone (and they could meet ours).
            conn = sqlite3.connect(f"{tmp.resolve().as_uri()}?nolock=1", uri=True)
            try:
                conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                cls._fill(conn, entries, meta)
            finally:
                conn.close()
            _seal(fd)
            os.fsync(fd)
            os.replace(tmp, path)
            return cls(_read_only(path))
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(str(exc)) from None
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    @staticmethod
    def _fill(
        conn: sqlite3.Connection,
        entries: Iterable[Entry],
        meta: Mapping[str, str],
    ) -> None:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        with conn:
            conn.executescript(_SCHEMA)
            written = _write(conn, entries)
            conn.executescript(_INDEXES)
            values = {**meta, **written, "format": FORMAT}
            conn.executemany("INSERT INTO meta VALUES (?, ?)", values.items())

    def close(self) -> None:
        self._conn.close()

    @classmethod
    def update_file(
        cls,
        path: Path,
        shifts: Sequence[Shift],
        records: Sequence[tuple[Record, Span]],
        layout: Layout,
        meta: Mapping[str, str],
    ) -> None:
        """Follow a change of the store in the cached index at ``path`` (see `update`): on a
        copy, sealed and renamed into place, so that readers of the old file are undisturbed
        and a crash leaves one or the other.  `IndexUnavailable` when it cannot be done (then
        drop the index)."""
        import shutil

        from .files import locked_temporary

        try:
            if not _verify(path):
                raise IndexUnavailable("an index of another format")
            fd, tmp = locked_temporary(path.parent, _BUILDING, ".sqlite3")
        except (OSError, IndexDamaged) as exc:
            raise IndexUnavailable(str(exc)) from None
        try:
            with open(path, "rb") as source, os.fdopen(os.dup(fd), "wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
            conn = sqlite3.connect(f"{tmp.resolve().as_uri()}?nolock=1", uri=True)
            try:
                conn.execute("PRAGMA journal_mode = OFF")
                cls(conn).update(shifts, records, layout, meta)
            finally:
                conn.close()
            _seal(fd)
            os.fsync(fd)
            os.replace(tmp, path)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(str(exc)) from None
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def update(
        self,
        shifts: Sequence[Shift],
        records: Sequence[tuple[Record, Span]],
        layout: Layout,
        meta: Mapping[str, str],
    ) -> None:
        """Follow a change of the store's text: move the spans of the items after each shift,
        put the changed records (with their new spans), and replace the layout and metadata."""
        conn = self._conn
        try:
            with conn:
                # Every item after a change moves by what the changes before it add up to:
                # one pass a table, whatever the number of changes.
                conn.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS shift "
                    "(point INTEGER PRIMARY KEY, chars INTEGER, lines INTEGER)"
                )
                conn.execute("DELETE FROM shift")
                conn.executemany(
                    "INSERT INTO shift VALUES (?, ?, ?) ON CONFLICT (point) DO UPDATE SET "
                    "chars = chars + excluded.chars, lines = lines + excluded.lines",
                    [(s.point, s.chars, s.lines) for s in shifts],
                )
                for table in _TABLES.values():  # (table names are our own constants)
                    moved = f"FROM shift WHERE point <= {table}.span_start"
                    conn.execute(
                        f"UPDATE {table} SET "  # noqa: S608
                        f"span_end = span_end + (SELECT COALESCE(SUM(chars), 0) {moved}), "
                        f"span_line = span_line + (SELECT COALESCE(SUM(lines), 0) {moved}), "
                        f"span_start = span_start + (SELECT COALESCE(SUM(chars), 0) {moved}) "
                        "WHERE span_start >= (SELECT MIN(point) FROM shift)"
                    )
                longest = int(self.meta.get("longest_span", "0"))
                for record, span in records:
                    table = _TABLES[type(record)]
                    found = conn.execute(
                        f"SELECT position FROM {table} WHERE id = ?",  # noqa: S608
                        (record.id,),
                    ).fetchone()
                    if found is None:
                        found = conn.execute(
                            f"SELECT COALESCE(MAX(position) + 1, 0) FROM {table}"  # noqa: S608
                        ).fetchone()
                    conn.execute(f"DELETE FROM {table} WHERE id = ?", (record.id,))  # noqa: S608
                    _insert(conn, table, [_row(record, found[0], span)])
                    if isinstance(record, Event):
                        longest = max(longest, record.last.toordinal() - record.first.toordinal())
                        for name, batch in _links(record).items():
                            conn.execute(f"DELETE FROM {name} WHERE event_id = ?", (record.id,))  # noqa: S608
                            _insert(conn, name, batch)
                values = {**meta, "layout": _layout_text(layout), "longest_span": str(longest)}
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
        except sqlite3.Error as exc:
            raise IndexUnavailable(str(exc)) from None
        self.meta.update(values)
        self._longest_span = longest

    # --- events -------------------------------------------------------------------------

    def _where(self, flt: EventFilter) -> tuple[str, list[object]]:
        """The SQL condition and parameters of a filter, for the ``event e`` table.

        The longest span in the store lets the period condition use the index on the first
        day: an event ending after ``first`` starts after ``first - span``."""
        conds: list[str] = []
        params: list[object] = []
        if flt.first is not None:
            conds.append("e.first_day >= ? AND e.last_day >= ?")
            params += [flt.first.toordinal() - self._longest_span, flt.first.toordinal()]
        if flt.last is not None:
            conds.append("e.first_day <= ?")
            params.append(flt.last.toordinal())
        for table, column, ids, require_all in (
            ("event_partner", "partner_id", flt.partners, flt.all_partners),
            ("event_topic", "topic_id", flt.topics, flt.all_topics),
        ):
            if not ids:
                continue
            marks = ", ".join("?" * len(ids))
            having = f" GROUP BY event_id HAVING COUNT(*) = {len(ids)}" if require_all else ""
            # Table and column names are our own constants; values go in as parameters.
            sql = f"e.id IN (SELECT event_id FROM {table} WHERE {column} IN ({marks}){having})"  # noqa: S608
            conds.append(sql)
            params += ids
        for column, values in (("status", flt.statuses), ("precision", flt.precisions)):
            if values:
                conds.append(f"e.{column} IN ({', '.join('?' * len(values))})")
                params += values
        for term in normalize(flt.search).split():
            # Every word in the event's own text, or in the names of its partners or topics.
            conds.append(
                "(instr(e.search, ?) > 0"
                " OR EXISTS (SELECT 1 FROM event_partner l JOIN partner p ON p.id = l.partner_id"
                " WHERE l.event_id = e.id AND instr(p.search, ?) > 0)"
                " OR EXISTS (SELECT 1 FROM event_topic l JOIN topic t ON t.id = l.topic_id"
                " WHERE l.event_id = e.id AND instr(t.search, ?) > 0))"
            )
            params += [term, term, term]
        return (" AND ".join(conds) or "1"), params

    def _select(self, flt: EventFilter, columns: str) -> sqlite3.Cursor:
        condition, params = self._where(flt)
        return self._conn.execute(
            f"SELECT {columns} FROM event e WHERE {condition} {_ORDER}",  # noqa: S608
            params,
        )

    def events(self, flt: EventFilter) -> Iterator[Event]:
        """The selected events, by their first day, then id."""
        for event_id, data in self._select(flt, "e.id, e.data"):
            yield _decode_event(event_id, data)

    def event(self, event_id: str) -> Event | None:
        row = self._conn.execute("SELECT data FROM event WHERE id = ?", (event_id,)).fetchone()
        return _decode_event(event_id, row[0]) if row else None

    def event_ids(self, flt: EventFilter) -> list[str]:
        return [row[0] for row in self._select(flt, "e.id")]

    def count(self, flt: EventFilter) -> int:
        condition, params = self._where(flt)
        sql = f"SELECT COUNT(*) FROM event e WHERE {condition}"  # noqa: S608
        return int(self._conn.execute(sql, params).fetchone()[0])

    def years(self, flt: EventFilter) -> list[int]:
        """Every year that some selected event covers, ascending."""
        years: set[int] = set()
        for first, last in self._select(flt, "e.first_day, e.last_day"):
            first_year = dt.date.fromordinal(first).year
            years.update(range(first_year, dt.date.fromordinal(last).year + 1))
        return sorted(years)

    def members(self, kind: str) -> dict[str, list[str]]:
        """Event ids by partner (``kind="partner"``) or topic, each in event order."""
        table, column = (
            ("event_partner", "partner_id") if kind == "partner" else ("event_topic", "topic_id")
        )
        groups: dict[str, list[str]] = {}
        sql = (
            f"SELECT l.{column}, e.id FROM {table} l JOIN event e ON e.id = l.event_id "  # noqa: S608
            f"{_ORDER}"
        )
        for key, event_id in self._conn.execute(sql):
            groups.setdefault(key, []).append(event_id)
        return groups

    # --- partners, topics, eras -----------------------------------------------------------

    def _rows(self, table: str) -> Sequence[tuple[str, str]]:
        sql = f"SELECT id, data FROM {table} ORDER BY position"  # noqa: S608
        return self._conn.execute(sql).fetchall()

    def partners(self) -> list[Partner]:
        return [_decode_partner(i, data) for i, data in self._rows("partner")]

    def topics(self) -> list[Topic]:
        return [Topic(i, Text(*json.loads(data))) for i, data in self._rows("topic")]

    def span(self, table: str, item_id: str) -> Span | None:
        """Where an item (``table`` is event, partner, topic or era) lies in the store's text."""
        sql = f"SELECT span_start, span_end, span_line, span_column FROM {table} WHERE id = ?"  # noqa: S608
        row = self._conn.execute(sql, (item_id,)).fetchone()
        return Span(*row) if row and row[0] is not None else None

    def position(self, table: str, item_id: str) -> int:
        """An item's place in its list (-1 if there is none)."""
        sql = f"SELECT position FROM {table} WHERE id = ?"  # noqa: S608
        row = self._conn.execute(sql, (item_id,)).fetchone()
        return int(row[0]) if row else -1

    def positions(self, table: str) -> dict[str, int]:
        """Each item's place in its list, as the file has them (0 first)."""
        sql = f"SELECT id, position FROM {table}"  # noqa: S608
        return dict(self._conn.execute(sql).fetchall())

    def layout(self) -> Layout:
        sections = json.loads(self.meta.get("layout", "{}"))
        return Layout({name: Section(*values) for name, values in sections.items()})

    def info(self) -> StoreInfo:
        title, description = json.loads(self.meta.get("info", "[null, null]"))
        return StoreInfo(_text(title), _text(description))

    def eras(self) -> list[Era]:
        return [_decode_era(i, data) for i, data in self._rows("era")]

    def activity(self, kind: str) -> dict[str, Activity]:
        """For each partner (``kind="partner"``) or topic: its events, first and last."""
        table, link, column = (
            ("partner", "event_partner", "partner_id")
            if kind == "partner"
            else ("topic", "event_topic", "topic_id")
        )
        # The first and last event of each, by covered days.
        sql = f"""
            SELECT t.id, COUNT(e.id), MIN(e.first_day), MAX(e.last_day),
              (SELECT e2.data FROM {link} l2 JOIN event e2 ON e2.id = l2.event_id
               WHERE l2.{column} = t.id ORDER BY e2.first_day, e2.id LIMIT 1),
              (SELECT e2.data FROM {link} l2 JOIN event e2 ON e2.id = l2.event_id
               WHERE l2.{column} = t.id ORDER BY e2.last_day DESC, e2.id DESC LIMIT 1)
            FROM {table} t
            LEFT JOIN {link} l ON l.{column} = t.id
            LEFT JOIN event e ON e.id = l.event_id
            GROUP BY t.id ORDER BY t.position
        """  # noqa: S608
        out: dict[str, Activity] = {}
        for key, count, first, last, first_data, last_data in self._conn.execute(sql):
            out[key] = Activity(
                count,
                dt.date.fromordinal(first) if first else None,
                dt.date.fromordinal(last) if last else None,
                _date(json.loads(first_data)[0]) if first_data else None,
                _date(json.loads(last_data)[0]) if last_data else None,
            )
        return out
