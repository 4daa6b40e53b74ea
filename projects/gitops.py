"""Talking to git remotes without trusting them.

- Remote URLs are validated before git sees them: https and ssh only, unless
  AUDITOR_ALLOW_LOCAL_REPOS (tests, the demo) also admits file://, local paths, http:// and
  hosts that resolve to loopback/private/link-local addresses. `ext::` (runs a command) never.
- An access token never appears in an argument list, a URL, a file or a message: git gets it
  from a one-line credential helper that reads it from the child's environment, and every
  message that leaves this module is scrubbed of it anyway.
- git runs with the user's and system config ignored, hooks pointed at /dev/null, no submodule
  recursion, symlinks checked out as plain files, and only the allowed protocols; so nothing
  shipped in a repository runs here.
- Every git command has a time limit, and fetch/checkout a size limit on the folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import git
from django.conf import settings

from auditor import net

log = logging.getLogger(__name__)


class RemoteError(Exception):
    """A user-facing problem with a remote; `kind` lets forms and tests tell them apart."""

    MALFORMED = "malformed"
    FORBIDDEN = "forbidden"
    UNREACHABLE = "unreachable"
    AUTH = "auth"
    NOT_FOUND = "not_found"
    BRANCH = "branch"
    EMPTY = "empty"
    NO_CONVEX = "no_convex"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    GIT = "git"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


SCP_LIKE = re.compile(r"^(?:(?P<user>[A-Za-z0-9._~-]+)@)?(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?P<path>.+)$")
BRANCH_RE = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/+-]+(?<!\.lock)(?<![/.])$")
PULL_REQUEST_REF = re.compile(r"refs/pull/[1-9][0-9]*/head")


def allow_local() -> bool:
    return bool(settings.AUDITOR_ALLOW_LOCAL_REPOS)


@dataclass(frozen=True)
class ParsedRemote:
    url: str
    scheme: str  # https, http, ssh, file
    host: str | None  # None for local paths
    port: int | None = None
    # The addresses the host resolved to when it was checked; git is pinned to them.
    addresses: tuple[str, ...] = ()


def parse_remote_url(raw: str) -> ParsedRemote:
    """Classify a remote URL; raises RemoteError(MALFORMED or FORBIDDEN). No network access."""
    url = (raw or "").strip()
    local_hint = "only allowed when AUDITOR_ALLOW_LOCAL_REPOS is on"
    if not url:
        raise RemoteError(RemoteError.MALFORMED, "Enter the repository's URL.")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*::", url):
        # ext:: runs an arbitrary command, fd:: reads a descriptor: never, whatever the setting.
        raise RemoteError(RemoteError.FORBIDDEN, "Remote helpers such as ext:: are not accepted.")
    if len(url) > 500 or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise RemoteError(RemoteError.MALFORMED, "The URL contains spaces or control characters.")
    if url.startswith("-"):
        raise RemoteError(RemoteError.MALFORMED, "The URL cannot start with a dash.")

    if "://" in url:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            if not allow_local():
                raise RemoteError(RemoteError.FORBIDDEN, f"file:// remotes are {local_hint}.")
            if not parts.path:
                raise RemoteError(RemoteError.MALFORMED, "The file:// URL has no path.")
            return ParsedRemote(url, "file", None)
        if scheme not in ("https", "http", "ssh"):
            raise RemoteError(RemoteError.FORBIDDEN, f"{scheme}:// is not accepted; use an https:// or ssh remote.")
        if scheme == "http" and not allow_local():
            raise RemoteError(RemoteError.FORBIDDEN, "Plain http:// is not accepted; use https://.")
        try:
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise RemoteError(RemoteError.MALFORMED, "The URL's port is not a number.") from None
        if not host:
            raise RemoteError(RemoteError.MALFORMED, "The URL has no host name.")
        if host.startswith("-") or (parts.username or "").startswith("-"):
            # ssh would read it as an option (-oProxyCommand=...).
            raise RemoteError(RemoteError.MALFORMED, "The host name cannot start with a dash.")
        if scheme in ("https", "http") and (parts.username or parts.password):
            raise RemoteError(
                RemoteError.MALFORMED,
                "Don't put credentials in the URL; paste the token in the access token field.",
            )
        if parts.query or parts.fragment:
            raise RemoteError(RemoteError.MALFORMED, "The URL cannot have a query string or fragment.")
        if parts.path.strip("/") == "":
            raise RemoteError(RemoteError.MALFORMED, "The URL has no repository path (e.g. /owner/repo.git).")
        clone_url = web_page_clone_url(host.lower(), parts.path)
        if clone_url is not None:
            raise RemoteError(
                RemoteError.MALFORMED,
                f"This is a web page address, not the repository's clone URL. The clone URL is {clone_url}",
            )
        return ParsedRemote(url, scheme, host.lower(), parts.port)

    if url.startswith(("/", "./", "../", "~")) or re.match(r"^[A-Za-z]:[\\/]", url):
        if not allow_local():
            raise RemoteError(RemoteError.FORBIDDEN, f"Local paths are {local_hint}.")
        return ParsedRemote(url, "file", None)

    match = SCP_LIKE.match(url)
    if match and "/" not in url.split(":", 1)[0]:
        host = match.group("host").strip("[]").lower()
        if host.startswith("-") or (match.group("user") or "").startswith("-"):
            raise RemoteError(RemoteError.MALFORMED, "The host name cannot start with a dash.")
        if not match.group("path").strip("/"):
            raise RemoteError(RemoteError.MALFORMED, "The URL has no repository path (e.g. owner/repo.git).")
        return ParsedRemote(url, "ssh", host)

    raise RemoteError(
        RemoteError.MALFORMED,
        "Not a repository URL. Use https://host/owner/repo.git or git@host:owner/repo.git.",
    )


# What follows owner/repo in the address of a forge's web page (a tree, a file, a commit...).
WEB_PAGE_PARTS = frozenset({
    "tree", "blob", "commit", "commits", "pull", "pulls", "issues", "actions", "releases", "tags", "branches",
    "compare", "wiki", "settings", "merge_requests", "src", "raw", "blame", "-",
})
FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")


def web_page_clone_url(host: str, path: str) -> str | None:
    """For the address of a page on a known forge (…/owner/repo/tree/main), the repository's
    clone URL; None for anything that may be a clone URL."""
    if host not in FORGES and not host.startswith(("github.", "gitlab.")):
        return None
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) < 3:
        return None
    # GitLab nests groups: the page part is the first known word after owner/repo.
    for index in range(2, len(segments)):
        if segments[index] in WEB_PAGE_PARTS:
            repository = "/".join(segments[:index]).removesuffix(".git")
            return f"https://{host}/{repository}.git"
    return None


def check_host(host: str) -> tuple[str, ...]:
    """Refuse hosts that resolve to this machine's networks (auditor.net's policy);
    RemoteError(UNREACHABLE) if unknown.

    Returns the addresses checked, so git can be held to them (no DNS rebinding in between).
    """
    if allow_local():
        return ()
    try:
        return net.checked_addresses(host, allow_private=False)
    except net.OutboundError as error:
        raise RemoteError(error.kind, error.message) from None


def validate_remote_url(raw: str) -> ParsedRemote:
    parsed = parse_remote_url(raw)
    if parsed.host is not None:
        parsed = dataclasses.replace(parsed, addresses=check_host(parsed.host))
    return parsed


def pin_args(remote: ParsedRemote) -> list[str]:
    """`-c http.curloptResolve=...`: https connects only to the addresses that were checked."""
    if remote.scheme != "https" or not remote.addresses or remote.host is None:
        return []
    addresses = ",".join(f"[{a}]" if ":" in a else a for a in remote.addresses)
    return ["-c", f"http.curloptResolve={remote.host}:{remote.port or 443}:{addresses}"]


def validate_branch(branch: str) -> str:
    branch = branch.strip().removeprefix("refs/heads/")
    if not BRANCH_RE.match(branch) or len(branch) > 255:
        raise RemoteError(RemoteError.MALFORMED, f"{branch!r} is not a valid branch name.")
    return branch


def validate_convex_dir(value: str) -> str:
    value = value.strip().strip("/")
    if not value:
        return ""
    parts = value.split("/")
    if value.startswith(("~", "\\")) or any(p in ("", ".", "..") for p in parts) or "\\" in value:
        raise RemoteError(RemoteError.MALFORMED, "The Convex folder must be a relative path inside the repository.")
    return value


# --- running git ------------------------------------------------------------------------------


def _token_username(url: str) -> str:
    host = (urlsplit(url).hostname or "") if "://" in url else ""
    if "gitlab" in host:
        return "oauth2"
    if "bitbucket" in host:
        return "x-token-auth"
    return "x-access-token"  # GitHub; most other forges ignore the name for token auth


SSH_COMMAND = "ssh -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new"


def ssh_command(remote: ParsedRemote) -> str:
    """ssh held to the address that was checked (as https is by pin_args): it connects to that
    address and checks the host key under the host's name."""
    if remote.scheme != "ssh" or not remote.addresses or remote.host is None:
        return SSH_COMMAND
    # git runs this through a shell: both values are quoted.
    address, alias = shlex.quote(f"HostName={remote.addresses[0]}"), shlex.quote(f"HostKeyAlias={remote.host}")
    return f"{SSH_COMMAND} -o {address} -o {alias}"


def git_environment(url: str, token: str | None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(Path(tempfile.gettempdir())),
        "LC_ALL": "C",
        "LANG": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_SSH_COMMAND": SSH_COMMAND,
        "GIT_LFS_SKIP_SMUDGE": "1",
    }
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        if name in os.environ:
            env[name] = os.environ[name]
    if token:
        env.update(
            {
                "AUDITOR_GIT_USERNAME": _token_username(url),
                "AUDITOR_GIT_TOKEN": token,
                "GIT_CONFIG_COUNT": "2",
                "GIT_CONFIG_KEY_0": "credential.helper",
                "GIT_CONFIG_VALUE_0": "",
                "GIT_CONFIG_KEY_1": "credential.helper",
                "GIT_CONFIG_VALUE_1": '!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" '
                '"$AUDITOR_GIT_USERNAME" "$AUDITOR_GIT_TOKEN"; }; f',
            }
        )
    return env


def git_config_args() -> list[str]:
    local = "always" if allow_local() else "never"
    options = {
        "core.hooksPath": os.devnull,
        "core.symlinks": "false",
        "core.fsmonitor": "false",
        "submodule.recurse": "false",
        "fetch.recurseSubmodules": "false",
        "protocol.allow": "never",
        "protocol.https.allow": "always",
        "protocol.ssh.allow": "always",
        "protocol.file.allow": local,
        "protocol.http.allow": local,
        "protocol.ext.allow": "never",
        "http.lowSpeedLimit": "1000",
        "http.lowSpeedTime": "30",
        "advice.detachedHead": "false",
        "init.defaultBranch": "main",
        "gc.auto": "0",
    }
    args: list[str] = []
    for key, value in options.items():
        args += ["-c", f"{key}={value}"]
    return args


def scrub(text: str, secrets: list[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    # Credentials some other layer may have put into a URL.
    text = re.sub(r"(://)[^/@\s]+@", r"\1***@", text)
    return text


def _folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def run_git(
    args: list[str],
    *,
    url: str,
    token: str | None,
    cwd: Path | None = None,
    timeout: float,
    watch: Path | None = None,
    max_bytes: int | None = None,
    remote: ParsedRemote | None = None,
) -> str:
    """Run git; return stdout. Raises RemoteError (classified, scrubbed) on failure or limits."""
    pins = pin_args(remote) if remote is not None else []
    command = [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *git_config_args(), *pins, *args]
    env = git_environment(url, token)
    if remote is not None:
        env["GIT_SSH_COMMAND"] = ssh_command(remote)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        next_size_check = 0.0
        try:
            while process.poll() is None:
                now = time.monotonic()
                if now > deadline:
                    raise RemoteError(RemoteError.TIMEOUT, f"git did not finish within {int(timeout)} seconds.")
                if watch is not None and max_bytes is not None and now >= next_size_check:
                    next_size_check = now + 0.5
                    if _folder_size(watch) > max_bytes:
                        raise RemoteError(
                            RemoteError.TOO_LARGE,
                            f"The repository is larger than the {max_bytes // (1024 * 1024)} MB limit.",
                        )
                time.sleep(0.05)
        finally:
            # Also reached on Celery's soft time limit: never leave git running.
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise classify_failure(scrub(stderr, [token]), url, token)
    return stdout


def remote_host(url: str) -> str:
    """The host a remote URL names, for messages ("the repository" for local paths)."""
    if "://" in url:
        return urlsplit(url).hostname or "the host"
    match = SCP_LIKE.match(url)
    if match and "/" not in url.split(":", 1)[0]:
        return match.group("host").strip("[]")
    return "the repository"


def classify_failure(stderr: str, url: str, token: str | None) -> RemoteError:
    """A clear sentence for what git said; git's own words go to the log, never to the user
    (they are several lines, the last of which alone reads as nonsense)."""
    text = stderr.lower()
    host = remote_host(url)
    ssh = not url.startswith(("https://", "http://", "file://", "/", ".", "~")) or url.startswith("ssh://")
    log.info("git failed for %s: %s", host, scrub(stderr, [token])[-2000:])
    if "couldn't find remote ref" in text:
        return RemoteError(RemoteError.BRANCH, "The branch does not exist on the remote.")
    if any(s in text for s in ("could not resolve host", "could not resolve hostname", "name or service not known",
                               "temporary failure in name resolution", "nodename nor servname")):
        return RemoteError(RemoteError.UNREACHABLE, f"Could not reach the host {host}: its name does not resolve. "
                           "Check the spelling of the host in the URL.")
    if any(s in text for s in ("connection refused", "failed to connect", "couldn't connect", "no route to host",
                               "network is unreachable")):
        return RemoteError(RemoteError.UNREACHABLE, f"Could not reach the host {host}: the connection was refused "
                           "or no route leads there. Check the host and port in the URL.")
    if any(s in text for s in ("connection timed out", "operation timed out", "timed out")):
        return RemoteError(RemoteError.UNREACHABLE, f"Could not reach the host {host}: the connection timed out.")
    if ssh and any(s in text for s in ("permission denied (publickey", "host key verification failed",
                                       "could not read from remote repository")):
        return RemoteError(
            RemoteError.AUTH,
            f"{host} refused the SSH connection: Convex Auditor has no SSH key for your repository. "
            "Use the https:// clone URL instead, with an access token if the repository is private.",
        )
    if any(
        s in text
        for s in (
            "authentication failed",
            "could not read username",
            "could not read password",
            "terminal prompts disabled",
            "access denied",
            "returned error: 401",
            "returned error: 403",
            "invalid username or password",
        )
    ):
        hint = (
            "Check the access token: it needs read access to the repository."
            if token
            else ("The repository may be private: add an access token with read access.")
        )
        return RemoteError(RemoteError.AUTH, f"Authentication failed. {hint}")
    if any(
        s in text for s in ("repository not found", "not found", "does not appear to be a git repository", "error: 404")
    ):
        return RemoteError(
            RemoteError.NOT_FOUND,
            "Repository not found. Check the URL, or add a token if the repository is private.",
        )
    if "ssl" in text or "certificate" in text:
        return RemoteError(RemoteError.UNREACHABLE, f"The secure connection to {host} failed (its certificate "
                           "could not be verified).")
    return RemoteError(
        RemoteError.GIT,
        f"git could not read the repository at {host}. Check that the URL is the repository's clone URL; "
        "the details were logged for the operators.",
    )


# --- operations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteInfo:
    default_branch: str | None
    branch: str
    sha: str


def probe_remote(url: str, token: str | None, branch: str | None = None) -> RemoteInfo:
    """`git ls-remote`: is it reachable, may we read it, which branch, does it exist."""
    remote = validate_remote_url(url)
    wanted = validate_branch(branch) if branch else None
    refs = ["HEAD"] + ([f"refs/heads/{wanted}"] if wanted else [])
    output = run_git(
        ["ls-remote", "--symref", "--", url, *refs],
        url=url,
        token=token,
        timeout=settings.AUDITOR_LS_REMOTE_TIMEOUT,
        remote=remote,
    )
    default_branch = None
    heads: dict[str, str] = {}
    for line in output.splitlines():
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            default_branch = line[5:].split("\t", 1)[0].removeprefix("refs/heads/")
        elif "\t" in line:
            sha, ref = line.split("\t", 1)
            heads[ref] = sha
    if wanted is None:
        if default_branch is None or (f"refs/heads/{default_branch}" not in heads and "HEAD" not in heads):
            raise RemoteError(RemoteError.EMPTY, "The repository is empty: it has no default branch yet.")
        return RemoteInfo(default_branch, default_branch, heads.get("HEAD", ""))
    if f"refs/heads/{wanted}" not in heads:
        raise RemoteError(RemoteError.BRANCH, f"The branch {wanted!r} does not exist on the remote.")
    return RemoteInfo(default_branch, wanted, heads[f"refs/heads/{wanted}"])


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    message: str
    committed_at: datetime


def _is_git_checkout(path: Path) -> bool:
    try:
        git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    return True


def fetch_checkout(
    workdir: Path, url: str, branch: str, token: str | None, sha: str | None = None, ref: str | None = None
) -> CommitInfo:
    """Bring `workdir` to the head of `branch` (or `sha`): a shallow fetch into a cached clone.

    `ref` (refs/pull/<n>/head, a pull request's head kept by GitHub in the base repository) is
    fetched instead of the branch when the commit cannot be fetched by `sha`.

    The remote is never written to the clone's config: each fetch names the URL, so a
    changed URL or token just works and nothing about the remote rests on disk.
    """
    remote = validate_remote_url(url)
    branch = validate_branch(branch)
    if ref is not None and not PULL_REQUEST_REF.fullmatch(ref):
        raise RemoteError(RemoteError.BRANCH, f"{ref!r} is not a pull request's head ref.")
    deadline = time.monotonic() + settings.AUDITOR_CLONE_TIMEOUT
    fresh = not _is_git_checkout(workdir)
    try:
        return _fetch_checkout(workdir, remote, branch, token, sha, deadline, fresh, ref)
    except RemoteError as error:
        # Shallow fetches leave old objects behind; a cache that outgrew the limit starts over once.
        if error.kind != RemoteError.TOO_LARGE or fresh:
            raise
        return _fetch_checkout(workdir, remote, branch, token, sha, deadline, fresh=True, ref=ref)


def _fetch_checkout(
    workdir: Path,
    remote: ParsedRemote,
    branch: str,
    token: str | None,
    sha: str | None,
    deadline: float,
    fresh: bool,
    ref: str | None = None,
) -> CommitInfo:
    url = remote.url
    limit = settings.AUDITOR_CLONE_MAX_BYTES

    def git_limited(args: list[str], with_token: bool = True) -> str:
        too_slow = RemoteError(
            RemoteError.TIMEOUT,
            f"git did not finish within the time limit ({settings.AUDITOR_CLONE_TIMEOUT} s) while fetching.",
        )
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            raise too_slow
        try:
            return run_git(
                args,
                url=url,
                token=token if with_token else None,
                cwd=workdir,
                timeout=timeout,
                watch=workdir,
                max_bytes=limit,
                remote=remote,
            )
        except RemoteError as error:
            if error.kind == RemoteError.TIMEOUT:
                raise too_slow from None
            raise

    if fresh:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True, exist_ok=True)
        run_git(["init", "-q", str(workdir)], url=url, token=None, timeout=30)

    common = ["fetch", "--depth=1", "--no-tags", "--no-recurse-submodules", "--quiet", "--", url]
    fetched = False
    if sha:
        # A push names its commit; servers that refuse fetching by id get the branch head instead.
        try:
            git_limited([*common, sha])
            fetched = True
        except RemoteError as error:
            if error.kind in (RemoteError.TIMEOUT, RemoteError.TOO_LARGE):
                raise
    if not fetched and ref is not None:
        try:
            git_limited([*common, ref])
        except RemoteError as error:
            if error.kind == RemoteError.BRANCH:
                missing = f"The pull request's head ({ref}) is not on the remote."
                raise RemoteError(RemoteError.BRANCH, missing) from None
            raise
    elif not fetched:
        try:
            git_limited([*common, f"+refs/heads/{branch}:refs/remotes/origin/{branch}"])
        except RemoteError as error:
            if error.kind == RemoteError.BRANCH:
                raise RemoteError(RemoteError.BRANCH, f"The branch {branch!r} does not exist on the remote.") from None
            raise
    # Writing out the fetched files (a fork's, say) needs no access: git has no token from here on.
    git_limited(["checkout", "-q", "-f", "--detach", "FETCH_HEAD"], with_token=False)
    git_limited(["clean", "-q", "-ffdx"], with_token=False)
    commit = git.Repo(workdir).head.commit
    return CommitInfo(
        sha=commit.hexsha,
        author=f"{commit.author.name} <{commit.author.email}>"[:255],
        message=commit.message.strip(),
        committed_at=commit.committed_datetime,
    )


def check_convex_folder(url: str, token: str | None, branch: str, convex_dir: str = "") -> list[str]:
    """Look for the Convex folder in the branch's tree (trees only, no file contents).

    With no folder given and none at the root, the Convex folders found below it (a monorepo's
    ``packages/backend/convex``): what the connect form suggests. None anywhere: NO_CONVEX.
    """
    from auditor.engine.discovery import convex_dirs_in_listing

    remote = validate_remote_url(url)
    below: list[str] = []
    with tempfile.TemporaryDirectory(prefix="auditor-probe-") as tmp:
        workdir = Path(tmp)
        run_git(["init", "-q", str(workdir)], url=url, token=None, timeout=30)
        run_git(
            [
                "fetch",
                "--depth=1",
                "--filter=blob:none",
                "--no-tags",
                "--quiet",
                "--",
                url,
                f"+refs/heads/{validate_branch(branch)}:refs/probe",
            ],
            url=url,
            token=token,
            cwd=workdir,
            timeout=settings.AUDITOR_LS_REMOTE_TIMEOUT,
            watch=workdir,
            max_bytes=settings.AUDITOR_CLONE_MAX_BYTES,
            remote=remote,
        )
        listing = run_git(
            ["ls-tree", "--name-only", "refs/probe"] + ([f"{convex_dir}/"] if convex_dir else []),
            url=url,
            token=None,
            cwd=workdir,
            timeout=30,
        )
        names = set(listing.split())
        if not convex_dir and "convex" not in names and "convex.json" not in names:
            # Names only: a blobless clone has no package.json to read, so the engine's own
            # discovery confirms the folder at the first audit.
            tree = run_git(["ls-tree", "-r", "-t", "--name-only", "-z", "refs/probe"], url=url, token=None,
                           cwd=workdir, timeout=30)
            below = convex_dirs_in_listing(tree.split("\0"))
    if convex_dir:
        if not names:
            raise RemoteError(RemoteError.NO_CONVEX, f"No Convex folder: {convex_dir}/ does not exist on {branch}.")
    elif "convex" not in names and "convex.json" not in names and not below:
        raise RemoteError(
            RemoteError.NO_CONVEX,
            f"No Convex folder: {branch} has no convex/ folder or convex.json at its root, nor a convex/ "
            "folder beside a package.json below it. If the Convex functions live elsewhere, set the Convex folder.",
        )
    return below
