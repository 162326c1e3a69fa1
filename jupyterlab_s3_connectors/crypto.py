"""Encryption of connector secrets at rest (Fernet, through MultiFernet so keys can rotate).

The key comes from configuration (``S3ConnectorsApp.encryption_keys``) or from its own key
file, created with mode 0600 the first time a secret is stored. A key file holding several
keys (one per line) works like the configured list: the first key encrypts, all decrypt.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import StoreError

log = logging.getLogger(__name__)


class KeyMissingError(StoreError):
    """The key file is absent although encrypted secrets exist."""


class SecretCipher:
    """Encrypts and decrypts secrets; holds the keys and never shows them."""

    def __init__(self, keys: Sequence[bytes], source: str):
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self.source = source

    def __repr__(self) -> str:
        return f"<SecretCipher from {self.source}>"

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt ``token``; raise :class:`InvalidToken` when no key fits."""
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")


class KeyProvider:
    """Finds (and, when allowed, creates) the keys that protect the store's secrets."""

    def __init__(self, key_path: str, configured_keys: Sequence[str] = ()):
        self.key_path = key_path
        self._configured_keys = list(configured_keys)
        self._cipher: SecretCipher | None = None

    def __repr__(self) -> str:
        if self._configured_keys:
            return f"<KeyProvider with {len(self._configured_keys)} configured key(s)>"
        return f"<KeyProvider key_path={self.key_path!r}>"

    def cipher(self, *, create: bool) -> SecretCipher:
        """Return the cipher.

        ``create`` allows generating the key file when it does not exist. Callers pass
        ``create=False`` whenever the store already holds secrets: a fresh key could
        never decrypt them, so a missing key file must be reported instead.
        """
        if self._configured_keys:
            if self._cipher is None:
                keys = _parse_configured(self._configured_keys)
                self._cipher = SecretCipher(keys, "configuration")
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


def _parse_configured(values: Sequence[str]) -> list[bytes]:
    keys = []
    for index, value in enumerate(values):
        key = value.strip().encode("ascii", "replace")
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # Never echo the value: it is meant to be a secret.
            raise StoreError(
                f"S3ConnectorsApp.encryption_keys[{index}] is not a valid Fernet key "
                "(generate one with cryptography.fernet.Fernet.generate_key())."
            ) from None
        keys.append(key)
    return keys


__all__ = ["InvalidToken", "KeyMissingError", "KeyProvider", "SecretCipher"]
