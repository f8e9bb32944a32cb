"""Selecting events: one `EventFilter` for every command (the index turns it into SQL).

Period semantics: an event matches a period when the days it covers overlap the period.  A
partial bound covers its whole period (``--from 2019-08`` starts on 1 August, ``--to 2019``
ends on 31 December), so ``--year 2019`` includes the Themenforen of December 2018 to July
2019, and ``--from 2019-08-09`` includes an event known only as "August 2019".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .dates import PRECISIONS, DateError, Lang, parse_bound, year_bounds
from .errors import InvalidValue
from .records import STATUSES, Event

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


# German spells umlauts out where they cannot be typed (Bruessel, Buergermeister): fold those
# spellings too, on both sides of a search.
_SPELLED_OUT = re.compile(r"([aou])e")


def normalize(text: str) -> str:
    """Case- and accent-insensitive form for searching: ``Górnośląsko`` → ``gornoslasko``,
    ``Brüssel`` and ``Bruessel`` → ``brussel``, ``Straße`` → ``strasse``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _SPELLED_OUT.sub(r"\1", plain)


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
        today: date | None = None,
    ) -> EventFilter:
        """Build a filter from plain values (dates as text, ``"today"`` meaning ``today``);
        raise `InvalidValue` for malformed ones."""
        first: date | None = None
        last: date | None = None
        if year is not None:
            if not 1 <= year <= 9999:
                raise InvalidValue(f"year {year}: give a year between 1 and 9999")
            first, last = year_bounds(year)
        try:
            if start:
                bound = parse_bound(start, today)[0]
                first = bound if first is None else max(first, bound)
            if end:
                bound = parse_bound(end, today)[1]
                last = bound if last is None else min(last, bound)
        except DateError as exc:
            raise InvalidValue(str(exc)) from None
        if first is not None and last is not None and last < first:
            raise InvalidValue(
                f"the period ends ({last.isoformat()}) before it starts ({first.isoformat()})"
            )
        for status in statuses:
            if status not in STATUSES:
                raise InvalidValue(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        for precision in precisions:
            if precision not in PRECISIONS:
                raise InvalidValue(
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

    def within(self, first: date, last: date) -> EventFilter:
        """This filter, narrowed to the period from ``first`` to ``last``."""
        low = first if self.first is None else max(self.first, first)
        high = last if self.last is None else min(self.last, last)
        return replace(self, first=low, last=high)

    def coming(self, today: date, days: int) -> EventFilter:
        """Narrowed to what is under way or coming: ``today`` and the ``days - 1`` after it."""
        if days < 1:
            raise InvalidValue(f"{days} days: give at least 1")
        return self.within(today, _shifted(today, days - 1))

    def past(self, today: date, days: int) -> EventFilter:
        """Narrowed to the ``days`` before ``today``."""
        if days < 1:
            raise InvalidValue(f"{days} days: give at least 1")
        return self.within(_shifted(today, -days), _shifted(today, -1))


def _shifted(day: date, days: int) -> date:
    """``day`` moved by ``days``, held at the ends of the calendar."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


#: The orders of ``sort_events``: by date (first day, then id: the store's own order), id,
#: title (in the language given, ignoring case and accents) or the date of the last change.
SORT_KEYS = ("date", "id", "title", "updated")


def sort_events(
    events: Iterable[Event], key: str, lang: Lang = "en", *, reverse: bool = False
) -> list[Event]:
    """Events in another order than the store's (which is by date)."""
    if key not in SORT_KEYS:
        raise InvalidValue(f"unknown order {key!r}; use one of {', '.join(SORT_KEYS)}")
    orders: dict[str, Callable[[Event], tuple[object, ...]]] = {
        "date": lambda e: (e.first, e.id),
        "id": lambda e: (e.id,),
        "title": lambda e: (normalize(e.title[lang]), e.id),
        "updated": lambda e: (e.updated or date.min, e.first, e.id),
    }
    return sorted(events, key=orders[key], reverse=reverse)
