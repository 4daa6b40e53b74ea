"""What a registered handler hands back to its caller: documents, or fields of them, by table.

For each exported registration whose handler is written in the file, every value it returns is
followed back to the database reads it comes from:

- ``ctx.db.query("t")...collect()``/``take``/``first``/``unique`` give documents of ``t``, and
  ``.paginate(...)`` a page result whose ``page`` holds them;
- ``ctx.db.get(id)`` gives a document of the table the id's validator names: an argument
  (``args.userId`` with ``userId: v.id("users")``), the table-first form (``ctx.db.get("users",
  id)``), or a field of another document (``ctx.db.get(post.authorId)``; linking has the schema,
  so the fact keeps the field and the rule reads its table);
- convex-helpers' ``getOneFrom``/``getManyFrom(db, "t", ...)`` give documents of ``t``.

Values are followed through constants of the handler, ``await``, ``Promise.all``, array methods
that keep the items (``filter``, ``slice``, ``find``, ``[0]``...), ``map``/``flatMap`` callbacks
(returning the item, a spread of it, or some of its fields), object literals (``{ user, posts }``,
``{ ...user, email: undefined }``: a key written after a spread replaces what the spread gave),
rest destructuring (``const { email, ...rest } = user``), ``delete user.email``, conditionals and
``??``/``||``. A value the walk cannot see through (a callback given by name, a library call)
exposes nothing: the rule built on these facts must not guess.

Values cross functions through facts that linking joins. A call of a project function
(``return await getAll(ctx)``, local or imported) gives a read whose ``helper`` names it
(``local:name`` or ``import:source#name``), with what the caller did to the documents (fields
taken out or picked); the file of the function records what it returns under its name
(``helper_returns``), the same way, for every top-level function that takes ``ctx`` or a
database (``db: DatabaseReader``). Linking replaces each helper read by the function's own
reads, and gives a registration whose handler is imported (``handler: listUsers``) the reads of
that function. Ids handed in as an array argument (``userIds: v.array(v.id("users"))``) are
followed through ``map`` callbacks to ``ctx.db.get`` (``Promise.all(ids.map((id) =>
ctx.db.get(id)))``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.engine.deployfacts import exported_handlers
from auditor.engine.js import (
    FUNCTION_TYPES,
    Node,
    member_path,
    property_name,
    property_name_of_member,
    returned_expressions,
)
from auditor.engine.model import ReturnedRead

if TYPE_CHECKING:
    from auditor.engine.extract import FileExtractor

DOC_TERMINALS = frozenset({"collect", "take", "first", "unique"})
KEEPING_METHODS = frozenset({"filter", "slice", "sort", "toSorted", "reverse", "toReversed", "concat", "flat", "find",
                             "findLast", "at", "values"})
MAPPING_METHODS = frozenset({"map", "flatMap"})
RELATIONSHIP_HELPERS = frozenset({"getOneFrom", "getOneFromOrThrow", "getManyFrom"})
_MAX_DEPTH = 24


@dataclass(frozen=True, slots=True)
class _Docs:
    """Whole documents of a table, less the fields taken out. ``via`` names the id field of another table.

    With ``helper``, the documents (of a table linking tells) a project function returns."""

    table: str
    removed: frozenset[str] = frozenset()
    via: str | None = None  # the document is read by the id held in table.via
    page: bool = False  # a paginate result: the documents are under its `page`
    helper: str | None = None

    def without(self, keys: frozenset[str]) -> _Docs:
        return _Docs(self.table, self.removed | keys, self.via, self.page, self.helper)


@dataclass(frozen=True, slots=True)
class _Field:
    table: str
    name: str
    via: str | None = None
    helper: str | None = None


@dataclass(frozen=True, slots=True)
class _Ids:
    """Ids of a table: one (``item``), or an array of them handed in as an argument."""

    table: str
    item: bool = False


@dataclass(frozen=True, slots=True)
class _IdOf:
    """The value of an id field of a document: what ``ctx.db.get`` of it reads."""

    table: str
    field: str


_Value = _Docs | _Field | _IdOf | _Ids


def collect_returned_reads(x: FileExtractor) -> None:
    for export_name, handler, props in exported_handlers(x):
        x.facts.returned_reads.extend(_Handler(x, export_name, handler, props.get("args")).run())
    for name, fn in x.scope.functions.items():
        if fn.params and _takes_context(fn.params[0]):
            reads = _Handler(x, name, fn, None).run()
            if reads:
                x.facts.helper_returns[name] = reads


def _takes_context(param: Node) -> bool:
    """A first parameter that is ``ctx`` or a database: by name or by its type."""
    if param.type == "AssignmentPattern":
        param = param.left
    if param.type == "ObjectPattern":
        return True
    if param.type != "Identifier":
        return False
    annotation = getattr(param, "typeAnnotation", None)
    text = repr(annotation) if annotation is not None else ""
    return param.name in {"ctx", "context", "db"} or "Ctx" in text or "Context" in text or "Database" in text


class _Handler:
    def __init__(self, x: FileExtractor, export_name: str, fn: Node, args_node: Node | None) -> None:
        self.x = x
        self.export_name = export_name
        self.fn = fn
        self.id_tables, self.id_array_tables = self._id_tables(args_node)
        self.ctx_names: set[str] = set()
        self.db_names: set[str] = set()
        self.args_name: str | None = None
        self.args_fields: dict[int, str] = {}  # id(identifier) of a destructured argument -> its key
        self.rest_excluded: dict[int, frozenset[str]] = {}  # id(rest identifier) -> keys taken out before it
        self.deleted: dict[str, set[str]] = {}  # local -> fields removed with `delete local.field`
        self.bound: list[dict[str, list[_Value]]] = []  # callback parameters, innermost last
        self._evaluating: set[int] = set()

    def _id_tables(self, args_node: Node | None) -> tuple[dict[str, str], dict[str, str]]:
        """Arguments holding an id, and arguments holding an array of ids, with their tables."""
        if args_node is None:
            return {}, {}
        fields = self.x.validator_fields(args_node) or {}
        tables: dict[str, str] = {}
        arrays: dict[str, str] = {}
        for name, validator in fields.items():
            inner = validator
            while inner.kind in {"optional", "nullable"} and inner.children:
                inner = inner.children[0]
            if inner.kind == "id" and inner.table:
                tables[name] = inner.table
            elif inner.kind == "array" and inner.children and inner.children[0].kind == "id" \
                    and inner.children[0].table:
                arrays[name] = inner.children[0].table
        return tables, arrays

    def run(self) -> list[ReturnedRead]:
        fn = self.fn
        params = fn.params
        first = params[0] if params else None
        if first is not None and first.type == "AssignmentPattern":
            first = first.left
        if first is not None and first.type == "Identifier":
            self.ctx_names.add(first.name)
            self.db_names.add(first.name)  # a helper given the database itself (`db: DatabaseReader`)
        elif first is not None and first.type == "ObjectPattern":
            for prop in first.properties:
                if prop.type == "Property" and property_name(prop) == "db" and prop.value.type == "Identifier":
                    self.db_names.add(prop.value.name)
        second = params[1] if len(params) > 1 else None
        if second is not None and second.type == "AssignmentPattern":
            second = second.left
        if second is not None and second.type == "Identifier":
            self.args_name = second.name
        elif second is not None and second.type == "ObjectPattern":
            for prop in second.properties:
                key = property_name(prop) if prop.type == "Property" else None
                value = prop.value.left if prop.type == "Property" and prop.value.type == "AssignmentPattern" \
                    else getattr(prop, "value", None)
                if key is not None and value is not None and value.type == "Identifier":
                    self.args_fields[id(value)] = key
        self._scan_body()
        reads: list[ReturnedRead] = []
        for node in self._returned_expressions():
            for value in self.eval(node):
                read = self._read(value, node)
                if read is not None:
                    reads.append(read)
        return reads

    def _scan_body(self) -> None:
        """Rest elements and ``delete``\\ s of the body, from the file's walk (``ScopeModel.within``)."""
        scopes = self.x.scopes
        for node in scopes.within("VariableDeclarator", self.fn.body):
            if node.id.type == "ObjectPattern":
                taken: set[str] = set()
                for prop in node.id.properties:
                    if prop.type == "RestElement" and prop.argument.type == "Identifier":
                        self.rest_excluded[id(prop.argument)] = frozenset(taken)
                    elif prop.type == "Property":
                        key = property_name(prop)
                        if key is not None:
                            taken.add(key)
        for node in scopes.within("UnaryExpression", self.fn.body):
            if node.operator == "delete":
                path = member_path(node.argument)
                if path and len(path) == 2:
                    self.deleted.setdefault(path[0], set()).add(path[1])

    def _returned_expressions(self) -> list[Node]:
        """``js.returned_expressions`` of the function (the last ``return`` first), from the file's walk."""
        fn = self.fn
        if fn.type == "ArrowFunctionExpression" and fn.expression:
            return [fn.body]
        returns = self.x.scopes.in_function("ReturnStatement", fn)
        return [node.argument for node in reversed(returns) if node.argument is not None]

    def _read(self, value: _Value, at: Node) -> ReturnedRead | None:
        loc = self.x.loc(at)
        if isinstance(value, _Docs):
            return ReturnedRead(self.export_name, value.table, value.via, None, value.removed, loc, value.helper)
        if isinstance(value, _Field):
            return ReturnedRead(self.export_name, value.table, value.via, frozenset({value.name}), frozenset(), loc,
                                value.helper)
        return None

    # Evaluation ------------------------------------------------------------------------------

    def eval(self, node: Node | None, depth: int = 0) -> list[_Value]:
        if node is None or depth > _MAX_DEPTH or id(node) in self._evaluating:
            return []
        self._evaluating.add(id(node))
        try:
            return self._eval(node, depth + 1)
        finally:
            self._evaluating.discard(id(node))

    def _eval(self, node: Node, depth: int) -> list[_Value]:
        kind = node.type
        if kind in {"AwaitExpression", "ChainExpression", "TSNonNullExpression", "TSAsExpression"}:
            return self.eval(getattr(node, "argument", None) or node.expression, depth)
        if kind == "ConditionalExpression":
            return self.eval(node.consequent, depth) + self.eval(node.alternate, depth)
        if kind == "LogicalExpression":
            right = self.eval(node.right, depth)
            return right if node.operator == "&&" else self.eval(node.left, depth) + right
        if kind == "SequenceExpression":
            return self.eval(node.expressions[-1], depth) if node.expressions else []
        if kind == "Identifier":
            return self._identifier(node, depth)
        if kind == "ObjectExpression":
            return self._object(node, depth)
        if kind == "ArrayExpression":
            values: list[_Value] = []
            for element in node.elements:
                if element is not None:
                    values.extend(self.eval(element.argument if element.type == "SpreadElement" else element, depth))
            return values
        if kind == "MemberExpression":
            return self._member(node, depth)
        if kind == "CallExpression":
            return self._call(node, depth)
        return []

    def _identifier(self, node: Node, depth: int) -> list[_Value]:
        for frame in reversed(self.bound):
            if node.name in frame:
                return self._less_deleted(node.name, frame[node.name])
        binding = self.x.scopes.binding(node)
        if binding is not None and binding.kind == "param" and id(binding.declaration) in self.args_fields:
            table = self.id_array_tables.get(self.args_fields[id(binding.declaration)])
            return [_Ids(table)] if table else []
        if binding is None or binding.reassigned or binding.init is None or binding.kind not in {"const", "let"}:
            return []
        values = self.eval(binding.init, depth)
        for key in binding.path:
            if key == "...":
                excluded = self.rest_excluded.get(id(binding.declaration), frozenset())
                values = [v.without(excluded) if isinstance(v, _Docs) and not v.page else v for v in values]
            else:
                values = self._member_values(values, key)
        return self._less_deleted(node.name, values)

    def _less_deleted(self, name: str, values: list[_Value]) -> list[_Value]:
        removed = self.deleted.get(name)
        if not removed:
            return values
        return [v.without(frozenset(removed)) if isinstance(v, _Docs) else v for v in values]

    def _object(self, node: Node, depth: int) -> list[_Value]:
        values: list[_Value] = []
        for index, prop in enumerate(node.properties):
            later = frozenset(k for p in node.properties[index + 1:] if p.type == "Property"
                              and (k := property_name(p)) is not None)
            if prop.type == "SpreadElement":
                for value in self.eval(prop.argument, depth):
                    if isinstance(value, _Docs) and value.page:
                        if "page" not in later:
                            values.append(_Docs(value.table, value.removed, value.via, helper=value.helper))
                    elif isinstance(value, _Docs):
                        values.append(value.without(later))
                    elif isinstance(value, _Field):
                        values.append(value)
            elif prop.type == "Property":
                values.extend(v for v in self.eval(prop.value, depth) if not isinstance(v, _IdOf))
        return values

    def _member(self, node: Node, depth: int) -> list[_Value]:
        path = member_path(node)
        if path and len(path) == 2 and self.args_name is not None and path[0] == self.args_name:
            table = self.id_array_tables.get(path[1])
            return [_Ids(table)] if table else []
        base = self.eval(node.object, depth)
        if not base:
            return []
        if node.computed:
            index = node.property
            if index.type == "Literal" and isinstance(index.value, int | float):
                return [v for v in base if isinstance(v, _Docs) and not v.page]
            return []
        key = property_name_of_member(node)
        return self._member_values(base, key) if key is not None else []

    @staticmethod
    def _member_values(base: list[_Value], key: str) -> list[_Value]:
        values: list[_Value] = []
        for value in base:
            if isinstance(value, _Docs) and value.page:
                if key == "page":
                    values.append(_Docs(value.table, value.removed, value.via, helper=value.helper))
            elif isinstance(value, _Docs) and key not in value.removed and key not in {"length"}:
                values.append(_Field(value.table, key, value.via, value.helper))
                if value.via is None and value.helper is None:
                    values.append(_IdOf(value.table, key))
        return values

    def _call(self, node: Node, depth: int) -> list[_Value]:
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        path = member_path(callee)
        if path == ["Promise", "all"] and node.arguments:
            return self.eval(node.arguments[0], depth)
        if path == ["Array", "from"] and len(node.arguments) == 1:
            return self.eval(node.arguments[0], depth)
        if callee.type == "Identifier":
            imported = self.x.scope.imports.get(callee.name)
            if imported and imported[1] in RELATIONSHIP_HELPERS and len(node.arguments) >= 2:
                table = self.x.scopes.value(node.arguments[1])
                return [_Docs(table)] if isinstance(table, str) else []
            helper = self._helper_ref(callee.name)
            return [_Docs("", helper=helper)] if helper is not None and self._passes_context(node) else []
        if callee.type != "MemberExpression":
            return []
        method = property_name_of_member(callee)
        if method is None:
            return []
        db_read = self._db_read(node, callee, method)
        if db_read is not None:
            return db_read
        if method in KEEPING_METHODS:
            return [v for v in self.eval(callee.object, depth) if isinstance(v, _Docs) and not v.page]
        if method in MAPPING_METHODS and node.arguments:
            items: list[_Value] = []
            for value in self.eval(callee.object, depth):
                if isinstance(value, _Docs) and not value.page:
                    items.append(value)
                elif isinstance(value, _Ids) and not value.item:
                    items.append(_Ids(value.table, item=True))
            callback = node.arguments[0]
            if not items or callback.type not in FUNCTION_TYPES or not callback.params:
                return []
            return self._callback(callback, items, depth)
        return []

    def _callback(self, callback: Node, items: list[_Value], depth: int) -> list[_Value]:
        param = callback.params[0]
        frame: dict[str, list[_Value]] = {}
        if param.type == "Identifier":
            frame[param.name] = items
        elif param.type == "ObjectPattern":
            taken: set[str] = set()
            for prop in param.properties:
                if prop.type == "RestElement" and prop.argument.type == "Identifier":
                    frame[prop.argument.name] = [v.without(frozenset(taken)) for v in items if isinstance(v, _Docs)]
                elif prop.type == "Property" and prop.value.type == "Identifier":
                    key = property_name(prop)
                    if key is not None:
                        taken.add(key)
                        frame[prop.value.name] = self._member_values(items, key)
        else:
            return []
        self.bound.append(frame)
        try:
            returns = returned_expressions(callback)
            return [value for node in returns for value in self.eval(node, depth)]
        finally:
            self.bound.pop()

    def _db_read(self, node: Node, callee: Node, method: str) -> list[_Value] | None:
        """Documents read by a ``ctx.db`` chain ending at this call; None when it is no such chain."""
        if method == "get" and self._is_db(callee.object):
            args = node.arguments
            if len(args) >= 2:
                table = self.x.scopes.value(args[0])
                return [_Docs(table)] if isinstance(table, str) else []
            if not args:
                return []
            return self._docs_by_id(args[0])
        if method not in DOC_TERMINALS and method != "paginate":
            return None
        current = callee.object
        while current.type == "CallExpression":
            inner = current.callee.expression if current.callee.type == "ChainExpression" else current.callee
            if inner.type != "MemberExpression":
                return None
            if property_name_of_member(inner) == "query" and self._is_db(inner.object):
                table = self.x.scopes.value(current.arguments[0]) if current.arguments else None
                if not isinstance(table, str):
                    return []
                return [_Docs(table, page=method == "paginate")]
            current = inner.object
        return None

    def _docs_by_id(self, node: Node) -> list[_Value]:
        if node.type == "Identifier":
            binding = self.x.scopes.binding(node)
            if binding is not None and binding.kind == "param" and id(binding.declaration) in self.args_fields:
                table = self.id_tables.get(self.args_fields[id(binding.declaration)])
                return [_Docs(table)] if table else []
        path = member_path(node)
        if path and len(path) == 2 and path[0] == self.args_name and self.args_name is not None:
            table = self.id_tables.get(path[1])
            return [_Docs(table)] if table else []
        values = self.eval(node)
        return [_Docs(v.table, via=v.field) for v in values if isinstance(v, _IdOf)] + [
            _Docs(v.table) for v in values if isinstance(v, _Ids) and v.item]

    def _helper_ref(self, name: str) -> str | None:
        """The reference linking resolves for a call of a project function (as ``HelperCall.ref``)."""
        if name in self.x.scope.functions:
            return f"local:{name}"
        imported = self.x.scope.imports.get(name)
        if imported is not None and self.x.project_source(imported[0]) and "_generated" not in imported[0]:
            return f"import:{imported[0]}#{imported[1]}"
        return None

    def _passes_context(self, call: Node) -> bool:
        """The call hands on ``ctx`` or the database (so the function can read documents)."""
        for argument in call.arguments:
            path = member_path(argument)
            if path and path[0] in self.ctx_names | self.db_names:
                return True
        return False

    def _is_db(self, node: Node) -> bool:
        path = member_path(node)
        if not path:
            return False
        if len(path) == 2 and path[1] == "db" and path[0] in self.ctx_names:
            return True
        return len(path) == 1 and path[0] in self.db_names


__all__ = ["collect_returned_reads"]
