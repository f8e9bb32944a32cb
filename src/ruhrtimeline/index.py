"""Validate a store and write it into its SQLite index, reporting every problem at once.

The index holds each event's listing record (the JSON contract) beside the columns that
queries need: the covered days as day numbers, precision, status, a search text, and tables
of partners and topics per event.  Reading commands query the index and never import pydantic.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from .errors import Problem, StoreError
from .query import normalize
from .store import INDEX_FORMAT
from .yaml_reader import REQUIRED_SECTIONS, SECTIONS, Locator, Path_, StoreReader, field_path

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE partner (id TEXT PRIMARY KEY, position INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE topic (id TEXT PRIMARY KEY, position INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE era (id TEXT PRIMARY KEY, position INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE event (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    date TEXT NOT NULL,
    timezone TEXT,
    precision TEXT NOT NULL,
    status TEXT NOT NULL,
    search TEXT NOT NULL,
    record TEXT NOT NULL
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
INDEXES = """
CREATE INDEX event_order ON event (first_day, id);
CREATE INDEX event_partner_event ON event_partner (event_id);
CREATE INDEX event_topic_event ON event_topic (event_id);
"""

_BATCH = 2000
_NAMES = {"partners": "partner", "topics": "topic", "events": "event", "eras": "era"}


def dumps(record: object) -> str:
    """Records are stored as the exact JSON text that ``--format json`` prints."""
    return json.dumps(record, ensure_ascii=False)


def _search_text(record: dict[str, Any]) -> str:
    parts: list[str] = [record["id"]]
    parts += record["title"].values()
    parts += record["summary"].values()
    location = record["location"] or {}
    parts += [location.get(k) or "" for k in ("name", "address", "city", "region")]
    for person in record["people"]:
        parts.append(person["name"])
        parts += (person.get("role") or {}).values()
    return normalize("\n".join(parts))


def _model_at(model: type[BaseModel], loc: Iterable[str | int]) -> type[BaseModel] | None:
    """The model that holds the field at ``loc`` (for "did you mean" suggestions)."""
    from pydantic import BaseModel

    def find(tp: Any) -> type[BaseModel] | None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
        for arg in get_args(tp):
            found = find(arg)
            if found is not None:
                return found
        return None

    current: type[BaseModel] | None = model
    for step in loc:
        if isinstance(step, int) or current is None:
            continue
        field = current.model_fields.get(step)
        current = find(field.annotation) if field else None
    return current


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def pydantic_problems(
    exc: ValidationError, model: type[BaseModel], base: Path_
) -> list[tuple[Path_, bool, str]]:
    """Turn a ValidationError into (path, point-at-key, message) triples in plain words."""
    out: list[tuple[Path_, bool, str]] = []
    for err in exc.errors(include_url=False):
        loc: Path_ = tuple(err["loc"])
        kind = err["type"]
        message = err["msg"]
        at_key = False
        if kind == "missing":
            message = f"required field {loc[-1]!r} is missing"
        elif kind == "extra_forbidden":
            holder = _model_at(model, loc[:-1])
            names = holder.model_fields if holder else {}
            message = f"unknown field {loc[-1]!r}{_suggest(str(loc[-1]), names)}"
            at_key = True
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        elif kind == "string_pattern_mismatch" and "a-z0-9" in str(err.get("ctx", {})):
            message = (
                f"{err['input']!r} is not a valid id: use lower-case letters, digits and "
                "single hyphens (e.g. gzm, rvr-gzm-agreement-2019)"
            )
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = "must be a mapping of fields (key: value)"
        elif kind == "literal_error":
            message = f"{err['input']!r} is not allowed: {message[0].lower()}{message[1:]}"
        elif kind == "string_too_long":
            length = len(err["input"]) if isinstance(err["input"], str) else "?"
            message = f"{message} (it has {length})"
        out.append((base + loc, at_key, message))
    return out


def build_index(conn: sqlite3.Connection, text: str, path: Path | str) -> None:
    """Validate the store ``text`` and write it into ``conn``; raise `StoreError` if invalid."""
    from pydantic import ValidationError

    from .models import (
        Era,
        Event,
        Partner,
        Topic,
        era_record,
        event_record,
        partner_record,
        topic_record,
    )

    models: dict[str, type[BaseModel]] = {
        "partners": Partner,
        "topics": Topic,
        "events": Event,
        "eras": Era,
    }
    reader = StoreReader(text, path)
    found: list[tuple[Path_, bool, str]] = []
    ids: dict[str, dict[str, int]] = {s: {} for s in SECTIONS}
    references: list[tuple[Path_, str, str]] = []  # (path, section, id)
    rows: dict[str, list[tuple[Any, ...]]] = {"partner": [], "topic": [], "event": [], "era": []}
    links: dict[str, list[tuple[str, str, int]]] = {"partners": [], "topics": []}
    longest_span = 0

    conn.executescript(SCHEMA)

    def flush() -> None:
        for table, batch in rows.items():
            if batch:
                marks = ", ".join("?" * len(batch[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)  # noqa: S608
                batch.clear()
        for section, batch in links.items():
            if batch:
                table = "event_partner" if section == "partners" else "event_topic"
                conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", batch)  # noqa: S608
                batch.clear()

    for section, index, item in reader.items():
        where: Path_ = (section, index)
        try:
            model = models[section].model_validate(item)
        except ValidationError as exc:
            found += pydantic_problems(exc, models[section], where)
            if section == "events" and isinstance(item, dict):
                # Check the references of an invalid event too: every problem at once.
                for kind in ("partners", "topics"):
                    values = item.get(kind)
                    if isinstance(values, list):
                        references += [
                            ((*where, kind, i), kind, v)
                            for i, v in enumerate(values)
                            if isinstance(v, str)
                        ]
            continue
        item_id: str = model.id  # type: ignore[attr-defined]
        if item_id in ids[section]:
            first = ids[section][item_id]
            found.append(
                ((*where, "id"), False, f"duplicate id {item_id!r}: {section}[{first}] has it too")
            )
            continue
        ids[section][item_id] = index
        if isinstance(model, Event):
            record = event_record(model)
            parsed = model.edtf
            first_day, last_day = parsed.first.toordinal(), parsed.last.toordinal()
            longest_span = max(longest_span, last_day - first_day)
            rows["event"].append(
                (
                    item_id,
                    index,
                    first_day,
                    last_day,
                    model.date,
                    model.timezone,
                    parsed.precision,
                    model.status,
                    _search_text(record),
                    dumps(record),
                )
            )
            for kind in ("partners", "topics"):
                for position, ref in enumerate(getattr(model, kind)):
                    references.append(((*where, kind, position), kind, ref))
                    links[kind].append((ref, item_id, position))
        elif isinstance(model, Partner):
            rows["partner"].append((item_id, index, dumps(partner_record(model))))
        elif isinstance(model, Topic):
            rows["topic"].append((item_id, index, dumps(topic_record(model))))
        elif isinstance(model, Era):
            rows["era"].append((item_id, index, dumps(era_record(model))))
        if len(rows["event"]) >= _BATCH:
            flush()
    flush()

    for section in REQUIRED_SECTIONS:
        if section not in reader.sections_seen:
            found.append(((), False, f"the store has no {section!r} list; add '{section}:'"))
    for where, kind, ref in references:
        known = ids[kind]
        if ref not in known:
            singular = _NAMES[kind]
            hint = _suggest(ref, known) or (
                f"; add it to {kind!r}" if known else f"; the store defines no {kind}"
            )
            found.append((where, False, f"unknown {singular} {ref!r}{hint}"))

    if found or reader.problems:
        locator = Locator(text)
        problems = list(reader.problems)
        for where, at_key, message in found:
            line, column = locator.locate(where, key=at_key)
            problems.append(Problem(str(path), line, column, field_path(where), message))
        problems.sort(key=lambda p: (p.line, p.column))
        raise StoreError(path, problems)

    conn.executescript(INDEXES)
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("longest_span", str(longest_span)), ("format", str(INDEX_FORMAT))],
    )
