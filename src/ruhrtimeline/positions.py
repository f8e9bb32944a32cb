"""Where things lie in a store's text: the spans of its items and lists.

The reader finds them as it goes; the index keeps them, so that a change to the store can be
written into the file at the right place without reading the file again (``edits.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """Where an item of a list lies in the text (character offsets)."""

    start: int  # where the item's value begins (after "- ")
    end: int  # where a block item's last line ends (new lines can be written from here on),
    # or where a flow item ("{…}") ends
    line: int  # 1-based line of ``start``
    column: int  # 0-based column of ``start``: the indentation of the item's fields


@dataclass(frozen=True, slots=True)
class Section:
    """Where one of the lists (``events:``, …) lies in the text."""

    start: int  # where its value begins ("-" of a block list, "[" of a flow list)
    end: int  # where its value ends (for a block list: where the next key begins)
    last: int  # where its last item's last line ends; -1 without items
    flow: bool  # written as [...] (or as nothing at all)
    dash_column: int  # column of the list's "-" (block) or "[" (flow)
    item_column: int  # column of the first item's fields; -1 without items


@dataclass(frozen=True)
class Layout:
    """Where the store's lists lie in its text."""

    sections: dict[str, Section]
