"""Selecting events: one `EventFilter` for every command, and its translation into SQL.

Period semantics: an event matches a period when the days it covers overlap the period.  A
partial bound covers its whole period (``--from 2019-08`` starts on 1 August, ``--to 2019``
ends on 31 December), so ``--year 2019`` includes the Themenforen of December 2018 to July
2019, and ``--from 2019-08-09`` includes an event known only as "August 2019".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from .dates import PRECISIONS, DateError, parse_bound, year_bounds
from .errors import UsageError

STATUSES = ("held", "planned", "cancelled")

_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "ß": "ss",
        "–": "-",
        "—": "-",
    }
)


def normalize(text: str) -> str:
    """Case- and accent-insensitive form for searching: ``Górnośląsko`` → ``gornoslasko``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to select; empty fields select everything."""

    partners: tuple[str, ...] = ()
    all_partners: bool = False
    topics: tuple[str, ...] = ()
    all_topics: bool = False
    first: date | None = None
    last: date | None = None
    statuses: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    search: str = ""

    @classmethod
    def build(
        cls,
        *,
        partners: list[str] | tuple[str, ...] = (),
        all_partners: bool = False,
        topics: list[str] | tuple[str, ...] = (),
        all_topics: bool = False,
        year: int | None = None,
        start: str | None = None,
        end: str | None = None,
        statuses: list[str] | tuple[str, ...] = (),
        precisions: list[str] | tuple[str, ...] = (),
        search: str | None = None,
    ) -> EventFilter:
        """Build a filter from command-line values; raise `UsageError` for malformed ones."""
        first: date | None = None
        last: date | None = None
        if year is not None:
            if not 1 <= year <= 9999:
                raise UsageError(f"--year {year}: give a year between 1 and 9999")
            first, last = year_bounds(year)
        try:
            if start:
                bound = parse_bound(start)[0]
                first = bound if first is None else max(first, bound)
            if end:
                bound = parse_bound(end)[1]
                last = bound if last is None else min(last, bound)
        except DateError as exc:
            raise UsageError(f"--from/--to: {exc}") from None
        for status in statuses:
            if status not in STATUSES:
                raise UsageError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        for precision in precisions:
            if precision not in PRECISIONS:
                raise UsageError(
                    f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}"
                )
        return cls(
            partners=tuple(dict.fromkeys(p.lower() for p in partners)),
            all_partners=all_partners,
            topics=tuple(dict.fromkeys(t.lower() for t in topics)),
            all_topics=all_topics,
            first=first,
            last=last,
            statuses=tuple(statuses),
            precisions=tuple(precisions),
            search=(search or "").strip(),
        )

    @property
    def is_empty(self) -> bool:
        return self == EventFilter()


def _membership(table: str, column: str, ids: tuple[str, ...], require_all: bool) -> list[str]:
    # table and column are our own constants; every value goes in as a parameter.
    marks = ", ".join("?" * len(ids))
    if require_all and len(ids) > 1:
        return [
            f"e.id IN (SELECT event_id FROM {table} WHERE {column} IN ({marks}) "  # noqa: S608
            f"GROUP BY event_id HAVING COUNT(*) = {len(ids)})"
        ]
    return [f"e.id IN (SELECT event_id FROM {table} WHERE {column} IN ({marks}))"]  # noqa: S608


def where(flt: EventFilter, longest_span: int) -> tuple[str, list[object]]:
    """SQL condition and parameters for the ``event e`` table.

    ``longest_span`` (days, the longest event in the store) lets the period condition use the
    index on the first day: an event ending after ``first`` starts after ``first - span``.
    """
    conds: list[str] = []
    params: list[object] = []
    if flt.first is not None:
        conds.append("e.first_day >= ? AND e.last_day >= ?")
        params += [flt.first.toordinal() - longest_span, flt.first.toordinal()]
    if flt.last is not None:
        conds.append("e.first_day <= ?")
        params.append(flt.last.toordinal())
    if flt.partners:
        conds += _membership("event_partner", "partner_id", flt.partners, flt.all_partners)
        params += flt.partners
    if flt.topics:
        conds += _membership("event_topic", "topic_id", flt.topics, flt.all_topics)
        params += flt.topics
    if flt.statuses:
        conds.append(f"e.status IN ({', '.join('?' * len(flt.statuses))})")
        params += flt.statuses
    if flt.precisions:
        conds.append(f"e.precision IN ({', '.join('?' * len(flt.precisions))})")
        params += flt.precisions
    for term in normalize(flt.search).split():
        conds.append("instr(e.search, ?) > 0")
        params.append(term)
    return (" AND ".join(conds) or "1"), params
