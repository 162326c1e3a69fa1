"""A mount's state as the API reports it, and the record the supervisor keeps of one
mount: its tool's process and last lines of output, from which the error shown to people is
taken (timestamps and source positions removed, the secret never kept)."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..records import Connector

MOUNTING = "mounting"
MOUNTED = "mounted"
FAILED = "failed"
LOST = "lost"

#: Fields that may change while a connector is mounted (everything else changes the mount).
CHANGEABLE_WHILE_MOUNTED = frozenset({"description"})

#: Lines of a tool's output that read like an error.
_ERROR_WORDS_RE = re.compile(r"error|fail|denied|forbidden|invalid|refused|unable|could not", re.I)
#: The timestamps that start s3fs's and rclone's lines.
_TIMESTAMP_RE = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+Z|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)\s*")
#: s3fs's "[ERR] curl.cpp:CheckBucket(3421): " (the level stays, the source goes).
_SOURCE_RE = re.compile(r"^(\[[A-Z]{3}\])?\s*[\w.]+\.cpp:\w+\(\d+\):\s*")
#: An S3 error document quoted in a line.
_S3_ERROR_RE = re.compile(
    r"<\?xml[^>]*>\s*<Error>\s*<Code>([^<]*)</Code>\s*<Message>([^<]*)</Message>.*?(</Error>|$)"
)
#: Lines that say only that something failed before.
_GENERIC_RE = re.compile(r"Exiting FUSE event loop due to errors|retry to connect by signature")


class MountError(Exception):
    """A mount or unmount refused or failed; ``status`` is the HTTP status to answer.

    ``errors`` maps request fields to messages; ``code`` is a stable key of the reason.
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        errors: Mapping[str, str] | None = None,
        mount: MountStatus | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors = dict(errors or {})
        self.mount = mount


@dataclass
class MountStatus:
    """What the API says about a connector's mount."""

    state: str
    error: str | None
    #: The mount point relative to the server's root directory ('/'-separated), or None
    #: when the mount root is outside it.
    path: str | None
    local_path: str

    def to_api(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "error": self.error,
            "path": self.path,
            "local_path": self.local_path,
        }


@dataclass
class Mount:
    connector: Connector
    local_path: str
    private_dir: str
    state: str = MOUNTING
    error: str | None = None
    process: asyncio.subprocess.Process | None = None
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    #: Strings that must never appear in a stored or logged line (the secret).
    hidden: tuple[str, ...] = field(default=(), repr=False)
    stopping: bool = False
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return self.connector.backend

    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def clean(self, line: str) -> str:
        for secret in self.hidden:
            if secret:
                line = line.replace(secret, "<redacted>")
        return line

    def error_line(self) -> str:
        """The tool's most telling line: its last error (with the S3 error it quotes), else
        its last line; timestamps and source positions removed."""
        lines = [tidy_line(line) for line in self.lines if line.strip()]
        lines = [line for line in lines if line and not _GENERIC_RE.search(line)]
        s3_error = ""
        for line in lines:
            found = _S3_ERROR_RE.search(line)
            if found:
                s3_error = f"{found.group(1)}: {found.group(2)}"
        chosen = ""
        for line in reversed(lines):
            if _ERROR_WORDS_RE.search(line):
                chosen = line
                break
        chosen = chosen or (lines[-1] if lines else "")
        chosen = _S3_ERROR_RE.sub(lambda m: f"{m.group(1)}: {m.group(2)}", chosen)
        if s3_error and s3_error not in chosen:
            chosen = f"{chosen} ({s3_error})" if chosen else s3_error
        return chosen


def tidy_line(line: str) -> str:
    """A tool's log line without its timestamp and source position."""
    line = _TIMESTAMP_RE.sub("", line.strip())
    return _SOURCE_RE.sub(lambda m: m.group(1) + " " if m.group(1) else "", line).strip()
