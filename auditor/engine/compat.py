"""Safe changes between two audits: the inventory the ``compat/*`` rules compare, and the comparison.

An audit's JSON report carries, in its inventory, each schema field's validator and each
function's argument validators as plain data (``validator_shape``). A later audit is given that
report (or just its inventory) as its baseline; ``Inventory.from_report`` reads it back, and
``Inventory.from_project`` builds the same structure from the audit in progress, so both sides
are compared in one form. Anything either side could not read (a table defined elsewhere, an
object with an unresolved spread, a validator the extractor does not know) is left out of the
comparison: a compat finding is only raised on a change both audits saw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.engine import safefiles
from auditor.engine.errors import EngineUsageError
from auditor.engine.model import Location, ProjectFacts, Validator

Shape = dict[str, Any]
MAX_BASELINE_BYTES = 64 * 1024 * 1024
CALLABLE_KINDS = frozenset({"query", "mutation", "action"})


class BaselineError(EngineUsageError):
    """The baseline given to an audit cannot be read; the message says why."""


def validator_shape(validator: Validator) -> Shape:
    """A validator as JSON-ready data: kind, plus table, literal value, children, fields, open."""
    shape: Shape = {"kind": validator.kind}
    if validator.table is not None:
        shape["table"] = validator.table
    if validator.value is not None:
        shape["value"] = validator.value
    if validator.children:
        shape["children"] = [validator_shape(child) for child in validator.children]
    if validator.kind == "object":
        shape["fields"] = {name: validator_shape(child) for name, child in validator.fields.items()}
        if validator.open:
            shape["open"] = True
    return shape


@dataclass(frozen=True, slots=True)
class TableShape:
    name: str
    document: Shape | None  # None: not read (a library table, a definition built elsewhere)
    path: str = ""
    line: int = 0

    @property
    def fields(self) -> dict[str, Shape] | None:
        """The document's fields when it is one object the extractor read whole."""
        if self.document is None or self.document.get("kind") != "object" or self.document.get("open"):
            return None
        return self.document.get("fields", {})


@dataclass(frozen=True, slots=True)
class FunctionShape:
    id: str
    kind: str
    visibility: str
    args: dict[str, Shape] | None  # None: no args validator, or one not read whole
    path: str = ""
    line: int = 0


@dataclass(slots=True)
class Inventory:
    """The schema and functions one audit saw, in the form both sides of a comparison share."""

    tables: dict[str, TableShape] = field(default_factory=dict)
    functions: dict[str, FunctionShape] = field(default_factory=dict)
    schema_read: bool = False  # a schema was found and its tables listed
    schema_validation: bool = True
    exported: dict[str, frozenset[str]] = field(default_factory=dict)  # module -> names it exports

    @classmethod
    def from_project(cls, project: ProjectFacts) -> Inventory:
        inventory = cls()
        schema = project.schema
        if schema is not None:
            inventory.schema_read = True
            inventory.schema_validation = schema.validation
            for table in schema.tables.values():
                document = None if table.opaque or table.document is None else validator_shape(table.document)
                inventory.tables[table.name] = TableShape(table.name, document, table.loc.path, table.loc.line)
        for function in project.functions.values():
            inventory.functions[function.function_id] = FunctionShape(
                function.function_id, function.kind, function.visibility, args_shape(function.args_validator),
                function.path, function.loc.line)
        for module in project.modules.values():
            if module.module is not None:
                names = set(module.exports) | {exported for exported, _, _ in module.reexports}
                inventory.exported[module.module] = frozenset(names)
        return inventory

    @classmethod
    def from_report(cls, report: object) -> Inventory:
        """Read a JSON report of the engine (or its ``inventory`` alone). Raises BaselineError."""
        if not isinstance(report, Mapping):
            raise BaselineError("the baseline is not a JSON object (expected a report of `--format json`)")
        version = report.get("format", {}).get("version") if isinstance(report.get("format"), Mapping) else None
        if isinstance(version, int) and version > REPORT_VERSION:
            raise BaselineError(f"the baseline report has format version {version}; this engine reads up to "
                                f"{REPORT_VERSION}")
        data = report.get("inventory", report)
        if not isinstance(data, Mapping) or not isinstance(data.get("functions"), list):
            raise BaselineError("the baseline has no inventory of functions (expected a report of `--format json`)")
        inventory = cls()
        try:
            for row in data["functions"]:
                if "args_shape" not in row:
                    raise BaselineError("the baseline report was written by an older engine, without argument "
                                        "validators; audit the previous version again to compare with it")
                args = row["args_shape"]
                inventory.functions[str(row["id"])] = FunctionShape(
                    str(row["id"]), str(row["kind"]), str(row["visibility"]),
                    {str(k): _checked_shape(v) for k, v in args.items()} if isinstance(args, Mapping) else None,
                    str(row.get("path", "")), int(row.get("line", 0) or 0))
            schema = data.get("schema")
            if isinstance(schema, Mapping):
                inventory.schema_read = True
                inventory.schema_validation = bool(schema.get("validation", True))
                for table in schema.get("tables", []):
                    if "document" not in table:
                        raise BaselineError("the baseline report was written by an older engine, without field "
                                            "validators; audit the previous version again to compare with it")
                    document = table["document"]
                    inventory.tables[str(table["name"])] = TableShape(
                        str(table["name"]), _checked_shape(document) if document is not None else None,
                        str(schema.get("path", "")), int(table.get("line", 0) or 0))
            elif schema is not None:
                raise BaselineError("the baseline's schema is not an object")
        except BaselineError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BaselineError(f"the baseline inventory does not have the expected shape ({error!r})") from None
        inventory.exported = {}  # a report lists functions, not every export: removal is judged on functions
        return inventory


REPORT_VERSION = 2


def args_shape(validator: Validator | None) -> dict[str, Shape] | None:
    if validator is None or validator.kind != "object" or validator.open:
        return None
    return {name: validator_shape(child) for name, child in validator.fields.items()}


def _checked_shape(value: object) -> Shape:
    if not isinstance(value, Mapping) or not isinstance(value.get("kind"), str):
        raise BaselineError(f"a validator in the baseline has no kind: {str(value)[:80]}")
    return dict(value)


def load_baseline(source: Inventory | Mapping[str, Any] | str | Path) -> Inventory:
    """A baseline from an Inventory, a parsed report, or the path of a JSON report. Raises BaselineError."""
    if isinstance(source, Inventory):
        return source
    if isinstance(source, Mapping):
        return Inventory.from_report(source)
    path = Path(source)
    try:
        data = safefiles.read_bytes(path)
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist") from None
    except OSError as error:
        raise BaselineError(f"baseline {path} cannot be read: {error.strerror or error}") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"baseline {path} is larger than {MAX_BASELINE_BYTES // (1024 * 1024)} MB")
    try:
        report = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"baseline {path} is not JSON ({error})") from None
    return Inventory.from_report(report)


def current_inventory(project: ProjectFacts) -> Inventory:
    """This audit's inventory, worked out once per project."""
    cached = project.derived.get("compat_inventory")
    if cached is None:
        cached = project.derived["compat_inventory"] = Inventory.from_project(project)
    return cached


@dataclass(frozen=True, slots=True)
class Change:
    """One unsafe change between two inventories, as a compat/* rule reports it."""

    rule: str
    message: str
    table: str | None = None
    field: str | None = None
    function: str | None = None
    path: str = ""  # where the later inventory (or, for a removal, the earlier one) has the subject
    line: int = 0


def compare(old: Inventory, new: Inventory, *, unread: frozenset[str] = frozenset()) -> list[Change]:
    """Every unsafe change from ``old`` to ``new``: the one definition behind the compat/* rules and
    the web's "Deploy safety" section. ``unread`` lists files the later audit could not parse."""
    return [*_schema_changes(old, new), *_function_changes(old, new, unread)]


def _schema_changes(old: Inventory, new: Inventory) -> Iterator[Change]:
    if not (old.schema_read and new.schema_read and new.schema_validation):
        return  # no schema on a side, or documents are not validated: no stored document can fail
    for name, table in new.tables.items():
        before = old.tables.get(name)
        old_fields = before.fields if before is not None else None
        new_fields = table.fields
        if old_fields is None or new_fields is None:
            continue
        for field_name, shape in new_fields.items():
            previous = old_fields.get(field_name)
            if previous is None and is_required(shape):
                yield Change("compat/required-field-added",
                             f'The existing table "{name}" gains the required field "{field_name}" '
                             f"({type_label(shape)}); documents stored before lack it, so the deploy fails. Add it "
                             "as `v.optional(...)`, migrate, then make it required.",
                             table=name, field=field_name, path=table.path, line=table.line)
            elif previous is not None and narrowed(previous, shape) is True:
                yield Change("compat/field-type-narrowed",
                             f'The field "{field_name}" of "{name}" now accepts fewer values: {type_label(previous)} '
                             f"became {type_label(shape)}. Stored documents may not match; migrate them before "
                             "narrowing.", table=name, field=field_name, path=table.path, line=table.line)
        removed = [field_name for field_name in old_fields if field_name not in new_fields]
        if removed:
            listed = ", ".join(f'"{field_name}"' for field_name in removed)
            yield Change("compat/field-removed",
                         f'The field{"s" if len(removed) > 1 else ""} {listed} of the table "{name}" '
                         f'{"are" if len(removed) > 1 else "is"} gone from the schema; documents that still hold '
                         f'{"them" if len(removed) > 1 else "it"} fail validation at deploy. Migrate '
                         f'{"them" if len(removed) > 1 else "it"} away first.',
                         table=name, field=removed[0], path=table.path, line=table.line)


def _function_changes(old: Inventory, new: Inventory, unread: frozenset[str]) -> Iterator[Change]:
    if not new.functions:
        return  # nothing found this time: a discovery problem, not an API that vanished
    for function_id, before in sorted(old.functions.items()):
        if before.visibility != "public" or before.kind not in CALLABLE_KINDS:
            continue
        now = new.functions.get(function_id)
        reference = "api." + function_id.replace("/", ".").replace(":", ".")
        if now is None:
            module, _, name = function_id.rpartition(":")
            if name in new.exported.get(module, frozenset()) or before.path in unread:
                continue  # still exported under a builder not followed, or its file was not read
            moved = next((other for other in sorted(new.functions) if other.rpartition(":")[2] == name
                          and other not in old.functions and new.functions[other].visibility == "public"), None)
            where = f" (moved to `{moved}`?)" if moved else " (removed or renamed)"
            yield Change("compat/public-function-removed",
                         f"The public {before.kind} `{function_id}` of the previous audit is gone{where}; deployed "
                         f"clients still call `{reference}`. Keep it, or an alias, until they no longer do.",
                         function=function_id, path=before.path, line=before.line)
            continue
        if now.visibility == "internal" and now.kind in CALLABLE_KINDS:
            yield Change("compat/public-function-removed",
                         f"The public {before.kind} `{function_id}` became internal; deployed clients that call "
                         f"`{reference}` start failing.", function=function_id, path=now.path, line=now.line)
            continue
        if now.visibility != "public" or now.kind not in CALLABLE_KINDS or now.args is None or before.args is None:
            continue
        added = [(name, shape, before.args.get(name)) for name, shape in now.args.items()
                 if is_required(shape) and not (name in before.args and is_required(before.args[name]))]
        if added:
            listed = ", ".join(f'"{name}" ({type_label(shape)}{", was optional" if previous else ""})'
                               for name, shape, previous in added)
            yield Change("compat/required-arg-added",
                         f"The public {now.kind} `{function_id}` now requires {listed}; deployed clients and "
                         "scheduled jobs call it without. Make new arguments `v.optional(...)` until they are gone.",
                         function=function_id, field=added[0][0], path=now.path, line=now.line)


def project_changes(project: ProjectFacts) -> list[Change]:
    """This audit's changes since its baseline (none without one), worked out once per project."""
    baseline = project.baseline
    if not isinstance(baseline, Inventory):
        return []
    cached = project.derived.get("compat_changes")
    if cached is None:
        unread = frozenset({failure.path for failure in project.parse_failures}
                           | {entry["path"] for entry in project.skipped})
        cached = project.derived["compat_changes"] = compare(baseline, current_inventory(project), unread=unread)
    return cached


def change_location(project: ProjectFacts, change: Change) -> Location:
    """Where a change is reported in the audited code: the field, the args, the function or its file."""
    schema = project.schema
    table = schema.tables.get(change.table) if schema is not None and change.table else None
    if table is not None:
        fact = table.fields.get(change.field or "")
        if change.rule != "compat/field-removed" and fact is not None and fact.loc is not None:
            return fact.loc
        return table.loc
    function = project.functions.get(change.function or "")
    if function is not None:
        loc = function.args_loc if change.rule == "compat/required-arg-added" and function.args_loc else None
        return loc or function.loc
    path = change.path or f"{project.convex_dir}/{(change.function or '').rpartition(':')[0]}.ts"
    return Location(path, max(change.line, 1), 0, max(change.line, 1), 0)


def is_required(shape: Shape) -> bool:
    return shape.get("kind") != "optional"


def type_label(shape: Shape) -> str:
    kind = shape.get("kind", "unknown")
    children = shape.get("children", [])
    if kind == "optional" and children:
        return f"optional<{type_label(children[0])}>"
    if kind == "id":
        return f'id("{shape.get("table", "")}")'
    if kind == "literal":
        return f"literal({shape.get('value', '?')})"
    if kind in {"array", "nullable"} and children:
        return f"{kind}<{type_label(children[0])}>"
    if kind == "record" and len(children) == 2:
        return f"record<{type_label(children[0])}, {type_label(children[1])}>"
    if kind == "union" and children:
        return " | ".join(type_label(child) for child in children)
    if kind == "object":
        return "object{" + ", ".join(shape.get("fields", {})) + "}"
    return kind


# What each literal type's values are, for literals under a base validator.
_LITERAL_BASES = {str: {"string"}, bool: {"boolean"}, int: {"number", "float64"}, float: {"number", "float64"}}
_ALIASES = {"float64": "number", "bigint": "int64", "nullable": "nullable"}
_SCALARS = frozenset({"string", "number", "int64", "boolean", "null", "bytes", "id", "literal", "array", "object",
                      "record", "any", "union", "optional", "nullable"})


def narrowed(old: Shape, new: Shape, depth: int = 0) -> bool | None:
    """Whether ``new`` rejects some value ``old`` accepted: True, False, or None when not known."""
    covered = _covers(new, old, depth)
    return None if covered is None else not covered


def _covers(new: Shape, old: Shape, depth: int) -> bool | None:
    """Whether every value ``old`` accepts, ``new`` accepts too; None when a side is not understood."""
    if depth > 30:
        return None
    new_kind, old_kind = _kind(new), _kind(old)
    if new_kind is None or old_kind is None:
        return None
    if old_kind == "optional":
        if new_kind != "optional":
            return False  # a missing field was accepted, and no longer is (v.any() needs a value too)
        return _covers(_child(new), _child(old), depth + 1)
    if new_kind == "optional":
        return _covers(_child(new), old, depth + 1)
    if new_kind == "any":
        return True
    if old_kind == "any":
        return False
    if old_kind in {"union", "nullable"}:
        answers = [_covers(new, member, depth + 1) for member in _members(old)]
        if any(answer is False for answer in answers):
            return False
        return None if any(answer is None for answer in answers) else True
    if new_kind in {"union", "nullable"}:
        answers = [_covers(member, old, depth + 1) for member in _members(new)]
        if any(answer is True for answer in answers):
            return True
        return None if any(answer is None for answer in answers) else False
    return _covers_plain(new, old, new_kind, old_kind, depth)


def _covers_plain(new: Shape, old: Shape, new_kind: str, old_kind: str, depth: int) -> bool | None:
    if old_kind == "literal":
        value = _literal(old)
        if value is _UNKNOWN:
            return None
        if new_kind == "literal":
            other = _literal(new)
            return None if other is _UNKNOWN else other == value and isinstance(other, bool) == isinstance(value, bool)
        return new_kind in _LITERAL_BASES.get(type(value), set()) or (new_kind == "null" and value is None)
    if new_kind == "literal":
        return False  # every value of a base type but one
    if old_kind == "id":
        if new_kind == "string":
            return True  # ids are strings
        if new_kind != "id":
            return False
        return new.get("table") == old.get("table") if "table" in new and "table" in old else None
    if old_kind != new_kind:
        return False
    if old_kind == "array":
        return _covers(_child(new), _child(old), depth + 1)
    if old_kind == "record":
        new_children, old_children = new.get("children", []), old.get("children", [])
        if len(new_children) != 2 or len(old_children) != 2:
            return None
        keys = _covers(new_children[0], old_children[0], depth + 1)
        values = _covers(new_children[1], old_children[1], depth + 1)
        if keys is False or values is False:
            return False
        return None if keys is None or values is None else True
    if old_kind == "object":
        return _covers_object(new, old, depth)
    return True  # the same scalar kind


def _covers_object(new: Shape, old: Shape, depth: int) -> bool | None:
    if new.get("open") or old.get("open"):
        return None
    new_fields, old_fields = new.get("fields", {}), old.get("fields", {})
    answers: list[bool | None] = []
    for name, old_field in old_fields.items():
        if name not in new_fields:
            return False  # objects are exact: a value holding the field is now rejected
        answers.append(_covers(new_fields[name], old_field, depth + 1))
    for name, new_field in new_fields.items():
        if name not in old_fields and is_required(new_field):
            return False  # a value without the new required field is rejected
    if any(answer is False for answer in answers):
        return False
    return None if any(answer is None for answer in answers) else True


_UNKNOWN = object()


def _literal(shape: Shape) -> object:
    text = shape.get("value")
    if not isinstance(text, str):
        return _UNKNOWN
    try:
        return json.loads(text)
    except ValueError:
        return _UNKNOWN


def _kind(shape: Shape) -> str | None:
    kind = shape.get("kind")
    if not isinstance(kind, str):
        return None
    kind = _ALIASES.get(kind, kind)
    return kind if kind in _SCALARS else None


def _child(shape: Shape) -> Shape:
    children = shape.get("children") or [{"kind": "unknown"}]
    return children[0]


def _members(shape: Shape) -> list[Shape]:
    if shape.get("kind") == "nullable":
        return [_child(shape), {"kind": "null"}]
    return list(shape.get("children") or [{"kind": "unknown"}])


__all__ = [
    "REPORT_VERSION",
    "BaselineError",
    "Change",
    "FunctionShape",
    "Inventory",
    "TableShape",
    "args_shape",
    "change_location",
    "compare",
    "current_inventory",
    "is_required",
    "load_baseline",
    "narrowed",
    "project_changes",
    "type_label",
    "validator_shape",
]
