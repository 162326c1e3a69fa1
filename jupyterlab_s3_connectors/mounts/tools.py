"""Which mount tools are installed, and whether FUSE can be used by this process."""

from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass, field
from typing import Any

#: The backends that mount the bucket with FUSE (the others are the browser drive's).
MOUNT_BACKENDS = ("s3fs", "rclone")

#: The Debian package of each tool, for messages.
PACKAGES = {"s3fs": "s3fs", "rclone": "rclone", "fusermount3": "fuse3"}


@dataclass(frozen=True)
class MountEnvironment:
    """What this machine offers the mount backends."""

    #: tool name -> absolute path, or None when it is not installed.
    tools: dict[str, str | None] = field(default_factory=dict)
    #: Why FUSE cannot be used here ("" when it can).
    fuse_problem: str = ""

    @property
    def fuse_usable(self) -> bool:
        return not self.fuse_problem

    def backend_problem(self, backend: str) -> str:
        """Why ``backend`` cannot mount here, for people; "" when it can."""
        if backend not in MOUNT_BACKENDS:
            return ""
        if not self.tools.get(backend):
            return (
                f"The {backend} backend needs the '{backend}' command, which is not installed "
                f"on the Jupyter server (Debian/Ubuntu: apt-get install {PACKAGES[backend]})."
            )
        if not self.tools.get("fusermount3"):
            return (
                f"The {backend} backend needs 'fusermount3', which is not installed on the "
                "Jupyter server (Debian/Ubuntu: apt-get install fuse3)."
            )
        if self.fuse_problem:
            return f"The {backend} backend needs FUSE, which this server cannot use: " + (
                self.fuse_problem
            )
        return ""

    def to_api(self) -> dict[str, Any]:
        return {
            "fuse": {"usable": self.fuse_usable, "problem": self.fuse_problem},
            "tools": {name: {"installed": bool(path)} for name, path in self.tools.items()},
            "backends": {
                backend: {
                    "available": not self.backend_problem(backend),
                    "problem": self.backend_problem(backend),
                }
                for backend in MOUNT_BACKENDS
            },
        }


def fuse_problem(device: str = "/dev/fuse") -> str:
    """Why ``device`` cannot be opened for FUSE ("" when it can)."""
    try:
        fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return (
            f"{device} does not exist (in a container, start it with --device /dev/fuse, "
            "and load the fuse kernel module on the host)."
        )
    except PermissionError:
        return f"{device} cannot be opened by this user (permission denied)."
    except OSError as error:
        if error.errno == errno.ENODEV:
            return f"{device} is there but the kernel has no FUSE support."
        return f"{device} cannot be opened ({error.strerror})."
    os.close(fd)
    return ""


def probe_environment(commands: dict[str, str], device: str = "/dev/fuse") -> MountEnvironment:
    """Look the tools up (``commands``: tool name -> command or path) and check FUSE."""
    tools = {name: shutil.which(command) for name, command in commands.items()}
    return MountEnvironment(tools=tools, fuse_problem=fuse_problem(device))
