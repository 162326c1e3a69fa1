"""REST API of the connectors: CRUD, activation, connection test and server info."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join

from ..s3check import check_connection
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
                default_region=self.options.default_region,
                allow_direct_backend=self.options.allow_direct_backend,
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
                default_region=self.options.default_region,
                allow_direct_backend=self.options.allow_direct_backend,
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
        result = await check_connection(connector, credentials, self.options.connection_timeout)
        self.log.info("Connection test of S3 connector '%s': %s", connector.name, result.code)
        self.write_json(result.to_api())


class InfoHandler(S3ConnectorsHandler):
    """``info`` (GET): lets the frontend check the server extension and its settings."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(
            {
                "version": self.options.version,
                "allow_direct_backend": self.options.allow_direct_backend,
                "default_region": self.options.default_region,
            }
        )
