"""``buckets`` (POST): the buckets a key can see, for the connector form's bucket picker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..records import Credentials
from ..s3check import list_buckets
from ..validation import (
    ValidationError,
    validate_access_key_id,
    validate_endpoint,
    validate_region,
    validate_secret,
)
from .base import ApiError, S3ConnectorsHandler

#: Fields of a bucket-list request.
BUCKET_LIST_FIELDS = (
    "endpoint",
    "region",
    "access_key_id",
    "secret_access_key",
    "connector_id",
)


def validate_bucket_list_request(
    body: Mapping[str, Any], *, default_region: str
) -> tuple[str, str, str, str | None, str | None]:
    """(endpoint, region, access key ID, secret or None, connector ID or None).

    Without a secret, the request names the connector being edited: its stored secret
    is used on the server, and never reaches the browser.
    """
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}

    def check(field: str, validate: Any) -> Any:
        try:
            return validate(body.get(field))
        except ValueError as error:
            errors[field] = str(error)
            codes[field] = getattr(error, "code", f"{field}.invalid")
            return None

    for name in body:
        if name not in BUCKET_LIST_FIELDS:
            errors[name] = "Unknown field."
            codes[name] = "unknown"
    endpoint = check("endpoint", validate_endpoint)
    region = check("region", lambda v: validate_region(v, default_region))
    key_id = check("access_key_id", validate_access_key_id)
    connector_id = body.get("connector_id")
    secret = None
    if body.get("secret_access_key") or not connector_id:
        secret = check("secret_access_key", validate_secret)
    elif not isinstance(connector_id, str):
        errors["connector_id"] = "Give the ID of a connector."
        codes["connector_id"] = "connector_id.type"
    if errors:
        raise ValidationError(errors, "The bucket list request", codes)
    return endpoint, region, key_id, secret, connector_id if secret is None else None


class BucketListHandler(S3ConnectorsHandler):
    """``buckets`` (POST ``{endpoint, region, access_key_id, secret_access_key |
    connector_id}``): ``ListBuckets`` at the endpoint, answered like a connection test
    (``ok``, ``code``, ``message``) with the bucket names."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        endpoint, region, key_id, secret, connector_id = self.check_request(
            validate_bucket_list_request,
            self.read_json_object(),
            default_region=self.server_options.default_region,
        )
        if secret is not None:
            credentials = Credentials(access_key_id=key_id, secret_access_key=secret)
        else:
            assert connector_id is not None
            connector = await self.call_store(self.store.get, connector_id)
            # The stored key signs requests to the connector's own endpoint only.
            if connector.endpoint != endpoint or connector.access_key_id != key_id:
                message = (
                    "Enter the secret key: the stored one is used only with the connector's "
                    "own endpoint and access key ID."
                )
                raise ApiError(400, message, errors={"secret_access_key": message})
            credentials = await self.call_store(self.store.credentials, connector_id)
        result = await list_buckets(
            endpoint, region, credentials, self.server_options.connection_timeout
        )
        self.log.info("Bucket list at %s: %s", endpoint, result.code)
        self.set_header("Cache-Control", "no-store")
        self.write_json(result.to_api())
