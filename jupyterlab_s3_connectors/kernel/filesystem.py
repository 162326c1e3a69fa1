"""The ``s3c://`` fsspec filesystem: one active connector's bucket and folder.

``ConnectorFileSystem(connector="demo")`` is what fsspec builds for ``s3c://demo/<key>``
(registered through the ``fsspec.specs`` entry point): its paths are ``demo/<key>``, as
``s3://`` paths start with the bucket. ``connector("demo").fs`` is the same filesystem with
paths relative to the connector's folder (``relative=True``): ``data/x.csv``.

It wraps fsspec's S3 filesystem (PyPI ``s3fs``) the way fsspec's ``DirFileSystem`` does, with
three differences:

- every path is checked before use: another connector's name, another protocol, an
  absolute path or a ``.``/``..`` segment raises :class:`PathOutsideConnector`;
- the connector is looked up again whenever the store changes (two ``stat`` calls
  otherwise): an edited connector gets a new S3 client, a deactivated one raises
  :class:`InactiveConnector`; fsspec's instance cache (keyed by the connector's name only)
  never serves stale credentials, nor one connector's credentials for another's name;
- a read-only connector refuses every write with :class:`ReadOnlyConnector` (a
  ``PermissionError``) before any request; its S3 filesystem also refuses any S3 call
  that is not a read, whatever path of fsspec led to it.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, ClassVar

from fsspec.asyn import AsyncFileSystem
from fsspec.implementations.dirfs import DirFileSystem
from fsspec.utils import stringify_path
from s3fs import S3FileSystem

from .errors import PathOutsideConnector, ReadOnlyConnector
from .resolve import ResolvedConnector, resolve

PROTOCOL = "s3c"

#: Seconds to wait when connecting to the endpoint.
CONNECT_TIMEOUT = 10

#: S3 calls (as s3fs names them) a read-only connector may make.
READ_CALLS = ("get_", "head_", "list_")

#: The filesystem's methods that change the bucket.
WRITE_METHODS = (
    "rm_file",
    "_rm_file",
    "rm",
    "_rm",
    "delete",
    "cp_file",
    "_cp_file",
    "copy",
    "_copy",
    "cp",
    "mv",
    "move",
    "rename",
    "pipe",
    "_pipe",
    "pipe_file",
    "_pipe_file",
    "write_text",
    "write_bytes",
    "put_file",
    "_put_file",
    "put",
    "_put",
    "upload",
    "mkdir",
    "_mkdir",
    "makedir",
    "makedirs",
    "_makedirs",
    "mkdirs",
    "rmdir",
    "touch",
    "_touch",
)

#: Characters of a file mode that write.
WRITE_MODE_CHARS = set("wax+")


class ConnectorS3FileSystem(S3FileSystem):
    """fsspec's S3 filesystem for one connector; a read-only one makes only read calls."""

    def __init__(self, *args: Any, connector_name: str, read_only: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.connector_name = connector_name
        self.read_only = read_only

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<ConnectorS3FileSystem connector={self.connector_name!r} {mode}>"

    async def _call_s3(self, method: Any, *akwarglist: Any, **kwargs: Any) -> Any:
        name = method if isinstance(method, str) else getattr(method, "__name__", str(method))
        if self.read_only and not name.startswith(READ_CALLS):
            raise ReadOnlyConnector(self.connector_name, name, kwargs.get("Key"))
        return await super()._call_s3(method, *akwarglist, **kwargs)

    async def _cat_file(
        self,
        path: str,
        version_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        chunksize: int | None = None,
        max_concurrency: int | None = None,
    ) -> bytes:
        # A whole-object read is one GetObject, as boto3's: s3fs's concurrent path first
        # sends a HeadObject for the size, then reads an object up to its block size
        # (50 MiB) in the same single GET anyway. A caller may still ask for concurrency.
        return await super()._cat_file(
            path,
            version_id=version_id,
            start=start,
            end=end,
            chunksize=chunksize,
            max_concurrency=max_concurrency or 1,
        )


def make_s3_filesystem(resolved: ResolvedConnector) -> ConnectorS3FileSystem:
    """A new S3 filesystem with the connector's endpoint, region and key."""
    connector = resolved.connector
    return ConnectorS3FileSystem(
        connector_name=connector.name,
        read_only=resolved.read_only,
        key=resolved.credentials.access_key_id,
        secret=resolved.credentials.secret_access_key,
        token=resolved.credentials.session_token,
        endpoint_url=connector.endpoint,
        client_kwargs={"region_name": resolved.region},
        config_kwargs={
            "s3": {"addressing_style": "path"},
            "connect_timeout": CONNECT_TIMEOUT,
            # Newer botocore otherwise sends checksums many S3-compatible stores refuse.
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        },
        # A kernel must see at once what the browser or another kernel changed.
        use_listings_cache=False,
        # Each ConnectorFileSystem owns its S3 filesystem and replaces it when the
        # connector changes; fsspec's cache would keep the old credentials alive.
        skip_instance_cache=True,
        asynchronous=False,
    )


class ConnectorFileSystem(DirFileSystem):
    """One active connector's bucket and folder; see the module's documentation."""

    protocol: ClassVar[Any] = (PROTOCOL,)
    root_marker = ""

    def __init__(
        self, connector: str | None = None, relative: bool = False, **storage_options: Any
    ):
        if not isinstance(connector, str) or not connector or "/" in connector:
            raise ValueError(
                "ConnectorFileSystem needs the name of an active connector, "
                f"as in {PROTOCOL}://<connector name>/<key>."
            )
        self.connector_name = connector
        self.relative = relative
        self._state_lock = threading.RLock()
        self._resolved: ResolvedConnector | None = None
        self._s3: ConnectorS3FileSystem | None = None
        self._refresh()  # an unknown or inactive connector fails here, not at first use
        # DirFileSystem.__init__ would set ``path`` and ``fs``: here they follow the store.
        AsyncFileSystem.__init__(self, **storage_options)

    # -- the connector, as the store holds it now ------------------------------------

    def _refresh(self) -> tuple[ResolvedConnector, ConnectorS3FileSystem]:
        with self._state_lock:
            resolved = resolve(self.connector_name)
            if (
                self._resolved is None
                or self._s3 is None
                or resolved.signature != self._resolved.signature
            ):
                self._s3 = make_s3_filesystem(resolved)
            self._resolved = resolved
            return resolved, self._s3

    @property
    def fs(self) -> ConnectorS3FileSystem:
        return self._refresh()[1]

    @property
    def path(self) -> str:
        """``bucket`` or ``bucket/folder``: the S3 filesystem's path of this one's root."""
        return self._refresh()[0].root

    @property
    def read_only(self) -> bool:
        return self._refresh()[0].read_only

    def __repr__(self) -> str:
        resolved = self._resolved
        mode = resolved.connector.mode if resolved else "?"
        return (
            f"<ConnectorFileSystem {PROTOCOL}://{self.connector_name}/ ({mode}"
            f"{', relative paths' if self.relative else ''})>"
        )

    # -- paths -----------------------------------------------------------------------

    @staticmethod
    def _get_kwargs_from_urls(path: str) -> dict[str, Any]:
        path = stringify_path(path)
        if path.startswith(PROTOCOL + "://"):
            name = path[len(PROTOCOL) + 3 :].split("/", 1)[0]
            if name:
                return {"connector": name}
        return {}

    def unstrip_protocol(self, name: str) -> str:
        if name.startswith(PROTOCOL + "://"):
            return name
        if self.relative:
            return f"{PROTOCOL}://{self.connector_name}/{name}".rstrip("/")
        return f"{PROTOCOL}://{name}"

    def key_of(self, path: str) -> str:
        """The key of ``path`` below the connector's folder; refuses what would leave it."""
        text = stringify_path(path)
        if "://" in text or text.startswith(PROTOCOL + "::"):
            if not text.startswith(PROTOCOL + "://"):
                raise PathOutsideConnector(
                    f"'{text}' is not a path of S3 connector '{self.connector_name}': "
                    f"use {PROTOCOL}://{self.connector_name}/<key> or a key."
                )
            text = text[len(PROTOCOL) + 3 :]
            rest = self._below_name(text, path)
        elif self.relative:
            rest = text
        else:
            rest = self._below_name(text, path)
        if rest.startswith("/"):
            raise PathOutsideConnector(
                f"'{path}' is an absolute path: paths of S3 connector "
                f"'{self.connector_name}' are keys relative to its folder, e.g. data/x.csv."
            )
        rest = rest.rstrip("/")
        if any(segment in (".", "..") for segment in rest.split("/")):
            raise PathOutsideConnector(
                f"'{path}' has a '.' or '..' segment: paths of S3 connector "
                f"'{self.connector_name}' cannot leave its folder."
            )
        return rest

    def _below_name(self, text: str, original: str) -> str:
        name, _, rest = text.partition("/")
        if name != self.connector_name:
            raise PathOutsideConnector(
                f"'{original}' is not a path of S3 connector '{self.connector_name}': "
                f"paths of {PROTOCOL}://{self.connector_name}/ start with "
                f"'{self.connector_name}/'. Each connector has its own filesystem."
            )
        return rest

    def _join(self, path: Any) -> Any:
        if isinstance(path, dict):
            return {self._join(p): value for p, value in path.items()}
        if isinstance(path, (list, tuple)):
            return [self._join(p) for p in path]
        key = self.key_of(path)
        root = self.path
        return f"{root}/{key}" if key else root

    def _relpath(self, path: Any) -> Any:
        if not isinstance(path, str):
            return [self._relpath(p) for p in path]
        relative = super()._relpath(path)
        if self.relative:
            return relative
        return f"{self.connector_name}/{relative}" if relative else self.connector_name

    # -- read-only ------------------------------------------------------------------------

    def check_writable(self, action: str, path: Any = None) -> None:
        """Raise :class:`ReadOnlyConnector` for a read-only connector (no request made)."""
        if self.read_only:
            shown = path if isinstance(path, str) or path is None else str(path)
            raise ReadOnlyConnector(self.connector_name, action, shown)

    def open(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        mode = args[0] if args else kwargs.get("mode", "rb")
        if WRITE_MODE_CHARS & set(mode):
            self.check_writable(f"open(mode={mode!r})", path)
        return super().open(path, *args, **kwargs)

    async def open_async(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        mode = args[0] if args else kwargs.get("mode", "rb")
        if WRITE_MODE_CHARS & set(mode):
            self.check_writable(f"open(mode={mode!r})", path)
        return await super().open_async(path, *args, **kwargs)


def _guarded(name: str) -> Any:
    parent = getattr(DirFileSystem, name)
    if inspect.iscoroutinefunction(parent):

        async def guarded_async(self: ConnectorFileSystem, *args: Any, **kwargs: Any) -> Any:
            self.check_writable(name.lstrip("_"), args[0] if args else None)
            return await parent(self, *args, **kwargs)

        guarded_async.__name__ = name
        guarded_async.__doc__ = parent.__doc__
        return guarded_async

    def guarded(self: ConnectorFileSystem, *args: Any, **kwargs: Any) -> Any:
        self.check_writable(name, args[0] if args else None)
        return parent(self, *args, **kwargs)

    guarded.__name__ = name
    guarded.__doc__ = parent.__doc__
    return guarded


for _name in WRITE_METHODS:
    if hasattr(DirFileSystem, _name):
        setattr(ConnectorFileSystem, _name, _guarded(_name))
del _name
