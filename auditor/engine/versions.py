"""The Convex version a project installs, and the version each version-aware rule needs.

The version comes from the lock file when one can be read (npm ``package-lock.json`` v1-3,
``pnpm-lock.yaml``, ``yarn.lock`` classic and berry, ``bun.lock``), otherwise from the lower bound
of the range ``package.json`` declares (``^1.31.0`` installs 1.31.0 or later, so a rule gated on
1.31.0 may fire; ``*``, ``latest`` or a git URL give no bound). The ``package.json`` consulted is
the nearest one declaring ``convex`` on the way from the Convex folder up to the audited root, so a
monorepo's ``packages/backend/package.json`` wins over the root one. Nothing is ever executed: the
files are read as text, ``pnpm-lock.yaml`` with a few line patterns instead of a YAML parser.

A rule whose version is unknown stays silent (see ``rule_allowed``); the audit lists it in
``stats["versions"]["silent_rules"]``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from auditor.engine import safefiles

Version = tuple[int, int, int]

# The one table of minimum Convex versions, by rule id.
MIN_VERSIONS: dict[str, Version] = {
    # The typed `env` object (env declared with validators in convex.config.ts `defineApp({ env })`)
    # shipped in convex 1.39.0: https://stack.convex.dev/type-safe-environment-variables-convex
    # ("make sure you are running Convex 1.39.0 or later") and
    # https://docs.convex.dev/using/environment-variables ("the generated env object").
    "config/process-env": (1, 39, 0),
    # db.get/patch/replace/delete take the table name first from convex 1.31.0 (also the package's
    # CHANGELOG.md, npm pack convex@1.45.0, "## 1.31.0 - `db.get`, `db.patch`, ... now accept a table name"):
    # https://news.convex.dev/db-table-name ("Starting from convex 1.31.0, the db.get, db.patch,
    # db.replace, and db.delete functions take the table name as the first argument").
    "correctness/implicit-table-id": (1, 31, 0),
    # `returns:` validators on queries, mutations and actions: the `convex` package's own
    # CHANGELOG.md (npm pack convex@1.17.0), "## 1.13.0 - Convex queries, mutations, and actions
    # now accept `returns:` property to specify a return value validator".
    "validators/missing-returns": (1, 13, 0),
    # The earliest entry of DEPRECATED_VALIDATORS below.
    "correctness/deprecated-validator": (1, 2, 0),
    # ctx.run*/scheduler are typed to take FunctionReference objects (api.*/internal.*) from 1.0
    # (already in 0.19's registration.d.ts); 0.x releases before that took "module:name" strings.
    "correctness/run-with-string-ref": (1, 0, 0),
}

# Storage ids typed as `Id<"_storage">` (so `v.id("_storage")` is the validator to ask for): the
# package's dist/esm-types/server/storage.d.ts declares `getUrl(storageId: GenericId<"_storage">)`
# from convex 1.6.2 (npm pack convex@1.6.2) and `getUrl(storageId: StorageId)`, a plain string, up
# to 1.5.1; 1.6.2 is the first release after 1.5.1 (only 1.6.1-alpha.0 lies between). The
# release notes before 1.11.3 live on the Convex blog, not in the package's CHANGELOG.md.
STORAGE_ID_SINCE: Version = (1, 6, 2)

# Validators the `convex` package marks `@deprecated`: name -> (deprecated since, replacement).
# v.bigint() carries "@deprecated Use `v.int64()` instead" in src/values/validator.ts of
# get-convex/convex-js at commit 12a96d26629d7071517444b72fa0eea2936a2112, whose CHANGELOG tops out
# at 1.2.0; it still does in 1.2x (get-convex/convex-backend npm-packages/convex).
DEPRECATED_VALIDATORS: dict[str, tuple[Version, str]] = {
    "bigint": ((1, 2, 0), "v.int64()"),
}

LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb")
MAX_LOCK_BYTES = 64 * 1024 * 1024
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(-[0-9A-Za-z.-]+)?")


@dataclass(frozen=True, slots=True)
class ConvexVersion:
    """What the audit knows of the installed ``convex`` package."""

    version: str | None = None  # "1.31.2"; None when unknown
    source: str | None = None  # "package-lock.json", "package.json (^1.31.0, lower bound)", ...
    declared: str | None = None  # the range package.json declares
    package_json: str | None = None  # path (relative to the root) of the package.json declaring convex
    note: str = ""  # why the version is unknown, or a lock file that could not be read

    @property
    def known(self) -> bool:
        return self.version is not None

    @property
    def label(self) -> str:
        """For messages: "1.31.2" from a lock file, "^1.31.0" when only the range is known."""
        if self.version is None:
            return "unknown"
        if self.source and self.source.endswith("lower bound)") and self.declared:
            return self.declared
        return self.version

    def as_dict(self) -> dict[str, object]:
        return {"convex": self.version, "source": self.source, "declared": self.declared,
                "package_json": self.package_json, "note": self.note or None}


def parse_version(text: str | None) -> Version | None:
    if not text:
        return None
    match = _VERSION.search(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def _sort_key(text: str) -> tuple[int, int, int, int] | None:
    match = _VERSION.search(text)
    if match is None:
        return None
    # A pre-release sorts below its release: 1.31.0-alpha.1 < 1.31.0.
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0), 0 if match.group(4) else 1


def at_least(version: str | None, minimum: Version) -> bool | None:
    """Whether ``version`` is ``minimum`` or later; None when the version is unknown."""
    if version is None:
        return None
    key = _sort_key(version)
    if key is None:
        return None
    return key >= (*minimum, 1)


def range_lower_bound(spec: str | None) -> str | None:
    """The lowest version a package.json range admits, or None when it sets no lower bound."""
    if not spec:
        return None
    spec = spec.strip()
    if spec.startswith("npm:"):
        spec = spec.rsplit("@", 1)[-1] if "@" in spec[4:] else ""
    lowest: tuple[tuple[int, int, int, int], str] | None = None
    for alternative in spec.split("||"):
        bound = _alternative_lower_bound(alternative.strip())
        if bound is None:
            return None  # one alternative without a bound leaves the whole range unbounded
        key = _sort_key(bound)
        if key is not None and (lowest is None or key < lowest[0]):
            lowest = (key, bound)
    return lowest[1] if lowest else None


def _alternative_lower_bound(text: str) -> str | None:
    if not text or text in {"*", "x", "latest", "next"} or ":" in text or "/" in text:
        return None
    if " - " in text:
        text = text.split(" - ", 1)[0].strip()
    for part in text.split():
        part = part.strip()
        if part.startswith("<"):
            continue
        part = part.lstrip("^~>=v ")
        match = _VERSION.match(part)
        if match is not None:
            major, minor, patch = match.group(1), match.group(2), match.group(3) or "0"
            return f"{major}.{minor}.{patch}{match.group(4) or ''}"
        major_only = re.match(r"(\d+)(?:\.[xX*])?$", part)
        if major_only:
            return f"{major_only.group(1)}.0.0"
    return None


# package.json ----------------------------------------------------------------------------------


def _read_json(path: Path) -> object | None:
    try:
        if safefiles.size(path) > MAX_LOCK_BYTES:
            return None
        return json.loads(safefiles.read_text(path, errors="replace"))
    except (OSError, ValueError):
        return None


def declared_convex(package: object) -> str | None:
    """The ``convex`` range a package.json object declares (dependencies first)."""
    if not isinstance(package, dict):
        return None
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        deps = package.get(key)
        if isinstance(deps, dict) and isinstance(deps.get("convex"), str):
            return deps["convex"]
    return None


def _search_dirs(root: Path, convex_dir: str) -> list[Path]:
    """From the folder holding the Convex folder up to the root, nearest first."""
    start = (root / convex_dir).parent
    dirs: list[Path] = []
    current = start
    while True:
        dirs.append(current)
        if current == root or root not in current.parents:
            break
        current = current.parent
    if dirs[-1] != root:
        dirs.append(root)
    return dirs


def detect_convex_version(root: Path, convex_dir: str) -> ConvexVersion:
    root = safefiles.resolve(root)
    dirs = _search_dirs(root, convex_dir)
    declared: str | None = None
    package_dir: Path | None = None
    for directory in dirs:
        spec = declared_convex(_read_json(directory / "package.json"))
        if spec is not None:
            declared, package_dir = spec, directory
            break
    package_json = (package_dir / "package.json").relative_to(root).as_posix() if package_dir else None
    notes: list[str] = []
    lock_dirs = dirs[dirs.index(package_dir):] if package_dir is not None else dirs
    for directory in lock_dirs:
        present = [name for name in LOCK_FILES if safefiles.is_file(directory / name)]
        for name in present:
            lock = directory / name
            relative = lock.relative_to(root).as_posix()
            importer = (package_dir or directory).relative_to(directory).as_posix()
            version = _from_lock(lock, name, importer, declared)
            if version is not None:
                return ConvexVersion(version, relative, declared, package_json)
            notes.append(f"{relative}: binary, not read" if name == "bun.lockb"
                         else f"{relative}: no convex entry")
        if present:
            break  # the nearest lock file is the one the package manager uses
    lower = range_lower_bound(declared)
    if lower is not None:
        return ConvexVersion(lower, f"{package_json} ({declared}, lower bound)", declared, package_json,
                             "; ".join(notes))
    if declared is None:
        notes.insert(0, "no package.json declares convex")
    else:
        notes.insert(0, f"{package_json} declares {declared!r}, which sets no lower bound")
    return ConvexVersion(None, None, declared, package_json, "; ".join(notes))


# Lock files ------------------------------------------------------------------------------------


def _from_lock(path: Path, name: str, importer: str, declared: str | None) -> str | None:
    try:
        if name == "bun.lockb" or safefiles.size(path) > MAX_LOCK_BYTES:
            return None
        text = safefiles.read_text(path, errors="replace")
    except OSError:
        return None
    if name in {"package-lock.json", "npm-shrinkwrap.json"}:
        return npm_lock_version(text, importer)
    if name == "pnpm-lock.yaml":
        return pnpm_lock_version(text, importer)
    if name == "yarn.lock":
        return yarn_lock_version(text, declared)
    return bun_lock_version(text, importer)


def npm_lock_version(text: str, importer: str = ".") -> str | None:
    """package-lock.json: ``packages`` (lockfileVersion 2 and 3) or ``dependencies`` (1)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    packages = data.get("packages")
    if isinstance(packages, dict):
        keys = ["node_modules/convex"]
        if importer not in {"", "."}:
            keys.insert(0, f"{importer}/node_modules/convex")
        for key in keys:
            entry = packages.get(key)
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                return entry["version"]
    dependencies = data.get("dependencies")
    if isinstance(dependencies, dict):
        entry = dependencies.get("convex")
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            return entry["version"]
    return None


_PNPM_KEY = re.compile(r"""^\s{2}['"]?/?convex[@/](\d+\.\d+\.\d+[^('":\s]*)""")


def pnpm_lock_version(text: str, importer: str = ".") -> str | None:
    """pnpm-lock.yaml (lockfile 5 to 9): the importer's resolved version, else the package key."""
    lines = text.splitlines()
    section = None
    current_importer = None
    dep_block = False
    in_convex = False
    wanted = importer if importer not in {"", "."} else "."
    found: str | None = None
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.strip()
        if indent == 0:
            section = stripped.rstrip(":")
            current_importer = "." if section in {"dependencies", "devDependencies"} else None
            dep_block = section in {"dependencies", "devDependencies"}
            in_convex = False
            continue
        if section == "importers":
            if indent == 2:
                current_importer = stripped.rstrip(":").strip("'\"")
                dep_block = in_convex = False
            elif indent == 4:
                dep_block = stripped.rstrip(":") in {"dependencies", "devDependencies"}
                in_convex = False
            elif indent == 6 and dep_block:
                key, _, value = stripped.partition(":")
                in_convex = key.strip("'\"") == "convex"
                if in_convex and value.strip() and current_importer == wanted:
                    found = found or _pnpm_value(value)  # lockfile 5.x importers: "convex: 1.2.3_hash"
            elif indent == 8 and in_convex and stripped.startswith("version:") and current_importer == wanted:
                return _pnpm_value(stripped.partition(":")[2])
        elif dep_block and indent == 2 and current_importer == wanted:
            key, _, value = stripped.partition(":")
            if key.strip("'\"") == "convex":
                if value.strip():
                    return _pnpm_value(value)
                in_convex = True
        elif dep_block and in_convex and indent == 4 and stripped.startswith("version:"):
            return _pnpm_value(stripped.partition(":")[2])
    if found:
        return found
    for line in lines:
        match = _PNPM_KEY.match(line)
        if match is not None:
            return match.group(1)
    return None


def _pnpm_value(value: str) -> str | None:
    value = value.strip().strip("'\"")
    match = _VERSION.match(value)
    return match.group(0) if match else None


def yarn_lock_version(text: str, declared: str | None = None) -> str | None:
    """yarn.lock, classic (``version "1.2.3"``) and berry (``version: 1.2.3``)."""
    versions: list[tuple[set[str], str]] = []
    descriptors: set[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith((" ", "\t")):
            descriptors = None
            header = line.rstrip().rstrip(":")
            entries = {entry.strip().strip('"') for entry in header.split(",")}
            ranges = set()
            for entry in entries:
                name, _, spec = entry.rpartition("@")
                if name == "convex":
                    ranges.add(spec[4:] if spec.startswith("npm:") else spec)
            if ranges:
                descriptors = ranges
            continue
        stripped = line.strip()
        if descriptors is not None and stripped.startswith("version"):
            value = stripped[len("version"):].lstrip(":").strip().strip('"')
            versions.append((descriptors, value))
            descriptors = None
    if not versions:
        return None
    if declared is not None:
        for ranges, value in versions:
            if declared in ranges:
                return value
    distinct = {value for _, value in versions}
    return versions[0][1] if len(distinct) == 1 else None


def bun_lock_version(text: str, importer: str = ".") -> str | None:
    """bun.lock: JSON with comments and trailing commas; ``packages.convex[0]`` is "convex@1.2.3"."""
    data = _jsonc(text)
    if not isinstance(data, dict) or not isinstance(data.get("packages"), dict):
        return None
    packages = data["packages"]
    keys = ["convex"]
    if importer not in {"", "."}:
        keys.insert(0, f"{PurePosixPath(importer).name}/convex")
    for key in keys:
        entry = packages.get(key)
        if isinstance(entry, list) and entry and isinstance(entry[0], str):
            name, _, version = entry[0].rpartition("@")
            if name == "convex" and parse_version(version):
                return version
    return None


def _jsonc(text: str) -> object | None:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(char)
            i += 1
    cleaned = re.sub(r",(\s*[}\]])", r"\1", "".join(out))
    try:
        return json.loads(cleaned)
    except ValueError:
        return None


# Rules -----------------------------------------------------------------------------------------


def rule_allowed(version: ConvexVersion | None, rule_id: str) -> bool | None:
    """True when the installed version offers what the rule asks for; None when unknown."""
    minimum = MIN_VERSIONS.get(rule_id)
    if minimum is None:
        return True
    return at_least(version.version if version else None, minimum)


def deprecated_validators(version: ConvexVersion | None) -> dict[str, str]:
    """Validator name -> replacement, for the validators the installed version deprecates."""
    if version is None or not version.known:
        return {}
    return {name: replacement for name, (since, replacement) in DEPRECATED_VALIDATORS.items()
            if at_least(version.version, since)}


__all__ = ["DEPRECATED_VALIDATORS", "MIN_VERSIONS", "STORAGE_ID_SINCE", "ConvexVersion", "at_least", "bun_lock_version",
           "deprecated_validators", "detect_convex_version", "npm_lock_version", "pnpm_lock_version",
           "range_lower_bound", "rule_allowed", "yarn_lock_version"]
