"""The project's module import graph, as written in the source (type-only imports excluded).

Extraction records each file's ``import`` and ``export ... from`` declarations and the names it
reads while it loads (``ModuleFacts.import_statements`` and ``top_level_reads``); this resolves
them to project files the way linking does (relative paths, plus ``.js`` written for ``.ts``),
and answers whether an imported name is read while the module loads (at its top level, outside
any function body).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
            found = self._read(module) if module is not None else []
            self._edges[path] = found
        return found

    def _read(self, module: ModuleFacts) -> list[ImportEdge]:
        edges: list[ImportEdge] = []
        for source, loc, names in module.import_statements:
            target = self.linker.resolve_module(module.path, source)
            if target is None or target.path == module.path:
                continue
            edges.append(ImportEdge(target.path, loc, list(names)))
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
    return name in module.top_level_reads
