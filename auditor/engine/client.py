"""Client facts: what they are, which files need them, and their linking.

Extraction (``clienthooks``, over tree-sitter) reads each frontend file that imports from
``convex/react`` (named, aliased or through a namespace import) or a project hook. It finds the
file's own wrappers (a top-level ``useX`` function or arrow that returns such a hook call), and,
in every component (a top-level function or arrow named with a capital letter, a
``memo``/``forwardRef`` of one, or a default-exported function that renders JSX) and custom hook
(``useX``), each hook call:

* the local its result is bound to;
* ``render_calls``: that local called in the render body itself, not inside an event handler,
  effect, callback or any nested function (for mutation and action hooks);
* ``unguarded_uses``: that local dereferenced in the render body (``x.f``, ``x[0]``,
  ``x.map(...)``, destructuring, ``for...of``, an array spread) when the component never does
  anything else with it: any other appearance (a comparison, ``!x``, ``x ?? d``, ``x?.f``,
  ``x && ...``, an argument, a JSX attribute, ...) counts as handling ``undefined``, except an
  entry of a hook's dependency array and a ``console.*`` argument, which say nothing either way,
  and ``x?.f``/``x ?? d`` inside a nested function, which handle it there only.
  A hook call with a ``"skip"`` argument is left alone. Dereferences inside nested functions
  are ignored.

Calls to imported ``useX`` functions of the project (also ``hooks.useX()`` through a namespace
import) are recorded with ``via`` and resolved here at link time, through relative imports or a
path alias (``@/``, ``~/``, ``#``, ``src/``), to the wrapper they name; calls that resolve to no
wrapper are dropped. Test files (``*.test.tsx``, ``*.spec.ts``, ``__tests__/``, ``__mocks__/``)
are skipped: they mock ``convex/react``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from auditor.engine.model import FunctionRef, HookCall, ModuleFacts, evolve

if TYPE_CHECKING:
    from auditor.engine.link import Linker

CONVEX_REACT_SOURCES = frozenset({"convex/react", "convex-helpers/react/cache", "convex-helpers/react/cache/hooks"})
TRACKED_HOOKS = frozenset({"useQuery", "useMutation", "useAction"})
_HOOK_NAME = re.compile(r"^use[A-Z0-9]")
_ALIAS_PREFIXES = ("@/", "~/", "#", "@@/", "src/")

Ref = tuple[FunctionRef | None, str]


def is_project_source(source: str) -> bool:
    """A relative import or one through a usual path alias: where a project hook can come from."""
    return source.startswith((".", "/")) or source.startswith(_ALIAS_PREFIXES)


def needs_client_extraction(imports: dict[str, tuple[str, str]]) -> bool:
    """Whether a file's imports give ``clienthooks`` anything to look for (else it finds nothing)."""
    for local, (source, name) in imports.items():
        if source in CONVEX_REACT_SOURCES and (name == "*" or name in TRACKED_HOOKS):
            return True
        if is_project_source(source) and (name == "*" or _HOOK_NAME.match(name)
                                          or (name == "default" and _HOOK_NAME.match(local))):
            return True
    return False


# Linking -----------------------------------------------------------------------------------------


class _AliasIndex:
    """Frontend modules by path stem, for path-alias imports (``@/hooks/useTasks``)."""

    def __init__(self, modules: list[ModuleFacts]) -> None:
        self.stems: dict[str, list[ModuleFacts]] = {}
        for module in modules:
            stem = module.path.rsplit(".", 1)[0]
            if stem.endswith("/index"):
                stem = stem[: -len("/index")]
            self.stems.setdefault(stem, []).append(module)

    def find(self, source: str) -> ModuleFacts | None:
        rest = source
        for prefix in ("@@/", "@/", "~/", "#"):
            if rest.startswith(prefix):
                rest = rest[len(prefix):]
                break
        rest = rest.rsplit(".", 1)[0] if rest.endswith((".ts", ".tsx", ".js", ".jsx")) else rest
        matches = [m for stem, found in self.stems.items() if stem == rest or stem.endswith("/" + rest)
                   for m in found]
        return matches[0] if len(matches) == 1 else None


def link_hook_calls(linker: Linker) -> list[HookCall]:
    """Every client hook call with its convex/react hook and target known; unresolved wrapper calls dropped."""
    project = linker.project
    modules = [*project.frontend.values(), *project.modules.values()]
    if not any(module.hook_calls for module in modules):
        return []
    aliases = _AliasIndex(list(project.frontend.values()))
    linked: list[HookCall] = []
    for module in project.frontend.values():
        for call in module.hook_calls:
            if call.hook is not None:
                linked.append(evolve(call))
                continue
            if call.via is None:
                continue
            resolved = _resolve(linker, aliases, module, call.via, call.arg_refs, 0)
            if resolved is None:
                continue
            hook, (target, text) = resolved
            linked.append(evolve(call, hook=hook, via=None, target=target, target_text=text))
    return linked


def _resolve(linker: Linker, aliases: _AliasIndex, module: ModuleFacts, via: tuple[str, str],
             refs: tuple[Ref, ...], depth: int) -> tuple[str, Ref] | None:
    if depth > 6:
        return None
    source, name = via
    if source == "":
        found: tuple[ModuleFacts, str] | None = (module, name)
    else:
        target_module = linker.resolve_module(module.path, source)
        if target_module is None and not source.startswith("."):
            target_module = aliases.find(source)
        if target_module is None:
            return None
        for exported, reexported_from, original in target_module.reexports:
            # ``export { useQuery } from "convex/react"`` in a project module
            hook = name if original == "*" else original
            if exported in {name, "*"} and reexported_from in CONVEX_REACT_SOURCES and hook in TRACKED_HOOKS:
                return hook, refs[0] if refs else (None, "")
        found = linker.resolve_export(target_module, name)
    if found is None:
        return None
    wrapper_module, local = found
    wrapper = wrapper_module.hook_wrappers.get(local)
    if wrapper is None:
        return None
    if wrapper.target_param is not None:
        ref: Ref = refs[wrapper.target_param] if wrapper.target_param < len(refs) else (None, "")
    else:
        ref = (wrapper.target, wrapper.target_text)
    if wrapper.hook is not None:
        return wrapper.hook, ref
    if wrapper.via is not None:
        return _resolve(linker, aliases, wrapper_module, wrapper.via, (ref,), depth + 1)
    return None
