"""Catalogs: directories of published connectors that several users' servers read.

A catalog is the community of the connector concept: a directory (a shared volume on a
JupyterHub, or one an administrator provisions) holding one JSON file per published
connector. Who may publish is who may write the directory: the role check is the file
system's. Each writable catalog has its own Fernet keys, shared by its members and nobody
else, and a published connector's secret is encrypted with them, never stored in clear.

A **read-only** catalog holds connectors an administrator deploys (from a Kubernetes secret,
a Helm chart…). Their files name where the secret is, ``secret_access_key_env`` or
``secret_access_key_file``, or say ``"credentials": "server"`` (the server's own AWS
credentials); they hold no secret themselves.

Files are written atomically (a temporary file in the directory, fsync, ``os.replace``)
under an exclusive ``flock`` of ``<directory>/.lock``, with mode 0640: readable by the
group that shares the catalog, by nobody else. Published connectors are identified as
``<catalog>.<id of the original>``, so one name stays valid in drives, URLs and paths.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .crypto import InvalidToken, KeyProvider
from .errors import StoreError
from .files import atomic_write, fsync_directory
from .records import Connector, Credentials, timestamp, utc_now
from .validation import (
    BACKENDS,
    CREDENTIALS,
    DEFAULT_BACKEND,
    DEFAULT_MODE,
    EDITABLE_FIELDS,
    MODES,
    FieldError,
    validate_access_key_id,
    validate_bucket,
    validate_choice,
    validate_description,
    validate_endpoint,
    validate_name,
    validate_prefix,
    validate_region,
)

log = logging.getLogger(__name__)

CATALOG_FILE_VERSION = 1
#: Mode of the files of a catalog: the group that shares it reads them, nobody else.
CATALOG_FILE_MODE = 0o640

_CATALOG_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
#: Ids of connectors and of files in a catalog (a UUID for published ones).
_FILE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")

#: The fields of a connector that its published copy keeps (its key is encrypted again).
_COPIED_FIELDS = (
    *(name for name in EDITABLE_FIELDS if name != "credentials"),
    "creator",
    "created_at",
)


class CatalogError(StoreError):
    """A catalog cannot do what was asked; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CatalogSpec:
    """One entry of ``S3ConnectorsApp.catalogs``, checked."""

    name: str
    directory: str
    keys: tuple[str, ...] = ()
    read_only: bool = False
    title: str = ""

    @classmethod
    def parse(cls, value: Any, index: int) -> CatalogSpec:
        """Build from a configuration entry; raise ValueError naming what is wrong."""
        where = f"S3ConnectorsApp.catalogs[{index}]"
        if not isinstance(value, Mapping):
            raise ValueError(f"{where} must be an object with a name and a directory.")
        unknown = set(value) - {"name", "directory", "keys", "read_only", "title"}
        if unknown:
            raise ValueError(f"{where} has unknown settings: {', '.join(sorted(unknown))}.")
        name = value.get("name")
        if not isinstance(name, str) or not _CATALOG_NAME_RE.fullmatch(name):
            raise ValueError(
                f"{where}.name must be 1 to 63 lowercase letters, digits, '-' or '_', "
                "starting with a letter or digit."
            )
        directory = value.get("directory")
        if not isinstance(directory, str) or not directory.strip():
            raise ValueError(f"{where}.directory must be the path of a directory.")
        read_only = value.get("read_only", False)
        if not isinstance(read_only, bool):
            raise ValueError(f"{where}.read_only must be true or false.")
        keys = value.get("keys", [])
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise ValueError(
                f"{where}.keys must be a list of Fernet keys, 'env:NAME' or 'file:PATH'."
            )
        if not read_only and not keys:
            raise ValueError(
                f"{where} needs keys: the Fernet key(s) its members share to encrypt the "
                "secrets of published connectors (for example 'file:/path/to/catalog.key')."
            )
        title = value.get("title", "")
        if not isinstance(title, str):
            raise ValueError(f"{where}.title must be text.")
        return cls(
            name=name,
            directory=os.path.abspath(os.path.expanduser(directory)),
            keys=tuple(keys),
            read_only=read_only,
            title=title or name,
        )


def parse_catalogs(values: Sequence[Any]) -> list[CatalogSpec]:
    """The configured catalogs, checked; names must be unique."""
    specs = [CatalogSpec.parse(value, index) for index, value in enumerate(values)]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ValueError(f"S3ConnectorsApp.catalogs: the name '{spec.name}' is used twice.")
        seen.add(spec.name)
    return specs


@dataclass
class Published:
    """A connector as a catalog holds it."""

    catalog: str
    #: The id of the file: the original connector's id, or the file's name for admin files.
    source_id: str
    connector: Connector
    published_by: str
    published_at: str
    #: ``key`` (a secret, stored encrypted or named by the admin file) or ``server``.
    credentials: str = "key"
    #: Admin files only: where the secret is.
    secret_env: str | None = None
    secret_file: str | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return published_id(self.catalog, self.source_id)

    def to_api(self, active: bool, can_unpublish: bool) -> dict[str, Any]:
        data = self.connector.to_api()
        data.update(
            id=self.id,
            active=active,
            catalog=self.catalog,
            published_by=self.published_by,
            published_at=self.published_at,
            credentials=self.credentials,
            editable=False,
            can_unpublish=can_unpublish,
        )
        data["has_secret"] = self.credentials == "server" or bool(
            self.connector.secret or self.secret_env or self.secret_file
        )
        # Where the key comes from (never what it is, nor the variable or file's name).
        data["secret_source"] = (
            "server"
            if self.credentials == "server"
            else "administrator"
            if self.secret_env or self.secret_file
            else "catalog"
        )
        return data


def published_id(catalog: str, source_id: str) -> str:
    return f"{catalog}.{source_id}"


def split_published_id(connector_id: str) -> tuple[str, str] | None:
    """(catalog, source id) of a published connector's id; None for a user's own ids."""
    catalog, dot, source_id = connector_id.partition(".")
    if not dot or not _CATALOG_NAME_RE.fullmatch(catalog) or not _FILE_ID_RE.fullmatch(source_id):
        return None
    return catalog, source_id


class Catalog:
    """One catalog directory: list, publish, unpublish, and the secrets of its connectors."""

    def __init__(self, spec: CatalogSpec, now: Callable[[], datetime] = utc_now) -> None:
        self.spec = spec
        self.now = now
        label = f"the keys of catalog '{spec.name}'"
        self.keys = KeyProvider("", spec.keys, label=label) if spec.keys else None

    def __repr__(self) -> str:
        return f"<Catalog {self.spec.name} at {self.spec.directory!r}>"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def directory(self) -> str:
        return self.spec.directory

    # -- queries -----------------------------------------------------------------

    def unavailable(self) -> str | None:
        """Why this catalog cannot be read, or None."""
        try:
            is_directory = stat.S_ISDIR(os.stat(self.directory).st_mode)
        except FileNotFoundError:
            is_directory = False
        except OSError as error:
            return (
                f"This server cannot reach the directory {self.directory} of catalog "
                f"'{self.name}' ({error.strerror})."
            )
        if not is_directory:
            return f"The directory {self.directory} of catalog '{self.name}' does not exist."
        if not os.access(self.directory, os.R_OK | os.X_OK):
            return (
                f"This server cannot read the directory {self.directory} of catalog '{self.name}'."
            )
        return None

    def cannot_publish(self) -> str | None:
        """Why this server may not publish here (the catalog's role check), or None."""
        if self.spec.read_only:
            return (
                f"Catalog '{self.name}' holds connectors provided by the administrator; "
                "nobody publishes to it from JupyterLab."
            )
        reason = self.unavailable()
        if reason:
            return reason
        if not os.access(self.directory, os.W_OK | os.X_OK):
            return (
                f"You may not publish to catalog '{self.name}': this server cannot write its "
                f"directory {self.directory}. Ask its administrator for write access."
            )
        return None

    def list(self) -> tuple[list[Published], list[str]]:
        """The catalog's connectors sorted by name, and a message per file that was skipped."""
        if self.unavailable():
            return [], []
        published: list[Published] = []
        problems: list[str] = []
        try:
            names = sorted(os.listdir(self.directory))
        except OSError as error:
            return [], [
                f"The directory of catalog '{self.name}' cannot be listed ({error.strerror})."
            ]
        for file_name in names:
            source_id, extension = os.path.splitext(file_name)
            if extension != ".json" or file_name.startswith("."):
                continue
            try:
                published.append(self._read(source_id))
            except CatalogError as error:
                problems.append(error.message)
                log.warning("%s", error.message)
        return sorted(published, key=lambda p: p.connector.name), problems

    def get(self, source_id: str) -> Published:
        if not _FILE_ID_RE.fullmatch(source_id):
            raise CatalogError(f"Catalog '{self.name}' has no connector '{source_id}'.", 404)
        return self._read(source_id)

    def credentials(self, published: Published) -> Credentials:
        """The key of a published connector, for server-side use only."""
        connector = published.connector
        if published.credentials == "server":
            raise CatalogError(
                f"Connector '{connector.name}' uses the server's own AWS credentials.", 500
            )
        if published.secret_env is not None:
            secret = os.environ.get(published.secret_env, "")
            if not secret:
                raise CatalogError(
                    f"The secret of connector '{connector.name}' (catalog '{self.name}') is to "
                    f"come from the environment variable {published.secret_env}, which is not "
                    "set on this server. Ask its administrator.",
                    500,
                )
            return Credentials(connector.access_key_id, secret.strip())
        if published.secret_file is not None:
            try:
                with open(published.secret_file, encoding="utf-8") as handle:
                    secret = handle.read().strip()
            except (OSError, UnicodeError) as error:
                reason = getattr(error, "strerror", None) or "not UTF-8 text"
                raise CatalogError(
                    f"The secret of connector '{connector.name}' (catalog '{self.name}') cannot "
                    f"be read from {published.secret_file} ({reason}). Ask its administrator.",
                    500,
                ) from None
            if not secret:
                raise CatalogError(
                    f"The secret file {published.secret_file} of connector '{connector.name}' "
                    "is empty. Ask its administrator.",
                    500,
                )
            return Credentials(connector.access_key_id, secret)
        if not connector.secret or self.keys is None:
            raise CatalogError(
                f"Connector '{connector.name}' of catalog '{self.name}' has no secret.", 500
            )
        try:
            secret = self.keys.cipher(create=False).decrypt(connector.secret)
        except (InvalidToken, ValueError, UnicodeError):
            raise CatalogError(
                f"The secret of connector '{connector.name}' cannot be decrypted with "
                f"{self.keys.source}: this server does not have the catalog's key. Ask its "
                "administrator.",
                500,
            ) from None
        return Credentials(connector.access_key_id, secret)

    # -- mutations ---------------------------------------------------------------

    def publish(
        self, connector: Connector, credentials: Credentials | None, publisher: str
    ) -> Published:
        """Copy ``connector`` here (its secret encrypted with the catalog's key), or update
        the copy already published; ``credentials`` is None for ``credentials: server``."""
        reason = self.cannot_publish()
        if reason:
            raise CatalogError(reason, 403)
        assert self.keys is not None  # writable catalogs always have keys (CatalogSpec)
        with self._lock():
            previous = self._read_optional(connector.id)
            now = timestamp(self.now())
            copy = Connector(
                **{
                    **connector.to_file(),
                    "id": published_id(self.name, connector.id),
                    "active": False,
                    # The browser never gets a published connector's key.
                    "backend": "proxy" if connector.backend == "direct" else connector.backend,
                    "secret": (
                        self.keys.cipher(create=False).encrypt(credentials.secret_access_key)
                        if credentials is not None
                        else None
                    ),
                }
            )
            published = Published(
                catalog=self.name,
                source_id=connector.id,
                connector=copy,
                published_by=previous.published_by if previous else publisher,
                published_at=previous.published_at if previous else now,
                credentials="key" if credentials is not None else "server",
            )
            self._write(published, updated_at=now)
        return published

    def unpublish(self, source_id: str) -> None:
        """Remove a published connector's file (nothing happens if it is not there)."""
        reason = self.cannot_publish()
        if reason:
            raise CatalogError(reason, 403)
        with self._lock():
            path = self._path(source_id)
            try:
                os.unlink(path)
            except FileNotFoundError:
                return
            except OSError as error:
                raise CatalogError(
                    f"Connector file {path} cannot be removed ({error.strerror}).", 403
                ) from None
            fsync_directory(self.directory)

    # -- internals ---------------------------------------------------------------

    def _path(self, source_id: str) -> str:
        if not _FILE_ID_RE.fullmatch(source_id):
            raise CatalogError(f"'{source_id}' is not a valid connector id.", 400)
        return os.path.join(self.directory, source_id + ".json")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        path = os.path.join(self.directory, ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o660)
        except OSError as error:
            raise CatalogError(
                f"The lock file {path} of catalog '{self.name}' cannot be opened "
                f"({error.strerror}).",
                403,
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read_optional(self, source_id: str) -> Published | None:
        try:
            return self._read(source_id)
        except CatalogError as error:
            if error.status == 404:
                return None
            raise

    def _read(self, source_id: str) -> Published:
        path = self._path(source_id)
        try:
            with open(path, "rb") as handle:
                mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
                raw = handle.read()
        except FileNotFoundError:
            raise CatalogError(
                f"Catalog '{self.name}' has no connector '{source_id}'.", 404
            ) from None
        except OSError as error:
            raise CatalogError(f"{path} cannot be read ({error.strerror}).", 500) from None
        if mode & 0o007:
            raise self._invalid(
                path,
                f"it is readable or writable by every user (mode {mode:o}); make it "
                "private to the catalog's group (chmod 640)",
            )
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise self._invalid(path, "it is not valid JSON") from None
        if not isinstance(document, dict):
            raise self._invalid(path, "it is not a JSON object")
        return self._parse(path, source_id, document)

    def _parse(self, path: str, source_id: str, document: dict[str, Any]) -> Published:
        def text(name: str, default: str | None = None) -> str:
            value = document.get(name, default)
            if not isinstance(value, str):
                raise self._invalid(path, f'"{name}" is missing or not text')
            return value

        try:
            fields = {
                "name": validate_name(document.get("name")),
                "description": validate_description(document.get("description", "")),
                "endpoint": validate_endpoint(document.get("endpoint")),
                "region": validate_region(document.get("region"), "us-east-1"),
                "bucket": validate_bucket(document.get("bucket")),
                "prefix": validate_prefix(document.get("prefix", "")),
                "mode": validate_choice(document.get("mode"), MODES, DEFAULT_MODE, "mode"),
                "backend": validate_choice(
                    document.get("backend"), BACKENDS, DEFAULT_BACKEND, "backend"
                ),
            }
            credentials = validate_choice(
                document.get("credentials"), CREDENTIALS, "key", "credentials"
            )
            access_key_id = (
                validate_access_key_id(document.get("access_key_id"))
                if credentials == "key"
                else ""
            )
        except FieldError as error:
            raise self._invalid(path, str(error)) from None
        if fields["backend"] == "direct":
            fields["backend"] = "proxy"  # the browser never gets a catalog's key
        secret = document.get("secret")
        secret_env = document.get("secret_access_key_env")
        secret_file = document.get("secret_access_key_file")
        sources = [
            name
            for name in ("secret", "secret_access_key_env", "secret_access_key_file")
            if document.get(name) is not None
        ]
        if credentials == "key" and len(sources) != 1:
            raise self._invalid(
                path,
                "it must give exactly one of secret (published), secret_access_key_env or "
                "secret_access_key_file",
            )
        if credentials == "server" and sources:
            raise self._invalid(path, 'a connector with "credentials": "server" has no secret')
        if secret is not None and (self.spec.read_only or not isinstance(secret, str)):
            raise self._invalid(path, "an administrator's file names its secret, never holds it")
        if secret_env is not None and not (
            isinstance(secret_env, str) and _ENV_NAME_RE.fullmatch(secret_env)
        ):
            raise self._invalid(path, '"secret_access_key_env" is not an environment variable name')
        if secret_file is not None and not (
            isinstance(secret_file, str) and os.path.isabs(os.path.expanduser(secret_file))
        ):
            raise self._invalid(path, '"secret_access_key_file" is not an absolute path')
        if (secret_env is not None or secret_file is not None) and not self.spec.read_only:
            raise self._invalid(path, "only an administrator's catalog may name secrets")
        published_by = text("published_by", "administrator")
        published_at = text("published_at", "")
        connector = Connector(
            id=published_id(self.name, source_id),
            access_key_id=access_key_id,
            creator=text("creator", published_by),
            created_at=text("created_at", published_at),
            updated_at=text("updated_at", published_at),
            active=False,
            secret=secret,
            credentials=credentials,
            **fields,
        )
        return Published(
            catalog=self.name,
            source_id=source_id,
            connector=connector,
            published_by=published_by,
            published_at=published_at,
            credentials=credentials,
            secret_env=secret_env,
            secret_file=os.path.expanduser(secret_file) if secret_file else None,
        )

    def _invalid(self, path: str, detail: str) -> CatalogError:
        return CatalogError(f"Catalog file {path} was skipped: {detail}.", 500)

    def _write(self, published: Published, updated_at: str) -> None:
        connector = published.connector
        document = {
            "version": CATALOG_FILE_VERSION,
            **{name: getattr(connector, name) for name in _COPIED_FIELDS},
            "updated_at": updated_at,
            "credentials": published.credentials,
            "published_by": published.published_by,
            "published_at": published.published_at,
        }
        if connector.secret is not None:
            document["secret"] = connector.secret
        connector.updated_at = updated_at
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            atomic_write(
                self._path(published.source_id),
                data,
                mode=CATALOG_FILE_MODE,
                prefix=".publish-",
            )
        except OSError as error:
            raise CatalogError(
                f"Catalog '{self.name}' cannot be written ({error.strerror}).", 403
            ) from None


__all__ = [
    "CATALOG_FILE_MODE",
    "Catalog",
    "CatalogError",
    "CatalogSpec",
    "Published",
    "parse_catalogs",
    "published_id",
    "split_published_id",
]
