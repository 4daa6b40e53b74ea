"""The names ``convex/server`` and ``convex/values`` export, for ``imports/unknown-convex-server-export``.

Where the audited repository has the ``convex`` package installed (``node_modules/convex`` in the
Convex folder or a folder above it, up to the audited root), its own type declarations are read:
the ``types`` entry of each subpath in its ``package.json`` ``exports`` map, followed through
``export * from`` and ``export { ... } from``. Otherwise the known list applies: the union of the
names every released version since 1.0 exports, kept in ``data/convex_exports.json`` and rebuilt
by ``scripts/update_convex_exports.py`` from the published packages. A union never calls a name
unknown that some version exports, so the rule cannot fire on a project whose exact version is
unknown or older than the newest.

Runtime exports and type exports both count: ``import { GenericQueryCtx } from "convex/server"``
is a correct TypeScript import without the ``type`` keyword.
"""

from __future__ import annotations

import json
import pkgutil
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from auditor.engine import safefiles
from auditor.engine.model import FrozenDict
from auditor.engine.versions import ConvexVersion, parse_version

CHECKED_MODULES = ("convex/server", "convex/values")
DATA_FILE = Path(__file__).with_name("data") / "convex_exports.json"
MAX_DECLARATION_FILES = 400
MAX_DECLARATION_BYTES = 4 * 1024 * 1024

_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_EXPORT_FROM = re.compile(r"\bexport\s+(type\s+)?\{([^}]*)\}\s*from\s*[\"']([^\"']+)[\"']")
_EXPORT_LOCAL = re.compile(r"\bexport\s+(type\s+)?\{([^}]*)\}\s*;")
_EXPORT_STAR = re.compile(r"\bexport\s+\*\s+from\s*[\"']([^\"']+)[\"']")
_EXPORT_STAR_AS = re.compile(r"\bexport\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from\s*[\"'][^\"']+[\"']")
_EXPORT_DECLARATION = re.compile(
    r"\bexport\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|var|function\*?|class|interface|type|enum|namespace)"
    r"\s+([A-Za-z_$][\w$]*)")


@dataclass(frozen=True, slots=True)
class ConvexExports:
    """Names each checked module exports, and where they were read from."""

    names: FrozenDict[str, frozenset[str]]  # the known list's is shared by every audit of the process
    source: str  # "installed <version>" or "known list"
    newest: str | None = None  # the known list: the newest release it covers

    def exports(self, module: str, name: str) -> bool | None:
        """Whether ``module`` exports ``name``; None when the module is not one we know."""
        known = self.names.get(module)
        return None if known is None else name in known


@cache
def known_exports() -> ConvexExports:
    # The engine's own data, not the audited tree's: read as a package resource.
    data = json.loads(pkgutil.get_data(__package__, f"data/{DATA_FILE.name}") or b"{}")
    names = FrozenDict({module: frozenset(exported) for module, exported in data["modules"].items()})
    return ConvexExports(names, "known list", newest=data["versions"][-1] if data.get("versions") else None)


def covers(exports: ConvexExports, version: ConvexVersion | None) -> bool:
    """Whether ``exports`` speaks for the project's ``convex``: the installed declarations always;
    the known list only for an exact version (read from a lock file) no newer than its newest
    release, since a newer release may export names the list has never seen."""
    if exports.source != "known list":
        return True
    if version is None or not version.known or "lower bound" in (version.source or ""):
        return False
    installed, newest = parse_version(version.version), parse_version(exports.newest)
    return installed is not None and newest is not None and installed <= newest


def detect_convex_exports(root: Path, convex_dir: str) -> ConvexExports:
    """The installed package's declarations when they can be read, else the known list."""
    for directory in _search_dirs(root, convex_dir):
        package_dir = directory / "node_modules" / "convex"
        installed = read_installed(package_dir)
        if installed is not None:
            return installed
    return known_exports()


def _search_dirs(root: Path, convex_dir: str) -> list[Path]:
    parts = [part for part in convex_dir.split("/") if part and part != "."]
    return [root.joinpath(*parts[:length]) for length in range(len(parts), -1, -1)]


def read_installed(package_dir: Path) -> ConvexExports | None:
    """Every checked module's names from an installed package, or None when any cannot be read."""
    try:
        manifest = json.loads(safefiles.read_bytes(package_dir / "package.json"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("name") != "convex":
        return None
    names: dict[str, frozenset[str]] = {}
    for module in CHECKED_MODULES:
        subpath = "./" + module.split("/", 1)[1]
        found: set[str] = set()
        # Types and the ES module both: a few names exist only at run time, many only as types.
        for entry in (_types_entry(manifest.get("exports"), subpath),
                      _module_entry(manifest.get("exports"), subpath)):
            read = declaration_exports(package_dir, entry) if entry else None
            if not read:
                return None  # a layout we do not understand: the known list is safer than a guess
            found |= read
        names[module] = frozenset(found)
    return ConvexExports(FrozenDict(names), f"installed {manifest.get('version', '?')}")


def _types_entry(exports: object, subpath: str) -> str | None:
    """The ``types`` path of one subpath in an ``exports`` map (flat, or under import/require)."""
    entry = exports.get(subpath) if isinstance(exports, dict) else None
    if not isinstance(entry, dict):
        return None
    for candidate in (entry, entry.get("import"), entry.get("require")):
        if isinstance(candidate, dict) and isinstance(candidate.get("types"), str):
            return candidate["types"]
    return None


def _module_entry(exports: object, subpath: str) -> str | None:
    """The ES module path of one subpath in an ``exports`` map."""
    entry = exports.get(subpath) if isinstance(exports, dict) else None
    if not isinstance(entry, dict):
        return None
    nested = entry.get("import")
    for candidate in (nested.get("import") if isinstance(nested, dict) else nested, entry.get("module")):
        if isinstance(candidate, str):
            return candidate
    return None


def declaration_exports(package_dir: Path, entry: str) -> frozenset[str] | None:
    """Names a ``.d.ts`` or ES module entry exports, following re-exports within the package."""
    declarations = entry.endswith((".d.ts", ".d.mts", ".d.cts"))
    names: set[str] = set()
    seen: set[str] = set()
    stack = [posixpath.normpath(entry)]
    while stack:
        relative = stack.pop()
        if relative in seen:
            continue
        seen.add(relative)
        if len(seen) > MAX_DECLARATION_FILES:
            return None
        text = _read_entry(package_dir, relative, declarations)
        if text is None:
            return None
        stack.extend(_exported_names(text, relative, names))
    return frozenset(names)


def _read_entry(package_dir: Path, relative: str, declarations: bool) -> str | None:
    if relative.startswith(("..", "/")):
        return None
    for candidate in _candidates(relative, declarations):
        try:
            data = safefiles.read_bytes(package_dir / candidate)
        except OSError:
            continue
        if len(data) > MAX_DECLARATION_BYTES:
            return None
        return data.decode("utf-8", errors="replace")
    return None


def _candidates(relative: str, declarations: bool) -> list[str]:
    """The files an import specifier names: its declaration file, or the module itself."""
    if not declarations:
        return [relative, f"{relative}.js", f"{relative}/index.js"]
    if relative.endswith((".d.ts", ".d.mts", ".d.cts")):
        return [relative]
    stem = re.sub(r"\.(m|c)?js$", "", relative)
    return [f"{stem}.d.ts", f"{stem}.d.mts", f"{stem}.d.cts", f"{stem}/index.d.ts"]


def _exported_names(text: str, relative: str, names: set[str]) -> list[str]:
    """Add the names ``text`` exports to ``names``; return the files its ``export *`` re-exports."""
    text = _COMMENTS.sub(" ", text)
    targets: list[str] = []
    for match in _EXPORT_FROM.finditer(text):
        names.update(_specifier_names(match.group(2)))
    for match in _EXPORT_LOCAL.finditer(text):
        names.update(_specifier_names(match.group(2)))
    for match in _EXPORT_STAR_AS.finditer(text):
        names.add(match.group(1))
    for match in _EXPORT_STAR.finditer(text):
        source = match.group(1)
        if source.startswith("."):
            targets.append(posixpath.normpath(posixpath.join(posixpath.dirname(relative), source)))
    names.update(match.group(1) for match in _EXPORT_DECLARATION.finditer(text))
    return targets


def _specifier_names(specifiers: str) -> list[str]:
    """Exported names of ``a, b as c, type D`` (``c`` and ``D`` here; ``default`` never counts)."""
    result = []
    for part in specifiers.split(","):
        words = part.split()
        if words and words[0] == "type" and len(words) > 1:
            words = words[1:]
        if not words:
            continue
        exported = words[-1] if len(words) >= 3 and words[-2] == "as" else words[0]
        if exported != "default":
            result.append(exported)
    return result


__all__ = ["CHECKED_MODULES", "DATA_FILE", "ConvexExports", "covers", "declaration_exports", "detect_convex_exports",
           "known_exports", "read_installed"]
