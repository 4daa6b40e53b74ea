"""Facts while their readers fill them, with lists and dicts, then ``freeze`` into plain data.

Extraction (``extractor.FileExtractor``) and the tree-sitter reader of frontend files
(``frontend``, ``clienthooks``) append to a file's ``ModuleDraft`` as they find things, and the
walk of a function body (``bodies``, ``argflow``) to its ``BodyDraft``; the frozen ``ModuleFacts``
and ``BodyFacts`` they freeze into are what the cache keeps and linking and rules read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TypeVar

from auditor.engine.model import (
    ArgsWrite,
    ArgUse,
    BodyFacts,
    BuilderDef,
    CorsRouterFact,
    CronFact,
    DbCall,
    FrozenDict,
    FunctionFact,
    HelperCall,
    HookCall,
    HookWrapper,
    IdReference,
    Location,
    ModuleFacts,
    ObjectShape,
    PaginateRead,
    Registration,
    ResponseFact,
    ReturnedRead,
    RouteFact,
    RunCall,
    SchemaFact,
    StringFact,
    UnexportedRegistration,
)

_Frozen = TypeVar("_Frozen")


@dataclass(slots=True)
class ModuleDraft:
    """``ModuleFacts`` field for field, with lists for its tuples and dicts for its ``FrozenDict``s."""

    path: str
    module: str | None
    source: str = field(repr=False, default="")
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)
    functions: list[FunctionFact] = field(default_factory=list)
    bodies: dict[str, BodyFacts] = field(default_factory=dict)
    routes: list[RouteFact] = field(default_factory=list)
    schema: SchemaFact | None = None
    crons: list[CronFact] = field(default_factory=list)
    id_references: list[IdReference] = field(default_factory=list)
    strings: list[StringFact] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    builder_defs: dict[str, BuilderDef] = field(default_factory=dict)
    object_shapes: dict[str, ObjectShape] = field(default_factory=dict)
    reexports: list[tuple[str, str, str]] = field(default_factory=list)
    import_specifiers: list[tuple[str, str, Location]] = field(default_factory=list)
    import_sites: list[tuple[str, Location]] = field(default_factory=list)
    validator_calls: list[tuple[str, Location]] = field(default_factory=list)
    process_env: list[Location] = field(default_factory=list)
    use_node: bool = False
    routers: list[tuple[str, Location]] = field(default_factory=list)
    cors_routers: list[CorsRouterFact] = field(default_factory=list)
    misplaced_use_node: list[Location] = field(default_factory=list)
    unexported_registrations: list[UnexportedRegistration] = field(default_factory=list)
    paginate_reads: list[PaginateRead] = field(default_factory=list)
    returned_reads: list[ReturnedRead] = field(default_factory=list)
    helper_returns: dict[str, list[ReturnedRead]] = field(default_factory=dict)
    hook_wrappers: dict[str, HookWrapper] = field(default_factory=dict)
    hook_calls: list[HookCall] = field(default_factory=list)
    table_sets: dict[str, SchemaFact] = field(default_factory=dict)
    import_statements: list[tuple[str, Location, tuple[str, ...]]] = field(default_factory=list)
    top_level_reads: frozenset[str] = frozenset()

    def freeze(self) -> ModuleFacts:
        return freeze_draft(self, ModuleFacts, _MODULE_FIELDS,
                       helper_returns={name: tuple(reads) for name, reads in self.helper_returns.items()})


@dataclass(slots=True)
class BodyDraft:
    """A body's facts while its walk (and argflow) fill them: ``BodyFacts`` with lists, then ``freeze``."""

    key: str
    path: str
    name: str
    loc: Location
    line_count: int
    db_calls: list[DbCall] = field(default_factory=list)
    run_calls: list[RunCall] = field(default_factory=list)
    fetch_calls: list[Location] = field(default_factory=list)
    side_effect_calls: list[tuple[str, Location]] = field(default_factory=list)
    storage_calls: list[tuple[str, Location]] = field(default_factory=list)
    auth_checks: list[Location] = field(default_factory=list)
    auth_tested_at: list[Location] = field(default_factory=list)
    auth_returning_checks: list[Location] = field(default_factory=list)
    reads_authorization: list[Location] = field(default_factory=list)
    verifies_signature: list[Location] = field(default_factory=list)
    compares_env_secret: list[Location] = field(default_factory=list)
    env_gates: list[Location] = field(default_factory=list)
    responses: list[ResponseFact] = field(default_factory=list)
    date_now: list[Location] = field(default_factory=list)
    floating_promises: list[tuple[str, Location]] = field(default_factory=list)
    helper_calls: list[HelperCall] = field(default_factory=list)
    collect_filters: list[tuple[str, Location]] = field(default_factory=list)
    returned_collects: list[Location] = field(default_factory=list)
    error_throws: list[Location] = field(default_factory=list)
    random_calls: list[tuple[str, Location]] = field(default_factory=list)
    arg_uses: list[ArgUse] = field(default_factory=list)
    args_writes: list[ArgsWrite] = field(default_factory=list)
    opaque_calls: list[Location] = field(default_factory=list)

    def freeze(self) -> BodyFacts:
        return freeze_draft(self, BodyFacts, _BODY_FIELDS)


def freeze_draft(draft: object, frozen: type[_Frozen], names: tuple[str, ...], **values: object) -> _Frozen:
    """The frozen fact of a draft: each of ``names`` (the frozen class's fields) from ``values`` or
    else the draft, lists made tuples and dicts ``FrozenDict``s. Every field is read by name: a field
    the draft lacks fails here, not silently."""
    found = {name: values[name] if name in values else getattr(draft, name) for name in names}
    return frozen(**{name: _frozen(value) for name, value in found.items()})


def _frozen(value: object) -> object:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict) and not isinstance(value, FrozenDict):
        return FrozenDict(value)
    return value


_MODULE_FIELDS = tuple(f.name for f in fields(ModuleFacts))
_BODY_FIELDS = tuple(f.name for f in fields(BodyFacts))
