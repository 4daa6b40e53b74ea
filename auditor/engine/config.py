"""``convex-audit.toml``: rules to disable, severities to override, paths to ignore. Parsed strictly."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from auditor.engine import safefiles
from auditor.engine.errors import EngineUsageError

CONFIG_NAME = "convex-audit.toml"
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class AuditConfig:
    disabled: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    source: str | None = None

    def ignored_by(self, path: str) -> str | None:
        return next((glob for glob in self.ignore if path_matches(path, glob)), None)


def path_matches(path: str, glob: str) -> bool:
    """Globs as in .gitignore-style configs: ``**`` spans folders, a trailing ``/`` means a folder."""
    if glob.endswith("/"):
        glob += "**"
    if fnmatchcase(path, glob):
        return True
    return glob.startswith("**/") and fnmatchcase(path, glob[3:])


def load_config(root: Path, explicit: Path | None, known_rules: set[str]) -> AuditConfig:
    path = explicit if explicit is not None else root / CONFIG_NAME
    if explicit is None and not path.is_file():
        return AuditConfig()
    try:
        data = tomllib.loads(safefiles.read_text(path))
    except FileNotFoundError as error:
        raise EngineUsageError(f"config file not found: {path}") from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise EngineUsageError(f"{path.name}: {error}") from error
    unknown = set(data) - {"disable", "severity", "ignore"}
    if unknown:
        raise EngineUsageError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}; "
                               "expected disable, severity, ignore")
    disabled = _string_list(data.get("disable", []), "disable", path)
    ignore = _string_list(data.get("ignore", []), "ignore", path)
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise EngineUsageError(f"{path.name}: [severity] must be a table of rule id = level")
    for rule_id in [*disabled, *severity]:
        if rule_id not in known_rules:
            raise EngineUsageError(f"{path.name}: unknown rule id {rule_id!r}")
    for rule_id, level in severity.items():
        if level not in SEVERITIES:
            raise EngineUsageError(f"{path.name}: severity of {rule_id} must be one of {', '.join(SEVERITIES)}")
    return AuditConfig(frozenset(disabled), dict(severity), tuple(ignore), str(path))


def _string_list(value: object, key: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EngineUsageError(f"{path.name}: {key} must be a list of strings")
    return list(value)
