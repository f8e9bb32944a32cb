"""Reading YAML: values stay as written, unsafe constructs are refused, positions are right."""

from __future__ import annotations

from typing import Any

import pytest

from ruhrtimeline.errors import StoreError
from ruhrtimeline.yaml_reader import Locator, StoreReader, decode, field_path


def read(text: str) -> tuple[dict[str, list[Any]], StoreReader]:
    reader = StoreReader(text, "store.yaml")
    items: dict[str, list[Any]] = {}
    for section, _index, item, _span in reader.items():
        items.setdefault(section, []).append(item)
    return items, reader


def test_scalars_are_kept_as_written() -> None:
    items, reader = read(
        "version: 1\nevents:\n  - date: 2019-08-08\n    year: 2017\n    answer: no\n"
        "    float: 1.50\n    empty:\n    tilde: ~\n    quoted: 'null'\n"
    )
    event = items["events"][0]
    assert event["date"] == "2019-08-08"
    assert event["year"] == "2017"
    assert event["answer"] == "no"
    assert event["float"] == "1.50"
    assert event["empty"] is None and event["tilde"] is None
    assert event["quoted"] == "null"  # a quoted word stays a word
    assert reader.top == {"version": "1"}
    assert not reader.problems


def test_duplicate_keys_are_problems_with_positions() -> None:
    _, reader = read("events:\n  - id: a\n    id: b\n")
    assert [(p.line, p.column, p.field) for p in reader.problems] == [(3, 5, "events[0].id")]
    assert "duplicate key 'id'" in reader.problems[0].message


def test_tags_and_aliases_are_refused() -> None:
    _, reader = read("events:\n  - id: !!python/object:os.system x\n    x: &a [1]\n    y: *a\n")
    messages = [p.message for p in reader.problems]
    assert any("YAML tags" in m for m in messages)
    assert any("aliases" in m for m in messages)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(9))}]")
    _, reader = read("\n".join(lines) + "\n")
    assert reader.problems and all("aliases" in p.message for p in reader.problems)


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_nesting_is_refused_without_recursion(depth: int) -> None:
    # Our own limit, or libyaml's (PyYAML 6.0.4 and later), whichever comes first.
    text = "events:\n  - x: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(StoreError) as info:
        read(text)
    (problem,) = info.value.problems
    assert problem.line == 2 and problem.message


def test_syntax_errors_point_at_the_cause() -> None:
    with pytest.raises(StoreError) as info:
        read("events:\n  - title: 'open\n    id: x\n")
    problem = info.value.problems[-1]
    assert (problem.line, problem.column) == (2, 12)
    assert "closing quote" in problem.message


def test_tabs_in_indentation_get_a_hint() -> None:
    with pytest.raises(StoreError) as info:
        read("events:\n  - id: x\n\ttitle: y\n")
    assert info.value.problems[-1].line == 3
    assert "tab" in info.value.problems[-1].message


def test_crlf_and_bom_are_accepted() -> None:
    text = decode("\ufeffevents:\r\n  - id: x\r\n    title: y\r\n".encode(), "s.yaml")
    items, reader = read(text)
    assert items["events"] == [{"id": "x", "title": "y"}]
    assert not reader.problems


def test_not_utf8_names_the_byte_and_its_place() -> None:
    with pytest.raises(StoreError) as info:
        decode(b"events:\n  - id: caf\xe9\n", "s.yaml")
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (2, 12)
    assert "0xe9" in problem.message


def test_locator_finds_values_keys_and_missing_fields() -> None:
    text = "events:\n  - id: a\n    sources:\n      - url: x\n        title: y\n"
    locator = Locator(text)
    assert locator.locate(("events", 0, "sources", 0, "url")) == (4, 14)
    assert locator.locate(("events", 0, "sources", 0, "url"), key=True) == (4, 9)
    # A missing field points at the mapping that lacks it.
    assert locator.locate(("events", 0, "sources", 0, "publisher")) == (4, 9)
    assert locator.locate(("events", 5)) == (2, 3)


def test_field_path() -> None:
    assert field_path(("events", 3, "sources", 0, "url")) == "events[3].sources[0].url"
    assert field_path(()) == ""
