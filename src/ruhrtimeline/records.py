"""The typed records that everything above the store reads: events, partners, topics, eras.

Frozen, slotted standard-library dataclasses: cheap to build from the index, safe to share, and
checked by mypy down to the last field.  An event carries its parsed date, so no renderer ever
parses a date string again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .dates import EdtfDate, Lang, Precision, Style, clock_change, format_date
from .i18n import word

Status = Literal["held", "planned", "cancelled"]
STATUSES: tuple[Status, ...] = ("held", "planned", "cancelled")


@dataclass(frozen=True, slots=True)
class Text:
    """The same text in German and in English."""

    de: str
    en: str

    def __getitem__(self, lang: Lang) -> str:
        return self.de if lang == "de" else self.en


def localized(value: str | Text | None, lang: Lang) -> str:
    """A name that may be written once for both languages, or once in each ("" if none)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value[lang]


@dataclass(frozen=True, slots=True)
class Coordinates:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Location:
    """Where an event took place: a named place, a city, a region, or online.

    Names may be given in both languages (``Brüssel``/``Brussels``)."""

    name: str | Text | None = None
    address: str | Text | None = None
    city: str | Text | None = None
    region: str | Text | None = None
    country: str | None = None
    coordinates: Coordinates | None = None
    online: bool = False

    def label(self, lang: Lang, *, address: bool = False) -> str:
        """The place in one line: "Zeche Zollverein, Essen, DE", "online" or "online (Zoom)"."""
        if self.online:
            name = localized(self.name, lang)
            return f"{word('online', lang)} ({name})" if name else word("online", lang)
        parts = [self.name, self.address if address else None, self.city, self.region]
        texts = [localized(p, lang) for p in parts]
        return ", ".join(t for t in (*texts, self.country or "") if t)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: Text | None = None

    def label(self, lang: Lang) -> str:
        """ "Name, role" (or just the name)."""
        return f"{self.name}, {self.role[lang]}" if self.role else self.name


@dataclass(frozen=True, slots=True)
class Source:
    """A public page that documents an event."""

    url: str
    publisher: str
    title: str
    language: str
    date: EdtfDate | None = None


@dataclass(frozen=True, slots=True)
class Partner:
    """An organisation or region taking part in events."""

    id: str
    name: str  # the full official name, in its own language
    short: str
    kind: str
    country: str
    names: Text | None = None  # the name in German and in English
    short_names: Text | None = None  # the short name, where it differs by language
    website: str | None = None
    description: Text | None = None

    def label(self, lang: Lang) -> str:
        return self.names[lang] if self.names else self.name

    def short_label(self, lang: Lang) -> str:
        return self.short_names[lang] if self.short_names else self.short


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class Era:
    """A named period drawn behind the events, such as a phase of the Ruhr-Konferenz.

    A single date means "from then on": the era has no last day."""

    id: str
    date: EdtfDate
    title: Text
    sources: tuple[Source, ...]
    summary: Text | None = None

    @property
    def first(self) -> dt.date:
        return self.date.first

    @property
    def last(self) -> dt.date | None:
        return self.date.last if self.date.is_interval else None


@dataclass(frozen=True, slots=True)
class Event:
    """A dated milestone of a partnership."""

    id: str
    date: EdtfDate
    title: Text
    summary: Text
    partners: tuple[str, ...]
    sources: tuple[Source, ...]
    status: Status = "held"
    timezone: str | None = None
    location: Location | None = None
    topics: tuple[str, ...] = ()
    people: tuple[Person, ...] = ()
    updated: dt.date | None = None
    uid: str | None = None  # the UID of the calendar entry it was imported from

    @property
    def first(self) -> dt.date:
        """The first day the event covers."""
        return self.date.first

    @property
    def last(self) -> dt.date:
        """The last day the event covers (inclusive)."""
        return self.date.last

    @property
    def precision(self) -> Precision:
        return self.date.precision

    @property
    def precise(self) -> bool:
        """True when the day is known (day or time precision)."""
        return self.date.precision in ("day", "time")

    @property
    def approximate(self) -> bool:
        return self.date.approximate

    @property
    def uncertain(self) -> bool:
        return self.date.uncertain

    def when(self, lang: Lang, style: Style = "short") -> str:
        """The date as precisely as it is known ("8–9 Aug 2019", "c. mid-2019 – end of 2019")."""
        return format_date(self.date, lang, style, self.timezone)

    def doubts(self, today: dt.date) -> list[tuple[str, str]]:
        """(field, message) for what is allowed but probably wrong as of ``today``: a text
        left untranslated, a planned event whose period has passed, an ``updated`` date in
        the future, a local time that happens twice (the clocks go back over it)."""
        found = []
        for name, text in (("title", self.title), ("summary", self.summary)):
            if text.de == text.en and _looks_like_sentence(text.en):
                found.append((name, f"the {name} is the same in German and English"))
        if self.status == "planned" and self.last < today:
            found.append(("status", f"planned, but its period ended on {self.last.isoformat()}"))
        if self.updated is not None and self.updated > today:
            found.append(("updated", f"{self.updated.isoformat()} lies in the future"))
        for point in self.date.points if self.timezone else ():
            local = point.local_datetime
            change = clock_change(local, self.timezone) if local and self.timezone else None
            if local and change and not change.skips:  # a skipped time is invalid anyway
                found.append(("date", change.message(local)))
        return found

    def place(self, lang: Lang, *, address: bool = False) -> str:
        """Where, in one line ("" when the store does not say)."""
        return self.location.label(lang, address=address) if self.location else ""

    @property
    def starts_at(self) -> dt.datetime | None:
        """The start as an aware date-time, for timed events only."""
        return _instant(self.date.start.local_datetime, self.timezone)

    @property
    def ends_at(self) -> dt.datetime | None:
        end = self.date.end or self.date.start
        return _instant(end.local_datetime, self.timezone)


# Words that show a text is in a language rather than a name (which reads alike in both).
_FUNCTION_WORDS = frozenset(
    "the and of with for in on to a an der die das und mit für im am zu ein eine von den".split()
)


def _looks_like_sentence(text: str) -> bool:
    return bool(_FUNCTION_WORDS & set(text.casefold().split()))


def _instant(local: dt.datetime | None, timezone: str | None) -> dt.datetime | None:
    if local is None or timezone is None:
        return None
    from zoneinfo import ZoneInfo  # only timed events need the time-zone database

    return local.replace(tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True, slots=True)
class Activity:
    """How much a partner or topic appears: its number of events, first and last."""

    events: int = 0
    first: dt.date | None = None  # the first day of its first event
    last: dt.date | None = None  # the last day of its last event
    first_date: EdtfDate | None = None  # the date of that first event, as written
    last_date: EdtfDate | None = None


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What a store says about itself: its title and description (both optional)."""

    title: Text | None = None
    description: Text | None = None


@dataclass(frozen=True)
class Directory:
    """What renderers need to name things: the record's title, and partners and topics by id,
    in store order."""

    partners: Mapping[str, Partner] = field(default_factory=dict)
    topics: Mapping[str, Topic] = field(default_factory=dict)
    info: StoreInfo = field(default_factory=StoreInfo)

    def title(self, lang: Lang) -> str:
        """The record's title, or a neutral one ("Timeline") when the store has none."""
        return self.info.title[lang] if self.info.title else word("untitled", lang)

    def description(self, lang: Lang) -> str | None:
        return self.info.description[lang] if self.info.description else None

    def short(self, partner_id: str, lang: Lang) -> str:
        partner = self.partners.get(partner_id)
        return partner.short_label(lang) if partner else partner_id

    def partner_name(self, partner_id: str, lang: Lang) -> str:
        partner = self.partners.get(partner_id)
        return partner.label(lang) if partner else partner_id

    def topic_label(self, topic_id: str, lang: Lang) -> str:
        topic = self.topics.get(topic_id)
        return topic.label[lang] if topic else topic_id

    def partner_position(self, partner_id: str) -> int:
        """The partner's place in the store (for stable colours and orders)."""
        return _position(self.partners, partner_id)

    def topic_position(self, topic_id: str) -> int:
        return _position(self.topics, topic_id)


def _position(items: Mapping[str, object], key: str) -> int:
    for index, candidate in enumerate(items):
        if candidate == key:
            return index
    return len(items)
