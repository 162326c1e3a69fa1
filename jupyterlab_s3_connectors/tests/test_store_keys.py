"""Keys that can't be lost: fingerprints, refusals to mix keys, rotation, leftovers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from jupyterlab_s3_connectors.crypto import KeyMissingError, KeyProvider, fingerprint
from jupyterlab_s3_connectors.errors import StoreError
from jupyterlab_s3_connectors.store import ConnectorStore

from .conftest import SECRET
from .test_store import FIELDS, REPO_ROOT, make_store


def document(store_path: Path) -> dict:
    return json.loads(store_path.read_text())


def test_the_store_records_the_fingerprint_of_its_key(store_path, key_path):
    store = make_store(store_path, key_path)
    store.create(FIELDS, SECRET, "alice")
    [key] = key_path.read_bytes().split()
    assert document(store_path)["key_fingerprints"] == [fingerprint(key)]
    assert key.decode() not in store_path.read_text()
    assert fingerprint(key) != fingerprint(Fernet.generate_key())


def _every_edit(store: ConnectorStore, connector_id: str) -> list:
    return [
        lambda: store.create({**FIELDS, "name": "second"}, "other-secret", "bob"),
        lambda: store.update(connector_id, {"description": "changed"}),
        lambda: store.update(connector_id, {}, "new-secret"),
        lambda: store.set_active(connector_id, True),
        lambda: store.delete(connector_id),
        store.rotate_secrets,
    ]


def test_a_key_that_cannot_open_the_secrets_writes_nothing(store_path, key_path):
    store = make_store(store_path, key_path)
    connector = store.create(FIELDS, SECRET, "alice")
    original_key = key_path.read_bytes()
    before = store_path.read_bytes()
    key_path.write_bytes(Fernet.generate_key() + b"\n")  # the key file was replaced
    for edit in _every_edit(store, connector.id):
        with pytest.raises(StoreError) as info:
            edit()
        assert str(key_path) in info.value.message
        assert "'demo'" in info.value.message
        assert store_path.read_bytes() == before
    key_path.write_bytes(original_key)
    assert store.credentials(connector.id).secret_access_key == SECRET


def test_with_the_key_file_missing_no_edit_rewrites_the_store(store_path, key_path):
    store = make_store(store_path, key_path)
    connector = store.create(FIELDS, SECRET, "alice")
    before = store_path.read_bytes()
    key_path.unlink()
    for edit in _every_edit(store, connector.id):
        with pytest.raises(KeyMissingError) as info:
            edit()
        assert str(key_path) in info.value.message
    assert store_path.read_bytes() == before
    assert not key_path.exists()


def test_two_servers_with_different_keys_cannot_corrupt_each_other(store_path, tmp_path):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    server_a = make_store(store_path, tmp_path / "a.key", [key_a])
    server_b = make_store(store_path, tmp_path / "b.key", [key_b])
    first = server_a.create(FIELDS, "secret-a", "alice")
    with pytest.raises(StoreError) as info:
        server_b.create({**FIELDS, "name": "from-b"}, "secret-b", "bob")
    assert "S3ConnectorsApp.encryption_keys" in info.value.message
    assert fingerprint(key_a.encode()) in info.value.message
    with pytest.raises(StoreError):
        server_b.update(first.id, {}, "secret-b")
    # A still opens everything; nothing of B was written.
    assert [c.name for c in server_a.list_connectors()] == ["demo"]
    assert server_a.credentials(first.id).secret_access_key == "secret-a"

    # Nor does a server whose key file was never created (another key_path).
    server_c = make_store(store_path, tmp_path / "c.key")
    with pytest.raises(KeyMissingError):
        server_c.create({**FIELDS, "name": "from-c"}, "secret-c", "carol")
    assert not (tmp_path / "c.key").exists()


def test_rotation_re_encrypts_every_secret_under_the_first_key(store_path, key_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = make_store(store_path, key_path, [old])
    ids = [before.create({**FIELDS, "name": f"c{i}x"}, f"secret-{i}", "alice").id for i in range(3)]

    both = make_store(store_path, key_path, [new, old])
    both.update(ids[0], {}, "fresh")  # one secret already under the new key
    assert set(document(store_path)["key_fingerprints"]) == {
        fingerprint(old.encode()),
        fingerprint(new.encode()),
    }
    assert both.rotate_secrets() == 2
    assert document(store_path)["key_fingerprints"] == [fingerprint(new.encode())]
    assert both.rotate_secrets() == 0

    only_new = make_store(store_path, key_path, [new])
    assert [only_new.credentials(i).secret_access_key for i in ids] == [
        "fresh",
        "secret-1",
        "secret-2",
    ]
    assert sorted(p.name for p in store_path.parent.iterdir()) == [
        "connectors.json",
        "connectors.json.lock",
    ]


def rotate(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the rotation command in this process: (exit code, stdout, stderr)."""
    from jupyterlab_s3_connectors.rotate import RotateKeysApp

    app = RotateKeysApp()
    try:
        app.initialize(argv)
        app.start()
        code = 0
    except SystemExit as error:
        code = int(error.code or 0)
    finally:
        RotateKeysApp.clear_instance()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def no_user_config(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "config"))


def test_rotation_command_with_a_key_file(store_path, key_path, capsys, no_user_config):
    store = make_store(store_path, key_path)
    connector = store.create(FIELDS, SECRET, "alice")
    old_key = key_path.read_bytes().strip()
    code, out, err = rotate(
        [
            f"--store-path={store_path}",
            f"--key-path={key_path}",
            "--generate-key",
            "--retire-old-keys",
        ],
        capsys,
    )
    assert code == 0, err
    assert "Re-encrypted 1 secret(s)" in out
    [new_key] = key_path.read_bytes().split()
    assert new_key != old_key
    assert old_key.decode() not in out + err
    assert make_store(store_path, key_path).credentials(connector.id).secret_access_key == SECRET
    assert document(store_path)["key_fingerprints"] == [fingerprint(new_key)]


def test_the_rotation_command_refuses_keys_that_cannot_open_the_store(
    store_path, key_path, capsys, no_user_config
):
    store = make_store(store_path, key_path)
    store.create(FIELDS, SECRET, "alice")
    before = store_path.read_bytes()
    other = Fernet.generate_key().decode()
    code, out, err = rotate(
        [
            f"--store-path={store_path}",
            f"--key-path={key_path}",
            f"--S3ConnectorsApp.encryption_keys={other}",
        ],
        capsys,
    )
    assert code == 1
    assert "cannot open every secret" in err
    assert other not in out + err
    assert store_path.read_bytes() == before


def test_the_rotation_command_runs_as_a_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "jupyterlab_s3_connectors.rotate", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--generate-key" in result.stdout


# -- at server start ------------------------------------------------------------------

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


class TestAtStart:
    @pytest.fixture
    def extension_config(self, store_path, key_path):
        store = ConnectorStore(str(store_path), KeyProvider(str(key_path), [OLD_KEY]))
        store.create(FIELDS, SECRET, "alice")
        (store_path.parent / ".connectors.json.x1y2z3.tmp").write_text('{"half": ')
        return {"encryption_keys": [NEW_KEY, OLD_KEY], "rotate_keys_at_start": True}

    async def test_secrets_are_rotated_and_leftovers_removed(self, api, store_path, key_path):
        listed = await api("GET", "connectors")
        assert listed.code == 200
        assert document(store_path)["key_fingerprints"] == [fingerprint(NEW_KEY.encode())]
        assert not (store_path.parent / ".connectors.json.x1y2z3.tmp").exists()
        [connector] = listed.json["connectors"]
        only_new = ConnectorStore(str(store_path), KeyProvider(str(key_path), [NEW_KEY]))
        assert only_new.credentials(connector["id"]).secret_access_key == SECRET


def test_crash_leftovers_are_removed(store_path, key_path):
    import os

    store = make_store(store_path, key_path)
    store.create(FIELDS, SECRET, "alice")
    directory = store_path.parent
    (directory / ".connectors.json.abc123.tmp").write_text("{")
    old_key_tmp, new_key_tmp = directory / ".key-old1", directory / ".key-new1"
    old_key_tmp.write_bytes(b"half a key")
    new_key_tmp.write_bytes(b"being written")
    os.utime(old_key_tmp, (0, 0))
    assert sorted(store.clean_leftovers()) == [".connectors.json.abc123.tmp", ".key-old1"]
    assert new_key_tmp.exists()  # may be a rotation in progress
    assert store.credentials(store.list_connectors()[0].id).secret_access_key == SECRET


class TestServerWithOtherKeys:
    @pytest.fixture
    def extension_config(self, store_path, key_path):
        store = ConnectorStore(str(store_path), KeyProvider(str(key_path), [OLD_KEY]))
        store.create(FIELDS, SECRET, "alice")
        return {"encryption_keys": [NEW_KEY]}

    async def test_edits_are_refused_with_a_clear_error(self, api, store_path):
        before = store_path.read_bytes()
        [connector] = (await api("GET", "connectors")).json["connectors"]
        for method, path, body in [
            ("PATCH", ("connectors", connector["id"]), {"description": "x"}),
            ("POST", ("connectors", connector["id"], "activate"), None),
            ("DELETE", ("connectors", connector["id"]), None),
        ]:
            answer = await api(method, *path, body=body)
            assert answer.code == 500, answer
            assert "S3ConnectorsApp.encryption_keys" in answer.json["message"]
            assert NEW_KEY not in answer.raw and OLD_KEY not in answer.raw
        assert store_path.read_bytes() == before
