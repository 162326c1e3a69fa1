"""REST API of the connectors: CRUD, activation and mounts, connection test, server info."""

from __future__ import annotations

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join

from ..mounts import MOUNT_BACKENDS, MountError
from ..policy import check_credentials_access, check_link_access, check_link_request
from ..presign import presign_get
from ..records import Connector
from ..s3check import check_connection
from ..validation import (
    validate_connector_changes,
    validate_credentials_change,
    validate_new_connector,
    validate_presign_request,
)
from .base import ApiError, S3ConnectorsHandler

#: Why a member of a catalog cannot edit or delete a published connector.
_PUBLISHED_CHANGE = (
    "it belongs to its catalog; its publisher edits the original and publishes it again."
)


class ConnectorsHandler(S3ConnectorsHandler):
    """``connectors``: list (GET) and create (POST)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        connectors = await self.call_store(self.store.list_connectors)
        self.write_json({"connectors": [self.connector_answer(c) for c in connectors]})

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        fields, secret = self.check_request(
            validate_new_connector,
            self.read_json_object(),
            default_region=self.server_options.default_region,
            allow_direct_backend=self.server_options.allow_direct_backend,
            unavailable_backends=self.unavailable_backends(),
        )
        connector = await self.call_store(self.store.create, fields, secret, self.user_name())
        self.log.info("Created S3 connector '%s' (%s)", connector.name, connector.id)
        self.set_header("Location", url_path_join(self.request.path, connector.id))
        self.write_json(self.connector_answer(connector), status=201)


class ConnectorHandler(S3ConnectorsHandler):
    """``connectors/<id>``: read (GET), edit (PATCH) and delete (DELETE)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, connector_id: str) -> None:
        self.write_json(await self.connector_answer_of(connector_id))

    @tornado.web.authenticated
    @authorized
    async def patch(self, connector_id: str) -> None:
        self.refuse_published(connector_id, "edited", _PUBLISHED_CHANGE)
        current = await self.call_store(self.store.get, connector_id)
        # A backend that cannot work here is refused when it is chosen, not when an
        # existing connector with it is edited.
        unavailable = {
            backend: problem
            for backend, problem in self.unavailable_backends().items()
            if backend != current.backend
        }
        changes, secret = self.check_request(
            validate_connector_changes,
            self.read_json_object(),
            default_region=self.server_options.default_region,
            allow_direct_backend=self.server_options.allow_direct_backend,
            unavailable_backends=unavailable,
        )
        self.check_request(validate_credentials_change, current, changes, secret)
        if self.mounts is not None:
            try:
                self.mounts.check_change(current, changes, secret is not None)
            except MountError as error:
                raise self.mount_error(error) from None
        connector = await self.call_store(self.store.update, connector_id, changes, secret)
        self.log.info("Updated S3 connector '%s' (%s)", connector.name, connector.id)
        self.write_json(self.connector_answer(connector))

    @tornado.web.authenticated
    @authorized
    async def delete(self, connector_id: str) -> None:
        self.refuse_published(connector_id, "deleted", _PUBLISHED_CHANGE)
        await self.call_store(self.registry.check_deletable, connector_id)
        await self.call_store(self.store.delete, connector_id)
        self.log.info("Deleted S3 connector %s", connector_id)
        self.set_status(204)
        self.finish()


class ActivationHandler(S3ConnectorsHandler):
    """``connectors/<id>/activate`` and ``.../deactivate`` (POST, idempotent).

    For a mount backend, activating mounts the bucket first (the connector becomes active
    only once it is mounted) and deactivating unmounts it first: a busy mount is a 409
    unless ``?force=true`` (a lazy unmount).
    """

    @tornado.web.authenticated
    @authorized("execute")
    async def post(self, connector_id: str, action: str) -> None:
        activate = action == "activate"
        connector = await self.call_store(self.registry.get, connector_id)
        if connector.backend in MOUNT_BACKENDS and self.mounts is not None:
            try:
                if activate:
                    credentials = await self.call_store(self.registry.credentials_of, connector)
                    await self.mounts.mount(connector, credentials)
                else:
                    await self.mounts.unmount(connector, force=self.force_requested())
            except MountError as error:
                self.log.warning(
                    "S3 connector '%s' could not be %s: %s",
                    connector.name,
                    "mounted" if activate else "unmounted",
                    error.message,
                )
                raise self.mount_error(error) from None
        await self.call_store(self.registry.set_active, connector_id, activate)
        self.write_json(await self.connector_answer_of(connector_id))


class MountHandler(S3ConnectorsHandler):
    """``connectors/<id>/mount`` (GET: the mount's state) and ``.../remount`` (POST: mount
    an active connector again, after its mount was lost or failed)."""

    async def _mount_connector(self, connector_id: str) -> Connector:
        connector = await self.call_store(self.registry.get, connector_id)
        if connector.backend not in MOUNT_BACKENDS or self.mounts is None:
            raise ApiError(
                400,
                f"Connector '{connector.name}' has the {connector.backend} backend, "
                "which does not mount its bucket.",
                errors={"backend": "Not a mount backend."},
            )
        return connector

    @tornado.web.authenticated
    @authorized
    async def get(self, connector_id: str, action: str) -> None:
        if action != "mount":
            raise ApiError(405, "Use POST to remount.")
        connector = await self._mount_connector(connector_id)
        assert self.mounts is not None
        status = self.mounts.status(connector)
        assert status is not None
        self.write_json(status.to_api())

    @tornado.web.authenticated
    @authorized("execute")
    async def post(self, connector_id: str, action: str) -> None:
        if action != "remount":
            raise ApiError(405, "Use GET for the mount's state, POST .../remount to remount.")
        connector = await self._mount_connector(connector_id)
        assert self.mounts is not None
        if not connector.active:
            raise ApiError(409, f"Connector '{connector.name}' is not active: activate it.")
        credentials = await self.call_store(self.registry.credentials_of, connector)
        try:
            await self.mounts.remount(connector, credentials)
        except MountError as error:
            raise self.mount_error(error) from None
        self.log.info("Remounted S3 connector '%s'", connector.name)
        self.write_json(await self.connector_answer_of(connector_id))


class ConnectionTestHandler(S3ConnectorsHandler):
    """``connectors/<id>/test`` (POST): try the stored settings against the endpoint."""

    @tornado.web.authenticated
    @authorized("execute")
    async def post(self, connector_id: str) -> None:
        connector = await self.call_store(self.registry.get, connector_id)
        credentials = await self.call_store(self.registry.credentials_of, connector)
        result = await check_connection(
            connector, credentials, self.server_options.connection_timeout
        )
        self.log.info("Connection test of S3 connector '%s': %s", connector.name, result.code)
        self.write_json(result.to_api())


class CredentialsHandler(S3ConnectorsHandler):
    """``connectors/<id>/credentials`` (GET): the key, to whom :mod:`..policy` allows it.

    The answer is never cached and never logged.
    """

    @tornado.web.authenticated
    @authorized("execute")
    async def get(self, connector_id: str) -> None:
        self.set_header("Cache-Control", "no-store")
        self.refuse_published(
            connector_id,
            "handed to the browser",
            "its key stays on the servers of the catalog's members, which use it through "
            "the proxy.",
        )
        connector = await self.call_store(self.store.get, connector_id)
        allow_direct_backend = self.server_options.allow_direct_backend
        self.check_request(
            check_credentials_access, connector, allow_direct_backend=allow_direct_backend
        )
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
        # What the authorizer lets this user do, so the panel offers only that.
        permissions = {
            action: bool(
                await ensure_async(
                    self.authorizer.is_authorized(
                        self, self.current_user, action, self.auth_resource
                    )
                )
            )
            for action in ("read", "write", "execute")
        }
        self.write_json(
            {
                "version": self.server_options.version,
                "allow_direct_backend": self.server_options.allow_direct_backend,
                "default_region": self.server_options.default_region,
                "permissions": permissions,
                "mounts": self.mounts.info() if self.mounts else None,
            }
        )


class PresignHandler(S3ConnectorsHandler):
    """``connectors/<id>/presign`` (POST ``{"key", "expires_in"}``): a shareable GET link.

    The link is signed here with the stored key, so it works for ``proxy`` connectors
    too; it only reaches the object named, and expires (rules in :mod:`..policy`).
    """

    @tornado.web.authenticated
    @authorized("execute")
    async def post(self, connector_id: str) -> None:
        key, expires_in = self.check_request(validate_presign_request, self.read_json_object())
        self.check_request(check_link_request, key, expires_in)
        connector = await self.call_store(self.registry.get, connector_id)
        self.check_request(check_link_access, connector, key)
        credentials = await self.call_store(self.registry.credentials_of, connector)
        timeout = self.server_options.connection_timeout
        try:
            url = await presign_get(connector, credentials, key, expires_in, timeout)
        except ValueError:  # an endpoint stored before validation followed botocore's rule
            raise ApiError(
                400,
                f"The endpoint of connector '{connector.name}' is not a URL the S3 client "
                "accepts: edit the connector.",
                errors={"endpoint": "Not a URL the S3 client accepts."},
            ) from None
        self.set_header("Cache-Control", "no-store")
        self.write_json({"url": url, "expires_in": expires_in})


class PublishHandler(S3ConnectorsHandler):
    """``connectors/<id>/publish`` and ``.../unpublish`` (POST ``{"catalog"}``).

    Publishing copies the user's connector into the catalog (or updates the copy);
    unpublishing removes it. Whoever can write the catalog's directory may publish.
    """

    @tornado.web.authenticated
    @authorized("write")
    async def post(self, connector_id: str, action: str) -> None:
        body = self.read_json_object()
        catalog = body.get("catalog")
        unknown = sorted(set(body) - {"catalog"})
        if not isinstance(catalog, str) or not catalog or unknown:
            message = "Give the name of the catalog, and nothing else."
            raise ApiError(400, message, errors={"catalog": message})
        if action == "publish":
            published = await self.call_store(
                self.registry.publish, connector_id, catalog, self.user_name()
            )
            self.log.info("Published S3 connector %s to catalog '%s'", connector_id, catalog)
            active = await self.call_store(self.registry.activity.active)
            self.write_json(published.to_api(published.id in active, True), status=201)
            return
        await self.call_store(self.registry.unpublish, connector_id, catalog)
        self.log.info("Unpublished S3 connector %s from catalog '%s'", connector_id, catalog)
        self.set_status(204)
        self.finish()


class CatalogsHandler(S3ConnectorsHandler):
    """``catalogs`` (GET): the catalogs, their connectors and whether this user may publish."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json({"catalogs": await self.call_store(self.registry.catalogs_for_api)})
