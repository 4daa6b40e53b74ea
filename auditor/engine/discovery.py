"""Finding the Convex folder and the files an audit reads."""

from __future__ import annotations

import json
import os
import re
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
    convex_files: list[SourceFile] = field(default_factory=list)
    frontend_files: list[SourceFile] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    generated_files: list[str] = field(default_factory=list)


def find_convex_dir(root: Path, override: str | None = None) -> str:
    """The Convex folder, relative to root: the override, convex.json's "functions", or convex/."""
    candidate = override
    if candidate is None:
        config = root / "convex.json"
        if config.is_file() and not config.is_symlink():  # a link may point anywhere
            try:
                data = json.loads(safefiles.read_text(config))
            except (OSError, ValueError) as error:
                raise EngineUsageError(f"convex.json is not valid JSON: {error}") from error
            functions = data.get("functions") if isinstance(data, dict) else None
            if functions is not None and not isinstance(functions, str):
                raise EngineUsageError('convex.json: "functions" must be a string path')
            candidate = functions
    candidate = (candidate or "convex").strip().strip("/") or "convex"
    resolved = (root / candidate).resolve()
    if not _is_inside(resolved, root.resolve()):
        raise EngineUsageError(f"the Convex folder {candidate!r} lies outside {root}")
    if not resolved.is_dir():
        raise EngineUsageError(f"no Convex folder: {candidate}/ does not exist under {root}")
    return Path(candidate).as_posix()


def discover(root: Path, convex_dir_override: str | None = None) -> Discovery:
    root = root.resolve()
    if not root.is_dir():
        raise EngineUsageError(f"{root} is not a directory")
    convex_dir = find_convex_dir(root, convex_dir_override)
    result = Discovery(root=root, convex_dir=convex_dir)
    convex_prefix = convex_dir + "/"
    for relative, absolute in _source_files(root, result):
        in_convex = relative.startswith(convex_prefix)
        if "/_generated/" in "/" + relative:
            if in_convex:
                result.generated_files.append(relative)
            continue
        try:
            size = absolute.stat().st_size
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
    # followlinks=False and the is_symlink check keep an audit inside the checked-out tree.
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            name for name in dirnames
            if (name not in EXCLUDED_DIRS and not name.startswith(".")) or name == "_generated"
        )
        base = Path(directory)
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            absolute = base / name
            relative = absolute.relative_to(root).as_posix()
            if absolute.is_symlink():
                result.skipped.append({"path": relative, "reason": "symbolic link"})
                continue
            found.append((relative, absolute))
    return found


def _is_inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
