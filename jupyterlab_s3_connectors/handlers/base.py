"""Shared base of the extension's REST handlers: auth resource, JSON bodies, JSON errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from http.client import responses
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.web import HTTPError

from ..catalogs import CatalogError, split_published_id
from ..creator import creator_name
from ..errors import ConnectorActive, ConnectorNotFound, DuplicateName, StoreError
from ..mounts import MountError, MountSupervisor
from ..policy import Refused
from ..records import Connector
from ..registry import ConnectorRegistry
from ..store import ConnectorStore
from ..validation import ValidationError

#: The resource name given to jupyter_server's authorizer for every handler here.
AUTH_RESOURCE = "s3_connectors"

T = TypeVar("T")


@dataclass(frozen=True)
class ServerOptions:
    """Settings of the extension that handlers need, copied from the app's traitlets."""

    version: str
    allow_direct_backend: bool
    default_region: str
    connection_timeout: float


class ApiError(HTTPError):
    """An HTTP error whose JSON body is ``payload`` (always with a ``message``)."""

    def __init__(self, status_code: int, message: str, **extra: Any):
        # tornado %-formats log_message when logging; escape so any text is safe.
        super().__init__(status_code, log_message=message.replace("%", "%%"))
        self.payload: dict[str, Any] = {"message": message, **extra}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _has_lone_surrogate(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(
            _has_lone_surrogate(k, depth + 1) or _has_lone_surrogate(v, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_lone_surrogate(item, depth + 1) for item in value)
    return False


class S3ConnectorsHandler(ExtensionHandlerMixin, APIHandler):
    """Base class: authenticated JSON API whose errors are ``{"message": ...}``."""

    auth_resource = AUTH_RESOURCE

    def initialize(
        self,
        name: str,
        store: ConnectorStore,
        options: ServerOptions,
        registry: ConnectorRegistry | None = None,
        mounts: MountSupervisor | None = None,
    ) -> None:
        super().initialize(name)
        self.store = store
        #: The user's own connectors and those of the catalogs, looked up by id.
        self.registry = registry or ConnectorRegistry(store)
        self.server_options = options
        self.mounts = mounts

    def connector_answer(
        self, connector: Connector, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A connector as the API shows it (``data``, or its own fields); with ``mount``
        for the mount backends."""
        data = dict(data) if data is not None else connector.to_api()
        status = self.mounts.status(connector) if self.mounts else None
        if status is not None:
            data["mount"] = status.to_api()
        return data

    async def connector_answer_of(self, connector_id: str) -> dict[str, Any]:
        """The answer for a connector of the user's or of a catalog, read now."""
        connector, described = await self.call_store(self.registry.describe, connector_id)
        return self.connector_answer(connector, described)

    def force_requested(self) -> bool:
        """Whether the request asks for a forced (lazy) unmount: ``?force=true``."""
        return self.get_query_argument("force", "").lower() in ("1", "true", "yes")

    def unavailable_backends(self) -> dict[str, str]:
        """Mount backends that cannot work on this server -> why (for the validators)."""
        if self.mounts is None:
            return {}
        environment = self.mounts.environment()
        found = {b: environment.backend_problem(b) for b in ("s3fs", "rclone")}
        return {backend: problem for backend, problem in found.items() if problem}

    def mount_error(self, error: MountError) -> ApiError:
        """The HTTP answer of a refused or failed mount or unmount."""
        extra: dict[str, Any] = {"code": error.code}
        if error.errors:
            extra["errors"] = error.errors
        if error.mount is not None:
            extra["mount"] = error.mount.to_api()
        return ApiError(error.status, error.message, **extra)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, ApiError):
            payload = error.payload
        elif isinstance(error, HTTPError):
            message = error.log_message or error.reason or responses.get(status_code, "Error")
            if error.log_message and error.args:
                message = error.log_message % error.args
            payload = {"message": message}
        else:
            # Unexpected exceptions are logged by tornado; their text stays out of answers.
            payload = {"message": "Unexpected server error; see the Jupyter server log."}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    def read_json_object(self) -> dict[str, Any]:
        """The request body as a JSON object (never logged: it may hold a secret).

        Bodies nested too deeply, numbers Python refuses to convert, NaN or Infinity, and
        strings with lone surrogates (which cannot be stored as UTF-8) are 400s.
        """
        body = self.request.body
        if not body or not body.strip():
            return {}
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except RecursionError:
            raise ApiError(400, "The request body is nested too deeply.") from None
        except (UnicodeDecodeError, ValueError):  # JSONDecodeError, huge integers, NaN
            raise ApiError(400, "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        for name, value in data.items():
            if _has_lone_surrogate(name) or _has_lone_surrogate(value):
                field = name.encode("utf-8", "backslashreplace").decode("utf-8")
                message = f"The field '{field}' contains characters that are not valid Unicode."
                raise ApiError(400, message, errors={field: message})
        return data

    def refuse_published(self, connector_id: str, what: str, why: str) -> None:
        """A published connector is used, never changed nor read, by the catalog's members."""
        if split_published_id(connector_id) is not None:
            raise ApiError(403, f"A published connector cannot be {what}: {why}")

    def user_name(self) -> str:
        """The creator to record for the current user (see :mod:`..creator`)."""
        return creator_name(self.current_user)

    async def call_store(self, method: Callable[..., T], *args: Any) -> T:
        """Run a blocking store call in a thread and map its errors to HTTP answers."""
        try:
            return await asyncio.to_thread(method, *args)
        except ConnectorNotFound as error:
            raise ApiError(404, error.message) from None
        except DuplicateName as error:
            raise ApiError(409, error.message, errors={"name": error.message}) from None
        except ConnectorActive as error:
            raise ApiError(409, error.message) from None
        except CatalogError as error:
            if error.status >= 500:
                self.log.error("S3 connectors catalog error: %s", error.message)
            raise ApiError(error.status, error.message) from None
        except StoreError as error:
            self.log.error("S3 connectors store error: %s", error.message)
            raise ApiError(500, error.message) from None

    def check_request(self, validate: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Apply a validator of :mod:`..validation` or a rule of :mod:`..policy`; a
        refusal becomes the HTTP error it names (400 for invalid fields)."""
        try:
            return validate(*args, **kwargs)
        except ValidationError as error:
            raise ApiError(400, error.message, errors=error.errors, codes=error.codes) from None
        except Refused as error:
            extra = {"errors": error.errors} if error.errors else {}
            raise ApiError(error.status, error.message, **extra) from None

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))
