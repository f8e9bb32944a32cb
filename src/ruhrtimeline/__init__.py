"""ruhrtimeline: the Metropole Ruhr's international partnerships as a validated timeline.

The library core: ``load_store`` reads and validates a store; ``Store`` answers queries with
plain records; ``EventFilter`` selects events.  Nothing here imports typer or rich, and the
pydantic models (``ruhrtimeline.models``) are imported only when a store is validated.

Names are imported on first use, so that ``import ruhrtimeline`` (and the command's start)
stays fast.
"""

from __future__ import annotations

from importlib import import_module

# Not typing.TYPE_CHECKING: importing typing would cost ~7 ms on every start.
TYPE_CHECKING = False

__version__ = "1.0.0"

_EXPORTS = {
    "DateError": "dates",
    "EdtfDate": "dates",
    "format_date": "dates",
    "parse_edtf": "dates",
    "Problem": "errors",
    "RuhrtimelineError": "errors",
    "StoreError": "errors",
    "UsageError": "errors",
    "EventFilter": "query",
    "EventRecord": "store",
    "PartnerRecord": "store",
    "Store": "store",
    "TopicRecord": "store",
    "load_store": "store",
}

__all__ = [*sorted(_EXPORTS), "__version__"]

if TYPE_CHECKING:
    from .dates import DateError as DateError
    from .dates import EdtfDate as EdtfDate
    from .dates import format_date as format_date
    from .dates import parse_edtf as parse_edtf
    from .errors import Problem as Problem
    from .errors import RuhrtimelineError as RuhrtimelineError
    from .errors import StoreError as StoreError
    from .errors import UsageError as UsageError
    from .query import EventFilter as EventFilter
    from .store import EventRecord as EventRecord
    from .store import PartnerRecord as PartnerRecord
    from .store import Store as Store
    from .store import TopicRecord as TopicRecord
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
