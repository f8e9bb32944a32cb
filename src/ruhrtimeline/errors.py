"""One family of exceptions for the library; the command line turns each into one line.

None of these messages names a command-line option: the library does not know how it is called.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path


class RuhrtimelineError(Exception):
    """Base class: a failed operation the user can fix."""


class InvalidValue(RuhrtimelineError, ValueError):
    """A value handed to the library is malformed: a date bound, a year, a status."""


class NotFound(RuhrtimelineError, LookupError):
    """An event, partner or topic id that the store does not know; names close matches."""

    def __init__(self, kind: str, value: str, known: list[str]) -> None:
        self.kind = kind
        self.value = value
        import difflib  # only when something is not found

        self.matches = difflib.get_close_matches(value.lower(), known, n=3, cutoff=0.5)
        if self.matches:
            hint = f"did you mean {' or '.join(self.matches)}?"
        elif known:
            hint = f"known {kind}s: {', '.join(known[:12])}{' …' if len(known) > 12 else ''}"
        else:
            hint = f"the store has no {kind}s"
        super().__init__(f"unknown {kind} {value!r}; {hint}")


class UnreadableInput(RuhrtimelineError):
    """A file to import does not hold what its format should (not iCalendar, not a listing)."""


class OutputError(RuhrtimelineError):
    """An output file or folder cannot be written."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a store, located at a YAML node."""

    path: str
    line: int  # 1-based; 0 when the problem has no position (an unreadable file)
    column: int  # 1-based
    field: str  # dotted path such as ``events[3].sources[0].url``; "" for the whole file
    message: str
    item_id: str = ""  # the id of the event, partner, topic or era, where it has one

    def __str__(self) -> str:
        return self.render(self.message)

    def render(self, message: str) -> str:
        """``file:line:column: events[3] (id: x).sources[0].url: message``."""
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        field = self.field
        if self.item_id and "]" in field:
            cut = field.index("]") + 1
            field = f"{field[:cut]} (id: {self.item_id}){field[cut:]}"
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class StoreError(RuhrtimelineError):
    """A store that cannot be read or is invalid; carries every problem found."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__(str(problems[0]) if problems else f"{path}: invalid store")

    @classmethod
    def single(
        cls, path: Path | str, message: str, line: int = 0, column: int = 0, field: str = ""
    ) -> StoreError:
        return cls(path, [Problem(str(path), line, column, field, message)])


class Refused(StoreError):
    """A change that would leave the store invalid: nothing was written."""
