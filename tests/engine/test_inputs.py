"""The journal of what an audit looked at (inputs.py), and safefiles as the engine's only door to the tree."""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest

from auditor.engine import inputs, safefiles
from auditor.engine.audit import audit_path
from auditor.engine.factcache import ParseCache

ENGINE = Path(__file__).resolve().parents[2] / "auditor" / "engine"
# Modules that may touch the file system themselves: the door, the journal, the caches' own
# folders and the stamps of their parsers, the CLI's output file, and the rule reference's writer
# (a make target, not an audit).
# Everything else reaches the audited tree through safefiles.
OWN_FILES = {"safefiles.py", "inputs.py", "cachedir.py", "factcache.py", "reportcache.py", "cli.py", "ruledocs.py"}
FILE_SYSTEM_MODULES = {"os", "os.path", "subprocess", "shutil", "glob"}
MODULE_LOOKS = {"walk", "scandir", "listdir", "stat", "lstat", "open", "system", "popen", "realpath", "isfile",
                "isdir", "islink", "exists", "lexists", "getsize", "samefile", "readlink", "access"}
PATH_LOOKS = {"is_file", "is_dir", "is_symlink", "exists", "stat", "lstat", "read_text", "read_bytes", "write_text",
              "write_bytes", "iterdir", "glob", "rglob", "readlink", "samefile"}


def _looks_at_the_file_system(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id == "open":
            found.append(f"{path.name}:{node.lineno} open()")
        elif isinstance(function, ast.Attribute):
            receiver = ast.unparse(function.value)
            if receiver in FILE_SYSTEM_MODULES and receiver.split(".")[0] in imported:
                if receiver not in {"os", "os.path"} or function.attr in MODULE_LOOKS:
                    found.append(f"{path.name}:{node.lineno} {receiver}.{function.attr}()")
            elif function.attr in PATH_LOOKS and receiver != "safefiles":
                found.append(f"{path.name}:{node.lineno} .{function.attr}()")
            elif function.attr == "resolve" and not node.args and not node.keywords:  # Path.resolve()
                found.append(f"{path.name}:{node.lineno} .resolve()")
    return found


def test_it_keeps_every_other_engine_module_away_from_the_file_system() -> None:
    modules = [path for path in sorted(ENGINE.rglob("*.py")) if path.name not in OWN_FILES]
    assert len(modules) > 50
    looks = [look for path in modules for look in _looks_at_the_file_system(path)]
    assert looks == []


def test_it_would_catch_a_module_that_looks_for_itself(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("import os\nfrom pathlib import Path\n"
                      "def f(p: Path):\n    os.walk(p)\n    p.is_file()\n    p.resolve()\n    x.resolve(node)\n"
                      "    safefiles.read_bytes(p)\n    open(p)\n", encoding="utf-8")
    assert sorted(_looks_at_the_file_system(module)) == ["sneaky.py:4 os.walk()", "sneaky.py:5 .is_file()",
                                                         "sneaky.py:6 .resolve()", "sneaky.py:9 open()"]


def _tree(root: Path) -> Path:
    (root / "convex").mkdir(parents=True)
    (root / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\n'
        'import { v } from "convex/values";\n'
        'export default defineSchema({ notes: defineTable({ body: v.string() }) });\n', encoding="utf-8")
    (root / "convex" / "notes.ts").write_text(
        'import { query } from "./_generated/server";\n'
        'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("notes").collect() });\n',
        encoding="utf-8")
    (root / "src").mkdir()
    (root / "src" / "App.tsx").write_text('export const App = () => null;\n', encoding="utf-8")
    (root / "package.json").write_text('{"dependencies": {"convex": "^1.17.0"}}\n', encoding="utf-8")
    return root


def _journal(root: Path) -> inputs.Journal:
    with inputs.recording() as journal:
        audit_path(root, cache=ParseCache(max_bytes=0))
    return journal


def test_it_writes_down_each_kind_of_look_an_audit_makes(tmp_path: Path) -> None:
    root = _tree(tmp_path / "app").resolve()
    journal = _journal(root)
    kinds = {observation[0] for observation in journal.seen}
    assert {"file", "listing", "kind", "size", "resolve"} <= kinds
    assert ("file", str(root / "convex" / "notes.ts")) in journal.seen
    assert ("listing", str(root / "src")) in journal.seen
    assert ("size", str(root / "src" / "App.tsx")) in journal.seen
    assert not journal.unsettled


def test_it_writes_nothing_down_without_an_open_journal(tmp_path: Path) -> None:
    root = _tree(tmp_path / "app")
    with inputs.recording() as journal:
        pass
    audit_path(root, cache=ParseCache(max_bytes=0))
    assert journal.seen == {}
    assert not inputs.is_recording()


def test_it_sees_an_unchanged_tree_as_unchanged(tmp_path: Path) -> None:
    root = _tree(tmp_path / "app")
    journal = _journal(root)
    assert inputs.unchanged(journal.seen, safefiles.OBSERVERS)


@pytest.mark.parametrize("change", [
    "edit a Convex file", "edit a frontend file", "add a source file", "remove a source file",
    "add a folder", "swap a file for a link", "grow a package.json", "add a lock file", "add a config file",
])
def test_it_sees_each_kind_of_change(tmp_path: Path, change: str) -> None:
    root = _tree(tmp_path / "app")
    journal = _journal(root)
    if change == "edit a Convex file":
        (root / "convex" / "notes.ts").write_text("export const x = 1;\n", encoding="utf-8")
    elif change == "edit a frontend file":
        (root / "src" / "App.tsx").write_text("export const App = () => 1;\n", encoding="utf-8")
    elif change == "add a source file":
        (root / "convex" / "more.ts").write_text("export const y = 2;\n", encoding="utf-8")
    elif change == "remove a source file":
        (root / "src" / "App.tsx").unlink()
    elif change == "add a folder":
        (root / "src" / "components").mkdir()
    elif change == "swap a file for a link":
        (root / "src" / "App.tsx").unlink()
        (root / "src" / "App.tsx").symlink_to(root / "convex" / "notes.ts")
    elif change == "grow a package.json":
        (root / "package.json").write_text('{"dependencies": {"convex": "^1.18.0"}}\n', encoding="utf-8")
    elif change == "add a lock file":
        (root / "package-lock.json").write_text("{}\n", encoding="utf-8")
    elif change == "add a config file":
        (root / "convex-audit.toml").write_text("", encoding="utf-8")
    assert not inputs.unchanged(journal.seen, safefiles.OBSERVERS)


def test_it_sees_what_git_tracks_change(tmp_path: Path) -> None:
    root = _tree(tmp_path / "app")
    environment = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=environment)
    subprocess.run(["git", "-C", str(root), "add", "convex"], check=True, env=environment)
    journal = _journal(root)
    assert any(observation[0] == "git" for observation in journal.seen)
    assert inputs.unchanged(journal.seen, safefiles.OBSERVERS)
    subprocess.run(["git", "-C", str(root), "add", "src"], check=True, env=environment)
    assert not inputs.unchanged(journal.seen, safefiles.OBSERVERS)


def test_it_counts_a_look_of_an_unknown_kind_as_a_change() -> None:
    assert not inputs.unchanged({("telepathy", "/"): "x"}, safefiles.OBSERVERS)


def test_it_marks_a_journal_unsettled_when_one_look_sees_two_things(tmp_path: Path) -> None:
    file = tmp_path / "a.txt"
    file.write_text("one", encoding="utf-8")
    with inputs.recording() as journal:
        safefiles.read_bytes(file)
        assert not journal.unsettled
        file.write_text("two", encoding="utf-8")
        safefiles.read_bytes(file)
    assert journal.unsettled


def test_it_writes_down_a_failed_read_as_that_failure(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with inputs.recording() as journal, pytest.raises(FileNotFoundError):
        safefiles.read_bytes(missing)
    assert inputs.unchanged(journal.seen, safefiles.OBSERVERS)
    missing.write_text("{}", encoding="utf-8")
    assert not inputs.unchanged(journal.seen, safefiles.OBSERVERS)


def test_it_walks_as_os_walk_does(tmp_path: Path) -> None:
    for folder in ["a/b/c", "a/d", "e", "node_modules/x"]:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "f.ts").write_text("", encoding="utf-8")
    (tmp_path / "link-to-a").symlink_to(tmp_path / "a")
    (tmp_path / "link-to-file").symlink_to(tmp_path / "e" / "f.ts")

    def listed(walker: object, with_links: bool) -> list[tuple[str, list[str], list[str]]]:
        seen = []
        for item in walker:  # type: ignore[attr-defined]
            directory, folders, files = item[:3]
            folders[:] = sorted(name for name in folders if name != "node_modules")  # pruned in place
            seen.append((directory, list(folders), sorted(files)))
        return seen

    ours = listed(safefiles.walk(tmp_path), True)
    theirs = listed(os.walk(tmp_path, followlinks=False), False)
    assert ours == theirs
    links = {directory: found for directory, _, _, found in safefiles.walk(tmp_path)}
    assert links[str(tmp_path)] == {"link-to-a", "link-to-file"}
