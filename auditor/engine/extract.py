"""One pass over one parsed file: its Convex facts, before the project is linked."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field

from auditor.engine.aliases import ImportAliases
from auditor.engine.answers import env_secret_comparisons, unused_answer_calls
from auditor.engine.argflow import analyse_args
from auditor.engine.client import extract_client
from auditor.engine.deployfacts import collect_deploy_facts
from auditor.engine.exposure import collect_returned_reads
from auditor.engine.js import (
    FUNCTION_TYPES,
    Node,
    callee_path,
    location,
    member_path,
    number_value,
    object_properties,
    property_name,
    property_name_of_member,
    string_value,
    unwrap,
    walk,
)
from auditor.engine.librarytables import LIBRARY_TABLES, library_table
from auditor.engine.loops import block_statements, per_item_below, statement_call
from auditor.engine.model import (
    BodyFacts,
    BuilderDef,
    CronFact,
    DbCall,
    FieldFact,
    FunctionRef,
    HelperCall,
    IdReference,
    IndexFact,
    Location,
    ModuleFacts,
    ObjectShape,
    Registration,
    ResponseFact,
    RouteFact,
    RunCall,
    SchemaFact,
    StringFact,
    TableFact,
    Validator,
)
from auditor.engine.moduleuses import collect_module_uses, random_call
from auditor.engine.scope import ScopeModel
from auditor.engine.walk import Visit, visit

BASE_BUILDERS: dict[str, tuple[str, str]] = {
    "query": ("query", "public"),
    "mutation": ("mutation", "public"),
    "action": ("action", "public"),
    "internalQuery": ("query", "internal"),
    "internalMutation": ("mutation", "internal"),
    "internalAction": ("action", "internal"),
    "httpAction": ("httpAction", "public"),
    "queryGeneric": ("query", "public"),
    "mutationGeneric": ("mutation", "public"),
    "actionGeneric": ("action", "public"),
    "internalQueryGeneric": ("query", "internal"),
    "internalMutationGeneric": ("mutation", "internal"),
    "internalActionGeneric": ("action", "internal"),
    "httpActionGeneric": ("httpAction", "public"),
}
CUSTOM_BUILDER_FACTORIES = frozenset({
    "customQuery", "customMutation", "customAction",
    "zCustomQuery", "zCustomMutation", "zCustomAction",
})
# Identity helpers from libraries; a project helper counts only through what it really calls.
LIBRARY_IDENTITY_HELPERS = {
    "@convex-dev/auth/server": frozenset({"getAuthUserId", "getAuthSessionId"}),
}
# Identity methods of library clients the project creates (better-auth's createClient(...)),
# counted when the call is handed the function's ctx.
# Convex Auth's `auth` object (`export const { auth } = convexAuth(...)`) answers getUserId(ctx)
# and getSessionId(ctx) in the releases that predate getAuthUserId.
LIBRARY_IDENTITY_METHODS = frozenset({"getAuthUser", "safeGetAuthUser", "getAuthUserId", "getUserId",
                                      "getSessionId"})
CONVEX_URL_VARS = frozenset({"NEXT_PUBLIC_CONVEX_URL", "VITE_CONVEX_URL", "CONVEX_URL",
                             "EXPO_PUBLIC_CONVEX_URL", "PUBLIC_CONVEX_URL", "REACT_APP_CONVEX_URL",
                             "CONVEX_CLOUD_URL"})
SIDE_EFFECT_GLOBALS = frozenset({"fetch", "setTimeout", "setInterval", "XMLHttpRequest", "WebSocket"})
SIDE_EFFECT_PACKAGES = frozenset({"axios", "node-fetch", "got", "ky", "undici", "nodemailer", "resend",
                                  "stripe", "openai", "@anthropic-ai/sdk", "twilio", "@sendgrid/mail"})
AUTHORIZATION_HEADERS = frozenset({"authorization", "x-api-key", "cookie"})
# Other credential-carrying headers: x-webhook-secret, x-auth-token, x-api-key variants.
AUTHORIZATION_HEADER_WORDS = re.compile(
    r"(?:^|[-_])(?:auth|token|secret|api[-_]?key|access[-_]?key)(?:[-_]|$)|authori[sz]ation", re.IGNORECASE)
# Project imports through a path alias (tsconfig "paths"): helpers the linker cannot follow.
ALIAS_IMPORT_PREFIXES = ("@/", "~/", "#/")
SIGNATURE_HEADER = re.compile(r"signature|svix-id|webhook-id", re.IGNORECASE)
SIGNATURE_CALLS = frozenset({"verify", "constructEvent", "constructEventAsync", "verifyWebhook",
                             "validateRequest", "timingSafeEqual", "verifySignature", "validateWebhook"})
DB_METHODS = frozenset({"query", "get", "insert", "patch", "replace", "delete", "normalizeId", "system"})
RUN_METHODS = frozenset({"runQuery", "runMutation", "runAction"})
SCHEDULER_RUNS = frozenset({"runAfter", "runAt"})
# Globals and value methods that have no side effects outside the function.
SAFE_GLOBALS = frozenset({
    "Error", "ConvexError", "String", "Number", "Boolean", "Array", "Object", "Date", "Promise", "Set", "Map",
    "JSON", "Math", "console", "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent",
    "decodeURIComponent", "structuredClone", "BigInt", "Symbol", "Intl", "RegExp",
})
SAFE_METHODS = frozenset({
    "map", "filter", "forEach", "reduce", "find", "findIndex", "some", "every", "includes", "join", "slice",
    "splice", "push", "pop", "shift", "unshift", "sort", "reverse", "flatMap", "flat", "concat", "indexOf", "at",
    "trim", "toLowerCase", "toUpperCase", "split", "startsWith", "endsWith", "replace", "replaceAll", "padStart",
    "padEnd", "substring", "charAt", "toFixed", "toString", "toISOString", "getTime", "valueOf", "keys", "values",
    "entries", "get", "set", "has", "add", "delete", "then", "catch", "finally", "localeCompare", "repeat",
})
CHAIN_TERMINALS = frozenset({"collect", "take", "first", "unique", "paginate"})
# A constant worth folding into the URLs built from it: a bare origin (`https://x.convex.cloud`).
URL_TEXT = re.compile(r"(?:https?:)?//[^/\s]+/?$")
# A parameter's type annotation naming Convex's database interface.
DATABASE_TYPE = re.compile(r"\s*\??\s*:\s*(?:Generic)?Database(?:Reader|Writer)\b")
_INDEXED_TYPES = ("VariableDeclarator", "TemplateLiteral", "Literal", "BinaryExpression", "CallExpression",
                  "VariableDeclaration")
# `"x:y" as any` and `<any>"x:y"`: a cast the blanked tree no longer shows, read from the source text.
_TYPE_ASSERTION_AFTER = re.compile(r"\s*as\b")
_TYPE_ASSERTION_BEFORE = re.compile(r">\s*$")


def module_source_path(source: str) -> bool:
    return source.startswith(".") or source.startswith("/")


def is_generated_server(source: str) -> bool:
    return source.endswith("_generated/server") or source.endswith("_generated/server.js")


@dataclass(slots=True)
class _Scope:
    """Top-level names of the file."""

    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    consts: dict[str, Node] = field(default_factory=dict)
    functions: dict[str, Node] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)


class FileExtractor:
    def __init__(self, path: str, module: str | None, source: str, tree: Node,
                 aliases: ImportAliases | None = None) -> None:
        self.path = path
        self.module = module
        self.tree = tree
        self.facts = ModuleFacts(path=path, module=module, source=source)
        self.scope = _Scope()
        self.facts.imports = self.scope.imports
        self.local_consts: dict[str, Node] = {}  # every const in the file, for value lookups
        # Names declared more than once, or with let/var: their value at a use is not known.
        self.ambiguous_consts: set[str] = set()
        self._inner_plus: set[int] = set()
        self._call_spans: list[tuple[int, int, str]] | None = None  # see _enclosing_call
        self._body_counter = 0
        self.aliases = aliases

    def project_source(self, source: str) -> bool:
        """An import of project code: a relative path, a tsconfig path alias or a workspace package."""
        return module_source_path(source) or (self.aliases is not None and self.aliases.is_project_source(source))

    # Entry point -----------------------------------------------------------------------------

    def extract(self) -> ModuleFacts:
        # One walk of the whole file; each step below reads the node kinds it needs.
        self.scopes = ScopeModel(self.tree, index=_INDEXED_TYPES)
        self.by_type = self.scopes.by_type
        self.facts.top_level_reads = frozenset(self.scopes.module_reads)
        self._collect_scope()
        self._detect_directives()
        self._collect_strings_and_ids()
        if self.module is None:
            extract_client(self)
            return self.facts
        self._collect_helper_bodies()
        self._collect_builder_defs()
        self._collect_registrations()
        self._collect_routers_and_crons()
        self._collect_schema()
        self._collect_table_sets()
        collect_module_uses(self)
        collect_deploy_facts(self)
        collect_returned_reads(self)
        return self.facts

    def loc(self, node: Node) -> Location:
        return location(self.path, node)

    # Scope -----------------------------------------------------------------------------------

    def _collect_scope(self) -> None:
        facts = self.facts
        for statement in self.tree.body:
            declaration = statement
            if statement.type in {"ImportDeclaration", "ExportNamedDeclaration", "ExportAllDeclaration"} \
                    and statement.source is not None and isinstance(statement.source.value, str):
                names = tuple(spec.local.name for spec in statement.specifiers) \
                    if statement.type == "ImportDeclaration" else ()
                facts.import_statements.append((statement.source.value, self.loc(statement), names))
            if statement.type == "ImportDeclaration":
                source = statement.source.value
                for spec in statement.specifiers:
                    if spec.type == "ImportDefaultSpecifier":
                        self.scope.imports[spec.local.name] = (source, "default")
                    elif spec.type == "ImportNamespaceSpecifier":
                        self.scope.imports[spec.local.name] = (source, "*")
                    else:
                        imported = spec.imported.name if spec.imported.type == "Identifier" else spec.imported.value
                        self.scope.imports[spec.local.name] = (source, imported)
                        facts.import_specifiers.append((source, imported, self.loc(spec)))
                continue
            if statement.type == "ExportNamedDeclaration":
                if statement.source is not None:
                    for spec in statement.specifiers:
                        facts.reexports.append((_spec_name(_exported(spec)), statement.source.value,
                                                _spec_name(spec.local)))
                    continue
                for spec in statement.specifiers:
                    facts.exports[_spec_name(_exported(spec))] = _spec_name(spec.local)
                declaration = statement.declaration
                if declaration is None:
                    continue
                for name in _declared_names(declaration):
                    facts.exports[name] = name
            elif statement.type == "ExportAllDeclaration":
                exported = _spec_name(statement.exported) if statement.exported else "*"
                facts.reexports.append((exported, statement.source.value, "*"))
                continue
            elif statement.type == "ExportDefaultDeclaration":
                declaration = statement.declaration
                if declaration.type == "Identifier":
                    facts.exports["default"] = declaration.name
                    continue
                if declaration.type in {"FunctionDeclaration", "ClassDeclaration"} and declaration.id:
                    facts.exports["default"] = declaration.id.name
                else:
                    facts.exports["default"] = "default"
                    self.scope.consts["default"] = declaration
                    continue
            self._declare(declaration)
        for node in self.by_type["VariableDeclarator"]:
            if node.id.type == "Identifier" and node.init is not None:
                if node.id.name in self.local_consts:
                    self.ambiguous_consts.add(node.id.name)
                self.local_consts.setdefault(node.id.name, node.init)
        for declaration in self.by_type["VariableDeclaration"]:
            if declaration.kind != "const":
                self.ambiguous_consts.update(d.id.name for d in declaration.declarations if d.id.type == "Identifier")

    def _declare(self, declaration: Node) -> None:
        if declaration.type == "VariableDeclaration":
            for declarator in declaration.declarations:
                if declarator.id.type != "Identifier" or declarator.init is None:
                    continue
                name = declarator.id.name
                init = declarator.init
                if init.type in {"ArrowFunctionExpression", "FunctionExpression"}:
                    self.scope.functions[name] = init
                self.scope.consts[name] = init
        elif declaration.type == "FunctionDeclaration" and declaration.id is not None:
            self.scope.functions[declaration.id.name] = declaration

    def _detect_directives(self) -> None:
        for statement in self.tree.body:
            directive = getattr(statement, "directive", None)
            if directive is None:
                break
            if directive == "use node":
                self.facts.use_node = True

    # Values ----------------------------------------------------------------------------------

    def resolve(self, node: Node | None, depth: int = 0) -> Node | None:
        """Follow identifiers to the constant they name, within this file."""
        return self.scopes.resolve(node)

    def function_ref(self, node: Node | None) -> tuple[FunctionRef | None, str, bool]:
        """An ``api.x.y``/``internal.x.y`` reference, its text, and whether it is a direct function."""
        if node is None:
            return None, "", False
        resolved = self.resolve(node)
        path = member_path(resolved)
        text = ".".join(path) if path else self.text(node)
        if path and len(path) >= 3 and path[0] in {"api", "internal"}:
            source = self.scope.imports.get(path[0], ("", ""))[0]
            if path[0] in self.scope.imports and not source.endswith("_generated/api") \
                    and "_generated/api" not in source:
                return None, text, False
            return FunctionRef(path[0], "/".join(path[1:-1]), path[-1]), text, False
        if path and len(path) >= 3 and path[0] == "components":
            return None, text, False
        direct = resolved is not None and (
            resolved.type in FUNCTION_TYPES
            or (node.type == "Identifier" and (node.name in self.scope.functions
                                               or node.name in self._registered_names()
                                               or (node.name in self.scope.imports
                                                   and self.project_source(self.scope.imports[node.name][0])
                                                   and "_generated" not in self.scope.imports[node.name][0])))
        )
        return None, text, direct

    def string_reference(self, node: Node | None) -> str | None:
        """A string literal given where a function reference belongs, unless a type assertion hides it."""
        literal = node
        if node is not None and node.type == "Identifier" and node.name not in self.ambiguous_consts:
            literal = self.local_consts.get(node.name)
        value = string_value(literal)
        if value is None or value.startswith("function://"):  # function handles are strings
            return None
        for candidate in (node, literal):
            start, end = candidate.range
            if _TYPE_ASSERTION_AFTER.match(self.facts.source, end) or _TYPE_ASSERTION_BEFORE.search(
                    self.facts.source, 0, start):
                return None
        return value

    def _registered_names(self) -> set[str]:
        return {
            name for name, init in self.scope.consts.items()
            if init.type == "CallExpression" and init.callee.type == "Identifier"
            and init.callee.name in BASE_BUILDERS
        }

    def text(self, node: Node) -> str:
        start, end = node.range
        return self.facts.source[start:end]

    # Strings and ids -------------------------------------------------------------------------

    def _collect_strings_and_ids(self) -> None:
        strings = self.facts.strings
        for node in self.by_type["TemplateLiteral"]:
            strings.append(self._template_fact(node))
        for node in self.by_type["Literal"]:
            if isinstance(node.value, str):
                strings.append(StringFact(node.value, self.loc(node), parts=[("text", node.value)]))
        for node in self.by_type["BinaryExpression"]:
            # The outermost `+` of a chain (its parent is no `+`) is read once, with every operand.
            if node.operator == "+" and id(node) not in self._inner_plus:
                parts, built = self._concat_parts(node)
                if built:
                    value = "".join(text if kind == "text" else "${}" for kind, text in parts)
                    strings.append(StringFact(value, self.loc(node), parts=parts, is_template=True))
        strings.sort(key=lambda fact: (fact.loc.line, fact.loc.column))
        if self.module is None:
            return
        for node in self.by_type["CallExpression"]:
            if node.arguments and callee_path(node) == ["v", "id"]:
                table = string_value(node.arguments[0])
                if table is not None:
                    self.facts.id_references.append(
                        IdReference(table, self.loc(node.arguments[0]), self._enclosing_call(node)))

    def _enclosing_call(self, node: Node) -> str | None:
        """The innermost call to a plain function (not defineTable/defineSchema, not a Convex builder)
        whose arguments hold ``node``."""
        spans = self._call_spans
        if spans is None:
            spans = self._call_spans = [
                (call.range[0], call.range[1], call.callee.name) for call in self.by_type["CallExpression"]
                if call.callee.type == "Identifier" and call.arguments
                and call.callee.name not in {"defineTable", "defineSchema", *BASE_BUILDERS}]
        start, end = node.range
        inside = [span for span in spans if span[0] < start and end <= span[1]]
        return max(inside, key=lambda span: span[0])[2] if inside else None

    def _template_fact(self, node: Node) -> StringFact:
        parts: list[tuple[str, str]] = []
        for index, quasi in enumerate(node.quasis):
            parts.append(("text", quasi.value.cooked or ""))
            if index < len(node.expressions):
                parts.append(self._url_part(node.expressions[index]))
        value = "".join(text if kind == "text" else "${}" for kind, text in parts)
        return StringFact(value, self.loc(node), parts=parts, is_template=True)

    def _concat_parts(self, node: Node) -> tuple[list[tuple[str, str]], bool]:
        """The operands of a ``+`` chain as parts, and whether any is not a literal (a string built in code)."""
        operands: list[Node] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "BinaryExpression" and current.operator == "+":
                if current is not node:
                    self._inner_plus.add(id(current))
                stack.append(current.right)
                stack.append(current.left)
            else:
                operands.append(current)
        parts: list[tuple[str, str]] = []
        built = False
        for operand in operands:
            value = string_value(operand)
            built = built or value is None
            parts.append(("text", value) if value is not None else self._url_part(operand))
        return parts, built

    def _url_part(self, node: Node) -> tuple[str, str]:
        """A template or ``+`` operand: a URL constant folded into the text (``const BASE =
        "https://x.convex.cloud"``, also through other constants), else the kind of URL it is."""
        text = self._const_url(node)
        return ("text", text) if text is not None else ("expr", self._url_kind(node))

    def _const_url(self, node: Node | None, depth: int = 0) -> str | None:
        if node is None or depth > 6 or node.type != "Identifier" or node.name not in self.local_consts \
                or node.name in self.ambiguous_consts:
            return None
        init = self.local_consts[node.name]
        value = string_value(init)
        if value is None:
            return self._const_url(init, depth + 1)
        return value if URL_TEXT.match(value) else None

    def _url_kind(self, node: Node, depth: int = 0) -> str:
        """Whether an expression is the deployment URL (.convex.cloud) or its .convex.site rewrite."""
        if depth > 6 or node is None:
            return "other"
        if node.type in {"TSNonNullExpression", "ChainExpression"}:
            return self._url_kind(node.expression, depth + 1)
        if node.type == "Identifier" and node.name in self.local_consts and node.name not in self.ambiguous_consts:
            return self._url_kind(self.local_consts[node.name], depth + 1)
        if node.type == "LogicalExpression":
            return self._url_kind(node.left, depth + 1)
        path = member_path(node)
        if path is None and node.type == "MemberExpression" and node.object.type == "MemberExpression":
            # import.meta.env.VITE_CONVEX_URL: the root is a MetaProperty, not an identifier.
            path = ["import.meta", property_name_of_member(node.object) or "", property_name_of_member(node) or ""]
        if path and len(path) >= 3 and path[-1] in CONVEX_URL_VARS and path[-2] == "env":
            return "convex_cloud_url"
        if path and (path[-1] == "CONVEX_SITE_URL" or path[-1].endswith("_CONVEX_SITE_URL")):
            return "convex_site_url"
        if node.type == "CallExpression" and node.callee.type in {"MemberExpression", "ChainExpression"}:
            callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
            method = property_name_of_member(callee)
            if method in {"replace", "replaceAll"} and len(node.arguments) >= 2:
                replaced = string_value(node.arguments[1]) or ""
                if ".site" in replaced:
                    return "convex_site_url"
            return self._url_kind(callee.object, depth + 1) if method in {"trim", "toString"} else "other"
        return "other"

    # Bodies ----------------------------------------------------------------------------------

    def _collect_helper_bodies(self) -> None:
        for name, fn in self.scope.functions.items():
            body = self.analyse_body(fn, f"{self.path}#{name}", name)
            self.facts.bodies[name] = body
        for name, init in self.scope.consts.items():
            shape = self.object_shape(init)
            if shape is not None:
                self.facts.object_shapes[name] = shape
        for name, fn in self.scope.functions.items():
            returned = _returned_object(fn)
            if returned is not None:
                shape = self.object_shape(returned)
                if shape is not None:
                    self.facts.object_shapes[name] = shape

    def object_shape(self, node: Node | None, depth: int = 0) -> ObjectShape | None:
        named = node is not None and node.type == "Identifier"
        node = self.resolve(node)
        if node is None or depth > 6:
            return None
        if node.type == "NewExpression" and node.callee.type == "Identifier" and node.callee.name == "Headers":
            shape = self.object_shape(node.arguments[0], depth + 1) if node.arguments else ObjectShape()
            if named and shape is not None:
                # A Headers held in a variable may get more names through .set/.append later.
                shape = ObjectShape(shape.keys, shape.refs, opaque=True)
            return shape
        if node.type == "CallExpression" and node.callee.type == "Identifier":
            name = node.callee.name
            if name in self.scope.functions:
                returned = _returned_object(self.scope.functions[name])
                return self.object_shape(returned, depth + 1) if returned is not None else ObjectShape(opaque=True)
            if name in self.scope.imports and self.project_source(self.scope.imports[name][0]):
                return ObjectShape(refs=(self.scope.imports[name],))
            return None
        if node.type == "Identifier" and node.name in self.scope.imports:
            source, imported = self.scope.imports[node.name]
            if self.project_source(source):
                return ObjectShape(refs=((source, imported),))
            return ObjectShape(opaque=True)
        if node.type != "ObjectExpression":
            return None
        keys: set[str] = set()
        refs: list[tuple[str, str]] = []
        opaque = False
        values: dict[str, str] = {}  # in source order: a later key or spread overrides an earlier value
        for prop in node.properties:
            if prop.type == "SpreadElement":
                inner = self.object_shape(prop.argument, depth + 1)
                if inner is None or inner.opaque or inner.refs:
                    values.clear()  # what the spread holds may override any earlier value
                if inner is None:
                    opaque = True
                else:
                    keys |= inner.keys
                    refs.extend(inner.refs)
                    opaque = opaque or inner.opaque
                    for key in inner.keys:
                        values.pop(key, None)
                    values.update(inner.values)
                continue
            name = property_name(prop)
            if name is None:
                opaque = True
                continue
            keys.add(name.lower())
            value = self.scopes.value(prop.value)
            if isinstance(value, str | bool):
                values[name.lower()] = str(value).lower() if isinstance(value, bool) else value
            else:
                values.pop(name.lower(), None)
        return ObjectShape(frozenset(keys), tuple(refs), opaque, tuple(values.items()))

    def analyse_body(self, fn: Node, key: str, name: str, ctx_names: set[str] | None = None) -> BodyFacts:
        body = BodyFacts(key=key, path=self.path, name=name, loc=self.loc(fn),
                         line_count=fn.loc.end.line - fn.loc.start.line + 1)
        ctx_aliases = self._ctx_aliases(fn, ctx_names)
        params = {p.name for p in fn.params if p.type == "Identifier"}
        params |= {p.left.name for p in fn.params if p.type == "AssignmentPattern" and p.left.type == "Identifier"}
        _BodyWalker(self, body, ctx_aliases, params).run(fn)
        body.compares_env_secret = [self.loc(node) for node in env_secret_comparisons(fn)]
        if "#export:" in key:
            analyse_args(fn, body, ctx_aliases, self.loc)
        return body

    def _ctx_aliases(self, fn: Node, ctx_names: set[str] | None) -> dict[str, tuple[str, ...]]:
        aliases: dict[str, tuple[str, ...]] = {"ctx": ()}
        for name in ctx_names or ():
            aliases[name] = ()
        for param in fn.params:
            # A helper handed the database itself (`db: DatabaseReader`, or a parameter named `db`).
            param = param.left if param.type == "AssignmentPattern" else param
            if param.type == "Identifier" and (param.name == "db" or self._database_typed(param)):
                aliases[param.name] = ("db",)
        first = fn.params[0] if fn.params else None
        if first is None:
            return aliases
        if first.type == "AssignmentPattern":
            first = first.left
        if first.type == "Identifier" and (ctx_names is not None or "ctx" in first.name.lower()
                                           or first.name.lower() in {"context", "c"}):
            aliases[first.name] = ()
        elif first.type == "ObjectPattern":
            for prop in first.properties:
                if prop.type == "Property" and prop.value.type == "Identifier":
                    key = property_name(prop)
                    if key:
                        aliases[prop.value.name] = (key,)
        self._body_ctx_aliases(fn, aliases)
        return aliases

    @staticmethod
    def _body_ctx_aliases(fn: Node, aliases: dict[str, tuple[str, ...]]) -> None:
        """Names the body takes from the context: ``const { db, auth } = ctx`` or ``const db = ctx.db``."""
        body = fn.body
        if body is None or body.type != "BlockStatement":
            return
        for node in walk(body):
            if node.type != "VariableDeclarator" or node.init is None:
                continue
            init = node.init
            if init.type == "Identifier" and init.name in aliases and node.id.type == "ObjectPattern":
                for prop in node.id.properties:
                    key = property_name(prop) if prop.type == "Property" else None
                    if key and prop.value.type == "Identifier":
                        aliases.setdefault(prop.value.name, aliases[init.name] + (key,))
            elif init.type == "MemberExpression" and node.id.type == "Identifier":
                path = member_path(init)
                if path and path[0] in aliases and len(path) > 1:
                    aliases.setdefault(node.id.name, aliases[path[0]] + tuple(path[1:]))

    def _database_typed(self, param: Node) -> bool:
        """``name: DatabaseReader`` (Writer, Generic...<DataModel>): read from the source, the type
        annotation being blanked out of the tree."""
        return DATABASE_TYPE.match(self.facts.source, param.range[1]) is not None

    # Custom builders and registrations ---------------------------------------------------------

    def _collect_builder_defs(self) -> None:
        for name, init in self.scope.consts.items():
            if init.type != "CallExpression" or init.callee.type != "Identifier":
                continue
            factory = init.callee.name
            imported = self.scope.imports.get(factory)
            factory_name = imported[1] if imported else factory
            if factory_name not in CUSTOM_BUILDER_FACTORIES or not init.arguments:
                continue
            base = init.arguments[0]
            if base.type != "Identifier":
                continue
            context_body = None
            if len(init.arguments) > 1:
                context_fn = self._custom_context_function(init.arguments[1])
                if context_fn is not None:
                    context_key = f"{self.path}#{name}.ctx"
                    self.facts.bodies[f"{name}.ctx"] = self.analyse_body(context_fn, context_key, f"{name} context",
                                                                         ctx_names=set())
                    context_body = context_key
            self.facts.builder_defs[name] = BuilderDef(name, base.name, self.loc(init), context_body)

    def _custom_context_function(self, node: Node) -> Node | None:
        node = self.resolve(node)
        if node is None:
            return None
        if node.type in FUNCTION_TYPES:
            return node
        if node.type == "CallExpression" and node.arguments:
            path = callee_path(node)
            if path and path[-1] == "customCtx":
                inner = self.resolve(node.arguments[0])
                return inner if inner is not None and inner.type in FUNCTION_TYPES else None
        if node.type == "ObjectExpression":
            props = object_properties(node)
            inner = self.resolve(props.get("input"))
            return inner if inner is not None and inner.type in FUNCTION_TYPES else None
        return None

    def _collect_registrations(self) -> None:
        exported_locals = {local: exported for exported, local in self.facts.exports.items()}
        for local, init in self.scope.consts.items():
            exported = exported_locals.get(local)
            if exported is None:
                continue
            declaration = self._export_statement_for(local)
            conditional = False
            call = init
            if call.type == "ConditionalExpression":
                conditional = True
                call = call.consequent if call.consequent.type == "CallExpression" else call.alternate
            if call.type == "LogicalExpression":
                conditional = True
                call = call.right
            if call.type != "CallExpression" or call.callee.type != "Identifier" or not call.arguments:
                continue
            registration = self._registration(exported, call, declaration or init, conditional)
            if registration is not None:
                self.facts.registrations.append(registration)

    def _export_statement_for(self, local: str) -> Node | None:
        for statement in self.tree.body:
            if statement.type == "ExportNamedDeclaration" and statement.declaration is not None \
                    and local in _declared_names(statement.declaration):
                return statement
            if statement.type == "ExportDefaultDeclaration" and local == "default":
                return statement
        for statement in self.tree.body:
            if statement.type == "VariableDeclaration" and local in _declared_names(statement):
                return statement
        return None

    def _registration(self, exported: str, call: Node, anchor: Node, conditional: bool) -> Registration | None:
        argument = call.arguments[0]
        callee = call.callee.name
        builder_name = self.scope.imports.get(callee, ("", callee))[1]
        known_builder = (builder_name in BASE_BUILDERS or callee in self.facts.builder_defs
                         or (callee in self.scope.imports and self.project_source(self.scope.imports[callee][0])))
        if not known_builder:
            return None
        loc = self.loc(anchor)
        key = f"{self.path}#export:{exported}"
        if argument.type in FUNCTION_TYPES:
            body = self.analyse_body(argument, key, exported, ctx_names=set())
            self.facts.bodies[f"export:{exported}"] = body
            return Registration(exported, callee, loc, "function", key, conditional=conditional)
        spread = any(prop.type == "SpreadElement" for prop in argument.properties) \
            if argument.type == "ObjectExpression" else False
        if argument.type != "ObjectExpression":
            return None
        props = object_properties(argument)
        handler = props.get("handler")
        if handler is None:
            return None
        registration = Registration(exported, callee, loc, "object", None, conditional=conditional,
                                    options_spread=spread)
        resolved_handler = self.resolve(handler)
        if resolved_handler is not None and resolved_handler.type in FUNCTION_TYPES:
            body = self.analyse_body(resolved_handler, key, exported, ctx_names=set())
            self.facts.bodies[f"export:{exported}"] = body
            registration.body_key = key
        elif handler.type == "Identifier" and handler.name in self.scope.functions:
            registration.body_key = f"{self.path}#{handler.name}"
        elif handler.type == "Identifier" and handler.name in self.scope.imports:
            registration.handler_ref = self.scope.imports[handler.name]
        if "args" in props:
            registration.has_args = True
            registration.args_loc = self.loc(props["args"])
            registration.args = self.validator_fields(props["args"])
            registration.args_validator = self.validator(props["args"])
        if "returns" in props:
            registration.has_returns = True
            registration.returns = self.validator(props["returns"])
        return registration

    # Validators ------------------------------------------------------------------------------

    def validator_fields(self, node: Node | None) -> dict[str, Validator] | None:
        node = self.resolve(node)
        if node is None:
            return None
        if node.type == "CallExpression" and callee_path(node) == ["v", "object"] and node.arguments:
            node = self.resolve(node.arguments[0])
        if node is None or node.type != "ObjectExpression":
            return None
        fields: dict[str, Validator] = {}
        for prop in node.properties:
            if prop.type == "SpreadElement":
                inner = self.validator_fields(prop.argument)
                if inner:
                    fields.update(inner)
                continue
            name = property_name(prop)
            if name is not None:
                fields[name] = self.validator(prop.value)
        return fields

    def _fields_complete(self, node: Node | None, depth: int = 0) -> bool:
        """Whether every field of an object of validators is read: no unresolved spread or computed key."""
        node = self.resolve(node)
        if node is not None and node.type == "CallExpression" and callee_path(node) == ["v", "object"] \
                and node.arguments:
            node = self.resolve(node.arguments[0])
        if node is None or node.type != "ObjectExpression" or depth > 8:
            return False
        for prop in node.properties:
            if prop.type == "SpreadElement":
                if not self._fields_complete(prop.argument, depth + 1):
                    return False
            elif property_name(prop) is None:
                return False
        return True

    def validator(self, node: Node | None, depth: int = 0) -> Validator:
        original = node
        node = self.resolve(node)
        if node is None or depth > 40:
            return Validator("unknown")
        loc = self.loc(original if original is not None else node)
        if node.type == "ObjectExpression":
            return Validator("object", fields=self.validator_fields(node) or {}, loc=loc,
                             open=not self._fields_complete(node))
        if node.type != "CallExpression":
            return Validator("unknown", loc=loc)
        path = callee_path(node)
        if path is None and node.callee.type == "MemberExpression":
            # Chained helpers like v.string().optional() are not Convex API; treat the base.
            return self.validator(node.callee.object, depth + 1)
        if not path or len(path) != 2 or path[0] not in {"v", "zid"}:
            return Validator("unknown", loc=loc)
        kind = path[1]
        args = node.arguments
        if kind == "id":
            return Validator("id", table=string_value(args[0]) if args else None, loc=loc)
        if kind == "object":
            return Validator("object", fields=self.validator_fields(args[0]) or {} if args else {}, loc=loc,
                             open=bool(args) and not self._fields_complete(args[0]))
        if kind == "literal":
            literal = args[0] if args else None
            value = json.dumps(literal.value) if literal is not None and literal.type == "Literal" \
                and isinstance(literal.value, str | int | float | bool) else None
            return Validator("literal", loc=loc, value=value)
        if kind in {"optional", "array", "nullable"}:
            child = [self.validator(args[0], depth + 1)] if args else []
            return Validator(kind, children=child, loc=loc)
        if kind == "union":
            return Validator("union", children=[self.validator(arg, depth + 1) for arg in args], loc=loc)
        if kind == "record":
            return Validator("record", children=[self.validator(arg, depth + 1) for arg in args], loc=loc)
        return Validator(kind, loc=loc)

    # Routers and crons -----------------------------------------------------------------------

    def _collect_routers_and_crons(self) -> None:
        routers: dict[str, bool] = {}  # local name -> adds CORS itself (convex-helpers corsRouter)
        crons: set[str] = set()
        for name, init in self.local_consts.items():
            if init.type == "CallExpression":
                path = callee_path(init)
                if path and path[-1] == "httpRouter":
                    routers[name] = False
                elif path and path[-1] == "corsRouter":
                    routers[name] = True
                elif path and path[-1] == "cronJobs":
                    crons.add(name)
            elif init.type == "NewExpression" and init.callee.type == "Identifier" \
                    and init.callee.name in {"HttpRouter"}:
                routers[name] = False
        self.facts.routers = [(name, self.loc(self.local_consts[name])) for name in routers]
        if not routers and not crons:
            return
        top_level = {id(statement.expression) for statement in self.tree.body
                     if statement.type == "ExpressionStatement"}
        for node in self.by_type["CallExpression"]:
            path = callee_path(node)
            if not path or len(path) != 2:
                continue
            if path[0] in routers and path[1] == "route" and node.arguments:
                self._route(node, path[0], adds_cors=routers[path[0]], top_level=id(node) in top_level)
            elif path[0] in crons:
                self._cron(node, path[1], path[0], top_level=id(node) in top_level)

    def _route(self, call: Node, router: str, adds_cors: bool, top_level: bool) -> None:
        spec = self.resolve(call.arguments[0])
        props = object_properties(spec)
        method_literal = string_value(self.resolve(props.get("method")))
        method = (method_literal or ("GET" if "method" not in props else "*")).upper()
        spec_open = spec is None or spec.type != "ObjectExpression" \
            or any(prop.type != "Property" or property_name(prop) is None for prop in spec.properties)
        route = RouteFact(method=method, path=string_value(props.get("path")),
                          path_prefix=string_value(props.get("pathPrefix")), loc=self.loc(call),
                          handler_label="inline", adds_cors=adds_cors, router=router, top_level=top_level,
                          spec_keys=frozenset(props), spec_open=spec_open, method_literal=method_literal)
        handler = props.get("handler")
        if handler is None:
            self.facts.routes.append(route)
            return
        resolved = self.resolve(handler)
        route.handler_form, route.handler_builder = self._handler_form(handler, resolved)
        if handler.type == "Identifier":
            route.handler_label = handler.name
            if handler.name in self.scope.imports:
                route.handler_import = self.scope.imports[handler.name]
            elif f"export:{handler.name}" in self.facts.bodies or handler.name in self.scope.consts:
                exported = next((e for e, local in self.facts.exports.items() if local == handler.name), None)
                route.handler_local = exported if exported is not None else handler.name
                if exported is None and handler.name not in self.facts.bodies:
                    self._local_http_handler(handler.name)
        wrapped = resolved.arguments[0] if resolved is not None and resolved.type == "CallExpression" \
            and resolved.arguments and route.handler_form == "wrapped" else None
        if wrapped is not None and wrapped.type == "Identifier":
            # `handler: httpAction(handleIngest)`: the function is defined elsewhere, linking finds it.
            if wrapped.name in self.scope.imports:
                route.handler_import = self.scope.imports[wrapped.name]
            elif wrapped.name in self.scope.functions:
                route.handler_local = wrapped.name
        if route.handler_local is None and route.handler_import is None and resolved is not None:
            fn = None
            if resolved.type == "CallExpression" and resolved.arguments \
                    and resolved.arguments[0].type in FUNCTION_TYPES:
                fn = resolved.arguments[0]
            elif resolved.type in FUNCTION_TYPES:
                fn = resolved
            if fn is not None:
                key = f"{self.path}#route:{call.loc.start.line}:{call.loc.start.column}"
                label = f"route {route.method} {route.route_key}"
                self.facts.bodies[f"route:{call.loc.start.line}:{call.loc.start.column}"] = self.analyse_body(
                    fn, key, label, ctx_names=set())
                route.handler_body = key
        self.facts.routes.extend(self._route_per_value(route, props))

    def _route_per_value(self, route: RouteFact, props: dict[str, Node]) -> list[RouteFact]:
        """One route per path and method a loop over a constant array gives (``for (const path of
        ["/a", "/b"]) http.route({ path, ... })``): exactly those, no path computed at runtime."""
        paths = self._loop_values(props.get("path")) if route.path is None else None
        prefixes = self._loop_values(props.get("pathPrefix")) if route.path_prefix is None else None
        methods = self._loop_values(props.get("method")) if route.method_literal is None else None
        if paths is None and prefixes is None and methods is None:
            return [route]
        return [dataclasses.replace(route, path=path, path_prefix=prefix, method=method.upper(),
                                    method_literal=method if methods is not None else route.method_literal)
                for path in (paths or [route.path]) for prefix in (prefixes or [route.path_prefix])
                for method in (methods or [route.method])]

    def _loop_values(self, node: Node | None) -> list[str] | None:
        values = self.scopes.values(node) if node is not None else None
        if not values or len(values) > 64 or not all(isinstance(value, str) for value in values):
            return None
        return list(values)

    def _handler_form(self, handler: Node, resolved: Node | None) -> tuple[str, str | None]:
        """How a route's handler is written: see RouteFact.handler_form."""
        if handler.type == "Identifier" and handler.name in self.scope.imports:
            return "reference", None
        if handler.type == "Identifier" and handler.name not in self.local_consts \
                and handler.name in self.scope.functions:
            resolved = self.scope.functions[handler.name]  # a function declaration
        if resolved is None:
            return "unknown", None
        if resolved.type in FUNCTION_TYPES:
            return "function", None
        if resolved.type == "CallExpression" and resolved.callee.type == "Identifier":
            source, builder = self.scope.imports.get(resolved.callee.name, ("", ""))
            if not (is_generated_server(source) or source == "convex/server") or builder not in BASE_BUILDERS:
                return "call", None  # a project or library wrapper: what it returns is not known here
            return ("wrapped" if BASE_BUILDERS[builder][0] == "httpAction" else "call"), builder
        return "unknown", None

    def _local_http_handler(self, name: str) -> None:
        """A module-private ``const handle = httpAction(async (ctx, request) => ...)`` given to a route."""
        init = self.resolve(self.scope.consts.get(name))
        if init is not None and init.type == "CallExpression" and init.arguments \
                and init.arguments[0].type in FUNCTION_TYPES:
            self.facts.bodies[name] = self.analyse_body(init.arguments[0], f"{self.path}#{name}", name,
                                                        ctx_names=set())

    def _cron(self, call: Node, method: str, registry: str, top_level: bool) -> None:
        target_index = {"interval": 2, "hourly": 2, "daily": 2, "weekly": 2, "monthly": 2, "cron": 2}.get(method)
        if target_index is None or len(call.arguments) <= target_index:
            return
        literal_name = string_value(call.arguments[0])
        name = literal_name if literal_name is not None else self.text(call.arguments[0])
        details: dict[str, object] = {}
        schedule_node = self.resolve(call.arguments[1])
        if method == "cron":
            details["expression"] = string_value(schedule_node) or ""
        else:
            for key, value in object_properties(schedule_node).items():
                literal = number_value(value)
                details[key] = literal if literal is not None else string_value(value)
        target, text, _ = self.function_ref(call.arguments[target_index])
        self.facts.crons.append(CronFact(name=name, schedule=method, loc=self.loc(call), target=target,
                                         target_text=text, details=details, name_literal=literal_name is not None,
                                         registry=registry, top_level=top_level))

    # Schema ----------------------------------------------------------------------------------

    def _collect_schema(self) -> None:
        for node in self.by_type["CallExpression"]:
            if node.arguments and callee_path(node) == ["defineSchema"]:
                self.facts.schema = self._schema(node)
                return

    def _schema(self, call: Node) -> SchemaFact:
        schema = SchemaFact(path=self.path, loc=self.loc(call))
        tables_node = self.resolve(call.arguments[0])
        if tables_node is None or tables_node.type != "ObjectExpression":
            schema.open = True
            return schema
        options = object_properties(self.resolve(call.arguments[1])) if len(call.arguments) > 1 else {}
        validation = options.get("schemaValidation")
        if validation is not None and validation.type == "Literal" and validation.value is False:
            schema.validation = False
        strict = options.get("strictTableNameTypes")
        if strict is not None and not (strict.type == "Literal" and strict.value is True):
            schema.open = True  # tables the schema does not list are allowed
        for prop in tables_node.properties:
            if prop.type == "SpreadElement":
                self._schema_spread(schema, prop)
                continue
            self._schema_table(schema, prop)
        schema.id_references = schema_id_references(schema.tables)
        return schema

    def _schema_spread(self, schema: SchemaFact, prop: Node) -> None:
        """``...authTables`` (a library's documented tables), a local object of tables, or an imported
        one: linking reads the tables the other module defines (``schema.spread_refs``)."""
        spread = prop.argument
        name = spread.name if spread.type == "Identifier" else None
        source, imported = self.scope.imports.get(name or "", ("", name))
        if imported in LIBRARY_TABLES:
            for table in LIBRARY_TABLES[imported]:
                schema.tables[table] = library_table(imported, table, self.loc(prop)) or \
                    TableFact(table, self.loc(prop), opaque=True, library=imported)
            return
        resolved = self.resolve(spread)
        if resolved is not None and resolved.type == "ObjectExpression":
            self._schema_tables(schema, resolved)
            return
        schema.open = True
        schema.unread_spreads.append(self.text(spread))
        if source and imported and self.project_source(source):
            schema.spread_refs.append((source, imported, self.text(spread)))

    def _schema_tables(self, schema: SchemaFact, node: Node) -> None:
        for prop in node.properties:
            if prop.type == "Property":
                self._schema_table(schema, prop)
            elif prop.type == "SpreadElement":
                self._schema_spread(schema, prop)
            else:
                schema.open = True
                schema.unread_spreads.append("?")

    def _collect_table_sets(self) -> None:
        """Top-level objects of ``defineTable(...)`` values that a schema elsewhere may spread in."""
        for name, init in self.scope.consts.items():
            node = self.resolve(init)
            if node is None or node.type != "ObjectExpression" or not node.properties:
                continue
            if not any(prop.type == "Property" and self._is_table_chain(prop.value) for prop in node.properties):
                continue
            tables = SchemaFact(path=self.path, loc=self.loc(node))
            self._schema_tables(tables, node)
            self.facts.table_sets[name] = tables

    def _is_table_chain(self, node: Node | None) -> bool:
        node = self.resolve(node)
        while node is not None and node.type == "CallExpression":
            callee = node.callee
            if callee.type == "Identifier":
                return callee.name == "defineTable"
            if callee.type != "MemberExpression":
                return False
            node = self.resolve(callee.object)
        return False

    def _schema_table(self, schema: SchemaFact, prop: Node) -> None:
        name = property_name(prop)
        if name is None:
            schema.open = True
            return
        table = TableFact(name, self.loc(prop.key))
        chain = self.resolve(prop.value)
        calls: list[tuple[str, Node, Node]] = []  # (method, call, property node)
        # A table built elsewhere (an imported constant, a library helper) has unknown indexes.
        table.opaque = True
        while chain is not None and chain.type == "CallExpression":
            callee = chain.callee
            if callee.type == "MemberExpression":
                calls.append((property_name_of_member(callee) or "", chain, callee.property))
                chain = self.resolve(callee.object)
            elif callee.type == "Identifier" and callee.name == "defineTable":
                table.opaque = False
                definition = self.resolve(chain.arguments[0]) if chain.arguments else None
                validator = self.validator(definition)
                table.document = validator
                fields = validator.fields if validator.kind == "object" else {}
                if validator.kind == "union":
                    for option in validator.children:
                        fields.update(option.fields)
                for field_name, field_validator in fields.items():
                    table.fields[field_name] = FieldFact(field_name, field_validator, field_validator.loc)
                break
            else:
                break
        for method, call, prop_node in reversed(calls):
            index = self._index(name, method, call, prop_node)
            if index is not None:
                table.indexes.append(index)
        schema.tables[name] = table

    def _index(self, table: str, method: str, call: Node, prop_node: Node) -> IndexFact | None:
        kinds = {"index": "regular", "searchIndex": "search", "vectorIndex": "vector"}
        if method not in kinds or not call.arguments:
            return None
        name = string_value(call.arguments[0]) or ""
        config = self.resolve(call.arguments[1]) if len(call.arguments) > 1 else None
        fields: list[str] = []
        filter_fields: list[str] = []
        if config is not None and config.type == "ArrayExpression":
            fields = [value for value in (string_value(e) for e in config.elements) if value is not None]
        elif config is not None and config.type == "ObjectExpression":
            props = object_properties(config)
            if "fields" in props:
                fields = _string_list(self.resolve(props["fields"]))
            for key in ("searchField", "vectorField"):
                value = string_value(props.get(key))
                if value is not None:
                    fields = [value]
            filter_fields = _string_list(self.resolve(props.get("filterFields")))
        return IndexFact(table, name, kinds[method], fields, self.loc(prop_node), filter_fields)  # type: ignore[arg-type]


class _BodyWalker:
    """Walks one function body and records what it does with ``ctx``, requests and responses."""

    def __init__(self, extractor: FileExtractor, body: BodyFacts, ctx_aliases: dict[str, tuple[str, ...]],
                 params: set[str]) -> None:
        self.x = extractor
        self.body = body
        self.ctx = ctx_aliases
        self.params = params
        self.consumed: set[int] = set()
        self.collected: dict[str, Location] = {}  # locals bound to a `.collect()` result -> its `.collect`
        self.unused_answers: set[int] = set()  # calls whose answer nothing reads (see answers.py)
        self.statement_calls: dict[int, tuple[int, int]] = {}  # id of a statement call -> (block, index)
        self.blocks = 0
        # Calls that are safe only if the name is a project helper (known once the walk is done).
        self.unvouched: list[tuple[str | None, Location]] = []

    def run(self, fn: Node) -> None:
        start = fn.body
        self.unused_answers = unused_answer_calls(fn)
        self.ctx_params = _first_param_names(fn)
        imports = self.x.scope.imports
        self.unsafe_imports = {local for local, found in imports.items() if not _safe_import(*found)}
        if fn.expression:
            self._returned(start)
        for at in visit(start, function=fn, annotate=_inherit, data=(fn.expression, False)):
            node = at.node
            kind = node.type
            statements = block_statements(node)
            if statements is not None:
                self._block(statements)
            elif kind in {"CallExpression", "NewExpression"}:
                self._vouch(node)
            # Inner links of a chain already read as part of it; their arguments still get walked.
            if id(node) not in self.consumed and kind in {"CallExpression", "NewExpression"}:
                self._call(node, at)
            elif kind in {"VariableDeclarator", "ReturnStatement", "ThrowStatement"}:
                self._statement(node, at)
        helpers = {call.name.split(".")[0] for call in self.body.helper_calls}
        self.body.opaque_calls.extend(loc for name, loc in self.unvouched if name is None or name not in helpers)

    def _block(self, statements: list[Node]) -> None:
        self.blocks += 1
        for index, statement in enumerate(statements):
            call = statement_call(statement)
            if call is not None:
                self.statement_calls[id(call)] = (self.blocks, index)

    def _vouch(self, node: Node) -> None:
        """Note a call that may have side effects the engine cannot see (for client/action-from-client)."""
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        imports = self.x.scope.imports
        if callee.type == "Identifier":
            name = callee.name
            if name in self.ctx_params or (name not in self.unsafe_imports
                                           and (name in SAFE_GLOBALS or name in imports)):
                return
            self.unvouched.append((name, self.x.loc(node)))
            return
        path = member_path(callee)
        if path is None:
            if callee.type != "MemberExpression" or _static_method(callee) not in SAFE_METHODS:
                self.unvouched.append((None, self.x.loc(node)))
            return
        root = path[0]
        if root in self.ctx_params or (root not in self.unsafe_imports
                                       and (root in SAFE_GLOBALS or path[-1] in SAFE_METHODS)):
            return
        self.unvouched.append((root, self.x.loc(node)))

    # Collected results, returns, throws ------------------------------------------------------

    def _statement(self, node: Node, at: Visit) -> None:
        if node.type == "VariableDeclarator":
            if node.id.type == "Identifier" and node.init is not None:
                collect = self._collect_loc(node.init)
                if collect is not None:
                    self.collected[node.id.name] = collect
        elif node.type == "ReturnStatement":
            if not at.nested and node.argument is not None:
                self._returned(node.argument)
        elif node.argument is not None and node.argument.type in {"NewExpression", "CallExpression"}:
            callee = node.argument.callee
            if callee.type == "Identifier" and callee.name == "Error" and "Error" not in self.x.local_consts:
                self.body.error_throws.append(self.x.loc(node))

    def _collect_loc(self, node: Node | None) -> Location | None:
        """The `.collect` of ``node`` when it is (an await of) a ``ctx.db.query(...)...collect()`` chain."""
        node = unwrap(node)
        if node is None or node.type != "CallExpression":
            return None
        innermost, chain = _unwrap_chain(node)
        if not chain or chain[-1][0] != "collect" or innermost.type != "CallExpression":
            return None
        if self._ctx_path(innermost.callee) != ["db", "query"]:
            return None
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        return self.x.loc(callee.property) if callee.type == "MemberExpression" else self.x.loc(node)

    def _collected(self, node: Node | None) -> Location | None:
        """A `.collect()` chain, or a local bound to one."""
        inner = unwrap(node)
        if inner is not None and inner.type == "Identifier":
            return self.collected.get(inner.name)
        return self._collect_loc(inner)

    def _returned(self, node: Node) -> None:
        """A returned value: a collected list as is, mapped or filtered, or through ``Promise.all``."""
        node = unwrap(node)
        if node is None:
            return
        if node.type == "CallExpression":
            callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
            if member_path(callee) == ["Promise", "all"] and node.arguments:
                self._returned(node.arguments[0])
                return
            if callee.type == "MemberExpression" and property_name_of_member(callee) in {"map", "filter"}:
                node = callee.object
        found = self._collected(node)
        if found is not None:
            self.body.returned_collects.append(found)

    def _collect_filter(self, node: Node) -> None:
        """``rows.filter((r) => r.field === value)`` where ``rows`` is a `.collect()` result."""
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        if callee.type != "MemberExpression" or property_name_of_member(callee) != "filter" or not node.arguments:
            return
        if self._collected(callee.object) is None:
            return
        field_name = _equality_field(node.arguments[0])
        if field_name is not None:
            self.body.collect_filters.append((field_name, self.x.loc(callee.property)))

    # Calls -----------------------------------------------------------------------------------

    def _ctx_path(self, node: Node) -> list[str] | None:
        """``ctx.db.query`` as ["db", "query"] when rooted at a ctx alias."""
        path = member_path(node)
        if not path or path[0] not in self.ctx:
            return None
        return list(self.ctx[path[0]]) + path[1:]

    def _call(self, node: Node, at: Visit) -> None:
        x = self.x
        loc = x.loc(node)
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        if node.type == "NewExpression":
            if callee.type == "Identifier" and callee.name == "Response":
                self.body.responses.append(self._response(node, callee, node.arguments, at, json=False))
            elif callee.type == "Identifier" and callee.name == "Date" and not node.arguments:
                self.body.date_now.append(loc)
            elif callee.type == "Identifier" and callee.name in {"XMLHttpRequest", "WebSocket"}:
                self.body.side_effect_calls.append((callee.name, loc))
            return
        innermost, chain = _unwrap_chain(node)
        ctx_path = self._ctx_path(innermost.callee if innermost.type == "CallExpression" else innermost)
        if ctx_path:
            for inner in chain[:-1]:
                self.consumed.add(id(inner[1]))
            self._ctx_call(ctx_path, innermost, chain, node, at)
            return
        self._collect_filter(node)
        path = member_path(callee)
        if path == ["Response", "json"]:
            self.body.responses.append(self._response(node, callee.object, node.arguments, at, json=True))
            return
        if path == ["Date", "now"]:
            self.body.date_now.append(loc)
            return
        random = random_call(self.x, callee)
        if random is not None:
            self.body.random_calls.append((random, loc))
            return
        if callee.type == "Identifier":
            self._identifier_call(callee.name, node, loc)
        elif path:
            self._member_call(path, node, loc)
        elif callee.type == "MemberExpression" and property_name_of_member(callee) in SIGNATURE_CALLS:
            self.body.verifies_signature.append(loc)  # new Webhook(secret).verify(...), getStripe().webhooks...

    def _identifier_call(self, name: str, node: Node, loc: Location) -> None:
        x = self.x
        if name in SIDE_EFFECT_GLOBALS and name not in x.scope.imports and name not in x.local_consts:
            if name == "fetch":
                self.body.fetch_calls.append(loc)
            else:
                self.body.side_effect_calls.append((name, loc))
            return
        imported = x.scope.imports.get(name)
        if imported is not None:
            source, original = imported
            if original in LIBRARY_IDENTITY_HELPERS.get(source, ()):
                self._identity_check(node, loc)
            elif source in SIDE_EFFECT_PACKAGES:
                self.body.side_effect_calls.append((f"{source}", loc))
            elif (x.project_source(source) or source.startswith(ALIAS_IMPORT_PREFIXES)) \
                    and "_generated" not in source:
                self.body.helper_calls.append(HelperCall(name, loc, ref=f"import:{source}#{original}"))
            return
        if name in x.scope.functions:
            self.body.helper_calls.append(HelperCall(name, loc, ref=f"local:{name}"))
        if name in SIGNATURE_CALLS:
            self.body.verifies_signature.append(loc)

    def _member_call(self, path: list[str], node: Node, loc: Location) -> None:
        x = self.x
        root = path[0]
        method = path[-1]
        imported = x.scope.imports.get(root)
        if imported is not None:
            source, original = imported
            if source in SIDE_EFFECT_PACKAGES:
                self.body.side_effect_calls.append((".".join(path), loc))
            elif original == "*" and len(path) == 2 and x.project_source(source) and "_generated" not in source:
                self.body.helper_calls.append(HelperCall(".".join(path), loc, ref=f"import:{source}#{method}"))
            elif original == "*" and method in LIBRARY_IDENTITY_HELPERS.get(source, ()):
                self._identity_check(node, loc)
            elif original != "*" and x.project_source(source) and "_generated" not in source \
                    and method not in LIBRARY_IDENTITY_METHODS and self._passes_ctx(node):
                # A method of a project object (`auth.requireUser(ctx)`): project code out of sight.
                self.body.helper_calls.append(HelperCall(".".join(path), loc,
                                                         ref=f"import:{source}#{original}.{method}"))
        if method in LIBRARY_IDENTITY_METHODS and self._passes_ctx(node):
            self._identity_check(node, loc)
        elif method == "getUserIdentity" and len(path) >= 2 and path[-2] == "auth":
            # `q.auth.getUserIdentity()` with a ctx parameter of any name, or `const { auth } = ctx`.
            self._identity_check(node, loc)
        if method in SIGNATURE_CALLS:
            self.body.verifies_signature.append(loc)
        if method == "get" and len(path) >= 2 and node.arguments:
            # request.headers.get(...), or the headers through an alias (`const h = req.headers`):
            # names specific to credentials and signatures count on any receiver.
            header = (string_value(node.arguments[0]) or "").lower()
            on_headers = path[-2] == "headers"
            if SIGNATURE_HEADER.search(header):
                self.body.verifies_signature.append(loc)
            elif header in AUTHORIZATION_HEADERS or (on_headers and AUTHORIZATION_HEADER_WORDS.search(header)):
                self.body.reads_authorization.append(loc)
        if path[:2] in (["crypto", "subtle"],) and method == "verify":
            self.body.verifies_signature.append(loc)

    def _identity_check(self, call: Node, loc: Location) -> None:
        """An identity call checks who calls only when its answer is used (RULES.md)."""
        if id(call) not in self.unused_answers:
            self.body.auth_checks.append(loc)

    def _passes_ctx(self, call: Node) -> bool:
        return any(arg.type == "Identifier" and arg.name in self.ctx for arg in call.arguments)

    def _ctx_call(self, ctx_path: list[str], innermost: Node, chain: list[tuple[str, Node]], outer: Node,
                  at: Visit) -> None:
        x = self.x
        loc = x.loc(innermost)
        area = ctx_path[0]
        method = ctx_path[-1] if len(ctx_path) > 1 else area
        handled, per_item = at.data
        statement = self.statement_calls.get(id(innermost))
        if not handled:
            self.body.floating_promises.append((".".join(["ctx", *ctx_path]), loc))
        if area == "db" and len(ctx_path) == 2 and method in DB_METHODS:
            self.body.db_calls.append(self._db_call(method, innermost, chain, handled))
        elif area == "db" and len(ctx_path) == 3 and ctx_path[1] == "system":
            self.body.db_calls.append(DbCall(method=f"system.{method}", loc=loc, awaited=handled))
        elif area in RUN_METHODS and len(ctx_path) == 1:
            reference = innermost.arguments[0] if innermost.arguments else None
            target, text, direct = x.function_ref(reference)
            self.body.run_calls.append(RunCall(area, loc, target, text, direct, handled, bool(at.loops),
                                               per_item=per_item, statement=statement,
                                               target_string=x.string_reference(reference)))
        elif area == "scheduler" and method in SCHEDULER_RUNS:
            args = innermost.arguments
            reference = args[1] if len(args) > 1 else None
            target, text, direct = x.function_ref(reference)
            self.body.run_calls.append(RunCall(method, loc, target, text, direct, handled, bool(at.loops),
                                               per_item=per_item, statement=statement,
                                               target_string=x.string_reference(reference)))
        elif area == "storage":
            self.body.storage_calls.append((method, loc))
        elif area == "auth" and method == "getUserIdentity":
            self._identity_check(innermost, loc)

    def _db_call(self, method: str, call: Node, chain: list[tuple[str, Node]], handled: bool) -> DbCall:
        x = self.x
        db = DbCall(method=method, loc=x.loc(call), awaited=handled)
        if call.arguments:
            first = call.arguments[0]
            table = string_value(x.resolve(first))
            if method in {"query", "insert"} and table is not None:
                db.table = table
                db.table_loc = x.loc(first)
            elif method in {"get", "delete", "patch", "replace"} and (
                    len(call.arguments) >= (2 if method in {"get", "delete"} else 3)
                    or any(arg.type == "SpreadElement" for arg in call.arguments)):
                db.explicit_table = True  # ctx.db.get("t", id): the table-first form of convex 1.31
                if table is not None:
                    db.table, db.table_loc = table, x.loc(first)
        for name, link in chain[1:]:
            db.chain.append(name)
            args = link.arguments
            member = link.callee.expression if link.callee.type == "ChainExpression" else link.callee
            prop_loc = x.loc(member.property) if member.type == "MemberExpression" else x.loc(link)
            db.chain_locs.append(prop_loc)
            if name in {"withIndex", "withSearchIndex"} and args:
                index_name = x.scopes.value(args[0])  # a literal, or a constant that folds to one
                db.index = index_name if isinstance(index_name, str) else None
                db.index_loc = x.loc(args[0])
                db.index_kind = "search" if name == "withSearchIndex" else "regular"
                if len(args) > 1:
                    db.index_has_range = True
                    db.index_eq_fields = _index_eq_fields(args[1])
                    if name == "withIndex":
                        db.index_range_calls = _range_builder_calls(x, args[1])
            elif name == "filter" and args and db.filter_loc is None:
                db.filter_fields = _filter_fields(args[0])
                db.filter_loc = prop_loc
            elif name in CHAIN_TERMINALS:
                db.terminal = name
                db.terminal_loc = prop_loc
        return db

    # Responses -------------------------------------------------------------------------------

    def _response(self, node: Node, anchor: Node, args: list[Node], at: Visit, *, json: bool) -> ResponseFact:
        x = self.x
        fact = ResponseFact(loc=x.loc(anchor), in_catch=at.catch is not None)
        body = args[0] if args else None
        init = x.resolve(args[1]) if len(args) > 1 else None
        fact.body_has_error_key = self._has_error_key(body, json)
        if (len(args) > 1 and init is None) or (init is not None and init.type != "ObjectExpression"):
            fact.status_known = fact.own_headers_known = False
            return fact
        props = {}
        if init is not None:
            for prop in init.properties:
                if prop.type == "SpreadElement":
                    fact.status_known = fact.own_headers_known = False
                    continue
                name = property_name(prop)
                if name is not None:
                    props[name] = prop.value
        status = props.get("status")
        if status is not None:
            value = number_value(x.resolve(status))
            if isinstance(value, int):
                fact.status = value
            else:
                fact.status_known = False
        headers = props.get("headers")
        if headers is not None:
            shape = x.object_shape(headers)
            if shape is None:
                fact.own_headers_known = False
            else:
                fact.own_header_names = shape.keys
                fact.own_header_values = shape.values
                fact.header_refs = shape.refs
                fact.own_headers_known = not shape.opaque
        return fact

    def _has_error_key(self, body: Node | None, json: bool) -> bool:
        x = self.x
        body = x.resolve(body)
        if body is None:
            return False
        if not json and body.type == "CallExpression" and callee_path(body) == ["JSON", "stringify"] \
                and body.arguments:
            body = x.resolve(body.arguments[0])
        if body is None or body.type != "ObjectExpression":
            return False
        error = object_properties(body).get("error")
        # { data, error: null } is a success envelope, not an error body.
        return error is not None and not (
            (error.type == "Literal" and error.value in (None, False))
            or (error.type == "Identifier" and error.name == "undefined"))


def _inherit(parent: Visit, key: str, child: Node) -> tuple[bool, bool]:
    """(handled, per item) of a child: handled when its value is used (awaited, returned, stored,
    passed on) rather than dropped; per item when it runs once per item of a collection."""
    return _handled(parent, key), per_item_below(parent, key, child, parent.data[1])


def _handled(parent: Visit, key: str) -> bool:
    kind = parent.node.type
    if kind == "ExpressionStatement":
        return False
    if kind == "SequenceExpression":
        return parent.data[0]
    if (kind == "UnaryExpression" and parent.node.operator == "void") or (
            kind == "ArrowFunctionExpression" and key == "body"):
        return True
    if kind in {"ConditionalExpression", "LogicalExpression"} and key != "test":
        return parent.data[0]
    return True


def _first_param_names(fn: Node) -> set[str]:
    """The first parameter's name, or the names destructured from it: ``ctx`` or ``{ db, auth }``."""
    if not fn.params:
        return set()
    first = fn.params[0]
    if first.type == "Identifier":
        return {first.name}
    if first.type == "ObjectPattern":
        return {prop.value.name for prop in first.properties
                if prop.type == "Property" and prop.value.type == "Identifier"}
    return set()


def _safe_import(source: str, name: str) -> bool:
    """Convex's own values and server helpers, generated code, and library identity helpers."""
    if source in {"convex/values", "convex/server"} or "_generated/" in source:
        return True
    return name in LIBRARY_IDENTITY_HELPERS.get(source, ())


def _static_method(member: Node) -> str | None:
    prop = member.property
    return prop.name if not member.computed and prop.type == "Identifier" else None


def _unwrap_chain(node: Node) -> tuple[Node, list[tuple[str, Node]]]:
    """For ``a.b(x).c(y).d()`` return the innermost call and [(name, call)] from innermost out."""
    chain: list[tuple[str, Node]] = []
    current = node
    while current.type == "CallExpression":
        callee = current.callee.expression if current.callee.type == "ChainExpression" else current.callee
        if callee.type != "MemberExpression":
            chain.append(("", current))
            break
        name = property_name_of_member(callee) or ""
        chain.append((name, current))
        inner = callee.object
        if inner.type == "ChainExpression":
            inner = inner.expression
        if inner.type != "CallExpression":
            break
        current = inner
    chain.reverse()
    return current, chain


def _equality_field(callback: Node) -> str | None:
    """The row field an array filter callback compares with ``===``/``==``: ``(m) => m.status === s``."""
    if callback.type not in FUNCTION_TYPES or not callback.params:
        return None
    param = callback.params[0]
    names: dict[str, str] = {}  # destructured local -> field
    row: str | None = None
    if param.type == "Identifier":
        row = param.name
    elif param.type == "ObjectPattern":
        for prop in param.properties:
            key = property_name(prop) if prop.type == "Property" else None
            if key is not None and prop.value.type == "Identifier":
                names[prop.value.name] = key
    else:
        return None

    def field_of(side: Node) -> str | None:
        if side.type == "Identifier":
            return names.get(side.name)
        if side.type == "MemberExpression" and row is not None and side.object.type == "Identifier" \
                and side.object.name == row and not side.computed:
            return property_name_of_member(side)
        return None

    # Items of another list, met in a nested callback (`others.some((o) => o.fileId === row._id)`):
    # comparing with them is a join in memory, which no index range of this table answers.
    joined = {n.name for inner in walk(callback.body) if inner.type in FUNCTION_TYPES
              for param in inner.params for n in walk(param) if n.type == "Identifier"}

    def mentions_row_or_join(side: Node) -> bool:
        return any(n.type == "Identifier" and (n.name == row or n.name in names or n.name in joined)
                   for n in walk(side))

    for node in walk(callback.body):
        if node.type == "BinaryExpression" and node.operator in {"===", "=="}:
            for side, other in ((node.left, node.right), (node.right, node.left)):
                found = field_of(side)
                if found is not None and not mentions_row_or_join(other):
                    return found
    return None


def _index_eq_fields(callback: Node) -> list[str]:
    fields: list[str] = []
    for node in walk(callback):
        if node.type == "CallExpression" and node.callee.type == "MemberExpression" \
                and property_name_of_member(node.callee) == "eq" and node.arguments:
            value = string_value(node.arguments[0])
            if value is not None:
                fields.append(value)
    fields.reverse()
    return fields


def _range_builder_calls(x: FileExtractor, callback: Node) -> list[tuple[str, Location]]:
    """Methods called on a ``withIndex`` callback's range builder, along chains that start at it."""
    callback = x.resolve(callback)
    if callback is None or callback.type not in FUNCTION_TYPES or not callback.params \
            or callback.params[0].type != "Identifier":
        return []
    builder = callback.params[0].name
    calls: list[tuple[str, Location]] = []
    for node in walk(callback.body):
        if node.type != "CallExpression":
            continue
        callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
        if callee.type != "MemberExpression":
            continue
        root = callee.object
        while root.type in {"CallExpression", "MemberExpression", "ChainExpression"}:
            root = root.expression if root.type == "ChainExpression" else (
                root.callee if root.type == "CallExpression" else root.object)
        if root.type == "Identifier" and root.name == builder:
            name = property_name_of_member(callee)
            if name is not None:
                calls.append((name, x.loc(callee.property)))
    calls.sort(key=lambda call: (call[1].line, call[1].column))
    return calls


def _filter_fields(callback: Node) -> list[str]:
    fields: list[str] = []
    for node in walk(callback):
        if node.type == "CallExpression" and node.callee.type == "MemberExpression" \
                and property_name_of_member(node.callee) == "field" and node.arguments:
            value = string_value(node.arguments[0])
            if value is not None and value not in fields:
                fields.append(value)
    return fields


def _returned_object(fn: Node) -> Node | None:
    if fn.type == "ArrowFunctionExpression" and fn.expression:
        return fn.body
    for node in walk(fn.body):
        if node.type == "ReturnStatement" and node.argument is not None:
            return node.argument
        if node is not fn.body and node.type in FUNCTION_TYPES:
            continue
    return None


def _declared_names(declaration: Node) -> list[str]:
    if declaration.type == "VariableDeclaration":
        return [d.id.name for d in declaration.declarations if d.id.type == "Identifier"]
    if declaration.type in {"FunctionDeclaration", "ClassDeclaration"} and declaration.id is not None:
        return [declaration.id.name]
    return []


def _exported(spec: Node) -> Node:
    # esprima-fork also accepts the `export v from "m"` proposal, whose specifier has no `exported`.
    return getattr(spec, "exported", None) or spec.local


def _spec_name(node: Node) -> str:
    return node.name if node.type == "Identifier" else str(node.value)


def _string_list(node: Node | None) -> list[str]:
    if node is None or node.type != "ArrayExpression":
        return []
    return [value for value in (string_value(e) for e in node.elements if e is not None) if value is not None]


def schema_id_references(tables: dict[str, TableFact]) -> list[tuple[str, str, str, Location]]:
    """(from table, field, to table, loc) for each ``v.id("t")`` in the tables' fields."""
    return [(table.name, field_fact.name, ref_table, ref_loc)
            for table in tables.values() for field_fact in table.fields.values()
            for ref_table, ref_loc in _id_targets(field_fact.validator)]


def _id_targets(validator: Validator) -> list[tuple[str, Location]]:
    return [(current.table, current.loc) for current in validator.walk()
            if current.kind == "id" and current.table and current.loc is not None]


def extract_module(path: str, module: str | None, source: str, tree: Node,
                   aliases: ImportAliases | None = None) -> ModuleFacts:
    return FileExtractor(path, module, source, tree, aliases).extract()


__all__ = ["BASE_BUILDERS", "CONVEX_URL_VARS", "FileExtractor", "extract_module"]
