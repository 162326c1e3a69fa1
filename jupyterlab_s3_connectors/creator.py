"""The creator recorded on a connector: a name that stays the same from one session to the next.

With a shared token (the default), jupyter_server's identity provider makes up an anonymous
user for each browser session: a random hex ``username`` and a name like "Anonymous Io"
(``IdentityProvider.generate_anonymous_user``). Such a name would differ on every connector;
the account the server runs as is what the user actually is, so that is recorded instead.
Identified users (JupyterHub, a custom identity provider) are recorded by their display name.
"""

from __future__ import annotations

import getpass
import re
from typing import Any

#: The creator recorded when nobody better is known.
UNKNOWN_CREATOR = "anonymous"

_RANDOM_USERNAME_RE = re.compile(r"[0-9a-f]{32}")


def is_anonymous(user: Any) -> bool:
    """Is this one of the identity provider's made-up users rather than a known person?"""
    if user is None:
        return True
    username = str(getattr(user, "username", "") or "")
    name = str(getattr(user, "name", "") or "")
    return bool(_RANDOM_USERNAME_RE.fullmatch(username)) and name.startswith("Anonymous ")


def server_user() -> str:
    """The operating-system account the Jupyter server runs as, or ``""`` if unknown."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry, no pwd module
        return ""


def creator_name(user: Any) -> str:
    """The name to record as a connector's creator for the identity provider's ``user``."""
    if is_anonymous(user):
        return server_user() or UNKNOWN_CREATOR
    for attribute in ("display_name", "name", "username"):
        value = getattr(user, attribute, "")
        if value:
            return str(value)
    return UNKNOWN_CREATOR
