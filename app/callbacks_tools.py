"""The logic of the Tool catalog page: table rows, filters and the comparison link."""
from __future__ import annotations

from urllib.parse import urlencode

__all__ = ["COLUMNS", "to_records", "filter_rows", "compare_href"]

#: DataTable columns; ``explore`` is a Markdown link with fixed text (data never enters Markdown).
COLUMNS = [
    {"name": "Tool", "id": "label"}, {"name": "Category", "id": "category"},
    {"name": "Lifecycle stages", "id": "stages"}, {"name": "Licence", "id": "license"},
    {"name": "Language", "id": "language"}, {"name": "Open source", "id": "open_source"},
    {"name": "Solves", "id": "solves"}, {"name": "", "id": "explore", "presentation": "markdown"},
]


def to_records(rows: list[dict]) -> list[dict]:
    """Catalog rows (:func:`mlsd.graph.views.find_tool_rows`) as DataTable records keyed by ``id``."""
    return [{"id": r["id"], "label": r["label"], "category": r["category"], "stages": "; ".join(r["stages"]),
             "license": r["license"], "language": r["language"] or "—", "open_source": "yes" if r["open_source"] else "no",
             "solves": "; ".join(r["solves"]),
             "explore": f"[Explore →](/?{urlencode({'focus': r['id']}, safe='/')})"} for r in rows]


def filter_rows(rows: list[dict], *, text: str = "", categories=(), stages=(), licenses=(), languages=(),
                open_only: bool = False) -> list[dict]:
    """Rows passing every filter; ``text`` matches the name, category or problems (any case).

    Examples
    --------
    >>> rows = [{"id": "tool/a", "label": "Feast", "category": "Feature store", "stages": ["Deployment"],
    ...          "license": "Apache-2.0", "language": "Python", "open_source": True, "solves": []},
    ...         {"id": "tool/b", "label": "Tecton", "category": "Feature store", "stages": ["Deployment"],
    ...          "license": "proprietary", "language": "", "open_source": False, "solves": []}]
    >>> [r["label"] for r in filter_rows(rows, open_only=True)]
    ['Feast']
    >>> [r["label"] for r in filter_rows(rows, text="tect")]
    ['Tecton']
    """
    text = (text or "").strip().lower()
    out = []
    for r in rows:
        if open_only and not r["open_source"]:
            continue
        if categories and r["category"] not in categories:
            continue
        if stages and not set(stages) & set(r["stages"]):
            continue
        if licenses and r["license"] not in licenses:
            continue
        if languages and r["language"] not in languages:
            continue
        if text and text not in " ".join([r["label"], r["category"], *r["solves"]]).lower():
            continue
        out.append(r)
    return out


def compare_href(refs) -> str | None:
    """The Find tools link comparing ``refs`` (2 to 4), or None.

    Examples
    --------
    >>> compare_href(["tool/feast", "tool/tecton"])
    '/find?compare=tool/feast,tool/tecton'
    >>> compare_href(["tool/feast"]) is None
    True
    """
    refs = list(refs or [])[:4]
    return f"/find?{urlencode({'compare': ','.join(refs)}, safe='/,')}" if len(refs) >= 2 else None
