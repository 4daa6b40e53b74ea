"""The schema: ``defineSchema``'s tables, their fields and indexes, and objects of tables a schema spreads in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor.engine.js import Node, callee_path, object_properties, property_name, property_name_of_member, string_value
from auditor.engine.librarytables import LIBRARY_TABLES, library_table
from auditor.engine.model import FieldFact, FrozenDict, IndexFact, Location, SchemaFact, TableFact, Validator

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor


@dataclass(slots=True)
class SchemaDraft:
    """A schema (or an object of tables) while extraction or linking fills it: see ``SchemaFact``."""

    path: str
    loc: Location
    tables: dict[str, TableFact] = field(default_factory=dict)
    open: bool = False
    validation: bool = True
    unread_spreads: list[str] = field(default_factory=list)
    spread_refs: list[tuple[str, str, str]] = field(default_factory=list)
    table_paths: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, schema: SchemaFact) -> SchemaDraft:
        return cls(schema.path, schema.loc, dict(schema.tables), schema.open, schema.validation,
                   list(schema.unread_spreads), list(schema.spread_refs), list(schema.table_paths))

    def freeze(self) -> SchemaFact:
        return SchemaFact(path=self.path, loc=self.loc, tables=FrozenDict(self.tables),
                          id_references=tuple(schema_id_references(self.tables)), open=self.open,
                          validation=self.validation, unread_spreads=tuple(self.unread_spreads),
                          spread_refs=tuple(self.spread_refs), table_paths=tuple(self.table_paths))


def collect_schema(x: FileExtractor) -> None:
    for node in x.by_type["CallExpression"]:
        if node.arguments and callee_path(node) == ["defineSchema"]:
            x.facts.schema = _schema(x, node)
            return


def _schema(x: FileExtractor, call: Node) -> SchemaFact:
    schema = SchemaDraft(path=x.path, loc=x.loc(call))
    tables_node = x.resolve(call.arguments[0])
    if tables_node is None or tables_node.type != "ObjectExpression":
        schema.open = True
        return schema.freeze()
    options = object_properties(x.resolve(call.arguments[1])) if len(call.arguments) > 1 else {}
    validation = options.get("schemaValidation")
    if validation is not None and validation.type == "Literal" and validation.value is False:
        schema.validation = False
    strict = options.get("strictTableNameTypes")
    if strict is not None and not (strict.type == "Literal" and strict.value is True):
        schema.open = True  # tables the schema does not list are allowed
    for prop in tables_node.properties:
        if prop.type == "SpreadElement":
            _schema_spread(x, schema, prop)
            continue
        _schema_table(x, schema, prop)
    return schema.freeze()


def _schema_spread(x: FileExtractor, schema: SchemaDraft, prop: Node) -> None:
    """``...authTables`` (a library's documented tables), a local object of tables, or an imported
    one: linking reads the tables the other module defines (``schema.spread_refs``)."""
    spread = prop.argument
    name = spread.name if spread.type == "Identifier" else None
    source, imported = x.scope.imports.get(name or "", ("", name))
    if imported in LIBRARY_TABLES:
        for table in LIBRARY_TABLES[imported]:
            schema.tables[table] = library_table(imported, table, x.loc(prop)) or \
                TableFact(table, x.loc(prop), opaque=True, library=imported)
        return
    resolved = x.resolve(spread)
    if resolved is not None and resolved.type == "ObjectExpression":
        _schema_tables(x, schema, resolved)
        return
    schema.open = True
    schema.unread_spreads.append(x.text(spread))
    if source and imported and x.project_source(source):
        schema.spread_refs.append((source, imported, x.text(spread)))


def _schema_tables(x: FileExtractor, schema: SchemaDraft, node: Node) -> None:
    for prop in node.properties:
        if prop.type == "Property":
            _schema_table(x, schema, prop)
        elif prop.type == "SpreadElement":
            _schema_spread(x, schema, prop)
        else:
            schema.open = True
            schema.unread_spreads.append("?")


def collect_table_sets(x: FileExtractor) -> None:
    """Top-level objects of ``defineTable(...)`` values that a schema elsewhere may spread in."""
    for name, init in x.scope.consts.items():
        node = x.resolve(init)
        if node is None or node.type != "ObjectExpression" or not node.properties:
            continue
        if not any(prop.type == "Property" and _is_table_chain(x, prop.value) for prop in node.properties):
            continue
        tables = SchemaDraft(path=x.path, loc=x.loc(node))
        _schema_tables(x, tables, node)
        x.facts.table_sets[name] = tables.freeze()


def _is_table_chain(x: FileExtractor, node: Node | None) -> bool:
    node = x.resolve(node)
    while node is not None and node.type == "CallExpression":
        callee = node.callee
        if callee.type == "Identifier":
            return callee.name == "defineTable"
        if callee.type != "MemberExpression":
            return False
        node = x.resolve(callee.object)
    return False


def _schema_table(x: FileExtractor, schema: SchemaDraft, prop: Node) -> None:
    name = property_name(prop)
    if name is None:
        schema.open = True
        return
    chain = x.resolve(prop.value)
    calls: list[tuple[str, Node, Node]] = []  # (method, call, property node)
    # A table built elsewhere (an imported constant, a library helper) has unknown indexes.
    opaque = True
    document: Validator | None = None
    table_fields: dict[str, FieldFact] = {}
    while chain is not None and chain.type == "CallExpression":
        callee = chain.callee
        if callee.type == "MemberExpression":
            calls.append((property_name_of_member(callee) or "", chain, callee.property))
            chain = x.resolve(callee.object)
        elif callee.type == "Identifier" and callee.name == "defineTable":
            opaque = False
            definition = x.resolve(chain.arguments[0]) if chain.arguments else None
            validator = x.validator(definition)
            document = validator
            fields = dict(validator.fields) if validator.kind == "object" else {}
            if validator.kind == "union":
                for option in validator.children:
                    fields.update(option.fields)
            for field_name, field_validator in fields.items():
                table_fields[field_name] = FieldFact(field_name, field_validator, field_validator.loc)
            break
        else:
            break
    indexes = [index for method, call, prop_node in reversed(calls)
               if (index := _index(x, name, method, call, prop_node)) is not None]
    schema.tables[name] = TableFact(name, x.loc(prop.key), opaque=opaque, fields=FrozenDict(table_fields),
                                    indexes=tuple(indexes), document=document)


def _index(x: FileExtractor, table: str, method: str, call: Node, prop_node: Node) -> IndexFact | None:
    kinds = {"index": "regular", "searchIndex": "search", "vectorIndex": "vector"}
    if method not in kinds or not call.arguments:
        return None
    name = string_value(call.arguments[0]) or ""
    config = x.resolve(call.arguments[1]) if len(call.arguments) > 1 else None
    fields: list[str] = []
    filter_fields: list[str] = []
    if config is not None and config.type == "ArrayExpression":
        fields = [value for value in (string_value(e) for e in config.elements) if value is not None]
    elif config is not None and config.type == "ObjectExpression":
        props = object_properties(config)
        if "fields" in props:
            fields = _string_list(x.resolve(props["fields"]))
        for key in ("searchField", "vectorField"):
            value = string_value(props.get(key))
            if value is not None:
                fields = [value]
        filter_fields = _string_list(x.resolve(props.get("filterFields")))
    return IndexFact(table, name, kinds[method], tuple(fields), x.loc(prop_node),  # type: ignore[arg-type]
                     tuple(filter_fields))


def _string_list(node: Node | None) -> list[str]:
    if node is None or node.type != "ArrayExpression":
        return []
    return [value for value in (string_value(e) for e in node.elements if e is not None) if value is not None]


def schema_id_references(tables: Mapping[str, TableFact]) -> list[tuple[str, str, str, Location]]:
    """(from table, field, to table, loc) for each ``v.id("t")`` in the tables' fields."""
    return [(table.name, field_fact.name, ref_table, ref_loc)
            for table in tables.values() for field_fact in table.fields.values()
            for ref_table, ref_loc in _id_targets(field_fact.validator)]


def _id_targets(validator: Validator) -> list[tuple[str, Location]]:
    return [(current.table, current.loc) for current in validator.walk()
            if current.kind == "id" and current.table and current.loc is not None]
