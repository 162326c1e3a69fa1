"""No 500 from bad input: each case is a 400 naming the field (real Jupyter server)."""

from __future__ import annotations

import json

import pytest

from ..validation import validate_name, validate_prefix
from .conftest import SECRET, connector_body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "fo\n"),
        ("region", "us-east-1\n"),
        ("bucket", "demo-bucket\n"),
        ("access_key_id", "AKID\n"),
        ("endpoint", "http://127.0.0.1:9\n"),
    ],
)
async def test_a_trailing_newline_is_refused(api, field, value):
    answer = await api("POST", "connectors", body=connector_body(**{field: value}))
    assert answer.code == 400, answer
    assert field in answer.json["errors"]


async def test_fo_with_a_newline_cannot_sit_beside_fo(api):
    assert (await api("POST", "connectors", body=connector_body(name="fo"))).code == 201
    answer = await api("POST", "connectors", body=connector_body(name="fo\n"))
    assert answer.code == 400
    listed = await api("GET", "connectors")
    assert [c["name"] for c in listed.json["connectors"]] == ["fo"]


@pytest.mark.parametrize(
    "prefix", ["./x", "a/./b", "x/.", "x/./", ".", "..", "a/../b", "a\\b", "a\x01b", "a\x7f"]
)
async def test_folders_the_proxy_cannot_serve_are_refused(api, prefix):
    answer = await api("POST", "connectors", body=connector_body(prefix=prefix))
    assert answer.code == 400, answer
    assert list(answer.json["errors"]) == ["prefix"]
    created = await api("POST", "connectors", body=connector_body(prefix="ok/"))
    edit = await api("PATCH", "connectors", created.json["id"], body={"prefix": prefix})
    assert edit.code == 400
    assert list(edit.json["errors"]) == ["prefix"]


def test_the_name_and_prefix_rules():
    for name in ("ab", "a-b", "a1", "x" * 63):
        assert validate_name(name) == name
    for name in ("a", "1a", "a-", "A", "a_b", "fo\n", "x" * 64, "ab\r"):
        with pytest.raises(ValueError):
            validate_name(name)
    assert validate_prefix("a//b") == "a//b/"
    assert validate_prefix("a.b/.c/..d") == "a.b/.c/..d/"
    assert validate_prefix("données/") == "données/"


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "description",
        "endpoint",
        "region",
        "bucket",
        "prefix",
        "access_key_id",
        "secret_access_key",
        "mode",
        "backend",
    ],
)
async def test_lone_surrogates_are_400_naming_the_field(api, field, store_path):
    body = json.dumps(connector_body(**{field: "x\ud800y"}))
    answer = await api("POST", "connectors", body=body)
    assert answer.code == 400, answer
    assert field in answer.json["errors"]
    assert SECRET not in answer.raw
    created = await api("POST", "connectors", body=connector_body())
    edit = await api("PATCH", "connectors", created.json["id"], body={field: "\udfff"})
    assert edit.code == 400, edit
    assert field in edit.json["errors"]


async def test_a_lone_surrogate_in_a_field_name_is_400(api):
    answer = await api("POST", "connectors", body=json.dumps({**connector_body(), "\ud800": 1}))
    assert answer.code == 400
    assert "not valid Unicode" in answer.json["message"]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"name": 1' + "0" * 5000 + "}",
        '{"name": NaN}',
        '{"name": -Infinity}',
    ],
)
async def test_deep_json_and_huge_numbers_are_400(api, body):
    answer = await api("POST", "connectors", body=body)
    assert answer.code == 400, answer
    created = await api("POST", "connectors", body=connector_body())
    for path in (("connectors", created.json["id"]), ("connectors", created.json["id"], "presign")):
        method = "PATCH" if len(path) == 2 else "POST"
        assert (await api(method, *path, body=body)).code == 400


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://exa_mple.com",
        "http://-example.com",
        "http://" + "a" * 64 + ".com",
        "http://ex ample.com",
        "http://[::1",
        "http://ä.example.com",
        "http://example.com/päth",
        "http://example.com:99999",
    ],
)
async def test_endpoints_botocore_rejects_are_400(api, endpoint):
    answer = await api("POST", "connectors", body=connector_body(endpoint=endpoint))
    assert answer.code == 400, answer
    assert list(answer.json["errors"]) == ["endpoint"]


async def test_ipv6_and_paths_stay_valid(api):
    for endpoint in ("http://[::1]:9000", "https://s3.example.com/base/path", "http://localhost"):
        body = connector_body(endpoint=endpoint, name=f"e{len(endpoint)}x")
        answer = await api("POST", "connectors", body=body)
        assert answer.code == 201, (endpoint, answer)


async def test_presign_only_for_active_connectors_and_servable_keys(
    api, make_connector, moto_endpoint
):
    inactive = await make_connector(endpoint=moto_endpoint, active=False)
    answer = await api("POST", "connectors", inactive["id"], "presign", body={"key": "data/x"})
    assert answer.code == 403
    assert "not active" in answer.json["message"]

    active = await make_connector(endpoint=moto_endpoint)
    for key in ("data/../secret.txt", "./x", "a/./b", "a\\b", "a\nb", "a\x00b"):
        answer = await api("POST", "connectors", active["id"], "presign", body={"key": key})
        assert answer.code == 400, (key, answer)
        assert list(answer.json["errors"]) == ["key"]
    surrogate = json.dumps({"key": "data/\ud800"})
    answer = await api("POST", "connectors", active["id"], "presign", body=surrogate)
    assert answer.code == 400
    assert list(answer.json["errors"]) == ["key"]
