"""Validation of connector fields sent by clients.

Pure functions, free of tornado and of the store, so the rules can be tested on their own.
Every message is written for the person filling in the connector form.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

#: Fields of a connector a client may change (the store keeps these as given).
EDITABLE_FIELDS = (
    "name",
    "description",
    "endpoint",
    "region",
    "bucket",
    "prefix",
    "access_key_id",
    "mode",
    "backend",
)

#: Fields a client may send when creating or editing a connector.
WRITABLE_FIELDS = (*EDITABLE_FIELDS, "secret_access_key")

#: Fields the server owns: present in answers, refused in requests.
READ_ONLY_FIELDS = ("id", "creator", "created_at", "updated_at", "active", "has_secret")

MODES = ("read-only", "read-write")
BACKENDS = ("proxy", "direct")

DEFAULT_MODE = "read-write"
DEFAULT_BACKEND = "proxy"

# Every pattern is matched against the whole value (``fullmatch``): ``$`` would accept a
# trailing newline, and "fo\n" would be a second connector beside "fo".
_NAME_RE = re.compile(r"[a-z][a-z0-9-]{0,61}[a-z0-9]")
_REGION_RE = re.compile(r"[a-z0-9-]{1,32}")
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IPV4_RE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
_ACCESS_KEY_RE = re.compile(r"[\x21-\x7e]{1,128}")
_ENDPOINT_RE = re.compile(r"[\x21-\x7e]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")

MAX_DESCRIPTION = 1000
MAX_PREFIX_BYTES = 1024
MAX_ENDPOINT = 2048
MAX_SECRET = 256


class ValidationError(ValueError):
    """One or more fields are invalid; ``errors`` maps each field to a human message."""

    def __init__(self, errors: Mapping[str, str], subject: str = "The connector"):
        self.errors = dict(errors)
        super().__init__(f"{subject} has invalid fields: {', '.join(self.errors)}")

    @property
    def message(self) -> str:
        return str(self)


def _check_unicode(value: str) -> None:
    # A lone surrogate (JSON "\\ud800") cannot be stored as UTF-8.
    if _SURROGATE_RE.search(value):
        raise ValueError("The value contains characters that are not valid Unicode.")


def validate_name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("Enter a name.")
    if not 2 <= len(value) <= 63:
        raise ValueError("The name must be 2 to 63 characters long.")
    if not _NAME_RE.fullmatch(value):
        raise ValueError(
            "Use lowercase letters, digits and '-', start with a letter and do not end with '-'."
        )
    return value


def validate_description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("The description must be text.")
    _check_unicode(value)
    if len(value) > MAX_DESCRIPTION:
        raise ValueError(f"The description must be at most {MAX_DESCRIPTION} characters long.")
    return value


def validate_endpoint(value: Any) -> str:
    """Return the endpoint URL without its trailing '/'."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Enter the endpoint URL, e.g. https://s3.example.com.")
    if len(value) > MAX_ENDPOINT or not _ENDPOINT_RE.fullmatch(value):
        raise ValueError(
            "Enter an http:// or https:// URL without spaces, in ASCII (punycode for an "
            "international host name)."
        )
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        raise ValueError(
            "The endpoint is not a valid URL (check the brackets of an IPv6 host)."
        ) from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("The endpoint must be an http:// or https:// URL.")
    if "@" in parts.netloc:
        raise ValueError("Remove the user name and password from the URL; use the key fields.")
    if "?" in value or "#" in value:
        raise ValueError("The endpoint URL cannot have a query (?) or a fragment (#).")
    if not parts.hostname:
        raise ValueError("The endpoint URL needs a host name, e.g. https://s3.example.com.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("The port of the endpoint URL must be a number from 1 to 65535.") from None
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("The port of the endpoint URL must be a number from 1 to 65535.")
    # The same rule as botocore's, which would otherwise refuse the client later (a 500).
    if not (is_valid_endpoint_url(value) or is_valid_ipv6_endpoint_url(value)):
        raise ValueError(
            "The host name of the endpoint URL is not valid: use letters, digits, '-' and '.' "
            "(each label at most 63 characters), an IPv4 address or an IPv6 one in brackets."
        )
    return value.rstrip("/") if parts.path else value


def validate_region(value: Any, default_region: str) -> str:
    if value is None or value == "":
        return default_region
    if not isinstance(value, str) or not _REGION_RE.fullmatch(value):
        raise ValueError("Use up to 32 lowercase letters, digits and '-', e.g. us-east-1.")
    return value


def validate_bucket(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("Enter the bucket name.")
    if not 3 <= len(value) <= 63:
        raise ValueError("A bucket name is 3 to 63 characters long.")
    if not _BUCKET_RE.fullmatch(value):
        raise ValueError(
            "A bucket name uses lowercase letters, digits, '-' and '.', "
            "and begins and ends with a letter or a digit."
        )
    if ".." in value:
        raise ValueError("A bucket name cannot contain two periods in a row.")
    if _IPV4_RE.fullmatch(value):
        raise ValueError("A bucket name cannot look like an IP address.")
    return value


def validate_prefix(value: Any) -> str:
    """Return the prefix ending with '/' (or the empty string).

    Refused: a leading '/', control characters, backslashes, and '.' or '..' segments
    (``./x``, ``a/./b``, ``x/.``): the S3 proxy can never serve keys below such a folder.
    """
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ValueError("The prefix must be text.")
    _check_unicode(value)
    if value.startswith("/"):
        raise ValueError("The prefix cannot start with '/'; write e.g. data/2024/.")
    if _CONTROL_RE.search(value):
        raise ValueError("The prefix cannot contain control characters.")
    if "\\" in value:
        raise ValueError("The prefix cannot contain a backslash; use '/' between folders.")
    if any(segment in (".", "..") for segment in value.split("/")):
        raise ValueError("The prefix cannot contain '.' or '..' segments.")
    if not value.endswith("/"):
        value += "/"
    if len(value.encode("utf-8")) > MAX_PREFIX_BYTES:
        raise ValueError(f"The prefix must be at most {MAX_PREFIX_BYTES} bytes long.")
    return value


def validate_access_key_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("Enter the access key ID.")
    if not _ACCESS_KEY_RE.fullmatch(value):
        raise ValueError("The access key ID is 1 to 128 printable characters without spaces.")
    return value


def validate_secret(value: Any) -> str:
    # The value itself never appears in a message.
    if not isinstance(value, str) or not value:
        raise ValueError("Enter the secret access key.")
    if len(value) > MAX_SECRET:
        raise ValueError(f"The secret access key must be at most {MAX_SECRET} characters long.")
    if _SURROGATE_RE.search(value):
        raise ValueError("The secret access key contains characters that are not valid Unicode.")
    if _CONTROL_RE.search(value):
        raise ValueError("The secret access key cannot contain line breaks or control characters.")
    return value


def validate_choice(value: Any, choices: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    if value not in choices:
        raise ValueError("Choose one of: " + ", ".join(repr(c) for c in choices) + ".")
    return str(value)


def _check(
    body: Mapping[str, Any],
    *,
    default_region: str,
    require_all: bool,
    allow_direct_backend: bool,
) -> tuple[dict[str, Any], str | None]:
    errors: dict[str, str] = {}
    for key in body:
        if key in READ_ONLY_FIELDS:
            errors[key] = "This field is set by the server and cannot be changed."
        elif key not in WRITABLE_FIELDS:
            errors[key] = "Unknown field."

    validators = {
        "name": validate_name,
        "description": validate_description,
        "endpoint": validate_endpoint,
        "region": lambda v: validate_region(v, default_region),
        "bucket": validate_bucket,
        "prefix": validate_prefix,
        "access_key_id": validate_access_key_id,
        "mode": lambda v: validate_choice(v, MODES, DEFAULT_MODE),
        "backend": lambda v: validate_choice(v, BACKENDS, DEFAULT_BACKEND),
    }
    fields: dict[str, Any] = {}
    for key, validator in validators.items():
        if key not in body and not require_all:
            continue
        try:
            fields[key] = validator(body.get(key))
        except ValueError as error:
            errors[key] = str(error)

    if "backend" in body and fields.get("backend") == "direct" and not allow_direct_backend:
        errors["backend"] = (
            "The administrator has disabled the 'direct' backend; use 'proxy' instead."
        )

    secret: str | None = None
    raw_secret = body.get("secret_access_key")
    if require_all or raw_secret not in (None, ""):
        # On edit, an absent or empty secret keeps the stored one.
        try:
            secret = validate_secret(raw_secret)
        except ValueError as error:
            errors["secret_access_key"] = str(error)

    if errors:
        raise ValidationError(errors)
    return fields, secret


def validate_new_connector(
    body: Mapping[str, Any], *, default_region: str, allow_direct_backend: bool = True
) -> tuple[dict[str, Any], str]:
    """Validate a creation request; return (normalised fields, secret)."""
    fields, secret = _check(
        body,
        default_region=default_region,
        require_all=True,
        allow_direct_backend=allow_direct_backend,
    )
    assert secret is not None
    return fields, secret


def validate_connector_changes(
    body: Mapping[str, Any], *, default_region: str, allow_direct_backend: bool = True
) -> tuple[dict[str, Any], str | None]:
    """Validate a partial update; return (normalised changed fields, new secret or None)."""
    return _check(
        body,
        default_region=default_region,
        require_all=False,
        allow_direct_backend=allow_direct_backend,
    )


#: Lifetime of a shareable link when the request does not give one.
DEFAULT_LINK_SECONDS = 3600
#: Fields of a shareable-link request (``connectors/<id>/presign``).
PRESIGN_FIELDS = ("key", "expires_in")


def validate_presign_request(body: Mapping[str, Any]) -> tuple[str, int]:
    """Validate a shareable-link request; return (key, lifetime in seconds).

    Only the shape is checked here; which keys and lifetimes are allowed is
    :mod:`.policy`'s.
    """
    errors: dict[str, str] = {name: "Unknown field." for name in body if name not in PRESIGN_FIELDS}
    key = body.get("key")
    if not isinstance(key, str) or not key or key.endswith("/"):
        errors["key"] = "Give the key of an object (not a folder)."
    expires_in = body.get("expires_in", DEFAULT_LINK_SECONDS)
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        errors["expires_in"] = "Give the link's lifetime as a whole number of seconds."
    if errors:
        raise ValidationError(errors, "The link request")
    assert isinstance(key, str)
    return key, expires_in
