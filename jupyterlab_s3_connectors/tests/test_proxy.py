"""The S3 proxy end to end: boto3 in the browser's place, a real Jupyter server, moto."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from botocore.exceptions import ClientError

from .conftest import DEMO_BUCKET, SECRET

FIVE_MIB = 5 * 1024 * 1024


@pytest.fixture
def jp_base_url() -> str:
    # botocore re-encodes the '%' of pytest-jupyter's default '/a%40b/' in an endpoint URL;
    # test_proxy_security.py keeps that default to cover an encoded base_url.
    return "/jupyter/"


def run(function, *args, **kwargs):
    """Run a blocking boto3 call off the event loop that serves Jupyter."""
    return asyncio.to_thread(function, *args, **kwargs)


@pytest.fixture
def folder() -> str:
    """A fresh folder in the shared moto bucket, so tests do not see each other's keys."""
    return f"t-{uuid.uuid4().hex[:8]}/"


async def test_get_head_and_range(proxy, make_connector, moto_endpoint, moto_s3, folder):
    connector = await make_connector(endpoint=moto_endpoint)
    await run(moto_s3.put_object, Bucket=DEMO_BUCKET, Key=folder + "a.txt", Body=b"0123456789")
    s3 = proxy.s3(connector["id"])

    got = await run(s3.get_object, Bucket=DEMO_BUCKET, Key=folder + "a.txt")
    assert got["Body"].read() == b"0123456789"
    headers = got["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert headers["cache-control"] == "no-store, private"
    assert got["ETag"]

    part = await run(s3.get_object, Bucket=DEMO_BUCKET, Key=folder + "a.txt", Range="bytes=2-4")
    assert part["Body"].read() == b"234"
    assert part["ContentRange"] == "bytes 2-4/10"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206

    head = await run(s3.head_object, Bucket=DEMO_BUCKET, Key=folder + "a.txt")
    assert head["ContentLength"] == 10
    assert head["ETag"] == got["ETag"]

    with pytest.raises(ClientError) as missing:
        await run(s3.get_object, Bucket=DEMO_BUCKET, Key=folder + "missing")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


async def test_list_with_delimiter_prefix_and_continuation(
    proxy, make_connector, moto_endpoint, moto_s3, folder
):
    connector = await make_connector(endpoint=moto_endpoint)
    names = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "sub/x.txt", "sub/y.txt", "sub2/"]
    for name in names:
        await run(moto_s3.put_object, Bucket=DEMO_BUCKET, Key=folder + name, Body=b"x")
    s3 = proxy.s3(connector["id"])

    keys: list[str] = []
    prefixes: list[str] = []
    pages = 0
    kwargs = {"Bucket": DEMO_BUCKET, "Prefix": folder, "Delimiter": "/", "MaxKeys": 2}
    while True:
        page = await run(s3.list_objects_v2, **kwargs)
        pages += 1
        keys += [item["Key"] for item in page.get("Contents", [])]
        prefixes += [item["Prefix"] for item in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
    assert pages >= 3
    assert keys == [folder + n for n in ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]]
    assert prefixes == [folder + "sub/", folder + "sub2/"]

    nested = await run(s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder + "sub/")
    assert [item["Key"] for item in nested["Contents"]] == [
        folder + "sub/x.txt",
        folder + "sub/y.txt",
    ]


async def test_put_with_if_match(proxy, make_connector, moto_endpoint, moto_s3, folder):
    connector = await make_connector(endpoint=moto_endpoint)
    s3 = proxy.s3(connector["id"])
    key = folder + "notebook.ipynb"

    first = await run(
        s3.put_object, Bucket=DEMO_BUCKET, Key=key, Body=b"v1", ContentType="application/json"
    )
    second = await run(
        s3.put_object,
        Bucket=DEMO_BUCKET,
        Key=key,
        Body=b"v2",
        IfMatch=first["ETag"],
        ContentType="application/json",
    )
    assert second["ETag"] != first["ETag"]
    stored = await run(moto_s3.head_object, Bucket=DEMO_BUCKET, Key=key)
    assert stored["ContentType"] == "application/json"

    with pytest.raises(ClientError) as stale:
        await run(s3.put_object, Bucket=DEMO_BUCKET, Key=key, Body=b"v3", IfMatch=first["ETag"])
    assert stale.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"

    stored = await run(moto_s3.get_object, Bucket=DEMO_BUCKET, Key=key)
    assert stored["Body"].read() == b"v2"


async def test_copy_delete_and_delete_objects(
    proxy, make_connector, moto_endpoint, moto_s3, folder
):
    connector = await make_connector(endpoint=moto_endpoint)
    s3 = proxy.s3(connector["id"])
    await run(
        s3.put_object, Bucket=DEMO_BUCKET, Key=folder + "src.txt", Body=b"data", Metadata={"k": "v"}
    )

    await run(
        s3.copy_object,
        Bucket=DEMO_BUCKET,
        Key=folder + "copy of src.txt",
        CopySource={"Bucket": DEMO_BUCKET, "Key": folder + "src.txt"},
    )
    copied = await run(moto_s3.get_object, Bucket=DEMO_BUCKET, Key=folder + "copy of src.txt")
    assert copied["Body"].read() == b"data"
    # tornado writes header names capitalised (X-Amz-Meta-K); S3 metadata names are
    # case-insensitive (AWS stores them lower case, moto as sent).
    assert {k.lower(): v for k, v in copied["Metadata"].items()} == {"k": "v"}
    head = await run(s3.head_object, Bucket=DEMO_BUCKET, Key=folder + "src.txt")
    assert {k.lower(): v for k, v in head["Metadata"].items()} == {"k": "v"}

    await run(s3.delete_object, Bucket=DEMO_BUCKET, Key=folder + "src.txt")
    for i in range(3):
        await run(moto_s3.put_object, Bucket=DEMO_BUCKET, Key=f"{folder}batch/{i}", Body=b"")
    deleted = await run(
        s3.delete_objects,
        Bucket=DEMO_BUCKET,
        Delete={"Objects": [{"Key": f"{folder}batch/{i}"} for i in range(3)]},
    )
    assert sorted(item["Key"] for item in deleted["Deleted"]) == [
        f"{folder}batch/{i}" for i in range(3)
    ]
    left = await run(moto_s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder)
    assert [item["Key"] for item in left["Contents"]] == [folder + "copy of src.txt"]


async def test_multipart_upload_and_abort(proxy, make_connector, moto_endpoint, moto_s3, folder):
    connector = await make_connector(endpoint=moto_endpoint)
    s3 = proxy.s3(connector["id"])
    key = folder + "big file.bin"
    parts_data = [b"a" * FIVE_MIB, b"b" * FIVE_MIB, b"tail"]

    upload = await run(s3.create_multipart_upload, Bucket=DEMO_BUCKET, Key=key)
    parts = []
    for number, data in enumerate(parts_data, start=1):
        part = await run(
            s3.upload_part,
            Bucket=DEMO_BUCKET,
            Key=key,
            UploadId=upload["UploadId"],
            PartNumber=number,
            Body=data,
        )
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    await run(
        s3.complete_multipart_upload,
        Bucket=DEMO_BUCKET,
        Key=key,
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": parts},
    )
    stored = await run(moto_s3.get_object, Bucket=DEMO_BUCKET, Key=key)
    assert stored["Body"].read() == b"".join(parts_data)

    aborted_key = folder + "aborted.bin"
    upload = await run(s3.create_multipart_upload, Bucket=DEMO_BUCKET, Key=aborted_key)
    await run(
        s3.upload_part,
        Bucket=DEMO_BUCKET,
        Key=aborted_key,
        UploadId=upload["UploadId"],
        PartNumber=1,
        Body=b"c" * FIVE_MIB,
    )
    await run(
        s3.abort_multipart_upload, Bucket=DEMO_BUCKET, Key=aborted_key, UploadId=upload["UploadId"]
    )
    pending = await run(moto_s3.list_multipart_uploads, Bucket=DEMO_BUCKET, Prefix=folder)
    assert not pending.get("Uploads")
    with pytest.raises(ClientError):
        await run(moto_s3.head_object, Bucket=DEMO_BUCKET, Key=aborted_key)


SPECIAL_NAMES = [
    "with space.txt",
    "unicodé ü 日本.txt",
    "plus+sign.txt",
    "percent%25 and %41.txt",
    "hash#.txt",
    "question?.txt",
    "amp&eq=.txt",
    "a//b.txt",
    "trailing-slash-dir/",
    "tilde~ 'quote' (paren) !*.txt",
]


@pytest.mark.parametrize("name", SPECIAL_NAMES)
async def test_keys_round_trip_exactly(proxy, make_connector, moto_endpoint, moto_s3, folder, name):
    connector = await make_connector(endpoint=moto_endpoint)
    s3 = proxy.s3(connector["id"])
    key = folder + name
    body = name.encode()

    await run(s3.put_object, Bucket=DEMO_BUCKET, Key=key, Body=body)
    # boto3 straight at moto: the object landed under exactly this key.
    listed = await run(moto_s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder)
    assert [item["Key"] for item in listed["Contents"]] == [key]
    assert (await run(moto_s3.get_object, Bucket=DEMO_BUCKET, Key=key))["Body"].read() == body

    got = await run(s3.get_object, Bucket=DEMO_BUCKET, Key=key)
    assert got["Body"].read() == body
    through = await run(s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder, Delimiter="/")
    names = [item["Key"] for item in through.get("Contents", [])]
    names += [item["Prefix"] for item in through.get("CommonPrefixes", [])]
    assert (
        names == [key]
        if "/" not in name.rstrip("/")
        else [key.split("/")[0] + "/" + name.split("/")[0] + "/"]
    )
    await run(s3.delete_object, Bucket=DEMO_BUCKET, Key=key)
    assert "Contents" not in await run(moto_s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder)


async def test_longest_key_round_trips(proxy, make_connector, moto_endpoint, moto_s3, folder):
    connector = await make_connector(endpoint=moto_endpoint)
    s3 = proxy.s3(connector["id"])
    filler = "é" * ((1024 - len(folder)) // 2)
    key = (folder + filler + "x" * 2)[:1024]
    while len(key.encode()) > 1024:
        key = key[:-1]
    assert 1020 <= len(key.encode()) <= 1024
    await run(s3.put_object, Bucket=DEMO_BUCKET, Key=key, Body=b"long")
    listed = await run(moto_s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder)
    assert [item["Key"] for item in listed["Contents"]] == [key]
    assert (await run(s3.get_object, Bucket=DEMO_BUCKET, Key=key))["Body"].read() == b"long"

    too_long = folder + "y" * 1100
    with pytest.raises(ClientError) as refused:
        await run(s3.put_object, Bucket=DEMO_BUCKET, Key=too_long, Body=b"")
    assert refused.value.response["Error"]["Code"] == "KeyTooLongError"


async def test_versions_through_the_proxy(proxy, make_connector, moto_endpoint, moto_s3):
    bucket = f"versioned-{uuid.uuid4().hex[:8]}"
    await run(moto_s3.create_bucket, Bucket=bucket)
    await run(
        moto_s3.put_bucket_versioning,
        Bucket=bucket,
        VersioningConfiguration={"Status": "Enabled"},
    )
    connector = await make_connector(endpoint=moto_endpoint, bucket=bucket)
    s3 = proxy.s3(connector["id"])

    state = await run(s3.get_bucket_versioning, Bucket=bucket)
    assert state["Status"] == "Enabled"
    v1 = await run(s3.put_object, Bucket=bucket, Key="doc.txt", Body=b"one")
    await run(s3.put_object, Bucket=bucket, Key="doc.txt", Body=b"two")
    versions = await run(s3.list_object_versions, Bucket=bucket, Prefix="doc.txt")
    assert len(versions["Versions"]) == 2
    old = await run(s3.get_object, Bucket=bucket, Key="doc.txt", VersionId=v1["VersionId"])
    assert old["Body"].read() == b"one"
    assert old["VersionId"] == v1["VersionId"]
    gone = await run(s3.delete_object, Bucket=bucket, Key="doc.txt")
    assert gone["DeleteMarker"] is True


async def test_prefix_connector_stays_inside_its_prefix(
    proxy, make_connector, moto_endpoint, moto_s3, folder
):
    connector = await make_connector(endpoint=moto_endpoint, prefix=folder + "root")
    s3 = proxy.s3(connector["id"])
    inside = folder + "root/file.txt"
    await run(s3.put_object, Bucket=DEMO_BUCKET, Key=inside, Body=b"in")
    await run(moto_s3.put_object, Bucket=DEMO_BUCKET, Key=folder + "outside.txt", Body=b"out")

    listed = await run(
        s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder + "root/", Delimiter="/"
    )
    assert [item["Key"] for item in listed["Contents"]] == [inside]

    for call, kwargs in [
        (s3.get_object, {"Key": folder + "outside.txt"}),
        (s3.put_object, {"Key": folder + "outside.txt", "Body": b"x"}),
        (s3.put_object, {"Key": folder + "root", "Body": b"x"}),
        (s3.list_objects_v2, {"Prefix": folder}),
        (s3.list_objects_v2, {}),
        (s3.list_object_versions, {"Prefix": ""}),
        (
            s3.copy_object,
            {
                "Key": inside + ".copy",
                "CopySource": {"Bucket": DEMO_BUCKET, "Key": folder + "outside.txt"},
            },
        ),
        (
            s3.delete_objects,
            {"Delete": {"Objects": [{"Key": inside}, {"Key": folder + "outside.txt"}]}},
        ),
    ]:
        with pytest.raises(ClientError) as refused:
            await run(call, Bucket=DEMO_BUCKET, **kwargs)
        assert refused.value.response["Error"]["Code"] == "AccessDenied", call
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    assert (await run(moto_s3.get_object, Bucket=DEMO_BUCKET, Key=folder + "outside.txt"))[
        "Body"
    ].read() == b"out"
    assert (await run(moto_s3.head_object, Bucket=DEMO_BUCKET, Key=inside))["ContentLength"] == 2


async def test_read_only_connector_refuses_every_write(
    proxy, make_connector, moto_endpoint, moto_s3, folder
):
    key = folder + "ro.txt"
    await run(moto_s3.put_object, Bucket=DEMO_BUCKET, Key=key, Body=b"keep")
    connector = await make_connector(endpoint=moto_endpoint, mode="read-only", name="readonly")
    s3 = proxy.s3(connector["id"])

    assert (await run(s3.get_object, Bucket=DEMO_BUCKET, Key=key))["Body"].read() == b"keep"
    assert (await run(s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder))["KeyCount"] == 1

    writes = [
        (s3.put_object, {"Key": key, "Body": b"changed"}),
        (s3.delete_object, {"Key": key}),
        (s3.create_multipart_upload, {"Key": key}),
        (s3.delete_objects, {"Delete": {"Objects": [{"Key": key}]}}),
        (s3.copy_object, {"Key": key + "2", "CopySource": {"Bucket": DEMO_BUCKET, "Key": key}}),
    ]
    for call, kwargs in writes:
        with pytest.raises(ClientError) as refused:
            await run(call, Bucket=DEMO_BUCKET, **kwargs)
        error = refused.value.response["Error"]
        assert error["Code"] == "AccessDenied"
        assert error["Message"] == "Connector 'readonly' is read-only."
    stored = await run(moto_s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder)
    assert [item["Key"] for item in stored["Contents"]] == [key]
    assert (await run(moto_s3.get_object, Bucket=DEMO_BUCKET, Key=key))["Body"].read() == b"keep"


async def test_inactive_and_unknown_connectors(proxy, make_connector, moto_endpoint):
    connector = await make_connector(endpoint=moto_endpoint, active=False, name="sleeping")
    s3 = proxy.s3(connector["id"])
    with pytest.raises(ClientError) as inactive:
        await run(s3.head_object, Bucket=DEMO_BUCKET, Key="data/hello.txt")
    assert inactive.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as inactive:
        await run(s3.get_object, Bucket=DEMO_BUCKET, Key="data/hello.txt")
    assert inactive.value.response["Error"]["Message"] == (
        "Connector 'sleeping' is not active: activate it first."
    )

    unknown = await proxy.fetch(str(uuid.uuid4()), f"/{DEMO_BUCKET}/data/hello.txt")
    assert unknown.code == 404
    assert b"<Code>NoSuchConnector</Code>" in unknown.body
    assert unknown.headers["Content-Type"] == "application/xml"


async def test_secret_never_reaches_the_browser(proxy, make_connector, moto_endpoint, folder):
    connector = await make_connector(endpoint=moto_endpoint)
    answers = [
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}?list-type=2&prefix={folder}"),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/data/hello.txt"),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/missing", method="HEAD"),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/x?acl"),
        await proxy.fetch(connector["id"], f"/{DEMO_BUCKET}/{folder}s.txt", "PUT", b"x"),
    ]
    for answer in answers:
        assert SECRET not in answer.body.decode()
        assert all(SECRET not in value for _, value in answer.headers.get_all())
    assert [answer.code for answer in answers] == [200, 200, 404, 403, 200]


def _set_moto_auth(endpoint: str, free_requests: float) -> None:
    """Make moto check signatures after ``free_requests`` more requests (inf: never)."""
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - the local moto server
        f"{endpoint}/moto-api/reset-auth",
        data=str(free_requests).encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},  # a form type would hide the body from moto
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert answer.status == 200


@pytest.fixture
def moto_iam_key(moto_endpoint):
    """An IAM user allowed s3:* in moto, and its key (moto checks signatures against it)."""
    import json

    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )
    user = f"proxy-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


async def test_moto_verifies_the_proxy_signature(
    proxy, make_connector, moto_endpoint, moto_iam_key, folder
):
    key_id, secret = moto_iam_key
    good = await make_connector(
        endpoint=moto_endpoint, access_key_id=key_id, secret_access_key=secret
    )
    wrong = await make_connector(
        endpoint=moto_endpoint, access_key_id=key_id, secret_access_key="not-the-secret"
    )
    s3 = proxy.s3(good["id"])
    key = folder + "signed/ü+ %&=?#a//b.txt"
    await run(_set_moto_auth, moto_endpoint, 0)
    try:
        await run(
            s3.put_object, Bucket=DEMO_BUCKET, Key=key, Body=b"signed", ContentType="text/plain"
        )
        assert (await run(s3.get_object, Bucket=DEMO_BUCKET, Key=key))["Body"].read() == b"signed"
        listed = await run(s3.list_objects_v2, Bucket=DEMO_BUCKET, Prefix=folder + "signed/ü+ ")
        assert [item["Key"] for item in listed["Contents"]] == [key]
        await run(
            s3.copy_object,
            Bucket=DEMO_BUCKET,
            Key=key + ".copy",
            CopySource={"Bucket": DEMO_BUCKET, "Key": key},
        )
        await run(
            s3.delete_objects,
            Bucket=DEMO_BUCKET,
            Delete={"Objects": [{"Key": key}, {"Key": key + ".copy"}]},
        )
        with pytest.raises(ClientError) as refused:
            await run(proxy.s3(wrong["id"]).head_object, Bucket=DEMO_BUCKET, Key="data/hello.txt")
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        with pytest.raises(ClientError) as refused:
            await run(proxy.s3(wrong["id"]).get_object, Bucket=DEMO_BUCKET, Key="data/hello.txt")
        assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    finally:
        await run(_set_moto_auth, moto_endpoint, float("inf"))
