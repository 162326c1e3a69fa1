"""Find an active connector of the store by name, with its decrypted credentials.

The store and the keys are the server's own (:class:`~..store.ConnectorStore`,
:class:`~..crypto.KeyProvider`), located through the variables the server exports to its
kernels (:mod:`..locations`). A lookup costs two ``stat`` calls while neither the store
file nor the key file changed; otherwise the store is read again, so an edited,
renamed or deactivated connector is noticed at the next operation.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from ..catalogs import Catalog, parse_catalogs, split_published_id
from ..crypto import FileState, KeyProvider, file_state
from ..locations import StoreLocation
from ..records import Connector, Credentials
from ..redact import register_secret
from ..registry import ConnectorRegistry
from ..store import ConnectorStore
from .errors import InactiveConnector, UnknownConnector, active_list

#: Backends that mount the bucket as files (see ``local_path``).
MOUNT_BACKENDS = ("s3fs", "rclone")


@dataclass(frozen=True)
class ResolvedConnector:
    """An active connector as the store holds it now, with its credentials."""

    connector: Connector
    credentials: Credentials = field(repr=False)
    default_region: str = "us-east-1"

    @property
    def name(self) -> str:
        return self.connector.name

    @property
    def read_only(self) -> bool:
        return self.connector.mode != "read-write"

    @property
    def region(self) -> str:
        return self.connector.region or self.default_region

    @property
    def prefix(self) -> str:
        """The folder, '' or ending with '/'."""
        prefix = self.connector.prefix.lstrip("/")
        return prefix if not prefix or prefix.endswith("/") else prefix + "/"

    @property
    def root(self) -> str:
        """``bucket`` or ``bucket/folder`` (no trailing slash), as fsspec's S3 names it."""
        return (self.connector.bucket + "/" + self.prefix).rstrip("/")

    @property
    def signature(self) -> tuple[object, ...]:
        """Everything that makes a connection: a change needs a new client."""
        c = self.connector
        return (
            c.id,
            c.endpoint,
            self.region,
            c.bucket,
            self.prefix,
            c.mode,
            c.backend,
            self.credentials.access_key_id,
            c.secret,
            # The server's own credentials are renewed: a new token needs a new client.
            self.credentials.session_token,
        )


class Resolver:
    """Looks connectors up by name in one store; thread-safe."""

    def __init__(self, location: StoreLocation):
        self.location = location
        keys = KeyProvider(location.key_path, location.encryption_keys)
        self.store = ConnectorStore(location.store_path, keys)
        catalogs = [Catalog(spec) for spec in parse_catalogs(location.catalog_entries())]
        #: The store and the catalogs (published connectors, the server's credentials).
        self.registry = ConnectorRegistry(self.store, catalogs)
        self._lock = threading.Lock()
        self._state: tuple[FileState | None, FileState | None] | None = None
        self._connectors: list[Connector] = []

    def __repr__(self) -> str:
        return f"<Resolver store={self.store.path!r}>"

    def connectors(self) -> list[Connector]:
        """The store's connectors (read again only when the store or the keys changed),
        then those of the catalogs with this user's activation state (read each time)."""
        with self._lock:
            state = (_state_of(self.store.path), self.store.keys.state())
            if state != self._state:
                self._connectors = self.store.list_connectors()
                self._state = state
            own = list(self._connectors)
        if not self.registry.catalogs:
            return own
        published = [c for c in self.registry.all_connectors() if split_published_id(c.id)]
        return own + published

    def active_names(self) -> list[str]:
        return [c.name for c in self.connectors() if c.active]

    def resolve(self, name: str) -> ResolvedConnector:
        """The active connector ``name``; :class:`ConnectorUnavailable` otherwise."""
        connectors = self.connectors()
        active = [c.name for c in connectors if c.active]
        # The user's own connector first: a published one may have the same name.
        found = next((c for c in connectors if c.name == name), None)
        if found is None:
            raise UnknownConnector(
                f"There is no S3 connector named '{name}' (store {self.store.path}). "
                + active_list(active),
                name,
                active,
            )
        if not found.active:
            raise InactiveConnector(
                f"S3 connector '{name}' is not active: activate it in the S3 Connectors "
                "panel (only active connectors can be used from notebooks). " + active_list(active),
                name,
                active,
            )
        credentials = self.registry.credentials_of(found)
        register_secret(credentials.secret_access_key)
        return ResolvedConnector(found, credentials, self.location.default_region)


_resolvers: dict[StoreLocation, Resolver] = {}
_resolvers_lock = threading.Lock()


def resolver() -> Resolver:
    """The resolver of the store named by this process's environment."""
    location = StoreLocation.from_environment()
    with _resolvers_lock:
        found = _resolvers.get(location)
        if found is None:
            found = _resolvers[location] = Resolver(location)
        return found


def resolve(name: str) -> ResolvedConnector:
    return resolver().resolve(name)


def _state_of(path: str) -> FileState | None:
    try:
        return file_state(os.stat(path))
    except OSError:
        return None
