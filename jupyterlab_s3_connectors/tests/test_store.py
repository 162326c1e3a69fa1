"""Unit tests of the store and its encryption (no Jupyter server)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from jupyterlab_s3_connectors.crypto import KeyMissingError, KeyProvider
from jupyterlab_s3_connectors.errors import (
    ConnectorActive,
    ConnectorNotFound,
    DuplicateName,
    StoreError,
)
from jupyterlab_s3_connectors.store import ConnectorStore

from .conftest import SECRET

FIELDS = {
    "name": "demo",
    "description": "",
    "endpoint": "http://127.0.0.1:9000",
    "region": "us-east-1",
    "bucket": "demo",
    "prefix": "",
    "access_key_id": "AKID",
    "mode": "read-write",
    "backend": "proxy",
}

REPO_ROOT = Path(__file__).resolve().parents[2]


def make_store(store_path: Path, key_path: Path, keys=()) -> ConnectorStore:
    return ConnectorStore(str(store_path), KeyProvider(str(key_path), keys))


@pytest.fixture
def store(store_path, key_path) -> ConnectorStore:
    return make_store(store_path, key_path)


def test_empty_store_reads_without_creating_files(store, store_dir):
    assert store.list_connectors() == []
    assert not store_dir.exists()


def test_create_encrypts_and_protects_files(store, store_path, key_path, store_dir):
    connector = store.create(FIELDS, SECRET, "alice")
    assert connector.secret and connector.secret != SECRET
    assert store.credentials(connector.id).secret_access_key == SECRET
    assert SECRET.encode() not in store_path.read_bytes()
    document = json.loads(store_path.read_text())
    assert document["version"] == 1
    assert document["connectors"][0]["name"] == "demo"
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_dir.stat().st_mode) == 0o700
    # no temporary files left behind
    assert sorted(p.name for p in store_dir.iterdir()) == [
        "connectors.json",
        "connectors.json.lock",
        "connectors.key",
    ]


def test_secret_never_in_repr_or_api(store):
    connector = store.create(FIELDS, SECRET, "alice")
    credentials = store.credentials(connector.id)
    for text in (repr(connector), repr(credentials), repr(store), repr(store.keys), str(connector)):
        assert SECRET not in text
        assert connector.secret not in text
    api = connector.to_api()
    assert "secret" not in api
    assert api["has_secret"] is True
    assert SECRET not in json.dumps(api)


def test_crud_and_errors(store):
    first = store.create(FIELDS, SECRET, "alice")
    with pytest.raises(DuplicateName):
        store.create(FIELDS, SECRET, "bob")
    second = store.create({**FIELDS, "name": "another"}, "other", "bob")
    assert [c.name for c in store.list_connectors()] == ["another", "demo"]
    with pytest.raises(DuplicateName):
        store.update(second.id, {"name": "demo"})
    updated = store.update(first.id, {"description": "changed"})
    assert updated.description == "changed"
    assert store.credentials(first.id).secret_access_key == SECRET
    store.update(first.id, {}, "rotated")
    assert store.credentials(first.id).secret_access_key == "rotated"
    store.set_active(first.id, True)
    with pytest.raises(ConnectorActive):
        store.delete(first.id)
    assert make_store(Path(store.path), Path(store.keys.key_path)).get(first.id).active
    store.set_active(first.id, False)
    store.delete(first.id)
    with pytest.raises(ConnectorNotFound):
        store.get(first.id)
    with pytest.raises(ValueError):
        store.update(second.id, {"id": "forged"})


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"\xff\xfe",
        b"[]",
        b'{"version": 1}',
        b'{"version": 2, "connectors": []}',
        b'{"version": 1, "connectors": [1]}',
        b'{"version": 1, "connectors": [{"id": "x"}]}',
    ],
)
def test_corrupt_store_is_reported_and_never_rewritten(store, store_path, content):
    store_path.parent.mkdir(mode=0o700)
    store_path.write_bytes(content)
    for operation in (
        store.list_connectors,
        lambda: store.create(FIELDS, SECRET, "alice"),
        lambda: store.set_active("x", True),
        lambda: store.delete("x"),
    ):
        with pytest.raises(StoreError) as info:
            operation()
        assert str(store_path) in info.value.message
        assert "left untouched" in info.value.message
    assert store_path.read_bytes() == content


def test_missing_key_file_with_secrets_is_an_error(store, store_path, key_path):
    connector = store.create(FIELDS, SECRET, "alice")
    before = store_path.read_bytes()
    key_path.unlink()
    with pytest.raises(KeyMissingError) as info:
        store.credentials(connector.id)
    assert str(key_path) in info.value.message
    with pytest.raises(KeyMissingError):
        store.create({**FIELDS, "name": "second"}, "x", "alice")
    with pytest.raises(KeyMissingError):
        store.update(connector.id, {}, "new")
    assert not key_path.exists()
    assert store_path.read_bytes() == before


def test_wrong_key_gives_a_clear_error(store, store_path, key_path):
    connector = store.create(FIELDS, SECRET, "alice")
    key_path.write_bytes(Fernet.generate_key() + b"\n")
    with pytest.raises(StoreError) as info:
        store.credentials(connector.id)
    assert "cannot be decrypted" in info.value.message
    assert "demo" in info.value.message


def test_loose_key_file_permissions_are_fixed(store, key_path):
    connector = store.create(FIELDS, SECRET, "alice")
    os.chmod(key_path, 0o644)
    assert store.credentials(connector.id).secret_access_key == SECRET
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_invalid_key_file(store, key_path):
    key_path.parent.mkdir(mode=0o700)
    key_path.write_bytes(b"not-a-key\n")
    with pytest.raises(StoreError) as info:
        store.create(FIELDS, SECRET, "alice")
    assert "not-a-key" not in info.value.message
    assert str(key_path) in info.value.message


def test_configured_keys_rotate_with_multifernet(store_path, key_path):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    old = make_store(store_path, key_path, [old_key])
    connector = old.create(FIELDS, SECRET, "alice")
    assert not key_path.exists()  # configured keys replace the key file

    rotated = make_store(store_path, key_path, [new_key, old_key])
    assert rotated.credentials(connector.id).secret_access_key == SECRET
    rotated.update(connector.id, {}, "fresh")
    only_new = make_store(store_path, key_path, [new_key])
    assert only_new.credentials(connector.id).secret_access_key == "fresh"

    with pytest.raises(StoreError) as info:
        make_store(store_path, key_path, ["bad-key"]).credentials(connector.id)
    assert "bad-key" not in info.value.message
    assert "encryption_keys[0]" in info.value.message


WRITER = """
import sys
from jupyterlab_s3_connectors.crypto import KeyProvider
from jupyterlab_s3_connectors.store import ConnectorStore

store_path, key_path, prefix = sys.argv[1:4]
store = ConnectorStore(store_path, KeyProvider(key_path))
fields = {
    "description": "", "endpoint": "http://127.0.0.1:9000", "region": "us-east-1",
    "bucket": "demo", "prefix": "", "access_key_id": "AKID", "mode": "read-write",
    "backend": "proxy",
}
for index in range(50):
    store.create({**fields, "name": f"{prefix}-{index}"}, f"secret-{prefix}-{index}", prefix)
"""


def test_two_processes_writing_lose_nothing(store_path, key_path):
    # Both processes start with no store and no key: the key is created exactly once.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store_path), str(key_path), prefix],
            cwd=REPO_ROOT,
            stderr=subprocess.PIPE,
        )
        for prefix in ("a", "b")
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()
    store = make_store(store_path, key_path)
    connectors = store.list_connectors()
    assert len(connectors) == 100
    assert len({c.id for c in connectors}) == 100
    for connector in connectors:
        assert store.credentials(connector.id).secret_access_key == f"secret-{connector.name}"
