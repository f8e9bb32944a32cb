"""The data model (pydantic v2): the rules of a store file; the JSON Schema comes from it.

Importing this module imports pydantic (~80 ms), so only validation (``validation.py``) and
``schema`` do; everything else reads the typed records of ``records.py`` from the index.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)

from .dates import EDTF_PATTERN, DateError, clock_change, parse_edtf
from .records import Status

# ISO 3166-1 alpha-2, plus the exceptionally reserved EU for EU institutions.
COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW EU""".split()
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Embeddings, overrides and isolates reorder what follows them on screen ("Trojan Source"):
# a name could show as something it is not.  The marks U+200E/U+200F stay allowed.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_MESSAGE = "must not contain bidirectional override characters (U+202A–U+202E, U+2066–U+2069)"
# Years every output can show: calendar formats and reports assume the Gregorian calendar
# (in use from 1583, ISO 8601's default range), and a calendar needs the day after the last.
YEARS = (1583, 2999)
# Coordinates are decimal numbers as written on a map: "51.45", "-2.2426" (not "1_0", "1e3").
_PLAIN_NUMBER = re.compile(r"-?\d{1,3}(\.\d{1,12})?")


def _line(value: str) -> str:
    if _CONTROL_IN_LINE.search(value):
        raise ValueError("must be a single line without control characters")
    if _BIDI.search(value):
        raise ValueError(_BIDI_MESSAGE)
    if value.strip() != value or not value:
        raise ValueError("must not be empty or start or end with spaces")
    return value


def _paragraph(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (line breaks and tabs are fine)")
    if _BIDI.search(value):
        raise ValueError(_BIDI_MESSAGE)
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _country(value: str) -> str:
    if value not in COUNTRIES:
        hint = "; the United Kingdom is GB" if value == "UK" else ""
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code{hint}")
    return value


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"{value!r} is not a web address; write it in full, starting with https://"
        )
    if any(c.isspace() for c in value) or _CONTROL_IN_LINE.search(value) or _BIDI.search(value):
        raise ValueError(
            "a web address must not contain spaces, control or bidirectional override characters"
        )
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r}: a public address has no user name or password (user@…)")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or not parts.hostname:
        raise ValueError(f"{value!r}: the host or port is not valid (ports are 1 to 65535)")
    return value


def _coordinate(value: object) -> object:
    if isinstance(value, str) and not _PLAIN_NUMBER.fullmatch(value):
        raise ValueError(f"{value!r} is not a plain decimal number such as 51.4556 or -2.2426")
    return value


def _edtf(value: str) -> str:
    low, high = YEARS
    # The store's years are checked first: the date syntax itself allows more (0001–9998).
    for year in re.findall(r"(?:^|/)([0-9]{4})(?![0-9])", value.strip()):
        if not low <= int(year) <= high:
            raise ValueError(
                f"{value!r}: year {year} is outside {low}–{high}, the years every output "
                "can show (calendar formats assume the Gregorian calendar, in use from 1583)"
            )
    try:
        parse_edtf(value)
    except DateError as exc:
        raise ValueError(str(exc)) from None
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone; write a name such as Europe/Berlin"
        ) from None
    return value


def _iso_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{value!r}: write the date as YYYY-MM-DD")
    return value


Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80),
    Field(description="Lower-case letters, digits and single hyphens, e.g. rvr-gzm-agreement-2019"),
]
Line = Annotated[str, StringConstraints(max_length=300), AfterValidator(_line)]
Paragraph = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_paragraph)]
Country = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$"}),
    Field(description="ISO 3166-1 alpha-2 code, e.g. DE, PL, GB"),
]
WebUrl = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(_web_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
EdtfString = Annotated[
    str,
    AfterValidator(_edtf),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": EDTF_PATTERN,
            "description": "EDTF subset: 2017, 2018-21 (spring), 2018-08, 2019-08-09, "
            "2025-01-30T09:00, intervals A/B, qualifiers ~ (approximate), ? (uncertain) and % "
            "(both)",
        }
    ),
]
TimeZoneName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_timezone),
    WithJsonSchema({"type": "string", "description": "IANA time zone, e.g. Europe/Brussels"}),
]
IsoDate = Annotated[
    str,
    AfterValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2}$"),
    Field(description="ISO 639-1 language code, e.g. de, en, pl"),
]
PartnerKind = Literal[
    "city",
    "company",
    "eu-institution",
    "metropolitan-authority",
    "network",
    "region",
    "regional-authority",
    "state-government",
    "university",
    "other",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Model):
    """The same text in German and in English."""

    de: Line
    en: Line


class LocalizedParagraph(_Model):
    de: Paragraph
    en: Paragraph


class Partner(_Model):
    """An organisation or region taking part in events."""

    id: Slug
    name: Line = Field(description="Full official name")
    names: LocalizedText | None = Field(None, description="The name in German and in English")
    short: Annotated[str, StringConstraints(max_length=24), AfterValidator(_line)]
    short_names: LocalizedText | None = Field(
        None, description="The short name in German and in English, where they differ"
    )
    kind: PartnerKind
    country: Country
    website: WebUrl | None = None
    description: LocalizedParagraph | None = None


class Topic(_Model):
    id: Slug
    label: LocalizedText


class Coordinates(_Model):
    lat: Annotated[float, Field(ge=-90, le=90), BeforeValidator(_coordinate)]
    lon: Annotated[float, Field(ge=-180, le=180), BeforeValidator(_coordinate)]


def _by_language(value: object) -> str:
    return "by-language" if isinstance(value, dict) else "one-text"


#: A name written once, or in each language where they differ ({de: Brüssel, en: Brussels}).
#: The discriminator keeps errors to the form that was written.
PlaceName = Annotated[
    Annotated[Line, Tag("one-text")] | Annotated[LocalizedText, Tag("by-language")],
    Discriminator(_by_language),
]
UNION_TAGS = ("one-text", "by-language")


class Location(_Model):
    """Where an event took place: a named place, a city, or online.  A name may be given in
    both languages ({de: Brüssel, en: Brussels}) where they differ."""

    name: PlaceName | None = None
    address: PlaceName | None = None
    city: PlaceName | None = None
    region: PlaceName | None = Field(None, description="A region when no single city applies")
    country: Country | None = None
    coordinates: Coordinates | None = None
    online: bool = False

    @model_validator(mode="after")
    def _somewhere(self) -> Location:
        if not self.online and not (self.name or self.city or self.region):
            raise ValueError("give a name, city or region, or set online: true")
        if not self.online and self.country is None:
            raise ValueError("give the country (ISO code such as DE) of a place that is not online")
        return self


class Person(_Model):
    name: Line
    role: LocalizedText | None = None


class Source(_Model):
    """A public page that documents the event."""

    url: WebUrl
    publisher: Line
    title: Line
    date: EdtfString | None = Field(None, description="Date of the page, as precise as known")
    language: LanguageCode


class Event(_Model):
    """A dated milestone of a partnership."""

    id: Slug
    date: EdtfString
    timezone: TimeZoneName | None = Field(
        None, description="IANA time zone; required exactly when the date has a time"
    )
    status: Status = "held"
    title: LocalizedText
    summary: LocalizedParagraph
    location: Location | None = None
    partners: Annotated[list[Slug], Field(min_length=1, max_length=100)]
    topics: Annotated[list[Slug], Field(max_length=100)] = []
    people: Annotated[list[Person], Field(max_length=200)] = []
    sources: Annotated[list[Source], Field(min_length=1, max_length=100)]
    uid: Line | None = Field(
        None,
        description="The UID of the calendar entry it was imported from (an invitation), "
        "so that an update of that entry changes this event",
    )
    updated: IsoDate | None = Field(None, description="When this entry was last changed")

    @model_validator(mode="after")
    def _timezone_with_time(self) -> Event:
        parsed = parse_edtf(self.date)
        if parsed.has_time and self.timezone is None:
            raise ValueError(f"the date {self.date!r} has a time, so give its timezone")
        if not parsed.has_time and self.timezone is not None:
            raise ValueError("a timezone belongs only to a date with a time; remove it")
        if self.timezone is not None:
            # A time the clocks skip has no instant.  Every other time has one (a repeated
            # time is its first occurrence), in the order of the times as written, so the
            # date's own check that the end is not before the start compares instants.
            for point in parsed.points:
                local = point.local_datetime
                change = clock_change(local, self.timezone) if local else None
                if local and change and change.skips:
                    raise ValueError(change.message(local))
        for name, values in (("partners", self.partners), ("topics", self.topics)):
            if len(set(values)) != len(values):
                raise ValueError(f"{name} lists an id twice")
        return self


class Era(_Model):
    """A named period shown behind the events, such as a phase of the Ruhr-Konferenz."""

    id: Slug
    date: EdtfString = Field(description="The period; a single date means 'from then on'")
    title: LocalizedText
    summary: LocalizedParagraph | None = None
    sources: Annotated[list[Source], Field(min_length=1, max_length=100)]


class Header(BaseModel):
    """The store's own fields beside its lists: what the record is called and what it holds."""

    model_config = ConfigDict(extra="allow")

    version: int | None = Field(None, description="Format version of the store (1)")
    title: LocalizedText | None = Field(
        None, description="What the record is called, in German and in English"
    )
    description: LocalizedParagraph | None = Field(
        None, description="What the record holds, in a sentence or two"
    )


class StoreFile(Header):
    """The whole store file: partners, topics and events (other top-level keys are allowed)."""

    model_config = ConfigDict(
        extra="allow",
        title="ruhrtimeline event store",
        json_schema_extra={"$id": "https://ruhrtimeline.invalid/schema/store.json"},
    )

    partners: list[Partner]
    topics: list[Topic]
    events: list[Event]
    eras: list[Era] = Field([], description="Named periods, e.g. the Ruhr-Konferenz phases")


def store_json_schema() -> dict[str, Any]:
    """The JSON Schema of the store file, for editors and the YAML language server."""
    schema = StoreFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
