"""The contents manager's side of read-only mounts: saves, deletes and renames below them
are refused with a 403 that says why (the OS would refuse them too, as a less telling 500)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from tornado.web import HTTPError

from .supervisor import MountSupervisor


def _refuse(mounts: MountSupervisor, contents_manager: Any, path: str, what: str) -> None:
    """Raise a 403 when ``path`` is below the mount of a read-only connector."""
    root = getattr(contents_manager, "root_dir", None)
    if not root or not isinstance(path, str):
        return
    local = os.path.join(os.path.abspath(root), path.strip("/"))
    connector = mounts.read_only_mount_of(local)
    if connector is not None:
        raise HTTPError(
            403,
            f"Connector '{connector.name}' is read-only: '{path}' cannot be {what} in its "
            "bucket. Make the connector read-write (deactivate, edit, activate) to change "
            "its objects.",
        )


def read_only_mount_hook(mounts: MountSupervisor) -> Callable[..., None]:
    """A pre-save hook refusing saves below the mount of a read-only connector."""

    def refuse_read_only_mount(model: Any, path: str, contents_manager: Any, **_: Any) -> None:
        _refuse(mounts, contents_manager, path, "saved (save it elsewhere)")

    return refuse_read_only_mount


def guard_read_only_mounts(mounts: MountSupervisor, contents_manager: Any) -> None:
    """Refuse deletes and renames below read-only mounts, as the pre-save hook refuses saves.

    The contents manager has hooks before saves only, so its ``delete_file`` and
    ``rename_file`` (which ``delete`` and ``rename`` call, synchronous or not) are wrapped on
    this instance: the check runs first, then the method as it was.
    """
    for name, paths, what in (
        ("delete_file", ("path",), "deleted"),
        ("rename_file", ("old_path", "new_path"), "renamed or moved"),
    ):
        method = getattr(contents_manager, name, None)
        if method is not None and not getattr(method, "_s3_connectors_guarded", False):
            setattr(contents_manager, name, _guarded(method, paths, what, mounts, contents_manager))


def _guarded(
    method: Callable[..., Any],
    paths: tuple[str, ...],
    what: str,
    mounts: MountSupervisor,
    contents_manager: Any,
) -> Callable[..., Any]:
    """``method`` after the check of its path arguments (named ``paths``)."""

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        given = list(args[: len(paths)]) + [kwargs[p] for p in paths[len(args) :] if p in kwargs]
        for path in given:
            _refuse(mounts, contents_manager, path, what)
        return method(*args, **kwargs)

    guarded._s3_connectors_guarded = True  # type: ignore[attr-defined]
    return guarded
