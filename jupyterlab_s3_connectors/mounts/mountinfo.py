"""The mount points of this process's mount namespace, from ``/proc/self/mountinfo``.

Reading the table never touches a mounted file system: ``stat`` on a FUSE mount whose
process is busy or gone can block or fail (``Transport endpoint is not connected``).
"""

from __future__ import annotations

import os
import re

_ESCAPE_RE = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    # The kernel writes space, tab, newline and backslash as \ooo octal escapes.
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 8)), field)


def mount_points(table: str = "/proc/self/mountinfo") -> dict[str, str]:
    """Mount point -> file system type (e.g. ``fuse.s3fs``, ``fuse.rclone``)."""
    points: dict[str, str] = {}
    try:
        with open(table, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return points
    for line in lines:
        fields = line.split(" ")
        try:
            separator = fields.index("-")
        except ValueError:
            continue
        if len(fields) > separator + 1 and len(fields) > 4:
            points[_unescape(fields[4])] = fields[separator + 1]
    return points


def is_mount_point(path: str) -> bool:
    return os.path.abspath(path) in mount_points()


def mounts_below(root: str) -> list[str]:
    """Mount points strictly inside ``root``, deepest first."""
    root = os.path.abspath(root)
    found = [p for p in mount_points() if p.startswith(root + os.sep)]
    return sorted(found, key=len, reverse=True)
