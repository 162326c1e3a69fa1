"""Who may do what with a connector: the decisions of the REST API and the proxy.

Pure functions, free of tornado and of the store: each takes a connector as stored (and the
administrator's settings) and either returns or raises :class:`Refused`, whose message tells
the user what to do. The handlers only turn a refusal into an HTTP answer
(``handlers/base.py`` for the REST API, an S3-style error for the proxy).

Whether a request is well formed is :mod:`.validation`'s business; these rules apply to
requests that are.
"""

from __future__ import annotations

from collections.abc import Mapping

from .proxy_rules import WRITE_METHODS, ProxyError, check_key, in_prefix
from .records import Connector

#: Bounds of a shareable link's lifetime: SigV4 presigned URLs last 7 days at most.
MIN_LINK_SECONDS = 60
MAX_LINK_SECONDS = 7 * 24 * 3600


class Refused(Exception):
    """A request the rules refuse: ``status`` 403 (not allowed) or 400 (a field's value).

    ``errors`` maps fields of the request to messages, like a validation error's.
    """

    def __init__(self, status: int, message: str, errors: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = dict(errors or {})


def _check_active(connector: Connector) -> None:
    if not connector.active:
        raise Refused(403, f"Connector '{connector.name}' is not active: activate it first.")


def check_credentials_access(connector: Connector, *, allow_direct_backend: bool) -> None:
    """May the browser receive the connector's key? Only for an active ``direct`` connector,
    and only while the administrator allows the direct backend."""
    if connector.backend != "direct":
        raise Refused(
            403,
            f"Connector '{connector.name}' uses the 'proxy' backend: its secret key stays "
            "on the server. Use the S3 proxy instead.",
        )
    if not allow_direct_backend:
        raise Refused(
            403,
            "The administrator has disabled the 'direct' backend; edit the connector to "
            "use 'proxy'.",
        )
    _check_active(connector)


def check_link_request(key: str, expires_in: int) -> None:
    """The connector-independent rules of a shareable link: a key the proxy would serve
    (so a link never reaches more than the proxy does) and a lifetime SigV4 allows."""
    errors: dict[str, str] = {}
    try:
        check_key(key)
    except ProxyError as error:
        errors["key"] = error.message
    if not MIN_LINK_SECONDS <= expires_in <= MAX_LINK_SECONDS:
        errors["expires_in"] = (
            f"Give a number of seconds from {MIN_LINK_SECONDS} to {MAX_LINK_SECONDS}."
        )
    if errors:
        raise Refused(400, f"Invalid fields: {', '.join(sorted(errors))}", errors)


def check_link_access(connector: Connector, key: str) -> None:
    """May a shareable link to ``key`` be signed with the connector's key? Only while the
    connector is active, and only inside its folder."""
    _check_active(connector)
    if not in_prefix(connector, key):
        raise Refused(403, f"The key is outside the folder '{connector.prefix}' of the connector.")


def check_proxy_access(connector: Connector, method: str) -> None:
    """May the proxy forward a request with this method? Only for an active connector, and
    only reads for a read-only one."""
    _check_active(connector)
    if method in WRITE_METHODS and connector.mode == "read-only":
        raise Refused(403, f"Connector '{connector.name}' is read-only.")
