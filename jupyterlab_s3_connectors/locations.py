"""Where the connector store and its keys are, shared by the server and its kernels.

The server exports its store's location and key source in environment variables
(:func:`kernel_environment`) that the kernels it starts inherit; a kernel reads them back
with :meth:`StoreLocation.from_environment`. Without them (a kernel started by hand) the
server's defaults apply: the Jupyter data directory.

Literal encryption keys are never exported: the server writes them to a 0600 file in the
Jupyter runtime directory and exports ``file:<path>``, so that a notebook printing
``os.environ`` shows no key.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jupyter_core.paths import jupyter_data_dir

#: The connector store's path.
STORE_ENV = "JUPYTERLAB_S3_CONNECTORS_STORE"
#: The key file's path (used when no encryption keys are configured).
KEY_PATH_ENV = "JUPYTERLAB_S3_CONNECTORS_KEY_PATH"
#: A JSON list of ``S3ConnectorsApp.encryption_keys`` entries (``env:NAME``, ``file:PATH``).
ENCRYPTION_KEYS_ENV = "JUPYTERLAB_S3_CONNECTORS_ENCRYPTION_KEYS"
#: The region of connectors stored without one.
DEFAULT_REGION_ENV = "JUPYTERLAB_S3_CONNECTORS_DEFAULT_REGION"
#: A JSON list of ``S3ConnectorsApp.catalogs`` entries (keys as ``env:``/``file:`` only).
CATALOGS_ENV = "JUPYTERLAB_S3_CONNECTORS_CATALOGS"
#: Where mount backends mount buckets (``<mount root>/<connector name>``); set by the server.
MOUNT_ROOT_ENV = "JUPYTERLAB_S3_CONNECTORS_MOUNT_ROOT"


def default_store_path() -> str:
    return os.path.join(jupyter_data_dir(), "s3_connectors", "connectors.json")


def default_key_path() -> str:
    return os.path.join(jupyter_data_dir(), "s3_connectors", "connectors.key")


@dataclass(frozen=True)
class StoreLocation:
    """The store's path and where its encryption keys come from."""

    store_path: str
    key_path: str
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    default_region: str = "us-east-1"
    #: The catalogs' configuration, as JSON ("" for none).
    catalogs: str = field(default="", repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> StoreLocation:
        env = os.environ if environ is None else environ
        raw_keys = env.get(ENCRYPTION_KEYS_ENV, "")
        keys: tuple[str, ...] = ()
        if raw_keys:
            try:
                parsed = json.loads(raw_keys)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list) or not all(isinstance(k, str) for k in parsed):
                # Never echo the value: it may hold a key.
                raise ValueError(
                    f"The environment variable {ENCRYPTION_KEYS_ENV} is not a JSON list of "
                    "strings (env:NAME, file:PATH or keys)."
                )
            keys = tuple(parsed)
        return cls(
            store_path=os.path.expanduser(env.get(STORE_ENV) or default_store_path()),
            key_path=os.path.expanduser(env.get(KEY_PATH_ENV) or default_key_path()),
            encryption_keys=keys,
            default_region=env.get(DEFAULT_REGION_ENV) or "us-east-1",
            catalogs=env.get(CATALOGS_ENV, ""),
        )

    def catalog_entries(self) -> list[Any]:
        """The catalogs' configuration entries ([] when there are none)."""
        if not self.catalogs:
            return []
        try:
            entries = json.loads(self.catalogs)
        except ValueError:
            entries = None
        if not isinstance(entries, list):
            raise ValueError(f"The environment variable {CATALOGS_ENV} is not a JSON list.")
        return entries


class KernelEnvironment:
    """The variables the server exports to its kernels, and the key file it may write."""

    def __init__(self) -> None:
        self.variables: dict[str, str] = {}
        self._keys_files: list[str] = []
        self._previous: dict[str, str | None] = {}

    def export(
        self,
        *,
        store_path: str,
        key_path: str,
        encryption_keys: Sequence[str],
        default_region: str,
        runtime_dir: str,
        catalogs: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, str]:
        """Set the variables in ``os.environ`` (kernels inherit it); return them."""
        variables = {
            STORE_ENV: os.path.abspath(os.path.expanduser(store_path)),
            KEY_PATH_ENV: os.path.abspath(os.path.expanduser(key_path)),
            DEFAULT_REGION_ENV: default_region,
        }
        if encryption_keys:
            variables[ENCRYPTION_KEYS_ENV] = json.dumps(
                self._key_sources(encryption_keys, runtime_dir)
            )
        if catalogs:
            variables[CATALOGS_ENV] = json.dumps(
                [
                    {**entry, "keys": self._key_sources(entry.get("keys") or [], runtime_dir)}
                    for entry in catalogs
                ]
            )
        for name, value in variables.items():
            self._previous.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        # Variables left by an earlier server with keys or catalogs must not outlive them.
        for name in (ENCRYPTION_KEYS_ENV, CATALOGS_ENV):
            if name not in variables and name in os.environ:
                self._previous.setdefault(name, os.environ[name])
                del os.environ[name]
        self.variables = variables
        return variables

    def _key_sources(self, encryption_keys: Sequence[str], runtime_dir: str) -> list[str]:
        literal = [k.strip() for k in encryption_keys if not k.startswith(("env:", "file:"))]
        sources = []
        keys_file = None
        for entry in encryption_keys:
            if entry.startswith(("env:", "file:")):
                sources.append(entry)
            elif keys_file is None:
                keys_file = self._write_keys_file(literal, runtime_dir)
                sources.append("file:" + keys_file)
        return sources

    def _write_keys_file(self, keys: Sequence[str], runtime_dir: str) -> str:
        os.makedirs(runtime_dir, mode=0o700, exist_ok=True)
        # mkstemp creates the file with mode 0600.
        fd, path = tempfile.mkstemp(
            prefix="jupyterlab-s3-connectors-", suffix=".keys", dir=runtime_dir
        )
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("".join(key + "\n" for key in keys))
        self._keys_files.append(path)
        return path

    def restore(self) -> None:
        """Remove the key file and put ``os.environ`` back as it was."""
        for path in self._keys_files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._keys_files = []
        for name, value in self._previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._previous = {}
        self.variables = {}
