"""Stores for the kernel API's tests: connectors written straight into a store file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..crypto import KeyProvider
from ..locations import (
    DEFAULT_REGION_ENV,
    ENCRYPTION_KEYS_ENV,
    KEY_PATH_ENV,
    MOUNT_ROOT_ENV,
    STORE_ENV,
)
from ..store import ConnectorStore
from .conftest import DEMO_BUCKET, SECRET

KERNEL_ENV = (STORE_ENV, KEY_PATH_ENV, ENCRYPTION_KEYS_ENV, DEFAULT_REGION_ENV, MOUNT_ROOT_ENV)


class KernelStore:
    """A store at a custom path, named to kernels through the environment variables."""

    def __init__(self, path: Path, key_path: Path, encryption_keys: list[str] | None = None):
        self.path = path
        self.key_path = key_path
        self.encryption_keys = encryption_keys or []
        self.store = ConnectorStore(str(path), KeyProvider(str(key_path), self.encryption_keys))

    def env(self) -> dict[str, str]:
        variables = {STORE_ENV: str(self.path), KEY_PATH_ENV: str(self.key_path)}
        if self.encryption_keys:
            variables[ENCRYPTION_KEYS_ENV] = json.dumps(self.encryption_keys)
        return variables

    def add(
        self,
        name: str,
        endpoint: str,
        *,
        active: bool = True,
        secret: str = SECRET,
        **fields: Any,
    ) -> str:
        values = {
            "name": name,
            "description": "",
            "endpoint": endpoint,
            "region": "us-east-1",
            "bucket": DEMO_BUCKET,
            "prefix": "",
            "access_key_id": f"AKID{name.upper().replace('-', '')}",
            "mode": "read-write",
            "backend": "proxy",
        }
        values.update(fields)
        created = self.store.create(values, secret, "alice")
        if active:
            self.store.set_active(created.id, True)
        return created.id

    def id_of(self, name: str) -> str:
        return next(c.id for c in self.store.list_connectors() if c.name == name)


@pytest.fixture
def kernel_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KernelStore:
    """An empty store, and this process's environment pointing at it."""
    for name in KERNEL_ENV:
        monkeypatch.delenv(name, raising=False)
    store = KernelStore(tmp_path / "elsewhere" / "my-store.json", tmp_path / "keys" / "my.key")
    for name, value in store.env().items():
        monkeypatch.setenv(name, value)
    return store
