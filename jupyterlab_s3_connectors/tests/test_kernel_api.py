"""The kernel API against moto: connector(name), c.fs, c.open, c.client() and s3c:// URLs."""

from __future__ import annotations

import json
import os
import pickle
import uuid
from typing import Any

import fsspec
import pytest
from cryptography.fernet import Fernet

from .. import connector
from ..kernel import (
    ConnectorFileSystem,
    ConnectorUnavailable,
    InactiveConnector,
    NotMounted,
    PathOutsideConnector,
    ReadOnlyConnector,
    UnknownConnector,
)
from ..locations import ENCRYPTION_KEYS_ENV, MOUNT_ROOT_ENV
from .conftest import DEMO_BUCKET, SECRET
from .kernel_helpers import KernelStore, kernel_store

__all__ = ["kernel_store"]

BUCKET = "kernel-bucket"
OTHER_BUCKET = "kernel-other"


@pytest.fixture(scope="module")
def kernel_bucket(moto_endpoint: str) -> str:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )
    for bucket in (BUCKET, OTHER_BUCKET):
        client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=OTHER_BUCKET, Key="secret.txt", Body=b"not yours")
    return BUCKET


@pytest.fixture
def folder(moto_s3: Any, kernel_bucket: str) -> str:
    """A fresh folder of the bucket with a few objects; the connectors' prefix."""
    prefix = f"t-{uuid.uuid4().hex[:8]}/"
    moto_s3.put_object(Bucket=kernel_bucket, Key=prefix + "data/x.csv", Body=b"a,b\n1,2\n3,4\n")
    moto_s3.put_object(Bucket=kernel_bucket, Key=prefix + "hello.txt", Body=b"hello")
    moto_s3.put_object(Bucket=kernel_bucket, Key="outside.txt", Body=b"outside")
    return prefix


def keys_below(moto_s3: Any, prefix: str) -> set[str]:
    listed = moto_s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"][len(prefix) :] for item in listed.get("Contents", [])}


# -- resolving connectors -------------------------------------------------------------


def test_only_active_connectors_resolve(kernel_store: KernelStore, moto_endpoint: str) -> None:
    kernel_store.add("demo", moto_endpoint)
    kernel_store.add("sales", moto_endpoint)
    kernel_store.add("archive", moto_endpoint, active=False)

    assert connector("demo").name == "demo"

    with pytest.raises(InactiveConnector) as inactive:
        connector("archive")
    assert isinstance(inactive.value, LookupError)
    assert "'archive' is not active" in str(inactive.value)
    assert "Active connectors: demo, sales." in str(inactive.value)
    assert inactive.value.active == ["demo", "sales"]

    with pytest.raises(UnknownConnector) as unknown:
        connector("nope")
    assert isinstance(unknown.value, ConnectorUnavailable)
    assert "no S3 connector named 'nope'" in str(unknown.value)
    assert "Active connectors: demo, sales." in str(unknown.value)

    with pytest.raises(InactiveConnector):
        fsspec.filesystem("s3c", connector="archive")
    with pytest.raises(UnknownConnector):
        fsspec.open("s3c://nope/x.csv").open()


def test_a_filesystem_needs_a_connector_name(kernel_store: KernelStore) -> None:
    with pytest.raises(ValueError, match="s3c://<connector name>/<key>"):
        fsspec.filesystem("s3c")
    with pytest.raises(ValueError, match="s3c://<connector name>/<key>"):
        fsspec.open("s3c:///x.csv").open()


def test_errors_survive_a_pickle(kernel_store: KernelStore, moto_endpoint: str) -> None:
    """Dask sends a worker's errors back pickled."""
    kernel_store.add("demo", moto_endpoint)
    kernel_store.add("off", moto_endpoint, active=False)
    with pytest.raises(InactiveConnector) as inactive:
        connector("off")
    copied = pickle.loads(pickle.dumps(inactive.value))  # noqa: S301 - made just above
    assert type(copied) is InactiveConnector
    assert (str(copied), copied.name, copied.active) == (str(inactive.value), "off", ["demo"])
    refused = ReadOnlyConnector("ro", "pipe_file", "x.txt")
    copied_refusal = pickle.loads(pickle.dumps(refused))  # noqa: S301 - made just above
    assert str(copied_refusal) == str(refused)
    assert copied_refusal.filename == "x.txt"


def test_no_active_connector_says_so(kernel_store: KernelStore, moto_endpoint: str) -> None:
    kernel_store.add("demo", moto_endpoint, active=False)
    with pytest.raises(InactiveConnector, match="No connector is active"):
        connector("demo")


def test_custom_store_path_and_encryption_keys_from_the_environment(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, kernel_bucket: str
) -> None:
    env_key = Fernet.generate_key().decode()
    file_key = Fernet.generate_key().decode()
    literal_key = Fernet.generate_key().decode()
    key_file = tmp_path / "keys.txt"
    key_file.write_text(file_key + "\n")
    monkeypatch.setenv("MY_S3C_KEY", env_key)
    store = KernelStore(
        tmp_path / "custom" / "store.json",
        tmp_path / "unused.key",
        [f"file:{key_file}", literal_key, "env:MY_S3C_KEY"],
    )
    store.add("demo", moto_endpoint, bucket=OTHER_BUCKET)
    for name, value in store.env().items():
        monkeypatch.setenv(name, value)

    assert connector("demo").fs.cat_file("secret.txt") == b"not yours"
    assert not (tmp_path / "unused.key").exists()

    # Secrets encrypted with the file's key cannot be opened with the others alone.
    monkeypatch.setenv(ENCRYPTION_KEYS_ENV, json.dumps(["env:MY_S3C_KEY"]))
    with pytest.raises(Exception, match="cannot be decrypted") as error:
        connector("demo").fs.cat_file("secret.txt")
    assert env_key not in str(error.value) and file_key not in str(error.value)


def test_defaults_to_the_servers_default_store(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    from ..kernel.resolve import resolver

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    for name in ("JUPYTERLAB_S3_CONNECTORS_STORE", "JUPYTERLAB_S3_CONNECTORS_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(ENCRYPTION_KEYS_ENV, raising=False)
    found = resolver()
    assert found.store.path == str(tmp_path / "data" / "s3_connectors" / "connectors.json")
    assert found.store.keys.key_path == str(tmp_path / "data" / "s3_connectors" / "connectors.key")


# -- reading and writing ---------------------------------------------------------------


def test_fs_is_rooted_at_the_connectors_folder(
    kernel_store: KernelStore, moto_endpoint: str, folder: str, moto_s3: Any
) -> None:
    kernel_store.add("demo", moto_endpoint, bucket=BUCKET, prefix=folder)
    c = connector("demo")
    assert sorted(c.fs.ls("", detail=False)) == ["data", "hello.txt"]
    assert c.fs.cat_file("hello.txt") == b"hello"
    assert c.fs.find("") == ["data/x.csv", "hello.txt"]
    assert c.fs.info("data/x.csv")["name"] == "data/x.csv"
    with c.open("data/x.csv", "rb") as handle:
        assert handle.read() == b"a,b\n1,2\n3,4\n"

    with c.open("out/new.txt", "w") as handle:
        handle.write("written from a kernel")
    c.fs.pipe_file("piped.bin", b"\x00\x01")
    c.fs.mv("piped.bin", "moved.bin")
    assert keys_below(moto_s3, folder) == {
        "data/x.csv",
        "hello.txt",
        "out/new.txt",
        "moved.bin",
    }
    assert c.url("data/x.csv") == "s3c://demo/data/x.csv"


def test_s3c_urls_name_the_connector(
    kernel_store: KernelStore, moto_endpoint: str, folder: str, moto_s3: Any
) -> None:
    kernel_store.add("demo", moto_endpoint, bucket=BUCKET, prefix=folder)
    with fsspec.open("s3c://demo/hello.txt", "rb") as handle:
        assert handle.read() == b"hello"
    fs, path = fsspec.core.url_to_fs("s3c://demo/data/")
    assert isinstance(fs, ConnectorFileSystem)
    assert path == "demo/data"
    assert fs.ls(path, detail=False) == ["demo/data/x.csv"]
    assert fs.glob("s3c://demo/**/*.csv") == ["demo/data/x.csv"]
    assert fs.unstrip_protocol("demo/data/x.csv") == "s3c://demo/data/x.csv"
    with fsspec.open("s3c://demo/written.txt", "wb") as handle:
        handle.write(b"via fsspec.open")
    assert "written.txt" in keys_below(moto_s3, folder)


def test_pandas_and_pyarrow_read_and_write_s3c_urls(
    kernel_store: KernelStore, moto_endpoint: str, folder: str, moto_s3: Any
) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    import pyarrow.dataset as ds

    kernel_store.add("demo", moto_endpoint, bucket=BUCKET, prefix=folder)
    frame = pd.read_csv("s3c://demo/data/x.csv")
    assert frame.to_dict("list") == {"a": [1, 3], "b": [2, 4]}

    frame.to_csv("s3c://demo/out/copy.csv", index=False)
    frame.to_parquet("s3c://demo/out/parts/p1.parquet")
    frame.assign(a=frame.a * 10).to_parquet("s3c://demo/out/parts/p2.parquet")
    frame.to_json("s3c://demo/out/frame.json")
    assert pd.read_csv("s3c://demo/out/copy.csv").equals(frame)
    assert pd.read_parquet("s3c://demo/out/parts/p1.parquet").equals(frame)
    assert pd.read_json("s3c://demo/out/frame.json").equals(frame)
    assert {"out/copy.csv", "out/parts/p1.parquet"} <= keys_below(moto_s3, folder)

    fs, path = fsspec.core.url_to_fs("s3c://demo/out/parts")
    table = ds.dataset(path, filesystem=fs, format="parquet").to_table()
    assert sorted(table.column("a").to_pylist()) == [1, 3, 10, 30]


# -- confinement -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "../outside.txt",
        "data/../../outside.txt",
        "./hello.txt",
        "/outside.txt",
        "s3://kernel-other/secret.txt",
        "s3c://other/secret.txt",
        "file:///etc/passwd",
    ],
)
def test_paths_cannot_leave_the_folder(
    kernel_store: KernelStore, recording_s3: Any, path: str
) -> None:
    kernel_store.add("demo", recording_s3.endpoint, prefix="inside/")
    c = connector("demo")
    with pytest.raises(PathOutsideConnector):
        c.fs.cat_file(path)
    with pytest.raises(PathOutsideConnector):
        c.open(path)
    with pytest.raises(PathOutsideConnector):
        c.fs.ls(path)
    assert recording_s3.requests == []


@pytest.mark.parametrize(
    "url", ["s3c://demo/../x", "s3c://demo/a/../../x", "s3c://demo//etc/passwd"]
)
def test_urls_cannot_leave_the_folder(
    kernel_store: KernelStore, recording_s3: Any, url: str
) -> None:
    kernel_store.add("demo", recording_s3.endpoint, prefix="inside/")
    with pytest.raises(PathOutsideConnector):
        fsspec.open(url).open()
    assert recording_s3.requests == []


def test_one_filesystem_never_serves_another_connector(
    kernel_store: KernelStore, recording_s3: Any
) -> None:
    kernel_store.add("alpha", recording_s3.endpoint, access_key_id="AKIDALPHA")
    kernel_store.add("beta", recording_s3.endpoint, access_key_id="AKIDBETA", secret="beta-secret")
    alpha = fsspec.filesystem("s3c", connector="alpha")
    with pytest.raises(PathOutsideConnector, match="not a path of S3 connector 'alpha'"):
        alpha.cat_file("beta/x.txt")
    with pytest.raises(PathOutsideConnector):
        fsspec.open_files(["s3c://alpha/x.txt", "s3c://beta/y.txt"])[1].open()
    # fsspec itself refuses a URL and an option naming different connectors.
    with pytest.raises((TypeError, PathOutsideConnector)):
        fsspec.open("s3c://beta/x.txt", connector="alpha").open()
    assert recording_s3.requests == []

    # Each connector's requests carry its own key, through fsspec's cached instances too.
    def keys_used(name: str) -> set[str]:
        start = len(recording_s3.requests)
        fs = fsspec.filesystem("s3c", connector=name)
        assert fs.cat_file(f"{name}/a.txt") == b"recorded"
        return {
            request["headers"]["authorization"].split("Credential=")[1].split("/")[0]
            for request in recording_s3.requests[start:]
        }

    assert keys_used("alpha") == {"AKIDALPHA"}
    assert keys_used("beta") == {"AKIDBETA"}
    assert keys_used("alpha") == {"AKIDALPHA"}


def test_changes_in_the_store_reach_open_filesystems(
    kernel_store: KernelStore, recording_s3: Any, moto_endpoint: str, folder: str
) -> None:
    demo = kernel_store.add("demo", moto_endpoint, bucket=BUCKET, prefix=folder)
    fs = fsspec.filesystem("s3c", connector="demo")
    assert fs.cat_file("demo/hello.txt") == b"hello"
    first_s3 = fs.fs

    # Edited: another endpoint and key; the cached instance follows.
    kernel_store.store.update(
        demo, {"endpoint": recording_s3.endpoint, "access_key_id": "AKIDNEW"}, "new-secret"
    )
    assert fsspec.filesystem("s3c", connector="demo") is fs
    assert fs.cat_file("demo/hello.txt") == b"recorded"
    assert fs.fs is not first_s3
    assert "Credential=AKIDNEW/" in recording_s3.requests[-1]["headers"]["authorization"]

    # Deactivated: refused, by the cached instance and by a new one.
    kernel_store.store.set_active(demo, False)
    count = len(recording_s3.requests)
    with pytest.raises(InactiveConnector):
        fs.cat_file("demo/hello.txt")
    with pytest.raises(InactiveConnector):
        fsspec.open("s3c://demo/hello.txt").open()
    assert len(recording_s3.requests) == count

    # Renamed, and another connector takes the old name: the name follows the store.
    kernel_store.store.update(demo, {"name": "renamed"})
    kernel_store.add("demo", recording_s3.endpoint, access_key_id="AKIDOTHER")
    assert fs.cat_file("demo/hello.txt") == b"recorded"
    assert "Credential=AKIDOTHER/" in recording_s3.requests[-1]["headers"]["authorization"]


# -- read-only ----------------------------------------------------------------------------


def _write_attempts(c: Any) -> dict[str, Any]:
    fs = c.fs
    return {
        "open w": lambda: c.open("x.txt", "wb"),
        "open a": lambda: c.open("x.txt", "ab"),
        "open text w": lambda: c.open("x.txt", "w"),
        "open x": lambda: fs.open("x.txt", mode="xb"),
        "open r+": lambda: fs.open("x.txt", "r+b"),
        "pipe": lambda: fs.pipe("x.txt", b"data"),
        "pipe_file": lambda: fs.pipe_file("x.txt", b"data"),
        "write_text": lambda: fs.write_text("x.txt", "data"),
        "write_bytes": lambda: fs.write_bytes("x.txt", b"data"),
        "put": lambda: fs.put(__file__, "x.py"),
        "put_file": lambda: fs.put_file(__file__, "x.py"),
        "upload": lambda: fs.upload(__file__, "x.py"),
        "rm": lambda: fs.rm("hello.txt"),
        "rm_file": lambda: fs.rm_file("hello.txt"),
        "delete": lambda: fs.delete("hello.txt"),
        "rmdir": lambda: fs.rmdir("data"),
        "mv": lambda: fs.mv("hello.txt", "bye.txt"),
        "rename": lambda: fs.rename("hello.txt", "bye.txt"),
        "move": lambda: fs.move("hello.txt", "bye.txt"),
        "copy": lambda: fs.copy("hello.txt", "copy.txt"),
        "cp": lambda: fs.cp("hello.txt", "copy.txt"),
        "cp_file": lambda: fs.cp_file("hello.txt", "copy.txt"),
        "mkdir": lambda: fs.mkdir("new"),
        "makedirs": lambda: fs.makedirs("new/dir"),
        "touch": lambda: fs.touch("x.txt"),
        "inner pipe": lambda: fs.fs.pipe_file(fs.path + "/x.txt", b"data"),
        "inner rm": lambda: fs.fs.rm(fs.path + "/hello.txt"),
        "fsspec.open w": lambda: fsspec.open(f"s3c://{c.name}/x.txt", "wb").open(),
        "client put_object": lambda: c.client().put_object(Bucket=c.bucket, Key="x", Body=b""),
        "client delete_object": lambda: c.client().delete_object(Bucket=c.bucket, Key="x"),
        "client presigned put": lambda: c.client().generate_presigned_url(
            "put_object", Params={"Bucket": c.bucket, "Key": "x"}
        ),
    }


def test_read_only_refuses_every_write_before_any_request(
    kernel_store: KernelStore, recording_s3: Any
) -> None:
    kernel_store.add("ro", recording_s3.endpoint, mode="read-only", prefix="folder/")
    c = connector("ro")
    assert c.read_only
    for what, attempt in _write_attempts(c).items():
        with pytest.raises(PermissionError) as refused:
            attempt()
        assert isinstance(refused.value, ReadOnlyConnector), what
        assert "S3 connector 'ro' is read-only" in str(refused.value), what
    assert recording_s3.requests == []

    # Reads still work.
    assert c.fs.cat_file("hello.txt") == b"recorded"
    c.client().get_object(Bucket=c.bucket, Key="folder/hello.txt")
    assert {r["method"] for r in recording_s3.requests} <= {"GET", "HEAD"}
    assert recording_s3.requests


def test_reading_a_whole_object_is_one_get(kernel_store: KernelStore, recording_s3: Any) -> None:
    # As boto3's get_object: no HEAD first for a size the read does not need.
    kernel_store.add("one", recording_s3.endpoint, prefix="folder/")
    c = connector("one")
    assert c.fs.cat("hello.txt") == b"recorded"
    assert fsspec.open("s3c://one/hello.txt", "rb").open().read() == b"recorded"
    cat, opened = recording_s3.requests[0], recording_s3.requests[1:]
    assert (cat["method"], cat["path"]) == ("GET", f"/{DEMO_BUCKET}/folder/hello.txt")
    assert "range" not in cat["headers"]
    # A file object needs the size (seek, blocks): fsspec asks it first.
    assert [r["method"] for r in opened] == ["HEAD", "GET"]


def test_pandas_write_through_a_read_only_connector_is_refused(
    kernel_store: KernelStore, recording_s3: Any
) -> None:
    pd = pytest.importorskip("pandas")
    kernel_store.add("ro", recording_s3.endpoint, mode="read-only")
    with pytest.raises(PermissionError, match="S3 connector 'ro' is read-only"):
        pd.DataFrame({"a": [1]}).to_csv("s3c://ro/out.csv")
    assert recording_s3.requests == []


def test_read_write_client_and_fs_use_the_connectors_endpoint_and_key(
    kernel_store: KernelStore, moto_endpoint: str, folder: str
) -> None:
    kernel_store.add("demo", moto_endpoint, bucket=BUCKET, prefix=folder, region="eu-west-3")
    c = connector("demo")
    client = c.client()
    assert client.meta.region_name == "eu-west-3"
    assert client.meta.config.s3["addressing_style"] == "path"
    body = client.get_object(Bucket=c.bucket, Key=c.prefix + "hello.txt")["Body"].read()
    assert body == b"hello"
    client.put_object(Bucket=c.bucket, Key=c.prefix + "from-client.txt", Body=b"x")
    assert c.fs.exists("from-client.txt")


# -- local paths -------------------------------------------------------------------------


def test_local_path_of_mount_backends_only(
    kernel_store: KernelStore, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    kernel_store.add("demo", moto_endpoint)
    with pytest.raises(NotMounted, match="'proxy' backend"):
        connector("demo").local_path("data/x.csv")

    # A mount backend (part of the store once the server offers it).
    kernel_store.add("mounted", moto_endpoint, backend="s3fs")
    monkeypatch.delenv(MOUNT_ROOT_ENV, raising=False)
    with pytest.raises(NotMounted, match=MOUNT_ROOT_ENV):
        connector("mounted").local_path("data/x.csv")
    monkeypatch.setenv(MOUNT_ROOT_ENV, str(tmp_path / "s3"))
    c = connector("mounted")
    assert c.local_path("data/x.csv") == os.path.join(tmp_path, "s3", "mounted", "data", "x.csv")
    assert c.local_path() == os.path.join(tmp_path, "s3", "mounted")
    with pytest.raises(PathOutsideConnector):
        c.local_path("../other/x.csv")


# -- secrets -----------------------------------------------------------------------------


def test_no_secret_in_reprs_errors_or_pickles(
    kernel_store: KernelStore, recording_s3: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    kernel_store.add("demo", recording_s3.endpoint, mode="read-only")
    c = connector("demo")
    fs = fsspec.filesystem("s3c", connector="demo")
    c.fs.cat_file("x.txt")
    shown = [repr(c), str(c), repr(c.fs), repr(fs), repr(c.fs.fs), repr(c._resolved)]
    with pytest.raises(ReadOnlyConnector) as refused:
        c.fs.pipe_file("x", b"")
    shown.append(str(refused.value))
    shown.append(json.dumps(fs.storage_options))
    shown.append(fs.to_json())
    shown.append(caplog.text)
    for text in shown:
        assert SECRET not in text
    assert SECRET.encode() not in pickle.dumps(fs)
    assert SECRET.encode() not in pickle.dumps(c.fs)
    copied = pickle.loads(pickle.dumps(fs))  # noqa: S301 - a pickle made just above
    assert copied.cat_file("demo/x.txt") == b"recorded"
    assert "demo" in repr(c) and "read-only" in repr(c)
