"""FUSE mount backends: a connector's bucket as a folder under the server's root directory.

- :mod:`.tools` finds the mount tools and checks that FUSE can be used here;
- :mod:`.commands` builds each tool's command line and environment (pure, no secret on a
  command line);
- :mod:`.mountinfo` reads the kernel's table of mounts without touching a FUSE file system;
- :mod:`.state` holds a mount's state and the tool's output its errors are taken from;
- :mod:`.supervisor` runs the tools as supervised child processes and keeps their state;
- :mod:`.hooks` makes the contents manager refuse saves below read-only mounts.
"""

from __future__ import annotations

from .supervisor import MountError, MountStatus, MountSupervisor
from .tools import MOUNT_BACKENDS, MountEnvironment, probe_environment

__all__ = [
    "MOUNT_BACKENDS",
    "MountEnvironment",
    "MountError",
    "MountStatus",
    "MountSupervisor",
    "probe_environment",
]
