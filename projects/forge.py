"""Links into a repository's host: a file's line or a commit, derived from the remote URL.

GitHub, GitLab (gitlab.com and self-hosted hosts named gitlab.*) and Bitbucket Cloud each have
their own URL forms. Any other host gets no link: a page shows the location as plain text
rather than a guess that 404s.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class Forge:
    kind: str  # github | gitlab | bitbucket
    base: str  # https://host/owner/name, no .git and no trailing slash

    def file_url(self, sha: str, path: str, line: int | None = None) -> str:
        path = quote(path.lstrip("/"), safe="/")
        if self.kind == "github":
            return f"{self.base}/blob/{sha}/{path}" + (f"#L{line}" if line else "")
        if self.kind == "gitlab":
            return f"{self.base}/-/blob/{sha}/{path}" + (f"#L{line}" if line else "")
        return f"{self.base}/src/{sha}/{path}" + (f"#lines-{line}" if line else "")

    def commit_url(self, sha: str) -> str:
        if self.kind == "gitlab":
            return f"{self.base}/-/commit/{sha}"
        if self.kind == "bitbucket":
            return f"{self.base}/commits/{sha}"
        return f"{self.base}/commit/{sha}"


def web_url(remote: str) -> str | None:
    """A browsable https URL for a remote given over https, ssh or scp-like ssh; None for any
    other scheme (a local path, git://, http://)."""
    url = remote.strip()
    if "://" not in url and "@" in url and ":" in url.split("@", 1)[1]:
        host, path = url.split("@", 1)[1].split(":", 1)  # git@host:owner/name.git
        url = f"https://{host}/{path.lstrip('/')}"
    elif url.startswith("ssh://"):
        parts = urlsplit(url)
        url = f"https://{parts.hostname}{parts.path}"
    elif url.startswith("https://"):
        parts = urlsplit(url)
        url = f"https://{parts.hostname}" + (f":{parts.port}" if parts.port else "") + parts.path
    else:
        return None
    url = url.rstrip("/").removesuffix(".git").rstrip("/")
    return url if urlsplit(url).path.strip("/") else None


def forge_for(remote: str) -> Forge | None:
    base = web_url(remote)
    if base is None:
        return None
    host = (urlsplit(base).hostname or "").lower()
    if host == "github.com" or host.endswith(".github.com"):
        return Forge("github", base)
    if host == "gitlab.com" or host.startswith("gitlab.") or ".gitlab." in host:
        return Forge("gitlab", base)
    if host == "bitbucket.org":
        return Forge("bitbucket", base)
    return None
