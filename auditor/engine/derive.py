"""Facts derived from the linked project that more than one rule or inventory needs."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from auditor.engine.librarytables import LIBRARY_TABLES
from auditor.engine.model import (
    BodyFacts,
    DbCall,
    FunctionFact,
    IndexFact,
    Location,
    ModuleFacts,
    ProjectFacts,
    RouteFact,
    SchemaFact,
    TableFact,
)


def function_checks_auth(project: ProjectFacts, function: FunctionFact) -> bool:
    """Identity is checked by the handler, a helper it calls, its custom builder's context, or a
    function it runs in the caller's name (``ctx.runQuery(api.users.current)``: the identity goes
    along; a scheduled function runs with none, so the scheduler does not count). Worked out once
    per function per project."""
    return project.once("function_checks_auth", function, lambda: _function_checks_auth(project, function))


def _function_checks_auth(project: ProjectFacts, function: FunctionFact) -> bool:
    seen: set[str] = set()
    pending = [function]
    while pending:
        current = pending.pop()
        if current.function_id in seen:
            continue
        seen.add(current.function_id)
        for body in project.function_bodies(current):
            if body.auth_checks:
                return True
            for call in body.run_calls:
                target = project.functions.get(call.target.function_id) if call.target else None
                if call.method in RUN_CALLS_WITH_IDENTITY and target is not None:
                    pending.append(target)
    return False


RUN_CALLS_WITH_IDENTITY = frozenset({"runQuery", "runMutation", "runAction"})
# Calls that change something: the function they run or schedule writes, or spends.
WRITING_RUNS = frozenset({"runMutation", "runAction", "runAfter", "runAt"})


def writes_before_auth_check(project: ProjectFacts, function: FunctionFact) -> list[tuple[str, Location]]:
    """The writes (``ctx.db`` inserts, patches, replaces and deletes, mutations and actions run or
    scheduled) a function that checks the caller makes before its first check takes effect, as
    (what, where) in the handler's file or its helpers'.

    A check takes effect where its answer is read (``answers.py``): ``const id = await
    getAuthUserId(ctx)`` read only after ``ctx.db.patch(...)`` guards none of that patch. A helper
    that checks (``await requireUser(ctx)``) takes effect at its call; a helper called before it
    writes unguarded. A write whose arguments hold the check (``ctx.db.insert("t", { owner: await
    requireUser(ctx) })``) runs after it. A custom builder's context runs before the handler: when
    it checks, nothing is written first. Empty when the function checks nothing at all (that is
    another finding).

    A mutation is one transaction: a failing check that throws, wherever it stands, rolls back
    what was written before it. There only checks that fail by returning (``if (!identity)
    return null;``) leave earlier writes in place. An action has no transaction: what it ran or
    scheduled before a check stays done."""
    if function.custom_context and function.custom_context in project.bodies and _first_check(
            project, project.bodies[function.custom_context], set()) is not None:
        return []
    if function.body is None or _first_check(project, function.body, set()) is None:
        return []
    if function.kind == "mutation" and any(throws for _, throws in _check_points(project, function.body, set())):
        return []  # a mutation is one transaction: a check that throws rolls back what came before it
    return _unguarded(project, function.body, set())


def _start(loc: Location) -> tuple[int, int]:
    return loc.line, loc.column


def _end(loc: Location) -> tuple[int, int]:
    return loc.end_line, loc.end_column


def _check_points(project: ProjectFacts, body: BodyFacts, seen: set[str]) -> list[tuple[tuple[int, int], bool]]:
    """Where each identity check of the body takes effect, and whether a failing one throws: its own
    checks, and helpers or functions run in the caller's name that check (at the call; they are
    taken to throw, as `requireUser(ctx)` does)."""
    if body.key in seen:
        return []
    seen = seen | {body.key}
    returning = {_start(loc) for loc in body.auth_returning_checks}
    points = [(_start(loc), _start(loc) not in returning) for loc in body.auth_tested_at]
    for call in body.helper_calls:
        if call.target in project.bodies and _check_points(project, project.bodies[call.target], seen):
            points.append((_start(call.loc), True))
    for run in body.run_calls:
        target = project.functions.get(run.target.function_id) if run.target else None
        if run.method in RUN_CALLS_WITH_IDENTITY and target is not None and function_checks_auth(project, target):
            points.append((_start(run.loc), True))
    return points


def _first_check(project: ProjectFacts, body: BodyFacts, seen: set[str]) -> tuple[int, int] | None:
    """Where the body's first identity check takes effect, its own or a helper's (at the call)."""
    return min((point for point, _ in _check_points(project, body, seen)), default=None)


def _writes(body: BodyFacts) -> list[tuple[str, Location]]:
    found = [(f"ctx.db.{call.method}", call.loc) for call in body.db_calls if call.is_write]
    found.extend((run.target_text or f"ctx.{run.method}", run.loc) for run in body.run_calls
                 if run.method in WRITING_RUNS)
    return found


def _unguarded(project: ProjectFacts, body: BodyFacts, seen: set[str]) -> list[tuple[str, Location]]:
    if body.key in seen:
        return []
    seen.add(body.key)
    first = _first_check(project, body, set())
    unguarded = [(what, loc) for what, loc in _writes(body) if first is None or _end(loc) <= first]
    for call in body.helper_calls:
        target = project.bodies.get(call.target) if call.target else None
        if target is None:
            continue
        if first is None or _end(call.loc) <= first:
            unguarded.extend(write for reached in project.reachable_bodies(target) for write in _writes(reached))
        elif _start(call.loc) == first:
            unguarded.extend(_unguarded(project, target, seen))  # the checking helper's own writes before its check
    return sorted(set(unguarded), key=lambda write: (write[1].path, _start(write[1])))


def body_checks_http_auth(project: ProjectFacts, body: BodyFacts) -> bool:
    return any(
        b.auth_checks or b.reads_authorization or b.verifies_signature for b in project.reachable_bodies(body)
    )


def http_handler_bodies(project: ProjectFacts) -> Iterator[tuple[BodyFacts, str]]:
    """Each httpAction handler body once, with a label: exported httpActions and inline route handlers."""
    seen: set[str] = set()
    for function in project.functions.values():
        if function.kind == "httpAction" and function.body is not None and function.body.key not in seen:
            seen.add(function.body.key)
            yield function.body, function.function_id
    for route in project.routes:
        if route.handler_body and route.handler_body not in seen and route.handler_body in project.bodies:
            seen.add(route.handler_body)
            yield project.bodies[route.handler_body], f"{route.method} {route.route_key}"


def cors_routed_bodies(project: ProjectFacts) -> set[str]:
    """Handler bodies registered through convex-helpers' corsRouter, which adds CORS headers itself."""
    return {route.handler_body for route in project.routes if route.adds_cors and route.handler_body}


def cors_left_out_by_choice(project: ProjectFacts, route: RouteFact) -> bool:
    """A route registered on a router that a convex-helpers ``corsRouter`` of the same file wraps.

    The file puts its browser routes on the ``corsRouter``; a route it registers on the plain
    router beside it (a server-to-server proxy) was left without CORS on purpose. Unless the route
    is itself meant for browsers: an OPTIONS route of its own answers for it, or one of its
    responses carries ``Access-Control-Allow-Origin``; then every response needs the header."""
    if route.adds_cors:
        return False
    module = project.modules.get(route.loc.path)
    if module is None or not any(router.wraps == route.router for router in module.cors_routers):
        return False
    if route.method != "OPTIONS" and any(
            other.method == "OPTIONS" and other.route_key == route.route_key for other in project.routes):
        return False
    handler = project.bodies.get(route.handler_body) if route.handler_body else None
    return handler is None or not any(
        response.has_cors for body in project.reachable_bodies(handler) for response in body.responses)


def cors_left_out_bodies(project: ProjectFacts) -> set[str]:
    """Handler bodies every route to which is left without CORS by choice (``cors_left_out_by_choice``)."""
    by_body: dict[str, list[bool]] = {}
    for route in project.routes:
        if route.handler_body:
            by_body.setdefault(route.handler_body, []).append(cors_left_out_by_choice(project, route))
    return {body for body, choices in by_body.items() if all(choices)}


def route_has_preflight(project: ProjectFacts, route: RouteFact) -> bool:
    """An OPTIONS route answers for the same path, or a prefix covers it (also one we cannot read)."""
    if route.adds_cors or route.method == "OPTIONS" or route.router_hands_on:
        return True
    served = route.path if route.path is not None else route.path_prefix
    for other in project.routes:
        if other.method not in {"OPTIONS", "*"}:  # "*": a method computed at runtime may be OPTIONS
            continue
        if other.path is None and other.path_prefix is None:
            return True  # path computed at runtime: it may be this one
        if other.path is not None and other.path == route.path:
            return True
        if other.path_prefix is not None and served is not None and served.startswith(other.path_prefix):
            return True
    return False


def route_cors(project: ProjectFacts, route: RouteFact) -> bool | None:
    """True when every response the handler can send carries CORS headers; None when unknown."""
    if route.adds_cors:
        return True
    if not route.handler_body or route.handler_body not in project.bodies:
        return None
    responses = [r for b in project.reachable_bodies(project.bodies[route.handler_body]) for r in b.responses]
    if not responses:
        return None
    if any(r.headers_known and not r.has_cors for r in responses):
        return False
    return True if all(r.has_cors for r in responses) else None


def route_checks_auth(project: ProjectFacts, route: RouteFact) -> bool:
    if not route.handler_body or route.handler_body not in project.bodies:
        return False
    return body_checks_http_auth(project, project.bodies[route.handler_body])


def bodies_of_kind(project: ProjectFacts, kinds: set[str]) -> Iterator[tuple[FunctionFact, BodyFacts]]:
    """(function, body) for every body reachable from functions of the given kinds (worked out once
    per set of kinds per project)."""
    known: dict[frozenset[str], list[tuple[FunctionFact, BodyFacts]]] = project.derived.setdefault(
        "bodies_of_kind", {})
    key = frozenset(kinds)
    pairs = known.get(key)
    if pairs is None:
        pairs = known[key] = [(function, body) for function in project.functions.values() if function.kind in kinds
                              for body in project.function_bodies(function)]
    yield from pairs


@dataclass(frozen=True, slots=True)
class ReachedBody:
    """A body reached from a function of some kind, once per body (its findings' owner is the body: ``body=``)."""

    function: FunctionFact  # the first function found to reach the body
    body: BodyFacts

    @property
    def via(self) -> str:
        """`` (reached from the query `a:b`)`` for a helper; empty for the handler itself."""
        if self.function.body is self.body:
            return ""
        return f" (reached from the {self.function.kind} `{self.function.function_id}`)"


def distinct_bodies_of_kind(project: ProjectFacts, kinds: set[str]) -> Iterator[ReachedBody]:
    """Each body reachable from functions of the given kinds once: a shared helper is one fact."""
    known: dict[frozenset[str], list[ReachedBody]] = project.derived.setdefault("distinct_bodies_of_kind", {})
    key = frozenset(kinds)
    reached = known.get(key)
    if reached is None:
        reached = known[key] = []
        seen: set[str] = set()
        for function, body in bodies_of_kind(project, kinds):
            if body.key not in seen:
                seen.add(body.key)
                reached.append(ReachedBody(function, body))
    yield from reached


def bodies_with_owner(project: ProjectFacts) -> Iterator[tuple[BodyFacts, str]]:
    """Every body of the Convex folder once, with the label findings in it carry (``RuleContext`` reads it).

    Handler bodies come first, labelled with their function id; the rest (helpers, inline route
    handlers, custom builder contexts) follow with their body key. A body analysed twice (a local
    function that is also given as ``handler:``) keeps the handler's label. Worked out once per
    project (rules ask for it tens of thousands of times).
    """
    yield from _bodies_with_owner(project)


def _bodies_with_owner(project: ProjectFacts) -> list[tuple[BodyFacts, str]]:
    owned: list[tuple[BodyFacts, str]] | None = project.derived.get("bodies_with_owner")
    if owned is not None:
        return owned
    owned = []
    seen: set[str] = set()
    for function in project.functions.values():
        if function.body is not None and function.body.key not in seen:
            seen.add(function.body.key)
            owned.append((function.body, function.function_id))
    for key, body in project.bodies.items():
        if key not in seen:
            seen.add(key)
            owned.append((body, key))
    project.derived["bodies_with_owner"] = owned
    return owned


def convex_bodies(project: ProjectFacts) -> Iterator[BodyFacts]:
    """Every body of the Convex folder once, in ``bodies_with_owner``'s order (handlers first)."""
    for body, _label in _bodies_with_owner(project):
        yield body


def body_owner_labels(project: ProjectFacts) -> dict[str, str]:
    """Body key -> label, as ``bodies_with_owner`` gives it.

    Worked out once per project and shared by every caller: read it, never change it."""
    labels: dict[str, str] | None = project.derived.get("body_owner_labels")
    if labels is None:
        labels = {body.key: label for body, label in _bodies_with_owner(project)}
        project.derived["body_owner_labels"] = labels
    return labels


def unused_indexes(project: ProjectFacts) -> list[IndexFact]:
    """Schema indexes (regular, search, vector) that no code of the Convex folder can be using.

    Generous about what counts as a use, so that "unused" is certain: an index is used when its
    name appears as a string anywhere in the Convex folder outside the schema module (a
    ``.withIndex("name"``, ``.withSearchIndex``, ``ctx.vectorSearch("t", "name"``, a helper such as
    ``getManyFrom(db, "t", "name", ...)`` or a constant). A ``.withIndex``/``.withSearchIndex``
    whose name is not a literal or a constant makes every index of its table (of every table when
    the table is not known either) count as used, and so does a library's use of its own tables.
    """
    schema = project.schema
    if schema is None:
        return []
    mentioned: set[str] = set()
    # Index names where tables are defined are no use: lines of index definitions in files whose
    # tables the schema spreads in (the schema's own module is left out whole).
    definition_lines = {(index.loc.path, index.loc.line) for table in schema.tables.values() for index in table.indexes}
    for module in project.modules.values():
        if module.path == schema.path:
            continue
        mentioned.update(string.value for string in module.strings
                         if not string.is_template and (module.path, string.loc.line) not in definition_lines)
    # A library that adds tables (Convex Auth's authTables) also queries them, and the indexes it
    # needs on a table the project redefines (users by "email" and "phone"), from its own code.
    library_tables = {
        name for names in LIBRARY_TABLES.values()
        if any(schema.tables.get(n) is not None and (schema.tables[n].opaque or schema.tables[n].library)
               for n in names)
        for name in names
    }
    dynamic_tables: set[str | None] = set(library_tables)
    for body in project.bodies.values():
        for call in body.db_calls:
            if call.index is not None:
                mentioned.add(call.index)  # a constant's value, also where the constant lives in the schema
            elif "withIndex" in call.chain or "withSearchIndex" in call.chain:
                dynamic_tables.add(call.table)
    unused: list[IndexFact] = []
    for table in schema.tables.values():
        if table.name in dynamic_tables or None in dynamic_tables:
            continue
        unused.extend(index for index in table.indexes if index.name not in mentioned)
    return unused


def schema_for(project: ProjectFacts, path: str) -> SchemaFact | None:
    """The schema that governs a file: the nearest one defined in the file's folder or above it.

    A Convex component keeps its own schema next to its functions; the app's schema does not
    describe the component's tables. Worked out once per folder per project.
    """
    by_path: dict[str, SchemaFact | None] = project.derived.setdefault("schema_for_path", {})
    if path in by_path:
        return by_path[path]
    folder = posixpath.dirname(path)
    by_folder: dict[str, SchemaFact | None] = project.derived.setdefault("schema_for", {})
    if folder not in by_folder:
        by_folder[folder] = _nearest_schema(project, folder)
    by_path[path] = by_folder[folder]
    return by_folder[folder]


def _nearest_schema(project: ProjectFacts, folder: str) -> SchemaFact | None:
    best: SchemaFact | None = None
    best_depth = -1
    for module in project.modules.values():
        schema = module.schema
        if schema is None:
            continue
        schema_folder = posixpath.dirname(module.path)
        if folder == schema_folder or folder.startswith(schema_folder + "/"):
            depth = schema_folder.count("/")
            if depth > best_depth:
                best, best_depth = schema, depth
    return best


def schema_tables(project: ProjectFacts, *, library: bool = False) -> Iterator[tuple[ModuleFacts, TableFact]]:
    """(module, table) for every table of every schema in the project (a component has its own).

    Tables a library spreads in (Convex Auth's ``authTables``) are the library's design, not the
    project's to change: they come only with ``library=True``."""
    for module in project.modules.values():
        if module.schema is None:
            continue
        for table in module.schema.tables.values():
            if library or table.library is None:
                yield module, table


def strings_text(project: ProjectFacts, file: Any) -> str:
    """The values of a file's strings (a module's or a data file's ``strings``), one a line.

    A text without a newline is in it exactly when it is in one of the values, so rules that look
    for a piece of text in strings can pass over a file none of whose strings holds it with one
    search instead of one per string (a template's value holds each of its text parts). Worked out
    once per file per project."""
    return project.once("strings_text", file, lambda: "\n".join(map(_VALUE, file.strings)))


_VALUE = attrgetter("value")


def owner_at(project: ProjectFacts, loc: Location) -> str | None:
    """The function id (or helper key) of the innermost body whose span holds ``loc``."""
    best: BodyFacts | None = None
    for body in project.bodies.values():
        span = body.loc
        if span.path != loc.path:
            continue
        inside = (span.line, span.column) <= (loc.line, loc.column) <= (span.end_line, span.end_column)
        if inside and (best is None or (span.line, span.column) >= (best.loc.line, best.loc.column)):
            best = body
    return body_owner_labels(project).get(best.key, best.key) if best is not None else None


# Sign-in libraries whose server side lives in the Convex folder.
AUTH_LIBRARIES = ("@convex-dev/auth", "@convex-dev/better-auth", "better-auth", "@clerk/")


def project_uses_auth(project: ProjectFacts, *, identity_only: bool = False) -> bool:
    """Whether the project authenticates anyone: an auth config, or any identity check, and unless
    ``identity_only``, any credential header read or request signature check."""
    for module in project.modules.values():
        if posixpath.basename(module.path).startswith("auth.config."):
            return True
        if any(source.startswith(AUTH_LIBRARIES) for source, _ in module.imports.values()):
            return True
    if identity_only:
        return any(b.auth_checks for b in project.bodies.values())
    return any(b.auth_checks or b.reads_authorization or b.verifies_signature for b in project.bodies.values())


def has_unresolved_helpers(project: ProjectFacts, bodies: list[BodyFacts], *, identity: bool = False) -> bool:
    """A body calls project code the engine cannot see into (an unresolved or path-alias import).

    ``identity``: only code that could check who is calling, that is code handed ``ctx``; a
    function given ``ctx.db`` or plain values cannot read the identity."""
    return any(call.target is None and (call.gets_identity or not identity)
               for body in bodies for call in body.helper_calls)


def server_to_server_handler(project: ProjectFacts, body: BodyFacts) -> bool:
    """A webhook receiver: it verifies a request signature, or every route to it is a webhook path;
    or an endpoint for servers: it compares a credential header with an environment secret
    (`Bearer ${process.env.CRON_SECRET}`), which no browser holds."""
    paths = [(r.path or r.path_prefix or "").lower() for r in project.routes if r.handler_body == body.key]
    if bool(paths) and all("webhook" in path for path in paths):
        return True
    return handler_verifies_signature(project, body) or any(
        b.compares_env_secret for b in project.reachable_bodies(body))


def handler_verifies_signature(project: ProjectFacts, body: BodyFacts) -> bool:
    """A handler that checks a request signature is a server-to-server webhook, not a browser endpoint.

    The check may sit in the handler, a helper it calls, or a function it runs with the payload
    (``ctx.runAction(internal.stripe.fulfill, { payload, signature })``).
    """
    bodies = project.reachable_bodies(body)
    if any(b.verifies_signature for b in bodies):
        return True
    for call in (call for b in bodies for call in b.run_calls):
        target = project.functions.get(call.target.function_id) if call.target else None
        if target is not None and any(b.verifies_signature for b in project.function_bodies(target)):
            return True
    return False


QUERY_RUNNERS = frozenset({"collect", "take", "first", "unique", "paginate"})


def missing_query_methods(project: ProjectFacts, method: str, *, after_builder: bool = False
                          ) -> Iterator[tuple[DbCall, Location, BodyFacts]]:
    """``ctx.db.query(...)`` chains calling ``method`` before anything runs the query, with their body.

    ``after_builder``: only where ``method`` follows another method of the chain (``withIndex``,
    ``filter``, ``order``...), not straight on ``ctx.db.query("t")``."""
    for body in convex_bodies(project):
        for call in body.db_calls:
            if call.method != "query":
                continue
            for position, (name, loc) in enumerate(zip(call.chain, call.chain_locs, strict=False)):
                if name in QUERY_RUNNERS:
                    break
                if name == method:
                    if position > 0 or not after_builder:
                        yield call, loc, body
                    break


def shadowed_convex_packages(project: ProjectFacts) -> set[str]:
    """``convex/server``/``convex/values`` specifiers a project file could stand in for.

    A tsconfig ``baseUrl`` or ``paths`` entry can send the bare specifier ``convex/server`` to a
    project file named ``convex/server.ts``; where one exists, an import from it is not the package."""
    shadowed: set[str] = set()
    for path in [*project.modules, *project.frontend]:
        stem = posixpath.splitext(path)[0].removesuffix("/index")
        for package in ("convex/server", "convex/values"):
            if stem == package or stem.endswith("/" + package):
                shadowed.add(package)
    return shadowed


def is_entry_point(path: str) -> bool:
    """A file of the Convex folder that Convex bundles and registers: not a dotfile, not one whose name
    has more than one dot (``auth.config.ts``, ``*.test.ts``), no space in its path (as the CLI decides)."""
    name = posixpath.basename(path)
    return not name.startswith((".", "#")) and name.count(".") <= 1 and " " not in path
