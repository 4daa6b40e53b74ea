"""Reading a file of the audited tree without leaving it.

A repository is hostile input: `package.json` may be a symbolic link to /etc/passwd, `.gitignore`
a FIFO that blocks every reader. `read_bytes` opens with O_NOFOLLOW (a symlink is refused, not
followed) and O_NONBLOCK, and reads only regular files; anything else raises OSError, which
every caller already treats as "unreadable".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: Path | str) -> bytes:
    descriptor = os.open(path, _FLAGS)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read()


def read_text(path: Path | str, errors: str = "strict") -> str:
    return read_bytes(path).decode("utf-8", errors)


__all__ = ["read_bytes", "read_text"]


def decode_source(data: bytes) -> str:
    """Decode file bytes as UTF-8, never failing: bad bytes become U+FFFD, a leading BOM goes."""
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text
