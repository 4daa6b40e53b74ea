"""The extractor of one parsed file: its names and values, shared by the parts of extraction.

``FileExtractor.extract`` reads the file's top-level names (imports, exports, constants,
functions), then hands itself to each part in turn: strings (``strings.py``), function bodies
(``bodies.py``), object shapes and validators (``args.py``), registrations and custom builders
(``registrations.py``), routers, routes and crons (``http.py``), the schema (``schema.py``), and
the module-level facts other modules collect (imports, deployment, returned documents). Client
files (outside the Convex folder) get their hooks from tree-sitter (``clienthooks.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.engine.aliases import ImportAliases
from auditor.engine.deployfacts import collect_deploy_facts
from auditor.engine.exposure import collect_returned_reads
from auditor.engine.extract.args import collect_object_shapes, object_shape, validator, validator_fields
from auditor.engine.extract.bodies import analyse_body, collect_helper_bodies
from auditor.engine.extract.builders import BASE_BUILDERS, declared_names, module_source_path
from auditor.engine.extract.drafts import ModuleDraft
from auditor.engine.extract.http import collect_routers_and_crons
from auditor.engine.extract.registrations import collect_builder_defs, collect_registrations
from auditor.engine.extract.schema import collect_schema, collect_table_sets
from auditor.engine.extract.strings import collect_strings_and_ids
from auditor.engine.js import FUNCTION_TYPES, Node, location, member_path, string_value
from auditor.engine.model import BodyFacts, FrozenDict, FunctionRef, Location, ModuleFacts, ObjectShape, Validator
from auditor.engine.moduleuses import collect_module_uses
from auditor.engine.scope import ScopeModel

# The node kinds the one walk of the file indexes for the parts of extraction.
_INDEXED_TYPES = ("VariableDeclarator", "TemplateLiteral", "Literal", "BinaryExpression", "CallExpression",
                  "VariableDeclaration", "Identifier", "JSXIdentifier", "MemberExpression", "UnaryExpression",
                  "ReturnStatement")
# `"x:y" as any` and `<any>"x:y"`: a cast the blanked tree no longer shows, read from the source text.
_TYPE_ASSERTION_AFTER = re.compile(r"\s*as\b")
_TYPE_ASSERTION_BEFORE = re.compile(r">\s*$")


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
        self.facts = ModuleDraft(path=path, module=module, source=source)
        self.scope = _Scope()
        self.facts.imports = self.scope.imports
        self.local_consts: dict[str, Node] = {}  # every const in the file, for value lookups
        # Names declared more than once, or with let/var: their value at a use is not known.
        self.ambiguous_consts: set[str] = set()
        self.aliases = aliases
        self._validator_fields: dict[int, FrozenDict[str, Validator] | None] = {}  # by id() of the node

    def project_source(self, source: str) -> bool:
        """An import of project code: a relative path, a tsconfig path alias or a workspace package."""
        return module_source_path(source) or (self.aliases is not None and self.aliases.is_project_source(source))


    def extract(self) -> ModuleFacts:
        # One walk of the whole file; each step below reads the node kinds it needs.
        self.scopes = ScopeModel(self.tree, index=_INDEXED_TYPES)
        self.by_type = self.scopes.by_type
        self.facts.top_level_reads = frozenset(self.scopes.module_reads)
        self._collect_scope()
        self._detect_directives()
        collect_strings_and_ids(self)
        if self.module is None:  # a frontend file's hooks are read by tree-sitter (clienthooks)
            return self.facts.freeze()
        collect_helper_bodies(self)
        collect_object_shapes(self)
        collect_builder_defs(self)
        collect_registrations(self)
        collect_routers_and_crons(self)
        collect_schema(self)
        collect_table_sets(self)
        collect_module_uses(self)
        collect_deploy_facts(self)
        collect_returned_reads(self)
        return self.facts.freeze()

    def loc(self, node: Node) -> Location:
        return location(self.path, node)


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
                for name in declared_names(declaration):
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
            start, end = candidate._start, candidate._end
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
        return self.facts.source[node._start:node._end]


    def analyse_body(self, fn: Node, key: str, name: str, ctx_names: set[str] | None = None) -> BodyFacts:
        """The facts of one function body (see bodies.py)."""
        return analyse_body(self, fn, key, name, ctx_names)

    def object_shape(self, node: Node | None) -> ObjectShape | None:
        """The static keys and constant values of an object (see args.py)."""
        return object_shape(self, node)

    def validator(self, node: Node | None) -> Validator:
        """A ``v.*`` validator, recursively described (see args.py)."""
        return validator(self, node)

    def validator_fields(self, node: Node | None) -> FrozenDict[str, Validator] | None:
        """The fields of an object of validators, or None when it is not one (see args.py). Worked out
        once per node: a registration's arguments are read as fields, as a validator and for exposure."""
        key = id(node)
        if key not in self._validator_fields:
            self._validator_fields[key] = validator_fields(self, node)
        return self._validator_fields[key]


def _exported(spec: Node) -> Node:
    # esprima-fork also accepts the `export v from "m"` proposal, whose specifier has no `exported`.
    return getattr(spec, "exported", None) or spec.local


def _spec_name(node: Node) -> str:
    return node.name if node.type == "Identifier" else str(node.value)


def extract_module(path: str, module: str | None, source: str, tree: Node,
                   aliases: ImportAliases | None = None) -> ModuleFacts:
    return FileExtractor(path, module, source, tree, aliases).extract()
