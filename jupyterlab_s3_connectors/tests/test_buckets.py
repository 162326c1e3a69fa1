"""The bucket list of the connector form (``POST s3-connectors/api/buckets``), against moto."""

from __future__ import annotations

import json
import logging

import boto3
import pytest

from .conftest import DEMO_BUCKET, SECRET, free_port
from .test_auth import _login, api_url

#: A second bucket, so the list has more than the fixture's.
OTHER_BUCKET = "bucket-list-other"


@pytest.fixture
def buckets(moto_endpoint: str) -> list[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )
    s3.create_bucket(Bucket=OTHER_BUCKET)
    return sorted(b["Name"] for b in s3.list_buckets()["Buckets"])


async def test_lists_the_buckets_with_a_typed_key(api, moto_endpoint, buckets, caplog):
    caplog.set_level(logging.DEBUG)
    answer = await api(
        "POST",
        "buckets",
        body={
            "endpoint": moto_endpoint,
            "region": "us-east-1",
            "access_key_id": "AKIDEXAMPLE",
            "secret_access_key": SECRET,
        },
    )
    assert answer.code == 200, answer
    assert answer.json["ok"] is True
    assert answer.json["code"] == "ok"
    assert answer.json["buckets"] == buckets
    assert {DEMO_BUCKET, OTHER_BUCKET} <= set(answer.json["buckets"])
    assert answer.headers["Cache-Control"] == "no-store"
    assert SECRET not in answer.raw
    assert SECRET not in caplog.text


async def test_unreachable_endpoint_is_a_clear_answer(api, caplog):
    caplog.set_level(logging.DEBUG)
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    answer = await api(
        "POST",
        "buckets",
        body={"endpoint": endpoint, "access_key_id": "AKID", "secret_access_key": SECRET},
    )
    assert answer.code == 200, answer
    assert answer.json == {
        "ok": False,
        "code": "unreachable",
        "message": f"Could not connect to {endpoint}. "
        "Check the endpoint URL and that the service is running.",
        "buckets": [],
    }
    assert SECRET not in caplog.text


async def test_an_endpoint_that_is_no_s3_service(api, jp_base_url, jp_http_port):
    # The Jupyter server itself: it answers, but not S3's ListBuckets.
    endpoint = f"http://127.0.0.1:{jp_http_port}"
    answer = await api(
        "POST",
        "buckets",
        body={"endpoint": endpoint, "access_key_id": "AKID", "secret_access_key": SECRET},
    )
    assert answer.code == 200, answer
    assert answer.json["ok"] is False
    assert answer.json["code"] == "error"
    assert answer.json["buckets"] == []
    assert SECRET not in answer.raw


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"access_key_id": "AKID", "secret_access_key": "s"}, "endpoint"),
        (
            {"endpoint": "ftp://x", "access_key_id": "AKID", "secret_access_key": "s"},
            "endpoint",
        ),
        ({"endpoint": "http://127.0.0.1:9", "secret_access_key": "s"}, "access_key_id"),
        ({"endpoint": "http://127.0.0.1:9", "access_key_id": "AKID"}, "secret_access_key"),
        (
            {"endpoint": "http://127.0.0.1:9", "access_key_id": "A", "secret_access_key": "s\n"},
            "secret_access_key",
        ),
        (
            {"endpoint": "http://1.2.3.4", "access_key_id": "A", "secret_access_key": "s", "x": 1},
            "x",
        ),
    ],
)
async def test_bad_requests_name_the_field(api, body, field):
    answer = await api("POST", "buckets", body=body)
    assert answer.code == 400, answer
    assert list(answer.json["errors"]) == [field]
    assert "s\n" not in answer.raw


async def test_editing_uses_the_stored_secret_on_the_server(
    api, make_connector, moto_endpoint, buckets, caplog
):
    caplog.set_level(logging.DEBUG)
    connector = await make_connector(active=False, endpoint=moto_endpoint)
    request = {
        "endpoint": moto_endpoint,
        "region": "us-east-1",
        "access_key_id": connector["access_key_id"],
        "connector_id": connector["id"],
    }
    answer = await api("POST", "buckets", body=request)
    assert answer.code == 200, answer
    assert answer.json["buckets"] == buckets
    assert SECRET not in answer.raw
    assert SECRET not in caplog.text

    # The stored key never signs a request to another endpoint, nor under another key ID.
    for change in ({"endpoint": "http://127.0.0.1:9"}, {"access_key_id": "OTHER"}):
        refused = await api("POST", "buckets", body={**request, **change})
        assert refused.code == 400, refused
        assert list(refused.json["errors"]) == ["secret_access_key"]

    missing = await api("POST", "buckets", body={**request, "connector_id": "no-such-id"})
    assert missing.code == 404, missing
    assert SECRET not in "".join(api.bodies)


async def test_needs_authentication_and_xsrf(http_server_client, jp_serverapp, jp_base_url):
    url = api_url(jp_base_url, "buckets")
    body = json.dumps({"endpoint": "http://127.0.0.1:9", "access_key_id": "A"})
    anonymous = await http_server_client.fetch(url, method="POST", body=body, raise_error=False)
    assert anonymous.code == 403
    cookies = await _login(http_server_client, jp_serverapp, jp_base_url)
    cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    no_xsrf = await http_server_client.fetch(
        url, method="POST", body=body, headers={"Cookie": cookie_header}, raise_error=False
    )
    assert no_xsrf.code == 403
    assert "xsrf" in json.loads(no_xsrf.body)["message"].lower()
    with_xsrf = await http_server_client.fetch(
        url,
        method="POST",
        body=body,
        headers={"Cookie": cookie_header, "X-XSRFToken": cookies["_xsrf"]},
        raise_error=False,
    )
    assert with_xsrf.code == 400  # past authentication and XSRF: the secret is missing
    assert list(json.loads(with_xsrf.body)["errors"]) == ["secret_access_key"]
