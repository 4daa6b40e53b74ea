"""Facts are plain data: they pickle, hold no syntax-tree node, and linking leaves them unchanged."""

from __future__ import annotations

import dataclasses
import io
import pickle
from pathlib import Path

import pytest
from esprima.objects import Object as EsprimaObject

from auditor.engine import ParseCache, audit_path, factcache, model
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


# The audit's own mutable holder, filled as it goes and never cached.
MUTABLE_FACTS = {"ProjectFacts"}


def _fact_classes() -> dict[str, type]:
    return {name: value for name, value in vars(model).items()
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__}


def test_it_freezes_every_fact_class_but_the_audit_s_own_holder():
    classes = _fact_classes()
    assert set(classes) >= MUTABLE_FACTS
    for name, cls in classes.items():
        assert cls.__dataclass_params__.frozen == (name not in MUTABLE_FACTS), name  # type: ignore[attr-defined]
        assert hasattr(cls, "__slots__"), name


def _containers(value: object, owner: tuple[str, str] | None, found: set[tuple[str, str]]) -> None:
    """Record (class, field) of each frozen fact field that holds a list or a plain dict, anywhere inside."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        frozen = type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
        for field in dataclasses.fields(value):
            _containers(getattr(value, field.name), (type(value).__name__, field.name) if frozen else None, found)
        return
    if isinstance(value, list | dict) and not isinstance(value, model.FrozenDict) and owner is not None:
        found.add(owner)
    if isinstance(value, dict):
        for item in value.values():
            _containers(item, owner, found)
    elif isinstance(value, list | tuple | frozenset):
        for item in value:
            _containers(item, owner, found)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_it_holds_tuples_and_frozen_mappings_in_frozen_facts(project: Path):
    report = audit_path(project, cache=ParseCache())
    found: set[tuple[str, str]] = set()
    for module in [*report.project.modules.values(), *report.project.frontend.values()]:
        _containers(module, None, found)
    for fact in [*report.project.functions.values(), *report.project.bodies.values(), *report.project.routes]:
        _containers(fact, None, found)
    assert not found


def test_it_refuses_changes_to_a_frozen_mapping_and_pickles_it():
    mapping = model.FrozenDict({"a": 1})
    for change in (lambda: mapping.__setitem__("b", 2), lambda: mapping.update(b=2), lambda: mapping.pop("a"),
                   lambda: mapping.setdefault("b", 2), mapping.clear, mapping.popitem):
        with pytest.raises(TypeError):
            change()
    restored = pickle.loads(pickle.dumps(mapping))
    assert restored == {"a": 1} and isinstance(restored, model.FrozenDict)


class _LiveCache(ParseCache):
    """Hands out the very entries it was given, so whatever an audit did to them would show."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[factcache.CacheKey, factcache.CachedFile] = {}

    def get(self, key: factcache.CacheKey) -> factcache.CachedFile | None:
        return self.live.get(key)

    def put(self, key: factcache.CacheKey, entry: factcache.CachedFile) -> None:
        self.live[key] = entry

    def put_pickled(self, key: factcache.CacheKey, data: bytes) -> None:
        entry = factcache.loads(data)
        if entry is not None:
            self.live[key] = entry


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_it_leaves_cached_facts_unchanged_through_a_whole_audit(project: Path):
    cache = _LiveCache()
    first = audit_path(project, cache=cache)
    before = {key: pickle.dumps(entry) for key, entry in cache.live.items()}
    assert before
    again = audit_path(project, cache=cache)  # links and runs every rule over the same objects
    assert {key: pickle.dumps(entry) for key, entry in cache.live.items()} == before
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]


def test_it_keeps_the_convex_exports_audits_share_unchangeable(tmp_path: Path):
    # Without an installed convex package every audit of the process reads one cached known list.
    exports = audit_project(tmp_path, TASKS).project.convex_exports
    assert exports.source == "known list" and exports.names
    with pytest.raises(TypeError):
        exports.names["convex/server"] = frozenset()
