"""REST API of the connectors: CRUD, activation, connection test and server info."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join

from ..proxy_rules import ProxyError, check_key
from ..s3check import check_connection, make_client
from ..validation import ValidationError, validate_connector_changes, validate_new_connector
from .base import ApiError, S3ConnectorsHandler


def _invalid(error: ValidationError) -> ApiError:
    return ApiError(400, error.message, errors=error.errors)


class ConnectorsHandler(S3ConnectorsHandler):
    """``connectors``: list (GET) and create (POST)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        connectors = await self.call_store(self.store.list_connectors)
        self.write_json({"connectors": [c.to_api() for c in connectors]})

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.read_json_object()
        try:
            fields, secret = validate_new_connector(
                body,
                default_region=self.server_options.default_region,
                allow_direct_backend=self.server_options.allow_direct_backend,
            )
        except ValidationError as error:
            raise _invalid(error) from None
        connector = await self.call_store(self.store.create, fields, secret, self.user_name())
        self.log.info("Created S3 connector '%s' (%s)", connector.name, connector.id)
        self.set_header("Location", url_path_join(self.request.path, connector.id))
        self.write_json(connector.to_api(), status=201)


class ConnectorHandler(S3ConnectorsHandler):
    """``connectors/<id>``: read (GET), edit (PATCH) and delete (DELETE)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, connector_id: str) -> None:
        connector = await self.call_store(self.store.get, connector_id)
        self.write_json(connector.to_api())

    @tornado.web.authenticated
    @authorized
    async def patch(self, connector_id: str) -> None:
        body = self.read_json_object()
        try:
            changes, secret = validate_connector_changes(
                body,
                default_region=self.server_options.default_region,
                allow_direct_backend=self.server_options.allow_direct_backend,
            )
        except ValidationError as error:
            raise _invalid(error) from None
        connector = await self.call_store(self.store.update, connector_id, changes, secret)
        self.log.info("Updated S3 connector '%s' (%s)", connector.name, connector.id)
        self.write_json(connector.to_api())

    @tornado.web.authenticated
    @authorized
    async def delete(self, connector_id: str) -> None:
        await self.call_store(self.store.delete, connector_id)
        self.log.info("Deleted S3 connector %s", connector_id)
        self.set_status(204)
        self.finish()


class ActivationHandler(S3ConnectorsHandler):
    """``connectors/<id>/activate`` and ``.../deactivate`` (POST, idempotent)."""

    @tornado.web.authenticated
    @authorized
    async def post(self, connector_id: str, action: str) -> None:
        connector = await self.call_store(self.store.set_active, connector_id, action == "activate")
        self.write_json(connector.to_api())


class ConnectionTestHandler(S3ConnectorsHandler):
    """``connectors/<id>/test`` (POST): try the stored settings against the endpoint."""

    @tornado.web.authenticated
    @authorized
    async def post(self, connector_id: str) -> None:
        connector = await self.call_store(self.store.get, connector_id)
        credentials = await self.call_store(self.store.credentials, connector_id)
        result = await check_connection(
            connector, credentials, self.server_options.connection_timeout
        )
        self.log.info("Connection test of S3 connector '%s': %s", connector.name, result.code)
        self.write_json(result.to_api())


class CredentialsHandler(S3ConnectorsHandler):
    """``connectors/<id>/credentials`` (GET): the key, for an active ``direct`` connector only.

    The answer is never cached and never logged.
    """

    @tornado.web.authenticated
    @authorized
    async def get(self, connector_id: str) -> None:
        self.set_header("Cache-Control", "no-store")
        connector = await self.call_store(self.store.get, connector_id)
        if connector.backend != "direct":
            raise ApiError(
                403,
                f"Connector '{connector.name}' uses the 'proxy' backend: its secret key stays "
                "on the server. Use the S3 proxy instead.",
            )
        if not self.server_options.allow_direct_backend:
            raise ApiError(
                403,
                "The administrator has disabled the 'direct' backend; edit the connector to "
                "use 'proxy'.",
            )
        if not connector.active:
            raise ApiError(403, f"Connector '{connector.name}' is not active: activate it first.")
        credentials = await self.call_store(self.store.credentials, connector_id)
        self.write_json(
            {
                "access_key_id": credentials.access_key_id,
                "secret_access_key": credentials.secret_access_key,
                "region": connector.region,
                "endpoint": connector.endpoint,
                "bucket": connector.bucket,
            }
        )


class InfoHandler(S3ConnectorsHandler):
    """``info`` (GET): lets the frontend check the server extension and its settings."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(
            {
                "version": self.server_options.version,
                "allow_direct_backend": self.server_options.allow_direct_backend,
                "default_region": self.server_options.default_region,
            }
        )


#: Bounds of a shareable link's lifetime: SigV4 presigned URLs last 7 days at most.
MIN_LINK_SECONDS = 60
MAX_LINK_SECONDS = 7 * 24 * 3600


class PresignHandler(S3ConnectorsHandler):
    """``connectors/<id>/presign`` (POST ``{"key", "expires_in"}``): a shareable GET link.

    The link is signed here with the stored key, so it works for ``proxy``
    connectors too; it only reaches the object named, and expires. Only for active
    connectors, and only for keys the proxy would serve.
    """

    @tornado.web.authenticated
    @authorized
    async def post(self, connector_id: str) -> None:
        body = self.read_json_object()
        key = body.get("key")
        expires_in = body.get("expires_in", 3600)
        errors: dict[str, str] = {}
        if not isinstance(key, str) or not key or key.endswith("/"):
            errors["key"] = "Give the key of an object (not a folder)."
        else:
            try:
                check_key(key)  # only keys the proxy would serve
            except ProxyError as error:
                errors["key"] = error.message
        if (
            not isinstance(expires_in, int)
            or isinstance(expires_in, bool)
            or not MIN_LINK_SECONDS <= expires_in <= MAX_LINK_SECONDS
        ):
            errors["expires_in"] = (
                f"Give a number of seconds from {MIN_LINK_SECONDS} to {MAX_LINK_SECONDS}."
            )
        unknown = sorted(set(body) - {"key", "expires_in"})
        for name in unknown:
            errors[name] = "Unknown field."
        if errors:
            raise ApiError(400, f"Invalid fields: {', '.join(sorted(errors))}", errors=errors)
        assert isinstance(key, str)
        connector = await self.call_store(self.store.get, connector_id)
        if not connector.active:
            raise ApiError(403, f"Connector '{connector.name}' is not active: activate it first.")
        if connector.prefix and not key.startswith(connector.prefix):
            raise ApiError(
                403, f"The key is outside the folder '{connector.prefix}' of the connector."
            )
        credentials = await self.call_store(self.store.credentials, connector_id)
        try:
            client = make_client(connector, credentials, self.server_options.connection_timeout)
            url = client.generate_presigned_url(
                "get_object",
                Params={"Bucket": connector.bucket, "Key": key},
                ExpiresIn=expires_in,
            )
        except ValueError:  # an endpoint stored before validation followed botocore's rule
            raise ApiError(
                400,
                f"The endpoint of connector '{connector.name}' is not a URL the S3 client "
                "accepts: edit the connector.",
                errors={"endpoint": "Not a URL the S3 client accepts."},
            ) from None
        self.set_header("Cache-Control", "no-store")
        self.write_json({"url": url, "expires_in": expires_in})
