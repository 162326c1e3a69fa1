"""The contents manager's side of read-only mounts: saves below them are refused (403)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tornado.web import HTTPError

from .supervisor import MountSupervisor


def read_only_mount_hook(mounts: MountSupervisor) -> Callable[..., None]:
    """A pre-save hook refusing saves below the mount of a read-only connector, with a
    message that says so (the OS would refuse them too, as a less telling 500)."""

    def refuse_read_only_mount(model: Any, path: str, contents_manager: Any, **_: Any) -> None:
        root = getattr(contents_manager, "root_dir", None)
        if not root:
            return
        local = os.path.join(os.path.abspath(root), path.strip("/"))
        connector = mounts.read_only_mount_of(local)
        if connector is not None:
            raise HTTPError(
                403,
                f"Connector '{connector.name}' is read-only: '{path}' cannot be saved in its "
                "bucket. Save it elsewhere, or make the connector read-write (deactivate, "
                "edit, activate).",
            )

    return refuse_read_only_mount
