"""Everything under tests/hardening/ runs with `make hardening`, not with the everyday suite."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/hardening/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.hardening)
