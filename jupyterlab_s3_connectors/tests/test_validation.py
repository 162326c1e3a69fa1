"""Unit tests of the field rules (no server)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_s3_connectors import validation
from jupyterlab_s3_connectors.validation import (
    EDITABLE_FIELDS,
    ValidationError,
    validate_bucket,
    validate_connector_changes,
    validate_endpoint,
    validate_name,
    validate_new_connector,
    validate_prefix,
    validate_region,
)

#: The table of cases the frontend's validator is tested against too.
CASES_FILE = Path(__file__).with_name("validation_cases.json")
TABLE = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def _value(pieces: Any) -> str:
    if isinstance(pieces, str):
        return pieces
    return "".join(p if isinstance(p, str) else p[0] * p[1] for p in pieces)


def _case_id(case: dict[str, Any]) -> str:
    value = _value(case["value"])
    shown = value if len(value) <= 24 else f"{value[:12]}…({len(value)})"
    return f"{case['field']}={shown!a}->{case['code']}"


@pytest.mark.parametrize("case", TABLE["cases"], ids=_case_id)
def test_shared_case(case: dict[str, Any]) -> None:
    """Each case of validation_cases.json gives exactly the expected code, or none."""
    body = {**TABLE["base"], **case.get("with", {}), case["field"]: _value(case["value"])}
    options = {
        "default_region": "us-east-1",
        "allow_direct_backend": case.get("allowDirect", True),
        "unavailable_backends": {name: "" for name in case.get("unavailable", [])},
    }
    if case.get("isNew", True):
        validate = validate_new_connector
    else:
        validate = validate_connector_changes
    if case["code"] is None:
        validate(body, **options)
        return
    with pytest.raises(ValidationError) as info:
        validate(body, **options)
    assert info.value.codes == {case["field"]: case["code"]}
    assert set(info.value.errors) == {case["field"]}
    assert info.value.errors[case["field"]]


def test_shared_table_covers_every_rule() -> None:
    """Every code the server's validator can give for a text value has a case."""
    source = Path(validation.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'FieldError\(\s*"([a-z_]+\.[a-z_]+)"', source))
    raised |= {"mode.choice", "backend.choice", "credentials.choice"}  # f"{field}.choice"
    # Non-text values are the server's alone: JSON from the form is always text.
    raised -= {code for code in raised if code.endswith(".type")}
    in_table = {case["code"] for case in TABLE["cases"]} - {None}
    assert raised == in_table
    fields = {case["field"] for case in TABLE["cases"]}
    assert fields == {*EDITABLE_FIELDS, "secret_access_key"}


GOOD = {
    "name": "my-data",
    "endpoint": "https://s3.example.com",
    "bucket": "my.bucket-1",
    "access_key_id": "AKID",
    "secret_access_key": "secret",
}


@pytest.mark.parametrize("name", ["ab", "a1", "my-data-2", "x" * 63, "a-b-c"])
def test_good_names(name):
    assert validate_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "a", "x" * 64, "1ab", "-ab", "ab-", "Ab", "a_b", "a b", "a.b", "é-a", None, 3]
)
def test_bad_names(name):
    with pytest.raises(ValueError):
        validate_name(name)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:9000", "http://localhost:9000"),
        ("https://s3.example.com/", "https://s3.example.com"),
        ("https://example.com/s3/", "https://example.com/s3"),
        ("http://127.0.0.1:5000/path/to", "http://127.0.0.1:5000/path/to"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_good_endpoints(url, expected):
    assert validate_endpoint(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "example.com",
        "ftp://example.com",
        "file:///etc/passwd",
        "http://user:pw@example.com",
        "http://user@example.com",
        "http://example.com/?q=1",
        "http://example.com/?",
        "http://example.com/#f",
        "http://",
        "http:///path",
        "http://example.com:0",
        "http://example.com:70000",
        "http://example.com:port",
        "http://exa mple.com",
        "javascript:alert(1)",
        None,
    ],
)
def test_bad_endpoints(url):
    with pytest.raises(ValueError):
        validate_endpoint(url)


@pytest.mark.parametrize("bucket", ["abc", "my-bucket", "my.bucket", "b" * 63, "1bucket", "a1.b2"])
def test_good_buckets(bucket):
    assert validate_bucket(bucket) == bucket


@pytest.mark.parametrize(
    "bucket",
    [
        "ab",
        "b" * 64,
        "Bucket",
        "-bucket",
        "bucket-",
        ".bucket",
        "bucket.",
        "a..b",
        "a_b",
        "10.0.0.1",
        "192.168.1.1",
        "",
        None,
    ],
)
def test_bad_buckets(bucket):
    with pytest.raises(ValueError):
        validate_bucket(bucket)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", ""), (None, ""), ("data", "data/"), ("a/b/", "a/b/"), ("ünï code", "ünï code/")],
)
def test_prefix_normalised(prefix, expected):
    assert validate_prefix(prefix) == expected


@pytest.mark.parametrize("prefix", ["/abs", "a/../b", "..", "a/..", "x" * 1024, "é" * 513, 5])
def test_bad_prefixes(prefix):
    with pytest.raises(ValueError):
        validate_prefix(prefix)


def test_region_default_and_pattern():
    assert validate_region(None, "us-east-1") == "us-east-1"
    assert validate_region("", "eu-west-1") == "eu-west-1"
    assert validate_region("fr-par", "us-east-1") == "fr-par"
    for bad in ("EU", "eu_west", "x" * 33, 5):
        with pytest.raises(ValueError):
            validate_region(bad, "us-east-1")


def test_new_connector_defaults():
    fields, secret = validate_new_connector(GOOD, default_region="us-east-1")
    assert secret == "secret"
    assert "secret_access_key" not in fields
    assert fields == {
        "name": "my-data",
        "description": "",
        "endpoint": "https://s3.example.com",
        "region": "us-east-1",
        "bucket": "my.bucket-1",
        "prefix": "",
        "access_key_id": "AKID",
        "mode": "read-write",
        "backend": "proxy",
        "credentials": "key",
    }


def test_errors_name_every_bad_field_without_echoing_the_secret():
    body = {**GOOD, "name": "X", "mode": "rw", "extra": 1, "id": "x", "secret_access_key": "\n"}
    with pytest.raises(ValidationError) as info:
        validate_new_connector(body, default_region="us-east-1")
    assert set(info.value.errors) == {"name", "mode", "extra", "id", "secret_access_key"}
    assert str(info.value).startswith("The connector has invalid fields: ")
    assert "\n" not in "".join(info.value.errors.values())


def test_direct_backend_can_be_disabled():
    with pytest.raises(ValidationError) as info:
        validate_new_connector(
            {**GOOD, "backend": "direct"}, default_region="us-east-1", allow_direct_backend=False
        )
    assert list(info.value.errors) == ["backend"]
    fields, _ = validate_new_connector(
        {**GOOD, "backend": "direct"}, default_region="us-east-1", allow_direct_backend=True
    )
    assert fields["backend"] == "direct"


def test_changes_are_partial_and_empty_secret_keeps_it():
    changes, secret = validate_connector_changes(
        {"description": "d", "secret_access_key": ""}, default_region="us-east-1"
    )
    assert changes == {"description": "d"}
    assert secret is None
    changes, secret = validate_connector_changes(
        {"secret_access_key": "new"}, default_region="us-east-1"
    )
    assert changes == {}
    assert secret == "new"


@pytest.mark.parametrize(
    "field", ["id", "creator", "created_at", "updated_at", "active", "has_secret"]
)
def test_changes_refuse_server_fields(field):
    with pytest.raises(ValidationError) as info:
        validate_connector_changes({field: "x"}, default_region="us-east-1")
    assert list(info.value.errors) == [field]
