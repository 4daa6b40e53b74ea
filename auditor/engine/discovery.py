"""Finding the Convex folder and the files an audit reads."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.engine import safefiles
from auditor.engine.errors import EngineUsageError

SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".mts", ".cts")
MAX_FILE_BYTES = 1024 * 1024
# Folders that hold installed or built code, never the project's own source.
EXCLUDED_DIRS = frozenset({
    "node_modules", ".git", "_generated", "dist", "build", "out", ".next", ".nuxt", ".output",
    ".svelte-kit", ".vercel", ".turbo", ".expo", "coverage", ".cache", "vendor", "storybook-static",
})


@dataclass(slots=True)
class SourceFile:
    path: str  # relative to the root, "/"-separated
    absolute: Path
    in_convex: bool
    module: str | None  # module path inside the Convex folder, without extension


@dataclass(slots=True)
class Discovery:
    root: Path
    convex_dir: str  # relative, "/"-separated, no trailing slash
    convex_dir_source: str = "root"  # option, convex.json, root or found below
    convex_files: list[SourceFile] = field(default_factory=list)
    frontend_files: list[SourceFile] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    generated_files: list[str] = field(default_factory=list)
    # Files of the auditor's own inside the root (its report), relative: never read as the project's.
    left_out: frozenset[str] = frozenset()


def find_convex_dir(root: Path, override: str | None = None) -> str:
    """The Convex folder, relative to root (see ``locate_convex_dir``)."""
    return locate_convex_dir(root, override)[0]


def locate_convex_dir(root: Path, override: str | None = None) -> tuple[str, str]:
    """The Convex folder, relative to root, and how it was found.

    In order: the override ("option"), the root's convex.json "functions" ("convex.json"), the
    root's convex/ ("root"), else the one folder found below the root ("found below", see
    ``convex_dirs_below``). Several below: an EngineUsageError that lists them, since auditing
    one of them silently would report on a part of the repository without saying so.
    """
    if override is not None:
        return _checked(root, override), "option"
    config = root / "convex.json"
    if safefiles.kind(config) == "file":  # not a link: a link may point anywhere
        return _checked(root, _functions_of(config)), "convex.json"
    if safefiles.kind(root / "convex") == "dir":
        return "convex", "root"
    found = convex_dirs_below(root)
    if len(found) == 1:
        return found[0], "found below"
    if not found:
        raise EngineUsageError(
            f"no Convex folder: {root} has no convex/ folder or convex.json at its root, and none below it "
            "(a convex/ folder beside a package.json that depends on convex, or a nested convex.json)")
    shown = ", ".join(found[:_LISTED]) + (f" and {len(found) - _LISTED} more" if len(found) > _LISTED else "")
    raise EngineUsageError(f"several Convex folders below {root}: {shown}; choose one with --convex-dir")


_LISTED = 10
_SEARCH_DEPTH = 6  # folders below the root; monorepos keep theirs at apps/x/ or packages/x/
_DEPENDENCY_KEYS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


def convex_dirs_below(root: Path) -> list[str]:
    """Convex folders below ``root`` (never at it), sorted; see ``convex_dirs_in_listing``."""
    root = safefiles.resolve(root)
    listing: list[str] = []
    for directory, dirnames, filenames, links in safefiles.walk(root):
        base = Path(directory)
        relative = base.relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        dirnames[:] = sorted(name for name in dirnames if not _excluded(name))
        if prefix.count("/") >= _SEARCH_DEPTH:
            dirnames[:] = []
        listing.extend(prefix + name for name in dirnames if name not in links)
        listing.extend(prefix + name for name in filenames
                       if name in {"package.json", "convex.json"} and name not in links)

    def read(path: str) -> str | None:
        try:
            return safefiles.read_text(root / path)
        except (OSError, ValueError):
            return None

    return convex_dirs_in_listing(listing, read)


def convex_dirs_in_listing(paths: Iterable[str], read: Callable[[str], str | None] | None = None) -> list[str]:
    """The Convex folders a repository's listing shows below its root, sorted.

    ``paths`` are "/"-separated paths relative to the root, of folders and files (what
    ``git ls-tree -r -t --name-only`` prints). A Convex folder is a ``convex/`` folder beside a
    package.json that depends on ``convex``, or the functions folder of a nested convex.json.
    ``read`` gives a file's text (None when unreadable); without it (a listing without file
    contents) every package.json beside a ``convex/`` folder counts and a convex.json names its
    ``convex/`` folder. Installed, built and hidden folders, and more than six levels down, are
    never looked at; a folder inside another one found is part of it.
    """
    present: set[str] = set()
    for path in paths:
        parts = path.strip("/").split("/")
        if len(parts) <= _SEARCH_DEPTH + 1 and not any(_excluded(part) for part in parts[:-1]):
            present.add("/".join(parts))
    found: set[str] = set()
    for path in sorted(present):
        base, _, name = path.rpartition("/")
        if not base:
            continue  # the root's own files are the caller's first look, not a search result
        if name == "convex.json":
            functions = _functions_in(read(path) if read is not None else "{}")
            folder = posixpath.normpath(f"{base}/{functions}") if functions is not None else ""
            if folder and not folder.startswith(("../", "/")) and folder != ".." and folder in present:
                found.add(folder)
        elif name == "package.json" and f"{base}/convex" in present and \
                (read is None or _depends_on_convex(read(path))):
            found.add(f"{base}/convex")
    return sorted(path for path in found if path.count("/") < _SEARCH_DEPTH
                  and not any(path.startswith(other + "/") for other in found))


def _excluded(name: str) -> bool:
    return name in EXCLUDED_DIRS or name.startswith(".")


def _json_object(text: str | None) -> dict | None:
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _functions_in(text: str | None) -> str | None:
    """convex.json's functions folder ("convex" when unset), None when the file is unreadable or wrong."""
    data = _json_object(text)
    functions = data.get("functions", "convex") if data is not None else None
    if not isinstance(functions, str):
        return None
    return functions.strip().strip("/") or "convex"


def _depends_on_convex(text: str | None) -> bool:
    data = _json_object(text) or {}
    return any(isinstance(data.get(key), dict) and "convex" in data[key] for key in _DEPENDENCY_KEYS)


def _functions_of(config: Path) -> str:
    try:
        data = json.loads(safefiles.read_text(config))
    except (OSError, ValueError) as error:
        raise EngineUsageError(f"convex.json is not valid JSON: {error}") from error
    functions = data.get("functions") if isinstance(data, dict) else None
    if functions is not None and not isinstance(functions, str):
        raise EngineUsageError('convex.json: "functions" must be a string path')
    return functions or "convex"


def _checked(root: Path, candidate: str) -> str:
    candidate = candidate.strip().strip("/") or "convex"
    resolved = safefiles.resolve(root / candidate)
    if not _is_inside(resolved, safefiles.resolve(root)):
        raise EngineUsageError(f"the Convex folder {candidate!r} lies outside {root}")
    if not safefiles.is_dir(resolved):
        raise EngineUsageError(f"no Convex folder: {candidate}/ does not exist under {root}")
    return Path(candidate).as_posix()


def discover(root: Path, convex_dir_override: str | None = None, *,
             leave_out: Iterable[str | Path] = ()) -> Discovery:
    """The project's Convex folder and its source files; a file of ``leave_out`` (absolute paths:
    the auditor's own report, say) is never one of them (see ``Discovery.left_out``)."""
    root = safefiles.resolve(root)
    if not safefiles.is_dir(root):
        raise EngineUsageError(f"{root} is not a directory")
    convex_dir, how = locate_convex_dir(root, convex_dir_override)
    result = Discovery(root=root, convex_dir=convex_dir, convex_dir_source=how,
                       left_out=_inside_root(root, leave_out))
    convex_prefix = convex_dir + "/"
    for relative, absolute in _source_files(root, result):
        if relative in result.left_out:
            continue
        in_convex = relative.startswith(convex_prefix)
        if "/_generated/" in "/" + relative:
            if in_convex:
                result.generated_files.append(relative)
            continue
        try:
            size = safefiles.size(absolute)
        except OSError as error:
            result.skipped.append({"path": relative, "reason": f"unreadable: {error.strerror}"})
            continue
        if size > MAX_FILE_BYTES:
            result.skipped.append({"path": relative, "reason": f"larger than 1 MB ({size} bytes)"})
            continue
        if is_test_file(relative):
            result.skipped.append({"path": relative, "reason": "test file (runs under a test runner, not deployed)"})
            continue
        if in_convex:
            module = relative[len(convex_prefix):].rsplit(".", 1)[0]
            result.convex_files.append(SourceFile(relative, absolute, True, module))
        elif not relative.endswith(".d.ts"):
            result.frontend_files.append(SourceFile(relative, absolute, False, None))
    return result


_TEST_NAME = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$")
_TEST_DIRS = frozenset({"__tests__", "__mocks__", "__fixtures__"})


def is_test_file(relative: str) -> bool:
    parts = relative.split("/")
    return bool(_TEST_NAME.search(parts[-1])) or any(part in _TEST_DIRS for part in parts[:-1])


def _source_files(root: Path, result: Discovery) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    # Links are never followed: an audit stays inside the checked-out tree.
    for directory, dirnames, filenames, links in safefiles.walk(root):
        dirnames[:] = sorted(
            name for name in dirnames
            if (name not in EXCLUDED_DIRS and not name.startswith(".")) or name == "_generated"
        )
        base = Path(directory)
        folder = base.relative_to(root).as_posix()  # once per folder: "." for the root itself
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            absolute = base / name
            relative = name if folder == "." else f"{folder}/{name}"
            if name in links:
                result.skipped.append({"path": relative, "reason": "symbolic link"})
                continue
            found.append((relative, absolute))
    return found


def _inside_root(root: Path, paths: Iterable[str | Path]) -> frozenset[str]:
    """The paths, relative to the (resolved) root, of those that lie inside it."""
    inside = set()
    for path in paths:
        resolved = safefiles.resolve(path)
        if _is_inside(resolved, root) and resolved != root:
            inside.add(resolved.relative_to(root).as_posix())
    return frozenset(inside)


def _is_inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
