"""Encryption of connector secrets at rest (Fernet, through MultiFernet so keys can rotate).

The key comes from configuration (``S3ConnectorsApp.encryption_keys``) or from its own key
file, created with mode 0600 the first time a secret is stored. A key file holding several
keys (one per line) works like the configured list: the first key encrypts, all decrypt.

Each key has a :func:`fingerprint` (a salted SHA-256, safe to store and to show): the store
records those of the keys that encrypted its secrets, so a server given other keys refuses
to write instead of mixing secrets nobody can open again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import StoreError
from .redact import register_secret

log = logging.getLogger(__name__)

#: What identifies one version of a file: inode, device, size, mtime and ctime (ns).
FileState = tuple[int, int, int, int, int]


def file_state(info: os.stat_result) -> FileState:
    """The :data:`FileState` of a ``stat`` result: files written by replacing them (as the
    store and the key file are) get a new inode with each write."""
    return (info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class KeyMissingError(StoreError):
    """The key file is absent although encrypted secrets exist."""


def fingerprint(key: bytes) -> str:
    """A short, non-secret identifier of a Fernet key."""
    return hashlib.sha256(b"jupyterlab-s3-connectors key fingerprint\n" + key).hexdigest()[:16]


class SecretCipher:
    """Encrypts and decrypts secrets; holds the keys and never shows them."""

    def __init__(self, keys: Sequence[bytes], source: str):
        self._fernets = [(fingerprint(key), Fernet(key)) for key in keys]
        self._fernet = MultiFernet([fernet for _, fernet in self._fernets])
        self.source = source

    def __repr__(self) -> str:
        return f"<SecretCipher from {self.source}>"

    @property
    def fingerprints(self) -> list[str]:
        """The keys' fingerprints, the encrypting (first) key's first."""
        return [name for name, _ in self._fernets]

    def fingerprint_of(self, token: str) -> str | None:
        """The fingerprint of the key that encrypted ``token``, or None if no key opens it."""
        try:
            data = token.encode("ascii")
        except UnicodeError:
            return None
        for name, fernet in self._fernets:
            try:
                fernet.decrypt(data)
            except InvalidToken:
                continue
            return name
        return None

    def rotate(self, token: str) -> str:
        """``token`` re-encrypted under the first key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt ``token``; raise :class:`InvalidToken` when no key fits."""
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")


class KeyProvider:
    """Finds (and, when allowed, creates) the keys that protect the store's secrets."""

    def __init__(
        self,
        key_path: str,
        configured_keys: Sequence[str] = (),
        label: str = "S3ConnectorsApp.encryption_keys",
    ):
        self.key_path = key_path
        self._configured_keys = list(configured_keys)
        #: Where the configured keys are set, for messages (a catalog names its own).
        self.label = label
        self._cipher: SecretCipher | None = None

    def __repr__(self) -> str:
        if self._configured_keys:
            return f"<KeyProvider with {len(self._configured_keys)} configured key(s)>"
        return f"<KeyProvider key_path={self.key_path!r}>"

    @property
    def source(self) -> str:
        """Where the keys come from, for messages."""
        return self.label if self._configured_keys else self.key_path

    @property
    def uses_key_file(self) -> bool:
        return not self._configured_keys

    def state(self) -> FileState | None:
        """Changes whenever the keys may have (configured keys never do); None when the key
        file cannot be seen."""
        if self._configured_keys:
            return (0, 0, 0, 0, 0)
        try:
            return file_state(os.stat(self.key_path))
        except OSError:
            return None

    def cipher(self, *, create: bool) -> SecretCipher:
        """Return the cipher.

        ``create`` allows generating the key file when it does not exist. Callers pass
        ``create=False`` whenever the store already holds secrets: a fresh key could
        never decrypt them, so a missing key file must be reported instead.
        """
        if self._configured_keys:
            if self._cipher is None:
                configured = _parse_configured(self._configured_keys, self.label)
                self._cipher = SecretCipher(configured, self.label)
            return self._cipher
        # The key file is read every time (it is tiny): a key file deleted or replaced while
        # the server runs must not let new secrets be encrypted with a key that is gone.
        keys = self._read_key_file()
        if keys is None:
            if not create:
                raise KeyMissingError(
                    f"The encryption key file {self.key_path} is missing, but the connector "
                    "store holds encrypted secrets. Restore the key file (or configure "
                    "S3ConnectorsApp.encryption_keys) and reload; the store was left untouched."
                )
            keys = self._create_key_file()
        return SecretCipher(keys, self.key_path)

    def _read_key_file(self) -> list[bytes] | None:
        try:
            fd = os.open(self.key_path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(
                f"The encryption key file {self.key_path} cannot be read ({error.strerror})."
            ) from None
        with os.fdopen(fd, "rb") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            if mode & 0o077:
                log.warning(
                    "The encryption key file %s had permissions %o; restricting them to 0600.",
                    self.key_path,
                    mode,
                )
                os.fchmod(handle.fileno(), 0o600)
            content = handle.read()
        keys = [line.strip() for line in content.splitlines() if line.strip()]
        if not keys:
            raise StoreError(
                f"The encryption key file {self.key_path} is empty. Restore it from a backup "
                "or, if the store holds no secrets, delete it so a new key is generated."
            )
        for key in keys:
            try:
                Fernet(key)
            except (ValueError, TypeError):
                raise StoreError(
                    f"The encryption key file {self.key_path} does not hold valid Fernet keys "
                    "(one url-safe base64 key of 32 bytes per line)."
                ) from None
            register_secret(key.decode("ascii", "replace"))
        return keys

    def _create_key_file(self) -> list[bytes]:
        directory = os.path.dirname(os.path.abspath(self.key_path))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        key = Fernet.generate_key()
        fd, tmp_path = tempfile.mkstemp(prefix=".key-", dir=directory)  # mkstemp uses 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                # link() refuses to replace: if another process won the race, use its key.
                os.link(tmp_path, self.key_path)
            except FileExistsError:
                keys = self._read_key_file()
                if keys is None:  # pragma: no cover - deleted between link and read
                    raise StoreError(f"The encryption key file {self.key_path} vanished.") from None
                return keys
        finally:
            os.unlink(tmp_path)
        log.info("Created the connector encryption key file %s", self.key_path)
        return [key]

    def write_key_file(self, keys: Sequence[bytes]) -> None:
        """Replace the key file's keys atomically (mode 0600); for rotation."""
        directory = os.path.dirname(os.path.abspath(self.key_path))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(prefix=".key-", dir=directory)  # mkstemp uses 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"".join(key + b"\n" for key in keys))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_path, self.key_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
            raise

    def key_file_keys(self) -> list[bytes]:
        """The keys of the key file ([] when it does not exist)."""
        return self._read_key_file() or []


def _parse_configured(values: Sequence[str], label: str) -> list[bytes]:
    """The configured keys: each a Fernet key, ``env:NAME`` or ``file:PATH`` (keys a line)."""
    keys = []
    for index, value in enumerate(values):
        where = f"{label}[{index}]"
        for key in _resolve(value.strip(), where):
            try:
                Fernet(key)
            except (ValueError, TypeError):
                # Never echo the value: it is meant to be a secret.
                raise StoreError(
                    f"{where} is not a valid Fernet key (generate one with "
                    "cryptography.fernet.Fernet.generate_key())."
                ) from None
            register_secret(key.decode("ascii", "replace"))
            keys.append(key)
    return keys


def _resolve(value: str, where: str) -> list[bytes]:
    if value.startswith("env:"):
        name = value[4:]
        found = os.environ.get(name)
        if not found:
            raise StoreError(f"{where} names the environment variable {name}, which is not set.")
        return [found.strip().encode("ascii", "replace")]
    if value.startswith("file:"):
        path = os.path.expanduser(value[5:])
        try:
            with open(path, "rb") as handle:
                lines = [line.strip() for line in handle.read().splitlines() if line.strip()]
        except OSError as error:
            raise StoreError(
                f"{where} names the key file {path}, which cannot be read ({error.strerror})."
            ) from None
        if not lines:
            raise StoreError(f"{where} names the key file {path}, which is empty.")
        return lines
    return [value.encode("ascii", "replace")]


__all__ = [
    "FileState",
    "InvalidToken",
    "KeyMissingError",
    "KeyProvider",
    "SecretCipher",
    "file_state",
    "fingerprint",
]
