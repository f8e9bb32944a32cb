"""One family of exceptions; the CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path


class RuhrtimelineError(Exception):
    """Base class: a failed operation the user can fix (exit code 1)."""

    exit_code = 1


class UsageError(RuhrtimelineError):
    """A value given on the command line is malformed or unknown (exit code 2)."""

    exit_code = 2


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

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

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
