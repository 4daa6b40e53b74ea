"""Function bodies: what a handler or helper does with ``ctx`` (database calls, runs, the scheduler,
storage, identity checks), with requests and responses, and which calls may have side effects.

One pass of the shared walk (``walk.visit``) per body; ``_inherit`` carries, from parent to child,
whether a value is used (awaited, returned, stored, passed on) and whether it runs once per item.
The same pass hands the analyses of other modules the visits of the node kinds they read (where
identity answers are read, ``answers.py``; comparisons with environment secrets, ``answers.py``;
uses of the arguments, ``argflow.py``), which they read once it is done: no body is walked twice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from auditor.engine.answers import (
    ANSWER_KINDS,
    SECRET_KINDS,
    AnswerUses,
    env_gated_throws,
    env_secret_comparisons,
    if_tests,
)
from auditor.engine.argflow import ARG_KINDS, analyse_args
from auditor.engine.extract.args import with_added
from auditor.engine.extract.drafts import BodyDraft
from auditor.engine.extract.headers import response_added
from auditor.engine.js import (
    FUNCTION_TYPES,
    Node,
    callee_path,
    member_path,
    number_value,
    object_properties,
    property_name,
    property_name_of_member,
    string_value,
    unwrap,
    walk,
)
from auditor.engine.loops import PER_ITEM_PARENTS, block_statements, per_item_below, statement_call
from auditor.engine.model import (
    BodyFacts,
    DbCall,
    HelperCall,
    Location,
    ObjectShape,
    ResponseFact,
    RunCall,
)
from auditor.engine.moduleuses import random_call
from auditor.engine.walk import Visit, visit
from auditor.engine.writes import written_fields

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor

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
# A parameter's type annotation naming Convex's database interface.
DATABASE_TYPE = re.compile(r"\s*\??\s*:\s*(?:Generic)?Database(?:Reader|Writer)\b")


def collect_helper_bodies(x: FileExtractor) -> None:
    """The body of each top-level function, by name."""
    for name, fn in x.scope.functions.items():
        x.facts.bodies[name] = analyse_body(x, fn, f"{x.path}#{name}", name)


def analyse_body(x: FileExtractor, fn: Node, key: str, name: str, ctx_names: set[str] | None = None) -> BodyFacts:
    body = BodyDraft(key=key, path=x.path, name=name, loc=x.loc(fn),
                     line_count=fn._end_line - fn._line + 1)
    ctx_aliases = _ctx_aliases(x, fn, ctx_names)
    params = {p.name for p in fn.params if p.type == "Identifier"}
    params |= {p.left.name for p in fn.params if p.type == "AssignmentPattern" and p.left.type == "Identifier"}
    # A registered handler's second parameter is its arguments (argflow.py).
    walker = _BodyWalker(x, body, ctx_aliases, params, reads_args="#export:" in key and len(fn.params) >= 2)
    walker.run(fn)
    body.compares_env_secret = [x.loc(node) for node in env_secret_comparisons(walker.secret_nodes)]
    body.env_gates = [x.loc(node) for node in env_gated_throws(fn)]
    if walker.arg_visits is not None:
        analyse_args(fn, body, ctx_aliases, x.loc, walker.arg_visits)
    return body.freeze()


def _ctx_aliases(x: FileExtractor, fn: Node, ctx_names: set[str] | None) -> dict[str, tuple[str, ...]]:
    aliases: dict[str, tuple[str, ...]] = {"ctx": ()}
    for name in ctx_names or ():
        aliases[name] = ()
    for param in fn.params:
        # A helper handed the database itself (`db: DatabaseReader`, or a parameter named `db`).
        param = param.left if param.type == "AssignmentPattern" else param
        if param.type == "Identifier" and (param.name == "db" or _database_typed(x, param)):
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
    _body_ctx_aliases(x, fn, aliases)
    return aliases


def _body_ctx_aliases(x: FileExtractor, fn: Node, aliases: dict[str, tuple[str, ...]]) -> None:
    """Names the body takes from the context: ``const { db, auth } = ctx`` or ``const db = ctx.db``.
    Known before the body's walk, which reads them everywhere: its declarators come from the file's."""
    body = fn.body
    if body is None or body.type != "BlockStatement":
        return
    for node in x.scopes.within("VariableDeclarator", body):
        if node.init is None:
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


def _database_typed(x: FileExtractor, param: Node) -> bool:
    """``name: DatabaseReader`` (Writer, Generic...<DataModel>): read from the source, the type
    annotation being blanked out of the tree."""
    return DATABASE_TYPE.match(x.facts.source, param._end) is not None


class _BodyWalker:
    """Walks one function body and records what it does with ``ctx``, requests and responses."""

    def __init__(self, extractor: FileExtractor, body: BodyDraft, ctx_aliases: dict[str, tuple[str, ...]],
                 params: set[str], *, reads_args: bool = False) -> None:
        self.x = extractor
        self.body = body
        self.ctx = ctx_aliases
        self.params = params
        self.consumed: set[int] = set()
        self.collected: dict[str, Location] = {}  # locals bound to a `.collect()` result -> its `.collect`
        # Locals bound to such a list mapped, filtered or awaited through Promise.all -> its `.collect`.
        self.listed: dict[str, Location] = {}
        self.answers = AnswerUses()  # where a call's answer is first read (see answers.py)
        # Identity calls met: (the call, its location, the visit where the walk met it, or its chain).
        self.identity_calls: list[tuple[Node, Location, Visit]] = []
        self.secret_nodes: list[Node] = []  # the nodes env_secret_comparisons reads
        self.arg_visits: list[Visit] | None = [] if reads_args else None  # the visits analyse_args reads
        self.statement_calls: dict[int, tuple[int, int]] = {}  # id of a statement call -> (block, index)
        self.blocks = 0
        # Calls that are safe only if the name is a project helper (known once the walk is done).
        self.unvouched: list[tuple[str | None, Location]] = []

    def run(self, fn: Node) -> None:
        start = fn.body
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
            # What the other analyses of the body read, handed over from this one walk.
            if kind in ANSWER_KINDS:
                self.answers.see(at)
            if kind in SECRET_KINDS:
                self.secret_nodes.append(node)
            if self.arg_visits is not None and kind in ARG_KINDS:
                self.arg_visits.append(at)
        # An identity call checks where its answer is read, which may come later in the body.
        reads = self.answers.first_reads()
        for call, loc, at in self.identity_calls:
            if id(call) not in reads:  # used where it stands
                self._identity_check(loc, at, in_place=True)
                continue
            read = reads[id(call)]
            if read is not None:  # bound to a name (or a statement), and read later
                self._identity_check(loc, read, in_place=False)
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


    def _statement(self, node: Node, at: Visit) -> None:
        if node.type == "VariableDeclarator":
            if node.id.type == "Identifier" and node.init is not None:
                collect = self._collect_loc(node.init)
                if collect is not None:
                    self.collected[node.id.name] = collect
                else:
                    listed = self._list_of(node.init)
                    if listed is not None:
                        self.listed[node.id.name] = listed
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
        found = self._list_of(node)
        if found is not None:
            self.body.returned_collects.append(found)

    def _list_of(self, node: Node | None) -> Location | None:
        """The `.collect` whose list ``node`` is: as is, mapped or filtered, through ``Promise.all``,
        or a local holding one of those (``const rows = await Promise.all(docs.map(...))``)."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "Identifier" and node.name in self.listed:
            return self.listed[node.name]
        if node.type == "CallExpression":
            callee = node.callee.expression if node.callee.type == "ChainExpression" else node.callee
            if member_path(callee) == ["Promise", "all"] and node.arguments:
                return self._list_of(node.arguments[0])
            if callee.type == "MemberExpression" and property_name_of_member(callee) in {"map", "filter"}:
                return self._list_of(callee.object)
        return self._collected(node)

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
            self._identifier_call(callee.name, node, loc, at)
        elif path:
            self._member_call(path, node, loc, at)
        elif callee.type == "MemberExpression" and property_name_of_member(callee) in SIGNATURE_CALLS:
            self.body.verifies_signature.append(loc)  # new Webhook(secret).verify(...), getStripe().webhooks...

    def _identifier_call(self, name: str, node: Node, loc: Location, at: Visit) -> None:
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
                self.identity_calls.append((node, loc, at))
            elif source in SIDE_EFFECT_PACKAGES:
                self.body.side_effect_calls.append((f"{source}", loc))
            elif (x.project_source(source) or source.startswith(ALIAS_IMPORT_PREFIXES)) \
                    and "_generated" not in source:
                self.body.helper_calls.append(HelperCall(name, loc, ref=f"import:{source}#{original}",
                                                         gets_identity=self._hands_identity(node)))
            return
        if name in x.scope.functions:
            self.body.helper_calls.append(HelperCall(name, loc, ref=f"local:{name}",
                                                     gets_identity=self._hands_identity(node)))
        if name in SIGNATURE_CALLS:
            self.body.verifies_signature.append(loc)

    def _member_call(self, path: list[str], node: Node, loc: Location, at: Visit) -> None:
        x = self.x
        root = path[0]
        method = path[-1]
        imported = x.scope.imports.get(root)
        if imported is not None:
            source, original = imported
            if source in SIDE_EFFECT_PACKAGES:
                self.body.side_effect_calls.append((".".join(path), loc))
            elif original == "*" and len(path) == 2 and x.project_source(source) and "_generated" not in source:
                self.body.helper_calls.append(HelperCall(".".join(path), loc, ref=f"import:{source}#{method}",
                                                         gets_identity=self._hands_identity(node)))
            elif original == "*" and method in LIBRARY_IDENTITY_HELPERS.get(source, ()):
                self.identity_calls.append((node, loc, at))
            elif original != "*" and x.project_source(source) and "_generated" not in source \
                    and method not in LIBRARY_IDENTITY_METHODS and self._passes_ctx(node):
                # A method of a project object (`auth.requireUser(ctx)`): project code out of sight.
                self.body.helper_calls.append(HelperCall(".".join(path), loc,
                                                         ref=f"import:{source}#{original}.{method}"))
        if method in LIBRARY_IDENTITY_METHODS and self._passes_ctx(node):
            self.identity_calls.append((node, loc, at))
        elif method == "getUserIdentity" and len(path) >= 2 and path[-2] == "auth":
            # `q.auth.getUserIdentity()` with a ctx parameter of any name, or `const { auth } = ctx`.
            self.identity_calls.append((node, loc, at))
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

    def _identity_check(self, loc: Location, use: Visit, *, in_place: bool) -> None:
        """An identity call at ``loc`` checks who calls only when its answer is used (RULES.md): ``use``
        is where, the visit of the call itself (or of a chain around it) when ``in_place``, else of
        the first read of the name its answer is bound to."""
        body = self.body
        body.auth_checks.append(loc)
        body.auth_tested_at.append(loc if in_place else self.x.loc(use.node))
        # A failing check that does not throw (`if (!identity) return`, an identity only passed on)
        # keeps what a mutation wrote before it; a call used in place throws on null (destructured).
        in_test, throwing = if_tests(use)
        if (in_test and not throwing) or (not in_test and not in_place):
            body.auth_returning_checks.append(body.auth_tested_at[-1])

    def _hands_identity(self, call: Node) -> bool:
        """The call is handed something that can read the caller's identity: ``ctx`` (in any
        form: ``{ ctx }``, ``ctx as any``) or ``ctx.auth``; not ``ctx.db``/``storage``/``scheduler``,
        nor what another call returns, nor a callback (whose use of ``ctx`` is this body's own code)."""
        return any(self._holds_identity(argument) for argument in call.arguments)

    def _holds_identity(self, node: Node) -> bool:
        node = unwrap(node.argument if node.type == "SpreadElement" else node)
        if node is None or node.type in FUNCTION_TYPES or node.type in {"CallExpression", "NewExpression",
                                                                         "AwaitExpression"}:
            return False
        path = member_path(node)
        if path and path[0] in self.ctx:
            full = [*self.ctx[path[0]], *path[1:]]
            return not full or full[0] not in {"db", "storage", "scheduler"}
        if node.type == "ObjectExpression":
            return any(self._holds_identity(prop.value if prop.type == "Property" else prop)
                       for prop in node.properties)
        if node.type == "ArrayExpression":
            return any(self._holds_identity(element) for element in node.elements if element is not None)
        if node.type in {"ConditionalExpression", "LogicalExpression"}:
            parts = [node.consequent, node.alternate] if node.type == "ConditionalExpression" \
                else [node.left, node.right]
            return any(self._holds_identity(part) for part in parts)
        return False

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
            self.identity_calls.append((innermost, loc, at))

    def _db_call(self, method: str, call: Node, chain: list[tuple[str, Node]], handled: bool) -> DbCall:
        x = self.x
        db: dict[str, Any] = {}  # the DbCall's other fields, as they are found
        names: list[str] = []
        locs: list[Location] = []
        if call.arguments:
            first = call.arguments[0]
            table = string_value(x.resolve(first))
            if method in {"query", "insert"} and table is not None:
                db["table"] = table
                db["table_loc"] = x.loc(first)
            elif method in {"get", "delete", "patch", "replace"} and (
                    len(call.arguments) >= (2 if method in {"get", "delete"} else 3)
                    or any(arg.type == "SpreadElement" for arg in call.arguments)):
                db["explicit_table"] = True  # ctx.db.get("t", id): the table-first form of convex 1.31
                if table is not None:
                    db["table"], db["table_loc"] = table, x.loc(first)
        if method in {"insert", "patch", "replace"} and len(call.arguments) >= 2:
            value = call.arguments[1] if method == "insert" else call.arguments[-1]
            db["fields"], db["counter_fields"] = written_fields(value, x.resolve)
        for name, link in chain[1:]:
            names.append(name)
            args = link.arguments
            member = link.callee.expression if link.callee.type == "ChainExpression" else link.callee
            prop_loc = x.loc(member.property) if member.type == "MemberExpression" else x.loc(link)
            locs.append(prop_loc)
            if name in {"withIndex", "withSearchIndex"} and args:
                index_name = x.scopes.value(args[0])  # a literal, or a constant that folds to one
                db["index"] = index_name if isinstance(index_name, str) else None
                db["index_loc"] = x.loc(args[0])
                db["index_kind"] = "search" if name == "withSearchIndex" else "regular"
                if len(args) > 1:
                    db["index_has_range"] = True
                    db["index_eq_fields"] = tuple(_index_eq_fields(args[1]))
                    if name == "withIndex":
                        db["index_range_calls"] = tuple(_range_builder_calls(x, args[1]))
            elif name == "filter" and args and db.get("filter_loc") is None:
                db["filter_fields"] = tuple(_filter_fields(args[0]))
                db["filter_loc"] = prop_loc
            elif name in CHAIN_TERMINALS:
                db["terminal"] = name
                db["terminal_loc"] = prop_loc
        return DbCall(method=method, loc=x.loc(call), awaited=handled, chain=tuple(names), chain_locs=tuple(locs),
                      **db)


    def _response(self, node: Node, anchor: Node, args: list[Node], at: Visit, *, json: bool) -> ResponseFact:
        x = self.x
        fact: dict[str, Any] = {}  # the ResponseFact's other fields, as they are found
        body = args[0] if args else None
        init = x.resolve(args[1]) if len(args) > 1 else None
        fact["body_has_error_key"] = self._has_error_key(body, json)
        if (len(args) > 1 and init is None) or (init is not None and init.type != "ObjectExpression"):
            fact["status_known"] = fact["own_headers_known"] = False
            return ResponseFact(loc=x.loc(anchor), in_catch=at.catch is not None, **fact)
        props = {}
        if init is not None:
            for prop in init.properties:
                if prop.type == "SpreadElement":
                    fact["status_known"] = fact["own_headers_known"] = False
                    continue
                name = property_name(prop)
                if name is not None:
                    props[name] = prop.value
        status = props.get("status")
        if status is not None:
            value = number_value(x.resolve(status))
            if isinstance(value, int):
                fact["status"] = value
            else:
                fact["status_known"] = False
        headers = props.get("headers")
        if headers is not None:
            shape = x.object_shape(headers)
            if shape is None:
                fact["own_headers_known"] = False
            else:
                fact["own_header_names"] = shape.keys
                fact["own_header_values"] = shape.values
                fact["header_refs"] = shape.refs
                fact["own_headers_known"] = not shape.opaque
        added = response_added(x, node)
        if added is not None:  # `const res = new Response(...); res.headers.set(...)`
            own = ObjectShape(fact.get("own_header_names", frozenset()), fact.get("header_refs", ()),
                              not fact.get("own_headers_known", True), fact.get("own_header_values", ()))
            shape = with_added(own, added)
            fact["own_header_names"], fact["own_header_values"] = shape.keys, shape.values
            fact["own_headers_known"] = not shape.opaque
        return ResponseFact(loc=x.loc(anchor), in_catch=at.catch is not None, **fact)

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
    per_item = parent.data[1]
    # Below any other kind of node a child runs as often as its parent: asked of every node of
    # every body, so the call is saved there.
    if parent.node.type in PER_ITEM_PARENTS:
        per_item = per_item_below(parent, key, child, per_item)
    return _handled(parent, key), per_item


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
