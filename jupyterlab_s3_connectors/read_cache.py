"""What the connector store's queries read last, so that the proxy's lookups stay cheap.

- The parsed connectors are reused while the file's bytes are the same, and remembered
  with the state (inode, size, times) of the file they came from.
- Each connector's decrypted secret is reused while its token and the keys' fingerprints
  are the same, and remembered with the state of the key file when the keys were read.

:meth:`ReadCache.lookup` answers without a read or a decryption while the store file keeps
the state recorded (the caller then checks the key file's). Every write replaces a file,
giving it a new inode, so a write from this process or another is seen by the next lookup.
Secrets stay in this process's memory: never logged, forgotten with their connector.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .crypto import FileState
from .records import Connector


@dataclass(frozen=True)
class _Secret:
    token: str
    keys: tuple[str, ...]
    secret: str = field(repr=False)
    keys_state: FileState | None


class ReadCache:
    """Parsed connectors and decrypted secrets of one store; safe across worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._raw: bytes | None = None
        self._connectors: list[Connector] | None = None
        self._state: FileState | None = None
        self._secrets: dict[str, _Secret] = {}

    def connectors(
        self,
        raw: bytes | None,
        state: FileState | None,
        parse: Callable[[bytes], list[Connector]],
    ) -> list[Connector]:
        """Copies of the connectors ``raw`` holds (read from a file in ``state``)."""
        with self._lock:
            connectors = self._connectors if self._raw == raw else None
        if connectors is None:
            connectors = parse(raw) if raw is not None else []
        ids = {connector.id for connector in connectors}
        with self._lock:
            self._raw, self._connectors, self._state = raw, connectors, state
            for gone in [known for known in self._secrets if known not in ids]:
                del self._secrets[gone]
        return [dataclasses.replace(connector) for connector in connectors]

    def secret(self, connector: Connector, keys: tuple[str, ...]) -> str | None:
        """The decrypted secret of ``connector`` if its token and the keys are unchanged."""
        with self._lock:
            known = self._secrets.get(connector.id)
        if known is not None and known.token == connector.secret and known.keys == keys:
            return known.secret
        return None

    def remember(
        self,
        connector: Connector,
        keys: tuple[str, ...],
        secret: str,
        keys_state: FileState | None,
    ) -> None:
        assert connector.secret is not None
        with self._lock:
            self._secrets[connector.id] = _Secret(connector.secret, keys, secret, keys_state)

    def lookup(
        self, connector_id: str, state: FileState | None
    ) -> tuple[Connector, str, FileState] | None:
        """The connector, its secret and the key file's state they were read with, if the
        store file is still in ``state``; None otherwise."""
        with self._lock:
            if state is None or self._connectors is None or state != self._state:
                return None
            found = [c for c in self._connectors if c.id == connector_id]
            known = self._secrets.get(connector_id)
        if not found or known is None or known.keys_state is None:
            return None
        if known.token != found[0].secret:
            return None
        return dataclasses.replace(found[0]), known.secret, known.keys_state

    def remembered_secrets(self) -> int:
        """How many decrypted secrets are held (for tests)."""
        with self._lock:
            return len(self._secrets)
