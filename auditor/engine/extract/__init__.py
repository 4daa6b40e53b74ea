"""Fact extraction: one parsed file in, its ``ModuleFacts`` out, before the project is linked.

The coordinator is ``extractor.FileExtractor``; each part of a file's facts has its own module
over the file's one scope model (``scope.py``) and the shared walk (``walk.py``):

* ``strings``: string literals, templates and ``+`` chains, and ``v.id`` references;
* ``bodies``: what each function body does (database calls, runs, responses, identity checks);
* ``args``: validators and the static shapes of objects;
* ``registrations``: exported functions and custom builders;
* ``http``: routers, routes and crons;
* ``schema``: tables, fields and indexes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.engine.extract.builders import BASE_BUILDERS, is_generated_server, module_source_path
from auditor.engine.extract.schema import schema_id_references
from auditor.engine.extract.strings import CONVEX_URL_VARS, URL_TEXT

if TYPE_CHECKING:
    from auditor.engine.extract.extractor import FileExtractor, extract_module


def __getattr__(name: str) -> Any:
    # The extractor (and the body, scope and walk machinery under it) loads on first use: linking
    # and rules import the names above, and a run that reads every file from the facts cache
    # extracts nothing.
    if name in {"FileExtractor", "extract_module"}:
        from auditor.engine.extract import extractor

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "BASE_BUILDERS",
    "CONVEX_URL_VARS",
    "URL_TEXT",
    "FileExtractor",
    "extract_module",
    "is_generated_server",
    "module_source_path",
    "schema_id_references",
]
