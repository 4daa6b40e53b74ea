"""What can be told statically about ``_generated/`` files: do they look like codegen wrote them?

``npx convex dev`` (and ``npx convex codegen``) writes every file of the Convex folder's
``_generated/`` with a header: ``/* eslint-disable */`` and a doc comment saying "THIS CODE IS
AUTOMATICALLY GENERATED" and how to regenerate it (convex 1.12 to 1.16 put a
``/* prettier-ignore-start */`` line above it). The code itself has a fixed shape, whatever the
formatter (codegen uses the project's Prettier settings, so only tokens are compared):

* ``server.js``: imports from ``convex/server`` and ``export const <name> = <name>Generic;``, plus
  ``app = appGeneric()`` or ``component = componentGeneric()`` and
  ``componentArgs = createComponentArgs()`` for a project with components.
* ``api.js``: imports from ``convex/server``, ``export const api = anyApi;``,
  ``export const internal = anyApi;`` and ``export const components = componentsGeneric();``, or
  the CommonJS form (``const { anyApi } = require("convex/server"); module.exports = {...}``).

(The templates are npm-packages/convex/src/cli/codegen_templates/{common,server,api,api_cjs,
component_server}.ts in get-convex/convex-backend.)
* ``api.d.ts``: one ``import type * as m from "../m.js"`` per module of the Convex folder; one
  naming a module that does not exist is stale or hand-written (codegen would drop it).

Anything else in ``server.js``/``api.js`` is a hand edit. ``.d.ts`` files other than ``api.d.ts``
are checked for the header only.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from auditor.engine import safefiles

HEADER_MARKER = "THIS CODE IS AUTOMATICALLY GENERATED"
MAX_BYTES = 2 * 1024 * 1024
SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_IMPORT_FROM_SERVER = re.compile(r"""^import\s*\{[^}]*\}\s*from\s*["']convex/server["']\s*;?$""", re.DOTALL)
_EXPORT_CONST = re.compile(r"^export\s+const\s+(\w+)\s*=\s*([\w.]+(?:\(\s*\))?)\s*;?$", re.DOTALL)
_MODULE_IMPORT = re.compile(r"""import\s+type\s+\*\s+as\s+\w+\s+from\s+["'](\.\./[^"']+)["']""")
_API_VALUES = {"api": "anyApi", "internal": "anyApi", "components": "componentsGeneric()"}
_SERVER_VALUES = {"app": "appGeneric()", "component": "componentGeneric()", "componentArgs": "createComponentArgs()"}
_CJS_REQUIRE = re.compile(r"""^const\{[\w,]+\}=require\(["']convex/server["']\);?$""")
_CJS_EXPORTS = re.compile(r"^module\.exports=\{((api|internal):anyApi|components:componentsGeneric\(\))"
                          r"(,((api|internal):anyApi|components:componentsGeneric\(\)))*,?\};?$")


@dataclass(frozen=True, slots=True)
class GeneratedIssue:
    path: str
    line: int
    message: str


def _statements(code: str) -> list[tuple[int, str]]:
    """Top-level statements (comments removed) with their 1-based line, split on ";" and new lines."""
    blanked = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), code)
    statements: list[tuple[int, str]] = []
    current: list[str] = []
    start_line = 1
    depth = 0
    line = 1
    for char in blanked:
        if not current and char.isspace():
            if char == "\n":
                line += 1
            continue
        if not current:
            start_line = line
        current.append(char)
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        if char == "\n":
            line += 1
        if depth <= 0 and (char == ";" or (char == "\n" and not _continues(current))):
            statements.append((start_line, " ".join("".join(current).split())))
            current = []
            depth = 0
    if current and "".join(current).strip():
        statements.append((start_line, " ".join("".join(current).split())))
    return statements


def _continues(current: list[str]) -> bool:
    text = "".join(current).rstrip()
    return text.endswith((",", "=", "{", "(", "from", "import", "export", "const"))


# Codegen of convex 1.12 to 1.16 wrapped every file in prettier-ignore comments, the opening one
# above the header.
_PRETTIER_IGNORE_START = "/* prettier-ignore-start */"


def has_header(text: str) -> bool:
    head = text.lstrip("\ufeff")[:2000].lstrip()
    head = head.removeprefix(_PRETTIER_IGNORE_START).lstrip()
    return head.startswith("/* eslint-disable */") and HEADER_MARKER in head


def check_generated_file(path: str, text: str, convex_dir: str, convex_files: set[str]) -> list[GeneratedIssue]:
    name = path.rsplit("/", 1)[-1]
    issues: list[GeneratedIssue] = []
    if not has_header(text):
        issues.append(GeneratedIssue(path, 1, "has no codegen header (`/* eslint-disable */` and "
                                              f"\"{HEADER_MARKER}\"): it was written by hand or edited"))
    if name in {"server.js", "api.js"}:
        for line, statement in _statements(text):
            if not _expected_statement(name, statement):
                issues.append(GeneratedIssue(path, line, f"contains code codegen does not write in {name}: "
                                                         f"`{statement[:80]}`"))
    elif name == "api.d.ts":
        generated_dir = posixpath.dirname(path)
        for number, line_text in enumerate(text.splitlines(), start=1):
            for match in _MODULE_IMPORT.finditer(line_text):
                target = posixpath.normpath(posixpath.join(generated_dir, match.group(1)))
                if not _module_exists(target, convex_files):
                    module = posixpath.relpath(target, convex_dir).removesuffix(".js")
                    issues.append(GeneratedIssue(path, number, f"refers to the module `{module}`, which does not "
                                                               "exist: the file is stale or edited by hand"))
    return issues


def _expected_statement(name: str, statement: str) -> bool:
    if _IMPORT_FROM_SERVER.match(statement):
        return True
    compact = statement.replace(" ", "")
    if name == "api.js" and (_CJS_REQUIRE.match(compact) or _CJS_EXPORTS.match(compact)):
        return True
    match = _EXPORT_CONST.match(statement)
    if match is None:
        return False
    exported, value = match.group(1), match.group(2).replace(" ", "")
    if name == "server.js":
        return value == f"{exported}Generic" or _SERVER_VALUES.get(exported) == value
    return _API_VALUES.get(exported) == value


def _module_exists(target: str, convex_files: set[str]) -> bool:
    base = target[:-3] if target.endswith(".js") else target
    return any(base + suffix in convex_files for suffix in SOURCE_SUFFIXES) or any(
        f"{base}/index{suffix}" in convex_files for suffix in SOURCE_SUFFIXES)


def check_generated(root: Path, convex_dir: str, generated_files: list[str],
                    convex_files: set[str]) -> list[GeneratedIssue]:
    """Issues for every file under the Convex folder's ``_generated/`` (paths relative to root)."""
    issues: list[GeneratedIssue] = []
    prefix = f"{convex_dir}/_generated/"
    for path in sorted(generated_files):
        if not path.startswith(prefix) or "/" in path[len(prefix):]:
            continue
        try:
            data = safefiles.read_bytes(root / path)
        except OSError:
            continue
        if len(data) > MAX_BYTES:
            continue
        issues.extend(check_generated_file(path, data.decode("utf-8", "replace"), convex_dir, convex_files))
    return issues


__all__ = ["GeneratedIssue", "check_generated", "check_generated_file", "has_header"]
