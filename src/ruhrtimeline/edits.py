"""Keeping the record: new events, partners and topics, and changes to events, written into
the store file where they belong.

Every write
1. builds each changed item as the store file holds it (a document of texts, lists and
   mappings) and checks it against the store's rules and against the rest of the store (ids,
   partners, topics) — the rest was valid when it was read, so the store as it would be is
   valid exactly when these checks pass;
2. writes the items into the file's text at their place: new items after the last of their
   list, changed fields in place, so that every comment, blank line, key order and quoting
   elsewhere stays byte for byte;
3. reads the changed items back from the new text and compares them with what was meant;
4. replaces the file atomically, and brings the store's index up to date (the next command
   is a warm run, even on a very large store).

``updated`` of every event created or changed is set to ``today``, which the caller gives.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from datetime import date as date_type
from pathlib import Path
from typing import Any, Literal

from .dates import Lang
from .errors import NotFound, OutputError, Problem, Refused, RuhrtimelineError, StoreError
from .files import atomic_write
from .index import Shift
from .positions import Layout, Section, Span
from .records import Era, Event, Partner, Text, Topic
from .store import Fingerprint, Store
from .yaml_reader import line_end

Document = dict[str, Any]
Kind = Literal["events", "partners", "topics"]
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_YAML_WORDS = re.compile(
    r"(?i:y|yes|n|no|true|false|on|off|null|~)|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
)
_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")
FOLD_WIDTH = 88  # long texts are written as folded blocks with lines of at most this width


class ChangedOnDisk(RuhrtimelineError):
    """The store file changed after it was read: nothing was written."""


@dataclass(frozen=True)
class Change:
    """What a write did (or, for a dry run, would do)."""

    path: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    written: bool = False
    notes: list[str] = field(default_factory=list)  # what was taken or copied, one line each


# --- records as the store file holds them -------------------------------------------------------


def _text(value: Text) -> Document:
    return {"de": value.de, "en": value.en}


def _name(value: str | Text) -> str | Document:
    return value if isinstance(value, str) else _text(value)


def event_document(e: Event) -> Document:
    """An event as the store file writes it (the order of its fields included)."""
    doc: Document = {"id": e.id, "date": e.date.text}
    if e.timezone:
        doc["timezone"] = e.timezone
    doc["status"] = e.status
    doc["title"] = _text(e.title)
    doc["summary"] = _text(e.summary)
    if e.location is not None:
        place: Document = {}
        for key in ("name", "address", "city", "region"):
            value = getattr(e.location, key)
            if value is not None:
                place[key] = _name(value)
        if e.location.country:
            place["country"] = e.location.country
        if e.location.coordinates is not None:
            lat, lon = e.location.coordinates.lat, e.location.coordinates.lon
            place["coordinates"] = {"lat": repr(lat), "lon": repr(lon)}
        if e.location.online:
            place["online"] = "true"
        doc["location"] = place
    doc["partners"] = list(e.partners)
    if e.topics:
        doc["topics"] = list(e.topics)
    if e.people:
        doc["people"] = [
            {"name": p.name, **({"role": _text(p.role)} if p.role else {})} for p in e.people
        ]
    doc["sources"] = [
        {
            "url": s.url,
            "publisher": s.publisher,
            "title": s.title,
            **({"date": s.date.text} if s.date else {}),
            "language": s.language,
        }
        for s in e.sources
    ]
    if e.uid is not None:
        doc["uid"] = e.uid
    if e.updated is not None:
        doc["updated"] = e.updated.isoformat()
    return doc


_EVENT_ORDER = (
    "id", "date", "timezone", "status", "title", "summary", "location", "partners", "topics",
    "people", "sources", "uid", "updated",
)  # fmt: skip
_PLACE_ORDER = ("name", "address", "city", "region", "country", "coordinates", "online")


def _in_order(doc: Document, order: Sequence[str]) -> Document:
    """The fields in the store's usual order (any others after them, as they came)."""
    return {
        **{k: doc[k] for k in order if k in doc},
        **{k: v for k, v in doc.items() if k not in order},
    }


def ordered_event(doc: Document) -> Document:
    """An event document with its fields, and its place's, in the usual order: a field
    added to an event goes where `event_document` would write it."""
    doc = _in_order(doc, _EVENT_ORDER)
    if isinstance(doc.get("location"), dict):
        doc["location"] = _in_order(doc["location"], _PLACE_ORDER)
    return doc


def partner_document(p: Partner) -> Document:
    """A partner as the store file writes it."""
    doc: Document = {"id": p.id, "name": p.name}
    if p.names:
        doc["names"] = _text(p.names)
    doc["short"] = p.short
    if p.short_names:
        doc["short_names"] = _text(p.short_names)
    doc["kind"] = p.kind
    doc["country"] = p.country
    if p.website:
        doc["website"] = p.website
    if p.description:
        doc["description"] = _text(p.description)
    return doc


def topic_document(t: Topic) -> Document:
    return {"id": t.id, "label": _text(t.label)}


# --- YAML text ----------------------------------------------------------------------------------


def scalar(value: str) -> str:
    """A text as YAML writes it: plain where that reads back as the same text in any YAML
    reader (not a number, date, boolean or null to YAML 1.1 or 1.2), else double-quoted
    (JSON's escapes are YAML's)."""
    plain = (
        value
        and value == value.strip()
        and not value.startswith(_INDICATORS)
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and "\n" not in value
        and value.isprintable()
        and value not in _NULLS
        and not _YAML_WORDS.fullmatch(value)
        and _resolves_to_text(value)
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def _resolves_to_text(value: str) -> bool:
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == "tag:yaml.org,2002:str")


_PLAIN_KEYS = frozenset(("date", "online", "lat", "lon"))  # written as they are


def _value_text(key: str, value: str) -> str:
    if key in _PLAIN_KEYS and re.fullmatch(r"[0-9A-Za-z.:/~?%+-]+", value):
        return value
    if key == "updated":
        return json.dumps(value)
    return scalar(value)


def _folded(value: str, indent: int) -> list[str] | None:
    """A long text as a folded block (``>-``), or None where folding would change it."""
    if len(value) + indent < FOLD_WIDTH or "\n" in value or "  " in value or value != value.strip():
        return None
    lines = textwrap.wrap(
        value, FOLD_WIDTH - indent, break_long_words=False, break_on_hyphens=False
    )
    return [" " * indent + line for line in lines]


_PARAGRAPHS = frozenset(("summary", "description"))  # texts long enough to fold


def emit(doc: Mapping[str, Any], indent: int, *, fold: bool = False) -> list[str]:
    """The lines of a mapping whose keys stand at column ``indent`` (no line breaks); with
    ``fold``, long texts are folded blocks."""
    pad = " " * indent
    out: list[str] = []
    for key, value in doc.items():
        if isinstance(value, str):
            folded = _folded(value, indent + 2) if fold else None
            if folded:
                out += [f"{pad}{key}: >-", *folded]
            else:
                out.append(f"{pad}{key}: {_value_text(key, value)}")
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.append(f"{pad}{key}: [{', '.join(scalar(v) for v in value)}]")
        elif isinstance(value, list):
            out.append(f"{pad}{key}:")
            for item in value:
                lines = emit(item, indent + 4)
                out.append(f"{pad}  - {lines[0].lstrip()}")
                out += lines[1:]
        elif key == "coordinates":
            pairs = ", ".join(f"{k}: {v}" for k, v in value.items())
            out.append(f"{pad}{key}: {{{pairs}}}")
        else:
            out.append(f"{pad}{key}:")
            out += emit(value, indent + 2, fold=key in _PARAGRAPHS)
    return out


def flow(value: object, key: str = "") -> str:
    """A document in YAML's flow style (``{id: a, partners: [rvr, gzm]}``), for stores that
    write their items so."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v, k)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    written = _value_text(key, str(value))
    if any(c in written for c in ",[]{}") and not written.startswith('"'):
        return json.dumps(str(value), ensure_ascii=False)  # a comma would end a plain text
    return written


def _item_lines(doc: Document, dash_column: int, item_column: int) -> list[str]:
    """An item of a list: "- " at ``dash_column``, its fields at ``item_column``."""
    lines = emit(doc, item_column)
    first = " " * dash_column + "-" + " " * (item_column - dash_column - 1) + lines[0].lstrip()
    return [first, *lines[1:]]


# --- the store's text ---------------------------------------------------------------------------


@dataclass
class _Text:
    """The store file's text, and how to write it back the way it was encoded."""

    path: Path
    text: str
    bom: bool
    newline: str

    @classmethod
    def read(cls, store: Store) -> _Text:
        from .locations import installed_with_package
        from .yaml_reader import decode

        if installed_with_package(store.path):
            raise OutputError(
                f"{store.path} is the record installed with the program and is not changed; "
                "write to a store of your own"
            )

        try:
            data = store.path.read_bytes()
        except OSError as exc:
            raise StoreError.single(store.path, f"cannot be read: {exc.strerror or exc}") from None
        if hashlib.sha256(data).hexdigest() != store.fingerprint.sha256:
            raise ChangedOnDisk(
                f"{store.path} changed since it was read; nothing was written, run again"
            )
        text = decode(data, store.path)
        newline = "\r\n" if "\r\n" in text[:4096] else "\n"
        return cls(store.path, text, data.startswith(b"\xef\xbb\xbf"), newline)

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str


def _apply(text: str, splices: Sequence[_Splice]) -> str:
    out, at = [], 0
    for splice in sorted(splices, key=lambda s: s.start):
        if splice.start < at:
            raise ValueError("overlapping changes")
        out += [text[at : splice.start], splice.text]
        at = splice.end
    out.append(text[at:])
    return "".join(out)


def _moved(position: int, splices: Sequence[_Splice]) -> int:
    """Where ``position`` of the old text lies in the new one."""
    return position + sum(
        len(s.text) - (s.end - s.start) for s in splices if s.end <= position and s.start < position
    )


# --- reading items back -------------------------------------------------------------------------


def _read_back(kind: Kind, text: str, span: Span, path: Path) -> object:
    """The item at ``span`` of ``text``, read as the store reader reads it."""
    from .yaml_reader import StoreReader

    item_text = text[span.start : span.end]
    dash = " " * max(span.column - 2, 0) + "- "
    mini = f"{kind}:\n{dash}{item_text}\n"
    reader = StoreReader(mini, path)
    items = [item for _, _, item, _ in reader.items()]
    if reader.problems or len(items) != 1:
        raise ValueError(f"the written {kind[:-1]} does not read back")
    return items[0]


def _node_end(node: Any) -> int:
    """Where a composed node's content ends (block collections: their last content)."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        return int(node.end_mark.index)
    children: list[Any] = (
        [v for pair in node.value for v in pair]
        if isinstance(node, yaml.MappingNode)
        else list(node.value)
    )
    return max((_node_end(child) for child in children), default=int(node.start_mark.index))


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _field_splices(text: _Text, span: Span, old: Document, new: Document) -> list[_Splice]:
    """The changes of one item, each written in place: a changed field of a block mapping
    (the item, its title, its place, …) is rewritten, everything else stays as it is."""
    import yaml

    pad = " " * span.column
    snippet = pad + text.text[span.start : span.end]
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    node = yaml.compose(snippet, Loader=loader)
    if not isinstance(node, yaml.MappingNode):
        raise ValueError("an item that is not a mapping cannot be changed in place")
    if node.flow_style:  # "{id: …, date: …}": written anew, in flow style
        source = pad + text.text[span.start : span.end]
        raw = {k.value: source[v.start_mark.index : v.end_mark.index] for k, v in node.value}
        parts = [
            f"{k}: {raw[k] if k in raw and old.get(k) == v else flow(v, k)}"
            for k, v in new.items()
            if k in raw or old.get(k) != v
        ]
        parts += [f"{k}: {v}" for k, v in raw.items() if k not in new and k not in old]
        return [_Splice(span.start, span.end, "{" + ", ".join(parts) + "}")]
    return _merged(
        _mapping_splices(text, node, old, new, span.start - span.column, "", span.column)
    )


def _mapping_splices(
    text: _Text, node: Any, old: Document, new: Document, shift: int, parent: str, column: int
) -> list[_Splice]:
    import yaml

    source, nl = text.text, text.newline
    places: dict[str, tuple[int, int, Any]] = {
        key.value: (shift + key.start_mark.index, shift + _node_end(value), value)
        for key, value in node.value
    }
    splices: list[_Splice] = []
    order = list(new)
    for key, value in new.items():
        if key in old and old[key] == value:
            continue  # unchanged, whether the file writes it or leaves it to its default
        if key in places:
            start, end, child = places[key]
            if (
                isinstance(value, dict)
                and isinstance(old.get(key), dict)
                and isinstance(child, yaml.MappingNode)
                and not child.flow_style
                and key != "coordinates"
            ):
                child_column = child.value[0][0].start_mark.column if child.value else column + 2
                splices += _mapping_splices(text, child, old[key], value, shift, key, child_column)
                continue
            if getattr(child, "flow_style", False):  # {de: …, en: …} stays on its line
                lines = [f"{key}: {flow(value, key)}"]
            else:
                lines = emit({key: value}, column, fold=parent in _PARAGRAPHS)
            stop = line_end(source, end)
            comment = source[end:stop] if source[end:stop].strip().startswith("#") else ""
            splices.append(_Splice(start, stop, nl.join(lines).lstrip(" ") + comment))
            continue
        # A field not written yet: after the field it follows in the usual order, or before
        # the first field where it comes first.
        lines = emit({key: value}, column, fold=parent in _PARAGRAPHS)
        before = [k for k in order[: order.index(key)] if k in places]
        if before:
            point = line_end(source, places[before[-1]][1])
            splices.append(_Splice(point, point, nl + nl.join(lines)))
        else:
            first = min(start for start, _, _ in places.values())
            splices.append(_Splice(first, first, nl.join(lines).lstrip(" ") + nl + " " * column))
    keys = sorted(places.items(), key=lambda item: item[1][0])
    for number, (key, (start, end, _)) in enumerate(keys):
        if key in old and key not in new:  # a field taken out: its lines go
            line = _line_start(source, start)
            if source[line:start].strip() and number + 1 < len(keys):
                # It follows "- " (an item's first field): the next field takes its place.
                splices.append(_Splice(start, keys[number + 1][1][0], ""))
            else:
                splices.append(_Splice(max(line - len(nl), 0), line_end(source, end), ""))
    return splices


def _merged(splices: list[_Splice]) -> list[_Splice]:
    # Insertions at the same point keep their order.
    merged: dict[tuple[int, int], str] = {}
    for s in splices:
        merged[(s.start, s.end)] = merged.get((s.start, s.end), "") + s.text
    return [_Splice(a, b, t) for (a, b), t in merged.items()]


# --- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    kind: Kind
    document: Document
    record: Event | Partner | Topic | Era
    old: Document | None  # the document of the item it replaces
    span: Span | None  # where the item it replaces lies
    index: int  # its place in its list


def _check(store: Store, planned: Sequence[_Planned]) -> None:
    """The references and ids of the planned items, against the store and each other."""
    problems: list[Problem] = []
    partners = set(store.directory.partners)
    topics = set(store.directory.topics)
    seen: set[tuple[str, str]] = set()
    for item in planned:
        record = item.record
        if isinstance(record, Partner):
            partners.add(record.id)
        elif isinstance(record, Topic):
            topics.add(record.id)
    path = str(store.path)
    for item in planned:
        record = item.record
        key = (item.kind, record.id)
        field = f"{item.kind}[{item.index}]"
        if key in seen:
            message = f"id {record.id!r} given twice"
            problems.append(Problem(path, 0, 0, f"{field}.id", message, record.id))
        seen.add(key)
        if item.old is None and _exists(store, item.kind, record.id):
            message = f"duplicate id {record.id!r}: the store has it already"
            problems.append(Problem(path, 0, 0, f"{field}.id", message, record.id))
        if isinstance(record, Event):
            for kind, refs, known in (
                ("partner", record.partners, partners),
                ("topic", record.topics, topics),
            ):
                for number, ref in enumerate(refs):
                    if ref not in known:
                        message = str(NotFound(kind, ref, sorted(known)))
                        where = f"{field}.{kind}s[{number}]"
                        problems.append(Problem(path, 0, 0, where, message, record.id))
    if problems:
        raise Refused(store.path, problems)


def _exists(store: Store, kind: Kind, item_id: str) -> bool:
    if kind == "partners":
        return item_id in store.directory.partners
    if kind == "topics":
        return item_id in store.directory.topics
    return store.span("event", item_id) is not None


def _commit(
    store: Store, planned: Sequence[_Planned], *, today: date | None = None, dry_run: bool = False
) -> Change:
    """Check, write and follow up the planned items (see the module's docstring)."""
    _check(store, planned)
    text = _Text.read(store)
    sections = dict(store.layout().sections)
    splices: list[_Splice] = []
    appended: dict[Kind, list[_Planned]] = {}
    grown: dict[int, int] = {}  # what each changed item gained at its very end
    for item in planned:
        if item.span is None:
            appended.setdefault(item.kind, []).append(item)
        elif item.old is not None:
            own = _field_splices(text, item.span, item.old, item.document)
            grown[id(item)] = sum(len(s.text) for s in own if s.start == s.end == item.span.end)
            splices += own
    blocks: list[tuple[_Planned, _Splice, int, int]] = []  # item, splice, start, end (relative)
    for kind, items in appended.items():
        splice, places, sections[kind] = _append(text, sections.get(kind), kind, items)
        splices.append(splice)
        blocks += [(item, splice, a, b) for item, (a, b) in zip(items, places, strict=True)]
    new_text = _apply(text.text, splices)
    for kind, items in appended.items():  # a flow list holds its old items and the new ones
        old_section = store.layout().sections[kind]
        if old_section.flow and old_section.last >= 0:
            before = _flow_count(text.text, old_section.start, old_section.end)
            start, end = _moved(old_section.start, splices), _moved(old_section.end, splices)
            if _flow_count(new_text, start, end) != before + len(items):
                raise RuhrtimelineError(
                    f"internal error: the {kind!r} list would not hold what it should; "
                    "nothing was written (please report it)"
                )
    # Where each changed item lies in the new text; each is read back and compared.
    written: list[tuple[_Planned, Span]] = []
    for item, splice, a, b in blocks:
        order = next(i for i, s in enumerate(splices) if s is splice)
        # Insertions at the same point that come first (an item above growing at its end).
        ahead = sum(len(s.text) for s in splices[:order] if s.start == s.end == splice.start)
        base = _moved(splice.start, splices) + ahead
        line = new_text.count("\n", 0, base + a) + 1
        column = base + a - (new_text.rfind("\n", 0, base + a) + 1)  # in a flow list too
        written.append((item, Span(base + a, base + b, line, column)))
    for item in planned:
        if item.span is not None:
            written.append((item, _new_span(item.span, splices, grown.get(id(item), 0), new_text)))
    for item, span in written:
        _verify(item.kind, new_text, span, item.record, store.path)
    change = Change(
        store.path,
        added=[p.record.id for p in planned if p.span is None],
        updated=[p.record.id for p in planned if p.span is not None],
        notes=[
            f"{p.record.id}: {message}"
            for p in planned
            if isinstance(p.record, Event)
            for field, message in (p.record.doubts(today) if today else ())
            if field in ("status", "updated", "date")  # an untranslated text is said apart
        ],
    )
    if dry_run:
        return change
    data = text.encode(new_text)
    _still_as_read(store)
    atomic_write(store.path, data)
    spans = [(item.record, span) for item, span in written]
    _follow(store, text.text, splices, spans, Layout(sections), data)
    return replace(change, written=True)


def _append(
    text: _Text, section: Section | None, kind: Kind, items: Sequence[_Planned]
) -> tuple[_Splice, list[tuple[int, int]], Section]:
    """New items after the last of their list (or the list written anew where it is empty).

    Returns the splice, where each item's fields begin and end within it, and the list's
    new layout (in the old text's positions; the index moves them)."""
    nl = text.newline
    if section is None:
        raise StoreError.single(text.path, f"the store has no {kind!r} list; add '{kind}:'")
    lead = nl
    if section.last >= 0 and section.flow:  # "[a, b]": the new items go in, in flow style
        point = section.last  # right after the last item (before any comment after it)
        flow_parts = [", " + flow(item.document) for item in items]
        flow_places, at = [], 0
        for part in flow_parts:
            flow_places.append((at + 2, at + len(part)))
            at += len(part)
        return _Splice(point, point, "".join(flow_parts)), flow_places, section
    if section.last >= 0:
        dash, column, point, end = (
            section.dash_column,
            section.item_column,
            section.last,
            section.last,
        )
        if _blank_before_last(text.text, section):
            lead = nl + nl  # the list keeps a blank line between its items
    else:  # "events: []" or "events:" with nothing: the list is written anew
        dash, column, point, end = 2, 4, section.start, section.end
        while point > 0 and text.text[point - 1] in " \t":
            point -= 1  # right after "events:"
        rest = line_end(text.text, end)
        if text.text[end:rest].strip().startswith("#"):  # "events: []  # none yet"
            lead = text.text[end:rest] + lead  # the comment stays on the line of "events:"
            end = rest
    parts: list[str] = []
    places: list[tuple[int, int]] = []
    at = 0
    for item in items:
        block = lead + nl.join(_item_lines(item.document, dash, column))
        places.append((at + len(lead) + column, at + len(block)))
        parts.append(block)
        at += len(block)
    if text.text[point:end].split("#")[0].strip() not in ("", "[]"):  # only an empty list
        raise RuhrtimelineError(f"internal error: the {kind!r} list would lose items")
    layout = Section(section.start, section.end, section.last, False, dash, column)
    return _Splice(point, end, "".join(parts)), places, layout


def _new_span(span: Span, splices: Sequence[_Splice], grown: int, new_text: str) -> Span:
    """Where an item that was changed in place lies in the new text (``grown``: what was
    inserted at its very end)."""
    start = _moved(span.start, splices)
    end = _moved(span.end, splices) + grown
    if not new_text.startswith("{", start):  # a block item ends with its line
        end = line_end(new_text, end)
    return Span(start, end, new_text.count("\n", 0, start) + 1, span.column)


def _still_as_read(store: Store) -> None:
    """`ChangedOnDisk` where another program wrote the file since it was read (checked again
    right before the file is replaced, so that of two writers at once neither is lost)."""
    try:
        stat = os.stat(store.path)
    except OSError:
        stat = None
    if stat is None or (stat.st_size, stat.st_mtime_ns) != (
        store.fingerprint.size,
        store.fingerprint.mtime_ns,
    ):
        raise ChangedOnDisk(
            f"{store.path} changed since it was read; nothing was written, run again"
        )


def _flow_count(text: str, start: int, end: int) -> int:
    """How many items the flow list ``[…]`` at ``start``–``end`` of ``text`` holds (-1 if it
    does not read as one)."""
    import yaml

    try:
        node = yaml.compose(text[start:end], Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return -1
    return len(node.value) if isinstance(node, yaml.SequenceNode) else -1


def _blank_before_last(text: str, section: Section) -> bool:
    """Whether the list's last item is set apart from the one before by a blank line."""
    dash = " " * section.dash_column + "-"
    line_start = _line_start(text, section.last)
    while line_start > section.start and not text.startswith(dash, line_start):
        line_start = _line_start(text, line_start - 1)
    previous = _line_start(text, max(line_start - 1, 0))
    return line_start > section.start and not text[previous:line_start].strip()


def _verify(kind: str, text: str, span: Span, record: object, path: Path) -> None:
    from .validation import check_item

    document = _read_back(kind, text, span, path)  # type: ignore[arg-type]
    back = check_item(kind, document, 0, path)
    if back != record:
        raise RuhrtimelineError(
            f"internal error: the {kind[:-1]} {getattr(record, 'id', '')!r} would not read back "
            "as written; nothing was written (please report it)"
        )


def _follow(
    store: Store,
    old_text: str,
    splices: Sequence[_Splice],
    spans: Sequence[tuple[Event | Partner | Topic | Era, Span]],
    layout: Layout,
    data: bytes,
) -> None:
    """Bring the store and its index up to date with the written file."""
    stat = os.stat(store.path)
    fingerprint = Fingerprint(stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest())
    shifts = [
        Shift(
            s.start,
            len(s.text) - (s.end - s.start),
            s.text.count("\n") - old_text.count("\n", s.start, s.end),
        )
        for s in splices
    ]
    sections = {}
    for name, section in layout.sections.items():
        ends = [span.end for record, span in spans if _kind_of(record) == name]
        if section.last >= 0:
            ends.append(_moved(section.last, splices))
        last = max(ends, default=-1)
        moved = replace(
            section, start=_moved(section.start, splices), end=_moved(section.end, splices)
        )
        sections[name] = replace(moved, last=last)
    store.follow(fingerprint, shifts, spans, Layout(sections))


def _kind_of(record: object) -> str:
    return {Event: "events", Partner: "partners", Topic: "topics"}[type(record)]


# --- what the commands do -------------------------------------------------------------------


def _planned(store: Store, kind: Kind, document: Document, index: int) -> _Planned:
    from .validation import check_item

    record = check_item(kind, document, index, store.path)
    return _Planned(kind, document, record, None, None, index)


def add(
    store: Store,
    kind: Kind,
    document: Document,
    *,
    today: date | None = None,
    dry_run: bool = False,
) -> Change:
    """Add one event, partner or topic (a document as the store file holds it); with
    ``today``, the change's notes say what `Event.doubts` finds in an event."""
    count = {
        "events": store.count(),
        "partners": len(store.partners()),
        "topics": len(store.topics()),
    }
    planned = [_planned(store, kind, document, count[kind])]
    return _commit(store, planned, today=today, dry_run=dry_run)


def add_event(
    store: Store,
    *,
    date: str,
    title: Mapping[str, str | None],
    source: Document,
    partners: Sequence[str],
    summary: Mapping[str, str | None] | None = None,
    topics: Sequence[str] = (),
    status: str = "held",
    timezone: str | None = None,
    place: str | None = None,
    city: str | None = None,
    country: str | None = None,
    online: bool = False,
    event_id: str | None = None,
    today: date_type,
    dry_run: bool = False,
) -> Change:
    """Add an event from its fields (``title``/``summary``: ``{"de": …, "en": …}``; ``source``
    from `importing.source_document`).  Its id, unless given, comes from the English title
    and the year (`new_id`); ``updated`` becomes ``today``.  The change's ``added`` names it."""
    from .dates import DateError, parse_edtf
    from .errors import InvalidValue
    from .importing import event_document as fields_document

    try:
        parsed = parse_edtf(date)
    except DateError as exc:
        raise InvalidValue(str(exc)) from None
    _known(store, partners, topics)
    english = next((t for t in (title.get("en"), title.get("de")) if t and _latin(t)), "")
    notes = []
    if event_id is None:
        event_id = new_id(store, english, parsed.first.year)
        usual = _base_id(english, parsed.first.year)
        if event_id != usual:
            notes.append(f"{usual} exists already (the same title and year); this is {event_id}")
    draft = fields_document(
        event_id=event_id.lower(),
        date=date,
        title=title,
        summary=summary or {},
        partners=partners,
        topics=topics,
        sources=[source],
        status=status,
        timezone=timezone,
        place=place,
        city=city,
        country=country,
        online=online,
    )
    document = {**draft.documents[0], "updated": today.isoformat()}
    change = add(store, "events", document, today=today, dry_run=dry_run)
    return replace(change, added=[document["id"]], notes=[*draft.notes, *notes, *change.notes])


def import_events(
    store: Store,
    data: bytes,
    *,
    kind: str | None = None,
    name: str = "",
    lang: Lang,
    partners: Sequence[str] = (),
    topics: Sequence[str] = (),
    source: Document | None = None,
    today: date_type,
    dry_run: bool = False,
) -> Change:
    """Events from iCalendar, or from the CSV or JSON of a listing, added or updated by id
    (`write_events`).  ``kind`` is "ics", "csv" or "json" (default: from the file's ``name``,
    else its content).  ``partners`` and ``topics`` are added to every event read, and
    ``source`` given to those that carry none; the change's notes say what the readers took,
    copied or left out."""
    from . import importing
    from .errors import InvalidValue

    _known(store, partners, topics)
    kind = kind or importing.sniff(name, data)
    if kind not in ("ics", "csv", "json"):
        raise InvalidValue(f"cannot import {kind!r}: ics, csv or json")

    @functools.cache
    def existing(event_id: str) -> Document | None:
        return event_document(store.event(event_id)) if store.span("event", event_id) else None

    @functools.cache
    def imported() -> dict[str, str]:  # read once, and only for entries of other software
        return {e.uid: e.id for e in store.iter_events() if e.uid}

    def by_uid(uid: str) -> str | None:
        return imported().get(uid)

    if kind == "ics":
        draft = importing.read_ics(data, existing, store.directory, lang=lang, by_uid=by_uid)
    else:
        text, note = importing.decoded(data)
        if kind == "csv":
            draft = importing.read_csv(text, existing, lang)
        else:
            draft = importing.read_json(text, existing)
        draft.notes[:0] = [note] if note else []
    for doc in draft.documents:  # what the command adds to every event read
        doc["partners"] = list(dict.fromkeys([*doc.get("partners", []), *partners]))
        if topics:
            doc["topics"] = list(dict.fromkeys([*doc.get("topics", []), *topics]))
        if not doc.get("sources") and source is not None:
            doc["sources"] = [source]
    change = write_events(store, draft.documents, today=today, dry_run=dry_run)
    return replace(change, notes=[*draft.notes, *change.notes])


def _known(store: Store, partners: Sequence[str], topics: Sequence[str]) -> None:
    """`NotFound` (with the close matches) for a partner or topic the store does not have."""
    from .query import EventFilter

    store.check(EventFilter(partners=tuple(partners), topics=tuple(topics)))


def add_partner(store: Store, partner: Partner, *, dry_run: bool = False) -> Change:
    """Add a partner (checked like every item: `Refused` with its problems)."""
    return add(store, "partners", partner_document(partner), dry_run=dry_run)


def add_topic(store: Store, topic: Topic, *, dry_run: bool = False) -> Change:
    """Add a topic."""
    return add(store, "topics", topic_document(topic), dry_run=dry_run)


#: The fields that ``set_fields`` changes (dotted for the parts of a field).
SETTABLE = (
    "date",
    "timezone",
    "status",
    "title.de",
    "title.en",
    "summary.de",
    "summary.en",
    "partners",
    "topics",
    "location.name",
    "location.address",
    "location.city",
    "location.region",
    "location.country",
    "location.online",
    "updated",
)


def set_fields(
    store: Store, event_id: str, values: Mapping[str, str], *, today: date, dry_run: bool = False
) -> Change:
    """Change fields of an event (``{"date": "2026-03-12", "title.en": "…"}``); an empty value
    takes an optional field out.  ``updated`` becomes ``today`` unless it is given."""
    from .errors import InvalidValue

    event = store.event(event_id)
    old = event_document(event)
    new = json.loads(json.dumps(old))  # a deep copy of plain data
    for name, value in values.items():
        if name not in SETTABLE:
            raise InvalidValue(f"{name!r} cannot be set here; use one of {', '.join(SETTABLE)}")
        parent, _, key = name.rpartition(".")
        target = new.setdefault(parent, {}) if parent else new
        if key in ("partners", "topics"):
            ids = [part for part in re.split(r"[,\s]+", value.strip().lower()) if part]
            if ids:
                target[key] = ids
            else:
                target.pop(key, None)
        elif value == "":
            target.pop(key, None)
        else:
            target[key] = value
        if parent and not target:
            new.pop(parent)
    _known(store, new.get("partners", []), new.get("topics", []))
    if values.get("date"):
        from .dates import DateError, parse_edtf

        try:
            parse_edtf(values["date"])
        except DateError as exc:
            raise InvalidValue(str(exc)) from None
    if values.get("location.country"):
        new["location"]["country"] = values["location.country"].upper()
    if values.get("location.online"):  # yes/no, ja/nein, true/false, 1/0
        online = values["location.online"].strip().lower() in ("yes", "ja", "true", "1", "on")
        place = new.setdefault("location", {})
        if online:
            place["online"] = "true"
        else:
            place.pop("online", None)
        if not place:
            new.pop("location")
    if values.get("status"):
        new["status"] = values["status"].lower()
    if "updated" not in values:
        new["updated"] = today.isoformat()
    return write_events(
        store, [new], today=today, dry_run=dry_run, stamp=False, updated_counts="updated" in values
    )


def write_events(
    store: Store,
    documents: Sequence[Document],
    *,
    today: date,
    dry_run: bool = False,
    stamp: bool = True,
    updated_counts: bool = False,
) -> Change:
    """Add the events the store does not have and change those it has (by id); events that
    would not change are left alone (a change of ``updated`` alone counts with
    ``updated_counts``).  ``updated`` of each added or changed event becomes ``today`` (with
    ``stamp``)."""
    from .validation import check_item

    planned: list[_Planned] = []
    unchanged: list[str] = []
    notes: list[str] = []
    count = store.count()
    taken: set[str] = set()
    for document in documents:
        document = ordered_event(document)
        if not document.get("id"):  # a new event without an id (a new spreadsheet row)
            document["id"] = _id_for(store, document, taken)
            notes.append(f"a new event without an id is {document['id']}")
        taken.add(str(document["id"]))
        event_id = str(document.get("id", ""))
        span = store.span("event", event_id) if event_id else None
        old = event_document(store.event(event_id)) if span is not None else None
        if old is not None and _same(old, document, updated=updated_counts):
            unchanged.append(event_id)
            continue
        if stamp:
            document = {**document, "updated": today.isoformat()}
        index = (
            store.position("event", event_id)
            if span is not None
            else count + len([p for p in planned if p.span is None])
        )
        record = check_item("events", document, index, store.path)
        planned.append(_Planned("events", document, record, old, span, index))
    if not planned:
        return Change(store.path, unchanged=unchanged, notes=notes)
    change = _commit(store, planned, today=today, dry_run=dry_run)
    return replace(change, unchanged=unchanged, notes=[*notes, *change.notes])


def _id_for(store: Store, document: Document, taken: set[str]) -> str:
    from .dates import DateError, parse_edtf

    title = document.get("title") or {}
    try:
        year: int | None = parse_edtf(str(document.get("date", ""))).first.year
    except DateError:
        year = None  # the check of the date will say what is wrong
    return new_id(store, str(title.get("en") or title.get("de") or "event"), year, taken)


def _same(old: Document, new: Document, *, updated: bool = False) -> bool:
    """Whether two documents of an event say the same (``updated`` aside, unless asked)."""
    if updated:
        return old == new
    strip = {"updated": None}
    return {**old, **strip} == {**new, **strip}


def _latin(title: str) -> bool:
    from .files import slug

    return slug(title) != "x"


def _base_id(title: str, year: int | None) -> str:
    from .files import slug

    words = slug(title)[:60].rstrip("-")
    words = "event" if words in ("", "x") else words  # a title of letters without a Latin form
    return words if year is None or words.endswith(str(year)) else f"{words}-{year}"


def new_id(store: Store, title: str, year: int | None, taken: Set[str] = frozenset()) -> str:
    """A readable id for a new event: its English title and year, made unique (in the store
    and among ``taken``)."""
    base = _base_id(title, year)
    candidate, number = base, 2
    while store.span("event", candidate) is not None or candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


@dataclass
class EditCopy:
    """A copy of the store file for an editor; removed afterwards unless kept."""

    path: Path
    kept: bool = False


@contextmanager
def edit_copy(store: Store) -> Iterator[EditCopy]:
    """A copy of the store file to edit (the same bytes), beside the store so that its schema
    line still finds the schema (in the temporary folder where that folder cannot be
    written); `rewrite` takes its text back."""
    prefix, suffix = f".{store.path.stem}.", store.path.suffix or ".yaml"
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=store.path.parent)
    except OSError:
        fd, name = tempfile.mkstemp(prefix=prefix.lstrip("."), suffix=suffix)
    os.close(fd)
    copy = EditCopy(Path(name))
    try:
        shutil.copyfile(store.path, copy.path)
        yield copy
    finally:
        if not copy.kept:
            copy.path.unlink(missing_ok=True)


def rewrite(store: Store, data: bytes, *, today: date) -> Change:
    """The store file replaced by ``data`` (as an editor left it): checked as a whole, and
    every event whose content changed (or that is new) gets ``updated`` = ``today`` unless the
    edit set ``updated`` itself.  Raises `StoreError` with every problem, writing nothing."""
    from .validation import validate
    from .yaml_reader import decode

    new_text = decode(data, store.path)
    old = {e.id: event_document(e) for e in store.iter_events()}
    text = _Text.read(store)
    if text.newline == "\r\n" and "\r\n" not in new_text:  # the editor wrote LF: keep CR LF
        new_text = new_text.replace("\n", "\r\n")
    text_for_check = replace(text, text=new_text)
    changed: list[tuple[Event, Span]] = []
    for record, span in validate(new_text, store.path):
        if not isinstance(record, Event) or span is None:
            continue
        before = old.get(record.id)
        if before is None or not _same(before, event_document(record)):
            changed.append((record, span))
    splices: list[_Splice] = []
    stamped: list[tuple[Event, Span, int]] = []
    for record, span in changed:
        document = event_document(record)
        before = old.get(record.id)
        if before is not None and before.get("updated") != document.get("updated"):
            continue  # the edit set ``updated`` itself
        own = _field_splices(
            text_for_check, span, document, {**document, "updated": today.isoformat()}
        )
        splices += own
        stamped.append(
            (record, span, sum(len(s.text) for s in own if s.start == s.end == span.end))
        )
    final = _apply(new_text, splices)
    for record, span, grown in stamped:  # each stamped event reads back as meant
        _verify(
            "events",
            final,
            _new_span(span, splices, grown, final),
            replace(record, updated=today),
            store.path,
        )
    added = [r.id for r, _ in changed if r.id not in old]
    updated = [r.id for r, _ in changed if r.id in old]
    written = text.encode(final)
    _still_as_read(store)
    atomic_write(store.path, written)
    stat = os.stat(store.path)
    digest = hashlib.sha256(written).hexdigest()
    store.reread(Fingerprint(stat.st_size, stat.st_mtime_ns, digest))
    return Change(store.path, added=added, updated=updated, written=True)


_TEMPLATE = """\
# yaml-language-server: $schema={schema}
#
# A record of dated, sourced milestones, kept with ruhrtimeline.
#
# Dates are EDTF strings with exactly the precision the sources give: 2017 (a year), 2018-21
# (spring; 22 summer, 23 autumn, 24 winter), 2018-08 (a month), 2019-08-09 (a day),
# 2025-01-30T09:00 (a time: give the event's timezone), A/B for a period, and ~ (approximate),
# ? (uncertain) or % (both) at the end.  Never write a day that the sources do not give.
#
# Add with `ruhrtimeline add event`, change with `ruhrtimeline edit ID`, check with
# `ruhrtimeline validate`.

version: 1
{title}
partners: []
#  - id: rvr                        # lower-case letters, digits, single hyphens
#    name: Regionalverband Ruhr     # the full official name
#    names: {{de: Regionalverband Ruhr, en: Ruhr Regional Association}}
#    short: RVR
#    kind: regional-authority       # city, company, eu-institution, network, region, …
#    country: DE                    # ISO 3166-1 alpha-2

topics: []
#  - id: youth
#    label: {{de: Jugend, en: Youth}}

events: []
#  - id: rvr-gzm-partnership-agreement-2019
#    date: 2019-08-08/2019-08-09
#    status: held                   # held, planned or cancelled
#    title:
#      de: Partnerschaftsvereinbarung in Katowice unterzeichnet
#      en: Partnership agreement signed in Katowice
#    summary:
#      de: …
#      en: …
#    location: {{city: Katowice, country: PL}}   # or name, address, region; online: true
#    partners: [rvr, gzm]
#    topics: [youth]
#    sources:                       # one or more public pages
#      - url: https://www.example.org/…
#        publisher: Example
#        title: The page's headline
#        language: de
"""


def init_store(path: Path, *, title: Text | None = None) -> list[Path]:
    """Write a new, valid store (with the schema for editors beside it, unless one is there);
    refuse to overwrite a file.  Returns the files written."""
    from .models import store_json_schema
    from .validation import validate

    if path.exists():
        raise OutputError(f"{path} exists already; nothing was written")
    schema = path.parent / "store.schema.json"
    heading = ""
    if title is not None:
        heading = f"title:\n  de: {scalar(title.de)}\n  en: {scalar(title.en)}\n"
    text = _TEMPLATE.format(schema=schema.name, title=heading)
    for _ in validate(text, path):  # the template is a valid store
        pass
    written = []
    if not schema.exists():
        atomic_write(schema, json.dumps(store_json_schema(), ensure_ascii=False, indent=2) + "\n")
        written.append(schema)
    atomic_write(path, text)
    return [path, *written]
