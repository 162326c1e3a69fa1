"""Mount backends with real FUSE: s3fs-fuse and rclone against the moto server.

These tests need /dev/fuse, s3fs, rclone and fusermount3 (Debian: apt-get install s3fs rclone
fuse3; .ci/run installs them). Without them they are skipped with the reason, except on CI
(CI=true), where a missing piece fails them: there they must run.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from ..crypto import KeyProvider
from ..mounts import MOUNT_BACKENDS, probe_environment
from ..mounts.mountinfo import is_mount_point
from ..store import ConnectorStore
from .conftest import DEMO_BUCKET, SECRET, connector_body

COMMANDS = {"s3fs": "s3fs", "rclone": "rclone", "fusermount3": "fusermount3"}
ENVIRONMENT = probe_environment(COMMANDS)
MISSING = "; ".join(
    problem for problem in (ENVIRONMENT.backend_problem(b) for b in MOUNT_BACKENDS) if problem
)

if MISSING and os.environ.get("CI"):
    pytestmark = pytest.mark.usefixtures("_fail_on_ci")
elif MISSING:
    pytestmark = pytest.mark.skip(
        reason=f"REAL FUSE MOUNT TESTS SKIPPED: {MISSING} "
        "(install s3fs rclone fuse3 and give the process /dev/fuse)"
    )


@pytest.fixture
def _fail_on_ci() -> None:
    pytest.fail(f"CI must run the FUSE mount tests, but: {MISSING}")


backends = pytest.mark.parametrize("backend", MOUNT_BACKENDS)


@pytest.fixture
def app(jp_serverapp) -> Any:
    (extension,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_s3_connectors"]
    return extension


def unique_prefix(backend: str) -> str:
    """A folder of its own in the shared moto bucket for each test."""
    return f"{backend}-{uuid.uuid4().hex[:8]}/"


async def activate(api, connector_id: str, expect: int = 200) -> Any:
    response = await api("POST", "connectors", connector_id, "activate")
    assert response.code == expect, response
    return response


async def create(api, backend: str, **overrides: Any) -> dict[str, Any]:
    body = connector_body(backend=backend, **overrides)
    response = await api("POST", "connectors", body=body)
    assert response.code == 201, response
    return response.json


async def wait_for(predicate, timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def object_body(s3, key: str) -> bytes | None:
    try:
        return s3.get_object(Bucket=DEMO_BUCKET, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def cmdlines() -> list[bytes]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((entry / "cmdline").read_bytes())
            except OSError:
                continue
    return found


@backends
async def test_mount_list_read_write_unmount(
    api, app, jp_fetch, jp_root_dir, moto_endpoint, moto_s3, backend
):
    prefix = unique_prefix(backend)
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=prefix + "data/hello.txt", Body=b"hello")
    created = await create(
        api, backend, name=f"rw-{backend}", endpoint=moto_endpoint, prefix=prefix
    )
    assert created["mount"]["state"] == "unmounted"
    assert created["mount"]["path"] == f"s3/rw-{backend}"

    activated = (await activate(api, created["id"])).json
    assert activated["active"] is True
    assert activated["mount"] == {
        "state": "mounted",
        "error": None,
        "path": f"s3/rw-{backend}",
        "local_path": str(jp_root_dir / "s3" / f"rw-{backend}"),
    }
    local = Path(activated["mount"]["local_path"])
    assert is_mount_point(str(local))
    # The server's own file system view (what the main file browser and kernels see).
    assert os.listdir(local) == ["data"]
    assert (local / "data" / "hello.txt").read_bytes() == b"hello"
    listing = await jp_fetch("api", "contents", "s3", f"rw-{backend}", "data", method="GET")
    assert [item["name"] for item in json.loads(listing.body)["content"]] == ["hello.txt"]

    # A write through the file system lands in the bucket, below the connector's folder.
    (local / "written.txt").write_bytes(b"from a kernel")
    assert await wait_for(
        lambda: object_body(moto_s3, prefix + "written.txt") == b"from a kernel",
        what="the written object in moto",
    )
    # And a save through Jupyter's contents API.
    saved = await jp_fetch(
        "api",
        "contents",
        "s3",
        f"rw-{backend}",
        "saved.txt",
        method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": "saved"}),
    )
    assert saved.code in (200, 201)
    assert await wait_for(
        lambda: object_body(moto_s3, prefix + "saved.txt") == b"saved",
        what="the saved object in moto",
    )

    deactivated = await api("POST", "connectors", created["id"], "deactivate")
    assert deactivated.code == 200, deactivated
    assert deactivated.json["active"] is False
    assert deactivated.json["mount"]["state"] == "unmounted"
    assert not is_mount_point(str(local))
    assert not local.exists()
    # The bucket is untouched by the unmount.
    assert object_body(moto_s3, prefix + "data/hello.txt") == b"hello"


@backends
async def test_read_only_connector_mounts_read_only(api, jp_fetch, moto_endpoint, moto_s3, backend):
    prefix = unique_prefix(backend)
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=prefix + "a.txt", Body=b"a")
    created = await create(
        api, backend, name=f"ro-{backend}", endpoint=moto_endpoint, prefix=prefix, mode="read-only"
    )
    activated = (await activate(api, created["id"])).json
    local = Path(activated["mount"]["local_path"])
    assert (local / "a.txt").read_bytes() == b"a"

    with pytest.raises(OSError) as refused:
        (local / "new.txt").write_bytes(b"x")
    assert refused.value.errno == errno.EROFS
    with pytest.raises(OSError) as refused:
        (local / "a.txt").unlink()
    assert refused.value.errno == errno.EROFS

    # The server refuses too, saying why.
    response = await jp_fetch(
        "api",
        "contents",
        "s3",
        f"ro-{backend}",
        "new.txt",
        method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": "x"}),
        raise_error=False,
    )
    assert response.code == 403
    assert "read-only" in json.loads(response.body)["message"]
    assert object_body(moto_s3, prefix + "new.txt") is None

    # Deletes and renames too, into the mount as well as out of it or within it.
    mounted = ("api", "contents", "s3", f"ro-{backend}")
    response = await jp_fetch(*mounted, "a.txt", method="DELETE", raise_error=False)
    assert response.code == 403
    assert "cannot be deleted" in json.loads(response.body)["message"]
    outside = await jp_fetch(
        "api",
        "contents",
        f"outside-{backend}.txt",
        method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": "o"}),
    )
    assert outside.code == 201
    for old, new in (
        (f"s3/ro-{backend}/a.txt", f"s3/ro-{backend}/b.txt"),
        (f"s3/ro-{backend}/a.txt", f"moved-{backend}.txt"),
        (f"outside-{backend}.txt", f"s3/ro-{backend}/outside.txt"),
    ):
        response = await jp_fetch(
            "api",
            "contents",
            old,
            method="PATCH",
            body=json.dumps({"path": new}),
            raise_error=False,
        )
        assert response.code == 403, (old, new)
        assert "cannot be renamed or moved" in json.loads(response.body)["message"]
    assert object_body(moto_s3, prefix + "a.txt") == b"a"
    assert object_body(moto_s3, prefix + "b.txt") is None
    assert object_body(moto_s3, prefix + "outside.txt") is None
    assert (local / "a.txt").read_bytes() == b"a"
    assert (local.parent.parent / f"outside-{backend}.txt").read_bytes() == b"o"
    assert (await api("POST", "connectors", created["id"], "deactivate")).code == 200


@backends
async def test_busy_unmount_is_a_409_and_force_unmounts(api, moto_endpoint, moto_s3, backend):
    prefix = unique_prefix(backend)
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=prefix + "open.txt", Body=b"open")
    created = await create(
        api, backend, name=f"busy-{backend}", endpoint=moto_endpoint, prefix=prefix
    )
    activated = (await activate(api, created["id"])).json
    local = Path(activated["mount"]["local_path"])

    handle = await asyncio.to_thread(open, local / "open.txt", "rb")
    try:
        busy = await api("POST", "connectors", created["id"], "deactivate")
        assert busy.code == 409, busy
        assert busy.json["code"] == "mount.busy"
        assert "holds a file" in busy.json["message"]
        assert f"s3/busy-{backend}" in busy.json["message"]
        still = (await api("GET", "connectors", created["id"])).json
        assert still["active"] is True
        assert still["mount"]["state"] == "mounted"
        assert is_mount_point(str(local))

        forced = await api(
            "POST", "connectors", created["id"], "deactivate", params={"force": "true"}
        )
        assert forced.code == 200, forced
        assert forced.json["active"] is False
        assert not is_mount_point(str(local))
    finally:
        # The file was open across the forced unmount: it is gone for the process.
        try:
            handle.close()
        except OSError as error:
            assert error.errno == errno.ENOTCONN
    assert object_body(moto_s3, prefix + "open.txt") == b"open"


@backends
async def test_killed_tool_is_lost_and_remount_works(api, app, moto_endpoint, moto_s3, backend):
    prefix = unique_prefix(backend)
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=prefix + "k.txt", Body=b"k")
    created = await create(
        api, backend, name=f"lost-{backend}", endpoint=moto_endpoint, prefix=prefix
    )
    activated = (await activate(api, created["id"])).json
    local = Path(activated["mount"]["local_path"])
    process = app.mounts._mounts[created["id"]].process
    os.kill(process.pid, signal.SIGKILL)

    async def state() -> str:
        return (await api("GET", "connectors", created["id"], "mount")).json["state"]

    deadline = time.monotonic() + 10
    while await state() != "lost":
        assert time.monotonic() < deadline, "the mount was not reported lost"
        await asyncio.sleep(0.2)
    lost = (await api("GET", "connectors", created["id"])).json
    assert lost["active"] is True
    assert "exit code" in lost["mount"]["error"]
    with pytest.raises(OSError) as stale:
        os.listdir(local)
    assert stale.value.errno == errno.ENOTCONN

    remounted = await api("POST", "connectors", created["id"], "remount")
    assert remounted.code == 200, remounted
    assert remounted.json["mount"]["state"] == "mounted"
    assert (local / "k.txt").read_bytes() == b"k"
    assert (await api("POST", "connectors", created["id"], "deactivate")).code == 200


@backends
async def test_credentials_stay_off_command_lines(api, app, moto_endpoint, backend):
    created = await create(
        api, backend, name=f"key-{backend}", endpoint=moto_endpoint, prefix=unique_prefix(backend)
    )
    await activate(api, created["id"])
    mount = app.mounts._mounts[created["id"]]
    # The s3fs passwd file is gone once the mount is up; rclone never had one.
    assert os.listdir(mount.private_dir) in (
        [],
        ["cache"],
        ["cache", "config"],
        ["config", "cache"],
    )
    secret = SECRET.encode()
    assert not [line for line in cmdlines() if secret in line]
    argv = (Path("/proc") / str(mount.process.pid) / "cmdline").read_bytes().split(b"\0")
    assert argv[0].endswith(backend.encode())
    environ = (Path("/proc") / str(mount.process.pid) / "environ").read_bytes().split(b"\0")
    names = {item.split(b"=", 1)[0].decode() for item in environ if item}
    # Built from nothing: none of the server's variables (AWS_CA_BUNDLE breaks rclone).
    assert "AWS_CA_BUNDLE" not in names
    assert "JUPYTER_RUNTIME_DIR" not in names
    if backend == "s3fs":
        assert not [item for item in environ if secret in item]
    assert (await api("POST", "connectors", created["id"], "deactivate")).code == 200


async def test_mount_root_is_given_to_kernels(app, jp_root_dir):
    assert os.environ["JUPYTERLAB_S3_CONNECTORS_MOUNT_ROOT"] == str(jp_root_dir / "s3")
    assert app.mounts.mount_root == str(jp_root_dir / "s3")


# -- refusals: each a clear 4xx, nothing deleted -------------------------------------------


async def test_mount_point_not_empty_is_refused(api, jp_root_dir, moto_endpoint):
    created = await create(api, "s3fs", name="full", endpoint=moto_endpoint)
    mine = jp_root_dir / "s3" / "full" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine")
    refused = await api("POST", "connectors", created["id"], "activate")
    assert refused.code == 409, refused
    assert refused.json["code"] == "mount_point.not_empty"
    assert "s3/full" in refused.json["message"]
    assert "not empty" in refused.json["errors"]["name"]
    assert mine.read_text() == "mine"
    assert (await api("GET", "connectors", created["id"])).json["active"] is False


async def test_endpoint_refusing_the_key_fails_the_activation(api, denying_s3):
    for backend in MOUNT_BACKENDS:
        created = await create(api, backend, name=f"deny-{backend}", endpoint=denying_s3)
        refused = await api("POST", "connectors", created["id"], "activate")
        assert refused.code == 400, refused
        assert refused.json["code"] == "mount.failed"
        assert "InvalidAccessKeyId" in refused.json["message"]
        assert refused.json["mount"]["state"] == "failed"
        assert SECRET not in refused.raw
        after = (await api("GET", "connectors", created["id"])).json
        assert after["active"] is False
        assert after["mount"]["state"] == "failed"
        assert "InvalidAccessKeyId" in after["mount"]["error"]


async def test_changes_of_a_mounted_connector_are_refused(api, moto_endpoint):
    created = await create(api, "s3fs", name="fixed", endpoint=moto_endpoint, prefix="fixed/")
    await activate(api, created["id"])
    for change in ({"name": "moved"}, {"bucket": "other-bucket"}, {"backend": "rclone"}):
        refused = await api("PATCH", "connectors", created["id"], body=change)
        assert refused.code == 409, refused
        assert list(refused.json["errors"]) == list(change)
        assert "deactivate" in refused.json["message"]
    assert (await api("PATCH", "connectors", created["id"], body={"description": "ok"})).code == 200
    proxy = await create(api, "proxy", name="proxied", endpoint=moto_endpoint)
    await activate(api, proxy["id"])
    refused = await api("PATCH", "connectors", proxy["id"], body={"backend": "s3fs"})
    assert refused.code == 409, refused
    same = await api("POST", "connectors", body=connector_body(name="fixed", backend="rclone"))
    assert same.code == 409
    assert "already exists" in same.json["errors"]["name"]
    assert (await api("POST", "connectors", created["id"], "deactivate")).code == 200
    assert (await api("PATCH", "connectors", created["id"], body={"name": "moved"})).code == 200


async def test_remount_needs_an_active_mount_connector(api, moto_endpoint):
    proxy = await create(api, "proxy", name="plain", endpoint=moto_endpoint)
    assert (await api("POST", "connectors", proxy["id"], "remount")).code == 400
    assert "mount" not in proxy
    inactive = await create(api, "rclone", name="idle", endpoint=moto_endpoint)
    assert (await api("POST", "connectors", inactive["id"], "remount")).code == 409


class TestToolMissing:
    @pytest.fixture
    def extension_config(self) -> dict[str, Any]:
        return {"s3fs_command": "/nonexistent/s3fs"}

    async def test_tool_missing_is_refused_and_info_says_why(self, api, moto_endpoint):
        info = (await api("GET", "info")).json["mounts"]
        assert info["tools"]["s3fs"]["installed"] is False
        assert info["backends"]["s3fs"]["available"] is False
        assert "apt-get install s3fs" in info["backends"]["s3fs"]["problem"]
        assert info["backends"]["rclone"]["available"] is True

        refused = await api("POST", "connectors", body=connector_body(backend="s3fs"))
        assert refused.code == 400
        assert refused.json["codes"] == {"backend": "backend.unavailable"}
        assert "not installed" in refused.json["errors"]["backend"]
        created = await create(api, "rclone", name="other", endpoint=moto_endpoint)
        to_s3fs = await api("PATCH", "connectors", created["id"], body={"backend": "s3fs"})
        assert to_s3fs.code == 400


# -- server start and stop ---------------------------------------------------------------


@pytest.fixture
def seeded_store(store_path, key_path, moto_endpoint, moto_s3, jp_root_dir) -> dict[str, Any]:
    """Before the server starts: an active s3fs connector in the store, and a stale mount
    point (its tool killed) where it will be mounted, as a crashed server leaves them."""
    prefix = unique_prefix("restart")
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=prefix + "back.txt", Body=b"back")
    store = ConnectorStore(str(store_path), KeyProvider(str(key_path), []))
    fields = {k: v for k, v in connector_body(endpoint=moto_endpoint, prefix=prefix).items()}
    secret = fields.pop("secret_access_key")
    fields.update(name="again", backend="s3fs", region="us-east-1")
    connector = store.create(fields, secret, "alice")
    store.set_active(connector.id, True)
    return {"id": connector.id, "prefix": prefix}


async def test_server_start_remounts_and_stop_unmounts(
    seeded_store, jp_serverapp, app, api, jp_root_dir
):
    local = jp_root_dir / "s3" / "again"
    assert not is_mount_point(str(local))
    await app._start_jupyter_server_extension(jp_serverapp)
    answer = (await api("GET", "connectors", seeded_store["id"])).json
    assert answer["active"] is True
    assert answer["mount"]["state"] == "mounted"
    assert (local / "back.txt").read_bytes() == b"back"

    # A second start (a crashed server's leftovers: the tool killed, the mount point stale).
    process = app.mounts._mounts[seeded_store["id"]].process
    os.kill(process.pid, signal.SIGKILL)
    await wait_for(lambda: app.mounts._mounts[seeded_store["id"]].state == "lost", what="lost")
    app.mounts._mounts.clear()
    await app._start_jupyter_server_extension(jp_serverapp)
    assert (local / "back.txt").read_bytes() == b"back"

    await app.stop_extension()
    assert not is_mount_point(str(local))
    assert (await api("GET", "connectors", seeded_store["id"])).json["active"] is True
