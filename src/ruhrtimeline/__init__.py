"""ruhrtimeline: a record of international partnerships as a validated timeline.

The library: ``load_store`` reads and validates a store and returns a `Store`, which selects
typed, frozen records (`Event`, `Partner`, `Topic`, `Era`) with an `EventFilter`::

    from ruhrtimeline import EventFilter, load_store

    with load_store() as store:
        for event in store.events(EventFilter.build(partners=["gzm"], year=2019)):
            print(event.first, event.title.en)

Names are imported on first use, so that ``import ruhrtimeline`` (and the command's start)
stays fast; nothing here imports the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "1.0.0"

_EXPORTS = {
    "DateError": "dates",
    "EdtfDate": "dates",
    "format_date": "dates",
    "parse_edtf": "dates",
    "InvalidValue": "errors",
    "NotFound": "errors",
    "OutputError": "errors",
    "Problem": "errors",
    "RuhrtimelineError": "errors",
    "StoreError": "errors",
    "EventFilter": "query",
    "Activity": "records",
    "Coordinates": "records",
    "Directory": "records",
    "Era": "records",
    "Event": "records",
    "Location": "records",
    "Partner": "records",
    "Person": "records",
    "Source": "records",
    "Text": "records",
    "Topic": "records",
    "Store": "store",
    "load_store": "store",
}

__all__ = [*sorted(_EXPORTS), "__version__"]

if TYPE_CHECKING:
    from .dates import DateError as DateError
    from .dates import EdtfDate as EdtfDate
    from .dates import format_date as format_date
    from .dates import parse_edtf as parse_edtf
    from .errors import InvalidValue as InvalidValue
    from .errors import NotFound as NotFound
    from .errors import OutputError as OutputError
    from .errors import Problem as Problem
    from .errors import RuhrtimelineError as RuhrtimelineError
    from .errors import StoreError as StoreError
    from .query import EventFilter as EventFilter
    from .records import Activity as Activity
    from .records import Coordinates as Coordinates
    from .records import Directory as Directory
    from .records import Era as Era
    from .records import Event as Event
    from .records import Location as Location
    from .records import Partner as Partner
    from .records import Person as Person
    from .records import Source as Source
    from .records import Text as Text
    from .records import Topic as Topic
    from .store import Store as Store
    from .store import load_store as load_store


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ruhrtimeline' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
