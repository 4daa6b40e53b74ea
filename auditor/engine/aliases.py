"""Import specifiers that name project files without a relative path.

Two kinds, both read from the repository before extraction:

- TypeScript path aliases: ``compilerOptions.paths`` and ``baseUrl`` of the tsconfig that
  governs the importing file (the nearest ``tsconfig.json`` above it, or the config it lists in
  ``references`` whose ``include`` covers the file), with ``extends`` followed. ``paths`` are
  relative to ``baseUrl`` when one is set, else to the config that declares them.
- Workspace packages: every ``package.json`` with a ``name`` in the repository
  (``"@app/backend"`` -> ``packages/backend``), with simple ``exports`` patterns.

Extraction asks ``is_project_source`` (is this import project code?); linking asks
``candidates`` (which project paths, before suffixes, may it be?).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.engine import safefiles
from auditor.engine.discovery import EXCLUDED_DIRS

MAX_CONFIG_BYTES = 256 * 1024
_EXTENDS_DEPTH = 8


@dataclass(frozen=True, slots=True)
class PathAlias:
    pattern: str  # as written: "@cvx/*", "~/*", "env"
    targets: tuple[str, ...]  # root-relative, "*" kept: ("convex/*",)

    def match(self, source: str) -> str | None:
        """The text ``*`` stands for, "" for an exact alias, None when ``source`` does not match."""
        if "*" not in self.pattern:
            return "" if source == self.pattern else None
        prefix, _, suffix = self.pattern.partition("*")
        if source.startswith(prefix) and source.endswith(suffix) and len(source) >= len(prefix) + len(suffix):
            return source[len(prefix):len(source) - len(suffix)]
        return None


@dataclass(slots=True)
class TsConfig:
    path: str  # root-relative file path
    aliases: tuple[PathAlias, ...] = ()
    base_url: str | None = None  # root-relative folder
    include: tuple[str, ...] = ()  # root-relative folder prefixes ("" for everything under root)
    references: tuple[str, ...] = ()  # root-relative config paths

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)

    def covers(self, path: str) -> bool:
        if not self.include:
            return _inside(path, self.folder)
        return any(_inside(path, prefix) for prefix in self.include)


@dataclass(slots=True)
class ImportAliases:
    """The repository's path aliases and workspace packages."""

    configs: dict[str, TsConfig] = field(default_factory=dict)  # by root-relative path
    packages: dict[str, str] = field(default_factory=dict)  # package name -> root-relative folder
    package_exports: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> subpath -> target
    _governing: dict[str, TsConfig | None] = field(default_factory=dict, repr=False)

    @property
    def fingerprint(self) -> str:
        """Changes whenever ``is_project_source`` could answer differently: part of the parse cache key."""
        parts = sorted({alias.pattern for config in self.configs.values() for alias in config.aliases})
        parts += sorted(self.packages)
        parts += sorted({config.base_url or "" for config in self.configs.values() if config.base_url is not None})
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16] if parts else ""

    def is_project_source(self, source: str) -> bool:
        """Whether an import specifier can name a project file (never a library in node_modules)."""
        if source.startswith((".", "/")):
            return True
        if self._package_of(source) is not None:
            return True
        return any(alias.match(source) is not None for config in self.configs.values() for alias in config.aliases)

    def candidates(self, importer: str, source: str) -> list[str]:
        """Root-relative paths (before extensions) that ``source`` imported from ``importer`` may be."""
        found: list[str] = []
        config = self.governing(importer)
        if config is not None:
            best: tuple[int, PathAlias, str] | None = None
            for alias in config.aliases:
                star = alias.match(source)
                if star is not None:
                    weight = len(alias.pattern.partition("*")[0])
                    if best is None or weight > best[0]:
                        best = (weight, alias, star)
            if best is not None:
                found.extend(posixpath.normpath(target.replace("*", best[2], 1)) for target in best[1].targets)
            if config.base_url is not None:
                found.append(posixpath.normpath(posixpath.join(config.base_url, source)))
        package = self._package_of(source)
        if package is not None:
            name, folder = package
            subpath = "." + source[len(name):]
            found.extend(self._exported(name, folder, subpath))
        return [path for path in found if not path.startswith("..")]

    def governing(self, path: str) -> TsConfig | None:
        """The tsconfig that type-checks ``path``: nearest ``tsconfig.json`` above it, through references."""
        folder = posixpath.dirname(path)
        if folder in self._governing:
            return self._governing[folder]
        config = None
        current = folder
        while True:
            candidate = self.configs.get(posixpath.join(current, "tsconfig.json") if current else "tsconfig.json")
            if candidate is not None:
                config = candidate
                for reference in candidate.references:
                    referenced = self.configs.get(reference)
                    if referenced is not None and referenced.covers(path):
                        config = referenced
                        break
                break
            if not current:
                break
            current = posixpath.dirname(current)
        self._governing[folder] = config
        return config

    def _package_of(self, source: str) -> tuple[str, str] | None:
        for name, folder in self.packages.items():
            if source == name or source.startswith(name + "/"):
                return name, folder
        return None

    def _exported(self, name: str, folder: str, subpath: str) -> list[str]:
        paths: list[str] = []
        for pattern, target in self.package_exports.get(name, {}).items():
            star = PathAlias(pattern, ()).match(subpath)
            if star is not None:
                paths.append(_strip_extension(posixpath.normpath(posixpath.join(folder, target.replace("*", star, 1)))))
        paths.append(posixpath.normpath(posixpath.join(folder, subpath)))
        return paths


def read_import_aliases(root: Path) -> ImportAliases:
    """Every tsconfig and package.json of the repository (outside installed and built folders)."""
    aliases = ImportAliases()
    root = safefiles.resolve(root)
    raw_configs: dict[str, dict[str, Any]] = {}
    for directory, dirnames, filenames, _links in safefiles.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name not in EXCLUDED_DIRS and not name.startswith("."))
        relative_dir = Path(directory).relative_to(root).as_posix()
        relative_dir = "" if relative_dir == "." else relative_dir
        for name in filenames:
            if name == "package.json":
                data = _read_json(Path(directory) / name)
                if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"]:
                    aliases.packages.setdefault(data["name"], relative_dir)
                    exports = _export_patterns(data.get("exports"))
                    if exports:
                        aliases.package_exports[data["name"]] = exports
            elif name.startswith("tsconfig") and name.endswith(".json"):
                data = _read_json(Path(directory) / name)
                if isinstance(data, dict):
                    raw_configs[posixpath.join(relative_dir, name)] = data
    for path in raw_configs:
        aliases.configs[path] = _config(path, raw_configs, aliases.packages, root)
    return aliases


def _config(path: str, raw: dict[str, dict[str, Any]], packages: dict[str, str], root: Path) -> TsConfig:
    """One tsconfig with what it inherits through ``extends`` (the child's settings win)."""
    config = TsConfig(path)
    folder = posixpath.dirname(path)
    data = raw[path]
    config.include = tuple(_include_prefix(folder, item) for item in data.get("include") or () if isinstance(item, str))
    references = data.get("references") or ()
    config.references = tuple(
        _reference_path(folder, item["path"], raw) for item in references
        if isinstance(item, dict) and isinstance(item.get("path"), str))
    chain = [path]
    current = path
    for _ in range(_EXTENDS_DEPTH):
        parent = _extended(current, raw, packages, root)
        if parent is None or parent in chain:
            break
        chain.append(parent)
        current = parent
    aliases_set = base_set = False
    for link in chain:  # nearest first: the first that sets a value wins
        options = raw[link].get("compilerOptions") if isinstance(raw[link], dict) else None
        if not isinstance(options, dict):
            continue
        link_folder = posixpath.dirname(link)
        base_url = options.get("baseUrl")
        if not base_set and isinstance(base_url, str):
            config.base_url = posixpath.normpath(posixpath.join(link_folder, base_url))
            base_set = True
        paths = options.get("paths")
        if not aliases_set and isinstance(paths, dict):
            # paths resolve against baseUrl when one applies, else against the config declaring them.
            anchor_url = options.get("baseUrl")
            anchor = posixpath.normpath(posixpath.join(link_folder, anchor_url)) if isinstance(anchor_url, str) \
                else (config.base_url if base_set else link_folder)
            config.aliases = tuple(
                PathAlias(pattern, tuple(posixpath.normpath(posixpath.join(anchor, t)) for t in targets
                                         if isinstance(t, str)))
                for pattern, targets in paths.items() if isinstance(pattern, str) and isinstance(targets, list))
            aliases_set = True
    return config


def _extended(path: str, raw: dict[str, dict[str, Any]], packages: dict[str, str], root: Path) -> str | None:
    extends = raw[path].get("extends")
    if isinstance(extends, list):  # TypeScript 5: several bases, the last wins; follow the last
        extends = extends[-1] if extends and isinstance(extends[-1], str) else None
    if not isinstance(extends, str):
        return None
    folder = posixpath.dirname(path)
    if extends.startswith("."):
        target = posixpath.normpath(posixpath.join(folder, extends))
    else:
        package = next((name for name in packages if extends == name or extends.startswith(name + "/")), None)
        if package is None:
            return None  # a published base (@tsconfig/node20): it sets no project aliases
        rest = extends[len(package):].lstrip("/") or "tsconfig.json"
        target = posixpath.join(packages[package], rest) if packages[package] else rest
    for candidate in (target, target + ".json", posixpath.join(target, "tsconfig.json")):
        if candidate in raw:
            return candidate
    return None


def _reference_path(folder: str, reference: str, raw: dict[str, dict[str, Any]]) -> str:
    target = posixpath.normpath(posixpath.join(folder, reference))
    return target if target in raw or target.endswith(".json") else posixpath.join(target, "tsconfig.json")


def _include_prefix(folder: str, pattern: str) -> str:
    """The folder part of an include pattern before any wildcard, root-relative."""
    literal = pattern.split("*", 1)[0]
    literal = literal.rstrip("/") if "*" in pattern else literal
    prefix = posixpath.normpath(posixpath.join(folder, literal)) if literal else folder
    return "" if prefix == "." else prefix


def _export_patterns(exports: Any) -> dict[str, str]:
    """``exports`` subpaths mapped to files: strings, or the first string of a condition object."""
    if isinstance(exports, str):
        return {".": exports}
    if not isinstance(exports, dict) or not all(key.startswith(".") for key in exports):
        return {}
    result: dict[str, str] = {}
    for key, value in exports.items():
        while isinstance(value, dict):
            value = next((v for k, v in value.items() if k in {"types", "import", "default", "require"}), None)
        if isinstance(value, str):
            result[key] = value
    return result


def _strip_extension(path: str) -> str:
    for suffix in (".d.ts", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _inside(path: str, folder: str) -> bool:
    return not folder or folder == "." or path == folder or path.startswith(folder + "/")


def _read_json(path: Path) -> Any:
    try:
        if safefiles.is_symlink(path) or safefiles.size(path) > MAX_CONFIG_BYTES:
            return None
        return _loads(safefiles.read_text(path))
    except (OSError, ValueError, RecursionError):
        return None


# A string (kept as it is), else a comment; then a string, else a comma before a closing bracket:
# tsconfig's usual departures from JSON.
_COMMENT = re.compile(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*[\s\S]*?\*/')
_TRAILING_COMMA = re.compile(r'("(?:[^"\\\n]|\\.)*")|,(?=\s*[}\]])')


def _loads(text: str) -> Any:
    """JSON5, as tsconfig files are read; most are JSON with comments and trailing commas, which
    the standard library reads once those are dropped, many times faster than ``json5``."""
    try:
        text_only = _COMMENT.sub(lambda match: match.group(1) or " ", text)
        return json.loads(_TRAILING_COMMA.sub(lambda match: match.group(1) or " ", text_only))
    except ValueError:
        import json5

        return json5.loads(text)
