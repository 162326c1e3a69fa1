"""Catalogs of published connectors, their files and the registry (no Jupyter server)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import traceback
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from jupyterlab_s3_connectors.catalogs import (
    CATALOG_FILE_MODE,
    Catalog,
    CatalogError,
    CatalogSpec,
    parse_catalogs,
    split_published_id,
)
from jupyterlab_s3_connectors.crypto import KeyProvider
from jupyterlab_s3_connectors.registry import ConnectorRegistry
from jupyterlab_s3_connectors.store import ConnectorStore

from .conftest import SECRET

FIELDS = {
    "name": "shared-data",
    "description": "Team data",
    "endpoint": "http://127.0.0.1:9000",
    "region": "us-east-1",
    "bucket": "team",
    "prefix": "",
    "access_key_id": "AKIDTEAM",
    "mode": "read-only",
    "backend": "proxy",
}


def catalog_key(path: Path) -> str:
    path.write_bytes(Fernet.generate_key() + b"\n")
    path.chmod(0o640)
    return f"file:{path}"


@pytest.fixture
def team_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "catalogs" / "team"
    directory.mkdir(parents=True)
    return directory


@pytest.fixture
def team_spec(tmp_path: Path, team_dir: Path) -> CatalogSpec:
    key = catalog_key(tmp_path / "team.key")
    return CatalogSpec.parse({"name": "team", "directory": str(team_dir), "keys": [key]}, 0)


def user_registry(home: Path, *specs: CatalogSpec) -> ConnectorRegistry:
    store = ConnectorStore(str(home / "connectors.json"), KeyProvider(str(home / "connectors.key")))
    return ConnectorRegistry(store, [Catalog(spec) for spec in specs])


@pytest.fixture
def alice(tmp_path, team_spec) -> ConnectorRegistry:
    return user_registry(tmp_path / "alice", team_spec)


@pytest.fixture
def bob(tmp_path, team_spec) -> ConnectorRegistry:
    return user_registry(tmp_path / "bob", team_spec)


def test_publish_copies_with_the_catalogs_key_and_no_plain_secret(alice, bob, team_dir):
    own = alice.store.create(FIELDS, SECRET, "alice")
    published = alice.publish(own.id, "team", "alice")

    path = team_dir / f"{own.id}.json"
    raw = path.read_bytes()
    assert SECRET.encode() not in raw
    assert stat.S_IMODE(path.stat().st_mode) == CATALOG_FILE_MODE
    document = json.loads(raw)
    assert document["published_by"] == "alice"
    assert document["published_at"].endswith("Z")
    assert document["secret"] != own.secret  # encrypted again, with the catalog's key
    assert sorted(p.name for p in team_dir.iterdir()) == [".lock", f"{own.id}.json"]

    # Bob's server sees it, with the publisher, and can use its key server-side.
    [entry] = bob.catalogs_for_api()
    assert entry["cannot_publish"] is None
    [shown] = entry["connectors"]
    assert shown["id"] == published.id == f"team.{own.id}"
    assert shown["published_by"] == "alice" and shown["editable"] is False
    assert shown["can_unpublish"] is False and shown["active"] is False
    assert "secret" not in shown and shown["secret_source"] == "catalog"
    assert SECRET not in json.dumps(shown) and document["secret"] not in json.dumps(shown)
    connector = bob.get(published.id)
    assert bob.credentials_of(connector).secret_access_key == SECRET


def test_activation_of_a_published_connector_is_per_user(alice, bob):
    own = alice.store.create(FIELDS, SECRET, "alice")
    published = alice.publish(own.id, "team", "alice")
    assert bob.set_active(published.id, True).active is True
    assert bob.get(published.id).active is True
    assert alice.get(published.id).active is False
    bob.set_active(published.id, False)
    assert bob.get(published.id).active is False


def test_only_the_owner_unpublishes_and_a_published_connector_is_not_deletable(alice, bob):
    own = alice.store.create(FIELDS, SECRET, "alice")
    published = alice.publish(own.id, "team", "alice")
    with pytest.raises(CatalogError) as refused:
        bob.unpublish(published.id, "team")
    assert refused.value.status == 403
    with pytest.raises(CatalogError) as refused:
        alice.check_deletable(own.id)
    assert refused.value.status == 409 and "'team'" in refused.value.message
    assert alice.publications(own.id) == ["team"]

    alice.unpublish(own.id, "team")
    assert bob.catalogs_for_api()[0]["connectors"] == []
    alice.check_deletable(own.id)  # no longer published
    with pytest.raises(CatalogError) as missing:
        bob.get(published.id)
    assert missing.value.status == 404


def test_publishing_again_updates_the_copy_and_keeps_who_and_when(alice, team_dir):
    own = alice.store.create(FIELDS, SECRET, "alice")
    first = alice.publish(own.id, "team", "alice")
    alice.store.update(own.id, {"description": "Updated"}, "new-secret-value")
    second = alice.publish(own.id, "team", "someone-else")
    assert second.published_at == first.published_at
    assert second.published_by == "alice"
    connector = alice.get(first.id)
    assert connector.description == "Updated"
    assert alice.credentials_of(connector).secret_access_key == "new-secret-value"


def test_a_direct_connector_is_published_for_the_proxy(alice):
    own = alice.store.create({**FIELDS, "backend": "direct"}, SECRET, "alice")
    published = alice.publish(own.id, "team", "alice")
    assert published.connector.backend == "proxy"


def test_without_the_catalogs_key_the_secret_stays_closed(tmp_path, alice, team_dir):
    own = alice.store.create(FIELDS, SECRET, "alice")
    published = alice.publish(own.id, "team", "alice")
    other_key = catalog_key(tmp_path / "other.key")
    spec = CatalogSpec.parse({"name": "team", "directory": str(team_dir), "keys": [other_key]}, 0)
    outsider = user_registry(tmp_path / "outsider", spec)
    with pytest.raises(CatalogError) as refused:
        outsider.credentials_of(outsider.get(published.id))
    assert "catalog's key" in refused.value.message
    assert SECRET not in refused.value.message


def test_world_readable_files_are_skipped_with_a_reason(alice, team_dir):
    own = alice.store.create(FIELDS, SECRET, "alice")
    alice.publish(own.id, "team", "alice")
    os.chmod(team_dir / f"{own.id}.json", 0o644)
    [entry] = alice.catalogs_for_api()
    assert entry["connectors"] == []
    assert "chmod 640" in entry["problems"][0]


def test_corrupt_and_foreign_files_do_not_hide_the_others(alice, team_dir):
    own = alice.store.create(FIELDS, SECRET, "alice")
    alice.publish(own.id, "team", "alice")
    bad = team_dir / "broken.json"
    bad.write_text("{not json")
    bad.chmod(0o640)
    [entry] = alice.catalogs_for_api()
    assert [c["name"] for c in entry["connectors"]] == ["shared-data"]
    assert "broken.json" in entry["problems"][0]


def as_user(uid: int, function) -> str:
    """What ``function()`` returns when run by another user (a forked child that drops root)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(read_end)
            os.setgid(uid)
            os.setuid(uid)
            os.write(write_end, str(function()).encode("utf-8"))
            status = 0
        except BaseException:
            os.write(write_end, traceback.format_exc().encode("utf-8"))
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read().decode("utf-8")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return output


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to play an unprivileged user")
def test_a_user_who_cannot_write_the_directory_cannot_publish(tmp_path, alice):
    # Played by a child process running as "nobody": root may write anywhere. The catalog
    # is readable by everyone (pytest's own directories are not).
    team_dir = Path(tempfile.mkdtemp(prefix="catalog-"))
    team_dir.chmod(0o755)
    key = catalog_key(tmp_path / "team.key")
    catalog = Catalog(
        CatalogSpec.parse({"name": "team", "directory": str(team_dir), "keys": [key]}, 0)
    )
    assert catalog.cannot_publish() is None  # root may
    reason = as_user(65534, catalog.cannot_publish)
    assert "You may not publish to catalog 'team'" in reason
    assert "Ask its administrator for write access" in reason
    own = alice.store.create(FIELDS, SECRET, "alice")
    credentials = alice.store.credentials_of(own)

    def publish() -> str:
        try:
            catalog.publish(own, credentials, "nobody")
        except CatalogError as error:
            return f"{error.status} {error.message}"
        return "published"

    try:
        assert as_user(65534, publish).startswith("403 You may not publish")
        assert list(team_dir.iterdir()) == []
    finally:
        shutil.rmtree(team_dir)


def test_admin_connectors_take_their_secret_from_env_or_file(tmp_path, monkeypatch):
    admin_dir = tmp_path / "admin"
    admin_dir.mkdir()
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("from-a-file\n")
    base = {k: v for k, v in FIELDS.items() if k != "name"}
    files: dict[str, dict[str, Any]] = {
        "by-env": {"secret_access_key_env": "TEAM_S3_SECRET"},
        "by-file": {"secret_access_key_file": str(secret_file)},
        "by-server": {"credentials": "server", "access_key_id": None},
    }
    for name, extra in files.items():
        path = admin_dir / f"{name}.json"
        path.write_text(json.dumps({**base, "name": name, **extra}))
        path.chmod(0o640)
    spec = CatalogSpec.parse({"name": "admin", "directory": str(admin_dir), "read_only": True}, 0)
    registry = user_registry(tmp_path / "user", spec)
    [entry] = registry.catalogs_for_api()
    assert entry["problems"] == []
    assert "administrator" in entry["cannot_publish"]
    assert [c["id"] for c in entry["connectors"]] == [
        "admin.by-env",
        "admin.by-file",
        "admin.by-server",
    ]

    by_env = registry.get("admin.by-env")
    with pytest.raises(CatalogError) as unset:
        registry.credentials_of(by_env)
    assert "TEAM_S3_SECRET" in unset.value.message
    monkeypatch.setenv("TEAM_S3_SECRET", "from-the-env")
    assert registry.credentials_of(by_env).secret_access_key == "from-the-env"
    by_file = registry.get("admin.by-file")
    assert registry.credentials_of(by_file).secret_access_key == "from-a-file"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "SERVERKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-secret")
    by_server = registry.get("admin.by-server")
    credentials = registry.credentials_of(by_server)
    assert (credentials.access_key_id, credentials.secret_access_key) == (
        "SERVERKEY",
        "server-secret",
    )


def test_admin_files_never_hold_a_secret(tmp_path):
    admin_dir = tmp_path / "admin"
    admin_dir.mkdir()
    path = admin_dir / "leaky.json"
    path.write_text(json.dumps({**FIELDS, "secret": "plain"}))
    path.chmod(0o640)
    spec = CatalogSpec.parse({"name": "admin", "directory": str(admin_dir), "read_only": True}, 0)
    published, problems = Catalog(spec).list()
    assert published == []
    assert "never holds it" in problems[0] and "plain" not in problems[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "Team", "directory": "/x", "keys": ["k"]}, "lowercase"),
        ({"name": "team", "keys": ["k"]}, "directory"),
        ({"name": "team", "directory": "/x"}, "needs keys"),
        ({"name": "team", "directory": "/x", "keys": ["k"], "colour": 1}, "unknown"),
        ("team", "must be an object"),
    ],
)
def test_catalog_settings_are_checked(value, message):
    with pytest.raises(ValueError, match=message):
        parse_catalogs([value])


def test_catalog_names_are_unique():
    entry = {"name": "team", "directory": "/x", "keys": ["k"]}
    with pytest.raises(ValueError, match="used twice"):
        parse_catalogs([entry, entry])


@pytest.mark.parametrize(
    ("connector_id", "expected"),
    [
        (
            "team.0b6f1a4c-1111-4222-8333-944455556666",
            ("team", "0b6f1a4c-1111-4222-8333-944455556666"),
        ),
        ("0b6f1a4c-1111-4222-8333-944455556666", None),
        ("team./etc/passwd", None),
        ("team..x", None),
        ("Team.x", None),
    ],
)
def test_published_ids(connector_id, expected):
    assert split_published_id(connector_id) == expected
