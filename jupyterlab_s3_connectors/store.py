"""The connector store: one JSON file with Fernet-encrypted secrets.

Pure logic, no tornado. Every mutation is a read-modify-write under an exclusive
``flock`` on a sibling lock file, re-reading the file under the lock, so several server
processes sharing the file lose nothing. Reads take a shared lock. Writes are atomic
(temporary file in the same directory, fsync, ``os.replace``) with mode 0600.

A store that cannot be parsed is never rewritten: every operation reports a
:class:`StoreError` naming the file until someone repairs or moves it.

Nor is a store whose secrets the current keys cannot open: the file records the
fingerprints of the keys that encrypted its secrets (``key_fingerprints``), and every
mutation first checks that the keys at hand open every stored secret, so a missing key file
or a second server configured with other keys changes nothing. :meth:`rotate_secrets`
re-encrypts every secret under the first key, in one atomic write.

Queries read the file each time, so another process's write is seen at once, but parse
it again and decrypt a secret again only when something changed (:mod:`.read_cache`);
:meth:`ConnectorStore.cached` answers the proxy without any read while neither the store
file nor the key file changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from .crypto import FileState, InvalidToken, KeyProvider, SecretCipher, file_state
from .errors import ConnectorActive, ConnectorNotFound, DuplicateName, StoreError
from .read_cache import ReadCache
from .records import Connector, Credentials, timestamp, utc_now
from .validation import EDITABLE_FIELDS

log = logging.getLogger(__name__)

STORE_VERSION = 1
#: Seconds after which a temporary key file is a crash's leftover, not a write in progress.
KEY_LEFTOVER_AGE = 600


#: Fields every stored connector has; ``credentials`` came later and defaults to "key".
_STRING_FIELDS = (
    "id",
    *(name for name in EDITABLE_FIELDS if name != "credentials"),
    "creator",
    "created_at",
    "updated_at",
)


class ConnectorStore:
    """Reads and writes the connectors file; decrypts secrets only through :meth:`credentials`."""

    def __init__(self, path: str, keys: KeyProvider, now: Callable[[], datetime] = utc_now) -> None:
        self.path = os.path.abspath(path)
        self.keys = keys
        #: The clock of ``created_at`` and ``updated_at`` (an aware datetime); tests set theirs.
        self.now = now
        self._cache = ReadCache()

    def __repr__(self) -> str:
        return f"<ConnectorStore path={self.path!r}>"

    @property
    def lock_path(self) -> str:
        return self.path + ".lock"

    # -- queries -----------------------------------------------------------------

    def list_connectors(self) -> list[Connector]:
        """All connectors, sorted by name."""
        with self._lock(exclusive=False):
            connectors = self._load_for_query()
        return sorted(connectors, key=lambda c: c.name)

    def get(self, connector_id: str) -> Connector:
        with self._lock(exclusive=False):
            return _find(self._load_for_query(), connector_id)

    def credentials(self, connector_id: str) -> Credentials:
        """Decrypt the connector's secret (for the connection test and the proxy)."""
        return self.credentials_of(self.get(connector_id))

    def cached(self, connector_id: str) -> tuple[Connector, Credentials] | None:
        """The connector and its credentials as last read, if neither the store file nor the
        keys changed since; None otherwise (then use :meth:`get` and :meth:`credentials_of`).

        Two ``stat`` calls: no lock, no read, no decryption, so it can run on the event loop.
        """
        found = self._cache.lookup(connector_id, _state_of(self.path))
        if found is None or self.keys.state() != found[2]:
            return None
        connector, secret, _ = found
        return connector, Credentials(connector.access_key_id, secret)

    def credentials_of(self, connector: Connector) -> Credentials:
        """Decrypt the secret of ``connector`` as :meth:`get` returned it (no second read)."""
        if not connector.secret:
            raise StoreError(
                f"Connector '{connector.name}' has no secret access key: edit it and enter one."
            )
        # The keys are looked up every time: a key file removed or replaced is noticed.
        keys_state = self.keys.state()  # before reading them: a change after is seen later
        cipher = self.keys.cipher(create=False)
        keys = tuple(cipher.fingerprints)
        secret = self._cache.secret(connector, keys)
        if secret is None:
            try:
                secret = cipher.decrypt(connector.secret)
            except (InvalidToken, ValueError, UnicodeError):
                raise StoreError(
                    f"The secret of connector '{connector.name}' cannot be decrypted with the "
                    f"encryption key(s) from {cipher.source}. Restore the key that encrypted "
                    "it, or edit the connector and enter the secret access key again."
                ) from None
        self._cache.remember(connector, keys, secret, keys_state)
        return Credentials(connector.access_key_id, secret)

    # -- mutations ---------------------------------------------------------------

    def create(self, fields: Mapping[str, Any], secret: str | None, creator: str) -> Connector:
        """Add a connector from validated ``fields``; raise DuplicateName on a taken name."""
        with self._lock(exclusive=True):
            connectors, recorded = self._load_state()
            cipher = self._usable_cipher(connectors, recorded)
            _check_unique(connectors, fields["name"])
            now = timestamp(self.now())
            connector = Connector(
                id=str(uuid.uuid4()),
                creator=creator,
                created_at=now,
                updated_at=now,
                active=False,
                secret=self._encrypt(cipher, secret) if secret is not None else None,
                **{name: fields[name] for name in EDITABLE_FIELDS if name in fields},
            )
            connectors.append(connector)
            self._save(connectors, cipher)
        return connector

    def update(
        self, connector_id: str, changes: Mapping[str, Any], secret: str | None = None
    ) -> Connector:
        """Apply validated ``changes``; a ``None`` secret keeps the stored one."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
        with self._lock(exclusive=True):
            connectors, recorded = self._load_state()
            connector = _find(connectors, connector_id)
            cipher = self._usable_cipher(connectors, recorded)
            if "name" in changes and changes["name"] != connector.name:
                _check_unique(connectors, changes["name"])
            for name, value in changes.items():
                setattr(connector, name, value)
            if secret is not None:
                connector.secret = self._encrypt(cipher, secret)
            connector.updated_at = timestamp(self.now())
            self._save(connectors, cipher)
        return connector

    def set_active(self, connector_id: str, active: bool) -> Connector:
        """Activate or deactivate; idempotent, and the file is only rewritten on a change."""
        with self._lock(exclusive=True):
            connectors, recorded = self._load_state()
            connector = _find(connectors, connector_id)
            if connector.active != active:
                cipher = self._usable_cipher(connectors, recorded)
                connector.active = active
                self._save(connectors, cipher)
        return connector

    def delete(self, connector_id: str) -> None:
        """Remove a connector; an active one raises ConnectorActive."""
        with self._lock(exclusive=True):
            connectors, recorded = self._load_state()
            connector = _find(connectors, connector_id)
            if connector.active:
                raise ConnectorActive(connector.name)
            cipher = self._usable_cipher(connectors, recorded)
            connectors.remove(connector)
            self._save(connectors, cipher)

    def rotate_secrets(self) -> int:
        """Re-encrypt every secret under the first key, atomically; return how many changed.

        Afterwards only the first key is needed: the others can be retired.
        """
        with self._lock(exclusive=True):
            connectors, recorded = self._load_state()
            cipher = self._usable_cipher(connectors, recorded)
            if cipher is None:
                return 0
            primary = cipher.fingerprints[0]
            changed = 0
            for connector in connectors:
                if connector.secret and cipher.fingerprint_of(connector.secret) != primary:
                    connector.secret = cipher.rotate(connector.secret)
                    changed += 1
            if changed or recorded != [primary]:
                self._save(connectors, cipher)
        return changed

    def clean_leftovers(self) -> list[str]:
        """Remove temporary store files a crashed writer left behind; return their names."""
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            return []
        prefix = "." + os.path.basename(self.path) + "."
        removed = []
        with self._lock(exclusive=True):  # no writer holds a temporary file now
            for name in os.listdir(directory):
                if name.startswith(prefix) and name.endswith(".tmp"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(directory, name))
                        removed.append(name)
        removed += self._clean_key_leftovers()
        if removed:
            log.info("Removed temporary file(s) left by a crash: %s", ", ".join(removed))
        return removed

    def _clean_key_leftovers(self) -> list[str]:
        # Temporary key files are written outside the store's lock: only old ones go.
        if not self.keys.uses_key_file:
            return []
        directory = os.path.dirname(os.path.abspath(self.keys.key_path))
        removed = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(directory):
                stale = time.time() - entry.stat().st_mtime > KEY_LEFTOVER_AGE
                if entry.name.startswith(".key-") and entry.is_file() and stale:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed.append(entry.name)
        return removed

    # -- internals ---------------------------------------------------------------

    def _usable_cipher(
        self, connectors: list[Connector], recorded: list[str]
    ) -> SecretCipher | None:
        """The cipher, once sure it opens every stored secret (None while there are none).

        Raises :class:`StoreError` (naming the keys' source) otherwise: writing then would
        leave secrets that no single set of keys opens, or drop the record of the keys.
        """
        secrets = [c for c in connectors if c.secret]
        if not secrets:
            return None
        cipher = self.keys.cipher(create=False)  # a missing key file raises KeyMissingError
        missing = [name for name in recorded if name not in cipher.fingerprints]
        unreadable = [c.name for c in secrets if cipher.fingerprint_of(c.secret or "") is None]
        if missing or unreadable:
            detail = f"key(s) {', '.join(missing)}" if missing else "a key that is not among them"
            names = ", ".join(f"'{name}'" for name in unreadable) or "its connectors"
            raise StoreError(
                f"The encryption key(s) from {cipher.source} (fingerprint "
                f"{', '.join(cipher.fingerprints)}) cannot open every secret of the connector "
                f"store {self.path}: the secrets of {names} were encrypted with {detail}. "
                "Nothing was changed. Restore that key (put the new one first and the old one "
                "after it to rotate), or use another store_path for these keys."
            )
        return cipher

    def _encrypt(self, cipher: SecretCipher | None, secret: str) -> str:
        # A new key may only be generated while no secret depends on another one.
        return (cipher or self.keys.cipher(create=True)).encrypt(secret)

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
        return self._load_state()[0]

    def _load_for_query(self) -> list[Connector]:
        """The connectors, as copies, parsed again only if the file's bytes changed."""
        raw, state = self._read_with_state()
        return self._cache.connectors(raw, state, lambda data: self._parse_raw(data)[0])

    def _load_state(self) -> tuple[list[Connector], list[str]]:
        """The connectors and the recorded fingerprints of the keys of their secrets."""
        raw = self._read()
        return self._parse_raw(raw) if raw is not None else ([], [])

    def _read(self) -> bytes | None:
        """The file's bytes (None when there is no file yet)."""
        return self._read_with_state()[0]

    def _read_with_state(self) -> tuple[bytes | None, FileState | None]:
        """The file's bytes and the state of the file they were read from."""
        try:
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                mode = stat.S_IMODE(info.st_mode)
                if mode & 0o077:
                    log.warning(
                        "The connector store %s had permissions %o; restricting them to 0600.",
                        self.path,
                        mode,
                    )
                    os.fchmod(handle.fileno(), 0o600)
                    info = os.fstat(handle.fileno())
                return handle.read(), file_state(info)
        except FileNotFoundError:
            return None, None
        except OSError as error:
            raise StoreError(
                f"The connector store {self.path} cannot be read ({error.strerror})."
            ) from None

    def _parse_raw(self, raw: bytes) -> tuple[list[Connector], list[str]]:
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._corrupt("it is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise self._corrupt(
                f"invalid JSON at line {error.lineno}, column {error.colno}"
            ) from None
        return self._parse(document)

    def _parse(self, document: Any) -> tuple[list[Connector], list[str]]:
        if not isinstance(document, dict) or not isinstance(document.get("connectors"), list):
            raise self._corrupt('expected an object with a "connectors" list')
        version = document.get("version")
        if version != STORE_VERSION:
            raise self._corrupt(f"unsupported version {version!r}, expected {STORE_VERSION}")
        fingerprints = document.get("key_fingerprints", [])
        if not isinstance(fingerprints, list) or not all(
            isinstance(name, str) for name in fingerprints
        ):
            raise self._corrupt('"key_fingerprints" is not a list of strings')
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
            if item.get("credentials", "key") not in ("key", "server"):
                raise self._corrupt(f'connector #{index + 1} has an invalid "credentials"')
            if not isinstance(item.get("secret"), (str, type(None))):
                raise self._corrupt(f'connector #{index + 1} has an invalid "secret"')
            if item["id"] in ids:
                raise self._corrupt(f"the id of connector #{index + 1} is used twice")
            ids.add(item["id"])
            connectors.append(
                Connector(
                    **{name: item[name] for name in _STRING_FIELDS},
                    credentials=item.get("credentials", "key"),
                    active=item.get("active", False),
                    secret=item.get("secret"),
                )
            )
        return connectors, fingerprints

    def _corrupt(self, detail: str) -> StoreError:
        return StoreError(
            f"The connector store {self.path} is corrupt ({detail}). It was left untouched: "
            "repair it or move it away, then try again."
        )

    def _save(self, connectors: list[Connector], cipher: SecretCipher | None) -> None:
        fingerprints: set[str] = set()
        for connector in connectors:
            if connector.secret:
                if cipher is None:  # a new secret was encrypted with a new key file's key
                    cipher = self.keys.cipher(create=False)
                fingerprints.add(cipher.fingerprint_of(connector.secret) or "")
        document = {
            "version": STORE_VERSION,
            "key_fingerprints": sorted(fingerprints - {""}),
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


def _state_of(path: str) -> FileState | None:
    try:
        return file_state(os.stat(path))
    except OSError:
        return None


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
