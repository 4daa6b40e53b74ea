"""Hostile repositories stay inside their box.

Each case builds a real git repository (or a fake remote on 127.0.0.1) meant to break out, then
clones and audits it with the production code: gitops.fetch_checkout, pipeline.run_audit and
the engine. Three invariants are checked every time, and every broken one counts as an escape:

- nothing outside the clone is read: a Python audit hook sees every open()/listdir of this
  process, and a marker text that only exists outside the clone never shows up in a report;
- nothing from the repository is executed: hooks, submodule commands and fsmonitor commands
  would each write a marker file, which must stay absent;
- a refused or stopped clone fails with a clear reason (a RemoteError kind and a message).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from auditor.engine import audit_path, cli
from projects import gitops, pipeline
from projects.gitops import RemoteError
from projects.models import Audit
from tests.factories import RepositoryFactory, TeamFactory
from tests.gitrepos import DEMO_APP, LocalRemote, git
from tests.hardening.figures import record

pytestmark = pytest.mark.django_db

SECRET_MARKER = "TOP-SECRET-OUTSIDE-THE-CLONE-7f3a"
TALLY = {"cases": 0, "escapes": 0}
ESCAPES: list[str] = []


# --- watching this process's file access --------------------------------------------------------

_WATCHED: list[Path] = []
_SEEN: list[str] = []


def _audit_hook(event: str, args: tuple) -> None:
    if not _WATCHED or event not in ("open", "os.listdir", "os.scandir", "os.readlink"):
        return
    target = args[0] if args else None
    if isinstance(target, int) or target is None:
        return
    flags = args[2] if event == "open" and len(args) > 2 else None
    if isinstance(flags, int) and flags & os.O_NOFOLLOW and os.path.islink(target):
        return  # refused by the kernel (ELOOP), not read
    try:
        path = os.path.realpath(os.fsdecode(target))
    except (TypeError, ValueError):
        return
    for forbidden in _WATCHED:
        if path == str(forbidden) or path.startswith(str(forbidden) + os.sep):
            _SEEN.append(path)


sys.addaudithook(_audit_hook)  # audit hooks cannot be removed; it is idle unless _WATCHED is set


@contextmanager
def forbid_reading(*paths: Path) -> Iterator[list[str]]:
    """Record every access of this process to the given files or folders while inside."""
    _SEEN.clear()
    _WATCHED[:] = [Path(os.path.realpath(p)) for p in paths]
    try:
        yield _SEEN
    finally:
        _WATCHED.clear()


def case(name: str, escaped: list[str]) -> None:
    """Count one case; an escape is any invariant that did not hold (asserted by the caller)."""
    TALLY["cases"] += 1
    if escaped:
        TALLY["escapes"] += len(escaped)
        ESCAPES.extend(f"{name}: {what}" for what in escaped)


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    record("repos", dict(TALLY))


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside every clone, holding what no audit may read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.ts").write_text(
        'import { mutation } from "./_generated/server";\n'
        f"// {SECRET_MARKER}\nexport const leak = mutation({{ handler: async () => '{SECRET_MARKER}' }});\n"
    )
    (folder / "package.json").write_text(json.dumps({"name": SECRET_MARKER, "dependencies": {"convex": "1.0.0"}}))
    (folder / "convex.json").write_text(json.dumps({"functions": "convex"}))
    return folder


def make_remote(tmp_path: Path, name: str) -> LocalRemote:
    root = tmp_path / name
    root.mkdir()
    return LocalRemote(root)


def audit_repository_of(url: str, tmp_path: Path) -> Audit:
    repository = RepositoryFactory(team=TeamFactory(), url=url, branch="main")
    audit = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
    pipeline.run_audit(audit)
    audit.refresh_from_db()
    return audit


def report_text(audit: Audit) -> str:
    parts = [audit.failure_reason, json.dumps(audit.stats)]
    parts += [f"{f.path} {f.message} {f.snippet}" for f in audit.findings.all()]
    if hasattr(audit, "inventory"):
        parts.append(json.dumps(audit.inventory.functions))
    return "\n".join(parts)


HOSTILE_LINKS = {
    "convex/passwd.ts": "/etc/passwd",
    "convex/secret.ts": "{outside}/secret.ts",
    "convex/up.ts": "../../../../../../../../etc/passwd",
    "convex/linked": "{outside}",  # a folder
    "package.json": "{outside}/package.json",
    "convex.json": "{outside}/convex.json",
    ".gitignore": "/etc/passwd",
    "package-lock.json": "/etc/passwd",
    ".env": "/etc/passwd",
}


def plant_links(work: Path, outside: Path) -> None:
    for relative, target in HOSTILE_LINKS.items():
        link = work / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            link.unlink()
        os.symlink(target.format(outside=outside), link)


# --- symlinks ------------------------------------------------------------------------------------


def test_it_never_follows_symlinks_out_of_a_folder_the_engine_audits(tmp_path, outside):
    """The engine on a folder that really holds symlinks (the CLI, or a clone made elsewhere)."""
    project = tmp_path / "project"
    project.mkdir()
    for item in DEMO_APP.iterdir():
        if item.is_dir():
            subprocess.run(["cp", "-r", str(item), str(project / item.name)], check=True)
        elif item.name not in HOSTILE_LINKS:
            (project / item.name).write_bytes(item.read_bytes())
    plant_links(project, outside)
    with forbid_reading(outside, Path("/etc/passwd")) as seen:
        report = audit_path(project)
    text = json.dumps(report.to_dict())
    escaped = [f"read {path}" for path in sorted(set(seen))]
    if SECRET_MARKER in text or "root:x:0:0" in text:
        escaped.append("outside content in the report")
    case("engine symlinks", escaped)
    assert not escaped, escaped


def test_it_never_blocks_on_fifos_or_devices_in_a_folder_the_engine_audits(tmp_path):
    """A FIFO blocks whoever reads it; git cannot store one, but a folder handed to the engine can."""
    project = tmp_path / "project"
    subprocess.run(["cp", "-r", str(DEMO_APP), str(project)], check=True)
    for relative in ("convex/fifo.ts", ".gitignore", "pnpm-lock.yaml", "convex/_generated/api.d.ts", "convex.json"):
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        os.mkfifo(target)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(audit_path(project)), daemon=True)
    worker.start()
    worker.join(60)
    escaped = [] if result else ["the engine blocked on a FIFO for 60 s"]
    case("engine fifos", escaped)
    assert not escaped, escaped


def test_it_looks_at_a_hostile_folder_again_without_blocking_or_leaving_it(tmp_path, outside):
    """A second `convex-audit` run looks again at all the first one read (the report cache): the
    links out and the FIFOs must cost the second look no more than they cost the audit."""
    project = tmp_path / "project"
    subprocess.run(["cp", "-r", str(DEMO_APP), str(project)], check=True)
    plant_links(project, outside)
    for relative in ("convex/fifo.ts", "pnpm-lock.yaml", "convex/_generated/api.d.ts"):
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        os.mkfifo(target)
    report = tmp_path / "report.json"
    served: list[str] = []

    def run() -> None:
        cli.main([str(project), "--cache-dir", str(tmp_path / "cache"), "--format", "json", "--fail-on", "never",
                  "-o", str(report)])
        served.append(json.loads(report.read_text(encoding="utf-8"))["stats"]["cache"]["report"])

    with forbid_reading(outside, Path("/etc/passwd")) as seen:
        for _ in range(2):
            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            worker.join(60)
    escaped = [f"read {path}" for path in sorted(set(seen))]
    if served != ["miss", "hit"]:
        escaped.append(f"runs served {served}, not an audit then the stored report")
    if SECRET_MARKER in report.read_text(encoding="utf-8"):
        escaped.append("outside content in the report")
    case("report cache on a hostile folder", escaped)
    assert not escaped, escaped


def test_it_checks_symlinks_out_as_plain_files_in_a_clone(tmp_path, outside, allow_local_repos):
    remote = make_remote(tmp_path, "links")
    plant_links(remote.work, outside)
    remote.commit("Symlinks pointing out")
    with forbid_reading(outside, Path("/etc/passwd")) as seen:
        audit = audit_repository_of(remote.url, tmp_path)
    clone = pipeline.checkout_dir(audit.repository)
    escaped = [f"read {path}" for path in sorted(set(seen))]
    for relative in HOSTILE_LINKS:
        if (clone / relative).is_symlink():
            escaped.append(f"{relative} checked out as a symlink")
    if SECRET_MARKER in report_text(audit) or "root:x:0:0" in report_text(audit):
        escaped.append("outside content in the audit")
    case("clone symlinks", escaped)
    assert not escaped, escaped
    # The link's target is all the file holds; the audit itself goes on.
    assert (clone / "convex/passwd.ts").read_text() == "/etc/passwd"
    assert audit.state in (Audit.State.DONE, Audit.State.FAILED)
    assert audit.state == Audit.State.DONE or audit.failure_reason


# --- submodules ------------------------------------------------------------------------------------


def test_it_never_fetches_submodules_with_file_or_ext_urls(tmp_path, allow_local_repos):
    marker = tmp_path / "ext-ran"
    inner = make_remote(tmp_path, "inner")
    inner.write("convex/inner.ts", f"// {SECRET_MARKER}\n")
    inner_sha = inner.commit("Inner secret")
    remote = make_remote(tmp_path, "outer")
    remote.write(
        ".gitmodules",
        '[submodule "inner"]\n\tpath = inner\n\turl = file://' + str(inner.bare) + "\n"
        '[submodule "evil"]\n\tpath = evil\n\turl = ext::sh -c touch% ' + str(marker) + "\n"
        '[submodule "local"]\n\tpath = convex/local\n\turl = ' + str(inner.bare) + "\n",
    )
    git("add", ".gitmodules", cwd=remote.work)
    for path in ("inner", "evil", "convex/local"):
        git("update-index", "--add", "--cacheinfo", f"160000,{inner_sha},{path}", cwd=remote.work)
    remote.commit("Submodules everywhere")

    audit = audit_repository_of(remote.url, tmp_path)
    clone = pipeline.checkout_dir(audit.repository)
    escaped = []
    if marker.exists():
        escaped.append("ext:: submodule command ran")
    for path in ("inner", "evil", "convex/local"):
        if (clone / path).is_dir() and any((clone / path).iterdir()):
            escaped.append(f"submodule {path} was fetched")
    if SECRET_MARKER in report_text(audit):
        escaped.append("submodule content in the audit")
    case("submodules", escaped)
    assert not escaped, escaped
    assert audit.state == Audit.State.DONE, audit.failure_reason


def test_it_refuses_ext_and_fd_remotes_whatever_the_setting(tmp_path, allow_local_repos):
    marker = tmp_path / "ext-remote-ran"
    escaped = []
    for url in (f"ext::sh -c touch% {marker}", "fd::0", "EXT::sh -c id"):
        try:
            gitops.fetch_checkout(tmp_path / "clone", url, "main", None)
            escaped.append(f"{url} accepted")
        except RemoteError as error:
            if error.kind != RemoteError.FORBIDDEN or "ext::" not in error.message:
                escaped.append(f"{url}: unclear reason {error.kind}: {error.message}")
    if marker.exists():
        escaped.append("ext:: remote command ran")
    case("ext remotes", escaped)
    assert not escaped, escaped


# --- hooks ---------------------------------------------------------------------------------------------


HOOK_NAMES = ("post-checkout", "post-merge", "pre-commit", "post-rewrite", "reference-transaction",
              "pre-auto-gc", "post-index-change", "fsmonitor-watchman")


def write_hooks(folder: Path, marker_dir: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in HOOK_NAMES:
        hook = folder / name
        hook.write_text(f"#!/bin/sh\ntouch {marker_dir}/{name}\n")
        hook.chmod(0o755)


def test_it_never_runs_hooks_from_the_repository_or_its_remote(tmp_path, allow_local_repos):
    markers = tmp_path / "markers"
    markers.mkdir()
    remote = make_remote(tmp_path, "hooks")
    # Hooks committed in the usual places (husky, .githooks), executable.
    write_hooks(remote.work / ".githooks", markers)
    write_hooks(remote.work / ".husky", markers)
    remote.write(".gitattributes", "*.ts filter=evil\n")
    remote.commit("Ship hooks")
    # Hooks in the remote's own repository folder (a local path remote runs upload-pack there).
    write_hooks(remote.bare / "hooks", markers)
    git("config", "core.hooksPath", str(remote.bare / "hooks"), cwd=remote.bare)

    audit = audit_repository_of(remote.url, tmp_path)
    # A clone whose .git/hooks somebody planted before the next fetch: still never run.
    clone = pipeline.checkout_dir(audit.repository)
    write_hooks(clone / ".git" / "hooks", markers)
    remote.write("convex/more.ts", "export const x = 1;\n")
    git("config", "core.hooksPath", os.devnull, cwd=remote.bare)  # this test's own push is no fetch
    remote.commit("Another commit")
    git("config", "core.hooksPath", str(remote.bare / "hooks"), cwd=remote.bare)
    second = Audit.objects.create(repository=audit.repository, trigger=Audit.Trigger.MANUAL, branch="main")
    pipeline.run_audit(second)
    second.refresh_from_db()

    ran = sorted(p.name for p in markers.iterdir())
    escaped = [f"hook {name} ran" for name in ran]
    case("hooks", escaped)
    assert not escaped, escaped
    assert audit.state == second.state == Audit.State.DONE, (audit.failure_reason, second.failure_reason)


def test_it_never_runs_fsmonitor_or_hooks_from_a_git_config_the_engine_finds(tmp_path):
    """The engine asks `git ls-files` in the folder it audits; that folder's .git/config is hostile."""
    markers = tmp_path / "markers"
    markers.mkdir()
    project = tmp_path / "project"
    subprocess.run(["cp", "-r", str(DEMO_APP), str(project)], check=True)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "x", cwd=project)
    write_hooks(project / ".git" / "hooks", markers)
    git("config", "core.fsmonitor", f"touch {markers}/fsmonitor; false", cwd=project)
    git("config", "core.hooksPath", str(project / ".git" / "hooks"), cwd=project)
    report = audit_path(project)
    escaped = [f"{p.name} ran" for p in markers.iterdir()]
    case("engine git config", escaped)
    assert not escaped, escaped
    assert report.to_dict()["findings"] is not None


# --- size limits --------------------------------------------------------------------------------------


def test_it_stops_a_huge_file_at_the_size_limit_with_a_clear_reason(tmp_path, allow_local_repos):
    allow_local_repos.AUDITOR_CLONE_MAX_BYTES = 2 * 1024 * 1024
    remote = make_remote(tmp_path, "huge-file")
    (remote.work / "convex" / "blob.bin").write_bytes(os.urandom(12 * 1024 * 1024))
    remote.commit("A 12 MB file")
    audit = audit_repository_of(remote.url, tmp_path)
    escaped = []
    if audit.state != Audit.State.FAILED or "larger than the 2 MB limit" not in audit.failure_reason:
        escaped.append(f"not stopped: {audit.state} {audit.failure_reason!r}")
    case("huge file", escaped)
    assert not escaped, escaped


def test_it_fetches_only_the_tip_of_a_huge_history_and_stops_it_at_the_limit(tmp_path, allow_local_repos):
    """20 commits of 1 MB each: a shallow fetch takes the tip only; a huge tip still hits the limit."""
    allow_local_repos.AUDITOR_CLONE_MAX_BYTES = 8 * 1024 * 1024
    remote = make_remote(tmp_path, "huge-history")
    for number in range(20):
        (remote.work / "convex" / "history.bin").write_bytes(os.urandom(1024 * 1024))
        git("add", "-A", cwd=remote.work)
        git("commit", "-q", "-m", f"step {number}", cwd=remote.work)
    (remote.work / "convex" / "history.bin").unlink()
    remote.commit("Small tip")
    first = audit_repository_of(remote.url, tmp_path)
    clone = pipeline.checkout_dir(first.repository)
    depth = git("rev-list", "--count", "HEAD", cwd=clone)

    for number in range(12):
        (remote.work / "convex" / f"tip-{number}.bin").write_bytes(os.urandom(1024 * 1024))
    remote.commit("Huge tip")
    second = Audit.objects.create(repository=first.repository, trigger=Audit.Trigger.MANUAL, branch="main")
    pipeline.run_audit(second)
    second.refresh_from_db()

    escaped = []
    if first.state != Audit.State.DONE or depth != "1":
        escaped.append(f"history fetched: state {first.state}, depth {depth}, {first.failure_reason!r}")
    if second.state != Audit.State.FAILED or "larger than the 8 MB limit" not in second.failure_reason:
        escaped.append(f"huge tip not stopped: {second.state} {second.failure_reason!r}")
    case("huge history", escaped)
    assert not escaped, escaped


# --- time limit ----------------------------------------------------------------------------------------


@contextmanager
def silent_server() -> Iterator[str]:
    """An HTTP "git server" on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                held.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hardening-{os.getpid()}/slow.git"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


def test_it_stops_a_clone_that_hangs_at_the_time_limit(tmp_path, allow_local_repos):
    import time

    allow_local_repos.AUDITOR_CLONE_TIMEOUT = 3
    allow_local_repos.AUDITOR_LS_REMOTE_TIMEOUT = 2
    escaped = []
    with silent_server() as url:
        started = time.monotonic()
        audit = audit_repository_of(url, tmp_path)
        elapsed = time.monotonic() - started
        if audit.state != Audit.State.FAILED or "git did not finish within" not in audit.failure_reason:
            escaped.append(f"clone not stopped: {audit.state} {audit.failure_reason!r}")
        if elapsed > 15:
            escaped.append(f"clone took {elapsed:.1f}s")
        try:
            gitops.probe_remote(url, "tok-en")
            escaped.append("ls-remote answered")
        except RemoteError as error:
            if error.kind != RemoteError.TIMEOUT:
                escaped.append(f"ls-remote: {error.kind} {error.message}")
    # No git process is left running after the limit.
    leftovers = subprocess.run(["pgrep", "-f", f"hardening-{os.getpid()}/slow.git"], capture_output=True,
                               text=True).stdout.split()
    if leftovers:
        escaped.append(f"git still running: {leftovers}")
    case("hanging clone", escaped)
    assert not escaped, escaped


# --- addresses of this machine and its networks -------------------------------------------------------


FORBIDDEN_URLS = [
    "https://127.0.0.1/acme/app.git",
    "https://127.1/acme/app.git",
    "https://2130706433/acme/app.git",  # 127.0.0.1 as one number
    "https://0x7f000001/acme/app.git",
    "https://0.0.0.0/acme/app.git",
    "https://localhost/acme/app.git",
    "https://localhost:8443/acme/app.git",
    "https://[::1]/acme/app.git",
    "https://[::ffff:127.0.0.1]/acme/app.git",
    "https://169.254.169.254/latest/meta-data.git",  # cloud metadata
    "https://[fe80::1]/acme/app.git",
    "https://10.0.0.1/acme/app.git",
    "https://172.16.5.4/acme/app.git",
    "https://192.168.1.1/acme/app.git",
    "https://100.64.0.1/acme/app.git",  # carrier-grade NAT
    "https://[fd00::1]/acme/app.git",
    "ssh://git@127.0.0.1/acme/app.git",
    "ssh://git@169.254.169.254:22/acme/app.git",
    "git@10.1.2.3:acme/app.git",
    "git@localhost:acme/app.git",
    "http://127.0.0.1:8000/acme/app.git",
    "http://example.com/acme/app.git",
    "file:///etc/passwd",
    "file:///tmp/remote.git",
    "/etc",
    "./local.git",
    "../../etc.git",
    "~/repo.git",
    "git://127.0.0.1/acme/app.git",
    "ftp://10.0.0.1/acme/app.git",
]


def test_it_refuses_urls_aimed_at_local_link_local_or_private_addresses(tmp_path, settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    settings.AUDITOR_CLONE_DIR = tmp_path / "clones"
    escaped = []
    for url in FORBIDDEN_URLS:
        try:
            gitops.validate_remote_url(url)
            escaped.append(f"{url} accepted by validation")
        except RemoteError as error:
            if error.kind not in (RemoteError.FORBIDDEN, RemoteError.MALFORMED) or not error.message:
                escaped.append(f"{url}: unclear reason {error.kind}: {error.message}")
        # The pipeline validates again right before git runs, whatever was stored.
        audit = audit_repository_of(url, tmp_path)
        if audit.state != Audit.State.FAILED or not audit.failure_reason:
            escaped.append(f"{url}: audit {audit.state} {audit.failure_reason!r}")
        # And git itself refuses a local protocol given past the validation.
        if url.startswith(("file://", "/")):
            try:
                gitops.run_git(["ls-remote", "--", url], url=url, token=None, timeout=10)
                escaped.append(f"{url}: git read it")
            except RemoteError:
                pass
        case(f"url {url}", [])  # counted per URL; escapes below
    TALLY["escapes"] += len(escaped)
    assert not escaped, escaped
    assert not list((tmp_path / "clones").glob("repo-*/.git/objects/pack/*.pack"))
