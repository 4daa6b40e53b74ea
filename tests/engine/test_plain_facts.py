"""Facts are plain data: they pickle, hold no syntax-tree node, and linking leaves them unchanged."""

from __future__ import annotations

import dataclasses
import io
import pickle
from pathlib import Path

import pytest
from esprima.objects import Object as EsprimaObject

from auditor.engine import ParseCache, audit_path
from auditor.engine.extract import extract_module
from auditor.engine.link import link_project
from auditor.engine.model import ModuleFacts
from auditor.engine.parsing import parse_source
from tests.engine.helpers import audit_project

REPOSITORY = Path(__file__).resolve().parents[2]
PROJECTS = sorted(
    [path for path in (REPOSITORY / "tests" / "corpus").iterdir() if (path / "expected.json").is_file()]
    + [REPOSITORY / "examples" / "demo-convex-app"]
)


class _NodeFinder(pickle.Pickler):
    """Pickles as usual, but fails on the first esprima object it meets."""

    def reducer_override(self, obj: object) -> object:
        if isinstance(obj, EsprimaObject):
            raise AssertionError(f"a syntax-tree node ({type(obj).__name__}) is held in the facts")
        return NotImplemented


def _pickled(value: object) -> bytes:
    buffer = io.BytesIO()
    _NodeFinder(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _extracted(module: ModuleFacts) -> ModuleFacts:
    return extract_module(module.path, module.module, module.source, parse_source(module.path, module.source).tree)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_it_pickles_every_module_s_facts_without_a_syntax_tree_node(project: Path):
    report = audit_path(project, cache=ParseCache())
    modules = [*report.project.modules.values(), *report.project.frontend.values()]
    assert modules
    for module in modules:
        restored = pickle.loads(_pickled(module))
        assert restored == module


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_it_leaves_extracted_facts_unchanged_when_it_links_them(project: Path):
    report = audit_path(project, cache=ParseCache())
    modules = [_extracted(module) for module in report.project.modules.values()]
    before = [_pickled(module) for module in modules]
    for _ in range(2):
        linked = link_project(report.root, report.project.convex_dir, modules, [], [], [])
        assert linked.bodies  # linking did its work on copies
    assert [_pickled(module) for module in modules] == before


TASKS = {"convex/tasks.ts": """
    import { query } from "./_generated/server";
    import { v } from "convex/values";
    async function load(ctx) { return await ctx.db.query("tasks").collect(); }
    export const list = query({ args: { id: v.id("tasks") }, handler: async (ctx) => load(ctx) });
"""}


def test_it_links_helper_calls_on_copies_of_the_extracted_bodies(tmp_path: Path):
    report = audit_project(tmp_path, TASKS)
    module = report.project.modules["convex/tasks.ts"]
    [extracted_call] = module.bodies["export:list"].helper_calls
    [linked_call] = report.project.functions["tasks:list"].body.helper_calls
    assert linked_call.target == "convex/tasks.ts#load"
    assert extracted_call.target is None


def test_it_freezes_the_facts_rules_and_linking_share(tmp_path: Path):
    project = audit_project(tmp_path, TASKS).project
    function = project.functions["tasks:list"]
    frozen = [(function, "kind"), (function.args["id"], "table"), (function.body.helper_calls[0], "target"),
              (project.modules["convex/tasks.ts"].id_references[0], "table")]
    for fact, attribute in frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(fact, attribute, None)
