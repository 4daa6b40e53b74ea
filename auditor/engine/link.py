"""Joining per-file facts into one project: imports, helpers, builders, handlers, shared headers."""

from __future__ import annotations

import posixpath

from auditor.engine.aliases import ImportAliases
from auditor.engine.client import link_hook_calls
from auditor.engine.extract import BASE_BUILDERS, is_generated_server, module_source_path
from auditor.engine.extract.schema import SchemaDraft
from auditor.engine.model import (
    BodyFacts,
    FunctionFact,
    HelperCall,
    ModuleFacts,
    ObjectShape,
    ParseFailure,
    ProjectFacts,
    Registration,
    ResponseFact,
    ReturnedRead,
    RouteFact,
    SchemaFact,
    evolve,
)

RESOLVE_SUFFIXES = ("", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts",
                    "/index.ts", "/index.tsx", "/index.js")


class Linker:
    def __init__(self, root: str, convex_dir: str, modules: list[ModuleFacts], frontend: list[ModuleFacts],
                 aliases: ImportAliases | None = None) -> None:
        self.project = ProjectFacts(root=root, convex_dir=convex_dir)
        self.project.import_aliases = aliases
        self.aliases = aliases
        self.project.modules = {m.path: m for m in modules}
        self.project.frontend = {m.path: m for m in frontend}
        self._by_path = {**self.project.frontend, **self.project.modules}
        self._relative: dict[tuple[str, str], str | None] = {}  # (importer's folder, source) -> path

    def link(self, parse_failures: list[ParseFailure], skipped: list[dict[str, str]]) -> ProjectFacts:
        self._link_schemas()
        project = self.project
        project.parse_failures = parse_failures
        project.skipped = skipped
        # Linked copies: the extracted (cached) bodies come out of every link unchanged.
        # A body with neither helper calls nor responses has nothing to link: it is taken as it is.
        for module in project.modules.values():
            for body in module.bodies.values():
                if body.helper_calls or body.responses:
                    body = evolve(body, helper_calls=tuple(self._linked_helper_calls(module, body)),
                                  responses=tuple(self._linked_responses(module, body)))
                project.bodies[body.key] = body
        for module in project.modules.values():
            for registration in module.registrations:
                function = self._function(module, registration)
                if function is not None:
                    project.functions[function.function_id] = function
            for unexported in module.unexported_registrations:
                kind = self.builder_kind(module, unexported.callee)
                if kind is not None and module.module is not None:
                    project.unexported_functions.append((module.path, kind[0], unexported))  # type: ignore[arg-type]
            if module.schema is not None and project.schema is None:
                project.schema = module.schema
            project.crons.extend(module.crons)
        for module in project.modules.values():
            project.module_imports[module.path] = [
                (source, target.path if (target := self.resolve_module(module.path, source)) else None, loc)
                for source, loc in module.import_sites
            ]
        for module in project.modules.values():
            for extracted in module.routes:
                route = self._linked_route(module, extracted)
                if route.handler_wrapper is not None:
                    route = evolve(route, wrapper_body=self._ref_body(module, route.handler_wrapper))
                project.routes.append(route)
        project.hook_calls = link_hook_calls(self)
        self._link_returned_reads()
        return project

    # Module resolution -----------------------------------------------------------------------

    def resolve_module(self, importer: str, source: str) -> ModuleFacts | None:
        if not module_source_path(source):
            # A tsconfig path alias or a workspace package: each candidate path in turn.
            if self.aliases is None:
                return None
            for base in self.aliases.candidates(importer, source):
                found = self._resolve_base(base)
                if found is not None:
                    return found
            return None
        # A relative import names the same file from every module of a folder: its path is found once.
        key = (posixpath.dirname(importer), source)
        if key not in self._relative:
            found = self._resolve_base(posixpath.normpath(posixpath.join(key[0], source)))
            self._relative[key] = found.path if found is not None else None
        path = self._relative[key]
        return self._by_path[path] if path is not None else None

    def _resolve_base(self, base: str) -> ModuleFacts | None:
        if base.endswith(".js") and base[:-3] + ".ts" in self._by_path:
            return self._by_path[base[:-3] + ".ts"]
        for suffix in RESOLVE_SUFFIXES:
            module = self._by_path.get(base + suffix)
            if module is not None:
                return module
        return None

    def resolve_export(self, module: ModuleFacts, name: str, depth: int = 0) -> tuple[ModuleFacts, str] | None:
        """The module and local name that ``name`` exported from ``module`` comes from."""
        if depth > 10:
            return None
        if name in module.exports:
            return module, module.exports[name]
        for exported, source, original in module.reexports:
            if exported == name or (exported == "*" and original == "*"):
                target = self.resolve_module(module.path, source)
                if target is None:
                    continue
                found = self.resolve_export(target, name if original == "*" else original, depth + 1)
                if found is not None:
                    return found
        return None

    def _resolve_import(self, module: ModuleFacts, source: str, name: str) -> tuple[ModuleFacts, str] | None:
        target = self.resolve_module(module.path, source)
        if target is None:
            return None
        return self.resolve_export(target, name)

    # Schemas ---------------------------------------------------------------------------------

    def _link_schemas(self) -> None:
        """Merge tables spread in from other modules (``...agentTables``) into a copy of each schema.

        Cached module facts come out of every link unchanged: the module gets a copy whose schema
        holds the merged tables."""
        for path, module in list(self.project.modules.items()):
            schema = module.schema
            if schema is None or not schema.spread_refs:
                continue
            merged = SchemaDraft.of(schema)
            merged.spread_refs = []
            merged.table_paths = []
            self._merge_spreads(module, schema, merged, 0)
            merged.open = bool(merged.unread_spreads) or (schema.open and not schema.unread_spreads)
            linked = evolve(module, schema=merged.freeze())
            self.project.modules[path] = linked
            self._by_path[path] = linked

    def _merge_spreads(self, module: ModuleFacts, source: SchemaFact, merged: SchemaDraft, depth: int) -> None:
        for import_source, name, text in source.spread_refs:
            found = self._resolve_import(module, import_source, name) if depth < 8 else None
            tables = found[0].table_sets.get(found[1]) if found else None
            if found is None or tables is None:
                continue
            if text in merged.unread_spreads:
                merged.unread_spreads.remove(text)
            for table_name, table in tables.tables.items():
                merged.tables.setdefault(table_name, table)
            merged.unread_spreads.extend(tables.unread_spreads)
            if found[0].path not in merged.table_paths and found[0].path != merged.path:
                merged.table_paths.append(found[0].path)
            self._merge_spreads(found[0], tables, merged, depth + 1)

    # Helpers and headers ---------------------------------------------------------------------

    def _body_key_for(self, module: ModuleFacts, local: str) -> str | None:
        if local in module.bodies:
            return module.bodies[local].key
        if f"export:{local}" in module.bodies:
            return module.bodies[f"export:{local}"].key
        exported = next((e for e, loc in module.exports.items() if loc == local), None)
        if exported is not None and f"export:{exported}" in module.bodies:
            return module.bodies[f"export:{exported}"].key
        return None

    def _ref_body(self, module: ModuleFacts, ref: str) -> str | None:
        """The body key a ``local:name``/``import:source#name`` reference names."""
        if ref.startswith("local:"):
            return self._body_key_for(module, ref[len("local:"):])
        if ref.startswith("import:"):
            source, _, name = ref[len("import:"):].rpartition("#")
            found = self._resolve_import(module, source, name)
            return self._body_key_for(*found) if found else None
        return None

    def _linked_helper_calls(self, module: ModuleFacts, body: BodyFacts) -> list[HelperCall]:
        linked: list[HelperCall] = []
        for call in body.helper_calls:
            if call.ref.startswith(("local:", "import:")):
                call = evolve(call, target=self._ref_body(module, call.ref))
            linked.append(call)
        return linked

    def _linked_responses(self, module: ModuleFacts, body: BodyFacts) -> list[ResponseFact]:
        linked: list[ResponseFact] = []
        for response in body.responses:
            names, known, values = response.own_header_names, response.own_headers_known, response.own_header_values
            if response.header_refs:
                shape = self._resolve_refs(module, response.header_refs, 0)
                names, known, values = names | shape.keys, known and not shape.opaque, shape.values + values
            linked.append(evolve(response, header_names=names, headers_known=known, header_values=values))
        return linked

    def _resolve_refs(self, module: ModuleFacts, refs: tuple[tuple[str, str], ...], depth: int) -> ObjectShape:
        keys: set[str] = set()
        opaque = False
        values: list[tuple[str, str]] = []
        for source, name in refs:
            found = self._resolve_import(module, source, name) if depth < 8 else None
            shape = found[0].object_shapes.get(found[1]) if found else None
            if found is None or shape is None:
                opaque = True
                continue
            keys |= shape.keys
            if shape.refs:
                inner = self._resolve_refs(found[0], shape.refs, depth + 1)
                keys |= inner.keys
                opaque = opaque or inner.opaque
                values.extend(inner.values)
            values.extend(shape.values)
            opaque = opaque or shape.opaque
        return ObjectShape(frozenset(keys), (), opaque, tuple(values))

    # Returned documents ------------------------------------------------------------------------

    def _link_returned_reads(self) -> None:
        """What each function's handler returns, with project functions' returns followed."""
        project = self.project
        for module in project.modules.values():
            if module.module is None:
                continue
            for read in module.returned_reads:
                function_id = f"{module.module}:{read.export_name}"
                project.returned_reads.setdefault(function_id, []).extend(self._expand_read(module, read, 0))
            for registration in module.registrations:
                # `handler: listUsers` imported from another file: what that function returns.
                function_id = f"{module.module}:{registration.export_name}"
                if registration.handler_ref is None or registration.body_key is not None \
                        or function_id not in project.functions:
                    continue
                found = self._resolve_import(module, *registration.handler_ref)
                if found is None:
                    continue
                for read in found[0].helper_returns.get(found[1], []):
                    expanded = self._expand_read(found[0], read, 0)
                    project.returned_reads.setdefault(function_id, []).extend(
                        evolve(r, export_name=registration.export_name) for r in expanded)

    def _expand_read(self, module: ModuleFacts, read: ReturnedRead, depth: int) -> list[ReturnedRead]:
        """The read with the documents of the project function it names replaced by what that returns."""
        if read.helper is None:
            return [read]
        if depth > 8:
            return []
        found: tuple[ModuleFacts, str] | None = None
        if read.helper.startswith("local:"):
            found = (module, read.helper[len("local:"):])
        elif read.helper.startswith("import:"):
            source, _, name = read.helper[len("import:"):].rpartition("#")
            found = self._resolve_import(module, source, name)
        if found is None:
            return []
        expanded: list[ReturnedRead] = []
        for inner in found[0].helper_returns.get(found[1], []):
            for concrete in self._expand_read(found[0], inner, depth + 1):
                expanded.append(_composed(read, concrete))
        return expanded

    # Registrations ---------------------------------------------------------------------------

    def builder_kind(self, module: ModuleFacts, name: str, depth: int = 0) -> tuple[str, str, list[str]] | None:
        """(kind, visibility, context body keys) for a builder's local name, following custom builders."""
        if depth > 8:
            return None
        if name in module.builder_defs:
            definition = module.builder_defs[name]
            base = self.builder_kind(module, definition.base, depth + 1)
            if base is None:
                return None
            contexts = [*base[2], *([definition.context_body] if definition.context_body else [])]
            return base[0], base[1], contexts
        imported = module.imports.get(name)
        if imported is not None:
            source, original = imported
            if is_generated_server(source) or source == "convex/server":
                known = BASE_BUILDERS.get(original)
                return (known[0], known[1], []) if known else None
            found = self._resolve_import(module, source, original)
            if found is not None:
                return self.builder_kind(found[0], found[1], depth + 1)
            return None
        known = BASE_BUILDERS.get(name)
        return (known[0], known[1], []) if known else None

    def _function(self, module: ModuleFacts, registration: Registration) -> FunctionFact | None:
        kind = self.builder_kind(module, registration.callee)
        if kind is None or module.module is None:
            return None
        body_key = registration.body_key
        if body_key is None and registration.handler_ref is not None:
            found = self._resolve_import(module, *registration.handler_ref)
            body_key = self._body_key_for(*found) if found else None
        function = FunctionFact(
            module=module.module,
            name=registration.export_name,
            path=module.path,
            kind=kind[0],  # type: ignore[arg-type]
            visibility=kind[1],  # type: ignore[arg-type]
            builder=registration.callee,
            syntax=registration.syntax,
            loc=registration.loc,
            has_args=registration.has_args,
            args=registration.args,
            args_loc=registration.args_loc,
            has_returns=registration.has_returns,
            returns=registration.returns,
            args_validator=registration.args_validator,
            body=self.project.bodies.get(body_key) if body_key else None,
            custom_context=kind[2][-1] if kind[2] else None,
            conditional=registration.conditional,
            options_spread=registration.options_spread,
        )
        return function

    # Routes ----------------------------------------------------------------------------------

    def _linked_route(self, module: ModuleFacts, route: RouteFact) -> RouteFact:
        """The route with its handler's function and body found; the extracted one unchanged."""
        target: tuple[ModuleFacts, str] | None = None
        if route.handler_import is not None:
            target = self._resolve_import(module, *route.handler_import)
        elif route.handler_local is not None:
            target = (module, route.handler_local)
        if target is None:
            return route
        target_module, local = target
        exported = next((e for e, name in target_module.exports.items() if name == local), local)
        if target_module.module is not None:
            function_id = f"{target_module.module}:{exported}"
            if function_id in self.project.functions:
                body = self.project.functions[function_id].body
                return evolve(route, handler_function=function_id,
                                           handler_body=body.key if body else None,
                                           handler_label=f"{target_module.module}:{exported}")
        return evolve(route, handler_body=self._body_key_for(target_module, local))


def _composed(outer: ReturnedRead, inner: ReturnedRead) -> ReturnedRead:
    """What the caller returns of what a function returned: the caller's fields picked or taken out
    of the function's documents, at the caller's returned expression."""
    if outer.fields is None:
        fields = None if inner.fields is None else inner.fields - outer.removed
        removed = inner.removed | outer.removed
    elif inner.fields is None:
        fields, removed = outer.fields - inner.removed, frozenset()
    else:
        fields, removed = inner.fields, frozenset()
    return ReturnedRead(outer.export_name, inner.table, inner.via, fields, removed, outer.loc)


def link_project(root: str, convex_dir: str, modules: list[ModuleFacts], frontend: list[ModuleFacts],
                 parse_failures: list[ParseFailure], skipped: list[dict[str, str]],
                 aliases: ImportAliases | None = None) -> ProjectFacts:
    return Linker(root, convex_dir, modules, frontend, aliases).link(parse_failures, skipped)
