"""``connector(name)``: an active connector, as notebook code uses it."""

from __future__ import annotations

import os
from typing import IO, Any

from ..locations import MOUNT_ROOT_ENV
from .client import make_client
from .errors import NotMounted
from .filesystem import PROTOCOL, ConnectorFileSystem
from .resolve import MOUNT_BACKENDS, ResolvedConnector, resolve


class ActiveConnector:
    """An active S3 connector of the server's store, without its secret in sight.

    ``fs`` is an fsspec filesystem whose paths are keys below the connector's folder;
    ``open`` opens one of them; ``client()`` gives a boto3 client; ``url(key)`` the
    ``s3c://`` URL that pandas, pyarrow, xarray or dask accept; ``local_path(key)`` the
    file of a mounted (``s3fs``, ``rclone``) connector. Fields (``bucket``, ``prefix``…)
    are those of the moment ``connector()`` was called; ``fs``, ``open`` and ``client``
    always use the connector as the store holds it now, and fail once it is deactivated.
    """

    def __init__(self, resolved: ResolvedConnector):
        self._resolved = resolved
        self._fs: ConnectorFileSystem | None = None

    @property
    def name(self) -> str:
        return self._resolved.name

    @property
    def bucket(self) -> str:
        return self._resolved.connector.bucket

    @property
    def prefix(self) -> str:
        return self._resolved.prefix

    @property
    def endpoint(self) -> str:
        return self._resolved.connector.endpoint

    @property
    def region(self) -> str:
        return self._resolved.region

    @property
    def mode(self) -> str:
        return self._resolved.connector.mode

    @property
    def backend(self) -> str:
        return self._resolved.connector.backend

    @property
    def read_only(self) -> bool:
        return self._resolved.read_only

    def __repr__(self) -> str:
        return (
            f"<S3 connector '{self.name}': s3://{self.bucket}/{self.prefix} at {self.endpoint} "
            f"({self.mode}, {self.backend})>"
        )

    @property
    def fs(self) -> ConnectorFileSystem:
        """The fsspec filesystem of the connector's folder (paths are keys below it)."""
        if self._fs is None:
            self._fs = ConnectorFileSystem(connector=self.name, relative=True)
        return self._fs

    def open(self, key: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Open the object ``key`` (below the connector's folder), like ``open()``."""
        return self.fs.open(key, mode, **kwargs)

    def client(self, **config: Any) -> Any:
        """A boto3 S3 client for the endpoint, with the connector's key (path-style).

        Keys are the bucket's own: prefix them with ``c.prefix``. A read-only connector's
        client refuses every operation but Get*, Head* and List* before sending it.
        """
        return make_client(resolve(self.name), **config)

    def url(self, key: str = "") -> str:
        """The ``s3c://`` URL of ``key``, e.g. for ``pd.read_csv``."""
        return f"{PROTOCOL}://{self.name}/{self.fs.key_of(key)}"

    def local_path(self, key: str = "") -> str:
        """The file of ``key`` where a mount backend (s3fs, rclone) mounted the bucket."""
        if self.backend not in MOUNT_BACKENDS:
            raise NotMounted(
                f"S3 connector '{self.name}' uses the '{self.backend}' backend, which does not "
                f"mount its bucket as files: use c.open(key) or '{PROTOCOL}://{self.name}/<key>'."
            )
        root = os.environ.get(MOUNT_ROOT_ENV)
        if not root:
            raise NotMounted(
                f"The mount root of S3 connectors is unknown ({MOUNT_ROOT_ENV} is not set): "
                "local paths work in kernels started by the Jupyter server."
            )
        key = self.fs.key_of(key)
        return os.path.join(root, self.name, key) if key else os.path.join(root, self.name)


def connector(name: str) -> ActiveConnector:
    """The active connector ``name``, from the Jupyter server's connector store.

    Raises :class:`~.errors.ConnectorUnavailable` (a ``LookupError``) naming the active
    connectors when ``name`` is unknown or not active.
    """
    return ActiveConnector(resolve(name))
