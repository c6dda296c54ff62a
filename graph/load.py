"""Read the YAML data files into checked records.

Loading happens in two layers and collects every issue before failing, so a contributor sees all
mistakes at once:

1. structure: each file against ``data/schema/data.schema.json`` (types, required fields,
   unknown fields, id and reference syntax);
2. cross-references: duplicate ids, references that resolve to nothing, licences, and rules that
   span items (an open-source tool needs a repository).

Either everything passes and a :class:`Records` comes back, or :class:`~mlsd.graph.errors.DataError`
is raised and nothing is built.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import yaml

from .errors import DataError, Issue
from .licenses import OPEN_SOURCE_IDS, PROPRIETARY, is_known_license
from .vocab import KINDS, SECTION_KEYS, split_ref

__all__ = ["Records", "default_data_dir", "find_data_files", "load_records", "load_schema"]

#: Fields holding references, per kind (the target kinds are enforced by the JSON Schema).
REF_FIELDS = ("part_of", "chapters", "concerns", "discussed_in", "stages", "broader", "related",
              "caused_by", "solves", "prerequisites", "category", "implements", "alternatives",
              "chapter", "about")


@dataclass
class Records:
    """Checked items by kind and id; each item is its YAML mapping plus ``_file``."""

    items: dict[str, dict[str, dict]] = field(default_factory=lambda: {k: {} for k in KINDS})
    files: list[Path] = field(default_factory=list)

    def get(self, ref: str) -> dict | None:
        """Return the item a ``kind/id`` reference names, or None."""
        kind, slug = split_ref(ref)
        return self.items.get(kind, {}).get(slug)

    def count(self) -> dict[str, int]:
        """Number of items of each kind."""
        return {k: len(v) for k, v in self.items.items()}


def default_data_dir() -> Path:
    """The knowledge base shipped with mlsd (the ``data/`` folder)."""
    return Path(str(resources.files("mlsd.data")))


def load_schema() -> dict:
    """The JSON Schema of a data file."""
    return json.loads(resources.files("mlsd.data").joinpath("schema/data.schema.json").read_text())


def find_data_files(data_dir: Path | str) -> list[Path]:
    """Every ``*.yaml`` and ``*.yml`` below ``data_dir`` except the ``schema/`` folder, in a stable order."""
    root = Path(data_dir)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DataError([Issue(str(root), None, None, "no such data folder or file")])
    files = [p for pattern in ("*.yaml", "*.yml") for p in root.rglob(pattern)]
    return sorted(p for p in files if "schema" not in p.relative_to(root).parts[:-1])


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key `{key}` (the earlier one would be silently lost)", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read(path: Path, name: str, issues: list[Issue]):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        issues.append(Issue(name, None, None, f"not valid YAML{where}: {exc.problem}"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        issues.append(Issue(name, None, None, f"cannot be read: {exc}"))
    return None


def _schema_issue(name: str, doc: dict, err: jsonschema.ValidationError) -> Issue:
    path = list(err.absolute_path)
    item = fld = None
    if path:
        key = path[0]
        entry = doc.get(key)
        if key == "book":
            node, rest = entry, path[1:]
        elif len(path) > 1 and isinstance(entry, list) and isinstance(path[1], int):
            node, rest = entry[path[1]], path[2:]
        else:
            node, rest = None, path[1:]
        if isinstance(node, dict):
            ident = node.get("id")
            item = f"{SECTION_KEYS.get(key, key)}/{ident}" if ident is not None else f"{key}[{path[1]}]"
        fld = ".".join(str(p) for p in rest if not isinstance(p, int)) or None
    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1]
        fld = f"{fld}.{missing}" if fld else missing
        msg = "missing required field"
    elif v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        msg = f"unknown field(s) {', '.join(f'`{e}`' for e in extra)}"
        if not path:
            msg = f"unknown top-level key(s) {', '.join(f'`{e}`' for e in extra)}; expected one of {', '.join(SECTION_KEYS)}"
    elif v == "pattern" and "http" in err.validator_value:
        msg = f"bad URL `{err.instance}`"
    elif v == "pattern" and "/" in err.validator_value:
        kinds = err.validator_value.split(")/")[0].lstrip("^(").replace("|", ", ")
        msg = f"`{err.instance}` is not a reference of the form kind/id (kind one of: {kinds})"
    elif v == "pattern":
        msg = f"`{err.instance}` is not a valid id (lower-case letters, digits, `.` and `-`)"
    elif v == "type":
        msg = f"`{err.instance!r}` should be of type {err.validator_value}"
        if fld and fld.endswith("id") or (fld is None and isinstance(err.instance, (int, float))):
            msg += " (quote ids that look like numbers)"
    else:
        msg = err.message
    return Issue(name, item, fld, msg)


def _check_cross(recs: Records, issues: list[Issue]) -> None:
    all_refs = {f"{k}/{s}" for k, d in recs.items.items() for s in d}
    for kind, table in recs.items.items():
        for slug, it in table.items():
            name, item = it["_file"], f"{kind}/{slug}"
            values = [(f, it.get(f)) for f in REF_FIELDS]
            values += [("options.concept", o.get("concept")) for o in it.get("options", [])]
            for fld, v in values:
                for ref in [v] if isinstance(v, str) else (v or []):
                    if ref not in all_refs:
                        close = difflib.get_close_matches(ref, all_refs, n=1, cutoff=0.85)
                        hint = f" (did you mean `{close[0]}`?)" if close else ""
                        issues.append(Issue(name, item, fld, f"unknown reference `{ref}`{hint}"))
                    elif ref == item:
                        issues.append(Issue(name, item, fld, "an item cannot refer to itself"))
            if kind == "tool":
                _check_tool(name, item, it, issues)
            if it.get("in_book") is False and it.get("discussed_in"):
                issues.append(Issue(name, item, "in_book", "`in_book: false` contradicts a non-empty `discussed_in`"))
            if kind == "section" and not slug.startswith(it["part_of"].split("/", 1)[1] + "."):
                issues.append(Issue(name, item, "part_of",
                                    f"section `{slug}` is numbered outside its parent `{it['part_of']}`"))
            if kind == "chapter" and slug != str(it["number"]):
                issues.append(Issue(name, item, "number",
                                    f"chapter id `{slug}` and number {it['number']} must be the same"))
    orders: dict[int, str] = {}
    for slug, st in recs.items["stage"].items():
        if st["order"] in orders:
            issues.append(Issue(st["_file"], f"stage/{slug}", "order",
                                f"order {st['order']} is also used by stage `{orders[st['order']]}`"))
        orders[st["order"]] = slug


def _check_tool(name: str, item: str, it: dict, issues: list[Issue]) -> None:
    lic = it["license"]
    if not is_known_license(lic):
        close = difflib.get_close_matches(lic, sorted(OPEN_SOURCE_IDS), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        issues.append(Issue(name, item, "license", f"unknown licence `{lic}`: use an SPDX id or `{PROPRIETARY}`{hint}"))
    elif it["open_source"] and lic not in OPEN_SOURCE_IDS:
        issues.append(Issue(name, item, "open_source", f"licence `{lic}` is not an open-source licence"))
    if it["open_source"]:
        for fld in ("repository", "language"):
            if not it.get(fld):
                issues.append(Issue(name, item, fld, "missing: required for an open-source tool"))
    for fld in ("homepage", "repository"):
        if it.get(fld) and not urlparse(it[fld]).netloc:
            issues.append(Issue(name, item, fld, f"bad URL `{it[fld]}`"))


def load_records(data_dir: Path | str | None = None) -> Records:
    """Load and check every data file below ``data_dir`` (default: the shipped knowledge base).

    Raises
    ------
    DataError
        Listing every issue found, each with file, item and field.

    Examples
    --------
    >>> recs = load_records(default_data_dir() / "schema" / "example.yaml")
    >>> recs.get("tool/evidently")["license"]
    'Apache-2.0'
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    validator = jsonschema.Draft202012Validator(load_schema())
    recs, issues = Records(), []
    for path in find_data_files(root):
        name = path.name if root.is_file() else str(path.relative_to(root))
        recs.files.append(path)
        doc = _read(path, name, issues)
        if doc is None:
            continue
        if not isinstance(doc, dict):
            issues.append(Issue(name, None, None, "a data file must be a mapping of item kinds to lists"))
            continue
        errs = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
        issues.extend(_schema_issue(name, doc, e) for e in errs)
        if errs:
            continue
        for key, entries in doc.items():
            kind = SECTION_KEYS[key]
            for it in [entries] if key == "book" else entries:
                slug = it["id"]
                prev = recs.items[kind].get(slug)
                if prev is not None:
                    issues.append(Issue(name, f"{kind}/{slug}", "id",
                                        f"duplicate id `{kind}/{slug}` (first defined in {prev['_file']})"))
                    continue
                recs.items[kind][slug] = {**it, "_file": name}
    if not issues:
        _check_cross(recs, issues)
    if issues:
        raise DataError(issues)
    return recs
