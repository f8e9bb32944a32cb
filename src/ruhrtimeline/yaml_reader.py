"""Read the YAML store safely, keep what the author wrote, and find lines for error messages.

The store is read from libyaml's event stream with our own small constructor instead of
``yaml.load``: every scalar stays the string that was written (``2019-08-08`` and ``2017`` are
not turned into a date or an integer, ``no`` is not ``False``), duplicate keys are errors, tags
and aliases are refused (so no object construction and no "billion laughs"), and each item of
``partners``, ``topics`` and ``events`` is handed on as soon as it is complete, so a large store
never sits in memory twice.  It is also about ten times faster than ``yaml.load`` with the C
loader, because it builds plain dicts and lists without PyYAML's node tree.

Positions cost nothing on the way in: only when a problem is found is the document composed
again (in C) to look up the line and column of each problem's node.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from .errors import Problem, StoreError
from .positions import Section, Span

# libyaml's parser (part of PyYAML's wheels on every major platform), else PyYAML's own.
_Loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


SECTIONS = ("partners", "topics", "events", "eras")
REQUIRED_SECTIONS = ("partners", "topics", "events")
MAX_DEPTH = 32
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_DUPLICATE = "\0duplicate"
_NO_ALIASES = "YAML aliases (*name) are not allowed; write the value out"

Path_ = tuple[str | int, ...]


def field_path(path: Path_) -> str:
    """``("events", 3, "sources", 0, "url")`` → ``events[3].sources[0].url``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def decode(data: bytes, path: Path | str) -> str:
    """Decode UTF-8 (a BOM is allowed) or say where the first bad byte is."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise StoreError.single(
            path,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8",
            line,
            column,
        ) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    # The objects built here all live on; letting the cyclic collector walk them again and
    # again costs most of the load time of a large store (see docs/benchmarks.md).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class StoreReader:
    """Streams the items of a store document and collects structural problems."""

    def __init__(self, text: str, path: Path | str) -> None:
        self.text = text
        self.path = str(path)
        self.problems: list[Problem] = []
        self.top: dict[str, Any] = {}
        self.sections_seen: set[str] = set()
        self.sections: dict[str, Section] = {}
        self._get: Any = None
        self._end = 0

    def _problem(self, mark: Any, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, field, message))

    def _fatal(self, mark: Any, message: str, field: str = "") -> StoreError:
        self._problem(mark, field, message)
        return StoreError(self.path, self.problems)

    def items(self) -> Iterator[tuple[str, int, Any, Span]]:
        """Yield ``(section, index, item, span)`` for each item of the lists; afterwards
        ``sections`` says where each list lies in the text."""
        with _collector_paused():
            try:
                yield from self._items()
            except yaml.MarkedYAMLError as exc:
                raise StoreError(self.path, [*self.problems, self._syntax(exc)]) from None
            except yaml.reader.ReaderError as exc:
                line, column = _position(self.text, exc.position)
                character = (
                    exc.character
                    if isinstance(exc.character, int)
                    else ord(str(exc.character)[:1] or "\0")
                )
                problem = Problem(
                    self.path,
                    line,
                    column,
                    "",
                    f"the file contains the control character U+{character:04X}, which YAML "
                    "does not allow; is it a binary file?",
                )
                raise StoreError(self.path, [*self.problems, problem]) from None
            except yaml.YAMLError as exc:
                raise StoreError.single(self.path, f"malformed YAML: {exc}") from None

    def _syntax(self, exc: yaml.MarkedYAMLError) -> Problem:
        """One clear line for a YAML syntax error, at the place where it starts."""
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or "")
        if exc.context_mark is not None and "end of stream" in problem:
            mark = exc.context_mark  # e.g. where an unclosed quote opens
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        for number, text in enumerate(self.text.splitlines()[: line or None], 1):
            indent = text[: len(text) - len(text.lstrip(" \t"))]
            if "\t" in indent:
                return Problem(
                    self.path,
                    number,
                    indent.index("\t") + 1,
                    "",
                    "malformed YAML: a tab is used for indentation; indent with spaces",
                )
        message = " ".join(p for p in (exc.context, problem) if p) or "malformed YAML"
        if "quoted scalar" in str(exc.context) and "end of stream" in problem:
            message = "a quoted text starts here but its closing quote is missing"
        return Problem(self.path, line, column, "", f"malformed YAML: {message}")

    def _items(self) -> Iterator[tuple[str, int, Any, Span]]:
        parser = _Loader(self.text)
        get: Any = parser.get_event
        self._get = get
        get()  # StreamStart
        event = get()
        if not isinstance(event, DocumentStartEvent):
            raise StoreError.single(
                self.path, "the store is empty; it needs the keys partners, topics and events"
            )
        event = get()
        if not isinstance(event, MappingStartEvent):
            if isinstance(event, ScalarEvent) and event.value == "" and event.implicit[0]:
                raise StoreError.single(
                    self.path, "the store is empty; it needs the keys partners, topics and events"
                )
            kind = "a list" if isinstance(event, SequenceStartEvent) else "a single value"
            raise self._fatal(
                event.start_mark,
                "the store must be a mapping with the keys partners, topics and events, "
                f"not {kind}",
            )
        self._check_node(event, "")
        while True:
            event = get()
            if isinstance(event, MappingEndEvent):
                break
            key = self._key(event, "")
            value_event: Any = get()
            opening: Any = value_event  # its marks, whatever kind of node it turns out to be
            if key in SECTIONS:
                if key in self.sections_seen:
                    self._problem(event.start_mark, key, f"duplicate key {key!r}")
                self.sections_seen.add(key)
                if isinstance(value_event, SequenceStartEvent):
                    self._check_node(value_event, key)
                    index, last_end, column = 0, -1, -1
                    closing: Any = None
                    while True:
                        item_event: Any = get()
                        if isinstance(item_event, SequenceEndEvent):
                            closing = item_event
                            break
                        mark = item_event.start_mark
                        item = self._value(item_event, f"{key}[{index}]")
                        # A block item ends with its line (a comment there is its own); a
                        # flow item, or any item of a flow list ("[{…}, {…}]  # c"), where
                        # its node ends, so that the next item or a comment is not its.
                        flow = bool(opening.flow_style or getattr(item_event, "flow_style", 0))
                        end = self._end if flow else self._line_end(self._end)
                        last_end = self._end if opening.flow_style else self._line_end(self._end)
                        column = mark.column if column < 0 else column
                        yield (key, index, item, Span(mark.index, end, mark.line + 1, mark.column))
                        index += 1
                    self.sections[key] = Section(
                        opening.start_mark.index,
                        closing.end_mark.index,
                        last_end,
                        bool(opening.flow_style),
                        opening.start_mark.column,
                        column,
                    )
                    continue
                value = self._value(value_event, key)
                self.sections[key] = Section(
                    opening.start_mark.index,
                    self._line_end(self._end),
                    -1,
                    True,
                    opening.start_mark.column,
                    -1,
                )
                if value is not None:
                    self._problem(value_event.start_mark, key, f"{key} must be a list of mappings")
                continue
            value = self._value(value_event, key or "")
            if key is not None:
                if key in self.top:
                    self._problem(event.start_mark, key, f"duplicate key {key!r}")
                else:
                    self.top[key] = value
        event = get()  # DocumentEnd
        event = get()
        if isinstance(event, DocumentStartEvent):
            self._problem(event.start_mark, "", "the store must be a single YAML document")

    def _check_node(self, event: Any, field: str) -> None:
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = tag is not None and (
            not all(implicit) if isinstance(implicit, tuple) else not implicit
        )
        if explicit:
            self._problem(
                event.start_mark,
                field,
                f"YAML tags such as {tag!r} are not allowed; write plain values",
            )

    def _key(self, event: Any, field: str) -> str | None:
        if isinstance(event, ScalarEvent):
            self._check_node(event, field)
            return str(event.value)
        self._problem(event.start_mark, field, "a key must be a plain word")
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            depth = 1  # skip the complex key so that reading can go on
            while depth:
                nxt = self._get()
                if isinstance(nxt, MappingStartEvent | SequenceStartEvent):
                    depth += 1
                elif isinstance(nxt, MappingEndEvent | SequenceEndEvent):
                    depth -= 1
        return "\0complex key"

    def _value(self, event: Any, field: str) -> Any:
        """Build one value iteratively (no recursion, so deep nesting cannot crash).

        Afterwards ``self._end`` is where its content ends in the text (block collections end
        where the next token starts, so their own end marks are not used)."""
        if isinstance(event, ScalarEvent | AliasEvent):
            self._end = event.end_mark.index if event.end_mark else self._end
        if isinstance(event, ScalarEvent):
            self._check_node(event, field)
            return None if event.implicit[0] and event.value in _NULLS else event.value
        if isinstance(event, AliasEvent):
            self._problem(event.start_mark, field, _NO_ALIASES)
            return None
        get = self._get
        self._check_node(event, field)
        root: Any = {} if isinstance(event, MappingStartEvent) else []
        stack: list[tuple[Any, str, bool]] = []
        current, current_field, flow = root, field, bool(event.flow_style)
        key: str | None = None
        while True:
            event = get()
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                if flow:
                    self._end = event.end_mark.index
                if not stack:
                    return root
                current, current_field, flow = stack.pop()
                key = None
                continue
            is_map = current.__class__ is dict
            if is_map and key is None:
                self._end = event.end_mark.index
                key = self._key(event, current_field)
                if key in current:
                    where = f"{current_field}.{key}" if current_field else str(key)
                    self._problem(
                        event.start_mark, where, f"duplicate key {key!r}; each key may appear once"
                    )
                    key = _DUPLICATE
                continue
            if is_map:
                child_field = f"{current_field}.{key}" if current_field else str(key)
            else:
                child_field = f"{current_field}[{len(current)}]"
            value: Any
            if kind is ScalarEvent:
                self._end = event.end_mark.index
                value = event.value
                if event.tag is not None:
                    self._check_node(event, child_field)
                elif event.implicit[0] and value in _NULLS:
                    value = None
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise self._fatal(
                        event.start_mark, "the YAML is nested too deeply", child_field
                    )
                self._check_node(event, child_field)
                value = {} if kind is MappingStartEvent else []
            else:  # AliasEvent
                self._end = event.end_mark.index
                self._problem(event.start_mark, child_field, _NO_ALIASES)
                value = None
            if is_map:
                if key is not _DUPLICATE:
                    current[key] = value
                key = None
            else:
                current.append(value)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                stack.append((current, current_field, flow))
                current, current_field, flow = value, child_field, bool(event.flow_style)

    def _line_end(self, index: int) -> int:
        return line_end(self.text, index)


def line_end(text: str, index: int) -> int:
    """Where the line holding the last character before ``index`` ends (before its line
    break): the point after which new lines can be written without touching that content."""
    while index > 0 and text[index - 1] in "\r\n \t":
        index -= 1
    found = text.find("\n", index)
    if found < 0:
        return len(text)
    return found - 1 if found > 0 and text[found - 1] == "\r" else found


class Locator:
    """Finds the line and column of a field path; composes the document on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._root: Any = None
        self._composed = False

    def _compose(self) -> Any:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                self._root = None
        return self._root

    def locate(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the node at ``path``, or of its nearest existing parent.

        With ``key``, the position of the last mapping key in the path: that is where an
        unknown or misspelt field is written.
        """
        node = self._compose()
        if node is None:
            return 1, 1
        mark = node.start_mark
        for i, step in enumerate(path):
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                pair = next((p for p in node.value if getattr(p[0], "value", None) == step), None)
                if pair is None:
                    break  # a missing field: point at the mapping that lacks it
                if key and i == len(path) - 1:
                    mark = pair[0].start_mark
                    break
                node = pair[1]
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                node = node.value[step]
            else:
                break
            mark = node.start_mark
        return mark.line + 1, mark.column + 1
