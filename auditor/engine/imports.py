"""The project's module import graph, as written in the source (type-only imports excluded).

Extraction keeps each file's syntax tree; this reads its ``import`` and ``export ... from``
declarations, resolves them to project files the way linking does (relative paths, plus
``.js`` written for ``.ts``), and answers whether an imported name is read while the module
loads (at its top level, outside any function body).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.engine.js import FUNCTION_TYPES, Node, child_keys, is_node, location
from auditor.engine.link import Linker
from auditor.engine.model import Location, ModuleFacts, ProjectFacts


@dataclass(slots=True)
class ImportEdge:
    target: str  # path of the imported project file
    loc: Location  # the import or export declaration
    locals: list[str] = field(default_factory=list)  # local names it binds (none for re-exports)


class ImportGraph:
    """Each parsed file's imports of other project files, read on first request."""

    def __init__(self, project: ProjectFacts) -> None:
        self.project = project
        self.linker = Linker(project.root, project.convex_dir, list(project.modules.values()),
                             list(project.frontend.values()), project.import_aliases)
        self._edges: dict[str, list[ImportEdge]] = {}

    def module(self, path: str) -> ModuleFacts | None:
        return self.project.modules.get(path) or self.project.frontend.get(path)

    def edges(self, path: str) -> list[ImportEdge]:
        found = self._edges.get(path)
        if found is None:
            module = self.module(path)
            found = self._read(module) if module is not None and module.tree is not None else []
            self._edges[path] = found
        return found

    def _read(self, module: ModuleFacts) -> list[ImportEdge]:
        edges: list[ImportEdge] = []
        for statement in module.tree.body:
            source = getattr(statement, "source", None)
            if statement.type not in {"ImportDeclaration", "ExportNamedDeclaration", "ExportAllDeclaration"} \
                    or source is None or not isinstance(source.value, str):
                continue
            target = self.linker.resolve_module(module.path, source.value)
            if target is None or target.path == module.path:
                continue
            names = [spec.local.name for spec in statement.specifiers] \
                if statement.type == "ImportDeclaration" else []
            edges.append(ImportEdge(target.path, location(module.path, statement), names))
        return edges

    def reachable(self, start: str) -> dict[str, list[str]]:
        """Every file ``start`` imports, directly or not, with the chain of paths that reaches it."""
        reached: dict[str, list[str]] = {start: [start]}
        queue = [start]
        while queue:
            current = queue.pop(0)
            for edge in self.edges(current):
                if edge.target not in reached:
                    reached[edge.target] = [*reached[current], edge.target]
                    queue.append(edge.target)
        return reached


def reads_at_top_level(module: ModuleFacts, name: str) -> bool:
    """Whether ``name`` is read while the module loads: anywhere outside function bodies and imports."""
    for statement in module.tree.body:
        if statement.type == "ImportDeclaration":
            continue
        stack: list[tuple[Node, Node | None, str]] = [(statement, None, "")]
        while stack:
            node, parent, key = stack.pop()
            if node.type in FUNCTION_TYPES:
                continue
            if node.type == "Identifier" and node.name == name and not _key_position(parent, key):
                return True
            attributes = node.__dict__
            for child_key in child_keys(node):
                value = attributes.get(child_key)
                for item in value if isinstance(value, list) else (value,):
                    if is_node(item):
                        stack.append((item, node, child_key))
    return False


def _key_position(parent: Node | None, key: str) -> bool:
    if parent is None:
        return False
    if parent.type == "MemberExpression" and key == "property" and not parent.computed:
        return True
    if parent.type in {"Property", "MethodDefinition", "PropertyDefinition"} and key == "key" and not parent.computed:
        return True
    if parent.type == "ExportSpecifier" or (parent.type == "VariableDeclarator" and key == "id"):
        return True
    return parent.type in {"LabeledStatement", "BreakStatement", "ContinueStatement"}
