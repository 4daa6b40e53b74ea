"""``convex-audit.toml``: rules to disable, severities to override, paths to ignore. Parsed strictly."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
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
    if explicit is None and not safefiles.is_file(path):
        return AuditConfig()
    try:
        text = safefiles.read_text(path)
    except FileNotFoundError as error:
        raise EngineUsageError(f"config file not found: {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise EngineUsageError(f"{path.name}: {error}") from error
    return parse_config(text, str(path), known_rules, name=path.name)


def parse_config(text: str, source: str | None, known_rules: set[str], *, name: str = CONFIG_NAME) -> AuditConfig:
    """A ``convex-audit.toml``'s text, checked as strictly as the file. `source` is how suppressions
    and stats name it (a path, or where the text came from); `name` starts each error message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EngineUsageError(f"{name}: {error}") from error
    unknown = set(data) - {"disable", "severity", "ignore"}
    if unknown:
        raise EngineUsageError(f"{name}: unknown key(s) {', '.join(sorted(unknown))}; "
                               "expected disable, severity, ignore")
    disabled = _string_list(data.get("disable", []), "disable", name)
    ignore = _string_list(data.get("ignore", []), "ignore", name)
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise EngineUsageError(f"{name}: [severity] must be a table of rule id = level")
    for rule_id in [*disabled, *severity]:
        if rule_id not in known_rules:
            raise EngineUsageError(f"{name}: unknown rule id {rule_id!r}")
    for rule_id, level in severity.items():
        if level not in SEVERITIES:
            raise EngineUsageError(f"{name}: severity of {rule_id} must be one of {', '.join(SEVERITIES)}")
    # An empty configuration names no source (as when there is no file); one that says something does.
    return AuditConfig(frozenset(disabled), dict(severity), tuple(ignore), source if source or not data else name)


def with_profile(config: AuditConfig, profile: Mapping[str, object] | None, known_rules: set[str]) -> AuditConfig:
    """`config` with a rule profile laid over it: the same keys as the file's ``disable`` and
    ``[severity]`` (a dashboard's per-repository choices), checked the same way. The profile
    wins where both speak of one rule."""
    if not profile:
        return config
    unknown = set(profile) - {"disable", "severity"}
    if unknown:
        raise EngineUsageError(f"rule profile: unknown key(s) {', '.join(sorted(unknown))}; expected disable, severity")
    disabled = profile.get("disable", [])
    if not isinstance(disabled, list) or not all(isinstance(item, str) for item in disabled):
        raise EngineUsageError("rule profile: disable must be a list of rule ids")
    severity = profile.get("severity", {})
    if not isinstance(severity, dict):
        raise EngineUsageError("rule profile: severity must map rule ids to levels")
    for rule_id in [*disabled, *severity]:
        if rule_id not in known_rules:
            raise EngineUsageError(f"rule profile: unknown rule id {rule_id!r}")
    for rule_id, level in severity.items():
        if level not in SEVERITIES:
            raise EngineUsageError(f"rule profile: severity of {rule_id} must be one of {', '.join(SEVERITIES)}")
    if not disabled and not severity:
        return config
    merged_severity = {**config.severity, **severity}
    # A rule the profile sets a severity for is on, whatever the file says.
    merged_disabled = (config.disabled - set(severity)) | set(disabled)
    source = f"{config.source} and the rule profile" if config.source else "the rule profile"
    return AuditConfig(frozenset(merged_disabled), merged_severity, config.ignore, source)


def _string_list(value: object, key: str, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EngineUsageError(f"{name}: {key} must be a list of strings")
    return list(value)
