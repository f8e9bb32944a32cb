"""Validation: YAML text → pydantic models → typed records, and every problem at once.

Imported only when a store is (re)read: it brings PyYAML and pydantic.  The records are
handed on one at a time, so that a large store never sits in memory twice; when anything is
wrong, the iteration ends with a `StoreError` that carries every problem, each at the line
and column of its YAML node.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from . import models
from .dates import parse_edtf
from .errors import Problem, Refused, StoreError
from .positions import Layout, Span
from .records import (
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
from .yaml_reader import (
    REQUIRED_SECTIONS,
    SECTIONS,
    Locator,
    Path_,
    StoreReader,
    field_path,
)

Item = Partner | Topic | Era | Event | StoreInfo


Entry = tuple[Item, Span | None] | tuple[Layout, None]

_MODELS: dict[str, type[BaseModel]] = {
    "partners": models.Partner,
    "topics": models.Topic,
    "events": models.Event,
    "eras": models.Era,
}
_SINGULAR = {"partners": "partner", "topics": "topic", "events": "event", "eras": "era"}


def validate(text: str, path: Path | str) -> Iterator[Entry]:
    """Yield the store's records in file order, each with where it lies in the text, then its
    `StoreInfo` and `Layout`; raise `StoreError` at the end if the store is invalid.  A
    consumer that keeps the records must discard them then.
    """
    reader = StoreReader(text, path)
    found: list[tuple[Path_, bool, str]] = []
    ids: dict[str, dict[str, int]] = {section: {} for section in SECTIONS}
    references: list[tuple[Path_, str, str]] = []  # (where, "partners" or "topics", id)
    item_ids: dict[Path_, str] = {}  # what each item calls itself, valid or not

    for section, index, item, span in reader.items():
        where: Path_ = (section, index)
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            item_ids[where] = item["id"]
        model_type = _MODELS[section]
        try:
            model = model_type.model_validate(item)
        except ValidationError as exc:
            found += _pydantic_problems(exc, model_type, where)
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
        record = _record(model)
        if record.id in ids[section]:
            first = ids[section][record.id]
            message = f"duplicate id {record.id!r}: {section}[{first}] has it too"
            found.append(((*where, "id"), False, message))
            continue
        ids[section][record.id] = index
        if isinstance(record, Event):
            references += [
                ((*where, "partners", i), "partners", p) for i, p in enumerate(record.partners)
            ]
            references += [
                ((*where, "topics", i), "topics", t) for i, t in enumerate(record.topics)
            ]
        yield record, span

    try:
        header = models.Header.model_validate(reader.top)
    except ValidationError as exc:
        found += _pydantic_problems(exc, models.Header, ())
        header = models.Header()
    for section in REQUIRED_SECTIONS:
        if section not in reader.sections_seen:
            found.append(((), False, f"the store has no {section!r} list; add '{section}:'"))
    for where, kind, ref in references:
        known = ids[kind]
        if ref not in known:
            hint = _suggest(ref, known) or (
                f"; add it to {kind!r}" if known else f"; the store defines no {kind}"
            )
            found.append((where, False, f"unknown {_SINGULAR[kind]} {ref!r}{hint}"))

    if found or reader.problems:
        locator = Locator(text)
        problems = list(reader.problems)
        for where, at_key, message in found:
            line, column = locator.locate(where, key=at_key)
            item_id = item_ids.get(where[:2])
            problems.append(
                Problem(str(path), line, column, field_path(where), message, item_id or "")
            )
        problems.sort(key=lambda p: (p.line, p.column))
        raise StoreError(path, problems)
    yield StoreInfo(_optional_text(header.title), _optional_text(header.description)), None
    yield Layout(reader.sections), None


def check_item(
    section: str, document: object, index: int, path: Path | str
) -> Partner | Topic | Era | Event:
    """One item of a list (``events``, …) as it would stand at ``index``: its record, or a
    `StoreError` with every problem (without line numbers: the item is not written yet).

    References to partners and topics are the caller's to check: it knows the store."""
    model_type = _MODELS[section]
    try:
        model = model_type.model_validate(document)
    except ValidationError as exc:
        item_id = document.get("id") if isinstance(document, dict) else None
        problems = [
            Problem(str(path), 0, 0, field_path(where), message, str(item_id or ""))
            for where, _, message in _pydantic_problems(exc, model_type, (section, index))
        ]
        raise Refused(path, problems) from None
    return _record(model)


# --- models to records ------------------------------------------------------------------------


def _text(model: models.LocalizedText | models.LocalizedParagraph) -> Text:
    return Text(model.de, model.en)


def _optional_text(model: models.LocalizedText | models.LocalizedParagraph | None) -> Text | None:
    return None if model is None else Text(model.de, model.en)


def _source(model: models.Source) -> Source:
    page_date = parse_edtf(model.date) if model.date is not None else None
    return Source(model.url, model.publisher, model.title, model.language, page_date)


def _name(value: str | models.LocalizedText | None) -> str | Text | None:
    return value if value is None or isinstance(value, str) else _text(value)


def _location(model: models.Location | None) -> Location | None:
    if model is None:
        return None
    coordinates = model.coordinates
    return Location(
        name=_name(model.name),
        address=_name(model.address),
        city=_name(model.city),
        region=_name(model.region),
        country=model.country,
        coordinates=None if coordinates is None else Coordinates(coordinates.lat, coordinates.lon),
        online=model.online,
    )


def _record(model: BaseModel) -> Partner | Topic | Era | Event:
    if isinstance(model, models.Event):
        return Event(
            id=model.id,
            date=parse_edtf(model.date),
            title=_text(model.title),
            summary=_text(model.summary),
            partners=tuple(model.partners),
            sources=tuple(_source(s) for s in model.sources),
            status=model.status,
            timezone=model.timezone,
            location=_location(model.location),
            topics=tuple(model.topics),
            people=tuple(Person(p.name, _optional_text(p.role)) for p in model.people),
            updated=date.fromisoformat(model.updated) if model.updated else None,
            uid=model.uid,
        )
    if isinstance(model, models.Partner):
        return Partner(
            id=model.id,
            name=model.name,
            short=model.short,
            kind=model.kind,
            country=model.country,
            names=_optional_text(model.names),
            short_names=_optional_text(model.short_names),
            website=model.website,
            description=_optional_text(model.description),
        )
    if isinstance(model, models.Topic):
        return Topic(model.id, _text(model.label))
    if isinstance(model, models.Era):
        return Era(
            id=model.id,
            date=parse_edtf(model.date),
            title=_text(model.title),
            sources=tuple(_source(s) for s in model.sources),
            summary=_optional_text(model.summary),
        )
    raise TypeError(f"not a store model: {type(model).__name__}")


# --- pydantic's errors in plain words -----------------------------------------------------------


def _model_at(model: type[BaseModel], loc: Iterable[str | int]) -> type[BaseModel] | None:
    """The model that holds the field at ``loc`` (for "did you mean" suggestions)."""

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
        model_field = current.model_fields.get(step)
        current = find(model_field.annotation) if model_field else None
    return current


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _pydantic_problems(
    exc: ValidationError, model: type[BaseModel], base: Path_
) -> list[tuple[Path_, bool, str]]:
    """(path, point-at-key, message) triples for a pydantic error."""
    out: list[tuple[Path_, bool, str]] = []
    for err in exc.errors(include_url=False):
        loc: Path_ = tuple(step for step in err["loc"] if step not in models.UNION_TAGS)
        kind = err["type"]
        ctx = err.get("ctx", {})
        message = _TYPES.get(kind, err["msg"])
        if kind == "string_type" and "one-text" in err["loc"]:
            message = _TYPES["union_tag_invalid"]  # a name: one text or one in each language
        at_key = False
        if kind == "missing":
            message = f"required field {loc[-1]!r} is missing"
        elif kind == "extra_forbidden":
            holder = _model_at(model, loc[:-1])
            names = holder.model_fields if holder else {}
            message = f"unknown field {loc[-1]!r}{_suggest(str(loc[-1]), names)}"
            at_key = True
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
        elif kind == "string_pattern_mismatch" and "a-z0-9" in str(ctx):
            message = (
                f"{err['input']!r} is not a valid id: use lower-case letters, digits and "
                "single hyphens (e.g. gzm, rvr-gzm-agreement-2019)"
            )
        elif kind == "literal_error":
            allowed = str(ctx.get("expected", "")).replace("' or '", "', '")
            message = f"{err['input']!r} is not allowed; use one of {allowed}"
        elif kind == "string_too_long":
            length = len(err["input"]) if isinstance(err["input"], str) else "?"
            message = f"is too long: at most {ctx.get('max_length')} characters (it has {length})"
        elif kind == "too_short":
            message = f"needs at least {ctx.get('min_length')} item(s)"
        elif kind == "too_long":
            message = f"has too many items: at most {ctx.get('max_length')}"
        elif kind in ("greater_than_equal", "greater_than"):
            message = f"must be at least {_number(ctx.get('ge', ctx.get('gt')))}"
        elif kind in ("less_than_equal", "less_than"):
            message = f"must be at most {_number(ctx.get('le', ctx.get('lt')))}"
        out.append((base + loc, at_key, message))
    return out


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# pydantic's error types, in our words (its own wording changes between versions).
_TYPES = {
    "model_type": "must be a mapping of fields (key: value)",
    "model_attributes_type": "must be a mapping of fields (key: value)",
    "dict_type": "must be a mapping of fields (key: value)",
    "string_type": "must be text",
    "list_type": "must be a list",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "union_tag_invalid": "must be a text, or a text in each language ({de: …, en: …})",
}
