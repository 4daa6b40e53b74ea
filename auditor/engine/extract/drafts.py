"""A file's facts while its readers fill them: ``ModuleFacts`` with lists and dicts, then ``freeze``.

Extraction (``extractor.FileExtractor``) and the tree-sitter reader of frontend files
(``frontend``, ``clienthooks``) append to a ``ModuleDraft`` as they find things; the frozen
``ModuleFacts`` it freezes into is what the cache keeps and linking and rules read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from auditor.engine.model import (
    BodyFacts,
    BuilderDef,
    CorsRouterFact,
    CronFact,
    FrozenDict,
    FunctionFact,
    HookCall,
    HookWrapper,
    IdReference,
    Location,
    ModuleFacts,
    ObjectShape,
    PaginateRead,
    Registration,
    ReturnedRead,
    RouteFact,
    SchemaFact,
    StringFact,
    UnexportedRegistration,
)


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
        # Every field of ModuleFacts, by name: a field the draft lacks fails here, not silently.
        values = {name: getattr(self, name) for name in _MODULE_FIELDS}
        values["helper_returns"] = {name: tuple(reads) for name, reads in self.helper_returns.items()}
        return ModuleFacts(**{name: _frozen(value) for name, value in values.items()})


def _frozen(value: object) -> object:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict) and not isinstance(value, FrozenDict):
        return FrozenDict(value)
    return value


_MODULE_FIELDS = tuple(f.name for f in fields(ModuleFacts))
