"""Supervised FUSE mounts: one child process per mounted connector.

The tool runs in the foreground (``s3fs -f``, ``rclone mount`` without ``--daemon``) as a
child of the server, so the server knows at once when it dies. A mount's state is one of:

- ``mounting``: the tool was started, the mount point is not up yet;
- ``mounted``: the mount point is up and the tool is running;
- ``failed``: the tool could not mount (``error`` is its own last error line, secret-free);
- ``lost``: the tool died after mounting (``error`` says how); **Remount** mounts again.

Everything that waits (the tool, ``fusermount3``) is awaited on the event loop or run in a
thread, never blocking it. Mount points live in ``<mount root>/<connector name>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import StoreError
from ..records import Connector, Credentials
from .commands import BUILDERS, MountCommand
from .mountinfo import is_mount_point, mounts_below
from .state import (
    CHANGEABLE_WHILE_MOUNTED,
    FAILED,
    LOST,
    MOUNTED,
    Mount,
    MountError,
    MountStatus,
)
from .tools import MOUNT_BACKENDS, MountEnvironment

log = logging.getLogger(__name__)

__all__ = ["MountError", "MountStatus", "MountSupervisor"]

#: prctl's option: a signal for the child when its parent dies.
_PR_SET_PDEATHSIG = 1

#: What a busy mount point makes fusermount say.
_BUSY_RE = re.compile(r"busy", re.I)


class MountSupervisor:
    """Mounts and unmounts connectors, and watches their tools."""

    def __init__(
        self,
        mount_root: str,
        root_dir: str,
        runtime_dir: str,
        probe: Callable[[], MountEnvironment],
        commands: Mapping[str, str],
        mount_timeout: float = 30.0,
        unmount_timeout: float = 10.0,
    ) -> None:
        self.mount_root = os.path.abspath(mount_root)
        self.root_dir = os.path.abspath(root_dir)
        self.runtime_dir = os.path.abspath(runtime_dir)
        self._probe = probe
        self._commands = dict(commands)
        self.mount_timeout = mount_timeout
        self.unmount_timeout = unmount_timeout
        self._mounts: dict[str, Mount] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    # -- queries ------------------------------------------------------------------------

    def environment(self) -> MountEnvironment:
        return self._probe()

    def info(self) -> dict[str, Any]:
        return {"mount_root": self.relative(self.mount_root), **self.environment().to_api()}

    def relative(self, local_path: str) -> str | None:
        """``local_path`` as a contents-API path, or None outside the root directory."""
        rel = os.path.relpath(local_path, self.root_dir)
        if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            return None
        return "" if rel == os.curdir else rel.replace(os.sep, "/")

    def mount_point(self, connector: Connector) -> str:
        return os.path.join(self.mount_root, connector.name)

    def status(self, connector: Connector) -> MountStatus | None:
        """The mount state of a connector with a mount backend (None for the others)."""
        if connector.backend not in MOUNT_BACKENDS:
            return None
        mount = self._mounts.get(connector.id)
        if mount is None:
            local = self.mount_point(connector)
            return MountStatus("unmounted", None, self.relative(local), local)
        # A failed mount was never up: it would be where the connector's name says now.
        local = self.mount_point(connector) if mount.state == FAILED else mount.local_path
        return MountStatus(mount.state, mount.error, self.relative(local), local)

    def read_only_mount_of(self, local_path: str) -> Connector | None:
        """The read-only connector mounted at or above ``local_path``, if any."""
        local_path = os.path.abspath(local_path)
        for mount in self._mounts.values():
            inside = local_path == mount.local_path or local_path.startswith(
                mount.local_path + os.sep
            )
            if inside and mount.connector.mode == "read-only" and mount.state == MOUNTED:
                return mount.connector
        return None

    def check_change(
        self, connector: Connector, changes: Mapping[str, Any], new_secret: bool
    ) -> None:
        """Refuse (409) an edit that would change the mount of an active connector."""
        becomes_mount = changes.get("backend", connector.backend) in MOUNT_BACKENDS
        if not connector.active or not (connector.backend in MOUNT_BACKENDS or becomes_mount):
            return
        changed = sorted(
            name
            for name, value in changes.items()
            if name not in CHANGEABLE_WHILE_MOUNTED and getattr(connector, name) != value
        )
        if new_secret:
            changed.append("secret_access_key")
        if not changed:
            return
        if connector.backend in MOUNT_BACKENDS:
            reason = (
                f"Connector '{connector.name}' is mounted at {self._shown(connector)}: "
                "deactivate it before changing "
            )
        else:
            reason = f"Connector '{connector.name}' is active: deactivate it before changing "
        message = reason + ", ".join(changed) + "."
        raise MountError(
            409,
            message,
            "mount.active",
            errors={name: "Deactivate the connector to change this." for name in changed},
        )

    # -- mounting -----------------------------------------------------------------------

    async def mount(self, connector: Connector, credentials: Credentials) -> MountStatus:
        """Mount ``connector`` (idempotent while it is mounted); raise :class:`MountError`
        when it cannot be mounted, with the tool's own error line when the tool failed."""
        async with self._lock(connector.id):
            return await self._mount(connector, credentials)

    async def unmount(self, connector: Connector, force: bool = False) -> None:
        """Unmount; a busy mount point is a 409 unless ``force`` (a lazy unmount)."""
        async with self._lock(connector.id):
            await self._unmount(connector, force)

    async def remount(self, connector: Connector, credentials: Credentials) -> MountStatus:
        """Mount again after a loss or a failure (a lazy unmount first if needed)."""
        async with self._lock(connector.id):
            await self._unmount(connector, force=True)
            return await self._mount(connector, credentials)

    async def start(
        self, connectors: Iterable[Connector], credentials: Callable[[Connector], Credentials]
    ) -> None:
        """At server start: clear what a previous server left under the mount root, then
        mount every active connector with a mount backend (failures are kept as state)."""
        for point in mounts_below(self.mount_root):
            log.info("Clearing the mount point %s left by a previous server", point)
            await self._fusermount(point, lazy=True)
        for connector in connectors:
            if not connector.active or connector.backend not in MOUNT_BACKENDS:
                continue
            try:
                creds = await asyncio.to_thread(credentials, connector)
                await self.mount(connector, creds)
                log.info("Mounted S3 connector '%s' at %s", connector.name, self._shown(connector))
            except MountError as error:
                log.error("S3 connector '%s' was not mounted: %s", connector.name, error.message)
                self._mounts.setdefault(
                    connector.id,
                    Mount(connector, self.mount_point(connector), "", FAILED, error.message),
                )
            except StoreError as error:  # its secret cannot be read: it stays unmounted
                log.error("S3 connector '%s' was not mounted: %s", connector.name, error.message)

    async def shutdown(self) -> None:
        """At server stop: unmount everything (lazily: nothing may keep the server up)."""
        for mount in list(self._mounts.values()):
            with contextlib.suppress(MountError):
                await self.unmount(mount.connector, force=True)

    # -- internals ----------------------------------------------------------------------

    def _lock(self, connector_id: str) -> asyncio.Lock:
        return self._locks.setdefault(connector_id, asyncio.Lock())

    def _shown(self, connector: Connector) -> str:
        rel = self.relative(self.mount_point(connector))
        return rel if rel is not None else self.mount_point(connector)

    def _check_environment(self, connector: Connector) -> MountEnvironment:
        environment = self.environment()
        problem = environment.backend_problem(connector.backend)
        if problem:
            code = "backend.fuse" if environment.fuse_problem else "backend.unavailable"
            raise MountError(400, problem, code, errors={"backend": problem})
        return environment

    async def _mount(self, connector: Connector, credentials: Credentials) -> MountStatus:
        current = self._mounts.get(connector.id)
        if current and current.state == MOUNTED and current.running():
            if current.connector.name == connector.name:
                status = self.status(connector)
                assert status is not None
                return status
        environment = self._check_environment(connector)
        local_path = self.mount_point(connector)
        await self._prepare_mount_point(connector, local_path)
        private_dir = os.path.join(self.runtime_dir, connector.id)
        await asyncio.to_thread(_private_dir, private_dir)
        tool = environment.tools[connector.backend]
        assert tool is not None
        command = BUILDERS[connector.backend](tool, connector, credentials, local_path, private_dir)
        mount = Mount(
            connector,
            local_path,
            private_dir,
            hidden=(credentials.secret_access_key,),
        )
        self._mounts[connector.id] = mount
        try:
            await self._start(mount, command)
        finally:
            for path in command.secret_files:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        if mount.state != MOUNTED:
            await self._cleanup_failed(mount)
            status = self.status(connector)
            raise MountError(
                400,
                f"Connector '{connector.name}' could not be mounted at {self._shown(connector)}: "
                f"{mount.error}",
                "mount.failed",
                mount=status,
            )
        status = self.status(connector)
        assert status is not None
        return status

    async def _prepare_mount_point(self, connector: Connector, local_path: str) -> None:
        if is_mount_point(local_path):
            # A dead tool's leftover ("Transport endpoint is not connected"), or a mount of a
            # server that is gone: nobody can use it, clear it.
            await self._fusermount(local_path, lazy=True)
        try:
            entries = await asyncio.to_thread(_entries, local_path)
        except NotADirectoryError:
            message = (
                f"The mount point {self._shown(connector)} of connector '{connector.name}' "
                "exists and is not a folder: move it away, or rename the connector."
            )
            raise MountError(409, message, "mount_point.exists", errors={"name": message}) from None
        except OSError as error:
            message = f"The mount point {self._shown(connector)} cannot be used ({error.strerror})."
            raise MountError(
                409, message, "mount_point.unusable", errors={"name": message}
            ) from None
        if entries:
            message = (
                f"The mount point {self._shown(connector)} of connector '{connector.name}' "
                "exists and is not empty: move its files away, or rename the connector. "
                "Nothing was changed."
            )
            raise MountError(409, message, "mount_point.not_empty", errors={"name": message})
        try:
            await asyncio.to_thread(os.makedirs, local_path, 0o755, True)
        except OSError as error:
            message = (
                f"The mount point {self._shown(connector)} cannot be created ({error.strerror})."
            )
            raise MountError(
                409, message, "mount_point.unusable", errors={"name": message}
            ) from None

    async def _start(self, mount: Mount, command: MountCommand) -> None:
        for path, content in command.secret_files.items():
            await asyncio.to_thread(_write_secret_file, path, content)
        log.info(
            "Mounting S3 connector '%s' with %s at %s",
            mount.connector.name,
            mount.tool,
            mount.local_path,
        )
        try:
            mount.process = await asyncio.create_subprocess_exec(
                *command.argv,
                env=command.env,
                cwd=mount.private_dir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                # Its own session: a Ctrl-C meant for the server does not kill the mount
                # before the server unmounts it; and it stops if the server dies.
                start_new_session=True,
                preexec_fn=_stop_with_parent,
            )
        except OSError as error:
            mount.state, mount.error = (
                FAILED,
                f"{mount.tool} could not be started ({error.strerror}).",
            )
            return
        mount.tasks.append(asyncio.ensure_future(self._read_output(mount)))
        deadline = time.monotonic() + self.mount_timeout
        while True:
            if is_mount_point(mount.local_path):
                break
            if not mount.running():
                await asyncio.sleep(0.1)  # the last lines of its output
                mount.state = FAILED
                mount.error = mount.error_line() or (
                    f"{mount.tool} stopped with exit code {mount.process.returncode}."
                )
                return
            if time.monotonic() > deadline:
                mount.state = FAILED
                line = mount.error_line()
                mount.error = f"{mount.tool} did not mount within {self.mount_timeout:g} s" + (
                    f": {line}" if line else "."
                )
                await self._stop_process(mount)
                return
            await asyncio.sleep(0.1)
        # The mount point is up before the tool has asked the endpoint anything (rclone never
        # asks, s3fs checks the bucket just after): list the root once, so a refused key or
        # a missing bucket fails now, with the tool's own error line.
        problem = await self._first_listing(mount)
        if not problem:
            await asyncio.sleep(0.2)
            if not mount.running():
                problem = mount.error_line() or f"{mount.tool} stopped."
        if problem:
            mount.state, mount.error = FAILED, problem
            return
        mount.state = MOUNTED
        mount.tasks.append(asyncio.ensure_future(self._watch(mount)))

    async def _first_listing(self, mount: Mount) -> str:
        try:
            await asyncio.wait_for(asyncio.to_thread(os.listdir, mount.local_path), 30)
        except asyncio.TimeoutError:
            return "Listing the bucket did not finish within 30 s."
        except OSError as error:
            await asyncio.sleep(0.2)
            return mount.error_line() or f"Listing the bucket failed ({error.strerror})."
        return ""

    async def _read_output(self, mount: Mount) -> None:
        process = mount.process
        assert process is not None and process.stdout is not None
        while True:
            raw = await process.stdout.readline()
            if not raw:
                return
            line = mount.clean(raw.decode("utf-8", "replace").rstrip())
            if line:
                mount.lines.append(line)
                log.debug("%s (%s): %s", mount.tool, mount.connector.name, line)

    async def _watch(self, mount: Mount) -> None:
        process = mount.process
        assert process is not None
        code = await process.wait()
        if mount.stopping:
            return
        await asyncio.sleep(0.1)
        mount.state = LOST
        line = mount.error_line()
        mount.error = f"{mount.tool} stopped (exit code {code})" + (f": {line}" if line else ".")
        log.warning(
            "The mount of S3 connector '%s' was lost: %s", mount.connector.name, mount.error
        )

    async def _unmount(self, connector: Connector, force: bool) -> None:
        mount = self._mounts.get(connector.id)
        local_path = mount.local_path if mount else self.mount_point(connector)
        if is_mount_point(local_path):
            code, output = await self._fusermount(local_path, lazy=force)
            if code != 0:
                if _BUSY_RE.search(output):
                    message = (
                        f"{self._shown(connector)} is busy: a process (a kernel, a terminal, an "
                        "open document) holds a file or folder open in it. Close it and try "
                        "again, or unmount anyway (the process then loses its open files)."
                    )
                    raise MountError(409, message, "mount.busy")
                raise MountError(
                    500,
                    f"{self._shown(connector)} could not be unmounted: {output.strip()}",
                    "mount.unmount_failed",
                )
        if mount is not None:
            # After a lazy unmount the tool serves the files still open until it is
            # stopped: a short grace, then it is told to stop.
            await self._stop_process(mount, grace=1.0 if force else None)
            self._mounts.pop(connector.id, None)
            if mount.private_dir:
                await asyncio.to_thread(shutil.rmtree, mount.private_dir, True)
        await asyncio.to_thread(_remove_empty_dir, local_path)

    async def _stop_process(self, mount: Mount, grace: float | None = None) -> None:
        mount.stopping = True
        process = mount.process
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(
                    process.wait(), self.unmount_timeout / 2 if grace is None else grace
                )
            except asyncio.TimeoutError:
                # After a lazy unmount, s3fs -f lingers until it is told to stop.
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), self.unmount_timeout / 2)
                except asyncio.TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
                    await process.wait()
        for task in mount.tasks:
            task.cancel()
        mount.tasks.clear()

    async def _cleanup_failed(self, mount: Mount) -> None:
        await self._stop_process(mount)
        if is_mount_point(mount.local_path):
            await self._fusermount(mount.local_path, lazy=True)
        await asyncio.to_thread(shutil.rmtree, mount.private_dir, True)
        await asyncio.to_thread(_remove_empty_dir, mount.local_path)

    async def _fusermount(self, path: str, lazy: bool) -> tuple[int, str]:
        tool = self.environment().tools.get("fusermount3") or self._commands.get(
            "fusermount3", "fusermount3"
        )
        argv = [tool, "-uz" if lazy else "-u", path]
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        except OSError as error:
            return 127, f"{tool} could not be started ({error.strerror})"
        output, _ = await process.communicate()
        return process.returncode or 0, output.decode("utf-8", "replace")


def _stop_with_parent() -> None:
    """In the child before exec: SIGTERM when the server dies (Linux's PR_SET_PDEATHSIG),
    so a crashed server leaves no mount process behind (s3fs and rclone unmount on it)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the server's shutdown still unmounts
        return


def _private_dir(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def _write_secret_file(path: str, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(content)


def _entries(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except FileNotFoundError:
        return []


def _remove_empty_dir(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)
