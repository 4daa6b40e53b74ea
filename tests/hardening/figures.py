"""The figures file of the hardening suite: each test records what it measured, never typed by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FIGURES_PATH = Path(__file__).resolve().parents[2] / "test-artifacts" / "hardening.json"


def record(section: str, values: dict[str, Any]) -> None:
    """Merge one section into test-artifacts/hardening.json (other sections are kept)."""
    FIGURES_PATH.parent.mkdir(parents=True, exist_ok=True)
    try:
        figures = json.loads(FIGURES_PATH.read_text())
    except (OSError, ValueError):
        figures = {}
    figures[section] = values
    temporary = FIGURES_PATH.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    temporary.replace(FIGURES_PATH)
