"""The connector store: one JSON file with Fernet-encrypted secrets.

Pure logic, no tornado. Every mutation is a read-modify-write under an exclusive
``flock`` on a sibling lock file, re-reading the file under the lock, so several server
processes sharing the file lose nothing. Reads take a shared lock. Writes are atomic
(temporary file in the same directory, fsync, ``os.replace``) with mode 0600.

A store that cannot be parsed is never rewritten: every operation reports a
:class:`StoreError` naming the file until someone repairs or moves it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import stat
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .crypto import InvalidToken, KeyProvider
from .errors import ConnectorActive, ConnectorNotFound, DuplicateName, StoreError
from .validation import EDITABLE_FIELDS

log = logging.getLogger(__name__)

STORE_VERSION = 1


def utc_now() -> str:
    """The current time as ISO 8601 UTC with seconds precision, e.g. 2026-11-28T04:00:00Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Connector:
    """One connector as stored. ``secret`` is the Fernet token, never the plain secret."""

    id: str
    name: str
    description: str
    endpoint: str
    region: str
    bucket: str
    prefix: str
    access_key_id: str
    mode: str
    backend: str
    creator: str
    created_at: str
    updated_at: str
    active: bool = False
    secret: str | None = field(default=None, repr=False)

    def to_api(self) -> dict[str, Any]:
        """The connector as the REST API shows it: no secret, ``has_secret`` instead."""
        data = dataclasses.asdict(self)
        del data["secret"]
        data["has_secret"] = bool(self.secret)
        return data

    def to_file(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Credentials:
    """Decrypted credentials of a connector, for server-side use only."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


_STRING_FIELDS = ("id", *EDITABLE_FIELDS, "creator", "created_at", "updated_at")


class ConnectorStore:
    """Reads and writes the connectors file; decrypts secrets only through :meth:`credentials`."""

    def __init__(self, path: str, keys: KeyProvider):
        self.path = os.path.abspath(path)
        self.keys = keys

    def __repr__(self) -> str:
        return f"<ConnectorStore path={self.path!r}>"

    @property
    def lock_path(self) -> str:
        return self.path + ".lock"

    # -- queries -----------------------------------------------------------------

    def list_connectors(self) -> list[Connector]:
        """All connectors, sorted by name."""
        with self._lock(exclusive=False):
            connectors = self._load()
        return sorted(connectors, key=lambda c: c.name)

    def get(self, connector_id: str) -> Connector:
        with self._lock(exclusive=False):
            return _find(self._load(), connector_id)

    def credentials(self, connector_id: str) -> Credentials:
        """Decrypt the connector's secret (for the connection test and the proxy)."""
        with self._lock(exclusive=False):
            connectors = self._load()
        connector = _find(connectors, connector_id)
        if not connector.secret:
            raise StoreError(
                f"Connector '{connector.name}' has no secret access key: edit it and enter one."
            )
        cipher = self.keys.cipher(create=False)
        try:
            secret = cipher.decrypt(connector.secret)
        except (InvalidToken, ValueError, UnicodeError):
            raise StoreError(
                f"The secret of connector '{connector.name}' cannot be decrypted with the "
                f"encryption key(s) from {cipher.source}. Restore the key that encrypted it, "
                "or edit the connector and enter the secret access key again."
            ) from None
        return Credentials(connector.access_key_id, secret)

    # -- mutations ---------------------------------------------------------------

    def create(self, fields: Mapping[str, Any], secret: str, creator: str) -> Connector:
        """Add a connector from validated ``fields``; raise DuplicateName on a taken name."""
        with self._lock(exclusive=True):
            connectors = self._load()
            _check_unique(connectors, fields["name"])
            now = utc_now()
            connector = Connector(
                id=str(uuid.uuid4()),
                creator=creator,
                created_at=now,
                updated_at=now,
                active=False,
                secret=self._encrypt(connectors, secret),
                **{name: fields[name] for name in EDITABLE_FIELDS},
            )
            connectors.append(connector)
            self._save(connectors)
        return connector

    def update(
        self, connector_id: str, changes: Mapping[str, Any], secret: str | None = None
    ) -> Connector:
        """Apply validated ``changes``; a ``None`` secret keeps the stored one."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
        with self._lock(exclusive=True):
            connectors = self._load()
            connector = _find(connectors, connector_id)
            if "name" in changes and changes["name"] != connector.name:
                _check_unique(connectors, changes["name"])
            for name, value in changes.items():
                setattr(connector, name, value)
            if secret is not None:
                connector.secret = self._encrypt(connectors, secret)
            connector.updated_at = utc_now()
            self._save(connectors)
        return connector

    def set_active(self, connector_id: str, active: bool) -> Connector:
        """Activate or deactivate; idempotent, and the file is only rewritten on a change."""
        with self._lock(exclusive=True):
            connectors = self._load()
            connector = _find(connectors, connector_id)
            if connector.active != active:
                connector.active = active
                self._save(connectors)
        return connector

    def delete(self, connector_id: str) -> None:
        """Remove a connector; an active one raises ConnectorActive."""
        with self._lock(exclusive=True):
            connectors = self._load()
            connector = _find(connectors, connector_id)
            if connector.active:
                raise ConnectorActive(connector.name)
            connectors.remove(connector)
            self._save(connectors)

    # -- internals ---------------------------------------------------------------

    def _encrypt(self, connectors: list[Connector], secret: str) -> str:
        # A new key may only be generated while no secret depends on the old one.
        holds_secrets = any(c.secret for c in connectors)
        return self.keys.cipher(create=not holds_secrets).encrypt(secret)

    @contextlib.contextmanager
    def _lock(self, *, exclusive: bool) -> Iterator[None]:
        directory = os.path.dirname(self.path)
        if not exclusive and not os.path.isdir(directory):
            # Nothing stored yet: do not create directories just to read.
            yield
            return
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise StoreError(
                f"The lock file {self.lock_path} cannot be created or opened ({error.strerror})."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _load(self) -> list[Connector]:
        try:
            with open(self.path, "rb") as handle:
                mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
                if mode & 0o077:
                    log.warning(
                        "The connector store %s had permissions %o; restricting them to 0600.",
                        self.path,
                        mode,
                    )
                    os.fchmod(handle.fileno(), 0o600)
                raw = handle.read()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StoreError(
                f"The connector store {self.path} cannot be read ({error.strerror})."
            ) from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._corrupt("it is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise self._corrupt(
                f"invalid JSON at line {error.lineno}, column {error.colno}"
            ) from None
        return self._parse(document)

    def _parse(self, document: Any) -> list[Connector]:
        if not isinstance(document, dict) or not isinstance(document.get("connectors"), list):
            raise self._corrupt('expected an object with a "connectors" list')
        version = document.get("version")
        if version != STORE_VERSION:
            raise self._corrupt(f"unsupported version {version!r}, expected {STORE_VERSION}")
        connectors = []
        ids: set[str] = set()
        for index, item in enumerate(document["connectors"]):
            if not isinstance(item, dict):
                raise self._corrupt(f"connector #{index + 1} is not an object")
            for name in _STRING_FIELDS:
                if not isinstance(item.get(name), str):
                    raise self._corrupt(f'connector #{index + 1} has no valid "{name}"')
            if not isinstance(item.get("active", False), bool):
                raise self._corrupt(f'connector #{index + 1} has an invalid "active"')
            if not isinstance(item.get("secret"), (str, type(None))):
                raise self._corrupt(f'connector #{index + 1} has an invalid "secret"')
            if item["id"] in ids:
                raise self._corrupt(f"the id of connector #{index + 1} is used twice")
            ids.add(item["id"])
            connectors.append(
                Connector(
                    **{name: item[name] for name in _STRING_FIELDS},
                    active=item.get("active", False),
                    secret=item.get("secret"),
                )
            )
        return connectors

    def _corrupt(self, detail: str) -> StoreError:
        return StoreError(
            f"The connector store {self.path} is corrupt ({detail}). It was left untouched: "
            "repair it or move it away, then try again."
        )

    def _save(self, connectors: list[Connector]) -> None:
        document = {
            "version": STORE_VERSION,
            "connectors": [c.to_file() for c in connectors],
        }
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        directory = os.path.dirname(self.path)
        try:
            # mkstemp opens with O_EXCL and mode 0600 in the store's own directory.
            fd, tmp_path = tempfile.mkstemp(
                prefix="." + os.path.basename(self.path) + ".", suffix=".tmp", dir=directory
            )
        except OSError as error:
            raise self._unwritable(error) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_path, self.path)
        except BaseException as error:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
            if isinstance(error, OSError):
                raise self._unwritable(error) from None
            raise
        _fsync_directory(directory)

    def _unwritable(self, error: OSError) -> StoreError:
        return StoreError(
            f"The connector store {self.path} cannot be written ({error.strerror}); "
            "it was left as it was."
        )


def _find(connectors: list[Connector], connector_id: str) -> Connector:
    for connector in connectors:
        if connector.id == connector_id:
            return connector
    raise ConnectorNotFound(connector_id)


def _check_unique(connectors: list[Connector], name: str) -> None:
    if any(c.name == name for c in connectors):
        raise DuplicateName(name)


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        log.debug("Could not fsync %s", directory)
    finally:
        os.close(fd)
