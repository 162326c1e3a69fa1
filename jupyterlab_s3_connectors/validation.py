"""Validation of connector fields sent by clients.

Pure functions, free of tornado and of the store, so the rules can be tested on their own.
Every message is written for the person filling in the connector form.
"""

from __future__ import annotations

import re
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
    "credentials",
)

#: Fields a client may send when creating or editing a connector.
WRITABLE_FIELDS = (*EDITABLE_FIELDS, "secret_access_key")

#: Fields the server owns: present in answers, refused in requests.
READ_ONLY_FIELDS = ("id", "creator", "created_at", "updated_at", "active", "has_secret")

MODES = ("read-only", "read-write")
BACKENDS = ("proxy", "direct", "s3fs", "rclone")

#: Where a connector's key comes from: its own key pair, or the server's AWS credentials.
CREDENTIALS = ("key", "server")
DEFAULT_CREDENTIALS = "key"
#: Backends whose key stays on the server, so that they can use the server's credentials.
SERVER_CREDENTIAL_BACKENDS = ("proxy",)

DEFAULT_MODE = "read-write"
DEFAULT_BACKEND = "proxy"

# Every pattern is matched against the whole value (``fullmatch``): ``$`` would accept a
# trailing newline, and "fo\n" would be a second connector beside "fo".
_NAME_CHARS_RE = re.compile(r"[a-z0-9-]+")
_REGION_RE = re.compile(r"[a-z0-9-]{1,32}")
_BUCKET_CHARS_RE = re.compile(r"[a-z0-9.-]+")
_IPV4_RE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
_ACCESS_KEY_RE = re.compile(r"[\x21-\x7e]{1,128}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# A description may hold tabs and line breaks, nothing else of the kind.
_TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_OR_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]")
_PRINTABLE_ASCII_RE = re.compile(r"[\x21-\x7e]+")
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_LABELS_RE = re.compile(
    r"((?!-)[a-z0-9-]{1,63}(?<!-)\.)*((?!-)[a-z0-9-]{1,63}(?<!-))\.?", re.I
)
_IPV6_HOST_RE = re.compile(r"\[[0-9a-f:.]*:[0-9a-f:.]*\]", re.I)
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")

MAX_DESCRIPTION = 1000
MAX_PREFIX_BYTES = 1024
MAX_ENDPOINT = 2048
MAX_SECRET = 256


class FieldError(ValueError):
    """A field's value is refused: ``code`` is the stable key of the rule (shared with the
    frontend's validator, see ``tests/validation_cases.json``), the text is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class ValidationError(ValueError):
    """One or more fields are invalid; ``errors`` maps each field to a human message and
    ``codes`` to the stable key of the rule it broke."""

    def __init__(
        self,
        errors: Mapping[str, str],
        subject: str = "The connector",
        codes: Mapping[str, str] | None = None,
    ):
        self.errors = dict(errors)
        self.codes = dict(codes or {})
        super().__init__(f"{subject} has invalid fields: {', '.join(self.errors)}")

    @property
    def message(self) -> str:
        return str(self)


def _is_unicode(value: str) -> bool:
    # A lone surrogate (JSON "\\ud800") cannot be stored as UTF-8.
    return not _SURROGATE_RE.search(value)


def validate_name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise FieldError("name.required", "Enter a name.")
    if not 2 <= len(value) <= 63:
        raise FieldError("name.length", "The name must be 2 to 63 characters long.")
    if not _NAME_CHARS_RE.fullmatch(value):
        raise FieldError("name.charset", "Use only lowercase letters, digits and '-'.")
    if not value[0].isalpha():
        raise FieldError("name.start", "Start the name with a lowercase letter.")
    if value.endswith("-"):
        raise FieldError("name.end", "Do not end the name with '-'.")
    return value


def validate_description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError("description.type", "The description must be text.")
    if not _is_unicode(value):
        raise FieldError(
            "description.unicode", "The description contains characters that are not valid Unicode."
        )
    if _TEXT_CONTROL_RE.search(value):
        raise FieldError(
            "description.control",
            "The description cannot contain control characters (line breaks and tabs are fine).",
        )
    if len(value) > MAX_DESCRIPTION:
        raise FieldError(
            "description.length",
            f"The description must be at most {MAX_DESCRIPTION} characters long.",
        )
    return value


def _split_authority(value: str) -> tuple[str, str]:
    """(authority, rest) of ``scheme://authority/rest``; ``value`` has a ``://``."""
    after = value.split("://", 1)[1]
    end = len(after)
    for mark in "/?#":
        index = after.find(mark)
        if index != -1:
            end = min(end, index)
    return after[:end], after[end:]


def validate_endpoint(value: Any) -> str:
    """Return the endpoint URL without its trailing '/'.

    The checks, in order, are the frontend's too (``src/connectors/validation.ts``).
    """
    if not isinstance(value, str) or not value.strip():
        raise FieldError(
            "endpoint.required", "Enter the endpoint URL, e.g. https://s3.example.com."
        )
    if _SPACE_OR_CONTROL_RE.search(value):
        raise FieldError(
            "endpoint.spaces", "Remove the spaces and control characters from the endpoint URL."
        )
    if len(value) > MAX_ENDPOINT or not _PRINTABLE_ASCII_RE.fullmatch(value):
        raise FieldError(
            "endpoint.ascii",
            "Write the endpoint URL in ASCII: an international host name in its xn-- form, "
            "other characters percent-encoded.",
        )
    scheme = _SCHEME_RE.match(value)
    if not scheme:
        raise FieldError("endpoint.url", "Enter an absolute URL starting with http:// or https://.")
    if scheme.group(1).lower() not in ("http", "https"):
        raise FieldError("endpoint.scheme", "The endpoint must be an http:// or https:// URL.")
    if not value[scheme.end() :].startswith("//"):
        raise FieldError("endpoint.url", "Enter an absolute URL starting with http:// or https://.")
    authority, _rest = _split_authority(value)
    if "@" in authority:
        raise FieldError(
            "endpoint.userinfo",
            "Remove the user name and password from the URL; use the key fields.",
        )
    if "?" in value:
        raise FieldError("endpoint.query", "Remove the query (?…) from the endpoint URL.")
    if "#" in value:
        raise FieldError("endpoint.fragment", "Remove the fragment (#…) from the endpoint URL.")
    if authority.startswith("["):
        close = authority.find("]")
        host, port = (
            (authority, "") if close == -1 else (authority[: close + 1], authority[close + 1 :])
        )
    else:
        host, colon, digits = authority.partition(":")
        port = colon + digits
    if not host:
        raise FieldError(
            "endpoint.host", "The endpoint URL needs a host name, e.g. https://s3.example.com."
        )
    if port not in ("", ":") and not (
        port.startswith(":") and port[1:].isdigit() and 1 <= int(port[1:]) <= 65535
    ):
        raise FieldError(
            "endpoint.port", "The port of the endpoint URL must be a number from 1 to 65535."
        )
    host_ok = (
        _IPV6_HOST_RE.fullmatch(host)
        if host.startswith("[")
        else len(host) <= 255 and _HOST_LABELS_RE.fullmatch(host)
    )
    # The same rule as botocore's, which would otherwise refuse the client later (a 500).
    if not host_ok or not (is_valid_endpoint_url(value) or is_valid_ipv6_endpoint_url(value)):
        raise FieldError(
            "endpoint.hostname",
            "The host name of the endpoint URL is not valid: use letters, digits, '-' and '.' "
            "(each label at most 63 characters), an IPv4 address or an IPv6 one in brackets.",
        )
    return value.rstrip("/") if _rest else value


def validate_region(value: Any, default_region: str) -> str:
    if value is None or value == "":
        return default_region
    if not isinstance(value, str) or not _REGION_RE.fullmatch(value):
        raise FieldError(
            "region.format", "Use up to 32 lowercase letters, digits and '-', e.g. us-east-1."
        )
    return value


def validate_bucket(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise FieldError("bucket.required", "Enter the bucket name.")
    if not 3 <= len(value) <= 63:
        raise FieldError("bucket.length", "A bucket name is 3 to 63 characters long.")
    if not _BUCKET_CHARS_RE.fullmatch(value):
        raise FieldError(
            "bucket.charset", "A bucket name uses only lowercase letters, digits, '-' and '.'."
        )
    if not (value[0].isalnum() and value[-1].isalnum()):
        raise FieldError("bucket.edges", "A bucket name begins and ends with a letter or a digit.")
    if ".." in value:
        raise FieldError("bucket.dots", "A bucket name cannot contain two periods in a row.")
    if _IPV4_RE.fullmatch(value):
        raise FieldError("bucket.ip", "A bucket name cannot look like an IP address.")
    return value


def validate_prefix(value: Any) -> str:
    """Return the prefix ending with '/' (or the empty string).

    Refused: a leading '/', control characters, backslashes, and '.' or '..' segments
    (``./x``, ``a/./b``, ``x/.``): the S3 proxy can never serve keys below such a folder.
    The 1024-byte limit of S3 keys applies to the prefix as stored (UTF-8, with its '/').
    """
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise FieldError("prefix.type", "The folder must be text.")
    if not _is_unicode(value):
        raise FieldError("prefix.unicode", "The folder is not valid Unicode text.")
    if value.startswith("/"):
        raise FieldError(
            "prefix.leading_slash", "Do not start the folder with '/'; write e.g. data/2024/."
        )
    if _CONTROL_RE.search(value):
        raise FieldError("prefix.control", "The folder cannot contain control characters.")
    if "\\" in value:
        raise FieldError(
            "prefix.backslash", "The folder cannot contain a backslash; use '/' between folders."
        )
    if any(segment in (".", "..") for segment in value.split("/")):
        raise FieldError("prefix.dot_segment", "The folder cannot contain '.' or '..' segments.")
    if not value.endswith("/"):
        value += "/"
    if len(value.encode("utf-8")) > MAX_PREFIX_BYTES:
        raise FieldError(
            "prefix.bytes",
            f"The folder, with its final '/', must be at most {MAX_PREFIX_BYTES} bytes "
            "long in UTF-8.",
        )
    return value


def validate_access_key_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise FieldError("access_key_id.required", "Enter the access key ID.")
    if not _ACCESS_KEY_RE.fullmatch(value):
        raise FieldError(
            "access_key_id.format",
            "The access key ID is 1 to 128 printable characters without spaces.",
        )
    return value


def validate_secret(value: Any) -> str:
    # The value itself never appears in a message.
    if not isinstance(value, str) or not value:
        raise FieldError("secret_access_key.required", "Enter the secret access key.")
    if len(value) > MAX_SECRET:
        raise FieldError(
            "secret_access_key.length",
            f"The secret access key must be at most {MAX_SECRET} characters long.",
        )
    if not _is_unicode(value):
        raise FieldError(
            "secret_access_key.unicode",
            "The secret access key contains characters that are not valid Unicode.",
        )
    if _CONTROL_RE.search(value):
        raise FieldError(
            "secret_access_key.control",
            "The secret access key cannot contain line breaks or control characters.",
        )
    return value


def validate_choice(value: Any, choices: tuple[str, ...], default: str, field: str = "") -> str:
    if value is None:
        return default
    if value not in choices:
        raise FieldError(
            f"{field}.choice", "Choose one of: " + ", ".join(repr(c) for c in choices) + "."
        )
    return str(value)


def _check(
    body: Mapping[str, Any],
    *,
    default_region: str,
    require_all: bool,
    allow_direct_backend: bool,
    unavailable_backends: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], str | None]:
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}

    def refuse(key: str, error: ValueError) -> None:
        errors[key] = str(error)
        codes[key] = getattr(error, "code", f"{key}.invalid")

    for key in body:
        if key in READ_ONLY_FIELDS:
            refuse(
                key,
                FieldError("read_only", "This field is set by the server and cannot be changed."),
            )
        elif key not in WRITABLE_FIELDS:
            refuse(key, FieldError("unknown", "Unknown field."))

    validators = {
        "name": validate_name,
        "description": validate_description,
        "endpoint": validate_endpoint,
        "region": lambda v: validate_region(v, default_region),
        "bucket": validate_bucket,
        "prefix": validate_prefix,
        "access_key_id": validate_access_key_id,
        "mode": lambda v: validate_choice(v, MODES, DEFAULT_MODE, "mode"),
        "backend": lambda v: validate_choice(v, BACKENDS, DEFAULT_BACKEND, "backend"),
        "credentials": lambda v: validate_choice(
            v, CREDENTIALS, DEFAULT_CREDENTIALS, "credentials"
        ),
    }
    # With the server's own credentials, the connector has no key pair of its own.
    server_credentials = body.get("credentials") == "server"
    if server_credentials:
        validators["access_key_id"] = lambda v: "" if v in (None, "") else validate_access_key_id(v)
    fields: dict[str, Any] = {}
    for key, validator in validators.items():
        if key not in body and not require_all:
            continue
        try:
            fields[key] = validator(body.get(key))
        except ValueError as error:
            refuse(key, error)

    if server_credentials and fields.get("backend", "proxy") not in SERVER_CREDENTIAL_BACKENDS:
        refuse(
            "credentials",
            FieldError(
                "credentials.backend",
                "The server's own AWS credentials are used through the proxy backend only: "
                "the direct backend would give them to the browser, and the mount tools "
                "take a key of their own.",
            ),
        )

    if "backend" in body and fields.get("backend") == "direct" and not allow_direct_backend:
        refuse(
            "backend",
            FieldError(
                "backend.disabled",
                "The administrator has disabled the 'direct' backend; use 'proxy' instead.",
            ),
        )

    backend = str(fields.get("backend", ""))
    if "backend" in body and backend in (unavailable_backends or {}):
        # The reason (tool missing, FUSE unusable) comes from the server's look at itself.
        refuse(
            "backend",
            FieldError(
                "backend.unavailable",
                (unavailable_backends or {})[backend]
                or f"The '{backend}' backend cannot work on this Jupyter server.",
            ),
        )

    secret: str | None = None
    raw_secret = body.get("secret_access_key")
    if (require_all and not server_credentials) or raw_secret not in (None, ""):
        # On edit, an absent or empty secret keeps the stored one.
        try:
            secret = validate_secret(raw_secret)
        except ValueError as error:
            refuse("secret_access_key", error)

    if errors:
        raise ValidationError(errors, codes=codes)
    return fields, secret


def validate_new_connector(
    body: Mapping[str, Any],
    *,
    default_region: str,
    allow_direct_backend: bool = True,
    unavailable_backends: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Validate a creation request; return (normalised fields, secret).

    The secret is None for a connector that uses the server's own credentials.
    ``unavailable_backends`` maps the backends that cannot work on this server (a mount
    tool missing, FUSE unusable) to the reason, which becomes the field's message.
    """
    fields, secret = _check(
        body,
        default_region=default_region,
        require_all=True,
        allow_direct_backend=allow_direct_backend,
        unavailable_backends=unavailable_backends,
    )
    assert secret is not None or fields["credentials"] == "server"
    return fields, secret


def validate_connector_changes(
    body: Mapping[str, Any],
    *,
    default_region: str,
    allow_direct_backend: bool = True,
    unavailable_backends: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Validate a partial update; return (normalised changed fields, new secret or None)."""
    return _check(
        body,
        default_region=default_region,
        require_all=False,
        allow_direct_backend=allow_direct_backend,
        unavailable_backends=unavailable_backends,
    )


def validate_credentials_change(
    current: Any, changes: Mapping[str, Any], secret: str | None
) -> None:
    """Check an edit against what it leaves unchanged: the server's own credentials stay
    with the proxy backend, and a connector given back its own key must have one."""
    credentials = changes.get("credentials", getattr(current, "credentials", "key"))
    backend = changes.get("backend", current.backend)
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    if credentials == "server" and backend not in SERVER_CREDENTIAL_BACKENDS:
        errors["credentials"] = (
            "The server's own AWS credentials are used through the proxy backend only: "
            "the direct backend would give them to the browser, and the mount tools take "
            "a key of their own."
        )
        codes["credentials"] = "credentials.backend"
    if credentials == "key":
        if not changes.get("access_key_id", current.access_key_id):
            errors["access_key_id"] = "Enter the access key ID."
            codes["access_key_id"] = "access_key_id.required"
        if secret is None and not current.secret:
            missing = "secret_access_key"
            errors[missing] = "Enter the secret access key."
            codes[missing] = f"{missing}.required"
    if errors:
        raise ValidationError(errors, codes=codes)


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
