"""The mlsd exception family.

Every error mlsd raises on purpose derives from :class:`MlsdError`, so callers (the CLI, the
app, the endpoint) can catch one class and show the message instead of a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MlsdError",
    "DataError",
    "Issue",
    "ShapeError",
    "QueryError",
    "NotFoundError",
    "ExportError",
    "RemoteError",
]


class MlsdError(Exception):
    """Base class of every error mlsd raises on purpose."""


@dataclass(frozen=True)
class Issue:
    """One problem found in the data, located by file, item and field.

    Examples
    --------
    >>> str(Issue("tools.yaml", "tool/feast", "solves", "unknown reference `problem/x`"))
    'tools.yaml: item `feast` field `solves`: unknown reference `problem/x`'
    """

    file: str
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.item:
            where += f": item `{self.item.split('/', 1)[-1]}`"
        if self.field:
            where += f" field `{self.field}`"
        return f"{where}: {self.message}"


class DataError(MlsdError):
    """The data files are malformed or inconsistent; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        n = len(self.issues)
        head = "\n".join(str(i) for i in self.issues[:50])
        more = f"\n... and {n - 50} more" if n > 50 else ""
        super().__init__(f"{n} data error{'s' if n != 1 else ''}:\n{head}{more}")


class ShapeError(MlsdError):
    """The built graph violates SHACL shapes; ``results`` lists the violations."""

    def __init__(self, results: list):
        self.results = list(results)
        lines = "\n".join(str(r) for r in self.results[:50])
        super().__init__(f"{len(self.results)} SHACL violation(s):\n{lines}")


class QueryError(MlsdError):
    """A SPARQL query is invalid, refused, too slow or too large."""


class NotFoundError(MlsdError):
    """A node named by the user matches nothing in the graph."""


class ExportError(MlsdError):
    """An export format or target is not usable."""


class RemoteError(MlsdError):
    """A remote SPARQL store cannot be reached, refuses the request, or does not answer in SPARQL."""
