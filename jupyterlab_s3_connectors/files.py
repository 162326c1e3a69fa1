"""Atomic writes of small files: a temporary file beside the target, fsync, rename.

A reader sees the old file or the new one, never half of one, and a crash leaves at most
a temporary file (named with ``prefix``) that nothing reads.
"""

from __future__ import annotations

import contextlib
import os
import tempfile


def atomic_write(path: str, data: bytes, *, mode: int = 0o600, prefix: str = ".tmp-") -> None:
    """Replace ``path`` with ``data`` (file mode ``mode``); raise OSError, leaving nothing."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp_path = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise
    fsync_directory(directory)


def fsync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable (where the platform allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["atomic_write", "fsync_directory"]
