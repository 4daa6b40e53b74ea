"""The typed facts the engine extracts from a Convex project.

Extraction fills these per file; linking joins them across the project; rules read them.
Facts are plain data: they hold no syntax-tree node, so they pickle (the facts cache keeps them
on disk and sends them between processes) and a rule can only read what extraction recorded.
They are frozen, and hold tuples and ``FrozenDict``s rather than lists and dicts: extraction
builds them from its own mutable drafts, and linking builds new objects (``evolve``)
or project-level structures rather than changing extracted ones, so cached facts come out of
every audit as they went in. ``ProjectFacts`` is the one mutable holder: the audit fills it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal, NamedTuple, NoReturn, TypeVar

FunctionKind = Literal["query", "mutation", "action", "httpAction"]
Visibility = Literal["public", "internal"]
Severity = Literal["error", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}

_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenDict(dict[_K, _V]):
    """A dict that refuses changes: the mappings frozen facts hold.

    A dict underneath, so lookups cost what a dict's do and JSON writes it as an object."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a frozen fact's mapping cannot change; build a new one")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V]], tuple[dict[_K, _V]]]:
        # Pickle's default for a dict subclass fills it through __setitem__, which refuses.
        return FrozenDict, (dict(self),)

    def __copy__(self) -> FrozenDict[_K, _V]:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenDict[_K, _V]:
        import copy

        return FrozenDict({key: copy.deepcopy(value, memo) for key, value in self.items()})


_F = TypeVar("_F")


@functools.cache
def field_reader(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving a dataclass instance's fields as a tuple, in order, read at once in C
    (``operator.attrgetter``): facts are copied and pickled by the tens of thousands."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    getter = attrgetter(*names)
    return getter if len(names) > 1 else (lambda value: (getter(value),))


@functools.cache
def _field_index(cls: type) -> dict[str, int]:
    return {f.name: index for index, f in enumerate(fields(cls))}  # type: ignore[arg-type]


def evolve(fact: _F, **changes: object) -> _F:
    """``dataclasses.replace`` for the facts here (every field an ``__init__`` argument), at half
    its cost: the fields are read at once and handed to the constructor by position. Linking makes
    thousands of these copies on every audit."""
    cls = type(fact)
    index = _field_index(cls)
    values = list(field_reader(cls)(fact))
    for name, value in changes.items():
        if name not in index:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        values[index[name]] = value
    return cls(*values)


class Location(NamedTuple):
    """A 1-based line and 0-based column span in a file, path relative to the audited root.

    A named tuple rather than a frozen dataclass like the other facts: a project's facts hold tens
    of thousands, and a frozen dataclass's ``__init__`` (one ``object.__setattr__`` a field) was a
    sixth of a warm audit, spent unpickling them (``factcache`` rebuilds these in C)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A reference such as ``internal.messages.send``: namespace plus ``module:name``."""

    namespace: Literal["api", "internal"]
    module: str
    name: str

    @property
    def function_id(self) -> str:
        return f"{self.module}:{self.name}"

    def __str__(self) -> str:
        return f"{self.namespace}.{self.module.replace('/', '.')}.{self.name}"


@dataclass(frozen=True, slots=True)
class DbCall:
    """One ``ctx.db`` call; for ``query`` the whole chain that follows it."""

    method: str  # query, get, insert, patch, replace, delete, normalizeId, system
    loc: Location
    table: str | None = None
    table_loc: Location | None = None
    index: str | None = None
    index_loc: Location | None = None
    index_kind: Literal["regular", "search", "vector"] | None = None
    index_has_range: bool = False
    index_eq_fields: tuple[str, ...] = ()
    filter_fields: tuple[str, ...] = ()
    filter_loc: Location | None = None
    chain: tuple[str, ...] = ()  # e.g. ["withIndex", "order", "collect"]
    chain_locs: tuple[Location, ...] = ()  # where each method of `chain` is named
    index_range_calls: tuple[tuple[str, Location], ...] = ()
    # methods called on the `withIndex` callback's range builder: ("eq", loc), ("gte", loc), ...
    terminal: str | None = None  # collect, take, first, unique, paginate
    terminal_loc: Location | None = None
    awaited: bool = True
    explicit_table: bool = False  # get/patch/replace/delete given the table name first ("t", id, ...)
    # insert/patch/replace: the keys of the object written (None when not an object literal the
    # extractor could read), and those whose value only counts: a number step, a literal, the time.
    fields: frozenset[str] | None = None
    counter_fields: frozenset[str] = frozenset()

    @property
    def is_write(self) -> bool:
        return self.method in {"insert", "patch", "replace", "delete"}


@dataclass(frozen=True, slots=True)
class RunCall:
    """``ctx.runQuery``/``runMutation``/``runAction`` or ``ctx.scheduler.runAfter``/``runAt``."""

    method: str  # runQuery, runMutation, runAction, runAfter, runAt
    loc: Location
    target: FunctionRef | None = None
    target_text: str = ""  # the reference as written, for messages
    target_is_direct: bool = False  # a function value instead of an api/internal reference
    awaited: bool = True
    in_loop: bool = False  # in any loop body or iteration callback (while loops included)
    per_item: bool = False  # once per item of a collection of unknown size (see loops.py)
    statement: tuple[int, int] | None = None  # (block, index) when the call is a whole statement of a block
    target_string: str | None = None  # a string literal given as the reference ("messages:send"), not cast


@dataclass(frozen=True, slots=True)
class ResponseFact:
    """A ``new Response(...)`` or ``Response.json(...)`` expression."""

    loc: Location
    status: int | None = None
    status_known: bool = True  # False when the status comes from something we cannot resolve
    own_header_names: frozenset[str] = frozenset()  # lower-cased, as seen in the file
    own_headers_known: bool = True  # False when headers come from a parameter or opaque call
    header_refs: tuple[tuple[str, str], ...] = ()  # (import source, name) resolved at link time
    header_names: frozenset[str] = frozenset()  # after linking: own names plus imported ones
    own_header_values: tuple[tuple[str, str], ...] = ()  # (lower-cased name, constant value), as seen in the file
    header_values: tuple[tuple[str, str], ...] = ()  # after linking: imported values, then own ones
    headers_known: bool = True  # after linking
    in_catch: bool = False
    body_has_error_key: bool = False

    @property
    def has_cors(self) -> bool:
        return "access-control-allow-origin" in self.header_names

    @property
    def serves_page(self) -> bool:
        """An HTML page (``Content-Type: text/html``): what a browser navigates to, never a fetch."""
        return any(name == "content-type" and value.lower().startswith("text/html")
                   for name, value in self.header_values)


@dataclass(frozen=True, slots=True)
class HelperCall:
    """A call from one function body to a project-local helper, resolved at link time."""

    name: str  # as called
    loc: Location
    ref: str  # "local:name" or "import:source#name", as extraction saw it
    target: str | None = None  # body key of the helper, filled by linking
    # Handed what reads the caller's identity: `ctx` itself (or `ctx.auth`), not only `ctx.db`,
    # `ctx.storage` or plain values. A helper given none cannot check who is calling.
    gets_identity: bool = True


@dataclass(frozen=True, slots=True)
class ArgUse:
    """A handler reading one of its arguments in a way that decides access (see extract)."""

    kind: Literal["compare", "test", "owner_write", "written", "verified", "passed"]
    arg: str  # the argument's name in the args validator ("*" for the whole args object)
    loc: Location
    detail: str = ""  # the other side of a comparison, or the field written


@dataclass(frozen=True, slots=True)
class ArgsWrite:
    """``ctx.db.patch``/``replace``/``insert`` given the handler's whole args, a spread or a rest of them."""

    method: str
    loc: Location
    form: Literal["whole", "spread", "rest"]
    excluded: frozenset[str] = frozenset()  # names destructured away from a rest element


@dataclass(frozen=True, slots=True)
class BodyFacts:
    """What one function body (a handler or a helper) does, before linking."""

    key: str  # "path#name" for helpers, "path#export" for handlers
    path: str
    name: str
    loc: Location
    db_calls: tuple[DbCall, ...] = ()
    run_calls: tuple[RunCall, ...] = ()
    fetch_calls: tuple[Location, ...] = ()
    side_effect_calls: tuple[tuple[str, Location], ...] = ()
    storage_calls: tuple[tuple[str, Location], ...] = ()
    auth_checks: tuple[Location, ...] = ()
    # Where each identity check of auth_checks takes effect, in the same order: where its answer is
    # first read (tested, or passed into a query or write), which may be well after the call.
    auth_tested_at: tuple[Location, ...] = ()
    # The auth_tested_at of checks that fail without throwing (`if (!identity) return null;`, or an
    # identity only passed on): in a mutation, what was written before them is not rolled back.
    auth_returning_checks: tuple[Location, ...] = ()
    reads_authorization: tuple[Location, ...] = ()
    verifies_signature: tuple[Location, ...] = ()
    # A credential header compared with an environment secret: a caller that holds a server secret.
    compares_env_secret: tuple[Location, ...] = ()
    # Statements of the body's own that throw on a test of the environment (`if
    # (process.env.IS_TEST === undefined) throw ...`): it runs only where the deployment allows it.
    env_gates: tuple[Location, ...] = ()
    responses: tuple[ResponseFact, ...] = ()
    date_now: tuple[Location, ...] = ()
    floating_promises: tuple[tuple[str, Location], ...] = ()
    helper_calls: tuple[HelperCall, ...] = ()
    collect_filters: tuple[tuple[str, Location], ...] = ()
    # (field, loc of `.filter`): an array filter on a field of a `.collect()` result
    returned_collects: tuple[Location, ...] = ()  # `.collect()` results returned as is
    error_throws: tuple[Location, ...] = ()  # `throw new Error(...)`
    random_calls: tuple[tuple[str, Location], ...] = ()  # Math.random(), crypto.randomUUID()
    arg_uses: tuple[ArgUse, ...] = ()  # handlers only
    args_writes: tuple[ArgsWrite, ...] = ()  # handlers only
    line_count: int = 0
    opaque_calls: tuple[Location, ...] = ()
    # calls that may have side effects: not ctx.*, a project helper, a built-in or a value method


@dataclass(frozen=True, slots=True)
class Validator:
    """A ``v.*`` validator, recursively described."""

    kind: str  # string, number, id, object, array, optional, union, literal, any, ...
    table: str | None = None  # for v.id("t")
    children: tuple[Validator, ...] = ()
    fields: FrozenDict[str, Validator] = field(default_factory=FrozenDict)  # for v.object
    loc: Location | None = None
    value: str | None = None  # for v.literal(x): x as JSON text; None when not a literal the extractor read
    open: bool = False  # an object with fields the extractor could not read (an unresolved spread)

    @property
    def optional(self) -> bool:
        return self.kind == "optional"

    @property
    def inner(self) -> Validator:
        return self.children[0] if self.kind == "optional" and self.children else self

    def type_label(self) -> str:
        if self.kind == "optional":
            return self.inner.type_label()
        if self.kind == "id":
            return f'id("{self.table}")' if self.table else "id"
        if self.kind == "array" and self.children:
            return f"array<{self.children[0].type_label()}>"
        if self.kind == "union" and self.children:
            return " | ".join(c.type_label() for c in self.children)
        return self.kind

    def walk(self) -> Iterator[Validator]:
        """This validator and every one inside it, depth first from the last field, without recursion."""
        stack = [self]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(current.children)
            stack.extend(current.fields.values())


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """An exported Convex function registration."""

    module: str  # path inside the Convex folder without extension: "messages", "lib/users"
    name: str  # export name; "default" for a default export
    path: str  # file path relative to the audited root
    kind: FunctionKind
    visibility: Visibility
    builder: str  # as written: query, internalMutation, authedQuery, ...
    syntax: Literal["object", "function"]
    loc: Location
    has_args: bool = False
    args: FrozenDict[str, Validator] | None = None
    args_loc: Location | None = None
    has_returns: bool = False
    returns: Validator | None = None
    args_validator: Validator | None = None  # the whole `args` value: object, v.any(), unknown...
    body: BodyFacts | None = None
    custom_context: str | None = None  # body key of a convex-helpers customCtx function
    conditional: bool = False  # exported behind a condition (a ternary or `&&`)
    options_spread: bool = False  # the registration object spreads another (`{ ...shared, handler }`)

    @property
    def function_id(self) -> str:
        return f"{self.module}:{self.name}"


@dataclass(frozen=True, slots=True)
class RouteFact:
    """An ``http.route({...})`` registration."""

    method: str
    path: str | None
    path_prefix: str | None
    loc: Location
    handler_label: str  # "inline", an identifier, or "module:name"
    handler_body: str | None = None  # body key of the handler when resolved
    handler_function: str | None = None  # function id when the handler is an exported httpAction
    handler_local: str | None = None  # export name of a handler defined in the router's module
    handler_import: tuple[str, str] | None = None  # (import source, name) of an imported handler
    adds_cors: bool = False  # registered on convex-helpers' corsRouter, which answers CORS itself
    # registered on a router that hands requests it has no route for to another framework
    # (convex-helpers' HttpRouterWithHono): an OPTIONS request may be answered there
    router_hands_on: bool = False
    router: str = ""  # the local name of the router it is registered on
    top_level: bool = False  # a statement of the module's top level: it runs exactly once, when the module loads
    spec_keys: frozenset[str] = frozenset()  # the keys the route spec object literally has
    spec_open: bool = False  # the spec has a spread or is not an object literal: keys may be missing
    method_literal: str | None = None  # `method` exactly as written when it is a string literal
    handler_form: Literal["wrapped", "function", "call", "reference", "unknown"] = "unknown"
    # "wrapped": httpAction(...) inline or through a local constant; "function": a bare function;
    # "call": some other call, whose builder (as imported) is handler_builder
    handler_builder: str | None = None
    # A project function whose call builds the handler (`handler: withErrors(async (ctx, req) => ...)`),
    # as HelperCall.ref; linking finds its body (``wrapper_body``), whose own responses (a catch-all
    # error answer) the route can send too.
    handler_wrapper: str | None = None
    wrapper_body: str | None = None

    @property
    def route_key(self) -> str:
        return self.path if self.path is not None else f"{self.path_prefix}*"


@dataclass(frozen=True, slots=True)
class CorsRouterFact:
    """``const cors = corsRouter(http, { allowedOrigins, allowCredentials })`` (convex-helpers)."""

    local: str
    loc: Location
    wraps: str | None  # the local name of the router it registers its routes on
    # The literal origins, None when given by a function or a value the extractor cannot read;
    # ("*",) when left out (the library's default).
    allowed_origins: tuple[str, ...] | None = ("*",)
    allow_credentials: bool | None = False  # None when not a literal
    origins_given: bool = False  # the options give allowedOrigins (not the library's default)


@dataclass(frozen=True, slots=True)
class ObjectShape:
    """The static keys of an object a top-level constant or helper returns, for cross-file lookups."""

    keys: frozenset[str] = frozenset()
    refs: tuple[tuple[str, str], ...] = ()  # spreads of imported objects, resolved at link time
    opaque: bool = False  # a spread or value the extractor could not see through
    values: tuple[tuple[str, str], ...] = ()  # (key, value) of keys whose value is a constant string or boolean


@dataclass(frozen=True, slots=True)
class Registration:
    """``export const name = builder({...})`` before linking tells what ``builder`` is."""

    export_name: str
    callee: str  # the builder's local name
    loc: Location
    syntax: Literal["object", "function"]
    body_key: str | None
    handler_ref: tuple[str, str] | None = None  # (import source, name) of an imported handler
    has_args: bool = False
    args: FrozenDict[str, Validator] | None = None
    args_loc: Location | None = None
    has_returns: bool = False
    returns: Validator | None = None
    args_validator: Validator | None = None
    conditional: bool = False
    options_spread: bool = False


@dataclass(frozen=True, slots=True)
class UnexportedRegistration:
    """``const list = builder({...})`` at the top level, never exported nor referenced in its file."""

    local: str
    callee: str  # the builder's local name; linking tells whether it registers a Convex function
    loc: Location


@dataclass(frozen=True, slots=True)
class PaginateRead:
    """``.paginate(args.key)`` in an exported registration's handler, with what its args declare."""

    export_name: str
    key: str  # the key of the handler's args object handed to .paginate
    loc: Location
    has_args: bool  # the registration gives `args`
    args_keys: frozenset[str] | None  # the keys `args` literally has; None when it may have more


@dataclass(frozen=True, slots=True)
class ReturnedRead:
    """Documents (or fields of them) an exported registration's handler returns, by table (see exposure)."""

    export_name: str
    table: str  # the table read; with ``via``, the table whose document holds the id that was read
    via: str | None  # the id field of ``table`` the document was read by (``ctx.db.get(post.authorId)``)
    fields: frozenset[str] | None  # the fields returned; None for whole documents
    removed: frozenset[str]  # fields of whole documents taken out before they were returned
    loc: Location  # the returned expression
    # What a project function returns (``local:name``/``import:source#name``, as HelperCall.ref),
    # with ``fields``/``removed`` saying what the caller did to it; linking reads the function's
    # own returns (``ModuleFacts.helper_returns``) and sets ``table``. Empty ``table`` until then.
    helper: str | None = None


@dataclass(frozen=True, slots=True)
class BuilderDef:
    """``const authedQuery = customQuery(query, customCtx(async (ctx) => ...))``."""

    name: str
    base: str  # local name of the builder it wraps
    loc: Location
    context_body: str | None = None


@dataclass(frozen=True, slots=True)
class IndexFact:
    table: str
    name: str
    kind: Literal["regular", "search", "vector"]
    fields: tuple[str, ...]
    loc: Location
    filter_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldFact:
    name: str
    validator: Validator
    loc: Location | None = None

    @property
    def optional(self) -> bool:
        return self.validator.optional


@dataclass(frozen=True, slots=True)
class TableFact:
    name: str
    loc: Location
    opaque: bool = False  # defined by a library (e.g. authTables): fields and indexes unknown
    library: str | None = None  # the library spread that added it ("authTables"), see librarytables
    fields: FrozenDict[str, FieldFact] = field(default_factory=FrozenDict)
    indexes: tuple[IndexFact, ...] = ()
    document: Validator | None = None  # the validator given to defineTable, when read

    def index_named(self, name: str) -> IndexFact | None:
        return next((index for index in self.indexes if index.name == name), None)

    @property
    def leading_index_fields(self) -> set[str]:
        """The first field of each regular index: the fields an index can look rows up by alone."""
        return {index.fields[0] for index in self.indexes if index.kind == "regular" and index.fields}


@dataclass(frozen=True, slots=True)
class SchemaFact:
    path: str
    loc: Location
    tables: FrozenDict[str, TableFact] = field(default_factory=FrozenDict)
    id_references: tuple[tuple[str, str, str, Location], ...] = ()
    # (from_table, field, to_table, loc)
    open: bool = False  # a spread the extractor could not resolve may add tables
    # `schemaValidation: false` in defineSchema's options: documents are not checked on write.
    validation: bool = True
    # The source text of each spread of tables the extractor could not follow (`...moreTables`).
    unread_spreads: tuple[str, ...] = ()
    # Spreads of imported objects of tables, (import source, name, source text): linking reads them.
    spread_refs: tuple[tuple[str, str, str], ...] = ()
    # Files besides ``path`` whose tables linking merged in (`...agentTables` from agent/schema.ts).
    table_paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CronFact:
    name: str
    schedule: str  # interval, hourly, daily, weekly, monthly, cron
    loc: Location
    target: FunctionRef | None = None
    target_text: str = ""
    details: FrozenDict[str, Any] = field(default_factory=FrozenDict)
    name_literal: bool = True  # the name is a string literal (else `name` is the expression's text)
    registry: str = ""  # the local name of the cronJobs() object
    top_level: bool = False  # a statement of the module's top level: it runs exactly once, when the module loads


@dataclass(frozen=True, slots=True)
class IdReference:
    """``v.id("t")`` anywhere in project code (args validators included)."""

    table: str
    loc: Location
    # The project function whose arguments hold it (`inputHandler({ args: { id: v.id("t") } })`),
    # when that is not defineTable/defineSchema or a Convex builder: linking decides whether
    # Convex ever applies the validator.
    inside_call: str | None = None


@dataclass(frozen=True, slots=True)
class StringFact:
    """A string literal or template literal, kept for text-pattern rules (secrets, URLs)."""

    value: str  # template literals: quasis joined with "${}" where expressions were
    loc: Location
    parts: tuple[tuple[str, str], ...] = ()
    # ("text", literal text) or ("expr", kind): kind is "convex_cloud_url" (the deployment URL
    # from an env var), "convex_site_url" (the same rewritten to .convex.site) or "other"
    is_template: bool = False


@dataclass(frozen=True, slots=True)
class HookWrapper:
    """A project hook returning a Convex React hook: ``function useTasks() { return useQuery(api.t.list) }``."""

    name: str
    loc: Location
    hook: str | None = None  # the convex/react hook it returns, when it calls one directly
    via: tuple[str, str] | None = None  # (import source, name) of the imported wrapper it returns instead
    target: FunctionRef | None = None
    target_text: str = ""
    target_param: int | None = None  # the function reference is this parameter of the wrapper


@dataclass(frozen=True, slots=True)
class HookCall:
    """A Convex React hook called in a component or custom hook, directly or through a project wrapper."""

    component: str  # the enclosing component or custom hook
    loc: Location
    hook: str | None  # useQuery, useMutation, useAction, ...; None until an imported wrapper is resolved
    via: tuple[str, str] | None = None  # (import source, name) of an imported wrapper, before linking
    wrapper: str | None = None  # the wrapper's name when called through one
    target: FunctionRef | None = None
    target_text: str = ""
    arg_refs: tuple[tuple[FunctionRef | None, str], ...] = ()  # each argument as a function reference
    variable: str | None = None  # the local the result is bound to
    skip: bool = False  # an argument is (or may be) "skip"
    render_calls: tuple[Location, ...] = ()  # the returned function called while rendering
    unguarded_uses: tuple[Location, ...] = ()
    # the result dereferenced while rendering, and never tested, defaulted or passed on anywhere


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Facts of one parsed file (built from an ``extract.drafts.ModuleDraft``)."""

    path: str  # relative to the audited root
    module: str | None  # module path inside the Convex folder, None for frontend files
    source: str = field(repr=False, default="")
    imports: FrozenDict[str, tuple[str, str]] = field(default_factory=FrozenDict)  # local -> (source, name)
    exports: FrozenDict[str, str] = field(default_factory=FrozenDict)  # exported name -> local name
    functions: tuple[FunctionFact, ...] = ()
    bodies: FrozenDict[str, BodyFacts] = field(default_factory=FrozenDict)  # local helper name -> facts
    routes: tuple[RouteFact, ...] = ()
    schema: SchemaFact | None = None
    crons: tuple[CronFact, ...] = ()
    id_references: tuple[IdReference, ...] = ()
    strings: tuple[StringFact, ...] = ()
    registrations: tuple[Registration, ...] = ()
    builder_defs: FrozenDict[str, BuilderDef] = field(default_factory=FrozenDict)
    object_shapes: FrozenDict[str, ObjectShape] = field(default_factory=FrozenDict)  # top-level name -> shape
    reexports: tuple[tuple[str, str, str], ...] = ()  # (exported, source, name|*)
    import_specifiers: tuple[tuple[str, str, Location], ...] = ()
    # named value imports: (source, imported name, loc of the specifier)
    import_sites: tuple[tuple[str, Location], ...] = ()  # runtime imports and require()s
    validator_calls: tuple[tuple[str, Location], ...] = ()  # ("bigint", loc) for v.bigint()
    process_env: tuple[Location, ...] = ()  # `process.env` reads
    use_node: bool = False
    routers: tuple[tuple[str, Location], ...] = ()  # httpRouter()s created: (local, loc)
    cors_routers: tuple[CorsRouterFact, ...] = ()
    misplaced_use_node: tuple[Location, ...] = ()  # "use node" outside the prologue
    unexported_registrations: tuple[UnexportedRegistration, ...] = ()
    paginate_reads: tuple[PaginateRead, ...] = ()
    returned_reads: tuple[ReturnedRead, ...] = ()
    # What each top-level function taking ctx or a database returns, by local name (see exposure).
    helper_returns: FrozenDict[str, tuple[ReturnedRead, ...]] = field(default_factory=FrozenDict)
    hook_wrappers: FrozenDict[str, HookWrapper] = field(default_factory=FrozenDict)  # by local name
    hook_calls: tuple[HookCall, ...] = ()  # client files only
    # Top-level objects of `defineTable(...)` values a schema may spread in, by name.
    table_sets: FrozenDict[str, SchemaFact] = field(default_factory=FrozenDict)
    import_statements: tuple[tuple[str, Location, tuple[str, ...]], ...] = ()
    # every import and `export ... from` declaration: (source, loc, local names it binds)
    top_level_reads: frozenset[str] = frozenset()  # names read while the module loads (outside functions)


@dataclass(frozen=True, slots=True)
class ParseFailure:
    path: str
    message: str
    line: int
    column: int
    reserved_export: str | None = None  # the failure is `export const <reserved word> = ...`


@dataclass(slots=True)
class ProjectFacts:
    """Every fact of the project, after linking."""

    root: str
    convex_dir: str  # relative to root, "/"-separated, no trailing slash
    modules: dict[str, ModuleFacts] = field(default_factory=dict)  # by path
    frontend: dict[str, ModuleFacts] = field(default_factory=dict)  # by path
    functions: dict[str, FunctionFact] = field(default_factory=dict)  # by function id
    routes: list[RouteFact] = field(default_factory=list)
    schema: SchemaFact | None = None
    crons: list[CronFact] = field(default_factory=list)
    bodies: dict[str, BodyFacts] = field(default_factory=dict)  # every body, by key
    parse_failures: list[ParseFailure] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {path, reason}
    generated_files: list[str] = field(default_factory=list)  # under _generated/, never parsed
    module_imports: dict[str, list[tuple[str, str | None, Location]]] = field(default_factory=dict)
    # by path: (import source, resolved project path or None, loc), filled by linking
    convex_version: Any = None  # versions.ConvexVersion, filled by the audit
    import_aliases: Any = None  # aliases.ImportAliases: tsconfig paths and workspace packages
    repository: Any = None  # repofiles.RepositoryFiles, filled by the audit
    data_files: list[Any] = field(default_factory=list)  # datafiles.DataFile holding storage URLs, by the audit
    generated_issues: list[Any] = field(default_factory=list)  # generated.GeneratedIssue, filled by the audit
    hook_calls: list[HookCall] = field(default_factory=list)  # client hook calls, wrappers resolved
    unexported_functions: list[tuple[str, FunctionKind, UnexportedRegistration]] = field(default_factory=list)
    # (module path, kind, registration) for registrations linking found to be Convex functions
    convex_exports: Any = None  # convexexports.ConvexExports, filled by the audit
    baseline: Any = None  # compat.Inventory of the previous audit, when the audit is given one
    # What each function's handler returns, by function id, helpers' returns and imported
    # handlers followed (see exposure and linking).
    returned_reads: dict[str, list[ReturnedRead]] = field(default_factory=dict)
    # Answers derive.py works out once per project and reuses (the facts do not change after linking).
    derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def once(self, name: str, owner: object, work_out: Callable[[], _F]) -> _F:
        """``work_out()``'s answer for ``owner`` under ``name``, worked out once per project (the facts
        do not change after linking). Keyed by identity: the owner is kept beside its answer, so
        its id stays its own. Share the answer; never change it."""
        known: dict[int, tuple[object, Any]] = self.derived.setdefault(name, {})
        found = known.get(id(owner))
        if found is None:
            found = known[id(owner)] = (owner, work_out())
        return found[1]

    def reachable_bodies(self, start: BodyFacts) -> list[BodyFacts]:
        """The body and every project helper it calls, transitively, each once.

        Rules ask this of the same bodies thousands of times: each answer is worked out once per
        project and handed out as a new list."""
        return list(self.once("reachable_bodies", start, lambda: self._reachable_bodies(start)))

    def _reachable_bodies(self, start: BodyFacts) -> list[BodyFacts]:
        seen: dict[str, BodyFacts] = {}
        stack = [start]
        while stack:
            body = stack.pop()
            if body.key in seen:
                continue
            seen[body.key] = body
            for call in body.helper_calls:
                if call.target and call.target in self.bodies and call.target not in seen:
                    stack.append(self.bodies[call.target])
        return list(seen.values())

    def function_bodies(self, function: FunctionFact) -> list[BodyFacts]:
        """The handler's body, its helpers, and a custom builder's context function (worked out
        once per function, as ``reachable_bodies``)."""
        return list(self.once("function_bodies", function, lambda: self._function_bodies(function)))

    def _function_bodies(self, function: FunctionFact) -> list[BodyFacts]:
        bodies: list[BodyFacts] = []
        if function.body is not None:
            bodies.extend(self.reachable_bodies(function.body))
        if function.custom_context and function.custom_context in self.bodies:
            keys = {b.key for b in bodies}
            for body in self.reachable_bodies(self.bodies[function.custom_context]):
                if body.key not in keys:
                    bodies.append(body)
        return bodies
